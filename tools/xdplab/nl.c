// SPDX-License-Identifier: MIT OR Apache-2.0
/* rtnetlink requests and the objects they carry (see nl.h). */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/link/macvlan.h>

#include "lab.h"
#include "netns.h"
#include "nl.h"

/* ---- the socket --------------------------------------------------------------------------------- */

/*
 * libnl turns the kernel's errno into its own NLE_* codes (EADDRINUSE, ERANGE and more all become
 * "unspecific failure") and drops the extended ack.  Keep both: the kernel's words name the cause.
 */
static int on_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct xl_nl *nl = arg;
	const struct nlmsghdr *h = (const struct nlmsghdr *)((const char *)e - NLMSG_HDRLEN);
	size_t off, payload = 0;

	(void)who;
	nl->err = -e->error;
	nl->ext[0] = '\0';
	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return NL_STOP;
	/* The TLVs follow the error and, unless capped, a copy of our request. */
	if (!(h->nlmsg_flags & NLM_F_CAPPED) && e->msg.nlmsg_len >= NLMSG_HDRLEN)
		payload = e->msg.nlmsg_len - NLMSG_HDRLEN;
	off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(*e) + payload);
	if (off < h->nlmsg_len) {
		struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];

		if (!nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)h + off), (int)(h->nlmsg_len - off),
			       NULL) &&
		    tb[NLMSGERR_ATTR_MSG])
			nla_strlcpy(nl->ext, tb[NLMSGERR_ATTR_MSG], sizeof(nl->ext));
	}
	return NL_STOP;
}

int xl_nl_open(struct xl_nl *nl)
{
	int one = 1, err;

	memset(nl, 0, sizeof(*nl));
	nl->sk = nl_socket_alloc();
	if (!nl->sk)
		return xl_fail(-ENOMEM, "cannot allocate a netlink socket: out of memory");
	err = nl_connect(nl->sk, NETLINK_ROUTE);
	if (err) {
		err = xl_fail(-EIO, "cannot open a route netlink socket: %s", nl_geterror(err));
		goto err_free;
	}
	/* Best effort: without them the kernel's errno still arrives, only its explanation does not. */
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	err = nl_socket_modify_err_cb(nl->sk, NL_CB_CUSTOM, on_error, nl);
	if (err) {
		err = xl_fail(-ENOMEM, "cannot set up the netlink socket: %s", nl_geterror(err));
		goto err_free;
	}
	return 0;
err_free:
	nl_socket_free(nl->sk);
	nl->sk = NULL;
	return err;
}

void xl_nl_close(struct xl_nl *nl)
{
	if (nl->sk)
		nl_socket_free(nl->sk);
	nl->sk = NULL;
}

/* Before a request: forget the previous answer. */
void xl_nl_reset(struct xl_nl *nl)
{
	nl->err = 0;
	nl->ext[0] = '\0';
}

/* A libnl result as -errno, with the kernel's words in xl_errmsg(). */
int xl_nl_result(struct xl_nl *nl, int nle)
{
	if (nle >= 0)
		return 0;
	if (nl->err > 0) {
		if (nl->ext[0])
			return xl_fail(-nl->err, "%s (%s)", nl->ext, strerror(nl->err));
		return xl_fail(-nl->err, "%s", strerror(nl->err));
	}
	if (nle == -NLE_NOMEM)
		return xl_fail(-ENOMEM, "out of memory");
	/* No answer from the kernel: libnl refused the request before sending it, or could not send it. */
	if (nle == -NLE_MISSING_ATTR || nle == -NLE_INVAL || nle == -NLE_MSGSIZE || nle == -NLE_ATTRSIZE ||
	    nle == -NLE_OPNOTSUPP)
		return xl_fail(-EINVAL, "xdplab could not build the request (libnl said: %s): a bug in xdplab, not in the "
			       "lab file; please report it with the file", nl_geterror(nle));
	return xl_fail(-EIO, "the netlink request failed without an answer from the kernel (libnl said: %s)",
		       nl_geterror(nle));
}

/* ---- a namespace's handles ------------------------------------------------------------------------ */

void xl_ns_init(struct xl_ns *ns)
{
	memset(ns, 0, sizeof(*ns));
	ns->fd = -1;
	ns->ioctl_fd = -1;
}

static int open_sockets(void *arg)
{
	struct xl_ns *ns = arg;
	int err;

	/* On the helper thread, inside the namespace: both sockets belong to it from now on. */
	err = xl_nl_open(&ns->nl);
	if (err)
		return err;
	ns->ioctl_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (ns->ioctl_fd < 0) {
		err = xl_fail(-errno, "cannot open a socket for ethtool requests: %s", strerror(errno));
		xl_nl_close(&ns->nl);
	}
	return err;
}

int xl_ns_open(struct xl_ns *ns, const char *name)
{
	int err;

	xl_ns_init(ns);
	ns->fd = xl_netns_open(name);
	if (ns->fd < 0)
		return ns->fd;
	err = xl_netns_run(ns->fd, open_sockets, ns);
	if (err) {
		close(ns->fd);
		ns->fd = -1;
		xl_err("namespace %s: %s", name, xl_errmsg());
	}
	return err;
}

void xl_ns_close(struct xl_ns *ns)
{
	xl_nl_close(&ns->nl);
	if (ns->ioctl_fd >= 0)
		close(ns->ioctl_fd);
	if (ns->fd >= 0)
		close(ns->fd);
	ns->ioctl_fd = -1;
	ns->fd = -1;
}

/* ---- builders ----------------------------------------------------------------------------------- */

/* Name, namespace, MTU, queues and MAC of one interface, on a link or a veth peer. */
static int set_common(struct rtnl_link *link, const struct xl_iface *f, int nsfd)
{
	rtnl_link_set_name(link, f->name);
	if (nsfd >= 0)
		rtnl_link_set_ns_fd(link, nsfd);
	if (f->mtu)
		rtnl_link_set_mtu(link, f->mtu);
	if (f->queues) {
		rtnl_link_set_num_tx_queues(link, f->queues);
		rtnl_link_set_num_rx_queues(link, f->queues);
	}
	if (f->has_mac) {
		struct nl_addr *mac = nl_addr_build(AF_LLC, f->mac, 6);

		if (!mac)
			return -ENOMEM;
		rtnl_link_set_addr(link, mac);	/* takes its own reference */
		nl_addr_put(mac);
	}
	return 0;
}

struct rtnl_link *xl_nl_veth(const struct xl_lab *lab, int a, int nsfd_a, int nsfd_b)
{
	const struct xl_iface *fa = &lab->ifaces[a], *fb = &lab->ifaces[fa->peer];
	struct rtnl_link *link, *peer;
	int err;

	link = rtnl_link_veth_alloc();
	if (!link)
		return NULL;
	peer = rtnl_link_veth_get_peer(link);	/* a reference; the pair owns the peer */
	err = set_common(link, fa, nsfd_a);
	if (!err)
		err = set_common(peer, fb, nsfd_b);
	rtnl_link_put(peer);
	if (err) {
		rtnl_link_put(link);
		return NULL;
	}
	return link;
}

struct rtnl_link *xl_nl_macvlan(const struct xl_lab *lab, int i, int parent_ifindex)
{
	const struct xl_iface *f = &lab->ifaces[i];
	struct rtnl_link *link;

	link = rtnl_link_macvlan_alloc();
	if (!link)
		return NULL;
	/* No namespace fd: it is created by the node's own socket, next to its parent. */
	if (set_common(link, f, -1) || rtnl_link_macvlan_set_mode(link, xl_macvlan_mode_nl(f->mode))) {
		rtnl_link_put(link);
		return NULL;
	}
	rtnl_link_set_link(link, parent_ifindex);
	return link;
}

struct rtnl_addr *xl_nl_addr(const struct xl_addr *a, int ifindex)
{
	struct rtnl_addr *addr;
	struct nl_addr *local;
	int err;

	addr = rtnl_addr_alloc();
	if (!addr)
		return NULL;
	local = nl_addr_build(a->family, a->bytes, a->family == AF_INET ? 4 : 16);
	if (!local) {
		rtnl_addr_put(addr);
		return NULL;
	}
	nl_addr_set_prefixlen(local, a->prefix);
	rtnl_addr_set_ifindex(addr, ifindex);
	err = rtnl_addr_set_local(addr, local);	/* takes the family and prefix length from it */
	nl_addr_put(local);
	if (err) {
		rtnl_addr_put(addr);
		return NULL;
	}
	/* A lab's addresses are unique by construction: waiting a second for DAD would only delay the test. */
	if (a->family == AF_INET6)
		rtnl_addr_set_flags(addr, IFA_F_NODAD);
	return addr;
}

int xl_nl_up_change(int ifindex, const char *alias, struct rtnl_link **orig, struct rtnl_link **change)
{
	*orig = rtnl_link_alloc();
	*change = rtnl_link_alloc();
	if (!*orig || !*change) {
		rtnl_link_put(*orig);
		rtnl_link_put(*change);
		*orig = *change = NULL;
		return -ENOMEM;
	}
	rtnl_link_set_ifindex(*orig, ifindex);
	rtnl_link_set_flags(*change, IFF_UP);
	if (alias)
		rtnl_link_set_ifalias(*change, alias);
	return 0;
}

/* ---- requests ----------------------------------------------------------------------------------- */

int xl_nl_link_add(struct xl_nl *nl, struct rtnl_link *link)
{
	xl_nl_reset(nl);
	return xl_nl_result(nl, rtnl_link_add(nl->sk, link, NLM_F_CREATE | NLM_F_EXCL));
}

int xl_nl_link_del(struct xl_nl *nl, const char *ifname)
{
	struct rtnl_link *link = rtnl_link_alloc();
	int err;

	if (!link)
		return xl_fail(-ENOMEM, "out of memory");
	rtnl_link_set_name(link, ifname);
	xl_nl_reset(nl);
	err = xl_nl_result(nl, rtnl_link_delete(nl->sk, link));
	rtnl_link_put(link);
	return err;
}

int xl_nl_ifindex(struct xl_nl *nl, const char *ifname)
{
	struct rtnl_link *link = NULL;
	int err, ifindex;

	xl_nl_reset(nl);
	err = xl_nl_result(nl, rtnl_link_get_kernel(nl->sk, 0, ifname, &link));
	if (err)
		return err;
	ifindex = rtnl_link_get_ifindex(link);
	rtnl_link_put(link);
	return ifindex > 0 ? ifindex : xl_fail(-ENODEV, "no interface %s", ifname);
}

int xl_nl_ifalias(struct xl_nl *nl, const char *ifname, char *buf, size_t len)
{
	struct rtnl_link *link = NULL;
	const char *alias;
	int err;

	xl_nl_reset(nl);
	err = xl_nl_result(nl, rtnl_link_get_kernel(nl->sk, 0, ifname, &link));
	if (err)
		return err;
	alias = rtnl_link_get_ifalias(link);
	snprintf(buf, len, "%s", alias ? alias : "");
	rtnl_link_put(link);
	return 0;
}

int xl_nl_addr_add(struct xl_nl *nl, struct rtnl_addr *addr)
{
	xl_nl_reset(nl);
	return xl_nl_result(nl, rtnl_addr_add(nl->sk, addr, NLM_F_EXCL));
}

int xl_nl_link_up(struct xl_nl *nl, int ifindex, const char *alias)
{
	struct rtnl_link *orig, *change;
	int err;

	if (xl_nl_up_change(ifindex, alias, &orig, &change))
		return xl_fail(-ENOMEM, "out of memory");
	xl_nl_reset(nl);
	err = xl_nl_result(nl, rtnl_link_change(nl->sk, orig, change, 0));
	rtnl_link_put(orig);
	rtnl_link_put(change);
	return err;
}
