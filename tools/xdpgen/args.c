// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * Options -> struct xg_cfg, and the help texts.  Everything checked here needs no system, so
 * the unit tests run it as is; the checks against an interface are xg_args_check_mtu() and
 * iface.c.  Each error names the option, the value and the rule it broke.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "xdpgen.h"

static const char help_tx[] =
	"usage: xdpgen tx [options] IFNAME --src-ip A --dst-ip B [--dst-mac MAC]\n"
	"\n"
	"Send numbered, timestamped UDP frames (IPv4 or IPv6, as the addresses are) out of IFNAME.\n"
	"Every frame has a valid IPv4 header checksum and UDP checksum; its payload carries the magic\n"
	"\"XGEN\", a sequence number from 0, the send time (CLOCK_MONOTONIC ns) and a fixed pattern,\n"
	"which 'xdpgen rx' checks.\n"
	"\n"
	"  -e, --engine auto|xsk|live\n"
	"                          auto (default): live where a probe (one dropped frame, nothing\n"
	"                          sent) shows the kernel allows it, else xsk, saying why on stderr;\n"
	"                          xsk at once with --copy/--zerocopy or sizes above 3072\n"
	"                          xsk: an AF_XDP socket on --queue, batches of --batch\n"
	"                          live: an XDP program run in the kernel by BPF_PROG_RUN with\n"
	"                          BPF_F_TEST_XDP_LIVE_FRAMES, rewriting each frame from a template\n"
	"                          and transmitting it with XDP_TX; no socket, no copy per frame;\n"
	"                          exit 1 where the kernel refuses live frames\n"
	"      --src-ip A          source IPv4 or IPv6 address                          (required)\n"
	"      --dst-ip B          destination address, same version                    (required)\n"
	"      --src-mac MAC       default: IFNAME's own\n"
	"      --dst-mac MAC       default: the neighbour entry of --dst-ip on IFNAME (ip neigh)\n"
	"      --src-port P        first UDP source port (default 40000)\n"
	"      --dst-port P        UDP destination port (default 9)\n"
	"      --flows N           spread frames over N source ports P .. P+N-1 in turn, so that a\n"
	"                          receiver with several queues (RSS) sees them all (default 1)\n"
	"  -s, --size LIST         frame length in bytes, Ethernet header included, FCS not: one\n"
	"                          length, a list sent in turn (64,512,1500), or 'imix' (7 x 64,\n"
	"                          4 x 590, 1 x 1514; 78 instead of 64 for IPv6).  From 60 (78 for\n"
	"                          IPv6) to IFNAME's MTU + 14 (default 64; 78 for IPv6)\n"
	"  -r, --rate PPS          frames per second, paced in batches (suffixes k, M); default: as\n"
	"                          fast as possible\n"
	"  -c, --count N           frames to send, 1 to 1000000000000 (suffixes k, M, G: 1000G)\n"
	"  -d, --duration S        seconds to send (default 10 when no --count is given; with --count\n"
	"                          alone, at most 3600)\n"
	"  -q, --queue N           queue to send on (xsk: the socket's; live: the frames' rx queue)\n"
	"  -b, --batch N           frames per batch, 1..256 (default 64)\n"
	"      --copy | --zerocopy | --auto   AF_XDP copy mode (default auto)\n"
	"  -j, --json              print one JSON object at the end (progress goes to stderr)\n"
	"      --quiet             no progress lines\n"
	"  -v, --verbose           libxdpsock's and libbpf's messages (-vv: their debug ones)\n"
	"  -h, --help              this text\n"
	"\n"
	"Exit status: 0 sent; 1 runtime failure (socket, program, interface gone); 2 bad usage\n"
	"(option, value, interface name, a size above the interface's MTU).\n";

static const char help_rx[] =
	"usage: xdpgen rx [options] IFNAME\n"
	"\n"
	"Receive and drop frames on IFNAME through AF_XDP sockets, check every frame 'xdpgen tx' or\n"
	"'xdpgen ping' made (checksums, lengths, payload pattern) and its sequence number: lost,\n"
	"duplicated, reordered, corrupted.  Frames without the magic are counted as 'other'.  A rate\n"
	"line per second while running, a summary at the end.\n"
	"\n"
	"  -q, --queue N|all       queue to bind (default 0); 'all': one socket per queue\n"
	"  -x, --xdp-count         no socket: an XDP program counts frames (ours by the magic, and\n"
	"                          others) in a per-CPU array and drops them; no sequence check.\n"
	"                          It goes with the process, even on SIGKILL (a BPF link)\n"
	"      --pass              with --xdp-count: pass the frames to the kernel instead\n"
	"  -E, --expect N          exit 1 unless N distinct frames arrived intact, with no duplicate\n"
	"                          and no corrupted one (lost = N - distinct); once N have arrived,\n"
	"                          stop after --idle ms without frames (N: 1 to 1000000000000)\n"
	"      --idle MS           (default 250)\n"
	"  -c, --count N           stop after N frames of ours (1 to 1000000000000, as for tx)\n"
	"  -d, --duration S        seconds to listen (default 10 when no --count is given; with\n"
	"                          --count alone, at most 3600)\n"
	"      --copy | --zerocopy | --auto   AF_XDP copy mode (default auto)\n"
	"      --native | --generic           XDP attach mode (default native, else generic)\n"
	"  -j, --json              print one JSON object at the end (progress goes to stderr)\n"
	"      --quiet             no progress lines\n"
	"  -v, --verbose           libxdpsock's and libbpf's messages (-vv: their debug ones)\n"
	"  -h, --help              this text\n"
	"\n"
	"An xdpgen_count program left on IFNAME by an 'xdpgen rx --xdp-count' that was killed (no\n"
	"process holds it) is removed, with a warning, by the next rx, ping or reflect there.\n"
	"\n"
	"Exit status: 0 done (and --expect met); 1 runtime failure (IFNAME gone, ...) or --expect\n"
	"not met; 2 bad usage.\n";

static const char help_ping[] =
	"usage: xdpgen ping [options] IFNAME --src-ip A --dst-ip B [--dst-mac MAC]\n"
	"\n"
	"Measure round trips: send timestamped probes (the frames of 'xdpgen tx') through an AF_XDP\n"
	"socket pair to a reflector ('xdpgen reflect', or anything that swaps MACs, addresses and\n"
	"ports) and check every reply.  Reports min/avg/p50/p90/p99/p99.9/max in microseconds from a\n"
	"log-linear histogram (buckets 3% wide).\n"
	"\n"
	"      --src-ip A, --dst-ip B, --src-mac MAC, --dst-mac MAC, --src-port P, --dst-port P\n"
	"                          as for tx (default ports 40000 -> 7)\n"
	"  -s, --size LIST         probe length(s), as for tx (default 64; 78 for IPv6)\n"
	"  -r, --rate PPS          probes per second (default 1000)\n"
	"  -c, --count N           probes to send (1 to 1000000000000, as for tx)\n"
	"  -d, --duration S        seconds to send (default 10 when no --count is given)\n"
	"  -w, --wait MS           how long to wait for replies after the last probe (default 1000)\n"
	"  -q, --queue N           queue to bind (default 0)\n"
	"      --copy | --zerocopy | --auto, --native | --generic   as for rx\n"
	"  -j, --json, --quiet, -v, --verbose, -h, --help\n"
	"\n"
	"Exit status: 0 every probe came back intact; 1 some were lost, duplicated or corrupted, or a\n"
	"runtime failure; 2 bad usage.\n";

static const char help_reflect[] =
	"usage: xdpgen reflect [options] IFNAME\n"
	"\n"
	"Return every UDP frame (IPv4 or IPv6) that arrives on one queue of IFNAME, with the MAC\n"
	"addresses, IP addresses and ports swapped, through an AF_XDP socket pair: the peer of\n"
	"'xdpgen ping'.  Checksums stay valid (a swap does not change a ones' complement sum).\n"
	"Other frames, and frames to a multicast or broadcast MAC, are dropped and counted.\n"
	"\n"
	"  -q, --queue N           queue to bind (default 0)\n"
	"  -c, --count N           stop after reflecting N frames (1 to 1000000000000, as for tx)\n"
	"  -d, --duration S        seconds to run (default 10 when no --count is given)\n"
	"      --copy | --zerocopy | --auto, --native | --generic   as for rx\n"
	"  -j, --json, --quiet, -v, --verbose, -h, --help\n"
	"\n"
	"Exit status: 0 stopped as asked (signal, --count, --duration); 1 runtime failure (IFNAME\n"
	"gone, ...); 2 usage.\n";

const char *xg_help(enum xg_cmd cmd)
{
	switch (cmd) {
	case XG_CMD_TX:
		return help_tx;
	case XG_CMD_RX:
		return help_rx;
	case XG_CMD_PING:
		return help_ping;
	case XG_CMD_REFLECT:
		return help_reflect;
	}
	return "";
}

const char *xg_cmd_name(enum xg_cmd cmd)
{
	static const char *const names[] = { "tx", "rx", "ping", "reflect" };

	return (unsigned int)cmd < 4 ? names[cmd] : "?";
}

/* Which command takes which option. */
#define T (1u << XG_CMD_TX)
#define R (1u << XG_CMD_RX)
#define P (1u << XG_CMD_PING)
#define F (1u << XG_CMD_REFLECT)

enum {
	O_SRC_IP = 256, O_DST_IP, O_SRC_MAC, O_DST_MAC, O_SPORT, O_DPORT, O_FLOWS, O_COPY, O_ZC, O_AUTO,
	O_NATIVE, O_GENERIC, O_PASS, O_IDLE, O_QUIET,
};

static const struct option longopts[] = {
	{ "engine", required_argument, NULL, 'e' },
	{ "src-ip", required_argument, NULL, O_SRC_IP },
	{ "dst-ip", required_argument, NULL, O_DST_IP },
	{ "src-mac", required_argument, NULL, O_SRC_MAC },
	{ "dst-mac", required_argument, NULL, O_DST_MAC },
	{ "src-port", required_argument, NULL, O_SPORT },
	{ "dst-port", required_argument, NULL, O_DPORT },
	{ "flows", required_argument, NULL, O_FLOWS },
	{ "size", required_argument, NULL, 's' },
	{ "rate", required_argument, NULL, 'r' },
	{ "count", required_argument, NULL, 'c' },
	{ "duration", required_argument, NULL, 'd' },
	{ "queue", required_argument, NULL, 'q' },
	{ "batch", required_argument, NULL, 'b' },
	{ "copy", no_argument, NULL, O_COPY },
	{ "zerocopy", no_argument, NULL, O_ZC },
	{ "auto", no_argument, NULL, O_AUTO },
	{ "native", no_argument, NULL, O_NATIVE },
	{ "generic", no_argument, NULL, O_GENERIC },
	{ "xdp-count", no_argument, NULL, 'x' },
	{ "pass", no_argument, NULL, O_PASS },
	{ "expect", required_argument, NULL, 'E' },
	{ "idle", required_argument, NULL, O_IDLE },
	{ "wait", required_argument, NULL, 'w' },
	{ "json", no_argument, NULL, 'j' },
	{ "quiet", no_argument, NULL, O_QUIET },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static unsigned int allowed(int opt)
{
	switch (opt) {
	case 'e':
	case O_FLOWS:
	case 'b':
		return T;
	case O_SRC_IP:
	case O_DST_IP:
	case O_SRC_MAC:
	case O_DST_MAC:
	case O_SPORT:
	case O_DPORT:
	case 's':
	case 'r':
		return T | P;
	case O_NATIVE:
	case O_GENERIC:
		return R | P | F;
	case 'x':
	case O_PASS:
	case 'E':
	case O_IDLE:
		return R;
	case 'w':
		return P;
	default:
		return T | R | P | F;
	}
}

/* Messages name options by their long form, however they were typed. */
static const char *long_name(int opt)
{
	static char name[40];	/* single-threaded parser */
	const struct option *o;

	for (o = longopts; o->name; o++)
		if (o->val == opt) {
			snprintf(name, sizeof(name), "--%s", o->name);
			return name;
		}
	snprintf(name, sizeof(name), "-%c", opt);
	return name;
}

struct parser {
	enum xg_cmd cmd;
	char *err;
	size_t errlen;
	const char *opt;	/* the option being parsed, by its long name */
	const char *too_big;	/* format (option, value, maximum) when a number is above its maximum */
	bool have_size;		/* --size was given: else the default is the smallest frame of the IP version */
};

static int fail(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
	return XG_EXIT_USAGE;
}

/*
 * A non-negative whole number with an optional k/M/G suffix ("2.5M"), as a double: exact up
 * to 2^53, far above every maximum here, and anything larger is simply out of range.
 */
static int parse_value(struct parser *p, const char *s, double *out)
{
	char *end;
	double v, mult = 1;

	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return fail(p, "%s '%s': not a number", p->opt, s);
	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno || !isfinite(v))
		return fail(p, "%s '%s': not a number", p->opt, s);
	if (*end == 'k' || *end == 'K')
		mult = 1e3;
	else if (*end == 'm' || *end == 'M')
		mult = 1e6;
	else if (*end == 'g' || *end == 'G')
		mult = 1e9;
	if (mult != 1)
		end++;
	if (*end)
		return fail(p, "%s '%s': not a number (digits, then optionally k, M or G)", p->opt, s);
	v *= mult;
	if (v != floor(v))
		return fail(p, "%s '%s': must be a whole number", p->opt, s);
	*out = v;
	return 0;
}

/* A number up to @max, with the option's own words when it is above (p->too_big). */
static int parse_num(struct parser *p, const char *s, uint64_t max, uint64_t *out)
{
	double v;
	int err = parse_value(p, s, &v);

	if (err)
		return err;
	if (v > (double)max)
		return fail(p, p->too_big ? p->too_big : "%s %s: too large: at most %llu", p->opt, s,
			    (unsigned long long)max);
	*out = (uint64_t)v;
	return 0;
}

/* A number from @min to @max; one sentence for both ends, so each limit is stated one way. */
static int parse_range(struct parser *p, const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	double v;
	int err = parse_value(p, s, &v);

	if (err)
		return err;
	if (v < (double)min || v > (double)max)
		return fail(p, "%s %s: out of range: %llu to %llu", p->opt, s, (unsigned long long)min,
			    (unsigned long long)max);
	*out = (uint64_t)v;
	return 0;
}

static int parse_mac(struct parser *p, const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	int n = 0, i;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%n", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &n) != 6 || s[n])
		return fail(p, "%s '%s': not a MAC address (aa:bb:cc:dd:ee:ff)", p->opt, s);
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return 0;
}

static int parse_ip(struct parser *p, const char *s, uint8_t ip[16], int *family)
{
	if (inet_pton(AF_INET, s, ip) == 1)
		*family = AF_INET;
	else if (inet_pton(AF_INET6, s, ip) == 1)
		*family = AF_INET6;
	else
		return fail(p, "%s '%s': not an IPv4 or IPv6 address", p->opt, s);
	return 0;
}

/* "64", "64,512,1500" or "imix": distinct lengths in c->sizes, the order of sending in c->cycle. */
static int parse_sizes(struct parser *p, struct xg_cfg *c, const char *s)
{
	const char *q = s;
	uint32_t n = 0, i;

	c->nsizes = 0;
	c->cycle_len = 0;
	c->imix = !strcmp(s, "imix");
	if (c->imix)
		return 0;	/* made in finish(): the small size depends on the IP version */
	for (;;) {
		char tok[32], *end;
		size_t len = strcspn(q, ",");
		unsigned long v;

		if (!len || len >= sizeof(tok))
			return fail(p, "%s '%s': expected a length, a comma-separated list of lengths, or imix",
				    p->opt, s);
		memcpy(tok, q, len);
		tok[len] = '\0';
		errno = 0;
		v = strtoul(tok, &end, 10);
		if (*end || errno || tok[0] == '-' || tok[0] == '+')
			return fail(p, "%s '%s': '%s' is not a length in bytes", p->opt, s, tok);
		if (v < XG_MIN_FRAME)
			return fail(p, "%s %s: %lu bytes is below 60, the smallest Ethernet frame (FCS not counted)",
				    p->opt, s, v);
		if (v > 65535)	/* the MTU check (xg_args_check_mtu) tells the interface's real limit */
			return fail(p, "%s %s: %lu bytes is not a frame length (at most 65535)", p->opt, s, v);
		if (n == XG_MAX_CYCLE)
			return fail(p, "%s '%s': more than %u lengths", p->opt, s, XG_MAX_CYCLE);
		for (i = 0; i < c->nsizes && c->sizes[i] != v; i++)
			;
		if (i == c->nsizes) {
			if (c->nsizes == XG_MAX_SIZES)
				return fail(p, "%s '%s': more than %u different lengths", p->opt, s, XG_MAX_SIZES);
			c->sizes[c->nsizes++] = (uint32_t)v;
		}
		c->cycle[n++] = (uint8_t)i;
		q += len;
		if (!*q)
			break;
		q++;
	}
	c->cycle_len = n;
	return 0;
}

static void set_imix(struct xg_cfg *c)
{
	/* 7 small, 4 medium, 1 large, interleaved: S M S M S S M S M S S L. */
	static const uint8_t order[] = { 0, 1, 0, 1, 0, 0, 1, 0, 1, 0, 0, 2 };

	c->sizes[0] = xg_frame_min(c->a.family) < 64 ? 64 : xg_frame_min(c->a.family);
	c->sizes[1] = 590;	/* IP 576 */
	c->sizes[2] = 1514;	/* IP 1500 */
	c->nsizes = 3;
	memcpy(c->cycle, order, sizeof(order));
	c->cycle_len = sizeof(order);
}

static int finish(struct parser *p, struct xg_cfg *c, int src_family, int dst_family)
{
	uint32_t i;
	const char *cmd = xg_cmd_name(c->cmd);

	if (c->cmd == XG_CMD_TX || c->cmd == XG_CMD_PING) {
		if (!c->have_src_ip || !c->have_dst_ip)
			return fail(p, "%s needs --src-ip and --dst-ip (the addresses decide IPv4 or IPv6)", cmd);
		if (src_family != dst_family)
			return fail(p, "--src-ip is %s but --dst-ip is %s: use one IP version",
				    src_family == AF_INET ? "IPv4" : "IPv6", dst_family == AF_INET ? "IPv4" : "IPv6");
		c->a.family = src_family;
		if (c->imix)
			set_imix(c);
		else if (!p->have_size)
			c->sizes[0] = xg_frame_min(c->a.family) < 64 ? 64 : xg_frame_min(c->a.family);
		for (i = 0; i < c->nsizes; i++)
			if (c->sizes[i] < xg_frame_min(c->a.family))
				return fail(p, "--size %u: too small for UDP/IPv6: at least %u bytes (14 Ethernet + 40 IPv6 "
					    "+ 8 UDP + 16 payload header)", c->sizes[i], XG_HDR6);
		if ((uint64_t)c->a.sport + c->flows - 1 > 65535)
			return fail(p, "--flows %u from --src-port %u: source ports would go past 65535", c->flows,
				    c->a.sport);
	}
	if (c->pass && !c->xdp_count)
		return fail(p, "--pass goes with --xdp-count");
	if (c->xdp_count && c->all_queues)
		return fail(p, "--xdp-count counts every queue already: leave out --queue all");
	if (c->engine == XG_ENGINE_LIVE && c->copy != XG_COPY_AUTO)
		return fail(p, "--copy/--zerocopy choose the AF_XDP mode: the live engine has no socket");
	if (c->engine == XG_ENGINE_AUTO && c->cmd == XG_CMD_TX) {
		/* What only the xsk engine can do settles auto before any probe. */
		bool xsk = c->copy != XG_COPY_AUTO;

		for (i = 0; i < c->nsizes; i++)
			xsk |= c->sizes[i] > XG_LIVE_MAX_FRAME;
		if (xsk)
			c->engine = XG_ENGINE_XSK;
	}
	/* Always bounded: 10 s when nothing is said, an hour at most when only a count is. */
	if (!c->have_duration)
		c->duration_ns = (c->count || c->expect ? 3600ull : 10ull) * XG_NSEC;
	return 0;
}

int xg_args_parse(struct xg_cfg *c, enum xg_cmd cmd, int argc, char **argv, char *err, size_t errlen)
{
	struct parser p = { .cmd = cmd, .err = err, .errlen = errlen };
	int opt, src_family = 0, dst_family = 0, rc;
	uint64_t v;

	memset(c, 0, sizeof(*c));
	c->cmd = cmd;
	c->a.sport = 40000;
	c->a.dport = cmd == XG_CMD_PING ? 7 : 9;
	c->flows = 1;
	c->sizes[0] = 64;
	c->nsizes = 1;
	c->cycle_len = 1;
	c->batch = 64;
	c->rate = cmd == XG_CMD_PING ? 1000 : 0;
	c->idle_ms = 250;
	c->wait_ms = 1000;
	if (errlen)
		err[0] = '\0';

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":e:s:r:c:d:q:b:xE:w:jvh", longopts, NULL)) != -1) {
		const char *optname = long_name(opt);

		p.opt = optname;
		if (opt == '?')
			return optopt ? fail(&p, "unknown option '-%c'", optopt)
				      : fail(&p, "unknown option '%s'", argv[optind - 1]);
		if (opt == ':')
			return fail(&p, "%s needs a value", optopt ? long_name(optopt) : argv[optind - 1]);
		if (!(allowed(opt) & (1u << cmd)))
			return fail(&p, "%s takes no %s", xg_cmd_name(cmd), optname);
		rc = 0;
		switch (opt) {
		case 'h':
			return -1;
		case 'e':
			if (!strcmp(optarg, "auto"))
				c->engine = XG_ENGINE_AUTO;
			else if (!strcmp(optarg, "xsk"))
				c->engine = XG_ENGINE_XSK;
			else if (!strcmp(optarg, "live"))
				c->engine = XG_ENGINE_LIVE;
			else
				rc = fail(&p, "%s '%s': the engines are auto, xsk and live", optname, optarg);
			break;
		case O_SRC_IP:
			rc = parse_ip(&p, optarg, c->a.src_ip, &src_family);
			c->have_src_ip = true;
			break;
		case O_DST_IP:
			rc = parse_ip(&p, optarg, c->a.dst_ip, &dst_family);
			c->have_dst_ip = true;
			break;
		case O_SRC_MAC:
			rc = parse_mac(&p, optarg, c->a.src_mac);
			c->have_src_mac = true;
			break;
		case O_DST_MAC:
			rc = parse_mac(&p, optarg, c->a.dst_mac);
			c->have_dst_mac = true;
			break;
		case O_SPORT:
		case O_DPORT:
			rc = parse_range(&p, optarg, 1, 65535, &v);
			*(opt == O_SPORT ? &c->a.sport : &c->a.dport) = (uint16_t)v;
			break;
		case O_FLOWS:
			rc = parse_range(&p, optarg, 1, 65535, &v);
			c->flows = (uint32_t)v;
			break;
		case 's':
			rc = parse_sizes(&p, c, optarg);
			p.have_size = true;
			break;
		case 'r':
			p.too_big = "%s %s: absurd rate: more than %llu frames per second (200 Mpps) is beyond any link";
			rc = parse_num(&p, optarg, XG_MAX_RATE, &c->rate);
			p.too_big = NULL;
			if (!rc && !c->rate)
				rc = fail(&p, "%s 0: a rate must be at least 1 frame per second%s", optname,
					  cmd == XG_CMD_TX ? " (leave --rate out to send as fast as possible)" : "");
			break;
		case 'c':
			rc = parse_range(&p, optarg, 1, XG_MAX_COUNT, &c->count);
			break;
		case 'E':
			rc = parse_range(&p, optarg, 1, XG_MAX_COUNT, &c->expect);
			break;
		case 'd': {
			char *end;
			double s;

			errno = 0;
			s = strtod(optarg, &end);
			if (end == optarg || *end || errno || !isfinite(s) || s <= 0 || s > XG_MAX_SECONDS)
				rc = fail(&p, "%s '%s': seconds, more than 0 and at most %u", optname, optarg,
					  XG_MAX_SECONDS);
			c->duration_ns = (uint64_t)(s * 1e9);
			c->have_duration = true;
			break;
		}
		case 'q':
			if (!strcmp(optarg, "all") && cmd == XG_CMD_RX) {
				c->all_queues = true;
				break;
			}
			rc = parse_range(&p, optarg, 0, XG_MAX_QUEUES - 1, &v);
			c->queue = (uint32_t)v;
			break;
		case 'b':
			rc = parse_range(&p, optarg, 1, XG_MAX_BATCH, &v);
			c->batch = (uint32_t)v;
			break;
		case O_COPY:
			c->copy = XG_COPY_FORCE;
			break;
		case O_ZC:
			c->copy = XG_COPY_ZEROCOPY;
			break;
		case O_AUTO:
			c->copy = XG_COPY_AUTO;
			break;
		case O_NATIVE:
			c->attach = XG_ATTACH_NATIVE;
			break;
		case O_GENERIC:
			c->attach = XG_ATTACH_GENERIC;
			break;
		case 'x':
			c->xdp_count = true;
			break;
		case O_PASS:
			c->pass = true;
			break;
		case O_IDLE:
			rc = parse_range(&p, optarg, 1, 60000, &v);
			c->idle_ms = (uint32_t)v;
			break;
		case 'w':
			rc = parse_range(&p, optarg, 0, 60000, &v);
			c->wait_ms = (uint32_t)v;
			break;
		case 'j':
			c->json = true;
			break;
		case O_QUIET:
			c->quiet = true;
			break;
		case 'v':
			c->verbose++;
			break;
		}
		if (rc)
			return rc;
	}
	if (optind >= argc)
		return fail(&p, "%s needs an interface name (IFNAME)", xg_cmd_name(cmd));
	if (optind < argc - 1)
		return fail(&p, "one interface only: '%s' and '%s' given", argv[optind], argv[optind + 1]);
	c->ifname = argv[optind];
	return finish(&p, c, src_family, dst_family);
}

int xg_args_check_mtu(const struct xg_cfg *c, uint32_t mtu, char *err, size_t errlen)
{
	uint32_t i;

	for (i = 0; i < c->nsizes; i++) {
		if (c->sizes[i] > mtu + XG_ETH_LEN) {
			snprintf(err, errlen, "--size %u is above the MTU of %s: at most %u bytes (MTU %u + 14-byte "
				 "Ethernet header)", c->sizes[i], c->ifname, mtu + XG_ETH_LEN, mtu);
			return XG_EXIT_USAGE;
		}
		if (c->sizes[i] > XG_MAX_FRAME) {
			snprintf(err, errlen, "--size %u: xdpgen sends frames of one buffer, at most %u bytes",
				 c->sizes[i], XG_MAX_FRAME);
			return XG_EXIT_USAGE;
		}
		if (c->engine == XG_ENGINE_LIVE && c->sizes[i] > XG_LIVE_MAX_FRAME) {
			snprintf(err, errlen, "--size %u: the live engine sends frames of at most %u bytes (one page "
				 "with the kernel's headroom): use --engine xsk", c->sizes[i], XG_LIVE_MAX_FRAME);
			return XG_EXIT_USAGE;
		}
	}
	return 0;
}
