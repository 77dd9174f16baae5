// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * The lab-file grammar of issue 14: bridge, offload, rate/burst/delay/loss, route, sysctl, neigh,
 * exec, expect, and quoted words.  One row per error path, each naming the file and the line; then
 * a good file read back field by field, and the shipped examples.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "lab.h"

static struct xl_lab *lab;

static int setup(void **state)
{
	(void)state;
	lab = malloc(sizeof(*lab));
	return lab ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(lab);
	return 0;
}

static int parse(const char *text)
{
	return xl_parse(lab, "t.lab", text, strlen(text));
}

#define HDR "lab x\nnode a b\nveth a:e b:e\n" /* lines 1 to 3 */

static const struct bad {
	const char *text;
	const char *msg; /* xl_errmsg() starts with this */
} bad[] = {
	/* quotes */
	{ HDR "exec a -- sh -c 'echo\n", "t.lab:4: the single quote opened on this line is not closed" },
	{ HDR "exec a -- sh -c \"echo\n", "t.lab:4: the double quote opened on this line is not closed" },
	/* bridge */
	{ HDR "bridge a:br0\n", "t.lab:4: 'bridge' needs a name and its ports: bridge NODE:IF ports IF..." },
	{ HDR "bridge a:br0 port e\n", "t.lab:4: 'bridge' needs a name and its ports" },
	{ HDR "bridge a:br0 ports\n", "t.lab:4: 'bridge' needs a name and its ports" },
	{ HDR "bridge a:e ports e\n", "t.lab:4: a:e is already declared on line 3" },
	{ HDR "bridge a:br0 ports f\n", "t.lab:4: port 'f' is not an interface of node a (declare it before the bridge)" },
	{ HDR "bridge a:br0 ports br0\n", "t.lab:4: bridge a:br0 cannot be its own port" },
	{ HDR "bridge a:br0 ports e e\n", "t.lab:4: a:e is already a port of a:br0 (line 4)" },
	{ HDR "bridge a:br0 ports e\nbridge a:br1 ports e\n", "t.lab:5: a:e is already a port of a:br0 (line 4)" },
	{ HDR "veth a:f a:g\nbridge a:br0 ports e\nbridge a:br1 ports f br0\n",
	  "t.lab:6: a:br0 is a bridge: the kernel does not take a bridge as a port of another bridge" },
	{ HDR "bridge a:br0 ports e\nmacvlan a:m parent e mode bridge\n",
	  "t.lab:5: parent a:e of macvlan a:m is a port of bridge a:br0 (line 4): an interface takes either macvlans or a "
	  "bridge, not both" },
	{ HDR "macvlan a:m parent e mode bridge\nbridge a:br0 ports e\n", "t.lab:4: parent a:e of macvlan a:m is a port" },
	{ HDR "bridge a:br0 ports e\niface a:br0 gro\n",
	  "t.lab:5: 'gro' is for veth ends (a:br0 is a bridge, which has no NAPI of its own)" },
	{ HDR "bridge a:br0 ports e\niface a:br0 queues 2\n",
	  "t.lab:5: 'queues' is for veth ends and macvlans (a:br0 is a bridge, which queues nothing of its own)" },
	{ HDR "bridge a:br0 ports e\niface b:br0 mtu 1400\n", "t.lab:5: b:br0 is not declared" },
	/* offload switches */
	{ HDR "iface a:e offload\n", "t.lab:4: 'offload' needs a value: offload NAME on|off" },
	{ HDR "iface a:e offload tx\n", "t.lab:4: 'offload' needs NAME on|off pairs, as ethtool -K takes them: offload tx off "
				       "tso off" },
	{ HDR "iface a:e offload tx of\n", "t.lab:4: 'offload' needs NAME on|off pairs" },
	{ HDR "iface a:e offload TX off\n", "t.lab:4: offload name 'TX' is not a feature name: letters, digits and '-', as "
					   "ethtool -K takes them" },
	{ HDR "iface a:e offload abcdefghijabcdefghijabcdefghijab off\n", "t.lab:4: offload name 'abcdefghijabcdefghij" },
	{ HDR "iface a:e offload tx off tx on\n", "t.lab:4: offload tx of a:e is already set on line 4" },
	{ HDR "iface a:e offload tx off\niface a:e offload tx on\n", "t.lab:5: offload tx of a:e is already set on line 4" },
	{ HDR "iface a:e offload gro on rx-gro off\n", "t.lab:4: offload rx-gro of a:e is already set on line 4" },
	{ HDR "iface a:e gro\niface a:e offload gro off\n", "t.lab:5: offload gro off on a:e contradicts 'gro' on line 4" },
	{ HDR "iface a:e offload tx off mtu\n", "t.lab:4: 'mtu' needs a value" },
	{ HDR "iface a:e offload tx off speed 10\n", "t.lab:4: unknown option 'speed' for iface" },
	/* rate, burst, delay, loss */
	{ HDR "iface a:e rate 10\n", "t.lab:4: rate '10' is not a number with a unit: bit, kbit, mbit or gbit (e.g. 100mbit)" },
	{ HDR "iface a:e rate 10mbps\n", "t.lab:4: rate '10mbps' is not a number with a unit" },
	{ HDR "iface a:e rate mbit\n", "t.lab:4: rate 'mbit' is not a number with a unit" },
	{ HDR "iface a:e rate 7kbit\n", "t.lab:4: rate '7kbit' is out of range (8kbit..16gbit)" },
	{ HDR "iface a:e rate 17gbit\n", "t.lab:4: rate '17gbit' is out of range (8kbit..16gbit)" },
	{ HDR "iface a:e rate 9999999999999gbit\n", "t.lab:4: rate '9999999999999gbit' is out of range" },
	{ HDR "iface a:e rate 1mbit\niface a:e rate 2mbit\n", "t.lab:5: rate of a:e is already set on line 4" },
	{ HDR "iface a:e burst 32k\n", "t.lab:4: burst on a:e needs a rate: it is the size of tbf's bucket" },
	{ HDR "iface a:e rate 1mbit burst 1000\n",
	  "t.lab:4: burst 1000 of a:e is smaller than one frame (mtu 1500 + 14): tbf would never send a full one" },
	{ HDR "iface a:e rate 1mbit burst 32q\n", "t.lab:4: burst '32q' is not a size in bytes (e.g. 32k: k and m count 1024)" },
	{ HDR "iface a:e rate 1mbit burst 65m\n", "t.lab:4: burst '65m' is out of range (64 bytes..64m)" },
	{ HDR "iface a:e delay 10\n", "t.lab:4: delay '10' is not a time with a unit: us, ms or s (e.g. 10ms)" },
	{ HDR "iface a:e delay 0ms\n", "t.lab:4: delay '0ms' is out of range (1us..10s)" },
	{ HDR "iface a:e delay 11s\n", "t.lab:4: delay '11s' is out of range (1us..10s)" },
	{ HDR "iface a:e loss 1\n", "t.lab:4: loss '1' is not a percentage (e.g. 1% or 0.5%: at most 4 decimals)" },
	{ HDR "iface a:e loss .%\n", "t.lab:4: loss '.%' is not a percentage" },
	{ HDR "iface a:e loss 0.00001%\n", "t.lab:4: loss '0.00001%' is not a percentage" },
	{ HDR "iface a:e loss 0%\n", "t.lab:4: loss '0%' is out of range (0.0001%..100%)" },
	{ HDR "iface a:e loss 100.5%\n", "t.lab:4: loss '100.5%' is out of range" },
	{ HDR "iface a:e loss 1000%\n", "t.lab:4: loss '1000%' is out of range" },
	/* route */
	{ HDR "route a 198.18.2.0/24\n", "t.lab:4: 'route' needs a node, a prefix and a next hop: route NODE PREFIX via ADDR" },
	{ HDR "route z 198.18.2.0/24 via 198.18.1.2\n", "t.lab:4: unknown node 'z' (declare it with 'node z' before this line)" },
	{ HDR "route a 198.18.2.0 via 198.18.1.2\n", "t.lab:4: '198.18.2.0' is not a prefix like 198.18.2.0/24 or "
						     "2001:2:0:2::/64 (or 'default')" },
	{ HDR "route a 198.18.2.0/33 via 198.18.1.2\n", "t.lab:4: prefix length '33' of 198.18.2.0 is out of range (0..32)" },
	{ HDR "route a 198.18.2.1/24 via 198.18.1.2\n", "t.lab:4: 198.18.2.1/24 has host bits set: the prefix is 198.18.2.0/24" },
	{ HDR "route a 2001:2:0:2::1/64 via 2001:2::2\n",
	  "t.lab:4: 2001:2:0:2::1/64 has host bits set: the prefix is 2001:2:0:2::/64" },
	{ HDR "route a 198.18.2.0/24 gw 198.18.1.2\n", "t.lab:4: unknown word 'gw' in route (expected route NODE PREFIX via "
						      "ADDR [dev IF], route NODE PREFIX dev IF or route NODE default via ADDR [dev IF])" },
	{ HDR "route a 198.18.2.0/24 via\n", "t.lab:4: 'via' needs a value: via ADDR" },
	{ HDR "route a 198.18.2.0/24 dev e via\n", "t.lab:4: 'via' needs a value: via ADDR" },
	{ HDR "route a 198.18.2.0/24 via 198.18.1.2 via 198.18.1.3\n", "t.lab:4: 'via' is given twice on this line" },
	{ HDR "route a 198.18.2.0/24 via 198.18.1.2/24\n", "t.lab:4: '198.18.1.2/24' is not an address: write it without a "
							  "prefix length" },
	{ HDR "route a 198.18.2.0/24 via 2001:2::1\n", "t.lab:4: gateway 2001:2::1 is IPv6 but prefix 198.18.2.0/24 is IPv4" },
	{ HDR "route a 198.18.2.0/24 dev f\n", "t.lab:4: dev 'f' is not an interface of node a (declare it before this line)" },
	{ HDR "route a default dev e\n", "t.lab:4: 'default' needs 'via ADDR': the gateway's family says whether it is the "
					  "IPv4 or the IPv6 default route" },
	{ HDR "route a default via 224.0.0.1\n", "t.lab:4: gateway 224.0.0.1 is a multicast address" },
	{ HDR "route a default via 0.0.0.0\n", "t.lab:4: gateway 0.0.0.0 is the unspecified address" },
	{ HDR "iface a:e addr 198.18.1.1/24\nroute a default via 198.18.1.1\n",
	  "t.lab:5: gateway 198.18.1.1 is node a's own address (on a:e): a gateway is another node" },
	{ HDR "route a default via fe80::1\n", "t.lab:4: link-local gateway fe80::1 needs 'dev IF': every link has fe80::/64" },
	{ HDR "route a default via 198.18.1.2\nroute a 0.0.0.0/0 via 198.18.1.3\n",
	  "t.lab:5: node a already has a route to default (IPv4) (line 4)" },
	{ HDR "route a 198.18.2.0/24 via 198.18.1.2\nroute a 198.18.2.0/24 dev e\n",
	  "t.lab:5: node a already has a route to 198.18.2.0/24 (line 4)" },
	{ "lab x\nnode a b\nveth a:e b:e mtu 1000\nroute a 2001:2:9::/64 dev e\n",
	  "t.lab:4: IPv6 route 2001:2:9::/64 dev e needs mtu 1280 or more on a:e (it has 1000" },
	/* sysctl */
	{ HDR "sysctl a\n", "t.lab:4: 'sysctl' takes a node and one KEY=VALUE: sysctl NODE net.ipv4.ip_forward=1" },
	{ HDR "sysctl a net.ipv4.ip_forward 1\n", "t.lab:4: 'sysctl' takes a node and one KEY=VALUE" },
	{ HDR "sysctl a net.ipv4.ip_forward\n", "t.lab:4: 'sysctl' takes a node and one KEY=VALUE" },
	{ HDR "sysctl z net.ipv4.ip_forward=1\n", "t.lab:4: unknown node 'z'" },
	{ HDR "sysctl a kernel.panic=1\n", "t.lab:4: sysctl 'kernel.panic' is not a net.* key: only those belong to a node's "
					  "namespace (any other would change the whole machine)" },
	{ HDR "sysctl a net.=1\n", "t.lab:4: sysctl 'net.' is not a net.* key" },
	{ HDR "sysctl a net.ipv4..x=1\n", "t.lab:4: sysctl key 'net.ipv4..x' is not a key like net.ipv4.ip_forward" },
	{ HDR "sysctl a net.ipv4.x.=1\n", "t.lab:4: sysctl key 'net.ipv4.x.' is not a key" },
	{ HDR "sysctl a net.ipv4.a*b=1\n", "t.lab:4: sysctl key 'net.ipv4.a*b' is not a key" },
	{ HDR "sysctl a net.ipv4.ip_forward=\n", "t.lab:4: sysctl net.ipv4.ip_forward needs a value after '='" },
	{ HDR "sysctl a net.ipv4.ip_forward=1\nsysctl a net.ipv4.ip_forward=0\n",
	  "t.lab:5: sysctl net.ipv4.ip_forward of node a is already set on line 4" },
	/* neigh */
	{ HDR "neigh a:e 198.18.1.2\n", "t.lab:4: 'neigh' takes an interface, an address and a MAC: neigh NODE:IF 198.18.1.2 "
					 "02:00:00:00:00:02" },
	{ HDR "neigh a:f 198.18.1.2 02:00:00:00:00:02\n", "t.lab:4: a:f is not declared" },
	{ HDR "neigh a:e 198.18.1.2/24 02:00:00:00:00:02\n", "t.lab:4: '198.18.1.2/24' is not an address: write it without" },
	{ HDR "neigh a:e 198.18.1.256 02:00:00:00:00:02\n", "t.lab:4: '198.18.1.256' is not an IPv4 or IPv6 address" },
	{ HDR "neigh a:e 224.0.0.5 02:00:00:00:00:02\n", "t.lab:4: 224.0.0.5 is a multicast address" },
	{ HDR "neigh a:e 198.18.1.2 02:00:00:00:00\n", "t.lab:4: mac '02:00:00:00:00' is not six hex bytes" },
	{ HDR "neigh a:e 198.18.1.2 02:00:00:00:00:02\nneigh a:e 198.18.1.2 02:00:00:00:00:03\n",
	  "t.lab:5: a:e already has a neighbour 198.18.1.2 (line 4)" },
	/* exec */
	{ HDR "exec a\n", "t.lab:4: exec needs '--' before the command: exec NODE [timeout SECS] -- CMD [ARG...]" },
	{ HDR "exec\n", "t.lab:4: 'exec' needs a node and a command" },
	{ HDR "exec z -- true\n", "t.lab:4: unknown node 'z'" },
	{ HDR "exec a true\n", "t.lab:4: exec needs '--' before the command" },
	{ HDR "exec a --\n", "t.lab:4: exec needs a command after '--'" },
	{ HDR "exec a -- ''\n", "t.lab:4: exec needs a command after '--'" },
	{ HDR "exec a timeout -- true\n", "t.lab:4: timeout '--' is not a number of seconds (1..3600)" },
	{ HDR "exec a timeout 0 -- true\n", "t.lab:4: timeout '0' is not a number of seconds (1..3600)" },
	{ HDR "exec a timeout 3601 -- true\n", "t.lab:4: timeout '3601' is not a number of seconds" },
	/* expect */
	{ HDR "expect a ping\n", "t.lab:4: 'expect' takes a node, ping or no-ping, and an address: expect NODE ping 198.18.2.2" },
	{ HDR "expect a pong 198.18.1.2\n", "t.lab:4: unknown expectation 'pong' (expected ping or no-ping)" },
	{ HDR "expect z ping 198.18.1.2\n", "t.lab:4: unknown node 'z'" },
	{ HDR "expect a ping 198.18.1.0/24\n", "t.lab:4: '198.18.1.0/24' is not an address: write it without a prefix length" },
	{ HDR "expect a ping 0.0.0.0\n", "t.lab:4: 0.0.0.0 is the unspecified address: an echo needs a destination" },
	{ HDR "expect a ping ::\n", "t.lab:4: :: is the unspecified address" },
	{ HDR "expect a ping 224.0.0.1\n", "t.lab:4: 224.0.0.1 is a multicast or broadcast address: expect pings one unicast "
					  "address" },
	{ HDR "expect a ping 255.255.255.255\n", "t.lab:4: 255.255.255.255 is a multicast or broadcast address" },
	{ HDR "expect a no-ping ff02::1\n", "t.lab:4: ff02::1 is a multicast or broadcast address" },
	{ HDR "expect a ping fe80::1\n", "t.lab:4: fe80::1 is link-local: it needs an interface, which expect does not take" },
};

static void test_bad_rows(void **state)
{
	int failed = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int err = parse(bad[i].text);

		if (err != -EINVAL || strncmp(xl_errmsg(), bad[i].msg, strlen(bad[i].msg))) {
			print_error("row %zu: %s\n  got:      %d %s\n  expected: %s\n", i, bad[i].text, err, xl_errmsg(),
				    bad[i].msg);
			failed++;
		}
	}
	if (failed)
		fail_msg("%d of %zu rows", failed, sizeof(bad) / sizeof(bad[0]));
}

/* The limits of the new tables: each one a message, never an overflow. */
static void test_limits(void **state)
{
	size_t cap = 1 << 20, n;
	char *t = malloc(cap);
	int i;

	(void)state;
	assert_non_null(t);
	n = (size_t)snprintf(t, cap, HDR);
	for (i = 0; i < XL_MAX_ROUTES + 1; i++)
		n += (size_t)snprintf(t + n, cap - n, "route a 198.%d.%d.0/24 dev e\n", 100 + i / 256, i % 256);
	assert_int_equal(xl_parse(lab, "t.lab", t, n), -EINVAL);
	assert_string_equal(xl_errmsg(), "t.lab:260: more than 256 routes in one lab");
	n = (size_t)snprintf(t, cap, HDR);
	for (i = 0; i < XL_MAX_EXECS + 1; i++)
		n += (size_t)snprintf(t + n, cap - n, "exec a -- true\n");
	assert_int_equal(xl_parse(lab, "t.lab", t, n), -EINVAL);
	assert_string_equal(xl_errmsg(), "t.lab:36: more than 32 exec lines in one lab");
	n = (size_t)snprintf(t, cap, HDR "iface a:e offload");
	for (i = 0; i < XL_MAX_OFFLOADS + 1; i++)
		n += (size_t)snprintf(t + n, cap - n, " f%d off", i);
	assert_int_equal(xl_parse(lab, "t.lab", t, n), -EINVAL);
	assert_string_equal(xl_errmsg(), "t.lab:4: more than 16 offload switches on a:e");
	n = (size_t)snprintf(t, cap, HDR);
	for (i = 0; i < XL_MAX_SYSCTLS + 1; i++)
		n += (size_t)snprintf(t + n, cap - n, "sysctl %s net.k%d=1\n", i % 2 ? "a" : "b", i);
	assert_int_equal(xl_parse(lab, "t.lab", t, n), -EINVAL);
	assert_string_equal(xl_errmsg(), "t.lab:132: more than 128 sysctls in one lab");
	/* the longest exec line there can be: every word kept */
	n = (size_t)snprintf(t, cap, HDR "exec a --");
	for (i = 0; i < XL_MAX_WORDS - 3; i++)
		n += (size_t)snprintf(t + n, cap - n, " w%d", i);
	assert_int_equal(xl_parse(lab, "t.lab", t, n), 0);
	assert_int_equal(lab->execs[0].argc, XL_MAX_WORDS - 3);
	free(t);
}

static const char mixed[] =
	"lab demo\n"						/* 1 */
	"node a b r\n"						/* 2 */
	"veth a:e0 r:e0 offload tx off tso off rate 100mbit\n"	/* 3 */
	"veth b:e0 r:e1\n"					/* 4 */
	"veth r:p1 r:p2 mtu 9000\n"				/* 5 */
	"bridge r:br0 ports p1 p2\n"				/* 6 */
	"iface r:br0 addr 198.18.9.1/24 mtu 1400 offload gso off\n" /* 7 */
	"iface a:e0 addr 198.18.1.1/24 addr 2001:2:0:1::1/64 offload tx on # this end only\n" /* 8 */
	"iface r:e0 addr 198.18.1.2/24 addr 2001:2:0:1::2/64 rate 1gbit burst 64k delay 10ms loss 0.25%\n" /* 9 */
	"iface b:e0 addr 198.18.2.2/24\n"			/* 10 */
	"route a default via 198.18.1.2\n"			/* 11 */
	"route a 2001:2:0:2::/64 via 2001:2:0:1::2 dev e0\n"	/* 12 */
	"route b 198.18.1.0/24 dev e0\n"			/* 13 */
	"route b 0.0.0.0/0 via fe80::1 dev e0\n"		/* 14: an IPv4 prefix needs an IPv4 gateway */
	;

static void test_mixed_family(void **state)
{
	(void)state;
	assert_int_equal(parse(mixed), -EINVAL);
	assert_string_equal(xl_errmsg(), "t.lab:14: gateway fe80::1 is IPv6 but prefix 0.0.0.0/0 is IPv4");
}

static const char good[] =
	"lab demo\n"						/* 1 */
	"node a b r\n"						/* 2 */
	"veth a:e0 r:e0 offload tx off tso off rate 100mbit\n"	/* 3 */
	"veth b:e0 r:e1\n"					/* 4 */
	"veth r:p1 r:p2 mtu 9000\n"				/* 5 */
	"bridge r:br0 ports p1 p2\n"				/* 6 */
	"iface r:br0 addr 198.18.9.1/24 offload gso off\n"	/* 7 */
	"iface a:e0 addr 198.18.1.1/24 addr 2001:2:0:1::1/64 offload tx on # this end only\n" /* 8 */
	"iface r:e0 addr 198.18.1.2/24 addr 2001:2:0:1::2/64 rate 1gbit burst 64k delay 10ms loss 0.25%\n" /* 9 */
	"iface b:e0 addr 198.18.2.2/24\n"			/* 10 */
	"route a default via 198.18.1.2\n"			/* 11 */
	"route a 2001:2:0:2::/64 via 2001:2:0:1::2 dev e0\n"	/* 12 */
	"route b 198.18.1.0/24 dev e0\n"			/* 13 */
	"route b default via fe80::1 dev e0\n"			/* 14 */
	"sysctl r net.ipv4.ip_forward=1\n"			/* 15 */
	"sysctl r net.ipv4.conf.e0.rp_filter=2\n"		/* 16: about a lab interface */
	"sysctl r net.ipv6.conf.all.forwarding=1\n"		/* 17 */
	"sysctl r 'net.ipv4.ping_group_range=0 2147483647'\n"	/* 18: quoted, a value with a space */
	"neigh a:e0 198.18.1.9 02:00:00:00:00:09\n"		/* 19 */
	"exec r -- sh -c \"echo '#1' \\\"x\\\"\" a' b'c ''\n"	/* 20 */
	"exec a timeout 5 -- true\n"				/* 21 */
	"expect a ping 198.18.2.2\n"				/* 22 */
	"expect b no-ping 2001:2:0:1::1\n";			/* 23 */

static void test_good(void **state)
{
	const struct xl_iface *f;
	const struct xl_route *r;
	char *argv[XL_MAX_WORDS + 1], what[256];
	int br, p1;

	(void)state;
	if (parse(good))
		fail_msg("%s", xl_errmsg());
	/* veth line's switches on both ends; a:e0's own line turns tx back on for that end */
	f = &lab->ifaces[xl_lab_iface(lab, 0, "e0")];
	assert_int_equal(f->noffloads, 2);
	assert_string_equal(f->offloads[0].name, "tx");
	assert_true(f->offloads[0].on);
	assert_int_equal(f->offloads[0].line, 8);
	assert_string_equal(f->offloads[1].name, "tso");
	assert_false(f->offloads[1].on);
	assert_int_equal(f->rate, 100000000ull);
	f = &lab->ifaces[xl_lab_iface(lab, 2, "e0")];
	assert_false(xl_lab_offload(lab, xl_lab_iface(lab, 2, "e0"), "tx")->on);
	assert_int_equal(f->rate, 1000000000ull);	/* its own line wins over the veth line's 100mbit */
	assert_int_equal(f->opt_line[XL_OPT_RATE], 9);
	assert_int_equal(f->burst, 65536);
	assert_int_equal(f->delay_us, 10000);
	assert_int_equal(f->loss_ppm, 2500);
	/* the bridge: its ports, its MTU (the smallest port's), its own settings */
	br = xl_lab_iface(lab, 2, "br0");
	p1 = xl_lab_iface(lab, 2, "p1");
	assert_int_equal(lab->ifaces[br].kind, XL_BRIDGE);
	assert_int_equal(lab->ifaces[p1].master, br);
	assert_int_equal(lab->ifaces[xl_lab_iface(lab, 2, "p2")].master, br);
	assert_int_equal(lab->ifaces[xl_lab_iface(lab, 2, "e0")].master, -1);
	assert_int_equal(xl_lab_mtu(lab, br), 9000);
	assert_string_equal(xl_kind_str(XL_BRIDGE), "bridge");
	/* routes */
	assert_int_equal(lab->nroutes, 4);
	r = &lab->routes[0];
	assert_int_equal(r->family, AF_INET);
	assert_int_equal(r->prefix, 0);
	assert_true(r->has_via);
	assert_int_equal(r->dev, -1);
	assert_string_equal(r->text, "default via 198.18.1.2");
	r = &lab->routes[1];
	assert_int_equal(r->family, AF_INET6);
	assert_int_equal(r->prefix, 64);
	assert_int_equal(r->dev, xl_lab_iface(lab, 0, "e0"));
	assert_string_equal(r->text, "2001:2:0:2::/64 via 2001:2:0:1::2 dev e0");
	assert_string_equal(lab->routes[2].text, "198.18.1.0/24 dev e0");
	assert_false(lab->routes[2].has_via);
	assert_string_equal(lab->routes[3].text, "default via fe80::1 dev e0");
	/* sysctls: which are about an interface */
	assert_int_equal(lab->nsysctls, 4);
	assert_string_equal(lab->sysctls[0].key, "net.ipv4.ip_forward");
	assert_string_equal(lab->sysctls[0].value, "1");
	assert_int_equal(lab->sysctls[0].iface, -1);
	assert_int_equal(lab->sysctls[1].iface, xl_lab_iface(lab, 2, "e0"));
	assert_int_equal(lab->sysctls[2].iface, -1);	/* conf.all */
	assert_string_equal(lab->sysctls[3].value, "0 2147483647");
	/* neighbour */
	assert_int_equal(lab->nneighs, 1);
	assert_string_equal(lab->neighs[0].text, "198.18.1.9");
	assert_memory_equal(lab->neighs[0].mac, ((uint8_t[]){ 2, 0, 0, 0, 0, 9 }), 6);
	/* exec: words as a shell would split them, '#' kept inside quotes */
	assert_int_equal(lab->nexecs, 2);
	assert_int_equal(lab->execs[0].argc, 5);
	assert_int_equal(lab->execs[0].timeout, XL_EXEC_TIMEOUT);
	xl_exec_argv(&lab->execs[0], argv);
	assert_string_equal(argv[0], "sh");
	assert_string_equal(argv[1], "-c");
	assert_string_equal(argv[2], "echo '#1' \"x\"");
	assert_string_equal(argv[3], "a bc");
	assert_string_equal(argv[4], "");
	assert_null(argv[5]);
	assert_int_equal(lab->execs[1].timeout, 5);
	assert_string_equal(lab->execs[1].text, "true");
	/* expectations */
	assert_int_equal(lab->nexpects, 2);
	assert_true(lab->expects[0].reach);
	assert_string_equal(lab->expects[0].text, "198.18.2.2");
	assert_false(lab->expects[1].reach);
	assert_int_equal(lab->expects[1].family, AF_INET6);
	assert_int_equal(lab->expects[1].line, 23);
	assert_string_equal(xl_lab_summary(lab, what, sizeof(what)),
			    "3 nodes, 3 veth pairs, 0 macvlans, 1 bridge, 4 routes, 4 sysctls, 1 neighbour, 2 exec lines, "
			    "2 expectations");
}

/* A '#' outside quotes still starts a comment, inside a word too, as it always did. */
static void test_comments_and_quotes(void **state)
{
	(void)state;
	assert_int_equal(parse("lab x#c\nnode a 'b'#c\nveth a:e b:e\nexec a -- echo \"#\" #c\n"), 0);
	assert_string_equal(lab->name, "x");
	assert_int_equal(lab->nnodes, 2);
	assert_string_equal(lab->nodes[1].name, "b");
	assert_int_equal(lab->execs[0].argc, 2);
	assert_string_equal(lab->execs[0].text, "echo #");
}

static void parse_example(const char *name)
{
	char rel[128], path[4096 + 256], exe[4096];
	ssize_t n;
	int up;

	snprintf(rel, sizeof(rel), "tools/xdplab/examples/%s", name);
	snprintf(path, sizeof(path), "%s", rel);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	for (up = 0; up < 4 && access(path, R_OK); up++) {
		char *slash = strrchr(exe, '/');

		if (!slash)
			break;
		*slash = '\0';
		snprintf(path, sizeof(path), "%s/../%s", exe, rel);
	}
	if (xl_parse_file(lab, path))
		fail_msg("%s", xl_errmsg());
}

/* The examples the README and the tests use. */
static void test_examples(void **state)
{
	int g0;

	(void)state;
	parse_example("routed.lab");
	assert_int_equal(lab->nroutes, 4);
	assert_int_equal(lab->nsysctls, 2);
	assert_int_equal(lab->nexpects, 5);
	parse_example("fwd.lab");
	g0 = xl_lab_iface(lab, xl_lab_node(lab, "gen"), "g0");
	assert_non_null(xl_lab_offload(lab, g0, "tx"));
	assert_false(xl_lab_offload(lab, g0, "tx")->on);
	assert_false(xl_lab_offload(lab, xl_lab_iface(lab, xl_lab_node(lab, "sink"), "s0"), "tx")->on);
	assert_int_equal(lab->nneighs, 2);
	parse_example("tun.lab");
	assert_int_equal(lab->nroutes, 2);
	assert_false(xl_lab_offload(lab, 0, "tx")->on);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_rows),     cmocka_unit_test(test_limits),		 cmocka_unit_test(test_good),
		cmocka_unit_test(test_mixed_family), cmocka_unit_test(test_comments_and_quotes), cmocka_unit_test(test_examples),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
