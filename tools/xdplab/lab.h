/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * xdplab's model of a lab file: nodes (network namespaces named "<lab>-<node>"), interfaces (veth
 * ends, macvlans and bridges) and what each interface should look like; then what goes inside the
 * nodes (routes, sysctls, static neighbours), the commands run once the lab is up, and the
 * expectations `xdplab test` checks.  parse*.c fill it from the text and check it against itself;
 * everything else reads it.
 *
 * Sizes are fixed so that a lab is one allocation and every loop over it is bounded by a constant.
 */
#ifndef XDPLAB_LAB_H
#define XDPLAB_LAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>

/* Exit codes of every subcommand (exec passes its command's status through). */
#define XL_EXIT_OK    0
#define XL_EXIT_FAIL  1	/* the system refused: netlink, mount, namespace, permission */
#define XL_EXIT_USAGE 2	/* bad command line or bad lab file */

#define XL_MAX_FILE      (1 << 20)	/* bytes in a lab file */
#define XL_MAX_LINE      1024		/* bytes on a line, comment included */
#define XL_MAX_WORDS     64		/* words on a line */
#define XL_MAX_NODES     64
#define XL_MAX_IFACES    256		/* a veth line declares two */
#define XL_MAX_ADDRS     16		/* per interface */
#define XL_LAB_NAME_MAX  32
#define XL_NODE_NAME_MAX 15
#define XL_NS_NAME_MAX   (XL_LAB_NAME_MAX + 1 + XL_NODE_NAME_MAX)
#define XL_QUEUES_MAX    4096		/* rtnl_create_link() refuses more */
#define XL_MTU_MIN       68		/* ETH_MIN_MTU */
#define XL_MTU_MAX       65535		/* veth's max_mtu */
#define XL_MTU_DEFAULT   1500		/* what a veth gets when the file says nothing */
#define XL_MTU_IPV6_MIN  1280		/* below this the kernel turns IPv6 off on the interface */
#define XL_MAX_OFFLOADS  16		/* offload switches per interface */
#define XL_OFFLOAD_NAME_MAX 32		/* ETH_GSTRING_LEN: the kernel's feature names */
#define XL_MAX_ROUTES    256
#define XL_MAX_SYSCTLS   128
#define XL_SYSCTL_MAX    128		/* bytes in a key, and in a value */
#define XL_MAX_NEIGHS    256
#define XL_MAX_EXECS     32
#define XL_EXEC_TIMEOUT  30		/* seconds an exec line may take unless it says 'timeout N' */
#define XL_EXEC_TIMEOUT_MAX 3600
#define XL_MAX_EXPECTS   128
#define XL_RATE_MIN      8000ULL	/* bit/s: tbf's rate: 1000 bytes/s .. */
#define XL_RATE_MAX      16000000000ULL	/* .. 2 GB/s, what libnl's tbf rate (an int, bytes/s) holds */

enum xl_kind { XL_VETH, XL_MACVLAN, XL_BRIDGE };

/* Same order as the words of the file; xl_macvlan_mode_nl() maps to MACVLAN_MODE_*. */
enum xl_macvlan_mode { XL_MV_BRIDGE, XL_MV_PRIVATE, XL_MV_VEPA, XL_MV_PASSTHRU };

/* Options an interface can carry; opt_line[] remembers where each was set, for error messages. */
enum xl_opt {
	XL_OPT_QUEUES, XL_OPT_MTU, XL_OPT_MAC, XL_OPT_GRO, XL_OPT_THREADED,
	XL_OPT_RATE, XL_OPT_BURST, XL_OPT_DELAY, XL_OPT_LOSS, XL_OPT_NR
};

struct xl_addr {
	int family;			/* AF_INET or AF_INET6 */
	uint8_t bytes[16];
	uint8_t prefix;
	int line;
	char text[64];			/* "198.18.0.1/24", as inet_ntop writes it */
};

/* An offload switch, as `ethtool -K IF NAME on|off` takes it: a short name (tx, tso, ...) or a feature's. */
struct xl_offload {
	char name[XL_OFFLOAD_NAME_MAX];
	bool on;
	bool own;			/* set by an iface or macvlan line (a veth line's applies to both ends) */
	int line;
};

struct xl_iface {
	char name[IFNAMSIZ];
	int node;			/* index into lab->nodes */
	enum xl_kind kind;
	int line;			/* the veth, macvlan or bridge line that declared it */
	int peer;			/* veth: the other end's index; -1 otherwise */
	int parent;			/* macvlan: the interface it sits on, same node; -1 otherwise */
	int master;			/* the bridge it is a port of, same node; -1 when none */
	enum xl_macvlan_mode mode;
	unsigned int mtu;		/* 0: the kernel's default */
	unsigned int queues;		/* 0: the kernel's default; else as many RX as TX queues */
	bool has_mac;
	uint8_t mac[6];
	bool gro;
	bool threaded;
	int opt_line[XL_OPT_NR];	/* line that set the option, 0 when unset */
	bool opt_own[XL_OPT_NR];	/* set for this interface alone (iface/macvlan line), not a veth line */
	int naddrs;
	struct xl_addr addrs[XL_MAX_ADDRS];
	int noffloads;
	struct xl_offload offloads[XL_MAX_OFFLOADS];
	/* Queueing: tbf for a rate alone, netem when there is a delay or a loss (the rate then inside it). */
	uint64_t rate;			/* bit/s; 0: no rate limit */
	uint32_t burst;			/* bytes; 0: computed from the rate and the MTU */
	uint32_t delay_us;		/* netem */
	uint32_t loss_ppm;		/* netem: lost in a million */
};

/* route NODE PREFIX|default [via ADDR] [dev IF] */
struct xl_route {
	int node;
	int line;
	int family;
	uint8_t dst[16];
	uint8_t prefix;			/* 0: the default route */
	bool has_via;
	uint8_t via[16];
	int dev;			/* index into lab->ifaces, -1 when not given */
	char text[128];			/* "198.18.2.0/24 via 198.18.1.2 dev eth0", for messages */
};

/* sysctl NODE KEY=VALUE */
struct xl_sysctl {
	int node;
	int line;
	int iface;			/* the lab interface the key is about (net.ipv4.conf.IF.*), -1: the node's */
	char key[XL_SYSCTL_MAX];	/* "net.ipv4.ip_forward" */
	char value[XL_SYSCTL_MAX];
};

/* neigh NODE:IF ADDR MAC: a permanent neighbour entry */
struct xl_neigh {
	int iface;
	int line;
	int family;
	uint8_t addr[16];
	uint8_t mac[6];
	char text[64];
};

/* exec NODE [timeout SECS] -- CMD [ARG...]: run once everything is up, in file order */
struct xl_exec {
	int node;
	int line;
	unsigned int timeout;		/* seconds */
	int argc;
	char args[XL_MAX_LINE];		/* argc words, each ending in a NUL */
	char text[160];			/* the command as one line, shortened, for messages */
};

/* expect NODE ping|no-ping ADDR */
struct xl_expect {
	int node;
	int line;
	bool reach;			/* ping: a reply must come; no-ping: none may */
	int family;
	uint8_t addr[16];
	char text[64];
};

struct xl_node {
	char name[XL_NODE_NAME_MAX + 1];
	char ns[XL_NS_NAME_MAX + 1];	/* "<lab>-<node>", the name under /run/netns */
	int line;
};

struct xl_lab {
	char file[256];			/* as given on the command line, for messages */
	char name[XL_LAB_NAME_MAX + 1];
	int name_line;
	int nnodes;
	struct xl_node nodes[XL_MAX_NODES];
	int nifaces;
	struct xl_iface ifaces[XL_MAX_IFACES];
	int nroutes;
	struct xl_route routes[XL_MAX_ROUTES];
	int nsysctls;
	struct xl_sysctl sysctls[XL_MAX_SYSCTLS];
	int nneighs;
	struct xl_neigh neighs[XL_MAX_NEIGHS];
	int nexecs;
	struct xl_exec execs[XL_MAX_EXECS];
	int nexpects;
	struct xl_expect expects[XL_MAX_EXPECTS];
};

/*
 * Parse @len bytes of lab-file text into @lab (zeroed first).  @file names the text in messages.
 * Returns 0, or -EINVAL with xl_errmsg() = "FILE:LINE: what is wrong" (no LINE when the problem is
 * the whole file, e.g. no 'lab' line).
 */
int xl_parse(struct xl_lab *lab, const char *file, const char *text, size_t len);

/* Read @path (at most XL_MAX_FILE bytes) and xl_parse() it.  -errno when it cannot be read. */
int xl_parse_file(struct xl_lab *lab, const char *path);

/* Index of node @name, or -1. */
int xl_lab_node(const struct xl_lab *lab, const char *name);
/* Index of interface @name of node @node, or -1. */
int xl_lab_iface(const struct xl_lab *lab, int node, const char *name);
/* The interface (of node @node; -1: of any node) that has address @bytes of @family, or -1. */
int xl_lab_owner(const struct xl_lab *lab, int node, int family, const uint8_t *bytes);
/* MTU the interface ends up with: its own, else its parent's (macvlan), else XL_MTU_DEFAULT. */
unsigned int xl_lab_mtu(const struct xl_lab *lab, int iface);

/* "3 nodes, 2 veth pairs, 0 macvlans, 1 bridge, 4 routes" into @buf: what up makes of @lab. */
const char *xl_lab_summary(const struct xl_lab *lab, char *buf, size_t len);
/* "veth", "macvlan", "bridge": the kernel's kind of link. */
const char *xl_kind_str(enum xl_kind kind);
/* The offload switch @name of interface @i, or NULL. */
const struct xl_offload *xl_lab_offload(const struct xl_lab *lab, int i, const char *name);
/* Whether GRO ends up on for interface @i: its 'gro' option, or 'offload gro on'. */
bool xl_lab_gro(const struct xl_lab *lab, int i);
/* The words of exec line @x, NULL-terminated, into @argv (XL_MAX_WORDS + 1 entries). */
void xl_exec_argv(const struct xl_exec *x, char *argv[]);
/* "198.18.0.1" of @family/@bytes into @buf (64 bytes). */
const char *xl_ip_str(int family, const uint8_t *bytes, char *buf);

const char *xl_macvlan_mode_str(enum xl_macvlan_mode mode);
/* The kernel's MACVLAN_MODE_* value. */
uint32_t xl_macvlan_mode_nl(enum xl_macvlan_mode mode);

/* "NODE:IF" of interface @i into @buf (XL_END_MAX bytes); XL_END() with a buffer of the enclosing block. */
#define XL_END_MAX (XL_NODE_NAME_MAX + 1 + IFNAMSIZ)
const char *xl_lab_end(const struct xl_lab *lab, int i, char *buf);
#define XL_END(lab, i) xl_lab_end(lab, i, (char[XL_END_MAX]){ 0 })

/*
 * The mark `up` puts on node @node's namespace, as the alias of its lo: "xdplab:LAB:NODE", into @buf
 * (XL_MARK_MAX bytes).  `down` removes only the namespaces that carry their mark; `show` finds labs by it.
 */
#define XL_MARK_PREFIX "xdplab:"
#define XL_MARK_MAX    (sizeof(XL_MARK_PREFIX) + XL_LAB_NAME_MAX + 1 + XL_NODE_NAME_MAX)
const char *xl_lab_mark(const struct xl_lab *lab, int node, char *buf);
#define XL_MARK(lab, node) xl_lab_mark(lab, node, (char[XL_MARK_MAX]){ 0 })

/* @s as a JSON string, quotes included, on stdout (show --json, test --json). */
void xl_jstr(const char *s);

/* "aa:bb:cc:dd:ee:ff" into @buf (18 bytes). */
const char *xl_mac_str(const uint8_t mac[6], char *buf);

/* Valid lab / node names (the characters the file format allows and the length limits). */
bool xl_lab_name_ok(const char *name);
bool xl_node_name_ok(const char *name);

/*
 * The last error, as one sentence naming the cause (and the fix when there is one).  Set by every
 * function of xdplab that fails; one buffer for the process (helper threads are joined before it is read).
 */
const char *xl_errmsg(void);
/* Set it; returns -EINVAL (parsers) or whatever the caller passes through xl_fail(). */
void xl_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int xl_fail(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
