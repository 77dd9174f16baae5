// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * `xdpbridge fwd` counters: merging the worker's and the library's, publishing them
 * through a seqlock, and printing them (stats.h).  Nothing here runs on the hot path
 * except xb_dir_account(), which is a few additions per batch.
 */
#include <inttypes.h>
#include <stddef.h>
#include <string.h>

#include "cmd.h"
#include "stats.h"

_Static_assert(sizeof(struct xb_port_stats) % sizeof(uint64_t) == 0, "xb_port_stats must be uint64_t only");
_Static_assert(sizeof(struct xb_queue_stats) == 2 * sizeof(struct xb_port_stats), "no padding between ports");

void xb_dir_account(struct xb_dir_counters *c, uint32_t n, uint32_t k)
{
	/* The frames that waited are at the head of the held ones: k took those first. */
	uint32_t still = c->held_counted > k ? c->held_counted - k : 0, waiting = n - k;

	if (waiting > still)
		c->waited += waiting - still;
	c->held_counted = waiting;
	c->held = waiting;
	c->taken += k;
}

static uint64_t sub0(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

void xb_port_stats_make(struct xb_port_stats *o, const struct xdpsock_stats *s, const struct xb_dir_counters *in,
			const struct xb_dir_counters *out, bool shared, uint64_t unreclaimed)
{
	memset(o, 0, sizeof(*o));
	o->rx = in->taken + in->held;
	o->forwarded = shared ? s->rx_forwarded : in->copied;
	o->oversize = shared ? s->rx_fwd_oversize : in->oversize;
	o->rx_bad = s->rx_bad_descs;
	o->held = in->held;
	o->tx = s->tx_frames;
	/* Completions the library has not reclaimed yet were sent all the same. */
	o->sent = s->tx_completed + unreclaimed;
	o->in_flight = sub0(o->tx, o->sent);
	o->tx_ring_full = out->waited;
	o->rx_ring_full = s->rx_ring_full;
	o->fill_ring_empty = s->rx_fill_ring_empty_descs;
	o->rx_dropped = s->rx_dropped;
	o->invalid = s->rx_invalid_descs + s->tx_invalid_descs + s->rx_bad_descs + s->tx_bad_descs;
	o->tx_kicks = s->tx_wakeups;
}

void xb_port_stats_add(struct xb_port_stats *dst, const struct xb_port_stats *src)
{
	uint64_t d[XB_PORT_WORDS], a[XB_PORT_WORDS];
	size_t i;

	memcpy(d, dst, sizeof(d));
	memcpy(a, src, sizeof(a));
	for (i = 0; i < XB_PORT_WORDS; i++)
		d[i] += a[i];
	memcpy(dst, d, sizeof(d));
}

/* ---- seqlock ------------------------------------------------------------- */

/*
 * One writer (the worker), readers on other threads.  Every word is accessed atomically
 * (relaxed), so a torn snapshot is detected by the sequence number, never undefined.
 */
void xb_seqlock_publish(uint32_t *seqp, uint64_t *dst, const uint64_t *src, size_t nwords)
{
	uint32_t seq = __atomic_load_n(seqp, __ATOMIC_RELAXED);
	size_t i;

	__atomic_store_n(seqp, seq + 1, __ATOMIC_RELAXED);
	/* The odd count before any word: pairs with the reader's acquire fence after its words. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	for (i = 0; i < nwords; i++)
		__atomic_store_n(&dst[i], src[i], __ATOMIC_RELAXED);
	/* Every word before the even count: pairs with the reader's load-acquire of seq. */
	__atomic_store_n(seqp, seq + 2, __ATOMIC_RELEASE);
}

bool xb_seqlock_read(const uint32_t *seqp, const uint64_t *src, uint64_t *dst, size_t nwords)
{
	int tries;
	size_t i;

	for (tries = 0; tries < 10000; tries++) {
		/* Pairs with the writer's store-release of the even count. */
		uint32_t seq = __atomic_load_n(seqp, __ATOMIC_ACQUIRE);

		if (seq & 1)
			continue;
		for (i = 0; i < nwords; i++)
			dst[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
		/* The words before the second look at seq: pairs with the writer's release fence. */
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(seqp, __ATOMIC_RELAXED) == seq)
			return true;
	}
	return false;
}

void xb_seq_publish(struct xb_seq *s, const struct xb_queue_stats *v)
{
	uint64_t w[XB_QUEUE_WORDS];

	memcpy(w, v, sizeof(w));
	xb_seqlock_publish(&s->seq, s->w, w, XB_QUEUE_WORDS);
}

bool xb_seq_read(const struct xb_seq *s, struct xb_queue_stats *v)
{
	uint64_t w[XB_QUEUE_WORDS];

	if (!xb_seqlock_read(&s->seq, s->w, w, XB_QUEUE_WORDS))
		return false;
	memcpy(v, w, sizeof(w));
	return true;
}

/* ---- balance ------------------------------------------------------------- */

void xb_balance_make(struct xb_balance *b, const struct xb_port_stats *in, const struct xb_port_stats *out)
{
	memset(b, 0, sizeof(*b));
	b->received = in->rx;
	b->forwarded = in->forwarded;
	b->oversize = in->oversize;
	b->invalid = in->rx_bad;
	b->held = in->held;
	b->accepted = out->tx;
	b->sent = out->sent;
	b->in_flight = out->in_flight;
	b->rx_adds_up = b->received == b->forwarded + b->oversize + b->invalid + b->held;
	b->tx_adds_up = b->forwarded == b->accepted && b->accepted == b->sent + b->in_flight;
}

/* ---- rendering ----------------------------------------------------------- */

void xb_stats_total(const struct xb_report *r, struct xb_queue_stats *total)
{
	unsigned int i;
	int p;

	memset(total, 0, sizeof(*total));
	for (i = 0; i < r->nqueues; i++)
		for (p = 0; p < 2; p++)
			xb_port_stats_add(&total->port[p], &r->q[i].port[p]);
}

static double rate(uint64_t now, uint64_t before, double secs)
{
	return secs > 0 && now >= before ? (double)(now - before) / secs : 0.0;
}

/* Interface names come from the user and the kernel: keep the terminal sane. */
static void safe_name(char *out, size_t len, const char *name)
{
	size_t i;

	snprintf(out, len, "%s", name);
	for (i = 0; out[i]; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			out[i] = '?';
}

static void table_head(FILE *f, const char *first)
{
	fprintf(f, "%-14s %12s %12s %10s %10s %9s %10s %10s %12s %8s %8s %6s %9s\n", first, "rx", "tx", "rx/s", "tx/s",
		"ring_full", "fill_empty", "rx_dropped", "tx_ring_full", "invalid", "oversize", "held", "in_flight");
}

static void table_row(FILE *f, const char *label, const struct xb_port_stats *s, const struct xb_port_stats *prev,
		      double secs)
{
	fprintf(f, "%-14s %12" PRIu64 " %12" PRIu64 " %10.0f %10.0f %9" PRIu64 " %10" PRIu64 " %10" PRIu64 " %12" PRIu64
		   " %8" PRIu64 " %8" PRIu64 " %6" PRIu64 " %9" PRIu64 "\n",
		label, s->rx, s->tx, prev ? rate(s->rx, prev->rx, secs) : 0.0, prev ? rate(s->tx, prev->tx, secs) : 0.0,
		s->rx_ring_full, s->fill_ring_empty, s->rx_dropped, s->tx_ring_full, s->invalid, s->oversize, s->held,
		s->in_flight);
}

void xb_stats_print_table(FILE *f, const struct xb_report *r)
{
	struct xb_queue_stats total;
	char head[32], label[64], name[IF_NAMESIZE];
	unsigned int i;
	int p;

	xb_stats_total(r, &total);
	snprintf(head, sizeof(head), "[%.1fs]", r->elapsed);
	table_head(f, head);
	for (p = 0; p < 2; p++) {
		safe_name(name, sizeof(name), r->ifname[p]);
		table_row(f, name, &total.port[p], r->prev ? &r->prev->port[p] : NULL, r->interval);
	}
	if (r->nqueues > 1)
		for (i = 0; i < r->nqueues; i++)
			for (p = 0; p < 2; p++) {
				safe_name(name, sizeof(name), r->ifname[p]);
				snprintf(label, sizeof(label), "  %s/q%u", name, r->queue[i]);
				table_row(f, label, &r->q[i].port[p], NULL, 0);
			}
}

static void json_port(FILE *f, const char *ifname, const struct xb_port_stats *s, const struct xb_port_stats *prev,
		      double secs)
{
	fputs("{\"ifname\":", f);
	json_print_str(f, ifname);
	fprintf(f,
		",\"rx\":%" PRIu64 ",\"tx\":%" PRIu64 ",\"forwarded\":%" PRIu64 ",\"sent\":%" PRIu64 ",\"held\":%" PRIu64
		",\"in_flight\":%" PRIu64,
		s->rx, s->tx, s->forwarded, s->sent, s->held, s->in_flight);
	if (prev)
		fprintf(f, ",\"rx_pps\":%.1f,\"tx_pps\":%.1f", rate(s->rx, prev->rx, secs), rate(s->tx, prev->tx, secs));
	fprintf(f,
		",\"dropped\":{\"rx_ring_full\":%" PRIu64 ",\"fill_ring_empty\":%" PRIu64 ",\"rx_dropped\":%" PRIu64
		",\"invalid\":%" PRIu64 ",\"oversize\":%" PRIu64 "},\"tx_ring_full\":%" PRIu64 ",\"rx_bad_descs\":%" PRIu64
		",\"tx_kicks\":%" PRIu64 "}",
		s->rx_ring_full, s->fill_ring_empty, s->rx_dropped, s->invalid, s->oversize, s->tx_ring_full, s->rx_bad,
		s->tx_kicks);
}

/* "ports": [ A, B ], "queues": [ { "queue": q, "cpu": c, "ports": [ A, B ] } ... ] */
static void json_body(FILE *f, const struct xb_report *r, const struct xb_queue_stats *total, bool rates)
{
	unsigned int i;
	int p;

	fputs(",\"ports\":[", f);
	for (p = 0; p < 2; p++) {
		fputs(p ? "," : "", f);
		json_port(f, r->ifname[p], &total->port[p], rates && r->prev ? &r->prev->port[p] : NULL, r->interval);
	}
	fputs("],\"queues\":[", f);
	for (i = 0; i < r->nqueues; i++) {
		fprintf(f, "%s{\"queue\":%u,\"cpu\":%d,\"ports\":[", i ? "," : "", r->queue[i], r->cpu ? r->cpu[i] : -1);
		for (p = 0; p < 2; p++) {
			fputs(p ? "," : "", f);
			json_port(f, r->ifname[p], &r->q[i].port[p], NULL, 0);
		}
		fputs("]}", f);
	}
	fputs("]", f);
}

void xb_stats_print_json(FILE *f, const struct xb_report *r)
{
	struct xb_queue_stats total;

	xb_stats_total(r, &total);
	fprintf(f, "{\"type\":\"stats\",\"elapsed\":%.3f,\"interval\":%.3f", r->elapsed, r->interval);
	json_body(f, r, &total, true);
	fputs("}\n", f);
}

static void summary_human(FILE *f, const struct xb_report *r, const struct xb_summary *s,
			  const struct xb_queue_stats *total)
{
	static const struct xb_port_stats zero;
	char name[2][IF_NAMESIZE];
	int p;

	safe_name(name[0], sizeof(name[0]), r->ifname[0]);
	safe_name(name[1], sizeof(name[1]), r->ifname[1]);
	fprintf(f, "summary: %.2f s, stopped by %s, %u queue%s, %s%s\n", r->elapsed, s->reason, r->nqueues,
		r->nqueues == 1 ? "" : "s", s->shared_umem ? "shared UMEM (no copy)" : "separate UMEMs (copied)",
		s->drained ? "" : ", drain timed out");
	/* The rates of the summary are averages over the whole run. */
	table_head(f, "");
	for (p = 0; p < 2; p++)
		table_row(f, name[p], &total->port[p], &zero, r->elapsed);
	if (r->nqueues > 1) {
		unsigned int i;
		char label[64];

		for (i = 0; i < r->nqueues; i++)
			for (p = 0; p < 2; p++) {
				snprintf(label, sizeof(label), "  %s/q%u", name[p], r->queue[i]);
				table_row(f, label, &r->q[i].port[p], &zero, r->elapsed);
			}
	}
	for (p = 0; p < 2; p++) {
		const struct xb_port_stats *in = &total->port[p], *out = &total->port[!p];
		struct xb_balance b;

		xb_balance_make(&b, in, out);
		fprintf(f, "%s -> %s: received %" PRIu64 " = forwarded %" PRIu64 " + oversize %" PRIu64 " + invalid %" PRIu64
			   " + held %" PRIu64 " (%s)\n",
			name[p], name[!p], b.received, b.forwarded, b.oversize, b.invalid, b.held,
			b.rx_adds_up ? "adds up" : "DOES NOT ADD UP");
		fprintf(f, "  %s accepted %" PRIu64 " = sent %" PRIu64 " + in flight %" PRIu64 " (%s)\n", name[!p],
			b.accepted, b.sent, b.in_flight, b.tx_adds_up ? "adds up" : "DOES NOT ADD UP");
		fprintf(f, "  not received, dropped by the kernel on %s: rx_ring_full %" PRIu64 ", rx_dropped %" PRIu64
			   " (fill ring empty %" PRIu64 "); waited for %s's TX ring: %" PRIu64 " frames\n",
			name[p], in->rx_ring_full, in->rx_dropped, in->fill_ring_empty, name[!p], out->tx_ring_full);
	}
}

static void summary_json(FILE *f, const struct xb_report *r, const struct xb_summary *s,
			 const struct xb_queue_stats *total)
{
	int p;

	fprintf(f, "{\"type\":\"summary\",\"elapsed\":%.3f,\"reason\":\"%s\",\"shared_umem\":%s,\"drained\":%s",
		r->elapsed, s->reason, s->shared_umem ? "true" : "false", s->drained ? "true" : "false");
	json_body(f, r, total, false);
	fputs(",\"directions\":[", f);
	for (p = 0; p < 2; p++) {
		const struct xb_port_stats *in = &total->port[p], *out = &total->port[!p];
		struct xb_balance b;

		xb_balance_make(&b, in, out);
		fputs(p ? ",{\"from\":" : "{\"from\":", f);
		json_print_str(f, r->ifname[p]);
		fputs(",\"to\":", f);
		json_print_str(f, r->ifname[!p]);
		fprintf(f,
			",\"received\":%" PRIu64 ",\"forwarded\":%" PRIu64 ",\"oversize\":%" PRIu64 ",\"invalid\":%" PRIu64
			",\"held\":%" PRIu64 ",\"accepted\":%" PRIu64 ",\"sent\":%" PRIu64 ",\"in_flight\":%" PRIu64
			",\"kernel_dropped\":{\"rx_ring_full\":%" PRIu64 ",\"rx_dropped\":%" PRIu64
			",\"fill_ring_empty\":%" PRIu64 "},\"tx_ring_full\":%" PRIu64 ",\"adds_up\":%s}",
			b.received, b.forwarded, b.oversize, b.invalid, b.held, b.accepted, b.sent, b.in_flight,
			in->rx_ring_full, in->rx_dropped, in->fill_ring_empty, out->tx_ring_full,
			b.rx_adds_up && b.tx_adds_up ? "true" : "false");
	}
	fputs("]}\n", f);
}

void xb_summary_print(FILE *f, const struct xb_report *r, const struct xb_summary *s, bool json)
{
	struct xb_queue_stats total;

	xb_stats_total(r, &total);
	if (json)
		summary_json(f, r, s, &total);
	else
		summary_human(f, r, s, &total);
}
