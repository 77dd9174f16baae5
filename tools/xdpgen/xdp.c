// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * What is attached to an interface's XDP hook, as xdpgen sees it: naming it in messages, and
 * clearing xdpgen's own program when a run that was killed left it behind.
 *
 * 'xdpgen rx --xdp-count' attaches xdpgen_count through a BPF link where the kernel has them,
 * so it goes with the process however the process ends.  Through netlink (older kernels, older
 * xdpgen builds) it stays after a SIGKILL, dropping every frame, and every receiver (xdpgen's,
 * the library's) finds the hook taken.  It is xdpgen's own and nobody holds it any more: the
 * next xdpgen run on the interface removes it and says so (xdpsock_xdp_clear_stale(): the
 * library's policy for stale programs, the one the library applies to its own).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <xdpsock/xdp.h>

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

int xg_xdp_clear_stale(const struct xg_cfg *c, const struct xg_iface *ifc)
{
	/* The library says what it removed (a warning through our log callback). */
	if (xdpsock_xdp_clear_stale(ifc->ifindex, COUNT_PROG) < 0) {
		xg_err(c->cmd, "%s", xdpsock_errmsg());
		return XG_EXIT_FAIL;
	}
	return 0;
}
