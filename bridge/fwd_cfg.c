// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * `xdpbridge fwd` command line -> struct fwd_cfg.  Only what can be checked without
 * the kernel is checked here (exit 2); interfaces, queue counts and cpus are checked by
 * fwd_cmd.c against the machine (exit 1).  The options fwd shares with tap and tun are cfg.c's.
 */
#include <getopt.h>
#include <stdio.h>
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
	"Exit status: 0 stopped by SIGINT, SIGTERM, SIGHUP or --duration after draining; 1 runtime\n"
	"error (setup failed, an interface disappeared or moved to another namespace); 2 usage\n"
	"error.\n";

void fwd_usage(FILE *f)
{
	fputs(fwd_usage_text, f);
}

/* struct fwd_cfg's queue and cpu arrays are cfg.h's, and so is the --batch limit it words. */
_Static_assert(FWD_MAX_QUEUES == XB_MAX_QUEUES && FWD_MAX_QUEUE_ID == XB_MAX_QUEUE_ID, "fwd's limits are cfg.h's");
_Static_assert(FWD_MAX_BATCH == XB_MAX_BATCH && FWD_DEF_BATCH == XB_DEF_BATCH && FWD_DEF_RING == XB_DEF_RING,
	       "fwd's limits are cfg.h's");

enum {
	OPT_BUSY_POLL = XB_OPT_OWN,
	OPT_VLAN,
	OPT_NO_SHARE,
};

static const struct option long_opts[] = {
	XB_CFG_LONG_OPTS,
	{ "busy-poll", no_argument, NULL, OPT_BUSY_POLL },
	{ "vlan", no_argument, NULL, OPT_VLAN },
	{ "no-shared-umem", no_argument, NULL, OPT_NO_SHARE },
	{ NULL, 0, NULL, 0 },
};

enum fwd_parse_result fwd_cfg_parse(struct fwd_cfg *cfg, int argc, char **argv, char *err, size_t errlen)
{
	int c, i;

	memset(cfg, 0, sizeof(*cfg));
	xb_cfg_begin(&cfg->common);
	err[0] = '\0';
	while ((c = getopt_long(argc, argv, ":" XB_CFG_SHORT_OPTS, long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_BUSY_POLL:
			cfg->busy_poll = true;
			break;
		case OPT_VLAN:
			cfg->vlan = true;
			break;
		case OPT_NO_SHARE:
			cfg->no_share = true;
			break;
		case 'h':
			fwd_usage(stdout);
			return FWD_PARSE_HELP;
		default:
			if (xb_cfg_opt(&cfg->common, c, argv, err, errlen))
				return FWD_PARSE_USAGE;
		}
	}
	if (argc - optind != 2) {
		xb_say(err, errlen, "%s", argc - optind < 2 ? "two interfaces are needed: IF_A IF_B"
							    : "only two interfaces are forwarded between: IF_A IF_B");
		return FWD_PARSE_USAGE;
	}
	for (i = 0; i < 2; i++) {
		const char *name = argv[optind + i];

		if (!*name || strlen(name) >= IF_NAMESIZE || strchr(name, '/') || strchr(name, ' ')) {
			xb_say(err, errlen, "'%s' is not an interface name (1 to %d characters, no '/' or space)", name,
			       IF_NAMESIZE - 1);
			return FWD_PARSE_USAGE;
		}
		snprintf(cfg->ifname[i], sizeof(cfg->ifname[i]), "%s", name);
	}
	if (!strcmp(cfg->ifname[0], cfg->ifname[1])) {
		xb_say(err, errlen, "IF_A and IF_B are both '%s': forwarding needs two interfaces", cfg->ifname[0]);
		return FWD_PARSE_USAGE;
	}
	/*
	 * A worker's one UMEM fills two fill rings at creation (tap and tun fill one and keep a
	 * batch to send): fwd's own default, minimum and sentence.
	 */
	if (!cfg->frames) {
		cfg->frames = 4 * cfg->ring;
	} else if (cfg->frames < 2 * cfg->ring) {
		xb_say(err, errlen,
		       "--frames %u is too few for two fill rings of %u: use at least %u (or a smaller --ring)",
		       cfg->frames, cfg->ring, 2 * cfg->ring);
		return FWD_PARSE_USAGE;
	}
	if (xb_cfg_check_batch(&cfg->common, err, errlen))
		return FWD_PARSE_USAGE;
	return FWD_PARSE_OK;
}
