/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Latency histogram, log-linear: values below 2^SUB ns have a bucket each; above, every power
 * of two is split into 2^SUB equal buckets.  With SUB = 5 a bucket is at most 1/32 (3.1%) of
 * its values wide, from 1 ns to 2^40 ns (18 minutes; larger values land in the last bucket),
 * in 37 * 32 counters: constant memory, O(1) per sample, however long the run.
 *
 * A percentile is reported as the middle of the bucket that holds its rank (nearest-rank
 * definition), clamped to the exact minimum and maximum, which are kept exactly, as are
 * the count and the sum.
 */
#ifndef XDPGEN_HIST_H
#define XDPGEN_HIST_H

#include <stdint.h>

#define XG_HIST_SUB	5
#define XG_HIST_MAXEXP	40
#define XG_HIST_BUCKETS	((XG_HIST_MAXEXP - XG_HIST_SUB + 2) << XG_HIST_SUB)

struct xg_hist {
	uint64_t count, sum, min, max;
	uint64_t b[XG_HIST_BUCKETS];
};

void xg_hist_init(struct xg_hist *h);
void xg_hist_add(struct xg_hist *h, uint64_t ns);
/* The @pct percentile (0 < pct <= 100) in ns; 0 when empty. */
uint64_t xg_hist_pct(const struct xg_hist *h, double pct);
/* Bucket of @v and the smallest value of bucket @i (exposed for the unit tests). */
uint32_t xg_hist_bucket(uint64_t v);
uint64_t xg_hist_lower(uint32_t i);

#endif
