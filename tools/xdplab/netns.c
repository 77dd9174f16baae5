// SPDX-License-Identifier: MIT OR Apache-2.0
/* Named network namespaces compatible with `ip netns` (see netns.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/magic.h>
#include <linux/nsfs.h>

#include "lab.h"
#include "netns.h"

static const char *hint(int err)
{
	return err == EPERM || err == EACCES ? " (xdplab needs root: CAP_SYS_ADMIN and CAP_NET_ADMIN)" : "";
}

static void ns_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", XL_NETNS_DIR, name);
}

/*
 * /run/netns must be a shared mount point, as `ip netns add` makes it: then a namespace unmounted
 * here is unmounted in every mount namespace (ip netns exec's among them) and can be freed.  When it
 * is not a mount point yet, bind it onto itself first.  That one-time setup is left in place, as
 * iproute2 leaves it: it is shared by every tool that uses /run/netns, not part of a lab.
 */
static int make_shared(void)
{
	for (int tries = 0; tries < 2; tries++) {
		if (!mount("", XL_NETNS_DIR, "none", MS_SHARED | MS_REC, NULL))
			return 0;
		if (errno != EINVAL || tries)
			break;
		if (mount(XL_NETNS_DIR, XL_NETNS_DIR, "none", MS_BIND | MS_REC, NULL))
			break;
	}
	return xl_fail(-errno, "cannot make %s a shared mount point: %s%s", XL_NETNS_DIR, strerror(errno),
		       hint(errno));
}

struct create {
	const char *path;
	int (*init)(void *arg);
	void *arg;
};

static int unshare_and_bind(void *arg)
{
	const struct create *c = arg;
	int err;

	/* This thread's namespace only; the bind mount keeps it alive after the thread ends (and when
	 * @init refuses it, nothing does: it is freed with the thread). */
	if (unshare(CLONE_NEWNET))
		return xl_fail(-errno, "cannot create a network namespace: %s%s", strerror(errno), hint(errno));
	if (c->init && (err = c->init(c->arg)))
		return err;
	if (mount("/proc/thread-self/ns/net", c->path, "none", MS_BIND, NULL))
		return xl_fail(-errno, "cannot bind the new network namespace onto %s: %s%s", c->path, strerror(errno),
			       hint(errno));
	return 0;
}

int xl_netns_create(const char *name, int (*init)(void *arg), void *arg)
{
	char path[PATH_MAX];
	struct create c = { .path = path, .init = init, .arg = arg };
	int fd, err;

	ns_path(path, sizeof(path), name);
	if (mkdir(XL_NETNS_DIR, 0755) && errno != EEXIST)
		return xl_fail(-errno, "cannot create %s: %s%s", XL_NETNS_DIR, strerror(errno), hint(errno));
	if ((err = make_shared()))
		return err;
	/* O_EXCL: a namespace that exists is someone else's (or an earlier run's), never taken over. */
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0) {
		if (errno == EEXIST)
			return xl_fail(-EEXIST, "namespace %s already exists (%s)", name, path);
		return xl_fail(-errno, "cannot create %s: %s%s", path, strerror(errno), hint(errno));
	}
	close(fd);
	err = xl_netns_run(-1, unshare_and_bind, &c);
	if (err)
		unlink(path);
	return err;
}

int xl_netns_delete(const char *name)
{
	char path[PATH_MAX];

	ns_path(path, sizeof(path), name);
	/* Lazy: a process still inside keeps the namespace alive, but it leaves /run/netns now.  EINVAL is
	 * "not mounted" (a file left by a crash between create and bind): unlink it all the same. */
	if (umount2(path, MNT_DETACH) && errno != EINVAL && errno != ENOENT)
		return xl_fail(-errno, "cannot unmount %s: %s%s", path, strerror(errno), hint(errno));
	if (unlink(path)) {
		if (errno == ENOENT)
			return xl_fail(-ENOENT, "namespace %s does not exist", name);
		return xl_fail(-errno, "cannot remove %s: %s%s", path, strerror(errno), hint(errno));
	}
	return 0;
}

bool xl_netns_exists(const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	ns_path(path, sizeof(path), name);
	return lstat(path, &st) == 0;
}

/* 1 when @fd is a network namespace, 0 when it is not (another namespace or no namespace at all). */
static int is_netns(int fd)
{
	struct statfs sfs;
	int type;

	if (fstatfs(fd, &sfs) || sfs.f_type != NSFS_MAGIC)
		return 0;
	type = ioctl(fd, NS_GET_NSTYPE);
	return type == CLONE_NEWNET || (type < 0 && errno == ENOTTY);	/* ENOTTY: a kernel before 4.11 */
}

enum xl_netns_kind xl_netns_probe(const char *name, char *what, size_t len)
{
	char path[PATH_MAX];
	struct statx dir, stx;
	bool mounted;
	int fd, net;

	what[0] = '\0';
	ns_path(path, sizeof(path), name);
	/* A mount point is looked through even with AT_SYMLINK_NOFOLLOW: stx is what is mounted there. */
	if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_TYPE | STATX_SIZE, &stx)) {
		if (errno == ENOENT)
			return XL_NETNS_ABSENT;
		snprintf(what, len, "it cannot be examined (%s)", strerror(errno));
		return XL_NETNS_OTHER;
	}
	/* Mounted: the kernel says so (5.8 and later), or it lives on another device than the directory. */
	mounted = (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) && (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
	if (!statx(AT_FDCWD, XL_NETNS_DIR, 0, STATX_BASIC_STATS, &dir) &&
	    (dir.stx_dev_major != stx.stx_dev_major || dir.stx_dev_minor != stx.stx_dev_minor))
		mounted = true;
	if (S_ISDIR(stx.stx_mode)) {
		snprintf(what, len, "a directory");
		return XL_NETNS_OTHER;
	}
	if (!S_ISREG(stx.stx_mode)) {
		snprintf(what, len, "%s", S_ISLNK(stx.stx_mode) ? "a symbolic link" : "a special file");
		return XL_NETNS_OTHER;
	}
	if (!mounted) {
		if (stx.stx_size == 0) {
			snprintf(what, len, "an empty file with nothing mounted on it, left by an 'xdplab up' or 'ip "
				 "netns add' killed before it mounted the namespace");
			return XL_NETNS_HALF;
		}
		snprintf(what, len, "a file of %llu bytes", (unsigned long long)stx.stx_size);
		return XL_NETNS_OTHER;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(what, len, "something mounted that cannot be opened (%s)", strerror(errno));
		return XL_NETNS_OTHER;
	}
	net = is_netns(fd);
	close(fd);
	if (net)
		return XL_NETNS_NET;
	snprintf(what, len, "a mount of something else (another kind of namespace, or a file system)");
	return XL_NETNS_OTHER;
}

int xl_netns_open(const char *name)
{
	char path[PATH_MAX], what[160];
	int fd;

	ns_path(path, sizeof(path), name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return xl_fail(-errno, "cannot open namespace %s: %s%s", path, strerror(errno), hint(errno));
	/* Else setns() would say only "Invalid argument", without naming the entry or what is wrong. */
	if (!is_netns(fd)) {
		close(fd);
		xl_netns_probe(name, what, sizeof(what));
		return xl_fail(-ENOTTY, "%s is not a network namespace: %s", path, what[0] ? what : "it changed while read");
	}
	return fd;
}

int xl_netns_remove_half(const char *name)
{
	char path[PATH_MAX], what[160];

	ns_path(path, sizeof(path), name);
	if (xl_netns_probe(name, what, sizeof(what)) != XL_NETNS_HALF)
		return xl_fail(-ESTALE, "%s changed while being removed (now %s): left alone", path,
			       what[0] ? what : "a namespace, or gone");
	/* unlink() refuses a mount point (EBUSY): should a namespace be mounted on it since, it stays. */
	if (unlink(path) && errno != ENOENT)
		return xl_fail(-errno, "cannot remove the half-made entry %s: %s%s", path, strerror(errno), hint(errno));
	return 0;
}

struct run {
	int nsfd;
	int (*fn)(void *arg);
	void *arg;
	int ret;
};

static void *run_thread(void *p)
{
	struct run *r = p;

	if (r->nsfd >= 0 && setns(r->nsfd, CLONE_NEWNET)) {
		r->ret = xl_fail(-errno, "cannot enter the network namespace: %s%s", strerror(errno), hint(errno));
		return NULL;
	}
	r->ret = r->fn(r->arg);
	return NULL;
}

int xl_netns_run(int nsfd, int (*fn)(void *arg), void *arg)
{
	struct run r = { .nsfd = nsfd, .fn = fn, .arg = arg };
	pthread_t t;
	int err;

	err = pthread_create(&t, NULL, run_thread, &r);
	if (err)
		return xl_fail(-err, "cannot start a thread: %s", strerror(err));
	pthread_join(t, NULL);	/* orders the thread's writes (r.ret, the error message) before ours */
	return r.ret;
}

int xl_netns_enter_sysfs(int nsfd)
{
	if (setns(nsfd, CLONE_NEWNET))
		return xl_fail(-errno, "cannot enter the network namespace: %s%s", strerror(errno), hint(errno));
	if (unshare(CLONE_NEWNS))
		return xl_fail(-errno, "cannot make a mount namespace: %s%s", strerror(errno), hint(errno));
	/* Slave: mounts from outside still arrive, ours (the /sys below) never leave. */
	if (mount("", "/", "none", MS_SLAVE | MS_REC, NULL))
		return xl_fail(-errno, "cannot make / a slave mount: %s", strerror(errno));
	/* A sysfs shows the devices of the network namespace of whoever mounts it. */
	umount2("/sys", MNT_DETACH);
	if (mount("sysfs", "/sys", "sysfs", 0, NULL))
		return xl_fail(-errno, "cannot mount a sysfs for the namespace on /sys: %s", strerror(errno));
	return 0;
}

int xl_netns_sysfs_write(int nsfd, const char *path, const char *value)
{
	int st, fd, tries;
	pid_t pid, w;

	pid = fork();
	if (pid < 0)
		return xl_fail(-errno, "cannot fork: %s", strerror(errno));
	if (pid == 0) {
		/* The child's exit status is the errno of what failed; the parent words the message. */
		size_t len = strlen(value);
		int err = xl_netns_enter_sysfs(nsfd);

		if (err)
			_exit(-err & 0xff);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			_exit(errno);
		if (write(fd, value, len) != (ssize_t)len)
			_exit(errno ? errno : EIO);
		_exit(close(fd) ? errno : 0);
	}
	for (tries = 0, w = -1; tries < 100 && w < 0; tries++)
		if ((w = waitpid(pid, &st, 0)) < 0 && errno != EINTR)
			break;
	if (w < 0 || !WIFEXITED(st))
		return xl_fail(-EIO, "cannot write %s: the helper process did not finish", path);
	if (WEXITSTATUS(st))
		return xl_fail(-WEXITSTATUS(st), "cannot write '%s' to %s: %s", value, path, strerror(WEXITSTATUS(st)));
	return 0;
}
