// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * Interface facts through the classic ioctls (SIOCGIFINDEX, SIOCGIFMTU, SIOCGIFHWADDR,
 * ETHTOOL_GCHANNELS): they act in the namespace of the socket, which is the caller's.  And
 * whether the interface is still there during a run.
 */
#include <errno.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <xdpsock/xdpsock.h>

#include "xdpgen.h"

static int ifreq_ioctl(int fd, const char *name, unsigned long req, struct ifreq *ifr)
{
	memset(ifr, 0, sizeof(*ifr));
	memcpy(ifr->ifr_name, name, strlen(name));	/* checked shorter than IFNAMSIZ */
	return ioctl(fd, req, ifr) ? -errno : 0;
}

/* RX queues in use: rx + combined channels; 1 when the driver has no get_channels (lo, tun). */
static uint32_t rx_queues(int fd, const char *name)
{
	struct ethtool_channels ch = { .cmd = ETHTOOL_GCHANNELS };
	struct ifreq ifr;
	uint32_t n;

	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, name, strlen(name));
	ifr.ifr_data = (void *)&ch;
	if (ioctl(fd, SIOCETHTOOL, &ifr))
		return 1;
	n = ch.rx_count + ch.combined_count;
	return n ? n : 1;
}

/* The driver's name ("veth"), or "" when it does not say. */
static void driver(int fd, const char *name, char *out, size_t len)
{
	struct ethtool_drvinfo di = { .cmd = ETHTOOL_GDRVINFO };
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, name, strlen(name));
	ifr.ifr_data = (void *)&di;
	out[0] = '\0';
	if (!ioctl(fd, SIOCETHTOOL, &ifr))
		snprintf(out, len, "%.*s", (int)(len - 1), di.driver);
}

int xg_iface_get(struct xg_iface *ifc, const char *name, char *err, size_t errlen)
{
	struct ifreq ifr;
	int fd, rc;

	memset(ifc, 0, sizeof(*ifc));
	ifc->name = name;
	if (!*name || strlen(name) >= IFNAMSIZ || strchr(name, '/') || strchr(name, ' ')) {
		snprintf(err, errlen, "'%s' cannot be an interface name: 1 to %d characters, no '/' or space", name,
			 IFNAMSIZ - 1);
		return -EINVAL;
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot open a socket to ask about %s: %s", name, strerror(-rc));
		return rc;
	}
	rc = ifreq_ioctl(fd, name, SIOCGIFINDEX, &ifr);
	if (rc) {
		snprintf(err, errlen, "no interface '%s' in this network namespace (ip link shows them)", name);
		goto out;
	}
	ifc->ifindex = ifr.ifr_ifindex;
	rc = ifreq_ioctl(fd, name, SIOCGIFFLAGS, &ifr);
	if (rc) {
		snprintf(err, errlen, "cannot read the flags of %s: %s", name, strerror(-rc));
		goto out;
	}
	ifc->up = ifr.ifr_flags & IFF_UP;
	rc = ifreq_ioctl(fd, name, SIOCGIFMTU, &ifr);
	if (rc) {
		snprintf(err, errlen, "cannot read the MTU of %s: %s", name, strerror(-rc));
		goto out;
	}
	ifc->mtu = (uint32_t)ifr.ifr_mtu;
	rc = ifreq_ioctl(fd, name, SIOCGIFHWADDR, &ifr);
	if (!rc && ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER)
		rc = -EPROTONOSUPPORT;
	if (rc) {
		snprintf(err, errlen, "%s is not an Ethernet interface: xdpgen sends and checks Ethernet frames%s",
			 name, rc == -EPROTONOSUPPORT ? "" : " (cannot read its MAC address)");
		goto out;
	}
	memcpy(ifc->mac, ifr.ifr_hwaddr.sa_data, 6);
	ifc->queues = rx_queues(fd, name);
	driver(fd, name, ifc->driver, sizeof(ifc->driver));
out:
	close(fd);
	return rc;
}

int xg_iface_open(const struct xg_cfg *c, struct xg_iface *ifc)
{
	char err[256];
	int rc = xg_iface_get(ifc, c->ifname, err, sizeof(err));

	if (rc) {
		xg_err(c->cmd, "%s", err);
		return rc == -EINVAL || rc == -ENODEV ? XG_EXIT_USAGE : XG_EXIT_FAIL;
	}
	rc = xg_args_check_mtu(c, ifc->mtu, err, sizeof(err));
	if (rc) {
		xg_err(c->cmd, "%s", err);
		return rc;
	}
	/* A sender on a down interface would send nothing (xsk) or into the void (live): say so. */
	if (!ifc->up && (c->cmd == XG_CMD_TX || c->cmd == XG_CMD_PING)) {
		xg_err(c->cmd, "%s is down: bring it up first (ip link set dev %s up)", ifc->name, ifc->name);
		return XG_EXIT_FAIL;
	}
	if (!ifc->up)
		xg_err(c->cmd, "warning: %s is down: nothing arrives until it is up", ifc->name);
	return 0;
}

bool xg_iface_gone_rx(struct xdpsock_rx *rx)
{
	return xdpsock_rx_wait(rx, 0) == -ENETDOWN;
}

bool xg_iface_gone(int ifindex)
{
	char name[IF_NAMESIZE];

	return !if_indextoname((unsigned int)ifindex, name) && (errno == ENXIO || errno == ENODEV);
}

void xg_iface_gone_msg(const struct xg_cfg *c)
{
	xg_err(c->cmd, "%s is gone (deleted, or moved to another network namespace): stopping", c->ifname);
}
