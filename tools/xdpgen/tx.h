/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Inside 'xdpgen tx': what tx.c hands the engines (tx_xsk.c, tx_live.c) and what they report.
 * An engine sends the stream until the count, the deadline or a signal, calling
 * xg_tx_progress() often (it prints a line per second), and fills in the counters.
 */
#ifndef XDPGEN_TX_H
#define XDPGEN_TX_H

#include "xdpgen.h"

struct xg_tx {
	const struct xg_cfg *c;
	enum xg_engine engine;	/* the one running: xsk or live, never auto */
	struct xg_iface ifc;
	struct xg_stream s;
	struct xg_stop stop;
	/* filled by the engine */
	uint64_t sent;		/* frames handed to the device (xsk: committed to the TX ring) */
	uint64_t bytes;
	uint64_t completed;	/* xsk: frames the kernel finished with */
	uint64_t paced;		/* live: iterations dropped because no frame was due */
	uint64_t t_first, t_last;	/* when sending started and ended, ns */
	char mode[192];		/* what the engine got, for people */
	/* progress */
	uint64_t next_report, last_t, last_sent, last_bytes;
};

/* ---- engine.c: which engine runs ------------------------------------------------------- */

/* What the kernel answered when asked to run live frames. */
struct xg_live_probe {
	int err;	/* 0: it ran them; else -errno */
	bool at_load;	/* the error came from loading the probe's program, not from running it */
};

/*
 * Ask the kernel whether it runs live frames on @ifindex: a two-instruction XDP program that
 * returns XDP_DROP, run once with BPF_F_TEST_XDP_LIVE_FRAMES on queue 0.  The frame is dropped
 * before any transmit, so nothing reaches the wire; the cost is one load and one short call.
 */
void xg_live_probe(int ifindex, struct xg_live_probe *p);

/*
 * The engine for --engine @asked (auto or live) given the probe's answer @p, and the line to
 * print in @msg ("" when none): with auto, the refusal and the fallback; with live, the refusal
 * and the way out.  Returns XG_ENGINE_LIVE or XG_ENGINE_XSK, or -1 when the run must not go on
 * (--engine live on a kernel that refuses).  No system call: the unit tests feed it refusals.
 */
int xg_engine_pick(enum xg_engine asked, const struct xg_live_probe *p, char *msg, size_t len);

/* "live frames (BPF_PROG_RUN with BPF_F_TEST_XDP_LIVE_FRAMES) refused by this kernel (...)" */
const char *xg_live_refusal(const struct xg_live_probe *p, char *buf, size_t len);

int xg_tx_xsk(struct xg_tx *t);
int xg_tx_live(struct xg_tx *t);
/* Print the per-second line when one is due (engines call it at least every few ms). */
void xg_tx_progress(struct xg_tx *t, uint64_t now);

#endif
