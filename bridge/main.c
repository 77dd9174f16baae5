// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * xdpbridge: subcommand dispatch.  Each subcommand owns its options, output and
 * exit code (cmd.h); a new one (fwd, tap, tun) is a row in cmds[] and a file.
 */
#include <stdio.h>
#include <string.h>
#include <xdpsock/xdpsock.h>

#include "cmd.h"

static const struct cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} cmds[] = {
	{ "list", cmd_list, "interfaces with their queues and XDP capabilities" },
	{ "monitor", cmd_monitor, "print link events (up, down, gone) as they happen" },
	{ "fwd", cmd_fwd, "forward frames between two interfaces, queue by queue (AF_XDP)" },
	{ "tap", cmd_tap, "carry Ethernet frames between an interface's queues and a TAP device" },
	{ "tun", cmd_tun, "carry IP packets between an interface's queues and a TUN device" },
};

static void usage(FILE *out)
{
	size_t i;

	fputs("Usage: xdpbridge COMMAND [OPTIONS]\n\nCommands:\n", out);
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(out, "  %-9s %s\n", cmds[i].name, cmds[i].summary);
	fputs("  --version, -V  the version of xdpbridge and of the libxdpsock it runs with\n", out);
	fputs("\nRun 'xdpbridge COMMAND --help' for its options.\n", out);
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return XB_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("xdpbridge %d.%d.%d (libxdpsock %s)\n", XDPSOCK_VERSION_MAJOR, XDPSOCK_VERSION_MINOR,
		       XDPSOCK_VERSION_PATCH, xdpsock_version());
		return xb_flush_stdout("xdpbridge");
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return xb_flush_stdout("xdpbridge");
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (!strcmp(argv[1], cmds[i].name)) {
			static char prog[64];

			/* getopt names the program in its messages: "xdpbridge list: unrecognized option" */
			snprintf(prog, sizeof(prog), "xdpbridge %s", cmds[i].name);
			argv[1] = prog;
			return cmds[i].run(argc - 1, argv + 1);
		}
	}
	fprintf(stderr, "xdpbridge: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return XB_EXIT_USAGE;
}
