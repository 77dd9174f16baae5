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
#include <linux/if_tun.h>
#include <linux/rtnetlink.h>

#include "tun.h"

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

/* The sentence for a failed TUNSETIFF on queue @i of @d. */
static void setiff_error(const struct tun_dev *d, unsigned int i, bool existed, int e, char *err, size_t errlen)
{
	const char *k = kind_name(d->kind);

	if (e == EPERM || e == EACCES)
		snprintf(err, errlen, "%s %s needs CAP_NET_ADMIN: run as root or grant it",
			 existed ? "attaching to" : "creating", d->name);
	else if (e == EINVAL && existed && i == 0)
		snprintf(err, errlen,
			 "%s exists but is not a multi-queue %s device (another kind of device, a %s, or made without "
			 "multi_queue): choose another name, or recreate it with 'ip link del %s; ip tuntap add dev %s "
			 "mode %s multi_queue'",
			 d->name, k, d->kind == TUN_KIND_TAP ? "tun" : "tap", d->name, d->name, k);
	else if (e == EBUSY)
		snprintf(err, errlen, "%s is busy: another program has it open as a single-queue device: choose another name",
			 d->name);
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
				ret = -EBUSY;
				snprintf(err, errlen,
					 "%s already exists and belongs to another running program (it is not persistent): "
					 "choose another name",
					 name);
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
