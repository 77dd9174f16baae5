// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * xdpgen rx --xdp-count: bpf/xdpgen_count.bpf.c attached to the interface counts frames into a
 * per-CPU array and drops (or passes) them.  No socket, no copy: the receiver that costs least,
 * for measuring what a sender delivers.  The library attaches it (xdpsock_xdp_attach): native
 * XDP, else generic (unless one is forced), never replacing someone else's program.  It is a BPF
 * link where the kernel has XDP links (5.9): the kernel detaches it when the process ends, also
 * on SIGKILL, so a killed run does not leave the interface dropping every frame.  Else it is a
 * netlink attachment, detached at the end only if it is still ours; one left by a killed run is
 * replaced by the next --xdp-count and cleared by the next receiver (xdp.c).
 *
 * The interface going away ends the run with exit status 1 (asked every XG_GONE_CHECK_NS).
 *
 * The counters are read every 10 ms (one syscall summing the CPUs), which is also the
 * resolution of the first/last-frame times the average rate is computed over.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <xdpsock/xdp.h>

#include "rx.h"

/* The map's value type, which the skeleton does not define: it must match the .bpf.c. */
struct xdpgen_count_val {
	uint64_t frames, bytes, ours, ours_bytes;
};

#include "xdpgen_count.skel.h"

#define TICK_NS (10 * 1000 * 1000ull)

struct counts {
	uint64_t frames, bytes, ours, ours_bytes;
};

static int read_counts(int map_fd, struct xdpgen_count_val *percpu, int ncpus, struct counts *out)
{
	uint32_t key = 0;
	int i;

	if (bpf_map_lookup_elem(map_fd, &key, percpu))
		return -errno;
	memset(out, 0, sizeof(*out));
	for (i = 0; i < ncpus; i++) {
		out->frames += percpu[i].frames;
		out->bytes += percpu[i].bytes;
		out->ours += percpu[i].ours;
		out->ours_bytes += percpu[i].ours_bytes;
	}
	return 0;
}

/*
 * Attach @fd through the library (a BPF link where the kernel has them; a stale xdpgen_count is
 * replaced, with a warning; a live one or anybody else's is refused).  0 or an exit status
 * (message printed, in xdpgen's words).
 */
static int attach(const struct xg_cfg *c, const struct xg_iface *ifc, int fd, struct xdpsock_xdp **x)
{
	XDPSOCK_XDP_OPTS(o, .mode = c->attach == XG_ATTACH_NATIVE	 ? XDPSOCK_ATTACH_NATIVE
				  : c->attach == XG_ATTACH_GENERIC ? XDPSOCK_ATTACH_GENERIC
								   : XDPSOCK_ATTACH_AUTO);
	char what[160];
	int err = xdpsock_xdp_attach(x, ifc->ifindex, fd, &o);

	if (!err)
		return 0;
	if (err == -EBUSY) {
		xg_xdp_describe(ifc->ifindex, what, sizeof(what));
		xg_err(c->cmd, "%s already has %s: --xdp-count needs the interface to itself, and takes it "
		       "from no one (whoever attached that program must detach it first)", ifc->name, what);
	} else if (c->attach == XG_ATTACH_NATIVE && err != -EPERM) {
		xg_err(c->cmd, "--native: the driver of %s%s%s%s has no native XDP: use --generic, or neither",
		       ifc->name, ifc->driver[0] ? " (" : "", ifc->driver, ifc->driver[0] ? ")" : "");
	} else {
		xg_err(c->cmd, "cannot attach the counting program to %s: %s%s", ifc->name, strerror(-err),
		       err == -EPERM ? " (needs CAP_NET_ADMIN and CAP_BPF, or root)" : "");
	}
	return XG_EXIT_FAIL;
}

static void summary(const struct xg_cfg *c, const struct xg_stop *stop, const struct counts *k, uint64_t t_first,
		    uint64_t t_last, uint64_t ours_first, uint64_t bytes_first, bool native)
{
	double secs = t_last > t_first ? (double)(t_last - t_first) / 1e9 : 0;
	double pps = secs > 0 ? (double)(k->ours - ours_first) / secs : 0;
	double bps = secs > 0 ? (double)(k->ours_bytes - bytes_first) * 8 / secs : 0;
	double total = (double)(xg_now() - stop->t0) / 1e9;
	uint64_t lost = c->expect > k->ours ? c->expect - k->ours : 0;
	char rate[64];

	if (c->json) {
		struct xg_json j;

		xg_json_begin(&j);
		xg_json_str(&j, "command", "rx");
		xg_json_str(&j, "interface", c->ifname);
		xg_json_str(&j, "mode", native ? "xdp-count, native XDP" : "xdp-count, generic XDP");
		xg_json_str(&j, "reason", stop->why ? stop->why : "");
		xg_json_num(&j, "seconds", total);
		xg_json_num(&j, "active_seconds", secs);
		xg_json_u64(&j, "frames", k->frames);
		xg_json_u64(&j, "ours", k->ours);
		xg_json_u64(&j, "ours_bytes", k->ours_bytes);
		xg_json_u64(&j, "other", k->frames - k->ours);
		xg_json_num(&j, "pps", pps);
		xg_json_num(&j, "bps", bps);
		if (c->expect) {
			xg_json_u64(&j, "expect", c->expect);
			xg_json_u64(&j, "lost", lost);
			xg_json_bool(&j, "expect_met", k->ours >= c->expect);
		}
		xg_json_end(&j);
		return;
	}
	printf("xdpgen rx: stopped (%s) after %.2f s on %s (xdp-count, %s XDP, frames %s)\n", stop->why ? stop->why : "?",
	       total, c->ifname, native ? "native" : "generic", c->pass ? "passed on" : "dropped");
	printf("  received    %" PRIu64 " frames of ours, %" PRIu64 " bytes: %s (first to last 10 ms tick, %.2f s)\n",
	       k->ours, k->ours_bytes, xg_rate_str(pps, bps, rate, sizeof(rate)), secs);
	printf("  other       %" PRIu64 " frames without xdpgen's magic (%" PRIu64 " frames in all)\n",
	       k->frames - k->ours, k->frames);
	printf("  sequence    not checked with --xdp-count (run without it to count lost, duplicated, reordered)\n");
	if (c->expect)
		printf("  expect      %" PRIu64 " frames of ours: %s (%" PRIu64 " missing)\n", c->expect,
		       k->ours >= c->expect ? "met" : "NOT met", lost);
	fflush(stdout);
}

int xg_rx_count(const struct xg_cfg *c, const struct xg_iface *ifc, struct xg_stop *stop)
{
	struct xdpsock_xdp *hook = NULL;
	struct xdpgen_count *skel;
	struct xdpgen_count_val *percpu = NULL;
	struct counts k = { 0 }, last = { 0 };
	uint64_t now, next_report, last_t, prev_frames = 0, t_first = 0, t_last = 0, ours_first = 0, bytes_first = 0, idle_ns;
	uint64_t gone_check = 0;
	bool gone = false;
	int ncpus, fd, map_fd, rc = XG_EXIT_FAIL, err;

	idle_ns = (uint64_t)c->idle_ms * 1000000;
	ncpus = libbpf_num_possible_cpus();
	if (ncpus <= 0) {
		xg_err(c->cmd, "cannot count the possible CPUs: %s", strerror(-ncpus));
		return XG_EXIT_FAIL;
	}
	percpu = calloc((size_t)ncpus, sizeof(*percpu));
	skel = xdpgen_count__open();
	if (!percpu || !skel) {
		xg_err(c->cmd, "cannot open the counting program: %s", strerror(errno));
		goto out;
	}
	skel->rodata->action = c->pass ? XDP_PASS : XDP_DROP;
	err = xdpgen_count__load(skel);
	if (err) {
		xg_err(c->cmd, "cannot load the counting program: %s%s", strerror(-err),
		       err == -EPERM ? " (needs CAP_BPF, or root)" : "");
		goto out;
	}
	fd = bpf_program__fd(skel->progs.xdpgen_count);
	map_fd = bpf_map__fd(skel->maps.xdpgen_counts);
	rc = attach(c, ifc, fd, &hook);
	if (rc)
		goto out;
	if (!c->quiet) {
		fprintf(xg_progress_stream(c), "xdpgen rx: %s (xdp-count, %s XDP): listening for at most %.1f s\n",
			c->ifname, xdpsock_xdp_mode(hook) == XDPSOCK_ATTACH_NATIVE ? "native" : "generic", (double)c->duration_ns / 1e9);
		fflush(xg_progress_stream(c));
	}
	stop->t0 = last_t = xg_now();
	stop->deadline = stop->t0 + c->duration_ns;
	next_report = stop->t0 + XG_NSEC;
	for (;;) {
		err = xg_stop_sleep(stop, NULL, 0, xg_now() + TICK_NS);
		now = xg_now();
		if (read_counts(map_fd, percpu, ncpus, &k)) {
			xg_err(c->cmd, "cannot read the counters: %s", strerror(errno));
			rc = XG_EXIT_FAIL;
			goto out_detach;
		}
		if (k.frames != prev_frames) {
			prev_frames = k.frames;
			if (!t_first) {
				/* The frames counted so far arrived during the first tick: measure from here. */
				t_first = now;
				ours_first = k.ours;
				bytes_first = k.ours_bytes;
			}
			t_last = now;
		}
		if (err)
			break;
		if (now >= gone_check) {
			gone_check = now + XG_GONE_CHECK_NS;
			if (xg_iface_gone(ifc->ifindex)) {
				xg_iface_gone_msg(c);
				xg_stop_set(stop, XG_WHY_GONE);
				gone = true;
				break;
			}
		}
		if (c->count && k.ours >= c->count) {
			xg_stop_set(stop, "count reached");
			break;
		}
		if (c->expect && k.ours >= c->expect && now - t_last >= idle_ns) {
			xg_stop_set(stop, "the expected frames arrived");
			break;
		}
		if (now >= next_report && !c->quiet) {
			double dt = (double)(now - last_t) / 1e9;
			char rate[64];

			fprintf(xg_progress_stream(c), "xdpgen rx: %6.1f s  ours %12" PRIu64 "  %s  other %" PRIu64 "\n",
				(double)(now - stop->t0) / 1e9, k.ours,
				xg_rate_str((double)(k.ours - last.ours) / dt, (double)(k.ours_bytes - last.ours_bytes) * 8 / dt,
					    rate, sizeof(rate)),
				k.frames - k.ours);
			fflush(xg_progress_stream(c));
			last = k;
			last_t = now;
			next_report += XG_NSEC;
		}
	}
	summary(c, stop, &k, t_first, t_last, ours_first, bytes_first, xdpsock_xdp_mode(hook) == XDPSOCK_ATTACH_NATIVE);
	rc = gone || (c->expect && k.ours < c->expect) ? XG_EXIT_FAIL : XG_EXIT_OK;
out_detach:
	/* Only our program, wherever the interface went; nothing to do when it is gone with it. */
	xdpsock_xdp_detach(hook);
out:
	xdpgen_count__destroy(skel);
	free(percpu);
	return rc;
}
