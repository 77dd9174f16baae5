// SPDX-License-Identifier: MIT OR Apache-2.0
/* The main thread's loop, shared by fwd, tap and tun (run.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>

#include "cmd.h"
#include "daemon.h"
#include "run.h"
#include "xnl.h"

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
