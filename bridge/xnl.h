/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * xdpbridge's view of the network interfaces, over netlink only (libmnl), in the
 * calling thread's network namespace:
 *
 *   links      RTM_GETLINK dump: index, name, MAC, MTU, state, kind, attached XDP program
 *   queues     current channel counts: ethtool genl -> ethtool ioctl -> IFLA_NUM_*_QUEUES
 *   xdp        what XDP the driver can do before anything is attached (netdev genl)
 *   driver     ETHTOOL_GDRVINFO: the one ioctl, since no netlink family reports the driver
 *   monitor    RTM_NEWLINK / RTM_DELLINK events for a daemon's poll loop
 *
 * Conventions: int functions return 0 (or a count) on success and a negative errno on
 * failure, with errno set and a sentence naming the cause in xnl_errmsg() (nl.h).
 * Nothing here prints or exits.  The *_parse() functions take one netlink message as the
 * kernel sent it and never trust its lengths (they are what the unit and fuzz tests feed).
 */
#ifndef XDPBRIDGE_XNL_H
#define XDPBRIDGE_XNL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>

#include "nl.h"

/* ---- the discovery handle ------------------------------------------------ */

struct xnl;

/**
 * xnl_open() - sockets for discovery (rtnetlink, generic netlink) in the calling thread's
 * network namespace.  Generic-netlink families are resolved on first use.
 * Return: 0 or -errno.
 */
int xnl_open(struct xnl **x);
/** xnl_close() - NULL-safe. */
void xnl_close(struct xnl *x);

/**
 * xnl_genl_family() - the id of generic-netlink family @name ("ethtool", "netdev"),
 * resolved once per handle.  Return: the id (> 0), or -ENOENT when this kernel has no such
 * family (a sentence says so), or another -errno.
 */
int xnl_genl_family(struct xnl *x, const char *name);

/** xnl_genl_family_parse() - the CTRL_ATTR_FAMILY_ID of a CTRL_CMD_NEWFAMILY reply. */
int xnl_genl_family_parse(const struct nlmsghdr *nlh, uint16_t *id);

/* Internal to the module: the handle's sockets. */
struct xnl_sock *xnl__route(struct xnl *x);
struct xnl_sock *xnl__genl(struct xnl *x);

/* ---- links --------------------------------------------------------------- */

/* The XDP program(s) attached to a link (IFLA_XDP). */
struct xnl_xdp_prog {
	uint8_t attached;	/* XDP_ATTACHED_NONE, _DRV, _SKB, _HW or _MULTI */
	uint32_t prog_id;	/* IFLA_XDP_PROG_ID: the program when exactly one is attached */
	uint32_t drv_prog_id;	/* per mode; several at once only with XDP_ATTACHED_MULTI */
	uint32_t skb_prog_id;
	uint32_t hw_prog_id;
};

struct xnl_link {
	int ifindex;
	char name[IF_NAMESIZE];
	char kind[32];			/* IFLA_INFO_KIND ("veth", "macvlan"); "" when the device has none */
	uint8_t mac[32];		/* IFLA_ADDRESS */
	uint8_t mac_len;		/* 0: the device has no link-layer address (tun) */
	uint32_t mtu;
	uint8_t operstate;		/* IF_OPER_* */
	uint32_t flags;			/* IFF_* (IFF_UP, IFF_LOWER_UP, ...) */
	uint16_t type;			/* ARPHRD_* */
	uint32_t num_rx_queues;		/* IFLA_NUM_RX_QUEUES: allocated at creation; 0 when absent */
	uint32_t num_tx_queues;
	int link;			/* IFLA_LINK: peer or lower device (maybe in another namespace); 0 none */
	int32_t link_netnsid;		/* IFLA_LINK_NETNSID: that namespace's id; -1 when it is ours */
	struct xnl_xdp_prog xdp;
	/*
	 * RTM_DELLINK only.  The kernel says the same "deleted" for a link that moved to another
	 * namespace, and adds where it went: IFLA_NEW_NETNSID (and IFLA_NEW_IFINDEX, Linux 4.16+).
	 * A link moved away keeps its XDP program there.
	 */
	bool moved;			/* it left for another namespace; false: deleted (or unknown) */
	int32_t new_netnsid;		/* that namespace's id as ours numbers it; -1 when not assigned */
	int new_ifindex;		/* its index there; 0 when the kernel did not say */
};

/**
 * xnl_link_parse() - one RTM_NEWLINK or RTM_DELLINK message into @l.
 * Return: 0, or -EBADMSG (malformed: truncated, wrong sizes, no IFLA_IFNAME).
 */
int xnl_link_parse(const struct nlmsghdr *nlh, struct xnl_link *l);

/**
 * xnl_links_dump() - every link of the namespace, by ifindex order of the kernel.
 * @links: receives a malloc'd array the caller frees; @n its length.
 */
int xnl_links_dump(struct xnl *x, struct xnl_link **links, size_t *n);
/** As xnl_links_dump() on a given rtnetlink socket (the monitor has its own). */
int xnl_links_dump_sock(struct xnl_sock *s, struct xnl_link **links, size_t *n);

/** xnl_link_kind() - IFLA_INFO_KIND, else "loopback" or "device" (a driver's own netdev, e.g. a NIC). */
const char *xnl_link_kind(const struct xnl_link *l);
/** xnl_link_usable() - up and with carrier: administratively up, operstate UP (or UNKNOWN: no reporting). */
bool xnl_link_usable(const struct xnl_link *l);
/** xnl_operstate_str() - "up", "down", "lowerlayerdown", ... (RFC 2863 names, lower case). */
const char *xnl_operstate_str(uint8_t operstate);
/** xnl_mac_str() - "02:00:00:00:00:01" into @buf (3 * 32 bytes suffice); "" when there is none. */
const char *xnl_mac_str(const struct xnl_link *l, char *buf, size_t len);

/* ---- another namespace, by the id this one gives it (a moved link's IFLA_NEW_NETNSID) ---- */

/**
 * xnl_netns_name() - the name (as 'ip netns' knows it: a file under /run/netns) of the
 * network namespace that the calling thread's namespace numbers @nsid (RTM_GETNSID on each).
 * Return: 0 with the name in @name, -ENOENT when none of those files is that namespace (a
 * container's, or one without a name), or another -errno.
 */
int xnl_netns_name(int32_t nsid, char *name, size_t len);

/**
 * xnl_link_get_netnsid() - link @ifindex of the namespace numbered @nsid, as it is now
 * (RTM_GETLINK with IFLA_TARGET_NETNSID, Linux 4.20+: read only, needs CAP_NET_ADMIN over that
 * namespace).  Return: 0, or -errno (ENODEV: no such link there now).
 */
int xnl_link_get_netnsid(int32_t nsid, int ifindex, struct xnl_link *l);

/* ---- XDP ----------------------------------------------------------------- */

/* NETDEV_XDP_ACT_* bits (linux/netdev.h, 6.3+; Debian 12's headers are 6.1's). */
#define XNL_XDP_ACT_BASIC	(1ull << 0)	/* XDP_ABORTED, DROP, PASS, TX: native XDP works */
#define XNL_XDP_ACT_REDIRECT	(1ull << 1)	/* XDP_REDIRECT out of this device's program */
#define XNL_XDP_ACT_NDO_XMIT	(1ull << 2)	/* can be the target of a redirect (ndo_xdp_xmit) */
#define XNL_XDP_ACT_XSK_ZEROCOPY (1ull << 3)	/* AF_XDP zero-copy */
#define XNL_XDP_ACT_HW_OFFLOAD	(1ull << 4)
#define XNL_XDP_ACT_RX_SG	(1ull << 5)	/* multi-buffer frames in native XDP */
#define XNL_XDP_ACT_NDO_XMIT_SG	(1ull << 6)

/* What a device's driver can do with XDP, before anything is attached (NETDEV_CMD_DEV_GET). */
struct xnl_xdp_features {
	int ifindex;
	uint64_t act;			/* XNL_XDP_ACT_* */
	uint32_t zc_max_segs;		/* NETDEV_A_DEV_XDP_ZC_MAX_SEGS: fragments per zero-copy frame; 0 unknown */
	uint64_t rx_metadata;		/* NETDEV_A_DEV_XDP_RX_METADATA_FEATURES (timestamp, hash, vlan) */
	uint64_t xsk;			/* NETDEV_A_DEV_XSK_FEATURES (tx timestamp, tx checksum, ...) */
};

/** xnl_xdp_prog_parse() - the IFLA_XDP nest of a link.  Return: 0 or -EBADMSG. */
int xnl_xdp_prog_parse(const struct nlattr *nest, struct xnl_xdp_prog *x);

/** xnl_xdp_features_parse() - one netdev dev-get reply.  Return: 0 or -EBADMSG (no ifindex, bad sizes). */
int xnl_xdp_features_parse(const struct nlmsghdr *nlh, struct xnl_xdp_features *f);

/**
 * xnl_xdp_features_dump() - XDP features of every device of the namespace.
 * Return: 0 with a malloc'd array in @v (caller frees), -ENOENT when the kernel has no
 * "netdev" family (before 6.3), or another -errno.
 */
int xnl_xdp_features_dump(struct xnl *x, struct xnl_xdp_features **v, size_t *n);

/** xnl_xdp_act_name() - "basic", "redirect", "ndo-xmit", "xsk-zerocopy", ... for bit @bit; NULL unknown. */
const char *xnl_xdp_act_name(unsigned int bit);
/** xnl_xdp_mode_name() - "native", "generic", "offload", "multi" for XDP_ATTACHED_*; "none". */
const char *xnl_xdp_mode_name(uint8_t attached);

/* ---- queues -------------------------------------------------------------- */

enum xnl_queue_src {
	XNL_QSRC_NONE = 0,	/* nobody answered */
	XNL_QSRC_GENL,		/* ethtool generic netlink, ETHTOOL_MSG_CHANNELS_GET */
	XNL_QSRC_IOCTL,		/* ethtool ioctl ETHTOOL_GCHANNELS (kernels without ethtool netlink) */
	XNL_QSRC_IFLA,		/* IFLA_NUM_RX_QUEUES / IFLA_NUM_TX_QUEUES: allocated, not necessarily in use */
};

/* Channel counts: current (and maximum, 0 when unknown).  A combined channel is one RX + one TX queue. */
struct xnl_queues {
	uint32_t rx, tx, combined, other;
	uint32_t rx_max, tx_max, combined_max, other_max;
	enum xnl_queue_src src;
};

/**
 * xnl_channels_parse() - an ETHTOOL_MSG_CHANNELS_GET_REPLY into @q (src = XNL_QSRC_GENL),
 * and the device it is about into *@ifindex (0 when the header lacks it).
 * Counts the kernel leaves out (their maximum is 0) are 0.  Return: 0 or -EBADMSG.
 */
int xnl_channels_parse(const struct nlmsghdr *nlh, int *ifindex, struct xnl_queues *q);

/**
 * xnl_queues_get() - the current channel counts of @l: ethtool genl first, then the
 * ethtool ioctl, then @l's IFLA_NUM_* counts; q->src says which answered.
 * Return: 0 (q->src NONE when nobody could say) or -errno for a hard failure (e.g. EPERM).
 */
int xnl_queues_get(struct xnl *x, const struct xnl_link *l, struct xnl_queues *q);

/** xnl_queue_src_name() - "genl", "ioctl", "ifla", "none". */
const char *xnl_queue_src_name(enum xnl_queue_src src);

/** xnl_queues_rx(), xnl_queues_tx() - RX (TX) queues in use: rx + combined (tx + combined). */
uint32_t xnl_queues_rx(const struct xnl_queues *q);
uint32_t xnl_queues_tx(const struct xnl_queues *q);

/* ---- the ethtool ioctl (the one exception to "netlink only") ------------- */

/** xnl_ethtool_channels() - ETHTOOL_GCHANNELS on @ifname (src = XNL_QSRC_IOCTL).  -EOPNOTSUPP when unsupported. */
int xnl_ethtool_channels(const char *ifname, struct xnl_queues *q);
/** xnl_ethtool_driver() - ETHTOOL_GDRVINFO's driver name ("veth", "virtio_net") into @buf.  -EOPNOTSUPP when none. */
int xnl_ethtool_driver(const char *ifname, char *buf, size_t len);

/* ---- one interface, everything known about it ------------------------------ */

struct xnl_iface {
	struct xnl_link link;
	char driver[32];		/* "" when the device does not say */
	struct xnl_queues queues;
	bool xdp_known;			/* the netdev family answered for this device */
	struct xnl_xdp_features xdp;
};

/**
 * xnl_ifaces_get() - a snapshot of every interface of the namespace, ordered by ifindex.
 * @v: receives a malloc'd array (caller frees); @n its length.
 * Return: 0 or -errno.  A missing "netdev" family is not an error (xdp_known stays false).
 */
int xnl_ifaces_get(struct xnl *x, struct xnl_iface **v, size_t *n);

/* ---- link monitor -------------------------------------------------------- */

enum xnl_link_event {
	XNL_LINK_NEW,		/* appeared (created, or moved into the namespace) */
	XNL_LINK_UP,		/* became usable: admin up and carrier (xnl_link_usable) */
	XNL_LINK_DOWN,		/* stopped being usable */
	XNL_LINK_CHANGED,	/* still there, but its name, MTU, MAC or XDP program changed */
	XNL_LINK_GONE,		/* deleted, or moved out of the namespace (link->moved) */
};

/*
 * @link: the state after the event; for GONE, the kernel's last word on it (the RTM_DELLINK:
 * link->moved says whether it moved to another namespace, and where), or the last known state
 * when the link was found missing by a re-read after lost events (moved then false).
 */
typedef void (*xnl_link_fn)(enum xnl_link_event ev, const struct xnl_link *link, void *ctx);

struct xnl_monitor;

/**
 * xnl_monitor_open() - watch the links of the calling thread's namespace (RTNLGRP_LINK).
 *
 * Subscribes first, then reads the current links, so no change falls between the two; the
 * links present at open are known (xnl_monitor_link()) but not reported as NEW.  Then
 * poll xnl_monitor_fd() for POLLIN and call xnl_monitor_dispatch(): @fn runs for each
 * transition, from that call.  When the kernel drops events (ENOBUFS under a burst) the
 * monitor re-reads every link and reports the differences, so no transition is missed.
 */
int xnl_monitor_open(struct xnl_monitor **m, xnl_link_fn fn, void *ctx);
/** xnl_monitor_fd() - the fd to poll (non-blocking). */
int xnl_monitor_fd(const struct xnl_monitor *m);
/**
 * xnl_monitor_dispatch() - handle what the kernel has queued, without blocking.
 * Return: events delivered (>= 0) or -errno.
 */
int xnl_monitor_dispatch(struct xnl_monitor *m);
/** xnl_monitor_link() - the last known state of @ifindex, NULL when unknown (valid until the next dispatch). */
const struct xnl_link *xnl_monitor_link(const struct xnl_monitor *m, int ifindex);
/** xnl_monitor_close() - NULL-safe. */
void xnl_monitor_close(struct xnl_monitor *m);
/** xnl_link_event_name() - "new", "up", "down", "changed", "gone". */
const char *xnl_link_event_name(enum xnl_link_event ev);

/* Internal, for tests: apply one RTM_NEWLINK/RTM_DELLINK as if it had arrived; events delivered or -errno. */
int xnl__monitor_msg(struct xnl_monitor *m, const struct nlmsghdr *nlh);

#endif
