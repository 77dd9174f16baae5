// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * `xdpbridge monitor`: the link monitor's events on stdout, as the forwarding
 * daemon will see them.  For operators, and for the integration test, which
 * cannot link the monitor itself.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/signalfd.h>

#include "daemon.h"
#include "cmd.h"

static const char monitor_usage[] =
	"Usage: xdpbridge monitor [--json] [--count N] [--timeout SECONDS] [IFNAME...]\n"
	"\n"
	"Print the link events of the current network namespace as they happen, one\n"
	"line each, as the forwarding daemon sees them:\n"
	"  new      a link appeared           up    it became usable (admin up + carrier)\n"
	"  changed  its name, MTU, MAC or     down  it stopped being usable\n"
	"           XDP program changed       gone  it was deleted or left the namespace\n"
	"\n"
	"  -j, --json          one JSON object per line\n"
	"  -c, --count N       exit after N events\n"
	"  -t, --timeout SEC   exit after SEC seconds\n"
	"  -h, --help          this help\n"
	"\n"
	"IFNAMEs keep only the events of links with those names.  A line on stderr says\n"
	"when the monitor is listening.\n"
	"\n"
	"Exit status: 0 ok (count, timeout, SIGINT or SIGTERM), 1 error, 2 usage.\n";

struct watch {
	bool json;
	char **names;
	int nnames;
	unsigned long count;	/* 0: no limit */
	unsigned long seen;
};

static bool wanted(const struct watch *w, const struct xnl_link *l)
{
	int i;

	if (!w->nnames)
		return true;
	for (i = 0; i < w->nnames; i++)
		if (!strcmp(w->names[i], l->name))
			return true;
	return false;
}

static void on_event(enum xnl_link_event ev, const struct xnl_link *l, void *ctx)
{
	struct watch *w = ctx;
	char mac[3 * sizeof(l->mac)];

	if (!wanted(w, l) || (w->count && w->seen >= w->count))
		return;
	w->seen++;
	xnl_mac_str(l, mac, sizeof(mac));
	if (w->json) {
		fprintf(stdout, "{ \"event\": \"%s\", \"ifindex\": %d, \"name\": ", xnl_link_event_name(ev), l->ifindex);
		json_print_str(stdout, l->name);
		fprintf(stdout, ", \"state\": \"%s\", \"usable\": %s, \"mtu\": %u, \"xdp_prog_id\": %u }\n",
			xnl_operstate_str(l->operstate), xnl_link_usable(l) ? "true" : "false", l->mtu,
			l->xdp.prog_id);
	} else {
		char name[IF_NAMESIZE];
		size_t i;

		snprintf(name, sizeof(name), "%s", l->name);
		for (i = 0; name[i]; i++)
			if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
				name[i] = '?';
		fprintf(stdout, "%-7s %s (ifindex %d) state %s mtu %u mac %s\n", xnl_link_event_name(ev), name,
			l->ifindex, xnl_operstate_str(l->operstate), l->mtu, mac[0] ? mac : "-");
	}
	fflush(stdout);	/* a pipe's reader wants each event when it happens */
}

static bool parse_ulong(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 10);
	return s[0] >= '0' && s[0] <= '9' && !*end && !errno && *v <= max;
}

int cmd_monitor(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "count", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct watch w = { 0 };
	struct xnl_monitor *m;
	unsigned long timeout = 0;
	long deadline = 0;
	sigset_t mask, old;
	int c, sfd, ret = XB_EXIT_ERROR;

	optind = 1;
	while ((c = getopt_long(argc, argv, "jc:t:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			w.json = true;
			break;
		case 'c':
			if (!parse_ulong(optarg, ULONG_MAX, &w.count) || !w.count) {
				fprintf(stderr, "xdpbridge monitor: --count wants a positive number, not '%s'\n", optarg);
				return XB_EXIT_USAGE;
			}
			break;
		case 't':
			if (!parse_ulong(optarg, 86400 * 365, &timeout) || !timeout) {
				fprintf(stderr, "xdpbridge monitor: --timeout wants seconds (1 or more), not '%s'\n", optarg);
				return XB_EXIT_USAGE;
			}
			break;
		case 'h':
			fputs(monitor_usage, stdout);
			return xb_flush_stdout("xdpbridge monitor");
		default:
			fputs("Try 'xdpbridge monitor --help'.\n", stderr);
			return XB_EXIT_USAGE;
		}
	}
	w.names = argv + optind;
	w.nnames = argc - optind;

	/* SIGINT/SIGTERM arrive as a readable fd in the poll set: the loop ends where it chooses. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &mask, &old)) {
		fprintf(stderr, "xdpbridge monitor: cannot block signals: %s\n", strerror(errno));
		return XB_EXIT_ERROR;
	}
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		fprintf(stderr, "xdpbridge monitor: cannot create a signalfd: %s\n", strerror(errno));
		goto out_mask;
	}
	if (xnl_monitor_open(&m, on_event, &w)) {
		fprintf(stderr, "xdpbridge monitor: %s\n", xnl_errmsg());
		goto out_sfd;
	}
	fprintf(stderr, "xdpbridge monitor: listening for link events%s\n", timeout ? "" : " (Ctrl-C to stop)");
	if (timeout)
		deadline = xb_now_ms() + (long)timeout * 1000;
	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = xnl_monitor_fd(m), .events = POLLIN },
			{ .fd = sfd, .events = POLLIN },
		};
		int wait = -1, n;

		if (w.count && w.seen >= w.count)
			break;
		if (timeout) {
			long left = deadline - xb_now_ms();

			if (left <= 0)
				break;
			wait = (int)left;
		}
		n = poll(pfd, 2, wait);
		if (n < 0 && errno != EINTR) {
			fprintf(stderr, "xdpbridge monitor: poll: %s\n", strerror(errno));
			goto out_mon;
		}
		if (n > 0 && pfd[1].revents)
			break;
		if (n > 0 && pfd[0].revents) {
			int err = xnl_monitor_dispatch(m);

			if (err < 0) {
				fprintf(stderr, "xdpbridge monitor: %s\n", xnl_errmsg());
				/* After a malformed event the monitor re-reads the links: go on. */
				if (err != -EBADMSG)
					goto out_mon;
			}
		}
	}
	ret = xb_flush_stdout("xdpbridge monitor");
out_mon:
	xnl_monitor_close(m);
out_sfd:
	close(sfd);
out_mask:
	sigprocmask(SIG_SETMASK, &old, NULL);
	return ret;
}
