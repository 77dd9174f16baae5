/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * What `xdpbridge tap|tun` tells its XDP program (bpf/xdpbridge_steer.bpf.c) through maps:
 * shared by the program and the bridge (bridge/tun_steer.c), so both see one layout.
 *
 *   xb_cfg    ARRAY[1] of struct xb_steer_cfg: the mode, IF's MAC and the --match rules
 *   xb_xsks   XSKMAP keyed by RX queue: the bridge's AF_XDP sockets
 *   xb_stats  PERCPU_ARRAY[XB_ST_COUNT] of __u64: what the program decided, per cause
 *
 * A frame is steered into the socket of its queue when it matches any rule (rules are ORed,
 * the fields of one rule ANDed); with no rule, every frame is (tap) or every IPv4/IPv6 packet
 * (tun).  The rest goes to the kernel.  The program name is how the bridge recognises a
 * program of its own left behind by a killed bridge.
 */
#ifndef XDPBRIDGE_STEER_H
#define XDPBRIDGE_STEER_H

#include <linux/types.h>

#define XB_STEER_PROG_NAME "xdpbridge_steer"	/* 15 characters: BPF_OBJ_NAME_LEN - 1 */
#define XB_STEER_MAX_RULES 8

enum xb_steer_mode {
	XB_STEER_TAP = 1,	/* Ethernet frames: ARP and ND follow the traffic they serve */
	XB_STEER_TUN = 2,	/* IP packets only: ARP, ND and other ethertypes stay with the kernel */
};

/* xb_steer_rule.fields: which of the rule's fields must match. */
#define XB_RULE_DST	(1u << 0)
#define XB_RULE_SRC	(1u << 1)
#define XB_RULE_PROTO	(1u << 2)
#define XB_RULE_DPORT	(1u << 3)
#define XB_RULE_SPORT	(1u << 4)

/*
 * One --match.  Prefixes are stored pre-masked with their masks, in network byte order
 * (IPv4 in the first 4 bytes), so matching is four AND-and-compare of 32-bit words.
 */
struct xb_steer_rule {
	__u32 fields;		/* XB_RULE_* */
	__u8 family;		/* 4 or 6 when the rule has a prefix (it then matches that family only); 0 any */
	__u8 proto;		/* IPPROTO_* with XB_RULE_PROTO */
	__u16 dport_lo, dport_hi;	/* host byte order, inclusive */
	__u16 sport_lo, sport_hi;
	__u16 pad;
	__u32 dst[4], dst_mask[4];
	__u32 src[4], src_mask[4];
};

struct xb_steer_cfg {
	__u32 mode;		/* enum xb_steer_mode */
	__u32 nrules;		/* 0: no --match */
	__u8 mac[6];		/* IF's MAC (tun: unicast frames for another MAC go to the kernel); 0: unknown */
	__u8 pad[2];
	struct xb_steer_rule rule[XB_STEER_MAX_RULES];
};

/* xb_stats indexes: every frame the program sees lands in exactly one. */
enum xb_steer_stat {
	XB_ST_STEERED = 0,	/* redirected into a socket */
	XB_ST_NO_SOCKET,	/* would be steered, but its queue has no socket: passed */
	XB_ST_NO_MATCH,		/* IPv4/IPv6 matching no --match rule: passed */
	XB_ST_ARP_ND,		/* ARP, or ICMPv6 router/neighbour discovery (133-137): passed */
	XB_ST_NON_IP,		/* another ethertype (tun; tap with --match): passed */
	XB_ST_OTHER_HOST,	/* tun: unicast for another MAC (the kernel drops it too): passed */
	XB_ST_SHORT,		/* truncated headers: passed, the kernel decides */
	XB_ST_COUNT,
};

#endif
