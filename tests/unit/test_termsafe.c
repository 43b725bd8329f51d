/*
 * test_termsafe.c - profile text made inert for a terminal: control bytes,
 * C1 and bidi controls and invalid UTF-8 become visible escapes; every other
 * byte (markup, backslashes, valid UTF-8) is copied unchanged.
 */
#include "model/compat.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "model/buf.h"
#include "model/termsafe.h"

static char *safe(const char *s, size_t len, enum termsafe_flags flags)
{
	struct buf b = BUF_INIT;

	buf_init(&b);
	termsafe_add(&b, s, len, flags);
	assert_true(termsafe_clean(b.buf, b.len, flags));
	assert_int_equal(termsafe_clean(s, len, flags), b.len == len && !memcmp(b.buf, s, len));
	return buf_detach(&b, NULL);
}

#define CHECK(in, flags, want)                                \
	do {                                                  \
		char *got_ = safe(in, sizeof(in) - 1, flags); \
		assert_string_equal(got_, want);              \
		free(got_);                                   \
	} while (0)

static void test_unchanged(void **state)
{
	CHECK("", 0, "");
	CHECK("main.foo\tbar", 0, "main.foo\tbar");
	CHECK("std::map<int, char>::operator<<(a&b) \"q\" 'x'", 0,
	      "std::map<int, char>::operator<<(a&b) \"q\" 'x'");
	CHECK("C:\\New\\x \\N \\G \\l \\", 0, "C:\\New\\x \\N \\G \\l \\");
	CHECK("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\xa5 \xef\xbf\xbd", 0,
	      "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\xa5 \xef\xbf\xbd");
	CHECK("two\nlines\n", TERMSAFE_KEEP_NL, "two\nlines\n");
}

static void test_controls(void **state)
{
	CHECK("\x1b[2J\x1b]0;title\x07", 0, "\\x1b[2J\\x1b]0;title\\x07");
	CHECK("a\rb\bc\x7f\x01", TERMSAFE_KEEP_NL, "a\\x0db\\x08c\\x7f\\x01");
	CHECK("two\nlines", 0, "two\\x0alines");
	CHECK("nul\0byte", 0, "nul\\x00byte");
}

static void test_unicode_controls(void **state)
{
	CHECK("c1 \xc2\x9b"
	      "1m \xc2\x85",
	      0, "c1 \\u009b1m \\u0085");
	CHECK("bidi \xe2\x80\xae"
	      "evil \xe2\x81\xa6x\xe2\x81\xa9",
	      0, "bidi \\u202eevil \\u2066x\\u2069");
	CHECK("sep\xe2\x80\xa8line\xe2\x80\xa9", 0, "sep\\u2028line\\u2029");
}

static void test_invalid_utf8(void **state)
{
	CHECK("bad \xff\xfe", 0, "bad \\xff\\xfe");
	CHECK("raw c1 \x9b"
	      "2J",
	      0, "raw c1 \\x9b2J");
	CHECK("overlong \xc0\xaf \xe0\x80\xaf", 0, "overlong \\xc0\\xaf \\xe0\\x80\\xaf");
	CHECK("surrogate \xed\xa0\x80", 0, "surrogate \\xed\\xa0\\x80");
	CHECK("cut \xe2\x82", 0, "cut \\xe2\\x82");
	CHECK("big \xf4\x90\x80\x80", 0, "big \\xf4\\x90\\x80\\x80");
	CHECK("\xc3(", 0, "\\xc3(");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unchanged),
		cmocka_unit_test(test_controls),
		cmocka_unit_test(test_unicode_controls),
		cmocka_unit_test(test_invalid_utf8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
