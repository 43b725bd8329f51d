/*
 * test_hash.c - struct idmap (file ids -> dense indices) and the hashing
 * helpers it is built on.
 */
#include "model/compat.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "model/hash.h"

static void test_idmap_put_get(void **state)
{
	struct idmap m;
	uint32_t v = 12345;

	idmap_init(&m, 4);
	assert_false(idmap_get(&m, 1, &v));
	assert_int_equal(v, 12345);
	assert_true(idmap_put(&m, 1, 10));
	assert_true(idmap_put(&m, 2, 20));
	assert_true(idmap_put(&m, 3, 0));
	assert_int_equal(m.count, 3);
	assert_true(idmap_get(&m, 1, &v));
	assert_int_equal(v, 10);
	assert_true(idmap_get(&m, 2, &v));
	assert_int_equal(v, 20);
	assert_true(idmap_get(&m, 3, &v));
	assert_int_equal(v, 0);
	assert_false(idmap_get(&m, 4, &v));
	/* 0 is the empty marker: never found */
	assert_false(idmap_get(&m, 0, &v));
	idmap_release(&m);
}

static void test_idmap_duplicate_rejected(void **state)
{
	struct idmap m;
	uint32_t v;

	idmap_init(&m, 0);
	assert_true(idmap_put(&m, 7, 1));
	assert_false(idmap_put(&m, 7, 2));
	assert_int_equal(m.count, 1);
	assert_true(idmap_get(&m, 7, &v));
	assert_int_equal(v, 1);
	assert_true(idmap_put(&m, UINT64_MAX, 5));
	assert_false(idmap_put(&m, UINT64_MAX, 6));
	assert_true(idmap_get(&m, UINT64_MAX, &v));
	assert_int_equal(v, 5);
	assert_int_equal(m.count, 2);
	idmap_release(&m);
}

#define NGROW 200000

static void test_idmap_growth_rehashes(void **state)
{
	struct idmap m;
	uint32_t v;

	/* expected far too small: the map must rehash many times */
	idmap_init(&m, 1);
	for (uint32_t i = 1; i <= NGROW; i++)
		assert_true(idmap_put(&m, i, i * 3));
	assert_int_equal(m.count, NGROW);
	assert_true(m.mask + 1 >= 2 * (size_t)NGROW);
	for (uint32_t i = 1; i <= NGROW; i++) {
		assert_true(idmap_get(&m, i, &v));
		assert_int_equal(v, i * 3);
	}
	for (uint32_t i = 1; i <= NGROW; i += 997)
		assert_false(idmap_put(&m, i, 0));
	assert_false(idmap_get(&m, NGROW + 1, &v));
	assert_int_equal(m.count, NGROW);
	idmap_release(&m);
}

static void test_idmap_large_sparse_keys(void **state)
{
	struct idmap m;
	uint32_t v;
	const uint64_t keys[] = {
		/* far apart, at the top of the range, or equal in their low bits */
		UINT64_C(1) << 40,
		UINT64_C(1) << 63,
		UINT64_MAX,
		UINT64_MAX - 1,
		UINT64_C(0x100000000),
		UINT64_C(0x200000000),
		UINT64_C(0x300000000),
		UINT64_C(0xdeadbeefcafebabe),
		1000,
		7,
	};

	idmap_init(&m, 2);
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		assert_true(idmap_put(&m, keys[i], (uint32_t)i));
	/* many keys equal in their low 32 bits */
	for (uint64_t k = 1; k < 5000; k++)
		assert_true(idmap_put(&m, k << 32 | 5, (uint32_t)(k + 100)));
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		assert_true(idmap_get(&m, keys[i], &v));
		assert_int_equal(v, i);
	}
	for (uint64_t k = 1; k < 5000; k++) {
		assert_true(idmap_get(&m, k << 32 | 5, &v));
		assert_int_equal(v, k + 100);
	}
	assert_false(idmap_get(&m, UINT64_C(5000) << 32 | 5, &v));
	assert_false(idmap_get(&m, 5, &v));
	assert_false(idmap_get(&m, (UINT64_C(1) << 40) + 1, &v));
	assert_int_equal(m.count, ARRAY_SIZE(keys) + 4999);
	idmap_release(&m);
}

static void test_idmap_release_twice(void **state)
{
	struct idmap m;
	uint32_t v;

	idmap_init(&m, 10);
	idmap_put(&m, 5, 5);
	idmap_release(&m);
	assert_null(m.keys);
	assert_int_equal(m.count, 0);
	/* a released map finds nothing and may be released again */
	assert_false(idmap_get(&m, 5, &v));
	idmap_release(&m);
}

static void test_hash_bytes_and_mix(void **state)
{
	/* deterministic, length- and seed-sensitive */
	assert_true(hash_bytes("abc", 3, 0) == hash_bytes("abc", 3, 0));
	assert_true(hash_bytes("abc", 3, 0) != hash_bytes("abc", 3, 1));
	assert_true(hash_bytes("abc", 3, 0) != hash_bytes("abc\0", 4, 0));
	assert_true(hash_bytes("ab", 2, 0) != hash_bytes("ba", 2, 0));
	assert_true(hash_mix64(0) == 0);
	assert_true(hash_mix64(1) != hash_mix64(2));
}


static void test_pairmap(void **state)
{
	struct pairmap m = { 0 };
	bool fresh;
	uint32_t *v;

	(void)state;
	pairmap_reset(&m, 4);
	v = pairmap_get(&m, 1, 2, &fresh);
	assert_true(fresh);
	*v = 7;
	v = pairmap_get(&m, 2, 1, &fresh); /* order matters */
	assert_true(fresh);
	*v = 8;
	assert_int_equal(*pairmap_get(&m, 1, 2, &fresh), 7);
	assert_false(fresh);
	/* (0, 0) and the largest ids are keys like any other; growth keeps them */
	*pairmap_get(&m, 0, 0, &fresh) = 9;
	*pairmap_get(&m, UINT32_MAX, UINT32_MAX - 1, &fresh) = 10;
	for (uint32_t i = 0; i < 5000; i++)
		*pairmap_get(&m, i + 10, i, &fresh) = i;
	assert_int_equal(m.count, 5004);
	assert_int_equal(*pairmap_get(&m, 0, 0, &fresh), 9);
	assert_false(fresh);
	assert_int_equal(*pairmap_get(&m, UINT32_MAX, UINT32_MAX - 1, &fresh), 10);
	for (uint32_t i = 0; i < 5000; i++)
		assert_int_equal(*pairmap_get(&m, i + 10, i, &fresh), i);
	assert_int_equal(*pairmap_get(&m, 2, 1, &fresh), 8);
	/* a reset empties it */
	pairmap_reset(&m, 10);
	assert_int_equal(m.count, 0);
	pairmap_get(&m, 1, 2, &fresh);
	assert_true(fresh);
	pairmap_release(&m);
	pairmap_release(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_idmap_put_get),
		cmocka_unit_test(test_pairmap),
		cmocka_unit_test(test_idmap_duplicate_rejected),
		cmocka_unit_test(test_idmap_growth_rehashes),
		cmocka_unit_test(test_idmap_large_sparse_keys),
		cmocka_unit_test(test_idmap_release_twice),
		cmocka_unit_test(test_hash_bytes_and_mix),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
