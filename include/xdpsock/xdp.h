/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * libxdpsock - XDP programs on interfaces, with one policy for every program of a process:
 * the library's own steering program, and programs an application brings (xdpbridge's, xdpgen's).
 *
 * What may already be on the interface when a program is attached:
 *
 *   nothing                             attach (native, else generic, as asked)
 *   a program of the same name, held   another process serves the interface: refuse (-EBUSY),
 *     by a running process              never take its traffic away
 *   a program of the same name, held   left by a process that was killed (kill -9 cannot
 *     by nobody                         detach): stale, replaced, with a warning in the log
 *   anything else                      someone else's: refused (-EBUSY) with its name and id,
 *                                       or, with opts.replace_foreign, removed, with a warning
 *
 * "Held" means some other process has an fd of the program (/proc/PID/fdinfo): a process that
 * attached a program keeps its fd open for as long as it serves the interface.  Detaching names
 * the exact program (XDP_FLAGS_REPLACE semantics), in the namespace it was attached in, so a
 * program attached meanwhile by someone else is never removed.
 */
#ifndef XDPSOCK_XDP_H
#define XDPSOCK_XDP_H

#include <xdpsock/xdpsock.h>

#ifdef __cplusplus
extern "C" {
#endif

struct xdpsock_xdp;	/* one program attached to one interface by this process */

/* Options, sized as struct xdpsock_opts is (XDPSOCK_XDP_OPTS() sets .sz). */
struct xdpsock_xdp_opts {
	size_t sz;
	enum xdpsock_attach_mode mode;	/* AUTO (default: native, else generic), NATIVE, GENERIC */
	bool replace_foreign;		/* remove someone else's program instead of refusing (a --force) */
	size_t :0;
};

#define XDPSOCK_XDP_OPTS(name, ...) \
	struct xdpsock_xdp_opts name = { .sz = sizeof(struct xdpsock_xdp_opts), __VA_ARGS__ }

/**
 * xdpsock_xdp_attach() - attach the loaded XDP program @prog_fd to @ifindex, by the policy above.
 * @out: receives the attachment.
 * @ifindex: in the calling thread's network namespace.
 * @prog_fd: a loaded XDP program; its name tells "ours" from someone else's.  The attachment
 *      keeps its own reference: the caller may close @prog_fd.
 * @opts: options or NULL.
 *
 * Return: 0; -EBUSY another process serves the interface with this program, or someone else's
 * program is there (xdpsock_errmsg() names it); -EPERM missing CAP_NET_ADMIN (or CAP_SYS_ADMIN to
 * inspect a program); -EOPNOTSUPP native mode asked and refused; other -errno from the kernel.
 * A refused native attach in AUTO mode falls back to generic and says why in the log.
 */
XDPSOCK_API int xdpsock_xdp_attach(struct xdpsock_xdp **out, int ifindex, int prog_fd,
				   const struct xdpsock_xdp_opts *opts);

/**
 * xdpsock_xdp_detach() - detach the program if it is still the one attached (in the namespace
 * it was attached in) and free the attachment.  NULL-safe.  Returns 0, or -errno when the
 * kernel refused (the interface is gone: -ENODEV, nothing left to do).
 */
XDPSOCK_API int xdpsock_xdp_detach(struct xdpsock_xdp *x);

/**
 * xdpsock_xdp_clear_stale() - remove a program named @name from @ifindex if it is stale: attached
 * over netlink by a process that was killed before it could detach it, and held by no process
 * now (a warning in the log names it).  Someone else's program, or one still held, stays.
 * For a process about to use the interface otherwise (an AF_XDP receiver after a killed counter).
 * Return: the number removed (0 or more), or -errno.
 */
XDPSOCK_API int xdpsock_xdp_clear_stale(int ifindex, const char *name);

/** xdpsock_xdp_mode() - XDPSOCK_ATTACH_NATIVE or XDPSOCK_ATTACH_GENERIC, as attached. */
XDPSOCK_API enum xdpsock_attach_mode xdpsock_xdp_mode(const struct xdpsock_xdp *x);

/** xdpsock_xdp_prog_id() - the attached program's id. */
XDPSOCK_API uint32_t xdpsock_xdp_prog_id(const struct xdpsock_xdp *x);

#ifdef __cplusplus
}
#endif

#endif /* XDPSOCK_XDP_H */
