// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * `xdpbridge fwd` counters: the frames that waited for a TX ring counted once each, a port's
 * numbers merged from the library's and the worker's, the balance of a direction (and its
 * failure when something is missing), the seqlock under a concurrent writer, and the table
 * and JSON a user or a script reads (JSON checked by a small validator, not by eye).
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cmd.h"
#include "stats.h"

/* ---- a JSON syntax checker: enough to say a line is one valid JSON value ---- */

static const char *ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

static const char *value(const char *p, int depth);

static const char *string(const char *p)
{
	if (*p++ != '"')
		return NULL;
	while (*p && *p != '"') {
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p == '\\') {
			p++;
			if (*p == 'u') {
				int i;

				for (i = 1; i <= 4; i++)
					if (!isxdigit((unsigned char)p[i]))
						return NULL;
				p += 4;
			} else if (!strchr("\"\\/bfnrt", *p) || !*p) {
				return NULL;
			}
		}
		p++;
	}
	return *p == '"' ? p + 1 : NULL;
}

static const char *number(const char *p)
{
	const char *s = p;

	if (*p == '-')
		p++;
	if (!isdigit((unsigned char)*p))
		return NULL;
	if (*p == '0' && isdigit((unsigned char)p[1]))
		return NULL;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return NULL;
		while (isdigit((unsigned char)*p))
			p++;
	}
	return p > s ? p : NULL;
}

static const char *value(const char *p, int depth)
{
	if (depth > 32)
		return NULL;
	p = ws(p);
	if (*p == '{' || *p == '[') {
		char close = *p == '{' ? '}' : ']';
		bool obj = *p == '{';

		p = ws(p + 1);
		if (*p == close)
			return p + 1;
		for (;;) {
			if (obj) {
				p = string(ws(p));
				if (!p)
					return NULL;
				p = ws(p);
				if (*p++ != ':')
					return NULL;
			}
			p = value(p, depth + 1);
			if (!p)
				return NULL;
			p = ws(p);
			if (*p == close)
				return p + 1;
			if (*p++ != ',')
				return NULL;
		}
	}
	if (*p == '"')
		return string(p);
	if (!strncmp(p, "true", 4))
		return p + 4;
	if (!strncmp(p, "false", 5))
		return p + 5;
	if (!strncmp(p, "null", 4))
		return p + 4;
	return number(p);
}

/* Every line of @text is one JSON object. */
static void expect_json_lines(const char *text)
{
	const char *p = text;

	while (*p) {
		const char *end = value(p, 0);

		if (!end || *end != '\n')
			fail_msg("not a JSON line at offset %td:\n%s", p - text, text);
		p = end + 1;
	}
}

static void expect_in(const char *text, const char *needle)
{
	if (!strstr(text, needle))
		fail_msg("\"%s\" not in:\n%s", needle, text);
}

/* ---- counters ---- */

static void test_dir_account(void **state)
{
	struct xb_dir_counters c;

	(void)state;
	memset(&c, 0, sizeof(c));
	xb_dir_account(&c, 64, 64);		/* everything went */
	assert_int_equal(c.taken, 64);
	assert_int_equal(c.waited, 0);
	assert_int_equal(c.held, 0);
	xb_dir_account(&c, 64, 24);		/* the TX ring took 24: 40 wait */
	assert_int_equal(c.taken, 88);
	assert_int_equal(c.waited, 40);
	assert_int_equal(c.held, 40);
	xb_dir_account(&c, 64, 0);		/* still full: the 40 again, plus 24 new ones */
	assert_int_equal(c.waited, 64);
	assert_int_equal(c.held, 64);
	xb_dir_account(&c, 64, 64);		/* all went: nothing is counted twice */
	assert_int_equal(c.waited, 64);
	assert_int_equal(c.held, 0);
	assert_int_equal(c.taken, 152);
	xb_dir_account(&c, 10, 4);		/* 6 new waiters */
	xb_dir_account(&c, 20, 2);		/* 2 of the 6 went: 4 old + 14 new */
	assert_int_equal(c.waited, 64 + 6 + 14);
	assert_int_equal(c.held, 18);
	xb_dir_account(&c, 0, 0);		/* an empty seek is harmless */
	assert_int_equal(c.waited, 84);
}

static struct xdpsock_stats lib_stats(void)
{
	struct xdpsock_stats s;

	memset(&s, 0, sizeof(s));
	s.rx_forwarded = 990;
	s.rx_fwd_oversize = 7;
	s.rx_bad_descs = 1;
	s.tx_frames = 500;
	s.tx_completed = 480;
	s.tx_bad_descs = 0;
	s.rx_ring_full = 11;
	s.rx_fill_ring_empty_descs = 12;
	s.rx_dropped = 13;
	s.rx_invalid_descs = 2;
	s.tx_invalid_descs = 3;
	s.tx_wakeups = 42;
	return s;
}

static void test_port_shared(void **state)
{
	struct xdpsock_stats s = lib_stats();
	struct xb_dir_counters in = { .taken = 998, .held = 2, .waited = 5 }, out = { .waited = 9 };
	struct xb_port_stats p;

	(void)state;
	xb_port_stats_make(&p, &s, &in, &out, true, 0);
	assert_int_equal(p.rx, 1000);		/* taken + held */
	assert_int_equal(p.forwarded, 990);	/* the library's, with xdpsock_fwd_n() */
	assert_int_equal(p.oversize, 7);
	assert_int_equal(p.rx_bad, 1);
	assert_int_equal(p.held, 2);
	assert_int_equal(p.tx, 500);
	assert_int_equal(p.sent, 480);
	assert_int_equal(p.in_flight, 20);
	assert_int_equal(p.tx_ring_full, 9);	/* waits for THIS port's TX ring: the other direction's */
	assert_int_equal(p.rx_ring_full, 11);
	assert_int_equal(p.fill_ring_empty, 12);
	assert_int_equal(p.rx_dropped, 13);
	assert_int_equal(p.invalid, 2 + 3 + 1 + 0);
	assert_int_equal(p.tx_kicks, 42);
	/* rx = forwarded + oversize + rx_bad + held */
	assert_int_equal(p.rx, p.forwarded + p.oversize + p.rx_bad + p.held);
}

static void test_port_copy(void **state)
{
	struct xdpsock_stats s = lib_stats();
	struct xb_dir_counters in = { .taken = 100, .copied = 95, .oversize = 4 }, out = { 0 };
	struct xb_port_stats p;

	(void)state;
	/* Completions still in the ring were sent: they are not in flight. */
	xb_port_stats_make(&p, &s, &in, &out, false, 15);
	assert_int_equal(p.forwarded, 95);	/* the worker's own count when it copies */
	assert_int_equal(p.oversize, 4);
	assert_int_equal(p.sent, 495);
	assert_int_equal(p.in_flight, 5);
	/* never negative, even if a completion was counted twice */
	xb_port_stats_make(&p, &s, &in, &out, false, 100);
	assert_int_equal(p.in_flight, 0);
}

static void test_add_and_balance(void **state)
{
	struct xb_port_stats a = { .rx = 10, .forwarded = 8, .oversize = 1, .rx_bad = 0, .held = 1, .tx = 3, .sent = 3 };
	struct xb_port_stats b = { .rx = 3, .forwarded = 3, .tx = 8, .sent = 7, .in_flight = 1 };
	struct xb_port_stats sum = a;
	struct xb_balance bal;

	(void)state;
	xb_port_stats_add(&sum, &a);
	assert_int_equal(sum.rx, 20);
	assert_int_equal(sum.tx, 6);
	xb_balance_make(&bal, &a, &b);
	assert_int_equal(bal.received, 10);
	assert_int_equal(bal.accepted, 8);
	assert_true(bal.rx_adds_up);
	assert_true(bal.tx_adds_up);
	/* a frame lost between the two ports */
	b.tx = 7;
	b.sent = 7;
	b.in_flight = 0;
	xb_balance_make(&bal, &a, &b);
	assert_true(bal.rx_adds_up);
	assert_false(bal.tx_adds_up);
	/* a drop nobody counted */
	a.rx = 11;
	xb_balance_make(&bal, &a, &b);
	assert_false(bal.rx_adds_up);
}

/* ---- seqlock ---- */

struct seq_run {
	struct xb_seq seq;
	uint64_t rounds;
	int stop;
};

static void *writer(void *arg)
{
	struct seq_run *r = arg;
	struct xb_queue_stats v;
	uint64_t w[XB_QUEUE_WORDS], i;
	size_t k;

	for (i = 1; i <= r->rounds && !__atomic_load_n(&r->stop, __ATOMIC_RELAXED); i++) {
		for (k = 0; k < XB_QUEUE_WORDS; k++)
			w[k] = i;
		memcpy(&v, w, sizeof(v));
		xb_seq_publish(&r->seq, &v);
	}
	return NULL;
}

static void test_seqlock(void **state)
{
	struct seq_run r = { .rounds = 2000000 };
	struct xb_queue_stats v;
	uint64_t w[XB_QUEUE_WORDS], last = 0;
	pthread_t t;
	int reads = 0, ok = 0, i;
	size_t k;

	(void)state;
	memset(&v, 0, sizeof(v));
	xb_seq_publish(&r.seq, &v);
	assert_true(xb_seq_read(&r.seq, &v));
	assert_int_equal(v.port[1].tx_kicks, 0);
	assert_int_equal(pthread_create(&t, NULL, writer, &r), 0);
	/* Every snapshot read is one the writer published whole: all words equal, never going back. */
	for (i = 0; i < 200000; i++) {
		if (!xb_seq_read(&r.seq, &v))
			continue;
		reads++;
		memcpy(w, &v, sizeof(w));
		for (k = 1; k < XB_QUEUE_WORDS; k++)
			if (w[k] != w[0])
				fail_msg("torn snapshot: word %zu is %llu, word 0 is %llu", k, (unsigned long long)w[k],
					 (unsigned long long)w[0]);
		if (w[0] < last)
			fail_msg("snapshot went back from %llu to %llu", (unsigned long long)last, (unsigned long long)w[0]);
		last = w[0];
		ok++;
	}
	__atomic_store_n(&r.stop, 1, __ATOMIC_RELAXED);
	pthread_join(t, NULL);
	assert_true(reads > 0 && ok == reads);
}

/* ---- rendering ---- */

static char *render(void (*fn)(FILE *, const struct xb_report *), const struct xb_report *r)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	fn(f, r);
	assert_int_equal(fclose(f), 0);
	return text;
}

static char *render_summary(const struct xb_report *r, const struct xb_summary *s, bool json)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	xb_summary_print(f, r, s, json);
	assert_int_equal(fclose(f), 0);
	return text;
}

/* Two queues; 1000 frames A->B (one oversize), 10 B->A; all sent. */
static void two_queues(struct xb_queue_stats q[2])
{
	memset(q, 0, 2 * sizeof(q[0]));
	q[0].port[0] = (struct xb_port_stats){ .rx = 600, .forwarded = 599, .oversize = 1, .tx = 4, .sent = 4,
					       .rx_ring_full = 3, .fill_ring_empty = 2, .rx_dropped = 2 };
	q[0].port[1] = (struct xb_port_stats){ .rx = 4, .forwarded = 4, .tx = 599, .sent = 599, .tx_ring_full = 17 };
	q[1].port[0] = (struct xb_port_stats){ .rx = 400, .forwarded = 400, .tx = 6, .sent = 6 };
	q[1].port[1] = (struct xb_port_stats){ .rx = 6, .forwarded = 6, .tx = 400, .sent = 398, .in_flight = 2 };
}

static void test_table(void **state)
{
	static const uint32_t queues[2] = { 0, 3 };
	static const int cpus[2] = { 1, -1 };
	struct xb_queue_stats q[2], prev;
	struct xb_report r = { .ifname = { "p0", "p\x1b[2J" }, .nqueues = 2, .queue = queues, .cpu = cpus, .q = q,
			       .elapsed = 2.0, .interval = 1.0 };
	char *t;

	(void)state;
	two_queues(q);
	memset(&prev, 0, sizeof(prev));
	prev.port[0].rx = 500;
	r.prev = &prev;
	t = render(xb_stats_print_table, &r);
	expect_in(t, "[2.0s]");
	expect_in(t, "ring_full");
	expect_in(t, "tx_ring_full");
	expect_in(t, "oversize");
	expect_in(t, "in_flight");
	expect_in(t, "p0                     1000");	/* A's total rx */
	expect_in(t, "  p0/q3");				/* per-queue rows with two queues */
	assert_null(strchr(t, '\x1b'));				/* a name cannot drive the terminal */
	expect_in(t, "p?[2J");
	/* rx/s over the interval: 1000 - 500 */
	expect_in(t, "500");
	free(t);
}

static void test_json(void **state)
{
	static const uint32_t queues[2] = { 0, 3 };
	static const int cpus[2] = { 1, -1 };
	struct xb_queue_stats q[2], prev;
	struct xb_report r = { .ifname = { "p0", "we\"ird\\name" }, .nqueues = 2, .queue = queues, .cpu = cpus,
			       .q = q, .elapsed = 2.0, .interval = 0.5 };
	char *t;

	(void)state;
	two_queues(q);
	memset(&prev, 0, sizeof(prev));
	prev.port[0].rx = 900;
	r.prev = &prev;
	t = render(xb_stats_print_json, &r);
	expect_json_lines(t);
	assert_int_equal(strchr(t, '\n') - t + 1, (long)strlen(t));	/* exactly one line */
	expect_in(t, "{\"type\":\"stats\",\"elapsed\":2.000,\"interval\":0.500,\"ports\":[{\"ifname\":\"p0\",\"rx\":1000,");
	expect_in(t, "\"rx_pps\":200.0");				/* (1000 - 900) / 0.5 */
	expect_in(t, "\"ifname\":\"we\\\"ird\\\\name\"");
	expect_in(t, "\"dropped\":{\"rx_ring_full\":3,\"fill_ring_empty\":2,\"rx_dropped\":2,\"invalid\":0,\"oversize\":1}");
	expect_in(t, "\"tx_ring_full\":17");
	expect_in(t, "{\"queue\":0,\"cpu\":1,");
	expect_in(t, "{\"queue\":3,\"cpu\":-1,");
	free(t);
	/* no previous report: no rates, still valid */
	r.prev = NULL;
	r.nqueues = 0;
	t = render(xb_stats_print_json, &r);
	expect_json_lines(t);
	assert_null(strstr(t, "rx_pps"));
	free(t);
}

static void test_summary(void **state)
{
	static const uint32_t queues[2] = { 0, 3 };
	struct xb_queue_stats q[2];
	struct xb_report r = { .ifname = { "p0", "p1" }, .nqueues = 2, .queue = queues, .q = q, .elapsed = 5.0 };
	struct xb_summary s = { .reason = "SIGTERM", .shared_umem = true, .drained = true };
	char *t;

	(void)state;
	two_queues(q);
	t = render_summary(&r, &s, false);
	expect_in(t, "summary: 5.00 s, stopped by SIGTERM, 2 queues, shared UMEM (no copy)");
	expect_in(t, "p0 -> p1: received 1000 = forwarded 999 + oversize 1 + invalid 0 + held 0 (adds up)");
	expect_in(t, "p1 accepted 999 = sent 997 + in flight 2 (adds up)");
	expect_in(t, "dropped by the kernel on p0: rx_ring_full 3, rx_dropped 2 (fill ring empty 2)");
	expect_in(t, "waited for p1's TX ring: 17 frames");
	expect_in(t, "p1 -> p0: received 10 = forwarded 10 + oversize 0 + invalid 0 + held 0 (adds up)");
	free(t);

	t = render_summary(&r, &s, true);
	expect_json_lines(t);
	expect_in(t, "{\"type\":\"summary\",\"elapsed\":5.000,\"reason\":\"SIGTERM\",\"shared_umem\":true,\"drained\":true,");
	expect_in(t, "{\"from\":\"p0\",\"to\":\"p1\",\"received\":1000,\"forwarded\":999,\"oversize\":1,\"invalid\":0,"
		     "\"held\":0,\"accepted\":999,\"sent\":997,\"in_flight\":2,");
	expect_in(t, "\"adds_up\":true");
	assert_null(strstr(t, "\"adds_up\":false"));
	free(t);

	/* A frame missing on the way: both renderings say so. */
	q[1].port[1].tx = 399;
	s.drained = false;
	t = render_summary(&r, &s, false);
	expect_in(t, "DOES NOT ADD UP");
	expect_in(t, "drain timed out");
	free(t);
	t = render_summary(&r, &s, true);
	expect_json_lines(t);
	expect_in(t, "\"adds_up\":false");
	expect_in(t, "\"drained\":false");
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dir_account),
		cmocka_unit_test(test_port_shared),
		cmocka_unit_test(test_port_copy),
		cmocka_unit_test(test_add_and_balance),
		cmocka_unit_test(test_seqlock),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_summary),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
