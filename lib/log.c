// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * The log callback, the per-thread last error, errno in AF_XDP terms, what the running kernel
 * refused, and libbpf's words during the library's own calls: the library never prints.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "internal.h"

static xdpsock_log_fn log_fn;
static void *log_ctx;
static __thread char last_err[512];

void xdpsock_set_log(xdpsock_log_fn fn, void *ctx)
{
	log_fn = fn;
	log_ctx = ctx;
}

#define XDPSOCK__STR(x) #x
#define XDPSOCK__XSTR(x) XDPSOCK__STR(x)

const char *xdpsock_version(void)
{
	return XDPSOCK__XSTR(XDPSOCK_VERSION_MAJOR) "." XDPSOCK__XSTR(XDPSOCK_VERSION_MINOR) "." XDPSOCK__XSTR(
		XDPSOCK_VERSION_PATCH);
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
		return "frame length is zero or larger than frame_size - headroom (or a packet larger than a multi-buffer socket may chain)";
	case E2BIG:
		return "a multi-buffer packet spans more frames than the kernel takes (see mode.tx_max_segs)";
	case EBADMSG:
		return "the kernel returned a descriptor outside the UMEM";
	case EAGAIN:
		return "no frame available now; wait on the socket's fd and retry";
	default:
		return strerror(err);
	}
}

/* ---- what the running kernel refused ---------------------------------------------------- */

static const char *const feature_names[XDPSOCK__FEAT_MAX] = {
	[XDPSOCK__FEAT_TX_SKB_BUDGET] = "the copy-mode TX budget (XDP_MAX_TX_SKB_BUDGET, Linux 6.17)",
	[XDPSOCK__FEAT_SOCK_DIAG] = "sock_diag for AF_XDP (CONFIG_XDP_SOCKETS_DIAG)",
	[XDPSOCK__FEAT_NATIVE_XDP] = "native XDP",
	[XDPSOCK__FEAT_XDP_LINK] = "XDP attachment through a BPF link (Linux 5.9)",
	[XDPSOCK__FEAT_XDP_FRAGS] = "a multi-buffer XDP program (BPF_F_XDP_HAS_FRAGS, Linux 5.18)",
};

static _Atomic unsigned int refused_once;

int xdpsock__refusal_str(char *buf, size_t len, enum xdpsock__feature f, const char *where, int err,
			 const char *detail, const char *fallback)
{
	if (err < 0)
		err = -err;
	if ((unsigned int)f >= XDPSOCK__FEAT_MAX)
		return snprintf(buf, len, "feature %d refused", (int)f);
	return snprintf(buf, len, "%s%s%s refused by this kernel (%s%s%s): %s", feature_names[f], where ? " on " : "",
			where ? where : "", strerror(err), detail && *detail ? ": " : "", detail ? detail : "",
			fallback);
}

void xdpsock__refused(enum xdpsock__feature f, const char *where, int err, const char *detail, const char *fallback)
{
	char buf[sizeof(last_err)];

	/* Per process, a feature refused by the kernel is said once; per interface (@where), each time. */
	if (!where && (unsigned int)f < XDPSOCK__FEAT_MAX &&
	    (atomic_fetch_or(&refused_once, 1u << f) & (1u << f)))
		return;
	xdpsock__refusal_str(buf, sizeof(buf), f, where, err, detail, fallback);
	xdpsock__log(XDPSOCK_LOG_WARN, "%s", buf);
}

/*
 * libbpf prints to stderr unless told otherwise, and its print hook is process-wide.  Around
 * the library's own libbpf calls the hook points here: those words go to our log (debug), and
 * the last one is kept for the caller (the kernel's extended ack, "veth: Peer MTU is too large
 * to set XDP", arrives that way).  Messages from other threads' libbpf calls meanwhile go to the
 * hook that was installed before ours (the application's, or libbpf's default).  Nested and
 * concurrent scopes share one installation, counted under a lock.
 */
static pthread_mutex_t libbpf_lock = PTHREAD_MUTEX_INITIALIZER;
static int libbpf_scopes;
static libbpf_print_fn_t libbpf_saved;
static __thread int libbpf_mine;
static __thread char libbpf_last[256];

static int libbpf_to_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char buf[512];
	size_t n;

	if (!libbpf_mine) {
		libbpf_print_fn_t fn;

		pthread_mutex_lock(&libbpf_lock);
		fn = libbpf_saved;
		pthread_mutex_unlock(&libbpf_lock);
		return fn ? fn(level, fmt, ap) : 0;
	}
	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	if (level == LIBBPF_WARN && n) {
		const char *k = strstr(buf, "Kernel error message: ");

		snprintf(libbpf_last, sizeof(libbpf_last), "%s", k ? k + 22 : buf);
	}
	xdpsock__log(XDPSOCK_LOG_DEBUG, "%s%s", strncmp(buf, "libbpf: ", 8) ? "libbpf: " : "", buf);
	return 0;
}

void xdpsock__libbpf_begin(void)
{
	if (libbpf_mine++)
		return;
	libbpf_last[0] = '\0';
	pthread_mutex_lock(&libbpf_lock);
	if (libbpf_scopes++ == 0)
		libbpf_saved = libbpf_set_print(libbpf_to_log);
	pthread_mutex_unlock(&libbpf_lock);
}

void xdpsock__libbpf_end(void)
{
	if (--libbpf_mine)
		return;
	pthread_mutex_lock(&libbpf_lock);
	if (--libbpf_scopes == 0)
		libbpf_set_print(libbpf_saved);
	pthread_mutex_unlock(&libbpf_lock);
}

const char *xdpsock__libbpf_last(void)
{
	return libbpf_last;
}
