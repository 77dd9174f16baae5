// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * The AF_XDP sockets of tx (xsk engine), rx, ping and reflect: the library's options from the
 * command line, and a failure to open one told in xdpgen's words.  The library's sentences name
 * its own fields (copy_mode, attach_mode); a user of xdpgen has options (--zerocopy, --native,
 * --queue), so the failures a user can fix get a sentence of ours, and the others the library's.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <xdpsock/xdpsock.h>

#include "xdpgen.h"

void xg_sock_opts(const struct xg_cfg *c, uint32_t max_frame, struct xdpsock_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->sz = sizeof(*o);
	o->frame_size = max_frame > 2048 ? 4096 : 2048;
	o->copy_mode = c->copy == XG_COPY_FORCE ? XDPSOCK_COPY_FORCE
		       : c->copy == XG_COPY_ZEROCOPY ? XDPSOCK_COPY_ZEROCOPY : XDPSOCK_COPY_AUTO;
	o->attach_mode = c->attach == XG_ATTACH_NATIVE ? XDPSOCK_ATTACH_NATIVE
			 : c->attach == XG_ATTACH_GENERIC ? XDPSOCK_ATTACH_GENERIC : XDPSOCK_ATTACH_AUTO;
}

int xg_sock_fail(const struct xg_cfg *c, const struct xg_iface *ifc, const char *what, uint32_t queue, int err)
{
	char prog[160];

	if (err == -EOPNOTSUPP && c->copy == XG_COPY_ZEROCOPY) {
		/* Bind comes first: with --zerocopy, this is the driver's answer to it. */
		xg_err(c->cmd, "--zerocopy: the driver of %s%s%s%s cannot do zero-copy AF_XDP: leave out --zerocopy "
		       "(or use --copy)", ifc->name, ifc->driver[0] ? " (" : "", ifc->driver,
		       ifc->driver[0] ? ")" : "");
		return XG_EXIT_FAIL;
	}
	if (err == -EOPNOTSUPP && c->attach == XG_ATTACH_NATIVE) {
		xg_err(c->cmd, "--native: the driver of %s%s%s%s has no native XDP: use --generic, or neither",
		       ifc->name, ifc->driver[0] ? " (" : "", ifc->driver, ifc->driver[0] ? ")" : "");
		return XG_EXIT_FAIL;
	}
	/* A TX socket needs no program: its -EBUSY is always the queue's. */
	if (err == -EBUSY && c->cmd != XG_CMD_TX && xg_xdp_foreign(ifc->ifindex)) {
		xg_xdp_describe(ifc->ifindex, prog, sizeof(prog));
		xg_err(c->cmd, "%s already has %s: xdpgen %s needs the XDP hook of %s, and takes it from "
		       "no one (whoever attached that program must detach it first)", ifc->name, prog,
		       xg_cmd_name(c->cmd), ifc->name);
		return XG_EXIT_FAIL;
	}
	if (err == -EBUSY) {
		xg_err(c->cmd, "queue %u of %s is already bound by another AF_XDP socket: use another --queue, or wait "
		       "until that socket is closed", queue, ifc->name);
		return XG_EXIT_FAIL;
	}
	xg_err(c->cmd, "cannot open %s on %s queue %u: %s", what, ifc->name, queue, xdpsock_errmsg());
	/* A queue out of range is the user's to fix. */
	return err == -EINVAL ? XG_EXIT_USAGE : XG_EXIT_FAIL;
}

/*
 * Deleting a link first takes it down, then unregisters it: a socket can see ENETDOWN while the
 * ifindex still exists.  Before saying "went down", give a deletion in progress 200 ms to finish
 * (an error path: the wait costs nothing on the way frames take).
 */
static bool gone_soon(int ifindex)
{
	int i;

	for (i = 0; i < 20; i++) {
		if (xg_iface_gone(ifindex))
			return true;
		usleep(10 * 1000);
	}
	return false;
}

bool xg_sock_io_fail(const struct xg_cfg *c, const struct xg_iface *ifc, int err)
{
	/* An unbound socket says ENXIO to a send, ENETDOWN to a wait: the interface tells which. */
	if (err == -ENXIO || (err == -ENETDOWN && gone_soon(ifc->ifindex))) {
		xg_iface_gone_msg(c);
		return true;
	}
	if (err == -ENETDOWN)
		xg_err(c->cmd, "%s went down: bring it up (ip link set dev %s up)", ifc->name, ifc->name);
	else
		xg_err(c->cmd, "%s: %s", ifc->name, xdpsock_strerror(err));
	return false;
}
