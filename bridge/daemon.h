/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * What the long-running subcommands (fwd, tap, tun) share on their main thread: the clock,
 * the epoll set with its timers, signals as an fd, the worker threads and their eventfd
 * wakeups, and the capability drop.
 */
#ifndef XDPBRIDGE_DAEMON_H
#define XDPBRIDGE_DAEMON_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** xb_now() - CLOCK_MONOTONIC in seconds. */
double xb_now(void);

/** xb_epoll_add() - watch @fd for EPOLLIN in @ep, reported with data.u32 = @tag.  0 or -1 (errno). */
int xb_epoll_add(int ep, int fd, uint32_t tag);

/**
 * xb_timerfd() - a non-blocking timerfd firing after @secs (and every @secs when @periodic),
 * added to @ep with @tag.  Return: the fd, or -1 (errno) with nothing left open.
 */
int xb_timerfd(int ep, double secs, bool periodic, uint32_t tag);

/**
 * xb_signals_open() - block SIGINT, SIGTERM and SIGHUP (the threads created later inherit the mask)
 * and return a non-blocking signalfd for them; SIGPIPE is ignored, so that a closed stdout is
 * a write error to report rather than a death with XDP programs attached.
 * Return: the fd, or -1 (errno).
 */
int xb_signals_open(void);

/** xb_signame() - "SIGINT", "SIGTERM" or "SIGHUP": why a run stopped, as the summary says. */
const char *xb_signame(int sig);

/**
 * xb_check_cpus() - every one of the @n cpus of --cpus is one this process may run on.
 * Return: 0, or -1 with a sentence naming the cpu and the fix in @err.
 */
int xb_check_cpus(const int *cpu, unsigned int n, char *err, size_t errlen);

/**
 * xb_thread_start() - run @fn(@arg) in a thread named @name (15 characters at most), pinned
 * to @cpu when >= 0.  *@started says whether it runs, for xb_thread_join().
 * Return: 0 or -errno.
 */
int xb_thread_start(pthread_t *thread, bool *started, int cpu, const char *name, void *(*fn)(void *), void *arg);

/** xb_thread_join() - wait for a thread xb_thread_start() started; nothing when it did not. */
void xb_thread_join(pthread_t thread, bool *started);

/** xb_wake() - add one to eventfd @fd (when >= 0): whoever polls it wakes up. */
void xb_wake(int fd);

/**
 * xb_caps_keep() - keep only the capabilities @keep (CAP_* numbers, @n of them) that the
 * process has, drop the rest from every set (the bounding set too when CAP_SETPCAP allows),
 * and set PR_SET_NO_NEW_PRIVS.  Per thread: call it before creating the workers.
 * @kept: receives the capabilities left, as text ("cap_net_admin=ep").
 * Return: 0 or -errno with a sentence in @err.
 */
int xb_caps_keep(const int *keep, size_t n, char *kept, size_t keptlen, char *err, size_t errlen);

struct xnl_link;

/**
 * xb_xdp_off_cmd() - iproute2's word that removes an XDP program attached in mode
 * @attached (XDP_ATTACHED_*): "xdpgeneric" for generic (skb) mode, "xdp" otherwise.  A plain
 * 'xdp off' leaves a generic-mode program attached on a driver with native XDP.
 */
const char *xb_xdp_off_cmd(uint8_t attached);

/**
 * xb_say_moved() - port @name (as the command line named it) moved to another network
 * namespace (@l: the RTM_DELLINK, l->moved): say where, by the name 'ip netns' knows when it
 * has one, and that the bridge stops.  When our XDP program @prog_id (named @prog; 0: none of
 * ours) went along and is still attached there, say so with the one command that removes it
 * (the bridge cannot: a link in another namespace is reached only by entering it, which needs
 * CAP_SYS_ADMIN, dropped after setup).  @pfx: "xdpbridge fwd: ".  @note: appended to the first
 * line ("" for none).
 */
void xb_say_moved(const char *pfx, const char *name, const struct xnl_link *l, uint32_t prog_id, const char *prog,
		  const char *note);

#endif
