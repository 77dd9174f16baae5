/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * Inside the lab-file parser (parse*.c only): the state of one parse, the messages, and the words
 * every directive reads.  parse.c owns the lines and the words, parse_link.c the interfaces and
 * their options, parse_net.c what goes inside the nodes (routes, sysctls, neighbours) and what is
 * run or checked once the lab is up (exec, expect).
 */
#ifndef XDPLAB_PARSE_H
#define XDPLAB_PARSE_H

#include <stdbool.h>
#include <stdint.h>

#include "lab.h"

struct parser {
	struct xl_lab *lab;
	const char *file;
	int line;
	int nw;
	char *w[XL_MAX_WORDS];
};

/* "FILE:LINE: ..." with the current line, or with @line (0: the whole file); both return -EINVAL. */
int xlp_err(const struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int xlp_lerr(const struct parser *p, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* A word of the file, printable and bounded, for quoting in a message. */
#define SHOW(word) xlp_show(word, (char[48]){ 0 })
const char *xlp_show(const char *w, char *out);

/* Decimal, digits only; 1 when it is not a number, 2 when it is out of [min, max]. */
int xlp_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out);
int xlp_mac(const struct parser *p, const char *s, uint8_t mac[6]);
/* An interface's address with its prefix length ("198.18.0.1/24"). */
int xlp_cidr(const struct parser *p, const char *s, struct xl_addr *a);
/* A plain IPv4 or IPv6 address (no prefix length): its family, its bytes. */
int xlp_ip(const struct parser *p, const char *s, int *family, uint8_t bytes[16]);
/* Why @family/@bytes (written @host) cannot be an interface's own address, or 0. */
int xlp_unicast(const struct parser *p, int family, const uint8_t *bytes, const char *host);
/* tc's units: "100mbit" (bit/s), "32k" (bytes, k and m count 1024), "10ms" (microseconds), "0.5%" (per million). */
int xlp_rate(const struct parser *p, const char *s, uint64_t *out);
int xlp_size(const struct parser *p, const char *s, uint32_t *out);
int xlp_delay(const struct parser *p, const char *s, uint32_t *out);
int xlp_loss(const struct parser *p, const char *s, uint32_t *out);
bool xlp_ifname_ok(const char *s);
/* "NODE:IF" into a node index and an interface name. */
int xlp_end(const struct parser *p, const char *s, int *node, char ifname[IFNAMSIZ]);
/* "NODE:IF" of an interface declared before this line: its index, or -EINVAL. */
int xlp_declared(const struct parser *p, const char *s);
/* A node declared before this line: its index, or -EINVAL. */
int xlp_node(const struct parser *p, const char *s);

/* parse_link.c */
int xlp_veth(struct parser *p);
int xlp_macvlan(struct parser *p);
int xlp_iface(struct parser *p);
int xlp_bridge(struct parser *p);
int xlp_check_links(const struct parser *p);

/* parse_net.c */
int xlp_route(struct parser *p);
int xlp_sysctl(struct parser *p);
int xlp_neigh(struct parser *p);
int xlp_exec(struct parser *p);
int xlp_expect(struct parser *p);
int xlp_check_net(const struct parser *p);

#endif
