// SPDX-License-Identifier: MIT OR Apache-2.0
/* xdpgen tx: the interface and stream, the engine, the summary. */
#include <inttypes.h>
#include <string.h>
#include <sys/socket.h>

#include "tx.h"

void xg_tx_progress(struct xg_tx *t, uint64_t now)
{
	double dt, pps, bps;
	char rate[64];

	if (now < t->next_report || t->c->quiet)
		return;
	dt = (double)(now - t->last_t) / 1e9;
	pps = (double)(t->sent - t->last_sent) / dt;
	bps = (double)(t->bytes - t->last_bytes) * 8 / dt;
	fprintf(xg_progress_stream(t->c), "xdpgen tx: %6.1f s  sent %12" PRIu64 "  %s\n",
		(double)(now - t->stop.t0) / 1e9, t->sent, xg_rate_str(pps, bps, rate, sizeof(rate)));
	fflush(xg_progress_stream(t->c));
	t->last_t = now;
	t->last_sent = t->sent;
	t->last_bytes = t->bytes;
	t->next_report += XG_NSEC;
	if (t->next_report <= now)
		t->next_report = now + XG_NSEC;
}

static void summary(const struct xg_tx *t)
{
	const struct xg_cfg *c = t->c;
	double secs = t->t_last > t->t_first ? (double)(t->t_last - t->t_first) / 1e9 : 0;
	/* Over the time between the first and the last frame: n frames span n - 1 intervals. */
	double pps = secs > 0 && t->sent > 1 ? (double)(t->sent - 1) / secs : 0;
	double bps = secs > 0 && t->sent > 1 ? (double)t->bytes * 8 * (double)(t->sent - 1) / (double)t->sent / secs : 0;
	const char *engine = t->engine == XG_ENGINE_LIVE ? "live" : "xsk";
	char rate[64];

	if (c->json) {
		struct xg_json j;

		xg_json_begin(&j);
		xg_json_str(&j, "command", "tx");
		xg_json_str(&j, "interface", c->ifname);
		xg_json_str(&j, "engine", engine);
		xg_json_str(&j, "mode", t->mode);
		xg_json_str(&j, "family", t->s.a.family == AF_INET6 ? "ipv6" : "ipv4");
		xg_json_str(&j, "reason", t->stop.why ? t->stop.why : "");
		xg_json_num(&j, "seconds", secs);
		xg_json_u64(&j, "sent", t->sent);
		xg_json_u64(&j, "bytes", t->bytes);
		xg_json_num(&j, "pps", pps);
		xg_json_num(&j, "bps", bps);
		if (t->engine == XG_ENGINE_XSK)
			xg_json_u64(&j, "completed", t->completed);
		else
			xg_json_u64(&j, "paced_drops", t->paced);
		xg_json_end(&j);
		return;
	}
	printf("xdpgen tx: stopped (%s) after %.2f s\n", t->stop.why ? t->stop.why : "?", secs);
	printf("  sent        %" PRIu64 " frames, %" PRIu64 " bytes: %s\n", t->sent, t->bytes,
	       xg_rate_str(pps, bps, rate, sizeof(rate)));
	if (t->engine == XG_ENGINE_XSK)
		printf("  engine      xsk on %s queue %u (%s): %" PRIu64 " completed by the kernel\n", c->ifname,
		       c->queue, t->mode, t->completed);
	else
		printf("  engine      live on %s (%s)%s\n", c->ifname, t->mode,
		       !strcmp(t->ifc.driver, "veth") ? ": a veth delivers these frames only when its peer has an "
							 "XDP program or GRO on" : "");
	fflush(stdout);
}

int xg_cmd_tx(const struct xg_cfg *c)
{
	struct xg_tx t = { .c = c };
	char buf[256];
	int rc;

	rc = xg_stop_open(&t.stop, c->duration_ns);
	if (rc) {
		xg_err(c->cmd, "cannot set up SIGINT/SIGTERM handling: %s", strerror(-rc));
		return XG_EXIT_FAIL;
	}
	rc = xg_iface_open(c, &t.ifc);
	if (rc)
		goto out_stop;
	rc = xg_stream_open(&t.s, c, &t.ifc);
	if (rc)
		goto out_stream;
	xg_log_setup(c);
	t.engine = c->engine;
	/* The live engine's frames come in on a queue of the interface: a usage error before any probe. */
	if (t.engine != XG_ENGINE_XSK && c->queue >= t.ifc.queues) {
		xg_err(c->cmd, "queue %u is out of range: %s has %u queue%s (0..%u)", c->queue, c->ifname, t.ifc.queues,
		       t.ifc.queues == 1 ? "" : "s", t.ifc.queues - 1);
		rc = XG_EXIT_USAGE;
		goto out_stream;
	}
	if (t.engine != XG_ENGINE_XSK) {
		struct xg_live_probe probe;
		char msg[384];
		int e;

		xg_live_probe(t.ifc.ifindex, &probe);
		e = xg_engine_pick(c->engine, &probe, msg, sizeof(msg));
		if (msg[0])
			xg_err(c->cmd, "%s", msg);
		if (e < 0) {
			rc = XG_EXIT_FAIL;
			goto out_stream;
		}
		t.engine = (enum xg_engine)e;
	}
	if (!c->quiet) {
		FILE *f = xg_progress_stream(c);

		fprintf(f, "xdpgen tx: %s, engine %s: %s", c->ifname, t.engine == XG_ENGINE_LIVE ? "live" : "xsk",
			xg_stream_str(&t.s, buf, sizeof(buf)));
		if (c->rate)
			fprintf(f, ", %" PRIu64 " per second", c->rate);
		if (c->count)
			fprintf(f, ", %" PRIu64 " frames", c->count);
		fprintf(f, ", for at most %.1f s\n", (double)c->duration_ns / 1e9);
		fflush(f);
	}
	t.next_report = t.stop.t0 + XG_NSEC;
	t.last_t = t.stop.t0;
	rc = t.engine == XG_ENGINE_LIVE ? xg_tx_live(&t) : xg_tx_xsk(&t);
	if (rc == XG_EXIT_OK)
		summary(&t);
out_stream:
	xg_stream_close(&t.s);
out_stop:
	xg_stop_close(&t.stop);
	return rc;
}
