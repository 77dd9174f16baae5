/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Counters of `xdpbridge fwd`: what each worker counts on its own, what a port of one
 * queue reports (the worker's counters and the library's, merged), the seqlock a
 * worker publishes them through, and the human and JSON renderings.
 *
 *   worker (hot path)            plain struct xb_dir_counters, one per direction, never shared
 *   worker (on request)          xdpsock_rx_stats() of both sockets + its counters
 *                                  -> xb_port_stats_make() -> xb_seq_publish()
 *   main thread                  xb_seq_read() -> sums, rates, tables, JSON, the final balance
 *
 * The library's counters live in the worker's handles and are plain uint64 stores: only
 * the worker may read them, so the main thread never calls xdpsock_*_stats() while a
 * worker runs.  The seqlock lets the main thread read a snapshot without a lock and
 * without slowing the worker down.
 */
#ifndef XDPBRIDGE_STATS_H
#define XDPBRIDGE_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <xdpsock/xdpsock.h>

/* One direction of one worker (ingress port -> egress port).  Worker-owned, never read by others. */
struct xb_dir_counters {
	uint64_t taken;		/* frames taken off the ingress RX ring: forwarded, dropped (oversize, invalid) */
	uint64_t waited;	/* frames that had to wait for room on the egress TX ring, each counted once */
	uint64_t copied;	/* copy fallback only (the library counts these for xdpsock_fwd_n): */
	uint64_t oversize;	/*   forwarded by copying; longer than the egress MTU, dropped */
	uint32_t held;		/* received, still waiting for the egress */
	uint32_t held_counted;	/* of those, already counted in waited */
};

/* xb_dir_account() - a batch of @n received frames of which @k left the RX ring (the rest wait). */
void xb_dir_account(struct xb_dir_counters *c, uint32_t n, uint32_t k);

/*
 * One port on one queue (or summed over queues).  Only uint64_t members: the seqlock copies
 * it word by word.
 *
 * Identities (exact once the workers have drained):
 *   rx        = forwarded + oversize + rx_bad + held         (this port's ingress)
 *   forwarded = the other port's tx                          (one TX ring per direction)
 *   tx        = sent + in_flight                             (this port's egress)
 */
struct xb_port_stats {
	uint64_t rx;		/* frames received: taken off the RX ring by the worker, or held by it */
	uint64_t forwarded;	/* of those, put on the other port's TX ring */
	uint64_t oversize;	/* of those, dropped: longer than the other port's MTU + 14 (+ 4 with --vlan) */
	uint64_t rx_bad;	/* of those, dropped: descriptors outside the UMEM (library rx_bad_descs) */
	uint64_t held;		/* of those, still waiting for room on the other port's TX ring */
	uint64_t tx;		/* frames put on this port's TX ring (from the other port) */
	uint64_t sent;		/* of those, completed by the kernel */
	uint64_t in_flight;	/* of those, not completed yet: on the TX ring or in the kernel */
	uint64_t tx_ring_full;	/* frames of the other port that waited for room on this TX ring (not dropped) */
	uint64_t rx_ring_full;	/* kernel: dropped before reception, the RX ring was full */
	uint64_t fill_ring_empty; /* kernel: the fill ring was empty (those drops are also in rx_dropped) */
	uint64_t rx_dropped;	/* kernel: dropped before reception for other causes (no fill frame, too long) */
	uint64_t invalid;	/* invalid descriptors: kernel rx/tx_invalid_descs + library rx/tx_bad_descs */
	uint64_t tx_kicks;	/* transmit syscalls (need_wakeup asked for them) */
};

#define XB_PORT_WORDS (sizeof(struct xb_port_stats) / sizeof(uint64_t))

/* Both ports of one queue: port[0] is IF_A, port[1] is IF_B. */
struct xb_queue_stats {
	struct xb_port_stats port[2];
};

#define XB_QUEUE_WORDS (sizeof(struct xb_queue_stats) / sizeof(uint64_t))

/**
 * xb_port_stats_make() - one port of one queue from the library's view of its socket and
 * the worker's counters.
 * @s: xdpsock_rx_stats() of the port's socket (a pair: both halves).
 * @in: the direction that enters at this port; @out: the one that leaves through it.
 * @shared: the worker forwards with xdpsock_fwd_n() (one UMEM); else it copies and counts
 *      forwarded and oversize frames itself.
 * @unreclaimed: completions still in the port's completion ring, not yet in s->tx_completed.
 */
void xb_port_stats_make(struct xb_port_stats *o, const struct xdpsock_stats *s, const struct xb_dir_counters *in,
			const struct xb_dir_counters *out, bool shared, uint64_t unreclaimed);

/** xb_port_stats_add() - @dst += @src, member by member. */
void xb_port_stats_add(struct xb_port_stats *dst, const struct xb_port_stats *src);

/* ---- the seqlock a worker publishes through (one writer, any readers) ---- */

struct xb_seq {
	uint32_t seq;			/* odd while the writer is copying */
	uint64_t w[XB_QUEUE_WORDS];
};

/**
 * xb_seqlock_publish() - copy @nwords words from @src to @dst under the sequence count @seq:
 * the writer's side of any seqlock of uint64_t words (one writer), never blocks.
 */
void xb_seqlock_publish(uint32_t *seq, uint64_t *dst, const uint64_t *src, size_t nwords);
/** xb_seqlock_read() - a consistent copy of @src into @dst; false when the writer kept changing it. */
bool xb_seqlock_read(const uint32_t *seq, const uint64_t *src, uint64_t *dst, size_t nwords);

/** xb_seq_publish() - the writer's side: never blocks. */
void xb_seq_publish(struct xb_seq *s, const struct xb_queue_stats *v);
/** xb_seq_read() - a consistent copy; false when the writer kept changing it (bounded retries). */
bool xb_seq_read(const struct xb_seq *s, struct xb_queue_stats *v);

/* ---- the balance of one direction, for the final summary ---- */

struct xb_balance {
	uint64_t received, forwarded, oversize, invalid, held;	/* at the ingress */
	uint64_t accepted, sent, in_flight;			/* at the egress: accepted = its tx */
	bool rx_adds_up;	/* received == forwarded + oversize + invalid + held */
	bool tx_adds_up;	/* forwarded == accepted == sent + in_flight */
};

/** xb_balance_make() - the direction @in -> @out. */
void xb_balance_make(struct xb_balance *b, const struct xb_port_stats *in, const struct xb_port_stats *out);

/*
 * ---- rendering ----
 *
 * JSON: one object per line.  Periodic:
 *   {"type":"stats","elapsed":S,"interval":S,"ports":[PORT_A,PORT_B],
 *    "queues":[{"queue":Q,"cpu":C|-1,"ports":[PORT_A,PORT_B]},...]}
 * Final:
 *   {"type":"summary","elapsed":S,"reason":"SIGINT"|"SIGTERM"|"duration"|"error","shared_umem":B,
 *    "drained":B,"ports":[...],"queues":[...],"directions":[DIR_AB,DIR_BA]}
 * PORT: {"ifname","rx","tx","forwarded","sent","held","in_flight",("rx_pps","tx_pps" in periodic
 *   totals),"dropped":{"rx_ring_full","fill_ring_empty","rx_dropped","invalid","oversize"},
 *   "tx_ring_full","rx_bad_descs","tx_kicks"}
 * DIR: {"from","to","received","forwarded","oversize","invalid","held","accepted","sent","in_flight",
 *   "kernel_dropped":{"rx_ring_full","rx_dropped","fill_ring_empty"},"tx_ring_full","adds_up"}
 */

/* Everything one report needs. */
struct xb_report {
	const char *ifname[2];
	unsigned int nqueues;
	const uint32_t *queue;			/* queue ids, nqueues */
	const int *cpu;				/* pinned cpu per queue, -1 none; NULL: none */
	const struct xb_queue_stats *q;		/* per queue, nqueues */
	const struct xb_queue_stats *prev;	/* totals at the previous report (rates); NULL: none */
	double elapsed;				/* seconds since forwarding started */
	double interval;			/* seconds since the previous report (rates); 0: none */
};

/** xb_stats_total() - @r's queues summed. */
void xb_stats_total(const struct xb_report *r, struct xb_queue_stats *total);

/** xb_stats_print_table() - a periodic report as a table: per port, then per queue when several. */
void xb_stats_print_table(FILE *f, const struct xb_report *r);
/** xb_stats_print_json() - a periodic report as one JSON line, "type": "stats". */
void xb_stats_print_json(FILE *f, const struct xb_report *r);

/* The end of a run. */
struct xb_summary {
	const char *reason;	/* "SIGINT", "SIGTERM", "duration", "error" */
	bool shared_umem;	/* frames moved without copying */
	bool drained;		/* every worker finished draining in time */
};

/** xb_summary_print() - the final report: totals, per queue, and each direction's balance. */
void xb_summary_print(FILE *f, const struct xb_report *r, const struct xb_summary *s, bool json);

#endif
