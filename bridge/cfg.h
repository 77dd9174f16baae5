/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The options fwd, tap and tun share (-q -c -m -x --frame-size --frames --ring --batch -i -j
 * -d --force -v -h): their members, long options, values and error sentences, in one place so
 * the three commands take them alike.  Each command's own file (fwd_cfg.c, tun_cfg.c) keeps its
 * own options, its positional arguments, --help and the checks that depend on how its workers
 * use frames.
 */
#ifndef XDPBRIDGE_CFG_H
#define XDPBRIDGE_CFG_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xdpsock/xdpsock.h>

#define XB_MAX_QUEUES	256	/* workers, and entries of a LIST (a TUN/TAP's MAX_TAP_QUEUES too) */
#define XB_MAX_QUEUE_ID	65535
#define XB_MAX_BATCH	256
#define XB_DEF_BATCH	64
#define XB_DEF_RING	2048

#define XB_CFG_COMMON_MEMBERS								\
	uint32_t queue[XB_MAX_QUEUES];	/* in LIST order */				\
	unsigned int nqueues;		/* 0: every queue (decided once IF is known) */	\
	int cpu[XB_MAX_QUEUES];								\
	unsigned int ncpus;		/* 0: no pinning; worker i runs on cpu[i % ncpus] */ \
	enum xdpsock_copy_mode copy_mode;						\
	enum xdpsock_attach_mode attach_mode;						\
	uint32_t frame_size;		/* 2048 or 4096 */				\
	uint32_t frames;		/* UMEM frames per worker (0: the command's default) */ \
	uint32_t ring;			/* every ring's size */				\
	uint32_t batch;									\
	double interval;		/* seconds; 0: final summary only */		\
	double duration;		/* seconds; 0: until a signal */		\
	bool json;									\
	bool force;									\
	int verbose;									\
	const char *mode_arg;		/* the -m and -x given (NULL: none), to refuse a second, different one */ \
	const char *xdp_arg;

struct xb_cfg_common {
	XB_CFG_COMMON_MEMBERS
};

/*
 * In a command's config: the members by name (cfg->ring, as every user reads them) and as one
 * struct (&cfg->common, for xb_cfg_opt()), as the kernel's struct_group() does.
 */
#define XB_CFG_COMMON			\
	union {				\
		struct {		\
			XB_CFG_COMMON_MEMBERS	\
		};			\
		struct xb_cfg_common common;	\
	}

/* getopt_long() values of the common long-only options; a command numbers its own from XB_OPT_OWN. */
enum {
	XB_OPT_FRAME_SIZE = 256,
	XB_OPT_FRAMES,
	XB_OPT_RING,
	XB_OPT_BATCH,
	XB_OPT_FORCE,
	XB_OPT_OWN,
};

/* The common short options, after a command's own (and the leading ':' that reports missing values). */
#define XB_CFG_SHORT_OPTS "q:c:m:x:i:jd:vh"

/* The common rows of a command's struct option table (each command prints its own --help). */
#define XB_CFG_LONG_OPTS							\
	{ "queues", required_argument, NULL, 'q' },				\
	{ "cpus", required_argument, NULL, 'c' },				\
	{ "mode", required_argument, NULL, 'm' },				\
	{ "xdp", required_argument, NULL, 'x' },				\
	{ "frame-size", required_argument, NULL, XB_OPT_FRAME_SIZE },		\
	{ "frames", required_argument, NULL, XB_OPT_FRAMES },			\
	{ "ring", required_argument, NULL, XB_OPT_RING },			\
	{ "batch", required_argument, NULL, XB_OPT_BATCH },			\
	{ "interval", required_argument, NULL, 'i' },				\
	{ "json", no_argument, NULL, 'j' },					\
	{ "duration", required_argument, NULL, 'd' },				\
	{ "force", no_argument, NULL, XB_OPT_FORCE },				\
	{ "verbose", no_argument, NULL, 'v' },					\
	{ "help", no_argument, NULL, 'h' }

/** xb_cfg_begin() - the common defaults into @cfg, and getopt reset for a new argv. */
void xb_cfg_begin(struct xb_cfg_common *cfg);

/**
 * xb_cfg_opt() - apply getopt_long()'s return @c (with optarg, optind and optopt as it left
 * them) to @cfg.  A command handles its own options first and passes every other @c here,
 * which also words "needs a value" and "unknown option".
 * Return: 0, or -1 with a sentence naming the option in @err.
 */
int xb_cfg_opt(struct xb_cfg_common *cfg, int c, char **argv, char *err, size_t errlen);

/** xb_cfg_check_batch() - --batch fits in --ring.  0, or -1 with a sentence in @err. */
int xb_cfg_check_batch(const struct xb_cfg_common *cfg, char *err, size_t errlen);

/** xb_say() - snprintf() into @err: the sentence a parser returns. */
void xb_say(char *err, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/** xb_parse_u32() - a decimal number from 0 to @max, nothing else (no sign, space or tail). */
bool xb_parse_u32(const char *s, uint32_t max, uint32_t *v);

/* The bridge's words for what the library and the kernel report. */

/**
 * xb_lib_error() - the failure @err (-errno) of a library call (xdpsock_umem_create(),
 * xdpsock_pair_create()) made with @o, in the command line's words, into @buf.
 * @ifname: the interface of the call (NULL for a UMEM alone).
 *
 * Causes a user chooses through an option name that option: zero-copy refused (-m, as
 * o->copy_mode), native XDP refused (-x, as o->attach_mode: only when the library attaches),
 * not enough memory for the UMEM (--frames, --frame-size: o->frame_count, o->frame_size).  Every
 * other cause keeps the library's sentence (xdpsock_errmsg()), which speaks of capabilities,
 * queues and interfaces.  Return: @buf.
 */
const char *xb_lib_error(int err, const struct xdpsock_opts *o, const char *ifname, char *buf, size_t len);

/**
 * xb_foreign_prog_msg() - "@ifname already has XDP program '@prog' (id @id, @mode mode), not one
 * of ours: ..." into @buf: someone else's program, left alone, and --force named as the way to
 * replace it (never 'ip link set ... xdp off': not ours to advise removing).
 */
void xb_foreign_prog_msg(char *buf, size_t len, const char *ifname, const char *prog, uint32_t id, const char *mode);

/* LISTs and seconds. */

/**
 * xb_list_parse() - "0,1", "0-3", "0-1,4": values in order, ranges expanded.
 * @max: largest value allowed; @unique: refuse a value listed twice.
 * Return: the number of values (>= 1), or -1 with a sentence in @err.
 */
int xb_list_parse(const char *s, uint32_t max, bool unique, uint32_t *out, unsigned int cap, char *err,
		   size_t errlen);

/** xb_secs_parse() - "2", "0.5": seconds, 0 to @max, at most millisecond precision.  false when invalid. */
bool xb_secs_parse(const char *s, double max, double *out);

#endif
