// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * `xdplab graph` without Graphviz: the DOT it writes for a lab names every node (as a cluster),
 * every interface with its addresses, each link once (veth, macvlan, bridge port), each route's
 * next hop as an arrow to the interface that has the gateway, and quotes what the file may quote;
 * a name it cannot write is refused before anything is written.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "cmd.h"
#include "lab.h"

static struct xl_lab *lab;
static char dir[] = "/tmp/xdplab-graph-XXXXXX";

static const char text[] =
	"lab g\n"
	"node a b r\n"
	"veth a:e0 r:e0\n"
	"veth b:e0 r:e1\n"
	"veth r:p1 r:p2\n"
	"bridge r:br0 ports p1 p2\n"
	"macvlan r:mv parent e1 mode private\n"
	"iface a:e0 addr 198.18.1.1/24 offload tx off rate 20mbit\n"
	"iface r:e0 addr 198.18.1.2/24\n"
	"iface b:e0 addr 2001:2:0:2::2/64\n"
	"iface r:e1 addr 2001:2:0:2::1/64\n"
	"route a default via 198.18.1.2\n"
	"route b default via 2001:2:0:2::1\n"
	"route b 198.18.9.0/24 dev e0\n"
	"sysctl r 'net.ipv4.ping_group_range=0 \"1\"'\n";

static int setup(void **state)
{
	(void)state;
	lab = malloc(sizeof(*lab));
	if (!lab || xl_parse(lab, "g.lab", text, strlen(text)) || !mkdtemp(dir))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	char path[64];

	(void)state;
	snprintf(path, sizeof(path), "%s/g.dot", dir);
	unlink(path);
	rmdir(dir);
	free(lab);
	return 0;
}

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 1 << 16);

	assert_non_null(f);
	assert_non_null(buf);
	assert_true(fread(buf, 1, (1 << 16) - 1, f) > 0);
	fclose(f);
	return buf;
}

static int count(const char *s, const char *needle)
{
	int n = 0;

	for (const char *p = s; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static void test_dot(void **state)
{
	struct xl_opts o = { 0 };
	char path[64], *dot;

	(void)state;
	snprintf(path, sizeof(path), "%s/g.dot", dir);
	o.out = path;
	if (xl_graph(lab, &o))
		fail_msg("%s", xl_errmsg());
	dot = read_all(path);
	assert_true(!strncmp(dot, "graph \"g\" {\n", 12));
	assert_string_equal(dot + strlen(dot) - 2, "}\n");
	/* the nodes and their namespaces */
	assert_non_null(strstr(dot, "subgraph \"cluster_a\" {\n    label=\"a (g-a)\""));
	assert_non_null(strstr(dot, "subgraph \"cluster_r\""));
	/* interfaces with what is set on them */
	assert_non_null(strstr(dot, "\"a:e0\" [label=<<b>e0</b> veth<br/>198.18.1.1/24<br/>"));
	assert_non_null(strstr(dot, "mtu 1500, tx off, rate 20mbit"));
	assert_non_null(strstr(dot, "\"r:br0\" [label=<<b>br0</b> bridge"));
	/* each link once */
	assert_int_equal(count(dot, "\"a:e0\" -- \"r:e0\" [label=\"veth\""), 1);
	assert_int_equal(count(dot, "[label=\"veth\""), 3);
	assert_int_equal(count(dot, "\"r:mv\" -- \"r:e1\" [label=\"macvlan\", style=dashed]"), 1);
	assert_int_equal(count(dot, "-- \"r:br0\" [label=\"port\", style=dotted]"), 2);
	/* next hops: to the interface with the gateway's address; a route without a gateway has none */
	assert_non_null(strstr(dot, "\"n:a:note\" -- \"r:e0\" [dir=forward"));
	assert_non_null(strstr(dot, "\"n:b:note\" -- \"r:e1\" [dir=forward"));
	assert_int_equal(count(dot, "dir=forward"), 2);
	assert_non_null(strstr(dot, "route 198.18.9.0/24 dev e0"));
	/* a value with quotes stays one DOT string */
	assert_non_null(strstr(dot, "sysctl net.ipv4.ping_group_range=0 \\\"1\\\""));
	free(dot);
}

static void test_unknown_extension(void **state)
{
	struct xl_opts o = { .out = "/nonexistent/lab.jpg" };

	(void)state;
	assert_int_equal(xl_graph(lab, &o), -EINVAL);
	assert_string_equal(xl_errmsg(), "cannot tell what to write from the name /nonexistent/lab.jpg: end it in .dot or "
					 ".gv (DOT), .svg or .png");
	o.out = "/nonexistent/lab";
	assert_int_equal(xl_graph(lab, &o), -EINVAL);
	o.out = "/nonexistent/x.dot";
	assert_int_equal(xl_graph(lab, &o), -ENOENT);
	assert_string_equal(xl_errmsg(), "cannot create /nonexistent/x.dot: No such file or directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dot),
		cmocka_unit_test(test_unknown_extension),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
