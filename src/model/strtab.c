#include "model/compat.h"
#include "model/alloc.h"
#include "model/hash.h"
#include "model/strtab.h"

void strtab_init(struct strtab *t)
{
	memset(t, 0, sizeof(*t));
	t->mask = 1023;
	t->slots = xcalloc(t->mask + 1, sizeof(*t->slots));
	strtab_intern(t, "", 0);
}

void strtab_free(struct strtab *t)
{
	arena_release(&t->arena);
	free(t->strs);
	free(t->lens);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

static void strtab_rehash(struct strtab *t)
{
	size_t cap = (t->mask + 1) * 2;

	free(t->slots);
	t->slots = xcalloc(cap, sizeof(*t->slots));
	t->mask = cap - 1;
	for (uint32_t id = 0; id < t->n; id++) {
		size_t i = hash_bytes(t->strs[id], t->lens[id], 0) & t->mask;

		while (t->slots[i])
			i = (i + 1) & t->mask;
		t->slots[i] = id + 1;
	}
}

bool strtab_find(const struct strtab *t, const char *s, size_t len, uint32_t *id)
{
	size_t i = hash_bytes(s, len, 0) & t->mask;

	for (; t->slots[i]; i = (i + 1) & t->mask) {
		uint32_t cand = t->slots[i] - 1;

		if (t->lens[cand] == len && !memcmp(t->strs[cand], s, len)) {
			*id = cand;
			return true;
		}
	}
	return false;
}

uint32_t strtab_intern(struct strtab *t, const char *s, size_t len)
{
	size_t i;
	uint32_t id;

	if ((size_t)(t->n + 1) * 2 > t->mask + 1)
		strtab_rehash(t);
	i = hash_bytes(s, len, 0) & t->mask;
	for (; t->slots[i]; i = (i + 1) & t->mask) {
		uint32_t cand = t->slots[i] - 1;

		if (t->lens[cand] == len && !memcmp(t->strs[cand], s, len))
			return cand;
	}
	id = t->n;
	if (t->n + 1 > t->alloc) {
		uint32_t cap = t->alloc ? t->alloc * 2 : 1024;

		t->strs = xrealloc(t->strs, st_mult(cap, sizeof(*t->strs)));
		t->lens = xrealloc(t->lens, st_mult(cap, sizeof(*t->lens)));
		t->alloc = cap;
	}
	t->strs[id] = arena_strndup(&t->arena, s, len);
	t->lens[id] = (uint32_t)len;
	t->n++;
	t->slots[i] = id + 1;
	return id;
}
