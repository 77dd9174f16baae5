// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * fwd_gen: offer frames as fast as one AF_XDP TX socket can, for a fixed time, and count how many
 * reached the far side of a forwarder (tests/bench/fwd.sh).
 *
 *   ip netns exec GEN taskset -c 0 fwd_gen --dev g0 --dmac MAC --len 64 --peer-ns SINK --peer-dev s0
 *                                          [--secs 3] [--reps 3] [--warmup 0.5] [--count N --rate PPS]
 *                                          [--flow]
 *
 * One continuous stream of identical Ethernet/IPv4/UDP frames of --len bytes (FCS not included)
 * from --dev's MAC to --dmac, 198.18.1.1 -> 198.18.1.2, port 9: first --warmup seconds that are
 * not counted (the forwarder and the NAPI threads settle), then --reps windows of --secs seconds
 * back to back.  For each window:
 *
 *   delivered = delta of --peer-dev's rx_packets (IFLA_STATS64 over a netlink socket opened in
 *               --peer-ns): frames that reached the sink;
 *   offered   = delta of --dev's tx_packets + tx_dropped: frames the generator got onto the wire.
 *
 * The batch loop is tx_rate's (seek_n 64, peek_at, commit_n, kick), except that a UMEM frame's
 * bytes are written only the first time it is used: every frame is the same, and copy mode does
 * not change them, so the generator spends its time sending.
 *
 * --flow: the frames as a Linux UDP socket sends them -- DF, the IP id one more in every frame,
 * a UDP checksum -- instead of identical frames with id 0 and no UDP checksum (what a raw
 * generator sends, and what no receiver can join into bigger packets).
 *
 * With --count N --rate PPS it sends exactly N frames at that rate instead (a path check: fwd.sh
 * expects exactly N more at the sink).  Prints one line per window and a final line
 *   RESULT len=L delivered_mpps=MEDIAN min=.. max=.. offered_mpps=MEDIAN gen_dropped_mpps=MEDIAN
 * (gen_dropped: --dev's tx_dropped, frames the forwarder's ingress ring had no room for)
 * or, with --count,
 *   RESULT sent=N delivered=D
 * Exit: 0, 1 error, 2 usage.  Every loop is bounded by time.
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <errno.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <xdpsock/xdpsock.h>

#define BENCH_NAME "fwd_gen"
#include "bench.h"

#define BATCH 64
#define MAX_LEN 1514u

/* ---- the frame ------------------------------------------------------------ */

static void build_frame(uint8_t *buf, uint32_t len, const uint8_t *src, const uint8_t *dst, bool flow)
{
	struct ether_header eth;
	struct iphdr ip;
	struct udphdr udp;

	memset(buf, 0, len);
	memcpy(eth.ether_dhost, dst, 6);
	memcpy(eth.ether_shost, src, 6);
	eth.ether_type = htons(ETHERTYPE_IP);
	memset(&ip, 0, sizeof(ip));
	ip.version = 4;
	ip.ihl = 5;
	ip.ttl = 64;
	ip.protocol = IPPROTO_UDP;
	ip.tot_len = htons((uint16_t)(len - sizeof(eth)));
	ip.saddr = htonl(0xc6120101);	/* 198.18.1.1 */
	ip.daddr = htonl(0xc6120102);	/* 198.18.1.2 */
	ip.check = htons(csum16(&ip, sizeof(ip)));
	udp.source = htons(40000);
	udp.dest = htons(9);
	udp.len = htons((uint16_t)(len - sizeof(eth) - sizeof(ip)));
	udp.check = 0;
	memcpy(buf, &eth, sizeof(eth));
	memcpy(buf + sizeof(eth), &ip, sizeof(ip));
	memcpy(buf + sizeof(eth) + sizeof(ip), &udp, sizeof(udp));
	memcpy(buf + sizeof(eth) + sizeof(ip) + sizeof(udp), "xdpsock fwd bench", 17);
	if (flow) {
		/* The UDP checksum: the pseudo-header (addresses, protocol, length), then UDP and payload. */
		uint32_t l4 = len - sizeof(eth) - sizeof(ip), sum = 0;
		uint8_t *u = buf + sizeof(eth) + sizeof(ip), ph[12];
		uint16_t c;

		memcpy(ph, &ip.saddr, 8);
		ph[8] = 0;
		ph[9] = IPPROTO_UDP;
		ph[10] = (uint8_t)(l4 >> 8);
		ph[11] = (uint8_t)l4;
		for (uint32_t i = 0; i < 12; i += 2)
			sum += (uint32_t)ph[i] << 8 | ph[i + 1];
		for (uint32_t i = 0; i < l4; i += 2)
			sum += (uint32_t)u[i] << 8 | (i + 1 < l4 ? u[i + 1] : 0);
		while (sum >> 16)
			sum = (sum & 0xffff) + (sum >> 16);
		c = (uint16_t)~sum;
		c = c ? c : 0xffff;
		u[6] = (uint8_t)(c >> 8);
		u[7] = (uint8_t)c;
		buf[sizeof(eth) + 6] = 0x40;	/* DF */
	}
}

/* --flow: IP id @id in the frame at @p, and the header checksum again (the UDP one does not cover it). */
static void set_id(uint8_t *p, uint16_t id)
{
	uint8_t *ip = p + sizeof(struct ether_header);
	uint16_t c;

	ip[4] = (uint8_t)(id >> 8);
	ip[5] = (uint8_t)id;
	ip[10] = ip[11] = 0;
	c = csum16(ip, 20);
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
}

/* ---- sending ------------------------------------------------------------ */

struct gen {
	struct xdpsock_tx *tx;
	uint8_t frame[MAX_LEN];
	uint32_t len;
	uint8_t *written;	/* per UMEM frame: the template is in it */
	uint32_t frame_size, frame_count;
	bool flow;		/* --flow: a new IP id in every frame */
	uint16_t id;
};

/* One batch: up to @want frames onto the TX ring, one kick.  Returns the frames committed. */
static uint32_t send_batch(struct gen *g, uint32_t want)
{
	int n = xdpsock_tx_seek_n(g->tx, want), err;

	for (int i = 0; i < n; i++) {
		uint8_t *p = xdpsock_tx_peek_at(g->tx, (uint32_t)i, g->len);
		uint64_t idx;

		if (!p)
			die("peek", NULL, errno);
		/*
		 * The UMEM is page-aligned and frames are frame_size apart: consecutive multiples of
		 * frame_size, so this is a distinct index per frame without knowing the base.
		 */
		idx = ((uintptr_t)p / g->frame_size) % g->frame_count;
		if (!g->written[idx]) {
			memcpy(p, g->frame, g->len);
			g->written[idx] = 1;
		}
		if (g->flow)
			set_id(p, g->id++);
	}
	if (n > 0)
		xdpsock_tx_commit_n(g->tx, (uint32_t)n);
	err = xdpsock_tx_kick(g->tx);
	if (err < 0)
		die("kick", NULL, -err);
	return n > 0 ? (uint32_t)n : 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: fwd_gen --dev IF --dmac MAC --len BYTES --peer-ns NS --peer-dev IF\n"
			"               [--secs S] [--reps N (1..%d)] [--warmup S] [--count N --rate PPS] [--flow]\n",
		MAX_REPS);
	exit(2);
}

int main(int argc, char **argv)
{
	struct gen g = { .len = 64 };
	const char *dev = NULL, *peer_ns = NULL, *peer_dev = NULL;
	double secs = 3, warmup = 0.5, deliv[MAX_REPS], offer[MAX_REPS], gdrop[MAX_REPS], mn, mx;
	unsigned int dm[6];
	uint8_t dmac[6];
	int reps = 3, have_dmac = 0, nl_a, nl_b, ifindex;
	uint32_t count = 0, rate = 0;
	struct link a0, b0, a1, b1;
	struct xdpsock_mode m;
	struct xdpsock_opts o;
	char buf[200];

	setvbuf(stdout, NULL, _IOLBF, 0);
	/* The one flag among KEY VALUE pairs: taken out first. */
	for (int i = 1, n = 1; i <= argc; i++) {
		if (i < argc && !strcmp(argv[i], "--flow"))
			g.flow = true;
		else if (i < argc)
			argv[n++] = argv[i];
		else
			argc = n;
	}
	for (int i = 1; i + 1 < argc; i += 2) {
		const char *k = argv[i], *v = argv[i + 1];

		if (!strcmp(k, "--dev"))
			dev = v;
		else if (!strcmp(k, "--peer-ns"))
			peer_ns = v;
		else if (!strcmp(k, "--peer-dev"))
			peer_dev = v;
		else if (!strcmp(k, "--len"))
			g.len = (uint32_t)atoi(v);
		else if (!strcmp(k, "--secs"))
			secs = atof(v);
		else if (!strcmp(k, "--warmup"))
			warmup = atof(v);
		else if (!strcmp(k, "--reps"))
			reps = atoi(v);
		else if (!strcmp(k, "--count"))
			count = (uint32_t)strtoul(v, NULL, 10);
		else if (!strcmp(k, "--rate"))
			rate = (uint32_t)strtoul(v, NULL, 10);
		else if (!strcmp(k, "--dmac") && sscanf(v, "%x:%x:%x:%x:%x:%x", &dm[0], &dm[1], &dm[2], &dm[3], &dm[4],
							 &dm[5]) == 6)
			have_dmac = 1;
		else
			usage();
	}
	if (argc % 2 != 1 || !dev || !peer_ns || !peer_dev || !have_dmac || g.len < 60 || g.len > MAX_LEN ||
	    secs < 0.2 || secs > 10 || warmup < 0 || warmup > 5 || reps < 1 || reps > MAX_REPS ||
	    (count && (rate < 1 || rate > 1000000 || count > 10000000)))
		usage();
	for (int i = 0; i < 6; i++)
		dmac[i] = (uint8_t)dm[i];
	ifindex = (int)if_nametoindex(dev);
	if (!ifindex)
		die("no interface", dev, errno);
	nl_a = netlink_open();
	nl_b = netlink_open_in(peer_ns);
	link_get(nl_a, dev, &a0);
	build_frame(g.frame, g.len, a0.mac, dmac, g.flow);

	memset(&o, 0, sizeof(o));
	o.sz = sizeof(o);
	if (xdpsock_tx_create(&g.tx, ifindex, 0, &o))
		die("xdpsock_tx_create:", xdpsock_errmsg(), 0);
	xdpsock_tx_mode(g.tx, &m);
	g.frame_size = m.frame_size;
	g.frame_count = m.frame_count;
	g.written = calloc(g.frame_count, 1);
	if (!g.written)
		die("out of memory", NULL, 0);

	if (count) {
		/* The path check: exactly count frames at rate, then what arrived. */
		uint32_t sent = 0;
		double t0 = now_s(), end = t0 + (double)count / rate + 5;

		link_get(nl_b, peer_dev, &b0);
		while (sent < count && now_s() < end) {
			uint64_t due = (uint64_t)((now_s() - t0) * rate) + 1;

			if (due > count)
				due = count;
			if (due > sent)
				sent += send_batch(&g, due - sent > BATCH ? BATCH : (uint32_t)(due - sent));
			else
				usleep(200);
		}
		tx_drain(g.tx);
		usleep(200000);	/* the last frames cross the forwarder */
		link_get(nl_b, peer_dev, &b1);
		printf("RESULT sent=%u delivered=%llu\n", sent, (unsigned long long)(b1.rx_packets - b0.rx_packets));
		xdpsock_tx_destroy(g.tx);
		return sent == count ? 0 : 1;
	}

	printf("fwd_gen: %s -> %s:%s, %u-byte frames, %s, %.1f s warm-up + %d x %.1f s\n", dev, peer_ns, peer_dev,
	       g.len, xdpsock_mode_str(&m, buf, sizeof(buf)), warmup, reps, secs);
	{
		double t = now_s(), end = t + warmup;

		for (uint64_t loops = 0; now_s() < end && loops < 100000000ull; loops++)
			send_batch(&g, BATCH);
	}
	link_get(nl_a, dev, &a0);
	link_get(nl_b, peer_dev, &b0);
	for (int r = 0; r < reps; r++) {
		double t0 = now_s(), end = t0 + secs, t;
		uint64_t d, off;

		for (uint64_t loops = 0; loops < 1000000000ull; loops++) {
			send_batch(&g, BATCH);
			if ((loops & 15) == 0 && now_s() >= end)
				break;
		}
		link_get(nl_b, peer_dev, &b1);
		link_get(nl_a, dev, &a1);
		t = now_s() - t0;
		d = b1.rx_packets - b0.rx_packets;
		off = (a1.tx_packets + a1.tx_dropped) - (a0.tx_packets + a0.tx_dropped);
		deliv[r] = (double)d / t / 1e6;
		offer[r] = (double)off / t / 1e6;
		gdrop[r] = (double)(a1.tx_dropped - a0.tx_dropped) / t / 1e6;
		printf("  rep %d: %7.3f Mpps delivered at %s (%llu frames), %7.3f Mpps offered (%llu, of which %llu dropped at %s), %.2f s\n",
		       r + 1, deliv[r], peer_dev, (unsigned long long)d, offer[r], (unsigned long long)off,
		       (unsigned long long)(a1.tx_dropped - a0.tx_dropped), dev, t);
		a0 = a1;
		b0 = b1;
	}
	tx_drain(g.tx);
	mn = mx = deliv[0];
	for (int r = 1; r < reps; r++) {
		mn = deliv[r] < mn ? deliv[r] : mn;
		mx = deliv[r] > mx ? deliv[r] : mx;
	}
	printf("RESULT len=%u delivered_mpps=%.3f min=%.3f max=%.3f offered_mpps=%.3f gen_dropped_mpps=%.3f\n", g.len,
	       median(deliv, reps), mn, mx, median(offer, reps), median(gdrop, reps));
	xdpsock_tx_destroy(g.tx);
	free(g.written);
	close(nl_a);
	close(nl_b);
	return 0;
}
