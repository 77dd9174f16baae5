// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * `xdpbridge fwd` command line: the defaults a user gets, every option reaching the
 * config, queue and cpu LISTs, seconds, and each misuse refused (exit 2) with a sentence
 * naming the option and what it accepts.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <cmocka.h>

#include "fwd.h"

#define MAX_ARGS 32

static char errbuf[512];

/* Parse a NULL-terminated list of words after "fwd" (getopt permutes argv: give it a copy). */
static enum fwd_parse_result parse(struct fwd_cfg *cfg, ...)
{
	char *argv[MAX_ARGS + 1], *words[MAX_ARGS];
	enum fwd_parse_result r;
	va_list ap;
	int argc = 0, i;
	const char *w;

	argv[argc++] = strdup("xdpbridge fwd");
	va_start(ap, cfg);
	while ((w = va_arg(ap, const char *)) && argc < MAX_ARGS)
		argv[argc++] = strdup(w);
	va_end(ap);
	argv[argc] = NULL;
	memcpy(words, argv, sizeof(words[0]) * (size_t)argc);
	errbuf[0] = '\0';
	r = fwd_cfg_parse(cfg, argc, argv, errbuf, sizeof(errbuf));
	for (i = 0; i < argc; i++)
		free(words[i]);
	return r;
}

static void expect_usage(const char *needle, struct fwd_cfg *cfg, enum fwd_parse_result r)
{
	(void)cfg;
	assert_int_equal(r, FWD_PARSE_USAGE);
	if (!strstr(errbuf, needle))
		fail_msg("\"%s\" not in the message \"%s\"", needle, errbuf);
}

static void test_defaults(void **state)
{
	struct fwd_cfg c;

	(void)state;
	assert_int_equal(parse(&c, "p0", "p1", NULL), FWD_PARSE_OK);
	assert_string_equal(c.ifname[0], "p0");
	assert_string_equal(c.ifname[1], "p1");
	assert_int_equal(c.nqueues, 0);		/* every queue, decided from netlink */
	assert_int_equal(c.ncpus, 0);		/* no pinning */
	assert_int_equal(c.copy_mode, XDPSOCK_COPY_AUTO);
	assert_int_equal(c.attach_mode, XDPSOCK_ATTACH_AUTO);
	assert_int_equal(c.frame_size, 2048);
	assert_int_equal(c.ring, 2048);
	assert_int_equal(c.frames, 4 * 2048);	/* two fill rings plus as much in flight */
	assert_int_equal(c.batch, 64);
	assert_false(c.busy_poll);
	assert_false(c.json);
	assert_false(c.force);
	assert_false(c.vlan);
	assert_false(c.no_share);
	assert_true(c.interval == 0.0);
	assert_true(c.duration == 0.0);
}

static void test_every_option(void **state)
{
	struct fwd_cfg c;

	(void)state;
	/* Options before, between and after the interfaces: getopt permutes. */
	assert_int_equal(parse(&c, "-q", "0-2,5", "vethA", "--cpus", "1,0", "vethB", "-m", "copy", "-x", "generic",
			       "--frame-size", "4096", "--frames", "20000", "--ring", "4096", "--batch", "256",
			       "--busy-poll", "-i", "0.5", "-j", "-d", "10", "--force", "--vlan", "--no-shared-umem",
			       "-v", "-v", NULL),
			 FWD_PARSE_OK);
	assert_string_equal(c.ifname[0], "vethA");
	assert_string_equal(c.ifname[1], "vethB");
	assert_int_equal(c.nqueues, 4);
	assert_int_equal(c.queue[0], 0);
	assert_int_equal(c.queue[2], 2);
	assert_int_equal(c.queue[3], 5);
	assert_int_equal(c.ncpus, 2);
	assert_int_equal(c.cpu[0], 1);
	assert_int_equal(c.cpu[1], 0);
	assert_int_equal(c.copy_mode, XDPSOCK_COPY_FORCE);
	assert_int_equal(c.attach_mode, XDPSOCK_ATTACH_GENERIC);
	assert_int_equal(c.frame_size, 4096);
	assert_int_equal(c.frames, 20000);
	assert_int_equal(c.ring, 4096);
	assert_int_equal(c.batch, 256);
	assert_true(c.busy_poll && c.json && c.force && c.vlan && c.no_share);
	assert_int_equal(c.verbose, 2);
	assert_true(c.interval == 0.5);
	assert_true(c.duration == 10.0);

	assert_int_equal(parse(&c, "a", "b", "--mode=zerocopy", "--xdp=native", "--queues=3", NULL), FWD_PARSE_OK);
	assert_int_equal(c.copy_mode, XDPSOCK_COPY_ZEROCOPY);
	assert_int_equal(c.attach_mode, XDPSOCK_ATTACH_NATIVE);
	assert_int_equal(c.nqueues, 1);
	assert_int_equal(c.queue[0], 3);
	/* --ring alone moves the default frame count with it. */
	assert_int_equal(parse(&c, "a", "b", "--ring", "512", NULL), FWD_PARSE_OK);
	assert_int_equal(c.frames, 2048);
}

static void test_help(void **state)
{
	struct fwd_cfg c;
	int saved, null;

	(void)state;
	/* The usage goes to stdout, where cmocka reports too: send it elsewhere meanwhile. */
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	assert_true(saved >= 0 && null >= 0 && dup2(null, STDOUT_FILENO) >= 0);
	assert_int_equal(parse(&c, "--help", NULL), FWD_PARSE_HELP);
	assert_int_equal(parse(&c, "p0", "p1", "-h", NULL), FWD_PARSE_HELP);
	fflush(stdout);
	assert_true(dup2(saved, STDOUT_FILENO) >= 0);
	close(saved);
	close(null);
}

static void test_lists(void **state)
{
	uint32_t v[FWD_MAX_QUEUES];
	char err[256];

	(void)state;
	assert_int_equal(xb_list_parse("0", 100, true, v, 8, err, sizeof(err)), 1);
	assert_int_equal(xb_list_parse("0,1", 100, true, v, 8, err, sizeof(err)), 2);
	assert_int_equal(xb_list_parse("0-3", 100, true, v, 8, err, sizeof(err)), 4);
	assert_int_equal(v[3], 3);
	assert_int_equal(xb_list_parse("4,0-1,7", 100, true, v, 8, err, sizeof(err)), 4);
	assert_int_equal(v[0], 4);
	assert_int_equal(v[1], 0);
	assert_int_equal(v[2], 1);
	assert_int_equal(v[3], 7);
	assert_int_equal(xb_list_parse("2-2", 100, true, v, 8, err, sizeof(err)), 1);
	/* cpus may repeat: two workers on one core is a choice */
	assert_int_equal(xb_list_parse("1,1,0", 100, false, v, 8, err, sizeof(err)), 3);
	/* exactly the capacity, then one more */
	assert_int_equal(xb_list_parse("0-7", 100, true, v, 8, err, sizeof(err)), 8);
	assert_int_equal(xb_list_parse("0-8", 100, true, v, 8, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "more than 8"));
	/* the largest range does not overflow the count */
	assert_int_equal(xb_list_parse("0-4294967295", UINT32_MAX, false, v, 8, err, sizeof(err)), -1);
	assert_int_equal(xb_list_parse("1,1", 100, true, v, 8, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "1 is listed twice"));
	assert_int_equal(xb_list_parse("0-2,1", 100, true, v, 8, err, sizeof(err)), -1);
	assert_int_equal(xb_list_parse("3-1", 100, true, v, 8, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "goes backwards"));
	assert_int_equal(xb_list_parse("101", 100, true, v, 8, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "from 0 to 100"));
	{
		static const char *const bad[] = { "", ",", "1,", ",1", "a", "1-", "-1", "1-a", "1 ,2", " 1", "0x1",
						   "1..2", "1-2-3", "+1", "99999999999999999999" };
		size_t i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			if (xb_list_parse(bad[i], 100, true, v, 8, err, sizeof(err)) != -1)
				fail_msg("'%s' was accepted", bad[i]);
	}
}

static void test_secs(void **state)
{
	double v;

	(void)state;
	assert_true(xb_secs_parse("1", 100, &v) && v == 1.0);
	assert_true(xb_secs_parse("0.5", 100, &v) && v == 0.5);
	assert_true(xb_secs_parse("0", 100, &v) && v == 0.0);
	assert_true(xb_secs_parse("0.001", 100, &v));
	assert_true(xb_secs_parse("100", 100, &v));
	{
		static const char *const bad[] = { "", "-1", "+1", " 1", "1s", "abc", "inf", "nan", "1e400", "0.0001", "101",
						   ".5" };
		size_t i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			if (xb_secs_parse(bad[i], 100, &v))
				fail_msg("'%s' was accepted", bad[i]);
	}
}

static void test_usage_errors(void **state)
{
	struct fwd_cfg c;

	(void)state;
	expect_usage("two interfaces are needed", &c, parse(&c, NULL));
	expect_usage("two interfaces are needed", &c, parse(&c, "p0", NULL));
	expect_usage("only two interfaces", &c, parse(&c, "p0", "p1", "p2", NULL));
	expect_usage("both 'p0'", &c, parse(&c, "p0", "p0", NULL));
	expect_usage("not an interface name", &c, parse(&c, "p0", "0123456789abcdef", NULL));
	expect_usage("not an interface name", &c, parse(&c, "p0", "a/b", NULL));
	expect_usage("not an interface name", &c, parse(&c, "", "p1", NULL));
	expect_usage("unknown option '--bogus'", &c, parse(&c, "p0", "p1", "--bogus", NULL));
	expect_usage("unknown option -Z", &c, parse(&c, "p0", "p1", "-Z", NULL));
	expect_usage("'-q' needs a value", &c, parse(&c, "p0", "p1", "-q", NULL));
	expect_usage("'--ring' needs a value", &c, parse(&c, "p0", "p1", "--ring", NULL));
	expect_usage("--queues: 1 is listed twice", &c, parse(&c, "p0", "p1", "-q", "1,1", NULL));
	expect_usage("--queues:", &c, parse(&c, "p0", "p1", "-q", "70000", NULL));
	expect_usage("--cpus:", &c, parse(&c, "p0", "p1", "-c", "x", NULL));
	expect_usage("--mode 'fast': expected auto, copy or zerocopy", &c, parse(&c, "p0", "p1", "-m", "fast", NULL));
	expect_usage("--xdp 'driver': expected auto, native or generic", &c, parse(&c, "p0", "p1", "-x", "driver", NULL));
	expect_usage("--frame-size '1024': expected 2048 or 4096", &c, parse(&c, "p0", "p1", "--frame-size", "1024", NULL));
	expect_usage("--ring '1000'", &c, parse(&c, "p0", "p1", "--ring", "1000", NULL));
	expect_usage("--ring '32'", &c, parse(&c, "p0", "p1", "--ring", "32", NULL));
	expect_usage("--batch '0'", &c, parse(&c, "p0", "p1", "--batch", "0", NULL));
	expect_usage("--batch '257'", &c, parse(&c, "p0", "p1", "--batch", "257", NULL));
	expect_usage("--batch 128 is larger than the rings (64)", &c,
		     parse(&c, "p0", "p1", "--batch", "128", "--ring", "64", NULL));
	expect_usage("--frames 4095 is too few for two fill rings of 2048: use at least 4096", &c,
		     parse(&c, "p0", "p1", "--frames", "4095", NULL));
	expect_usage("--frames '0'", &c, parse(&c, "p0", "p1", "--frames", "0", NULL));
	expect_usage("--xdp given twice ('native', then 'generic'): give one", &c,
		     parse(&c, "p0", "p1", "-x", "native", "--xdp", "generic", NULL));
	expect_usage("--mode given twice ('auto', then 'copy'): give one", &c,
		     parse(&c, "p0", "p1", "-m", "auto", "-m", "copy", NULL));
	expect_usage("--interval '-1'", &c, parse(&c, "p0", "p1", "-i", "-1", NULL));
	expect_usage("--duration 'soon'", &c, parse(&c, "p0", "p1", "-d", "soon", NULL));
	/* A failed parse does not poison the next one (getopt's state is reset). */
	assert_int_equal(parse(&c, "p0", "p1", "-jv", NULL), FWD_PARSE_OK);
	assert_true(c.json);
	assert_int_equal(c.verbose, 1);
}

/* The library's failures in the command line's words (cfg.c xb_lib_error()), one row per cause. */
static void test_lib_error(void **state)
{
	static const struct {
		int err;
		enum xdpsock_copy_mode copy;
		enum xdpsock_attach_mode attach;
		uint32_t frames, frame_size;
		const char *ifname;
		const char *want;
	} rows[] = {
		{ -EOPNOTSUPP, XDPSOCK_COPY_ZEROCOPY, XDPSOCK_ATTACH_AUTO, 8192, 2048, "p0",
		  "p0's driver cannot do zero-copy AF_XDP: use -m auto (zero-copy where the driver can, else copy) or -m copy" },
		/* The library binds first: with both asked, the refusal is the zero-copy one. */
		{ -EOPNOTSUPP, XDPSOCK_COPY_ZEROCOPY, XDPSOCK_ATTACH_NATIVE, 8192, 2048, "p1",
		  "p1's driver cannot do zero-copy AF_XDP" },
		{ -EOPNOTSUPP, XDPSOCK_COPY_AUTO, XDPSOCK_ATTACH_NATIVE, 8192, 2048, "lo",
		  "lo's driver has no native XDP: use -x auto (native where the driver can, else generic) or -x generic" },
		{ -ENOMEM, XDPSOCK_COPY_AUTO, XDPSOCK_ATTACH_AUTO, 16777216, 2048, "p0",
		  "not enough memory for a UMEM of 16777216 frames of 2048 bytes (32 GiB) per queue: lower --frames" },
		{ -ENOMEM, XDPSOCK_COPY_AUTO, XDPSOCK_ATTACH_AUTO, 100000, 4096, NULL,
		  "not enough memory for a UMEM of 100000 frames of 4096 bytes (391 MiB) per queue: lower --frames or use "
		  "--frame-size 2048" },
		/* Not chosen through an option: the library's own sentence, whatever it is. */
		{ -EOPNOTSUPP, XDPSOCK_COPY_AUTO, XDPSOCK_ATTACH_AUTO, 8192, 2048, "p0", "" },
		{ -EBUSY, XDPSOCK_COPY_ZEROCOPY, XDPSOCK_ATTACH_NATIVE, 8192, 2048, "p0", "" },
		/* tap/tun: the library attaches nothing (our steering program does), so -x is not its cause. */
		{ -EOPNOTSUPP, XDPSOCK_COPY_AUTO, XDPSOCK_ATTACH_NONE, 8192, 2048, "vb", "" },
	};
	char buf[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct xdpsock_opts o = { .sz = sizeof(o), .copy_mode = rows[i].copy, .attach_mode = rows[i].attach,
					  .frame_count = rows[i].frames, .frame_size = rows[i].frame_size };

		xb_lib_error(rows[i].err, &o, rows[i].ifname, buf, sizeof(buf));
		if (rows[i].want[0] ? !strstr(buf, rows[i].want) : strcmp(buf, xdpsock_errmsg()))
			fail_msg("row %zu: \"%s\", expected \"%s\"", i, buf, rows[i].want[0] ? rows[i].want : xdpsock_errmsg());
		if (strstr(buf, "copy_mode") || strstr(buf, "attach_mode") || strstr(buf, "frame_count"))
			fail_msg("row %zu names a library field: \"%s\"", i, buf);
	}
}

/* Someone else's program: named, left alone, --force named; no advice to remove it by hand. */
static void test_foreign_msg(void **state)
{
	char buf[512];

	(void)state;
	xb_foreign_prog_msg(buf, sizeof(buf), "p0", "foreign", 42, "native");
	assert_string_equal(buf, "p0 already has XDP program 'foreign' (id 42, native mode), not one of ours: the bridge "
				 "leaves it alone; use another interface, or, if nothing needs that program any more, run "
				 "with --force to replace it");
	assert_null(strstr(buf, "xdp off"));
	assert_null(strstr(buf, "attach_mode"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_every_option),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_secs),
		cmocka_unit_test(test_usage_errors),
		cmocka_unit_test(test_lib_error),
		cmocka_unit_test(test_foreign_msg),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
