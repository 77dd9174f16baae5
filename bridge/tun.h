/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * `xdpbridge tap IF --tap NAME` and `xdpbridge tun IF --tun NAME`: frames between the queues of
 * a NIC and a TAP (Ethernet frames, unchanged) or a TUN (IP packets: the Ethernet header is
 * taken off towards the TUN and built again towards the NIC).  One worker thread per queue:
 *
 *        IF queue q                                      NAME queue q (IFF_MULTI_QUEUE)
 *   +--------------------+    worker q                  +-----------------+
 *   | pair: RX   TX      |  RX ring -> write(fd)   ---> | fd (O_NONBLOCK) |
 *   |  fill  completion  |  TX ring <- readv(fd)   <--- |                 |
 *   +--------------------+  (tun: - / + Ethernet header) +-----------------+
 *        ^ xdpbridge_steer (XDP): the queue's frames that match --match, else the kernel
 *
 *   tun_cfg.c     argv -> struct tun_cfg, --match, --help                      (exit 2 on misuse)
 *   cfg.c         the options tap and tun share with fwd
 *   tun_cmd.c     discovery, start/stop order, signals, link and neighbour events, exit codes
 *   tun_dev.c     the TUN/TAP device: create or attach, one fd per queue, MTU, up
 *   tun_steer.c   the XDP program: load, configure; attached and detached by the library (xdp.h)
 *   tun_neigh.c   IF's neighbour table mirrored from netlink, read lock-free by the workers
 *   tun_frame.c   Ethernet header and next hop of a packet from the TUN (pure functions)
 *   tun_gso.c     offloads: TCP super-packets from the device cut to the MSS, checksums finished
 *   tun_gro.c     offloads: a flow's packets from IF joined into super-packets for the device
 *   tun_worker.c  the worker thread: both directions, sleep, drain, publish counters
 *   tun_stats.c   counters per direction and cause, human and JSON output
 */
#ifndef XDPBRIDGE_TUN_H
#define XDPBRIDGE_TUN_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <net/if.h>
#include <xdpsock/xdpsock.h>

#include "../bpf/xdpbridge_steer.h"
#include "cfg.h"
#include "nl.h"
#include "stats.h"
#include "tun_gro.h"

#define TUN_MAX_QUEUES	256	/* the kernel's MAX_TAP_QUEUES */
#define TUN_MAX_QUEUE_ID 65535
#define TUN_MAX_BATCH	256
#define TUN_DEF_BATCH	64
#define TUN_DEF_RING	2048
#define TUN_DRAIN_MS	200	/* how long a stopping worker may wait for IF to send what it holds */
#define TUN_ETH_HLEN	14u
#define TUN_VLAN_HLEN	4u

enum tun_kind {
	TUN_KIND_TAP = XB_STEER_TAP,	/* Ethernet frames */
	TUN_KIND_TUN = XB_STEER_TUN,	/* IP packets */
};

/* The two sides of every worker; also the index of struct tun_ctl's per-side fields. */
enum { TUN_NIC = 0, TUN_DEV = 1 };

/* ---- configuration (tun_cfg.c) ---- */

struct tun_cfg {
	enum tun_kind kind;
	char ifname[IF_NAMESIZE];
	char devname[IF_NAMESIZE];	/* --tap / --tun */
	XB_CFG_COMMON;			/* -q -c -m -x, sizes, -i -j -d, --force, -v (cfg.h); -x: the steering program's */
	struct xb_steer_rule rule[XB_STEER_MAX_RULES];
	unsigned int nrules;
	bool have_peer_mac;		/* tun: --peer-mac, every packet to this MAC */
	uint8_t peer_mac[6];
	bool have_via[2];		/* tun: --via, the next hop of IPv4 [0] / IPv6 [1] packets */
	uint8_t via[2][16];
	bool no_resolve;		/* tun: never ask the kernel to resolve a missing next hop */
	bool no_offload;		/* no IFF_VNET_HDR: every packet read from the device is at most its MTU */
	bool no_gro;			/* offloads on, but every packet from IF written alone */
};

enum tun_parse_result {
	TUN_PARSE_OK = 0,
	TUN_PARSE_HELP,		/* --help was printed on stdout: exit 0 */
	TUN_PARSE_USAGE,	/* a message was written into err: exit 2 */
};

/** tun_cfg_parse() - argv (argv[0] is the command's name) of `tap` or `tun` into @cfg, defaults applied. */
enum tun_parse_result tun_cfg_parse(struct tun_cfg *cfg, enum tun_kind kind, int argc, char **argv, char *err,
				    size_t errlen);

/**
 * tun_match_parse() - one --match: comma-separated KEY=VALUE, all of which must hold:
 * dst=PREFIX, src=PREFIX (IPv4 or IPv6, "/LEN" optional), proto=tcp|udp|udplite|icmp|icmpv6|sctp|N (names in any case),
 * dport=N[-M], sport=N[-M].  Return: 0, or -1 with a sentence in @err.
 */
int tun_match_parse(const char *s, struct xb_steer_rule *r, char *err, size_t errlen);

/** tun_mac_parse() - "02:00:00:00:00:01" into @mac.  false when malformed. */
bool tun_mac_parse(const char *s, uint8_t mac[6]);

/** tun_usage() - the --help text of @kind. */
void tun_usage(FILE *f, enum tun_kind kind);

/* ---- the TUN/TAP device (tun_dev.c) ---- */

struct tun_dev {
	char name[IF_NAMESIZE];
	int ifindex;
	enum tun_kind kind;
	bool created;			/* we made it: it goes away with our last fd */
	bool offload;			/* IFF_VNET_HDR: every read and write starts with a virtio-net header */
	unsigned int nfds;
	int fd[TUN_MAX_QUEUES];		/* one queue each, O_NONBLOCK */
};

/**
 * tun_dev_open() - create @name (or attach to an existing persistent multi-queue device of
 * that name and kind) with @nqueues queues, each an fd of its own (IFF_MULTI_QUEUE, IFF_NO_PI).
 * @offload: IFF_VNET_HDR and TUNSETOFFLOAD (checksum, TSO, USO where the kernel has it): the
 * device hands out TCP and UDP packets up to 64 KiB, cut by the worker (tun_gso.c), and takes
 * the super-packets the worker joins (tun_gro.c).
 * Return: 0, or -errno with a sentence naming the cause and the fix in @err; nothing is left.
 */
int tun_dev_open(struct tun_dev *d, const char *name, enum tun_kind kind, unsigned int nqueues, bool offload,
		 char *err, size_t errlen);
/** tun_dev_set() - set @mtu (0: leave it) and, when @up, bring the device up, over rtnetlink.  0 or -errno (@err). */
int tun_dev_set(const struct tun_dev *d, uint32_t mtu, bool up, char *err, size_t errlen);
/** tun_dev_close() - close every fd: a device we created disappears with the last one.  NULL-safe. */
void tun_dev_close(struct tun_dev *d);

/* ---- the steering program (tun_steer.c) ---- */

struct tun_steer;

/* What the steering program's counters say (summed over CPUs). */
struct tun_steer_stats {
	uint64_t v[XB_ST_COUNT];
};

/**
 * tun_steer_open() - load xdpbridge_steer with @cfg's mode and rules and @mac, and attach it
 * to @ifindex (native, else generic, as @cfg->attach_mode says).  A program of ours left by a
 * bridge that was killed (nobody holds it any more) is replaced with a warning; one held by a
 * running bridge is refused; someone else's is refused unless @cfg->force.  @max_queue: the
 * largest queue id the XSKMAP must hold.
 * Return: 0, or -errno with a sentence in @err.
 */
int tun_steer_open(struct tun_steer **s, int ifindex, const struct tun_cfg *cfg, const uint8_t mac[6],
		   uint32_t max_queue, char *err, size_t errlen);
/** tun_steer_xskmap_fd() - for xdpsock_opts.xskmap_fd. */
int tun_steer_xskmap_fd(const struct tun_steer *s);
/** tun_steer_mode() - "native" or "generic", as attached. */
const char *tun_steer_mode(const struct tun_steer *s);
/** tun_steer_id() - the attached program's id. */
uint32_t tun_steer_id(const struct tun_steer *s);
/** tun_steer_set_mac() - IF's MAC changed: tell the program.  0 or -errno. */
int tun_steer_set_mac(struct tun_steer *s, const uint8_t mac[6]);
/** tun_steer_stats() - the program's counters.  0 or -errno. */
int tun_steer_stats(const struct tun_steer *s, struct tun_steer_stats *st);
/**
 * tun_steer_close() - detach our program (the library's xdpsock_xdp_detach(): only ours, wherever
 * IF is now) and free everything.  NULL-safe.  Warnings through the library's log.
 */
void tun_steer_close(struct tun_steer *s);
/** tun_steer_stat_name() - "steered", "no_socket", ... for XB_ST_*. */
const char *tun_steer_stat_name(unsigned int i);

/* ---- IF's neighbour table (tun_neigh.c) ---- */

/*
 * An open-addressing hash table of (family, address) -> MAC, written by the main thread and
 * read by the workers without a lock: a sequence count, odd while the writer changes it,
 * tells a reader to look again.  Every word is accessed atomically.
 */
#define TUN_NEIGH_SLOTS 4096		/* a power of two; at most 3/4 used */

struct tun_neigh_slot {
	uint64_t w[3];			/* address (16 bytes, IPv4 in the first 4), then key|MAC */
};

struct tun_neigh_table {
	uint32_t seq;			/* odd while the writer changes the slots */
	uint32_t used;			/* writer only */
	struct tun_neigh_slot slot[TUN_NEIGH_SLOTS];
};

/** tun_neigh_table_put() - add or update (writer).  0, or -ENOSPC when the table is full. */
int tun_neigh_table_put(struct tun_neigh_table *t, int family, const uint8_t *addr, const uint8_t mac[6]);
/** tun_neigh_table_del() - remove when present (writer).  true when it was. */
bool tun_neigh_table_del(struct tun_neigh_table *t, int family, const uint8_t *addr);
/** tun_neigh_table_clear() - remove everything (writer). */
void tun_neigh_table_clear(struct tun_neigh_table *t);
/**
 * tun_neigh_table_get() - the MAC of (@family, @addr) (reader, any thread, lock-free).
 * @seq: receives the table's sequence count the answer belongs to (see tun_neigh_table_seq).
 */
bool tun_neigh_table_get(const struct tun_neigh_table *t, int family, const uint8_t *addr, uint8_t mac[6],
			 uint32_t *seq);
/** tun_neigh_table_seq() - changes whenever an entry does: a reader's cached answer is current while it matches. */
uint32_t tun_neigh_table_seq(const struct tun_neigh_table *t);

/* One RTM_NEWNEIGH / RTM_DELNEIGH. */
struct tun_neigh_msg {
	int ifindex;
	int family;			/* AF_INET or AF_INET6 */
	uint8_t addr[16];
	uint8_t mac[6];
	bool have_mac;			/* NDA_LLADDR of Ethernet length */
	uint16_t state;			/* NUD_* */
	bool del;			/* RTM_DELNEIGH */
	bool usable;			/* an entry to send to: a MAC and a valid state (reachable, stale, ...) */
};

/**
 * tun_neigh_parse() - one RTM_NEWNEIGH/RTM_DELNEIGH into @m.  Return: 1 for an IPv4/IPv6
 * neighbour, 0 for one to ignore (another family, a proxy entry), -EBADMSG when malformed.
 */
int tun_neigh_parse(const struct nlmsghdr *nlh, struct tun_neigh_msg *m);

struct tun_neigh;

/**
 * tun_neigh_open() - mirror @ifindex's neighbours: subscribe (RTNLGRP_NEIGH), then dump, so no
 * change falls between the two.  Return: 0 or -errno (xnl_errmsg() says why).
 */
int tun_neigh_open(struct tun_neigh **n, int ifindex);
/** tun_neigh_fd() - poll it for POLLIN, then call tun_neigh_dispatch(). */
int tun_neigh_fd(const struct tun_neigh *n);
/** tun_neigh_dispatch() - apply the queued events (re-reading everything after ENOBUFS).  Changes or -errno. */
int tun_neigh_dispatch(struct tun_neigh *n);
/** tun_neigh_table() - the table the workers read. */
const struct tun_neigh_table *tun_neigh_table(const struct tun_neigh *n);
/** tun_neigh_count() - entries in the table now. */
unsigned int tun_neigh_count(const struct tun_neigh *n);
/**
 * tun_neigh_resolve() - ask the kernel to resolve (@family, @addr) on the interface
 * (RTM_NEWNEIGH with NTF_USE: it sends an ARP request or a neighbour solicitation); the
 * answer arrives as an event.  Return: 0 or -errno (xnl_errmsg()).
 */
int tun_neigh_resolve(struct tun_neigh *n, int family, const uint8_t *addr);

#define TUN_NEIGH_ASK_EVERY_MS 1000	/* between two resolutions of one next hop */
#define TUN_NEIGH_ASKED 64		/* next hops remembered for that */

/**
 * tun_neigh_ask() - a worker found no entry for (@family, @addr): tun_neigh_resolve() it, at most
 * once per TUN_NEIGH_ASK_EVERY_MS per next hop (resolution's one rate limiter; the workers only
 * coalesce repeats of one miss, so that a flow of packets to it is not one wakeup each).
 * Return: 1 asked, 0 asked lately (nothing sent), or -errno (xnl_errmsg()).
 */
int tun_neigh_ask(struct tun_neigh *n, int family, const uint8_t *addr);
/** tun_neigh_close() - NULL-safe. */
void tun_neigh_close(struct tun_neigh *n);

/* ---- packets from the TUN (tun_frame.c) ---- */

struct tun_via {
	bool have[2];			/* [0] IPv4, [1] IPv6 */
	uint8_t addr[2][16];
};

/**
 * tun_frame_dst() - the family (4 or 6) and destination address of IP packet @pkt, @len
 * bytes.  Return: 4 or 6, or 0 when it is neither or too short for its header.
 */
int tun_frame_dst(const uint8_t *pkt, uint32_t len, uint8_t addr[16]);

/**
 * tun_frame_group_mac() - the MAC of a multicast or broadcast destination (224.0.0.0/4 ->
 * 01:00:5e:..., 255.255.255.255 -> ff:..., ff00::/8 -> 33:33:...).  false for unicast.
 */
bool tun_frame_group_mac(int family, const uint8_t *addr, uint8_t mac[6]);

/** tun_frame_eth() - write an Ethernet header (@dst, @src, ethertype of @family) at @hdr. */
void tun_frame_eth(uint8_t *hdr, const uint8_t dst[6], const uint8_t src[6], int family);

/** tun_frame_tagged() - the Ethernet frame @f (@len bytes) carries an 802.1Q/802.1ad tag. */
bool tun_frame_tagged(const uint8_t *f, uint32_t len);

/* ---- offloads: IFF_VNET_HDR packets from the device (tun_gso.c) ---- */

struct virtio_net_hdr;

/* A TCP or UDP "super-packet" (GSO: TSO, USO) being cut into segments. */
struct tun_gso {
	const uint8_t *pkt;		/* as read from the device: link header (tap), IP, TCP or UDP, payload */
	uint32_t len;
	uint32_t l3, l4;		/* offsets of the IP and the TCP or UDP header */
	uint32_t hdr_len;		/* bytes repeated in front of every segment */
	uint32_t mss;			/* payload bytes per segment (gso_size) */
	uint32_t off;			/* offset in pkt of the next segment's payload */
	uint32_t seg;			/* segments made so far */
	bool v6;
	bool udp;			/* USO: every segment a datagram of its own */
};

/**
 * tun_csum_add() - add the big-endian 16-bit words of @p (an odd last byte is the high half of
 * one), at any alignment, to the one's-complement @sum (any value: a result goes back in).  Not
 * folded: only its tun_csum_fold() is meaningful, the raw value is one of several equal sums.
 */
uint32_t tun_csum_add(uint32_t sum, const uint8_t *p, uint32_t len);
/** tun_csum_fold() - fold and invert: the checksum to store. */
uint16_t tun_csum_fold(uint32_t sum);
/**
 * tun_csum_finish() - VIRTIO_NET_HDR_F_NEEDS_CSUM: sum @pkt from @start (the field at @start +
 * @offset holds the pseudo-header sum) and store the checksum there.  0, or -EINVAL when the
 * offsets do not fit @len.
 */
int tun_csum_finish(uint8_t *pkt, uint32_t len, uint32_t start, uint32_t offset);
/**
 * tun_gso_start() - check the GSO packet @pkt (@len bytes, IP header at @l3) against its virtio
 * header @h and prepare to cut it: TCPV4, TCPV6 (TSO) or UDP_L4 (USO, IPv4 or IPv6).  Return: 0,
 * -EOPNOTSUPP (another GSO type: UFO), -EINVAL (its headers do not say what @h says).
 */
int tun_gso_start(struct tun_gso *g, const struct virtio_net_hdr *h, const uint8_t *pkt, uint32_t len, uint32_t l3);
/** tun_gso_count() - how many segments the packet makes. */
uint32_t tun_gso_count(const struct tun_gso *g);
/**
 * tun_gso_next() - write the next segment, complete, into @out (@cap bytes).  Return: its length;
 * 0 when every segment was made, or when it does not fit @cap (nothing made then).
 */
uint32_t tun_gso_next(struct tun_gso *g, uint8_t *out, uint32_t cap);

/* ---- what the main thread tells every worker (fields marked atomic: __atomic only) ---- */

struct tun_ctl {
	int stop;			/* atomic: stop reading, drain, return */
	int down[2];			/* atomic: [TUN_NIC] IF, [TUN_DEV] the device: down, send nothing into it */
	uint32_t nic_max;		/* atomic: longest frame IF may send: its MTU + 14 */
	uint32_t dev_max;		/* atomic: longest packet (tun) or frame (tap; + 4 if tagged) it takes */
	uint64_t if_mac;		/* atomic: IF's MAC in the low 48 bits (tun: the source of every frame) */
	uint32_t pub_req;		/* atomic: publish a snapshot when pub_done differs */
	int main_evfd;			/* a worker writes it when it stops on an error or needs a resolution */
	/* constant once workers run */
	enum tun_kind kind;
	uint32_t batch;
	bool offload;			/* the device's reads and writes carry a virtio-net header */
	bool gro;			/* offloads: a flow's packets from IF written as super-packets */
	const char *ifname, *devname;
	bool have_peer_mac;
	uint8_t peer_mac[6];
	struct tun_via via;
	const struct tun_neigh_table *neigh;	/* NULL with --peer-mac */
	bool resolve;			/* report next hops missing from the table to the main thread */
};

/* ---- counters (tun_stats.c) ---- */

/*
 * One worker's counters, or their sum.  Only uint64_t members: published through a seqlock.
 *
 * Identities (exact once the workers have drained):
 *   NIC -> device: nic_rx = dev_tx + nic_oversize + nic_non_ip + dev_full + dev_error + nic_invalid
 *   device -> NIC: dev_rx = nic_tx + dev_oversize + dev_non_ip + no_neigh + dev_bad_offload;
 *                  nic_tx = sent + in_flight
 * With offloads, a TCP/UDP super-packet counts in dev_rx as the segments it makes (wire-size packets).
 */
struct tun_q_stats {
	/* NIC -> device */
	uint64_t nic_rx;		/* frames taken off IF's RX ring */
	uint64_t dev_tx;		/* written to the device */
	uint64_t nic_oversize;		/* longer than the device's MTU (+ 14 for a TAP): dropped */
	uint64_t nic_non_ip;		/* tun: neither IPv4 nor IPv6 (the XDP program keeps those): dropped */
	uint64_t dev_full;		/* the device's queue was full (EAGAIN on write): dropped */
	uint64_t dev_error;		/* write failed otherwise (the device is down: EIO): dropped */
	uint64_t nic_invalid;		/* descriptors outside the UMEM (library rx_bad_descs): dropped */
	uint64_t rx_ring_full;		/* kernel: dropped before IF's RX ring, it was full */
	uint64_t fill_ring_empty;	/* kernel: no fill-ring frame (also in rx_dropped) */
	uint64_t rx_dropped;		/* kernel: dropped before the RX ring, every other cause */
	uint64_t dev_gro;		/* offloads: super-packets written (their packets are in dev_tx); tun_gro's */
	uint64_t dev_gro_pkts;		/* offloads: the packets in them; tun_gro's */
	/* device -> NIC */
	uint64_t dev_rx;		/* packets (tun) or frames (tap) read from the device, as wire-size packets */
	uint64_t nic_tx;		/* put on IF's TX ring */
	uint64_t sent;			/* of those, completed by the kernel */
	uint64_t in_flight;		/* of those, not completed yet */
	uint64_t no_neigh;		/* tun: no MAC for the next hop: dropped */
	uint64_t dev_oversize;		/* longer than IF's MTU (+ 14): dropped */
	uint64_t dev_non_ip;		/* tun: neither IPv4 nor IPv6, or shorter than its header: dropped */
	uint64_t dev_bad_offload;	/* offloads: a virtio-net header its packet contradicts: dropped */
	uint64_t dev_gso;		/* offloads: TCP/UDP super-packets read and cut (their segments are in dev_rx) */
	uint64_t tx_ring_full;		/* rounds without a free TX frame: the device's packets waited */
	uint64_t invalid_descs;		/* descriptors: kernel rx/tx_invalid_descs + library tx_bad_descs */
	uint64_t tx_kicks;		/* transmit syscalls */
};

#define TUN_Q_WORDS (sizeof(struct tun_q_stats) / sizeof(uint64_t))

/** tun_q_stats_add() - @dst += @src, member by member. */
void tun_q_stats_add(struct tun_q_stats *dst, const struct tun_q_stats *src);

/* Everything one report needs. */
struct tun_report {
	enum tun_kind kind;
	const char *ifname, *devname;
	unsigned int nqueues;
	const uint32_t *queue;
	const int *cpu;				/* NULL: none pinned */
	const struct tun_q_stats *q;		/* per queue */
	const struct tun_q_stats *prev;		/* totals at the previous report (rates); NULL: none */
	const struct tun_steer_stats *xdp;	/* NULL: unknown */
	double elapsed, interval;
};

/* The balance of both directions, for the final summary. */
struct tun_balance {
	bool in_adds_up;	/* NIC -> device: received = delivered + every drop */
	bool out_adds_up;	/* device -> NIC: received = put on the TX ring + every drop */
	bool tx_adds_up;	/* put on the TX ring = sent + in flight */
};

/** tun_balance_make() - check the identities of struct tun_q_stats on @t. */
void tun_balance_make(struct tun_balance *b, const struct tun_q_stats *t);
/** tun_stats_total() - @r's queues summed. */
void tun_stats_total(const struct tun_report *r, struct tun_q_stats *total);
/** tun_stats_print_table() - a periodic report as a table: per direction, then per queue when several. */
void tun_stats_print_table(FILE *f, const struct tun_report *r);
/**
 * tun_stats_print_json() - a periodic report as one JSON line:
 *   {"type":"stats","mode":"tun"|"tap","elapsed":S,"interval":S,"directions":[DIR_IN,DIR_OUT],
 *    "xdp":{"steered":N,...},"queues":[{"queue":Q,"cpu":C,"directions":[...]},...]}
 * DIR: {"from","to","received","delivered",("rx_pps","tx_pps"),"dropped":{...per cause...},
 *   NIC -> device: "dropped":{"oversize","non_ip","dev_full","dev_error","invalid"},
 *     "kernel_dropped":{"rx_ring_full","fill_ring_empty","rx_dropped"},
 *     "super_packets" (written, joined from a flow's packets), "in_super_packets" (those packets)
 *   device -> NIC: "dropped":{"oversize","non_ip","no_neigh","bad_offload"},"sent","in_flight",
 *     "tx_ring_full","tx_kicks","invalid_descs","super_packets" (read, and cut)}
 */
void tun_stats_print_json(FILE *f, const struct tun_report *r);
/**
 * tun_summary_print() - the final report; JSON adds "reason", "drained" and "adds_up" per
 * direction to the periodic line's, with "type":"summary".
 */
void tun_summary_print(FILE *f, const struct tun_report *r, const char *reason, bool drained, bool json);

/* ---- a worker (tun_worker.c) ---- */

/* A next hop the table lacked, for the main thread to resolve: a single-producer ring. */
#define TUN_MISS_SLOTS 16

struct tun_miss {
	uint32_t family;
	uint8_t addr[16];
};

struct tun_miss_ring {
	uint32_t head;			/* atomic: written by the worker */
	uint32_t tail;			/* atomic: written by the main thread */
	struct tun_miss slot[TUN_MISS_SLOTS];
};

/** tun_miss_pop() - the main thread's side.  false when empty. */
bool tun_miss_pop(struct tun_miss_ring *r, struct tun_miss *m);

struct tun_worker {
	unsigned int idx;
	uint32_t queue;
	int cpu;			/* -1: not pinned */
	struct xdpsock_tx *tx;
	struct xdpsock_rx *rx;
	int xsk_fd;
	int dev_fd;			/* the device's queue; owned by struct tun_dev */
	int evfd;			/* wakes the worker from poll() */
	uint32_t frame_len;		/* bytes a UMEM frame holds */
	struct tun_ctl *ctl;
	/* worker-owned */
	struct tun_q_stats c;		/* its own counters (the library's are merged at publish) */
	uint8_t *spill;			/* what a read longer than a frame goes on into */
	uint8_t *bounce;		/* offloads: a super-packet in one piece while it is cut */
	struct tun_gso gso;		/* offloads: the super-packet being cut */
	bool gso_active;		/* segments of it remain to be sent */
	struct tun_gro gro;		/* offloads: the flows of the RX batch being joined */
	int dev_gone;			/* a write said the device is gone (-EBADFD, -ENODEV) */
	uint8_t gso_mac[6];		/* tun: their next hop */
	int gso_family;
	bool tx_busy;			/* the kick left frames on the TX ring: kick again soon */
	bool tx_down;			/* IF said ENETDOWN: retry slowly */
	bool tx_starved;		/* no free TX frame while the device had more */
	uint32_t nh_seq;		/* the neighbour table's count when nh_* was looked up */
	int nh_family;			/* 0: no cached next hop */
	uint8_t nh_addr[16], nh_mac[6];
	int miss_family;		/* the last next hop reported missing, and when */
	uint8_t miss_addr[16];
	long miss_ms;
	struct tun_miss_ring miss;
	/* shared with the main thread */
	pthread_t thread;
	bool started;
	uint32_t seq;			/* seqlock of snap */
	uint64_t snap[TUN_Q_WORDS];	/* published struct tun_q_stats */
	uint32_t pub_done;		/* atomic: the last pub_req served */
	int failed;			/* atomic: stopped on an error (errmsg says which) */
	bool drained;			/* read after join */
	char errmsg[320];		/* read after join */
};

/**
 * tun_worker_open() - the pair of worker @w on IF queue w->queue, its socket inserted into
 * @xskmap_fd (the steering program's), options from @cfg.  Return: 0 or -errno (@err).
 */
int tun_worker_open(struct tun_worker *w, const struct tun_cfg *cfg, int ifindex, int xskmap_fd, char *err,
		    size_t errlen);
/** tun_worker_close() - destroy the pair and the eventfd.  A half-built worker is fine. */
void tun_worker_close(struct tun_worker *w);
/** tun_worker_start() - run the worker thread, pinned to w->cpu when >= 0.  0 or -errno. */
int tun_worker_start(struct tun_worker *w);
/** tun_worker_wake() - interrupt the worker's poll(). */
void tun_worker_wake(struct tun_worker *w);
/** tun_worker_join() - wait for a started worker to return. */
void tun_worker_join(struct tun_worker *w);
/** tun_worker_read() - the worker's last published counters.  false when no consistent copy. */
bool tun_worker_read(const struct tun_worker *w, struct tun_q_stats *q);

#endif
