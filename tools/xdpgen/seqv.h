/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The sequence verifier: what happened to a numbered stream on its way.
 *
 * The generator numbers frames 0, 1, 2, ... (32 bits on the wire, extended here to 64 bits
 * around the highest number seen, so a long run may wrap).  For each intact frame received:
 *
 *   new       a number above the highest seen so far (the numbers jumped over are missing, for now)
 *   late      a number below the highest, not seen before: it arrived, out of order ("reordered")
 *   duplicate a number already seen
 *   stale     more than the window below the highest: too old to tell new from duplicate; not
 *             counted as arrived, so it shows up as lost
 *
 * lost = (frames expected) - (distinct numbers seen), where the frames expected are the
 * generator's count when the caller knows it, else everything up to the highest number seen.
 * Frames after the last one that arrived can only be counted as lost when the count is known.
 *
 * A bitmap of the last `window` numbers below the highest tells late from duplicate: memory
 * window / 8 bytes, O(1) per frame (a jump clears at most the window once).
 */
#ifndef XDPGEN_SEQV_H
#define XDPGEN_SEQV_H

#include <stdbool.h>
#include <stdint.h>

#define XG_SEQV_WINDOW (1u << 20)

enum xg_seq { XG_SEQ_NEW, XG_SEQ_LATE, XG_SEQ_DUP, XG_SEQ_STALE };

struct xg_seqv {
	uint64_t *bits;		/* bit (n % window) set: n was seen, for n in (top - window, top] */
	uint32_t window;	/* a power of two, multiple of 64 */
	bool any;		/* a frame was seen: top is valid */
	uint64_t first;		/* the first number of the stream (0 for xdpgen) */
	uint64_t top;		/* the highest number seen, extended */
	uint64_t unique;	/* distinct numbers seen */
	uint64_t duplicates, reordered, stale;
};

/* @window: bits kept (0: XG_SEQV_WINDOW), a power of two >= 64.  Returns 0 or -EINVAL/-ENOMEM. */
int xg_seqv_init(struct xg_seqv *v, uint32_t window, uint32_t first);
void xg_seqv_free(struct xg_seqv *v);

/* Account for an intact frame carrying @seq. */
enum xg_seq xg_seqv_add(struct xg_seqv *v, uint32_t seq);

/* Frames never seen among @expected (0: unknown, then up to the highest number seen). */
uint64_t xg_seqv_lost(const struct xg_seqv *v, uint64_t expected);

#endif
