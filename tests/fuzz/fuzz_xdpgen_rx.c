// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * libFuzzer target for `xdpgen rx`'s receive verifier (tools/xdpgen/): every frame through
 * xg_frame_check() as rx.c's one() does it, the sequence numbers of those it calls ours through
 * the sequence verifier (seqv.c).  The oracles:
 *
 *   ours        only what a receiver can check says so (recomputed here, byte by byte): IPv4
 *               (IHL 5, UDP, no fragment, header checksum) or IPv6 (UDP next), lengths within
 *               the frame and agreeing, a UDP checksum that is there and verifies, the magic,
 *               every payload byte the pattern; and @ri says what the frame carries.  A frame
 *               built by xdpgen (xg_tmpl_build, xg_frame_build) is ours, with what it was built
 *               with; one byte of it changed anywhere a receiver checks makes it not ours; one
 *               changed elsewhere (MACs, IPv6 traffic class, flow label, hop limit, Ethernet
 *               padding) leaves it ours.  Reflected (xg_frame_reflect), it is ours again, with
 *               addresses and ports swapped; reflected twice, it is as it was
 *   corrupt     carries our magic where ours would, and says why
 *   seqv        the verdict of every number, and the counters, as a model with an exact set of
 *               the numbers seen (not a window of bits) says, under the rules of seqv.h:
 *               32-bit numbers extended around the highest seen, stale beyond the window
 *
 * The input: byte 0 the window (64 << (b & 7)), bytes 1-4 the stream's first number, bytes 5-6
 * the frames expected (for the count of lost ones), then records, one byte each and operands:
 *   op & 3 == 0   an xdpgen frame: bit 2 IPv6; [length, 2 bytes] [sequence, 4] [send time, 4]
 *                 [source port, 2] [padding, 1]; then (op >> 3 & 3) bytes changed: [where, 2] [xor, 1]
 *   op & 3 == 1   raw bytes: [length, 2 bytes: at most XG_MAX_FRAME + 64] then the frame
 *   op & 3 == 2   a number for the verifier only: the previous one + (int8_t) [delta, 1]
 *   op & 3 == 3   a run: [count, 1] numbers, each the previous + (int8_t) [step, 1]
 * Seeds: tests/fuzz/corpus/fuzz_xdpgen_rx/ (tests/fuzz/mkseeds.py).
 */
#include <errno.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "fuzz.h"
#include "frame.h"
#include "seqv.h"

#define MAX_SEQS 16384		/* numbers per input */
#define SET_SLOTS 32768		/* the model's set: twice MAX_SEQS, a power of two */

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

/* ---- the sequence verifier's model ---- */

static uint64_t set_key[SET_SLOTS];
static bool set_used[SET_SLOTS];
static uint32_t set_slots[MAX_SEQS], set_n;

/* Insert @k; true when it was there already. */
static bool set_put(uint64_t k)
{
	uint32_t i = (uint32_t)((k * 0x9e3779b97f4a7c15ull) >> 49) & (SET_SLOTS - 1);

	while (set_used[i]) {
		if (set_key[i] == k)
			return true;
		i = (i + 1) & (SET_SLOTS - 1);
	}
	assert_true(set_n < MAX_SEQS);
	set_used[i] = true;
	set_key[i] = k;
	set_slots[set_n++] = i;
	return false;
}

static bool set_has(uint64_t k)
{
	uint32_t i = (uint32_t)((k * 0x9e3779b97f4a7c15ull) >> 49) & (SET_SLOTS - 1);

	for (; set_used[i]; i = (i + 1) & (SET_SLOTS - 1))
		if (set_key[i] == k)
			return true;
	return false;
}

static void set_clear(void)
{
	while (set_n)
		set_used[set_slots[--set_n]] = false;
}

struct model {
	bool any;
	uint64_t first, top, unique, dup, reord, stale;
	uint32_t window;
};

static enum xg_seq model_add(struct model *m, uint32_t seq)
{
	uint64_t n;

	if (!m->any) {
		n = m->first + (uint32_t)(seq - (uint32_t)m->first);
		m->any = true;
		m->top = n;
		set_put(n);
		m->unique++;
		return XG_SEQ_NEW;
	}
	/* Signed: a number before the stream's first is not one of ours, however it wraps. */
	if ((int64_t)m->top + (int32_t)(seq - (uint32_t)m->top) < (int64_t)m->first) {
		m->stale++;
		return XG_SEQ_STALE;
	}
	n = m->top + (uint64_t)(int64_t)(int32_t)(seq - (uint32_t)m->top);
	if (n > m->top) {
		m->top = n;
		assert_false(set_put(n));	/* above everything seen */
		m->unique++;
		return XG_SEQ_NEW;
	}
	if (m->top - n >= m->window) {
		m->stale++;
		return XG_SEQ_STALE;
	}
	if (set_has(n)) {
		m->dup++;
		return XG_SEQ_DUP;
	}
	set_put(n);
	m->unique++;
	m->reord++;
	return XG_SEQ_LATE;
}

static struct xg_seqv v;
static struct model m;
static uint32_t nseqs, last_seq;

static void seq_add(uint32_t seq)
{
	enum xg_seq got, want;

	if (nseqs == MAX_SEQS)
		return;
	nseqs++;
	last_seq = seq;
	got = xg_seqv_add(&v, seq);
	want = model_add(&m, seq);
	if (got != want)
		fail_msg("number %#x (%u-th): verdict %d, the model says %d (top %#llx)", seq, nseqs, got, want,
			 (unsigned long long)m.top);
	assert_int_equal(v.unique, m.unique);
	assert_int_equal(v.duplicates, m.dup);
	assert_int_equal(v.reordered, m.reord);
	assert_int_equal(v.stale, m.stale);
	assert_int_equal(v.top, m.top);
}

/* ---- frames ---- */

/* What a receiver can check of frame @f says ours (recomputed), and @ri agrees with its bytes. */
static void check_ours(const uint8_t *f, uint32_t len, const struct xg_rxinfo *ri)
{
	bool v6 = get16(f + 12) == 0x86dd;
	const uint8_t *ip = f + 14, *udp = ip + (v6 ? 40 : 20), *pl = udp + 8;
	uint32_t alen = v6 ? 16 : 4, ip_len, udp_len, k;
	uint8_t tail[4] = { 0, 17, 0, 0 };
	uint64_t s;

	assert_true(len >= (uint32_t)(pl - f) + XG_PL_HDR);
	if (v6) {
		assert_true(ip[0] >> 4 == 6 && ip[6] == 17);
		ip_len = 40u + get16(ip + 4);
	} else {
		assert_true(get16(f + 12) == 0x0800 && ip[0] == 0x45 && ip[9] == 17 && !(get16(ip + 6) & 0x3fff));
		assert_int_equal(fz_fold(fz_sum(0, ip, 20)), 0xffff);
		ip_len = get16(ip + 2);
	}
	udp_len = get16(udp + 4);
	assert_true(ip_len <= len - 14 && udp_len == ip_len - (uint32_t)(udp - ip) && udp_len >= 8 + XG_PL_HDR);
	assert_true(get16(udp + 6) != 0);
	tail[2] = (uint8_t)(udp_len >> 8);
	tail[3] = (uint8_t)udp_len;
	s = fz_sum(fz_sum(0, ip + (v6 ? 8 : 12), 2 * alen), tail, 4);
	assert_int_equal(fz_fold(fz_sum(s, udp, udp_len)), 0xffff);
	assert_int_equal(get32(pl), XG_MAGIC);
	for (k = XG_PL_HDR; k < udp_len - 8; k++)
		assert_int_equal(pl[k], xg_pattern(k));
	assert_int_equal(ri->family, v6 ? AF_INET6 : AF_INET);
	assert_int_equal(ri->seq, get32(pl + 4));
	assert_int_equal(ri->ts, (uint64_t)get32(pl + 8) << 32 | get32(pl + 12));
	assert_int_equal(ri->sport, get16(udp));
	assert_int_equal(ri->dport, get16(udp + 2));
	assert_ptr_equal(ri->src_ip, ip + (v6 ? 8 : 12));
	assert_ptr_equal(ri->dst_ip, ip + (v6 ? 24 : 16));
}

/* rx.c's one(): the verdict, checked; ours go to the verifier.  Returns the verdict. */
static enum xg_verdict one(const uint8_t *f, uint32_t len)
{
	struct xg_rxinfo ri;
	enum xg_verdict vd = xg_frame_check(f, len, &ri);

	switch (vd) {
	case XG_OTHER:
		break;
	case XG_CORRUPT:
		assert_non_null(ri.why);
		assert_true(len >= XG_HDR4);
		assert_int_equal(get32(f + (get16(f + 12) == 0x86dd ? XG_PL_OFF6 : XG_PL_OFF4)), XG_MAGIC);
		break;
	case XG_OURS:
		check_ours(f, len, &ri);
		seq_add(ri.seq);
		break;
	default:
		fail_msg("verdict %d", vd);
	}
	return vd;
}

/* Reflected, a frame of ours is ours, addresses and ports swapped; reflected again, itself. */
static void check_reflect(const uint8_t *f, uint32_t len)
{
	uint8_t *r = malloc(len);
	struct xg_rxinfo a, b;

	assert_non_null(r);
	memcpy(r, f, len);
	assert_int_equal(xg_frame_check(f, len, &a), XG_OURS);
	assert_true(xg_frame_reflect(r, len));
	assert_int_equal(xg_frame_check(r, len, &b), XG_OURS);
	assert_int_equal(b.sport, a.dport);
	assert_int_equal(b.dport, a.sport);
	assert_memory_equal(b.src_ip, a.dst_ip, a.family == AF_INET6 ? 16 : 4);
	assert_memory_equal(b.dst_ip, a.src_ip, a.family == AF_INET6 ? 16 : 4);
	assert_memory_equal(r, f + 6, 6);
	assert_memory_equal(r + 6, f, 6);
	assert_true(xg_frame_reflect(r, len));
	assert_memory_equal(r, f, len);
	free(r);
}

/* A byte of a frame built at @tlen bytes (IPv6: @v6) that no receiver checks. */
static bool unchecked(uint32_t off, uint8_t x, bool v6, uint32_t tlen)
{
	if (off < 12 || off >= tlen)
		return true;	/* MACs; Ethernet padding */
	if (!v6)
		return false;
	/* IPv6: traffic class and flow label (not the version nibble), hop limit */
	return (off == 14 && !(x & 0xf0)) || off == 15 || off == 16 || off == 17 || off == 21;
}

static void built(struct fz_in *rd, uint8_t op)
{
	static struct xg_tmpl t;
	bool v6 = op & 4;
	int family = v6 ? AF_INET6 : AF_INET;
	uint32_t min = xg_frame_min(family), tlen, seq, len, k, nmut = op >> 3 & 3;
	uint64_t ts;
	uint16_t sport;
	struct xg_addrs a = { .family = family, .src_mac = { 2, 0, 0, 0, 0, 1 }, .dst_mac = { 2, 0, 0, 0, 0, 2 },
			      .src_ip = { 198, 18, 0, 1 }, .dst_ip = { 198, 19, 0, 2 }, .dport = 9 };
	enum xg_verdict vd;
	uint8_t *f, x = 0;
	uint32_t off = 0;

	if (v6) {
		static const uint8_t s6[16] = { 0x20, 0x01, 0, 2, [15] = 1 }, d6[16] = { 0x20, 0x01, 0, 2, [15] = 2 };

		memcpy(a.src_ip, s6, 16);
		memcpy(a.dst_ip, d6, 16);
	}
	tlen = min + fz_u16(rd) % (XG_MAX_FRAME - min + 1);
	seq = fz_u32(rd);
	ts = (uint64_t)fz_u32(rd) << 20;
	sport = fz_u16(rd);
	len = tlen + fz_u8(rd) % 64;
	assert_int_equal(xg_tmpl_build(&t, &a, min - 1), -EINVAL);
	assert_int_equal(xg_tmpl_build(&t, &a, tlen), 0);
	f = malloc(len);
	assert_non_null(f);
	xg_frame_build(f, &t, sport, seq, ts);
	for (k = tlen; k < len; k++)
		f[k] = (uint8_t)(k * 13);	/* what a NIC pads with is anyone's guess */
	for (k = 0; k < nmut; k++) {
		off = fz_u16(rd) % len;
		x = fz_u8(rd);
		f[off] ^= x;
	}
	vd = one(f, len);
	if (!nmut || (nmut == 1 && (!x || unchecked(off, x, v6, tlen)))) {
		struct xg_rxinfo ri;

		if (vd != XG_OURS)
			fail_msg("an xdpgen frame of %u bytes (+%u) is not ours%s", tlen, len - tlen,
				 nmut ? " after a change no receiver checks" : "");
		xg_frame_check(f, len, &ri);
		assert_int_equal(ri.seq, seq);
		assert_int_equal(ri.ts, ts);
		assert_int_equal(ri.sport, sport);
	} else if (nmut == 1) {
		if (vd == XG_OURS)
			fail_msg("byte %u of an xdpgen frame of %u bytes changed (^%#x), and still ours", off, tlen, x);
	}
	if (vd == XG_OURS)
		check_reflect(f, len);
	free(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in rd = { data, size };
	uint32_t window = 64u << (fz_u8(&rd) & 7), first = fz_u32(&rd), expected = fz_u16(&rd), n, k;
	uint64_t span;

	assert_int_equal(xg_seqv_init(&v, window, first), 0);
	memset(&m, 0, sizeof(m));
	m.first = first;
	m.window = window;
	nseqs = 0;
	last_seq = first;
	while (fz_left(&rd) && nseqs < MAX_SEQS) {
		uint8_t op = fz_u8(&rd);

		switch (op & 3) {
		case 0:
			built(&rd, op);
			break;
		case 1: {
			size_t got;
			const uint8_t *b = fz_bytes(&rd, fz_u16(&rd) % (XG_MAX_FRAME + 65), &got);
			uint8_t *f = malloc(got ? got : 1);

			assert_non_null(f);
			memcpy(f, b, got);
			if (one(f, (uint32_t)got) == XG_OURS)
				check_reflect(f, (uint32_t)got);
			free(f);
			break;
		}
		case 2:
			seq_add(last_seq + (uint32_t)(int8_t)fz_u8(&rd));
			break;
		default:
			n = fz_u8(&rd);
			k = (uint32_t)(int8_t)fz_u8(&rd);
			while (n--)
				seq_add(last_seq + k);
			break;
		}
	}
	/* lost: the numbers expected (the count given, at least up to the highest) never seen. */
	span = m.any ? m.top - m.first + 1 : 0;
	assert_int_equal(xg_seqv_lost(&v, expected), (expected > span ? expected : span) - m.unique);
	xg_seqv_free(&v);
	set_clear();
	return 0;
}
