// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * `xdplab show`: what exists, per node and per link, as text or JSON.  With a lab file, every
 * interface is compared with what the file asks for; without one, the labs are found by the alias
 * `xdplab up` puts on each node's lo ("xdplab:LAB:NODE").
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "lab.h"
#include "netns.h"
#include "state.h"

#define MAX_DIFFS 16
#define MAX_SCAN  4096	/* entries of /run/netns looked at */

struct view_node {
	char name[XL_NODE_NAME_MAX + 1];
	char ns[XL_NS_NAME_MAX + 1];
};

/* What was found of each declared interface, for the links section. */
struct seen {
	bool present;
	int ifindex;
	int link;
};

/* A macvlan found without a file. */
struct found_macvlan {
	char node[XL_NODE_NAME_MAX + 1];
	char name[IFNAMSIZ];
	char parent[IFNAMSIZ];
	int mode;
};

struct show {
	const struct xl_lab *lab;	/* NULL: labs found by their mark */
	const struct xl_opts *o;
	struct xl_ns_state *st;
	struct seen seen[XL_MAX_IFACES];
	struct found_macvlan mv[XL_MAX_IFACES];
	int nmv;
	int nodes_present, ifaces_bad;
	int nodes_foreign;		/* with a file: present, but without the lab's mark */
};

static bool has_addr(const struct xl_link_state *s, const struct xl_addr *a)
{
	for (int k = 0; k < s->naddrs; k++)
		if (s->addrs[k].family == a->family && !strcmp(s->addrs[k].text, a->text))
			return true;
	return false;
}

/* How @s differs from what the file asks of interface @i. */
static int diff(const struct xl_lab *lab, int i, const struct xl_link_state *s, char d[MAX_DIFFS][96])
{
	const struct xl_iface *f = &lab->ifaces[i];
	char m1[18], m2[18];
	int n = 0;

#define ADD(...) (n < MAX_DIFFS ? snprintf(d[n++], 96, __VA_ARGS__) : 0)
	if (strcmp(s->kind, xl_kind_str(f->kind)))
		ADD("kind %s (file: %s)", s->kind[0] ? s->kind : "none", xl_kind_str(f->kind));
	if (f->mtu && s->mtu != f->mtu)
		ADD("mtu %u (file: %u)", s->mtu, f->mtu);
	if (f->queues && (s->rx_queues != f->queues || s->tx_queues != f->queues))
		ADD("queues %u/%u (file: %u)", s->rx_queues, s->tx_queues, f->queues);
	else if (f->queues && s->usable_rx >= 0 && (s->usable_rx != (int)f->queues || s->usable_tx != (int)f->queues))
		ADD("usable queues %d/%d (file: %u)", s->usable_rx, s->usable_tx, f->queues);
	if (f->has_mac && (!s->has_mac || memcmp(s->mac, f->mac, 6)))
		ADD("mac %s (file: %s)", s->has_mac ? xl_mac_str(s->mac, m1) : "none", xl_mac_str(f->mac, m2));
	if (f->gro && s->gro == 0)
		ADD("gro off (file: gro)");
	if (!s->up)
		ADD("down (xdplab up brings every interface up)");
	if (f->kind == XL_MACVLAN) {
		if (s->mode != (int)f->mode)
			ADD("mode %s (file: %s)", s->mode >= 0 ? xl_macvlan_mode_str(s->mode) : "none",
			    xl_macvlan_mode_str(f->mode));
		if (strcmp(s->parent, lab->ifaces[f->parent].name))
			ADD("parent %s (file: %s)", s->parent[0] ? s->parent : "none", lab->ifaces[f->parent].name);
	}
	if (f->master >= 0 && strcmp(s->master_name, lab->ifaces[f->master].name))
		ADD("%s (file: a port of %s)", s->master_name[0] ? s->master_name : "not a port of a bridge",
		    lab->ifaces[f->master].name);
	for (int k = 0; k < f->naddrs; k++)
		if (!has_addr(s, &f->addrs[k]))
			ADD("no address %s", f->addrs[k].text);
#undef ADD
	return n;
}

static void print_iface(const struct show *sh, bool *first, const char *name, const char *file_kind,
			const struct xl_link_state *s, bool declared, char d[MAX_DIFFS][96], int nd)
{
	char mac[18];

	if (sh->o->json) {
		printf("%s\n        {\"name\": ", *first ? "" : ",");
		*first = false;
		xl_jstr(name);
		printf(", \"declared\": %s, \"present\": %s, \"status\": \"%s\", \"kind\": ", declared ? "true" : "false",
		       s ? "true" : "false", !s ? "missing" : !declared ? "extra" : nd ? "differs" : "ok");
		xl_jstr(s ? s->kind : file_kind);
		if (s) {
			printf(", \"ifindex\": %d, \"up\": %s, \"carrier\": %s, \"mtu\": %u, \"mac\": ", s->ifindex,
			       s->up ? "true" : "false", s->carrier ? "true" : "false", s->mtu);
			if (s->has_mac)
				xl_jstr(xl_mac_str(s->mac, mac));
			else
				printf("null");
			printf(", \"rx_queues\": %u, \"tx_queues\": %u", s->rx_queues, s->tx_queues);
			if (s->usable_rx >= 0)
				printf(", \"usable_rx_queues\": %d, \"usable_tx_queues\": %d", s->usable_rx, s->usable_tx);
			else
				printf(", \"usable_rx_queues\": null, \"usable_tx_queues\": null");
			printf(", \"gro\": %s", s->gro < 0 ? "null" : s->gro ? "true" : "false");
			if (s->master_name[0]) {
				printf(", \"master\": ");
				xl_jstr(s->master_name);
			}
			if (s->mode >= 0) {
				printf(", \"parent\": ");
				xl_jstr(s->parent);
				printf(", \"mode\": \"%s\"", xl_macvlan_mode_str(s->mode));
			}
			printf(", \"addresses\": [");
			for (int k = 0; k < s->naddrs; k++) {
				printf("%s", k ? ", " : "");
				xl_jstr(s->addrs[k].text);
			}
			printf("]");
		}
		printf(", \"differences\": [");
		for (int k = 0; k < nd; k++) {
			printf("%s", k ? ", " : "");
			xl_jstr(d[k]);
		}
		printf("]}");
		return;
	}
	if (!s) {
		printf("    %-15s %-8s MISSING\n", name, file_kind);
		return;
	}
	printf("    %-15s %-8s %-4s mtu %-5u queues %u/%u", s->name, s->kind[0] ? s->kind : "-", s->up ? "up" : "down",
	       s->mtu, s->rx_queues, s->tx_queues);
	if (s->usable_rx >= 0 && (s->usable_rx != (int)s->rx_queues || s->usable_tx != (int)s->tx_queues))
		printf(" (usable %d/%d)", s->usable_rx, s->usable_tx);
	if (s->has_mac)
		printf("  mac %s", xl_mac_str(s->mac, mac));
	if (s->gro >= 0)
		printf("  gro %s", s->gro ? "on" : "off");
	if (s->mode >= 0)
		printf("  %s on %s", xl_macvlan_mode_str(s->mode), s->parent);
	if (s->master_name[0])
		printf("  port of %s", s->master_name);
	for (int k = 0; k < s->naddrs; k++)
		printf("  %s", s->addrs[k].text);
	printf("%s\n", declared ? "" : "  (not in the file)");
	if (nd) {
		printf("      differs:");
		for (int k = 0; k < nd; k++)
			printf(" %s%s", d[k], k + 1 < nd ? ";" : "");
		printf("\n");
	}
}

static void show_node(struct show *sh, int node, const struct view_node *vn, bool first_node)
{
	const struct xl_lab *lab = sh->lab;
	struct xl_ns_state *st = sh->st;
	char d[MAX_DIFFS][96];
	bool first = true, foreign;
	int err;

	err = xl_state_read(vn->ns, st);
	/* A namespace with a node's name but without its mark is someone else's: not a part of the lab,
	 * whose interfaces are not the lab's to compare (down leaves it alone, up refuses to build). */
	foreign = lab && st->present && !err && strcmp(st->alias, XL_MARK(lab, node));
	sh->nodes_present += st->present && !foreign;
	sh->nodes_foreign += foreign;
	if (sh->o->json) {
		printf("%s\n      {\"name\": ", first_node ? "" : ",");
		xl_jstr(vn->name);
		printf(", \"netns\": ");
		xl_jstr(vn->ns);
		printf(", \"present\": %s, \"made_by_lab\": %s", st->present ? "true" : "false",
		       st->present && !foreign ? "true" : "false");
		if (err) {
			printf(", \"error\": ");
			xl_jstr(xl_errmsg());
		}
		printf(", \"interfaces\": [");
	} else {
		printf("  node %s: netns %s%s", vn->name, vn->ns, st->present ? "" : err ? "  UNREADABLE" : "  MISSING");
		if (foreign)
			printf("  NOT MADE BY THIS LAB (its lo carries no %s mark): left out", XL_MARK(lab, node));
		printf("\n");
		if (err)
			printf("    cannot read it: %s\n", xl_errmsg());
		if (st->truncated && !foreign)
			printf("    (more interfaces or addresses than xdplab shows)\n");
	}
	if (foreign) {
		if (sh->o->json)
			printf("]}");
		return;
	}
	for (int i = 0; lab && i < lab->nifaces; i++) {
		const struct xl_iface *f = &lab->ifaces[i];
		const struct xl_link_state *s;
		int nd = 0;

		if (f->node != node)
			continue;
		s = st->present ? xl_state_link(st, f->name) : NULL;
		if (s) {
			nd = diff(lab, i, s, d);
			sh->seen[i] = (struct seen){ .present = true, .ifindex = s->ifindex, .link = s->link };
		}
		sh->ifaces_bad += !s || nd;
		print_iface(sh, &first, f->name, xl_kind_str(f->kind), s, true, d, nd);
	}
	for (int k = 0; k < st->nlinks; k++) {
		const struct xl_link_state *s = &st->links[k];

		if (!strcmp(s->name, "lo") || (lab && xl_lab_iface(lab, node, s->name) >= 0))
			continue;
		print_iface(sh, &first, s->name, s->kind, s, !lab, d, 0);
		if (!lab && s->mode >= 0 && sh->nmv < XL_MAX_IFACES) {
			struct found_macvlan *m = &sh->mv[sh->nmv++];

			snprintf(m->node, sizeof(m->node), "%s", vn->name);
			snprintf(m->name, sizeof(m->name), "%s", s->name);
			snprintf(m->parent, sizeof(m->parent), "%s", s->parent);
			m->mode = s->mode;
		}
	}
	if (sh->o->json)
		printf("%s]}", first ? "" : "\n      ");
}

/* The links section; returns how many it printed. */
static int show_links(struct show *sh)
{
	const struct xl_lab *lab = sh->lab;
	bool first = true;

	if (!sh->o->json)
		printf("  links\n");
	for (int i = 0; lab && i < lab->nifaces; i++) {
		const struct xl_iface *f = &lab->ifaces[i];
		const char *na = lab->nodes[f->node].name;
		char a[40], b[40];

		if (f->kind == XL_VETH && f->peer > i) {
			const struct seen *sa = &sh->seen[i], *sb = &sh->seen[f->peer];
			bool present = sa->present && sb->present;
			/* IFLA_LINK of a veth end is its peer's ifindex, in the peer's namespace. */
			bool paired = present && sa->link == sb->ifindex && sb->link == sa->ifindex;

			snprintf(a, sizeof(a), "%s:%s", na, f->name);
			snprintf(b, sizeof(b), "%s:%s", lab->nodes[lab->ifaces[f->peer].node].name, lab->ifaces[f->peer].name);
			if (sh->o->json) {
				printf("%s\n      {\"kind\": \"veth\", \"ends\": [", first ? "" : ",");
				xl_jstr(a);
				printf(", ");
				xl_jstr(b);
				printf("], \"present\": %s, \"paired\": %s}", present ? "true" : "false", paired ? "true" : "false");
			} else {
				char what[96];

				snprintf(what, sizeof(what), "%s -- %s", a, b);
				printf("    veth     %-34s %s\n", what,
				       !present ? "MISSING" : paired ? "ok" : "both ends exist but are not peers");
			}
			first = false;
		} else if (f->kind == XL_BRIDGE) {
			char ports[96] = "";

			for (int p = 0; p < lab->nifaces; p++)
				if (lab->ifaces[p].master == i && strlen(ports) + IFNAMSIZ + 2 < sizeof(ports))
					snprintf(ports + strlen(ports), sizeof(ports) - strlen(ports), "%s%s", ports[0] ? " " : "",
						 lab->ifaces[p].name);
			snprintf(a, sizeof(a), "%s:%s", na, f->name);
			if (sh->o->json) {
				printf("%s\n      {\"kind\": \"bridge\", \"name\": ", first ? "" : ",");
				xl_jstr(a);
				printf(", \"ports\": ");
				xl_jstr(ports);
				printf(", \"present\": %s}", sh->seen[i].present ? "true" : "false");
			} else {
				char what[160];

				snprintf(what, sizeof(what), "%s ports %s", a, ports);
				printf("    bridge   %-34s %s\n", what, sh->seen[i].present ? "ok" : "MISSING");
			}
			first = false;
		} else if (f->kind == XL_MACVLAN) {
			snprintf(a, sizeof(a), "%s:%s", na, f->name);
			snprintf(b, sizeof(b), "%s:%s", na, lab->ifaces[f->parent].name);
			if (sh->o->json) {
				printf("%s\n      {\"kind\": \"macvlan\", \"name\": ", first ? "" : ",");
				xl_jstr(a);
				printf(", \"parent\": ");
				xl_jstr(b);
				printf(", \"mode\": \"%s\", \"present\": %s}", xl_macvlan_mode_str(f->mode),
				       sh->seen[i].present ? "true" : "false");
			} else {
				char what[96];

				snprintf(what, sizeof(what), "%s on %s (%s)", a, b, xl_macvlan_mode_str(f->mode));
				printf("    macvlan  %-34s %s\n", what, sh->seen[i].present ? "ok" : "MISSING");
			}
			first = false;
		}
	}
	for (int k = 0; !lab && k < sh->nmv; k++) {
		const struct found_macvlan *m = &sh->mv[k];
		char a[40], b[40];

		snprintf(a, sizeof(a), "%s:%s", m->node, m->name);
		snprintf(b, sizeof(b), "%s:%s", m->node, m->parent);
		if (sh->o->json) {
			printf("%s\n      {\"kind\": \"macvlan\", \"name\": ", first ? "" : ",");
			xl_jstr(a);
			printf(", \"parent\": ");
			xl_jstr(b);
			printf(", \"mode\": \"%s\", \"present\": true}", xl_macvlan_mode_str(m->mode));
		} else {
			printf("    macvlan  %s on %s (%s)\n", a, b, xl_macvlan_mode_str(m->mode));
		}
		first = false;
	}
	if (!sh->o->json && first)
		printf("    %s\n", lab ? "none" : "(veth pairs are matched only with the lab file: xdplab show FILE)");
	return !first;
}

/* One lab: its nodes, its links, its state. */
static void show_lab(struct show *sh, const char *name, const char *file, const struct view_node *nodes, int nnodes,
		     bool first_lab)
{
	const char *state;
	int links;

	sh->nodes_present = sh->ifaces_bad = sh->nodes_foreign = 0;
	sh->nmv = 0;
	memset(sh->seen, 0, sizeof(sh->seen));
	if (sh->o->json) {
		printf("%s\n  {\"name\": ", first_lab ? "" : ",");
		xl_jstr(name);
		printf(", \"file\": ");
		if (file)
			xl_jstr(file);
		else
			printf("null");
		printf(", \"nodes\": [");
	} else {
		printf("lab %s%s%s%s\n", name, file ? " (" : "", file ? file : "", file ? ")" : "");
	}
	for (int k = 0; k < nnodes; k++)
		show_node(sh, sh->lab ? k : -1, &nodes[k], k == 0);
	if (sh->o->json)
		printf("%s],\n    \"links\": [", nnodes ? "\n    " : "");
	links = show_links(sh);
	if (sh->nodes_foreign)
		state = "blocked";
	else if (!sh->nodes_present)
		state = "down";
	else if (sh->nodes_present == nnodes && !sh->ifaces_bad)
		state = "up";
	else
		state = "partial";
	if (sh->o->json)
		printf("%s],\n    \"state\": \"%s\"}", links ? "\n    " : "", state);
	else
		printf("  state: %s\n", !strcmp(state, "up") ? (sh->lab ? "up, as the file says" : "up")
			: !strcmp(state, "down") ? "down (no namespace of the lab exists)"
			: !strcmp(state, "blocked") ? "blocked (a namespace with the name of a node was not made by this lab: "
						      "'up' refuses and 'down' leaves it alone; give the lab another name)"
			: "partial (see MISSING and differs above; 'xdplab down' then 'up' rebuilds it)");
}

struct found {
	char lab[XL_LAB_NAME_MAX + 1];
	struct view_node node;
};

static int found_cmp(const void *a, const void *b)
{
	const struct found *x = a, *y = b;
	int c = strcmp(x->lab, y->lab);

	return c ? c : strcmp(x->node.name, y->node.name);
}

/* "xdplab:LAB:NODE" on the lo of namespace LAB-NODE. */
static bool parse_mark(const char *ns, const char *alias, struct found *f)
{
	const size_t len = sizeof(XL_MARK_PREFIX) - 1;
	const char *p = alias + len, *colon;
	size_t n;

	if (strncmp(alias, XL_MARK_PREFIX, len) || !(colon = strchr(p, ':')))
		return false;
	n = (size_t)(colon - p);
	if (n > XL_LAB_NAME_MAX)
		return false;
	memcpy(f->lab, p, n);
	f->lab[n] = '\0';
	snprintf(f->node.name, sizeof(f->node.name), "%s", colon + 1);
	if (!xl_lab_name_ok(f->lab) || !xl_node_name_ok(colon + 1) || strlen(ns) > XL_NS_NAME_MAX)
		return false;
	snprintf(f->node.ns, sizeof(f->node.ns), "%s", ns);
	return strlen(ns) == n + 1 + strlen(f->node.name) && !strncmp(ns, f->lab, n) && ns[n] == '-';
}

static int show_found(struct show *sh)
{
	struct found *f = calloc(MAX_SCAN, sizeof(*f));
	struct view_node *nodes = calloc(XL_MAX_NODES, sizeof(*nodes));
	struct dirent *e;
	int n = 0, labs = 0, err = 0;
	DIR *d = NULL;

	if (!f || !nodes) {
		err = xl_fail(-ENOMEM, "out of memory");
		goto out;
	}
	d = opendir(XL_NETNS_DIR);
	if (!d && errno != ENOENT) {
		err = xl_fail(-errno, "cannot list %s: %s", XL_NETNS_DIR, strerror(errno));
		goto out;
	}
	for (int k = 0; d && k < MAX_SCAN && (e = readdir(d)); k++) {
		if (e->d_name[0] == '.' || xl_state_read(e->d_name, sh->st) || !sh->st->present)
			continue;	/* not ours to explain: a namespace we cannot read is someone else's */
		if (parse_mark(e->d_name, sh->st->alias, &f[n]))
			n++;
	}
	qsort(f, (size_t)n, sizeof(*f), found_cmp);
	if (sh->o->json)
		printf("{\"labs\": [");
	for (int i = 0; i < n;) {
		int j, k = 0;

		for (j = i; j < n && !strcmp(f[j].lab, f[i].lab); j++)
			if (k < XL_MAX_NODES)
				nodes[k++] = f[j].node;
		show_lab(sh, f[i].lab, NULL, nodes, k, labs++ == 0);
		i = j;
	}
	if (sh->o->json)
		printf("%s]}\n", labs ? "\n" : "");
	else if (!labs)
		printf("no lab is up (no namespace in %s carries an xdplab mark)\n", XL_NETNS_DIR);
out:
	if (d)
		closedir(d);
	free(nodes);
	free(f);
	return err;
}

int xl_show(const struct xl_lab *lab, const struct xl_opts *o)
{
	struct show *sh = calloc(1, sizeof(*sh));
	int err = 0;

	if (!sh || !(sh->st = malloc(sizeof(*sh->st)))) {
		free(sh);
		return xl_fail(-ENOMEM, "out of memory");
	}
	sh->lab = lab;
	sh->o = o;
	if (lab) {
		struct view_node nodes[XL_MAX_NODES];

		for (int k = 0; k < lab->nnodes; k++) {
			memcpy(nodes[k].name, lab->nodes[k].name, sizeof(nodes[k].name));
			memcpy(nodes[k].ns, lab->nodes[k].ns, sizeof(nodes[k].ns));
		}
		if (o->json)
			printf("{\"labs\": [");
		show_lab(sh, lab->name, lab->file, nodes, lab->nnodes, true);
		if (o->json)
			printf("\n]}\n");
	} else {
		err = show_found(sh);
	}
	free(sh->st);
	free(sh);
	return err;
}
