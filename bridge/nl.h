/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * The netlink plumbing under xdpbridge's discovery (xnl.h): one socket, one
 * request at a time, and the defensive parsing of what comes back.
 *
 *   xnl_sock_request()                  send, then recv until ACK / NLMSG_DONE
 *     -> xnl_msgs_parse()               walk one datagram: lengths, seq, ERROR, DONE
 *          -> caller's xnl_msg_fn       one data message
 *               -> xnl_attrs_parse()    attributes against a policy table
 *
 * The parsers never trust a length from the kernel: a message or attribute that
 * claims more bytes than it has, a fixed-size attribute of the wrong size, or a
 * string without its NUL is -EBADMSG with a sentence in xnl_errmsg() naming the
 * attribute; attributes the policy does not list are skipped, so a newer kernel
 * that adds some still parses.
 *
 * The prefix is xnl_ rather than nl_ so this module can be linked next to
 * libnl (tools/xdplab uses libnl-route-3) without symbol clashes.
 */
#ifndef XDPBRIDGE_NL_H
#define XDPBRIDGE_NL_H

#include <stddef.h>
#include <stdint.h>
#include <libmnl/libmnl.h>

/* Receive buffer: the kernel sizes dump datagrams up to 32 KiB. */
#define XNL_BUF_SIZE 32768

/* ---- errors -------------------------------------------------------------- */

/**
 * xnl_errmsg() - the sentence explaining this thread's last failure in the module
 * ("" when none).  Valid until the next failing call on this thread.
 */
const char *xnl_errmsg(void);

/**
 * xnl_seterr() - set the sentence (printf-style) and errno = -@err; returns @err.
 * @err must be a negative errno.  The format may use xnl_errmsg() as an argument
 * (to wrap the previous message in more context).
 */
int xnl_seterr(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- attributes ---------------------------------------------------------- */

/* What one attribute type must look like.  A zeroed entry (name NULL) means "not wanted: skip". */
struct xnl_policy {
	const char *name;		/* "IFLA_MTU", for error messages */
	enum mnl_attr_data_type type;	/* MNL_TYPE_U8/U16/U32/U64 are exact sizes */
	uint16_t max_len;		/* strings and binary: payload at most this long (0: any) */
};

/**
 * xnl_attrs_parse() - index the attributes in [@payload, @payload + @len) by type.
 * @what: the message or nest, for error messages ("RTM_NEWLINK", "IFLA_XDP").
 * @pol: @max + 1 entries.
 * @tb: @max + 1 slots, cleared first; tb[type] points at the last attribute of that type.
 *
 * Return: 0, or -EBADMSG when an attribute is truncated (its length runs past @len or is
 * below the header), or a wanted one fails its policy.  Unknown types (above @max or with
 * no policy entry) are skipped.
 */
int xnl_attrs_parse(const void *payload, size_t len, const char *what, const struct xnl_policy *pol,
		    unsigned int max, const struct nlattr **tb);

/** xnl_attrs_parse_msg() - as xnl_attrs_parse() on @nlh's payload after a @hdrlen-byte family header. */
int xnl_attrs_parse_msg(const struct nlmsghdr *nlh, size_t hdrlen, const char *what,
			const struct xnl_policy *pol, unsigned int max, const struct nlattr **tb);

/** xnl_attrs_parse_nested() - as xnl_attrs_parse() on the payload of @nest. */
int xnl_attrs_parse_nested(const struct nlattr *nest, const char *what, const struct xnl_policy *pol,
			   unsigned int max, const struct nlattr **tb);

/* ---- messages ------------------------------------------------------------ */

/* An NLMSG_ERROR (or NLMSG_DONE) as the kernel sent it. */
struct xnl_ack {
	int error;		/* 0 for an ACK, else a negative errno */
	char msg[256];		/* NLMSGERR_ATTR_MSG, the kernel's explanation; "" when none */
	uint32_t offset;	/* NLMSGERR_ATTR_OFFS: byte offset of the bad attribute in the request; 0 none */
	uint32_t miss_type;	/* NLMSGERR_ATTR_MISS_TYPE: a required attribute that was missing; 0 none */
};

/**
 * xnl_ack_parse() - decode the NLMSG_ERROR @nlh, extended ACK TLVs included.
 * Return: 0 (see ack->error for the kernel's verdict) or -EBADMSG when malformed.
 */
int xnl_ack_parse(const struct nlmsghdr *nlh, struct xnl_ack *ack);

/* One data message of a reply; return < 0 (a negative errno, errmsg set) to stop. */
typedef int (*xnl_msg_fn)(const struct nlmsghdr *nlh, void *data);

/**
 * xnl_msgs_parse() - walk one received datagram of @len bytes.
 * @seq, @portid: the request's; messages for another sequence number (leftovers of an
 * abandoned request) are skipped.  0 accepts any (notifications).
 * @fn: called for each data message (type >= NLMSG_MIN_TYPE).
 *
 * Return: 1 when more datagrams are expected, 0 when the reply is complete (an ACK or
 * NLMSG_DONE), or a negative errno: the kernel's (NLMSG_ERROR, with its extended ACK
 * message in xnl_errmsg()), -EBADMSG for a malformed datagram, -EAGAIN when the dump was
 * interrupted by a concurrent change (NLM_F_DUMP_INTR: run it again), or @fn's.
 */
int xnl_msgs_parse(const void *buf, size_t len, uint32_t seq, uint32_t portid, xnl_msg_fn fn, void *data);

/* ---- socket -------------------------------------------------------------- */

struct xnl_sock;

/**
 * xnl_sock_open() - a netlink socket on @bus (NETLINK_ROUTE, NETLINK_GENERIC), in the
 * calling thread's network namespace, with extended ACKs and capped ACKs on and a 5 s
 * receive timeout (a request never hangs).  @groups: multicast groups to join (RTNLGRP_*
 * numbers, 0 terminated; NULL none); a socket with groups is non-blocking.
 * Return: 0 or -errno (xnl_errmsg() says why).
 */
int xnl_sock_open(struct xnl_sock **s, int bus, const unsigned int *groups);

/** xnl_sock_close() - close and free; NULL-safe. */
void xnl_sock_close(struct xnl_sock *s);

/** xnl_sock_fd() - the socket's fd, for poll(). */
int xnl_sock_fd(const struct xnl_sock *s);

/**
 * xnl_sock_request() - send @nlh (its seq is set here; NLM_F_ACK is added to non-dump
 * requests) and feed the reply to @fn until the ACK or NLMSG_DONE.
 * Return: 0 or a negative errno as xnl_msgs_parse(), or -ETIMEDOUT, -ENOSPC (a datagram
 * larger than XNL_BUF_SIZE), -EPROTO (the reply never ended), with xnl_errmsg() set.
 */
int xnl_sock_request(struct xnl_sock *s, struct nlmsghdr *nlh, xnl_msg_fn fn, void *data);

/**
 * xnl_sock_recv() - one datagram into the socket's buffer (non-blocking sockets: -EAGAIN
 * when none).  *@buf points at it until the next call.  Return: its length or -errno.
 */
ssize_t xnl_sock_recv(struct xnl_sock *s, const void **buf);

#endif
