// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * The TUN/TAP device of `xdpbridge tap|tun`: one fd per queue, all from TUNSETIFF on the
 * same name with IFF_MULTI_QUEUE.  The first TUNSETIFF creates the device (or attaches to a
 * persistent one), each further one adds a queue.  A device we created is not persistent:
 * it disappears with our last fd, also when we are killed.
 *
 * IFF_NO_PI: no 4-byte packet-information header, so a read is exactly a packet (tun) or a
 * frame (tap), after a virtio-net header with offloads on (IFF_VNET_HDR).  O_NONBLOCK: a read
 * says EAGAIN when the queue is empty, so a worker drains its queue without ever blocking.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/rtnetlink.h>

#include "tun.h"
#include "xnl.h"

#define TUN_PATH "/dev/net/tun"

/* USO, Linux 6.2: older headers lack them. */
#ifndef TUN_F_USO4
#define TUN_F_USO4 0x20
#endif
#ifndef TUN_F_USO6
#define TUN_F_USO6 0x40
#endif

#define TUN_OFFLOADS (TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN)

static const char *kind_name(enum tun_kind k)
{
	return k == TUN_KIND_TAP ? "tap" : "tun";
}

/*
 * Offloads: the kernel may then hand out TCP and UDP packets up to 64 KiB and leave checksums
 * unfinished (tun_gso.c completes both).  USO too when the kernel has it: a kernel older than
 * 6.2 refuses every flag it does not know with EINVAL, and then gets TCP only.  Not UFO: it
 * makes IP fragments, which are not ours to make.  0 or -errno.
 */
static int set_offload(int fd)
{
	if (!ioctl(fd, TUNSETOFFLOAD, TUN_OFFLOADS | TUN_F_USO4 | TUN_F_USO6))
		return 0;
	if (errno == EINVAL && !ioctl(fd, TUNSETOFFLOAD, TUN_OFFLOADS))
		return 0;
	return -errno;
}

/*
 * A name for the device that does not exist now ("tap0", "tun3"), for a sentence that asks for
 * another one; "" when the first hundred are all taken.
 */
static void free_name(enum tun_kind kind, char *buf, size_t len)
{
	unsigned int i;

	for (i = 0; i < 100; i++) {
		snprintf(buf, len, "%s%u", kind_name(kind), i);
		if (!if_nametoindex(buf))
			return;
	}
	buf[0] = '\0';
}

/* "choose another name for --tap, one that does not exist (e.g. tap0): ..." into @buf. */
static const char *another_name(enum tun_kind kind, char *buf, size_t len)
{
	char name[IF_NAMESIZE];

	free_name(kind, name, sizeof(name));
	snprintf(buf, len,
		 "choose another name for --%s, one that does not exist%s%s%s: the bridge creates that device and removes "
		 "it at exit",
		 kind_name(kind), name[0] ? " (e.g. " : "", name, name[0] ? ")" : "");
	return buf;
}

/* What an existing device is, as rtnetlink describes it: its kind and, for a TUN/TAP, the tun driver's IFLA_TUN_*. */
struct existing {
	struct xnl_link link;
	bool tun_known;			/* the tun driver described itself (Linux 4.15+) */
	uint8_t tun_type;		/* IFF_TUN or IFF_TAP */
	bool persist, multi_queue;
	uint32_t queues;		/* attached: fds some process holds */
};

static const struct xnl_policy linkinfo_policy[IFLA_INFO_MAX + 1] = {
	[IFLA_INFO_DATA] = { "IFLA_INFO_DATA", MNL_TYPE_NESTED, 0 },
};

static const struct xnl_policy tun_policy[IFLA_TUN_MAX + 1] = {
	[IFLA_TUN_TYPE] = { "IFLA_TUN_TYPE", MNL_TYPE_U8, 0 },
	[IFLA_TUN_PERSIST] = { "IFLA_TUN_PERSIST", MNL_TYPE_U8, 0 },
	[IFLA_TUN_MULTI_QUEUE] = { "IFLA_TUN_MULTI_QUEUE", MNL_TYPE_U8, 0 },
	[IFLA_TUN_NUM_QUEUES] = { "IFLA_TUN_NUM_QUEUES", MNL_TYPE_U32, 0 },
};

static int existing_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[IFLA_MAX + 1], *info[IFLA_INFO_MAX + 1], *tun[IFLA_TUN_MAX + 1];
	static const struct xnl_policy link_policy[IFLA_MAX + 1] = {
		[IFLA_LINKINFO] = { "IFLA_LINKINFO", MNL_TYPE_NESTED, 0 },
	};
	struct existing *e = data;
	int err;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return 0;
	err = xnl_link_parse(nlh, &e->link);
	if (err)
		return err;
	if (strcmp(e->link.kind, "tun"))
		return 0;
	err = xnl_attrs_parse_msg(nlh, sizeof(struct ifinfomsg), "RTM_NEWLINK", link_policy, IFLA_MAX, tb);
	if (!err && tb[IFLA_LINKINFO])
		err = xnl_attrs_parse_nested(tb[IFLA_LINKINFO], "IFLA_LINKINFO", linkinfo_policy, IFLA_INFO_MAX, info);
	if (err || !tb[IFLA_LINKINFO] || !info[IFLA_INFO_DATA])
		return err;
	err = xnl_attrs_parse_nested(info[IFLA_INFO_DATA], "IFLA_INFO_DATA", tun_policy, IFLA_TUN_MAX, tun);
	if (err || !tun[IFLA_TUN_TYPE] || !tun[IFLA_TUN_PERSIST] || !tun[IFLA_TUN_MULTI_QUEUE])
		return err;
	e->tun_known = true;
	e->tun_type = mnl_attr_get_u8(tun[IFLA_TUN_TYPE]);
	e->persist = mnl_attr_get_u8(tun[IFLA_TUN_PERSIST]);
	e->multi_queue = mnl_attr_get_u8(tun[IFLA_TUN_MULTI_QUEUE]);
	e->queues = tun[IFLA_TUN_NUM_QUEUES] ? mnl_attr_get_u32(tun[IFLA_TUN_NUM_QUEUES]) : 0;
	return 0;
}

/* RTM_GETLINK by name.  0, or -errno (ENODEV: no such device now). */
static int existing_get(const char *name, struct existing *e)
{
	char buf[256] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;
	struct xnl_sock *s;
	int ret;

	memset(e, 0, sizeof(*e));
	ret = xnl_sock_open(&s, NETLINK_ROUTE, NULL);
	if (ret)
		return ret;
	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	ret = xnl_sock_request(s, nlh, existing_cb, e);
	xnl_sock_close(s);
	if (!ret && !e->link.ifindex)
		ret = -ENODEV;
	return ret;
}

/* "the loopback device", "a veth device", "a network device" (a driver's own, e.g. a NIC). */
static const char *kind_phrase(const struct xnl_link *l, char *buf, size_t len)
{
	const char *k = xnl_link_kind(l);

	if (!strcmp(k, "loopback"))
		snprintf(buf, len, "the loopback device");
	else if (!strcmp(k, "device"))
		snprintf(buf, len, "a network device");
	else
		snprintf(buf, len, "%s %s device", strchr("aeiou", k[0]) ? "an" : "a", k);
	return buf;
}

/*
 * A device named like ours exists: use it only when it is a persistent multi-queue TUN/TAP of
 * our kind (made for us with 'ip tuntap add ... multi_queue').  Anything else is someone else's:
 * say what it is and why the bridge cannot use it, and ask for a new name.  Never advise removing
 * it.  0 (use it, or the kernel cannot describe it: TUNSETIFF decides), or -EEXIST / -EBUSY (@err).
 */
static int existing_check(const struct tun_dev *d, char *err, size_t errlen)
{
	const char *k = kind_name(d->kind), *K = d->kind == TUN_KIND_TAP ? "TAP" : "TUN";
	char what[64], other[200];
	struct existing e;

	/* Gone meanwhile (then it is created), or no answer: TUNSETIFF decides, setiff_error() words it. */
	if (existing_get(d->name, &e))
		return 0;
	if (strcmp(e.link.kind, "tun")) {
		snprintf(err, errlen, "%s is %s, not a %s device: the bridge neither uses nor changes it: %s", d->name,
			 kind_phrase(&e.link, what, sizeof(what)), K, another_name(d->kind, other, sizeof(other)));
		return -EEXIST;
	}
	if (!e.tun_known)
		return 0;
	snprintf(what, sizeof(what), "%s", e.tun_type == IFF_TAP ? "TAP" : "TUN");
	if (!e.persist) {
		snprintf(err, errlen,
			 "%s is a %s device of another running program (not persistent, %u queue%s open): the bridge does not "
			 "take it over: %s",
			 d->name, what, e.queues, e.queues == 1 ? "" : "s", another_name(d->kind, other, sizeof(other)));
		return -EBUSY;
	}
	if (strcmp(what, K)) {
		snprintf(err, errlen, "%s is a persistent %s device, not a %s: %s", d->name, what, K,
			 another_name(d->kind, other, sizeof(other)));
		return -EEXIST;
	}
	if (!e.multi_queue) {
		char name[IF_NAMESIZE];

		free_name(d->kind, name, sizeof(name));
		snprintf(err, errlen,
			 "%s is a persistent %s device made without multi_queue, and the bridge needs one queue per worker: "
			 "%s; or make a persistent multi-queue %s under a new name ('ip tuntap add dev %s mode %s multi_queue')",
			 d->name, K, another_name(d->kind, other, sizeof(other)), K, name[0] ? name : "NEWNAME", k);
		return -EEXIST;
	}
	return 0;
}

/* The sentence for a failed TUNSETIFF on queue @i of @d. */
static void setiff_error(const struct tun_dev *d, unsigned int i, bool existed, int e, char *err, size_t errlen)
{
	const char *k = kind_name(d->kind);
	char other[200];

	if (e == EPERM || e == EACCES)
		snprintf(err, errlen, "%s %s needs CAP_NET_ADMIN: run as root or grant it",
			 existed ? "attaching to" : "creating", d->name);
	else if (e == EINVAL && existed && i == 0)
		snprintf(err, errlen,
			 "%s exists but is not a multi-queue %s device (another kind of device, a %s, or made without "
			 "multi_queue): the bridge does not change it: %s",
			 d->name, k, d->kind == TUN_KIND_TAP ? "tun" : "tap", another_name(d->kind, other, sizeof(other)));
	else if (e == EBUSY)
		snprintf(err, errlen, "%s is busy: another program has it open as a single-queue device: %s", d->name,
			 another_name(d->kind, other, sizeof(other)));
	else
		snprintf(err, errlen, "cannot %s queue %u of %s %s: %s", i ? "attach" : existed ? "attach to" : "create", i,
			 k, d->name, strerror(e));
}

int tun_dev_open(struct tun_dev *d, const char *name, enum tun_kind kind, unsigned int nqueues, bool offload,
		 char *err, size_t errlen)
{
	bool existed;
	unsigned int i;
	int ret, fd;

	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->kind = kind;
	if (!nqueues || nqueues > TUN_MAX_QUEUES) {
		snprintf(err, errlen, "%u queues for %s: a TUN/TAP device has 1 to %d", nqueues, name, TUN_MAX_QUEUES);
		return -EINVAL;
	}
	existed = if_nametoindex(name) != 0;
	/* Before TUNSETIFF: attaching a queue to someone else's device would change it, if only for a moment. */
	if (existed) {
		ret = existing_check(d, err, errlen);
		if (ret)
			return ret;
	}
	for (i = 0; i < nqueues; i++) {
		struct ifreq ifr;

		fd = open(TUN_PATH, O_RDWR | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0) {
			ret = -errno;
			if (errno == ENOENT || errno == ENODEV)
				snprintf(err, errlen,
					 "no %s: this kernel has no TUN/TAP driver, or the node is missing ('mknod %s c 10 200')",
					 TUN_PATH, TUN_PATH);
			else
				snprintf(err, errlen, "cannot open %s: %s", TUN_PATH, strerror(errno));
			goto fail;
		}
		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
		ifr.ifr_flags = (short)((kind == TUN_KIND_TAP ? IFF_TAP : IFF_TUN) | IFF_NO_PI | IFF_MULTI_QUEUE |
					(offload ? IFF_VNET_HDR : 0));
		if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
			ret = -errno;
			setiff_error(d, i, existed, errno, err, errlen);
			close(fd);
			goto fail;
		}
		d->fd[d->nfds++] = fd;
		/* The device's, not the queue's: once is enough. */
		ret = i == 0 && offload ? set_offload(fd) : 0;
		if (ret) {
			snprintf(err, errlen, "cannot turn on the offloads of %s (TUNSETOFFLOAD): %s: try --no-offload", name,
				 strerror(-ret));
			goto fail;
		}
		d->offload = offload;
		if (i == 0 && existed) {
			/* Ours to use only when nobody else's: a persistent device stays between programs. */
			memset(&ifr, 0, sizeof(ifr));
			if (ioctl(fd, TUNGETIFF, &ifr) < 0) {
				ret = -errno;
				snprintf(err, errlen, "cannot read the flags of %s: %s", name, strerror(errno));
				goto fail;
			}
			if (!(ifr.ifr_flags & IFF_PERSIST)) {
				char other[200];

				/* Only where the kernel could not describe the device before (existing_check). */
				ret = -EBUSY;
				snprintf(err, errlen,
					 "%s already exists and belongs to another running program (it is not persistent): %s",
					 name, another_name(kind, other, sizeof(other)));
				goto fail;
			}
		}
	}
	d->created = !existed;
	d->ifindex = (int)if_nametoindex(name);
	if (!d->ifindex) {
		ret = -ENODEV;
		snprintf(err, errlen, "%s disappeared right after it was %s", name, existed ? "attached" : "created");
		goto fail;
	}
	return 0;

fail:
	tun_dev_close(d);
	return ret;
}

static int ignore_msg(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return 0;
}

int tun_dev_set(const struct tun_dev *d, uint32_t mtu, bool up, char *err, size_t errlen)
{
	char buf[256] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	struct xnl_sock *s;
	int ret;

	ret = xnl_sock_open(&s, NETLINK_ROUTE, NULL);
	if (ret) {
		snprintf(err, errlen, "%s", xnl_errmsg());
		return ret;
	}
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = d->ifindex;
	ifi->ifi_flags = up ? IFF_UP : 0;
	ifi->ifi_change = up ? IFF_UP : 0;	/* 0: the admin state stays as it is */
	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	ret = xnl_sock_request(s, nlh, ignore_msg, NULL);
	if (ret && mtu)
		snprintf(err, errlen, "cannot set the MTU of %s to %u%s: %s%s", d->name, mtu, up ? " and bring it up" : "",
			 xnl_errmsg(), ret == -EPERM ? " (needs CAP_NET_ADMIN)" : "");
	else if (ret)
		snprintf(err, errlen, "cannot bring %s up: %s%s", d->name, xnl_errmsg(),
			 ret == -EPERM ? " (needs CAP_NET_ADMIN)" : "");
	xnl_sock_close(s);
	return ret;
}

void tun_dev_close(struct tun_dev *d)
{
	unsigned int i;

	if (!d)
		return;
	for (i = 0; i < d->nfds; i++)
		if (d->fd[i] >= 0)
			close(d->fd[i]);
	d->nfds = 0;
}
