// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * xdpgen's command line (tools/xdpgen/args.c): every bad input gives exit status 2 and a
 * message that names the option and the rule (one row per error), good input gives the
 * configuration a user would expect, and the checks against the interface's MTU.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "xdpgen.h"

static struct xg_cfg cfg;
static char err[512];

/* Parse a space-separated command line for @cmd. */
static int parse(enum xg_cmd cmd, const char *line)
{
	static char buf[1024];
	char *argv[64], *tok, *save;
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s %s", xg_cmd_name(cmd), line);
	for (tok = strtok_r(buf, " ", &save); tok && argc < 63; tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	return xg_args_parse(&cfg, cmd, argc, argv, err, sizeof(err));
}

#define ADDR4 "--src-ip 198.18.0.1 --dst-ip 198.18.0.2 "
#define ADDR6 "--src-ip 2001:2::1 --dst-ip 2001:2::2 "

static const struct bad {
	enum xg_cmd cmd;
	const char *line;
	const char *msg;	/* the message contains this */
} bad[] = {
	/* sizes */
	{ XG_CMD_TX, ADDR4 "--size 59 va", "--size 59: 59 bytes is below 60, the smallest Ethernet frame" },
	{ XG_CMD_TX, ADDR4 "--size 0 va", "below 60" },
	{ XG_CMD_TX, ADDR4 "-s 64,12,1500 va", "12 bytes is below 60" },
	{ XG_CMD_TX, ADDR4 "--size 70000 va", "70000 bytes is not a frame length" },
	{ XG_CMD_TX, ADDR4 "--size big va", "'big' is not a length in bytes" },
	{ XG_CMD_TX, ADDR4 "--size 64,,128 va", "expected a length, a comma-separated list of lengths, or imix" },
	{ XG_CMD_TX, ADDR4 "--size -64 va", "is not a length" },
	{ XG_CMD_TX, ADDR6 "--size 64 va", "--size 64: too small for UDP/IPv6: at least 78 bytes" },
	{ XG_CMD_TX, ADDR4 "--size 64,65,66,67,68,69,70,71,72 va", "more than 8 different lengths" },
	/* rates */
	{ XG_CMD_TX, ADDR4 "--rate 0 va", "--rate 0: a rate must be at least 1 frame per second" },
	{ XG_CMD_TX, ADDR4 "--rate 0k va", "--rate 0: a rate must be at least 1" },
	{ XG_CMD_TX, ADDR4 "--rate 1e12 va", "--rate 1e12: absurd rate: more than 200000000 frames per second" },
	{ XG_CMD_TX, ADDR4 "--rate 201M va", "absurd rate" },
	{ XG_CMD_TX, ADDR4 "--rate -1 va", "--rate '-1': not a number" },
	{ XG_CMD_TX, ADDR4 "--rate fast va", "--rate 'fast': not a number" },
	{ XG_CMD_TX, ADDR4 "--rate 1.5 va", "--rate '1.5': must be a whole number" },
	{ XG_CMD_TX, ADDR4 "--rate 10x va", "not a number (digits, then optionally k, M or G)" },
	{ XG_CMD_PING, ADDR4 "--rate 0 va", "--rate 0: a rate must be at least 1 frame per second" },
	/* counts, durations, batches, queues, ports, flows */
	{ XG_CMD_TX, ADDR4 "--count 0 va", "--count 0: out of range: 1 to 1000000000000" },
	/* one limit, stated one way, however far above it the value is */
	{ XG_CMD_TX, ADDR4 "--count 2e12 va", "--count 2e12: out of range: 1 to 1000000000000" },
	{ XG_CMD_TX, ADDR4 "--count 1e19 va", "--count 1e19: out of range: 1 to 1000000000000" },
	{ XG_CMD_TX, ADDR4 "--count 99999999999999999999999 va", "out of range: 1 to 1000000000000" },
	{ XG_CMD_RX, "--expect 1e30 vb", "--expect 1e30: out of range: 1 to 1000000000000" },
	{ XG_CMD_PING, ADDR4 "--count 1001G va", "--count 1001G: out of range: 1 to 1000000000000" },
	{ XG_CMD_TX, ADDR4 "--duration 0 va", "--duration '0': seconds, more than 0 and at most 86400" },
	{ XG_CMD_TX, ADDR4 "--duration 100000 va", "at most 86400" },
	{ XG_CMD_TX, ADDR4 "--duration soon va", "--duration 'soon'" },
	{ XG_CMD_TX, ADDR4 "--batch 0 va", "--batch 0: out of range: 1 to 256" },
	{ XG_CMD_TX, ADDR4 "--batch 257 va", "--batch 257: out of range: 1 to 256" },
	{ XG_CMD_TX, ADDR4 "--queue 64 va", "--queue 64: out of range: 0 to 63" },
	{ XG_CMD_TX, ADDR4 "--queue all va", "--queue 'all': not a number" },
	{ XG_CMD_TX, ADDR4 "--src-port 0 va", "--src-port 0: out of range: 1 to 65535" },
	{ XG_CMD_TX, ADDR4 "--dst-port 65536 va", "--dst-port 65536: out of range" },
	{ XG_CMD_TX, ADDR4 "--flows 0 va", "--flows 0: out of range: 1 to 65535" },
	{ XG_CMD_TX, ADDR4 "--src-port 65000 --flows 600 va", "source ports would go past 65535" },
	/* addresses */
	{ XG_CMD_TX, "va", "tx needs --src-ip and --dst-ip" },
	{ XG_CMD_TX, "--src-ip 198.18.0.1 va", "tx needs --src-ip and --dst-ip" },
	{ XG_CMD_PING, "--dst-ip 198.18.0.1 va", "ping needs --src-ip and --dst-ip" },
	{ XG_CMD_TX, "--src-ip 198.18.0.1 --dst-ip 2001:2::2 va", "--src-ip is IPv4 but --dst-ip is IPv6" },
	{ XG_CMD_TX, "--src-ip 198.18.0 --dst-ip 198.18.0.2 va", "--src-ip '198.18.0': not an IPv4 or IPv6 address" },
	{ XG_CMD_TX, ADDR4 "--dst-mac 02:00:00:00:00 va", "--dst-mac '02:00:00:00:00': not a MAC address" },
	{ XG_CMD_TX, ADDR4 "--src-mac 02:00:00:00:00:01:02 va", "not a MAC address" },
	/* engines and options that do not belong */
	{ XG_CMD_TX, ADDR4 "--engine dpdk va", "--engine 'dpdk': the engines are auto, xsk and live" },
	{ XG_CMD_TX, ADDR4 "--engine live --copy va", "the live engine has no socket" },
	{ XG_CMD_TX, ADDR4 "--expect 5 va", "tx takes no --expect" },
	{ XG_CMD_RX, "--rate 5 vb", "rx takes no --rate" },
	{ XG_CMD_RX, "--engine live vb", "rx takes no --engine" },
	{ XG_CMD_RX, "--pass vb", "--pass goes with --xdp-count" },
	{ XG_CMD_RX, "--xdp-count --queue all vb", "leave out --queue all" },
	{ XG_CMD_RX, "--expect 0 vb", "--expect 0: out of range" },
	{ XG_CMD_REFLECT, "--size 64 vb", "reflect takes no --size" },
	{ XG_CMD_PING, ADDR4 "--expect 3 va", "ping takes no --expect" },
	/* the command line itself */
	{ XG_CMD_TX, ADDR4 "--bogus va", "unknown option '--bogus'" },
	{ XG_CMD_TX, ADDR4 "-Z va", "unknown option '-Z'" },
	{ XG_CMD_TX, ADDR4 "va --count", "--count needs a value" },
	{ XG_CMD_TX, ADDR4 "", "tx needs an interface name (IFNAME)" },
	{ XG_CMD_RX, "va vb", "one interface only: 'va' and 'vb' given" },
};

static void test_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = parse(bad[i].cmd, bad[i].line);

		if (rc != XG_EXIT_USAGE || !strstr(err, bad[i].msg))
			fail_msg("xdpgen %s %s\n  exit %d, message: '%s'\n  want exit 2 and: '%s'", xg_cmd_name(bad[i].cmd),
				 bad[i].line, rc, err, bad[i].msg);
	}
}

static void test_defaults(void **state)
{
	(void)state;
	assert_int_equal(parse(XG_CMD_TX, ADDR4 "va"), 0);
	assert_string_equal(cfg.ifname, "va");
	assert_int_equal(cfg.a.family, AF_INET);
	assert_int_equal(cfg.engine, XG_ENGINE_AUTO);	/* live where the kernel allows it (engine.c) */
	assert_int_equal(cfg.nsizes, 1);
	assert_int_equal(cfg.sizes[0], 64);
	assert_int_equal(cfg.rate, 0);		/* as fast as possible */
	assert_int_equal(cfg.count, 0);
	assert_int_equal(cfg.duration_ns, 10 * XG_NSEC);	/* bounded by default */
	assert_int_equal(cfg.batch, 64);
	assert_int_equal(cfg.flows, 1);
	assert_int_equal(cfg.a.sport, 40000);
	assert_int_equal(cfg.a.dport, 9);
	/* a count alone: still bounded, by an hour */
	assert_int_equal(parse(XG_CMD_TX, ADDR4 "-c 5 va"), 0);
	assert_int_equal(cfg.duration_ns, 3600 * XG_NSEC);
	assert_int_equal(parse(XG_CMD_PING, ADDR4 "va"), 0);
	assert_int_equal(cfg.rate, 1000);
	assert_int_equal(cfg.a.dport, 7);
	assert_int_equal(parse(XG_CMD_RX, "vb"), 0);
	assert_int_equal(cfg.duration_ns, 10 * XG_NSEC);
	assert_int_equal(cfg.idle_ms, 250);
	assert_int_equal(parse(XG_CMD_RX, "--expect 1000 vb"), 0);
	assert_int_equal(cfg.duration_ns, 3600 * XG_NSEC);
}

static void test_good(void **state)
{
	(void)state;
	assert_int_equal(parse(XG_CMD_TX, ADDR6 "--engine live -r 2.5M -c 1G -d 1.5 --flows 4 -b 256 "
				"--dst-mac 02:00:00:00:00:02 --src-port 1000 --dst-port 2000 -s 78,1514,78 va --json"), 0);
	assert_int_equal(cfg.a.family, AF_INET6);
	assert_int_equal(cfg.engine, XG_ENGINE_LIVE);
	assert_int_equal(cfg.rate, 2500000);
	assert_int_equal(cfg.count, 1000000000);
	assert_int_equal(cfg.duration_ns, 1500000000);
	assert_int_equal(cfg.flows, 4);
	assert_int_equal(cfg.batch, 256);
	assert_true(cfg.have_dst_mac);
	assert_int_equal(cfg.a.dst_mac[5], 2);
	assert_int_equal(cfg.a.sport, 1000);
	assert_int_equal(cfg.a.dport, 2000);
	assert_true(cfg.json);
	/* distinct lengths, and the order they are sent in */
	assert_int_equal(cfg.nsizes, 2);
	assert_int_equal(cfg.sizes[0], 78);
	assert_int_equal(cfg.sizes[1], 1514);
	assert_int_equal(cfg.cycle_len, 3);
	assert_int_equal(cfg.cycle[0], 0);
	assert_int_equal(cfg.cycle[1], 1);
	assert_int_equal(cfg.cycle[2], 0);
	assert_int_equal(parse(XG_CMD_RX, "--queue all --expect 5k --idle 100 -x --pass vb"), XG_EXIT_USAGE);
	assert_int_equal(parse(XG_CMD_RX, "--queue all --expect 5k --idle 100 vb"), 0);
	assert_true(cfg.all_queues);
	assert_int_equal(cfg.expect, 5000);
	assert_int_equal(cfg.idle_ms, 100);
	assert_int_equal(parse(XG_CMD_TX, ADDR4 "--help va"), -1);
	assert_int_equal(parse(XG_CMD_TX, ADDR4 "-c 1000G va"), 0);
	assert_int_equal(cfg.count, 1000000000000ull);
}

/* auto settles on xsk, before any probe, for what only the xsk engine does. */
static void test_engine_auto(void **state)
{
	(void)state;
	assert_int_equal(parse(XG_CMD_TX, ADDR4 "--engine auto va"), 0);
	assert_int_equal(cfg.engine, XG_ENGINE_AUTO);
	assert_int_equal(parse(XG_CMD_TX, ADDR4 "--copy va"), 0);
	assert_int_equal(cfg.engine, XG_ENGINE_XSK);
	assert_int_equal(parse(XG_CMD_TX, ADDR4 "--engine auto --zerocopy va"), 0);
	assert_int_equal(cfg.engine, XG_ENGINE_XSK);
	assert_int_equal(parse(XG_CMD_TX, ADDR4 "--size 64,3073 va"), 0);
	assert_int_equal(cfg.engine, XG_ENGINE_XSK);
	assert_int_equal(xg_args_check_mtu(&cfg, 9000, err, sizeof(err)), 0);
	assert_int_equal(parse(XG_CMD_TX, ADDR4 "--size 3072 va"), 0);
	assert_int_equal(cfg.engine, XG_ENGINE_AUTO);
	assert_int_equal(parse(XG_CMD_TX, ADDR4 "--engine xsk va"), 0);
	assert_int_equal(cfg.engine, XG_ENGINE_XSK);
}

static void test_imix(void **state)
{
	uint32_t n[3] = { 0 };

	(void)state;
	assert_int_equal(parse(XG_CMD_TX, ADDR4 "--size imix va"), 0);
	assert_int_equal(cfg.nsizes, 3);
	assert_int_equal(cfg.sizes[0], 64);
	assert_int_equal(cfg.sizes[1], 590);
	assert_int_equal(cfg.sizes[2], 1514);
	assert_int_equal(cfg.cycle_len, 12);
	for (uint32_t i = 0; i < cfg.cycle_len; i++)
		n[cfg.cycle[i]]++;
	assert_int_equal(n[0], 7);
	assert_int_equal(n[1], 4);
	assert_int_equal(n[2], 1);
	/* IPv6: the small frame is the smallest one IPv6 allows */
	assert_int_equal(parse(XG_CMD_TX, ADDR6 "--size imix va"), 0);
	assert_int_equal(cfg.sizes[0], 78);
}

static void test_mtu(void **state)
{
	(void)state;
	assert_int_equal(parse(XG_CMD_TX, ADDR4 "--size 64,1514 va"), 0);
	assert_int_equal(xg_args_check_mtu(&cfg, 1500, err, sizeof(err)), 0);
	assert_int_equal(xg_args_check_mtu(&cfg, 1499, err, sizeof(err)), XG_EXIT_USAGE);
	assert_string_equal(err, "--size 1514 is above the MTU of va: at most 1513 bytes (MTU 1499 + 14-byte Ethernet "
				 "header)");
	assert_int_equal(parse(XG_CMD_TX, ADDR4 "--size 9000 va"), 0);
	assert_int_equal(xg_args_check_mtu(&cfg, 1500, err, sizeof(err)), XG_EXIT_USAGE);
	assert_non_null(strstr(err, "--size 9000 is above the MTU of va: at most 1514 bytes"));
	assert_int_equal(xg_args_check_mtu(&cfg, 9000, err, sizeof(err)), XG_EXIT_USAGE);
	assert_non_null(strstr(err, "--size 9000: xdpgen sends frames of one buffer, at most 4096 bytes"));
	assert_int_equal(parse(XG_CMD_TX, ADDR4 "--engine live --size 4000 va"), 0);
	assert_int_equal(xg_args_check_mtu(&cfg, 9000, err, sizeof(err)), XG_EXIT_USAGE);
	assert_non_null(strstr(err, "the live engine sends frames of at most 3072 bytes"));
	assert_int_equal(parse(XG_CMD_TX, ADDR4 "--engine xsk --size 4000 va"), 0);
	assert_int_equal(xg_args_check_mtu(&cfg, 9000, err, sizeof(err)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_engine_auto),
		cmocka_unit_test(test_imix),
		cmocka_unit_test(test_mtu),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
