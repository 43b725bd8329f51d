/*
 * strtab.h - interned strings.
 *
 * Each distinct byte string gets one id; id 0 is always "".  The table owns
 * the bytes (arena); pointers returned by strtab_str stay valid until
 * strtab_free.  Strings are NUL-terminated for convenience, but may contain
 * NUL bytes; strtab_len gives the real length.
 */
#ifndef CPROF_STRTAB_H
#define CPROF_STRTAB_H

#include "model/compat.h"
#include "model/arena.h"

struct strtab {
	struct arena arena;
	const char **strs;
	uint32_t *lens;
	uint32_t n, alloc;
	uint32_t *slots; /* open addressing: id + 1, 0 = empty */
	size_t mask;
};

void strtab_init(struct strtab *t);
void strtab_free(struct strtab *t);
uint32_t strtab_intern(struct strtab *t, const char *s, size_t len);
/* Lookup without inserting; returns false when absent. */
bool strtab_find(const struct strtab *t, const char *s, size_t len, uint32_t *id);

static inline const char *strtab_str(const struct strtab *t, uint32_t id)
{
	return t->strs[id];
}

static inline size_t strtab_len(const struct strtab *t, uint32_t id)
{
	return t->lens[id];
}

#endif
