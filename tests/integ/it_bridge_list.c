// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * `xdpbridge list` and `xdpbridge monitor` against the real kernel, inside the
 * lab's namespaces (a 4-queue veth pair, va in A, vb in B):
 *
 *   1. list --json va / vb: name, kind veth, MTU (vb's set to 1400), MAC, 4 RX /
 *      4 TX queues and who answered (ethtool netlink on this kernel), nothing
 *      attached; the whole namespace's list is valid JSON (python3, when present)
 *   2. an RX socket of ours on vb attaches the steering program: list shows its
 *      id and mode, the same as bpf_xdp_query(); after destroy, nothing again
 *   3. monitor va/vx in A: `ip link set va down` -> down, `up` -> up, a new veth
 *      vx -> new, `ip link del vx` -> gone, `ip link del va` -> gone, each
 *      within 5 s
 *
 * The programs run as `ip netns exec NS $XDPSOCK_BUILD/bin/xdpbridge ...`: the
 * test links neither bridge/ nor libmnl, and that is the user's way too.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <xdpsock/xdpsock.h>

#include "lab.h"

#define EVENT_TIMEOUT_S 5.0

static char bin[PATH_MAX];
static pid_t monitor_pid;

/* Run `xdpbridge ARGS` in side @side; its stdout into @out; returns its exit status. */
static int xdpbridge(const struct lab *l, int side, char *out, size_t len, const char *args)
{
	char cmd[PATH_MAX + 256];
	size_t n = 0, got;
	FILE *p;
	int st;

	snprintf(cmd, sizeof(cmd), "ip netns exec %s %s %s", l->ns[side], bin, args);
	p = popen(cmd, "r");
	CHECK(p, "popen %s: %s", cmd, strerror(errno));
	while (n + 1 < len && (got = fread(out + n, 1, len - 1 - n, p)) > 0)
		n += got;
	out[n] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static void expect_in(const char *text, const char *what, const char *needle)
{
	CHECK(strstr(text, needle), "%s: \"%s\" missing in:\n%s", what, needle, text);
}

/* JSON validity from an independent parser, when the machine has one. */
static void json_valid(const struct lab *l, int side, const char *args)
{
	if (system("command -v python3 >/dev/null 2>&1") != 0) {
		printf("  (python3 absent: JSON validity not checked)\n");
		return;
	}
	CHECK(lab_sh(l, side, "%s %s | python3 -m json.tool >/dev/null", bin, args) == 0,
	      "'xdpbridge %s' is not valid JSON", args);
}

static void check_list(const struct lab *l)
{
	char out[16384], want[256];
	int rc;

	CHECK(lab_sh(l, LAB_B, "ip link set vb mtu 1400") == 0, "cannot set vb's MTU");

	rc = xdpbridge(l, LAB_A, out, sizeof(out), "list --json va");
	CHECK(rc == 0, "list --json va exited %d", rc);
	expect_in(out, "va", "\"name\": \"va\"");
	expect_in(out, "va", "\"kind\": \"veth\"");
	expect_in(out, "va", "\"driver\": \"veth\"");
	expect_in(out, "va", "\"mtu\": 1500,");
	expect_in(out, "va", "\"mac\": \"02:00:00:00:00:01\"");
	expect_in(out, "va", "\"rx\": 4, \"tx\": 4, \"combined\": 0,");
	/* veth has get_channels: the driver answers, over ethtool netlink (ioctl on kernels without it). */
	CHECK(strstr(out, "\"source\": \"genl\"") || strstr(out, "\"source\": \"ioctl\""), "va's queues: %s", out);
	expect_in(out, "va", "\"modes\": [ \"native\", \"generic\" ]");
	expect_in(out, "va", "\"zerocopy\": false");
	expect_in(out, "va", "\"attached\": []");
	printf("  va: 4/4 queues from %s\n", strstr(out, "\"source\": \"genl\"") ? "genl" : "ioctl");

	rc = xdpbridge(l, LAB_B, out, sizeof(out), "list --json vb");
	CHECK(rc == 0, "list --json vb exited %d", rc);
	expect_in(out, "vb", "\"mtu\": 1400,");
	expect_in(out, "vb", "\"mac\": \"02:00:00:00:00:02\"");
	expect_in(out, "vb", "\"rx\": 4, \"tx\": 4,");

	/* The whole namespace: lo and va, as valid JSON. */
	rc = xdpbridge(l, LAB_A, out, sizeof(out), "list --json");
	CHECK(rc == 0, "list --json exited %d", rc);
	expect_in(out, "all", "\"name\": \"lo\"");
	expect_in(out, "all", "\"name\": \"va\"");
	CHECK(!strstr(out, "\"name\": \"vb\""), "vb listed in A's namespace");
	json_valid(l, LAB_A, "list --json");

	/* The table. */
	rc = xdpbridge(l, LAB_B, out, sizeof(out), "list vb");
	CHECK(rc == 0, "list vb exited %d", rc);
	snprintf(want, sizeof(want), "4/4/0 %s", strstr(out, "genl") ? "genl" : "ioctl");
	expect_in(out, "table", want);
	expect_in(out, "table", "veth");
	printf("%s", out);

	/* A name that is not there is an error naming it; a bad option is a usage error. */
	rc = xdpbridge(l, LAB_A, out, sizeof(out), "list vb 2>&1");
	CHECK(rc == 1, "list of a missing interface exited %d", rc);
	expect_in(out, "missing", "no interface named 'vb'");
	rc = xdpbridge(l, LAB_A, out, sizeof(out), "list --bogus 2>&1");
	CHECK(rc == 2, "a bad option exited %d", rc);
}

static void check_attached(const struct lab *l)
{
	struct xdpsock_rx *rx;
	struct xdpsock_mode m;
	char out[16384], want[256];
	const char *mode;
	uint32_t id;
	int err, rc, attach;

	err = xdpsock_rx_create(&rx, lab_ifindex(l, LAB_B), 0, NULL);
	CHECK(err == 0, "rx_create on vb: %d %s", err, xdpsock_errmsg());
	xdpsock_rx_mode(rx, &m);
	id = lab_xdp_query(l, LAB_B, &attach);
	CHECK(id > 0, "no program on vb after rx_create");
	mode = attach == XDP_ATTACHED_SKB ? "generic" : attach == XDP_ATTACHED_DRV ? "native" : "?";

	rc = xdpbridge(l, LAB_B, out, sizeof(out), "list --json vb");
	CHECK(rc == 0, "list --json vb exited %d", rc);
	snprintf(want, sizeof(want), "\"attached\": [ { \"mode\": \"%s\", \"prog_id\": %u } ]", mode, id);
	expect_in(out, "attached", want);
	rc = xdpbridge(l, LAB_B, out, sizeof(out), "list vb");
	CHECK(rc == 0, "list vb exited %d", rc);
	snprintf(want, sizeof(want), "%u %s", id, mode);
	expect_in(out, "attached (table)", want);
	printf("%s", out);
	printf("  vb: program %u attached in %s mode, as bpf_xdp_query says\n", id, mode);

	xdpsock_rx_destroy(rx);
	rc = xdpbridge(l, LAB_B, out, sizeof(out), "list --json vb");
	CHECK(rc == 0, "list --json vb exited %d", rc);
	expect_in(out, "detached", "\"attached\": []");
}

/* ---- monitor ------------------------------------------------------------- */

static void monitor_kill(void)
{
	if (monitor_pid > 0) {
		kill(monitor_pid, SIGTERM);
		waitpid(monitor_pid, NULL, 0);
		monitor_pid = 0;
	}
}

/* `xdpbridge monitor --json va vx` in A, stdout and stderr into the returned fd. */
static int monitor_start(const struct lab *l)
{
	int p[2];

	CHECK(pipe2(p, O_CLOEXEC) == 0, "pipe: %s", strerror(errno));
	monitor_pid = fork();
	CHECK(monitor_pid >= 0, "fork: %s", strerror(errno));
	if (!monitor_pid) {
		/* Dies with the test whatever way it ends; --timeout bounds it anyway. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		dup2(p[1], 1);
		dup2(p[1], 2);
		execlp("ip", "ip", "netns", "exec", l->ns[LAB_A], bin, "monitor", "--json", "--timeout", "60", "va",
		       "vx", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	atexit(monitor_kill);
	return p[0];
}

struct lines {
	int fd;
	char buf[16384];
	size_t len;
};

/*
 * Wait until EVENT_TIMEOUT_S after @start for a line holding both needles; earlier lines are
 * skipped (and shown).  Returns the seconds from @start (when the change was made) to the line.
 */
static double wait_line(struct lines *r, double start, const char *n1, const char *n2)
{
	double left;
	char *nl;

	while ((left = start + EVENT_TIMEOUT_S - lab_now()) > 0) {
		struct pollfd pfd = { .fd = r->fd, .events = POLLIN };
		ssize_t got;

		while ((nl = memchr(r->buf, '\n', r->len))) {
			bool hit;

			*nl = '\0';
			hit = strstr(r->buf, n1) && (!n2 || strstr(r->buf, n2));
			printf("    | %s\n", r->buf);
			r->len -= (size_t)(nl + 1 - r->buf);
			memmove(r->buf, nl + 1, r->len);
			if (hit)
				return lab_now() - start;
		}
		CHECK(r->len < sizeof(r->buf) - 1, "monitor line too long");
		if (poll(&pfd, 1, (int)(left * 1000) + 1) <= 0)
			continue;
		got = read(r->fd, r->buf + r->len, sizeof(r->buf) - 1 - r->len);
		CHECK(got > 0, "the monitor exited before printing %s %s", n1, n2 ? n2 : "");
		r->len += (size_t)got;
	}
	CHECK(0, "no '%s'%s%s from the monitor within %.0f s", n1, n2 ? " with " : "", n2 ? n2 : "", EVENT_TIMEOUT_S);
	return 0;
}

static void check_monitor(const struct lab *l)
{
	static struct lines r;
	double t;

	r.fd = monitor_start(l);
	wait_line(&r, lab_now(), "listening for link events", NULL);

	t = lab_now();
	CHECK(lab_sh(l, LAB_A, "ip link set va down") == 0, "ip link set va down");
	t = wait_line(&r, t, "\"event\": \"down\"", "\"name\": \"va\"");
	printf("  down after %.3f s\n", t);
	t = lab_now();
	CHECK(lab_sh(l, LAB_A, "ip link set va up") == 0, "ip link set va up");
	t = wait_line(&r, t, "\"event\": \"up\"", "\"name\": \"va\"");
	printf("  up after %.3f s\n", t);
	t = lab_now();
	CHECK(lab_sh(l, LAB_A, "ip link add vx type veth peer name vy") == 0, "ip link add vx");
	t = wait_line(&r, t, "\"event\": \"new\"", "\"name\": \"vx\"");
	printf("  new after %.3f s\n", t);
	t = lab_now();
	CHECK(lab_sh(l, LAB_A, "ip link del vx") == 0, "ip link del vx");
	t = wait_line(&r, t, "\"event\": \"gone\"", "\"name\": \"vx\"");
	printf("  gone (vx) after %.3f s\n", t);
	/* Deleting va takes vb in B with it: this is the last step. */
	t = lab_now();
	CHECK(lab_sh(l, LAB_A, "ip link del va") == 0, "ip link del va");
	t = wait_line(&r, t, "\"event\": \"gone\"", "\"name\": \"va\"");
	printf("  gone (va) after %.3f s\n", t);
	monitor_kill();
	close(r.fd);
}

int main(void)
{
	const char *build = getenv("XDPSOCK_BUILD") ? getenv("XDPSOCK_BUILD") : "build";
	char path[PATH_MAX];
	struct lab *l;

	lab_require_root("it_bridge_list");
	snprintf(path, sizeof(path), "%s/bin/xdpbridge", build);
	CHECK(realpath(path, bin) && access(bin, X_OK) == 0, "%s not built ('make')", path);
	setvbuf(stdout, NULL, _IOLBF, 0);
	l = lab_up(4);

	check_list(l);
	check_attached(l);
	check_monitor(l);
	printf("PASS it_bridge_list\n");
	return T_PASS;
}
