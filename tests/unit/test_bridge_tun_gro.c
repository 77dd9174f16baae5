// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * Coalescing towards a TUN/TAP (tun_gro.c): whatever goes in comes out exactly once, and a
 * super-packet, cut again the way the kernel does (tun_gso.c makes what tcp_gso_segment and
 * __udp_gso_segment make), gives back the very packets it was made of, byte for byte, in order.
 *
 * Every test adds a batch, flushes, and hands every write to verify(): a plain packet must be
 * one of the packets added, unchanged (padding included), with an empty virtio-net header; a
 * super-packet must carry the virtio-net header the kernel wants (NEEDS_CSUM, the pseudo-header
 * sum in the checksum field) and cut into packets that were added, trimmed to their IP length.
 * Each packet added is matched exactly once, the order within a flow is kept, the counters
 * agree.  What was written is then summed up as a layout -- "S0-3 P4": a super-packet of
 * packets 0 to 3, then packet 4 alone; "!S0-3": one the device lost (EAGAIN); "?S0-3": one it
 * refused (EINVAL) -- and compared with what tun_gro.h promises.  IPv4 and IPv6, TCP and UDP,
 * TUN (IP at 0) and TAP (IP after the Ethernet header); addresses from 198.18.0.0/15 and
 * 2001:2::/48.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <linux/virtio_net.h>

#include "tun.h"
#include "tun_gro.h"
#include "tun_gro_oracle.h"

static int setup(void **state)
{
	(void)state;
	strict_key = true;
	return 0;
}

static int add(struct tun_gro *g, const struct spec *s)
{
	uint32_t len;
	uint8_t *p = build(s, &len);

	return add_raw(g, p, len);
}

/* @n packets of @s's flow, one after the other; @s is then at the next. */
static void addn(struct tun_gro *g, struct spec *s, unsigned int n)
{
	while (n--) {
		assert_int_equal(add(g, s), 0);
		next(s);
	}
}

/* verify(), then the layout is one of @want's ("a|b"). */
static void expect(const struct tun_gro *g, const char *want)
{
	static struct verdict v;
	const char *p = want, *bar;

	verify(g, &v);
	for (;;) {
		bar = strchr(p, '|');
		if (bar ? strlen(v.layout) == (size_t)(bar - p) && !strncmp(v.layout, p, (size_t)(bar - p)) :
			  !strcmp(v.layout, p))
			return;
		if (!bar)
			break;
		p = bar + 1;
	}
	fail_msg("written: \"%s\", wanted \"%s\"", v.layout, want);
}

static void flush_expect(struct tun_gro *g, const char *want)
{
	assert_int_equal(tun_gro_flush(g), 0);
	expect(g, want);
}

/* ---- one flow, the way it should go ---- */

static void one_flow(bool v6, bool udp, uint32_t l3)
{
	struct tun_gro g;
	struct spec s = any_spec(v6, udp, l3);
	uint32_t l4 = l3 + (v6 ? 40 : 20), hdr = l4 + (udp ? 8 : 32);
	const struct call *c;

	reset(&g, l3);
	addn(&g, &s, 10);
	assert_int_equal(cap.n, 0);			/* held until the flush */
	flush_expect(&g, "S0-9");
	c = &cap.call[0];
	assert_int_equal(c->vh.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_int_equal(c->vh.gso_type, udp ? VIRTIO_NET_HDR_GSO_UDP_L4 :
					 v6  ? VIRTIO_NET_HDR_GSO_TCPV6 :
					       VIRTIO_NET_HDR_GSO_TCPV4);
	assert_int_equal(c->vh.gso_size, 1000);
	assert_int_equal(c->vh.hdr_len, hdr);
	assert_int_equal(c->vh.csum_start, l4);
	assert_int_equal(c->vh.csum_offset, udp ? 6 : 16);
	assert_int_equal(c->segs, 10);
	assert_int_equal(c->len, hdr + 10 * 1000);
	assert_int_equal(g.st.super, 1);
	assert_int_equal(g.st.merged, 10);
	assert_int_equal(g.st.refused, 0);
	assert_int_equal(tun_gro_flush(&g), 0);	/* nothing held any more */
	assert_int_equal(cap.n, 1);

	/* Two make a super-packet; one alone is written as it came. */
	reset(&g, l3);
	addn(&g, &s, 2);
	flush_expect(&g, "S0-1");
	reset(&g, l3);
	addn(&g, &s, 1);
	flush_expect(&g, "P0");
}

/* One flow of each kind over each device: IPv6?, UDP?, where the IP header starts. */
struct kind {
	bool v6, udp;
	uint32_t l3;
};

static const struct kind kinds[] = {
	{ false, false, TUN }, { true, false, TUN }, { false, true, TUN }, { true, true, TUN },
	{ false, false, TAP }, { true, false, TAP }, { false, true, TAP }, { true, true, TAP },
};

static void test_one_flow(void **state)
{
	const struct kind *k = *state;

	one_flow(k->v6, k->udp, k->l3);
}

/* ---- lengths ---- */

static void test_short_last(void **state)
{
	struct tun_gro g;
	unsigned int m;

	(void)state;
	for (m = 0; m < 8; m++) {
		struct spec s = any_spec(m & 1, m & 2, m & 4 ? TAP : TUN);

		/* The shorter one joins and ends the flow: the next full one starts another. */
		reset(&g, s.l3);
		addn(&g, &s, 5);
		s.payload = 300;
		addn(&g, &s, 1);
		s.payload = 1000;
		addn(&g, &s, 2);
		flush_expect(&g, "S0-5 S6-7|S0-5 P6 P7");

		/* A longer one than the first is never joined (the first's payload is the MSS). */
		reset(&g, s.l3);
		s.payload = 500;
		addn(&g, &s, 1);
		s.payload = 1000;
		addn(&g, &s, 2);
		flush_expect(&g, "P0 S1-2");

		/* A one-byte last segment. */
		reset(&g, s.l3);
		addn(&g, &s, 3);
		s.payload = 1;
		addn(&g, &s, 1);
		flush_expect(&g, "S0-3");
		assert_int_equal(cap.call[0].vh.gso_size, 1000);
	}
}

/* ---- TCP ---- */

static void test_tcp_psh(void **state)
{
	struct tun_gro g;
	unsigned int m;

	(void)state;
	for (m = 0; m < 4; m++) {
		struct spec s = tcp_spec(m & 1, m & 2 ? TAP : TUN);

		/* PSH joins and ends the flow; the super-packet says PSH (the kernel puts it on the last). */
		reset(&g, s.l3);
		addn(&g, &s, 3);
		s.flags = TCP_ACK | TCP_PSH;
		addn(&g, &s, 1);
		s.flags = TCP_ACK;
		addn(&g, &s, 2);
		flush_expect(&g, "S0-3 S4-5");
		assert_int_equal(capbuf[cap.call[0].off + cap.call[0].vh.csum_start + 13], TCP_ACK | TCP_PSH);
		assert_int_equal(capbuf[cap.call[1].off + cap.call[1].vh.csum_start + 13], TCP_ACK);

		/* On a shorter last one. */
		reset(&g, s.l3);
		addn(&g, &s, 2);
		s.flags = TCP_ACK | TCP_PSH;
		s.payload = 77;
		addn(&g, &s, 1);
		flush_expect(&g, "S0-2");

		/* On the first: nothing can follow it. */
		reset(&g, s.l3);
		s.payload = 1000;
		addn(&g, &s, 1);
		s.flags = TCP_ACK;
		addn(&g, &s, 2);
		flush_expect(&g, "P0 S1-2");
	}
}

/* SYN, FIN, RST, URG, CWR: never joined, written alone after their flow. */
static void test_tcp_flags(void **state)
{
	static const uint8_t flag[] = { TCP_FIN, TCP_SYN, TCP_RST, TCP_URG, TCP_CWR, TCP_FIN | TCP_PSH };
	struct tun_gro g;
	unsigned int f, m;

	(void)state;
	for (m = 0; m < 4; m++) {
		for (f = 0; f < sizeof(flag); f++) {
			struct spec s = tcp_spec(m & 1, m & 2 ? TAP : TUN);

			reset(&g, s.l3);
			addn(&g, &s, 3);
			s.flags = TCP_ACK | flag[f];
			s.urg = flag[f] == TCP_URG ? 10 : 0;
			addn(&g, &s, 1);
			s.flags = TCP_ACK;
			s.urg = 0;
			addn(&g, &s, 2);
			flush_expect(&g, "S0-2 P3 S4-5");
			/* And alone, held by nothing: written at once. */
			reset(&g, s.l3);
			s.flags = TCP_ACK | flag[f];
			addn(&g, &s, 1);
			assert_int_equal(cap.n, 1);
			flush_expect(&g, "P0");
		}
	}
}

/* What the kernel would not cut the same way: the flow goes first, the packet starts another. */
static void test_tcp_mismatch(void **state)
{
	struct tun_gro g;
	unsigned int k, m;

	(void)state;
	for (m = 0; m < 4; m++) {
		for (k = 0; k < 9; k++) {
			struct spec s = tcp_spec(m & 1, m & 2 ? TAP : TUN);
			const char *want = "S0-2 S3-5|S0-2 P3 S4-5";

			reset(&g, s.l3);
			addn(&g, &s, 3);
			switch (k) {
			case 0:
				s.seq += 1000;			/* a hole */
				break;
			case 1:
				s.seq -= 1000;			/* a retransmission */
				break;
			case 2:
				s.ack += 1448;
				break;
			case 3:
				s.win++;
				break;
			case 4:
				s.tsval++;			/* the options differ */
				break;
			case 5:
				s.opt = 0;			/* the header length differs */
				break;
			case 6:
				s.flags |= TCP_ECE;		/* flags but PSH must be the first's */
				break;
			case 7:
				s.urg = 1;			/* the urgent pointer, without URG */
				break;
			case 8:
				s.payload = 0;			/* a pure ACK: alone */
				want = "S0-2 P3 S4-5";
				break;
			}
			addn(&g, &s, 1);
			s.payload = 1000;
			addn(&g, &s, 2);
			flush_expect(&g, want);
		}
	}
}

/* ACK | ECE segments coalesce like ACK ones. */
static void test_tcp_ece(void **state)
{
	struct tun_gro g;
	struct spec s = tcp_spec(false, TUN);

	(void)state;
	reset(&g, TUN);
	s.flags = TCP_ACK | TCP_ECE;
	addn(&g, &s, 4);
	flush_expect(&g, "S0-3");
	assert_int_equal(capbuf[cap.call[0].off + 20 + 13], TCP_ACK | TCP_ECE);
}

/* ---- IP ---- */

/* Runs of what is never coalesced, however well they follow each other. */
static void test_ip4_never(void **state)
{
	struct tun_gro g;
	unsigned int k, m;

	(void)state;
	for (m = 0; m < 4; m++) {
		for (k = 0; k < 3; k++) {
			struct spec s = any_spec(false, m & 1, m & 2 ? TAP : TUN);

			reset(&g, s.l3);
			if (k == 0)
				s.mf = true;		/* first fragments */
			else if (k == 1)
				s.ipopt = 8;
			else
				s.bad_ipcsum = true;
			addn(&g, &s, 3);
			flush_expect(&g, "P0 P1 P2");
		}
	}
}

static void test_ip4_mismatch(void **state)
{
	struct tun_gro g;
	unsigned int k, m;

	(void)state;
	for (m = 0; m < 4; m++) {
		for (k = 0; k < 9; k++) {
			struct spec s = any_spec(false, m & 1, m & 2 ? TAP : TUN);
			const char *want = "S0-2 S3-5|S0-2 P3 S4-5";

			reset(&g, s.l3);
			addn(&g, &s, 3);
			switch (k) {
			case 0:
				s.id += 5;			/* the kernel gives id + 1 */
				break;
			case 1:
				s.ttl--;
				break;
			case 2:
				s.tos = 0x03;			/* CE */
				break;
			case 3:
				s.df = false;
				break;
			case 4:
				s.ipopt = 4;			/* options: alone */
				want = "S0-2 P3 S4-5";
				break;
			case 5:
				s.mf = true;			/* a first fragment: alone */
				want = "S0-2 P3 S4-5";
				break;
			case 6:
				s.frag = 185;			/* a later one: no ports, of no flow */
				want = "S0-2 P3 S4-5|P3 S0-2 S4-5";
				break;
			case 7:
				s.bad_ipcsum = true;
				want = "S0-2 P3 S4-5";
				break;
			case 8:
				s.id = (uint16_t)(s.id - 1);	/* the same id again */
				break;
			}
			addn(&g, &s, 1);
			s.ipopt = 0;
			s.mf = s.bad_ipcsum = false;
			s.frag = 0;
			addn(&g, &s, 2);
			flush_expect(&g, want);
		}
	}
}

static void test_ip6_mismatch(void **state)
{
	struct tun_gro g;
	unsigned int k, m;

	(void)state;
	for (m = 0; m < 4; m++) {
		for (k = 0; k < 3; k++) {
			struct spec s = any_spec(true, m & 1, m & 2 ? TAP : TUN);

			reset(&g, s.l3);
			addn(&g, &s, 3);
			if (k == 0)
				s.tos = 0x20;
			else if (k == 1)
				s.label = 0x12345;
			else
				s.ttl = 63;
			addn(&g, &s, 3);
			flush_expect(&g, "S0-2 S3-5|S0-2 P3 S4-5");
		}
	}
}

/*
 * An extension header: never coalesced, written unchanged -- after the flow it belongs to
 * (same addresses and ports, past the extension header).
 */
static void test_ip6_exthdr(void **state)
{
	struct tun_gro g;
	unsigned int m;

	(void)state;
	for (m = 0; m < 4; m++) {
		struct spec s = any_spec(true, m & 1, m & 2 ? TAP : TUN);

		/* Alone, nothing held: written as it came. */
		reset(&g, s.l3);
		s.hbh = true;
		addn(&g, &s, 2);
		flush_expect(&g, "P0 P1");

		reset(&g, s.l3);
		s.hbh = false;
		addn(&g, &s, 3);
		s.hbh = true;
		addn(&g, &s, 1);
		s.hbh = false;
		addn(&g, &s, 2);
		flush_expect(&g, "S0-2 P3 S4-5");
	}
}

/* ---- checksums ---- */

static void test_udp_no_csum(void **state)
{
	struct tun_gro g;
	unsigned int m;

	(void)state;
	for (m = 0; m < 4; m++) {
		struct spec s = udp_spec(m & 1, m & 2 ? TAP : TUN);

		/* IPv4's "no checksum" (and IPv6's forbidden 0): the kernel would make one. */
		reset(&g, s.l3);
		addn(&g, &s, 3);
		s.no_csum = true;
		addn(&g, &s, 1);
		s.no_csum = false;
		addn(&g, &s, 2);
		flush_expect(&g, "S0-2 P3 S4-5");
		reset(&g, s.l3);
		s.no_csum = true;
		addn(&g, &s, 3);
		flush_expect(&g, "P0 P1 P2");
	}
}

/* A UDP length shorter than IP's (bytes after the datagram inside the IP packet): alone. */
static void test_udp_length(void **state)
{
	struct tun_gro g;
	unsigned int m;

	(void)state;
	for (m = 0; m < 4; m++) {
		struct spec s = udp_spec(m & 1, m & 2 ? TAP : TUN);

		reset(&g, s.l3);
		addn(&g, &s, 3);
		s.udp_short = 4;
		addn(&g, &s, 1);
		s.udp_short = 0;
		addn(&g, &s, 2);
		flush_expect(&g, "S0-2 P3 S4-5");
		reset(&g, s.l3);
		s.udp_short = 4;
		addn(&g, &s, 3);
		flush_expect(&g, "P0 P1 P2");
	}
}

/*
 * IPv4's "no checksum" on a datagram whose checksum would compute to 0: the field's 0 then
 * sums as if valid, but the kernel would put 0xffff in the segment.
 */
static void test_udp_no_csum_zero_sum(void **state)
{
	struct tun_gro g;
	unsigned int m;

	(void)state;
	for (m = 0; m < 2; m++) {
		struct spec s = udp_spec(false, m ? TAP : TUN);
		uint32_t l4 = s.l3 + 20, len, w, i;
		uint8_t *p;
		uint16_t c;

		reset(&g, s.l3);
		addn(&g, &s, 2);
		for (i = 0; i < 3; i++) {
			p = build(&s, &len);
			c = get16(p + l4 + 6);
			w = get16(p + l4 + 8) + (uint32_t)c;
			put16(p + l4 + 8, (w & 0xffff) + (w >> 16));
			put16(p + l4 + 6, 0);
			assert_int_equal(ref_l4csum(p + s.l3, false, p + l4, len - l4, 17), 0);
			assert_int_equal(add_raw(&g, p, len), 0);
			next(&s);
		}
		flush_expect(&g, "S0-1 P2 P3 P4");
	}
}

static void test_bad_csum(void **state)
{
	struct tun_gro g;
	unsigned int m;

	(void)state;
	for (m = 0; m < 8; m++) {
		struct spec s = any_spec(m & 1, m & 2, m & 4 ? TAP : TUN);

		reset(&g, s.l3);
		addn(&g, &s, 3);
		s.bad_csum = true;
		addn(&g, &s, 1);
		s.bad_csum = false;
		addn(&g, &s, 2);
		flush_expect(&g, "S0-2 P3 S4-5");
		/* The first bad: the flow starts after it. */
		reset(&g, s.l3);
		s.bad_csum = true;
		addn(&g, &s, 1);
		s.bad_csum = false;
		addn(&g, &s, 2);
		flush_expect(&g, "P0 S1-2");
	}
}

/* A UDP checksum that computes to 0 travels as 0xffff: such a datagram coalesces too. */
static void test_udp_csum_ffff(void **state)
{
	struct tun_gro g;
	unsigned int m;

	(void)state;
	for (m = 0; m < 4; m++) {
		struct spec s = udp_spec(m & 1, m & 2 ? TAP : TUN);
		uint32_t l4 = s.l3 + (s.v6 ? 40 : 20), len, w;
		uint8_t *p;
		uint16_t c;

		reset(&g, s.l3);
		/* Add the checksum to the first payload word: the sum becomes 0xffff, the checksum 0. */
		p = build(&s, &len);
		c = get16(p + l4 + 6);
		w = get16(p + l4 + 8) + (uint32_t)c;
		put16(p + l4 + 8, (w & 0xffff) + (w >> 16));
		put16(p + l4 + 6, 0);
		assert_int_equal(ref_l4csum(p + s.l3, s.v6, p + l4, len - l4, 17), 0);
		put16(p + l4 + 6, 0xffff);
		assert_int_equal(add_raw(&g, p, len), 0);
		next(&s);
		addn(&g, &s, 2);
		flush_expect(&g, "S0-2");
	}
}

static void test_csum_ok(void **state)
{
	uint32_t len, m;
	uint8_t *p;

	(void)state;
	for (m = 0; m < 4; m++) {
		struct spec s = any_spec(m & 1, m & 2, TUN);
		uint32_t l4 = m & 1 ? 40 : 20;
		uint8_t proto = m & 2 ? 17 : 6;

		arena_used = 0;
		p = build(&s, &len);
		assert_true(tun_gro_csum_ok(p, s.v6, p + l4, len - l4, proto));
		assert_false(tun_gro_csum_ok(p, s.v6, p + l4, len - l4, proto == 6 ? 17 : 6));
		assert_false(tun_gro_csum_ok(p, s.v6, p + l4, len - l4 - 1, proto));
		p[len - 1] ^= 1;
		assert_false(tun_gro_csum_ok(p, s.v6, p + l4, len - l4, proto));
		p[len - 1] ^= 1;
		p[s.v6 ? 8 : 12] ^= 0x80;	/* the source address is in the pseudo-header */
		assert_false(tun_gro_csum_ok(p, s.v6, p + l4, len - l4, proto));
		/* An odd length. */
		s.payload = 333;
		p = build(&s, &len);
		assert_true(tun_gro_csum_ok(p, s.v6, p + l4, len - l4, proto));
	}
}

/* ---- Ethernet padding ---- */

static void test_padding(void **state)
{
	struct tun_gro g;
	unsigned int m;

	(void)state;
	for (m = 0; m < 8; m++) {
		struct spec s = any_spec(m & 1, m & 2, m & 4 ? TAP : TUN);
		uint32_t hdr = s.l3 + (s.v6 ? 40 : 20) + (s.udp ? 8 : 20);

		/* Tiny segments in minimum frames: the super-packet has no padding in it. */
		s.opt = 0;
		s.payload = 4;
		s.pad = hdr + 4 < 60 ? 60 - hdr - 4 : 6;
		reset(&g, s.l3);
		addn(&g, &s, 3);
		flush_expect(&g, "S0-2");
		assert_int_equal(cap.call[0].len, hdr + 12);
		assert_int_equal(cap.call[0].vh.gso_size, 4);

		/* Alone, a padded packet is written as it came, padding and all. */
		reset(&g, s.l3);
		addn(&g, &s, 1);
		flush_expect(&g, "P0");
		assert_int_equal(cap.call[0].len, hdr + 4 + s.pad);

		/* A padded pure ACK amid its flow. */
		if (!s.udp) {
			reset(&g, s.l3);
			s.pad = 0;
			s.payload = 1000;
			addn(&g, &s, 2);
			s.payload = 0;
			s.pad = hdr < 60 ? 60 - hdr : 6;
			addn(&g, &s, 1);
			s.payload = 1000;
			s.pad = 0;
			addn(&g, &s, 2);
			flush_expect(&g, "S0-1 P2 S3-4");
			assert_int_equal(cap.call[1].len, hdr + (hdr < 60 ? 60 - hdr : 6));
		}

		/* The last one padded, the others not. */
		reset(&g, s.l3);
		s.payload = 100;
		s.pad = 0;
		addn(&g, &s, 2);
		s.payload = 10;
		s.pad = 7;
		addn(&g, &s, 1);
		flush_expect(&g, "S0-2");
		assert_int_equal(cap.call[0].len, hdr + 210);
	}
}

/* ---- limits ---- */

static void test_max_segs(void **state)
{
	struct tun_gro g;
	unsigned int m;

	(void)state;
	for (m = 0; m < 8; m++) {
		struct spec s = any_spec(m & 1, m & 2, m & 4 ? TAP : TUN);

		reset(&g, s.l3);
		s.payload = 100;
		addn(&g, &s, 2 * TUN_GRO_MAX_SEGS + 2);
		flush_expect(&g, "S0-63 S64-127 S128-129");
		assert_int_equal(g.st.super, 3);
		assert_int_equal(g.st.merged, 2 * TUN_GRO_MAX_SEGS + 2);
	}
}

/* At most 65535 bytes of IP (IPv6: of payload, all its length field says). */
static void test_ip_limit(void **state)
{
	struct tun_gro g;
	unsigned int m;

	(void)state;
	for (m = 0; m < 8; m++) {
		struct spec s = any_spec(m & 1, m & 2, m & 4 ? TAP : TUN);
		uint32_t base = (s.v6 ? 0 : 20) + (s.udp ? 8 : 20), room;

		/* Five of 13000 and a last one that fills the field exactly. */
		s.opt = 0;
		s.payload = 13000;
		room = 65535 - base - 5 * 13000;
		reset(&g, s.l3);
		addn(&g, &s, 5);
		s.payload = room;
		addn(&g, &s, 1);
		flush_expect(&g, "S0-5");
		assert_int_equal(cap.call[0].len - s.l3 - (s.v6 ? 40 : 0), 65535);

		/* One byte more: not joined. */
		s.payload = 13000;
		reset(&g, s.l3);
		addn(&g, &s, 5);
		s.payload = room + 1;
		addn(&g, &s, 1);
		flush_expect(&g, "S0-4 P5");

		/* Full-size segments: as many as fit, then another super-packet. */
		s.payload = 1448;
		reset(&g, s.l3);
		addn(&g, &s, 50);
		room = (65535 - base) / 1448;
		{
			char want[64];

			snprintf(want, sizeof(want), "S0-%u S%u-49", room - 1, room);
			flush_expect(&g, want);
		}
	}
}

/* ---- several flows ---- */

static void test_interleaved(void **state)
{
	struct tun_gro g;
	struct spec a, b, c, d;
	unsigned int i, m;

	(void)state;
	for (m = 0; m < 4; m++) {
		uint32_t l3 = m & 2 ? TAP : TUN;

		a = any_spec(m & 1, false, l3);
		b = a;
		b.sport++;
		reset(&g, l3);
		for (i = 0; i < 4; i++) {
			addn(&g, &a, 1);
			addn(&g, &b, 1);
		}
		flush_expect(&g, "S0,2,4,6 S1,3,5,7");

		/* Four kinds at once; one flow's FIN writes only that flow. */
		a = tcp_spec(false, l3);
		b = udp_spec(false, l3);
		c = tcp_spec(true, l3);
		d = udp_spec(true, l3);
		reset(&g, l3);
		for (i = 0; i < 3; i++) {
			addn(&g, &a, 1);
			addn(&g, &b, 1);
			addn(&g, &c, 1);
			addn(&g, &d, 1);
		}
		c.flags = TCP_ACK | TCP_FIN;
		addn(&g, &c, 1);
		addn(&g, &a, 1);
		flush_expect(&g, "S2,6,10 P12 S0,4,8,13 S1,5,9 S3,7,11");
		assert_int_equal(g.st.super, 4);
		assert_int_equal(g.st.merged, 13);
	}
}

static void test_many_flows(void **state)
{
	struct tun_gro g;
	struct spec s[TUN_GRO_FLOWS + 4];
	unsigned int i, j, m;

	(void)state;
	for (m = 0; m < 2; m++) {
		uint32_t l3 = m ? TAP : TUN;

		/* Round-robin over more flows than are held: all out once, in order per flow. */
		for (i = 0; i < TUN_GRO_FLOWS + 4; i++) {
			s[i] = any_spec(i & 1, i & 2, l3);
			s[i].sport = (uint16_t)(30000 + i);
		}
		reset(&g, l3);
		for (j = 0; j < 6; j++)
			for (i = 0; i < TUN_GRO_FLOWS + 4; i++)
				addn(&g, &s[i], 1);
		assert_int_equal(tun_gro_flush(&g), 0);
		{
			static struct verdict v;

			verify(&g, &v);
			assert_int_equal(v.plains + v.merged, 6 * (TUN_GRO_FLOWS + 4));
		}

		/* As many as are held, then one more: they are written first, in the order they came. */
		reset(&g, l3);
		for (j = 0; j < 2; j++)
			for (i = 0; i < TUN_GRO_FLOWS; i++)
				addn(&g, &s[i], 1);
		addn(&g, &s[TUN_GRO_FLOWS], 2);
		flush_expect(&g, "S0,8 S1,9 S2,10 S3,11 S4,12 S5,13 S6,14 S7,15 S16-17");
	}
}

/* TAP: another link header is another flow. */
static void test_tap_link_header(void **state)
{
	struct tun_gro g;
	struct spec s = tcp_spec(false, TAP);

	(void)state;
	reset(&g, TAP);
	addn(&g, &s, 2);
	s.mac = 9;
	addn(&g, &s, 2);
	flush_expect(&g, "S0-1 S2-3");
	s = udp_spec(true, TAP);
	reset(&g, TAP);
	addn(&g, &s, 2);
	s.mac = 9;
	addn(&g, &s, 2);
	flush_expect(&g, "S0-1 S2-3");
}

/*
 * But the order that must hold is by addresses and ports: a FIN of the flow from another MAC
 * (a router's failover, say) comes after the flow's held packets.
 */
static void test_tap_link_order(void **state)
{
	struct tun_gro g;
	struct spec s = tcp_spec(false, TAP);

	(void)state;
	reset(&g, TAP);
	addn(&g, &s, 2);
	s.mac = 9;
	s.flags = TCP_ACK | TCP_FIN;
	addn(&g, &s, 1);
	flush_expect(&g, "S0-1 P2");
}

/* Another address or port, the sequence and id going on as if it were the same: another flow. */
static void test_flow_key(void **state)
{
	struct tun_gro g;
	unsigned int k, m;

	(void)state;
	for (m = 0; m < 8; m++) {
		for (k = 0; k < 4; k++) {
			struct spec s = any_spec(m & 1, m & 2, m & 4 ? TAP : TUN);

			reset(&g, s.l3);
			addn(&g, &s, 2);
			if (k == 0)
				s.src++;
			else if (k == 1)
				s.dst++;
			else if (k == 2)
				s.sport++;
			else
				s.dport++;
			addn(&g, &s, 2);
			flush_expect(&g, "S0-1 S2-3");
		}
	}
}

/* ---- garbage ---- */

static void test_garbage(void **state)
{
	struct tun_gro g;
	unsigned int m, i;

	(void)state;
	for (m = 0; m < 2; m++) {
		uint32_t l3 = m ? TAP : TUN, len;
		struct spec s = tcp_spec(false, l3), o;
		uint8_t *p;

		reset(&g, l3);
		addn(&g, &s, 2);
		/* Short ones: real packets cut at every length up to past their headers. */
		for (i = 0; i < 5; i++) {
			for (len = 0; len < l3 + 70; len++) {
				uint32_t full;

				o = i < 4 ? any_spec(i & 1, i & 2, l3) : s;
				o.hbh = i == 1;
				o.fill = (uint8_t)len;
				p = build(&o, &full);
				assert_int_equal(add_raw(&g, p, len), 0);
			}
		}
		/* Not IP, or not what it says. */
		o = s;
		p = build(&o, &len);
		if (l3) {
			put16(p + 12, 0x0806);		/* ARP */
			assert_int_equal(add_raw(&g, p, len), 0);
			o = s;
			p = build(&o, &len);
			put16(p + 12, 0x8100);		/* tagged */
			assert_int_equal(add_raw(&g, p, len), 0);
			o = s;
			p = build(&o, &len);
			put16(p + 12, 0x86dd);		/* IPv4 behind IPv6's type */
			assert_int_equal(add_raw(&g, p, len), 0);
		} else {
			p[0] = 0x55;			/* version 5 */
			assert_int_equal(add_raw(&g, p, len), 0);
		}
		o = s;
		p = build(&o, &len);
		p[l3] = 0x44;				/* IHL 4 */
		assert_int_equal(add_raw(&g, p, len), 0);
		o = s;
		p = build(&o, &len);
		put16(p + l3 + 2, len - l3 + 1);	/* longer than what came */
		assert_int_equal(add_raw(&g, p, len), 0);
		o = s;
		p = build(&o, &len);
		put16(p + l3 + 2, 19);			/* shorter than its header */
		assert_int_equal(add_raw(&g, p, len), 0);
		o = s;
		p = build(&o, &len);
		p[l3 + 9] = 1;				/* ICMP */
		assert_int_equal(add_raw(&g, p, len), 0);
		o = s;
		o.payload = 0;
		o.opt = 0;
		o.sport = 1;				/* another flow: this one is held */
		p = build(&o, &len);
		p[l3 + 32] = 0xf0;			/* a TCP header longer than the packet */
		assert_int_equal(add_raw(&g, p, len), 0);
		o = udp_spec(true, l3);
		p = build(&o, &len);
		put16(p + l3 + 4, 0);			/* IPv6 payload length 0 (jumbogram) */
		assert_int_equal(add_raw(&g, p, len), 0);
		o = tcp_spec(true, l3);
		o.hbh = true;
		p = build(&o, &len);
		p[l3 + 41] = 255;			/* an extension header past the end */
		assert_int_equal(add_raw(&g, p, len), 0);
		o = udp_spec(true, l3);
		o.hbh = true;
		o.payload = 0;
		p = build(&o, &len);
		p[l3 + 41] = 1;				/* ... ending exactly at the end */
		assert_int_equal(add_raw(&g, p, len), 0);
		p = build(&o, &len);
		p[l3 + 40] = 60;			/* a chain of them */
		assert_int_equal(add_raw(&g, p, len), 0);
		o = udp_spec(false, l3);
		p = build(&o, &len);
		put16(p + l3 + 24, 9999);		/* UDP length not IP's */
		assert_int_equal(add_raw(&g, p, len), 0);
		o = udp_spec(false, l3);
		o.payload = 0;
		p = build(&o, &len);			/* an empty datagram */
		assert_int_equal(add_raw(&g, p, len), 0);
		/* Random bytes. */
		rng = 0x5eed0001 + m;
		for (i = 0; i < 64; i++) {
			uint32_t n = below(200), j;

			p = alloc(n);
			for (j = 0; j < n; j++)
				p[j] = (uint8_t)rnd();
			if (n > l3 && below(2))
				p[l3] = (uint8_t)(below(2) ? 0x45 : 0x60);
			assert_int_equal(add_raw(&g, p, n), 0);
		}
		addn(&g, &s, 2);
		assert_int_equal(tun_gro_flush(&g), 0);
		{
			static struct verdict v;

			verify(&g, &v);
			/* The flow went on around what is of no flow. */
			assert_int_equal(v.supers, 1);
			assert_int_equal(v.merged, 4);
			assert_int_equal(v.plains, nin - 4);
		}
	}
}

/* ---- random batches ---- */

struct rflow {
	struct spec s;
	uint32_t mss;
};

/* One packet of a random flow: mostly what coalesces, now and then anything else. */
static void rand_packet(struct tun_gro *g, struct rflow *f, unsigned int nf)
{
	struct rflow *r = &f[below(nf)];
	struct spec s = r->s;
	uint32_t len, x = below(100), i;
	uint8_t *p;

	s.payload = r->mss;
	s.flags = TCP_ACK;
	if (x < 8) {
		s.payload = 1 + below(r->mss);
	} else if (x < 11) {
		s.flags |= TCP_PSH;
	} else if (x < 13) {
		s.payload = 0;
	} else if (x < 15) {
		s.seq += below(3000);
		s.id = (uint16_t)(s.id + below(3));
	} else if (x < 17) {
		s.flags |= (uint8_t)(1u << below(8));
	} else if (x < 18) {
		s.ttl--;
	} else if (x < 19) {
		s.tsval++;
		r->s.tsval++;
	} else if (x < 22) {
		s.pad = 1 + below(20);
	} else if (x < 23) {
		s.bad_csum = true;
	} else if (x < 24 && s.udp) {
		s.no_csum = true;
	} else if (x < 26 && s.v6) {
		s.hbh = true;
	}
	p = build(&s, &len);
	x = below(100);
	if (x < 4) {
		/* Mostly in the headers, where it matters. */
		for (i = 1 + below(3); i; i--)
			p[below(below(2) && len > s.l3 + 80 ? s.l3 + 80 : len)] ^= (uint8_t)(1 + below(255));
	} else if (x < 6) {
		len = below(len + 1);
	} else if (x < 7 && nin) {
		/* An earlier packet again (a retransmission, a duplicate). */
		const struct in_pkt *o = &in[below(nin)];

		p = alloc(o->len);
		memcpy(p, o->copy, o->len);
		len = o->len;
	} else if (x < 8) {
		len = below(120);
		p = alloc(len);
		for (i = 0; i < len; i++)
			p[i] = (uint8_t)rnd();
	}
	assert_int_equal(add_raw(g, p, len), 0);
	next(&s);
	r->s.seq = s.seq;
	r->s.id = s.id;
	r->s.fill = s.fill;
}

static void rand_flows(struct rflow *f, unsigned int nf, uint32_t l3)
{
	static const uint32_t mss[] = { 1, 100, 536, 1000, 1448, 1460 };
	unsigned int i;

	for (i = 0; i < nf; i++) {
		f[i].s = any_spec(below(2), below(2), l3);
		f[i].s.sport = (uint16_t)(20000 + below(4));
		f[i].s.src = (uint8_t)(1 + below(2));
		f[i].s.opt = below(2) ? 12 : 0;
		f[i].s.seq = rnd();
		f[i].s.id = (uint16_t)rnd();
		f[i].s.ack = rnd();
		f[i].s.df = below(4) != 0;
		f[i].mss = below(4) ? mss[below(6)] : 1 + below(1500);
	}
}

static void test_random(void **state)
{
	struct tun_gro g;
	struct rflow f[14];
	unsigned int round, n, nf, total = 0, merged = 0;
	static struct verdict v;

	(void)state;
	strict_key = false;
	rng = 0x6a09e667f3bcc908ull;
	for (round = 0; round < 400; round++) {
		uint32_t l3 = round & 1 ? TAP : TUN;

		reset(&g, l3);
		if (round % 7 == 3)
			g.no_tcp = true;	/* asked */
		if (round % 11 == 5)
			g.no_udp = true;
		nf = 1 + below(14);
		rand_flows(f, nf, l3);
		for (n = 1 + below(250); n; n--)
			rand_packet(&g, f, nf);
		assert_int_equal(tun_gro_flush(&g), 0);
		verify(&g, &v);
		assert_int_equal(v.plains + v.merged, nin);
		total += nin;
		merged += v.merged;
		if (g.no_tcp || g.no_udp) {
			unsigned int k;

			for (k = 0; k < cap.n; k++) {
				uint8_t t = cap.call[k].vh.gso_type;
				bool tcp = t == VIRTIO_NET_HDR_GSO_TCPV4 || t == VIRTIO_NET_HDR_GSO_TCPV6;

				assert_false(g.no_tcp && tcp);
				assert_false(g.no_udp && t == VIRTIO_NET_HDR_GSO_UDP_L4);
			}
		}
	}
	/* The batches were not all garbage: most of it was coalesced. */
	print_message("random: %u packets, %u in super-packets\n", total, merged);
	assert_true(merged > total / 3);
}

/*
 * Random batches against a device that fails now and then (EAGAIN, EINVAL for a super-packet):
 * every packet written or lost exactly once, each call says the first loss, and after a refusal
 * no super-packet of that kind but of packets already held then.
 */
static void test_random_errors(void **state)
{
	struct tun_gro g;
	struct rflow f[10];
	unsigned int round, n, nf, k, before;
	static struct verdict v;

	(void)state;
	strict_key = false;
	rng = 0xbb67ae8584caa73bull;
	for (round = 0; round < 300; round++) {
		uint32_t l3 = round & 1 ? TAP : TUN;
		/* [0] TCP, [1] UDP: the first write refused, and how many packets were added by then */
		unsigned int refused_at[2] = { MAX_CALLS, MAX_CALLS }, held[2] = { 0, 0 };
		int r;

		reset(&g, l3);
		cap.rand_fail = 3 + below(10);
		nf = 1 + below(10);
		rand_flows(f, nf, l3);
		for (n = 1 + below(200); n; n--) {
			struct rflow *fl = &f[below(nf)];
			struct spec s = fl->s;
			uint32_t len;
			uint8_t *p;

			s.payload = below(8) ? fl->mss : below(fl->mss + 1);
			s.flags = below(16) ? TCP_ACK : TCP_ACK | TCP_PSH;
			p = build(&s, &len);
			before = cap.n;
			r = add_raw(&g, p, len);
			assert_int_equal(r, first_loss(before));
			next(&s);
			fl->s.seq = s.seq;
			fl->s.id = s.id;
			fl->s.fill = s.fill;
		}
		before = cap.n;
		r = tun_gro_flush(&g);
		assert_int_equal(r, first_loss(before));
		verify(&g, &v);
		assert_int_equal(v.plains + v.merged + v.lost, nin);
		/* After a refusal, no super-packet of that kind but of packets held then. */
		for (k = 0; k < cap.n; k++) {
			uint8_t t = cap.call[k].vh.gso_type;
			unsigned int u = t == VIRTIO_NET_HDR_GSO_UDP_L4;

			if (t && cap.call[k].rc == -EINVAL && refused_at[u] == MAX_CALLS) {
				refused_at[u] = k;
				held[u] = cap.call[k].nin;
			}
		}
		for (k = 0; k < cap.n; k++) {
			uint8_t t = cap.call[k].vh.gso_type;
			unsigned int u = t == VIRTIO_NET_HDR_GSO_UDP_L4;

			if (t && k > refused_at[u] && call_max[k] >= (int)held[u])
				fail_msg("round %u: write %u is a super-packet of a kind refused at write %u", round, k,
					 refused_at[u]);
		}
		assert_int_equal(g.no_tcp, refused_at[0] < MAX_CALLS);
		assert_int_equal(g.no_udp, refused_at[1] < MAX_CALLS);
	}
}

/* ---- a device that fails ---- */

static void test_eagain(void **state)
{
	struct tun_gro g;
	struct spec s, t;

	(void)state;
	/* The flush's super-packet is lost: -EAGAIN, and it is not written again. */
	s = tcp_spec(false, TUN);
	reset(&g, TUN);
	cap.fail_super = -EAGAIN;
	cap.fail_super_left = -1;
	addn(&g, &s, 5);
	assert_int_equal(tun_gro_flush(&g), -EAGAIN);
	assert_int_equal(tun_gro_flush(&g), 0);
	expect(&g, "!S0-4");
	assert_int_equal(g.st.super, 0);
	assert_int_equal(g.st.merged, 0);

	/* Written by tun_gro_add (a hole ends the flow): the add says -EAGAIN. */
	reset(&g, TUN);
	cap.fail_super = -EAGAIN;
	cap.fail_super_left = 1;
	addn(&g, &s, 3);
	s.seq += 1;
	assert_int_equal(add(&g, &s), -EAGAIN);
	next(&s);
	addn(&g, &s, 2);
	flush_expect(&g, "!S0-2 S3-5|!S0-2 P3 S4-5");

	/* Two flows, the first lost: the second still goes, the flush says -EAGAIN. */
	s = tcp_spec(false, TAP);
	t = udp_spec(true, TAP);
	reset(&g, TAP);
	cap.fail_super = -EAGAIN;
	cap.fail_super_left = 1;
	addn(&g, &s, 1);
	addn(&g, &t, 1);
	addn(&g, &s, 1);
	addn(&g, &t, 1);
	assert_int_equal(tun_gro_flush(&g), -EAGAIN);
	expect(&g, "!S0,2 S1,3");
	assert_int_equal(g.st.super, 1);
	assert_int_equal(g.st.merged, 2);

	/* A plain packet lost: the same. */
	reset(&g, TUN);
	cap.fail_plain = -EAGAIN;
	cap.fail_plain_left = 1;
	s = tcp_spec(false, TUN);
	s.flags |= TCP_FIN;
	assert_int_equal(add(&g, &s), -EAGAIN);
	assert_int_equal(tun_gro_flush(&g), 0);
	expect(&g, "!P0");

	/* A held packet lost at the flush; -EIO is no different. */
	reset(&g, TUN);
	cap.fail_plain = -EIO;
	cap.fail_plain_left = 1;
	s = tcp_spec(false, TUN);
	addn(&g, &s, 1);
	assert_int_equal(tun_gro_flush(&g), -EIO);
	expect(&g, "!P0");
}

static void test_einval(void **state)
{
	struct tun_gro g;
	struct spec s, u;
	unsigned int m;

	(void)state;
	for (m = 0; m < 4; m++) {
		uint32_t l3 = m & 2 ? TAP : TUN;
		bool v6 = m & 1;

		/* TCP refused: its packets one by one, TCP never again, UDP still. */
		s = tcp_spec(v6, l3);
		u = udp_spec(v6, l3);
		reset(&g, l3);
		cap.fail_super = -EINVAL;
		cap.fail_super_left = -1;
		cap.fail_kind = v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4;
		addn(&g, &s, 5);
		assert_int_equal(tun_gro_flush(&g), 0);
		expect(&g, "?S0-4 P0 P1 P2 P3 P4");
		assert_int_equal(g.st.refused, 1);
		assert_true(g.no_tcp);
		assert_false(g.no_udp);
		addn(&g, &s, 3);
		assert_int_equal(cap.n, 9);		/* each at once */
		addn(&g, &u, 4);
		flush_expect(&g, "?S0-4 P0 P1 P2 P3 P4 P5 P6 P7 S8-11");
		assert_int_equal(g.st.refused, 1);
		assert_int_equal(g.st.super, 1);
		assert_int_equal(g.st.merged, 4);

		/* UDP refused: TCP still coalesced. */
		s = tcp_spec(v6, l3);
		u = udp_spec(v6, l3);
		reset(&g, l3);
		cap.fail_super = -EINVAL;
		cap.fail_super_left = -1;
		cap.fail_kind = VIRTIO_NET_HDR_GSO_UDP_L4;
		addn(&g, &u, 3);
		u.ttl--;				/* ends the flow from tun_gro_add */
		assert_int_equal(add(&g, &u), 0);
		next(&u);
		addn(&g, &u, 2);
		addn(&g, &s, 3);
		flush_expect(&g, "?S0-2 P0 P1 P2 P3 P4 P5 S6-8");
		assert_true(g.no_udp);
		assert_false(g.no_tcp);
		assert_int_equal(g.st.refused, 1);
	}
}

/*
 * A refusal while other flows of that kind are held: those are not offered as super-packets
 * either ("that kind is not coalesced again"), they go one by one.
 */
static void test_einval_held(void **state)
{
	struct tun_gro g;
	struct spec a = tcp_spec(false, TUN), b = tcp_spec(false, TUN);

	(void)state;
	b.sport++;
	reset(&g, TUN);
	cap.fail_super = -EINVAL;
	cap.fail_super_left = -1;
	addn(&g, &a, 1);
	addn(&g, &b, 1);
	addn(&g, &a, 1);
	addn(&g, &b, 1);
	assert_int_equal(tun_gro_flush(&g), 0);
	expect(&g, "?S0,2 P0 P2 P1 P3");
	assert_int_equal(g.st.refused, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		{ "test_tcp4_tun", test_one_flow, setup, NULL, (void *)&kinds[0] },
		{ "test_tcp6_tun", test_one_flow, setup, NULL, (void *)&kinds[1] },
		{ "test_udp4_tun", test_one_flow, setup, NULL, (void *)&kinds[2] },
		{ "test_udp6_tun", test_one_flow, setup, NULL, (void *)&kinds[3] },
		{ "test_tcp4_tap", test_one_flow, setup, NULL, (void *)&kinds[4] },
		{ "test_tcp6_tap", test_one_flow, setup, NULL, (void *)&kinds[5] },
		{ "test_udp4_tap", test_one_flow, setup, NULL, (void *)&kinds[6] },
		{ "test_udp6_tap", test_one_flow, setup, NULL, (void *)&kinds[7] },
		cmocka_unit_test_setup(test_short_last, setup),
		cmocka_unit_test_setup(test_tcp_psh, setup),
		cmocka_unit_test_setup(test_tcp_flags, setup),
		cmocka_unit_test_setup(test_tcp_mismatch, setup),
		cmocka_unit_test_setup(test_tcp_ece, setup),
		cmocka_unit_test_setup(test_ip4_mismatch, setup),
		cmocka_unit_test_setup(test_ip4_never, setup),
		cmocka_unit_test_setup(test_ip6_mismatch, setup),
		cmocka_unit_test_setup(test_ip6_exthdr, setup),
		cmocka_unit_test_setup(test_udp_no_csum, setup),
		cmocka_unit_test_setup(test_udp_no_csum_zero_sum, setup),
		cmocka_unit_test_setup(test_udp_length, setup),
		cmocka_unit_test_setup(test_bad_csum, setup),
		cmocka_unit_test_setup(test_udp_csum_ffff, setup),
		cmocka_unit_test_setup(test_csum_ok, setup),
		cmocka_unit_test_setup(test_padding, setup),
		cmocka_unit_test_setup(test_max_segs, setup),
		cmocka_unit_test_setup(test_ip_limit, setup),
		cmocka_unit_test_setup(test_interleaved, setup),
		cmocka_unit_test_setup(test_many_flows, setup),
		cmocka_unit_test_setup(test_tap_link_header, setup),
		cmocka_unit_test_setup(test_tap_link_order, setup),
		cmocka_unit_test_setup(test_flow_key, setup),
		cmocka_unit_test_setup(test_garbage, setup),
		cmocka_unit_test_setup(test_random, setup),
		cmocka_unit_test_setup(test_random_errors, setup),
		cmocka_unit_test_setup(test_eagain, setup),
		cmocka_unit_test_setup(test_einval, setup),
		cmocka_unit_test_setup(test_einval_held, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
