// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * xdpgen tx's choice of engine (tools/xdpgen/engine.c) on the kernel's possible answers to the
 * live-frames probe, without a kernel: which engine runs, whether the run goes on, and the
 * words the user reads (the feature, the kernel's answer, the fallback or the way out).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "tx.h"

#define FEATURE "live frames (BPF_PROG_RUN with BPF_F_TEST_XDP_LIVE_FRAMES)"

static const struct row {
	enum xg_engine asked;
	struct xg_live_probe probe;
	int engine;		/* XG_ENGINE_XSK, XG_ENGINE_LIVE, or -1: exit 1 */
	const char *msg;	/* exactly this on stderr ("": nothing) */
} rows[] = {
	/* the kernel runs live frames */
	{ XG_ENGINE_AUTO, { 0, false }, XG_ENGINE_LIVE, "" },
	{ XG_ENGINE_LIVE, { 0, false }, XG_ENGINE_LIVE, "" },
	/* this project's kernel: EPERM, as root, for any program */
	{ XG_ENGINE_AUTO, { -EPERM, false }, XG_ENGINE_XSK,
	  FEATURE " refused by this kernel (Operation not permitted): using the xsk engine" },
	{ XG_ENGINE_LIVE, { -EPERM, false }, -1,
	  FEATURE " refused by this kernel (Operation not permitted): use --engine xsk, or --engine auto to fall back "
		  "to it by itself" },
	/* a kernel before 5.18 does not know the flag */
	{ XG_ENGINE_AUTO, { -EINVAL, false }, XG_ENGINE_XSK,
	  FEATURE " refused by this kernel (Invalid argument: live frames need Linux 5.18 or later): using the xsk "
		  "engine" },
	{ XG_ENGINE_LIVE, { -EOPNOTSUPP, false }, -1,
	  FEATURE " refused by this kernel (Operation not supported): use --engine xsk, or --engine auto to fall "
		  "back to it by itself" },
	/* no BPF at all for this user: the probe never ran */
	{ XG_ENGINE_AUTO, { -EPERM, true }, XG_ENGINE_XSK,
	  FEATURE " not tried: cannot load an XDP program (Operation not permitted: needs CAP_BPF and CAP_NET_ADMIN, "
		  "or root): using the xsk engine" },
	/* xsk asked: the probe's answer does not matter */
	{ XG_ENGINE_XSK, { -EPERM, false }, XG_ENGINE_XSK, "" },
	{ XG_ENGINE_XSK, { 0, false }, XG_ENGINE_XSK, "" },
};

static void test_pick(void **state)
{
	char msg[512];

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		int e;

		memset(msg, 'x', sizeof(msg));
		e = xg_engine_pick(r->asked, &r->probe, msg, sizeof(msg));
		if (e != r->engine || strcmp(msg, r->msg))
			fail_msg("row %zu: engine %d, message '%s'\n  want engine %d and '%s'", i, e, msg, r->engine,
				 r->msg);
	}
}

/* A short buffer gets a truncated sentence, never an overflow. */
static void test_short_buffer(void **state)
{
	const struct xg_live_probe p = { -EPERM, false };
	char msg[16];

	(void)state;
	assert_int_equal(xg_engine_pick(XG_ENGINE_AUTO, &p, msg, sizeof(msg)), XG_ENGINE_XSK);
	assert_string_equal(msg, "live frames (BP");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pick),
		cmocka_unit_test(test_short_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
