// SPDX-License-Identifier: MIT OR Apache-2.0
/* The log-linear latency histogram (hist.h). */
#include <string.h>

#include "hist.h"

#define SUBN (1u << XG_HIST_SUB)

void xg_hist_init(struct xg_hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

uint32_t xg_hist_bucket(uint64_t v)
{
	uint32_t e;

	if (v < SUBN)
		return (uint32_t)v;
	e = 63u - (uint32_t)__builtin_clzll(v);		/* 2^e <= v < 2^(e+1), e >= SUB */
	if (e > XG_HIST_MAXEXP)
		return XG_HIST_BUCKETS - 1;
	/* Group e - SUB + 1 holds [2^e, 2^(e+1)) in SUBN slices of 2^(e-SUB). */
	return ((e - XG_HIST_SUB + 1) << XG_HIST_SUB) + (uint32_t)((v >> (e - XG_HIST_SUB)) & (SUBN - 1));
}

uint64_t xg_hist_lower(uint32_t i)
{
	uint32_t g = i >> XG_HIST_SUB, e;

	if (!g)
		return i;
	e = g + XG_HIST_SUB - 1;
	return (1ull << e) + (uint64_t)(i & (SUBN - 1)) * (1ull << (e - XG_HIST_SUB));
}

void xg_hist_add(struct xg_hist *h, uint64_t ns)
{
	h->b[xg_hist_bucket(ns)]++;
	h->count++;
	h->sum += ns;
	if (ns < h->min)
		h->min = ns;
	if (ns > h->max)
		h->max = ns;
}

uint64_t xg_hist_pct(const struct xg_hist *h, double pct)
{
	uint64_t rank, seen = 0, lo, hi, mid;
	uint32_t i;

	if (!h->count)
		return 0;
	rank = (uint64_t)(pct / 100.0 * (double)h->count + 0.999999);
	if (rank < 1)
		rank = 1;
	if (rank > h->count)
		rank = h->count;
	for (i = 0; i < XG_HIST_BUCKETS; i++) {
		seen += h->b[i];
		if (seen >= rank)
			break;
	}
	if (i >= XG_HIST_BUCKETS - 1)
		return h->max;
	lo = xg_hist_lower(i);
	hi = xg_hist_lower(i + 1) - 1;
	mid = lo + (hi - lo) / 2;
	if (mid < h->min)
		mid = h->min;
	if (mid > h->max)
		mid = h->max;
	return mid;
}
