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
	const int *main_evfd;		/* the workers' eventfd towards the main thread */
	struct xnl_monitor *mon;
	int ep, sfd, tfd_interval, tfd_duration;
	bool stopping;
	const char *reason;		/* "SIGINT", "duration", "error": the summary's reason */
	int exit_code;
};

/**
 * xb_run_stop() - stop once: remember @reason and exit @code, tell the workers (ctl.stop) and
 * wake them.  Later calls do nothing: the first cause is the one reported.
 */
void xb_run_stop(struct xb_run *r, const char *reason, int code);

/** xb_run_loop() - dispatch events until xb_run_stop() was called. */
void xb_run_loop(struct xb_run *r);

#endif
