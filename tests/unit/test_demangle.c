#include "model/compat.h"
#include <setjmp.h>
#include <cmocka.h>
#include "model/demangle.h"

static void expect(const char *mangled, enum cp_demangle mode, const char *want)
{
	char *got = cp_demangle(mangled, mode);

	if (!want) {
		assert_null(got);
		return;
	}
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_modes(void **state)
{
	const char *m = "_ZN2ns5ValueIiE3getERKSt6vectorIiSaIiEE";

	(void)state;
	expect(m, CP_DEMANGLE_FULL,
	       "ns::Value<int>::get(std::vector<int, std::allocator<int> > const&)");
	expect(m, CP_DEMANGLE_TEMPLATES, "ns::Value<int>::get");
	expect(m, CP_DEMANGLE_SIMPLE, "ns::Value::get");
	expect(m, CP_DEMANGLE_NONE, NULL);
}

static void test_not_mangled(void **state)
{
	(void)state;
	expect("main", CP_DEMANGLE_FULL, NULL);
	expect("_Znot a name", CP_DEMANGLE_FULL, NULL);
}

static void test_operators_keep_angle_brackets(void **state)
{
	(void)state;
	/* bool ns::operator<(ns::A const&, ns::A const&) */
	expect("_ZN2nsltERKNS_1AES2_", CP_DEMANGLE_SIMPLE, "ns::operator<");
	/* ns::A::operator<<(int) */
	expect("_ZN2ns1AlsEi", CP_DEMANGLE_SIMPLE, "ns::A::operator<<");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_modes),
		cmocka_unit_test(test_not_mangled),
		cmocka_unit_test(test_operators_keep_angle_brackets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
