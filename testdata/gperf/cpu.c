/* cpu: burns CPU in a few functions of different weight, for recording a
 * gperftools CPU profile (libprofiler, CPUPROFILE=FILE).
 *
 * Usage: cpu SECONDS [VARIANT]
 *
 * Shape of the profile (the exact numbers vary from run to run):
 *   - run_main: heavy : medium : light ~ 4 : 2 : 1 (variant 1), all spinning
 *     on the static helpers step and mix, which gcc -O2 inlines (step inlines
 *     mix: an inline chain of depth two);
 *   - run_solver: the recursive function fib;
 *   - run_hasher: hash_block (with inlined mix) and fold.
 * Variant 2 (the second, "base" profile) shifts the weights: light gets four
 * times the work, hash_block none, and the function only_in_v2 appears, so a
 * comparison of the two profiles has both positive and negative entries.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define NOINLINE __attribute__((noinline))

/* sink keeps results alive so the compiler cannot drop the work. */
volatile uint64_t sink;

static inline uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	return x ^ (x >> 29);
}

static inline uint64_t step(uint64_t acc, uint64_t i)
{
	return mix(acc + i) + 1;
}

NOINLINE uint64_t heavy(long n)
{
	uint64_t acc = 1;
	for (long i = 0; i < n * 4; i++)
		acc = step(acc, (uint64_t)i);
	return acc;
}

NOINLINE uint64_t medium(long n)
{
	uint64_t acc = 2;
	for (long i = 0; i < n * 2; i++)
		acc = step(acc, (uint64_t)i);
	return acc;
}

NOINLINE uint64_t light(long n)
{
	uint64_t acc = 3;
	for (long i = 0; i < n; i++)
		acc = mix(acc + (uint64_t)i);
	return acc;
}

NOINLINE uint64_t only_in_v2(long n)
{
	uint64_t acc = 4;
	for (long i = 0; i < n; i++)
		acc = acc * 6364136223846793005ULL + (uint64_t)i;
	return acc;
}

/* fib is deliberately naive: deep recursion. */
NOINLINE long fib(int n)
{
	if (n < 2)
		return n;
	return fib(n - 1) + fib(n - 2);
}

NOINLINE uint64_t hash_block(uint64_t seed)
{
	uint64_t acc = seed;
	for (int i = 0; i < 20000; i++)
		acc = mix(acc ^ (uint64_t)i);
	return acc;
}

NOINLINE uint64_t fold(uint64_t seed)
{
	uint64_t acc = seed;
	for (int i = 0; i < 10000; i++) {
		acc = acc * 31 + ((uint64_t)i >> 3);
		acc ^= acc << 7;
	}
	return acc;
}

NOINLINE uint64_t run_main(int variant)
{
	uint64_t acc = heavy(20000);
	acc += medium(20000);
	acc += light(variant == 2 ? 80000 : 20000);
	if (variant == 2)
		acc += only_in_v2(40000);
	return acc;
}

NOINLINE uint64_t run_solver(void)
{
	return (uint64_t)fib(23) + 1;
}

NOINLINE uint64_t run_hasher(int variant, uint64_t acc)
{
	if (variant != 2)
		acc = hash_block(acc);
	return fold(acc) + 1;
}

static double cpu_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: cpu SECONDS [VARIANT]\n");
		return 2;
	}
	double seconds = atof(argv[1]);
	int variant = argc > 2 ? atoi(argv[2]) : 1;
	double end = cpu_seconds() + seconds;
	uint64_t acc = 0;
	while (cpu_seconds() < end) {
		acc += run_main(variant);
		acc += run_solver();
		acc = run_hasher(variant, acc);
	}
	sink = acc;
	return 0;
}
