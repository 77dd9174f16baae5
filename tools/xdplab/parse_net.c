// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * The lab file's lines about what goes inside the nodes once their interfaces exist (route,
 * sysctl, neigh), what is run once the lab is up (exec) and what `xdplab test` checks (expect).
 * See parse.c for the grammar.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "lab.h"
#include "parse.h"

#define ROUTE_USAGE "route NODE PREFIX via ADDR [dev IF], route NODE PREFIX dev IF or route NODE default via ADDR [dev IF]"

/* "198.18.2.0/24" with no host bits set, or "default" (family still unknown: 0). */
static int parse_prefix(const struct parser *p, const char *s, struct xl_route *r)
{
	const char *slash = strchr(s, '/');
	char host[64], net[64];
	unsigned long len;
	int max, rc;

	if (!strcmp(s, "default"))
		return 0;
	if (!slash || (size_t)(slash - s) >= sizeof(host))
		return xlp_err(p, "'%s' is not a prefix like 198.18.2.0/24 or 2001:2:0:2::/64 (or 'default')", SHOW(s));
	memcpy(host, s, (size_t)(slash - s));
	host[slash - s] = '\0';
	if (inet_pton(AF_INET, host, r->dst) == 1)
		r->family = AF_INET;
	else if (inet_pton(AF_INET6, host, r->dst) == 1)
		r->family = AF_INET6;
	else
		return xlp_err(p, "'%s' is not a prefix like 198.18.2.0/24 or 2001:2:0:2::/64 (or 'default')", SHOW(s));
	max = r->family == AF_INET ? 32 : 128;
	if ((rc = xlp_uint(slash + 1, 0, (unsigned long)max, &len)))
		return xlp_err(p, "prefix length '%s' of %s is %s (0..%d)", SHOW(slash + 1), host,
			       rc == 1 ? "not a number" : "out of range", max);
	r->prefix = (uint8_t)len;
	/* The kernel refuses an IPv4 prefix with host bits set and quietly clears them for IPv6: either
	 * way the file would not say what the node gets. */
	for (int b = r->prefix; b < max; b++)
		if (r->dst[b / 8] & (0x80 >> (b % 8))) {
			uint8_t clean[16];

			memcpy(clean, r->dst, 16);
			for (int c = r->prefix; c < max; c++)
				clean[c / 8] &= (uint8_t)~(0x80 >> (c % 8));
			return xlp_err(p, "%s has host bits set: the prefix is %s/%u", SHOW(s), xl_ip_str(r->family, clean, net),
				       r->prefix);
		}
	return 0;
}

int xlp_route(struct parser *p)
{
	struct xl_lab *lab = p->lab;
	struct xl_route r = { .dev = -1 };
	char buf[64], via[64] = "";
	int node, w, err;

	if (p->nw < 4)
		return xlp_err(p, "'route' needs a node, a prefix and a next hop: " ROUTE_USAGE);
	if ((node = xlp_node(p, p->w[1])) < 0)
		return node;
	if ((err = parse_prefix(p, p->w[2], &r)))
		return err;
	for (w = 3; w < p->nw; w += 2) {
		bool is_via = !strcmp(p->w[w], "via");

		if (!is_via && strcmp(p->w[w], "dev"))
			return xlp_err(p, "unknown word '%s' in route (expected %s)", SHOW(p->w[w]), ROUTE_USAGE);
		if (w + 1 >= p->nw)
			return xlp_err(p, "'%s' needs a value: %s", p->w[w], is_via ? "via ADDR" : "dev IF");
		if (is_via ? r.has_via : r.dev >= 0)
			return xlp_err(p, "'%s' is given twice on this line", p->w[w]);
		if (is_via) {
			int family;

			if ((err = xlp_ip(p, p->w[w + 1], &family, r.via)))
				return err;
			if (r.family && family != r.family)
				return xlp_err(p, "gateway %s is %s but prefix %s is %s", p->w[w + 1],
					       family == AF_INET ? "IPv4" : "IPv6", p->w[2], r.family == AF_INET ? "IPv4" : "IPv6");
			r.family = family;
			r.has_via = true;
			xl_ip_str(family, r.via, via);
			continue;
		}
		r.dev = xl_lab_iface(lab, node, p->w[w + 1]);
		if (r.dev < 0)
			return xlp_err(p, "dev '%s' is not an interface of node %s (declare it before this line)",
				       SHOW(p->w[w + 1]), lab->nodes[node].name);
	}
	if (!r.family)
		return xlp_err(p, "'default' needs 'via ADDR': the gateway's family says whether it is the IPv4 or the IPv6 "
			       "default route");
	if (!r.has_via && r.dev < 0)
		return xlp_err(p, "route to %s needs a next hop: 'via ADDR' or 'dev IF'", p->w[2]);
	if (r.has_via) {
		int own;

		char what[80];

		snprintf(what, sizeof(what), "gateway %s", via);
		if ((err = xlp_unicast(p, r.family, r.via, what)))
			return err;
		if ((own = xl_lab_owner(lab, node, r.family, r.via)) >= 0)
			return xlp_err(p, "gateway %s is node %s's own address (on %s): a gateway is another node", via,
				       lab->nodes[node].name, XL_END(lab, own));
		if (r.family == AF_INET6 && r.via[0] == 0xfe && (r.via[1] & 0xc0) == 0x80 && r.dev < 0)
			return xlp_err(p, "link-local gateway %s needs 'dev IF': every link has fe80::/64", via);
	}
	for (int k = 0; k < lab->nroutes; k++) {
		const struct xl_route *o = &lab->routes[k];

		if (o->node == node && o->family == r.family && o->prefix == r.prefix && !memcmp(o->dst, r.dst, 16))
			return xlp_err(p, "node %s already has a route to %s (line %d)", lab->nodes[node].name,
				       r.prefix ? p->w[2] : r.family == AF_INET ? "default (IPv4)" : "default (IPv6)", o->line);
	}
	if (lab->nroutes >= XL_MAX_ROUTES)
		return xlp_err(p, "more than %d routes in one lab", XL_MAX_ROUTES);
	r.node = node;
	r.line = p->line;
	if (r.prefix)
		snprintf(r.text, sizeof(r.text), "%s/%u", xl_ip_str(r.family, r.dst, buf), r.prefix);
	else
		snprintf(r.text, sizeof(r.text), "default");
	if (r.has_via)
		snprintf(r.text + strlen(r.text), sizeof(r.text) - strlen(r.text), " via %s", via);
	if (r.dev >= 0)
		snprintf(r.text + strlen(r.text), sizeof(r.text) - strlen(r.text), " dev %s", lab->ifaces[r.dev].name);
	lab->routes[lab->nroutes++] = r;
	return 0;
}

/*
 * sysctl NODE KEY=VALUE.  Only net.* keys: the others are the whole machine's, and setting them
 * "in a node" would change the host.  Whether the key exists is the node's kernel's to say, at up.
 */
int xlp_sysctl(struct parser *p)
{
	struct xl_lab *lab = p->lab;
	const char *eq, *key = p->nw == 3 ? p->w[2] : "";
	struct xl_sysctl *s;
	size_t klen;
	int node;

	if (p->nw != 3 || !(eq = strchr(key, '=')))
		return xlp_err(p, "'sysctl' takes a node and one KEY=VALUE: sysctl NODE net.ipv4.ip_forward=1 (quote a "
			       "value with spaces)");
	if ((node = xlp_node(p, p->w[1])) < 0)
		return node;
	klen = (size_t)(eq - key);
	if (klen >= XL_SYSCTL_MAX || strlen(eq + 1) >= XL_SYSCTL_MAX)
		return xlp_err(p, "sysctl '%s' is too long (keys and values have at most %d characters)", SHOW(key),
			       XL_SYSCTL_MAX - 1);
	if (strncmp(key, "net.", 4) || klen == 4)
		return xlp_err(p, "sysctl '%.*s' is not a net.* key: only those belong to a node's namespace (any other "
			       "would change the whole machine)", (int)(klen < 40 ? klen : 40), SHOW(key));
	for (size_t i = 0; i < klen; i++) {
		char c = key[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
		      c == '/' || (c == '.' && key[i + 1] != '.' && key[i + 1] != '=')))
			return xlp_err(p, "sysctl key '%.*s' is not a key like net.ipv4.ip_forward (letters, digits, '_', '-', "
				       "and '.' between names)", (int)(klen < 40 ? klen : 40), SHOW(key));
	}
	if (!eq[1])
		return xlp_err(p, "sysctl %.*s needs a value after '='", (int)klen, key);
	for (const char *v = eq + 1; *v; v++)
		if ((unsigned char)*v < ' ' || *v == 127)
			return xlp_err(p, "the value of sysctl %.*s has a control character", (int)klen, key);
	for (int k = 0; k < lab->nsysctls; k++)
		if (lab->sysctls[k].node == node && strlen(lab->sysctls[k].key) == klen &&
		    !strncmp(lab->sysctls[k].key, key, klen))
			return xlp_err(p, "sysctl %s of node %s is already set on line %d", lab->sysctls[k].key,
				       lab->nodes[node].name, lab->sysctls[k].line);
	if (lab->nsysctls >= XL_MAX_SYSCTLS)
		return xlp_err(p, "more than %d sysctls in one lab", XL_MAX_SYSCTLS);
	s = &lab->sysctls[lab->nsysctls++];
	memset(s, 0, sizeof(*s));
	s->node = node;
	s->line = p->line;
	s->iface = -1;
	memcpy(s->key, key, klen);
	snprintf(s->value, sizeof(s->value), "%s", eq + 1);
	return 0;
}

/* neigh NODE:IF ADDR MAC: a permanent entry, as 'ip neigh add ... nud permanent' makes. */
int xlp_neigh(struct parser *p)
{
	struct xl_lab *lab = p->lab;
	struct xl_neigh n = { 0 };
	int err;

	if (p->nw != 4)
		return xlp_err(p, "'neigh' takes an interface, an address and a MAC: neigh NODE:IF 198.18.1.2 "
			       "02:00:00:00:00:02");
	if ((n.iface = xlp_declared(p, p->w[1])) < 0)
		return n.iface;
	if ((err = xlp_ip(p, p->w[2], &n.family, n.addr)))
		return err;
	xl_ip_str(n.family, n.addr, n.text);
	if ((err = xlp_unicast(p, n.family, n.addr, n.text)))
		return err;
	if ((err = xlp_mac(p, p->w[3], n.mac)))
		return err;
	for (int k = 0; k < lab->nneighs; k++)
		if (lab->neighs[k].iface == n.iface && lab->neighs[k].family == n.family &&
		    !memcmp(lab->neighs[k].addr, n.addr, 16))
			return xlp_err(p, "%s already has a neighbour %s (line %d)", XL_END(lab, n.iface), n.text,
				       lab->neighs[k].line);
	if (lab->nneighs >= XL_MAX_NEIGHS)
		return xlp_err(p, "more than %d neighbours in one lab", XL_MAX_NEIGHS);
	n.line = p->line;
	lab->neighs[lab->nneighs++] = n;
	return 0;
}

/* exec NODE [timeout SECS] -- CMD [ARG...] */
int xlp_exec(struct parser *p)
{
	struct xl_lab *lab = p->lab;
	struct xl_exec *x;
	unsigned long timeout = XL_EXEC_TIMEOUT;
	size_t used = 0;
	int node, w = 2, r;

	if (p->nw < 2)
		return xlp_err(p, "'exec' needs a node and a command: exec NODE -- CMD [ARG...]");
	if ((node = xlp_node(p, p->w[1])) < 0)
		return node;
	if (w < p->nw && !strcmp(p->w[w], "timeout")) {
		if (w + 1 >= p->nw || (r = xlp_uint(p->w[w + 1], 1, XL_EXEC_TIMEOUT_MAX, &timeout)))
			return xlp_err(p, "timeout '%s' is not a number of seconds (1..%d)", w + 1 < p->nw ? SHOW(p->w[w + 1]) : "",
				       XL_EXEC_TIMEOUT_MAX);
		w += 2;
	}
	if (w >= p->nw || strcmp(p->w[w], "--"))
		return xlp_err(p, "exec needs '--' before the command: exec NODE [timeout SECS] -- CMD [ARG...]");
	if (++w >= p->nw || !p->w[w][0])
		return xlp_err(p, "exec needs a command after '--'");
	if (lab->nexecs >= XL_MAX_EXECS)
		return xlp_err(p, "more than %d exec lines in one lab", XL_MAX_EXECS);
	x = &lab->execs[lab->nexecs++];
	memset(x, 0, sizeof(*x));
	x->node = node;
	x->line = p->line;
	x->timeout = (unsigned int)timeout;
	/* The words fit: together they are shorter than the line they came from. */
	for (; w < p->nw; w++) {
		size_t n = strlen(p->w[w]) + 1, t = strlen(x->text);

		memcpy(x->args + used, p->w[w], n);
		used += n;
		if (t + n + 4 < sizeof(x->text))
			snprintf(x->text + t, sizeof(x->text) - t, "%s%s", t ? " " : "", p->w[w]);
		else if (t + 4 < sizeof(x->text) && !strstr(x->text, "..."))
			snprintf(x->text + t, sizeof(x->text) - t, " ...");
		x->argc++;
	}
	return 0;
}

/* expect NODE ping|no-ping ADDR */
int xlp_expect(struct parser *p)
{
	struct xl_lab *lab = p->lab;
	struct xl_expect e = { 0 };
	static const uint8_t zero[16];
	int err;

	if (p->nw != 4)
		return xlp_err(p, "'expect' takes a node, ping or no-ping, and an address: expect NODE ping 198.18.2.2");
	if ((e.node = xlp_node(p, p->w[1])) < 0)
		return e.node;
	if (strcmp(p->w[2], "ping") && strcmp(p->w[2], "no-ping"))
		return xlp_err(p, "unknown expectation '%s' (expected ping or no-ping)", SHOW(p->w[2]));
	e.reach = !strcmp(p->w[2], "ping");
	if ((err = xlp_ip(p, p->w[3], &e.family, e.addr)))
		return err;
	xl_ip_str(e.family, e.addr, e.text);
	if (!memcmp(e.addr, zero, e.family == AF_INET ? 4 : 16))
		return xlp_err(p, "%s is the unspecified address: an echo needs a destination", e.text);
	if (e.family == AF_INET ? (e.addr[0] & 0xf0) == 224 || (e.addr[0] == 255 && e.addr[1] == 255 && e.addr[2] == 255 &&
								   e.addr[3] == 255)
				: e.addr[0] == 0xff)
		return xlp_err(p, "%s is a multicast or broadcast address: expect pings one unicast address", e.text);
	if (e.family == AF_INET6 && e.addr[0] == 0xfe && (e.addr[1] & 0xc0) == 0x80)
		return xlp_err(p, "%s is link-local: it needs an interface, which expect does not take; ping a global "
			       "address", e.text);
	if (lab->nexpects >= XL_MAX_EXPECTS)
		return xlp_err(p, "more than %d expect lines in one lab", XL_MAX_EXPECTS);
	e.line = p->line;
	lab->expects[lab->nexpects++] = e;
	return 0;
}

/*
 * The lab interface a sysctl key is about, or -1: net.ipv4.conf.IF.*, net.ipv6.conf.IF.* and the
 * neigh twins.  Such a key can be set only once IF exists; the node's own keys (all, default, the
 * rest) are set before the interfaces are made, so that 'default' reaches them.  In a key, an
 * interface's '.' is written '/' (as sysctl(8) writes eth0.100 as eth0/100).
 */
static int sysctl_iface(const struct xl_lab *lab, const struct xl_sysctl *s)
{
	static const char *const heads[] = { "net.ipv4.conf.", "net.ipv6.conf.", "net.ipv4.neigh.", "net.ipv6.neigh." };

	for (size_t h = 0; h < sizeof(heads) / sizeof(heads[0]); h++) {
		size_t n = strlen(heads[h]);
		const char *name = s->key + n, *dot;
		char ifname[IFNAMSIZ];

		if (strncmp(s->key, heads[h], n) || !(dot = strchr(name, '.')) || dot == name || dot - name >= IFNAMSIZ)
			continue;
		memcpy(ifname, name, (size_t)(dot - name));
		ifname[dot - name] = '\0';
		for (char *c = ifname; *c; c++)
			if (*c == '/')
				*c = '.';
		return xl_lab_iface(lab, s->node, ifname);
	}
	return -1;
}

int xlp_check_net(const struct parser *p)
{
	struct xl_lab *lab = p->lab;

	for (int k = 0; k < lab->nsysctls; k++)
		lab->sysctls[k].iface = sysctl_iface(lab, &lab->sysctls[k]);
	for (int k = 0; k < lab->nroutes; k++) {
		const struct xl_route *r = &lab->routes[k];

		if (r->dev >= 0 && r->family == AF_INET6 && xl_lab_mtu(lab, r->dev) < XL_MTU_IPV6_MIN)
			return xlp_lerr(p, r->line, "IPv6 route %s needs mtu %d or more on %s (it has %u; the kernel turns "
					"IPv6 off below that)", r->text, XL_MTU_IPV6_MIN, XL_END(lab, r->dev),
					xl_lab_mtu(lab, r->dev));
	}
	return 0;
}
