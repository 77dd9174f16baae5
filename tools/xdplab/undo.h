/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The undo log of `xdplab up`: one entry per object created, undone in reverse order when a later
 * step fails.  The log is written *before* each creation (xl_undo_push) and the entry dropped when
 * the creation fails (xl_undo_pop), so an object that exists is always in the log.
 */
#ifndef XDPLAB_UNDO_H
#define XDPLAB_UNDO_H

#include "lab.h"

enum xl_undo_kind {
	XL_UNDO_NETNS,		/* a named namespace: unmount and unlink /run/netns/NAME */
	XL_UNDO_LINK,		/* a link in a node's namespace: delete it by name */
};

struct xl_undo_entry {
	enum xl_undo_kind kind;
	int node;			/* index into lab->nodes */
	char name[XL_NS_NAME_MAX + 1];	/* the namespace or the interface */
};

/* Every node and every interface at most once: the log cannot overflow for a parsed lab. */
#define XL_UNDO_MAX (XL_MAX_NODES + XL_MAX_IFACES)

struct xl_undo {
	int n;
	struct xl_undo_entry e[XL_UNDO_MAX];
};

/* Undo one entry; returns 0 or -errno (the log goes on with the next entry either way). */
typedef int (*xl_undo_fn)(const struct xl_undo_entry *e, void *ctx);

void xl_undo_init(struct xl_undo *u);
/* Append; -ENOSPC when full, -EINVAL when @name does not fit. */
int xl_undo_push(struct xl_undo *u, enum xl_undo_kind kind, int node, const char *name);
/* Drop the last entry (its creation failed, nothing to undo). */
void xl_undo_pop(struct xl_undo *u);
/*
 * Undo every entry, newest first, calling @fn on each; the log is empty afterwards.  Returns 0 when
 * all succeeded, else the first error; *@failed (may be NULL) counts the entries that failed.
 */
int xl_undo_run(struct xl_undo *u, xl_undo_fn fn, void *ctx, int *failed);

#endif
