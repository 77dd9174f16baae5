// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * `xdpbridge fwd IF_A IF_B`: the main thread.  Start and stop order:
 *
 *   parse argv                                  exit 2 on misuse
 *   block SIGINT/SIGTERM (signalfd from now on; the workers inherit the mask)
 *   netlink: both interfaces, their MTUs and queue counts, the link monitor
 *   someone else's XDP program: refused (--force: removed)
 *   per queue: UMEM + pair on IF_A + pair on IF_B   (the library attaches its XDP program)
 *   drop capabilities, start the workers (pinned), print the modes and "forwarding ..."
 *   epoll: signalfd, link monitor, --interval and --duration timerfds, workers' error eventfd
 *   stop: workers drain and return; final summary; sockets destroyed (programs detached)
 *
 * Any failure before the loop unwinds what was built and exits 1; nothing stays attached.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <bpf/libbpf.h>

#include "cmd.h"
#include "daemon.h"
#include "fwd.h"
#include "run.h"

#define PFX "xdpbridge fwd: "
#define ETH_HDR 14u
#define VLAN_TAG 4u
#define PUBLISH_WAIT_MS 100	/* how long a periodic report waits for busy workers' snapshots */
/* The library's steering program (lib/prog.c PROG_NAME): --force leaves it to the library. */
#define XDPSOCK_PROG_NAME "xdpsock_redir"

struct fwd_run {
	struct fwd_cfg cfg;
	struct fwd_ctl ctl;
	struct fwd_worker *w;
	unsigned int nw;		/* workers opened */
	int ifindex[2];
	uint32_t mtu[2];
	char name_now[2][IF_NAMESIZE];	/* as the kernel calls it now (renames are followed by index) */
	bool shared;
	uint32_t prog_id[2];		/* the library's program on each port once the sockets exist; 0 unknown */
	struct xb_run run;		/* the main loop (run.c) */
	double t_start, t_prev;
	struct xb_queue_stats *snap;	/* per worker, the latest read */
	struct xb_queue_stats prev;	/* totals at the previous periodic report */
	bool have_prev;
	bool out_failed;		/* stdout could not be written: no summary either */
};

/* ---- discovery ----------------------------------------------------------- */

static int port_of(const struct fwd_run *r, int ifindex)
{
	return ifindex == r->ifindex[0] ? 0 : ifindex == r->ifindex[1] ? 1 : -1;
}

static uint32_t max_len(const struct fwd_run *r, uint32_t mtu)
{
	return mtu + ETH_HDR + (r->cfg.vlan ? VLAN_TAG : 0);
}

/* Queues both ends of every direction have: a worker receives on queue q and sends on queue q. */
static uint32_t usable_queues(const struct xnl_queues *q)
{
	uint32_t rx = xnl_queues_rx(q), tx = xnl_queues_tx(q);

	return rx < tx ? rx : tx;
}

static int discover(struct fwd_run *r)
{
	struct xnl_link *links = NULL;
	struct xnl_queues q[2];
	uint32_t nq[2], common;
	struct xnl *x;
	size_t n, i;
	unsigned int k;
	int p, ret = -1;

	if (xnl_open(&x)) {
		fprintf(stderr, PFX "%s\n", xnl_errmsg());
		return -1;
	}
	if (xnl_links_dump(x, &links, &n)) {
		fprintf(stderr, PFX "%s\n", xnl_errmsg());
		goto out;
	}
	for (p = 0; p < 2; p++) {
		for (i = 0; i < n && strcmp(links[i].name, r->cfg.ifname[p]); i++)
			;
		if (i == n) {
			fprintf(stderr,
				PFX "no interface '%s' in this network namespace: check the name ('ip link') and the namespace "
				    "('ip netns exec NS xdpbridge fwd ...')\n",
				r->cfg.ifname[p]);
			goto out;
		}
		r->ifindex[p] = links[i].ifindex;
		r->mtu[p] = links[i].mtu;
		snprintf(r->name_now[p], sizeof(r->name_now[p]), "%s", links[i].name);
		__atomic_store_n(&r->ctl.down[p], !xnl_link_usable(&links[i]), __ATOMIC_RELAXED);
		if (xnl_queues_get(x, &links[i], &q[p])) {
			fprintf(stderr, PFX "%s\n", xnl_errmsg());
			goto out;
		}
		nq[p] = q[p].src == XNL_QSRC_NONE ? 0 : usable_queues(&q[p]);
	}
	/* 0: the device does not say; the library checks the queue at bind time then. */
	common = !nq[0] ? nq[1] : !nq[1] ? nq[0] : nq[0] < nq[1] ? nq[0] : nq[1];
	if (!r->cfg.nqueues) {
		if (!common) {
			fprintf(stderr, PFX "neither %s nor %s reports its queues: forwarding queue 0 only (see --queues)\n",
				r->cfg.ifname[0], r->cfg.ifname[1]);
			common = 1;
		}
		if (common > FWD_MAX_QUEUES) {
			fprintf(stderr, PFX "forwarding the first %u of %u queues (see --queues)\n", FWD_MAX_QUEUES, common);
			common = FWD_MAX_QUEUES;
		}
		for (k = 0; k < common; k++)
			r->cfg.queue[k] = k;
		r->cfg.nqueues = common;
	} else if (common) {
		for (k = 0; k < r->cfg.nqueues; k++) {
			if (r->cfg.queue[k] < common)
				continue;
			fprintf(stderr,
				PFX "queue %u is out of range: %s has %u usable queue%s and %s %u (a queue must exist for RX "
				    "and TX on both): use --queues with ids below %u\n",
				r->cfg.queue[k], r->cfg.ifname[0], nq[0], nq[0] == 1 ? "" : "s", r->cfg.ifname[1], nq[1],
				common);
			goto out;
		}
	}
	ret = 0;
out:
	free(links);
	xnl_close(x);
	return ret;
}

/* Every cpu of --cpus must be one this process may run on. */
static int check_cpus(const struct fwd_cfg *cfg)
{
	char err[256];

	if (!xb_check_cpus(cfg->cpu, cfg->ncpus, err, sizeof(err)))
		return 0;
	fprintf(stderr, PFX "%s\n", err);
	return -1;
}

/* ---- stopping ------------------------------------------------------------ */

static void wake_all(void *ctx)
{
	struct fwd_run *r = ctx;
	unsigned int i;

	for (i = 0; i < r->nw; i++)
		fwd_worker_wake(&r->w[i]);
}

/* ---- link events --------------------------------------------------------- */

static void on_link(enum xnl_link_event ev, const struct xnl_link *l, void *ctx)
{
	struct fwd_run *r = ctx;
	int p = port_of(r, l->ifindex);
	const char *name;

	if (p < 0)
		return;
	name = r->cfg.ifname[p];
	switch (ev) {
	case XNL_LINK_DOWN:
		if (!__atomic_exchange_n(&r->ctl.down[p], 1, __ATOMIC_RELAXED))
			fprintf(stderr, PFX "%s is down: pausing (frames for it wait, then the kernel drops them)\n", name);
		break;
	case XNL_LINK_UP:
		if (__atomic_exchange_n(&r->ctl.down[p], 0, __ATOMIC_RELAXED)) {
			fprintf(stderr, PFX "%s is up: resumed\n", name);
			wake_all(r);	/* paused workers sleep without watching it */
		}
		break;
	case XNL_LINK_GONE:
		if (l->moved) {	/* the library's program went along: say what stays there and how to remove it */
			xb_say_moved(PFX, name, l, "");
			xb_say_left_there(PFX, l, r->prog_id[p], XDPSOCK_PROG_NAME);
		} else
			fprintf(stderr, PFX "%s disappeared: stopping\n", name);
		/* Down as well: the drain then leaves it alone instead of failing to transmit into it. */
		__atomic_store_n(&r->ctl.down[p], 1, __ATOMIC_RELAXED);
		xb_run_stop(&r->run, "error", XB_EXIT_ERROR);
		break;
	case XNL_LINK_CHANGED:
		/* Our own XDP program's attachment is a change too: only the MTU matters here. */
		if (l->mtu != r->mtu[p]) {
			fprintf(stderr, PFX "%s's MTU changed from %u to %u: frames up to %u bytes go out of it\n", name,
				r->mtu[p], l->mtu, max_len(r, l->mtu));
			r->mtu[p] = l->mtu;
			__atomic_store_n(&r->ctl.max_len[p], max_len(r, l->mtu), __ATOMIC_RELAXED);
		}
		if (strcmp(l->name, r->name_now[p])) {
			fprintf(stderr, PFX "%s is now named '%s' (still forwarding by its index %d)\n", name, l->name,
				l->ifindex);
			snprintf(r->name_now[p], sizeof(r->name_now[p]), "%s", l->name);
		}
		break;
	case XNL_LINK_NEW:
		break;
	}
}

/* ---- statistics ---------------------------------------------------------- */

/* Ask every worker for a snapshot and read them; workers that do not answer in time keep their last one. */
static void collect(struct fwd_run *r, bool final)
{
	uint32_t req = __atomic_add_fetch(&r->ctl.pub_req, 1, __ATOMIC_RELEASE);
	double deadline = xb_now() + PUBLISH_WAIT_MS / 1000.0;
	unsigned int i;

	if (!final) {
		wake_all(r);
		for (i = 0; i < r->nw; i++)
			while (__atomic_load_n(&r->w[i].pub_done, __ATOMIC_ACQUIRE) != req &&
			       !__atomic_load_n(&r->w[i].failed, __ATOMIC_RELAXED) && xb_now() < deadline)
				poll(NULL, 0, 1);
	}
	for (i = 0; i < r->nw; i++)
		if (!xb_seq_read(&r->w[i].snap, &r->snap[i]))
			fprintf(stderr, PFX "queue %u: could not read a consistent snapshot: showing the previous one\n",
				r->w[i].queue);
}

static void report_init(struct fwd_run *r, struct xb_report *rep, uint32_t *queues, int *cpus)
{
	unsigned int i;

	memset(rep, 0, sizeof(*rep));
	for (i = 0; i < r->nw; i++) {
		queues[i] = r->w[i].queue;
		cpus[i] = r->w[i].cpu;
	}
	rep->ifname[0] = r->cfg.ifname[0];
	rep->ifname[1] = r->cfg.ifname[1];
	rep->nqueues = r->nw;
	rep->queue = queues;
	rep->cpu = cpus;
	rep->q = r->snap;
}

static void periodic(void *ctx)
{
	struct fwd_run *r = ctx;
	uint32_t queues[FWD_MAX_QUEUES];
	int cpus[FWD_MAX_QUEUES];
	struct xb_report rep;
	double now;

	collect(r, false);
	now = xb_now();
	report_init(r, &rep, queues, cpus);
	rep.elapsed = now - r->t_start;
	rep.interval = now - r->t_prev;
	rep.prev = r->have_prev ? &r->prev : NULL;
	if (!r->have_prev) {
		/* The first report's rates are over the time since start, from zero. */
		memset(&r->prev, 0, sizeof(r->prev));
		rep.prev = &r->prev;
	}
	if (r->cfg.json)
		xb_stats_print_json(stdout, &rep);
	else
		xb_stats_print_table(stdout, &rep);
	if (fflush(stdout) || ferror(stdout)) {
		/* Nobody reads the statistics any more (a closed pipe): stop rather than run blind. */
		fprintf(stderr, PFX "cannot write the statistics: %s: stopping\n", strerror(errno));
		r->out_failed = true;
		xb_run_stop(&r->run, "error", XB_EXIT_ERROR);
	}
	xb_stats_total(&rep, &r->prev);
	r->have_prev = true;
	r->t_prev = now;
}

static void summary(struct fwd_run *r)
{
	uint32_t queues[FWD_MAX_QUEUES];
	int cpus[FWD_MAX_QUEUES];
	struct xb_summary s = { .reason = r->run.reason, .shared_umem = r->shared, .drained = true };
	struct xb_report rep;
	unsigned int i;

	collect(r, true);
	report_init(r, &rep, queues, cpus);
	rep.elapsed = xb_now() - r->t_start;
	for (i = 0; i < r->nw; i++)
		s.drained &= r->w[i].drained;
	xb_summary_print(stdout, &rep, &s, r->cfg.json);
}

/* ---- setup --------------------------------------------------------------- */

static int open_workers(struct fwd_run *r)
{
	char err[512], mode[256];
	bool share = !r->cfg.no_share;
	unsigned int i;
	int p, ret;

	r->w = calloc(r->cfg.nqueues, sizeof(*r->w));
	r->snap = calloc(r->cfg.nqueues, sizeof(*r->snap));
	if (!r->w || !r->snap) {
		fprintf(stderr, PFX "out of memory for %u workers\n", r->cfg.nqueues);
		return -1;
	}
	for (i = 0; i < r->cfg.nqueues; i++) {
		struct fwd_worker *w = &r->w[i];

		w->idx = i;
		w->queue = r->cfg.queue[i];
		w->cpu = r->cfg.ncpus ? r->cfg.cpu[i % r->cfg.ncpus] : -1;
		w->ctl = &r->ctl;
		/* After the first worker, the others follow its choice: no point retrying a refused share. */
		ret = fwd_worker_open(w, &r->cfg, r->ifindex, &share, err, sizeof(err));
		/* Someone else's program (not removed: no --force): named in the bridge's words. */
		for (p = 0; ret == -EBUSY && p < 2; p++) {
			char prog[64];
			const char *how;
			uint32_t id;

			if (xb_xdp_busy(r->ifindex[p], XDPSOCK_PROG_NAME, prog, sizeof(prog), &id, &how) == XB_BUSY_FOREIGN) {
				xb_foreign_prog_msg(err, sizeof(err), r->cfg.ifname[p], prog, id, how);
				fprintf(stderr, PFX "%s\n", err);
				return -1;
			}
		}
		if (ret) {
			fprintf(stderr, PFX "setting up queue %u: %s\n", w->queue, err);
			return -1;
		}
		r->nw++;
		for (p = 0; p < 2; p++) {
			struct xdpsock_mode m;

			xdpsock_rx_mode(w->port[p].rx, &m);
			fprintf(stderr, PFX "%s queue %u: %s\n", r->cfg.ifname[p], w->queue,
				xdpsock_mode_str(&m, mode, sizeof(mode)));
		}
	}
	r->shared = share;
	return 0;
}

/*
 * The library's program on each port now (attached, or shared with another process): what a
 * port takes along when it moves to another namespace, where nothing here can detach it.
 */
static void note_progs(struct fwd_run *r)
{
	struct xdpsock_mode m;
	int p;

	for (p = 0; p < 2 && r->nw; p++) {
		LIBBPF_OPTS(bpf_xdp_query_opts, q);

		if (bpf_xdp_query(r->ifindex[p], 0, &q) || xdpsock_rx_mode(r->w[0].port[p].rx, &m))
			continue;
		r->prog_id[p] = m.attach == XDPSOCK_ATTACH_GENERIC ? q.skb_prog_id : q.drv_prog_id;
	}
}

static void close_workers(struct fwd_run *r)
{
	unsigned int i;

	for (i = 0; i < r->nw; i++)
		fwd_worker_join(&r->w[i]);
	for (i = 0; i < r->nw; i++)
		fwd_worker_close(&r->w[i]);
	free(r->w);
	free(r->snap);
	r->w = NULL;
	r->snap = NULL;
	r->nw = 0;
}

/* ---- the event loop ------------------------------------------------------ */

static bool op_failed(void *ctx)
{
	const struct fwd_run *r = ctx;
	unsigned int i;

	for (i = 0; i < r->nw; i++)
		if (__atomic_load_n(&r->w[i].failed, __ATOMIC_ACQUIRE))
			return true;
	return false;
}

static const struct xb_run_ops fwd_ops = {
	.wake = wake_all,
	.failed = op_failed,
	.periodic = periodic,
};

/* Signals, fds, interfaces, sockets, capabilities: everything before the workers run.  0 or -1 (said why). */
static int setup(struct fwd_run *r)
{
	char err[512], kept[256];
	int p;

	/*
	 * From here SIGINT/SIGTERM only arrive through the signalfd, also during setup (a Ctrl-C then
	 * stops right after it, through the normal teardown).  A closed stdout must not kill us with
	 * programs attached: write errors are reported instead.
	 */
	if (xb_run_open(&r->run, on_link, r))
		return -1;
	if (discover(r) || check_cpus(&r->cfg))
		return -1;
	for (p = 0; p < 2; p++)
		__atomic_store_n(&r->ctl.max_len[p], max_len(r, r->mtu[p]), __ATOMIC_RELAXED);
	if (open_workers(r))
		return -1;
	note_progs(r);
	/* Before the workers exist: they inherit the reduced set (capabilities are per thread). */
	if (xb_caps_drop(kept, sizeof(kept), err, sizeof(err))) {
		fprintf(stderr, PFX "%s\n", err);
		return -1;
	}
	if (r->cfg.verbose)
		fprintf(stderr, PFX "capabilities kept after setup: %s\n", kept);
	return 0;
}

/* Workers and timers.  0, or -1 (said why; the workers already started are stopped by the caller). */
static int start(struct fwd_run *r)
{
	unsigned int i;
	int p;

	if (!r->shared)
		fprintf(stderr, PFX "frames are copied between two UMEMs per queue%s\n",
			r->cfg.no_share ? " (--no-shared-umem)" : "");
	for (p = 0; p < 2; p++)
		if (__atomic_load_n(&r->ctl.down[p], __ATOMIC_RELAXED))
			fprintf(stderr, PFX "%s is down: pausing until it comes up\n", r->cfg.ifname[p]);
	r->t_start = r->t_prev = xb_now();
	for (i = 0; i < r->nw; i++) {
		int e = fwd_worker_start(&r->w[i]);

		if (e) {
			fprintf(stderr, PFX "cannot start the worker of queue %u%s: %s\n", r->w[i].queue,
				r->w[i].cpu >= 0 ? " (pinning it failed?)" : "", strerror(-e));
			return -1;
		}
	}
	fprintf(stderr, PFX "forwarding %s <-> %s on %u queue(s)\n", r->cfg.ifname[0], r->cfg.ifname[1], r->nw);
	if (xb_run_timers(&r->run, r->cfg.interval, r->cfg.duration))
		return -1;
	return 0;
}

/* Workers stopped (drained) and joined, sockets destroyed (the XDP programs go with the last), fds closed. */
static void teardown(struct fwd_run *r)
{
	xb_run_stop(&r->run, r->run.reason ? r->run.reason : "error", r->run.exit_code);
	close_workers(r);
	xb_run_close(&r->run);
}

int cmd_fwd(int argc, char **argv)
{
	struct fwd_run r;
	struct xb_log lg = { .pfx = PFX, .verbose = &r.cfg.verbose };
	char err[512];
	unsigned int i;

	memset(&r, 0, sizeof(r));
	xb_run_init(&r.run, &fwd_ops, &r, PFX, &r.ctl.stop, &r.ctl.main_evfd);
	switch (fwd_cfg_parse(&r.cfg, argc, argv, err, sizeof(err))) {
	case FWD_PARSE_HELP:
		return xb_flush_stdout("xdpbridge fwd");
	case FWD_PARSE_USAGE:
		fprintf(stderr, PFX "%s\nTry 'xdpbridge fwd --help'.\n", err);
		return XB_EXIT_USAGE;
	case FWD_PARSE_OK:
		break;
	}
	xdpsock_set_log(xb_log_cb, &lg);
	r.ctl.batch = r.cfg.batch;
	r.ctl.busy_poll = r.cfg.busy_poll;
	r.ctl.ifname[0] = r.cfg.ifname[0];
	r.ctl.ifname[1] = r.cfg.ifname[1];

	if (setup(&r) || start(&r)) {
		teardown(&r);
		return XB_EXIT_ERROR;
	}
	xb_run_loop(&r.run);
	for (i = 0; i < r.nw; i++)
		fwd_worker_join(&r.w[i]);
	for (i = 0; i < r.nw; i++)
		if (r.w[i].failed)
			fprintf(stderr, PFX "%s\n", r.w[i].errmsg);
	if (!r.out_failed) {
		summary(&r);
		if (xb_flush_stdout("xdpbridge fwd") && r.run.exit_code == XB_EXIT_OK)
			r.run.exit_code = XB_EXIT_ERROR;
	}
	teardown(&r);
	return r.run.exit_code;
}
