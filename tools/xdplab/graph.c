// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * `xdplab graph`: the lab as a picture, from the file alone (nothing needs to be up).  Each node is
 * a cluster of its interfaces (name, kind, addresses, what is set on it) with its routes and
 * sysctls in a note; veth pairs are solid edges, macvlans dashed to their parent, bridge ports
 * dotted to their bridge, and each route's next hop an arrow to the interface that owns the
 * gateway.  DOT on stdout or in a .dot/.gv file; SVG and PNG through Graphviz's dot.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "lab.h"

#define DOT_TIMEOUT_MS 30000	/* Graphviz on a lab's few hundred objects takes well under a second */

/* @s inside a DOT string: quotes and backslashes escaped. */
static void dstr(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
}

static void iface_label(FILE *f, const struct xl_lab *lab, int i)
{
	const struct xl_iface *x = &lab->ifaces[i];
	char mac[18];

	fprintf(f, "<<b>%s</b> %s", x->name, xl_kind_str(x->kind));
	if (x->kind == XL_MACVLAN)
		fprintf(f, " %s", xl_macvlan_mode_str(x->mode));
	for (int k = 0; k < x->naddrs; k++)
		fprintf(f, "<br/>%s", x->addrs[k].text);
	if (x->has_mac)
		fprintf(f, "<br/><font point-size=\"8\">%s</font>", xl_mac_str(x->mac, mac));
	fprintf(f, "<br/><font point-size=\"8\">mtu %u", xl_lab_mtu(lab, i));
	if (x->queues)
		fprintf(f, ", %u queues", x->queues);
	if (xl_lab_gro(lab, i))
		fprintf(f, ", gro");
	if (x->threaded)
		fprintf(f, ", threaded");
	for (int k = 0; k < x->noffloads; k++)
		fprintf(f, ", %s %s", x->offloads[k].name, x->offloads[k].on ? "on" : "off");
	if (x->rate) {
		static const char *const units[] = { "bit", "kbit", "mbit", "gbit" };
		unsigned long long r = x->rate;
		int u = 0;

		for (; u < 3 && r % 1000 == 0; u++)
			r /= 1000;
		fprintf(f, ", rate %llu%s", r, units[u]);
	}
	if (x->delay_us)
		fprintf(f, ", delay %u us", x->delay_us);
	if (x->loss_ppm)
		fprintf(f, ", loss %u.%04u%%", x->loss_ppm / 10000, x->loss_ppm % 10000);
	fprintf(f, "</font>>");
}

/* One line of node @n's note: the note's start before the first, a left-justified break between. */
static void note_line(FILE *f, const struct xl_lab *lab, int n, int *lines, const char *what, const char *text)
{
	if (!(*lines)++)
		fprintf(f, "    \"n:%s:note\" [shape=note, fontsize=9, label=\"", lab->nodes[n].name);
	else
		fprintf(f, "\\l");
	fprintf(f, "%s ", what);
	dstr(f, text);
}

/* The node's routes, sysctls and exec lines, in a note inside its cluster; 0 when it has none. */
static int node_note(FILE *f, const struct xl_lab *lab, int n)
{
	char kv[2 * XL_SYSCTL_MAX + 2];
	int lines = 0;

	for (int k = 0; k < lab->nroutes; k++)
		if (lab->routes[k].node == n)
			note_line(f, lab, n, &lines, "route", lab->routes[k].text);
	for (int k = 0; k < lab->nsysctls; k++)
		if (lab->sysctls[k].node == n) {
			snprintf(kv, sizeof(kv), "%s=%s", lab->sysctls[k].key, lab->sysctls[k].value);
			note_line(f, lab, n, &lines, "sysctl", kv);
		}
	for (int k = 0; k < lab->nexecs; k++)
		if (lab->execs[k].node == n)
			note_line(f, lab, n, &lines, "exec", lab->execs[k].text);
	if (lines)
		fprintf(f, "\\l\"];\n");
	return lines;
}

static void write_dot(FILE *f, const struct xl_lab *lab)
{
	char a[XL_END_MAX], b[XL_END_MAX], dst[64];
	bool note[XL_MAX_NODES];

	fprintf(f, "graph \"%s\" {\n", lab->name);
	fprintf(f, "  graph [label=\"lab %s\", labelloc=t, fontname=\"Helvetica\", rankdir=LR, nodesep=0.3];\n",
		lab->name);
	fprintf(f, "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#f4f4f4\", fontname=\"Helvetica\", "
		   "fontsize=10];\n");
	fprintf(f, "  edge [fontname=\"Helvetica\", fontsize=9];\n");
	for (int n = 0; n < lab->nnodes; n++) {
		fprintf(f, "  subgraph \"cluster_%s\" {\n    label=\"%s (%s)\"; style=rounded; color=\"#607080\";\n",
			lab->nodes[n].name, lab->nodes[n].name, lab->nodes[n].ns);
		int ifaces = 0;

		for (int i = 0; i < lab->nifaces; i++)
			if (lab->ifaces[i].node == n) {
				ifaces++;
				fprintf(f, "    \"%s\" [label=", xl_lab_end(lab, i, a));
				iface_label(f, lab, i);
				fprintf(f, "%s];\n", lab->ifaces[i].kind == XL_BRIDGE ? ", fillcolor=\"#e4ecf7\"" : "");
			}
		note[n] = node_note(f, lab, n) > 0;
		/* A node with nothing in it still shows: Graphviz drops an empty cluster. */
		if (!note[n] && !ifaces)
			fprintf(f, "    \"n:%s\" [label=\"no interface\", shape=plaintext];\n", lab->nodes[n].name);
		fprintf(f, "  }\n");
	}
	for (int i = 0; i < lab->nifaces; i++) {
		const struct xl_iface *x = &lab->ifaces[i];

		xl_lab_end(lab, i, a);
		if (x->kind == XL_VETH && x->peer > i)
			fprintf(f, "  \"%s\" -- \"%s\" [label=\"veth\", penwidth=2];\n", a, xl_lab_end(lab, x->peer, b));
		if (x->kind == XL_MACVLAN)
			fprintf(f, "  \"%s\" -- \"%s\" [label=\"macvlan\", style=dashed];\n", a, xl_lab_end(lab, x->parent, b));
		if (x->master >= 0)
			fprintf(f, "  \"%s\" -- \"%s\" [label=\"port\", style=dotted];\n", a, xl_lab_end(lab, x->master, b));
	}
	/* Next hops: from the node's note to the interface that has the gateway's address. */
	for (int k = 0; k < lab->nroutes; k++) {
		const struct xl_route *r = &lab->routes[k];
		int to = r->has_via ? xl_lab_owner(lab, -1, r->family, r->via) : -1;

		bool seen = false;

		if (to < 0 || !note[r->node])
			continue;
		/* The IPv4 and the IPv6 default through one router: one arrow. */
		for (int j = 0; j < k && !r->prefix; j++)
			seen |= lab->routes[j].node == r->node && !lab->routes[j].prefix && lab->routes[j].has_via &&
				xl_lab_owner(lab, -1, lab->routes[j].family, lab->routes[j].via) == to;
		if (seen)
			continue;
		fprintf(f, "  \"n:%s:note\" -- \"%s\" [dir=forward, style=dashed, color=\"#3060c0\", fontcolor=\"#3060c0\", "
			   "constraint=false, label=\"%s", lab->nodes[r->node].name, xl_lab_end(lab, to, a),
			r->prefix ? xl_ip_str(r->family, r->dst, dst) : "default");
		fprintf(f, r->prefix ? "/%u\"];\n" : "\"];\n", r->prefix);
	}
	fprintf(f, "}\n");
}

/* "svg", "png" for a file Graphviz writes; NULL for DOT; "" for an extension we do not write. */
static const char *format_of(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (!dot || strchr(dot, '/'))
		return "";
	if (!strcmp(dot, ".dot") || !strcmp(dot, ".gv"))
		return NULL;
	if (!strcmp(dot, ".svg"))
		return "svg";
	if (!strcmp(dot, ".png"))
		return "png";
	return "";
}

/* Pipe the DOT into `dot -TFMT -o OUT` and wait for it (bounded). */
static int render(const struct xl_lab *lab, const char *fmt, const char *out)
{
	char type[16];
	int pipefd[2], st = 0;
	long waited = 0;
	pid_t pid, w;
	FILE *f;

	snprintf(type, sizeof(type), "-T%s", fmt);
	if (pipe2(pipefd, O_CLOEXEC))
		return xl_fail(-errno, "cannot make a pipe for Graphviz: %s", strerror(errno));
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return xl_fail(-errno, "cannot start Graphviz: fork: %s", strerror(errno));
	}
	if (pid == 0) {
		dup2(pipefd[0], STDIN_FILENO);
		execlp("dot", "dot", type, "-o", out, (char *)NULL);
		_exit(errno == ENOENT ? 127 : 126);
	}
	close(pipefd[0]);
	signal(SIGPIPE, SIG_IGN);	/* a dot that died early must not kill us while we write */
	f = fdopen(pipefd[1], "w");
	if (f) {
		write_dot(f, lab);
		fclose(f);
	} else {
		close(pipefd[1]);
	}
	while ((w = waitpid(pid, &st, WNOHANG)) == 0 && waited < DOT_TIMEOUT_MS) {
		nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000000 }, NULL);
		waited += 10;
	}
	if (w == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		return xl_fail(-ETIMEDOUT, "Graphviz's dot did not finish within %d s: stopped it", DOT_TIMEOUT_MS / 1000);
	}
	if (w < 0)
		return xl_fail(-errno, "cannot wait for Graphviz's dot: %s", strerror(errno));
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
		return xl_fail(-ENOENT, "writing %s needs Graphviz's dot, which is not installed (Debian package graphviz; "
			       "'make deps' installs it); 'xdplab graph FILE > lab.dot' needs nothing", out);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		return xl_fail(-EIO, "Graphviz's dot could not write %s (exit status %d, see its message above)", out,
			       WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	return 0;
}

int xl_graph(const struct xl_lab *lab, const struct xl_opts *o)
{
	const char *fmt;
	FILE *f;
	int err = 0;

	if (!o->out) {
		write_dot(stdout, lab);
		return fflush(stdout) ? xl_fail(-errno, "cannot write the graph: %s", strerror(errno)) : 0;
	}
	fmt = format_of(o->out);
	if (fmt && !fmt[0])
		return xl_fail(-EINVAL, "cannot tell what to write from the name %s: end it in .dot or .gv (DOT), .svg or "
			       ".png", o->out);
	if (fmt)
		return render(lab, fmt, o->out);
	f = fopen(o->out, "we");
	if (!f)
		return xl_fail(-errno, "cannot create %s: %s", o->out, strerror(errno));
	write_dot(f, lab);
	if (ferror(f))
		err = xl_fail(-EIO, "cannot write %s", o->out);
	if (fclose(f) && !err)
		err = xl_fail(-errno, "cannot write %s: %s", o->out, strerror(errno));
	return err;
}
