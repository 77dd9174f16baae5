// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * The steering XDP program: one attachment per interface, shared by every RX
 * socket of this process on it, and cooperating with other processes:
 *
 *   nothing attached          -> load our embedded program and attach it
 *   ours, receivers alive     -> another process uses it: insert into its XSKMAP
 *   ours, no receiver alive   -> stale (its owner was killed): replace it, say so
 *   someone else's            -> refuse with its name and id (-EBUSY)
 *
 * The last receiver to leave detaches it, naming the exact program it expects
 * (XDP_FLAGS_REPLACE semantics), so a program attached meanwhile by someone
 * else is never removed.  "Receivers" are counted by sock_diag (lib/diag.c).  Querying,
 * attaching and detaching are lib/xdp.c's, which owns every XDP attachment of the project;
 * what is particular here is sharing one program between processes through its XSKMAP.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "internal.h"
#include "xsk_redirect.skel.h"

#define PROG_NAME "xdpsock_redir"

struct xdpsock_prog {
	struct xdpsock_prog *next;
	uint64_t netns;
	int netns_fd;			/* to detach from the right namespace whatever thread destroys */
	int ifindex;
	int refs;
	struct xdpsock_redirect *skel;	/* when we loaded it */
	int prog_fd;			/* ours, or the adopted program's */
	int map_fd;
	uint32_t prog_id;
	uint32_t flag;			/* XDP_FLAGS_DRV_MODE or XDP_FLAGS_SKB_MODE, as attached */
};

static pthread_mutex_t progs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct xdpsock_prog *progs;

static void prog_free(struct xdpsock_prog *p)
{
	if (!p)
		return;
	if (p->netns_fd >= 0)
		close(p->netns_fd);
	if (p->skel) {
		xdpsock_redirect__destroy(p->skel);
	} else {
		if (p->prog_fd >= 0)
			close(p->prog_fd);
		if (p->map_fd >= 0)
			close(p->map_fd);
	}
	free(p);
}

/* Open the embedded skeleton, its XSKMAP sized for @entries queues, and load it. */
static int load_skel(struct xdpsock_prog *p, uint32_t entries, bool frags)
{
	struct bpf_program *prog;
	int err;

	p->skel = xdpsock_redirect__open();
	if (!p->skel)
		return -errno;
	prog = p->skel->progs.xdpsock_redir;
	if (!frags)
		bpf_program__set_flags(prog, bpf_program__flags(prog) & ~BPF_F_XDP_HAS_FRAGS);
	bpf_map__set_max_entries(p->skel->maps.xdpsock_xsks, entries);
	err = xdpsock_redirect__load(p->skel);
	if (err) {
		xdpsock_redirect__destroy(p->skel);
		p->skel = NULL;
	}
	return err;
}

static int load(struct xdpsock_prog *p, uint32_t queue_id, const char *ifn)
{
	uint32_t nq = 0, entries = 64;
	char answer[256];
	int err;

	if (!xdpsock__if_queues(p->ifindex, &nq) && nq > entries)
		entries = nq;
	if (queue_id >= entries)
		entries = queue_id + 1;
	/*
	 * Frags-aware first (multi-buffer packets, native mode at any MTU).  A kernel without
	 * BPF_F_XDP_HAS_FRAGS (before 5.18) refuses the flag (EINVAL): load it without, and say so.
	 */
	err = load_skel(p, entries, true);
	if (err && err != -EPERM && err != -EACCES) {
		snprintf(answer, sizeof(answer), "%s", xdpsock__libbpf_last());
		if (!load_skel(p, entries, false)) {
			xdpsock__refused(XDPSOCK__FEAT_XDP_FRAGS, NULL, err, answer,
					 "loaded a single-buffer program: no jumbo frames in native mode, and packets larger than a page are dropped");
			err = 0;
		}
	}
	if (err) {
		if (err == -EPERM || err == -EACCES)
			err = xdpsock__fail(EPERM,
					    "loading the XDP program for %s needs CAP_BPF and CAP_NET_ADMIN (or CAP_SYS_ADMIN): run as root or grant them",
					    ifn);
		else
			err = xdpsock__fail(err, "cannot load the XDP program for %s: %s (kernel without XDP or BPF?)", ifn,
					    strerror(-err));
		return err;
	}
	p->prog_fd = bpf_program__fd(p->skel->progs.xdpsock_redir);
	p->map_fd = bpf_map__fd(p->skel->maps.xdpsock_xsks);
	return 0;
}

/* The attached program's map, to insert our socket into another live process's program. */
static int adopt(struct xdpsock_prog *p, int prog_fd, const struct bpf_prog_info *info)
{
	struct bpf_prog_info mi;
	uint32_t ids[4], len = sizeof(mi);
	uint32_t i;

	memset(&mi, 0, sizeof(mi));
	mi.nr_map_ids = 4;
	mi.map_ids = (uint64_t)(uintptr_t)ids;
	if (bpf_obj_get_info_by_fd(prog_fd, &mi, &len))
		return -errno;
	for (i = 0; i < mi.nr_map_ids && i < 4; i++) {
		int fd = bpf_map_get_fd_by_id(ids[i]);
		struct bpf_map_info minfo;
		uint32_t mlen = sizeof(minfo);

		if (fd < 0)
			continue;
		memset(&minfo, 0, sizeof(minfo));
		if (!bpf_obj_get_info_by_fd(fd, &minfo, &mlen) && minfo.type == BPF_MAP_TYPE_XSKMAP) {
			p->map_fd = fd;
			p->prog_fd = prog_fd;
			p->prog_id = info->id;
			return 0;
		}
		close(fd);
	}
	return -ENOENT;
}

/* Live AF_XDP receivers on @ifindex by sock_diag; a kernel without it is said once. */
static int diag_receivers(int ifindex)
{
	int n = xdpsock__diag_rx_sockets(ifindex);

	if (n < 0)
		xdpsock__refused(XDPSOCK__FEAT_SOCK_DIAG, NULL, n, NULL,
				 "telling a stale program from a live one by the processes that hold it (/proc)");
	return n;
}

static int setup(struct xdpsock_prog *p, uint32_t queue_id, enum xdpsock_attach_mode want, bool replace_foreign)
{
	struct xdpsock__xdp_found f;
	char ifn[IF_NAMESIZE];
	struct bpf_prog_info info;
	int err, n, live;

	xdpsock__ifname(p->ifindex, ifn);
	n = xdpsock__xdp_query(p->ifindex, ifn, &f, 1);
	if (n < 0)
		return n;
	if (!n)
		goto fresh;
	if (strcmp(f.name, PROG_NAME) && replace_foreign) {
		err = xdpsock__xdp_detach_fd(p->ifindex, f.fd, f.flag);
		close(f.fd);
		if (err)
			return xdpsock__fail(err, "cannot remove XDP program '%s' (id %u, %s mode) from %s: %s", f.name, f.id,
					     xdpsock__xdp_mode_name(f.flag), ifn, strerror(-err));
		xdpsock__log(XDPSOCK_LOG_WARN, "removed XDP program '%s' (id %u, %s mode) from %s, as asked", f.name, f.id,
			     xdpsock__xdp_mode_name(f.flag), ifn);
		goto fresh;
	}
	if (strcmp(f.name, PROG_NAME)) {
		close(f.fd);
		return xdpsock__fail(EBUSY,
				     "%s already has XDP program '%s' (id %u, %s mode) attached, which is not ours and is left alone: use another interface, or redirect to an XSKMAP from that program and create the socket with attach_mode NONE",
				     ifn, f.name, f.id, xdpsock__xdp_mode_name(f.flag));
	}
	live = diag_receivers(p->ifindex);
	if (live < 0)	/* no sock_diag for AF_XDP: does any other process still hold the program? */
		live = xdpsock__prog_users(f.id);
	if (live != 0) {
		/* Another process receives through it (or we cannot tell): share it. */
		memset(&info, 0, sizeof(info));
		info.id = f.id;
		err = adopt(p, f.fd, &info);
		if (err) {
			close(f.fd);
			return xdpsock__fail(EBUSY, "xdpsock program id %u on %s is in use by another process but has no XSKMAP we can use (another version of the library?): stop that process first",
					     f.id, ifn);
		}
		p->flag = f.flag;
		xdpsock__log(XDPSOCK_LOG_INFO, "sharing the xdpsock program (id %u) already on %s with another process",
			     f.id, ifn);
		return 0;
	}
	err = xdpsock__xdp_detach_fd(p->ifindex, f.fd, f.flag);
	close(f.fd);
	if (err)
		return xdpsock__fail(err, "cannot remove the stale xdpsock program id %u from %s: %s", f.id, ifn,
				     strerror(-err));
	xdpsock__log(XDPSOCK_LOG_WARN, "replaced a stale xdpsock program (id %u) left on %s by a process that exited",
		     f.id, ifn);
fresh:
	err = load(p, queue_id, ifn);
	if (err)
		return err;
	err = xdpsock__xdp_attach_fd(p->ifindex, ifn, p->prog_fd, want, &p->flag);
	if (err)
		return err;
	if (!xdpsock__prog_info(p->prog_fd, &info))
		p->prog_id = info.id;
	xdpsock__log(XDPSOCK_LOG_INFO, "attached the xdpsock program (id %u) to %s in %s mode", p->prog_id, ifn,
		     xdpsock__xdp_mode_name(p->flag));
	return 0;
}

int xdpsock__prog_get(struct xdpsock_prog **out, int ifindex, uint32_t queue_id, enum xdpsock_attach_mode mode,
		      bool replace_foreign)
{
	uint64_t ns = xdpsock__netns_id();
	struct xdpsock_prog *p;
	int err;

	pthread_mutex_lock(&progs_lock);
	for (p = progs; p; p = p->next)
		if (p->netns == ns && p->ifindex == ifindex)
			break;
	if (p) {
		p->refs++;
		*out = p;
		pthread_mutex_unlock(&progs_lock);
		return 0;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		pthread_mutex_unlock(&progs_lock);
		return xdpsock__fail(ENOMEM, "out of memory");
	}
	p->netns = ns;
	p->netns_fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	p->ifindex = ifindex;
	p->refs = 1;
	p->prog_fd = -1;
	p->map_fd = -1;
	xdpsock__libbpf_begin();	/* loading the skeleton */
	err = setup(p, queue_id, mode, replace_foreign);
	xdpsock__libbpf_end();
	if (err) {
		pthread_mutex_unlock(&progs_lock);
		prog_free(p);
		return err;
	}
	p->next = progs;
	progs = p;
	*out = p;
	pthread_mutex_unlock(&progs_lock);
	return 0;
}

int xdpsock__prog_add(struct xdpsock_prog *p, uint32_t queue_id, int xsk_fd)
{
	char ifn[IF_NAMESIZE];

	if (bpf_map_update_elem(p->map_fd, &queue_id, &xsk_fd, BPF_ANY))
		return xdpsock__fail(errno, "cannot steer queue %u of %s into the socket: %s%s", queue_id,
				     xdpsock__ifname(p->ifindex, ifn), strerror(errno),
				     errno == E2BIG ? " (the shared program's XSKMAP is smaller than this queue id)" : "");
	return 0;
}

void xdpsock__prog_put(struct xdpsock_prog *p)
{
	struct xdpsock_prog **pp;
	char ifn[IF_NAMESIZE];
	int live, err, back;

	if (!p)
		return;
	pthread_mutex_lock(&progs_lock);
	if (--p->refs > 0) {
		pthread_mutex_unlock(&progs_lock);
		return;
	}
	for (pp = &progs; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	/* The destroying thread may sit in another namespace than the creating one did. */
	err = xdpsock__in_netns(p->netns_fd, p->netns, &back);
	if (err) {
		xdpsock__log(XDPSOCK_LOG_WARN, "cannot enter the namespace of ifindex %d to detach its XDP program: %s",
			     p->ifindex, strerror(-err));
		goto out;
	}
	/* Our sockets are closed by now: any receiver left belongs to another process. */
	live = diag_receivers(p->ifindex);
	if (live < 0 && p->prog_id)	/* no sock_diag for AF_XDP: as in setup() */
		live = xdpsock__prog_users(p->prog_id);
	if (live == 0 || (live < 0 && p->skel)) {
		err = xdpsock__xdp_detach_fd(p->ifindex, p->prog_fd, p->flag);
		if (err && err != -ENODEV)
			xdpsock__log(XDPSOCK_LOG_WARN, "could not detach the xdpsock program (id %u) from %s: %s",
				     p->prog_id, xdpsock__ifname(p->ifindex, ifn), strerror(-err));
	}
	xdpsock__out_of_netns(back);
out:
	pthread_mutex_unlock(&progs_lock);
	prog_free(p);
}

enum xdpsock_attach_mode xdpsock__prog_mode(const struct xdpsock_prog *p)
{
	return !p ? XDPSOCK_ATTACH_NONE : p->flag == XDP_FLAGS_SKB_MODE ? XDPSOCK_ATTACH_GENERIC : XDPSOCK_ATTACH_NATIVE;
}
