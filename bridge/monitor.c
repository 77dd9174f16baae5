// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * The link monitor: RTNLGRP_LINK notifications turned into transitions a
 * forwarding daemon acts on (pause on DOWN, resume on UP, stop on GONE).
 *
 * The kernel sends RTM_NEWLINK for every change of a link, most of which a
 * daemon does not care about (statistics, promiscuity, an address added), so the
 * monitor keeps the last known state of each link and reports only transitions.
 * Two sockets: the subscription, and one for dumps, so that a dump's replies are
 * never mixed with notifications.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/rtnetlink.h>

#include "xnl.h"

/* Datagrams handled per dispatch: a burst of events cannot starve the caller's other fds. */
#define XNL_MON_BATCH 64
#define XNL_MON_MAX_LINKS (1u << 20)

struct xnl_monitor {
	struct xnl_sock *ev;		/* RTNLGRP_LINK, non-blocking */
	struct xnl_sock *req;		/* dumps: at open, and to resynchronise */
	xnl_link_fn fn;
	void *ctx;
	struct xnl_link *links;		/* last known state, unordered */
	size_t n, cap;
	unsigned long delivered;	/* events passed to fn, ever */
	bool need_resync;		/* events were lost or one was malformed */
};

static void emit(struct xnl_monitor *m, enum xnl_link_event ev, const struct xnl_link *l)
{
	/* A copy: the handler may look the table up, which we may change next. */
	struct xnl_link copy = *l;

	m->delivered++;
	m->fn(ev, &copy, m->ctx);
}

static struct xnl_link *find(const struct xnl_monitor *m, int ifindex)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (m->links[i].ifindex == ifindex)
			return &m->links[i];
	return NULL;
}

static bool changed(const struct xnl_link *a, const struct xnl_link *b)
{
	return strcmp(a->name, b->name) || a->mtu != b->mtu || a->mac_len != b->mac_len ||
	       memcmp(a->mac, b->mac, a->mac_len) || strcmp(a->kind, b->kind) ||
	       memcmp(&a->xdp, &b->xdp, sizeof(a->xdp));
}

/* A link as it is now: add it or compare it with what we knew, and report the difference. */
static int update(struct xnl_monitor *m, const struct xnl_link *l, bool report)
{
	struct xnl_link *old = find(m, l->ifindex), prev;

	if (!old) {
		if (m->n == m->cap) {
			size_t cap = m->cap ? m->cap * 2 : 16;
			struct xnl_link *v;

			if (cap > XNL_MON_MAX_LINKS)
				return xnl_seterr(-E2BIG, "more than %u links to monitor", XNL_MON_MAX_LINKS);
			v = realloc(m->links, cap * sizeof(*v));
			if (!v)
				return xnl_seterr(-ENOMEM, "out of memory for %zu monitored links", cap);
			m->links = v;
			m->cap = cap;
		}
		m->links[m->n++] = *l;
		if (report) {
			emit(m, XNL_LINK_NEW, l);
			if (xnl_link_usable(l))
				emit(m, XNL_LINK_UP, l);
		}
		return 0;
	}
	prev = *old;
	*old = *l;
	if (!report)
		return 0;
	if (changed(&prev, l))
		emit(m, XNL_LINK_CHANGED, l);
	if (xnl_link_usable(&prev) != xnl_link_usable(l))
		emit(m, xnl_link_usable(l) ? XNL_LINK_UP : XNL_LINK_DOWN, l);
	return 0;
}

/* @last: the RTM_DELLINK, which says whether the link moved and where; NULL: found missing. */
static void forget(struct xnl_monitor *m, int ifindex, bool report, const struct xnl_link *last)
{
	struct xnl_link *old = find(m, ifindex), gone;

	if (!old)
		return;
	gone = last ? *last : *old;
	*old = m->links[--m->n];
	if (report)
		emit(m, XNL_LINK_GONE, &gone);
}

/* Read every link again and report what differs from what we knew (also the first read). */
static int resync(struct xnl_monitor *m, bool report)
{
	struct xnl_link *now;
	size_t n, i, j;
	int err;

	err = xnl_links_dump_sock(m->req, &now, &n);
	if (err)
		return err;
	/* Bounded by the table's size: each pass either keeps i's link or removes one. */
	for (i = 0; i < m->n;) {
		for (j = 0; j < n && now[j].ifindex != m->links[i].ifindex; j++)
			;
		if (j == n)
			forget(m, m->links[i].ifindex, report, NULL);
		else
			i++;
	}
	for (j = 0; j < n && !err; j++)
		err = update(m, &now[j], report);
	free(now);
	if (!err)
		m->need_resync = false;
	return err;
}

static int msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct xnl_monitor *m = data;
	const struct ifinfomsg *ifi;
	struct xnl_link l;
	int err;

	if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK)
		return 0;
	/* AF_BRIDGE messages in this group are about bridge ports: an RTM_DELLINK of those means
	 * "left the bridge", not "deleted".  Only the generic link messages count. */
	ifi = mnl_nlmsg_get_payload(nlh);
	if (nlh->nlmsg_len >= MNL_NLMSG_HDRLEN + sizeof(*ifi) && ifi->ifi_family != AF_UNSPEC)
		return 0;
	err = xnl_link_parse(nlh, &l);
	if (err)
		return err;
	if (nlh->nlmsg_type == RTM_DELLINK) {
		forget(m, l.ifindex, true, &l);
		return 0;
	}
	return update(m, &l, true);
}

int xnl__monitor_msg(struct xnl_monitor *m, const struct nlmsghdr *nlh)
{
	unsigned long before = m->delivered;
	int err = msg_cb(nlh, m);

	return err ? err : (int)(m->delivered - before);
}

int xnl_monitor_open(struct xnl_monitor **out, xnl_link_fn fn, void *ctx)
{
	static const unsigned int groups[] = { RTNLGRP_LINK, 0 };
	struct xnl_monitor *m;
	int err;

	*out = NULL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return xnl_seterr(-ENOMEM, "out of memory for a link monitor");
	m->fn = fn;
	m->ctx = ctx;
	/* Subscribe before reading the links: a change in between is then seen twice, never missed. */
	err = xnl_sock_open(&m->ev, NETLINK_ROUTE, groups);
	if (err)
		goto err_free;
	err = xnl_sock_open(&m->req, NETLINK_ROUTE, NULL);
	if (err)
		goto err_ev;
	err = resync(m, false);
	if (err)
		goto err_req;
	*out = m;
	return 0;

err_req:
	xnl_sock_close(m->req);
err_ev:
	xnl_sock_close(m->ev);
err_free:
	free(m->links);
	free(m);
	return xnl_seterr(err, "cannot start the link monitor: %s", xnl_errmsg());
}

void xnl_monitor_close(struct xnl_monitor *m)
{
	if (!m)
		return;
	xnl_sock_close(m->req);
	xnl_sock_close(m->ev);
	free(m->links);
	free(m);
}

int xnl_monitor_fd(const struct xnl_monitor *m)
{
	return xnl_sock_fd(m->ev);
}

int xnl_monitor_dispatch(struct xnl_monitor *m)
{
	unsigned long before = m->delivered;
	int i, err;

	if (m->need_resync) {
		err = resync(m, true);
		if (err)
			return err;
	}
	for (i = 0; i < XNL_MON_BATCH; i++) {
		const void *buf;
		ssize_t n = xnl_sock_recv(m->ev, &buf);

		if (n == -EAGAIN || n == -EWOULDBLOCK)
			break;
		if (n == -EINTR)
			continue;
		if (n == -ENOBUFS) {
			/* The kernel dropped notifications for us: what we know may be stale. */
			err = resync(m, true);
			if (err)
				return err;
			continue;
		}
		if (n < 0)
			return xnl_seterr((int)n, "cannot read link events: %s", strerror((int)-n));
		err = xnl_msgs_parse(buf, (size_t)n, 0, 0, msg_cb, m);
		if (err < 0) {
			/* The rest of that datagram is lost: re-read everything next time. */
			m->need_resync = true;
			return xnl_seterr(err, "bad link event: %s", xnl_errmsg());
		}
	}
	return (int)(m->delivered - before);
}

const struct xnl_link *xnl_monitor_link(const struct xnl_monitor *m, int ifindex)
{
	return find(m, ifindex);
}

const char *xnl_link_event_name(enum xnl_link_event ev)
{
	switch (ev) {
	case XNL_LINK_NEW:
		return "new";
	case XNL_LINK_UP:
		return "up";
	case XNL_LINK_DOWN:
		return "down";
	case XNL_LINK_CHANGED:
		return "changed";
	case XNL_LINK_GONE:
		return "gone";
	}
	return "?";
}
