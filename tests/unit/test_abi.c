// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * The ABI's growth points, against the kernel double:
 *   - sized output structs: a caller built with a smaller struct gets its prefix and nothing
 *     written beyond it; a larger one gets the tail zeroed;
 *   - XDPSOCK_OPTS() declares options with .sz set; xdpsock_version() agrees with the header;
 *   - xdpsock_tx_set_len() changes a peeked frame's length, refuses what peek_at refuses and a
 *     frame never peeked, and the kernel sees the new length;
 *   - xdpsock_fwd_reclaim() returns completed frames to the RX side's fill ring;
 *   - the 0.1 symbols xdpsock_{tx,rx}_{stats,mode}, which binaries built against 0.1 call with
 *     the 0.1 struct, fill that much and not a byte more (0.2 appended fields).
 */
/* The 0.1 symbols instead of the header's inline versions (see lib/ffi.c). */
#define XDPSOCK__FFI
#include "kdouble.h"

#define RING 16u

static int setup(void **state)
{
	static struct kd kd;
	struct xdpsock_opts o = kd_opts(2048, 64, RING, 0);

	if (kd_init(&kd, &o, 0, 7))
		return -1;
	*state = &kd;
	return 0;
}

static int teardown(void **state)
{
	kd_fini(*state);
	return 0;
}

static void test_stats_sized(void **state)
{
	struct kd *kd = *state;
	struct {
		struct xdpsock_stats st;
		uint8_t canary[32];
	} big;
	struct xdpsock_stats full;
	uint8_t small[sizeof(uint64_t) * 8 + 16];
	size_t i;

	assert_int_equal(xdpsock_tx_send(kd->tx, "0123456789abcdef0123456789abcdef0123456789abcdef012345678901", 60), 0);
	assert_int_equal(xdpsock_tx_stats_len(kd->tx, &full, sizeof(full)), 0);
	assert_int_equal(full.tx_frames, 1);

	/* An older caller: a struct of 8 counters.  The 16 bytes after it stay untouched. */
	memset(small, 0xa5, sizeof(small));
	assert_int_equal(xdpsock_tx_stats_len(kd->tx, (struct xdpsock_stats *)small, sizeof(uint64_t) * 8), 0);
	assert_memory_equal(small, &full, sizeof(uint64_t) * 8);
	for (i = sizeof(uint64_t) * 8; i < sizeof(small); i++)
		assert_int_equal(small[i], 0xa5);

	/* A newer caller: its struct is larger; what this library does not know reads 0. */
	memset(&big, 0xa5, sizeof(big));
	assert_int_equal(xdpsock_tx_stats_len(kd->tx, &big.st, sizeof(big)), 0);
	assert_memory_equal(&big.st, &full, sizeof(full));
	for (i = 0; i < sizeof(big.canary); i++)
		assert_int_equal(big.canary[i], 0);

	assert_int_equal(xdpsock_rx_stats_len(NULL, &full, sizeof(full)), -EINVAL);
	assert_int_equal(xdpsock_tx_stats_len(kd->tx, NULL, sizeof(full)), -EINVAL);
}

static void test_mode_sized(void **state)
{
	struct kd *kd = *state;
	struct xdpsock_mode m, m2;
	uint8_t small[4 + 4];

	assert_int_equal(xdpsock_rx_mode_len(kd->rx, &m, sizeof(m)), 0);
	assert_int_equal(m.frame_size, 2048);
	assert_int_equal(m.frame_count, 64);
	memset(small, 0xa5, sizeof(small));
	assert_int_equal(xdpsock_rx_mode_len(kd->rx, (struct xdpsock_mode *)small, 4), 0);
	assert_memory_equal(small, &m, 4);
	assert_int_equal(small[4], 0xa5);
	assert_int_equal(xdpsock_tx_mode_len(kd->tx, &m2, sizeof(m2)), 0);
	assert_memory_equal(&m2, &m, sizeof(m));
}

static void test_opts_macro(void **state)
{
	XDPSOCK_OPTS(o, .frame_count = 8192, .flags = XDPSOCK_F_BUSY_POLL);

	(void)state;
	assert_int_equal(o.sz, sizeof(struct xdpsock_opts));
	assert_int_equal(o.frame_count, 8192);
	assert_int_equal(o.flags, XDPSOCK_F_BUSY_POLL);
	assert_int_equal(o.frame_size, 0);
	assert_null(o.umem);
}

static void test_version(void **state)
{
	char want[32];

	(void)state;
	snprintf(want, sizeof(want), "%d.%d.%d", XDPSOCK_VERSION_MAJOR, XDPSOCK_VERSION_MINOR, XDPSOCK_VERSION_PATCH);
	assert_string_equal(xdpsock_version(), want);
}

static void test_tx_set_len(void **state)
{
	struct kd *kd = *state;
	struct xdp_desc d[4];
	uint8_t *p;

	assert_int_equal(xdpsock_tx_seek_n(kd->tx, 3), 3);
	p = xdpsock_tx_peek_at(kd->tx, 0, 2048);
	assert_non_null(p);
	memset(p, 0x5a, 100);
	assert_int_equal(xdpsock_tx_set_len(kd->tx, 0, 100), 0);
	assert_non_null(xdpsock_tx_peek_at(kd->tx, 1, 60));
	/* Refusals, with errno as peek_at's. */
	assert_int_equal(xdpsock_tx_set_len(kd->tx, 3, 60), -ERANGE);
	assert_int_equal(errno, ERANGE);
	assert_int_equal(xdpsock_tx_set_len(kd->tx, 1, 0), -EMSGSIZE);
	assert_int_equal(xdpsock_tx_set_len(kd->tx, 1, 2049), -EMSGSIZE);
	assert_int_equal(xdpsock_tx_set_len(kd->tx, 2, 60), -EINVAL);	/* never peeked */
	/* Commit the two peeked frames; the kernel sees 100 and 60. */
	assert_int_equal(xdpsock_tx_commit_n(kd->tx, 2), 2);
	assert_int_equal(kd_consume_tx(kd, 4, d), 2);
	assert_int_equal(d[0].len, 100);
	assert_int_equal(d[1].len, 60);
	/* The third frame, still reserved, can still be peeked and committed. */
	assert_non_null(xdpsock_tx_peek_at(kd->tx, 0, 64));
	assert_int_equal(xdpsock_tx_commit_n(kd->tx, 1), 1);
	assert_int_equal(kd_consume_tx(kd, 4, d), 1);
	kd_check(kd);
}

static void test_fwd_reclaim(void **state)
{
	struct kd *kd = *state;
	struct xdpsock_stats st;
	struct xdp_desc d[8];
	int i;

	/* The fill ring starts full (16); eat it so reclaimed frames have room to go there. */
	assert_int_equal(kd_consume_fill(kd, RING), RING);
	for (i = 0; i < 8; i++)
		assert_int_equal(xdpsock_tx_send(kd->tx, "0123456789abcdef0123456789abcdef0123456789abcdef012345678901", 60), 0);
	assert_int_equal(kd_consume_tx(kd, 8, d), 8);
	assert_int_equal(kd_complete(kd, 8), 8);
	assert_int_equal(xdpsock_tx_stats_len(kd->tx, &st, sizeof(st)), 0);
	assert_int_equal(st.frames.comp, 8);
	assert_int_equal(xdpsock_fwd_reclaim(kd->rx, kd->tx), 8);
	assert_int_equal(xdpsock_tx_stats_len(kd->tx, &st, sizeof(st)), 0);
	assert_int_equal(st.frames.comp, 0);
	assert_int_equal(st.frames.fill, RING);	/* topped up again, from the free list too */
	assert_int_equal(xdpsock_fwd_reclaim(kd->rx, kd->tx), 0);
	kd_check(kd);
}

/* The 0.1 sizes: up to and with the census; up to and with frame_count. */
#define STATS_0_1 (offsetof(struct xdpsock_stats, frames) + sizeof(struct xdpsock_census))
#define MODE_0_1 (offsetof(struct xdpsock_mode, frame_count) + sizeof(uint32_t))

static void test_0_1_symbols_fill_0_1_size(void **state)
{
	struct kd *kd = *state;
	union {
		struct xdpsock_stats st;
		uint8_t b[sizeof(struct xdpsock_stats) + 16];
	} s;
	union {
		struct xdpsock_mode m;
		uint8_t b[sizeof(struct xdpsock_mode) + 16];
	} m;
	struct xdpsock_stats full;
	size_t i;

	/* The structs did grow in 0.2: otherwise this test proves nothing. */
	assert_true(sizeof(struct xdpsock_stats) > STATS_0_1);
	assert_true(sizeof(struct xdpsock_mode) > MODE_0_1);
	assert_int_equal(xdpsock_tx_stats_len(kd->tx, &full, sizeof(full)), 0);
	for (int k = 0; k < 2; k++) {
		memset(&s, 0xa5, sizeof(s));
		assert_int_equal(k ? xdpsock_rx_stats(kd->rx, &s.st) : xdpsock_tx_stats(kd->tx, &s.st), 0);
		assert_memory_equal(&s.st, &full, STATS_0_1);
		for (i = STATS_0_1; i < sizeof(s); i++)
			assert_int_equal(s.b[i], 0xa5);
		memset(&m, 0xa5, sizeof(m));
		assert_int_equal(k ? xdpsock_rx_mode(kd->rx, &m.m) : xdpsock_tx_mode(kd->tx, &m.m), 0);
		assert_int_equal(m.m.frame_count, 64);
		for (i = MODE_0_1; i < sizeof(m); i++)
			assert_int_equal(m.b[i], 0xa5);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_stats_sized, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mode_sized, setup, teardown),
		cmocka_unit_test(test_opts_macro),
		cmocka_unit_test(test_version),
		cmocka_unit_test_setup_teardown(test_tx_set_len, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fwd_reclaim, setup, teardown),
		cmocka_unit_test_setup_teardown(test_0_1_symbols_fill_0_1_size, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
