// SPDX-License-Identifier: MIT OR Apache-2.0
/* The stream a sender sends (xdpgen.h, struct xg_stream): addresses, templates, cycles. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "xdpgen.h"

static const char *ip_str(int family, const uint8_t *ip, char *buf, size_t len)
{
	if (!inet_ntop(family, ip, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

int xg_stream_open(struct xg_stream *s, const struct xg_cfg *c, const struct xg_iface *ifc)
{
	char ip[INET6_ADDRSTRLEN];
	uint32_t i;
	int err;

	memset(s, 0, sizeof(*s));
	s->a = c->a;
	if (!c->have_src_mac)
		memcpy(s->a.src_mac, ifc->mac, 6);
	if (!c->have_dst_mac) {
		err = xg_neigh_lookup(ifc->ifindex, s->a.family, s->a.dst_ip, s->a.dst_mac);
		if (err) {
			ip_str(s->a.family, s->a.dst_ip, ip, sizeof(ip));
			if (err == -ENOENT)
				xg_err(c->cmd, "no --dst-mac, and the neighbour table has no entry for %s on %s: give "
				       "--dst-mac, or add one ('ip neigh replace %s lladdr MAC dev %s nud permanent')",
				       ip, ifc->name, ip, ifc->name);
			else
				xg_err(c->cmd, "no --dst-mac, and the neighbour table cannot be read (%s): give --dst-mac",
				       strerror(-err));
			return err == -ENOENT ? XG_EXIT_USAGE : XG_EXIT_FAIL;
		}
	}
	s->tmpl = calloc(c->nsizes, sizeof(*s->tmpl));
	if (!s->tmpl) {
		xg_err(c->cmd, "out of memory for %u frame templates", c->nsizes);
		return XG_EXIT_FAIL;
	}
	s->nsizes = c->nsizes;
	for (i = 0; i < c->nsizes; i++) {
		/* Lengths were checked against the IP version by the parser: this cannot fail. */
		if (xg_tmpl_build(&s->tmpl[i], &s->a, c->sizes[i])) {
			xg_err(c->cmd, "cannot build a frame of %u bytes", c->sizes[i]);
			return XG_EXIT_USAGE;
		}
		if (c->sizes[i] > s->max_len)
			s->max_len = c->sizes[i];
	}
	memcpy(s->cycle, c->cycle, sizeof(s->cycle));
	s->cycle_len = c->cycle_len;
	for (i = 0; i < s->cycle_len; i++)
		s->cycle_bytes += s->tmpl[s->cycle[i]].len;
	s->flows = c->flows;
	return 0;
}

void xg_stream_close(struct xg_stream *s)
{
	free(s->tmpl);
	s->tmpl = NULL;
}

uint64_t xg_stream_bytes(const struct xg_stream *s, uint64_t frames)
{
	uint64_t bytes = frames / s->cycle_len * s->cycle_bytes;
	uint32_t i;

	for (i = 0; i < frames % s->cycle_len; i++)
		bytes += s->tmpl[s->cycle[i]].len;
	return bytes;
}

const char *xg_stream_str(const struct xg_stream *s, char *buf, size_t len)
{
	char sip[INET6_ADDRSTRLEN], dip[INET6_ADDRSTRLEN], sizes[128], ports[32];
	const uint8_t *m = s->a.dst_mac;
	size_t off = 0;
	uint32_t i;
	bool v6 = s->a.family == AF_INET6;

	for (i = 0; i < s->nsizes && off < sizeof(sizes); i++)
		off += (size_t)snprintf(sizes + off, sizeof(sizes) - off, "%s%u", i ? "," : "", s->tmpl[i].len);
	if (s->flows > 1)
		snprintf(ports, sizeof(ports), "%u-%u", s->a.sport, s->a.sport + s->flows - 1);
	else
		snprintf(ports, sizeof(ports), "%u", s->a.sport);
	snprintf(buf, len, "%s-byte UDP/IPv%c frames %s%s%s:%s -> %s%s%s:%u (to %02x:%02x:%02x:%02x:%02x:%02x)", sizes,
		 v6 ? '6' : '4', v6 ? "[" : "", ip_str(s->a.family, s->a.src_ip, sip, sizeof(sip)), v6 ? "]" : "",
		 ports, v6 ? "[" : "", ip_str(s->a.family, s->a.dst_ip, dip, sizeof(dip)), v6 ? "]" : "", s->a.dport,
		 m[0], m[1], m[2], m[3], m[4], m[5]);
	return buf;
}
