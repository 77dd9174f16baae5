/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * xdpbridge's subcommands.  Each gets argv from its own name on (argv[0] is
 * "list"), parses its options, prints, and returns the process exit code.
 */
#ifndef XDPBRIDGE_CMD_H
#define XDPBRIDGE_CMD_H

#include <stdio.h>

#include "xnl.h"

/* Exit codes of every subcommand. */
#define XB_EXIT_OK 0
#define XB_EXIT_ERROR 1		/* runtime: the kernel refused, an interface is missing, ... */
#define XB_EXIT_USAGE 2		/* bad command line */

int cmd_list(int argc, char **argv);
int cmd_monitor(int argc, char **argv);
int cmd_fwd(int argc, char **argv);
int cmd_tap(int argc, char **argv);
int cmd_tun(int argc, char **argv);

/* list.c's two renderings, exposed for the unit tests. */
void list_print_table(FILE *f, const struct xnl_iface *v, size_t n);
void list_print_json(FILE *f, const struct xnl_iface *v, size_t n);

/* @s as a JSON string, quotes included: control characters escaped, invalid UTF-8 as U+FFFD. */
void json_print_str(FILE *f, const char *s);

/* Finish stdout: 0, or XB_EXIT_ERROR with a message when the output could not be written. */
int xb_flush_stdout(const char *prog);

#endif
