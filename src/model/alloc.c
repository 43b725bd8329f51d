#include "model/compat.h"
#include "model/alloc.h"

static NORETURN void die_oom(size_t size)
{
	fprintf(stderr, "cprof: out of memory (allocating %zu bytes)\n", size);
	exit(1);
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
	void *p = fail_this_one() ? NULL : malloc(size ? size : 1);

	if (!p)
		die_oom(size);
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = fail_this_one() ? NULL : calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (!p)
		die_oom(nmemb * size);
	return p;
}

void *xrealloc(void *ptr, size_t size)
{
	void *p = fail_this_one() ? NULL : realloc(ptr, size ? size : 1);

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
