// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * tx_rate: frames per second out of one veth end, xdpsock TX socket versus AF_PACKET sendmmsg,
 * counted where they arrive.
 *
 *   ip netns exec NS_A taskset -c CPU tx_rate --dev va --peer-ns NS_B --peer-dev vb [--secs 3] [--reps 3]
 *
 * Runs in the sender's namespace (NS_A, which holds --dev).  The namespaces and the veth pair
 * are made by tests/bench/run.sh, not here.  Each repetition sends for --secs seconds with
 *
 *   xdpsock:    n = xdpsock_tx_seek_n(tx, 64); memcpy each of the n frames (peek_at);
 *               xdpsock_tx_commit_n(tx, n); xdpsock_tx_kick(tx);          -- kick per batch
 *   AF_PACKET:  sendmmsg(fd, 64 x 64-byte frame, 64, 0) on a SOCK_RAW socket bound to --dev
 *
 * in turn (xdpsock, then AF_PACKET, per repetition), the same 64-byte Ethernet/IPv4/UDP frame
 * (14 + 20 + 8 + 22 bytes, no FCS) from --dev's MAC to --peer-dev's MAC, 198.18.0.1 -> 198.18.0.2.
 *
 * Counting: a frame counts when it reached the peer: the delta of --peer-dev's rx_packets
 * (IFLA_STATS64, read over a netlink socket opened inside NS_B) between the start and the
 * end of the sending window, divided by the window's length.  veth counts a frame in the
 * peer's rx_packets once it is queued to the peer's receive path (it counts a backlog
 * overflow as the sender's tx_dropped instead, shown as "dropped").  The peer then drops
 * it cheaply: run.sh gives NS_B no address, so IPv4 finds no local route for 198.18.0.2,
 * and forwarding is off in a new namespace: dropped in ip_rcv's route lookup, no reply.
 *
 * Frames still in the xdpsock TX ring at the end of a window are not counted; they are
 * sent and completed before the next window starts.  Every loop is bounded by time.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <linux/if_packet.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <xdpsock/xdpsock.h>

#define BENCH_NAME "tx_rate"
#include "bench.h"

#define BATCH 64
#define FRAME_LEN 64u

/* ---- the frame ------------------------------------------------------------ */

static void build_frame(uint8_t *buf, const uint8_t *src, const uint8_t *dst)
{
	struct ether_header *eth = (struct ether_header *)buf;
	struct iphdr *ip = (struct iphdr *)(eth + 1);
	struct udphdr *udp = (struct udphdr *)(ip + 1);
	uint8_t *payload = (uint8_t *)(udp + 1);

	memset(buf, 0, FRAME_LEN);
	memcpy(eth->ether_dhost, dst, 6);
	memcpy(eth->ether_shost, src, 6);
	eth->ether_type = htons(ETHERTYPE_IP);
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = IPPROTO_UDP;
	ip->tot_len = htons((uint16_t)(FRAME_LEN - sizeof(*eth)));
	ip->saddr = htonl(0xc6120001);	/* 198.18.0.1 */
	ip->daddr = htonl(0xc6120002);	/* 198.18.0.2 */
	ip->check = htons(csum16(ip, sizeof(*ip)));
	udp->source = htons(40000);
	udp->dest = htons(9);
	udp->len = htons((uint16_t)(FRAME_LEN - sizeof(*eth) - sizeof(*ip)));
	memcpy(payload, "xdpsock tx_rate bench", 21);
}

/* ---- the senders ----------------------------------------------------------- */

struct result {
	uint64_t submitted;	/* frames the application handed over */
	uint64_t delivered;	/* peer rx_packets delta */
	uint64_t dropped;	/* sender tx_dropped delta */
	double secs;
};

struct ctx {
	const char *dev, *peer_dev;
	int nl_a, nl_b;
	double secs;
	uint8_t frame[FRAME_LEN];
	struct xdpsock_tx *tx;
	int pkt_fd;
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
};

static void window_begin(struct ctx *c, struct link *a, struct link *b)
{
	link_get(c->nl_a, c->dev, a);
	link_get(c->nl_b, c->peer_dev, b);
}

static void window_end(struct ctx *c, const struct link *a0, const struct link *b0, struct result *r)
{
	struct link a, b;

	link_get(c->nl_b, c->peer_dev, &b);
	link_get(c->nl_a, c->dev, &a);
	r->delivered = b.rx_packets - b0->rx_packets;
	r->dropped = a.tx_dropped - a0->tx_dropped;
}

static void run_xdpsock(struct ctx *c, struct result *r)
{
	struct link a0, b0;
	uint64_t sent = 0;
	double t0, t, end;
	int n, err;

	window_begin(c, &a0, &b0);
	t0 = now_s();
	end = t0 + c->secs;
	do {
		n = xdpsock_tx_seek_n(c->tx, BATCH);
		for (int i = 0; i < n; i++)
			memcpy(xdpsock_tx_peek_at(c->tx, (uint32_t)i, FRAME_LEN), c->frame, FRAME_LEN);
		if (n > 0)
			xdpsock_tx_commit_n(c->tx, (uint32_t)n);
		err = xdpsock_tx_kick(c->tx);
		if (err < 0)
			die("xdpsock_tx_kick", NULL, -err);
		sent += (uint64_t)(n > 0 ? n : 0);
		t = now_s();
	} while (t < end);
	window_end(c, &a0, &b0, r);
	r->secs = t - t0;
	r->submitted = sent;
	tx_drain(c->tx);
}

static void run_packet(struct ctx *c, struct result *r)
{
	struct link a0, b0;
	uint64_t sent = 0;
	double t0, t, end;
	int n;

	window_begin(c, &a0, &b0);
	t0 = now_s();
	end = t0 + c->secs;
	do {
		n = sendmmsg(c->pkt_fd, c->msgs, BATCH, 0);
		if (n < 0 && errno != ENOBUFS && errno != EAGAIN && errno != EINTR)
			die("sendmmsg", NULL, errno);
		sent += (uint64_t)(n > 0 ? n : 0);
		t = now_s();
	} while (t < end);
	window_end(c, &a0, &b0, r);
	r->secs = t - t0;
	r->submitted = sent;
}

static void setup_xdpsock(struct ctx *c, int ifindex)
{
	struct xdpsock_mode m;
	char buf[200];
	int err = xdpsock_tx_create(&c->tx, ifindex, 0, NULL);

	if (err)
		die("xdpsock_tx_create:", xdpsock_errmsg(), -err);
	xdpsock_tx_mode(c->tx, &m);
	printf("xdpsock TX socket on %s queue 0: %s\n", c->dev, xdpsock_mode_str(&m, buf, sizeof(buf)));
}

static void setup_packet(struct ctx *c, int ifindex)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_ifindex = ifindex, .sll_protocol = 0 };

	/* Protocol 0: this socket receives nothing, it only sends. */
	c->pkt_fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (c->pkt_fd < 0)
		die("AF_PACKET socket", NULL, errno);
	if (bind(c->pkt_fd, (struct sockaddr *)&sll, sizeof(sll)))
		die("bind AF_PACKET to", c->dev, errno);
	for (int i = 0; i < BATCH; i++) {
		c->iov[i].iov_base = c->frame;
		c->iov[i].iov_len = FRAME_LEN;
		memset(&c->msgs[i], 0, sizeof(c->msgs[i]));
		c->msgs[i].msg_hdr.msg_iov = &c->iov[i];
		c->msgs[i].msg_hdr.msg_iovlen = 1;
	}
	printf("AF_PACKET SOCK_RAW socket bound to %s, sendmmsg of %d frames, qdisc path (no PACKET_QDISC_BYPASS)\n",
	       c->dev, BATCH);
}

static double vmin(const double *v, int n)
{
	double m = v[0];

	for (int i = 1; i < n; i++)
		m = v[i] < m ? v[i] : m;
	return m;
}

static double vmax(const double *v, int n)
{
	double m = v[0];

	for (int i = 1; i < n; i++)
		m = v[i] > m ? v[i] : m;
	return m;
}

static void usage(void)
{
	fprintf(stderr, "usage: tx_rate --dev IF --peer-ns NS --peer-dev IF [--secs S (0.2..10)] [--reps N (1..%d)]\n",
		MAX_REPS);
	exit(2);
}

int main(int argc, char **argv)
{
	struct ctx c = { .secs = 3, .pkt_fd = -1 };
	const char *peer_ns = NULL;
	struct link la, lb;
	struct result rx[MAX_REPS], rp[MAX_REPS];
	double mx[MAX_REPS], mp[MAX_REPS], ratio[MAX_REPS], medx, medp;
	struct xdpsock_stats st;
	cpu_set_t cpus;
	int reps = 3, ifindex, cpu = -1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--dev"))
			c.dev = argv[i + 1];
		else if (!strcmp(argv[i], "--peer-ns"))
			peer_ns = argv[i + 1];
		else if (!strcmp(argv[i], "--peer-dev"))
			c.peer_dev = argv[i + 1];
		else if (!strcmp(argv[i], "--secs"))
			c.secs = atof(argv[i + 1]);
		else if (!strcmp(argv[i], "--reps"))
			reps = atoi(argv[i + 1]);
		else
			usage();
	}
	if (argc % 2 != 1 || !c.dev || !peer_ns || !c.peer_dev || c.secs < 0.2 || c.secs > 10 || reps < 1 ||
	    reps > MAX_REPS)
		usage();
	if (!sched_getaffinity(0, sizeof(cpus), &cpus) && CPU_COUNT(&cpus) == 1)
		for (int i = 0; i < CPU_SETSIZE; i++)
			if (CPU_ISSET(i, &cpus))
				cpu = i;
	ifindex = (int)if_nametoindex(c.dev);
	if (!ifindex) {
		/* The name in mid-sentence: not die()'s "WHAT ARG" shape. */
		fprintf(stderr, BENCH_NAME ": no interface %s in this namespace: %s\n", c.dev, strerror(errno));
		exit(1);
	}
	c.nl_a = netlink_open();
	c.nl_b = netlink_open_in(peer_ns);
	link_get(c.nl_a, c.dev, &la);
	link_get(c.nl_b, c.peer_dev, &lb);
	build_frame(c.frame, la.mac, lb.mac);
	printf("sender %s -> peer %s (namespace %s), %u-byte UDP frames, batch %d, %.1f s x %d, pinned to CPU %d%s\n",
	       c.dev, c.peer_dev, peer_ns, FRAME_LEN, BATCH, c.secs, reps, cpu, cpu < 0 ? " (NOT pinned: use taskset)" : "");
	setup_xdpsock(&c, ifindex);
	setup_packet(&c, ifindex);

	for (int r = 0; r < reps; r++) {
		run_xdpsock(&c, &rx[r]);
		run_packet(&c, &rp[r]);
		mx[r] = (double)rx[r].delivered / rx[r].secs / 1e6;
		mp[r] = (double)rp[r].delivered / rp[r].secs / 1e6;
		printf("  rep %d  xdpsock   %6.3f Mpps  (%llu delivered of %llu submitted, %llu dropped, %.2f s)\n", r + 1,
		       mx[r], (unsigned long long)rx[r].delivered, (unsigned long long)rx[r].submitted,
		       (unsigned long long)rx[r].dropped, rx[r].secs);
		printf("  rep %d  AF_PACKET %6.3f Mpps  (%llu delivered of %llu submitted, %llu dropped, %.2f s)\n", r + 1,
		       mp[r], (unsigned long long)rp[r].delivered, (unsigned long long)rp[r].submitted,
		       (unsigned long long)rp[r].dropped, rp[r].secs);
		ratio[r] = mp[r] > 0 ? mx[r] / mp[r] : 0;
		printf("  rep %d  ratio     %6.2f\n", r + 1, ratio[r]);
	}
	if (xdpsock_tx_stats(c.tx, &st) == 0)
		printf("xdpsock totals: %llu frames committed, %llu completed, %llu kicks (syscalls): %.1f frames per kick\n",
		       (unsigned long long)st.tx_frames, (unsigned long long)st.tx_completed,
		       (unsigned long long)st.tx_wakeups,
		       st.tx_wakeups ? (double)st.tx_frames / (double)st.tx_wakeups : 0.0);
	medx = median(mx, reps);
	medp = median(mp, reps);
	printf("\n%-26s %10s %12s %10s   %s\n", "TX 64-byte UDP, batch 64", "min Mpps", "median Mpps", "max Mpps",
	       "(delivered at the peer)");
	printf("%-26s %10.3f %12.3f %10.3f\n", "xdpsock (copy mode)", vmin(mx, reps), medx, vmax(mx, reps));
	printf("%-26s %10.3f %12.3f %10.3f\n", "AF_PACKET sendmmsg", vmin(mp, reps), medp, vmax(mp, reps));
	printf("%-26s %10s %12.2f %10s   (median xdpsock / median AF_PACKET)\n", "ratio xdpsock/AF_PACKET", "",
	       medp > 0 ? medx / medp : 0.0, "");
	printf("%-26s %10.2f %12.2f %10.2f   (per repetition, back to back)\n", "ratio per repetition", vmin(ratio, reps),
	       median(ratio, reps), vmax(ratio, reps));
	xdpsock_tx_destroy(c.tx);
	close(c.pkt_fd);
	close(c.nl_a);
	close(c.nl_b);
	return 0;
}
