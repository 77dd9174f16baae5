// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * RX from the kernel's own stack: a plain UDP socket in namespace A sends 1,000 datagrams of
 * varying length to 198.18.0.2; our RX socket on vb queue 0 receives every one, and each
 * frame's UDP payload is byte-for-byte what was sent, in order.  Not one frame more.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <net/ethernet.h>
#include <sys/socket.h>
#include <xdpsock/xdpsock.h>

#include "lab.h"

#define COUNT	1000
#define BURST	50
#define DPORT	9200
#define SPORT	9201

static uint32_t payload_len(uint32_t seq)
{
	return 4 + (seq * 131) % 1400;	/* 4 .. 1403 bytes: one frame each, below the 1500 MTU */
}

static void payload(uint32_t seq, uint8_t *buf)
{
	uint32_t i, n = payload_len(seq);

	memcpy(buf, &seq, 4);
	for (i = 4; i < n; i++)
		buf[i] = (uint8_t)(seq ^ (i * 29));
}

/* Check one received frame against datagram @seq; returns 1 when it is one of ours (and right). */
static int check_frame(const struct lab *l, const uint8_t *p, uint32_t len, uint32_t seq)
{
	const uint32_t eth = sizeof(struct ether_header);
	struct iphdr ip;
	struct udphdr udp;
	uint8_t want[1500];
	uint32_t plen = payload_len(seq), got_seq;

	if (lab_frame_dport(p, len) != DPORT)
		return 0;
	memcpy(&ip, p + eth, sizeof(ip));	/* headers in the frame are not aligned */
	memcpy(&udp, p + eth + sizeof(ip), sizeof(udp));
	CHECK(!memcmp(p, l->mac[LAB_B], 6) && !memcmp(p + 6, l->mac[LAB_A], 6), "datagram %u: wrong MACs", seq);
	CHECK(ip.saddr == htonl(l->ip[LAB_A]) && ip.daddr == htonl(l->ip[LAB_B]), "datagram %u: wrong addresses", seq);
	CHECK(ip.ihl == 5 && !(ntohs(ip.frag_off) & 0x3fff), "datagram %u: options or fragment", seq);
	CHECK(ntohs(udp.source) == SPORT, "datagram %u: source port %u", seq, ntohs(udp.source));
	CHECK(ntohs(udp.len) == plen + sizeof(udp), "datagram %u: UDP length %u, sent %u bytes", seq, ntohs(udp.len),
	      plen);
	CHECK(len == eth + sizeof(ip) + sizeof(udp) + plen, "datagram %u: frame of %u bytes for a %u-byte payload", seq,
	      len, plen);
	p += eth + sizeof(ip) + sizeof(udp);
	memcpy(&got_seq, p, 4);
	CHECK(got_seq == seq, "expected datagram %u, got %u (lost, duplicated or reordered)", seq, got_seq);
	payload(seq, want);
	CHECK(!memcmp(p, want, plen), "datagram %u: payload differs", seq);
	return 1;
}

int main(void)
{
	struct sockaddr_in dst = { .sin_family = AF_INET, .sin_port = htons(DPORT) };
	struct sockaddr_in src = { .sin_family = AF_INET, .sin_port = htons(SPORT) };
	struct xdpsock_rx *rx;
	struct xdpsock_stats st;
	struct xdpsock_mode m;
	uint8_t buf[1500];
	uint32_t sent = 0, got = 0, others = 0;
	double t0, end;
	char mbuf[256];
	int fd, err, loops;
	struct lab *l;

	lab_require_root("it_udp_rx");
	lab_log_capture();
	l = lab_up(1);

	lab_enter(l, LAB_A);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	CHECK(fd >= 0, "UDP socket in A: %s", strerror(errno));
	src.sin_addr.s_addr = htonl(l->ip[LAB_A]);
	dst.sin_addr.s_addr = htonl(l->ip[LAB_B]);
	CHECK(bind(fd, (struct sockaddr *)&src, sizeof(src)) == 0, "bind UDP: %s", strerror(errno));

	err = xdpsock_rx_create(&rx, lab_ifindex(l, LAB_B), 0, NULL);
	CHECK(err == 0, "rx_create on vb: %d %s", err, xdpsock_errmsg());
	CHECK(xdpsock_rx_mode(rx, &m) == 0, "rx_mode");
	printf("rx mode: %s\n", xdpsock_mode_str(&m, mbuf, sizeof(mbuf)));

	/* Bursts small enough for every queue on the way (socket buffer, veth ring, RX ring). */
	t0 = lab_now();
	end = t0 + 30;
	for (loops = 0; got < COUNT; loops++) {
		CHECK(lab_now() < end && loops < 1000000, "received %u of %u datagrams (%u sent) in 30 s", got, COUNT,
		      sent);
		while (sent < COUNT && sent - got < BURST) {
			ssize_t n;

			payload(sent, buf);
			n = sendto(fd, buf, payload_len(sent), 0, (struct sockaddr *)&dst, sizeof(dst));
			if (n < 0 && (errno == ENOBUFS || errno == EAGAIN))
				break;	/* retried after the next receive round */
			CHECK(n == (ssize_t)payload_len(sent), "sendto %u: %s", sent, n < 0 ? strerror(errno) : "short");
			sent++;
		}
		int k = xdpsock_rx_seek_n(rx, 64), i;

		if (!k) {
			err = xdpsock_rx_wait(rx, 10);
			CHECK(err >= 0, "rx_wait: %d", err);
			continue;
		}
		for (i = 0; i < k; i++) {
			uint32_t len;
			const uint8_t *p = xdpsock_rx_peek_at(rx, (uint32_t)i, &len);

			CHECK(p, "rx_peek_at(%d): %s", i, strerror(errno));
			if (check_frame(l, p, len, got))
				got++;
			else
				others++;
		}
		CHECK(xdpsock_rx_commit_n(rx, (uint32_t)k) == k, "rx_commit_n(%d)", k);
	}
	printf("received %u datagrams in %.3f s (%u other frames ignored)\n", got, lab_now() - t0, others);

	/* Nothing more: no duplicate of any datagram turns up later. */
	for (loops = 0; loops < 10; loops++) {
		int k = xdpsock_rx_wait(rx, 10), i;

		CHECK(k >= 0, "rx_wait: %d", k);
		for (i = 0; i < k; i++) {
			uint32_t len;
			const uint8_t *p = xdpsock_rx_peek_at(rx, (uint32_t)i, &len);

			CHECK(p && lab_frame_dport(p, len) != DPORT, "a datagram arrived after all %u", COUNT);
			others++;
		}
		if (k)
			xdpsock_rx_commit_n(rx, (uint32_t)k);
	}
	CHECK(got == COUNT && sent == COUNT, "got %u sent %u", got, sent);
	CHECK(xdpsock_rx_stats(rx, &st) == 0, "rx_stats: %s", xdpsock_errmsg());
	CHECK(st.rx_frames == COUNT + others, "rx_frames %llu, expected %u", (unsigned long long)st.rx_frames,
	      COUNT + others);
	CHECK(st.rx_dropped == 0 && st.rx_invalid_descs == 0 && st.rx_bad_descs == 0,
	      "drops: kernel %llu, invalid %llu, bad %llu", (unsigned long long)st.rx_dropped,
	      (unsigned long long)st.rx_invalid_descs, (unsigned long long)st.rx_bad_descs);
	CHECK(st.frames.total == 4096 && st.frames.fill == 2048 && st.frames.free == 2048 && st.frames.user == 0 &&
	      st.frames.rx == 0 && st.frames.kernel == 0,
	      "idle census: total %u free %u fill %u user %u rx %u kernel %u", st.frames.total, st.frames.free,
	      st.frames.fill, st.frames.user, st.frames.rx, st.frames.kernel);
	xdpsock_rx_destroy(rx);
	close(fd);
	CHECK(!lab_xdp_attached(l, LAB_B), "XDP program left on vb");
	printf("PASS it_udp_rx: %u datagrams byte-for-byte, %u other frames\n", got, others);
	return T_PASS;
}
