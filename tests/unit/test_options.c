/*
 * test_options.c - the option table (defaults, parsing of each type, error
 * messages, copies) and the command table's lookup.
 */
#include "model/compat.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "model/buf.h"
#include "report/dispatch.h"
#include "report/options.h"

static const struct opt_def *def(const char *name)
{
	const struct opt_def *d = option_find(name);

	if (!d)
		fail_msg("no option %s", name);
	return d;
}

#define SET_OK(o, name, value)                                                   \
	do {                                                                     \
		struct cp_err err_;                                              \
                                                                                 \
		memset(&err_, 0, sizeof(err_));                                  \
		assert_int_equal(option_set((o), def(name), (value), &err_), 0); \
		assert_string_equal(err_.msg, "");                               \
	} while (0)

#define SET_FAILS(o, name, value, want)                                           \
	do {                                                                      \
		struct cp_err err_;                                               \
                                                                                  \
		memset(&err_, 0, sizeof(err_));                                   \
		assert_int_equal(option_set((o), def(name), (value), &err_), -1); \
		assert_string_equal(err_.msg, (want));                            \
	} while (0)

#define GET_IS(o, name, want)                                   \
	do {                                                    \
		char buf_[128];                                 \
                                                                \
		option_get((o), def(name), buf_, sizeof(buf_)); \
		assert_string_equal(buf_, (want));              \
	} while (0)

static void test_defaults(void **state)
{
	struct cp_options o;

	options_init(&o);
	assert_int_equal(o.nodecount, -1);
	assert_true(o.nodefraction == 0.005);
	assert_true(o.edgefraction == 0.001);
	assert_true(o.divide_by == 1.0);
	assert_true(o.trim);
	assert_false(o.mean);
	assert_false(o.noinlines);
	assert_false(o.compact_labels);
	assert_false(o.relative_percentages);
	assert_false(o.call_tree);
	assert_false(o.drop_negative);
	assert_false(o.all_frames);
	assert_string_equal(o.unit, "minimum");
	assert_string_equal(o.granularity, "functions");
	assert_string_equal(o.sort, "flat");
	assert_string_equal(o.sample_index, "");
	assert_string_equal(o.focus, "");
	assert_string_equal(o.ignore, "");
	assert_string_equal(o.hide, "");
	assert_string_equal(o.show, "");
	assert_string_equal(o.show_from, "");
	assert_string_equal(o.tagfocus, "");
	assert_string_equal(o.output, "");
	GET_IS(&o, "nodecount", "-1");
	GET_IS(&o, "nodefraction", "0.005");
	GET_IS(&o, "edgefraction", "0.001");
	GET_IS(&o, "divide_by", "1");
	GET_IS(&o, "trim", "true");
	GET_IS(&o, "mean", "false");
	GET_IS(&o, "unit", "minimum");
	GET_IS(&o, "granularity", "functions");
	GET_IS(&o, "sort", "flat");
	GET_IS(&o, "focus", "");
	options_release(&o);
}

static void test_find(void **state)
{
	const struct opt_def *d;
	const struct choice_def *c;

	d = option_find("nodecount");
	assert_non_null(d);
	assert_string_equal(d->name, "nodecount");
	assert_int_equal(d->type, OPT_INT);
	assert_int_equal(def("trim")->type, OPT_BOOL);
	assert_int_equal(def("nodefraction")->type, OPT_FLOAT);
	assert_int_equal(def("focus")->type, OPT_STRING);
	assert_int_equal(def("granularity")->type, OPT_CHOICE);
	assert_int_equal(def("show_from")->type, OPT_STRING);
	assert_null(option_find("nope"));
	assert_null(option_find(""));
	assert_null(option_find("NodeCount"));
	assert_null(option_find("node"));

	c = choice_find("cum");
	assert_non_null(c);
	assert_string_equal(c->group, "sort");
	c = choice_find("lines");
	assert_non_null(c);
	assert_string_equal(c->group, "granularity");
	assert_string_equal(choice_find("filefunctions")->group, "granularity");
	assert_null(choice_find("nope"));
	assert_null(choice_find("sort"));
}

/* Every row is well formed: unique names, defaults that parse. */
static void test_table_consistent(void **state)
{
	struct cp_options o;

	options_init(&o);
	for (size_t i = 0; i < opt_ndefs; i++) {
		struct cp_err err;

		assert_ptr_equal(option_find(opt_defs[i].name), &opt_defs[i]);
		memset(&err, 0, sizeof(err));
		if (option_set(&o, &opt_defs[i], opt_defs[i].dflt, &err))
			fail_msg("default of %s: %s", opt_defs[i].name, err.msg);
	}
	for (size_t i = 0; i < choice_ndefs; i++) {
		const struct opt_def *g = option_find(choice_defs[i].group);

		assert_non_null(g);
		assert_int_equal(g->type, OPT_CHOICE);
		assert_ptr_equal(choice_find(choice_defs[i].value), &choice_defs[i]);
	}
	for (size_t i = 0; i < shorthand_ndefs; i++)
		assert_null(option_find(shorthand_defs[i].name));
	options_release(&o);
}

static void test_bool_spellings(void **state)
{
	static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True" };
	static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False" };
	struct cp_options o;

	options_init(&o);
	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		o.mean = false;
		SET_OK(&o, "mean", yes[i]);
		assert_true(o.mean);
	}
	for (size_t i = 0; i < ARRAY_SIZE(no); i++) {
		o.trim = true;
		SET_OK(&o, "trim", no[i]);
		assert_false(o.trim);
	}
	SET_OK(&o, "noinlines", "true");
	assert_true(o.noinlines);
	GET_IS(&o, "noinlines", "true");
	options_release(&o);
}

static void test_bool_invalid(void **state)
{
	static const char *const bad[] = {
		/* strconv.ParseBool refuses these */
		"yes", "no", "y", "tRUE", "fAlse", "", "2", " true", "true ", "on",
	};
	struct cp_options o;
	char want[128];

	options_init(&o);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(want, sizeof(want), "invalid boolean value \"%s\" for trim", bad[i]);
		SET_FAILS(&o, "trim", bad[i], want);
		assert_true(o.trim);
	}
	SET_FAILS(&o, "call_tree", "x", "invalid boolean value \"x\" for call_tree");
	assert_false(o.call_tree);
	options_release(&o);
}

static void test_int(void **state)
{
	struct cp_options o;

	options_init(&o);
	SET_OK(&o, "nodecount", "10");
	assert_int_equal(o.nodecount, 10);
	GET_IS(&o, "nodecount", "10");
	SET_OK(&o, "nodecount", "0");
	assert_int_equal(o.nodecount, 0);
	SET_OK(&o, "nodecount", "-1");
	assert_int_equal(o.nodecount, -1);
	SET_OK(&o, "nodecount", "+7");
	assert_int_equal(o.nodecount, 7);
	SET_OK(&o, "nodecount", "2147483647");
	assert_int_equal(o.nodecount, INT_MAX);
	SET_OK(&o, "nodecount", "-2147483648");
	assert_int_equal(o.nodecount, INT_MIN);
	SET_OK(&o, "nodecount", "007");
	assert_int_equal(o.nodecount, 7);
	options_release(&o);
}

static void test_int_invalid(void **state)
{
	static const char *const bad[] = {
		/* not decimal integers, or outside int */
		"", "abc", "1.5", "10abc", "10 ", "0x10", "-", "+", "1e3", "2147483648",
	};
	static const char *const big[] = { "-2147483649", "99999999999999999999" };
	struct cp_options o;
	char want[128];

	options_init(&o);
	SET_OK(&o, "nodecount", "12");
	for (size_t i = 0; i < ARRAY_SIZE(bad) + ARRAY_SIZE(big); i++) {
		const char *v = i < ARRAY_SIZE(bad) ? bad[i] : big[i - ARRAY_SIZE(bad)];

		snprintf(want, sizeof(want), "invalid value \"%s\" for nodecount: want an integer",
			 v);
		SET_FAILS(&o, "nodecount", v, want);
		assert_int_equal(o.nodecount, 12);
	}
	options_release(&o);
}

static void test_float(void **state)
{
	struct cp_options o;

	options_init(&o);
	SET_OK(&o, "nodefraction", "0.5");
	assert_true(o.nodefraction == 0.5);
	GET_IS(&o, "nodefraction", "0.5");
	SET_OK(&o, "nodefraction", ".25");
	assert_true(o.nodefraction == 0.25);
	SET_OK(&o, "nodefraction", "1e-3");
	assert_true(o.nodefraction == 0.001);
	SET_OK(&o, "edgefraction", "0");
	assert_true(o.edgefraction == 0.0);
	GET_IS(&o, "edgefraction", "0");
	SET_OK(&o, "divide_by", "1024");
	assert_true(o.divide_by == 1024.0);
	GET_IS(&o, "divide_by", "1024");
	SET_OK(&o, "divide_by", "-2.5");
	assert_true(o.divide_by == -2.5);
	GET_IS(&o, "divide_by", "-2.5");
	options_release(&o);
}

static void test_float_invalid(void **state)
{
	static const char *const bad[] = {
		/* not numbers, NaN, or out of double's range */
		"", "abc", "0.5x", "nan", "NaN", "1e999", "-1e999", "0.5 ", ".",
	};
	struct cp_options o;
	char want[128];

	options_init(&o);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(want, sizeof(want), "invalid value \"%s\" for nodefraction: want a number",
			 bad[i]);
		SET_FAILS(&o, "nodefraction", bad[i], want);
		assert_true(o.nodefraction == 0.005);
	}
	SET_FAILS(&o, "divide_by", "x", "invalid value \"x\" for divide_by: want a number");
	assert_true(o.divide_by == 1.0);
	options_release(&o);
}

static void test_numbers_leading_space(void **state)
{
	struct cp_options o;

	/*
	 * Regression (was a bug): option_set parses ints with strtol and floats with strtod, and
	 * both skip leading white space, so " 5" and " 0.5" are accepted.
	 * pprof parses with strconv.Atoi / strconv.ParseFloat (and the flag
	 * package's ParseInt), which reject them.
	 * Input: nodecount=" 5", nodefraction=" 0.5".
	 * Expected: -1 with invalid value " 5" for nodecount: want an integer
	 * and invalid value " 0.5" for nodefraction: want a number.
	 * Actual: 0, nodecount = 5, nodefraction = 0.5.
	 */
	options_init(&o);
	SET_FAILS(&o, "nodecount", " 5", "invalid value \" 5\" for nodecount: want an integer");
	SET_FAILS(&o, "nodefraction", " 0.5",
		  "invalid value \" 0.5\" for nodefraction: want a number");
	options_release(&o);
}

static void test_choice(void **state)
{
	struct cp_options o;

	options_init(&o);
	SET_OK(&o, "granularity", "lines");
	assert_string_equal(o.granularity, "lines");
	SET_OK(&o, "granularity", "addresses");
	assert_string_equal(o.granularity, "addresses");
	SET_OK(&o, "sort", "cum");
	assert_string_equal(o.sort, "cum");
	GET_IS(&o, "sort", "cum");
	/* a value of another group is refused */
	SET_FAILS(&o, "granularity", "cum", "invalid value \"cum\" for granularity");
	SET_FAILS(&o, "sort", "lines", "invalid value \"lines\" for sort");
	SET_FAILS(&o, "sort", "", "invalid value \"\" for sort");
	SET_FAILS(&o, "sort", "Cum", "invalid value \"Cum\" for sort");
	SET_FAILS(&o, "granularity", "function", "invalid value \"function\" for granularity");
	assert_string_equal(o.granularity, "addresses");
	assert_string_equal(o.sort, "cum");
	options_release(&o);
}

static void test_string_owned(void **state)
{
	struct cp_options o;
	char value[16];

	options_init(&o);
	memcpy(value, "main\\.", 7);
	SET_OK(&o, "focus", value);
	value[0] = 'X';
	assert_string_equal(o.focus, "main\\.");
	assert_ptr_not_equal(o.focus, value);
	SET_OK(&o, "focus", "");
	assert_string_equal(o.focus, "");
	/* strings are free-form, also for unit */
	SET_OK(&o, "unit", "anything at all");
	assert_string_equal(o.unit, "anything at all");
	SET_OK(&o, "sample_index", "inuse_space");
	GET_IS(&o, "sample_index", "inuse_space");
	options_release(&o);
}

static void test_copy_independent(void **state)
{
	struct cp_options a, b;

	options_init(&a);
	SET_OK(&a, "focus", "foo");
	SET_OK(&a, "nodecount", "5");
	SET_OK(&a, "sort", "cum");
	options_copy(&b, &a);
	assert_string_equal(b.focus, "foo");
	assert_int_equal(b.nodecount, 5);
	assert_string_equal(b.sort, "cum");
	assert_ptr_not_equal(b.focus, a.focus);
	assert_ptr_not_equal(b.sort, a.sort);
	assert_ptr_not_equal(b.unit, a.unit);
	SET_OK(&b, "focus", "bar");
	SET_OK(&b, "nodecount", "9");
	SET_OK(&b, "sort", "flat");
	assert_string_equal(a.focus, "foo");
	assert_int_equal(a.nodecount, 5);
	assert_string_equal(a.sort, "cum");
	/* releasing one leaves the other whole */
	options_release(&a);
	assert_null(a.focus);
	assert_string_equal(b.focus, "bar");
	assert_string_equal(b.unit, "minimum");
	options_release(&b);
	options_release(&b);
}

static void test_shorthands(void **state)
{
	bool found = false;

	for (size_t i = 0; i < shorthand_ndefs; i++) {
		if (strcmp(shorthand_defs[i].name, "mean_delay"))
			continue;
		found = true;
		assert_string_equal(shorthand_defs[i].sample_index, "delay");
		assert_true(shorthand_defs[i].mean);
	}
	assert_true(found);
}

static void test_command_find(void **state)
{
	const struct cp_command *top = command_find("top");
	const struct cp_command *text = command_find("text");
	const struct cp_command *peek = command_find("disasm");

	assert_non_null(top);
	assert_string_equal(top->name, "top");
	assert_non_null(top->run);
	assert_true(top->flags & CMDF_TEXT);
	assert_false(top->flags & CMDF_REGEX);
	assert_string_equal(top->args, "");
	assert_non_null(text);
	assert_string_equal(text->name, "text");
	assert_ptr_equal(text->run, top->run);
	assert_non_null(peek);
	assert_null(peek->run);
	assert_true(peek->flags & CMDF_REGEX);
	assert_string_equal(peek->args, "regexp");
	assert_null(command_find("unknown"));
	assert_null(command_find(""));
	assert_null(command_find("Top"));
	assert_null(command_find("top5"));
	assert_null(command_find("-top"));
	for (size_t i = 0; i < ncommands; i++)
		assert_ptr_equal(command_find(commands[i].name), &commands[i]);
}

static void test_reserved_command_refused(void **state)
{
	struct cp_profile *p = profile_new();
	struct cp_options o;
	struct buf out = BUF_INIT, warn = BUF_INIT;
	struct cp_err err;

	options_init(&o);
	memset(&err, 0, sizeof(err));
	assert_int_equal(dispatch_run(p, &o, command_find("disasm"), "main", &out, &warn, &err),
			 -1);
	assert_string_equal(err.msg, "the disasm report is not available in this version of cprof");
	assert_int_equal(dispatch_run(p, &o, command_find("gv"), NULL, &out, &warn, &err), -1);
	assert_string_equal(err.msg, "the gv report is not available in this version of cprof");
	assert_int_equal(out.len, 0);
	buf_release(&out);
	buf_release(&warn);
	options_release(&o);
	profile_free(p);
}

static void test_help_tables(void **state)
{
	struct buf b;

	buf_init(&b);
	help_commands(&b, "  ");
	assert_true(!strncmp(b.buf, "  top                Outputs top entries in text form\n", 54));
	assert_non_null(strstr(b.buf, "\n  peek regexp        Output callers/callees of functions "
				      "matching regexp\n"));
	assert_non_null(strstr(b.buf,
			       "\n  disasm regexp      Output assembly listings annotated with "
			       "samples (not available yet)\n"));
	buf_reset(&b);
	help_options(&b, "");
	assert_non_null(strstr(b.buf, "-nodecount=...           Max number of nodes to show (-1 = "
				      "per-report default) (default -1)\n"));
	assert_non_null(strstr(b.buf, "\n-trim                    "));
	assert_non_null(strstr(b.buf,
			       "\nsort (default flat):\n  -flat                   Sort entries "
			       "based on own weight\n  -cum                    Sort entries "
			       "based on cumulative weight\n"));
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_table_consistent),
		cmocka_unit_test(test_bool_spellings),
		cmocka_unit_test(test_bool_invalid),
		cmocka_unit_test(test_int),
		cmocka_unit_test(test_int_invalid),
		cmocka_unit_test(test_float),
		cmocka_unit_test(test_float_invalid),
		cmocka_unit_test(test_numbers_leading_space),
		cmocka_unit_test(test_choice),
		cmocka_unit_test(test_string_owned),
		cmocka_unit_test(test_copy_independent),
		cmocka_unit_test(test_shorthands),
		cmocka_unit_test(test_command_find),
		cmocka_unit_test(test_reserved_command_refused),
		cmocka_unit_test(test_help_tables),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
