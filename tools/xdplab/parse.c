// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * The lab-file parser: line-based text into struct xl_lab.  Every message names the file and the
 * line, says what is wrong and, when it is not obvious, what would be right.  The parser checks the
 * file against itself (names, ranges, what the kernel would refuse given only this file); what the
 * kernel already has in a fresh namespace is left for the kernel to say.
 *
 *   lab NAME
 *   node NAME...
 *   veth NODE:IF NODE:IF [queues N] [mtu N] [gro] [threaded]
 *   macvlan NODE:IF parent IF mode bridge|private|vepa|passthru [queues N] [mtu N] [mac MAC] [addr CIDR]...
 *   iface NODE:IF [queues N] [mtu N] [mac MAC] [addr CIDR]... [gro] [threaded]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab.h"

struct parser {
	struct xl_lab *lab;
	const char *file;
	int line;
	int nw;
	char *w[XL_MAX_WORDS];
};

static int verr(const struct parser *p, int line, const char *fmt, va_list ap)
{
	char msg[768];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (line > 0)
		xl_err("%s:%d: %s", p->file, line, msg);
	else
		xl_err("%s: %s", p->file, msg);
	return -EINVAL;
}

__attribute__((format(printf, 2, 3))) static int perr(const struct parser *p, const char *fmt, ...)
{
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = verr(p, p->line, fmt, ap);
	va_end(ap);
	return err;
}

__attribute__((format(printf, 3, 4))) static int lerr(const struct parser *p, int line, const char *fmt, ...)
{
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = verr(p, line, fmt, ap);
	va_end(ap);
	return err;
}

/* A word of the file, printable and bounded, for quoting in a message. */
#define SHOW(word) show(word, (char[48]){ 0 })
static const char *show(const char *w, char *out)
{
	size_t i;

	for (i = 0; w[i] && i < 40; i++)
		out[i] = (w[i] > ' ' && w[i] < 127) ? w[i] : '?';
	strcpy(out + i, w[i] ? "..." : "");
	return out;
}

/* Decimal, digits only; 1 when it is not a number, 2 when it is out of [min, max]. */
static int parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;
	size_t i;

	for (i = 0; s[i]; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 1;
		if (v > max)	/* keep going to tell "not a number" from "too big", without overflow */
			continue;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (i == 0)
		return 1;
	if (v < min || v > max)
		return 2;
	*out = v;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int parse_mac(const struct parser *p, const char *s, uint8_t mac[6])
{
	int i;

	if (strlen(s) != 17)
		goto bad;
	for (i = 0; i < 6; i++) {
		int hi = hexval(s[3 * i]), lo = hexval(s[3 * i + 1]);

		if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':'))
			goto bad;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	if (mac[0] & 1)
		return perr(p, "mac %s is a multicast address (the first byte must be even, e.g. 02:...)", s);
	if (!(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]))
		return perr(p, "mac %s is not a usable address", s);
	return 0;
bad:
	return perr(p, "mac '%s' is not six hex bytes like 02:00:00:00:00:01", SHOW(s));
}

/*
 * Whether @a can be an interface's own address, as the kernel and a lab see it: the kernel refuses
 * the IPv6 unspecified, loopback and multicast addresses outright, and takes their IPv4 twins (and
 * the broadcast address) without complaint, for an interface that then cannot use them.  Neither
 * belongs in a lab, and `check` must refuse what `up` cannot build.
 */
static int addr_usable(const struct parser *p, const struct xl_addr *a, const char *host)
{
	static const uint8_t zero[16];
	const uint8_t *b = a->bytes;

	if (a->family == AF_INET) {
		if (!memcmp(b, zero, 4))
			return perr(p, "%s is the unspecified address, which no interface can have", host);
		if (b[0] == 127)
			return perr(p, "%s is a loopback address: it belongs on lo, not on a lab's links", host);
		if ((b[0] & 0xf0) == 224)
			return perr(p, "%s is a multicast address: an interface's own address must be unicast", host);
		if (b[0] == 255 && b[1] == 255 && b[2] == 255 && b[3] == 255)
			return perr(p, "%s is the broadcast address: an interface's own address must be unicast", host);
		return 0;
	}
	if (!memcmp(b, zero, 16))
		return perr(p, "%s is the unspecified address, which no interface can have", host);
	if (!memcmp(b, zero, 15) && b[15] == 1)
		return perr(p, "%s is the loopback address: it belongs on lo, not on a lab's links", host);
	if (b[0] == 0xff)
		return perr(p, "%s is a multicast address: an interface's own address must be unicast", host);
	return 0;
}

static int parse_addr(const struct parser *p, const char *s, struct xl_addr *a)
{
	char host[64], canon[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	unsigned long prefix;
	size_t n;
	int max, r;

	n = slash ? (size_t)(slash - s) : strlen(s);
	if (n >= sizeof(host))
		return perr(p, "'%s' is not an IPv4 or IPv6 address", SHOW(s));
	memcpy(host, s, n);
	host[n] = '\0';
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, host, a->bytes) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, host, a->bytes) == 1)
		a->family = AF_INET6;
	else
		return perr(p, "'%s' is not an IPv4 or IPv6 address", SHOW(s));
	if (!slash)
		return perr(p, "address %s needs a prefix length, e.g. %s/%s", host, host,
			    a->family == AF_INET ? "24" : "64");
	max = a->family == AF_INET ? 32 : 128;
	r = parse_uint(slash + 1, 0, (unsigned long)max, &prefix);
	if (r)
		return perr(p, "prefix length '%s' of %s is %s (1..%d)", SHOW(slash + 1), host,
			    r == 1 ? "not a number" : "out of range", max);
	/* /0 would make every address of the family on-link here (and libnl cannot even send it). */
	if (prefix == 0)
		return perr(p, "prefix length 0 of %s would put every %s address on this link: give the subnet's, "
			    "e.g. %s/%s", host, a->family == AF_INET ? "IPv4" : "IPv6", host,
			    a->family == AF_INET ? "24" : "64");
	if ((r = addr_usable(p, a, host)))
		return r;
	a->prefix = (uint8_t)prefix;
	a->line = p->line;
	inet_ntop(a->family, a->bytes, canon, sizeof(canon));
	snprintf(a->text, sizeof(a->text), "%s/%u", canon, a->prefix);
	return 0;
}

static bool ifname_ok(const char *s)
{
	size_t n = strnlen(s, IFNAMSIZ);

	/* The kernel's dev_valid_name() plus no '%' (a name template) and nothing a shell would mangle. */
	if (n == 0 || n >= IFNAMSIZ || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
		      c == '-' || c == '.'))
			return false;
	}
	return true;
}

/* "NODE:IF" into a node index and an interface name. */
static int parse_end(const struct parser *p, const char *s, int *node, char ifname[IFNAMSIZ])
{
	const char *colon = strchr(s, ':');
	char nname[XL_NODE_NAME_MAX + 2];
	size_t n;

	if (!colon || colon == s || !colon[1] || strchr(colon + 1, ':'))
		return perr(p, "'%s' is not NODE:IF (e.g. a:eth0)", SHOW(s));
	n = (size_t)(colon - s);
	if (n > XL_NODE_NAME_MAX)
		return perr(p, "unknown node in '%s' (node names have at most %d characters)", SHOW(s),
			    XL_NODE_NAME_MAX);
	memcpy(nname, s, n);
	nname[n] = '\0';
	*node = xl_lab_node(p->lab, nname);
	if (*node < 0)
		return perr(p, "unknown node '%s' in '%s' (declare it with 'node %s' before this line)", SHOW(nname),
			    SHOW(s), SHOW(nname));
	if (!ifname_ok(colon + 1))
		return perr(p, "interface name '%s' must be 1 to 15 letters, digits, '_', '-' or '.' (not '.' or '..')",
			    SHOW(colon + 1));
	strcpy(ifname, colon + 1);
	return 0;
}

static int declare(struct parser *p, int node, const char *ifname, enum xl_kind kind)
{
	struct xl_lab *lab = p->lab;
	int i = xl_lab_iface(lab, node, ifname);
	struct xl_iface *f;

	if (i >= 0)
		return perr(p, "%s is already declared on line %d", XL_END(lab, i), lab->ifaces[i].line);
	if (lab->nifaces >= XL_MAX_IFACES)
		return perr(p, "more than %d interfaces in one lab", XL_MAX_IFACES);
	i = lab->nifaces++;
	f = &lab->ifaces[i];
	memset(f, 0, sizeof(*f));
	strcpy(f->name, ifname);
	f->node = node;
	f->kind = kind;
	f->line = p->line;
	f->peer = -1;
	f->parent = -1;
	return i;
}

/* ---- options ---------------------------------------------------------------------------------- */

#define BIT(o) (1u << (o))

enum opt { O_QUEUES, O_MTU, O_MAC, O_ADDR, O_GRO, O_THREADED, O_PARENT, O_MODE, O_NR };

static const struct optdef {
	const char *name;
	bool value;
	const char *usage;
} optdefs[O_NR] = {
	[O_QUEUES] = { "queues", true, "queues N (1..4096)" },
	[O_MTU] = { "mtu", true, "mtu N (68..65535)" },
	[O_MAC] = { "mac", true, "mac 02:00:00:00:00:01" },
	[O_ADDR] = { "addr", true, "addr 198.18.0.1/24 or addr 2001:2::1/64" },
	[O_GRO] = { "gro", false, "gro" },
	[O_THREADED] = { "threaded", false, "threaded" },
	[O_PARENT] = { "parent", true, "parent IF" },
	[O_MODE] = { "mode", true, "mode bridge|private|vepa|passthru" },
};

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
				return perr(p, "'%s' takes no value: write '%s' alone to turn it on", p->w[w - 1],
					    p->w[w - 1]);
	return perr(p, "unknown option '%s' for %s (expected %s)", SHOW(o), c->what, c->expected);
}

/* Why option @o does not belong where it was written, or 0 when it does. */
static int misplaced(const struct parser *p, const struct optctx *c, enum opt o)
{
	const struct xl_lab *lab = p->lab;

	if ((o == O_MAC || o == O_ADDR) && !strcmp(c->what, "veth"))
		return perr(p, "'%s' is set per end: put it on an 'iface NODE:IF' line", optdefs[o].name);
	if (o == O_PARENT || o == O_MODE)
		return perr(p, "'%s' belongs on the macvlan line", optdefs[o].name);
	if (o == O_GRO || o == O_THREADED)
		for (int t = 0; t < c->nt; t++)
			if (lab->ifaces[c->targets[t]].kind != XL_VETH)
				return perr(p, "'%s' is for veth ends (%s is a macvlan, which has no NAPI of its own)",
					    optdefs[o].name, XL_END(lab, c->targets[t]));
	return 0;
}

static int set_opt(const struct parser *p, const struct optctx *c, int i, enum xl_opt o, const char *name)
{
	struct xl_iface *f = &p->lab->ifaces[i];

	if (c->own && f->opt_own[o])
		return perr(p, "%s of %s is already set on line %d", name, XL_END(p->lab, i), f->opt_line[o]);
	f->opt_line[o] = p->line;
	f->opt_own[o] = c->own;
	return 0;
}

static int add_addr(const struct parser *p, int i, const struct xl_addr *a)
{
	struct xl_iface *f = &p->lab->ifaces[i];

	for (int k = 0; k < f->naddrs; k++)
		if (f->addrs[k].family == a->family && !memcmp(f->addrs[k].bytes, a->bytes, 16))
			return perr(p, "address %s is already on %s (line %d)", f->addrs[k].text, XL_END(p->lab, i),
				    f->addrs[k].line);
	if (f->naddrs >= XL_MAX_ADDRS)
		return perr(p, "more than %d addresses on %s", XL_MAX_ADDRS, XL_END(p->lab, i));
	f->addrs[f->naddrs++] = *a;
	return 0;
}

static int parse_mode(const struct parser *p, const char *s)
{
	for (int m = XL_MV_BRIDGE; m <= XL_MV_PASSTHRU; m++)
		if (!strcmp(s, xl_macvlan_mode_str((enum xl_macvlan_mode)m)))
			return m;
	return perr(p, "unknown macvlan mode '%s' (expected bridge, private, vepa or passthru)", SHOW(s));
}

static int apply_opt(struct parser *p, struct optctx *c, enum opt o, const char *v)
{
	struct xl_lab *lab = p->lab;
	unsigned long n = 0;
	uint8_t mac[6];
	struct xl_addr a;
	int err = 0, r;

	switch (o) {
	case O_QUEUES:
	case O_MTU:
		r = o == O_QUEUES ? parse_uint(v, 1, XL_QUEUES_MAX, &n) : parse_uint(v, XL_MTU_MIN, XL_MTU_MAX, &n);
		if (r)
			return perr(p, "%s '%s' is %s (%s)", optdefs[o].name, SHOW(v),
				    r == 1 ? "not a number" : "out of range",
				    o == O_QUEUES ? "1..4096" : "68..65535");
		break;
	case O_MAC:
		err = parse_mac(p, v, mac);
		break;
	case O_ADDR:
		err = parse_addr(p, v, &a);
		break;
	case O_PARENT:
		c->parent = v;
		return 0;
	case O_MODE:
		c->mode = parse_mode(p, v);
		return c->mode < 0 ? c->mode : 0;
	default:
		break;
	}
	if (err)
		return err;
	for (int t = 0; t < c->nt; t++) {
		int i = c->targets[t];
		struct xl_iface *f = &lab->ifaces[i];

		switch (o) {
		case O_QUEUES:
			err = set_opt(p, c, i, XL_OPT_QUEUES, "queues");
			f->queues = (unsigned int)n;
			break;
		case O_MTU:
			err = set_opt(p, c, i, XL_OPT_MTU, "mtu");
			f->mtu = (unsigned int)n;
			break;
		case O_MAC:
			err = set_opt(p, c, i, XL_OPT_MAC, "mac");
			f->has_mac = true;
			memcpy(f->mac, mac, 6);
			break;
		case O_ADDR:
			err = add_addr(p, i, &a);
			break;
		case O_GRO:
			err = set_opt(p, c, i, XL_OPT_GRO, "gro");
			f->gro = true;
			break;
		case O_THREADED:
			err = set_opt(p, c, i, XL_OPT_THREADED, "threaded");
			f->threaded = true;
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
		if ((o == O_GRO || o == O_THREADED) && (err = misplaced(p, c, o)))
			return err;	/* an iface line naming a macvlan */
		if (c->seen[o] && o != O_ADDR)
			return perr(p, "'%s' is given twice on this line", optdefs[o].name);
		c->seen[o] = 1;
		if (optdefs[o].value && w + 1 >= p->nw)
			return perr(p, "'%s' needs a value: %s", optdefs[o].name, optdefs[o].usage);
		if ((err = apply_opt(p, c, o, optdefs[o].value ? p->w[++w] : NULL)))
			return err;
	}
	return 0;
}

/* ---- directives -------------------------------------------------------------------------------- */

static int parse_lab(struct parser *p)
{
	struct xl_lab *lab = p->lab;

	if (lab->name_line)
		return perr(p, "the lab is already named on line %d", lab->name_line);
	if (p->nw != 2)
		return perr(p, "'lab' takes one name: lab NAME");
	if (!xl_lab_name_ok(p->w[1]))
		return perr(p, "lab name '%s' must be 1 to %d letters, digits, '_' or '-', starting with a letter or digit",
			    SHOW(p->w[1]), XL_LAB_NAME_MAX);
	strcpy(lab->name, p->w[1]);
	lab->name_line = p->line;
	return 0;
}

static int parse_node(struct parser *p)
{
	struct xl_lab *lab = p->lab;

	if (p->nw < 2)
		return perr(p, "'node' needs at least one name: node NAME...");
	for (int w = 1; w < p->nw; w++) {
		const char *name = p->w[w];
		struct xl_node *n;
		int i;

		if (!xl_node_name_ok(name))
			return perr(p, "node name '%s' must be 1 to %d letters, digits or '_', starting with a letter or "
				    "digit (no '-': the namespace is LAB-NODE)", SHOW(name), XL_NODE_NAME_MAX);
		i = xl_lab_node(lab, name);
		if (i >= 0)
			return perr(p, "node '%s' is already declared on line %d", name, lab->nodes[i].line);
		if (lab->nnodes >= XL_MAX_NODES)
			return perr(p, "more than %d nodes in one lab", XL_MAX_NODES);
		n = &lab->nodes[lab->nnodes++];
		strcpy(n->name, name);
		snprintf(n->ns, sizeof(n->ns), "%s-%s", lab->name, name);
		n->line = p->line;
	}
	return 0;
}

static int parse_veth(struct parser *p)
{
	struct optctx c = {
		.what = "veth",
		.expected = "queues, mtu, gro or threaded",
		.allowed = BIT(O_QUEUES) | BIT(O_MTU) | BIT(O_GRO) | BIT(O_THREADED),
		.nt = 2,
		.mode = -1,
	};
	char ifa[IFNAMSIZ], ifb[IFNAMSIZ];
	int na, nb, a, b, err;

	if (p->nw < 3)
		return perr(p, "'veth' needs two ends: veth NODE:IF NODE:IF [options]");
	if ((err = parse_end(p, p->w[1], &na, ifa)) || (err = parse_end(p, p->w[2], &nb, ifb)))
		return err;
	if (na == nb && !strcmp(ifa, ifb))
		return perr(p, "a veth needs two different ends (%s twice)", SHOW(p->w[1]));
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

static int parse_macvlan(struct parser *p)
{
	struct xl_lab *lab = p->lab;
	struct optctx c = {
		.what = "macvlan",
		.expected = "parent, mode, queues, mtu, mac or addr",
		.allowed = BIT(O_PARENT) | BIT(O_MODE) | BIT(O_QUEUES) | BIT(O_MTU) | BIT(O_MAC) | BIT(O_ADDR),
		.nt = 1,
		.own = true,
		.mode = -1,
	};
	char ifname[IFNAMSIZ];
	int node, i, parent, err;

	if (p->nw < 2)
		return perr(p, "'macvlan' needs NODE:IF parent IF mode MODE");
	if ((err = parse_end(p, p->w[1], &node, ifname)))
		return err;
	if ((i = declare(p, node, ifname, XL_MACVLAN)) < 0)
		return i;
	c.targets[0] = i;
	if ((err = parse_opts(p, 2, &c)))
		return err;
	if (!c.parent)
		return perr(p, "macvlan %s needs 'parent IF' (an interface of node %s)", XL_END(lab, i),
			    lab->nodes[node].name);
	if (c.mode < 0)
		return perr(p, "macvlan %s needs 'mode bridge|private|vepa|passthru'", XL_END(lab, i));
	parent = xl_lab_iface(lab, node, c.parent);
	if (parent < 0 || parent == i)
		return perr(p, "parent '%s' is not an interface of node %s (declare it before the macvlan)",
			    SHOW(c.parent), lab->nodes[node].name);
	lab->ifaces[i].parent = parent;
	lab->ifaces[i].mode = (enum xl_macvlan_mode)c.mode;
	return 0;
}

static int parse_iface(struct parser *p)
{
	struct xl_lab *lab = p->lab;
	struct optctx c = {
		.what = "iface",
		.expected = "queues, mtu, mac, addr, gro or threaded",
		.allowed = BIT(O_QUEUES) | BIT(O_MTU) | BIT(O_MAC) | BIT(O_ADDR) | BIT(O_GRO) | BIT(O_THREADED),
		.nt = 1,
		.own = true,
		.mode = -1,
	};
	char ifname[IFNAMSIZ];
	int node, i, err;

	if (p->nw < 3)
		return perr(p, "'iface' needs an interface and options: iface NODE:IF [mac MAC] [addr CIDR]...");
	if ((err = parse_end(p, p->w[1], &node, ifname)))
		return err;
	i = xl_lab_iface(lab, node, ifname);
	if (i < 0)
		return perr(p, "%s is not declared (a veth or macvlan line must declare it before this line)",
			    SHOW(p->w[1]));
	c.targets[0] = i;
	return parse_opts(p, 2, &c);
}

static const struct directive {
	const char *keyword;
	int (*parse)(struct parser *p);
} directives[] = {
	{ "lab", parse_lab },	  { "node", parse_node },   { "veth", parse_veth },
	{ "macvlan", parse_macvlan }, { "iface", parse_iface },
};

static int parse_line(struct parser *p, char *line)
{
	char *hash = strchr(line, '#'), *save = NULL, *tok;
	size_t d;

	if (hash)
		*hash = '\0';
	p->nw = 0;
	for (tok = strtok_r(line, " \t\r\v\f", &save); tok; tok = strtok_r(NULL, " \t\r\v\f", &save)) {
		if (p->nw >= XL_MAX_WORDS)
			return perr(p, "more than %d words on one line", XL_MAX_WORDS);
		p->w[p->nw++] = tok;
	}
	if (!p->nw)
		return 0;
	for (d = 0; d < sizeof(directives) / sizeof(directives[0]); d++)
		if (!strcmp(p->w[0], directives[d].keyword))
			break;
	if (d == sizeof(directives) / sizeof(directives[0]))
		return perr(p, "unknown keyword '%s' (expected lab, node, veth, macvlan or iface)", SHOW(p->w[0]));
	if (!p->lab->name_line && d != 0)
		return perr(p, "'lab NAME' must come first: the lab's name prefixes every namespace it creates");
	return directives[d].parse(p);
}

/* ---- checks that need the whole file ------------------------------------------------------------ */

/* The veth under a macvlan (macvlans may stack; the kernel puts them all on the lowest device). */
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
		return lerr(p, f->opt_line[XL_OPT_MTU],
			    "mtu %u of %s is larger than its parent %s's %u (a macvlan cannot exceed its parent)", f->mtu,
			    XL_END(lab, j), XL_END(lab, f->parent), xl_lab_mtu(lab, f->parent));
	if (f->has_mac && f->mode != XL_MV_PASSTHRU && lower >= 0 && lab->ifaces[lower].has_mac &&
	    !memcmp(f->mac, lab->ifaces[lower].mac, 6))
		return lerr(p, f->opt_line[XL_OPT_MAC], "mac %s of %s is its parent %s's own (a macvlan needs its own MAC)",
			    xl_mac_str(f->mac, mac), XL_END(lab, j), XL_END(lab, lower));
	for (int i = 0; i < j; i++) {
		const struct xl_iface *g = &lab->ifaces[i];

		if (g->kind != XL_MACVLAN || lower_of(lab, i) != lower)
			continue;
		if (f->mode == XL_MV_PASSTHRU)
			return lerr(p, f->line, "passthru macvlan %s must be the only macvlan on %s (%s is on it, line %d)",
				    XL_END(lab, j), XL_END(lab, lower), XL_END(lab, i), g->line);
		if (g->mode == XL_MV_PASSTHRU)
			return lerr(p, f->line, "%s cannot share %s with passthru macvlan %s (line %d): passthru must be "
				    "the only macvlan on its parent", XL_END(lab, j), XL_END(lab, lower), XL_END(lab, i), g->line);
		if (f->has_mac && g->has_mac && !memcmp(f->mac, g->mac, 6))
			return lerr(p, f->opt_line[XL_OPT_MAC],
				    "mac %s of %s is already used by %s on the same parent (line %d)",
				    xl_mac_str(f->mac, mac), XL_END(lab, j), XL_END(lab, i), g->opt_line[XL_OPT_MAC]);
	}
	return 0;
}

static int validate(const struct parser *p)
{
	const struct xl_lab *lab = p->lab;
	int err;

	if (!lab->name_line)
		return lerr(p, 0, "no 'lab NAME' line: a lab file starts with one, then 'node NAME...'");
	if (!lab->nnodes)
		return lerr(p, 0, "no node: declare at least one with 'node NAME'");
	for (int i = 0; i < lab->nifaces; i++) {
		const struct xl_iface *f = &lab->ifaces[i];

		if (f->threaded && !f->gro)
			return lerr(p, f->opt_line[XL_OPT_THREADED],
				    "threaded on %s needs gro: a veth end has a NAPI instance only with GRO (or an XDP program)",
				    XL_END(lab, i));
		for (int k = 0; k < f->naddrs; k++)
			if (f->addrs[k].family == AF_INET6 && xl_lab_mtu(lab, i) < XL_MTU_IPV6_MIN)
				return lerr(p, f->addrs[k].line,
					    "address %s needs mtu %d or more (%s has %u; the kernel turns IPv6 off below that)",
					    f->addrs[k].text, XL_MTU_IPV6_MIN, XL_END(lab, i), xl_lab_mtu(lab, i));
		if (f->kind == XL_MACVLAN && (err = check_macvlan(p, i)))
			return err;
	}
	return 0;
}

int xl_parse(struct xl_lab *lab, const char *file, const char *text, size_t len)
{
	struct parser p = { .lab = lab, .file = file };
	char line[XL_MAX_LINE + 1];
	size_t pos = 0;
	int err;

	memset(lab, 0, sizeof(*lab));
	snprintf(lab->file, sizeof(lab->file), "%s", file);
	if (len > XL_MAX_FILE)
		return lerr(&p, 0, "larger than %d bytes: not a lab file?", XL_MAX_FILE);
	while (pos < len) {	/* each pass consumes at least one byte */
		const char *start = text + pos, *nl = memchr(start, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - start) : len - pos;

		p.line++;
		if (n > XL_MAX_LINE)
			return perr(&p, "line is longer than %d bytes", XL_MAX_LINE);
		if (memchr(start, '\0', n))
			return perr(&p, "line contains a NUL byte (is this a text file?)");
		memcpy(line, start, n);
		line[n] = '\0';
		pos += n + (nl ? 1 : 0);
		if ((err = parse_line(&p, line)))
			return err;
	}
	return validate(&p);
}

int xl_parse_file(struct xl_lab *lab, const char *path)
{
	char *buf;
	size_t len = 0;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return xl_fail(-errno, "cannot open lab file %s: %s", path, strerror(errno));
	buf = malloc(XL_MAX_FILE + 1);
	if (!buf) {
		err = xl_fail(-ENOMEM, "cannot read %s: out of memory", path);
		goto out_close;
	}
	/* Read one byte more than allowed, to tell "exactly the limit" from "too big". */
	while (len <= XL_MAX_FILE) {
		ssize_t n = read(fd, buf + len, XL_MAX_FILE + 1 - len);

		if (n < 0) {
			err = xl_fail(-errno, "cannot read lab file %s: %s", path, strerror(errno));
			goto out_free;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	err = xl_parse(lab, path, buf, len);
out_free:
	free(buf);
out_close:
	close(fd);
	return err;
}
