// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * Packets from a TUN on their way to the wire (family, destination, group MACs, the Ethernet
 * header), and the counters of `xdpbridge tap|tun` as a user reads them: the balance of each
 * direction, the table and the JSON lines (parsed back by python3 when it is there).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tun.h"

static void test_dst(void **state)
{
	uint8_t v4[20] = { 0x45, 0, 0, 20, 0, 0, 0, 0, 64, 17, 0, 0, 198, 18, 8, 2, 198, 18, 7, 1 };
	uint8_t v6[40] = { 0x60 }, a[16];

	(void)state;
	assert_int_equal(tun_frame_dst(v4, sizeof(v4), a), 4);
	assert_memory_equal(a, "\xc6\x12\x07\x01", 4);
	assert_int_equal(a[4] | a[15], 0);
	assert_int_equal(tun_frame_dst(v4, 19, a), 0);		/* shorter than its header */
	v4[0] = 0x44;						/* IHL 4: not a header */
	assert_int_equal(tun_frame_dst(v4, sizeof(v4), a), 0);
	v6[24] = 0x20;
	v6[39] = 7;
	assert_int_equal(tun_frame_dst(v6, sizeof(v6), a), 6);
	assert_int_equal(a[0], 0x20);
	assert_int_equal(a[15], 7);
	assert_int_equal(tun_frame_dst(v6, 39, a), 0);
	v6[0] = 0x50;						/* version 5 */
	assert_int_equal(tun_frame_dst(v6, sizeof(v6), a), 0);
	assert_int_equal(tun_frame_dst(v6, 0, a), 0);
}

static void test_group_mac(void **state)
{
	const uint8_t mc4[4] = { 239, 129, 2, 3 }, bc[4] = { 255, 255, 255, 255 }, uc4[4] = { 198, 18, 7, 1 };
	uint8_t mc6[16] = { 0xff, 0x02 }, uc6[16] = { 0x20, 0x01 }, m[6];

	(void)state;
	assert_true(tun_frame_group_mac(4, mc4, m));
	assert_memory_equal(m, "\x01\x00\x5e\x01\x02\x03", 6);	/* the 24th bit of the group is lost */
	assert_true(tun_frame_group_mac(4, bc, m));
	assert_memory_equal(m, "\xff\xff\xff\xff\xff\xff", 6);
	assert_false(tun_frame_group_mac(4, uc4, m));
	mc6[12] = 0xff;
	mc6[13] = 0x00;
	mc6[14] = 0x00;
	mc6[15] = 0x01;
	assert_true(tun_frame_group_mac(6, mc6, m));
	assert_memory_equal(m, "\x33\x33\xff\x00\x00\x01", 6);
	assert_false(tun_frame_group_mac(6, uc6, m));
}

static void test_eth(void **state)
{
	const uint8_t dst[6] = { 2, 0, 0, 0, 7, 1 }, src[6] = { 2, 0, 0, 0, 7, 2 };
	uint8_t h[14];

	(void)state;
	tun_frame_eth(h, dst, src, 4);
	assert_memory_equal(h, "\x02\x00\x00\x00\x07\x01\x02\x00\x00\x00\x07\x02\x08\x00", 14);
	tun_frame_eth(h, dst, src, 6);
	assert_memory_equal(h + 12, "\x86\xdd", 2);
	assert_false(tun_frame_tagged(h, 14));
	h[12] = 0x81;
	h[13] = 0x00;
	assert_true(tun_frame_tagged(h, 14));
	assert_false(tun_frame_tagged(h, 13));
	h[12] = 0x88;
	h[13] = 0xa8;
	assert_true(tun_frame_tagged(h, 18));
}

/* ---- counters ---- */

static struct tun_q_stats sample(uint64_t k)
{
	struct tun_q_stats q;

	memset(&q, 0, sizeof(q));
	q.nic_rx = 100 * k;
	q.dev_tx = 90 * k;
	q.nic_oversize = 4 * k;
	q.nic_non_ip = 1 * k;
	q.dev_full = 3 * k;
	q.dev_error = 1 * k;
	q.nic_invalid = 1 * k;
	q.rx_ring_full = 7 * k;
	q.dev_rx = 50 * k;
	q.nic_tx = 40 * k;
	q.sent = 38 * k;
	q.in_flight = 2 * k;
	q.no_neigh = 6 * k;
	q.dev_oversize = 3 * k;
	q.dev_non_ip = 1 * k;
	return q;
}

static void test_balance(void **state)
{
	struct tun_q_stats q = sample(1);
	struct tun_balance b;

	(void)state;
	tun_balance_make(&b, &q);
	assert_true(b.in_adds_up && b.out_adds_up && b.tx_adds_up);
	q.no_neigh++;
	tun_balance_make(&b, &q);
	assert_true(b.in_adds_up && !b.out_adds_up && b.tx_adds_up);
	q = sample(1);
	q.dev_full++;
	q.sent++;
	tun_balance_make(&b, &q);
	assert_false(b.in_adds_up);
	assert_false(b.tx_adds_up);
}

/* What a function printed, as a string (caller frees). */
static char *printed(void (*fn)(FILE *, const struct tun_report *), const struct tun_report *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	fn(f, r);
	fclose(f);
	return buf;
}

/* python3 parses @json and checks @expr (a Python expression over j); skipped without python3. */
static void python_check(const char *json, const char *expr)
{
	char path[] = "/tmp/tun_stats_XXXXXX", cmd[1024];
	int fd = mkstemp(path), rc;
	FILE *f;

	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs(json, f);
	fclose(f);
	if (system("command -v python3 >/dev/null 2>&1")) {
		unlink(path);
		return;
	}
	/* The expression as an argument, in double quotes: it may use single ones. */
	snprintf(cmd, sizeof(cmd), "python3 -c 'import json,sys; j=json.loads(open(sys.argv[1]).readline()); "
				   "sys.exit(0 if eval(sys.argv[2]) else 1)' %s \"%s\"",
		 path, expr);
	rc = system(cmd);
	unlink(path);
	if (rc)
		fail_msg("python3 says no to (%s) on %s", expr, json);
}

static void test_render(void **state)
{
	struct tun_q_stats q[2] = { sample(1), sample(2) }, prev;
	const uint32_t queues[2] = { 0, 3 };
	const int cpus[2] = { -1, 1 };
	struct tun_steer_stats xdp = { { 0 } };
	struct tun_report r = {
		.kind = TUN_KIND_TUN, .ifname = "vb", .devname = "tun\x01", .nqueues = 2, .queue = queues, .cpu = cpus,
		.q = q, .xdp = &xdp, .elapsed = 2.0, .interval = 1.0,
	};
	char *s, *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	xdp.v[XB_ST_STEERED] = 300;
	xdp.v[XB_ST_ARP_ND] = 5;
	memset(&prev, 0, sizeof(prev));
	prev.nic_rx = 100;
	r.prev = &prev;

	s = printed(tun_stats_print_table, &r);
	assert_non_null(strstr(s, "vb -> tun?"));		/* a control character never reaches the terminal */
	assert_non_null(strstr(s, "tun? -> vb"));
	assert_non_null(strstr(s, "  q3 vb -> tun?"));
	assert_non_null(strstr(s, "no_neigh"));
	assert_non_null(strstr(s, "xdp on vb: steered 300; to the kernel: no_socket 0, no_match 0, arp_nd 5"));
	free(s);

	s = printed(tun_stats_print_json, &r);
	assert_non_null(strstr(s, "{\"type\":\"stats\",\"mode\":\"tun\""));
	assert_non_null(strstr(s, "\"received\":300,\"delivered\":270,\"rx_pps\":200.0"));
	python_check(s, "j['directions'][0]['from'] == 'vb' and j['directions'][1]['dropped']['no_neigh'] == 18 and "
			"j['directions'][0]['kernel_dropped']['rx_ring_full'] == 21 and j['xdp']['steered'] == 300 and "
			"j['queues'][1]['queue'] == 3 and j['queues'][1]['cpu'] == 1 and j['directions'][1]['in_flight'] == 6");
	free(s);

	f = open_memstream(&buf, &len);
	tun_summary_print(f, &r, "SIGINT", true, true);
	fclose(f);
	python_check(buf, "j['type'] == 'summary' and j['reason'] == 'SIGINT' and j['drained'] and "
			  "all(d['adds_up'] for d in j['directions'])");
	free(buf);
	buf = NULL;
	q[1].dev_full++;
	f = open_memstream(&buf, &len);
	tun_summary_print(f, &r, "duration", false, false);
	fclose(f);
	assert_non_null(strstr(buf, "stopped by duration, 2 queues, drain timed out"));
	assert_non_null(strstr(buf, "vb -> tun?: received 300 = delivered 270"));
	assert_non_null(strstr(buf, "(DOES NOT ADD UP)"));
	assert_non_null(
		strstr(buf, "tun? -> vb: received 150 = delivered 120 + oversize 9 + non_ip 3 + no_neigh 18 + bad_offload 0 (adds up)"));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dst),	cmocka_unit_test(test_group_mac), cmocka_unit_test(test_eth),
		cmocka_unit_test(test_balance), cmocka_unit_test(test_render),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
