#include "model/compat.h"
#include <malloc.h>
#include <stdatomic.h>
#include "model/alloc.h"

static size_t budget = ALLOC_DEFAULT_BUDGET; /* bytes; 0: none */
static atomic_size_t since_check;	     /* bytes requested since the heap was measured */
static char phase[512];			     /* what is being done, for the message */

#define CHECK_EVERY ((size_t)8 << 20)

void alloc_set_budget(size_t bytes)
{
	budget = bytes;
}

size_t alloc_headroom(void)
{
	struct mallinfo2 mi;
	size_t used;

	if (!budget)
		return SIZE_MAX;
	mi = mallinfo2();
	used = mi.uordblks + mi.hblkhd;
	return used < budget ? budget - used : 0;
}

void alloc_keep_freed(void)
{
	/* reports allocate and free arrays of tens of MB each time */
	mallopt(M_MMAP_THRESHOLD, 256 << 20);
	mallopt(M_TRIM_THRESHOLD, 512 << 20);
}

void alloc_set_phase(const char *what)
{
	snprintf(phase, sizeof(phase), "%s", what ? what : "");
}

static NORETURN void die_oom(size_t size)
{
	fprintf(stderr, "cprof: out of memory (allocating %zu bytes)\n", size);
	exit(1);
}

/*
 * The memory budget: live heap bytes (malloc's own count, so frees need no
 * bookkeeping here) measured every CHECK_EVERY bytes requested and before
 * any allocation that large.  Going over ends cprof with one line naming
 * what it was doing.  (Sanitizer builds have their own allocator, which
 * glibc's count does not see: there the budget is not enforced.)
 */
static void check_budget(size_t size)
{
	struct mallinfo2 mi;
	size_t used;

	if (!budget)
		return;
	if (size < CHECK_EVERY && atomic_fetch_add(&since_check, size) + size < CHECK_EVERY)
		return;
	atomic_store(&since_check, 0);
	mi = mallinfo2();
	used = mi.uordblks + mi.hblkhd;
	if (used > budget || size > budget - used) {
		fprintf(stderr,
			"cprof: %s%smemory budget of %zu MiB exceeded (%zu MiB in use, %zu more "
			"asked; raise it with -max_memory)\n",
			phase, *phase ? ": " : "", budget >> 20, used >> 20, size >> 20);
		exit(1);
	}
}

/*
 * Test hook: with CPROF_FAIL_ALLOC=k in the environment the k-th
 * allocation through this gate fails as if memory had run out, so tests
 * can check that every failure point ends in the one line above.  Not
 * thread-safe: for the small single-threaded fixtures tests use.
 */
static bool fail_this_one(void)
{
	static unsigned long fail_at, count;
	static bool read_env;

	if (!read_env) {
		const char *e = getenv("CPROF_FAIL_ALLOC");

		fail_at = e ? strtoul(e, NULL, 10) : 0;
		read_env = true;
	}
	return fail_at && ++count == fail_at;
}

void *xmalloc(size_t size)
{
	void *p;

	check_budget(size);
	p = fail_this_one() ? NULL : malloc(size ? size : 1);

	if (!p)
		die_oom(size);
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p;

	check_budget(st_mult(nmemb, size));
	p = fail_this_one() ? NULL : calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (!p)
		die_oom(nmemb * size);
	return p;
}

void *xrealloc(void *ptr, size_t size)
{
	void *p;

	check_budget(size);
	p = fail_this_one() ? NULL : realloc(ptr, size ? size : 1);

	if (!p)
		die_oom(size);
	return p;
}

char *xstrndup(const char *s, size_t len)
{
	char *p = xmalloc(len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

size_t st_mult(size_t a, size_t b)
{
	size_t r;

	if (__builtin_mul_overflow(a, b, &r))
		die_oom(SIZE_MAX);
	return r;
}
