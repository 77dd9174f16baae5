// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * GRO and channels through the ethtool ioctl.  The ioctl acts in the namespace of the socket it is issued on, so
 * @fd is a socket opened inside the node (struct xl_ns).  A veth end with GRO gets a NAPI instance,
 * and a veth delivers frames that XDP redirects into its peer (ndo_xdp_xmit) only to a NAPI.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>

#include "lab.h"
#include "nl.h"

static int eth_ioctl(int fd, const char *ifname, void *v)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
	ifr.ifr_data = v;
	return ioctl(fd, SIOCETHTOOL, &ifr) ? -errno : 0;
}

int xl_ethtool_gro_set(int fd, const char *ifname, bool on)
{
	struct ethtool_value v = { .cmd = ETHTOOL_SGRO, .data = on };
	int err = eth_ioctl(fd, ifname, &v);

	return err ? xl_fail(err, "cannot turn GRO %s on %s: %s", on ? "on" : "off", ifname, strerror(-err)) : 0;
}

int xl_ethtool_gro_get(int fd, const char *ifname)
{
	struct ethtool_value v = { .cmd = ETHTOOL_GGRO };
	int err = eth_ioctl(fd, ifname, &v);

	return err ? xl_fail(err, "cannot read GRO of %s: %s", ifname, strerror(-err)) : !!v.data;
}

int xl_ethtool_channels_get(int fd, const char *ifname, unsigned int *rx, unsigned int *tx)
{
	struct ethtool_channels ch = { .cmd = ETHTOOL_GCHANNELS };
	int err = eth_ioctl(fd, ifname, &ch);

	if (err)
		return xl_fail(err, "cannot read how many queues of %s are usable: %s", ifname, strerror(-err));
	*rx = ch.rx_count;
	*tx = ch.tx_count;
	return 0;
}

int xl_ethtool_channels_set(int fd, const char *ifname, unsigned int rx, unsigned int tx)
{
	struct ethtool_channels ch = { .cmd = ETHTOOL_GCHANNELS };
	int err = eth_ioctl(fd, ifname, &ch);

	if (!err) {
		ch.cmd = ETHTOOL_SCHANNELS;
		ch.rx_count = rx;
		ch.tx_count = tx;
		err = eth_ioctl(fd, ifname, &ch);
	}
	return err ? xl_fail(err, "cannot make %u RX and %u TX queues usable on %s: %s", rx, tx, ifname, strerror(-err)) : 0;
}
