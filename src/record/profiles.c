/*
 * profiles.c - named profiles: the built-ins ("heap", "allocs", "threads",
 * "threadcreate", "block", "mutex"), and custom profiles (Go's
 * pprof.NewProfile, Add, Remove).
 *
 * Custom profiles keep, per key, the stack captured by cprof_record_add
 * (up to 32 frames, as Go does) in a small open-addressing table under a
 * spin lock; nothing here runs in signal context.
 */
#include "model/compat.h"
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "record/rec.h"

#define CUSTOM_FRAMES 32

enum kind {
	K_HEAP,
	K_ALLOCS,
	K_THREADS,
	K_THREADCREATE,
	K_BLOCK,
	K_MUTEX,
	K_CUSTOM
};

struct entry {
	const void *key; /* NULL empty; DELETED removed */
	int n;
	uintptr_t pcs[CUSTOM_FRAMES];
};

struct cprof_record_profile {
	const char *name;
	enum kind kind;
	struct rec_lock lock;
	struct entry *ents;
	size_t n, used, cap;
	struct cprof_record_profile *next;
};

static const char deleted_key;
#define DELETED ((const void *)&deleted_key)

struct rec_lock rec_profiles_lock;

static struct cprof_record_profile builtin[] = {
	{ "heap", K_HEAP, { 0 }, NULL, 0, 0, 0, NULL },
	{ "allocs", K_ALLOCS, { 0 }, NULL, 0, 0, 0, NULL },
	{ "threads", K_THREADS, { 0 }, NULL, 0, 0, 0, NULL },
	{ "threadcreate", K_THREADCREATE, { 0 }, NULL, 0, 0, 0, NULL },
	{ "block", K_BLOCK, { 0 }, NULL, 0, 0, 0, NULL },
	{ "mutex", K_MUTEX, { 0 }, NULL, 0, 0, 0, NULL },
};
static struct cprof_record_profile *custom;

static struct cprof_record_profile *threadcreate = &builtin[3];

static size_t key_hash(const void *key)
{
	uint64_t x = (uint64_t)(uintptr_t)key * 0x9e3779b97f4a7c15ull;

	return (size_t)(x ^ (x >> 31));
}

static struct cprof_record_profile *find(const char *name)
{
	for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++)
		if (!strcmp(builtin[i].name, name))
			return &builtin[i];
	for (struct cprof_record_profile *p = custom; p; p = p->next)
		if (!strcmp(p->name, name))
			return p;
	return NULL;
}

REC_EXPORT struct cprof_record_profile *cprof_record_lookup(const char *name)
{
	struct cprof_record_profile *p;

	if (!name)
		return NULL;
	rec_lock(&rec_profiles_lock);
	p = find(name);
	rec_unlock(&rec_profiles_lock);
	return p;
}

REC_EXPORT const char *cprof_record_name(const struct cprof_record_profile *p)
{
	return p ? p->name : NULL;
}

REC_EXPORT struct cprof_record_profile *cprof_record_new_profile(const char *name)
{
	struct cprof_record_profile *p = NULL;
	char *copy;
	size_t len;

	if (!name || !*name)
		return NULL;
	for (const char *c = name; *c; c++)
		if (isspace((unsigned char)*c))
			return NULL;
	rec_guard++;
	rec_lock(&rec_profiles_lock);
	if (find(name))
		goto out;
	p = __libc_calloc(1, sizeof(*p));
	len = strlen(name);
	copy = __libc_malloc(len + 1);
	if (!p || !copy) {
		__libc_free(p);
		__libc_free(copy);
		p = NULL;
		goto out;
	}
	memcpy(copy, name, len + 1);
	p->name = copy;
	p->kind = K_CUSTOM;
	p->next = custom;
	custom = p;
out:
	rec_unlock(&rec_profiles_lock);
	rec_guard--;
	return p;
}

/* p->lock held. */
static int rehash(struct cprof_record_profile *p)
{
	size_t cap = p->n * 4 >= p->cap || !p->cap ? (p->cap ? p->cap * 2 : 64) : p->cap;
	struct entry *t = __libc_calloc(cap, sizeof(*t));

	if (!t)
		return -1;
	for (size_t i = 0; i < p->cap; i++) {
		size_t h;

		if (!p->ents[i].key || p->ents[i].key == DELETED)
			continue;
		h = key_hash(p->ents[i].key) & (cap - 1);
		while (t[h].key)
			h = (h + 1) & (cap - 1);
		t[h] = p->ents[i];
	}
	__libc_free(p->ents);
	p->ents = t;
	p->cap = cap;
	p->used = p->n;
	return 0;
}

static int add_stack(struct cprof_record_profile *p, const void *key, const uintptr_t *pcs, int n)
{
	size_t h;
	int ret = 0;

	rec_lock(&p->lock);
	if ((p->used + 1) * 2 > p->cap && rehash(p)) {
		ret = CPROF_RECORD_ENOMEM;
		goto out;
	}
	h = key_hash(key) & (p->cap - 1);
	while (p->ents[h].key) {
		if (p->ents[h].key == key) {
			ret = CPROF_RECORD_EEXIST;
			goto out;
		}
		h = (h + 1) & (p->cap - 1);
	}
	p->ents[h].key = key;
	p->ents[h].n = n;
	memcpy(p->ents[h].pcs, pcs, (size_t)n * sizeof(*pcs));
	p->n++;
	p->used++;
out:
	rec_unlock(&p->lock);
	return ret;
}

REC_EXPORT REC_NOINLINE int cprof_record_add(struct cprof_record_profile *p, const void *key,
					     int skip)
{
	uintptr_t pcs[REC_MAX_FRAMES + CUSTOM_FRAMES];
	int n, ret;

	if (!p || !key || key == DELETED || skip < 0 || skip > REC_MAX_FRAMES)
		return CPROF_RECORD_EINVAL;
	if (p->kind != K_CUSTOM)
		return CPROF_RECORD_EBUILTIN;
	rec_guard++;
	n = rec_unwind_here((uintptr_t)__builtin_return_address(0), pcs, CUSTOM_FRAMES + skip);
	if (skip >= n) {
		n = 0;
	} else {
		memmove(pcs, pcs + skip, (size_t)(n - skip) * sizeof(*pcs));
		n -= skip;
	}
	ret = add_stack(p, key, pcs, n);
	rec_guard--;
	return ret;
}

REC_EXPORT void cprof_record_remove(struct cprof_record_profile *p, const void *key)
{
	size_t h;

	if (!p || p->kind != K_CUSTOM || !key)
		return;
	rec_lock(&p->lock);
	if (!p->cap)
		goto out;
	h = key_hash(key) & (p->cap - 1);
	while (p->ents[h].key) {
		if (p->ents[h].key == key) {
			p->ents[h].key = DELETED;
			p->n--;
			break;
		}
		h = (h + 1) & (p->cap - 1);
	}
out:
	rec_unlock(&p->lock);
}

REC_EXPORT int64_t cprof_record_count(struct cprof_record_profile *p)
{
	int64_t n;

	if (!p)
		return CPROF_RECORD_EINVAL;
	switch (p->kind) {
	case K_HEAP:
	case K_ALLOCS:
		return rec_heap_count();
	case K_THREADS:
		return rec_threads_count();
	case K_BLOCK:
	case K_MUTEX:
		return rec_block_count(p->kind == K_MUTEX);
	case K_THREADCREATE:
	case K_CUSTOM:
		break;
	}
	rec_lock(&p->lock);
	n = (int64_t)p->n;
	rec_unlock(&p->lock);
	return n;
}

/*
 * Record the creating thread's stack in "threadcreate" (pthread_create
 * wrapper); from is the wrapper's return address, so the stack starts at
 * the call site.
 */
void rec_threadcreate_note(uintptr_t from)
{
	uintptr_t pcs[CUSTOM_FRAMES];
	static atomic_uintptr_t seq = 1;
	int n;

	n = rec_unwind_here(from, pcs, CUSTOM_FRAMES);
	/* Keys only need to be distinct; they are never dereferenced. */
	add_stack(threadcreate, (const void *)atomic_fetch_add(&seq, 16), pcs, n);
}

static int write_counts(struct cprof_record_profile *p, int fd, int debug)
{
	struct rec_stack *stks = NULL;
	struct entry *copy = NULL;
	size_t cap, n = 0;
	int ret = 0;

	rec_lock(&p->lock);
	cap = p->cap;
	copy = __libc_malloc(cap * sizeof(*copy) + 1);
	if (copy)
		memcpy(copy, p->ents, cap * sizeof(*copy));
	rec_unlock(&p->lock);
	stks = __libc_calloc(cap + 1, sizeof(*stks));
	if (!copy || !stks) {
		ret = CPROF_RECORD_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < cap; i++)
		if (copy[i].key && copy[i].key != DELETED)
			stks[n++] = (struct rec_stack){ copy[i].pcs, copy[i].n };
	ret = rec_write_counts(p->name, stks, n, 0, NULL, fd, debug);
out:
	__libc_free(stks);
	__libc_free(copy);
	return ret;
}

REC_EXPORT REC_NOINLINE int cprof_record_write(struct cprof_record_profile *p, int fd, int debug)
{
	uintptr_t from = (uintptr_t)__builtin_return_address(0);
	int ret = CPROF_RECORD_EINVAL;

	if (!p || fd < 0 || debug < 0 || debug > 1)
		return CPROF_RECORD_EINVAL;
	rec_guard++;
	switch (p->kind) {
	case K_HEAP:
	case K_ALLOCS:
		ret = rec_heap_write(fd, p->kind == K_ALLOCS, debug);
		break;
	case K_THREADS:
		ret = rec_threads_write(from, fd, debug);
		break;
	case K_BLOCK:
	case K_MUTEX:
		ret = rec_block_write(fd, debug, p->kind == K_MUTEX);
		break;
	case K_THREADCREATE:
	case K_CUSTOM:
		ret = write_counts(p, fd, debug);
		break;
	}
	rec_guard--;
	return ret;
}
