// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * The xsk engine of 'xdpgen tx': an AF_XDP TX socket and libxdpsock's batch API.
 *
 *   n = xdpsock_tx_seek_n(tx, want)      free UMEM frames (completions reclaimed on the way)
 *   frame i: xdpsock_tx_peek_at(tx, i, len), template copied in, stamped (seq, time, checksum)
 *   xdpsock_tx_commit_n(tx, n); xdpsock_tx_kick(tx)     one wakeup per batch
 *
 * Pacing (--rate): a frame may leave once start + seq / rate has passed.  Each turn sends what
 * is due (at most a batch); when nothing is, the loop sleeps until the next frame is due, in
 * ppoll() on the signalfd.  Sleeps shorter than a timer's resolution are not worth taking, so at
 * high rates several frames come due per wakeup and go out together: pacing in batches.
 *
 * The whole frame is written each time, not only the fields that change: a UMEM frame comes
 * back from the completion ring with whatever length it was last sent with.
 */
#include <errno.h>
#include <string.h>
#include <xdpsock/xdpsock.h>

#include "tx.h"

#define POLL_EVERY	(2 * 1000 * 1000ull)	/* ns between looks at the signalfd and the clock */
#define STALL_NS	(5 * XG_NSEC)		/* no free frame for this long: the device is stuck */
#define DRAIN_NS	(XG_NSEC / 2)

/* Frames due by @now: the first at once, then one per 1/rate s.  Split to avoid overflow. */
static uint64_t due(uint64_t rate, uint64_t t0, uint64_t now)
{
	uint64_t el = now > t0 ? now - t0 : 0;

	return el / XG_NSEC * rate + el % XG_NSEC * rate / XG_NSEC + 1;
}

/* When frame @n is due. */
static uint64_t due_at(uint64_t rate, uint64_t t0, uint64_t n)
{
	return t0 + n / rate * XG_NSEC + (n % rate) * XG_NSEC / rate;
}

static int open_socket(struct xg_tx *t, struct xdpsock_tx **tx)
{
	const struct xg_cfg *c = t->c;
	struct xdpsock_opts opts;
	struct xdpsock_mode m;
	int err;

	xg_sock_opts(c, t->s.max_len, &opts);	/* a TX socket: no program, the attach mode unused */
	err = xdpsock_tx_create(tx, t->ifc.ifindex, c->queue, &opts);
	if (err)
		return xg_sock_fail(c, &t->ifc, "an AF_XDP socket", c->queue, err);
	xdpsock_tx_mode(*tx, &m);
	xdpsock_mode_str(&m, t->mode, sizeof(t->mode));
	return 0;
}

/* Give the kernel what is on the TX ring before the socket closes: bounded. */
static void drain(struct xdpsock_tx *tx)
{
	uint64_t end = xg_now() + DRAIN_NS;
	struct xdpsock_stats st;

	while (!xdpsock_tx_stats(tx, &st) && (st.frames.tx || st.frames.kernel) && xg_now() < end) {
		if (xdpsock_tx_kick(tx) < 0)
			return;
		xdpsock_tx_wait(tx, 1);
	}
}

int xg_tx_xsk(struct xg_tx *t)
{
	const struct xg_cfg *c = t->c;
	struct xdpsock_tx *tx = NULL;
	struct xdpsock_stats st;
	uint64_t now, next_poll = 0, last_progress, t0;
	uint32_t seq = 0;
	int rc, err;

	rc = open_socket(t, &tx);
	if (rc)
		return rc;
	t0 = last_progress = xg_now();
	for (;;) {
		uint32_t want = c->batch, n, i;
		uint64_t ts;

		now = xg_now();
		if (now >= next_poll) {
			if (xg_stop_poll(&t->stop, now))
				break;
			xg_tx_progress(t, now);
			next_poll = now + POLL_EVERY;
		}
		if (c->count) {
			if (t->sent >= c->count) {
				xg_stop_set(&t->stop, "count reached");
				break;
			}
			if (c->count - t->sent < want)
				want = (uint32_t)(c->count - t->sent);
		}
		if (c->rate) {
			uint64_t d = due(c->rate, t0, now);

			if (d <= t->sent) {
				/* Nothing due: sleep until the next frame is (the signalfd wakes us sooner). */
				err = xg_stop_sleep(&t->stop, NULL, 0, due_at(c->rate, t0, t->sent));
				if (err < 0) {
					xg_err(c->cmd, "ppoll: %s", strerror(-err));
					rc = XG_EXIT_FAIL;
					goto out;
				}
				if (err)
					break;
				continue;
			}
			if (d - t->sent < want)
				want = (uint32_t)(d - t->sent);
		}
		n = (uint32_t)xdpsock_tx_seek_n(tx, want);
		if (!n) {
			/* Every frame is on the TX ring or in flight: let the kernel send and complete. */
			err = xdpsock_tx_wait(tx, 1);
			if (err < 0 && err != -EINTR) {
				xg_sock_io_fail(c, &t->ifc, err);
				rc = XG_EXIT_FAIL;
				goto out;
			}
			if (now - last_progress > STALL_NS) {
				xg_err(c->cmd, "no TX frame came back from the kernel for 5 s: is %s up, and its link?",
				       c->ifname);
				rc = XG_EXIT_FAIL;
				goto out;
			}
			continue;
		}
		ts = xg_now();
		for (i = 0; i < n; i++) {
			uint16_t sport;
			const struct xg_tmpl *tm = xg_stream_next(&t->s, &sport);
			uint8_t *f = xdpsock_tx_peek_at(tx, i, tm->len);

			if (!f) {	/* only if a length exceeded the UMEM frame, which open_socket() sized */
				xg_err(c->cmd, "frame of %u bytes refused: %s", tm->len, strerror(errno));
				rc = XG_EXIT_FAIL;
				goto out;
			}
			xg_frame_build(f, tm, sport, seq++, ts);
			t->bytes += tm->len;
		}
		err = xdpsock_tx_commit_n(tx, n);
		if (err < 0) {
			xg_err(c->cmd, "commit: %s", strerror(-err));
			rc = XG_EXIT_FAIL;
			goto out;
		}
		t->sent += n;
		if (!t->t_first)
			t->t_first = ts;
		t->t_last = ts;
		last_progress = now;
		err = xdpsock_tx_kick(tx);
		if (err < 0) {
			xg_sock_io_fail(c, &t->ifc, err);
			rc = XG_EXIT_FAIL;
			goto out;
		}
	}
out:
	drain(tx);
	if (!xdpsock_tx_stats(tx, &st))
		t->completed = st.tx_completed + st.frames.comp;
	xdpsock_tx_destroy(tx);
	return rc;
}
