// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * xdpgen reflect: the peer of 'xdpgen ping'.  An AF_XDP socket pair on one queue; per batch:
 *
 *   k = xdpsock_rx_seek_n(rx, 64)          frames received
 *   m = xdpsock_tx_seek_n(tx, k)           as many free TX frames (kick first if short)
 *   copy each UDP frame into a TX frame, xg_frame_reflect() it (MACs, IPs, ports swapped)
 *   xdpsock_tx_commit_n(tx, used); xdpsock_tx_kick(tx); xdpsock_rx_commit_n(rx, k)
 *
 * The API hands RX and TX frames out separately, so each frame is copied once.  Frames that are
 * not UDP over IPv4/IPv6, or that went to a group MAC (the reply would carry a group address as
 * its source), are dropped and counted.  Idle, the loop sleeps in ppoll() on the socket and the
 * signalfd, and on waking asks whether the interface is still there (exit 1 when it is gone).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <xdpsock/xdpsock.h>

#include "xdpgen.h"

#define BATCH	64u
#define BURST	16	/* batches before the clock and the signalfd get a look */

struct reflect {
	const struct xg_cfg *c;
	struct xg_iface ifc;
	struct xg_stop stop;
	struct xdpsock_tx *tx;
	struct xdpsock_rx *rx;
	char mode[192];
	bool tx_pending;
	bool gone;		/* the interface went away: exit 1 */
	uint64_t gone_check;	/* when to ask next */
	uint64_t received, reflected, reflected_bytes, not_udp, group, no_tx_frame, bad_descs;
	uint64_t next_report, last_t, last_reflected, last_bytes;
};

static int kick(struct reflect *r)
{
	int k = xdpsock_tx_kick(r->tx);

	if (k < 0)
		return k;
	r->tx_pending = k == 0 && xdpsock_tx_needs_kick(r->tx);
	return 0;
}

/* One batch: the number of RX frames handled (0: none waiting), or -errno. */
static int batch(struct reflect *r)
{
	uint32_t want = BATCH, k, room, used = 0, i, len;
	int n, err;

	if (r->c->count && r->c->count - r->reflected < want)
		want = (uint32_t)(r->c->count - r->reflected);
	n = xdpsock_rx_seek_n(r->rx, want);
	if (n <= 0)
		return 0;
	k = (uint32_t)n;
	room = (uint32_t)xdpsock_tx_seek_n(r->tx, k);
	if (room < k) {
		/* Completions come back only when the kernel transmits: wake it, look again. */
		err = kick(r);
		if (err)
			return err;
		room = (uint32_t)xdpsock_tx_seek_n(r->tx, k);
	}
	for (i = 0; i < k; i++) {
		const uint8_t *in = xdpsock_rx_peek_at(r->rx, i, &len);
		uint8_t *out;

		if (!in) {
			r->bad_descs++;
			continue;
		}
		if (len >= 6 && (in[0] & 1)) {
			r->group++;
			continue;
		}
		if (used == room) {
			r->no_tx_frame++;
			continue;
		}
		out = xdpsock_tx_peek_at(r->tx, used, len);
		if (!out) {
			r->no_tx_frame++;
			continue;
		}
		memcpy(out, in, len);
		if (!xg_frame_reflect(out, len)) {
			r->not_udp++;	/* the reserved frame stays reserved for the next one */
			continue;
		}
		r->reflected_bytes += len;
		used++;
	}
	r->received += k;
	if (used) {
		err = xdpsock_tx_commit_n(r->tx, used);
		if (err < 0)
			return err;
		r->reflected += used;
	}
	if (used || r->tx_pending) {
		err = kick(r);
		if (err)
			return err;
	}
	err = xdpsock_rx_commit_n(r->rx, k);
	return err < 0 ? err : (int)k;
}

static void progress(struct reflect *r, uint64_t now)
{
	double dt;
	char rate[64];

	if (now < r->next_report || r->c->quiet)
		return;
	dt = (double)(now - r->last_t) / 1e9;
	fprintf(xg_progress_stream(r->c), "xdpgen reflect: %6.1f s  reflected %12" PRIu64 "  %s\n",
		(double)(now - r->stop.t0) / 1e9, r->reflected,
		xg_rate_str((double)(r->reflected - r->last_reflected) / dt,
			    (double)(r->reflected_bytes - r->last_bytes) * 8 / dt, rate, sizeof(rate)));
	fflush(xg_progress_stream(r->c));
	r->last_t = now;
	r->last_reflected = r->reflected;
	r->last_bytes = r->reflected_bytes;
	r->next_report += XG_NSEC;
	if (r->next_report <= now)
		r->next_report = now + XG_NSEC;
}

/* Give the last replies to the kernel before the socket closes: bounded to ~0.5 s. */
static void drain(struct reflect *r)
{
	uint64_t end = xg_now() + XG_NSEC / 2;
	struct xdpsock_stats st;

	while (!xdpsock_tx_stats(r->tx, &st) && st.frames.tx && xg_now() < end) {
		if (kick(r))
			return;
		xdpsock_tx_wait(r->tx, 1);
	}
}

static int run(struct reflect *r)
{
	const struct xg_cfg *c = r->c;
	int fd = xdpsock_rx_fd(r->rx), n = 0, b, err;

	r->last_t = r->stop.t0;
	r->next_report = r->stop.t0 + XG_NSEC;
	for (;;) {
		uint64_t now;

		for (b = 0; b < BURST; b++) {
			n = batch(r);
			if (n < 0 && xg_sock_io_fail(c, &r->ifc, n)) {
				xg_stop_set(&r->stop, XG_WHY_GONE);
				r->gone = true;
				return 0;	/* the summary, then exit 1 */
			}
			if (n < 0)
				return XG_EXIT_FAIL;
			if (!n || (c->count && r->reflected >= c->count))
				break;
		}
		now = xg_now();
		if (c->count && r->reflected >= c->count) {
			xg_stop_set(&r->stop, "count reached");
			break;
		}
		if (xg_stop_poll(&r->stop, now))
			break;
		progress(r, now);
		if (n)
			continue;
		/* Idle: come back in 1 ms when the kernel left frames on the TX ring, else at the next report. */
		err = xg_stop_sleep(&r->stop, &fd, 1, r->tx_pending ? now + 1000000 : r->next_report);
		if (err < 0) {
			xg_err(c->cmd, "ppoll: %s", strerror(-err));
			return XG_EXIT_FAIL;
		}
		if (err || xg_now() < r->gone_check)
			continue;
		r->gone_check = xg_now() + XG_GONE_CHECK_NS;
		if (xg_iface_gone_rx(r->rx)) {
			xg_iface_gone_msg(c);
			xg_stop_set(&r->stop, XG_WHY_GONE);
			r->gone = true;
			return 0;	/* nothing left to drain: the summary, then exit 1 */
		}
	}
	drain(r);
	return 0;
}

static void summary(const struct reflect *r)
{
	const struct xg_cfg *c = r->c;
	double secs = (double)(xg_now() - r->stop.t0) / 1e9;

	if (c->json) {
		struct xg_json j;

		xg_json_begin(&j);
		xg_json_str(&j, "command", "reflect");
		xg_json_str(&j, "interface", c->ifname);
		xg_json_str(&j, "mode", r->mode);
		xg_json_str(&j, "reason", r->stop.why ? r->stop.why : "");
		xg_json_num(&j, "seconds", secs);
		xg_json_u64(&j, "received", r->received);
		xg_json_u64(&j, "reflected", r->reflected);
		xg_json_u64(&j, "reflected_bytes", r->reflected_bytes);
		xg_json_u64(&j, "not_udp", r->not_udp);
		xg_json_u64(&j, "to_group_mac", r->group);
		xg_json_u64(&j, "no_tx_frame", r->no_tx_frame);
		xg_json_u64(&j, "bad_descriptors", r->bad_descs);
		xg_json_end(&j);
		return;
	}
	printf("xdpgen reflect: stopped (%s) after %.2f s on %s queue %u (%s)\n", r->stop.why ? r->stop.why : "?", secs,
	       c->ifname, c->queue, r->mode);
	printf("  received    %" PRIu64 " frames, reflected %" PRIu64 "\n", r->received, r->reflected);
	printf("  dropped     not UDP %" PRIu64 ", to a group MAC %" PRIu64 ", no free TX frame %" PRIu64
	       ", bad descriptors %" PRIu64 "\n",
	       r->not_udp, r->group, r->no_tx_frame, r->bad_descs);
	fflush(stdout);
}

int xg_cmd_reflect(const struct xg_cfg *c)
{
	struct xdpsock_opts opts;
	struct xdpsock_mode m;
	struct reflect *r;
	int rc, err;

	r = calloc(1, sizeof(*r));
	if (!r) {
		xg_err(c->cmd, "out of memory");
		return XG_EXIT_FAIL;
	}
	r->c = c;
	rc = xg_stop_open(&r->stop, c->duration_ns);
	if (rc) {
		xg_err(c->cmd, "cannot set up SIGINT/SIGTERM handling: %s", strerror(-rc));
		free(r);
		return XG_EXIT_FAIL;
	}
	rc = xg_iface_open(c, &r->ifc);
	if (rc)
		goto out;
	xg_log_setup(c);
	rc = xg_xdp_clear_stale(c, &r->ifc);
	if (rc)
		goto out;
	xg_sock_opts(c, r->ifc.mtu + XG_ETH_LEN, &opts);
	err = xdpsock_pair_create(&r->tx, &r->rx, r->ifc.ifindex, c->queue, &opts);
	if (err) {
		rc = xg_sock_fail(c, &r->ifc, "an AF_XDP socket pair", c->queue, err);
		goto out;
	}
	xdpsock_rx_mode(r->rx, &m);
	xdpsock_mode_str(&m, r->mode, sizeof(r->mode));
	if (!c->quiet) {
		fprintf(xg_progress_stream(c), "xdpgen reflect: %s queue %u (%s): reflecting for at most %.1f s\n",
			c->ifname, c->queue, r->mode, (double)c->duration_ns / 1e9);
		fflush(xg_progress_stream(c));
	}
	r->stop.t0 = xg_now();
	r->stop.deadline = r->stop.t0 + c->duration_ns;
	rc = run(r);
	if (!rc) {
		summary(r);
		rc = r->gone ? XG_EXIT_FAIL : XG_EXIT_OK;
	}
	xdpsock_tx_destroy(r->tx);
	xdpsock_rx_destroy(r->rx);
out:
	xg_stop_close(&r->stop);
	free(r);
	return rc;
}
