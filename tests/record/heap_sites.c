/*
 * heap_sites.c - allocations of known sizes from known call sites.
 *
 *   heap_sites SCALE
 *
 * With SCALE = s:
 *   site_keep   10000*s x 4096 B, all kept live
 *   site_half  500000*s x 100 B, every other one freed
 *   site_churn 1000000*s x 64 B, each freed at once
 *   site_big       50*s x 1 MiB, kept live (through calloc)
 *   site_grow   10000*s realloc chains 16 B -> 1000 B, kept live
 * Live memory is freed only after the profile is written (at exit).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void **keep;
static size_t nkeep;

static void hold(void *p)
{
	keep[nkeep++] = p;
}

__attribute__((noinline)) static void site_keep(long n)
{
	for (long i = 0; i < n; i++)
		hold(malloc(4096));
}

__attribute__((noinline)) static void site_half(long n)
{
	for (long i = 0; i < n; i++) {
		void *p = malloc(100);

		if (i % 2)
			free(p);
		else
			hold(p);
	}
}

__attribute__((noinline)) static void site_churn(long n)
{
	for (long i = 0; i < n; i++) {
		char *volatile p = malloc(64);

		p[0] = 1;
		free(p);
	}
}

__attribute__((noinline)) static void site_big(long n)
{
	for (long i = 0; i < n; i++)
		hold(calloc(1, 1 << 20));
}

__attribute__((noinline)) static void site_grow(long n)
{
	for (long i = 0; i < n; i++) {
		void *p = realloc(NULL, 16);

		p = realloc(p, 1000);
		hold(p);
	}
}

int main(int argc, char **argv)
{
	long s = argc > 1 ? atol(argv[1]) : 1;

	keep = calloc((size_t)(10000 + 250000 + 50 + 10000) * (size_t)s + 16, sizeof(void *));
	if (!keep)
		return 1;
	site_keep(10000 * s);
	site_half(500000 * s);
	site_churn(1000000 * s);
	site_big(50 * s);
	site_grow(10000 * s);
	printf("%zu live blocks\n", nkeep);
	return 0;
}
