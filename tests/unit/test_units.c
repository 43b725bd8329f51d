/*
 * test_units.c - units_label, units_scale and the percentage helpers against
 * pprof's measurement package (ScaledLabel, Scale, Percentage).
 */
#include "model/compat.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "report/units.h"

/* A macro, not a helper, so a failure names the line of the case. */
#define LABEL_IS(value, from, to, want)                                 \
	do {                                                            \
		char out_[64];                                          \
                                                                        \
		memset(out_, 'x', sizeof(out_));                        \
		units_label(out_, sizeof(out_), (value), (from), (to)); \
		assert_string_equal(out_, (want));                      \
	} while (0)

#define PERCENT_IS(value, total, want)                               \
	do {                                                         \
		char out_[64];                                       \
                                                                     \
		units_percent(out_, sizeof(out_), (value), (total)); \
		assert_string_equal(out_, (want));                   \
	} while (0)

#define PERCENT_TRIM_IS(value, total, want)                               \
	do {                                                              \
		char out_[64];                                            \
                                                                          \
		units_percent_trim(out_, sizeof(out_), (value), (total)); \
		assert_string_equal(out_, (want));                        \
	} while (0)

static void test_bytes_auto(void **state)
{
	LABEL_IS(1, "bytes", "auto", "1B");
	LABEL_IS(1023, "bytes", "auto", "1023B");
	LABEL_IS(1024, "bytes", "auto", "1kB");
	LABEL_IS(1536, "bytes", "auto", "1.50kB");
	LABEL_IS(65536000, "bytes", "auto", "62.50MB");
	LABEL_IS(1048576, "bytes", "minimum", "1MB");
	LABEL_IS(INT64_C(3) << 30, "bytes", "minimum", "3GB");
	LABEL_IS(INT64_C(5) << 40, "bytes", "auto", "5TB");
	LABEL_IS(INT64_C(1) << 50, "bytes", "auto", "1PB");
	/* nothing above PB: the value stays in PB */
	LABEL_IS(INT64_C(1) << 60, "bytes", "auto", "1024PB");
	/* %.2f rounds 1.0049kB to "1.00", and ".00" is dropped */
	LABEL_IS(1029, "bytes", "auto", "1kB");
	LABEL_IS(1034, "bytes", "auto", "1.01kB");
}

static void test_zero(void **state)
{
	LABEL_IS(0, "bytes", "auto", "0");
	LABEL_IS(0, "nanoseconds", "auto", "0");
	LABEL_IS(0, "count", "minimum", "0");
	LABEL_IS(0, "nanoseconds", "ms", "0");
	/* rounds to "0.00" and "-0.00": both print "0", never with a unit */
	LABEL_IS(1, "nanoseconds", "hrs", "0");
	LABEL_IS(-1, "nanoseconds", "hrs", "0");
	LABEL_IS(4, "bytes", "mb", "0");
	LABEL_IS(-4, "bytes", "mb", "0");
}

static void test_time_auto(void **state)
{
	LABEL_IS(1, "nanoseconds", "auto", "1ns");
	LABEL_IS(999, "nanoseconds", "auto", "999ns");
	LABEL_IS(1000, "nanoseconds", "auto", "1us");
	LABEL_IS(1500, "nanoseconds", "auto", "1.50us");
	LABEL_IS(650000000, "nanoseconds", "auto", "650ms");
	LABEL_IS(1100000000, "nanoseconds", "auto", "1.10s");
	LABEL_IS(INT64_C(59) * 60 * 1000000000, "nanoseconds", "auto", "3540s");
	LABEL_IS(INT64_C(16488000000000), "nanoseconds", "auto", "4.58hrs");
	LABEL_IS(INT64_C(7200000000000), "nanoseconds", "minimum", "2hrs");
}

static void test_time_to_unit(void **state)
{
	LABEL_IS(10000000, "nanoseconds", "s", "0.01s");
	LABEL_IS(1500000, "nanoseconds", "ms", "1.50ms");
	LABEL_IS(1500000, "nanoseconds", "millisecond", "1.50ms");
	LABEL_IS(1500000, "nanoseconds", "milliseconds", "1.50ms");
	LABEL_IS(1500000, "nanoseconds", "MS", "1.50ms");
	LABEL_IS(1500000, "nanoseconds", "us", "1500us");
	LABEL_IS(1500000, "nanoseconds", "microseconds", "1500us");
	LABEL_IS(1500000, "nanoseconds", "ns", "1500000ns");
	LABEL_IS(2000000000, "nanoseconds", "sec", "2s");
	LABEL_IS(2000000000, "nanoseconds", "seconds", "2s");
	LABEL_IS(INT64_C(5400000000000), "nanoseconds", "hour", "1.50hrs");
	LABEL_IS(INT64_C(5400000000000), "nanoseconds", "hrs", "1.50hrs");
	LABEL_IS(INT64_C(5400000000000), "nanoseconds", "hr", "1.50hrs");
}

static void test_from_unit_names(void **state)
{
	/* case-insensitive, aliases, one trailing 's' dropped when longer than 2 */
	LABEL_IS(90, "Seconds", "auto", "90s");
	LABEL_IS(7200, "SECONDS", "auto", "2hrs");
	LABEL_IS(1500, "millisecond", "auto", "1.50s");
	LABEL_IS(1500, "ms", "auto", "1.50s");
	LABEL_IS(5, "us", "auto", "5us");
	LABEL_IS(5, "microseconds", "auto", "5us");
	LABEL_IS(3, "s", "ms", "3000ms");
	LABEL_IS(3, "kilobytes", "auto", "3kB");
	LABEL_IS(3, "KB", "auto", "3kB");
	LABEL_IS(3, "kbyte", "bytes", "3072B");
	LABEL_IS(2048, "megabytes", "auto", "2GB");
	LABEL_IS(2, "hrs", "auto", "2hrs");
	LABEL_IS(2, "hours", "s", "7200s");
}

static void test_bytes_to_unit(void **state)
{
	LABEL_IS(1536, "bytes", "kb", "1.50kB");
	LABEL_IS(1536, "bytes", "KB", "1.50kB");
	LABEL_IS(1536, "bytes", "kilobytes", "1.50kB");
	LABEL_IS(1048576, "bytes", "mb", "1MB");
	LABEL_IS(1536, "bytes", "bytes", "1536B");
	LABEL_IS(1536, "bytes", "b", "1536B");
	LABEL_IS(INT64_C(1) << 30, "bytes", "mb", "1024MB");
	LABEL_IS(512, "bytes", "kb", "0.50kB");
}

static void test_other_family_falls_back_to_default(void **state)
{
	/* to-unit not in the value's family: the family default (B or s) */
	LABEL_IS(2048, "bytes", "ms", "2048B");
	LABEL_IS(2048, "bytes", "seconds", "2048B");
	LABEL_IS(2048, "bytes", "count", "2048B");
	LABEL_IS(1500000000, "nanoseconds", "bytes", "1.50s");
	LABEL_IS(1500000000, "nanoseconds", "mb", "1.50s");
	LABEL_IS(1500000000, "nanoseconds", "furlongs", "1.50s");
	LABEL_IS(1500000, "nanoseconds", "kb", "0");
	LABEL_IS(15000000, "nanoseconds", "kb", "0.01s");
}

static void test_unknown_units(void **state)
{
	LABEL_IS(12345, "count", "minimum", "12345");
	LABEL_IS(12345, "count", "auto", "12345");
	LABEL_IS(12345, "count", "count", "12345");
	LABEL_IS(12345, "count", "sample", "12345");
	LABEL_IS(12345, "count", "unit", "12345");
	LABEL_IS(-7, "count", "minimum", "-7");
	/* the value goes through a double, as in Go: 2^63-1 prints as 2^63 */
	LABEL_IS(INT64_MAX, "count", "minimum", "9223372036854775808");
	/* an unknown source unit prints the to-unit verbatim (pprof's Scale) */
	LABEL_IS(12345, "count", "ms", "12345ms");
	LABEL_IS(12345, "widgets", "bar", "12345bar");
	LABEL_IS(12345, "", "auto", "12345");
}

static void test_negative(void **state)
{
	LABEL_IS(-60000000, "nanoseconds", "auto", "-60ms");
	LABEL_IS(-1536, "bytes", "auto", "-1.50kB");
	LABEL_IS(-1536, "bytes", "kb", "-1.50kB");
	LABEL_IS(-1, "bytes", "auto", "-1B");
	LABEL_IS(-1100000000, "nanoseconds", "s", "-1.10s");
}

static void test_int64_min(void **state)
{
	/*
	 * Regression (was a bug): units_scale negates INT64_MIN ("-value > 0" is signed overflow).
	 * pprof's Go code sees -value wrap negative, skips the recursion and
	 * converts directly, giving "-9223372036.85s" (no unit reaches >= 1
	 * for a negative value, so the family default "s" is used).  cprof
	 * prints "9223372036.85s" (sign lost) in the -O2 build and aborts
	 * under -fsanitize=undefined.
	 */
	LABEL_IS(INT64_MIN, "nanoseconds", "auto", "-9223372036.85s");
}

static void test_label_truncates_to_buffer(void **state)
{
	char out[5];

	units_label(out, sizeof(out), 1536, "bytes", "auto");
	assert_string_equal(out, "1.50");
	units_label(out, 1, 0, "bytes", "auto");
	assert_string_equal(out, "");
}

static void test_gcu(void **state)
{
	LABEL_IS(2000, "GCU", "kiloGCU", "2k*GCU");
	LABEL_IS(4000, "MilliGCU", "auto", "4GCU");
	LABEL_IS(5000, "nanogcu", "auto", "5u*GCU");
	LABEL_IS(9000, "PetaGCU", "auto", "9000P*GCU");
	LABEL_IS(7, "megaGCU", "gcu", "7000000GCU");
	LABEL_IS(7, "megaGCU", "bytes", "7000000GCU");
}

static void test_scale(void **state)
{
	const char *u = "unset";

	assert_true(units_scale(1536, "bytes", "auto", &u) == 1.5);
	assert_string_equal(u, "kB");
	assert_true(units_scale(1, "s", "ms", &u) == 1000.0);
	assert_string_equal(u, "ms");
	assert_true(units_scale(1, "kb", "b", &u) == 1024.0);
	assert_string_equal(u, "B");
	assert_true(units_scale(1024, "gb", "tb", &u) == 1.0);
	assert_string_equal(u, "TB");
	assert_true(units_scale(2048, "mb", "auto", &u) == 2.0);
	assert_string_equal(u, "GB");
	assert_true(units_scale(-1, "s", "ms", &u) == -1000.0);
	assert_string_equal(u, "ms");
	assert_true(units_scale(1, "foo", "count", &u) == 1.0);
	assert_string_equal(u, "");
	assert_true(units_scale(1, "foo", "bar", &u) == 1.0);
	assert_string_equal(u, "bar");
	assert_true(units_scale(2000, "count", "minimum", &u) == 2000.0);
	assert_string_equal(u, "");
	/* zero has no unit >= 1: the family default */
	assert_true(units_scale(0, "nanoseconds", "auto", &u) == 0.0);
	assert_string_equal(u, "s");
	assert_true(units_scale(0, "bytes", "auto", &u) == 0.0);
	assert_string_equal(u, "B");
}

static void test_units_known(void **state)
{
	assert_true(units_known("ms"));
	assert_true(units_known("MS"));
	assert_true(units_known("seconds"));
	assert_true(units_known("kilobytes"));
	assert_true(units_known("mb"));
	assert_true(units_known("B"));
	assert_true(units_known("hrs"));
	assert_true(units_known("gcu"));
	assert_false(units_known("count"));
	assert_false(units_known("minimum"));
	assert_false(units_known(""));
	/* one trailing 's' goes from names longer than two bytes only */
	assert_true(units_known("mss"));
	assert_false(units_known("m"));
	assert_false(units_known("bs"));
}

static void test_percent(void **state)
{
	PERCENT_IS(1000, 1000, "  100%");
	PERCENT_IS(9996, 10000, "  100%");
	PERCENT_IS(10004, 10000, "  100%");
	PERCENT_IS(999, 1000, "99.90%");
	PERCENT_IS(1001, 1000, "100.10%");
	PERCENT_IS(2000, 1000, "200.00%");
	PERCENT_IS(9846, 10000, "98.46%");
	PERCENT_IS(154, 10000, " 1.54%");
	PERCENT_IS(100, 10000, " 1.00%");
	PERCENT_IS(89, 10000, " 0.89%");
	PERCENT_IS(5, 1000, "  0.5%");
	PERCENT_IS(27, 100000, "0.027%");
	PERCENT_IS(1, 1000000, "0.0001%");
	PERCENT_IS(1, 10000000, "1e-05%");
	PERCENT_IS(0, 1000, "    0%");
	PERCENT_IS(0, 0, "    0%");
	PERCENT_IS(5, 0, "    0%");
}

static void test_percent_negative(void **state)
{
	PERCENT_IS(-154, 10000, " 1.54%");
	PERCENT_IS(154, -10000, " 1.54%");
	PERCENT_IS(-154, -10000, " 1.54%");
	PERCENT_IS(-1000, 1000, "  100%");
	PERCENT_IS(-89, 10000, " 0.89%");
}

static void test_percent_trim(void **state)
{
	PERCENT_TRIM_IS(154, 10000, "1.54%");
	PERCENT_TRIM_IS(9846, 10000, "98.46%");
	PERCENT_TRIM_IS(1000, 1000, "100%");
	PERCENT_TRIM_IS(0, 1000, "0%");
	PERCENT_TRIM_IS(0, 0, "0%");
	PERCENT_TRIM_IS(27, 100000, "0.027%");
	PERCENT_TRIM_IS(5, 1000, "0.5%");
	PERCENT_TRIM_IS(2000, 1000, "200.00%");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bytes_auto),
		cmocka_unit_test(test_zero),
		cmocka_unit_test(test_time_auto),
		cmocka_unit_test(test_time_to_unit),
		cmocka_unit_test(test_from_unit_names),
		cmocka_unit_test(test_bytes_to_unit),
		cmocka_unit_test(test_other_family_falls_back_to_default),
		cmocka_unit_test(test_unknown_units),
		cmocka_unit_test(test_negative),
		cmocka_unit_test(test_int64_min),
		cmocka_unit_test(test_label_truncates_to_buffer),
		cmocka_unit_test(test_gcu),
		cmocka_unit_test(test_scale),
		cmocka_unit_test(test_units_known),
		cmocka_unit_test(test_percent),
		cmocka_unit_test(test_percent_negative),
		cmocka_unit_test(test_percent_trim),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
