// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * Packets from a TUN on their way to the wire: their family and destination, the MAC of a
 * group destination, the Ethernet header.  Pure functions on bytes (the unit tests feed them).
 */
#include <string.h>

#include "tun.h"

int tun_frame_dst(const uint8_t *pkt, uint32_t len, uint8_t addr[16])
{
	if (len < 1)
		return 0;
	switch (pkt[0] >> 4) {
	case 4:
		/* A header shorter than 20 bytes or longer than the packet is the kernel's to refuse. */
		if (len < 20 || (pkt[0] & 0x0f) < 5)
			return 0;
		memset(addr, 0, 16);
		memcpy(addr, pkt + 16, 4);
		return 4;
	case 6:
		if (len < 40)
			return 0;
		memcpy(addr, pkt + 24, 16);
		return 6;
	default:
		return 0;
	}
}

bool tun_frame_group_mac(int family, const uint8_t *addr, uint8_t mac[6])
{
	if (family == 4) {
		if (addr[0] == 255 && addr[1] == 255 && addr[2] == 255 && addr[3] == 255) {
			memset(mac, 0xff, 6);
			return true;
		}
		if ((addr[0] & 0xf0) != 0xe0)
			return false;
		/* RFC 1112: 01:00:5e and the low 23 bits of the group. */
		mac[0] = 0x01;
		mac[1] = 0x00;
		mac[2] = 0x5e;
		mac[3] = addr[1] & 0x7f;
		mac[4] = addr[2];
		mac[5] = addr[3];
		return true;
	}
	if (family == 6 && addr[0] == 0xff) {
		/* RFC 2464: 33:33 and the low 32 bits of the group. */
		mac[0] = 0x33;
		mac[1] = 0x33;
		memcpy(mac + 2, addr + 12, 4);
		return true;
	}
	return false;
}

void tun_frame_eth(uint8_t *hdr, const uint8_t dst[6], const uint8_t src[6], int family)
{
	memcpy(hdr, dst, 6);
	memcpy(hdr + 6, src, 6);
	hdr[12] = family == 6 ? 0x86 : 0x08;
	hdr[13] = family == 6 ? 0xdd : 0x00;
}

bool tun_frame_tagged(const uint8_t *f, uint32_t len)
{
	return len >= TUN_ETH_HLEN && ((f[12] == 0x81 && f[13] == 0x00) || (f[12] == 0x88 && f[13] == 0xa8));
}
