/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Coalescing towards a TUN/TAP with offloads on (IFF_VNET_HDR): the TCP segments and UDP
 * datagrams of one flow that arrive in one RX batch are written as one GSO super-packet, one
 * write instead of one per packet -- what the kernel's GRO does for a NIC, done where the
 * kernel cannot (a TUN takes one packet per write).
 *
 * The rule: a super-packet, cut again by the kernel (TCP: tcp_gso_segment; UDP: USO, Linux
 * >= 6.2), gives back the very packets that arrived, byte for byte.  So a packet joins a flow
 * only when it is exactly what that cutting would make next:
 *
 *   both     same link header (tap), addresses, ports; IPv4: header without options, same TOS,
 *            TTL and flags, no fragment, IP id = previous + 1, header checksum valid; IPv6: no
 *            extension header, same traffic class, flow label and hop limit; the transport
 *            checksum valid; the payload no longer than the first's (the MSS); a shorter one
 *            ends the flow; at most TUN_GRO_MAX_SEGS packets and 65535 bytes of IP
 *   TCP      seq = previous seq + previous payload; same ack, window, header length and
 *            options; flags ACK (+ ECE) as the first's, PSH ends the flow; no SYN, FIN, RST,
 *            URG, CWR; payload > 0
 *   UDP      a checksum (not 0)
 *
 * Everything else is written alone and unchanged, after the flow it belongs to (same
 * addresses and ports) has been written: the order within a flow is kept; between flows it
 * may change, as with the kernel's GRO.  One exception to "byte for byte": a TCP checksum that
 * is 0x0000 may come back as 0xffff, its other form, when the host finishes it in software.
 * Which is why a packet's checksum is verified before it joins: a corrupt one reaches the
 * host alone, and is dropped there.  The packets stay where they are (UMEM frames) until
 * tun_gro_flush(): a super-packet is written with writev() from the first packet's headers
 * (copied and updated: lengths, IPv4 header checksum, the transport checksum field set to the
 * pseudo-header sum as VIRTIO_NET_HDR_F_NEEDS_CSUM wants) and the payloads in place.
 *
 * Pure: no syscall here.  What is to be written goes to the caller's tun_gro_out_fn.
 */
#ifndef XDPBRIDGE_TUN_GRO_H
#define XDPBRIDGE_TUN_GRO_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>
#include <linux/virtio_net.h>

#define TUN_GRO_FLOWS		8	/* flows open at once in a batch; one more writes the oldest first */
#define TUN_GRO_MAX_SEGS	64	/* packets per super-packet */
#define TUN_GRO_HDR_MAX		(18 + 60 + 60)	/* link + IPv4 (IPv6 is 40) + TCP with options */

/*
 * Write one packet: @iov[0] is its virtio-net header, the rest its bytes (@iovcnt entries in
 * all, at most TUN_GRO_MAX_SEGS + 2); @segs: the packets it stands for (1 when written alone).
 * Return: 0 when written, or -errno (it counts as @segs packets lost, which the caller counts).
 * -EINVAL for a super-packet means "this kernel does not take that kind": its packets are
 * written again one by one and that kind (TCP or UDP) is not coalesced again.
 */
typedef int (*tun_gro_out_fn)(void *ctx, const struct iovec *iov, int iovcnt, uint32_t segs);

struct tun_gro_flow {
	uint8_t hdr[TUN_GRO_HDR_MAX];	/* the first packet's headers: link, IP, transport */
	uint32_t hdr_len;		/* link + IP + transport header */
	uint32_t l3, l4;		/* IP and transport header offsets */
	uint8_t proto;			/* 6 or 17 */
	bool v6;
	bool closed;			/* the last packet ends it: no more joins */
	uint32_t mss;			/* the first packet's payload */
	uint32_t ip_len;		/* IP bytes of the super-packet so far */
	uint32_t next_seq;		/* TCP: the sequence number the next segment must have */
	uint16_t next_id;		/* IPv4: the id the next packet must have */
	uint8_t flags;			/* TCP: flags of the first segment, | PSH of the last */
	uint32_t n;			/* packets held */
	const uint8_t *pkt[TUN_GRO_MAX_SEGS];	/* where each packet is (the caller's memory) */
	uint32_t len[TUN_GRO_MAX_SEGS];	/* its length as given (written alone, it is written whole) */
};

struct tun_gro_stats {
	uint64_t super;			/* super-packets written */
	uint64_t merged;		/* packets inside them */
	uint64_t refused;		/* super-packets the kernel refused (EINVAL): written one by one */
};

struct tun_gro {
	uint32_t l3;			/* where the IP header starts: 0 (tun) or 14 (tap) */
	bool no_tcp, no_udp;		/* that kind is never coalesced (EINVAL seen, or asked) */
	unsigned int nflows;
	struct tun_gro_flow flow[TUN_GRO_FLOWS];
	struct iovec iov[TUN_GRO_MAX_SEGS + 2];
	struct virtio_net_hdr vh;
	struct tun_gro_stats st;
	tun_gro_out_fn out;
	void *ctx;
};

/**
 * tun_gro_init() - an empty coalescer for packets whose IP header is at @l3 (0: tun, 14: tap),
 * written through @out(@ctx, ...).
 */
void tun_gro_init(struct tun_gro *g, uint32_t l3, tun_gro_out_fn out, void *ctx);

/**
 * tun_gro_add() - one packet (@len bytes at @pkt, which must stay valid and unchanged until the
 * next tun_gro_flush()): joined to its flow, held as the start of one, or written alone now (after
 * its flow).  Return: 0, or the first -errno of a write @out failed with (that write's packets
 * were already handed to @out, which counted them).
 */
int tun_gro_add(struct tun_gro *g, const uint8_t *pkt, uint32_t len);

/**
 * tun_gro_flush() - write every held flow, in the order they were opened; none is held after.
 * Return: 0, or the first -errno @out returned.
 */
int tun_gro_flush(struct tun_gro *g);

/**
 * tun_gro_csum_ok() - the checksum of the TCP or UDP packet at @l4 (@l4len bytes) verifies with
 * the pseudo-header of @ip (IPv4 or IPv6 header, @v6).
 */
bool tun_gro_csum_ok(const uint8_t *ip, bool v6, const uint8_t *l4, uint32_t l4len, uint8_t proto);

#endif
