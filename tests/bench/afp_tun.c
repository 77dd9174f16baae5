// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * afp_tun: the reference the xdpbridge tun benchmark (tests/bench/tun.sh) compares against,
 * written plainly: the usual way to join a NIC and a TUN without AF_XDP.  One thread:
 *
 *   afp_tun bridge IF TUN --peer-mac MAC [--secs N]
 *       IF -> TUN   recvmmsg() on an AF_PACKET socket, 64 frames at most per call; each IPv4 or
 *                   IPv6 frame loses its Ethernet header and is written to the TUN (one write()
 *                   per packet: a TUN takes no more)
 *       TUN -> IF   read() until EAGAIN or 64 packets, an Ethernet header in front of each (IF's
 *                   MAC, MAC), one sendmmsg() for them all (PACKET_QDISC_BYPASS, as AF_XDP)
 *       poll() on both when neither moved
 *
 *   afp_tun drain TUN [--secs N]
 *       read and drop whatever the kernel sends into the TUN: a sink for the kernel's own forwarding
 *   afp_tun send --dst IP [--len BYTES] [--gso N] [--secs N]
 *       a UDP socket (port 40000 -> 9) sending datagrams of BYTES of payload (default 22: 50-byte
 *       IP packets) to IP wherever the host routes it, 64 per sendmmsg(); with --gso N (2..64),
 *       N datagrams per send in one UDP_SEGMENT super-packet, as a QUIC stack sends.  No TUN.
 *
 * The TUN (IFF_TUN | IFF_NO_PI, one queue) is created and disappears at exit; the caller
 * addresses it and brings it up once "afp_tun: ready" is printed.  Runs until SIGINT/SIGTERM or
 * --secs (default 60), prints what it moved.  Exit 0, 1 error, 2 usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <netinet/in.h>
#include <netinet/udp.h>

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif

#define BATCH 64
#define FRAME 2048

static volatile sig_atomic_t quit;

static void on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

static void die(const char *what)
{
	fprintf(stderr, "afp_tun: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int tun_open(const char *name)
{
	struct ifreq ifr;
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		die("/dev/net/tun");
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0)
		die("TUNSETIFF");
	return fd;
}

static int run_send(const char *dst, unsigned int len, unsigned int gso, double end)
{
	static uint8_t payload[BATCH * 1472];
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(9) };
	struct sockaddr_in from = { .sin_family = AF_INET, .sin_port = htons(40000) };
	struct mmsghdr mm[BATCH];
	struct iovec iov[BATCH];
	unsigned long sent = 0, full = 0;
	unsigned int per = gso ? gso : 1, i;
	double t0 = now();
	int fd, one = 1;

	if (len < 1 || len > 1472 || (gso && (gso < 2 || gso > 64))) {
		fprintf(stderr, "afp_tun: --len 1..1472, --gso 2..64\n");
		return 2;
	}
	if (inet_pton(AF_INET, dst, &to.sin_addr) != 1) {
		fprintf(stderr, "afp_tun: --dst: an IPv4 address\n");
		return 2;
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&from, sizeof(from)) || connect(fd, (struct sockaddr *)&to, sizeof(to)))
		die("UDP socket");
	if (gso) {
		int seg = (int)len;

		if (setsockopt(fd, SOL_UDP, UDP_SEGMENT, &seg, sizeof(seg)))
			die("UDP_SEGMENT");
	}
	for (i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)i;
	memset(mm, 0, sizeof(mm));
	for (i = 0; i < BATCH; i++) {
		iov[i] = (struct iovec){ payload, (size_t)len * per };
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	while (!quit && now() < end) {
		for (i = 0; i < 64; i++) {
			int n = sendmmsg(fd, mm, gso ? 1 : BATCH, 0);

			if (n > 0)
				sent += (unsigned long)n * per;
			else if (errno == EAGAIN || errno == ENOBUFS || errno == ECONNREFUSED)
				full++;
			else
				die("sendmmsg");
		}
	}
	printf("afp_tun: send sent %lu datagrams of %u bytes in %.2f s (%s; %lu refused)\n", sent, len, now() - t0,
	       gso ? "UDP_SEGMENT" : "sendmmsg", full);
	close(fd);
	return 0;
}

static int run_drain(int tun, double end)
{
	static uint8_t buf[FRAME];
	unsigned long got = 0;
	struct pollfd pfd = { .fd = tun, .events = POLLIN };

	while (!quit && now() < end) {
		int i;

		for (i = 0; i < BATCH; i++) {
			if (read(tun, buf, sizeof(buf)) < 0)
				break;
			got++;
		}
		if (i < BATCH)
			poll(&pfd, 1, 100);
	}
	printf("afp_tun: drain read %lu packets\n", got);
	return 0;
}

static int run_bridge(int tun, const char *ifname, const uint8_t peer[6], double end)
{
	static uint8_t in[BATCH][FRAME], out[BATCH][FRAME];
	struct mmsghdr rx[BATCH], tx[BATCH];
	struct iovec riov[BATCH], tiov[BATCH];
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	unsigned long nic_to_tun = 0, tun_to_nic = 0, non_ip = 0;
	struct ifreq ifr;
	uint8_t mac[6];
	int one = 1, fd, i;

	sll.sll_ifindex = (int)if_nametoindex(ifname);
	if (!sll.sll_ifindex)
		die(ifname);
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (fd < 0)
		die("AF_PACKET socket");
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)))
		die("bind");
	/* Our own sendmmsg()s would come back to us as outgoing frames. */
	if (setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one)))
		die("PACKET_IGNORE_OUTGOING");
	if (setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)))
		die("PACKET_QDISC_BYPASS");
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr))
		die("SIOCGIFHWADDR");
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	for (i = 0; i < BATCH; i++) {
		riov[i] = (struct iovec){ .iov_base = in[i], .iov_len = FRAME };
		rx[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &riov[i], .msg_iovlen = 1 } };
		memcpy(out[i], peer, 6);
		memcpy(out[i] + 6, mac, 6);
		tiov[i] = (struct iovec){ .iov_base = out[i] };
		tx[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &tiov[i], .msg_iovlen = 1 } };
	}
	printf("afp_tun: bridging %s <-> the TUN\n", ifname);
	fflush(stdout);
	while (!quit && now() < end) {
		int n, k = 0;

		/* IF -> TUN */
		n = recvmmsg(fd, rx, BATCH, MSG_DONTWAIT, NULL);
		for (i = 0; i < n; i++) {
			uint8_t *f = in[i];
			unsigned int len = rx[i].msg_len;

			if (len <= 14 || !((f[12] == 0x08 && f[13] == 0x00) || (f[12] == 0x86 && f[13] == 0xdd))) {
				non_ip++;
				continue;
			}
			if (write(tun, f + 14, len - 14) > 0)
				nic_to_tun++;
		}
		/* TUN -> IF */
		while (k < BATCH) {
			ssize_t r = read(tun, out[k] + 14, FRAME - 14);

			if (r <= 0)
				break;
			out[k][12] = (out[k][14] >> 4) == 6 ? 0x86 : 0x08;
			out[k][13] = (out[k][14] >> 4) == 6 ? 0xdd : 0x00;
			tiov[k].iov_len = (size_t)r + 14;
			k++;
		}
		if (k) {
			int s = sendmmsg(fd, tx, (unsigned int)k, 0);

			if (s > 0)
				tun_to_nic += (unsigned long)s;
		}
		if (n <= 0 && !k) {
			struct pollfd pfd[2] = { { .fd = fd, .events = POLLIN }, { .fd = tun, .events = POLLIN } };

			poll(pfd, 2, 100);
		}
	}
	printf("afp_tun: %s -> TUN %lu packets, TUN -> %s %lu, %lu non-IP frames skipped\n", ifname, nic_to_tun, ifname,
	       tun_to_nic, non_ip);
	close(fd);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: afp_tun bridge IF TUN --peer-mac MAC [--secs N]\n"
			"       afp_tun drain TUN [--secs N]\n"
			"       afp_tun send --dst IP [--len BYTES] [--gso N] [--secs N]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *mode, *tun_name, *ifname = NULL, *dst = NULL;
	unsigned int m[6], len = 22, gso = 0;
	uint8_t peer[6] = { 0 };
	double secs = 60;
	bool have_peer = false;
	int i, tun, ret;

	if (argc < 3)
		usage();
	mode = argv[1];
	i = 2;
	if (!strcmp(mode, "bridge")) {
		if (argc < 4)
			usage();
		ifname = argv[i++];
	} else if (!strcmp(mode, "send")) {
		i = 1;	/* no TUN: the options start after the mode */
	} else if (strcmp(mode, "drain")) {
		usage();
	}
	tun_name = i == 1 ? NULL : argv[i++];
	if (!tun_name)
		i = 2;
	for (; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--secs"))
			secs = atof(argv[i + 1]);
		else if (!strcmp(argv[i], "--len"))
			len = (unsigned int)atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--dst"))
			dst = argv[i + 1];
		else if (!strcmp(argv[i], "--gso"))
			gso = (unsigned int)atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--peer-mac") &&
			 sscanf(argv[i + 1], "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) == 6) {
			for (int k = 0; k < 6; k++)
				peer[k] = (uint8_t)m[k];
			have_peer = true;
		} else {
			usage();
		}
	}
	if (i != argc || secs <= 0 || secs > 3600 || (ifname && !have_peer))
		usage();
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (!tun_name) {
		if (!dst)
			usage();
		printf("afp_tun: ready (send)\n");
		fflush(stdout);
		return run_send(dst, len, gso, now() + secs);
	}
	tun = tun_open(tun_name);
	printf("afp_tun: ready (%s)\n", tun_name);
	fflush(stdout);
	if (!strcmp(mode, "drain"))
		ret = run_drain(tun, now() + secs);
	else
		ret = run_bridge(tun, ifname, peer, now() + secs);
	close(tun);
	return ret;
}
