/*
 * lock.c - block and mutex contention profiles, by pthread interposition,
 * sampled with Go's rules.
 *
 * Block profile (the waiter's view): pthread_mutex_lock, the rwlock
 * rdlock/wrlock calls and sem_wait first try the non-blocking variant;
 * only when that fails is the wait timed (CLOCK_MONOTONIC, vDSO).
 * pthread_cond_wait/timedwait are always timed.  A wait of at least the
 * block rate (ns) is recorded; a shorter one with probability wait/rate,
 * counted as rate/wait events of rate ns each (Go's saveblockevent), so
 * totals stay unbiased.  The stack starts at the caller of the blocking
 * call.
 *
 * Mutex profile (the holder's view, as Go's): a contended
 * pthread_mutex_lock registers its waiter in a small table keyed by the
 * mutex address; pthread_mutex_unlock, while it still holds the mutex,
 * charges the wait accumulated by that mutex's waiters since the last
 * charge to the unlocker's stack.  1 in `fraction` such events is kept,
 * and the written values are multiplied by the fraction.
 *
 * When both profiles are off, each wrapper costs one relaxed load and an
 * indirect call to the next definition (glibc's).  The wrappers do
 * nothing but forward while the thread is inside libcprof (rec_guard), and
 * libcprof's own locks never go through them.  The next definitions are
 * found with dlvsym at load time (or at first use, for calls made before
 * libcprof's constructor ran).
 */
#include "model/compat.h"
#include <dlfcn.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>
#include <string.h>
#include "record/rec.h"

#define WAIT_SLOTS 1024 /* mutexes with waiters at one time */
#define HINTS	   4096

struct bucket {
	uint64_t hash;
	int n;
	uintptr_t pcs[REC_MAX_FRAMES];
	double count;
	int64_t delay;
};

struct table {
	struct rec_lock lock;
	struct bucket *b;
	size_t n, cap;
	uint32_t *idx; /* hash slots: bucket + 1 */
	size_t idx_cap;
};

struct waiters {
	uintptr_t m;	   /* 0 free */
	int64_t nwait;	   /* waiters registered */
	int64_t sum_start; /* sum of their start times (reset at each charge) */
	int64_t last;	   /* time of the last charge */
};

static atomic_llong block_rate; /* ns; <= 0 off */
static atomic_int mutex_frac;	/* 1 in N; 0 off */
static atomic_bool lock_on;	/* either of the two */
static struct table tables[2];	/* block, mutex */
static struct waiters waiting[WAIT_SLOTS];
static struct rec_lock wait_lock;
static _Atomic uint16_t hints[HINTS]; /* waiters per hash of the mutex address */
static REC_TLS uint64_t lock_rng;

typedef int (*mutex_fn)(pthread_mutex_t *);
typedef int (*rw_fn)(pthread_rwlock_t *);
typedef int (*cond_wait_fn)(pthread_cond_t *, pthread_mutex_t *);
typedef int (*cond_timedwait_fn)(pthread_cond_t *, pthread_mutex_t *, const struct timespec *);
typedef int (*sem_fn)(sem_t *);

struct next {
	mutex_fn mutex_lock, mutex_trylock, mutex_unlock;
	rw_fn rdlock, tryrdlock, wrlock, trywrlock;
	cond_wait_fn cond_wait;
	cond_timedwait_fn cond_timedwait;
	sem_fn sem_wait, sem_trywait;
};

static struct next next;
static atomic_bool resolved;

static void *next_versioned(const char *name, const char *v1, const char *v2)
{
	void *f = dlvsym(RTLD_NEXT, name, v1);

	if (!f && v2)
		f = dlvsym(RTLD_NEXT, name, v2);
	if (!f)
		f = dlsym(RTLD_NEXT, name);
	return f;
}

/* Idempotent; racing first calls store the same values. */
static void resolve(void)
{
	struct next n;

	rec_guard++;
	n.mutex_lock = (mutex_fn)next_versioned("pthread_mutex_lock", "GLIBC_2.2.5", NULL);
	n.mutex_trylock =
		(mutex_fn)next_versioned("pthread_mutex_trylock", "GLIBC_2.34", "GLIBC_2.2.5");
	n.mutex_unlock = (mutex_fn)next_versioned("pthread_mutex_unlock", "GLIBC_2.2.5", NULL);
	n.rdlock = (rw_fn)next_versioned("pthread_rwlock_rdlock", "GLIBC_2.34", "GLIBC_2.2.5");
	n.tryrdlock =
		(rw_fn)next_versioned("pthread_rwlock_tryrdlock", "GLIBC_2.34", "GLIBC_2.2.5");
	n.wrlock = (rw_fn)next_versioned("pthread_rwlock_wrlock", "GLIBC_2.34", "GLIBC_2.2.5");
	n.trywrlock =
		(rw_fn)next_versioned("pthread_rwlock_trywrlock", "GLIBC_2.34", "GLIBC_2.2.5");
	n.cond_wait = (cond_wait_fn)next_versioned("pthread_cond_wait", "GLIBC_2.3.2", NULL);
	n.cond_timedwait =
		(cond_timedwait_fn)next_versioned("pthread_cond_timedwait", "GLIBC_2.3.2", NULL);
	n.sem_wait = (sem_fn)next_versioned("sem_wait", "GLIBC_2.34", "GLIBC_2.2.5");
	n.sem_trywait = (sem_fn)next_versioned("sem_trywait", "GLIBC_2.34", "GLIBC_2.2.5");
	rec_guard--;
	if (!n.mutex_lock || !n.mutex_trylock || !n.mutex_unlock || !n.rdlock || !n.tryrdlock ||
	    !n.wrlock || !n.trywrlock || !n.cond_wait || !n.cond_timedwait || !n.sem_wait ||
	    !n.sem_trywait)
		return;
	next = n;
	atomic_store_explicit(&resolved, true, memory_order_release);
}

static inline const struct next *nx(void)
{
	if (!atomic_load_explicit(&resolved, memory_order_acquire))
		resolve();
	return &next;
}

void rec_lock_init(void)
{
	resolve();
}

static void update_on(void)
{
	atomic_store(&lock_on, atomic_load(&block_rate) > 0 || atomic_load(&mutex_frac) > 0);
}

REC_EXPORT void cprof_record_set_block_rate(int64_t ns)
{
	atomic_store(&block_rate, ns);
	update_on();
}

REC_EXPORT int cprof_record_set_mutex_fraction(int fraction)
{
	int old = atomic_load(&mutex_frac);

	if (fraction >= 0) {
		atomic_store(&mutex_frac, fraction);
		update_on();
	}
	return old;
}

static uint64_t rand64(void)
{
	if (!lock_rng)
		lock_rng = rec_seed();
	return rec_rand(&lock_rng);
}

static uint64_t hash_stack(const uintptr_t *pcs, int n)
{
	uint64_t h = 1469598103934665603ull ^ (uint64_t)n;

	for (int i = 0; i < n; i++)
		h = (h ^ pcs[i]) * 1099511628211ull;
	return h ? h : 1;
}

static int idx_rehash(struct table *t)
{
	size_t cap = t->idx_cap ? t->idx_cap * 2 : 256;
	uint32_t *x = __libc_calloc(cap, sizeof(*x));

	if (!x)
		return -1;
	for (size_t i = 0; i < t->n; i++) {
		size_t h = t->b[i].hash & (cap - 1);

		while (x[h])
			h = (h + 1) & (cap - 1);
		x[h] = (uint32_t)i + 1;
	}
	__libc_free(t->idx);
	t->idx = x;
	t->idx_cap = cap;
	return 0;
}

/* Add an event to the bucket of this stack; t->lock held. */
static void add_event(struct table *t, const uintptr_t *pcs, int n, double count, int64_t delay)
{
	uint64_t hash = hash_stack(pcs, n);
	struct bucket *b;
	size_t h;

	if ((t->n + 1) * 2 > t->idx_cap && idx_rehash(t))
		return;
	h = hash & (t->idx_cap - 1);
	while (t->idx[h]) {
		b = &t->b[t->idx[h] - 1];
		if (b->hash == hash && b->n == n && !memcmp(b->pcs, pcs, (size_t)n * sizeof(*pcs)))
			goto found;
		h = (h + 1) & (t->idx_cap - 1);
	}
	if (rec_grow((void **)&t->b, &t->cap, t->n + 1, sizeof(*t->b)))
		return;
	b = &t->b[t->n];
	memset(b, 0, sizeof(*b));
	b->hash = hash;
	b->n = n;
	memcpy(b->pcs, pcs, (size_t)n * sizeof(*pcs));
	t->idx[h] = (uint32_t)++t->n;
found:
	b->count += count;
	b->delay += delay;
}

static REC_NOINLINE void record(int which, uintptr_t from, double count, int64_t delay)
{
	uintptr_t pcs[REC_MAX_FRAMES];
	struct table *t = &tables[which];
	int n;

	rec_guard++;
	n = rec_unwind_here(from, pcs, REC_MAX_FRAMES);
	rec_lock(&t->lock);
	add_event(t, pcs, n, count, delay);
	rec_unlock(&t->lock);
	rec_guard--;
}

/* Go's blocksampled + saveblockevent for a wait of d ns. */
static void block_event(int64_t d, uintptr_t from)
{
	int64_t rate = atomic_load_explicit(&block_rate, memory_order_relaxed);

	if (rate <= 0)
		return;
	if (d <= 0)
		d = 1;
	if (rate > d) {
		if ((int64_t)(rand64() % (uint64_t)rate) > d)
			return;
		record(0, from, (double)rate / (double)d, rate);
	} else {
		record(0, from, 1, d);
	}
}

static size_t hint_of(const void *m)
{
	uint64_t x = (uint64_t)(uintptr_t)m * 0x9e3779b97f4a7c15ull;

	return (size_t)(x >> 52) & (HINTS - 1);
}

/* Find m's slot (or a free one when claim); wait_lock held. */
static struct waiters *slot_of(uintptr_t m, bool claim)
{
	size_t h = (size_t)(((uint64_t)m * 0xff51afd7ed558ccdull) >> 40) & (WAIT_SLOTS - 1);

	for (size_t i = 0; i < WAIT_SLOTS; i++, h = (h + 1) & (WAIT_SLOTS - 1)) {
		if (waiting[h].m == m)
			return &waiting[h];
		if (!waiting[h].m) {
			if (!claim)
				return NULL;
			waiting[h].m = m;
			return &waiting[h];
		}
	}
	return NULL;
}

static bool waiter_begin(pthread_mutex_t *m, int64_t t0)
{
	struct waiters *w;

	rec_lock(&wait_lock);
	w = slot_of((uintptr_t)m, true);
	if (w) {
		if (!w->nwait)
			w->last = t0;
		w->nwait++;
		w->sum_start += t0;
		atomic_fetch_add_explicit(&hints[hint_of(m)], 1, memory_order_relaxed);
	}
	rec_unlock(&wait_lock);
	return w != NULL;
}

/* Backward-shift deletion keeps linear probing intact. */
static void slot_free(struct waiters *w)
{
	size_t i = (size_t)(w - waiting);

	for (;;) {
		size_t j = i, home;

		waiting[i] = (struct waiters){ 0, 0, 0, 0 };
		for (;;) {
			j = (j + 1) & (WAIT_SLOTS - 1);
			if (!waiting[j].m)
				return;
			home = (size_t)(((uint64_t)waiting[j].m * 0xff51afd7ed558ccdull) >> 40) &
			       (WAIT_SLOTS - 1);
			/* Can the entry at j move to i? (home not cyclically in (i, j]) */
			if (i <= j ? (home <= i || home > j) : (home <= i && home > j))
				break;
		}
		waiting[i] = waiting[j];
		i = j;
	}
}

static void waiter_end(pthread_mutex_t *m, int64_t t0)
{
	struct waiters *w;

	rec_lock(&wait_lock);
	w = slot_of((uintptr_t)m, false);
	if (w) {
		w->nwait--;
		w->sum_start -= t0 > w->last ? t0 : w->last;
		if (w->nwait <= 0)
			slot_free(w);
		atomic_fetch_sub_explicit(&hints[hint_of(m)], 1, memory_order_relaxed);
	}
	rec_unlock(&wait_lock);
}

/* The unlocker of a mutex with waiters: charge their wait so far to its stack. */
static REC_NOINLINE void mutex_release(pthread_mutex_t *m, uintptr_t from)
{
	int frac = atomic_load_explicit(&mutex_frac, memory_order_relaxed);
	struct waiters *w;
	int64_t delay = 0, now;

	if (rec_guard || frac <= 0)
		return;
	now = rec_mono_ns();
	rec_lock(&wait_lock);
	w = slot_of((uintptr_t)m, false);
	if (w && w->nwait > 0) {
		delay = w->nwait * now - w->sum_start;
		w->sum_start = w->nwait * now;
		w->last = now;
	}
	rec_unlock(&wait_lock);
	if (delay <= 0)
		return;
	if (frac > 1 && rand64() % (uint64_t)frac != 0)
		return;
	record(1, from, 1, delay);
}

static REC_NOINLINE int mutex_lock_slow(pthread_mutex_t *m, uintptr_t from)
{
	int64_t t0, t1;
	bool waiter = false;
	int r;

	if (rec_guard)
		return next.mutex_lock(m);
	r = next.mutex_trylock(m);
	if (r != EBUSY)
		return r;
	t0 = rec_mono_ns();
	if (atomic_load_explicit(&mutex_frac, memory_order_relaxed) > 0)
		waiter = waiter_begin(m, t0);
	r = next.mutex_lock(m);
	t1 = rec_mono_ns();
	if (waiter)
		waiter_end(m, t0);
	block_event(t1 - t0, from);
	return r;
}

REC_EXPORT int pthread_mutex_lock(pthread_mutex_t *m)
{
	const struct next *n = nx();

	if (!atomic_load_explicit(&lock_on, memory_order_relaxed))
		return n->mutex_lock(m);
	return mutex_lock_slow(m, (uintptr_t)__builtin_return_address(0));
}

REC_EXPORT int pthread_mutex_unlock(pthread_mutex_t *m)
{
	const struct next *n = nx();

	if (atomic_load_explicit(&hints[hint_of(m)], memory_order_relaxed))
		mutex_release(m, (uintptr_t)__builtin_return_address(0));
	return n->mutex_unlock(m);
}

static REC_NOINLINE int rwlock_slow(pthread_rwlock_t *l, rw_fn try, rw_fn lock, uintptr_t from)
{
	int64_t t0;
	int r;

	if (rec_guard || atomic_load_explicit(&block_rate, memory_order_relaxed) <= 0)
		return lock(l);
	r = try(l);
	if (r != EBUSY)
		return r;
	t0 = rec_mono_ns();
	r = lock(l);
	block_event(rec_mono_ns() - t0, from);
	return r;
}

REC_EXPORT int pthread_rwlock_rdlock(pthread_rwlock_t *l)
{
	const struct next *n = nx();

	if (!atomic_load_explicit(&lock_on, memory_order_relaxed))
		return n->rdlock(l);
	return rwlock_slow(l, n->tryrdlock, n->rdlock, (uintptr_t)__builtin_return_address(0));
}

REC_EXPORT int pthread_rwlock_wrlock(pthread_rwlock_t *l)
{
	const struct next *n = nx();

	if (!atomic_load_explicit(&lock_on, memory_order_relaxed))
		return n->wrlock(l);
	return rwlock_slow(l, n->trywrlock, n->wrlock, (uintptr_t)__builtin_return_address(0));
}

static bool timing(void)
{
	return !rec_guard && atomic_load_explicit(&block_rate, memory_order_relaxed) > 0;
}

REC_EXPORT int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
	const struct next *n = nx();
	int64_t t0;
	int r;

	if (!timing())
		return n->cond_wait(c, m);
	t0 = rec_mono_ns();
	r = n->cond_wait(c, m);
	block_event(rec_mono_ns() - t0, (uintptr_t)__builtin_return_address(0));
	return r;
}

REC_EXPORT int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m,
				      const struct timespec *abstime)
{
	const struct next *n = nx();
	int64_t t0;
	int r;

	if (!timing())
		return n->cond_timedwait(c, m, abstime);
	t0 = rec_mono_ns();
	r = n->cond_timedwait(c, m, abstime);
	block_event(rec_mono_ns() - t0, (uintptr_t)__builtin_return_address(0));
	return r;
}

REC_EXPORT int sem_wait(sem_t *s)
{
	const struct next *n = nx();
	int64_t t0;
	int r, saved = errno;

	if (!timing())
		return n->sem_wait(s);
	if (n->sem_trywait(s) == 0)
		return 0;
	if (errno != EAGAIN)
		return -1;
	errno = saved;
	t0 = rec_mono_ns();
	r = n->sem_wait(s);
	saved = errno;
	block_event(rec_mono_ns() - t0, (uintptr_t)__builtin_return_address(0));
	errno = saved;
	return r;
}

/* fork: no lock of ours may be held by a thread that does not exist in the child. */
void rec_lock_atfork_prepare(void)
{
	rec_lock(&tables[0].lock);
	rec_lock(&tables[1].lock);
	rec_lock(&wait_lock);
}

void rec_lock_atfork_parent(void)
{
	rec_unlock(&wait_lock);
	rec_unlock(&tables[1].lock);
	rec_unlock(&tables[0].lock);
}

void rec_lock_atfork_child(void)
{
	/* The parent's waiters are not the child's. */
	memset(waiting, 0, sizeof(waiting));
	for (size_t i = 0; i < HINTS; i++)
		atomic_store_explicit(&hints[i], 0, memory_order_relaxed);
	rec_lock_atfork_parent();
}

int64_t rec_block_count(bool mutex)
{
	struct table *t = &tables[mutex];
	int64_t n;

	rec_lock(&t->lock);
	n = (int64_t)t->n;
	rec_unlock(&t->lock);
	return n;
}

int rec_block_write(int fd, int debug, bool mutex)
{
	struct table *t = &tables[mutex];
	struct bucket *copy = NULL;
	struct rec_cycle *r = NULL;
	int frac = atomic_load(&mutex_frac);
	size_t n;
	int ret;

	rec_lock(&t->lock);
	n = t->n;
	copy = __libc_malloc(n * sizeof(*copy) + 1);
	if (copy)
		memcpy(copy, t->b, n * sizeof(*copy));
	rec_unlock(&t->lock);
	r = __libc_calloc(n + 1, sizeof(*r));
	if (!copy || !r) {
		ret = CPROF_RECORD_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		r[i] = (struct rec_cycle){ copy[i].pcs, copy[i].n, (int64_t)copy[i].count,
					   copy[i].delay };
	ret = rec_write_contention(mutex ? "mutex" : "contention", r, n,
				   mutex ? (frac > 0 ? frac : 1) : 1, fd, debug);
out:
	__libc_free(copy);
	__libc_free(r);
	return ret;
}
