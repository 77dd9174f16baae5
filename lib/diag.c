// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * sock_diag for AF_XDP: how many sockets with an RX ring are bound to an interface.
 * It tells a live program of ours (another process still receives through it) from a
 * stale one (its owner was killed), and when the last receiver is gone.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/xdp_diag.h>

#include "internal.h"

/* One reply: is it a socket on @ifindex with an RX ring? */
static int rx_socket_on(const struct nlmsghdr *nlh, int ifindex)
{
	const struct xdp_diag_msg *msg = NLMSG_DATA(nlh);
	int len = (int)nlh->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*msg));
	const struct rtattr *a = (const struct rtattr *)(msg + 1);
	bool on_if = false, has_rx = false;

	if (len < 0)
		return -EBADMSG;
	for (; RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == XDP_DIAG_INFO && RTA_PAYLOAD(a) >= sizeof(struct xdp_diag_info)) {
			const struct xdp_diag_info *info = RTA_DATA(a);

			on_if = info->ifindex == (uint32_t)ifindex;
		} else if (a->rta_type == XDP_DIAG_RX_RING) {
			has_rx = true;
		}
	}
	return on_if && has_rx;
}

int xdpsock__diag_rx_sockets(int ifindex)
{
	struct {
		struct nlmsghdr nlh;
		struct xdp_diag_req req;
	} rq = {
		.nlh = {
			.nlmsg_len = sizeof(rq),
			.nlmsg_type = SOCK_DIAG_BY_FAMILY,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
			.nlmsg_seq = 1,
		},
		.req = {
			.sdiag_family = AF_XDP,
			.xdiag_show = XDP_SHOW_INFO | XDP_SHOW_RING_CFG,
		},
	};
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	char buf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));
	int fd, n = 0, ret, loops;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return -errno;
	if (sendto(fd, &rq, sizeof(rq), 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		ret = -errno;
		goto out;
	}
	/* A dump ends with NLMSG_DONE; bound the loop anyway. */
	for (loops = 0; loops < 4096; loops++) {
		ssize_t len = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *nlh;

		if (len < 0) {
			ret = -errno;
			goto out;
		}
		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, (size_t)len); nlh = NLMSG_NEXT(nlh, len)) {
			if (nlh->nlmsg_type == NLMSG_DONE) {
				ret = n;
				goto out;
			}
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(nlh);

				ret = e->error ? e->error : -EBADMSG;
				goto out;
			}
			ret = rx_socket_on(nlh, ifindex);
			if (ret < 0)
				goto out;
			n += ret;
		}
	}
	ret = -EOVERFLOW;
out:
	close(fd);
	return ret;
}
