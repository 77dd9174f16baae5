// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * The lab file's interfaces: veth, macvlan, bridge and iface lines, their options, and the checks
 * that need the whole file (MTUs, MACs, who sits on whom).  See parse.c for the grammar.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "lab.h"
#include "parse.h"

static int declare(struct parser *p, int node, const char *ifname, enum xl_kind kind)
{
	struct xl_lab *lab = p->lab;
	int i = xl_lab_iface(lab, node, ifname);
	struct xl_iface *f;

	if (i >= 0)
		return xlp_err(p, "%s is already declared on line %d", XL_END(lab, i), lab->ifaces[i].line);
	if (lab->nifaces >= XL_MAX_IFACES)
		return xlp_err(p, "more than %d interfaces in one lab", XL_MAX_IFACES);
	i = lab->nifaces++;
	f = &lab->ifaces[i];
	memset(f, 0, sizeof(*f));
	strcpy(f->name, ifname);
	f->node = node;
	f->kind = kind;
	f->line = p->line;
	f->peer = -1;
	f->parent = -1;
	f->master = -1;
	return i;
}

/* ---- options ---------------------------------------------------------------------------------- */

#define BIT(o) (1u << (o))

enum opt {
	O_QUEUES, O_MTU, O_MAC, O_ADDR, O_GRO, O_THREADED, O_OFFLOAD, O_RATE, O_BURST, O_DELAY, O_LOSS,
	O_PARENT, O_MODE, O_NR
};

static const struct optdef {
	const char *name;
	bool value;
	const char *usage;
	enum xl_opt xopt;		/* where the interface remembers its line; XL_OPT_NR: nowhere */
} optdefs[O_NR] = {
	[O_QUEUES] = { "queues", true, "queues N (1..4096)", XL_OPT_QUEUES },
	[O_MTU] = { "mtu", true, "mtu N (68..65535)", XL_OPT_MTU },
	[O_MAC] = { "mac", true, "mac 02:00:00:00:00:01", XL_OPT_MAC },
	[O_ADDR] = { "addr", true, "addr 198.18.0.1/24 or addr 2001:2::1/64", XL_OPT_NR },
	[O_GRO] = { "gro", false, "gro", XL_OPT_GRO },
	[O_THREADED] = { "threaded", false, "threaded", XL_OPT_THREADED },
	[O_OFFLOAD] = { "offload", true, "offload NAME on|off [NAME on|off]... (as ethtool -K takes them: tx off tso off)",
			XL_OPT_NR },
	[O_RATE] = { "rate", true, "rate RATE (e.g. 100mbit: bit, kbit, mbit or gbit)", XL_OPT_RATE },
	[O_BURST] = { "burst", true, "burst BYTES (e.g. 32k: k and m count 1024)", XL_OPT_BURST },
	[O_DELAY] = { "delay", true, "delay TIME (e.g. 10ms: us, ms or s)", XL_OPT_DELAY },
	[O_LOSS] = { "loss", true, "loss PERCENT (e.g. 1% or 0.5%)", XL_OPT_LOSS },
	[O_PARENT] = { "parent", true, "parent IF", XL_OPT_NR },
	[O_MODE] = { "mode", true, "mode bridge|private|vepa|passthru", XL_OPT_NR },
};

#define O_QDISC (BIT(O_RATE) | BIT(O_BURST) | BIT(O_DELAY) | BIT(O_LOSS))

/* Where a line's options go: one or two interfaces, and what the line allows. */
struct optctx {
	const char *what;		/* "veth", "macvlan", "iface" */
	const char *expected;		/* the options it takes, for "unknown option" */
	unsigned int allowed;		/* 1u << enum opt */
	int targets[2];
	int nt;
	bool own;			/* an iface or macvlan line: a second setting is a mistake */
	const char *parent;		/* macvlan line */
	int mode;			/* macvlan line; -1 until given */
	int seen[O_NR];			/* 1 when given on this line */
};

static int unknown_opt(const struct parser *p, const struct optctx *c, int w)
{
	static const char *const values[] = { "on", "off", "yes", "no", "true", "false", "1", "0" };
	const char *o = p->w[w];

	if (w > 0 && (!strcmp(p->w[w - 1], "gro") || !strcmp(p->w[w - 1], "threaded")))
		for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++)
			if (!strcmp(o, values[i]))
				return xlp_err(p, "'%s' takes no value: write '%s' alone to turn it on%s", p->w[w - 1],
					       p->w[w - 1], !strcmp(p->w[w - 1], "gro") ? " (or 'offload gro on|off')" : "");
	return xlp_err(p, "unknown option '%s' for %s (expected %s)", SHOW(o), c->what, c->expected);
}

/* Why option @o, which the line takes, does not suit one of its interfaces; or 0. */
static int misfit(const struct parser *p, const struct optctx *c, enum opt o)
{
	const struct xl_lab *lab = p->lab;

	for (int t = 0; t < c->nt; t++) {
		int i = c->targets[t];

		if ((o == O_GRO || o == O_THREADED) && lab->ifaces[i].kind != XL_VETH)
			return xlp_err(p, "'%s' is for veth ends (%s is a %s, which has no NAPI of its own)", optdefs[o].name,
				       XL_END(lab, i), xl_kind_str(lab->ifaces[i].kind));
		if (o == O_QUEUES && lab->ifaces[i].kind == XL_BRIDGE)
			return xlp_err(p, "'queues' is for veth ends and macvlans (%s is a bridge, which queues nothing "
				       "of its own)", XL_END(lab, i));
	}
	return 0;
}

/* Why option @o, which the line does not take, belongs elsewhere; or 0 (then it is unknown here). */
static int misplaced(const struct parser *p, const struct optctx *c, enum opt o)
{
	if ((o == O_MAC || o == O_ADDR) && !strcmp(c->what, "veth"))
		return xlp_err(p, "'%s' is set per end: put it on an 'iface NODE:IF' line", optdefs[o].name);
	if (o == O_PARENT || o == O_MODE)
		return xlp_err(p, "'%s' belongs on the macvlan line", optdefs[o].name);
	return misfit(p, c, o);
}

static int set_opt(const struct parser *p, const struct optctx *c, int i, enum xl_opt o, const char *name)
{
	struct xl_iface *f = &p->lab->ifaces[i];

	if (c->own && f->opt_own[o])
		return xlp_err(p, "%s of %s is already set on line %d", name, XL_END(p->lab, i), f->opt_line[o]);
	f->opt_line[o] = p->line;
	f->opt_own[o] = c->own;
	return 0;
}

static int add_addr(const struct parser *p, int i, const struct xl_addr *a)
{
	struct xl_iface *f = &p->lab->ifaces[i];

	for (int k = 0; k < f->naddrs; k++)
		if (f->addrs[k].family == a->family && !memcmp(f->addrs[k].bytes, a->bytes, 16))
			return xlp_err(p, "address %s is already on %s (line %d)", f->addrs[k].text, XL_END(p->lab, i),
				       f->addrs[k].line);
	if (f->naddrs >= XL_MAX_ADDRS)
		return xlp_err(p, "more than %d addresses on %s", XL_MAX_ADDRS, XL_END(p->lab, i));
	f->addrs[f->naddrs++] = *a;
	return 0;
}

/*
 * One offload switch on interface @i.  A veth line's switch applies to both ends; an iface line may
 * then change it for its end, once.  'gro' and 'rx-gro' are one switch (ethtool's short name and the
 * feature's): the second spelling counts as a repetition.
 */
static int add_offload(const struct parser *p, const struct optctx *c, int i, const char *name, bool on)
{
	struct xl_iface *f = &p->lab->ifaces[i];
	bool gro = !strcmp(name, "gro") || !strcmp(name, "rx-gro");

	for (int k = 0; k < f->noffloads; k++) {
		struct xl_offload *o = &f->offloads[k];

		if (strcmp(o->name, name) && !(gro && (!strcmp(o->name, "gro") || !strcmp(o->name, "rx-gro"))))
			continue;
		if (o->line == p->line || (c->own && o->own))
			return xlp_err(p, "offload %s of %s is already set on line %d", name, XL_END(p->lab, i), o->line);
		snprintf(o->name, sizeof(o->name), "%s", name);
		o->on = on;
		o->own = c->own;
		o->line = p->line;
		return 0;
	}
	if (f->noffloads >= XL_MAX_OFFLOADS)
		return xlp_err(p, "more than %d offload switches on %s", XL_MAX_OFFLOADS, XL_END(p->lab, i));
	f->offloads[f->noffloads++] = (struct xl_offload){ .on = on, .own = c->own, .line = p->line };
	snprintf(f->offloads[f->noffloads - 1].name, XL_OFFLOAD_NAME_MAX, "%s", name);
	return 0;
}

/* The NAME on|off pairs after 'offload', from word @w on; returns the index of the last word used. */
static int parse_offloads(const struct parser *p, const struct optctx *c, int w)
{
	int first = w, err;

	for (; w + 1 < p->nw && (!strcmp(p->w[w + 1], "on") || !strcmp(p->w[w + 1], "off")); w += 2) {
		const char *name = p->w[w];
		size_t n = strlen(name);

		if (n == 0 || n >= XL_OFFLOAD_NAME_MAX || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-") != n)
			return xlp_err(p, "offload name '%s' is not a feature name: letters, digits and '-', as ethtool -K "
				       "takes them (tx, rx, sg, tso, gso, gro, lro, ..., or one like tx-checksum-ip-generic)",
				       SHOW(name));
		for (int t = 0; t < c->nt; t++)
			if ((err = add_offload(p, c, c->targets[t], name, !strcmp(p->w[w + 1], "on"))))
				return err;
	}
	if (w == first)
		return xlp_err(p, "'offload' needs NAME on|off pairs, as ethtool -K takes them: offload tx off tso off%s",
			       w < p->nw ? "" : " (nothing follows it)");
	return w - 1;
}

static int parse_mode(const struct parser *p, const char *s)
{
	for (int m = XL_MV_BRIDGE; m <= XL_MV_PASSTHRU; m++)
		if (!strcmp(s, xl_macvlan_mode_str((enum xl_macvlan_mode)m)))
			return m;
	return xlp_err(p, "unknown macvlan mode '%s' (expected bridge, private, vepa or passthru)", SHOW(s));
}

/* The value of option @o, read once for every target. */
union optval {
	unsigned long n;
	uint8_t mac[6];
	struct xl_addr a;
	uint64_t rate;
	uint32_t u32;
};

static int read_value(struct parser *p, struct optctx *c, enum opt o, const char *v, union optval *val)
{
	int r;

	switch (o) {
	case O_QUEUES:
	case O_MTU:
		r = o == O_QUEUES ? xlp_uint(v, 1, XL_QUEUES_MAX, &val->n) : xlp_uint(v, XL_MTU_MIN, XL_MTU_MAX, &val->n);
		if (r)
			return xlp_err(p, "%s '%s' is %s (%s)", optdefs[o].name, SHOW(v), r == 1 ? "not a number" : "out of range",
				       o == O_QUEUES ? "1..4096" : "68..65535");
		return 0;
	case O_MAC:
		return xlp_mac(p, v, val->mac);
	case O_ADDR:
		return xlp_cidr(p, v, &val->a);
	case O_RATE:
		return xlp_rate(p, v, &val->rate);
	case O_BURST:
		return xlp_size(p, v, &val->u32);
	case O_DELAY:
		return xlp_delay(p, v, &val->u32);
	case O_LOSS:
		return xlp_loss(p, v, &val->u32);
	case O_PARENT:
		c->parent = v;
		return 0;
	case O_MODE:
		c->mode = parse_mode(p, v);
		return c->mode < 0 ? c->mode : 0;
	default:
		return 0;
	}
}

static int apply_opt(struct parser *p, struct optctx *c, enum opt o, const char *v)
{
	union optval val = { 0 };
	int err;

	if ((err = read_value(p, c, o, v, &val)))
		return err;
	for (int t = 0; t < c->nt; t++) {
		int i = c->targets[t];
		struct xl_iface *f = &p->lab->ifaces[i];

		if (optdefs[o].xopt != XL_OPT_NR && (err = set_opt(p, c, i, optdefs[o].xopt, optdefs[o].name)))
			return err;
		switch (o) {
		case O_QUEUES:
			f->queues = (unsigned int)val.n;
			break;
		case O_MTU:
			f->mtu = (unsigned int)val.n;
			break;
		case O_MAC:
			f->has_mac = true;
			memcpy(f->mac, val.mac, 6);
			break;
		case O_ADDR:
			err = add_addr(p, i, &val.a);
			break;
		case O_GRO:
			f->gro = true;
			break;
		case O_THREADED:
			f->threaded = true;
			break;
		case O_RATE:
			f->rate = val.rate;
			break;
		case O_BURST:
			f->burst = val.u32;
			break;
		case O_DELAY:
			f->delay_us = val.u32;
			break;
		case O_LOSS:
			f->loss_ppm = val.u32;
			break;
		default:
			break;
		}
		if (err)
			return err;
	}
	return 0;
}

static int parse_opts(struct parser *p, int w, struct optctx *c)
{
	for (; w < p->nw; w++) {
		const char *word = p->w[w];
		enum opt o;
		int err;

		for (o = 0; o < O_NR; o++)
			if (!strcmp(word, optdefs[o].name))
				break;
		if (o == O_NR)
			return unknown_opt(p, c, w);
		if (!(c->allowed & BIT(o))) {
			err = misplaced(p, c, o);
			return err ? err : unknown_opt(p, c, w);
		}
		if ((err = misfit(p, c, o)))
			return err;	/* e.g. an iface line naming a macvlan or a bridge */
		if (c->seen[o] && o != O_ADDR && o != O_OFFLOAD)
			return xlp_err(p, "'%s' is given twice on this line", optdefs[o].name);
		c->seen[o] = 1;
		if (optdefs[o].value && w + 1 >= p->nw)
			return xlp_err(p, "'%s' needs a value: %s", optdefs[o].name, optdefs[o].usage);
		if (o == O_OFFLOAD) {
			if ((w = parse_offloads(p, c, w + 1)) < 0)
				return w;
			continue;
		}
		if ((err = apply_opt(p, c, o, optdefs[o].value ? p->w[++w] : NULL)))
			return err;
	}
	return 0;
}

/* ---- directives -------------------------------------------------------------------------------- */

int xlp_veth(struct parser *p)
{
	struct optctx c = {
		.what = "veth",
		.expected = "queues, mtu, gro, threaded, offload, rate, burst, delay or loss",
		.allowed = BIT(O_QUEUES) | BIT(O_MTU) | BIT(O_GRO) | BIT(O_THREADED) | BIT(O_OFFLOAD) | O_QDISC,
		.nt = 2,
		.mode = -1,
	};
	char ifa[IFNAMSIZ], ifb[IFNAMSIZ];
	int na, nb, a, b, err;

	if (p->nw < 3)
		return xlp_err(p, "'veth' needs two ends: veth NODE:IF NODE:IF [options]");
	if ((err = xlp_end(p, p->w[1], &na, ifa)) || (err = xlp_end(p, p->w[2], &nb, ifb)))
		return err;
	if (na == nb && !strcmp(ifa, ifb))
		return xlp_err(p, "a veth needs two different ends (%s twice)", SHOW(p->w[1]));
	if ((a = declare(p, na, ifa, XL_VETH)) < 0)
		return a;
	if ((b = declare(p, nb, ifb, XL_VETH)) < 0)
		return b;
	p->lab->ifaces[a].peer = b;
	p->lab->ifaces[b].peer = a;
	c.targets[0] = a;
	c.targets[1] = b;
	return parse_opts(p, 3, &c);
}

int xlp_macvlan(struct parser *p)
{
	struct xl_lab *lab = p->lab;
	struct optctx c = {
		.what = "macvlan",
		.expected = "parent, mode, queues, mtu, mac, addr, offload, rate, burst, delay or loss",
		.allowed = BIT(O_PARENT) | BIT(O_MODE) | BIT(O_QUEUES) | BIT(O_MTU) | BIT(O_MAC) | BIT(O_ADDR) |
			   BIT(O_OFFLOAD) | O_QDISC,
		.nt = 1,
		.own = true,
		.mode = -1,
	};
	char ifname[IFNAMSIZ];
	int node, i, parent, err;

	if (p->nw < 2)
		return xlp_err(p, "'macvlan' needs NODE:IF parent IF mode MODE");
	if ((err = xlp_end(p, p->w[1], &node, ifname)))
		return err;
	if ((i = declare(p, node, ifname, XL_MACVLAN)) < 0)
		return i;
	c.targets[0] = i;
	if ((err = parse_opts(p, 2, &c)))
		return err;
	if (!c.parent)
		return xlp_err(p, "macvlan %s needs 'parent IF' (an interface of node %s)", XL_END(lab, i),
			       lab->nodes[node].name);
	if (c.mode < 0)
		return xlp_err(p, "macvlan %s needs 'mode bridge|private|vepa|passthru'", XL_END(lab, i));
	parent = xl_lab_iface(lab, node, c.parent);
	if (parent < 0 || parent == i)
		return xlp_err(p, "parent '%s' is not an interface of node %s (declare it before the macvlan)",
			       SHOW(c.parent), lab->nodes[node].name);
	lab->ifaces[i].parent = parent;
	lab->ifaces[i].mode = (enum xl_macvlan_mode)c.mode;
	return 0;
}

/* bridge NODE:IF ports IF...: a Linux bridge in NODE over interfaces of NODE declared before it. */
int xlp_bridge(struct parser *p)
{
	struct xl_lab *lab = p->lab;
	char ifname[IFNAMSIZ];
	int node, b, err;

	if (p->nw < 4 || strcmp(p->w[2], "ports"))
		return xlp_err(p, "'bridge' needs a name and its ports: bridge NODE:IF ports IF... (settings go on an "
			       "'iface NODE:IF' line)");
	if ((err = xlp_end(p, p->w[1], &node, ifname)))
		return err;
	if ((b = declare(p, node, ifname, XL_BRIDGE)) < 0)
		return b;
	for (int w = 3; w < p->nw; w++) {
		int i = xl_lab_iface(lab, node, p->w[w]);
		struct xl_iface *f;

		if (i == b)
			return xlp_err(p, "bridge %s cannot be its own port", XL_END(lab, b));
		if (i < 0)
			return xlp_err(p, "port '%s' is not an interface of node %s (declare it before the bridge)",
				       SHOW(p->w[w]), lab->nodes[node].name);
		f = &lab->ifaces[i];
		if (f->kind == XL_BRIDGE)
			return xlp_err(p, "%s is a bridge: the kernel does not take a bridge as a port of another bridge",
				       XL_END(lab, i));
		if (f->master >= 0)
			return xlp_err(p, "%s is already a port of %s (line %d)", XL_END(lab, i), XL_END(lab, f->master),
				       lab->ifaces[f->master].line);
		f->master = b;
	}
	return 0;
}

int xlp_iface(struct parser *p)
{
	struct optctx c = {
		.what = "iface",
		.expected = "queues, mtu, mac, addr, gro, threaded, offload, rate, burst, delay or loss",
		.allowed = BIT(O_QUEUES) | BIT(O_MTU) | BIT(O_MAC) | BIT(O_ADDR) | BIT(O_GRO) | BIT(O_THREADED) |
			   BIT(O_OFFLOAD) | O_QDISC,
		.nt = 1,
		.own = true,
		.mode = -1,
	};
	int i;

	if (p->nw < 3)
		return xlp_err(p, "'iface' needs an interface and options: iface NODE:IF [mac MAC] [addr CIDR]...");
	if ((i = xlp_declared(p, p->w[1])) < 0)
		return i;
	c.targets[0] = i;
	return parse_opts(p, 2, &c);
}

/* ---- checks that need the whole file ------------------------------------------------------------ */

/* The veth or bridge under a macvlan (macvlans may stack; the kernel puts them all on the lowest device). */
static int lower_of(const struct xl_lab *lab, int i)
{
	for (int hops = 0; hops < XL_MAX_IFACES && i >= 0 && lab->ifaces[i].kind == XL_MACVLAN; hops++)
		i = lab->ifaces[i].parent;
	return i;
}

static int check_macvlan(const struct parser *p, int j)
{
	const struct xl_lab *lab = p->lab;
	const struct xl_iface *f = &lab->ifaces[j];
	int lower = lower_of(lab, j);
	char mac[18];

	if (f->mtu && f->mtu > xl_lab_mtu(lab, f->parent))
		return xlp_lerr(p, f->opt_line[XL_OPT_MTU],
				"mtu %u of %s is larger than its parent %s's %u (a macvlan cannot exceed its parent)", f->mtu,
				XL_END(lab, j), XL_END(lab, f->parent), xl_lab_mtu(lab, f->parent));
	if (lab->ifaces[f->parent].master >= 0)
		return xlp_lerr(p, f->line, "parent %s of macvlan %s is a port of bridge %s (line %d): an interface takes "
				"either macvlans or a bridge, not both", XL_END(lab, f->parent), XL_END(lab, j),
				XL_END(lab, lab->ifaces[f->parent].master), lab->ifaces[lab->ifaces[f->parent].master].line);
	if (f->has_mac && f->mode != XL_MV_PASSTHRU && lower >= 0 && lab->ifaces[lower].has_mac &&
	    !memcmp(f->mac, lab->ifaces[lower].mac, 6))
		return xlp_lerr(p, f->opt_line[XL_OPT_MAC], "mac %s of %s is its parent %s's own (a macvlan needs its own MAC)",
				xl_mac_str(f->mac, mac), XL_END(lab, j), XL_END(lab, lower));
	for (int i = 0; i < j; i++) {
		const struct xl_iface *g = &lab->ifaces[i];

		if (g->kind != XL_MACVLAN || lower_of(lab, i) != lower)
			continue;
		if (f->mode == XL_MV_PASSTHRU)
			return xlp_lerr(p, f->line, "passthru macvlan %s must be the only macvlan on %s (%s is on it, line %d)",
					XL_END(lab, j), XL_END(lab, lower), XL_END(lab, i), g->line);
		if (g->mode == XL_MV_PASSTHRU)
			return xlp_lerr(p, f->line, "%s cannot share %s with passthru macvlan %s (line %d): passthru must be "
					"the only macvlan on its parent", XL_END(lab, j), XL_END(lab, lower), XL_END(lab, i),
					g->line);
		if (f->has_mac && g->has_mac && !memcmp(f->mac, g->mac, 6))
			return xlp_lerr(p, f->opt_line[XL_OPT_MAC],
					"mac %s of %s is already used by %s on the same parent (line %d)",
					xl_mac_str(f->mac, mac), XL_END(lab, j), XL_END(lab, i), g->opt_line[XL_OPT_MAC]);
	}
	return 0;
}

/* gro and offloads that contradict each other; a burst that cannot hold one frame. */
static int check_switches(const struct parser *p, int i)
{
	const struct xl_lab *lab = p->lab;
	const struct xl_iface *f = &lab->ifaces[i];
	const struct xl_offload *o = xl_lab_offload(lab, i, "gro");

	if (!o)
		o = xl_lab_offload(lab, i, "rx-gro");
	if (f->gro && o && !o->on)
		return xlp_lerr(p, o->line, "offload %s off on %s contradicts 'gro' on line %d", o->name, XL_END(lab, i),
				f->opt_line[XL_OPT_GRO]);
	if (f->burst && !f->rate)
		return xlp_lerr(p, f->opt_line[XL_OPT_BURST], "burst on %s needs a rate: it is the size of tbf's bucket",
				XL_END(lab, i));
	if (f->burst && f->burst < xl_lab_mtu(lab, i) + 14)
		return xlp_lerr(p, f->opt_line[XL_OPT_BURST],
				"burst %u of %s is smaller than one frame (mtu %u + 14): tbf would never send a full one",
				f->burst, XL_END(lab, i), xl_lab_mtu(lab, i));
	return 0;
}

int xlp_check_links(const struct parser *p)
{
	const struct xl_lab *lab = p->lab;
	int err;

	for (int i = 0; i < lab->nifaces; i++) {
		const struct xl_iface *f = &lab->ifaces[i];

		if (f->threaded && !xl_lab_gro(lab, i))
			return xlp_lerr(p, f->opt_line[XL_OPT_THREADED],
					"threaded on %s needs gro: a veth end has a NAPI instance only with GRO (or an XDP program)",
					XL_END(lab, i));
		for (int k = 0; k < f->naddrs; k++)
			if (f->addrs[k].family == AF_INET6 && xl_lab_mtu(lab, i) < XL_MTU_IPV6_MIN)
				return xlp_lerr(p, f->addrs[k].line,
						"address %s needs mtu %d or more (%s has %u; the kernel turns IPv6 off below that)",
						f->addrs[k].text, XL_MTU_IPV6_MIN, XL_END(lab, i), xl_lab_mtu(lab, i));
		if (f->kind == XL_MACVLAN && (err = check_macvlan(p, i)))
			return err;
		if ((err = check_switches(p, i)))
			return err;
	}
	return 0;
}
