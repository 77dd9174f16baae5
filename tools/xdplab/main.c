// SPDX-License-Identifier: MIT OR Apache-2.0
/* xdplab: the command line.  argv -> subcommand; messages and exit codes. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xdpsock/xdpsock.h>

#include "cmd.h"
#include "lab.h"

static const char help_main[] =
	"usage: xdplab COMMAND [OPTIONS] ...\n"
	"\n"
	"Build network labs (namespaces, veth pairs, macvlans, bridges, addresses, routes, sysctls,\n"
	"offloads, rate limits) from a small lab file, check them, draw them, and take them down again.\n"
	"Every namespace is named LAB-NODE and is visible to 'ip netns'.\n"
	"\n"
	"  up [-v] [--test] FILE      create the lab; any failure removes what was created\n"
	"  down [-v] FILE             remove what FILE describes; what is already gone is skipped\n"
	"  test [--json] FILE         check the file's expect lines against the live lab\n"
	"  show [--json] [FILE]       what exists, per node and link (compared with FILE when given)\n"
	"  graph FILE [-o OUT]        the lab as a picture: DOT, or SVG/PNG by OUT's extension\n"
	"  exec -f FILE NODE -- CMD   run CMD inside a node's namespace (also: exec LAB/NODE -- CMD)\n"
	"  check FILE                 parse FILE and report its first error; changes nothing\n"
	"  help [COMMAND]             this text, or COMMAND's\n"
	"  --version, -V              the version of xdplab and of the libxdpsock it runs with\n"
	"\n"
	"'xdplab COMMAND --help' tells more.  Exit status: 0 done; 1 the system refused (netlink,\n"
	"mount, permissions: the message says what and where); 2 bad usage or bad lab file.\n";

static const char help_up[] =
	"usage: xdplab up [-v] [--test] FILE\n"
	"\n"
	"Create the lab FILE describes: one network namespace per node (LAB-NODE, made like\n"
	"'ip netns add') and its sysctls; in the order of the file, each veth pair in one request with\n"
	"both ends created directly in their namespaces (never in this one), the macvlans, the bridges\n"
	"and their ports; MTUs, MACs, queue counts (all of them usable), addresses, offload switches,\n"
	"GRO, rate limits (tbf; delay and loss need netem, and up says so when the kernel has none),\n"
	"threaded NAPI where asked, every interface and each node's lo up; then wait (3 s at most)\n"
	"until every interface is operationally up; then the static neighbours, the routes, and the\n"
	"exec lines in file order (each must exit 0 within its timeout, 30 s unless it says).  The\n"
	"lab is ready when up returns.\n"
	"\n"
	"Each creation is logged; when a step fails (or SIGINT/SIGTERM/SIGHUP arrives), everything\n"
	"created is removed, newest first, and the message names the line of FILE that asked for the\n"
	"failed step.  Each namespace is marked as the lab's (lo's alias xdplab:LAB:NODE) before it\n"
	"appears in /run/netns.  When a name the lab needs is taken, nothing is done: taken by this\n"
	"lab (a marked namespace, or a half-made entry a killed 'up' left), 'xdplab down FILE' clears\n"
	"it; taken by anything else, xdplab leaves it alone: give the lab another name.\n"
	"\n"
	"  -v, --verbose   print each step\n"
	"  -t, --test      then run the expect lines, as 'xdplab test' (the lab stays up either way)\n"
	"  -h, --help      this text\n"
	"\n"
	"Environment: XDPLAB_FAIL_STEP=N makes step N (as -v numbers them) fail, to test the rollback.\n"
	"\n"
	"Exit status: 0 the lab is up (and with --test, every expectation holds); 1 it is not (and\n"
	"nothing of it was left), or with --test an expectation does not hold; 2 bad usage or file.\n";

static const char help_down[] =
	"usage: xdplab down [-v] FILE\n"
	"\n"
	"Remove every interface, then every namespace, that FILE describes and 'up' made: only the\n"
	"namespaces that carry the lab's mark (lo's alias xdplab:LAB:NODE).  Anything else with a\n"
	"node's name is left alone, and down says so; a half-made entry (an empty file in /run/netns\n"
	"with no namespace on it, left by an 'up' that was killed) is not a namespace and is removed.\n"
	"What is already gone is skipped, so 'down' on a lab that is not up succeeds.  SIGINT,\n"
	"SIGTERM and SIGHUP do not stop down halfway: it finishes the removal, then names the signal.\n"
	"\n"
	"  -v, --verbose   print each removal\n"
	"  -h, --help      this text\n"
	"\n"
	"Exit status: 0 nothing the lab made is left (what it did not make is left alone); 1 something\n"
	"could not be removed, or whether a namespace is the lab's could not be read (the rest was\n"
	"removed); 2 bad usage or file.\n";

static const char help_show[] =
	"usage: xdplab show [--json] [FILE]\n"
	"\n"
	"With FILE: every node and interface of the lab as it exists (kind, up/down, MTU, queues, MAC,\n"
	"GRO, macvlan mode and parent, addresses), marked MISSING or with what differs from the file,\n"
	"then the links (veth pairs, macvlans) and the lab's state: up, partial, down, or blocked\n"
	"(a node's name is taken by a namespace without the lab's mark: NOT MADE BY THIS LAB).\n"
	"Without FILE: every lab that is up, found by the mark 'xdplab up' puts on each node's lo\n"
	"(interface alias xdplab:LAB:NODE).  IPv6 link-local addresses are not listed.\n"
	"\n"
	"  -j, --json   one JSON object: {\"labs\": [{\"name\", \"file\", \"state\", \"nodes\": [{\"name\",\n"
	"               \"netns\", \"present\", \"made_by_lab\", \"interfaces\": [...]}], \"links\": [...]}]}\n"
	"  -h, --help   this text\n"
	"\n"
	"Exit status: 0 shown (also when the lab is down or differs); 1 cannot read; 2 bad usage or file.\n";

static const char help_test[] =
	"usage: xdplab test [--json] FILE\n"
	"\n"
	"Check every 'expect NODE ping ADDR' and 'expect NODE no-ping ADDR' line of FILE against the\n"
	"lab, which must be up: from inside NODE, three ICMP echoes to ADDR, 250 ms apart (a raw socket,\n"
	"no ping binary).  ping holds when a reply comes within 2 s, no-ping when none comes within 1 s.\n"
	"All expectations run at once.  Prints a table: line, node, expectation, address, ok/FAIL/ERROR\n"
	"and the detail (the round trip, or what came instead: an ICMP error and who sent it).\n"
	"\n"
	"  -j, --json   one JSON object: {\"lab\", \"file\", \"expectations\": [{\"line\", \"node\",\n"
	"               \"expect\", \"address\", \"result\", \"holds\", \"replied\", \"rtt_ms\", \"detail\"}],\n"
	"               \"held\", \"failed\", \"all_hold\"}\n"
	"  -h, --help   this text\n"
	"\n"
	"Exit status: 0 every expectation holds; 1 one does not, or cannot be checked (a node is not up);\n"
	"2 bad usage, a bad file, or a file without expect lines.\n";

static const char help_graph[] =
	"usage: xdplab graph FILE [-o OUT]\n"
	"\n"
	"Draw the lab FILE describes (nothing needs to be up): each node a box of its interfaces, with\n"
	"their addresses and settings, and a note of its routes, sysctls and exec lines; veth pairs as\n"
	"solid lines, macvlans dashed to their parent, bridge ports dotted to their bridge, and each\n"
	"route's next hop as an arrow to the interface that has the gateway's address.\n"
	"\n"
	"  -o, --output OUT   write OUT instead of DOT on stdout: OUT.dot or OUT.gv is DOT; OUT.svg and\n"
	"                     OUT.png are drawn by Graphviz's dot (Debian package graphviz)\n"
	"  -h, --help         this text\n"
	"\n"
	"Exit status: 0 written; 1 Graphviz is missing or failed, or OUT cannot be written; 2 bad usage\n"
	"(an OUT of another kind) or a bad file.\n";

static const char help_exec[] =
	"usage: xdplab exec -f FILE NODE [--] COMMAND [ARG...]\n"
	"       xdplab exec LAB/NODE [--] COMMAND [ARG...]\n"
	"\n"
	"Run COMMAND inside the network namespace of NODE (LAB-NODE), as 'ip netns exec' does: in a\n"
	"mount namespace of its own whose /sys shows the node's interfaces.  With -f, NODE must be a\n"
	"node of FILE; LAB/NODE needs no file.\n"
	"\n"
	"  -f, --file FILE   the lab file that names the lab\n"
	"  -h, --help        this text\n"
	"\n"
	"Exit status: COMMAND's own; 126 it cannot be run, 127 it is not found; 1 the namespace cannot\n"
	"be entered (is the lab up?); 2 bad usage or file.\n";

static const char help_check[] =
	"usage: xdplab check FILE\n"
	"\n"
	"Parse FILE and report its first error as FILE:LINE: what is wrong.  Changes nothing and needs\n"
	"no privileges.  When the file is good, prints what 'up' would create.\n"
	"\n"
	"Exit status: 0 the file is good; 2 it is not, or bad usage.\n";

static int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "xdplab: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see 'xdplab %s%s--help')\n", cmd ? cmd : "", cmd ? " " : "");
	return XL_EXIT_USAGE;
}

/* The file was good, the system said no. */
static int fail(void)
{
	fprintf(stderr, "xdplab: %s\n", xl_errmsg());
	return XL_EXIT_FAIL;
}

/* Parse @path into a new lab; NULL (message printed) when the file is bad or unreadable. */
static struct xl_lab *load(const char *path)
{
	struct xl_lab *lab = malloc(sizeof(*lab));

	if (!lab) {
		fprintf(stderr, "xdplab: out of memory\n");
		return NULL;
	}
	if (xl_parse_file(lab, path)) {
		fprintf(stderr, "xdplab: %s\n", xl_errmsg());
		free(lab);
		return NULL;
	}
	return lab;
}

/* Options shared by the subcommands that take a FILE; returns optind, or -exit status. */
static int parse_opts(int argc, char **argv, const char *help, struct xl_opts *o)
{
	static const struct option longopts[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ "json", no_argument, NULL, 'j' },
		{ "test", no_argument, NULL, 't' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd = argv[0];
	bool verbose_ok = help == help_up || help == help_down, json_ok = help == help_show || help == help_test;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "vjto:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(help, stdout);
			return -XL_EXIT_OK;
		case 'v':
			if (!verbose_ok)
				return -usage_error(cmd, "%s takes no --verbose", cmd);
			o->verbose = true;
			break;
		case 'j':
			if (!json_ok)
				return -usage_error(cmd, "%s takes no --json", cmd);
			o->json = true;
			break;
		case 't':
			if (help != help_up)
				return -usage_error(cmd, "%s takes no --test", cmd);
			o->test = true;
			break;
		case 'o':
			if (help != help_graph)
				return -usage_error(cmd, "%s takes no --output", cmd);
			o->out = optarg;
			break;
		default:
			if (optopt == 'o')
				return -usage_error(cmd, "-o needs a file name (OUT.dot, OUT.svg or OUT.png)");
			return -usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
		}
	}
	return optind;
}

static int cmd_up_down(int argc, char **argv, bool up)
{
	struct xl_opts o = { 0 };
	struct xl_lab *lab;
	int i, err;

	i = parse_opts(argc, argv, up ? help_up : help_down, &o);
	if (i <= 0)
		return -i;
	if (argc - i != 1)
		return usage_error(argv[0], "%s takes one lab file", argv[0]);
	lab = load(argv[i]);
	if (!lab)
		return XL_EXIT_USAGE;
	if (o.test && !lab->nexpects) {
		fprintf(stderr, "xdplab: %s has no expect lines: --test has nothing to check (see 'xdplab test --help')\n",
			lab->file);
		free(lab);
		return XL_EXIT_USAGE;
	}
	err = up ? xl_up(lab, &o) : xl_down(lab, &o);
	/* The lab is up whatever the expectations say: test reports, it does not take the lab down. */
	if (!err && o.test) {
		o.json = false;
		err = xl_test(lab, &o);
		if (err)
			xl_err("%s; the lab stays up ('xdplab down %s' removes it)", xl_errmsg(), lab->file);
	}
	free(lab);
	return err ? fail() : XL_EXIT_OK;
}

static int cmd_up(int argc, char **argv)
{
	return cmd_up_down(argc, argv, true);
}

static int cmd_down(int argc, char **argv)
{
	return cmd_up_down(argc, argv, false);
}

static int cmd_show(int argc, char **argv)
{
	struct xl_opts o = { 0 };
	struct xl_lab *lab = NULL;
	int i, err;

	i = parse_opts(argc, argv, help_show, &o);
	if (i <= 0)
		return -i;
	if (argc - i > 1)
		return usage_error(argv[0], "show takes at most one lab file");
	if (argc - i == 1 && !(lab = load(argv[i])))
		return XL_EXIT_USAGE;
	err = xl_show(lab, &o);
	free(lab);
	return err ? fail() : XL_EXIT_OK;
}

static int cmd_test(int argc, char **argv)
{
	struct xl_opts o = { 0 };
	struct xl_lab *lab;
	int i, err;

	i = parse_opts(argc, argv, help_test, &o);
	if (i <= 0)
		return -i;
	if (argc - i != 1)
		return usage_error(argv[0], "test takes one lab file");
	if (!(lab = load(argv[i])))
		return XL_EXIT_USAGE;
	if (!lab->nexpects) {
		fprintf(stderr, "xdplab: %s has no expect lines: nothing to test (add 'expect NODE ping ADDR')\n", lab->file);
		free(lab);
		return XL_EXIT_USAGE;
	}
	err = xl_test(lab, &o);
	free(lab);
	return err ? fail() : XL_EXIT_OK;
}

static int cmd_graph(int argc, char **argv)
{
	struct xl_opts o = { 0 };
	struct xl_lab *lab;
	int i, err;

	i = parse_opts(argc, argv, help_graph, &o);
	if (i <= 0)
		return -i;
	if (argc - i != 1)
		return usage_error(argv[0], "graph takes one lab file");
	if (!(lab = load(argv[i])))
		return XL_EXIT_USAGE;
	err = xl_graph(lab, &o);
	free(lab);
	if (err == -EINVAL) {
		fprintf(stderr, "xdplab: %s (see 'xdplab graph --help')\n", xl_errmsg());
		return XL_EXIT_USAGE;
	}
	return err ? fail() : XL_EXIT_OK;
}

static int cmd_check(int argc, char **argv)
{
	struct xl_opts o = { 0 };
	struct xl_lab *lab;
	char what[256];
	int i;

	i = parse_opts(argc, argv, help_check, &o);
	if (i <= 0)
		return -i;
	if (argc - i != 1)
		return usage_error(argv[0], "check takes one lab file");
	lab = load(argv[i]);
	if (!lab)
		return XL_EXIT_USAGE;
	printf("%s: lab %s: %s; namespaces", lab->file, lab->name, xl_lab_summary(lab, what, sizeof(what)));
	for (int k = 0; k < lab->nnodes; k++)
		printf(" %s", lab->nodes[k].ns);
	printf("\n");
	free(lab);
	return XL_EXIT_OK;
}

static int cmd_exec(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char ns[XL_NS_NAME_MAX + 1];
	const char *file = NULL, *target, *slash;
	int c, status;

	optind = 1;
	opterr = 0;
	/* '+': options end at NODE, so that COMMAND's own options stay COMMAND's. */
	while ((c = getopt_long(argc, argv, "+f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			file = optarg;
			break;
		case 'h':
			fputs(help_exec, stdout);
			return XL_EXIT_OK;
		default:
			if (optopt == 'f')
				return usage_error("exec", "-f needs a lab file");
			return usage_error("exec", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage_error("exec", "exec needs NODE (with -f FILE) or LAB/NODE, then the command");
	target = argv[optind++];
	if (optind < argc && !strcmp(argv[optind], "--"))
		optind++;
	if (optind >= argc)
		return usage_error("exec", "exec needs a command to run after %s", target);
	slash = strchr(target, '/');
	if (file) {
		struct xl_lab *lab;
		int node;

		if (slash)
			return usage_error("exec", "with -f, name the node alone ('%s' has a '/')", target);
		if (!(lab = load(file)))
			return XL_EXIT_USAGE;
		node = xl_lab_node(lab, target);
		if (node < 0) {
			fprintf(stderr, "xdplab: %s has no node '%s' (its nodes:", file, target);
			for (int k = 0; k < lab->nnodes; k++)
				fprintf(stderr, " %s", lab->nodes[k].name);
			fprintf(stderr, ")\n");
			free(lab);
			return XL_EXIT_USAGE;
		}
		snprintf(ns, sizeof(ns), "%s", lab->nodes[node].ns);
		free(lab);
	} else {
		char labname[XL_LAB_NAME_MAX + 2];
		size_t n = slash ? (size_t)(slash - target) : 0;

		if (!slash)
			return usage_error("exec", "'%s' is neither LAB/NODE nor, with -f FILE, a node", target);
		if (n > XL_LAB_NAME_MAX)
			return usage_error("exec", "'%s': the lab name is longer than %d characters", target, XL_LAB_NAME_MAX);
		memcpy(labname, target, n);
		labname[n] = '\0';
		if (!xl_lab_name_ok(labname) || !xl_node_name_ok(slash + 1))
			return usage_error("exec", "'%s' is not LAB/NODE (letters, digits, '_'; '-' in LAB only)", target);
		snprintf(ns, sizeof(ns), "%s-%s", labname, slash + 1);
	}
	status = xl_exec(ns, argv + optind);
	fprintf(stderr, "xdplab: %s\n", xl_errmsg());
	return status;
}

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "up", cmd_up, help_up },	 { "down", cmd_down, help_down },    { "test", cmd_test, help_test },
	{ "show", cmd_show, help_show }, { "graph", cmd_graph, help_graph }, { "exec", cmd_exec, help_exec },
	{ "check", cmd_check, help_check },
};

static const struct command *find(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(name, commands[i].name))
			return &commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2) {
		fputs(help_main, stderr);
		return XL_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		/* The program's version is the header's it was built with; the library's, the one it runs with. */
		printf("xdplab %d.%d.%d (libxdpsock %s)\n", XDPSOCK_VERSION_MAJOR, XDPSOCK_VERSION_MINOR, XDPSOCK_VERSION_PATCH,
		       xdpsock_version());
		return XL_EXIT_OK;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		if (argc > 2 && strcmp(argv[1], "help") == 0) {
			if (!(c = find(argv[2])))
				return usage_error(NULL, "no command '%s'", argv[2]);
			fputs(c->help, stdout);
		} else {
			fputs(help_main, stdout);
		}
		return XL_EXIT_OK;
	}
	c = find(argv[1]);
	if (!c)
		return usage_error(NULL, "unknown command '%s': expected up, down, test, show, graph, exec, check or help", argv[1]);
	return c->run(argc - 1, argv + 1);
}
