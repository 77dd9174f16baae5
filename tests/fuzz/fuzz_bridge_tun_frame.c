// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * libFuzzer target for the pure functions a packet from the TUN, or a frame from the TAP, goes
 * through on its way to the wire (bridge/tun_frame.c, and the checksum of tun_gso.c), each held
 * against a definition written here from the RFCs:
 *
 *   tun_frame_dst()        the family and destination of an IP packet (0 when it is neither, or
 *                          shorter than its header), never reading past the packet
 *   tun_frame_group_mac()  RFC 1112 (01:00:5e + 23 bits), RFC 2464 (33:33 + 32 bits), broadcast
 *   tun_frame_eth()        the Ethernet header built for it, read back
 *   tun_frame_tagged()     an 802.1Q or 802.1ad tag, never read past a short frame
 *   tun_csum_add()         word-wise, any alignment, any running sum, chained at an even split:
 *                          what a byte-wise sum gives (RFC 1071)
 *
 * The input: bytes 0-3 a running sum, byte 4 the split point of the chained sum, bytes 5-16
 * two MACs, the rest the packet (copied to a block of exactly its size).
 * Seeds: tests/fuzz/corpus/fuzz_bridge_tun_frame/ (tests/fuzz/mkseeds.py).
 */
#include "fuzz.h"
#include "tun.h"

static int ref_dst(const uint8_t *p, uint32_t len, uint8_t addr[16])
{
	memset(addr, 0, 16);
	if (len >= 20 && p[0] >> 4 == 4 && (p[0] & 0x0f) >= 5) {
		memcpy(addr, p + 16, 4);
		return 4;
	}
	if (len >= 40 && p[0] >> 4 == 6) {
		memcpy(addr, p + 24, 16);
		return 6;
	}
	return 0;
}

static bool ref_group_mac(int family, const uint8_t *a, uint8_t mac[6])
{
	static const uint8_t bcast[4] = { 255, 255, 255, 255 };

	if (family == 4 && !memcmp(a, bcast, 4)) {
		memset(mac, 0xff, 6);
		return true;
	}
	if (family == 4 && a[0] >= 224 && a[0] <= 239) {
		const uint8_t m[6] = { 0x01, 0x00, 0x5e, (uint8_t)(a[1] & 0x7f), a[2], a[3] };

		memcpy(mac, m, 6);
		return true;
	}
	if (family == 6 && a[0] == 0xff) {
		mac[0] = mac[1] = 0x33;
		memcpy(mac + 2, a + 12, 4);
		return true;
	}
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in rd = { data, size };
	uint32_t sum = fz_u32(&rd), split = fz_u8(&rd), len, k;
	uint8_t mac[2][6], addr[16], want[16], gm[6], wgm[6], *eth, *p;
	size_t got;
	int fam;

	memcpy(mac[0], fz_bytes(&rd, 6, &got), got);
	memcpy(mac[1], fz_bytes(&rd, 6, &got), got);
	p = fz_rest(&rd, &got);
	len = (uint32_t)got;

	/* The checksum: any alignment (the packet's own), chained at an even split. */
	assert_int_equal(tun_csum_fold(tun_csum_add(sum, p, len)), (uint16_t)~fz_fold(fz_sum(sum, p, len)));
	k = (split * 2) < len ? split * 2 : len & ~1u;
	assert_int_equal(tun_csum_fold(tun_csum_add(tun_csum_add(sum, p, k), p + k, len - k)),
			 (uint16_t)~fz_fold(fz_sum(sum, p, len)));
	if (len)
		assert_int_equal(tun_csum_fold(tun_csum_add(0, p + 1, len - 1)), (uint16_t)~fz_fold(fz_sum(0, p + 1, len - 1)));

	/* Where a packet from the TUN goes. */
	memset(addr, 0xaa, sizeof(addr));
	fam = tun_frame_dst(p, len, addr);
	assert_int_equal(fam, ref_dst(p, len, want));
	if (fam) {
		assert_memory_equal(addr, want, 16);
		assert_int_equal(tun_frame_group_mac(fam, addr, gm), ref_group_mac(fam, want, wgm));
		if (ref_group_mac(fam, want, wgm))
			assert_memory_equal(gm, wgm, 6);
	}
	/* Any 16 bytes as an address of either family. */
	if (len >= 16) {
		assert_int_equal(tun_frame_group_mac(4, p, gm), ref_group_mac(4, p, wgm));
		if (ref_group_mac(4, p, wgm))
			assert_memory_equal(gm, wgm, 6);
		assert_int_equal(tun_frame_group_mac(6, p, gm), ref_group_mac(6, p, wgm));
		if (ref_group_mac(6, p, wgm))
			assert_memory_equal(gm, wgm, 6);
	}

	/* Its Ethernet header, built in a block of exactly 14 bytes, read back. */
	eth = malloc(TUN_ETH_HLEN);
	assert_non_null(eth);
	tun_frame_eth(eth, mac[0], mac[1], fam ? fam : 4);
	assert_memory_equal(eth, mac[0], 6);
	assert_memory_equal(eth + 6, mac[1], 6);
	assert_int_equal(eth[12] << 8 | eth[13], fam == 6 ? 0x86dd : 0x0800);
	assert_false(tun_frame_tagged(eth, TUN_ETH_HLEN));
	free(eth);

	/* A frame from the TAP: tagged or not, never read past its end. */
	assert_int_equal(tun_frame_tagged(p, len),
			 len >= 14 && ((p[12] == 0x81 && p[13] == 0x00) || (p[12] == 0x88 && p[13] == 0xa8)));
	free(p);
	return 0;
}
