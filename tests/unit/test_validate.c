// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * Descriptor validation: RX descriptors outside the UMEM or crossing a frame boundary are
 * refused by peek (EBADMSG), counted once, committed like any other, and never recycled;
 * completions outside the UMEM are dropped and counted.
 */
#include "kdouble.h"

#define RING 16u

static int setup_common(void **state, uint32_t frame_size, uint32_t frames, uint32_t headroom, uint32_t start)
{
	static struct kd kd;
	struct xdpsock_opts o = kd_opts(frame_size, frames, RING, headroom);

	if (kd_init(&kd, &o, start, 4))
		return -1;
	*state = &kd;
	return 0;
}

static int setup(void **state)
{
	return setup_common(state, 2048, 64, 0, 0);
}

static int setup_wrap_headroom(void **state)
{
	return setup_common(state, 4096, 64, 256, UINT32_MAX - 3);
}

/* Exactly fill ring + TX ring: 16 frames for TX. */
static int setup_tight(void **state)
{
	return setup_common(state, 2048, 2 * RING, 0, 0);
}

static int teardown(void **state)
{
	kd_fini(*state);
	return 0;
}

struct rxcase {
	struct xdp_desc d;
	int bad;
	uint32_t id;
};

static void test_rx_bad_descs(void **state)
{
	struct kd *kd = *state;
	const uint32_t fs = kd->frame_size, hr = kd->headroom;
	const uint64_t end = kd->umem_size;
	uint64_t a, b, c, dd;
	struct rxcase cs[9];
	struct xdp_desc d[9];
	struct xdpsock_stats st;
	uint32_t i, n = 0, len, round, nfill, prod0;

	assert_int_equal(kd_consume_fill(kd, 4), 4);
	a = kd_pop(&kd->rxpool).addr;
	b = kd_pop(&kd->rxpool).addr;
	c = kd_pop(&kd->rxpool).addr;
	dd = kd_pop(&kd->rxpool).addr;

	cs[n++] = (struct rxcase){ { a + hr, 100, 0 }, 0, kd->next_id++ };
	cs[n++] = (struct rxcase){ { end, 10, 0 }, 1, 0 };			/* just past the UMEM */
	cs[n++] = (struct rxcase){ { end + 5000, 10, 0 }, 1, 0 };
	cs[n++] = (struct rxcase){ { UINT64_MAX - 3, 10, 0 }, 1, 0 };
	cs[n++] = (struct rxcase){ { b + fs - 48, 100, 0 }, 1, 0 };		/* crosses into the next frame */
	cs[n++] = (struct rxcase){ { c + hr, fs - hr, 0 }, 0, kd->next_id++ };	/* ends exactly at the boundary */
	cs[n++] = (struct rxcase){ { dd + fs - 100, 100, 0 }, 0, kd->next_id++ };	/* likewise, late start */
	cs[n++] = (struct rxcase){ { end - 1, 2, 0 }, 1, 0 };			/* crosses the end of the UMEM */
	cs[n++] = (struct rxcase){ { end - fs, fs + 1, 0 }, 1, 0 };		/* longer than a frame */
	for (i = 0; i < n; i++) {
		d[i] = cs[i].d;
		if (!cs[i].bad)
			kd_pattern_write(kd->k.area + d[i].addr, d[i].len, cs[i].id);
	}
	assert_int_equal(kd_rx_put_descs(kd, d, n), n);

	/* Validated as they are taken in (seek may take in more than it returns), each counted once. */
	assert_int_equal(xdpsock_rx_seek_n(kd->rx, 2), 2);
	assert_int_equal(xdpsock_rx_stats(kd->rx, &st), 0);
	assert_in_range(st.rx_bad_descs, 1, 6);
	assert_int_equal(xdpsock_rx_seek_n(kd->rx, RING), n);
	assert_int_equal(xdpsock_rx_seek_n(kd->rx, RING), n);
	assert_int_equal(xdpsock_rx_stats(kd->rx, &st), 0);
	assert_int_equal(st.rx_bad_descs, 6);
	/*
	 * The census counts no bad descriptor as a frame: the user holds a, c and dd; b, handed out in
	 * a descriptor that crossed its frame's end, is gone for good (the census counts it as the
	 * kernel's), and the sum is still the total.
	 */
	assert_int_equal(st.frames.user, 3);
	assert_int_equal(st.frames.rx, 0);
	assert_int_equal(st.frames.kernel, 1);
	assert_int_equal(st.frames.total, st.frames.free + st.frames.user + st.frames.fill + st.frames.rx +
						  st.frames.tx + st.frames.comp + st.frames.kernel);
	kd->lost[kd->nlost++] = b;
	kd_check(kd);

	for (round = 0; round < 2; round++)
		for (i = 0; i < n; i++) {
			const uint8_t *p;

			len = 12345;
			errno = 0;
			p = xdpsock_rx_peek_at(kd->rx, i, &len);
			if (cs[i].bad) {
				assert_null(p);
				assert_int_equal(errno, EBADMSG);
				assert_int_equal(len, 12345);
			} else {
				assert_ptr_equal(p, kd->k.area + cs[i].d.addr);
				assert_int_equal(len, cs[i].d.len);
				assert_true(kd_pattern_ok(p, len, cs[i].id));
			}
		}
	assert_int_equal(xdpsock_rx_stats(kd->rx, &st), 0);
	assert_int_equal(st.rx_bad_descs, 6);

	/* Commit all of them: it succeeds; a, c and dd go to the fill ring, in order; b does not. */
	prod0 = *kd->k.fq.producer;
	assert_int_equal(xdpsock_rx_commit_n(kd->rx, n), n);
	assert_int_equal(xdpsock_rx_stats(kd->rx, &st), 0);
	assert_int_equal(st.rx_frames, n);
	assert_int_equal(st.rx_bad_descs, 6);
	assert_int_equal(st.frames.user, 0);
	assert_int_equal(st.frames.rx, 0);
	nfill = *kd->k.fq.producer - prod0;
	assert_in_range(nfill, 3, 4);	/* plus, maybe, a frame of the free list */
	assert_int_equal(*xdpsock__addr(&kd->k.fq, prod0), a);
	assert_int_equal(*xdpsock__addr(&kd->k.fq, prod0 + 1), c);
	assert_int_equal(*xdpsock__addr(&kd->k.fq, prod0 + 2), dd);
	for (i = 0; i < kd_fill_avail(kd); i++)
		assert_true(kd_fill_peek(kd, i) != b);
	kd_check(kd);

	/* Cycle every frame through the rings a few times: b never comes back, nothing else is missing. */
	for (round = 0; round < 8; round++) {
		uint32_t got;

		kd_consume_fill(kd, RING);
		for (i = 0; i < kd->rxpool.count; i++)
			assert_true(kd_at(&kd->rxpool, i)->addr != b);
		kd_produce_rx(kd, RING, NULL);
		got = (uint32_t)xdpsock_rx_seek_n(kd->rx, RING);
		assert_int_equal(got, kd->rxq.count);
		for (i = 0; i < got; i++) {
			struct kd_pkt *e = kd_at(&kd->rxq, i);
			const uint8_t *p = xdpsock_rx_peek_at(kd->rx, i, &len);

			assert_ptr_equal(p, kd->k.area + e->addr);
			assert_true(kd_pattern_ok(p, len, e->id));
		}
		assert_int_equal(xdpsock_rx_commit_n(kd->rx, got), got);
		while (kd->rxq.count)
			kd_pop(&kd->rxq);
		kd_check(kd);
	}
	assert_int_equal(xdpsock_rx_stats(kd->rx, &st), 0);
	assert_int_equal(st.rx_bad_descs, 6);
}

/* A bad descriptor between good ones does not disturb their order or contents. */
static void test_rx_bad_between_good(void **state)
{
	struct kd *kd = *state;
	struct xdp_desc bad = { kd->umem_size + kd->frame_size, 64, 0 };
	struct kd_pkt pk[2];
	uint32_t len = 0;

	assert_int_equal(kd_consume_fill(kd, 2), 2);
	assert_int_equal(kd_produce_rx(kd, 1, NULL), 1);
	assert_int_equal(kd_rx_put_descs(kd, &bad, 1), 1);
	assert_int_equal(kd_produce_rx(kd, 1, NULL), 1);
	kd_check(kd);	/* unseen, outside the UMEM: not counted as a frame */
	pk[0] = *kd_at(&kd->rxq, 0);
	pk[1] = *kd_at(&kd->rxq, 1);
	assert_int_equal(xdpsock_rx_seek_n(kd->rx, 8), 3);
	kd_check(kd);	/* held, marked bad: not counted either */
	assert_ptr_equal(xdpsock_rx_peek_at(kd->rx, 0, &len), kd->k.area + pk[0].addr);
	assert_int_equal(len, pk[0].len);
	errno = 0;
	assert_null(xdpsock_rx_peek_at(kd->rx, 1, &len));
	assert_int_equal(errno, EBADMSG);
	assert_ptr_equal(xdpsock_rx_peek_at(kd->rx, 2, &len), kd->k.area + pk[1].addr);
	assert_int_equal(len, pk[1].len);
	assert_true(kd_pattern_ok(kd->k.area + pk[1].addr, len, pk[1].id));
	/* Commit one at a time, the bad one included. */
	assert_int_equal(xdpsock_rx_commit(kd->rx), 1);
	kd_pop(&kd->rxq);
	kd_check(kd);
	errno = 0;
	assert_null(xdpsock_rx_peek(kd->rx, &len));
	assert_int_equal(errno, EBADMSG);
	assert_int_equal(xdpsock_rx_commit(kd->rx), 1);
	kd_check(kd);
	assert_ptr_equal(xdpsock_rx_peek(kd->rx, &len), kd->k.area + pk[1].addr);
	assert_int_equal(xdpsock_rx_commit(kd->rx), 1);
	kd_pop(&kd->rxq);
	kd_check(kd);
}

/* Completions outside the UMEM are dropped and counted; the good ones still come back. */
static void test_tx_bad_completions(void **state)
{
	struct kd *kd = *state;
	const uint64_t bad[3] = { kd->umem_size, kd->umem_size + 100, UINT64_MAX };
	struct xdpsock_stats st;
	uint32_t i;

	assert_int_equal(xdpsock_tx_seek_n(kd->tx, RING), RING);
	for (i = 0; i < RING; i++)
		assert_non_null(xdpsock_tx_peek_at(kd->tx, i, 60));
	assert_int_equal(xdpsock_tx_commit_n(kd->tx, RING), RING);
	assert_int_equal(kd_consume_tx(kd, RING, NULL), RING);
	assert_int_equal(kd_complete(kd, 6), 6);
	assert_int_equal(kd_cq_put(kd, bad, 3), 3);
	assert_int_equal(kd_complete(kd, 7), 7);
	/* Nothing free: seek reclaims the 16 entries, 13 of them frames. */
	assert_int_equal(xdpsock_tx_seek_n(kd->tx, RING), 13);
	assert_int_equal(xdpsock_tx_stats(kd->tx, &st), 0);
	assert_int_equal(st.tx_bad_descs, 3);
	assert_int_equal(st.tx_completed, RING);
	assert_int_equal(st.frames.free, 0);
	assert_int_equal(st.frames.user, 13);
	kd_check(kd);
	/* The last 3 complete normally. */
	assert_int_equal(kd_complete(kd, 3), 3);
	assert_int_equal(xdpsock_tx_seek_n(kd->tx, RING), RING);
	assert_int_equal(xdpsock_tx_stats(kd->tx, &st), 0);
	assert_int_equal(st.tx_bad_descs, 3);
	kd_check(kd);
}

int main(void)
{
#define T(f, s) { #f "/" #s, f, s, teardown, NULL }
	const struct CMUnitTest tests[] = {
		T(test_rx_bad_descs, setup),
		T(test_rx_bad_descs, setup_wrap_headroom),
		T(test_rx_bad_between_good, setup),
		T(test_rx_bad_between_good, setup_wrap_headroom),
		T(test_tx_bad_completions, setup_tight),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
