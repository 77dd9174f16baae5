// SPDX-License-Identifier: MIT OR Apache-2.0
/* The wire format (frame.h): templates, per-frame stamping, checksums, checks on receipt. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "frame.h"

/* Byte access only: headers inside a frame are not aligned for their types. */
static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

uint32_t xg_csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t s = sum;
	size_t i;

	/* A 64-bit accumulator cannot overflow for any frame we handle: fold once at the end. */
	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	while (s >> 32)
		s = (s & 0xffffffffu) + (s >> 32);
	return (uint32_t)s;
}

uint16_t xg_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

uint32_t xg_frame_min(int family)
{
	return family == AF_INET6 ? XG_HDR6 : XG_MIN_FRAME;
}

int xg_tmpl_build(struct xg_tmpl *t, const struct xg_addrs *a, uint32_t len)
{
	bool v6 = a->family == AF_INET6;
	uint32_t alen = v6 ? 16 : 4, k, udp_len, sum;
	uint8_t *f = t->bytes, *ip = f + XG_ETH_LEN, *udp, proto_len[4];

	if ((a->family != AF_INET && !v6) || len < xg_frame_min(a->family) || len > XG_MAX_FRAME)
		return -EINVAL;
	memset(t, 0, sizeof(*t));
	t->len = len;
	t->l4_off = v6 ? XG_L4_OFF6 : XG_L4_OFF4;
	t->pl_off = v6 ? XG_PL_OFF6 : XG_PL_OFF4;
	udp = f + t->l4_off;
	udp_len = len - t->l4_off;

	memcpy(f, a->dst_mac, 6);
	memcpy(f + 6, a->src_mac, 6);
	put16(f + 12, v6 ? 0x86dd : 0x0800);
	if (v6) {
		put32(ip, 0x60000000u);		/* version 6, traffic class 0, flow label 0 */
		put16(ip + 4, (uint16_t)udp_len);
		ip[6] = IPPROTO_UDP;
		ip[7] = 64;			/* hop limit */
		memcpy(ip + 8, a->src_ip, 16);
		memcpy(ip + 24, a->dst_ip, 16);
	} else {
		ip[0] = 0x45;			/* version 4, 20-byte header */
		put16(ip + 2, (uint16_t)(len - XG_ETH_LEN));
		put16(ip + 6, 0x4000);		/* don't fragment; identification 0 */
		ip[8] = 64;
		ip[9] = IPPROTO_UDP;
		memcpy(ip + 12, a->src_ip, 4);
		memcpy(ip + 16, a->dst_ip, 4);
		put16(ip + 10, (uint16_t)~xg_csum_fold(xg_csum_add(0, ip, 20)));
	}
	/* UDP: source port, checksum left 0 for stamping. */
	put16(udp + 2, a->dport);
	put16(udp + 4, (uint16_t)udp_len);
	put32(f + t->pl_off, XG_MAGIC);
	for (k = XG_PL_HDR; t->pl_off + k < len; k++)
		f[t->pl_off + k] = xg_pattern(k);

	/* Pseudo-header (addresses, protocol, UDP length) + UDP header + payload, the varying words 0. */
	sum = xg_csum_add(0, v6 ? ip + 8 : ip + 12, 2 * alen);
	put16(proto_len, IPPROTO_UDP);
	put16(proto_len + 2, (uint16_t)udp_len);
	sum = xg_csum_add(sum, proto_len, 4);
	sum = xg_csum_add(sum, udp, udp_len);
	t->sum16 = xg_csum_fold(sum);
	return 0;
}

void xg_frame_stamp(uint8_t *f, const struct xg_tmpl *t, uint16_t sport, uint32_t seq, uint64_t ts)
{
	uint8_t *udp = f + t->l4_off, *pl = f + t->pl_off;
	uint32_t sum = t->sum16;
	uint16_t csum;

	put16(udp, sport);
	put32(pl + 4, seq);
	put32(pl + 8, (uint32_t)(ts >> 32));
	put32(pl + 12, (uint32_t)ts);
	/* The same seven words bpf/xdpgen_live.bpf.c adds. */
	sum += sport + (seq >> 16) + (seq & 0xffff) + (uint32_t)(ts >> 48) + (uint32_t)(ts >> 32 & 0xffff) +
	       (uint32_t)(ts >> 16 & 0xffff) + (uint32_t)(ts & 0xffff);
	csum = (uint16_t)~xg_csum_fold(sum);
	put16(udp + 6, csum ? csum : 0xffff);	/* 0 means "no checksum" in UDP: send its other form */
}

void xg_frame_build(uint8_t *f, const struct xg_tmpl *t, uint16_t sport, uint32_t seq, uint64_t ts)
{
	memcpy(f, t->bytes, t->len);
	xg_frame_stamp(f, t, sport, seq, ts);
}

/* ---- receiving ------------------------------------------------------------ */

/* The payload as xg_pattern() makes it, filled before main(): a receiver compares with memcmp. */
static uint8_t pattern_tab[XG_MAX_FRAME];

__attribute__((constructor)) static void pattern_init(void)
{
	uint32_t k;

	for (k = 0; k < XG_MAX_FRAME; k++)
		pattern_tab[k] = xg_pattern(k);
}

static enum xg_verdict corrupt(struct xg_rxinfo *ri, const char *why)
{
	ri->why = why;
	return XG_CORRUPT;
}

enum xg_verdict xg_frame_check(const uint8_t *f, uint32_t len, struct xg_rxinfo *ri)
{
	const uint8_t *ip = f + XG_ETH_LEN, *udp, *pl;
	uint32_t ip_len, udp_len, alen, sum, k;
	uint16_t ucsum;
	uint8_t proto_len[4];
	bool v6;

	memset(ri, 0, sizeof(*ri));
	if (len < XG_ETH_LEN + 20)
		return XG_OTHER;
	v6 = get16(f + 12) == 0x86dd;
	if (v6) {
		if (len < XG_HDR6 || ip[0] >> 4 != 6 || ip[6] != IPPROTO_UDP)
			return XG_OTHER;
		udp = f + XG_L4_OFF6;
		ip_len = 40u + get16(ip + 4);
		alen = 16;
	} else {
		if (get16(f + 12) != 0x0800 || len < XG_HDR4 || ip[0] != 0x45 || ip[9] != IPPROTO_UDP ||
		    (get16(ip + 6) & 0x3fff))	/* a fragment: its UDP header is elsewhere */
			return XG_OTHER;
		udp = f + XG_L4_OFF4;
		ip_len = get16(ip + 2);
		alen = 4;
	}
	pl = udp + 8;
	if (get32(pl) != XG_MAGIC)
		return XG_OTHER;

	ri->family = v6 ? AF_INET6 : AF_INET;
	ri->sport = get16(udp);
	ri->dport = get16(udp + 2);
	ri->src_ip = v6 ? ip + 8 : ip + 12;
	ri->dst_ip = ri->src_ip + alen;
	ri->seq = get32(pl + 4);
	ri->ts = (uint64_t)get32(pl + 8) << 32 | get32(pl + 12);

	/* Lengths: the IP length within the frame (a NIC may pad short frames), UDP's equal to what IP says. */
	udp_len = get16(udp + 4);
	if (ip_len > len - XG_ETH_LEN || ip_len < (uint32_t)(udp - ip) + 8 || ip_len > XG_MAX_FRAME - XG_ETH_LEN)
		return corrupt(ri, "IP length does not match the frame length");
	if (udp_len != ip_len - (uint32_t)(udp - ip) || udp_len < 8 + XG_PL_HDR)
		return corrupt(ri, "UDP length does not match the IP length");
	if (!v6 && xg_csum_fold(xg_csum_add(0, ip, 20)) != 0xffff)
		return corrupt(ri, "bad IPv4 header checksum");
	ucsum = get16(udp + 6);
	if (!ucsum)
		return corrupt(ri, "no UDP checksum (xdpgen always sends one)");
	sum = xg_csum_add(0, ri->src_ip, 2 * alen);
	proto_len[0] = 0;
	proto_len[1] = IPPROTO_UDP;
	proto_len[2] = (uint8_t)(udp_len >> 8);
	proto_len[3] = (uint8_t)udp_len;
	sum = xg_csum_add(sum, proto_len, 4);
	sum = xg_csum_add(sum, udp, udp_len);
	if (xg_csum_fold(sum) != 0xffff)
		return corrupt(ri, "bad UDP checksum");
	k = udp_len - 8;	/* payload length */
	if (memcmp(pl + XG_PL_HDR, pattern_tab + XG_PL_HDR, k - XG_PL_HDR))
		return corrupt(ri, "payload differs from the pattern");
	return XG_OURS;
}

bool xg_frame_reflect(uint8_t *f, uint32_t len)
{
	uint8_t t[16], *ip = f + XG_ETH_LEN, *a, *b, *udp;
	uint32_t alen;

	if (len < XG_ETH_LEN + 28)
		return false;
	if (get16(f + 12) == 0x86dd) {
		if (len < XG_L4_OFF6 + 8 || ip[0] >> 4 != 6 || ip[6] != IPPROTO_UDP)
			return false;
		a = ip + 8;
		alen = 16;
		udp = f + XG_L4_OFF6;
	} else if (get16(f + 12) == 0x0800) {
		uint32_t ihl = (ip[0] & 0x0fu) * 4u;

		if (ip[0] >> 4 != 4 || ihl < 20 || len < XG_ETH_LEN + ihl + 8 || ip[9] != IPPROTO_UDP ||
		    (get16(ip + 6) & 0x1fff))
			return false;
		a = ip + 12;
		alen = 4;
		udp = ip + ihl;
	} else {
		return false;
	}
	b = a + alen;
	memcpy(t, f, 6);
	memcpy(f, f + 6, 6);
	memcpy(f + 6, t, 6);
	memcpy(t, a, alen);
	memcpy(a, b, alen);
	memcpy(b, t, alen);
	memcpy(t, udp, 2);
	memcpy(udp, udp + 2, 2);
	memcpy(udp + 2, t, 2);
	return true;
}
