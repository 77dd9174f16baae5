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

#include <limits.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "daemon.h"
#include "xnl.h"

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

void xb_worker_loop(const struct xb_worker_ops *ops, void *w, const int *stop, const uint32_t *pub_req,
		    const uint32_t *pub_done, bool *drained)
{
	int moved;

	while (!xb_load_int(stop)) {
		moved = ops->round(w);
		if (moved < 0)
			goto out;
		if (xb_load_u32(pub_req) != *pub_done)
			ops->publish(w);
		if (!moved && ops->idle(w) < 0)
			goto out;
	}
	*drained = ops->drain(w);
out:
	ops->publish(w);
}

void xb_wake(int fd)
{
	uint64_t one = 1;

	if (fd >= 0 && write(fd, &one, sizeof(one)) < 0) {
		/* EAGAIN: the counter is full of earlier wakeups, which is as good. */
	}
}

const char *xb_xdp_off_cmd(uint8_t attached)
{
	return attached == XDP_ATTACHED_SKB ? "xdpgeneric" : "xdp";
}

/* Is @id attached to @x, in which mode?  XDP_ATTACHED_NONE when not. */
static uint8_t prog_mode(const struct xnl_xdp_prog *x, uint32_t id)
{
	if (x->attached == XDP_ATTACHED_MULTI)
		return x->drv_prog_id == id ? XDP_ATTACHED_DRV : x->skb_prog_id == id ? XDP_ATTACHED_SKB :
		       x->hw_prog_id == id ? XDP_ATTACHED_HW : XDP_ATTACHED_NONE;
	return x->prog_id == id ? x->attached : XDP_ATTACHED_NONE;
}

void xb_say_moved(const char *pfx, const char *name, const struct xnl_link *l, const char *note)
{
	char ns[NAME_MAX + 1], where[NAME_MAX + 96];

	if (l->new_netnsid >= 0 && !xnl_netns_name(l->new_netnsid, ns, sizeof(ns)))
		snprintf(where, sizeof(where), "network namespace '%s'", ns);
	else if (l->new_netnsid >= 0)
		snprintf(where, sizeof(where), "another network namespace (nsid %d from here; no name under /run/netns)",
			 l->new_netnsid);
	else
		snprintf(where, sizeof(where), "another network namespace");
	fprintf(stderr, "%s%s moved to %s: stopping%s\n", pfx, name, where, note);
}

void xb_say_left_there(const char *pfx, const struct xnl_link *l, uint32_t prog_id, const char *prog)
{
	char ns[NAME_MAX + 1], cmd[NAME_MAX + 96];
	const struct xnl_xdp_prog *x = &l->xdp;
	const char *name_there = l->name;
	struct xnl_link there;
	bool named = l->new_netnsid >= 0 && !xnl_netns_name(l->new_netnsid, ns, sizeof(ns));
	uint8_t mode;

	if (!prog_id)
		return;
	/*
	 * The RTM_DELLINK shows what went along; the link as it is there now (read across, no
	 * capability beyond CAP_NET_ADMIN) shows whether it is still attached, and its name there.
	 */
	if (l->new_netnsid >= 0 && !xnl_link_get_netnsid(l->new_netnsid, l->new_ifindex ? l->new_ifindex : l->ifindex,
							  &there)) {
		x = &there.xdp;
		name_there = there.name;
	}
	mode = prog_mode(x, prog_id);
	if (mode == XDP_ATTACHED_NONE)
		return;
	if (named)
		snprintf(cmd, sizeof(cmd), "'ip -n %s link set dev %s %s off'", ns, name_there, xb_xdp_off_cmd(mode));
	else
		snprintf(cmd, sizeof(cmd), "'ip link set dev %s %s off' run in that namespace", name_there,
			 xb_xdp_off_cmd(mode));
	fprintf(stderr,
		"%sour XDP program %s (id %u, %s mode) stays attached to %s there: the bridge cannot detach it in another "
		"namespace; remove it with %s\n",
		pfx, prog, prog_id, xnl_xdp_mode_name(mode), name_there, cmd);
}

static const struct {
	size_t off;
	const char *mode;
} xdp_slots[] = {
	{ offsetof(struct bpf_xdp_query_opts, drv_prog_id), "native" },
	{ offsetof(struct bpf_xdp_query_opts, skb_prog_id), "generic" },
	{ offsetof(struct bpf_xdp_query_opts, hw_prog_id), "offload" },
};

enum xb_busy xb_xdp_busy(int ifindex, const char *ours, char *name, size_t namelen, uint32_t *id, const char **mode)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	enum xb_busy busy = XB_BUSY_OTHER;
	size_t i;

	if (bpf_xdp_query(ifindex, 0, &q))
		return XB_BUSY_OTHER;
	for (i = 0; i < sizeof(xdp_slots) / sizeof(xdp_slots[0]) && busy == XB_BUSY_OTHER; i++) {
		struct bpf_prog_info info;
		uint32_t len = sizeof(info);
		int fd;

		memcpy(id, (const char *)&q + xdp_slots[i].off, sizeof(*id));
		if (!*id || (fd = bpf_prog_get_fd_by_id(*id)) < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (!bpf_obj_get_info_by_fd(fd, &info, &len)) {
			snprintf(name, namelen, "%s", info.name);
			*mode = xdp_slots[i].mode;
			busy = strcmp(info.name, ours) ? XB_BUSY_FOREIGN : XB_BUSY_OURS;
		}
		close(fd);
	}
	return busy;
}

void xb_log_cb(enum xdpsock_log_level level, const char *msg, void *ctx)
{
	static const char removed[] = "removed XDP program '", asked[] = ", as asked";
	const struct xb_log *lg = ctx;
	size_t n = strlen(msg), k = sizeof(asked) - 1;

	if (level == XDPSOCK_LOG_WARN) {
		/* A removal the library made because the bridge asked (--force): said as the bridge said it. */
		if (!strncmp(msg, removed, sizeof(removed) - 1) && n > k && !strcmp(msg + n - k, asked))
			fprintf(stderr, "%s--force: %.*s\n", lg->pfx, (int)(n - k), msg);
		else
			fprintf(stderr, "%s%s\n", lg->pfx, msg);
	} else if ((level == XDPSOCK_LOG_INFO && *lg->verbose) || (level == XDPSOCK_LOG_DEBUG && *lg->verbose > 1)) {
		fprintf(stderr, "%slibxdpsock: %s\n", lg->pfx, msg);
	}
}
