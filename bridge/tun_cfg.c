// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * `xdpbridge tap` and `xdpbridge tun` command lines -> struct tun_cfg.  Only what can be
 * checked without the kernel is checked here (exit 2); the interface, its queues and the
 * device are checked by tun_cmd.c against the machine (exit 1).  The options tap and tun
 * share with fwd are cfg.c's.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "tun.h"

static const char usage_head_tap[] =
	"Usage: xdpbridge tap IF --tap NAME [options]\n"
	"\n"
	"Carry Ethernet frames, unchanged, both ways between IF's queues and a TAP device: frames\n"
	"IF receives go to the TAP (its host sees them as received there), frames the host sends\n"
	"through the TAP leave by IF.  NAME is created (IFF_MULTI_QUEUE, one queue per worker)\n"
	"and disappears at exit, or an existing persistent multi-queue TAP of that name is used\n"
	"('ip tuntap add dev NAME mode tap multi_queue'); its MTU is set to IF's and it is brought\n"
	"up.  IF is made promiscuous while the bridge runs, so frames for the TAP's MAC reach it.\n"
	"With --match, ARP and neighbour solicitations/advertisements follow the addresses they\n"
	"ask about: to the TAP when a rule's dst= prefix holds the target, else to the host (so\n"
	"give the TAP's subnet as dst=, or its neighbours cannot find it).\n"
	"\n"
	"  -t, --tap NAME        the TAP device (required)\n";

static const char usage_head_tun[] =
	"Usage: xdpbridge tun IF --tun NAME [options]\n"
	"\n"
	"Carry IP packets both ways between IF's queues and a TUN device: IPv4 and IPv6 frames IF\n"
	"receives lose their Ethernet header and go to the TUN; packets the host routes into the\n"
	"TUN get one (IF's MAC, the next hop's MAC) and leave by IF.  ARP, neighbour discovery and\n"
	"every other ethertype stay with the kernel.  NAME is created (IFF_MULTI_QUEUE) and\n"
	"disappears at exit, or an existing persistent multi-queue TUN is used ('ip tuntap add dev\n"
	"NAME mode tun multi_queue'); its MTU is set to IF's and it is brought up.\n"
	"\n"
	"The next hop of a packet is its destination, or the --via address of its family; its MAC\n"
	"comes from IF's neighbour table (followed over netlink as it changes).  A next hop the\n"
	"table lacks is resolved by the kernel on request (an ARP request or a neighbour\n"
	"solicitation, at most once a second per address); meanwhile its packets are dropped and\n"
	"counted (no_neigh), never sent with a wrong address.  Multicast and broadcast\n"
	"destinations get their group MAC.\n"
	"\n"
	"  -t, --tun NAME        the TUN device (required)\n"
	"      --peer-mac MAC    send every packet to MAC (a point-to-point link): no neighbour table\n"
	"      --via ADDR        the next hop of every IPv4 (or, for an IPv6 ADDR, IPv6) packet, a\n"
	"                        gateway on IF's link; once per family\n"
	"      --no-resolve      never ask the kernel to resolve a missing next hop\n";

static const char usage_common[] =
	"      --match RULE      steer only the frames RULE matches into the bridge; the host keeps\n"
	"                        the rest.  RULE: comma-separated KEY=VALUE, all must hold:\n"
	"                        dst=PREFIX, src=PREFIX (IPv4 or IPv6), proto=tcp|udp|udplite|\n"
	"                        icmp|icmpv6|sctp|NUMBER, dport=N[-M], sport=N[-M].  Up to 8\n"
	"                        --match, any may match: --match dst=198.18.5.0/24,proto=udp\n"
	"                        --match dport=5000.\n"
	"                        Default: every frame of the queues (tap), every IP packet (tun)\n"
	"  -q, --queues LIST     IF's queues to serve, e.g. 0,1 or 0-3 (default: every queue, the\n"
	"                        current channel count from netlink, at most 256); the others keep\n"
	"                        their traffic with the kernel\n"
	"  -c, --cpus LIST       pin worker i (queue LIST order) to cpu LIST[i % n] (default: none)\n"
	"  -m, --mode MODE       auto|copy|zerocopy AF_XDP (default auto)\n"
	"  -x, --xdp MODE        auto|native|generic: how the steering program attaches (default auto:\n"
	"                        native, else generic)\n"
	"      --no-offload      open the device without IFF_VNET_HDR: the host then cuts TCP and UDP\n"
	"                        to the MTU and finishes checksums before the bridge reads them, and\n"
	"                        nothing is joined (default: offloads on: the host hands over TCP and\n"
	"                        UDP packets of up to 64 KiB, which the bridge cuts to the MSS and\n"
	"                        checksums in software: fewer reads)\n"
	"      --no-gro          with offloads, still write every packet from IF alone (default: the\n"
	"                        TCP segments and UDP datagrams of one flow that IF delivers in one\n"
	"                        batch go into the device as one super-packet, which the host cuts\n"
	"                        back into the same packets: fewer writes)\n"
	"      --frame-size N    2048|4096 bytes per UMEM frame (default 2048)\n"
	"      --frames N        UMEM frames per worker (default and least: 2 x --ring)\n"
	"      --ring N          size of every ring, a power of two (default 2048)\n"
	"      --batch N         frames per batch and per round of reads (default 64, max 256)\n"
	"  -i, --interval SECS   print stats every SECS seconds (default 0: only the final summary)\n"
	"  -j, --json            stats (periodic and final) as JSON lines on stdout\n"
	"  -d, --duration SECS   stop by itself after SECS (default 0: until SIGINT/SIGTERM)\n"
	"      --force           replace an XDP program on IF that is not ours\n"
	"  -v, --verbose         the library's messages and the capabilities kept (-vv: debug too)\n"
	"  -h, --help            this help\n"
	"\n"
	"Steering: the XDP program xdpbridge_steer, attached to IF while the bridge runs, sends the\n"
	"served queues' frames that match into the bridge and everything else to the kernel.  A\n"
	"program of ours left by a bridge that was killed is replaced; someone else's is refused\n"
	"unless --force.\n"
	"\n"
	"Sizes: a frame from IF longer than the device's MTU (+ 14 on a TAP), and a packet or frame\n"
	"from the device longer than IF's MTU (+ 14), is dropped and counted (oversize), never\n"
	"sent.  When IF's MTU changes, the device's follows.\n"
	"\n"
	"Events: IF or the device going down pauses the direction into it; IF or the device\n"
	"disappearing stops the bridge (exit 1), naming it.\n"
	"\n"
	"Output: start-up messages, events and errors on stderr; statistics on stdout, per\n"
	"direction: received, delivered, rates, and drops by cause: oversize, non_ip (tun),\n"
	"no_neigh (tun), dev_full (the device's queue was full: EAGAIN on write), dev_error,\n"
	"invalid, and the kernel's before IF's RX ring (ring_full, fill_empty, rx_dropped); the\n"
	"XDP program's decisions (steered, and passed to the kernel by cause).  The summary checks\n"
	"that received = delivered + drops in each direction.\n"
	"\n"
	"Needs CAP_NET_ADMIN, CAP_NET_RAW, CAP_BPF (or root).  After setup it keeps only\n"
	"CAP_NET_ADMIN (detach the program, follow MTU changes, resolve next hops).\n"
	"\n"
	"Exit status: 0 stopped by SIGINT, SIGTERM, SIGHUP or --duration; 1 runtime error (setup\n"
	"failed, IF or the device disappeared or moved to another namespace); 2 usage error.\n";

void tun_usage(FILE *f, enum tun_kind kind)
{
	fputs(kind == TUN_KIND_TAP ? usage_head_tap : usage_head_tun, f);
	fputs(usage_common, f);
}

bool tun_mac_parse(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	char tail;
	int i;

	if (strlen(s) != 17 || sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &tail) != 6)
		return false;
	for (i = 0; i < 6; i++) {
		/* sscanf's %x takes a sign or a lone digit: insist on two hex digits and a colon. */
		const char *p = s + 3 * i;

		if (!strchr("0123456789abcdefABCDEF", p[0]) || !strchr("0123456789abcdefABCDEF", p[1]) ||
		    (i < 5 && p[2] != ':'))
			return false;
		mac[i] = (uint8_t)b[i];
	}
	return true;
}

/* "198.18.5.0/24", "2001:2::/48", "198.18.5.1": the family (4 or 6), address and mask, masked. */
static int prefix_parse(const char *s, uint8_t *family, uint32_t addr[4], uint32_t mask[4])
{
	char buf[INET6_ADDRSTRLEN + 8], *slash;
	uint8_t a[16] = { 0 }, m[16] = { 0 };
	uint32_t len, max;
	unsigned int i;

	if (strlen(s) >= sizeof(buf))
		return -1;
	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	if (inet_pton(AF_INET, buf, a) == 1) {
		*family = 4;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, a) == 1) {
		*family = 6;
		max = 128;
	} else {
		return -1;
	}
	len = max;
	if (slash && !xb_parse_u32(slash, max, &len))
		return -1;
	for (i = 0; i < len; i++)
		m[i / 8] |= (uint8_t)(0x80 >> (i % 8));
	for (i = 0; i < 16; i++)
		a[i] &= m[i];
	memcpy(addr, a, 16);
	memcpy(mask, m, 16);
	return 0;
}

/* A port or a range N-M.  0, -1 (not one), or -2 (a range that runs backwards: M < N). */
static int range_parse(const char *s, uint16_t *lo, uint16_t *hi)
{
	char buf[16], *dash;
	uint32_t a, b;

	if (strlen(s) >= sizeof(buf))
		return -1;
	snprintf(buf, sizeof(buf), "%s", s);
	dash = strchr(buf, '-');
	if (dash)
		*dash++ = '\0';
	if (!xb_parse_u32(buf, 65535, &a))
		return -1;
	b = a;
	if (dash && !xb_parse_u32(dash, 65535, &b))
		return -1;
	if (b < a)
		return -2;
	*lo = (uint16_t)a;
	*hi = (uint16_t)b;
	return 0;
}

static const struct {
	const char *name;
	uint8_t proto;
} protos[] = {
	{ "tcp", IPPROTO_TCP }, { "udp", IPPROTO_UDP }, { "icmp", IPPROTO_ICMP },
	{ "icmpv6", IPPROTO_ICMPV6 }, { "sctp", IPPROTO_SCTP }, { "udplite", IPPROTO_UDPLITE },
};

int tun_match_parse(const char *s, struct xb_steer_rule *r, char *err, size_t errlen)
{
	char buf[512], *save = NULL, *kv;
	uint8_t fam;
	uint32_t v;
	int rc;
	size_t i;

	memset(r, 0, sizeof(*r));
	if (!*s || strlen(s) >= sizeof(buf)) {
		xb_say(err, errlen, "'%s' is not a rule: KEY=VALUE[,KEY=VALUE...], e.g. dst=198.18.5.0/24,proto=udp", s);
		return -1;
	}
	snprintf(buf, sizeof(buf), "%s", s);
	for (kv = strtok_r(buf, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		char *val = strchr(kv, '=');
		uint32_t bit;

		if (!val || val == kv || !val[1]) {
			xb_say(err, errlen, "'%s' in '%s' is not KEY=VALUE (keys: dst, src, proto, dport, sport)", kv, s);
			return -1;
		}
		*val++ = '\0';
		if (!strcmp(kv, "dst") || !strcmp(kv, "src")) {
			bool dst = kv[0] == 'd';

			bit = dst ? XB_RULE_DST : XB_RULE_SRC;
			if (r->fields & bit)
				goto twice;
			if (prefix_parse(val, &fam, dst ? r->dst : r->src, dst ? r->dst_mask : r->src_mask)) {
				xb_say(err, errlen, "%s=%s: expected an IPv4 or IPv6 address or prefix, e.g. 198.18.5.0/24 or 2001:2::/48",
				       kv, val);
				return -1;
			}
			if (r->family && r->family != fam) {
				xb_say(err, errlen, "'%s' mixes IPv4 and IPv6 in one rule: use one --match per family", s);
				return -1;
			}
			r->family = fam;
		} else if (!strcmp(kv, "proto")) {
			bit = XB_RULE_PROTO;
			if (r->fields & bit)
				goto twice;
			for (i = 0; i < sizeof(protos) / sizeof(protos[0]) && strcasecmp(val, protos[i].name); i++)
				;
			if (i < sizeof(protos) / sizeof(protos[0]))
				r->proto = protos[i].proto;
			else if (xb_parse_u32(val, 255, &v))
				r->proto = (uint8_t)v;
			else {
				xb_say(err, errlen, "proto=%s: expected tcp, udp, icmp, icmpv6, sctp, udplite or a number 0-255", val);
				return -1;
			}
		} else if (!strcmp(kv, "dport") || !strcmp(kv, "sport")) {
			bool dport = kv[0] == 'd';

			bit = dport ? XB_RULE_DPORT : XB_RULE_SPORT;
			if (r->fields & bit)
				goto twice;
			rc = range_parse(val, dport ? &r->dport_lo : &r->sport_lo, dport ? &r->dport_hi : &r->sport_hi);
			if (rc == -2) {
				const char *dash = strchr(val, '-');

				xb_say(err, errlen, "%s=%s: the range runs backwards: write the lower port first (%s=%s-%.*s)", kv,
				       val, kv, dash + 1, (int)(dash - val), val);
				return -1;
			}
			if (rc) {
				xb_say(err, errlen, "%s=%s: expected a port 0-65535 or a range like 5000-5010", kv, val);
				return -1;
			}
		} else {
			xb_say(err, errlen, "unknown key '%s' in '%s' (keys: dst, src, proto, dport, sport)", kv, s);
			return -1;
		}
		r->fields |= bit;
		continue;
twice:
		xb_say(err, errlen, "'%s' is given twice in '%s'", kv, s);
		return -1;
	}
	if (!r->fields) {
		xb_say(err, errlen, "'%s' is not a rule: KEY=VALUE[,KEY=VALUE...], e.g. dst=198.18.5.0/24,proto=udp", s);
		return -1;
	}
	return 0;
}

static bool name_ok(const char *name)
{
	/* No '%': the kernel would number the device itself ("tun%d") and we would not know its name. */
	return *name && strlen(name) < IF_NAMESIZE && !strpbrk(name, "/ %") && strcmp(name, ".") && strcmp(name, "..");
}

/* struct tun_cfg's queue and cpu arrays are cfg.h's, and so is the --batch limit it words. */
_Static_assert(TUN_MAX_QUEUES == XB_MAX_QUEUES && TUN_MAX_QUEUE_ID == XB_MAX_QUEUE_ID, "tun's limits are cfg.h's");
_Static_assert(TUN_MAX_BATCH == XB_MAX_BATCH && TUN_DEF_BATCH == XB_DEF_BATCH && TUN_DEF_RING == XB_DEF_RING,
	       "tun's limits are cfg.h's");

enum {
	OPT_MATCH = XB_OPT_OWN,
	OPT_PEER_MAC,
	OPT_VIA,
	OPT_NO_RESOLVE,
	OPT_TAP,
	OPT_TUN,
	OPT_NO_OFFLOAD,
	OPT_NO_GRO,
};

static const struct option long_opts[] = {
	{ "tap", required_argument, NULL, OPT_TAP },
	{ "tun", required_argument, NULL, OPT_TUN },
	XB_CFG_LONG_OPTS,
	{ "match", required_argument, NULL, OPT_MATCH },
	{ "peer-mac", required_argument, NULL, OPT_PEER_MAC },
	{ "via", required_argument, NULL, OPT_VIA },
	{ "no-resolve", no_argument, NULL, OPT_NO_RESOLVE },
	{ "no-offload", no_argument, NULL, OPT_NO_OFFLOAD },
	{ "no-gro", no_argument, NULL, OPT_NO_GRO },
	{ NULL, 0, NULL, 0 },
};

enum tun_parse_result tun_cfg_parse(struct tun_cfg *cfg, enum tun_kind kind, int argc, char **argv, char *err,
				    size_t errlen)
{
	const char *kname = kind == TUN_KIND_TAP ? "tap" : "tun";
	char why[256];
	int c, idx = 0;

	memset(cfg, 0, sizeof(*cfg));
	cfg->kind = kind;
	xb_cfg_begin(&cfg->common);
	err[0] = '\0';
	while ((c = getopt_long(argc, argv, ":t:" XB_CFG_SHORT_OPTS, long_opts, &idx)) != -1) {
		switch (c) {
		case OPT_TAP:
		case OPT_TUN:
			if ((c == OPT_TAP) != (kind == TUN_KIND_TAP)) {
				xb_say(err, errlen, "'xdpbridge %s' takes --%s NAME, not --%s", kname, kname,
				       kind == TUN_KIND_TAP ? "tun" : "tap");
				return TUN_PARSE_USAGE;
			}
			/* fall through */
		case 't':
			if (!name_ok(optarg)) {
				xb_say(err, errlen, "--%s '%s' is not an interface name (1 to %d characters, no '/', '%%' or space)",
				       kname, optarg, IF_NAMESIZE - 1);
				return TUN_PARSE_USAGE;
			}
			snprintf(cfg->devname, sizeof(cfg->devname), "%s", optarg);
			break;
		case OPT_MATCH:
			if (cfg->nrules == XB_STEER_MAX_RULES) {
				xb_say(err, errlen, "more than %d --match rules: combine keys in one rule (dst=...,proto=...)",
				       XB_STEER_MAX_RULES);
				return TUN_PARSE_USAGE;
			}
			if (tun_match_parse(optarg, &cfg->rule[cfg->nrules], why, sizeof(why))) {
				xb_say(err, errlen, "--match: %s", why);
				return TUN_PARSE_USAGE;
			}
			cfg->nrules++;
			break;
		case OPT_PEER_MAC:
			if (kind != TUN_KIND_TUN)
				goto tun_only;
			if (!tun_mac_parse(optarg, cfg->peer_mac) || !memcmp(cfg->peer_mac, "\0\0\0\0\0\0", 6) ||
			    (cfg->peer_mac[0] & 1)) {
				xb_say(err, errlen, "--peer-mac '%s': expected a unicast MAC like 02:00:00:00:07:01", optarg);
				return TUN_PARSE_USAGE;
			}
			cfg->have_peer_mac = true;
			break;
		case OPT_VIA: {
			uint8_t a[16];
			int f;

			if (kind != TUN_KIND_TUN)
				goto tun_only;
			if (inet_pton(AF_INET, optarg, a) == 1) {
				f = 0;
			} else if (inet_pton(AF_INET6, optarg, a) == 1) {
				f = 1;
			} else {
				xb_say(err, errlen, "--via '%s': expected an IPv4 or IPv6 address (the gateway on IF's link)", optarg);
				return TUN_PARSE_USAGE;
			}
			if (cfg->have_via[f]) {
				xb_say(err, errlen, "--via is given twice for %s: one next hop per family", f ? "IPv6" : "IPv4");
				return TUN_PARSE_USAGE;
			}
			memset(cfg->via[f], 0, 16);
			memcpy(cfg->via[f], a, f ? 16 : 4);
			cfg->have_via[f] = true;
			break;
		}
		case OPT_NO_RESOLVE:
			if (kind != TUN_KIND_TUN)
				goto tun_only;
			cfg->no_resolve = true;
			break;
		case OPT_NO_OFFLOAD:
			cfg->no_offload = true;
			break;
		case OPT_NO_GRO:
			cfg->no_gro = true;
			break;
		case 'h':
			tun_usage(stdout, kind);
			return TUN_PARSE_HELP;
		default:
			if (xb_cfg_opt(&cfg->common, c, argv, err, errlen))
				return TUN_PARSE_USAGE;
		}
	}
	if (argc - optind != 1) {
		xb_say(err, errlen, "%s: xdpbridge %s IF --%s NAME",
		       argc - optind < 1 ? "the interface is missing" : "one interface only", kname, kname);
		return TUN_PARSE_USAGE;
	}
	if (!name_ok(argv[optind])) {
		xb_say(err, errlen, "'%s' is not an interface name (1 to %d characters, no '/', '%%' or space)", argv[optind],
		       IF_NAMESIZE - 1);
		return TUN_PARSE_USAGE;
	}
	snprintf(cfg->ifname, sizeof(cfg->ifname), "%s", argv[optind]);
	if (!cfg->devname[0]) {
		xb_say(err, errlen, "--%s NAME is required: the %s device to bridge %s with", kname,
		       kind == TUN_KIND_TAP ? "TAP" : "TUN", cfg->ifname);
		return TUN_PARSE_USAGE;
	}
	if (!strcmp(cfg->ifname, cfg->devname)) {
		xb_say(err, errlen, "IF and --%s are both '%s': the bridge needs two devices", kname, cfg->ifname);
		return TUN_PARSE_USAGE;
	}
	if (cfg->have_peer_mac && (cfg->have_via[0] || cfg->have_via[1])) {
		xb_say(err, errlen, "--peer-mac and --via exclude each other: --peer-mac sends every packet to one MAC");
		return TUN_PARSE_USAGE;
	}
	if (xb_cfg_check_batch(&cfg->common, err, errlen))
		return TUN_PARSE_USAGE;
	/*
	 * The fill ring is filled at creation, and the library keeps a TX ring's worth of frames for
	 * sending on a socket pair of its own UMEM (xdpsock_opts.frame_count): fwd fills two fill
	 * rings instead.  tap and tun's own default, minimum and sentence.
	 */
	if (!cfg->frames) {
		cfg->frames = 2 * cfg->ring;
	} else if (cfg->frames < 2 * cfg->ring) {
		xb_say(err, errlen,
		       "--frames %u is too few for a fill ring and a TX ring of %u each: use at least %u (or a smaller --ring)",
		       cfg->frames, cfg->ring, 2 * cfg->ring);
		return TUN_PARSE_USAGE;
	}
	return TUN_PARSE_OK;

tun_only:
	xb_say(err, errlen, "--%s is for 'xdpbridge tun' only (a TAP carries whole frames: nothing to address)",
	       long_opts[idx].name);
	return TUN_PARSE_USAGE;
}
