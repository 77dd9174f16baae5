// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * The capability drop of the forwarders, once their sockets exist: xb_caps_keep() keeps a
 * given set; xb_caps_drop() is fwd's set, explained below (tap and tun keep CAP_NET_ADMIN
 * only, see tun_cmd.c).
 *
 * Setup needs CAP_NET_RAW (AF_XDP sockets), CAP_NET_ADMIN and CAP_BPF or CAP_SYS_ADMIN
 * (load, inspect and attach the XDP program), CAP_IPC_LOCK or RLIMIT_MEMLOCK (pin the
 * UMEM).  The data path needs none: the rings are mapped, kicks and polls are plain
 * syscalls on sockets we own, netlink dumps for the link monitor are unprivileged.  What
 * the teardown still needs (checked on Linux 6.18 by keeping one of the two, with an
 * xdpsock-echo sharing the program on another queue):
 *
 *   CAP_NET_ADMIN   the last socket detaches the XDP program: an RTM_SETLINK (bpf_xdp_detach
 *                   with the program's fd in hand, so no CAP_BPF is needed for it).  Without
 *                   it: "could not detach ...: Operation not permitted", program left behind.
 *   CAP_SYS_PTRACE  before detaching, the library makes sure no other process still receives
 *                   through the program.  Without sock_diag for AF_XDP (this kernel has no
 *                   CONFIG_XDP_SOCKETS_DIAG) it reads /proc/PID/fd of every process
 *                   (lib/diag.c), which for a process with capabilities we no longer have
 *                   needs CAP_SYS_PTRACE.  Without it the scan fails, the library cannot tell,
 *                   and detaches a program the other process still receives through.
 *
 * Everything else leaves the permitted, effective, inheritable and ambient sets and, when
 * CAP_SETPCAP allows, the bounding set; PR_SET_NO_NEW_PRIVS closes the way back through exec.
 * Capabilities are per thread: call this before creating the workers, which inherit it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "daemon.h"
#include "fwd.h"

#define XB_CAPS_MAX 8

static const int fwd_keep[] = { CAP_NET_ADMIN, CAP_SYS_PTRACE };

static bool kept(const int *keep, size_t nkeep, cap_value_t c)
{
	size_t i;

	for (i = 0; i < nkeep; i++)
		if (keep[i] == c)
			return true;
	return false;
}

int xb_caps_drop(char *kept_text, size_t keptlen, char *err, size_t errlen)
{
	return xb_caps_keep(fwd_keep, sizeof(fwd_keep) / sizeof(fwd_keep[0]), kept_text, keptlen, err, errlen);
}

int xb_caps_keep(const int *keep, size_t nkeep, char *kept_text, size_t keptlen, char *err, size_t errlen)
{
	cap_t cur = NULL, next = NULL;
	cap_value_t have[XB_CAPS_MAX], c;
	cap_flag_value_t v;
	int n = 0, ret = 0;
	size_t i;
	char *text;

	if (nkeep > XB_CAPS_MAX) {
		snprintf(err, errlen, "cannot keep more than %d capabilities", XB_CAPS_MAX);
		return -EINVAL;
	}
	cur = cap_get_proc();
	next = cap_init();
	if (!cur || !next) {
		ret = -errno;
		snprintf(err, errlen, "cannot read the process capabilities: %s", strerror(errno));
		goto out;
	}
	/* Keep only those we have: a forwarder started with fewer (file capabilities) keeps fewer. */
	for (i = 0; i < nkeep; i++)
		if (!cap_get_flag(cur, keep[i], CAP_PERMITTED, &v) && v == CAP_SET)
			have[n++] = keep[i];
	if (n && (cap_set_flag(next, CAP_PERMITTED, n, have, CAP_SET) ||
		  cap_set_flag(next, CAP_EFFECTIVE, n, have, CAP_SET))) {
		ret = -errno;
		snprintf(err, errlen, "cannot build the reduced capability set: %s", strerror(errno));
		goto out;
	}
	/* The bounding set first: dropping from it needs CAP_SETPCAP, which goes next. */
	if (!cap_get_flag(cur, CAP_SETPCAP, CAP_EFFECTIVE, &v) && v == CAP_SET)
		for (c = 0; c <= CAP_LAST_CAP; c++)
			if (!kept(keep, nkeep, c) && CAP_IS_SUPPORTED(c))
				cap_drop_bound(c);
	cap_reset_ambient();
	if (cap_set_proc(next)) {
		ret = -errno;
		snprintf(err, errlen, "cannot drop capabilities: %s", strerror(errno));
		goto out;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		ret = -errno;
		snprintf(err, errlen, "cannot set PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
		goto out;
	}
	text = cap_to_text(next, NULL);
	snprintf(kept_text, keptlen, "%s", text && *text ? text : "none");
	cap_free(text);
out:
	cap_free(next);
	cap_free(cur);
	return ret;
}
