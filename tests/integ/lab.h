/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Test topology for integration tests: two network namespaces joined by one
 * veth pair, addresses from 198.18.0.0/15 only, removed at exit (normal exit,
 * failed assertion, or SIGINT/SIGTERM/SIGALRM).  Threads enter a side with
 * lab_enter(); a socket stays in the namespace it was created in.
 *
 *   ns "<prefix>a"  va  198.18.0.1/24  <==veth==>  vb  198.18.0.2/24  ns "<prefix>b"
 *
 * Exit codes follow the liburing convention: 0 pass, 1 fail, 77 skip
 * (skips fail under CI=true: see tests/run.sh).
 */
#ifndef XDPSOCK_TEST_LAB_H
#define XDPSOCK_TEST_LAB_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define T_PASS 0
#define T_FAIL 1
#define T_SKIP 77

enum { LAB_A = 0, LAB_B = 1 };

struct lab {
	char ns[2][32];
	char ifname[2][16];	/* "va", "vb" */
	uint8_t mac[2][6];
	uint32_t ip[2];		/* host order: 198.18.0.1, 198.18.0.2 */
	int queues;
	int nsfd[2];
};

/* Skip (exit 77) when not root; call first. */
void lab_require_root(const char *test);

/* Build the pair with @queues RX/TX queues on each end; exits T_FAIL on error.  One lab per process. */
struct lab *lab_up(int queues);
/* Remove it (idempotent; also run at exit). */
void lab_down(struct lab *l);
/* Move the calling thread into side @side's namespace; exits T_FAIL on error. */
void lab_enter(const struct lab *l, int side);
/* ifindex of side @side's veth end; enters that side first. */
int lab_ifindex(const struct lab *l, int side);
/* Run a shell command inside side @side (ip netns exec); returns its exit status. */
int lab_sh(const struct lab *l, int side, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Count of XDP programs attached on side @side's end (0 or 1), via `ip -j link`. */
int lab_xdp_attached(const struct lab *l, int side);

/* Open fds and mappings of this process, for leak checks. */
int proc_fd_count(void);
int proc_map_count(void);

/* Build an Ethernet/IPv4/UDP frame from A to B with @seq in the payload; returns its length. */
uint32_t lab_udp_frame(const struct lab *l, int from, uint8_t *buf, uint32_t len, uint32_t seq, uint16_t dport);

#define CHECK(cond, ...)                                                                         \
	do {                                                                                     \
		if (!(cond)) {                                                                   \
			fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);          \
			fprintf(stderr, __VA_ARGS__);                                            \
			fprintf(stderr, "\n");                                                   \
			exit(T_FAIL);                                                            \
		}                                                                                \
	} while (0)

#endif
