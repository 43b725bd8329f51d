#include "model/compat.h"
#include "model/alloc.h"
#include "model/arena.h"

#define ARENA_BLOCK (256 * 1024)

struct arena_block {
	struct arena_block *next;
	size_t size;
	max_align_t data[];
};

static void arena_grow(struct arena *a, size_t need)
{
	size_t size = need > ARENA_BLOCK / 2 ? need : ARENA_BLOCK;
	struct arena_block *b = xmalloc(sizeof(*b) + size);

	b->size = size;
	if (need > ARENA_BLOCK / 2 && a->head) {
		/* big request: own block behind the current one */
		b->next = a->head->next;
		a->head->next = b;
		a->total += need;
		return;
	}
	b->next = a->head;
	a->head = b;
	a->cur = (char *)b->data;
	a->end = a->cur + size;
}

void *arena_alloc(struct arena *a, size_t size)
{
	char *p;

	size = size ? (size + 15) & ~(size_t)15 : 16;
	if ((size_t)(a->end - a->cur) < size) {
		if (size > ARENA_BLOCK / 2 && a->head) {
			arena_grow(a, size);
			return (char *)a->head->next->data;
		}
		arena_grow(a, size);
	}
	p = a->cur;
	a->cur += size;
	a->total += size;
	return p;
}

void *arena_zalloc(struct arena *a, size_t size)
{
	void *p = arena_alloc(a, size);

	memset(p, 0, size);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t len)
{
	char *p = arena_alloc(a, len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

void arena_reset(struct arena *a)
{
	struct arena_block *b, *next;

	if (!a->head)
		return;
	/* keep the newest standard block, free the rest */
	for (b = a->head->next; b; b = next) {
		next = b->next;
		free(b);
	}
	a->head->next = NULL;
	a->cur = (char *)a->head->data;
	a->end = a->cur + a->head->size;
	a->total = 0;
}

void arena_release(struct arena *a)
{
	struct arena_block *b, *next;

	for (b = a->head; b; b = next) {
		next = b->next;
		free(b);
	}
	memset(a, 0, sizeof(*a));
}
