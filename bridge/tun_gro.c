// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * Coalescing towards a TUN/TAP with offloads on: tun_gro.h says what joins what, and why the
 * kernel gives back, byte for byte, the packets a super-packet was made of.
 *
 * A batch is at most a few hundred packets and at most TUN_GRO_FLOWS flows are open: a flow is
 * found by a linear scan, and the packets are never copied (only the first one's headers, which
 * the super-packet needs changed).
 */
#include <errno.h>
#include <string.h>

#include "be.h"
#include "tun.h"
#include "tun_gro.h"

#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5
#endif

#define PROTO_TCP 6
#define PROTO_UDP 17
#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20
#define TCP_CWR 0x80
#define IP_MAX 65535u

/* One packet, parsed. */
struct gro_pkt {
	const uint8_t *p;
	uint32_t len;			/* as given (a frame may carry Ethernet padding) */
	uint32_t end;			/* the end of its IP packet */
	uint32_t l4, hdr_len, payload;
	uint8_t proto;
	bool v6;
	bool keyed;			/* addresses and ports known: it belongs to a flow */
	bool eligible;			/* may start or join a super-packet */
};

/* The one's-complement sum of the pseudo-header (addresses, protocol, @l4len), not folded. */
static uint32_t pseudo_sum(const uint8_t *ip, bool v6, uint8_t proto, uint32_t l4len)
{
	uint8_t tail[4] = { 0, proto, (uint8_t)(l4len >> 8), (uint8_t)l4len };
	uint32_t sum = tun_csum_add(0, ip + (v6 ? 8 : 12), v6 ? 32 : 8);

	/* IPv6's length is 32 bits wide, but a packet here never exceeds 65535 bytes. */
	return tun_csum_add(sum, tail, 4);
}

bool tun_gro_csum_ok(const uint8_t *ip, bool v6, const uint8_t *l4, uint32_t l4len, uint8_t proto)
{
	return tun_csum_fold(tun_csum_add(pseudo_sum(ip, v6, proto, l4len), l4, l4len)) == 0;
}

/* What @p is: its flow's key fields and whether it may be coalesced. */
static void parse(const struct tun_gro *g, struct gro_pkt *k, const uint8_t *p, uint32_t len)
{
	const uint8_t *ip = p + g->l3, *t;
	uint32_t l3 = g->l3, ihl, thl, l4len;
	bool kind_on;

	memset(k, 0, sizeof(*k));
	k->p = p;
	k->len = len;
	if (l3 && (len < l3 || !((p[12] == 0x08 && p[13] == 0x00) || (p[12] == 0x86 && p[13] == 0xdd))))
		return;		/* tagged, or not IP */
	if (len < l3 + 20)
		return;
	if (ip[0] >> 4 == 4 && (!l3 || p[13] == 0x00)) {
		ihl = (ip[0] & 0x0fu) * 4;
		k->end = l3 + be16_get(ip + 2);
		/* Not a later fragment (no ports in it), and the header is whole. */
		if (ihl < 20 || k->end > len || k->end < l3 + ihl || (be16_get(ip + 6) & 0x1fff))
			return;
		k->proto = ip[9];
		k->l4 = l3 + ihl;
		/* No options, not a fragment at all, a header checksum that holds. */
		k->eligible = ihl == 20 && !(be16_get(ip + 6) & 0x2000) && tun_csum_fold(tun_csum_add(0, ip, 20)) == 0;
	} else if (ip[0] >> 4 == 6 && (!l3 || p[13] == 0xdd)) {
		if (len < l3 + 40)
			return;
		k->v6 = true;
		k->end = l3 + 40 + be16_get(ip + 4);
		if (k->end > len || k->end == l3 + 40)
			return;	/* truncated, or a jumbogram */
		k->proto = ip[6];
		k->l4 = l3 + 40;
		k->eligible = true;
		/* Extension headers: never coalesced, but the ports past them say which flow it is of. */
		while (k->proto == 0 || k->proto == 43 || k->proto == 60) {
			if (k->l4 + 8 > k->end)
				return;
			k->eligible = false;
			k->proto = p[k->l4];
			k->l4 += (p[k->l4 + 1] + 1u) * 8;
		}
		if (k->l4 > k->end)
			return;
	} else {
		return;
	}
	if (k->proto != PROTO_TCP && k->proto != PROTO_UDP)
		return;
	t = p + k->l4;
	l4len = k->end - k->l4;
	if (l4len < (k->proto == PROTO_TCP ? 20u : 8u))
		return;
	k->keyed = true;
	kind_on = k->proto == PROTO_TCP ? !g->no_tcp : !g->no_udp;
	if (!k->eligible || !kind_on) {
		k->eligible = false;
		return;
	}
	if (k->proto == PROTO_TCP) {
		thl = (uint32_t)(t[12] >> 4) * 4;
		k->eligible = thl >= 20 && thl < l4len &&
			      (t[13] & (TCP_SYN | TCP_FIN | TCP_RST | TCP_URG | TCP_CWR | TCP_ACK)) == TCP_ACK;
	} else {
		thl = 8;
		/* A checksum is needed: the kernel recomputes one for every datagram it cuts. */
		k->eligible = be16_get(t + 4) == l4len && l4len > 8 && be16_get(t + 6) != 0;
	}
	k->hdr_len = k->l4 + thl;
	k->payload = k->end - k->hdr_len;
	k->eligible = k->eligible && k->hdr_len <= TUN_GRO_HDR_MAX &&
		      tun_gro_csum_ok(ip, k->v6, t, l4len, k->proto);
}

/* @k is of flow @f: same addresses, protocol and ports (the link header may differ). */
static bool same_flow(const struct tun_gro *g, const struct tun_gro_flow *f, const struct gro_pkt *k)
{
	const uint8_t *ip = k->p + g->l3, *fip = f->hdr + g->l3;

	if (f->proto != k->proto || f->v6 != k->v6)
		return false;
	if (k->v6 ? memcmp(fip + 8, ip + 8, 32) : memcmp(fip + 12, ip + 12, 8))
		return false;
	return !memcmp(f->hdr + f->l4, k->p + k->l4, 4);
}

/* @k (eligible, of flow @f) is exactly the packet the kernel would cut next from @f. */
static bool can_join(const struct tun_gro_flow *f, const struct gro_pkt *k)
{
	const uint8_t *ip = k->p + f->l3, *fip = f->hdr + f->l3, *t = k->p + k->l4, *ft = f->hdr + f->l4;
	uint32_t ipl = f->ip_len + k->payload;

	if (f->closed || f->n == TUN_GRO_MAX_SEGS || k->hdr_len != f->hdr_len || k->payload > f->mss)
		return false;
	if (f->l3 && memcmp(f->hdr, k->p, f->l3))
		return false;	/* tap: another link header */
	if (k->v6) {
		/* version, traffic class, flow label; hop limit */
		if (memcmp(fip, ip, 4) || fip[7] != ip[7] || ipl - 40 > IP_MAX)
			return false;
	} else {
		/* TOS; flags; TTL; the id the kernel gives the next segment */
		if (fip[1] != ip[1] || fip[6] != ip[6] || fip[8] != ip[8] || be16_get(ip + 4) != f->next_id ||
		    ipl > IP_MAX)
			return false;
	}
	if (k->proto == PROTO_UDP)
		return true;
	/* ack, header length, window, urgent pointer and options as the first's; flags but PSH */
	return be32_get(t + 4) == f->next_seq && !memcmp(t + 8, ft + 8, 5) && !memcmp(t + 14, ft + 14, 2) &&
	       !memcmp(t + 18, ft + 18, f->hdr_len - f->l4 - 18) && (t[13] & ~TCP_PSH) == (f->flags & ~TCP_PSH);
}

static void join(struct tun_gro_flow *f, const struct gro_pkt *k)
{
	f->pkt[f->n] = k->p;
	f->len[f->n] = k->len;
	f->n++;
	f->ip_len += k->payload;
	f->next_seq += k->payload;
	f->next_id++;
	if (k->payload < f->mss)
		f->closed = true;	/* only the last segment may be shorter */
	if (k->proto == PROTO_TCP && (k->p[k->l4 + 13] & TCP_PSH)) {
		f->flags |= TCP_PSH;	/* the kernel leaves PSH on the last segment only */
		f->closed = true;
	}
}

static void open_flow(struct tun_gro *g, const struct gro_pkt *k)
{
	struct tun_gro_flow *f = &g->flow[g->nflows++];

	memcpy(f->hdr, k->p, k->hdr_len);
	f->hdr_len = k->hdr_len;
	f->l3 = g->l3;
	f->l4 = k->l4;
	f->proto = k->proto;
	f->v6 = k->v6;
	f->closed = false;
	f->mss = k->payload;
	f->ip_len = k->end - g->l3;
	f->next_seq = k->proto == PROTO_TCP ? be32_get(k->p + k->l4 + 4) + k->payload : 0;
	f->next_id = k->v6 ? 0 : (uint16_t)(be16_get(k->p + g->l3 + 4) + 1);
	f->flags = k->proto == PROTO_TCP ? k->p[k->l4 + 13] : 0;
	f->n = 1;
	f->pkt[0] = k->p;
	f->len[0] = k->len;
	if (k->proto == PROTO_TCP && (f->flags & TCP_PSH))
		f->closed = true;
}

static int keep_first(int err, int r)
{
	return err ? err : r;
}

static int emit_plain(struct tun_gro *g, const uint8_t *p, uint32_t len)
{
	struct iovec iov[2] = { { &g->vh, sizeof(g->vh) }, { (void *)p, len } };

	memset(&g->vh, 0, sizeof(g->vh));
	g->vh.gso_type = VIRTIO_NET_HDR_GSO_NONE;
	return g->out(g->ctx, iov, 2, 1);
}

/* The super-packet of @f: its headers updated for the whole, its payloads where they are. */
static int emit_super(struct tun_gro *g, struct tun_gro_flow *f)
{
	uint8_t *ip = f->hdr + f->l3, *t = f->hdr + f->l4;
	uint32_t l4len = f->l3 + f->ip_len - f->l4, rest = f->l3 + f->ip_len - f->hdr_len - (f->n - 1) * f->mss, i;
	uint16_t ph;
	int r, err = 0;

	if (f->proto == PROTO_TCP ? g->no_tcp : g->no_udp) {
		/* Refused since this flow was coalesced: one by one. */
		for (i = 0; i < f->n; i++)
			err = keep_first(err, emit_plain(g, f->pkt[i], f->len[i]));
		return err;
	}
	if (f->v6) {
		be16_put(ip + 4, (uint16_t)(f->ip_len - 40));
	} else {
		be16_put(ip + 2, (uint16_t)f->ip_len);
		be16_put(ip + 10, 0);
		be16_put(ip + 10, tun_csum_fold(tun_csum_add(0, ip, 20)));
	}
	if (f->proto == PROTO_TCP)
		t[13] = f->flags;
	else
		be16_put(t + 4, (uint16_t)l4len);
	/* NEEDS_CSUM: the field holds the pseudo-header sum, folded, not inverted. */
	ph = (uint16_t)~tun_csum_fold(pseudo_sum(ip, f->v6, f->proto, l4len));
	be16_put(t + (f->proto == PROTO_TCP ? 16 : 6), ph);

	memset(&g->vh, 0, sizeof(g->vh));
	g->vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	if (f->proto == PROTO_UDP)
		g->vh.gso_type = VIRTIO_NET_HDR_GSO_UDP_L4;
	else
		g->vh.gso_type = f->v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4;
	g->vh.hdr_len = (uint16_t)f->hdr_len;
	g->vh.gso_size = (uint16_t)f->mss;
	g->vh.csum_start = (uint16_t)f->l4;
	g->vh.csum_offset = f->proto == PROTO_TCP ? 16 : 6;
	g->iov[0] = (struct iovec){ &g->vh, sizeof(g->vh) };
	g->iov[1] = (struct iovec){ f->hdr, f->hdr_len };
	/* Every payload is the MSS but the last: what a frame holds past its IP packet stays out. */
	for (i = 0; i < f->n; i++)
		g->iov[i + 2] = (struct iovec){ (void *)(f->pkt[i] + f->hdr_len), i + 1 < f->n ? f->mss : rest };
	r = g->out(g->ctx, g->iov, (int)f->n + 2, f->n);
	if (r != -EINVAL) {
		if (!r) {
			g->st.super++;
			g->st.merged += f->n;
		}
		return r;
	}
	/* This kernel does not take that kind of super-packet: never again, and these one by one. */
	g->st.refused++;
	if (f->proto == PROTO_TCP)
		g->no_tcp = true;
	else
		g->no_udp = true;
	for (i = 0; i < f->n; i++)
		err = keep_first(err, emit_plain(g, f->pkt[i], f->len[i]));
	return err;
}

/* Write flow @idx and close the gap it leaves (the order of the others is kept). */
static int flush_flow(struct tun_gro *g, unsigned int idx)
{
	struct tun_gro_flow *f = &g->flow[idx];
	int r = f->n == 1 ? emit_plain(g, f->pkt[0], f->len[0]) : emit_super(g, f);

	g->nflows--;
	if (idx < g->nflows)
		memmove(f, f + 1, (g->nflows - idx) * sizeof(*f));
	return r;
}

void tun_gro_init(struct tun_gro *g, uint32_t l3, tun_gro_out_fn out, void *ctx)
{
	memset(g, 0, sizeof(*g));
	g->l3 = l3;
	g->out = out;
	g->ctx = ctx;
}

int tun_gro_add(struct tun_gro *g, const uint8_t *pkt, uint32_t len)
{
	struct gro_pkt k;
	unsigned int i;
	int err = 0;

	if (g->no_tcp && g->no_udp && !g->nflows)
		return emit_plain(g, pkt, len);
	parse(g, &k, pkt, len);
	if (!k.keyed)
		return emit_plain(g, pkt, len);	/* of no flow: its order matters to none */
	for (i = 0; i < g->nflows; i++) {
		if (!same_flow(g, &g->flow[i], &k))
			continue;
		if (k.eligible && can_join(&g->flow[i], &k)) {
			join(&g->flow[i], &k);
			return 0;
		}
		err = flush_flow(g, i);	/* what came before it goes first */
		break;
	}
	if (!k.eligible || (k.proto == PROTO_TCP && (pkt[k.l4 + 13] & TCP_PSH)))
		return keep_first(err, emit_plain(g, pkt, len));
	if (g->nflows == TUN_GRO_FLOWS)
		err = keep_first(err, flush_flow(g, 0));	/* the oldest makes room */
	open_flow(g, &k);
	return err;
}

int tun_gro_flush(struct tun_gro *g)
{
	unsigned int i, n = g->nflows;
	int err = 0;

	for (i = 0; i < n; i++) {
		struct tun_gro_flow *f = &g->flow[i];

		err = keep_first(err, f->n == 1 ? emit_plain(g, f->pkt[0], f->len[0]) : emit_super(g, f));
	}
	g->nflows = 0;
	return err;
}
