/*
 * heap.c - heap profiling by malloc interposition, sampled as Go does.
 *
 * The malloc family is defined here and forwards to glibc's __libc_*
 * functions, so no dlsym bootstrap is needed and the recorder's own
 * allocations (made with the guard set, or straight to __libc_*) are never
 * sampled.  Each thread counts bytes down to an exponentially distributed
 * mark with mean R (initial-exec TLS, no locks); the allocation that
 * crosses it is sampled whole.  A sampled allocation is unwound and added
 * to a bucket keyed by (stack, size), and its pointer goes into a table
 * consulted by free before the real free, so the address cannot be reused
 * in between.  A counting filter keeps free's common miss lock-free.
 * Values are unbiased when written: scale = 1 / (1 - exp(-avg/R)).
 */
#include "model/compat.h"
#include <errno.h>
#include <malloc.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "record/rec.h"

/* 32 KiB of counters: small enough to stay in cache on every free. */
#define FILTER_BITS 15

struct bucket {
	uint64_t hash;
	size_t size;
	int n;
	uintptr_t pcs[REC_MAX_FRAMES];
	int64_t alloc_objs, alloc_bytes, free_objs, free_bytes;
};

struct ptr_ent {
	uintptr_t p; /* 0 empty, 1 deleted */
	uint32_t bucket;
};

static atomic_size_t mem_rate = 512 * 1024;
static REC_TLS int64_t next_sample;
static REC_TLS uint64_t rng;

static struct rec_lock heap_lock;
static struct bucket *buckets; /* array, index = bucket id */
static size_t nbuckets, capbuckets;
static uint32_t *bidx; /* hash slots: bucket id + 1 */
static size_t bidx_cap;
static struct ptr_ent *ptrs;
static size_t nptrs, nptrs_used, ptrs_cap;	  /* live, live + deleted, slots */
static _Atomic uint8_t filter[1u << FILTER_BITS]; /* saturate at 255, then stay */
/*
 * One bit per 64-byte line of the filter, set while the line has a
 * nonzero counter: 64 bytes that stay in cache, so a free whose line is
 * empty (nearly all of them while few sampled blocks are live) never
 * touches the filter itself.
 */
static _Atomic uint64_t summary[(1u << FILTER_BITS) / 64 / 64];
static atomic_size_t nlive;

static size_t filter_slot(uintptr_t p)
{
	return (size_t)(((uint64_t)(p >> 4) * 0x9e3779b97f4a7c15ull) >> (64 - FILTER_BITS));
}

static size_t ptr_hash(uintptr_t p)
{
	uint64_t x = (uint64_t)p * 0xff51afd7ed558ccdull;

	return (size_t)(x ^ (x >> 32));
}

/* heap_lock held for both (so no update is lost); readers are lock-free. */
static void filter_inc(size_t i)
{
	uint8_t v = atomic_load_explicit(&filter[i], memory_order_relaxed);

	if (v < 255)
		atomic_store_explicit(&filter[i], (uint8_t)(v + 1), memory_order_relaxed);
	if (v == 0)
		atomic_fetch_or_explicit(&summary[i >> 12], 1ull << ((i >> 6) & 63),
					 memory_order_relaxed);
}

static void filter_dec(size_t i)
{
	uint8_t v = atomic_load_explicit(&filter[i], memory_order_relaxed);

	if (v > 0 && v < 255)
		atomic_store_explicit(&filter[i], (uint8_t)(v - 1), memory_order_relaxed);
	if (v == 1) {
		size_t line = i & ~(size_t)63;

		for (size_t k = line; k < line + 64; k++)
			if (atomic_load_explicit(&filter[k], memory_order_relaxed))
				return;
		atomic_fetch_and_explicit(&summary[i >> 12], ~(1ull << ((i >> 6) & 63)),
					  memory_order_relaxed);
	}
}

REC_EXPORT void cprof_record_set_mem_rate(size_t bytes)
{
	atomic_store(&mem_rate, bytes);
}

static int64_t draw_gap(size_t rate)
{
	double u;

	if (!rng)
		rng = rec_seed();
	/* u in (0, 1], 53 random bits */
	u = ((double)(rec_rand(&rng) >> 11) + 1.0) / 9007199254740992.0;
	return (int64_t)(-log(u) * (double)rate) + 1;
}

static REC_NOINLINE bool should_sample_slow(size_t size, size_t rate)
{
	if (rec_guard)
		return false;
	if (rate == 1)
		return true;
	if (!rng)
		next_sample = draw_gap(rate);
	if ((int64_t)size < next_sample) {
		next_sample -= (int64_t)size;
		return false;
	}
	next_sample = draw_gap(rate);
	return true;
}

static inline bool should_sample(size_t size)
{
	size_t rate = atomic_load_explicit(&mem_rate, memory_order_relaxed);

	if (!rate)
		return false;
	if (next_sample > (int64_t)size && rate != 1) {
		next_sample -= (int64_t)size;
		return false;
	}
	return should_sample_slow(size, rate);
}

static uint64_t hash_key(const uintptr_t *pcs, int n, size_t size)
{
	uint64_t h = 1469598103934665603ull ^ size;

	for (int i = 0; i < n; i++)
		h = (h ^ pcs[i]) * 1099511628211ull;
	return h ? h : 1;
}

static int bidx_rehash(void)
{
	size_t cap = bidx_cap ? bidx_cap * 2 : 1024;
	uint32_t *t = __libc_calloc(cap, sizeof(*t));

	if (!t)
		return -1;
	for (size_t i = 0; i < nbuckets; i++) {
		size_t h = buckets[i].hash & (cap - 1);

		while (t[h])
			h = (h + 1) & (cap - 1);
		t[h] = (uint32_t)i + 1;
	}
	__libc_free(bidx);
	bidx = t;
	bidx_cap = cap;
	return 0;
}

/* heap_lock held.  Bucket id, or -1. */
static long find_bucket(const uintptr_t *pcs, int n, size_t size)
{
	uint64_t hash = hash_key(pcs, n, size);
	struct bucket *b;
	size_t h;

	if ((nbuckets + 1) * 2 > bidx_cap && bidx_rehash())
		return -1;
	h = hash & (bidx_cap - 1);
	while (bidx[h]) {
		b = &buckets[bidx[h] - 1];
		if (b->hash == hash && b->size == size && b->n == n &&
		    !memcmp(b->pcs, pcs, (size_t)n * sizeof(*pcs)))
			return (long)bidx[h] - 1;
		h = (h + 1) & (bidx_cap - 1);
	}
	if (nbuckets >= UINT32_MAX - 1 ||
	    rec_grow((void **)&buckets, &capbuckets, nbuckets + 1, sizeof(*buckets)))
		return -1;
	b = &buckets[nbuckets];
	memset(b, 0, sizeof(*b));
	b->hash = hash;
	b->size = size;
	b->n = n;
	memcpy(b->pcs, pcs, (size_t)n * sizeof(*pcs));
	bidx[h] = (uint32_t)++nbuckets;
	return (long)nbuckets - 1;
}

static int ptrs_rehash(void)
{
	size_t cap = ptrs_cap;
	struct ptr_ent *t;

	if (nptrs * 4 >= ptrs_cap || !ptrs_cap)
		cap = ptrs_cap ? ptrs_cap * 2 : 4096;
	t = __libc_calloc(cap, sizeof(*t));
	if (!t)
		return -1;
	for (size_t i = 0; i < ptrs_cap; i++) {
		size_t h;

		if (ptrs[i].p <= 1)
			continue;
		h = ptr_hash(ptrs[i].p) & (cap - 1);
		while (t[h].p)
			h = (h + 1) & (cap - 1);
		t[h] = ptrs[i];
	}
	__libc_free(ptrs);
	ptrs = t;
	ptrs_cap = cap;
	nptrs_used = nptrs;
	return 0;
}

static int ptr_insert(uintptr_t p, uint32_t bucket)
{
	size_t h;

	if ((nptrs_used + 1) * 2 > ptrs_cap && ptrs_rehash())
		return -1;
	h = ptr_hash(p) & (ptrs_cap - 1);
	while (ptrs[h].p > 1) {
		if (ptrs[h].p == p) { /* stale entry (freed behind our back): replace */
			ptrs[h].bucket = bucket;
			return 0;
		}
		h = (h + 1) & (ptrs_cap - 1);
	}
	if (!ptrs[h].p)
		nptrs_used++;
	ptrs[h].p = p;
	ptrs[h].bucket = bucket;
	nptrs++;
	filter_inc(filter_slot(p));
	atomic_fetch_add_explicit(&nlive, 1, memory_order_relaxed);
	return 0;
}

static REC_NOINLINE void record_alloc(void *ptr, size_t size, uintptr_t ret)
{
	uintptr_t pcs[REC_MAX_FRAMES];
	long b;
	int n;

	rec_guard++;
	n = rec_unwind_here(ret, pcs, REC_MAX_FRAMES);
	rec_lock(&heap_lock);
	b = find_bucket(pcs, n, size);
	if (b >= 0 && ptr_insert((uintptr_t)ptr, (uint32_t)b) == 0) {
		buckets[b].alloc_objs++;
		buckets[b].alloc_bytes += (int64_t)size;
	}
	rec_unlock(&heap_lock);
	rec_guard--;
}

static REC_NOINLINE void record_free(void *ptr)
{
	uintptr_t p = (uintptr_t)ptr;
	size_t h;

	rec_lock(&heap_lock);
	if (!ptrs_cap)
		goto out;
	h = ptr_hash(p) & (ptrs_cap - 1);
	while (ptrs[h].p) {
		if (ptrs[h].p == p) {
			struct bucket *b = &buckets[ptrs[h].bucket];

			b->free_objs++;
			b->free_bytes += (int64_t)b->size;
			ptrs[h].p = 1;
			nptrs--;
			filter_dec(filter_slot(p));
			atomic_fetch_sub_explicit(&nlive, 1, memory_order_relaxed);
			break;
		}
		h = (h + 1) & (ptrs_cap - 1);
	}
out:
	rec_unlock(&heap_lock);
}

static inline void track_free(void *p)
{
	size_t i;

	if (!p || !atomic_load_explicit(&nlive, memory_order_relaxed))
		return;
	i = filter_slot((uintptr_t)p);
	if ((atomic_load_explicit(&summary[i >> 12], memory_order_relaxed) >> ((i >> 6) & 63) &
	     1) &&
	    atomic_load_explicit(&filter[i], memory_order_relaxed))
		record_free(p);
}

/*
 * The sampling decision comes before the allocation, so that the common
 * case is a countdown in TLS and a tail call into glibc: no frame of ours
 * stays on the stack, and nothing else is touched.
 */
static REC_NOINLINE void *sampled(void *p, size_t size, uintptr_t ret)
{
	if (p)
		record_alloc(p, size, ret);
	return p;
}

#define RET_ADDR ((uintptr_t)__builtin_return_address(0))

/* Just the countdown: true when this allocation is certainly not sampled. */
static inline bool skip_sample(size_t size)
{
	size_t rate = atomic_load_explicit(&mem_rate, memory_order_relaxed);

	if (!rate)
		return true;
	if (next_sample > (int64_t)size && rate != 1) {
		next_sample -= (int64_t)size;
		return true;
	}
	return false;
}

static REC_NOINLINE void *malloc_slow(size_t size, uintptr_t ret)
{
	size_t rate = atomic_load_explicit(&mem_rate, memory_order_relaxed);

	if (!rate || !should_sample_slow(size, rate))
		return __libc_malloc(size);
	return sampled(__libc_malloc(size), size, ret);
}

static REC_NOINLINE void *calloc_slow(size_t n, size_t size, uintptr_t ret)
{
	size_t rate = atomic_load_explicit(&mem_rate, memory_order_relaxed);

	if (!rate || !should_sample_slow(n * size, rate))
		return __libc_calloc(n, size);
	return sampled(__libc_calloc(n, size), n * size, ret);
}

/* malloc, calloc and free: the hot ones, with no frame on the fast path. */
REC_EXPORT void *malloc(size_t size)
{
	if (skip_sample(size))
		return __libc_malloc(size);
	return malloc_slow(size, RET_ADDR);
}

REC_EXPORT void free(void *p)
{
	track_free(p);
	__libc_free(p);
}

REC_EXPORT void *calloc(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	if (skip_sample(n * size))
		return __libc_calloc(n, size);
	return calloc_slow(n, size, RET_ADDR);
}

REC_EXPORT void *realloc(void *old, size_t size)
{
	track_free(old);
	if (!should_sample(size))
		return __libc_realloc(old, size);
	return sampled(__libc_realloc(old, size), size, RET_ADDR);
}

REC_EXPORT void *memalign(size_t align, size_t size)
{
	if (!should_sample(size))
		return __libc_memalign(align, size);
	return sampled(__libc_memalign(align, size), size, RET_ADDR);
}

REC_EXPORT void *aligned_alloc(size_t align, size_t size)
{
	if (!should_sample(size))
		return __libc_memalign(align, size);
	return sampled(__libc_memalign(align, size), size, RET_ADDR);
}

REC_EXPORT int posix_memalign(void **out, size_t align, size_t size)
{
	void *p;

	if (align % sizeof(void *) || (align & (align - 1)) || !align)
		return EINVAL;
	if (!should_sample(size))
		p = __libc_memalign(align, size);
	else
		p = sampled(__libc_memalign(align, size), size, RET_ADDR);
	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}

REC_EXPORT void *valloc(size_t size)
{
	if (!should_sample(size))
		return __libc_valloc(size);
	return sampled(__libc_valloc(size), size, RET_ADDR);
}

REC_EXPORT void *pvalloc(size_t size)
{
	if (!should_sample(size))
		return __libc_pvalloc(size);
	return sampled(__libc_pvalloc(size), size, RET_ADDR);
}

void rec_heap_atfork_prepare(void)
{
	rec_lock(&heap_lock);
}

void rec_heap_atfork_parent(void)
{
	rec_unlock(&heap_lock);
}

void rec_heap_atfork_child(void)
{
	rec_unlock(&heap_lock);
}

int64_t rec_heap_count(void)
{
	return (int64_t)atomic_load(&nlive);
}

/* Go's scaleHeapSample. */
static void scale(int64_t count, int64_t size, size_t rate, int64_t *c_out, int64_t *s_out)
{
	double avg, s;

	if (count == 0 || size == 0) {
		*c_out = *s_out = 0;
		return;
	}
	if (rate <= 1) {
		*c_out = count;
		*s_out = size;
		return;
	}
	avg = (double)size / (double)count;
	s = 1 / (1 - exp(-avg / (double)rate));
	*c_out = (int64_t)((double)count * s);
	*s_out = (int64_t)((double)size * s);
}

static int write_text(struct bucket *copy, size_t n, size_t rate, int fd)
{
	struct rec_heaprec *r = __libc_calloc(n + 1, sizeof(*r));
	int ret;

	if (!r)
		return CPROF_RECORD_ENOMEM;
	for (size_t i = 0; i < n; i++)
		r[i] = (struct rec_heaprec){ copy[i].pcs,	 copy[i].n,
					     copy[i].alloc_objs, copy[i].alloc_bytes,
					     copy[i].free_objs,	 copy[i].free_bytes };
	ret = rec_write_heap_text(r, n, (int64_t)rate, fd);
	__libc_free(r);
	return ret;
}

int rec_heap_write(int fd, bool allocs, int debug)
{
	struct bucket *copy = NULL;
	size_t n, rate = atomic_load(&mem_rate);
	struct pb *b = NULL;
	int ret = 0;

	rec_guard++;
	rec_lock(&heap_lock);
	n = nbuckets;
	copy = __libc_malloc(n * sizeof(*copy) + 1);
	if (copy)
		memcpy(copy, buckets, n * sizeof(*copy));
	rec_unlock(&heap_lock);
	if (copy && debug > 0) {
		ret = write_text(copy, n, rate, fd);
		goto out;
	}
	b = pb_new(0);
	if (!copy || !b) {
		ret = CPROF_RECORD_ENOMEM;
		goto out;
	}
	pb_sample_type(b, "alloc_objects", "count");
	pb_sample_type(b, "alloc_space", "bytes");
	pb_sample_type(b, "inuse_objects", "count");
	pb_sample_type(b, "inuse_space", "bytes");
	pb_period(b, "space", "bytes", (int64_t)(rate ? rate : 1));
	if (allocs)
		pb_default_type(b, "alloc_space");
	pb_times(b, rec_now_ns(), 0);
	for (size_t i = 0; i < n && !ret; i++) {
		struct bucket *k = &copy[i];
		int64_t v[4];

		scale(k->alloc_objs, k->alloc_bytes, rate, &v[0], &v[1]);
		scale(k->alloc_objs - k->free_objs, k->alloc_bytes - k->free_bytes, rate, &v[2],
		      &v[3]);
		ret = pb_sample(b, k->pcs, k->n, v, "bytes", (int64_t)k->size, NULL);
	}
	if (!ret)
		ret = pb_write(b, fd);
out:
	pb_free(b);
	__libc_free(copy);
	rec_guard--;
	return ret;
}
