/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * xdpsock/ring.h - the inline fast path of libxdpsock.
 *
 * Included by <xdpsock/xdpsock.h>; do not include it on its own.
 *
 * The structures below are exposed only so that seek/peek/commit can be
 * inlined into the caller's loop.  DO NOT TOUCH THEIR FIELDS: they are not
 * part of the API, only of the ABI of this soname.
 *
 * Ring memory is shared with the kernel.  Each ring has one producer and one
 * consumer; each side publishes its index with a store-release and reads the
 * other side's index with a load-acquire:
 *
 *   producer (writes slots, then)   store_release(*producer)  --+
 *                                                               | pairs with
 *   consumer                        load_acquire(*producer)   <-+  (then reads slots)
 *
 *   consumer (reads slots, then)    store_release(*consumer)  --+
 *                                                               | pairs with
 *   producer                        load_acquire(*consumer)   <-+  (then reuses slots)
 *
 * Indices are free-running u32 counters; only "index & mask" touches memory,
 * so wraparound at 2^32 needs no special case (ring sizes are powers of two).
 *
 * UMEM frames, one place each at all times:
 *
 *   free list --seek--> user(TX) --commit--> TX ring --kernel--> completion --seek--> free list
 *   free list --------> fill ring --kernel--> RX ring --seek--> user(RX) --commit--> fill ring
 *                                                                           (or the free list
 *                                                                            when the fill ring
 *                                                                            is momentarily full)
 */
#ifndef XDPSOCK_RING_H
#define XDPSOCK_RING_H

#ifndef XDPSOCK_XDPSOCK_H
#error "include <xdpsock/xdpsock.h>, not <xdpsock/ring.h>"
#endif

#include <errno.h>
#include <stdint.h>
#include <linux/if_xdp.h>

#ifdef __cplusplus
extern "C" {
#endif

#define XDPSOCK__LIKELY(x)   __builtin_expect(!!(x), 1)
#define XDPSOCK__UNLIKELY(x) __builtin_expect(!!(x), 0)

/* Marks an RX descriptor that failed validation (see xdpsock__rx_fetch). */
#define XDPSOCK__BAD_ADDR UINT64_MAX

/* xdp_desc.options: the packet continues in the next descriptor (linux >= 6.6's XDP_PKT_CONTD). */
#define XDPSOCK__CONTD 1u

/* One mmap'd ring seen from one side.  Do not touch. */
struct xdpsock_ring {
	uint32_t cached_prod;	/* producer side: our next publish; consumer side: kernel's last seen */
	uint32_t cached_cons;	/* producer side: kernel's consumer + size; consumer side: our published */
	uint32_t mask;
	uint32_t size;
	uint32_t *producer;
	uint32_t *consumer;
	uint32_t *flags;
	void *ring;		/* struct xdp_desc[] (RX, TX) or __u64[] (fill, completion) */
};

/* The UMEM's free list: a stack of frame base offsets.  Do not touch. */
struct xdpsock_frames {
	uint64_t *addr;
	uint32_t count;
	uint32_t cap;
};

/* Counters kept by the fast path, per batch.  Read them with xdpsock_*_stats(). */
struct xdpsock__counters {
	uint64_t frames;	/* RX: frames released by commit; TX: frames committed */
	uint64_t bad_descs;	/* RX: descriptors from the kernel that failed validation */
	uint64_t wakeups;	/* syscalls made because need_wakeup asked (or is off) */
	uint64_t deferred;	/* RX: frames that waited in the free list for fill-ring room */
	uint64_t completed;	/* TX: frames reclaimed from the completion ring */
	uint64_t forwarded;	/* RX: frames moved onto a TX ring by xdpsock_fwd_n() */
	uint64_t oversize;	/* RX: packets xdpsock_fwd_n() dropped for exceeding max_len */
	uint64_t too_long;	/* RX: packets dropped whole: more descriptors than max_segs */
};

/* Fast-path state of a TX handle; first member of struct xdpsock_tx.  Do not touch. */
struct xdpsock__txq {
	struct xdpsock_ring tx;		/* we produce */
	struct xdpsock_ring cq;		/* we consume */
	struct xdpsock_frames *free;
	uint8_t *area;
	uint32_t nres;			/* reserved slots after tx.cached_prod */
	uint32_t npeek;			/* reserved slots peeked at least once */
	uint32_t max_len;		/* frame_size - headroom */
	uint64_t headroom;
	int fd;
	int need_wakeup;		/* 0: kick always (need_wakeup off) */
	struct xdpsock__counters c;
	/* Appended in 0.2 (offsets above are the 0.1 ABI). */
	uint32_t max_segs;		/* multi-buffer: most descriptors in one packet; 0: single-buffer */
};

/* Fast-path state of an RX handle; first member of struct xdpsock_rx.  Do not touch. */
struct xdpsock__rxq {
	struct xdpsock_ring rx;		/* we consume */
	struct xdpsock_ring fq;		/* we produce */
	struct xdpsock_frames *free;
	uint8_t *area;
	uint32_t nheld;			/* validated frames after rx.cached_cons */
	uint32_t frame_size;
	uint64_t umem_size;
	uint64_t base_mask;		/* ~(frame_size - 1) */
	int fd;
	int need_wakeup;
	struct xdpsock__counters c;
	/*
	 * Appended in 0.2, multi-buffer sockets only.  Free-running ring indices, like cached_cons:
	 *   cached_cons <= cached_cons + nheld <= done <= seen <= kernel's producer
	 *   [cons, cons + nheld)  whole packets returned by seek (the user's)
	 *   [cons + nheld, done)  whole packets not returned yet (seek's n was smaller)
	 *   [done, seen)          validated, the start of a packet whose last descriptor is still to come
	 */
	uint32_t max_segs;		/* most descriptors in one packet; 0: single-buffer socket */
	uint32_t done;
	uint32_t seen;
	uint32_t skip;			/* dropping the rest of a packet longer than max_segs */
};

/* Out-of-line slow paths (lib/txrx.c), called from the inline functions below. */
XDPSOCK_API uint32_t xdpsock__tx_reserve(struct xdpsock__txq *q, uint32_t n);
XDPSOCK_API int xdpsock__tx_unpeeked(const struct xdpsock__txq *q, uint32_t n);
XDPSOCK_API int xdpsock__rx_fetch(struct xdpsock__rxq *q, uint32_t want);	/* 0.1: returned uint32_t, same values */
XDPSOCK_API int xdpsock__rx_release(struct xdpsock__rxq *q, uint32_t n);
XDPSOCK_API int xdpsock__rx_commit_mb(struct xdpsock__rxq *q, uint32_t n);
XDPSOCK_API int xdpsock__tx_check_pkts(const struct xdpsock__txq *q, uint32_t n);

#define xdpsock__txq(tx) ((struct xdpsock__txq *)(void *)(tx))
#define xdpsock__rxq(rx) ((struct xdpsock__rxq *)(void *)(rx))

static inline uint32_t xdpsock__load_acquire(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline void xdpsock__store_release(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static inline struct xdp_desc *xdpsock__desc(const struct xdpsock_ring *r, uint32_t idx)
{
	return &((struct xdp_desc *)r->ring)[idx & r->mask];
}

static inline uint64_t *xdpsock__addr(const struct xdpsock_ring *r, uint32_t idx)
{
	return &((uint64_t *)r->ring)[idx & r->mask];
}

/* Free slots a producer may fill, refreshing the kernel's consumer only when the cache says too few. */
static inline uint32_t xdpsock__prod_space(struct xdpsock_ring *r, uint32_t used, uint32_t want)
{
	uint32_t space = r->cached_cons - r->cached_prod - used;

	if (space < want) {
		/* Pairs with the kernel's store-release of *consumer after it read the slots. */
		r->cached_cons = xdpsock__load_acquire(r->consumer) + r->size;
		space = r->cached_cons - r->cached_prod - used;
	}
	return space;
}

/* ---- TX ------------------------------------------------------------------ */

XDPSOCK_INLINE int xdpsock_tx_seek_n(struct xdpsock_tx *tx, uint32_t n)
{
	struct xdpsock__txq *q = xdpsock__txq(tx);

	if (XDPSOCK__LIKELY(q->nres >= n))
		return (int)n;
	return (int)xdpsock__tx_reserve(q, n);
}

XDPSOCK_INLINE int xdpsock_tx_seek(struct xdpsock_tx *tx)
{
	return xdpsock_tx_seek_n(tx, 1);
}

XDPSOCK_INLINE void *xdpsock_tx_peek_at(struct xdpsock_tx *tx, uint32_t i, uint32_t len)
{
	struct xdpsock__txq *q = xdpsock__txq(tx);
	struct xdp_desc *d;

	if (XDPSOCK__UNLIKELY(i >= q->nres)) {
		errno = ERANGE;
		return NULL;
	}
	if (XDPSOCK__UNLIKELY(len - 1 >= q->max_len)) {	/* 0 wraps to UINT32_MAX */
		errno = EMSGSIZE;
		return NULL;
	}
	d = xdpsock__desc(&q->tx, q->tx.cached_prod + i);
	q->npeek += !d->len;	/* seek left len 0: count each frame's first peek */
	d->len = len;
	return q->area + d->addr;
}

XDPSOCK_INLINE void *xdpsock_tx_peek(struct xdpsock_tx *tx, uint32_t len)
{
	return xdpsock_tx_peek_at(tx, 0, len);
}

XDPSOCK_INLINE int xdpsock_tx_set_len(struct xdpsock_tx *tx, uint32_t i, uint32_t len)
{
	struct xdpsock__txq *q = xdpsock__txq(tx);
	struct xdp_desc *d;

	if (XDPSOCK__UNLIKELY(i >= q->nres)) {
		errno = ERANGE;
		return -ERANGE;
	}
	if (XDPSOCK__UNLIKELY(len - 1 >= q->max_len)) {	/* 0 wraps to UINT32_MAX */
		errno = EMSGSIZE;
		return -EMSGSIZE;
	}
	d = xdpsock__desc(&q->tx, q->tx.cached_prod + i);
	if (XDPSOCK__UNLIKELY(!d->len)) {	/* never peeked: peek_at keeps the count of peeked frames */
		errno = EINVAL;
		return -EINVAL;
	}
	d->len = len;
	return 0;
}

XDPSOCK_INLINE int xdpsock_tx_set_more(struct xdpsock_tx *tx, uint32_t i, int more)
{
	struct xdpsock__txq *q = xdpsock__txq(tx);

	if (XDPSOCK__UNLIKELY(i >= q->nres)) {
		errno = ERANGE;
		return -ERANGE;
	}
	/* A single-buffer socket's kernel takes any options bit as an invalid descriptor: the frame would leak. */
	if (XDPSOCK__UNLIKELY(!q->max_segs)) {
		errno = EOPNOTSUPP;
		return -EOPNOTSUPP;
	}
	xdpsock__desc(&q->tx, q->tx.cached_prod + i)->options = more ? XDPSOCK__CONTD : 0;
	return 0;
}

XDPSOCK_INLINE void *xdpsock_tx_seek_and_peek(struct xdpsock_tx *tx, uint32_t len)
{
	if (xdpsock_tx_seek_n(tx, 1) < 1) {
		errno = EAGAIN;
		return NULL;
	}
	return xdpsock_tx_peek_at(tx, 0, len);
}

XDPSOCK_INLINE int xdpsock_tx_commit_n(struct xdpsock_tx *tx, uint32_t n)
{
	struct xdpsock__txq *q = xdpsock__txq(tx);

	if (XDPSOCK__UNLIKELY(n > q->nres)) {
		errno = ERANGE;
		return -ERANGE;
	}
	/*
	 * A zero-length descriptor is dropped by the kernel without a completion: the frame would
	 * leak.  When every reserved frame was peeked (the usual batch) that is known at once;
	 * otherwise the first n are scanned.
	 */
	if (XDPSOCK__UNLIKELY(q->npeek != q->nres) && xdpsock__tx_unpeeked(q, n)) {
		errno = EINVAL;
		return -EINVAL;
	}
	/* Multi-buffer: whole packets only, none longer than the kernel takes (one branch otherwise). */
	if (XDPSOCK__UNLIKELY(q->max_segs)) {
		int err = xdpsock__tx_check_pkts(q, n);

		if (err) {
			errno = -err;
			return err;
		}
	}
	q->tx.cached_prod += n;
	q->nres -= n;
	q->npeek -= n;
	q->c.frames += n;
	/* Descriptors before index: pairs with the kernel's load-acquire of *producer. */
	xdpsock__store_release(q->tx.producer, q->tx.cached_prod);
	return (int)n;
}

XDPSOCK_INLINE int xdpsock_tx_commit(struct xdpsock_tx *tx)
{
	return xdpsock_tx_commit_n(tx, 1);
}

/* True when the kernel asked to be woken up (or need_wakeup is off). */
XDPSOCK_INLINE int xdpsock_tx_needs_kick(const struct xdpsock_tx *tx)
{
	const struct xdpsock__txq *q = (const struct xdpsock__txq *)(const void *)tx;

	return !q->need_wakeup || (__atomic_load_n(q->tx.flags, __ATOMIC_RELAXED) & XDP_RING_NEED_WAKEUP);
}

/* ---- RX ------------------------------------------------------------------ */

XDPSOCK_INLINE int xdpsock_rx_seek_n(struct xdpsock_rx *rx, uint32_t n)
{
	struct xdpsock__rxq *q = xdpsock__rxq(rx);

	/* Multi-buffer sockets always go out of line (whole packets only): single-buffer ones test
	 * the flag only when they hold enough already. */
	if (XDPSOCK__LIKELY(q->nheld >= n) && XDPSOCK__LIKELY(!q->max_segs))
		return (int)n;
	return xdpsock__rx_fetch(q, n);
}

XDPSOCK_INLINE int xdpsock_rx_seek(struct xdpsock_rx *rx)
{
	return xdpsock_rx_seek_n(rx, 1);
}

XDPSOCK_INLINE const void *xdpsock_rx_peek_at(struct xdpsock_rx *rx, uint32_t i, uint32_t *len)
{
	struct xdpsock__rxq *q = xdpsock__rxq(rx);
	const struct xdp_desc *d;

	if (XDPSOCK__UNLIKELY(i >= q->nheld)) {
		errno = ERANGE;
		return NULL;
	}
	d = xdpsock__desc(&q->rx, q->rx.cached_cons + i);
	if (XDPSOCK__UNLIKELY(d->addr == XDPSOCK__BAD_ADDR)) {
		errno = EBADMSG;
		return NULL;
	}
	if (len)
		*len = d->len;
	return q->area + d->addr;
}

XDPSOCK_INLINE const void *xdpsock_rx_peek(struct xdpsock_rx *rx, uint32_t *len)
{
	return xdpsock_rx_peek_at(rx, 0, len);
}

/* Whether frame i continues in frame i + 1 (multi-buffer sockets only). */
XDPSOCK_INLINE int xdpsock_rx_more_at(struct xdpsock_rx *rx, uint32_t i)
{
	struct xdpsock__rxq *q = xdpsock__rxq(rx);

	if (i >= q->nheld)
		return 0;
	return !!(xdpsock__desc(&q->rx, q->rx.cached_cons + i)->options & XDPSOCK__CONTD);
}

XDPSOCK_INLINE int xdpsock_rx_pkt_at(struct xdpsock_rx *rx, uint32_t i, uint32_t *segs, uint32_t *total_len)
{
	struct xdpsock__rxq *q = xdpsock__rxq(rx);
	const struct xdp_desc *d;
	uint32_t j, len = 0, bad = 0;

	if (XDPSOCK__UNLIKELY(i >= q->nheld)) {
		errno = ERANGE;
		return -ERANGE;
	}
	/* A packet starts after a descriptor that ends one (seek returns whole packets from 0). */
	if (XDPSOCK__UNLIKELY(i && (xdpsock__desc(&q->rx, q->rx.cached_cons + i - 1)->options & XDPSOCK__CONTD))) {
		errno = EINVAL;
		return -EINVAL;
	}
	for (j = i;; j++) {
		d = xdpsock__desc(&q->rx, q->rx.cached_cons + j);
		len += d->len;
		bad |= d->addr == XDPSOCK__BAD_ADDR;
		/* seek never returns a packet without its last descriptor; j + 1 == nheld ends it anyway. */
		if (!(d->options & XDPSOCK__CONTD) || j + 1 >= q->nheld)
			break;
	}
	if (segs)
		*segs = j + 1 - i;
	if (total_len)
		*total_len = len;
	if (XDPSOCK__UNLIKELY(bad)) {
		errno = EBADMSG;
		return -EBADMSG;
	}
	return 0;
}

XDPSOCK_INLINE int xdpsock_rx_commit_n(struct xdpsock_rx *rx, uint32_t n)
{
	struct xdpsock__rxq *q = xdpsock__rxq(rx);
	uint32_t space, i, fill = 0, cons = q->rx.cached_cons, prod = q->fq.cached_prod;

	if (XDPSOCK__UNLIKELY(n > q->nheld)) {
		errno = ERANGE;
		return -ERANGE;
	}
	/* Multi-buffer: out of line (never releases part of a packet); single-buffer pays this branch. */
	if (XDPSOCK__UNLIKELY(q->max_segs))
		return xdpsock__rx_commit_mb(q, n);
	space = xdpsock__prod_space(&q->fq, 0, n);
	if (XDPSOCK__UNLIKELY(space < n))
		return xdpsock__rx_release(q, n);	/* fill ring momentarily full: some frames wait */
	for (i = 0; i < n; i++) {
		uint64_t a = xdpsock__desc(&q->rx, cons + i)->addr;

		/* A bad descriptor is not a frame of ours (counted at seek): never recycled. */
		if (XDPSOCK__LIKELY(a != XDPSOCK__BAD_ADDR))
			*xdpsock__addr(&q->fq, prod + fill++) = a & q->base_mask;
	}
	q->fq.cached_prod = prod + fill;
	q->rx.cached_cons = cons + n;
	q->nheld -= n;
	q->c.frames += n;
	/* Addresses before index: pairs with the kernel's load-acquire of the fill *producer. */
	xdpsock__store_release(q->fq.producer, q->fq.cached_prod);
	/* Descriptors read before the slots are returned: pairs with the kernel's load-acquire of *consumer. */
	xdpsock__store_release(q->rx.consumer, q->rx.cached_cons);
	return (int)n;
}

XDPSOCK_INLINE int xdpsock_rx_commit(struct xdpsock_rx *rx)
{
	return xdpsock_rx_commit_n(rx, 1);
}

#ifdef __cplusplus
}
#endif

#endif /* XDPSOCK_RING_H */
