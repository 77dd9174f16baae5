// SPDX-License-Identifier: MIT OR Apache-2.0
/* One snapshot of every interface: its link, driver, queues and XDP features, joined by ifindex. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xnl.h"

/* A dump interrupted by a concurrent change (NLM_F_DUMP_INTR) is retried this many times. */
#define XNL_DUMP_TRIES 3

static int by_ifindex(const void *a, const void *b)
{
	const struct xnl_iface *x = a, *y = b;

	return (x->link.ifindex > y->link.ifindex) - (x->link.ifindex < y->link.ifindex);
}

static int ifaces_get_once(struct xnl *x, struct xnl_iface **out, size_t *nout)
{
	struct xnl_xdp_features *feat = NULL;
	struct xnl_link *links = NULL;
	size_t nlinks = 0, nfeat = 0, i, j, n = 0;
	struct xnl_iface *v;
	int err;

	err = xnl_links_dump(x, &links, &nlinks);
	if (err)
		return err;
	err = xnl_xdp_features_dump(x, &feat, &nfeat);
	if (err == -ENOENT)	/* before Linux 6.3: capabilities unknown, the rest still useful */
		err = 0;
	if (err)
		goto out_links;
	v = calloc(nlinks ? nlinks : 1, sizeof(*v));
	if (!v) {
		err = xnl_seterr(-ENOMEM, "out of memory for %zu interfaces", nlinks);
		goto out_feat;
	}
	for (i = 0; i < nlinks; i++) {
		struct xnl_iface *f = &v[n];

		f->link = links[i];
		err = xnl_queues_get(x, &f->link, &f->queues);
		if (err == -ENODEV)
			continue;	/* deleted since the dump: it is not there any more */
		if (err)
			goto err_v;
		/* Drivers that do not say (lo, some virtual devices) simply have none to show. */
		if (xnl_ethtool_driver(f->link.name, f->driver, sizeof(f->driver)))
			f->driver[0] = '\0';
		for (j = 0; j < nfeat; j++) {
			if (feat[j].ifindex == f->link.ifindex) {
				f->xdp = feat[j];
				f->xdp_known = true;
				break;
			}
		}
		n++;
	}
	qsort(v, n, sizeof(*v), by_ifindex);
	*out = v;
	*nout = n;
	err = 0;
	goto out_feat;

err_v:
	free(v);
out_feat:
	free(feat);
out_links:
	free(links);
	return err;
}

int xnl_ifaces_get(struct xnl *x, struct xnl_iface **v, size_t *n)
{
	int err = 0, i;

	*v = NULL;
	*n = 0;
	for (i = 0; i < XNL_DUMP_TRIES; i++) {
		err = ifaces_get_once(x, v, n);
		if (err != -EAGAIN)
			break;
	}
	return err;
}
