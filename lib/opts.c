// SPDX-License-Identifier: MIT OR Apache-2.0
/* Sized options: defaults, validation, and what to say when a value is wrong. */
#include <errno.h>
#include <string.h>

#include "internal.h"

static bool is_pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

static int check_ring(const char *name, uint32_t *v)
{
	if (!*v)
		*v = XDPSOCK_DEF_RING_SIZE;
	if (!is_pow2(*v) || *v > (1u << 20))
		return xdpsock__fail(EINVAL, "%s ring size %u is not a power of two up to 1048576: use e.g. 1024, 2048 or 4096",
				     name, *v);
	return 0;
}

int xdpsock__opts_copy(void *dst, size_t dst_sz, const void *src, size_t src_sz, const char *what)
{
	memset(dst, 0, dst_sz);
	if (!src)
		return 0;
	if (src_sz < sizeof(size_t))
		return xdpsock__fail(EINVAL, "%s.sz is %zu: set it to sizeof(struct %s)", what, src_sz, what);
	if (src_sz > dst_sz) {
		const char *extra = (const char *)src + dst_sz;

		for (size_t i = 0; i < src_sz - dst_sz; i++)
			if (extra[i])
				return xdpsock__fail(EOPNOTSUPP, "%s sets fields this libxdpsock does not know: upgrade the library",
						     what);
		src_sz = dst_sz;
	}
	memcpy(dst, src, src_sz);
	return 0;
}

/* Copy the caller's opts (any size it was built with) into a full struct and fill in defaults. */
int xdpsock__cfg_init(struct xdpsock__cfg *cfg, const struct xdpsock_opts *opts, bool rx, bool tx)
{
	struct xdpsock_opts *o = &cfg->o;
	uint32_t need;
	int err;

	memset(cfg, 0, sizeof(*cfg));
	cfg->want_rx = rx;
	cfg->want_tx = tx;
	err = xdpsock__opts_copy(o, sizeof(*o), opts, opts ? opts->sz : 0, "xdpsock_opts");
	if (err)
		return err;
	o->sz = sizeof(*o);

	if (!o->frame_size)
		o->frame_size = o->umem ? o->umem->frame_size : XDPSOCK_DEF_FRAME_SIZE;
	if (o->umem)
		o->frame_size = o->umem->frame_size, o->frame_count = o->umem->frame_count;
	if (o->frame_size != 2048 && o->frame_size != 4096)
		return xdpsock__fail(EINVAL, "frame size %u is not supported: use 2048 or 4096", o->frame_size);
	if (!o->frame_count)
		o->frame_count = XDPSOCK_DEF_FRAME_COUNT;
	if ((err = check_ring("RX", &o->rx_size)) || (err = check_ring("TX", &o->tx_size)) ||
	    (err = check_ring("fill", &o->fill_size)) || (err = check_ring("completion", &o->comp_size)))
		return err;
	if (o->headroom > o->frame_size / 2)
		return xdpsock__fail(EINVAL, "headroom %u leaves less than half of a %u-byte frame: lower it",
				     o->headroom, o->frame_size);
	if (o->copy_mode > XDPSOCK_COPY_ZEROCOPY)
		return xdpsock__fail(EINVAL, "copy_mode %d is not one of XDPSOCK_COPY_*", o->copy_mode);
	if (o->attach_mode > XDPSOCK_ATTACH_NONE)
		return xdpsock__fail(EINVAL, "attach_mode %d is not one of XDPSOCK_ATTACH_*", o->attach_mode);
	if (o->hugepages > XDPSOCK_HUGEPAGES_REQUIRE)
		return xdpsock__fail(EINVAL, "hugepages %d is not one of XDPSOCK_HUGEPAGES_*", o->hugepages);
	if (o->flags & ~(XDPSOCK_F_NO_NEED_WAKEUP | XDPSOCK_F_MULTI_BUFFER | XDPSOCK_F_BUSY_POLL | XDPSOCK_F_REPLACE_FOREIGN))
		return xdpsock__fail(EINVAL, "unknown flags 0x%x in xdpsock_opts.flags",
				     o->flags & ~(XDPSOCK_F_NO_NEED_WAKEUP | XDPSOCK_F_MULTI_BUFFER | XDPSOCK_F_BUSY_POLL | XDPSOCK_F_REPLACE_FOREIGN));
	if (o->flags & XDPSOCK_F_BUSY_POLL) {
		if (!o->busy_poll_usecs)
			o->busy_poll_usecs = 20;
		if (!o->busy_poll_budget)
			o->busy_poll_budget = 64;
	}
	/* The fill ring must be full at start, and TX must have a ring's worth to reserve. */
	need = (rx ? o->fill_size : 0) + (tx ? o->tx_size : 0);
	if (!o->umem && o->frame_count < need)
		return xdpsock__fail(EINVAL,
				     "frame count %u is too small for the rings: needs at least %u (%s%s%s); raise frame_count or shrink the rings",
				     o->frame_count, need, rx ? "fill ring" : "", rx && tx ? " + " : "", tx ? "TX ring" : "");
	if (o->frame_count > (1u << 24))
		return xdpsock__fail(EINVAL, "frame count %u is above 16777216", o->frame_count);
	return 0;
}
