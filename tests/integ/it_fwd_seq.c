// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * it_fwd_seq: sequence-numbered traffic for the xdpbridge tests (tests/integ/it_fwd*.sh).
 *
 *   it_fwd_seq                          self-check: the verifier's verdicts on made-up streams
 *   it_fwd_seq send IF [options]        AF_XDP TX sockets on queues 0..N-1 of IF
 *   it_fwd_seq sink IF [options]        AF_XDP RX sockets on queues 0..N-1 of IF, verifying
 *   it_fwd_seq foreign IF               someone else's XDP program ("foreign", XDP_PASS, native) on
 *                                       IF until SIGINT/SIGTERM (at most 300 s), then removed
 *
 * Stream q (q = 0..N-1) is sent on TX queue q with UDP destination port --dport + q; its frame
 * seq is lab_udp_frame(seq) from --smac/--sip to --dmac/--dip with seq in the payload and a
 * length of 60..1514 bytes that varies with seq (or --len).  With --max-len L the sink expects the
 * frames longer than L not to arrive (a forwarder drops them as oversize) and all others to.  The sink rebuilds the frame each
 * sequence number must be and compares byte for byte; per stream it counts frames received in
 * order, lost, duplicated, reordered (arrived after a later one), corrupted (bytes or length
 * differ, or a sequence number never sent) and records the RX queues they arrived on.  It passes
 * when every stream arrived complete, once each, in order, intact.
 *
 * send: --count N frames per stream at --rate PPS in total (0: as fast as it can), for at most
 * --secs S seconds (with --rate 0 and no --count: exactly S seconds, the overload generator).
 * sink: prints "sink ready" once its sockets exist, stops when every stream is complete (then
 * lingers --linger-ms for duplicates) or after --secs.  Every loop is bounded in time.
 *
 * Run by the runner without arguments, it checks that the verifier catches each kind of fault
 * (so that a pass of the integration tests means something).  Exit 0 pass, 1 fail, 2 usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdpsock/xdpsock.h>

#include "lab.h"

#define PROG "it_fwd_seq"
#define MAXQ 16
#define BATCH 64u
#define HDR 42u

struct stream {
	uint32_t count;		/* sent */
	uint32_t expect;	/* of those, short enough to arrive (--max-len) */
	uint64_t too_long;	/* frames longer than --max-len that arrived anyway */
	uint32_t next;		/* one past the highest sequence number seen */
	uint8_t *seen;
	uint64_t unique, dup, reorder, corrupt;
	uint32_t qmask;		/* RX queues it arrived on */
};

struct cfg {
	const char *ifname;
	uint32_t queues, count, rate, len, max_len;
	uint16_t dport;
	double secs;
	int linger_ms;
	struct lab l;		/* only mac[0..1], ip[0..1] are used: 0 = source, 1 = destination */
};

static volatile sig_atomic_t stop;

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

static uint32_t frame_len(const struct cfg *c, uint32_t seq)
{
	return c->len ? c->len : 60 + (seq * 37u) % 1455u;	/* 60 .. 1514 */
}

/* ---- the verifier ------------------------------------------------------------ */

static void stream_init(struct stream *s, const struct cfg *c, uint32_t count)
{
	memset(s, 0, sizeof(*s));
	s->count = count;
	for (uint32_t seq = 0; seq < count; seq++)
		s->expect += !c->max_len || frame_len(c, seq) <= c->max_len;
	s->seen = calloc(count ? count : 1, 1);
	if (!s->seen) {
		fprintf(stderr, PROG ": out of memory\n");
		exit(1);
	}
}

/* One frame of stream @s (already known to carry its port). */
static void verify(const struct cfg *c, struct stream *s, uint16_t dport, const uint8_t *p, uint32_t len, uint32_t queue)
{
	uint8_t want[2048];
	uint32_t seq, wlen;

	s->qmask |= 1u << queue;
	if (len < HDR + 4) {
		s->corrupt++;
		return;
	}
	memcpy(&seq, p + HDR, 4);
	if (seq >= s->count) {
		s->corrupt++;
		return;
	}
	wlen = frame_len(c, seq);
	if (wlen > sizeof(want) || lab_udp_frame(&c->l, 0, want, wlen, seq, dport) != len || memcmp(p, want, len)) {
		s->corrupt++;
		return;
	}
	if (s->seen[seq]) {
		s->dup++;
		return;
	}
	if (c->max_len && len > c->max_len) {
		s->too_long++;	/* the forwarder should have dropped it */
		return;
	}
	s->seen[seq] = 1;
	s->unique++;
	if (seq < s->next)
		s->reorder++;	/* a later frame came first */
	else
		s->next = seq + 1;
}

static int stream_ok(const struct stream *s)
{
	return s->unique == s->expect && !s->dup && !s->reorder && !s->corrupt && !s->too_long;
}

static int missing(const struct cfg *c, const struct stream *s, uint32_t seq)
{
	return !s->seen[seq] && (!c->max_len || frame_len(c, seq) <= c->max_len);
}

static void stream_report(const struct cfg *c, const struct stream *s, uint32_t q, uint16_t dport)
{
	char qs[64] = "";
	size_t o = 0;

	for (uint32_t i = 0; i < MAXQ; i++)
		if (s->qmask & (1u << i))
			o += (size_t)snprintf(qs + o, sizeof(qs) - o, "%s%u", o ? "," : "", i);
	if (s->expect != s->count)
		printf(PROG ": stream %u (port %u): %u of the %u frames are longer than --max-len: they must not arrive;"
		       " %" PRIu64 " did\n", q, dport, s->count - s->expect, s->count, s->too_long);
	printf(PROG ": stream %u (port %u): %s: received %" PRIu64 " of %u, lost %" PRIu64 ", duplicated %" PRIu64
	       ", reordered %" PRIu64 ", corrupted %" PRIu64 "; arrived on RX queue(s) %s\n",
	       q, dport, stream_ok(s) ? "ok" : "FAIL", s->unique, s->expect, (uint64_t)s->expect - s->unique, s->dup,
	       s->reorder, s->corrupt, o ? qs : "none");
	if (s->unique < s->expect) {
		/* Which ones: the first few runs of missing sequence numbers. */
		char runs[256] = "";
		size_t n = 0;
		int shown = 0;

		for (uint32_t a = 0; a < s->count && shown < 8; a++) {
			uint32_t b;

			if (!missing(c, s, a))
				continue;
			for (b = a; b + 1 < s->count && (missing(c, s, b + 1) || (c->max_len && !s->seen[b + 1])); b++)
				;
			n += (size_t)snprintf(runs + n, sizeof(runs) - n, "%s%u", shown ? ", " : "", a);
			if (b > a && n < sizeof(runs))
				n += (size_t)snprintf(runs + n, sizeof(runs) - n, "-%u", b);
			if (n >= sizeof(runs))
				break;
			shown++;
			a = b;
		}
		printf(PROG ": stream %u: missing sequence numbers %s%s\n", q, runs, shown == 8 ? ", ..." : "");
	}
}

/* ---- self-check: the verifier on made-up streams ------------------------------------- */

static int self_check(void)
{
	struct cfg c = { .count = 1000, .dport = 9000 };
	uint8_t f[2048];
	int fails = 0;
	enum { PERFECT, LOSE, DUP, SWAP, FLIP, SHORT, BIGSEQ, MAXLEN, MAXLEN_LEAK, NCASES };
	static const char *const name[] = { "perfect", "one lost", "one duplicated", "two swapped",
					    "one byte flipped", "one truncated", "unknown sequence number",
					    "--max-len, long ones gone", "--max-len, a long one came" };

	c.l.mac[0][0] = c.l.mac[1][0] = 0x02;
	c.l.mac[0][5] = 1;
	c.l.mac[1][5] = 2;
	c.l.ip[0] = 0xc6120101;
	c.l.ip[1] = 0xc6120102;
	for (int k = 0; k < NCASES; k++) {
		struct stream s;
		uint32_t order[1001], n = 0;

		c.max_len = k == MAXLEN || k == MAXLEN_LEAK ? 1014 : 0;
		stream_init(&s, &c, c.count);
		for (uint32_t i = 0, leaked = 0; i < c.count; i++) {
			int too_long = c.max_len && frame_len(&c, i) > c.max_len;

			if (!too_long || (k == MAXLEN_LEAK && !leaked++))
				order[n++] = i;
		}
		if (k == LOSE) {
			for (uint32_t i = 500; i + 1 < n; i++)
				order[i] = order[i + 1];
			n--;
		}
		if (k == DUP)
			order[n++] = 700;
		if (k == SWAP) {
			order[300] = 301;
			order[301] = 300;
		}
		for (uint32_t i = 0; i < n; i++) {
			uint32_t len = lab_udp_frame(&c.l, 0, f, frame_len(&c, order[i]), order[i], c.dport);

			if (k == FLIP && i == 10)
				f[len - 1] ^= 0x40;
			if (k == SHORT && i == 20)
				len -= 1;
			if (k == BIGSEQ && i == n - 1) {
				uint32_t bad = c.count + 5;

				memcpy(f + HDR, &bad, 4);
			}
			verify(&c, &s, c.dport, f, len, 0);
		}
		int want_ok = k == PERFECT || k == MAXLEN;
		int got_ok = stream_ok(&s);
		int right = got_ok == want_ok;

		switch (k) {
		case LOSE: right = right && s.unique == c.count - 1 && !s.dup && !s.reorder && !s.corrupt; break;
		case DUP: right = right && s.unique == c.count && s.dup == 1 && !s.reorder; break;
		case SWAP: right = right && s.unique == c.count && s.reorder == 1 && !s.dup; break;
		case FLIP: case SHORT: case BIGSEQ: right = right && s.corrupt == 1; break;
		case MAXLEN: right = right && s.expect < c.count && s.unique == s.expect; break;
		case MAXLEN_LEAK: right = right && s.too_long == 1 && s.unique == s.expect; break;
		}
		printf("%s self-check: %-26s -> %s (unique %" PRIu64 " of %u, dup %" PRIu64 ", reorder %" PRIu64
		       ", corrupt %" PRIu64 ", too long %" PRIu64 ")\n",
		       right ? "ok  " : "FAIL", name[k], got_ok ? "pass" : "fail", s.unique, s.expect, s.dup, s.reorder,
		       s.corrupt, s.too_long);
		fails += !right;
		free(s.seen);
	}
	printf("%s\n", fails ? "FAIL: the verifier misjudged a stream"
			     : "the verifier catches loss, duplication, reordering, corruption and oversize frames delivered");
	return fails ? T_FAIL : T_PASS;
}

/* ---- sender ----------------------------------------------------------------------------- */

static void sleep_us(long us)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = us * 1000 };

	nanosleep(&ts, NULL);
}

static int do_send(struct cfg *c, int ifindex)
{
	struct xdpsock_tx *tx[MAXQ];
	uint64_t sent[MAXQ] = { 0 }, total = 0;
	struct xdpsock_stats st;
	struct xdpsock_mode m;
	char buf[200];
	double t0, end, now;
	uint32_t q;
	int unlimited = c->count == 0, rc = 0;

	for (q = 0; q < c->queues; q++) {
		int err = xdpsock_tx_create(&tx[q], ifindex, q, NULL);

		if (err) {
			fprintf(stderr, PROG ": cannot open %s TX queue %u: %s\n", c->ifname, q, xdpsock_errmsg());
			return 1;
		}
	}
	xdpsock_tx_mode(tx[0], &m);
	if (unlimited)
		printf(PROG ": sending on %s queues 0..%u (%s): as many frames as it can%s for %.1f s\n", c->ifname,
		       c->queues - 1, xdpsock_mode_str(&m, buf, sizeof(buf)), c->rate ? " up to the rate" : "", c->secs);
	else
		printf(PROG ": sending on %s queues 0..%u (%s): %u frames per queue at %u pps%s, for at most %.1f s\n",
		       c->ifname, c->queues - 1, xdpsock_mode_str(&m, buf, sizeof(buf)), c->count, c->rate,
		       c->rate ? "" : " (no limit)", c->secs);
	fflush(stdout);
	t0 = lab_now();
	end = t0 + c->secs;
	for (uint64_t loops = 0; !stop && loops < 1000000000ull; loops++) {
		uint64_t due_total;
		int busy = 0, done = 1;

		now = lab_now();
		if (now >= end)
			break;
		due_total = c->rate ? (uint64_t)((now - t0) * c->rate) + 1 : UINT64_MAX;
		for (q = 0; q < c->queues; q++) {
			uint64_t due = c->rate ? due_total / c->queues + (q < due_total % c->queues) : UINT64_MAX;
			uint32_t want, k;
			int n, err;

			if (!unlimited && sent[q] >= c->count)
				continue;
			done = 0;
			if (!unlimited && due > c->count)
				due = c->count;
			if (due <= sent[q])
				continue;
			want = due - sent[q] > BATCH ? BATCH : (uint32_t)(due - sent[q]);
			n = xdpsock_tx_seek_n(tx[q], want);
			for (k = 0; k < (uint32_t)(n > 0 ? n : 0); k++) {
				uint32_t seq = (uint32_t)sent[q] + k, len = frame_len(c, seq);
				uint8_t *p = xdpsock_tx_peek_at(tx[q], k, len);

				if (!p) {
					fprintf(stderr, PROG ": peek: %s\n", strerror(errno));
					return 1;
				}
				lab_udp_frame(&c->l, 0, p, len, seq, (uint16_t)(c->dport + q));
			}
			if (n > 0) {
				xdpsock_tx_commit_n(tx[q], (uint32_t)n);
				sent[q] += (uint32_t)n;
				busy = 1;
			}
			err = xdpsock_tx_kick(tx[q]);
			if (err < 0) {
				fprintf(stderr, PROG ": %s TX queue %u: %s\n", c->ifname, q, strerror(-err));
				return 1;
			}
		}
		if (done)
			break;
		/* Paced: sleep between batches rather than spin (two cores, one of them the forwarder's). */
		if (c->rate && !busy)
			sleep_us(100);
		else if (c->rate)
			sleep_us(20);
	}
	/* Whatever is still on a TX ring goes out now (bounded). */
	for (q = 0; q < c->queues; q++) {
		double settle = lab_now() + 5;

		while (lab_now() < settle) {
			if (xdpsock_tx_stats(tx[q], &st) == 0 && st.frames.tx == 0 && st.frames.kernel == 0)
				break;
			xdpsock_tx_kick(tx[q]);
			xdpsock_tx_wait(tx[q], 1);
		}
		total += sent[q];
		printf(PROG ": queue %u: sent %" PRIu64 " frames\n", q, sent[q]);
		if (!unlimited && sent[q] != c->count) {
			printf(PROG ": queue %u: FAIL: only %" PRIu64 " of %u frames sent in %.1f s\n", q, sent[q], c->count,
			       c->secs);
			rc = 1;
		}
		xdpsock_tx_destroy(tx[q]);
	}
	now = lab_now();
	printf(PROG ": sent %" PRIu64 " frames in %.2f s (%.0f pps)\n", total, now - t0, total / (now - t0));
	return rc;
}

/* ---- sink --------------------------------------------------------------------------------- */

static int do_sink(struct cfg *c, int ifindex)
{
	struct xdpsock_rx *rx[MAXQ];
	struct stream s[MAXQ];
	struct pollfd pfd[MAXQ];
	struct xdpsock_stats st;
	struct xdpsock_mode m;
	uint64_t other = 0;
	char buf[200];
	double end, complete_at = 0;
	uint32_t q;
	int ok = 1;

	for (q = 0; q < c->queues; q++) {
		int err = xdpsock_rx_create(&rx[q], ifindex, q, NULL);

		if (err) {
			fprintf(stderr, PROG ": cannot open %s RX queue %u: %s\n", c->ifname, q, xdpsock_errmsg());
			return 1;
		}
		stream_init(&s[q], c, c->count);
		pfd[q].fd = xdpsock_rx_fd(rx[q]);
		pfd[q].events = POLLIN;
	}
	xdpsock_rx_mode(rx[0], &m);
	printf(PROG ": sink ready on %s queues 0..%u (%s), expecting %u frames per stream\n", c->ifname, c->queues - 1,
	       xdpsock_mode_str(&m, buf, sizeof(buf)), c->count);
	fflush(stdout);
	end = lab_now() + c->secs;
	for (uint64_t loops = 0; !stop && loops < 100000000ull; loops++) {
		double now = lab_now();
		int all = 1, n;

		if (now >= end || (complete_at && now >= complete_at))
			break;
		n = poll(pfd, c->queues, 20);
		if (n < 0 && errno != EINTR) {
			fprintf(stderr, PROG ": poll: %s\n", strerror(errno));
			return 1;
		}
		for (q = 0; q < c->queues; q++) {
			for (int b = 0; b < 64; b++) {
				int k = xdpsock_rx_seek_n(rx[q], BATCH);

				if (k <= 0)
					break;
				for (uint32_t i = 0; i < (uint32_t)k; i++) {
					uint32_t len;
					const uint8_t *p = xdpsock_rx_peek_at(rx[q], i, &len);
					int dport = p ? lab_frame_dport(p, len) : -1;

					if (dport >= c->dport && dport < c->dport + (int)c->queues)
						verify(c, &s[dport - c->dport], (uint16_t)dport, p, len, q);
					else
						other++;
				}
				xdpsock_rx_commit_n(rx[q], (uint32_t)k);
			}
		}
		for (q = 0; q < c->queues; q++)
			all = all && s[q].unique == s[q].expect;
		if (all && !complete_at)
			complete_at = lab_now() + c->linger_ms / 1000.0;
	}
	for (q = 0; q < c->queues; q++) {
		stream_report(c, &s[q], q, (uint16_t)(c->dport + q));
		ok = ok && stream_ok(&s[q]);
		if (xdpsock_rx_stats(rx[q], &st) == 0)
			printf(PROG ": RX queue %u socket: rx_dropped %" PRIu64 ", rx_ring_full %" PRIu64
			       ", fill_ring_empty %" PRIu64 ", invalid %" PRIu64 "\n",
			       q, st.rx_dropped, st.rx_ring_full, st.rx_fill_ring_empty_descs, st.rx_invalid_descs);
		xdpsock_rx_destroy(rx[q]);
		free(s[q].seen);
	}
	printf(PROG ": %" PRIu64 " other frames; %s\n", other, ok ? "PASS: every stream complete, once, in order, intact"
								    : "FAIL");
	return ok ? 0 : 1;
}

/* ---- a foreign XDP program ------------------------------------------------------------ */

static int do_foreign(const char *ifname, int ifindex)
{
	/* r0 = XDP_PASS; exit */
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = XDP_PASS },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_xdp_attach_opts, o);
	struct bpf_prog_info info;
	uint32_t ilen = sizeof(info);
	int fd, err;

	fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "foreign", "GPL", insns, 2, NULL);
	if (fd < 0) {
		fprintf(stderr, PROG ": cannot load an XDP program: %s\n", strerror(errno));
		return 1;
	}
	err = bpf_xdp_attach(ifindex, fd, XDP_FLAGS_UPDATE_IF_NOEXIST | XDP_FLAGS_DRV_MODE, NULL);
	if (err) {
		fprintf(stderr, PROG ": cannot attach it to %s: %s\n", ifname, strerror(-err));
		return 1;
	}
	memset(&info, 0, sizeof(info));
	bpf_obj_get_info_by_fd(fd, &info, &ilen);
	printf(PROG ": foreign program 'foreign' (id %u) attached to %s (native)\n", info.id, ifname);
	for (int i = 0; i < 3000 && !stop; i++)
		usleep(100000);
	/* Only if it is still ours: someone may have replaced it (xdpbridge --force). */
	o.old_prog_fd = fd;
	err = bpf_xdp_detach(ifindex, XDP_FLAGS_DRV_MODE, &o);
	printf(PROG ": foreign program %s\n", err ? "was no longer attached" : "removed");
	close(fd);
	return 0;
}

/* ---- main -------------------------------------------------------------------------------- */

static void usage(void)
{
	fprintf(stderr,
		"usage: " PROG "                       (self-check of the verifier)\n"
		"       " PROG " send|sink IF --smac MAC --dmac MAC --sip A --dip B [--queues N] [--count N]\n"
		"                [--rate PPS] [--len BYTES] [--dport P] [--secs S] [--linger-ms MS] [--max-len BYTES]\n"
		"       " PROG " foreign IF    (attach an XDP_PASS program named 'foreign' until SIGINT/SIGTERM)\n");
	exit(2);
}

static int mac(const char *s, uint8_t *m)
{
	unsigned int b[6];
	int n = 0;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%n", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &n) != 6 || s[n])
		return -1;
	for (int i = 0; i < 6; i++)
		m[i] = (uint8_t)b[i];
	return 0;
}

static int ip4(const char *s, uint32_t *ip)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return -1;
	*ip = ntohl(a.s_addr);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "smac", 1, NULL, 'a' }, { "dmac", 1, NULL, 'b' }, { "sip", 1, NULL, 'c' },
		{ "dip", 1, NULL, 'd' },  { "queues", 1, NULL, 'q' }, { "count", 1, NULL, 'n' },
		{ "rate", 1, NULL, 'r' }, { "len", 1, NULL, 'l' },   { "dport", 1, NULL, 'p' },
		{ "secs", 1, NULL, 's' }, { "linger-ms", 1, NULL, 'g' }, { "max-len", 1, NULL, 'm' },
		{ NULL, 0, NULL, 0 },
	};
	struct cfg c = { .queues = 1, .count = 0, .dport = 9000, .secs = 30, .linger_ms = 300 };
	int have = 0, opt, ifindex;
	const char *mode;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 1)
		return self_check();
	if (argc < 3)
		usage();
	mode = argv[1];
	c.ifname = argv[2];
	if (!strcmp(mode, "foreign")) {
		if (argc != 3)
			usage();
		lab_require_root(PROG);
		ifindex = (int)if_nametoindex(c.ifname);
		if (!ifindex) {
			fprintf(stderr, PROG ": no interface %s in this namespace\n", c.ifname);
			return 1;
		}
		signal(SIGINT, on_stop);
		signal(SIGTERM, on_stop);
		return do_foreign(c.ifname, ifindex);
	}
	optind = 3;
	while ((opt = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (opt) {
		case 'a': if (mac(optarg, c.l.mac[0])) usage(); have |= 1; break;
		case 'b': if (mac(optarg, c.l.mac[1])) usage(); have |= 2; break;
		case 'c': if (ip4(optarg, &c.l.ip[0])) usage(); have |= 4; break;
		case 'd': if (ip4(optarg, &c.l.ip[1])) usage(); have |= 8; break;
		case 'q': c.queues = (uint32_t)atoi(optarg); break;
		case 'n': c.count = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'r': c.rate = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'l': c.len = (uint32_t)atoi(optarg); break;
		case 'p': c.dport = (uint16_t)atoi(optarg); break;
		case 's': c.secs = atof(optarg); break;
		case 'g': c.linger_ms = atoi(optarg); break;
		case 'm': c.max_len = (uint32_t)atoi(optarg); break;
		default: usage();
		}
	}
	if (optind != argc || have != 15 || c.queues < 1 || c.queues > MAXQ || c.secs <= 0 || c.secs > 600 ||
	    (c.len && (c.len < 60 || c.len > 1514)) || c.count > 10000000 || c.linger_ms < 0 || c.linger_ms > 10000 ||
	    c.max_len > 1514)
		usage();
	if (strcmp(mode, "send") && strcmp(mode, "sink"))
		usage();
	if (!strcmp(mode, "sink") && !c.count)
		usage();
	lab_require_root(PROG);
	ifindex = (int)if_nametoindex(c.ifname);
	if (!ifindex) {
		fprintf(stderr, PROG ": no interface %s in this namespace\n", c.ifname);
		return 1;
	}
	signal(SIGINT, on_stop);
	signal(SIGTERM, on_stop);
	return !strcmp(mode, "send") ? do_send(&c, ifindex) : do_sink(&c, ifindex);
}
