/*
 * err.h - error reporting for library code.
 *
 * Functions that can fail take a 'struct cp_err *' and return -1 after
 * filling it with one line of text (no trailing newline, no "cprof:"
 * prefix).  Library code never prints; front ends decide how to show it.
 */
#ifndef CPROF_ERR_H
#define CPROF_ERR_H

#include "model/compat.h"

struct cp_err {
	char msg[1024];
};

/* Format into err (if not NULL) and return -1. */
int cp_errf(struct cp_err *err, const char *fmt, ...) PRINTF_LIKE(2, 3);

/* Prefix err's message with "prefix: " (used to add a file name). */
void cp_err_prefix(struct cp_err *err, const char *prefix);

#endif
