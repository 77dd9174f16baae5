/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Inside `xdplab up` and `down` (build*.c, down.c, exec.c only): the state of one up, the steps it
 * takes, and the signal handling both share.
 *
 * Every change up makes to the system is one step (xlb_step): numbered for -v, stopped by a signal
 * or by XDPLAB_FAIL_STEP.  Every object it creates is in the undo log before it exists; what lives
 * inside an object (an address, a route, a neighbour, a sysctl of a node's namespace, a queueing
 * discipline, an offload switch) goes with it and needs no entry.
 */
#ifndef XDPLAB_BUILD_H
#define XDPLAB_BUILD_H

#include <signal.h>
#include <stdbool.h>

#include "cmd.h"
#include "lab.h"
#include "nl.h"
#include "undo.h"

struct build {
	const struct xl_lab *lab;
	const struct xl_opts *o;
	struct xl_ns ns[XL_MAX_NODES];
	struct xl_undo undo;
	int step;
	int fail_step;		/* XDPLAB_FAIL_STEP; 0: none */
};

/* Fail with "FILE:LINE: ..." (the line that asked for what failed); returns @err. */
int xlb_at(const struct build *b, int err, int line, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Before every change to the system: 0, or -EINTR (a signal came) / -EIO (XDPLAB_FAIL_STEP) with xl_errmsg(). */
int xlb_step(struct build *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Log an object about to be created; 0 or -errno with xl_errmsg(). */
int xlb_log_push(struct build *b, enum xl_undo_kind kind, int node, const char *name);

/*
 * Set by SIGINT/SIGTERM/SIGHUP while up or down runs (see xlb_signals_catch()); read between steps,
 * and by the waits (an exec line's command, the readiness of the links).
 */
extern volatile sig_atomic_t xlb_stop_signal;
#define XLB_NSIGNALS 4
/* SIGINT, SIGTERM, SIGHUP set xlb_stop_signal; SIGPIPE is ignored.  Restore with xlb_signals_restore(). */
void xlb_signals_catch(struct sigaction old[XLB_NSIGNALS]);
void xlb_signals_restore(const struct sigaction old[XLB_NSIGNALS]);
/* "SIGINT" */
const char *xlb_signame(int sig);

/* build_net.c: what goes on and inside the links, each one step (or none when there is nothing to do). */
int xlb_sysctls(struct build *b, bool ifaces);	/* the nodes' own keys (false), or their interfaces' (true) */
int xlb_bridge_ports(struct build *b, int bridge);
int xlb_offloads(struct build *b, int i);
int xlb_qdisc(struct build *b, int i);
int xlb_neighs(struct build *b);
int xlb_routes(struct build *b);

/* exec.c: the exec lines, in file order; a command that fails (or outlives its timeout) fails up. */
int xlb_execs(struct build *b);

/* down.c: who made a node's /run/netns entry (see there). */
enum xlb_owner {
	XLB_OWNER_NONE,		/* no entry */
	XLB_OWNER_LAB,		/* a namespace with the node's mark: made by this lab's up */
	XLB_OWNER_HALF,		/* a half-made entry */
	XLB_OWNER_OTHER,	/* a namespace without the mark, or something that is not a namespace: not ours */
};
int xlb_node_owner(const struct xl_lab *lab, int i, struct xl_ns *ns);
/* 0 when none of the lab's names is taken; -EEXIST saying by what (see xl_up()). */
int xlb_check_free(const struct xl_lab *lab);

#endif
