// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * `xdpbridge list` output from canned interfaces: the words a user reads in the
 * table, the keys and values a script reads in the JSON, and JSON strings that
 * stay valid whatever bytes an interface name holds.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <net/if.h>
#include <linux/if_arp.h>
#include <linux/if_link.h>

#include "cmd.h"

/* va of a 4-queue lab, our program attached in generic mode. */
static struct xnl_iface veth(void)
{
	struct xnl_iface f;

	memset(&f, 0, sizeof(f));
	f.link.ifindex = 2;
	strcpy(f.link.name, "va");
	strcpy(f.link.kind, "veth");
	f.link.mac_len = 6;
	memcpy(f.link.mac, "\x02\x00\x00\x00\x00\x01", 6);
	f.link.mtu = 1500;
	f.link.operstate = 6;	/* IF_OPER_UP */
	f.link.flags = IFF_UP | IFF_RUNNING;
	f.link.type = ARPHRD_ETHER;
	f.link.num_rx_queues = f.link.num_tx_queues = 4;
	f.link.xdp.attached = XDP_ATTACHED_SKB;
	f.link.xdp.prog_id = f.link.xdp.skb_prog_id = 42;
	strcpy(f.driver, "veth");
	f.queues.rx = f.queues.tx = f.queues.rx_max = f.queues.tx_max = 4;
	f.queues.src = XNL_QSRC_GENL;
	f.xdp_known = true;
	f.xdp.ifindex = 2;
	f.xdp.act = XNL_XDP_ACT_BASIC | XNL_XDP_ACT_REDIRECT | XNL_XDP_ACT_RX_SG;
	return f;
}

/* A tun device on a kernel without the netdev family: no MAC, no driver, no features. */
static struct xnl_iface tun(void)
{
	struct xnl_iface f;

	memset(&f, 0, sizeof(f));
	f.link.ifindex = 7;
	strcpy(f.link.name, "tun0");
	strcpy(f.link.kind, "tun");
	f.link.mtu = 1500;
	f.link.operstate = 2;	/* IF_OPER_DOWN */
	f.link.type = ARPHRD_NONE;
	f.link.num_rx_queues = f.link.num_tx_queues = 1;
	f.queues.rx = f.queues.tx = 1;
	f.queues.src = XNL_QSRC_IFLA;
	return f;
}

static char *render(void (*fn)(FILE *, const struct xnl_iface *, size_t), const struct xnl_iface *v, size_t n)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	fn(f, v, n);
	assert_int_equal(fclose(f), 0);
	return text;
}

static void expect_in(const char *text, const char *needle)
{
	if (!strstr(text, needle))
		fail_msg("\"%s\" not in:\n%s", needle, text);
}

static void test_table(void **state)
{
	struct xnl_iface v[2] = { veth(), tun() };
	char *t = render(list_print_table, v, 2);

	(void)state;
	expect_in(t, "INDEX");
	expect_in(t, "QUEUES(rx/tx/comb)");
	expect_in(t, "XDP-MODES");
	expect_in(t, "02:00:00:00:00:01");
	expect_in(t, "4/4/0 genl");
	expect_in(t, "native,generic");
	expect_in(t, "42 generic");
	expect_in(t, "1/1/0 ifla");
	/* Unknown capabilities are a question mark, not a guess. */
	expect_in(strstr(t, "tun0"), "?");
	/* Three lines: the header and one per interface. */
	assert_int_equal(strchr(strchr(strchr(t, '\n') + 1, '\n') + 1, '\n')[1], '\0');
	free(t);
}

static void test_table_zerocopy_and_multi(void **state)
{
	struct xnl_iface f = veth();
	char *t;

	(void)state;
	f.xdp.act |= XNL_XDP_ACT_XSK_ZEROCOPY;
	f.xdp.zc_max_segs = 4;
	f.link.xdp.attached = XDP_ATTACHED_MULTI;
	f.link.xdp.prog_id = 0;
	f.link.xdp.drv_prog_id = 41;
	f.link.xdp.skb_prog_id = 42;
	t = render(list_print_table, &f, 1);
	expect_in(t, "yes (4 segs)");
	expect_in(t, "41 native, 42 generic");
	free(t);
}

static void test_json(void **state)
{
	struct xnl_iface v[2] = { veth(), tun() };
	char *j = render(list_print_json, v, 2);

	(void)state;
	assert_int_equal(j[0], '[');
	expect_in(j, "\"ifindex\": 2,");
	expect_in(j, "\"name\": \"va\",");
	expect_in(j, "\"kind\": \"veth\",");
	expect_in(j, "\"driver\": \"veth\",");
	expect_in(j, "\"state\": \"up\",");
	expect_in(j, "\"mtu\": 1500,");
	expect_in(j, "\"mac\": \"02:00:00:00:00:01\",");
	expect_in(j, "\"rx\": 4, \"tx\": 4, \"combined\": 0");
	expect_in(j, "\"source\": \"genl\"");
	expect_in(j, "\"modes\": [ \"native\", \"generic\" ]");
	expect_in(j, "\"features\": [ \"basic\", \"redirect\", \"rx-sg\" ]");
	expect_in(j, "\"zerocopy\": false");
	expect_in(j, "\"attached\": [ { \"mode\": \"generic\", \"prog_id\": 42 } ]");
	/* The second: nulls where nothing is known, an empty list when nothing is attached. */
	expect_in(j, "\"driver\": null,");
	expect_in(j, "\"mac\": null,");
	expect_in(j, "\"source\": \"ifla\"");
	expect_in(j, "\"modes\": null,");
	expect_in(j, "\"attached\": []");
	expect_in(j, "  },\n  {\n");
	assert_string_equal(j + strlen(j) - 4, "}\n]\n");
	free(j);
}

static void test_json_empty(void **state)
{
	char *j = render(list_print_json, NULL, 0);

	(void)state;
	assert_string_equal(j, "[\n]\n");
	free(j);
}

static void expect_json_str(const char *in, const char *out)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	json_print_str(f, in);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(text, out);
	free(text);
}

/* Interface names may hold any byte but '/', ':' and blanks: the JSON must stay valid. */
static void test_json_strings(void **state)
{
	(void)state;
	expect_json_str("va", "\"va\"");
	expect_json_str("a\"b\\c", "\"a\\\"b\\\\c\"");
	expect_json_str("x\x01y\x1fz\x7f", "\"x\\u0001y\\u001fz\\u007f\"");
	expect_json_str("n\nt\t", "\"n\\nt\\t\"");
	expect_json_str("caf\xc3\xa9", "\"caf\xc3\xa9\"");		/* valid UTF-8 as is */
	expect_json_str("\xe2\x82\xac!", "\"\xe2\x82\xac!\"");
	expect_json_str("bad\xff", "\"bad\\ufffd\"");			/* not UTF-8 */
	expect_json_str("\xc3", "\"\\ufffd\"");			/* cut sequence at the end */
	expect_json_str("\xc0\xaf", "\"\\ufffd\\ufffd\"");		/* overlong '/' */
	expect_json_str("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");	/* a surrogate */
	expect_json_str("", "\"\"");
}

/* Control characters in a name never reach the terminal through the table. */
static void test_table_sanitises_names(void **state)
{
	struct xnl_iface f = veth();
	char *t;

	(void)state;
	strcpy(f.link.name, "v\x1b[2J");
	t = render(list_print_table, &f, 1);
	assert_null(strchr(t, '\x1b'));
	expect_in(t, "v?[2J");
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_table_zerocopy_and_multi),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_json_empty),
		cmocka_unit_test(test_json_strings),
		cmocka_unit_test(test_table_sanitises_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
