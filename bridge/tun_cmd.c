// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * `xdpbridge tap` and `xdpbridge tun`: the main thread.  Start and stop order:
 *
 *   parse argv                                       exit 2 on misuse
 *   block SIGINT/SIGTERM (signalfd from now on; the workers inherit the mask)
 *   link monitor, then netlink: IF's index, MTU, MAC and queue count
 *   the steering program loaded, configured and attached (stale one replaced, foreign or busy
 *     refused: before anything else is made); it passes everything until the sockets exist
 *   the device: created (or a persistent one attached), one queue per worker, MTU = IF's, up
 *   tun: IF's neighbour table mirrored (unless --peer-mac)
 *   tap: IF promiscuous (an AF_PACKET membership: it ends with the process, even on kill -9)
 *   per queue: a socket pair on IF, inserted into the program's XSKMAP
 *   keep only CAP_NET_ADMIN, start the workers, "bridging IF <-> NAME on N queue(s)"
 *   epoll: signalfd, link monitor, neighbour events, timers, workers' eventfd (errors and
 *          next hops to resolve)
 *   stop: workers drain and return; summary; program detached (the host gets its traffic back),
 *         sockets destroyed, the device closed (a device we created disappears)
 *
 * Any failure before the loop unwinds what was built and exits 1; nothing stays attached.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <linux/capability.h>
#include <linux/if_packet.h>

#include "cmd.h"
#include "daemon.h"
#include "run.h"
#include "tun.h"
#include "xnl.h"

#define PUBLISH_WAIT_MS 100	/* how long a periodic report waits for busy workers' snapshots */

struct tun_run {
	struct tun_cfg cfg;
	struct tun_ctl ctl;
	const char *pfx;		/* "xdpbridge tap: " */
	const char *kname;		/* "tap" */
	struct tun_worker *w;
	unsigned int nw;		/* workers opened */
	int ifindex;
	uint32_t if_mtu, dev_mtu;
	uint8_t if_mac[6];
	char if_now[IF_NAMESIZE];	/* as the kernel calls it now (renames are followed by index) */
	struct tun_dev dev;
	bool dev_open;
	struct tun_steer *steer;
	struct tun_neigh *neigh;
	int promisc_fd;
	struct xb_run run;		/* the main loop (run.c) */
	double t_start, t_prev;
	struct tun_q_stats *snap;	/* per worker, the latest read */
	struct tun_q_stats prev;	/* totals at the previous periodic report */
	bool have_prev;
	bool out_failed;
	bool resolve_err_said;
	struct xb_log log;		/* the library's words, in ours */
	bool if_moved;			/* IF left for another namespace: what became of our program there is */
	struct xnl_link if_gone;	/* said after the detach (its RTM_DELLINK) */
	uint32_t steer_id;
};

static uint64_t mac64(const uint8_t mac[6])
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 6; i++)
		v |= (uint64_t)mac[i] << (8 * i);
	return v;
}

static uint32_t dev_max(const struct tun_run *r, uint32_t mtu)
{
	return mtu + (r->cfg.kind == TUN_KIND_TAP ? TUN_ETH_HLEN : 0);
}

/* ---- discovery ------------------------------------------------------------ */

static int discover(struct tun_run *r)
{
	struct xnl_link *links = NULL, *l;
	struct xnl_queues q;
	uint32_t nq;
	struct xnl *x;
	size_t n, i;
	unsigned int k;
	int ret = -1;

	if (xnl_open(&x)) {
		fprintf(stderr, "%s%s\n", r->pfx, xnl_errmsg());
		return -1;
	}
	if (xnl_links_dump(x, &links, &n)) {
		fprintf(stderr, "%s%s\n", r->pfx, xnl_errmsg());
		goto out;
	}
	for (i = 0; i < n && strcmp(links[i].name, r->cfg.ifname); i++)
		;
	if (i == n) {
		fprintf(stderr,
			"%sno interface '%s' in this network namespace: check the name ('ip link') and the namespace "
			"('ip netns exec NS xdpbridge %s ...')\n",
			r->pfx, r->cfg.ifname, r->kname);
		goto out;
	}
	l = &links[i];
	if (l->mac_len != 6 && r->cfg.kind == TUN_KIND_TUN) {
		fprintf(stderr, "%s%s has no Ethernet address (it is a %s): a tun bridge needs an Ethernet interface\n",
			r->pfx, l->name, xnl_link_kind(l));
		goto out;
	}
	r->ifindex = l->ifindex;
	r->if_mtu = l->mtu;
	if (l->mac_len == 6)
		memcpy(r->if_mac, l->mac, 6);
	snprintf(r->if_now, sizeof(r->if_now), "%s", l->name);
	__atomic_store_n(&r->ctl.down[TUN_NIC], !xnl_link_usable(l), __ATOMIC_RELAXED);
	if (xnl_queues_get(x, l, &q)) {
		fprintf(stderr, "%s%s\n", r->pfx, xnl_errmsg());
		goto out;
	}
	/* A worker receives on queue q and sends on queue q: both must exist. */
	nq = q.src == XNL_QSRC_NONE ? 0 : xnl_queues_rx(&q) < xnl_queues_tx(&q) ? xnl_queues_rx(&q) : xnl_queues_tx(&q);
	if (!r->cfg.nqueues) {
		if (!nq) {
			fprintf(stderr, "%s%s does not report its queues: serving queue 0 only (see --queues)\n", r->pfx,
				r->cfg.ifname);
			nq = 1;
		}
		if (nq > TUN_MAX_QUEUES) {
			fprintf(stderr, "%sserving the first %u of %u queues (a TUN/TAP has at most %u; see --queues)\n",
				r->pfx, TUN_MAX_QUEUES, nq, TUN_MAX_QUEUES);
			nq = TUN_MAX_QUEUES;
		}
		for (k = 0; k < nq; k++)
			r->cfg.queue[k] = k;
		r->cfg.nqueues = nq;
	} else if (nq) {
		for (k = 0; k < r->cfg.nqueues; k++) {
			if (r->cfg.queue[k] < nq)
				continue;
			fprintf(stderr,
				"%squeue %u is out of range: %s has %u usable queue%s (a queue must exist for RX and TX): use "
				"--queues with ids below %u\n",
				r->pfx, r->cfg.queue[k], r->cfg.ifname, nq, nq == 1 ? "" : "s", nq);
			goto out;
		}
	}
	ret = 0;
out:
	free(links);
	xnl_close(x);
	return ret;
}

/* ---- stopping ------------------------------------------------------------- */

static void wake_all(void *ctx)
{
	struct tun_run *r = ctx;
	unsigned int i;

	for (i = 0; i < r->nw; i++)
		tun_worker_wake(&r->w[i]);
}

/* ---- link events ---------------------------------------------------------- */

static void on_if(struct tun_run *r, enum xnl_link_event ev, const struct xnl_link *l)
{
	const char *name = r->cfg.ifname;
	char err[512];

	switch (ev) {
	case XNL_LINK_DOWN:
		if (!__atomic_exchange_n(&r->ctl.down[TUN_NIC], 1, __ATOMIC_RELAXED))
			fprintf(stderr, "%s%s is down: pausing %s -> %s (its packets wait in %s's queue)\n", r->pfx, name,
				r->cfg.devname, name, r->cfg.devname);
		break;
	case XNL_LINK_UP:
		if (__atomic_exchange_n(&r->ctl.down[TUN_NIC], 0, __ATOMIC_RELAXED)) {
			fprintf(stderr, "%s%s is up: resumed\n", r->pfx, name);
			wake_all(r);
		}
		break;
	case XNL_LINK_GONE:
		if (l->moved) {
			/* The steering program went along; detaching it at exit reaches it there (a BPF link). */
			xb_say_moved(r->pfx, name, l, "");
			r->if_moved = true;
			r->if_gone = *l;
		} else
			fprintf(stderr, "%s%s disappeared: stopping\n", r->pfx, name);
		__atomic_store_n(&r->ctl.down[TUN_NIC], 1, __ATOMIC_RELAXED);
		xb_run_stop(&r->run, "error", XB_EXIT_ERROR);
		break;
	case XNL_LINK_CHANGED:
		if (l->mtu != r->if_mtu) {
			fprintf(stderr, "%s%s's MTU changed from %u to %u: frames up to %u bytes go out of it; %s follows\n",
				r->pfx, name, r->if_mtu, l->mtu, l->mtu + TUN_ETH_HLEN, r->cfg.devname);
			r->if_mtu = l->mtu;
			__atomic_store_n(&r->ctl.nic_max, l->mtu + TUN_ETH_HLEN, __ATOMIC_RELAXED);
			if (tun_dev_set(&r->dev, l->mtu, false, err, sizeof(err)))
				fprintf(stderr, "%s%s\n", r->pfx, err);
		}
		if (l->mac_len == 6 && memcmp(l->mac, r->if_mac, 6)) {
			memcpy(r->if_mac, l->mac, 6);
			__atomic_store_n(&r->ctl.if_mac, mac64(l->mac), __ATOMIC_RELAXED);
			if (tun_steer_set_mac(r->steer, l->mac))
				fprintf(stderr, "%scannot tell the steering program %s's new MAC: %s\n", r->pfx, name,
					strerror(errno));
			else
				fprintf(stderr, "%s%s's MAC changed: following it\n", r->pfx, name);
		}
		if (strcmp(l->name, r->if_now)) {
			fprintf(stderr, "%s%s is now named '%s' (still served by its index %d)\n", r->pfx, name, l->name,
				l->ifindex);
			snprintf(r->if_now, sizeof(r->if_now), "%s", l->name);
		}
		break;
	case XNL_LINK_NEW:
		break;
	}
}

static void on_dev(struct tun_run *r, enum xnl_link_event ev, const struct xnl_link *l)
{
	const char *name = r->cfg.devname;

	switch (ev) {
	case XNL_LINK_DOWN:
		if (!__atomic_exchange_n(&r->ctl.down[TUN_DEV], 1, __ATOMIC_RELAXED))
			fprintf(stderr, "%s%s is down: pausing %s -> %s (its frames wait, then the kernel drops them)\n",
				r->pfx, name, r->cfg.ifname, name);
		break;
	case XNL_LINK_UP:
		if (__atomic_exchange_n(&r->ctl.down[TUN_DEV], 0, __ATOMIC_RELAXED)) {
			fprintf(stderr, "%s%s is up: resumed\n", r->pfx, name);
			wake_all(r);
		}
		break;
	case XNL_LINK_GONE:
		if (l->moved)
			xb_say_moved(r->pfx, name, l,
				     r->dev.created ? " (the bridge made it: it goes away there when the bridge exits)" :
						      " (a persistent device: it stays there)");
		else
			fprintf(stderr, "%s%s disappeared (deleted under the bridge): stopping\n", r->pfx, name);
		__atomic_store_n(&r->ctl.down[TUN_DEV], 1, __ATOMIC_RELAXED);
		xb_run_stop(&r->run, "error", XB_EXIT_ERROR);
		break;
	case XNL_LINK_CHANGED:
		if (l->mtu != r->dev_mtu) {
			r->dev_mtu = l->mtu;
			__atomic_store_n(&r->ctl.dev_max, dev_max(r, l->mtu), __ATOMIC_RELAXED);
			if (l->mtu > r->if_mtu)
				fprintf(stderr, "%s%s's MTU is now %u, above %s's %u: longer packets from it are dropped (oversize)\n",
					r->pfx, name, l->mtu, r->cfg.ifname, r->if_mtu);
			else if (r->cfg.verbose)
				fprintf(stderr, "%s%s's MTU is now %u\n", r->pfx, name, l->mtu);
		}
		break;
	case XNL_LINK_NEW:
		break;
	}
}

static void on_link(enum xnl_link_event ev, const struct xnl_link *l, void *ctx)
{
	struct tun_run *r = ctx;

	if (l->ifindex == r->ifindex && r->ifindex)
		on_if(r, ev, l);
	else if (r->dev_open && l->ifindex == r->dev.ifindex)
		on_dev(r, ev, l);
}

/* ---- next hops the workers could not find ------------------------------------ */

static void resolve_misses(struct tun_run *r)
{
	char text[INET6_ADDRSTRLEN];
	struct tun_miss m;
	unsigned int i, k;

	if (!r->neigh)
		return;
	for (i = 0; i < r->nw; i++)
		for (k = 0; k < TUN_MISS_SLOTS && tun_miss_pop(&r->w[i].miss, &m); k++) {
			int ret = tun_neigh_ask(r->neigh, (int)m.family, m.addr);

			if (!ret)
				continue;	/* asked lately */
			inet_ntop(m.family == 4 ? AF_INET : AF_INET6, m.addr, text, sizeof(text));
			if (r->cfg.verbose)
				fprintf(stderr, "%sno neighbour %s on %s: asking the kernel to resolve it\n", r->pfx, text,
					r->cfg.ifname);
			if (ret < 0 && !r->resolve_err_said) {
				r->resolve_err_said = true;
				fprintf(stderr, "%scannot ask the kernel to resolve %s on %s: %s (packets to it are dropped as "
						"no_neigh until it is known)\n",
					r->pfx, text, r->cfg.ifname, xnl_errmsg());
			}
		}
}

/* ---- statistics ------------------------------------------------------------ */

static void collect(struct tun_run *r, bool final)
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
		if (!tun_worker_read(&r->w[i], &r->snap[i]))
			fprintf(stderr, "%squeue %u: could not read a consistent snapshot: showing the previous one\n", r->pfx,
				r->w[i].queue);
}

static void report_init(struct tun_run *r, struct tun_report *rep, uint32_t *queues, int *cpus,
			struct tun_steer_stats *xdp)
{
	unsigned int i;

	memset(rep, 0, sizeof(*rep));
	for (i = 0; i < r->nw; i++) {
		queues[i] = r->w[i].queue;
		cpus[i] = r->w[i].cpu;
	}
	rep->kind = r->cfg.kind;
	rep->ifname = r->cfg.ifname;
	rep->devname = r->cfg.devname;
	rep->nqueues = r->nw;
	rep->queue = queues;
	rep->cpu = cpus;
	rep->q = r->snap;
	rep->xdp = r->steer && !tun_steer_stats(r->steer, xdp) ? xdp : NULL;
}

static void periodic(void *ctx)
{
	struct tun_run *r = ctx;
	uint32_t queues[TUN_MAX_QUEUES];
	int cpus[TUN_MAX_QUEUES];
	struct tun_steer_stats xdp;
	struct tun_report rep;
	double now;

	collect(r, false);
	now = xb_now();
	report_init(r, &rep, queues, cpus, &xdp);
	rep.elapsed = now - r->t_start;
	rep.interval = now - r->t_prev;
	if (!r->have_prev)
		memset(&r->prev, 0, sizeof(r->prev));	/* the first rates are since start, from zero */
	rep.prev = &r->prev;
	if (r->cfg.json)
		tun_stats_print_json(stdout, &rep);
	else
		tun_stats_print_table(stdout, &rep);
	if (fflush(stdout) || ferror(stdout)) {
		/* Nobody reads the statistics any more (a closed pipe): stop rather than run blind. */
		fprintf(stderr, "%scannot write the statistics: %s: stopping\n", r->pfx, strerror(errno));
		r->out_failed = true;
		xb_run_stop(&r->run, "error", XB_EXIT_ERROR);
	}
	tun_stats_total(&rep, &r->prev);
	r->have_prev = true;
	r->t_prev = now;
}

static void summary(struct tun_run *r)
{
	uint32_t queues[TUN_MAX_QUEUES];
	int cpus[TUN_MAX_QUEUES];
	struct tun_steer_stats xdp;
	struct tun_report rep;
	bool drained = true;
	unsigned int i;

	collect(r, true);
	report_init(r, &rep, queues, cpus, &xdp);
	rep.elapsed = xb_now() - r->t_start;
	for (i = 0; i < r->nw; i++)
		drained &= r->w[i].drained;
	tun_summary_print(stdout, &rep, r->run.reason, drained, r->cfg.json);
}

/* ---- setup ------------------------------------------------------------------- */

/* tap: frames for the TAP's MAC must reach IF's queues.  A membership, not a flag: it ends with us. */
static int promisc_on(struct tun_run *r)
{
	struct packet_mreq mr = { .mr_ifindex = r->ifindex, .mr_type = PACKET_MR_PROMISC };

	/* Protocol 0: the socket receives nothing, it only holds the membership. */
	r->promisc_fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (r->promisc_fd < 0 || setsockopt(r->promisc_fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr))) {
		fprintf(stderr, "%scannot make %s promiscuous: %s%s\n", r->pfx, r->cfg.ifname, strerror(errno),
			errno == EPERM ? " (needs CAP_NET_RAW)" : "");
		return -1;
	}
	return 0;
}

static int open_device(struct tun_run *r)
{
	char err[512];

	if (tun_dev_open(&r->dev, r->cfg.devname, r->cfg.kind, r->cfg.nqueues, !r->cfg.no_offload, err, sizeof(err))) {
		fprintf(stderr, "%s%s\n", r->pfx, err);
		return -1;
	}
	r->dev_open = true;
	if (tun_dev_set(&r->dev, r->if_mtu, true, err, sizeof(err))) {
		fprintf(stderr, "%s%s\n", r->pfx, err);
		return -1;
	}
	r->dev_mtu = r->if_mtu;
	r->ctl.offload = r->dev.offload;
	r->ctl.gro = r->dev.offload && !r->cfg.no_gro;
	fprintf(stderr, "%s%s %s %s with %u queue%s, MTU %u (as %s's), %s, up\n", r->pfx,
		r->dev.created ? "created" : "attached to the persistent", r->kname, r->cfg.devname, r->dev.nfds,
		r->dev.nfds == 1 ? "" : "s", r->if_mtu, r->cfg.ifname,
		!r->dev.offload ? "no offloads" :
		r->ctl.gro	? "offloads on (TSO and checksums, done by the bridge; flows joined towards it)" :
				  "offloads on (TSO and checksums, done by the bridge)");
	return 0;
}

static int open_workers(struct tun_run *r)
{
	char err[512], mode[256];
	unsigned int i;

	r->w = calloc(r->cfg.nqueues, sizeof(*r->w));
	r->snap = calloc(r->cfg.nqueues, sizeof(*r->snap));
	if (!r->w || !r->snap) {
		fprintf(stderr, "%sout of memory for %u workers\n", r->pfx, r->cfg.nqueues);
		return -1;
	}
	for (i = 0; i < r->cfg.nqueues; i++) {
		struct tun_worker *w = &r->w[i];
		struct xdpsock_mode m;

		w->idx = i;
		w->queue = r->cfg.queue[i];
		w->cpu = r->cfg.ncpus ? r->cfg.cpu[i % r->cfg.ncpus] : -1;
		w->ctl = &r->ctl;
		w->dev_fd = r->dev.fd[i];
		w->evfd = -1;
		if (tun_worker_open(w, &r->cfg, r->ifindex, tun_steer_xskmap_fd(r->steer), err, sizeof(err))) {
			fprintf(stderr, "%ssetting up queue %u of %s: %s\n", r->pfx, w->queue, r->cfg.ifname, err);
			return -1;
		}
		r->nw++;
		xdpsock_rx_mode(w->rx, &m);
		fprintf(stderr, "%s%s queue %u <-> %s queue %u: %s\n", r->pfx, r->cfg.ifname, w->queue, r->cfg.devname, i,
			xdpsock_mode_str(&m, mode, sizeof(mode)));
	}
	return 0;
}

static int setup(struct tun_run *r)
{
	/* What the running bridge needs, see tun_cfg.c's help; CAP_NET_ADMIN only. */
	static const int keep[] = { CAP_NET_ADMIN };
	uint32_t max_queue = 0;
	char err[512], kept[256];
	unsigned int i;

	if (xb_run_open(&r->run, on_link, r))
		return -1;
	if (discover(r))
		return -1;
	if (xb_check_cpus(r->cfg.cpu, r->cfg.ncpus, err, sizeof(err))) {
		fprintf(stderr, "%s%s\n", r->pfx, err);
		return -1;
	}
	__atomic_store_n(&r->ctl.nic_max, r->if_mtu + TUN_ETH_HLEN, __ATOMIC_RELAXED);
	__atomic_store_n(&r->ctl.dev_max, dev_max(r, r->if_mtu), __ATOMIC_RELAXED);
	__atomic_store_n(&r->ctl.if_mac, mac64(r->if_mac), __ATOMIC_RELAXED);
	/* The program first: a busy or foreign one refuses the bridge before anything else is made. */
	for (i = 0; i < r->cfg.nqueues; i++)
		if (r->cfg.queue[i] > max_queue)
			max_queue = r->cfg.queue[i];
	if (tun_steer_open(&r->steer, r->ifindex, &r->cfg, r->if_mac, max_queue, err, sizeof(err))) {
		fprintf(stderr, "%s%s\n", r->pfx, err);
		return -1;
	}
	fprintf(stderr, "%ssteering program %s (id %u) attached to %s in %s mode: %s\n", r->pfx, XB_STEER_PROG_NAME,
		tun_steer_id(r->steer), r->cfg.ifname, tun_steer_mode(r->steer),
		r->cfg.nrules ? "the frames --match selects" : r->cfg.kind == TUN_KIND_TAP ? "every frame" : "every IP packet");
	if (open_device(r))
		return -1;
	if (r->cfg.kind == TUN_KIND_TUN && !r->cfg.have_peer_mac) {
		if (tun_neigh_open(&r->neigh, r->ifindex) || xb_epoll_add(r->run.ep, tun_neigh_fd(r->neigh), XB_EV_MODE)) {
			fprintf(stderr, "%sneighbour table of %s: %s\n", r->pfx, r->cfg.ifname,
				r->neigh ? strerror(errno) : xnl_errmsg());
			return -1;
		}
		r->ctl.neigh = tun_neigh_table(r->neigh);
		r->ctl.resolve = !r->cfg.no_resolve;
		fprintf(stderr, "%snext hops from %s's neighbour table (%u entr%s now)%s\n", r->pfx, r->cfg.ifname,
			tun_neigh_count(r->neigh), tun_neigh_count(r->neigh) == 1 ? "y" : "ies",
			r->cfg.no_resolve ? ", never resolved by request (--no-resolve)" : "");
	}
	if (r->cfg.kind == TUN_KIND_TAP && promisc_on(r))
		return -1;
	if (open_workers(r))
		return -1;
	/* Before the workers exist: they inherit the reduced set (capabilities are per thread). */
	if (xb_caps_keep(keep, sizeof(keep) / sizeof(keep[0]), kept, sizeof(kept), err, sizeof(err))) {
		fprintf(stderr, "%s%s\n", r->pfx, err);
		return -1;
	}
	if (r->cfg.verbose)
		fprintf(stderr, "%scapabilities kept after setup: %s\n", r->pfx, kept);
	return 0;
}

static int start(struct tun_run *r)
{
	unsigned int i;

	if (__atomic_load_n(&r->ctl.down[TUN_NIC], __ATOMIC_RELAXED))
		fprintf(stderr, "%s%s is down: pausing %s -> %s until it comes up\n", r->pfx, r->cfg.ifname,
			r->cfg.devname, r->cfg.ifname);
	r->t_start = r->t_prev = xb_now();
	for (i = 0; i < r->nw; i++) {
		int e = tun_worker_start(&r->w[i]);

		if (e) {
			fprintf(stderr, "%scannot start the worker of queue %u%s: %s\n", r->pfx, r->w[i].queue,
				r->w[i].cpu >= 0 ? " (pinning it failed?)" : "", strerror(-e));
			return -1;
		}
	}
	fprintf(stderr, "%sbridging %s <-> %s on %u queue(s)\n", r->pfx, r->cfg.ifname, r->cfg.devname, r->nw);
	if (xb_run_timers(&r->run, r->cfg.interval, r->cfg.duration))
		return -1;
	return 0;
}

/* ---- the event loop ------------------------------------------------------------ */

static bool op_failed(void *ctx)
{
	const struct tun_run *r = ctx;
	unsigned int i;

	for (i = 0; i < r->nw; i++)
		if (__atomic_load_n(&r->w[i].failed, __ATOMIC_ACQUIRE))
			return true;
	return false;
}

static void op_after_wake(void *ctx)
{
	resolve_misses(ctx);
}

/* The neighbour table's events (XB_EV_MODE). */
static void op_on_fd(void *ctx, uint32_t tag)
{
	struct tun_run *r = ctx;
	int err;

	(void)tag;
	err = tun_neigh_dispatch(r->neigh);
	if (err < 0) {
		fprintf(stderr, "%sneighbour table of %s: %s\n", r->pfx, r->cfg.ifname, xnl_errmsg());
		if (err != -EBADMSG)
			xb_run_stop(&r->run, "error", XB_EXIT_ERROR);
	}
}

static const struct xb_run_ops tun_ops = {
	.wake = wake_all,
	.failed = op_failed,
	.after_wake = op_after_wake,
	.periodic = periodic,
	.on_fd = op_on_fd,
};

/*
 * Workers stopped and joined; the program detached first, so the host gets IF's traffic back
 * before the sockets go; then the sockets, the device (ours disappears), the rest.
 */
static void teardown(struct tun_run *r)
{
	unsigned int i;

	xb_run_stop(&r->run, r->run.reason ? r->run.reason : "error", r->run.exit_code);
	for (i = 0; i < r->nw; i++)
		tun_worker_join(&r->w[i]);
	r->steer_id = r->steer ? tun_steer_id(r->steer) : 0;
	tun_steer_close(r->steer);
	r->steer = NULL;
	/* Left behind only where the kernel has no XDP links (the library attached over netlink). */
	if (r->if_moved)
		xb_say_left_there(r->pfx, &r->if_gone, r->steer_id, XB_STEER_PROG_NAME);
	for (i = 0; i < r->nw; i++)
		tun_worker_close(&r->w[i]);
	free(r->w);
	free(r->snap);
	r->w = NULL;
	r->snap = NULL;
	r->nw = 0;
	if (r->promisc_fd >= 0)
		close(r->promisc_fd);
	tun_neigh_close(r->neigh);
	if (r->dev_open)
		tun_dev_close(&r->dev);
	r->dev_open = false;
	xb_run_close(&r->run);
}

static int run(enum tun_kind kind, int argc, char **argv)
{
	struct tun_run *r;
	char err[512];
	unsigned int i;
	int code;

	/* Big (the worker counters): on the heap, not the stack. */
	r = calloc(1, sizeof(*r));
	if (!r) {
		fprintf(stderr, "xdpbridge: out of memory\n");
		return XB_EXIT_ERROR;
	}
	r->kname = kind == TUN_KIND_TAP ? "tap" : "tun";
	r->pfx = kind == TUN_KIND_TAP ? "xdpbridge tap: " : "xdpbridge tun: ";
	r->promisc_fd = -1;
	xb_run_init(&r->run, &tun_ops, r, r->pfx, &r->ctl.stop, &r->ctl.main_evfd);
	switch (tun_cfg_parse(&r->cfg, kind, argc, argv, err, sizeof(err))) {
	case TUN_PARSE_HELP:
		free(r);
		return xb_flush_stdout(kind == TUN_KIND_TAP ? "xdpbridge tap" : "xdpbridge tun");
	case TUN_PARSE_USAGE:
		fprintf(stderr, "%s%s\nTry 'xdpbridge %s --help'.\n", r->pfx, err, r->kname);
		free(r);
		return XB_EXIT_USAGE;
	case TUN_PARSE_OK:
		break;
	}
	r->log.pfx = r->pfx;
	r->log.verbose = &r->cfg.verbose;
	xdpsock_set_log(xb_log_cb, &r->log);
	r->ctl.kind = kind;
	r->ctl.batch = r->cfg.batch;
	r->ctl.ifname = r->cfg.ifname;
	r->ctl.devname = r->cfg.devname;
	r->ctl.have_peer_mac = r->cfg.have_peer_mac;
	memcpy(r->ctl.peer_mac, r->cfg.peer_mac, 6);
	for (i = 0; i < 2; i++) {
		r->ctl.via.have[i] = r->cfg.have_via[i];
		memcpy(r->ctl.via.addr[i], r->cfg.via[i], 16);
	}

	if (setup(r) || start(r)) {
		teardown(r);
		xdpsock_set_log(NULL, NULL);
		free(r);
		return XB_EXIT_ERROR;
	}
	xb_run_loop(&r->run);
	for (i = 0; i < r->nw; i++)
		tun_worker_join(&r->w[i]);
	for (i = 0; i < r->nw; i++)
		if (r->w[i].failed)
			fprintf(stderr, "%s%s\n", r->pfx, r->w[i].errmsg);
	if (!r->out_failed) {
		summary(r);
		if (xb_flush_stdout(kind == TUN_KIND_TAP ? "xdpbridge tap" : "xdpbridge tun") && r->run.exit_code == XB_EXIT_OK)
			r->run.exit_code = XB_EXIT_ERROR;
	}
	teardown(r);
	xdpsock_set_log(NULL, NULL);
	code = r->run.exit_code;
	free(r);
	return code;
}

int cmd_tap(int argc, char **argv)
{
	return run(TUN_KIND_TAP, argc, argv);
}

int cmd_tun(int argc, char **argv)
{
	return run(TUN_KIND_TUN, argc, argv);
}
