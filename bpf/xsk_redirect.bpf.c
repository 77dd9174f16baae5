// SPDX-License-Identifier: (MIT OR Apache-2.0) AND GPL-2.0-only
/*
 * Steer each RX queue that has an AF_XDP socket into it; pass everything else
 * to the kernel, so the host keeps its traffic on queues with no socket.
 *
 * Embedded in libxdpsock as a skeleton; the program and map names are how the
 * library recognises a program of its own left behind by a killed process.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 64);	/* set to the device's queue count at load time */
	__type(key, __u32);
	__type(value, __u32);
} xdpsock_xsks SEC(".maps");

SEC("xdp")
int xdpsock_redir(struct xdp_md *ctx)
{
	/* An empty slot makes bpf_redirect_map() return the flags' action: XDP_PASS. */
	return bpf_redirect_map(&xdpsock_xsks, ctx->rx_queue_index, XDP_PASS);
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
