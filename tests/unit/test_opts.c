// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * Option validation and defaults, through the mock pair (no kernel): each bad value fails with
 * the right -errno, sets errno to match, and leaves a sentence naming the cause in xdpsock_errmsg().
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mock.h"

/* Small, valid options for a pair: 64 frames, rings of 16. */
static struct xdpsock_opts small(void)
{
	struct xdpsock_opts o;

	memset(&o, 0, sizeof(o));
	o.sz = sizeof(o);
	o.frame_count = 64;
	o.rx_size = o.tx_size = o.fill_size = o.comp_size = 16;
	return o;
}

/* Creation through the mock fails with -err, errno == err, and the message contains every needle. */
static void expect_fail_pair(const struct xdpsock_opts *o, bool with_tx, bool with_rx, int err, const char *needle1,
			     const char *needle2)
{
	struct xdpsock_tx *tx = NULL;
	struct xdpsock_rx *rx = NULL;
	struct xdpsock_mock k;
	int ret;

	memset(&k, 0, sizeof(k));
	errno = 0;
	ret = xdpsock__mock_create(with_tx ? &tx : NULL, with_rx ? &rx : NULL, o, &k);
	if (ret != -err)
		fail_msg("expected %d, got %d (%s)", -err, ret, xdpsock_errmsg());
	assert_int_equal(errno, err);
	assert_int_equal(errno, -ret);
	assert_null(tx);
	assert_null(rx);
	if (needle1 && !strstr(xdpsock_errmsg(), needle1))
		fail_msg("\"%s\" not in \"%s\"", needle1, xdpsock_errmsg());
	if (needle2 && !strstr(xdpsock_errmsg(), needle2))
		fail_msg("\"%s\" not in \"%s\"", needle2, xdpsock_errmsg());
}

static void expect_fail(const struct xdpsock_opts *o, int err, const char *needle1, const char *needle2)
{
	expect_fail_pair(o, true, true, err, needle1, needle2);
}

static void expect_ok_pair(const struct xdpsock_opts *o, bool with_tx, bool with_rx)
{
	struct xdpsock_tx *tx = NULL;
	struct xdpsock_rx *rx = NULL;
	struct xdpsock_mock k;
	int ret;

	memset(&k, 0, sizeof(k));
	ret = xdpsock__mock_create(with_tx ? &tx : NULL, with_rx ? &rx : NULL, o, &k);
	if (ret)
		fail_msg("expected success, got %d (%s)", ret, xdpsock_errmsg());
	assert_true(!with_tx || tx);
	assert_true(!with_rx || rx);
	xdpsock_tx_destroy(tx);
	xdpsock_rx_destroy(rx);
}

static void expect_ok(const struct xdpsock_opts *o)
{
	expect_ok_pair(o, true, true);
}

static void test_ring_size_power_of_two(void **state)
{
	struct xdpsock_opts o;

	(void)state;
	o = small();
	o.rx_size = 1000;
	expect_fail(&o, EINVAL, "power of two", "RX ring size 1000");
	o = small();
	o.tx_size = 17;
	expect_fail(&o, EINVAL, "power of two", "TX ring size 17");
	o = small();
	o.fill_size = 3;
	expect_fail(&o, EINVAL, "power of two", "fill ring size 3");
	o = small();
	o.comp_size = 0x80000001u;
	expect_fail(&o, EINVAL, "power of two", "completion ring size 2147483649");
	/* A power of two above 2^20 is refused too. */
	o = small();
	o.comp_size = 1u << 21;
	expect_fail(&o, EINVAL, "power of two up to 1048576", NULL);
	/* 1 is a power of two. */
	o = small();
	o.rx_size = o.comp_size = 1;
	expect_ok(&o);
}

static void test_frame_size(void **state)
{
	struct xdpsock_opts o;

	(void)state;
	o = small();
	o.frame_size = 1000;
	expect_fail(&o, EINVAL, "2048 or 4096", "frame size 1000");
	o.frame_size = 8192;
	expect_fail(&o, EINVAL, "2048 or 4096", NULL);
	o.frame_size = 2047;
	expect_fail(&o, EINVAL, "2048 or 4096", NULL);
	o.frame_size = 4096;
	expect_ok(&o);
	o.frame_size = 2048;
	expect_ok(&o);
}

static void test_frame_count(void **state)
{
	struct xdpsock_opts o;

	(void)state;
	/* A pair needs fill ring + TX ring frames. */
	o = small();
	o.frame_count = 31;
	expect_fail(&o, EINVAL, "too small", "needs at least 32 (fill ring + TX ring)");
	o.frame_count = 32;
	expect_ok(&o);
	/* TX only: the TX ring; RX only: the fill ring. */
	o.frame_count = 15;
	expect_fail_pair(&o, true, false, EINVAL, "too small", "needs at least 16 (TX ring)");
	expect_fail_pair(&o, false, true, EINVAL, "too small", "needs at least 16 (fill ring)");
	o.frame_count = 16;
	expect_ok_pair(&o, true, false);
	expect_ok_pair(&o, false, true);
	/* The defaults (rings of 2048) need 4096. */
	memset(&o, 0, sizeof(o));
	o.sz = sizeof(o);
	o.frame_count = 4095;
	expect_fail(&o, EINVAL, "too small", "4096");
	/* Above 2^24 (refused before anything is allocated). */
	o = small();
	o.frame_count = (1u << 24) + 1;
	expect_fail(&o, EINVAL, "above 16777216", NULL);
}

static void test_flags_and_enums(void **state)
{
	struct xdpsock_opts o;

	(void)state;
	o = small();
	o.flags = 1u << 7;
	expect_fail(&o, EINVAL, "unknown flags 0x80", NULL);
	o.flags = XDPSOCK_F_NO_NEED_WAKEUP | XDPSOCK_F_MULTI_BUFFER | XDPSOCK_F_BUSY_POLL | (1u << 31);
	expect_fail(&o, EINVAL, "unknown flags 0x80000000", NULL);
	o.flags = XDPSOCK_F_MULTI_BUFFER;
	expect_ok(&o);
	o = small();
	o.copy_mode = (enum xdpsock_copy_mode)7;
	expect_fail(&o, EINVAL, "copy_mode 7", NULL);
	o = small();
	o.attach_mode = (enum xdpsock_attach_mode)9;
	expect_fail(&o, EINVAL, "attach_mode 9", NULL);
	o = small();
	o.hugepages = (enum xdpsock_hugepages)5;
	expect_fail(&o, EINVAL, "hugepages 5", NULL);
	o = small();
	o.headroom = 1025;
	expect_fail(&o, EINVAL, "headroom 1025", NULL);
	o.headroom = 1024;
	expect_ok(&o);
}

/* Options from a newer header: unknown trailing fields must be zero. */
static void test_opts_sz(void **state)
{
	struct {
		struct xdpsock_opts o;
		uint64_t newer[4];
	} big;
	struct xdpsock_opts o;

	(void)state;
	memset(&big, 0, sizeof(big));
	big.o = small();
	big.o.sz = sizeof(big);
	expect_ok(&big.o);	/* larger, trailing bytes zero: fine */
	big.newer[3] = 1ull << 63;
	expect_fail(&big.o, EOPNOTSUPP, "does not know", "upgrade");
	big.newer[3] = 0;
	((uint8_t *)&big.newer)[0] = 1;
	expect_fail(&big.o, EOPNOTSUPP, NULL, NULL);
	/* sz must at least cover itself. */
	o = small();
	o.sz = 0;
	expect_fail(&o, EINVAL, "sz is 0", NULL);
	o.sz = sizeof(size_t) - 1;
	expect_fail(&o, EINVAL, "sizeof(struct xdpsock_opts)", NULL);
}

/* Options from an older header: fields past sz are not read (here they hold invalid values). */
static void test_opts_older_caller(void **state)
{
	struct xdpsock_opts o;
	struct xdpsock_tx *tx = NULL;
	struct xdpsock_rx *rx = NULL;
	struct xdpsock_mock k;
	struct xdpsock_mode m;

	(void)state;
	memset(&o, 0xEE, sizeof(o));
	o.sz = offsetof(struct xdpsock_opts, rx_size);
	o.frame_size = 4096;
	o.frame_count = 4096;
	memset(&k, 0, sizeof(k));
	assert_int_equal(xdpsock__mock_create(&tx, &rx, &o, &k), 0);
	assert_int_equal(xdpsock_tx_mode(tx, &m), 0);
	assert_int_equal(m.frame_size, 4096);
	assert_int_equal(m.frame_count, 4096);
	assert_int_equal(tx->q.tx.size, 2048);
	assert_int_equal(rx->q.rx.size, 2048);
	assert_int_equal(tx->q.headroom, 0);
	assert_true(m.need_wakeup);
	xdpsock_tx_destroy(tx);
	xdpsock_rx_destroy(rx);
}

/* opts NULL: 2048-byte frames, 4096 of them, rings of 2048, no headroom, need_wakeup. */
static void test_opts_null_defaults(void **state)
{
	struct xdpsock_tx *tx = NULL;
	struct xdpsock_rx *rx = NULL;
	struct xdpsock_mock k;
	struct xdpsock_mode m;
	struct xdpsock_stats st;
	struct xdpsock__cfg cfg;
	char buf[256];

	(void)state;
	memset(&k, 0, sizeof(k));
	assert_int_equal(xdpsock__mock_create(&tx, &rx, NULL, &k), 0);
	assert_int_equal(xdpsock_tx_mode(tx, &m), 0);
	assert_int_equal(m.frame_size, 2048);
	assert_int_equal(m.frame_count, 4096);
	assert_true(m.need_wakeup);
	assert_int_equal(xdpsock_rx_mode(rx, &m), 0);
	assert_int_equal(m.frame_size, 2048);
	assert_int_equal(m.frame_count, 4096);
	assert_non_null(strstr(xdpsock_mode_str(&m, buf, sizeof(buf)), "4096 x 2048-byte frames"));
	assert_int_equal(tx->q.tx.size, 2048);
	assert_int_equal(tx->q.cq.size, 2048);
	assert_int_equal(rx->q.rx.size, 2048);
	assert_int_equal(rx->q.fq.size, 2048);
	assert_int_equal(k.tx.size, 2048);
	assert_int_equal(k.fq.size, 2048);
	assert_int_equal(tx->q.max_len, 2048);
	assert_int_equal(tx->q.headroom, 0);
	assert_int_equal(k.umem_size, 4096ull * 2048);
	assert_int_equal(xdpsock_rx_stats(rx, &st), 0);
	assert_int_equal(st.frames.total, 4096);
	assert_int_equal(st.frames.fill, 2048);
	assert_int_equal(st.frames.free, 2048);
	xdpsock_tx_destroy(tx);
	xdpsock_rx_destroy(rx);

	/* The same through the configuration step, plus the busy-poll defaults. */
	assert_int_equal(xdpsock__cfg_init(&cfg, NULL, true, true), 0);
	assert_int_equal(cfg.o.sz, sizeof(struct xdpsock_opts));
	assert_int_equal(cfg.o.frame_size, XDPSOCK_DEF_FRAME_SIZE);
	assert_int_equal(cfg.o.frame_count, XDPSOCK_DEF_FRAME_COUNT);
	assert_int_equal(cfg.o.fill_size, XDPSOCK_DEF_RING_SIZE);
	assert_int_equal(cfg.o.comp_size, XDPSOCK_DEF_RING_SIZE);
	assert_int_equal(cfg.o.busy_poll_usecs, 0);
	{
		struct xdpsock_opts o = small();

		o.flags = XDPSOCK_F_BUSY_POLL;
		assert_int_equal(xdpsock__cfg_init(&cfg, &o, true, true), 0);
		assert_int_equal(cfg.o.busy_poll_usecs, 20);
		assert_int_equal(cfg.o.busy_poll_budget, 64);
		o.busy_poll_usecs = 50;
		o.busy_poll_budget = 8;
		assert_int_equal(xdpsock__cfg_init(&cfg, &o, true, true), 0);
		assert_int_equal(cfg.o.busy_poll_usecs, 50);
		assert_int_equal(cfg.o.busy_poll_budget, 8);
	}
}

/* The public UMEM constructor validates through the same path and leaves *umem NULL. */
static void test_umem_create_invalid(void **state)
{
	struct xdpsock_umem *u = (struct xdpsock_umem *)&u;
	struct xdpsock_opts o = small();
	int ret;

	(void)state;
	o.frame_size = 1000;
	errno = 0;
	ret = xdpsock_umem_create(&u, &o);
	assert_int_equal(ret, -EINVAL);
	assert_int_equal(errno, EINVAL);
	assert_null(u);
	assert_non_null(strstr(xdpsock_errmsg(), "2048 or 4096"));
	errno = 0;
	assert_int_equal(xdpsock_umem_create(NULL, &o), -EINVAL);
	assert_int_equal(errno, EINVAL);
}

static void test_strerror(void **state)
{
	(void)state;
	assert_non_null(strstr(xdpsock_strerror(EBUSY), "already in use"));
	assert_string_equal(xdpsock_strerror(-EBUSY), xdpsock_strerror(EBUSY));
	assert_non_null(strstr(xdpsock_strerror(EMSGSIZE), "frame_size - headroom"));
	assert_non_null(strstr(xdpsock_strerror(EBADMSG), "outside the UMEM"));
	assert_non_null(strstr(xdpsock_strerror(EPERM), "CAP_NET_RAW"));
	assert_string_equal(xdpsock_strerror(0), "success");
	/* Anything else: the C library's text. */
	assert_string_equal(xdpsock_strerror(EDOM), strerror(EDOM));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ring_size_power_of_two),
		cmocka_unit_test(test_frame_size),
		cmocka_unit_test(test_frame_count),
		cmocka_unit_test(test_flags_and_enums),
		cmocka_unit_test(test_opts_sz),
		cmocka_unit_test(test_opts_older_caller),
		cmocka_unit_test(test_opts_null_defaults),
		cmocka_unit_test(test_umem_create_invalid),
		cmocka_unit_test(test_strerror),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
