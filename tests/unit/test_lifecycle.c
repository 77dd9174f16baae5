// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * Handle life cycle over mock rings (run under ASan for use-after-free and leaks): a pair's
 * halves destroyed in either order, single-direction handles, NULL arguments.
 */
#include "kdouble.h"

static struct xdpsock_opts small(void)
{
	return kd_opts(2048, 64, 16, 0);
}

static void census_sums(const struct xdpsock_stats *st)
{
	assert_int_equal(st->frames.total, st->frames.free + st->frames.user + st->frames.fill + st->frames.rx +
						   st->frames.tx + st->frames.comp + st->frames.kernel);
}

/* Destroy the RX half first, with frames in every place; the TX half stays usable. */
static void test_pair_destroy_rx_first(void **state)
{
	struct xdpsock_opts o = small();
	struct xdpsock_stats st;
	struct kd kd;

	(void)state;
	assert_int_equal(kd_init(&kd, &o, 0, 5), 0);
	kd_consume_fill(&kd, 4);
	kd_produce_rx(&kd, 2, NULL);
	assert_int_equal(xdpsock_rx_seek_n(kd.rx, 1), 1);
	assert_int_equal(xdpsock_tx_seek_n(kd.tx, 3), 3);
	assert_non_null(xdpsock_tx_peek(kd.tx, 10));
	assert_int_equal(xdpsock_tx_commit(kd.tx), 1);
	kd_check(&kd);

	xdpsock_rx_destroy(kd.rx);
	kd.rx = NULL;
	assert_int_equal(xdpsock_tx_stats(kd.tx, &st), 0);
	census_sums(&st);
	assert_int_equal(st.frames.user, 2);	/* the TX reservation only */
	assert_int_equal(st.frames.tx, 1);
	assert_non_null(xdpsock_tx_peek_at(kd.tx, 1, 20));
	assert_int_equal(kd_consume_tx(&kd, 4, NULL), 1);
	kd_fini(&kd);	/* destroys the TX half; rx is NULL */
}

/* And the TX half first. */
static void test_pair_destroy_tx_first(void **state)
{
	struct xdpsock_opts o = small();
	struct xdpsock_stats st;
	struct kd kd;
	uint32_t len = 0;

	(void)state;
	assert_int_equal(kd_init(&kd, &o, UINT32_MAX, 6), 0);
	assert_int_equal(xdpsock_tx_seek_n(kd.tx, 3), 3);
	kd_consume_fill(&kd, 4);
	kd_produce_rx(&kd, 2, NULL);
	xdpsock_tx_destroy(kd.tx);
	kd.tx = NULL;
	assert_int_equal(xdpsock_rx_stats(kd.rx, &st), 0);
	census_sums(&st);
	assert_int_equal(st.tx_frames, 0);
	assert_int_equal(xdpsock_rx_seek_n(kd.rx, 4), 2);
	assert_non_null(xdpsock_rx_peek_at(kd.rx, 1, &len));
	assert_int_equal(len, kd_at(&kd.rxq, 1)->len);
	assert_int_equal(xdpsock_rx_commit_n(kd.rx, 2), 2);
	xdpsock_rx_destroy(kd.rx);
	kd.rx = NULL;
	kd_fini(&kd);
}

/* The mock builds a TX-only or an RX-only handle too. */
static void test_single_direction(void **state)
{
	struct xdpsock_opts o = small();
	struct xdpsock_tx *tx = NULL;
	struct xdpsock_rx *rx = NULL;
	struct xdpsock_mock k;
	struct xdpsock_stats st;

	(void)state;
	memset(&k, 0, sizeof(k));
	assert_int_equal(xdpsock__mock_create(&tx, NULL, &o, &k), 0);
	assert_non_null(tx);
	assert_int_equal(xdpsock_tx_stats(tx, &st), 0);
	assert_int_equal(st.frames.free, 64);
	assert_int_equal(st.frames.fill, 0);
	assert_int_equal(xdpsock_tx_seek_n(tx, 100), 16);
	xdpsock_tx_destroy(tx);

	memset(&k, 0, sizeof(k));
	assert_int_equal(xdpsock__mock_create(NULL, &rx, &o, &k), 0);
	assert_non_null(rx);
	assert_int_equal(xdpsock_rx_stats(rx, &st), 0);
	assert_int_equal(st.frames.free, 48);
	assert_int_equal(st.frames.fill, 16);
	census_sums(&st);
	assert_int_equal(xdpsock_rx_seek_n(rx, 4), 0);
	xdpsock_rx_destroy(rx);
}

static void test_null_arguments(void **state)
{
	struct xdpsock_stats st;
	struct xdpsock_mode m;

	(void)state;
	xdpsock_tx_destroy(NULL);
	xdpsock_rx_destroy(NULL);
	xdpsock_umem_destroy(NULL);
	errno = 0;
	assert_int_equal(xdpsock_tx_stats(NULL, &st), -EINVAL);
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_int_equal(xdpsock_rx_stats(NULL, &st), -EINVAL);
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_int_equal(xdpsock_tx_mode(NULL, &m), -EINVAL);
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_int_equal(xdpsock_rx_mode(NULL, &m), -EINVAL);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(xdpsock_tx_fd(NULL), -EINVAL);
	assert_int_equal(xdpsock_rx_fd(NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pair_destroy_rx_first),
		cmocka_unit_test(test_pair_destroy_tx_first),
		cmocka_unit_test(test_single_direction),
		cmocka_unit_test(test_null_arguments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
