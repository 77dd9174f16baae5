// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * `xdpbridge fwd` command line -> struct fwd_cfg.  Only what can be checked without
 * the kernel is checked here (exit 2); interfaces, queue counts and cpus are checked by
 * fwd_cmd.c against the machine (exit 1).
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwd.h"

static const char fwd_usage_text[] =
	"Usage: xdpbridge fwd IF_A IF_B [options]\n"
	"\n"
	"Forward every frame received on IF_A out of IF_B, unchanged, and back: a bump in the\n"
	"wire through AF_XDP sockets, one worker thread per queue.  Both sockets of a worker\n"
	"share one UMEM, so frames move without being copied; when the kernel refuses that,\n"
	"the worker copies them (said at start-up).\n"
	"\n"
	"  -q, --queues LIST     queue ids to forward, e.g. 0,1 or 0-3 (default: every queue:\n"
	"                        the current channel count from netlink, the smaller of the two\n"
	"                        interfaces')\n"
	"  -c, --cpus LIST       pin worker i (queue LIST order) to cpu LIST[i % n] (default: no\n"
	"                        pinning)\n"
	"  -m, --mode MODE       auto|copy|zerocopy (default auto: zero-copy where the driver can)\n"
	"  -x, --xdp MODE        auto|native|generic (default auto: native, else generic)\n"
	"      --frame-size N    2048|4096 bytes per UMEM frame (default 2048)\n"
	"      --frames N        UMEM frames per worker (default 4 x --ring; at least 2 x --ring)\n"
	"      --ring N          size of every ring, a power of two (default 2048)\n"
	"      --batch N         frames per batch (default 64, max 256)\n"
	"      --busy-poll       SO_PREFER_BUSY_POLL and spin (for dedicated cores); default: sleep\n"
	"                        in poll() when idle\n"
	"  -i, --interval SECS   print stats every SECS seconds (default 0: only the final summary)\n"
	"  -j, --json            stats (periodic and final) as JSON lines on stdout\n"
	"  -d, --duration SECS   stop by itself after SECS (default 0: until SIGINT/SIGTERM)\n"
	"      --force           replace an XDP program that is not ours on IF_A/IF_B\n"
	"      --vlan            allow one 802.1Q tag: frames up to MTU + 18 bytes (default MTU + 14)\n"
	"      --no-shared-umem  copy frames between two UMEMs even where one could be shared\n"
	"  -v, --verbose         the library's messages and the capabilities kept (-vv: debug too)\n"
	"  -h, --help            this help\n"
	"\n"
	"Frames longer than the egress interface's MTU + 14 bytes are dropped and counted\n"
	"(oversize), never sent.  When an interface goes down the worker stops sending into\n"
	"it and resumes when it comes back; when one disappears, the bridge stops (exit 1).\n"
	"\n"
	"Output: start-up messages, link events and errors on stderr; statistics on stdout.\n"
	"Counters per port: rx (received), tx (put on its TX ring), rx/s, tx/s, and drops by\n"
	"cause: ring_full (kernel: RX ring full), fill_empty (kernel: no fill-ring frame),\n"
	"rx_dropped (kernel: all drops before the RX ring except ring_full, fill_empty\n"
	"included), tx_ring_full (frames that waited for room on this port's TX ring: delayed,\n"
	"not dropped), invalid (bad descriptors), oversize (longer than the other port's MTU).\n"
	"The summary shows, per direction, received = forwarded + oversize + invalid + held,\n"
	"and forwarded = sent + in flight (both 0 after a clean drain).\n"
	"\n"
	"Needs CAP_NET_RAW, CAP_NET_ADMIN, CAP_BPF (or root).  After setup it keeps only\n"
	"CAP_NET_ADMIN and CAP_SYS_PTRACE, which the teardown needs.\n"
	"\n"
	"Exit status: 0 stopped by SIGINT, SIGTERM or --duration after draining; 1 runtime\n"
	"error (setup failed, an interface disappeared); 2 usage error.\n";

void fwd_usage(FILE *f)
{
	fputs(fwd_usage_text, f);
}

static void say(char *err, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

/* A decimal number without sign, spaces or leading garbage; *end after it. */
static bool parse_u32_prefix(const char *s, uint32_t max, uint32_t *v, const char **end)
{
	unsigned long long x;
	char *e;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	x = strtoull(s, &e, 10);
	if (errno || x > max)
		return false;
	*v = (uint32_t)x;
	*end = e;
	return true;
}

static bool parse_u32(const char *s, uint32_t max, uint32_t *v)
{
	const char *end;

	return parse_u32_prefix(s, max, v, &end) && !*end;
}

int fwd_list_parse(const char *s, uint32_t max, bool unique, uint32_t *out, unsigned int cap, char *err,
		   size_t errlen)
{
	const char *p = s;
	unsigned int n = 0, i;

	if (!*s) {
		say(err, errlen, "an empty list");
		return -1;
	}
	for (;;) {
		uint32_t lo, hi, v;
		const char *end;

		if (!parse_u32_prefix(p, max, &lo, &end)) {
			say(err, errlen, "'%s' is not a list of numbers from 0 to %u like 0,1 or 0-3", s, max);
			return -1;
		}
		hi = lo;
		if (*end == '-') {
			if (!parse_u32_prefix(end + 1, max, &hi, &end)) {
				say(err, errlen, "'%s' is not a list of numbers from 0 to %u like 0,1 or 0-3", s, max);
				return -1;
			}
			if (hi < lo) {
				say(err, errlen, "the range %u-%u in '%s' goes backwards", lo, hi, s);
				return -1;
			}
		}
		if (*end != ',' && *end) {
			say(err, errlen, "'%s' is not a list of numbers from 0 to %u like 0,1 or 0-3", s, max);
			return -1;
		}
		if (hi - lo >= cap - n) {
			say(err, errlen, "'%s' has more than %u entries", s, cap);
			return -1;
		}
		for (v = lo;; v++) {
			if (unique)
				for (i = 0; i < n; i++)
					if (out[i] == v) {
						say(err, errlen, "%u is listed twice in '%s'", v, s);
						return -1;
					}
			out[n++] = v;
			if (v == hi)
				break;
		}
		if (!*end)
			return (int)n;
		p = end + 1;
	}
}

bool fwd_secs_parse(const char *s, double max, double *out)
{
	double v;
	char *end;

	if (*s < '0' || *s > '9')	/* no sign, no space, no "inf" or "nan" */
		return false;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || v > max)
		return false;
	/* Timers take milliseconds: 0.0001 would silently become 0 ("none"). */
	if (v > 0 && v < 0.001)
		return false;
	*out = v;
	return true;
}

static bool is_pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

enum {
	OPT_FRAME_SIZE = 256,
	OPT_FRAMES,
	OPT_RING,
	OPT_BATCH,
	OPT_BUSY_POLL,
	OPT_FORCE,
	OPT_VLAN,
	OPT_NO_SHARE,
};

static const struct option long_opts[] = {
	{ "queues", required_argument, NULL, 'q' },
	{ "cpus", required_argument, NULL, 'c' },
	{ "mode", required_argument, NULL, 'm' },
	{ "xdp", required_argument, NULL, 'x' },
	{ "frame-size", required_argument, NULL, OPT_FRAME_SIZE },
	{ "frames", required_argument, NULL, OPT_FRAMES },
	{ "ring", required_argument, NULL, OPT_RING },
	{ "batch", required_argument, NULL, OPT_BATCH },
	{ "busy-poll", no_argument, NULL, OPT_BUSY_POLL },
	{ "interval", required_argument, NULL, 'i' },
	{ "json", no_argument, NULL, 'j' },
	{ "duration", required_argument, NULL, 'd' },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "vlan", no_argument, NULL, OPT_VLAN },
	{ "no-shared-umem", no_argument, NULL, OPT_NO_SHARE },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

#define MAX_SECS (86400.0 * 365)

enum fwd_parse_result fwd_cfg_parse(struct fwd_cfg *cfg, int argc, char **argv, char *err, size_t errlen)
{
	uint32_t v, list[FWD_MAX_QUEUES];
	int c, n, i;

	memset(cfg, 0, sizeof(*cfg));
	cfg->frame_size = 2048;
	cfg->ring = FWD_DEF_RING;
	cfg->batch = FWD_DEF_BATCH;
	err[0] = '\0';
	optind = 0;	/* 0, not 1: glibc then forgets a previous parse's state (tests parse many argvs) */
	opterr = 0;	/* our own sentences, naming the option */
	while ((c = getopt_long(argc, argv, ":q:c:m:x:i:jd:vh", long_opts, NULL)) != -1) {
		switch (c) {
		case 'q':
			n = fwd_list_parse(optarg, FWD_MAX_QUEUE_ID, true, cfg->queue, FWD_MAX_QUEUES, err, errlen);
			if (n < 0)
				goto bad_list;
			cfg->nqueues = (unsigned int)n;
			break;
		case 'c':
			n = fwd_list_parse(optarg, CPU_SETSIZE - 1, false, list, FWD_MAX_QUEUES, err, errlen);
			if (n < 0)
				goto bad_list;
			for (i = 0; i < n; i++)
				cfg->cpu[i] = (int)list[i];
			cfg->ncpus = (unsigned int)n;
			break;
		case 'm':
			if (!strcmp(optarg, "auto"))
				cfg->copy_mode = XDPSOCK_COPY_AUTO;
			else if (!strcmp(optarg, "copy"))
				cfg->copy_mode = XDPSOCK_COPY_FORCE;
			else if (!strcmp(optarg, "zerocopy"))
				cfg->copy_mode = XDPSOCK_COPY_ZEROCOPY;
			else
				goto bad_value;
			break;
		case 'x':
			if (!strcmp(optarg, "auto"))
				cfg->attach_mode = XDPSOCK_ATTACH_AUTO;
			else if (!strcmp(optarg, "native"))
				cfg->attach_mode = XDPSOCK_ATTACH_NATIVE;
			else if (!strcmp(optarg, "generic"))
				cfg->attach_mode = XDPSOCK_ATTACH_GENERIC;
			else
				goto bad_value;
			break;
		case OPT_FRAME_SIZE:
			if (!parse_u32(optarg, UINT32_MAX, &v) || (v != 2048 && v != 4096))
				goto bad_value;
			cfg->frame_size = v;
			break;
		case OPT_FRAMES:
			if (!parse_u32(optarg, 1u << 24, &v) || !v)
				goto bad_value;
			cfg->frames = v;
			break;
		case OPT_RING:
			if (!parse_u32(optarg, 1u << 16, &v) || v < 64 || !is_pow2(v))
				goto bad_value;
			cfg->ring = v;
			break;
		case OPT_BATCH:
			if (!parse_u32(optarg, FWD_MAX_BATCH, &v) || !v)
				goto bad_value;
			cfg->batch = v;
			break;
		case OPT_BUSY_POLL:
			cfg->busy_poll = true;
			break;
		case 'i':
			if (!fwd_secs_parse(optarg, MAX_SECS, &cfg->interval))
				goto bad_value;
			break;
		case 'j':
			cfg->json = true;
			break;
		case 'd':
			if (!fwd_secs_parse(optarg, MAX_SECS, &cfg->duration))
				goto bad_value;
			break;
		case OPT_FORCE:
			cfg->force = true;
			break;
		case OPT_VLAN:
			cfg->vlan = true;
			break;
		case OPT_NO_SHARE:
			cfg->no_share = true;
			break;
		case 'v':
			cfg->verbose++;
			break;
		case 'h':
			fwd_usage(stdout);
			return FWD_PARSE_HELP;
		case ':':
			say(err, errlen, "option '%s' needs a value", argv[optind - 1]);
			return FWD_PARSE_USAGE;
		default:
			if (optopt)
				say(err, errlen, "unknown option -%c", optopt);
			else
				say(err, errlen, "unknown option '%s'", argv[optind - 1]);
			return FWD_PARSE_USAGE;
		}
	}
	if (argc - optind != 2) {
		say(err, errlen, "%s", argc - optind < 2 ? "two interfaces are needed: IF_A IF_B"
							 : "only two interfaces are forwarded between: IF_A IF_B");
		return FWD_PARSE_USAGE;
	}
	for (i = 0; i < 2; i++) {
		const char *name = argv[optind + i];

		if (!*name || strlen(name) >= IF_NAMESIZE || strchr(name, '/') || strchr(name, ' ')) {
			say(err, errlen, "'%s' is not an interface name (1 to %d characters, no '/' or space)", name,
			    IF_NAMESIZE - 1);
			return FWD_PARSE_USAGE;
		}
		snprintf(cfg->ifname[i], sizeof(cfg->ifname[i]), "%s", name);
	}
	if (!strcmp(cfg->ifname[0], cfg->ifname[1])) {
		say(err, errlen, "IF_A and IF_B are both '%s': forwarding needs two interfaces", cfg->ifname[0]);
		return FWD_PARSE_USAGE;
	}
	if (!cfg->frames) {
		cfg->frames = 4 * cfg->ring;
	} else if (cfg->frames < 2 * cfg->ring) {
		/* Each pair's fill ring is filled at creation, from the worker's one UMEM. */
		say(err, errlen, "--frames %u is too few for two fill rings of %u: use at least %u (or a smaller --ring)",
		    cfg->frames, cfg->ring, 2 * cfg->ring);
		return FWD_PARSE_USAGE;
	}
	if (cfg->batch > cfg->ring) {
		say(err, errlen, "--batch %u is larger than the rings (%u)", cfg->batch, cfg->ring);
		return FWD_PARSE_USAGE;
	}
	return FWD_PARSE_OK;

bad_list:
	{
		char why[256];

		snprintf(why, sizeof(why), "%s", err);
		say(err, errlen, "%s: %s", c == 'q' ? "--queues" : "--cpus", why);
	}
	return FWD_PARSE_USAGE;

bad_value:
	{
		static const struct {
			int opt;
			const char *name, *want;
		} wants[] = {
			{ 'm', "--mode", "auto, copy or zerocopy" },
			{ 'x', "--xdp", "auto, native or generic" },
			{ OPT_FRAME_SIZE, "--frame-size", "2048 or 4096" },
			{ OPT_FRAMES, "--frames", "a number of frames from 1 to 16777216" },
			{ OPT_RING, "--ring", "a power of two from 64 to 65536" },
			{ OPT_BATCH, "--batch", "a number from 1 to 256" },
			{ 'i', "--interval", "seconds, e.g. 1 or 0.5 (0: none)" },
			{ 'd', "--duration", "seconds, e.g. 10 or 0.5 (0: until a signal)" },
		};
		size_t k;

		for (k = 0; k < sizeof(wants) / sizeof(wants[0]) && wants[k].opt != c; k++)
			;
		if (k < sizeof(wants) / sizeof(wants[0]))
			say(err, errlen, "%s '%s': expected %s", wants[k].name, optarg, wants[k].want);
		else
			say(err, errlen, "invalid value '%s'", optarg);
	}
	return FWD_PARSE_USAGE;
}
