// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * `xdplab down`, and whose a node's /run/netns entry is (what up refuses on and down removes).
 *
 * down removes, of each node's /run/netns entry, only what up made: a namespace that carries its
 * mark, and a half-made entry (see xlb_node_owner()).  It does not stop halfway on a signal.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build.h"
#include "cmd.h"
#include "lab.h"
#include "netns.h"
#include "nl.h"

/*
 * Look at node @i's entry under /run/netns: an enum xlb_owner, or -errno when it is a namespace whose
 * mark cannot be read (then whether it is ours is unknown, and it is treated as not ours).  XLB_OWNER_LAB
 * leaves @ns (initialised by the caller) open on it; XLB_OWNER_HALF, XLB_OWNER_OTHER and -errno set
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
int xlb_node_owner(const struct xl_lab *lab, int i, struct xl_ns *ns)
{
	const struct xl_node *n = &lab->nodes[i];
	char what[200], alias[64];
	int err;

	switch (xl_netns_probe(n->ns, what, sizeof(what))) {
	case XL_NETNS_ABSENT:
		return XLB_OWNER_NONE;
	case XL_NETNS_HALF:
		xl_err("%s/%s is a half-made entry (%s)", XL_NETNS_DIR, n->ns, what);
		return XLB_OWNER_HALF;
	case XL_NETNS_OTHER:
		xl_err("%s/%s is not a network namespace: %s", XL_NETNS_DIR, n->ns, what);
		return XLB_OWNER_OTHER;
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
		return XLB_OWNER_LAB;
	xl_ns_close(ns);
	xl_err("namespace %s exists but was not made by lab %s (its lo carries no %s mark)", n->ns, lab->name,
	       XL_MARK(lab, i));
	return XLB_OWNER_OTHER;
}

/*
 * up builds only where none of the lab's names is taken.  When one is, say by what, and advise down
 * only for what down removes (this lab's namespaces, half-made entries): what someone else made is
 * never to be removed, the way out is another lab name.  Someone else's is reported first, since
 * down would not clear it.
 */
int xlb_check_free(const struct xl_lab *lab)
{
	char first[XL_NS_NAME_MAX + 1] = "", half[512] = "";
	struct xl_ns ns;
	int own;

	for (int i = 0; i < lab->nnodes; i++) {
		xl_ns_init(&ns);
		own = xlb_node_owner(lab, i, &ns);
		xl_ns_close(&ns);
		if (own < 0)
			return xl_fail(own, "node %s: %s", lab->nodes[i].name, xl_errmsg());
		if (own == XLB_OWNER_OTHER)
			return xl_fail(-EEXIST, "%s:%d: %s; xdplab leaves it alone: give the lab another name on this line",
				       lab->file, lab->name_line, xl_errmsg());
		if (own == XLB_OWNER_LAB && !first[0])
			snprintf(first, sizeof(first), "%s", lab->nodes[i].ns);
		if (own == XLB_OWNER_HALF && !half[0])
			snprintf(half, sizeof(half), "%s", xl_errmsg());
	}
	if (first[0])
		return xl_fail(-EEXIST, "lab %s is already up (namespace %s exists): 'xdplab down %s' removes it", lab->name,
			       first, lab->file);
	if (half[0])
		return xl_fail(-EEXIST, "%s: 'xdplab down %s' removes it", half, lab->file);
	return 0;
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
	struct sigaction old[XLB_NSIGNALS];
	struct down d = { 0 };
	struct xl_ns *ns;

	ns = calloc(XL_MAX_NODES, sizeof(*ns));
	if (!ns)
		return xl_fail(-ENOMEM, "out of memory");
	/* From here on a signal does not stop down halfway: what it found to remove, it removes. */
	xlb_signals_catch(old);
	for (i = 0; i < lab->nnodes; i++) {
		xl_ns_init(&ns[i]);
		owner[i] = xlb_node_owner(lab, i, &ns[i]);
		if (owner[i] < 0) {
			xl_err("%s: left alone", xl_errmsg());
			down_note(&d, owner[i]);
			owner[i] = XLB_OWNER_OTHER;		/* listed as left alone below */
			others++;
		} else if (owner[i] == XLB_OWNER_OTHER) {
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

		if (owner[f->node] != XLB_OWNER_LAB || !ns[f->node].nl.sk)
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

		if (owner[i] == XLB_OWNER_LAB) {
			xl_ns_close(&ns[i]);
			err = xl_netns_delete(name);
			if (!err) {
				spaces++;
				if (o->verbose)
					printf("  removed namespace %s\n", name);
			} else if (err != -ENOENT) {
				down_note(&d, err);
			}
		} else if (owner[i] == XLB_OWNER_HALF) {
			err = xl_netns_remove_half(name);
			if (!err) {
				halves++;
				if (o->verbose)
					printf("  removed half-made entry %s/%s\n", XL_NETNS_DIR, name);
			} else {
				owner[i] = XLB_OWNER_OTHER;		/* listed as left alone below */
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
		print_nodes(lab, owner, XLB_OWNER_HALF);
		printf(")");
	}
	if (d.failed)
		printf("; %d removal%s failed (see the errors)", d.failed, d.failed == 1 ? "" : "s");
	if (others) {
		printf("; left alone (why: on stderr): ");
		print_nodes(lab, owner, XLB_OWNER_OTHER);
	}
	printf("\n");
	fflush(stdout);		/* while SIGPIPE is still ignored */
	xlb_signals_restore(old);
	if (xlb_stop_signal)
		fprintf(stderr, "xdplab: down: %s arrived: the removal was finished first\n", xlb_signame(xlb_stop_signal));
	if (d.failed)
		return xl_fail(d.first, "lab %s is not fully down: %d removal%s failed (see above)", lab->name, d.failed,
			       d.failed == 1 ? "" : "s");
	return 0;
}
