// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * The last error message.  One buffer for the process: xdplab does one thing at a time, and the helper
 * threads that run inside namespaces are joined before their caller reads it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lab.h"

static char errbuf[1024];

const char *xl_errmsg(void)
{
	return errbuf;
}

static void set(const char *fmt, va_list ap)
{
	char tmp[sizeof(errbuf)];

	/* Through a copy: callers often wrap the previous message ("node a: %s", xl_errmsg()). */
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	memcpy(errbuf, tmp, sizeof(errbuf));
}

void xl_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set(fmt, ap);
	va_end(ap);
}

int xl_fail(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set(fmt, ap);
	va_end(ap);
	return err;
}
