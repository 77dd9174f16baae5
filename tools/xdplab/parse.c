// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * The lab-file parser: line-based text into struct xl_lab.  Every message names the file and the
 * line, says what is wrong and, when it is not obvious, what would be right.  The parser checks the
 * file against itself (names, ranges, what the kernel would refuse given only this file); what the
 * kernel already has in a fresh namespace is left for the kernel to say.
 *
 *   lab NAME
 *   node NAME...
 *   veth NODE:IF NODE:IF [queues N] [mtu N] [gro] [threaded] [offload NAME on|off]... [rate ...]
 *   macvlan NODE:IF parent IF mode bridge|private|vepa|passthru [queues N] [mtu N] [mac MAC] [addr CIDR]...
 *   bridge NODE:IF ports IF...
 *   iface NODE:IF [queues N] [mtu N] [mac MAC] [addr CIDR]... [gro] [threaded] [offload NAME on|off]...
 *         [rate RATE [burst SIZE]] [delay TIME] [loss PCT%]
 *   route NODE PREFIX|default [via ADDR] [dev IF]
 *   sysctl NODE KEY=VALUE
 *   neigh NODE:IF ADDR MAC
 *   exec NODE [timeout SECS] -- CMD [ARG...]
 *   expect NODE ping|no-ping ADDR
 *
 * This file owns the lines, the words (quotes included) and the words every directive reads;
 * parse_link.c the interfaces, parse_net.c the rest (see parse.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "lab.h"
#include "parse.h"

static int verr(const struct parser *p, int line, const char *fmt, va_list ap)
{
	char msg[768];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (line > 0)
		xl_err("%s:%d: %s", p->file, line, msg);
	else
		xl_err("%s: %s", p->file, msg);
	return -EINVAL;
}

int xlp_err(const struct parser *p, const char *fmt, ...)
{
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = verr(p, p->line, fmt, ap);
	va_end(ap);
	return err;
}

int xlp_lerr(const struct parser *p, int line, const char *fmt, ...)
{
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = verr(p, line, fmt, ap);
	va_end(ap);
	return err;
}

const char *xlp_show(const char *w, char *out)
{
	size_t i;

	for (i = 0; w[i] && i < 40; i++)
		out[i] = (w[i] > ' ' && w[i] < 127) ? w[i] : '?';
	strcpy(out + i, w[i] ? "..." : "");
	return out;
}

int xlp_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;
	size_t i;

	for (i = 0; s[i]; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 1;
		if (v > max)	/* keep going to tell "not a number" from "too big", without overflow */
			continue;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (i == 0)
		return 1;
	if (v < min || v > max)
		return 2;
	*out = v;
	return 0;
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

int xlp_mac(const struct parser *p, const char *s, uint8_t mac[6])
{
	int i;

	if (strlen(s) != 17)
		goto bad;
	for (i = 0; i < 6; i++) {
		int hi = hexval(s[3 * i]), lo = hexval(s[3 * i + 1]);

		if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':'))
			goto bad;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	if (mac[0] & 1)
		return xlp_err(p, "mac %s is a multicast address (the first byte must be even, e.g. 02:...)", s);
	if (!(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]))
		return xlp_err(p, "mac %s is not a usable address", s);
	return 0;
bad:
	return xlp_err(p, "mac '%s' is not six hex bytes like 02:00:00:00:00:01", SHOW(s));
}

/*
 * Whether @a can be an interface's own address, as the kernel and a lab see it: the kernel refuses
 * the IPv6 unspecified, loopback and multicast addresses outright, and takes their IPv4 twins (and
 * the broadcast address) without complaint, for an interface that then cannot use them.  Neither
 * belongs in a lab, and `check` must refuse what `up` cannot build.
 */
int xlp_unicast(const struct parser *p, int family, const uint8_t *b, const char *host)
{
	static const uint8_t zero[16];

	if (family == AF_INET) {
		if (!memcmp(b, zero, 4))
			return xlp_err(p, "%s is the unspecified address, which no interface can have", host);
		if (b[0] == 127)
			return xlp_err(p, "%s is a loopback address: it belongs on lo, not on a lab's links", host);
		if ((b[0] & 0xf0) == 224)
			return xlp_err(p, "%s is a multicast address: an interface's own address must be unicast", host);
		if (b[0] == 255 && b[1] == 255 && b[2] == 255 && b[3] == 255)
			return xlp_err(p, "%s is the broadcast address: an interface's own address must be unicast", host);
		return 0;
	}
	if (!memcmp(b, zero, 16))
		return xlp_err(p, "%s is the unspecified address, which no interface can have", host);
	if (!memcmp(b, zero, 15) && b[15] == 1)
		return xlp_err(p, "%s is the loopback address: it belongs on lo, not on a lab's links", host);
	if (b[0] == 0xff)
		return xlp_err(p, "%s is a multicast address: an interface's own address must be unicast", host);
	return 0;
}

int xlp_cidr(const struct parser *p, const char *s, struct xl_addr *a)
{
	char host[64], canon[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	unsigned long prefix;
	size_t n;
	int max, r;

	n = slash ? (size_t)(slash - s) : strlen(s);
	if (n >= sizeof(host))
		return xlp_err(p, "'%s' is not an IPv4 or IPv6 address", SHOW(s));
	memcpy(host, s, n);
	host[n] = '\0';
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, host, a->bytes) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, host, a->bytes) == 1)
		a->family = AF_INET6;
	else
		return xlp_err(p, "'%s' is not an IPv4 or IPv6 address", SHOW(s));
	if (!slash)
		return xlp_err(p, "address %s needs a prefix length, e.g. %s/%s", host, host,
			    a->family == AF_INET ? "24" : "64");
	max = a->family == AF_INET ? 32 : 128;
	r = xlp_uint(slash + 1, 0, (unsigned long)max, &prefix);
	if (r)
		return xlp_err(p, "prefix length '%s' of %s is %s (1..%d)", SHOW(slash + 1), host,
			    r == 1 ? "not a number" : "out of range", max);
	/* /0 would make every address of the family on-link here (and libnl cannot even send it). */
	if (prefix == 0)
		return xlp_err(p, "prefix length 0 of %s would put every %s address on this link: give the subnet's, "
			    "e.g. %s/%s", host, a->family == AF_INET ? "IPv4" : "IPv6", host,
			    a->family == AF_INET ? "24" : "64");
	if ((r = xlp_unicast(p, a->family, a->bytes, host)))
		return r;
	a->prefix = (uint8_t)prefix;
	a->line = p->line;
	inet_ntop(a->family, a->bytes, canon, sizeof(canon));
	snprintf(a->text, sizeof(a->text), "%s/%u", canon, a->prefix);
	return 0;
}

int xlp_ip(const struct parser *p, const char *s, int *family, uint8_t bytes[16])
{
	memset(bytes, 0, 16);
	if (strlen(s) < INET6_ADDRSTRLEN) {
		if (inet_pton(AF_INET, s, bytes) == 1) {
			*family = AF_INET;
			return 0;
		}
		if (inet_pton(AF_INET6, s, bytes) == 1) {
			*family = AF_INET6;
			return 0;
		}
	}
	if (strchr(s, '/'))
		return xlp_err(p, "'%s' is not an address: write it without a prefix length", SHOW(s));
	return xlp_err(p, "'%s' is not an IPv4 or IPv6 address", SHOW(s));
}

/* "100mbit" into bit/s.  Units as tc writes them, decimal multiples. */
int xlp_rate(const struct parser *p, const char *s, uint64_t *out)
{
	static const struct { const char *unit; uint64_t mult; } units[] = {
		{ "bit", 1 }, { "kbit", 1000 }, { "mbit", 1000000 }, { "gbit", 1000000000 },
	};
	size_t n = strspn(s, "0123456789");
	uint64_t v = 0;

	for (size_t i = 0; i < n && i < 12; i++)
		v = v * 10 + (uint64_t)(s[i] - '0');
	for (size_t u = 0; n && n <= 12 && u < sizeof(units) / sizeof(units[0]); u++) {
		if (strcasecmp(s + n, units[u].unit))
			continue;
		v *= units[u].mult;
		if (v < XL_RATE_MIN || v > XL_RATE_MAX)
			return xlp_err(p, "rate '%s' is out of range (8kbit..16gbit)",
				       SHOW(s));
		*out = v;
		return 0;
	}
	if (n > 12)
		return xlp_err(p, "rate '%s' is out of range (8kbit..16gbit)",
			       SHOW(s));
	return xlp_err(p, "rate '%s' is not a number with a unit: bit, kbit, mbit or gbit (e.g. 100mbit)", SHOW(s));
}

/* "32k" into bytes: k and m count 1024 as tc's burst does. */
int xlp_size(const struct parser *p, const char *s, uint32_t *out)
{
	size_t n = strspn(s, "0123456789");
	unsigned long v = 0, mult = 1;

	if (!strcasecmp(s + n, "k") || !strcasecmp(s + n, "kb"))
		mult = 1024;
	else if (!strcasecmp(s + n, "m") || !strcasecmp(s + n, "mb"))
		mult = 1024 * 1024;
	else if (s[n] && strcasecmp(s + n, "b"))
		n = 0;
	for (size_t i = 0; i < n && i < 9; i++)
		v = v * 10 + (unsigned long)(s[i] - '0');
	if (!n)
		return xlp_err(p, "burst '%s' is not a size in bytes (e.g. 32k: k and m count 1024)", SHOW(s));
	if (n > 9 || v * mult < 64 || v * mult > 64ul * 1024 * 1024)
		return xlp_err(p, "burst '%s' is out of range (64 bytes..64m)", SHOW(s));
	*out = (uint32_t)(v * mult);
	return 0;
}

/* "10ms" into microseconds. */
int xlp_delay(const struct parser *p, const char *s, uint32_t *out)
{
	size_t n = strspn(s, "0123456789");
	unsigned long v = 0, mult = 0;

	if (!strcmp(s + n, "us"))
		mult = 1;
	else if (!strcmp(s + n, "ms"))
		mult = 1000;
	else if (!strcmp(s + n, "s"))
		mult = 1000000;
	for (size_t i = 0; i < n && i < 9; i++)
		v = v * 10 + (unsigned long)(s[i] - '0');
	if (!n || !mult)
		return xlp_err(p, "delay '%s' is not a time with a unit: us, ms or s (e.g. 10ms)", SHOW(s));
	if (n > 9 || v == 0 || v * mult > 10000000)
		return xlp_err(p, "delay '%s' is out of range (1us..10s)", SHOW(s));
	*out = (uint32_t)(v * mult);
	return 0;
}

/* "0.5%" into losses per million. */
int xlp_loss(const struct parser *p, const char *s, uint32_t *out)
{
	size_t n = strspn(s, "0123456789"), d = 0;
	unsigned long v = 0;

	for (size_t i = 0; i < n && i < 4; i++)
		v = v * 10 + (unsigned long)(s[i] - '0');
	v *= 10000;
	if (s[n] == '.') {
		d = strspn(s + n + 1, "0123456789");
		for (size_t i = 0, scale = 1000; i < d && i < 4; i++, scale /= 10)
			v += (unsigned long)(s[n + 1 + i] - '0') * scale;
		n += 1 + d;
	}
	if (!n || strcmp(s + n, "%") || (s[0] == '.' && !d) || d > 4)
		return xlp_err(p, "loss '%s' is not a percentage (e.g. 1%% or 0.5%%: at most 4 decimals)", SHOW(s));
	if (strspn(s, "0123456789") > 3 || v == 0 || v > 1000000)
		return xlp_err(p, "loss '%s' is out of range (0.0001%%..100%%)", SHOW(s));
	*out = (uint32_t)v;
	return 0;
}

bool xlp_ifname_ok(const char *s)
{
	size_t n = strnlen(s, IFNAMSIZ);

	/* The kernel's dev_valid_name() plus no '%' (a name template) and nothing a shell would mangle. */
	if (n == 0 || n >= IFNAMSIZ || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
		      c == '-' || c == '.'))
			return false;
	}
	return true;
}

int xlp_end(const struct parser *p, const char *s, int *node, char ifname[IFNAMSIZ])
{
	const char *colon = strchr(s, ':');
	char nname[XL_NODE_NAME_MAX + 2];
	size_t n;

	if (!colon || colon == s || !colon[1] || strchr(colon + 1, ':'))
		return xlp_err(p, "'%s' is not NODE:IF (e.g. a:eth0)", SHOW(s));
	n = (size_t)(colon - s);
	if (n > XL_NODE_NAME_MAX)
		return xlp_err(p, "unknown node in '%s' (node names have at most %d characters)", SHOW(s),
			    XL_NODE_NAME_MAX);
	memcpy(nname, s, n);
	nname[n] = '\0';
	*node = xl_lab_node(p->lab, nname);
	if (*node < 0)
		return xlp_err(p, "unknown node '%s' in '%s' (declare it with 'node %s' before this line)", SHOW(nname),
			    SHOW(s), SHOW(nname));
	if (!xlp_ifname_ok(colon + 1))
		return xlp_err(p, "interface name '%s' must be 1 to 15 letters, digits, '_', '-' or '.' (not '.' or '..')",
			    SHOW(colon + 1));
	strcpy(ifname, colon + 1);
	return 0;
}

int xlp_declared(const struct parser *p, const char *s)
{
	char ifname[IFNAMSIZ];
	int node, i, err;

	if ((err = xlp_end(p, s, &node, ifname)))
		return err;
	i = xl_lab_iface(p->lab, node, ifname);
	if (i < 0)
		return xlp_err(p, "%s is not declared (a veth, macvlan or bridge line must declare it before this line)",
			       SHOW(s));
	return i;
}

int xlp_node(const struct parser *p, const char *s)
{
	int node = xl_lab_node(p->lab, s);

	if (node < 0)
		return xlp_err(p, "unknown node '%s' (declare it with 'node %s' before this line)", SHOW(s), SHOW(s));
	return node;
}

/* ---- lines and words -------------------------------------------------------------------------- */

#define BLANKS " \t\r\v\f"

/*
 * Split @line into p->w: blanks separate words and '#' ends the line, except inside quotes.  '...'
 * keeps everything as written; "..." too, but for \" and \\.  Quotes join what touches them, as
 * in a shell (a'b c' is one word, "ab c"), and '' is an empty word.  An exec line needs them for
 * a command's own spaces and '#' (exec a -- sh -c "echo 1 # 2").  The words are rewritten in
 * place: a word is never longer than its text.
 */
static int split(struct parser *p, char *line)
{
	char *in = line, *out = line;

	p->nw = 0;
	for (;;) {
		char quote = 0, c;

		while (*in && strchr(BLANKS, *in))
			in++;
		if (!*in || *in == '#')
			return 0;
		if (p->nw >= XL_MAX_WORDS)
			return xlp_err(p, "more than %d words on one line", XL_MAX_WORDS);
		p->w[p->nw++] = out;
		while (*in && (quote || (!strchr(BLANKS, *in) && *in != '#'))) {
			if (!quote && (*in == '\'' || *in == '"')) {
				quote = *in++;
				continue;
			}
			if (quote && *in == quote) {
				quote = 0;
				in++;
				continue;
			}
			if (quote == '"' && *in == '\\' && (in[1] == '"' || in[1] == '\\'))
				in++;
			*out++ = *in++;
		}
		if (quote)
			return xlp_err(p, "the %s quote opened on this line is not closed (a quote ends on its own line)",
				       quote == '"' ? "double" : "single");
		c = *in;	/* out <= in: the NUL may land on it */
		*out++ = '\0';
		if (!c || c == '#')
			return 0;
		in++;
	}
}

/* ---- directives -------------------------------------------------------------------------------- */

static int parse_lab(struct parser *p)
{
	struct xl_lab *lab = p->lab;

	if (lab->name_line)
		return xlp_err(p, "the lab is already named on line %d", lab->name_line);
	if (p->nw != 2)
		return xlp_err(p, "'lab' takes one name: lab NAME");
	if (!xl_lab_name_ok(p->w[1]))
		return xlp_err(p, "lab name '%s' must be 1 to %d letters, digits, '_' or '-', starting with a letter or digit",
			    SHOW(p->w[1]), XL_LAB_NAME_MAX);
	strcpy(lab->name, p->w[1]);
	lab->name_line = p->line;
	return 0;
}

static int parse_node(struct parser *p)
{
	struct xl_lab *lab = p->lab;

	if (p->nw < 2)
		return xlp_err(p, "'node' needs at least one name: node NAME...");
	for (int w = 1; w < p->nw; w++) {
		const char *name = p->w[w];
		struct xl_node *n;
		int i;

		if (!xl_node_name_ok(name))
			return xlp_err(p, "node name '%s' must be 1 to %d letters, digits or '_', starting with a letter or "
				    "digit (no '-': the namespace is LAB-NODE)", SHOW(name), XL_NODE_NAME_MAX);
		i = xl_lab_node(lab, name);
		if (i >= 0)
			return xlp_err(p, "node '%s' is already declared on line %d", name, lab->nodes[i].line);
		if (lab->nnodes >= XL_MAX_NODES)
			return xlp_err(p, "more than %d nodes in one lab", XL_MAX_NODES);
		n = &lab->nodes[lab->nnodes++];
		strcpy(n->name, name);
		snprintf(n->ns, sizeof(n->ns), "%s-%s", lab->name, name);
		n->line = p->line;
	}
	return 0;
}

static const struct directive {
	const char *keyword;
	int (*parse)(struct parser *p);
} directives[] = {
	{ "lab", parse_lab },	   { "node", parse_node },     { "veth", xlp_veth },	 { "macvlan", xlp_macvlan },
	{ "bridge", xlp_bridge },  { "iface", xlp_iface },     { "route", xlp_route },	 { "sysctl", xlp_sysctl },
	{ "neigh", xlp_neigh },	   { "exec", xlp_exec },       { "expect", xlp_expect },
};
#define NDIRECTIVES (sizeof(directives) / sizeof(directives[0]))

static int parse_line(struct parser *p, char *line)
{
	size_t d;
	int err;

	if ((err = split(p, line)) || !p->nw)
		return err;
	for (d = 0; d < NDIRECTIVES; d++)
		if (!strcmp(p->w[0], directives[d].keyword))
			break;
	if (d == NDIRECTIVES)
		return xlp_err(p, "unknown keyword '%s' (expected lab, node, veth, macvlan, bridge, iface, route, sysctl, "
			       "neigh, exec or expect)", SHOW(p->w[0]));
	if (!p->lab->name_line && d != 0)
		return xlp_err(p, "'lab NAME' must come first: the lab's name prefixes every namespace it creates");
	return directives[d].parse(p);
}

static int validate(const struct parser *p)
{
	const struct xl_lab *lab = p->lab;
	int err;

	if (!lab->name_line)
		return xlp_lerr(p, 0, "no 'lab NAME' line: a lab file starts with one, then 'node NAME...'");
	if (!lab->nnodes)
		return xlp_lerr(p, 0, "no node: declare at least one with 'node NAME'");
	if ((err = xlp_check_links(p)))
		return err;
	return xlp_check_net(p);
}

int xl_parse(struct xl_lab *lab, const char *file, const char *text, size_t len)
{
	struct parser p = { .lab = lab, .file = file };
	char line[XL_MAX_LINE + 1];
	size_t pos = 0;
	int err;

	memset(lab, 0, sizeof(*lab));
	snprintf(lab->file, sizeof(lab->file), "%s", file);
	if (len > XL_MAX_FILE)
		return xlp_lerr(&p, 0, "larger than %d bytes: not a lab file?", XL_MAX_FILE);
	while (pos < len) {	/* each pass consumes at least one byte */
		const char *start = text + pos, *nl = memchr(start, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - start) : len - pos;

		p.line++;
		if (n > XL_MAX_LINE)
			return xlp_err(&p, "line is longer than %d bytes", XL_MAX_LINE);
		if (memchr(start, '\0', n))
			return xlp_err(&p, "line contains a NUL byte (is this a text file?)");
		memcpy(line, start, n);
		line[n] = '\0';
		pos += n + (nl ? 1 : 0);
		if ((err = parse_line(&p, line)))
			return err;
	}
	return validate(&p);
}

int xl_parse_file(struct xl_lab *lab, const char *path)
{
	char *buf;
	size_t len = 0;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return xl_fail(-errno, "cannot open lab file %s: %s", path, strerror(errno));
	buf = malloc(XL_MAX_FILE + 1);
	if (!buf) {
		err = xl_fail(-ENOMEM, "cannot read %s: out of memory", path);
		goto out_close;
	}
	/* Read one byte more than allowed, to tell "exactly the limit" from "too big". */
	while (len <= XL_MAX_FILE) {
		ssize_t n = read(fd, buf + len, XL_MAX_FILE + 1 - len);

		if (n < 0) {
			err = xl_fail(-errno, "cannot read lab file %s: %s", path, strerror(errno));
			goto out_free;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	err = xl_parse(lab, path, buf, len);
out_free:
	free(buf);
out_close:
	close(fd);
	return err;
}
