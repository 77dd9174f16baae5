/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * libxdpsock - AF_XDP sockets on the kernel UAPI, with a seek / peek / commit workflow.
 *
 * TX:  n = xdpsock_tx_seek_n(tx, 64);            reserve up to 64 free UMEM frames
 *      p = xdpsock_tx_peek_at(tx, i, len);       writable buffer of frame i, records len
 *      xdpsock_tx_commit_n(tx, n);               put the first n reserved frames on the TX ring
 *      xdpsock_tx_kick(tx);                      wake the kernel, only if it asked (need_wakeup)
 *
 * RX:  n = xdpsock_rx_seek_n(rx, 64);            up to 64 received frames, never blocks
 *      p = xdpsock_rx_peek_at(rx, i, &len);      readable buffer of frame i
 *      xdpsock_rx_commit_n(rx, n);               release the first n frames to the fill ring
 *
 * Conventions (as in libbpf): every function returning int returns >= 0 on success and a
 * negative errno on failure, and also sets errno.  Pointer-returning functions return NULL
 * and set errno.  Creation failures also leave a sentence naming the cause and the fix in
 * xdpsock_errmsg() and pass it to the log callback; the library never prints.
 *
 * Threads: a handle, and every handle sharing its UMEM (a pair, an explicit shared UMEM),
 * must be used by one thread at a time.  Different UMEMs need no locking at all.
 */
#ifndef XDPSOCK_XDPSOCK_H
#define XDPSOCK_XDPSOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define XDPSOCK_API __attribute__((visibility("default")))

/* The version of this header; the Makefile reads it from here (one source). */
#define XDPSOCK_VERSION_MAJOR 0
#define XDPSOCK_VERSION_MINOR 2
#define XDPSOCK_VERSION_PATCH 0

/* Built out of line too (lib/ffi.c) for callers that cannot inline: FFI, dlsym. */
#ifndef XDPSOCK_INLINE
#define XDPSOCK_INLINE static inline
#endif

struct xdpsock_tx;	/* a TX socket (or the TX half of a pair) */
struct xdpsock_rx;	/* an RX socket (or the RX half of a pair) */
struct xdpsock_umem;	/* a UMEM that several sockets may share */

/* Copy mode: how frames move between the NIC and the UMEM. */
enum xdpsock_copy_mode {
	XDPSOCK_COPY_AUTO = 0,	/* zero-copy if the driver can, else copy (and say so) */
	XDPSOCK_COPY_FORCE,	/* always copy (XDP_COPY) */
	XDPSOCK_COPY_ZEROCOPY,	/* zero-copy or fail with -EOPNOTSUPP (XDP_ZEROCOPY) */
};

/* How the steering XDP program gets onto the interface (RX sockets only). */
enum xdpsock_attach_mode {
	XDPSOCK_ATTACH_AUTO = 0,	/* native (driver) XDP, else generic (skb) XDP */
	XDPSOCK_ATTACH_NATIVE,
	XDPSOCK_ATTACH_GENERIC,
	XDPSOCK_ATTACH_NONE,		/* caller owns the program; see xdpsock_opts.xskmap_fd */
};

enum xdpsock_hugepages {
	XDPSOCK_HUGEPAGES_AUTO = 0,	/* use huge pages when the system has some free, else normal pages */
	XDPSOCK_HUGEPAGES_OFF,
	XDPSOCK_HUGEPAGES_REQUIRE,	/* fail with -ENOMEM when none are available */
};

/* xdpsock_opts.flags */
#define XDPSOCK_F_NO_NEED_WAKEUP	(1u << 0)	/* do not bind with XDP_USE_NEED_WAKEUP: every kick is a syscall */
#define XDPSOCK_F_MULTI_BUFFER		(1u << 1)	/* XDP_USE_SG: packets larger than a frame span several
							 * descriptors (jumbo frames): see "Multi-buffer" below */
#define XDPSOCK_F_BUSY_POLL		(1u << 2)	/* SO_PREFER_BUSY_POLL + SO_BUSY_POLL + SO_BUSY_POLL_BUDGET */
#define XDPSOCK_F_REPLACE_FOREIGN	(1u << 3)	/* RX: remove someone else's XDP program (warned) instead of -EBUSY */

/*
 * Options, sized as in libbpf: set .sz = sizeof(struct xdpsock_opts); a zero field means its
 * default; NULL means all defaults.  Fields added later go at the end; a caller built against a
 * newer header that sets fields this library does not know gets -EOPNOTSUPP.
 */
struct xdpsock_opts {
	size_t sz;
	uint32_t frame_size;		/* 2048 (default) or 4096 */
	uint32_t frame_count;		/* UMEM frames; default 4096; must cover fill ring (RX) + TX ring (TX) */
	uint32_t rx_size;		/* ring sizes, powers of two; default 2048 each */
	uint32_t tx_size;
	uint32_t fill_size;
	uint32_t comp_size;
	uint32_t headroom;		/* bytes reserved before each frame's data; default 0 */
	enum xdpsock_copy_mode copy_mode;
	enum xdpsock_attach_mode attach_mode;
	int xskmap_fd;			/* with XDPSOCK_ATTACH_NONE: insert the socket at key queue_id of this
					 * XSKMAP; 0 leaves the insertion to the caller (see xdpsock_rx_fd) */
	enum xdpsock_hugepages hugepages;
	uint32_t flags;			/* XDPSOCK_F_* */
	uint32_t busy_poll_usecs;	/* with XDPSOCK_F_BUSY_POLL; default 20 */
	uint32_t busy_poll_budget;	/* with XDPSOCK_F_BUSY_POLL; default 64 */
	struct xdpsock_umem *umem;	/* share this UMEM (see xdpsock_umem_create); NULL: a private one */
	size_t :0;
};

/*
 * Declare and initialise options in one line, .sz set, as LIBBPF_OPTS does:
 *     XDPSOCK_OPTS(o, .frame_count = 8192, .flags = XDPSOCK_F_BUSY_POLL);
 */
#define XDPSOCK_OPTS(name, ...) struct xdpsock_opts name = { .sz = sizeof(struct xdpsock_opts), __VA_ARGS__ }

/* ---- creation ------------------------------------------------------------ */

/**
 * xdpsock_tx_create() - create a TX socket on @ifindex, queue @queue_id.
 * @tx: receives the handle.
 * @ifindex: interface, in the calling thread's network namespace.
 * @queue_id: TX queue; must be below the device's queue count.
 * @opts: options or NULL.
 *
 * A TX socket needs no XDP program.  Return: 0, or -errno (xdpsock_errmsg() says why):
 * -ENODEV no such interface, -EINVAL queue or option out of range, -EPERM missing
 * CAP_NET_RAW, -EBUSY queue already bound, -EOPNOTSUPP zero-copy forced but unsupported.
 */
XDPSOCK_API int xdpsock_tx_create(struct xdpsock_tx **tx, int ifindex, uint32_t queue_id,
				  const struct xdpsock_opts *opts);

/**
 * xdpsock_rx_create() - create an RX socket on @ifindex, queue @queue_id.
 *
 * Unless opts->attach_mode is XDPSOCK_ATTACH_NONE, the library's XDP program is attached to
 * the interface by the first RX socket and detached by the last one (in any process); it
 * redirects the queues that have a socket and passes everything else to the kernel.  The
 * fill ring is populated before the call returns.  Returns as xdpsock_tx_create(), plus
 * -EBUSY when another XDP program is attached (its name and id in xdpsock_errmsg()) and
 * -EPERM when CAP_BPF/CAP_NET_ADMIN is missing.
 */
XDPSOCK_API int xdpsock_rx_create(struct xdpsock_rx **rx, int ifindex, uint32_t queue_id,
				  const struct xdpsock_opts *opts);

/**
 * xdpsock_pair_create() - one socket with both rings on one UMEM, as a TX and an RX handle.
 *
 * The two handles share a UMEM and must be used from one thread.  Destroy both; the socket
 * closes when the second is destroyed.
 */
XDPSOCK_API int xdpsock_pair_create(struct xdpsock_tx **tx, struct xdpsock_rx **rx, int ifindex,
				    uint32_t queue_id, const struct xdpsock_opts *opts);

/** xdpsock_tx_destroy() - close the socket (after its pair half), unmap, free.  NULL-safe. */
XDPSOCK_API void xdpsock_tx_destroy(struct xdpsock_tx *tx);
/** xdpsock_rx_destroy() - as xdpsock_tx_destroy(); detaches the XDP program on its last user. */
XDPSOCK_API void xdpsock_rx_destroy(struct xdpsock_rx *rx);

/**
 * xdpsock_umem_create() - a UMEM to share between sockets on other queues or interfaces.
 *
 * Uses frame_size, frame_count, headroom and hugepages from @opts.  Pass it as opts->umem
 * to each socket; frames then move between those sockets without copying (forwarding).
 * The sockets hold references: xdpsock_umem_destroy() may be called as soon as the last
 * socket is created.  All sockets on one UMEM must be used from one thread.
 */
XDPSOCK_API int xdpsock_umem_create(struct xdpsock_umem **umem, const struct xdpsock_opts *opts);
/** xdpsock_umem_destroy() - drop the caller's reference.  NULL-safe. */
XDPSOCK_API void xdpsock_umem_destroy(struct xdpsock_umem *umem);

/* ---- fast path: declared here, defined inline in <xdpsock/ring.h> ----------

 * int   xdpsock_tx_seek_n(tx, n)      top the reservation up to n free frames; returns how many
 *                                     are reserved (0..n), reclaiming completions when needed.
 * int   xdpsock_tx_seek(tx)           = seek_n(tx, 1)
 * void *xdpsock_tx_peek_at(tx, i, len)  buffer of reserved frame i (0 = oldest uncommitted);
 *                                     records len.  NULL + errno ERANGE (i not reserved) or
 *                                     EMSGSIZE (len 0 or above frame_size - headroom).
 * void *xdpsock_tx_peek(tx, len)      = peek_at(tx, 0, len)
 * int   xdpsock_tx_set_len(tx, i, len)  change the length of reserved frame i after its peek (a
 *                                     frame built in a buffer peeked at its largest size); 0,
 *                                     -ERANGE, -EMSGSIZE as peek_at, -EINVAL (never peeked).
 * int   xdpsock_tx_set_more(tx, i, more)  multi-buffer: the packet in reserved frame i continues
 *                                     in frame i + 1 (more != 0) or ends in i (0, the default
 *                                     after seek).  0, -ERANGE (i not reserved), -EOPNOTSUPP (the
 *                                     socket was created without XDPSOCK_F_MULTI_BUFFER).
 * void *xdpsock_tx_seek_and_peek(tx, len)  NULL + EAGAIN when no frame is free
 * int   xdpsock_tx_commit_n(tx, n)    submit the first n reserved frames; returns n, -ERANGE
 *                                     (fewer reserved) or -EINVAL (a frame was never peeked).
 *                                     Multi-buffer also: -EINVAL when frame n - 1 is set_more (a
 *                                     packet would be cut: nothing is submitted), -E2BIG when a
 *                                     packet spans more than mode.tx_max_segs frames.
 *                                     Does not kick: call xdpsock_tx_kick() once per batch.
 * int   xdpsock_tx_commit(tx)         = commit_n(tx, 1)
 * int   xdpsock_tx_needs_kick(tx)     the kernel asked for a wakeup (or need_wakeup is off)
 *
 * int   xdpsock_rx_seek_n(rx, n)      frames ready to peek, 0..n; never blocks.  Multi-buffer:
 *                                     whole packets only, see below; -EMSGSIZE possible.
 * int   xdpsock_rx_seek(rx)           = seek_n(rx, 1)
 * const void *xdpsock_rx_peek_at(rx, i, &len)  NULL + ERANGE (i not held) or EBADMSG (the
 *                                     kernel gave a descriptor outside the UMEM: counted in
 *                                     stats.rx_bad_descs; commit it like any other)
 * const void *xdpsock_rx_peek(rx, &len) = peek_at(rx, 0, &len)
 * int   xdpsock_rx_more_at(rx, i)     frame i continues in i + 1 (XDPSOCK_F_MULTI_BUFFER)
 * int   xdpsock_rx_pkt_at(rx, i, &segs, &total_len)  the packet starting at held frame i: its
 *                                     frames (i .. i + segs - 1) and its length in bytes; either
 *                                     pointer may be NULL.  0, -ERANGE (i not held), -EINVAL (i
 *                                     is inside a packet, not at its start), -EBADMSG (one of its
 *                                     descriptors is bad; segs and total_len are still set, so
 *                                     the loop can step over it).  On a single-buffer socket
 *                                     every packet is one frame.
 * int   xdpsock_rx_commit_n(rx, n)    release the first n held frames; returns n, -ERANGE (fewer
 *                                     held) or, multi-buffer, -EINVAL when frame n - 1 does not
 *                                     end a packet (nothing is released).  Never fails for lack
 *                                     of fill-ring room.
 * int   xdpsock_rx_commit(rx)         = commit_n(rx, 1)
 *
 * Multi-buffer (XDPSOCK_F_MULTI_BUFFER; Linux >= 6.6): a packet larger than one frame (a 9000-byte
 * MTU with 2048-byte frames) spans several descriptors, each continued one marked
 * (xdpsock_rx_more_at(), xdpsock_tx_set_more()).  The RX side only ever hands out whole packets:
 *
 *   n = xdpsock_rx_seek_n(rx, 64);                 descriptors of whole packets, 0..64
 *   for (i = 0; i < n; i += segs) {
 *           xdpsock_rx_pkt_at(rx, i, &segs, &len); frames i .. i + segs - 1, len bytes in all
 *           xdpsock_rx_copy_pkt(rx, i, buf, sizeof(buf));   or peek_at each of them
 *   }
 *   xdpsock_rx_commit_n(rx, n);
 *
 * - seek_n counts descriptors, never returns part of a packet, and returns the largest number of
 *   whole packets' descriptors that is at most n.  A packet whose last descriptor has not arrived
 *   yet stays in the RX ring (counted as census.rx) until it does.  When the first packet alone
 *   spans more than n descriptors, seek_n returns -EMSGSIZE (errno EMSGSIZE) and holds nothing
 *   new: call it again with n >= mode.rx_max_segs, which every packet fits.
 * - A packet of more than mode.rx_max_segs descriptors (the most the kernel can make of the
 *   largest packet XDP carries; one whose last descriptor never comes also ends up here) is
 *   dropped whole once it reaches the head of the ring, counted once in stats.rx_too_long; its
 *   frames go back to the fill ring and the packets after it are delivered as usual.
 * - peek_at stays per descriptor; commit_n refuses to cut a packet (-EINVAL).
 * - TX: reserve a packet's frames with seek_n, peek_at each (its own length), set_more on every
 *   frame but the last, commit_n.  Commit refuses to end inside a packet (-EINVAL) and a packet of
 *   more than mode.tx_max_segs frames (-E2BIG): the kernel would drop it whole as invalid.
 * - Every socket of one UMEM is multi-buffer or none is: the kernel takes it from the first.
 * - The census counts frames, one per descriptor.
 */

/**
 * xdpsock_tx_kick() - wake the kernel to transmit, only when need_wakeup asks for it.
 *
 * Return: 1 when a syscall was made, 0 when none was needed or the kernel is momentarily
 * busy (EAGAIN, EBUSY, ENOBUFS: call again later), -ENETDOWN/-ENXIO when the interface is
 * down or gone.
 */
XDPSOCK_API int xdpsock_tx_kick(struct xdpsock_tx *tx);

/**
 * xdpsock_tx_send() - copy @len bytes into free frames, commit and kick.
 *
 * On a multi-buffer socket a packet longer than a frame is cut across as many frames as it needs
 * (at most mode.tx_max_segs), sent as one packet.
 *
 * Return: 0, -EAGAIN when not enough frames are free (call xdpsock_tx_wait()), -EMSGSIZE when
 * @len is 0 or does not fit (in one frame without XDPSOCK_F_MULTI_BUFFER, in tx_max_segs frames
 * with it; xdpsock_errmsg() says which), or an error of xdpsock_tx_kick().
 */
XDPSOCK_API int xdpsock_tx_send(struct xdpsock_tx *tx, const void *data, uint32_t len);

/**
 * xdpsock_rx_copy_pkt() - copy the packet starting at held frame @i into @buf.
 * @buflen: room in @buf; the packet is copied only if it fits whole.
 *
 * Gathers every frame of a multi-buffer packet (one frame on a single-buffer socket); the frames
 * stay held: commit them as usual.
 * Return: the packet's length in bytes, or -ERANGE (@i not held), -EINVAL (@i is not the start of
 * a packet), -EBADMSG (one of its descriptors is bad), -EMSGSIZE (@buflen is smaller than the
 * packet: nothing copied; xdpsock_rx_pkt_at() tells the length).
 */
XDPSOCK_API int xdpsock_rx_copy_pkt(struct xdpsock_rx *rx, uint32_t i, void *buf, uint32_t buflen);

/** xdpsock_tx_fd(), xdpsock_rx_fd() - the socket's fd, for poll/epoll.  Owned by the handle. */
XDPSOCK_API int xdpsock_tx_fd(const struct xdpsock_tx *tx);
XDPSOCK_API int xdpsock_rx_fd(const struct xdpsock_rx *rx);

/**
 * xdpsock_tx_wait() - wait up to @timeout_ms (-1: forever) until a frame can be reserved.
 * Return: the number of free frames (> 0), 0 on timeout, -EINTR on a signal, or -errno.
 */
XDPSOCK_API int xdpsock_tx_wait(struct xdpsock_tx *tx, int timeout_ms);

/**
 * xdpsock_rx_wait() - wait up to @timeout_ms (-1: forever) until a frame has arrived,
 * waking the kernel first if it asked for fill-ring wakeups.
 * Return: frames ready (> 0), 0 on timeout, -EINTR on a signal, -ENETDOWN when the socket's
 * interface went away, or -errno.
 */
XDPSOCK_API int xdpsock_rx_wait(struct xdpsock_rx *rx, int timeout_ms);

/**
 * xdpsock_fwd_n() - send the first @n frames held by @rx out of @tx, without copying.
 * @rx: frames found by xdpsock_rx_seek_n().
 * @tx: a socket on the same UMEM (a pair's TX half, or one created with the same opts->umem),
 *      with nothing reserved by xdpsock_tx_seek_n().
 * @max_len: the longest packet @tx may send (its MTU plus the Ethernet header): longer packets
 *      are dropped and counted (stats.rx_fwd_oversize, once per packet), never sent.
 *
 * The descriptors move from @rx's RX ring to @tx's TX ring; the frames @tx completed earlier go
 * back to @rx's fill ring, so a loop forwarding A->B and B->A keeps every ring supplied.
 * Frames that do not fit in @tx's ring stay held by @rx for the next call.  Kick @tx after.
 *
 * Multi-buffer: packets move whole.  @max_len applies to a packet's total length (a packet of
 * more frames than @tx may chain, mode.tx_max_segs, is dropped and counted as oversize too); a
 * packet that does not fit in @tx's free TX slots waits for the next call, whole; a packet with a
 * bad descriptor is dropped whole (counted in stats.rx_bad_descs).  @n must end a packet.
 *
 * Return: the frames taken from @rx (forwarded, oversize or bad descriptors), -ERANGE when
 * @n exceeds the frames held, -EINVAL when frame @n - 1 does not end a packet, -EXDEV when the
 * two do not share a UMEM, -EBUSY when @tx has a reservation.
 */
XDPSOCK_API int xdpsock_fwd_n(struct xdpsock_rx *rx, struct xdpsock_tx *tx, uint32_t n, uint32_t max_len);

/**
 * xdpsock_fwd_reclaim() - the frames @tx has finished sending go back to @rx's fill ring.
 *
 * xdpsock_fwd_n() does this on every call; a forwarder calls this one when it has nothing to
 * forward on a direction (idle, or the egress paused), so that the ingress keeps receiving.
 * Return: the frames reclaimed, or -EXDEV when the two do not share a UMEM.
 */
XDPSOCK_API int xdpsock_fwd_reclaim(struct xdpsock_rx *rx, struct xdpsock_tx *tx);

/* ---- introspection ------------------------------------------------------- */

/* Where the UMEM's frames are.  total == sum of the others, at all times. */
struct xdpsock_census {
	uint32_t total;
	uint32_t free;		/* in the library's free list */
	uint32_t user;		/* reserved by TX seek or held after RX seek */
	uint32_t fill;		/* in fill rings, not yet taken by the kernel */
	uint32_t rx;		/* in RX rings, not yet seen by seek */
	uint32_t tx;		/* in TX rings, not yet taken by the kernel */
	uint32_t comp;		/* in completion rings, not yet reclaimed */
	uint32_t kernel;	/* taken by the kernel, not yet in an RX or completion ring */
};

struct xdpsock_stats {
	/* the kernel's (XDP_STATISTICS) */
	uint64_t rx_dropped;
	uint64_t rx_invalid_descs;
	uint64_t tx_invalid_descs;
	uint64_t rx_ring_full;
	uint64_t rx_fill_ring_empty_descs;
	uint64_t tx_ring_empty_descs;
	/* the library's */
	uint64_t rx_frames;		/* released by rx commit (not counting forwarded ones) */
	uint64_t rx_bad_descs;		/* descriptors outside the UMEM, never recycled */
	uint64_t rx_deferred;		/* released while the fill ring was full: waited in the free list */
	uint64_t rx_wakeups;		/* syscalls asked for by the fill ring's need_wakeup */
	uint64_t rx_forwarded;		/* moved to a TX ring by xdpsock_fwd_n() */
	uint64_t rx_fwd_oversize;	/* dropped by xdpsock_fwd_n(): longer than max_len */
	uint64_t tx_frames;		/* committed */
	uint64_t tx_completed;		/* reclaimed from the completion ring */
	uint64_t tx_bad_descs;		/* completions outside the UMEM, dropped */
	uint64_t tx_wakeups;		/* kicks that made a syscall */
	struct xdpsock_census frames;	/* of the handle's UMEM */
	/* 0.2 */
	uint64_t rx_too_long;		/* packets of more than mode.rx_max_segs descriptors, dropped whole
					 * (multi-buffer); their frames went back to the fill ring */
};

/**
 * xdpsock_tx_stats_len(), xdpsock_rx_stats_len() - counters of the socket and its UMEM.
 * @len: sizeof(*st) as the caller was compiled.
 *
 * Output structs are sized like getsockopt's: the library fills the fields both sides know and
 * zeroes the rest of the caller's struct, so a program built against an older header keeps
 * working with a newer library (counters are only ever appended), and a newer program reads 0
 * for counters an older library does not have.  Most callers use xdpsock_tx_stats() below,
 * which passes the size.  Return: 0, or -EINVAL for a NULL argument.
 */
XDPSOCK_API int xdpsock_tx_stats_len(const struct xdpsock_tx *tx, struct xdpsock_stats *st, size_t len);
XDPSOCK_API int xdpsock_rx_stats_len(const struct xdpsock_rx *rx, struct xdpsock_stats *st, size_t len);

/** xdpsock_tx_stats(), xdpsock_rx_stats() - counters of the socket and its UMEM. */
#ifdef XDPSOCK__FFI	/* lib/ffi.c defines the 0.1 symbols, which fill the 0.1 size (and tests call them) */
XDPSOCK_API int xdpsock_tx_stats(const struct xdpsock_tx *tx, struct xdpsock_stats *st);
XDPSOCK_API int xdpsock_rx_stats(const struct xdpsock_rx *rx, struct xdpsock_stats *st);
#else
XDPSOCK_INLINE int xdpsock_tx_stats(const struct xdpsock_tx *tx, struct xdpsock_stats *st)
{
	return xdpsock_tx_stats_len(tx, st, sizeof(*st));
}

XDPSOCK_INLINE int xdpsock_rx_stats(const struct xdpsock_rx *rx, struct xdpsock_stats *st)
{
	return xdpsock_rx_stats_len(rx, st, sizeof(*st));
}
#endif

/* What the socket actually got. */
struct xdpsock_mode {
	bool zerocopy;				/* XDP_OPTIONS says zero-copy */
	bool need_wakeup;
	bool hugepages;				/* the UMEM is backed by huge pages */
	bool multi_buffer;
	bool shared_umem;			/* bound with XDP_SHARED_UMEM */
	enum xdpsock_attach_mode attach;	/* NATIVE or GENERIC as attached; NONE for TX or caller-managed */
	uint32_t frame_size;
	uint32_t frame_count;
	/* 0.2; multi-buffer sockets only, else 0 */
	uint32_t rx_max_segs;			/* most descriptors one received packet can span */
	uint32_t tx_max_segs;			/* most frames one sent packet may span: copy mode takes
						 * the kernel's MAX_SKB_FRAGS + 1 (probed).  TODO zero-copy:
						 * the driver's own limit, often lower, is not probed yet */
};

/** xdpsock_tx_mode_len(), xdpsock_rx_mode_len() - the mode obtained, sized as the stats are. */
XDPSOCK_API int xdpsock_tx_mode_len(const struct xdpsock_tx *tx, struct xdpsock_mode *m, size_t len);
XDPSOCK_API int xdpsock_rx_mode_len(const struct xdpsock_rx *rx, struct xdpsock_mode *m, size_t len);

/** xdpsock_tx_mode(), xdpsock_rx_mode() - the mode obtained at bind and attach time. */
#ifdef XDPSOCK__FFI	/* as above */
XDPSOCK_API int xdpsock_tx_mode(const struct xdpsock_tx *tx, struct xdpsock_mode *m);
XDPSOCK_API int xdpsock_rx_mode(const struct xdpsock_rx *rx, struct xdpsock_mode *m);
#else
XDPSOCK_INLINE int xdpsock_tx_mode(const struct xdpsock_tx *tx, struct xdpsock_mode *m)
{
	return xdpsock_tx_mode_len(tx, m, sizeof(*m));
}

XDPSOCK_INLINE int xdpsock_rx_mode(const struct xdpsock_rx *rx, struct xdpsock_mode *m)
{
	return xdpsock_rx_mode_len(rx, m, sizeof(*m));
}
#endif

/** xdpsock_mode_str() - "copy, native XDP, need_wakeup" and so on, into @buf.  Returns @buf. */
XDPSOCK_API const char *xdpsock_mode_str(const struct xdpsock_mode *m, char *buf, size_t len);

/**
 * xdpsock_version() - the version of the library the program runs with, "MAJOR.MINOR.PATCH"
 * (the header it was built against says XDPSOCK_VERSION_*).  Static storage.
 */
XDPSOCK_API const char *xdpsock_version(void);

/* ---- errors and logging -------------------------------------------------- */

enum xdpsock_log_level {
	XDPSOCK_LOG_ERROR,
	XDPSOCK_LOG_WARN,
	XDPSOCK_LOG_INFO,
	XDPSOCK_LOG_DEBUG,
};

typedef void (*xdpsock_log_fn)(enum xdpsock_log_level level, const char *msg, void *ctx);

/**
 * xdpsock_set_log() - receive the library's messages (one sentence each, no newline).
 * @fn: NULL to stay silent (the default).  Called from the thread that caused the message.
 */
XDPSOCK_API void xdpsock_set_log(xdpsock_log_fn fn, void *ctx);

/**
 * xdpsock_errmsg() - the sentence explaining this thread's last failed call into the
 * library, naming the cause and what to do; "" when none.  Valid until the next call.
 */
XDPSOCK_API const char *xdpsock_errmsg(void);

/**
 * xdpsock_strerror() - what @err (positive or negative errno) means for an AF_XDP socket,
 * e.g. EBUSY: "queue already in use by another AF_XDP socket or XDP program".
 */
XDPSOCK_API const char *xdpsock_strerror(int err);

#ifdef __cplusplus
}
#endif

#include <xdpsock/ring.h>

#endif /* XDPSOCK_XDPSOCK_H */
