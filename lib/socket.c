// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * AF_XDP socket lifetime: create, register or share the UMEM, size and mmap
 * the rings, fill the fill ring, bind (zero-copy first when allowed, else
 * copy), steer the queue into it, and undo all of that in reverse.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>
#include <bpf/bpf.h>

#include "internal.h"

#ifndef SOL_XDP
#define SOL_XDP 283
#endif
#ifndef SO_PREFER_BUSY_POLL
#define SO_PREFER_BUSY_POLL 69
#endif
#ifndef XDP_MAX_TX_SKB_BUDGET
#define XDP_MAX_TX_SKB_BUDGET 9	/* linux >= 6.17 */
#endif
#ifndef SO_BUSY_POLL_BUDGET
#define SO_BUSY_POLL_BUDGET 70
#endif

void xdpsock__ring_init(struct xdpsock_ring *r, void *map, const struct xdp_ring_offset *off, uint32_t size,
			bool producer)
{
	r->producer = (uint32_t *)((char *)map + off->producer);
	r->consumer = (uint32_t *)((char *)map + off->consumer);
	r->flags = (uint32_t *)((char *)map + off->flags);
	r->ring = (char *)map + off->desc;
	r->mask = size - 1;
	r->size = size;
	/* Our own index needs no ordering; the other side's is re-read with acquire when needed. */
	r->cached_prod = __atomic_load_n(r->producer, __ATOMIC_RELAXED);
	r->cached_cons = __atomic_load_n(r->consumer, __ATOMIC_RELAXED);
	if (producer)
		r->cached_cons += size;
}

/*
 * The most descriptors one received packet can take: the largest packet XDP carries is a page of
 * linear data and MAX_SKB_FRAGS page fragments (tx_max_segs - 1 of them), cut by the kernel into
 * frames of frame_size - headroom - XDP_PACKET_HEADROOM bytes.  Never more than the RX ring holds:
 * the kernel drops a packet that does not fit in the ring whole.
 */
static uint32_t rx_max_segs(const struct xdpsock_umem *u, uint32_t tx_max_segs, uint32_t rx_size)
{
	long page = sysconf(_SC_PAGESIZE);
	uint64_t biggest = (uint64_t)tx_max_segs * (uint64_t)(page > 0 ? page : 4096);
	uint32_t per_frame = u->frame_size - u->headroom - XDPSOCK__XDP_HEADROOM;
	uint64_t segs = (biggest + per_frame - 1) / per_frame;

	return segs < rx_size ? (uint32_t)segs : rx_size;
}

/* Handles over the socket's rings; the fill ring gets fill_size frames from the free list. */
int xdpsock__handles_init(struct xdpsock_sock *sk, const struct xdpsock__cfg *cfg, struct xdpsock_tx **txp,
			  struct xdpsock_rx **rxp)
{
	struct xdpsock_umem *u = sk->umem;
	struct xdpsock_tx *tx = NULL;
	struct xdpsock_rx *rx = NULL;
	int need_wakeup = !(cfg->o.flags & XDPSOCK_F_NO_NEED_WAKEUP);
	bool mb = cfg->o.flags & XDPSOCK_F_MULTI_BUFFER;
	/*
	 * TODO zero-copy: there the limit is the driver's (netdev genl NETDEV_A_DEV_XDP_ZC_MAX_SEGS,
	 * often 5), not MAX_SKB_FRAGS + 1; no driver here does zero-copy to test it against, so a
	 * zero-copy socket uses the copy-mode limit.
	 */
	uint32_t tx_segs = cfg->tx_max_segs ? cfg->tx_max_segs : XDPSOCK__MIN_TX_SEGS;

	if (cfg->want_tx) {
		tx = calloc(1, sizeof(*tx));
		if (!tx)
			goto nomem;
		tx->sk = sk;
		tx->q.tx = sk->tx;
		tx->q.cq = sk->cq;
		tx->q.free = &u->free;
		tx->q.area = u->area;
		tx->q.headroom = u->headroom;
		tx->q.max_len = u->frame_size - u->headroom;
		tx->q.fd = sk->fd;
		tx->q.need_wakeup = need_wakeup;
		tx->q.max_segs = mb ? tx_segs : 0;
	}
	if (cfg->want_rx) {
		uint32_t i, n = cfg->o.fill_size;

		if (u->free.count < n) {
			free(tx);
			return xdpsock__fail(EINVAL,
					     "the shared UMEM has %u free frames, fewer than the fill ring's %u: give it more frames (frame_count) or a smaller fill_size",
					     u->free.count, n);
		}
		rx = calloc(1, sizeof(*rx));
		if (!rx)
			goto nomem;
		rx->sk = sk;
		rx->q.rx = sk->rx;
		rx->q.fq = sk->fq;
		rx->q.free = &u->free;
		rx->q.area = u->area;
		rx->q.frame_size = u->frame_size;
		rx->q.umem_size = u->size;
		rx->q.base_mask = ~(uint64_t)(u->frame_size - 1);
		rx->q.fd = sk->fd;
		rx->q.need_wakeup = need_wakeup;
		rx->q.max_segs = mb ? rx_max_segs(u, tx_segs, cfg->o.rx_size) : 0;
		rx->q.seen = rx->q.done = rx->q.rx.cached_cons;
		for (i = 0; i < n; i++)
			*xdpsock__addr(&rx->q.fq, rx->q.fq.cached_prod + i) = u->free.addr[--u->free.count];
		rx->q.fq.cached_prod += n;
		/* Addresses before index: pairs with the kernel's load-acquire of the fill *producer. */
		__atomic_store_n(rx->q.fq.producer, rx->q.fq.cached_prod, __ATOMIC_RELEASE);
	}
	sk->mode.multi_buffer = mb;
	sk->mode.tx_max_segs = mb ? tx_segs : 0;
	sk->mode.rx_max_segs = rx ? rx->q.max_segs : 0;
	sk->txh = tx;
	sk->rxh = rx;
	sk->next = u->socks;
	u->socks = sk;
	if (txp)
		*txp = tx;
	if (rxp)
		*rxp = rx;
	return 0;
nomem:
	free(tx);
	return xdpsock__fail(ENOMEM, "out of memory for the socket handles");
}

static void unmap(struct xdpsock_map *m)
{
	if (m->addr)
		munmap(m->addr, m->len);
	m->addr = NULL;
}

static int map_ring(struct xdpsock_sock *sk, struct xdpsock_map *m, struct xdpsock_ring *r,
		    const struct xdp_ring_offset *off, uint32_t size, size_t esize, off_t pgoff, bool producer,
		    const char *name)
{
	m->len = off->desc + (size_t)size * esize;
	m->addr = mmap(NULL, m->len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, sk->fd, pgoff);
	if (m->addr == MAP_FAILED) {
		m->addr = NULL;
		return xdpsock__fail(errno, "cannot map the %s ring: %s", name, strerror(errno));
	}
	xdpsock__ring_init(r, m->addr, off, size, producer);
	return 0;
}

static int set_ring(int fd, int opt, uint32_t size, const char *name)
{
	if (setsockopt(fd, SOL_XDP, opt, &size, sizeof(size)))
		return xdpsock__fail(errno, "cannot size the %s ring to %u: %s", name, size, strerror(errno));
	return 0;
}

/* Give this socket's frames back to a UMEM that outlives it (shared UMEM). */
static void reclaim_frames(struct xdpsock_sock *sk)
{
	struct xdpsock_frames *f = &sk->umem->free;
	uint32_t i;

	if (sk->rxh) {
		struct xdpsock__rxq *q = &sk->rxh->q;

		for (i = __atomic_load_n(q->fq.consumer, __ATOMIC_ACQUIRE); i != q->fq.cached_prod; i++)
			f->addr[f->count++] = *xdpsock__addr(&q->fq, i);
		for (i = q->rx.cached_cons; i != __atomic_load_n(q->rx.producer, __ATOMIC_ACQUIRE); i++) {
			uint64_t a = xdpsock__desc(&q->rx, i)->addr;

			if (a < q->umem_size)
				f->addr[f->count++] = a & q->base_mask;
		}
	}
	if (sk->txh) {
		struct xdpsock__txq *q = &sk->txh->q;
		uint64_t mask = ~(uint64_t)(sk->umem->frame_size - 1);

		for (i = __atomic_load_n(q->tx.consumer, __ATOMIC_ACQUIRE); i != q->tx.cached_prod + q->nres; i++)
			f->addr[f->count++] = xdpsock__desc(&q->tx, i)->addr & mask;
		for (i = q->cq.cached_cons; i != __atomic_load_n(q->cq.producer, __ATOMIC_ACQUIRE); i++)
			f->addr[f->count++] = *xdpsock__addr(&q->cq, i) & mask;
	}
}

void xdpsock__sock_put(struct xdpsock_sock *sk)
{
	struct xdpsock_sock **pp;
	struct xdpsock_umem *u;

	if (!sk || --sk->refs > 0)
		return;
	u = sk->umem;
	if (u) {
		for (pp = &u->socks; *pp; pp = &(*pp)->next)
			if (*pp == sk) {
				*pp = sk->next;
				break;
			}
	}
	if (sk->fd >= 0) {
		close(sk->fd);	/* the kernel also drops it from any XSKMAP */
		if (u && u->fd == sk->fd)
			u->fd = u->socks ? u->socks->fd : -1;
	}
	/* After close: the kernel touches these rings no more. */
	if (u && u->refs > 1 && !u->mock)
		reclaim_frames(sk);
	xdpsock__prog_put(sk->prog);
	if (u && u->mock) {	/* tests/double/mock.c: ring memory from the heap */
		free(sk->rx_map.addr);
		free(sk->tx_map.addr);
		free(sk->fq_map.addr);
		free(sk->cq_map.addr);
	} else {
		unmap(&sk->rx_map);
		unmap(&sk->tx_map);
		unmap(&sk->fq_map);
		unmap(&sk->cq_map);
	}
	free(sk->txh);
	free(sk->rxh);
	xdpsock__umem_put(u);
	free(sk);
}

static int bind_sock(struct xdpsock_sock *sk, const struct xdpsock__cfg *cfg, const char *ifn)
{
	struct sockaddr_xdp sxdp = {
		.sxdp_family = AF_XDP,
		.sxdp_ifindex = (uint32_t)sk->ifindex,
		.sxdp_queue_id = sk->queue_id,
	};
	const struct xdpsock_opts *o = &cfg->o;
	uint16_t base = 0;
	int err, tries;

	if (sk->umem->fd != sk->fd) {
		/* The kernel takes copy mode and need_wakeup from the UMEM's first socket. */
		sxdp.sxdp_flags = XDP_SHARED_UMEM;
		sxdp.sxdp_shared_umem_fd = (uint32_t)sk->umem->fd;
	} else {
		if (!(o->flags & XDPSOCK_F_NO_NEED_WAKEUP))
			base |= XDP_USE_NEED_WAKEUP;
		if (o->flags & XDPSOCK_F_MULTI_BUFFER)
			base |= XDP_USE_SG;
		sxdp.sxdp_flags = base | (o->copy_mode == XDPSOCK_COPY_FORCE ? XDP_COPY : XDP_ZEROCOPY);
	}
	err = bind(sk->fd, (struct sockaddr *)&sxdp, sizeof(sxdp)) ? -errno : 0;
	/*
	 * A socket closed a moment ago keeps its queue until the kernel's deferred release (an RCU
	 * grace period, then a work item: tens of ms).  Wait for that, up to 0.5 s, unless sock_diag
	 * shows a live socket on the queue (then fail at once; without sock_diag we cannot tell).
	 */
	for (tries = 0; err == -EBUSY && tries < 100 && xdpsock__diag_queue_sockets(sk->ifindex, sk->queue_id) <= 0;
	     tries++) {
		usleep(5000);
		err = bind(sk->fd, (struct sockaddr *)&sxdp, sizeof(sxdp)) ? -errno : 0;
	}
	if (err && o->copy_mode == XDPSOCK_COPY_AUTO && !(sxdp.sxdp_flags & XDP_SHARED_UMEM) &&
	    (err == -EOPNOTSUPP || err == -EINVAL || err == -EPROTONOSUPPORT)) {
		xdpsock__log(XDPSOCK_LOG_INFO, "zero-copy is not available on %s queue %u (%s): using copy mode", ifn,
			     sk->queue_id, strerror(-err));
		sxdp.sxdp_flags = base | XDP_COPY;
		err = bind(sk->fd, (struct sockaddr *)&sxdp, sizeof(sxdp)) ? -errno : 0;
	}
	if (err == -EINVAL && (base & XDP_USE_SG))
		return xdpsock__fail(EOPNOTSUPP,
				     "binding with multi-buffer (XDP_USE_SG, Linux 6.6) to %s queue %u was refused (%s): this kernel lacks it; drop XDPSOCK_F_MULTI_BUFFER and keep packets within one frame",
				     ifn, sk->queue_id, strerror(-err));
	switch (err) {
	case 0:
		return 0;
	case -EBUSY:
		return xdpsock__fail(EBUSY,
				     "queue %u of %s is already bound by another AF_XDP socket: close it, or use another queue",
				     sk->queue_id, ifn);
	case -EOPNOTSUPP:
		if (o->copy_mode == XDPSOCK_COPY_ZEROCOPY)
			return xdpsock__fail(EOPNOTSUPP,
					     "zero-copy is not supported by the driver of %s (veth only copies): use copy_mode AUTO or FORCE",
					     ifn);
		if (o->flags & XDPSOCK_F_MULTI_BUFFER)
			return xdpsock__fail(EOPNOTSUPP, "multi-buffer AF_XDP is not supported on %s: drop XDPSOCK_F_MULTI_BUFFER",
					     ifn);
		return xdpsock__fail(EOPNOTSUPP, "binding to %s queue %u is not supported: %s", ifn, sk->queue_id,
				     strerror(-err));
	case -EPERM:
	case -EACCES:
		return xdpsock__fail(EPERM, "binding an AF_XDP socket to %s needs CAP_NET_RAW: run as root or grant it", ifn);
	default:
		return xdpsock__fail(-err, "cannot bind to %s queue %u: %s", ifn, sk->queue_id, strerror(-err));
	}
}

static int setup_socket(struct xdpsock_sock *sk, const struct xdpsock__cfg *cfg, const char *ifn)
{
	const struct xdpsock_opts *o = &cfg->o;
	struct xdpsock_umem *u = sk->umem;
	struct xdp_mmap_offsets off;
	socklen_t optlen = sizeof(off);
	int err, one = 1;

	sk->fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (sk->fd < 0) {
		if (errno == EPERM || errno == EACCES)
			return xdpsock__fail(EPERM, "creating an AF_XDP socket for %s needs CAP_NET_RAW: run as root or grant it",
					     ifn);
		if (errno == EAFNOSUPPORT)
			return xdpsock__fail(EAFNOSUPPORT, "this kernel has no AF_XDP sockets (CONFIG_XDP_SOCKETS)");
		return xdpsock__fail(errno, "cannot create an AF_XDP socket: %s", strerror(errno));
	}
	if (u->fd < 0) {
		struct xdp_umem_reg reg = {
			.addr = (uint64_t)(uintptr_t)u->area,
			.len = u->size,
			.chunk_size = u->frame_size,
			.headroom = u->headroom,
		};

		if (setsockopt(sk->fd, SOL_XDP, XDP_UMEM_REG, &reg, sizeof(reg))) {
			/* Over RLIMIT_MEMLOCK without CAP_IPC_LOCK the kernel says ENOBUFS (xdp_umem_account_pages). */
			if (errno == EPERM || errno == ENOMEM || errno == ENOBUFS)
				return xdpsock__fail(errno,
						     "cannot register a %zu-byte UMEM: %s (raise RLIMIT_MEMLOCK or grant CAP_IPC_LOCK)",
						     u->size, strerror(errno));
			return xdpsock__fail(errno, "cannot register the UMEM: %s", strerror(errno));
		}
		u->fd = sk->fd;
		/* The kernel makes every socket of a UMEM multi-buffer or none: the first one decides. */
		u->mb = o->flags & XDPSOCK_F_MULTI_BUFFER;
	}
	/* Every (device, queue) needs its own fill and completion rings, shared UMEM or not. */
	if ((err = set_ring(sk->fd, XDP_UMEM_FILL_RING, o->fill_size, "fill")) ||
	    (err = set_ring(sk->fd, XDP_UMEM_COMPLETION_RING, o->comp_size, "completion")))
		return err;
	if (cfg->want_rx && (err = set_ring(sk->fd, XDP_RX_RING, o->rx_size, "RX")))
		return err;
	if (cfg->want_tx) {
		/*
		 * In copy mode one sendto() transmits at most 32 frames unless the budget is raised;
		 * half the ring (the kernel's limit) lets one kick per batch drain it.  Older kernels
		 * lack the option: they keep 32, and kicks return 0 until the ring is drained.
		 */
		uint32_t budget = o->tx_size / 2;

		err = set_ring(sk->fd, XDP_TX_RING, o->tx_size, "TX");
		if (err)
			return err;
		if (budget > 32 && setsockopt(sk->fd, SOL_XDP, XDP_MAX_TX_SKB_BUDGET, &budget, sizeof(budget)))
			xdpsock__refused(XDPSOCK__FEAT_TX_SKB_BUDGET, NULL, errno, NULL,
					 "in copy mode one kick sends at most 32 frames");
	}
	if (getsockopt(sk->fd, SOL_XDP, XDP_MMAP_OFFSETS, &off, &optlen))
		return xdpsock__fail(errno, "cannot get the ring offsets: %s", strerror(errno));
	if ((err = map_ring(sk, &sk->fq_map, &sk->fq, &off.fr, o->fill_size, sizeof(uint64_t),
			    (off_t)XDP_UMEM_PGOFF_FILL_RING, true, "fill")) ||
	    (err = map_ring(sk, &sk->cq_map, &sk->cq, &off.cr, o->comp_size, sizeof(uint64_t),
			    (off_t)XDP_UMEM_PGOFF_COMPLETION_RING, false, "completion")))
		return err;
	if (cfg->want_rx && (err = map_ring(sk, &sk->rx_map, &sk->rx, &off.rx, o->rx_size, sizeof(struct xdp_desc),
					    XDP_PGOFF_RX_RING, false, "RX")))
		return err;
	if (cfg->want_tx && (err = map_ring(sk, &sk->tx_map, &sk->tx, &off.tx, o->tx_size, sizeof(struct xdp_desc),
					    XDP_PGOFF_TX_RING, true, "TX")))
		return err;
	if (o->flags & XDPSOCK_F_BUSY_POLL) {
		int usecs = (int)o->busy_poll_usecs, budget = (int)o->busy_poll_budget;

		if (setsockopt(sk->fd, SOL_SOCKET, SO_PREFER_BUSY_POLL, &one, sizeof(one)) ||
		    setsockopt(sk->fd, SOL_SOCKET, SO_BUSY_POLL, &usecs, sizeof(usecs)) ||
		    setsockopt(sk->fd, SOL_SOCKET, SO_BUSY_POLL_BUDGET, &budget, sizeof(budget)))
			return xdpsock__fail(errno, "cannot enable busy polling: %s%s", strerror(errno),
					     errno == EPERM ? " (SO_BUSY_POLL_BUDGET above the default needs CAP_NET_ADMIN)" : "");
	}
	return 0;
}

/*
 * MAX_SKB_FRAGS + 1: the most frames the kernel's copy-mode TX puts in one packet (beyond, it drops
 * the packet as invalid descriptors).  MAX_SKB_FRAGS is a build option (CONFIG_MAX_SKB_FRAGS,
 * 17..45): /proc/config.gz tells it where the kernel has one.  Else net.core.max_skb_frags, which
 * starts at MAX_SKB_FRAGS and can only be lowered (and is visible only in the initial network
 * namespace); else 18, which every kernel takes.  Probed once per process.
 */
static uint32_t tx_max_segs(void)
{
	static _Atomic uint32_t cached;
	uint32_t v = cached, frags = 0;
	char line[256];
	gzFile gz;
	FILE *f;

	if (v)
		return v;
	gz = gzopen("/proc/config.gz", "rb");
	if (gz) {
		while (gzgets(gz, line, sizeof(line)))
			if (sscanf(line, "CONFIG_MAX_SKB_FRAGS=%u", &frags) == 1)
				break;
		gzclose(gz);
	}
	if (frags >= 17 && frags < 1024) {
		v = frags + 1;
		xdpsock__log(XDPSOCK_LOG_DEBUG, "multi-buffer TX: at most %u frames a packet (CONFIG_MAX_SKB_FRAGS=%u)", v,
			     frags);
	} else if ((f = fopen("/proc/sys/net/core/max_skb_frags", "r"))) {
		if (fscanf(f, "%u", &frags) == 1 && frags + 1 > XDPSOCK__MIN_TX_SEGS && frags < 1024)
			v = frags + 1;
		fclose(f);
	}
	if (!v) {
		v = XDPSOCK__MIN_TX_SEGS;
		xdpsock__log(XDPSOCK_LOG_DEBUG,
			     "multi-buffer TX: at most %u frames a packet (the kernel's MAX_SKB_FRAGS is not readable here: the least any kernel takes)",
			     v);
	}
	cached = v;
	return v;
}

static void query_mode(struct xdpsock_sock *sk, const struct xdpsock__cfg *cfg)
{
	struct xdp_options xo = { 0 };
	socklen_t len = sizeof(xo);

	if (!getsockopt(sk->fd, SOL_XDP, XDP_OPTIONS, &xo, &len))
		sk->mode.zerocopy = xo.flags & XDP_OPTIONS_ZEROCOPY;
	sk->mode.need_wakeup = !(cfg->o.flags & XDPSOCK_F_NO_NEED_WAKEUP);
	sk->mode.hugepages = sk->umem->huge;
	sk->mode.shared_umem = sk->umem->fd != sk->fd;
	sk->mode.attach = xdpsock__prog_mode(sk->prog);
	sk->mode.frame_size = sk->umem->frame_size;
	sk->mode.frame_count = sk->umem->frame_count;
}

static int check_target(int ifindex, uint32_t queue_id, char *ifn)
{
	uint32_t nq;

	if (ifindex <= 0 || !if_indextoname((unsigned int)ifindex, ifn))
		return xdpsock__fail(ENODEV,
				     "interface index %d does not exist in this network namespace: check the name (ip link) and the namespace",
				     ifindex);
	if (!xdpsock__if_queues(ifindex, &nq) && queue_id >= nq)
		return xdpsock__fail(EINVAL, "queue %u is out of range: %s has %u queue%s (0..%u)", queue_id, ifn, nq,
				     nq == 1 ? "" : "s", nq - 1);
	return 0;
}

static int create(struct xdpsock_tx **txp, struct xdpsock_rx **rxp, int ifindex, uint32_t queue_id,
		  const struct xdpsock_opts *opts)
{
	struct xdpsock__cfg cfg;
	struct xdpsock_sock *sk;
	char ifn[IF_NAMESIZE];
	int err;

	xdpsock__clear_error();
	if (txp)
		*txp = NULL;
	if (rxp)
		*rxp = NULL;
	err = xdpsock__cfg_init(&cfg, opts, rxp != NULL, txp != NULL);
	if (err)
		return err;
	if (cfg.o.flags & XDPSOCK_F_MULTI_BUFFER)
		cfg.tx_max_segs = tx_max_segs();
	err = check_target(ifindex, queue_id, ifn);
	if (err)
		return err;
	for (sk = cfg.o.umem ? cfg.o.umem->socks : NULL; sk; sk = sk->next)
		if (sk->ifindex == ifindex && sk->queue_id == queue_id)
			return xdpsock__fail(EINVAL,
					     "the shared UMEM already has a socket on %s queue %u: use xdpsock_pair_create for both directions on one queue",
					     ifn, queue_id);

	sk = calloc(1, sizeof(*sk));
	if (!sk)
		return xdpsock__fail(ENOMEM, "out of memory");
	sk->fd = -1;
	sk->refs = 1;
	sk->ifindex = ifindex;
	sk->queue_id = queue_id;
	if (cfg.o.umem) {
		bool mb = cfg.o.flags & XDPSOCK_F_MULTI_BUFFER;

		if (cfg.o.umem->fd >= 0 && cfg.o.umem->mb != mb) {
			free(sk);
			return xdpsock__fail(EINVAL,
					     "the shared UMEM's first socket was created %s XDPSOCK_F_MULTI_BUFFER and the kernel makes all of its sockets alike: create every socket of one UMEM with the same flag",
					     cfg.o.umem->mb ? "with" : "without");
		}
		sk->umem = cfg.o.umem;
		sk->umem->refs++;
	} else {
		err = xdpsock__umem_new(&sk->umem, &cfg.o, false);
		if (err)
			goto err_sock;
	}
	err = setup_socket(sk, &cfg, ifn);
	if (err)
		goto err_sock;
	err = xdpsock__handles_init(sk, &cfg, NULL, NULL);
	if (err)
		goto err_sock;
	err = bind_sock(sk, &cfg, ifn);
	if (err)
		goto err_sock;
	if (rxp && cfg.o.attach_mode != XDPSOCK_ATTACH_NONE) {
		err = xdpsock__prog_get(&sk->prog, ifindex, queue_id, cfg.o.attach_mode,
						 cfg.o.flags & XDPSOCK_F_REPLACE_FOREIGN);
		if (err)
			goto err_sock;
		err = xdpsock__prog_add(sk->prog, queue_id, sk->fd);
		if (err)
			goto err_sock;
	} else if (rxp && cfg.o.xskmap_fd > 0) {
		if (bpf_map_update_elem(cfg.o.xskmap_fd, &queue_id, &sk->fd, BPF_ANY)) {
			err = xdpsock__fail(errno, "cannot insert the socket into the caller's XSKMAP (fd %d) at key %u: %s",
					    cfg.o.xskmap_fd, queue_id, strerror(errno));
			goto err_sock;
		}
	}
	query_mode(sk, &cfg);
	if (txp)
		*txp = sk->txh;
	if (rxp)
		*rxp = sk->rxh;
	sk->refs = (txp != NULL) + (rxp != NULL);
	return 0;

err_sock:
	/* sock_put closes, gives a shared UMEM its frames back and hands its registration on. */
	sk->refs = 1;
	xdpsock__sock_put(sk);
	return err;
}

int xdpsock_tx_create(struct xdpsock_tx **tx, int ifindex, uint32_t queue_id, const struct xdpsock_opts *opts)
{
	if (!tx)
		return xdpsock__fail(EINVAL, "xdpsock_tx_create: tx is NULL");
	return create(tx, NULL, ifindex, queue_id, opts);
}

int xdpsock_rx_create(struct xdpsock_rx **rx, int ifindex, uint32_t queue_id, const struct xdpsock_opts *opts)
{
	if (!rx)
		return xdpsock__fail(EINVAL, "xdpsock_rx_create: rx is NULL");
	return create(NULL, rx, ifindex, queue_id, opts);
}

int xdpsock_pair_create(struct xdpsock_tx **tx, struct xdpsock_rx **rx, int ifindex, uint32_t queue_id,
			const struct xdpsock_opts *opts)
{
	if (!tx || !rx)
		return xdpsock__fail(EINVAL, "xdpsock_pair_create: tx and rx must not be NULL");
	return create(tx, rx, ifindex, queue_id, opts);
}

/* A pair's halves keep the socket until both are gone; each half's rings stop counting at once. */
void xdpsock_tx_destroy(struct xdpsock_tx *tx)
{
	struct xdpsock_sock *sk;

	if (!tx)
		return;
	sk = tx->sk;
	if (sk->refs > 1) {
		sk->txh = NULL;
		free(tx);
	}
	xdpsock__sock_put(sk);
}

void xdpsock_rx_destroy(struct xdpsock_rx *rx)
{
	struct xdpsock_sock *sk;

	if (!rx)
		return;
	sk = rx->sk;
	if (sk->refs > 1) {
		sk->rxh = NULL;
		free(rx);
	}
	xdpsock__sock_put(sk);
}

int xdpsock_tx_fd(const struct xdpsock_tx *tx)
{
	return tx ? tx->sk->fd : -EINVAL;
}

int xdpsock_rx_fd(const struct xdpsock_rx *rx)
{
	return rx ? rx->sk->fd : -EINVAL;
}

static int mode_len(const struct xdpsock_sock *sk, struct xdpsock_mode *m, size_t len)
{
	if (!sk || !m)
		return xdpsock__fail(EINVAL, "xdpsock_*_mode: NULL argument");
	xdpsock__copy_sized(m, len, &sk->mode, sizeof(sk->mode));
	return 0;
}

int xdpsock_tx_mode_len(const struct xdpsock_tx *tx, struct xdpsock_mode *m, size_t len)
{
	return mode_len(tx ? tx->sk : NULL, m, len);
}

int xdpsock_rx_mode_len(const struct xdpsock_rx *rx, struct xdpsock_mode *m, size_t len)
{
	return mode_len(rx ? rx->sk : NULL, m, len);
}
