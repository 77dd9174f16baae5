/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * `xdpbridge fwd IF_A IF_B`: frames received on one interface go out of the other,
 * unchanged, on every selected queue.  One worker thread per queue:
 *
 *        IF_A queue q                         IF_B queue q
 *   +---------------------+    worker q   +---------------------+
 *   | pair A: RX  TX      |  rxA -> txB   |      RX  TX :pair B |
 *   |  fill  completion   |  rxB -> txA   |  fill  completion   |
 *   +---------------------+               +---------------------+
 *              \_________ one UMEM per worker ________/
 *
 * With one UMEM, xdpsock_fwd_n() moves descriptors from an RX ring to the other port's TX
 * ring and the completed frames back to the fill ring: no copy.  When the kernel refuses to
 * share a UMEM between the two devices, each pair gets its own and the worker copies.
 *
 *   fwd_cfg.c    argv -> struct fwd_cfg, validation, --help          (exit 2 on misuse)
 *   cfg.c        the options fwd shares with tap and tun
 *   fwd_cmd.c    discovery, start/stop order, signals, link events, exit codes
 *   fwd_port.c   a worker's sockets (shared UMEM or the copy fallback); --force
 *   fwd.c        the worker thread: forward, sleep, drain, publish counters
 *   stats.c      counters and their rendering; caps.c the capability drop
 */
#ifndef XDPBRIDGE_FWD_H
#define XDPBRIDGE_FWD_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <net/if.h>
#include <xdpsock/xdpsock.h>

#include "cfg.h"
#include "stats.h"

#define FWD_MAX_QUEUES	256	/* workers, and entries of a LIST */
#define FWD_MAX_QUEUE_ID 65535
#define FWD_MAX_BATCH	256
#define FWD_DEF_BATCH	64
#define FWD_DEF_RING	2048
#define FWD_DRAIN_MS	200	/* how long a stopping worker may keep transmitting what it holds */

/* ---- configuration (fwd_cfg.c) ---- */

struct fwd_cfg {
	char ifname[2][IF_NAMESIZE];
	XB_CFG_COMMON;			/* -q -c -m -x, sizes, -i -j -d, --force, -v (cfg.h) */
	bool busy_poll;
	bool no_share;			/* copy between two UMEMs even where one could be shared */
	bool vlan;			/* frames may be 4 bytes longer than MTU + 14 (one 802.1Q tag) */
};

enum fwd_parse_result {
	FWD_PARSE_OK = 0,
	FWD_PARSE_HELP,		/* --help was printed on stdout: exit 0 */
	FWD_PARSE_USAGE,	/* a message was written into err: exit 2 */
};

/**
 * fwd_cfg_parse() - argv (argv[0] is the command's name) into @cfg, defaults applied.
 * @err: the reason for FWD_PARSE_USAGE, one sentence naming the option and what it accepts.
 */
enum fwd_parse_result fwd_cfg_parse(struct fwd_cfg *cfg, int argc, char **argv, char *err, size_t errlen);

/** fwd_usage() - the --help text. */
void fwd_usage(FILE *f);

/* ---- what the main thread tells every worker (all fields accessed with __atomic) ---- */

struct fwd_ctl {
	int stop;			/* stop reading, drain, return */
	int down[2];			/* port not usable (no carrier, admin down): do not forward into it */
	uint32_t max_len[2];		/* longest frame port i may send: its MTU + 14 (+ 4) */
	uint32_t pub_req;		/* publish a snapshot when pub_done differs */
	int main_evfd;			/* a worker writes it when it stops on an error */
	/* constant once workers run */
	uint32_t batch;
	bool busy_poll;
	const char *ifname[2];
};

/* ---- a worker (fwd_port.c creates its sockets, fwd.c runs it) ---- */

struct fwd_port {
	struct xdpsock_tx *tx;
	struct xdpsock_rx *rx;
	int fd;				/* the pair's socket */
};

/* One direction's transient state; counters live in struct xb_dir_counters. */
struct fwd_dir {
	struct xb_dir_counters c;
	bool tx_busy;			/* the egress kick left frames on its TX ring: kick again soon */
	bool tx_down;			/* the egress said ENETDOWN: retry slowly */
};

struct fwd_worker {
	unsigned int idx;
	uint32_t queue;
	int cpu;			/* -1: not pinned */
	bool shared;			/* one UMEM: xdpsock_fwd_n(); else copy */
	struct fwd_port port[2];
	struct fwd_dir dir[2];		/* dir[0]: A -> B, dir[1]: B -> A */
	struct fwd_ctl *ctl;
	int evfd;			/* wakes the worker from poll(): stop, publish, link back up */
	pthread_t thread;
	bool started;
	struct xb_seq snap;		/* published counters */
	uint32_t pub_done;		/* atomic: the last pub_req served */
	int failed;			/* atomic: stopped on an error (errmsg says which) */
	bool drained;			/* read after join */
	char errmsg[320];		/* read after join */
};

/**
 * fwd_worker_open() - the two pairs of worker @w on queue w->queue: one UMEM shared by both
 * (unless *@share is false or the kernel refuses it, which clears *@share and says so on
 * stderr), copy and attach modes, rings, frames and flags from @cfg.
 * Return: 0, or -errno with the cause in @err (xb_lib_error(): in the command line's words).
 * Nothing is left on failure.
 */
int fwd_worker_open(struct fwd_worker *w, const struct fwd_cfg *cfg, const int ifindex[2], bool *share, char *err,
		    size_t errlen);
/** fwd_worker_close() - destroy the sockets (the last one detaches the XDP program) and the eventfd. */
void fwd_worker_close(struct fwd_worker *w);

/** fwd_worker_start() - run the worker thread, pinned to w->cpu when >= 0.  0 or -errno. */
int fwd_worker_start(struct fwd_worker *w);
/** fwd_worker_wake() - interrupt the worker's poll() (after changing struct fwd_ctl). */
void fwd_worker_wake(struct fwd_worker *w);
/** fwd_worker_join() - wait for a started worker to return. */
void fwd_worker_join(struct fwd_worker *w);

/* ---- capabilities (caps.c) ---- */

/**
 * xb_caps_drop() - keep only the capabilities a running forwarder still needs (see caps.c)
 * and set PR_SET_NO_NEW_PRIVS, for the calling thread and the threads it creates later.
 * @kept: receives the capabilities left, as text ("cap_net_admin,cap_sys_ptrace=ep").
 * Return: 0 or -errno with a sentence in @err.
 */
int xb_caps_drop(char *kept, size_t keptlen, char *err, size_t errlen);

#endif
