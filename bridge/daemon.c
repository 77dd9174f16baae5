// SPDX-License-Identifier: MIT OR Apache-2.0
/* The main-thread plumbing of fwd, tap and tun (daemon.h); the capability drop is in caps.c. */
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>

#include "daemon.h"

double xb_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int xb_epoll_add(int ep, int fd, uint32_t tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = tag };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

int xb_timerfd(int ep, double secs, bool periodic, uint32_t tag)
{
	struct itimerspec its = { 0 };
	int fd, e;

	its.it_value.tv_sec = (time_t)secs;
	its.it_value.tv_nsec = (long)((secs - floor(secs)) * 1e9);
	if (periodic)
		its.it_interval = its.it_value;
	fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (fd < 0)
		return -1;
	if (timerfd_settime(fd, 0, &its, NULL) || xb_epoll_add(ep, fd, tag)) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int xb_signals_open(void)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	/* A closed terminal must not kill us with the XDP program still attached. */
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, NULL))
		return -1;
	signal(SIGPIPE, SIG_IGN);
	return signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
}

const char *xb_signame(int sig)
{
	return sig == SIGINT ? "SIGINT" : sig == SIGHUP ? "SIGHUP" : "SIGTERM";
}

int xb_check_cpus(const int *cpu, unsigned int n, char *err, size_t errlen)
{
	cpu_set_t set;
	unsigned int i;

	if (!n)
		return 0;
	if (sched_getaffinity(0, sizeof(set), &set)) {
		snprintf(err, errlen, "cannot read this process's cpus: %s", strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (cpu[i] < CPU_SETSIZE && CPU_ISSET(cpu[i], &set))
			continue;
		snprintf(err, errlen,
			 "cpu %d is not available to this process (it may use %d cpu%s; see 'nproc' and 'taskset -p $$'): "
			 "fix --cpus",
			 cpu[i], CPU_COUNT(&set), CPU_COUNT(&set) == 1 ? "" : "s");
		return -1;
	}
	return 0;
}

int xb_thread_start(pthread_t *thread, bool *started, int cpu, const char *name, void *(*fn)(void *), void *arg)
{
	pthread_attr_t attr;
	int err;

	*started = false;
	err = pthread_attr_init(&attr);
	if (err)
		return -err;
	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		err = pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
		if (err)
			goto out;
	}
	err = pthread_create(thread, &attr, fn, arg);
	if (err)
		goto out;
	*started = true;
	pthread_setname_np(*thread, name);
out:
	pthread_attr_destroy(&attr);
	return -err;
}

void xb_thread_join(pthread_t thread, bool *started)
{
	if (!*started)
		return;
	pthread_join(thread, NULL);
	*started = false;
}

void xb_wake(int fd)
{
	uint64_t one = 1;

	if (fd >= 0 && write(fd, &one, sizeof(one)) < 0) {
		/* EAGAIN: the counter is full of earlier wakeups, which is as good. */
	}
}
