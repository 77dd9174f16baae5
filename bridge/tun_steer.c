// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * The steering program of `xdpbridge tap|tun` on IF: bpf/xdpbridge_steer.bpf.c, embedded as a
 * libbpf skeleton, configured through its maps, attached with bpf_xdp_attach().  The library's
 * own program is not used (its sockets are created with XDPSOCK_ATTACH_NONE and inserted into
 * our XSKMAP), because the bridge decides per frame, not per queue.
 *
 * What may already be on IF when we start:
 *
 *   nothing                          attach ours
 *   xdpbridge_steer, held by a       another bridge serves IF: refuse (exit 1), never take its
 *     running process                traffic away
 *   xdpbridge_steer, held by nobody  left by a bridge that was killed (kill -9 cannot detach):
 *                                    stale, replaced with a warning
 *   anything else                    refused, named, unless --force: then removed, named
 *
 * "Held" is read from /proc/PID/fdinfo (prog_id): a live bridge keeps its skeleton's fds open
 * for as long as it runs; the attachment alone holds no fd.  At exit we detach by fd
 * (XDP_FLAGS_REPLACE semantics), so a program attached meanwhile by someone else stays.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "daemon.h"
#include "tun.h"
#include "xdpbridge_steer.skel.h"

struct tun_steer {
	struct xdpbridge_steer *skel;
	int ifindex;
	char ifname[IF_NAMESIZE];
	const char *pfx;		/* "xdpbridge tap: " */
	int prog_fd, cfg_fd, xsk_fd, stats_fd;
	uint32_t prog_id;
	uint32_t mode_flag;		/* XDP_FLAGS_DRV_MODE or XDP_FLAGS_SKB_MODE, as attached */
	bool attached;
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

/* ---- who holds a program -------------------------------------------------- */

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* Does /proc/@pid/fdinfo/@fd describe BPF program @id? */
static bool fd_is_prog(const char *pid, const char *fd, uint32_t id)
{
	char path[600], link[64], line[128];
	ssize_t n;
	bool yes = false;
	FILE *f;
	unsigned int v;

	snprintf(path, sizeof(path), "/proc/%s/fd/%s", pid, fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return false;
	link[n] = '\0';
	if (strcmp(link, "anon_inode:bpf-prog"))
		return false;
	snprintf(path, sizeof(path), "/proc/%s/fdinfo/%s", pid, fd);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "prog_id: %u", &v) == 1) {
			yes = v == id;
			break;
		}
	fclose(f);
	return yes;
}

int tun_prog_holders(uint32_t id)
{
	char self[16], path[300];
	struct dirent *p, *e;
	DIR *proc, *fds;
	int n = 0;

	proc = opendir("/proc");
	if (!proc)
		return -errno;
	snprintf(self, sizeof(self), "%d", (int)getpid());
	while ((p = readdir(proc))) {
		if (!all_digits(p->d_name) || !strcmp(p->d_name, self))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fd", p->d_name);
		fds = opendir(path);
		if (!fds)
			continue;	/* gone meanwhile, or a kernel thread */
		while ((e = readdir(fds)))
			if (all_digits(e->d_name) && fd_is_prog(p->d_name, e->d_name, id)) {
				n++;
				break;
			}
		closedir(fds);
	}
	closedir(proc);
	return n;
}

/* ---- what is on IF already ------------------------------------------------ */

static const struct {
	size_t off;
	uint32_t flag;
	const char *mode;
} xdp_modes[] = {
	{ offsetof(struct bpf_xdp_query_opts, drv_prog_id), XDP_FLAGS_DRV_MODE, "native" },
	{ offsetof(struct bpf_xdp_query_opts, skb_prog_id), XDP_FLAGS_SKB_MODE, "generic" },
	{ offsetof(struct bpf_xdp_query_opts, hw_prog_id), XDP_FLAGS_HW_MODE, "offload" },
};

/* Remove what must go before ours attaches, or refuse.  0 or -errno (@err). */
static int clear_way(struct tun_steer *s, bool force, char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	const char *ifn = s->ifname;
	size_t i;
	int ret;

	ret = bpf_xdp_query(s->ifindex, 0, &q);
	if (ret) {
		snprintf(err, errlen, "cannot query the XDP program of %s: %s%s", ifn, strerror(-ret),
			 ret == -EPERM ? " (needs CAP_NET_ADMIN)" : "");
		return ret;
	}
	for (i = 0; i < sizeof(xdp_modes) / sizeof(xdp_modes[0]); i++) {
		LIBBPF_OPTS(bpf_xdp_attach_opts, a);
		struct bpf_prog_info info;
		uint32_t id, len = sizeof(info);
		bool ours;
		int fd, holders = 0;

		memcpy(&id, (const char *)&q + xdp_modes[i].off, sizeof(id));
		if (!id)
			continue;
		fd = bpf_prog_get_fd_by_id(id);
		if (fd < 0) {
			ret = -errno;
			snprintf(err, errlen, "%s has XDP program id %u attached and it cannot be inspected (%s): %s", ifn, id,
				 strerror(errno),
				 errno == ENOENT ? "it went away meanwhile: retry" :
						   "run as root (CAP_SYS_ADMIN), so the bridge can tell whose it is");
			return ret;
		}
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
			ret = -errno;
			close(fd);
			snprintf(err, errlen, "cannot inspect XDP program id %u on %s: %s", id, ifn, strerror(-ret));
			return ret;
		}
		ours = !strcmp(info.name, XB_STEER_PROG_NAME);
		if (ours) {
			holders = tun_prog_holders(id);
			if (holders != 0 && !force) {
				close(fd);
				if (holders > 0)
					snprintf(err, errlen,
						 "%s is already served by another xdpbridge tap/tun (its program %s, id %u, is "
						 "held by %d running process%s): stop it first, or use another interface",
						 ifn, XB_STEER_PROG_NAME, id, holders, holders == 1 ? "" : "es");
				else
					snprintf(err, errlen,
						 "%s has a %s program (id %u) and /proc cannot tell whether its bridge still runs "
						 "(%s): stop it, or use --force to replace it",
						 ifn, XB_STEER_PROG_NAME, id, strerror(-holders));
				return -EBUSY;
			}
		} else if (!force) {
			close(fd);
			xb_foreign_prog_msg(err, errlen, ifn, info.name, id, xdp_modes[i].mode);
			return -EBUSY;
		}
		/* Named by fd: if it was replaced meanwhile, the kernel refuses instead of removing another. */
		a.old_prog_fd = fd;
		ret = bpf_xdp_detach(s->ifindex, xdp_modes[i].flag, &a);
		close(fd);
		if (ret) {
			snprintf(err, errlen, "cannot remove XDP program '%s' (id %u, %s mode) from %s: %s", info.name, id,
				 xdp_modes[i].mode, ifn, strerror(-ret));
			return ret;
		}
		if (ours && !holders)
			fprintf(stderr, "%sreplaced a stale %s program (id %u, %s mode) left on %s by a bridge that exited "
					"without detaching it (killed?)\n",
				s->pfx, XB_STEER_PROG_NAME, id, xdp_modes[i].mode, ifn);
		else
			fprintf(stderr, "%s--force: removed XDP program '%s' (id %u, %s mode) from %s\n", s->pfx, info.name, id,
				xdp_modes[i].mode, ifn);
	}
	return 0;
}

static int attach(struct tun_steer *s, enum xdpsock_attach_mode want, char *err, size_t errlen)
{
	uint32_t flag = want == XDPSOCK_ATTACH_GENERIC ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
	int ret;

	ret = bpf_xdp_attach(s->ifindex, s->prog_fd, XDP_FLAGS_UPDATE_IF_NOEXIST | flag, NULL);
	if (ret && want == XDPSOCK_ATTACH_AUTO && ret != -EBUSY && ret != -EEXIST && ret != -EPERM) {
		fprintf(stderr, "%snative XDP on %s failed (%s): attaching the steering program in generic mode\n", s->pfx,
			s->ifname, strerror(-ret));
		flag = XDP_FLAGS_SKB_MODE;
		ret = bpf_xdp_attach(s->ifindex, s->prog_fd, XDP_FLAGS_UPDATE_IF_NOEXIST | flag, NULL);
	}
	if (ret == -EPERM || ret == -EACCES)
		snprintf(err, errlen, "attaching XDP to %s needs CAP_NET_ADMIN: run as root or grant it", s->ifname);
	else if (ret == -EBUSY || ret == -EEXIST)
		snprintf(err, errlen, "%s got another XDP program while ours was being attached: retry", s->ifname);
	else if (ret)
		snprintf(err, errlen, "cannot attach the steering program to %s in %s mode: %s%s", s->ifname,
			 flag == XDP_FLAGS_SKB_MODE ? "generic" : "native", strerror(-ret),
			 want == XDPSOCK_ATTACH_NATIVE ? " (driver without native XDP? try --xdp generic)" : "");
	if (ret)
		return ret;
	s->mode_flag = flag;
	s->attached = true;
	return 0;
}

int tun_steer_open(struct tun_steer **out, int ifindex, const struct tun_cfg *cfg, const uint8_t mac[6],
		   uint32_t max_queue, char *err, size_t errlen)
{
	libbpf_print_fn_t old;
	struct bpf_prog_info info;
	uint32_t zero = 0, len = sizeof(info);
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
	s->pfx = cfg->kind == TUN_KIND_TAP ? "xdpbridge tap: " : "xdpbridge tun: ";
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
			snprintf(err, errlen, "loading the steering program needs CAP_BPF and CAP_NET_ADMIN (or CAP_SYS_ADMIN): "
					      "run as root or grant them");
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
	memset(&info, 0, sizeof(info));
	if (!bpf_obj_get_info_by_fd(s->prog_fd, &info, &len))
		s->prog_id = info.id;
	ret = clear_way(s, cfg->force, err, errlen);
	if (ret)
		goto fail;
	ret = attach(s, cfg->attach_mode, err, errlen);
	if (ret)
		goto fail;
	libbpf_set_print(old);
	*out = s;
	return 0;

fail:
	libbpf_set_print(old);
	tun_steer_close(s);
	return ret;
}

int tun_steer_xskmap_fd(const struct tun_steer *s)
{
	return s->xsk_fd;
}

const char *tun_steer_mode(const struct tun_steer *s)
{
	return s->mode_flag == XDP_FLAGS_SKB_MODE ? "generic" : "native";
}

uint32_t tun_steer_id(const struct tun_steer *s)
{
	return s->prog_id;
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
	if (s->attached) {
		LIBBPF_OPTS(bpf_xdp_attach_opts, a, .old_prog_fd = s->prog_fd);
		int ret = bpf_xdp_detach(s->ifindex, s->mode_flag, &a);

		/* ENODEV: IF is gone and took the program with it. */
		if (ret == -EEXIST || ret == -EBUSY)
			fprintf(stderr, "%s%s's XDP program is not ours any more (replaced by someone else): left alone\n",
				s->pfx, s->ifname);
		else if (ret && ret != -ENODEV)
			fprintf(stderr, "%scould not detach the steering program (id %u) from %s: %s: remove it with 'ip link set "
					"dev %s %s off'\n",
				s->pfx, s->prog_id, s->ifname, strerror(-ret), s->ifname,
				xb_xdp_off_cmd(s->mode_flag == XDP_FLAGS_SKB_MODE ? XDP_ATTACHED_SKB : XDP_ATTACHED_DRV));
	}
	xdpbridge_steer__destroy(s->skel);
	free(s);
}
