// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * What a TUN/TAP hands out once IFF_VNET_HDR and TUNSETOFFLOAD (TSO, checksum) are on: packets
 * up to 64 KiB whose checksum the "hardware" is to finish, TCP "super-packets" the hardware is to
 * cut to the MSS.  Our hardware is this file: the wire must only ever see complete frames no
 * longer than the egress MTU.  Pure functions on bytes (the unit tests feed them).
 *
 *   NEEDS_CSUM      the transport checksum field holds the pseudo-header sum: sum the bytes from
 *                   csum_start to the end, fold, invert, store at csum_start + csum_offset
 *   GSO TCPV4/V6    headers (link, IP, TCP: hdr_len bytes) repeated in front of every gso_size
 *                   bytes of payload; per segment: IP length (and IPv4 id + 1 each, header
 *                   checksum), TCP sequence number, FIN/PSH on the last segment only, CWR on the
 *                   first only, the TCP checksum computed anew
 *
 * A segment is made straight into the caller's buffer (a UMEM frame): one copy from what was read.
 */
#include <errno.h>
#include <string.h>
#include <linux/virtio_net.h>

#include "tun.h"

#define IPPROTO_TCP_ 6
#define TCP_FIN 0x01
#define TCP_PSH 0x08
#define TCP_CWR 0x80

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

uint32_t tun_csum_add(uint32_t sum, const uint8_t *p, uint32_t len)
{
	uint64_t s = sum;
	uint32_t i;

	/* Big-endian 16-bit words, in a 64-bit accumulator: no carry is lost before the fold. */
	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	while (s >> 32)
		s = (s & 0xffffffff) + (s >> 32);
	return (uint32_t)s;
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
	put16(pkt + start + offset, c ? c : 0xffff);
	return 0;
}

int tun_gso_start(struct tun_gso *g, const struct virtio_net_hdr *h, const uint8_t *pkt, uint32_t len, uint32_t l3)
{
	uint8_t type = h->gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN;
	uint32_t t = h->csum_start, thl;

	memset(g, 0, sizeof(*g));
	if (type != VIRTIO_NET_HDR_GSO_TCPV4 && type != VIRTIO_NET_HDR_GSO_TCPV6)
		return -EOPNOTSUPP;	/* UDP (UFO/USO) is never offered to this device */
	if (!(h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) || !h->gso_size || l3 >= len)
		return -EINVAL;
	g->v6 = type == VIRTIO_NET_HDR_GSO_TCPV6;
	/* The IP header the kernel wrote, and the TCP header where it says the checksum starts. */
	if (g->v6 ? (len < l3 + 40 || pkt[l3] >> 4 != 6) :
		    (len < l3 + 20 || pkt[l3] >> 4 != 4 || (pkt[l3] & 0x0f) < 5 || pkt[l3 + 9] != IPPROTO_TCP_))
		return -EINVAL;
	if (t < l3 + (g->v6 ? 40u : (pkt[l3] & 0x0fu) * 4) || t + 20 > len || h->csum_offset != 16)
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
	uint8_t ph[40];
	bool first = g->seg == 0, last;
	uint8_t *ip = out + g->l3, *tcp = out + g->l4;

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
		put16(ip + 4, (uint16_t)(seglen - g->l3 - 40));
	} else {
		put16(ip + 2, (uint16_t)(seglen - g->l3));
		put16(ip + 4, (uint16_t)(get16(ip + 4) + g->seg));
		put16(ip + 10, 0);
		put16(ip + 10, tun_csum_fold(tun_csum_add(0, ip, (ip[0] & 0x0fu) * 4)));
	}
	put32(tcp + 4, get32(tcp + 4) + (g->off - g->hdr_len));
	if (!last)
		tcp[13] &= (uint8_t)~(TCP_FIN | TCP_PSH);
	if (!first)
		tcp[13] &= (uint8_t)~TCP_CWR;
	/* The pseudo-header (addresses, length, protocol), then the segment. */
	put16(tcp + 16, 0);
	memset(ph, 0, sizeof(ph));
	if (g->v6) {
		memcpy(ph, ip + 8, 32);
		put32(ph + 32, l4len);
		ph[39] = IPPROTO_TCP_;
		sum = tun_csum_add(0, ph, 40);
	} else {
		memcpy(ph, ip + 12, 8);
		ph[9] = IPPROTO_TCP_;
		put16(ph + 10, (uint16_t)l4len);
		sum = tun_csum_add(0, ph, 12);
	}
	put16(tcp + 16, tun_csum_fold(tun_csum_add(sum, tcp, l4len)));
	g->off += n;
	g->seg++;
	return seglen;
}
