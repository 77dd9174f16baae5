// SPDX-License-Identifier: MIT OR Apache-2.0
/* `xdplab exec`: a command inside a node's namespace, the way `ip netns exec` runs it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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
