// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * xdpgen rx: receive through AF_XDP sockets (one per queue, all on this thread, each with its
 * own UMEM), check every frame and its sequence number, drop it (the frame goes back to the
 * fill ring).  --xdp-count goes to rx_count.c instead.
 *
 * Per frame: xg_frame_check() (checksums, lengths, pattern) -> ours / corrupt / other; for
 * ours, the sequence verifier (seqv.c) and the one-way latency (receive time - the send time
 * in the frame: meaningful when sender and receiver share CLOCK_MONOTONIC, i.e. one host).
 * A batch is up to 64 frames per queue, the receive time read once per batch.
 *
 * The run ends at the deadline, a signal, --count frames of ours, or, once --expect distinct
 * frames have arrived, after --idle ms without frames (so late duplicates still count); or,
 * with exit status 1, when the interface goes away (asked each time the loop wakes idle).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <xdpsock/xdpsock.h>

#include "hist.h"
#include "rx.h"
#include "seqv.h"

#define BATCH		64u
#define POLL_EVERY	(2 * 1000 * 1000ull)

struct rx {
	const struct xg_cfg *c;
	struct xg_iface ifc;
	struct xg_stop stop;
	struct xdpsock_rx *q[XG_MAX_QUEUES];
	int fds[XG_MAX_QUEUES];
	uint32_t first_queue, nq;
	struct xg_seqv v;
	struct xg_hist lat;
	char mode[192];
	bool gone;			/* the interface went away: exit 1 */
	uint64_t gone_check;		/* when to ask next */
	/* counters */
	uint64_t frames, bytes;		/* everything the sockets received */
	uint64_t ours, ours_bytes;	/* intact frames of ours (duplicates included) */
	uint64_t corrupt, other, bad_descs;
	const char *first_corrupt;	/* what was wrong with the first corrupted frame */
	uint64_t t_first, t_last;	/* first and last frame of ours (or corrupted), ns */
	/* progress */
	uint64_t next_report, last_t, last_ours, last_bytes;
};

static void progress(struct rx *r, uint64_t now)
{
	double dt;
	char rate[64];

	if (now < r->next_report || r->c->quiet)
		return;
	dt = (double)(now - r->last_t) / 1e9;
	fprintf(xg_progress_stream(r->c),
		"xdpgen rx: %6.1f s  ours %12" PRIu64 "  %s  lost %" PRIu64 "  dup %" PRIu64 "  reord %" PRIu64
		"  corrupt %" PRIu64 "  other %" PRIu64 "\n",
		(double)(now - r->stop.t0) / 1e9, r->ours,
		xg_rate_str((double)(r->ours - r->last_ours) / dt, (double)(r->ours_bytes - r->last_bytes) * 8 / dt, rate,
			    sizeof(rate)),
		xg_seqv_lost(&r->v, 0), r->v.duplicates, r->v.reordered, r->corrupt, r->other);
	fflush(xg_progress_stream(r->c));
	r->last_t = now;
	r->last_ours = r->ours;
	r->last_bytes = r->ours_bytes;
	r->next_report += XG_NSEC;
	if (r->next_report <= now)
		r->next_report = now + XG_NSEC;
}

static void one(struct rx *r, const uint8_t *f, uint32_t len, uint64_t now)
{
	struct xg_rxinfo ri;

	r->frames++;
	r->bytes += len;
	switch (xg_frame_check(f, len, &ri)) {
	case XG_OTHER:
		r->other++;
		return;
	case XG_CORRUPT:
		if (!r->corrupt++)
			r->first_corrupt = ri.why;
		break;
	case XG_OURS:
		r->ours++;
		r->ours_bytes += len;
		xg_seqv_add(&r->v, ri.seq);
		if (now > ri.ts)
			xg_hist_add(&r->lat, now - ri.ts);
		break;
	}
	if (!r->t_first)
		r->t_first = now;
	r->t_last = now;
}

/* Every frame the sockets hold now, bounded per call; returns how many. */
static uint32_t receive(struct rx *r)
{
	uint32_t total = 0, i, k;

	for (i = 0; i < r->nq; i++) {
		for (int b = 0; b < 16; b++) {
			int n = xdpsock_rx_seek_n(r->q[i], BATCH);
			uint64_t now;

			if (n <= 0)
				break;
			now = xg_now();
			for (k = 0; k < (uint32_t)n; k++) {
				uint32_t len;
				const uint8_t *f = xdpsock_rx_peek_at(r->q[i], k, &len);

				if (f)
					one(r, f, len, now);
				else
					r->bad_descs++;	/* EBADMSG: a descriptor outside the UMEM */
			}
			xdpsock_rx_commit_n(r->q[i], (uint32_t)n);
			total += (uint32_t)n;
		}
	}
	return total;
}

static bool expect_met(const struct rx *r)
{
	return r->v.unique >= r->c->expect && !r->corrupt && !r->v.duplicates;
}

static void summary(struct rx *r)
{
	const struct xg_cfg *c = r->c;
	double secs = r->t_last > r->t_first ? (double)(r->t_last - r->t_first) / 1e9 : 0;
	double pps = secs > 0 && r->ours > 1 ? (double)(r->ours - 1) / secs : 0;
	double bps = secs > 0 ? (double)r->ours_bytes * 8 / secs : 0;
	double total = (double)(xg_now() - r->stop.t0) / 1e9;
	struct xdpsock_stats st, sum = { 0 };
	uint64_t lost = xg_seqv_lost(&r->v, c->expect);
	char rate[64], lat[160];
	uint32_t i;

	for (i = 0; i < r->nq; i++)
		if (!xdpsock_rx_stats(r->q[i], &st)) {
			sum.rx_dropped += st.rx_dropped;
			sum.rx_ring_full += st.rx_ring_full;
			sum.rx_fill_ring_empty_descs += st.rx_fill_ring_empty_descs;
			sum.rx_invalid_descs += st.rx_invalid_descs;
		}
	if (c->json) {
		struct xg_json j;

		xg_json_begin(&j);
		xg_json_str(&j, "command", "rx");
		xg_json_str(&j, "interface", c->ifname);
		xg_json_str(&j, "mode", r->mode);
		xg_json_u64(&j, "queues", r->nq);
		xg_json_str(&j, "reason", r->stop.why ? r->stop.why : "");
		xg_json_num(&j, "seconds", total);
		xg_json_num(&j, "active_seconds", secs);
		xg_json_u64(&j, "frames", r->frames);
		xg_json_u64(&j, "ours", r->ours);
		xg_json_u64(&j, "ours_bytes", r->ours_bytes);
		xg_json_u64(&j, "unique", r->v.unique);
		xg_json_u64(&j, "lost", lost);
		xg_json_u64(&j, "duplicates", r->v.duplicates);
		xg_json_u64(&j, "reordered", r->v.reordered);
		xg_json_u64(&j, "stale", r->v.stale);
		xg_json_u64(&j, "corrupted", r->corrupt);
		xg_json_str(&j, "first_corruption", r->first_corrupt ? r->first_corrupt : "");
		xg_json_u64(&j, "other", r->other);
		xg_json_u64(&j, "bad_descriptors", r->bad_descs);
		xg_json_num(&j, "pps", pps);
		xg_json_num(&j, "bps", bps);
		if (c->expect) {
			xg_json_u64(&j, "expect", c->expect);
			xg_json_bool(&j, "expect_met", expect_met(r));
		}
		xg_json_hist(&j, "latency_us", &r->lat);
		xg_json_obj(&j, "socket");
		xg_json_u64(&j, "rx_dropped", sum.rx_dropped);
		xg_json_u64(&j, "rx_ring_full", sum.rx_ring_full);
		xg_json_u64(&j, "rx_fill_ring_empty", sum.rx_fill_ring_empty_descs);
		xg_json_u64(&j, "rx_invalid_descs", sum.rx_invalid_descs);
		xg_json_end(&j);
		return;
	}
	printf("xdpgen rx: stopped (%s) after %.2f s on %s, %u queue(s) from %u (%s)\n", r->stop.why ? r->stop.why : "?",
	       total, c->ifname, r->nq, r->first_queue, r->mode);
	printf("  received    %" PRIu64 " frames of ours, %" PRIu64 " bytes: %s (first to last frame, %.2f s)\n",
	       r->ours, r->ours_bytes, xg_rate_str(pps, bps, rate, sizeof(rate)), secs);
	printf("  sequence    %" PRIu64 " distinct, lost %" PRIu64 ", duplicates %" PRIu64 ", reordered %" PRIu64
	       ", corrupted %" PRIu64 "%s%s%s\n",
	       r->v.unique, lost, r->v.duplicates, r->v.reordered, r->corrupt, r->first_corrupt ? " (first: " : "",
	       r->first_corrupt ? r->first_corrupt : "", r->first_corrupt ? ")" : "");
	if (r->v.stale)
		printf("  stale       %" PRIu64 " frames too far behind to check (counted as lost)\n", r->v.stale);
	printf("  other       %" PRIu64 " frames without xdpgen's magic (%" PRIu64 " frames in all)\n", r->other, r->frames);
	printf("  latency     one-way, us (send time in the frame; one host's clock): %s\n",
	       xg_hist_line(&r->lat, lat, sizeof(lat)));
	printf("  socket      rx_dropped %" PRIu64 ", rx_ring_full %" PRIu64 ", fill_ring_empty %" PRIu64
	       ", bad descriptors %" PRIu64 "\n",
	       sum.rx_dropped, sum.rx_ring_full, sum.rx_fill_ring_empty_descs, r->bad_descs);
	if (c->expect)
		printf("  expect      %" PRIu64 " distinct intact frames, no duplicate, none corrupted: %s\n", c->expect,
		       expect_met(r) ? "met" : "NOT met");
	fflush(stdout);
}

static int open_sockets(struct rx *r)
{
	const struct xg_cfg *c = r->c;
	struct xdpsock_opts opts;
	struct xdpsock_mode m;
	uint32_t i;
	int err;

	xg_sock_opts(c, r->ifc.mtu + XG_ETH_LEN, &opts);
	r->first_queue = c->all_queues ? 0 : c->queue;
	r->nq = c->all_queues ? (r->ifc.queues < XG_MAX_QUEUES ? r->ifc.queues : XG_MAX_QUEUES) : 1;
	/*
	 * A verifier must not lose frames because it was off the CPU for a moment (a busy machine,
	 * a sender spinning on the other CPU): 8192 frames in the fill and RX rings ride out 160 ms
	 * at 50 kpps, for 16 MB per socket.  With many queues, the library's defaults.
	 */
	if (r->nq <= 4)
		opts.frame_count = opts.fill_size = opts.rx_size = 8192;
	for (i = 0; i < r->nq; i++) {
		err = xdpsock_rx_create(&r->q[i], r->ifc.ifindex, r->first_queue + i, &opts);
		if (err)
			return xg_sock_fail(c, &r->ifc, "an AF_XDP socket", r->first_queue + i, err);
		r->fds[i] = xdpsock_rx_fd(r->q[i]);
	}
	xdpsock_rx_mode(r->q[0], &m);
	xdpsock_mode_str(&m, r->mode, sizeof(r->mode));
	return 0;
}

static int run(struct rx *r)
{
	const struct xg_cfg *c = r->c;
	uint64_t now, next_poll = 0, idle_ns = (uint64_t)c->idle_ms * 1000000;

	r->last_t = r->stop.t0;
	r->next_report = r->stop.t0 + XG_NSEC;
	for (;;) {
		uint32_t got = receive(r);

		now = xg_now();
		if (c->count && r->ours + r->corrupt >= c->count) {
			xg_stop_set(&r->stop, "count reached");
			break;
		}
		if (now >= next_poll || !got) {
			if (xg_stop_poll(&r->stop, now))
				break;
			if (c->expect && r->v.unique >= c->expect && now - r->t_last >= idle_ns) {
				xg_stop_set(&r->stop, "the expected frames arrived");
				break;
			}
			progress(r, now);
			next_poll = now + POLL_EVERY;
		}
		if (!got) {
			uint64_t until = r->next_report;

			if (c->expect && r->v.unique >= c->expect && r->t_last + idle_ns < until)
				until = r->t_last + idle_ns;
			int err = xg_stop_sleep(&r->stop, r->fds, (int)r->nq, until);

			if (err < 0) {
				xg_err(c->cmd, "ppoll: %s", strerror(-err));
				return XG_EXIT_FAIL;
			}
			if (err)
				break;
			/* Every socket of ours is on the one interface: one tells for all. */
			now = xg_now();
			if (now < r->gone_check)
				continue;
			r->gone_check = now + XG_GONE_CHECK_NS;
			if (xg_iface_gone_rx(r->q[0])) {
				xg_iface_gone_msg(c);
				xg_stop_set(&r->stop, XG_WHY_GONE);
				r->gone = true;
				break;
			}
		}
	}
	return 0;
}

int xg_cmd_rx(const struct xg_cfg *c)
{
	struct rx *r;
	int rc;
	uint32_t i;

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
	if (c->xdp_count) {
		rc = xg_rx_count(c, &r->ifc, &r->stop);
		goto out;
	}
	xg_hist_init(&r->lat);
	if (xg_seqv_init(&r->v, 0, 0)) {
		xg_err(c->cmd, "out of memory for the sequence window");
		rc = XG_EXIT_FAIL;
		goto out;
	}
	rc = open_sockets(r);
	if (rc)
		goto out_sockets;
	if (!c->quiet) {
		fprintf(xg_progress_stream(c), "xdpgen rx: %s, %u queue(s) from %u (%s): listening for at most %.1f s\n",
			c->ifname, r->nq, r->first_queue, r->mode, (double)c->duration_ns / 1e9);
		fflush(xg_progress_stream(c));
	}
	/* The socket's start, not the process's, is when the duration begins. */
	r->stop.t0 = xg_now();
	r->stop.deadline = r->stop.t0 + c->duration_ns;
	rc = run(r);
	if (!rc) {
		summary(r);
		rc = r->gone || (c->expect && !expect_met(r)) ? XG_EXIT_FAIL : XG_EXIT_OK;
	}
out_sockets:
	for (i = 0; i < r->nq; i++)
		xdpsock_rx_destroy(r->q[i]);
	xg_seqv_free(&r->v);
out:
	xg_stop_close(&r->stop);
	free(r);
	return rc;
}
