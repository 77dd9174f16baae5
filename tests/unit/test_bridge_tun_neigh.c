// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * The neighbour mirror of `xdpbridge tun`: the table (every entry findable after any mix of
 * puts and deletes, which exercises the backward-shift deletion; a re-announced entry does
 * not disturb the readers' caches; a full table says so), a reader thread against a writer
 * that churns (never a wrong MAC, never a miss for an entry that stays), and the parsing of
 * RTM_NEWNEIGH / RTM_DELNEIGH as the kernel sends them.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include <sys/socket.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "tun.h"

static struct tun_neigh_table *table_new(void)
{
	struct tun_neigh_table *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	return t;
}

/* Address i of family f: IPv4 198.18.x.y, IPv6 2001:2::x:y; its MAC 02:00:<i>. */
static void addr_of(int f, uint32_t i, uint8_t a[16])
{
	memset(a, 0, 16);
	if (f == 4) {
		a[0] = 198;
		a[1] = 18;
		a[2] = (uint8_t)(i >> 8);
		a[3] = (uint8_t)i;
	} else {
		a[0] = 0x20;
		a[1] = 0x01;
		a[3] = 0x02;
		a[12] = (uint8_t)(i >> 24);
		a[13] = (uint8_t)(i >> 16);
		a[14] = (uint8_t)(i >> 8);
		a[15] = (uint8_t)i;
	}
}

static void mac_of(uint32_t i, uint32_t gen, uint8_t m[6])
{
	m[0] = 0x02;
	m[1] = (uint8_t)gen;
	m[2] = (uint8_t)(i >> 24);
	m[3] = (uint8_t)(i >> 16);
	m[4] = (uint8_t)(i >> 8);
	m[5] = (uint8_t)i;
}

static void test_put_get_del(void **state)
{
	struct tun_neigh_table *t = table_new();
	uint8_t a[16], m[6], got[6];
	uint32_t seq, seq2;

	(void)state;
	addr_of(4, 1, a);
	mac_of(1, 0, m);
	assert_false(tun_neigh_table_get(t, 4, a, got, &seq));
	assert_int_equal(tun_neigh_table_put(t, 4, a, m), 0);
	assert_true(tun_neigh_table_get(t, 4, a, got, &seq));
	assert_memory_equal(got, m, 6);
	/* Same bytes as an IPv4 address are another key in IPv6. */
	assert_false(tun_neigh_table_get(t, 6, a, got, &seq2));
	/* The kernel re-announces on every state change: the same MAC changes nothing. */
	seq = tun_neigh_table_seq(t);
	assert_int_equal(tun_neigh_table_put(t, 4, a, m), 0);
	assert_int_equal(tun_neigh_table_seq(t), seq);
	/* A new MAC does, and is what readers get. */
	mac_of(1, 1, m);
	assert_int_equal(tun_neigh_table_put(t, 4, a, m), 0);
	assert_int_not_equal(tun_neigh_table_seq(t), seq);
	assert_true(tun_neigh_table_get(t, 4, a, got, &seq));
	assert_memory_equal(got, m, 6);
	assert_int_equal(seq & 1, 0);
	assert_int_equal(t->used, 1);
	assert_true(tun_neigh_table_del(t, 4, a));
	assert_false(tun_neigh_table_del(t, 4, a));
	assert_false(tun_neigh_table_get(t, 4, a, got, &seq));
	assert_int_equal(t->used, 0);
	free(t);
}

/* Random puts and deletes against a plain array: the table always agrees. */
static void test_churn_agrees(void **state)
{
	enum { N = 1500 };	/* 3000 keys at most: below the 3/4 of the slots a table takes */
	struct tun_neigh_table *t = table_new();
	static uint32_t gen[2][N];	/* 0: absent, else the MAC generation + 1 */
	uint8_t a[16], m[6], got[6];
	uint32_t seq, i, step, x = 12345;
	int f;

	(void)state;
	memset(gen, 0, sizeof(gen));
	for (step = 0; step < 60000; step++) {
		x = x * 1103515245u + 12345u;
		f = (x >> 8) & 1 ? 6 : 4;
		i = (x >> 10) % N;
		addr_of(f, i, a);
		if ((x >> 28) < 10) {
			mac_of(i, step, m);
			assert_int_equal(tun_neigh_table_put(t, f, a, m), 0);
			gen[f == 6][i] = (step & 0xff) + 1;
		} else {
			assert_int_equal(tun_neigh_table_del(t, f, a), gen[f == 6][i] != 0);
			gen[f == 6][i] = 0;
		}
	}
	for (f = 0; f < 2; f++)
		for (i = 0; i < N; i++) {
			addr_of(f ? 6 : 4, i, a);
			if (!gen[f][i]) {
				assert_false(tun_neigh_table_get(t, f ? 6 : 4, a, got, &seq));
				continue;
			}
			assert_true(tun_neigh_table_get(t, f ? 6 : 4, a, got, &seq));
			mac_of(i, gen[f][i] - 1, m);
			assert_memory_equal(got, m, 6);
		}
	tun_neigh_table_clear(t);
	assert_int_equal(t->used, 0);
	addr_of(4, 1, a);
	assert_false(tun_neigh_table_get(t, 4, a, got, &seq));
	free(t);
}

static void test_full(void **state)
{
	struct tun_neigh_table *t = table_new();
	uint8_t a[16], m[6], got[6];
	uint32_t i, seq;

	(void)state;
	for (i = 0; i < TUN_NEIGH_SLOTS / 4 * 3; i++) {
		addr_of(6, i, a);
		mac_of(i, 0, m);
		assert_int_equal(tun_neigh_table_put(t, 6, a, m), 0);
	}
	addr_of(6, i, a);
	assert_int_equal(tun_neigh_table_put(t, 6, a, m), -ENOSPC);
	/* Updating one already there still works when full. */
	addr_of(6, 7, a);
	mac_of(7, 9, m);
	assert_int_equal(tun_neigh_table_put(t, 6, a, m), 0);
	assert_true(tun_neigh_table_get(t, 6, a, got, &seq));
	assert_memory_equal(got, m, 6);
	free(t);
}

/*
 * A reader looks up entries that never go while the writer churns others around them (moving
 * them, when a deletion shifts a probe run back).  Never a wrong MAC.  A writer that never
 * pauses can keep a reader from a consistent look (it then reports a miss, which drops one
 * packet); at 50,000 changes a second, far beyond a real neighbour table, it never misses,
 * even when the writer is preempted in the middle of a change (the reader yields to it).
 */
struct race {
	struct tun_neigh_table *t;
	int stop;
	unsigned long lookups, wrong, missing;
};

#define STABLE 64

static void *reader(void *arg)
{
	struct race *r = arg;
	uint8_t a[16], m[6], got[6];
	uint32_t seq, i = 0;

	while (!__atomic_load_n(&r->stop, __ATOMIC_RELAXED)) {
		addr_of(4, i % STABLE, a);
		mac_of(i % STABLE, 0, m);
		if (!tun_neigh_table_get(r->t, 4, a, got, &seq))
			r->missing++;
		else if (memcmp(got, m, 6))
			r->wrong++;
		r->lookups++;
		i++;
	}
	return NULL;
}

static void churn(struct race *r, bool pause)
{
	struct timespec ts = { 0, 20000 };
	uint8_t a[16], m[6];
	pthread_t th;
	uint32_t i, round;

	r->stop = 0;
	r->lookups = r->wrong = r->missing = 0;
	assert_int_equal(pthread_create(&th, NULL, reader, r), 0);
	for (round = 0; round < (pause ? 20 : 200); round++)
		for (i = STABLE; i < STABLE + (pause ? 200 : 1500); i++) {
			addr_of(4, i, a);
			mac_of(i, round, m);
			if (round & 1)
				tun_neigh_table_del(r->t, 4, a);
			else
				tun_neigh_table_put(r->t, 4, a, m);
			if (pause)
				nanosleep(&ts, NULL);
		}
	__atomic_store_n(&r->stop, 1, __ATOMIC_RELAXED);
	pthread_join(th, NULL);
}

static void test_reader_during_churn(void **state)
{
	struct race r = { .t = table_new() };
	uint8_t a[16], m[6];
	uint32_t i;

	(void)state;
	for (i = 0; i < STABLE; i++) {
		addr_of(4, i, a);
		mac_of(i, 0, m);
		assert_int_equal(tun_neigh_table_put(r.t, 4, a, m), 0);
	}
	churn(&r, false);
	print_message("writer without pause: %lu lookups, %lu wrong, %lu missed\n", r.lookups, r.wrong, r.missing);
	assert_int_equal(r.wrong, 0);
	churn(&r, true);
	print_message("writer pausing 20 us: %lu lookups, %lu wrong, %lu missed\n", r.lookups, r.wrong, r.missing);
	assert_int_equal(r.wrong, 0);
	assert_int_equal(r.missing, 0);
	free(r.t);
}

/* ---- netlink messages ---- */

static struct nlmsghdr *neigh_msg(char *buf, uint16_t type, uint8_t family, int ifindex, uint16_t state,
				  uint8_t flags, const void *dst, size_t dlen, const void *ll, size_t llen)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ndmsg *ndm;

	nlh->nlmsg_type = type;
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = family;
	ndm->ndm_ifindex = ifindex;
	ndm->ndm_state = state;
	ndm->ndm_flags = flags;
	if (dst)
		mnl_attr_put(nlh, NDA_DST, dlen, dst);
	if (ll)
		mnl_attr_put(nlh, NDA_LLADDR, llen, ll);
	return nlh;
}

static void test_parse(void **state)
{
	char buf[512] __attribute__((aligned(8)));
	const uint8_t v4[4] = { 198, 18, 7, 1 }, mac[6] = { 2, 0, 0, 0, 7, 1 }, zero[6] = { 0 };
	uint8_t v6[16] = { 0x20, 0x01, 0, 2, 0, 7 };
	struct tun_neigh_msg m;

	(void)state;
	v6[15] = 1;
	assert_int_equal(tun_neigh_parse(neigh_msg(buf, RTM_NEWNEIGH, AF_INET, 5, NUD_REACHABLE, 0, v4, 4, mac, 6), &m), 1);
	assert_int_equal(m.family, 4);
	assert_int_equal(m.ifindex, 5);
	assert_memory_equal(m.addr, v4, 4);
	assert_memory_equal(m.mac, mac, 6);
	assert_true(m.usable);
	assert_false(m.del);
	/* STALE, DELAY, PROBE, PERMANENT: usable; the kernel would send to them too. */
	assert_int_equal(tun_neigh_parse(neigh_msg(buf, RTM_NEWNEIGH, AF_INET6, 5, NUD_STALE, 0, v6, 16, mac, 6), &m), 1);
	assert_int_equal(m.family, 6);
	assert_memory_equal(m.addr, v6, 16);
	assert_true(m.usable);
	assert_int_equal(tun_neigh_parse(neigh_msg(buf, RTM_NEWNEIGH, AF_INET, 5, NUD_PERMANENT, 0, v4, 4, mac, 6), &m), 1);
	assert_true(m.usable);
	/* INCOMPLETE, FAILED, no MAC, a zero MAC: not usable (removed from the table). */
	assert_int_equal(tun_neigh_parse(neigh_msg(buf, RTM_NEWNEIGH, AF_INET, 5, NUD_INCOMPLETE, 0, v4, 4, NULL, 0), &m), 1);
	assert_false(m.usable);
	assert_int_equal(tun_neigh_parse(neigh_msg(buf, RTM_NEWNEIGH, AF_INET, 5, NUD_FAILED, 0, v4, 4, mac, 6), &m), 1);
	assert_false(m.usable);
	assert_int_equal(tun_neigh_parse(neigh_msg(buf, RTM_NEWNEIGH, AF_INET, 5, NUD_NOARP, 0, v4, 4, zero, 6), &m), 1);
	assert_false(m.usable);
	assert_int_equal(tun_neigh_parse(neigh_msg(buf, RTM_DELNEIGH, AF_INET, 5, NUD_REACHABLE, 0, v4, 4, mac, 6), &m), 1);
	assert_true(m.del);
	assert_false(m.usable);
	/* Another family (bridge fdb), a proxy entry: ignored. */
	assert_int_equal(tun_neigh_parse(neigh_msg(buf, RTM_NEWNEIGH, AF_BRIDGE, 5, NUD_REACHABLE, 0, NULL, 0, mac, 6), &m), 0);
	assert_int_equal(tun_neigh_parse(neigh_msg(buf, RTM_NEWNEIGH, AF_INET, 5, NUD_REACHABLE, NTF_PROXY, v4, 4, NULL, 0), &m),
			 0);
	/* Malformed: no destination, or one of the wrong size for its family. */
	assert_int_equal(tun_neigh_parse(neigh_msg(buf, RTM_NEWNEIGH, AF_INET, 5, NUD_REACHABLE, 0, NULL, 0, mac, 6), &m),
			 -EBADMSG);
	assert_non_null(strstr(xnl_errmsg(), "no NDA_DST"));
	assert_int_equal(tun_neigh_parse(neigh_msg(buf, RTM_NEWNEIGH, AF_INET, 5, NUD_REACHABLE, 0, v6, 16, mac, 6), &m),
			 -EBADMSG);
	assert_non_null(strstr(xnl_errmsg(), "NDA_DST of 16 bytes for IPv4"));
	/* A truncated message: the header claims more than there is. */
	{
		struct nlmsghdr *nlh = neigh_msg(buf, RTM_NEWNEIGH, AF_INET, 5, NUD_REACHABLE, 0, v4, 4, mac, 6);

		nlh->nlmsg_len = sizeof(*nlh) + 4;
		assert_int_equal(tun_neigh_parse(nlh, &m), -EBADMSG);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_get_del), cmocka_unit_test(test_churn_agrees),
		cmocka_unit_test(test_full),	    cmocka_unit_test(test_reader_during_churn),
		cmocka_unit_test(test_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
