/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The subcommands behind main.c's command line.  Each returns 0 or -errno with xl_errmsg() set. */
#ifndef XDPLAB_CMD_H
#define XDPLAB_CMD_H

#include <stdbool.h>

#include "lab.h"

struct xl_opts {
	bool verbose;		/* up/down: print each step */
	bool json;		/* show */
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
 * Run @argv inside namespace @ns (like `ip netns exec`).  Returns only on failure, with the exit status
 * to use: 1 the namespace cannot be entered, 126 the command cannot be run, 127 it is not found.
 */
int xl_exec(const char *ns, char *const argv[]);

#endif
