// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * Attribute validation.  libmnl's mnl_attr_parse() stops quietly at the first
 * attribute that does not fit, so a truncated reply would look like a short
 * one; this walker says so instead, and checks each wanted attribute against a
 * policy table before anyone reads it.
 */
#include <errno.h>
#include <string.h>

#include "nl.h"

static size_t fixed_len(enum mnl_attr_data_type t)
{
	switch (t) {
	case MNL_TYPE_U8:
		return 1;
	case MNL_TYPE_U16:
		return 2;
	case MNL_TYPE_U32:
		return 4;
	case MNL_TYPE_U64:
	case MNL_TYPE_MSECS:
		return 8;
	default:
		return 0;
	}
}

static int attr_check(const struct nlattr *a, const struct xnl_policy *p, const char *what)
{
	uint16_t plen = mnl_attr_get_payload_len(a);
	size_t want = fixed_len(p->type);

	if (mnl_attr_validate(a, p->type) < 0) {
		if (want)
			return xnl_seterr(-EBADMSG, "malformed %s from the kernel: %s has %u bytes, expected %zu", what,
					  p->name, plen, want);
		if (p->type == MNL_TYPE_NUL_STRING || p->type == MNL_TYPE_STRING)
			return xnl_seterr(-EBADMSG, "malformed %s from the kernel: %s is %s", what, p->name,
					  plen ? "not NUL-terminated" : "empty");
		return xnl_seterr(-EBADMSG, "malformed %s from the kernel: %s has %u bytes, too short for its type",
				  what, p->name, plen);
	}
	if (p->max_len && plen > p->max_len)
		return xnl_seterr(-EBADMSG, "malformed %s from the kernel: %s has %u bytes, at most %u expected", what,
				  p->name, plen, p->max_len);
	return 0;
}

int xnl_attrs_parse(const void *payload, size_t len, const char *what, const struct xnl_policy *pol,
		    unsigned int max, const struct nlattr **tb)
{
	size_t off = 0;
	int err;

	memset(tb, 0, (max + 1) * sizeof(*tb));
	/* Bounded: every step advances by at least one attribute header. */
	while (off < len) {
		const struct nlattr *a = (const struct nlattr *)((const char *)payload + off);
		size_t left = len - off;
		uint16_t type;

		if (left < sizeof(*a))
			return xnl_seterr(-EBADMSG, "malformed %s from the kernel: %zu stray bytes after the last attribute",
					  what, left);
		type = mnl_attr_get_type(a);
		if (a->nla_len < sizeof(*a) || a->nla_len > left)
			return xnl_seterr(-EBADMSG,
					  "malformed %s from the kernel: attribute type %u claims %u bytes but %zu remain",
					  what, type, a->nla_len, left);
		/* The last attribute may lack its padding: MNL_ALIGN then steps past len and the loop ends. */
		off += MNL_ALIGN(a->nla_len);
		if (mnl_attr_type_valid(a, (uint16_t)max) < 0 || !pol[type].name)
			continue;	/* unknown to us: a newer kernel's, skipped */
		err = attr_check(a, &pol[type], what);
		if (err)
			return err;
		tb[type] = a;
	}
	return 0;
}

int xnl_attrs_parse_msg(const struct nlmsghdr *nlh, size_t hdrlen, const char *what,
			const struct xnl_policy *pol, unsigned int max, const struct nlattr **tb)
{
	size_t plen;

	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN)
		return xnl_seterr(-EBADMSG, "malformed %s from the kernel: %u bytes, shorter than a netlink header",
				  what, nlh->nlmsg_len);
	plen = nlh->nlmsg_len - MNL_NLMSG_HDRLEN;
	if (plen < hdrlen)
		return xnl_seterr(-EBADMSG, "malformed %s from the kernel: payload of %zu bytes, shorter than its %zu-byte header",
				  what, plen, hdrlen);
	hdrlen = MNL_ALIGN(hdrlen);
	if (hdrlen > plen)	/* an unpadded family header at the very end: no attributes */
		hdrlen = plen;
	return xnl_attrs_parse((const char *)mnl_nlmsg_get_payload(nlh) + hdrlen, plen - hdrlen, what, pol, max, tb);
}

int xnl_attrs_parse_nested(const struct nlattr *nest, const char *what, const struct xnl_policy *pol,
			   unsigned int max, const struct nlattr **tb)
{
	return xnl_attrs_parse(mnl_attr_get_payload(nest), mnl_attr_get_payload_len(nest), what, pol, max, tb);
}
