// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * The options fwd, tap and tun share (cfg.h): values, LISTs, seconds and the sentences that
 * name what an option accepts.  Only what can be checked without the kernel (exit 2).
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"

#define MAX_SECS (86400.0 * 365)

void xb_say(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

/* A decimal number without sign, spaces or leading garbage; *end after it. */
static bool parse_u32_prefix(const char *s, uint32_t max, uint32_t *v, const char **end)
{
	unsigned long long x;
	char *e;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	x = strtoull(s, &e, 10);
	if (errno || x > max)
		return false;
	*v = (uint32_t)x;
	*end = e;
	return true;
}

bool xb_parse_u32(const char *s, uint32_t max, uint32_t *v)
{
	const char *end;

	return parse_u32_prefix(s, max, v, &end) && !*end;
}

int xb_list_parse(const char *s, uint32_t max, bool unique, uint32_t *out, unsigned int cap, char *err,
		   size_t errlen)
{
	const char *p = s;
	unsigned int n = 0, i;

	if (!*s) {
		xb_say(err, errlen, "an empty list");
		return -1;
	}
	for (;;) {
		uint32_t lo, hi, v;
		const char *end;

		if (!parse_u32_prefix(p, max, &lo, &end)) {
			xb_say(err, errlen, "'%s' is not a list of numbers from 0 to %u like 0,1 or 0-3", s, max);
			return -1;
		}
		hi = lo;
		if (*end == '-') {
			if (!parse_u32_prefix(end + 1, max, &hi, &end)) {
				xb_say(err, errlen, "'%s' is not a list of numbers from 0 to %u like 0,1 or 0-3", s, max);
				return -1;
			}
			if (hi < lo) {
				xb_say(err, errlen, "the range %u-%u in '%s' goes backwards", lo, hi, s);
				return -1;
			}
		}
		if (*end != ',' && *end) {
			xb_say(err, errlen, "'%s' is not a list of numbers from 0 to %u like 0,1 or 0-3", s, max);
			return -1;
		}
		if (hi - lo >= cap - n) {
			xb_say(err, errlen, "'%s' has more than %u entries", s, cap);
			return -1;
		}
		for (v = lo;; v++) {
			if (unique)
				for (i = 0; i < n; i++)
					if (out[i] == v) {
						xb_say(err, errlen, "%u is listed twice in '%s'", v, s);
						return -1;
					}
			out[n++] = v;
			if (v == hi)
				break;
		}
		if (!*end)
			return (int)n;
		p = end + 1;
	}
}

bool xb_secs_parse(const char *s, double max, double *out)
{
	double v;
	char *end;

	if (*s < '0' || *s > '9')	/* no sign, no space, no "inf" or "nan" */
		return false;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || v > max)
		return false;
	/* Timers take milliseconds: 0.0001 would silently become 0 ("none"). */
	if (v > 0 && v < 0.001)
		return false;
	*out = v;
	return true;
}

static bool is_pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

void xb_cfg_begin(struct xb_cfg_common *cfg)
{
	cfg->frame_size = 2048;
	cfg->ring = XB_DEF_RING;
	cfg->batch = XB_DEF_BATCH;
	optind = 0;	/* 0, not 1: glibc then forgets a previous parse's state (tests parse many argvs) */
	opterr = 0;	/* our own sentences, naming the option */
}

/* -q and -c: "--queues: <why>". */
static int list_opt(struct xb_cfg_common *cfg, int c, char *err, size_t errlen)
{
	uint32_t list[XB_MAX_QUEUES];
	char why[256];
	int n, i;

	if (c == 'q')
		n = xb_list_parse(optarg, XB_MAX_QUEUE_ID, true, cfg->queue, XB_MAX_QUEUES, why, sizeof(why));
	else
		n = xb_list_parse(optarg, CPU_SETSIZE - 1, false, list, XB_MAX_QUEUES, why, sizeof(why));
	if (n < 0) {
		xb_say(err, errlen, "%s: %s", c == 'q' ? "--queues" : "--cpus", why);
		return -1;
	}
	if (c == 'q') {
		cfg->nqueues = (unsigned int)n;
		return 0;
	}
	for (i = 0; i < n; i++)
		cfg->cpu[i] = (int)list[i];
	cfg->ncpus = (unsigned int)n;
	return 0;
}

/* The value of option @c is not one it takes: say which it takes. */
static int bad_value(int c, char *err, size_t errlen)
{
	static const struct {
		int opt;
		const char *name, *want;
	} wants[] = {
		{ 'm', "--mode", "auto, copy or zerocopy" },
		{ 'x', "--xdp", "auto, native or generic" },
		{ XB_OPT_FRAME_SIZE, "--frame-size", "2048 or 4096" },
		{ XB_OPT_FRAMES, "--frames", "a number of frames from 1 to 16777216" },
		{ XB_OPT_RING, "--ring", "a power of two from 64 to 65536" },
		{ XB_OPT_BATCH, "--batch", "a number from 1 to 256" },
		{ 'i', "--interval", "seconds, e.g. 1 or 0.5 (0: none)" },
		{ 'd', "--duration", "seconds, e.g. 10 or 0.5 (0: until a signal)" },
	};
	size_t k;

	for (k = 0; k < sizeof(wants) / sizeof(wants[0]) && wants[k].opt != c; k++)
		;
	if (k < sizeof(wants) / sizeof(wants[0]))
		xb_say(err, errlen, "%s '%s': expected %s", wants[k].name, optarg, wants[k].want);
	else
		xb_say(err, errlen, "invalid value '%s'", optarg);
	return -1;
}

/*
 * -m and -x each choose one mode: a second, different one is a contradiction, not an override
 * (which one did the user mean?).  The same value twice is harmless.  0 or -1 (@err).
 */
static int mode_once(const char **given, int c, int was, int now, char *err, size_t errlen)
{
	if (*given && was != now) {
		xb_say(err, errlen, "%s given twice ('%s', then '%s'): give one", c == 'm' ? "--mode" : "--xdp", *given,
		       optarg);
		return -1;
	}
	*given = optarg;
	return 0;
}

int xb_cfg_opt(struct xb_cfg_common *cfg, int c, char **argv, char *err, size_t errlen)
{
	enum xdpsock_copy_mode copy;
	enum xdpsock_attach_mode attach;
	uint32_t v;

	switch (c) {
	case 'q':
	case 'c':
		return list_opt(cfg, c, err, errlen);
	case 'm':
		if (!strcmp(optarg, "auto"))
			copy = XDPSOCK_COPY_AUTO;
		else if (!strcmp(optarg, "copy"))
			copy = XDPSOCK_COPY_FORCE;
		else if (!strcmp(optarg, "zerocopy"))
			copy = XDPSOCK_COPY_ZEROCOPY;
		else
			return bad_value(c, err, errlen);
		if (mode_once(&cfg->mode_arg, c, (int)cfg->copy_mode, (int)copy, err, errlen))
			return -1;
		cfg->copy_mode = copy;
		return 0;
	case 'x':
		if (!strcmp(optarg, "auto"))
			attach = XDPSOCK_ATTACH_AUTO;
		else if (!strcmp(optarg, "native"))
			attach = XDPSOCK_ATTACH_NATIVE;
		else if (!strcmp(optarg, "generic"))
			attach = XDPSOCK_ATTACH_GENERIC;
		else
			return bad_value(c, err, errlen);
		if (mode_once(&cfg->xdp_arg, c, (int)cfg->attach_mode, (int)attach, err, errlen))
			return -1;
		cfg->attach_mode = attach;
		return 0;
	case XB_OPT_FRAME_SIZE:
		if (!xb_parse_u32(optarg, UINT32_MAX, &v) || (v != 2048 && v != 4096))
			return bad_value(c, err, errlen);
		cfg->frame_size = v;
		return 0;
	case XB_OPT_FRAMES:
		if (!xb_parse_u32(optarg, 1u << 24, &v) || !v)
			return bad_value(c, err, errlen);
		cfg->frames = v;
		return 0;
	case XB_OPT_RING:
		if (!xb_parse_u32(optarg, 1u << 16, &v) || v < 64 || !is_pow2(v))
			return bad_value(c, err, errlen);
		cfg->ring = v;
		return 0;
	case XB_OPT_BATCH:
		if (!xb_parse_u32(optarg, XB_MAX_BATCH, &v) || !v)
			return bad_value(c, err, errlen);
		cfg->batch = v;
		return 0;
	case 'i':
		return xb_secs_parse(optarg, MAX_SECS, &cfg->interval) ? 0 : bad_value(c, err, errlen);
	case 'd':
		return xb_secs_parse(optarg, MAX_SECS, &cfg->duration) ? 0 : bad_value(c, err, errlen);
	case 'j':
		cfg->json = true;
		return 0;
	case XB_OPT_FORCE:
		cfg->force = true;
		return 0;
	case 'v':
		cfg->verbose++;
		return 0;
	case ':':
		xb_say(err, errlen, "option '%s' needs a value", argv[optind - 1]);
		return -1;
	default:
		if (optopt)
			xb_say(err, errlen, "unknown option -%c", optopt);
		else
			xb_say(err, errlen, "unknown option '%s'", argv[optind - 1]);
		return -1;
	}
}

int xb_cfg_check_batch(const struct xb_cfg_common *cfg, char *err, size_t errlen)
{
	if (cfg->batch <= cfg->ring)
		return 0;
	xb_say(err, errlen, "--batch %u is larger than the rings (%u)", cfg->batch, cfg->ring);
	return -1;
}

/* ---- the bridge's words for the library's and the kernel's ---------------------------------- */

const char *xb_lib_error(int err, const struct xdpsock_opts *o, const char *ifname, char *buf, size_t len)
{
	double mib = (double)o->frame_count * o->frame_size / (1024 * 1024);
	char size[32];

	if (mib >= 1024)
		snprintf(size, sizeof(size), "%.0f GiB", mib / 1024);
	else
		snprintf(size, sizeof(size), "%.0f MiB", mib);

	/*
	 * The library binds before it attaches its program, and a driver with zero-copy has native
	 * XDP: with -m zerocopy asked, EOPNOTSUPP is the zero-copy refusal.
	 */
	if (err == -EOPNOTSUPP && ifname && o->copy_mode == XDPSOCK_COPY_ZEROCOPY)
		xb_say(buf, len,
		       "%s's driver cannot do zero-copy AF_XDP: use -m auto (zero-copy where the driver can, else copy) "
		       "or -m copy",
		       ifname);
	else if (err == -EOPNOTSUPP && ifname && o->attach_mode == XDPSOCK_ATTACH_NATIVE)
		xb_say(buf, len,
		       "%s's driver has no native XDP: use -x auto (native where the driver can, else generic) or -x generic",
		       ifname);
	else if (err == -ENOMEM)
		/* The UMEM's area and frame list, and the pages it pins, all grow with --frames x --frame-size. */
		xb_say(buf, len,
		       "not enough memory for a UMEM of %u frames of %u bytes (%s) per queue: lower --frames%s",
		       o->frame_count, o->frame_size, size, o->frame_size > 2048 ? " or use --frame-size 2048" : "");
	else
		xb_say(buf, len, "%s", xdpsock_errmsg());
	return buf;
}

void xb_foreign_prog_msg(char *buf, size_t len, const char *ifname, const char *prog, uint32_t id, const char *mode)
{
	xb_say(buf, len,
	       "%s already has XDP program '%s' (id %u, %s mode), not one of ours: the bridge leaves it alone; use another "
	       "interface, or, if nothing needs that program any more, run with --force to replace it",
	       ifname, prog, id, mode);
}
