// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * IF's neighbour table, mirrored for `xdpbridge tun`: the MAC to put on a packet leaving by
 * IF is the one the kernel resolved for its next hop.
 *
 *   main thread   RTNLGRP_NEIGH events (and a dump at start, or after lost events)
 *                   -> tun_neigh_parse() -> the table: put (usable entries) or del (others)
 *   workers       tun_neigh_table_get(): lock-free, never blocks the main thread
 *
 * The table: open addressing with linear probing, deletion by backward shift (no
 * tombstones), at most 3/4 full so every probe sequence ends at an empty slot.  One writer,
 * many readers, a sequence count: odd while the writer changes slots; a reader retries when
 * it saw an odd count or the count changed under it.  Every slot word is accessed atomically.
 *
 * An entry is usable when it has a MAC and a valid state (reachable, stale, delay, probe,
 * permanent, noarp): STALE is how an entry the kernel does not use itself ages, and the kernel
 * would send to it too.  Any other state (incomplete, failed) removes it: a packet without a
 * next hop is dropped, never sent to an address that may be wrong.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "daemon.h"
#include "tun.h"
#include "xnl.h"

#define SLOT_MASK (TUN_NEIGH_SLOTS - 1)
/* The kernel's NUD_VALID (include/net/neighbour.h), not in the UAPI headers. */
#define NUD_USABLE (NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE | NUD_PROBE | NUD_STALE | NUD_DELAY)
#define MAX_USED (TUN_NEIGH_SLOTS / 4 * 3)
#define READ_SPINS 64		/* a reader's quick retries while the writer changes slots */
#define READ_YIELDS 256		/* then retries after sched_yield(): the writer may have been preempted */
#define DISPATCH_BATCH 64	/* datagrams per dispatch: a burst cannot starve the other fds */

_Static_assert((TUN_NEIGH_SLOTS & SLOT_MASK) == 0, "TUN_NEIGH_SLOTS must be a power of two");

/* ---- the table ------------------------------------------------------------ */

static uint64_t key_word(const uint8_t *a, int family, int i)
{
	uint8_t b[16] = { 0 };
	uint64_t w;

	memcpy(b, a, family == 4 ? 4 : 16);
	memcpy(&w, b + 8 * i, 8);
	return w;
}

static uint64_t tag_mac(int family, const uint8_t mac[6])
{
	uint64_t v = (uint64_t)family << 56;
	int i;

	for (i = 0; i < 6; i++)
		v |= (uint64_t)mac[i] << (8 * i);
	return v;
}

static uint32_t home(uint64_t k0, uint64_t k1, uint64_t fam)
{
	/* splitmix64's finaliser: every address bit moves the slot. */
	uint64_t x = k0 ^ (k1 * 0x9e3779b97f4a7c15ull) ^ (fam << 60);

	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return (uint32_t)x & SLOT_MASK;
}

static uint64_t ld(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static void st(uint64_t *p, uint64_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
}

static void write_begin(struct tun_neigh_table *t)
{
	__atomic_store_n(&t->seq, t->seq + 1, __ATOMIC_RELAXED);
	/* The odd count before any slot: pairs with the reader's acquire fence after its slots. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

static void write_end(struct tun_neigh_table *t)
{
	/* Every slot before the even count: pairs with the reader's load-acquire of seq. */
	__atomic_store_n(&t->seq, t->seq + 1, __ATOMIC_RELEASE);
}

/* The slot holding (family, k0, k1), or of the empty slot ending its probe sequence (*found false). */
static uint32_t find(const struct tun_neigh_table *t, int family, uint64_t k0, uint64_t k1, bool *found)
{
	uint32_t i = home(k0, k1, (uint64_t)family), n;

	for (n = 0; n < TUN_NEIGH_SLOTS; n++, i = (i + 1) & SLOT_MASK) {
		const struct tun_neigh_slot *s = &t->slot[i];
		uint64_t w2 = ld(&s->w[2]);

		if (!w2)
			break;
		if ((int)(w2 >> 56) == family && ld(&s->w[0]) == k0 && ld(&s->w[1]) == k1) {
			*found = true;
			return i;
		}
	}
	*found = false;
	return i;
}

static int put_raw(struct tun_neigh_table *t, int family, const uint8_t *addr, const uint8_t mac[6], bool *changed)
{
	uint64_t k0 = key_word(addr, family, 0), k1 = key_word(addr, family, 1), v = tag_mac(family, mac);
	bool found;
	uint32_t i = find(t, family, k0, k1, &found);

	*changed = false;
	if (found) {
		if (t->slot[i].w[2] != v) {
			st(&t->slot[i].w[2], v);
			*changed = true;
		}
		return 0;
	}
	if (t->used >= MAX_USED)
		return -ENOSPC;
	st(&t->slot[i].w[0], k0);
	st(&t->slot[i].w[1], k1);
	st(&t->slot[i].w[2], v);
	t->used++;
	*changed = true;
	return 0;
}

static bool del_raw(struct tun_neigh_table *t, int family, const uint8_t *addr)
{
	uint64_t k0 = key_word(addr, family, 0), k1 = key_word(addr, family, 1);
	bool found;
	uint32_t i = find(t, family, k0, k1, &found), j, k, n;

	if (!found)
		return false;
	/*
	 * Backward shift: pull later entries of the probe run into the hole when their home slot
	 * does not lie cyclically in (hole, their slot], so every entry stays reachable from home.
	 */
	j = i;
	for (n = 0; n < TUN_NEIGH_SLOTS; n++) {
		struct tun_neigh_slot *s;

		j = (j + 1) & SLOT_MASK;
		s = &t->slot[j];
		if (!s->w[2])
			break;
		k = home(s->w[0], s->w[1], s->w[2] >> 56);
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		st(&t->slot[i].w[0], s->w[0]);
		st(&t->slot[i].w[1], s->w[1]);
		st(&t->slot[i].w[2], s->w[2]);
		i = j;
	}
	st(&t->slot[i].w[2], 0);
	st(&t->slot[i].w[0], 0);
	st(&t->slot[i].w[1], 0);
	t->used--;
	return true;
}

int tun_neigh_table_put(struct tun_neigh_table *t, int family, const uint8_t *addr, const uint8_t mac[6])
{
	uint64_t v = tag_mac(family, mac);
	bool found, changed;
	uint32_t i;
	int ret;

	/*
	 * The kernel re-announces an entry on every state change: an unchanged MAC leaves the count
	 * alone, and with it the workers' cached answers.
	 */
	i = find(t, family, key_word(addr, family, 0), key_word(addr, family, 1), &found);
	if (found && t->slot[i].w[2] == v)
		return 0;
	write_begin(t);
	ret = put_raw(t, family, addr, mac, &changed);
	write_end(t);
	return ret;
}

bool tun_neigh_table_del(struct tun_neigh_table *t, int family, const uint8_t *addr)
{
	bool found, ret;

	find(t, family, key_word(addr, family, 0), key_word(addr, family, 1), &found);
	if (!found)
		return false;
	write_begin(t);
	ret = del_raw(t, family, addr);
	write_end(t);
	return ret;
}

void tun_neigh_table_clear(struct tun_neigh_table *t)
{
	uint32_t i;
	int w;

	write_begin(t);
	for (i = 0; i < TUN_NEIGH_SLOTS; i++)
		for (w = 2; w >= 0; w--)
			st(&t->slot[i].w[w], 0);
	t->used = 0;
	write_end(t);
}

uint32_t tun_neigh_table_seq(const struct tun_neigh_table *t)
{
	return __atomic_load_n(&t->seq, __ATOMIC_ACQUIRE);
}

bool tun_neigh_table_get(const struct tun_neigh_table *t, int family, const uint8_t *addr, uint8_t mac[6],
			 uint32_t *seqp)
{
	uint64_t k0 = key_word(addr, family, 0), k1 = key_word(addr, family, 1), w2 = 0;
	int tries, i;

	for (tries = 0; tries < READ_SPINS + READ_YIELDS; tries++) {
		/* Pairs with the writer's store-release of the even count. */
		uint32_t seq = __atomic_load_n(&t->seq, __ATOMIC_ACQUIRE);
		bool found;
		uint32_t slot;

		/* A writer preempted in the middle of a change would keep us spinning: let it run. */
		if (tries >= READ_SPINS)
			sched_yield();
		if (seq & 1)
			continue;
		slot = find(t, family, k0, k1, &found);
		w2 = found ? ld(&t->slot[slot].w[2]) : 0;
		/* The slots before the second look at seq: pairs with the writer's release fence. */
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&t->seq, __ATOMIC_RELAXED) != seq)
			continue;
		*seqp = seq;
		if (!found)
			return false;
		for (i = 0; i < 6; i++)
			mac[i] = (uint8_t)(w2 >> (8 * i));
		return true;
	}
	/* The writer kept changing it (or could not run): a miss for this packet, the next one looks again. */
	*seqp = 1;
	return false;
}

/* ---- netlink messages ------------------------------------------------------ */

static const struct xnl_policy neigh_policy[NDA_MAX + 1] = {
	[NDA_DST] = { "NDA_DST", MNL_TYPE_BINARY, 16 },
	[NDA_LLADDR] = { "NDA_LLADDR", MNL_TYPE_BINARY, 32 },
};

int tun_neigh_parse(const struct nlmsghdr *nlh, struct tun_neigh_msg *m)
{
	const char *what = nlh->nlmsg_type == RTM_DELNEIGH ? "RTM_DELNEIGH" : "RTM_NEWNEIGH";
	const struct nlattr *tb[NDA_MAX + 1];
	const struct ndmsg *ndm;
	uint16_t len;
	int err;

	memset(m, 0, sizeof(*m));
	if (nlh->nlmsg_type != RTM_NEWNEIGH && nlh->nlmsg_type != RTM_DELNEIGH)
		return 0;
	err = xnl_attrs_parse_msg(nlh, sizeof(*ndm), what, neigh_policy, NDA_MAX, tb);
	if (err)
		return err;
	ndm = mnl_nlmsg_get_payload(nlh);
	if ((ndm->ndm_family != AF_INET && ndm->ndm_family != AF_INET6) || (ndm->ndm_flags & NTF_PROXY))
		return 0;
	m->family = ndm->ndm_family == AF_INET ? 4 : 6;
	m->ifindex = ndm->ndm_ifindex;
	m->state = ndm->ndm_state;
	m->del = nlh->nlmsg_type == RTM_DELNEIGH;
	if (!tb[NDA_DST])
		return xnl_seterr(-EBADMSG, "malformed %s from the kernel: no NDA_DST", what);
	len = mnl_attr_get_payload_len(tb[NDA_DST]);
	if (len != (m->family == 4 ? 4 : 16))
		return xnl_seterr(-EBADMSG, "malformed %s from the kernel: NDA_DST of %u bytes for %s", what, len,
				  m->family == 4 ? "IPv4" : "IPv6");
	memcpy(m->addr, mnl_attr_get_payload(tb[NDA_DST]), len);
	if (tb[NDA_LLADDR] && mnl_attr_get_payload_len(tb[NDA_LLADDR]) == 6) {
		memcpy(m->mac, mnl_attr_get_payload(tb[NDA_LLADDR]), 6);
		m->have_mac = memcmp(m->mac, "\0\0\0\0\0\0", 6) != 0;
	}
	m->usable = !m->del && m->have_mac && (m->state & NUD_USABLE);
	return 1;
}

/* ---- the mirror ------------------------------------------------------------- */

struct tun_neigh {
	int ifindex;
	struct xnl_sock *ev;		/* RTNLGRP_NEIGH, non-blocking */
	struct xnl_sock *req;		/* dumps and resolution requests */
	struct tun_neigh_table *t;
	bool full_said;
	/* Next hops asked for lately: resolution's one rate limiter (tun_neigh_ask). */
	struct {
		int family;
		uint8_t addr[16];
		long ms;
	} asked[TUN_NEIGH_ASKED];
	unsigned int asked_next;
};

static void apply(struct tun_neigh *n, const struct tun_neigh_msg *m, int *changes)
{
	if (m->ifindex != n->ifindex)
		return;
	if (m->usable) {
		if (tun_neigh_table_put(n->t, m->family, m->addr, m->mac) == -ENOSPC && !n->full_said) {
			n->full_said = true;
			xnl_seterr(-ENOSPC, "more than %d neighbours on the interface: the others are not used", MAX_USED);
		}
	} else {
		tun_neigh_table_del(n->t, m->family, m->addr);
	}
	(*changes)++;
}

/* The dump's entries, collected, then swapped in as one change. */
struct dump {
	struct tun_neigh *n;
	struct tun_neigh_msg *v;
	size_t len, cap;
};

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump *d = data;
	struct tun_neigh_msg m;
	int err = tun_neigh_parse(nlh, &m);

	if (err <= 0)
		return err;
	if (m.ifindex != d->n->ifindex || !m.usable)
		return 0;
	if (d->len == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 64;
		struct tun_neigh_msg *v;

		if (cap > MAX_USED * 2)
			return 0;	/* more than fits: the table says so when it fills */
		v = realloc(d->v, cap * sizeof(*v));
		if (!v)
			return xnl_seterr(-ENOMEM, "out of memory for %zu neighbours", cap);
		d->v = v;
		d->cap = cap;
	}
	d->v[d->len++] = m;
	return 0;
}

static int resync(struct tun_neigh *n)
{
	char buf[64] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct dump d = { .n = n };
	struct nlmsghdr *nlh;
	struct ndmsg *ndm;
	bool changed;
	size_t i;
	int err, tries;

	for (tries = 0; tries < 3; tries++) {
		nlh = mnl_nlmsg_put_header(buf);
		nlh->nlmsg_type = RTM_GETNEIGH;
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
		ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
		ndm->ndm_family = AF_UNSPEC;
		d.len = 0;
		err = xnl_sock_request(n->req, nlh, dump_cb, &d);
		if (err != -EAGAIN)	/* NLM_F_DUMP_INTR: the table changed while read, read it again */
			break;
	}
	if (err) {
		free(d.v);
		return err;
	}
	/* One change for the readers: they never see the table half rebuilt. */
	write_begin(n->t);
	for (i = 0; i < TUN_NEIGH_SLOTS; i++) {
		st(&n->t->slot[i].w[2], 0);
		st(&n->t->slot[i].w[0], 0);
		st(&n->t->slot[i].w[1], 0);
	}
	n->t->used = 0;
	for (i = 0; i < d.len; i++)
		if (put_raw(n->t, d.v[i].family, d.v[i].addr, d.v[i].mac, &changed))
			break;
	write_end(n->t);
	free(d.v);
	return 0;
}

int tun_neigh_open(struct tun_neigh **out, int ifindex)
{
	static const unsigned int groups[] = { RTNLGRP_NEIGH, 0 };
	struct tun_neigh *n;
	int err;

	*out = NULL;
	n = calloc(1, sizeof(*n));
	if (!n)
		return xnl_seterr(-ENOMEM, "out of memory for the neighbour table");
	n->ifindex = ifindex;
	n->t = calloc(1, sizeof(*n->t));
	if (!n->t) {
		err = xnl_seterr(-ENOMEM, "out of memory for the neighbour table");
		goto fail;
	}
	err = xnl_sock_open(&n->ev, NETLINK_ROUTE, groups);
	if (err)
		goto fail;
	err = xnl_sock_open(&n->req, NETLINK_ROUTE, NULL);
	if (err)
		goto fail;
	err = resync(n);
	if (err)
		goto fail;
	*out = n;
	return 0;

fail:
	tun_neigh_close(n);
	return err;
}

int tun_neigh_fd(const struct tun_neigh *n)
{
	return xnl_sock_fd(n->ev);
}

struct ev_ctx {
	struct tun_neigh *n;
	int changes;
};

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ev_ctx *c = data;
	struct tun_neigh_msg m;
	int err = tun_neigh_parse(nlh, &m);

	if (err <= 0)
		return err;
	apply(c->n, &m, &c->changes);
	return 0;
}

int tun_neigh_dispatch(struct tun_neigh *n)
{
	struct ev_ctx c = { .n = n };
	const void *buf;
	ssize_t len;
	int i, err;

	for (i = 0; i < DISPATCH_BATCH; i++) {
		len = xnl_sock_recv(n->ev, &buf);
		if (len == -EAGAIN || len == -EWOULDBLOCK)
			break;
		if (len == -ENOBUFS) {
			/* Events were lost: what we have may be stale, read everything again. */
			err = resync(n);
			if (err)
				return err;
			c.changes++;
			continue;
		}
		if (len < 0)
			return xnl_seterr((int)len, "cannot read neighbour events: %s", strerror((int)-len));
		err = xnl_msgs_parse(buf, (size_t)len, 0, 0, event_cb, &c);
		if (err < 0 && err != -EBADMSG)
			return err;
		if (err == -EBADMSG) {
			/* One malformed event: skip it but do not trust the table either. */
			err = resync(n);
			if (err)
				return err;
			return xnl_seterr(-EBADMSG, "a malformed neighbour event was skipped (%s); the table was read again",
					  xnl_errmsg());
		}
	}
	return c.changes;
}

const struct tun_neigh_table *tun_neigh_table(const struct tun_neigh *n)
{
	return n->t;
}

unsigned int tun_neigh_count(const struct tun_neigh *n)
{
	return n->t->used;
}

static int ignore_msg(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return 0;
}

int tun_neigh_resolve(struct tun_neigh *n, int family, const uint8_t *addr)
{
	char buf[128] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlmsghdr *nlh;
	struct ndmsg *ndm;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWNEIGH;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE;
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = family == 4 ? AF_INET : AF_INET6;
	ndm->ndm_ifindex = n->ifindex;
	ndm->ndm_state = NUD_NONE;
	/* NTF_USE: not an update but "use it": the kernel starts resolving as if it had a packet to send. */
	ndm->ndm_flags = NTF_USE;
	mnl_attr_put(nlh, NDA_DST, family == 4 ? 4 : 16, addr);
	return xnl_sock_request(n->req, nlh, ignore_msg, NULL);
}

/* Was (@family, @addr) asked for within TUN_NEIGH_ASK_EVERY_MS?  If not, remember it now. */
static bool asked_lately(struct tun_neigh *n, int family, const uint8_t *addr, long now)
{
	size_t alen = family == 4 ? 4 : 16;
	unsigned int i;

	for (i = 0; i < TUN_NEIGH_ASKED; i++)
		if (n->asked[i].family == family && !memcmp(n->asked[i].addr, addr, alen) &&
		    now - n->asked[i].ms < TUN_NEIGH_ASK_EVERY_MS)
			return true;
	n->asked[n->asked_next].family = family;
	memset(n->asked[n->asked_next].addr, 0, 16);
	memcpy(n->asked[n->asked_next].addr, addr, alen);
	n->asked[n->asked_next].ms = now;
	n->asked_next = (n->asked_next + 1) % TUN_NEIGH_ASKED;
	return false;
}

int tun_neigh_ask(struct tun_neigh *n, int family, const uint8_t *addr)
{
	int err;

	if (asked_lately(n, family, addr, xb_now_ms()))
		return 0;
	err = tun_neigh_resolve(n, family, addr);
	return err ? err : 1;
}

void tun_neigh_close(struct tun_neigh *n)
{
	if (!n)
		return;
	xnl_sock_close(n->ev);
	xnl_sock_close(n->req);
	free(n->t);
	free(n);
}
