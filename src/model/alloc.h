/*
 * alloc.h - the single allocation gate.
 *
 * xmalloc and friends never return NULL: on exhaustion they print one line
 * and exit(1).  Everything in cprof allocates through them (directly or via
 * arenas), so tests can count or fail allocations in one place:
 * CPROF_FAIL_ALLOC=k in the environment fails the k-th one (alloc.c).
 */
#ifndef CPROF_ALLOC_H
#define CPROF_ALLOC_H

#include "model/compat.h"

/*
 * The memory budget for everything allocated through this gate (decoded
 * profiles, graphs, reports): an allocation that would take the heap over
 * it ends cprof with one line, "cprof: <phase>: memory budget of N MiB
 * exceeded ...".  The phase names the file and layer being worked on
 * ("f.pb.gz: proto decode"); "" when none.  0 = no budget.
 */
#define ALLOC_DEFAULT_BUDGET ((size_t)2 << 30)
void alloc_set_budget(size_t bytes);
/* What the budget has left now (SIZE_MAX without one): for optional caches. */
size_t alloc_headroom(void);
/*
 * For long sessions (the shell, the TUI, the web UI): keep memory freed
 * by one report for the next instead of giving it back to the kernel,
 * whose page faults cost a large report more than the walk itself.
 */
void alloc_keep_freed(void);
void alloc_set_phase(const char *what);

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrndup(const char *s, size_t len);
char *xstrdup(const char *s);

/* memcpy that accepts a NULL source when n is 0 (plain memcpy may not). */
static inline void copy_n(void *dst, const void *src, size_t n)
{
	if (n)
		memcpy(dst, src, n);
}

/* Multiply two sizes; die on overflow. */
size_t st_mult(size_t a, size_t b);

/*
 * Grow array 'x' (element type from the pointer) so it holds at least 'nr'
 * elements; 'alloc' tracks the capacity.  Growth is geometric.
 */
#define ALLOC_GROW(x, nr, alloc)                                                         \
	do {                                                                             \
		if ((size_t)(nr) > (size_t)(alloc)) {                                    \
			size_t alloc_new_ = (size_t)(alloc) < 16 ? 16 : (size_t)(alloc); \
			while (alloc_new_ < (size_t)(nr))                                \
				alloc_new_ += alloc_new_ / 2 + 16;                       \
			(x) = xrealloc((x), st_mult(alloc_new_, sizeof(*(x))));          \
			(alloc) = alloc_new_;                                            \
		}                                                                        \
	} while (0)

#endif
