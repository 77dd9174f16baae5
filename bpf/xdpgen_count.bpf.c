// SPDX-License-Identifier: (MIT OR Apache-2.0) AND GPL-2.0-only
/*
 * xdpgen rx --xdp-count: count every frame in a per-CPU array and drop it (or pass it), with
 * no socket and no copy: the cheapest sink that still tells xdpgen's frames from others.
 *
 * A frame is "ours" when it is Ethernet + IPv4 (no options, not a fragment) or IPv6 (no
 * extension header) + UDP, with the magic "XGEN" at the start of the payload
 * (tools/xdpgen/frame.h).  Nothing else is checked here: 'xdpgen rx' without --xdp-count
 * checks checksums, the pattern and the sequence numbers.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct xdpgen_count_val {
	__u64 frames;	/* every frame */
	__u64 bytes;	/* their length, Ethernet header included */
	__u64 ours;	/* frames with xdpgen's magic */
	__u64 ours_bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xdpgen_count_val);
} xdpgen_counts SEC(".maps");

const volatile __u32 action = XDP_DROP;	/* or XDP_PASS (--pass) */

/* "XGEN" as the four bytes on the wire. */
static __always_inline int magic_at(const __u8 *p)
{
	return p[0] == 'X' && p[1] == 'G' && p[2] == 'E' && p[3] == 'N';
}

SEC("xdp")
int xdpgen_count(struct xdp_md *ctx)
{
	const __u8 *data = (const __u8 *)(long)ctx->data, *data_end = (const __u8 *)(long)ctx->data_end;
	struct xdpgen_count_val *c;
	__u32 key = 0;
	__u64 len = data_end - data;
	int ours = 0;

	if (data + 14 + 40 + 8 + 4 <= data_end && data[12] == 0x86 && data[13] == 0xdd)
		ours = (data[14] >> 4) == 6 && data[20] == 17 && magic_at(data + 62);
	else if (data + 14 + 20 + 8 + 4 <= data_end && data[12] == 0x08 && data[13] == 0x00)
		ours = data[14] == 0x45 && data[23] == 17 && !((data[20] & 0x3f) | data[21]) && magic_at(data + 42);
	c = bpf_map_lookup_elem(&xdpgen_counts, &key);
	if (c) {
		c->frames++;
		c->bytes += len;
		if (ours) {
			c->ours++;
			c->ours_bytes += len;
		}
	}
	return action;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
