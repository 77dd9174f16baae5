// SPDX-License-Identifier: MIT OR Apache-2.0
/* The log callback, the per-thread last error, and errno in AF_XDP terms. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

static xdpsock_log_fn log_fn;
static void *log_ctx;
static __thread char last_err[512];

void xdpsock_set_log(xdpsock_log_fn fn, void *ctx)
{
	log_fn = fn;
	log_ctx = ctx;
}

const char *xdpsock_errmsg(void)
{
	return last_err;
}

void xdpsock__clear_error(void)
{
	last_err[0] = '\0';
}

static void vlog(enum xdpsock_log_level level, const char *fmt, va_list ap)
{
	char buf[sizeof(last_err)];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (level == XDPSOCK_LOG_ERROR)
		memcpy(last_err, buf, sizeof(buf));
	if (log_fn)
		log_fn(level, buf, log_ctx);
}

void xdpsock__log(enum xdpsock_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

int xdpsock__fail(int err, const char *fmt, ...)
{
	va_list ap;

	if (err < 0)
		err = -err;
	va_start(ap, fmt);
	vlog(XDPSOCK_LOG_ERROR, fmt, ap);
	va_end(ap);
	errno = err;
	return -err;
}

const char *xdpsock_strerror(int err)
{
	if (err < 0)
		err = -err;
	switch (err) {
	case 0:
		return "success";
	case ENODEV:
		return "no such interface in this network namespace";
	case ENXIO:
		return "the interface went away";
	case ENETDOWN:
		return "the interface is down";
	case EBUSY:
		return "queue already in use by another AF_XDP socket, or another XDP program is attached";
	case EOPNOTSUPP:
		return "not supported by this driver or kernel (zero-copy, native XDP or multi-buffer)";
	case EPERM:
	case EACCES:
		return "not permitted: needs CAP_NET_RAW (socket), CAP_NET_ADMIN and CAP_BPF (XDP program)";
	case EINVAL:
		return "invalid argument: queue id, ring size, frame size or flags out of range";
	case ENOMEM:
		return "out of memory for the UMEM or rings (huge pages requested but none free?)";
	case ERANGE:
		return "index beyond the frames reserved by seek";
	case EMSGSIZE:
		return "frame length is zero or larger than frame_size - headroom";
	case EBADMSG:
		return "the kernel returned a descriptor outside the UMEM";
	case EAGAIN:
		return "no frame available now; wait on the socket's fd and retry";
	default:
		return strerror(err);
	}
}
