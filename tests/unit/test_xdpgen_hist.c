// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * xdpgen's latency histogram (tools/xdpgen/hist.c): buckets are contiguous and at most 1/32 of
 * their values wide; percentiles are ordered, within a bucket of the exact nearest-rank value,
 * and clamped to the exact minimum and maximum.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "hist.h"

static void test_buckets(void **state)
{
	(void)state;
	/* Every value falls in the bucket whose range holds it; bucket i+1 starts where i ends. */
	for (uint32_t i = 0; i + 1 < XG_HIST_BUCKETS; i++) {
		uint64_t lo = xg_hist_lower(i), hi = xg_hist_lower(i + 1) - 1;

		assert_true(hi >= lo);
		assert_int_equal(xg_hist_bucket(lo), i);
		assert_int_equal(xg_hist_bucket(hi), i);
		if (lo >= 32)
			assert_true((hi - lo + 1) * 32 <= lo);	/* width <= 1/32 of the values */
	}
	assert_int_equal(xg_hist_bucket(0), 0);
	assert_int_equal(xg_hist_bucket(31), 31);
	assert_int_equal(xg_hist_bucket(UINT64_MAX), XG_HIST_BUCKETS - 1);
}

/* The exact nearest-rank percentile of 1..n scaled by @k. */
static uint64_t exact(uint64_t n, uint64_t k, double pct)
{
	uint64_t rank = (uint64_t)(pct / 100.0 * (double)n + 0.999999);

	return (rank ? rank : 1) * k;
}

static void test_percentiles(void **state)
{
	static const double pcts[] = { 1, 50, 90, 99, 99.9, 100 };
	struct xg_hist h;

	(void)state;
	xg_hist_init(&h);
	assert_int_equal(xg_hist_pct(&h, 50), 0);	/* empty */
	for (uint64_t v = 1; v <= 100000; v++)
		xg_hist_add(&h, v * 100);		/* 100 ns .. 10 ms */
	assert_int_equal(h.count, 100000);
	assert_int_equal(h.min, 100);
	assert_int_equal(h.max, 10000000);
	assert_int_equal(h.sum, 100ull * 100000 * 100001 / 2);
	for (size_t i = 0; i < sizeof(pcts) / sizeof(pcts[0]); i++) {
		uint64_t got = xg_hist_pct(&h, pcts[i]), want = exact(100000, 100, pcts[i]);
		double err = got > want ? (double)(got - want) / (double)want : (double)(want - got) / (double)want;

		if (err > 1.0 / 32)
			fail_msg("p%g: %llu, exact %llu", pcts[i], (unsigned long long)got, (unsigned long long)want);
	}
	assert_true(xg_hist_pct(&h, 50) <= xg_hist_pct(&h, 90));
	assert_true(xg_hist_pct(&h, 99) <= xg_hist_pct(&h, 99.9));
	assert_int_equal(xg_hist_pct(&h, 100), h.max);
}

static void test_clamped(void **state)
{
	struct xg_hist h;

	(void)state;
	xg_hist_init(&h);
	xg_hist_add(&h, 1000001);	/* one sample: every percentile is that sample */
	assert_int_equal(xg_hist_pct(&h, 0.1), 1000001);
	assert_int_equal(xg_hist_pct(&h, 50), 1000001);
	assert_int_equal(xg_hist_pct(&h, 100), 1000001);
	xg_hist_add(&h, 1ull << 50);	/* beyond the last bucket: still the exact maximum */
	assert_int_equal(xg_hist_pct(&h, 100), 1ull << 50);
	/* the median is now the middle of the first sample's bucket: within 1/32 of it */
	assert_true(xg_hist_pct(&h, 50) >= 1000001);
	assert_true(xg_hist_pct(&h, 50) - 1000001 <= 1000001 / 32);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buckets),
		cmocka_unit_test(test_percentiles),
		cmocka_unit_test(test_clamped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
