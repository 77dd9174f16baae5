// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * Nothing leaks: create/destroy cycles of TX, RX (native, generic, copy forced, caller-managed),
 * pairs, shared UMEMs (both destroy orders), sockets destroyed with frames in every state, and
 * creations that FAIL at each stage (bad queue, zero-copy refused, queue busy, foreign program,
 * shared UMEM out of frames).  After every step: no XDP program on either interface, and this
 * process has exactly the fds and mappings it had before.  (Heap leaks: the ASan build.)
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <xdpsock/xdpsock.h>

#include "lab.h"

static struct lab *l;
static int base_fds, base_maps;

static struct xdpsock_opts opts(enum xdpsock_copy_mode copy, enum xdpsock_attach_mode attach)
{
	struct xdpsock_opts o = { .sz = sizeof(o), .copy_mode = copy, .attach_mode = attach };

	return o;
}

static void check_clean(const char *step)
{
	int fds = proc_fd_count(), maps = proc_map_count();

	CHECK(!lab_xdp_attached(l, LAB_B), "%s: XDP program left on vb", step);
	CHECK(!lab_xdp_attached(l, LAB_A), "%s: XDP program left on va", step);
	CHECK(fds == base_fds, "%s: fd leak: %d -> %d", step, base_fds, fds);
	CHECK(maps == base_maps, "%s: mapping leak: %d -> %d", step, base_maps, maps);
}

static void ok(int err, const char *what)
{
	CHECK(err == 0, "%s: %d %s", what, err, xdpsock_errmsg());
}

static void tx_cycle(enum xdpsock_copy_mode copy, uint32_t q)
{
	struct xdpsock_opts o = opts(copy, XDPSOCK_ATTACH_AUTO);
	struct xdpsock_tx *tx;

	ok(xdpsock_tx_create(&tx, lab_ifindex(l, LAB_A), q, &o), "tx_create");
	xdpsock_tx_destroy(tx);
}

static void rx_cycle(enum xdpsock_attach_mode attach, enum xdpsock_copy_mode copy, uint32_t q)
{
	struct xdpsock_opts o = opts(copy, attach);
	struct xdpsock_rx *rx;

	ok(xdpsock_rx_create(&rx, lab_ifindex(l, LAB_B), q, &o), "rx_create");
	CHECK(attach == XDPSOCK_ATTACH_NONE || lab_xdp_attached(l, LAB_B), "no program while an RX socket lives");
	xdpsock_rx_destroy(rx);
}

static void pair_cycle(int tx_first)
{
	struct xdpsock_tx *tx;
	struct xdpsock_rx *rx;

	ok(xdpsock_pair_create(&tx, &rx, lab_ifindex(l, LAB_B), 1, NULL), "pair_create");
	if (tx_first) {
		xdpsock_tx_destroy(tx);
		CHECK(lab_xdp_attached(l, LAB_B), "the pair's RX half lost its program with the TX half");
		xdpsock_rx_destroy(rx);
	} else {
		xdpsock_rx_destroy(rx);
		xdpsock_tx_destroy(tx);
	}
}

static void shared_cycle(int umem_first)
{
	struct xdpsock_opts o = opts(XDPSOCK_COPY_AUTO, XDPSOCK_ATTACH_AUTO);
	struct xdpsock_umem *um;
	struct xdpsock_rx *r0, *r1;
	struct xdpsock_tx *t2;

	o.frame_count = 8192;
	ok(xdpsock_umem_create(&um, &o), "umem_create");
	o.umem = um;
	ok(xdpsock_rx_create(&r0, lab_ifindex(l, LAB_B), 0, &o), "rx q0 on the shared UMEM");
	ok(xdpsock_rx_create(&r1, lab_ifindex(l, LAB_B), 1, &o), "rx q1 on the shared UMEM");
	ok(xdpsock_tx_create(&t2, lab_ifindex(l, LAB_B), 2, &o), "tx q2 on the shared UMEM");
	if (umem_first) {
		xdpsock_umem_destroy(um);
		xdpsock_rx_destroy(r0);	/* the socket that registered the UMEM goes first */
		xdpsock_tx_destroy(t2);
		xdpsock_rx_destroy(r1);
	} else {
		xdpsock_tx_destroy(t2);
		xdpsock_rx_destroy(r1);
		xdpsock_rx_destroy(r0);
		xdpsock_umem_destroy(um);
	}
}

/* Destroy with frames everywhere: held by RX, in the RX ring, reserved by TX, on the TX ring. */
static void busy_cycle(void)
{
	struct xdpsock_tx *tx, *ptx;
	struct xdpsock_rx *rx, *prx;
	int i;

	ok(xdpsock_rx_create(&rx, lab_ifindex(l, LAB_B), 0, NULL), "rx_create");
	ok(xdpsock_pair_create(&ptx, &prx, lab_ifindex(l, LAB_B), 3, NULL), "pair_create");
	ok(xdpsock_tx_create(&tx, lab_ifindex(l, LAB_A), 0, NULL), "tx_create");
	lab_tx_frames(tx, l, LAB_A, 0, 100, 0, 9700);
	for (i = 0; i < 200 && xdpsock_rx_seek_n(rx, 100) < 100; i++)
		xdpsock_rx_wait(rx, 5);
	CHECK(xdpsock_rx_seek_n(rx, 40) == 40, "frames did not arrive");	/* 40 held, 60 in the ring */
	CHECK(xdpsock_tx_seek_n(tx, 10) == 10, "reserve");			/* 10 reserved */
	CHECK(xdpsock_tx_seek_n(ptx, 5) == 5, "reserve on the pair");
	for (i = 0; i < 5; i++)
		lab_udp_frame(l, LAB_B, xdpsock_tx_peek_at(ptx, (uint32_t)i, 64), 64, (uint32_t)i, 9701);
	CHECK(xdpsock_tx_commit_n(ptx, 5) == 5, "commit without kick: 5 on the TX ring");
	xdpsock_tx_destroy(tx);
	xdpsock_rx_destroy(rx);
	xdpsock_rx_destroy(prx);
	xdpsock_tx_destroy(ptx);
}

static void failed_creations(void)
{
	struct xdpsock_opts o;
	struct xdpsock_umem *um;
	struct xdpsock_tx *tx;
	struct xdpsock_rx *rx, *rx2;
	uint32_t id;
	int fd;

	/* Refused before anything is allocated. */
	CHECK(xdpsock_rx_create(&rx, lab_ifindex(l, LAB_B), 4, NULL) == -EINVAL, "bad queue");
	CHECK(xdpsock_tx_create(&tx, 9999, 0, NULL) == -ENODEV, "bad ifindex");
	o = opts(XDPSOCK_COPY_AUTO, XDPSOCK_ATTACH_AUTO), o.frame_count = 64;
	CHECK(xdpsock_pair_create(&tx, &rx, lab_ifindex(l, LAB_B), 0, &o) == -EINVAL, "frame count");
	check_clean("early refusals");

	/* Refused at bind: UMEM registered, rings mapped. */
	o = opts(XDPSOCK_COPY_ZEROCOPY, XDPSOCK_ATTACH_AUTO);
	CHECK(xdpsock_rx_create(&rx, lab_ifindex(l, LAB_B), 0, &o) == -EOPNOTSUPP, "zero-copy rx");
	CHECK(xdpsock_tx_create(&tx, lab_ifindex(l, LAB_A), 0, &o) == -EOPNOTSUPP, "zero-copy tx");
	CHECK(xdpsock_pair_create(&tx, &rx, lab_ifindex(l, LAB_B), 0, &o) == -EOPNOTSUPP, "zero-copy pair");
	check_clean("zero-copy refused");

	ok(xdpsock_rx_create(&rx, lab_ifindex(l, LAB_B), 0, NULL), "rx_create");
	CHECK(xdpsock_rx_create(&rx2, lab_ifindex(l, LAB_B), 0, NULL) == -EBUSY, "queue busy: rx");
	CHECK(xdpsock_tx_create(&tx, lab_ifindex(l, LAB_B), 0, NULL) == -EBUSY, "queue busy: tx");
	CHECK(xdpsock_pair_create(&tx, &rx2, lab_ifindex(l, LAB_B), 0, NULL) == -EBUSY, "queue busy: pair");
	xdpsock_rx_destroy(rx);
	check_clean("queue busy");

	/* Refused after bind: someone else's program. */
	fd = lab_xdp_foreign(l, LAB_B, "foreign", 0, &id);
	CHECK(xdpsock_rx_create(&rx, lab_ifindex(l, LAB_B), 1, NULL) == -EBUSY, "foreign program");
	CHECK(xdpsock_pair_create(&tx, &rx, lab_ifindex(l, LAB_B), 2, NULL) == -EBUSY, "foreign program, pair");
	CHECK(lab_xdp_query(l, LAB_B, NULL) == id, "the foreign program was touched");
	lab_xdp_foreign_remove(l, LAB_B, fd, 0);
	check_clean("foreign program");

	/* Refused on a shared UMEM: not enough frames left for a second fill ring. */
	o = opts(XDPSOCK_COPY_AUTO, XDPSOCK_ATTACH_AUTO), o.frame_count = 2048;
	ok(xdpsock_umem_create(&um, &o), "umem_create");
	o.umem = um;
	ok(xdpsock_rx_create(&rx, lab_ifindex(l, LAB_B), 0, &o), "rx on the shared UMEM");
	CHECK(xdpsock_rx_create(&rx2, lab_ifindex(l, LAB_B), 1, &o) == -EINVAL, "second fill ring on a full UMEM");
	CHECK(xdpsock_rx_create(&rx2, lab_ifindex(l, LAB_B), 0, &o) == -EINVAL, "same queue twice on one UMEM");
	xdpsock_umem_destroy(um);
	xdpsock_rx_destroy(rx);
	check_clean("shared UMEM refusals");
}

static void round_(int r)
{
	char step[64];

	/* lab_ifindex() enters the side: sockets on vb are created from B, on va from A. */
	snprintf(step, sizeof(step), "round %d: tx", r);
	tx_cycle(XDPSOCK_COPY_AUTO, 0);
	tx_cycle(XDPSOCK_COPY_FORCE, 3);
	check_clean(step);
	rx_cycle(XDPSOCK_ATTACH_AUTO, XDPSOCK_COPY_AUTO, 0);
	rx_cycle(XDPSOCK_ATTACH_NATIVE, XDPSOCK_COPY_FORCE, 1);
	rx_cycle(XDPSOCK_ATTACH_GENERIC, XDPSOCK_COPY_AUTO, 2);
	rx_cycle(XDPSOCK_ATTACH_NONE, XDPSOCK_COPY_AUTO, 3);
	snprintf(step, sizeof(step), "round %d: rx", r);
	check_clean(step);
	pair_cycle(0);
	pair_cycle(1);
	snprintf(step, sizeof(step), "round %d: pair", r);
	check_clean(step);
	shared_cycle(0);
	shared_cycle(1);
	snprintf(step, sizeof(step), "round %d: shared UMEM", r);
	check_clean(step);
	busy_cycle();
	snprintf(step, sizeof(step), "round %d: destroy with frames in flight", r);
	check_clean(step);
	failed_creations();
}

int main(void)
{
	double t0;

	lab_require_root("it_leaks");
	lab_log_capture();
	l = lab_up(4);

	/* Strict from the first round on: no warm-up allowance (ASan's allocator: see proc_map_count). */
	base_fds = proc_fd_count();
	base_maps = proc_map_count();
	printf("baseline: %d fds, %d mappings\n", base_fds, base_maps);
	t0 = lab_now();
	for (int r = 1; r <= 3; r++)
		round_(r);
	printf("PASS it_leaks: 3 rounds in %.1f s, still %d fds and %d mappings, no program attached\n",
	       lab_now() - t0, proc_fd_count(), proc_map_count());
	return T_PASS;
}
