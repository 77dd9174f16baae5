// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * sock_diag for AF_XDP: how many sockets with an RX ring are bound to an interface.
 * It tells a live program of ours (another process still receives through it) from a
 * stale one (its owner was killed), and when the last receiver is gone.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/xdp_diag.h>

#include "internal.h"

/* One reply: is it a socket on @ifindex with an RX ring (@queue < 0), or any socket on @queue of it? */
static int rx_socket_on(const struct nlmsghdr *nlh, int ifindex, int64_t queue)
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

			on_if = info->ifindex == (uint32_t)ifindex && (queue < 0 || info->queue_id == (uint32_t)queue);
		} else if (a->rta_type == XDP_DIAG_RX_RING) {
			has_rx = true;
		}
	}
	return on_if && (has_rx || queue >= 0);
}

static int count_sockets(int ifindex, int64_t queue);

int xdpsock__diag_rx_sockets(int ifindex)
{
	return count_sockets(ifindex, -1);
}

int xdpsock__diag_queue_sockets(int ifindex, uint32_t queue_id)
{
	return count_sockets(ifindex, queue_id);
}

static int count_sockets(int ifindex, int64_t queue)
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
			ret = rx_socket_on(nlh, ifindex, queue);
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

/*
 * Without sock_diag for AF_XDP (kernels built without CONFIG_XDP_SOCKETS_DIAG): how many other
 * processes hold an fd of BPF program @prog_id.  Every process using the xdpsock program keeps
 * one open while it has receivers on the interface, so none means its owners are gone.
 * -errno when some process could not be inspected.
 */
int xdpsock__prog_users(uint32_t prog_id)
{
	char path[300], link[64], info[1024], want[32];
	struct dirent *pe, *fe;
	int n = 0, err = 0, self = (int)getpid(), procs = 0;
	DIR *proc, *fds;

	proc = opendir("/proc");
	if (!proc)
		return -errno;
	snprintf(want, sizeof(want), "prog_id:\t%u\n", prog_id);
	while ((pe = readdir(proc)) && procs++ < 1000000) {
		int pid = atoi(pe->d_name), fdcount = 0;
		bool holds = false;

		if (pid <= 0 || pid == self)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fd", pid);
		fds = opendir(path);
		if (!fds) {
			if (errno != ENOENT)	/* ENOENT: it exited meanwhile */
				err = -errno;
			continue;
		}
		while (!holds && (fe = readdir(fds)) && fdcount++ < 1000000) {
			ssize_t len = readlinkat(dirfd(fds), fe->d_name, link, sizeof(link) - 1);
			int fd;

			if (len <= 0)
				continue;
			link[len] = '\0';
			if (strcmp(link, "anon_inode:bpf-prog"))
				continue;
			snprintf(path, sizeof(path), "/proc/%d/fdinfo/%s", pid, fe->d_name);
			fd = open(path, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				continue;
			len = read(fd, info, sizeof(info) - 1);
			close(fd);
			if (len > 0) {
				info[len] = '\0';
				holds = strstr(info, want) != NULL;
			}
		}
		closedir(fds);
		n += holds;
	}
	closedir(proc);
	return n ? n : err;
}
