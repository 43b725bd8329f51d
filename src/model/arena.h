/*
 * arena.h - bump allocator for parsed and derived data.
 *
 * Memory comes from large blocks chained together; nothing is freed
 * individually.  arena_release() frees every block at once.  An arena
 * starts zeroed ("struct arena a = {0};" is a valid empty arena).
 */
#ifndef CPROF_ARENA_H
#define CPROF_ARENA_H

#include "model/compat.h"

struct arena_block;

struct arena {
	struct arena_block *head;
	char *cur, *end;
	size_t total; /* bytes handed out, for statistics */
};

/* Allocate 'size' bytes aligned to 16; never returns NULL. */
void *arena_alloc(struct arena *a, size_t size);
/* Same, zero-filled. */
void *arena_zalloc(struct arena *a, size_t size);
/* Copy 'len' bytes of 's' and NUL-terminate. */
char *arena_strndup(struct arena *a, const char *s, size_t len);
/* Forget all allocations but keep the first block for reuse. */
void arena_reset(struct arena *a);
void arena_release(struct arena *a);

#endif
