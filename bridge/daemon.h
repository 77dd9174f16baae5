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
#include <time.h>
#include <xdpsock/xdpsock.h>

/** xb_now() - CLOCK_MONOTONIC in seconds. */
double xb_now(void);

/** xb_now_ms() - CLOCK_MONOTONIC in milliseconds (the vDSO: no syscall; workers call it). */
static inline long xb_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * A field of a control block the main thread writes and a worker reads (stop, down, MTU): relaxed,
 * since each is a value on its own; what must be ordered uses acquire/release at its own place.
 */
static inline int xb_load_int(const int *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static inline uint32_t xb_load_u32(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

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

/* What a mode's worker does; the loop around it is xb_worker_loop()'s. */
struct xb_worker_ops {
	int (*round)(void *w);		/* both directions once: frames moved, or -errno (said, failed set) */
	int (*idle)(void *w);		/* nothing moved: sleep until something may have (< 0: stop) */
	bool (*drain)(void *w);		/* stopping: deliver what is held; true when all of it went */
	void (*publish)(void *w);	/* copy the counters where the main thread reads them */
};

/**
 * xb_worker_loop() - a worker's life: rounds until *@stop, publishing when *@pub_req differs
 * from *@pub_done, idling when a round moved nothing; then the drain (*@drained), and a last
 * publication also after an error.
 */
void xb_worker_loop(const struct xb_worker_ops *ops, void *w, const int *stop, const uint32_t *pub_req,
		    const uint32_t *pub_done, bool *drained);

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
 * has one, and that the bridge stops.  @pfx: "xdpbridge fwd: ".  @note: appended ("" for none).
 */
void xb_say_moved(const char *pfx, const char *name, const struct xnl_link *l, const char *note);

/**
 * xb_say_left_there() - after port @l (the RTM_DELLINK of a move) left: when our XDP program
 * @prog_id (named @prog; 0: none of ours) is still attached to it there, say so with the one
 * command that removes it.  The library's own program (fwd) stays there: the bridge cannot reach
 * a link in another namespace without CAP_SYS_ADMIN, dropped after setup.  The steering program
 * (tap, tun) is held by a BPF link and goes when the bridge detaches it, wherever the port is;
 * called after that detach, this says something only where the kernel has no XDP links.
 */
void xb_say_left_there(const char *pfx, const struct xnl_link *l, uint32_t prog_id, const char *prog);

/** Why the library refused an interface with -EBUSY, as xb_xdp_busy() tells it. */
enum xb_busy {
	XB_BUSY_OTHER,		/* neither below (a race, a busy queue): the library's sentence stands */
	XB_BUSY_FOREIGN,	/* someone else's program is attached */
	XB_BUSY_OURS,		/* a program of ours is attached (held by a running process) */
};

/**
 * xb_xdp_busy() - the library said -EBUSY for @ifindex: look once at what is attached now, to say
 * it in the bridge's words (the errno does not tell someone else's program from a live one of
 * ours or from a race).  Read only: the policy is the library's.  @ours: our program's name.
 * @name, @id, @mode: the program found (for XB_BUSY_FOREIGN and XB_BUSY_OURS).
 */
enum xb_busy xb_xdp_busy(int ifindex, const char *ours, char *name, size_t namelen, uint32_t *id, const char **mode);

struct xb_log {
	const char *pfx;	/* "xdpbridge fwd: " */
	const int *verbose;	/* -v count */
};

/**
 * xb_log_cb() - the library's log callback (ctx: struct xb_log): its warnings in the bridge's
 * voice (prefix, "--force:" for a removal it made as asked), its notes with -v, its debug with
 * -vv.  Errors come back through xdpsock_errmsg() from the call that failed, printed there.
 */
void xb_log_cb(enum xdpsock_log_level level, const char *msg, void *ctx);

#endif
