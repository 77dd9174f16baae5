// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * The discovery handle: an rtnetlink socket, a generic-netlink socket, and the
 * generic-netlink families resolved on them (ids are per boot, looked up once).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>

#include "xnl.h"

#define XNL_MAX_FAMILIES 4

struct xnl {
	struct xnl_sock *route;
	struct xnl_sock *genl;
	struct {
		char name[GENL_NAMSIZ];
		int id;			/* > 0, or -ENOENT when the kernel has none */
	} fam[XNL_MAX_FAMILIES];
};

int xnl_open(struct xnl **out)
{
	struct xnl *x;
	int err;

	*out = NULL;
	x = calloc(1, sizeof(*x));
	if (!x)
		return xnl_seterr(-ENOMEM, "out of memory for the netlink handle");
	err = xnl_sock_open(&x->route, NETLINK_ROUTE, NULL);
	if (err)
		goto err_free;
	err = xnl_sock_open(&x->genl, NETLINK_GENERIC, NULL);
	if (err)
		goto err_route;
	*out = x;
	return 0;

err_route:
	xnl_sock_close(x->route);
err_free:
	free(x);
	return err;
}

void xnl_close(struct xnl *x)
{
	if (!x)
		return;
	xnl_sock_close(x->genl);
	xnl_sock_close(x->route);
	free(x);
}

struct xnl_sock *xnl__route(struct xnl *x)
{
	return x->route;
}

struct xnl_sock *xnl__genl(struct xnl *x)
{
	return x->genl;
}

static const struct xnl_policy ctrl_policy[CTRL_ATTR_MAX + 1] = {
	[CTRL_ATTR_FAMILY_ID] = { "CTRL_ATTR_FAMILY_ID", MNL_TYPE_U16, 0 },
	[CTRL_ATTR_FAMILY_NAME] = { "CTRL_ATTR_FAMILY_NAME", MNL_TYPE_NUL_STRING, GENL_NAMSIZ },
};

int xnl_genl_family_parse(const struct nlmsghdr *nlh, uint16_t *id)
{
	const struct nlattr *tb[CTRL_ATTR_MAX + 1];
	int err;

	err = xnl_attrs_parse_msg(nlh, sizeof(struct genlmsghdr), "CTRL_CMD_NEWFAMILY", ctrl_policy, CTRL_ATTR_MAX,
				  tb);
	if (err)
		return err;
	if (!tb[CTRL_ATTR_FAMILY_ID] || !mnl_attr_get_u16(tb[CTRL_ATTR_FAMILY_ID]))
		return xnl_seterr(-EBADMSG, "malformed CTRL_CMD_NEWFAMILY from the kernel: no CTRL_ATTR_FAMILY_ID");
	*id = mnl_attr_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	return 0;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	return xnl_genl_family_parse(nlh, data);
}

static int family_resolve(struct xnl *x, const char *name)
{
	char buf[256] __attribute__((aligned(4)));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;
	uint16_t id = 0;
	int err;

	nlh->nlmsg_type = GENL_ID_CTRL;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, name);
	err = xnl_sock_request(x->genl, nlh, family_cb, &id);
	if (err == -ENOENT)
		return xnl_seterr(-ENOENT, "this kernel has no '%s' generic netlink family", name);
	if (err)
		return xnl_seterr(err, "cannot resolve generic netlink family '%s': %s", name, xnl_errmsg());
	if (!id)
		return xnl_seterr(-EPROTO, "the kernel acknowledged the lookup of family '%s' but sent no id", name);
	return id;
}

int xnl_genl_family(struct xnl *x, const char *name)
{
	int i, id;

	for (i = 0; i < XNL_MAX_FAMILIES && x->fam[i].name[0]; i++) {
		if (!strcmp(x->fam[i].name, name)) {
			if (x->fam[i].id < 0)
				return xnl_seterr(x->fam[i].id, "this kernel has no '%s' generic netlink family", name);
			return x->fam[i].id;
		}
	}
	id = family_resolve(x, name);
	/* Remember the answer (an absent family too), unless it was a transient failure. */
	if ((id > 0 || id == -ENOENT) && i < XNL_MAX_FAMILIES) {
		snprintf(x->fam[i].name, sizeof(x->fam[i].name), "%s", name);
		x->fam[i].id = id;
	}
	return id;
}
