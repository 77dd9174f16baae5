// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * `xdplab up` and `xdplab down`.
 *
 * up, in this order, each creation logged in the undo log before it acts:
 *   1. every node: its named namespace, with lo up and marked with the alias "xdplab:LAB:NODE"
 *      before the namespace appears under /run/netns (show finds labs by the mark, down removes
 *      only what carries it);
 *   2. every veth pair: one RTM_NEWLINK that creates both ends directly in their namespaces;
 *   3. every macvlan: created by its node's socket, on its parent's ifindex;
 *   4. every interface: usable queues (see fix_channels), addresses, GRO, up; then threaded NAPI,
 *      which needs the NAPI instance that up + GRO gave the veth; then a bounded wait until every
 *      interface is operationally up.
 * Channels, addresses, GRO, up and threaded need no undo entry: they go with their link.  When a
 * step fails, the log is undone newest first and the cause is reported with the file's line.
 *
 * down removes, of each node's /run/netns entry, only what up made: a namespace that carries its
 * mark, and a half-made entry (see node_owner()).  Neither up nor down stops halfway on a signal.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "lab.h"
#include "netns.h"
#include "nl.h"
#include "undo.h"

/*
 * Set by SIGINT/SIGTERM/SIGHUP during up (the next step fails, and the rollback runs to the end) and
 * during down (which finishes the removal, then names the signal).
 */
static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };
#define NSIGNALS (sizeof(stop_signals) / sizeof(stop_signals[0]))

/*
 * While up or down changes the system: SIGINT, SIGTERM and SIGHUP set stop_signal, and SIGPIPE is
 * ignored (a reader of -v that went away, `| head`, must not stop either of them halfway: a write to
 * it just fails).  Restored by signals_restore().
 */
static void signals_catch(struct sigaction old[NSIGNALS])
{
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };

	stop_signal = 0;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < NSIGNALS; i++) {
		sa.sa_handler = stop_signals[i] == SIGPIPE ? SIG_IGN : on_signal;
		sigaction(stop_signals[i], &sa, &old[i]);
	}
}

static void signals_restore(const struct sigaction old[NSIGNALS])
{
	for (size_t i = 0; i < NSIGNALS; i++)
		sigaction(stop_signals[i], &old[i], NULL);
}

/* "SIGINT" */
static const char *signame(int sig)
{
	const char *abbrev = sigabbrev_np(sig);
	static char buf[24];

	snprintf(buf, sizeof(buf), "SIG%s", abbrev ? abbrev : "?");
	return buf;
}

struct build {
	const struct xl_lab *lab;
	const struct xl_opts *o;
	struct xl_ns ns[XL_MAX_NODES];
	struct xl_undo undo;
	int step;
	int fail_step;		/* XDPLAB_FAIL_STEP; 0: none */
};

/* Fail with "FILE:LINE: ..." (the line that asked for what failed). */
__attribute__((format(printf, 4, 5))) static int at(const struct build *b, int err, int line, const char *fmt, ...)
{
	char msg[900];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return xl_fail(err, "%s:%d: %s", b->lab->file, line, msg);
}

/* Every change to the system goes through here: a signal or XDPLAB_FAIL_STEP stops it. */
__attribute__((format(printf, 2, 3))) static int step(struct build *b, const char *fmt, ...)
{
	char what[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	b->step++;
	if (stop_signal)
		return xl_fail(-EINTR, "interrupted by %s before step %d (%s)", signame(stop_signal), b->step, what);
	if (b->step == b->fail_step)
		return xl_fail(-EIO, "step %d (%s) failed on purpose: XDPLAB_FAIL_STEP=%d", b->step, what, b->fail_step);
	if (b->o->verbose)
		printf("  [%d] %s\n", b->step, what);
	return 0;
}

static int log_push(struct build *b, enum xl_undo_kind kind, int node, const char *name)
{
	int err = xl_undo_push(&b->undo, kind, node, name);

	return err ? xl_fail(err, "cannot record %s in the undo log: %s", name, strerror(-err)) : 0;
}

/*
 * In a new namespace, before it is mounted under /run/netns: lo up, with the mark as its alias.  So a
 * namespace of ours never exists unmarked, even when up is killed right after creating it, and
 * down can trust the mark: without it, a namespace is someone else's.
 */
static int mark_lo(void *arg)
{
	const char *mark = arg;
	struct xl_nl nl;
	int err, lo;

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
	if ((err = step(b, "create namespace %s, lo up and marked %s", n->ns, mark)) ||
	    (err = log_push(b, XL_UNDO_NETNS, i, n->ns)))
		return err;
	err = xl_netns_create(n->ns, mark_lo, mark);
	if (err) {
		xl_undo_pop(&b->undo);
		return at(b, err, n->line, "node %s: %s", n->name, xl_errmsg());
	}
	err = xl_ns_open(&b->ns[i], n->ns);
	if (err)
		return at(b, err, n->line, "node %s: %s", n->name, xl_errmsg());
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

	if ((err = step(b, "create veth %s -- %s", XL_END(lab, a), XL_END(lab, fa->peer))) ||
	    (err = log_push(b, XL_UNDO_LINK, fa->node, fa->name)))
		return err;
	link = xl_nl_veth(lab, a, b->ns[fa->node].fd, b->ns[fb->node].fd);
	if (!link) {
		xl_undo_pop(&b->undo);
		return at(b, -ENOMEM, fa->line, "cannot build the veth request: out of memory");
	}
	/* Sent from end A's namespace: both ends carry their namespace, and should one be ignored the
	 * end would still land in the lab, never in the namespace xdplab was started in. */
	err = xl_nl_link_add(&b->ns[fa->node].nl, link);
	rtnl_link_put(link);
	if (err) {
		xl_undo_pop(&b->undo);
		if (err == -EEXIST)
			explain_exists(b, a, fa->peer);
		return at(b, err, fa->line, "cannot create veth %s -- %s: %s", XL_END(lab, a), XL_END(lab, fa->peer),
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
		return at(b, pidx, f->line, "cannot find %s, the parent of macvlan %s: %s", XL_END(lab, f->parent),
			  XL_END(lab, i), xl_errmsg());
	if ((err = step(b, "create macvlan %s on %s (%s)", XL_END(lab, i), parent->name, xl_macvlan_mode_str(f->mode))) ||
	    (err = log_push(b, XL_UNDO_LINK, f->node, f->name)))
		return err;
	link = xl_nl_macvlan(lab, i, pidx);
	if (!link) {
		xl_undo_pop(&b->undo);
		return at(b, -ENOMEM, f->line, "cannot build the macvlan request: out of memory");
	}
	err = xl_nl_link_add(nl, link);
	rtnl_link_put(link);
	if (err) {
		xl_undo_pop(&b->undo);
		if (err == -EEXIST)
			explain_exists(b, i, -1);
		return at(b, err, f->line, "cannot create macvlan %s on %s: %s", XL_END(lab, i), XL_END(lab, f->parent),
			  xl_errmsg());
	}
	return 0;
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
		return at(b, err, f->opt_line[XL_OPT_QUEUES], "cannot read how many queues of %s are usable: %s",
			  XL_END(lab, i), strerror(-err));
	if (rx == f->queues && tx == f->queues)
		return 0;
	if ((err = step(b, "make the %u queues of %s usable (the kernel made %u/%u)", f->queues, XL_END(lab, i), rx, tx)))
		return err;
	if ((err = xl_ethtool_channels_set(ns->ioctl_fd, f->name, f->queues, f->queues)))
		return at(b, err, f->opt_line[XL_OPT_QUEUES], "cannot make the %u queues of %s usable (%u/%u are): %s",
			  f->queues, XL_END(lab, i), rx, tx, strerror(-err));
	return 0;
}

/* Queues, addresses, GRO, up. */
static int configure(struct build *b, int i)
{
	const struct xl_lab *lab = b->lab;
	const struct xl_iface *f = &lab->ifaces[i];
	struct xl_ns *ns = &b->ns[f->node];
	int err, ifindex;

	ifindex = xl_nl_ifindex(&ns->nl, f->name);
	if (ifindex < 0)
		return at(b, ifindex, f->line, "cannot find %s after creating it: %s", XL_END(lab, i), xl_errmsg());
	if ((err = fix_channels(b, i)))
		return err;
	for (int k = 0; k < f->naddrs; k++) {
		const struct xl_addr *a = &f->addrs[k];
		struct rtnl_addr *addr;

		if ((err = step(b, "add %s to %s", a->text, XL_END(lab, i))))
			return err;
		addr = xl_nl_addr(a, ifindex);
		if (!addr)
			return at(b, -ENOMEM, a->line, "cannot build the address request: out of memory");
		err = xl_nl_addr_add(&ns->nl, addr);
		rtnl_addr_put(addr);
		if (err)
			return at(b, err, a->line, "cannot add address %s to %s: %s", a->text, XL_END(lab, i), xl_errmsg());
	}
	if (f->gro) {
		if ((err = step(b, "turn GRO on on %s", XL_END(lab, i))))
			return err;
		if ((err = xl_ethtool_gro_set(ns->ioctl_fd, f->name, true)))
			return at(b, err, f->opt_line[XL_OPT_GRO], "cannot turn gro on on %s: %s", XL_END(lab, i),
				  strerror(-err));
	}
	if ((err = step(b, "bring %s up", XL_END(lab, i))))
		return err;
	if ((err = xl_nl_link_up(&ns->nl, ifindex, NULL)))
		return at(b, err, f->line, "cannot bring %s up: %s", XL_END(lab, i), xl_errmsg());
	return 0;
}

static int set_threaded(struct build *b, int i)
{
	const struct xl_lab *lab = b->lab;
	const struct xl_iface *f = &lab->ifaces[i];
	char path[64];
	int err;

	if ((err = step(b, "threaded NAPI on %s", XL_END(lab, i))))
		return err;
	snprintf(path, sizeof(path), "/sys/class/net/%s/threaded", f->name);
	err = xl_netns_sysfs_write(b->ns[f->node].fd, path, "1");
	if (err)
		return at(b, err, f->opt_line[XL_OPT_THREADED], "cannot turn threaded NAPI on on %s: %s", XL_END(lab, i),
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
	for (i = 0; !err && i < lab->nifaces; i++)
		if (lab->ifaces[i].kind == XL_VETH && lab->ifaces[i].peer > i)
			err = create_veth(b, i);
	for (i = 0; !err && i < lab->nifaces; i++)
		if (lab->ifaces[i].kind == XL_MACVLAN)
			err = create_macvlan(b, i);
	for (i = 0; !err && i < lab->nifaces; i++)
		err = configure(b, i);
	for (i = 0; !err && i < lab->nifaces; i++)
		if (lab->ifaces[i].threaded)
			err = set_threaded(b, i);
	if (!err)
		wait_ready(b);
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

/* Who made a node's /run/netns entry (node_owner()): what up refuses on and what down removes. */
enum owner {
	OWNER_NONE,	/* no entry */
	OWNER_LAB,	/* a namespace with the node's mark: made by this lab's up */
	OWNER_HALF,	/* a half-made entry: see node_owner() */
	OWNER_OTHER,	/* a namespace without the mark, or something that is not a namespace: not ours */
};

/*
 * Look at node @i's entry under /run/netns: an enum owner, or -errno when it is a namespace whose
 * mark cannot be read (then whether it is ours is unknown, and it is treated as not ours).  OWNER_LAB
 * leaves @ns (initialised by the caller) open on it; OWNER_HALF, OWNER_OTHER and -errno set
 * xl_errmsg() to what the entry is.
 *
 * A half-made entry, an empty file with nothing mounted on it, carries no mark to check, and needs
 * none: it is not a namespace.  Nothing lives in it and nothing can enter it (setns() refuses it);
 * all it does is take the name, for up and `ip netns add` alike.  It is what an up (or an `ip netns
 * add`) leaves when it is killed between creating the file and mounting the namespace on it, and the
 * name is this node's.  Removing it loses nothing, so down removes it, and only while it is still
 * one: xl_netns_remove_half() looks again right before, and unlink() refuses a mount point.  The one
 * thing it can disturb is a creation of the same name caught between its two steps at that moment:
 * its mount then fails and it says so.
 */
static int node_owner(const struct xl_lab *lab, int i, struct xl_ns *ns)
{
	const struct xl_node *n = &lab->nodes[i];
	char what[200], alias[64];
	int err;

	switch (xl_netns_probe(n->ns, what, sizeof(what))) {
	case XL_NETNS_ABSENT:
		return OWNER_NONE;
	case XL_NETNS_HALF:
		xl_err("%s/%s is a half-made entry (%s)", XL_NETNS_DIR, n->ns, what);
		return OWNER_HALF;
	case XL_NETNS_OTHER:
		xl_err("%s/%s is not a network namespace: %s", XL_NETNS_DIR, n->ns, what);
		return OWNER_OTHER;
	case XL_NETNS_NET:
		break;
	}
	err = xl_ns_open(ns, n->ns);
	if (!err && (err = xl_nl_ifalias(&ns->nl, "lo", alias, sizeof(alias))))
		xl_err("namespace %s: cannot read the alias of its lo: %s", n->ns, xl_errmsg());
	if (err) {
		xl_ns_close(ns);
		return xl_fail(err, "%s; so whether lab %s made it is unknown", xl_errmsg(), lab->name);
	}
	if (!strcmp(alias, XL_MARK(lab, i)))
		return OWNER_LAB;
	xl_ns_close(ns);
	xl_err("namespace %s exists but was not made by lab %s (its lo carries no %s mark)", n->ns, lab->name,
	       XL_MARK(lab, i));
	return OWNER_OTHER;
}

/*
 * up builds only where none of the lab's names is taken.  When one is, say by what, and advise down
 * only for what down removes (this lab's namespaces, half-made entries): what someone else made is
 * never to be removed, the way out is another lab name.  Someone else's is reported first, since
 * down would not clear it.
 */
static int check_free(const struct xl_lab *lab)
{
	char first[XL_NS_NAME_MAX + 1] = "", half[512] = "";
	struct xl_ns ns;
	int own;

	for (int i = 0; i < lab->nnodes; i++) {
		xl_ns_init(&ns);
		own = node_owner(lab, i, &ns);
		xl_ns_close(&ns);
		if (own < 0)
			return xl_fail(own, "node %s: %s", lab->nodes[i].name, xl_errmsg());
		if (own == OWNER_OTHER)
			return xl_fail(-EEXIST, "%s:%d: %s; xdplab leaves it alone: give the lab another name on this line",
				       lab->file, lab->name_line, xl_errmsg());
		if (own == OWNER_LAB && !first[0])
			snprintf(first, sizeof(first), "%s", lab->nodes[i].ns);
		if (own == OWNER_HALF && !half[0])
			snprintf(half, sizeof(half), "%s", xl_errmsg());
	}
	if (first[0])
		return xl_fail(-EEXIST, "lab %s is already up (namespace %s exists): 'xdplab down %s' removes it", lab->name,
			       first, lab->file);
	if (half[0])
		return xl_fail(-EEXIST, "%s: 'xdplab down %s' removes it", half, lab->file);
	return 0;
}

int xl_up(const struct xl_lab *lab, const struct xl_opts *o)
{
	const char *env = getenv("XDPLAB_FAIL_STEP");
	struct sigaction old[NSIGNALS];
	struct build *b;
	int err, i, n, nfail = 0;

	if ((err = check_free(lab)))
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
	signals_catch(old);

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
		int veths = 0, macvlans = 0;

		for (i = 0; i < lab->nifaces; i++) {
			veths += lab->ifaces[i].kind == XL_VETH && lab->ifaces[i].peer > i;
			macvlans += lab->ifaces[i].kind == XL_MACVLAN;
		}
		printf("lab %s is up: %d node%s, %d veth pair%s, %d macvlan%s; namespaces", lab->name, lab->nnodes,
		       lab->nnodes == 1 ? "" : "s", veths, veths == 1 ? "" : "s", macvlans, macvlans == 1 ? "" : "s");
		for (i = 0; i < lab->nnodes; i++)
			printf(" %s", lab->nodes[i].ns);
		printf("\n");
	}
	for (i = 0; i < XL_MAX_NODES; i++)
		xl_ns_close(&b->ns[i]);
	fflush(stdout);		/* while SIGPIPE is still ignored */
	signals_restore(old);
	free(b);
	return err;
}

struct down {
	int failed;
	int first;
};

/* One failure: said now, counted for the end. */
static void down_note(struct down *d, int err)
{
	fprintf(stderr, "xdplab: down: %s\n", xl_errmsg());
	if (!d->failed++)
		d->first = err;
}

/* "NS NS..." of the nodes whose owner is @which. */
static void print_nodes(const struct xl_lab *lab, const int *owner, int which)
{
	for (int i = 0, k = 0; i < lab->nnodes; i++)
		if (owner[i] == which)
			printf("%s%s", k++ ? " " : "", lab->nodes[i].ns);
}

int xl_down(const struct xl_lab *lab, const struct xl_opts *o)
{
	int owner[XL_MAX_NODES], links = 0, spaces = 0, halves = 0, others = 0, err, i;
	struct sigaction old[NSIGNALS];
	struct down d = { 0 };
	struct xl_ns *ns;

	ns = calloc(XL_MAX_NODES, sizeof(*ns));
	if (!ns)
		return xl_fail(-ENOMEM, "out of memory");
	/* From here on a signal does not stop down halfway: what it found to remove, it removes. */
	signals_catch(old);
	for (i = 0; i < lab->nnodes; i++) {
		xl_ns_init(&ns[i]);
		owner[i] = node_owner(lab, i, &ns[i]);
		if (owner[i] < 0) {
			xl_err("%s: left alone", xl_errmsg());
			down_note(&d, owner[i]);
			owner[i] = OWNER_OTHER;		/* listed as left alone below */
			others++;
		} else if (owner[i] == OWNER_OTHER) {
			fprintf(stderr, "xdplab: down: %s: left alone\n", xl_errmsg());
			others++;
		}
	}
	/*
	 * Interfaces first, newest first (a macvlan before its parent), although removing a namespace
	 * removes its veths and macvlans too: a process still inside (an `xdplab exec` shell) keeps an
	 * unmounted namespace alive, and its links with it.  A veth pair goes with its first end.  Only
	 * in the namespaces that carry the lab's mark.
	 */
	for (i = lab->nifaces - 1; i >= 0; i--) {
		const struct xl_iface *f = &lab->ifaces[i];

		if (owner[f->node] != OWNER_LAB || !ns[f->node].nl.sk)
			continue;
		err = xl_nl_link_del(&ns[f->node].nl, f->name);
		if (!err) {
			links++;
			if (o->verbose)
				printf("  removed interface %s:%s\n", lab->nodes[f->node].name, f->name);
		} else if (err != -ENODEV) {
			xl_fail(err, "cannot remove %s:%s: %s", lab->nodes[f->node].name, f->name, xl_errmsg());
			down_note(&d, err);
		}
	}
	for (i = lab->nnodes - 1; i >= 0; i--) {
		const char *name = lab->nodes[i].ns;

		if (owner[i] == OWNER_LAB) {
			xl_ns_close(&ns[i]);
			err = xl_netns_delete(name);
			if (!err) {
				spaces++;
				if (o->verbose)
					printf("  removed namespace %s\n", name);
			} else if (err != -ENOENT) {
				down_note(&d, err);
			}
		} else if (owner[i] == OWNER_HALF) {
			err = xl_netns_remove_half(name);
			if (!err) {
				halves++;
				if (o->verbose)
					printf("  removed half-made entry %s/%s\n", XL_NETNS_DIR, name);
			} else {
				owner[i] = OWNER_OTHER;		/* listed as left alone below */
				others++;
				down_note(&d, err);
			}
		}
	}
	for (i = 0; i < XL_MAX_NODES; i++)
		xl_ns_close(&ns[i]);
	free(ns);

	/* stdout says what was done and what was not, in agreement with the exit status. */
	if (d.failed)
		printf("lab %s is not fully down: removed", lab->name);
	else if (spaces || links || halves)
		printf("lab %s is down: removed", lab->name);
	else
		printf("lab %s was not up: nothing to remove", lab->name);
	if (d.failed || spaces || links || halves)
		printf(" %d namespace%s and %d interface%s (a veth pair counts once)", spaces, spaces == 1 ? "" : "s",
		       links, links == 1 ? "" : "s");
	if (halves) {
		printf(", and %d half-made entr%s (", halves, halves == 1 ? "y" : "ies");
		print_nodes(lab, owner, OWNER_HALF);
		printf(")");
	}
	if (d.failed)
		printf("; %d removal%s failed (see the errors)", d.failed, d.failed == 1 ? "" : "s");
	if (others) {
		printf("; left alone (why: on stderr): ");
		print_nodes(lab, owner, OWNER_OTHER);
	}
	printf("\n");
	fflush(stdout);		/* while SIGPIPE is still ignored */
	signals_restore(old);
	if (stop_signal)
		fprintf(stderr, "xdplab: down: %s arrived: the removal was finished first\n", signame(stop_signal));
	if (d.failed)
		return xl_fail(d.first, "lab %s is not fully down: %d removal%s failed (see above)", lab->name, d.failed,
			       d.failed == 1 ? "" : "s");
	return 0;
}
