/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Private to libxdpsock: the objects behind the opaque handles. */
#ifndef XDPSOCK_INTERNAL_H
#define XDPSOCK_INTERNAL_H

#include <string.h>
#include <xdpsock/xdpsock.h>
#include <linux/if_xdp.h>

#ifndef XDP_USE_SG
#define XDP_USE_SG (1 << 4)	/* linux >= 6.6; Debian 12's headers predate it */
#endif

#define XDPSOCK__HIDDEN __attribute__((visibility("hidden")))

#define XDPSOCK_DEF_FRAME_SIZE	2048u
#define XDPSOCK_DEF_FRAME_COUNT	4096u
#define XDPSOCK_DEF_RING_SIZE	2048u

struct xdpsock_sock;

/* The packet buffer area and its free list (lib/umem.c). */
struct xdpsock_umem {
	struct xdpsock_frames free;	/* address taken by the fast path: keep first */
	uint8_t *area;
	size_t size;
	uint32_t frame_size;
	uint32_t frame_count;
	uint32_t headroom;
	bool huge;
	bool mock;			/* area from malloc, no socket (unit tests) */
	bool mb;			/* registered by a multi-buffer socket (XDP_USE_SG): all of its sockets are */
	int fd;				/* the socket that registered it; -1 until then */
	int refs;
	struct xdpsock_sock *socks;	/* sockets bound on it, for the census */
};

/* One mmap'd ring as the kernel laid it out. */
struct xdpsock_map {
	void *addr;
	size_t len;
};

/* One AF_XDP socket; a pair's TX and RX handles share it (lib/socket.c). */
struct xdpsock_sock {
	int fd;
	int ifindex;
	uint32_t queue_id;
	int refs;
	struct xdpsock_umem *umem;
	struct xdpsock_sock *next;	/* on umem->socks */
	struct xdpsock_map rx_map, tx_map, fq_map, cq_map;
	struct xdpsock_ring rx, tx, fq, cq;
	struct xdpsock_prog *prog;	/* attachment held by this socket, if any */
	struct xdpsock_tx *txh;
	struct xdpsock_rx *rxh;
	struct xdpsock_mode mode;
};

struct xdpsock_tx {
	struct xdpsock__txq q;		/* first: the inline fast path casts the handle */
	struct xdpsock_sock *sk;
};

struct xdpsock_rx {
	struct xdpsock__rxq q;		/* first, as above */
	struct xdpsock_sock *sk;
};

/* Options after defaults are applied and values checked (lib/opts.c). */
struct xdpsock__cfg {
	struct xdpsock_opts o;
	bool want_rx, want_tx;
	uint32_t tx_max_segs;		/* multi-buffer: the kernel's limit (lib/socket.c probes it) */
};

/* Frames in one packet that any kernel's copy-mode TX takes: CONFIG_MAX_SKB_FRAGS >= 17, plus one. */
#define XDPSOCK__MIN_TX_SEGS 18u
/* The kernel's headroom before received data in each frame (XDP_PACKET_HEADROOM). */
#define XDPSOCK__XDP_HEADROOM 256u
XDPSOCK__HIDDEN int xdpsock__cfg_init(struct xdpsock__cfg *cfg, const struct xdpsock_opts *opts,
				      bool rx, bool tx);

/* lib/txrx.c: move every completion to the free list (wait, kick, tests). */
XDPSOCK__HIDDEN uint32_t xdpsock__tx_reclaim(struct xdpsock__txq *q);

/* lib/umem.c */
XDPSOCK__HIDDEN int xdpsock__umem_new(struct xdpsock_umem **out, const struct xdpsock_opts *o, bool mock);
XDPSOCK__HIDDEN void xdpsock__umem_put(struct xdpsock_umem *u);
XDPSOCK__HIDDEN void xdpsock__umem_census(const struct xdpsock_umem *u, struct xdpsock_census *c);

/* lib/socket.c: bind the handles' rings (mock or real) to the UMEM and fill the fill ring. */
XDPSOCK__HIDDEN int xdpsock__handles_init(struct xdpsock_sock *sk, const struct xdpsock__cfg *cfg,
					  struct xdpsock_tx **tx, struct xdpsock_rx **rx);
XDPSOCK__HIDDEN void xdpsock__sock_put(struct xdpsock_sock *sk);
XDPSOCK__HIDDEN void xdpsock__ring_init(struct xdpsock_ring *r, void *map, const struct xdp_ring_offset *off,
					uint32_t size, bool producer);

/* lib/prog.c: the steering program, one attachment per (netns, ifindex) in this process. */
struct xdpsock_prog;
XDPSOCK__HIDDEN int xdpsock__prog_get(struct xdpsock_prog **out, int ifindex, uint32_t queue_id,
				      enum xdpsock_attach_mode mode, bool replace_foreign);
XDPSOCK__HIDDEN int xdpsock__prog_add(struct xdpsock_prog *p, uint32_t queue_id, int xsk_fd);
XDPSOCK__HIDDEN void xdpsock__prog_put(struct xdpsock_prog *p);
XDPSOCK__HIDDEN enum xdpsock_attach_mode xdpsock__prog_mode(const struct xdpsock_prog *p);

/* lib/diag.c: AF_XDP sockets of this network namespace with an RX ring on @ifindex. */
XDPSOCK__HIDDEN int xdpsock__diag_rx_sockets(int ifindex);
/* AF_XDP sockets of this network namespace bound to @queue_id of @ifindex, whatever their rings. */
XDPSOCK__HIDDEN int xdpsock__diag_queue_sockets(int ifindex, uint32_t queue_id);
/* Without sock_diag: other processes holding an fd of BPF program @prog_id (lib/diag.c). */
XDPSOCK__HIDDEN int xdpsock__prog_users(uint32_t prog_id);

/* lib/opts.c: copy sized options @src (@src_sz as the caller was built) into @dst, zeroed first. */
XDPSOCK__HIDDEN int xdpsock__opts_copy(void *dst, size_t dst_sz, const void *src, size_t src_sz, const char *what);

/* lib/xdp.c: the one place that attaches and detaches XDP programs (policy in <xdpsock/xdp.h>). */
struct bpf_prog_info;
struct xdpsock__xdp_found {
	uint32_t id;
	uint32_t flag;		/* XDP_FLAGS_DRV_MODE, _SKB_MODE or _HW_MODE: the slot it is in */
	int fd;			/* the caller closes it */
	char name[16];		/* BPF_OBJ_NAME_LEN */
};
/* What is attached on @ifindex, one entry per mode slot: how many (0..@max), or -errno (said). */
XDPSOCK__HIDDEN int xdpsock__xdp_query(int ifindex, const char *ifn, struct xdpsock__xdp_found *found, int max);
/* Attach as @want (AUTO: native, else generic, saying why); the mode flag got in *@flag. */
XDPSOCK__HIDDEN int xdpsock__xdp_attach_fd(int ifindex, const char *ifn, int prog_fd, enum xdpsock_attach_mode want,
					   uint32_t *flag);
/* Detach @prog_fd from @ifindex only if it is the one attached in slot @flag. */
XDPSOCK__HIDDEN int xdpsock__xdp_detach_fd(int ifindex, int prog_fd, uint32_t flag);
XDPSOCK__HIDDEN const char *xdpsock__xdp_mode_name(uint32_t flag);
XDPSOCK__HIDDEN int xdpsock__prog_info(int fd, struct bpf_prog_info *info);
/* Network namespaces: the calling thread's id; enter @netns_fd unless already there (*back: the way back). */
XDPSOCK__HIDDEN uint64_t xdpsock__netns_id(void);
XDPSOCK__HIDDEN int xdpsock__in_netns(int netns_fd, uint64_t netns, int *back);
XDPSOCK__HIDDEN void xdpsock__out_of_netns(int back);

/* lib/ifinfo.c */
XDPSOCK__HIDDEN int xdpsock__if_queues(int ifindex, uint32_t *count);
XDPSOCK__HIDDEN const char *xdpsock__ifname(int ifindex, char *buf);

/*
 * A sized output struct (stats, mode): copy what both sides know, zero the rest of the caller's.
 */
static inline void xdpsock__copy_sized(void *out, size_t out_len, const void *in, size_t in_len)
{
	memcpy(out, in, out_len < in_len ? out_len : in_len);
	if (out_len > in_len)
		memset((char *)out + in_len, 0, out_len - in_len);
}

/* lib/log.c: log at @level and, for errors, remember the sentence for xdpsock_errmsg(). */
XDPSOCK__HIDDEN void xdpsock__log(enum xdpsock_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Record the cause of a failure; returns -err with errno set, for "return xdpsock__fail(...)". */
XDPSOCK__HIDDEN int xdpsock__fail(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
XDPSOCK__HIDDEN void xdpsock__clear_error(void);

/*
 * lib/log.c: kernel features the library uses where a kernel build may lack or refuse them.
 * xdpsock__refused() says, at WARN, "<feature> refused by this kernel (<answer>): <fallback>",
 * once per process, or each time when @where (an interface) is given.  xdpsock__refusal_str()
 * formats the same sentence (unit tests simulate refusals with it).
 */
enum xdpsock__feature {
	XDPSOCK__FEAT_TX_SKB_BUDGET,
	XDPSOCK__FEAT_SOCK_DIAG,
	XDPSOCK__FEAT_NATIVE_XDP,
	XDPSOCK__FEAT_XDP_LINK,
	XDPSOCK__FEAT_XDP_FRAGS,
	XDPSOCK__FEAT_MAX
};
XDPSOCK__HIDDEN void xdpsock__refused(enum xdpsock__feature f, const char *where, int err, const char *detail,
				      const char *fallback);
XDPSOCK__HIDDEN int xdpsock__refusal_str(char *buf, size_t len, enum xdpsock__feature f, const char *where, int err,
					 const char *detail, const char *fallback);

/*
 * lib/log.c: between begin and end (nestable, any thread), what libbpf prints for this thread
 * goes to the log at debug level instead of stderr; xdpsock__libbpf_last() is its last warning
 * (the kernel's extended ack of a refused attach), "" if none.
 */
XDPSOCK__HIDDEN void xdpsock__libbpf_begin(void);
XDPSOCK__HIDDEN void xdpsock__libbpf_end(void);
XDPSOCK__HIDDEN const char *xdpsock__libbpf_last(void);

#endif
