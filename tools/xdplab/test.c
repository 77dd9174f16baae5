// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * `xdplab test`: every expect line of a lab file, checked against the live lab.  Each one sends
 * ICMP echoes from inside its node (a raw socket opened there: no ping binary, nothing to parse)
 * and waits, bounded, for the reply: `ping` holds when one comes, `no-ping` when none does.  All
 * expectations run at once, one thread each, so a lab full of no-ping lines still takes a second.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>

#include "build.h"
#include "cmd.h"
#include "lab.h"
#include "netns.h"

#define ECHOES         3	/* sent per expectation ... */
#define ECHO_GAP_MS    250	/* ... this far apart */
#define PING_WAIT_MS   2000	/* ping: a reply must come within this */
#define NOPING_WAIT_MS 1000	/* no-ping: none may come within this */

struct probe {
	const struct xl_expect *e;
	int nsfd;		/* the node's namespace; -1 when it cannot be tested (error says why) */
	uint16_t id;		/* ICMP echo identifier: tells our replies from anyone else's */
	/* the outcome */
	bool replied;
	double rtt_ms;
	bool holds;
	char error[200];	/* the expectation could not be checked */
	char note[120];		/* what else was seen: an unreachable, a refused send */
};

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1000.0 + (double)t.tv_nsec / 1e6;
}

static uint16_t csum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)(p[len - 1] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

/*
 * Whether @buf (@len bytes from @from) answers our echo @seq..: 1 a reply, 2 an error quoting one of
 * our echoes (its sender in @p->note), 0 anything else.  IPv4 raw sockets deliver the IP header too.
 */
static int classify(struct probe *p, const uint8_t *buf, size_t len, const void *from, int *seq)
{
	const struct xl_expect *e = p->e;
	char who[64];

	if (e->family == AF_INET) {
		size_t ihl;

		if (len < 20 || (ihl = (size_t)(buf[0] & 0x0f) * 4) < 20 || len < ihl + 8)
			return 0;
		buf += ihl;
		len -= ihl;
		if (buf[0] == ICMP_ECHOREPLY && !memcmp(from, e->addr, 4) && (buf[4] << 8 | buf[5]) == p->id) {
			*seq = buf[6] << 8 | buf[7];
			return 1;
		}
		/* An error carries the IP header and 8 bytes of what it is about: our echo request. */
		if ((buf[0] == ICMP_DEST_UNREACH || buf[0] == ICMP_TIME_EXCEEDED) && len >= 8 + 20 + 8) {
			const uint8_t *in = buf + 8, *icmp = in + (size_t)(in[0] & 0x0f) * 4;

			if (icmp + 8 <= buf + len && icmp[0] == ICMP_ECHO && (icmp[4] << 8 | icmp[5]) == p->id) {
				snprintf(p->note, sizeof(p->note), "%s says %s", xl_ip_str(AF_INET, from, who),
					 buf[0] == ICMP_DEST_UNREACH ? "destination unreachable" : "TTL exceeded");
				return 2;
			}
		}
		return 0;
	}
	if (len < 8)
		return 0;
	if (buf[0] == ICMP6_ECHO_REPLY && !memcmp(from, e->addr, 16) && (buf[4] << 8 | buf[5]) == p->id) {
		*seq = buf[6] << 8 | buf[7];
		return 1;
	}
	if ((buf[0] == ICMP6_DST_UNREACH || buf[0] == ICMP6_TIME_EXCEEDED) && len >= 8 + 40 + 8 && buf[8 + 6] == 58 &&
	    buf[8 + 40] == ICMP6_ECHO_REQUEST && (buf[8 + 40 + 4] << 8 | buf[8 + 40 + 5]) == p->id) {
		snprintf(p->note, sizeof(p->note), "%s says %s", xl_ip_str(AF_INET6, from, who),
			 buf[0] == ICMP6_DST_UNREACH ? "destination unreachable" : "hop limit exceeded");
		return 2;
	}
	return 0;
}

/* On the probe's thread, inside the node: send the echoes, wait for a reply (bounded). */
static void ping(struct probe *p)
{
	const struct xl_expect *e = p->e;
	const bool v4 = e->family == AF_INET;
	struct sockaddr_storage to = { 0 };
	double sent[ECHOES], t0 = now_ms(), wait = e->reach ? PING_WAIT_MS : NOPING_WAIT_MS;
	int fd, nsent = 0;

	fd = socket(e->family, SOCK_RAW | SOCK_CLOEXEC, v4 ? IPPROTO_ICMP : IPPROTO_ICMPV6);
	if (fd < 0) {
		snprintf(p->error, sizeof(p->error), "cannot open an ICMP socket in node: %s", strerror(errno));
		return;
	}
	if (v4) {
		struct sockaddr_in *s = (struct sockaddr_in *)&to;

		s->sin_family = AF_INET;
		memcpy(&s->sin_addr, e->addr, 4);
	} else {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)&to;
		struct icmp6_filter filter;

		s->sin6_family = AF_INET6;
		memcpy(&s->sin6_addr, e->addr, 16);
		/* Only what can be about our echoes; the kernel fills in the ICMPv6 checksum itself. */
		ICMP6_FILTER_SETBLOCKALL(&filter);
		ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &filter);
		ICMP6_FILTER_SETPASS(ICMP6_DST_UNREACH, &filter);
		ICMP6_FILTER_SETPASS(ICMP6_TIME_EXCEEDED, &filter);
		setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof(filter));
	}
	for (;;) {
		double t = now_ms() - t0, next = nsent < ECHOES ? nsent * ECHO_GAP_MS : wait;
		uint8_t buf[1500];
		struct sockaddr_storage from;
		socklen_t flen = sizeof(from);
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;
		int seq = -1;

		if (t >= wait)
			break;
		if (nsent < ECHOES && t >= next) {
			uint8_t echo[8 + 16] = { v4 ? ICMP_ECHO : ICMP6_ECHO_REQUEST, 0, 0, 0, (uint8_t)(p->id >> 8),
						 (uint8_t)p->id, 0, (uint8_t)nsent };

			memcpy(echo + 8, "xdplab expect...", 16);
			if (v4) {
				uint16_t c = csum(echo, sizeof(echo));

				memcpy(echo + 2, &c, 2);
			}
			sent[nsent] = now_ms();
			if (sendto(fd, echo, sizeof(echo), 0, (struct sockaddr *)&to, sizeof(to)) < 0 && !p->note[0])
				snprintf(p->note, sizeof(p->note), "the node cannot send to it: %s", strerror(errno));
			nsent++;
			continue;
		}
		if (poll(&pfd, 1, (int)(next - t) + 1) <= 0)
			continue;
		n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from, &flen);
		if (n <= 0)
			continue;
		if (classify(p, buf, (size_t)n,
			     v4 ? (void *)&((struct sockaddr_in *)&from)->sin_addr : (void *)&((struct sockaddr_in6 *)&from)->sin6_addr,
			     &seq) == 1 &&
		    seq >= 0 && seq < nsent) {
			p->replied = true;
			p->rtt_ms = now_ms() - sent[seq];
			break;
		}
	}
	close(fd);
	p->holds = p->replied == e->reach;
}

static void *probe_thread(void *arg)
{
	struct probe *p = arg;

	/* This thread only: it moves into the node, sends from there, and ends. */
	if (setns(p->nsfd, CLONE_NEWNET)) {
		snprintf(p->error, sizeof(p->error), "cannot enter the node's namespace: %s", strerror(errno));
		return NULL;
	}
	ping(p);
	return NULL;
}

static void detail(const struct probe *p, char *buf, size_t len)
{
	if (p->error[0])
		snprintf(buf, len, "%s", p->error);
	else if (p->replied)
		snprintf(buf, len, "reply after %.2f ms", p->rtt_ms);
	else
		snprintf(buf, len, "no reply in %d ms%s%s%s", p->e->reach ? PING_WAIT_MS : NOPING_WAIT_MS,
			 p->note[0] ? " (" : "", p->note, p->note[0] ? ")" : "");
}

static void print_text(const struct xl_lab *lab, const struct probe *pr, int held)
{
	char d[256];

	printf("lab %s (%s): %d expectation%s\n", lab->name, lab->file, lab->nexpects, lab->nexpects == 1 ? "" : "s");
	printf("  %-5s %-15s %-8s %-39s %-6s %s\n", "LINE", "NODE", "EXPECT", "ADDRESS", "RESULT", "DETAIL");
	for (int k = 0; k < lab->nexpects; k++) {
		const struct probe *p = &pr[k];

		detail(p, d, sizeof(d));
		printf("  %-5d %-15s %-8s %-39s %-6s %s\n", p->e->line, lab->nodes[p->e->node].name,
		       p->e->reach ? "ping" : "no-ping", p->e->text, p->error[0] ? "ERROR" : p->holds ? "ok" : "FAIL", d);
	}
	if (held == lab->nexpects)
		printf("all %d expectation%s hold\n", held, held == 1 ? "" : "s");
	else
		printf("%d of %d expectation%s do%s not hold\n", lab->nexpects - held, lab->nexpects,
		       lab->nexpects == 1 ? "" : "s", lab->nexpects - held == 1 ? "es" : "");
}

static void print_json(const struct xl_lab *lab, const struct probe *pr, int held)
{
	char d[256];

	printf("{\"lab\": ");
	xl_jstr(lab->name);
	printf(", \"file\": ");
	xl_jstr(lab->file);
	printf(", \"expectations\": [");
	for (int k = 0; k < lab->nexpects; k++) {
		const struct probe *p = &pr[k];

		detail(p, d, sizeof(d));
		printf("%s\n  {\"line\": %d, \"node\": ", k ? "," : "", p->e->line);
		xl_jstr(lab->nodes[p->e->node].name);
		printf(", \"expect\": \"%s\", \"address\": ", p->e->reach ? "ping" : "no-ping");
		xl_jstr(p->e->text);
		printf(", \"result\": \"%s\", \"holds\": %s, \"replied\": %s, \"rtt_ms\": ",
		       p->error[0] ? "error" : p->holds ? "ok" : "fail", p->holds && !p->error[0] ? "true" : "false",
		       p->replied ? "true" : "false");
		if (p->replied)
			printf("%.3f", p->rtt_ms);
		else
			printf("null");
		printf(", \"detail\": ");
		xl_jstr(d);
		printf("}");
	}
	printf("%s], \"held\": %d, \"failed\": %d, \"all_hold\": %s}\n", lab->nexpects ? "\n" : "", held,
	       lab->nexpects - held, held == lab->nexpects ? "true" : "false");
}

int xl_test(const struct xl_lab *lab, const struct xl_opts *o)
{
	struct probe *pr = calloc((size_t)lab->nexpects + 1, sizeof(*pr));
	pthread_t *th = calloc((size_t)lab->nexpects + 1, sizeof(*th));
	bool *started = calloc((size_t)lab->nexpects + 1, sizeof(*started));
	int nsfd[XL_MAX_NODES], held = 0, down = 0, k;

	if (!pr || !th || !started) {
		free(pr);
		free(th);
		free(started);
		return xl_fail(-ENOMEM, "out of memory");
	}
	/* Each node once: the lab's own namespace (with its mark), or why it cannot be tested. */
	for (k = 0; k < lab->nnodes; k++) {
		struct xl_ns ns;
		int own;

		xl_ns_init(&ns);
		own = xlb_node_owner(lab, k, &ns);
		nsfd[k] = own == XLB_OWNER_LAB ? dup(ns.fd) : -1;
		xl_ns_close(&ns);
		down += own == XLB_OWNER_NONE;
		if (own != XLB_OWNER_LAB) {
			for (int e = 0; e < lab->nexpects; e++)
				if (lab->expects[e].node == k)
					snprintf(pr[e].error, sizeof(pr[e].error), "%s",
						 own == XLB_OWNER_NONE ? "the node is not up ('xdplab up FILE' makes it)" : xl_errmsg());
		}
	}
	for (k = 0; k < lab->nexpects; k++) {
		struct probe *p = &pr[k];
		int err;

		p->e = &lab->expects[k];
		p->nsfd = nsfd[p->e->node];
		p->id = (uint16_t)((unsigned int)getpid() * 131u + (unsigned int)k);
		if (p->error[0] || p->nsfd < 0)
			continue;
		err = pthread_create(&th[k], NULL, probe_thread, p);
		if (err)
			snprintf(p->error, sizeof(p->error), "cannot start a thread: %s", strerror(err));
		started[k] = !err;
	}
	for (k = 0; k < lab->nexpects; k++) {
		if (started[k])
			pthread_join(th[k], NULL);	/* each bounded by its wait */
		held += pr[k].holds && !pr[k].error[0];
	}
	for (k = 0; k < lab->nnodes; k++)
		if (nsfd[k] >= 0)
			close(nsfd[k]);
	if (o->json)
		print_json(lab, pr, held);
	else
		print_text(lab, pr, held);
	fflush(stdout);
	free(started);
	free(th);
	free(pr);
	if (down == lab->nnodes)
		return xl_fail(-EAGAIN, "lab %s is not up: 'xdplab up %s' makes it", lab->name, lab->file);
	if (held != lab->nexpects)
		return xl_fail(-EAGAIN, "lab %s: %d of %d expectation%s do%s not hold", lab->name, lab->nexpects - held,
			       lab->nexpects, lab->nexpects == 1 ? "" : "s", lab->nexpects - held == 1 ? "es" : "");
	return 0;
}
