// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * `xdplab up`.  In this order, each creation logged in the undo log before it acts:
 *   1. every node: its named namespace, IPv6 DAD off, lo up and marked with the alias "xdplab:LAB:NODE"
 *      before the namespace appears under /run/netns (show finds labs by the mark, down removes
 *      only what carries it); then the nodes' own sysctls (net.ipv4.ip_forward, ...conf.default...),
 *      before any interface exists, so that the 'default' ones reach them;
 *   2. every link in the order of the file: a veth pair in one RTM_NEWLINK that creates both ends
 *      directly in their namespaces; a macvlan by its node's socket, on its parent's ifindex; a
 *      bridge, then its ports enslaved to it; then the sysctls about these interfaces;
 *   3. every interface: usable queues (see fix_channels), addresses, offload switches, GRO, the
 *      queueing discipline (tbf, netem), up; then threaded NAPI, which needs the NAPI instance that
 *      up + GRO gave the veth; then a bounded wait until every interface is operationally up;
 *   4. the static neighbours, then the routes (a gateway must be on a link that is up);
 *   5. the exec lines, in file order (run.c).
 * When a step fails, the log is undone newest first and the cause is reported with the file's line.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "build.h"
#include "cmd.h"
#include "lab.h"
#include "netns.h"
#include "nl.h"
#include "undo.h"

/*
 * Set by SIGINT/SIGTERM/SIGHUP during up (the next step fails, and the rollback runs to the end) and
 * during down (which finishes the removal, then names the signal).
 */
volatile sig_atomic_t xlb_stop_signal;

static void on_signal(int sig)
{
	xlb_stop_signal = sig;
}

static const int stop_signals[XLB_NSIGNALS] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };

/*
 * While up or down changes the system: SIGINT, SIGTERM and SIGHUP set stop_signal, and SIGPIPE is
 * ignored (a reader of -v that went away, `| head`, must not stop either of them halfway: a write to
 * it just fails).  Restored by xlb_signals_restore().
 */
void xlb_signals_catch(struct sigaction old[XLB_NSIGNALS])
{
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };

	xlb_stop_signal = 0;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < XLB_NSIGNALS; i++) {
		sa.sa_handler = stop_signals[i] == SIGPIPE ? SIG_IGN : on_signal;
		sigaction(stop_signals[i], &sa, &old[i]);
	}
}

void xlb_signals_restore(const struct sigaction old[XLB_NSIGNALS])
{
	for (size_t i = 0; i < XLB_NSIGNALS; i++)
		sigaction(stop_signals[i], &old[i], NULL);
}

const char *xlb_signame(int sig)
{
	const char *abbrev = sigabbrev_np(sig);
	static char buf[24];

	snprintf(buf, sizeof(buf), "SIG%s", abbrev ? abbrev : "?");
	return buf;
}

int xlb_at(const struct build *b, int err, int line, const char *fmt, ...)
{
	char msg[900];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return xl_fail(err, "%s:%d: %s", b->lab->file, line, msg);
}

/* Every change to the system goes through here: a signal or XDPLAB_FAIL_STEP stops it. */
int xlb_step(struct build *b, const char *fmt, ...)
{
	char what[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	b->step++;
	if (xlb_stop_signal)
		return xl_fail(-EINTR, "interrupted by %s before step %d (%s)", xlb_signame(xlb_stop_signal), b->step,
			       what);
	if (b->step == b->fail_step)
		return xl_fail(-EIO, "step %d (%s) failed on purpose: XDPLAB_FAIL_STEP=%d", b->step, what, b->fail_step);
	if (b->o->verbose)
		printf("  [%d] %s\n", b->step, what);
	return 0;
}

int xlb_log_push(struct build *b, enum xl_undo_kind kind, int node, const char *name)
{
	int err = xl_undo_push(&b->undo, kind, node, name);

	return err ? xl_fail(err, "cannot record %s in the undo log: %s", name, strerror(-err)) : 0;
}

/*
 * IPv6 duplicate address detection off for every interface of the node (all and default), so
 * that the link-local addresses the kernel makes are usable at once, like the lab's own (NODAD):
 * a router cannot ask for a neighbour's MAC before its link-local address is, and with DAD a
 * routed lab would drop what it forwards for its first ~2 s.  No IPv6 in the kernel: nothing to do.
 */
static int no_dad(void)
{
	static const char *const paths[] = { "/proc/sys/net/ipv6/conf/all/accept_dad",
					     "/proc/sys/net/ipv6/conf/default/accept_dad" };

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		int fd = open(paths[i], O_WRONLY | O_CLOEXEC), err = 0;

		if (fd < 0 && errno == ENOENT)
			return 0;
		if (fd < 0 || write(fd, "0", 1) != 1)
			err = -errno;
		if (fd >= 0)
			close(fd);
		if (err)
			return xl_fail(err, "cannot turn IPv6 duplicate address detection off (%s): %s", paths[i],
				       strerror(-err));
	}
	return 0;
}

/*
 * In a new namespace, before it is mounted under /run/netns (this thread is inside it, and
 * /proc/sys/net shows the namespace of whoever looks): DAD off (no_dad()), lo up, with the mark as
 * its alias.  So a namespace of ours never exists unmarked, even when up is killed right after
 * creating it, and down can trust the mark: without it, a namespace is someone else's.
 */
static int init_node(void *arg)
{
	const char *mark = arg;
	struct xl_nl nl;
	int err, lo;

	if ((err = no_dad()))
		return err;
	if ((err = xl_nl_open(&nl)))
		return err;
	lo = xl_nl_ifindex(&nl, "lo");
	err = lo < 0 ? lo : xl_nl_link_up(&nl, lo, mark);
	xl_nl_close(&nl);
	return err ? xl_fail(err, "cannot bring lo up and mark it: %s", xl_errmsg()) : 0;
}

static int create_node(struct build *b, int i)
{
	const struct xl_lab *lab = b->lab;
	const struct xl_node *n = &lab->nodes[i];
	char mark[XL_MARK_MAX];
	int err;

	xl_lab_mark(lab, i, mark);
	if ((err = xlb_step(b, "create namespace %s, lo up and marked %s, IPv6 DAD off", n->ns, mark)) ||
	    (err = xlb_log_push(b, XL_UNDO_NETNS, i, n->ns)))
		return err;
	err = xl_netns_create(n->ns, init_node, mark);
	if (err) {
		xl_undo_pop(&b->undo);
		return xlb_at(b, err, n->line, "node %s: %s", n->name, xl_errmsg());
	}
	err = xl_ns_open(&b->ns[i], n->ns);
	if (err)
		return xlb_at(b, err, n->line, "node %s: %s", n->name, xl_errmsg());
	return 0;
}

/* After EEXIST: say which of the names is taken, and where. */
static void explain_exists(struct build *b, int i, int j)
{
	const struct xl_lab *lab = b->lab;
	char cause[256];

	snprintf(cause, sizeof(cause), "%s", xl_errmsg());
	for (int k = 0; k < 2; k++) {
		const struct xl_iface *f = &lab->ifaces[k ? j : i];

		if ((k ? j : i) < 0)
			continue;
		if (xl_nl_ifindex(&b->ns[f->node].nl, f->name) > 0) {
			xl_err("node %s already has an interface named %s (%s)", lab->nodes[f->node].name, f->name, cause);
			return;
		}
	}
	xl_err("%s", cause);
}

static int create_veth(struct build *b, int a)
{
	const struct xl_lab *lab = b->lab;
	const struct xl_iface *fa = &lab->ifaces[a], *fb = &lab->ifaces[fa->peer];
	struct rtnl_link *link;
	int err;

	if ((err = xlb_step(b, "create veth %s -- %s", XL_END(lab, a), XL_END(lab, fa->peer))) ||
	    (err = xlb_log_push(b, XL_UNDO_LINK, fa->node, fa->name)))
		return err;
	link = xl_nl_veth(lab, a, b->ns[fa->node].fd, b->ns[fb->node].fd);
	if (!link) {
		xl_undo_pop(&b->undo);
		return xlb_at(b, -ENOMEM, fa->line, "cannot build the veth request: out of memory");
	}
	/* Sent from end A's namespace: both ends carry their namespace, and should one be ignored the
	 * end would still land in the lab, never in the namespace xdplab was started in. */
	err = xl_nl_link_add(&b->ns[fa->node].nl, link);
	rtnl_link_put(link);
	if (err) {
		xl_undo_pop(&b->undo);
		if (err == -EEXIST)
			explain_exists(b, a, fa->peer);
		return xlb_at(b, err, fa->line, "cannot create veth %s -- %s: %s", XL_END(lab, a), XL_END(lab, fa->peer),
			  xl_errmsg());
	}
	return 0;
}

static int create_macvlan(struct build *b, int i)
{
	const struct xl_lab *lab = b->lab;
	const struct xl_iface *f = &lab->ifaces[i], *parent = &lab->ifaces[f->parent];
	struct xl_nl *nl = &b->ns[f->node].nl;
	struct rtnl_link *link;
	int err, pidx;

	pidx = xl_nl_ifindex(nl, parent->name);
	if (pidx < 0)
		return xlb_at(b, pidx, f->line, "cannot find %s, the parent of macvlan %s: %s", XL_END(lab, f->parent),
			  XL_END(lab, i), xl_errmsg());
	if ((err = xlb_step(b, "create macvlan %s on %s (%s)", XL_END(lab, i), parent->name, xl_macvlan_mode_str(f->mode))) ||
	    (err = xlb_log_push(b, XL_UNDO_LINK, f->node, f->name)))
		return err;
	link = xl_nl_macvlan(lab, i, pidx);
	if (!link) {
		xl_undo_pop(&b->undo);
		return xlb_at(b, -ENOMEM, f->line, "cannot build the macvlan request: out of memory");
	}
	err = xl_nl_link_add(nl, link);
	rtnl_link_put(link);
	if (err) {
		xl_undo_pop(&b->undo);
		if (err == -EEXIST)
			explain_exists(b, i, -1);
		return xlb_at(b, err, f->line, "cannot create macvlan %s on %s: %s", XL_END(lab, i), XL_END(lab, f->parent),
			  xl_errmsg());
	}
	return 0;
}

/* A bridge, then its ports enslaved to it (build_net.c). */
static int create_bridge(struct build *b, int i)
{
	const struct xl_lab *lab = b->lab;
	const struct xl_iface *f = &lab->ifaces[i];
	struct rtnl_link *link;
	int err;

	if ((err = xlb_step(b, "create bridge %s", XL_END(lab, i))) || (err = xlb_log_push(b, XL_UNDO_LINK, f->node, f->name)))
		return err;
	link = xl_nl_bridge(lab, i);
	if (!link) {
		xl_undo_pop(&b->undo);
		return xlb_at(b, -ENOMEM, f->line, "cannot build the bridge request: out of memory");
	}
	err = xl_nl_link_add(&b->ns[f->node].nl, link);
	rtnl_link_put(link);
	if (err) {
		xl_undo_pop(&b->undo);
		if (err == -EEXIST)
			explain_exists(b, i, -1);
		return xlb_at(b, err, f->line, "cannot create bridge %s: %s", XL_END(lab, i), xl_errmsg());
	}
	return xlb_bridge_ports(b, i);
}

/*
 * Make all the queues the file asked for usable.  veth decides how many of the second end's
 * allocated queues are usable from the attributes of the *first* end (veth_init_queues(peer, tb)):
 * when the first end has no queue count, the second end gets its N queues but only 1 usable, and an
 * AF_XDP socket on queue 1 would be refused.  Setting the channels fixes that; a no-op otherwise.
 */
static int fix_channels(struct build *b, int i)
{
	const struct xl_lab *lab = b->lab;
	const struct xl_iface *f = &lab->ifaces[i];
	struct xl_ns *ns = &b->ns[f->node];
	unsigned int rx, tx;
	int err;

	if (f->kind != XL_VETH || !f->queues)
		return 0;
	if ((err = xl_ethtool_channels_get(ns->ioctl_fd, f->name, &rx, &tx)))
		return xlb_at(b, err, f->opt_line[XL_OPT_QUEUES], "cannot read how many queues of %s are usable: %s",
			  XL_END(lab, i), strerror(-err));
	if (rx == f->queues && tx == f->queues)
		return 0;
	if ((err = xlb_step(b, "make the %u queues of %s usable (the kernel made %u/%u)", f->queues, XL_END(lab, i), rx, tx)))
		return err;
	if ((err = xl_ethtool_channels_set(ns->ioctl_fd, f->name, f->queues, f->queues)))
		return xlb_at(b, err, f->opt_line[XL_OPT_QUEUES], "cannot make the %u queues of %s usable (%u/%u are): %s",
			  f->queues, XL_END(lab, i), rx, tx, strerror(-err));
	return 0;
}

/* Queues, addresses, offload switches, GRO, queueing discipline, up. */
static int configure(struct build *b, int i)
{
	const struct xl_lab *lab = b->lab;
	const struct xl_iface *f = &lab->ifaces[i];
	struct xl_ns *ns = &b->ns[f->node];
	int err, ifindex;

	ifindex = xl_nl_ifindex(&ns->nl, f->name);
	if (ifindex < 0)
		return xlb_at(b, ifindex, f->line, "cannot find %s after creating it: %s", XL_END(lab, i), xl_errmsg());
	if ((err = fix_channels(b, i)))
		return err;
	for (int k = 0; k < f->naddrs; k++) {
		const struct xl_addr *a = &f->addrs[k];
		struct rtnl_addr *addr;

		if ((err = xlb_step(b, "add %s to %s", a->text, XL_END(lab, i))))
			return err;
		addr = xl_nl_addr(a, ifindex);
		if (!addr)
			return xlb_at(b, -ENOMEM, a->line, "cannot build the address request: out of memory");
		err = xl_nl_addr_add(&ns->nl, addr);
		rtnl_addr_put(addr);
		if (err)
			return xlb_at(b, err, a->line, "cannot add address %s to %s: %s", a->text, XL_END(lab, i), xl_errmsg());
	}
	if ((err = xlb_offloads(b, i)))
		return err;
	if (f->gro) {
		if ((err = xlb_step(b, "turn GRO on on %s", XL_END(lab, i))))
			return err;
		if ((err = xl_ethtool_gro_set(ns->ioctl_fd, f->name, true)))
			return xlb_at(b, err, f->opt_line[XL_OPT_GRO], "cannot turn gro on on %s: %s", XL_END(lab, i),
				  strerror(-err));
	}
	if ((err = xlb_qdisc(b, i)))
		return err;
	if ((err = xlb_step(b, "bring %s up", XL_END(lab, i))))
		return err;
	if ((err = xl_nl_link_up(&ns->nl, ifindex, NULL)))
		return xlb_at(b, err, f->line, "cannot bring %s up: %s", XL_END(lab, i), xl_errmsg());
	return 0;
}

static int set_threaded(struct build *b, int i)
{
	const struct xl_lab *lab = b->lab;
	const struct xl_iface *f = &lab->ifaces[i];
	char path[64];
	int err;

	if ((err = xlb_step(b, "threaded NAPI on %s", XL_END(lab, i))))
		return err;
	snprintf(path, sizeof(path), "/sys/class/net/%s/threaded", f->name);
	err = xl_netns_sysfs_write(b->ns[f->node].fd, path, "1");
	if (err)
		return xlb_at(b, err, f->opt_line[XL_OPT_THREADED], "cannot turn threaded NAPI on on %s: %s", XL_END(lab, i),
			  xl_errmsg());
	return 0;
}

/*
 * Wait (at most XL_READY_MS in all) until every interface is operationally up.  The kernel applies a
 * carrier change through its linkwatch work, up to a second later when it does not think it urgent
 * (a veth whose peer has the same ifindex in its own namespace), and until then the interface has
 * no queueing discipline: the first frames sent would be dropped.  A lab is ready when up returns.
 */
#define XL_READY_MS 3000
#define XL_OPER_UP  6	/* IF_OPER_UP (RFC 2863); <linux/if.h> clashes with <net/if.h> */

static void wait_ready(struct build *b)
{
	const struct xl_lab *lab = b->lab;
	struct timespec start, now;
	long waited = 0;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (int i = 0; i < lab->nifaces; i++) {
		const struct xl_iface *f = &lab->ifaces[i];
		uint8_t oper = 0;

		for (;;) {
			struct rtnl_link *link = NULL;

			if (rtnl_link_get_kernel(b->ns[f->node].nl.sk, 0, f->name, &link) >= 0) {
				oper = rtnl_link_get_operstate(link);
				rtnl_link_put(link);
			}
			clock_gettime(CLOCK_MONOTONIC, &now);
			waited = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
			if (oper == XL_OPER_UP || waited >= XL_READY_MS)
				break;
			nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000000 }, NULL);
		}
		if (oper != XL_OPER_UP) {
			char s[32];

			fprintf(stderr, "xdplab: warning: %s is not operationally up after %d ms (operstate %s)\n",
				XL_END(lab, i), XL_READY_MS, rtnl_link_operstate2str(oper, s, sizeof(s)));
		}
	}
	if (b->o->verbose)
		printf("  every interface is operationally up after %ld ms\n", waited);
}

static int build_all(struct build *b)
{
	const struct xl_lab *lab = b->lab;
	int err = 0, i;

	for (i = 0; !err && i < lab->nnodes; i++)
		err = create_node(b, i);
	if (!err)
		err = xlb_sysctls(b, false);
	/* In the order of the file: a macvlan's parent and a bridge's ports are declared before it. */
	for (i = 0; !err && i < lab->nifaces; i++) {
		const struct xl_iface *f = &lab->ifaces[i];

		if (f->kind == XL_VETH && f->peer > i)
			err = create_veth(b, i);
		else if (f->kind == XL_MACVLAN)
			err = create_macvlan(b, i);
		else if (f->kind == XL_BRIDGE)
			err = create_bridge(b, i);
	}
	if (!err)
		err = xlb_sysctls(b, true);
	for (i = 0; !err && i < lab->nifaces; i++)
		err = configure(b, i);
	for (i = 0; !err && i < lab->nifaces; i++)
		if (lab->ifaces[i].threaded)
			err = set_threaded(b, i);
	if (!err)
		wait_ready(b);
	if (!err)
		err = xlb_neighs(b);
	if (!err)
		err = xlb_routes(b);
	if (!err)
		err = xlb_execs(b);
	return err;
}

static int undo_one(const struct xl_undo_entry *e, void *ctx)
{
	struct build *b = ctx;
	int err = 0;

	switch (e->kind) {
	case XL_UNDO_LINK:
		if (b->ns[e->node].nl.sk)
			err = xl_nl_link_del(&b->ns[e->node].nl, e->name);
		if (err == -ENODEV)
			err = 0;	/* it went with its veth peer or its parent */
		break;
	case XL_UNDO_NETNS:
		xl_ns_close(&b->ns[e->node]);
		err = xl_netns_delete(e->name);
		break;
	}
	if (err)
		fprintf(stderr, "xdplab: rollback: cannot remove %s %s: %s\n",
			e->kind == XL_UNDO_LINK ? "interface" : "namespace", e->name, xl_errmsg());
	else if (b->o->verbose)
		printf("  undo: removed %s %s\n", e->kind == XL_UNDO_LINK ? "interface" : "namespace", e->name);
	return err;
}

int xl_up(const struct xl_lab *lab, const struct xl_opts *o)
{
	const char *env = getenv("XDPLAB_FAIL_STEP");
	struct sigaction old[XLB_NSIGNALS];
	struct build *b;
	int err, i, n, nfail = 0;

	if ((err = xlb_check_free(lab)))
		return err;
	b = calloc(1, sizeof(*b));
	if (!b)
		return xl_fail(-ENOMEM, "out of memory");
	b->lab = lab;
	b->o = o;
	b->fail_step = env ? atoi(env) : 0;
	xl_undo_init(&b->undo);
	for (i = 0; i < XL_MAX_NODES; i++)
		xl_ns_init(&b->ns[i]);
	xlb_signals_catch(old);

	err = build_all(b);
	if (err) {
		char cause[1024];

		int spaces = 0;

		snprintf(cause, sizeof(cause), "%s", xl_errmsg());
		n = b->undo.n;
		for (i = 0; i < n; i++)
			spaces += b->undo.e[i].kind == XL_UNDO_NETNS;
		xl_undo_run(&b->undo, undo_one, b, &nfail);
		if (nfail)
			xl_err("%s; the rollback could not remove %d of the %d objects created (see above)", cause, nfail, n);
		else if (n)
			xl_err("%s; rolled back: removed the %d namespace%s and %d interface%s created", cause, spaces,
			       spaces == 1 ? "" : "s", n - spaces, n - spaces == 1 ? "" : "s");
		else
			xl_err("%s; nothing was created", cause);
	} else {
		char what[256];

		printf("lab %s is up: %s; namespaces", lab->name, xl_lab_summary(lab, what, sizeof(what)));
		for (i = 0; i < lab->nnodes; i++)
			printf(" %s", lab->nodes[i].ns);
		printf("\n");
	}
	for (i = 0; i < XL_MAX_NODES; i++)
		xl_ns_close(&b->ns[i]);
	fflush(stdout);		/* while SIGPIPE is still ignored */
	xlb_signals_restore(old);
	free(b);
	return err;
}

