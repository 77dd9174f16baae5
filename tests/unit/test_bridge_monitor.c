// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * The link monitor's state machine: which RTM_NEWLINK / RTM_DELLINK sequences
 * become which events.  The monitor is opened for real (no privileges needed:
 * it only listens), then fed canned messages for ifindexes no namespace has, so
 * the host's own links never matter.  The kernel side is in
 * tests/integ/it_bridge_list.c.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <net/if.h>
#include <linux/if_arp.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "xnl.h"

#define IDX 1000001	/* far beyond any real ifindex */

struct seen {
	int n;
	enum xnl_link_event ev[16];
	struct xnl_link link[16];
};

static void record(enum xnl_link_event ev, const struct xnl_link *l, void *ctx)
{
	struct seen *s = ctx;

	if (s->n < 16) {
		s->ev[s->n] = ev;
		s->link[s->n] = *l;
	}
	s->n++;
}

struct fixture {
	struct xnl_monitor *m;
	struct seen seen;
	char buf[4096] __attribute__((aligned(8)));
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	if (xnl_monitor_open(&f->m, record, &f->seen)) {
		print_message("cannot open a link monitor here: %s\n", xnl_errmsg());
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	xnl_monitor_close(f->m);
	free(f);
	return 0;
}

/* A link message as the kernel sends it to RTNLGRP_LINK. */
static const struct nlmsghdr *link_msg(struct fixture *f, uint16_t type, uint8_t family, int ifindex, const char *name,
				       unsigned int flags, uint8_t oper, uint32_t mtu, uint32_t prog)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(f->buf);
	struct ifinfomsg *ifi;
	struct nlattr *nest;

	nlh->nlmsg_type = type;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = family;
	ifi->ifi_type = ARPHRD_ETHER;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = flags;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put_u8(nlh, IFLA_OPERSTATE, oper);
	mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	nest = mnl_attr_nest_start(nlh, IFLA_XDP);
	mnl_attr_put_u8(nlh, IFLA_XDP_ATTACHED, prog ? XDP_ATTACHED_SKB : XDP_ATTACHED_NONE);
	if (prog)
		mnl_attr_put_u32(nlh, IFLA_XDP_PROG_ID, prog);
	mnl_attr_nest_end(nlh, nest);
	return nlh;
}

#define UP_FLAGS (IFF_UP | IFF_RUNNING | IFF_LOWER_UP)

/* Feed one message; it must produce exactly the events listed (-1 terminated). */
static void expect(struct fixture *f, const struct nlmsghdr *nlh, const int *events)
{
	int i, n, ret;

	f->seen.n = 0;
	ret = xnl__monitor_msg(f->m, nlh);
	for (n = 0; events[n] >= 0; n++)
		;
	if (ret != n || f->seen.n != n)
		fail_msg("expected %d events, got %d (returned %d: %s)", n, f->seen.n, ret, ret < 0 ? xnl_errmsg() : "");
	for (i = 0; i < n; i++)
		if ((int)f->seen.ev[i] != events[i])
			fail_msg("event %d: expected %s, got %s", i, xnl_link_event_name(events[i]),
				 xnl_link_event_name(f->seen.ev[i]));
}

static const int none[] = { -1 };
static const int ev_new[] = { XNL_LINK_NEW, -1 };
static const int ev_new_up[] = { XNL_LINK_NEW, XNL_LINK_UP, -1 };
static const int ev_up[] = { XNL_LINK_UP, -1 };
static const int ev_down[] = { XNL_LINK_DOWN, -1 };
static const int ev_changed[] = { XNL_LINK_CHANGED, -1 };
static const int ev_changed_down[] = { XNL_LINK_CHANGED, XNL_LINK_DOWN, -1 };
static const int ev_gone[] = { XNL_LINK_GONE, -1 };

/* Created down, brought up, carrier lost (the peer went down), deleted. */
static void test_monitor_lifecycle(void **state)
{
	struct fixture *f = *state;

	expect(f, link_msg(f, RTM_NEWLINK, AF_UNSPEC, IDX, "va", 0, IF_OPER_DOWN, 1500, 0), ev_new);
	assert_non_null(xnl_monitor_link(f->m, IDX));
	assert_string_equal(xnl_monitor_link(f->m, IDX)->name, "va");
	/* Admin up, no carrier yet: not usable, no event. */
	expect(f, link_msg(f, RTM_NEWLINK, AF_UNSPEC, IDX, "va", IFF_UP, IF_OPER_LOWERLAYERDOWN, 1500, 0), none);
	expect(f, link_msg(f, RTM_NEWLINK, AF_UNSPEC, IDX, "va", UP_FLAGS, IF_OPER_UP, 1500, 0), ev_up);
	/* The same state again (a statistics or address change): nothing. */
	expect(f, link_msg(f, RTM_NEWLINK, AF_UNSPEC, IDX, "va", UP_FLAGS | IFF_PROMISC, IF_OPER_UP, 1500, 0), none);
	expect(f, link_msg(f, RTM_NEWLINK, AF_UNSPEC, IDX, "va", IFF_UP, IF_OPER_LOWERLAYERDOWN, 1500, 0), ev_down);
	expect(f, link_msg(f, RTM_DELLINK, AF_UNSPEC, IDX, "va", 0, IF_OPER_DOWN, 1500, 0), ev_gone);
	assert_string_equal(f->seen.link[0].name, "va");
	assert_null(xnl_monitor_link(f->m, IDX));
	/* A second RTM_DELLINK of a link we no longer know: nothing. */
	expect(f, link_msg(f, RTM_DELLINK, AF_UNSPEC, IDX, "va", 0, IF_OPER_DOWN, 1500, 0), none);
}

/* A link that appears already usable (moved in, or created and raised at once). */
static void test_monitor_new_and_up(void **state)
{
	struct fixture *f = *state;

	expect(f, link_msg(f, RTM_NEWLINK, AF_UNSPEC, IDX + 1, "vb", UP_FLAGS, IF_OPER_UP, 1500, 0), ev_new_up);
	assert_true(xnl_link_usable(&f->seen.link[1]));
	expect(f, link_msg(f, RTM_DELLINK, AF_UNSPEC, IDX + 1, "vb", 0, IF_OPER_DOWN, 1500, 0), ev_gone);
}

/* MTU, name and XDP program changes are CHANGED; with a state change both come, CHANGED first. */
static void test_monitor_changed(void **state)
{
	struct fixture *f = *state;

	expect(f, link_msg(f, RTM_NEWLINK, AF_UNSPEC, IDX + 2, "vc", UP_FLAGS, IF_OPER_UP, 1500, 0), ev_new_up);
	expect(f, link_msg(f, RTM_NEWLINK, AF_UNSPEC, IDX + 2, "vc", UP_FLAGS, IF_OPER_UP, 9000, 0), ev_changed);
	assert_int_equal(f->seen.link[0].mtu, 9000);
	expect(f, link_msg(f, RTM_NEWLINK, AF_UNSPEC, IDX + 2, "vc2", UP_FLAGS, IF_OPER_UP, 9000, 0), ev_changed);
	expect(f, link_msg(f, RTM_NEWLINK, AF_UNSPEC, IDX + 2, "vc2", UP_FLAGS, IF_OPER_UP, 9000, 57), ev_changed);
	assert_int_equal(f->seen.link[0].xdp.prog_id, 57);
	expect(f, link_msg(f, RTM_NEWLINK, AF_UNSPEC, IDX + 2, "vc2", 0, IF_OPER_DOWN, 1500, 57), ev_changed_down);
	expect(f, link_msg(f, RTM_DELLINK, AF_UNSPEC, IDX + 2, "vc2", 0, IF_OPER_DOWN, 1500, 57), ev_gone);
}

/*
 * A link moved to another namespace: the kernel sends RTM_DELLINK, as for a deletion, plus where it
 * went (IFLA_NEW_NETNSID, IFLA_NEW_IFINDEX).  GONE carries that, and the program it took along.
 */
static void test_monitor_moved(void **state)
{
	struct fixture *f = *state;
	struct nlmsghdr *nlh;

	expect(f, link_msg(f, RTM_NEWLINK, AF_UNSPEC, IDX + 5, "vf", UP_FLAGS, IF_OPER_UP, 1500, 77), ev_new_up);
	nlh = (struct nlmsghdr *)link_msg(f, RTM_DELLINK, AF_UNSPEC, IDX + 5, "vf", 0, IF_OPER_DOWN, 1500, 77);
	mnl_attr_put_u32(nlh, IFLA_NEW_NETNSID, 3);
	mnl_attr_put_u32(nlh, IFLA_NEW_IFINDEX, 42);
	expect(f, nlh, ev_gone);
	assert_true(f->seen.link[0].moved);
	assert_int_equal(f->seen.link[0].new_netnsid, 3);
	assert_int_equal(f->seen.link[0].new_ifindex, 42);
	assert_int_equal(f->seen.link[0].xdp.prog_id, 77);
	assert_int_equal(f->seen.link[0].xdp.attached, XDP_ATTACHED_SKB);
	assert_null(xnl_monitor_link(f->m, IDX + 5));
	/* Deleted: no such attribute, not moved. */
	expect(f, link_msg(f, RTM_NEWLINK, AF_UNSPEC, IDX + 5, "vf", UP_FLAGS, IF_OPER_UP, 1500, 0), ev_new_up);
	expect(f, link_msg(f, RTM_DELLINK, AF_UNSPEC, IDX + 5, "vf", 0, IF_OPER_DOWN, 1500, 0), ev_gone);
	assert_false(f->seen.link[0].moved);
	assert_int_equal(f->seen.link[0].new_netnsid, -1);
	/* Moved where the kernel could not number the namespace (-1): moved all the same. */
	expect(f, link_msg(f, RTM_NEWLINK, AF_UNSPEC, IDX + 5, "vf", UP_FLAGS, IF_OPER_UP, 1500, 0), ev_new_up);
	nlh = (struct nlmsghdr *)link_msg(f, RTM_DELLINK, AF_UNSPEC, IDX + 5, "vf", 0, IF_OPER_DOWN, 1500, 0);
	mnl_attr_put_u32(nlh, IFLA_NEW_NETNSID, (uint32_t)-1);
	expect(f, nlh, ev_gone);
	assert_true(f->seen.link[0].moved);
	assert_int_equal(f->seen.link[0].new_netnsid, -1);
	assert_int_equal(f->seen.link[0].new_ifindex, 0);
}

/* AF_BRIDGE messages share the group: a bridge port's RTM_DELLINK is not a deletion. */
static void test_monitor_bridge_family_ignored(void **state)
{
	struct fixture *f = *state;

	expect(f, link_msg(f, RTM_NEWLINK, AF_UNSPEC, IDX + 3, "vd", UP_FLAGS, IF_OPER_UP, 1500, 0), ev_new_up);
	expect(f, link_msg(f, RTM_DELLINK, AF_BRIDGE, IDX + 3, "vd", UP_FLAGS, IF_OPER_UP, 1500, 0), none);
	assert_non_null(xnl_monitor_link(f->m, IDX + 3));
	expect(f, link_msg(f, RTM_DELLINK, AF_UNSPEC, IDX + 3, "vd", 0, IF_OPER_DOWN, 1500, 0), ev_gone);
}

/* A malformed event is an error with a message; the table is untouched. */
static void test_monitor_malformed(void **state)
{
	struct fixture *f = *state;
	struct nlmsghdr *nlh = (struct nlmsghdr *)link_msg(f, RTM_NEWLINK, AF_UNSPEC, IDX + 4, "ve", UP_FLAGS,
							   IF_OPER_UP, 1500, 0);
	struct nlattr *a = mnl_nlmsg_get_payload_tail(nlh);

	mnl_attr_put_u32(nlh, IFLA_GROUP, 0);
	a->nla_len = 64;
	f->seen.n = 0;
	assert_int_equal(xnl__monitor_msg(f->m, nlh), -EBADMSG);
	assert_int_equal(f->seen.n, 0);
	assert_null(xnl_monitor_link(f->m, IDX + 4));
	if (!strstr(xnl_errmsg(), "claims 64 bytes"))
		fail_msg("message: %s", xnl_errmsg());
}

/* The real links of this namespace were read at open, and a dispatch with nothing queued is 0 events. */
static void test_monitor_knows_loopback(void **state)
{
	struct fixture *f = *state;
	int lo = (int)if_nametoindex("lo");

	if (lo > 0)
		assert_non_null(xnl_monitor_link(f->m, lo));
	assert_true(xnl_monitor_fd(f->m) >= 0);
	assert_true(xnl_monitor_dispatch(f->m) >= 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_monitor_lifecycle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_monitor_new_and_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_monitor_changed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_monitor_moved, setup, teardown),
		cmocka_unit_test_setup_teardown(test_monitor_bridge_family_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_monitor_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_monitor_knows_loopback, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
