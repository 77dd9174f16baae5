// SPDX-License-Identifier: (MIT OR Apache-2.0) AND GPL-2.0-only
/*
 * xdpgen's "live frames" engine: run by BPF_PROG_RUN with BPF_F_TEST_XDP_LIVE_FRAMES (never
 * attached), once per frame, in one long call (each call costs ~20 ms of setup).
 *
 * The kernel gives the program a page-pool page holding the frame passed to BPF_PROG_RUN (the
 * longest of the run, payload pattern included), copied in only when the pool first allocates
 * the page.  Recycled pages keep whatever a receiver wrote into them (on veth the peer works on
 * the same page), so every frame's headers and payload header are rewritten here from a
 * template, and its length cut to the size of its turn (bpf_xdp_adjust_tail; data_end is reset
 * for each frame).  The payload pattern beyond the payload header depends on the offset only
 * (tools/xdpgen/frame.h), so it is the same in every page and for every length.
 *
 * XDP_TX: in live mode the kernel turns it into a redirect to the device the run names
 * (ctx_in.ingress_ifindex), flushed per batch; on veth, ndo_xdp_xmit delivers to the peer only
 * when the peer has an XDP program or GRO on.
 *
 * Pacing (--rate): a frame goes out only when due: the frames sent so far may not exceed
 * elapsed * rate + 1.  A frame not due is dropped (the kernel recycles its page) and the loop
 * comes back at once: the calling thread spins on its CPU, which is the price of pacing inside
 * one call.  Userspace ends the call with a signal (the kernel checks after each batch).
 *
 * Counters are plain globals: one BPF_PROG_RUN runs the program on one CPU at a time
 * (migration disabled), and userspace reads them through the mmap'd .bss.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define MAX_SIZES	8
#define MAX_CYCLE	64
#define NSEC		1000000000ull
/* Offsets of frame.h: UDP header, payload, and the bytes rewritten per frame. */
#define L4_4		34
#define PL_4		42
#define HDR_4		58
#define L4_6		54
#define PL_6		62
#define HDR_6		78

struct xdpgen_live_tmpl {
	__u8 hdr[80];	/* the frame's first HDR_4/HDR_6 bytes, source port, seq, time and UDP checksum 0 */
	__u32 len;	/* frame length */
	__u32 sum16;	/* folded UDP checksum sum of everything else */
};

/* Set by userspace before load; constants for the run. */
const volatile __u32 cycle_len = 1;
const volatile __u32 data_len;		/* the length of the frame given to BPF_PROG_RUN */
const volatile __u32 flows = 1;
const volatile __u32 sport_base;
const volatile __u32 ipv6;
const volatile __u64 rate;		/* frames per second; 0: unpaced */
const volatile __u64 limit;		/* frames to send; 0: no limit */

/*
 * Not const: a const template would let the compiler fold reads of its zero initializer.
 * Filled by userspace before load.
 */
struct xdpgen_live_tmpl tmpl[MAX_SIZES];
__u8 cycle[MAX_CYCLE];			/* template index, per frame, repeating */

/* Read by userspace while the run goes on. */
__u64 sent;				/* frames transmitted (XDP_TX) */
__u64 paced;				/* iterations dropped because no frame was due */
__u64 over;				/* iterations dropped after the limit */
__u64 failed;				/* frames dropped: the tail could not be cut (never expected) */
__u64 t0;				/* time of the first paced decision */
__u64 first_ns, last_ns;		/* send times of the first and the last frame */
__u64 allowed;				/* frames that may have gone by the last look at the clock */
__u32 pos, flow;			/* position in the cycle of lengths and of source ports */

static __always_inline void put16(__u8 *p, __u32 v)
{
	p[0] = (__u8)(v >> 8);
	p[1] = (__u8)v;
}

static __always_inline void put32(__u8 *p, __u32 v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

/* xg_frame_stamp() of tools/xdpgen/frame.c, word for word. */
static __always_inline void stamp(__u8 *udp, __u8 *pl, __u32 sum, __u32 sport, __u32 seq, __u64 ts)
{
	__u32 csum;

	put16(udp, sport);
	put32(pl + 4, seq);
	put32(pl + 8, (__u32)(ts >> 32));
	put32(pl + 12, (__u32)ts);
	sum += sport + (seq >> 16) + (seq & 0xffff) + (__u32)(ts >> 48) + (__u32)((ts >> 32) & 0xffff) +
	       (__u32)((ts >> 16) & 0xffff) + (__u32)(ts & 0xffff);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	csum = ~sum & 0xffff;
	put16(udp + 6, csum ? csum : 0xffff);
}

SEC("xdp")
int xdpgen_live(struct xdp_md *ctx)
{
	__u64 seq = sent, now = 0;
	__u32 p, idx, len, sport;
	void *data, *data_end;

	if (limit && seq >= limit) {
		over++;
		return XDP_DROP;
	}
	if (rate && seq >= allowed) {
		__u64 el;

		now = bpf_ktime_get_ns();
		if (!t0)
			t0 = now;
		el = now - t0;
		/* Split so that el * rate cannot overflow: whole seconds, then the rest. */
		allowed = el / NSEC * rate + el % NSEC * rate / NSEC + 1;
		if (seq >= allowed) {
			paced++;
			return XDP_DROP;
		}
	}

	p = pos;
	if (p >= MAX_CYCLE || p >= cycle_len)
		p = 0;
	idx = cycle[p];
	pos = p + 1 >= cycle_len ? 0 : p + 1;
	if (idx >= MAX_SIZES)
		return XDP_ABORTED;
	len = tmpl[idx].len;
	if (len < data_len && bpf_xdp_adjust_tail(ctx, (int)len - (int)data_len)) {
		failed++;
		return XDP_DROP;
	}
	sport = sport_base + flow;
	flow = flow + 1 >= flows ? 0 : flow + 1;
	if (!now)
		now = bpf_ktime_get_ns();

	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (ipv6) {
		if (data + HDR_6 > data_end) {
			failed++;
			return XDP_DROP;
		}
		__builtin_memcpy(data, tmpl[idx].hdr, HDR_6);
		stamp((__u8 *)data + L4_6, (__u8 *)data + PL_6, tmpl[idx].sum16, sport, (__u32)seq, now);
	} else {
		if (data + HDR_4 > data_end) {
			failed++;
			return XDP_DROP;
		}
		__builtin_memcpy(data, tmpl[idx].hdr, HDR_4);
		stamp((__u8 *)data + L4_4, (__u8 *)data + PL_4, tmpl[idx].sum16, sport, (__u32)seq, now);
	}
	if (!seq)
		first_ns = now;
	last_ns = now;
	sent = seq + 1;
	return XDP_TX;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
