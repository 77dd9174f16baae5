// SPDX-License-Identifier: MIT OR Apache-2.0
/* The sequence verifier (seqv.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "seqv.h"

int xg_seqv_init(struct xg_seqv *v, uint32_t window, uint32_t first)
{
	memset(v, 0, sizeof(*v));
	if (!window)
		window = XG_SEQV_WINDOW;
	if (window < 64 || (window & (window - 1)))
		return -EINVAL;
	v->bits = calloc(window / 64, sizeof(uint64_t));
	if (!v->bits)
		return -ENOMEM;
	v->window = window;
	v->first = first;
	return 0;
}

void xg_seqv_free(struct xg_seqv *v)
{
	free(v->bits);
	v->bits = NULL;
}

static bool test_and_set(struct xg_seqv *v, uint64_t n)
{
	uint64_t i = n & (v->window - 1), m = 1ull << (i & 63);
	bool was = v->bits[i / 64] & m;

	v->bits[i / 64] |= m;
	return was;
}

/* The numbers top+1 .. n-1 were jumped over: forget the old numbers sharing their bits. */
static void advance(struct xg_seqv *v, uint64_t n)
{
	uint64_t k;

	if (n - v->top >= v->window) {
		memset(v->bits, 0, v->window / 8);
	} else {
		for (k = v->top + 1; k < n; k++)
			v->bits[(k & (v->window - 1)) / 64] &= ~(1ull << (k & 63));
		v->bits[(n & (v->window - 1)) / 64] &= ~(1ull << (n & 63));
	}
	v->top = n;
}

enum xg_seq xg_seqv_add(struct xg_seqv *v, uint32_t seq)
{
	uint64_t n;

	if (!v->any) {
		/* The first frame: at or after the first number (a fresh stream cannot go backwards). */
		n = v->first + (uint32_t)(seq - (uint32_t)v->first);
		v->any = true;
		v->top = n;
		test_and_set(v, n);
		v->unique++;
		return XG_SEQ_NEW;
	}
	/* Nearest 64-bit number with these 32 low bits: within 2^31 of the highest seen. */
	n = v->top + (uint64_t)(int64_t)(int32_t)(seq - (uint32_t)v->top);
	if ((int64_t)(n - v->first) < 0) {	/* before the stream began: cannot be ours */
		v->stale++;
		return XG_SEQ_STALE;
	}
	if (n > v->top) {
		advance(v, n);
		test_and_set(v, n);
		v->unique++;
		return XG_SEQ_NEW;
	}
	if (v->top - n >= v->window) {
		v->stale++;
		return XG_SEQ_STALE;
	}
	if (test_and_set(v, n)) {
		v->duplicates++;
		return XG_SEQ_DUP;
	}
	v->unique++;
	v->reordered++;
	return XG_SEQ_LATE;
}

uint64_t xg_seqv_lost(const struct xg_seqv *v, uint64_t expected)
{
	uint64_t span = v->any ? v->top - v->first + 1 : 0;

	if (expected < span)
		expected = span;
	return expected > v->unique ? expected - v->unique : 0;
}
