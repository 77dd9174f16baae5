// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * xdpgen's wire format (tools/xdpgen/frame.c): the bytes of a frame, its IPv4 header checksum
 * and UDP checksum (IPv4 and IPv6) against vectors computed independently (python3, RFC 1071,
 * from the layout in frame.h, not from this code), the same checksums recomputed over the built
 * frame, the payload layout, and the receiver's verdict on intact and damaged frames.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "frame.h"

static struct xg_tmpl *t;
static uint8_t f[XG_MAX_FRAME];

static int setup(void **state)
{
	(void)state;
	t = malloc(sizeof(*t));
	return t ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(t);
	return 0;
}

static void addrs(struct xg_addrs *a, int family)
{
	static const uint8_t smac[6] = { 2, 0, 0, 0, 0, 1 }, dmac[6] = { 2, 0, 0, 0, 0, 2 };

	memset(a, 0, sizeof(*a));
	a->family = family;
	memcpy(a->src_mac, smac, 6);
	memcpy(a->dst_mac, dmac, 6);
	if (family == AF_INET) {
		inet_pton(AF_INET, "198.18.0.1", a->src_ip);
		inet_pton(AF_INET, "198.18.0.2", a->dst_ip);
	} else {
		inet_pton(AF_INET6, "2001:2::1", a->src_ip);
		inet_pton(AF_INET6, "2001:2::2", a->dst_ip);
	}
	a->sport = 40000;
	a->dport = 9;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void build(int family, uint32_t len, uint32_t seq, uint64_t ts)
{
	struct xg_addrs a;

	addrs(&a, family);
	assert_int_equal(xg_tmpl_build(t, &a, len), 0);
	memset(f, 0xee, sizeof(f));
	xg_frame_build(f, t, a.sport, seq, ts);
}

/* The UDP checksum recomputed from scratch over the frame: the folded sum must be 0xffff. */
static uint16_t udp_sum(const uint8_t *fr, int family)
{
	bool v6 = family == AF_INET6;
	const uint8_t *ip = fr + 14, *udp = fr + (v6 ? 54 : 34);
	uint32_t ulen = get16(udp + 4), sum;
	uint8_t pl[4] = { 0, IPPROTO_UDP, (uint8_t)(ulen >> 8), (uint8_t)ulen };

	sum = xg_csum_add(0, v6 ? ip + 8 : ip + 12, v6 ? 32 : 8);
	sum = xg_csum_add(sum, pl, 4);
	sum = xg_csum_add(sum, udp, ulen);
	return xg_csum_fold(sum);
}

/* RFC 1071, section 3: the sum of 00 01 f2 03 f4 f5 f6 f7 is ddf2. */
static void test_csum_rfc1071(void **state)
{
	static const uint8_t d[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };

	(void)state;
	assert_int_equal(xg_csum_fold(xg_csum_add(0, d, sizeof(d))), 0xddf2);
	/* An odd length pads with a zero byte; a sum can continue over pieces. */
	assert_int_equal(xg_csum_fold(xg_csum_add(xg_csum_add(0, d, 4), d + 4, 4)), 0xddf2);
	assert_int_equal(xg_csum_fold(xg_csum_add(0, d, 3)), 0x0001 + 0xf200);
}

/* The whole 64-byte IPv4 frame, byte for byte (python3 built it from the layout of frame.h). */
static void test_ipv4_64_bytes(void **state)
{
	static const char hex[] = "020000000002020000000001080045000032000040004011ae93c6120001c61200029c400009001e9ef6"
				  "5847454e000000010102030405060708cad1d8dfe6ed";
	uint8_t want[64];

	(void)state;
	for (int i = 0; i < 64; i++) {
		unsigned int b;

		sscanf(hex + 2 * i, "%2x", &b);
		want[i] = (uint8_t)b;
	}
	build(AF_INET, 64, 1, 0x0102030405060708ull);
	assert_memory_equal(f, want, 64);
	assert_int_equal(f[64], 0xee);		/* nothing written past the frame */
}

static const struct vec {
	int family;
	uint32_t len, seq;
	uint64_t ts;
	int ip_csum;		/* -1: IPv6 has none */
	uint16_t udp_csum;
} vecs[] = {
	/* computed by python3 (struct + an RFC 1071 sum) from the layout in frame.h */
	{ AF_INET, 64, 1, 0x0102030405060708ull, 0xae93, 0x9ef6 },
	{ AF_INET, 1514, 0xdeadbeef, 0x0011223344556677ull, 0xa8e9, 0x0f0f },
	{ AF_INET, 60, 0, 0, 0xae97, 0x6ee1 },
	{ AF_INET6, 78, 7, 123456789, -1, 0xb15e },
	{ AF_INET6, 1514, 0xffffffff, UINT64_MAX, -1, 0xcb4f },
	/* this sequence number makes the sum come out 0, which UDP sends as ffff */
	{ AF_INET, 64, 0xaf0b, 0, 0xae93, 0xffff },
};

static void test_checksum_vectors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
		const struct vec *v = &vecs[i];
		bool v6 = v->family == AF_INET6;
		const uint8_t *udp = f + (v6 ? 54 : 34);

		build(v->family, v->len, v->seq, v->ts);
		if (!v6) {
			assert_int_equal(get16(f + 24), v->ip_csum);
			assert_int_equal(xg_csum_fold(xg_csum_add(0, f + 14, 20)), 0xffff);
		}
		assert_int_equal(get16(udp + 6), v->udp_csum);
		assert_int_equal(udp_sum(f, v->family), 0xffff);
	}
}

/* Stamping the same template again (another seq and time) keeps the checksum right: the incremental path. */
static void test_restamp(void **state)
{
	(void)state;
	for (int family = AF_INET; family <= AF_INET6; family += AF_INET6 - AF_INET) {
		build(family, 200, 0, 0);
		for (uint32_t seq = 0; seq < 70000; seq += 997) {
			uint64_t ts = 0x9e3779b97f4a7c15ull * (seq + 1);

			xg_frame_stamp(f, t, (uint16_t)(40000 + seq % 7), seq, ts);
			assert_int_equal(udp_sum(f, family), 0xffff);
			assert_int_not_equal(get16(f + (family == AF_INET6 ? 54 : 34) + 6), 0);
		}
	}
}

static void test_payload_layout(void **state)
{
	(void)state;
	build(AF_INET6, 300, 0x01020304, 0x1112131415161718ull);
	/* Ethernet: destination, source, type */
	assert_int_equal(f[0], 2);
	assert_int_equal(f[5], 2);
	assert_int_equal(f[11], 1);
	assert_int_equal(get16(f + 12), 0x86dd);
	/* IPv6: version, payload length = UDP length, next header, hop limit */
	assert_int_equal(f[14] >> 4, 6);
	assert_int_equal(get16(f + 18), 300 - 54);
	assert_int_equal(f[20], IPPROTO_UDP);
	assert_int_equal(f[21], 64);
	/* UDP: ports, length */
	assert_int_equal(get16(f + 54), 40000);
	assert_int_equal(get16(f + 56), 9);
	assert_int_equal(get16(f + 58), 300 - 54);
	/* payload: magic, sequence number, send time, then byte k = xg_pattern(k) */
	assert_memory_equal(f + 62, "XGEN", 4);
	assert_memory_equal(f + 66, "\x01\x02\x03\x04", 4);
	assert_memory_equal(f + 70, "\x11\x12\x13\x14\x15\x16\x17\x18", 8);
	for (uint32_t k = 16; k < 300 - 62; k++)
		assert_int_equal(f[62 + k], (uint8_t)(k * 7 + 0x5a));
	/* IPv4: total length, DF, TTL, protocol; payload at 42 */
	build(AF_INET, 100, 5, 6);
	assert_int_equal(get16(f + 16), 100 - 14);
	assert_int_equal(get16(f + 20), 0x4000);
	assert_int_equal(f[22], 64);
	assert_int_equal(f[23], IPPROTO_UDP);
	assert_memory_equal(f + 42, "XGEN", 4);
	assert_int_equal(f[42 + 16], (uint8_t)(16 * 7 + 0x5a));
}

static void test_template_limits(void **state)
{
	struct xg_addrs a;

	(void)state;
	addrs(&a, AF_INET);
	assert_int_equal(xg_frame_min(AF_INET), 60);
	assert_int_equal(xg_frame_min(AF_INET6), 78);
	assert_int_equal(xg_tmpl_build(t, &a, 59), -EINVAL);
	assert_int_equal(xg_tmpl_build(t, &a, 60), 0);
	assert_int_equal(xg_tmpl_build(t, &a, XG_MAX_FRAME), 0);
	assert_int_equal(xg_tmpl_build(t, &a, XG_MAX_FRAME + 1), -EINVAL);
	addrs(&a, AF_INET6);
	assert_int_equal(xg_tmpl_build(t, &a, 77), -EINVAL);
	assert_int_equal(xg_tmpl_build(t, &a, 78), 0);
	a.family = AF_UNIX;
	assert_int_equal(xg_tmpl_build(t, &a, 100), -EINVAL);
}

/* ---- the receiver's verdict ------------------------------------------------------------ */

static void test_check_intact(void **state)
{
	struct xg_rxinfo ri;

	(void)state;
	build(AF_INET, 1514, 42, 777);
	assert_int_equal(xg_frame_check(f, 1514, &ri), XG_OURS);
	assert_int_equal(ri.family, AF_INET);
	assert_int_equal(ri.seq, 42);
	assert_int_equal(ri.ts, 777);
	assert_int_equal(ri.sport, 40000);
	assert_int_equal(ri.dport, 9);
	/* a NIC may pad a frame: bytes after the IP length are not the frame's */
	build(AF_INET, 60, 1, 2);
	assert_int_equal(xg_frame_check(f, 64, &ri), XG_OURS);
	build(AF_INET6, 78, 3, 4);
	assert_int_equal(xg_frame_check(f, 78, &ri), XG_OURS);
	assert_int_equal(ri.family, AF_INET6);
	assert_int_equal(ri.seq, 3);
}

static const struct damage {
	int family;
	uint32_t off;		/* byte to change */
	uint8_t xor;
	enum xg_verdict want;
	const char *why;	/* start of the reason, for XG_CORRUPT */
} damages[] = {
	{ AF_INET, 12, 0x01, XG_OTHER, NULL },			/* EtherType: not IP */
	{ AF_INET, 23, 0x01, XG_OTHER, NULL },			/* protocol: not UDP */
	{ AF_INET, 42, 0x01, XG_OTHER, NULL },			/* the magic: someone else's */
	{ AF_INET, 20, 0x20, XG_OTHER, NULL },			/* more-fragments bit: a fragment */
	{ AF_INET, 30, 0x01, XG_CORRUPT, "bad IPv4 header checksum" },	/* destination address */
	{ AF_INET, 17, 0x01, XG_CORRUPT, "IP length" },		/* total length */
	{ AF_INET, 39, 0x01, XG_CORRUPT, "UDP length" },		/* UDP length */
	{ AF_INET, 46, 0x80, XG_CORRUPT, "bad UDP checksum" },	/* sequence number */
	{ AF_INET, 53, 0x01, XG_CORRUPT, "bad UDP checksum" },	/* send time */
	{ AF_INET, 100, 0x04, XG_CORRUPT, "bad UDP checksum" },	/* payload */
	{ AF_INET6, 20, 0x01, XG_OTHER, NULL },			/* next header */
	{ AF_INET6, 30, 0x01, XG_CORRUPT, "bad UDP checksum" },	/* source address */
	{ AF_INET6, 19, 0x01, XG_CORRUPT, "IP length" },		/* payload length */
	{ AF_INET6, 150, 0x10, XG_CORRUPT, "bad UDP checksum" },	/* payload */
};

static void test_check_damage(void **state)
{
	struct xg_rxinfo ri;

	(void)state;
	for (size_t i = 0; i < sizeof(damages) / sizeof(damages[0]); i++) {
		const struct damage *d = &damages[i];
		enum xg_verdict v;

		build(d->family, 200, 9, 10);
		f[d->off] ^= d->xor;
		v = xg_frame_check(f, 200, &ri);
		if (v != d->want)
			fail_msg("damage %zu (byte %u): verdict %d, want %d", i, d->off, v, d->want);
		if (d->why && strncmp(ri.why, d->why, strlen(d->why)))
			fail_msg("damage %zu (byte %u): why '%s', want '%s'", i, d->off, ri.why, d->why);
	}
}

/* A payload byte changed together with a matching checksum change: only the pattern check sees it. */
static void test_check_pattern(void **state)
{
	struct xg_rxinfo ri;
	uint32_t sum;
	uint16_t c;

	(void)state;
	build(AF_INET, 200, 9, 10);
	f[120] ^= 0xff;		/* even offset from the UDP header: the high byte of a word */
	c = (uint16_t)(f[40] << 8 | f[41]);
	sum = (uint16_t)~c;
	/* Remove the old byte's contribution, add the new one's (RFC 1624). */
	sum += (uint16_t)~(uint16_t)((f[120] ^ 0xff) << 8) + (uint16_t)(f[120] << 8);
	c = (uint16_t)~xg_csum_fold(sum);
	f[40] = (uint8_t)(c >> 8);
	f[41] = (uint8_t)c;
	assert_int_equal(udp_sum(f, AF_INET), 0xffff);
	assert_int_equal(xg_frame_check(f, 200, &ri), XG_CORRUPT);
	assert_string_equal(ri.why, "payload differs from the pattern");
	/* a zero UDP checksum (none): xdpgen always sends one */
	build(AF_INET, 200, 9, 10);
	f[40] = f[41] = 0;
	assert_int_equal(xg_frame_check(f, 200, &ri), XG_CORRUPT);
	/* too short to be ours */
	build(AF_INET, 60, 1, 1);
	assert_int_equal(xg_frame_check(f, 40, &ri), XG_OTHER);
}

static void test_reflect(void **state)
{
	uint8_t orig[XG_MAX_FRAME];
	struct xg_rxinfo ri;

	(void)state;
	for (int family = AF_INET; family <= AF_INET6; family += AF_INET6 - AF_INET) {
		size_t alen = family == AF_INET6 ? 16 : 4, ipoff = family == AF_INET6 ? 22 : 26;

		build(family, 128, 5, 6);
		memcpy(orig, f, 128);
		assert_true(xg_frame_reflect(f, 128));
		assert_memory_equal(f, orig + 6, 6);
		assert_memory_equal(f + 6, orig, 6);
		assert_memory_equal(f + ipoff, orig + ipoff + alen, alen);
		assert_int_equal(xg_frame_check(f, 128, &ri), XG_OURS);	/* checksums still right */
		assert_int_equal(ri.sport, 9);
		assert_int_equal(ri.dport, 40000);
		assert_true(xg_frame_reflect(f, 128));
		assert_memory_equal(f, orig, 128);		/* twice is the identity */
	}
	f[12] = 0x08;
	f[13] = 0x06;	/* ARP */
	assert_false(xg_frame_reflect(f, 128));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csum_rfc1071),
		cmocka_unit_test(test_ipv4_64_bytes),
		cmocka_unit_test(test_checksum_vectors),
		cmocka_unit_test(test_restamp),
		cmocka_unit_test(test_payload_layout),
		cmocka_unit_test(test_template_limits),
		cmocka_unit_test(test_check_intact),
		cmocka_unit_test(test_check_damage),
		cmocka_unit_test(test_check_pattern),
		cmocka_unit_test(test_reflect),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
