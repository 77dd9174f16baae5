/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * tests/double/mock.h - the library's handles over rings in plain memory: the test plays the
 * kernel through struct xdpsock_mock.  Built into the unit tests and ring_bench only, never into
 * libxdpsock; it reaches the library's internals through the static archive.
 */
#ifndef XDPSOCK_TEST_MOCK_H
#define XDPSOCK_TEST_MOCK_H

#include "internal.h"

/* Unit-test hook: a pair over in-memory rings; the test plays the kernel (tests/unit). */
struct xdpsock_mock {
	uint32_t start;				/* in: initial ring indices (test 32-bit wraparound) */
	struct xdpsock_ring rx, tx, fq, cq;	/* out: the kernel's side of each ring */
	uint8_t *area;
	uint64_t umem_size;
};
int xdpsock__mock_create(struct xdpsock_tx **tx, struct xdpsock_rx **rx, const struct xdpsock_opts *opts,
			 struct xdpsock_mock *k);

#endif
