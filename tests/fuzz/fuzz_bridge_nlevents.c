// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * libFuzzer target for the netlink events xdpbridge acts on while it runs: one input is one
 * datagram from RTNLGRP_NEIGH or RTNLGRP_LINK (written by the kernel, or by anyone who can send
 * to the socket), walked by xnl_msgs_parse(), every message handed to both consumers:
 *
 *   tun_neigh_parse()   RTM_NEWNEIGH / RTM_DELNEIGH: 1, 0 (to ignore) or -EBADMSG with a
 *                       sentence; the address and MAC are the last NDA_DST / NDA_LLADDR (found
 *                       here by a walk of our own); "usable" as tun.h defines it.  Then applied
 *                       as tun_neigh.c applies it to the table the workers read (put or delete),
 *                       which must agree with a plain list after every step and in the end
 *   the link monitor    RTM_NEWLINK / RTM_DELLINK (xnl__monitor_msg): exactly the events a
 *                       model of monitor.c's promise predicts (NEW, UP, DOWN, CHANGED, GONE),
 *                       with the link's state, and the monitor's table agrees with the model.
 *                       Ifindexes are moved to 2^30 and up, so the host's own links (the
 *                       monitor read them at start) never mix in; every link an input made is
 *                       deleted again at its end (and must say GONE), so inputs are independent
 *
 * The monitor opens a real rtnetlink socket (no privileges: it only listens); where none can be
 * opened, only the neighbour half runs.
 * Seeds: tests/fuzz/corpus/fuzz_bridge_nlevents/ (tests/fuzz/mkseeds.py): neighbour events of
 * both families and states, link events with and without IFLA_XDP and IFLA_LINKINFO.
 */
#include <errno.h>
#include <net/if.h>
#include <sys/socket.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "fuzz.h"
#include "tun.h"
#include "xnl.h"

#define NUD_USABLE (NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE | NUD_PROBE | NUD_STALE | NUD_DELAY)
#define MAX_NEIGH (TUN_NEIGH_SLOTS / 4 * 3)	/* tun_neigh.c's MAX_USED */
#define MODEL_LINKS 512
#define MAX_EVENTS 8
#define IDX_BASE 0x40000000

/* ---- neighbours ---- */

struct nentry {
	int family;
	uint8_t addr[16], mac[6];
};

static struct tun_neigh_table *table;
static struct nentry nmodel[MAX_NEIGH];
static unsigned int nn;

static int nfind(int family, const uint8_t *addr)
{
	unsigned int i;

	for (i = 0; i < nn; i++)
		if (nmodel[i].family == family && !memcmp(nmodel[i].addr, addr, family == 4 ? 4 : 16))
			return (int)i;
	return -1;
}

static void ncheck(int family, const uint8_t *addr)
{
	int i = nfind(family, addr);
	uint8_t mac[6];
	uint32_t seq;

	assert_int_equal(tun_neigh_table_get(table, family, addr, mac, &seq), i >= 0);
	if (i >= 0)
		assert_memory_equal(mac, nmodel[i].mac, 6);
}

/* The last attribute of @type after the ndmsg, by a walk of our own; NULL when none. */
static const struct nlattr *last_attr(const struct nlmsghdr *nlh, uint16_t type)
{
	const uint8_t *p = (const uint8_t *)nlh + NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct ndmsg));
	const uint8_t *end = (const uint8_t *)nlh + nlh->nlmsg_len;
	const struct nlattr *found = NULL;

	while (p + sizeof(struct nlattr) <= end) {
		const struct nlattr *a = (const struct nlattr *)p;

		if (a->nla_len < sizeof(*a) || a->nla_len > end - p)
			break;
		if ((a->nla_type & NLA_TYPE_MASK) == type)
			found = a;
		p += NLA_ALIGN(a->nla_len);
	}
	return found;
}

static void neigh_msg(const struct nlmsghdr *nlh)
{
	struct tun_neigh_msg m;
	const struct nlattr *a;
	int r = tun_neigh_parse(nlh, &m), i;

	assert_true(r == 1 || r == 0 || r == -EBADMSG);
	if (r == -EBADMSG)
		assert_true(strstr(xnl_errmsg(), "NEIGH") != NULL);
	if (r != 1)
		return;
	assert_true(nlh->nlmsg_type == RTM_NEWNEIGH || nlh->nlmsg_type == RTM_DELNEIGH);
	assert_true(m.family == 4 || m.family == 6);
	assert_int_equal(m.del, nlh->nlmsg_type == RTM_DELNEIGH);
	a = last_attr(nlh, NDA_DST);
	assert_non_null(a);
	assert_int_equal(a->nla_len - NLA_HDRLEN, m.family == 4 ? 4 : 16);
	assert_memory_equal(m.addr, (const uint8_t *)a + NLA_HDRLEN, m.family == 4 ? 4 : 16);
	a = last_attr(nlh, NDA_LLADDR);
	if (a && a->nla_len - NLA_HDRLEN == 6) {
		assert_memory_equal(m.mac, (const uint8_t *)a + NLA_HDRLEN, 6);
		assert_int_equal(m.have_mac, !!memcmp(m.mac, "\0\0\0\0\0\0", 6));
	} else {
		assert_false(m.have_mac);
	}
	assert_int_equal(m.usable, !m.del && m.have_mac && (m.state & NUD_USABLE));

	/* As tun_neigh.c's apply(): usable entries are put, every other one deleted. */
	i = nfind(m.family, m.addr);
	if (m.usable) {
		r = tun_neigh_table_put(table, m.family, m.addr, m.mac);
		if (i < 0 && nn == MAX_NEIGH) {
			assert_int_equal(r, -ENOSPC);
		} else {
			assert_int_equal(r, 0);
			if (i < 0) {
				i = (int)nn++;
				nmodel[i].family = m.family;
				memset(nmodel[i].addr, 0, 16);
				memcpy(nmodel[i].addr, m.addr, m.family == 4 ? 4 : 16);
			}
			memcpy(nmodel[i].mac, m.mac, 6);
		}
	} else {
		assert_int_equal(tun_neigh_table_del(table, m.family, m.addr), i >= 0);
		if (i >= 0)
			nmodel[i] = nmodel[--nn];
	}
	ncheck(m.family, m.addr);
	assert_int_equal(table->used, nn);
}

/* ---- links ---- */

struct event {
	enum xnl_link_event ev;
	struct xnl_link l;
};

static struct xnl_monitor *mon;
static struct event seen[MAX_EVENTS], want[MAX_EVENTS];
static unsigned int nseen, nwant;
static struct xnl_link lmodel[MODEL_LINKS];
static unsigned int nl;

static void record(enum xnl_link_event ev, const struct xnl_link *l, void *ctx)
{
	(void)ctx;
	assert_true(nseen < MAX_EVENTS);
	seen[nseen].ev = ev;
	seen[nseen++].l = *l;
}

static void expect_ev(enum xnl_link_event ev, const struct xnl_link *l)
{
	assert_true(nwant < MAX_EVENTS);
	want[nwant].ev = ev;
	want[nwant++].l = *l;
}

static bool link_eq(const struct xnl_link *a, const struct xnl_link *b)
{
	return a->ifindex == b->ifindex && !strcmp(a->name, b->name) && !strcmp(a->kind, b->kind) &&
	       a->mac_len == b->mac_len && !memcmp(a->mac, b->mac, a->mac_len) && a->mtu == b->mtu &&
	       a->operstate == b->operstate && a->flags == b->flags && a->type == b->type &&
	       a->num_rx_queues == b->num_rx_queues && a->num_tx_queues == b->num_tx_queues && a->link == b->link &&
	       a->link_netnsid == b->link_netnsid && !memcmp(&a->xdp, &b->xdp, sizeof(a->xdp));
}

/* What xnl.h calls a change: name, MTU, MAC, kind or XDP program. */
static bool link_changed(const struct xnl_link *a, const struct xnl_link *b)
{
	return strcmp(a->name, b->name) || a->mtu != b->mtu || a->mac_len != b->mac_len ||
	       memcmp(a->mac, b->mac, a->mac_len) || strcmp(a->kind, b->kind) ||
	       memcmp(&a->xdp, &b->xdp, sizeof(a->xdp));
}

static int lfind(int ifindex)
{
	unsigned int i;

	for (i = 0; i < nl; i++)
		if (lmodel[i].ifindex == ifindex)
			return (int)i;
	return -1;
}

static void lcheck(int ifindex)
{
	const struct xnl_link *l = xnl_monitor_link(mon, ifindex);
	int i = lfind(ifindex);

	assert_int_equal(l != NULL, i >= 0);
	if (l && !link_eq(l, &lmodel[i]))
		fail_msg("the monitor's state of ifindex %d is not the last message's", ifindex);
}

/* One message into the monitor: exactly the events the model predicts. */
static void link_feed(const struct nlmsghdr *nlh)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(nlh);
	bool ours = nlh->nlmsg_type == RTM_NEWLINK || nlh->nlmsg_type == RTM_DELLINK;
	struct xnl_link l;
	unsigned int k;
	int r, pr = -1, i = -1;

	nseen = nwant = 0;
	if (ours && nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(*ifi) && ifi->ifi_family != AF_UNSPEC)
		ours = false;	/* a bridge port's: not about the link */
	if (ours) {
		pr = xnl_link_parse(nlh, &l);
		i = pr ? -1 : lfind(l.ifindex);
	}
	if (ours && !pr && nlh->nlmsg_type == RTM_DELLINK) {
		if (i >= 0) {
			/* GONE carries the RTM_DELLINK's own view: it says whether the link moved, and where. */
			expect_ev(XNL_LINK_GONE, &l);
			lmodel[i] = lmodel[--nl];
		}
	} else if (ours && !pr) {
		if (i < 0) {
			assert_true(nl < MODEL_LINKS);
			lmodel[nl++] = l;
			expect_ev(XNL_LINK_NEW, &l);
			if (xnl_link_usable(&l))
				expect_ev(XNL_LINK_UP, &l);
		} else {
			if (link_changed(&lmodel[i], &l))
				expect_ev(XNL_LINK_CHANGED, &l);
			if (xnl_link_usable(&lmodel[i]) != xnl_link_usable(&l))
				expect_ev(xnl_link_usable(&l) ? XNL_LINK_UP : XNL_LINK_DOWN, &l);
			lmodel[i] = l;
		}
	}
	r = xnl__monitor_msg(mon, nlh);
	assert_int_equal(r, ours && pr ? pr : (int)nwant);
	assert_int_equal(nseen, nwant);
	for (k = 0; k < nwant; k++) {
		assert_int_equal(seen[k].ev, want[k].ev);
		if (!link_eq(&seen[k].l, &want[k].l))
			fail_msg("event %u (%s) carries another state of ifindex %d", k, xnl_link_event_name(seen[k].ev),
				 want[k].l.ifindex);
	}
	if (ours && !pr)
		lcheck(l.ifindex);
}

/* The input's links deleted again: each says GONE, and the monitor is as it was opened. */
static void links_forget(void)
{
	char buf[256] __attribute__((aligned(NLMSG_ALIGNTO)));

	while (nl) {
		struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
		struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
		int idx = lmodel[nl - 1].ifindex;

		nlh->nlmsg_type = RTM_DELLINK;
		ifi->ifi_index = idx;
		mnl_attr_put_strz(nlh, IFLA_IFNAME, "gone");
		link_feed(nlh);
		assert_int_equal(nseen, 1);
		assert_true(xnl_monitor_link(mon, idx) == NULL);
	}
}

static int each_msg(const struct nlmsghdr *cnlh, void *data)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)cnlh;	/* in our own copy of the input */
	struct ifinfomsg *ifi = NLMSG_DATA(nlh);

	(void)data;
	neigh_msg(nlh);
	if (!mon)
		return 0;
	/* Far from the host's links, which the monitor knows since it was opened. */
	if ((nlh->nlmsg_type == RTM_NEWLINK || nlh->nlmsg_type == RTM_DELLINK) &&
	    nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(*ifi) && ifi->ifi_index > 0)
		ifi->ifi_index = IDX_BASE | (ifi->ifi_index & (IDX_BASE - 1));
	link_feed(nlh);
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	table = calloc(1, sizeof(*table));
	assert_non_null(table);
	if (xnl_monitor_open(&mon, record, NULL))
		fprintf(stderr, "fuzz_bridge_nlevents: no link monitor here (%s): neighbour messages only\n",
			xnl_errmsg());
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in rd = { data, size };
	unsigned int i;
	size_t len;
	uint8_t *buf;

	if (size > XNL_BUF_SIZE)
		return 0;
	buf = fz_rest(&rd, &len);	/* malloc's alignment, as the kernel's datagrams */
	tun_neigh_table_clear(table);
	nn = 0;
	xnl_msgs_parse(buf, len, 0, 0, each_msg, NULL);
	for (i = 0; i < nn; i++)
		ncheck(nmodel[i].family, nmodel[i].addr);
	if (mon)
		links_forget();
	free(buf);
	return 0;
}
