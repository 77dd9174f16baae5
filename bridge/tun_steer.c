// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * The steering program of `xdpbridge tap|tun` on IF: bpf/xdpbridge_steer.bpf.c, embedded as a
 * libbpf skeleton, loaded and configured here through its maps, attached by the library
 * (xdpsock_xdp_attach(), the project's one XDP-program policy: a live bridge's program refused,
 * a stale one replaced with a warning, someone else's refused or, with --force, removed).  The
 * library's own program is not used (its sockets are created with XDPSOCK_ATTACH_NONE and
 * inserted into our XSKMAP), because the bridge decides per frame, not per queue.
 *
 * The library holds the attachment through a BPF link where the kernel has them: a bridge killed
 * with -9 leaves nothing on IF, and the detach at exit reaches IF in whatever namespace it moved
 * to.  The library's refusals come back as -EBUSY; the bridge says them in its own words.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdpsock/xdp.h>

#include "daemon.h"
#include "tun.h"
#include "xdpbridge_steer.skel.h"

struct tun_steer {
	struct xdpbridge_steer *skel;
	int ifindex;
	char ifname[IF_NAMESIZE];
	int prog_fd, cfg_fd, xsk_fd, stats_fd;
	struct xdpsock_xdp *xdp;	/* the attachment (the library's) */
	struct xb_steer_cfg cfg;
};

static const char *const stat_names[XB_ST_COUNT] = {
	[XB_ST_STEERED] = "steered",	   [XB_ST_NO_SOCKET] = "no_socket", [XB_ST_NO_MATCH] = "no_match",
	[XB_ST_ARP_ND] = "arp_nd",	   [XB_ST_NON_IP] = "non_ip",	    [XB_ST_OTHER_HOST] = "other_host",
	[XB_ST_SHORT] = "short",
};

const char *tun_steer_stat_name(unsigned int i)
{
	return i < XB_ST_COUNT ? stat_names[i] : "?";
}

/* libbpf prints by default: its words (the verifier's among them) are shown with -vv only. */
static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

static int libbpf_verbose(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	fputs("libbpf: ", stderr);
	return vfprintf(stderr, fmt, ap);
}

/* The library refused with -EBUSY: say why in the bridge's words (@err). */
static void say_busy(const struct tun_steer *s, char *err, size_t errlen)
{
	char prog[64];
	const char *how;
	uint32_t id;

	switch (xb_xdp_busy(s->ifindex, XB_STEER_PROG_NAME, prog, sizeof(prog), &id, &how)) {
	case XB_BUSY_FOREIGN:
		xb_foreign_prog_msg(err, errlen, s->ifname, prog, id, how);
		break;
	case XB_BUSY_OURS:
		snprintf(err, errlen,
			 "%s is already served by another xdpbridge tap/tun (its program %s, id %u, is held by a running "
			 "process): stop it first, or use another interface",
			 s->ifname, XB_STEER_PROG_NAME, id);
		break;
	default:
		snprintf(err, errlen, "%s", xdpsock_errmsg());
	}
}

int tun_steer_open(struct tun_steer **out, int ifindex, const struct tun_cfg *cfg, const uint8_t mac[6],
		   uint32_t max_queue, char *err, size_t errlen)
{
	XDPSOCK_XDP_OPTS(xo, .mode = cfg->attach_mode, .replace_foreign = cfg->force);
	libbpf_print_fn_t old;
	uint32_t zero = 0;
	struct tun_steer *s;
	int ret;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	s->ifindex = ifindex;
	snprintf(s->ifname, sizeof(s->ifname), "%s", cfg->ifname);
	s->cfg.mode = cfg->kind;
	s->cfg.nrules = cfg->nrules;
	memcpy(s->cfg.rule, cfg->rule, sizeof(cfg->rule));
	memcpy(s->cfg.mac, mac, 6);

	old = libbpf_set_print(cfg->verbose > 1 ? libbpf_verbose : libbpf_quiet);
	s->skel = xdpbridge_steer__open();
	if (!s->skel) {
		ret = -errno;
		snprintf(err, errlen, "cannot open the steering program: %s", strerror(errno));
		goto fail;
	}
	bpf_map__set_max_entries(s->skel->maps.xb_xsks, max_queue + 1);
	ret = xdpbridge_steer__load(s->skel);
	if (ret) {
		if (ret == -EPERM || ret == -EACCES)
			/* The verifier refuses its map-value pointer arithmetic to a loader without CAP_PERFMON. */
			snprintf(err, errlen, "loading the steering program needs CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN (or "
					      "CAP_SYS_ADMIN): run as root or grant them");
		else
			snprintf(err, errlen, "cannot load the steering program: %s (kernel without XDP or BPF? -vv shows "
					      "the verifier's words)",
				 strerror(-ret));
		goto fail;
	}
	s->prog_fd = bpf_program__fd(s->skel->progs.xdpbridge_steer);
	s->cfg_fd = bpf_map__fd(s->skel->maps.xb_cfg);
	s->xsk_fd = bpf_map__fd(s->skel->maps.xb_xsks);
	s->stats_fd = bpf_map__fd(s->skel->maps.xb_stats);
	if (bpf_map_update_elem(s->cfg_fd, &zero, &s->cfg, BPF_ANY)) {
		ret = -errno;
		snprintf(err, errlen, "cannot configure the steering program: %s", strerror(errno));
		goto fail;
	}
	libbpf_set_print(old);
	ret = xdpsock_xdp_attach(&s->xdp, ifindex, s->prog_fd, &xo);
	if (ret == -EBUSY)
		say_busy(s, err, errlen);
	else if (ret && ret != -EPERM && cfg->attach_mode == XDPSOCK_ATTACH_NATIVE)
		snprintf(err, errlen,
			 "cannot attach the steering program to %s in native mode: %s (driver without native XDP? try --xdp "
			 "generic)",
			 s->ifname, strerror(-ret));
	else if (ret)
		snprintf(err, errlen, "%s", xdpsock_errmsg());
	if (ret)
		goto fail_attached;
	*out = s;
	return 0;

fail:
	libbpf_set_print(old);
fail_attached:
	tun_steer_close(s);
	return ret;
}

int tun_steer_xskmap_fd(const struct tun_steer *s)
{
	return s->xsk_fd;
}

const char *tun_steer_mode(const struct tun_steer *s)
{
	return xdpsock_xdp_mode(s->xdp) == XDPSOCK_ATTACH_GENERIC ? "generic" : "native";
}

uint32_t tun_steer_id(const struct tun_steer *s)
{
	return xdpsock_xdp_prog_id(s->xdp);
}

int tun_steer_set_mac(struct tun_steer *s, const uint8_t mac[6])
{
	uint32_t zero = 0;

	memcpy(s->cfg.mac, mac, 6);
	return bpf_map_update_elem(s->cfg_fd, &zero, &s->cfg, BPF_ANY) ? -errno : 0;
}

int tun_steer_stats(const struct tun_steer *s, struct tun_steer_stats *st)
{
	int ncpu = libbpf_num_possible_cpus(), c;
	uint64_t *v;
	uint32_t k;

	memset(st, 0, sizeof(*st));
	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	v = calloc((size_t)ncpu, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (k = 0; k < XB_ST_COUNT; k++) {
		if (bpf_map_lookup_elem(s->stats_fd, &k, v)) {
			free(v);
			return -errno;
		}
		for (c = 0; c < ncpu; c++)
			st->v[k] += v[c];
	}
	free(v);
	return 0;
}

void tun_steer_close(struct tun_steer *s)
{
	if (!s)
		return;
	/* Only ours, wherever IF is now; what the library could not do it says (the log). */
	xdpsock_xdp_detach(s->xdp);
	xdpbridge_steer__destroy(s->skel);
	free(s);
}
