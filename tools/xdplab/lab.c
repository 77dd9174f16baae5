// SPDX-License-Identifier: MIT OR Apache-2.0
/* Queries on a parsed lab: lookups, effective values, names. */
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

unsigned int xl_lab_mtu(const struct xl_lab *lab, int i)
{
	/* A macvlan without an MTU inherits its parent's; parents are declared first, so no cycle. */
	for (int hops = 0; hops < XL_MAX_IFACES && i >= 0 && i < lab->nifaces; hops++) {
		const struct xl_iface *f = &lab->ifaces[i];

		if (f->mtu)
			return f->mtu;
		if (f->kind == XL_VETH)
			break;
		i = f->parent;
	}
	return XL_MTU_DEFAULT;
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
