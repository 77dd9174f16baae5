// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * Reply parsing from canned messages: each is built with libmnl the way the
 * kernel builds it (rtnl_fill_ifinfo, ethnl channels, netdev dev-get, an
 * NLMSG_ERROR with extended ACK), then damaged on purpose.  A malformed message
 * is -EBADMSG with errno set and a sentence that names the attribute; unknown
 * attributes are skipped; nothing crashes (ASan run: nothing leaks).
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
#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>
#include <linux/if_arp.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "xnl.h"

#define BUF_SIZE 4096
#define FAM_ETHTOOL 21	/* family ids are dynamic; any will do */
#define FAM_NETDEV 29

static const uint8_t mac_va[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };

static void expect_msg(const char *needle)
{
	if (!strstr(xnl_errmsg(), needle))
		fail_msg("\"%s\" not in \"%s\"", needle, xnl_errmsg());
}

/* An RTM_NEWLINK header as the kernel starts one. */
static struct nlmsghdr *put_link_hdr(void *buf, uint16_t type, int ifindex, unsigned int flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_MULTI;
	nlh->nlmsg_seq = 7;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_type = ARPHRD_ETHER;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = flags;
	return nlh;
}

/* A 4-queue veth end "va", up, in the order and with the neighbours the kernel puts. */
static struct nlmsghdr *put_veth(void *buf)
{
	struct nlmsghdr *nlh = put_link_hdr(buf, RTM_NEWLINK, 2, IFF_UP | IFF_BROADCAST | IFF_RUNNING | IFF_LOWER_UP);
	struct nlattr *nest, *data;

	mnl_attr_put_strz(nlh, IFLA_IFNAME, "va");
	mnl_attr_put_u32(nlh, IFLA_TXQLEN, 1000);		/* in the kernel's message, not in our policy */
	mnl_attr_put_u8(nlh, IFLA_OPERSTATE, IF_OPER_UP);
	mnl_attr_put_u8(nlh, IFLA_LINKMODE, 0);
	mnl_attr_put_u32(nlh, IFLA_MTU, 1500);
	mnl_attr_put_u32(nlh, IFLA_NUM_TX_QUEUES, 4);
	mnl_attr_put_u32(nlh, IFLA_NUM_RX_QUEUES, 4);
	mnl_attr_put(nlh, IFLA_ADDRESS, sizeof(mac_va), mac_va);
	mnl_attr_put(nlh, IFLA_BROADCAST, 6, "\xff\xff\xff\xff\xff\xff");
	mnl_attr_put_u32(nlh, IFLA_LINK, 3);
	mnl_attr_put_u32(nlh, IFLA_LINK_NETNSID, 0);
	nest = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, nest);
	nest = mnl_attr_nest_start(nlh, IFLA_XDP);
	mnl_attr_put_u8(nlh, IFLA_XDP_ATTACHED, XDP_ATTACHED_NONE);
	mnl_attr_nest_end(nlh, nest);
	return nlh;
}

static void expect_link_bad(const struct nlmsghdr *nlh, const char *needle)
{
	struct xnl_link l;
	int err;

	errno = 0;
	err = xnl_link_parse(nlh, &l);
	assert_int_equal(err, -EBADMSG);
	assert_int_equal(errno, EBADMSG);
	expect_msg(needle);
}

/* ---- links --------------------------------------------------------------- */

static void test_link_veth(void **state)
{
	char buf[BUF_SIZE] __attribute__((aligned(8)));
	struct nlmsghdr *nlh = put_veth(buf);
	struct xnl_link l;
	char mac[96];

	(void)state;
	assert_int_equal(xnl_link_parse(nlh, &l), 0);
	assert_int_equal(l.ifindex, 2);
	assert_string_equal(l.name, "va");
	assert_string_equal(l.kind, "veth");
	assert_string_equal(xnl_link_kind(&l), "veth");
	assert_int_equal(l.mtu, 1500);
	assert_int_equal(l.mac_len, 6);
	assert_string_equal(xnl_mac_str(&l, mac, sizeof(mac)), "02:00:00:00:00:01");
	assert_int_equal(l.operstate, IF_OPER_UP);
	assert_string_equal(xnl_operstate_str(l.operstate), "up");
	assert_true(xnl_link_usable(&l));
	assert_int_equal(l.num_rx_queues, 4);
	assert_int_equal(l.num_tx_queues, 4);
	assert_int_equal(l.link, 3);
	assert_int_equal(l.link_netnsid, 0);
	assert_int_equal(l.xdp.attached, XDP_ATTACHED_NONE);
	assert_int_equal(l.xdp.prog_id, 0);
}

/* The loopback device: no kind, no carrier reporting, no IFLA_LINK. */
static void test_link_loopback(void **state)
{
	char buf[BUF_SIZE] __attribute__((aligned(8)));
	struct nlmsghdr *nlh = put_link_hdr(buf, RTM_NEWLINK, 1, IFF_UP | IFF_LOOPBACK | IFF_RUNNING);
	struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct xnl_link l;

	(void)state;
	ifi->ifi_type = ARPHRD_LOOPBACK;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "lo");
	mnl_attr_put_u8(nlh, IFLA_OPERSTATE, IF_OPER_UNKNOWN);
	mnl_attr_put_u32(nlh, IFLA_MTU, 65536);
	assert_int_equal(xnl_link_parse(nlh, &l), 0);
	assert_string_equal(xnl_link_kind(&l), "loopback");
	assert_true(xnl_link_usable(&l));	/* UNKNOWN + admin up counts as up */
	assert_int_equal(l.link_netnsid, -1);
	assert_int_equal(l.mac_len, 0);
	ifi->ifi_type = ARPHRD_ETHER;
	assert_int_equal(xnl_link_parse(nlh, &l), 0);
	assert_string_equal(xnl_link_kind(&l), "device");
}

static void test_link_xdp_attached(void **state)
{
	char buf[BUF_SIZE] __attribute__((aligned(8)));
	struct nlmsghdr *nlh = put_link_hdr(buf, RTM_NEWLINK, 5, IFF_UP);
	struct nlattr *nest;
	struct xnl_link l;

	(void)state;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "vb");
	nest = mnl_attr_nest_start(nlh, IFLA_XDP);
	mnl_attr_put_u32(nlh, IFLA_XDP_SKB_PROG_ID, 57);	/* the kernel's order: per-mode id first */
	mnl_attr_put_u8(nlh, IFLA_XDP_ATTACHED, XDP_ATTACHED_SKB);
	mnl_attr_put_u32(nlh, IFLA_XDP_PROG_ID, 57);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(xnl_link_parse(nlh, &l), 0);
	assert_int_equal(l.xdp.attached, XDP_ATTACHED_SKB);
	assert_int_equal(l.xdp.prog_id, 57);
	assert_int_equal(l.xdp.skb_prog_id, 57);
	assert_int_equal(l.xdp.drv_prog_id, 0);
	assert_string_equal(xnl_xdp_mode_name(l.xdp.attached), "generic");
}

/* Native and generic at once: no IFLA_XDP_PROG_ID, one id per mode. */
static void test_link_xdp_multi(void **state)
{
	char buf[BUF_SIZE] __attribute__((aligned(8)));
	struct nlmsghdr *nlh = put_link_hdr(buf, RTM_NEWLINK, 5, IFF_UP);
	struct nlattr *nest;
	struct xnl_link l;

	(void)state;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "vb");
	nest = mnl_attr_nest_start(nlh, IFLA_XDP);
	mnl_attr_put_u32(nlh, IFLA_XDP_SKB_PROG_ID, 58);
	mnl_attr_put_u32(nlh, IFLA_XDP_DRV_PROG_ID, 57);
	mnl_attr_put_u8(nlh, IFLA_XDP_ATTACHED, XDP_ATTACHED_MULTI);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(xnl_link_parse(nlh, &l), 0);
	assert_int_equal(l.xdp.attached, XDP_ATTACHED_MULTI);
	assert_int_equal(l.xdp.prog_id, 0);
	assert_int_equal(l.xdp.drv_prog_id, 57);
	assert_int_equal(l.xdp.skb_prog_id, 58);
}

/* Attributes this parser does not know, at the top and inside nests, are skipped. */
static void test_link_unknown_skipped(void **state)
{
	char buf[BUF_SIZE] __attribute__((aligned(8)));
	struct nlmsghdr *nlh = put_veth(buf);
	struct nlattr *nest;
	struct xnl_link l;

	(void)state;
	mnl_attr_put_u64(nlh, IFLA_MAX + 40, 0x1122334455667788ull);	/* a newer kernel's */
	mnl_attr_put(nlh, 0x7fff, 3, "abc");				/* odd length, padded */
	mnl_attr_put(nlh, IFLA_STATS64, 24, "012345678901234567890123");	/* known type, no policy */
	/* A second IFLA_XDP (the last one counts) holding only a type beyond IFLA_XDP_MAX. */
	nest = mnl_attr_nest_start(nlh, IFLA_XDP);
	mnl_attr_put_u16(nlh, IFLA_XDP_MAX + 3, 1);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(xnl_link_parse(nlh, &l), 0);
	assert_string_equal(l.name, "va");
	assert_int_equal(l.mtu, 1500);
	assert_string_equal(l.kind, "veth");
}

/* The last of two attributes of one type wins, as in the kernel's own nla_parse. */
static void test_link_duplicate_last_wins(void **state)
{
	char buf[BUF_SIZE] __attribute__((aligned(8)));
	struct nlmsghdr *nlh = put_veth(buf);
	struct xnl_link l;

	(void)state;
	mnl_attr_put_u32(nlh, IFLA_MTU, 9000);
	assert_int_equal(xnl_link_parse(nlh, &l), 0);
	assert_int_equal(l.mtu, 9000);
}

static void test_link_mtu_two_bytes(void **state)
{
	char buf[BUF_SIZE] __attribute__((aligned(8)));
	struct nlmsghdr *nlh = put_link_hdr(buf, RTM_NEWLINK, 2, 0);
	uint16_t mtu = 1500;

	(void)state;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "va");
	mnl_attr_put(nlh, IFLA_MTU, sizeof(mtu), &mtu);
	expect_link_bad(nlh, "IFLA_MTU has 2 bytes, expected 4");
}

static void test_link_operstate_four_bytes(void **state)
{
	char buf[BUF_SIZE] __attribute__((aligned(8)));
	struct nlmsghdr *nlh = put_link_hdr(buf, RTM_NEWLINK, 2, 0);

	(void)state;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "va");
	mnl_attr_put_u32(nlh, IFLA_OPERSTATE, IF_OPER_UP);
	expect_link_bad(nlh, "IFLA_OPERSTATE has 4 bytes, expected 1");
}

/* The last attribute claims 200 bytes; the message holds 8 of them. */
static void test_link_attr_exceeds_message(void **state)
{
	char buf[BUF_SIZE] __attribute__((aligned(8)));
	struct nlmsghdr *nlh = put_veth(buf);
	struct nlattr *a = mnl_nlmsg_get_payload_tail(nlh);

	(void)state;
	mnl_attr_put_u32(nlh, IFLA_MTU, 1500);
	a->nla_len = 200;
	expect_link_bad(nlh, "claims 200 bytes but 8 remain");
}

/* The message ends in the middle of its last attribute (a reply cut short). */
static void test_link_truncated_attr(void **state)
{
	char buf[BUF_SIZE] __attribute__((aligned(8)));
	struct nlmsghdr *nlh = put_veth(buf);

	(void)state;
	mnl_attr_put_u32(nlh, IFLA_GROUP, 0);
	nlh->nlmsg_len -= 2;
	expect_link_bad(nlh, "claims 8 bytes but 6 remain");
	nlh->nlmsg_len -= 4;	/* 2 bytes of a header: not even an attribute */
	expect_link_bad(nlh, "2 stray bytes after the last attribute");
}

/* An attribute length below its own header would loop forever in a naive walker. */
static void test_link_attr_len_below_header(void **state)
{
	char buf[BUF_SIZE] __attribute__((aligned(8)));
	struct nlmsghdr *nlh = put_veth(buf);
	struct nlattr *a = mnl_nlmsg_get_payload_tail(nlh);

	(void)state;
	mnl_attr_put_u32(nlh, IFLA_GROUP, 0);
	a->nla_len = 0;
	expect_link_bad(nlh, "claims 0 bytes");
	a->nla_len = 3;
	expect_link_bad(nlh, "claims 3 bytes");
}

static void test_link_truncated_nest(void **state)
{
	char buf[BUF_SIZE] __attribute__((aligned(8)));
	struct nlmsghdr *nlh = put_link_hdr(buf, RTM_NEWLINK, 2, 0);
	struct nlattr *nest, *inner;

	(void)state;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "va");
	nest = mnl_attr_nest_start(nlh, IFLA_XDP);
	inner = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put_u32(nlh, IFLA_XDP_PROG_ID, 57);
	mnl_attr_nest_end(nlh, nest);
	inner->nla_len = 12;	/* runs past its nest (8 bytes of payload) */
	expect_link_bad(nlh, "malformed IFLA_XDP");
}

static void test_link_name_checks(void **state)
{
	char buf[BUF_SIZE] __attribute__((aligned(8)));
	struct nlmsghdr *nlh;

	(void)state;
	nlh = put_link_hdr(buf, RTM_NEWLINK, 2, 0);
	mnl_attr_put(nlh, IFLA_IFNAME, 2, "va");	/* no NUL */
	expect_link_bad(nlh, "IFLA_IFNAME is not NUL-terminated");

	nlh = put_link_hdr(buf, RTM_NEWLINK, 2, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "a-name-longer-than-ifnamsiz");
	expect_link_bad(nlh, "IFLA_IFNAME has 28 bytes, at most 16 expected");

	nlh = put_link_hdr(buf, RTM_NEWLINK, 2, 0);
	mnl_attr_put_u32(nlh, IFLA_MTU, 1500);
	expect_link_bad(nlh, "has no IFLA_IFNAME");

	nlh = put_link_hdr(buf, RTM_NEWLINK, 0, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "va");
	expect_link_bad(nlh, "ifindex 0");
}

static void test_link_short_header(void **state)
{
	char buf[BUF_SIZE] __attribute__((aligned(8)));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	(void)state;
	nlh->nlmsg_type = RTM_NEWLINK;
	mnl_nlmsg_put_extra_header(nlh, 8);	/* half an ifinfomsg */
	expect_link_bad(nlh, "shorter than its 16-byte header");
}

static void test_link_address_too_long(void **state)
{
	char buf[BUF_SIZE] __attribute__((aligned(8)));
	struct nlmsghdr *nlh = put_link_hdr(buf, RTM_NEWLINK, 2, 0);
	uint8_t big[40] = { 0 };

	(void)state;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "va");
	mnl_attr_put(nlh, IFLA_ADDRESS, sizeof(big), big);
	expect_link_bad(nlh, "IFLA_ADDRESS has 40 bytes, at most 32 expected");
}

static void test_link_bad_xdp_mode(void **state)
{
	char buf[BUF_SIZE] __attribute__((aligned(8)));
	struct nlmsghdr *nlh = put_link_hdr(buf, RTM_NEWLINK, 2, 0);
	struct nlattr *nest;

	(void)state;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "va");
	nest = mnl_attr_nest_start(nlh, IFLA_XDP);
	mnl_attr_put_u8(nlh, IFLA_XDP_ATTACHED, 9);
	mnl_attr_nest_end(nlh, nest);
	expect_link_bad(nlh, "IFLA_XDP_ATTACHED is 9");
}

static void test_link_kind_not_terminated(void **state)
{
	char buf[BUF_SIZE] __attribute__((aligned(8)));
	struct nlmsghdr *nlh = put_link_hdr(buf, RTM_NEWLINK, 2, 0);
	struct nlattr *nest;

	(void)state;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "va");
	nest = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put(nlh, IFLA_INFO_KIND, 4, "veth");
	mnl_attr_nest_end(nlh, nest);
	expect_link_bad(nlh, "IFLA_INFO_KIND is not NUL-terminated");
}

/* ---- ethtool channels ---------------------------------------------------- */

static struct nlmsghdr *put_genl(void *buf, uint16_t family, uint8_t cmd)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = family;
	nlh->nlmsg_seq = 9;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = 1;
	return nlh;
}

static void put_ethtool_header(struct nlmsghdr *nlh, int ifindex, const char *name)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, ETHTOOL_A_CHANNELS_HEADER);

	mnl_attr_put_u32(nlh, ETHTOOL_A_HEADER_DEV_INDEX, (uint32_t)ifindex);
	mnl_attr_put_strz(nlh, ETHTOOL_A_HEADER_DEV_NAME, name);
	mnl_attr_nest_end(nlh, nest);
}

/* veth: separate RX and TX channels, current = real_num_*_queues, max = allocated. */
static void test_channels_veth(void **state)
{
	char buf[BUF_SIZE] __attribute__((aligned(8)));
	struct nlmsghdr *nlh = put_genl(buf, FAM_ETHTOOL, ETHTOOL_MSG_CHANNELS_GET_REPLY);
	struct xnl_queues q;
	int ifindex;

	(void)state;
	put_ethtool_header(nlh, 2, "va");
	mnl_attr_put_u32(nlh, ETHTOOL_A_CHANNELS_RX_MAX, 4);
	mnl_attr_put_u32(nlh, ETHTOOL_A_CHANNELS_RX_COUNT, 4);
	mnl_attr_put_u32(nlh, ETHTOOL_A_CHANNELS_TX_MAX, 4);
	mnl_attr_put_u32(nlh, ETHTOOL_A_CHANNELS_TX_COUNT, 4);
	assert_int_equal(xnl_channels_parse(nlh, &ifindex, &q), 0);
	assert_int_equal(ifindex, 2);
	assert_int_equal(q.rx, 4);
	assert_int_equal(q.tx, 4);
	assert_int_equal(q.combined, 0);
	assert_int_equal(q.rx_max, 4);
	assert_int_equal(q.src, XNL_QSRC_GENL);
	assert_int_equal(xnl_queues_rx(&q), 4);
	assert_int_equal(xnl_queues_tx(&q), 4);
	assert_string_equal(xnl_queue_src_name(q.src), "genl");
}

/* A NIC with combined channels only: the kernel leaves out rx/tx (their max is 0). */
static void test_channels_combined(void **state)
{
	char buf[BUF_SIZE] __attribute__((aligned(8)));
	struct nlmsghdr *nlh = put_genl(buf, FAM_ETHTOOL, ETHTOOL_MSG_CHANNELS_GET_REPLY);
	struct xnl_queues q;
	int ifindex;

	(void)state;
	put_ethtool_header(nlh, 4, "eth0");
	mnl_attr_put_u32(nlh, ETHTOOL_A_CHANNELS_COMBINED_MAX, 8);
	mnl_attr_put_u32(nlh, ETHTOOL_A_CHANNELS_COMBINED_COUNT, 2);
	mnl_attr_put_u32(nlh, ETHTOOL_A_CHANNELS_MAX + 5, 77);	/* unknown: skipped */
	assert_int_equal(xnl_channels_parse(nlh, &ifindex, &q), 0);
	assert_int_equal(q.rx, 0);
	assert_int_equal(q.combined, 2);
	assert_int_equal(q.combined_max, 8);
	assert_int_equal(xnl_queues_rx(&q), 2);
	assert_int_equal(xnl_queues_tx(&q), 2);
}

static void test_channels_bad(void **state)
{
	char buf[BUF_SIZE] __attribute__((aligned(8)));
	struct nlmsghdr *nlh;
	struct xnl_queues q;
	struct nlattr *nest;
	int ifindex;

	(void)state;
	nlh = put_genl(buf, FAM_ETHTOOL, ETHTOOL_MSG_CHANNELS_GET_REPLY);
	put_ethtool_header(nlh, 2, "va");
	mnl_attr_put_u64(nlh, ETHTOOL_A_CHANNELS_RX_COUNT, 4);
	assert_int_equal(xnl_channels_parse(nlh, &ifindex, &q), -EBADMSG);
	expect_msg("ETHTOOL_A_CHANNELS_RX_COUNT has 8 bytes, expected 4");

	nlh = put_genl(buf, FAM_ETHTOOL, ETHTOOL_MSG_CHANNELS_GET_REPLY);
	nest = mnl_attr_nest_start(nlh, ETHTOOL_A_CHANNELS_HEADER);
	mnl_attr_put_u16(nlh, ETHTOOL_A_HEADER_DEV_INDEX, 2);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(xnl_channels_parse(nlh, &ifindex, &q), -EBADMSG);
	expect_msg("ETHTOOL_A_HEADER_DEV_INDEX has 2 bytes, expected 4");

	nlh = mnl_nlmsg_put_header(buf);	/* no genlmsghdr at all */
	nlh->nlmsg_type = FAM_ETHTOOL;
	assert_int_equal(xnl_channels_parse(nlh, &ifindex, &q), -EBADMSG);
	expect_msg("shorter than its 4-byte header");
}

/* ---- netdev dev-get ------------------------------------------------------ */

#define NETDEV_A_DEV_IFINDEX 1
#define NETDEV_A_DEV_XDP_FEATURES 3
#define NETDEV_A_DEV_XDP_ZC_MAX_SEGS 4
#define NETDEV_A_DEV_XDP_RX_METADATA_FEATURES 5
#define NETDEV_A_DEV_XSK_FEATURES 6

static void test_xdp_features(void **state)
{
	char buf[BUF_SIZE] __attribute__((aligned(8)));
	struct nlmsghdr *nlh = put_genl(buf, FAM_NETDEV, 1);
	struct xnl_xdp_features f;

	(void)state;
	mnl_attr_put_u32(nlh, NETDEV_A_DEV_IFINDEX, 2);
	mnl_attr_put_u64(nlh, NETDEV_A_DEV_XDP_FEATURES,
			 XNL_XDP_ACT_BASIC | XNL_XDP_ACT_REDIRECT | XNL_XDP_ACT_RX_SG);
	mnl_attr_put_u64(nlh, NETDEV_A_DEV_XDP_RX_METADATA_FEATURES, 0);
	mnl_attr_put_u64(nlh, NETDEV_A_DEV_XSK_FEATURES, 0);
	mnl_attr_put_u32(nlh, 42, 1);	/* a later kernel's attribute */
	assert_int_equal(xnl_xdp_features_parse(nlh, &f), 0);
	assert_int_equal(f.ifindex, 2);
	assert_true(f.act & XNL_XDP_ACT_BASIC);
	assert_false(f.act & XNL_XDP_ACT_XSK_ZEROCOPY);
	assert_int_equal(f.zc_max_segs, 0);
	assert_string_equal(xnl_xdp_act_name(3), "xsk-zerocopy");
	assert_null(xnl_xdp_act_name(40));

	nlh = put_genl(buf, FAM_NETDEV, 1);
	mnl_attr_put_u32(nlh, NETDEV_A_DEV_IFINDEX, 4);
	mnl_attr_put_u64(nlh, NETDEV_A_DEV_XDP_FEATURES, XNL_XDP_ACT_BASIC | XNL_XDP_ACT_XSK_ZEROCOPY);
	mnl_attr_put_u32(nlh, NETDEV_A_DEV_XDP_ZC_MAX_SEGS, 1);
	assert_int_equal(xnl_xdp_features_parse(nlh, &f), 0);
	assert_true(f.act & XNL_XDP_ACT_XSK_ZEROCOPY);
	assert_int_equal(f.zc_max_segs, 1);
}

static void test_xdp_features_bad(void **state)
{
	char buf[BUF_SIZE] __attribute__((aligned(8)));
	struct nlmsghdr *nlh;
	struct xnl_xdp_features f;

	(void)state;
	nlh = put_genl(buf, FAM_NETDEV, 1);
	mnl_attr_put_u32(nlh, NETDEV_A_DEV_IFINDEX, 2);
	mnl_attr_put_u32(nlh, NETDEV_A_DEV_XDP_FEATURES, 1);	/* a u64 sent as u32 */
	assert_int_equal(xnl_xdp_features_parse(nlh, &f), -EBADMSG);
	expect_msg("NETDEV_A_DEV_XDP_FEATURES has 4 bytes, expected 8");

	nlh = put_genl(buf, FAM_NETDEV, 1);
	mnl_attr_put_u64(nlh, NETDEV_A_DEV_XDP_FEATURES, 1);
	assert_int_equal(xnl_xdp_features_parse(nlh, &f), -EBADMSG);
	expect_msg("no valid NETDEV_A_DEV_IFINDEX");
}

/* ---- generic netlink control --------------------------------------------- */

static void test_genl_family(void **state)
{
	char buf[BUF_SIZE] __attribute__((aligned(8)));
	struct nlmsghdr *nlh = put_genl(buf, GENL_ID_CTRL, CTRL_CMD_NEWFAMILY);
	struct nlattr *nest;
	uint16_t id = 0;

	(void)state;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, "ethtool");
	mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, FAM_ETHTOOL);
	mnl_attr_put_u32(nlh, CTRL_ATTR_VERSION, 1);
	nest = mnl_attr_nest_start(nlh, CTRL_ATTR_OPS);	/* big nests we do not read */
	mnl_attr_put_u32(nlh, 1, 2);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(xnl_genl_family_parse(nlh, &id), 0);
	assert_int_equal(id, FAM_ETHTOOL);

	nlh = put_genl(buf, GENL_ID_CTRL, CTRL_CMD_NEWFAMILY);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, "ethtool");
	assert_int_equal(xnl_genl_family_parse(nlh, &id), -EBADMSG);
	expect_msg("no CTRL_ATTR_FAMILY_ID");
}

/* ---- NLMSG_ERROR, NLMSG_DONE and whole datagrams ------------------------- */

/*
 * An NLMSG_ERROR as the kernel sends it on a socket with NETLINK_EXT_ACK: the error, our
 * request's header (capped) or all of it, then NLMSGERR_ATTR_* TLVs.
 */
static struct nlmsghdr *put_error(void *buf, int error, bool capped, const char *text, uint32_t offs)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nlmsgerr *e;

	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_seq = 9;
	nlh->nlmsg_flags = (capped ? NLM_F_CAPPED : 0) | (text ? NLM_F_ACK_TLVS : 0);
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = error;
	e->msg.nlmsg_type = FAM_ETHTOOL;
	e->msg.nlmsg_seq = 9;
	e->msg.nlmsg_len = sizeof(e->msg);
	if (!capped) {
		/* The echoed request: its header (already in nlmsgerr) plus 8 bytes of payload. */
		e->msg.nlmsg_len = sizeof(e->msg) + 8;
		memset(mnl_nlmsg_put_extra_header(nlh, 8), 0xab, 8);
	}
	if (text) {
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, text);
		if (offs)
			mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, offs);
	}
	return nlh;
}

static void test_ack_extack(void **state)
{
	char buf[BUF_SIZE] __attribute__((aligned(8)));
	struct xnl_ack ack;
	int capped;

	(void)state;
	for (capped = 0; capped < 2; capped++) {
		struct nlmsghdr *nlh = put_error(buf, -EOPNOTSUPP, capped, "device has no channels", 20);

		assert_int_equal(xnl_ack_parse(nlh, &ack), 0);
		assert_int_equal(ack.error, -EOPNOTSUPP);
		assert_string_equal(ack.msg, "device has no channels");
		assert_int_equal(ack.offset, 20);
		/* Through the datagram walker: the errno, and the kernel's words in the message. */
		errno = 0;
		assert_int_equal(xnl_msgs_parse(buf, nlh->nlmsg_len, 9, 0, NULL, NULL), -EOPNOTSUPP);
		assert_int_equal(errno, EOPNOTSUPP);
		expect_msg("(kernel: \"device has no channels\")");
	}
}

static void test_ack_plain(void **state)
{
	char buf[BUF_SIZE] __attribute__((aligned(8)));
	struct nlmsghdr *nlh;
	struct xnl_ack ack;

	(void)state;
	nlh = put_error(buf, 0, true, NULL, 0);	/* an ACK */
	assert_int_equal(xnl_ack_parse(nlh, &ack), 0);
	assert_int_equal(ack.error, 0);
	assert_int_equal(xnl_msgs_parse(buf, nlh->nlmsg_len, 9, 0, NULL, NULL), 0);

	nlh = put_error(buf, -ENODEV, true, NULL, 0);	/* no TLVs */
	assert_int_equal(xnl_msgs_parse(buf, nlh->nlmsg_len, 9, 0, NULL, NULL), -ENODEV);
	expect_msg(strerror(ENODEV));

	nlh = put_error(buf, EPERM, true, NULL, 0);	/* some subsystems send it positive */
	assert_int_equal(xnl_msgs_parse(buf, nlh->nlmsg_len, 9, 0, NULL, NULL), -EPERM);
}

static void test_ack_bad(void **state)
{
	char buf[BUF_SIZE] __attribute__((aligned(8)));
	struct nlmsghdr *nlh;
	struct nlmsgerr *e;
	struct xnl_ack ack;

	(void)state;
	/* The echoed request claims more than the message has. */
	nlh = put_error(buf, -EINVAL, false, "bad", 0);
	e = mnl_nlmsg_get_payload(nlh);
	e->msg.nlmsg_len = 4000;
	assert_int_equal(xnl_ack_parse(nlh, &ack), -EBADMSG);
	expect_msg("echoed request runs");
	e->msg.nlmsg_len = 0xffffffff;	/* no overflow on 32-bit arithmetic either */
	assert_int_equal(xnl_ack_parse(nlh, &ack), -EBADMSG);

	/* Shorter than struct nlmsgerr. */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_ERROR;
	mnl_nlmsg_put_extra_header(nlh, 4);
	assert_int_equal(xnl_ack_parse(nlh, &ack), -EBADMSG);
	expect_msg("shorter than struct nlmsgerr");

	/* An error code no kernel sends (INT_MIN cannot be negated). */
	nlh = put_error(buf, -2147483647 - 1, true, NULL, 0);
	assert_int_equal(xnl_ack_parse(nlh, &ack), -EBADMSG);
	expect_msg("error code");

	/* The extack message without its NUL. */
	nlh = put_error(buf, -EINVAL, true, NULL, 0);
	nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
	mnl_attr_put(nlh, NLMSGERR_ATTR_MSG, 3, "bad");
	assert_int_equal(xnl_ack_parse(nlh, &ack), -EBADMSG);
	expect_msg("NLMSGERR_ATTR_MSG is not NUL-terminated");

	/* Control characters in the kernel's text never reach a terminal. */
	nlh = put_error(buf, -EINVAL, true, "a\x1b[2Jb\n", 0);
	assert_int_equal(xnl_ack_parse(nlh, &ack), 0);
	assert_string_equal(ack.msg, "a [2Jb ");
}

struct collect {
	int calls;
	int ifindex[8];
};

static int collect_links(const struct nlmsghdr *nlh, void *data)
{
	struct collect *c = data;
	struct xnl_link l;
	int err = xnl_link_parse(nlh, &l);

	if (err)
		return err;
	if (c->calls < 8)
		c->ifindex[c->calls] = l.ifindex;
	c->calls++;
	return 0;
}

/* Two RTM_NEWLINK, then NLMSG_DONE, in one datagram; a leftover of an older request in front. */
static size_t put_dump(char *buf, uint32_t seq)
{
	struct nlmsghdr *nlh;
	size_t off = 0;
	int i;

	nlh = put_link_hdr(buf + off, RTM_NEWLINK, 99, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "old");
	nlh->nlmsg_seq = seq - 1;
	off += nlh->nlmsg_len;
	for (i = 0; i < 2; i++) {
		nlh = put_link_hdr(buf + off, RTM_NEWLINK, 2 + i, IFF_UP);
		mnl_attr_put_strz(nlh, IFLA_IFNAME, i ? "vb" : "va");
		nlh->nlmsg_seq = seq;
		off += nlh->nlmsg_len;
	}
	nlh = mnl_nlmsg_put_header(buf + off);
	nlh->nlmsg_type = NLMSG_DONE;
	nlh->nlmsg_flags = NLM_F_MULTI;
	nlh->nlmsg_seq = seq;
	memset(mnl_nlmsg_put_extra_header(nlh, sizeof(int)), 0, sizeof(int));
	off += nlh->nlmsg_len;
	return off;
}

static void test_datagram_dump(void **state)
{
	char buf[BUF_SIZE] __attribute__((aligned(8)));
	struct collect c = { 0 };
	size_t len = put_dump(buf, 7);

	(void)state;
	assert_int_equal(xnl_msgs_parse(buf, len, 7, 0, collect_links, &c), 0);
	assert_int_equal(c.calls, 2);
	assert_int_equal(c.ifindex[0], 2);
	assert_int_equal(c.ifindex[1], 3);
	/* Without its NLMSG_DONE the reply is not over yet. */
	memset(&c, 0, sizeof(c));
	assert_int_equal(xnl_msgs_parse(buf, len - MNL_NLMSG_HDRLEN - sizeof(int), 7, 0, collect_links, &c), 1);
	assert_int_equal(c.calls, 2);
}

static void test_datagram_truncated(void **state)
{
	char buf[BUF_SIZE] __attribute__((aligned(8)));
	struct collect c = { 0 };
	size_t len = put_dump(buf, 7);

	(void)state;
	assert_int_equal(xnl_msgs_parse(buf, len - 2, 7, 0, collect_links, &c), -EBADMSG);
	expect_msg("a message claims 20 bytes but 18 remain");
	assert_int_equal(xnl_msgs_parse(buf, len - 18, 7, 0, collect_links, &c), -EBADMSG);
	expect_msg("2 stray bytes after the last message");
	((struct nlmsghdr *)buf)->nlmsg_len = 8;	/* below a header: no endless loop */
	assert_int_equal(xnl_msgs_parse(buf, len, 7, 0, collect_links, &c), -EBADMSG);
}

/* The callback's error stops the walk and comes back as is. */
static void test_datagram_bad_member(void **state)
{
	char buf[BUF_SIZE] __attribute__((aligned(8)));
	struct collect c = { 0 };
	size_t len = put_dump(buf, 7);
	struct nlmsghdr *second = (struct nlmsghdr *)(buf + ((struct nlmsghdr *)buf)->nlmsg_len);
	struct nlattr *name = (struct nlattr *)((char *)mnl_nlmsg_get_payload(second) + sizeof(struct ifinfomsg));

	(void)state;
	name->nla_len = 5;	/* "va\0" is 3 bytes: the NUL falls outside */
	((char *)mnl_attr_get_payload(name))[0] = 'v';
	((char *)mnl_attr_get_payload(name))[1] = 'a';
	((char *)mnl_attr_get_payload(name))[2] = 'x';
	assert_int_equal(xnl_msgs_parse(buf, len, 7, 0, collect_links, &c), -EBADMSG);
	expect_msg("IFLA_IFNAME is not NUL-terminated");
	assert_int_equal(c.calls, 0);
}

static void test_done_error_and_intr(void **state)
{
	char buf[BUF_SIZE] __attribute__((aligned(8)));
	struct nlmsghdr *nlh;
	int code = -ENOBUFS;

	(void)state;
	/* A dump that failed half-way, with the kernel's words after the code. */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_DONE;
	nlh->nlmsg_flags = NLM_F_MULTI | NLM_F_ACK_TLVS;
	memcpy(mnl_nlmsg_put_extra_header(nlh, sizeof(code)), &code, sizeof(code));
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "dump too big");
	assert_int_equal(xnl_msgs_parse(buf, nlh->nlmsg_len, 0, 0, NULL, NULL), -ENOBUFS);
	expect_msg("dump too big");

	/* A complete dump marked interrupted: run again. */
	code = 0;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_DONE;
	nlh->nlmsg_flags = NLM_F_MULTI | NLM_F_DUMP_INTR;
	memcpy(mnl_nlmsg_put_extra_header(nlh, sizeof(code)), &code, sizeof(code));
	assert_int_equal(xnl_msgs_parse(buf, nlh->nlmsg_len, 0, 0, NULL, NULL), -EAGAIN);
	expect_msg("run again");

	/* NLMSG_OVERRUN: messages were lost. */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_OVERRUN;
	assert_int_equal(xnl_msgs_parse(buf, nlh->nlmsg_len, 0, 0, NULL, NULL), -ENOBUFS);
}

/* xnl_seterr() may be handed its own previous message. */
static void test_errmsg_wraps_itself(void **state)
{
	(void)state;
	assert_int_equal(xnl_seterr(-ENOENT, "inner %d", 1), -ENOENT);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(xnl_seterr(-EIO, "outer: %s", xnl_errmsg()), -EIO);
	assert_string_equal(xnl_errmsg(), "outer: inner 1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link_veth),
		cmocka_unit_test(test_link_loopback),
		cmocka_unit_test(test_link_xdp_attached),
		cmocka_unit_test(test_link_xdp_multi),
		cmocka_unit_test(test_link_unknown_skipped),
		cmocka_unit_test(test_link_duplicate_last_wins),
		cmocka_unit_test(test_link_mtu_two_bytes),
		cmocka_unit_test(test_link_operstate_four_bytes),
		cmocka_unit_test(test_link_attr_exceeds_message),
		cmocka_unit_test(test_link_truncated_attr),
		cmocka_unit_test(test_link_attr_len_below_header),
		cmocka_unit_test(test_link_truncated_nest),
		cmocka_unit_test(test_link_name_checks),
		cmocka_unit_test(test_link_short_header),
		cmocka_unit_test(test_link_address_too_long),
		cmocka_unit_test(test_link_bad_xdp_mode),
		cmocka_unit_test(test_link_kind_not_terminated),
		cmocka_unit_test(test_channels_veth),
		cmocka_unit_test(test_channels_combined),
		cmocka_unit_test(test_channels_bad),
		cmocka_unit_test(test_xdp_features),
		cmocka_unit_test(test_xdp_features_bad),
		cmocka_unit_test(test_genl_family),
		cmocka_unit_test(test_ack_extack),
		cmocka_unit_test(test_ack_plain),
		cmocka_unit_test(test_ack_bad),
		cmocka_unit_test(test_datagram_dump),
		cmocka_unit_test(test_datagram_truncated),
		cmocka_unit_test(test_datagram_bad_member),
		cmocka_unit_test(test_done_error_and_intr),
		cmocka_unit_test(test_errmsg_wraps_itself),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
