/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * tests/unit/kdouble.h - an in-memory "kernel" for the unit tests.
 *
 * xdpsock__mock_create() builds a real TX/RX pair over rings in heap memory and hands us
 * the kernel's side of each ring (struct xdpsock_mock).  struct kd plays that side the way
 * the kernel does: it load-acquires the user's producer, reads slots, store-releases its
 * consumer (fill, TX); it writes slots, then store-releases its producer after a
 * load-acquire of the user's consumer (RX, completion).  It keeps its own ring indices and
 * remembers every frame it holds, so that kd_check() can find every UMEM frame in exactly
 * one place.
 *
 * Frames move through the double in FIFO order, as in the kernel:
 *   fill ring -> rxpool -> RX ring (expected in rxq until the user commits)
 *   TX ring -> txpool -> completion ring
 *
 * Everything is static inline: each test file uses a different subset.
 */
#ifndef XDPSOCK_TEST_KDOUBLE_H
#define XDPSOCK_TEST_KDOUBLE_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mock.h"

/* One packet or frame as the double tracks it. */
struct kd_pkt {
	uint64_t addr;		/* as in the descriptor (frame base + offset) */
	uint32_t len;
	uint32_t id;		/* payload pattern; 0: unpeeked / no payload */
};

/* A bounded FIFO of kd_pkt. */
struct kd_fifo {
	struct kd_pkt *v;
	uint32_t head, count, cap;
};

struct kd {
	struct xdpsock_mock k;
	struct xdpsock_tx *tx;
	struct xdpsock_rx *rx;
	struct xdpsock_umem *u;
	uint32_t frame_size, frame_count, headroom, max_len;
	uint64_t umem_size;
	/* The kernel's own indices (what it has published, but for rx_unpub). */
	uint32_t fq_cons, rx_prod, tx_cons, cq_prod;
	uint32_t rx_unpub;	/* RX descriptors written before rx_prod but not yet published (kd_rx_pkt) */
	struct kd_fifo rxpool;	/* taken from the fill ring (addr = frame base), not yet received into */
	struct kd_fifo txpool;	/* TX descriptors taken from the TX ring, not yet completed */
	struct kd_fifo rxq;	/* RX packets produced, not yet released by the user's rx commit */
	struct kd_fifo txq;	/* with check_tx: what the TX ring must carry next, in order */
	int check_tx;
	uint32_t next_id;
	uint64_t rng;
	/* Totals moved by the double. */
	uint64_t n_fill, n_rx, n_tx, n_comp;
	uint8_t *where;		/* kd_check scratch: one byte per frame */
	/* Frames given to the user in a descriptor that failed validation: gone for good. */
	uint64_t lost[16];
	uint32_t nlost;
};

/* ---- helpers ------------------------------------------------------------- */

static inline uint64_t kd_rand(struct kd *kd)
{
	/* xorshift64* */
	uint64_t x = kd->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	kd->rng = x;
	return x * 0x2545F4914F6CDD1DULL;
}

static inline uint32_t kd_below(struct kd *kd, uint32_t n)
{
	return n ? (uint32_t)(kd_rand(kd) % n) : 0;
}

static inline uint8_t kd_byte(uint32_t id, uint32_t j)
{
	uint32_t h = id * 2654435761u;

	return (uint8_t)((h >> 24) ^ (h >> 11) ^ (j * 13u) ^ (j >> 8));
}

/* Write the payload of packet @id: its id in the first bytes, then a pattern. */
static inline void kd_pattern_write(uint8_t *p, uint32_t len, uint32_t id)
{
	uint32_t j;

	for (j = 0; j < len; j++)
		p[j] = kd_byte(id, j);
	if (len >= 4)
		memcpy(p, &id, 4);
}

static inline int kd_pattern_ok(const uint8_t *p, uint32_t len, uint32_t id)
{
	uint32_t j = 0;

	if (len >= 4) {
		if (memcmp(p, &id, 4))
			return 0;
		j = 4;
	}
	for (; j < len; j++)
		if (p[j] != kd_byte(id, j))
			return 0;
	return 1;
}

static inline void kd_fifo_init(struct kd_fifo *f, uint32_t cap)
{
	f->v = calloc(cap, sizeof(*f->v));
	assert_non_null(f->v);
	f->head = f->count = 0;
	f->cap = cap;
}

static inline void kd_push(struct kd_fifo *f, struct kd_pkt p)
{
	assert_true(f->count < f->cap);
	f->v[(f->head + f->count++) % f->cap] = p;
}

static inline struct kd_pkt kd_pop(struct kd_fifo *f)
{
	struct kd_pkt p;

	assert_true(f->count > 0);
	p = f->v[f->head];
	f->head = (f->head + 1) % f->cap;
	f->count--;
	return p;
}

/* The i-th oldest element. */
static inline struct kd_pkt *kd_at(struct kd_fifo *f, uint32_t i)
{
	assert_true(i < f->count);
	return &f->v[(f->head + i) % f->cap];
}

static inline uint32_t kd_min(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/* ---- life cycle ---------------------------------------------------------- */

/* A pair over mock rings; @o may be NULL (defaults).  Returns the mock_create result. */
static inline int kd_init(struct kd *kd, const struct xdpsock_opts *o, uint32_t start, uint64_t seed)
{
	int err;

	memset(kd, 0, sizeof(*kd));
	kd->k.start = start;
	kd->rng = seed ? seed : 0x9E3779B97F4A7C15ULL;
	kd->next_id = 1;
	err = xdpsock__mock_create(&kd->tx, &kd->rx, o, &kd->k);
	if (err)
		return err;
	kd->u = kd->tx->sk->umem;
	kd->frame_size = kd->u->frame_size;
	kd->frame_count = kd->u->frame_count;
	kd->headroom = kd->u->headroom;
	kd->max_len = kd->frame_size - kd->headroom;
	kd->umem_size = kd->k.umem_size;
	kd->fq_cons = kd->rx_prod = kd->tx_cons = kd->cq_prod = start;
	kd_fifo_init(&kd->rxpool, kd->frame_count);
	kd_fifo_init(&kd->txpool, kd->frame_count);
	kd_fifo_init(&kd->rxq, kd->frame_count + kd->k.rx.size);
	kd_fifo_init(&kd->txq, kd->frame_count);
	kd->where = calloc(kd->frame_count, 1);
	assert_non_null(kd->where);
	return 0;
}

static inline void kd_fini(struct kd *kd)
{
	xdpsock_tx_destroy(kd->tx);
	xdpsock_rx_destroy(kd->rx);
	free(kd->rxpool.v);
	free(kd->txpool.v);
	free(kd->rxq.v);
	free(kd->txq.v);
	free(kd->where);
	memset(kd, 0, sizeof(*kd));
}

/* Options with every ring of @ring entries. */
static inline struct xdpsock_opts kd_opts(uint32_t frame_size, uint32_t frame_count, uint32_t ring, uint32_t headroom)
{
	struct xdpsock_opts o;

	memset(&o, 0, sizeof(o));
	o.sz = sizeof(o);
	o.frame_size = frame_size;
	o.frame_count = frame_count;
	o.rx_size = o.tx_size = o.fill_size = o.comp_size = ring;
	o.headroom = headroom;
	return o;
}

/* ---- the kernel's side of each ring ------------------------------------- */

/* Entries the user has published on the fill ring that the kernel has not taken. */
static inline uint32_t kd_fill_avail(struct kd *kd)
{
	uint32_t n = xdpsock__load_acquire(kd->k.fq.producer) - kd->fq_cons;

	assert_true(n <= kd->k.fq.size);
	return n;
}

/* The fill-ring entry @i places after the kernel's consumer. */
static inline uint64_t kd_fill_peek(struct kd *kd, uint32_t i)
{
	return *xdpsock__addr(&kd->k.fq, kd->fq_cons + i);
}

/* Take up to @max frames from the fill ring into rxpool. */
static inline uint32_t kd_consume_fill(struct kd *kd, uint32_t max)
{
	uint32_t n = kd_min(kd_fill_avail(kd), max), i;

	for (i = 0; i < n; i++) {
		uint64_t a = *xdpsock__addr(&kd->k.fq, kd->fq_cons + i);

		/* The kernel rejects (and drops) anything but a frame base inside the UMEM. */
		assert_true(a < kd->umem_size);
		assert_int_equal(a % kd->frame_size, 0);
		kd_push(&kd->rxpool, (struct kd_pkt){ .addr = a });
	}
	kd->fq_cons += n;
	kd->n_fill += n;
	/* Slots read before they are handed back. */
	xdpsock__store_release(kd->k.fq.consumer, kd->fq_cons);
	return n;
}

static inline uint32_t kd_rx_space(struct kd *kd)
{
	uint32_t used = kd->rx_prod - xdpsock__load_acquire(kd->k.rx.consumer);

	assert_true(used <= kd->k.rx.size);
	return kd->k.rx.size - used;
}

/* A random length: mostly short, sometimes the largest that fits. */
static inline uint32_t kd_rand_len(struct kd *kd)
{
	uint32_t r = kd_below(kd, 32);

	if (r == 0)
		return kd->max_len;
	if (r == 1)
		return 1 + kd_below(kd, kd->max_len);
	return 1 + kd_below(kd, 64);
}

/* Publish raw RX descriptors (any addr/len: used for bad descriptors).  Returns how many fit. */
static inline uint32_t kd_rx_put_descs(struct kd *kd, const struct xdp_desc *d, uint32_t n)
{
	uint32_t i;

	n = kd_min(n, kd_rx_space(kd));
	for (i = 0; i < n; i++)
		*xdpsock__desc(&kd->k.rx, kd->rx_prod + i) = d[i];
	kd->rx_prod += n;
	/* Descriptors before index. */
	xdpsock__store_release(kd->k.rx.producer, kd->rx_prod);
	return n;
}

/*
 * Receive up to @max packets into frames of rxpool: payload at frame base + headroom (+ @extra,
 * e.g. the 256 bytes of XDP_PACKET_HEADROOM in copy mode), lengths from @lens or random.
 */
static inline uint32_t kd_produce_rx_off(struct kd *kd, uint32_t max, const uint32_t *lens, uint32_t extra)
{
	uint32_t n = kd_min(kd_min(max, kd->rxpool.count), kd_rx_space(kd)), i;

	for (i = 0; i < n; i++) {
		struct kd_pkt p = kd_pop(&kd->rxpool);
		struct xdp_desc *d = xdpsock__desc(&kd->k.rx, kd->rx_prod + i);

		p.addr += kd->headroom + extra;
		p.len = lens ? lens[i] : kd_rand_len(kd);
		if (p.len > kd->max_len - extra)
			p.len = kd->max_len - extra;
		p.id = kd->next_id++;
		kd_pattern_write(kd->k.area + p.addr, p.len, p.id);
		d->addr = p.addr;
		d->len = p.len;
		d->options = 0;
		kd_push(&kd->rxq, p);
	}
	kd->rx_prod += n;
	kd->n_rx += n;
	/* Payload and descriptors before index: pairs with the user's load-acquire. */
	xdpsock__store_release(kd->k.rx.producer, kd->rx_prod);
	return n;
}

static inline uint32_t kd_produce_rx(struct kd *kd, uint32_t max, const uint32_t *lens)
{
	return kd_produce_rx_off(kd, max, lens, 0);
}

#ifndef XDP_PKT_CONTD
#define XDP_PKT_CONTD (1 << 0)	/* linux >= 6.6 */
#endif

/*
 * Multi-buffer RX as the kernel's copy mode does it: one packet of @len bytes (pattern of a new
 * id over the whole packet) cut into frames of @seg bytes at base + headroom + 256, every
 * descriptor but the last marked XDP_PKT_CONTD.  With @cut, only the first @cut descriptors are
 * written, all marked (the rest "never comes").  The last @held descriptors written are not
 * published yet (kd_rx_publish() does): a packet whose end is still on its way.  Each descriptor
 * is also pushed on rxq.  Returns the descriptors written (0 when frames or ring room are short),
 * the id in *@id.
 */
static inline uint32_t kd_rx_pkt_held(struct kd *kd, uint32_t len, uint32_t seg, uint32_t cut, uint32_t held,
				      uint32_t *id)
{
	uint32_t segs = (len + seg - 1) / seg, n = cut ? cut : segs, i, off = 0;
	uint8_t *buf;

	assert_true(seg <= kd->max_len - 256 && len > 0 && held <= n && !kd->rx_unpub);
	if (n > kd->rxpool.count || n > kd_rx_space(kd))
		return 0;
	buf = malloc(len);
	assert_non_null(buf);
	*id = kd->next_id++;
	kd_pattern_write(buf, len, *id);
	for (i = 0; i < n; i++) {
		struct kd_pkt p = kd_pop(&kd->rxpool);
		struct xdp_desc *d = xdpsock__desc(&kd->k.rx, kd->rx_prod + i);

		p.addr += kd->headroom + 256;
		p.len = len - off < seg ? len - off : seg;
		p.id = *id;
		memcpy(kd->k.area + p.addr, buf + off, p.len);
		off += p.len;
		d->addr = p.addr;
		d->len = p.len;
		d->options = cut || i + 1 < segs ? XDP_PKT_CONTD : 0;
		kd_push(&kd->rxq, p);
	}
	free(buf);
	kd->rx_prod += n;
	kd->rx_unpub = held;
	kd->n_rx += n;
	/* Payload and descriptors before index: pairs with the user's load-acquire. */
	xdpsock__store_release(kd->k.rx.producer, kd->rx_prod - held);
	return n;
}

static inline uint32_t kd_rx_pkt(struct kd *kd, uint32_t len, uint32_t seg, uint32_t cut, uint32_t *id)
{
	return kd_rx_pkt_held(kd, len, seg, cut, 0, id);
}

/* Publish the descriptors kd_rx_pkt_held() kept back. */
static inline void kd_rx_publish(struct kd *kd)
{
	kd->rx_unpub = 0;
	xdpsock__store_release(kd->k.rx.producer, kd->rx_prod);
}

/* Bytes of the packet starting at @p (@len) are those of packet @id. */
static inline int kd_pkt_ok(const uint8_t *p, uint32_t len, uint32_t id)
{
	return kd_pattern_ok(p, len, id);
}

/* TX descriptors published by the user and not yet taken. */
static inline uint32_t kd_tx_avail(struct kd *kd)
{
	uint32_t n = xdpsock__load_acquire(kd->k.tx.producer) - kd->tx_cons;

	assert_true(n <= kd->k.tx.size);
	return n;
}

/*
 * "Transmit" up to @max TX descriptors: check each is a frame of the UMEM at base + headroom
 * with 1..max_len bytes; with check_tx, compare with txq in order (addr, len, every byte).
 * Copies the descriptors to @out when given.  The frames wait in txpool for completion.
 */
static inline uint32_t kd_consume_tx(struct kd *kd, uint32_t max, struct xdp_desc *out)
{
	uint32_t n = kd_min(kd_tx_avail(kd), max), i;

	for (i = 0; i < n; i++) {
		struct xdp_desc d = *xdpsock__desc(&kd->k.tx, kd->tx_cons + i);

		assert_true(d.addr < kd->umem_size);
		/* At base + headroom, or where copy-mode RX put it (forwarded): + XDP_PACKET_HEADROOM. */
		assert_true(d.addr % kd->frame_size == kd->headroom || d.addr % kd->frame_size == kd->headroom + 256);
		assert_in_range(d.len, 1, kd->max_len);
		if (kd->check_tx) {
			struct kd_pkt e = kd_pop(&kd->txq);

			assert_int_equal(d.addr, e.addr);
			assert_int_equal(d.len, e.len);
			assert_true(kd_pattern_ok(kd->k.area + d.addr, d.len, e.id));
		}
		if (out)
			out[i] = d;
		kd_push(&kd->txpool, (struct kd_pkt){ .addr = d.addr, .len = d.len });
	}
	kd->tx_cons += n;
	kd->n_tx += n;
	/* Slots read before they are handed back. */
	xdpsock__store_release(kd->k.tx.consumer, kd->tx_cons);
	return n;
}

static inline uint32_t kd_cq_space(struct kd *kd)
{
	uint32_t used = kd->cq_prod - xdpsock__load_acquire(kd->k.cq.consumer);

	assert_true(used <= kd->k.cq.size);
	return kd->k.cq.size - used;
}

/* Complete up to @max transmitted frames, in order (the address as it was in the TX descriptor). */
static inline uint32_t kd_complete(struct kd *kd, uint32_t max)
{
	uint32_t n = kd_min(kd_min(max, kd->txpool.count), kd_cq_space(kd)), i;

	for (i = 0; i < n; i++)
		*xdpsock__addr(&kd->k.cq, kd->cq_prod + i) = kd_pop(&kd->txpool).addr;
	kd->cq_prod += n;
	kd->n_comp += n;
	xdpsock__store_release(kd->k.cq.producer, kd->cq_prod);
	return n;
}

/* Publish raw completion addresses (used for bad completions). */
static inline uint32_t kd_cq_put(struct kd *kd, const uint64_t *a, uint32_t n)
{
	uint32_t i;

	n = kd_min(n, kd_cq_space(kd));
	for (i = 0; i < n; i++)
		*xdpsock__addr(&kd->k.cq, kd->cq_prod + i) = a[i];
	kd->cq_prod += n;
	xdpsock__store_release(kd->k.cq.producer, kd->cq_prod);
	return n;
}

/* ---- the census ---------------------------------------------------------- */

enum { W_NONE, W_FREE, W_FILL, W_KFILL, W_RXRING, W_HELD, W_RESERVED, W_TXRING, W_KTX, W_COMP, W_LOST };

static inline const char *kd_wname(int w)
{
	static const char *const n[] = {
		"nowhere", "free list", "fill ring", "kernel (from fill)", "RX ring", "user (RX held)",
		"user (TX reserved)", "TX ring", "kernel (transmitting)", "completion ring", "lost (bad descriptor)",
	};
	return n[w];
}

/* Record frame of @addr at @w; @off: the offset it must have in its frame (-1: any). */
static inline void kd_mark(struct kd *kd, uint64_t addr, int w, int64_t off)
{
	uint64_t f;

	if (addr >= kd->umem_size)
		fail_msg("address 0x%llx in %s is outside the %llu-byte UMEM", (unsigned long long)addr,
			 kd_wname(w), (unsigned long long)kd->umem_size);
	/* A frame forwarded from RX keeps the copy-mode offset: headroom + XDP_PACKET_HEADROOM. */
	if (off >= 0 && addr % kd->frame_size != (uint64_t)off &&
	    !(w >= W_TXRING && w <= W_COMP && addr % kd->frame_size == (uint64_t)off + 256))
		fail_msg("address 0x%llx in %s has offset %llu in its frame, expected %lld", (unsigned long long)addr,
			 kd_wname(w), (unsigned long long)(addr % kd->frame_size), (long long)off);
	f = addr / kd->frame_size;
	if (kd->where[f] != W_NONE)
		fail_msg("frame %llu is both in %s and in %s", (unsigned long long)f, kd_wname(kd->where[f]),
			 kd_wname(w));
	kd->where[f] = (uint8_t)w;
}

/* Ring span [from, to) must not exceed @size (a wild index would make the loops below run for ever). */
static inline uint32_t kd_span(uint32_t from, uint32_t to, uint32_t size, const char *what)
{
	uint32_t n = to - from;

	if (n > size)
		fail_msg("%s holds %u entries, more than its size %u", what, n, size);
	return n;
}

/*
 * Every UMEM frame is in exactly one place, the published indices match the cached ones,
 * and xdpsock_*_stats()'s census agrees with the double's own count of each place.
 * Descriptors outside the UMEM are no frames and are skipped.  A descriptor inside the UMEM that
 * crosses a frame boundary is a frame until seek validates it, then lost for good: call this only
 * when no such descriptor is unseen, and list the frames lost that way in kd->lost.
 */
static inline void kd_check(struct kd *kd)
{
	const struct xdpsock__rxq *rq = &kd->rx->q;
	const struct xdpsock__txq *tq = &kd->tx->q;
	const struct xdpsock_frames *f = &kd->u->free;
	uint32_t i, n, n_fill, n_rx, n_held, n_tx, n_comp;
	struct xdpsock_stats st, st2;

	/* What the user side published is what it believes it published. */
	assert_int_equal(*rq->fq.producer, rq->fq.cached_prod);
	assert_int_equal(*rq->rx.consumer, rq->rx.cached_cons);
	assert_int_equal(*tq->tx.producer, tq->tx.cached_prod);
	assert_int_equal(*tq->cq.consumer, tq->cq.cached_cons);
	assert_int_equal(*kd->k.fq.consumer, kd->fq_cons);
	assert_int_equal(*kd->k.rx.producer, kd->rx_prod - kd->rx_unpub);
	assert_int_equal(*kd->k.tx.consumer, kd->tx_cons);
	assert_int_equal(*kd->k.cq.producer, kd->cq_prod);

	memset(kd->where, 0, kd->frame_count);
	assert_true(f->count <= f->cap);
	for (i = 0; i < f->count; i++)
		kd_mark(kd, f->addr[i], W_FREE, 0);
	n_fill = kd_span(kd->fq_cons, rq->fq.cached_prod, rq->fq.size, "fill ring");
	for (i = 0; i < n_fill; i++)
		kd_mark(kd, *xdpsock__addr(&rq->fq, kd->fq_cons + i), W_FILL, 0);
	for (i = 0; i < kd->rxpool.count; i++)
		kd_mark(kd, kd_at(&kd->rxpool, i)->addr, W_KFILL, 0);
	n = kd_span(rq->rx.cached_cons, kd->rx_prod - kd->rx_unpub, rq->rx.size, "RX ring");
	/* Written by the kernel but not published: still the kernel's. */
	for (i = 0; i < kd->rx_unpub; i++)
		kd_mark(kd, xdpsock__desc(&rq->rx, kd->rx_prod - kd->rx_unpub + i)->addr, W_KFILL, -1);
	assert_true(rq->nheld <= n);
	n_rx = n - rq->nheld;
	n_held = rq->nheld;
	for (i = 0; i < n; i++) {
		uint64_t a = xdpsock__desc(&rq->rx, rq->rx.cached_cons + i)->addr;

		/* A descriptor outside the UMEM (or marked bad by validation) is no frame. */
		if (a >= kd->umem_size) {
			if (i < rq->nheld)
				n_held--;
			else
				n_rx--;
			continue;
		}
		kd_mark(kd, a, i < rq->nheld ? W_HELD : W_RXRING, -1);
	}
	n_tx = kd_span(kd->tx_cons, tq->tx.cached_prod, tq->tx.size, "TX ring");
	assert_true(n_tx + tq->nres <= tq->tx.size);
	for (i = 0; i < n_tx + tq->nres; i++)
		kd_mark(kd, xdpsock__desc(&tq->tx, kd->tx_cons + i)->addr, i < n_tx ? W_TXRING : W_RESERVED,
			kd->headroom);
	for (i = 0; i < kd->txpool.count; i++)
		kd_mark(kd, kd_at(&kd->txpool, i)->addr, W_KTX, kd->headroom);
	for (i = 0; i < kd->nlost; i++)
		kd_mark(kd, kd->lost[i] - kd->lost[i] % kd->frame_size, W_LOST, 0);
	n_comp = kd_span(tq->cq.cached_cons, kd->cq_prod, tq->cq.size, "completion ring");
	for (i = 0; i < n_comp; i++)
		kd_mark(kd, *xdpsock__addr(&tq->cq, tq->cq.cached_cons + i), W_COMP, kd->headroom);
	for (i = 0; i < kd->frame_count; i++)
		if (kd->where[i] == W_NONE)
			fail_msg("frame %u (addr 0x%llx) is nowhere", i, (unsigned long long)i * kd->frame_size);

	/* The library's census says the same. */
	assert_int_equal(xdpsock_rx_stats(kd->rx, &st), 0);
	assert_int_equal(st.frames.total, kd->frame_count);
	assert_int_equal(st.frames.free, f->count);
	assert_int_equal(st.frames.fill, n_fill);
	assert_int_equal(st.frames.rx, n_rx);
	assert_int_equal(st.frames.user, n_held + tq->nres);
	assert_int_equal(st.frames.tx, n_tx);
	assert_int_equal(st.frames.comp, n_comp);
	/* A lost frame is in no ring and no list: the census can only count it as the kernel's. */
	assert_int_equal(st.frames.kernel, kd->rxpool.count + kd->txpool.count + kd->nlost + kd->rx_unpub);
	assert_int_equal(st.frames.total, st.frames.free + st.frames.user + st.frames.fill + st.frames.rx +
						  st.frames.tx + st.frames.comp + st.frames.kernel);
	/* Both halves of a pair report the same socket. */
	assert_int_equal(xdpsock_tx_stats(kd->tx, &st2), 0);
	assert_memory_equal(&st.frames, &st2.frames, sizeof(st.frames));
}

#endif
