// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * The kernel features the library uses where a kernel build may lack or refuse them, each probed
 * against the running kernel; where it refuses, the test says so (KERNEL-REFUSED, listed by
 * tests/run.sh) and checks the fallback or the error instead:
 *
 *  - native XDP: on lo (no native XDP in any kernel) attach_mode AUTO falls back to generic, the
 *    warning names the interface and the kernel's own words, and libbpf prints nothing to stderr;
 *  - a frags-aware XDP program (BPF_F_XDP_HAS_FRAGS): loaded, and then native on vb with a
 *    9000-byte peer MTU; or refused with one warning, and then generic there with the kernel's
 *    words ("veth: Peer MTU is too large to set XDP"); frames arrive either way;
 *  - the copy-mode TX budget (XDP_MAX_TX_SKB_BUDGET): accepted, or refused with one warning, and
 *    frames are sent either way;
 *  - sock_diag for AF_XDP: answered, or refused with one warning, and a program left by a
 *    killed process is still found stale and replaced;
 *  - busy polling and multi-buffer: a socket that asks for them is created and receives, or the
 *    error names the feature;
 *  - huge pages: hugepages=REQUIRE gets them once some are reserved (the old reservation is
 *    restored at exit), or fails naming /proc/sys/vm/nr_hugepages;
 *  - a UMEM above RLIMIT_MEMLOCK without CAP_IPC_LOCK fails naming both.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/capability.h>
#include <sys/wait.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <xdpsock/xdpsock.h>

#include "lab.h"

#define N 100

static struct lab *l;
static long old_hugepages = -1;
static int refusals;
static char diag_refusal[512];	/* said once per process: caught at the first destroy */
static char frags_refusal[512];	/* said once per process: caught at the first load */

/* @answer: the library's sentence "... refused by this kernel (ANSWER): fallback", or a bare answer. */
static void refused(const char *feature, const char *answer)
{
	const char *k = strstr(answer, "refused by this kernel (");
	char buf[512];

	snprintf(buf, sizeof(buf), "%s", k ? k + 24 : answer);
	if (k && strstr(buf, "): "))
		*strstr(buf, "): ") = '\0';
	lab_kernel_refused(feature, buf);
	refusals++;
}

/* Receive N frames sent from va queue 0 on @rx, on @dport. */
static void frames_arrive(struct xdpsock_rx *rx, uint16_t dport, const char *what)
{
	struct xdpsock_tx *tx;
	uint32_t got, others = 0;
	int err = xdpsock_tx_create(&tx, lab_ifindex(l, LAB_A), 0, NULL);

	CHECK(err == 0, "%s: tx_create on va: %s", what, xdpsock_errmsg());
	lab_tx_frames(tx, l, LAB_A, 0, N, 0, dport);
	got = lab_rx_frames(rx, l, LAB_A, 0, N, 0, dport, 5000, &others);
	CHECK(got == N, "%s: received %u of %u frames", what, got, N);
	xdpsock_tx_destroy(tx);
}

/* Run @fn with stderr going to a file; return what was written there (static buffer). */
static const char *stderr_of(void (*fn)(void))
{
	static char out[4096];
	char path[] = "/tmp/it_probes.XXXXXX";
	int fd = mkstemp(path), saved = dup(2);
	ssize_t n;

	CHECK(fd >= 0 && saved >= 0, "mkstemp/dup: %s", strerror(errno));
	unlink(path);
	fflush(stderr);
	dup2(fd, 2);
	fn();
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	n = pread(fd, out, sizeof(out) - 1, 0);
	close(fd);
	out[n > 0 ? n : 0] = '\0';
	return out;
}

static struct xdpsock_rx *lo_rx;

static void create_on_lo(void)
{
	struct xdpsock_opts o = { .sz = sizeof(o) };
	int err;

	lab_enter(l, LAB_B);
	err = xdpsock_rx_create(&lo_rx, (int)if_nametoindex("lo"), 0, &o);
	CHECK(err == 0, "rx_create on lo: %s", xdpsock_errmsg());
}

static void native_refused_on_lo(void)
{
	struct xdpsock_mode m;
	const char *err_out;
	char msg[512];

	lab_log_reset();
	err_out = stderr_of(create_on_lo);
	CHECK(xdpsock_rx_mode(lo_rx, &m) == 0 && m.attach == XDPSOCK_ATTACH_GENERIC, "lo: attach mode %d, not generic",
	      m.attach);
	CHECK(lab_log_get(XDPSOCK_LOG_WARN, "native XDP on lo refused by this kernel (", msg, sizeof(msg)),
	      "lo: no warning about native XDP");
	/* The kernel's own reason follows the errno text, e.g. "(Operation not supported: Underlying driver ...)". */
	CHECK(strstr(msg, ": using generic XDP") && strchr(strchr(msg, '(') + 1, ':') < strstr(msg, "): using"),
	      "lo: the warning lacks the kernel's words: %s", msg);
	printf("lo: %s\n", msg);
	CHECK(!strstr(err_out, "\nlibbpf:") && strncmp(err_out, "libbpf:", 7),
	      "libbpf printed to stderr during the library's call:\n%s", err_out);
	/* The first program this process loads: frags-aware, or the refusal said (once). */
	lab_log_get(XDPSOCK_LOG_WARN, "a multi-buffer XDP program", frags_refusal, sizeof(frags_refusal));
	xdpsock_rx_destroy(lo_rx);
	/* The last receiver's destroy asked sock_diag whether another process still receives. */
	lab_log_get(XDPSOCK_LOG_WARN, "sock_diag for AF_XDP", diag_refusal, sizeof(diag_refusal));
	CHECK(lab_sh(l, LAB_B, "ip link show dev lo | grep -q xdp") != 0, "a program was left on lo");
}

static void native_at_jumbo_mtu(void)
{
	struct xdpsock_rx *rx;
	struct xdpsock_mode m;
	char msg[512];
	int err;

	CHECK(lab_sh(l, LAB_A, "ip link set dev va mtu 9000") == 0, "va mtu 9000");
	CHECK(lab_sh(l, LAB_B, "ip link set dev vb mtu 9000") == 0, "vb mtu 9000");
	lab_log_reset();
	err = xdpsock_rx_create(&rx, lab_ifindex(l, LAB_B), 0, NULL);
	CHECK(err == 0, "rx_create on vb at MTU 9000: %s", xdpsock_errmsg());
	CHECK(xdpsock_rx_mode(rx, &m) == 0, "rx_mode");
	if (frags_refusal[0]) {
		/* A single-buffer program: veth refuses it natively above a page, and says why. */
		refused("frags-aware XDP program (BPF_F_XDP_HAS_FRAGS)", frags_refusal);
		CHECK(m.attach == XDPSOCK_ATTACH_GENERIC, "vb: attach mode %d without a frags-aware program", m.attach);
		CHECK(lab_log_get(XDPSOCK_LOG_WARN, "native XDP on vb refused by this kernel (", msg, sizeof(msg)),
		      "vb: generic without a warning");
		printf("vb at MTU 9000: %s\n", msg);
	} else {
		CHECK(m.attach == XDPSOCK_ATTACH_NATIVE, "vb at MTU 9000: attach mode %d, not native, though the frags-aware program loaded",
		      m.attach);
		CHECK(!lab_log_has(XDPSOCK_LOG_WARN, "native XDP on vb refused"), "vb: native, but a refusal was said");
		printf("vb at MTU 9000: native XDP (frags-aware program)\n");
	}
	frames_arrive(rx, 9600, "vb at MTU 9000");
	xdpsock_rx_destroy(rx);
	CHECK(lab_sh(l, LAB_A, "ip link set dev va mtu 1500") == 0 && lab_sh(l, LAB_B, "ip link set dev vb mtu 1500") == 0,
	      "mtu 1500");
}

static void tx_budget(struct xdpsock_rx *rx)
{
	char msg[512];

	/* frames_arrive() made a TX socket with the default 2048-slot ring: budget 1024 was asked for. */
	lab_log_reset();
	frames_arrive(rx, 9601, "TX budget");
	if (lab_log_get(XDPSOCK_LOG_WARN, "XDP_MAX_TX_SKB_BUDGET", msg, sizeof(msg)))
		refused("XDP_MAX_TX_SKB_BUDGET", msg);
	else
		printf("XDP_MAX_TX_SKB_BUDGET: accepted\n");
}

static void sock_diag_and_stale(void)
{
	struct xdpsock_rx *rx;
	pid_t pid;
	int st, err;

	/* A child takes vb queue 0 and is killed: its program stays, with nobody behind it. */
	lab_enter(l, LAB_B);
	pid = fork();
	CHECK(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		xdpsock_set_log(NULL, NULL);
		if (xdpsock_rx_create(&rx, lab_ifindex(l, LAB_B), 0, NULL))
			_exit(3);
		kill(getpid(), SIGKILL);
		_exit(4);
	}
	CHECK(waitpid(pid, &st, 0) == pid && WIFSIGNALED(st), "child status %#x", st);
	CHECK(lab_xdp_attached(l, LAB_B) == 1, "the killed child's program is not on vb");
	lab_log_reset();
	err = xdpsock_rx_create(&rx, lab_ifindex(l, LAB_B), 0, NULL);
	CHECK(err == 0, "rx_create after a killed owner: %s", xdpsock_errmsg());
	CHECK(lab_log_has(XDPSOCK_LOG_WARN, "replaced a stale xdpsock program"), "the stale program was not replaced");
	/* Without sock_diag the stale program was found through /proc: the fallback works. */
	if (diag_refusal[0])
		refused("sock_diag for AF_XDP", diag_refusal);
	else
		printf("sock_diag for AF_XDP: answered\n");
	tx_budget(rx);
	xdpsock_rx_destroy(rx);
	CHECK(!lab_xdp_attached(l, LAB_B), "program left on vb");
}

/* A socket asking for @flags is created and receives, or the error names @feature. */
static void optional(uint32_t flags, const char *feature, const char *words, uint16_t dport)
{
	struct xdpsock_opts o = { .sz = sizeof(o), .flags = flags };
	struct xdpsock_rx *rx;
	int err = xdpsock_rx_create(&rx, lab_ifindex(l, LAB_B), 0, &o);

	if (err == -EOPNOTSUPP || err == -ENOPROTOOPT || err == -EINVAL) {
		CHECK(strstr(xdpsock_errmsg(), words), "%s refused, but the error does not say '%s': %s", feature, words,
		      xdpsock_errmsg());
		refused(feature, xdpsock_errmsg());
		CHECK(!lab_xdp_attached(l, LAB_B), "%s: program left on vb after the refusal", feature);
		return;
	}
	CHECK(err == 0, "rx_create with %s: %s", feature, xdpsock_errmsg());
	frames_arrive(rx, dport, feature);
	printf("%s: accepted\n", feature);
	xdpsock_rx_destroy(rx);
}

static long read_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static int write_long(const char *path, long v)
{
	FILE *f = fopen(path, "w");
	int ok;

	if (!f)
		return -errno;
	ok = fprintf(f, "%ld\n", v) > 0;
	return fclose(f) == 0 && ok ? 0 : -EIO;
}

static void restore_hugepages(void)
{
	if (old_hugepages >= 0 && write_long("/proc/sys/vm/nr_hugepages", old_hugepages))
		fprintf(stderr, "it_probes: could not restore nr_hugepages to %ld\n", old_hugepages);
}

static void hugepages(void)
{
	struct xdpsock_opts o = { .sz = sizeof(o), .hugepages = XDPSOCK_HUGEPAGES_REQUIRE, .frame_count = 1024,
				  .tx_size = 512, .comp_size = 512, .fill_size = 512, .rx_size = 512 };
	struct xdpsock_tx *tx;
	struct xdpsock_mode m;
	long have;
	int err;

	/* 1024 x 2048 bytes: one 2 MB page, on top of what others have reserved. */
	old_hugepages = read_long("/proc/sys/vm/nr_hugepages");
	CHECK(old_hugepages >= 0, "cannot read /proc/sys/vm/nr_hugepages");
	atexit(restore_hugepages);
	write_long("/proc/sys/vm/nr_hugepages", old_hugepages + 2);
	have = read_long("/proc/sys/vm/nr_hugepages");
	err = xdpsock_tx_create(&tx, lab_ifindex(l, LAB_A), 0, &o);
	if (have <= old_hugepages) {
		char answer[128];

		snprintf(answer, sizeof(answer), "nr_hugepages stays %ld when %ld is asked for", have, old_hugepages + 2);
		CHECK(err == -ENOMEM && strstr(xdpsock_errmsg(), "/proc/sys/vm/nr_hugepages"),
		      "hugepages REQUIRE without huge pages: %d %s", err, xdpsock_errmsg());
		refused("2 MB huge pages", answer);
	} else {
		CHECK(err == 0, "tx_create with hugepages REQUIRE: %s", xdpsock_errmsg());
		CHECK(xdpsock_tx_mode(tx, &m) == 0 && m.hugepages, "hugepages REQUIRE: the UMEM is not on huge pages");
		printf("2 MB huge pages: accepted\n");
		xdpsock_tx_destroy(tx);
	}
	restore_hugepages();
}

/*
 * Not a kernel feature, but a limit the kernel enforces at registration: a UMEM above
 * RLIMIT_MEMLOCK without CAP_IPC_LOCK.  The kernel answers ENOBUFS; the error must name the limit
 * and the capability.  In a child: it drops CAP_IPC_LOCK and lowers its limit.
 */
static void memlock(void)
{
	int st;
	pid_t pid = fork();

	CHECK(pid >= 0, "fork");
	if (pid == 0) {
		struct rlimit rl = { 64 << 10, 64 << 10 };
		cap_value_t ipc_lock = CAP_IPC_LOCK;
		cap_t caps = cap_get_proc();
		struct xdpsock_tx *tx;
		int err;

		xdpsock_set_log(NULL, NULL);
		if (!caps || cap_set_flag(caps, CAP_EFFECTIVE, 1, &ipc_lock, CAP_CLEAR) || cap_set_proc(caps) ||
		    setrlimit(RLIMIT_MEMLOCK, &rl))
			_exit(3);
		err = xdpsock_tx_create(&tx, lab_ifindex(l, LAB_A), 0, NULL);
		if (err == 0)
			_exit(4);
		printf("memlock: %d %s\n", err, xdpsock_errmsg());
		fflush(stdout);
		_exit(strstr(xdpsock_errmsg(), "RLIMIT_MEMLOCK") && strstr(xdpsock_errmsg(), "CAP_IPC_LOCK") ? 0 : 5);
	}
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "a UMEM over RLIMIT_MEMLOCK without CAP_IPC_LOCK: child status %#x (3 setup, 4 no error, 5 wrong words)", st);
}

int main(void)
{
	lab_require_root("it_probes");
	lab_log_capture();
	l = lab_up(1);
	native_refused_on_lo();
	native_at_jumbo_mtu();
	sock_diag_and_stale();
	optional(XDPSOCK_F_BUSY_POLL, "busy polling (SO_PREFER_BUSY_POLL)", "busy poll", 9602);
	optional(XDPSOCK_F_MULTI_BUFFER, "multi-buffer AF_XDP (XDP_USE_SG)", "multi-buffer", 9603);
	hugepages();
	memlock();
	lab_down(l);
	printf("PASS it_probes (%d refusal%s by this kernel, fallbacks checked)\n", refusals, refusals == 1 ? "" : "s");
	return T_PASS;
}
