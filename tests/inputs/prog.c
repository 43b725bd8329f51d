/*
 * prog.c - the program the input tests profile and symbolize.
 *
 *   prog cpu MS     spin for about MS milliseconds of CPU time
 *   prog heap       allocate a known pattern of blocks (for tcmalloc's heap profiler)
 *
 * Built -O2 -g: mix() and step() are inlined into heavy(), medium() and
 * light(), so their samples carry inline frames; heavy/medium/light and
 * the allocation helpers are kept out of line.  Work splits about 4:2:1
 * between heavy, medium and light.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NOINLINE __attribute__((noinline))

static volatile uint64_t sink;

static inline uint64_t mix(uint64_t x)
{
	x ^= x >> 31;
	x *= 0x7fb5d329728ea185ULL;
	x ^= x >> 27;
	x *= 0x81dadef4bc2dd44dULL;
	return x ^ (x >> 33);
}

static inline uint64_t step(uint64_t x, uint64_t k)
{
	return mix(x + k) + mix(x ^ k);
}

NOINLINE uint64_t heavy(uint64_t n)
{
	uint64_t x = n;

	for (uint64_t i = 0; i < 4 * n; i++)
		x = step(x, i);
	return x;
}

NOINLINE uint64_t medium(uint64_t n)
{
	uint64_t x = n + 1;

	for (uint64_t i = 0; i < 2 * n; i++)
		x = step(x, i);
	return x;
}

NOINLINE uint64_t light(uint64_t n)
{
	uint64_t x = n + 2;

	for (uint64_t i = 0; i < n; i++)
		x = step(x, i);
	return x;
}

static double cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void spin(double ms)
{
	double start = cpu_ms();

	while (cpu_ms() - start < ms)
		sink += heavy(100000) + medium(100000) + light(100000);
}

static void *keep[4096];

NOINLINE void *alloc_small(size_t i)
{
	return malloc(64 + (i & 1));
}

NOINLINE void *alloc_large(void)
{
	return malloc(1 << 20);
}

static void heap(void)
{
	for (size_t i = 0; i < 4000; i++)
		keep[i] = alloc_small(i);
	for (size_t i = 0; i < 16; i++) {
		void *p = alloc_large();

		memset(p, 1, 4096);
		if (i % 2)
			free(p);
		else
			keep[4000 + i] = p;
	}
	sink += (uintptr_t)keep[0];
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "cpu")) {
		spin(atof(argv[2]));
	} else if (argc == 2 && !strcmp(argv[1], "heap")) {
		heap();
	} else {
		fprintf(stderr, "usage: prog cpu MS | prog heap\n");
		return 2;
	}
	printf("%llu\n", (unsigned long long)sink);
	return 0;
}
