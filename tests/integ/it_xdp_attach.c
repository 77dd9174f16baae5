// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * xdpsock_xdp_attach()/xdpsock_xdp_detach(), the one policy for every XDP program of the project,
 * on vb with a program "xs_mine" of our own (return XDP_PASS):
 *   - nothing attached: attached, native; detached: nothing left;
 *   - someone else's program: -EBUSY naming it, and it stays; with replace_foreign: removed, with
 *     a warning, and ours attached;
 *   - an RX socket with XDPSOCK_F_REPLACE_FOREIGN does the same for the library's own program;
 *   - ours, left by a process that was killed (nobody holds it): replaced, with a warning;
 *   - ours, held by a running process: -EBUSY "already served by another process", it stays;
 *   - held by a BPF link: a netlink detach by someone else is refused, a process killed with -9
 *     leaves nothing, and detach reaches the device after it moved to another namespace;
 *   - detach from a thread in another namespace detaches in the namespace of the attach.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdpsock/xdp.h>

#include "lab.h"

static struct lab *l;

/* Load (not attach) "return XDP_PASS" named @name. */
static int load_pass(const char *name)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = XDP_PASS },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int fd = bpf_prog_load(BPF_PROG_TYPE_XDP, name, "GPL", insns, 2, NULL);

	CHECK(fd >= 0, "cannot load %s: %s", name, strerror(errno));
	return fd;
}

static uint32_t attached_id(void)
{
	return lab_xdp_query(l, LAB_B, NULL);
}

static void fresh_attach_and_detach(int mine)
{
	struct xdpsock_xdp *x;
	int err = xdpsock_xdp_attach(&x, lab_ifindex(l, LAB_B), mine, NULL);

	CHECK(err == 0, "attach on an empty vb: %s", xdpsock_errmsg());
	CHECK(xdpsock_xdp_mode(x) == XDPSOCK_ATTACH_NATIVE, "mode %d, not native", xdpsock_xdp_mode(x));
	CHECK(attached_id() == xdpsock_xdp_prog_id(x), "vb has program %u, not ours %u", attached_id(),
	      xdpsock_xdp_prog_id(x));
	CHECK(xdpsock_xdp_detach(x) == 0, "detach");
	CHECK(attached_id() == 0, "a program is left on vb");
}

static void foreign(int mine)
{
	XDPSOCK_XDP_OPTS(force, .replace_foreign = true);
	struct xdpsock_xdp *x;
	uint32_t fid;
	int ffd = lab_xdp_foreign(l, LAB_B, "xs_theirs", 0, &fid), err;

	lab_log_reset();
	err = xdpsock_xdp_attach(&x, lab_ifindex(l, LAB_B), mine, NULL);
	CHECK(err == -EBUSY && !x, "attach over someone else's program: %d", err);
	CHECK(strstr(xdpsock_errmsg(), "'xs_theirs'") && strstr(xdpsock_errmsg(), "not ours and is left alone"),
	      "message: %s", xdpsock_errmsg());
	CHECK(!strstr(xdpsock_errmsg(), "xdp off"), "the message advises removing someone else's program: %s",
	      xdpsock_errmsg());
	CHECK(attached_id() == fid, "someone else's program was touched");
	err = xdpsock_xdp_attach(&x, lab_ifindex(l, LAB_B), mine, &force);
	CHECK(err == 0, "attach with replace_foreign: %s", xdpsock_errmsg());
	CHECK(lab_log_has(XDPSOCK_LOG_WARN, "removed XDP program 'xs_theirs'"), "no warning about the removal");
	CHECK(attached_id() == xdpsock_xdp_prog_id(x), "ours is not attached");
	xdpsock_xdp_detach(x);
	close(ffd);
}

/* The library's own program, on an RX socket asked to replace someone else's. */
static void socket_replaces_foreign(void)
{
	XDPSOCK_OPTS(o, .flags = XDPSOCK_F_REPLACE_FOREIGN);
	struct xdpsock_rx *rx;
	uint32_t fid;
	int ffd = lab_xdp_foreign(l, LAB_B, "xs_theirs", 0, &fid), err;

	err = xdpsock_rx_create(&rx, lab_ifindex(l, LAB_B), 0, NULL);
	CHECK(err == -EBUSY && strstr(xdpsock_errmsg(), "'xs_theirs'"), "rx_create over someone else's program: %d %s",
	      err, xdpsock_errmsg());
	CHECK(attached_id() == fid, "someone else's program was touched");
	lab_log_reset();
	err = xdpsock_rx_create(&rx, lab_ifindex(l, LAB_B), 0, &o);
	CHECK(err == 0, "rx_create with XDPSOCK_F_REPLACE_FOREIGN: %s", xdpsock_errmsg());
	CHECK(lab_log_has(XDPSOCK_LOG_WARN, "removed XDP program 'xs_theirs'"), "no warning about the removal");
	CHECK(attached_id() != fid && attached_id() != 0, "the library's program is not attached");
	xdpsock_rx_destroy(rx);
	CHECK(attached_id() == 0, "a program is left on vb");
	close(ffd);
}

static void stale(int mine)
{
	struct xdpsock_xdp *x;
	uint32_t sid;
	int err;

	/* Ours, attached and then abandoned: nobody holds an fd of it. */
	close(lab_xdp_foreign(l, LAB_B, "xs_mine", 0, &sid));
	lab_log_reset();
	err = xdpsock_xdp_attach(&x, lab_ifindex(l, LAB_B), mine, NULL);
	CHECK(err == 0, "attach over a stale program of ours: %s", xdpsock_errmsg());
	CHECK(lab_log_has(XDPSOCK_LOG_WARN, "removed a stale xs_mine program"), "no warning about the stale program");
	CHECK(attached_id() == xdpsock_xdp_prog_id(x) && attached_id() != sid, "the stale program is still there");
	xdpsock_xdp_detach(x);
	CHECK(attached_id() == 0, "a program is left on vb");
}

static void live(int mine)
{
	struct xdpsock_xdp *x;
	int pipefd[2], err;
	uint32_t lid;
	pid_t pid;
	char c;

	/* A child attaches "xs_mine" and keeps its fd, as a running owner does. */
	CHECK(pipe(pipefd) == 0, "pipe");
	lab_enter(l, LAB_B);
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (pid == 0) {
		int fd = lab_xdp_foreign(l, LAB_B, "xs_mine", 0, NULL);

		(void)fd;
		if (write(pipefd[1], "r", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	CHECK(read(pipefd[0], &c, 1) == 1, "child did not attach");
	lid = attached_id();
	err = xdpsock_xdp_attach(&x, lab_ifindex(l, LAB_B), mine, NULL);
	CHECK(err == -EBUSY, "attach over a live owner's program: %d %s", err, xdpsock_errmsg());
	CHECK(strstr(xdpsock_errmsg(), "already served by another process") &&
	      strstr(xdpsock_errmsg(), "held by 1 running process"),
	      "message: %s", xdpsock_errmsg());
	CHECK(attached_id() == lid, "the live owner's program was touched");
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(pipefd[0]);
	close(pipefd[1]);
	/* Its owner is gone now: stale. */
	err = xdpsock_xdp_attach(&x, lab_ifindex(l, LAB_B), mine, NULL);
	CHECK(err == 0, "attach after the owner was killed: %s", xdpsock_errmsg());
	xdpsock_xdp_detach(x);
}

/* Held by a BPF link: nobody removes ours over netlink meanwhile, and a kill -9 leaves nothing. */
static void link_held(int mine)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, o);
	struct xdpsock_xdp *x;
	int err = xdpsock_xdp_attach(&x, lab_ifindex(l, LAB_B), mine, NULL), st;
	pid_t pid;

	CHECK(err == 0, "attach: %s", xdpsock_errmsg());
	err = bpf_xdp_detach(lab_ifindex(l, LAB_B), XDP_FLAGS_DRV_MODE, &o);
	CHECK(err == -EBUSY, "a netlink detach of our link-held program gave %d, not -EBUSY", err);
	CHECK(attached_id() == xdpsock_xdp_prog_id(x), "ours is gone");
	xdpsock_xdp_detach(x);
	CHECK(attached_id() == 0, "a program is left on vb");

	pid = fork();
	CHECK(pid >= 0, "fork");
	if (pid == 0) {
		xdpsock_set_log(NULL, NULL);
		if (xdpsock_xdp_attach(&x, lab_ifindex(l, LAB_B), mine, NULL))
			_exit(3);
		kill(getpid(), SIGKILL);
		_exit(4);
	}
	CHECK(waitpid(pid, &st, 0) == pid && WIFSIGNALED(st), "child status %#x", st);
	CHECK(attached_id() == 0, "a process killed with -9 left its program on vb");
}

/* The device moves to another namespace: detaching still reaches it there. */
static void device_moved(int mine)
{
	struct xdpsock_xdp *x;
	int err = xdpsock_xdp_attach(&x, lab_ifindex(l, LAB_B), mine, NULL);

	CHECK(err == 0, "attach: %s", xdpsock_errmsg());
	CHECK(lab_sh(l, LAB_B, "ip link set dev vb netns %s", l->ns[LAB_A]) == 0, "move vb to va's namespace");
	CHECK(lab_sh(l, LAB_A, "ip link show dev vb | grep -q xdp") == 0, "the program did not move with vb");
	xdpsock_xdp_detach(x);
	CHECK(lab_sh(l, LAB_A, "ip link show dev vb | grep -q xdp") != 0, "the program stayed on vb in its new namespace");
	CHECK(lab_sh(l, LAB_A, "ip link set dev vb netns %s", l->ns[LAB_B]) == 0 &&
	      lab_sh(l, LAB_B, "ip link set dev vb up") == 0, "move vb back");
}

static void *detach_elsewhere(void *arg)
{
	lab_enter(l, LAB_A);	/* another namespace than the attach's */
	return (void *)(long)xdpsock_xdp_detach(arg);
}

static void detach_from_another_namespace(int mine)
{
	struct xdpsock_xdp *x;
	pthread_t t;
	void *ret;
	int err = xdpsock_xdp_attach(&x, lab_ifindex(l, LAB_B), mine, NULL);

	CHECK(err == 0, "attach: %s", xdpsock_errmsg());
	CHECK(pthread_create(&t, NULL, detach_elsewhere, x) == 0, "pthread_create");
	CHECK(pthread_join(t, &ret) == 0 && ret == NULL, "detach from va's namespace: %ld", (long)ret);
	CHECK(attached_id() == 0, "a program is left on vb");
}

int main(void)
{
	int mine;

	lab_require_root("it_xdp_attach");
	lab_log_capture();
	l = lab_up(1);
	lab_enter(l, LAB_B);
	mine = load_pass("xs_mine");
	fresh_attach_and_detach(mine);
	foreign(mine);
	socket_replaces_foreign();
	stale(mine);
	live(mine);
	link_held(mine);
	device_moved(mine);
	detach_from_another_namespace(mine);
	close(mine);
	lab_down(l);
	printf("PASS it_xdp_attach\n");
	return T_PASS;
}
