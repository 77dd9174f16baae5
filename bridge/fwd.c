// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * The forwarding worker: one thread, one queue, two socket pairs, no lock.
 *
 *   loop until ctl->stop:
 *     for A->B, then B->A:
 *       n = xdpsock_rx_seek_n(rx_in, batch)     whatever has arrived, up to a batch: a single
 *                                               frame (a ping) goes at once, never waits for more
 *       k = xdpsock_fwd_n(rx_in, tx_out, n, ..) descriptors onto the egress TX ring (or a copy
 *                                               when the UMEMs differ); n - k wait for room
 *       xdpsock_tx_kick(tx_out)                 once per batch, a syscall only if the kernel asks
 *     publish the counters if the main thread asked
 *     nothing moved: sleep in poll() on both sockets and the eventfd (--busy-poll: spin)
 *   drain: forward what is held, kick until every TX ring is empty, at most FWD_DRAIN_MS
 *
 * What poll() waits for, per direction: the ingress readable (POLLIN) while nothing waits,
 * else the egress writable (POLLOUT: its TX ring at most half full), since a held frame keeps
 * the ingress readable and would turn the sleep into a spin.  A direction into a port that
 * is down is paused: its frames stay in the ingress RX ring (the kernel counts rx_ring_full
 * when it overflows) and the eventfd wakes the worker when the port comes back.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "daemon.h"
#include "fwd.h"

#define IDLE_MS		1000	/* safety net: a socket whose interface changed may not signal */
#define BUSY_RETRY_MS	1	/* the kernel left frames on a TX ring (EAGAIN): kick again soon */
#define DOWN_RETRY_MS	100	/* the egress said ENETDOWN before the monitor did */

/* Stop on an error: say why (read by the main thread after join) and wake the main thread. */
static int fail(struct fwd_worker *w, int err, int port, const char *what)
{
	snprintf(w->errmsg, sizeof(w->errmsg), "%s queue %u: %s: %s", w->ctl->ifname[port], w->queue, what,
		 err == -ENXIO || err == -ENODEV ? "the interface went away" : xdpsock_strerror(err));
	__atomic_store_n(&w->failed, 1, __ATOMIC_RELEASE);
	xb_wake(w->ctl->main_evfd);
	return err;
}

/* Kick the egress of direction @d; remember whether the kernel left frames on its ring. */
static int kick(struct fwd_worker *w, int d)
{
	struct fwd_dir *dir = &w->dir[d];
	struct xdpsock_tx *tx = w->port[!d].tx;
	int asked = xdpsock_tx_needs_kick(tx), r = xdpsock_tx_kick(tx);

	if (r == -ENETDOWN) {
		/* Down before the link monitor told the main thread: retry slowly until it pauses us. */
		dir->tx_busy = dir->tx_down = true;
		return 0;
	}
	if (r < 0)
		return fail(w, r, !d, "transmit failed");
	dir->tx_down = false;
	/* 0 although the kernel asked: it was busy (EAGAIN, EBUSY, ENOBUFS) and frames wait on the ring. */
	dir->tx_busy = asked && r == 0;
	return 0;
}

/*
 * The copy fallback (two UMEMs): the first frames that fit the egress's free TX frames are
 * copied, then released to the ingress fill ring.  Returns frames taken off the RX ring.
 */
static int copy_n(struct fwd_dir *dir, struct xdpsock_rx *rx, struct xdpsock_tx *tx, uint32_t n, uint32_t max_len)
{
	uint32_t room, used = 0, i, len;
	int r;

	r = xdpsock_tx_seek_n(tx, n);
	room = r > 0 ? (uint32_t)r : 0;
	for (i = 0; i < n; i++) {
		const void *in = xdpsock_rx_peek_at(rx, i, &len);
		void *out;

		if (!in)
			continue;	/* EBADMSG: counted by the library (rx_bad_descs); commit it anyway */
		if (len > max_len) {
			dir->c.oversize++;
			continue;
		}
		if (used == room)
			break;		/* no TX slot: this frame and the rest wait, held */
		out = xdpsock_tx_peek_at(tx, used, len);
		if (!out)
			break;		/* cannot happen: both UMEMs have the same frame size */
		memcpy(out, in, len);
		used++;
	}
	if (used) {
		r = xdpsock_tx_commit_n(tx, used);
		if (r < 0)
			return r;
		dir->c.copied += used;
	}
	if (i) {
		r = xdpsock_rx_commit_n(rx, i);
		if (r < 0)
			return r;
	}
	return (int)i;
}

/*
 * One batch of direction @d (0: A->B).  @draining: only the frames already held, nothing new.
 * Returns the frames taken off the ingress RX ring, or -errno when the worker must stop.
 */
static int step(struct fwd_worker *w, int d, bool draining)
{
	struct fwd_dir *dir = &w->dir[d];
	struct fwd_port *in = &w->port[d], *out = &w->port[!d];
	uint32_t want = draining ? dir->c.held : w->ctl->batch;
	int n, k = 0, err;

	if (xb_load_int(&w->ctl->down[!d]))
		return 0;
	if (want) {
		n = xdpsock_rx_seek_n(in->rx, want);
		if (n > 0) {
			uint32_t max_len = xb_load_u32(&w->ctl->max_len[!d]);

			k = w->shared ? xdpsock_fwd_n(in->rx, out->tx, (uint32_t)n, max_len)
				      : copy_n(dir, in->rx, out->tx, (uint32_t)n, max_len);
			if (k < 0)
				return fail(w, k, d, "forwarding failed");
			xb_dir_account(&dir->c, (uint32_t)n, (uint32_t)k);
		}
	}
	if (k > 0 || dir->tx_busy) {
		err = kick(w, d);
		if (err)
			return err;
	}
	return k;
}

/* Completions of both TX rings back to the free list and fill rings (shared UMEM). */
static void reclaim(struct fwd_worker *w)
{
	if (!w->shared)
		return;	/* the copy path's seek and kick reclaim by themselves */
	xdpsock_fwd_reclaim(w->port[0].rx, w->port[1].tx);
	xdpsock_fwd_reclaim(w->port[1].rx, w->port[0].tx);
}

/* The worker's and the library's counters of both ports.  Worker thread only. */
static int snapshot(struct fwd_worker *w, struct xb_queue_stats *q)
{
	struct xdpsock_stats s[2];
	int p;

	reclaim(w);
	for (p = 0; p < 2; p++)
		if (xdpsock_rx_stats(w->port[p].rx, &s[p]))
			return -errno;
	for (p = 0; p < 2; p++) {
		/* Copy fallback: the census is of this pair's own UMEM, so its completions are its own. */
		uint64_t unreclaimed = w->shared ? 0 : s[p].frames.comp;

		xb_port_stats_make(&q->port[p], &s[p], &w->dir[p].c, &w->dir[!p].c, w->shared, unreclaimed);
	}
	return 0;
}

static void publish(void *arg)
{
	struct fwd_worker *w = arg;
	struct xb_queue_stats q;
	uint32_t req = __atomic_load_n(&w->ctl->pub_req, __ATOMIC_ACQUIRE);

	/* On failure the previous snapshot stays: better stale than zero. */
	if (!snapshot(w, &q))
		xb_seq_publish(&w->snap, &q);
	/* Pairs with the main thread's load-acquire before it reads the snapshot. */
	__atomic_store_n(&w->pub_done, req, __ATOMIC_RELEASE);
}

/* Nothing moved: sleep until a socket or the eventfd has something, or spin with --busy-poll. */
static int idle(void *arg)
{
	struct fwd_worker *w = arg;
	struct pollfd pfd[3];
	int timeout = IDLE_MS, d, p, n;
	uint64_t v;

	reclaim(w);
	if (w->ctl->busy_poll) {
		/* With SO_PREFER_BUSY_POLL a receive call runs the device's NAPI on this core. */
		for (p = 0; p < 2; p++)
			recvfrom(w->port[p].fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
		for (d = 0; d < 2; d++)
			if (w->dir[d].tx_busy && !xb_load_int(&w->ctl->down[!d]))
				kick(w, d);
		return xb_load_int(&w->failed) ? -EIO : 0;
	}
	for (p = 0; p < 2; p++)
		pfd[p] = (struct pollfd){ .fd = w->port[p].fd };
	pfd[2] = (struct pollfd){ .fd = w->evfd, .events = POLLIN };
	for (d = 0; d < 2; d++) {
		if (xb_load_int(&w->ctl->down[!d]))
			continue;
		if (w->dir[d].c.held)
			pfd[!d].events |= POLLOUT;
		else
			pfd[d].events |= POLLIN;
		if (w->dir[d].tx_busy) {
			int t = w->dir[d].tx_down ? DOWN_RETRY_MS : BUSY_RETRY_MS;

			timeout = t < timeout ? t : timeout;
		}
	}
	n = poll(pfd, 3, timeout);
	if (n < 0)
		return errno == EINTR ? 0 : fail(w, -errno, 0, "poll failed");
	for (p = 0; p < 2; p++)
		if (pfd[p].revents & (POLLERR | POLLNVAL))
			return fail(w, -EIO, p, "the socket reports an error");
	if (pfd[2].revents & POLLIN && read(w->evfd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return fail(w, -errno, 0, "cannot read the worker's eventfd");
	return 0;
}

/* Forward what is held and kick until every TX ring is empty, FWD_DRAIN_MS at most.  true when done. */
static bool drain(void *arg)
{
	struct fwd_worker *w = arg;
	long deadline = xb_now_ms() + FWD_DRAIN_MS;
	struct xb_queue_stats q;
	int i, d;

	for (i = 0; i < 10 * FWD_DRAIN_MS; i++) {
		bool done = true;

		for (d = 0; d < 2; d++)
			if (step(w, d, true) < 0)
				return false;
		if (snapshot(w, &q))
			return false;
		for (d = 0; d < 2; d++) {
			/* Nothing can be sent into a port that is down: what waits for it stays counted. */
			if (xb_load_int(&w->ctl->down[!d]))
				continue;
			if (q.port[d].held || q.port[!d].in_flight) {
				done = false;
				w->dir[d].tx_busy = true;	/* kick again next round */
			}
		}
		if (done || xb_now_ms() >= deadline)
			return done;
		poll(NULL, 0, 1);	/* the kernel completes what it took */
	}
	return false;
}

/* Both directions once: frames moved, or -errno. */
static int fwd_round(void *arg)
{
	struct fwd_worker *w = arg;
	int d, k, moved = 0;

	for (d = 0; d < 2; d++) {
		k = step(w, d, false);
		if (k < 0)
			return k;
		moved += k;
	}
	return moved;
}

static const struct xb_worker_ops fwd_worker_ops = {
	.round = fwd_round,
	.idle = idle,
	.drain = drain,
	.publish = publish,
};

static void *worker_main(void *arg)
{
	struct fwd_worker *w = arg;

	xb_worker_loop(&fwd_worker_ops, w, &w->ctl->stop, &w->ctl->pub_req, &w->pub_done, &w->drained);
	return NULL;
}

int fwd_worker_start(struct fwd_worker *w)
{
	char name[16];

	snprintf(name, sizeof(name), "xb-fwd-q%u", w->queue);
	return xb_thread_start(&w->thread, &w->started, w->cpu, name, worker_main, w);
}

void fwd_worker_wake(struct fwd_worker *w)
{
	xb_wake(w->evfd);
}

void fwd_worker_join(struct fwd_worker *w)
{
	xb_thread_join(w->thread, &w->started);
}
