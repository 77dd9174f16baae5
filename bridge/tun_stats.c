// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * Counters of `xdpbridge tap|tun`: sums, the balance of each direction, and the human and
 * JSON renderings (tun.h).  Nothing here runs on the hot path: workers count into their own
 * struct tun_q_stats and publish it through a seqlock (stats.c) when asked.
 *
 * Two directions, each named from -> to:
 *   in   IF -> device: received off IF's RX ring, delivered = written to the device; drops
 *        oversize, non_ip, dev_full, dev_error, invalid; and the kernel's before the RX ring
 *   out  device -> IF: received = read from the device, delivered = put on IF's TX ring
 *        (then sent or in flight); drops oversize, non_ip, no_neigh
 */
#include <inttypes.h>
#include <string.h>

#include "cmd.h"
#include "tun.h"

_Static_assert(sizeof(struct tun_q_stats) % sizeof(uint64_t) == 0, "tun_q_stats must be uint64_t only");

void tun_q_stats_add(struct tun_q_stats *dst, const struct tun_q_stats *src)
{
	uint64_t d[TUN_Q_WORDS], a[TUN_Q_WORDS];
	size_t i;

	memcpy(d, dst, sizeof(d));
	memcpy(a, src, sizeof(a));
	for (i = 0; i < TUN_Q_WORDS; i++)
		d[i] += a[i];
	memcpy(dst, d, sizeof(d));
}

void tun_balance_make(struct tun_balance *b, const struct tun_q_stats *t)
{
	b->in_adds_up = t->nic_rx == t->dev_tx + t->nic_oversize + t->nic_non_ip + t->dev_full + t->dev_error +
					     t->nic_invalid;
	b->out_adds_up = t->dev_rx == t->nic_tx + t->dev_oversize + t->dev_non_ip + t->no_neigh + t->dev_bad_offload;
	b->tx_adds_up = t->nic_tx == t->sent + t->in_flight;
}

void tun_stats_total(const struct tun_report *r, struct tun_q_stats *total)
{
	unsigned int i;

	memset(total, 0, sizeof(*total));
	for (i = 0; i < r->nqueues; i++)
		tun_q_stats_add(total, &r->q[i]);
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

/* ---- table ---------------------------------------------------------------- */

#define NA UINT64_MAX	/* "-": the column does not apply to the direction */

static void cell(FILE *f, int width, uint64_t v)
{
	if (v == NA)
		fprintf(f, " %*s", width, "-");
	else
		fprintf(f, " %*" PRIu64, width, v);
}

static void table_head(FILE *f, const char *first)
{
	fprintf(f, "%-24s %12s %12s %10s %10s | %8s %6s %8s %11s %8s %9s %7s | %9s %10s %10s | %9s %8s\n", first,
		"received", "delivered", "rx/s", "tx/s", "oversize", "non_ip", "no_neigh", "bad_offload", "dev_full",
		"dev_error", "invalid", "ring_full", "fill_empty", "rx_dropped", "in_flight", "tx_waits");
}

/* Direction @out (false: IF -> device) of @s; rates against @prev over @secs when @prev. */
static void table_row(FILE *f, const char *label, bool out, const struct tun_q_stats *s, const struct tun_q_stats *prev,
		      double secs)
{
	uint64_t rx = out ? s->dev_rx : s->nic_rx, tx = out ? s->nic_tx : s->dev_tx;
	uint64_t prx = prev ? (out ? prev->dev_rx : prev->nic_rx) : 0;
	uint64_t ptx = prev ? (out ? prev->nic_tx : prev->dev_tx) : 0;

	fprintf(f, "%-24s %12" PRIu64 " %12" PRIu64 " %10.0f %10.0f |", label, rx, tx, prev ? rate(rx, prx, secs) : 0.0,
		prev ? rate(tx, ptx, secs) : 0.0);
	cell(f, 8, out ? s->dev_oversize : s->nic_oversize);
	cell(f, 6, out ? s->dev_non_ip : s->nic_non_ip);
	cell(f, 8, out ? s->no_neigh : NA);
	cell(f, 11, out ? s->dev_bad_offload : NA);
	cell(f, 8, out ? NA : s->dev_full);
	cell(f, 9, out ? NA : s->dev_error);
	cell(f, 7, out ? NA : s->nic_invalid);
	fputs(" |", f);
	cell(f, 9, out ? NA : s->rx_ring_full);
	cell(f, 10, out ? NA : s->fill_ring_empty);
	cell(f, 10, out ? NA : s->rx_dropped);
	fputs(" |", f);
	cell(f, 9, out ? s->in_flight : NA);
	cell(f, 8, out ? s->tx_ring_full : NA);
	fputc('\n', f);
}

static void dir_label(char *buf, size_t len, const struct tun_report *r, bool out, const char *queue)
{
	char a[IF_NAMESIZE], b[IF_NAMESIZE];

	safe_name(a, sizeof(a), out ? r->devname : r->ifname);
	safe_name(b, sizeof(b), out ? r->ifname : r->devname);
	snprintf(buf, len, "%s%s -> %s", queue, a, b);
}

static void xdp_line(FILE *f, const struct tun_report *r)
{
	char name[IF_NAMESIZE];
	unsigned int i;

	if (!r->xdp)
		return;
	safe_name(name, sizeof(name), r->ifname);
	fprintf(f, "xdp on %s: steered %" PRIu64 "; to the kernel:", name, r->xdp->v[XB_ST_STEERED]);
	for (i = XB_ST_STEERED + 1; i < XB_ST_COUNT; i++)
		fprintf(f, " %s %" PRIu64 "%s", tun_steer_stat_name(i), r->xdp->v[i], i + 1 < XB_ST_COUNT ? "," : "\n");
}

static void rows(FILE *f, const struct tun_report *r, const struct tun_q_stats *total, const struct tun_q_stats *prev,
		 double secs)
{
	char label[64], q[16];
	unsigned int i;
	int d;

	for (d = 0; d < 2; d++) {
		dir_label(label, sizeof(label), r, d, "");
		table_row(f, label, d, total, prev, secs);
	}
	if (r->nqueues > 1)
		for (i = 0; i < r->nqueues; i++)
			for (d = 0; d < 2; d++) {
				snprintf(q, sizeof(q), "  q%u ", r->queue[i]);
				dir_label(label, sizeof(label), r, d, q);
				table_row(f, label, d, &r->q[i], NULL, 0);
			}
}

void tun_stats_print_table(FILE *f, const struct tun_report *r)
{
	struct tun_q_stats total;
	char head[32];

	tun_stats_total(r, &total);
	snprintf(head, sizeof(head), "[%.1fs]", r->elapsed);
	table_head(f, head);
	rows(f, r, &total, r->prev, r->interval);
	xdp_line(f, r);
}

/* ---- JSON ----------------------------------------------------------------- */

static void json_dir(FILE *f, const struct tun_report *r, bool out, const struct tun_q_stats *s,
		     const struct tun_q_stats *prev, double secs, const struct tun_balance *b)
{
	uint64_t rx = out ? s->dev_rx : s->nic_rx, tx = out ? s->nic_tx : s->dev_tx;

	fputs("{\"from\":", f);
	json_print_str(f, out ? r->devname : r->ifname);
	fputs(",\"to\":", f);
	json_print_str(f, out ? r->ifname : r->devname);
	fprintf(f, ",\"received\":%" PRIu64 ",\"delivered\":%" PRIu64, rx, tx);
	if (prev)
		fprintf(f, ",\"rx_pps\":%.1f,\"tx_pps\":%.1f", rate(rx, out ? prev->dev_rx : prev->nic_rx, secs),
			rate(tx, out ? prev->nic_tx : prev->dev_tx, secs));
	if (out)
		fprintf(f,
			",\"dropped\":{\"oversize\":%" PRIu64 ",\"non_ip\":%" PRIu64 ",\"no_neigh\":%" PRIu64
			",\"bad_offload\":%" PRIu64 "},\"sent\":%" PRIu64 ",\"in_flight\":%" PRIu64 ",\"tx_ring_full\":%" PRIu64
			",\"tx_kicks\":%" PRIu64 ",\"invalid_descs\":%" PRIu64 ",\"super_packets\":%" PRIu64,
			s->dev_oversize, s->dev_non_ip, s->no_neigh, s->dev_bad_offload, s->sent, s->in_flight,
			s->tx_ring_full, s->tx_kicks, s->invalid_descs, s->dev_gso);
	else
		fprintf(f,
			",\"dropped\":{\"oversize\":%" PRIu64 ",\"non_ip\":%" PRIu64 ",\"dev_full\":%" PRIu64 ",\"dev_error\":%" PRIu64
			",\"invalid\":%" PRIu64 "},\"kernel_dropped\":{\"rx_ring_full\":%" PRIu64 ",\"fill_ring_empty\":%" PRIu64
			",\"rx_dropped\":%" PRIu64 "},\"super_packets\":%" PRIu64 ",\"in_super_packets\":%" PRIu64,
			s->nic_oversize, s->nic_non_ip, s->dev_full, s->dev_error, s->nic_invalid, s->rx_ring_full,
			s->fill_ring_empty, s->rx_dropped, s->dev_gro, s->dev_gro_pkts);
	if (b)
		fprintf(f, ",\"adds_up\":%s",
			(out ? b->out_adds_up && b->tx_adds_up : b->in_adds_up) ? "true" : "false");
	fputc('}', f);
}

static void json_body(FILE *f, const struct tun_report *r, const struct tun_q_stats *total, bool rates,
		      const struct tun_balance *b)
{
	unsigned int i;
	int d;

	fputs(",\"directions\":[", f);
	for (d = 0; d < 2; d++) {
		fputs(d ? "," : "", f);
		json_dir(f, r, d, total, rates ? r->prev : NULL, r->interval, b);
	}
	fputc(']', f);
	if (r->xdp) {
		fputs(",\"xdp\":{", f);
		for (i = 0; i < XB_ST_COUNT; i++)
			fprintf(f, "%s\"%s\":%" PRIu64, i ? "," : "", tun_steer_stat_name(i), r->xdp->v[i]);
		fputc('}', f);
	}
	fputs(",\"queues\":[", f);
	for (i = 0; i < r->nqueues; i++) {
		fprintf(f, "%s{\"queue\":%u,\"cpu\":%d,\"directions\":[", i ? "," : "", r->queue[i], r->cpu ? r->cpu[i] : -1);
		for (d = 0; d < 2; d++) {
			fputs(d ? "," : "", f);
			json_dir(f, r, d, &r->q[i], NULL, 0, NULL);
		}
		fputs("]}", f);
	}
	fputc(']', f);
}

void tun_stats_print_json(FILE *f, const struct tun_report *r)
{
	struct tun_q_stats total;

	tun_stats_total(r, &total);
	fprintf(f, "{\"type\":\"stats\",\"mode\":\"%s\",\"elapsed\":%.3f,\"interval\":%.3f",
		r->kind == TUN_KIND_TAP ? "tap" : "tun", r->elapsed, r->interval);
	json_body(f, r, &total, true, NULL);
	fputs("}\n", f);
}

/* ---- summary -------------------------------------------------------------- */

void tun_summary_print(FILE *f, const struct tun_report *r, const char *reason, bool drained, bool json)
{
	static const struct tun_q_stats zero;
	struct tun_q_stats t;
	struct tun_balance b;
	char in[64], out[64];

	tun_stats_total(r, &t);
	tun_balance_make(&b, &t);
	if (json) {
		fprintf(f, "{\"type\":\"summary\",\"mode\":\"%s\",\"elapsed\":%.3f,\"reason\":\"%s\",\"drained\":%s",
			r->kind == TUN_KIND_TAP ? "tap" : "tun", r->elapsed, reason, drained ? "true" : "false");
		json_body(f, r, &t, false, &b);
		fputs("}\n", f);
		return;
	}
	fprintf(f, "summary: %.2f s, stopped by %s, %u queue%s%s\n", r->elapsed, reason, r->nqueues,
		r->nqueues == 1 ? "" : "s", drained ? "" : ", drain timed out");
	/* The rates of the summary are averages over the whole run. */
	table_head(f, "");
	rows(f, r, &t, &zero, r->elapsed);
	xdp_line(f, r);
	dir_label(in, sizeof(in), r, false, "");
	dir_label(out, sizeof(out), r, true, "");
	fprintf(f,
		"%s: received %" PRIu64 " = delivered %" PRIu64 " + oversize %" PRIu64 " + non_ip %" PRIu64 " + dev_full %" PRIu64
		" + dev_error %" PRIu64 " + invalid %" PRIu64 " (%s)\n",
		in, t.nic_rx, t.dev_tx, t.nic_oversize, t.nic_non_ip, t.dev_full, t.dev_error, t.nic_invalid,
		b.in_adds_up ? "adds up" : "DOES NOT ADD UP");
	fprintf(f,
		"%s: received %" PRIu64 " = delivered %" PRIu64 " + oversize %" PRIu64 " + non_ip %" PRIu64
		" + no_neigh %" PRIu64 " + bad_offload %" PRIu64 " (%s); delivered = sent %" PRIu64 " + in flight %" PRIu64
		" (%s)\n",
		out, t.dev_rx, t.nic_tx, t.dev_oversize, t.dev_non_ip, t.no_neigh, t.dev_bad_offload,
		b.out_adds_up ? "adds up" : "DOES NOT ADD UP", t.sent, t.in_flight, b.tx_adds_up ? "adds up" : "DOES NOT ADD UP");
	if (t.dev_gro)
		fprintf(f, "  (%" PRIu64 " of the packets delivered went in %" PRIu64 " writes: super-packets of a flow's packets)\n",
			t.dev_gro_pkts, t.dev_gro);
	if (t.dev_gso)
		fprintf(f, "  (%" PRIu64 " of the reads were TCP/UDP super-packets, counted above as the segments they were cut into)\n",
			t.dev_gso);
}
