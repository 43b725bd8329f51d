/* heap: allocates blocks of several sizes from several call paths, keeps
 * some of them and frees the rest, for recording a gperftools heap profile
 * (tcmalloc's heap profiler, HEAPPROFILE=PREFIX). The profile is dumped
 * when the program exits, so "in use" means "still allocated at exit".
 *
 * Usage: heap
 *
 * Sizes and paths (every allocation is recorded, so the counts are exact):
 *   - new_record (64 bytes), reached from load_config (kept) and from
 *     handle_request (freed at once);
 *   - build_tree: a recursive tree of 63 48-byte nodes (kept), one stack
 *     per node, as left and right are built from different call sites;
 *   - fill_cache: 4 KiB buffers (kept); scratch: 16 KiB buffers (freed);
 *   - big_block: 1 MiB blocks (freed);
 *   - build_index: string keys of 8 to 32 bytes (kept) and a growing
 *     array of pointers (realloc, kept).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOINLINE __attribute__((noinline))

struct record {
	long id;
	char payload[56];
};

struct node {
	struct node *left, *right;
	long value[4];
};

static struct record **kept_records;
static char **kept_buffers;
static struct node *kept_tree;
static char **kept_index;
volatile long sink;
/* escape keeps gcc from removing a malloc/free pair it can see through. */
void *volatile escape;

NOINLINE struct record *new_record(long id)
{
	struct record *r = malloc(sizeof *r);
	r->id = id;
	memset(r->payload, (int)id, sizeof r->payload);
	return r;
}

NOINLINE char *new_buffer(size_t size)
{
	char *b = malloc(size);
	memset(b, 1, size);
	return b;
}

/* load_config and handle_request reach the same allocation site
 * (new_record) by two different paths. */
NOINLINE void load_config(int n)
{
	kept_records = calloc((size_t)n, sizeof *kept_records);
	for (int i = 0; i < n; i++)
		kept_records[i] = new_record(i);
}

NOINLINE void handle_request(int n)
{
	for (int i = 0; i < n; i++) {
		struct record *r = new_record(i);
		sink += r->payload[3];
		free(r);
	}
}

NOINLINE struct node *build_tree(int depth)
{
	if (depth == 0)
		return NULL;
	struct node *t = malloc(sizeof *t);
	t->value[0] = depth;
	t->left = build_tree(depth - 1);
	t->right = build_tree(depth - 1);
	return t;
}

NOINLINE void fill_cache(int n)
{
	kept_buffers = calloc((size_t)n, sizeof *kept_buffers);
	for (int i = 0; i < n; i++)
		kept_buffers[i] = new_buffer(4096);
}

NOINLINE void scratch(int n)
{
	for (int i = 0; i < n; i++) {
		char *b = new_buffer(16384);
		sink += b[100];
		free(b);
	}
}

NOINLINE void big_block(int n)
{
	for (int i = 0; i < n; i++) {
		char *b = malloc(1 << 20);
		escape = b;
		memset(b, 2, 1 << 20);
		sink += b[4096];
		free(b);
	}
}

NOINLINE void build_index(int n)
{
	size_t cap = 0;
	for (int i = 0; i < n; i++) {
		if ((size_t)i == cap) {
			cap = cap ? cap * 2 : 16;
			kept_index = realloc(kept_index, cap * sizeof *kept_index);
		}
		size_t len = 8 + (size_t)(i % 4) * 8;
		char *key = malloc(len);
		snprintf(key, len, "k%d", i);
		kept_index[i] = key;
	}
}

int main(void)
{
	load_config(1000);
	handle_request(3000);
	kept_tree = build_tree(6);
	fill_cache(64);
	scratch(32);
	big_block(4);
	build_index(500);
	handle_request(2000);
	scratch(16);
	big_block(2);
	sink += kept_records[7]->id + kept_buffers[3][5] + kept_tree->value[0] + kept_index[9][0];
	return 0;
}
