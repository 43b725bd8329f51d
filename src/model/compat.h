/*
 * compat.h - the first include of every cprof source file.
 *
 * Feature macros, the system headers nearly every file needs, a few
 * attribute shorthands, and banned.h last so unsafe libc calls fail to
 * compile.
 */
#ifndef CPROF_COMPAT_H
#define CPROF_COMPAT_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NORETURN	       __attribute__((noreturn))
#define PRINTF_LIKE(fmt, args) __attribute__((format(printf, fmt, args)))
#define UNUSED		       __attribute__((unused))
#define ARRAY_SIZE(a)	       (sizeof(a) / sizeof((a)[0]))

/* a + b wrapping on overflow, as Go's int64 arithmetic does (C's is undefined). */
static inline int64_t add64(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a + (uint64_t)b);
}

/* a - b wrapping on overflow, as Go's int64 arithmetic does. */
static inline int64_t sub64(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a - (uint64_t)b);
}

/* a * b wrapping on overflow, as Go's int64 arithmetic does. */
static inline int64_t mul64(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a * (uint64_t)b);
}

/* Go's int64(d) on amd64: NaN and values out of range give INT64_MIN. */
static inline int64_t f2i64(double d)
{
	if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0))
		return INT64_MIN;
	return (int64_t)d;
}

/* |v| as pprof computes it (INT64_MIN stays negative, as in Go). */
static inline int64_t abs64(int64_t v)
{
	return v < 0 ? (int64_t)(0 - (uint64_t)v) : v; /* no overflow trap on INT64_MIN */
}

#include "model/banned.h"

#endif
