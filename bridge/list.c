// SPDX-License-Identifier: MIT OR Apache-2.0
/* `xdpbridge list`: the interfaces of this namespace as a table or as JSON. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_link.h>

#include "cmd.h"

static const char list_usage[] =
	"Usage: xdpbridge list [--json] [IFNAME...]\n"
	"\n"
	"List the network interfaces of the current network namespace (all, or the ones\n"
	"named) with what AF_XDP needs to know: queues and XDP capabilities.  Read-only;\n"
	"needs no privileges.  Everything comes from netlink, except the driver name\n"
	"(ethtool ioctl).\n"
	"\n"
	"  -j, --json   a JSON array, one object per interface, instead of the table\n"
	"  -h, --help   this help\n"
	"\n"
	"Columns:\n"
	"  QUEUES     current channels rx/tx/combined, then who answered: genl (ethtool\n"
	"             netlink), ioctl (ethtool ioctl), or ifla (IFLA_NUM_*_QUEUES: the\n"
	"             queues allocated at creation, when the driver reports no channels)\n"
	"  XDP-MODES  attach modes: native when the driver has XDP (netdev xdp-features\n"
	"             \"basic\"), offload with \"hw-offload\"; generic works on any device;\n"
	"             ? when the kernel cannot say (no netdev family before Linux 6.3)\n"
	"  ZEROCOPY   AF_XDP zero-copy (xdp-features \"xsk-zerocopy\")\n"
	"  XDP-PROG   the XDP program attached now: id and mode, - when none\n"
	"\n"
	"Exit status: 0 ok, 1 error (the kernel refused, no such interface), 2 usage.\n";

/* ---- cells shared by both renderings ------------------------------------- */

static void modes_str(const struct xnl_iface *f, char *buf, size_t len)
{
	if (!f->xdp_known) {
		snprintf(buf, len, "?");
		return;
	}
	snprintf(buf, len, "%s%s%s", f->xdp.act & XNL_XDP_ACT_BASIC ? "native," : "", "generic",
		 f->xdp.act & XNL_XDP_ACT_HW_OFFLOAD ? ",offload" : "");
}

static void zc_str(const struct xnl_iface *f, char *buf, size_t len)
{
	if (!f->xdp_known)
		snprintf(buf, len, "?");
	else if (!(f->xdp.act & XNL_XDP_ACT_XSK_ZEROCOPY))
		snprintf(buf, len, "no");
	else if (f->xdp.zc_max_segs > 1)
		snprintf(buf, len, "yes (%u segs)", f->xdp.zc_max_segs);
	else
		snprintf(buf, len, "yes");
}

/* The attached programs, one per mode (several only with XDP_ATTACHED_MULTI). */
static const struct {
	uint8_t mode;
	size_t off;
} prog_modes[] = {
	{ XDP_ATTACHED_DRV, offsetof(struct xnl_xdp_prog, drv_prog_id) },
	{ XDP_ATTACHED_SKB, offsetof(struct xnl_xdp_prog, skb_prog_id) },
	{ XDP_ATTACHED_HW, offsetof(struct xnl_xdp_prog, hw_prog_id) },
};

static uint32_t prog_id(const struct xnl_xdp_prog *x, size_t i)
{
	uint32_t id;

	memcpy(&id, (const char *)x + prog_modes[i].off, sizeof(id));
	return id;
}

static void prog_str(const struct xnl_xdp_prog *x, char *buf, size_t len)
{
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof(prog_modes) / sizeof(prog_modes[0]) && off < len; i++)
		if (prog_id(x, i))
			off += (size_t)snprintf(buf + off, len - off, "%s%u %s", off ? ", " : "", prog_id(x, i),
						xnl_xdp_mode_name(prog_modes[i].mode));
	if (!buf[0])
		snprintf(buf, len, "-");
}

/* ---- table --------------------------------------------------------------- */

enum { C_INDEX, C_NAME, C_KIND, C_DRIVER, C_STATE, C_MTU, C_MAC, C_QUEUES, C_MODES, C_ZC, C_PROG, NCOLS };
#define CELL 72

static const char *const heads[NCOLS] = {
	"INDEX", "NAME", "KIND", "DRIVER", "STATE", "MTU", "MAC", "QUEUES(rx/tx/comb)", "XDP-MODES", "ZEROCOPY", "XDP-PROG",
};

/* Names come from the kernel, which allows almost any byte in them: keep the terminal sane. */
static void cell_text(char *cell, const char *s)
{
	size_t i;

	snprintf(cell, CELL, "%s", s);
	for (i = 0; cell[i]; i++)
		if ((unsigned char)cell[i] < 0x20 || cell[i] == 0x7f)
			cell[i] = '?';
}

static void row_cells(const struct xnl_iface *f, char (*c)[CELL])
{
	const struct xnl_queues *q = &f->queues;
	char mac[3 * sizeof(f->link.mac)];

	snprintf(c[C_INDEX], CELL, "%d", f->link.ifindex);
	cell_text(c[C_NAME], f->link.name);
	cell_text(c[C_KIND], xnl_link_kind(&f->link));
	cell_text(c[C_DRIVER], f->driver[0] ? f->driver : "-");
	snprintf(c[C_STATE], CELL, "%s", xnl_operstate_str(f->link.operstate));
	snprintf(c[C_MTU], CELL, "%u", f->link.mtu);
	xnl_mac_str(&f->link, mac, sizeof(mac));
	snprintf(c[C_MAC], CELL, "%.40s", mac[0] ? mac : "-");
	if (q->src == XNL_QSRC_NONE)
		snprintf(c[C_QUEUES], CELL, "?");
	else
		snprintf(c[C_QUEUES], CELL, "%u/%u/%u %s", q->rx, q->tx, q->combined, xnl_queue_src_name(q->src));
	modes_str(f, c[C_MODES], CELL);
	zc_str(f, c[C_ZC], CELL);
	prog_str(&f->link.xdp, c[C_PROG], CELL);
}

static void print_row(FILE *out, char (*c)[CELL], const size_t *w)
{
	int i;

	for (i = 0; i < NCOLS - 1; i++)
		fprintf(out, "%-*s  ", (int)w[i], c[i]);
	fprintf(out, "%s\n", c[NCOLS - 1]);
}

void list_print_table(FILE *out, const struct xnl_iface *v, size_t n)
{
	char (*cells)[NCOLS][CELL], head[NCOLS][CELL];
	size_t w[NCOLS], i;
	int c;

	for (c = 0; c < NCOLS; c++) {
		snprintf(head[c], CELL, "%s", heads[c]);
		w[c] = strlen(heads[c]);
	}
	cells = calloc(n ? n : 1, sizeof(*cells));
	if (!cells) {
		/* Still say something useful: unaligned rows. */
		memset(w, 0, sizeof(w));
		print_row(out, head, w);
		for (i = 0; i < n; i++) {
			row_cells(&v[i], head);
			print_row(out, head, w);
		}
		return;
	}
	for (i = 0; i < n; i++) {
		row_cells(&v[i], cells[i]);
		for (c = 0; c < NCOLS; c++)
			if (strlen(cells[i][c]) > w[c])
				w[c] = strlen(cells[i][c]);
	}
	print_row(out, head, w);
	for (i = 0; i < n; i++)
		print_row(out, cells[i], w);
	free(cells);
}

/* ---- JSON ---------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at @s (1..4), or 0 when it is not one. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {	/* a NUL stops this: it is not a continuation byte */
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and beyond U+10FFFF are not valid UTF-8. */
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

void json_print_str(FILE *out, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	fputc('"', out);
	while (*s) {
		size_t n = utf8_len(s);

		if (*s == '"' || *s == '\\') {
			fprintf(out, "\\%c", *s);
		} else if (*s == '\n') {
			fputs("\\n", out);
		} else if (*s == '\t') {
			fputs("\\t", out);
		} else if (*s < 0x20 || *s == 0x7f) {
			fprintf(out, "\\u%04x", *s);
		} else if (!n) {
			fputs("\\ufffd", out);	/* not UTF-8: JSON text must be */
			n = 1;
		} else {
			fwrite(s, 1, n, out);
		}
		s += n ? n : 1;
	}
	fputc('"', out);
}

static void json_iface(FILE *out, const struct xnl_iface *f)
{
	const struct xnl_queues *q = &f->queues;
	char mac[3 * sizeof(f->link.mac)];
	unsigned int bit;
	size_t i;
	int k;

	fprintf(out, "  {\n    \"ifindex\": %d,\n    \"name\": ", f->link.ifindex);
	json_print_str(out, f->link.name);
	fputs(",\n    \"kind\": ", out);
	json_print_str(out, xnl_link_kind(&f->link));
	fputs(",\n    \"driver\": ", out);
	if (f->driver[0])
		json_print_str(out, f->driver);
	else
		fputs("null", out);
	fprintf(out, ",\n    \"state\": \"%s\",\n    \"admin_up\": %s,\n    \"usable\": %s,\n    \"mtu\": %u,\n",
		xnl_operstate_str(f->link.operstate), f->link.flags & IFF_UP ? "true" : "false",
		xnl_link_usable(&f->link) ? "true" : "false", f->link.mtu);
	xnl_mac_str(&f->link, mac, sizeof(mac));
	if (mac[0])
		fprintf(out, "    \"mac\": \"%s\",\n", mac);
	else
		fputs("    \"mac\": null,\n", out);
	fprintf(out,
		"    \"queues\": { \"rx\": %u, \"tx\": %u, \"combined\": %u, \"other\": %u, "
		"\"rx_max\": %u, \"tx_max\": %u, \"combined_max\": %u, \"source\": \"%s\" },\n",
		q->rx, q->tx, q->combined, q->other, q->rx_max, q->tx_max, q->combined_max,
		xnl_queue_src_name(q->src));
	fputs("    \"xdp\": {\n", out);
	if (f->xdp_known) {
		fprintf(out, "      \"modes\": [ %s\"generic\"%s ],\n",
			f->xdp.act & XNL_XDP_ACT_BASIC ? "\"native\", " : "",
			f->xdp.act & XNL_XDP_ACT_HW_OFFLOAD ? ", \"offload\"" : "");
		fputs("      \"features\": [", out);
		for (bit = 0, k = 0; bit < 64; bit++) {
			if (!(f->xdp.act & (1ull << bit)))
				continue;
			if (xnl_xdp_act_name(bit))
				fprintf(out, "%s \"%s\"", k++ ? "," : "", xnl_xdp_act_name(bit));
			else
				fprintf(out, "%s \"bit%u\"", k++ ? "," : "", bit);
		}
		fprintf(out, "%s],\n      \"zerocopy\": %s,\n      \"zc_max_segs\": %u,\n", k ? " " : "",
			f->xdp.act & XNL_XDP_ACT_XSK_ZEROCOPY ? "true" : "false", f->xdp.zc_max_segs);
	} else {
		fputs("      \"modes\": null,\n      \"features\": null,\n      \"zerocopy\": null,\n"
		      "      \"zc_max_segs\": null,\n", out);
	}
	fputs("      \"attached\": [", out);
	for (i = 0, k = 0; i < sizeof(prog_modes) / sizeof(prog_modes[0]); i++)
		if (prog_id(&f->link.xdp, i))
			fprintf(out, "%s { \"mode\": \"%s\", \"prog_id\": %u }", k++ ? "," : "",
				xnl_xdp_mode_name(prog_modes[i].mode), prog_id(&f->link.xdp, i));
	fprintf(out, "%s]\n    }\n  }", k ? " " : "");
}

void list_print_json(FILE *out, const struct xnl_iface *v, size_t n)
{
	size_t i;

	fputs("[\n", out);
	for (i = 0; i < n; i++) {
		json_iface(out, &v[i]);
		fputs(i + 1 < n ? ",\n" : "\n", out);
	}
	fputs("]\n", out);
}

/* ---- the command --------------------------------------------------------- */

int xb_flush_stdout(const char *prog)
{
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "%s: cannot write the output: %s\n", prog, strerror(errno));
		return XB_EXIT_ERROR;
	}
	return XB_EXIT_OK;
}

/* Keep the interfaces named in @names, in that order; 0 or the index in @names of a missing one + 1. */
static int select_named(struct xnl_iface *v, size_t *n, char **names, int count, struct xnl_iface *out)
{
	size_t i, k = 0;
	int a;

	for (a = 0; a < count; a++) {
		for (i = 0; i < *n && strcmp(v[i].link.name, names[a]); i++)
			;
		if (i == *n)
			return a + 1;
		out[k++] = v[i];
	}
	*n = k;
	return 0;
}

int cmd_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct xnl_iface *v = NULL, *sel = NULL;
	bool json = false;
	struct xnl *x;
	size_t n = 0;
	int c, ret = XB_EXIT_ERROR, missing;

	optind = 1;
	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			fputs(list_usage, stdout);
			return xb_flush_stdout("xdpbridge list");
		default:
			fputs("Try 'xdpbridge list --help'.\n", stderr);
			return XB_EXIT_USAGE;
		}
	}
	if (xnl_open(&x)) {
		fprintf(stderr, "xdpbridge list: %s\n", xnl_errmsg());
		return XB_EXIT_ERROR;
	}
	if (xnl_ifaces_get(x, &v, &n)) {
		fprintf(stderr, "xdpbridge list: %s\n", xnl_errmsg());
		goto out;
	}
	if (optind < argc) {
		sel = calloc((size_t)(argc - optind), sizeof(*sel));
		if (!sel) {
			fprintf(stderr, "xdpbridge list: out of memory\n");
			goto out;
		}
		missing = select_named(v, &n, argv + optind, argc - optind, sel);
		if (missing) {
			fprintf(stderr,
				"xdpbridge list: no interface named '%s' in this network namespace "
				"(see 'ip link'; another namespace: 'ip netns exec NS xdpbridge list')\n",
				argv[optind + missing - 1]);
			goto out;
		}
	}
	if (json)
		list_print_json(stdout, sel ? sel : v, n);
	else
		list_print_table(stdout, sel ? sel : v, n);
	ret = xb_flush_stdout("xdpbridge list");
out:
	free(sel);
	free(v);
	xnl_close(x);
	return ret;
}
