// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * Kernel refusals, simulated (the kernel here cannot be made to refuse on demand):
 *   - the sentence a refusal produces names the feature, the kernel's answer and the fallback;
 *   - a per-process refusal is said once, a per-interface one each time, at WARN;
 *   - libbpf's words during the library's own calls reach the library's log, not stderr, and the
 *     kernel's extended ack is kept; outside those calls, and after them, the application's own
 *     libbpf print hook still gets libbpf's words.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <bpf/libbpf.h>

#include "internal.h"

static char logged[8][512];
static enum xdpsock_log_level levels[8];
static int nlogged;

static void log_cb(enum xdpsock_log_level level, const char *msg, void *ctx)
{
	(void)ctx;
	if (nlogged < 8) {
		levels[nlogged] = level;
		snprintf(logged[nlogged], sizeof(logged[0]), "%s", msg);
	}
	nlogged++;
}

static int app_calls;
static char app_last[512];

static int app_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	app_calls++;
	vsnprintf(app_last, sizeof(app_last), fmt, ap);
	return 0;
}

static int setup(void **state)
{
	(void)state;
	nlogged = 0;
	app_calls = 0;
	app_last[0] = '\0';
	xdpsock_set_log(log_cb, NULL);
	return 0;
}

static void test_sentence_names_feature_answer_fallback(void **state)
{
	char buf[512];

	(void)state;
	xdpsock__refusal_str(buf, sizeof(buf), XDPSOCK__FEAT_TX_SKB_BUDGET, NULL, -ENOPROTOOPT, NULL,
			     "in copy mode one kick sends at most 32 frames");
	assert_string_equal(buf, "the copy-mode TX budget (XDP_MAX_TX_SKB_BUDGET, Linux 6.17) refused by this kernel "
				 "(Protocol not available): in copy mode one kick sends at most 32 frames");
	xdpsock__refusal_str(buf, sizeof(buf), XDPSOCK__FEAT_NATIVE_XDP, "vb", EINVAL,
			     "veth: Peer MTU is too large to set XDP", "using generic XDP");
	assert_string_equal(buf, "native XDP on vb refused by this kernel (Invalid argument: veth: Peer MTU is too "
				 "large to set XDP): using generic XDP");
	xdpsock__refusal_str(buf, sizeof(buf), XDPSOCK__FEAT_XDP_FRAGS, NULL, -EINVAL, "",
			     "loaded a single-buffer program: no jumbo frames in native mode, and packets larger than a page are dropped");
	assert_string_equal(buf, "a multi-buffer XDP program (BPF_F_XDP_HAS_FRAGS, Linux 5.18) refused by this kernel "
				 "(Invalid argument): loaded a single-buffer program: no jumbo frames in native mode, and "
				 "packets larger than a page are dropped");
	xdpsock__refusal_str(buf, sizeof(buf), XDPSOCK__FEAT_SOCK_DIAG, NULL, -EPROTONOSUPPORT, "", "the fallback");
	assert_string_equal(buf, "sock_diag for AF_XDP (CONFIG_XDP_SOCKETS_DIAG) refused by this kernel (Protocol not "
				 "supported): the fallback");
}

static void test_once_per_process_each_time_per_interface(void **state)
{
	(void)state;
	xdpsock__refused(XDPSOCK__FEAT_SOCK_DIAG, NULL, EPROTONOSUPPORT, NULL, "scan /proc");
	xdpsock__refused(XDPSOCK__FEAT_SOCK_DIAG, NULL, EPROTONOSUPPORT, NULL, "scan /proc");
	assert_int_equal(nlogged, 1);
	assert_int_equal(levels[0], XDPSOCK_LOG_WARN);
	assert_non_null(strstr(logged[0], "sock_diag for AF_XDP"));
	assert_non_null(strstr(logged[0], "Protocol not supported"));
	assert_non_null(strstr(logged[0], "scan /proc"));
	xdpsock__refused(XDPSOCK__FEAT_NATIVE_XDP, "va", EINVAL, NULL, "using generic XDP");
	xdpsock__refused(XDPSOCK__FEAT_NATIVE_XDP, "vb", EINVAL, NULL, "using generic XDP");
	assert_int_equal(nlogged, 3);
	assert_string_equal(logged[2], "native XDP on vb refused by this kernel (Invalid argument): using generic XDP");
}

/* Something that makes libbpf warn without a kernel: an object that is not ELF. */
static void libbpf_complain(void)
{
	static const char junk[64] = "not an ELF object";
	struct bpf_object *obj = bpf_object__open_mem(junk, sizeof(junk), NULL);

	assert_null(obj);
}

static void test_libbpf_words_go_to_the_log_not_stderr(void **state)
{
	libbpf_print_fn_t before;
	int i, found = 0;

	(void)state;
	before = libbpf_set_print(app_print);
	xdpsock__libbpf_begin();
	xdpsock__libbpf_begin();	/* nested: one installation */
	libbpf_complain();
	xdpsock__libbpf_end();
	assert_int_equal(app_calls, 0);
	libbpf_complain();		/* still inside the outer scope */
	xdpsock__libbpf_end();
	assert_int_equal(app_calls, 0);
	assert_true(nlogged > 0);
	for (i = 0; i < nlogged && i < 8; i++) {
		assert_int_equal(levels[i], XDPSOCK_LOG_DEBUG);
		found += !strncmp(logged[i], "libbpf: ", 8);
	}
	assert_true(found > 0);
	assert_true(xdpsock__libbpf_last()[0] != '\0');

	/* After the scope, the application's hook is back and gets libbpf's words again. */
	libbpf_complain();
	assert_true(app_calls > 0);
	assert_true(app_last[0] != '\0');
	assert_ptr_equal(libbpf_set_print(before), app_print);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_sentence_names_feature_answer_fallback, setup),
		cmocka_unit_test_setup(test_once_per_process_each_time_per_interface, setup),
		cmocka_unit_test_setup(test_libbpf_words_go_to_the_log_not_stderr, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
