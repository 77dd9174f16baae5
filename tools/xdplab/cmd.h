/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The subcommands behind main.c's command line.  Each returns 0 or -errno with xl_errmsg() set. */
#ifndef XDPLAB_CMD_H
#define XDPLAB_CMD_H

#include <stdbool.h>

#include "lab.h"

struct xl_opts {
	bool verbose;		/* up/down: print each step */
	bool json;		/* show, test */
	bool test;		/* up: run the expectations once the lab is up */
	const char *out;	/* graph: the file to write (NULL: DOT on stdout) */
};

/*
 * Create everything @lab describes, each namespace marked as the lab's (lo's alias, xl_lab_mark())
 * before it appears in /run/netns.  Refuses (-EEXIST) when any of its names is taken, saying by what
 * (and advising down only for what down removes).  On any failure, removes what it created, newest
 * first, and says so at the end of xl_errmsg().  XDPLAB_FAIL_STEP=N in the environment makes step N
 * fail (for the rollback tests).
 */
int xl_up(const struct xl_lab *lab, const struct xl_opts *o);

/*
 * Remove what up made of @lab: the interfaces and namespaces of the nodes whose namespace carries
 * the mark, and half-made entries; anything else with a node's name is left alone (and said so).
 * What is already gone is skipped.  A signal does not stop it halfway.  -errno only when something
 * that exists could not be removed, or a mark could not be read (the rest is still removed).
 */
int xl_down(const struct xl_lab *lab, const struct xl_opts *o);

/* Print what exists: of @lab (compared with the file), or of every lab found when @lab is NULL. */
int xl_show(const struct xl_lab *lab, const struct xl_opts *o);

/*
 * Check every expect line of @lab against the live lab, all at once, each bounded (2 s for ping,
 * 1 s for no-ping), and print a table (o->json: one JSON object).  0 when all hold; -EAGAIN when
 * some do not (or cannot be checked: a node that is not up, or not the lab's).
 */
int xl_test(const struct xl_lab *lab, const struct xl_opts *o);

/*
 * Draw @lab: nodes, interfaces with their addresses, links, bridge ports, routes' next hops.  DOT
 * on stdout, or into o->out: DOT for .dot/.gv, else SVG or PNG by its extension through Graphviz's
 * dot.  -EINVAL (an extension it cannot write), -ENOENT (no dot), -errno.
 */
int xl_graph(const struct xl_lab *lab, const struct xl_opts *o);

/*
 * Run @argv inside namespace @ns (like `ip netns exec`).  Returns only on failure, with the exit status
 * to use: 1 the namespace cannot be entered, 126 the command cannot be run, 127 it is not found.
 */
int xl_exec(const char *ns, char *const argv[]);

#endif
