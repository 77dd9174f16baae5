// SPDX-License-Identifier: (MIT OR Apache-2.0) AND GPL-2.0-only
/*
 * The kernel's own port-to-port forwarding, as a reference for the xdpbridge benchmark
 * (tests/bench/fwd.sh, loaded by tests/bench/devmap_fwd.c; not part of the library).
 *
 * xdp_devmap_fwd: every frame that arrives on a port leaves by the other one, unchanged,
 * through XDP_REDIRECT into a DEVMAP_HASH keyed by the ingress ifindex, whose value is the
 * egress ifindex (A -> B and B -> A).  A port missing from the map passes frames to the
 * stack (the flags' fallback action).
 *
 * xdp_pass: returns XDP_PASS.  A frame redirected into a veth (ndo_xdp_xmit) is dropped
 * unless the veth's peer has an XDP program or GRO enabled: this gives it one when ethtool
 * cannot turn GRO on.
 *
 * xdp_drop: returns XDP_DROP, the cheapest possible sink.  veth counts a frame in rx_packets
 * before its XDP program runs, so the sink's rx_packets still counts every frame that arrived
 * (fwd.sh checks this with a known number of frames before it relies on it).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);	/* ingress ifindex */
	__type(value, __u32);	/* egress ifindex */
} fwd_ports SEC(".maps");

SEC("xdp")
int xdp_devmap_fwd(struct xdp_md *ctx)
{
	return bpf_redirect_map(&fwd_ports, ctx->ingress_ifindex, XDP_PASS);
}

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_PASS;
}

SEC("xdp")
int xdp_drop(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
