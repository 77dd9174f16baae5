// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * The steering program of `xdpbridge tap|tun` (bpf/xdpbridge_steer.bpf.c) against a model of
 * its decision written from docs/xdpbridge.md ("Steering", the numbered list), not from the
 * program: a million frames, random and mutated, go through both and must get the same verdict
 * (XDP action) and move the same counter, frame by frame.
 *
 *   the program   loaded, configured and attached to vb (in the lab's namespace B, its peer va
 *                 down so that no real frame runs it) by the bridge's own tun_steer_open(), from
 *                 a command line parsed by tun_cfg_parse(): `tap|tun vb --match ...`; AF_XDP
 *                 sockets (copy mode, XDPSOCK_ATTACH_NONE) on some of vb's 4 queues, inserted
 *                 into its XSKMAP as the bridge's workers do; each frame run once with
 *                 BPF_PROG_TEST_RUN (ctx: vb, RX queue q), its counters read after each run
 *   the model     the numbered rules, on the frame's bytes (the section "the model" below; it
 *                 uses nothing of the program's headers: its rules are its own structs, and
 *                 its outcomes the counter names the doc gives)
 *   the configs   tap and tun, without --match and with 1 to 8 random rules (dst/src prefixes of
 *                 either family with any length, proto by name or number, ports and ranges),
 *                 IF's MAC as opened or changed later (tun_steer_set_mac), random served queues
 *   the frames    random bytes; Ethernet/IPv4 (options, fragments), IPv6 (extension headers,
 *                 fragments, more than 4 of them), ARP, neighbour discovery, VLAN-tagged and
 *                 other ethertypes, with TCP/UDP/SCTP/UDP-Lite/ICMP/ICMPv6 over the addresses
 *                 and ports the rules use; then mutated: cut at (and one byte around) every
 *                 header boundary, bad version or IHL, fields and bytes changed, padding added
 *
 * XDP_REDIRECT into an XSKMAP in a test run: the program's return value is what
 * bpf_redirect_map() returned (XDP_REDIRECT when the queue's entry holds a socket); the test
 * run does not perform the redirect, so the socket receives nothing.
 *
 * Not testable here: frames shorter than an Ethernet header (rule 1 for under 14 bytes), which
 * test runs refuse (the probe below checks that they still do and says so).
 *
 * Environment: STEER_MODEL_SEED (default 1, printed; a failure prints the seed that reproduces
 * it), STEER_MODEL_FRAMES (default 1000000).  Needs root (skips, loudly, without); a kernel that
 * refuses BPF_PROG_RUN skips with KERNEL-REFUSED.  On a disagreement: the first frame of each
 * kind in hex, with the configuration and both verdicts, and exit 1.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdpsock/xdpsock.h>

#include "lab.h"
#include "tun.h"

#define TEST "it_bridge_steer_model"
#define QUEUES 4			/* vb's queues; the XSKMAP holds this many */
#define DEF_FRAMES 1000000u
#define FRAMES_PER_PROG 16000u		/* then new rules: a new program (loading one takes ~60 ms here) */
#define FRAMES_PER_CFG 4000u		/* then new sockets, maybe a new MAC, in the same program */
#define MAX_FRAME 1600u
#define MAX_RULES 8			/* the doc's "up to 8" */

/* ---- randomness: splitmix64, one stream from the seed ------------------------------------- */

static uint64_t rng;

static uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* 0 .. n-1 */
static uint32_t below(uint32_t n)
{
	return (uint32_t)((rnd() >> 32) * n >> 32);
}

static bool chance(unsigned int pct)
{
	return below(100) < pct;
}

static void rnd_bytes(uint8_t *p, size_t n)
{
	while (n--)
		*p++ = (uint8_t)rnd();
}

/* ==== the model: docs/xdpbridge.md, "Steering" ============================================== */

/* The counters, in the doc's words; every frame lands in exactly one. */
enum m_out { M_STEERED, M_NO_SOCKET, M_NO_MATCH, M_ARP_ND, M_NON_IP, M_OTHER_HOST, M_SHORT, M_NOUT };
static const char *const m_names[M_NOUT] = { "steered", "no_socket", "no_match", "arp_nd",
					      "non_ip", "other_host", "short" };

/* One --match as the doc describes it: the KEY=VALUEs given, all of which must hold. */
struct m_rule {
	bool dst, src, proto, dport, sport;
	int family;			/* 4 or 6 with dst= or src= (one family per rule), else 0 */
	uint8_t dst_addr[16], src_addr[16];	/* as typed: host bits may be set */
	unsigned int dst_len, src_len;
	uint8_t proto_v;
	uint16_t dport_lo, dport_hi, sport_lo, sport_hi;
};

struct m_cfg {
	bool tun;
	uint8_t mac[6];			/* IF's */
	unsigned int nrules;
	struct m_rule rule[MAX_RULES];
	bool served[QUEUES];		/* queues with a socket */
};

/* What a rule looks at in an IP packet. */
struct m_pkt {
	int family;
	const uint8_t *src, *dst;	/* 4 or 16 bytes */
	uint8_t proto;			/* IPv4 protocol, or IPv6 next header after the extension headers */
	bool ports;
	uint16_t sport, dport;
};

/* Which of the doc's rules decided: reported with a disagreement, and counted (every one must be reached). */
enum m_why {
	W_ETH_SHORT,
	W_OTHER_HOST,
	W_ARP_TUN,
	W_ARP_TAP,
	W_ARP_SHORT,
	W_ARP_CLAIMED,
	W_ARP_UNCLAIMED,
	W_V4_SHORT,
	W_V4_VERSION,
	W_V4_IHL,
	W_V4_CUT,
	W_V4_ALL,
	W_V4_MATCH,
	W_V4_NO_MATCH,
	W_V6_SHORT,
	W_V6_EXT_CUT,
	W_ICMP6_CUT,
	W_ND_TUN,
	W_ND_TAP,
	W_ND_CUT,
	W_ND_CLAIMED,
	W_ND_UNCLAIMED,
	W_V6_ALL,
	W_V6_MATCH,
	W_V6_NO_MATCH,
	W_OTHER_TAP,
	W_OTHER,
	W_N,
};

static const char *const m_why_text[W_N] = {
	[W_ETH_SHORT] = "1: shorter than an Ethernet header",
	[W_OTHER_HOST] = "2: tun, unicast for another MAC",
	[W_ARP_TUN] = "3: ARP, tun",
	[W_ARP_TAP] = "3: ARP, tap without rules",
	[W_ARP_SHORT] = "3: ARP, tap with rules, shorter than 28 bytes",
	[W_ARP_CLAIMED] = "3: Ethernet/IPv4 ARP, target in a dst= prefix",
	[W_ARP_UNCLAIMED] = "3: ARP, tap with rules, not claimed",
	[W_V4_SHORT] = "4: IPv4 too short",
	[W_V4_VERSION] = "4: IPv4 version != 4",
	[W_V4_IHL] = "4: IPv4 IHL < 5",
	[W_V4_CUT] = "4: IPv4 cut in its options",
	[W_V4_ALL] = "4: IPv4 without rules",
	[W_V4_MATCH] = "4: IPv4 matches a rule",
	[W_V4_NO_MATCH] = "4: IPv4, no rule",
	[W_V6_SHORT] = "4: IPv6 shorter than 40 bytes",
	[W_V6_EXT_CUT] = "4: IPv6 extension header cut",
	[W_ICMP6_CUT] = "4: ICMPv6 without its type",
	[W_ND_TUN] = "4: ND, tun",
	[W_ND_TAP] = "4: ND, tap without rules",
	[W_ND_CUT] = "4: NS/NA, tap with rules, cut in its target",
	[W_ND_CLAIMED] = "4: NS/NA, target in a dst= prefix",
	[W_ND_UNCLAIMED] = "4: ND, tap with rules, not claimed",
	[W_V6_ALL] = "4: IPv6 without rules",
	[W_V6_MATCH] = "4: IPv6 matches a rule",
	[W_V6_NO_MATCH] = "4: IPv6, no rule",
	[W_OTHER_TAP] = "5: other ethertype, tap without rules",
	[W_OTHER] = "5: other ethertype",
};

struct m_verdict {
	enum m_out out;
	enum m_why why;
};

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The first @len bits of @a and @p are equal. */
static bool m_in_prefix(const uint8_t *a, const uint8_t *p, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < len; i++)
		if (((a[i / 8] ^ p[i / 8]) >> (7 - i % 8)) & 1)
			return false;
	return true;
}

static bool m_rule_holds(const struct m_rule *r, const struct m_pkt *p)
{
	/* "A rule with a prefix matches only its family" */
	if (r->family && r->family != p->family)
		return false;
	if (r->dst && !m_in_prefix(p->dst, r->dst_addr, r->dst_len))
		return false;
	if (r->src && !m_in_prefix(p->src, r->src_addr, r->src_len))
		return false;
	if (r->proto && p->proto != r->proto_v)
		return false;
	/* "a packet without ports does not match" */
	if (r->dport && (!p->ports || p->dport < r->dport_lo || p->dport > r->dport_hi))
		return false;
	if (r->sport && (!p->ports || p->sport < r->sport_lo || p->sport > r->sport_hi))
		return false;
	return true;
}

/* "rules are ORed" */
static bool m_rules_match(const struct m_cfg *c, const struct m_pkt *p)
{
	unsigned int i;

	for (i = 0; i < c->nrules; i++)
		if (m_rule_holds(&c->rule[i], p))
			return true;
	return false;
}

/* ARP/ND: the target "lies in an IPv4 (IPv6) rule's dst= prefix"; the rule's other keys do not count. */
static bool m_target_claimed(const struct m_cfg *c, int family, const uint8_t *target)
{
	unsigned int i;

	for (i = 0; i < c->nrules; i++)
		if (c->rule[i].dst && c->rule[i].family == family &&
		    m_in_prefix(target, c->rule[i].dst_addr, c->rule[i].dst_len))
			return true;
	return false;
}

/* "Steered" means into the socket of the frame's RX queue; a queue without one: no_socket. */
static struct m_verdict m_steer(const struct m_cfg *c, uint32_t queue, enum m_why why)
{
	return (struct m_verdict){ queue < QUEUES && c->served[queue] ? M_STEERED : M_NO_SOCKET, why };
}

static struct m_verdict m_kernel(enum m_out out, enum m_why why)
{
	return (struct m_verdict){ out, why };
}

/*
 * "only TCP, UDP, SCTP and UDP-Lite packets that are not later fragments and are not cut before
 * their 4 bytes of ports have ports"
 */
static void m_ports(struct m_pkt *p, const uint8_t *l4, long room, bool later_fragment)
{
	if (later_fragment || (p->proto != 6 && p->proto != 17 && p->proto != 132 && p->proto != 136))
		return;
	if (room < 4)
		return;
	p->sport = be16(l4);
	p->dport = be16(l4 + 2);
	p->ports = true;
}

static struct m_verdict m_arp(const struct m_cfg *c, const uint8_t *a, long n, uint32_t q)
{
	if (c->tun)
		return m_kernel(M_ARP_ND, W_ARP_TUN);
	if (!c->nrules)
		return m_steer(c, q, W_ARP_TAP);
	/* "short when less than the 28 bytes of an Ethernet/IPv4 ARP follow the Ethernet header" */
	if (n < 28)
		return m_kernel(M_SHORT, W_ARP_SHORT);
	/* Ethernet/IPv4 ARP: hardware type 1, protocol 0x0800, lengths 6 and 4; target IP at 24. */
	if (be16(a) == 1 && be16(a + 2) == 0x0800 && a[4] == 6 && a[5] == 4 &&
	    m_target_claimed(c, 4, a + 24))
		return m_steer(c, q, W_ARP_CLAIMED);
	return m_kernel(M_ARP_ND, W_ARP_UNCLAIMED);
}

static struct m_verdict m_ipv4(const struct m_cfg *c, const uint8_t *ip, long n, uint32_t q)
{
	struct m_pkt p = { .family = 4 };
	unsigned int ihl;

	if (n < 20)
		return m_kernel(M_SHORT, W_V4_SHORT);
	ihl = (ip[0] & 15u) * 4;
	if (ip[0] >> 4 != 4)
		return m_kernel(M_SHORT, W_V4_VERSION);
	if (ihl < 20)
		return m_kernel(M_SHORT, W_V4_IHL);
	/* "shorter than 20 bytes or than its IHL" */
	if (n < ihl)
		return m_kernel(M_SHORT, W_V4_CUT);
	if (!c->nrules)
		return m_steer(c, q, W_V4_ALL);
	p.proto = ip[9];
	p.src = ip + 12;
	p.dst = ip + 16;
	m_ports(&p, ip + ihl, n - (long)ihl, (be16(ip + 6) & 0x1fff) != 0);
	return m_rules_match(c, &p) ? m_steer(c, q, W_V4_MATCH) : m_kernel(M_NO_MATCH, W_V4_NO_MATCH);
}

static struct m_verdict m_ipv6(const struct m_cfg *c, const uint8_t *ip, long n, uint32_t q)
{
	struct m_pkt p = { .family = 6 };
	bool later_fragment = false;
	uint8_t next;
	long off = 40;
	int i;

	if (n < 40)
		return m_kernel(M_SHORT, W_V6_SHORT);
	next = ip[6];
	/*
	 * "the IPv6 next header after up to 4 extension headers (hop-by-hop, routing, fragment,
	 * destination options; in a later fragment, the fragment header's next header)"; a frame
	 * "ending within one of the extension headers skipped" is short.
	 */
	for (i = 0; i < 4 && !later_fragment; i++) {
		long hlen;

		if (next == 0 || next == 43 || next == 60) {
			if (n - off < 2)
				return m_kernel(M_SHORT, W_V6_EXT_CUT);
			hlen = (ip[off + 1] + 1) * 8;
		} else if (next == 44) {
			hlen = 8;
			if (n - off >= 8)
				later_fragment = (be16(ip + off + 2) & ~7u) != 0;
		} else {
			break;
		}
		if (n - off < hlen)
			return m_kernel(M_SHORT, W_V6_EXT_CUT);
		next = ip[off];
		off += hlen;
	}
	/*
	 * "ICMPv6 types 133-137 (...) are decided first, except in a later fragment (an ICMPv6
	 * packet that ends before its type -> short)"
	 */
	if (next == 58 && !later_fragment && n - off < 1)
		return m_kernel(M_SHORT, W_ICMP6_CUT);
	if (next == 58 && !later_fragment && ip[off] >= 133 && ip[off] <= 137) {
		uint8_t type = ip[off];

		if (c->tun)
			return m_kernel(M_ARP_ND, W_ND_TUN);
		if (!c->nrules)
			return m_steer(c, q, W_ND_TAP);
		/* NS, NA: type, code, checksum, 4 bytes of flags, then the target ("short when one ends within"). */
		if ((type == 135 || type == 136) && n - off < 24)
			return m_kernel(M_SHORT, W_ND_CUT);
		if ((type == 135 || type == 136) && m_target_claimed(c, 6, ip + off + 8))
			return m_steer(c, q, W_ND_CLAIMED);
		return m_kernel(M_ARP_ND, W_ND_UNCLAIMED);
	}
	if (!c->nrules)
		return m_steer(c, q, W_V6_ALL);
	p.src = ip + 8;
	p.dst = ip + 24;
	p.proto = next;
	m_ports(&p, ip + off, n - off, later_fragment);
	return m_rules_match(c, &p) ? m_steer(c, q, W_V6_MATCH) : m_kernel(M_NO_MATCH, W_V6_NO_MATCH);
}

/* The verdict of the doc's rules 1-5 for frame @f of @len bytes received on RX queue @q. */
static struct m_verdict m_decide(const struct m_cfg *c, const uint8_t *f, uint32_t len, uint32_t q)
{
	long n = (long)len - 14;

	if (len < 14)
		return m_kernel(M_SHORT, W_ETH_SHORT);
	/* 2: "tun: unicast for a MAC other than IF's" (unicast: the group bit clear) */
	if (c->tun && !(f[0] & 1) && memcmp(f, c->mac, 6))
		return m_kernel(M_OTHER_HOST, W_OTHER_HOST);
	switch (be16(f + 12)) {
	case 0x0806:
		return m_arp(c, f + 14, n, q);
	case 0x0800:
		return m_ipv4(c, f + 14, n, q);
	case 0x86dd:
		return m_ipv6(c, f + 14, n, q);
	default:
		if (!c->tun && !c->nrules)
			return m_steer(c, q, W_OTHER_TAP);
		return m_kernel(M_NON_IP, W_OTHER);
	}
}

/* ==== configurations ========================================================================= */

/* Addresses and ports that rules and frames share, so that rules match some of the frames. */
struct pool {
	uint8_t v4[4][4], v6[4][16];
	uint16_t port[4];
};

struct config {
	struct m_cfg m;
	char rule_text[MAX_RULES][160];	/* the --match arguments the program got */
	bool mac_changed;
};

static void pool_init(struct pool *p)
{
	int i;

	for (i = 0; i < 4; i++) {
		p->v4[i][0] = 198;
		p->v4[i][1] = (uint8_t)(18 + below(2));
		rnd_bytes(&p->v4[i][2], 2);
		memcpy(p->v6[i], "\x20\x01\x00\x02", 4);
		rnd_bytes(&p->v6[i][4], 12);
		if (chance(25))
			p->v6[i][6] = p->v6[i][7] = 0;
		p->port[i] = chance(50) ? (uint16_t)rnd() : (uint16_t)(below(3) ? 5000u + (uint32_t)i : 65535u * below(2));
	}
}

/* An address of @family near the pool's: a pool address with its last bits random, or anything. */
static void pool_addr(const struct pool *p, int family, uint8_t *a)
{
	unsigned int bytes = family == 4 ? 4 : 16, k, i;

	if (chance(15)) {
		rnd_bytes(a, bytes);
		return;
	}
	memcpy(a, family == 4 ? p->v4[below(4)] : p->v6[below(4)], bytes);
	k = chance(40) ? 0 : below(bytes * 8 + 1);	/* how many trailing bits to randomize */
	for (i = bytes * 8 - k; i < bytes * 8; i++)
		if (rnd() & 1)
			a[i / 8] ^= (uint8_t)(0x80 >> (i % 8));
}

static uint16_t pool_port(const struct pool *p)
{
	if (chance(15))
		return (uint16_t)rnd();
	return (uint16_t)(p->port[below(4)] + (chance(60) ? 0 : (int)below(5) - 2));
}

static int fmt_addr(char *s, size_t n, int family, const uint8_t *a, unsigned int len, bool slash)
{
	char buf[64];

	inet_ntop(family == 4 ? AF_INET : AF_INET6, a, buf, sizeof(buf));
	return slash ? snprintf(s, n, "%s/%u", buf, len) : snprintf(s, n, "%s", buf);
}

static uint8_t pick_proto(void)
{
	static const uint8_t protos[] = { 6, 17, 132, 136, 1, 58, 0, 44, 60, 47 };

	return chance(85) ? protos[below(sizeof(protos))] : (uint8_t)rnd();
}

/* A random rule for the model and the same rule as `--match` text for the program. */
static void rule_random(const struct pool *p, struct m_rule *r, char *text, size_t n)
{
	static const char *const names[][2] = { { "tcp", "TCP" }, { "udp", "Udp" }, { "icmp", "ICMP" },
						 { "icmpv6", "ICMPv6" }, { "sctp", "SCTP" }, { "udplite", "UDPlite" } };
	static const uint8_t name_proto[] = { 6, 17, 1, 58, 132, 136 };
	size_t at = 0;
	unsigned int i, keys;

	memset(r, 0, sizeof(*r));
	do
		keys = below(32);	/* dst, src, proto, dport, sport */
	while (!keys);
	r->family = chance(50) ? 4 : 6;
	text[0] = '\0';
	for (i = 0; i < 5; i++) {
		uint16_t a, b;

		if (!(keys & (1u << i)))
			continue;
		at += (size_t)snprintf(text + at, n - at, "%s", at ? "," : "");
		switch (i) {
		case 0:
		case 1: {
			unsigned int max = r->family == 4 ? 32 : 128;
			unsigned int len = chance(30) ? max : below(max + 1);
			uint8_t *addr = i ? r->src_addr : r->dst_addr;

			pool_addr(p, r->family, addr);
			*(i ? &r->src : &r->dst) = true;
			*(i ? &r->src_len : &r->dst_len) = len;
			at += (size_t)snprintf(text + at, n - at, "%s=", i ? "src" : "dst");
			at += (size_t)fmt_addr(text + at, n - at, r->family, addr, len, len != max || chance(50));
			break;
		}
		case 2:
			r->proto = true;
			r->proto_v = pick_proto();
			for (a = 0; a < sizeof(name_proto) && name_proto[a] != r->proto_v; a++)
				;
			if (a < sizeof(name_proto) && chance(70))
				at += (size_t)snprintf(text + at, n - at, "proto=%s", names[a][below(2)]);
			else
				at += (size_t)snprintf(text + at, n - at, "proto=%u", r->proto_v);
			break;
		default:
			a = pool_port(p);
			b = (uint16_t)(a + (chance(50) ? 0 : below(chance(80) && a < 65528 ? 8 : 65536u - a)));
			if (chance(5)) {
				a = 0;
				b = 65535;
			}
			if (i == 3) {
				r->dport = true;
				r->dport_lo = a;
				r->dport_hi = b;
			} else {
				r->sport = true;
				r->sport_lo = a;
				r->sport_hi = b;
			}
			if (a == b && chance(70))
				at += (size_t)snprintf(text + at, n - at, "%s=%u", i == 3 ? "dport" : "sport", a);
			else
				at += (size_t)snprintf(text + at, n - at, "%s=%u-%u", i == 3 ? "dport" : "sport", a, b);
		}
	}
	if (!r->dst && !r->src)
		r->family = 0;
}

static void config_random(struct config *c, const struct pool *p, const uint8_t *if_mac, bool tun)
{
	unsigned int i;

	memset(c, 0, sizeof(*c));
	c->m.tun = tun;
	memcpy(c->m.mac, if_mac, 6);
	c->m.nrules = chance(30) ? 0 : 1 + below(MAX_RULES);
	for (i = 0; i < c->m.nrules; i++)
		rule_random(p, &c->m.rule[i], c->rule_text[i], sizeof(c->rule_text[i]));
	for (i = 0; i < QUEUES; i++)
		c->m.served[i] = chance(60);
}

static void config_print(const struct config *c)
{
	unsigned int i;

	fprintf(stderr, "  config: %s vb --%s xt0", c->m.tun ? "tun" : "tap", c->m.tun ? "tun" : "tap");
	for (i = 0; i < c->m.nrules; i++)
		fprintf(stderr, " --match '%s'", c->rule_text[i]);
	fprintf(stderr, "\n          IF's MAC %02x:%02x:%02x:%02x:%02x:%02x%s; sockets on queues", c->m.mac[0], c->m.mac[1],
		c->m.mac[2], c->m.mac[3], c->m.mac[4], c->m.mac[5], c->mac_changed ? " (changed after start)" : "");
	for (i = 0; i < QUEUES; i++)
		if (c->m.served[i])
			fprintf(stderr, " %u", i);
	fprintf(stderr, "\n");
}

/* ==== frames ================================================================================= */

struct frame {
	uint8_t b[MAX_FRAME];
	uint32_t len;
	uint32_t cut[40];		/* header boundaries: where truncation is interesting */
	unsigned int ncut;
	uint32_t field[40];		/* bytes whose value steers the parse (type, IHL, lengths, next headers) */
	unsigned int nfield;
	const char *kind;
};

static void f_cut(struct frame *f)
{
	if (f->ncut < sizeof(f->cut) / sizeof(f->cut[0]))
		f->cut[f->ncut++] = f->len;
}

static void f_field(struct frame *f, uint32_t off)
{
	if (f->nfield < sizeof(f->field) / sizeof(f->field[0]))
		f->field[f->nfield++] = off;
}

static uint8_t *f_put(struct frame *f, const void *p, uint32_t n)
{
	uint8_t *at = f->b + f->len;

	if (n > MAX_FRAME - f->len)
		n = MAX_FRAME - f->len;
	if (p)
		memcpy(at, p, n);
	else
		rnd_bytes(at, n);
	f->len += n;
	return at;
}

static void f_put16(struct frame *f, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	f_put(f, b, 2);
}

static void f_eth(struct frame *f, const struct m_cfg *c, uint16_t type)
{
	uint8_t *d;

	f->len = 0;
	f->ncut = f->nfield = 0;
	d = f_put(f, NULL, 6);
	switch (below(10)) {
	case 0: case 1: case 2: case 3:
		memcpy(d, c->mac, 6);
		break;
	case 4:
		memset(d, 0xff, 6);
		break;
	case 5:
		memcpy(d, "\x01\x00\x5e", 3);
		d[3] &= 0x7f;
		break;
	case 6:
		memcpy(d, "\x33\x33", 2);
		break;
	case 7: case 8:
		d[0] &= 0xfe;		/* another host's unicast MAC */
		break;
	default:
		break;			/* anything */
	}
	f_put(f, NULL, 6);
	f_field(f, f->len);
	f_field(f, f->len + 1);
	f_put16(f, type);
	f_cut(f);
}

/* TCP, UDP, SCTP, UDP-Lite, ICMP, ICMPv6 (ND with a @target near the pool's), or anything. */
static void f_l4(struct frame *f, const struct pool *p, uint8_t proto)
{
	static const uint8_t nd_types[] = { 128, 129, 133, 134, 135, 136, 135, 136, 137, 143, 1, 2 };
	uint32_t hl;

	switch (proto) {
	case 6: case 17: case 132: case 136:
		f_put16(f, pool_port(p));
		f_cut(f);
		f_put16(f, pool_port(p));
		f_cut(f);
		hl = proto == 6 ? 16 : proto == 132 ? 8 : 4;
		f_put(f, NULL, hl);
		break;
	case 58: {
		uint8_t type = chance(80) ? nd_types[below(sizeof(nd_types))] : (uint8_t)rnd();

		f_field(f, f->len);
		f_put(f, &type, 1);
		f_cut(f);
		f_put(f, "\0", 1);
		f_put(f, NULL, 6);
		f_cut(f);
		if (type == 135 || type == 136 || chance(10)) {
			uint8_t t[16];

			pool_addr(p, 6, t);
			f_put(f, t, 16);
			f_cut(f);
		}
		break;
	}
	case 1:
		f_put(f, NULL, 8);
		break;
	default:
		f_put(f, NULL, below(24));
	}
	f_cut(f);
	f_put(f, NULL, chance(50) ? below(16) : below(200));
}

static void f_ipv4(struct frame *f, const struct pool *p)
{
	uint32_t ihl = chance(80) ? 5 : 5 + below(11), at = f->len;
	uint8_t h[20], proto = pick_proto();
	uint16_t frag;

	rnd_bytes(h, sizeof(h));
	h[0] = (uint8_t)(0x40 | ihl);
	switch (below(8)) {
	case 0: case 1: case 2: case 3:
		frag = 0;
		break;
	case 4:
		frag = 0x4000;		/* DF */
		break;
	case 5:
		frag = 0x2000;		/* MF: a first fragment */
		break;
	default:
		/* A later one (mostly), its offset often a single bit: each of the 13 must count. */
		frag = (uint16_t)((chance(50) ? 1u << below(13) : rnd() & 0x1fff) | (rnd() & 0x6000));
	}
	h[6] = (uint8_t)(frag >> 8);
	h[7] = (uint8_t)frag;
	h[9] = proto;
	pool_addr(p, 4, h + 12);
	pool_addr(p, 4, h + 16);
	f_field(f, at);
	f_field(f, at + 6);
	f_field(f, at + 7);
	f_field(f, at + 9);
	f_put(f, h, 8);
	f_cut(f);		/* IHL, but no addresses */
	f_put(f, h + 8, 12);
	f_cut(f);
	if (ihl > 5) {
		f_put(f, NULL, (ihl - 5) * 4);
		f_cut(f);
	}
	f_l4(f, p, proto);
	/* Total length: right, mostly (the program does not read it). */
	f->b[at + 2] = (uint8_t)((f->len - at) >> 8);
	f->b[at + 3] = (uint8_t)(f->len - at);
}

static void f_ipv6(struct frame *f, const struct pool *p)
{
	static const uint8_t ext[] = { 0, 43, 60, 44, 44, 51, 135 };
	uint8_t h[40], chain[8], proto = chance(15) ? 58 : pick_proto();	/* neighbour discovery, often */
	uint32_t at = f->len, i, n = chance(60) ? 0 : 1 + below(6);

	for (i = 0; i < n; i++)
		chain[i] = ext[below(sizeof(ext))];
	rnd_bytes(h, sizeof(h));
	h[0] = (uint8_t)(0x60 | (h[0] & 15));
	h[6] = n ? chain[0] : proto;
	pool_addr(p, 6, h + 8);
	pool_addr(p, 6, h + 24);
	f_field(f, at);
	f_field(f, at + 6);
	f_put(f, h, 8);
	f_cut(f);
	f_put(f, h + 8, 32);
	f_cut(f);
	for (i = 0; i < n; i++) {
		uint8_t e[2] = { i + 1 < n ? chain[i + 1] : proto, (uint8_t)below(3) };

		f_field(f, f->len);
		if (chain[i] == 44) {
			uint16_t off = (uint16_t)(chance(50) ? rnd() & 1 : chance(50) ? 8u << below(13) | (rnd() & 7) : rnd());

			f_field(f, f->len + 2);
			f_field(f, f->len + 3);
			e[1] = 0;
			f_put(f, e, 2);
			f_cut(f);
			f_put16(f, off);
			f_put(f, NULL, 4);
		} else if (chain[i] == 51) {
			e[1] = 1;	/* AH: (1 + 2) * 4 bytes */
			f_put(f, e, 2);
			f_cut(f);
			f_put(f, NULL, 10);
		} else {
			f_field(f, f->len + 1);
			f_put(f, e, 2);
			f_cut(f);
			f_put(f, NULL, (e[1] + 1) * 8u - 2);
		}
		f_cut(f);
	}
	f_l4(f, p, proto);
	f->b[at + 4] = (uint8_t)((f->len - at - 40) >> 8);
	f->b[at + 5] = (uint8_t)(f->len - at - 40);
}

static void f_arp(struct frame *f, const struct pool *p)
{
	uint8_t a[28];
	uint32_t at = f->len, i;

	rnd_bytes(a, sizeof(a));
	if (chance(90)) {
		memcpy(a, "\x00\x01\x08\x00\x06\x04", 6);
		a[6] = 0;
		a[7] = (uint8_t)(1 + below(2));
	}
	pool_addr(p, 4, a + 14);
	pool_addr(p, 4, a + 24);
	for (i = 0; i < 6; i++)
		f_field(f, at + i);
	f_put(f, a, 8);
	f_cut(f);
	f_put(f, a + 8, 10);
	f_cut(f);
	f_put(f, a + 18, 6);
	f_cut(f);
	f_put(f, a + 24, 4);
	f_cut(f);
	if (chance(50))
		f_put(f, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 18);	/* padded to 60 */
}

/* A frame built to the layers above, then mutated; or random bytes. */
static void frame_make(struct frame *f, const struct m_cfg *c, const struct pool *p)
{
	static const uint16_t others[] = { 0x88cc, 0x8847, 0x0842, 0x88e5, 0x9000, 0x0801, 0x86dc, 0x0000, 0xffff };
	uint32_t r = below(100), i;

	if (r < 8) {
		f->kind = "random bytes";
		f->len = 14 + below(chance(80) ? 100 : 400);
		f->ncut = f->nfield = 0;
		rnd_bytes(f->b, f->len);
		if (chance(50))
			memcpy(f->b, c->mac, 6);
		if (chance(70)) {
			static const uint16_t types[] = { 0x0800, 0x86dd, 0x0806 };
			uint16_t t = types[below(3)];

			f->b[12] = (uint8_t)(t >> 8);
			f->b[13] = (uint8_t)t;
			if (t == 0x0800 && chance(50))
				f->b[14] = (uint8_t)(0x40 | (f->b[14] & 15));
		}
		return;
	}
	if (r < 38) {
		f->kind = "IPv4";
		f_eth(f, c, 0x0800);
		f_ipv4(f, p);
	} else if (r < 73) {
		f->kind = "IPv6";
		f_eth(f, c, 0x86dd);
		f_ipv6(f, p);
	} else if (r < 88) {
		f->kind = "ARP";
		f_eth(f, c, 0x0806);
		f_arp(f, p);
	} else if (r < 94) {
		f->kind = "VLAN-tagged";
		f_eth(f, c, chance(80) ? 0x8100 : 0x88a8);
		f_put(f, NULL, 2);
		if (chance(50)) {
			f_put16(f, 0x0800);
			f_ipv4(f, p);
		} else {
			f_put16(f, 0x86dd);
			f_ipv6(f, p);
		}
	} else {
		f->kind = "other ethertype";
		f_eth(f, c, chance(80) ? others[below(sizeof(others) / sizeof(others[0]))] : (uint16_t)rnd());
		f_put(f, NULL, below(120));
	}
	if (f->len < 14)
		f->len = 14;

	/* Mutations, each independently. */
	if (chance(30) && f->ncut) {
		int32_t at = (int32_t)f->cut[below(f->ncut)] + (int32_t)below(3) - 1;

		if (at >= 14 && (uint32_t)at < f->len)
			f->len = (uint32_t)at;
	}
	if (chance(12) && f->nfield) {
		uint32_t at = f->field[below(f->nfield)];

		if (at < f->len) {
			if (at == 14 && (f->b[at] >> 4) == 4 && chance(70))
				f->b[at] = (uint8_t)(0x40 | below(16));	/* IPv4: bad IHL */
			else
				f->b[at] = (uint8_t)rnd();
		}
	}
	if (chance(8))
		for (i = 1 + below(3); i > 0; i--)
			f->b[below(f->len < 80 ? f->len : 80)] = (uint8_t)rnd();
	if (chance(8))
		f_put(f, NULL, 1 + below(40));
}

static void hexdump(const uint8_t *b, uint32_t len)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		fprintf(stderr, "%s%02x%s", i % 16 ? "" : "    ", b[i], i % 16 == 15 || i + 1 == len ? "\n" : (i % 2 ? " " : ""));
}

/* ==== the program ============================================================================ */

struct prog {
	struct tun_steer *steer;
	int prog_fd, stats_fd, xskmap_fd;
	int ncpu;
	uint64_t *vals;			/* XB_ST_COUNT x ncpu, from one batch lookup */
	uint64_t last[XB_ST_COUNT];
	bool batch;			/* use BPF_MAP_LOOKUP_BATCH on the per-CPU array */
	bool batch_worked;		/* it did once: a failure now is a failure */
	int out_of[M_NOUT];		/* m_out -> XB_ST_* index, matched by name */
};

/* The counters summed over CPUs, into @sum. */
static void prog_counters(struct prog *pr, uint64_t *sum)
{
	uint32_t keys[XB_ST_COUNT], count = XB_ST_COUNT, k;
	int c;

	if (pr->batch) {
		LIBBPF_OPTS(bpf_map_batch_opts, o);
		uint32_t out;
		int ret = bpf_map_lookup_batch(pr->stats_fd, NULL, &out, keys, pr->vals, &count, &o);

		/* A kernel without batch lookups on per-CPU arrays: one lookup per counter from now on. */
		if (ret && errno != ENOENT && !pr->batch_worked) {
			printf("  BPF_MAP_LOOKUP_BATCH on the per-CPU counters refused (%s): one lookup per counter\n",
			       strerror(errno));
			pr->batch = false;
			prog_counters(pr, sum);
			return;
		}
		CHECK((!ret || errno == ENOENT) && count == XB_ST_COUNT, "batch lookup of the counters: %s (%u of %u)",
		      strerror(errno), count, XB_ST_COUNT);
		pr->batch_worked = true;
	} else {
		for (k = 0; k < XB_ST_COUNT; k++)
			CHECK(!bpf_map_lookup_elem(pr->stats_fd, &k, pr->vals + (size_t)k * pr->ncpu),
			      "lookup of counter %u: %s", k, strerror(errno));
	}
	for (k = 0; k < XB_ST_COUNT; k++) {
		sum[k] = 0;
		for (c = 0; c < pr->ncpu; c++)
			sum[k] += pr->vals[(size_t)k * pr->ncpu + c];
	}
}

/* The program's maps are the bridge's business: find the counters by name, from the program's id. */
static int stats_map_fd(int prog_fd)
{
	struct bpf_prog_info info;
	uint32_t ids[16], len = sizeof(info), i;
	int fd = -1;

	memset(&info, 0, sizeof(info));
	info.nr_map_ids = 16;
	info.map_ids = (uint64_t)(uintptr_t)ids;
	CHECK(!bpf_obj_get_info_by_fd(prog_fd, &info, &len), "program info: %s", strerror(errno));
	for (i = 0; i < info.nr_map_ids && i < 16 && fd < 0; i++) {
		struct bpf_map_info mi;
		uint32_t mlen = sizeof(mi);
		int m = bpf_map_get_fd_by_id(ids[i]);

		CHECK(m >= 0, "map id %u: %s", ids[i], strerror(errno));
		memset(&mi, 0, sizeof(mi));
		CHECK(!bpf_obj_get_info_by_fd(m, &mi, &mlen), "map info: %s", strerror(errno));
		if (!strcmp(mi.name, "xb_stats"))
			fd = m;
		else
			close(m);
	}
	CHECK(fd >= 0, "the steering program has no map named xb_stats");
	return fd;
}

static void prog_close(struct prog *pr)
{
	if (pr->prog_fd > 0)
		close(pr->prog_fd);
	if (pr->stats_fd > 0)
		close(pr->stats_fd);
	pr->prog_fd = pr->stats_fd = -1;
	tun_steer_close(pr->steer);
	pr->steer = NULL;
}

/* `xdpbridge tap|tun vb --tap|--tun xt0 --match ...`, parsed and loaded as the bridge does. */
static void prog_open(struct prog *pr, struct config *c, int ifindex, const int *xsk_fds)
{
	char *argv[4 + 2 * MAX_RULES + 1], err[512];
	struct tun_cfg cfg;
	unsigned int i;
	int argc = 0, ret;
	uint32_t q;

	argv[argc++] = c->m.tun ? "tun" : "tap";
	argv[argc++] = "vb";
	argv[argc++] = c->m.tun ? "--tun" : "--tap";
	argv[argc++] = "xt0";
	for (i = 0; i < c->m.nrules; i++) {
		argv[argc++] = "--match";
		argv[argc++] = c->rule_text[i];
	}
	argv[argc] = NULL;
	optind = 0;
	ret = tun_cfg_parse(&cfg, c->m.tun ? TUN_KIND_TUN : TUN_KIND_TAP, argc, argv, err, sizeof(err));
	if (ret != TUN_PARSE_OK) {
		config_print(c);
		CHECK(0, "the command line was refused: %s", err);
	}
	CHECK(cfg.nrules == c->m.nrules, "%u rules parsed, %u given", cfg.nrules, c->m.nrules);
	ret = tun_steer_open(&pr->steer, ifindex, &cfg, c->m.mac, QUEUES - 1, err, sizeof(err));
	CHECK(!ret, "tun_steer_open: %s", err);
	pr->prog_fd = bpf_prog_get_fd_by_id(tun_steer_id(pr->steer));
	CHECK(pr->prog_fd >= 0, "program id %u: %s", tun_steer_id(pr->steer), strerror(errno));
	pr->stats_fd = stats_map_fd(pr->prog_fd);
	pr->xskmap_fd = tun_steer_xskmap_fd(pr->steer);
	for (q = 0; q < QUEUES; q++)
		if (c->m.served[q]) {
			CHECK(!bpf_map_update_elem(pr->xskmap_fd, &q, &xsk_fds[q], BPF_ANY), "XSKMAP[%u]: %s", q,
			      strerror(errno));
		}
	prog_counters(pr, pr->last);
}

/*
 * The same program, later: workers come and go (their sockets enter and leave the XSKMAP) and
 * IF's MAC may change (the bridge follows with tun_steer_set_mac()).
 */
static void prog_reconfig(struct prog *pr, struct config *c, const int *xsk_fds)
{
	uint32_t q;

	for (q = 0; q < QUEUES; q++) {
		c->m.served[q] = chance(60);
		if (c->m.served[q])
			CHECK(!bpf_map_update_elem(pr->xskmap_fd, &q, &xsk_fds[q], BPF_ANY), "XSKMAP[%u]: %s", q,
			      strerror(errno));
		else
			CHECK(!bpf_map_delete_elem(pr->xskmap_fd, &q) || errno == ENOENT, "XSKMAP[%u] delete: %s", q,
			      strerror(errno));
	}
	if (chance(30)) {
		c->m.mac[0] = (uint8_t)(rnd() & 0xfe);
		rnd_bytes(c->m.mac + 1, 5);
		c->mac_changed = true;
		CHECK(!tun_steer_set_mac(pr->steer, c->m.mac), "tun_steer_set_mac: %s", strerror(errno));
	}
}

/*
 * Run @f once on RX queue @q (@with_ctx: vb's; else the test run's own, lo's queue 0): the
 * action in *@action, the counter that moved in *@moved (-1 none, -2 several), by how much.
 */
static int prog_run(struct prog *pr, const struct frame *f, int ifindex, uint32_t q, bool with_ctx, uint32_t *action,
		    int *moved, uint64_t *moved_by)
{
	struct xdp_md ctx = { .data = 0, .data_end = f->len, .ingress_ifindex = (uint32_t)ifindex, .rx_queue_index = q };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f->b, .data_size_in = f->len, .repeat = 1);
	uint64_t now[XB_ST_COUNT];
	int k;

	if (with_ctx) {
		o.ctx_in = &ctx;
		o.ctx_size_in = sizeof(ctx);
	}
	if (bpf_prog_test_run_opts(pr->prog_fd, &o))
		return -errno;
	*action = o.retval;
	prog_counters(pr, now);
	*moved = -1;
	*moved_by = 0;
	for (k = 0; k < XB_ST_COUNT; k++) {
		uint64_t d = now[k] - pr->last[k];

		if (d) {
			/* More than one counter, or one by more than one: reported as "several". */
			*moved = *moved == -1 && d == 1 ? k : -2;
			*moved_by += d;
		}
		pr->last[k] = now[k];
	}
	return 0;
}

static const char *action_name(uint32_t a)
{
	static const char *const names[] = { "XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX", "XDP_REDIRECT" };

	return a < 5 ? names[a] : "?";
}

/*
 * What a test run answers for bpf_redirect_map() into an XSKMAP, asked of a program of three
 * instructions (not the steering program, which never redirects to an empty entry): the action,
 * with the entry empty and with @xsk_fd in it.  The redirect itself never happens in a test run:
 * the socket's RX ring stays empty (checked at the end of the run).
 */
static void probe_redirect(int xsk_fd, int ifindex)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_LD | BPF_DW | BPF_IMM, .dst_reg = BPF_REG_1, .src_reg = BPF_PSEUDO_MAP_FD },
		{ 0 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_2, .imm = 0 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_3, .imm = XDP_PASS },	/* the fallback */
		{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_redirect_map },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct xdp_md ctx = { .data_end = 60, .ingress_ifindex = (uint32_t)ifindex, .rx_queue_index = 0 };
	uint8_t frame[60] = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = sizeof(frame), .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = 1);
	uint32_t zero = 0, empty;
	int map, prog;

	map = bpf_map_create(BPF_MAP_TYPE_XSKMAP, "xst_probe", 4, 4, 1, NULL);
	CHECK(map >= 0, "cannot create an XSKMAP: %s", strerror(errno));
	insns[0].imm = map;
	prog = bpf_prog_load(BPF_PROG_TYPE_XDP, "xst_redirect", "GPL", insns, sizeof(insns) / sizeof(insns[0]), NULL);
	CHECK(prog >= 0, "cannot load the redirect probe: %s", strerror(errno));
	CHECK(!bpf_prog_test_run_opts(prog, &o), "test run of the redirect probe: %s", strerror(errno));
	empty = o.retval;
	CHECK(!bpf_map_update_elem(map, &zero, &xsk_fd, BPF_ANY), "XSKMAP insert: %s", strerror(errno));
	CHECK(!bpf_prog_test_run_opts(prog, &o), "test run of the redirect probe: %s", strerror(errno));
	printf("  bpf_redirect_map() into an XSKMAP in a test run: entry empty -> %s (its fallback, XDP_PASS), "
	       "a socket in it -> %s\n", action_name(empty), action_name(o.retval));
	CHECK(empty == XDP_PASS && o.retval == XDP_REDIRECT, "bpf_redirect_map() answered %s and %s",
	      action_name(empty), action_name(o.retval));
	close(prog);
	close(map);
}

/* ==== the comparison ========================================================================= */

static const char *moved_name(int k)
{
	return k == -1 ? "no counter" : k == -2 ? "several counters" : tun_steer_stat_name((unsigned int)k);
}

/* Disagreements of one kind: the doc's rule that decided, and what the program did. */
struct disagreement {
	enum m_why why;
	enum m_out model_out;
	int prog_moved;
	uint32_t model_action, prog_action;
	uint64_t count;
};

struct tally {
	uint64_t seed;
	uint64_t out[2][M_NOUT];	/* [tun][outcome] */
	uint64_t why[W_N];
	uint64_t mismatches;
	struct disagreement dis[32];
	unsigned int ndis;
};

/* Count a frame's verdicts; the first disagreement of each kind in full, on stderr. */
static void tally_frame(struct tally *t, const struct config *c, const struct frame *f, uint64_t n, uint32_t q,
			bool ctx, struct m_verdict mv, uint32_t mact, int moved, uint64_t by, uint32_t act, int want)
{
	struct disagreement *d;
	unsigned int k;

	t->out[c->m.tun][mv.out]++;
	t->why[mv.why]++;
	if (moved == want && act == mact)
		return;
	t->mismatches++;
	for (k = 0; k < t->ndis; k++) {
		d = &t->dis[k];
		if (d->why == mv.why && d->model_out == mv.out && d->prog_moved == moved && d->prog_action == act) {
			d->count++;
			return;
		}
	}
	if (t->ndis == sizeof(t->dis) / sizeof(t->dis[0]))
		return;		/* counted in mismatches only */
	t->dis[t->ndis++] = (struct disagreement){ mv.why, mv.out, moved, mact, act, 1 };
	fprintf(stderr, "DISAGREEMENT #%u (frame %" PRIu64 ", seed %" PRIu64 "): %s frame of %u bytes on RX queue %u%s\n",
		t->ndis, n, t->seed, f->kind, f->len, q, ctx ? "" : " (the test run's own)");
	config_print(c);
	fprintf(stderr, "  model (doc):  %s, %s    [rule %s]\n", m_names[mv.out], action_name(mact),
		m_why_text[mv.why]);
	fprintf(stderr, "  program:      %s%s, %s\n", moved_name(moved), by > 1 ? " (by more than 1)" : "",
		action_name(act));
	hexdump(f->b, f->len);
}

/*
 * Probes, on the first program: BPF_PROG_RUN itself (exits 77 when the kernel refuses it), a
 * context naming vb's RX queue (returns false when refused: frames then run on the test run's
 * own queue 0), what redirects into an XSKMAP answer, frames under 14 bytes.
 */
static bool probe(struct prog *pr, int ifindex, int xsk_fd)
{
	struct frame f = { .len = 60 };
	uint32_t act;
	int moved, ret;
	uint64_t by;

	memset(f.b, 0, sizeof(f.b));
	ret = prog_run(pr, &f, ifindex, 0, false, &act, &moved, &by);
	if (ret < 0) {
		printf("KERNEL-REFUSED BPF_PROG_RUN: %s (errno %d)\n", strerror(-ret), -ret);
		exit(T_SKIP);
	}
	ret = prog_run(pr, &f, ifindex, QUEUES - 1, true, &act, &moved, &by);
	if (ret < 0)
		printf("  BPF_PROG_RUN refuses a context naming vb's RX queue (%s): every frame runs on the test run's "
		       "own queue 0\n", strerror(-ret));
	else
		probe_redirect(xsk_fd, ifindex);
	f.len = 13;
	if (prog_run(pr, &f, ifindex, 0, false, &act, &moved, &by) < 0) {
		printf("  a 13-byte frame: refused by BPF_PROG_RUN (rule 1 under 14 bytes cannot be tested)\n");
	} else {
		printf("  a 13-byte frame: accepted by BPF_PROG_RUN, rule 1 checked on it\n");
		CHECK(moved == pr->out_of[M_SHORT] && act == XDP_PASS, "a 13-byte frame: %s, %s (the doc: short, XDP_PASS)",
		      moved_name(moved), action_name(act));
	}
	return ret >= 0;
}

static void report(const struct tally *t, uint64_t frames, unsigned int ncfg, unsigned int nprog, double secs,
		   double t_run)
{
	unsigned int k, o;

	printf("%s: %" PRIu64 " frames in %u configurations of %u programs, %.1f s (%.0f frames/s; BPF_PROG_RUN + "
	       "counter reads %.1f s)\n", TEST, frames, ncfg, nprog, secs, frames / secs, t_run);
	for (o = 0; o < 2; o++) {
		printf("  %s:", o ? "tun" : "tap");
		for (k = 0; k < M_NOUT; k++)
			printf(" %s %" PRIu64, m_names[k], t->out[o][k]);
		printf("\n");
	}
	printf("  frames per rule of the doc that decided:\n");
	for (k = 0; k < W_N; k++)
		printf("  %10" PRIu64 "  %s\n", t->why[k], m_why_text[k]);
	if (!t->mismatches)
		return;
	fprintf(stderr, "FAIL %s: %" PRIu64 " frames where the program and the doc's rules disagree (seed %" PRIu64 "):\n",
		TEST, t->mismatches, t->seed);
	for (k = 0; k < t->ndis; k++)
		fprintf(stderr, "  %8" PRIu64 " x  doc: %s, %s [rule %s]   program: %s, %s\n", t->dis[k].count,
			m_names[t->dis[k].model_out], action_name(t->dis[k].model_action), m_why_text[t->dis[k].why],
			moved_name(t->dis[k].prog_moved), action_name(t->dis[k].prog_action));
}

int main(void)
{
	struct prog pr = { .prog_fd = -1, .stats_fd = -1, .batch = true };
	struct xdpsock_rx *rx[QUEUES] = { 0 };
	uint64_t frames = DEF_FRAMES, done = 0;
	unsigned int ncfg = 0, nprog = 1, k, o;
	int xsk_fds[QUEUES], ifindex;
	static struct tally t;
	double t0, t_run = 0;
	struct config cfg;
	struct pool pool;
	struct frame f;
	const char *e;
	struct lab *l;
	bool with_ctx;
	uint32_t q;

	setvbuf(stdout, NULL, _IOLBF, 0);
	lab_require_root(TEST);
	t.seed = 1;
	if ((e = getenv("STEER_MODEL_SEED")) && *e)
		t.seed = strtoull(e, NULL, 0);
	if ((e = getenv("STEER_MODEL_FRAMES")) && *e)
		frames = strtoull(e, NULL, 0);
	rng = t.seed;
	printf("%s: seed %" PRIu64 " (STEER_MODEL_SEED=%" PRIu64 " repeats this run), %" PRIu64 " frames\n", TEST,
	       t.seed, t.seed, frames);

	l = lab_up(QUEUES);
	/* No real frame may run the program and move its counters: vb's peer is down, so vb has no carrier. */
	CHECK(lab_sh(l, LAB_A, "ip link set dev va down") == 0, "cannot set va down");
	ifindex = lab_ifindex(l, LAB_B);	/* and this thread stays in B: the test runs name vb */

	/* The workers' sockets on vb: copy mode, no program of the library's; in the XSKMAP when "served". */
	for (q = 0; q < QUEUES; q++) {
		struct xdpsock_opts so = { .sz = sizeof(so), .frame_count = 64, .rx_size = 32, .fill_size = 32,
					   .tx_size = 32, .comp_size = 32, .copy_mode = XDPSOCK_COPY_FORCE,
					   .attach_mode = XDPSOCK_ATTACH_NONE, .hugepages = XDPSOCK_HUGEPAGES_OFF };

		CHECK(!xdpsock_rx_create(&rx[q], ifindex, q, &so), "AF_XDP socket on vb queue %u: %s", q, xdpsock_errmsg());
		xsk_fds[q] = xdpsock_rx_fd(rx[q]);
	}

	/* The doc's counters are the program's, by name. */
	CHECK((int)XB_ST_COUNT == (int)M_NOUT, "the program has %d counters, the doc names %d", XB_ST_COUNT, M_NOUT);
	for (o = 0; o < M_NOUT; o++) {
		pr.out_of[o] = -1;
		for (k = 0; k < XB_ST_COUNT; k++)
			if (!strcmp(tun_steer_stat_name(k), m_names[o]))
				pr.out_of[o] = (int)k;
		CHECK(pr.out_of[o] >= 0, "the program has no counter named %s (the doc's)", m_names[o]);
	}
	pr.ncpu = libbpf_num_possible_cpus();
	CHECK(pr.ncpu > 0, "number of CPUs: %s", strerror(-pr.ncpu));
	pr.vals = calloc((size_t)XB_ST_COUNT * pr.ncpu, sizeof(uint64_t));
	CHECK(pr.vals, "out of memory");

	pool_init(&pool);
	config_random(&cfg, &pool, l->mac[LAB_B], false);
	prog_open(&pr, &cfg, ifindex, xsk_fds);
	with_ctx = probe(&pr, ifindex, xsk_fds[0]);

	t0 = lab_now();
	while (done < frames) {
		uint64_t n, end;

		if (done && done % FRAMES_PER_PROG == 0) {
			prog_close(&pr);
			if (nprog % 4 == 0)
				pool_init(&pool);
			config_random(&cfg, &pool, l->mac[LAB_B], nprog % 2);
			prog_open(&pr, &cfg, ifindex, xsk_fds);
			nprog++;
		} else if (done) {
			prog_reconfig(&pr, &cfg, xsk_fds);
		}
		ncfg++;
		end = done + FRAMES_PER_CFG < frames ? done + FRAMES_PER_CFG : frames;
		for (n = done; n < end; n++) {
			bool ctx = with_ctx && chance(95);
			struct m_verdict mv;
			uint32_t act;
			int moved, ret;
			uint64_t by;
			double t1;

			q = ctx ? below(QUEUES) : 0;
			frame_make(&f, &cfg.m, &pool);
			mv = m_decide(&cfg.m, f.b, f.len, q);
			t1 = lab_now();
			ret = prog_run(&pr, &f, ifindex, q, ctx, &act, &moved, &by);
			t_run += lab_now() - t1;
			CHECK(ret >= 0, "BPF_PROG_RUN of a %u-byte frame: %s", f.len, strerror(-ret));
			tally_frame(&t, &cfg, &f, n, q, ctx, mv, mv.out == M_STEERED ? XDP_REDIRECT : XDP_PASS, moved, by, act,
				    pr.out_of[mv.out]);
		}
		done = end;
	}
	report(&t, done, ncfg, nprog, lab_now() - t0, t_run);
	prog_close(&pr);
	/* Steered frames were only verdicts: no test run delivers into a socket. */
	for (q = 0; q < QUEUES; q++) {
		CHECK(xdpsock_rx_seek_n(rx[q], 1) == 0, "the socket of queue %u received a frame from a test run", q);
		xdpsock_rx_destroy(rx[q]);
	}
	free(pr.vals);
	if (t.mismatches)
		return T_FAIL;
	/*
	 * The generator reached every outcome each mode can produce (tap never has other_host) and
	 * every rule of the doc (but frames under 14 bytes, which test runs refuse).
	 */
	if (frames >= DEF_FRAMES / 2) {
		for (o = 0; o < 2; o++)
			for (k = 0; k < M_NOUT; k++)
				CHECK(t.out[o][k] || (!o && k == M_OTHER_HOST), "no %s frame ever ended in %s: the generator "
				      "misses a case", o ? "tun" : "tap", m_names[k]);
		for (k = 0; k < W_N; k++)
			CHECK(t.why[k] || k == W_ETH_SHORT, "no frame was decided by rule '%s': the generator misses a case",
			      m_why_text[k]);
	}
	printf("PASS %s\n", TEST);
	return T_PASS;
}
