// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * Multi-buffer (XDPSOCK_F_MULTI_BUFFER) against the in-memory kernel double, the census checked
 * after every step:
 *
 *   RX  - packets of 1..6 frames in every position: seek_n returns whole packets only,
 *         pkt_at/copy_pkt give each packet's frames and bytes, peek_at stays per frame;
 *       - a packet longer than seek's n: the packets before it, or -EMSGSIZE when it is first;
 *       - a packet whose last descriptor has not been published is held back, then delivered;
 *       - commit_n refuses to cut a packet (-EINVAL), releasing nothing;
 *       - a packet longer than rx_max_segs (ending, or never ending) is dropped whole once it
 *         reaches the head, counted once in rx_too_long; the packets after it arrive;
 *       - a bad descriptor inside a packet: pkt_at/copy_pkt say EBADMSG, commit as usual;
 *   TX  - set_more chains frames; commit_n refuses a commit that ends inside a packet (-EINVAL)
 *         and a packet over tx_max_segs (-E2BIG); tx_send cuts a jumbo packet across frames,
 *         and says EMSGSIZE with the fix on a single-buffer socket;
 *   fwd - whole packets move, oversize counted once per packet, a packet that does not fit in the
 *         TX ring waits whole, n inside a packet is refused;
 *   all - a long random sequence across the 2^32 index wrap, packets byte for byte, in order.
 */
#include <unistd.h>

#include "kdouble.h"

#define FRAMES 256u
#define RING 64u

static struct kd the_kd;

static int setup_flags(void **state, uint32_t frame_size, uint32_t headroom, uint32_t start, uint32_t flags)
{
	struct xdpsock_opts o = kd_opts(frame_size, FRAMES, RING, headroom);

	o.flags = flags;
	if (kd_init(&the_kd, &o, start, 5))
		return -1;
	*state = &the_kd;
	return 0;
}

/* 2048-byte frames: 1792 bytes of packet per RX frame in copy mode. */
static int setup(void **state)
{
	return setup_flags(state, 2048, 0, 0, XDPSOCK_F_MULTI_BUFFER);
}

/* 4096-byte frames with 256 bytes of headroom, ring indices just below 2^32. */
static int setup_wrap(void **state)
{
	return setup_flags(state, 4096, 256, UINT32_MAX - 9, XDPSOCK_F_MULTI_BUFFER);
}

static int setup_single(void **state)
{
	return setup_flags(state, 2048, 0, 0, 0);
}

static int teardown(void **state)
{
	kd_fini(*state);
	return 0;
}

/* Bytes of packet data in one RX frame (the kernel's copy mode: XDP_PACKET_HEADROOM first). */
static uint32_t seg(const struct kd *kd)
{
	return kd->max_len - 256;
}

static uint32_t rx_max(struct kd *kd)
{
	struct xdpsock_mode m;

	assert_int_equal(xdpsock_rx_mode(kd->rx, &m), 0);
	return m.rx_max_segs;
}

static uint64_t too_long(struct kd *kd)
{
	struct xdpsock_stats st;

	assert_int_equal(xdpsock_rx_stats(kd->rx, &st), 0);
	return st.rx_too_long;
}

/* Walk the packet at held frame @i: @segs frames, @len bytes, packet @id, every way the API offers. */
static void expect_pkt(struct kd *kd, uint32_t i, uint32_t segs, uint32_t len, uint32_t id)
{
	uint32_t s = 0, l = 0, j, sum = 0, flen = 0;
	uint8_t *buf = malloc(len + 1);

	assert_non_null(buf);
	assert_int_equal(xdpsock_rx_pkt_at(kd->rx, i, &s, &l), 0);
	assert_int_equal(s, segs);
	assert_int_equal(l, len);
	assert_int_equal(xdpsock_rx_copy_pkt(kd->rx, i, buf, len + 1), (int)len);
	assert_true(kd_pkt_ok(buf, len, id));
	/* Too small a buffer: nothing copied, EMSGSIZE. */
	errno = 0;
	assert_int_equal(xdpsock_rx_copy_pkt(kd->rx, i, buf, len - 1), -EMSGSIZE);
	assert_int_equal(errno, EMSGSIZE);
	for (j = 0; j < segs; j++) {
		const uint8_t *p = xdpsock_rx_peek_at(kd->rx, i + j, &flen);

		assert_non_null(p);
		assert_memory_equal(p, buf + sum, flen);
		sum += flen;
		assert_int_equal(xdpsock_rx_more_at(kd->rx, i + j), j + 1 < segs);
		/* Frames inside a packet are not packets of their own. */
		if (j) {
			errno = 0;
			assert_int_equal(xdpsock_rx_pkt_at(kd->rx, i + j, NULL, NULL), -EINVAL);
			assert_int_equal(errno, EINVAL);
		}
	}
	assert_int_equal(sum, len);
	free(buf);
}

/* The frames of @segs descriptors just released leave rxq. */
static void pop_rxq(struct kd *kd, uint32_t segs)
{
	while (segs--)
		kd_pop(&kd->rxq);
}

static void test_mode(void **state)
{
	struct kd *kd = *state;
	struct xdpsock_mode m;
	long page = sysconf(_SC_PAGESIZE);
	uint32_t want = (uint32_t)((18 * page + seg(kd) - 1) / seg(kd));

	assert_int_equal(xdpsock_rx_mode(kd->rx, &m), 0);
	assert_true(m.multi_buffer);
	assert_int_equal(m.tx_max_segs, 18);	/* the double probes no kernel: the least any kernel takes */
	/* The largest packet XDP carries (a page and 17 fragments) in frames of seg bytes. */
	assert_int_equal(m.rx_max_segs, want < RING ? want : RING);
	assert_int_equal(xdpsock_tx_mode(kd->tx, &m), 0);
	assert_int_equal(m.tx_max_segs, 18);
}

static void test_mode_single(void **state)
{
	struct kd *kd = *state;
	struct xdpsock_mode m;

	assert_int_equal(xdpsock_rx_mode(kd->rx, &m), 0);
	assert_false(m.multi_buffer);
	assert_int_equal(m.rx_max_segs, 0);
	assert_int_equal(m.tx_max_segs, 0);
}

/* Packets of 1, 2, 6, 1, 2 frames back to back: one seek returns them all, each walks whole. */
static void test_rx_positions(void **state)
{
	struct kd *kd = *state;
	const uint32_t S = seg(kd), lens[5] = { 60, S + 1000, 5 * S + 54, S, S + 1 }, segs[5] = { 1, 2, 6, 1, 2 };
	uint32_t ids[5], i, at = 0;
	struct xdpsock_stats st;

	assert_int_equal(kd_consume_fill(kd, 12), 12);
	for (i = 0; i < 5; i++) {
		assert_int_equal(kd_rx_pkt(kd, lens[i], S, 0, &ids[i]), segs[i]);
		kd_check(kd);
	}
	assert_int_equal(xdpsock_rx_seek_n(kd->rx, 64), 12);
	kd_check(kd);
	for (i = 0; i < 5; i++) {
		expect_pkt(kd, at, segs[i], lens[i], ids[i]);
		at += segs[i];
	}
	errno = 0;
	assert_int_equal(xdpsock_rx_pkt_at(kd->rx, 12, NULL, NULL), -ERANGE);
	assert_int_equal(errno, ERANGE);
	assert_int_equal(xdpsock_rx_copy_pkt(kd->rx, 12, NULL, 0), -ERANGE);
	/* Release packet by packet. */
	at = 0;
	for (i = 0; i < 5; i++) {
		assert_int_equal(xdpsock_rx_commit_n(kd->rx, segs[i]), (int)segs[i]);
		pop_rxq(kd, segs[i]);
		kd_check(kd);
		if (i < 4)
			expect_pkt(kd, 0, segs[i + 1], lens[i + 1], ids[i + 1]);
	}
	assert_int_equal(xdpsock_rx_stats(kd->rx, &st), 0);
	assert_int_equal(st.rx_frames, 12);	/* every descriptor counts */
	assert_int_equal(st.rx_too_long, 0);
}

/* seek_n(n) returns the whole packets that fit in n; -EMSGSIZE when the first does not. */
static void test_rx_seek_cuts_at_packets(void **state)
{
	struct kd *kd = *state;
	const uint32_t S = seg(kd);
	uint32_t id[3];

	assert_int_equal(kd_consume_fill(kd, 7), 7);
	assert_int_equal(kd_rx_pkt(kd, 2 * S, S, 0, &id[0]), 2);
	assert_int_equal(kd_rx_pkt(kd, 3 * S, S, 0, &id[1]), 3);
	assert_int_equal(kd_rx_pkt(kd, S + 7, S, 0, &id[2]), 2);

	/* The first packet alone is longer than 1: an error that says so, nothing held. */
	errno = 0;
	assert_int_equal(xdpsock_rx_seek_n(kd->rx, 1), -EMSGSIZE);
	assert_int_equal(errno, EMSGSIZE);
	errno = 0;
	assert_null(xdpsock_rx_peek_at(kd->rx, 0, NULL));
	assert_int_equal(errno, ERANGE);
	kd_check(kd);

	assert_int_equal(xdpsock_rx_seek_n(kd->rx, 4), 2);	/* 2 + 3 > 4 */
	assert_int_equal(xdpsock_rx_seek_n(kd->rx, 1), -EMSGSIZE);	/* held 2, but 1 cuts the packet */
	assert_int_equal(xdpsock_rx_seek_n(kd->rx, 2), 2);
	assert_int_equal(xdpsock_rx_seek_n(kd->rx, 6), 5);
	assert_int_equal(xdpsock_rx_seek_n(kd->rx, 4), 2);	/* still holds 5; 4 ends no packet past 2 */
	assert_int_equal(xdpsock_rx_seek_n(kd->rx, 64), 7);
	assert_int_equal(xdpsock_rx_seek_n(kd->rx, 0), 0);
	kd_check(kd);
	expect_pkt(kd, 0, 2, 2 * S, id[0]);
	expect_pkt(kd, 2, 3, 3 * S, id[1]);
	expect_pkt(kd, 5, 2, S + 7, id[2]);
	assert_int_equal(xdpsock_rx_commit_n(kd->rx, 7), 7);
	pop_rxq(kd, 7);
	kd_check(kd);
}

/* A packet whose end has not been published stays in the ring until it is; the census counts it there. */
static void test_rx_holds_back_incomplete(void **state)
{
	struct kd *kd = *state;
	const uint32_t S = seg(kd);
	struct xdpsock_stats st;
	uint32_t a, b;

	assert_int_equal(kd_consume_fill(kd, 4), 4);
	assert_int_equal(kd_rx_pkt(kd, 100, S, 0, &a), 1);
	assert_int_equal(kd_rx_pkt_held(kd, 2 * S + 9, S, 0, 1, &b), 3);	/* 2 of 3 published */
	assert_int_equal(xdpsock_rx_seek_n(kd->rx, 64), 1);
	kd_check(kd);
	assert_int_equal(xdpsock_rx_stats(kd->rx, &st), 0);
	assert_int_equal(st.frames.user, 1);
	assert_int_equal(st.frames.rx, 2);	/* seen by no seek: still the RX ring's */
	expect_pkt(kd, 0, 1, 100, a);
	errno = 0;
	assert_null(xdpsock_rx_peek_at(kd->rx, 1, NULL));
	assert_int_equal(errno, ERANGE);
	assert_int_equal(xdpsock_rx_commit_n(kd->rx, 1), 1);
	pop_rxq(kd, 1);
	kd_check(kd);
	assert_int_equal(xdpsock_rx_seek_n(kd->rx, 64), 0);
	assert_int_equal(xdpsock_rx_seek_n(kd->rx, 1), 0);	/* not EMSGSIZE: it is not whole yet */
	kd_check(kd);
	kd_rx_publish(kd);
	kd_check(kd);
	assert_int_equal(xdpsock_rx_seek_n(kd->rx, 64), 3);
	expect_pkt(kd, 0, 3, 2 * S + 9, b);
	assert_int_equal(xdpsock_rx_commit_n(kd->rx, 3), 3);
	pop_rxq(kd, 3);
	kd_check(kd);
	assert_int_equal(too_long(kd), 0);
}

/* commit_n never releases part of a packet: -EINVAL, and nothing moves. */
static void test_rx_commit_refuses_split(void **state)
{
	struct kd *kd = *state;
	const uint32_t S = seg(kd);
	struct xdpsock_stats st;
	uint32_t a, b, cons0;

	assert_int_equal(kd_consume_fill(kd, 4), 4);
	assert_int_equal(kd_rx_pkt(kd, 64, S, 0, &a), 1);
	assert_int_equal(kd_rx_pkt(kd, 3 * S, S, 0, &b), 3);
	assert_int_equal(xdpsock_rx_seek_n(kd->rx, 64), 4);
	cons0 = *kd->k.rx.consumer;
	for (uint32_t n = 2; n <= 3; n++) {
		errno = 0;
		assert_int_equal(xdpsock_rx_commit_n(kd->rx, n), -EINVAL);
		assert_int_equal(errno, EINVAL);
		assert_int_equal(*kd->k.rx.consumer, cons0);
		kd_check(kd);
	}
	assert_int_equal(xdpsock_rx_commit_n(kd->rx, 5), -ERANGE);
	assert_int_equal(xdpsock_rx_stats(kd->rx, &st), 0);
	assert_int_equal(st.frames.user, 4);
	assert_int_equal(st.rx_frames, 0);
	assert_int_equal(xdpsock_rx_commit_n(kd->rx, 1), 1);
	pop_rxq(kd, 1);
	expect_pkt(kd, 0, 3, 3 * S, b);
	assert_int_equal(xdpsock_rx_commit_n(kd->rx, 3), 3);
	pop_rxq(kd, 3);
	kd_check(kd);
}

/* A packet longer than rx_max_segs waits behind the packets before it, then goes whole, counted once. */
static void test_rx_too_long_dropped_whole(void **state)
{
	struct kd *kd = *state;
	const uint32_t S = seg(kd), max = rx_max(kd), xsegs = max + 3;
	struct xdpsock_stats st;
	uint32_t a, x, b, cons0;

	assert_true(max + 6 <= RING);
	assert_int_equal(kd_consume_fill(kd, RING), RING);
	assert_int_equal(kd_rx_pkt(kd, 100, S, 0, &a), 1);
	assert_int_equal(kd_rx_pkt(kd, xsegs * S, S, 0, &x), xsegs);
	assert_int_equal(kd_rx_pkt(kd, S + 1, S, 0, &b), 2);
	assert_int_equal(xdpsock_rx_seek_n(kd->rx, 64), 1);
	assert_int_equal(too_long(kd), 0);	/* not at the head yet */
	kd_check(kd);
	expect_pkt(kd, 0, 1, 100, a);
	assert_int_equal(xdpsock_rx_commit_n(kd->rx, 1), 1);
	pop_rxq(kd, 1);
	cons0 = *kd->k.rx.consumer;
	assert_int_equal(xdpsock_rx_seek_n(kd->rx, 64), 2);
	pop_rxq(kd, xsegs);
	assert_int_equal(too_long(kd), 1);
	/* Its slots went back to the kernel, its frames to the fill ring (kd_check finds each one). */
	assert_int_equal(*kd->k.rx.consumer, cons0 + xsegs);
	kd_check(kd);
	expect_pkt(kd, 0, 2, S + 1, b);
	assert_int_equal(xdpsock_rx_commit_n(kd->rx, 2), 2);
	pop_rxq(kd, 2);
	assert_int_equal(xdpsock_rx_stats(kd->rx, &st), 0);
	assert_int_equal(st.rx_frames, 3);	/* the dropped ones were not released by commit */
	kd_check(kd);
}

/*
 * A packet whose last descriptor never comes: held back (counted in the RX ring) while it might
 * still end; once more continued descriptors make it longer than rx_max_segs, it is dropped at the
 * head, counted once, and the rest of it skipped as it arrives, up to the descriptor that ends it.
 * The packet after that arrives whole.
 */
static void test_rx_never_ending(void **state)
{
	struct kd *kd = *state;
	const uint32_t S = seg(kd), max = rx_max(kd);
	struct xdpsock_stats st;
	uint32_t x, y, c, d;

	assert_int_equal(kd_consume_fill(kd, RING), RING);
	assert_int_equal(kd_rx_pkt(kd, 10 * S, S, 5, &x), 5);	/* 5 descriptors, all continued */
	assert_int_equal(xdpsock_rx_seek_n(kd->rx, 64), 0);
	assert_int_equal(xdpsock_rx_stats(kd->rx, &st), 0);
	assert_int_equal(st.frames.rx, 5);
	kd_check(kd);
	/* More continued descriptors: now max + 2 without an end. */
	assert_int_equal(kd_rx_pkt(kd, max * S, S, max - 3, &y), max - 3);
	assert_int_equal(xdpsock_rx_seek_n(kd->rx, 64), 0);
	pop_rxq(kd, max + 2);
	assert_int_equal(too_long(kd), 1);
	kd_check(kd);
	/* The next packet's frames are still that packet's (its end comes with them): skipped. */
	assert_int_equal(kd_rx_pkt(kd, S + 5, S, 0, &c), 2);
	assert_int_equal(xdpsock_rx_seek_n(kd->rx, 64), 0);
	pop_rxq(kd, 2);
	kd_check(kd);
	/* After it, packets arrive whole again; the drop was counted once. */
	assert_int_equal(kd_rx_pkt(kd, 3 * S, S, 0, &d), 3);
	assert_int_equal(xdpsock_rx_seek_n(kd->rx, 64), 3);
	expect_pkt(kd, 0, 3, 3 * S, d);
	assert_int_equal(xdpsock_rx_commit_n(kd->rx, 3), 3);
	pop_rxq(kd, 3);
	assert_int_equal(too_long(kd), 1);
	kd_check(kd);
}

/* A bad descriptor inside a packet: the packet says EBADMSG but still tells its extent; commit it. */
static void test_rx_bad_descriptor_in_packet(void **state)
{
	struct kd *kd = *state;
	struct xdp_desc d[3];
	struct xdpsock_stats st;
	uint32_t segs = 0, len = 0;
	uint8_t buf[64];

	assert_int_equal(kd_consume_fill(kd, 2), 2);
	d[0] = (struct xdp_desc){ .addr = kd_pop(&kd->rxpool).addr + 256, .len = 10, .options = XDP_PKT_CONTD };
	d[1] = (struct xdp_desc){ .addr = kd->umem_size + 4096, .len = 10, .options = XDP_PKT_CONTD };
	d[2] = (struct xdp_desc){ .addr = kd_pop(&kd->rxpool).addr + 256, .len = 10, .options = 0 };
	assert_int_equal(kd_rx_put_descs(kd, d, 3), 3);
	assert_int_equal(xdpsock_rx_seek_n(kd->rx, 64), 3);
	errno = 0;
	assert_int_equal(xdpsock_rx_pkt_at(kd->rx, 0, &segs, &len), -EBADMSG);
	assert_int_equal(errno, EBADMSG);
	assert_int_equal(segs, 3);
	assert_int_equal(xdpsock_rx_copy_pkt(kd->rx, 0, buf, sizeof(buf)), -EBADMSG);
	assert_non_null(xdpsock_rx_peek_at(kd->rx, 0, NULL));
	assert_null(xdpsock_rx_peek_at(kd->rx, 1, NULL));
	assert_int_equal(xdpsock_rx_commit_n(kd->rx, 3), 3);
	assert_int_equal(xdpsock_rx_stats(kd->rx, &st), 0);
	assert_int_equal(st.rx_bad_descs, 1);
	kd_check(kd);
}

/* Fill @n reserved frames from @i with @len bytes of pattern @id each. */
static void tx_fill(struct kd *kd, uint32_t i, uint32_t n, uint32_t len, uint32_t id)
{
	for (uint32_t j = i; j < i + n; j++) {
		uint8_t *p = xdpsock_tx_peek_at(kd->tx, j, len);

		assert_non_null(p);
		kd_pattern_write(p, len, id + j);
	}
}

/* set_more chains frames into one packet; a commit that would end inside it is refused. */
static void test_tx_chain(void **state)
{
	struct kd *kd = *state;
	struct xdp_desc d[4];
	uint32_t prod0 = *kd->k.tx.producer;

	assert_int_equal(xdpsock_tx_seek_n(kd->tx, 3), 3);
	tx_fill(kd, 0, 2, kd->max_len, 100);
	tx_fill(kd, 2, 1, 99, 100);
	assert_int_equal(xdpsock_tx_set_more(kd->tx, 0, 1), 0);
	assert_int_equal(xdpsock_tx_set_more(kd->tx, 1, 1), 0);
	assert_int_equal(xdpsock_tx_set_more(kd->tx, 3, 1), -ERANGE);
	for (uint32_t n = 1; n <= 2; n++) {
		errno = 0;
		assert_int_equal(xdpsock_tx_commit_n(kd->tx, n), -EINVAL);
		assert_int_equal(errno, EINVAL);
		assert_int_equal(*kd->k.tx.producer, prod0);	/* never a partial packet on the ring */
		kd_check(kd);
	}
	assert_int_equal(xdpsock_tx_commit_n(kd->tx, 3), 3);
	kd_check(kd);
	assert_int_equal(kd_consume_tx(kd, 4, d), 3);
	assert_int_equal(d[0].options, XDP_PKT_CONTD);
	assert_int_equal(d[1].options, XDP_PKT_CONTD);
	assert_int_equal(d[2].options, 0);
	assert_int_equal(d[2].len, 99);
	assert_true(kd_pattern_ok(kd->k.area + d[1].addr, d[1].len, 101));
	/* set_more(i, 0) ends a packet again; seek leaves every frame ending one. */
	assert_int_equal(xdpsock_tx_seek_n(kd->tx, 2), 2);
	tx_fill(kd, 0, 2, 60, 200);
	assert_int_equal(xdpsock_tx_set_more(kd->tx, 0, 1), 0);
	assert_int_equal(xdpsock_tx_set_more(kd->tx, 0, 0), 0);
	assert_int_equal(xdpsock_tx_commit_n(kd->tx, 1), 1);
	assert_int_equal(xdpsock_tx_commit_n(kd->tx, 1), 1);
	assert_int_equal(kd_consume_tx(kd, 4, d), 2);
	assert_int_equal(d[0].options | d[1].options, 0);
	assert_int_equal(kd_complete(kd, 8), 5);
	kd_check(kd);
}

/* A packet of more frames than tx_max_segs is refused (-E2BIG); exactly tx_max_segs goes. */
static void test_tx_segment_limit(void **state)
{
	struct kd *kd = *state;
	struct xdp_desc d[20];
	uint32_t i;

	assert_int_equal(xdpsock_tx_seek_n(kd->tx, 19), 19);
	tx_fill(kd, 0, 19, 64, 300);
	for (i = 0; i < 18; i++)
		assert_int_equal(xdpsock_tx_set_more(kd->tx, i, 1), 0);
	errno = 0;
	assert_int_equal(xdpsock_tx_commit_n(kd->tx, 19), -E2BIG);
	assert_int_equal(errno, E2BIG);
	assert_int_equal(kd_tx_avail(kd), 0);
	kd_check(kd);
	/* 18 frames, then 1. */
	assert_int_equal(xdpsock_tx_set_more(kd->tx, 17, 0), 0);
	assert_int_equal(xdpsock_tx_commit_n(kd->tx, 19), 19);
	assert_int_equal(kd_consume_tx(kd, 20, d), 19);
	for (i = 0; i < 19; i++)
		assert_int_equal(d[i].options, i < 17 ? XDP_PKT_CONTD : 0);
	assert_int_equal(kd_complete(kd, 19), 19);
	kd_check(kd);
}

/* xdpsock_tx_send() of a jumbo packet: cut across frames, one packet on the ring, byte for byte. */
static void test_tx_send_splits(void **state)
{
	struct kd *kd = *state;
	const uint32_t len = 9000, F = kd->max_len;
	uint8_t *pkt = malloc(18 * F + 1), *back = malloc(len);
	struct xdp_desc d[20];
	uint32_t i, off = 0, n;

	assert_non_null(pkt);
	assert_non_null(back);
	kd_pattern_write(pkt, 18 * F + 1, 77);
	assert_int_equal(xdpsock_tx_send(kd->tx, pkt, len), 0);
	n = kd_consume_tx(kd, 20, d);
	assert_int_equal(n, (len + F - 1) / F);
	for (i = 0; i < n; i++) {
		assert_int_equal(d[i].options, i + 1 < n ? XDP_PKT_CONTD : 0);
		memcpy(back + off, kd->k.area + d[i].addr, d[i].len);
		off += d[i].len;
	}
	assert_int_equal(off, len);
	assert_memory_equal(back, pkt, len);
	kd_check(kd);
	/* The most one packet may span, and one byte more. */
	assert_int_equal(xdpsock_tx_send(kd->tx, pkt, 18 * F), 0);
	assert_int_equal(kd_consume_tx(kd, 20, d), 18);
	assert_int_equal(xdpsock_tx_send(kd->tx, pkt, 18 * F + 1), -EMSGSIZE);
	assert_non_null(strstr(xdpsock_errmsg(), "needs 19 frames"));
	assert_int_equal(kd_tx_avail(kd), 0);
	assert_int_equal(kd_complete(kd, 40), n + 18);
	kd_check(kd);
	free(pkt);
	free(back);
}

/* Without XDPSOCK_F_MULTI_BUFFER: set_more is refused, tx_send says what to do. */
static void test_single_buffer_refusals(void **state)
{
	struct kd *kd = *state;
	uint8_t pkt[3000] = { 0 };

	assert_int_equal(xdpsock_tx_seek_n(kd->tx, 1), 1);
	errno = 0;
	assert_int_equal(xdpsock_tx_set_more(kd->tx, 0, 1), -EOPNOTSUPP);
	assert_int_equal(errno, EOPNOTSUPP);
	assert_int_equal(xdpsock_tx_send(kd->tx, pkt, sizeof(pkt)), -EMSGSIZE);
	assert_non_null(strstr(xdpsock_errmsg(), "XDPSOCK_F_MULTI_BUFFER"));
	kd_check(kd);
}

/* Forwarding: whole packets, oversize counted once per packet, n inside a packet refused. */
static void test_fwd_packets(void **state)
{
	struct kd *kd = *state;
	const uint32_t S = seg(kd);
	const uint32_t lens[4] = { 60, 5 * S + 54, S + 300, 2 * S + 1 }, segs[4] = { 1, 6, 2, 3 };
	struct xdpsock_stats st;
	struct xdp_desc want[12], d[16];
	uint32_t id, i, j, k = 0, at = 0, max_len = S + 400;

	assert_int_equal(kd_consume_fill(kd, 12), 12);
	for (i = 0; i < 4; i++)
		assert_int_equal(kd_rx_pkt(kd, lens[i], S, 0, &id), segs[i]);
	assert_int_equal(xdpsock_rx_seek_n(kd->rx, 64), 12);
	for (i = 0; i < 12; i++)
		want[i] = *xdpsock__desc(&kd->rx->q.rx, kd->rx->q.rx.cached_cons + i);
	errno = 0;
	assert_int_equal(xdpsock_fwd_n(kd->rx, kd->tx, 4, max_len), -EINVAL);	/* inside the 6-frame packet */
	assert_int_equal(errno, EINVAL);
	kd_check(kd);
	/* max_len S + 400: the 6- and 3-frame packets are too long, each counted once. */
	assert_int_equal(xdpsock_fwd_n(kd->rx, kd->tx, 12, max_len), 12);
	pop_rxq(kd, 12);
	assert_int_equal(xdpsock_rx_stats(kd->rx, &st), 0);
	assert_int_equal(st.rx_fwd_oversize, 2);
	assert_int_equal(st.rx_forwarded, 3);
	assert_int_equal(st.frames.tx, 3);
	kd_check(kd);
	/* The kernel sees the short packets' descriptors unchanged, continuation marks included. */
	assert_int_equal(kd_consume_tx(kd, 16, d), 3);
	for (i = 0, at = 0; i < 4; at += segs[i++]) {
		if (lens[i] > max_len)
			continue;
		for (j = 0; j < segs[i]; j++, k++) {
			assert_int_equal(d[k].addr, want[at + j].addr);
			assert_int_equal(d[k].len, want[at + j].len);
			assert_int_equal(d[k].options, want[at + j].options);
		}
	}
	assert_int_equal(k, 3);
	assert_int_equal(kd_complete(kd, 16), 3);
	kd_check(kd);
}

/* A packet that does not fit in the TX ring's free slots waits, whole, for the next call. */
static void test_fwd_waits_for_room(void **state)
{
	struct kd *kd = *state;
	const uint32_t S = seg(kd);
	struct xdp_desc d[RING];
	uint32_t id, i;

	/* The TX ring: RING - 3 frames the kernel has not taken yet. */
	assert_int_equal(xdpsock_tx_seek_n(kd->tx, RING - 3), (int)(RING - 3));
	tx_fill(kd, 0, RING - 3, 60, 1);
	assert_int_equal(xdpsock_tx_commit_n(kd->tx, RING - 3), (int)(RING - 3));
	assert_int_equal(kd_consume_fill(kd, 4), 4);
	assert_int_equal(kd_rx_pkt(kd, 2 * S, S, 0, &id), 2);
	assert_int_equal(kd_rx_pkt(kd, 2 * S, S, 0, &id), 2);
	assert_int_equal(xdpsock_rx_seek_n(kd->rx, 64), 4);
	assert_int_equal(xdpsock_fwd_n(kd->rx, kd->tx, 4, 9014), 2);	/* 3 slots: one packet */
	pop_rxq(kd, 2);
	assert_int_equal(kd->rx->q.nheld, 2);
	kd_check(kd);
	assert_int_equal(xdpsock_fwd_n(kd->rx, kd->tx, 2, 9014), 0);	/* 1 slot: still waits */
	kd_check(kd);
	assert_int_equal(kd_consume_tx(kd, RING, d), RING - 1);
	for (i = RING - 3; i < RING - 1; i++)
		assert_int_equal(d[i].options, i == RING - 3 ? XDP_PKT_CONTD : 0);
	assert_int_equal(xdpsock_fwd_n(kd->rx, kd->tx, 2, 9014), 2);
	pop_rxq(kd, 2);
	assert_int_equal(kd_consume_tx(kd, RING, d), 2);
	assert_int_equal(d[0].options, XDP_PKT_CONTD);
	assert_int_equal(kd_complete(kd, RING + 2), RING);	/* the completion ring holds RING */
	kd_check(kd);
}

/* Expected packets, in order, as the double produced them. */
struct exp {
	uint32_t id, len, segs;
};

/*
 * A long random sequence across the 2^32 wrap (setup_wrap): packets of 1..8 frames, some held
 * back for a while, seeks of random n, commits of random whole-packet prefixes; every packet
 * arrives once, in order, byte for byte; the census is checked after every step.
 */
static void test_random_wrap(void **state)
{
	struct kd *kd = *state;
	const uint32_t S = seg(kd);
	struct exp q[RING];
	uint32_t nq = 0, step, delivered = 0, emsgsize = 0;

	for (step = 0; step < 4000; step++) {
		uint32_t r = kd_below(kd, 8);

		if (r < 3 && !kd->rx_unpub) {
			/* The kernel: a packet of 1..8 frames, sometimes with its end still on its way. */
			uint32_t segs = 1 + kd_below(kd, 8), len = (segs - 1) * S + 1 + kd_below(kd, S), id, n;

			kd_consume_fill(kd, kd_below(kd, 16));
			n = kd_rx_pkt_held(kd, len, S, 0, kd_below(kd, 4) == 0 ? kd_below(kd, segs) : 0, &id);
			if (n) {
				assert_true(nq < RING);
				q[nq++] = (struct exp){ id, len, segs };
			}
		} else if (r == 3 && kd->rx_unpub) {
			kd_rx_publish(kd);
		} else {
			/* The user: seek some, walk what is held, release a whole-packet prefix. */
			uint32_t n = 1 + kd_below(kd, 24), i, k, rel = 0, relp = 0, p = 0;
			int got = xdpsock_rx_seek_n(kd->rx, n);

			if (got < 0) {
				/* Only when the first held or whole packet is longer than n. */
				assert_int_equal(got, -EMSGSIZE);
				assert_true(nq && q[0].segs > n);
				emsgsize++;
				kd_check(kd);
				continue;
			}
			assert_true((uint32_t)got <= n);
			for (i = 0; i < (uint32_t)got; i += q[p++].segs) {
				assert_true(p < nq);
				expect_pkt(kd, i, q[p].segs, q[p].len, q[p].id);
			}
			assert_int_equal(i, got);
			k = kd_below(kd, p + 1);	/* release the first k packets */
			for (i = 0; i < k; i++) {
				rel += q[i].segs;
				relp++;
			}
			assert_int_equal(xdpsock_rx_commit_n(kd->rx, rel), (int)rel);
			pop_rxq(kd, rel);
			memmove(q, q + relp, (nq - relp) * sizeof(q[0]));
			nq -= relp;
			delivered += relp;
		}
		kd_check(kd);
	}
	/* Everything still on its way arrives. */
	kd_rx_publish(kd);
	for (step = 0; nq && step < 100; step++) {
		int got = xdpsock_rx_seek_n(kd->rx, RING);
		uint32_t i, p = 0;

		assert_true(got > 0);
		for (i = 0; i < (uint32_t)got; i += q[p++].segs)
			expect_pkt(kd, i, q[p].segs, q[p].len, q[p].id);
		assert_int_equal(xdpsock_rx_commit_n(kd->rx, (uint32_t)got), got);
		pop_rxq(kd, (uint32_t)got);
		memmove(q, q + p, (nq - p) * sizeof(q[0]));
		nq -= p;
		delivered += p;
		kd_check(kd);
	}
	assert_int_equal(nq, 0);
	assert_int_equal(too_long(kd), 0);
	/* The indices went across 2^32, and both outcomes of seek were seen. */
	assert_true(kd->rx->q.rx.cached_cons < 1000000);
	assert_true(delivered > 500);
	assert_true(emsgsize > 0);
	print_message("delivered %u packets, %u EMSGSIZE\n", delivered, emsgsize);
}

/* Every socket of a UMEM is multi-buffer or none: the kernel takes it from the first. */
static void test_umem_agreement(void **state)
{
	struct xdpsock_umem *u;
	struct xdpsock_tx *tx;
	XDPSOCK_OPTS(o, .frame_count = 64, .tx_size = 32, .comp_size = 32);
	int err;

	(void)state;
	assert_int_equal(xdpsock_umem_create(&u, &o), 0);
	/* As if its first socket had registered it without XDPSOCK_F_MULTI_BUFFER. */
	u->fd = 1000;
	u->mb = false;
	o.umem = u;
	o.flags = XDPSOCK_F_MULTI_BUFFER;
	err = xdpsock_tx_create(&tx, 1 /* lo */, 0, &o);
	assert_int_equal(err, -EINVAL);
	assert_non_null(strstr(xdpsock_errmsg(), "created without XDPSOCK_F_MULTI_BUFFER"));
	assert_null(tx);
	u->fd = -1;
	xdpsock_umem_destroy(u);
}

#define T(f, s) cmocka_unit_test_setup_teardown(f, s, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_mode, setup),
		T(test_mode_single, setup_single),
		T(test_rx_positions, setup),
		T(test_rx_positions, setup_wrap),
		T(test_rx_seek_cuts_at_packets, setup),
		T(test_rx_seek_cuts_at_packets, setup_wrap),
		T(test_rx_holds_back_incomplete, setup),
		T(test_rx_holds_back_incomplete, setup_wrap),
		T(test_rx_commit_refuses_split, setup_wrap),
		T(test_rx_too_long_dropped_whole, setup),
		T(test_rx_too_long_dropped_whole, setup_wrap),
		T(test_rx_never_ending, setup),
		T(test_rx_never_ending, setup_wrap),
		T(test_rx_bad_descriptor_in_packet, setup),
		T(test_tx_chain, setup),
		T(test_tx_chain, setup_wrap),
		T(test_tx_segment_limit, setup_wrap),
		T(test_tx_send_splits, setup),
		T(test_single_buffer_refusals, setup_single),
		T(test_fwd_packets, setup),
		T(test_fwd_packets, setup_wrap),
		T(test_fwd_waits_for_room, setup_wrap),
		T(test_random_wrap, setup_wrap),
		cmocka_unit_test(test_umem_agreement),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
