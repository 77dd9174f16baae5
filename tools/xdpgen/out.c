// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * Output for people and for scripts.  People get a progress line per second and a summary;
 * with --json, stdout carries exactly one JSON object (printed at the end) and the progress
 * lines move to stderr, so `xdpgen ... --json | python3 -c 'json.load(sys.stdin)'` works.
 */
#include <inttypes.h>
#include <math.h>
#include <string.h>
#include <bpf/libbpf.h>
#include <xdpsock/xdpsock.h>

#include "hist.h"
#include "xdpgen.h"

static enum xg_cmd log_cmd;
static int log_verbose;

void xg_err(enum xg_cmd cmd, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "xdpgen %s: ", xg_cmd_name(cmd));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

FILE *xg_progress_stream(const struct xg_cfg *c)
{
	return c->json ? stderr : stdout;
}

static void log_cb(enum xdpsock_log_level level, const char *msg, void *ctx)
{
	(void)ctx;
	/* Errors come back through xdpsock_errmsg() at the call that failed. */
	if (level == XDPSOCK_LOG_WARN)
		fprintf(stderr, "xdpgen %s: warning: %s\n", xg_cmd_name(log_cmd), msg);
	else if ((log_verbose && level == XDPSOCK_LOG_INFO) || log_verbose > 1)
		fprintf(stderr, "xdpgen %s: [libxdpsock] %s\n", xg_cmd_name(log_cmd), msg);
}

/*
 * libbpf prints to stderr by default ("libbpf: Kernel error message: ..." when native XDP is
 * refused); xdpgen says what failed in its own words, so libbpf speaks only with -v (-vv: debug).
 */
static int libbpf_cb(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (!log_verbose || (level == LIBBPF_DEBUG && log_verbose < 2))
		return 0;
	fprintf(stderr, "xdpgen %s: [libbpf] ", xg_cmd_name(log_cmd));
	return vfprintf(stderr, fmt, ap);
}

void xg_log_setup(const struct xg_cfg *c)
{
	log_cmd = c->cmd;
	log_verbose = c->verbose;
	xdpsock_set_log(log_cb, NULL);
	libbpf_set_print(libbpf_cb);
}

/* ---- JSON ----------------------------------------------------------------------------- */

static void key(struct xg_json *j, const char *k)
{
	fprintf(j->f, "%s\"%s\": ", j->first ? "" : ", ", k);
	j->first = false;
}

void xg_json_begin(struct xg_json *j)
{
	j->f = stdout;
	j->depth = 1;
	j->first = true;
	fputc('{', j->f);
}

void xg_json_str(struct xg_json *j, const char *k, const char *v)
{
	key(j, k);
	fputc('"', j->f);
	for (; v && *v; v++) {
		if (*v == '"' || *v == '\\')
			fprintf(j->f, "\\%c", *v);
		else if ((unsigned char)*v < 0x20)
			fprintf(j->f, "\\u%04x", (unsigned char)*v);
		else
			fputc(*v, j->f);
	}
	fputc('"', j->f);
}

void xg_json_u64(struct xg_json *j, const char *k, uint64_t v)
{
	key(j, k);
	fprintf(j->f, "%" PRIu64, v);
}

void xg_json_num(struct xg_json *j, const char *k, double v)
{
	key(j, k);
	if (isfinite(v))
		fprintf(j->f, "%.6g", v);
	else
		fputs("null", j->f);
}

void xg_json_bool(struct xg_json *j, const char *k, bool v)
{
	key(j, k);
	fputs(v ? "true" : "false", j->f);
}

void xg_json_obj(struct xg_json *j, const char *k)
{
	key(j, k);
	fputc('{', j->f);
	j->depth++;
	j->first = true;
}

void xg_json_close(struct xg_json *j)
{
	fputc('}', j->f);
	j->depth--;
	j->first = false;
}

void xg_json_end(struct xg_json *j)
{
	while (j->depth > 0)
		xg_json_close(j);
	fputc('\n', j->f);
	fflush(j->f);
}

static double us(uint64_t ns)
{
	return (double)ns / 1e3;
}

void xg_json_hist(struct xg_json *j, const char *k, const struct xg_hist *h)
{
	xg_json_obj(j, k);
	xg_json_u64(j, "count", h->count);
	if (h->count) {
		xg_json_num(j, "min", us(h->min));
		xg_json_num(j, "avg", us(h->sum / h->count));
		xg_json_num(j, "p50", us(xg_hist_pct(h, 50)));
		xg_json_num(j, "p90", us(xg_hist_pct(h, 90)));
		xg_json_num(j, "p99", us(xg_hist_pct(h, 99)));
		xg_json_num(j, "p99.9", us(xg_hist_pct(h, 99.9)));
		xg_json_num(j, "max", us(h->max));
	}
	xg_json_close(j);
}

const char *xg_hist_line(const struct xg_hist *h, char *buf, size_t len)
{
	if (!h->count) {
		snprintf(buf, len, "no samples");
		return buf;
	}
	snprintf(buf, len, "min %.1f  avg %.1f  p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f  max %.1f", us(h->min),
		 us(h->sum / h->count), us(xg_hist_pct(h, 50)), us(xg_hist_pct(h, 90)), us(xg_hist_pct(h, 99)),
		 us(xg_hist_pct(h, 99.9)), us(h->max));
	return buf;
}

const char *xg_rate_str(double pps, double bps, char *buf, size_t len)
{
	if (pps >= 1e6)
		snprintf(buf, len, "%.3f Mpps, %.3f Gbit/s", pps / 1e6, bps / 1e9);
	else if (pps >= 1e3)
		snprintf(buf, len, "%.1f kpps, %.1f Mbit/s", pps / 1e3, bps / 1e6);
	else
		snprintf(buf, len, "%.0f pps, %.1f kbit/s", pps, bps / 1e3);
	return buf;
}
