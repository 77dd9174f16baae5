// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * TX fast path against the in-memory kernel double: reservation, peek limits, commit of
 * exactly the first n frames, refusal of unpeeked frames, bulk reclaim of completions, EAGAIN.
 */
#include "kdouble.h"

#define RING 16u

static int setup_common(void **state, uint32_t frame_size, uint32_t frames, uint32_t headroom, uint32_t start)
{
	static struct kd kd;
	struct xdpsock_opts o = kd_opts(frame_size, frames, RING, headroom);

	if (kd_init(&kd, &o, start, 3))
		return -1;
	*state = &kd;
	return 0;
}

/* 64 frames: 16 on the fill ring, 48 free for TX. */
static int setup(void **state)
{
	return setup_common(state, 2048, 64, 0, 0);
}

/* 4096-byte frames, 256 bytes of headroom, ring indices just below 2^32. */
static int setup_wrap_headroom(void **state)
{
	return setup_common(state, 4096, 64, 256, UINT32_MAX - 6);
}

/* Exactly fill ring + TX ring: 16 frames for TX. */
static int setup_tight(void **state)
{
	return setup_common(state, 2048, 2 * RING, 0, 0);
}

/* 48 frames: 32 for TX, the completion ring holds 16. */
static int setup_reclaim(void **state)
{
	return setup_common(state, 2048, 3 * RING, 128, UINT32_MAX - 20);
}

static int teardown(void **state)
{
	kd_fini(*state);
	return 0;
}

static uint32_t nres(struct kd *kd)
{
	return kd->tx->q.nres;
}

/* seek_n tops the reservation up to n, never beyond the TX ring; a smaller n returns n. */
static void test_tx_seek_reserves_up_to_n(void **state)
{
	struct kd *kd = *state;
	struct xdpsock_stats st;

	assert_int_equal(xdpsock_tx_seek_n(kd->tx, 0), 0);
	assert_int_equal(nres(kd), 0);
	assert_int_equal(xdpsock_tx_seek_n(kd->tx, 4), 4);
	assert_int_equal(nres(kd), 4);
	assert_int_equal(xdpsock_tx_seek_n(kd->tx, 2), 2);
	assert_int_equal(nres(kd), 4);
	assert_int_equal(xdpsock_tx_seek(kd->tx), 1);
	assert_int_equal(xdpsock_tx_seek_n(kd->tx, 6), 6);
	/* The TX ring has 16 slots: 100 gets 16. */
	assert_int_equal(xdpsock_tx_seek_n(kd->tx, 100), RING);
	assert_int_equal(xdpsock_tx_stats(kd->tx, &st), 0);
	assert_int_equal(st.frames.user, RING);
	assert_int_equal(st.frames.free, kd->frame_count - 2 * RING);
	/* Nothing published: the kernel sees no descriptor. */
	assert_int_equal(kd_tx_avail(kd), 0);
	kd_check(kd);
}

/* peek_at: a writable buffer at frame base + headroom, distinct per frame; ERANGE / EMSGSIZE. */
static void test_tx_peek_limits(void **state)
{
	struct kd *kd = *state;
	uint8_t *p[4];
	uint32_t i, j;

	assert_int_equal(xdpsock_tx_seek_n(kd->tx, 4), 4);
	for (i = 0; i < 4; i++) {
		p[i] = xdpsock_tx_peek_at(kd->tx, i, 10);
		assert_non_null(p[i]);
		assert_true(p[i] >= kd->k.area && p[i] < kd->k.area + kd->umem_size);
		assert_int_equal((uint64_t)(p[i] - kd->k.area) % kd->frame_size, kd->headroom);
		for (j = 0; j < i; j++)
			assert_ptr_not_equal(p[i], p[j]);
		/* The whole usable frame is writable (ASan would catch an overrun). */
		memset(p[i], 0xA5, kd->max_len);
	}
	/* Peeking again gives the same buffer. */
	assert_ptr_equal(xdpsock_tx_peek_at(kd->tx, 2, 20), p[2]);
	assert_ptr_equal(xdpsock_tx_peek(kd->tx, 20), p[0]);
	errno = 0;
	assert_null(xdpsock_tx_peek_at(kd->tx, 4, 10));
	assert_int_equal(errno, ERANGE);
	errno = 0;
	assert_null(xdpsock_tx_peek_at(kd->tx, UINT32_MAX, 10));
	assert_int_equal(errno, ERANGE);
	errno = 0;
	assert_null(xdpsock_tx_peek_at(kd->tx, 0, 0));
	assert_int_equal(errno, EMSGSIZE);
	errno = 0;
	assert_null(xdpsock_tx_peek_at(kd->tx, 1, kd->max_len + 1));
	assert_int_equal(errno, EMSGSIZE);
	errno = 0;
	assert_null(xdpsock_tx_peek_at(kd->tx, 1, UINT32_MAX));
	assert_int_equal(errno, EMSGSIZE);
	assert_ptr_equal(xdpsock_tx_peek_at(kd->tx, 3, kd->max_len), p[3]);
	/* A failed peek keeps the earlier length: commit all and look at what the kernel gets. */
	{
		struct xdp_desc d[4];

		assert_int_equal(xdpsock_tx_commit_n(kd->tx, 4), 4);
		assert_int_equal(kd_consume_tx(kd, 4, d), 4);
		assert_int_equal(d[0].len, 20);
		assert_int_equal(d[1].len, 10);
		assert_int_equal(d[2].len, 20);
		assert_int_equal(d[3].len, kd->max_len);
		for (i = 0; i < 4; i++)
			assert_ptr_equal(kd->k.area + d[i].addr, p[i]);
	}
	kd_check(kd);
}

/* commit_n submits exactly the first n, in order; the kernel sees those descriptors and bytes. */
static void test_tx_commit_first_n(void **state)
{
	struct kd *kd = *state;
	struct kd_pkt pk[6];
	struct xdp_desc d[8];
	struct xdpsock_stats st;
	uint32_t i, prod0 = *kd->k.tx.producer;
	uint8_t *p;

	assert_int_equal(xdpsock_tx_seek_n(kd->tx, 6), 6);
	for (i = 0; i < 6; i++) {
		pk[i].len = i == 5 ? kd->max_len : 1 + i * 97;
		pk[i].id = kd->next_id++;
		p = xdpsock_tx_peek_at(kd->tx, i, pk[i].len);
		assert_non_null(p);
		pk[i].addr = (uint64_t)(p - kd->k.area);
		kd_pattern_write(p, pk[i].len, pk[i].id);
	}
	/* More than reserved: ERANGE, nothing published. */
	errno = 0;
	assert_int_equal(xdpsock_tx_commit_n(kd->tx, 7), -ERANGE);
	assert_int_equal(errno, ERANGE);
	assert_int_equal(*kd->k.tx.producer, prod0);
	assert_int_equal(xdpsock_tx_commit_n(kd->tx, 0), 0);
	assert_int_equal(*kd->k.tx.producer, prod0);

	assert_int_equal(xdpsock_tx_commit_n(kd->tx, 4), 4);
	assert_int_equal(*kd->k.tx.producer, prod0 + 4);
	assert_int_equal(nres(kd), 2);
	/* Reserved frame 0 is now what was frame 4, with its length kept. */
	assert_ptr_equal(xdpsock_tx_peek_at(kd->tx, 0, pk[4].len), kd->k.area + pk[4].addr);
	errno = 0;
	assert_null(xdpsock_tx_peek_at(kd->tx, 2, 10));
	assert_int_equal(errno, ERANGE);
	kd_check(kd);

	kd->check_tx = 1;
	for (i = 0; i < 4; i++)
		kd_push(&kd->txq, pk[i]);
	assert_int_equal(kd_consume_tx(kd, 8, d), 4);
	assert_int_equal(kd->txq.count, 0);
	kd_check(kd);

	/* The single-frame commit sends frame 4, then frame 5. */
	kd_push(&kd->txq, pk[4]);
	kd_push(&kd->txq, pk[5]);
	assert_int_equal(xdpsock_tx_commit(kd->tx), 1);
	assert_int_equal(kd_consume_tx(kd, 8, d), 1);
	assert_int_equal(xdpsock_tx_commit(kd->tx), 1);
	assert_int_equal(kd_consume_tx(kd, 8, d), 1);
	assert_int_equal(kd->txq.count, 0);
	errno = 0;
	assert_int_equal(xdpsock_tx_commit(kd->tx), -ERANGE);
	assert_int_equal(errno, ERANGE);

	assert_int_equal(xdpsock_tx_stats(kd->tx, &st), 0);
	assert_int_equal(st.tx_frames, 6);
	assert_int_equal(st.frames.kernel, 6);
	kd_check(kd);
}

/* A never-peeked frame among the first n: -EINVAL, nothing published, the reservation intact. */
static void test_tx_commit_unpeeked_fails(void **state)
{
	struct kd *kd = *state;
	uint8_t *p[4];
	uint32_t i, prod0 = *kd->k.tx.producer;
	struct xdpsock_stats st;
	struct xdp_desc d[4];

	assert_int_equal(xdpsock_tx_seek_n(kd->tx, 4), 4);
	errno = 0;
	assert_int_equal(xdpsock_tx_commit_n(kd->tx, 1), -EINVAL);
	assert_int_equal(errno, EINVAL);
	for (i = 0; i < 4; i++)
		if (i != 2) {
			p[i] = xdpsock_tx_peek_at(kd->tx, i, 100 + i);
			assert_non_null(p[i]);
		}
	errno = 0;
	assert_int_equal(xdpsock_tx_commit_n(kd->tx, 4), -EINVAL);
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_int_equal(xdpsock_tx_commit_n(kd->tx, 3), -EINVAL);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(*kd->k.tx.producer, prod0);
	assert_int_equal(nres(kd), 4);
	assert_int_equal(xdpsock_tx_stats(kd->tx, &st), 0);
	assert_int_equal(st.tx_frames, 0);
	assert_int_equal(st.frames.user, 4);
	kd_check(kd);
	/* Same buffers after the failure. */
	assert_ptr_equal(xdpsock_tx_peek_at(kd->tx, 0, 100), p[0]);
	assert_ptr_equal(xdpsock_tx_peek_at(kd->tx, 3, 103), p[3]);
	/* The first two are fine. */
	assert_int_equal(xdpsock_tx_commit_n(kd->tx, 2), 2);
	/* Now the unpeeked one is first: refused alone. */
	assert_int_equal(xdpsock_tx_commit_n(kd->tx, 1), -EINVAL);
	p[2] = xdpsock_tx_peek_at(kd->tx, 0, 102);
	assert_non_null(p[2]);
	assert_int_equal(xdpsock_tx_commit_n(kd->tx, 2), 2);
	assert_int_equal(kd_consume_tx(kd, 4, d), 4);
	for (i = 0; i < 4; i++) {
		assert_ptr_equal(kd->k.area + d[i].addr, p[i]);
		assert_int_equal(d[i].len, 100 + i);
	}
	kd_check(kd);
}

/* Reserving afresh always starts unpeeked, even in a slot that carried a length before. */
static void test_tx_reused_slot_unpeeked(void **state)
{
	struct kd *kd = *state;
	uint32_t round;

	for (round = 0; round < 3 * RING; round++) {
		assert_int_equal(xdpsock_tx_seek_n(kd->tx, 1), 1);
		assert_int_equal(xdpsock_tx_commit_n(kd->tx, 1), -EINVAL);
		assert_non_null(xdpsock_tx_peek(kd->tx, 60));
		assert_int_equal(xdpsock_tx_commit_n(kd->tx, 1), 1);
		assert_int_equal(kd_consume_tx(kd, 1, NULL), 1);
		kd_complete(kd, 1);	/* until the completion ring is full: seek reclaims only when low */
		kd_check(kd);
	}
}

/*
 * seek uses the free list first and leaves the completion ring alone while that suffices; when
 * the free list runs low it takes completed frames back in one batch (one consumer update).
 */
static void test_tx_seek_reclaims_when_low(void **state)
{
	struct kd *kd = *state;
	struct xdpsock_stats st;
	uint32_t i, round, cons0;

	assert_int_equal(kd->u->free.count, 2 * RING);
	for (round = 0; round < 2; round++) {
		assert_int_equal(xdpsock_tx_seek_n(kd->tx, RING), RING);
		for (i = 0; i < RING; i++)
			assert_non_null(xdpsock_tx_peek_at(kd->tx, i, 64));
		assert_int_equal(xdpsock_tx_commit_n(kd->tx, RING), RING);
		assert_int_equal(kd_consume_tx(kd, RING, NULL), RING);
		if (round == 0)
			assert_int_equal(kd_complete(kd, RING), RING);
	}
	/* The second batch came from the free list: the 16 completions are untouched. */
	assert_int_equal(xdpsock_tx_stats(kd->tx, &st), 0);
	assert_int_equal(st.tx_completed, 0);
	assert_int_equal(st.frames.comp, RING);
	assert_int_equal(st.frames.free, 0);
	assert_int_equal(st.frames.kernel, RING);
	assert_int_equal(*kd->k.cq.consumer, kd->cq_prod - RING);
	kd_check(kd);

	/* Nothing free: a batch of 16 is served from the 16 completions, in one consumer update. */
	assert_int_equal(xdpsock_tx_seek_n(kd->tx, RING), RING);
	assert_int_equal(xdpsock_tx_stats(kd->tx, &st), 0);
	assert_int_equal(st.tx_completed, RING);
	assert_int_equal(st.frames.comp, 0);
	assert_int_equal(st.frames.user, RING);
	assert_int_equal(*kd->k.cq.consumer, kd->cq_prod);
	kd_check(kd);

	/* Send them; the other 16 complete; with nothing free a single frame comes from them too. */
	for (i = 0; i < RING; i++)
		assert_non_null(xdpsock_tx_peek_at(kd->tx, i, 64));
	assert_int_equal(xdpsock_tx_commit_n(kd->tx, RING), RING);
	assert_int_equal(kd_consume_tx(kd, RING, NULL), RING);
	assert_int_equal(kd_complete(kd, RING), RING);
	cons0 = *kd->k.cq.consumer;
	assert_int_equal(xdpsock_tx_seek_n(kd->tx, 1), 1);
	assert_int_equal(xdpsock_tx_stats(kd->tx, &st), 0);
	assert_true(*kd->k.cq.consumer != cons0);
	assert_true(st.tx_completed > RING);
	assert_int_equal(st.frames.user, 1);
	assert_int_equal(st.tx_bad_descs, 0);
	kd_check(kd);
	/* And the rest on demand: 16 reserved in all, none left behind in the completion ring. */
	assert_int_equal(xdpsock_tx_seek_n(kd->tx, RING), RING);
	assert_int_equal(xdpsock_tx_stats(kd->tx, &st), 0);
	assert_int_equal(st.tx_completed, 2 * RING);
	assert_int_equal(st.frames.comp, 0);
	kd_check(kd);
}

/* No free frame: seek_and_peek gives NULL + EAGAIN, send gives -EAGAIN; after completions, frames again. */
static void test_tx_eagain_when_empty(void **state)
{
	struct kd *kd = *state;
	uint8_t buf[100];
	struct xdp_desc d[RING];
	uint8_t *p;
	uint32_t i;

	assert_int_equal(kd->u->free.count, RING);
	for (i = 0; i < RING; i++) {
		p = xdpsock_tx_seek_and_peek(kd->tx, 64);
		assert_non_null(p);
		assert_int_equal(xdpsock_tx_commit(kd->tx), 1);
	}
	errno = 0;
	assert_null(xdpsock_tx_seek_and_peek(kd->tx, 64));
	assert_int_equal(errno, EAGAIN);
	assert_int_equal(xdpsock_tx_seek_n(kd->tx, 4), 0);
	kd_pattern_write(buf, sizeof(buf), 77);
	assert_int_equal(xdpsock_tx_send(kd->tx, buf, sizeof(buf)), -EAGAIN);
	assert_int_equal(errno, EAGAIN);
	kd_check(kd);

	/* Taken by the kernel but not completed: still nothing. */
	assert_int_equal(kd_consume_tx(kd, RING, NULL), RING);
	errno = 0;
	assert_null(xdpsock_tx_seek_and_peek(kd->tx, 64));
	assert_int_equal(errno, EAGAIN);
	kd_check(kd);

	/* One completion: exactly one frame again. */
	assert_int_equal(kd_complete(kd, 1), 1);
	assert_int_equal(xdpsock_tx_send(kd->tx, buf, sizeof(buf)), 0);
	assert_int_equal(xdpsock_tx_send(kd->tx, buf, sizeof(buf)), -EAGAIN);
	assert_int_equal(kd_consume_tx(kd, RING, d), 1);
	assert_int_equal(d[0].len, sizeof(buf));
	assert_memory_equal(kd->k.area + d[0].addr, buf, sizeof(buf));
	/* send checks the length before taking a frame. */
	assert_int_equal(kd_complete(kd, RING), RING);
	assert_int_equal(xdpsock_tx_send(kd->tx, buf, 0), -EMSGSIZE);
	assert_int_equal(xdpsock_tx_send(kd->tx, buf, kd->max_len + 1), -EMSGSIZE);
	assert_int_equal(kd_tx_avail(kd), 0);
	kd_check(kd);
}

/* needs_kick follows the TX ring's need_wakeup flag; with the flag clear, kick makes no syscall. */
static void test_tx_needs_kick(void **state)
{
	struct kd *kd = *state;
	struct xdpsock_stats st;

	assert_int_equal(xdpsock_tx_needs_kick(kd->tx), 0);
	assert_int_equal(xdpsock_tx_kick(kd->tx), 0);
	__atomic_store_n(kd->k.tx.flags, XDP_RING_NEED_WAKEUP, __ATOMIC_RELEASE);
	assert_true(xdpsock_tx_needs_kick(kd->tx));
	__atomic_store_n(kd->k.tx.flags, 0, __ATOMIC_RELEASE);
	assert_int_equal(xdpsock_tx_needs_kick(kd->tx), 0);
	assert_int_equal(xdpsock_tx_stats(kd->tx, &st), 0);
	assert_int_equal(st.tx_wakeups, 0);
}

int main(void)
{
#define T(f, s) { #f "/" #s, f, s, teardown, NULL }
	const struct CMUnitTest tests[] = {
		T(test_tx_seek_reserves_up_to_n, setup),
		T(test_tx_seek_reserves_up_to_n, setup_wrap_headroom),
		T(test_tx_peek_limits, setup),
		T(test_tx_peek_limits, setup_wrap_headroom),
		T(test_tx_commit_first_n, setup),
		T(test_tx_commit_first_n, setup_wrap_headroom),
		T(test_tx_commit_unpeeked_fails, setup),
		T(test_tx_commit_unpeeked_fails, setup_wrap_headroom),
		T(test_tx_reused_slot_unpeeked, setup_wrap_headroom),
		T(test_tx_seek_reclaims_when_low, setup_reclaim),
		T(test_tx_eagain_when_empty, setup_tight),
		T(test_tx_needs_kick, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
