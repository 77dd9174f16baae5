// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * The UMEM: one area of frame_count * frame_size bytes, and the free list of
 * frames that are in no ring and in no user's hands.  Registration with the
 * kernel happens on the first socket (lib/socket.c), which owns umem->fd.
 *
 *   area: | frame 0 | frame 1 | ... | frame N-1 |    each frame: [headroom][data ...]
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "internal.h"

#ifndef MAP_HUGE_2MB
#define MAP_HUGE_2MB (21 << 26)
#endif

static void *area_alloc(size_t size, enum xdpsock_hugepages hp, bool *huge)
{
	void *p;

	*huge = false;
	if (hp != XDPSOCK_HUGEPAGES_OFF) {
		size_t hsize = (size + (2u << 20) - 1) & ~(size_t)((2u << 20) - 1);

		p = mmap(NULL, hsize, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_2MB | MAP_POPULATE, -1, 0);
		if (p != MAP_FAILED) {
			*huge = true;
			return p;
		}
		if (hp == XDPSOCK_HUGEPAGES_REQUIRE)
			return NULL;
		/* Not a refusal worth a warning: most systems reserve no huge pages. */
		xdpsock__log(XDPSOCK_LOG_INFO, "no free 2 MB huge pages for the UMEM (%s): using normal pages",
			     strerror(errno));
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

static size_t area_len(const struct xdpsock_umem *u)
{
	return u->huge ? (u->size + (2u << 20) - 1) & ~(size_t)((2u << 20) - 1) : u->size;
}

int xdpsock__umem_new(struct xdpsock_umem **out, const struct xdpsock_opts *o, bool mock)
{
	struct xdpsock_umem *u;
	uint32_t i;

	u = calloc(1, sizeof(*u));
	if (!u)
		return xdpsock__fail(ENOMEM, "out of memory for the UMEM descriptor");
	u->frame_size = o->frame_size;
	u->frame_count = o->frame_count;
	u->headroom = o->headroom;
	u->size = (size_t)o->frame_size * o->frame_count;
	u->mock = mock;
	u->fd = -1;
	u->refs = 1;
	u->free.addr = calloc(o->frame_count, sizeof(*u->free.addr));
	if (!u->free.addr)
		goto err_free;
	if (mock) {
		u->area = aligned_alloc(4096, u->size);
		if (!u->area)
			goto err_list;
		memset(u->area, 0, u->size);
	} else {
		u->area = area_alloc(u->size, o->hugepages, &u->huge);
		if (!u->area) {
			free(u->free.addr);
			free(u);
			if (o->hugepages == XDPSOCK_HUGEPAGES_REQUIRE)
				return xdpsock__fail(ENOMEM,
						     "no free 2 MB huge pages for a %zu-byte UMEM: raise /proc/sys/vm/nr_hugepages or use hugepages=AUTO",
						     (size_t)o->frame_size * o->frame_count);
			return xdpsock__fail(ENOMEM, "cannot map a %zu-byte UMEM: lower frame_count",
					     (size_t)o->frame_size * o->frame_count);
		}
	}
	/* Lowest addresses on top of the stack: the first frames handed out are the first in memory. */
	u->free.cap = o->frame_count;
	for (i = 0; i < o->frame_count; i++)
		u->free.addr[i] = (uint64_t)(o->frame_count - 1 - i) * o->frame_size;
	u->free.count = o->frame_count;
	xdpsock__log(XDPSOCK_LOG_DEBUG, "UMEM of %u x %u bytes on %s pages", u->frame_count, u->frame_size,
		     u->huge ? "2 MB huge" : "normal");
	*out = u;
	return 0;

err_list:
	free(u->free.addr);
err_free:
	free(u);
	return xdpsock__fail(ENOMEM, "out of memory for the UMEM frame list");
}

void xdpsock__umem_put(struct xdpsock_umem *u)
{
	if (!u || --u->refs > 0)
		return;
	if (u->mock)
		free(u->area);
	else if (u->area)
		munmap(u->area, area_len(u));
	free(u->free.addr);
	free(u);
}

int xdpsock_umem_create(struct xdpsock_umem **umem, const struct xdpsock_opts *opts)
{
	struct xdpsock__cfg cfg;
	int err;

	xdpsock__clear_error();
	if (!umem)
		return xdpsock__fail(EINVAL, "xdpsock_umem_create: umem is NULL");
	*umem = NULL;
	if (opts && opts->umem)
		return xdpsock__fail(EINVAL, "xdpsock_umem_create: opts->umem must be NULL");
	err = xdpsock__cfg_init(&cfg, opts, false, false);
	if (err)
		return err;
	return xdpsock__umem_new(umem, &cfg.o, false);
}

void xdpsock_umem_destroy(struct xdpsock_umem *umem)
{
	xdpsock__umem_put(umem);
}

static uint32_t load(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

/*
 * Snapshot of where the frames are.  The kernel moves frames while we look, so each
 * ring's downstream index is read first: a frame moving during the snapshot is then
 * counted as "kernel" rather than twice (or, where the kernel publishes downstream first,
 * corrected below).  Exact when the kernel is idle.
 */
void xdpsock__umem_census(const struct xdpsock_umem *u, struct xdpsock_census *c)
{
	const struct xdpsock_sock *sk;
	int64_t kernel;

	memset(c, 0, sizeof(*c));
	c->total = u->frame_count;
	c->free = u->free.count;
	for (sk = u->socks; sk; sk = sk->next) {
		if (sk->rxh) {
			const struct xdpsock__rxq *q = &sk->rxh->q;
			uint32_t rx_prod = load(q->rx.producer), i, n, bad_held = 0, bad_rx = 0;

			/* A descriptor outside the UMEM (or marked bad by validation) is no frame: skip it. */
			n = rx_prod - q->rx.cached_cons;
			for (i = 0; i < n && i < q->rx.size; i++) {
				if (xdpsock__desc(&q->rx, q->rx.cached_cons + i)->addr < q->umem_size)
					continue;
				if (i < q->nheld)
					bad_held++;
				else
					bad_rx++;
			}
			c->fill += q->fq.cached_prod - load(q->fq.consumer);
			c->rx += rx_prod - q->rx.cached_cons - q->nheld - bad_rx;
			c->user += q->nheld - bad_held;
		}
		if (sk->txh) {
			const struct xdpsock__txq *q = &sk->txh->q;
			uint32_t cq_prod = load(q->cq.producer);

			c->tx += q->tx.cached_prod - load(q->tx.consumer);
			c->comp += cq_prod - q->cq.cached_cons;
			c->user += q->nres;
		}
	}
	kernel = (int64_t)c->total - c->free - c->user - c->fill - c->rx - c->tx - c->comp;
	if (kernel < 0) {
		/*
		 * The kernel publishes the RX producer before the fill consumer (xsk_flush), and may
		 * publish completions before the TX consumer: a frame moving then is seen in both
		 * rings.  It has arrived downstream: take it out of fill (then TX), keep the sum exact.
		 */
		uint32_t excess = (uint32_t)-kernel, f = excess < c->fill ? excess : c->fill;

		c->fill -= f;
		excess -= f;
		c->tx -= excess < c->tx ? excess : c->tx;
		kernel = 0;
	}
	c->kernel = (uint32_t)kernel;
}
