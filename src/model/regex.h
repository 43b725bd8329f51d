/*
 * regex.h - regular expressions with Go RE2-like semantics (PCRE2 inside).
 *
 * Matching is unanchored search, UTF-8 aware but tolerant of invalid bytes,
 * '$' matches only at the very end.  The only PCRE2 user in cprof.
 */
#ifndef CPROF_REGEX_H
#define CPROF_REGEX_H

#include "model/compat.h"
#include "model/err.h"

struct cp_regex;

/* Compile; on error returns NULL with "<pattern>: <reason>" in err. */
struct cp_regex *cp_regex_compile(const char *pattern, struct cp_err *err);
bool cp_regex_match(const struct cp_regex *re, const char *s, size_t len);
/*
 * Match, and give the span [*start, *end) of capture group 'group' (0: the
 * whole match; an unset group gives an empty span).  False if no match.
 */
bool cp_regex_group(const struct cp_regex *re, const char *s, size_t len, int group, size_t *start,
		    size_t *end);
void cp_regex_free(struct cp_regex *re);

#endif
