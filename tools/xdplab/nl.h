/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * rtnetlink for xdplab, on libnl-route-3: the objects a lab file asks for (built without I/O, so that
 * unit tests can look at the messages) and the requests that create, change and delete them.
 *
 * A netlink socket stays bound to the network namespace it was created in, so each node gets its own
 * (struct xl_ns), opened by a thread that entered the namespace; the main thread then uses it freely.
 */
#ifndef XDPLAB_NL_H
#define XDPLAB_NL_H

#include <stdbool.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/addr.h>
#include <netlink/route/neighbour.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/route.h>

#include "lab.h"

struct xl_nl {
	struct nl_sock *sk;
	int err;		/* errno of the last NLMSG_ERROR the kernel sent, 0 if none */
	char ext[256];		/* its extended-ack message, "" if none */
};

/* Handles into one namespace. */
struct xl_ns {
	int fd;			/* the namespace itself, -1 when not open */
	struct xl_nl nl;	/* route socket bound to it */
	int ioctl_fd;		/* datagram socket bound to it, for ethtool ioctls */
};

/* Open a route socket in the calling thread's namespace (extended acks on).  0 or -errno. */
int xl_nl_open(struct xl_nl *nl);
void xl_nl_close(struct xl_nl *nl);

/* Open /run/netns/@name and the sockets inside it.  0, -ENOENT when it does not exist, -errno. */
int xl_ns_open(struct xl_ns *ns, const char *name);
/* Close what is open; accepts a zeroed or half-opened handle when fd was set to -1 first. */
void xl_ns_close(struct xl_ns *ns);
void xl_ns_init(struct xl_ns *ns);

/* ---- builders: no I/O ---------------------------------------------------------------------------- */

/*
 * The veth pair whose first end is @a: both ends named, placed (IFLA_NET_NS_FD @nsfd_a on the link,
 * @nsfd_b inside VETH_INFO_PEER), with their MTU, MAC and queue counts.  NULL on ENOMEM.
 * Release with rtnl_link_put().
 */
struct rtnl_link *xl_nl_veth(const struct xl_lab *lab, int a, int nsfd_a, int nsfd_b);
/* Macvlan @i on the interface @parent_ifindex of the same namespace.  NULL on ENOMEM. */
struct rtnl_link *xl_nl_macvlan(const struct xl_lab *lab, int i, int parent_ifindex);
/* Address @a on @ifindex; IPv6 ones without duplicate address detection (usable at once).  NULL on ENOMEM. */
struct rtnl_addr *xl_nl_addr(const struct xl_addr *a, int ifindex);
/* Bridge @i: its name, MTU and MAC.  NULL on ENOMEM. */
struct rtnl_link *xl_nl_bridge(const struct xl_lab *lab, int i);
/*
 * Route @r of @lab in the main table, protocol static, with its next hop on @ifindex (0: the
 * kernel finds the link from the gateway).  NULL on ENOMEM.  Release with rtnl_route_put().
 */
struct rtnl_route *xl_nl_route(const struct xl_route *r, int ifindex);
/* The permanent neighbour @n on @ifindex.  NULL on ENOMEM.  Release with rtnl_neigh_put(). */
struct rtnl_neigh *xl_nl_neigh(const struct xl_neigh *n, int ifindex);
/*
 * Interface @i's queueing discipline on @ifindex: netem at the root when it has a delay or a loss,
 * else tbf (*@child NULL); with both, tbf is netem's child (*@child, parent 1:1).  0, or -ENOMEM.
 * Release both with rtnl_qdisc_put().
 */
int xl_nl_qdisc(const struct xl_lab *lab, int i, int ifindex, struct rtnl_qdisc **root, struct rtnl_qdisc **child);
/* The change that sets IFF_UP on @ifindex, and the alias @alias unless NULL.  Release both with rtnl_link_put(). */
int xl_nl_up_change(int ifindex, const char *alias, struct rtnl_link **orig, struct rtnl_link **change);

/* ---- requests: 0 or -errno; xl_errmsg() has the kernel's words (extack when it sent some) ---------- */

/* RTM_NEWLINK with NLM_F_CREATE | NLM_F_EXCL. */
int xl_nl_link_add(struct xl_nl *nl, struct rtnl_link *link);
/* Delete @ifname; -ENODEV when there is none. */
int xl_nl_link_del(struct xl_nl *nl, const char *ifname);
/* ifindex of @ifname (> 0), -ENODEV when there is none. */
int xl_nl_ifindex(struct xl_nl *nl, const char *ifname);
/* The alias of @ifname into @buf ("" when it has none).  0, -ENODEV when there is no @ifname, -errno. */
int xl_nl_ifalias(struct xl_nl *nl, const char *ifname, char *buf, size_t len);
int xl_nl_addr_add(struct xl_nl *nl, struct rtnl_addr *addr);
/* Bring @ifindex up, setting @alias too unless NULL. */
int xl_nl_link_up(struct xl_nl *nl, int ifindex, const char *alias);
/* Set the MTU of @ifindex as 'ip link set mtu' does (a bridge then keeps it as its ports come and go). */
int xl_nl_link_mtu(struct xl_nl *nl, int ifindex, unsigned int mtu);
/* Make @ifindex a port of the bridge @master. */
int xl_nl_link_master(struct xl_nl *nl, int ifindex, int master);
/* RTM_NEWROUTE, RTM_NEWNEIGH, RTM_NEWQDISC with NLM_F_CREATE | NLM_F_EXCL. */
int xl_nl_route_add(struct xl_nl *nl, struct rtnl_route *route);
int xl_nl_neigh_add(struct xl_nl *nl, struct rtnl_neigh *neigh);
int xl_nl_qdisc_add(struct xl_nl *nl, struct rtnl_qdisc *qdisc);

/* Before a request of one's own: forget the previous answer.  Then a libnl result as -errno, with
 * the kernel's words (its extended ack when it sent one) in xl_errmsg(). */
void xl_nl_reset(struct xl_nl *nl);
int xl_nl_result(struct xl_nl *nl, int nle);

/* ---- ethtool (ioctl on a socket of the namespace) -------------------------------------------------- */

int xl_ethtool_gro_set(int fd, const char *ifname, bool on);
/* 1 on, 0 off, -errno. */
int xl_ethtool_gro_get(int fd, const char *ifname);
/* The usable ("real") RX and TX queues, which the kernel may keep below the allocated ones. */
int xl_ethtool_channels_get(int fd, const char *ifname, unsigned int *rx, unsigned int *tx);
int xl_ethtool_channels_set(int fd, const char *ifname, unsigned int rx, unsigned int tx);
/*
 * Set the offload switches @offs[0..@n) on @ifname, as `ethtool -K` does (short names such as tx or
 * tso stand for the features they cover; later switches win over earlier ones), then read them back.
 * 0; -ENOENT when a name is no feature of the device, -EOPNOTSUPP when the device will not change
 * one (fixed), -EAGAIN when the kernel kept one as it was (it depends on another); -errno.  All
 * with xl_errmsg() naming the switch and what the kernel has, and *@bad its index (-1: none).  @done (may be NULL, @len bytes)
 * receives the features that changed, e.g. "tx-checksum-ip-generic off, tx-tcp-segmentation off".
 */
int xl_ethtool_offloads_set(int fd, const char *ifname, const struct xl_offload *offs, int n, int *bad, char *done,
			    size_t len);

#endif
