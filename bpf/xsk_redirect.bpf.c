// SPDX-License-Identifier: (MIT OR Apache-2.0) AND GPL-2.0-only
/*
 * Steer each RX queue that has an AF_XDP socket into it; pass everything else
 * to the kernel, so the host keeps its traffic on queues with no socket.
 *
 * Embedded in libxdpsock as a skeleton; the program and map names are how the
 * library recognises a program of its own left behind by a killed process.
 *
 * Frags-aware ("xdp.frags", BPF_F_XDP_HAS_FRAGS): it never reads packet data, so a packet in
 * several buffers is as good as one, and drivers take it in native mode at any MTU (veth
 * refuses a program without it once the peer's MTU exceeds a page).  Multi-buffer AF_XDP
 * sockets need it; single-buffer sockets drop what does not fit a frame, as before.  On a kernel
 * that refuses the flag, the library loads it without (lib/prog.c).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 64);	/* set to the device's queue count at load time */
	__type(key, __u32);
	__type(value, __u32);
} xdpsock_xsks SEC(".maps");

SEC("xdp.frags")
int xdpsock_redir(struct xdp_md *ctx)
{
	/* An empty slot makes bpf_redirect_map() return the flags' action: XDP_PASS. */
	return bpf_redirect_map(&xdpsock_xsks, ctx->rx_queue_index, XDP_PASS);
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
