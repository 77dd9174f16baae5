// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * Which engine 'xdpgen tx' runs.  Live frames (BPF_PROG_RUN with BPF_F_TEST_XDP_LIVE_FRAMES)
 * are refused by some kernels even to root (EPERM on this project's 6.18 build, while plain
 * BPF_PROG_RUN works), so auto asks first, with a probe that sends nothing, and falls back to
 * the AF_XDP socket; the choice and its sentence are a pure function, tested without a kernel.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <linux/bpf.h>

#include "tx.h"

#define FEATURE "live frames (BPF_PROG_RUN with BPF_F_TEST_XDP_LIVE_FRAMES)"

void xg_live_probe(int ifindex, struct xg_live_probe *p)
{
	/* r0 = XDP_DROP; exit */
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = XDP_DROP },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	/* Large enough for an Ethernet header, small enough for any page: the kernel checks both. */
	uint8_t frame[64] = { 0 };
	struct xdp_md ctx = { .data_end = sizeof(frame), .ingress_ifindex = (uint32_t)ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = sizeof(frame), .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = 1, .flags = BPF_F_TEST_XDP_LIVE_FRAMES);
	int fd;

	memset(p, 0, sizeof(*p));
	fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "xdpgen_probe", "Dual MIT/GPL", insns, 2, NULL);
	if (fd < 0) {
		p->err = fd;
		p->at_load = true;
		return;
	}
	p->err = bpf_prog_test_run_opts(fd, &o) ? -errno : 0;
	close(fd);
}

const char *xg_live_refusal(const struct xg_live_probe *p, char *buf, size_t len)
{
	if (p->at_load)
		snprintf(buf, len, FEATURE " not tried: cannot load an XDP program (%s%s)", strerror(-p->err),
			 p->err == -EPERM || p->err == -EACCES ? ": needs CAP_BPF and CAP_NET_ADMIN, or root" : "");
	else
		snprintf(buf, len, FEATURE " refused by this kernel (%s%s)", strerror(-p->err),
			 p->err == -EINVAL ? ": live frames need Linux 5.18 or later" : "");
	return buf;
}

int xg_engine_pick(enum xg_engine asked, const struct xg_live_probe *p, char *msg, size_t len)
{
	char why[256];

	if (len)
		msg[0] = '\0';
	if (asked == XG_ENGINE_XSK)
		return XG_ENGINE_XSK;
	if (!p->err)
		return XG_ENGINE_LIVE;
	xg_live_refusal(p, why, sizeof(why));
	if (asked == XG_ENGINE_LIVE) {
		snprintf(msg, len, "%s: use --engine xsk, or --engine auto to fall back to it by itself", why);
		return -1;
	}
	snprintf(msg, len, "%s: using the xsk engine", why);
	return XG_ENGINE_XSK;
}
