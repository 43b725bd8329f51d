/*
 * test_buf.c - the growable byte buffer: always NUL-terminated after
 * buf_init, buf_addf past any initial size, detach, reset and release.
 */
#include "model/compat.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "model/alloc.h"
#include "model/buf.h"

static void test_init_is_empty_string(void **state)
{
	struct buf b;

	buf_init(&b);
	assert_non_null(b.buf);
	assert_string_equal(b.buf, "");
	assert_int_equal(b.len, 0);
	buf_release(&b);
	assert_non_null(b.buf);
	assert_string_equal(b.buf, "");
	buf_release(&b);
}

static void test_add_variants(void **state)
{
	struct buf b;

	buf_init(&b);
	buf_adds(&b, "ab");
	buf_addc(&b, 'c');
	buf_add(&b, "defXYZ", 3);
	buf_addpad(&b, '.', 4);
	buf_addpad(&b, '-', 0);
	buf_add(&b, "", 0);
	assert_string_equal(b.buf, "abcdef....");
	assert_int_equal(b.len, 10);
	buf_add(&b, "x\0y", 3);
	assert_int_equal(b.len, 13);
	assert_memory_equal(b.buf + 10, "x\0y\0", 4);
	buf_release(&b);
}

static void test_addf_growth(void **state)
{
	struct buf b;
	char want[8192];
	size_t wlen = 0;

	buf_init(&b);
	for (int i = 0; i < 1000; i++) {
		int n = snprintf(want + wlen, sizeof(want) - wlen, "%d,", i);

		wlen += (size_t)n;
		buf_addf(&b, "%d,", i);
		assert_int_equal(b.len, wlen);
		assert_true(b.alloc > b.len);
	}
	assert_string_equal(b.buf, want);
	assert_int_equal(strlen(b.buf), b.len);
	buf_release(&b);
}

static void test_addf_longer_than_first_chunk(void **state)
{
	struct buf b;
	char big[5001];

	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	buf_init(&b);
	buf_adds(&b, "<");
	buf_addf(&b, "%s|%d|%s", big, 42, "end");
	buf_addc(&b, '>');
	assert_int_equal(b.len, 1 + 5000 + 7 + 1);
	assert_int_equal(b.buf[0], '<');
	assert_int_equal(b.buf[1], 'z');
	assert_int_equal(b.buf[5000], 'z');
	assert_string_equal(b.buf + 5001, "|42|end>");
	/* exactly filling what is left after a short string */
	buf_reset(&b);
	buf_addf(&b, "%.*s", 63, big);
	assert_int_equal(b.len, 63);
	buf_addf(&b, "%.*s", 200, big);
	assert_int_equal(b.len, 263);
	assert_int_equal(strlen(b.buf), 263);
	buf_release(&b);
}

static void test_addf_empty_format(void **state)
{
	struct buf b;

	buf_init(&b);
	buf_addf(&b, "%s", "");
	assert_int_equal(b.len, 0);
	assert_string_equal(b.buf, "");
	buf_release(&b);
}

static void test_static_initialiser(void **state)
{
	struct buf b = BUF_INIT;

	buf_addf(&b, "%s=%d", "n", 5);
	assert_string_equal(b.buf, "n=5");
	assert_int_equal(b.len, 3);
	buf_release(&b);
	buf_release(&b);
	assert_string_equal(b.buf, "");
}

static void test_detach(void **state)
{
	struct buf b;
	char *s;
	size_t len = 0;

	buf_init(&b);
	buf_addf(&b, "hello %s", "world");
	s = buf_detach(&b, &len);
	assert_string_equal(s, "hello world");
	assert_int_equal(len, 11);
	/* the buffer is empty again and independent of the detached string */
	assert_int_equal(b.len, 0);
	assert_string_equal(b.buf, "");
	buf_adds(&b, "again");
	assert_string_equal(b.buf, "again");
	assert_string_equal(s, "hello world");
	free(s);
	buf_release(&b);
}

static void test_detach_empty(void **state)
{
	struct buf b = BUF_INIT;
	struct buf c;
	char *s;
	size_t len = 99;

	/* never grown: detach still hands out a string the caller can free */
	s = buf_detach(&b, &len);
	assert_non_null(s);
	assert_string_equal(s, "");
	assert_int_equal(len, 0);
	free(s);
	buf_init(&c);
	s = buf_detach(&c, NULL);
	assert_string_equal(s, "");
	free(s);
	buf_release(&c);
	buf_release(&b);
}

static void test_reset_keeps_storage(void **state)
{
	struct buf b;
	char *storage;
	size_t alloc;

	buf_init(&b);
	buf_reset(&b);
	assert_string_equal(b.buf, "");
	buf_addpad(&b, 'a', 500);
	storage = b.buf;
	alloc = b.alloc;
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.buf, "");
	assert_ptr_equal(b.buf, storage);
	assert_int_equal(b.alloc, alloc);
	buf_adds(&b, "xy");
	assert_string_equal(b.buf, "xy");
	assert_ptr_equal(b.buf, storage);
	buf_release(&b);
}

static void test_grow_reserves(void **state)
{
	struct buf b;
	char *before;

	buf_init(&b);
	buf_grow(&b, 1000);
	assert_true(b.alloc >= 1001);
	assert_string_equal(b.buf, "");
	before = b.buf;
	buf_addpad(&b, 'k', 1000);
	assert_ptr_equal(b.buf, before);
	assert_int_equal(b.len, 1000);
	assert_int_equal(b.buf[1000], '\0');
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_is_empty_string),
		cmocka_unit_test(test_add_variants),
		cmocka_unit_test(test_addf_growth),
		cmocka_unit_test(test_addf_longer_than_first_chunk),
		cmocka_unit_test(test_addf_empty_format),
		cmocka_unit_test(test_static_initialiser),
		cmocka_unit_test(test_detach),
		cmocka_unit_test(test_detach_empty),
		cmocka_unit_test(test_reset_keeps_storage),
		cmocka_unit_test(test_grow_reserves),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
