// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * libFuzzer target for what the bridge does with a packet read from a TUN/TAP with offloads on
 * (bridge/tun_gso.c), the way tun_worker.c does it: a GSO super-packet is checked against its
 * virtio-net header and, when its longest segment fits IF's MTU and a UMEM frame, cut; a packet
 * whose checksum the host left to finish (NEEDS_CSUM) is finished.  The oracle is a receiver's:
 *
 *   every segment fits (the MTU and the frame), and there are tun_gso_count() of them, each with
 *   the MSS of payload but the last; their payloads, end to end, are the super-packet's
 *   every segment is a packet: the link header as it came; the IP header's length, IPv4's header
 *   checksum and id (+ 1 per segment); the transport header where the IP header says it is
 *   (past IPv6's hop-by-hop and destination options) and of the protocol the virtio-net header
 *   says; its checksum verifies with the pseudo-header (summed here, byte by byte); TCP: the
 *   sequence number advances by the payload, FIN and PSH on the last segment only, CWR on the
 *   first only, every other header byte as it came; UDP: its length, a checksum that is not 0
 *   a finished checksum verifies (with the pseudo-header sum the field held before)
 *
 * The input:
 *   byte 0      bits 0-1: the link: 0 TUN (IP at 0), 1 TAP (IP at 14), 2 TAP with a VLAN tag (IP
 *               at 18); bit 2: UMEM frames of 4096 bytes, else 2048; bit 3: derive the virtio-net
 *               header's offsets and GSO type from the packet (only gso_size and flags from the
 *               input), so most inputs get past tun_gso_start()
 *   bytes 1-2   IF's MTU: 68 + v % 9100
 *   bytes 3-12  the virtio-net header: flags, gso_type, hdr_len, gso_size, csum_start, csum_offset
 *   bytes 13-14 payload bytes to append to the packet (a 64 KiB super-packet from a short input)
 *   the rest    the packet as the device hands it out (TAP: from the Ethernet header)
 *
 * Seeds: tests/fuzz/corpus/fuzz_bridge_tun_gso/ (tests/fuzz/mkseeds.py): TCP and UDP
 * super-packets like the unit test's, IPv4 and IPv6, over TUN and TAP, with and without options.
 */
#include <errno.h>
#include <linux/virtio_net.h>

#include "fuzz.h"
#include "tun.h"

#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5
#endif

#define SPILL_LEN 65536		/* tun_worker.c's: the longest read past the first frame */

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

/*
 * Where a receiver finds the transport header of the IP packet at @l3 and its protocol:
 * IPv4 after IHL words, IPv6 past hop-by-hop and destination options.  0 when it cannot.
 */
static uint32_t rx_l4(const uint8_t *p, uint32_t len, uint32_t l3, uint8_t *proto)
{
	uint32_t off;
	uint8_t nh;

	if (len < l3 + 20)
		return 0;
	if (p[l3] >> 4 == 4) {
		*proto = p[l3 + 9];
		return l3 + (p[l3] & 0x0fu) * 4;
	}
	if (p[l3] >> 4 != 6 || len < l3 + 40)
		return 0;
	nh = p[l3 + 6];
	off = l3 + 40;
	while (nh == 0 || nh == 60) {
		if (off + 8 > len)
			return 0;
		nh = p[off];
		off += (p[off + 1] + 1u) * 8;
	}
	*proto = nh;
	return off;
}

/* The checksum of the transport packet at @l4 (to @len) verifies with its pseudo-header. */
static bool l4_verifies(const uint8_t *p, uint32_t len, uint32_t l3, uint32_t l4, uint8_t proto)
{
	bool v6 = p[l3] >> 4 == 6;
	uint32_t l4len = len - l4;
	uint8_t tail[4] = { 0, proto, (uint8_t)(l4len >> 8), (uint8_t)l4len };
	uint64_t s = fz_sum(0, p + l3 + (v6 ? 8 : 12), v6 ? 32 : 8);

	s = fz_sum(s, tail, 4);
	return fz_fold(fz_sum(s, p + l4, l4len)) == 0xffff;
}

/* Every segment of the super-packet @pkt (@len bytes, IP at @l3) as a receiver sees it. */
static void check_cut(struct tun_gso *g, const struct virtio_net_hdr *h, const uint8_t *pkt, uint32_t len,
		      uint32_t l3, uint32_t cap, uint32_t max, uint32_t hdr)
{
	uint8_t type = h->gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN, proto = 0, want;
	bool udp = type == VIRTIO_NET_HDR_GSO_UDP_L4, v6 = pkt[l3] >> 4 == 6;
	uint32_t segs = tun_gso_count(g), hl = g->hdr_len, mss = h->gso_size, done = 0, i, n, l4, ihl;
	uint8_t *out = malloc(cap);	/* exactly the frame's room: ASan sees a write past it */

	assert_non_null(out);
	want = udp ? 17 : 6;
	assert_true(hl <= len && segs >= 1);
	ihl = v6 ? 40 : (pkt[l3] & 0x0fu) * 4;
	for (i = 0; i < segs; i++) {
		uint32_t pl;

		n = tun_gso_next(g, out, cap);
		if (!n)
			fail_msg("segment %u of %u not made (hdr_len %u, mss %u, room %u)", i, segs, hl, mss, cap);
		assert_true(n <= cap && n + hdr <= max);
		assert_true(n >= hl);
		pl = n - hl;
		/* The MSS of payload but the last; the last has what is left (none only when nothing was). */
		assert_int_equal(pl, i + 1 < segs ? mss : len - hl - done);
		assert_true(pl || len == hl);
		assert_memory_equal(out + hl, pkt + hl + done, pl);
		assert_memory_equal(out, pkt, l3);
		/* The receiver's view of the headers: the protocol the virtio-net header says, where it says. */
		l4 = rx_l4(out, n, l3, &proto);
		if (l4 != g->l4 || proto != want)
			fail_msg("segment %u: the IP header puts protocol %u at %u, the virtio-net header %s at %u", i, proto,
				 l4, udp ? "UDP" : "TCP", g->l4);
		assert_int_equal(out[l3] >> 4, pkt[l3] >> 4);
		if (v6) {
			assert_int_equal(get16(out + l3 + 4), n - l3 - 40);
			assert_memory_equal(out + l3, pkt + l3, 4);
			assert_memory_equal(out + l3 + 6, pkt + l3 + 6, l4 - l3 - 6);
		} else {
			assert_memory_equal(out + l3, pkt + l3, 2);
			assert_int_equal(get16(out + l3 + 2), n - l3);
			assert_int_equal(get16(out + l3 + 4), (uint16_t)(get16(pkt + l3 + 4) + i));
			assert_int_equal(fz_fold(fz_sum(0, out + l3, ihl)), 0xffff);
			assert_memory_equal(out + l3 + 6, pkt + l3 + 6, 4);
			assert_memory_equal(out + l3 + 12, pkt + l3 + 12, l4 - l3 - 12);
		}
		if (!l4_verifies(out, n, l3, l4, want))
			fail_msg("segment %u of %u: the %s checksum does not verify", i, segs, udp ? "UDP" : "TCP");
		assert_memory_equal(out + l4, pkt + l4, 4);	/* ports */
		if (udp) {
			assert_int_equal(get16(out + l4 + 4), n - l4);
			assert_true(get16(out + l4 + 6) != 0);
		} else {
			uint8_t f = pkt[l4 + 13];

			if (i + 1 < segs)
				f &= (uint8_t)~0x09;	/* FIN, PSH: the last segment's */
			if (i)
				f &= (uint8_t)~0x80;	/* CWR: the first's */
			assert_int_equal(get32(out + l4 + 4), (uint32_t)(get32(pkt + l4 + 4) + done));
			assert_memory_equal(out + l4 + 8, pkt + l4 + 8, 5);
			assert_int_equal(out[l4 + 13], f);
			assert_memory_equal(out + l4 + 14, pkt + l4 + 14, 2);
			assert_memory_equal(out + l4 + 18, pkt + l4 + 18, hl - l4 - 18);
		}
		done += pl;
	}
	assert_int_equal(done, len - hl);
	assert_int_equal(tun_gso_next(g, out, cap), 0);
	free(out);
}

/* NEEDS_CSUM on a packet of its own: the checksum finished verifies with the sum the field held. */
static void check_finish(const struct virtio_net_hdr *h, const uint8_t *pkt, uint32_t len)
{
	uint32_t start = h->csum_start, off = h->csum_offset;
	uint8_t *q = malloc(len ? len : 1);
	uint64_t s_in, s_out, s_zero;
	int r;

	assert_non_null(q);
	memcpy(q, pkt, len);
	r = tun_csum_finish(q, len, start, off);
	if (start >= len || off + 2 > len - start) {
		assert_int_equal(r, -EINVAL);
		assert_memory_equal(q, pkt, len);
		free(q);
		return;
	}
	assert_int_equal(r, 0);
	assert_memory_equal(q, pkt, start + off);
	assert_memory_equal(q + start + off + 2, pkt + start + off + 2, len - start - off - 2);
	/* Summed from csum_start: a field at an odd offset is no TCP or UDP checksum (skip it). */
	if (!(off & 1)) {
		s_in = fz_sum(0, pkt + start, len - start);
		s_out = fz_sum(0, q + start, len - start);
		q[start + off] = q[start + off + 1] = 0;
		s_zero = fz_sum(0, q + start, len - start);
		assert_int_equal(fz_fold(s_in + s_out - s_zero), 0xffff);
	}
	free(q);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in rd = { data, size };
	uint8_t mode = fz_u8(&rd), link = mode & 3;
	uint32_t mtu = 68 + fz_u16(&rd) % 9100, frame = mode & 4 ? 4096 : 2048, l3, extra, len, i, cap, max;
	bool tun = link == 0;
	struct virtio_net_hdr h;
	struct tun_gso g;
	const uint8_t *b;
	uint8_t *pkt;
	size_t got;
	int r;

	if (link == 3)
		return 0;
	l3 = link == 0 ? 0 : link == 1 ? 14 : 18;
	memset(&h, 0, sizeof(h));
	h.flags = fz_u8(&rd);
	h.gso_type = fz_u8(&rd);
	h.hdr_len = fz_u16(&rd);
	h.gso_size = fz_u16(&rd);
	h.csum_start = fz_u16(&rd);
	h.csum_offset = fz_u16(&rd);
	extra = fz_u16(&rd);
	b = fz_bytes(&rd, SPILL_LEN, &got);
	len = (uint32_t)got + extra;
	if (len > SPILL_LEN + frame)
		len = SPILL_LEN + frame;
	pkt = malloc(len ? len : 1);
	assert_non_null(pkt);
	memcpy(pkt, b, got < len ? got : len);
	for (i = (uint32_t)got; i < len; i++)
		pkt[i] = (uint8_t)(i * 7 + 3);
	if (l3 == 18 && len >= 18) {
		pkt[12] = 0x81;		/* what tap_l3() takes for a tagged frame */
		pkt[13] = 0x00;
	}
	if ((mode & 8) && len > l3 + 40) {
		uint8_t proto = 0;
		uint32_t l4 = rx_l4(pkt, len, l3, &proto);

		/* What the kernel writes for its own packet: the offsets and type its headers say. */
		h.flags |= VIRTIO_NET_HDR_F_NEEDS_CSUM;
		h.csum_start = (uint16_t)l4;
		h.csum_offset = proto == 17 ? 6 : 16;
		if (h.gso_type != VIRTIO_NET_HDR_GSO_NONE)
			h.gso_type = proto == 17 ? VIRTIO_NET_HDR_GSO_UDP_L4 :
				     pkt[l3] >> 4 == 6 ? VIRTIO_NET_HDR_GSO_TCPV6 :
							 VIRTIO_NET_HDR_GSO_TCPV4;
		if (l4 + 20 <= len)
			h.hdr_len = (uint16_t)(l4 + (proto == 17 ? 8 : (pkt[l4 + 12] >> 4) * 4));
	}
	/* tun_worker.c: the TUN's packet lands after room for the Ethernet header it gets. */
	cap = frame - (tun ? TUN_ETH_HLEN : 0);
	max = mtu + TUN_ETH_HLEN;
	if (h.gso_type != VIRTIO_NET_HDR_GSO_NONE) {
		r = tun_gso_start(&g, &h, pkt, len, l3);
		if (r) {
			assert_true(r == -EINVAL || r == -EOPNOTSUPP);
		} else {
			uint32_t longest = g.hdr_len + (len - g.hdr_len < g.mss ? len - g.hdr_len : g.mss);

			assert_int_equal(g.l3, l3);
			/* gso_begin(): a segment longer than the MTU or the frame is dropped, never cut. */
			if (longest + (tun ? TUN_ETH_HLEN : 0) <= max && longest <= cap)
				check_cut(&g, &h, pkt, len, l3, cap, max, tun ? TUN_ETH_HLEN : 0);
		}
	} else if (h.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		check_finish(&h, pkt, len);
	}
	free(pkt);
	return 0;
}
