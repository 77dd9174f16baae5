// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * `xdpbridge tap` and `xdpbridge tun` command lines: the defaults a user gets, every option
 * reaching the config, --match rules as the XDP program will see them (masked prefixes,
 * ranges), and each misuse refused (exit 2) with a sentence naming the option.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tun.h"

#define MAX_ARGS 32

static char errbuf[512];

/* Parse a NULL-terminated list of words after "tap"/"tun" (getopt permutes argv: give it a copy). */
static enum tun_parse_result parse(struct tun_cfg *cfg, enum tun_kind kind, ...)
{
	char *argv[MAX_ARGS + 1], *words[MAX_ARGS];
	enum tun_parse_result r;
	va_list ap;
	int argc = 0, i;
	const char *w;

	argv[argc++] = strdup(kind == TUN_KIND_TAP ? "xdpbridge tap" : "xdpbridge tun");
	va_start(ap, kind);
	while ((w = va_arg(ap, const char *)) && argc < MAX_ARGS)
		argv[argc++] = strdup(w);
	va_end(ap);
	argv[argc] = NULL;
	memcpy(words, argv, sizeof(words[0]) * (size_t)argc);
	errbuf[0] = '\0';
	r = tun_cfg_parse(cfg, kind, argc, argv, errbuf, sizeof(errbuf));
	for (i = 0; i < argc; i++)
		free(words[i]);
	return r;
}

static void expect_usage(const char *needle, enum tun_parse_result r)
{
	assert_int_equal(r, TUN_PARSE_USAGE);
	if (!strstr(errbuf, needle))
		fail_msg("\"%s\" not in the message \"%s\"", needle, errbuf);
}

static uint32_t ip4(const char *s)
{
	uint32_t a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

static void test_defaults(void **state)
{
	struct tun_cfg c;

	(void)state;
	assert_int_equal(parse(&c, TUN_KIND_TAP, "vb", "--tap", "tap0", NULL), TUN_PARSE_OK);
	assert_int_equal(c.kind, TUN_KIND_TAP);
	assert_string_equal(c.ifname, "vb");
	assert_string_equal(c.devname, "tap0");
	assert_int_equal(c.nqueues, 0);		/* every queue, from netlink */
	assert_int_equal(c.ncpus, 0);
	assert_int_equal(c.copy_mode, XDPSOCK_COPY_AUTO);
	assert_int_equal(c.attach_mode, XDPSOCK_ATTACH_AUTO);
	assert_int_equal(c.frame_size, 2048);
	assert_int_equal(c.ring, 2048);
	assert_int_equal(c.frames, 2 * 2048);	/* a fill ring, and as many to send from */
	assert_int_equal(c.batch, 64);
	assert_int_equal(c.nrules, 0);		/* the whole queue */
	assert_false(c.have_peer_mac);
	assert_false(c.have_via[0] || c.have_via[1]);
	assert_false(c.no_resolve || c.json || c.force);
	assert_true(c.interval == 0.0 && c.duration == 0.0);

	/* Options before the interface, and -t for either kind. */
	assert_int_equal(parse(&c, TUN_KIND_TUN, "-t", "tun0", "vb", NULL), TUN_PARSE_OK);
	assert_int_equal(c.kind, TUN_KIND_TUN);
	assert_string_equal(c.devname, "tun0");
}

static void test_every_option(void **state)
{
	struct tun_cfg c;

	(void)state;
	assert_int_equal(parse(&c, TUN_KIND_TUN, "vb", "--tun", "tun0", "-q", "0-2", "-c", "1", "-m", "copy", "-x",
			       "generic", "--frame-size", "4096", "--frames", "1024", "--ring", "512", "--batch", "32",
			       "-i", "0.5", "-j", "-d", "3", "--force", "-vv", "--peer-mac", "02:00:00:00:07:01",
			       "--no-resolve", NULL),
			 TUN_PARSE_OK);
	assert_int_equal(c.nqueues, 3);
	assert_int_equal(c.queue[2], 2);
	assert_int_equal(c.ncpus, 1);
	assert_int_equal(c.cpu[0], 1);
	assert_int_equal(c.copy_mode, XDPSOCK_COPY_FORCE);
	assert_int_equal(c.attach_mode, XDPSOCK_ATTACH_GENERIC);
	assert_int_equal(c.frame_size, 4096);
	assert_int_equal(c.frames, 1024);
	assert_int_equal(c.ring, 512);
	assert_int_equal(c.batch, 32);
	assert_true(c.interval == 0.5 && c.duration == 3.0);
	assert_true(c.json && c.force && c.no_resolve);
	assert_int_equal(c.verbose, 2);
	assert_true(c.have_peer_mac);
	assert_memory_equal(c.peer_mac, "\x02\x00\x00\x00\x07\x01", 6);

	assert_int_equal(parse(&c, TUN_KIND_TUN, "vb", "--tun", "tun0", "--via", "198.18.7.1", "--via", "2001:2:7::1",
			       NULL),
			 TUN_PARSE_OK);
	assert_true(c.have_via[0] && c.have_via[1]);
	assert_memory_equal(c.via[0], "\xc6\x12\x07\x01", 4);
	assert_int_equal(c.via[1][15], 1);
	assert_int_equal(c.via[1][0], 0x20);
}

static void test_match(void **state)
{
	struct xb_steer_rule r;
	struct tun_cfg c;

	(void)state;
	/* A prefix with host bits is masked: the program compares masked words. */
	assert_int_equal(tun_match_parse("dst=198.18.5.77/24,proto=udp,dport=5000", &r, errbuf, sizeof(errbuf)), 0);
	assert_int_equal(r.fields, XB_RULE_DST | XB_RULE_PROTO | XB_RULE_DPORT);
	assert_int_equal(r.family, 4);
	assert_int_equal(r.dst[0], ip4("198.18.5.0"));
	assert_int_equal(r.dst_mask[0], ip4("255.255.255.0"));
	assert_int_equal(r.dst[1] | r.dst_mask[1] | r.dst_mask[3], 0);
	assert_int_equal(r.proto, 17);
	assert_int_equal(r.dport_lo, 5000);
	assert_int_equal(r.dport_hi, 5000);

	/* A bare address is a host prefix; IPv6 masks span words. */
	assert_int_equal(tun_match_parse("src=2001:2:8::/36,sport=1000-2000", &r, errbuf, sizeof(errbuf)), 0);
	assert_int_equal(r.family, 6);
	assert_int_equal(r.fields, XB_RULE_SRC | XB_RULE_SPORT);
	assert_int_equal(ntohl(r.src_mask[0]), 0xffffffff);
	assert_int_equal(ntohl(r.src_mask[1]), 0xf0000000);
	assert_int_equal(ntohl(r.src[1]), 0);
	assert_int_equal(r.sport_lo, 1000);
	assert_int_equal(r.sport_hi, 2000);
	assert_int_equal(tun_match_parse("dst=198.18.5.1", &r, errbuf, sizeof(errbuf)), 0);
	assert_int_equal(r.dst_mask[0], 0xffffffff);

	/* A rule without an address matches both families. */
	assert_int_equal(tun_match_parse("proto=ICMPv6", &r, errbuf, sizeof(errbuf)), 0);
	assert_int_equal(r.family, 0);
	assert_int_equal(r.proto, 58);
	assert_int_equal(tun_match_parse("proto=47", &r, errbuf, sizeof(errbuf)), 0);
	assert_int_equal(r.proto, 47);

	/* Several --match: any may match. */
	assert_int_equal(parse(&c, TUN_KIND_TAP, "vb", "--tap", "tap0", "--match", "dst=198.18.7.0/24", "--match",
			       "proto=udp,dport=5000", NULL),
			 TUN_PARSE_OK);
	assert_int_equal(c.nrules, 2);
	assert_int_equal(c.rule[1].fields, XB_RULE_PROTO | XB_RULE_DPORT);

	/* Misuse, each named. */
	assert_int_equal(tun_match_parse("dst=198.18.5.0/33", &r, errbuf, sizeof(errbuf)), -1);
	assert_non_null(strstr(errbuf, "dst=198.18.5.0/33: expected an IPv4 or IPv6 address"));
	assert_int_equal(tun_match_parse("dst=198.18.5.0/24,src=2001:2::/48", &r, errbuf, sizeof(errbuf)), -1);
	assert_non_null(strstr(errbuf, "mixes IPv4 and IPv6"));
	assert_int_equal(tun_match_parse("proto=bogus", &r, errbuf, sizeof(errbuf)), -1);
	assert_non_null(strstr(errbuf, "proto=bogus: expected tcp, udp"));
	assert_int_equal(tun_match_parse("dport=70000", &r, errbuf, sizeof(errbuf)), -1);
	assert_non_null(strstr(errbuf, "dport=70000: expected a port"));
	assert_int_equal(tun_match_parse("dport=20-10", &r, errbuf, sizeof(errbuf)), -1);
	assert_string_equal(errbuf, "dport=20-10: the range runs backwards: write the lower port first (dport=10-20)");
	assert_int_equal(tun_match_parse("proto=udp,sport=5000-10", &r, errbuf, sizeof(errbuf)), -1);
	assert_string_equal(errbuf,
			    "sport=5000-10: the range runs backwards: write the lower port first (sport=10-5000)");
	assert_int_equal(tun_match_parse("dport=10-", &r, errbuf, sizeof(errbuf)), -1);
	assert_non_null(strstr(errbuf, "dport=10-: expected a port 0-65535 or a range"));
	assert_int_equal(tun_match_parse("colour=red", &r, errbuf, sizeof(errbuf)), -1);
	assert_non_null(strstr(errbuf, "unknown key 'colour'"));
	assert_int_equal(tun_match_parse("proto=udp,proto=tcp", &r, errbuf, sizeof(errbuf)), -1);
	assert_non_null(strstr(errbuf, "'proto' is given twice"));
	assert_int_equal(tun_match_parse("dst", &r, errbuf, sizeof(errbuf)), -1);
	assert_non_null(strstr(errbuf, "is not KEY=VALUE"));
	assert_int_equal(tun_match_parse("", &r, errbuf, sizeof(errbuf)), -1);
	assert_int_equal(tun_match_parse(",", &r, errbuf, sizeof(errbuf)), -1);
	expect_usage("--match: unknown key", parse(&c, TUN_KIND_TUN, "vb", "--tun", "t", "--match", "x=1", NULL));
	expect_usage("more than 8 --match rules",
		     parse(&c, TUN_KIND_TUN, "vb", "--tun", "t", "--match", "dport=1", "--match", "dport=2", "--match",
			   "dport=3", "--match", "dport=4", "--match", "dport=5", "--match", "dport=6", "--match",
			   "dport=7", "--match", "dport=8", "--match", "dport=9", NULL));
}

static void test_mac(void **state)
{
	uint8_t m[6];

	(void)state;
	assert_true(tun_mac_parse("02:00:5e:AB:cd:ef", m));
	assert_memory_equal(m, "\x02\x00\x5e\xab\xcd\xef", 6);
	assert_false(tun_mac_parse("02:00:5e:ab:cd", m));
	assert_false(tun_mac_parse("02:00:5e:ab:cd:ef:00", m));
	assert_false(tun_mac_parse("02-00-5e-ab-cd-ef", m));
	assert_false(tun_mac_parse("2:0:5e:ab:cd:eff", m));
	assert_false(tun_mac_parse("+2:00:5e:ab:cd:ef", m));
	assert_false(tun_mac_parse("", m));
}

static void test_help(void **state)
{
	struct tun_cfg c;
	FILE *f = tmpfile();
	char text[8192];
	size_t n;

	(void)state;
	assert_non_null(f);
	tun_usage(f, TUN_KIND_TUN);
	rewind(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	assert_non_null(strstr(text, "Usage: xdpbridge tun IF --tun NAME"));
	assert_non_null(strstr(text, "--peer-mac"));
	assert_non_null(strstr(text, "--match RULE"));
	assert_non_null(strstr(text, "Exit status: 0"));
	assert_int_equal(parse(&c, TUN_KIND_TAP, "--help", NULL), TUN_PARSE_HELP);
}

static void test_usage_errors(void **state)
{
	struct tun_cfg c;

	(void)state;
	expect_usage("the interface is missing: xdpbridge tap IF --tap NAME", parse(&c, TUN_KIND_TAP, "--tap", "t", NULL));
	expect_usage("one interface only", parse(&c, TUN_KIND_TUN, "a", "b", "--tun", "t", NULL));
	expect_usage("--tap NAME is required", parse(&c, TUN_KIND_TAP, "vb", NULL));
	expect_usage("takes --tun NAME, not --tap", parse(&c, TUN_KIND_TUN, "vb", "--tap", "t", NULL));
	expect_usage("takes --tap NAME, not --tun", parse(&c, TUN_KIND_TAP, "vb", "--tun", "t", NULL));
	expect_usage("are both 'vb'", parse(&c, TUN_KIND_TAP, "vb", "--tap", "vb", NULL));
	expect_usage("--tun 'tun%d' is not an interface name", parse(&c, TUN_KIND_TUN, "vb", "--tun", "tun%d", NULL));
	expect_usage("'a/b' is not an interface name", parse(&c, TUN_KIND_TUN, "a/b", "--tun", "t", NULL));
	expect_usage("--tun 'averyveryverylongname' is not",
		     parse(&c, TUN_KIND_TUN, "vb", "--tun", "averyveryverylongname", NULL));
	expect_usage("--peer-mac is for 'xdpbridge tun' only",
		     parse(&c, TUN_KIND_TAP, "vb", "--tap", "t", "--peer-mac", "02:00:00:00:00:01", NULL));
	expect_usage("--via is for 'xdpbridge tun' only", parse(&c, TUN_KIND_TAP, "vb", "--tap", "t", "--via", "1.2.3.4", NULL));
	expect_usage("--peer-mac '01:00:5e:00:00:01': expected a unicast MAC",
		     parse(&c, TUN_KIND_TUN, "vb", "--tun", "t", "--peer-mac", "01:00:5e:00:00:01", NULL));
	expect_usage("--via 'gateway': expected an IPv4 or IPv6 address",
		     parse(&c, TUN_KIND_TUN, "vb", "--tun", "t", "--via", "gateway", NULL));
	expect_usage("--via is given twice for IPv4",
		     parse(&c, TUN_KIND_TUN, "vb", "--tun", "t", "--via", "1.2.3.4", "--via", "1.2.3.5", NULL));
	expect_usage("--peer-mac and --via exclude each other",
		     parse(&c, TUN_KIND_TUN, "vb", "--tun", "t", "--via", "1.2.3.4", "--peer-mac", "02:00:00:00:00:01",
			   NULL));
	expect_usage("--queues: 3 is listed twice", parse(&c, TUN_KIND_TUN, "vb", "--tun", "t", "-q", "3,3", NULL));
	expect_usage("--mode 'fast': expected auto, copy or zerocopy",
		     parse(&c, TUN_KIND_TUN, "vb", "--tun", "t", "-m", "fast", NULL));
	expect_usage("--batch 128 is larger than the rings (64)",
		     parse(&c, TUN_KIND_TUN, "vb", "--tun", "t", "--batch", "128", "--ring", "64", NULL));
	/* The library keeps a TX ring's worth besides the fill ring: 2 x --ring, not --ring + --batch. */
	expect_usage("--frames 4095 is too few for a fill ring and a TX ring of 2048 each: use at least 4096 (or a "
		     "smaller --ring)",
		     parse(&c, TUN_KIND_TUN, "vb", "--tun", "t", "--frames", "4095", NULL));
	expect_usage("--frames 2112 is too few", parse(&c, TUN_KIND_TUN, "vb", "--tun", "t", "--frames", "2112", NULL));
	assert_int_equal(parse(&c, TUN_KIND_TUN, "vb", "--tun", "t", "--frames", "128", "--ring", "64", NULL),
			 TUN_PARSE_OK);
	/* One mode each: a second, different one is refused, the same one again is not. */
	expect_usage("--mode given twice ('copy', then 'zerocopy'): give one",
		     parse(&c, TUN_KIND_TUN, "vb", "--tun", "t", "-m", "copy", "-m", "zerocopy", NULL));
	expect_usage("--xdp given twice ('native', then 'generic'): give one",
		     parse(&c, TUN_KIND_TUN, "vb", "--tun", "t", "--xdp", "native", "-x", "generic", NULL));
	assert_int_equal(parse(&c, TUN_KIND_TUN, "vb", "--tun", "t", "-x", "generic", "-x", "generic", NULL),
			 TUN_PARSE_OK);
	expect_usage("option '--tun' needs a value", parse(&c, TUN_KIND_TUN, "vb", "--tun", NULL));
	expect_usage("unknown option '--bogus'", parse(&c, TUN_KIND_TUN, "vb", "--bogus", NULL));
	/* A failed parse does not poison the next one. */
	assert_int_equal(parse(&c, TUN_KIND_TUN, "vb", "--tun", "t", "-jv", NULL), TUN_PARSE_OK);
	assert_true(c.json);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),     cmocka_unit_test(test_every_option), cmocka_unit_test(test_match),
		cmocka_unit_test(test_mac),	     cmocka_unit_test(test_help),	  cmocka_unit_test(test_usage_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
