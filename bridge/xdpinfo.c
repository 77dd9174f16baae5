// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * XDP on an interface: what its driver can do (the "netdev" generic-netlink
 * family, NETDEV_CMD_DEV_GET, Linux 6.3+) and what is attached now (the IFLA_XDP
 * nest of a link).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>
#include <linux/if_link.h>

#include "xnl.h"

/*
 * From <linux/netdev.h> (Linux 6.3+, generated from Documentation/netlink/specs/netdev.yaml).
 * Debian 12 ships the 6.1 UAPI headers, which lack it; these values are ABI and never change.
 */
#define NETDEV_FAMILY_NAME "netdev"
#define NETDEV_FAMILY_VERSION 1
#define NETDEV_CMD_DEV_GET 1
enum {
	XNL_NETDEV_A_DEV_IFINDEX = 1,		/* u32 */
	XNL_NETDEV_A_DEV_PAD,
	XNL_NETDEV_A_DEV_XDP_FEATURES,		/* u64, NETDEV_XDP_ACT_* */
	XNL_NETDEV_A_DEV_XDP_ZC_MAX_SEGS,	/* u32 */
	XNL_NETDEV_A_DEV_XDP_RX_METADATA_FEATURES, /* u64 */
	XNL_NETDEV_A_DEV_XSK_FEATURES,		/* u64 */
	XNL_NETDEV_A_DEV_MAX = XNL_NETDEV_A_DEV_XSK_FEATURES,
};

#define XNL_MAX_DEVS (1u << 20)

static const struct xnl_policy dev_policy[XNL_NETDEV_A_DEV_MAX + 1] = {
	[XNL_NETDEV_A_DEV_IFINDEX] = { "NETDEV_A_DEV_IFINDEX", MNL_TYPE_U32, 0 },
	[XNL_NETDEV_A_DEV_XDP_FEATURES] = { "NETDEV_A_DEV_XDP_FEATURES", MNL_TYPE_U64, 0 },
	[XNL_NETDEV_A_DEV_XDP_ZC_MAX_SEGS] = { "NETDEV_A_DEV_XDP_ZC_MAX_SEGS", MNL_TYPE_U32, 0 },
	[XNL_NETDEV_A_DEV_XDP_RX_METADATA_FEATURES] = { "NETDEV_A_DEV_XDP_RX_METADATA_FEATURES", MNL_TYPE_U64, 0 },
	[XNL_NETDEV_A_DEV_XSK_FEATURES] = { "NETDEV_A_DEV_XSK_FEATURES", MNL_TYPE_U64, 0 },
};

static const struct xnl_policy xdp_policy[IFLA_XDP_MAX + 1] = {
	[IFLA_XDP_ATTACHED] = { "IFLA_XDP_ATTACHED", MNL_TYPE_U8, 0 },
	[IFLA_XDP_PROG_ID] = { "IFLA_XDP_PROG_ID", MNL_TYPE_U32, 0 },
	[IFLA_XDP_DRV_PROG_ID] = { "IFLA_XDP_DRV_PROG_ID", MNL_TYPE_U32, 0 },
	[IFLA_XDP_SKB_PROG_ID] = { "IFLA_XDP_SKB_PROG_ID", MNL_TYPE_U32, 0 },
	[IFLA_XDP_HW_PROG_ID] = { "IFLA_XDP_HW_PROG_ID", MNL_TYPE_U32, 0 },
};

int xnl_xdp_prog_parse(const struct nlattr *nest, struct xnl_xdp_prog *x)
{
	const struct nlattr *tb[IFLA_XDP_MAX + 1];
	int err;

	memset(x, 0, sizeof(*x));
	err = xnl_attrs_parse_nested(nest, "IFLA_XDP", xdp_policy, IFLA_XDP_MAX, tb);
	if (err)
		return err;
	if (tb[IFLA_XDP_ATTACHED])
		x->attached = mnl_attr_get_u8(tb[IFLA_XDP_ATTACHED]);
	if (x->attached > XDP_ATTACHED_MULTI)
		return xnl_seterr(-EBADMSG, "malformed IFLA_XDP from the kernel: IFLA_XDP_ATTACHED is %u", x->attached);
	if (tb[IFLA_XDP_PROG_ID])
		x->prog_id = mnl_attr_get_u32(tb[IFLA_XDP_PROG_ID]);
	if (tb[IFLA_XDP_DRV_PROG_ID])
		x->drv_prog_id = mnl_attr_get_u32(tb[IFLA_XDP_DRV_PROG_ID]);
	if (tb[IFLA_XDP_SKB_PROG_ID])
		x->skb_prog_id = mnl_attr_get_u32(tb[IFLA_XDP_SKB_PROG_ID]);
	if (tb[IFLA_XDP_HW_PROG_ID])
		x->hw_prog_id = mnl_attr_get_u32(tb[IFLA_XDP_HW_PROG_ID]);
	/* The kernel sends the per-mode id as well; fill it in when only IFLA_XDP_PROG_ID came. */
	if (x->prog_id && x->attached == XDP_ATTACHED_DRV && !x->drv_prog_id)
		x->drv_prog_id = x->prog_id;
	if (x->prog_id && x->attached == XDP_ATTACHED_SKB && !x->skb_prog_id)
		x->skb_prog_id = x->prog_id;
	if (x->prog_id && x->attached == XDP_ATTACHED_HW && !x->hw_prog_id)
		x->hw_prog_id = x->prog_id;
	return 0;
}

int xnl_xdp_features_parse(const struct nlmsghdr *nlh, struct xnl_xdp_features *f)
{
	const struct nlattr *tb[XNL_NETDEV_A_DEV_MAX + 1];
	int err;

	memset(f, 0, sizeof(*f));
	err = xnl_attrs_parse_msg(nlh, sizeof(struct genlmsghdr), "NETDEV_CMD_DEV_GET reply", dev_policy,
				  XNL_NETDEV_A_DEV_MAX, tb);
	if (err)
		return err;
	if (!tb[XNL_NETDEV_A_DEV_IFINDEX] || (int)mnl_attr_get_u32(tb[XNL_NETDEV_A_DEV_IFINDEX]) <= 0)
		return xnl_seterr(-EBADMSG, "malformed NETDEV_CMD_DEV_GET reply from the kernel: no valid NETDEV_A_DEV_IFINDEX");
	f->ifindex = (int)mnl_attr_get_u32(tb[XNL_NETDEV_A_DEV_IFINDEX]);
	if (tb[XNL_NETDEV_A_DEV_XDP_FEATURES])
		f->act = mnl_attr_get_u64(tb[XNL_NETDEV_A_DEV_XDP_FEATURES]);
	if (tb[XNL_NETDEV_A_DEV_XDP_ZC_MAX_SEGS])
		f->zc_max_segs = mnl_attr_get_u32(tb[XNL_NETDEV_A_DEV_XDP_ZC_MAX_SEGS]);
	if (tb[XNL_NETDEV_A_DEV_XDP_RX_METADATA_FEATURES])
		f->rx_metadata = mnl_attr_get_u64(tb[XNL_NETDEV_A_DEV_XDP_RX_METADATA_FEATURES]);
	if (tb[XNL_NETDEV_A_DEV_XSK_FEATURES])
		f->xsk = mnl_attr_get_u64(tb[XNL_NETDEV_A_DEV_XSK_FEATURES]);
	return 0;
}

struct feat_acc {
	struct xnl_xdp_features *v;
	size_t n, cap;
};

static int features_cb(const struct nlmsghdr *nlh, void *data)
{
	struct feat_acc *acc = data;

	if (acc->n == acc->cap) {
		size_t cap = acc->cap ? acc->cap * 2 : 16;
		struct xnl_xdp_features *v;

		if (cap > XNL_MAX_DEVS)
			return xnl_seterr(-E2BIG, "the kernel listed more than %u devices", XNL_MAX_DEVS);
		v = realloc(acc->v, cap * sizeof(*v));
		if (!v)
			return xnl_seterr(-ENOMEM, "out of memory for %zu devices", cap);
		acc->v = v;
		acc->cap = cap;
	}
	if (xnl_xdp_features_parse(nlh, &acc->v[acc->n]))
		return -errno;
	acc->n++;
	return 0;
}

int xnl_xdp_features_dump(struct xnl *x, struct xnl_xdp_features **v, size_t *n)
{
	char buf[256] __attribute__((aligned(4)));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct feat_acc acc = { 0 };
	struct genlmsghdr *g;
	int fam, err;

	fam = xnl_genl_family(x, NETDEV_FAMILY_NAME);
	if (fam < 0) {
		if (fam == -ENOENT)
			return xnl_seterr(fam, "this kernel has no 'netdev' generic netlink family (Linux 6.3+): "
					       "XDP features unknown");
		return fam;
	}
	nlh->nlmsg_type = (uint16_t)fam;
	nlh->nlmsg_flags = NLM_F_DUMP;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = NETDEV_CMD_DEV_GET;
	g->version = NETDEV_FAMILY_VERSION;
	err = xnl_sock_request(xnl__genl(x), nlh, features_cb, &acc);
	if (err) {
		free(acc.v);
		return xnl_seterr(err, "cannot read XDP features (netdev NETDEV_CMD_DEV_GET): %s", xnl_errmsg());
	}
	*v = acc.v;
	*n = acc.n;
	return 0;
}

const char *xnl_xdp_act_name(unsigned int bit)
{
	static const char *const names[] = {
		"basic", "redirect", "ndo-xmit", "xsk-zerocopy", "hw-offload", "rx-sg", "ndo-xmit-sg",
	};

	return bit < sizeof(names) / sizeof(names[0]) ? names[bit] : NULL;
}

const char *xnl_xdp_mode_name(uint8_t attached)
{
	switch (attached) {
	case XDP_ATTACHED_DRV:
		return "native";
	case XDP_ATTACHED_SKB:
		return "generic";
	case XDP_ATTACHED_HW:
		return "offload";
	case XDP_ATTACHED_MULTI:
		return "multi";
	default:
		return "none";
	}
}
