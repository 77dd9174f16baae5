// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * libFuzzer target for xdpbridge's netlink reply parsing: the input is one
 * received datagram.  It goes through the datagram walker (lengths, sequence,
 * NLMSG_ERROR / NLMSG_DONE with extended ACK), and every message in it through
 * every message parser (links with their IFLA_LINKINFO and IFLA_XDP nests,
 * ethtool channels, netdev dev-get, genl control, NLMSG_ERROR), whatever its
 * type claims; a parsed link is then rendered as a table row and as JSON.
 *
 * The input is copied into a heap buffer of exactly its size, so a read past the
 * end of a lying length is an ASan report, not a quiet read of slack.
 *
 * Seeds (tests/fuzz/corpus/fuzz_bridge_nlparse/): datagrams captured from Linux
 * 6.18 in a lab namespace (RTM_GETLINK dump of veth + macvlan, genl family
 * lookups, ETHTOOL_MSG_CHANNELS_GET for a veth and errors with extack, a netdev
 * dev-get dump), plus hand-made ones (XDP_ATTACHED_MULTI, RTM_DELLINK, an
 * NLMSG_DONE with an error, an uncapped NLMSG_ERROR).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "xnl.h"

static FILE *sink;

static int each_msg(const struct nlmsghdr *nlh, void *data)
{
	struct xnl_xdp_features feat;
	struct xnl_iface f;
	struct xnl_ack ack;
	struct xnl_queues q;
	uint16_t id;
	int ifindex;

	(void)data;
	memset(&f, 0, sizeof(f));
	if (!xnl_link_parse(nlh, &f.link)) {
		f.queues.src = XNL_QSRC_IFLA;
		f.queues.rx = f.link.num_rx_queues;
		f.queues.tx = f.link.num_tx_queues;
		list_print_table(sink, &f, 1);
		list_print_json(sink, &f, 1);
	}
	if (!xnl_channels_parse(nlh, &ifindex, &q))
		f.queues = q;
	if (!xnl_xdp_features_parse(nlh, &feat)) {
		f.xdp = feat;
		f.xdp_known = true;
		list_print_json(sink, &f, 1);
	}
	xnl_genl_family_parse(nlh, &id);
	xnl_ack_parse(nlh, &ack);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	void *buf;

	if (!sink)
		sink = fopen("/dev/null", "w");
	if (!sink || size > XNL_BUF_SIZE)
		return 0;
	buf = malloc(size ? size : 1);	/* malloc's alignment: as the kernel's datagrams are */
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	/* seq 0: accept every message (as for notifications); the callback never fails. */
	xnl_msgs_parse(buf, size, 0, 0, each_msg, NULL);
	free(buf);
	return 0;
}
