/*
 * hash.h - hashing helpers and an integer-keyed map.
 *
 * struct idmap maps 64-bit ids from a file (any non-zero value) to dense
 * 32-bit indices.  Open addressing with linear probing; key 0 is the empty
 * slot marker, which suits pprof ids (0 is reserved there too).
 */
#ifndef CPROF_HASH_H
#define CPROF_HASH_H

#include "model/compat.h"

static inline uint64_t hash_mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* FNV-1a over bytes, finished with a mix so low bits are usable. */
static inline uint64_t hash_bytes(const void *data, size_t len, uint64_t seed)
{
	const unsigned char *p = data;
	uint64_t h = 0xcbf29ce484222325ULL ^ seed;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return hash_mix64(h);
}

struct idmap {
	uint64_t *keys;
	uint32_t *vals;
	size_t mask; /* capacity - 1; capacity is a power of two */
	size_t count;
};

void idmap_init(struct idmap *m, size_t expected);
void idmap_release(struct idmap *m);
/* Insert; returns false (and keeps the old value) if the key exists or is 0. */
bool idmap_put(struct idmap *m, uint64_t key, uint32_t val);
/* Lookup; returns false when absent. */
bool idmap_get(const struct idmap *m, uint64_t key, uint32_t *val);

/*
 * struct pairmap maps pairs (a, b) of 32-bit ids to 32-bit values: the
 * tables of (parent, frame) -> child of the stack tries and of edges.
 * Open addressing with linear probing; it grows as needed, and a reset
 * empties it keeping its memory (one table per trie level).  Any pair is a
 * key but (UINT32_MAX, UINT32_MAX), i.e. (CP_NONE, CP_NONE).
 */
struct pairmap {
	struct pairmap_slot {
		uint64_t key; /* (a << 32 | b) + 1; 0: free */
		uint32_t val;
	} * slots;
	size_t mask, count, alloc;
};

/* Empty m (zeroed or reset before), sized for about 'expect' pairs. */
void pairmap_reset(struct pairmap *m, size_t expect);
void pairmap_release(struct pairmap *m);
/*
 * The value of (a, b).  When the pair is new it is added, *fresh is set
 * and the value is the caller's to fill in; the pointer is good until the
 * next call.
 */
uint32_t *pairmap_get(struct pairmap *m, uint32_t a, uint32_t b, bool *fresh);

#endif
