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

/* What parse_net.c and parse_link.c promise about the lines of issue 14. */
static void check_net(const struct xl_lab *lab)
{
	CHECK(lab->nroutes >= 0 && lab->nroutes <= XL_MAX_ROUTES);
	CHECK(lab->nsysctls >= 0 && lab->nsysctls <= XL_MAX_SYSCTLS);
	CHECK(lab->nneighs >= 0 && lab->nneighs <= XL_MAX_NEIGHS);
	CHECK(lab->nexecs >= 0 && lab->nexecs <= XL_MAX_EXECS);
	CHECK(lab->nexpects >= 0 && lab->nexpects <= XL_MAX_EXPECTS);
	for (int k = 0; k < lab->nroutes; k++) {
		const struct xl_route *r = &lab->routes[k];
		int max = r->family == AF_INET ? 32 : 128;

		CHECK(r->node >= 0 && r->node < lab->nnodes);
		CHECK(r->family == AF_INET || r->family == AF_INET6);
		CHECK(r->prefix <= max);
		for (int b = r->prefix; b < max; b++)	/* no host bits */
			CHECK(!(r->dst[b / 8] & (0x80 >> (b % 8))));
		CHECK(r->has_via || r->dev >= 0);
		CHECK(r->dev == -1 || (r->dev < lab->nifaces && lab->ifaces[r->dev].node == r->node));
		CHECK(memchr(r->text, '\0', sizeof(r->text)));
		for (int j = 0; j < k; j++)	/* one route per prefix and node */
			CHECK(!(lab->routes[j].node == r->node && lab->routes[j].family == r->family &&
				lab->routes[j].prefix == r->prefix && !memcmp(lab->routes[j].dst, r->dst, 16)));
	}
	for (int k = 0; k < lab->nsysctls; k++) {
		const struct xl_sysctl *s = &lab->sysctls[k];

		CHECK(s->node >= 0 && s->node < lab->nnodes);
		CHECK(!strncmp(s->key, "net.", 4) && !strstr(s->key, "..") && !strchr(s->key, '='));
		CHECK(memchr(s->value, '\0', sizeof(s->value)) && s->value[0]);
		CHECK(s->iface == -1 || (s->iface < lab->nifaces && lab->ifaces[s->iface].node == s->node));
	}
	for (int k = 0; k < lab->nneighs; k++) {
		const struct xl_neigh *n = &lab->neighs[k];

		CHECK(n->iface >= 0 && n->iface < lab->nifaces);
		CHECK(n->family == AF_INET || n->family == AF_INET6);
		CHECK(!(n->mac[0] & 1));
	}
	for (int k = 0; k < lab->nexecs; k++) {
		const struct xl_exec *x = &lab->execs[k];
		char *argv[XL_MAX_WORDS + 1];
		int n = 0;

		CHECK(x->node >= 0 && x->node < lab->nnodes);
		CHECK(x->timeout >= 1 && x->timeout <= XL_EXEC_TIMEOUT_MAX);
		CHECK(x->argc >= 1 && x->argc < XL_MAX_WORDS);
		xl_exec_argv(x, argv);
		while (argv[n])
			n++;
		CHECK(n == x->argc && argv[0][0]);
		CHECK(memchr(x->text, '\0', sizeof(x->text)));
	}
	for (int k = 0; k < lab->nexpects; k++)
		CHECK(lab->expects[k].node >= 0 && lab->expects[k].node < lab->nnodes &&
		      (lab->expects[k].family == AF_INET || lab->expects[k].family == AF_INET6));
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
		} else if (f->kind == XL_BRIDGE) {
			CHECK(f->peer == -1 && f->parent == -1 && f->master == -1);
			CHECK(!f->gro && !f->threaded && !f->queues);
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
		CHECK(f->master == -1 || (f->master > i && f->master < lab->nifaces &&
					  lab->ifaces[f->master].kind == XL_BRIDGE && lab->ifaces[f->master].node == f->node));
		CHECK(f->noffloads >= 0 && f->noffloads <= XL_MAX_OFFLOADS);
		for (int k = 0; k < f->noffloads; k++)
			CHECK(f->offloads[k].name[0] && memchr(f->offloads[k].name, '\0', XL_OFFLOAD_NAME_MAX));
		CHECK(!f->burst || (f->rate && f->burst >= xl_lab_mtu(lab, i) + 14));
		CHECK(!f->rate || (f->rate >= XL_RATE_MIN && f->rate <= XL_RATE_MAX));
		CHECK(f->loss_ppm <= 1000000 && f->delay_us <= 10000000);
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
	if (xl_parse(lab, "f.lab", (const char *)data, size) == 0) {
		check_model(lab);
		check_net(lab);
	}
	else
		CHECK(!strncmp(xl_errmsg(), "f.lab:", 6));
	return 0;
}
