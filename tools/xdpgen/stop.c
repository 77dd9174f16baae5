// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * When a run ends: SIGINT/SIGTERM read from a signalfd (blocked, so they never interrupt
 * anything), and the deadline every run has.  The loops ask xg_stop_poll() between batches,
 * or sleep in xg_stop_sleep(), which wakes for a signal at once.
 */
#include <errno.h>
#include <pthread.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "xdpgen.h"

uint64_t xg_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * XG_NSEC + (uint64_t)ts.tv_nsec;
}

int xg_stop_open(struct xg_stop *s, uint64_t duration_ns)
{
	sigset_t mask;

	memset(s, 0, sizeof(*s));
	s->sfd = -1;
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	/* Blocked in this thread before any other starts, so every thread inherits the block. */
	if (pthread_sigmask(SIG_BLOCK, &mask, NULL))
		return -EINVAL;
	s->sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (s->sfd < 0)
		return -errno;
	s->t0 = xg_now();
	s->deadline = s->t0 + duration_ns;
	return 0;
}

void xg_stop_close(struct xg_stop *s)
{
	if (s->sfd >= 0)
		close(s->sfd);
	s->sfd = -1;
}

void xg_stop_set(struct xg_stop *s, const char *why)
{
	if (!s->why)
		s->why = why;
}

static void read_signal(struct xg_stop *s)
{
	struct signalfd_siginfo si;

	if (read(s->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		xg_stop_set(s, si.ssi_signo == SIGINT ? "interrupted (SIGINT)" : "terminated (SIGTERM)");
}

bool xg_stop_poll(struct xg_stop *s, uint64_t now)
{
	if (!s->why)
		read_signal(s);
	if (now >= s->deadline)
		xg_stop_set(s, "duration reached");
	return s->why != NULL;
}

int xg_stop_sleep(struct xg_stop *s, int *fds, int nfds, uint64_t until)
{
	struct pollfd pfd[8];
	struct timespec ts;
	uint64_t now = xg_now(), left;
	int i, n = 0;

	if (until > s->deadline)
		until = s->deadline;
	left = until > now ? until - now : 0;
	pfd[n++] = (struct pollfd){ .fd = s->sfd, .events = POLLIN };
	for (i = 0; i < nfds && n < 8; i++)
		pfd[n++] = (struct pollfd){ .fd = fds[i], .events = POLLIN };
	ts.tv_sec = (time_t)(left / XG_NSEC);
	ts.tv_nsec = (long)(left % XG_NSEC);
	if (ppoll(pfd, (nfds_t)n, &ts, NULL) < 0 && errno != EINTR)
		return -errno;
	return xg_stop_poll(s, xg_now());
}
