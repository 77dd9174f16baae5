// SPDX-License-Identifier: MIT OR Apache-2.0
/* The integration tests' topology, built with iproute2 as an independent client. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <net/ethernet.h>

#include "lab.h"

static struct lab the_lab;
static struct lab *cleanup_lab;
static pid_t owner;

void lab_require_root(const char *test)
{
	if (geteuid() != 0) {
		fprintf(stderr, "SKIP %s: needs root (network namespaces, veth, AF_XDP, XDP)%s\n", test,
			getenv("CI") && !strcmp(getenv("CI"), "true") ? " -- and CI=true, so this skip is a failure" : "");
		exit(T_SKIP);
	}
}

static int sh(const char *cmd)
{
	int st = system(cmd);

	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static void on_exit_cleanup(void)
{
	if (cleanup_lab && getpid() == owner)
		lab_down(cleanup_lab);
}

static void on_signal(int sig)
{
	on_exit_cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

struct lab *lab_up(int queues)
{
	struct lab *l = &the_lab;
	char cmd[1024];
	int i;

	memset(l, 0, sizeof(*l));
	l->queues = queues;
	l->nsfd[0] = l->nsfd[1] = -1;
	for (i = 0; i < 2; i++) {
		/* xst<run>-<pid><side>: tests/run.sh finds what a test left behind by its run id. */
		snprintf(l->ns[i], sizeof(l->ns[i]), "xst%s-%d%c", getenv("XST_RUN") ? getenv("XST_RUN") : "0",
			 (int)getpid(), 'a' + i);
		snprintf(l->ifname[i], sizeof(l->ifname[i]), "v%c", 'a' + i);
		l->ip[i] = (198u << 24) | (18u << 16) | (uint32_t)(i + 1);
		l->mac[i][0] = 0x02;
		l->mac[i][5] = (uint8_t)(i + 1);
	}
	owner = getpid();
	cleanup_lab = l;
	atexit(on_exit_cleanup);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGALRM, on_signal);
	signal(SIGABRT, on_signal);
	for (i = 0; i < 2; i++) {
		snprintf(cmd, sizeof(cmd),
			 "ip netns add %s && ip -n %s link set lo up && "
			 "ip netns exec %s sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1",
			 l->ns[i], l->ns[i], l->ns[i]);
		CHECK(sh(cmd) == 0, "cannot create namespace %s", l->ns[i]);
	}
	snprintf(cmd, sizeof(cmd),
		 "ip link add va netns %s numtxqueues %d numrxqueues %d address 02:00:00:00:00:01 type veth "
		 "peer name vb netns %s numtxqueues %d numrxqueues %d address 02:00:00:00:00:02",
		 l->ns[0], queues, queues, l->ns[1], queues, queues);
	CHECK(sh(cmd) == 0, "cannot create the veth pair");
	for (i = 0; i < 2; i++) {
		snprintf(cmd, sizeof(cmd), "ip -n %s addr add 198.18.0.%d/24 dev %s && ip -n %s link set %s up",
			 l->ns[i], i + 1, l->ifname[i], l->ns[i], l->ifname[i]);
		CHECK(sh(cmd) == 0, "cannot configure %s", l->ifname[i]);
		snprintf(cmd, sizeof(cmd), "/run/netns/%s", l->ns[i]);
		l->nsfd[i] = open(cmd, O_RDONLY | O_CLOEXEC);
		CHECK(l->nsfd[i] >= 0, "cannot open %s: %s", cmd, strerror(errno));
	}
	/* Static neighbours: no ARP in the middle of a byte-for-byte test. */
	lab_sh(l, LAB_A, "ip neigh replace 198.18.0.2 lladdr 02:00:00:00:00:02 dev va nud permanent");
	lab_sh(l, LAB_B, "ip neigh replace 198.18.0.1 lladdr 02:00:00:00:00:01 dev vb nud permanent");
	return l;
}

void lab_down(struct lab *l)
{
	char cmd[256];
	int i;

	for (i = 0; i < 2; i++) {
		if (l->nsfd[i] >= 0)
			close(l->nsfd[i]);
		l->nsfd[i] = -1;
		if (!l->ns[i][0])
			continue;
		snprintf(cmd, sizeof(cmd), "ip netns del %s 2>/dev/null", l->ns[i]);
		sh(cmd);
		l->ns[i][0] = '\0';
	}
}

void lab_enter(const struct lab *l, int side)
{
	CHECK(setns(l->nsfd[side], CLONE_NEWNET) == 0, "setns into %s: %s", l->ns[side], strerror(errno));
}

int lab_ifindex(const struct lab *l, int side)
{
	int idx;

	lab_enter(l, side);
	idx = (int)if_nametoindex(l->ifname[side]);
	CHECK(idx > 0, "no %s in %s", l->ifname[side], l->ns[side]);
	return idx;
}

int lab_sh(const struct lab *l, int side, const char *fmt, ...)
{
	char cmd[1024], full[1200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full), "ip netns exec %s sh -c '%s'", l->ns[side], cmd);
	return sh(full);
}

int lab_xdp_attached(const struct lab *l, int side)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "ip -n %s -d link show dev %s | grep -q 'prog/xdp'", l->ns[side], l->ifname[side]);
	return sh(cmd) == 0;
}

static int count_entries(const char *path, bool lines)
{
	int n = 0;

	if (lines) {
		FILE *f = fopen(path, "r");
		int c;

		if (!f)
			return -1;
		while ((c = fgetc(f)) != EOF)
			n += c == '\n';
		fclose(f);
		return n;
	}
	DIR *d = opendir(path);
	struct dirent *e;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1;	/* the DIR's own fd */
}

int proc_fd_count(void)
{
	return count_entries("/proc/self/fd", false);
}

int proc_map_count(void)
{
	return count_entries("/proc/self/maps", true);
}

static uint16_t csum16(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t sum = 0;

	for (; len > 1; len -= 2, p += 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint32_t lab_udp_frame(const struct lab *l, int from, uint8_t *buf, uint32_t len, uint32_t seq, uint16_t dport)
{
	struct ether_header *eth = (struct ether_header *)buf;
	struct iphdr *ip = (struct iphdr *)(eth + 1);
	struct udphdr *udp = (struct udphdr *)(ip + 1);
	uint8_t *payload = (uint8_t *)(udp + 1);
	uint32_t hdr = (uint32_t)(payload - buf), i;
	int to = !from;

	if (len < hdr + 4)
		len = hdr + 4;
	memcpy(eth->ether_dhost, l->mac[to], 6);
	memcpy(eth->ether_shost, l->mac[from], 6);
	eth->ether_type = htons(ETHERTYPE_IP);
	memset(ip, 0, sizeof(*ip));
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = IPPROTO_UDP;
	ip->tot_len = htons((uint16_t)(len - sizeof(*eth)));
	ip->saddr = htonl(l->ip[from]);
	ip->daddr = htonl(l->ip[to]);
	ip->check = htons(csum16(ip, sizeof(*ip)));
	udp->source = htons(40000);
	udp->dest = htons(dport);
	udp->len = htons((uint16_t)(len - sizeof(*eth) - sizeof(*ip)));
	udp->check = 0;
	memcpy(payload, &seq, 4);
	for (i = hdr + 4; i < len; i++)
		buf[i] = (uint8_t)(seq * 7 + i);
	return len;
}
