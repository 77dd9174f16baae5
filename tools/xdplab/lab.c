// SPDX-License-Identifier: MIT OR Apache-2.0
/* Queries on a parsed lab: lookups, effective values, names. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <linux/if_link.h>

#include "lab.h"

int xl_lab_node(const struct xl_lab *lab, const char *name)
{
	for (int i = 0; i < lab->nnodes && i < XL_MAX_NODES; i++)
		if (!strcmp(lab->nodes[i].name, name))
			return i;
	return -1;
}

int xl_lab_iface(const struct xl_lab *lab, int node, const char *name)
{
	for (int i = 0; i < lab->nifaces && i < XL_MAX_IFACES; i++)
		if (lab->ifaces[i].node == node && !strcmp(lab->ifaces[i].name, name))
			return i;
	return -1;
}

/*
 * One pass over the interfaces up to @i, each from those declared before it (a macvlan's parent, a
 * bridge's ports), so every lookup is linear and a hand-made model cannot make it loop.  A macvlan
 * without an MTU of its own inherits its parent's; a bridge takes the smallest of its ports'
 * (none: 1500), as the kernel does.
 */
unsigned int xl_lab_mtu(const struct xl_lab *lab, int i)
{
	unsigned int mtu[XL_MAX_IFACES], ports_min[XL_MAX_IFACES] = { 0 };

	if (i < 0 || i >= lab->nifaces || i >= XL_MAX_IFACES)
		return XL_MTU_DEFAULT;
	for (int j = 0; j <= i; j++) {
		const struct xl_iface *f = &lab->ifaces[j];

		mtu[j] = XL_MTU_DEFAULT;
		if (f->mtu)
			mtu[j] = f->mtu;
		else if (f->kind == XL_MACVLAN && f->parent >= 0 && f->parent < j)
			mtu[j] = mtu[f->parent];
		else if (f->kind == XL_BRIDGE && ports_min[j])
			mtu[j] = ports_min[j];
		if (f->master > j && f->master < XL_MAX_IFACES && (!ports_min[f->master] || mtu[j] < ports_min[f->master]))
			ports_min[f->master] = mtu[j];
	}
	return mtu[i];
}

static const char *const mode_names[] = { "bridge", "private", "vepa", "passthru" };

const char *xl_macvlan_mode_str(enum xl_macvlan_mode mode)
{
	return (unsigned int)mode < 4 ? mode_names[mode] : "?";
}

uint32_t xl_macvlan_mode_nl(enum xl_macvlan_mode mode)
{
	switch (mode) {
	case XL_MV_PRIVATE:
		return MACVLAN_MODE_PRIVATE;
	case XL_MV_VEPA:
		return MACVLAN_MODE_VEPA;
	case XL_MV_PASSTHRU:
		return MACVLAN_MODE_PASSTHRU;
	case XL_MV_BRIDGE:
	default:
		return MACVLAN_MODE_BRIDGE;
	}
}

const char *xl_lab_end(const struct xl_lab *lab, int i, char *buf)
{
	snprintf(buf, XL_END_MAX, "%s:%s", lab->nodes[lab->ifaces[i].node].name, lab->ifaces[i].name);
	return buf;
}

const char *xl_lab_mark(const struct xl_lab *lab, int node, char *buf)
{
	snprintf(buf, XL_MARK_MAX, "%s%s:%s", XL_MARK_PREFIX, lab->name, lab->nodes[node].name);
	return buf;
}

const char *xl_mac_str(const uint8_t mac[6], char *buf)
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	return buf;
}

/*
 * Node names have no '-': the namespace is "<lab>-<node>", so with a '-'-free node the name splits
 * back at its last '-' and two labs can never produce the same namespace.
 */
static bool name_ok(const char *s, size_t max, bool dash)
{
	size_t n = strnlen(s, max + 1);

	if (n == 0 || n > max || !isalnum((unsigned char)s[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && !(dash && s[i] == '-'))
			return false;
	return true;
}

bool xl_lab_name_ok(const char *name)
{
	return name_ok(name, XL_LAB_NAME_MAX, true);
}

bool xl_node_name_ok(const char *name)
{
	return name_ok(name, XL_NODE_NAME_MAX, false);
}

const char *xl_kind_str(enum xl_kind kind)
{
	return kind == XL_VETH ? "veth" : kind == XL_MACVLAN ? "macvlan" : kind == XL_BRIDGE ? "bridge" : "?";
}

const struct xl_offload *xl_lab_offload(const struct xl_lab *lab, int i, const char *name)
{
	const struct xl_iface *f = &lab->ifaces[i];

	for (int k = 0; k < f->noffloads && k < XL_MAX_OFFLOADS; k++)
		if (!strcmp(f->offloads[k].name, name))
			return &f->offloads[k];
	return NULL;
}

bool xl_lab_gro(const struct xl_lab *lab, int i)
{
	const struct xl_offload *o = xl_lab_offload(lab, i, "gro");

	if (!o)
		o = xl_lab_offload(lab, i, "rx-gro");
	return lab->ifaces[i].gro || (o && o->on);
}

void xl_exec_argv(const struct xl_exec *x, char *argv[])
{
	const char *p = x->args;
	int k;

	/* The parser wrote argc words, each NUL-terminated, into args: walk them within its bounds. */
	for (k = 0; k < x->argc && k < XL_MAX_WORDS && p < x->args + sizeof(x->args); k++) {
		argv[k] = (char *)p;
		p += strnlen(p, (size_t)(x->args + sizeof(x->args) - p)) + 1;
	}
	argv[k] = NULL;
}

const char *xl_ip_str(int family, const uint8_t *bytes, char *buf)
{
	if (!inet_ntop(family, bytes, buf, 64))
		snprintf(buf, 64, "?");
	return buf;
}

const char *xl_lab_summary(const struct xl_lab *lab, char *buf, size_t len)
{
	int veths = 0, macvlans = 0, bridges = 0;
	size_t n;

#define S(x) (x) == 1 ? "" : "s"
	for (int i = 0; i < lab->nifaces; i++) {
		veths += lab->ifaces[i].kind == XL_VETH && lab->ifaces[i].peer > i;
		macvlans += lab->ifaces[i].kind == XL_MACVLAN;
		bridges += lab->ifaces[i].kind == XL_BRIDGE;
	}
	snprintf(buf, len, "%d node%s, %d veth pair%s, %d macvlan%s", lab->nnodes, S(lab->nnodes), veths, S(veths),
		 macvlans, S(macvlans));
	/* The rest only when the file has some: the words of labs without them stay as they were. */
	n = strlen(buf);
	if (bridges && n < len)
		n += (size_t)snprintf(buf + n, len - n, ", %d bridge%s", bridges, S(bridges));
	if (lab->nroutes && n < len)
		n += (size_t)snprintf(buf + n, len - n, ", %d route%s", lab->nroutes, S(lab->nroutes));
	if (lab->nsysctls && n < len)
		n += (size_t)snprintf(buf + n, len - n, ", %d sysctl%s", lab->nsysctls, S(lab->nsysctls));
	if (lab->nneighs && n < len)
		n += (size_t)snprintf(buf + n, len - n, ", %d neighbour%s", lab->nneighs, S(lab->nneighs));
	if (lab->nexecs && n < len)
		n += (size_t)snprintf(buf + n, len - n, ", %d exec line%s", lab->nexecs, S(lab->nexecs));
	if (lab->nexpects && n < len)
		snprintf(buf + n, len - n, ", %d expectation%s", lab->nexpects, S(lab->nexpects));
#undef S
	return buf;
}

void xl_jstr(const char *s)
{
	putchar('"');
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

int xl_lab_owner(const struct xl_lab *lab, int node, int family, const uint8_t *bytes)
{
	for (int i = 0; i < lab->nifaces; i++) {
		const struct xl_iface *f = &lab->ifaces[i];

		for (int k = 0; (node < 0 || f->node == node) && k < f->naddrs; k++)
			if (f->addrs[k].family == family && !memcmp(f->addrs[k].bytes, bytes, 16))
				return i;
	}
	return -1;
}
