// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * A worker's two socket pairs, IF_A queue q and IF_B queue q, on one UMEM when the
 * kernel lets two devices share it (XDP_SHARED_UMEM, Linux 5.10+), else on two.  The library
 * attaches its program; with --force it removes someone else's (XDPSOCK_F_REPLACE_FOREIGN).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include "fwd.h"

static void opts_init(struct xdpsock_opts *o, const struct fwd_cfg *cfg)
{
	memset(o, 0, sizeof(*o));
	o->sz = sizeof(*o);
	o->frame_size = cfg->frame_size;
	o->frame_count = cfg->frames;
	o->rx_size = o->tx_size = o->fill_size = o->comp_size = cfg->ring;
	o->copy_mode = cfg->copy_mode;
	o->attach_mode = cfg->attach_mode;
	/* --force: the library removes someone else's program (and says so) instead of refusing. */
	if (cfg->force)
		o->flags |= XDPSOCK_F_REPLACE_FOREIGN;
	if (cfg->busy_poll) {
		o->flags |= XDPSOCK_F_BUSY_POLL;
		o->busy_poll_budget = cfg->batch;
	}
}

static void pair_destroy(struct fwd_port *p)
{
	xdpsock_tx_destroy(p->tx);
	xdpsock_rx_destroy(p->rx);
	p->tx = NULL;
	p->rx = NULL;
	p->fd = -1;
}

static int pair_create(struct fwd_port *p, int ifindex, uint32_t queue, const struct xdpsock_opts *o)
{
	int err = xdpsock_pair_create(&p->tx, &p->rx, ifindex, queue, o);

	if (err)
		return err;
	p->fd = xdpsock_rx_fd(p->rx);
	return 0;
}

int fwd_worker_open(struct fwd_worker *w, const struct fwd_cfg *cfg, const int ifindex[2], bool *share, char *err,
		    size_t errlen)
{
	struct xdpsock_opts o;
	struct xdpsock_umem *umem = NULL;
	char why[512];
	int ret, failed = -1;	/* the port whose pair failed; -1: the UMEM */

	w->port[0].fd = w->port[1].fd = -1;
	w->evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w->evfd < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot create an eventfd for worker %u: %s", w->idx, strerror(errno));
		return ret;
	}
	opts_init(&o, cfg);
	if (*share) {
		/* Sized for both fill rings plus slack for frames in flight (fwd_cfg_parse). */
		ret = xdpsock_umem_create(&umem, &o);
		if (ret)
			goto fail;
		o.umem = umem;
	}
	failed = 0;
	ret = pair_create(&w->port[0], ifindex[0], w->queue, &o);
	if (ret)
		goto fail;
	failed = 1;
	ret = pair_create(&w->port[1], ifindex[1], w->queue, &o);
	if (ret && *share && ret != -EBUSY && ret != -ENODEV && ret != -EPERM) {
		/*
		 * Whatever the kernel refused (a driver that cannot share across devices, an older
		 * kernel), a private UMEM for IF_B tells whether IF_B works at all: if it does, copy;
		 * if not, its own error is the one to report.  A busy queue, a missing interface or
		 * missing privileges are not about sharing: reported as they are.
		 */
		snprintf(why, sizeof(why), "%s", xdpsock_errmsg());
		o.umem = NULL;
		ret = pair_create(&w->port[1], ifindex[1], w->queue, &o);
		if (!ret) {
			fprintf(stderr,
				"xdpbridge fwd: %s and %s cannot share a UMEM (%s): each gets its own and frames are copied\n",
				cfg->ifname[0], cfg->ifname[1], why);
			*share = false;
		}
	}
	if (ret)
		goto fail;
	/* The sockets hold their references: ours can go now. */
	xdpsock_umem_destroy(umem);
	w->shared = *share;
	return 0;

fail:
	xb_lib_error(ret, &o, failed < 0 ? NULL : cfg->ifname[failed], err, errlen);
	pair_destroy(&w->port[0]);
	xdpsock_umem_destroy(umem);
	close(w->evfd);
	w->evfd = -1;
	return ret;
}

void fwd_worker_close(struct fwd_worker *w)
{
	pair_destroy(&w->port[1]);
	pair_destroy(&w->port[0]);
	if (w->evfd >= 0)
		close(w->evfd);
	w->evfd = -1;
}
