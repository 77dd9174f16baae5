// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * The steering program of `xdpbridge tap|tun` (bpf/xdpbridge_steer.bpf.c) decides frame by
 * frame: run in the kernel with BPF_PROG_TEST_RUN on hand-made frames, one row each, and
 * read which of its counters moved.  No socket is in its XSKMAP, so "would be steered" shows
 * as no_socket (and XDP_PASS); everything else by its own cause.
 *
 * Needs CAP_BPF (root): exits 77 (skipped) when the program cannot be loaded.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "tun.h"
#include "xdpbridge_steer.skel.h"

#define STEER XB_ST_NO_SOCKET	/* "steered", with no socket to steer into */

static struct xdpbridge_steer *skel;
static const uint8_t our_mac[6] = { 2, 0, 0, 0, 7, 2 }, peer_mac[6] = { 2, 0, 0, 0, 7, 1 };

/* ---- frames ---- */

struct frame {
	uint8_t b[256];
	uint32_t len;
};

static void put(struct frame *f, const void *p, size_t n)
{
	memcpy(f->b + f->len, p, n);
	f->len += (uint32_t)n;
}

static void put16(struct frame *f, uint16_t v)
{
	v = htons(v);
	put(f, &v, 2);
}

static void eth(struct frame *f, const uint8_t *dst, uint16_t type)
{
	f->len = 0;
	put(f, dst, 6);
	put(f, peer_mac, 6);
	put16(f, type);
}

static void ipv4(struct frame *f, const uint8_t *dst_mac, const char *dst, uint8_t proto, uint16_t frag, uint16_t dport)
{
	uint8_t h[20] = { 0x45, 0, 0, 0, 0, 0, 0, 0, 64, proto };
	uint32_t s = inet_addr("198.18.7.1"), d = inet_addr(dst);

	eth(f, dst_mac, 0x0800);
	h[6] = (uint8_t)(frag >> 8);
	h[7] = (uint8_t)frag;
	memcpy(h + 12, &s, 4);
	memcpy(h + 16, &d, 4);
	put(f, h, 20);
	put16(f, 40000);
	put16(f, dport);
	put16(f, 8);
	put16(f, 0);
}

static void ipv6_head(struct frame *f, const char *dst, uint8_t next)
{
	uint8_t h[40] = { 0x60, 0, 0, 0, 0, 0, next, 255 };

	eth(f, our_mac, 0x86dd);
	inet_pton(AF_INET6, "2001:2:7::1", h + 8);
	inet_pton(AF_INET6, dst, h + 24);
	put(f, h, 40);
}

static void ipv6_udp(struct frame *f, const char *dst, uint16_t dport)
{
	ipv6_head(f, dst, 17);
	put16(f, 40000);
	put16(f, dport);
	put16(f, 8);
	put16(f, 0);
}

/* ICMPv6 of @type; neighbour solicitations and advertisements carry @target.  @hbh: behind a hop-by-hop header. */
static void icmp6(struct frame *f, uint8_t type, const char *target, bool hbh)
{
	uint8_t m[24] = { type };

	ipv6_head(f, "ff02::1:ff00:2", hbh ? 0 : 58);
	if (hbh) {
		uint8_t opt[8] = { 58, 0, 5, 2, 0, 0, 1, 0 };	/* next 58, length 0: 8 bytes, router alert */

		put(f, opt, 8);
	}
	if (target)
		inet_pton(AF_INET6, target, m + 8);
	put(f, m, sizeof(m));
}

static void arp(struct frame *f, const char *target)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint8_t a[28] = { 0, 1, 8, 0, 6, 4, 0, 1 };
	uint32_t s = inet_addr("198.18.7.1"), t = inet_addr(target);

	eth(f, bcast, 0x0806);
	memcpy(a + 8, peer_mac, 6);
	memcpy(a + 14, &s, 4);
	memcpy(a + 24, &t, 4);
	put(f, a, sizeof(a));
}

/* ---- running it ---- */

static void configure(enum tun_kind kind, const char *const *rules)
{
	struct xb_steer_cfg cfg;
	char err[256];
	uint32_t zero = 0;

	memset(&cfg, 0, sizeof(cfg));
	cfg.mode = kind;
	memcpy(cfg.mac, our_mac, 6);
	for (; rules && *rules; rules++) {
		if (tun_match_parse(*rules, &cfg.rule[cfg.nrules], err, sizeof(err)))
			fail_msg("%s: %s", *rules, err);
		cfg.nrules++;
	}
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(skel->maps.xb_cfg), &zero, &cfg, BPF_ANY), 0);
}

static uint64_t counter(unsigned int k)
{
	int ncpu = libbpf_num_possible_cpus(), c;
	uint64_t v[1024] = { 0 }, sum = 0;

	assert_true(ncpu > 0 && ncpu <= 1024);
	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(skel->maps.xb_stats), &k, v), 0);
	for (c = 0; c < ncpu; c++)
		sum += v[c];
	return sum;
}

/* Run @f once: exactly counter @want moves, and the frame goes to the kernel (no socket). */
static void expect(const char *what, const struct frame *f, unsigned int want)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f->b, .data_size_in = f->len, .repeat = 1);
	uint64_t before[XB_ST_COUNT];
	unsigned int k;

	for (k = 0; k < XB_ST_COUNT; k++)
		before[k] = counter(k);
	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.xdpbridge_steer), &o), 0);
	if (o.retval != XDP_PASS)
		fail_msg("%s: action %u, expected XDP_PASS", what, o.retval);
	for (k = 0; k < XB_ST_COUNT; k++) {
		uint64_t d = counter(k) - before[k];

		if (d != (k == want))
			fail_msg("%s: counter %s moved by %llu, expected %s to move", what, tun_steer_stat_name(k),
				 (unsigned long long)d, tun_steer_stat_name(want));
	}
}

static void test_tun(void **state)
{
	static const uint8_t other[6] = { 2, 0, 0, 0, 9, 9 }, bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	struct frame f;

	(void)state;
	configure(TUN_KIND_TUN, NULL);
	ipv4(&f, our_mac, "198.18.8.2", 17, 0, 53);
	expect("tun: IPv4 for our MAC", &f, STEER);
	ipv4(&f, bcast, "198.18.7.255", 17, 0, 53);
	expect("tun: IPv4 broadcast", &f, STEER);
	ipv4(&f, other, "198.18.8.2", 17, 0, 53);
	expect("tun: IPv4 for another host's MAC", &f, XB_ST_OTHER_HOST);
	arp(&f, "198.18.7.2");
	expect("tun: ARP", &f, XB_ST_ARP_ND);
	icmp6(&f, 135, "2001:2:7::2", false);
	expect("tun: neighbour solicitation", &f, XB_ST_ARP_ND);
	icmp6(&f, 134, NULL, false);
	expect("tun: router advertisement", &f, XB_ST_ARP_ND);
	icmp6(&f, 137, NULL, false);
	expect("tun: redirect", &f, XB_ST_ARP_ND);
	icmp6(&f, 135, "2001:2:7::2", true);
	expect("tun: neighbour solicitation behind a hop-by-hop header", &f, XB_ST_ARP_ND);
	icmp6(&f, 128, NULL, false);
	expect("tun: ICMPv6 echo request", &f, STEER);
	icmp6(&f, 143, NULL, true);
	expect("tun: MLDv2 report", &f, STEER);
	eth(&f, our_mac, 0x88cc);
	put(&f, "lldp-lldp-lldp-lldp-lldp-lldp-lldp-lldp-lldp-", 46);
	expect("tun: LLDP", &f, XB_ST_NON_IP);
	eth(&f, our_mac, 0x8100);
	put(&f, "\x00\x07\x08\x00", 4);
	put(&f, "vlan-tagged-ipv4-vlan-tagged-ipv4-vlan-tagged", 46);
	expect("tun: VLAN-tagged IPv4 (the kernel strips tags, not us)", &f, XB_ST_NON_IP);
	eth(&f, our_mac, 0x0800);	/* test runs refuse less than an Ethernet header */
	expect("tun: an IPv4 ethertype and nothing after it", &f, XB_ST_SHORT);
	ipv4(&f, our_mac, "198.18.8.2", 17, 0, 53);
	f.len = 14 + 12;
	expect("tun: IPv4 cut in its header", &f, XB_ST_SHORT);
	ipv4(&f, our_mac, "198.18.8.2", 17, 0, 53);
	f.b[14] = 0x43;
	expect("tun: IPv4 with IHL 3", &f, XB_ST_SHORT);
	ipv4(&f, our_mac, "198.18.8.2", 17, 0, 53);
	f.b[14] = 0x46;		/* a 24-byte header, cut 2 bytes into its options */
	f.len = 14 + 22;
	expect("tun: IPv4 cut in its options", &f, XB_ST_SHORT);
	ipv6_head(&f, "2001:2:7::2", 0);
	put(&f, "\x11\x02\0\0\0\0\0\0", 8);	/* a hop-by-hop header of 24 bytes, 8 of them here */
	expect("tun: IPv6 cut in a hop-by-hop header", &f, XB_ST_SHORT);
	ipv6_head(&f, "2001:2:7::2", 44);
	put(&f, "\x2c\0\x05\xc8\0\0\0\1", 8);	/* fragment at 185 * 8, next header "fragment" */
	/* Its payload, which looks like a first fragment's header and a neighbour solicitation: data, not headers. */
	put(&f, "\x3a\0\0\0\0\0\0\1\x87\0\0\0\0\0\0\0", 16);
	expect("tun: a later IPv6 fragment whose payload looks like headers", &f, STEER);
}

static void test_tun_match(void **state)
{
	static const char *const rules[] = { "dst=198.18.5.0/24,proto=udp,dport=5000", "dst=2001:2:5::/48", NULL };
	struct frame f;

	(void)state;
	configure(TUN_KIND_TUN, rules);
	ipv4(&f, our_mac, "198.18.5.9", 17, 0, 5000);
	expect("match: UDP to 198.18.5.9:5000", &f, STEER);
	ipv4(&f, our_mac, "198.18.5.9", 17, 0, 5001);
	expect("match: UDP to port 5001", &f, XB_ST_NO_MATCH);
	ipv4(&f, our_mac, "198.18.5.9", 6, 0, 5000);
	expect("match: TCP to port 5000", &f, XB_ST_NO_MATCH);
	ipv4(&f, our_mac, "198.18.6.1", 17, 0, 5000);
	expect("match: UDP to 198.18.6.1:5000", &f, XB_ST_NO_MATCH);
	ipv4(&f, our_mac, "198.18.5.9", 17, 185, 5000);
	expect("match: a later fragment has no ports", &f, XB_ST_NO_MATCH);
	ipv4(&f, our_mac, "198.18.5.9", 17, 0x2000, 5000);
	expect("match: a first fragment has them", &f, STEER);
	ipv6_udp(&f, "2001:2:5::1", 9);
	expect("match: IPv6 to 2001:2:5::1", &f, STEER);
	ipv6_udp(&f, "2001:2:6::1", 9);
	expect("match: IPv6 to 2001:2:6::1", &f, XB_ST_NO_MATCH);
	arp(&f, "198.18.5.9");
	expect("match: ARP still goes to the kernel", &f, XB_ST_ARP_ND);
	icmp6(&f, 135, "2001:2:5::1", false);
	expect("match: so does a solicitation for a matched address", &f, XB_ST_ARP_ND);
}

static void test_tap(void **state)
{
	static const uint8_t other[6] = { 2, 0, 0, 0, 9, 9 };
	static const char *const rules[] = { "dst=198.18.7.0/24", "dst=2001:2:7::/64", "proto=udp", NULL };
	struct frame f;

	(void)state;
	configure(TUN_KIND_TAP, NULL);
	arp(&f, "198.18.9.9");
	expect("tap: ARP (the TAP answers its own)", &f, STEER);
	ipv4(&f, other, "198.18.8.2", 6, 0, 80);
	expect("tap: a frame for another MAC (the TAP's)", &f, STEER);
	eth(&f, our_mac, 0x88cc);
	put(&f, "lldp-lldp-lldp-lldp-lldp-lldp-lldp-lldp-lldp-", 46);
	expect("tap: LLDP", &f, STEER);
	icmp6(&f, 133, NULL, false);
	expect("tap: router solicitation", &f, STEER);

	configure(TUN_KIND_TAP, rules);
	arp(&f, "198.18.7.2");
	expect("tap+match: ARP for a matched address", &f, STEER);
	arp(&f, "198.18.9.1");
	expect("tap+match: ARP for another", &f, XB_ST_ARP_ND);
	icmp6(&f, 135, "2001:2:7::2", false);
	expect("tap+match: solicitation for a matched address", &f, STEER);
	icmp6(&f, 136, "2001:2:9::2", false);
	expect("tap+match: advertisement of another", &f, XB_ST_ARP_ND);
	icmp6(&f, 134, NULL, false);
	expect("tap+match: router advertisement", &f, XB_ST_ARP_ND);
	ipv4(&f, our_mac, "198.18.7.2", 6, 0, 80);
	expect("tap+match: TCP to 198.18.7.2", &f, STEER);
	ipv4(&f, our_mac, "198.18.8.1", 17, 0, 80);
	expect("tap+match: UDP anywhere", &f, STEER);
	ipv4(&f, our_mac, "198.18.8.1", 6, 0, 80);
	expect("tap+match: TCP to 198.18.8.1", &f, XB_ST_NO_MATCH);
	ipv6_head(&f, "2001:2:9::2", 44);
	put(&f, "\x3c\0\x05\xc8\0\0\0\1", 8);	/* fragment at 185 * 8, next header "destination options" */
	put(&f, "\x11\0\0\0\0\0\0\0\0\x35\0\x35", 12);	/* payload: not options followed by UDP */
	expect("tap+match: a later IPv6 fragment is not UDP for what its payload says", &f, XB_ST_NO_MATCH);
	eth(&f, our_mac, 0x88cc);
	put(&f, "lldp-lldp-lldp-lldp-lldp-lldp-lldp-lldp-lldp-", 46);
	expect("tap+match: LLDP", &f, XB_ST_NON_IP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tun),
		cmocka_unit_test(test_tun_match),
		cmocka_unit_test(test_tap),
	};
	int err, ret;

	libbpf_set_print(NULL);
	skel = xdpbridge_steer__open();
	if (!skel) {
		printf("SKIP test_bridge_tun_steer: cannot open the steering program: %s\n", strerror(errno));
		return 77;
	}
	err = xdpbridge_steer__load(skel);
	if (err) {
		printf("SKIP test_bridge_tun_steer: cannot load the steering program (%s): needs CAP_BPF (root)\n",
		       strerror(-err));
		xdpbridge_steer__destroy(skel);
		return 77;
	}
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	xdpbridge_steer__destroy(skel);
	return ret;
}
