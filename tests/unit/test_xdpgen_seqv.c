// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * xdpgen's sequence verifier (tools/xdpgen/seqv.c): table-driven sequences of received numbers,
 * each with the exact counts a person would write down: distinct, lost, duplicates, reordered,
 * stale.  Plus 32-bit wraparound, a window far smaller than the jump, and the per-frame verdicts.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "seqv.h"

/* The numbers received, in order, and how many. */
#define SEQ(...) .seq = { __VA_ARGS__ }, .n = sizeof((uint32_t[]){ __VA_ARGS__ }) / sizeof(uint32_t)

static const struct row {
	const char *what;
	uint32_t window, first;
	uint32_t seq[24], n;
	uint64_t expected;	/* frames the sender sent; 0: unknown */
	uint64_t unique, lost, dup, reord, stale;
} rows[] = {
	{ "in order, nothing lost", 64, 0, SEQ(0, 1, 2, 3, 4, 5), 6, 6, 0, 0, 0, 0 },
	{ "nothing received", 64, 0, .n = 0, 5, 0, 5, 0, 0, 0 },
	{ "nothing received, count unknown", 64, 0, .n = 0, 0, 0, 0, 0, 0, 0 },
	{ "one lost in the middle", 64, 0, SEQ(0, 1, 3, 4), 5, 4, 1, 0, 0, 0 },
	{ "the first two lost", 64, 0, SEQ(2, 3, 4), 5, 3, 2, 0, 0, 0 },
	{ "the last two lost, count known", 64, 0, SEQ(0, 1, 2), 5, 3, 2, 0, 0, 0 },
	{ "the last two lost, count unknown: invisible", 64, 0, SEQ(0, 1, 2), 0, 3, 0, 0, 0, 0 },
	{ "one duplicate", 64, 0, SEQ(0, 1, 1, 2), 3, 3, 0, 1, 0, 0 },
	{ "the highest repeated", 64, 0, SEQ(0, 1, 2, 2, 2), 3, 3, 0, 2, 0, 0 },
	{ "an old one repeated", 64, 0, SEQ(0, 1, 2, 3, 0), 4, 4, 0, 1, 0, 0 },
	{ "two swapped", 64, 0, SEQ(0, 2, 1, 3), 4, 4, 0, 0, 1, 0 },
	{ "late, then repeated", 64, 0, SEQ(0, 3, 1, 1, 2), 4, 4, 0, 1, 2, 0 },
	{ "reversed", 64, 0, SEQ(5, 4, 3, 2, 1, 0), 6, 6, 0, 0, 5, 0 },
	{ "reordered and lost", 64, 0, SEQ(0, 4, 2, 5), 6, 4, 2, 0, 1, 0 },
	{ "more than was sent", 64, 0, SEQ(0, 1, 2, 3, 4, 5, 6), 5, 7, 0, 0, 0, 0 },
	/* the window: 63 numbers below the highest can be told apart; older ones are stale (and lost) */
	{ "a jump past the window", 64, 0, SEQ(0, 100, 37, 38), 101, 4, 97, 0, 2, 0 },
	{ "too old to tell", 64, 0, SEQ(0, 100, 37, 36, 0), 101, 3, 98, 0, 1, 2 },
	{ "a jump clears the window", 64, 0, SEQ(1, 200, 1), 201, 2, 199, 0, 0, 1 },
	/* 32-bit wraparound: numbers are extended around the highest seen */
	{ "across 2^32", 64, 0xfffffffd, SEQ(0xfffffffd, 0xfffffffe, 0xffffffff, 0, 1), 5, 5, 0, 0, 0, 0 },
	{ "across 2^32, reordered and lost", 64, 0xfffffffd, SEQ(0xfffffffd, 0, 0xffffffff, 1, 1), 5, 4, 1, 1, 1, 0 },
	{ "before the stream began", 64, 10, SEQ(10, 11, 9), 2, 2, 0, 0, 0, 1 },
};

static void test_table(void **state)
{
	(void)state;
	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		const struct row *w = &rows[r];
		struct xg_seqv v;

		assert_int_equal(xg_seqv_init(&v, w->window, w->first), 0);
		for (uint32_t i = 0; i < w->n; i++)
			xg_seqv_add(&v, w->seq[i]);
		if (v.unique != w->unique || xg_seqv_lost(&v, w->expected) != w->lost || v.duplicates != w->dup ||
		    v.reordered != w->reord || v.stale != w->stale)
			fail_msg("'%s': distinct %llu lost %llu dup %llu reord %llu stale %llu; want %llu %llu %llu %llu %llu",
				 w->what, (unsigned long long)v.unique, (unsigned long long)xg_seqv_lost(&v, w->expected),
				 (unsigned long long)v.duplicates, (unsigned long long)v.reordered,
				 (unsigned long long)v.stale, (unsigned long long)w->unique, (unsigned long long)w->lost,
				 (unsigned long long)w->dup, (unsigned long long)w->reord, (unsigned long long)w->stale);
		xg_seqv_free(&v);
	}
}

/* The verdict of each frame, across 2^32 and before the first number. */
static void test_verdicts(void **state)
{
	struct xg_seqv v;

	(void)state;
	assert_int_equal(xg_seqv_init(&v, 0, 0xfffffffe), 0);
	assert_int_equal(v.window, XG_SEQV_WINDOW);
	assert_int_equal(xg_seqv_add(&v, 0xfffffffe), XG_SEQ_NEW);
	assert_int_equal(xg_seqv_add(&v, 0), XG_SEQ_NEW);
	assert_int_equal(xg_seqv_add(&v, 0xffffffff), XG_SEQ_LATE);
	assert_int_equal(xg_seqv_add(&v, 0xffffffff), XG_SEQ_DUP);
	assert_int_equal(xg_seqv_add(&v, 1), XG_SEQ_NEW);
	assert_int_equal(xg_seqv_add(&v, 0xfffffffd), XG_SEQ_STALE);	/* before the first */
	assert_int_equal(v.top, 0x100000001ull);
	assert_int_equal(xg_seqv_lost(&v, 4), 0);
	assert_int_equal(xg_seqv_lost(&v, 6), 2);
	xg_seqv_free(&v);
}

/* A long stream with a known pattern of damage, through the default window. */
static void test_long_stream(void **state)
{
	struct xg_seqv v;
	uint64_t lost = 0, dups = 0, late = 0;
	const uint32_t n = 3000000;

	(void)state;
	assert_int_equal(xg_seqv_init(&v, 0, 0), 0);
	for (uint32_t s = 0; s < n; s++) {
		if (s % 1000 == 7) {		/* lost */
			lost++;
			continue;
		}
		if (s % 1000 == 20) {		/* held back, sent after the next one */
			xg_seqv_add(&v, s + 1);
			xg_seqv_add(&v, s);
			late++;
			s++;
			continue;
		}
		xg_seqv_add(&v, s);
		if (s % 5000 == 100) {		/* sent twice */
			xg_seqv_add(&v, s);
			dups++;
		}
	}
	assert_int_equal(xg_seqv_lost(&v, n), lost);
	assert_int_equal(v.duplicates, dups);
	assert_int_equal(v.reordered, late);
	assert_int_equal(v.unique, n - lost);
	assert_int_equal(v.stale, 0);
	xg_seqv_free(&v);
}

static void test_bad_window(void **state)
{
	struct xg_seqv v;

	(void)state;
	assert_int_equal(xg_seqv_init(&v, 100, 0), -EINVAL);	/* not a power of two */
	assert_int_equal(xg_seqv_init(&v, 32, 0), -EINVAL);	/* below one word */
	xg_seqv_free(&v);					/* safe after a failed init */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_verdicts),
		cmocka_unit_test(test_long_stream),
		cmocka_unit_test(test_bad_window),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
