// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * libFuzzer target for the coalescer towards a TUN/TAP (bridge/tun_gro.c): one input is one RX
 * batch, written by someone else, and the unit test's oracle (tests/unit/tun_gro_oracle.h) judges
 * what came out: every packet added is written exactly once (or lost in a write the device
 * failed, or written again one by one after the device refused a super-packet), unchanged; every
 * super-packet, cut again as the kernel does (tun_gso.c, held against a USO cut of the oracle's
 * own), gives back exactly the packets that were joined, byte for byte; the order within a flow
 * is kept; the counters and each call's return value are exact.
 *
 * Random bytes would almost never make two packets the kernel could join (checksums, sequence
 * numbers, IP ids), so the input is a small program that builds them:
 *
 *   byte 0     bit 0: TAP (IP after 14 bytes) else TUN; bit 1 / 2: TCP / UDP never coalesced
 *              (--no-gro, or refused earlier); bits 3-5: k, the device fails one write in
 *              2 + k at random (0: never) with EAGAIN, or EINVAL for a super-packet
 *   bytes 1-4  the device's random seed
 *   byte 5     flows: 1 + (b & 15), then 9 bytes per flow:
 *              [kind: bit 0 IPv6, 1 UDP, 2 TCP timestamps, 3 DF, 4 IPv4 options]
 *              [source port] [source host] [MSS, 2 bytes: 1 + v % 1500] [sequence, 4 bytes]
 *   then ops   one byte: flow (bits 0-2) and what (bits 3-7):
 *              0-15 the next packet of flow (what & 8) + (op & 7), a full MSS
 *              16 shorter (2 bytes: its payload)
 *              17 PSH      18 no payload      19 a hole in the sequence (2 bytes)
 *              20 an IP id jump (1 byte)      21 one more TCP flag (1 byte: which)
 *              22 one header field differs (1 byte: TTL, TOS, source MAC, DF, flow label)
 *              23 the TCP timestamp moves on for the flow      24 Ethernet padding (1 byte)
 *              25 a bad transport checksum     26 UDP without checksum     27 IPv6 hop-by-hop
 *              28 one byte of it flipped (2 bytes: where, 1: how)
 *              29 cut short (2 bytes: its new length)    30 an earlier packet again (2 bytes)
 *              31 raw bytes (2 bytes: length, at most 2048; then the bytes)
 *
 * Seeds: tests/fuzz/corpus/fuzz_bridge_tun_gro/, written by tests/fuzz/mkseeds.py (the unit
 * test's one-flow, interleaved, short-last, PSH and garbage batches in this form).
 */
#include "fuzz.h"
#include "../unit/tun_gro_oracle.h"

#define MAX_FLOWS 16		/* twice TUN_GRO_FLOWS: one more flow writes the oldest first */
#define MAX_PKTS 1024		/* per input: well within the oracle's MAX_IN and MAX_CALLS */
#define MAX_RAW 2048

struct flow {
	struct spec s;
	uint32_t mss;
};

static void flow_init(struct flow *f, struct fz_in *rd, uint32_t l3, unsigned int i)
{
	uint8_t kind = fz_u8(rd);

	f->s = any_spec(kind & 1, kind & 2, l3);
	f->s.opt = !f->s.udp && (kind & 4) ? 12 : 0;
	f->s.df = kind & 8;
	f->s.ipopt = !f->s.v6 && (kind & 16) ? 4 : 0;
	f->s.sport = (uint16_t)(20000 + fz_u8(rd));
	f->s.src = (uint8_t)(1 + fz_u8(rd) % 4);
	f->mss = 1 + fz_u16(rd) % 1500;
	f->s.seq = fz_u32(rd);
	f->s.id = (uint16_t)(f->s.seq * 7);
	f->s.ack = 0x01020304u * (i + 1);
}

/* One op: a packet of @f as @what says, then added.  Returns tun_gro_add's answer. */
static int op_packet(struct tun_gro *g, struct flow *f, unsigned int what, struct fz_in *rd)
{
	struct spec s = f->s;
	uint32_t len, v;
	uint8_t *p;

	s.payload = f->mss;
	s.flags = TCP_ACK;
	switch (what) {
	case 16:
		s.payload = 1 + fz_u16(rd) % f->mss;
		break;
	case 17:
		s.flags |= TCP_PSH;
		break;
	case 18:
		s.payload = 0;
		break;
	case 19:
		s.seq += fz_u16(rd);
		break;
	case 20:
		s.id = (uint16_t)(s.id + fz_u8(rd));
		break;
	case 21:
		s.flags |= (uint8_t)(1u << (fz_u8(rd) & 7));
		break;
	case 22:
		v = fz_u8(rd);
		switch (v % 5) {
		case 0:
			s.ttl--;
			break;
		case 1:
			s.tos = (uint8_t)(v | 1);
			break;
		case 2:
			s.mac++;
			break;
		case 3:
			s.df = !s.df;
			break;
		default:
			s.label = v;
			break;
		}
		break;
	case 23:
		f->s.tsval++;
		s.tsval++;
		break;
	case 24:
		s.pad = 1 + fz_u8(rd) % 64;
		break;
	case 25:
		s.bad_csum = true;
		break;
	case 26:
		s.no_csum = true;
		break;
	case 27:
		s.hbh = s.v6;
		break;
	}
	p = build(&s, &len);
	if (what == 28) {
		v = fz_u16(rd);
		p[v % len] ^= (uint8_t)(1 + fz_u8(rd) % 255);
	} else if (what == 29) {
		len = fz_u16(rd) % (len + 1);
	}
	next(&s);
	f->s.seq = s.seq;
	f->s.id = s.id;
	f->s.fill = s.fill;
	return add_raw(g, p, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tun_gro g;
	static struct verdict v;
	struct fz_in rd = { data, size };
	struct flow f[MAX_FLOWS];
	unsigned int nf, i, before, k;
	uint8_t cfg = fz_u8(&rd);
	uint32_t l3 = cfg & 1 ? TAP : TUN;
	int r;

	strict_key = false;		/* flows as tun_gro.c keys them (the link header too) */
	reset(&g, l3);
	g.no_tcp = cfg & 2;
	g.no_udp = cfg & 4;
	k = cfg >> 3 & 7;
	cap.rand_fail = k ? 2 + k : 0;
	rng = (uint64_t)fz_u32(&rd) << 16 | 0x9e37;	/* xorshift needs a state that is not 0 */
	nf = 1 + (fz_u8(&rd) & (MAX_FLOWS - 1));
	for (i = 0; i < nf; i++)
		flow_init(&f[i], &rd, l3, i);
	while (fz_left(&rd) && nin < MAX_PKTS) {
		uint8_t op = fz_u8(&rd);
		unsigned int what = op >> 3;

		before = cap.n;
		if (what == 30 && nin) {
			const struct in_pkt *o = &in[fz_u16(&rd) % nin];
			uint8_t *p = alloc(o->len);

			memcpy(p, o->copy, o->len);
			r = add_raw(&g, p, o->len);
		} else if (what == 31) {
			size_t n;
			const uint8_t *b = fz_bytes(&rd, fz_u16(&rd) % (MAX_RAW + 1), &n);

			r = add_raw(&g, b, (uint32_t)n);
		} else {
			r = op_packet(&g, &f[((op & 7) | (what < 16 ? what & 8 : 0)) % nf], what, &rd);
		}
		/* The first loss among the writes this call made, and only that. */
		assert_int_equal(r, first_loss(before));
	}
	before = cap.n;
	r = tun_gro_flush(&g);
	assert_int_equal(r, first_loss(before));
	assert_int_equal(g.nflows, 0);
	verify(&g, &v);
	assert_int_equal(v.plains + v.merged + v.lost, nin);
	return 0;
}
