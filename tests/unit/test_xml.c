/*
 * test_xml.c - profile text made inert for SVG and JSON: markup escaped,
 * control characters, separators, bidi controls and invalid UTF-8 replaced
 * by U+FFFD, JSON safe inside <script> and CDATA, truncation by characters.
 */
#include "model/compat.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "model/buf.h"
#include "report/xml.h"

#define FFFD "\xef\xbf\xbd"

static char *xml(const char *s, size_t len)
{
	struct buf b = BUF_INIT;

	buf_init(&b);
	xml_text(&b, s, len);
	return buf_detach(&b, NULL);
}

static char *json(const char *s, size_t len)
{
	struct buf b = BUF_INIT;

	buf_init(&b);
	xml_json_string(&b, s, len);
	return buf_detach(&b, NULL);
}

#define CHECK(fn, in, want)                          \
	do {                                         \
		char *got_ = fn(in, sizeof(in) - 1); \
		assert_string_equal(got_, want);     \
		free(got_);                          \
	} while (0)

static void test_xml_markup(void **state)
{
	CHECK(xml, "plain_name", "plain_name");
	CHECK(xml, "operator<<(std::map<int, char>&) \"q\" 'a'",
	      "operator&lt;&lt;(std::map&lt;int, char&gt;&amp;) &quot;q&quot; &#39;a&#39;");
	CHECK(xml, "&lt;already&gt;", "&amp;lt;already&amp;gt;");
	CHECK(xml, "cdata]]>end", "cdata]]&gt;end");
	CHECK(xml, "caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x94\xa5",
	      "caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x94\xa5");
}

static void test_replaced_characters(void **state)
{
	/* C0 (tab and newline too), DEL, C1 */
	CHECK(xml, "a\x01\t\n\x1b[2Jb\x7f\xc2\x85", "a" FFFD FFFD FFFD FFFD "[2Jb" FFFD FFFD);
	/* an embedded NUL */
	CHECK(xml, "nul\0byte", "nul" FFFD "byte");
	/* U+FFFE, U+FFFF, line and paragraph separators */
	CHECK(xml, "\xef\xbf\xbe\xef\xbf\xbf\xe2\x80\xa8\xe2\x80\xa9", FFFD FFFD FFFD FFFD);
	/* bidi embedding, override and isolate controls */
	CHECK(xml, "x\xe2\x80\xaay\xe2\x80\xaez\xe2\x81\xa6w\xe2\x81\xa9",
	      "x" FFFD "y" FFFD "z" FFFD "w" FFFD);
	/* invalid UTF-8: stray continuation, overlong, surrogate, too large, truncated */
	CHECK(xml, "\x80", FFFD);
	CHECK(xml, "\xc0\xaf", FFFD FFFD);
	CHECK(xml, "\xed\xa0\x80", FFFD FFFD FFFD);
	CHECK(xml, "\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD);
	CHECK(xml, "ab\xe6\x97", "ab" FFFD FFFD);
	CHECK(xml, "\xe6\x97x", FFFD FFFD "x");
}

static void test_json(void **state)
{
	CHECK(json, "", "\"\"");
	CHECK(json, "a\"b\\c", "\"a\\\"b\\\\c\"");
	CHECK(json, "</script><!-- ]]> &", "\"\\u003c/script\\u003e\\u003c!-- ]]\\u003e \\u0026\"");
	CHECK(json, "ctl\x01\x1f", "\"ctl" FFFD FFFD "\"");
	CHECK(json, "\xe2\x80\xa8\xe2\x80\xae", "\"" FFFD FFFD "\"");
	CHECK(json, "\xff", "\"" FFFD "\"");
}

static void test_truncation(void **state)
{
	struct buf b = BUF_INIT;

	buf_init(&b);
	assert_false(xml_text_max(&b, "short", 5, 5));
	assert_string_equal(b.buf, "short");
	buf_reset(&b);
	assert_true(xml_text_max(&b, "a<b>cdef", 8, 5));
	assert_string_equal(b.buf, "a&lt;b..");
	buf_reset(&b);
	/* characters, not bytes: a multi-byte character is never cut */
	assert_true(xml_text_max(&b, "\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5", 12, 3));
	assert_string_equal(b.buf, "\xe6\x97\xa5..");
	buf_release(&b);
	assert_int_equal(xml_display_len("\xe6\x97\xa5x\xff", 5), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xml_markup),
		cmocka_unit_test(test_replaced_characters),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_truncation),
	};

	return cmocka_run_group_tests_name("xml", tests, NULL, NULL);
}
