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
#include <stddef.h>

#define XL_NETNS_DIR "/run/netns"

/*
 * Create namespace @name: 0, -EEXIST when it exists, -errno (all with xl_errmsg()).  Leaves nothing on failure.
 * @init (unless NULL) runs inside the new namespace before it is mounted on /run/netns/@name and may refuse
 * it (a nonzero return is passed through): whatever it does (e.g. mark the namespace as made by a lab) is
 * there before any other process can see the namespace.
 */
int xl_netns_create(const char *name, int (*init)(void *arg), void *arg);
/* Unmount and remove it: 0, -ENOENT when it does not exist, -errno. */
int xl_netns_delete(const char *name);
bool xl_netns_exists(const char *name);
/* An fd on the namespace (O_CLOEXEC), or -errno; -ENOTTY when /run/netns/@name is not a network namespace. */
int xl_netns_open(const char *name);

/* What /run/netns/NAME is, seen from outside (xl_netns_probe). */
enum xl_netns_kind {
	XL_NETNS_ABSENT,	/* no such entry */
	XL_NETNS_NET,		/* a network namespace is mounted on it */
	XL_NETNS_HALF,		/* an empty file, nothing mounted on it: a creation killed between its two steps */
	XL_NETNS_OTHER,		/* anything else (a directory, a file with data, another mount): not a namespace */
};

/*
 * Look at /run/netns/@name without entering it.  @what (@len bytes) says what it is in words ("a
 * directory", "a file of 16 bytes", "an empty file with nothing mounted on it ..."); "" for a namespace
 * or no entry.
 */
enum xl_netns_kind xl_netns_probe(const char *name, char *what, size_t len);

/*
 * Remove /run/netns/@name if it is still a half-made entry (XL_NETNS_HALF): 0, or -ESTALE when it
 * is no longer one (then it is left alone), or -errno; all with xl_errmsg() naming the entry.
 */
int xl_netns_remove_half(const char *name);

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
