// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * libFuzzer target for the lab-file parser.  Any input must end in either a model that holds the
 * invariants `up` relies on (checked below) or an error message naming the file; never a crash, a
 * read out of bounds or an endless loop.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "lab.h"

#define CHECK(cond)                                                                                                    \
	do {                                                                                                           \
		if (!(cond))                                                                                           \
			__builtin_trap();                                                                              \
	} while (0)

/* Unicast, not loopback, not unspecified: an address an interface of a lab can use. */
static bool addr_usable(const struct xl_addr *a)
{
	static const uint8_t zero[16];
	const uint8_t *b = a->bytes;

	if (a->family == AF_INET)
		return memcmp(b, zero, 4) && b[0] != 127 && (b[0] & 0xf0) != 224 &&
		       !(b[0] == 255 && b[1] == 255 && b[2] == 255 && b[3] == 255);
	return memcmp(b, zero, 16) && !(!memcmp(b, zero, 15) && b[15] == 1) && b[0] != 0xff;
}

static void check_model(const struct xl_lab *lab)
{
	CHECK(xl_lab_name_ok(lab->name));
	CHECK(lab->nnodes >= 1 && lab->nnodes <= XL_MAX_NODES);
	CHECK(lab->nifaces >= 0 && lab->nifaces <= XL_MAX_IFACES);
	for (int n = 0; n < lab->nnodes; n++) {
		const struct xl_node *node = &lab->nodes[n];
		size_t ln = strlen(lab->name);

		CHECK(xl_node_name_ok(node->name));
		CHECK(!strncmp(node->ns, lab->name, ln) && node->ns[ln] == '-' && !strcmp(node->ns + ln + 1, node->name));
		CHECK(xl_lab_node(lab, node->name) == n);
	}
	for (int i = 0; i < lab->nifaces; i++) {
		const struct xl_iface *f = &lab->ifaces[i];
		size_t len = strnlen(f->name, IFNAMSIZ);

		CHECK(len > 0 && len < IFNAMSIZ);
		CHECK(f->node >= 0 && f->node < lab->nnodes);
		CHECK(xl_lab_iface(lab, f->node, f->name) == i);	/* names unique per node */
		if (f->kind == XL_VETH) {
			CHECK(f->peer >= 0 && f->peer < lab->nifaces && f->peer != i);
			CHECK(lab->ifaces[f->peer].peer == i && lab->ifaces[f->peer].kind == XL_VETH);
			CHECK(f->parent == -1);
		} else {
			CHECK(f->kind == XL_MACVLAN && f->peer == -1);
			CHECK(f->parent >= 0 && f->parent < i);	/* declared before: no cycle */
			CHECK(lab->ifaces[f->parent].node == f->node);
			CHECK(!f->gro && !f->threaded);
			CHECK(!f->mtu || f->mtu <= xl_lab_mtu(lab, f->parent));
		}
		CHECK(!f->mtu || (f->mtu >= XL_MTU_MIN && f->mtu <= XL_MTU_MAX));
		CHECK(f->queues <= XL_QUEUES_MAX);
		CHECK(!f->threaded || f->gro);
		CHECK(!f->has_mac || !(f->mac[0] & 1));
		CHECK(f->naddrs >= 0 && f->naddrs <= XL_MAX_ADDRS);
		for (int k = 0; k < f->naddrs; k++) {
			const struct xl_addr *a = &f->addrs[k];

			CHECK(a->family == AF_INET || a->family == AF_INET6);
			CHECK(a->prefix >= 1 && a->prefix <= (a->family == AF_INET ? 32 : 128));
			CHECK(addr_usable(a));
			CHECK(memchr(a->text, '\0', sizeof(a->text)) && strchr(a->text, '/'));
			CHECK(a->family == AF_INET || xl_lab_mtu(lab, i) >= XL_MTU_IPV6_MIN);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct xl_lab *lab;

	if (!lab && !(lab = malloc(sizeof(*lab))))
		return 0;
	if (xl_parse(lab, "f.lab", (const char *)data, size) == 0)
		check_model(lab);
	else
		CHECK(!strncmp(xl_errmsg(), "f.lab:", 6));
	return 0;
}
