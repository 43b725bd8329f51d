/*
 * rt.c - small runtime pieces of libcprof: the per-thread guard, a spin
 * lock, thread ids, clocks, a PRNG, growable arrays, error messages.
 */
#include "model/compat.h"
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "record/rec.h"

REC_TLS int rec_guard;

void rec_lock(struct rec_lock *l)
{
	int spins = 0;

	for (;;) {
		int expect = 0;

		if (atomic_compare_exchange_weak_explicit(&l->v, &expect, 1, memory_order_acquire,
							  memory_order_relaxed))
			return;
		if (++spins > 64) {
			sched_yield();
			spins = 0;
		}
	}
}

void rec_unlock(struct rec_lock *l)
{
	atomic_store_explicit(&l->v, 0, memory_order_release);
}

pid_t rec_gettid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

int64_t rec_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t rec_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static bool seed_fixed;
static uint64_t seed_base;

void rec_seed_init(void)
{
	const char *s = getenv("CPROF_SEED");

	if (s && *s) {
		seed_fixed = true;
		seed_base = strtoull(s, NULL, 0);
	}
}

uint64_t rec_seed(void)
{
	static atomic_uint_fast64_t draws;
	uint64_t v;

	/* With a fixed seed, the n-th stream drawn is always the same. */
	if (seed_fixed)
		v = (seed_base + atomic_fetch_add(&draws, 1)) * 0x9e3779b97f4a7c15ull;
	else
		v = (uint64_t)rec_mono_ns() ^ ((uint64_t)rec_gettid() << 32);
	return v ? v : 0x2545f4914f6cdd1dull;
}

/* xorshift64* */
uint64_t rec_rand(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dull;
}

int rec_grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap ? *cap : 16;
	void *p;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	if (n > SIZE_MAX / elem)
		return -1;
	p = __libc_realloc(*arr, n * elem);
	if (!p)
		return -1;
	*arr = p;
	*cap = n;
	return 0;
}

REC_EXPORT const char *cprof_record_errmsg(int err)
{
	switch (err) {
	case CPROF_RECORD_OK:
		return "success";
	case CPROF_RECORD_EINVAL:
		return "invalid argument";
	case CPROF_RECORD_EBUSY:
		return "CPU profiling is already running";
	case CPROF_RECORD_ENOTRUN:
		return "CPU profiling is not running";
	case CPROF_RECORD_ESIGNAL:
		return "the profiling signal already has a handler (set CPROF_TIMER_SIGNAL)";
	case CPROF_RECORD_ETIMER:
		return "no CPU timer could be created";
	case CPROF_RECORD_ENOMEM:
		return "out of memory";
	case CPROF_RECORD_EIO:
		return "writing the profile failed";
	case CPROF_RECORD_EEXIST:
		return "already exists";
	case CPROF_RECORD_EBUILTIN:
		return "not allowed on a built-in profile";
	case CPROF_RECORD_EDISABLED:
		return "the recorder is disabled in setuid processes";
	}
	return "unknown error";
}
