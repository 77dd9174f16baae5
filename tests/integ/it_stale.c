// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * The steering program's lifetime across sockets and processes (4-queue veth):
 *  A. a killed owner: a child creates an RX socket on vb (attaching our program) and dies without
 *     destroying it, once by _exit() and once by SIGKILL; the program stays attached; a new
 *     xdpsock_rx_create in the parent succeeds, logs a warning with "stale", replaces the program,
 *     receives frames, and after destroy nothing is attached;
 *  B. two RX sockets on queues 0 and 1 of one interface share one program; destroying the first
 *     keeps it (and the second keeps receiving); destroying the second detaches it;
 *  C. a live owner in another process: the parent shares its program (no "stale"), both receive
 *     their queue's frames; the owner leaves first and the program stays for the parent, whose
 *     destroy then detaches it.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <xdpsock/xdpsock.h>

#include "lab.h"

#define N 200

static struct lab *l;

static void send_from_va(uint32_t q, uint32_t first, uint16_t dport)
{
	struct xdpsock_tx *tx;
	int err = xdpsock_tx_create(&tx, lab_ifindex(l, LAB_A), q, NULL);

	CHECK(err == 0, "tx_create va queue %u: %s", q, xdpsock_errmsg());
	lab_tx_frames(tx, l, LAB_A, first, N, 0, dport);
	xdpsock_tx_destroy(tx);
}

static void expect_frames(struct xdpsock_rx *rx, uint32_t first, uint16_t dport, const char *what)
{
	uint32_t got = lab_rx_frames(rx, l, LAB_A, first, N, 0, dport, 5000, NULL);

	CHECK(got == N, "%s: received %u of %u", what, got, N);
}

static void killed_owner(int use_sigkill)
{
	const char *how = use_sigkill ? "SIGKILL" : "_exit";
	struct xdpsock_rx *rx;
	struct xdpsock_mode m;
	uint32_t stale_id, id;
	int p[2], st, err, mode;
	char c;
	pid_t pid;

	CHECK(pipe(p) == 0, "pipe");
	lab_enter(l, LAB_B);	/* the child starts in the forking thread's namespace */
	fflush(NULL);
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);	/* never outlive a parent that failed */
		close(p[0]);
		if (xdpsock_rx_create(&rx, lab_ifindex(l, LAB_B), 0, NULL)) {
			fprintf(stderr, "child: rx_create: %s\n", xdpsock_errmsg());
			_exit(1);
		}
		if (write(p[1], "R", 1) != 1)
			_exit(1);
		if (use_sigkill)
			for (int i = 0; i < 30; i++)	/* killed at once; 30 s at most */
				sleep(1);
		_exit(0);	/* no xdpsock_rx_destroy: the program stays behind */
	}
	close(p[1]);
	CHECK(read(p[0], &c, 1) == 1 && c == 'R', "the child could not create its RX socket");
	close(p[0]);
	if (use_sigkill)
		kill(pid, SIGKILL);
	CHECK(waitpid(pid, &st, 0) == pid, "waitpid");
	CHECK(use_sigkill ? WIFSIGNALED(st) : (WIFEXITED(st) && WEXITSTATUS(st) == 0), "child status %#x", st);

	stale_id = lab_xdp_query(l, LAB_B, &mode);
	CHECK(stale_id != 0 && lab_xdp_attached(l, LAB_B), "%s: the dead child's program is not attached", how);

	lab_log_reset();
	err = xdpsock_rx_create(&rx, lab_ifindex(l, LAB_B), 0, NULL);
	CHECK(err == 0, "%s: rx_create over a stale program: %d %s", how, err, xdpsock_errmsg());
	CHECK(lab_log_has(XDPSOCK_LOG_WARN, "stale"), "%s: no warning with 'stale' was logged", how);
	CHECK(!lab_log_has(XDPSOCK_LOG_INFO, "sharing"), "%s: the stale program was shared, not replaced", how);
	id = lab_xdp_query(l, LAB_B, NULL);
	CHECK(id != 0 && id != stale_id, "%s: program %u still attached (stale was %u)", how, id, stale_id);
	CHECK(xdpsock_rx_mode(rx, &m) == 0 && m.attach == XDPSOCK_ATTACH_NATIVE, "mode");
	send_from_va(0, 0, 9800);
	expect_frames(rx, 0, 9800, "after replacing the stale program");
	xdpsock_rx_destroy(rx);
	CHECK(!lab_xdp_attached(l, LAB_B), "%s: program left on vb after destroy", how);
	printf("killed owner (%s): stale program %u replaced by %u, %u frames received, detached at destroy\n", how,
	       stale_id, id, N);
}

static void two_queues_one_program(void)
{
	struct xdpsock_rx *rx0, *rx1;
	struct xdpsock_mode m0, m1;
	uint32_t id0, id1;
	int err;

	err = xdpsock_rx_create(&rx0, lab_ifindex(l, LAB_B), 0, NULL);
	CHECK(err == 0, "rx_create q0: %s", xdpsock_errmsg());
	id0 = lab_xdp_query(l, LAB_B, NULL);
	lab_log_reset();
	err = xdpsock_rx_create(&rx1, lab_ifindex(l, LAB_B), 1, NULL);
	CHECK(err == 0, "rx_create q1: %s", xdpsock_errmsg());
	CHECK(!lab_log_has(XDPSOCK_LOG_INFO, "attached the xdpsock program"), "the second socket attached a program");
	id1 = lab_xdp_query(l, LAB_B, NULL);
	CHECK(id0 && id0 == id1, "two programs: %u then %u", id0, id1);
	CHECK(xdpsock_rx_mode(rx0, &m0) == 0 && xdpsock_rx_mode(rx1, &m1) == 0 && m0.attach == m1.attach, "modes");
	send_from_va(1, 0, 9801);
	expect_frames(rx1, 0, 9801, "queue 1 with both sockets");

	xdpsock_rx_destroy(rx0);
	CHECK(lab_xdp_query(l, LAB_B, NULL) == id0, "destroying the first socket detached the shared program");
	send_from_va(1, N, 9801);
	expect_frames(rx1, N, 9801, "queue 1 after the queue-0 socket left");
	xdpsock_rx_destroy(rx1);
	CHECK(!lab_xdp_attached(l, LAB_B), "the last socket left the program attached");
	printf("two queues: one program (%u), kept by the second socket, detached by the last\n", id0);
}

static void live_owner_elsewhere(void)
{
	struct xdpsock_rx *rx;
	uint32_t owner_id;
	int up[2], down[2], st, err;
	char c;
	pid_t pid;

	CHECK(pipe(up) == 0 && pipe(down) == 0, "pipe");
	lab_enter(l, LAB_B);
	fflush(NULL);
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (pid == 0) {
		struct xdpsock_rx *crx;
		uint32_t got;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(up[0]);
		close(down[1]);
		if (xdpsock_rx_create(&crx, lab_ifindex(l, LAB_B), 1, NULL))
			_exit(1);
		if (write(up[1], "R", 1) != 1)
			_exit(1);
		got = lab_rx_frames(crx, l, LAB_A, 0, N, 0, 9803, 10000, NULL);
		if (got != N)
			_exit(2);
		/* Leave first, while the parent still receives through our program. */
		if (read(down[0], &c, 1) != 1)
			_exit(1);
		xdpsock_rx_destroy(crx);
		_exit(0);
	}
	close(up[1]);
	close(down[0]);
	CHECK(read(up[0], &c, 1) == 1 && c == 'R', "the child could not create its RX socket");
	owner_id = lab_xdp_query(l, LAB_B, NULL);
	lab_log_reset();
	err = xdpsock_rx_create(&rx, lab_ifindex(l, LAB_B), 0, NULL);
	CHECK(err == 0, "rx_create next to a live owner: %s", xdpsock_errmsg());
	CHECK(lab_log_has(XDPSOCK_LOG_INFO, "sharing the xdpsock program"), "the live program was not shared");
	CHECK(!lab_log_has(XDPSOCK_LOG_WARN, "stale"), "a live owner's program was called stale");
	CHECK(lab_xdp_query(l, LAB_B, NULL) == owner_id, "the live owner's program was replaced");
	send_from_va(0, 0, 9802);
	send_from_va(1, 0, 9803);
	expect_frames(rx, 0, 9802, "the sharing process, queue 0");

	CHECK(write(down[1], "D", 1) == 1, "pipe");
	CHECK(waitpid(pid, &st, 0) == pid, "waitpid");
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child (owner, queue 1) failed: status %#x (2: frames missing)",
	      st);
	close(up[0]);
	close(down[1]);
	CHECK(lab_xdp_query(l, LAB_B, NULL) == owner_id, "the owner's exit detached the program the parent uses");
	send_from_va(0, N, 9802);
	expect_frames(rx, N, 9802, "the sharing process after the owner left");
	xdpsock_rx_destroy(rx);
	CHECK(!lab_xdp_attached(l, LAB_B), "the last user (which adopted the program) left it attached");
	printf("live owner in another process: program %u shared, kept after the owner left, detached by the last user\n",
	       owner_id);
}

int main(void)
{
	lab_require_root("it_stale");
	lab_log_capture();
	l = lab_up(4);
	killed_owner(0);
	killed_owner(1);
	two_queues_one_program();
	live_owner_elsewhere();
	printf("PASS it_stale\n");
	return T_PASS;
}
