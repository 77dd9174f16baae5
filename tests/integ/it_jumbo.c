// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * Jumbo frames end to end: a veth pair at MTU 9000, multi-buffer sockets (XDPSOCK_F_MULTI_BUFFER)
 * with 2048-byte frames, so that a 9014-byte frame spans 5 TX / 6 RX descriptors.
 *
 *  1. kernel UDP -> our RX: a UDP socket in namespace A sends 2,000 datagrams of 18..8972 bytes
 *     to 198.18.0.2; our RX socket on vb (the library's XDP program in NATIVE mode: asserted,
 *     unless the kernel refused a frags-aware program, which the test then says) receives each
 *     as one packet, byte for byte, in order;
 *  2. our TX -> AF_PACKET: 1,000 frames of 60..9014 bytes from va, half through xdpsock_tx_send()
 *     (the library cuts them), half built by hand with uneven segments and xdpsock_tx_set_more();
 *     plus one packet of exactly mode.tx_max_segs segments (the kernel takes it) and one more
 *     segment (the library refuses it, E2BIG); an AF_PACKET socket on vb sees each byte for byte;
 *  3. batch: 100,000 sequence-numbered frames of 60..9014 bytes, TX thread in A, RX thread in B,
 *     whole packets per batch; none lost, duplicated, reordered or corrupted;
 *  4. forwarding: a pair on vb sends what it receives back out of vb with xdpsock_fwd_n()
 *     (max_len 5000): an AF_PACKET socket on va sees every frame up to 5000 bytes, byte for byte,
 *     in order, and none longer; each longer one is counted once in rx_fwd_oversize.
 * After each part the census is exact and no descriptor was invalid or dropped.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <net/ethernet.h>
#include <sys/socket.h>
#include <xdpsock/xdpsock.h>

#include "lab.h"

#define MTU	9000u
#define MAXF	(MTU + 14u)	/* the longest Ethernet frame */
#define HDR	42u		/* Ethernet + IPv4 + UDP */

#define UDP_COUNT	2000u
#define UDP_DPORT	9700
#define UDP_SPORT	9701
#define AFP_COUNT	1000u
#define AFP_DPORT	9702
#define BATCH_COUNT	100000u
#define BATCH_DPORT	9703
#define WINDOW		256u	/* packets TX may run ahead of RX: 256 x 6 descriptors < the 2048-entry rings */
#define FWD_COUNT	2000u
#define FWD_DPORT	9704
#define FWD_MAX		5000u
#define LIMIT_S		60.0

static struct lab *l;
static char frags_refusal[512];

/* Frame length for @seq: 60..9014, every frame-size boundary among the first of each thousand. */
static uint32_t jumbo_len(uint32_t seq)
{
	static const uint32_t edge[] = { MAXF, 60, 1792, 1793, 2048, 2049, 3584, 3585, 8960, 8961 };

	if (seq % 1000 < sizeof(edge) / sizeof(edge[0]))
		return edge[seq % 1000];
	return 60 + ((seq * 2654435761u) >> 7) % (MAXF - 60 + 1);
}

/* An RX socket on vb with multi-buffer; its XDP program native, or the kernel's refusal said. */
static struct xdpsock_rx *rx_jumbo(int ifindex)
{
	XDPSOCK_OPTS(o, .flags = XDPSOCK_F_MULTI_BUFFER);
	struct xdpsock_rx *rx;
	struct xdpsock_mode m;
	char buf[256];
	int err;

	lab_log_reset();
	err = xdpsock_rx_create(&rx, ifindex, 0, &o);
	CHECK(err == 0, "multi-buffer rx_create on vb at MTU %u: %s", MTU, xdpsock_errmsg());
	CHECK(xdpsock_rx_mode(rx, &m) == 0, "rx_mode");
	printf("rx mode: %s; a packet spans at most %u descriptors\n", xdpsock_mode_str(&m, buf, sizeof(buf)),
	       m.rx_max_segs);
	CHECK(m.multi_buffer && m.rx_max_segs >= 6, "multi_buffer %d, rx_max_segs %u", m.multi_buffer, m.rx_max_segs);
	/* The library says a frags refusal once per process: remember it from the first load. */
	if (!frags_refusal[0])
		lab_log_get(XDPSOCK_LOG_WARN, "a multi-buffer XDP program", frags_refusal, sizeof(frags_refusal));
	if (frags_refusal[0]) {
		lab_kernel_refused("frags-aware XDP program (BPF_F_XDP_HAS_FRAGS)", frags_refusal);
		CHECK(m.attach == XDPSOCK_ATTACH_GENERIC, "without a frags program at MTU %u: attach mode %d", MTU,
		      m.attach);
	} else {
		CHECK(m.attach == XDPSOCK_ATTACH_NATIVE, "the frags-aware program is not native at MTU %u (attach mode %d)",
		      MTU, m.attach);
	}
	return rx;
}

/* The census of an RX socket at rest: nothing held, nothing in flight, every frame free or filling. */
static void rx_idle(struct xdpsock_rx *rx, const char *what)
{
	struct xdpsock_stats st;

	CHECK(xdpsock_rx_stats(rx, &st) == 0, "rx_stats");
	CHECK(st.frames.user == 0 && st.frames.rx == 0 && st.frames.kernel == 0 &&
		      st.frames.free + st.frames.fill == st.frames.total,
	      "%s: idle census: total %u free %u fill %u user %u rx %u kernel %u", what, st.frames.total, st.frames.free,
	      st.frames.fill, st.frames.user, st.frames.rx, st.frames.kernel);
	CHECK(st.rx_dropped == 0 && st.rx_invalid_descs == 0 && st.rx_bad_descs == 0 && st.rx_too_long == 0,
	      "%s: kernel dropped %llu, invalid %llu, bad %llu, too long %llu", what, (unsigned long long)st.rx_dropped,
	      (unsigned long long)st.rx_invalid_descs, (unsigned long long)st.rx_bad_descs,
	      (unsigned long long)st.rx_too_long);
}

/* ---- 1. kernel UDP -> our RX ----------------------------------------------------------------- */

static uint32_t udp_len(uint32_t seq)
{
	return jumbo_len(seq) - HDR;	/* 18..8972 bytes of payload */
}

static void udp_payload(uint32_t seq, uint8_t *buf)
{
	uint32_t i, n = udp_len(seq);

	memcpy(buf, &seq, 4);
	for (i = 4; i < n; i++)
		buf[i] = (uint8_t)(seq ^ (i * 29) ^ (i >> 8));
}

/* One received packet (@p, @len): 1 when it is datagram @seq, whole and right; 0 when not ours. */
static int udp_check(const uint8_t *p, uint32_t len, uint32_t seq)
{
	struct iphdr ip;
	struct udphdr udp;
	static uint8_t want[MAXF];
	uint32_t plen = udp_len(seq), got_seq;

	if (lab_frame_dport(p, len) != UDP_DPORT)
		return 0;
	memcpy(&ip, p + 14, sizeof(ip));
	memcpy(&udp, p + 34, sizeof(udp));
	CHECK(!memcmp(p, l->mac[LAB_B], 6) && !memcmp(p + 6, l->mac[LAB_A], 6), "datagram %u: wrong MACs", seq);
	CHECK(ip.saddr == htonl(l->ip[LAB_A]) && ip.daddr == htonl(l->ip[LAB_B]), "datagram %u: wrong addresses", seq);
	CHECK(ip.ihl == 5 && !(ntohs(ip.frag_off) & 0x3fff), "datagram %u: IP options or a fragment", seq);
	CHECK(ntohs(udp.source) == UDP_SPORT && ntohs(udp.len) == plen + 8, "datagram %u: UDP port %u length %u", seq,
	      ntohs(udp.source), ntohs(udp.len));
	CHECK(len == HDR + plen, "datagram %u: a %u-byte frame for a %u-byte payload", seq, len, plen);
	memcpy(&got_seq, p + HDR, 4);
	CHECK(got_seq == seq, "expected datagram %u, got %u (lost, duplicated or reordered)", seq, got_seq);
	udp_payload(seq, want);
	CHECK(!memcmp(p + HDR, want, plen), "datagram %u: payload differs", seq);
	return 1;
}

static void udp_to_rx(void)
{
	struct sockaddr_in dst = { .sin_family = AF_INET, .sin_port = htons(UDP_DPORT) };
	struct sockaddr_in src = { .sin_family = AF_INET, .sin_port = htons(UDP_SPORT) };
	static uint8_t buf[MAXF], pkt[MAXF];
	struct xdpsock_rx *rx;
	struct xdpsock_stats st;
	uint32_t sent = 0, got = 0, others = 0, descs = 0, max_segs = 0;
	double t0 = lab_now(), end = t0 + 30;
	int fd, loops;

	lab_enter(l, LAB_A);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	CHECK(fd >= 0, "UDP socket in A: %s", strerror(errno));
	src.sin_addr.s_addr = htonl(l->ip[LAB_A]);
	dst.sin_addr.s_addr = htonl(l->ip[LAB_B]);
	CHECK(bind(fd, (struct sockaddr *)&src, sizeof(src)) == 0, "bind UDP: %s", strerror(errno));
	rx = rx_jumbo(lab_ifindex(l, LAB_B));

	for (loops = 0; got < UDP_COUNT; loops++) {
		int k, i, err;
		uint32_t segs, len;

		CHECK(lab_now() < end && loops < 1000000, "received %u of %u datagrams (%u sent) in 30 s", got, UDP_COUNT,
		      sent);
		while (sent < UDP_COUNT && sent - got < 32) {
			ssize_t n;

			udp_payload(sent, buf);
			n = sendto(fd, buf, udp_len(sent), 0, (struct sockaddr *)&dst, sizeof(dst));
			if (n < 0 && (errno == ENOBUFS || errno == EAGAIN))
				break;
			CHECK(n == (ssize_t)udp_len(sent), "sendto %u: %s", sent, n < 0 ? strerror(errno) : "short");
			sent++;
		}
		k = xdpsock_rx_seek_n(rx, 64);
		CHECK(k >= 0, "rx_seek_n(64): %d", k);
		if (!k) {
			err = xdpsock_rx_wait(rx, 10);
			CHECK(err >= 0, "rx_wait: %d", err);
			continue;
		}
		for (i = 0; i < k; i += (int)segs) {
			CHECK(xdpsock_rx_pkt_at(rx, (uint32_t)i, &segs, &len) == 0, "rx_pkt_at(%d): %s", i, strerror(errno));
			CHECK(xdpsock_rx_copy_pkt(rx, (uint32_t)i, pkt, sizeof(pkt)) == (int)len, "rx_copy_pkt(%d): %s", i,
			      strerror(errno));
			if (udp_check(pkt, len, got)) {
				got++;
				if (segs > max_segs)
					max_segs = segs;
			} else {
				others++;
			}
		}
		descs += (uint32_t)k;
		CHECK(xdpsock_rx_commit_n(rx, (uint32_t)k) == k, "rx_commit_n(%d): %s", k, strerror(errno));
	}
	/* No duplicate turns up later. */
	for (loops = 0; loops < 10; loops++) {
		int k = xdpsock_rx_wait(rx, 10), i;
		uint32_t segs, len;

		CHECK(k >= 0, "rx_wait: %d", k);
		for (i = 0; i < k; i += (int)segs) {
			const uint8_t *p = xdpsock_rx_peek_at(rx, (uint32_t)i, NULL);

			CHECK(xdpsock_rx_pkt_at(rx, (uint32_t)i, &segs, &len) == 0 && p, "rx_pkt_at");
			CHECK(lab_frame_dport(p, len) != UDP_DPORT, "a datagram arrived after all %u", UDP_COUNT);
			others++;
		}
		descs += (uint32_t)k;
		if (k)
			CHECK(xdpsock_rx_commit_n(rx, (uint32_t)k) == k, "rx_commit_n");
	}
	CHECK(xdpsock_rx_stats(rx, &st) == 0, "rx_stats");
	CHECK(st.rx_frames == descs, "rx_frames %llu, released %u descriptors", (unsigned long long)st.rx_frames, descs);
	rx_idle(rx, "kernel UDP -> RX");
	CHECK(max_segs >= 5, "the longest datagram spanned only %u descriptors", max_segs);
	printf("1. kernel UDP -> RX: %u datagrams of up to %u bytes byte for byte in %.2f s, up to %u descriptors a packet (%u descriptors, %u other frames)\n",
	       got, MAXF, lab_now() - t0, max_segs, descs, others);
	xdpsock_rx_destroy(rx);
	close(fd);
	CHECK(!lab_xdp_attached(l, LAB_B), "XDP program left on vb");
}

/* ---- 2. our TX -> AF_PACKET ------------------------------------------------------------------ */

/* Reserve @segs frames, kicking and waiting while the kernel still holds them. */
static void tx_reserve(struct xdpsock_tx *tx, uint32_t segs)
{
	double end = lab_now() + 10;

	for (int loops = 0; xdpsock_tx_seek_n(tx, segs) < (int)segs; loops++) {
		int err = xdpsock_tx_wait(tx, 10);

		CHECK(err >= 0, "tx_wait: %d", err);
		CHECK(lab_now() < end && loops < 100000, "no %u free frames in 10 s", segs);
	}
}

/* Frame @f (@len bytes) by hand: a first segment of @first bytes, then whole frames, set_more on all but the last. */
static uint32_t tx_by_hand(struct xdpsock_tx *tx, const uint8_t *f, uint32_t len, uint32_t first, uint32_t max_len)
{
	uint32_t segs = 1 + (len > first ? (len - first + max_len - 1) / max_len : 0), i, off = 0;
	int err;

	tx_reserve(tx, segs);
	for (i = 0; i < segs; i++) {
		uint32_t n = i == 0 ? (len < first ? len : first) : (len - off < max_len ? len - off : max_len);
		uint8_t *p = xdpsock_tx_peek_at(tx, i, n);

		CHECK(p, "tx_peek_at(%u, %u): %s", i, n, strerror(errno));
		memcpy(p, f + off, n);
		off += n;
		CHECK(xdpsock_tx_set_more(tx, i, i + 1 < segs) == 0, "tx_set_more(%u): %s", i, strerror(errno));
	}
	CHECK(off == len, "cut %u of %u bytes", off, len);
	err = xdpsock_tx_commit_n(tx, segs);
	CHECK(err == (int)segs, "tx_commit_n(%u) = %d: %s", segs, err, xdpsock_errmsg());
	CHECK(xdpsock_tx_kick(tx) >= 0, "kick");
	return segs;
}

static void afp_expect(int pfd, const uint8_t *want, uint32_t len, uint32_t seq)
{
	static uint8_t buf[MAXF + 64];
	int n;

	for (int tries = 0; tries < 100; tries++) {
		n = lab_packet_recv(pfd, buf, sizeof(buf), 2000);
		CHECK(n > 0, "AF_PACKET: frame %u (%u bytes) did not arrive in 2 s", seq, len);
		if (lab_frame_dport(buf, (uint32_t)n) == AFP_DPORT)
			break;
	}
	CHECK((uint32_t)n == len && !memcmp(buf, want, len), "AF_PACKET: frame %u: %d bytes, expected %u%s", seq, n, len,
	      (uint32_t)n == len ? ", bytes differ" : "");
}

static void tx_to_packet(void)
{
	XDPSOCK_OPTS(o, .flags = XDPSOCK_F_MULTI_BUFFER);
	static uint8_t f[MAXF];
	struct xdpsock_tx *tx;
	struct xdpsock_stats st;
	struct xdpsock_mode m;
	uint64_t descs = 0;
	uint32_t seq, i, len;
	double t0 = lab_now();
	int pfd, err;

	pfd = lab_packet_socket(l, LAB_B);
	err = xdpsock_tx_create(&tx, lab_ifindex(l, LAB_A), 0, &o);
	CHECK(err == 0, "multi-buffer tx_create on va: %s", xdpsock_errmsg());
	CHECK(xdpsock_tx_mode(tx, &m) == 0 && m.multi_buffer, "tx mode");
	/* CONFIG_MAX_SKB_FRAGS is at least 17: a packet may span 18 frames or more. */
	CHECK(m.tx_max_segs >= 18, "tx_max_segs %u", m.tx_max_segs);
	printf("tx: a packet may span %u frames of %u bytes\n", m.tx_max_segs, m.frame_size);

	for (seq = 0; seq < AFP_COUNT; seq++) {
		len = lab_udp_frame(l, LAB_A, f, jumbo_len(seq), seq, AFP_DPORT);
		if (seq % 2 == 0) {
			for (int loops = 0; (err = xdpsock_tx_send(tx, f, len)) == -EAGAIN; loops++) {
				CHECK(loops < 10000, "tx_send: no free frames");
				CHECK(xdpsock_tx_wait(tx, 10) >= 0, "tx_wait");
			}
			CHECK(err == 0, "tx_send(%u bytes): %d %s", len, err, xdpsock_errmsg());
			descs += (len + m.frame_size - 1) / m.frame_size;
		} else {
			/* Uneven: a short first segment (headers), then whole frames. */
			descs += tx_by_hand(tx, f, len, 14 + seq % 100, m.frame_size);
		}
		afp_expect(pfd, f, len, seq);
	}
	/* Exactly tx_max_segs segments: the kernel takes it (the limit probed is right). */
	len = lab_udp_frame(l, LAB_A, f, m.tx_max_segs * 100, seq, AFP_DPORT);
	descs += tx_by_hand(tx, f, len, 100, 100);
	afp_expect(pfd, f, len, seq);
	/* One more: the library refuses it before the kernel would drop it. */
	tx_reserve(tx, m.tx_max_segs + 1);
	for (i = 0; i <= m.tx_max_segs; i++) {
		CHECK(xdpsock_tx_peek_at(tx, i, 60), "peek_at");
		CHECK(xdpsock_tx_set_more(tx, i, i < m.tx_max_segs) == 0, "set_more");
	}
	err = xdpsock_tx_commit_n(tx, m.tx_max_segs + 1);
	CHECK(err == -E2BIG && errno == E2BIG, "a packet of %u frames: commit_n = %d", m.tx_max_segs + 1, err);
	lab_tx_settle(tx, descs, &st);
	CHECK(st.tx_frames == descs, "tx_frames %llu, expected %llu", (unsigned long long)st.tx_frames,
	      (unsigned long long)descs);
	CHECK(st.tx_invalid_descs == 0 && st.tx_bad_descs == 0, "invalid descriptors: kernel %llu, library %llu",
	      (unsigned long long)st.tx_invalid_descs, (unsigned long long)st.tx_bad_descs);
	CHECK(st.frames.user == m.tx_max_segs + 1 && st.frames.free + st.frames.user + st.frames.comp == st.frames.total,
	      "census: total %u free %u user %u comp %u", st.frames.total, st.frames.free, st.frames.user, st.frames.comp);
	printf("2. TX -> AF_PACKET: %u frames of up to %u bytes byte for byte in %.2f s (%llu descriptors), one of %u segments; %u segments refused (E2BIG)\n",
	       AFP_COUNT + 1, MAXF, lab_now() - t0, (unsigned long long)descs, m.tx_max_segs, m.tx_max_segs + 1);
	xdpsock_tx_destroy(tx);
	close(pfd);
}

/* ---- 3. TX batch -> RX batch ----------------------------------------------------------------- */

static pthread_barrier_t ready;
static uint32_t received;	/* packets RX has released; TX reads it for the window */
static volatile int failed;
static double t_start, t_end;
static uint64_t rx_descs_total, tx_descs_total;

static void *tx_thread(void *arg)
{
	XDPSOCK_OPTS(o, .flags = XDPSOCK_F_MULTI_BUFFER);
	static uint8_t f[MAXF];
	struct xdpsock_tx *tx;
	struct xdpsock_stats st;
	uint32_t sent = 0, fsize;
	uint64_t descs = 0, loops;
	double end;
	int err;

	(void)arg;
	lab_enter(l, LAB_A);
	err = xdpsock_tx_create(&tx, (int)if_nametoindex("va"), 0, &o);
	CHECK(err == 0, "tx_create: %s", xdpsock_errmsg());
	fsize = 2048;
	pthread_barrier_wait(&ready);
	end = lab_now() + LIMIT_S;
	for (loops = 0; sent < BATCH_COUNT && !failed; loops++) {
		uint32_t window = WINDOW - (sent - __atomic_load_n(&received, __ATOMIC_ACQUIRE)), used = 0;
		int k;

		CHECK((loops & 1023) || lab_now() < end, "TX: sent %u of %u in %.0f s", sent, BATCH_COUNT, LIMIT_S);
		k = window ? xdpsock_tx_seek_n(tx, 64) : 0;
		/* Whole packets into the frames reserved, as many as fit. */
		while (k > 0 && window && sent < BATCH_COUNT) {
			uint32_t len = jumbo_len(sent), segs = (len + fsize - 1) / fsize, i, off = 0;

			if (used + segs > (uint32_t)k)
				break;
			lab_udp_frame(l, LAB_A, f, len, sent, BATCH_DPORT);
			for (i = 0; i < segs; i++) {
				uint32_t n = len - off < fsize ? len - off : fsize;
				uint8_t *p = xdpsock_tx_peek_at(tx, used + i, n);

				CHECK(p, "peek_at(%u, %u): %s", used + i, n, strerror(errno));
				memcpy(p, f + off, n);
				off += n;
				xdpsock_tx_set_more(tx, used + i, i + 1 < segs);
			}
			used += segs;
			sent++;
			window--;
		}
		if (used) {
			err = xdpsock_tx_commit_n(tx, used);
			CHECK(err == (int)used, "commit_n(%u) = %d: %s", used, err, strerror(errno));
			descs += used;
		}
		err = xdpsock_tx_kick(tx);
		CHECK(err >= 0, "kick: %d", err);
		if (!used)
			sched_yield();	/* window full or frames short: let RX and the kernel run */
	}
	lab_tx_settle(tx, descs, &st);
	CHECK(st.tx_frames == descs && st.tx_invalid_descs == 0 && st.tx_bad_descs == 0,
	      "tx: %llu descriptors committed, %llu counted, %llu invalid, %llu bad", (unsigned long long)descs,
	      (unsigned long long)st.tx_frames, (unsigned long long)st.tx_invalid_descs,
	      (unsigned long long)st.tx_bad_descs);
	CHECK(st.frames.free + st.frames.user + st.frames.comp == st.frames.total && st.frames.tx == 0 &&
		      st.frames.kernel == 0,
	      "tx census: total %u free %u user %u tx %u comp %u kernel %u", st.frames.total, st.frames.free,
	      st.frames.user, st.frames.tx, st.frames.comp, st.frames.kernel);
	tx_descs_total = descs;
	xdpsock_tx_destroy(tx);
	return NULL;
}

static void *rx_thread(void *arg)
{
	static uint8_t pkt[MAXF], want[MAXF];
	struct xdpsock_rx *rx;
	struct xdpsock_stats st;
	uint32_t got = 0, others = 0, segs, len;
	uint64_t descs = 0, loops;
	double end;

	(void)arg;
	lab_enter(l, LAB_B);
	rx = rx_jumbo((int)if_nametoindex("vb"));
	pthread_barrier_wait(&ready);
	t_start = lab_now();
	end = t_start + LIMIT_S;
	for (loops = 0; got < BATCH_COUNT; loops++) {
		int k = xdpsock_rx_seek_n(rx, 64), i;

		CHECK(k >= 0, "rx_seek_n(64): %d", k);
		if (k == 0 || !(loops & 63))
			CHECK(lab_now() < end, "RX: received %u of %u in %.0f s (lost frames?)", got, BATCH_COUNT, LIMIT_S);
		if (k == 0) {
			CHECK(xdpsock_rx_wait(rx, 1) >= 0, "rx_wait");
			continue;
		}
		for (i = 0; i < k; i += (int)segs) {
			CHECK(xdpsock_rx_pkt_at(rx, (uint32_t)i, &segs, &len) == 0, "rx_pkt_at(%d): %s", i, strerror(errno));
			CHECK(xdpsock_rx_copy_pkt(rx, (uint32_t)i, pkt, sizeof(pkt)) == (int)len, "rx_copy_pkt");
			if (lab_frame_dport(pkt, len) != BATCH_DPORT) {
				others++;
				continue;
			}
			lab_udp_frame(l, LAB_A, want, jumbo_len(got), got, BATCH_DPORT);
			if (len != jumbo_len(got) || memcmp(pkt, want, len)) {
				uint32_t s = 0;

				failed = 1;
				memcpy(&s, pkt + HDR, 4);
				CHECK(0, "expected frame %u (%u bytes), got seq %u (%u bytes, %u descriptors): %s", got,
				      jumbo_len(got), s, len, segs, s > got ? "lost" : s < got ? "duplicated or reordered" : "corrupted");
			}
			got++;
		}
		CHECK(xdpsock_rx_commit_n(rx, (uint32_t)k) == k, "rx_commit_n(%d): %s", k, strerror(errno));
		descs += (uint32_t)k;
		__atomic_store_n(&received, got, __ATOMIC_RELEASE);
	}
	t_end = lab_now();
	/* Nothing after the last one. */
	for (loops = 0; loops < 20; loops++) {
		int k = xdpsock_rx_wait(rx, 5), i;

		CHECK(k >= 0, "rx_wait: %d", k);
		for (i = 0; i < k; i += (int)segs) {
			const uint8_t *p = xdpsock_rx_peek_at(rx, (uint32_t)i, NULL);

			CHECK(xdpsock_rx_pkt_at(rx, (uint32_t)i, &segs, &len) == 0 && p, "rx_pkt_at");
			CHECK(lab_frame_dport(p, len) != BATCH_DPORT, "a frame arrived after all %u", BATCH_COUNT);
			others++;
		}
		descs += (uint32_t)k;
		if (k)
			CHECK(xdpsock_rx_commit_n(rx, (uint32_t)k) == k, "rx_commit_n");
	}
	CHECK(xdpsock_rx_stats(rx, &st) == 0, "rx_stats");
	CHECK(st.rx_frames == descs, "rx_frames %llu, released %llu", (unsigned long long)st.rx_frames,
	      (unsigned long long)descs);
	rx_idle(rx, "batch");
	rx_descs_total = descs;
	printf("rx: %u frames, %u others, %llu descriptors, %llu wakeups\n", got, others, (unsigned long long)descs,
	       (unsigned long long)st.rx_wakeups);
	xdpsock_rx_destroy(rx);
	return NULL;
}

static void batch(void)
{
	pthread_t t[2];

	pthread_barrier_init(&ready, NULL, 2);
	/* RX first, so that no frame reaches vb before its socket exists. */
	CHECK(pthread_create(&t[1], NULL, rx_thread, NULL) == 0, "pthread_create");
	CHECK(pthread_create(&t[0], NULL, tx_thread, NULL) == 0, "pthread_create");
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
	pthread_barrier_destroy(&ready);
	CHECK(!lab_xdp_attached(l, LAB_B), "XDP program left on vb");
	printf("3. batch: %u frames of 60..%u bytes (%llu TX, %llu RX descriptors) in %.2f s, %.0f frames/s (information only)\n",
	       BATCH_COUNT, MAXF, (unsigned long long)tx_descs_total, (unsigned long long)rx_descs_total,
	       t_end - t_start, BATCH_COUNT / (t_end - t_start));
}

/* ---- 4. forwarding ---------------------------------------------------------------------------- */

/* Forward what the pair on vb holds back out of vb; returns the descriptors taken. */
static uint32_t reflect(struct xdpsock_rx *rx, struct xdpsock_tx *tx)
{
	int k = xdpsock_rx_seek_n(rx, 64), n;

	CHECK(k >= 0, "rx_seek_n(64): %d", k);
	if (!k) {
		CHECK(xdpsock_fwd_reclaim(rx, tx) >= 0, "fwd_reclaim: %s", xdpsock_errmsg());
		CHECK(xdpsock_tx_kick(tx) >= 0, "kick");
		return 0;
	}
	n = xdpsock_fwd_n(rx, tx, (uint32_t)k, FWD_MAX);
	CHECK(n >= 0, "fwd_n(%d): %d %s", k, n, xdpsock_errmsg());
	CHECK(xdpsock_tx_kick(tx) >= 0, "kick");
	return (uint32_t)n;
}

static uint32_t fwd_next(uint32_t seq)
{
	while (seq < FWD_COUNT && jumbo_len(seq) > FWD_MAX)
		seq++;
	return seq;
}

static void forward(void)
{
	XDPSOCK_OPTS(o, .flags = XDPSOCK_F_MULTI_BUFFER);
	static uint8_t f[MAXF], buf[MAXF + 64];
	struct xdpsock_tx *src, *ftx;
	struct xdpsock_rx *frx;
	struct xdpsock_stats st;
	uint32_t sent = 0, next = fwd_next(0), got = 0, over = 0, others = 0, seq;
	uint64_t src_descs = 0;
	double t0 = lab_now(), end = t0 + 30;
	int pfd, err, n, loops;

	for (seq = 0; seq < FWD_COUNT; seq++)
		over += jumbo_len(seq) > FWD_MAX;
	lab_enter(l, LAB_B);
	err = xdpsock_pair_create(&ftx, &frx, lab_ifindex(l, LAB_B), 0, &o);
	CHECK(err == 0, "multi-buffer pair on vb: %s", xdpsock_errmsg());
	pfd = lab_packet_socket(l, LAB_A);
	err = xdpsock_tx_create(&src, lab_ifindex(l, LAB_A), 0, &o);
	CHECK(err == 0, "multi-buffer tx_create on va: %s", xdpsock_errmsg());

	for (loops = 0; next < FWD_COUNT; loops++) {
		CHECK(lab_now() < end && loops < 1000000, "va saw %u forwarded frames, waits for %u (%u sent) after 30 s", got,
		      next, sent);
		/* A burst from va, small enough for every ring on the way. */
		while (sent < FWD_COUNT && sent < next + 32) {
			uint32_t len = lab_udp_frame(l, LAB_A, f, jumbo_len(sent), sent, FWD_DPORT);

			err = xdpsock_tx_send(src, f, len);
			if (err == -EAGAIN)
				break;
			CHECK(err == 0, "tx_send: %d %s", err, xdpsock_errmsg());
			src_descs += (len + 2047) / 2048;
			sent++;
		}
		reflect(frx, ftx);
		n = lab_packet_recv(pfd, buf, sizeof(buf), 0);
		if (n <= 0) {
			xdpsock_tx_kick(src);
			reflect(frx, ftx);
			n = lab_packet_recv(pfd, buf, sizeof(buf), 2);
		}
		if (n <= 0)
			continue;
		if (lab_frame_dport(buf, (uint32_t)n) != FWD_DPORT) {
			others++;
			continue;
		}
		lab_udp_frame(l, LAB_A, f, jumbo_len(next), next, FWD_DPORT);
		if ((uint32_t)n != jumbo_len(next) || memcmp(buf, f, (size_t)n)) {
			uint32_t s = 0;

			memcpy(&s, buf + HDR, 4);
			CHECK(0, "forwarded: expected frame %u (%u bytes), got seq %u (%d bytes)%s", next, jumbo_len(next), s, n,
			      jumbo_len(s) > FWD_MAX ? ": longer than max_len, and forwarded" : "");
		}
		got++;
		next = fwd_next(next + 1);
	}
	/* Nothing more comes back: no frame longer than max_len, no duplicate. */
	for (loops = 0; loops < 20; loops++) {
		reflect(frx, ftx);
		n = lab_packet_recv(pfd, buf, sizeof(buf), 5);
		CHECK(n <= 0 || lab_frame_dport(buf, (uint32_t)n) != FWD_DPORT, "a frame came back after all %u", got);
	}
	lab_tx_settle(src, src_descs, &st);
	CHECK(st.tx_invalid_descs == 0, "va: %llu invalid TX descriptors", (unsigned long long)st.tx_invalid_descs);
	/* The pair: every forwarded descriptor sent, the oversize ones counted once per packet. */
	CHECK(xdpsock_rx_stats(frx, &st) == 0, "rx_stats");
	lab_tx_settle(ftx, st.tx_frames, &st);
	CHECK(xdpsock_fwd_reclaim(frx, ftx) >= 0, "fwd_reclaim");
	CHECK(xdpsock_rx_stats(frx, &st) == 0, "rx_stats");
	CHECK(st.rx_fwd_oversize == over, "rx_fwd_oversize %llu, expected %u packets", (unsigned long long)st.rx_fwd_oversize,
	      over);
	CHECK(st.rx_forwarded == st.tx_frames && st.rx_forwarded > got, "forwarded %llu descriptors, sent %llu, for %u packets",
	      (unsigned long long)st.rx_forwarded, (unsigned long long)st.tx_frames, got);
	CHECK(st.tx_invalid_descs == 0 && st.rx_too_long == 0 && st.rx_dropped == 0,
	      "pair: invalid TX %llu, too long %llu, dropped %llu", (unsigned long long)st.tx_invalid_descs,
	      (unsigned long long)st.rx_too_long, (unsigned long long)st.rx_dropped);
	CHECK(st.frames.user == 0 && st.frames.rx == 0 && st.frames.tx == 0 && st.frames.kernel == 0 &&
		      st.frames.free + st.frames.fill + st.frames.comp == st.frames.total,
	      "pair census: total %u free %u fill %u comp %u user %u rx %u tx %u kernel %u", st.frames.total,
	      st.frames.free, st.frames.fill, st.frames.comp, st.frames.user, st.frames.rx, st.frames.tx,
	      st.frames.kernel);
	printf("4. forwarding at max_len %u: %u frames back byte for byte, %u longer ones dropped and counted once each (%llu descriptors forwarded, %u other frames) in %.2f s\n",
	       FWD_MAX, got, over, (unsigned long long)st.rx_forwarded, others, lab_now() - t0);
	xdpsock_tx_destroy(src);
	xdpsock_tx_destroy(ftx);
	xdpsock_rx_destroy(frx);
	close(pfd);
	CHECK(!lab_xdp_attached(l, LAB_B), "XDP program left on vb");
}

int main(void)
{
	lab_require_root("it_jumbo");
	lab_log_capture();
	l = lab_up(1);
	CHECK(lab_sh(l, LAB_A, "ip link set dev va mtu %u", MTU) == 0, "va mtu %u", MTU);
	CHECK(lab_sh(l, LAB_B, "ip link set dev vb mtu %u", MTU) == 0, "vb mtu %u", MTU);
	udp_to_rx();
	tx_to_packet();
	batch();
	forward();
	lab_down(l);
	printf("PASS it_jumbo\n");
	return T_PASS;
}
