// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * What is attached to an interface's XDP hook, as xdpgen sees it: naming it in messages, and
 * clearing xdpgen's own program when a run that was killed left it behind.
 *
 * 'xdpgen rx --xdp-count' attaches xdpgen_count through a BPF link where the kernel has them,
 * so it goes with the process however the process ends.  Through netlink (older kernels, older
 * xdpgen builds) it stays after a SIGKILL, dropping every frame, and every receiver (xdpgen's,
 * the library's) finds the hook taken.  It is xdpgen's own and nobody holds it any more: the
 * next xdpgen run on the interface removes it and says so, as the library does with its own
 * stale program (the same test: xdpsock_prog_holders()).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <xdpsock/xdpsock.h>

#include "xdpgen.h"

/* The name the kernel reports for bpf/xdpgen_count.bpf.c's program, and the library's. */
#define COUNT_PROG	"xdpgen_count"
#define LIB_PROG	"xdpsock_redir"

/* The name of program @id into @name ("" when it cannot be read); its fd, or -errno. */
static int prog_name(uint32_t id, char *name, size_t len)
{
	struct bpf_prog_info info;
	uint32_t ilen = sizeof(info);
	int fd = bpf_prog_get_fd_by_id(id);

	name[0] = '\0';
	if (fd < 0)
		return -errno;
	memset(&info, 0, sizeof(info));
	if (!bpf_obj_get_info_by_fd(fd, &info, &ilen))
		snprintf(name, len, "%s", info.name);
	return fd;
}

/* The program attached to @ifindex: its id (0: none, or cannot ask) and its name ("": unknown). */
static uint32_t attached(int ifindex, char *name, size_t len)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	int fd;

	name[0] = '\0';
	if (bpf_xdp_query(ifindex, 0, &q) || !q.prog_id)
		return 0;
	fd = prog_name(q.prog_id, name, len);
	if (fd >= 0)
		close(fd);
	return q.prog_id;
}

bool xg_xdp_foreign(int ifindex)
{
	char name[BPF_OBJ_NAME_LEN];

	return attached(ifindex, name, sizeof(name)) && strcmp(name, LIB_PROG);
}

void xg_xdp_describe(int ifindex, char *buf, size_t len)
{
	char name[BPF_OBJ_NAME_LEN];
	uint32_t id = attached(ifindex, name, sizeof(name));

	if (!id)
		snprintf(buf, len, "an XDP program attached");
	else if (!name[0])
		snprintf(buf, len, "XDP program id %u attached", id);
	else if (!strcmp(name, COUNT_PROG))
		snprintf(buf, len, "XDP program '%s' (id %u) attached, by another 'xdpgen rx --xdp-count'", name, id);
	else if (!strcmp(name, LIB_PROG))
		snprintf(buf, len, "XDP program '%s' (id %u) attached, by AF_XDP receivers (libxdpsock's)", name, id);
	else
		snprintf(buf, len, "XDP program '%s' (id %u) attached", name, id);
}

/* One attachment (@flag: XDP_FLAGS_DRV_MODE or XDP_FLAGS_SKB_MODE) of program @id. */
static int clear_one(const struct xg_cfg *c, const struct xg_iface *ifc, uint32_t id, uint32_t flag)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, o);
	char name[BPF_OBJ_NAME_LEN];
	int fd, holders, err;

	fd = prog_name(id, name, sizeof(name));
	if (fd < 0 || strcmp(name, COUNT_PROG)) {
		if (fd >= 0)
			close(fd);
		return 0;	/* not ours: whoever comes next refuses it with its name */
	}
	holders = xdpsock_prog_holders(id);
	if (holders != 0) {
		close(fd);
		return 0;	/* a live run counts with it, or we cannot tell: leave it */
	}
	/* old_prog_fd: removes exactly this program, not one attached meanwhile. */
	o.old_prog_fd = fd;
	err = bpf_xdp_detach(ifc->ifindex, flag, &o);
	close(fd);
	if (err) {
		xg_err(c->cmd, "%s has a stale %s program (id %u) left by an 'xdpgen rx --xdp-count' that was killed, "
		       "and it cannot be removed: %s", ifc->name, COUNT_PROG, id, strerror(-err));
		return XG_EXIT_FAIL;
	}
	xg_err(c->cmd, "warning: removed a stale %s program (id %u, %s XDP) from %s: an 'xdpgen rx --xdp-count' "
	       "that was killed left it there, dropping the interface's frames", COUNT_PROG, id,
	       flag == XDP_FLAGS_SKB_MODE ? "generic" : "native", ifc->name);
	return 0;
}

int xg_xdp_clear_stale(const struct xg_cfg *c, const struct xg_iface *ifc)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	int rc;

	/* Nothing to clear is the common case: one netlink dump says so. */
	if (bpf_xdp_query(ifc->ifindex, 0, &q) || !q.prog_id)
		return 0;
	rc = q.drv_prog_id ? clear_one(c, ifc, q.drv_prog_id, XDP_FLAGS_DRV_MODE) : 0;
	if (!rc && q.skb_prog_id)
		rc = clear_one(c, ifc, q.skb_prog_id, XDP_FLAGS_SKB_MODE);
	return rc;
}
