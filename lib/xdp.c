// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * XDP programs on interfaces: inspect what is attached, attach (native, else generic), replace a
 * stale program of ours or, when asked, someone else's, and detach only our own.  The one place
 * in the project that attaches or detaches XDP programs; lib/prog.c (the library's steering
 * program), xdpbridge and xdpgen call it.  The policy is in include/xdpsock/xdp.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdpsock/xdp.h>

#include "internal.h"

struct xdpsock_xdp {
	int ifindex;
	char ifname[IF_NAMESIZE];
	int netns_fd;		/* detach from the namespace of the attach, whatever thread detaches */
	uint64_t netns;
	int prog_fd;		/* our own reference */
	int link_fd;		/* the BPF link that holds the attachment; -1: attached over netlink */
	uint32_t prog_id;
	uint32_t flag;		/* XDP_FLAGS_DRV_MODE or XDP_FLAGS_SKB_MODE, as attached */
};

static const struct {
	size_t off;
	uint32_t flag;
	const char *mode;
} slots[] = {
	{ offsetof(struct bpf_xdp_query_opts, drv_prog_id), XDP_FLAGS_DRV_MODE, "native" },
	{ offsetof(struct bpf_xdp_query_opts, skb_prog_id), XDP_FLAGS_SKB_MODE, "generic" },
	{ offsetof(struct bpf_xdp_query_opts, hw_prog_id), XDP_FLAGS_HW_MODE, "offload" },
};

uint64_t xdpsock__netns_id(void)
{
	struct stat st;

	if (stat("/proc/thread-self/ns/net", &st) && stat("/proc/self/ns/net", &st))
		return 0;
	return (uint64_t)st.st_ino;
}

const char *xdpsock__xdp_mode_name(uint32_t flag)
{
	return flag == XDP_FLAGS_SKB_MODE ? "generic" : flag == XDP_FLAGS_HW_MODE ? "offload" : "native";
}

int xdpsock__prog_info(int fd, struct bpf_prog_info *info)
{
	uint32_t len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	return bpf_obj_get_info_by_fd(fd, info, &len) ? -errno : 0;
}

int xdpsock__xdp_attach_fd(int ifindex, const char *ifn, int prog_fd, enum xdpsock_attach_mode want, uint32_t *flag)
{
	uint32_t f = want == XDPSOCK_ATTACH_GENERIC ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
	int err;

	xdpsock__libbpf_begin();
	err = bpf_xdp_attach(ifindex, prog_fd, XDP_FLAGS_UPDATE_IF_NOEXIST | f, NULL);
	if (err && want == XDPSOCK_ATTACH_AUTO && err != -EBUSY && err != -EEXIST && err != -EPERM) {
		/* The kernel's reason (its extended ack) came through libbpf's print hook. */
		xdpsock__refused(XDPSOCK__FEAT_NATIVE_XDP, ifn, err, xdpsock__libbpf_last(), "using generic XDP");
		f = XDP_FLAGS_SKB_MODE;
		err = bpf_xdp_attach(ifindex, prog_fd, XDP_FLAGS_UPDATE_IF_NOEXIST | f, NULL);
	}
	if (err == -EPERM || err == -EACCES)
		err = xdpsock__fail(EPERM, "attaching XDP to %s needs CAP_NET_ADMIN: run as root or grant it", ifn);
	else if (err == -EBUSY || err == -EEXIST)
		err = xdpsock__fail(EBUSY, "%s got another XDP program while ours was being attached: retry", ifn);
	else if (err)
		err = xdpsock__fail(err, "cannot attach %s XDP to %s: %s%s%s%s%s", xdpsock__xdp_mode_name(f), ifn,
				    strerror(-err), *xdpsock__libbpf_last() ? " (" : "", xdpsock__libbpf_last(),
				    *xdpsock__libbpf_last() ? ")" : "",
				    want == XDPSOCK_ATTACH_NATIVE ? ": the driver refuses native XDP here; ask for generic XDP" : "");
	else
		*flag = f;
	xdpsock__libbpf_end();
	return err;
}

/*
 * Attach through a BPF link (Linux 5.9): the attachment lives as long as the link's fd, so a
 * process killed with -9 leaves nothing behind, and closing the link detaches the program from
 * the device in whatever namespace the device has moved to.  The bpf() syscall does not return
 * the kernel's extended ack; when native mode is refused, the same request over netlink fetches
 * the kernel's reason for the log (it fails the same way; if it succeeds after all, it is undone).
 * A kernel without XDP links gets a netlink attachment, and says so.
 */
static int attach_link(struct xdpsock_xdp *x, enum xdpsock_attach_mode want)
{
	uint32_t f = want == XDPSOCK_ATTACH_GENERIC ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
	LIBBPF_OPTS(bpf_link_create_opts, o, .flags = f);
	int fd, err;

	fd = bpf_link_create(x->prog_fd, x->ifindex, BPF_XDP, &o);
	if (fd < 0 && want == XDPSOCK_ATTACH_AUTO && errno != EBUSY && errno != EEXIST && errno != EPERM) {
		err = -errno;
		xdpsock__libbpf_begin();
		if (!bpf_xdp_attach(x->ifindex, x->prog_fd, XDP_FLAGS_UPDATE_IF_NOEXIST | f, NULL))
			xdpsock__xdp_detach_fd(x->ifindex, x->prog_fd, f);
		xdpsock__refused(XDPSOCK__FEAT_NATIVE_XDP, x->ifname, err, xdpsock__libbpf_last(), "using generic XDP");
		xdpsock__libbpf_end();
		f = XDP_FLAGS_SKB_MODE;
		o.flags = f;
		fd = bpf_link_create(x->prog_fd, x->ifindex, BPF_XDP, &o);
	}
	if (fd >= 0) {
		x->link_fd = fd;
		x->flag = f;
		return 0;
	}
	err = -errno;
	if (err == -EINVAL || err == -EOPNOTSUPP || err == -524 /* ENOTSUPP */) {
		xdpsock__refused(XDPSOCK__FEAT_XDP_LINK, NULL, err, NULL,
				 "attaching over netlink; a process killed with -9 leaves its program behind (replaced as stale by the next run)");
		return xdpsock__xdp_attach_fd(x->ifindex, x->ifname, x->prog_fd, f == XDP_FLAGS_SKB_MODE ? XDPSOCK_ATTACH_GENERIC : want,
					      &x->flag);
	}
	if (err == -EPERM || err == -EACCES)
		return xdpsock__fail(EPERM, "attaching XDP to %s needs CAP_NET_ADMIN: run as root or grant it", x->ifname);
	if (err == -EBUSY || err == -EEXIST)
		return xdpsock__fail(EBUSY, "%s got another XDP program while ours was being attached: retry", x->ifname);
	return xdpsock__fail(err, "cannot attach %s XDP to %s: %s%s", xdpsock__xdp_mode_name(f), x->ifname, strerror(-err),
			     want == XDPSOCK_ATTACH_NATIVE ? ": the driver refuses native XDP here; ask for generic XDP" : "");
}

int xdpsock__xdp_detach_fd(int ifindex, int prog_fd, uint32_t flag)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, o, .old_prog_fd = prog_fd);
	int err;

	/* Named by fd: if it was replaced meanwhile, the kernel refuses instead of removing another. */
	xdpsock__libbpf_begin();
	err = bpf_xdp_detach(ifindex, flag, &o);
	xdpsock__libbpf_end();
	return err;
}

int xdpsock__xdp_query(int ifindex, const char *ifn, struct xdpsock__xdp_found *found, int max)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	int err, n = 0;
	size_t i;

	xdpsock__libbpf_begin();
	err = bpf_xdp_query(ifindex, 0, &q);
	xdpsock__libbpf_end();
	if (err == -EPERM || err == -EACCES)
		return xdpsock__fail(EPERM, "querying XDP on %s needs CAP_NET_ADMIN: run as root or grant it", ifn);
	if (err)
		return xdpsock__fail(err, "cannot query the XDP program of %s: %s", ifn, strerror(-err));
	for (i = 0; i < sizeof(slots) / sizeof(slots[0]) && n < max; i++) {
		struct xdpsock__xdp_found *f = &found[n];
		struct bpf_prog_info info;

		memcpy(&f->id, (const char *)&q + slots[i].off, sizeof(f->id));
		if (!f->id)
			continue;
		f->flag = slots[i].flag;
		f->fd = bpf_prog_get_fd_by_id(f->id);
		if (f->fd < 0) {
			err = errno;
			while (n--)
				close(found[n].fd);
			return xdpsock__fail(err == EPERM ? EPERM : EBUSY,
					     "%s has XDP program id %u attached (%s mode) and it cannot be inspected (%s): it may not be ours, so it is left alone%s",
					     ifn, f->id, slots[i].mode, strerror(err),
					     err == EPERM ? "; inspecting it needs CAP_SYS_ADMIN" : "");
		}
		err = xdpsock__prog_info(f->fd, &info);
		if (err) {
			close(f->fd);
			while (n--)
				close(found[n].fd);
			return xdpsock__fail(err, "cannot inspect XDP program id %u on %s: %s", f->id, ifn, strerror(-err));
		}
		snprintf(f->name, sizeof(f->name), "%s", info.name);
		n++;
	}
	return n;
}

/*
 * What to do with @f, found on @ifn, on the way to attaching a program named @ours: 0 leave it
 * (@stale_only), 1 remove it, or -errno (said) to refuse.  *@stale: it is ours and nobody holds it.
 */
static int judge(const struct xdpsock__xdp_found *f, const char *ifn, const char *ours, bool replace_foreign,
		 bool stale_only, bool *stale)
{
	bool mine = !strcmp(f->name, ours);
	int holders = mine ? xdpsock__prog_users(f->id) : 0;

	*stale = mine && !holders;
	if (*stale)
		return 1;
	if (stale_only)
		return 0;
	if (mine && holders > 0)
		return xdpsock__fail(EBUSY,
				     "%s is already served by another process: its program %s (id %u) is held by %d running process%s; stop it first, or use another interface",
				     ifn, ours, f->id, holders, holders == 1 ? "" : "es");
	if (replace_foreign)
		return 1;
	if (mine)
		return xdpsock__fail(EBUSY,
				     "%s has a %s program (id %u) and /proc cannot tell whether its owner still runs (%s): stop it first",
				     ifn, ours, f->id, strerror(-holders));
	return xdpsock__fail(EBUSY, "%s already has XDP program '%s' (id %u, %s mode) attached, which is not ours and is left alone",
			     ifn, f->name, f->id, xdpsock__xdp_mode_name(f->flag));
}

/*
 * Make way for a program named @ours on @ifn: remove stale ones of ours and, when asked, anybody
 * else's.  The number removed, or -errno with the reason said.
 */
static int clear_way(int ifindex, const char *ifn, const char *ours, bool replace_foreign, bool stale_only)
{
	struct xdpsock__xdp_found f[3];
	int n, i, err = 0, removed = 0;
	bool stale;

	n = xdpsock__xdp_query(ifindex, ifn, f, 3);
	if (n < 0)
		return n;
	for (i = 0; i < n; i++) {
		err = judge(&f[i], ifn, ours, replace_foreign, stale_only, &stale);
		if (err <= 0) {
			if (err < 0)
				break;
			continue;
		}
		err = xdpsock__xdp_detach_fd(ifindex, f[i].fd, f[i].flag);
		if (err) {
			err = xdpsock__fail(err, "cannot remove XDP program '%s' (id %u, %s mode) from %s: %s", f[i].name,
					    f[i].id, xdpsock__xdp_mode_name(f[i].flag), ifn, strerror(-err));
			break;
		}
		removed++;
		if (stale)
			xdpsock__log(XDPSOCK_LOG_WARN,
				     "removed a stale %s program (id %u, %s mode) from %s: a process killed before it could detach it left it there",
				     ours, f[i].id, xdpsock__xdp_mode_name(f[i].flag), ifn);
		else
			xdpsock__log(XDPSOCK_LOG_WARN, "removed XDP program '%s' (id %u, %s mode) from %s, as asked", f[i].name,
				     f[i].id, xdpsock__xdp_mode_name(f[i].flag), ifn);
	}
	for (i = 0; i < n; i++)
		close(f[i].fd);
	return err < 0 ? err : removed;
}

int xdpsock_xdp_clear_stale(int ifindex, const char *name)
{
	char ifn[IF_NAMESIZE];

	if (!name || !*name)
		return xdpsock__fail(EINVAL, "xdpsock_xdp_clear_stale: no program name");
	if (ifindex <= 0 || !if_indextoname((unsigned int)ifindex, ifn))
		return xdpsock__fail(ENODEV, "interface index %d does not exist in this network namespace", ifindex);
	return clear_way(ifindex, ifn, name, false, true);
}

int xdpsock_xdp_attach(struct xdpsock_xdp **out, int ifindex, int prog_fd, const struct xdpsock_xdp_opts *opts)
{
	struct xdpsock_xdp_opts o;
	struct bpf_prog_info info;
	struct xdpsock_xdp *x;
	int err;

	if (!out)
		return xdpsock__fail(EINVAL, "xdpsock_xdp_attach: NULL argument");
	*out = NULL;
	err = xdpsock__opts_copy(&o, sizeof(o), opts, opts ? opts->sz : 0, "xdpsock_xdp_opts");
	if (err)
		return err;
	if (o.mode > XDPSOCK_ATTACH_GENERIC)
		return xdpsock__fail(EINVAL, "attach mode %d: an XDP program attaches native, generic or either (AUTO)",
				     o.mode);
	x = calloc(1, sizeof(*x));
	if (!x)
		return xdpsock__fail(ENOMEM, "out of memory");
	x->ifindex = ifindex;
	x->netns_fd = -1;
	x->prog_fd = -1;
	x->link_fd = -1;
	if (ifindex <= 0 || !if_indextoname((unsigned int)ifindex, x->ifname)) {
		err = xdpsock__fail(ENODEV, "interface index %d does not exist in this network namespace", ifindex);
		goto err_free;
	}
	err = xdpsock__prog_info(prog_fd, &info);
	if (err) {
		err = xdpsock__fail(err, "xdpsock_xdp_attach: fd %d is not a loaded BPF program (%s)", prog_fd, strerror(-err));
		goto err_free;
	}
	x->prog_id = info.id;
	x->prog_fd = fcntl(prog_fd, F_DUPFD_CLOEXEC, 3);
	x->netns_fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	x->netns = xdpsock__netns_id();
	if (x->prog_fd < 0 || x->netns_fd < 0) {
		err = xdpsock__fail(errno, "cannot keep a reference to the program or the namespace: %s", strerror(errno));
		goto err_free;
	}
	err = clear_way(ifindex, x->ifname, info.name, o.replace_foreign, false);
	if (err < 0)
		goto err_free;
	err = attach_link(x, o.mode);
	if (err)
		goto err_free;
	xdpsock__log(XDPSOCK_LOG_INFO, "attached XDP program %s (id %u) to %s in %s mode", info.name, x->prog_id,
		     x->ifname, xdpsock__xdp_mode_name(x->flag));
	*out = x;
	return 0;

err_free:
	if (x->prog_fd >= 0)
		close(x->prog_fd);
	if (x->netns_fd >= 0)
		close(x->netns_fd);
	free(x);
	return err;
}

int xdpsock__in_netns(int netns_fd, uint64_t netns, int *back)
{
	*back = -1;
	if (netns_fd < 0 || xdpsock__netns_id() == netns)
		return 0;
	*back = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (*back < 0 || setns(netns_fd, CLONE_NEWNET)) {
		int err = -errno;

		if (*back >= 0)
			close(*back);
		*back = -1;
		return err;
	}
	return 0;
}

void xdpsock__out_of_netns(int back)
{
	if (back < 0)
		return;
	if (setns(back, CLONE_NEWNET))
		xdpsock__log(XDPSOCK_LOG_ERROR, "cannot return to the caller's network namespace: %s", strerror(errno));
	close(back);
}

int xdpsock_xdp_detach(struct xdpsock_xdp *x)
{
	int err, back;

	if (!x)
		return 0;
	if (x->link_fd >= 0) {
		/* The link knows its device, wherever it is now; closing it detaches. */
		close(x->link_fd);
		close(x->prog_fd);
		close(x->netns_fd);
		free(x);
		return 0;
	}
	err = xdpsock__in_netns(x->netns_fd, x->netns, &back);
	if (err)
		xdpsock__log(XDPSOCK_LOG_WARN, "cannot enter the namespace of %s to detach its XDP program (id %u): %s",
			     x->ifname, x->prog_id, strerror(-err));
	else
		err = xdpsock__xdp_detach_fd(x->ifindex, x->prog_fd, x->flag);
	xdpsock__out_of_netns(back);
	if (err == -EEXIST)	/* XDP_FLAGS_REPLACE: another program took its place */
		xdpsock__log(XDPSOCK_LOG_INFO, "XDP program id %u is no longer on %s: the program that replaced it is left alone",
			     x->prog_id, x->ifname);
	else if (err && err != -ENODEV)
		xdpsock__log(XDPSOCK_LOG_WARN, "could not detach XDP program id %u from %s: %s", x->prog_id, x->ifname,
			     strerror(-err));
	close(x->prog_fd);
	close(x->netns_fd);
	free(x);
	return err;
}

enum xdpsock_attach_mode xdpsock_xdp_mode(const struct xdpsock_xdp *x)
{
	return !x ? XDPSOCK_ATTACH_NONE : x->flag == XDP_FLAGS_SKB_MODE ? XDPSOCK_ATTACH_GENERIC : XDPSOCK_ATTACH_NATIVE;
}

uint32_t xdpsock_xdp_prog_id(const struct xdpsock_xdp *x)
{
	return x ? x->prog_id : 0;
}
