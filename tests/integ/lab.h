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

/* ---- helpers added for the it_* suite ------------------------------------------------ */

/* Monotonic time in seconds, for deadlines. */
double lab_now(void);

/*
 * The library's log: print ERROR/WARN/INFO lines to stderr (DEBUG too with LAB_DEBUG=1) and
 * remember the last messages so that a test can look for words in them.  Thread-safe.
 */
void lab_log_capture(void);
void lab_log_reset(void);
/* 1 when a message at @level or more severe since the last reset contains @needle. */
int lab_log_has(int level, const char *needle);

/* Copy the first message at @level or more severe containing @needle into @out; 1 if found. */
int lab_log_get(int level, const char *needle, char *out, size_t len);

/*
 * Report that a probe proved the running kernel refuses @feature (tests/run.sh lists these; under
 * CI=true a test may exit T_SKIP only after saying this).  A test that then checks the fallback
 * still passes.
 */
void lab_kernel_refused(const char *feature, const char *answer);

/* Program id attached to side @side's end (0: none) and its XDP_ATTACHED_* mode; enters @side. */
uint32_t lab_xdp_query(const struct lab *l, int side, int *attach_mode);

/*
 * Someone else's program: load "return XDP_PASS" named @name and attach it to side @side's end
 * (generic or native); enters @side.  Returns the program fd, its id in *id.  Remove it with
 * lab_xdp_foreign_remove() (the namespace's removal at exit also takes it away).
 */
int lab_xdp_foreign(const struct lab *l, int side, const char *name, int generic, uint32_t *id);
void lab_xdp_foreign_remove(const struct lab *l, int side, int prog_fd, int generic);

/* AF_PACKET socket (ETH_P_ALL) bound to side @side's end, created in that namespace (enters it). */
int lab_packet_socket(const struct lab *l, int side);
/* Next frame the interface received (outgoing ones skipped) within @timeout_ms: length, 0 on timeout. */
int lab_packet_recv(int fd, void *buf, size_t len, int timeout_ms);

struct xdpsock_tx;
struct xdpsock_rx;
struct xdpsock_stats;

/*
 * Send frames lab_udp_frame(@from, len, seq, @dport) for seq = @first .. @first + @n - 1 through
 * @tx with the batch API (seek_n/peek_at/commit_n, 64 at a time), then kick until the kernel has
 * taken them all off the TX ring.  len is @len, or varies with seq when @len is 0 (see
 * lab_frame_len).  Fails the test on any error or after 10 s.
 */
void lab_tx_frames(struct xdpsock_tx *tx, const struct lab *l, int from, uint32_t first, uint32_t n, uint32_t len,
		   uint16_t dport);
/*
 * Kick until the kernel is done with all @committed frames @tx ever committed: none on the TX
 * ring or in flight, each one either reclaimed (stats.tx_completed) or waiting in the completion
 * ring (census.comp) -- when the library reclaims is its own business.  Fails after 5 s; the
 * final stats in *@st.
 */
void lab_tx_settle(struct xdpsock_tx *tx, uint64_t committed, struct xdpsock_stats *st);
/* Frame length used for @seq when a helper is given len 0: 60 .. 1059 bytes. */
uint32_t lab_frame_len(uint32_t seq);
/*
 * Receive on @rx until @n frames for UDP port @dport have arrived or @timeout_ms passed.  They must
 * be exactly lab_udp_frame(@from, len, @first + k, @dport) in order (byte for byte: a lost,
 * duplicated, reordered or corrupted frame fails the test).  Other frames are released and counted
 * in *@others (may be NULL).  Returns how many of the @n arrived.
 */
uint32_t lab_rx_frames(struct xdpsock_rx *rx, const struct lab *l, int from, uint32_t first, uint32_t n, uint32_t len,
		       uint16_t dport, int timeout_ms, uint32_t *others);
/* UDP destination port of an Ethernet/IPv4/UDP frame, or -1 when it is not one. */
int lab_frame_dport(const uint8_t *p, uint32_t len);

/*
 * exit(T_FAIL) from the first thread that fails; a second failing thread waits for the process to
 * end instead of racing the first one's exit handlers (which remove the namespaces).
 */
void lab_fail_exit(void) __attribute__((noreturn));

#define CHECK(cond, ...)                                                                         \
	do {                                                                                     \
		if (!(cond)) {                                                                   \
			fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);          \
			fprintf(stderr, __VA_ARGS__);                                            \
			fprintf(stderr, "\n");                                                   \
			lab_fail_exit();                                                         \
		}                                                                                \
	} while (0)

#endif
