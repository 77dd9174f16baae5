// SPDX-License-Identifier: MIT OR Apache-2.0
/* What the library needs to know of an interface before binding to it. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>

#include "internal.h"

const char *xdpsock__ifname(int ifindex, char *buf)
{
	if (!if_indextoname((unsigned int)ifindex, buf))
		snprintf(buf, IF_NAMESIZE, "ifindex %d", ifindex);
	return buf;
}

/*
 * Current queue count from the driver (ETHTOOL_GCHANNELS): the larger of the RX and TX
 * counts, combined channels included.  -EOPNOTSUPP when the driver does not say.
 */
int xdpsock__if_queues(int ifindex, uint32_t *count)
{
	struct ethtool_channels ch = { .cmd = ETHTOOL_GCHANNELS };
	struct ifreq ifr;
	uint32_t rx, tx;
	int fd, err = 0;

	memset(&ifr, 0, sizeof(ifr));
	if (!if_indextoname((unsigned int)ifindex, ifr.ifr_name))
		return -ENODEV;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	ifr.ifr_data = (void *)&ch;
	if (ioctl(fd, SIOCETHTOOL, &ifr) < 0)
		err = -errno;
	close(fd);
	if (err)
		return err;
	rx = ch.rx_count + ch.combined_count;
	tx = ch.tx_count + ch.combined_count;
	*count = rx > tx ? rx : tx;
	return *count ? 0 : -EOPNOTSUPP;
}
