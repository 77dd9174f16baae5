// SPDX-License-Identifier: MIT OR Apache-2.0
/* Reading a namespace's interfaces and addresses (see state.h), on a thread inside it. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <netlink/cache.h>
#include <netlink/route/link/macvlan.h>

#include "lab.h"
#include "netns.h"
#include "nl.h"
#include "state.h"

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000	/* <linux/if.h>, which clashes with <net/if.h> */
#endif

static int mode_of(uint32_t nl_mode)
{
	for (int m = XL_MV_BRIDGE; m <= XL_MV_PASSTHRU; m++)
		if (xl_macvlan_mode_nl((enum xl_macvlan_mode)m) == nl_mode)
			return m;
	return -1;
}

static void read_link(struct xl_link_state *s, struct rtnl_link *l, int ioctl_fd)
{
	struct nl_addr *mac = rtnl_link_get_addr(l);
	const char *kind = rtnl_link_get_type(l);
	unsigned int flags = rtnl_link_get_flags(l), rx, tx;

	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", rtnl_link_get_name(l) ? rtnl_link_get_name(l) : "?");
	snprintf(s->kind, sizeof(s->kind), "%s", kind ? kind : "");
	s->ifindex = rtnl_link_get_ifindex(l);
	s->link = rtnl_link_get_link(l);
	s->master = rtnl_link_get_master(l);
	s->mtu = rtnl_link_get_mtu(l);
	s->rx_queues = rtnl_link_get_num_rx_queues(l);
	s->tx_queues = rtnl_link_get_num_tx_queues(l);
	if (mac && nl_addr_get_len(mac) == 6) {
		s->has_mac = true;
		memcpy(s->mac, nl_addr_get_binary_addr(mac), 6);
	}
	s->up = flags & IFF_UP;
	s->carrier = flags & IFF_LOWER_UP;
	s->usable_rx = s->usable_tx = -1;
	if (!xl_ethtool_channels_get(ioctl_fd, s->name, &rx, &tx) && (rx || tx)) {
		s->usable_rx = (int)rx;
		s->usable_tx = (int)tx;
	}
	s->gro = xl_ethtool_gro_get(ioctl_fd, s->name);
	if (s->gro < 0)
		s->gro = -1;
	s->mode = rtnl_link_is_macvlan(l) ? mode_of(rtnl_link_macvlan_get_mode(l)) : -1;
}

static void read_addr(struct xl_ns_state *st, struct rtnl_addr *a)
{
	struct nl_addr *local = rtnl_addr_get_local(a);
	int family = rtnl_addr_get_family(a), ifindex = rtnl_addr_get_ifindex(a);
	char host[INET6_ADDRSTRLEN];
	const uint8_t *bytes;

	if (!local || (family != AF_INET && family != AF_INET6) ||
	    nl_addr_get_len(local) != (family == AF_INET ? 4u : 16u))
		return;
	bytes = nl_addr_get_binary_addr(local);
	if (family == AF_INET6 && bytes[0] == 0xfe && (bytes[1] & 0xc0) == 0x80)
		return;
	for (int i = 0; i < st->nlinks; i++) {
		struct xl_link_state *s = &st->links[i];

		if (s->ifindex != ifindex)
			continue;
		if (s->naddrs >= XL_STATE_ADDRS) {
			st->truncated = true;
			return;
		}
		s->addrs[s->naddrs].family = family;
		memcpy(s->addrs[s->naddrs].bytes, bytes, family == AF_INET ? 4 : 16);
		inet_ntop(family, bytes, host, sizeof(host));
		snprintf(s->addrs[s->naddrs].text, sizeof(s->addrs[0].text), "%s/%d", host, rtnl_addr_get_prefixlen(a));
		s->naddrs++;
		return;
	}
}

static int read_in_ns(void *arg)
{
	struct xl_ns_state *st = arg;
	struct nl_cache *links = NULL, *addrs = NULL;
	struct nl_object *obj;
	struct xl_nl nl;
	int err, fd, k;

	if ((err = xl_nl_open(&nl)))
		return err;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err = xl_fail(-errno, "cannot open a socket for ethtool requests: %s", strerror(errno));
		goto out;
	}
	err = rtnl_link_alloc_cache(nl.sk, AF_UNSPEC, &links);
	if (!err)
		err = rtnl_addr_alloc_cache(nl.sk, &addrs);
	if (err) {
		/* The kernel's errno when it answered one (kept by xl_nl_open's handler), not libnl's code for it. */
		err = nl.err ? xl_fail(-nl.err, "cannot list interfaces and addresses: %s", strerror(nl.err))
			     : xl_fail(-EIO, "cannot list interfaces and addresses (libnl said: %s)", nl_geterror(err));
		goto out;
	}
	obj = nl_cache_get_first(links);
	for (k = 0; obj && k < XL_STATE_LINKS + 1; k++, obj = nl_cache_get_next(obj)) {
		struct rtnl_link *l = (struct rtnl_link *)obj;

		if (st->nlinks >= XL_STATE_LINKS) {
			st->truncated = true;
			break;
		}
		read_link(&st->links[st->nlinks], l, fd);
		if (!strcmp(st->links[st->nlinks].name, "lo") && rtnl_link_get_ifalias(l))
			snprintf(st->alias, sizeof(st->alias), "%s", rtnl_link_get_ifalias(l));
		st->nlinks++;
	}
	for (int i = 0; i < st->nlinks; i++) {
		struct xl_link_state *s = &st->links[i];

		for (int j = 0; s->master > 0 && j < st->nlinks; j++)
			if (st->links[j].ifindex == s->master)
				snprintf(s->master_name, sizeof(s->master_name), "%s", st->links[j].name);
		if (s->mode < 0 && strcmp(s->kind, "macvlan"))
			continue;
		for (int j = 0; j < st->nlinks; j++)
			if (st->links[j].ifindex == s->link)
				snprintf(s->parent, sizeof(s->parent), "%s", st->links[j].name);
	}
	obj = nl_cache_get_first(addrs);
	for (k = 0; obj && k < XL_STATE_LINKS * XL_STATE_ADDRS; k++, obj = nl_cache_get_next(obj))
		read_addr(st, (struct rtnl_addr *)obj);
	err = 0;
out:
	if (addrs)
		nl_cache_free(addrs);
	if (links)
		nl_cache_free(links);
	if (fd >= 0)
		close(fd);
	xl_nl_close(&nl);
	return err;
}

int xl_state_read(const char *ns, struct xl_ns_state *st)
{
	int fd, err;

	memset(st, 0, sizeof(*st));
	if (!xl_netns_exists(ns))
		return 0;
	fd = xl_netns_open(ns);
	if (fd < 0)
		return fd;
	st->present = true;
	err = xl_netns_run(fd, read_in_ns, st);
	close(fd);
	return err;
}

const struct xl_link_state *xl_state_link(const struct xl_ns_state *st, const char *name)
{
	for (int i = 0; i < st->nlinks && i < XL_STATE_LINKS; i++)
		if (!strcmp(st->links[i].name, name))
			return &st->links[i];
	return NULL;
}
