// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * libFuzzer target for the command line of `xdpbridge tap|tun` (bridge/tun_cfg.c): the --match
 * grammar (tun_match_parse), --peer-mac (tun_mac_parse), and whole argvs (tun_cfg_parse).
 *
 *   a rule parsed is one the XDP program can use: at least one key; a prefix of one family,
 *   stored masked, with a mask of leading ones no longer than the family's; port ranges with
 *   lo <= hi; fields it does not have are 0.  Written back as text (here) it parses to the same
 *   rule, byte for byte, and parsing is the same with a short error buffer
 *   a rule refused has a sentence, NUL-terminated within the buffer
 *   a MAC is accepted exactly when it is six pairs of hex digits between colons
 *   an argv gives OK (names valid and different, at most XB_STEER_MAX_RULES rules, each as
 *   above), HELP, or USAGE with a sentence
 *
 * The input: byte 0 bit 0: an argv (the rest split at newlines: tap when bit 1) else one
 * --match value and one --peer-mac value (the rest).
 * Seeds: tests/fuzz/corpus/fuzz_bridge_tun_match/ (tests/fuzz/mkseeds.py): the rules and
 * command lines of the unit tests and docs/.
 */
#include <arpa/inet.h>

#include "fuzz.h"
#include "tun.h"

#define MAX_ARGS 32
#define ALL_FIELDS (XB_RULE_DST | XB_RULE_SRC | XB_RULE_PROTO | XB_RULE_DPORT | XB_RULE_SPORT)

static bool zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	return !n || (!b[0] && !memcmp(b, b + 1, n - 1));
}

/* A prefix as the program wants it: leading ones in the family's width, the address masked. */
static void check_prefix(bool have, uint8_t family, const uint32_t addr[4], const uint32_t mask[4])
{
	const uint8_t *a = (const uint8_t *)addr, *m = (const uint8_t *)mask;
	unsigned int i, bits = 0;
	bool ended = false;

	if (!have) {
		assert_true(zero(addr, 16) && zero(mask, 16));
		return;
	}
	for (i = 0; i < 128; i++) {
		bool one = m[i / 8] & (0x80 >> (i % 8));

		assert_false(one && ended);	/* contiguous */
		ended = ended || !one;
		bits += one;
	}
	assert_true(bits <= (family == 4 ? 32u : 128u));
	for (i = 0; i < 16; i++)
		assert_int_equal(a[i] & ~m[i], 0);
}

static void check_rule(const struct xb_steer_rule *r)
{
	bool pre = r->fields & (XB_RULE_DST | XB_RULE_SRC);

	assert_true(r->fields && !(r->fields & ~ALL_FIELDS));
	assert_true(pre ? r->family == 4 || r->family == 6 : r->family == 0);
	check_prefix(r->fields & XB_RULE_DST, r->family, r->dst, r->dst_mask);
	check_prefix(r->fields & XB_RULE_SRC, r->family, r->src, r->src_mask);
	if (!(r->fields & XB_RULE_PROTO))
		assert_int_equal(r->proto, 0);
	assert_true(r->dport_lo <= r->dport_hi && r->sport_lo <= r->sport_hi);
	if (!(r->fields & XB_RULE_DPORT))
		assert_true(!r->dport_lo && !r->dport_hi);
	if (!(r->fields & XB_RULE_SPORT))
		assert_true(!r->sport_lo && !r->sport_hi);
	assert_int_equal(r->pad, 0);
}

/* "dst=198.18.5.0/24": a prefix as text, its length counted from the mask. */
static size_t put_prefix(char *s, size_t cap, const char *key, uint8_t family, const uint32_t addr[4],
			 const uint32_t mask[4])
{
	const uint8_t *m = (const uint8_t *)mask;
	char a[INET6_ADDRSTRLEN];
	unsigned int bits = 0, i;

	for (i = 0; i < 128; i++)
		bits += !!(m[i / 8] & (0x80 >> (i % 8)));
	assert_non_null(inet_ntop(family == 4 ? AF_INET : AF_INET6, addr, a, sizeof(a)));
	return (size_t)snprintf(s, cap, "%s=%s/%u,", key, a, bits);
}

/* The rule as a --match value: what a user would type for it. */
static void render(const struct xb_steer_rule *r, char *s, size_t cap)
{
	size_t n = 0;

	s[0] = '\0';
	if (r->fields & XB_RULE_DST)
		n += put_prefix(s + n, cap - n, "dst", r->family, r->dst, r->dst_mask);
	if (r->fields & XB_RULE_SRC)
		n += put_prefix(s + n, cap - n, "src", r->family, r->src, r->src_mask);
	if (r->fields & XB_RULE_PROTO)
		n += (size_t)snprintf(s + n, cap - n, "proto=%u,", r->proto);
	if (r->fields & XB_RULE_DPORT)
		n += (size_t)snprintf(s + n, cap - n, "dport=%u-%u,", r->dport_lo, r->dport_hi);
	if (r->fields & XB_RULE_SPORT)
		n += (size_t)snprintf(s + n, cap - n, "sport=%u-%u,", r->sport_lo, r->sport_hi);
	assert_true(n > 0 && n < cap);
	s[n - 1] = '\0';	/* the last comma */
}

static void check_parsed(const struct xb_steer_rule *r)
{
	struct xb_steer_rule again;
	char text[512], err[256];

	check_rule(r);
	render(r, text, sizeof(text));
	if (tun_match_parse(text, &again, err, sizeof(err)))
		fail_msg("'%s' (written back) is refused: %s", text, err);
	if (memcmp(&again, r, sizeof(*r)))
		fail_msg("'%s' (written back) parses to another rule", text);
}

static void one_match(const char *s)
{
	struct xb_steer_rule r, r2;
	char err[256], small[8];
	int ret;

	memset(err, 0x5a, sizeof(err));
	ret = tun_match_parse(s, &r, err, sizeof(err));
	assert_true(ret == 0 || ret == -1);
	/* The same with a buffer too short for any sentence: same answer, truncated safely. */
	assert_int_equal(tun_match_parse(s, &r2, small, sizeof(small)), ret);
	assert_true(memchr(small, '\0', sizeof(small)) != NULL);
	if (ret) {
		assert_true(err[0] && memchr(err, '\0', sizeof(err)));
		return;
	}
	assert_memory_equal(&r, &r2, sizeof(r));
	check_parsed(&r);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool ref_mac(const char *s, uint8_t mac[6])
{
	unsigned int i;

	if (strlen(s) != 17)
		return false;
	for (i = 0; i < 17; i++)
		if (i % 3 == 2 ? s[i] != ':' : hexval(s[i]) < 0)
			return false;
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)(hexval(s[3 * i]) << 4 | hexval(s[3 * i + 1]));
	return true;
}

static void one_mac(const char *s)
{
	uint8_t mac[6], want[6];
	bool ok = tun_mac_parse(s, mac);

	assert_int_equal(ok, ref_mac(s, want));
	if (ok)
		assert_memory_equal(mac, want, 6);
}

static void one_argv(char *text, enum tun_kind kind)
{
	char *argv[MAX_ARGS + 2], *save = NULL, *a, err[256];
	struct tun_cfg *cfg = malloc(sizeof(*cfg));
	enum tun_parse_result res;
	int argc = 0;
	unsigned int i;

	assert_non_null(cfg);
	argv[argc++] = (char *)(kind == TUN_KIND_TAP ? "tap" : "tun");
	for (a = strtok_r(text, "\n", &save); a && argc <= MAX_ARGS; a = strtok_r(NULL, "\n", &save))
		argv[argc++] = a;
	argv[argc] = NULL;
	res = tun_cfg_parse(cfg, kind, argc, argv, err, sizeof(err));
	switch (res) {
	case TUN_PARSE_OK:
		assert_true(cfg->ifname[0] && cfg->devname[0] && strcmp(cfg->ifname, cfg->devname));
		assert_true(cfg->nrules <= XB_STEER_MAX_RULES);
		for (i = 0; i < cfg->nrules; i++)
			check_parsed(&cfg->rule[i]);
		assert_false(cfg->have_peer_mac && (cfg->have_via[0] || cfg->have_via[1]));
		assert_true(!cfg->have_peer_mac || !(cfg->peer_mac[0] & 1));
		break;
	case TUN_PARSE_HELP:
		break;
	case TUN_PARSE_USAGE:
		assert_true(err[0] && memchr(err, '\0', sizeof(err)));
		break;
	default:
		fail_msg("tun_cfg_parse returned %d", res);
	}
	free(cfg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool quiet;
	struct fz_in rd = { data, size };
	uint8_t mode = fz_u8(&rd);
	size_t n;
	const uint8_t *b = fz_bytes(&rd, 4096, &n);
	char *s = malloc(n + 1);

	if (!quiet) {
		/* --help prints the usage on stdout: thousands of times. */
		quiet = freopen("/dev/null", "w", stdout) != NULL;
	}
	assert_non_null(s);
	memcpy(s, b, n);
	s[n] = '\0';
	if (mode & 1) {
		one_argv(s, mode & 2 ? TUN_KIND_TAP : TUN_KIND_TUN);
	} else {
		one_match(s);
		one_mac(s);
	}
	free(s);
	return 0;
}
