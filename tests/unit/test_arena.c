/*
 * test_arena.c - the bump allocator: 16-byte alignment, blocks that do not
 * overlap, big requests, reset, release and arena_strndup.
 */
#include "model/compat.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "model/alloc.h"
#include "model/arena.h"

#define N  20000
#define SZ 100

static bool aligned16(const void *p)
{
	uintptr_t u = (uintptr_t)p;

	return u % 16 == 0;
}

static void test_zeroed_arena_is_valid(void **state)
{
	struct arena a = { 0 };
	char *p;

	p = arena_alloc(&a, 10);
	assert_non_null(p);
	assert_true(aligned16(p));
	memcpy(p, "123456789", 10);
	assert_string_equal(p, "123456789");
	arena_release(&a);
	assert_null(a.head);
	assert_null(a.cur);
	assert_int_equal(a.total, 0);
}

static void test_alignment(void **state)
{
	struct arena a = { 0 };

	for (size_t size = 1; size <= 200; size++) {
		char *p = arena_alloc(&a, size);

		assert_true(aligned16(p));
		memset(p, (int)size, size);
	}
	for (size_t i = 0; i < 64; i++) {
		void *p = arena_zalloc(&a, 3);

		assert_true(aligned16(p));
	}
	assert_true(aligned16(arena_alloc(&a, 200 * 1024)));
	assert_true(aligned16(arena_strndup(&a, "abc", 3)));
	assert_true(aligned16(arena_alloc(&a, 1)));
	arena_release(&a);
}

static void test_total_counts_rounded_sizes(void **state)
{
	struct arena a = { 0 };

	arena_alloc(&a, 1);
	assert_int_equal(a.total, 16);
	arena_alloc(&a, 16);
	assert_int_equal(a.total, 32);
	arena_alloc(&a, 17);
	assert_int_equal(a.total, 64);
	arena_alloc(&a, 200000);
	assert_int_equal(a.total, 64 + 200000);
	arena_release(&a);
}

/* Many allocations across several blocks: each keeps its own bytes. */
static void test_no_overlap_across_blocks(void **state)
{
	struct arena a = { 0 };
	unsigned char **ptrs = xcalloc(N, sizeof(*ptrs));

	for (size_t i = 0; i < N; i++) {
		ptrs[i] = arena_alloc(&a, SZ);
		memset(ptrs[i], (int)(i % 251), SZ);
	}
	for (size_t i = 0; i < N; i++)
		for (size_t k = 0; k < SZ; k++)
			assert_int_equal(ptrs[i][k], i % 251);
	/* 20000 * 112 bytes needs more than one 256 KiB block */
	assert_non_null(a.head);
	assert_int_equal(a.total, (size_t)N * 112);
	free(ptrs);
	arena_release(&a);
}

static void test_big_allocations(void **state)
{
	struct arena a = { 0 };
	size_t big = 300 * 1024;
	char *small1, *small2, *b1, *b2;

	small1 = arena_alloc(&a, 16);
	b1 = arena_alloc(&a, big);
	small2 = arena_alloc(&a, 16);
	b2 = arena_alloc(&a, 129 * 1024);
	assert_true(aligned16(b1));
	assert_true(aligned16(b2));
	memset(b1, 0xaa, big);
	memset(b2, 0xbb, 129 * 1024);
	memset(small1, 0x11, 16);
	memset(small2, 0x22, 16);
	/* a big request that does not fit gets its own block; the current one goes on */
	assert_ptr_equal(small2, small1 + 16);
	assert_int_equal((unsigned char)b1[0], 0xaa);
	assert_int_equal((unsigned char)b1[big - 1], 0xaa);
	assert_int_equal((unsigned char)b2[0], 0xbb);
	assert_int_equal((unsigned char)b2[129 * 1024 - 1], 0xbb);
	assert_int_equal((unsigned char)small1[15], 0x11);
	arena_release(&a);
}

static void test_big_first_allocation(void **state)
{
	struct arena a = { 0 };
	size_t big = 1024 * 1024;
	char *b, *s;

	b = arena_alloc(&a, big);
	assert_true(aligned16(b));
	memset(b, 1, big);
	s = arena_alloc(&a, 32);
	memset(s, 2, 32);
	assert_int_equal(b[big - 1], 1);
	assert_int_equal(s[0], 2);
	arena_reset(&a);
	b = arena_alloc(&a, big);
	memset(b, 3, big);
	arena_release(&a);
}

static void test_zalloc_zeroes_reused_memory(void **state)
{
	struct arena a = { 0 };
	unsigned char *p, *q;

	p = arena_alloc(&a, 256);
	memset(p, 0xff, 256);
	arena_reset(&a);
	q = arena_zalloc(&a, 256);
	assert_ptr_equal(q, p);
	for (size_t i = 0; i < 256; i++)
		assert_int_equal(q[i], 0);
	arena_release(&a);
}

static void test_reset_reuses_first_block(void **state)
{
	struct arena a = { 0 };
	char *p1, *p2;

	p1 = arena_alloc(&a, 32);
	arena_alloc(&a, 1000);
	arena_alloc(&a, 200 * 1024); /* a big block: freed by the reset */
	arena_reset(&a);
	assert_int_equal(a.total, 0);
	p2 = arena_alloc(&a, 32);
	assert_ptr_equal(p2, p1);
	assert_int_equal(a.total, 32);
	arena_release(&a);
}

static void test_reset_after_many_blocks(void **state)
{
	struct arena a = { 0 };

	for (int i = 0; i < 2000; i++)
		memset(arena_alloc(&a, 1000), 7, 1000);
	arena_reset(&a);
	assert_non_null(a.head);
	assert_int_equal(a.total, 0);
	for (int i = 0; i < 2000; i++)
		memset(arena_alloc(&a, 1000), 8, 1000);
	arena_release(&a);
}

static void test_reset_and_release_empty(void **state)
{
	struct arena a = { 0 };

	arena_reset(&a);
	assert_null(a.head);
	arena_release(&a);
	arena_release(&a);
	assert_null(a.head);
	/* usable after release */
	assert_non_null(arena_alloc(&a, 8));
	arena_release(&a);
	arena_release(&a);
}

static void test_strndup(void **state)
{
	struct arena a = { 0 };
	const char src[] = { 'h', 'e', 'l', 'l', 'o', '!' }; /* not NUL-terminated */
	char *s;

	s = arena_strndup(&a, src, 5);
	assert_string_equal(s, "hello");
	assert_ptr_not_equal(s, src);
	s = arena_strndup(&a, src, 0);
	assert_string_equal(s, "");
	s = arena_strndup(&a, "a\0b", 3);
	assert_memory_equal(s, "a\0b", 4);
	arena_release(&a);
}

static void test_alloc_zero_bytes(void **state)
{
	struct arena a = { 0 };
	void *p;

	/*
	 * Regression (was a bug): arena_alloc(&a, 0) on an arena with no block yet returns NULL
	 * (cur == end == NULL, so "no room needed" hands out a->cur), though
	 * arena.h promises "never returns NULL"; arena_zalloc(&a, 0) then
	 * calls memset(NULL, 0, 0).  load.c's MOVE() asks the profile arena
	 * for zero bytes for empty arrays (sample_types, mappings, comments),
	 * so those pointers can come back NULL.
	 * Input: struct arena a = {0}; arena_alloc(&a, 0).
	 * Expected: a non-NULL, 16-aligned pointer; actual: NULL.
	 */
	p = arena_alloc(&a, 0);
	assert_non_null(p);
	assert_true(aligned16(p));
	arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zeroed_arena_is_valid),
		cmocka_unit_test(test_alignment),
		cmocka_unit_test(test_total_counts_rounded_sizes),
		cmocka_unit_test(test_no_overlap_across_blocks),
		cmocka_unit_test(test_big_allocations),
		cmocka_unit_test(test_big_first_allocation),
		cmocka_unit_test(test_zalloc_zeroes_reused_memory),
		cmocka_unit_test(test_reset_reuses_first_block),
		cmocka_unit_test(test_reset_after_many_blocks),
		cmocka_unit_test(test_reset_and_release_empty),
		cmocka_unit_test(test_strndup),
		cmocka_unit_test(test_alloc_zero_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
