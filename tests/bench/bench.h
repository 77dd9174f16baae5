/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * What the AF_XDP bench senders (fwd_gen.c, tx_rate.c) share: the clock, fatal errors, medians,
 * link counters and MACs over rtnetlink (also from inside another namespace), the IPv4 header
 * checksum and the end-of-run TX drain.  Each bench is one .c file (see the Makefile's bench
 * rule), so this is a header of static functions, not a library: define BENCH_NAME, the
 * program's name in its messages, before including it.
 */
#ifndef XDPSOCK_BENCH_H
#define XDPSOCK_BENCH_H

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <xdpsock/xdpsock.h>

#ifndef BENCH_NAME
#error "define BENCH_NAME before including bench.h"
#endif

/* "BENCH_NAME: WHAT ARG: strerror(ERR)", then exit 1; @arg may be NULL, @err 0. */
static inline void die(const char *what, const char *arg, int err)
{
	fprintf(stderr, BENCH_NAME ": %s%s%s%s%s\n", what, arg ? " " : "", arg ? arg : "", err ? ": " : "",
		err ? strerror(err) : "");
	exit(1);
}

#define MAX_REPS 9	/* windows a bench measures, at most: median() sorts a copy of them */

static inline double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static inline double median(const double *v, int n)
{
	double s[MAX_REPS];

	memcpy(s, v, sizeof(double) * (size_t)n);
	qsort(s, (size_t)n, sizeof(double), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* ---- link counters over rtnetlink ----------------------------------------- */

struct link {
	uint64_t rx_packets, tx_packets, tx_dropped;
	uint8_t mac[6];
};

/* RTM_GETLINK by name on @nl (whose namespace is the one it was created in). */
static inline void link_get(int nl, const char *ifname, struct link *out)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
		char attrs[64];
	} req;
	char buf[16384];
	struct rtattr *rta;
	size_t nlen = strlen(ifname) + 1;
	ssize_t len;
	int got = 0;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_type = RTM_GETLINK;
	req.nh.nlmsg_flags = NLM_F_REQUEST;
	req.nh.nlmsg_seq = 1;
	req.ifi.ifi_family = AF_UNSPEC;
	rta = (struct rtattr *)req.attrs;
	rta->rta_type = IFLA_IFNAME;
	rta->rta_len = (unsigned short)RTA_LENGTH(nlen);
	memcpy(RTA_DATA(rta), ifname, nlen);
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.ifi)) + RTA_ALIGN(rta->rta_len);
	if (send(nl, &req, req.nh.nlmsg_len, 0) < 0)
		die("netlink send for", ifname, errno);
	len = recv(nl, buf, sizeof(buf), 0);
	if (len < 0)
		die("netlink recv for", ifname, errno);
	for (struct nlmsghdr *nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (unsigned)len); nh = NLMSG_NEXT(nh, len)) {
		if (nh->nlmsg_type == NLMSG_ERROR)
			die("no link", ifname, -((struct nlmsgerr *)NLMSG_DATA(nh))->error);
		if (nh->nlmsg_type != RTM_NEWLINK)
			continue;
		struct ifinfomsg *ifi = NLMSG_DATA(nh);
		int alen = (int)IFLA_PAYLOAD(nh);

		for (rta = IFLA_RTA(ifi); RTA_OK(rta, alen); rta = RTA_NEXT(rta, alen)) {
			if (rta->rta_type == IFLA_STATS64 && RTA_PAYLOAD(rta) >= sizeof(struct rtnl_link_stats64)) {
				struct rtnl_link_stats64 s;

				memcpy(&s, RTA_DATA(rta), sizeof(s));
				out->rx_packets = s.rx_packets;
				out->tx_packets = s.tx_packets;
				out->tx_dropped = s.tx_dropped;
				got |= 1;
			} else if (rta->rta_type == IFLA_ADDRESS && RTA_PAYLOAD(rta) == 6) {
				memcpy(out->mac, RTA_DATA(rta), 6);
				got |= 2;
			}
		}
	}
	if (got != 3)
		die("no IFLA_STATS64/IFLA_ADDRESS for", ifname, 0);
}

static inline int netlink_open(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	if (fd < 0)
		die("netlink socket", NULL, errno);
	return fd;
}

/* A netlink socket inside namespace @ns (/run/netns/@ns); the thread comes back afterwards. */
static inline int netlink_open_in(const char *ns)
{
	char path[256];
	int self, other, fd;

	snprintf(path, sizeof(path), "/run/netns/%s", ns);
	self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	other = open(path, O_RDONLY | O_CLOEXEC);
	if (self < 0 || other < 0)
		die("cannot open the namespace", path, errno);
	if (setns(other, CLONE_NEWNET))
		die("setns into", ns, errno);
	fd = netlink_open();
	if (setns(self, CLONE_NEWNET))
		die("setns back from", ns, errno);
	close(self);
	close(other);
	return fd;
}

/* ---- frames ----------------------------------------------------------------- */

/* The Internet checksum of @len bytes (an IPv4 header: @len is even), to store big-endian. */
static inline uint16_t csum16(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t sum = 0;

	for (; len > 1; len -= 2, p += 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* What is left on @tx's ring goes out now, outside any window: kick until it is empty, 2 s at most. */
static inline void tx_drain(struct xdpsock_tx *tx)
{
	struct xdpsock_stats st;

	for (double end = now_s() + 2; now_s() < end;) {
		xdpsock_tx_kick(tx);
		xdpsock_tx_wait(tx, 1);
		if (xdpsock_tx_stats(tx, &st) == 0 && st.frames.tx == 0 && st.frames.kernel == 0)
			break;
	}
}

#endif
