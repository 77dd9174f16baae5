/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The main thread of every long-running mode (fwd, tap, tun): one epoll loop over the signals,
 * the timers (--interval, --duration), the link monitor, the workers' eventfd and the mode's own
 * fds, and the one way to stop.  What a mode does differently is a field of struct xb_run_ops.
 */
#ifndef XDPBRIDGE_RUN_H
#define XDPBRIDGE_RUN_H

#include <stdbool.h>
#include <stdint.h>

struct xnl_monitor;
struct xnl_link;
enum xnl_link_event;

/* epoll tags; a mode's own fds use XB_EV_MODE and up. */
enum { XB_EV_SIGNAL = 1, XB_EV_MONITOR, XB_EV_INTERVAL, XB_EV_DURATION, XB_EV_WORKER, XB_EV_MODE };

struct xb_run_ops {
	void (*wake)(void *ctx);		/* wake every worker (their eventfds) */
	bool (*failed)(void *ctx);		/* has a worker stopped on an error? */
	void (*after_wake)(void *ctx);		/* the workers woke the main thread (tun: next hops); NULL */
	void (*periodic)(void *ctx);		/* the --interval report */
	void (*on_fd)(void *ctx, uint32_t tag);	/* a mode's own fd (tag >= XB_EV_MODE); NULL */
};

struct xb_run {
	const struct xb_run_ops *ops;
	void *ctx;			/* the mode's run, passed to ops */
	const char *pfx;		/* "xdpbridge fwd: " */
	int *stop_flag;			/* the workers' control block's stop */
	int *main_evfd;			/* the workers' eventfd towards the main thread, in their control block */
	struct xnl_monitor *mon;
	int ep, sfd, tfd_interval, tfd_duration;
	bool stopping;
	const char *reason;		/* "SIGINT", "duration", "error": the summary's reason */
	int exit_code;
};

/**
 * xb_run_init() - nothing open yet, exit status 1 until a run ends well.  @stop_flag and
 * @main_evfd: in the mode's control block, which its workers read.
 */
void xb_run_init(struct xb_run *r, const struct xb_run_ops *ops, void *ctx, const char *pfx, int *stop_flag,
		 int *main_evfd);

/**
 * xb_run_open() - block the signals and read them from a signalfd (from here SIGINT/SIGTERM only
 * arrive through it, also during setup; a closed stdout is a write error, not a death with
 * programs attached), the epoll set, the workers' eventfd, and the link monitor (@on_link,
 * @ctx), first: a link that changes or goes away from now on is reported in the loop.
 * Return: 0, or -1 said on stderr.
 */
int xb_run_open(struct xb_run *r, void (*on_link)(enum xnl_link_event, const struct xnl_link *, void *), void *ctx);

/** xb_run_timers() - --interval (@interval > 0) and --duration (@duration > 0).  0, or -1 said. */
int xb_run_timers(struct xb_run *r, double interval, double duration);

/** xb_run_close() - close what xb_run_open() and xb_run_timers() opened; the signals stay blocked. */
void xb_run_close(struct xb_run *r);

/**
 * xb_run_stop() - stop once: remember @reason and exit @code, tell the workers (ctl.stop) and
 * wake them.  Later calls do nothing: the first cause is the one reported.
 */
void xb_run_stop(struct xb_run *r, const char *reason, int code);

/** xb_run_loop() - dispatch events until xb_run_stop() was called. */
void xb_run_loop(struct xb_run *r);

#endif
