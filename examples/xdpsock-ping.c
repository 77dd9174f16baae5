// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * xdpsock-ping - send numbered UDP frames through an AF_XDP pair, check every echo.
 *
 *   xdpsock-ping [options] IFNAME --dst-mac MAC --src-ip A --dst-ip B
 *
 * Frame i (Ethernet + IPv4 + UDP, IP header checksum valid, UDP checksum 0) carries
 *
 *   offset 42: magic "XPNG" | sequence i (u32, big endian) | send time (u64 ns, CLOCK_MONOTONIC) | pattern
 *
 * and leaves at start + i / rate.  A reflector (xdpsock-echo) swaps MACs, IP addresses and
 * ports; each reply must then equal, byte for byte, the frame we sent with those fields
 * swapped.  Replies are taken from the RX half of the same pair; the round-trip time is
 * measured from the send time kept per sequence number (not trusted from the wire).
 *
 * Exit status: 0 every frame came back intact, 1 otherwise (or runtime error), 2 usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <net/if_arp.h>
#include <xdpsock/xdpsock.h>

#define PROG		"xdpsock-ping"
#define BATCH		64u
#define HDR_LEN		42u		/* Ethernet 14 + IPv4 20 + UDP 8 */
#define OFF_MAGIC	(HDR_LEN + 0)
#define OFF_SEQ		(HDR_LEN + 4)
#define OFF_TIME	(HDR_LEN + 8)
#define OFF_PATTERN	(HDR_LEN + 16)
#define MAGIC		0x58504e47u	/* "XPNG" */
#define MIN_SIZE	64u
#define MAX_SIZE	1500u
#define MAX_COUNT	10000000u
#define MAX_RATE	10000000u
#define NSEC		1000000000ull

struct ping {
	struct xdpsock_tx *tx;
	struct xdpsock_rx *rx;
	uint8_t src_mac[6], dst_mac[6];
	uint8_t src_ip[4], dst_ip[4];	/* network order */
	uint16_t sport, dport;
	uint32_t count, rate, size;
	uint64_t *sent_ns;		/* per sequence number: send time, 0 = not sent */
	uint8_t *seen;			/* per sequence number: a reply arrived */
	uint64_t *rtt;			/* of intact replies, ns */
	uint8_t *expect;		/* scratch: the reply we expect */
	bool tx_pending;
	/* counters */
	uint32_t sent, received, intact, corrupted, duplicates;
	uint64_t unrelated;		/* frames that are not replies to us */
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " [options] IFNAME --dst-mac MAC --src-ip A --dst-ip B\n"
		"\n"
		"Send sequence-numbered, timestamped UDP/IPv4 frames from IFNAME through an AF_XDP socket\n"
		"pair to a reflector (xdpsock-echo), check every reply byte for byte and report the\n"
		"round-trip times.  The source MAC is IFNAME's own.\n"
		"\n"
		"  -m, --dst-mac MAC   the reflector's MAC address (aa:bb:cc:dd:ee:ff)   (required)\n"
		"  -s, --src-ip A      our IPv4 address                                  (required)\n"
		"  -D, --dst-ip B      the reflector's IPv4 address                      (required)\n"
		"      --src-port P    UDP source port (default 40000)\n"
		"      --dst-port P    UDP destination port (default 7)\n"
		"  -c, --count N       frames to send (default 1000, at most %u)\n"
		"  -r, --rate PPS      frames per second (default 10000, at most %u)\n"
		"  -S, --size BYTES    frame length, Ethernet header included, FCS not (%u..%u, default %u)\n"
		"  -w, --wait MS       how long to wait for replies after the last frame (default 1000)\n"
		"  -q, --queue N       queue to bind (default 0)\n"
		"      --copy | --zerocopy | --auto     copy mode (default auto)\n"
		"      --native | --generic             XDP attach mode (default native, else generic)\n"
		"                      (one of each group at most)\n"
		"  -v, --verbose       print the library's informational messages\n"
		"  -V, --version       the version of this program and of libxdpsock\n"
		"  -h, --help          this text\n"
		"\n"
		"Exit status: 0 all replies came back intact, 1 otherwise or on error, 2 usage error.\n",
		MAX_COUNT, MAX_RATE, MIN_SIZE, MAX_SIZE, MIN_SIZE);
}

static void log_cb(enum xdpsock_log_level level, const char *msg, void *ctx)
{
	int verbose = *(const int *)ctx;

	if (level == XDPSOCK_LOG_WARN || (verbose && level == XDPSOCK_LOG_INFO) || verbose > 1)
		fprintf(stderr, PROG ": [libxdpsock] %s\n", msg);
}

static int parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	char *end;
	unsigned long v;

	if (!s || !*s || *s == '-')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/*
 * --copy/--zerocopy/--auto each choose the copy mode, --native/--generic the attach mode: two
 * different ones contradict each other (which was meant?), so they are refused rather than the
 * last one silently winning.  *@given: the one named first.  0, or -1 (said why).
 */
static int one_of(const char **given, const char *opt)
{
	if (*given && strcmp(*given, opt)) {
		fprintf(stderr, PROG ": %s and %s exclude each other: give one\n", *given, opt);
		return -1;
	}
	*given = opt;
	return 0;
}

/*
 * Why xdpsock_pair_create() failed, in this program's words where one of its options chose the
 * cause: the library's own sentence names its fields (copy_mode, attach_mode), not our options.
 */
static const char *explain(int err, const struct xdpsock_opts *o)
{
	/* The library binds before it attaches, and a driver with zero-copy has native XDP. */
	if (err == -EOPNOTSUPP && o->copy_mode == XDPSOCK_COPY_ZEROCOPY)
		return "the driver cannot do zero-copy AF_XDP: use --auto (zero-copy where it can, else copy) or --copy";
	if (err == -EOPNOTSUPP && o->attach_mode == XDPSOCK_ATTACH_NATIVE)
		return "the driver has no native XDP: use --generic, or neither option (native where it can, else generic)";
	return xdpsock_errmsg();
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	int n = 0, i;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%n", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &n) != 6 ||
	    s[n] != '\0')
		return -1;
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC + (uint64_t)ts.tv_nsec;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t ip_checksum(const uint8_t *h, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)h[i] << 8 | h[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/*
 * Frame @seq as sent (reply false) or as the reflector must return it (reply true: MACs,
 * addresses and ports swapped; the checksum does not change with the order of its words).
 */
static void build(const struct ping *p, uint8_t *f, uint32_t seq, uint64_t t, bool reply)
{
	const uint8_t *smac = reply ? p->dst_mac : p->src_mac, *dmac = reply ? p->src_mac : p->dst_mac;
	const uint8_t *sip = reply ? p->dst_ip : p->src_ip, *dip = reply ? p->src_ip : p->dst_ip;
	uint8_t *ip = f + 14, *udp = f + 34;
	uint32_t i;

	memcpy(f, dmac, 6);
	memcpy(f + 6, smac, 6);
	put16(f + 12, 0x0800);
	ip[0] = 0x45;			/* version 4, 20-byte header */
	ip[1] = 0;
	put16(ip + 2, (uint16_t)(p->size - 14));
	put16(ip + 4, (uint16_t)seq);	/* identification */
	put16(ip + 6, 0x4000);		/* don't fragment */
	ip[8] = 64;
	ip[9] = IPPROTO_UDP;
	put16(ip + 10, 0);
	memcpy(ip + 12, sip, 4);
	memcpy(ip + 16, dip, 4);
	put16(ip + 10, ip_checksum(ip, 20));
	put16(udp, reply ? p->dport : p->sport);
	put16(udp + 2, reply ? p->sport : p->dport);
	put16(udp + 4, (uint16_t)(p->size - 34));
	put16(udp + 6, 0);		/* no UDP checksum: allowed over IPv4 */
	put32(f + OFF_MAGIC, MAGIC);
	put32(f + OFF_SEQ, seq);
	put32(f + OFF_TIME, (uint32_t)(t >> 32));
	put32(f + OFF_TIME + 4, (uint32_t)t);
	for (i = OFF_PATTERN; i < p->size; i++)
		f[i] = (uint8_t)(seq * 131u + i * 7u + 0x5au);
}

/* Is this frame meant as a reply to us (IPv4, UDP, our addresses and ports swapped, our magic)? */
static bool ours(const struct ping *p, const uint8_t *f, uint32_t len)
{
	return len >= OFF_PATTERN && f[12] == 0x08 && f[13] == 0x00 && f[14] == 0x45 && f[23] == IPPROTO_UDP &&
	       !memcmp(f + 26, p->dst_ip, 4) && !memcmp(f + 30, p->src_ip, 4) &&
	       f[34] == (uint8_t)(p->dport >> 8) && f[35] == (uint8_t)p->dport &&
	       f[36] == (uint8_t)(p->sport >> 8) && f[37] == (uint8_t)p->sport && get32(f + OFF_MAGIC) == MAGIC;
}

static void check_reply(struct ping *p, const uint8_t *f, uint32_t len, uint64_t t)
{
	uint32_t seq;

	if (!ours(p, f, len)) {
		p->unrelated++;
		return;
	}
	seq = get32(f + OFF_SEQ);
	if (seq >= p->count || !p->sent_ns[seq]) {
		p->corrupted++;		/* a sequence number we never sent */
		return;
	}
	if (p->seen[seq]) {
		p->duplicates++;
		return;
	}
	p->seen[seq] = 1;
	p->received++;
	build(p, p->expect, seq, p->sent_ns[seq], true);
	if (len != p->size || memcmp(f, p->expect, len)) {
		p->corrupted++;
		return;
	}
	p->rtt[p->intact++] = t - p->sent_ns[seq];
}

/* Every frame the RX ring holds now, in batches; bounded. */
static void receive(struct ping *p)
{
	int n, b;

	for (b = 0; b < 64; b++) {
		uint64_t t;
		uint32_t i, len;

		n = xdpsock_rx_seek_n(p->rx, BATCH);
		if (n <= 0)
			return;
		t = now_ns();
		for (i = 0; i < (uint32_t)n; i++) {
			const uint8_t *f = xdpsock_rx_peek_at(p->rx, i, &len);

			if (f)
				check_reply(p, f, len, t);
			else
				p->corrupted++;		/* EBADMSG: a descriptor outside the UMEM */
		}
		xdpsock_rx_commit_n(p->rx, (uint32_t)n);
	}
}

static int kick(struct ping *p)
{
	int r = xdpsock_tx_kick(p->tx);

	if (r < 0)
		return r;
	p->tx_pending = r == 0 && xdpsock_tx_needs_kick(p->tx);
	return 0;
}

/* Send the frames that are due by @now, at most one batch. */
static int send_due(struct ping *p, uint64_t t0, uint64_t now)
{
	uint64_t due = (uint64_t)((unsigned __int128)(now - t0) * p->rate / NSEC) + 1;
	uint32_t want, n, i;
	int err;

	if (due > p->count)
		due = p->count;
	if (due <= p->sent)
		return p->tx_pending ? kick(p) : 0;
	want = (uint32_t)(due - p->sent);
	if (want > BATCH)
		want = BATCH;
	n = (uint32_t)xdpsock_tx_seek_n(p->tx, want);
	for (i = 0; i < n; i++) {
		uint8_t *f = xdpsock_tx_peek_at(p->tx, i, p->size);
		uint32_t seq = p->sent + i;
		uint64_t t = now_ns();

		if (!f)
			return -errno;
		p->sent_ns[seq] = t;
		build(p, f, seq, t, false);
	}
	if (n) {
		err = xdpsock_tx_commit_n(p->tx, n);
		if (err < 0)
			return err;
		p->sent += n;
	}
	/* n < want: no free frame; the kick makes the kernel send and complete, the rest goes next time. */
	return kick(p);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of a sorted array. */
static double pct_us(const uint64_t *v, uint32_t n, double pct)
{
	uint32_t rank = (uint32_t)((pct / 100.0) * n + 0.999999);

	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return (double)v[rank - 1] / 1e3;
}

static void report(struct ping *p, double secs, const char *why, int verbose)
{
	struct xdpsock_stats st;
	uint64_t sum = 0;
	uint32_t i, lost = p->sent - p->received;

	if (why)
		printf(PROG ": %s\n", why);
	printf(PROG ": sent %" PRIu32 ", received %" PRIu32 ", lost %" PRIu32 ", corrupted %" PRIu32
	       ", duplicates %" PRIu32 " in %.2f s (%" PRIu64 " unrelated frames ignored)\n",
	       p->sent, p->received, lost, p->corrupted, p->duplicates, secs, p->unrelated);
	/* Where frames went missing on this side, when some did (or when asked). */
	if ((lost || p->corrupted || verbose) && !xdpsock_tx_stats(p->tx, &st))
		printf(PROG ": socket: rx_dropped %" PRIu64 ", rx_ring_full %" PRIu64 ", fill_ring_empty %" PRIu64
		       ", rx_frames %" PRIu64 ", tx_frames %" PRIu64 ", tx_completed %" PRIu64 ", tx_wakeups %" PRIu64
		       ", UMEM free %" PRIu32 " fill %" PRIu32 " tx %" PRIu32 " kernel %" PRIu32 "\n",
		       st.rx_dropped, st.rx_ring_full, st.rx_fill_ring_empty_descs, st.rx_frames, st.tx_frames,
		       st.tx_completed, st.tx_wakeups, st.frames.free, st.frames.fill, st.frames.tx, st.frames.kernel);
	if (!p->intact) {
		printf(PROG ": rtt: no intact reply\n");
		return;
	}
	qsort(p->rtt, p->intact, sizeof(*p->rtt), cmp_u64);
	for (i = 0; i < p->intact; i++)
		sum += p->rtt[i];
	printf(PROG ": rtt (us) over %" PRIu32 " replies: min %.1f  avg %.1f  p50 %.1f  p99 %.1f  max %.1f\n",
	       p->intact, (double)p->rtt[0] / 1e3, (double)sum / p->intact / 1e3, pct_us(p->rtt, p->intact, 50),
	       pct_us(p->rtt, p->intact, 99), (double)p->rtt[p->intact - 1] / 1e3);
}

static int if_mac(const char *ifname, uint8_t mac[6])
{
	struct ifreq ifr;
	int fd, err = 0;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		err = -errno;
	else if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER)
		err = -EPROTONOSUPPORT;
	else
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	close(fd);
	return err;
}

int main(int argc, char **argv)
{
	enum { O_SPORT = 256, O_DPORT, O_COPY, O_ZC, O_AUTO, O_NATIVE, O_GENERIC };
	static const struct option longopts[] = {
		{ "dst-mac", required_argument, NULL, 'm' },
		{ "src-ip", required_argument, NULL, 's' },
		{ "dst-ip", required_argument, NULL, 'D' },
		{ "src-port", required_argument, NULL, O_SPORT },
		{ "dst-port", required_argument, NULL, O_DPORT },
		{ "count", required_argument, NULL, 'c' },
		{ "rate", required_argument, NULL, 'r' },
		{ "size", required_argument, NULL, 'S' },
		{ "wait", required_argument, NULL, 'w' },
		{ "queue", required_argument, NULL, 'q' },
		{ "copy", no_argument, NULL, O_COPY },
		{ "zerocopy", no_argument, NULL, O_ZC },
		{ "auto", no_argument, NULL, O_AUTO },
		{ "native", no_argument, NULL, O_NATIVE },
		{ "generic", no_argument, NULL, O_GENERIC },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct xdpsock_opts opts = { .sz = sizeof(opts) };
	struct ping p = { .sport = 40000, .dport = 7, .count = 1000, .rate = 10000, .size = MIN_SIZE };
	struct xdpsock_mode mode;
	struct pollfd pfd[2];
	const char *ifname, *why = NULL, *what = NULL, *want = NULL, *copy_opt = NULL, *attach_opt = NULL;
	char buf[256], sip[INET_ADDRSTRLEN], dip[INET_ADDRSTRLEN];
	bool have_mac = false, have_sip = false, have_dip = false;
	uint32_t v, queue = 0, wait_ms = 1000, lo = 0, hi = 0;	/* lo..hi: the range of a numeric option */
	uint64_t t0, t_end = 0, deadline, now;
	int verbose = 0, c, ifindex, err, sfd = -1, rc = 1;
	sigset_t mask;

	while ((c = getopt_long(argc, argv, "m:s:D:c:r:S:w:q:vhVh", longopts, NULL)) != -1) {
		switch (c) {
		case 'm':
			what = "--dst-mac", want = "a MAC address like 02:00:00:00:00:01", hi = 0;
			if (parse_mac(optarg, p.dst_mac))
				goto bad_value;
			have_mac = true;
			break;
		case 's':
			what = "--src-ip", want = "an IPv4 address like 198.18.0.1", hi = 0;
			if (inet_pton(AF_INET, optarg, p.src_ip) != 1)
				goto bad_value;
			have_sip = true;
			break;
		case 'D':
			what = "--dst-ip", want = "an IPv4 address like 198.18.0.2", hi = 0;
			if (inet_pton(AF_INET, optarg, p.dst_ip) != 1)
				goto bad_value;
			have_dip = true;
			break;
		case O_SPORT:
		case O_DPORT:
			what = c == O_SPORT ? "--src-port" : "--dst-port", want = "(a port)", lo = 1, hi = 65535;
			if (parse_u32(optarg, 1, 65535, &v))
				goto bad_value;
			*(c == O_SPORT ? &p.sport : &p.dport) = (uint16_t)v;
			break;
		case 'c':
			what = "--count", want = "frames", lo = 1, hi = MAX_COUNT;
			if (parse_u32(optarg, 1, MAX_COUNT, &p.count))
				goto bad_value;
			break;
		case 'r':
			what = "--rate", want = "frames per second", lo = 1, hi = MAX_RATE;
			if (parse_u32(optarg, 1, MAX_RATE, &p.rate))
				goto bad_value;
			break;
		case 'S':
			what = "--size", want = "bytes (Ethernet header included, FCS not)", lo = MIN_SIZE, hi = MAX_SIZE;
			if (parse_u32(optarg, MIN_SIZE, MAX_SIZE, &p.size))
				goto bad_value;
			break;
		case 'w':
			what = "--wait", want = "milliseconds", lo = 0, hi = 600000;
			if (parse_u32(optarg, 0, 600000, &wait_ms))
				goto bad_value;
			break;
		case 'q':
			what = "--queue", want = "a queue number", hi = 0;
			if (parse_u32(optarg, 0, UINT32_MAX, &queue))
				goto bad_value;
			break;
		case O_COPY:
		case O_ZC:
		case O_AUTO:
			if (one_of(&copy_opt, c == O_COPY ? "--copy" : c == O_ZC ? "--zerocopy" : "--auto"))
				goto usage_error;
			opts.copy_mode = c == O_COPY ? XDPSOCK_COPY_FORCE : c == O_ZC ? XDPSOCK_COPY_ZEROCOPY : XDPSOCK_COPY_AUTO;
			break;
		case O_NATIVE:
		case O_GENERIC:
			if (one_of(&attach_opt, c == O_NATIVE ? "--native" : "--generic"))
				goto usage_error;
			opts.attach_mode = c == O_NATIVE ? XDPSOCK_ATTACH_NATIVE : XDPSOCK_ATTACH_GENERIC;
			break;
		case 'v':
			verbose++;
			break;
		case 'V':
			printf("xdpsock-ping %d.%d.%d (libxdpsock %s)\n", XDPSOCK_VERSION_MAJOR, XDPSOCK_VERSION_MINOR,
			       XDPSOCK_VERSION_PATCH, xdpsock_version());
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1 || !have_mac || !have_sip || !have_dip) {
		fprintf(stderr, PROG ": %s\n",
			optind >= argc ? "missing IFNAME" : optind < argc - 1 ? "exactly one IFNAME expected"
			: "--dst-mac, --src-ip and --dst-ip are required");
		usage(stderr);
		return 2;
	}
	ifname = argv[optind];
	ifindex = (int)if_nametoindex(ifname);
	if (!ifindex) {
		fprintf(stderr, PROG ": no interface '%s' in this network namespace (ip link shows them)\n", ifname);
		return 1;
	}
	err = if_mac(ifname, p.src_mac);
	if (err) {
		fprintf(stderr, PROG ": cannot read the MAC address of %s: %s\n", ifname,
			err == -EPROTONOSUPPORT ? "not an Ethernet interface" : strerror(-err));
		return 1;
	}

	p.sent_ns = calloc(p.count, sizeof(*p.sent_ns));
	p.seen = calloc(p.count, 1);
	p.rtt = calloc(p.count, sizeof(*p.rtt));
	p.expect = calloc(1, MAX_SIZE);
	if (!p.sent_ns || !p.seen || !p.rtt || !p.expect) {
		fprintf(stderr, PROG ": out of memory for %" PRIu32 " frames\n", p.count);
		goto out;
	}

	/* SIGINT/SIGTERM end the run early through a signalfd polled with the socket. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) || (sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK)) < 0) {
		perror(PROG ": signalfd");
		goto out;
	}

	xdpsock_set_log(log_cb, &verbose);
	err = xdpsock_pair_create(&p.tx, &p.rx, ifindex, queue, &opts);
	if (err) {
		fprintf(stderr, PROG ": cannot open %s queue %" PRIu32 ": %s\n", ifname, queue, explain(err, &opts));
		goto out;
	}
	xdpsock_tx_mode(p.tx, &mode);
	printf(PROG ": %s queue %" PRIu32 ": %s\n", ifname, queue, xdpsock_mode_str(&mode, buf, sizeof(buf)));
	inet_ntop(AF_INET, p.src_ip, sip, sizeof(sip));
	inet_ntop(AF_INET, p.dst_ip, dip, sizeof(dip));
	printf(PROG ": %" PRIu32 " frames of %" PRIu32 " bytes, %s:%u -> %s:%u (%02x:%02x:%02x:%02x:%02x:%02x), %" PRIu32
	       " per second\n",
	       p.count, p.size, sip, p.sport, dip, p.dport, p.dst_mac[0], p.dst_mac[1], p.dst_mac[2], p.dst_mac[3],
	       p.dst_mac[4], p.dst_mac[5], p.rate);
	fflush(stdout);

	pfd[0] = (struct pollfd){ .fd = xdpsock_rx_fd(p.rx), .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = sfd, .events = POLLIN };
	t0 = now_ns();
	/* However slow the kernel, the run ends: twice the planned sending time, plus the wait, plus 5 s. */
	deadline = t0 + 2 * ((uint64_t)p.count * NSEC / p.rate) + (uint64_t)wait_ms * 1000000 + 5 * NSEC;
	for (;;) {
		uint64_t next;
		struct timespec ts;

		now = now_ns();
		if (p.sent < p.count) {
			err = send_due(&p, t0, now);
			if (err)
				goto io_error;
			if (p.sent == p.count)
				t_end = now_ns();
		}
		receive(&p);
		now = now_ns();
		if (p.sent == p.count && p.received == p.count && !p.tx_pending)
			break;
		if (p.sent == p.count && now >= t_end + (uint64_t)wait_ms * 1000000)
			break;
		if (now >= deadline) {
			why = "gave up: the run took more than twice its planned time";
			break;
		}
		/* Sleep until the next frame is due, a reply arrives, or a signal. */
		if (p.tx_pending)
			next = now + 20000;
		else if (p.sent < p.count)
			next = t0 + ((uint64_t)p.sent * NSEC + p.rate - 1) / p.rate;
		else
			next = t_end + (uint64_t)wait_ms * 1000000;
		if (next > deadline)
			next = deadline;
		next = next > now ? next - now : 0;
		ts.tv_sec = (time_t)(next / NSEC);
		ts.tv_nsec = (long)(next % NSEC);
		if (ppoll(pfd, 2, &ts, NULL) < 0 && errno != EINTR) {
			perror(PROG ": ppoll");
			goto out;
		}
		if (pfd[0].revents & (POLLERR | POLLHUP | POLLNVAL)) {
			fprintf(stderr, PROG ": the socket reports an error: is %s still there?\n", ifname);
			goto out;
		}
		if (pfd[1].revents & POLLIN) {
			why = "interrupted";
			break;
		}
	}
	report(&p, (double)(now_ns() - t0) / NSEC, why, verbose);
	rc = p.sent == p.count && p.intact == p.count && !p.corrupted && !p.duplicates ? 0 : 1;
	goto out;

io_error:
	fprintf(stderr, PROG ": %s: %s\n", ifname, xdpsock_strerror(err));
	report(&p, (double)(now_ns() - t0) / NSEC, "stopped by an error", verbose);
out:
	if (sfd >= 0)
		close(sfd);
	xdpsock_tx_destroy(p.tx);
	xdpsock_rx_destroy(p.rx);
	free(p.sent_ns);
	free(p.seen);
	free(p.rtt);
	free(p.expect);
	return rc;

bad_value:
	if (hi)
		fprintf(stderr, PROG ": invalid value '%s' for %s: expected %" PRIu32 " to %" PRIu32 " %s\n", optarg, what, lo,
			hi, want);
	else
		fprintf(stderr, PROG ": invalid value '%s' for %s: expected %s\n", optarg, what, want);
usage_error:
	usage(stderr);
	return 2;
}
