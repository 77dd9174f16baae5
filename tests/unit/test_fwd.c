// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * xdpsock_fwd_n() against the in-memory kernel double: frames received on the RX half of a
 * mock pair go out of the TX half of the same pair (one UMEM) without a copy.
 *
 *   - descriptors move unchanged (addr, len, bytes), in order, also at a copy-mode offset;
 *   - frames longer than max_len are dropped, counted (stats.rx_fwd_oversize) and recycled;
 *   - a full TX ring leaves the rest held, in order, for the next call;
 *   - what the TX side completed goes back into the RX side's fill ring;
 *   - -ERANGE (more than held), -EBUSY (a TX reservation), -EXDEV (two UMEMs) change nothing;
 *   - over a long random sequence across the 2^32 index wrap, the census stays exact and every
 *     received frame is either forwarded (byte for byte, in order) or counted as oversize.
 */
#include "kdouble.h"

#define FRAMES 64u
#define RING 16u

static int setup_common(void **state, uint32_t frame_size, uint32_t headroom, uint32_t start, uint64_t seed)
{
	static struct kd kd;
	struct xdpsock_opts o = kd_opts(frame_size, FRAMES, RING, headroom);

	if (kd_init(&kd, &o, start, seed))
		return -1;
	kd.check_tx = 1;	/* kd_consume_tx compares with kd.txq: addr, len, every byte, in order */
	*state = &kd;
	return 0;
}

/* 2048-byte frames, no headroom, indices from 0. */
static int setup(void **state)
{
	return setup_common(state, 2048, 0, 0, 11);
}

/* 4096-byte frames, 256 bytes of headroom, ring indices a few steps below 2^32. */
static int setup_wrap_headroom(void **state)
{
	return setup_common(state, 4096, 256, UINT32_MAX - 6, 12);
}

static int teardown(void **state)
{
	kd_fini(*state);
	return 0;
}

static uint32_t nheld(struct kd *kd)
{
	return kd->rx->q.nheld;
}

/* Pop the first @k packets of rxq (just taken by fwd_n): the ones within @max_len are expected on the TX ring. */
static void expect_fwd(struct kd *kd, uint32_t k, uint32_t max_len, uint64_t *fwd, uint64_t *over)
{
	for (uint32_t i = 0; i < k; i++) {
		struct kd_pkt p = kd_pop(&kd->rxq);

		if (p.len > max_len) {
			(*over)++;
		} else {
			kd_push(&kd->txq, p);
			(*fwd)++;
		}
	}
}

/* Fill-ring entries published since @prod0, in a caller's array (at most @max). */
static uint32_t fill_since(struct kd *kd, uint32_t prod0, uint64_t *v, uint32_t max)
{
	uint32_t p = *kd->k.fq.producer, n = 0;

	assert_true(p - prod0 <= RING);
	for (uint32_t i = prod0; i != p && n < max; i++)
		v[n++] = *xdpsock__addr(&kd->k.fq, i);
	return n;
}

static int has(const uint64_t *v, uint32_t n, uint64_t a)
{
	for (uint32_t i = 0; i < n; i++)
		if (v[i] == a)
			return 1;
	return 0;
}

/* In the free list or published on the fill ring but not yet taken by the kernel. */
static int recycled(struct kd *kd, uint64_t base)
{
	const struct xdpsock_frames *f = &kd->u->free;
	uint32_t n = *kd->k.fq.producer - kd->fq_cons;

	for (uint32_t i = 0; i < f->count; i++)
		if (f->addr[i] == base)
			return 1;
	for (uint32_t i = 0; i < n; i++)
		if (*xdpsock__addr(&kd->k.fq, kd->fq_cons + i) == base)
			return 1;
	return 0;
}

/* Descriptors move unchanged, in order; the RX consumer and TX producer are published; stats. */
static void test_fwd_moves_descriptors(void **state)
{
	struct kd *kd = *state;
	const uint32_t lens[5] = { 60, 1, 1500, 64, 1000 };
	struct xdp_desc d[8];
	struct kd_pkt pk[5];
	struct xdpsock_stats st;
	uint32_t i, rxc0 = *kd->k.rx.consumer, txp0 = *kd->k.tx.producer;
	uint64_t fwd = 0, over = 0;

	assert_int_equal(kd_consume_fill(kd, 5), 5);
	assert_int_equal(kd_produce_rx(kd, 5, lens), 5);
	for (i = 0; i < 5; i++)
		pk[i] = *kd_at(&kd->rxq, i);
	assert_int_equal(xdpsock_rx_seek_n(kd->rx, 8), 5);
	kd_check(kd);

	assert_int_equal(xdpsock_fwd_n(kd->rx, kd->tx, 5, 1514), 5);
	expect_fwd(kd, 5, 1514, &fwd, &over);
	assert_int_equal(fwd, 5);
	assert_int_equal(nheld(kd), 0);
	/* Both indices published: the kernel sees 5 TX descriptors and 5 free RX slots. */
	assert_int_equal(*kd->k.tx.producer, txp0 + 5);
	assert_int_equal(*kd->k.rx.consumer, rxc0 + 5);
	assert_int_equal(kd_tx_avail(kd), 5);
	/* Nothing more to peek. */
	errno = 0;
	assert_null(xdpsock_rx_peek_at(kd->rx, 0, NULL));
	assert_int_equal(errno, ERANGE);
	assert_int_equal(xdpsock_rx_stats(kd->rx, &st), 0);
	assert_int_equal(st.rx_forwarded, 5);
	assert_int_equal(st.rx_fwd_oversize, 0);
	assert_int_equal(st.rx_frames, 0);	/* forwarded frames are not "released by rx commit" */
	assert_int_equal(st.tx_frames, 5);
	assert_int_equal(st.frames.tx, 5);
	kd_check(kd);

	/* The kernel sees exactly the RX descriptors (kd_consume_tx also compares every byte). */
	assert_int_equal(kd_consume_tx(kd, 8, d), 5);
	for (i = 0; i < 5; i++) {
		assert_int_equal(d[i].addr, pk[i].addr);
		assert_int_equal(d[i].len, pk[i].len);
	}
	assert_int_equal(kd->txq.count, 0);
	kd_check(kd);
}

/*
 * What the TX side completed goes back into the fill ring on a later call: the kernel completes
 * the 5 forwarded frames and takes 5 more fill entries; the next fwd_n puts those 5 frames there.
 */
static void test_fwd_completions_refill(void **state)
{
	struct kd *kd = *state;
	uint64_t base[5], got[RING], fwd = 0, over = 0;
	uint32_t i, n, prod0;

	assert_int_equal(kd_consume_fill(kd, 5), 5);
	assert_int_equal(kd_produce_rx(kd, 5, NULL), 5);
	for (i = 0; i < 5; i++)
		base[i] = kd_at(&kd->rxq, i)->addr - kd->headroom;
	assert_int_equal(xdpsock_rx_seek_n(kd->rx, 5), 5);
	assert_int_equal(xdpsock_fwd_n(kd->rx, kd->tx, 5, kd->max_len), 5);
	expect_fwd(kd, 5, kd->max_len, &fwd, &over);
	/* The 5 fill slots the kernel emptied were topped up from the free list. */
	assert_int_equal(kd_fill_avail(kd), RING);
	assert_int_equal(kd_consume_tx(kd, 5, NULL), 5);
	assert_int_equal(kd_complete(kd, 5), 5);
	assert_int_equal(kd_consume_fill(kd, 5), 5);
	kd_check(kd);

	/* The next batch (one frame): its call reclaims the completions into the fill ring. */
	prod0 = *kd->k.fq.producer;
	assert_int_equal(kd_produce_rx(kd, 1, NULL), 1);
	assert_int_equal(xdpsock_rx_seek_n(kd->rx, 4), 1);
	assert_int_equal(xdpsock_fwd_n(kd->rx, kd->tx, 1, kd->max_len), 1);
	expect_fwd(kd, 1, kd->max_len, &fwd, &over);
	n = fill_since(kd, prod0, got, RING);
	assert_int_equal(n, 5);
	for (i = 0; i < 5; i++)
		if (!has(got, n, base[i]))
			fail_msg("completed frame 0x%llx is not among the fill-ring entries the call published",
				 (unsigned long long)base[i]);
	assert_int_equal(kd_fill_avail(kd), RING);
	kd_check(kd);

	/* Even a call with nothing to forward (n = 0) returns completions to the fill ring. */
	assert_int_equal(kd_consume_tx(kd, 1, NULL), 1);
	assert_int_equal(kd_complete(kd, 1), 1);
	assert_int_equal(kd_consume_fill(kd, 1), 1);
	prod0 = *kd->k.fq.producer;
	assert_int_equal(xdpsock_fwd_n(kd->rx, kd->tx, 0, kd->max_len), 0);
	assert_int_equal(fill_since(kd, prod0, got, RING), 1);
	kd_check(kd);
}

/* Longer than max_len: taken, dropped, counted and recycled; len == max_len still forwarded. */
static void test_fwd_oversize(void **state)
{
	struct kd *kd = *state;
	const uint32_t lens[6] = { 100, 1515, 1514, 0 /* kd->max_len */, 60, 1515 };
	uint32_t want[6], i;
	uint64_t base[6], fwd = 0, over = 0;
	struct xdp_desc d[8];
	struct xdpsock_stats st;

	memcpy(want, lens, sizeof(want));
	want[3] = kd->max_len;
	assert_int_equal(kd_consume_fill(kd, 6), 6);
	assert_int_equal(kd_produce_rx(kd, 6, want), 6);
	for (i = 0; i < 6; i++)
		base[i] = kd_at(&kd->rxq, i)->addr - kd->headroom;
	assert_int_equal(xdpsock_rx_seek_n(kd->rx, 6), 6);

	/* All 6 taken: 3 forwarded in order (100, 1514, 60), 3 dropped. */
	assert_int_equal(xdpsock_fwd_n(kd->rx, kd->tx, 6, 1514), 6);
	expect_fwd(kd, 6, 1514, &fwd, &over);
	assert_int_equal(fwd, 3);
	assert_int_equal(over, 3);
	assert_int_equal(nheld(kd), 0);
	assert_int_equal(kd_tx_avail(kd), 3);
	assert_int_equal(xdpsock_rx_stats(kd->rx, &st), 0);
	assert_int_equal(st.rx_forwarded, 3);
	assert_int_equal(st.rx_fwd_oversize, 3);
	assert_int_equal(st.tx_frames, 3);
	assert_int_equal(st.rx_frames, 0);
	/* The dropped frames' bases are back: free list or fill ring, never lost (kd_check: nowhere else). */
	assert_true(recycled(kd, base[1]));
	assert_true(recycled(kd, base[3]));
	assert_true(recycled(kd, base[5]));
	kd_check(kd);
	assert_int_equal(kd_consume_tx(kd, 8, d), 3);
	assert_int_equal(d[0].len, 100);
	assert_int_equal(d[1].len, 1514);
	assert_int_equal(d[2].len, 60);
	kd_check(kd);

	/* max_len 0: everything is oversize. */
	assert_int_equal(kd_consume_fill(kd, 2), 2);
	assert_int_equal(kd_produce_rx(kd, 2, NULL), 2);
	assert_int_equal(xdpsock_rx_seek_n(kd->rx, 2), 2);
	assert_int_equal(xdpsock_fwd_n(kd->rx, kd->tx, 2, 0), 2);
	expect_fwd(kd, 2, 0, &fwd, &over);
	assert_int_equal(kd_tx_avail(kd), 0);
	assert_int_equal(xdpsock_rx_stats(kd->rx, &st), 0);
	assert_int_equal(st.rx_fwd_oversize, 5);
	kd_check(kd);
}

/* TX ring full: fwd_n takes what fits, the rest stays held, in order, and goes on the next call. */
static void test_fwd_tx_full_holds_rest(void **state)
{
	struct kd *kd = *state;
	struct kd_pkt pk[12];
	struct xdpsock_stats st;
	uint64_t fwd = 0, over = 0;
	uint32_t i, len;
	const uint8_t *p;

	/* The application's own 10 frames fill 10 of the 16 TX slots. */
	assert_int_equal(xdpsock_tx_seek_n(kd->tx, 10), 10);
	for (i = 0; i < 10; i++) {
		struct kd_pkt u = { .len = 64, .id = kd->next_id++ };
		uint8_t *b = xdpsock_tx_peek_at(kd->tx, i, u.len);

		assert_non_null(b);
		u.addr = (uint64_t)(b - kd->k.area);
		kd_pattern_write(b, u.len, u.id);
		kd_push(&kd->txq, u);
	}
	assert_int_equal(xdpsock_tx_commit_n(kd->tx, 10), 10);

	assert_int_equal(kd_consume_fill(kd, 12), 12);
	assert_int_equal(kd_produce_rx(kd, 12, NULL), 12);
	for (i = 0; i < 12; i++)
		pk[i] = *kd_at(&kd->rxq, i);
	assert_int_equal(xdpsock_rx_seek_n(kd->rx, 12), 12);

	/* 6 slots: 6 forwarded, 6 held; held frame 0 is received frame 6. */
	assert_int_equal(xdpsock_fwd_n(kd->rx, kd->tx, 12, kd->max_len), 6);
	expect_fwd(kd, 6, kd->max_len, &fwd, &over);
	assert_int_equal(nheld(kd), 6);
	assert_int_equal(kd_tx_avail(kd), RING);
	p = xdpsock_rx_peek_at(kd->rx, 0, &len);
	assert_ptr_equal(p, kd->k.area + pk[6].addr);
	assert_int_equal(len, pk[6].len);
	assert_ptr_equal(xdpsock_rx_peek_at(kd->rx, 5, NULL), kd->k.area + pk[11].addr);
	kd_check(kd);

	/* Still full: nothing taken, nothing changed. */
	assert_int_equal(xdpsock_fwd_n(kd->rx, kd->tx, 6, kd->max_len), 0);
	assert_int_equal(nheld(kd), 6);
	errno = 0;
	assert_int_equal(xdpsock_fwd_n(kd->rx, kd->tx, 7, kd->max_len), -ERANGE);
	assert_int_equal(errno, ERANGE);
	kd_check(kd);

	/* The kernel transmits 8 (the application's first 8): the 6 held frames go, in order. */
	assert_int_equal(kd_consume_tx(kd, 8, NULL), 8);
	assert_int_equal(xdpsock_fwd_n(kd->rx, kd->tx, 6, kd->max_len), 6);
	expect_fwd(kd, 6, kd->max_len, &fwd, &over);
	assert_int_equal(nheld(kd), 0);
	kd_check(kd);
	assert_int_equal(kd_consume_tx(kd, RING, NULL), 14);	/* 2 of the application's, then the 12 */
	assert_int_equal(kd->txq.count, 0);
	assert_int_equal(xdpsock_rx_stats(kd->rx, &st), 0);
	assert_int_equal(st.rx_forwarded, 12);
	assert_int_equal(st.tx_frames, 22);
	kd_check(kd);
}

/* -ERANGE, -EBUSY, -EXDEV: errno set, nothing published, nothing taken. */
static void test_fwd_errors(void **state)
{
	struct kd *kd = *state;
	static struct kd other;
	struct xdpsock_opts o = kd_opts(2048, FRAMES, RING, 0);
	uint32_t rxc0, txp0;
	uint64_t fwd = 0, over = 0;
	uint8_t *b;

	/* Nothing held: n = 0 is fine, n = 1 is not. */
	assert_int_equal(xdpsock_fwd_n(kd->rx, kd->tx, 0, kd->max_len), 0);
	errno = 0;
	assert_int_equal(xdpsock_fwd_n(kd->rx, kd->tx, 1, kd->max_len), -ERANGE);
	assert_int_equal(errno, ERANGE);

	/* 3 received, 2 held: 3 is beyond what seek returned. */
	assert_int_equal(kd_consume_fill(kd, 3), 3);
	assert_int_equal(kd_produce_rx(kd, 3, NULL), 3);
	assert_int_equal(xdpsock_rx_seek_n(kd->rx, 2), 2);
	rxc0 = *kd->k.rx.consumer;
	txp0 = *kd->k.tx.producer;
	errno = 0;
	assert_int_equal(xdpsock_fwd_n(kd->rx, kd->tx, 3, kd->max_len), -ERANGE);
	assert_int_equal(errno, ERANGE);
	assert_int_equal(*kd->k.rx.consumer, rxc0);
	assert_int_equal(*kd->k.tx.producer, txp0);
	assert_int_equal(nheld(kd), 2);
	kd_check(kd);

	/* A TX reservation: -EBUSY, with a sentence; nothing moves. */
	assert_int_equal(xdpsock_tx_seek_n(kd->tx, 1), 1);
	errno = 0;
	assert_int_equal(xdpsock_fwd_n(kd->rx, kd->tx, 2, kd->max_len), -EBUSY);
	assert_int_equal(errno, EBUSY);
	assert_non_null(strstr(xdpsock_errmsg(), "reserved"));
	assert_int_equal(*kd->k.rx.consumer, rxc0);
	assert_int_equal(*kd->k.tx.producer, txp0);
	assert_int_equal(nheld(kd), 2);
	kd_check(kd);
	/* Committing the reservation clears it: the application's frame goes first, then the 2. */
	{
		struct kd_pkt u = { .len = 42, .id = kd->next_id++ };

		b = xdpsock_tx_peek(kd->tx, u.len);
		assert_non_null(b);
		u.addr = (uint64_t)(b - kd->k.area);
		kd_pattern_write(b, u.len, u.id);
		kd_push(&kd->txq, u);
		assert_int_equal(xdpsock_tx_commit(kd->tx), 1);
	}
	assert_int_equal(xdpsock_fwd_n(kd->rx, kd->tx, 2, kd->max_len), 2);
	expect_fwd(kd, 2, kd->max_len, &fwd, &over);
	assert_int_equal(kd_consume_tx(kd, RING, NULL), 3);
	kd_check(kd);

	/* Two UMEMs: -EXDEV, with a sentence naming the UMEM; nothing moves on either side. */
	assert_int_equal(kd_init(&other, &o, 0, 99), 0);
	assert_int_equal(xdpsock_rx_seek_n(kd->rx, 1), 1);
	rxc0 = *kd->k.rx.consumer;
	errno = 0;
	assert_int_equal(xdpsock_fwd_n(kd->rx, other.tx, 1, 1514), -EXDEV);
	assert_int_equal(errno, EXDEV);
	assert_non_null(strstr(xdpsock_errmsg(), "UMEM"));
	assert_int_equal(*kd->k.rx.consumer, rxc0);
	assert_int_equal(kd_tx_avail(&other), 0);
	assert_int_equal(nheld(kd), 1);
	kd_check(kd);
	kd_check(&other);
	kd_fini(&other);
	assert_int_equal(xdpsock_fwd_n(kd->rx, kd->tx, 1, kd->max_len), 1);
	expect_fwd(kd, 1, kd->max_len, &fwd, &over);
	kd_check(kd);
}

/*
 * A descriptor the kernel got wrong (outside the UMEM) among good ones: taken (counted in the
 * return value), never sent, never recycled; the good ones go out around it.
 */
static void test_fwd_bad_descriptor(void **state)
{
	struct kd *kd = *state;
	struct xdp_desc d[3], out[4];
	struct xdpsock_stats st;
	struct kd_pkt a, b;

	assert_int_equal(kd_consume_fill(kd, 2), 2);
	a = kd_pop(&kd->rxpool);
	b = kd_pop(&kd->rxpool);
	a.addr += kd->headroom;
	b.addr += kd->headroom;
	a.len = 80;
	b.len = 90;
	a.id = kd->next_id++;
	b.id = kd->next_id++;
	kd_pattern_write(kd->k.area + a.addr, a.len, a.id);
	kd_pattern_write(kd->k.area + b.addr, b.len, b.id);
	d[0] = (struct xdp_desc){ .addr = a.addr, .len = a.len };
	d[1] = (struct xdp_desc){ .addr = kd->umem_size + kd->headroom, .len = 60 };
	d[2] = (struct xdp_desc){ .addr = b.addr, .len = b.len };
	assert_int_equal(kd_rx_put_descs(kd, d, 3), 3);
	assert_int_equal(xdpsock_rx_seek_n(kd->rx, 3), 3);
	kd_push(&kd->txq, a);
	kd_push(&kd->txq, b);
	assert_int_equal(xdpsock_fwd_n(kd->rx, kd->tx, 3, 1514), 3);
	assert_int_equal(kd_consume_tx(kd, 4, out), 2);
	assert_int_equal(out[0].addr, a.addr);
	assert_int_equal(out[1].addr, b.addr);
	assert_int_equal(xdpsock_rx_stats(kd->rx, &st), 0);
	assert_int_equal(st.rx_bad_descs, 1);
	assert_int_equal(st.rx_forwarded, 2);
	assert_int_equal(st.rx_fwd_oversize, 0);
	kd_check(kd);
}

/*
 * Copy mode puts the data XDP_PACKET_HEADROOM (256) bytes into the frame: the TX descriptor keeps
 * that address; the completion comes back with it and the frame's base goes to the fill ring.
 * (kd_consume_tx insists on base + headroom, so this test plays the TX side by hand.)
 */
static void test_fwd_copy_mode_offset(void **state)
{
	struct kd *kd = *state;
	struct kd_pkt pk[4];
	uint64_t comp[4], got[RING], fwd = 0, over = 0;
	uint32_t i, n, prod0;
	struct xdpsock_stats st;

	assert_int_equal(kd_consume_fill(kd, 4), 4);
	assert_int_equal(kd_produce_rx_off(kd, 4, NULL, 256), 4);
	for (i = 0; i < 4; i++)
		pk[i] = *kd_at(&kd->rxq, i);
	assert_int_equal(xdpsock_rx_seek_n(kd->rx, 4), 4);
	assert_int_equal(xdpsock_fwd_n(kd->rx, kd->tx, 4, kd->max_len), 4);
	expect_fwd(kd, 4, kd->max_len, &fwd, &over);
	kd->txq.count = 0;	/* checked here instead */
	kd->txq.head = 0;
	assert_int_equal(kd_tx_avail(kd), 4);
	for (i = 0; i < 4; i++) {
		struct xdp_desc d = *xdpsock__desc(&kd->k.tx, kd->tx_cons + i);

		assert_int_equal(d.addr, pk[i].addr);
		assert_int_equal(d.addr % kd->frame_size, kd->headroom + 256);
		assert_int_equal(d.len, pk[i].len);
		assert_true(kd_pattern_ok(kd->k.area + d.addr, d.len, pk[i].id));
		comp[i] = d.addr;
	}
	kd->tx_cons += 4;
	xdpsock__store_release(kd->k.tx.consumer, kd->tx_cons);
	assert_int_equal(kd_cq_put(kd, comp, 4), 4);
	assert_int_equal(kd_consume_fill(kd, 4), 4);

	prod0 = *kd->k.fq.producer;
	assert_int_equal(xdpsock_fwd_n(kd->rx, kd->tx, 0, kd->max_len), 0);
	n = fill_since(kd, prod0, got, RING);
	assert_int_equal(n, 4);
	for (i = 0; i < 4; i++)
		assert_true(has(got, n, pk[i].addr - kd->headroom - 256));
	assert_int_equal(xdpsock_tx_stats(kd->tx, &st), 0);
	assert_int_equal(st.tx_completed, 4);
	assert_int_equal(st.tx_bad_descs, 0);
	kd_check(kd);
}

/*
 * A long random interleaving of the kernel's moves (take fill entries, receive, transmit,
 * complete) and the application's (seek, forward, sometimes its own frames, out-of-range calls),
 * across the 2^32 wrap.  After every step, every frame is in exactly one place and the library's
 * census says the same (kd_check); every frame received is forwarded byte for byte and in order
 * (check_tx) or counted as oversize; at the end, the counters add up exactly.
 */
static void test_fwd_random_long(void **state)
{
	struct kd *kd = *state;
	const uint32_t maxl = kd->max_len > 1514 ? 1514 : kd->max_len - 100;
	uint64_t fwd = 0, over = 0, own = 0, erange = 0, ebusy = 0, txfull = 0;
	uint32_t round, held = 0, i;
	struct xdpsock_stats st;

	for (round = 0; round < 20000; round++) {
		uint32_t op = kd_below(kd, 100), n;
		int ret;

		if (op < 15) {
			kd_consume_fill(kd, kd_below(kd, RING + 1));
		} else if (op < 30) {
			kd_produce_rx(kd, kd_below(kd, RING + 1), NULL);
		} else if (op < 45) {
			n = kd_below(kd, RING + 1);
			ret = xdpsock_rx_seek_n(kd->rx, n);
			assert_int_equal(ret, (int)kd_min(n, kd->rxq.count));
			if ((uint32_t)ret > held)
				held = (uint32_t)ret;
		} else if (op < 70) {
			uint32_t space = RING - kd_tx_avail(kd);

			n = kd_below(kd, held + 3);
			ret = xdpsock_fwd_n(kd->rx, kd->tx, n, maxl);
			if (n > held) {
				assert_int_equal(ret, -ERANGE);
				erange++;
			} else {
				assert_int_equal(ret, (int)kd_min(n, space));
				txfull += (uint32_t)ret < n;
				expect_fwd(kd, (uint32_t)ret, maxl, &fwd, &over);
				held -= (uint32_t)ret;
			}
			assert_int_equal(nheld(kd), held);
		} else if (op < 74) {
			/* The application sends frames of its own on the same socket: fwd_n must wait for them. */
			n = 1 + kd_below(kd, 3);
			ret = xdpsock_tx_seek_n(kd->tx, n);
			assert_true(ret >= 0 && (uint32_t)ret <= n);
			if (ret > 0) {
				uint32_t txp0 = *kd->k.tx.producer;

				assert_int_equal(xdpsock_fwd_n(kd->rx, kd->tx, 0, maxl), -EBUSY);
				assert_int_equal(*kd->k.tx.producer, txp0);
				assert_int_equal(nheld(kd), held);
				ebusy++;
				for (i = 0; i < (uint32_t)ret; i++) {
					struct kd_pkt u = { .len = 1 + kd_below(kd, 200), .id = kd->next_id++ };
					uint8_t *b = xdpsock_tx_peek_at(kd->tx, i, u.len);

					assert_non_null(b);
					u.addr = (uint64_t)(b - kd->k.area);
					kd_pattern_write(b, u.len, u.id);
					kd_push(&kd->txq, u);
				}
				assert_int_equal(xdpsock_tx_commit_n(kd->tx, (uint32_t)ret), ret);
				own += (uint32_t)ret;
			}
		} else if (op < 88) {
			kd_consume_tx(kd, kd_below(kd, RING + 1), NULL);
		} else {
			kd_complete(kd, kd_below(kd, RING + 1));
		}
		kd_check(kd);
	}

	/* Drain: everything received leaves, everything sent completes; bounded. */
	for (round = 0; round < 1000 && (kd->rxq.count || kd_tx_avail(kd) || kd->txpool.count || held); round++) {
		uint32_t k = kd_min(kd->rxq.count, RING);
		int ret;

		ret = xdpsock_rx_seek_n(kd->rx, k);
		held = (uint32_t)ret > held ? (uint32_t)ret : held;
		ret = xdpsock_fwd_n(kd->rx, kd->tx, held, maxl);
		assert_true(ret >= 0);
		expect_fwd(kd, (uint32_t)ret, maxl, &fwd, &over);
		held -= (uint32_t)ret;
		kd_consume_tx(kd, RING, NULL);
		kd_complete(kd, RING);
		kd_check(kd);
	}
	assert_int_equal(kd->rxq.count, 0);
	assert_int_equal(kd->txq.count, 0);
	assert_int_equal(held, 0);
	/* A last call reclaims the final completions. */
	assert_int_equal(xdpsock_fwd_n(kd->rx, kd->tx, 0, maxl), 0);
	kd_check(kd);

	assert_int_equal(xdpsock_rx_stats(kd->rx, &st), 0);
	assert_int_equal(st.rx_forwarded, fwd);
	assert_int_equal(st.rx_fwd_oversize, over);
	assert_int_equal(st.rx_forwarded + st.rx_fwd_oversize, kd->n_rx);
	assert_int_equal(st.rx_frames, 0);
	assert_int_equal(st.rx_bad_descs, 0);
	assert_int_equal(st.tx_frames, fwd + own);
	assert_int_equal(kd->n_tx, fwd + own);
	assert_int_equal(st.tx_completed + st.frames.comp, kd->n_comp);
	assert_int_equal(st.tx_bad_descs, 0);
	assert_int_equal(st.frames.kernel, kd->rxpool.count);
	print_message("    %llu forwarded, %llu oversize, %llu of its own, %llu -ERANGE, %llu -EBUSY, %llu calls short of TX room\n",
		      (unsigned long long)fwd, (unsigned long long)over, (unsigned long long)own,
		      (unsigned long long)erange, (unsigned long long)ebusy, (unsigned long long)txfull);
	/* The sequence did exercise every branch, and the indices did cross 2^32. */
	assert_true(fwd > 5000);
	assert_true(over > 100);
	assert_true(own > 100);
	assert_true(erange > 100);
	assert_true(ebusy > 100);
	assert_true(txfull > 100);
	if (kd->k.start > UINT32_MAX - 100)
		assert_true((uint64_t)kd->k.start + kd->n_fill > UINT32_MAX);
}

int main(void)
{
#define T(f, s) { #f "/" #s, f, s, teardown, NULL }
	const struct CMUnitTest tests[] = {
		T(test_fwd_moves_descriptors, setup),
		T(test_fwd_moves_descriptors, setup_wrap_headroom),
		T(test_fwd_completions_refill, setup),
		T(test_fwd_completions_refill, setup_wrap_headroom),
		T(test_fwd_oversize, setup),
		T(test_fwd_oversize, setup_wrap_headroom),
		T(test_fwd_tx_full_holds_rest, setup),
		T(test_fwd_tx_full_holds_rest, setup_wrap_headroom),
		T(test_fwd_errors, setup),
		T(test_fwd_bad_descriptor, setup),
		T(test_fwd_bad_descriptor, setup_wrap_headroom),
		T(test_fwd_copy_mode_offset, setup),
		T(test_fwd_copy_mode_offset, setup_wrap_headroom),
		T(test_fwd_random_long, setup),
		T(test_fwd_random_long, setup_wrap_headroom),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
