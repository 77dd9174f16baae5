// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * What xdpbridge does in software for a TUN/TAP with offloads on (tun_gso.c): every segment of a
 * TCP super-packet is a packet a receiver accepts (IP and TCP checksums verify, lengths, sequence
 * numbers, flags), the segments carry the payload once, in order, and none is longer than the
 * MSS; the same for the datagrams of a UDP super-packet (USO: IP and UDP checksums, lengths, IPv4
 * ids); a partial checksum is finished so that it verifies; the word-wise checksum sums what a
 * byte-wise one does.  IPv4 and IPv6, over a TUN (IP at 0) and a TAP (IP after the Ethernet header).
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <linux/virtio_net.h>

#include "tun.h"

#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5
#endif

#define PAYLOAD 5000
#define MSS 1448

static uint8_t pkt[70000], seg[2048];

/* IPv4 or IPv6 + TCP (with 12 bytes of options) + payload at @l3; returns the length. */
static uint32_t make_tcp(bool v6, uint32_t l3, uint32_t payload, uint8_t flags)
{
	uint32_t ipl = v6 ? 40 : 20, t = l3 + ipl, len = t + 32 + payload, i;
	uint8_t *ip = pkt + l3, *tcp = pkt + t;

	memset(pkt, 0, len);
	if (l3) {
		memcpy(pkt, "\x02\x00\x00\x00\x07\x01\x02\x00\x00\x00\x07\x02", 12);
		pkt[12] = v6 ? 0x86 : 0x08;
		pkt[13] = v6 ? 0xdd : 0x00;
	}
	if (v6) {
		ip[0] = 0x60;
		ip[6] = 6;
		ip[7] = 64;
		inet_pton(AF_INET6, "2001:2:8::2", ip + 8);
		inet_pton(AF_INET6, "2001:2:7::1", ip + 24);
	} else {
		ip[0] = 0x45;
		ip[2] = (uint8_t)((len - l3) >> 8);	/* as the kernel leaves it: the whole super-packet */
		ip[3] = (uint8_t)(len - l3);
		ip[4] = 0x12;
		ip[5] = 0x34;
		ip[8] = 64;
		ip[9] = 6;
		inet_pton(AF_INET, "198.18.8.2", ip + 12);
		inet_pton(AF_INET, "198.18.7.1", ip + 16);
	}
	tcp[0] = 0x14;
	tcp[1] = 0x51;
	tcp[3] = 80;
	tcp[4] = 0xff;			/* a sequence number about to wrap */
	tcp[5] = 0xff;
	tcp[6] = 0xf0;
	tcp[12] = 8 << 4;		/* 32 bytes: 12 of options */
	tcp[13] = flags;
	for (i = 0; i < payload; i++)
		pkt[t + 32 + i] = (uint8_t)(i * 7 + 3);
	return len;
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The TCP checksum of a segment verifies: pseudo-header + segment sums to 0xffff. */
static void tcp_verifies(const uint8_t *s, uint32_t len, uint32_t l3, bool v6)
{
	uint32_t t = l3 + (v6 ? 40 : 20), l4 = len - t, sum;
	uint8_t ph[40] = { 0 };

	if (v6) {
		memcpy(ph, s + l3 + 8, 32);
		ph[34] = (uint8_t)(l4 >> 8);
		ph[35] = (uint8_t)l4;
		ph[39] = 6;
		sum = tun_csum_add(0, ph, 40);
	} else {
		memcpy(ph, s + l3 + 12, 8);
		ph[9] = 6;
		ph[10] = (uint8_t)(l4 >> 8);
		ph[11] = (uint8_t)l4;
		sum = tun_csum_add(0, ph, 12);
		assert_int_equal(tun_csum_fold(tun_csum_add(0, s + l3, 20)), 0);	/* the IP header's */
		assert_int_equal(s[l3 + 2] << 8 | s[l3 + 3], len - l3);
	}
	if (v6)
		assert_int_equal(s[l3 + 4] << 8 | s[l3 + 5], len - l3 - 40);
	assert_int_equal(tun_csum_fold(tun_csum_add(sum, s + t, l4)), 0);
}

static void cut(bool v6, uint32_t l3)
{
	struct virtio_net_hdr h = { 0 };
	struct tun_gso g;
	uint32_t len = make_tcp(v6, l3, PAYLOAD, 0x80 | 0x18 | 0x01), t = l3 + (v6 ? 40 : 20), n, k = 0, got = 0;
	uint8_t joined[PAYLOAD];

	h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h.gso_type = v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4;
	h.gso_size = MSS;
	h.hdr_len = (uint16_t)(t + 32);
	h.csum_start = (uint16_t)t;
	h.csum_offset = 16;
	assert_int_equal(tun_gso_start(&g, &h, pkt, len, l3), 0);
	assert_int_equal(tun_gso_count(&g), (PAYLOAD + MSS - 1) / MSS);
	while ((n = tun_gso_next(&g, seg, sizeof(seg)))) {
		const uint8_t *tcp = seg + t;
		uint32_t pl = n - t - 32;
		bool last = got + pl == PAYLOAD;

		assert_true(pl <= MSS);
		assert_true(pl == MSS || last);
		tcp_verifies(seg, n, l3, v6);
		assert_int_equal(rd32(tcp + 4), 0xfffff000u + got);	/* wraps past 2^32 */
		assert_int_equal(tcp[13] & 0x80, k == 0 ? 0x80 : 0);	/* CWR on the first only */
		assert_int_equal(tcp[13] & 0x09, last ? 0x09 : 0);	/* FIN and PSH on the last only */
		assert_int_equal(tcp[13] & 0x10, 0x10);			/* ACK on all */
		if (!v6)
			assert_int_equal(seg[l3 + 4] << 8 | seg[l3 + 5], 0x1234 + k);
		memcpy(joined + got, seg + t + 32, pl);
		got += pl;
		k++;
		assert_true(k < 10);
	}
	assert_int_equal(got, PAYLOAD);
	assert_int_equal(k, tun_gso_count(&g));
	assert_memory_equal(joined, pkt + t + 32, PAYLOAD);
}

static void test_tcp4_tun(void **state)
{
	(void)state;
	cut(false, 0);
}

static void test_tcp6_tun(void **state)
{
	(void)state;
	cut(true, 0);
}

static void test_tcp4_tap(void **state)
{
	(void)state;
	cut(false, 14);
}

static void test_tcp6_tap(void **state)
{
	(void)state;
	cut(true, 14);
}

static void test_refused(void **state)
{
	struct virtio_net_hdr h = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
				    .gso_size = MSS, .csum_start = 20, .csum_offset = 16 };
	uint32_t len = make_tcp(false, 0, 3000, 0x10);
	struct tun_gso g;

	(void)state;
	h.gso_type = VIRTIO_NET_HDR_GSO_UDP;
	assert_int_equal(tun_gso_start(&g, &h, pkt, len, 0), -EOPNOTSUPP);
	h.gso_type = VIRTIO_NET_HDR_GSO_TCPV6;					/* says IPv6, is IPv4 */
	assert_int_equal(tun_gso_start(&g, &h, pkt, len, 0), -EINVAL);
	h.gso_type = VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN;
	assert_int_equal(tun_gso_start(&g, &h, pkt, len, 0), 0);
	h.csum_start = 10;							/* inside the IP header */
	assert_int_equal(tun_gso_start(&g, &h, pkt, len, 0), -EINVAL);
	h.csum_start = 20;
	h.gso_size = 0;
	assert_int_equal(tun_gso_start(&g, &h, pkt, len, 0), -EINVAL);
	h.gso_size = MSS;
	assert_int_equal(tun_gso_start(&g, &h, pkt, 30, 0), -EINVAL);		/* cut in its TCP header */
	pkt[32] = 15 << 4;							/* a TCP header of 60 bytes */
	assert_int_equal(tun_gso_start(&g, &h, pkt, 70, 0), -EINVAL);
	/* A segment that does not fit the frame is not made. */
	make_tcp(false, 0, 3000, 0x10);
	assert_int_equal(tun_gso_start(&g, &h, pkt, len, 0), 0);
	assert_int_equal(tun_gso_next(&g, seg, 1000), 0);
	assert_int_equal(g.seg, 0);
}

/*
 * TSO whose headers contradict its virtio-net header (found by fuzzing): the IP header must say
 * TCP, and the TCP header must start where the IP header ends (past IPv6's options), else every
 * segment would carry its TCP header where no receiver looks for it, or under another protocol.
 */
static void test_tcp_headers_disagree(void **state)
{
	struct virtio_net_hdr h = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .gso_type = VIRTIO_NET_HDR_GSO_TCPV6,
				    .gso_size = MSS, .hdr_len = 72, .csum_start = 40, .csum_offset = 16 };
	uint32_t len = make_tcp(true, 0, 3000, 0x10);
	struct tun_gso g;

	(void)state;
	assert_int_equal(tun_gso_start(&g, &h, pkt, len, 0), 0);
	pkt[6] = 17;								/* IPv6 says UDP */
	assert_int_equal(tun_gso_start(&g, &h, pkt, len, 0), -EINVAL);
	pkt[6] = 143;								/* or what no one knows */
	assert_int_equal(tun_gso_start(&g, &h, pkt, len, 0), -EINVAL);
	/* Hop-by-hop options before TCP: walked over, and csum_start must be past them. */
	memmove(pkt + 48, pkt + 40, len - 40);
	memcpy(pkt + 40, "\x06\x00\x01\x04\x00\x00\x00\x00", 8);
	pkt[6] = 0;
	len += 8;
	assert_int_equal(tun_gso_start(&g, &h, pkt, len, 0), -EINVAL);
	h.csum_start = 48;
	assert_int_equal(tun_gso_start(&g, &h, pkt, len, 0), 0);
	assert_int_equal(g.hdr_len, 80);
	assert_int_equal(tun_gso_count(&g), 3);
	/* IPv4: TCP where IHL says the header ends, not 4 bytes later. */
	len = make_tcp(false, 0, 3000, 0x10);
	h.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	h.csum_start = 24;
	pkt[24 + 12] = 5 << 4;							/* would be a 20-byte TCP header */
	assert_int_equal(tun_gso_start(&g, &h, pkt, len, 0), -EINVAL);
	h.csum_start = 20;
	assert_int_equal(tun_gso_start(&g, &h, pkt, len, 0), 0);
}

static void test_csum_finish(void **state)
{
	uint8_t u[8 + 20 + 9] = { 0x45, 0, 0, 37, 0, 0, 0, 0, 64, 17 }, *udp = u + 20, ph[12] = { 0 };
	uint32_t sum;
	uint16_t c;

	(void)state;
	inet_pton(AF_INET, "198.18.8.2", u + 12);
	inet_pton(AF_INET, "198.18.7.1", u + 16);
	udp[1] = 99;
	udp[3] = 53;
	udp[5] = 17;
	memcpy(udp + 8, "partial!!", 9);
	/* The kernel leaves the pseudo-header's sum, not inverted, in the checksum field. */
	memcpy(ph, u + 12, 8);
	ph[9] = 17;
	ph[11] = 17;
	c = (uint16_t)~tun_csum_fold(tun_csum_add(0, ph, 12));
	udp[6] = (uint8_t)(c >> 8);
	udp[7] = (uint8_t)c;
	assert_int_equal(tun_csum_finish(u, sizeof(u), 20, 6), 0);
	sum = tun_csum_add(tun_csum_add(0, ph, 12), udp, 17);
	assert_int_equal(tun_csum_fold(sum), 0);
	assert_int_equal(tun_csum_finish(u, sizeof(u), 20, 16), -EINVAL);	/* the field past the end */
	assert_int_equal(tun_csum_finish(u, sizeof(u), 37, 0), -EINVAL);
	/* An odd length sums its last byte as the high half of a word. */
	assert_int_equal(tun_csum_add(0, (const uint8_t *)"\x01", 1), 0x100);
}

/* ---- USO: UDP super-packets ---- */

/* IPv4 or IPv6 + UDP + payload at @l3, as the kernel hands it out; returns the length. */
static uint32_t make_udp(bool v6, uint32_t l3, uint32_t payload)
{
	uint32_t ipl = v6 ? 40 : 20, u = l3 + ipl, len = u + 8 + payload, i;
	uint8_t *ip = pkt + l3, *udp = pkt + u;

	memset(pkt, 0, len);
	if (l3) {
		memcpy(pkt, "\x02\x00\x00\x00\x07\x01\x02\x00\x00\x00\x07\x02", 12);
		pkt[12] = v6 ? 0x86 : 0x08;
		pkt[13] = v6 ? 0xdd : 0x00;
	}
	if (v6) {
		ip[0] = 0x60;
		ip[4] = (uint8_t)((len - u) >> 8);
		ip[5] = (uint8_t)(len - u);
		ip[6] = 17;
		ip[7] = 64;
		inet_pton(AF_INET6, "2001:2:8::2", ip + 8);
		inet_pton(AF_INET6, "2001:2:7::1", ip + 24);
	} else {
		ip[0] = 0x45;
		ip[2] = (uint8_t)((len - l3) >> 8);
		ip[3] = (uint8_t)(len - l3);
		ip[4] = 0xff;			/* an id about to wrap */
		ip[5] = 0xfe;
		ip[6] = 0x40;			/* DF */
		ip[8] = 64;
		ip[9] = 17;
		inet_pton(AF_INET, "198.18.8.2", ip + 12);
		inet_pton(AF_INET, "198.18.7.1", ip + 16);
	}
	udp[0] = 0x30;
	udp[1] = 0x39;
	udp[2] = 0x11;
	udp[3] = 0x51;
	udp[4] = (uint8_t)((len - u) >> 8);
	udp[5] = (uint8_t)(len - u);
	udp[6] = 0xab;			/* the pseudo-header sum: whatever it is, it is computed anew */
	udp[7] = 0xcd;
	for (i = 0; i < payload; i++)
		pkt[u + 8 + i] = (uint8_t)(i * 13 + 5);
	return len;
}

static struct virtio_net_hdr uso_hdr(bool v6, uint32_t l3, uint16_t gso)
{
	struct virtio_net_hdr h = { 0 };
	uint32_t u = l3 + (v6 ? 40 : 20);

	h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h.gso_type = VIRTIO_NET_HDR_GSO_UDP_L4;
	h.gso_size = gso;
	h.hdr_len = (uint16_t)(u + 8);
	h.csum_start = (uint16_t)u;
	h.csum_offset = 6;
	return h;
}

/* A datagram a receiver accepts: IP header checksum, lengths, UDP checksum with pseudo-header. */
static void udp_verifies(const uint8_t *s, uint32_t len, uint32_t l3, bool v6)
{
	uint32_t u = l3 + (v6 ? 40 : 20), l4 = len - u, sum;
	uint8_t ph[40] = { 0 };

	if (v6) {
		assert_int_equal(s[l3 + 4] << 8 | s[l3 + 5], len - l3 - 40);
		memcpy(ph, s + l3 + 8, 32);
		ph[34] = (uint8_t)(l4 >> 8);
		ph[35] = (uint8_t)l4;
		ph[39] = 17;
		sum = tun_csum_add(0, ph, 40);
	} else {
		assert_int_equal(tun_csum_fold(tun_csum_add(0, s + l3, 20)), 0);
		assert_int_equal(s[l3 + 2] << 8 | s[l3 + 3], len - l3);
		memcpy(ph, s + l3 + 12, 8);
		ph[9] = 17;
		ph[10] = (uint8_t)(l4 >> 8);
		ph[11] = (uint8_t)l4;
		sum = tun_csum_add(0, ph, 12);
	}
	assert_int_equal(s[u + 4] << 8 | s[u + 5], l4);
	assert_int_not_equal(s[u + 6] << 8 | s[u + 7], 0);	/* 0 would say "no checksum" */
	assert_int_equal(tun_csum_fold(tun_csum_add(sum, s + u, l4)), 0);
}

/* Cut @payload bytes in @gso pieces; every datagram checked, the payload put back together. */
static void cut_udp(bool v6, uint32_t l3, uint32_t payload, uint16_t gso)
{
	struct virtio_net_hdr h = uso_hdr(v6, l3, gso);
	uint32_t len = make_udp(v6, l3, payload), u = l3 + (v6 ? 40 : 20), n, k = 0, got = 0;
	uint32_t segs = payload ? (payload + gso - 1) / gso : 1;
	static uint8_t joined[PAYLOAD];
	struct tun_gso g;

	assert_true(payload <= PAYLOAD);
	assert_int_equal(tun_gso_start(&g, &h, pkt, len, l3), 0);
	assert_int_equal(g.hdr_len, u + 8);
	assert_int_equal(tun_gso_count(&g), segs);
	while ((n = tun_gso_next(&g, seg, sizeof(seg)))) {
		uint32_t pl = n - u - 8;
		bool last = got + pl == payload;

		assert_true(pl <= gso);
		assert_true(pl == gso || last);
		udp_verifies(seg, n, l3, v6);
		/* What no segment changes: link header, addresses, ports, flags, TTL. */
		assert_memory_equal(seg, pkt, l3);
		assert_memory_equal(seg + u, pkt + u, 4);
		if (v6) {
			assert_memory_equal(seg + l3, pkt + l3, 4);
			assert_memory_equal(seg + l3 + 6, pkt + l3 + 6, 34);
		} else {
			assert_int_equal(seg[l3 + 4] << 8 | seg[l3 + 5], (0xfffe + k) & 0xffff);	/* + 1 each, wraps */
			assert_memory_equal(seg + l3 + 6, pkt + l3 + 6, 4);
			assert_memory_equal(seg + l3 + 12, pkt + l3 + 12, 8);
		}
		memcpy(joined + got, seg + u + 8, pl);
		got += pl;
		k++;
		assert_true(k <= segs);
	}
	assert_int_equal(got, payload);
	assert_int_equal(k, segs);
	assert_int_equal(g.seg, segs);
	assert_memory_equal(joined, pkt + u + 8, payload);
	assert_int_equal(tun_gso_next(&g, seg, sizeof(seg)), 0);	/* and no more */
}

static void test_udp4_tun(void **state)
{
	(void)state;
	cut_udp(false, 0, PAYLOAD, 1472);	/* the last datagram shorter */
}

static void test_udp6_tun(void **state)
{
	(void)state;
	cut_udp(true, 0, PAYLOAD, 1452);
}

static void test_udp4_tap(void **state)
{
	(void)state;
	cut_udp(false, 14, PAYLOAD, 1472);
}

static void test_udp6_tap(void **state)
{
	(void)state;
	cut_udp(true, 14, PAYLOAD, 1452);
}

static void test_udp_exact(void **state)
{
	(void)state;
	cut_udp(false, 0, 4 * 1200, 1200);	/* every datagram full, none empty after them */
	cut_udp(true, 14, 3 * 1000, 1000);
}

static void test_udp_one(void **state)
{
	(void)state;
	cut_udp(false, 0, 500, 1472);		/* gso_size above the payload: one datagram */
	cut_udp(true, 14, 500, 1452);
	cut_udp(false, 14, 1, 1472);
	cut_udp(true, 0, 0, 1452);		/* headers only: still one */
}

/* A datagram whose checksum computes to 0 carries 0xffff: 0 would mean "none" (IPv4), or be refused (IPv6). */
static void test_udp_zero_csum(void **state)
{
	bool v6;

	(void)state;
	for (v6 = false; ; v6 = true) {
		uint32_t u = v6 ? 40 : 20, len, n, w, c;
		struct virtio_net_hdr h = uso_hdr(v6, 0, 1400);
		struct tun_gso g;

		len = make_udp(v6, 0, 100);
		assert_int_equal(tun_gso_start(&g, &h, pkt, len, 0), 0);
		n = tun_gso_next(&g, seg, sizeof(seg));
		c = (uint32_t)(seg[u + 6] << 8 | seg[u + 7]);
		assert_int_not_equal(c, 0xffff);	/* else the sum is -0 already and nothing is tested */
		/* Add the checksum to the first payload word: the sum becomes 0xffff, its checksum 0. */
		w = (uint32_t)(pkt[u + 8] << 8 | pkt[u + 9]) + c;
		w = (w & 0xffff) + (w >> 16);
		pkt[u + 8] = (uint8_t)(w >> 8);
		pkt[u + 9] = (uint8_t)w;
		assert_int_equal(tun_gso_start(&g, &h, pkt, len, 0), 0);
		assert_int_equal(tun_gso_next(&g, seg, sizeof(seg)), n);
		assert_int_equal(seg[u + 6] << 8 | seg[u + 7], 0xffff);
		udp_verifies(seg, n, 0, v6);
		if (v6)
			break;
	}
}

static void test_udp_refused(void **state)
{
	struct virtio_net_hdr h;
	struct tun_gso g;
	uint32_t len;

	(void)state;
	/* IPv4 */
	len = make_udp(false, 0, 3000);
	h = uso_hdr(false, 0, 1472);
	assert_int_equal(tun_gso_start(&g, &h, pkt, len, 0), 0);
	h.gso_type = VIRTIO_NET_HDR_GSO_UDP_L4 | VIRTIO_NET_HDR_GSO_ECN;	/* meaningless, harmless */
	assert_int_equal(tun_gso_start(&g, &h, pkt, len, 0), 0);
	h.gso_type = VIRTIO_NET_HDR_GSO_UDP;					/* UFO: not ours */
	assert_int_equal(tun_gso_start(&g, &h, pkt, len, 0), -EOPNOTSUPP);
	h = uso_hdr(false, 0, 1472);
	h.csum_offset = 16;							/* TCP's */
	assert_int_equal(tun_gso_start(&g, &h, pkt, len, 0), -EINVAL);
	h.csum_offset = 6;
	h.flags = 0;								/* no partial checksum */
	assert_int_equal(tun_gso_start(&g, &h, pkt, len, 0), -EINVAL);
	h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h.gso_size = 0;
	assert_int_equal(tun_gso_start(&g, &h, pkt, len, 0), -EINVAL);
	h.gso_size = 1472;
	h.csum_start = 10;							/* inside the IP header */
	assert_int_equal(tun_gso_start(&g, &h, pkt, len, 0), -EINVAL);
	h.csum_start = 24;							/* past it */
	assert_int_equal(tun_gso_start(&g, &h, pkt, len, 0), -EINVAL);
	h.csum_start = 20;
	assert_int_equal(tun_gso_start(&g, &h, pkt, 27, 0), -EINVAL);		/* cut in its UDP header */
	assert_int_equal(tun_gso_start(&g, &h, pkt, 19, 0), -EINVAL);		/* in its IP header */
	assert_int_equal(tun_gso_start(&g, &h, pkt, 28, 0), 0);		/* headers only */
	pkt[9] = 6;								/* TCP */
	assert_int_equal(tun_gso_start(&g, &h, pkt, len, 0), -EINVAL);
	pkt[9] = 17;
	pkt[0] = 0x46;								/* 4 bytes of options: UDP at 24 */
	assert_int_equal(tun_gso_start(&g, &h, pkt, len, 0), -EINVAL);
	h.csum_start = 24;
	assert_int_equal(tun_gso_start(&g, &h, pkt, len, 0), 0);
	pkt[0] = 0x44;								/* shorter than an IPv4 header */
	assert_int_equal(tun_gso_start(&g, &h, pkt, len, 0), -EINVAL);
	pkt[0] = 0x55;								/* neither IPv4 nor IPv6 */
	assert_int_equal(tun_gso_start(&g, &h, pkt, len, 0), -EINVAL);

	/* IPv6 */
	len = make_udp(true, 14, 3000);
	h = uso_hdr(true, 14, 1452);
	assert_int_equal(tun_gso_start(&g, &h, pkt, len, 14), 0);
	assert_true(g.v6 && g.udp);
	h.csum_offset = 16;
	assert_int_equal(tun_gso_start(&g, &h, pkt, len, 14), -EINVAL);
	h.csum_offset = 6;
	assert_int_equal(tun_gso_start(&g, &h, pkt, 61, 14), -EINVAL);		/* cut in its UDP header */
	assert_int_equal(tun_gso_start(&g, &h, pkt, 53, 14), -EINVAL);		/* in its IPv6 header */
	pkt[14 + 6] = 6;							/* TCP */
	assert_int_equal(tun_gso_start(&g, &h, pkt, len, 14), -EINVAL);
	pkt[14 + 6] = 43;							/* a routing header */
	assert_int_equal(tun_gso_start(&g, &h, pkt, len, 14), -EINVAL);
	pkt[14 + 6] = 17;
	h.csum_start = 14 + 20;							/* inside the IPv6 header */
	assert_int_equal(tun_gso_start(&g, &h, pkt, len, 14), -EINVAL);
	/* IPv4 in the packet: still checked as UDP, the version decides. */
	len = make_udp(false, 14, 3000);
	h = uso_hdr(true, 14, 1452);
	assert_int_equal(tun_gso_start(&g, &h, pkt, len, 14), -EINVAL);
	h = uso_hdr(false, 14, 1472);
	assert_int_equal(tun_gso_start(&g, &h, pkt, len, 14), 0);
	assert_true(!g.v6 && g.udp);
	/* A datagram that does not fit the frame is not made. */
	assert_int_equal(tun_gso_next(&g, seg, 1000), 0);
	assert_int_equal(g.seg, 0);
}

/* IPv6 destination options before UDP: walked over, and counted in the payload length. */
static void test_udp6_options(void **state)
{
	struct virtio_net_hdr h = uso_hdr(true, 0, 1000);
	uint32_t len = make_udp(true, 0, 2500), n, k = 0;
	struct tun_gso g;

	(void)state;
	/* 8 bytes of destination options (PadN) between the IPv6 and the UDP header. */
	memmove(pkt + 48, pkt + 40, len - 40);
	memcpy(pkt + 40, "\x11\x00\x01\x04\x00\x00\x00\x00", 8);
	pkt[6] = 60;
	len += 8;
	h.csum_start = 48;
	assert_int_equal(tun_gso_start(&g, &h, pkt, len, 0), 0);
	assert_int_equal(g.hdr_len, 56);
	assert_int_equal(tun_gso_count(&g), 3);
	while ((n = tun_gso_next(&g, seg, sizeof(seg)))) {
		uint32_t l4 = n - 48, sum;
		uint8_t ph[40] = { 0 };

		assert_int_equal(seg[4] << 8 | seg[5], n - 40);
		assert_int_equal(seg[48 + 4] << 8 | seg[48 + 5], l4);
		memcpy(ph, seg + 8, 32);
		ph[34] = (uint8_t)(l4 >> 8);
		ph[35] = (uint8_t)l4;
		ph[39] = 17;
		sum = tun_csum_add(0, ph, 40);
		assert_int_equal(tun_csum_fold(tun_csum_add(sum, seg + 48, l4)), 0);
		assert_memory_equal(seg + 56, pkt + 56 + 1000 * k, n - 56);
		k++;
	}
	assert_int_equal(k, 3);
	h.csum_start = 40;							/* at the options, not UDP */
	assert_int_equal(tun_gso_start(&g, &h, pkt, len, 0), -EINVAL);
	h.csum_start = 48;
	assert_int_equal(tun_gso_start(&g, &h, pkt, 47, 0), -EINVAL);		/* cut in the options */
	/* A routing header instead: the pseudo-header would need its final destination. */
	pkt[6] = 43;
	assert_int_equal(tun_gso_start(&g, &h, pkt, len, 0), -EINVAL);
	pkt[6] = 0;								/* hop-by-hop: fine */
	assert_int_equal(tun_gso_start(&g, &h, pkt, len, 0), 0);
}

/* ---- the checksum: words at a time, against the definition ---- */

/* RFC 1071 as written: big-endian 16-bit words, byte by byte. */
static uint32_t csum_ref(uint32_t sum, const uint8_t *p, uint32_t len)
{
	uint64_t s = sum;
	uint32_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	while (s >> 32)
		s = (s & 0xffffffff) + (s >> 32);
	return (uint32_t)s;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static void test_csum_words(void **state)
{
	static const uint32_t sums[] = { 0, 1, 0xffff, 0x10000, 0xfffe0001, 0xffffffff };
	static uint8_t buf[70000 + 8];
	uint32_t len, a, i, k;

	(void)state;
	for (len = 0; len <= 300; len++) {
		for (a = 0; a < 8; a++) {			/* every alignment, odd ones too */
			uint8_t *p = buf + a;

			for (k = 0; k < 8; k++) {
				/* Random bytes; also all 0 (the sum stays 0) and all 0xff (only -0). */
				for (i = 0; i < len; i++)
					p[i] = k == 6 ? 0 : k == 7 ? 0xff : (uint8_t)rnd();
				for (i = 0; i < sizeof(sums) / sizeof(sums[0]) + 2; i++) {
					uint32_t s = i < sizeof(sums) / sizeof(sums[0]) ? sums[i] : rnd();

					assert_int_equal(tun_csum_fold(tun_csum_add(s, p, len)),
							 tun_csum_fold(csum_ref(s, p, len)));
				}
			}
		}
	}
	/* Long ones: a carry out of every word, and a whole 64 KiB packet. */
	for (len = 65535; len <= 65536 + 1000; len += 1001) {
		memset(buf, 0xff, len + 1);
		assert_int_equal(tun_csum_fold(tun_csum_add(0xffffffff, buf + 1, len)),
				 tun_csum_fold(csum_ref(0xffffffff, buf + 1, len)));
		for (i = 0; i < len + 1; i++)
			buf[i] = (uint8_t)rnd();
		assert_int_equal(tun_csum_fold(tun_csum_add(12345, buf + 1, len)),
				 tun_csum_fold(csum_ref(12345, buf + 1, len)));
	}
	/* Chained, as callers do (pseudo-header, then the segment). */
	for (i = 0; i < 64; i++)
		buf[i] = (uint8_t)rnd();
	assert_int_equal(tun_csum_fold(tun_csum_add(tun_csum_add(0, buf, 12), buf + 12, 51)),
			 tun_csum_fold(csum_ref(csum_ref(0, buf, 12), buf + 12, 51)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp4_tun), cmocka_unit_test(test_tcp6_tun), cmocka_unit_test(test_tcp4_tap),
		cmocka_unit_test(test_tcp6_tap), cmocka_unit_test(test_refused),  cmocka_unit_test(test_tcp_headers_disagree),
		cmocka_unit_test(test_csum_finish),
		cmocka_unit_test(test_udp4_tun), cmocka_unit_test(test_udp6_tun), cmocka_unit_test(test_udp4_tap),
		cmocka_unit_test(test_udp6_tap), cmocka_unit_test(test_udp_exact), cmocka_unit_test(test_udp_one),
		cmocka_unit_test(test_udp_zero_csum), cmocka_unit_test(test_udp_refused),
		cmocka_unit_test(test_udp6_options), cmocka_unit_test(test_csum_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
