/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The oracle of tun_gro.c, shared by its unit test (tests/unit/test_bridge_tun_gro.c) and its
 * fuzz target (tests/fuzz/fuzz_bridge_tun_gro.c), so both hold the coalescer to one rule:
 *
 *   build()      a packet from a struct spec (every header field a test may vary; checksums
 *                valid unless told otherwise), in an arena
 *   add_raw()    hand it to tun_gro_add() from a block of exactly its size (AddressSanitizer
 *                sees a read past its end), remembering a copy and its flow
 *   cap_out()    the device: records every write, fails the ones it is told to
 *   verify()     every write checked and matched: a plain packet is one added, unchanged; a
 *                super-packet carries the virtio-net header the kernel wants and, cut again
 *                (tun_gso.c, and udp_cut(), a USO cut of our own, to hold it against), gives
 *                back packets that were added; each packet exactly once, in order within its
 *                flow, the counters exact
 *
 * Static functions, for one includer per program.  The includer provides cmocka's assertion
 * macros (assert_true, assert_int_equal, assert_memory_equal, fail_msg, ...): <cmocka.h> in the
 * unit test, tests/fuzz/fuzz.h in the fuzz target.
 */
#ifndef XDPBRIDGE_TUN_GRO_ORACLE_H
#define XDPBRIDGE_TUN_GRO_ORACLE_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/virtio_net.h>

#include "tun.h"
#include "tun_gro.h"

#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5
#endif

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20
#define TCP_ECE 0x40
#define TCP_CWR 0x80

#define TAP 14u
#define TUN 0u

#define ARENA_SZ (8u << 20)
#define CAP_SZ (8u << 20)
#define SEG_SZ (1u << 20)
#define MAX_IN 4096
#define MAX_CALLS 4096
#define MAX_KEYS 1024
#define LAYOUT_SZ 16384

/* ---- bytes ---- */

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

/* A checksum of our own, byte by byte (tun_csum_add is under test elsewhere): not folded. */
static uint64_t ref_sum(uint64_t s, const uint8_t *p, uint32_t len)
{
	uint32_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	return s;
}

static uint16_t ref_fold(uint64_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* The pseudo-header of a @proto packet of @l4len bytes under IP header @ip, summed. */
static uint64_t ref_pseudo(const uint8_t *ip, bool v6, uint8_t proto, uint32_t l4len)
{
	uint8_t tail[4] = { 0, 0, 0, 0 };
	uint64_t s = ref_sum(0, ip + (v6 ? 8 : 12), v6 ? 32 : 8);

	put16(tail + 2, l4len);
	tail[1] = proto;
	if (v6)
		s += l4len >> 16;
	return ref_sum(s, tail, 4);
}

/* The checksum to store in TCP or UDP packet @l4 (its field 0 while summed). */
static uint16_t ref_l4csum(const uint8_t *ip, bool v6, const uint8_t *l4, uint32_t l4len, uint8_t proto)
{
	return (uint16_t)~ref_fold(ref_sum(ref_pseudo(ip, v6, proto, l4len), l4, l4len));
}

/* ---- deterministic randomness (xorshift64*) ---- */

static uint64_t rng;

static uint32_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 0x2545f4914f6cdd1dull) >> 32);
}

static uint32_t below(uint32_t n)
{
	return n ? rnd() % n : 0;
}

/* ---- packets ---- */

/* One packet to build: every header field a test may want to vary. */
struct spec {
	bool v6, udp;
	uint32_t l3;			/* 0: tun, 14: tap */
	uint8_t mac;			/* tap: the source MAC's last byte */
	uint16_t ethertype;		/* tap: 0 for the family's */
	uint8_t src, dst;		/* the hosts' last address byte */
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint16_t win, urg;
	uint8_t flags;
	uint8_t opt;			/* TCP option bytes: 0, or 12 (NOP, NOP, timestamps) */
	uint32_t tsval;
	uint16_t id;
	uint8_t ttl, tos;		/* tos: IPv6's traffic class too */
	uint32_t label;
	bool df, mf;
	uint16_t frag;			/* fragment offset, in 8 bytes */
	uint8_t ipopt;			/* IPv4 option bytes, a multiple of 4 */
	bool hbh;			/* IPv6: a hop-by-hop options header before the transport */
	uint32_t payload;
	uint32_t pad;			/* bytes after the IP packet (Ethernet padding) */
	uint8_t fill;			/* varies the payload */
	bool bad_ipcsum, bad_csum, no_csum;
	uint8_t udp_short;		/* the UDP length says that many bytes less than IP's */
};

static uint8_t arena[ARENA_SZ], shadow[ARENA_SZ];
static uint32_t arena_used, shadow_used;

static uint8_t *alloc(uint32_t len)
{
	uint8_t *p = arena + arena_used;

	assert_true(((len + 7) & ~7u) <= ARENA_SZ - arena_used);
	arena_used += (len + 7) & ~7u;
	return p;
}

static struct spec tcp_spec(bool v6, uint32_t l3)
{
	return (struct spec){ .v6 = v6, .l3 = l3, .mac = 2, .src = 2, .dst = 1, .sport = 40000, .dport = 5201,
			      .seq = 0xfffff000u, .ack = 0x12345678, .win = 501, .flags = TCP_ACK, .opt = 12,
			      .tsval = 1000, .id = 0xfffb, .ttl = 64, .df = true, .payload = 1000, .fill = 1 };
}

static struct spec udp_spec(bool v6, uint32_t l3)
{
	struct spec s = tcp_spec(v6, l3);

	s.udp = true;
	s.opt = 0;
	s.dport = 4789;
	return s;
}

static struct spec any_spec(bool v6, bool udp, uint32_t l3)
{
	return udp ? udp_spec(v6, l3) : tcp_spec(v6, l3);
}

/* The packet @s says, in the arena: valid checksums unless told otherwise. */
static uint8_t *build(const struct spec *s, uint32_t *lenp)
{
	uint32_t iphl = s->v6 ? 40 + (s->hbh ? 8u : 0u) : 20u + s->ipopt, thl = s->udp ? 8u : 20u + s->opt;
	uint32_t l4 = s->l3 + iphl, l4len = thl + s->payload, end = l4 + l4len, len = end + s->pad, i;
	uint8_t proto = s->udp ? 17 : 6, *p = alloc(len), *ip = p + s->l3, *t = p + l4;
	uint16_t c;

	memset(p, 0, len);
	if (s->l3) {
		memcpy(p, "\x02\x00\x00\x00\x07\x01\x02\x00\x00\x00\x07", 11);
		p[11] = s->mac;
		put16(p + 12, s->ethertype ? s->ethertype : s->v6 ? 0x86dd : 0x0800);
	}
	if (s->v6) {
		ip[0] = (uint8_t)(0x60 | s->tos >> 4);
		ip[1] = (uint8_t)(s->tos << 4 | (s->label >> 16 & 0xf));
		put16(ip + 2, s->label);
		put16(ip + 4, end - s->l3 - 40);
		ip[6] = s->hbh ? 0 : proto;
		ip[7] = s->ttl;
		memcpy(ip + 8, "\x20\x01\x00\x02\x00\x00\x00\x01", 8);
		ip[23] = s->src;
		memcpy(ip + 24, "\x20\x01\x00\x02\x00\x00\x00\x02", 8);
		ip[39] = s->dst;
		if (s->hbh) {
			ip[40] = proto;		/* then PadN over the rest of the 8 bytes */
			ip[42] = 1;
			ip[43] = 4;
		}
	} else {
		ip[0] = (uint8_t)(0x40 | iphl / 4);
		ip[1] = s->tos;
		put16(ip + 2, end - s->l3);
		put16(ip + 4, s->id);
		put16(ip + 6, (s->df ? 0x4000u : 0) | (s->mf ? 0x2000u : 0) | s->frag);
		ip[8] = s->ttl;
		ip[9] = proto;
		memcpy(ip + 12, "\xc6\x12\x00", 3);	/* 198.18.0.src */
		ip[15] = s->src;
		memcpy(ip + 16, "\xc6\x13\x00", 3);	/* 198.19.0.dst */
		ip[19] = s->dst;
		/* Options: zeros (end of list), which a checksum of 20 bytes would not see. */
		put16(ip + 10, (uint16_t)~ref_fold(ref_sum(0, ip, iphl)) ^ (s->bad_ipcsum ? 0x0100 : 0));
	}
	put16(t, s->sport);
	put16(t + 2, s->dport);
	if (s->udp) {
		put16(t + 4, l4len - s->udp_short);
	} else {
		put32(t + 4, s->seq);
		put32(t + 8, s->ack);
		t[12] = (uint8_t)(thl / 4 << 4);
		t[13] = s->flags;
		put16(t + 14, s->win);
		put16(t + 18, s->urg);
		if (s->opt) {
			memcpy(t + 20, "\x01\x01\x08\x0a", 4);
			put32(t + 24, s->tsval);
			put32(t + 28, 0x0badcafe);
		}
	}
	for (i = 0; i < s->payload; i++)
		t[thl + i] = (uint8_t)(s->fill * 37 + i * 7 + (i >> 8) * 3);
	for (i = 0; i < s->pad; i++)
		p[end + i] = (uint8_t)(0xa5 + i);	/* not zeros: they would not change a sum */
	c = ref_l4csum(ip, s->v6, t, l4len, proto);
	if (s->udp && !c)
		c = 0xffff;				/* a computed 0 goes as its other form */
	if (s->udp && s->no_csum)
		c = 0;
	if (s->bad_csum)
		c ^= 0x0010;
	put16(t + (s->udp ? 6 : 16), c);
	*lenp = len;
	return p;
}

/* The packet that follows @s in its flow. */
static void next(struct spec *s)
{
	s->seq += s->payload;
	s->id++;
	s->fill++;
}

/* ---- what was added ---- */

struct in_pkt {
	const uint8_t *p;
	const uint8_t *copy;		/* as it was added: the coalescer must not change it */
	uint32_t len;
	uint32_t ipend;			/* where its IP packet ends (len when not IP) */
	int key;			/* its flow (addresses, ports), -1 when none */
	bool used;			/* matched by a write */
};

static struct in_pkt in[MAX_IN];
static unsigned int nin;
static bool strict_key = true;		/* false: the flow as tun_gro.c keys it (the random tests) */
static uint8_t keys[MAX_KEYS][64];
static unsigned int nkeys;

/*
 * The flow a packet belongs to as the header says: same addresses and ports (IPv6: past
 * extension headers).  Lenient: as the coalescer sees it -- the link header too, and no
 * extension headers.  -1: none (not IP, a later fragment, no ports).
 */
static int key_of(const uint8_t *p, uint32_t len, uint32_t l3)
{
	const uint8_t *ip = p + l3;
	uint8_t k[64], proto;
	uint32_t kl = 0, end, l4, ihl, i;
	uint16_t et = l3 && len >= 14 ? get16(p + 12) : 0;

	memset(k, 0, sizeof(k));
	if (len < l3 + 20 || (l3 && et != 0x0800 && et != 0x86dd))
		return -1;
	if (!strict_key && l3) {
		memcpy(k, p, 14);
		kl = 14;
	}
	if (ip[0] >> 4 == 4 && (!l3 || et == 0x0800)) {
		ihl = (ip[0] & 0x0fu) * 4;
		end = l3 + get16(ip + 2);
		if (ihl < 20 || end > len || end < l3 + ihl || (get16(ip + 6) & 0x1fff))
			return -1;
		proto = ip[9];
		l4 = l3 + ihl;
		k[kl++] = 4;
		memcpy(k + kl, ip + 12, 8);
		kl += 8;
	} else if (ip[0] >> 4 == 6 && (!l3 || et == 0x86dd)) {
		if (len < l3 + 40)
			return -1;
		end = l3 + 40 + get16(ip + 4);
		if (end > len || end == l3 + 40)
			return -1;
		proto = ip[6];
		l4 = l3 + 40;
		while (strict_key && (proto == 0 || proto == 43 || proto == 60)) {
			if (l4 + 8 > end)
				return -1;
			proto = p[l4];
			l4 += (p[l4 + 1] + 1u) * 8;
		}
		k[kl++] = 6;
		memcpy(k + kl, ip + 8, 32);
		kl += 32;
	} else {
		return -1;
	}
	if ((proto != 6 && proto != 17) || l4 + (strict_key ? 4u : proto == 6 ? 20u : 8u) > end)
		return -1;
	k[kl++] = proto;
	memcpy(k + kl, p + l4, 4);
	for (i = 0; i < nkeys; i++)
		if (!memcmp(keys[i], k, sizeof(k)))
			return (int)i;
	assert_true(nkeys < MAX_KEYS);
	memcpy(keys[nkeys], k, sizeof(k));
	return (int)nkeys++;
}

/* Where the IP packet in @p ends: a super-packet carries it without what follows. */
static uint32_t ip_end(const uint8_t *p, uint32_t len, uint32_t l3)
{
	uint32_t end;

	if (len < l3 + 20)
		return len;
	if (p[l3] >> 4 == 4)
		end = l3 + get16(p + l3 + 2);
	else if (p[l3] >> 4 == 6 && len >= l3 + 40)
		end = l3 + 40 + get16(p + l3 + 4);
	else
		return len;
	return end <= len ? end : len;
}

/*
 * Add @len bytes of @p -- copied to a block of exactly that size first, so that AddressSanitizer
 * sees a read past the packet's end.
 */
static int add_raw(struct tun_gro *g, const uint8_t *p, uint32_t len)
{
	struct in_pkt *x = &in[nin];
	uint8_t *q = malloc(len ? len : 1);

	assert_non_null(q);
	assert_true(nin < MAX_IN);
	assert_true(len <= ARENA_SZ - shadow_used);
	if (len)
		memcpy(q, p, len);
	memcpy(shadow + shadow_used, p, len);
	x->p = q;
	x->copy = shadow + shadow_used;
	shadow_used += len;
	x->len = len;
	x->ipend = ip_end(p, len, g->l3);
	x->key = key_of(p, len, g->l3);
	x->used = false;
	nin++;
	return tun_gro_add(g, q, len);
}

/* ---- what was written ---- */

struct call {
	struct virtio_net_hdr vh;
	uint32_t off, len, segs;
	int iovcnt, rc;
	unsigned int nin;		/* packets added by then */
};

/* The device: takes every write into one buffer, fails the ones it is told to. */
struct cap {
	struct call call[MAX_CALLS];
	unsigned int n;
	uint32_t used;
	int fail_super;			/* -errno for super-packets */
	int fail_super_left;		/* how many more (-1: all) */
	uint8_t fail_kind;		/* only super-packets of this gso_type (0: any) */
	int fail_plain;			/* -errno for plain packets */
	int fail_plain_left;
	unsigned int rand_fail;		/* random tests: fail one write in that many */
};

static uint8_t capbuf[CAP_SZ];
static struct cap cap;

static int cap_out(void *ctx, const struct iovec *iov, int iovcnt, uint32_t segs)
{
	struct cap *c = ctx;
	struct call *r;
	bool super;
	int i;

	assert_ptr_equal(c, &cap);
	assert_true(iovcnt >= 2 && iovcnt <= TUN_GRO_MAX_SEGS + 2);
	assert_int_equal(iov[0].iov_len, sizeof(struct virtio_net_hdr));
	assert_true(c->n < MAX_CALLS);
	r = &c->call[c->n++];
	memcpy(&r->vh, iov[0].iov_base, sizeof(r->vh));
	r->off = c->used;
	r->nin = nin;
	r->segs = segs;
	r->iovcnt = iovcnt;
	for (i = 1; i < iovcnt; i++) {
		assert_true(iov[i].iov_len <= CAP_SZ - c->used);
		if (iov[i].iov_len)
			memcpy(capbuf + c->used, iov[i].iov_base, iov[i].iov_len);
		c->used += (uint32_t)iov[i].iov_len;
	}
	r->len = c->used - r->off;
	r->rc = 0;
	super = r->vh.gso_type != VIRTIO_NET_HDR_GSO_NONE;
	if (super && c->fail_super && c->fail_super_left &&
	    (!c->fail_kind || (r->vh.gso_type & ~VIRTIO_NET_HDR_GSO_ECN) == c->fail_kind)) {
		if (c->fail_super_left > 0)
			c->fail_super_left--;
		r->rc = c->fail_super;
	} else if (!super && c->fail_plain && c->fail_plain_left) {
		if (c->fail_plain_left > 0)
			c->fail_plain_left--;
		r->rc = c->fail_plain;
	} else if (c->rand_fail && !below(c->rand_fail)) {
		r->rc = super && !below(4) ? -EINVAL : -EAGAIN;
	}
	return r->rc;
}

static void reset(struct tun_gro *g, uint32_t l3)
{
	unsigned int i;

	for (i = 0; i < nin; i++)
		free((void *)in[i].p);
	arena_used = shadow_used = 0;
	nin = nkeys = 0;
	memset(&cap, 0, sizeof(cap));
	tun_gro_init(g, l3, cap_out, &cap);
}

/* ---- the oracle ---- */

static uint8_t segbuf[SEG_SZ];
static int call_max[MAX_CALLS];		/* verify(): the last packet in each write */

/*
 * USO as __udp_gso_segment does it, into @out (@cap bytes): each segment a datagram of its own,
 * IPv4 id + 1 each, the checksum computed anew (0 sent as 0xffff).  A cut of our own, to hold
 * tun_gso.c's against (or to stand in for it, should it not know USO).
 */
static uint32_t udp_cut(const uint8_t *s, uint32_t len, uint32_t l3, uint32_t l4, uint32_t mss, bool v6, uint8_t *out,
			uint32_t cap_len, uint32_t *off, uint32_t *slen, uint32_t max)
{
	uint32_t hl = l4 + 8, pos = hl, n = 0, o = 0, k, sl;
	uint16_t c;
	uint8_t *q;

	while (pos < len && n < max) {
		k = len - pos < mss ? len - pos : mss;
		sl = hl + k;
		assert_true(o + sl <= cap_len);
		q = out + o;
		memcpy(q, s, hl);
		memcpy(q + hl, s + pos, k);
		if (v6) {
			put16(q + l3 + 4, sl - l3 - 40);
		} else {
			put16(q + l3 + 2, sl - l3);
			put16(q + l3 + 4, get16(s + l3 + 4) + n);
			put16(q + l3 + 10, 0);
			put16(q + l3 + 10, (uint16_t)~ref_fold(ref_sum(0, q + l3, 20)));
		}
		put16(q + l4 + 4, sl - l4);
		put16(q + l4 + 6, 0);
		c = ref_l4csum(q + l3, v6, q + l4, sl - l4, 17);
		put16(q + l4 + 6, c ? c : 0xffff);
		off[n] = o;
		slen[n++] = sl;
		o += sl;
		pos += k;
	}
	return n;
}

/*
 * Super-packet @c, checked as the kernel takes it (virtio_net_hdr_to_skb, then tcp_gso_segment
 * or __udp_gso_segment), and cut into segbuf: the count, each segment at off[i], slen[i] bytes.
 */
static uint32_t recut(const struct tun_gro *g, const struct call *c, uint32_t *off, uint32_t *slen, uint32_t max)
{
	const struct virtio_net_hdr *vh = &c->vh;
	const uint8_t *s = capbuf + c->off, *ip = s + g->l3;
	uint8_t type = vh->gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN;
	uint32_t l3 = g->l3, l4 = vh->csum_start, len = c->len, thl, n = 0, k;
	bool v6, udp = type == VIRTIO_NET_HDR_GSO_UDP_L4;
	struct tun_gso gs;
	int r;

	assert_true(len >= l3 + 28);
	v6 = ip[0] >> 4 == 6;
	assert_int_equal(ip[0] >> 4, v6 ? 6 : 4);
	assert_int_equal(vh->flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_int_equal(type, udp ? VIRTIO_NET_HDR_GSO_UDP_L4 :
			       v6  ? VIRTIO_NET_HDR_GSO_TCPV6 :
				     VIRTIO_NET_HDR_GSO_TCPV4);
	assert_int_equal(l4, l3 + (v6 ? 40 : 20));
	assert_int_equal(ip[v6 ? 6 : 9], udp ? 17 : 6);
	assert_int_equal(vh->csum_offset, udp ? 6 : 16);
	thl = udp ? 8 : (s[l4 + 12] >> 4) * 4u;
	assert_int_equal(vh->hdr_len, l4 + thl);
	assert_true(vh->gso_size > 0);
	/* The kernel cuts only what is longer than one segment (USO refuses the rest). */
	assert_true(len > vh->hdr_len + vh->gso_size);
	assert_true(c->segs >= 2 && c->segs <= TUN_GRO_MAX_SEGS);
	assert_true(c->iovcnt <= (int)c->segs + 2);
	if (v6) {
		assert_int_equal(get16(ip + 4), len - l3 - 40);
	} else {
		assert_int_equal(ip[0], 0x45);
		assert_true(len - l3 <= 65535);
		assert_int_equal(get16(ip + 2), len - l3);
		assert_int_equal(ref_fold(ref_sum(0, ip, 20)), 0xffff);
	}
	if (udp)
		assert_int_equal(get16(s + l4 + 4), len - l4);
	/* NEEDS_CSUM: the field holds the pseudo-header sum of the whole, folded, not inverted. */
	assert_int_equal(get16(s + l4 + vh->csum_offset) % 0xffff,
			 ref_fold(ref_pseudo(ip, v6, udp ? 17 : 6, len - l4)) % 0xffff);
	r = tun_gso_start(&gs, vh, s, len, l3);
	if (r == -EOPNOTSUPP && udp)
		return udp_cut(s, len, l3, l4, vh->gso_size, v6, segbuf, SEG_SZ, off, slen, max);
	assert_int_equal(r, 0);
	assert_int_equal(tun_gso_count(&gs), c->segs);
	k = 0;
	while (n < max && (slen[n] = tun_gso_next(&gs, segbuf + k, SEG_SZ / 2 - k))) {
		off[n] = k;
		k += slen[n++];
	}
	if (udp) {
		static uint32_t uoff[TUN_GRO_MAX_SEGS + 1], ulen[TUN_GRO_MAX_SEGS + 1];
		uint32_t un = udp_cut(s, len, l3, l4, vh->gso_size, v6, segbuf + SEG_SZ / 2, SEG_SZ / 2, uoff, ulen,
				      TUN_GRO_MAX_SEGS + 1);

		/* tun_gso.c cuts as the kernel does. */
		assert_int_equal(un, n);
		for (k = 0; k < n; k++) {
			assert_int_equal(ulen[k], slen[k]);
			assert_memory_equal(segbuf + SEG_SZ / 2 + uoff[k], segbuf + off[k], slen[k]);
		}
	}
	return n;
}

/* The first packet added and not matched yet whose bytes @b are (trimmed to its IP packet for a segment). */
static int find(const uint8_t *b, uint32_t len, bool plain)
{
	unsigned int i;

	for (i = 0; i < nin; i++) {
		uint32_t want = plain ? in[i].len : in[i].ipend;

		if (!in[i].used && want == len && !memcmp(in[i].p, b, len))
			return (int)i;
	}
	return -1;
}

static void layout_add(char *lay, size_t cap_len, const char *fmt, ...)
{
	size_t l = strlen(lay);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(lay + l, cap_len - l, fmt, ap);
	va_end(ap);
}

/* "0-3,5": the packets of one write. */
static void layout_list(char *lay, size_t cap_len, const int *idx, uint32_t n)
{
	uint32_t i, j;

	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && idx[j] == idx[j - 1] + 1; j++)
			;
		layout_add(lay, cap_len, "%s%d", i ? "," : "", idx[i]);
		if (j - i > 1)
			layout_add(lay, cap_len, "-%d", idx[j - 1]);
	}
}

struct verdict {
	unsigned int supers, merged, refused, plains, lost;	/* lost: packets in failed writes */
	char layout[LAYOUT_SZ];
};

/*
 * Every write checked and matched: each packet added exactly once (a write refused with
 * EINVAL does not count, its packets must come again), in order within its flow, the
 * counters exact, the packets added unchanged.
 */
static void verify(const struct tun_gro *g, struct verdict *v)
{
	static uint32_t off[TUN_GRO_MAX_SEGS + 1], slen[TUN_GRO_MAX_SEGS + 1];
	int last[MAX_KEYS], idx[TUN_GRO_MAX_SEGS + 1];
	unsigned int k, i;
	uint32_t n, u;

	memset(v, 0, sizeof(*v));
	for (i = 0; i < nin; i++)
		in[i].used = false;
	for (i = 0; i < MAX_KEYS; i++)
		last[i] = -1;
	for (k = 0; k < cap.n; k++) {
		const struct call *c = &cap.call[k];
		bool plain = c->vh.gso_type == VIRTIO_NET_HDR_GSO_NONE, refused = !plain && c->rc == -EINVAL;

		if (plain) {
			/* All of it 0: a stale hdr_len longer than the packet is EINVAL to tun_get_user(). */
			assert_int_equal(c->vh.flags, 0);
			assert_int_equal(c->vh.hdr_len | c->vh.gso_size | c->vh.csum_start | c->vh.csum_offset, 0);
			assert_int_equal(c->segs, 1);
			assert_int_equal(c->iovcnt, 2);
			n = 1;
			off[0] = 0;
			slen[0] = c->len;
		} else {
			n = recut(g, c, off, slen, TUN_GRO_MAX_SEGS + 1);
			assert_int_equal(n, c->segs);
			for (u = 0; u < n; u++) {
				/* What a receiver checks of each segment (byte-equality implies it, but say so). */
				const uint8_t *q = segbuf + off[u], *ip = q + g->l3;
				uint32_t l4 = c->vh.csum_start, l4len = slen[u] - l4;
				bool v6 = ip[0] >> 4 == 6;
				uint64_t sum = ref_pseudo(ip, v6, ip[v6 ? 6 : 9], l4len);

				if (!v6)
					assert_int_equal(ref_fold(ref_sum(0, ip, 20)), 0xffff);
				assert_int_equal(ref_fold(ref_sum(sum, q + l4, l4len)), 0xffff);
			}
		}
		for (u = 0; u < n; u++) {
			const uint8_t *b = plain ? capbuf + c->off : segbuf + off[u];
			int j = find(b, slen[u], plain);

			if (j < 0)
				fail_msg("write %u (%s, %u segs, after \"%s\"): segment %u of %u bytes is no "
					 "packet added (or one already written)", k, plain ? "plain" : "super", c->segs,
					 v->layout, u, slen[u]);
			idx[u] = j;
			in[j].used = true;
			if (refused)
				continue;	/* not written: its packets come again */
			if (in[j].key >= 0) {
				if (last[in[j].key] > j)
					fail_msg("packet %d written after packet %d, added after it in its flow "
						 "(\"%s\")", j, last[in[j].key], v->layout);
				last[in[j].key] = j;
			}
		}
		if (refused) {
			/* Its packets come again: unmarked, after it was matched packet by packet. */
			for (u = 0; u < n; u++)
				in[idx[u]].used = false;
		}
		call_max[k] = idx[n - 1];
		layout_add(v->layout, sizeof(v->layout), "%s%s%s", k ? " " : "", refused ? "?" : c->rc ? "!" : "",
			   plain ? "P" : "S");
		layout_list(v->layout, sizeof(v->layout), idx, n);
		if (refused) {
			v->refused++;
		} else if (c->rc) {
			v->lost += n;
		} else if (plain) {
			v->plains++;
		} else {
			v->supers++;
			v->merged += n;
		}
	}
	for (i = 0; i < nin; i++) {
		if (!in[i].used)
			fail_msg("packet %u (%u bytes) never written (\"%s\")", i, in[i].len, v->layout);
		if (memcmp(in[i].p, in[i].copy, in[i].len))
			fail_msg("packet %u was changed", i);
	}
	assert_int_equal(g->st.super, v->supers);
	assert_int_equal(g->st.merged, v->merged);
	assert_int_equal(g->st.refused, v->refused);
}

/* The first error of the writes from @from on that lost packets (EINVAL on a super-packet loses none). */
static int first_loss(unsigned int from)
{
	unsigned int k;

	for (k = from; k < cap.n; k++)
		if (cap.call[k].rc && !(cap.call[k].rc == -EINVAL && cap.call[k].vh.gso_type))
			return cap.call[k].rc;
	return 0;
}

#endif
