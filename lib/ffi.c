// SPDX-License-Identifier: MIT OR Apache-2.0
/* Out-of-line copies of the inline fast path, for FFI and dlsym users. */
#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#define XDPSOCK_INLINE XDPSOCK_API
#include <xdpsock/xdpsock.h>
