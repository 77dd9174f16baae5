// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * The steps of `xdplab up` for what goes on and inside the links (see build.c for their order):
 * bridge ports, offload switches, queueing disciplines, sysctls, static neighbours and routes.
 * None needs an undo entry: each lives in a link or a namespace that the undo log removes.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "build.h"
#include "lab.h"
#include "netns.h"
#include "nl.h"

int xlb_bridge_ports(struct build *b, int bridge)
{
	const struct xl_lab *lab = b->lab;
	const struct xl_iface *br = &lab->ifaces[bridge];
	struct xl_nl *nl = &b->ns[br->node].nl;
	int master, err;

	master = xl_nl_ifindex(nl, br->name);
	if (master < 0)
		return xlb_at(b, master, br->line, "cannot find bridge %s after creating it: %s", XL_END(lab, bridge),
			      xl_errmsg());
	for (int i = 0; i < lab->nifaces; i++) {
		int port;

		if (lab->ifaces[i].master != bridge)
			continue;
		if ((err = xlb_step(b, "make %s a port of bridge %s", XL_END(lab, i), XL_END(lab, bridge))))
			return err;
		port = xl_nl_ifindex(nl, lab->ifaces[i].name);
		if (port < 0 || (err = xl_nl_link_master(nl, port, master)))
			return xlb_at(b, port < 0 ? port : err, br->line, "cannot make %s a port of bridge %s: %s", XL_END(lab, i),
				      XL_END(lab, bridge), xl_errmsg());
	}
	/*
	 * The MTU given at creation is not the bridge's own to the kernel: each new port sets it back to
	 * the smallest of theirs.  Set as a change once the ports are in, it stays.
	 */
	if (!br->mtu)
		return 0;
	if ((err = xlb_step(b, "mtu %u on bridge %s", br->mtu, XL_END(lab, bridge))))
		return err;
	if ((err = xl_nl_link_mtu(nl, master, br->mtu)))
		return xlb_at(b, err, br->opt_line[XL_OPT_MTU], "cannot set mtu %u on bridge %s: %s", br->mtu,
			      XL_END(lab, bridge), xl_errmsg());
	return 0;
}

int xlb_offloads(struct build *b, int i)
{
	const struct xl_lab *lab = b->lab;
	const struct xl_iface *f = &lab->ifaces[i];
	char what[200] = "", done[512];
	int err, bad, line = f->noffloads ? f->offloads[0].line : f->line;

	if (!f->noffloads)
		return 0;
	for (int k = 0; k < f->noffloads; k++)
		snprintf(what + strlen(what), sizeof(what) - strlen(what), " %s %s", f->offloads[k].name,
			 f->offloads[k].on ? "on" : "off");
	if ((err = xlb_step(b, "offloads of %s:%s", XL_END(lab, i), what)))
		return err;
	err = xl_ethtool_offloads_set(b->ns[f->node].ioctl_fd, f->name, f->offloads, f->noffloads, &bad, done,
				      sizeof(done));
	if (err)	/* the line of the switch the kernel would not take */
		return xlb_at(b, err, bad >= 0 ? f->offloads[bad].line : line, "offloads of %s: %s", XL_END(lab, i),
			      xl_errmsg());
	if (b->o->verbose)
		printf("      changed: %s\n", done[0] ? done : "nothing (already so)");
	return 0;
}

int xlb_qdisc(struct build *b, int i)
{
	const struct xl_lab *lab = b->lab;
	const struct xl_iface *f = &lab->ifaces[i];
	struct xl_nl *nl = &b->ns[f->node].nl;
	struct rtnl_qdisc *root, *child;
	int err, ifindex, line;
	char what[160];

	if (!f->rate && !f->delay_us && !f->loss_ppm)
		return 0;
	line = f->opt_line[f->delay_us ? XL_OPT_DELAY : f->loss_ppm ? XL_OPT_LOSS : XL_OPT_RATE];
	snprintf(what, sizeof(what), "%s%s", f->delay_us || f->loss_ppm ? "netem" : "tbf",
		 (f->delay_us || f->loss_ppm) && f->rate ? " with tbf inside" : "");
	if ((err = xlb_step(b, "queueing discipline of %s: %s", XL_END(lab, i), what)))
		return err;
	ifindex = xl_nl_ifindex(nl, f->name);
	if (ifindex < 0)
		return xlb_at(b, ifindex, line, "cannot find %s: %s", XL_END(lab, i), xl_errmsg());
	if (xl_nl_qdisc(lab, i, ifindex, &root, &child))
		return xlb_at(b, -ENOMEM, line, "cannot build the queueing discipline request: out of memory");
	err = xl_nl_qdisc_add(nl, root);
	/*
	 * The kernel has no netem when it answers ENOENT for it (it is not built in and there are no
	 * modules to load): say so, and that delay and loss cannot be had here, instead of a bare
	 * "No such file or directory".
	 */
	if (err == -ENOENT && (f->delay_us || f->loss_ppm))
		xl_fail(err, "this kernel has no netem, which delay and loss need (it answered: %s); rate alone works "
			"(tbf): remove delay and loss from %s", xl_errmsg(), XL_END(lab, i));
	else if (err)
		xl_fail(err, "cannot set %s on %s: %s", what, XL_END(lab, i), xl_errmsg());
	if (!err && child && (err = xl_nl_qdisc_add(nl, child)))
		xl_fail(err, "cannot put tbf inside netem on %s: %s", XL_END(lab, i), xl_errmsg());
	if (child)
		rtnl_qdisc_put(child);
	rtnl_qdisc_put(root);
	return err ? xlb_at(b, err, line, "%s", xl_errmsg()) : 0;
}

/* ---- sysctls ------------------------------------------------------------------------------------- */

struct sysctl_write {
	const struct xl_sysctl *s;
	char path[PATH_MAX];
	int err;		/* errno of what failed */
	const char *what;	/* "open", "write" */
};

/*
 * On a thread inside the node's namespace: /proc/sys/net shows the namespace of the task that looks,
 * so the path below is the node's own (as `ip netns exec NS sysctl` sees it).
 */
static int sysctl_in_ns(void *arg)
{
	struct sysctl_write *w = arg;
	size_t len = strlen(w->s->value);
	int fd;

	fd = open(w->path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		w->err = errno;
		w->what = "open";
		return -w->err;
	}
	if (write(fd, w->s->value, len) != (ssize_t)len) {
		w->err = errno ? errno : EIO;
		w->what = "write";
	}
	close(fd);
	return -w->err;
}

/* net.ipv4.conf.eth0/100.rp_filter -> /proc/sys/net/ipv4/conf/eth0.100/rp_filter, as sysctl(8) reads keys. */
static void sysctl_path(const char *key, char *path, size_t len)
{
	size_t n = (size_t)snprintf(path, len, "/proc/sys/");

	for (const char *k = key; *k && n + 1 < len; k++)
		path[n++] = *k == '.' ? '/' : *k == '/' ? '.' : *k;
	path[n] = '\0';
}

static int set_sysctl(struct build *b, const struct xl_sysctl *s)
{
	const struct xl_lab *lab = b->lab;
	const char *node = lab->nodes[s->node].name;
	struct sysctl_write w = { .s = s };
	int err;

	if ((err = xlb_step(b, "sysctl %s=%s in node %s", s->key, s->value, node)))
		return err;
	sysctl_path(s->key, w.path, sizeof(w.path));
	err = xl_netns_run(b->ns[s->node].fd, sysctl_in_ns, &w);
	if (!err)
		return 0;
	if (!w.what)	/* the thread could not start or enter */
		return xlb_at(b, err, s->line, "cannot set sysctl %s in node %s: %s", s->key, node, xl_errmsg());
	if (w.err == ENOENT)
		return xlb_at(b, -ENOENT, s->line, "node %s has no sysctl %s (no %s in its namespace): check the key "
			      "('sysctl -a' inside a node lists them)", node, s->key, w.path);
	if (w.err == EACCES || w.err == EPERM || (w.err == EROFS))
		return xlb_at(b, -w.err, s->line, "sysctl %s cannot be set in node %s: the kernel keeps it read-only "
			      "in a namespace (%s)", s->key, node, strerror(w.err));
	if (w.err == EINVAL || w.err == ERANGE)
		return xlb_at(b, -w.err, s->line, "the kernel refused value '%s' for sysctl %s in node %s (%s)", s->value,
			      s->key, node, strerror(w.err));
	return xlb_at(b, -w.err, s->line, "cannot %s %s in node %s: %s", w.what, w.path, node, strerror(w.err));
}

int xlb_sysctls(struct build *b, bool ifaces)
{
	int err;

	for (int k = 0; k < b->lab->nsysctls; k++)
		if ((b->lab->sysctls[k].iface >= 0) == ifaces && (err = set_sysctl(b, &b->lab->sysctls[k])))
			return err;
	return 0;
}

/* ---- neighbours and routes ------------------------------------------------------------------------- */

int xlb_neighs(struct build *b)
{
	const struct xl_lab *lab = b->lab;
	char mac[18];
	int err;

	for (int k = 0; k < lab->nneighs; k++) {
		const struct xl_neigh *n = &lab->neighs[k];
		const struct xl_iface *f = &lab->ifaces[n->iface];
		struct xl_nl *nl = &b->ns[f->node].nl;
		struct rtnl_neigh *neigh;
		int ifindex;

		if ((err = xlb_step(b, "neighbour %s at %s on %s", n->text, xl_mac_str(n->mac, mac), XL_END(lab, n->iface))))
			return err;
		ifindex = xl_nl_ifindex(nl, f->name);
		if (ifindex < 0)
			return xlb_at(b, ifindex, n->line, "cannot find %s: %s", XL_END(lab, n->iface), xl_errmsg());
		if (!(neigh = xl_nl_neigh(n, ifindex)))
			return xlb_at(b, -ENOMEM, n->line, "cannot build the neighbour request: out of memory");
		err = xl_nl_neigh_add(nl, neigh);
		rtnl_neigh_put(neigh);
		if (err)
			return xlb_at(b, err, n->line, "cannot add neighbour %s on %s: %s", n->text, XL_END(lab, n->iface),
				      xl_errmsg());
	}
	return 0;
}

/* Whether an address of node @node's interfaces has gateway @r->via on its subnet. */
static bool gateway_on_link(const struct xl_lab *lab, const struct xl_route *r)
{
	for (int i = 0; i < lab->nifaces; i++) {
		const struct xl_iface *f = &lab->ifaces[i];

		for (int k = 0; f->node == r->node && k < f->naddrs; k++) {
			const struct xl_addr *a = &f->addrs[k];
			int bits = a->prefix, ok = a->family == r->family;

			for (int by = 0; ok && by < bits / 8; by++)
				ok = a->bytes[by] == r->via[by];
			if (ok && bits % 8)
				ok = !((a->bytes[bits / 8] ^ r->via[bits / 8]) & (0xff00 >> (bits % 8)));
			if (ok)
				return true;
		}
	}
	return false;
}

int xlb_routes(struct build *b)
{
	const struct xl_lab *lab = b->lab;
	int err;

	for (int k = 0; k < lab->nroutes; k++) {
		const struct xl_route *r = &lab->routes[k];
		const char *node = lab->nodes[r->node].name;
		struct xl_nl *nl = &b->ns[r->node].nl;
		struct rtnl_route *route;
		int ifindex = 0;

		if ((err = xlb_step(b, "route %s in node %s", r->text, node)))
			return err;
		if (r->dev >= 0 && (ifindex = xl_nl_ifindex(nl, lab->ifaces[r->dev].name)) < 0)
			return xlb_at(b, ifindex, r->line, "cannot find %s: %s", XL_END(lab, r->dev), xl_errmsg());
		if (!(route = xl_nl_route(r, ifindex)))
			return xlb_at(b, -ENOMEM, r->line, "cannot build the route request: out of memory");
		err = xl_nl_route_add(nl, route);
		rtnl_route_put(route);
		if (!err)
			continue;
		/* The kernel says "Nexthop has invalid gateway": say why, in the file's words. */
		if (r->has_via && r->dev < 0 && !gateway_on_link(lab, r))
			return xlb_at(b, err, r->line, "cannot add route %s in node %s: %s; no address of node %s is on the "
				      "gateway's subnet: give one of its interfaces an address there, or add 'dev IF' to a "
				      "gateway that is on that link", r->text, node, xl_errmsg(), node);
		return xlb_at(b, err, r->line, "cannot add route %s in node %s: %s", r->text, node, xl_errmsg());
	}
	return 0;
}
