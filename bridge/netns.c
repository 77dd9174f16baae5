// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * Which namespace an id names.  A link that moves away is reported by the kernel with the id
 * our namespace gives its new one (IFLA_NEW_NETNSID); a person knows namespaces by the names
 * 'ip netns' gives them, files under /run/netns.  RTM_GETNSID with such a file's fd says the
 * id ours gives it: the one that matches is the name.  Opening those files needs no
 * capability (they are 0444), so this works after the bridge has dropped its capabilities.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <linux/net_namespace.h>
#include <linux/rtnetlink.h>

#include "xnl.h"

#define NETNS_MAX_FILES 4096	/* per directory: beyond any real host, and the scan stays bounded */

static const struct xnl_policy nsid_policy[NETNSA_MAX + 1] = {
	[NETNSA_NSID] = { "NETNSA_NSID", MNL_TYPE_U32, 0 },
};

static int nsid_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[NETNSA_MAX + 1];
	int32_t *nsid = data;
	int err;

	if (nlh->nlmsg_type != RTM_NEWNSID)
		return 0;
	err = xnl_attrs_parse_msg(nlh, sizeof(struct rtgenmsg), "RTM_NEWNSID", nsid_policy, NETNSA_MAX, tb);
	if (err)
		return err;
	if (tb[NETNSA_NSID])
		*nsid = (int32_t)mnl_attr_get_u32(tb[NETNSA_NSID]);
	return 0;
}

/* The id our namespace gives the namespace of @fd (-1: none assigned).  0 or -errno. */
static int nsid_of_fd(struct xnl_sock *s, int fd, int32_t *nsid)
{
	char buf[128] __attribute__((aligned(4)));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtgenmsg *g;

	nlh->nlmsg_type = RTM_GETNSID;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->rtgen_family = AF_UNSPEC;
	mnl_attr_put_u32(nlh, NETNSA_FD, (uint32_t)fd);
	*nsid = -1;
	return xnl_sock_request(s, nlh, nsid_cb, nsid);
}

/* Look for @nsid among the files of @dir.  0 (found), -ENOENT, or -errno. */
static int scan(struct xnl_sock *s, const char *dir, int32_t nsid, char *name, size_t len)
{
	struct dirent *e;
	unsigned int n = 0;
	char path[512];
	DIR *d;
	int ret = -ENOENT;

	d = opendir(dir);
	if (!d)
		return -ENOENT;
	while (ret == -ENOENT && n++ < NETNS_MAX_FILES && (e = readdir(d))) {
		int32_t id;
		int fd;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;	/* not a namespace any more (ip netns del meanwhile), or not ours to read */
		if (!nsid_of_fd(s, fd, &id) && id == nsid) {
			snprintf(name, len, "%s", e->d_name);
			ret = 0;
		}
		close(fd);
	}
	closedir(d);
	return ret;
}

int xnl_netns_name(int32_t nsid, char *name, size_t len)
{
	struct stat run, var;
	struct xnl_sock *s;
	int ret;

	if (nsid < 0)
		return -ENOENT;
	ret = xnl_sock_open(&s, NETLINK_ROUTE, NULL);
	if (ret)
		return ret;
	ret = scan(s, "/run/netns", nsid, name, len);
	/* /var/run is usually /run: look there only when it is another directory. */
	if (ret == -ENOENT && !stat("/var/run/netns", &var) &&
	    (stat("/run/netns", &run) || run.st_dev != var.st_dev || run.st_ino != var.st_ino))
		ret = scan(s, "/var/run/netns", nsid, name, len);
	xnl_sock_close(s);
	return ret;
}
