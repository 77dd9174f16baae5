// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * xdpgen ping: round trips through an AF_XDP socket pair.  Probes are the frames of 'xdpgen tx'
 * (numbered, stamped with their send time), paced at --rate; a reflector returns them with
 * MACs, addresses and ports swapped, which leaves every checksum valid, so a reply passes
 * xg_frame_check() exactly as the probe would.  A reply must come from the address we sent to,
 * to our address and port, with a sequence number we sent; its round trip is the receive time
 * minus the send time it carries (checked by the UDP checksum), into a log-linear histogram.
 *
 * Sending stops at --count or --duration; then replies are awaited for --wait ms, or until all
 * have come back.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <xdpsock/xdpsock.h>

#include "hist.h"
#include "seqv.h"
#include "xdpgen.h"

#define BATCH 64u

struct ping {
	const struct xg_cfg *c;
	struct xg_iface ifc;
	struct xg_stream s;
	struct xg_stop stop;
	struct xdpsock_tx *tx;
	struct xdpsock_rx *rx;
	struct xg_seqv v;
	struct xg_hist rtt;
	char mode[192];
	bool tx_pending;	/* the last kick left frames on the TX ring */
	uint64_t sent, replies, corrupt, other, bad_descs;
	const char *first_corrupt;
	uint64_t next_report;
};

static int kick(struct ping *p)
{
	int r = xdpsock_tx_kick(p->tx);

	if (r < 0)
		return r;
	p->tx_pending = r == 0 && xdpsock_tx_needs_kick(p->tx);
	return 0;
}

/* Send the probes due by @now (at most a batch). */
static int send_due(struct ping *p, uint64_t t0, uint64_t now, uint64_t limit)
{
	const struct xg_cfg *c = p->c;
	uint64_t el = now - t0, due = el / XG_NSEC * c->rate + el % XG_NSEC * c->rate / XG_NSEC + 1;
	uint32_t want, n, i;
	int err;

	if (due > limit)
		due = limit;
	if (due <= p->sent)
		return p->tx_pending ? kick(p) : 0;
	want = due - p->sent < BATCH ? (uint32_t)(due - p->sent) : BATCH;
	n = (uint32_t)xdpsock_tx_seek_n(p->tx, want);
	for (i = 0; i < n; i++) {
		uint16_t sport;
		const struct xg_tmpl *t = xg_stream_next(&p->s, &sport);
		uint8_t *f = xdpsock_tx_peek_at(p->tx, i, t->len);

		if (!f)
			return -errno;
		xg_frame_build(f, t, sport, (uint32_t)(p->sent + i), xg_now());
	}
	if (n) {
		err = xdpsock_tx_commit_n(p->tx, n);
		if (err < 0)
			return err;
		p->sent += n;
	}
	return kick(p);
}

static void check_reply(struct ping *p, const uint8_t *f, uint32_t len, uint64_t now)
{
	const struct xg_addrs *a = &p->s.a;
	size_t alen = a->family == AF_INET6 ? 16 : 4;
	struct xg_rxinfo ri;
	enum xg_verdict v = xg_frame_check(f, len, &ri);

	if (v == XG_OTHER || ri.family != a->family || memcmp(ri.src_ip, a->dst_ip, alen) ||
	    memcmp(ri.dst_ip, a->src_ip, alen) || ri.sport != a->dport || ri.dport < a->sport ||
	    ri.dport >= a->sport + p->s.flows) {
		p->other++;	/* not a reply to us: our own probe seen again, someone else's traffic */
		return;
	}
	if (v == XG_OURS && ri.seq >= p->sent) {
		v = XG_CORRUPT;
		ri.why = "a sequence number that was never sent";
	}
	if (v == XG_CORRUPT) {
		if (!p->corrupt++)
			p->first_corrupt = ri.why;
		return;
	}
	p->replies++;
	if (xg_seqv_add(&p->v, ri.seq) != XG_SEQ_DUP && now > ri.ts)
		xg_hist_add(&p->rtt, now - ri.ts);
}

static void receive(struct ping *p)
{
	for (int b = 0; b < 16; b++) {
		int n = xdpsock_rx_seek_n(p->rx, BATCH);
		uint64_t now;

		if (n <= 0)
			return;
		now = xg_now();
		for (uint32_t i = 0; i < (uint32_t)n; i++) {
			uint32_t len;
			const uint8_t *f = xdpsock_rx_peek_at(p->rx, i, &len);

			if (f)
				check_reply(p, f, len, now);
			else
				p->bad_descs++;
		}
		xdpsock_rx_commit_n(p->rx, (uint32_t)n);
	}
}

static void progress(struct ping *p, uint64_t now)
{
	char lat[160];

	if (now < p->next_report || p->c->quiet)
		return;
	fprintf(xg_progress_stream(p->c), "xdpgen ping: %6.1f s  sent %" PRIu64 "  replies %" PRIu64 "  rtt us: %s\n",
		(double)(now - p->stop.t0) / 1e9, p->sent, p->replies, xg_hist_line(&p->rtt, lat, sizeof(lat)));
	fflush(xg_progress_stream(p->c));
	p->next_report += XG_NSEC;
	if (p->next_report <= now)
		p->next_report = now + XG_NSEC;
}

static bool all_good(const struct ping *p)
{
	return p->sent && !xg_seqv_lost(&p->v, p->sent) && !p->corrupt && !p->v.duplicates;
}

static void summary(const struct ping *p)
{
	const struct xg_cfg *c = p->c;
	uint64_t lost = xg_seqv_lost(&p->v, p->sent);
	double secs = (double)(xg_now() - p->stop.t0) / 1e9;
	char lat[160];

	if (c->json) {
		struct xg_json j;

		xg_json_begin(&j);
		xg_json_str(&j, "command", "ping");
		xg_json_str(&j, "interface", c->ifname);
		xg_json_str(&j, "mode", p->mode);
		xg_json_str(&j, "family", p->s.a.family == AF_INET6 ? "ipv6" : "ipv4");
		xg_json_str(&j, "reason", p->stop.why ? p->stop.why : "");
		xg_json_num(&j, "seconds", secs);
		xg_json_u64(&j, "sent", p->sent);
		xg_json_u64(&j, "received", p->v.unique);
		xg_json_u64(&j, "lost", lost);
		xg_json_u64(&j, "duplicates", p->v.duplicates);
		xg_json_u64(&j, "reordered", p->v.reordered);
		xg_json_u64(&j, "corrupted", p->corrupt);
		xg_json_str(&j, "first_corruption", p->first_corrupt ? p->first_corrupt : "");
		xg_json_u64(&j, "other", p->other);
		xg_json_hist(&j, "rtt_us", &p->rtt);
		xg_json_bool(&j, "ok", all_good(p));
		xg_json_end(&j);
		return;
	}
	printf("xdpgen ping: stopped (%s) after %.2f s on %s queue %u (%s)\n", p->stop.why ? p->stop.why : "?", secs,
	       c->ifname, c->queue, p->mode);
	printf("  probes      %" PRIu64 " sent, %" PRIu64 " came back intact, lost %" PRIu64 ", duplicates %" PRIu64
	       ", reordered %" PRIu64 ", corrupted %" PRIu64 "%s%s%s\n",
	       p->sent, p->v.unique, lost, p->v.duplicates, p->v.reordered, p->corrupt,
	       p->first_corrupt ? " (first: " : "", p->first_corrupt ? p->first_corrupt : "", p->first_corrupt ? ")" : "");
	printf("  other       %" PRIu64 " frames that are not replies to us\n", p->other);
	printf("  rtt (us)    %s\n", xg_hist_line(&p->rtt, lat, sizeof(lat)));
	fflush(stdout);
}

static int run(struct ping *p)
{
	const struct xg_cfg *c = p->c;
	uint64_t t0 = xg_now(), now, limit = c->count ? c->count : UINT64_MAX;
	uint64_t send_end = t0 + c->duration_ns, wait_ns = (uint64_t)c->wait_ms * 1000000, t_sent = 0;
	int fd = xdpsock_rx_fd(p->rx), err;

	p->stop.t0 = t0;
	p->stop.deadline = send_end + wait_ns;	/* sending, then the wait for the last replies */
	p->next_report = t0 + XG_NSEC;
	for (;;) {
		uint64_t next;
		bool sending;

		now = xg_now();
		sending = p->sent < limit && now < send_end;
		if (sending) {
			err = send_due(p, t0, now, limit);
			if (err) {
				xg_sock_io_fail(c, &p->ifc, err);
				return XG_EXIT_FAIL;
			}
		} else if (!t_sent) {
			t_sent = now;
		}
		receive(p);
		now = xg_now();
		if (!sending && p->v.unique >= p->sent && !p->tx_pending) {
			xg_stop_set(&p->stop, "all replies arrived");
			break;
		}
		if (!sending && now >= t_sent + wait_ns) {
			xg_stop_set(&p->stop, "the wait for replies is over");
			break;
		}
		if (xg_stop_poll(&p->stop, now))
			break;
		progress(p, now);
		/* Sleep until the next probe is due, a reply arrives, a signal, or the wait ends. */
		if (p->tx_pending)
			next = now + 20000;
		else if (sending)
			next = t0 + p->sent / c->rate * XG_NSEC + p->sent % c->rate * XG_NSEC / c->rate;
		else
			next = t_sent + wait_ns;
		if (next > p->next_report)
			next = p->next_report;
		err = xg_stop_sleep(&p->stop, &fd, 1, next);
		if (err < 0) {
			xg_err(c->cmd, "ppoll: %s", strerror(-err));
			return XG_EXIT_FAIL;
		}
	}
	/* Drain what arrived meanwhile, for the counters. */
	receive(p);
	return 0;
}

int xg_cmd_ping(const struct xg_cfg *c)
{
	struct xdpsock_opts opts;
	struct xdpsock_mode m;
	struct ping *p;
	char buf[256];
	int rc, err;

	p = calloc(1, sizeof(*p));
	if (!p) {
		xg_err(c->cmd, "out of memory");
		return XG_EXIT_FAIL;
	}
	p->c = c;
	xg_hist_init(&p->rtt);
	rc = xg_stop_open(&p->stop, c->duration_ns);
	if (rc) {
		xg_err(c->cmd, "cannot set up SIGINT/SIGTERM handling: %s", strerror(-rc));
		free(p);
		return XG_EXIT_FAIL;
	}
	rc = xg_iface_open(c, &p->ifc);
	if (rc)
		goto out_stop;
	rc = xg_stream_open(&p->s, c, &p->ifc);
	if (rc)
		goto out_stream;
	if (xg_seqv_init(&p->v, 0, 0)) {
		xg_err(c->cmd, "out of memory for the sequence window");
		rc = XG_EXIT_FAIL;
		goto out_stream;
	}
	xg_log_setup(c);
	rc = xg_xdp_clear_stale(c, &p->ifc);
	if (rc)
		goto out_seqv;
	xg_sock_opts(c, p->ifc.mtu + XG_ETH_LEN, &opts);
	err = xdpsock_pair_create(&p->tx, &p->rx, p->ifc.ifindex, c->queue, &opts);
	if (err) {
		rc = xg_sock_fail(c, &p->ifc, "an AF_XDP socket pair", c->queue, err);
		goto out_seqv;
	}
	xdpsock_tx_mode(p->tx, &m);
	xdpsock_mode_str(&m, p->mode, sizeof(p->mode));
	if (!c->quiet) {
		fprintf(xg_progress_stream(c), "xdpgen ping: %s queue %u (%s): %s, %" PRIu64 " per second\n", c->ifname,
			c->queue, p->mode, xg_stream_str(&p->s, buf, sizeof(buf)), c->rate);
		fflush(xg_progress_stream(c));
	}
	rc = run(p);
	if (!rc) {
		summary(p);
		rc = all_good(p) ? XG_EXIT_OK : XG_EXIT_FAIL;
	}
	xdpsock_tx_destroy(p->tx);
	xdpsock_rx_destroy(p->rx);
out_seqv:
	xg_seqv_free(&p->v);
out_stream:
	xg_stream_close(&p->s);
out_stop:
	xg_stop_close(&p->stop);
	free(p);
	return rc;
}
