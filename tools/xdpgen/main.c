// SPDX-License-Identifier: MIT OR Apache-2.0
/* xdpgen: argv[1] -> subcommand; exit status 0 ok, 1 runtime failure, 2 usage. */
#include <string.h>
#include <xdpsock/xdpsock.h>

#include "xdpgen.h"

static const char help_main[] =
	"usage: xdpgen COMMAND [OPTIONS] IFNAME\n"
	"\n"
	"Traffic generator, sink and latency meter on AF_XDP (libxdpsock), for labs and benchmarks.\n"
	"\n"
	"  tx IFNAME        send numbered, timestamped UDP/IPv4 or UDP/IPv6 frames: in-kernel live\n"
	"                   frames where the kernel allows them, else through an AF_XDP socket\n"
	"  rx IFNAME        receive, verify (checksums, payload, sequence: lost, duplicated, reordered,\n"
	"                   corrupted) and drop; or only count in XDP (--xdp-count)\n"
	"  ping IFNAME      round-trip percentiles through a reflector\n"
	"  reflect IFNAME   return every UDP frame to its sender (MACs, IPs, ports swapped)\n"
	"  help [COMMAND]   this text, or COMMAND's\n"
	"  --version, -V    the version of xdpgen and of the libxdpsock it runs with\n"
	"\n"
	"Every run is bounded (--count, --duration; 10 s by default) and stops cleanly on SIGINT or\n"
	"SIGTERM with its summary.  'xdpgen COMMAND --help' tells more.\n"
	"\n"
	"Exit status: 0 done; 1 runtime failure (the system refused, --expect not met, ping lost\n"
	"probes); 2 bad usage (options, values, interface names, sizes above the MTU).\n";

static const struct {
	const char *name;
	enum xg_cmd cmd;
	int (*run)(const struct xg_cfg *c);
} cmds[] = {
	{ "tx", XG_CMD_TX, xg_cmd_tx },
	{ "rx", XG_CMD_RX, xg_cmd_rx },
	{ "ping", XG_CMD_PING, xg_cmd_ping },
	{ "reflect", XG_CMD_REFLECT, xg_cmd_reflect },
};

static int find(const char *name)
{
	for (int i = 0; i < (int)(sizeof(cmds) / sizeof(cmds[0])); i++)
		if (!strcmp(cmds[i].name, name))
			return i;
	return -1;
}

int main(int argc, char **argv)
{
	struct xg_cfg c;
	char err[512];
	int i, rc;

	if (argc < 2) {
		fputs(help_main, stderr);
		return XG_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		/* The program's version is the header's it was built with; the library's, the one it runs with. */
		printf("xdpgen %d.%d.%d (libxdpsock %s)\n", XDPSOCK_VERSION_MAJOR, XDPSOCK_VERSION_MINOR, XDPSOCK_VERSION_PATCH,
		       xdpsock_version());
		return XG_EXIT_OK;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		if (argc > 2 && (i = find(argv[2])) >= 0)
			fputs(xg_help(cmds[i].cmd), stdout);
		else if (argc > 2) {
			fprintf(stderr, "xdpgen: no command '%s' (tx, rx, ping, reflect)\n", argv[2]);
			return XG_EXIT_USAGE;
		} else
			fputs(help_main, stdout);
		return XG_EXIT_OK;
	}
	i = find(argv[1]);
	if (i < 0) {
		fprintf(stderr, "xdpgen: no command '%s': tx, rx, ping or reflect (xdpgen --help)\n", argv[1]);
		return XG_EXIT_USAGE;
	}
	rc = xg_args_parse(&c, cmds[i].cmd, argc - 1, argv + 1, err, sizeof(err));
	if (rc == -1) {
		fputs(xg_help(cmds[i].cmd), stdout);
		return XG_EXIT_OK;
	}
	if (rc) {
		fprintf(stderr, "xdpgen %s: %s (see 'xdpgen %s --help')\n", cmds[i].name, err, cmds[i].name);
		return rc;
	}
	return cmds[i].run(&c);
}
