// SPDX-License-Identifier: MIT OR Apache-2.0
/* The main thread's loop, shared by fwd, tap and tun (run.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>

#include "cmd.h"
#include "daemon.h"
#include "run.h"
#include "xnl.h"

void xb_run_init(struct xb_run *r, const struct xb_run_ops *ops, void *ctx, const char *pfx, int *stop_flag,
		 int *main_evfd)
{
	memset(r, 0, sizeof(*r));
	r->ops = ops;
	r->ctx = ctx;
	r->pfx = pfx;
	r->stop_flag = stop_flag;
	r->main_evfd = main_evfd;
	r->ep = r->sfd = r->tfd_interval = r->tfd_duration = *main_evfd = -1;
	r->exit_code = XB_EXIT_ERROR;
}

int xb_run_open(struct xb_run *r, void (*on_link)(enum xnl_link_event, const struct xnl_link *, void *), void *ctx)
{
	r->sfd = xb_signals_open();
	r->ep = epoll_create1(EPOLL_CLOEXEC);
	*r->main_evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (r->sfd < 0 || r->ep < 0 || *r->main_evfd < 0 || xb_epoll_add(r->ep, r->sfd, XB_EV_SIGNAL) ||
	    xb_epoll_add(r->ep, *r->main_evfd, XB_EV_WORKER)) {
		fprintf(stderr, "%scannot set up signalfd/epoll/eventfd: %s\n", r->pfx, strerror(errno));
		return -1;
	}
	/* Events are only dispatched in the loop, after the mode has named its interfaces. */
	if (xnl_monitor_open(&r->mon, on_link, ctx) || xb_epoll_add(r->ep, xnl_monitor_fd(r->mon), XB_EV_MONITOR)) {
		fprintf(stderr, "%slink monitor: %s\n", r->pfx, r->mon ? strerror(errno) : xnl_errmsg());
		return -1;
	}
	return 0;
}

int xb_run_timers(struct xb_run *r, double interval, double duration)
{
	if ((interval > 0 && (r->tfd_interval = xb_timerfd(r->ep, interval, true, XB_EV_INTERVAL)) < 0) ||
	    (duration > 0 && (r->tfd_duration = xb_timerfd(r->ep, duration, false, XB_EV_DURATION)) < 0)) {
		fprintf(stderr, "%scannot create a timer: %s\n", r->pfx, strerror(errno));
		return -1;
	}
	return 0;
}

void xb_run_close(struct xb_run *r)
{
	xnl_monitor_close(r->mon);
	r->mon = NULL;
	if (r->tfd_duration >= 0)
		close(r->tfd_duration);
	if (r->tfd_interval >= 0)
		close(r->tfd_interval);
	if (*r->main_evfd >= 0)
		close(*r->main_evfd);
	if (r->ep >= 0)
		close(r->ep);
	/*
	 * The signals stay blocked: a second SIGTERM that arrived during the teardown would, once
	 * unblocked, kill the process on its way out and turn exit 0 into a death by signal.
	 */
	if (r->sfd >= 0)
		close(r->sfd);
	r->tfd_duration = r->tfd_interval = *r->main_evfd = r->ep = r->sfd = -1;
}

void xb_run_stop(struct xb_run *r, const char *reason, int code)
{
	if (r->stopping)
		return;
	r->stopping = true;
	r->reason = reason;
	r->exit_code = code;
	/* Pairs with the workers' relaxed loads: they only need to see it eventually, the wake does the rest. */
	__atomic_store_n(r->stop_flag, 1, __ATOMIC_RELEASE);
	r->ops->wake(r->ctx);
}

static void on_signal(struct xb_run *r)
{
	struct signalfd_siginfo si;

	if (read(r->sfd, &si, sizeof(si)) != (ssize_t)sizeof(si))
		return;
	xb_run_stop(r, xb_signame((int)si.ssi_signo), XB_EXIT_OK);
}

/* A worker stopped on an error, or has something for the main thread (tun: next hops). */
static void on_worker(struct xb_run *r)
{
	uint64_t v;

	if (read(*r->main_evfd, &v, sizeof(v)) < 0)
		return;
	if (r->ops->failed(r->ctx))
		xb_run_stop(r, "error", XB_EXIT_ERROR);
	if (r->ops->after_wake)
		r->ops->after_wake(r->ctx);
}

void xb_run_loop(struct xb_run *r)
{
	struct epoll_event evs[8];
	uint64_t ticks;
	int n, i, err;

	while (!r->stopping) {
		n = epoll_wait(r->ep, evs, 8, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "%sepoll_wait: %s\n", r->pfx, strerror(errno));
			xb_run_stop(r, "error", XB_EXIT_ERROR);
			break;
		}
		for (i = 0; i < n; i++) {
			switch (evs[i].data.u32) {
			case XB_EV_SIGNAL:
				on_signal(r);
				break;
			case XB_EV_DURATION:
				if (read(r->tfd_duration, &ticks, sizeof(ticks)) == (ssize_t)sizeof(ticks))
					xb_run_stop(r, "duration", XB_EXIT_OK);
				break;
			case XB_EV_INTERVAL:
				if (read(r->tfd_interval, &ticks, sizeof(ticks)) == (ssize_t)sizeof(ticks) && !r->stopping)
					r->ops->periodic(r->ctx);
				break;
			case XB_EV_MONITOR:
				err = xnl_monitor_dispatch(r->mon);
				if (err < 0) {
					fprintf(stderr, "%slink monitor: %s\n", r->pfx, xnl_errmsg());
					/* After a malformed event the monitor re-reads the links by itself. */
					if (err != -EBADMSG)
						xb_run_stop(r, "error", XB_EXIT_ERROR);
				}
				break;
			case XB_EV_WORKER:
				on_worker(r);
				break;
			default:
				if (r->ops->on_fd)
					r->ops->on_fd(r->ctx, evs[i].data.u32);
			}
		}
	}
}
