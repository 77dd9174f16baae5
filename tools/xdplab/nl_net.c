// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * rtnetlink for what a lab puts on and inside its links: bridges and their ports, routes, static
 * neighbours, queueing disciplines (see nl.h).  Builders do no I/O, so that unit tests can read
 * the messages; requests go through the node's socket (struct xl_nl).
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/neighbour.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/nexthop.h>
#include <netlink/route/qdisc/netem.h>
#include <netlink/route/qdisc/tbf.h>
#include <netlink/route/tc.h>

#include "lab.h"
#include "nl.h"

#define TBF_LATENCY_US 50000	/* how long a frame may wait in tbf's queue: its limit in bytes follows */

struct rtnl_link *xl_nl_bridge(const struct xl_lab *lab, int i)
{
	const struct xl_iface *f = &lab->ifaces[i];
	struct rtnl_link *link = rtnl_link_bridge_alloc();

	if (!link)
		return NULL;
	rtnl_link_set_name(link, f->name);
	if (f->mtu)
		rtnl_link_set_mtu(link, f->mtu);
	if (f->has_mac) {
		struct nl_addr *mac = nl_addr_build(AF_LLC, f->mac, 6);

		if (!mac) {
			rtnl_link_put(link);
			return NULL;
		}
		rtnl_link_set_addr(link, mac);
		nl_addr_put(mac);
	}
	return link;
}

static struct nl_addr *ip_addr(int family, const uint8_t *bytes, int prefix)
{
	struct nl_addr *a = nl_addr_build(family, bytes, family == AF_INET ? 4 : 16);

	if (a)
		nl_addr_set_prefixlen(a, prefix);
	return a;
}

struct rtnl_route *xl_nl_route(const struct xl_route *r, int ifindex)
{
	struct rtnl_route *route = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	struct nl_addr *dst = ip_addr(r->family, r->dst, r->prefix), *gw = NULL;

	if (!route || !nh || !dst || (r->has_via && !(gw = ip_addr(r->family, r->via, r->family == AF_INET ? 32 : 128))))
		goto err;
	rtnl_route_set_family(route, (uint8_t)r->family);
	rtnl_route_set_table(route, RT_TABLE_MAIN);
	rtnl_route_set_protocol(route, RTPROT_STATIC);
	rtnl_route_set_type(route, RTN_UNICAST);
	/* As ip route picks it: a next hop on the link itself is in reach of the link alone. */
	rtnl_route_set_scope(route, r->has_via ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK);
	if (rtnl_route_set_dst(route, dst))
		goto err;
	if (ifindex > 0)
		rtnl_route_nh_set_ifindex(nh, ifindex);
	if (gw)
		rtnl_route_nh_set_gateway(nh, gw);
	rtnl_route_add_nexthop(route, nh);	/* the route owns it from here */
	nh = NULL;
	nl_addr_put(dst);
	nl_addr_put(gw);
	return route;
err:
	nl_addr_put(gw);
	nl_addr_put(dst);
	if (nh)
		rtnl_route_nh_free(nh);
	if (route)
		rtnl_route_put(route);
	return NULL;
}

struct rtnl_neigh *xl_nl_neigh(const struct xl_neigh *n, int ifindex)
{
	struct rtnl_neigh *neigh = rtnl_neigh_alloc();
	struct nl_addr *dst = ip_addr(n->family, n->addr, n->family == AF_INET ? 32 : 128);
	struct nl_addr *mac = nl_addr_build(AF_LLC, n->mac, 6);

	if (!neigh || !dst || !mac || rtnl_neigh_set_dst(neigh, dst)) {
		if (neigh)
			rtnl_neigh_put(neigh);
		neigh = NULL;
	} else {
		rtnl_neigh_set_ifindex(neigh, ifindex);
		rtnl_neigh_set_lladdr(neigh, mac);
		rtnl_neigh_set_state(neigh, NUD_PERMANENT);
	}
	nl_addr_put(dst);
	nl_addr_put(mac);
	return neigh;
}

static struct rtnl_qdisc *qdisc_alloc(const char *kind, int ifindex, uint32_t parent, uint32_t handle)
{
	struct rtnl_qdisc *q = rtnl_qdisc_alloc();

	if (!q)
		return NULL;
	rtnl_tc_set_ifindex(TC_CAST(q), ifindex);
	rtnl_tc_set_parent(TC_CAST(q), parent);
	rtnl_tc_set_handle(TC_CAST(q), handle);
	if (rtnl_tc_set_kind(TC_CAST(q), kind)) {
		rtnl_qdisc_put(q);
		return NULL;
	}
	return q;
}

int xl_nl_qdisc(const struct xl_lab *lab, int i, int ifindex, struct rtnl_qdisc **root, struct rtnl_qdisc **child)
{
	const struct xl_iface *f = &lab->ifaces[i];
	bool netem = f->delay_us || f->loss_ppm;
	struct rtnl_qdisc *tbf = NULL, *nq = NULL;

	*root = *child = NULL;
	if (netem) {
		nq = qdisc_alloc("netem", ifindex, TC_H_ROOT, TC_HANDLE(1, 0));
		if (!nq)
			return -ENOMEM;
		rtnl_netem_set_limit(nq, 1000);
		if (f->delay_us)
			rtnl_netem_set_delay(nq, (int)f->delay_us);
		/* netem's probability is a fraction of 2^32 - 1, which libnl carries in an int. */
		if (f->loss_ppm)
			rtnl_netem_set_loss(nq, (int)(uint32_t)((uint64_t)f->loss_ppm * UINT32_MAX / 1000000));
	}
	if (f->rate) {
		uint32_t frame = xl_lab_mtu(lab, i) + 14, bytes = (uint32_t)(f->rate / 8);
		/* Default bucket: 10 ms at the rate, and never less than two frames. */
		uint32_t bucket = f->burst ? f->burst : bytes / 100 > 2 * frame ? bytes / 100 : 2 * frame;

		tbf = netem ? qdisc_alloc("tbf", ifindex, TC_HANDLE(1, 1), TC_HANDLE(10, 0))
			    : qdisc_alloc("tbf", ifindex, TC_H_ROOT, TC_HANDLE(1, 0));
		if (!tbf) {
			if (nq)
				rtnl_qdisc_put(nq);
			return -ENOMEM;
		}
		rtnl_tc_set_mtu(TC_CAST(tbf), frame);
		rtnl_qdisc_tbf_set_rate(tbf, (int)bytes, (int)bucket, 0);
		if (rtnl_qdisc_tbf_set_limit_by_latency(tbf, TBF_LATENCY_US)) {
			rtnl_qdisc_put(tbf);
			if (nq)
				rtnl_qdisc_put(nq);
			return -ENOMEM;
		}
	}
	*root = nq ? nq : tbf;
	*child = nq ? tbf : NULL;
	return 0;
}

/* ---- requests ----------------------------------------------------------------------------------- */

/* RTM_NEWLINK on an existing link: @set fills in the one attribute that changes. */
static int link_change(struct xl_nl *nl, int ifindex, void (*set)(struct rtnl_link *, unsigned int), unsigned int v)
{
	struct rtnl_link *orig = rtnl_link_alloc(), *change = rtnl_link_alloc();
	int err = -ENOMEM;

	if (orig && change) {
		rtnl_link_set_ifindex(orig, ifindex);
		set(change, v);
		xl_nl_reset(nl);
		err = xl_nl_result(nl, rtnl_link_change(nl->sk, orig, change, 0));
	} else {
		xl_fail(err, "out of memory");
	}
	rtnl_link_put(orig);
	rtnl_link_put(change);
	return err;
}

static void set_master(struct rtnl_link *l, unsigned int master)
{
	rtnl_link_set_master(l, (int)master);
}

int xl_nl_link_master(struct xl_nl *nl, int ifindex, int master)
{
	return link_change(nl, ifindex, set_master, (unsigned int)master);
}

int xl_nl_link_mtu(struct xl_nl *nl, int ifindex, unsigned int mtu)
{
	return link_change(nl, ifindex, rtnl_link_set_mtu, mtu);
}

int xl_nl_route_add(struct xl_nl *nl, struct rtnl_route *route)
{
	xl_nl_reset(nl);
	return xl_nl_result(nl, rtnl_route_add(nl->sk, route, NLM_F_CREATE | NLM_F_EXCL));
}

int xl_nl_neigh_add(struct xl_nl *nl, struct rtnl_neigh *neigh)
{
	xl_nl_reset(nl);
	return xl_nl_result(nl, rtnl_neigh_add(nl->sk, neigh, NLM_F_CREATE | NLM_F_EXCL));
}

int xl_nl_qdisc_add(struct xl_nl *nl, struct rtnl_qdisc *qdisc)
{
	xl_nl_reset(nl);
	return xl_nl_result(nl, rtnl_qdisc_add(nl->sk, qdisc, NLM_F_CREATE | NLM_F_EXCL));
}
