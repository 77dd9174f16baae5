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

static int setup(void **state)
{
	(void)state;
	strict_key = true;
	return 0;
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

/* The first error of the writes from @from on that lost packets (EINVAL on a super-packet loses none). */
static int first_loss(unsigned int from)
{
	unsigned int k;

	for (k = from; k < cap.n; k++)
		if (cap.call[k].rc && !(cap.call[k].rc == -EINVAL && cap.call[k].vh.gso_type))
			return cap.call[k].rc;
	return 0;
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
