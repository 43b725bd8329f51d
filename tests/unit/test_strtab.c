/*
 * test_strtab.c - interned strings: one id per distinct byte string, id 0
 * is "", embedded NUL bytes count, ids and pointers survive growth.
 */
#include "model/compat.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "model/alloc.h"
#include "model/strtab.h"

static void test_init_has_empty_string(void **state)
{
	struct strtab t;
	uint32_t id = 99;

	strtab_init(&t);
	assert_int_equal(t.n, 1);
	assert_string_equal(strtab_str(&t, 0), "");
	assert_int_equal(strtab_len(&t, 0), 0);
	assert_int_equal(strtab_intern(&t, "", 0), 0);
	/* a zero length ignores the bytes */
	assert_int_equal(strtab_intern(&t, "ignored", 0), 0);
	assert_true(strtab_find(&t, "", 0, &id));
	assert_int_equal(id, 0);
	assert_int_equal(t.n, 1);
	strtab_free(&t);
}

static void test_same_string_same_id(void **state)
{
	struct strtab t;
	char copy[8];
	uint32_t a, b, c;

	strtab_init(&t);
	a = strtab_intern(&t, "main", 4);
	b = strtab_intern(&t, "runtime.mallocgc", 16);
	memcpy(copy, "main", 5);
	c = strtab_intern(&t, copy, 4);
	assert_int_equal(a, 1);
	assert_int_equal(b, 2);
	assert_int_equal(c, a);
	assert_int_equal(t.n, 3);
	/* the table keeps its own copy */
	copy[0] = 'X';
	assert_string_equal(strtab_str(&t, a), "main");
	assert_int_equal(strtab_len(&t, a), 4);
	assert_string_equal(strtab_str(&t, b), "runtime.mallocgc");
	/* a prefix of a longer buffer is its own string */
	assert_int_equal(strtab_intern(&t, "mainline", 4), a);
	assert_int_equal(strtab_intern(&t, "mainline", 8), 3);
	assert_string_equal(strtab_str(&t, 3), "mainline");
	/* case matters */
	assert_int_equal(strtab_intern(&t, "Main", 4), 4);
	strtab_free(&t);
}

static void test_embedded_nul(void **state)
{
	struct strtab t;
	uint32_t a, a0, anb, anc, nul, id;

	strtab_init(&t);
	a = strtab_intern(&t, "a", 1);
	a0 = strtab_intern(&t, "a\0", 2);
	anb = strtab_intern(&t, "a\0b", 3);
	anc = strtab_intern(&t, "a\0c", 3);
	nul = strtab_intern(&t, "\0", 1);
	assert_int_equal(a, 1);
	assert_int_equal(a0, 2);
	assert_int_equal(anb, 3);
	assert_int_equal(anc, 4);
	assert_int_equal(nul, 5);
	assert_int_equal(strtab_intern(&t, "a\0b", 3), anb);
	assert_int_equal(strtab_intern(&t, "\0", 1), nul);
	assert_int_equal(strtab_len(&t, a0), 2);
	assert_int_equal(strtab_len(&t, anb), 3);
	assert_int_equal(strtab_len(&t, nul), 1);
	assert_memory_equal(strtab_str(&t, anb), "a\0b", 4);
	assert_memory_equal(strtab_str(&t, anc), "a\0c", 4);
	assert_memory_equal(strtab_str(&t, nul), "\0", 2);
	assert_true(strtab_find(&t, "a\0c", 3, &id));
	assert_int_equal(id, anc);
	assert_false(strtab_find(&t, "a\0d", 3, &id));
	assert_false(strtab_find(&t, "\0\0", 2, &id));
	strtab_free(&t);
}

static void test_find_does_not_insert(void **state)
{
	struct strtab t;
	uint32_t id = 77;

	strtab_init(&t);
	assert_false(strtab_find(&t, "absent", 6, &id));
	assert_int_equal(id, 77);
	assert_int_equal(t.n, 1);
	strtab_intern(&t, "present", 7);
	assert_true(strtab_find(&t, "present", 7, &id));
	assert_int_equal(id, 1);
	assert_false(strtab_find(&t, "presen", 6, &id));
	assert_false(strtab_find(&t, "present!", 8, &id));
	assert_false(strtab_find(&t, "absent", 6, &id));
	assert_int_equal(t.n, 2);
	strtab_free(&t);
}

#define NGROW 150000

static void test_growth_keeps_ids(void **state)
{
	struct strtab t;
	const char *first;
	char s[32];
	uint32_t id;

	strtab_init(&t);
	first = strtab_str(&t, strtab_intern(&t, "first", 5));
	for (uint32_t i = 0; i < NGROW; i++) {
		int n = snprintf(s, sizeof(s), "sym.%u", i);

		assert_int_equal(strtab_intern(&t, s, (size_t)n), i + 2);
	}
	assert_int_equal(t.n, NGROW + 2);
	/* strings live in the arena: pointers taken early stay valid */
	assert_ptr_equal(strtab_str(&t, 1), first);
	assert_string_equal(first, "first");
	for (uint32_t i = 0; i < NGROW; i++) {
		int n = snprintf(s, sizeof(s), "sym.%u", i);

		assert_true(strtab_find(&t, s, (size_t)n, &id));
		assert_int_equal(id, i + 2);
		assert_int_equal(strtab_intern(&t, s, (size_t)n), i + 2);
		assert_string_equal(strtab_str(&t, i + 2), s);
		assert_int_equal(strtab_len(&t, i + 2), (size_t)n);
	}
	assert_false(strtab_find(&t, "sym.150000", 10, &id));
	assert_int_equal(t.n, NGROW + 2);
	assert_int_equal(strtab_intern(&t, "", 0), 0);
	strtab_free(&t);
}

static void test_long_string(void **state)
{
	struct strtab t;
	size_t len = 300 * 1024;
	char *s = xmalloc(len);
	uint32_t id;

	memset(s, 'q', len);
	s[len / 2] = '\0';
	strtab_init(&t);
	id = strtab_intern(&t, s, len);
	assert_int_equal(id, 1);
	assert_int_equal(strtab_len(&t, id), len);
	assert_memory_equal(strtab_str(&t, id), s, len);
	assert_int_equal(strtab_str(&t, id)[len], '\0');
	assert_int_equal(strtab_intern(&t, s, len), id);
	/* the bytes before the NUL are a different string */
	assert_int_equal(strtab_intern(&t, s, len / 2), 2);
	strtab_free(&t);
	free(s);
}

static void test_free_twice(void **state)
{
	struct strtab t;

	strtab_init(&t);
	strtab_intern(&t, "x", 1);
	strtab_free(&t);
	strtab_free(&t);
	assert_int_equal(t.n, 0);
	assert_null(t.strs);
	/* and it can be used again */
	strtab_init(&t);
	assert_int_equal(strtab_intern(&t, "x", 1), 1);
	strtab_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_has_empty_string),
		cmocka_unit_test(test_same_string_same_id),
		cmocka_unit_test(test_embedded_nul),
		cmocka_unit_test(test_find_does_not_insert),
		cmocka_unit_test(test_growth_keeps_ids),
		cmocka_unit_test(test_long_string),
		cmocka_unit_test(test_free_twice),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
