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

/* Validate descriptors [from, to) as they arrive: inside the UMEM, inside one frame. */
static void validate(struct xdpsock__rxq *q, uint32_t from, uint32_t to)
{
	uint64_t in_frame = q->frame_size - 1;
	uint32_t i;

	for (i = from; i != to; i++) {
		struct xdp_desc *d = xdpsock__desc(&q->rx, i);

		if (XDPSOCK__UNLIKELY(d->addr >= q->umem_size || (d->addr & in_frame) + d->len > q->frame_size)) {
			d->addr = XDPSOCK__BAD_ADDR;
			d->len = 0;
			q->c.bad_descs++;
		}
	}
}

/* Put frames that waited in the free list into the fill ring (when idle). */
static void refill(struct xdpsock__rxq *q)
{
	struct xdpsock_frames *f = q->free;
	uint32_t space, n, i;

	if (!f->count)
		return;
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

uint32_t xdpsock__rx_fetch(struct xdpsock__rxq *q, uint32_t want)
{
	uint32_t seen = q->rx.cached_cons + q->nheld;
	uint32_t avail = q->rx.cached_prod - seen;

	if (avail < want - q->nheld) {
		/* Pairs with the kernel's store-release of the RX *producer. */
		q->rx.cached_prod = xdpsock__load_acquire(q->rx.producer);
		avail = q->rx.cached_prod - seen;
		if (!avail && !q->nheld) {
			/* Idle: a good moment for deferred frames and for a kernel that asked to be woken. */
			refill(q);
			if (q->fd >= 0)
				rx_wakeup(q);
		}
	}
	if (avail > want - q->nheld)
		avail = want - q->nheld;
	validate(q, seen, seen + avail);
	q->nheld += avail;
	return q->nheld < want ? q->nheld : want;
}

int xdpsock_tx_kick(struct xdpsock_tx *tx)
{
	struct xdpsock__txq *q = xdpsock__txq(tx);

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

int xdpsock_tx_send(struct xdpsock_tx *tx, const void *data, uint32_t len)
{
	void *p;
	int err;

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

int xdpsock_tx_stats(const struct xdpsock_tx *tx, struct xdpsock_stats *st)
{
	if (!tx || !st)
		return xdpsock__fail(EINVAL, "xdpsock_tx_stats: NULL argument");
	return sock_stats(tx->sk, st);
}

int xdpsock_rx_stats(const struct xdpsock_rx *rx, struct xdpsock_stats *st)
{
	if (!rx || !st)
		return xdpsock__fail(EINVAL, "xdpsock_rx_stats: NULL argument");
	return sock_stats(rx->sk, st);
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
