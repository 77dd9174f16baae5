// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * The lab-file parser: every error names the file and line and says what is wrong (one row per
 * error path), and a good file becomes the model `up` builds from.
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

#define HDR "lab x\nnode a b\n"	/* lines 1 and 2 */

static const struct bad {
	const char *text;
	const char *msg;	/* xl_errmsg() starts with this */
} bad[] = {
	/* what comes first, and the lab line */
	{ "", "t.lab: no 'lab NAME' line: a lab file starts with one" },
	{ "# only a comment\n\n", "t.lab: no 'lab NAME' line" },
	{ "lab x\n", "t.lab: no node: declare at least one with 'node NAME'" },
	{ "node a\n", "t.lab:1: 'lab NAME' must come first" },
	{ "\n# c\nveth a:e b:e\n", "t.lab:3: 'lab NAME' must come first" },
	{ "lba x\n", "t.lab:1: unknown keyword 'lba' (expected lab, node, veth, macvlan, bridge, iface, route, sysctl, neigh, exec or "
		      "expect)" },
	{ "lab x\nlab y\n", "t.lab:2: the lab is already named on line 1" },
	{ "lab\n", "t.lab:1: 'lab' takes one name: lab NAME" },
	{ "lab x y\n", "t.lab:1: 'lab' takes one name: lab NAME" },
	{ "lab -x\n", "t.lab:1: lab name '-x' must be 1 to 32 letters, digits, '_' or '-', starting with a letter or digit" },
	{ "lab x.y\n", "t.lab:1: lab name 'x.y' must be" },
	{ "lab abcdefghijabcdefghijabcdefghijabc\n", "t.lab:1: lab name 'abcdefghijabcdefghijabcdefghijabc' must be" },
	{ "lab x\nnode a\nnode\n", "t.lab:3: 'node' needs at least one name" },
	/* nodes */
	{ "lab x\nnode a-b\n", "t.lab:2: node name 'a-b' must be 1 to 15 letters, digits or '_', starting with a letter or "
			       "digit (no '-': the namespace is LAB-NODE)" },
	{ "lab x\nnode abcdefghijklmnop\n", "t.lab:2: node name 'abcdefghijklmnop' must be" },
	{ "lab x\nnode a\nnode b a\n", "t.lab:3: node 'a' is already declared on line 2" },
	{ "lab x\nnode a a\n", "t.lab:2: node 'a' is already declared on line 2" },
	/* veth and interface names */
	{ HDR "veth a:e\n", "t.lab:3: 'veth' needs two ends: veth NODE:IF NODE:IF [options]" },
	{ HDR "veth a b:e\n", "t.lab:3: 'a' is not NODE:IF (e.g. a:eth0)" },
	{ HDR "veth a:e :e\n", "t.lab:3: ':e' is not NODE:IF" },
	{ HDR "veth a: b:e\n", "t.lab:3: 'a:' is not NODE:IF" },
	{ HDR "veth a:e:f b:e\n", "t.lab:3: 'a:e:f' is not NODE:IF" },
	{ HDR "veth c:e b:e\n", "t.lab:3: unknown node 'c' in 'c:e' (declare it with 'node c' before this line)" },
	{ HDR "veth abcdefghijklmnop:e b:e\n", "t.lab:3: unknown node in 'abcdefghijklmnop:e' (node names have at most 15" },
	{ HDR "veth a:abcdefghijklmnop b:e\n", "t.lab:3: interface name 'abcdefghijklmnop' must be 1 to 15 letters" },
	{ HDR "veth a:eth%d b:e\n", "t.lab:3: interface name 'eth%d' must be" },
	{ HDR "veth a:.. b:e\n", "t.lab:3: interface name '..' must be" },
	{ HDR "veth a:e a:e\n", "t.lab:3: a veth needs two different ends (a:e twice)" },
	{ HDR "veth a:e b:e\nveth b:f a:e\n", "t.lab:4: a:e is already declared on line 3" },
	/* options: unknown, misplaced, repeated, missing values */
	{ HDR "veth a:e b:e qeues 4\n", "t.lab:3: unknown option 'qeues' for veth (expected queues, mtu, gro, threaded, offload, "
						       "rate, burst, delay or loss)" },
	{ HDR "veth a:e b:e gro on\n", "t.lab:3: 'gro' takes no value: write 'gro' alone to turn it on (or 'offload gro on|off')" },
	{ HDR "veth a:e b:e threaded yes\n", "t.lab:3: 'threaded' takes no value" },
	{ HDR "veth a:e b:e mac 02:00:00:00:00:01\n", "t.lab:3: 'mac' is set per end: put it on an 'iface NODE:IF' line" },
	{ HDR "veth a:e b:e addr 198.18.0.1/24\n", "t.lab:3: 'addr' is set per end" },
	{ HDR "veth a:e b:e mode bridge\n", "t.lab:3: 'mode' belongs on the macvlan line" },
	{ HDR "veth a:e b:e\niface a:e parent e\n", "t.lab:4: 'parent' belongs on the macvlan line" },
	{ HDR "veth a:e b:e\nmacvlan a:m parent e mode vepa gro\n",
	  "t.lab:4: 'gro' is for veth ends (a:m is a macvlan, which has no NAPI of its own)" },
	{ HDR "veth a:e b:e\nmacvlan a:m parent e mode vepa\niface a:m threaded\n", "t.lab:5: 'threaded' is for veth ends" },
	{ HDR "veth a:e b:e\nmacvlan a:m parent e mode vepa tos 1\n",
	  "t.lab:4: unknown option 'tos' for macvlan (expected parent, mode, queues, mtu, mac, addr, offload, rate, "
	  "burst, delay or loss)" },
	{ HDR "veth a:e b:e\niface a:e speed 10\n",
	  "t.lab:4: unknown option 'speed' for iface (expected queues, mtu, mac, addr, gro, threaded, offload, rate, "
	  "burst, delay or loss)" },
	{ HDR "veth a:e b:e mtu 1500 mtu 9000\n", "t.lab:3: 'mtu' is given twice on this line" },
	{ HDR "veth a:e b:e gro gro\n", "t.lab:3: 'gro' is given twice on this line" },
	{ HDR "veth a:e b:e mtu\n", "t.lab:3: 'mtu' needs a value: mtu N (68..65535)" },
	{ HDR "veth a:e b:e\niface a:e mac\n", "t.lab:4: 'mac' needs a value: mac 02:00:00:00:00:01" },
	/* numbers */
	{ HDR "veth a:e b:e queues 0\n", "t.lab:3: queues '0' is out of range (1..4096)" },
	{ HDR "veth a:e b:e queues 4097\n", "t.lab:3: queues '4097' is out of range (1..4096)" },
	{ HDR "veth a:e b:e queues 99999999999999999999999\n", "t.lab:3: queues '99999999999999999999999' is out of range" },
	{ HDR "veth a:e b:e queues -1\n", "t.lab:3: queues '-1' is not a number (1..4096)" },
	{ HDR "veth a:e b:e mtu 67\n", "t.lab:3: mtu '67' is out of range (68..65535)" },
	{ HDR "veth a:e b:e mtu 65536\n", "t.lab:3: mtu '65536' is out of range (68..65535)" },
	{ HDR "veth a:e b:e mtu 9k\n", "t.lab:3: mtu '9k' is not a number (68..65535)" },
	/* MACs */
	{ HDR "veth a:e b:e\niface a:e mac 02:00:00:00:00\n", "t.lab:4: mac '02:00:00:00:00' is not six hex bytes like" },
	{ HDR "veth a:e b:e\niface a:e mac 02-00-00-00-00-01\n", "t.lab:4: mac '02-00-00-00-00-01' is not six hex bytes" },
	{ HDR "veth a:e b:e\niface a:e mac 02:00:00:00:00:0g\n", "t.lab:4: mac '02:00:00:00:00:0g' is not six hex bytes" },
	{ HDR "veth a:e b:e\niface a:e mac 01:00:5e:00:00:01\n",
	  "t.lab:4: mac 01:00:5e:00:00:01 is a multicast address (the first byte must be even, e.g. 02:...)" },
	{ HDR "veth a:e b:e\niface a:e mac 00:00:00:00:00:00\n", "t.lab:4: mac 00:00:00:00:00:00 is not a usable address" },
	/* addresses */
	{ HDR "veth a:e b:e\niface a:e addr 198.18.0.1\n", "t.lab:4: address 198.18.0.1 needs a prefix length, e.g. 198.18.0.1/24" },
	{ HDR "veth a:e b:e\niface a:e addr 2001:2::1\n", "t.lab:4: address 2001:2::1 needs a prefix length, e.g. 2001:2::1/64" },
	{ HDR "veth a:e b:e\niface a:e addr 198.18.0.256/24\n", "t.lab:4: '198.18.0.256/24' is not an IPv4 or IPv6 address" },
	{ HDR "veth a:e b:e\niface a:e addr host/24\n", "t.lab:4: 'host/24' is not an IPv4 or IPv6 address" },
	{ HDR "veth a:e b:e\niface a:e addr 198.18.0.1/33\n", "t.lab:4: prefix length '33' of 198.18.0.1 is out of range (1..32)" },
	{ HDR "veth a:e b:e\niface a:e addr 2001:2::1/129\n", "t.lab:4: prefix length '129' of 2001:2::1 is out of range (1..128)" },
	/* what check passed and up could not build (issue 17), or built unusable */
	{ HDR "veth a:e b:e\niface a:e addr 198.18.0.0/0\n",
	  "t.lab:4: prefix length 0 of 198.18.0.0 would put every IPv4 address on this link: give the subnet's, e.g. "
	  "198.18.0.0/24" },
	{ HDR "veth a:e b:e\niface a:e addr 2001:2::1/0\n",
	  "t.lab:4: prefix length 0 of 2001:2::1 would put every IPv6 address on this link: give the subnet's, e.g. "
	  "2001:2::1/64" },
	{ HDR "veth a:e b:e\niface a:e addr 198.18.0.1/00\n", "t.lab:4: prefix length 0 of 198.18.0.1 would put" },
	{ HDR "veth a:e b:e\niface a:e addr 0.0.0.0/24\n",
	  "t.lab:4: 0.0.0.0 is the unspecified address, which no interface can have" },
	{ HDR "veth a:e b:e\niface a:e addr ::/64\n", "t.lab:4: :: is the unspecified address" },
	{ HDR "veth a:e b:e\niface a:e addr 127.0.0.2/8\n",
	  "t.lab:4: 127.0.0.2 is a loopback address: it belongs on lo, not on a lab's links" },
	{ HDR "veth a:e b:e\niface a:e addr ::1/128\n", "t.lab:4: ::1 is the loopback address: it belongs on lo" },
	{ HDR "veth a:e b:e\niface a:e addr 224.0.0.1/24\n",
	  "t.lab:4: 224.0.0.1 is a multicast address: an interface's own address must be unicast" },
	{ HDR "veth a:e b:e\niface a:e addr 239.255.0.1/24\n", "t.lab:4: 239.255.0.1 is a multicast address" },
	{ HDR "veth a:e b:e\niface a:e addr ff02::1/64\n", "t.lab:4: ff02::1 is a multicast address" },
	{ HDR "veth a:e b:e\niface a:e addr 255.255.255.255/24\n",
	  "t.lab:4: 255.255.255.255 is the broadcast address: an interface's own address must be unicast" },
	{ HDR "veth a:e b:e\nmacvlan a:m parent e mode bridge addr 198.18.0.0/0\n", "t.lab:4: prefix length 0 of 198.18.0.0" },
	{ HDR "veth a:e b:e\niface a:e addr 198.18.0.1/\n", "t.lab:4: prefix length '' of 198.18.0.1 is not a number" },
	{ HDR "veth a:e b:e\niface a:e addr 198.18.0.1/24\niface a:e addr 198.18.0.1/16\n",
	  "t.lab:5: address 198.18.0.1/24 is already on a:e (line 4)" },
	{ HDR "veth a:e b:e\niface a:e addr 2001:2::1/64 addr 2001:0002:0::1/64\n",
	  "t.lab:4: address 2001:2::1/64 is already on a:e (line 4)" },
	/* settings given twice for one interface */
	{ HDR "veth a:e b:e\niface a:e mtu 1500\niface a:e mtu 1400\n", "t.lab:5: mtu of a:e is already set on line 4" },
	{ HDR "veth a:e b:e\nmacvlan a:m parent e mode vepa queues 2\niface a:m queues 3\n",
	  "t.lab:5: queues of a:m is already set on line 4" },
	{ HDR "veth a:e b:e\niface a:e gro\niface a:e gro\n", "t.lab:5: gro of a:e is already set on line 4" },
	{ HDR "veth a:e b:e\niface a:e mac 02:00:00:00:00:01\niface a:e mac 02:00:00:00:00:02\n",
	  "t.lab:5: mac of a:e is already set on line 4" },
	/* macvlan */
	{ HDR "macvlan\n", "t.lab:3: 'macvlan' needs NODE:IF parent IF mode MODE" },
	{ HDR "veth a:e b:e\nmacvlan a:m mode bridge\n", "t.lab:4: macvlan a:m needs 'parent IF' (an interface of node a)" },
	{ HDR "veth a:e b:e\nmacvlan a:m parent e\n", "t.lab:4: macvlan a:m needs 'mode bridge|private|vepa|passthru'" },
	{ HDR "veth a:e b:e\nmacvlan a:m parent e mode brige\n",
	  "t.lab:4: unknown macvlan mode 'brige' (expected bridge, private, vepa or passthru)" },
	{ HDR "veth a:e b:e\nmacvlan a:m parent f mode bridge\n",
	  "t.lab:4: parent 'f' is not an interface of node a (declare it before the macvlan)" },
	{ HDR "veth a:e b:e\nmacvlan a:m parent m mode bridge\n", "t.lab:4: parent 'm' is not an interface of node a" },
	{ HDR "veth a:e b:e\nmacvlan a:m parent e mode bridge mode vepa\n", "t.lab:4: 'mode' is given twice on this line" },
	{ HDR "veth a:e b:e\nmacvlan a:e parent e mode bridge\n", "t.lab:4: a:e is already declared on line 3" },
	/* iface */
	{ HDR "iface a:e\n", "t.lab:3: 'iface' needs an interface and options" },
	{ HDR "iface a:e mtu 1500\n", "t.lab:3: a:e is not declared (a veth, macvlan or bridge line must declare it before this line)" },
	/* whole-file checks, reported on the line that made them fail */
	{ HDR "veth a:e b:e threaded\n",
	  "t.lab:3: threaded on a:e needs gro: a veth end has a NAPI instance only with GRO (or an XDP program)" },
	{ HDR "veth a:e b:e\niface a:e gro\niface b:e threaded\n", "t.lab:5: threaded on b:e needs gro" },
	{ HDR "veth a:e b:e\nmacvlan a:m parent e mode bridge\niface a:m mtu 1600\n",
	  "t.lab:5: mtu 1600 of a:m is larger than its parent a:e's 1500 (a macvlan cannot exceed its parent)" },
	{ HDR "veth a:e b:e mtu 9000\niface a:e mtu 1400\nmacvlan a:m parent e mode bridge mtu 1500\n",
	  "t.lab:5: mtu 1500 of a:m is larger than its parent a:e's 1400" },
	{ HDR "veth a:e b:e mtu 1000\niface a:e addr 2001:2::1/64\n",
	  "t.lab:4: address 2001:2::1/64 needs mtu 1280 or more (a:e has 1000; the kernel turns IPv6 off below that)" },
	{ HDR "veth a:e b:e mtu 1000\nmacvlan a:m parent e mode bridge addr 2001:2::1/64\n",
	  "t.lab:4: address 2001:2::1/64 needs mtu 1280 or more (a:m has 1000" },
	{ HDR "veth a:e b:e\nmacvlan a:m parent e mode bridge\nmacvlan a:n parent e mode passthru\n",
	  "t.lab:5: passthru macvlan a:n must be the only macvlan on a:e (a:m is on it, line 4)" },
	{ HDR "veth a:e b:e\nmacvlan a:m parent e mode passthru\nmacvlan a:n parent m mode vepa\n",
	  "t.lab:5: a:n cannot share a:e with passthru macvlan a:m (line 4): passthru must be the only macvlan" },
	{ HDR "veth a:e b:e\niface a:e mac 02:00:00:00:00:01\nmacvlan a:m parent e mode bridge mac 02:00:00:00:00:01\n",
	  "t.lab:5: mac 02:00:00:00:00:01 of a:m is its parent a:e's own (a macvlan needs its own MAC)" },
	{ HDR "veth a:e b:e\nmacvlan a:m parent e mode bridge\nmacvlan a:n parent e mode private\n"
	      "iface a:m mac 02:00:00:00:00:09\niface a:n mac 02:00:00:00:00:09\n",
	  "t.lab:7: mac 02:00:00:00:00:09 of a:n is already used by a:m on the same parent (line 6)" },
	/* text that is not a lab file */
	{ "lab x\nnode a\0b\n", "t.lab:2: line contains a NUL byte (is this a text file?)" },
	{ "lab x\r\nnode a\r\nnode a\r\n", "t.lab:3: node 'a' is already declared on line 2" },
	{ "lab \x01\x7f\n", "t.lab:1: lab name '?" "?' must be" /* no trigraph */ },
};

static void test_bad_rows(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* The NUL row needs its real length: every other row is a C string. */
		size_t len = strlen(bad[i].text);
		int err;

		if (strstr(bad[i].msg, "NUL byte"))
			len = sizeof("lab x\nnode a\0b\n") - 1;
		err = xl_parse(lab, "t.lab", bad[i].text, len);
		if (err != -EINVAL || strncmp(xl_errmsg(), bad[i].msg, strlen(bad[i].msg))) {
			print_error("row %zu: %s\n  got:      %d %s\n  expected: %s\n", i, bad[i].text, err, xl_errmsg(),
				    bad[i].msg);
			fail();
		}
	}
}

/* The limits: each one a message, never an overflow. */
static void test_limits(void **state)
{
	size_t cap = 1 << 16;
	char *t = malloc(XL_MAX_FILE + 2);
	size_t n;
	int i;

	(void)state;
	assert_non_null(t);
	/* 65 nodes */
	n = (size_t)snprintf(t, cap, "lab x\n");
	for (i = 0; i < XL_MAX_NODES + 1; i++)
		n += (size_t)snprintf(t + n, cap - n, "node n%d\n", i);
	assert_int_equal(xl_parse(lab, "t.lab", t, n), -EINVAL);
	assert_string_equal(xl_errmsg(), "t.lab:66: more than 64 nodes in one lab");
	/* 257 interfaces */
	n = (size_t)snprintf(t, cap, "lab x\nnode a\n");
	for (i = 0; i < XL_MAX_IFACES / 2 + 1; i++)
		n += (size_t)snprintf(t + n, cap - n, "veth a:p%d a:q%d\n", i, i);
	assert_int_equal(xl_parse(lab, "t.lab", t, n), -EINVAL);
	assert_string_equal(xl_errmsg(), "t.lab:131: more than 256 interfaces in one lab");
	/* 17 addresses */
	n = (size_t)snprintf(t, cap, "lab x\nnode a\nveth a:e a:f\n");
	for (i = 0; i < XL_MAX_ADDRS + 1; i++)
		n += (size_t)snprintf(t + n, cap - n, "iface a:e addr 198.18.0.%d/24\n", i + 1);
	assert_int_equal(xl_parse(lab, "t.lab", t, n), -EINVAL);
	assert_string_equal(xl_errmsg(), "t.lab:20: more than 16 addresses on a:e");
	/* 65 words */
	n = (size_t)snprintf(t, cap, "lab x\nnode");
	for (i = 0; i < XL_MAX_WORDS; i++)
		n += (size_t)snprintf(t + n, cap - n, " n%d", i);
	assert_int_equal(xl_parse(lab, "t.lab", t, n), -EINVAL);
	assert_string_equal(xl_errmsg(), "t.lab:2: more than 64 words on one line");
	/* a long line, even one that is all comment */
	n = (size_t)snprintf(t, cap, "lab x\n#");
	memset(t + n, 'c', XL_MAX_LINE);
	n += XL_MAX_LINE;
	assert_int_equal(xl_parse(lab, "t.lab", t, n), -EINVAL);
	assert_string_equal(xl_errmsg(), "t.lab:2: line is longer than 1024 bytes");
	/* exactly the longest line is fine */
	n = (size_t)snprintf(t, cap, "lab x\nnode a\n#");
	memset(t + n, 'c', XL_MAX_LINE - 1);
	n += XL_MAX_LINE - 1;
	assert_int_equal(xl_parse(lab, "t.lab", t, n), 0);
	/* a file over the size limit */
	memset(t, '\n', XL_MAX_FILE + 1);
	assert_int_equal(xl_parse(lab, "t.lab", t, XL_MAX_FILE + 1), -EINVAL);
	assert_string_equal(xl_errmsg(), "t.lab: larger than 1048576 bytes: not a lab file?");
	free(t);
}

static void test_file_errors(void **state)
{
	(void)state;
	assert_int_equal(xl_parse_file(lab, "/nonexistent/x.lab"), -ENOENT);
	assert_string_equal(xl_errmsg(), "cannot open lab file /nonexistent/x.lab: No such file or directory");
	assert_int_equal(xl_parse_file(lab, "/"), -EISDIR);
	assert_string_equal(xl_errmsg(), "cannot read lab file /: Is a directory");
}

static const char good[] =
	"# a comment line\n"
	"lab demo-1   # trailing comment\n"
	"node a b\n"
	"node c\n"
	"\n"
	"veth a:eth0 b:eth0 queues 4 mtu 9000 gro\r\n"
	"iface a:eth0 mac 02:00:00:00:0A:01 addr 198.18.1.1/24 addr 2001:0002:0:1:0::1/64\n"
	"iface b:eth0\tmtu 1500 queues 2 threaded\n"
	"veth b:eth1 c:eth0\n"
	"macvlan b:mv0 mode passthru parent eth1 addr 198.18.2.3/24\n"
	"macvlan c:m1 parent eth0 mode private mtu 1400\n"
	"macvlan c:m2 parent m1 mode vepa";	/* no final newline */

static void test_good(void **state)
{
	const struct xl_iface *f;

	(void)state;
	assert_int_equal(parse(good), 0);
	assert_string_equal(lab->file, "t.lab");
	assert_string_equal(lab->name, "demo-1");
	assert_int_equal(lab->nnodes, 3);
	assert_string_equal(lab->nodes[0].ns, "demo-1-a");
	assert_string_equal(lab->nodes[2].ns, "demo-1-c");
	assert_int_equal(lab->nodes[2].line, 4);
	assert_int_equal(lab->nifaces, 7);

	f = &lab->ifaces[0];	/* a:eth0: the veth line's settings, its own MAC and addresses */
	assert_string_equal(f->name, "eth0");
	assert_int_equal(f->node, 0);
	assert_int_equal(f->kind, XL_VETH);
	assert_int_equal(f->peer, 1);
	assert_int_equal(f->queues, 4);
	assert_int_equal(f->mtu, 9000);
	assert_true(f->gro);
	assert_false(f->threaded);
	assert_true(f->has_mac);
	assert_memory_equal(f->mac, ((uint8_t[]){ 2, 0, 0, 0, 0x0a, 1 }), 6);
	assert_int_equal(f->naddrs, 2);
	assert_int_equal(f->addrs[0].family, AF_INET);
	assert_int_equal(f->addrs[0].prefix, 24);
	assert_string_equal(f->addrs[0].text, "198.18.1.1/24");
	assert_int_equal(f->addrs[1].family, AF_INET6);
	assert_string_equal(f->addrs[1].text, "2001:2:0:1::1/64");	/* canonical */
	assert_int_equal(f->addrs[1].line, 7);

	f = &lab->ifaces[1];	/* b:eth0: its iface line overrides the veth line */
	assert_int_equal(f->peer, 0);
	assert_int_equal(f->mtu, 1500);
	assert_int_equal(f->queues, 2);
	assert_true(f->gro);
	assert_true(f->threaded);
	assert_int_equal(f->opt_line[XL_OPT_GRO], 6);
	assert_int_equal(f->opt_line[XL_OPT_THREADED], 8);
	assert_false(f->has_mac);

	f = &lab->ifaces[2];	/* b:eth1: defaults */
	assert_int_equal(f->mtu, 0);
	assert_int_equal(f->queues, 0);
	assert_false(f->gro);
	assert_int_equal(xl_lab_mtu(lab, 2), XL_MTU_DEFAULT);

	f = &lab->ifaces[4];	/* b:mv0: options in any order */
	assert_int_equal(f->kind, XL_MACVLAN);
	assert_int_equal(f->parent, 2);
	assert_int_equal(f->mode, XL_MV_PASSTHRU);
	assert_int_equal(f->peer, -1);
	assert_int_equal(xl_macvlan_mode_nl(f->mode), 8 /* MACVLAN_MODE_PASSTHRU */);

	/* c:m2 on c:m1 on c:eth0: MTU inherited through the chain */
	assert_int_equal(lab->ifaces[6].parent, 5);
	assert_int_equal(xl_lab_mtu(lab, 6), 1400);
	assert_int_equal(xl_lab_node(lab, "c"), 2);
	assert_int_equal(xl_lab_node(lab, "d"), -1);
	assert_int_equal(xl_lab_iface(lab, 2, "m2"), 6);
	assert_int_equal(xl_lab_iface(lab, 0, "m2"), -1);
}

/* The shipped examples parse: the README points to them. */
static void parse_example(const char *name, const char *labname, int nodes, int ifaces)
{
	char rel[128], path[4096 + 256], exe[4096];
	ssize_t n;
	int up;

	/* From the source tree (make check runs there), else up from the binary in <tree>/build[/asan]/tests. */
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
	assert_string_equal(lab->name, labname);
	assert_int_equal(lab->nnodes, nodes);
	assert_int_equal(lab->nifaces, ifaces);
}

static void test_examples(void **state)
{
	(void)state;
	parse_example("three-nodes.lab", "demo", 3, 5);
	parse_example("xdp-pair.lab", "pair", 2, 2);
	assert_true(lab->ifaces[0].gro && lab->ifaces[1].gro);
	assert_int_equal(lab->ifaces[1].queues, 4);
}

/* Same text, same model: parsing depends on nothing else (no state between calls). */
static void test_idempotent(void **state)
{
	struct xl_lab *again = malloc(sizeof(*again));

	(void)state;
	assert_non_null(again);
	assert_int_equal(parse(good), 0);
	assert_int_equal(parse("lab x\nnode a\nnode a\n"), -EINVAL);
	assert_int_equal(xl_parse(again, "t.lab", good, strlen(good)), 0);
	assert_int_equal(parse(good), 0);
	assert_memory_equal(lab, again, sizeof(*lab));
	free(again);
}

/* The edges of what addr takes: the longest prefixes, a subnet's first and last address, link-local. */
static void test_addr_edges(void **state)
{
	static const struct {
		const char *addr;
		int family;
		int prefix;
	} ok[] = {
		{ "198.18.0.1/32", AF_INET, 32 },    { "198.18.0.0/15", AF_INET, 15 },  { "198.19.255.255/16", AF_INET, 16 },
		{ "198.18.0.1/1", AF_INET, 1 },      { "2001:2::1/128", AF_INET6, 128 }, { "2001:2::/48", AF_INET6, 48 },
		{ "fe80::5/64", AF_INET6, 64 },      { "2001:2::1/1", AF_INET6, 1 },
	};
	char text[128];

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		snprintf(text, sizeof(text), HDR "veth a:e b:e\niface a:e addr %s\n", ok[i].addr);
		if (parse(text))
			fail_msg("addr %s: refused: %s", ok[i].addr, xl_errmsg());
		assert_int_equal(lab->ifaces[0].naddrs, 1);
		assert_int_equal(lab->ifaces[0].addrs[0].family, ok[i].family);
		assert_int_equal(lab->ifaces[0].addrs[0].prefix, ok[i].prefix);
	}
}

static void test_names(void **state)
{
	char mac[18];

	(void)state;
	assert_true(xl_lab_name_ok("xst123-456"));
	assert_false(xl_lab_name_ok(""));
	assert_false(xl_lab_name_ok("_x"));
	assert_true(xl_node_name_ok("node_1"));
	assert_false(xl_node_name_ok("a-b"));
	assert_string_equal(xl_mac_str((uint8_t[]){ 2, 0xab, 0, 0, 0, 0xff }, mac), "02:ab:00:00:00:ff");
	assert_string_equal(xl_macvlan_mode_str(XL_MV_VEPA), "vepa");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_rows),  cmocka_unit_test(test_limits),     cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_good),      cmocka_unit_test(test_examples),    cmocka_unit_test(test_idempotent),
		cmocka_unit_test(test_names),     cmocka_unit_test(test_addr_edges),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
