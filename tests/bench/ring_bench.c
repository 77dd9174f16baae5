// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * ring_bench: cost of the inline fast path (seek_n / peek_at / commit_n) without the kernel.
 *
 * A mock pair (tests/double/mock.c) puts the real handles over rings in plain memory; a minimal kernel
 * double recycles TX descriptors to the completion ring and fill addresses to RX descriptors.
 * The double runs in bulk, one ring's worth (2048 frames) at a time, OUTSIDE the measured
 * region: what is measured is only the application's loop
 *
 *   TX:  n = xdpsock_tx_seek_n(tx, B); for i < n: xdpsock_tx_peek_at(tx, i, 64); xdpsock_tx_commit_n(tx, n);
 *   RX:  n = xdpsock_rx_seek_n(rx, B); for i < n: xdpsock_rx_peek_at(rx, i, &len); xdpsock_rx_commit_n(rx, n);
 *
 * including the out-of-line slow paths it calls (completion reclaim, RX fetch + validation),
 * which are amortized over the round as they would be in a real loop.  No frame data is
 * touched: this is the ring cost alone.
 *
 *   ring_bench            ns/frame (clock_gettime around each round; median of 7 trials)
 *   ring_bench --callgrind   run under valgrind --tool=callgrind --collect-atstart=no
 *                         --callgrind-out-file=<prefix>: exact instructions per frame,
 *                         counted only inside the measured region (client requests),
 *                         read back from the dump files <prefix>.<n>
 *
 * Configurations: TX and RX at batch 1, 16, 64 with frame_count = ring size (the free list
 * is empty in steady state), plus RX with the default frame_count (4096 frames for a
 * 2048-entry fill ring: 2048 frames wait in the free list).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <valgrind/callgrind.h>

#include "mock.h"

#define RING	2048u		/* every ring; also the frames per round */
#define FRAME_LEN 64u

/* Keep a value alive without touching memory or adding instructions. */
#define SINK(x) __asm__ volatile("" : : "r"(x))

/* ---- the kernel double: bulk, untimed ------------------------------------ */

static uint32_t acq(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void rel(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/* Every TX descriptor the application produced goes to the completion ring. */
static uint32_t kernel_tx_complete(struct xdpsock_mock *k)
{
	uint32_t prod = acq(k->tx.producer), cons = *k->tx.consumer;
	uint32_t cprod = *k->cq.producer, ccons = acq(k->cq.consumer);
	uint32_t n = prod - cons, room = k->cq.size - (cprod - ccons), i;

	if (n > room)
		n = room;
	for (i = 0; i < n; i++)
		*xdpsock__addr(&k->cq, cprod + i) = xdpsock__desc(&k->tx, cons + i)->addr;
	rel(k->cq.producer, cprod + n);
	rel(k->tx.consumer, cons + n);
	return n;
}

/* Fill addresses become RX descriptors of FRAME_LEN bytes, up to @max. */
static uint32_t kernel_rx_deliver(struct xdpsock_mock *k, uint32_t max)
{
	uint32_t fprod = acq(k->fq.producer), fcons = *k->fq.consumer;
	uint32_t rprod = *k->rx.producer, rcons = acq(k->rx.consumer);
	uint32_t n = fprod - fcons, room = k->rx.size - (rprod - rcons), i;

	if (n > room)
		n = room;
	if (n > max)
		n = max;
	for (i = 0; i < n; i++) {
		struct xdp_desc *d = xdpsock__desc(&k->rx, rprod + i);

		d->addr = *xdpsock__addr(&k->fq, fcons + i);
		d->len = FRAME_LEN;
		d->options = 0;
	}
	rel(k->fq.consumer, fcons + n);
	rel(k->rx.producer, rprod + n);
	return n;
}

/* ---- the application's loops: timed ------------------------------------- */

/* One function per direction and batch, the batch a constant as in a real application. */
#define DEF_TX(B)                                                                        \
	__attribute__((noinline)) uint32_t tx_round_##B(struct xdpsock_tx *tx, uint32_t frames); \
	__attribute__((noinline)) uint32_t tx_round_##B(struct xdpsock_tx *tx, uint32_t frames) \
	{                                                                                \
		uint32_t done = 0;                                                       \
                                                                                         \
		while (done < frames) {                                                  \
			int n = xdpsock_tx_seek_n(tx, B);                                \
                                                                                         \
			if (n <= 0)                                                      \
				break;                                                   \
			for (int i = 0; i < n; i++)                                      \
				SINK(xdpsock_tx_peek_at(tx, (uint32_t)i, FRAME_LEN));    \
			xdpsock_tx_commit_n(tx, (uint32_t)n);                            \
			done += (uint32_t)n;                                             \
		}                                                                        \
		return done;                                                             \
	}

#define DEF_RX(B)                                                                        \
	__attribute__((noinline)) uint32_t rx_round_##B(struct xdpsock_rx *rx, uint32_t frames); \
	__attribute__((noinline)) uint32_t rx_round_##B(struct xdpsock_rx *rx, uint32_t frames) \
	{                                                                                \
		uint32_t done = 0;                                                       \
                                                                                         \
		while (done < frames) {                                                  \
			int n = xdpsock_rx_seek_n(rx, B);                                \
                                                                                         \
			if (n <= 0)                                                      \
				break;                                                   \
			for (int i = 0; i < n; i++) {                                    \
				uint32_t len;                                            \
				const void *p = xdpsock_rx_peek_at(rx, (uint32_t)i, &len); \
                                                                                         \
				if (XDPSOCK__LIKELY(p != NULL)) {                        \
					SINK(p);                                         \
					SINK(len);                                       \
				}                                                        \
			}                                                                \
			xdpsock_rx_commit_n(rx, (uint32_t)n);                            \
			done += (uint32_t)n;                                             \
		}                                                                        \
		return done;                                                             \
	}

DEF_TX(1)
DEF_TX(16)
DEF_TX(64)
DEF_RX(1)
DEF_RX(16)
DEF_RX(64)

/* ---- driver -------------------------------------------------------------- */

struct cfg {
	const char *name;
	int rx;			/* 0: TX, 1: RX */
	uint32_t batch;
	uint32_t frame_count;
	uint32_t (*tx_round)(struct xdpsock_tx *, uint32_t);
	uint32_t (*rx_round)(struct xdpsock_rx *, uint32_t);
};

static const struct cfg cfgs[] = {
	{ "tx", 0, 1, RING, tx_round_1, NULL },
	{ "tx", 0, 16, RING, tx_round_16, NULL },
	{ "tx", 0, 64, RING, tx_round_64, NULL },
	{ "rx", 1, 1, RING, NULL, rx_round_1 },
	{ "rx", 1, 16, RING, NULL, rx_round_16 },
	{ "rx", 1, 64, RING, NULL, rx_round_64 },
	{ "rx*", 1, 1, 0, NULL, rx_round_1 },
	{ "rx*", 1, 16, 0, NULL, rx_round_16 },
	{ "rx*", 1, 64, 0, NULL, rx_round_64 },
};
#define NCFG (sizeof(cfgs) / sizeof(cfgs[0]))

struct bench {
	const struct cfg *c;
	struct xdpsock_tx *tx;
	struct xdpsock_rx *rx;
	struct xdpsock_mock k;
};

static void die(const char *what, int err)
{
	fprintf(stderr, "ring_bench: %s: %s (%s)\n", what, strerror(err < 0 ? -err : err), xdpsock_errmsg());
	exit(1);
}

static void bench_open(struct bench *b, const struct cfg *c)
{
	struct xdpsock_opts o = {
		.sz = sizeof(o),
		.frame_count = c->frame_count,	/* 0: the default, 4096 */
		.rx_size = RING, .tx_size = RING, .fill_size = RING, .comp_size = RING,
	};
	int err;

	memset(b, 0, sizeof(*b));
	b->c = c;
	err = xdpsock__mock_create(c->rx ? NULL : &b->tx, c->rx ? &b->rx : NULL, &o, &b->k);
	if (err)
		die("xdpsock__mock_create", err);
}

static void bench_close(struct bench *b)
{
	xdpsock_tx_destroy(b->tx);
	xdpsock_rx_destroy(b->rx);
}

/* One round: the kernel double (untimed), then one ring's worth through the application loop. */
static uint32_t round_prep(struct bench *b)
{
	if (b->c->rx)
		return kernel_rx_deliver(&b->k, RING);
	kernel_tx_complete(&b->k);
	return RING;
}

static uint32_t round_run(struct bench *b, uint32_t frames)
{
	return b->c->rx ? b->c->rx_round(b->rx, frames) : b->c->tx_round(b->tx, frames);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Time @rounds rounds; returns ns spent in the application loop, adds frames to *frames. */
static uint64_t timed_rounds(struct bench *b, uint32_t rounds, uint64_t *frames)
{
	uint64_t ns = 0, t0;
	uint32_t r, want, got;

	for (r = 0; r < rounds; r++) {
		want = round_prep(b);
		t0 = now_ns();
		got = round_run(b, want);
		ns += now_ns() - t0;
		if (got != want) {
			fprintf(stderr, "ring_bench: %s batch %u: %u of %u frames in a round\n", b->c->name, b->c->batch,
				got, want);
			exit(1);
		}
		*frames += got;
	}
	return ns;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

#define TRIALS 7

static void run_timed(void)
{
	printf("%-4s %5s  %10s %10s %10s  %9s   %s\n", "dir", "batch", "ns/frame", "min", "max", "deferred",
	       "(median of 7 trials, ~40 ms each)");
	for (size_t i = 0; i < NCFG; i++) {
		struct xdpsock_stats st;
		struct bench b;
		double v[TRIALS];
		uint64_t frames = 0, ns;
		uint32_t rounds;

		bench_open(&b, &cfgs[i]);
		/* Warm up and size a trial to ~40 ms. */
		ns = timed_rounds(&b, 64, &frames);
		rounds = (uint32_t)(40e6 * 64 / (double)(ns ? ns : 1));
		if (rounds < 16)
			rounds = 16;
		if (rounds > 200000)
			rounds = 200000;
		for (int t = 0; t < TRIALS; t++) {
			frames = 0;
			ns = timed_rounds(&b, rounds, &frames);
			v[t] = (double)ns / (double)frames;
		}
		qsort(v, TRIALS, sizeof(v[0]), cmp_double);
		printf("%-4s %5u  %10.2f %10.2f %10.2f", cfgs[i].name, cfgs[i].batch, v[TRIALS / 2], v[0], v[TRIALS - 1]);
		if (b.rx && !xdpsock_rx_stats(b.rx, &st))
			printf("  %8.1f%%", st.rx_frames ? 100.0 * (double)st.rx_deferred / (double)st.rx_frames : 0.0);
		printf("\n");
		bench_close(&b);
	}
}

/* The "totals:" (or "summary:") line of a callgrind dump: instructions collected. */
static long long dump_total(const char *path)
{
	char line[512];
	long long v = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "totals:", 7) || (v < 0 && !strncmp(line, "summary:", 8)))
			v = atoll(strchr(line, ':') + 1);
	fclose(f);
	return v;
}

#define CG_ROUNDS 32

static int run_callgrind(const char *prefix)
{
	int dump = 0;

	if (!RUNNING_ON_VALGRIND) {
		fprintf(stderr, "ring_bench --callgrind: run me under valgrind --tool=callgrind --collect-atstart=no "
				"--callgrind-out-file=PREFIX, and pass --callgrind PREFIX\n");
		return 2;
	}
	printf("%-4s %5s  %12s %10s  %s\n", "dir", "batch", "instr", "frames", "instr/frame");
	for (size_t i = 0; i < NCFG; i++) {
		struct bench b;
		uint64_t frames = 0;
		uint32_t r, want, got;
		char path[4200];
		long long ir;

		bench_open(&b, &cfgs[i]);
		/* Warm-up rounds: the first reclaim/fetch differs from the steady state. */
		for (r = 0; r < 4; r++)
			round_run(&b, round_prep(&b));
		CALLGRIND_ZERO_STATS;
		for (r = 0; r < CG_ROUNDS; r++) {
			want = round_prep(&b);
			CALLGRIND_TOGGLE_COLLECT;
			got = round_run(&b, want);
			CALLGRIND_TOGGLE_COLLECT;
			if (got != want) {
				fprintf(stderr, "ring_bench: short round\n");
				return 1;
			}
			frames += got;
		}
		CALLGRIND_DUMP_STATS_AT(cfgs[i].name);
		dump++;
		snprintf(path, sizeof(path), "%s.%d", prefix, dump);
		ir = dump_total(path);
		if (ir < 0) {
			fprintf(stderr, "ring_bench: cannot read the callgrind dump %s\n", path);
			return 1;
		}
		printf("%-4s %5u  %12lld %10llu  %11.2f\n", cfgs[i].name, cfgs[i].batch, ir, (unsigned long long)frames,
		       (double)ir / (double)frames);
		bench_close(&b);
	}
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "--callgrind"))
		return run_callgrind(argv[2]);
	if (argc != 1) {
		fprintf(stderr, "usage: ring_bench [--callgrind DUMP_PREFIX]\n");
		return 2;
	}
	printf("built with gcc %s%s; %u-entry rings, %u-frame rounds\n", __VERSION__,
#ifdef __OPTIMIZE__
	       ", optimized",
#else
	       ", NOT optimized",
#endif
	       RING, RING);
	run_timed();
	printf("rx* = RX with the default frame_count (4096 frames for a %u-entry fill ring);\n"
	       "deferred = share of RX frames that commit put in the free list (stats.rx_deferred)\n", RING);
	return 0;
}
