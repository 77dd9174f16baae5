// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * RX fast path against the in-memory kernel double: what seek/peek/commit see and where the
 * frames go afterwards, including a full fill ring (commit defers, never fails).
 */
#include "kdouble.h"

#ifndef XDP_PKT_CONTD
#define XDP_PKT_CONTD (1 << 0)	/* linux >= 6.6 */
#endif

#define FRAMES 64u
#define RING 16u

static int setup(void **state)
{
	static struct kd kd;
	struct xdpsock_opts o = kd_opts(2048, FRAMES, RING, 0);

	if (kd_init(&kd, &o, 0, 1))
		return -1;
	*state = &kd;
	return 0;
}

static int setup_wrap_headroom(void **state)
{
	static struct kd kd;
	struct xdpsock_opts o = kd_opts(4096, FRAMES, RING, 256);

	/* Indices start 5 below 2^32: the first few frames cross the wrap. */
	if (kd_init(&kd, &o, UINT32_MAX - 4, 2))
		return -1;
	*state = &kd;
	return 0;
}

static int teardown(void **state)
{
	kd_fini(*state);
	return 0;
}

/* The fill ring starts full with the lowest frames, in order; the rest are free. */
static void test_rx_initial_fill(void **state)
{
	struct kd *kd = *state;
	uint32_t i;

	assert_int_equal(kd_fill_avail(kd), RING);
	for (i = 0; i < RING; i++)
		assert_int_equal(kd_fill_peek(kd, i), (uint64_t)i * kd->frame_size);
	assert_int_equal(kd->u->free.count, FRAMES - RING);
	kd_check(kd);
}

/* Frames from the double arrive byte-for-byte; ERANGE past what seek returned; commit refills. */
static void test_rx_seek_peek_commit(void **state)
{
	struct kd *kd = *state;
	const uint32_t lens[5] = { 1, 60, 1500, 0 /* max_len */, 64 };
	uint32_t want[5], i, len = 0, prod0;
	struct kd_pkt pk[5];
	struct xdpsock_stats st;
	const uint8_t *p;

	memcpy(want, lens, sizeof(want));
	want[3] = kd->max_len;

	/* Nothing received yet: 0, and peek/commit refuse. */
	assert_int_equal(xdpsock_rx_seek_n(kd->rx, 8), 0);
	errno = 0;
	assert_null(xdpsock_rx_peek_at(kd->rx, 0, &len));
	assert_int_equal(errno, ERANGE);
	errno = 0;
	assert_int_equal(xdpsock_rx_commit_n(kd->rx, 1), -ERANGE);
	assert_int_equal(errno, ERANGE);
	assert_int_equal(xdpsock_rx_commit_n(kd->rx, 0), 0);

	assert_int_equal(kd_consume_fill(kd, 5), 5);
	assert_int_equal(kd_produce_rx(kd, 5, want), 5);
	for (i = 0; i < 5; i++)
		pk[i] = *kd_at(&kd->rxq, i);
	kd_check(kd);

	/* seek_n(8) finds all 5, in the order produced, byte for byte. */
	assert_int_equal(xdpsock_rx_seek_n(kd->rx, 8), 5);
	for (i = 0; i < 5; i++) {
		len = 0;
		p = xdpsock_rx_peek_at(kd->rx, i, &len);
		assert_non_null(p);
		assert_ptr_equal(p, kd->k.area + pk[i].addr);
		assert_int_equal(pk[i].addr % kd->frame_size, kd->headroom);
		assert_int_equal(len, want[i]);
		assert_true(kd_pattern_ok(p, len, pk[i].id));
	}
	/* len may be NULL. */
	assert_ptr_equal(xdpsock_rx_peek_at(kd->rx, 4, NULL), kd->k.area + pk[4].addr);
	assert_ptr_equal(xdpsock_rx_peek(kd->rx, &len), kd->k.area + pk[0].addr);
	assert_int_equal(len, want[0]);
	/* Beyond what seek returned. */
	errno = 0;
	assert_null(xdpsock_rx_peek_at(kd->rx, 5, &len));
	assert_int_equal(errno, ERANGE);
	errno = 0;
	assert_null(xdpsock_rx_peek_at(kd->rx, UINT32_MAX, &len));
	assert_int_equal(errno, ERANGE);
	errno = 0;
	assert_int_equal(xdpsock_rx_commit_n(kd->rx, 6), -ERANGE);
	assert_int_equal(errno, ERANGE);
	/* A failed commit changed nothing. */
	assert_int_equal(xdpsock_rx_seek_n(kd->rx, 8), 5);
	kd_check(kd);

	/* Commit the first 2: they are the next fill-ring entries, in order; index 0 is now frame 2. */
	prod0 = *kd->k.fq.producer;
	assert_int_equal(xdpsock_rx_commit_n(kd->rx, 2), 2);
	kd_pop(&kd->rxq);
	kd_pop(&kd->rxq);
	assert_true(*kd->k.fq.producer - prod0 >= 2);
	assert_int_equal(*xdpsock__addr(&kd->k.fq, prod0), pk[0].addr - kd->headroom);
	assert_int_equal(*xdpsock__addr(&kd->k.fq, prod0 + 1), pk[1].addr - kd->headroom);
	assert_ptr_equal(xdpsock_rx_peek_at(kd->rx, 0, &len), kd->k.area + pk[2].addr);
	assert_int_equal(len, want[2]);
	assert_ptr_equal(xdpsock_rx_peek_at(kd->rx, 2, &len), kd->k.area + pk[4].addr);
	errno = 0;
	assert_null(xdpsock_rx_peek_at(kd->rx, 3, &len));
	assert_int_equal(errno, ERANGE);
	kd_check(kd);

	/* The single-frame wrappers. */
	assert_int_equal(xdpsock_rx_seek(kd->rx), 1);
	assert_int_equal(xdpsock_rx_commit(kd->rx), 1);
	kd_pop(&kd->rxq);
	assert_int_equal(xdpsock_rx_commit_n(kd->rx, 2), 2);
	kd_pop(&kd->rxq);
	kd_pop(&kd->rxq);
	errno = 0;
	assert_int_equal(xdpsock_rx_commit(kd->rx), -ERANGE);
	assert_int_equal(errno, ERANGE);
	kd_check(kd);

	/* All 5 released: in the fill ring, or waiting in the free list for room (kd_check: none lost). */
	assert_int_equal(xdpsock_rx_stats(kd->rx, &st), 0);
	assert_int_equal(st.rx_frames, 5);
	assert_int_equal(st.rx_bad_descs, 0);
	assert_int_equal(st.frames.user, 0);
	assert_int_equal(st.frames.rx, 0);
}

/*
 * The contract: peek_at/commit_n beyond what seek returned are refused (ERANGE), even when more
 * frames are waiting in the RX ring: a frame no seek returned was never seen by the caller, and
 * committing it would drop a packet silently.  (Frames an earlier, larger seek returned stay held.)
 */
static void test_rx_seek_holds_only_n(void **state)
{
	struct kd *kd = *state;
	uint32_t len = 0;
	const void *p;
	int ret;

	assert_int_equal(kd_consume_fill(kd, 6), 6);
	assert_int_equal(kd_produce_rx(kd, 6, NULL), 6);
	assert_int_equal(xdpsock_rx_seek_n(kd->rx, 2), 2);
	errno = 0;
	p = xdpsock_rx_peek_at(kd->rx, 2, &len);
	if (p || errno != ERANGE)
		fail_msg("rx_seek_n(2) returned 2 with 6 frames waiting, yet rx_peek_at(2) gave %p (errno %d): "
			 "frames beyond what seek returned must be refused with ERANGE", p, errno);
	errno = 0;
	ret = xdpsock_rx_commit_n(kd->rx, 3);
	if (ret != -ERANGE || errno != ERANGE)
		fail_msg("rx_seek_n(2) returned 2, yet rx_commit_n(3) returned %d: must be -ERANGE", ret);
	kd_check(kd);
	/* Topping up to 10 finds the other 4 and keeps the first 2 in place. */
	assert_int_equal(xdpsock_rx_seek_n(kd->rx, 10), 6);
	for (uint32_t i = 0; i < 6; i++) {
		p = xdpsock_rx_peek_at(kd->rx, i, &len);
		assert_ptr_equal(p, kd->k.area + kd_at(&kd->rxq, i)->addr);
		assert_int_equal(len, kd_at(&kd->rxq, i)->len);
		assert_true(kd_pattern_ok(p, len, kd_at(&kd->rxq, i)->id));
	}
	/* A smaller seek returns n but keeps holding all 6. */
	assert_int_equal(xdpsock_rx_seek_n(kd->rx, 3), 3);
	assert_non_null(xdpsock_rx_peek_at(kd->rx, 5, &len));
	assert_int_equal(xdpsock_rx_commit_n(kd->rx, 6), 6);
	for (uint32_t i = 0; i < 6; i++)
		kd_pop(&kd->rxq);
	kd_check(kd);
}

/*
 * Data need not start at base + headroom (copy mode puts it XDP_PACKET_HEADROOM further):
 * peek returns the exact address, commit gives the frame base back to the fill ring.
 */
static void test_rx_offset_masked_on_commit(void **state)
{
	struct kd *kd = *state;
	struct kd_pkt pk[3];
	uint32_t i, len = 0, prod0;

	assert_int_equal(kd_consume_fill(kd, 3), 3);
	assert_int_equal(kd_produce_rx_off(kd, 3, NULL, 256), 3);
	for (i = 0; i < 3; i++)
		pk[i] = *kd_at(&kd->rxq, i);
	assert_int_equal(xdpsock_rx_seek_n(kd->rx, 3), 3);
	for (i = 0; i < 3; i++) {
		const uint8_t *p = xdpsock_rx_peek_at(kd->rx, i, &len);

		assert_ptr_equal(p, kd->k.area + pk[i].addr);
		assert_int_equal(pk[i].addr % kd->frame_size, kd->headroom + 256);
		assert_true(kd_pattern_ok(p, len, pk[i].id));
	}
	prod0 = *kd->k.fq.producer;
	assert_int_equal(xdpsock_rx_commit_n(kd->rx, 3), 3);
	for (i = 0; i < 3; i++) {
		kd_pop(&kd->rxq);
		assert_int_equal(*xdpsock__addr(&kd->k.fq, prod0 + i), pk[i].addr - kd->headroom - 256);
	}
	kd_check(kd);
}

/* rx_more_at reports XDP_PKT_CONTD of held frames only. */
static void test_rx_more_at(void **state)
{
	struct kd *kd = *state;
	struct xdp_desc d[2];
	uint64_t a, b;

	assert_int_equal(kd_consume_fill(kd, 2), 2);
	a = kd_pop(&kd->rxpool).addr;
	b = kd_pop(&kd->rxpool).addr;
	d[0] = (struct xdp_desc){ .addr = a + kd->headroom, .len = 100, .options = XDP_PKT_CONTD };
	d[1] = (struct xdp_desc){ .addr = b + kd->headroom, .len = 50, .options = 0 };
	assert_int_equal(kd_rx_put_descs(kd, d, 2), 2);
	assert_int_equal(xdpsock_rx_more_at(kd->rx, 0), 0);	/* not held yet */
	assert_int_equal(xdpsock_rx_seek_n(kd->rx, 2), 2);
	assert_int_equal(xdpsock_rx_more_at(kd->rx, 0), 1);
	assert_int_equal(xdpsock_rx_more_at(kd->rx, 1), 0);
	assert_int_equal(xdpsock_rx_more_at(kd->rx, 2), 0);
	assert_int_equal(xdpsock_rx_commit_n(kd->rx, 2), 2);
	kd_check(kd);
}

static int in_list(uint64_t a, const uint64_t *v, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (v[i] == a)
			return 1;
	return 0;
}

/* Note which of @v appear in the fill-ring entries published since *@prod; advance *@prod. */
static void note_fill(struct kd *kd, uint32_t *prod, const uint64_t *v, uint32_t n, int *back)
{
	uint32_t p = *kd->k.fq.producer, i, j;

	assert_true(p - *prod <= RING);
	for (i = *prod; i != p; i++)
		for (j = 0; j < n; j++)
			if (*xdpsock__addr(&kd->k.fq, i) == v[j]) {
				assert_false(back[j]);	/* once only */
				back[j] = 1;
			}
	*prod = p;
}

/*
 * The kernel stops taking from the fill ring, so it stays full: commit still succeeds, the frames
 * wait in the free list (stats.rx_deferred counts them), and go back to the fill ring later, once
 * the kernel makes room (on an idle seek, or on the next commit).
 */
static void test_rx_commit_fill_full_defers(void **state)
{
	struct kd *kd = *state;
	uint64_t deferred[8];
	int back[8] = { 0 };
	uint32_t i, prod, free0, round, nback;
	struct xdpsock_stats st;

	/* The kernel takes 8; an idle seek tops the fill ring up from the free list: full again. */
	assert_int_equal(kd_consume_fill(kd, 8), 8);
	assert_int_equal(xdpsock_rx_seek_n(kd->rx, 4), 0);
	assert_int_equal(kd_fill_avail(kd), RING);
	/* The 8 it took arrive; the user takes them and releases them into a full fill ring. */
	assert_int_equal(kd_produce_rx(kd, 8, NULL), 8);
	assert_int_equal(xdpsock_rx_seek_n(kd->rx, 8), 8);
	for (i = 0; i < 8; i++)
		deferred[i] = kd_at(&kd->rxq, i)->addr - kd->headroom;
	prod = *kd->k.fq.producer;
	free0 = kd->u->free.count;
	assert_int_equal(xdpsock_rx_commit_n(kd->rx, 3), 3);
	assert_int_equal(xdpsock_rx_commit_n(kd->rx, 5), 5);
	for (i = 0; i < 8; i++)
		kd_pop(&kd->rxq);
	assert_int_equal(*kd->k.fq.producer, prod);
	assert_int_equal(kd->u->free.count, free0 + 8);
	for (i = 0; i < 8; i++)
		assert_true(in_list(kd->u->free.addr[free0 + i], deferred, 8));
	assert_int_equal(xdpsock_rx_stats(kd->rx, &st), 0);
	assert_int_equal(st.rx_deferred, 8);
	assert_int_equal(st.rx_frames, 8);
	assert_int_equal(st.frames.fill, RING);
	assert_int_equal(st.frames.user, 0);
	kd_check(kd);

	/* While the fill ring stays full, nothing moves. */
	assert_int_equal(xdpsock_rx_seek_n(kd->rx, 4), 0);
	assert_int_equal(*kd->k.fq.producer, prod);

	/*
	 * The kernel takes 3, receives nothing: an idle seek gives 3 slots to waiting frames, and
	 * the last ones to wait (the deferred) go first.
	 */
	assert_int_equal(kd_consume_fill(kd, 3), 3);
	assert_int_equal(xdpsock_rx_seek_n(kd->rx, 4), 0);
	note_fill(kd, &prod, deferred, 8, back);
	for (i = nback = 0; i < 8; i++)
		nback += back[i];
	assert_int_equal(nback, 3);
	assert_int_equal(kd_fill_avail(kd), RING);
	kd_check(kd);

	/* Normal traffic with room: the rest go back within a few rounds, each exactly once. */
	for (round = 0; round < 4 && nback < 8; round++) {
		uint32_t n;

		assert_int_equal(kd_consume_fill(kd, 6), 6);
		note_fill(kd, &prod, deferred, 8, back);
		assert_int_equal(kd_produce_rx(kd, 2, NULL), 2);
		n = (uint32_t)xdpsock_rx_seek_n(kd->rx, 4);
		assert_int_equal(n, 2);
		note_fill(kd, &prod, deferred, 8, back);
		assert_int_equal(xdpsock_rx_commit_n(kd->rx, n), (int)n);
		kd_pop(&kd->rxq);
		kd_pop(&kd->rxq);
		note_fill(kd, &prod, deferred, 8, back);
		assert_int_equal(xdpsock_rx_seek_n(kd->rx, 4), 0);	/* idle */
		note_fill(kd, &prod, deferred, 8, back);
		kd_check(kd);
		for (i = nback = 0; i < 8; i++)
			nback += back[i];
	}
	assert_int_equal(nback, 8);
	assert_int_equal(xdpsock_rx_stats(kd->rx, &st), 0);
	assert_int_equal(st.rx_deferred, 8);
	kd_check(kd);
}

/* Over many rounds across the 2^32 wrap, with headroom: every packet seen intact, frames conserved. */
static void test_rx_many_rounds(void **state)
{
	struct kd *kd = *state;
	uint32_t round, i, n, len = 0;
	uint64_t seen = 0;

	for (round = 0; round < 300; round++) {
		kd_consume_fill(kd, kd_below(kd, RING + 1));
		kd_produce_rx(kd, kd_below(kd, RING + 1), NULL);
		n = (uint32_t)xdpsock_rx_seek_n(kd->rx, RING);
		assert_int_equal(n, kd->rxq.count);
		for (i = 0; i < n; i++) {
			const uint8_t *p = xdpsock_rx_peek_at(kd->rx, i, &len);
			struct kd_pkt *e = kd_at(&kd->rxq, i);

			assert_ptr_equal(p, kd->k.area + e->addr);
			assert_int_equal(len, e->len);
			assert_true(kd_pattern_ok(p, len, e->id));
		}
		assert_int_equal(xdpsock_rx_commit_n(kd->rx, n), (int)n);
		for (i = 0; i < n; i++)
			kd_pop(&kd->rxq);
		seen += n;
		kd_check(kd);
	}
	assert_true(seen > 1000);
	/* The indices did cross 2^32. */
	assert_true((uint64_t)(UINT32_MAX - 4) + kd->n_fill > UINT32_MAX);
}

int main(void)
{
/* Same test, two setups: name them apart. */
#define T(f, s) { #f "/" #s, f, s, teardown, NULL }
	const struct CMUnitTest tests[] = {
		T(test_rx_initial_fill, setup),
		T(test_rx_initial_fill, setup_wrap_headroom),
		T(test_rx_seek_peek_commit, setup),
		T(test_rx_seek_peek_commit, setup_wrap_headroom),
		T(test_rx_seek_holds_only_n, setup),
		T(test_rx_offset_masked_on_commit, setup),
		T(test_rx_offset_masked_on_commit, setup_wrap_headroom),
		T(test_rx_more_at, setup),
		T(test_rx_commit_fill_full_defers, setup),
		T(test_rx_commit_fill_full_defers, setup_wrap_headroom),
		T(test_rx_many_rounds, setup_wrap_headroom),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
