// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * How many queues a device uses now.  The answer that matters for AF_XDP is the
 * driver's current channel count (a socket binds to a queue id below it), which
 * ethtool reports; IFLA_NUM_*_QUEUES is only what was allocated at creation, so
 * it is the last resort and says so.
 *
 *   ethtool genl ETHTOOL_MSG_CHANNELS_GET   (Linux 5.6+ with ETHTOOL_NETLINK)
 *     -> ethtool ioctl ETHTOOL_GCHANNELS    (kernels without ethtool netlink)
 *       -> IFLA_NUM_RX_QUEUES / _TX_QUEUES  (drivers without get_channels: lo, tun, ...)
 */
#include <errno.h>
#include <string.h>
#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>

#include "xnl.h"

static const struct xnl_policy chan_policy[ETHTOOL_A_CHANNELS_MAX + 1] = {
	[ETHTOOL_A_CHANNELS_HEADER] = { "ETHTOOL_A_CHANNELS_HEADER", MNL_TYPE_NESTED, 0 },
	[ETHTOOL_A_CHANNELS_RX_MAX] = { "ETHTOOL_A_CHANNELS_RX_MAX", MNL_TYPE_U32, 0 },
	[ETHTOOL_A_CHANNELS_TX_MAX] = { "ETHTOOL_A_CHANNELS_TX_MAX", MNL_TYPE_U32, 0 },
	[ETHTOOL_A_CHANNELS_OTHER_MAX] = { "ETHTOOL_A_CHANNELS_OTHER_MAX", MNL_TYPE_U32, 0 },
	[ETHTOOL_A_CHANNELS_COMBINED_MAX] = { "ETHTOOL_A_CHANNELS_COMBINED_MAX", MNL_TYPE_U32, 0 },
	[ETHTOOL_A_CHANNELS_RX_COUNT] = { "ETHTOOL_A_CHANNELS_RX_COUNT", MNL_TYPE_U32, 0 },
	[ETHTOOL_A_CHANNELS_TX_COUNT] = { "ETHTOOL_A_CHANNELS_TX_COUNT", MNL_TYPE_U32, 0 },
	[ETHTOOL_A_CHANNELS_OTHER_COUNT] = { "ETHTOOL_A_CHANNELS_OTHER_COUNT", MNL_TYPE_U32, 0 },
	[ETHTOOL_A_CHANNELS_COMBINED_COUNT] = { "ETHTOOL_A_CHANNELS_COMBINED_COUNT", MNL_TYPE_U32, 0 },
};

static const struct xnl_policy header_policy[ETHTOOL_A_HEADER_MAX + 1] = {
	[ETHTOOL_A_HEADER_DEV_INDEX] = { "ETHTOOL_A_HEADER_DEV_INDEX", MNL_TYPE_U32, 0 },
	[ETHTOOL_A_HEADER_DEV_NAME] = { "ETHTOOL_A_HEADER_DEV_NAME", MNL_TYPE_NUL_STRING, 0 },
	[ETHTOOL_A_HEADER_FLAGS] = { "ETHTOOL_A_HEADER_FLAGS", MNL_TYPE_U32, 0 },
};

static uint32_t u32_or_0(const struct nlattr *a)
{
	return a ? mnl_attr_get_u32(a) : 0;
}

int xnl_channels_parse(const struct nlmsghdr *nlh, int *ifindex, struct xnl_queues *q)
{
	const struct nlattr *tb[ETHTOOL_A_CHANNELS_MAX + 1], *hdr[ETHTOOL_A_HEADER_MAX + 1];
	int err;

	memset(q, 0, sizeof(*q));
	*ifindex = 0;
	err = xnl_attrs_parse_msg(nlh, sizeof(struct genlmsghdr), "ETHTOOL_MSG_CHANNELS_GET_REPLY", chan_policy,
				  ETHTOOL_A_CHANNELS_MAX, tb);
	if (err)
		return err;
	if (tb[ETHTOOL_A_CHANNELS_HEADER]) {
		err = xnl_attrs_parse_nested(tb[ETHTOOL_A_CHANNELS_HEADER], "ETHTOOL_A_CHANNELS_HEADER", header_policy,
					     ETHTOOL_A_HEADER_MAX, hdr);
		if (err)
			return err;
		*ifindex = (int)u32_or_0(hdr[ETHTOOL_A_HEADER_DEV_INDEX]);
	}
	/* The kernel leaves out a kind of channel whose maximum is 0: then its count is 0 too. */
	q->rx = u32_or_0(tb[ETHTOOL_A_CHANNELS_RX_COUNT]);
	q->tx = u32_or_0(tb[ETHTOOL_A_CHANNELS_TX_COUNT]);
	q->other = u32_or_0(tb[ETHTOOL_A_CHANNELS_OTHER_COUNT]);
	q->combined = u32_or_0(tb[ETHTOOL_A_CHANNELS_COMBINED_COUNT]);
	q->rx_max = u32_or_0(tb[ETHTOOL_A_CHANNELS_RX_MAX]);
	q->tx_max = u32_or_0(tb[ETHTOOL_A_CHANNELS_TX_MAX]);
	q->other_max = u32_or_0(tb[ETHTOOL_A_CHANNELS_OTHER_MAX]);
	q->combined_max = u32_or_0(tb[ETHTOOL_A_CHANNELS_COMBINED_MAX]);
	q->src = XNL_QSRC_GENL;
	return 0;
}

struct chan_req {
	int ifindex;
	bool got;
	struct xnl_queues *q;
};

static int channels_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	struct chan_req *r = data;
	struct xnl_queues q;
	int ifindex, err;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*g) || g->cmd != ETHTOOL_MSG_CHANNELS_GET_REPLY)
		return 0;
	err = xnl_channels_parse(nlh, &ifindex, &q);
	if (err)
		return err;
	if (ifindex && ifindex != r->ifindex)
		return 0;
	*r->q = q;
	r->got = true;
	return 0;
}

/* 0 with r.got, -EOPNOTSUPP (driver or kernel cannot say: fall back), or another -errno. */
static int queues_genl(struct xnl *x, const struct xnl_link *l, struct xnl_queues *q)
{
	char buf[256] __attribute__((aligned(4)));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct chan_req r = { .ifindex = l->ifindex, .q = q };
	struct genlmsghdr *g;
	struct nlattr *nest;
	int fam, err;

	fam = xnl_genl_family(x, ETHTOOL_GENL_NAME);
	if (fam < 0)
		return fam == -ENOENT ? -EOPNOTSUPP : fam;
	nlh->nlmsg_type = (uint16_t)fam;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = ETHTOOL_MSG_CHANNELS_GET;
	g->version = ETHTOOL_GENL_VERSION;
	nest = mnl_attr_nest_start(nlh, ETHTOOL_A_CHANNELS_HEADER);
	mnl_attr_put_u32(nlh, ETHTOOL_A_HEADER_DEV_INDEX, (uint32_t)l->ifindex);
	mnl_attr_nest_end(nlh, nest);
	err = xnl_sock_request(xnl__genl(x), nlh, channels_cb, &r);
	if (err == -EOPNOTSUPP)
		return err;
	if (err)
		return xnl_seterr(err, "cannot read the channel counts of %s (ETHTOOL_MSG_CHANNELS_GET): %s", l->name,
				  xnl_errmsg());
	if (!r.got)
		return xnl_seterr(-EPROTO, "the kernel acknowledged ETHTOOL_MSG_CHANNELS_GET for %s without a reply",
				  l->name);
	return 0;
}

int xnl_queues_get(struct xnl *x, const struct xnl_link *l, struct xnl_queues *q)
{
	int err;

	memset(q, 0, sizeof(*q));
	err = queues_genl(x, l, q);
	if (err == -EOPNOTSUPP)
		err = xnl_ethtool_channels(l->name, q);
	if (err && err != -EOPNOTSUPP)
		return err;
	/* A driver with get_channels may still report nothing at all: not an answer. */
	if (!err && (xnl_queues_rx(q) || xnl_queues_tx(q)))
		return 0;
	memset(q, 0, sizeof(*q));
	if (l->num_rx_queues || l->num_tx_queues) {
		q->rx = l->num_rx_queues;
		q->tx = l->num_tx_queues;
		q->src = XNL_QSRC_IFLA;
	}
	return 0;
}

const char *xnl_queue_src_name(enum xnl_queue_src src)
{
	switch (src) {
	case XNL_QSRC_GENL:
		return "genl";
	case XNL_QSRC_IOCTL:
		return "ioctl";
	case XNL_QSRC_IFLA:
		return "ifla";
	default:
		return "none";
	}
}

uint32_t xnl_queues_rx(const struct xnl_queues *q)
{
	return q->rx + q->combined;
}

uint32_t xnl_queues_tx(const struct xnl_queues *q)
{
	return q->tx + q->combined;
}
