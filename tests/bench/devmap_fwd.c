// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * devmap_fwd: attach the reference XDP_REDIRECT forwarder (bpf/xdp_devmap_redirect.bpf.c) to two
 * ports, or a trivial XDP_PASS / XDP_DROP program to a veth peer or a sink, and keep it attached
 * until a signal.
 *
 *   devmap_fwd [--obj FILE] [--generic] [--secs N] IF_A IF_B      A -> B and B -> A (DEVMAP_HASH)
 *   devmap_fwd [--obj FILE] [--generic] [--secs N] --pass IF...   XDP_PASS on each IF
 *   devmap_fwd [--obj FILE] [--generic] [--secs N] --drop IF...   XDP_DROP on each IF (a sink)
 *
 * Works in the calling thread's network namespace (run it with `ip netns exec`).  The object is
 * opened with bpf_object__open_file() (default: ../bpf/xdp_devmap_redirect.bpf.o next to this
 * binary's directory, as `make` lays out the build tree); nothing is pinned (bpffs is not mounted
 * here).  Prints "devmap_fwd: ready" on stdout once everything is attached, then waits for
 * SIGINT/SIGTERM/SIGHUP (or --secs, default 600, a safety bound) and detaches exactly the programs
 * it attached (XDP_FLAGS_REPLACE against its own fd: a program attached by someone else in the
 * meantime is left alone).  Exit: 0 detached cleanly, 1 error, 2 usage.
 */
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define MAX_IFS 8

static struct {
	int ifindex;
	int prog_fd;
	const char *name;
} att[MAX_IFS];
static int natt;
static __u32 mode_flag = XDP_FLAGS_DRV_MODE;

static void usage(void)
{
	fprintf(stderr, "usage: devmap_fwd [--obj FILE] [--generic] [--secs N] IF_A IF_B\n"
			"       devmap_fwd [--obj FILE] [--generic] [--secs N] --pass|--drop IF...\n");
	exit(2);
}

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_WARN)
		return vfprintf(stderr, fmt, ap);
	return 0;
}

static void detach_all(void)
{
	for (int i = natt - 1; i >= 0; i--) {
		LIBBPF_OPTS(bpf_xdp_attach_opts, o, .old_prog_fd = att[i].prog_fd);
		int err = bpf_xdp_detach(att[i].ifindex, mode_flag, &o);

		if (err && err != -ENODEV && err != -EEXIST)
			fprintf(stderr, "devmap_fwd: cannot detach from %s: %s\n", att[i].name, strerror(-err));
	}
	natt = 0;
}

static int attach(const char *ifname, struct bpf_program *prog)
{
	int ifindex = (int)if_nametoindex(ifname), fd = bpf_program__fd(prog), err;

	if (!ifindex) {
		fprintf(stderr, "devmap_fwd: no interface %s in this namespace\n", ifname);
		return -ENODEV;
	}
	err = bpf_xdp_attach(ifindex, fd, mode_flag | XDP_FLAGS_UPDATE_IF_NOEXIST, NULL);
	if (err) {
		fprintf(stderr, "devmap_fwd: cannot attach %s to %s (%s mode): %s\n", bpf_program__name(prog), ifname,
			mode_flag == XDP_FLAGS_SKB_MODE ? "generic" : "native", strerror(-err));
		return err;
	}
	att[natt].ifindex = ifindex;
	att[natt].prog_fd = fd;
	att[natt].name = ifname;
	natt++;
	return ifindex;
}

static char *default_obj(const char *argv0)
{
	static char path[PATH_MAX + 64];
	char self[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	(void)argv0;
	if (n <= 0)
		return NULL;
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (!slash)
		return NULL;
	*slash = '\0';	/* .../build/bench */
	snprintf(path, sizeof(path), "%s/../bpf/xdp_devmap_redirect.bpf.o", self);
	return path;
}

int main(int argc, char **argv)
{
	const char *obj_path = NULL, *ifs[MAX_IFS];
	const char *single = NULL;	/* --pass / --drop: that program on every IF */
	int nifs = 0, pass = 0, secs = 600, sig = 0, rc = 1;
	struct bpf_object *obj = NULL;
	struct bpf_program *prog;
	struct timespec ts;
	sigset_t set;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--obj") && i + 1 < argc)
			obj_path = argv[++i];
		else if (!strcmp(argv[i], "--generic"))
			mode_flag = XDP_FLAGS_SKB_MODE;
		else if (!strcmp(argv[i], "--secs") && i + 1 < argc)
			secs = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--pass") || !strcmp(argv[i], "--drop"))
			pass = 1, single = !strcmp(argv[i], "--pass") ? "xdp_pass" : "xdp_drop";
		else if (argv[i][0] == '-' || nifs == MAX_IFS)
			usage();
		else
			ifs[nifs++] = argv[i];
	}
	if (secs < 1 || secs > 3600 || (pass ? nifs < 1 : nifs != 2))
		usage();
	if (!obj_path)
		obj_path = default_obj(argv[0]);
	if (!obj_path || access(obj_path, R_OK)) {
		fprintf(stderr, "devmap_fwd: cannot read the BPF object %s: build it with `make %s`\n",
			obj_path ? obj_path : "(unknown)", "build/bpf/xdp_devmap_redirect.bpf.o");
		return 1;
	}

	/* Signals arrive through sigtimedwait(), so that detaching never races a handler. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);

	libbpf_set_print(libbpf_quiet);
	obj = bpf_object__open_file(obj_path, NULL);
	if (!obj) {
		fprintf(stderr, "devmap_fwd: cannot open %s: %s\n", obj_path, strerror(errno));
		return 1;
	}
	/* Load only the program this mode attaches. */
	bpf_object__for_each_program(prog, obj)
		bpf_program__set_autoload(prog, !strcmp(bpf_program__name(prog), pass ? single : "xdp_devmap_fwd"));
	if (bpf_object__load(obj)) {
		fprintf(stderr, "devmap_fwd: cannot load %s: %s\n", obj_path, strerror(errno));
		goto out;
	}
	prog = bpf_object__find_program_by_name(obj, pass ? single : "xdp_devmap_fwd");
	if (!prog)
		goto out;
	if (pass) {
		for (int i = 0; i < nifs; i++)
			if (attach(ifs[i], prog) < 0)
				goto out;
		printf("devmap_fwd: ready: %s on", single);
		for (int i = 0; i < nifs; i++)
			printf(" %s", ifs[i]);
		printf(" (%s)\n", mode_flag == XDP_FLAGS_SKB_MODE ? "generic" : "native");
	} else {
		struct bpf_map *map = bpf_object__find_map_by_name(obj, "fwd_ports");
		__u32 a = if_nametoindex(ifs[0]), b = if_nametoindex(ifs[1]);

		if (!map || !a || !b) {
			fprintf(stderr, "devmap_fwd: %s\n", !map ? "no map fwd_ports in the object" : "no such interface");
			goto out;
		}
		/* The map before the program: no frame is ever passed for want of an entry. */
		if (bpf_map__update_elem(map, &a, sizeof(a), &b, sizeof(b), BPF_ANY) ||
		    bpf_map__update_elem(map, &b, sizeof(b), &a, sizeof(a), BPF_ANY)) {
			fprintf(stderr, "devmap_fwd: cannot fill the DEVMAP: %s\n", strerror(errno));
			goto out;
		}
		if (attach(ifs[0], prog) < 0 || attach(ifs[1], prog) < 0)
			goto out;
		printf("devmap_fwd: ready: %s <-> %s through XDP_REDIRECT/DEVMAP_HASH (%s)\n", ifs[0], ifs[1],
		       mode_flag == XDP_FLAGS_SKB_MODE ? "generic" : "native");
	}
	ts.tv_sec = secs;
	ts.tv_nsec = 0;
	sig = sigtimedwait(&set, NULL, &ts);
	if (sig < 0 && errno == EAGAIN)
		fprintf(stderr, "devmap_fwd: --secs %d elapsed, detaching\n", secs);
	rc = 0;
out:
	detach_all();
	bpf_object__close(obj);
	return rc;
}
