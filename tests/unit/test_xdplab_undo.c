// SPDX-License-Identifier: MIT OR Apache-2.0
/* The undo log of `xdplab up`: newest first, every entry tried, emptied after, bounded. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "undo.h"

struct record {
	int n;
	char seen[8][XL_NS_NAME_MAX + 1];
	const char *fail;	/* entries with this name fail with -EBUSY */
	const char *fail2;	/* and this one with -EPERM */
};

static int record(const struct xl_undo_entry *e, void *ctx)
{
	struct record *r = ctx;

	if (r->n < 8)
		strcpy(r->seen[r->n], e->name);
	r->n++;
	if (r->fail && !strcmp(e->name, r->fail))
		return -EBUSY;
	if (r->fail2 && !strcmp(e->name, r->fail2))
		return -EPERM;
	return 0;
}

static struct xl_undo *new_log(void)
{
	struct xl_undo *u = malloc(sizeof(*u));

	assert_non_null(u);
	xl_undo_init(u);
	/* What up logs for a two-node lab: namespaces, then the veth, then a macvlan on it. */
	assert_int_equal(xl_undo_push(u, XL_UNDO_NETNS, 0, "lab-a"), 0);
	assert_int_equal(xl_undo_push(u, XL_UNDO_NETNS, 1, "lab-b"), 0);
	assert_int_equal(xl_undo_push(u, XL_UNDO_LINK, 0, "eth0"), 0);
	assert_int_equal(xl_undo_push(u, XL_UNDO_LINK, 0, "mv0"), 0);
	return u;
}

static void test_reverse_order(void **state)
{
	struct xl_undo *u = new_log();
	struct record r = { 0 };
	int failed = -1;

	(void)state;
	assert_int_equal(xl_undo_run(u, record, &r, &failed), 0);
	assert_int_equal(failed, 0);
	assert_int_equal(r.n, 4);
	/* a macvlan before its parent, links before the namespaces they live in */
	assert_string_equal(r.seen[0], "mv0");
	assert_string_equal(r.seen[1], "eth0");
	assert_string_equal(r.seen[2], "lab-b");
	assert_string_equal(r.seen[3], "lab-a");
	assert_int_equal(u->n, 0);
	/* emptied: a second run undoes nothing */
	r.n = 0;
	assert_int_equal(xl_undo_run(u, record, &r, NULL), 0);
	assert_int_equal(r.n, 0);
	free(u);
}

static void test_failures_do_not_stop_it(void **state)
{
	struct xl_undo *u = new_log();
	struct record r = { .fail = "eth0", .fail2 = "lab-a" };
	int failed = 0;

	(void)state;
	/* the first failure is reported, and every later entry is still undone */
	assert_int_equal(xl_undo_run(u, record, &r, &failed), -EBUSY);
	assert_int_equal(failed, 2);
	assert_int_equal(r.n, 4);
	assert_string_equal(r.seen[3], "lab-a");
	assert_int_equal(u->n, 0);
	free(u);
}

static void test_pop(void **state)
{
	struct xl_undo *u = new_log();
	struct record r = { 0 };

	(void)state;
	/* a creation that failed drops its entry: nothing to undo for it */
	xl_undo_pop(u);
	assert_int_equal(xl_undo_run(u, record, &r, NULL), 0);
	assert_int_equal(r.n, 3);
	assert_string_equal(r.seen[0], "eth0");
	xl_undo_pop(u);	/* on an empty log: nothing */
	assert_int_equal(u->n, 0);
	free(u);
}

static void test_bounds(void **state)
{
	struct xl_undo *u = malloc(sizeof(*u));
	struct record r = { 0 };
	char name[XL_NS_NAME_MAX + 2];

	(void)state;
	assert_non_null(u);
	xl_undo_init(u);
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	assert_int_equal(xl_undo_push(u, XL_UNDO_NETNS, 0, name), -EINVAL);	/* one byte too long */
	name[XL_NS_NAME_MAX] = '\0';
	for (int i = 0; i < XL_UNDO_MAX; i++)
		assert_int_equal(xl_undo_push(u, XL_UNDO_LINK, 0, name), 0);
	/* a parsed lab cannot need more (one per node and interface), and the log says so if it did */
	assert_int_equal(xl_undo_push(u, XL_UNDO_LINK, 0, "x"), -ENOSPC);
	assert_int_equal(xl_undo_run(u, record, &r, NULL), 0);
	assert_int_equal(r.n, XL_UNDO_MAX);
	free(u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reverse_order),
		cmocka_unit_test(test_failures_do_not_stop_it),
		cmocka_unit_test(test_pop),
		cmocka_unit_test(test_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
