// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * The ethtool ioctl, the one exception to "netlink only": no netlink family
 * reports a device's driver name (ETHTOOL_GDRVINFO), and kernels built without
 * ethtool netlink still answer ETHTOOL_GCHANNELS here.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>

#include "xnl.h"

/* SIOCETHTOOL on @ifname in the calling thread's namespace; 0 or -errno (no message: callers fall back). */
static int ethtool_ioctl(const char *ifname, void *cmd)
{
	struct ifreq ifr;
	int fd, err = 0;

	if (strlen(ifname) >= sizeof(ifr.ifr_name))
		return -ENODEV;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, ifname, strlen(ifname));
	ifr.ifr_data = cmd;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, SIOCETHTOOL, &ifr) < 0)
		err = -errno;
	close(fd);
	return err;
}

int xnl_ethtool_channels(const char *ifname, struct xnl_queues *q)
{
	struct ethtool_channels ch = { .cmd = ETHTOOL_GCHANNELS };
	int err;

	err = ethtool_ioctl(ifname, &ch);
	if (err)
		return xnl_seterr(err, "ETHTOOL_GCHANNELS on %s: %s", ifname, strerror(-err));
	memset(q, 0, sizeof(*q));
	q->rx = ch.rx_count;
	q->tx = ch.tx_count;
	q->other = ch.other_count;
	q->combined = ch.combined_count;
	q->rx_max = ch.max_rx;
	q->tx_max = ch.max_tx;
	q->other_max = ch.max_other;
	q->combined_max = ch.max_combined;
	q->src = XNL_QSRC_IOCTL;
	return 0;
}

int xnl_ethtool_driver(const char *ifname, char *buf, size_t len)
{
	struct ethtool_drvinfo di = { .cmd = ETHTOOL_GDRVINFO };
	int err;

	err = ethtool_ioctl(ifname, &di);
	if (err)
		return xnl_seterr(err, "ETHTOOL_GDRVINFO on %s: %s", ifname, strerror(-err));
	/* The kernel NUL-terminates it, but the field is fixed-size: do not rely on that. */
	snprintf(buf, len, "%.*s", (int)sizeof(di.driver), di.driver);
	return 0;
}
