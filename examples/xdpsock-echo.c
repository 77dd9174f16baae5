// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * xdpsock-echo - send every frame back where it came from.
 *
 *   xdpsock-echo [options] IFNAME
 *
 * This is the example of driving libxdpsock from your own event loop.  One epoll set
 * watches three fds:
 *
 *   xdpsock_rx_fd(rx)   readable when the RX ring holds frames (level-triggered)
 *   a signalfd          SIGINT, SIGTERM, SIGHUP: a clean stop, no flag set from a handler
 *   a timerfd           --duration: a stop after S seconds
 *
 * When the socket is readable, frames are handled in batches of 64:
 *
 *   k = xdpsock_rx_seek_n(rx, 64)           the received frames, never blocks
 *   m = xdpsock_tx_seek_n(tx, k)            as many free TX frames
 *   copy frame i of RX into frame j of TX, swap its addresses
 *   xdpsock_tx_commit_n(tx, j)              onto the TX ring ...
 *   xdpsock_tx_kick(tx)                     ... and one wakeup for the whole batch
 *   xdpsock_rx_commit_n(rx, k)              the RX frames go back to the fill ring
 *
 * until the RX ring is empty; then the TX ring is flushed (kicked until the kernel took
 * everything) and the loop goes back to epoll_wait().  The two halves of a pair share one
 * UMEM, but the API hands out RX and TX frames separately, so each frame is copied once.
 * When idle, epoll_wait() still returns once a second, to notice an interface that went
 * away: its socket never becomes readable again, the kernel only records SO_ERROR.
 *
 * Swapping the Ethernet addresses (and, for UDP over IPv4, the IP addresses and the ports)
 * leaves every checksum valid: a ones' complement sum does not depend on the order of its
 * 16-bit words.  Frames sent to a multicast or broadcast address are not echoed: their
 * reply would carry a group address as its source.
 *
 * Exit status: 0 stopped as asked (signal, --count, --duration), 1 runtime error, 2 usage.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>
#include <xdpsock/xdpsock.h>

#define PROG		"xdpsock-echo"
#define BATCH		64u
#define BURST		16	/* batches per wakeup before the signal and timer fds get a look */
#define ETH_HLEN_	14u

enum { EV_RX = 1, EV_SIGNAL, EV_TIMER };

struct echo {
	struct xdpsock_tx *tx;
	struct xdpsock_rx *rx;
	uint64_t limit;		/* --count: stop after this many echoed frames; 0 = no limit */
	bool tx_pending;	/* the last kick left frames on the TX ring: kick again soon */
	bool done;
	/* counters */
	uint64_t received;	/* frames taken from the RX ring */
	uint64_t echoed;	/* frames put on the TX ring */
	uint64_t not_unicast;	/* to a multicast/broadcast address: not echoed */
	uint64_t runts;		/* shorter than an Ethernet header: not echoed */
	uint64_t no_tx_frame;	/* no free TX frame at that moment: dropped */
	uint64_t bad_descs;	/* descriptors the library refused (EBADMSG) */
	uint64_t batches;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " [options] IFNAME\n"
		"\n"
		"Receive every frame on one queue of IFNAME through an AF_XDP socket pair and send it\n"
		"back: Ethernet addresses swapped, and for UDP over IPv4 also the IP addresses and ports.\n"
		"\n"
		"  -q, --queue N       queue to bind (default 0)\n"
		"      --copy          force copy mode\n"
		"      --zerocopy      require zero-copy (fails where the driver cannot)\n"
		"      --auto          zero-copy if possible, else copy (default)\n"
		"      --native        attach the XDP program in driver mode\n"
		"      --generic       attach the XDP program in generic (skb) mode\n"
		"                      (default: native, else generic; one of the two at most, and\n"
		"                      one of --copy, --zerocopy, --auto)\n"
		"  -c, --count N       stop after echoing N frames (N >= 1; default: until stopped)\n"
		"  -d, --duration S    stop after S seconds (default 0: run until SIGINT/SIGTERM)\n"
		"  -v, --verbose       print the library's informational messages\n"
		"  -V, --version       the version of this program and of libxdpsock\n"
		"  -h, --help          this text\n"
		"\n"
		"Exit status: 0 stopped as asked, 1 runtime error, 2 usage error.\n");
}

static void log_cb(enum xdpsock_log_level level, const char *msg, void *ctx)
{
	int verbose = *(const int *)ctx;

	/* Errors come back through xdpsock_errmsg() at the call that failed. */
	if (level == XDPSOCK_LOG_WARN || (verbose && level == XDPSOCK_LOG_INFO) || verbose > 1)
		fprintf(stderr, PROG ": [libxdpsock] %s\n", msg);
}

static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

/*
 * --copy/--zerocopy/--auto each choose the copy mode, --native/--generic the attach mode: two
 * different ones contradict each other (which was meant?), so they are refused rather than the
 * last one silently winning.  *@given: the one named first.  0, or -1 (said why).
 */
static int one_of(const char **given, const char *opt)
{
	if (*given && strcmp(*given, opt)) {
		fprintf(stderr, PROG ": %s and %s exclude each other: give one\n", *given, opt);
		return -1;
	}
	*given = opt;
	return 0;
}

/*
 * Why xdpsock_pair_create() failed, in this program's words where one of its options chose the
 * cause: the library's own sentence names its fields (copy_mode, attach_mode), not our options.
 */
static const char *explain(int err, const struct xdpsock_opts *o)
{
	/* The library binds before it attaches, and a driver with zero-copy has native XDP. */
	if (err == -EOPNOTSUPP && o->copy_mode == XDPSOCK_COPY_ZEROCOPY)
		return "the driver cannot do zero-copy AF_XDP: use --auto (zero-copy where it can, else copy) or --copy";
	if (err == -EOPNOTSUPP && o->attach_mode == XDPSOCK_ATTACH_NATIVE)
		return "the driver has no native XDP: use --generic, or neither option (native where it can, else generic)";
	return xdpsock_errmsg();
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void swap_bytes(uint8_t *a, uint8_t *b, size_t n)
{
	uint8_t t[16];

	memcpy(t, a, n);
	memcpy(a, b, n);
	memcpy(b, t, n);
}

/* Turn a frame into its reply, in place.  Byte access only: headers are not aligned. */
static void reflect(uint8_t *f, uint32_t len)
{
	uint8_t *ip;
	uint32_t ihl;

	swap_bytes(f, f + 6, 6);				/* destination <-> source MAC */
	if (len < ETH_HLEN_ + 20 || f[12] != 0x08 || f[13] != 0x00)
		return;						/* not IPv4 */
	ip = f + ETH_HLEN_;
	ihl = (ip[0] & 0x0fu) * 4u;
	if ((ip[0] >> 4) != 4 || ihl < 20 || len < ETH_HLEN_ + ihl || ip[9] != IPPROTO_UDP)
		return;
	swap_bytes(ip + 12, ip + 16, 4);			/* source <-> destination address */
	if (((ip[6] & 0x1fu) | ip[7]) != 0 || len < ETH_HLEN_ + ihl + 8)
		return;						/* a later fragment: no UDP header */
	swap_bytes(ip + ihl, ip + ihl + 2, 2);			/* source <-> destination port */
}

/* Wake the kernel for what was committed; remember whether it left some on the ring. */
static int kick(struct echo *e)
{
	int r = xdpsock_tx_kick(e->tx);

	if (r < 0)
		return r;
	/* 0 with a wakeup still wanted: the kernel was busy (EAGAIN), the frames wait on the ring. */
	e->tx_pending = r == 0 && xdpsock_tx_needs_kick(e->tx);
	return 0;
}

/* Kick until the kernel has taken the whole TX ring, a few times at most. */
static int flush(struct echo *e)
{
	int i, err;

	for (i = 0; i < 8 && e->tx_pending; i++) {
		err = kick(e);
		if (err)
			return err;
	}
	return 0;
}

/* One batch: returns the number of RX frames handled (0: the RX ring was empty), or -errno. */
static int echo_batch(struct echo *e)
{
	uint32_t want = BATCH, k, room, used = 0, i, len;
	int n, err;

	if (e->limit && e->limit - e->echoed < want)
		want = (uint32_t)(e->limit - e->echoed);
	n = xdpsock_rx_seek_n(e->rx, want);
	if (n <= 0)
		return 0;
	k = (uint32_t)n;
	room = (uint32_t)xdpsock_tx_seek_n(e->tx, k);
	if (room < k) {
		/* Completions come back only if the kernel transmits: wake it and look again. */
		err = kick(e);
		if (err)
			return err;
		room = (uint32_t)xdpsock_tx_seek_n(e->tx, k);
	}
	for (i = 0; i < k; i++) {
		const uint8_t *in = xdpsock_rx_peek_at(e->rx, i, &len);
		uint8_t *out;

		if (!in) {
			e->bad_descs++;		/* EBADMSG: counted by the library too; commit it anyway */
			continue;
		}
		if (len < ETH_HLEN_) {
			e->runts++;
			continue;
		}
		if (in[0] & 1) {		/* group bit of the destination MAC */
			e->not_unicast++;
			continue;
		}
		if (used == room) {
			e->no_tx_frame++;
			continue;
		}
		out = xdpsock_tx_peek_at(e->tx, used, len);
		if (!out) {			/* only if len exceeded a TX frame, which an RX frame cannot */
			e->no_tx_frame++;
			continue;
		}
		memcpy(out, in, len);
		reflect(out, len);
		used++;
	}
	e->received += k;
	if (used) {
		/* Reserved frames beyond "used" stay reserved for the next batch. */
		err = xdpsock_tx_commit_n(e->tx, used);
		if (err < 0)
			return err;
		e->echoed += used;
	}
	if (used || e->tx_pending) {
		err = kick(e);			/* one wakeup per batch */
		if (err)
			return err;
	}
	err = xdpsock_rx_commit_n(e->rx, k);
	if (err < 0)
		return err;
	e->batches++;
	if (e->limit && e->echoed >= e->limit)
		e->done = true;
	return (int)k;
}

/* The socket is readable: a bounded burst of batches, then flush once the RX ring ran dry. */
static int on_readable(struct echo *e)
{
	int b, n;

	for (b = 0; b < BURST && !e->done; b++) {
		n = echo_batch(e);
		if (n < 0)
			return n;
		if (n == 0)
			return flush(e);
	}
	return 0;
}

/* The error the kernel recorded on the socket (ENETDOWN when its interface went away), or 0. */
static int socket_error(int fd)
{
	int soerr = 0;
	socklen_t len = sizeof(soerr);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len))
		return -errno;
	return -soerr;
}

static int add_fd(int ep, int fd, uint32_t tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = tag };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

/* Give the last echoes to the kernel before the socket closes: bounded to ~0.5 s. */
static void drain_tx(struct echo *e)
{
	struct xdpsock_stats st;
	int i;

	for (i = 0; i < 100; i++) {
		if (xdpsock_tx_stats(e->tx, &st) || st.frames.tx == 0)
			return;
		if (kick(e))
			return;
		usleep(5000);
	}
}

static void summary(const struct echo *e, const char *ifname, uint32_t queue, double secs, const char *why)
{
	struct xdpsock_stats st;
	uint64_t dropped = e->not_unicast + e->runts + e->no_tx_frame + e->bad_descs;

	printf(PROG ": stopped (%s) after %.2f s on %s queue %" PRIu32 "\n", why, secs, ifname, queue);
	printf("  frames received      %" PRIu64 "\n", e->received);
	printf("  frames echoed        %" PRIu64 " (in %" PRIu64 " batches)\n", e->echoed, e->batches);
	printf("  not echoed           %" PRIu64 " (multicast/broadcast %" PRIu64 ", runts %" PRIu64
	       ", no free TX frame %" PRIu64 ", bad descriptors %" PRIu64 ")\n",
	       dropped, e->not_unicast, e->runts, e->no_tx_frame, e->bad_descs);
	if (xdpsock_rx_stats(e->rx, &st)) {
		printf("  (socket statistics unavailable: %s)\n", xdpsock_errmsg());
		return;
	}
	printf("  kernel drops         rx_dropped %" PRIu64 ", rx_ring_full %" PRIu64 ", fill_ring_empty %" PRIu64
	       ", rx_invalid %" PRIu64 ", tx_invalid %" PRIu64 "\n",
	       st.rx_dropped, st.rx_ring_full, st.rx_fill_ring_empty_descs, st.rx_invalid_descs,
	       st.tx_invalid_descs);
	printf("  library              rx_frames %" PRIu64 ", tx_frames %" PRIu64 ", tx_completed %" PRIu64
	       ", rx_wakeups %" PRIu64 ", tx_wakeups %" PRIu64 ", rx_deferred %" PRIu64 "\n",
	       st.rx_frames, st.tx_frames, st.tx_completed, st.rx_wakeups, st.tx_wakeups, st.rx_deferred);
	printf("  UMEM frames          %" PRIu32 ": free %" PRIu32 ", fill %" PRIu32 ", kernel %" PRIu32
	       ", rx %" PRIu32 ", user %" PRIu32 ", tx %" PRIu32 ", completion %" PRIu32 "\n",
	       st.frames.total, st.frames.free, st.frames.fill, st.frames.kernel, st.frames.rx, st.frames.user,
	       st.frames.tx, st.frames.comp);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "queue", required_argument, NULL, 'q' },
		{ "copy", no_argument, NULL, 'C' },
		{ "zerocopy", no_argument, NULL, 'Z' },
		{ "auto", no_argument, NULL, 'A' },
		{ "native", no_argument, NULL, 'N' },
		{ "generic", no_argument, NULL, 'G' },
		{ "count", required_argument, NULL, 'c' },
		{ "duration", required_argument, NULL, 'd' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct xdpsock_opts opts = { .sz = sizeof(opts) };
	struct echo e = { 0 };
	struct xdpsock_mode mode;
	struct epoll_event evs[4];
	const char *ifname, *why = "?", *copy_opt = NULL, *attach_opt = NULL;
	char buf[256];
	uint64_t v, duration = 0;
	uint32_t queue = 0;
	int verbose = 0, c, ifindex, err, ep = -1, sfd = -1, tfd = -1, rc = 1;
	sigset_t mask;
	double t0;

	while ((c = getopt_long(argc, argv, "q:c:d:vhVh", longopts, NULL)) != -1) {
		switch (c) {
		case 'q':
			if (parse_u64(optarg, UINT32_MAX, &v))
				goto bad_value;
			queue = (uint32_t)v;
			break;
		case 'C':
		case 'Z':
		case 'A':
			if (one_of(&copy_opt, c == 'C' ? "--copy" : c == 'Z' ? "--zerocopy" : "--auto"))
				goto usage_error;
			opts.copy_mode = c == 'C' ? XDPSOCK_COPY_FORCE : c == 'Z' ? XDPSOCK_COPY_ZEROCOPY : XDPSOCK_COPY_AUTO;
			break;
		case 'N':
		case 'G':
			if (one_of(&attach_opt, c == 'N' ? "--native" : "--generic"))
				goto usage_error;
			opts.attach_mode = c == 'N' ? XDPSOCK_ATTACH_NATIVE : XDPSOCK_ATTACH_GENERIC;
			break;
		case 'c':
			if (parse_u64(optarg, UINT64_MAX, &e.limit))
				goto bad_value;
			/* 0 would read as "stop after none"; unlimited is the default, asked for by leaving -c out. */
			if (!e.limit) {
				fprintf(stderr, PROG ": -c takes 1 or more; omit it to run until stopped\n");
				goto usage_error;
			}
			break;
		case 'd':
			if (parse_u64(optarg, 365u * 24 * 3600, &duration))
				goto bad_value;
			break;
		case 'v':
			verbose++;
			break;
		case 'V':
			printf("xdpsock-echo %d.%d.%d (libxdpsock %s)\n", XDPSOCK_VERSION_MAJOR, XDPSOCK_VERSION_MINOR,
			       XDPSOCK_VERSION_PATCH, xdpsock_version());
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, PROG ": %s\n", optind >= argc ? "missing IFNAME" : "exactly one IFNAME expected");
		usage(stderr);
		return 2;
	}
	ifname = argv[optind];
	ifindex = (int)if_nametoindex(ifname);
	if (!ifindex) {
		fprintf(stderr, PROG ": no interface '%s' in this network namespace (ip link shows them)\n", ifname);
		return 1;
	}

	/* Blocked before anything else: from now on the signals arrive only through the signalfd. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, NULL)) {
		perror(PROG ": sigprocmask");
		return 1;
	}

	xdpsock_set_log(log_cb, &verbose);
	err = xdpsock_pair_create(&e.tx, &e.rx, ifindex, queue, &opts);
	if (err) {
		fprintf(stderr, PROG ": cannot open %s queue %" PRIu32 ": %s\n", ifname, queue, explain(err, &opts));
		return 1;
	}
	xdpsock_rx_mode(e.rx, &mode);
	printf(PROG ": %s queue %" PRIu32 ": %s\n", ifname, queue, xdpsock_mode_str(&mode, buf, sizeof(buf)));

	ep = epoll_create1(EPOLL_CLOEXEC);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (ep < 0 || sfd < 0 || add_fd(ep, xdpsock_rx_fd(e.rx), EV_RX) || add_fd(ep, sfd, EV_SIGNAL)) {
		perror(PROG ": epoll/signalfd");
		goto out;
	}
	if (duration) {
		struct itimerspec its = { .it_value = { .tv_sec = (time_t)duration } };

		tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
		if (tfd < 0 || timerfd_settime(tfd, 0, &its, NULL) || add_fd(ep, tfd, EV_TIMER)) {
			perror(PROG ": timerfd");
			goto out;
		}
	}
	if (duration)
		printf(PROG ": echoing for up to %" PRIu64 " s", duration);
	else
		printf(PROG ": echoing until SIGINT or SIGTERM");
	if (e.limit)
		printf(" or %" PRIu64 " frames", e.limit);
	printf("\n");
	fflush(stdout);		/* "echoing" is the ready line scripts wait for */

	t0 = now_s();
	while (!e.done) {
		/*
		 * Frames left on the TX ring by a busy kernel: come back in 1 ms to kick again.  Else
		 * wake once a second anyway: an AF_XDP socket whose interface disappears does not
		 * become readable or report EPOLLERR, it only records the error (SO_ERROR).
		 */
		int n = epoll_wait(ep, evs, 4, e.tx_pending ? 1 : 1000), i;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror(PROG ": epoll_wait");
			goto out;
		}
		if (n == 0) {
			err = flush(&e);
			if (!err)
				err = socket_error(xdpsock_rx_fd(e.rx));
			if (err)
				goto io_error;
			continue;
		}
		for (i = 0; i < n && !e.done; i++) {
			switch (evs[i].data.u32) {
			case EV_SIGNAL: {
				struct signalfd_siginfo si;

				if (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
					why = si.ssi_signo == SIGINT ? "SIGINT" : si.ssi_signo == SIGTERM ? "SIGTERM" : "SIGHUP";
					e.done = true;
				}
				break;
			}
			case EV_TIMER: {
				uint64_t ticks;

				if (read(tfd, &ticks, sizeof(ticks)) == (ssize_t)sizeof(ticks)) {
					why = "duration reached";
					e.done = true;
				}
				break;
			}
			case EV_RX:
				if (evs[i].events & (EPOLLERR | EPOLLHUP)) {
					fprintf(stderr, PROG ": the socket reports an error: is %s still there?\n", ifname);
					goto out;
				}
				err = on_readable(&e);
				if (err)
					goto io_error;
				if (e.done)
					why = "count reached";
				break;
			}
		}
	}
	drain_tx(&e);
	summary(&e, ifname, queue, now_s() - t0, why);
	rc = 0;
	goto out;

io_error:
	if (err == -ENETDOWN || err == -ENXIO)
		fprintf(stderr, PROG ": %s is down or was removed: %s\n", ifname, strerror(-err));
	else
		fprintf(stderr, PROG ": %s: %s\n", ifname, xdpsock_strerror(err));
	summary(&e, ifname, queue, now_s() - t0, "error");
out:
	if (tfd >= 0)
		close(tfd);
	if (sfd >= 0)
		close(sfd);
	if (ep >= 0)
		close(ep);
	xdpsock_tx_destroy(e.tx);
	xdpsock_rx_destroy(e.rx);
	return rc;

bad_value:
	fprintf(stderr, PROG ": invalid value '%s' for -%c / --%s: expected %s\n", optarg, c,
		c == 'q' ? "queue" : c == 'c' ? "count" : "duration",
		c == 'q' ? "a queue number" : c == 'c' ? "a number of frames, 1 or more" :
			   "whole seconds, up to 31536000 (0: until a signal)");
usage_error:
	usage(stderr);
	return 2;
}
