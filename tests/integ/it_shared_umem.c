// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * One UMEM (xdpsock_umem_create) shared by RX sockets on queues 0 and 1 of a 4-queue vb and a TX
 * socket on vb queue 2: each RX socket receives exactly its own queue's frames (sent from va queues
 * 0 and 1), xdpsock_rx_mode() reports shared_umem for every socket but the one that registered it,
 * and the census of the UMEM adds up to frame_count at every step (exact, kernel == 0, when idle).
 * Destroyed in both orders (registering socket first, with the UMEM handle dropped early; and the
 * reverse), and a socket re-created on the UMEM after its registrant left; no fd, mapping or
 * program is left behind either way.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <xdpsock/xdpsock.h>

#include "lab.h"

#define FRAMES	8192u
#define N	300u

static struct lab *l;

/* Check the census of the UMEM (seen from @rx) and return it.  Idle: nothing in flight or in RX rings. */
static struct xdpsock_census census(struct xdpsock_rx *rx, const char *when, int idle, uint32_t fill, uint32_t user)
{
	struct xdpsock_stats st;
	const struct xdpsock_census *c = &st.frames;
	uint64_t sum;

	CHECK(xdpsock_rx_stats(rx, &st) == 0, "rx_stats: %s", xdpsock_errmsg());
	sum = (uint64_t)c->free + c->user + c->fill + c->rx + c->tx + c->comp + c->kernel;
	printf("  census %-44s total %u free %u user %u fill %u rx %u tx %u comp %u kernel %u\n", when, c->total,
	       c->free, c->user, c->fill, c->rx, c->tx, c->comp, c->kernel);
	CHECK(c->total == FRAMES && sum == FRAMES, "%s: census adds up to %llu of %u", when, (unsigned long long)sum,
	      c->total);
	if (idle) {
		/* Completions may wait in their ring until the library needs them: that is idle too. */
		CHECK(c->kernel == 0 && c->rx == 0 && c->tx == 0, "%s: idle census has frames in flight", when);
		CHECK(c->fill == fill && c->user == user, "%s: fill %u user %u, expected %u and %u", when, c->fill, c->user,
		      fill, user);
	}
	return *c;
}

static void send_from_va(uint32_t q, uint32_t first, uint32_t n, uint16_t dport)
{
	struct xdpsock_tx *tx;
	int err = xdpsock_tx_create(&tx, lab_ifindex(l, LAB_A), q, NULL);

	CHECK(err == 0, "tx_create va queue %u: %s", q, xdpsock_errmsg());
	lab_tx_frames(tx, l, LAB_A, first, n, 0, dport);
	xdpsock_tx_destroy(tx);
}

static void expect_only(struct xdpsock_rx *rx, uint32_t first, uint16_t dport, const char *what)
{
	uint32_t others = 0, got = lab_rx_frames(rx, l, LAB_A, first, N, 0, dport, 5000, &others);

	CHECK(got == N, "%s: received %u of %u", what, got, N);
	CHECK(lab_rx_frames(rx, l, LAB_A, first + N, 1, 0, dport, 50, &others) == 0, "%s: an extra frame", what);
	CHECK(others == 0, "%s: %u frames of another queue", what, others);
}

/*
 * The shared TX socket on vb queue 2 sends toward va; its completions return to the shared free list.
 * The frames carry a destination MAC that va does not have: va's stack drops them as meant for
 * another host, silently.  Addressed to va itself, they would draw ICMP port-unreachables back
 * onto vb's RX sockets (a burst of 6, the per-host limiter's), and the census would depend on
 * what the other stack chooses to send.
 */
static void shared_tx(struct xdpsock_tx *tx, struct xdpsock_rx *rx)
{
	static const uint8_t nobody[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0xee };
	uint8_t va_mac[6];
	struct xdpsock_stats st;

	memcpy(va_mac, l->mac[LAB_A], 6);
	memcpy(l->mac[LAB_A], nobody, 6);
	lab_tx_frames(tx, l, LAB_B, 0, 100, 0, 9950);
	memcpy(l->mac[LAB_A], va_mac, 6);
	lab_tx_settle(tx, 100, &st);
	census(rx, "after 100 frames from the shared TX socket", 0, 0, 0);
	CHECK(st.frames.fill == 4096 && st.frames.rx == 0 && st.frames.tx == 0 && st.frames.kernel == 0 &&
	      st.frames.free + st.frames.user + st.frames.comp == FRAMES - 4096,
	      "census after the shared TX: free %u user %u comp %u", st.frames.free, st.frames.user, st.frames.comp);
}

static void round_(int registrant_first)
{
	struct xdpsock_opts o = { .sz = sizeof(o), .frame_count = FRAMES };
	struct xdpsock_umem *um;
	struct xdpsock_rx *r0, *r1, *r2;
	struct xdpsock_tx *t2;
	struct xdpsock_mode m0, m1, mt;
	struct xdpsock_census c;
	int fds = proc_fd_count(), maps = proc_map_count(), err, k;

	printf("round: %s\n", registrant_first ? "registrant destroyed first, UMEM handle dropped early"
					       : "reverse order, UMEM handle dropped last");
	CHECK(xdpsock_umem_create(&um, &o) == 0, "umem_create: %s", xdpsock_errmsg());
	o.umem = um;
	err = xdpsock_rx_create(&r0, lab_ifindex(l, LAB_B), 0, &o);
	CHECK(err == 0, "rx q0 on the UMEM: %s", xdpsock_errmsg());
	census(r0, "one socket", 1, 2048, 0);
	err = xdpsock_rx_create(&r1, lab_ifindex(l, LAB_B), 1, &o);
	CHECK(err == 0, "rx q1 on the UMEM: %s", xdpsock_errmsg());
	err = xdpsock_tx_create(&t2, lab_ifindex(l, LAB_B), 2, &o);
	CHECK(err == 0, "tx q2 on the UMEM: %s", xdpsock_errmsg());
	if (registrant_first)
		xdpsock_umem_destroy(um);	/* allowed as soon as the last socket is created */
	CHECK(xdpsock_rx_mode(r0, &m0) == 0 && xdpsock_rx_mode(r1, &m1) == 0 && xdpsock_tx_mode(t2, &mt) == 0, "mode");
	CHECK(!m0.shared_umem && m1.shared_umem && mt.shared_umem, "shared_umem: q0 %d, q1 %d, tx %d", m0.shared_umem,
	      m1.shared_umem, mt.shared_umem);
	CHECK(m0.frame_count == FRAMES && m1.frame_count == FRAMES, "frame_count %u/%u", m0.frame_count, m1.frame_count);
	census(r0, "two RX sockets and a TX socket", 1, 4096, 0);
	census(r1, "the same, seen from the second socket", 1, 4096, 0);

	/* Both queues at once, each into its own socket. */
	send_from_va(1, 0, N, 9901);
	send_from_va(0, 0, N, 9900);
	census(r0, "frames waiting in both RX rings", 0, 0, 0);
	k = xdpsock_rx_seek_n(r0, 32);
	CHECK(k == 32, "seek_n(32) on q0: %d", k);
	census(r0, "32 frames held by the queue-0 socket", 0, 0, 0);
	expect_only(r0, 0, 9900, "queue 0");
	expect_only(r1, 0, 9901, "queue 1");
	census(r1, "all frames released", 1, 4096, 0);
	shared_tx(t2, r1);

	if (registrant_first) {
		/* The socket that registered the UMEM leaves; its frames return to the free list. */
		xdpsock_rx_destroy(r0);
		census(r1, "queue-0 socket (registrant) destroyed", 1, 2048, 0);
		send_from_va(1, N, N, 9901);
		expect_only(r1, N, 9901, "queue 1 after the registrant left");
		/* A new socket on queue 0 shares the UMEM through the remaining one. */
		err = xdpsock_rx_create(&r2, lab_ifindex(l, LAB_B), 0, &o);
		CHECK(err == 0, "rx q0 again on the UMEM: %s", xdpsock_errmsg());
		CHECK(xdpsock_rx_mode(r2, &m0) == 0 && m0.shared_umem, "the new socket is not on the shared UMEM");
		census(r2, "queue-0 socket re-created", 1, 4096, 0);
		send_from_va(0, N, N, 9900);
		expect_only(r2, N, 9900, "re-created queue 0");
		xdpsock_tx_destroy(t2);
		xdpsock_rx_destroy(r1);
		c = census(r2, "only the re-created socket left", 1, 2048, 0);
		CHECK(c.free == FRAMES - 2048 && c.comp == 0, "the destroyed sockets' frames did not all return: free %u",
		      c.free);
		xdpsock_rx_destroy(r2);
	} else {
		xdpsock_tx_destroy(t2);
		xdpsock_rx_destroy(r1);
		c = census(r0, "queue-1 and TX sockets destroyed", 1, 2048, 0);
		CHECK(c.free == FRAMES - 2048 && c.comp == 0, "the destroyed sockets' frames did not all return: free %u",
		      c.free);
		send_from_va(0, N, N, 9900);
		expect_only(r0, N, 9900, "queue 0 after queue 1 left");
		xdpsock_rx_destroy(r0);
		xdpsock_umem_destroy(um);
	}
	CHECK(!lab_xdp_attached(l, LAB_B), "program left on vb");
	CHECK(proc_fd_count() == fds, "fd leak: %d -> %d", fds, proc_fd_count());
	CHECK(proc_map_count() == maps, "mapping leak: %d -> %d", maps, proc_map_count());
}

int main(void)
{
	lab_require_root("it_shared_umem");
	lab_log_capture();
	l = lab_up(4);
	round_(1);
	round_(0);
	round_(1);
	printf("PASS it_shared_umem\n");
	return T_PASS;
}
