// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * The out-of-line parts of seek/peek/commit: reclaiming completions, fetching
 * and validating RX descriptors, waking the kernel, waiting, counters.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "internal.h"

/* Move every completed frame to the free list: one acquire load, one release store. */
uint32_t xdpsock__tx_reclaim(struct xdpsock__txq *q)
{
	struct xdpsock_frames *f = q->free;
	uint64_t fsize = q->max_len + q->headroom, mask = ~(fsize - 1), limit = (uint64_t)f->cap * fsize;
	uint32_t i, n, cons = q->cq.cached_cons;

	/* Pairs with the kernel's store-release of the completion *producer. */
	q->cq.cached_prod = xdpsock__load_acquire(q->cq.producer);
	n = q->cq.cached_prod - cons;
	if (!n)
		return 0;
	/* The kernel hands back what we gave it; anything else would corrupt the free list. */
	for (i = 0; i < n; i++) {
		uint64_t a = *xdpsock__addr(&q->cq, cons + i);

		if (XDPSOCK__LIKELY(a < limit && f->count < f->cap))
			f->addr[f->count++] = a & mask;
		else
			q->c.bad_descs++;
	}
	q->cq.cached_cons = cons + n;
	q->c.completed += n;
	/* Slots read before they are handed back: pairs with the kernel's load-acquire of *consumer. */
	xdpsock__store_release(q->cq.consumer, q->cq.cached_cons);
	return n;
}

static inline void tx_desc_init(struct xdp_desc *d, uint64_t addr)
{
	d->addr = addr;
	d->len = 0;	/* commit refuses a frame that was never peeked */
	d->options = 0;
}

/*
 * Top the reservation up to n: free frames first, then completed ones taken straight from
 * the completion ring into TX descriptors, so a steady sender touches each frame once.
 */
uint32_t xdpsock__tx_reserve(struct xdpsock__txq *q, uint32_t n)
{
	struct xdpsock_frames *f = q->free;
	uint64_t fsize = q->max_len + q->headroom, mask = ~(fsize - 1), limit = (uint64_t)f->cap * fsize;
	uint32_t want = n - q->nres, take, slot, k, i, done, cons, avail;

	take = xdpsock__prod_space(&q->tx, q->nres, want);
	if (take > want)
		take = want;
	slot = q->tx.cached_prod + q->nres;
	k = take < f->count ? take : f->count;
	for (i = 0; i < k; i++)
		tx_desc_init(xdpsock__desc(&q->tx, slot + i), f->addr[--f->count] + q->headroom);
	done = k;
	if (done < take) {
		cons = q->cq.cached_cons;
		avail = q->cq.cached_prod - cons;
		if (avail < take - done) {
			/* Pairs with the kernel's store-release of the completion *producer. */
			q->cq.cached_prod = xdpsock__load_acquire(q->cq.producer);
			avail = q->cq.cached_prod - cons;
		}
		if (avail > take - done)
			avail = take - done;
		for (i = 0; i < avail; i++) {
			uint64_t a = *xdpsock__addr(&q->cq, cons + i);

			/* The kernel hands back what we gave it; anything else is counted and dropped. */
			if (XDPSOCK__UNLIKELY(a >= limit)) {
				q->c.bad_descs++;
				continue;
			}
			tx_desc_init(xdpsock__desc(&q->tx, slot + done++), (a & mask) + q->headroom);
		}
		if (avail) {
			q->cq.cached_cons = cons + avail;
			q->c.completed += avail;
			/* Slots read before they are handed back: pairs with the kernel's load-acquire of *consumer. */
			xdpsock__store_release(q->cq.consumer, q->cq.cached_cons);
		}
	}
	q->nres += done;
	return q->nres < n ? q->nres : n;
}

int xdpsock__tx_unpeeked(const struct xdpsock__txq *q, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		if (!xdpsock__desc(&q->tx, q->tx.cached_prod + i)->len)
			return 1;
	return 0;
}

/*
 * Validate descriptors as they arrive: inside the UMEM and inside one frame.  A bad one is
 * marked so that peek refuses it and commit never recycles it.  Walks contiguous runs of the
 * ring so the loop needs no index masking.
 */
static inline __attribute__((always_inline)) void validate(struct xdpsock__rxq *q, uint32_t from, uint32_t n)
{
	uint64_t in_frame = q->frame_size - 1, usize = q->umem_size, fsize = q->frame_size;

	while (n) {
		uint32_t idx = from & q->rx.mask, run = q->rx.size - idx;
		struct xdp_desc *d = (struct xdp_desc *)q->rx.ring + idx, *end;

		if (run > n)
			run = n;
		for (end = d + run; d < end; d++) {
			if (XDPSOCK__UNLIKELY(d->addr >= usize || (d->addr & in_frame) + d->len > fsize)) {
				d->addr = XDPSOCK__BAD_ADDR;
				d->len = 0;
				q->c.bad_descs++;
			}
		}
		from += run;
		n -= run;
	}
}

/* Put frames that waited in the free list into the fill ring. */
static void refill(struct xdpsock__rxq *q)
{
	struct xdpsock_frames *f = q->free;
	uint32_t space, n, i;

	space = xdpsock__prod_space(&q->fq, 0, f->count);
	n = space < f->count ? space : f->count;
	if (!n)
		return;
	for (i = 0; i < n; i++)
		*xdpsock__addr(&q->fq, q->fq.cached_prod + i) = f->addr[--f->count];
	q->fq.cached_prod += n;
	/* Pairs with the kernel's load-acquire of the fill *producer. */
	xdpsock__store_release(q->fq.producer, q->fq.cached_prod);
}

static void rx_wakeup(struct xdpsock__rxq *q)
{
	if (!q->need_wakeup || (__atomic_load_n(q->fq.flags, __ATOMIC_RELAXED) & XDP_RING_NEED_WAKEUP)) {
		recvfrom(q->fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
		q->c.wakeups++;
	}
}

static int rx_seek_mb(struct xdpsock__rxq *q, uint32_t want);

/* Hold up to want frames, validated; when idle, return waiting frames and wake the kernel. */
int xdpsock__rx_fetch(struct xdpsock__rxq *q, uint32_t want)
{
	uint32_t seen = q->rx.cached_cons + q->nheld;
	uint32_t avail = q->rx.cached_prod - seen;

	if (XDPSOCK__UNLIKELY(q->max_segs))
		return rx_seek_mb(q, want);

	if (avail < want - q->nheld) {
		/* Pairs with the kernel's store-release of the RX *producer. */
		q->rx.cached_prod = xdpsock__load_acquire(q->rx.producer);
		avail = q->rx.cached_prod - seen;
		if (!avail && !q->nheld) {
			/* Idle: a good moment for frames that waited, and for a kernel that waits for us. */
			if (q->free->count)
				refill(q);
			if (q->fd >= 0)
				rx_wakeup(q);
		}
	}
	/* Exactly up to want: peek and commit must refuse what seek did not return. */
	if (avail > want - q->nheld)
		avail = want - q->nheld;
	validate(q, seen, avail);
	q->nheld += avail;
	return (int)(q->nheld < want ? q->nheld : want);
}

/*
 * The n descriptors at the head of the RX ring go: their frames to the fill ring, or to the free
 * list when it is momentarily full (refilled when idle).  Bad descriptors are no frames of ours.
 */
static void rx_give_back(struct xdpsock__rxq *q, uint32_t n)
{
	struct xdpsock_frames *f = q->free;
	uint32_t space = xdpsock__prod_space(&q->fq, 0, n), i, fill = 0, cons = q->rx.cached_cons;

	for (i = 0; i < n; i++) {
		uint64_t a = xdpsock__desc(&q->rx, cons + i)->addr;

		if (a == XDPSOCK__BAD_ADDR)
			continue;
		a &= q->base_mask;
		if (fill < space) {
			*xdpsock__addr(&q->fq, q->fq.cached_prod + fill++) = a;
		} else {
			f->addr[f->count++] = a;
			q->c.deferred++;
		}
	}
	q->fq.cached_prod += fill;
	q->rx.cached_cons = cons + n;
	/* As in xdpsock_rx_commit_n(): fill addresses, then the RX slots. */
	xdpsock__store_release(q->fq.producer, q->fq.cached_prod);
	xdpsock__store_release(q->rx.consumer, q->rx.cached_cons);
}

/* Release n held frames when the fill ring lacks room for all: the rest wait in the free list. */
int xdpsock__rx_release(struct xdpsock__rxq *q, uint32_t n)
{
	rx_give_back(q, n);
	q->nheld -= n;
	q->c.frames += n;
	return (int)n;
}

/* ---- multi-buffer RX: whole packets only ---------------------------------------------------- */

static inline int rx_contd(const struct xdpsock__rxq *q, uint32_t idx)
{
	return xdpsock__desc(&q->rx, idx)->options & XDPSOCK__CONTD;
}

/*
 * Drop descriptors at the head of the ring while skipping the rest of a packet longer than
 * max_segs: up to and including the one that ends it.  Only ever at the head: nothing before the
 * packet is held any more (see rx_pull_mb).
 */
static void rx_skip_mb(struct xdpsock__rxq *q)
{
	uint32_t cons = q->rx.cached_cons, i;

	for (i = cons; q->skip && i != q->seen; i++)
		if (!rx_contd(q, i))
			q->skip = 0;
	if (i != cons) {
		rx_give_back(q, i - cons);
		q->done = i;
	}
}

/*
 * Take what the kernel published: validate it, then find where packets end.  [done, seen) is the
 * start of a packet still missing its end; once it holds max_segs descriptors without one, the
 * packet is longer than any the kernel makes (or its end never comes): when it reaches the head
 * it is dropped whole and counted, and the rest of it is skipped as it arrives.
 */
static void rx_pull_mb(struct xdpsock__rxq *q)
{
	uint32_t prod, n;

	/* Pairs with the kernel's store-release of the RX *producer. */
	prod = xdpsock__load_acquire(q->rx.producer);
	q->rx.cached_prod = prod;
	n = prod - q->seen;
	if (n) {
		validate(q, q->seen, n);
		q->seen = prod;
	} else if (!q->nheld && q->done == q->rx.cached_cons) {
		/* Idle: a good moment for frames that waited, and for a kernel that waits for us. */
		if (q->free->count)
			refill(q);
		if (q->fd >= 0)
			rx_wakeup(q);
	}
	for (;;) {
		uint32_t start = q->done, avail, lim, j;

		if (q->skip) {
			rx_skip_mb(q);
			if (q->skip)
				return;
			continue;
		}
		avail = q->seen - start;
		lim = avail < q->max_segs ? avail : q->max_segs;
		for (j = 0; j < lim && rx_contd(q, start + j); j++)
			;
		if (j < lim) {
			q->done = start + j + 1;	/* a whole packet of j + 1 descriptors */
			continue;
		}
		if (lim < q->max_segs || start != q->rx.cached_cons)
			return;	/* its end may still come; or the packets before it go first */
		q->c.too_long++;
		q->skip = 1;
	}
}

/* The largest count of descriptors from the head, at most @want, that ends a packet. */
static uint32_t rx_whole_mb(const struct xdpsock__rxq *q, uint32_t from, uint32_t avail, uint32_t want)
{
	uint32_t i, end = from;

	if (avail <= want)
		return avail;
	for (i = from; i < want; i++)
		if (!rx_contd(q, q->rx.cached_cons + i))
			end = i + 1;
	return end;
}

/* seek_n of a multi-buffer socket: see "Multi-buffer" in <xdpsock/xdpsock.h>. */
static int rx_seek_mb(struct xdpsock__rxq *q, uint32_t want)
{
	uint32_t cons = q->rx.cached_cons, n;

	if (!want)
		return 0;
	if (q->nheld < want && q->done - cons < want) {
		/* Room for more than what is known to be whole: look at the ring. */
		rx_pull_mb(q);
		cons = q->rx.cached_cons;
	}
	if (q->nheld < want)
		q->nheld = rx_whole_mb(q, q->nheld, q->done - cons, want);
	n = q->nheld <= want ? q->nheld : rx_whole_mb(q, 0, q->nheld, want);
	if (XDPSOCK__UNLIKELY(!n && q->done != cons)) {
		/* A whole packet is there, but spans more than @want descriptors. */
		errno = EMSGSIZE;
		return -EMSGSIZE;
	}
	return (int)n;
}

int xdpsock__rx_commit_mb(struct xdpsock__rxq *q, uint32_t n)
{
	if (n > q->nheld) {
		errno = ERANGE;
		return -ERANGE;
	}
	/* Never part of a packet: the rest of it would read as a packet of its own. */
	if (n && rx_contd(q, q->rx.cached_cons + n - 1)) {
		errno = EINVAL;
		return -EINVAL;
	}
	return xdpsock__rx_release(q, n);
}

int xdpsock_rx_copy_pkt(struct xdpsock_rx *rx, uint32_t i, void *buf, uint32_t buflen)
{
	struct xdpsock__rxq *q = &rx->q;
	uint32_t segs, len, j, off = 0;
	int err = xdpsock_rx_pkt_at(rx, i, &segs, &len);

	if (err)
		return err;
	if (len > buflen || len > INT32_MAX) {
		errno = EMSGSIZE;
		return -EMSGSIZE;
	}
	for (j = 0; j < segs; j++) {
		const struct xdp_desc *d = xdpsock__desc(&q->rx, q->rx.cached_cons + i + j);

		memcpy((uint8_t *)buf + off, q->area + d->addr, d->len);
		off += d->len;
	}
	return (int)len;
}

/* ---- multi-buffer TX ------------------------------------------------------------------------ */

/* The first n reserved frames as whole packets of at most max_segs frames: 0, -EINVAL, -E2BIG. */
int xdpsock__tx_check_pkts(const struct xdpsock__txq *q, uint32_t n)
{
	uint32_t i, run = 0;

	for (i = 0; i < n; i++) {
		if (!(xdpsock__desc(&q->tx, q->tx.cached_prod + i)->options & XDPSOCK__CONTD)) {
			run = 0;
			continue;
		}
		/* The kernel drops the whole packet past MAX_SKB_FRAGS + 1 frames, as invalid descriptors. */
		if (++run >= q->max_segs)
			return -E2BIG;
	}
	return run ? -EINVAL : 0;
}

/*
 * Multi-buffer forwarding: whole packets.  One that does not fit in the TX ring's free slots
 * waits, with everything after it; max_len is a packet's total; a packet with a bad descriptor
 * cannot be sent and is dropped whole (its bad descriptors were counted at seek).
 */
static uint32_t fwd_mb(struct xdpsock__rxq *r, struct xdpsock__txq *t, uint32_t n, uint32_t max_len,
		       uint32_t *out_n)
{
	struct xdpsock_frames *f = r->free;
	uint32_t cons = r->rx.cached_cons, prod = t->tx.cached_prod, space, i = 0, out = 0;

	space = xdpsock__prod_space(&t->tx, 0, n);
	while (i < n) {
		uint32_t segs = 1, len, j, bad = 0;
		const struct xdp_desc *d = xdpsock__desc(&r->rx, cons + i);

		len = d->len;
		bad = d->addr == XDPSOCK__BAD_ADDR;
		while ((d->options & XDPSOCK__CONTD) && i + segs < n) {
			d = xdpsock__desc(&r->rx, cons + i + segs++);
			len += d->len;
			bad |= d->addr == XDPSOCK__BAD_ADDR;
		}
		/* Unsendable: too long for the egress, more frames than it may chain, or with a hole. */
		if (XDPSOCK__UNLIKELY(bad || len > max_len || segs > t->max_segs)) {
			for (j = 0; j < segs; j++) {
				uint64_t a = xdpsock__desc(&r->rx, cons + i + j)->addr;

				if (a != XDPSOCK__BAD_ADDR)
					f->addr[f->count++] = a & r->base_mask;
			}
			r->c.oversize += !bad;
			i += segs;
			continue;
		}
		if (out + segs > space)
			break;	/* waits, whole, for room in the TX ring */
		for (j = 0; j < segs; j++) {
			const struct xdp_desc *s = xdpsock__desc(&r->rx, cons + i + j);
			struct xdp_desc *td = xdpsock__desc(&t->tx, prod + out++);

			td->addr = s->addr;
			td->len = s->len;
			td->options = s->options & XDPSOCK__CONTD;
		}
		i += segs;
	}
	*out_n = out;
	return i;
}

int xdpsock_fwd_n(struct xdpsock_rx *rx, struct xdpsock_tx *tx, uint32_t n, uint32_t max_len)
{
	struct xdpsock__rxq *r = &rx->q;
	struct xdpsock__txq *t = &tx->q;
	struct xdpsock_frames *f = r->free;
	uint32_t k, i, out = 0, cons = r->rx.cached_cons, prod = t->tx.cached_prod;

	if (XDPSOCK__UNLIKELY(rx->sk->umem != tx->sk->umem))
		return xdpsock__fail(EXDEV, "xdpsock_fwd_n: the RX and TX sockets do not share a UMEM (see opts->umem)");
	if (XDPSOCK__UNLIKELY(n > r->nheld)) {
		errno = ERANGE;
		return -ERANGE;
	}
	if (XDPSOCK__UNLIKELY(t->nres))
		return xdpsock__fail(EBUSY, "xdpsock_fwd_n: commit the %u frames reserved on the TX socket first", t->nres);
	if (XDPSOCK__UNLIKELY(r->max_segs)) {
		/* One UMEM: the kernel made both sockets multi-buffer (the library checks they agree). */
		if (n && (xdpsock__desc(&r->rx, cons + n - 1)->options & XDPSOCK__CONTD)) {
			errno = EINVAL;
			return -EINVAL;
		}
		k = fwd_mb(r, t, n, max_len, &out);
		goto publish;
	}
	k = xdpsock__prod_space(&t->tx, 0, n);
	if (k > n)
		k = n;
	for (i = 0; i < k; i++) {
		const struct xdp_desc *d = xdpsock__desc(&r->rx, cons + i);
		struct xdp_desc *td;

		if (XDPSOCK__UNLIKELY(d->addr == XDPSOCK__BAD_ADDR))
			continue;	/* counted at seek; not a frame of ours */
		if (XDPSOCK__UNLIKELY(d->len > max_len)) {
			f->addr[f->count++] = d->addr & r->base_mask;
			r->c.oversize++;
			continue;
		}
		td = xdpsock__desc(&t->tx, prod + out++);
		td->addr = d->addr;
		td->len = d->len;
		td->options = 0;
	}
publish:
	r->rx.cached_cons = cons + k;
	r->nheld -= k;
	r->c.forwarded += out;
	t->tx.cached_prod = prod + out;
	t->c.frames += out;
	/* Descriptors before index: pairs with the kernel's load-acquire of the TX *producer. */
	xdpsock__store_release(t->tx.producer, t->tx.cached_prod);
	/* RX slots read before they are returned: pairs with the kernel's load-acquire of *consumer. */
	xdpsock__store_release(r->rx.consumer, r->rx.cached_cons);
	/* What the egress finished with feeds the ingress's fill ring. */
	xdpsock__tx_reclaim(t);
	if (f->count)
		refill(r);
	return (int)k;
}

int xdpsock_fwd_reclaim(struct xdpsock_rx *rx, struct xdpsock_tx *tx)
{
	uint32_t n;

	if (XDPSOCK__UNLIKELY(rx->sk->umem != tx->sk->umem))
		return xdpsock__fail(EXDEV, "xdpsock_fwd_reclaim: the RX and TX sockets do not share a UMEM (see opts->umem)");
	n = xdpsock__tx_reclaim(&tx->q);
	if (rx->q.free->count)
		refill(&rx->q);
	return (int)n;
}

int xdpsock_tx_kick(struct xdpsock_tx *tx)
{
	struct xdpsock__txq *q = xdpsock__txq(tx);

	/*
	 * The kernel transmits only while the completion ring has room, and seek takes completions
	 * only as it needs frames: a caller that stops seeking (flow control) and only kicks would
	 * stall.  Reclaim when the ring is half full; a steady sender never gets there.
	 */
	if (xdpsock__load_acquire(q->cq.producer) - q->cq.cached_cons > q->cq.size / 2)
		xdpsock__tx_reclaim(q);
	if (!xdpsock_tx_needs_kick(tx))
		return 0;
	q->c.wakeups++;
	if (sendto(q->fd, NULL, 0, MSG_DONTWAIT, NULL, 0) >= 0)
		return 1;
	switch (errno) {
	case EAGAIN:
	case EBUSY:
	case ENOBUFS:
	case EINTR:
		return 0;	/* the kernel is still working on earlier frames */
	default:
		return -errno;
	}
}

/* A packet longer than a frame, cut across frames of a multi-buffer socket. */
static int tx_send_mb(struct xdpsock_tx *tx, const uint8_t *data, uint32_t len)
{
	struct xdpsock__txq *q = xdpsock__txq(tx);
	uint32_t segs = (len - 1) / q->max_len + 1, i, off = 0;
	int err;

	if (segs > q->max_segs)
		return xdpsock__fail(EMSGSIZE,
				     "a %u-byte packet needs %u frames of %u bytes, more than the %u one packet may span: send less%s",
				     len, segs, q->max_len, q->max_segs,
				     q->max_len + q->headroom < 4096 ? ", or use frame_size 4096" : "");
	if (xdpsock_tx_seek_n(tx, segs) < (int)segs) {
		xdpsock_tx_kick(tx);	/* completions only come back if the kernel runs */
		errno = EAGAIN;
		return -EAGAIN;
	}
	for (i = 0; i < segs; i++) {
		uint32_t n = len - off < q->max_len ? len - off : q->max_len;
		void *p = xdpsock_tx_peek_at(tx, i, n);

		if (!p)
			return -errno;
		memcpy(p, data + off, n);
		off += n;
		xdpsock_tx_set_more(tx, i, i + 1 < segs);
	}
	err = xdpsock_tx_commit_n(tx, segs);
	if (err < 0)
		return err;
	err = xdpsock_tx_kick(tx);
	return err < 0 ? err : 0;
}

int xdpsock_tx_send(struct xdpsock_tx *tx, const void *data, uint32_t len)
{
	struct xdpsock__txq *q = xdpsock__txq(tx);
	void *p;
	int err;

	if (len > q->max_len && len) {
		if (q->max_segs)
			return tx_send_mb(tx, data, len);
		return xdpsock__fail(EMSGSIZE,
				     "a %u-byte packet does not fit in one %u-byte frame: create the socket with XDPSOCK_F_MULTI_BUFFER (jumbo frames)%s",
				     len, q->max_len,
				     q->max_len + q->headroom < 4096 && len <= 4096 - q->headroom ? ", or use frame_size 4096" : "");
	}
	p = xdpsock_tx_seek_and_peek(tx, len);
	if (!p) {
		if (errno == EAGAIN)
			xdpsock_tx_kick(tx);	/* completions only come back if the kernel runs */
		return -errno;
	}
	memcpy(p, data, len);
	err = xdpsock_tx_commit(tx);
	if (err < 0)
		return err;
	err = xdpsock_tx_kick(tx);
	return err < 0 ? err : 0;
}

static int wait_fd(int fd, short events, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int n = poll(&pfd, 1, timeout_ms);

	if (n < 0)
		return -errno;
	if (n && (pfd.revents & (POLLERR | POLLNVAL | POLLHUP)))
		return -ENETDOWN;
	/*
	 * A socket whose interface was removed is unbound, and poll() then reports nothing at all
	 * (no readiness, no POLLERR): only a syscall on it tells, ENXIO.  Asked on timeout only.
	 */
	if (!n && fd >= 0 && recvfrom(fd, NULL, 0, MSG_DONTWAIT, NULL, NULL) < 0 && errno == ENXIO)
		return -ENETDOWN;
	return n;
}

int xdpsock_tx_wait(struct xdpsock_tx *tx, int timeout_ms)
{
	struct xdpsock__txq *q = xdpsock__txq(tx);
	int err;

	if (q->free->count || xdpsock__tx_reclaim(q))
		return (int)q->free->count;
	err = xdpsock_tx_kick(tx);
	if (err < 0)
		return err;
	xdpsock__tx_reclaim(q);
	if (q->free->count)
		return (int)q->free->count;
	err = wait_fd(q->fd, POLLOUT, timeout_ms);
	if (err < 0) {
		errno = -err;
		return err;
	}
	xdpsock__tx_reclaim(q);
	return (int)q->free->count;
}

int xdpsock_rx_wait(struct xdpsock_rx *rx, int timeout_ms)
{
	struct xdpsock__rxq *q = xdpsock__rxq(rx);
	int n, err;

	n = xdpsock_rx_seek_n(rx, q->rx.size);
	if (n)
		return n;
	err = wait_fd(q->fd, POLLIN, timeout_ms);
	if (err < 0) {
		errno = -err;
		return err;
	}
	return xdpsock_rx_seek_n(rx, q->rx.size);
}

static int kernel_stats(int fd, struct xdpsock_stats *st)
{
	struct xdp_statistics ks;
	socklen_t len = sizeof(ks);

	memset(&ks, 0, sizeof(ks));
	if (fd >= 0 && getsockopt(fd, SOL_XDP, XDP_STATISTICS, &ks, &len))
		return -errno;
	st->rx_dropped = ks.rx_dropped;
	st->rx_invalid_descs = ks.rx_invalid_descs;
	st->tx_invalid_descs = ks.tx_invalid_descs;
	st->rx_ring_full = ks.rx_ring_full;
	st->rx_fill_ring_empty_descs = ks.rx_fill_ring_empty_descs;
	st->tx_ring_empty_descs = ks.tx_ring_empty_descs;
	return 0;
}

/* Both halves of a pair report the whole socket. */
static int sock_stats(const struct xdpsock_sock *sk, struct xdpsock_stats *st)
{
	int err;

	memset(st, 0, sizeof(*st));
	err = kernel_stats(sk->umem->mock ? -1 : sk->fd, st);
	if (err)
		return xdpsock__fail(-err, "cannot read XDP_STATISTICS: %s", strerror(-err));
	if (sk->rxh) {
		st->rx_frames = sk->rxh->q.c.frames;
		st->rx_bad_descs = sk->rxh->q.c.bad_descs;
		st->rx_deferred = sk->rxh->q.c.deferred;
		st->rx_wakeups = sk->rxh->q.c.wakeups;
		st->rx_forwarded = sk->rxh->q.c.forwarded;
		st->rx_fwd_oversize = sk->rxh->q.c.oversize;
		st->rx_too_long = sk->rxh->q.c.too_long;
	}
	if (sk->txh) {
		st->tx_frames = sk->txh->q.c.frames;
		st->tx_completed = sk->txh->q.c.completed;
		st->tx_bad_descs = sk->txh->q.c.bad_descs;
		st->tx_wakeups = sk->txh->q.c.wakeups;
	}
	xdpsock__umem_census(sk->umem, &st->frames);
	return 0;
}

static int stats_len(const struct xdpsock_sock *sk, struct xdpsock_stats *out, size_t len)
{
	struct xdpsock_stats st;
	int err;

	if (!sk || !out)
		return xdpsock__fail(EINVAL, "xdpsock_*_stats: NULL argument");
	err = sock_stats(sk, &st);
	if (err)
		return err;
	xdpsock__copy_sized(out, len, &st, sizeof(st));
	return 0;
}

int xdpsock_tx_stats_len(const struct xdpsock_tx *tx, struct xdpsock_stats *st, size_t len)
{
	return stats_len(tx ? tx->sk : NULL, st, len);
}

int xdpsock_rx_stats_len(const struct xdpsock_rx *rx, struct xdpsock_stats *st, size_t len)
{
	return stats_len(rx ? rx->sk : NULL, st, len);
}

const char *xdpsock_mode_str(const struct xdpsock_mode *m, char *buf, size_t len)
{
	static const char *const attach[] = { "auto", "native XDP", "generic XDP", "no XDP program" };

	snprintf(buf, len, "%s, %s, %s, %u x %u-byte frames on %s pages%s%s", m->zerocopy ? "zero-copy" : "copy",
		 attach[m->attach <= XDPSOCK_ATTACH_NONE ? m->attach : 0],
		 m->need_wakeup ? "need_wakeup" : "no need_wakeup", m->frame_count, m->frame_size,
		 m->hugepages ? "huge" : "normal", m->multi_buffer ? ", multi-buffer" : "",
		 m->shared_umem ? ", shared UMEM" : "");
	return buf;
}
