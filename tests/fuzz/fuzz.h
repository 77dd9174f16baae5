/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * What the fuzz targets share.
 *
 * cmocka's assertion macros: an oracle written for a unit test (such as
 * tests/unit/tun_gro_oracle.h) runs unchanged under libFuzzer, without linking cmocka.  A failed
 * check prints where and what, then aborts: libFuzzer reports a deadly signal and keeps the input.
 *
 * An input reader: the structured targets decode their input as a little program (which flow,
 * which field to vary, ...), so that libFuzzer's byte mutations become meaningful changes.  Past
 * the end every read gives 0, and fz_left() says so.
 *
 * A ones' complement sum of our own, byte by byte, to hold the project's word-wise ones against.
 */
#ifndef XDPSOCK_FUZZ_H
#define XDPSOCK_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((noreturn, format(printf, 3, 4))) static inline void fz_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d: check failed: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

#define CHECK(c)                                                                                                       \
	do {                                                                                                           \
		if (!(c))                                                                                              \
			fz_fail(__FILE__, __LINE__, "%s", #c);                                                         \
	} while (0)

#define assert_true(c) CHECK(c)
#define assert_false(c) CHECK(!(c))
#define assert_non_null(p) CHECK((p) != NULL)
#define assert_ptr_equal(a, b) CHECK((const void *)(a) == (const void *)(b))
#define assert_int_equal(a, b)                                                                                         \
	do {                                                                                                           \
		uintmax_t a_ = (uintmax_t)(a), b_ = (uintmax_t)(b);                                                    \
		if (a_ != b_)                                                                                          \
			fz_fail(__FILE__, __LINE__, "%s == %s: %#jx != %#jx", #a, #b, a_, b_);                         \
	} while (0)
#define assert_memory_equal(a, b, n)                                                                                   \
	do {                                                                                                           \
		if (memcmp((a), (b), (n)))                                                                             \
			fz_fail(__FILE__, __LINE__, "%s and %s differ in their %zu bytes", #a, #b, (size_t)(n));       \
	} while (0)
#define fail_msg(...) fz_fail(__FILE__, __LINE__, __VA_ARGS__)
#define print_message(...) ((void)0)

struct fz_in {
	const uint8_t *p;
	size_t n;
};

static inline size_t fz_left(const struct fz_in *in)
{
	return in->n;
}

static inline uint8_t fz_u8(struct fz_in *in)
{
	uint8_t v = 0;

	if (in->n) {
		v = *in->p++;
		in->n--;
	}
	return v;
}

static inline uint16_t fz_u16(struct fz_in *in)
{
	uint16_t hi = fz_u8(in);

	return (uint16_t)(hi << 8 | fz_u8(in));
}

static inline uint32_t fz_u32(struct fz_in *in)
{
	uint32_t hi = fz_u16(in);

	return hi << 16 | fz_u16(in);
}

/* Up to @n bytes where they are; *@got says how many there were. */
static inline const uint8_t *fz_bytes(struct fz_in *in, size_t n, size_t *got)
{
	const uint8_t *p = in->p;

	*got = n < in->n ? n : in->n;
	in->p += *got;
	in->n -= *got;
	return p;
}

/* The rest of the input, as a heap block of exactly its size (ASan sees a read past its end). */
static inline uint8_t *fz_rest(struct fz_in *in, size_t *len)
{
	uint8_t *b = malloc(in->n ? in->n : 1);

	if (!b)
		abort();
	memcpy(b, in->p, in->n);
	*len = in->n;
	in->p += in->n;
	in->n = 0;
	return b;
}

/* The big-endian 16-bit words of @p added to @s (an odd last byte is a high half); not folded. */
static inline uint64_t fz_sum(uint64_t s, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	return s;
}

/* @s folded to 16 bits: 0xffff for data whose checksum verifies. */
static inline uint16_t fz_fold(uint64_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

#endif
