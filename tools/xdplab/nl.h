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

/* ---- ethtool (ioctl on a socket of the namespace) -------------------------------------------------- */

int xl_ethtool_gro_set(int fd, const char *ifname, bool on);
/* 1 on, 0 off, -errno. */
int xl_ethtool_gro_get(int fd, const char *ifname);
/* The usable ("real") RX and TX queues, which the kernel may keep below the allocated ones. */
int xl_ethtool_channels_get(int fd, const char *ifname, unsigned int *rx, unsigned int *tx);
int xl_ethtool_channels_set(int fd, const char *ifname, unsigned int rx, unsigned int tx);

#endif
