/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * xdpgen: a traffic generator (tx), sink and verifier (rx), latency meter (ping) and
 * reflector (reflect) on AF_XDP, with an in-kernel "live frames" engine for tx.
 *
 *   main.c          argv[1] -> subcommand
 *   args.c          options -> struct xg_cfg, every check that needs no system; help texts
 *   iface.c         interface facts: ifindex, MTU, MAC, queue count; the checks that need them
 *   neigh.c         a destination MAC from the neighbour table (RTM_GETNEIGH)
 *   stop.c          when to stop: SIGINT/SIGTERM through a signalfd, the deadline
 *   out.c           progress lines and the final JSON object
 *   frame.c         the wire format (frame.h); seqv.c the sequence verifier; hist.c latency histogram
 *   tx.c            tx: templates, the size cycle, the summary; tx_xsk.c and tx_live.c: the engines
 *   rx.c            rx through AF_XDP sockets; rx_count.c: rx --xdp-count (an XDP program, no socket)
 *   sock.c          the sockets' options, and their failures in xdpgen's words
 *   xdp.c           the interface's XDP hook: naming what holds it, clearing our own stale program
 *   engine.c        tx's engine: the live-frames probe and the choice (in tx.h)
 *   ping.c, reflect.c
 */
#ifndef XDPGEN_XDPGEN_H
#define XDPGEN_XDPGEN_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "frame.h"

/* Exit status of every subcommand. */
#define XG_EXIT_OK	0
#define XG_EXIT_FAIL	1	/* runtime failure: the system said no, --expect not met, ping lost frames */
#define XG_EXIT_USAGE	2	/* bad usage: option, value, interface name, size for that interface */

#define XG_MAX_SIZES	8
#define XG_MAX_CYCLE	64	/* frame lengths are sent in a repeating cycle of at most this many */
#define XG_MAX_RATE	200000000ull	/* 200 Mpps: more than a 100 Gbit/s link carries (148.8 Mpps) */
#define XG_MAX_COUNT	1000000000000ull	/* --count, --expect: 10^12 frames, more than a day at 10 Mpps */
#define XG_MAX_SECONDS	86400u
#define XG_MAX_BATCH	256u	/* the live engine's limit (TEST_XDP_MAX_BATCH), kept for both */
#define XG_MAX_QUEUES	64u
#define XG_LIVE_MAX_FRAME 3072u	/* a live frame lives in one page, after the kernel's headroom */
#define XG_NSEC		1000000000ull

enum xg_cmd { XG_CMD_TX, XG_CMD_RX, XG_CMD_PING, XG_CMD_REFLECT };
enum xg_engine { XG_ENGINE_AUTO, XG_ENGINE_XSK, XG_ENGINE_LIVE };
enum xg_xsk_copy { XG_COPY_AUTO, XG_COPY_FORCE, XG_COPY_ZEROCOPY };
enum xg_attach { XG_ATTACH_AUTO, XG_ATTACH_NATIVE, XG_ATTACH_GENERIC };

struct xg_cfg {
	enum xg_cmd cmd;
	const char *ifname;

	/* what is sent (tx, ping) */
	struct xg_addrs a;		/* family 0 until --src-ip/--dst-ip */
	bool have_src_mac, have_dst_mac, have_src_ip, have_dst_ip;
	uint32_t flows;			/* source ports a.sport .. a.sport + flows - 1 */
	uint32_t sizes[XG_MAX_SIZES];	/* distinct frame lengths */
	uint32_t nsizes;
	uint8_t cycle[XG_MAX_CYCLE];	/* index into sizes[], per frame, repeating */
	uint32_t cycle_len;
	bool imix;

	/* how long */
	uint64_t count;			/* 0: no count */
	uint64_t duration_ns;		/* always set after parsing: the run is always bounded */
	bool have_duration;
	uint64_t rate;			/* frames per second; 0: as fast as possible */

	/* how */
	enum xg_engine engine;		/* auto: live where the kernel allows it, else xsk (engine.c) */
	uint32_t queue;
	bool all_queues;		/* rx --queue all */
	uint32_t batch;
	enum xg_xsk_copy copy;
	enum xg_attach attach;

	/* rx */
	uint64_t expect;		/* 0: no expectation */
	bool xdp_count, pass;
	uint32_t idle_ms;

	/* ping */
	uint32_t wait_ms;

	/* output */
	bool json, quiet;
	int verbose;
};

/* ---- args.c ----------------------------------------------------------------------------- */

/*
 * Parse "xdpgen CMD [options] IFNAME" (argv[0] is CMD) into @c.  Returns 0, or an exit status
 * (-1 for --help: print xg_help(cmd) and exit 0) with the reason in @err.  Checks everything
 * that needs no system: value ranges, sizes against the IP version, combinations.
 */
int xg_args_parse(struct xg_cfg *c, enum xg_cmd cmd, int argc, char **argv, char *err, size_t errlen);
/* Checks against the interface: every frame length <= @mtu + 14, the engine's own limits. */
int xg_args_check_mtu(const struct xg_cfg *c, uint32_t mtu, char *err, size_t errlen);
const char *xg_help(enum xg_cmd cmd);
const char *xg_cmd_name(enum xg_cmd cmd);

/* ---- iface.c ---------------------------------------------------------------------------- */

struct xg_iface {
	const char *name;
	int ifindex;
	uint32_t mtu;
	uint8_t mac[6];
	uint32_t queues;	/* RX queues (channels) in use now; 1 when the driver does not say */
	char driver[32];	/* "veth", ...; "" when unknown */
	bool up;		/* IFF_UP */
};

/* Look @name up in this network namespace; -errno and a sentence in @err when it cannot. */
int xg_iface_get(struct xg_iface *ifc, const char *name, char *err, size_t errlen);

/*
 * xg_iface_get() for the subcommand's interface, with the message printed: returns 0, or the
 * exit status (2 for a name that is not an interface here, 1 for a failure to ask).
 */
int xg_iface_open(const struct xg_cfg *c, struct xg_iface *ifc);

/*
 * The interface going away under a run (deleted, or moved to another namespace).  A socket
 * bound to it is unbound by the kernel and never becomes readable again, so a receiver would
 * wait, idle, until its deadline: the loops ask these when idle, every XG_GONE_CHECK_NS at most.
 */
struct xdpsock_rx;
/* @rx's interface is gone: the library's wait says -ENETDOWN.  Two system calls. */
bool xg_iface_gone_rx(struct xdpsock_rx *rx);
/* No interface @ifindex in this namespace any more (for rx --xdp-count, which has no socket). */
bool xg_iface_gone(int ifindex);
/* Say so, naming the interface: "xdpgen rx: vb is gone (deleted, or ...)".  The run's reason. */
#define XG_WHY_GONE "the interface is gone"
#define XG_GONE_CHECK_NS (XG_NSEC / 4)	/* at most this often */
void xg_iface_gone_msg(const struct xg_cfg *c);

/* ---- xdp.c: the interface's XDP hook ------------------------------------------------------ */

/*
 * What is attached to @ifindex, for messages: "XDP program 'NAME' (id N) attached", with whose
 * it is when the name tells (xdpgen's counter, the library's receivers).
 */
void xg_xdp_describe(int ifindex, char *buf, size_t len);
/* A program other than the library's (which its sockets share) is attached to @ifindex. */
bool xg_xdp_foreign(int ifindex);
/*
 * xdpgen's counting program left on @ifc by an 'xdpgen rx --xdp-count' that was killed (no
 * process holds it) is removed, with a warning; anything else attached is left alone.  Returns
 * 0, or XG_EXIT_FAIL (message printed) when it is stale and cannot be removed.
 */
int xg_xdp_clear_stale(const struct xg_cfg *c, const struct xg_iface *ifc);

/* ---- sock.c: opening AF_XDP sockets --------------------------------------------------------- */

struct xdpsock_opts;
/* The library's options from --copy/--zerocopy, --native/--generic; frames for @max_frame bytes. */
void xg_sock_opts(const struct xg_cfg *c, uint32_t max_frame, struct xdpsock_opts *o);
/*
 * The library could not open @what ("an AF_XDP socket", "an AF_XDP socket pair") on @queue of
 * @ifc (@err, the sentence in xdpsock_errmsg()): say why in xdpgen's words (its options, never
 * advice to remove what others attached).  Returns the exit status: 2 for a queue out of range.
 */
int xg_sock_fail(const struct xg_cfg *c, const struct xg_iface *ifc, const char *what, uint32_t queue, int err);
/* A send, kick or wait on an open socket failed with @err: say why; true when @ifc is gone. */
bool xg_sock_io_fail(const struct xg_cfg *c, const struct xg_iface *ifc, int err);

/* ---- stream.c --------------------------------------------------------------------------- */

/*
 * What a sender sends: the addresses completed (source MAC: the interface's; destination MAC:
 * --dst-mac or the neighbour table), one template per frame length, and the position in the
 * cycle of lengths and of source ports.  Frame n has length sizes[cycle[n % cycle_len]] and
 * source port sport + n % flows; the live engine's program walks the same way.
 */
struct xg_stream {
	struct xg_addrs a;
	struct xg_tmpl *tmpl;		/* [nsizes] */
	uint32_t nsizes;
	uint8_t cycle[XG_MAX_CYCLE];
	uint32_t cycle_len;
	uint32_t flows;
	uint32_t max_len;		/* the longest frame */
	uint64_t cycle_bytes;		/* bytes in one cycle */
	uint32_t pos, flow;		/* where the next frame is in the cycles */
};

/* Returns 0 or an exit status, with the message printed. */
int xg_stream_open(struct xg_stream *s, const struct xg_cfg *c, const struct xg_iface *ifc);
void xg_stream_close(struct xg_stream *s);
/* Bytes in the first @frames frames of the stream. */
uint64_t xg_stream_bytes(const struct xg_stream *s, uint64_t frames);
/* A line for people: "64-byte UDP/IPv4 frames 198.18.0.1:40000 -> 198.18.0.2:9 (to 02:00:00:00:00:02)". */
const char *xg_stream_str(const struct xg_stream *s, char *buf, size_t len);

/* The template of the next frame, and its source port; advances the stream. */
static inline const struct xg_tmpl *xg_stream_next(struct xg_stream *s, uint16_t *sport)
{
	const struct xg_tmpl *t = &s->tmpl[s->cycle[s->pos]];

	*sport = (uint16_t)(s->a.sport + s->flow);
	if (++s->pos == s->cycle_len)
		s->pos = 0;
	if (++s->flow == s->flows)
		s->flow = 0;
	return t;
}

/* ---- neigh.c ---------------------------------------------------------------------------- */

/* The MAC address of @ip (family @family) on @ifindex in the neighbour table; -ENOENT when none. */
int xg_neigh_lookup(int ifindex, int family, const uint8_t *ip, uint8_t mac[6]);

/* ---- stop.c ----------------------------------------------------------------------------- */

/*
 * When a run ends.  SIGINT and SIGTERM are blocked and read from a signalfd, so a signal can
 * only end the run where the loop looks (xg_stop_poll, xg_stop_sleep): never in the middle of a
 * ring update, and with nothing set from a signal handler.
 */
struct xg_stop {
	int sfd;		/* signalfd for SIGINT, SIGTERM */
	uint64_t t0;		/* start, ns CLOCK_MONOTONIC */
	uint64_t deadline;	/* t0 + duration */
	const char *why;	/* set once: "interrupted (SIGINT)", "duration reached", ... */
};

int xg_stop_open(struct xg_stop *s, uint64_t duration_ns);
void xg_stop_close(struct xg_stop *s);
/* Whether the run must end now (a signal arrived, the deadline passed); sets why. */
bool xg_stop_poll(struct xg_stop *s, uint64_t now);
/* End the run for @why (the first reason given wins). */
void xg_stop_set(struct xg_stop *s, const char *why);
/*
 * Sleep until @until (ns) at the latest, or until @fds (may be NULL) become ready, or a signal;
 * never past the deadline.  Returns whether to stop (as xg_stop_poll); -errno on poll failure.
 */
int xg_stop_sleep(struct xg_stop *s, int *fds, int nfds, uint64_t until);
uint64_t xg_now(void);

/* ---- out.c ------------------------------------------------------------------------------ */

/* Messages: "xdpgen CMD: ..." on stderr. */
void xg_err(enum xg_cmd cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Progress lines go to stdout, or to stderr with --json (stdout is then the JSON object only). */
FILE *xg_progress_stream(const struct xg_cfg *c);

/* A flat JSON object on stdout, one field at a time: xg_json_begin, fields..., xg_json_end. */
struct xg_json {
	FILE *f;
	int depth;
	bool first;
};
void xg_json_begin(struct xg_json *j);
void xg_json_str(struct xg_json *j, const char *key, const char *v);
void xg_json_u64(struct xg_json *j, const char *key, uint64_t v);
void xg_json_num(struct xg_json *j, const char *key, double v);
void xg_json_bool(struct xg_json *j, const char *key, bool v);
void xg_json_obj(struct xg_json *j, const char *key);	/* a nested object, until xg_json_close */
void xg_json_close(struct xg_json *j);
void xg_json_end(struct xg_json *j);

struct xg_hist;
/* Latency fields in microseconds: "KEY": {"count", "min", "avg", "p50", "p90", "p99", "p99.9", "max"}. */
void xg_json_hist(struct xg_json *j, const char *key, const struct xg_hist *h);
/* "min 4.9  avg 23.6  p50 15.7  p90 ...  max 634.0" (microseconds) into @buf. */
const char *xg_hist_line(const struct xg_hist *h, char *buf, size_t len);

/* Frames per second and the bit rate, for people: "1.402 Mpps, 0.718 Gbit/s". */
const char *xg_rate_str(double pps, double bps, char *buf, size_t len);

/* The library's messages: warnings always, information with -v; libbpf's with -v only. */
void xg_log_setup(const struct xg_cfg *c);

/* ---- the subcommands -------------------------------------------------------------------- */

int xg_cmd_tx(const struct xg_cfg *c);
int xg_cmd_rx(const struct xg_cfg *c);
int xg_cmd_ping(const struct xg_cfg *c);
int xg_cmd_reflect(const struct xg_cfg *c);

#endif
