// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * Out-of-line copies of the inline fast path, for FFI and dlsym users, and for binaries built
 * against 0.1, where xdpsock_{tx,rx}_{stats,mode} were plain functions.  Those 0.1 symbols must
 * pass the 0.1 size of their struct, whatever this header's is now (0.2 appended fields): the
 * header's inline bodies pass sizeof, so these four are written here instead.
 */
#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#define XDPSOCK_INLINE XDPSOCK_API
#define XDPSOCK__FFI
#include <stddef.h>
#include <xdpsock/xdpsock.h>

/* The sizes the 0.1 header had: everything up to the census, and up to frame_count. */
#define STATS_0_1 (offsetof(struct xdpsock_stats, frames) + sizeof(struct xdpsock_census))
#define MODE_0_1 (offsetof(struct xdpsock_mode, frame_count) + sizeof(uint32_t))

int xdpsock_tx_stats(const struct xdpsock_tx *tx, struct xdpsock_stats *st)
{
	return xdpsock_tx_stats_len(tx, st, STATS_0_1);
}

int xdpsock_rx_stats(const struct xdpsock_rx *rx, struct xdpsock_stats *st)
{
	return xdpsock_rx_stats_len(rx, st, STATS_0_1);
}

int xdpsock_tx_mode(const struct xdpsock_tx *tx, struct xdpsock_mode *m)
{
	return xdpsock_tx_mode_len(tx, m, MODE_0_1);
}

int xdpsock_rx_mode(const struct xdpsock_rx *rx, struct xdpsock_mode *m)
{
	return xdpsock_rx_mode_len(rx, m, MODE_0_1);
}
