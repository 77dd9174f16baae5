// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * Frame accounting under a long random interleaving: the user side calls seek/peek/commit on
 * TX and RX (valid and invalid calls), the kernel double takes from the fill and TX rings and
 * produces RX descriptors and completions in random amounts.  After every step every UMEM
 * frame must be in exactly one place, the census of xdpsock_rx_stats() must agree, every
 * received packet must be seen intact and in order, and every transmitted one must reach the
 * double intact and in order.  Seeded and bounded; once from index 0, once across 2^32.
 *
 * XDPSOCK_TEST_SEED=<n> replays another seed; XDPSOCK_TEST_STEPS=<n> changes the length.
 */
#include "kdouble.h"

#define DEF_STEPS 200000u

struct run {
	uint32_t frame_size, frames, ring, headroom, start;
	uint64_t seed;
};

/* The user's model of the TX reservation: entry i is reserved frame i (0 = oldest). */
struct txmodel {
	struct kd_pkt res[1024];	/* len 0: never peeked */
	uint32_t nres;
	uint64_t committed;
};

struct rxmodel {
	uint32_t held;		/* frames held: the first `held` of kd->rxq */
	uint32_t verified;	/* of those, already compared byte for byte */
	uint64_t committed;
};

static uint64_t env_u64(const char *name, uint64_t def)
{
	const char *s = getenv(name);

	return s && *s ? strtoull(s, NULL, 0) : def;
}

static void user_rx_seek(struct kd *kd, struct rxmodel *m)
{
	const struct xdpsock__rxq *q = &kd->rx->q;
	uint32_t n = 1 + kd_below(kd, kd->k.rx.size + 2), capped, greedy, r, i, len;
	uint32_t unseen = kd->rxq.count - m->held;
	uint32_t cached = q->rx.cached_prod - (q->rx.cached_cons + m->held);

	/*
	 * seek_n takes in at most n - held more (capped), or, when it has to look at the kernel's
	 * producer anyway, everything published (greedy): either way it returns min(held, n).
	 */
	if (m->held >= n) {
		capped = greedy = m->held;
	} else {
		capped = m->held + kd_min(n - m->held, unseen);
		greedy = m->held + (cached < n - m->held ? unseen : cached);
	}
	r = (uint32_t)xdpsock_rx_seek_n(kd->rx, n);
	if (q->nheld != capped && q->nheld != greedy)
		fail_msg("seek_n(%u) with %u held, %u unseen: holds %u", n, m->held, unseen, q->nheld);
	m->held = q->nheld;
	assert_int_equal(r, kd_min(m->held, n));
	for (i = m->verified; i < m->held; i++) {
		struct kd_pkt *e = kd_at(&kd->rxq, i);
		const uint8_t *p;

		len = 0;
		errno = 0;
		p = xdpsock_rx_peek_at(kd->rx, i, &len);
		if (!e->id) {
			/* A bad descriptor: refused; a frame given out in one is lost from now on. */
			assert_null(p);
			assert_int_equal(errno, EBADMSG);
			if (e->addr != UINT64_MAX) {
				assert_true(kd->nlost < sizeof(kd->lost) / sizeof(kd->lost[0]));
				kd->lost[kd->nlost++] = e->addr;
			}
			continue;
		}
		assert_ptr_equal(p, kd->k.area + e->addr);
		assert_int_equal(len, e->len);
		assert_true(kd_pattern_ok(p, len, e->id));
	}
	m->verified = m->held;
	if (kd_below(kd, 4) == 0) {
		errno = 0;
		assert_null(xdpsock_rx_peek_at(kd->rx, m->held + kd_below(kd, 3), &len));
		assert_int_equal(errno, ERANGE);
	}
}

static void user_rx_commit(struct kd *kd, struct rxmodel *m)
{
	uint32_t n, i;

	if (kd_below(kd, 16) == 0) {
		n = m->held + 1 + kd_below(kd, 4);
		errno = 0;
		assert_int_equal(xdpsock_rx_commit_n(kd->rx, n), -ERANGE);
		assert_int_equal(errno, ERANGE);
		return;
	}
	n = kd_below(kd, 2) ? m->held : kd_below(kd, m->held + 1);
	assert_int_equal(xdpsock_rx_commit_n(kd->rx, n), (int)n);
	for (i = 0; i < n; i++)
		kd_pop(&kd->rxq);
	m->held -= n;
	m->verified -= n;
	m->committed += n;
}

static void user_tx_seek(struct kd *kd, struct txmodel *m)
{
	const struct xdpsock__txq *q = &kd->tx->q;
	uint32_t n = 1 + kd_below(kd, kd->k.tx.size + 2), want, free, space, take, expect, r, i;

	if (m->nres >= n) {
		expect = n;
		take = 0;
	} else {
		/* Completions are reclaimed (all of them) only when the free list has fewer than wanted. */
		want = n - m->nres;
		free = kd->u->free.count;
		if (free < want)
			free += kd->cq_prod - q->cq.cached_cons;
		space = kd->k.tx.size - (q->tx.cached_prod - kd->tx_cons) - m->nres;
		take = kd_min(want, kd_min(space, free));
		expect = m->nres + take;
	}
	r = (uint32_t)xdpsock_tx_seek_n(kd->tx, n);
	assert_int_equal(r, expect);
	for (i = 0; i < take; i++)
		m->res[m->nres + i] = (struct kd_pkt){ 0 };
	m->nres += take;
	assert_int_equal(q->nres, m->nres);
}

static void user_tx_peek(struct kd *kd, struct txmodel *m)
{
	uint32_t i = kd_below(kd, m->nres + 1), len, r = kd_below(kd, 20);
	uint8_t *p;

	len = r == 0 ? 0 : r == 1 ? kd->max_len + 1 + kd_below(kd, 3) : kd_rand_len(kd);
	errno = 0;
	p = xdpsock_tx_peek_at(kd->tx, i, len);
	if (i >= m->nres) {
		assert_null(p);
		assert_int_equal(errno, ERANGE);
		return;
	}
	if (len == 0 || len > kd->max_len) {
		assert_null(p);
		assert_int_equal(errno, EMSGSIZE);
		return;
	}
	assert_non_null(p);
	assert_int_equal((uint64_t)(p - kd->k.area) % kd->frame_size, kd->headroom);
	if (m->res[i].len)
		assert_ptr_equal(p, kd->k.area + m->res[i].addr);	/* same frame as last time */
	m->res[i].addr = (uint64_t)(p - kd->k.area);
	m->res[i].len = len;
	m->res[i].id = kd->next_id++;
	kd_pattern_write(p, len, m->res[i].id);
}

static void user_tx_commit(struct kd *kd, struct txmodel *m)
{
	uint32_t prefix = 0, n, i, prod0 = *kd->k.tx.producer;
	int unpeeked = 0;

	while (prefix < m->nres && m->res[prefix].len)
		prefix++;
	if (kd_below(kd, 16) == 0) {
		n = m->nres + 1 + kd_below(kd, 4);
		errno = 0;
		assert_int_equal(xdpsock_tx_commit_n(kd->tx, n), -ERANGE);
		assert_int_equal(errno, ERANGE);
		return;
	}
	n = kd_below(kd, 4) ? kd_below(kd, prefix + 1) : kd_below(kd, m->nres + 1);
	for (i = 0; i < n; i++)
		unpeeked |= !m->res[i].len;
	errno = 0;
	if (unpeeked) {
		assert_int_equal(xdpsock_tx_commit_n(kd->tx, n), -EINVAL);
		assert_int_equal(errno, EINVAL);
		assert_int_equal(*kd->k.tx.producer, prod0);
		assert_int_equal(kd->tx->q.nres, m->nres);
		return;
	}
	assert_int_equal(xdpsock_tx_commit_n(kd->tx, n), (int)n);
	assert_int_equal(*kd->k.tx.producer, prod0 + n);
	for (i = 0; i < n; i++)
		kd_push(&kd->txq, m->res[i]);
	memmove(m->res, m->res + n, (m->nres - n) * sizeof(m->res[0]));
	m->nres -= n;
	m->committed += n;
}

/* xdpsock_tx_send: one frame, the oldest reserved one if any, peeked with @len, committed, kicked. */
static void user_tx_send(struct kd *kd, struct txmodel *m)
{
	const struct xdpsock__txq *q = &kd->tx->q;
	uint32_t len = kd_rand_len(kd), free, space, id = kd->next_id++;
	static uint8_t buf[4096];
	int avail, ret;

	kd_pattern_write(buf, len, id);
	if (m->nres) {
		avail = 1;
	} else {
		free = kd->u->free.count;
		if (!free)
			free = kd->cq_prod - q->cq.cached_cons;
		space = kd->k.tx.size - (q->tx.cached_prod - kd->tx_cons);
		avail = free && space;
	}
	ret = xdpsock_tx_send(kd->tx, buf, len);
	if (!avail) {
		assert_int_equal(ret, -EAGAIN);
		assert_int_equal(m->nres, 0);
		return;
	}
	assert_int_equal(ret, 0);
	m->res[0].addr = xdpsock__desc(&q->tx, q->tx.cached_prod - 1)->addr;
	m->res[0].len = len;
	m->res[0].id = id;
	assert_true(kd_pattern_ok(kd->k.area + m->res[0].addr, len, id));
	kd_push(&kd->txq, m->res[0]);
	if (m->nres) {
		memmove(m->res, m->res + 1, (m->nres - 1) * sizeof(m->res[0]));
		m->nres--;
	}
	m->committed++;
}

/*
 * The kernel misbehaves: a descriptor outside the UMEM, or (rarely, as the frame is lost for
 * good) one that runs past the end of a frame it took from the fill ring.
 */
static uint64_t kd_produce_bad(struct kd *kd)
{
	struct xdp_desc d;
	struct kd_pkt e = { .addr = UINT64_MAX, .id = 0 };

	if (!kd_rx_space(kd))
		return 0;
	if (kd->rxpool.count && kd->nlost < 4 && kd_below(kd, 64) == 0) {
		e.addr = kd_pop(&kd->rxpool).addr;
		d.addr = e.addr + kd->frame_size - 1 - kd_below(kd, 64);
		d.len = (uint32_t)(e.addr + kd->frame_size - d.addr) + 1 + kd_below(kd, 100);
	} else {
		d.addr = kd->umem_size + kd_below(kd, 3) * kd_below(kd, 1u << 20);
		d.len = 1 + kd_below(kd, 64);
	}
	d.options = 0;
	assert_int_equal(kd_rx_put_descs(kd, &d, 1), 1);
	kd_push(&kd->rxq, e);
	return 1;
}

static void run_random(const struct run *rp)
{
	struct xdpsock_opts o = kd_opts(rp->frame_size, rp->frames, rp->ring, rp->headroom);
	uint64_t seed = env_u64("XDPSOCK_TEST_SEED", rp->seed);
	uint64_t steps = env_u64("XDPSOCK_TEST_STEPS", DEF_STEPS), s;
	static struct txmodel tm;
	struct rxmodel rm = { 0 };
	struct xdpsock_stats st;
	struct kd kd;
	uint64_t rx_seen, bad = 0, guard;

	assert_true(rp->ring <= 1024);
	print_message("    seed %llu, %llu steps, %u x %u-byte frames, rings of %u, headroom %u, start 0x%x\n",
		      (unsigned long long)seed, (unsigned long long)steps, rp->frames, rp->frame_size, rp->ring,
		      rp->headroom, rp->start);
	memset(&tm, 0, sizeof(tm));
	assert_int_equal(kd_init(&kd, &o, rp->start, seed), 0);
	kd.check_tx = 1;
	kd_check(&kd);

	for (s = 0; s < steps; s++) {
		/* Amounts up to a bit more than a ring, mostly small. */
		uint32_t amt = kd_below(&kd, 4) ? kd_below(&kd, 9) : kd_below(&kd, rp->ring + 3);

		switch (kd_below(&kd, 12)) {
		case 0:
			kd_consume_fill(&kd, amt);
			break;
		case 1:
			kd_produce_rx(&kd, amt, NULL);
			break;
		case 2:
			kd_consume_tx(&kd, amt, NULL);
			break;
		case 3:
			kd_complete(&kd, amt);
			break;
		case 4:
			user_rx_seek(&kd, &rm);
			break;
		case 5:
			user_rx_commit(&kd, &rm);
			break;
		case 6:
			user_tx_seek(&kd, &tm);
			break;
		case 7:
		case 8:
			user_tx_peek(&kd, &tm);
			break;
		case 9:
			user_tx_commit(&kd, &tm);
			break;
		case 10:
			if (kd_below(&kd, 4) == 0)
				bad += kd_produce_bad(&kd);
			break;
		case 11:
			if (kd_below(&kd, 2))
				user_tx_send(&kd, &tm);
			else
				assert_int_equal(xdpsock_tx_kick(kd.tx), 0);	/* need_wakeup not asked: no syscall */
			break;
		}
		kd_check(&kd);
	}

	/* Drain: everything received is seen and released, everything reserved is sent and completed. */
	rx_seen = rm.committed;
	for (guard = 0; kd.rxpool.count || kd.rxq.count; guard++) {
		assert_true(guard < 10 * rp->frames);
		kd_produce_rx(&kd, rp->ring, NULL);
		user_rx_seek(&kd, &rm);
		assert_int_equal(xdpsock_rx_commit_n(kd.rx, rm.held), (int)rm.held);
		for (uint32_t i = 0; i < rm.held; i++)
			kd_pop(&kd.rxq);
		rm.committed += rm.held;
		rm.held = rm.verified = 0;
		kd_check(&kd);
	}
	for (uint32_t i = 0; i < tm.nres; i++)
		if (!tm.res[i].len) {
			uint8_t *p = xdpsock_tx_peek_at(kd.tx, i, 1);

			assert_non_null(p);
			tm.res[i] = (struct kd_pkt){ .addr = (uint64_t)(p - kd.k.area), .len = 1, .id = kd.next_id++ };
			kd_pattern_write(p, 1, tm.res[i].id);
		}
	assert_int_equal(xdpsock_tx_commit_n(kd.tx, tm.nres), (int)tm.nres);
	for (uint32_t i = 0; i < tm.nres; i++)
		kd_push(&kd.txq, tm.res[i]);
	tm.committed += tm.nres;
	tm.nres = 0;
	for (guard = 0; kd_tx_avail(&kd) || kd.txpool.count; guard++) {
		assert_true(guard < 10 * rp->frames);
		kd_consume_tx(&kd, rp->ring, NULL);
		kd_complete(&kd, rp->ring);
		xdpsock__tx_reclaim(&kd.tx->q);
		kd_check(&kd);
	}
	xdpsock__tx_reclaim(&kd.tx->q);	/* completions left from before the drain */
	kd_check(&kd);
	assert_int_equal(kd.txq.count, 0);
	assert_int_equal(xdpsock_rx_stats(kd.rx, &st), 0);
	/* Every frame is back with the library (free list or fill ring), but those lost to bad descriptors. */
	assert_int_equal(st.frames.free + st.frames.fill, rp->frames - kd.nlost);
	assert_int_equal(st.frames.kernel, kd.nlost);
	assert_int_equal(st.rx_frames, rm.committed);
	assert_int_equal(st.tx_frames, tm.committed);
	assert_int_equal(st.tx_completed, tm.committed);
	assert_int_equal(st.rx_bad_descs, bad);
	assert_int_equal(st.tx_bad_descs, 0);
	assert_int_equal(kd.n_rx + bad, rm.committed);
	assert_int_equal(kd.n_tx, tm.committed);
	print_message("    %llu received (%llu bad, %u frames lost), %llu sent, %llu deferred, %llu fill-ring entries\n",
		      (unsigned long long)rm.committed, (unsigned long long)bad, kd.nlost,
		      (unsigned long long)tm.committed, (unsigned long long)st.rx_deferred,
		      (unsigned long long)kd.n_fill);
	/* The run exercised what it is meant to. */
	if (steps >= DEF_STEPS) {
		assert_true(rx_seen > steps / 50);
		assert_true(tm.committed > steps / 50);
		assert_true(st.rx_deferred > 0);
		assert_true(bad > 0 && kd.nlost > 0);
		/* Every index went round the 32-bit space at least once when starting near the top. */
		if (rp->start > UINT32_MAX - 1000u) {
			assert_true((uint64_t)rp->start + kd.n_fill > UINT32_MAX);
			assert_true((uint64_t)rp->start + kd.n_rx > UINT32_MAX);
			assert_true((uint64_t)rp->start + kd.n_tx > UINT32_MAX);
			assert_true((uint64_t)rp->start + kd.n_comp > UINT32_MAX);
		}
	}
	kd_fini(&kd);
}

static void test_frames_random_start0(void **state)
{
	const struct run r = { .frame_size = 2048, .frames = 128, .ring = 32, .headroom = 0, .start = 0,
			       .seed = 0x5eed0001 };

	(void)state;
	run_random(&r);
}

static void test_frames_random_wrap(void **state)
{
	const struct run r = { .frame_size = 2048, .frames = 128, .ring = 32, .headroom = 0,
			       .start = 0xFFFFFF00u, .seed = 0x5eed0002 };

	(void)state;
	run_random(&r);
}

/* Headroom, 4096-byte frames, unequal pressure (few spare frames), rings of 16, across 2^32. */
static void test_frames_random_wrap_headroom(void **state)
{
	const struct run r = { .frame_size = 4096, .frames = 40, .ring = 16, .headroom = 512,
			       .start = UINT32_MAX - 7, .seed = 0x5eed0003 };

	(void)state;
	run_random(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frames_random_start0),
		cmocka_unit_test(test_frames_random_wrap),
		cmocka_unit_test(test_frames_random_wrap_headroom),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
