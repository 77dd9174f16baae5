// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * What xdpbridge does in software for a TUN/TAP with offloads on (tun_gso.c): every segment of a
 * TCP super-packet is a packet a receiver accepts (IP and TCP checksums verify, lengths, sequence
 * numbers, flags), the segments carry the payload once, in order, and none is longer than the
 * MSS; a partial checksum is finished so that it verifies.  IPv4 and IPv6, over a TUN (IP at 0)
 * and a TAP (IP after the Ethernet header).
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp4_tun), cmocka_unit_test(test_tcp6_tun), cmocka_unit_test(test_tcp4_tap),
		cmocka_unit_test(test_tcp6_tap), cmocka_unit_test(test_refused),  cmocka_unit_test(test_csum_finish),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
