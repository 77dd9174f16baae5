// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * A pair over rings in plain memory, for unit tests and ring_bench: the test plays the kernel
 * through struct xdpsock_mock.  Everything above the ring memory is the library's real code.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mock.h"

#define OFF_PROD 0
#define OFF_CONS 64
#define OFF_FLAGS 128
#define OFF_DESC 256

static const struct xdp_ring_offset mock_off = {
	.producer = OFF_PROD, .consumer = OFF_CONS, .flags = OFF_FLAGS, .desc = OFF_DESC,
};

static int mock_ring(struct xdpsock_map *m, struct xdpsock_ring *ours, struct xdpsock_ring *kernel, uint32_t size,
		     size_t esize, bool we_produce, uint32_t start)
{
	m->len = OFF_DESC + (size_t)size * esize;
	m->addr = aligned_alloc(64, (m->len + 63) & ~(size_t)63);
	if (!m->addr)
		return -ENOMEM;
	memset(m->addr, 0, m->len);
	*(uint32_t *)((char *)m->addr + OFF_PROD) = start;
	*(uint32_t *)((char *)m->addr + OFF_CONS) = start;
	xdpsock__ring_init(ours, m->addr, &mock_off, size, we_produce);
	xdpsock__ring_init(kernel, m->addr, &mock_off, size, !we_produce);
	return 0;
}

static void mock_sock_free(struct xdpsock_sock *sk)
{
	free(sk->rx_map.addr);
	free(sk->tx_map.addr);
	free(sk->fq_map.addr);
	free(sk->cq_map.addr);
	sk->rx_map.addr = sk->tx_map.addr = sk->fq_map.addr = sk->cq_map.addr = NULL;
}

int xdpsock__mock_create(struct xdpsock_tx **tx, struct xdpsock_rx **rx, const struct xdpsock_opts *opts,
			 struct xdpsock_mock *k)
{
	struct xdpsock__cfg cfg;
	struct xdpsock_sock *sk;
	int err;

	err = xdpsock__cfg_init(&cfg, opts, rx != NULL, tx != NULL);
	if (err)
		return err;
	sk = calloc(1, sizeof(*sk));
	if (!sk)
		return -ENOMEM;
	sk->fd = -1;
	sk->refs = (tx != NULL) + (rx != NULL);
	err = xdpsock__umem_new(&sk->umem, &cfg.o, true);
	if (err)
		goto err_free;
	err = mock_ring(&sk->fq_map, &sk->fq, &k->fq, cfg.o.fill_size, sizeof(uint64_t), true, k->start);
	if (!err)
		err = mock_ring(&sk->cq_map, &sk->cq, &k->cq, cfg.o.comp_size, sizeof(uint64_t), false, k->start);
	if (!err)
		err = mock_ring(&sk->rx_map, &sk->rx, &k->rx, cfg.o.rx_size, sizeof(struct xdp_desc), false, k->start);
	if (!err)
		err = mock_ring(&sk->tx_map, &sk->tx, &k->tx, cfg.o.tx_size, sizeof(struct xdp_desc), true, k->start);
	if (err)
		goto err_rings;
	err = xdpsock__handles_init(sk, &cfg, tx, rx);
	if (err)
		goto err_rings;
	k->area = sk->umem->area;
	k->umem_size = sk->umem->size;
	sk->mode.frame_size = cfg.o.frame_size;
	sk->mode.frame_count = cfg.o.frame_count;
	sk->mode.need_wakeup = !(cfg.o.flags & XDPSOCK_F_NO_NEED_WAKEUP);
	return 0;

err_rings:
	mock_sock_free(sk);
	xdpsock__umem_put(sk->umem);
err_free:
	free(sk);
	return err < 0 ? err : -err;
}
