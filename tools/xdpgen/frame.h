/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The frames xdpgen sends, and how a receiver checks them.  One wire format for every engine
 * and subcommand (bpf/xdpgen_live.bpf.c writes the same bytes in the kernel):
 *
 *   0        14              14+L3             +8
 *   +--------+---------------+-----------------+-----------------------------------------+
 *   | Ether  | IPv4 (20)     | UDP (8)         | payload                                 |
 *   |        | or IPv6 (40)  | checksum always | magic "XGEN" | seq u32 | tx time u64 ns |  |
 *   +--------+---------------+-----------------+--------------+---------+----------------+--+
 *                                               0              4         8                16 pattern...
 *
 * All numbers big endian.  The send time is CLOCK_MONOTONIC (= bpf_ktime_get_ns()), so a
 * receiver on the same host can tell the one-way latency.  Payload byte k >= 16 is
 * xg_pattern(k): it depends on the offset only, never on the sequence number or the frame
 * length, because the live engine writes it once per page (see xdpgen_live.bpf.c) and
 * only the headers and the 16-byte payload header are rewritten per frame.
 *
 * IPv4: IHL 5, DF, ID 0, TTL 64; the header checksum is constant per frame length.  IPv6:
 * hop limit 64, no extension header.  The UDP checksum covers the sequence number and the
 * send time, so it changes per frame: a template keeps the folded sum of everything else
 * (sum16), and xg_frame_stamp() adds the seven 16-bit words that vary.
 */
#ifndef XDPGEN_FRAME_H
#define XDPGEN_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XG_MAGIC	0x5847454eu	/* "XGEN" */
#define XG_PL_HDR	16u		/* magic, sequence number, send time */
#define XG_ETH_LEN	14u
#define XG_MIN_FRAME	60u		/* the Ethernet minimum without FCS */
#define XG_MAX_FRAME	4096u		/* one UMEM frame of 4096 bytes; single-buffer only */

/* Where things are, per IP version. */
#define XG_L4_OFF4	(XG_ETH_LEN + 20u)
#define XG_L4_OFF6	(XG_ETH_LEN + 40u)
#define XG_PL_OFF4	(XG_L4_OFF4 + 8u)	/* 42 */
#define XG_PL_OFF6	(XG_L4_OFF6 + 8u)	/* 62 */
#define XG_HDR4		(XG_PL_OFF4 + XG_PL_HDR)	/* 58: rewritten per frame */
#define XG_HDR6		(XG_PL_OFF6 + XG_PL_HDR)	/* 78: and the smallest IPv6 frame */

/* Addresses and ports of a stream.  IPs in network order; family AF_INET or AF_INET6. */
struct xg_addrs {
	int family;
	uint8_t src_mac[6], dst_mac[6];
	uint8_t src_ip[16], dst_ip[16];
	uint16_t sport, dport;
};

/* One frame length of a stream: the bytes with sport, seq, time and UDP checksum zero. */
struct xg_tmpl {
	uint32_t len;		/* frame length, Ethernet header included, FCS not */
	uint32_t l4_off;	/* UDP header */
	uint32_t pl_off;	/* payload */
	uint16_t sum16;		/* folded ones' complement sum of the UDP pseudo-header, header and payload */
	uint8_t bytes[XG_MAX_FRAME];
};

/* The smallest frame of @family that holds the payload header (and the Ethernet minimum). */
uint32_t xg_frame_min(int family);

/* Fill @t for frames of @len bytes.  -EINVAL when @len is below xg_frame_min() or above XG_MAX_FRAME. */
int xg_tmpl_build(struct xg_tmpl *t, const struct xg_addrs *a, uint32_t len);

/*
 * Write the per-frame fields into @f, which already holds @t's bytes: source port, sequence
 * number, send time, and the UDP checksum (from t->sum16 plus the words that vary).
 */
void xg_frame_stamp(uint8_t *f, const struct xg_tmpl *t, uint16_t sport, uint32_t seq, uint64_t ts);

/* Copy @t into @f and stamp it: a whole frame. */
void xg_frame_build(uint8_t *f, const struct xg_tmpl *t, uint16_t sport, uint32_t seq, uint64_t ts);

/* Payload byte @k (k >= XG_PL_HDR; bytes below are the payload header). */
static inline uint8_t xg_pattern(uint32_t k)
{
	return (uint8_t)(k * 7u + 0x5au);
}

/* Ones' complement arithmetic: add @len bytes as big-endian 16-bit words to @sum; fold to 16 bits. */
uint32_t xg_csum_add(uint32_t sum, const void *data, size_t len);
uint16_t xg_csum_fold(uint32_t sum);

/* ---- receiving ------------------------------------------------------------ */

enum xg_verdict {
	XG_OTHER = 0,	/* not a UDP frame carrying our magic: someone else's traffic */
	XG_OURS,	/* ours and intact: every checksum, length and pattern byte right */
	XG_CORRUPT,	/* ours by its magic, but something in it is wrong (see why) */
};

struct xg_rxinfo {
	int family;
	uint32_t seq;
	uint64_t ts;
	uint16_t sport, dport;
	const uint8_t *src_ip, *dst_ip;		/* into the frame */
	const char *why;			/* XG_CORRUPT: what was wrong */
};

/* Classify a received frame of @len bytes; for XG_OURS and XG_CORRUPT, @ri says what it carried. */
enum xg_verdict xg_frame_check(const uint8_t *f, uint32_t len, struct xg_rxinfo *ri);

/*
 * Turn a UDP frame into its reply, in place: MACs, IP addresses and ports swapped (IPv4 and
 * IPv6).  Checksums stay valid: a ones' complement sum does not depend on the order of its
 * words.  Returns false, leaving @f alone, when it is not Ethernet + IPv4/IPv6 + UDP.
 */
bool xg_frame_reflect(uint8_t *f, uint32_t len);

#endif
