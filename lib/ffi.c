// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * Out-of-line copies of the inline fast path, for FFI and dlsym users, and for binaries built
 * against 0.1, where xdpsock_{tx,rx}_{stats,mode} were plain functions.  Those pass sizeof(*st)
 * of the struct as this header has it: that must stay the 0.1 size (checked below).  When a
 * counter is appended, give these symbols the 0.1 size explicitly instead of sizeof.
 */
#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#define XDPSOCK_INLINE XDPSOCK_API
#include <stddef.h>
#include <xdpsock/xdpsock.h>

_Static_assert(sizeof(struct xdpsock_stats) == offsetof(struct xdpsock_stats, frames) + sizeof(struct xdpsock_census),
	       "struct xdpsock_stats grew: the 0.1 symbols xdpsock_*_stats must pass the 0.1 size");
_Static_assert(sizeof(struct xdpsock_mode) == offsetof(struct xdpsock_mode, frame_count) + sizeof(uint32_t),
	       "struct xdpsock_mode grew: the 0.1 symbols xdpsock_*_mode must pass the 0.1 size");
