// SPDX-License-Identifier: MIT OR Apache-2.0
/* xdplab: the command line.  argv -> subcommand; messages and exit codes. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "lab.h"

static const char help_main[] =
	"usage: xdplab COMMAND [OPTIONS] ...\n"
	"\n"
	"Build network labs (namespaces, veth pairs, macvlans, addresses) from a small lab file, and\n"
	"take them down again.  Every namespace is named LAB-NODE and is visible to 'ip netns'.\n"
	"\n"
	"  up [-v] FILE               create the lab; any failure removes what was created\n"
	"  down [-v] FILE             remove what FILE describes; what is already gone is skipped\n"
	"  show [--json] [FILE]       what exists, per node and link (compared with FILE when given)\n"
	"  exec -f FILE NODE -- CMD   run CMD inside a node's namespace (also: exec LAB/NODE -- CMD)\n"
	"  check FILE                 parse FILE and report its first error; changes nothing\n"
	"  help [COMMAND]             this text, or COMMAND's\n"
	"\n"
	"'xdplab COMMAND --help' tells more.  Exit status: 0 done; 1 the system refused (netlink,\n"
	"mount, permissions: the message says what and where); 2 bad usage or bad lab file.\n";

static const char help_up[] =
	"usage: xdplab up [-v] FILE\n"
	"\n"
	"Create the lab FILE describes: one network namespace per node (LAB-NODE, made like\n"
	"'ip netns add'), each veth pair in one request with both ends created directly in their\n"
	"namespaces (never in this one), the macvlans, MTUs, MACs, queue counts (all of them usable),\n"
	"addresses, GRO and threaded NAPI where asked, every interface and each node's lo up; then wait\n"
	"(3 s at most) until every interface is operationally up, so the lab is ready when up returns.\n"
	"\n"
	"Each creation is logged; when a step fails (or SIGINT/SIGTERM/SIGHUP arrives), everything\n"
	"created is removed, newest first, and the message names the line of FILE that asked for the\n"
	"failed step.  Each namespace is marked as the lab's (lo's alias xdplab:LAB:NODE) before it\n"
	"appears in /run/netns.  When a name the lab needs is taken, nothing is done: taken by this\n"
	"lab (a marked namespace, or a half-made entry a killed 'up' left), 'xdplab down FILE' clears\n"
	"it; taken by anything else, xdplab leaves it alone: give the lab another name.\n"
	"\n"
	"  -v, --verbose   print each step\n"
	"  -h, --help      this text\n"
	"\n"
	"Environment: XDPLAB_FAIL_STEP=N makes step N (as -v numbers them) fail, to test the rollback.\n"
	"\n"
	"Exit status: 0 the lab is up; 1 it is not (and nothing of it was left); 2 bad usage or file.\n";

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

/* Options shared by up, down, show and check; returns optind, or -exit status. */
static int parse_opts(int argc, char **argv, const char *help, struct xl_opts *o)
{
	static const struct option longopts[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd = argv[0];
	bool verbose_ok = help == help_up || help == help_down, json_ok = help == help_show;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "vjh", longopts, NULL)) != -1) {
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
		default:
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
	err = up ? xl_up(lab, &o) : xl_down(lab, &o);
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

static int cmd_check(int argc, char **argv)
{
	struct xl_opts o = { 0 };
	struct xl_lab *lab;
	int i, veths = 0, macvlans = 0;

	i = parse_opts(argc, argv, help_check, &o);
	if (i <= 0)
		return -i;
	if (argc - i != 1)
		return usage_error(argv[0], "check takes one lab file");
	lab = load(argv[i]);
	if (!lab)
		return XL_EXIT_USAGE;
	for (int k = 0; k < lab->nifaces; k++) {
		veths += lab->ifaces[k].kind == XL_VETH && lab->ifaces[k].peer > k;
		macvlans += lab->ifaces[k].kind == XL_MACVLAN;
	}
	printf("%s: lab %s: %d node%s, %d veth pair%s, %d macvlan%s; namespaces", lab->file, lab->name, lab->nnodes,
	       lab->nnodes == 1 ? "" : "s", veths, veths == 1 ? "" : "s", macvlans, macvlans == 1 ? "" : "s");
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
	{ "up", cmd_up, help_up },	   { "down", cmd_down, help_down }, { "show", cmd_show, help_show },
	{ "exec", cmd_exec, help_exec }, { "check", cmd_check, help_check },
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
		return usage_error(NULL, "unknown command '%s': expected up, down, show, exec, check or help", argv[1]);
	return c->run(argc - 1, argv + 1);
}
