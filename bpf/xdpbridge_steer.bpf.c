// SPDX-License-Identifier: (MIT OR Apache-2.0) AND GPL-2.0-only
/*
 * The steering program of `xdpbridge tap` and `xdpbridge tun` (loaded by bridge/tun_steer.c
 * as a libbpf skeleton; the maps are described in xdpbridge_steer.h).
 *
 * Each frame of a queue the bridge serves goes into that queue's AF_XDP socket, or to the
 * kernel:
 *
 *   tun   IPv4/IPv6 unicast for IF's MAC (or multicast/broadcast) matching a --match rule
 *         (all of them without rules) -> socket.  ARP, IPv6 router and neighbour discovery
 *         (ICMPv6 133-137) and every other ethertype -> kernel: a TUN cannot answer them, and
 *         the host must keep resolving its neighbours for the bridge to find next hops.
 *   tap   without --match, everything -> socket: the TAP is a host on the wire and answers its
 *         own ARP.  With --match, frames matching a rule -> socket; ARP and neighbour
 *         solicitations/advertisements follow the addresses they ask about (their target in a
 *         rule's dst prefix -> socket, else kernel), so the TAP's neighbours still find it while
 *         the host keeps its own; other ethertypes -> kernel.
 *
 * Headers are parsed only as far as the rules need, every access bounds-checked; a frame too
 * short for its own headers goes to the kernel, which decides what to do with it.
 */
#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "xdpbridge_steer.h"

#define ETH_P_8021Q_ 0x8100
#define ICMPV6_RS 133
#define ICMPV6_REDIRECT 137
#define ICMPV6_NS 135
#define ICMPV6_NA 136
#define IPV6_EXT_MAX 4		/* extension headers skipped before giving up on the L4 header */

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 64);	/* set to the device's queue count at load time */
	__type(key, __u32);
	__type(value, __u32);
} xb_xsks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xb_steer_cfg);
} xb_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XB_ST_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} xb_stats SEC(".maps");

/* What the rules look at. */
struct pkt {
	__u32 saddr[4], daddr[4];
	__u8 family;		/* 4 or 6 */
	__u8 proto;
	bool ports;		/* sport/dport are valid (TCP, UDP, SCTP, UDP-Lite; not a later fragment) */
	__u16 sport, dport;
};

static __always_inline int count(__u32 stat, int action)
{
	__u64 *c = bpf_map_lookup_elem(&xb_stats, &stat);

	if (c)
		(*c)++;		/* per-CPU: no atomic needed */
	return action;
}

static __always_inline int steer(struct xdp_md *ctx)
{
	__u32 q = ctx->rx_queue_index;

	/* A queue the bridge does not serve keeps its traffic with the kernel. */
	if (!bpf_map_lookup_elem(&xb_xsks, &q))
		return count(XB_ST_NO_SOCKET, XDP_PASS);
	count(XB_ST_STEERED, 0);
	return bpf_redirect_map(&xb_xsks, q, XDP_PASS);
}

static __always_inline bool mac_eq(const __u8 *a, const __u8 *b)
{
	return !((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) | (a[3] ^ b[3]) | (a[4] ^ b[4]) | (a[5] ^ b[5]));
}

static __always_inline bool prefix_match(const __u32 *a, const __u32 *pfx, const __u32 *mask)
{
	return (a[0] & mask[0]) == pfx[0] && (a[1] & mask[1]) == pfx[1] && (a[2] & mask[2]) == pfx[2] &&
	       (a[3] & mask[3]) == pfx[3];
}

static __always_inline bool rule_match(const struct xb_steer_rule *r, const struct pkt *p)
{
	if (r->family && r->family != p->family)
		return false;
	if ((r->fields & XB_RULE_DST) && !prefix_match(p->daddr, r->dst, r->dst_mask))
		return false;
	if ((r->fields & XB_RULE_SRC) && !prefix_match(p->saddr, r->src, r->src_mask))
		return false;
	if ((r->fields & XB_RULE_PROTO) && r->proto != p->proto)
		return false;
	if ((r->fields & XB_RULE_DPORT) && (!p->ports || p->dport < r->dport_lo || p->dport > r->dport_hi))
		return false;
	if ((r->fields & XB_RULE_SPORT) && (!p->ports || p->sport < r->sport_lo || p->sport > r->sport_hi))
		return false;
	return true;
}

static __always_inline bool rules_match(const struct xb_steer_cfg *cfg, const struct pkt *p)
{
	int i;

	for (i = 0; i < XB_STEER_MAX_RULES; i++) {
		if (i >= cfg->nrules)
			break;
		if (rule_match(&cfg->rule[i], p))
			return true;
	}
	return false;
}

/* ARP or ND about p->daddr (the target): does a rule's dst prefix claim that address? */
static __always_inline bool target_match(const struct xb_steer_cfg *cfg, const struct pkt *p)
{
	int i;

	for (i = 0; i < XB_STEER_MAX_RULES; i++) {
		const struct xb_steer_rule *r = &cfg->rule[i];

		if (i >= cfg->nrules)
			break;
		if ((r->fields & XB_RULE_DST) && r->family == p->family && prefix_match(p->daddr, r->dst, r->dst_mask))
			return true;
	}
	return false;
}

static __always_inline void l4_ports(struct pkt *p, void *l4, void *end)
{
	__be16 *ports = l4;

	if (p->proto != IPPROTO_TCP && p->proto != IPPROTO_UDP && p->proto != IPPROTO_SCTP &&
	    p->proto != IPPROTO_UDPLITE)
		return;
	if ((void *)(ports + 2) > end)
		return;
	p->sport = bpf_ntohs(ports[0]);
	p->dport = bpf_ntohs(ports[1]);
	p->ports = true;
}

/* ARP in tap mode with rules: steered when its target address is one the rules claim. */
static __always_inline int on_arp(struct xdp_md *ctx, const struct xb_steer_cfg *cfg, void *l3, void *end)
{
	struct pkt p = { .family = 4 };
	__u8 *a = l3;

	if (cfg->mode == XB_STEER_TUN)
		return count(XB_ST_ARP_ND, XDP_PASS);
	if (!cfg->nrules)
		return steer(ctx);
	/* Ethernet/IPv4 ARP: htype 1, ptype 0x0800, hlen 6, plen 4; the target address at 24. */
	if ((void *)(a + 28) > end)
		return count(XB_ST_SHORT, XDP_PASS);
	if (a[0] != 0 || a[1] != 1 || a[2] != 0x08 || a[3] != 0 || a[4] != 6 || a[5] != 4)
		return count(XB_ST_ARP_ND, XDP_PASS);
	__builtin_memcpy(&p.daddr[0], a + 24, 4);
	return target_match(cfg, &p) ? steer(ctx) : count(XB_ST_ARP_ND, XDP_PASS);
}

static __always_inline int on_ipv4(struct xdp_md *ctx, const struct xb_steer_cfg *cfg, void *l3, void *end)
{
	struct iphdr *ip = l3;
	struct pkt p = { .family = 4 };
	__u32 ihl;

	if ((void *)(ip + 1) > end)
		return count(XB_ST_SHORT, XDP_PASS);
	ihl = ip->ihl * 4;
	if (ip->version != 4 || ihl < sizeof(*ip))
		return count(XB_ST_SHORT, XDP_PASS);
	/* Options cut by the end of the frame: too short for its own header, like the cases above. */
	if ((void *)ip + ihl > end)
		return count(XB_ST_SHORT, XDP_PASS);
	if (!cfg->nrules)
		return steer(ctx);
	p.proto = ip->protocol;
	p.saddr[0] = ip->saddr;
	p.daddr[0] = ip->daddr;
	/* Only the first fragment carries the ports. */
	if (!(ip->frag_off & bpf_htons(0x1fff)))
		l4_ports(&p, (void *)ip + ihl, end);
	return rules_match(cfg, &p) ? steer(ctx) : count(XB_ST_NO_MATCH, XDP_PASS);
}

static __always_inline int on_ipv6(struct xdp_md *ctx, const struct xb_steer_cfg *cfg, void *l3, void *end)
{
	struct ipv6hdr *ip6 = l3;
	struct pkt p = { .family = 6 };
	bool later_fragment = false;
	__u8 *cur, nexthdr;
	int i;

	if ((void *)(ip6 + 1) > end)
		return count(XB_ST_SHORT, XDP_PASS);
	cur = (__u8 *)(ip6 + 1);
	nexthdr = ip6->nexthdr;
	/*
	 * Hop-by-hop, routing, destination options and fragment headers, a few at most.  After a
	 * later fragment's fragment header comes payload, not headers: its next header is the answer.
	 */
	for (i = 0; i < IPV6_EXT_MAX && !later_fragment; i++) {
		if (nexthdr == IPPROTO_HOPOPTS || nexthdr == IPPROTO_ROUTING || nexthdr == IPPROTO_DSTOPTS) {
			if ((void *)(cur + 2) > end)
				return count(XB_ST_SHORT, XDP_PASS);
			nexthdr = cur[0];
			cur += (cur[1] + 1) * 8;
		} else if (nexthdr == IPPROTO_FRAGMENT) {
			if ((void *)(cur + 8) > end)
				return count(XB_ST_SHORT, XDP_PASS);
			nexthdr = cur[0];
			later_fragment = (cur[2] << 8 | cur[3]) & ~7;
			cur += 8;
		} else {
			break;
		}
		/* A header longer than what is left of the frame is cut (its first bytes fit). */
		if ((void *)cur > end)
			return count(XB_ST_SHORT, XDP_PASS);
	}
	if (nexthdr == IPPROTO_ICMPV6 && !later_fragment) {
		if ((void *)(cur + 1) > end)
			return count(XB_ST_SHORT, XDP_PASS);
		if (cur[0] >= ICMPV6_RS && cur[0] <= ICMPV6_REDIRECT) {
			if (cfg->mode == XB_STEER_TUN)
				return count(XB_ST_ARP_ND, XDP_PASS);
			if (!cfg->nrules)
				return steer(ctx);
			if (cur[0] != ICMPV6_NS && cur[0] != ICMPV6_NA)
				return count(XB_ST_ARP_ND, XDP_PASS);
			/* The target address follows type, code, checksum and 4 bytes of flags. */
			if ((void *)(cur + 24) > end)
				return count(XB_ST_SHORT, XDP_PASS);
			__builtin_memcpy(p.daddr, cur + 8, 16);
			return target_match(cfg, &p) ? steer(ctx) : count(XB_ST_ARP_ND, XDP_PASS);
		}
	}
	if (!cfg->nrules)
		return steer(ctx);
	__builtin_memcpy(p.saddr, &ip6->saddr, 16);
	__builtin_memcpy(p.daddr, &ip6->daddr, 16);
	p.proto = nexthdr;
	if (!later_fragment)
		l4_ports(&p, cur, end);
	return rules_match(cfg, &p) ? steer(ctx) : count(XB_ST_NO_MATCH, XDP_PASS);
}

SEC("xdp")
int xdpbridge_steer(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct xb_steer_cfg *cfg;
	__u32 zero = 0;
	__u16 proto;

	cfg = bpf_map_lookup_elem(&xb_cfg, &zero);
	if (!cfg)
		return XDP_PASS;
	if ((void *)(eth + 1) > end)
		return count(XB_ST_SHORT, XDP_PASS);
	proto = bpf_ntohs(eth->h_proto);
	if (cfg->mode == XB_STEER_TUN && !(eth->h_dest[0] & 1) &&
	    (cfg->mac[0] | cfg->mac[1] | cfg->mac[2] | cfg->mac[3] | cfg->mac[4] | cfg->mac[5]) &&
	    !mac_eq(eth->h_dest, cfg->mac))
		return count(XB_ST_OTHER_HOST, XDP_PASS);
	switch (proto) {
	case ETH_P_ARP:
		return on_arp(ctx, cfg, eth + 1, end);
	case ETH_P_IP:
		return on_ipv4(ctx, cfg, eth + 1, end);
	case ETH_P_IPV6:
		return on_ipv6(ctx, cfg, eth + 1, end);
	default:
		/* VLAN-tagged frames included: a tap takes the whole queue, a tun only plain IP. */
		if (cfg->mode == XB_STEER_TAP && !cfg->nrules)
			return steer(ctx);
		return count(XB_ST_NON_IP, XDP_PASS);
	}
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
