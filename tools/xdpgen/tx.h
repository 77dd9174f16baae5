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

int xg_tx_xsk(struct xg_tx *t);
int xg_tx_live(struct xg_tx *t);
/* Print the per-second line when one is due (engines call it at least every few ms). */
void xg_tx_progress(struct xg_tx *t, uint64_t now);

#endif
