/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Named network namespaces, made the way iproute2 makes them so that `ip netns` sees ours and we see
 * its: a file /run/netns/NAME on which the namespace is bind-mounted, /run/netns being a shared mount
 * point.  And the ways into a namespace: a thread that setns()'d (netlink and ioctl sockets made there
 * stay bound to it), or a process with its own mount namespace and sysfs (for /sys/class/net).
 */
#ifndef XDPLAB_NETNS_H
#define XDPLAB_NETNS_H

#include <stdbool.h>

#define XL_NETNS_DIR "/run/netns"

/* Create namespace @name: 0, -EEXIST when it exists, -errno (all with xl_errmsg()).  Leaves nothing on failure. */
int xl_netns_create(const char *name);
/* Unmount and remove it: 0, -ENOENT when it does not exist, -errno. */
int xl_netns_delete(const char *name);
bool xl_netns_exists(const char *name);
/* An fd on the namespace (O_CLOEXEC), or -errno. */
int xl_netns_open(const char *name);

/*
 * Run @fn(@arg) on a new thread that first enters @nsfd (-1: the caller's namespace), and wait for it.
 * Returns what @fn returned, or -errno when the thread could not start or enter.  The calling thread
 * never changes namespace.
 */
int xl_netns_run(int nsfd, int (*fn)(void *arg), void *arg);

/*
 * Move the calling, single-threaded process into @nsfd for good, like `ip netns exec`: a private mount
 * namespace whose /sys is a sysfs of that network namespace.  For a process about to exec, or a child.
 */
int xl_netns_enter_sysfs(int nsfd);

/* Write @value into @path (under /sys) as namespace @nsfd sees it; done by a forked child.  0 or -errno. */
int xl_netns_sysfs_write(int nsfd, const char *path, const char *value);

#endif
