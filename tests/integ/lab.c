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
#include <poll.h>
#include <pthread.h>
#include <time.h>
#include <sys/socket.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdpsock/xdpsock.h>

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

/* Under ASan/UBSan a report ends the process without exit handlers: clean up from their callback. */
extern void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

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
	if (__sanitizer_set_death_callback)
		__sanitizer_set_death_callback(on_exit_cleanup);
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

/* Present only under AddressSanitizer. */
extern void __asan_init(void) __attribute__((weak));

int proc_map_count(void)
{
	unsigned long start;
	char line[4096];
	FILE *f;
	int n = 0;

	if (!__asan_init)
		return count_entries("/proc/self/maps", true);
	/* ASan's allocator maps its size-class regions on first use, inside its own space: not ours. */
	f = fopen("/proc/self/maps", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-", &start) == 1 && !(start >= 0x600000000000ul && start < 0x640000000000ul))
			n++;
	fclose(f);
	return n;
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
	/* Built aligned, then copied: the IP header sits at offset 14 of @buf (UBSan: alignment). */
	struct ether_header eth;
	struct iphdr ip;
	struct udphdr udp;
	uint32_t hdr = sizeof(eth) + sizeof(ip) + sizeof(udp), i;
	int to = !from;

	if (len < hdr + 4)
		len = hdr + 4;
	memcpy(eth.ether_dhost, l->mac[to], 6);
	memcpy(eth.ether_shost, l->mac[from], 6);
	eth.ether_type = htons(ETHERTYPE_IP);
	memset(&ip, 0, sizeof(ip));
	ip.version = 4;
	ip.ihl = 5;
	ip.ttl = 64;
	ip.protocol = IPPROTO_UDP;
	ip.tot_len = htons((uint16_t)(len - sizeof(eth)));
	ip.saddr = htonl(l->ip[from]);
	ip.daddr = htonl(l->ip[to]);
	ip.check = htons(csum16(&ip, sizeof(ip)));
	udp.source = htons(40000);
	udp.dest = htons(dport);
	udp.len = htons((uint16_t)(len - sizeof(eth) - sizeof(ip)));
	udp.check = 0;
	memcpy(buf, &eth, sizeof(eth));
	memcpy(buf + sizeof(eth), &ip, sizeof(ip));
	memcpy(buf + sizeof(eth) + sizeof(ip), &udp, sizeof(udp));
	memcpy(buf + hdr, &seq, 4);
	for (i = hdr + 4; i < len; i++)
		buf[i] = (uint8_t)(seq * 7 + i);
	return len;
}

/* ---- helpers added for the it_* suite ------------------------------------------------ */

void lab_fail_exit(void)
{
	static pthread_mutex_t once = PTHREAD_MUTEX_INITIALIZER;

	pthread_mutex_lock(&once);	/* never unlocked: later failures wait for exit to end the process */
	exit(T_FAIL);
}

double lab_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#define LOG_KEEP 128
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	int level;
	char msg[512];
} log_ring[LOG_KEEP];
static unsigned int log_n;

static void log_cb(enum xdpsock_log_level level, const char *msg, void *ctx)
{
	static const char *const names[] = { "error", "warn", "info", "debug" };
	const char *dbg = getenv("LAB_DEBUG");

	(void)ctx;
	if (level < XDPSOCK_LOG_DEBUG || (dbg && *dbg == '1'))
		fprintf(stderr, "  [xdpsock %s] %s\n", names[level <= XDPSOCK_LOG_DEBUG ? level : 0], msg);
	if (level == XDPSOCK_LOG_DEBUG)
		return;
	pthread_mutex_lock(&log_lock);
	log_ring[log_n % LOG_KEEP].level = (int)level;
	snprintf(log_ring[log_n % LOG_KEEP].msg, sizeof(log_ring[0].msg), "%s", msg);
	log_n++;
	pthread_mutex_unlock(&log_lock);
}

void lab_log_capture(void)
{
	xdpsock_set_log(log_cb, NULL);
}

void lab_log_reset(void)
{
	pthread_mutex_lock(&log_lock);
	log_n = 0;
	pthread_mutex_unlock(&log_lock);
}

int lab_log_has(int level, const char *needle)
{
	unsigned int i, first;
	int found = 0;

	pthread_mutex_lock(&log_lock);
	first = log_n > LOG_KEEP ? log_n - LOG_KEEP : 0;
	for (i = first; i < log_n && !found; i++)
		found = log_ring[i % LOG_KEEP].level <= level && strstr(log_ring[i % LOG_KEEP].msg, needle);
	pthread_mutex_unlock(&log_lock);
	return found;
}

int lab_log_get(int level, const char *needle, char *out, size_t len)
{
	unsigned int i, first;
	int found = 0;

	pthread_mutex_lock(&log_lock);
	first = log_n > LOG_KEEP ? log_n - LOG_KEEP : 0;
	for (i = first; i < log_n && !found; i++)
		if (log_ring[i % LOG_KEEP].level <= level && strstr(log_ring[i % LOG_KEEP].msg, needle)) {
			snprintf(out, len, "%s", log_ring[i % LOG_KEEP].msg);
			found = 1;
		}
	pthread_mutex_unlock(&log_lock);
	return found;
}

void lab_kernel_refused(const char *feature, const char *answer)
{
	printf("KERNEL-REFUSED %s: %s\n", feature, answer);
	fflush(stdout);
}

uint32_t lab_xdp_query(const struct lab *l, int side, int *attach_mode)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	int err = bpf_xdp_query(lab_ifindex(l, side), 0, &q);

	CHECK(err == 0, "bpf_xdp_query on %s: %s", l->ifname[side], strerror(-err));
	if (attach_mode)
		*attach_mode = q.attach_mode;
	return q.prog_id;
}

int lab_xdp_foreign(const struct lab *l, int side, const char *name, int generic, uint32_t *id)
{
	/* r0 = XDP_PASS; exit */
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = XDP_PASS },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);
	int fd, err;

	fd = bpf_prog_load(BPF_PROG_TYPE_XDP, name, "GPL", insns, 2, NULL);
	CHECK(fd >= 0, "cannot load the foreign XDP program: %s", strerror(errno));
	err = bpf_xdp_attach(lab_ifindex(l, side), fd,
			     XDP_FLAGS_UPDATE_IF_NOEXIST | (generic ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE), NULL);
	CHECK(err == 0, "cannot attach the foreign XDP program to %s: %s", l->ifname[side], strerror(-err));
	memset(&info, 0, sizeof(info));
	CHECK(bpf_obj_get_info_by_fd(fd, &info, &len) == 0, "prog info: %s", strerror(errno));
	if (id)
		*id = info.id;
	return fd;
}

void lab_xdp_foreign_remove(const struct lab *l, int side, int prog_fd, int generic)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, o, .old_prog_fd = prog_fd);
	int err = bpf_xdp_detach(lab_ifindex(l, side), generic ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE, &o);

	CHECK(err == 0, "cannot detach the foreign XDP program from %s: %s", l->ifname[side], strerror(-err));
	close(prog_fd);
}

int lab_packet_socket(const struct lab *l, int side)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	int fd, size = 4 << 20;
	char buf[2048];

	sll.sll_ifindex = lab_ifindex(l, side);
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	CHECK(fd >= 0, "AF_PACKET socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size));
	CHECK(bind(fd, (struct sockaddr *)&sll, sizeof(sll)) == 0, "bind AF_PACKET to %s: %s", l->ifname[side],
	      strerror(errno));
	/* Whatever arrived on other interfaces between socket() and bind(). */
	for (int i = 0; i < 1000 && recv(fd, buf, sizeof(buf), MSG_DONTWAIT) >= 0; i++)
		;
	return fd;
}

int lab_packet_recv(int fd, void *buf, size_t len, int timeout_ms)
{
	double end = lab_now() + timeout_ms / 1000.0;

	for (int i = 0; i < 100000; i++) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct sockaddr_ll from;
		socklen_t flen = sizeof(from);
		int left = (int)((end - lab_now()) * 1000) + 1;
		ssize_t n;

		if (left <= 0 || poll(&pfd, 1, left) <= 0)
			return 0;
		n = recvfrom(fd, buf, len, MSG_DONTWAIT, (struct sockaddr *)&from, &flen);
		if (n < 0) {
			CHECK(errno == EAGAIN || errno == EINTR, "AF_PACKET recv: %s", strerror(errno));
			continue;
		}
		if (from.sll_pkttype != PACKET_OUTGOING)
			return (int)n;
	}
	return 0;
}

uint32_t lab_frame_len(uint32_t seq)
{
	return 60 + (seq * 37) % 1000;
}

int lab_frame_dport(const uint8_t *p, uint32_t len)
{
	struct ether_header eth;
	struct iphdr ip;
	struct udphdr udp;

	/* Copied out: headers in a frame are not aligned for their structs. */
	if (len < sizeof(eth) + sizeof(ip) + sizeof(udp))
		return -1;
	memcpy(&eth, p, sizeof(eth));
	memcpy(&ip, p + sizeof(eth), sizeof(ip));
	if (eth.ether_type != htons(ETHERTYPE_IP) || ip.protocol != IPPROTO_UDP ||
	    len < sizeof(eth) + ip.ihl * 4u + sizeof(udp))
		return -1;
	memcpy(&udp, p + sizeof(eth) + ip.ihl * 4u, sizeof(udp));
	return ntohs(udp.dest);
}

void lab_tx_frames(struct xdpsock_tx *tx, const struct lab *l, int from, uint32_t first, uint32_t n, uint32_t len,
		   uint16_t dport)
{
	double end = lab_now() + 10;
	struct xdpsock_stats st;
	uint32_t sent = 0;
	int loops;

	for (loops = 0; sent < n; loops++) {
		uint32_t want = n - sent < 64 ? n - sent : 64;
		int k = xdpsock_tx_seek_n(tx, want), err;

		CHECK(lab_now() < end && loops < 10000000, "sent only %u of %u frames in 10 s", sent, n);
		if (k <= 0) {
			err = xdpsock_tx_wait(tx, 10);
			CHECK(err >= 0, "tx_wait: %d", err);
			continue;
		}
		CHECK((uint32_t)k <= want, "seek_n(%u) returned %d", want, k);
		for (int i = 0; i < k; i++) {
			uint32_t seq = first + sent + (uint32_t)i, flen = len ? len : lab_frame_len(seq);
			uint8_t *p = xdpsock_tx_peek_at(tx, (uint32_t)i, flen);

			CHECK(p, "peek_at(%d, %u): %s", i, flen, strerror(errno));
			CHECK(lab_udp_frame(l, from, p, flen, seq, dport) == flen, "frame length");
		}
		err = xdpsock_tx_commit_n(tx, (uint32_t)k);
		CHECK(err == k, "commit_n(%d) = %d", k, err);
		sent += (uint32_t)k;
		err = xdpsock_tx_kick(tx);
		CHECK(err >= 0, "kick: %d", err);
	}
	/* Copy mode transmits only when kicked, a few dozen frames per kick. */
	for (loops = 0;; loops++) {
		CHECK(xdpsock_tx_stats(tx, &st) == 0, "tx_stats: %s", xdpsock_errmsg());
		if (!st.frames.tx)
			break;
		CHECK(lab_now() < end && loops < 1000000, "%u frames still on the TX ring after 10 s", st.frames.tx);
		CHECK(xdpsock_tx_kick(tx) >= 0, "kick");
		if (loops > 100)
			usleep(100);
	}
}

void lab_tx_settle(struct xdpsock_tx *tx, uint64_t committed, struct xdpsock_stats *st)
{
	double end = lab_now() + 5;

	for (int loops = 0;; loops++) {
		CHECK(xdpsock_tx_stats(tx, st) == 0, "tx_stats: %s", xdpsock_errmsg());
		if (st->frames.tx == 0 && st->frames.kernel == 0 && st->tx_completed + st->frames.comp == committed)
			return;
		CHECK(lab_now() < end && loops < 100000,
		      "TX not settled after 5 s: %llu committed, %llu reclaimed + %u in the completion ring, %u on the TX ring, %u in the kernel",
		      (unsigned long long)committed, (unsigned long long)st->tx_completed, st->frames.comp, st->frames.tx,
		      st->frames.kernel);
		CHECK(xdpsock_tx_kick(tx) >= 0, "kick");
		usleep(1000);
	}
}

uint32_t lab_rx_frames(struct xdpsock_rx *rx, const struct lab *l, int from, uint32_t first, uint32_t n, uint32_t len,
		       uint16_t dport, int timeout_ms, uint32_t *others)
{
	double end = lab_now() + timeout_ms / 1000.0;
	uint8_t want[2048];
	uint32_t got = 0, other = 0;
	int loops;

	for (loops = 0; got < n && loops < 1000000 && lab_now() < end; loops++) {
		int k = xdpsock_rx_seek_n(rx, 64), i, err;

		if (k == 0) {
			err = xdpsock_rx_wait(rx, 5);
			CHECK(err >= 0, "rx_wait: %d", err);
			continue;
		}
		for (i = 0; i < k && got < n; i++) {
			uint32_t flen, seq = first + got, wlen = len ? len : lab_frame_len(seq);
			const uint8_t *p = xdpsock_rx_peek_at(rx, (uint32_t)i, &flen);

			CHECK(p, "rx_peek_at(%d): %s", i, strerror(errno));
			if (lab_frame_dport(p, flen) != dport) {
				other++;
				continue;
			}
			CHECK(wlen <= sizeof(want), "frame length %u", wlen);
			lab_udp_frame(l, from, want, wlen, seq, dport);
			if (flen != wlen || memcmp(p, want, wlen)) {
				uint32_t s = 0;

				if (flen >= 46)
					memcpy(&s, p + 42, 4);
				CHECK(0, "port %u: expected frame seq %u (%u bytes), got seq %u (%u bytes)%s", dport, seq,
				      wlen, s, flen, s == seq ? ": same seq, different bytes" : "");
			}
			got++;
		}
		err = xdpsock_rx_commit_n(rx, (uint32_t)i);
		CHECK(err == i, "rx_commit_n(%d) = %d", i, err);
	}
	if (others)
		*others += other;
	return got;
}
