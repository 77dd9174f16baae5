// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * The live engine of 'xdpgen tx': bpf/xdpgen_live.bpf.c run by BPF_PROG_RUN with
 * BPF_F_TEST_XDP_LIVE_FRAMES.  The kernel calls the program once per frame, `repeat` times, in
 * batches of --batch, and transmits what it returns XDP_TX for on the device named by
 * ctx_in.ingress_ifindex.  No socket, no copy from userspace per frame.
 *
 * Threads:
 *
 *   worker   sits in one long BPF_PROG_RUN (setup costs ~20 ms per call, so one call per run,
 *            a new one only when `repeat` (32 bits) runs out); writes the eventfd when done.
 *   main     the progress lines (the program's counters, read through the mmap'd .bss), the
 *            signalfd and the deadline; to stop, it marks the run stopped and sends the worker
 *            SIGUSR1, whose handler does nothing: the kernel sees the pending signal after the
 *            current batch and BPF_PROG_RUN returns EINTR.  The signal is sent again every
 *            10 ms until the worker reports, which covers a signal that arrived just before
 *            the worker entered the syscall.
 *
 * Without --rate and with --count, `repeat` is the count: the kernel stops by itself.  With
 * --rate, the program drops the iterations where no frame is due (see its comment), so the
 * call spins until stopped; with --count too, it drops everything after the count and main
 * stops the call as soon as it sees the count reached.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>

#include "tx.h"

/* The program's template type, which the skeleton does not define: it must match the .bpf.c. */
struct xdpgen_live_tmpl {
	uint8_t hdr[80];
	uint32_t len;
	uint32_t sum16;
};

#include "xdpgen_live.skel.h"

_Static_assert(sizeof(struct xdpgen_live_tmpl) == 88, "struct xdpgen_live_tmpl differs from the BPF program's");
_Static_assert(sizeof(((struct xdpgen_live__bss *)0)->tmpl) / sizeof(struct xdpgen_live_tmpl) == XG_MAX_SIZES,
	       "template count differs from the BPF program's");
_Static_assert(sizeof(((struct xdpgen_live__bss *)0)->cycle) == XG_MAX_CYCLE,
	       "cycle length differs from the BPF program's");

#define TICK_NS		(10 * 1000 * 1000ull)	/* main's look at the counters */
#define STOP_WAIT_NS	(5 * XG_NSEC)		/* how long a stop may take before we give up */

struct live {
	struct xdpgen_live *skel;
	int prog_fd;
	int efd;			/* the worker is done */
	uint8_t frame[XG_MAX_FRAME];	/* the longest frame, pattern included: the page-pool pages' content */
	uint32_t frame_len;
	struct xdp_md ctx;
	uint32_t batch;
	uint64_t count;			/* frames the worker's calls must send in total; 0: until stopped */
	atomic_bool stop;		/* main -> worker: do not start another call */
	int err;			/* worker -> main, read after the eventfd: 0 or -errno */
	uint64_t calls;
};

static void on_sigusr1(int sig)
{
	(void)sig;	/* nothing: its only job is to make the kernel see a pending signal */
}

static void *worker(void *arg)
{
	struct live *l = arg;
	uint64_t left = l->count;
	sigset_t usr1;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	pthread_sigmask(SIG_UNBLOCK, &usr1, NULL);
	while (!atomic_load(&l->stop)) {
		uint32_t repeat = left && left < UINT32_MAX ? (uint32_t)left : UINT32_MAX;
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = l->frame, .data_size_in = l->frame_len, .ctx_in = &l->ctx,
			    .ctx_size_in = sizeof(l->ctx), .repeat = repeat, .flags = BPF_F_TEST_XDP_LIVE_FRAMES,
			    .batch_size = l->batch);
		int err = bpf_prog_test_run_opts(l->prog_fd, &o);

		l->calls++;
		if (err) {
			err = -errno;
			if (err != -EINTR)
				l->err = err;
			break;
		}
		if (left) {
			left -= repeat;
			if (!left)
				break;
		}
	}
	eventfd_write(l->efd, 1);
	return NULL;
}

/* The program, configured before load: constants in .rodata, templates and the cycle in .bss. */
static int load(struct xg_tx *t, struct live *l)
{
	const struct xg_cfg *c = t->c;
	struct xdpgen_live *s;
	uint32_t i, hdr = t->s.a.family == AF_INET6 ? XG_HDR6 : XG_HDR4;
	int err;

	s = xdpgen_live__open();
	if (!s) {
		err = -errno;
		xg_err(c->cmd, "cannot open the live program: %s", strerror(-err));
		return err;
	}
	l->skel = s;
	s->rodata->cycle_len = t->s.cycle_len;
	s->rodata->data_len = t->s.max_len;
	s->rodata->flows = t->s.flows;
	s->rodata->sport_base = t->s.a.sport;
	s->rodata->ipv6 = t->s.a.family == AF_INET6;
	s->rodata->rate = c->rate;
	s->rodata->limit = c->count;
	for (i = 0; i < t->s.nsizes; i++) {
		memcpy(s->bss->tmpl[i].hdr, t->s.tmpl[i].bytes, hdr);
		s->bss->tmpl[i].len = t->s.tmpl[i].len;
		s->bss->tmpl[i].sum16 = t->s.tmpl[i].sum16;
	}
	memcpy(s->bss->cycle, t->s.cycle, sizeof(s->bss->cycle));
	err = xdpgen_live__load(s);
	if (err) {
		xg_err(c->cmd, "cannot load the live program: %s%s", strerror(-err),
		       err == -EPERM ? " (needs CAP_BPF and CAP_NET_ADMIN, or root)" : "");
		return err;
	}
	l->prog_fd = bpf_program__fd(s->progs.xdpgen_live);
	return 0;
}

/* Read the program's counters (written by the kernel on another CPU: relaxed loads of whole words). */
static void counters(struct xg_tx *t, struct live *l)
{
	struct xdpgen_live__bss *b = l->skel->bss;

	t->sent = __atomic_load_n(&b->sent, __ATOMIC_RELAXED);
	t->paced = __atomic_load_n(&b->paced, __ATOMIC_RELAXED);
	t->bytes = xg_stream_bytes(&t->s, t->sent);
	/* The program's own clock (bpf_ktime_get_ns, CLOCK_MONOTONIC): no thread start, no setup. */
	t->t_first = __atomic_load_n(&b->first_ns, __ATOMIC_RELAXED);
	t->t_last = __atomic_load_n(&b->last_ns, __ATOMIC_RELAXED);
}

/* Stop the worker's call and wait for it, bounded; 0 or -ETIMEDOUT. */
static int stop_worker(struct live *l, pthread_t th)
{
	uint64_t end = xg_now() + STOP_WAIT_NS;
	eventfd_t v;

	atomic_store(&l->stop, true);
	while (xg_now() < end) {
		struct timespec ts = { .tv_nsec = (long)TICK_NS };

		if (eventfd_read(l->efd, &v) == 0)
			return 0;
		pthread_kill(th, SIGUSR1);
		nanosleep(&ts, NULL);
	}
	return -ETIMEDOUT;
}

int xg_tx_live(struct xg_tx *t)
{
	const struct xg_cfg *c = t->c;
	struct sigaction sa = { .sa_handler = on_sigusr1 };	/* no SA_RESTART: the syscall must return */
	struct live *l;
	pthread_t th;
	bool done = false;
	int rc = XG_EXIT_FAIL, err;

	l = calloc(1, sizeof(*l));
	if (!l) {
		xg_err(c->cmd, "out of memory");
		return XG_EXIT_FAIL;
	}
	l->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (l->efd < 0) {
		xg_err(c->cmd, "eventfd: %s", strerror(errno));
		free(l);
		return XG_EXIT_FAIL;
	}
	if (load(t, l))
		goto out_skel;
	/* The longest frame, pattern and all: what each new page gets (sequence 0, time 0). */
	for (uint32_t i = 0; i < t->s.nsizes; i++)
		if (t->s.tmpl[i].len == t->s.max_len)
			xg_frame_build(l->frame, &t->s.tmpl[i], t->s.a.sport, 0, 0);
	l->frame_len = t->s.max_len;
	l->ctx.data_end = l->frame_len;
	l->ctx.ingress_ifindex = (uint32_t)t->ifc.ifindex;
	l->ctx.rx_queue_index = c->queue;
	l->batch = c->batch;
	l->count = c->rate ? 0 : c->count;
	snprintf(t->mode, sizeof(t->mode), "BPF_PROG_RUN live frames, XDP_TX, batch %u%s", c->batch,
		 c->rate ? ", paced in the program" : "");
	if (sigaction(SIGUSR1, &sa, NULL)) {
		xg_err(c->cmd, "sigaction: %s", strerror(errno));
		goto out_skel;
	}

	err = pthread_create(&th, NULL, worker, l);
	if (err) {
		xg_err(c->cmd, "cannot start the worker thread: %s", strerror(err));
		goto out_skel;
	}
	for (;;) {
		eventfd_t v;
		uint64_t now;

		err = xg_stop_sleep(&t->stop, &l->efd, 1, xg_now() + TICK_NS);
		now = xg_now();
		counters(t, l);
		if (eventfd_read(l->efd, &v) == 0) {
			done = true;	/* the kernel ran all the repeats, or the call failed */
			break;
		}
		if (err < 0) {
			xg_stop_set(&t->stop, "ppoll failed");
			break;
		}
		if (err)
			break;
		xg_tx_progress(t, now);
		if (c->count && t->sent >= c->count) {
			xg_stop_set(&t->stop, "count reached");
			break;
		}
	}
	if (!done && stop_worker(l, th)) {
		/*
		 * The worker is stuck in the kernel.  It may still touch @l and the program when the
		 * call returns, so both stay (a leak on purpose): the process is about to exit.
		 */
		xg_err(c->cmd, "BPF_PROG_RUN did not return within 5 s of SIGUSR1");
		pthread_detach(th);
		counters(t, l);
		return XG_EXIT_FAIL;
	}
	pthread_join(th, NULL);
	counters(t, l);
	if (l->err == -EPERM || l->err == -EACCES) {
		/* The probe passed, the real call did not: say it the same way. */
		struct xg_live_probe p = { .err = l->err };
		char why[256];

		xg_err(c->cmd, "%s on %s: use --engine xsk", xg_live_refusal(&p, why, sizeof(why)), c->ifname);
		goto out_skel;
	}
	if (l->err) {
		xg_err(c->cmd, "BPF_PROG_RUN with live frames on %s failed: %s%s", c->ifname, strerror(-l->err),
		       l->err == -EINVAL ? " (live frames need Linux 5.18, and the queue must exist on the interface)"
		       : l->err == -EOPNOTSUPP ? " (the kernel cannot run live frames here)" : "");
		goto out_skel;
	}
	xg_stop_set(&t->stop, c->count && t->sent >= c->count ? "count reached" : "the run was interrupted");
	rc = XG_EXIT_OK;
out_skel:
	xdpgen_live__destroy(l->skel);
	close(l->efd);
	free(l);
	return rc;
}
