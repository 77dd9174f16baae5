// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * The netlink requests for what `xdplab up` puts on and inside the links, built from a parsed lab
 * and read back attribute by attribute, without root: routes (a default route is a zero-length
 * prefix, a gateway and an output interface where given, main table, protocol static), permanent
 * neighbours, bridges, and the queueing disciplines (tbf alone; netem with tbf as its child).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <netlink/route/qdisc/netem.h>
#include <cmocka.h>

#include "lab.h"
#include "nl.h"

static struct xl_lab *lab;

static const char text[] =
	"lab t\n"
	"node a b\n"
	"veth a:va b:vb\n"
	"veth a:p1 a:p2 mtu 9000\n"
	"bridge a:br0 ports p1 p2\n"
	"iface a:br0 mac 02:00:00:00:00:0b\n"
	"iface a:va addr 198.18.1.1/24 addr 2001:2:0:1::1/64 rate 80mbit\n"
	"iface b:vb rate 10mbit burst 32k delay 5ms loss 1%\n"
	"route a default via 198.18.1.2\n"
	"route a 2001:2:0:2::/64 via 2001:2:0:1::2 dev va\n"
	"route a 198.18.3.0/24 dev va\n"
	"neigh a:va 198.18.1.9 02:00:00:00:00:09\n";

static int setup(void **state)
{
	(void)state;
	lab = malloc(sizeof(*lab));
	if (!lab || xl_parse(lab, "t.lab", text, strlen(text)))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(lab);
	return 0;
}

static uint32_t u32(const struct nlattr *a)
{
	assert_non_null(a);
	assert_int_equal(nla_len(a), 4);
	return nla_get_u32((struct nlattr *)a);
}

static void test_default_route(void **state)
{
	struct nlattr *tb[RTA_MAX + 1];
	struct rtnl_route *route;
	struct nl_msg *msg = NULL;
	struct rtmsg *rtm;
	uint8_t gw[4];

	(void)state;
	route = xl_nl_route(&lab->routes[0], 0);
	assert_non_null(route);
	assert_int_equal(rtnl_route_build_add_request(route, NLM_F_CREATE | NLM_F_EXCL, &msg), 0);
	assert_int_equal(nlmsg_hdr(msg)->nlmsg_type, RTM_NEWROUTE);
	assert_int_equal(nlmsg_hdr(msg)->nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL), NLM_F_CREATE | NLM_F_EXCL);
	rtm = nlmsg_data(nlmsg_hdr(msg));
	assert_int_equal(rtm->rtm_family, AF_INET);
	assert_int_equal(rtm->rtm_dst_len, 0);		/* the default route */
	assert_int_equal(rtm->rtm_table, RT_TABLE_MAIN);
	assert_int_equal(rtm->rtm_protocol, RTPROT_STATIC);
	assert_int_equal(rtm->rtm_scope, RT_SCOPE_UNIVERSE);
	assert_int_equal(rtm->rtm_type, RTN_UNICAST);
	assert_int_equal(nlmsg_parse(nlmsg_hdr(msg), sizeof(*rtm), tb, RTA_MAX, NULL), 0);
	assert_non_null(tb[RTA_GATEWAY]);
	inet_pton(AF_INET, "198.18.1.2", gw);
	assert_int_equal(nla_len(tb[RTA_GATEWAY]), 4);
	assert_memory_equal(nla_data(tb[RTA_GATEWAY]), gw, 4);
	assert_null(tb[RTA_OIF]);	/* the kernel finds the link from the gateway */
	nlmsg_free(msg);
	rtnl_route_put(route);
}

static void test_ipv6_route_with_dev(void **state)
{
	struct nlattr *tb[RTA_MAX + 1];
	struct rtnl_route *route;
	struct nl_msg *msg = NULL;
	struct rtmsg *rtm;
	uint8_t dst[16], gw[16];

	(void)state;
	route = xl_nl_route(&lab->routes[1], 7);
	assert_non_null(route);
	assert_int_equal(rtnl_route_build_add_request(route, NLM_F_CREATE | NLM_F_EXCL, &msg), 0);
	rtm = nlmsg_data(nlmsg_hdr(msg));
	assert_int_equal(rtm->rtm_family, AF_INET6);
	assert_int_equal(rtm->rtm_dst_len, 64);
	assert_int_equal(nlmsg_parse(nlmsg_hdr(msg), sizeof(*rtm), tb, RTA_MAX, NULL), 0);
	inet_pton(AF_INET6, "2001:2:0:2::", dst);
	inet_pton(AF_INET6, "2001:2:0:1::2", gw);
	assert_non_null(tb[RTA_DST]);
	assert_memory_equal(nla_data(tb[RTA_DST]), dst, 16);
	assert_non_null(tb[RTA_GATEWAY]);
	assert_memory_equal(nla_data(tb[RTA_GATEWAY]), gw, 16);
	assert_int_equal(u32(tb[RTA_OIF]), 7);
	nlmsg_free(msg);
	rtnl_route_put(route);
}

static void test_link_route(void **state)
{
	struct nlattr *tb[RTA_MAX + 1];
	struct rtnl_route *route;
	struct nl_msg *msg = NULL;
	struct rtmsg *rtm;

	(void)state;
	route = xl_nl_route(&lab->routes[2], 5);
	assert_non_null(route);
	assert_int_equal(rtnl_route_build_add_request(route, NLM_F_CREATE | NLM_F_EXCL, &msg), 0);
	rtm = nlmsg_data(nlmsg_hdr(msg));
	assert_int_equal(rtm->rtm_dst_len, 24);
	assert_int_equal(rtm->rtm_scope, RT_SCOPE_LINK);	/* as 'ip route add X dev Y' */
	assert_int_equal(nlmsg_parse(nlmsg_hdr(msg), sizeof(*rtm), tb, RTA_MAX, NULL), 0);
	assert_null(tb[RTA_GATEWAY]);
	assert_int_equal(u32(tb[RTA_OIF]), 5);
	nlmsg_free(msg);
	rtnl_route_put(route);
}

static void test_neigh(void **state)
{
	struct nlattr *tb[NDA_MAX + 1];
	struct rtnl_neigh *neigh;
	struct nl_msg *msg = NULL;
	struct ndmsg *ndm;
	uint8_t ip[4];

	(void)state;
	neigh = xl_nl_neigh(&lab->neighs[0], 3);
	assert_non_null(neigh);
	assert_int_equal(rtnl_neigh_build_add_request(neigh, NLM_F_CREATE | NLM_F_EXCL, &msg), 0);
	assert_int_equal(nlmsg_hdr(msg)->nlmsg_type, RTM_NEWNEIGH);
	/* Without NLM_F_CREATE the kernel answers ENOENT for an entry that does not exist yet. */
	assert_int_equal(nlmsg_hdr(msg)->nlmsg_flags & NLM_F_CREATE, NLM_F_CREATE);
	ndm = nlmsg_data(nlmsg_hdr(msg));
	assert_int_equal(ndm->ndm_family, AF_INET);
	assert_int_equal(ndm->ndm_ifindex, 3);
	assert_int_equal(ndm->ndm_state, NUD_PERMANENT);
	assert_int_equal(nlmsg_parse(nlmsg_hdr(msg), sizeof(*ndm), tb, NDA_MAX, NULL), 0);
	inet_pton(AF_INET, "198.18.1.9", ip);
	assert_non_null(tb[NDA_DST]);
	assert_memory_equal(nla_data(tb[NDA_DST]), ip, 4);
	assert_non_null(tb[NDA_LLADDR]);
	assert_memory_equal(nla_data(tb[NDA_LLADDR]), ((uint8_t[]){ 2, 0, 0, 0, 0, 9 }), 6);
	nlmsg_free(msg);
	rtnl_neigh_put(neigh);
}

static void test_bridge(void **state)
{
	struct nlattr *tb[IFLA_MAX + 1], *info[IFLA_INFO_MAX + 1];
	struct rtnl_link *link;
	struct nl_msg *msg = NULL;

	(void)state;
	link = xl_nl_bridge(lab, xl_lab_iface(lab, 0, "br0"));
	assert_non_null(link);
	assert_int_equal(rtnl_link_build_add_request(link, NLM_F_CREATE | NLM_F_EXCL, &msg), 0);
	assert_int_equal(nlmsg_parse(nlmsg_hdr(msg), sizeof(struct ifinfomsg), tb, IFLA_MAX, NULL), 0);
	assert_string_equal((const char *)nla_data(tb[IFLA_IFNAME]), "br0");
	assert_memory_equal(nla_data(tb[IFLA_ADDRESS]), ((uint8_t[]){ 2, 0, 0, 0, 0, 0x0b }), 6);
	assert_null(tb[IFLA_NET_NS_FD]);	/* created by the node's own socket */
	assert_int_equal(nla_parse_nested(info, IFLA_INFO_MAX, tb[IFLA_LINKINFO], NULL), 0);
	assert_string_equal((const char *)nla_data(info[IFLA_INFO_KIND]), "bridge");
	nlmsg_free(msg);
	rtnl_link_put(link);
}

/* The kind, parent and handle of a qdisc request, and its options nested in TCA_OPTIONS. */
static void read_qdisc(struct rtnl_qdisc *q, const char *kind, uint32_t parent, uint32_t handle, struct tc_tbf_qopt *tbf)
{
	struct nlattr *tb[TCA_MAX + 1];
	struct nl_msg *msg = NULL;
	struct tcmsg *tcm;

	assert_int_equal(rtnl_qdisc_build_add_request(q, NLM_F_CREATE | NLM_F_EXCL, &msg), 0);
	assert_int_equal(nlmsg_hdr(msg)->nlmsg_type, RTM_NEWQDISC);
	tcm = nlmsg_data(nlmsg_hdr(msg));
	assert_int_equal(tcm->tcm_ifindex, 4);
	assert_int_equal(tcm->tcm_parent, parent);
	assert_int_equal(tcm->tcm_handle, handle);
	assert_int_equal(nlmsg_parse(nlmsg_hdr(msg), sizeof(*tcm), tb, TCA_MAX, NULL), 0);
	assert_string_equal((const char *)nla_data(tb[TCA_KIND]), kind);
	assert_non_null(tb[TCA_OPTIONS]);
	if (tbf) {
		struct nlattr *o[TCA_TBF_MAX + 1];

		assert_int_equal(nla_parse_nested(o, TCA_TBF_MAX, tb[TCA_OPTIONS], NULL), 0);
		assert_non_null(o[TCA_TBF_PARMS]);
		memcpy(tbf, nla_data(o[TCA_TBF_PARMS]), sizeof(*tbf));
	}
	nlmsg_free(msg);
}

static void test_tbf_alone(void **state)
{
	struct rtnl_qdisc *root, *child;
	struct tc_tbf_qopt opt;

	(void)state;
	assert_int_equal(xl_nl_qdisc(lab, xl_lab_iface(lab, 0, "va"), 4, &root, &child), 0);
	assert_non_null(root);
	assert_null(child);
	read_qdisc(root, "tbf", TC_H_ROOT, TC_HANDLE(1, 0), &opt);
	assert_int_equal(opt.rate.rate, 80000000 / 8);		/* bytes per second */
	/* 10 ms at the rate (100 kB): more than two frames; the limit adds 50 ms of queue */
	assert_true(opt.limit >= 100000 + 80000000 / 8 / 20);
	rtnl_qdisc_put(root);
}

static void test_netem_with_tbf_inside(void **state)
{
	struct rtnl_qdisc *root, *child;
	struct tc_tbf_qopt opt;

	(void)state;
	assert_int_equal(xl_nl_qdisc(lab, xl_lab_iface(lab, 1, "vb"), 4, &root, &child), 0);
	assert_non_null(root);
	assert_non_null(child);
	read_qdisc(root, "netem", TC_H_ROOT, TC_HANDLE(1, 0), NULL);
	read_qdisc(child, "tbf", TC_HANDLE(1, 1), TC_HANDLE(10, 0), &opt);
	assert_int_equal(opt.rate.rate, 10000000 / 8);
	assert_int_equal(rtnl_netem_get_delay(root), 5000);
	assert_int_equal((uint32_t)rtnl_netem_get_loss(root), (uint32_t)(UINT32_MAX / 100));
	rtnl_qdisc_put(child);
	rtnl_qdisc_put(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_route), cmocka_unit_test(test_ipv6_route_with_dev),
		cmocka_unit_test(test_link_route),    cmocka_unit_test(test_neigh),
		cmocka_unit_test(test_bridge),	      cmocka_unit_test(test_tbf_alone),
		cmocka_unit_test(test_netem_with_tbf_inside),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
