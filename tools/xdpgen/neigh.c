// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * The destination MAC from the neighbour table: one RTM_GETNEIGH dump over a netlink socket
 * (in the caller's namespace), filtered here.  Entries that hold an address count: permanent,
 * noarp, reachable, stale, delay, probe; incomplete and failed ones do not.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "xdpgen.h"

#define USABLE (NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE)

/* 1 and @mac filled when @nlh is the entry we look for, else 0. */
static int match(const struct nlmsghdr *nlh, int ifindex, int family, const uint8_t *ip, uint8_t mac[6])
{
	const struct ndmsg *nd = NLMSG_DATA(nlh);
	const struct rtattr *rta;
	int len = (int)nlh->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*nd));
	size_t alen = family == AF_INET6 ? 16 : 4;
	bool dst_ok = false, mac_ok = false;
	uint8_t found[6];

	if (nlh->nlmsg_type != RTM_NEWNEIGH || len < 0 || nd->ndm_family != family || nd->ndm_ifindex != ifindex ||
	    !(nd->ndm_state & USABLE))
		return 0;
	for (rta = (const struct rtattr *)((const char *)nd + NLMSG_ALIGN(sizeof(*nd))); RTA_OK(rta, len);
	     rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type == NDA_DST && RTA_PAYLOAD(rta) == alen)
			dst_ok = !memcmp(RTA_DATA(rta), ip, alen);
		else if (rta->rta_type == NDA_LLADDR && RTA_PAYLOAD(rta) == 6) {
			memcpy(found, RTA_DATA(rta), 6);
			mac_ok = true;
		}
	}
	if (!dst_ok || !mac_ok)
		return 0;
	memcpy(mac, found, 6);
	return 1;
}

int xg_neigh_lookup(int ifindex, int family, const uint8_t *ip, uint8_t mac[6])
{
	struct {
		struct nlmsghdr nlh;
		struct ndmsg nd;
	} req = {
		.nlh = { .nlmsg_len = sizeof(req), .nlmsg_type = RTM_GETNEIGH, .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
			 .nlmsg_seq = 1 },
		.nd = { .ndm_family = (uint8_t)family },
	};
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = 2 };
	char buf[16384] __attribute__((aligned(4)));
	int fd, rc = -ENOENT, msgs;
	bool done = false;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	/* A dump always ends with NLMSG_DONE; the timeout bounds a kernel that never says it. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		rc = -errno;
		goto out;
	}
	for (msgs = 0; !done && msgs < 100000; msgs++) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		const struct nlmsghdr *nlh;
		int left;

		if (n < 0) {
			rc = errno == EAGAIN ? -ETIMEDOUT : -errno;
			goto out;
		}
		left = (int)n;
		for (nlh = (const struct nlmsghdr *)buf; NLMSG_OK(nlh, left); nlh = NLMSG_NEXT(nlh, left)) {
			if (nlh->nlmsg_type == NLMSG_DONE || nlh->nlmsg_type == NLMSG_ERROR) {
				done = true;
				break;
			}
			if (rc == -ENOENT && match(nlh, ifindex, family, ip, mac))
				rc = 0;
		}
	}
out:
	close(fd);
	return rc;
}
