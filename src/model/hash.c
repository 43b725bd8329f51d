#include "model/compat.h"
#include "model/alloc.h"
#include "model/hash.h"

static size_t pow2_at_least(size_t n)
{
	size_t c = 16;

	while (c < n)
		c <<= 1;
	return c;
}

void idmap_init(struct idmap *m, size_t expected)
{
	size_t cap = pow2_at_least(expected * 2 + 1);

	m->keys = xcalloc(cap, sizeof(*m->keys));
	m->vals = xmalloc(st_mult(cap, sizeof(*m->vals)));
	m->mask = cap - 1;
	m->count = 0;
}

void idmap_release(struct idmap *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

static void idmap_rehash(struct idmap *m)
{
	struct idmap n;

	idmap_init(&n, (m->mask + 1));
	for (size_t i = 0; i <= m->mask; i++)
		if (m->keys[i])
			idmap_put(&n, m->keys[i], m->vals[i]);
	idmap_release(m);
	*m = n;
}

bool idmap_put(struct idmap *m, uint64_t key, uint32_t val)
{
	size_t i;

	if (!key)
		return false;
	if ((m->count + 1) * 2 > m->mask + 1)
		idmap_rehash(m);
	for (i = hash_mix64(key) & m->mask; m->keys[i]; i = (i + 1) & m->mask)
		if (m->keys[i] == key)
			return false;
	m->keys[i] = key;
	m->vals[i] = val;
	m->count++;
	return true;
}

bool idmap_get(const struct idmap *m, uint64_t key, uint32_t *val)
{
	if (!m->keys || !key)
		return false;
	for (size_t i = hash_mix64(key) & m->mask; m->keys[i]; i = (i + 1) & m->mask) {
		if (m->keys[i] == key) {
			*val = m->vals[i];
			return true;
		}
	}
	return false;
}

void pairmap_reset(struct pairmap *m, size_t expect)
{
	size_t cap = 1024;

	while (cap < expect * 2)
		cap <<= 1;
	if (cap > m->alloc) {
		free(m->slots);
		m->slots = xmalloc(st_mult(cap, sizeof(*m->slots)));
		m->alloc = cap;
	}
	memset(m->slots, 0, cap * sizeof(*m->slots));
	m->mask = cap - 1;
	m->count = 0;
}

void pairmap_release(struct pairmap *m)
{
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

static void pairmap_grow(struct pairmap *m)
{
	size_t cap = m->slots ? (m->mask + 1) * 2 : 1024;
	struct pairmap_slot *n = xcalloc(cap, sizeof(*n));

	for (size_t i = 0; m->slots && i <= m->mask; i++) {
		size_t j;

		if (!m->slots[i].key)
			continue;
		for (j = hash_mix64(m->slots[i].key) & (cap - 1); n[j].key; j = (j + 1) & (cap - 1))
			;
		n[j] = m->slots[i];
	}
	free(m->slots);
	m->slots = n;
	m->alloc = cap;
	m->mask = cap - 1;
}

uint32_t *pairmap_get(struct pairmap *m, uint32_t a, uint32_t b, bool *fresh)
{
	uint64_t key = ((uint64_t)a << 32 | b) + 1;
	size_t i;

	if ((m->count + 1) * 2 > m->mask + 1)
		pairmap_grow(m);
	for (i = hash_mix64(key) & m->mask; m->slots[i].key; i = (i + 1) & m->mask) {
		if (m->slots[i].key == key) {
			*fresh = false;
			return &m->slots[i].val;
		}
	}
	m->slots[i].key = key;
	m->count++;
	*fresh = true;
	return &m->slots[i].val;
}
