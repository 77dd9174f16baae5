// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * Commands inside a node's namespace, the way `ip netns exec` runs them: `xdplab exec` (this
 * process becomes the command) and the exec lines of a lab file, which `up` runs in file order
 * once everything else is up, each in a child it waits for (bounded by the line's timeout).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "build.h"
#include "cmd.h"
#include "lab.h"
#include "netns.h"

int xl_exec(const char *ns, char *const argv[])
{
	int fd, err;

	if (!xl_netns_exists(ns)) {
		xl_err("no namespace %s: is the lab up? ('xdplab up FILE' creates it)", ns);
		return XL_EXIT_FAIL;
	}
	fd = xl_netns_open(ns);
	if (fd < 0)
		return XL_EXIT_FAIL;
	/* The whole process moves (it is about to become the command), with its own /sys. */
	err = xl_netns_enter_sysfs(fd);
	close(fd);
	if (err) {
		xl_err("cannot enter %s: %s", ns, xl_errmsg());
		return XL_EXIT_FAIL;
	}
	execvp(argv[0], argv);
	err = errno;
	xl_err("cannot run %s in %s: %s", argv[0], ns, strerror(err));
	return err == ENOENT ? 127 : 126;	/* as shells, env and timeout say it */
}

/* The child of an exec line: never returns.  Its stdout and stderr are up's; its stdin is empty. */
static void exec_child(int nsfd, const struct xl_exec *x, const char *ns)
{
	char *argv[XL_MAX_WORDS + 1];
	int null;

	/* Its own process group, so that a timeout stops what it started too. */
	setpgid(0, 0);
	/* up ignores SIGPIPE and catches the stop signals; exec keeps an ignored signal ignored. */
	signal(SIGPIPE, SIG_DFL);
	null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null >= 0 && null != STDIN_FILENO) {
		dup2(null, STDIN_FILENO);
		close(null);
	}
	if (xl_netns_enter_sysfs(nsfd)) {
		fprintf(stderr, "xdplab: exec: cannot enter %s: %s\n", ns, xl_errmsg());
		_exit(126);
	}
	xl_exec_argv(x, argv);
	execvp(argv[0], argv);
	fprintf(stderr, "xdplab: exec: cannot run %s in %s: %s\n", argv[0], ns, strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

static long ms_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) * 1000 + (now.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Run exec line @x and wait for it: 0 when it exits 0, else -errno with the command and its status. */
static int run_line(struct build *b, const struct xl_exec *x)
{
	const struct xl_node *n = &b->lab->nodes[x->node];
	struct timespec t0;
	int st = 0, err;
	pid_t pid, w;

	if ((err = xlb_step(b, "exec in node %s: %s", n->name, x->text)))
		return err;
	fflush(NULL);	/* what up printed so far comes before the command's own output */
	pid = fork();
	if (pid < 0)
		return xlb_at(b, -errno, x->line, "cannot start '%s': fork: %s", x->text, strerror(errno));
	if (pid == 0)
		exec_child(b->ns[x->node].fd, x, n->ns);
	setpgid(pid, pid);	/* also here: the group exists before we may have to signal it */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* Bounded: the line's timeout, and a stop signal ends the wait at once. */
	while ((w = waitpid(pid, &st, WNOHANG)) == 0 && ms_since(&t0) < (long)x->timeout * 1000 && !xlb_stop_signal)
		nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000000 }, NULL);
	if (w == 0) {
		/* Only the group this line started; then reap the command itself. */
		kill(-pid, SIGKILL);
		waitpid(pid, &st, 0);
		if (xlb_stop_signal)
			return xl_fail(-EINTR, "interrupted by %s while '%s' ran in node %s (line %d): stopped it",
				       xlb_signame(xlb_stop_signal), x->text, n->name, x->line);
		return xlb_at(b, -ETIMEDOUT, x->line, "'%s' in node %s did not finish within %u s: stopped it (give the "
			      "line 'timeout SECS' if it needs longer; a daemon does not belong in an exec line)", x->text,
			      n->name, x->timeout);
	}
	if (w < 0)
		return xlb_at(b, -errno, x->line, "cannot wait for '%s': %s", x->text, strerror(errno));
	if (WIFSIGNALED(st))
		return xlb_at(b, -ECHILD, x->line, "'%s' in node %s was killed by %s", x->text, n->name,
			      xlb_signame(WTERMSIG(st)));
	if (WEXITSTATUS(st))
		return xlb_at(b, -ECHILD, x->line, "'%s' in node %s exited with status %d%s", x->text, n->name,
			      WEXITSTATUS(st), WEXITSTATUS(st) == 127 ? " (command not found)" :
			      WEXITSTATUS(st) == 126 ? " (could not be run)" : "");
	return 0;
}

int xlb_execs(struct build *b)
{
	int err;

	for (int k = 0; k < b->lab->nexecs; k++)
		if ((err = run_line(b, &b->lab->execs[k])))
			return err;
	return 0;
}
