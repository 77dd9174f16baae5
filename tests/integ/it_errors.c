// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * Bad input and hostile surroundings, each with its errno and the words of xdpsock_errmsg():
 * no such ifindex, queue beyond the device's count, ring sizes, frame sizes, frame counts,
 * malformed opts, fast-path calls beyond what was reserved (ERANGE) or too long (EMSGSIZE),
 * missing capabilities (a forked child drops them with libcap), a queue bound by another socket
 * of ours, and someone else's XDP program on the interface (native and generic).  Then the
 * examples built on the library (xdpsock-echo, xdpsock-ping), run as programs: their usage
 * errors (exit 2) name the option and what it takes, and a failure one of their options chose
 * is said with that option, not with the library's field.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/capability.h>
#include <sys/wait.h>
#include <stdio.h>
#include <xdpsock/xdpsock.h>

#include "lab.h"

static struct lab *l;
static int ifb;

static void expect(int ret, int err, int want, const char *needle, const char *what)
{
	CHECK(ret == want, "%s: returned %d, expected %d (errmsg '%s')", what, ret, want, xdpsock_errmsg());
	CHECK(err == -want, "%s: errno %d, expected %d", what, err, -want);
	CHECK(strstr(xdpsock_errmsg(), needle), "%s: errmsg '%s' lacks '%s'", what, xdpsock_errmsg(), needle);
}

/* Run @call, then check its return, errno and that the errmsg contains @needle. */
#define EXPECT(call, want, needle)                                    \
	do {                                                          \
		int r_ = (call), e_ = errno;                          \
		expect(r_, e_, (want), (needle), #call);              \
	} while (0)

static struct xdpsock_opts opts(void)
{
	struct xdpsock_opts o = { .sz = sizeof(o) };

	return o;
}

static void no_such_interface(void)
{
	struct xdpsock_tx *tx = (void *)1;
	struct xdpsock_rx *rx = (void *)1;

	lab_enter(l, LAB_B);
	EXPECT(xdpsock_tx_create(&tx, 9999, 0, NULL), -ENODEV, "interface index 9999 does not exist");
	CHECK(tx == NULL, "a failed create must clear the handle");
	EXPECT(xdpsock_rx_create(&rx, 9999, 0, NULL), -ENODEV, "interface index 9999 does not exist");
	CHECK(rx == NULL, "a failed create must clear the handle");
	EXPECT(xdpsock_pair_create(&tx, &rx, 9999, 0, NULL), -ENODEV, "index 9999");
	EXPECT(xdpsock_rx_create(&rx, 0, 0, NULL), -ENODEV, "interface index 0 does not exist");
	EXPECT(xdpsock_tx_create(&tx, -5, 0, NULL), -ENODEV, "interface index -5 does not exist");
	EXPECT(xdpsock_tx_create(&tx, 9998, 0, NULL), -ENODEV, "in this network namespace");
	printf("ENODEV: %s\n", xdpsock_errmsg());
}

static void bad_queue(void)
{
	struct xdpsock_tx *tx;
	struct xdpsock_rx *rx;

	EXPECT(xdpsock_rx_create(&rx, lab_ifindex(l, LAB_B), 4, NULL), -EINVAL, "vb has 4 queues (0..3)");
	EXPECT(xdpsock_tx_create(&tx, lab_ifindex(l, LAB_A), 1000, NULL), -EINVAL, "queue 1000 is out of range");
	CHECK(strstr(xdpsock_errmsg(), "va has 4 queues"), "errmsg '%s'", xdpsock_errmsg());
	CHECK(!lab_xdp_attached(l, LAB_B), "a failed create left a program");
	printf("bad queue: %s\n", xdpsock_errmsg());
}

static void bad_opts(void)
{
	struct xdpsock_opts o;
	struct xdpsock_tx *tx;
	struct xdpsock_rx *rx;
	struct xdpsock_umem *um;
	struct {
		struct xdpsock_opts o;
		uint64_t future;
	} big;

	lab_enter(l, LAB_B);
	o = opts(), o.rx_size = 1000;
	EXPECT(xdpsock_rx_create(&rx, ifb, 0, &o), -EINVAL, "RX ring size 1000 is not a power of two");
	o = opts(), o.tx_size = 3000;
	EXPECT(xdpsock_tx_create(&tx, ifb, 0, &o), -EINVAL, "TX ring size 3000 is not a power of two");
	o = opts(), o.fill_size = 100;
	EXPECT(xdpsock_rx_create(&rx, ifb, 0, &o), -EINVAL, "fill ring size 100 is not a power of two");
	o = opts(), o.comp_size = 2047;
	EXPECT(xdpsock_tx_create(&tx, ifb, 0, &o), -EINVAL, "completion ring size 2047 is not a power of two");
	o = opts(), o.rx_size = 1u << 21;
	EXPECT(xdpsock_rx_create(&rx, ifb, 0, &o), -EINVAL, "up to 1048576");

	o = opts(), o.frame_size = 1024;
	EXPECT(xdpsock_rx_create(&rx, ifb, 0, &o), -EINVAL, "frame size 1024 is not supported: use 2048 or 4096");
	o = opts(), o.frame_size = 3000;
	EXPECT(xdpsock_tx_create(&tx, ifb, 0, &o), -EINVAL, "frame size 3000 is not supported");
	o = opts(), o.frame_size = 8192;
	EXPECT(xdpsock_umem_create(&um, &o), -EINVAL, "frame size 8192 is not supported");

	o = opts(), o.frame_count = 1024;
	EXPECT(xdpsock_rx_create(&rx, ifb, 0, &o), -EINVAL,
	       "frame count 1024 is too small for the rings: needs at least 2048 (fill ring)");
	o = opts(), o.frame_count = 3000;
	EXPECT(xdpsock_pair_create(&tx, &rx, ifb, 0, &o), -EINVAL, "needs at least 4096 (fill ring + TX ring)");
	o = opts(), o.frame_count = 100, o.tx_size = 128;
	EXPECT(xdpsock_tx_create(&tx, ifb, 0, &o), -EINVAL, "frame count 100 is too small for the rings: needs at least 128 (TX ring)");

	o = opts(), o.headroom = 1500;
	EXPECT(xdpsock_tx_create(&tx, ifb, 0, &o), -EINVAL, "headroom 1500");
	o = opts(), o.flags = 1u << 20;
	EXPECT(xdpsock_tx_create(&tx, ifb, 0, &o), -EINVAL, "unknown flags 0x100000");
	o = opts(), o.copy_mode = (enum xdpsock_copy_mode)7;
	EXPECT(xdpsock_tx_create(&tx, ifb, 0, &o), -EINVAL, "copy_mode 7");
	o = opts(), o.sz = 2;
	EXPECT(xdpsock_tx_create(&tx, ifb, 0, &o), -EINVAL, "set it to sizeof(struct xdpsock_opts)");
	memset(&big, 0, sizeof(big));
	big.o.sz = sizeof(big);
	big.future = 1;
	EXPECT(xdpsock_tx_create(&tx, ifb, 0, &big.o), -EOPNOTSUPP, "upgrade the library");
	big.future = 0;	/* zero in the unknown tail is fine */
	CHECK(xdpsock_tx_create(&tx, ifb, 0, &big.o) == 0, "larger opts with a zero tail: %s", xdpsock_errmsg());
	CHECK(xdpsock_errmsg()[0] == '\0', "errmsg not cleared by a success: '%s'", xdpsock_errmsg());
	xdpsock_tx_destroy(tx);

	EXPECT(xdpsock_tx_create(NULL, ifb, 0, NULL), -EINVAL, "tx is NULL");
	EXPECT(xdpsock_rx_create(NULL, ifb, 0, NULL), -EINVAL, "rx is NULL");
	EXPECT(xdpsock_pair_create(&tx, NULL, ifb, 0, NULL), -EINVAL, "must not be NULL");

	/* A shared UMEM without enough free frames for a second fill ring. */
	o = opts(), o.frame_count = 2048;
	CHECK(xdpsock_umem_create(&um, &o) == 0, "umem_create: %s", xdpsock_errmsg());
	o = opts(), o.umem = um;
	CHECK(xdpsock_rx_create(&rx, ifb, 0, &o) == 0, "rx on a shared UMEM: %s", xdpsock_errmsg());
	struct xdpsock_rx *rx2 = (void *)1;

	EXPECT(xdpsock_rx_create(&rx2, ifb, 1, &o), -EINVAL, "the shared UMEM has 0 free frames, fewer than the fill ring's 2048");
	CHECK(rx2 == NULL, "handle");
	EXPECT(xdpsock_rx_create(&rx2, ifb, 0, &o), -EINVAL, "the shared UMEM already has a socket on vb queue 0");
	struct xdpsock_umem *um2 = (void *)1;

	EXPECT(xdpsock_umem_create(&um2, &o), -EINVAL, "opts->umem must be NULL");
	CHECK(um2 == NULL, "a failed umem_create must clear the handle");
	xdpsock_rx_destroy(rx);
	xdpsock_umem_destroy(um);
	CHECK(!lab_xdp_attached(l, LAB_B), "program left on vb");
	printf("bad options: all refused with their words\n");
}

static void fast_path(void)
{
	struct xdpsock_opts o = opts();
	struct xdpsock_tx *tx;
	struct xdpsock_rx *rx;
	uint8_t buf[4096] = { 0 };
	uint32_t len;
	int k, err;

	err = xdpsock_rx_create(&rx, lab_ifindex(l, LAB_B), 0, NULL);
	CHECK(err == 0, "rx_create: %s", xdpsock_errmsg());
	o.headroom = 256;
	err = xdpsock_tx_create(&tx, lab_ifindex(l, LAB_A), 0, &o);
	CHECK(err == 0, "tx_create: %s", xdpsock_errmsg());

	/* TX: reserve 8, then go beyond them. */
	k = xdpsock_tx_seek_n(tx, 8);
	CHECK(k == 8, "seek_n(8) = %d", k);
	errno = 0;
	CHECK(!xdpsock_tx_peek_at(tx, 8, 100) && errno == ERANGE, "peek_at beyond the reservation: errno %d", errno);
	errno = 0;
	CHECK(!xdpsock_tx_peek_at(tx, 0, 0) && errno == EMSGSIZE, "peek_at with len 0: errno %d", errno);
	errno = 0;
	CHECK(!xdpsock_tx_peek_at(tx, 0, 2048 - 256 + 1) && errno == EMSGSIZE,
	      "len one above frame_size - headroom: errno %d", errno);
	CHECK(xdpsock_tx_peek_at(tx, 0, 2048 - 256), "len frame_size - headroom must fit: %s", strerror(errno));
	errno = 0;
	CHECK(xdpsock_tx_commit_n(tx, 9) == -ERANGE && errno == ERANGE, "commit_n(9) of 8 reserved: errno %d", errno);
	errno = 0;
	CHECK(xdpsock_tx_commit_n(tx, 2) == -EINVAL && errno == EINVAL, "commit of a never-peeked frame: errno %d",
	      errno);
	/* Nothing was committed by the refusals: the 8 are still ours. */
	CHECK(xdpsock_tx_seek_n(tx, 8) == 8, "reservation changed");
	for (int i = 0; i < 8; i++)
		CHECK(lab_udp_frame(l, LAB_A, xdpsock_tx_peek_at(tx, (uint32_t)i, 100), 100, (uint32_t)i, 9600) == 100,
		      "peek");
	CHECK(xdpsock_tx_commit_n(tx, 8) == 8, "commit_n(8)");
	CHECK(xdpsock_tx_kick(tx) >= 0, "kick");
	errno = 0;
	CHECK(xdpsock_tx_commit_n(tx, 1) == -ERANGE && errno == ERANGE, "commit_n(1) with nothing reserved");
	CHECK(xdpsock_tx_commit_n(tx, 0) == 0, "commit_n(0) is a no-op");

	/* TX len larger than the frame. */
	EXPECT(xdpsock_tx_send(tx, buf, 2048 - 256 + 1), -EMSGSIZE, "");
	EXPECT(xdpsock_tx_send(tx, buf, 4096), -EMSGSIZE, "");
	EXPECT(xdpsock_tx_send(tx, buf, 0), -EMSGSIZE, "");
	CHECK(strstr(xdpsock_strerror(EMSGSIZE), "larger than frame_size - headroom"), "strerror(EMSGSIZE)");
	CHECK(strstr(xdpsock_strerror(-ERANGE), "beyond the frames reserved"), "strerror(ERANGE)");
	errno = 0;
	CHECK(!xdpsock_tx_seek_and_peek(tx, 5000) && errno == EMSGSIZE, "seek_and_peek(5000): errno %d", errno);
	xdpsock_tx_commit_n(tx, 0);

	/* RX: nothing held yet, then one frame held. */
	errno = 0;
	CHECK(xdpsock_rx_commit_n(rx, 1) == -ERANGE && errno == ERANGE, "rx_commit_n with nothing held");
	CHECK(lab_rx_frames(rx, l, LAB_A, 0, 8, 100, 9600, 5000, NULL) == 8, "the 8 frames did not arrive");
	lab_tx_frames(tx, l, LAB_A, 100, 1, 100, 9600);
	for (int i = 0; i < 500 && xdpsock_rx_seek_n(rx, 1) < 1; i++)
		xdpsock_rx_wait(rx, 10);
	CHECK(xdpsock_rx_seek_n(rx, 1) == 1, "no frame to hold");
	errno = 0;
	CHECK(!xdpsock_rx_peek_at(rx, 1, &len) && errno == ERANGE, "rx_peek_at beyond the held frames");
	CHECK(xdpsock_rx_peek_at(rx, 0, &len) && len == 100, "rx_peek_at(0)");
	errno = 0;
	CHECK(xdpsock_rx_commit_n(rx, 2) == -ERANGE && errno == ERANGE, "rx_commit_n(2) with 1 held");
	CHECK(xdpsock_rx_commit_n(rx, 1) == 1, "rx_commit_n(1)");
	xdpsock_tx_destroy(tx);
	xdpsock_rx_destroy(rx);
	printf("fast path: ERANGE, EINVAL and EMSGSIZE where due\n");
}

/* In a child: drop every capability except @keep (0-terminated), then try to create. */
static int unprivileged_child(const cap_value_t *keep, int nkeep, int side, int want_rx, const char *needle)
{
	struct xdpsock_opts o = { .sz = sizeof(o), .frame_count = 512, .rx_size = 256, .tx_size = 256,
				  .fill_size = 256, .comp_size = 256, .hugepages = XDPSOCK_HUGEPAGES_OFF };
	struct xdpsock_tx *tx;
	struct xdpsock_rx *rx;
	int ifindex = lab_ifindex(l, side), st = -1;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	CHECK(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		cap_t caps = cap_init();	/* all clear */
		int err;

		if (!caps || cap_clear(caps) ||
		    (nkeep && (cap_set_flag(caps, CAP_EFFECTIVE, nkeep, keep, CAP_SET) ||
			       cap_set_flag(caps, CAP_PERMITTED, nkeep, keep, CAP_SET))) ||
		    cap_set_proc(caps)) {
			fprintf(stderr, "child: cannot drop capabilities: %s\n", strerror(errno));
			_exit(2);
		}
		cap_free(caps);
		err = want_rx ? xdpsock_rx_create(&rx, ifindex, 2, &o) : xdpsock_tx_create(&tx, ifindex, 2, &o);
		printf("  unprivileged %s (keeping %d caps): %d: %s\n", want_rx ? "rx" : "tx", nkeep, err,
		       xdpsock_errmsg());
		fflush(stdout);
		if (err != -EPERM)
			_exit(3);
		if (!strstr(xdpsock_errmsg(), needle))
			_exit(4);
		_exit(0);
	}
	CHECK(waitpid(pid, &st, 0) == pid, "waitpid");
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static void unprivileged(void)
{
	static const cap_value_t raw[] = { CAP_NET_RAW, CAP_IPC_LOCK };
	static const cap_value_t raw_bpf[] = { CAP_NET_RAW, CAP_IPC_LOCK, CAP_BPF, CAP_PERFMON };
	int rc;

	rc = unprivileged_child(NULL, 0, LAB_A, 0, "needs CAP_NET_RAW");
	CHECK(rc == 0, "TX without capabilities: child exit %d (3: not -EPERM, 4: errmsg without CAP_NET_RAW)", rc);
	rc = unprivileged_child(NULL, 0, LAB_B, 1, "needs CAP_NET_RAW");
	CHECK(rc == 0, "RX without capabilities: child exit %d", rc);
	/* The socket is allowed; the XDP program is not. */
	rc = unprivileged_child(raw, 2, LAB_B, 1, "needs CAP_BPF and CAP_NET_ADMIN");
	CHECK(rc == 0, "RX with CAP_NET_RAW only: child exit %d", rc);
	rc = unprivileged_child(raw_bpf, 4, LAB_B, 1, "CAP_NET_ADMIN");
	CHECK(rc == 0, "RX with CAP_NET_RAW and CAP_BPF but no CAP_NET_ADMIN: child exit %d", rc);
	CHECK(!lab_xdp_attached(l, LAB_B), "an unprivileged attempt left a program on vb");
	printf("unprivileged: -EPERM naming CAP_NET_RAW, then CAP_BPF/CAP_NET_ADMIN\n");
}

static void already_bound(void)
{
	struct xdpsock_rx *rx, *rx2;
	struct xdpsock_tx *tx;
	int err;

	err = xdpsock_rx_create(&rx, lab_ifindex(l, LAB_B), 1, NULL);
	CHECK(err == 0, "rx_create: %s", xdpsock_errmsg());
	EXPECT(xdpsock_rx_create(&rx2, ifb, 1, NULL), -EBUSY, "queue 1 of vb is already bound");
	EXPECT(xdpsock_tx_create(&tx, ifb, 1, NULL), -EBUSY, "already bound by another AF_XDP socket");
	CHECK(strstr(xdpsock_strerror(EBUSY), "already in use"), "strerror(EBUSY)");
	/* Our own program stays, and the first socket still works. */
	CHECK(lab_xdp_attached(l, LAB_B), "the failed create removed the program");
	xdpsock_rx_destroy(rx);
	CHECK(!lab_xdp_attached(l, LAB_B), "program left on vb");
	printf("already bound: %s\n", xdpsock_errmsg());
}

static void foreign_program(int generic)
{
	struct xdpsock_rx *rx;
	struct xdpsock_tx *tx;
	char name[32], id_s[32];
	uint32_t id;
	int fd, err;

	fd = lab_xdp_foreign(l, LAB_B, "foreign", generic, &id);
	snprintf(name, sizeof(name), "'foreign'");
	snprintf(id_s, sizeof(id_s), "id %u, %s mode", id, generic ? "generic" : "native");
	EXPECT(xdpsock_rx_create(&rx, lab_ifindex(l, LAB_B), 0, NULL), -EBUSY, name);
	CHECK(strstr(xdpsock_errmsg(), id_s), "errmsg '%s' lacks '%s'", xdpsock_errmsg(), id_s);
	printf("foreign program (%s): %s\n", generic ? "generic" : "native", xdpsock_errmsg());
	CHECK(lab_xdp_query(l, LAB_B, NULL) == id, "the foreign program was replaced");
	/* TX needs no program: unaffected. */
	err = xdpsock_tx_create(&tx, lab_ifindex(l, LAB_B), 0, NULL);
	CHECK(err == 0, "tx_create next to a foreign program: %s", xdpsock_errmsg());
	xdpsock_tx_destroy(tx);
	lab_xdp_foreign_remove(l, LAB_B, fd, generic);
	CHECK(!lab_xdp_attached(l, LAB_B), "foreign program not removed");
	err = xdpsock_rx_create(&rx, lab_ifindex(l, LAB_B), 0, NULL);
	CHECK(err == 0, "rx_create after the foreign program left: %s", xdpsock_errmsg());
	xdpsock_rx_destroy(rx);
	CHECK(!lab_xdp_attached(l, LAB_B), "program left on vb");
}

/* Run an example (@ns: inside that namespace, or NULL), both outputs into @out: its exit status. */
static int example(const char *ns, const char *args, char *out, size_t len)
{
	const char *build = getenv("XDPSOCK_BUILD") ? getenv("XDPSOCK_BUILD") : "build";
	char cmd[512];
	size_t n = 0;
	FILE *p;
	int st;

	snprintf(cmd, sizeof(cmd), "%s%s timeout 10 %s/bin/%s 2>&1", ns ? "ip netns exec " : "", ns ? ns : "", build, args);
	fflush(NULL);
	p = popen(cmd, "r");
	CHECK(p, "popen '%s': %s", cmd, strerror(errno));
	while (n + 1 < len && fgets(out + n, (int)(len - n), p))
		n += strlen(out + n);
	out[n] = '\0';
	st = pclose(p);
	printf("  $ %s\n    -> %d: %.*s\n", args, WIFEXITED(st) ? WEXITSTATUS(st) : -1, (int)strcspn(out, "\n"), out);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void examples(void)
{
	static const struct {
		const char *args;
		int status;
		const char *says;
	} usage[] = {
		{ "xdpsock-echo -c 0 lo", 2, "xdpsock-echo: -c takes 1 or more; omit it to run until stopped\n" },
		{ "xdpsock-echo --native --generic lo", 2, "xdpsock-echo: --native and --generic exclude each other: give one\n" },
		{ "xdpsock-echo --zerocopy --copy lo", 2, "xdpsock-echo: --zerocopy and --copy exclude each other: give one\n" },
		{ "xdpsock-echo -c many lo", 2,
		  "xdpsock-echo: invalid value 'many' for -c / --count: expected a number of frames, 1 or more\n" },
		{ "xdpsock-ping -S 9000 lo", 2,
		  "xdpsock-ping: invalid value '9000' for --size: expected 64 to 1500 bytes (Ethernet header included, FCS not)\n" },
		{ "xdpsock-ping --generic --native lo", 2, "xdpsock-ping: --generic and --native exclude each other: give one\n" },
		{ "xdpsock-ping --auto --zerocopy lo", 2, "xdpsock-ping: --auto and --zerocopy exclude each other: give one\n" },
	};
	char out[8192];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(usage) / sizeof(usage[0]); i++) {
		rc = example(NULL, usage[i].args, out, sizeof(out));
		CHECK(rc == usage[i].status, "'%s' exited %d, expected %d: %s", usage[i].args, rc, usage[i].status, out);
		CHECK(!strncmp(out, usage[i].says, strlen(usage[i].says)), "'%s' said '%s', expected '%s'", usage[i].args,
		      out, usage[i].says);
	}
	/* veth has no zero-copy: the refusal names the example's options, not copy_mode. */
	rc = example(l->ns[LAB_B], "xdpsock-echo --zerocopy vb", out, sizeof(out));
	CHECK(rc == 1, "xdpsock-echo --zerocopy vb exited %d: %s", rc, out);
	CHECK(strstr(out, "xdpsock-echo: cannot open vb queue 0: the driver cannot do zero-copy AF_XDP: use --auto "
			  "(zero-copy where it can, else copy) or --copy\n"),
	      "xdpsock-echo --zerocopy vb said '%s'", out);
	CHECK(!strstr(out, "copy_mode"), "a library field in '%s'", out);
	CHECK(!lab_xdp_attached(l, LAB_B), "xdpsock-echo --zerocopy left a program on vb");
	printf("examples: usage errors and the zero-copy refusal in their own words\n");
}

int main(void)
{
	lab_require_root("it_errors");
	lab_log_capture();
	l = lab_up(4);
	ifb = lab_ifindex(l, LAB_B);
	no_such_interface();
	bad_queue();
	bad_opts();
	fast_path();
	unprivileged();
	already_bound();
	foreign_program(0);
	foreign_program(1);
	examples();
	printf("PASS it_errors\n");
	return T_PASS;
}
