// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * One netlink socket and its requests: send, receive until the ACK or
 * NLMSG_DONE, and turn an NLMSG_ERROR into an errno plus the kernel's own
 * sentence (extended ACK).  Also the thread's error message for the module.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "nl.h"

/* Requests are answered within microseconds; 5 s means the kernel will not answer. */
#define XNL_TIMEOUT_S 5
/* A dump of every link fits in a few datagrams; 65536 is "never ends". */
#define XNL_MAX_DATAGRAMS 65536

struct xnl_sock {
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;
	char *buf;		/* XNL_BUF_SIZE bytes */
};

/* ---- errors -------------------------------------------------------------- */

static __thread char errbuf[512];

const char *xnl_errmsg(void)
{
	return errbuf;
}

int xnl_seterr(int err, const char *fmt, ...)
{
	char tmp[sizeof(errbuf)];
	va_list ap;

	/* Format aside first: the arguments may include xnl_errmsg() itself. */
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	memcpy(errbuf, tmp, sizeof(errbuf));
	errno = -err;
	return err;
}

/* ---- NLMSG_ERROR and NLMSG_DONE ------------------------------------------ */

static const struct xnl_policy ack_policy[NLMSGERR_ATTR_MAX + 1] = {
	[NLMSGERR_ATTR_MSG] = { "NLMSGERR_ATTR_MSG", MNL_TYPE_NUL_STRING, 0 },
	[NLMSGERR_ATTR_OFFS] = { "NLMSGERR_ATTR_OFFS", MNL_TYPE_U32, 0 },
	[NLMSGERR_ATTR_MISS_TYPE] = { "NLMSGERR_ATTR_MISS_TYPE", MNL_TYPE_U32, 0 },
};

/* The TLVs after an error code: the kernel's explanation, and where in our request. */
static int ack_tlvs_parse(const void *p, size_t len, const char *what, struct xnl_ack *ack)
{
	const struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	int err;
	size_t i;

	err = xnl_attrs_parse(p, len, what, ack_policy, NLMSGERR_ATTR_MAX, tb);
	if (err)
		return err;
	if (tb[NLMSGERR_ATTR_MSG]) {
		snprintf(ack->msg, sizeof(ack->msg), "%s", mnl_attr_get_str(tb[NLMSGERR_ATTR_MSG]));
		/* It goes to a terminal: no control characters from anyone. */
		for (i = 0; ack->msg[i]; i++)
			if ((unsigned char)ack->msg[i] < 0x20 || ack->msg[i] == 0x7f)
				ack->msg[i] = ' ';
	}
	if (tb[NLMSGERR_ATTR_OFFS])
		ack->offset = mnl_attr_get_u32(tb[NLMSGERR_ATTR_OFFS]);
	if (tb[NLMSGERR_ATTR_MISS_TYPE])
		ack->miss_type = mnl_attr_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]);
	return 0;
}

/* Error codes are small; anything else (INT_MIN would overflow on negation) is garbage. */
static int errcode(int e, const char *what, int *out)
{
	if (e < -4095 || e > 4095)
		return xnl_seterr(-EBADMSG, "malformed %s from the kernel: error code %d", what, e);
	*out = e > 0 ? -e : e;	/* some subsystems send it positive */
	return 0;
}

int xnl_ack_parse(const struct nlmsghdr *nlh, struct xnl_ack *ack)
{
	const struct nlmsgerr *e;
	size_t plen, off;
	int err;

	memset(ack, 0, sizeof(*ack));
	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(*e))
		return xnl_seterr(-EBADMSG, "malformed NLMSG_ERROR from the kernel: %u bytes, shorter than struct nlmsgerr",
				  nlh->nlmsg_len);
	plen = nlh->nlmsg_len - MNL_NLMSG_HDRLEN;
	e = mnl_nlmsg_get_payload(nlh);
	err = errcode(e->error, "NLMSG_ERROR", &ack->error);
	if (err)
		return err;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return 0;
	/* The TLVs follow our request as echoed: its header only when capped, else all of it. */
	if (nlh->nlmsg_flags & NLM_F_CAPPED) {
		off = sizeof(*e);
	} else {
		if (e->msg.nlmsg_len < sizeof(e->msg))
			return xnl_seterr(-EBADMSG, "malformed NLMSG_ERROR from the kernel: echoed request of %u bytes",
					  e->msg.nlmsg_len);
		off = sizeof(e->error) + MNL_ALIGN((size_t)e->msg.nlmsg_len);
	}
	if (off > plen)
		return xnl_seterr(-EBADMSG, "malformed NLMSG_ERROR from the kernel: echoed request runs %zu bytes past the end",
				  off - plen);
	return ack_tlvs_parse((const char *)e + off, plen - off, "NLMSG_ERROR", ack);
}

/* NLMSG_DONE may carry an error code (a dump that failed half-way) and TLVs after it. */
static int done_parse(const struct nlmsghdr *nlh, struct xnl_ack *ack)
{
	size_t plen = nlh->nlmsg_len - MNL_NLMSG_HDRLEN;
	int code, err;

	memset(ack, 0, sizeof(*ack));
	if (plen < sizeof(int))
		return 0;
	memcpy(&code, mnl_nlmsg_get_payload(nlh), sizeof(code));
	err = errcode(code, "NLMSG_DONE", &ack->error);
	if (err || !(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return err;
	return ack_tlvs_parse((const char *)mnl_nlmsg_get_payload(nlh) + sizeof(int), plen - sizeof(int), "NLMSG_DONE",
			      ack);
}

static int ack_error(const struct xnl_ack *ack)
{
	if (ack->msg[0])
		return xnl_seterr(ack->error, "%s (kernel: \"%s\")", strerror(-ack->error), ack->msg);
	if (ack->miss_type)
		return xnl_seterr(ack->error, "%s (kernel: attribute %u missing)", strerror(-ack->error), ack->miss_type);
	return xnl_seterr(ack->error, "%s", strerror(-ack->error));
}

/* ---- a datagram ---------------------------------------------------------- */

int xnl_msgs_parse(const void *buf, size_t len, uint32_t seq, uint32_t portid, xnl_msg_fn fn, void *data)
{
	bool intr = false;
	struct xnl_ack ack;
	size_t off = 0;
	int err;

	/* Bounded: every step advances by at least one message header. */
	while (off < len) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)((const char *)buf + off);
		size_t left = len - off;

		if (left < sizeof(*nlh))
			return xnl_seterr(-EBADMSG, "malformed netlink datagram: %zu stray bytes after the last message", left);
		if (nlh->nlmsg_len < sizeof(*nlh) || nlh->nlmsg_len > left)
			return xnl_seterr(-EBADMSG, "malformed netlink datagram: a message claims %u bytes but %zu remain",
					  nlh->nlmsg_len, left);
		off += NLMSG_ALIGN(nlh->nlmsg_len);
		/* Leftovers of a request we gave up on (an error half-way through a dump): not ours now. */
		if (!mnl_nlmsg_seq_ok(nlh, seq) || !mnl_nlmsg_portid_ok(nlh, portid))
			continue;
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
			intr = true;
		switch (nlh->nlmsg_type) {
		case NLMSG_NOOP:
			continue;
		case NLMSG_OVERRUN:
			return xnl_seterr(-ENOBUFS, "the kernel reported a netlink overrun: messages were lost");
		case NLMSG_ERROR:
			err = xnl_ack_parse(nlh, &ack);
			if (err)
				return err;
			if (ack.error)
				return ack_error(&ack);
			goto done;
		case NLMSG_DONE:
			err = done_parse(nlh, &ack);
			if (err)
				return err;
			if (ack.error)
				return ack_error(&ack);
			goto done;
		default:
			if (nlh->nlmsg_type < NLMSG_MIN_TYPE)
				continue;	/* reserved control types */
			err = fn(nlh, data);
			if (err < 0)
				return err;
		}
	}
	return 1;
done:
	if (intr)
		return xnl_seterr(-EAGAIN, "the kernel's list changed while it was being read (NLM_F_DUMP_INTR): run again");
	return 0;
}

/* ---- the socket ---------------------------------------------------------- */

static const char *bus_name(int bus)
{
	return bus == NETLINK_ROUTE ? "rtnetlink" : bus == NETLINK_GENERIC ? "generic netlink" : "netlink";
}

int xnl_sock_open(struct xnl_sock **out, int bus, const unsigned int *groups)
{
	struct timeval tv = { .tv_sec = XNL_TIMEOUT_S };
	int one = 1, err, rcvbuf = 1 << 20;
	struct xnl_sock *s;
	unsigned int i;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return xnl_seterr(-ENOMEM, "out of memory for a netlink socket");
	s->buf = malloc(XNL_BUF_SIZE);
	if (!s->buf) {
		err = xnl_seterr(-ENOMEM, "out of memory for a netlink receive buffer");
		goto err_free;
	}
	s->nl = mnl_socket_open2(bus, SOCK_CLOEXEC | (groups ? SOCK_NONBLOCK : 0));
	if (!s->nl) {
		err = xnl_seterr(-errno, "cannot open a %s socket: %s", bus_name(bus), strerror(errno));
		goto err_buf;
	}
	/* The kernel's own sentence on errors, and without our request echoed back.  Both are
	 * optional (older kernels refuse them): errors then just lack the sentence. */
	mnl_socket_setsockopt(s->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(s->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	if (groups) {
		/* An event socket: room for a burst (many links changing at once) before ENOBUFS. */
		setsockopt(mnl_socket_get_fd(s->nl), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	} else if (setsockopt(mnl_socket_get_fd(s->nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0) {
		err = xnl_seterr(-errno, "cannot set a receive timeout on a %s socket: %s", bus_name(bus),
				 strerror(errno));
		goto err_sock;
	}
	if (mnl_socket_bind(s->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = xnl_seterr(-errno, "cannot bind a %s socket: %s", bus_name(bus), strerror(errno));
		goto err_sock;
	}
	for (i = 0; groups && groups[i]; i++) {
		unsigned int g = groups[i];

		if (mnl_socket_setsockopt(s->nl, NETLINK_ADD_MEMBERSHIP, &g, sizeof(g)) < 0) {
			err = xnl_seterr(-errno, "cannot join %s multicast group %u: %s", bus_name(bus), g,
					 strerror(errno));
			goto err_sock;
		}
	}
	s->portid = mnl_socket_get_portid(s->nl);
	s->seq = (uint32_t)time(NULL);
	*out = s;
	return 0;

err_sock:
	mnl_socket_close(s->nl);
err_buf:
	free(s->buf);
err_free:
	free(s);
	return err;
}

void xnl_sock_close(struct xnl_sock *s)
{
	if (!s)
		return;
	if (s->nl)
		mnl_socket_close(s->nl);
	free(s->buf);
	free(s);
}

int xnl_sock_fd(const struct xnl_sock *s)
{
	return mnl_socket_get_fd(s->nl);
}

ssize_t xnl_sock_recv(struct xnl_sock *s, const void **buf)
{
	ssize_t n = mnl_socket_recvfrom(s->nl, s->buf, XNL_BUF_SIZE);

	if (n < 0)
		return -errno;
	*buf = s->buf;
	return n;
}

int xnl_sock_request(struct xnl_sock *s, struct nlmsghdr *nlh, xnl_msg_fn fn, void *data)
{
	uint32_t seq;
	int i, ret;

	if (++s->seq == 0)	/* 0 would match anything in mnl_nlmsg_seq_ok() */
		s->seq = 1;
	seq = nlh->nlmsg_seq = s->seq;
	nlh->nlmsg_flags |= NLM_F_REQUEST;
	if ((nlh->nlmsg_flags & NLM_F_DUMP) != NLM_F_DUMP)
		nlh->nlmsg_flags |= NLM_F_ACK;	/* so that a request with no reply still ends */
	if (mnl_socket_sendto(s->nl, nlh, nlh->nlmsg_len) < 0)
		return xnl_seterr(-errno, "cannot send a netlink request: %s", strerror(errno));
	for (i = 0; i < XNL_MAX_DATAGRAMS; i++) {
		ssize_t n = mnl_socket_recvfrom(s->nl, s->buf, XNL_BUF_SIZE);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return xnl_seterr(-ETIMEDOUT, "the kernel did not answer a netlink request within %d s",
						  XNL_TIMEOUT_S);
			if (errno == ENOSPC)
				return xnl_seterr(-ENOSPC, "a netlink reply was larger than %d bytes", XNL_BUF_SIZE);
			return xnl_seterr(-errno, "cannot receive a netlink reply: %s", strerror(errno));
		}
		ret = xnl_msgs_parse(s->buf, (size_t)n, seq, s->portid, fn, data);
		if (ret <= 0)
			return ret;
	}
	return xnl_seterr(-EPROTO, "a netlink reply did not end after %d datagrams", XNL_MAX_DATAGRAMS);
}
