#include "model/compat.h"
#include <setjmp.h>
#include <cmocka.h>
#include "model/build.h"

static void test_dedup_and_ids(void **state)
{
	struct cp_builder b;
	struct cp_profile *p;
	uint32_t f1, f2, f3, l1, l2, st[2];
	int64_t v = 7;

	(void)state;
	builder_init(&b);
	builder_sample_type(&b, "samples", "count");
	f1 = builder_function(&b, builder_str(&b, "a"), builder_str(&b, "a"), 0, 0);
	f2 = builder_function(&b, builder_str(&b, "b"), builder_str(&b, "b"), 0, 0);
	f3 = builder_function(&b, builder_str(&b, "a"), builder_str(&b, "a"), 0, 0);
	assert_int_equal(f1, f3);
	assert_int_not_equal(f1, f2);
	l1 = builder_location_at(&b, 0x10);
	l2 = builder_location_at(&b, UINT64_MAX);
	assert_int_equal(builder_location_at(&b, 0x10), l1);
	assert_int_equal(builder_location_at(&b, UINT64_MAX), l2);
	st[0] = l2;
	st[1] = l1;
	builder_sample(&b, st, 2, &v);
	builder_label(&b, builder_str(&b, "bytes"), 0, 64, 0);
	p = builder_finish(&b);
	assert_int_equal(p->nsamples, 1);
	assert_int_equal(p->nlocations, 2);
	assert_int_equal(p->locations[1].id, 2);
	assert_int_equal(p->samples[0].nlabels, 1);
	assert_int_equal(profile_values(p, 0)[0], 7);
	profile_free(p);
}

static void test_compact_orders_by_first_use(void **state)
{
	struct cp_builder b;
	struct cp_profile *p;
	uint32_t a, c, unused, st[2];
	int64_t v = 1;

	(void)state;
	builder_init(&b);
	builder_sample_type(&b, "samples", "count");
	a = builder_location_at(&b, 0xa);
	unused = builder_location_at(&b, 0xb);
	c = builder_location_at(&b, 0xc);
	(void)unused;
	st[0] = c;
	st[1] = a;
	builder_sample(&b, st, 2, &v);
	b.samples[0].depth = 1; /* shortened in place: 'a' is no longer used */
	builder_compact(&b);
	p = builder_finish(&b);
	assert_int_equal(p->nlocations, 1);
	assert_int_equal(p->locations[0].address, 0xc);
	profile_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dedup_and_ids),
		cmocka_unit_test(test_compact_orders_by_first_use),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
