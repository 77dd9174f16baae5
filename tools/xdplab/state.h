/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* What a namespace holds, read from inside it: its interfaces, their settings and addresses. */
#ifndef XDPLAB_STATE_H
#define XDPLAB_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <net/if.h>

#include "lab.h"

#define XL_STATE_LINKS (XL_MAX_IFACES + 8)	/* a lab's interfaces, lo, and a few strangers */
#define XL_STATE_ADDRS 24

struct xl_link_state {
	char name[IFNAMSIZ];
	char kind[16];			/* "veth", "macvlan", ... ; "" when the kernel gives none (lo) */
	int ifindex;
	int link;			/* IFLA_LINK: a macvlan's parent, a veth's peer (in the peer's namespace) */
	unsigned int mtu, rx_queues, tx_queues;	/* queues allocated (IFLA_NUM_*_QUEUES) */
	int usable_rx, usable_tx;	/* of which usable (ethtool channels); -1 when the driver does not say */
	bool has_mac;
	uint8_t mac[6];
	bool up;			/* IFF_UP */
	bool carrier;			/* IFF_LOWER_UP */
	int gro;			/* 1, 0, or -1 when ethtool would not say */
	int mode;			/* macvlan: enum xl_macvlan_mode, -1 otherwise or unknown */
	char parent[IFNAMSIZ];		/* macvlan: its parent's name, "" otherwise */
	int master;			/* IFLA_MASTER: the bridge it is a port of, 0 when none */
	char master_name[IFNAMSIZ];	/* that bridge's name, "" when none */
	int naddrs;			/* IPv6 link-local ones are left out: the kernel makes them, not the file */
	struct {
		int family;
		uint8_t bytes[16];
		char text[64];		/* "198.18.0.1/24" */
	} addrs[XL_STATE_ADDRS];
};

struct xl_ns_state {
	bool present;			/* the namespace exists */
	char alias[64];			/* lo's alias: "xdplab:LAB:NODE" in a lab's namespace */
	bool truncated;			/* more interfaces or addresses than fit */
	int nlinks;
	struct xl_link_state links[XL_STATE_LINKS];
};

/* Read namespace @ns.  0 (with present false when it does not exist) or -errno. */
int xl_state_read(const char *ns, struct xl_ns_state *st);
/* The interface named @name, or NULL. */
const struct xl_link_state *xl_state_link(const struct xl_ns_state *st, const char *name);

#endif
