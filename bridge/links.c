// SPDX-License-Identifier: MIT OR Apache-2.0
/* Links: RTM_NEWLINK / RTM_DELLINK messages into struct xnl_link, and the RTM_GETLINK dump. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <linux/if.h>
#include <linux/if_arp.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "xnl.h"

/* Beyond any real namespace; a reply that long is a runaway. */
#define XNL_MAX_LINKS (1u << 20)

static const struct xnl_policy link_policy[IFLA_MAX + 1] = {
	[IFLA_IFNAME] = { "IFLA_IFNAME", MNL_TYPE_NUL_STRING, IF_NAMESIZE },
	[IFLA_ADDRESS] = { "IFLA_ADDRESS", MNL_TYPE_BINARY, sizeof(((struct xnl_link *)0)->mac) },
	[IFLA_MTU] = { "IFLA_MTU", MNL_TYPE_U32, 0 },
	[IFLA_OPERSTATE] = { "IFLA_OPERSTATE", MNL_TYPE_U8, 0 },
	[IFLA_LINK] = { "IFLA_LINK", MNL_TYPE_U32, 0 },
	[IFLA_LINK_NETNSID] = { "IFLA_LINK_NETNSID", MNL_TYPE_U32, 0 },
	[IFLA_NUM_TX_QUEUES] = { "IFLA_NUM_TX_QUEUES", MNL_TYPE_U32, 0 },
	[IFLA_NUM_RX_QUEUES] = { "IFLA_NUM_RX_QUEUES", MNL_TYPE_U32, 0 },
	[IFLA_LINKINFO] = { "IFLA_LINKINFO", MNL_TYPE_NESTED, 0 },
	[IFLA_XDP] = { "IFLA_XDP", MNL_TYPE_NESTED, 0 },
	[IFLA_NEW_NETNSID] = { "IFLA_NEW_NETNSID", MNL_TYPE_U32, 0 },
	[IFLA_NEW_IFINDEX] = { "IFLA_NEW_IFINDEX", MNL_TYPE_U32, 0 },
};

static const struct xnl_policy linkinfo_policy[IFLA_INFO_MAX + 1] = {
	[IFLA_INFO_KIND] = { "IFLA_INFO_KIND", MNL_TYPE_NUL_STRING, sizeof(((struct xnl_link *)0)->kind) },
};

int xnl_link_parse(const struct nlmsghdr *nlh, struct xnl_link *l)
{
	const struct nlattr *tb[IFLA_MAX + 1], *info[IFLA_INFO_MAX + 1];
	const char *what = nlh->nlmsg_type == RTM_DELLINK ? "RTM_DELLINK" : "RTM_NEWLINK";
	const struct ifinfomsg *ifi;
	int err;

	memset(l, 0, sizeof(*l));
	l->link_netnsid = -1;
	l->new_netnsid = -1;
	err = xnl_attrs_parse_msg(nlh, sizeof(*ifi), what, link_policy, IFLA_MAX, tb);
	if (err)
		return err;
	ifi = mnl_nlmsg_get_payload(nlh);
	if (ifi->ifi_index <= 0)
		return xnl_seterr(-EBADMSG, "malformed %s from the kernel: ifindex %d", what, ifi->ifi_index);
	if (!tb[IFLA_IFNAME])
		return xnl_seterr(-EBADMSG, "malformed %s from the kernel: ifindex %d has no IFLA_IFNAME", what,
				  ifi->ifi_index);
	l->ifindex = ifi->ifi_index;
	l->flags = ifi->ifi_flags;
	l->type = ifi->ifi_type;
	/* The policy bounded it to IF_NAMESIZE bytes, NUL included. */
	snprintf(l->name, sizeof(l->name), "%s", mnl_attr_get_str(tb[IFLA_IFNAME]));
	if (tb[IFLA_ADDRESS]) {
		l->mac_len = (uint8_t)mnl_attr_get_payload_len(tb[IFLA_ADDRESS]);
		memcpy(l->mac, mnl_attr_get_payload(tb[IFLA_ADDRESS]), l->mac_len);
	}
	if (tb[IFLA_MTU])
		l->mtu = mnl_attr_get_u32(tb[IFLA_MTU]);
	l->operstate = tb[IFLA_OPERSTATE] ? mnl_attr_get_u8(tb[IFLA_OPERSTATE]) : IF_OPER_UNKNOWN;
	if (tb[IFLA_LINK])
		l->link = (int)mnl_attr_get_u32(tb[IFLA_LINK]);
	if (tb[IFLA_LINK_NETNSID])
		l->link_netnsid = (int32_t)mnl_attr_get_u32(tb[IFLA_LINK_NETNSID]);
	/* Only a move puts IFLA_NEW_NETNSID in an RTM_DELLINK (-1 when the kernel could not number it). */
	if (nlh->nlmsg_type == RTM_DELLINK && tb[IFLA_NEW_NETNSID]) {
		l->moved = true;
		l->new_netnsid = (int32_t)mnl_attr_get_u32(tb[IFLA_NEW_NETNSID]);
		if (tb[IFLA_NEW_IFINDEX] && (int32_t)mnl_attr_get_u32(tb[IFLA_NEW_IFINDEX]) > 0)
			l->new_ifindex = (int)mnl_attr_get_u32(tb[IFLA_NEW_IFINDEX]);
	}
	if (tb[IFLA_NUM_RX_QUEUES])
		l->num_rx_queues = mnl_attr_get_u32(tb[IFLA_NUM_RX_QUEUES]);
	if (tb[IFLA_NUM_TX_QUEUES])
		l->num_tx_queues = mnl_attr_get_u32(tb[IFLA_NUM_TX_QUEUES]);
	if (tb[IFLA_LINKINFO]) {
		err = xnl_attrs_parse_nested(tb[IFLA_LINKINFO], "IFLA_LINKINFO", linkinfo_policy, IFLA_INFO_MAX, info);
		if (err)
			return err;
		if (info[IFLA_INFO_KIND])
			snprintf(l->kind, sizeof(l->kind), "%s", mnl_attr_get_str(info[IFLA_INFO_KIND]));
	}
	if (tb[IFLA_XDP])
		return xnl_xdp_prog_parse(tb[IFLA_XDP], &l->xdp);
	return 0;
}

struct links_acc {
	struct xnl_link *v;
	size_t n, cap;
};

static int links_cb(const struct nlmsghdr *nlh, void *data)
{
	struct links_acc *acc = data;
	int err;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return 0;
	if (acc->n == acc->cap) {
		size_t cap = acc->cap ? acc->cap * 2 : 16;
		struct xnl_link *v;

		if (cap > XNL_MAX_LINKS)
			return xnl_seterr(-E2BIG, "the kernel listed more than %u links", XNL_MAX_LINKS);
		v = realloc(acc->v, cap * sizeof(*v));
		if (!v)
			return xnl_seterr(-ENOMEM, "out of memory for %zu links", cap);
		acc->v = v;
		acc->cap = cap;
	}
	err = xnl_link_parse(nlh, &acc->v[acc->n]);
	if (err)
		return err;
	acc->n++;
	return 0;
}

int xnl_links_dump_sock(struct xnl_sock *s, struct xnl_link **links, size_t *n)
{
	char buf[256] __attribute__((aligned(4)));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct links_acc acc = { 0 };
	struct ifinfomsg *ifi;
	int err;

	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_DUMP;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	/* Counters are most of each message and we show none of them. */
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	err = xnl_sock_request(s, nlh, links_cb, &acc);
	if (err) {
		free(acc.v);
		return xnl_seterr(err, "cannot list the links (RTM_GETLINK): %s", xnl_errmsg());
	}
	*links = acc.v;
	*n = acc.n;
	return 0;
}

static int link_one_cb(const struct nlmsghdr *nlh, void *data)
{
	return nlh->nlmsg_type == RTM_NEWLINK ? xnl_link_parse(nlh, data) : 0;
}

int xnl_link_get_netnsid(int32_t nsid, int ifindex, struct xnl_link *l)
{
	char buf[256] __attribute__((aligned(4)));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;
	struct xnl_sock *s;
	int err;

	memset(l, 0, sizeof(*l));
	err = xnl_sock_open(&s, NETLINK_ROUTE, NULL);
	if (err)
		return err;
	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	mnl_attr_put_u32(nlh, IFLA_TARGET_NETNSID, (uint32_t)nsid);
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	err = xnl_sock_request(s, nlh, link_one_cb, l);
	xnl_sock_close(s);
	if (!err && !l->ifindex)
		err = xnl_seterr(-ENODEV, "no link %d in the namespace with nsid %d", ifindex, nsid);
	return err;
}

int xnl_links_dump(struct xnl *x, struct xnl_link **links, size_t *n)
{
	return xnl_links_dump_sock(xnl__route(x), links, n);
}

const char *xnl_link_kind(const struct xnl_link *l)
{
	if (l->kind[0])
		return l->kind;
	return l->type == ARPHRD_LOOPBACK ? "loopback" : "device";
}

bool xnl_link_usable(const struct xnl_link *l)
{
	/* UNKNOWN: drivers that never report carrier (lo, some tunnels) count as up when admin up. */
	return (l->flags & IFF_UP) && (l->operstate == IF_OPER_UP || l->operstate == IF_OPER_UNKNOWN);
}

const char *xnl_operstate_str(uint8_t operstate)
{
	static const char *const names[] = {
		[IF_OPER_UNKNOWN] = "unknown",	 [IF_OPER_NOTPRESENT] = "notpresent",
		[IF_OPER_DOWN] = "down",	 [IF_OPER_LOWERLAYERDOWN] = "lowerlayerdown",
		[IF_OPER_TESTING] = "testing",	 [IF_OPER_DORMANT] = "dormant",
		[IF_OPER_UP] = "up",
	};

	return operstate < sizeof(names) / sizeof(names[0]) ? names[operstate] : "unknown";
}

const char *xnl_mac_str(const struct xnl_link *l, char *buf, size_t len)
{
	size_t i, off = 0;

	if (!len)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < l->mac_len && off + 3 <= len; i++)
		off += (size_t)snprintf(buf + off, len - off, i ? ":%02x" : "%02x", l->mac[i]);
	return buf;
}
