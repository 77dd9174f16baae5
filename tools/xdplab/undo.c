// SPDX-License-Identifier: MIT OR Apache-2.0
/* The undo log (see undo.h). */
#include <errno.h>
#include <string.h>

#include "undo.h"

void xl_undo_init(struct xl_undo *u)
{
	u->n = 0;
}

int xl_undo_push(struct xl_undo *u, enum xl_undo_kind kind, int node, const char *name)
{
	struct xl_undo_entry *e;

	if (u->n < 0 || u->n >= XL_UNDO_MAX)
		return -ENOSPC;
	if (strlen(name) >= sizeof(e->name))
		return -EINVAL;
	e = &u->e[u->n++];
	e->kind = kind;
	e->node = node;
	strcpy(e->name, name);
	return 0;
}

void xl_undo_pop(struct xl_undo *u)
{
	if (u->n > 0)
		u->n--;
}

int xl_undo_run(struct xl_undo *u, xl_undo_fn fn, void *ctx, int *failed)
{
	int first = 0, nfail = 0;

	/* Newest first: a link goes before the namespace it lives in, a macvlan before its parent. */
	for (int i = u->n - 1; i >= 0; i--) {
		int err = fn(&u->e[i], ctx);

		if (err) {
			nfail++;
			if (!first)
				first = err;
		}
	}
	u->n = 0;
	if (failed)
		*failed = nfail;
	return first;
}
