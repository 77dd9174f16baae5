// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * What a TUN/TAP hands out once IFF_VNET_HDR and TUNSETOFFLOAD (checksum, TSO, USO) are on:
 * packets up to 64 KiB whose checksum the "hardware" is to finish, TCP and UDP "super-packets"
 * the hardware is to cut into wire-size segments.  Our hardware is this file: the wire must only
 * ever see complete frames no longer than the egress MTU.  Pure functions on bytes (the unit
 * tests feed them).  Every segment is what the kernel's own software GSO would have made of the
 * super-packet (tcp_gso_segment, __udp_gso_segment), so a receiver cannot tell the difference.
 *
 *   NEEDS_CSUM      the transport checksum field holds the pseudo-header sum: sum the bytes from
 *                   csum_start to the end, fold, invert, store at csum_start + csum_offset
 *   GSO TCPV4/V6    headers (link, IP, TCP: hdr_len bytes) repeated in front of every gso_size
 *                   bytes of payload; per segment: IP length (and IPv4 id + 1 each, header
 *                   checksum), TCP sequence number, FIN/PSH on the last segment only, CWR on the
 *                   first only, the TCP checksum computed anew
 *   GSO UDP_L4      (USO, Linux >= 6.2) headers (link, IP, UDP) repeated in front of every
 *                   gso_size bytes of payload: each segment is a datagram of its own; per
 *                   segment: IP length (and IPv4 id + 1 each, header checksum), UDP length, the
 *                   UDP checksum computed anew (a computed 0 sent as 0xffff).  Not UFO
 *                   (GSO_UDP): IP fragments, never offered to this device
 *
 * A segment is made straight into the caller's buffer (a UMEM frame): one copy from what was read.
 */
#include <errno.h>
#include <string.h>
#include <linux/virtio_net.h>

#include "be.h"
#include "tun.h"

/* Linux 6.2: older headers lack it; the value is the virtio specification's. */
#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5
#endif

#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define TCP_FIN 0x01
#define TCP_PSH 0x08
#define TCP_CWR 0x80

uint32_t tun_csum_add(uint32_t sum, const uint8_t *p, uint32_t len)
{
	uint64_t s = 0;
	uint32_t w, r;
	uint16_t h = 0;

	/*
	 * Every byte of every packet goes through here: words, not bytes.  RFC 1071: 2^16 = 1 in
	 * one's-complement arithmetic, so a 32-bit word adds what its two 16-bit words do once
	 * folded, and words read in the host's byte order add up to the big-endian sum with its two
	 * bytes swapped.  memcpy: any alignment (a TAP's IP header is at 14).  The 64-bit
	 * accumulator takes 2^30 sums of four words (a uint32_t length gives fewer) without losing
	 * a carry.
	 */
	for (; len >= 16; p += 16, len -= 16) {
		uint32_t a, b, c, d;

		memcpy(&a, p, 4);
		memcpy(&b, p + 4, 4);
		memcpy(&c, p + 8, 4);
		memcpy(&d, p + 12, 4);
		s += (uint64_t)a + b + c + d;
	}
	for (; len >= 4; p += 4, len -= 4) {
		memcpy(&w, p, 4);
		s += w;
	}
	if (len >= 2) {
		memcpy(&h, p, 2);
		s += h;
		p += 2;
		len -= 2;
	}
	if (len) {
		/* The odd last byte is the high half of a big-endian word: the first in memory. */
		h = 0;
		memcpy(&h, p, 1);
		s += h;
	}
	/* Folding keeps a non-zero sum non-zero: 0 still means "every byte was 0", as before. */
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	s = (s >> 8 | s << 8) & 0xffff;
#endif
	/* The caller's @sum may be anything up to 2^32 - 1: end-around carry, as any word. */
	r = sum + (uint32_t)s;
	return r + (r < sum);
}

uint16_t tun_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

int tun_csum_finish(uint8_t *pkt, uint32_t len, uint32_t start, uint32_t offset)
{
	uint16_t c;

	if (start >= len || offset + 2 > len - start)
		return -EINVAL;
	c = tun_csum_fold(tun_csum_add(0, pkt + start, len - start));
	/* UDP says "no checksum" with 0: a computed 0 is sent as its other form. */
	be16_put(pkt + start + offset, c ? c : 0xffff);
	return 0;
}

/*
 * Where the transport header of the IPv6 packet at @l3 starts, past the hop-by-hop and
 * destination options a sender may put first, and its protocol in @proto.  A routing header
 * ends the walk (its protocol is not UDP): the pseudo-header would then need the final
 * destination, not the one in the IPv6 header.  0 when the packet ends first.
 */
static uint32_t ip6_l4(const uint8_t *pkt, uint32_t len, uint32_t l3, uint8_t *proto)
{
	uint32_t off = l3 + 40;
	uint8_t nh;

	if (len < off)
		return 0;
	nh = pkt[l3 + 6];
	while (nh == 0 || nh == 60) {
		if (off + 8 > len)
			return 0;
		nh = pkt[off];
		off += (pkt[off + 1] + 1u) * 8;
	}
	*proto = nh;
	return off;
}

/*
 * Where the transport header of the IP @version packet at @l3 starts (IPv4: where IHL says the
 * header ends; IPv6: ip6_l4()), and its protocol in @proto.  0 when the header is not whole.
 */
static uint32_t ip_l4(const uint8_t *pkt, uint32_t len, uint32_t l3, unsigned int version, uint8_t *proto)
{
	if (version == 6)
		return pkt[l3] >> 4 == 6 ? ip6_l4(pkt, len, l3, proto) : 0;
	if (version != 4 || pkt[l3] >> 4 != 4 || len < l3 + 20 || (pkt[l3] & 0x0f) < 5)
		return 0;
	*proto = pkt[l3 + 9];
	return l3 + (pkt[l3] & 0x0fu) * 4;
}

/*
 * USO: unlike TCPV4/TCPV6 the virtio header names no family: the IP header's version does.
 * The UDP header must start where the IP header ends (csum_start) and be complete.
 */
static int udp_start(struct tun_gso *g, const struct virtio_net_hdr *h, const uint8_t *pkt, uint32_t len, uint32_t l3)
{
	uint32_t t = h->csum_start, end;
	uint8_t proto = 0;

	if (!(h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) || !h->gso_size || h->csum_offset != 6 || l3 >= len)
		return -EINVAL;
	g->v6 = pkt[l3] >> 4 == 6;
	end = ip_l4(pkt, len, l3, pkt[l3] >> 4, &proto);
	if (!end || proto != IPPROTO_UDP_ || t != end || t + 8 > len)
		return -EINVAL;
	g->udp = true;
	g->pkt = pkt;
	g->len = len;
	g->l3 = l3;
	g->l4 = t;
	g->hdr_len = t + 8;
	g->mss = h->gso_size;
	g->off = g->hdr_len;
	return 0;
}

int tun_gso_start(struct tun_gso *g, const struct virtio_net_hdr *h, const uint8_t *pkt, uint32_t len, uint32_t l3)
{
	uint8_t type = h->gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN, proto = 0;
	uint32_t t = h->csum_start, thl, end;

	memset(g, 0, sizeof(*g));
	if (type == VIRTIO_NET_HDR_GSO_UDP_L4)
		return udp_start(g, h, pkt, len, l3);
	if (type != VIRTIO_NET_HDR_GSO_TCPV4 && type != VIRTIO_NET_HDR_GSO_TCPV6)
		return -EOPNOTSUPP;	/* UFO (IP fragments) is never offered to this device */
	if (!(h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) || !h->gso_size || l3 >= len)
		return -EINVAL;
	g->v6 = type == VIRTIO_NET_HDR_GSO_TCPV6;
	/*
	 * The IP header the kernel wrote says TCP, and the TCP header starts where it ends, as the
	 * checksum does: else every segment would carry its TCP header where no receiver looks.
	 */
	end = ip_l4(pkt, len, l3, g->v6 ? 6 : 4, &proto);
	if (!end || proto != IPPROTO_TCP_ || t != end || t + 20 > len || h->csum_offset != 16)
		return -EINVAL;
	thl = (uint32_t)(pkt[t + 12] >> 4) * 4;
	if (thl < 20 || t + thl > len)
		return -EINVAL;
	g->pkt = pkt;
	g->len = len;
	g->l3 = l3;
	g->l4 = t;
	g->hdr_len = t + thl;
	g->mss = h->gso_size;
	g->off = g->hdr_len;
	return 0;
}

uint32_t tun_gso_count(const struct tun_gso *g)
{
	uint32_t payload = g->len - g->hdr_len;

	return payload ? (payload + g->mss - 1) / g->mss : 1;
}

uint32_t tun_gso_next(struct tun_gso *g, uint8_t *out, uint32_t cap)
{
	uint32_t n = g->len - g->off, seglen, l4len, sum;
	uint8_t ph[40], proto = g->udp ? IPPROTO_UDP_ : IPPROTO_TCP_;
	bool first = g->seg == 0, last;
	uint8_t *ip = out + g->l3, *l4 = out + g->l4, *check;
	uint16_t c;

	if (g->off >= g->len && g->seg)
		return 0;	/* done (a packet with headers only is one segment) */
	if (n > g->mss)
		n = g->mss;
	last = g->off + n >= g->len;
	seglen = g->hdr_len + n;
	if (seglen > cap)
		return 0;
	memcpy(out, g->pkt, g->hdr_len);
	memcpy(out + g->hdr_len, g->pkt + g->off, n);
	l4len = seglen - g->l4;
	if (g->v6) {
		be16_put(ip + 4, (uint16_t)(seglen - g->l3 - 40));
	} else {
		be16_put(ip + 2, (uint16_t)(seglen - g->l3));
		be16_put(ip + 4, (uint16_t)(be16_get(ip + 4) + g->seg));
		be16_put(ip + 10, 0);
		be16_put(ip + 10, tun_csum_fold(tun_csum_add(0, ip, (ip[0] & 0x0fu) * 4)));
	}
	if (g->udp) {
		/* Each segment is a datagram of its own: its length, its checksum. */
		be16_put(l4 + 4, (uint16_t)l4len);
		check = l4 + 6;
	} else {
		be32_put(l4 + 4, be32_get(l4 + 4) + (g->off - g->hdr_len));
		if (!last)
			l4[13] &= (uint8_t)~(TCP_FIN | TCP_PSH);
		if (!first)
			l4[13] &= (uint8_t)~TCP_CWR;
		check = l4 + 16;
	}
	/* The pseudo-header (addresses, length, protocol), then the segment. */
	be16_put(check, 0);
	memset(ph, 0, sizeof(ph));
	if (g->v6) {
		memcpy(ph, ip + 8, 32);
		be32_put(ph + 32, l4len);
		ph[39] = proto;
		sum = tun_csum_add(0, ph, 40);
	} else {
		memcpy(ph, ip + 12, 8);
		ph[9] = proto;
		be16_put(ph + 10, (uint16_t)l4len);
		sum = tun_csum_add(0, ph, 12);
	}
	c = tun_csum_fold(tun_csum_add(sum, l4, l4len));
	/* UDP says "no checksum" with 0 (IPv6 forbids it): a computed 0 is sent as its other form. */
	be16_put(check, c || !g->udp ? c : 0xffff);
	g->off += n;
	g->seg++;
	return seglen;
}
