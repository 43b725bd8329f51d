/*
 * test_load.c - profile_parse on profiles packed in memory with protobuf-c:
 * what a good profile turns into, and the exact message for each kind of
 * bad input.  Also profile_sample_index.
 */
#include "model/compat.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <zlib.h>
#include "profile.pb-c.h"
#include "model/alloc.h"
#include "model/profile.h"

#define BIG_ID (UINT64_C(1) << 40)

/* Capacities of the fixture's arrays. */
#define MAX_ST	  4
#define MAX_S	  8
#define MAX_IDS	  4
#define MAX_LAB	  4
#define MAX_LOC	  8
#define MAX_LINES 4
#define MAX_FN	  8
#define MAX_MAP	  4
#define MAX_STR	  32

/*
 * Everything a test profile needs, with the pointer arrays protobuf-c
 * wants pointing into the same struct: build it in place, never copy it.
 */
struct fixture {
	Perftools__Profiles__Profile prof;
	Perftools__Profiles__ValueType st[MAX_ST], *stp[MAX_ST];
	Perftools__Profiles__ValueType period_type;
	Perftools__Profiles__Sample smp[MAX_S], *smpp[MAX_S];
	uint64_t locid[MAX_S][MAX_IDS];
	int64_t val[MAX_S][MAX_IDS];
	Perftools__Profiles__Label lab[MAX_LAB], *labp[MAX_LAB];
	Perftools__Profiles__Mapping map[MAX_MAP], *mapp[MAX_MAP];
	Perftools__Profiles__Location loc[MAX_LOC], *locp[MAX_LOC];
	Perftools__Profiles__Line line[MAX_LOC][MAX_LINES], *linep[MAX_LOC][MAX_LINES];
	Perftools__Profiles__Function fn[MAX_FN], *fnp[MAX_FN];
	char *strs[MAX_STR];
	int64_t comments[4];
};

/* String 9 repeats string 5: interning must give both one id. */
static const char *const good_strings[] = {
	"",		    /* 0 */
	"samples",	    /* 1 */
	"count",	    /* 2 */
	"cpu",		    /* 3 */
	"nanoseconds",	    /* 4 */
	"main",		    /* 5 */
	"main.go",	    /* 6 */
	"foo",		    /* 7 */
	"/bin/app",	    /* 8 */
	"main",		    /* 9: the same as 5 */
	"buildid",	    /* 10 */
	"runtime.mallocgc", /* 11 */
};

static struct fixture *fixture_new(void)
{
	struct fixture *f = xcalloc(1, sizeof(*f));

	perftools__profiles__profile__init(&f->prof);
	perftools__profiles__value_type__init(&f->period_type);
	for (size_t i = 0; i < MAX_ST; i++) {
		perftools__profiles__value_type__init(&f->st[i]);
		f->stp[i] = &f->st[i];
	}
	for (size_t i = 0; i < MAX_S; i++) {
		perftools__profiles__sample__init(&f->smp[i]);
		f->smp[i].location_id = f->locid[i];
		f->smp[i].value = f->val[i];
		f->smpp[i] = &f->smp[i];
	}
	for (size_t i = 0; i < MAX_LAB; i++) {
		perftools__profiles__label__init(&f->lab[i]);
		f->labp[i] = &f->lab[i];
	}
	for (size_t i = 0; i < MAX_MAP; i++) {
		perftools__profiles__mapping__init(&f->map[i]);
		f->mapp[i] = &f->map[i];
	}
	for (size_t i = 0; i < MAX_LOC; i++) {
		perftools__profiles__location__init(&f->loc[i]);
		f->loc[i].line = f->linep[i];
		f->locp[i] = &f->loc[i];
		for (size_t k = 0; k < MAX_LINES; k++) {
			perftools__profiles__line__init(&f->line[i][k]);
			f->linep[i][k] = &f->line[i][k];
		}
	}
	for (size_t i = 0; i < MAX_FN; i++) {
		perftools__profiles__function__init(&f->fn[i]);
		f->fnp[i] = &f->fn[i];
	}
	f->prof.sample_type = f->stp;
	f->prof.sample = f->smpp;
	f->prof.mapping = f->mapp;
	f->prof.location = f->locp;
	f->prof.function = f->fnp;
	f->prof.string_table = f->strs;
	f->prof.comment = f->comments;
	return f;
}

static void set_strings(struct fixture *f, const char *const *s, size_t n)
{
	assert_true(n <= MAX_STR);
	for (size_t i = 0; i < n; i++)
		f->strs[i] = (char *)s[i];
	f->prof.n_string_table = n;
}

static void add_line(Perftools__Profiles__Location *l, uint64_t fid, int64_t line, int64_t col)
{
	Perftools__Profiles__Line *ln = l->line[l->n_line++];

	ln->function_id = fid;
	ln->line = line;
	ln->column = col;
}

static void set_sample(struct fixture *f, size_t i, const uint64_t *ids, size_t nids,
		       const int64_t *vals, size_t nvals)
{
	memcpy(f->locid[i], ids, nids * sizeof(*ids));
	memcpy(f->val[i], vals, nvals * sizeof(*vals));
	f->smp[i].n_location_id = nids;
	f->smp[i].n_value = nvals;
}

/*
 * A small CPU profile with sparse ids: mapping 1<<40; functions 1000, 7, 3
 * (3 and 1000 are both named "main", from two string table slots);
 * locations 1<<40, 7 (two lines, no mapping) and 1000; three samples.
 */
static struct fixture *fixture_good(void)
{
	struct fixture *f = fixture_new();
	Perftools__Profiles__Location *l;

	set_strings(f, good_strings, ARRAY_SIZE(good_strings));
	f->st[0].type = 1;
	f->st[0].unit = 2;
	f->st[1].type = 3;
	f->st[1].unit = 4;
	f->prof.n_sample_type = 2;

	f->map[0].id = BIG_ID;
	f->map[0].memory_start = 0x400000;
	f->map[0].memory_limit = 0x500000;
	f->map[0].file_offset = 0x1000;
	f->map[0].filename = 8;
	f->map[0].build_id = 10;
	f->map[0].has_functions = 1;
	f->prof.n_mapping = 1;

	f->fn[0].id = 1000;
	f->fn[0].name = 5;
	f->fn[0].system_name = 11;
	f->fn[0].filename = 6;
	f->fn[0].start_line = 3;
	f->fn[1].id = 7;
	f->fn[1].name = 7;
	f->fn[1].filename = 6;
	f->fn[2].id = 3;
	f->fn[2].name = 9;
	f->fn[2].filename = 6;
	f->prof.n_function = 3;

	l = &f->loc[0];
	l->id = BIG_ID;
	l->mapping_id = BIG_ID;
	l->address = 0x401000;
	add_line(l, 1000, 10, 0);
	l = &f->loc[1];
	l->id = 7;
	add_line(l, 7, 20, 4);
	add_line(l, 1000, 11, 0);
	l = &f->loc[2];
	l->id = 1000;
	l->mapping_id = BIG_ID;
	l->address = 0x402000;
	l->is_folded = 1;
	add_line(l, 3, 5, 0);
	f->prof.n_location = 3;

	set_sample(f, 0, (const uint64_t[]){ 7, BIG_ID }, 2, (const int64_t[]){ 1, 10000000 }, 2);
	set_sample(f, 1, (const uint64_t[]){ 1000 }, 1, (const int64_t[]){ 2, 20000000 }, 2);
	set_sample(f, 2, (const uint64_t[]){ BIG_ID }, 1, (const int64_t[]){ 3, 30000000 }, 2);
	f->prof.n_sample = 3;
	f->lab[0].key = 7;
	f->lab[0].str = 5;
	f->smp[0].label = &f->labp[0];
	f->smp[0].n_label = 1;
	f->lab[1].key = 7;
	f->lab[1].num = 42;
	f->lab[1].num_unit = 2;
	f->smp[1].label = &f->labp[1];
	f->smp[1].n_label = 1;

	f->period_type.type = 3;
	f->period_type.unit = 4;
	f->prof.period_type = &f->period_type;
	f->prof.period = 10000000;
	f->prof.time_nanos = 1234567890;
	f->prof.duration_nanos = 5000000000;
	f->comments[0] = 7;
	f->comments[1] = 5;
	f->prof.n_comment = 2;
	f->prof.default_sample_type = 3;
	return f;
}

static unsigned char *pack(const Perftools__Profiles__Profile *prof, size_t *len)
{
	size_t n = perftools__profiles__profile__get_packed_size(prof);
	unsigned char *out = xmalloc(n);

	*len = perftools__profiles__profile__pack(prof, out);
	assert_int_equal(*len, n);
	return out;
}

static unsigned char *gzip(const unsigned char *in, size_t len, int level, size_t *outlen)
{
	z_stream zs;
	unsigned char *out;
	size_t cap;

	memset(&zs, 0, sizeof(zs));
	assert_int_equal(deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY),
			 Z_OK);
	cap = deflateBound(&zs, (uLong)len) + 16;
	out = xmalloc(cap);
	zs.next_in = (unsigned char *)in;
	zs.avail_in = (uInt)len;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	*outlen = zs.total_out;
	deflateEnd(&zs);
	return out;
}

static size_t varint_len(uint64_t n)
{
	size_t v = 1;

	while (n >= 0x80) {
		n >>= 7;
		v++;
	}
	return v;
}

/* Size of a length-delimited field of number < 16 whose body is 'body' bytes. */
static size_t submsg_field_size(size_t body)
{
	return 1 + varint_len(body) + body;
}

#define PARSE_FAILS(data, len, want)                      \
	do {                                              \
		struct cp_err err_;                       \
		struct cp_profile *p_;                    \
                                                          \
		memset(&err_, 0, sizeof(err_));           \
		p_ = profile_parse((data), (len), &err_); \
		assert_null(p_);                          \
		assert_string_equal(err_.msg, (want));    \
	} while (0)

/* Pack the fixture, parse it raw and gzipped: both must fail with 'want'. */
#define FIXTURE_FAILS(f, want)                             \
	do {                                               \
		size_t n_, gn_;                            \
		unsigned char *d_ = pack(&(f)->prof, &n_); \
		unsigned char *g_ = gzip(d_, n_, 6, &gn_); \
                                                           \
		PARSE_FAILS(d_, n_, (want));               \
		PARSE_FAILS(g_, gn_, (want));              \
		free(d_);                                  \
		free(g_);                                  \
	} while (0)

static struct cp_profile *parse_ok(const unsigned char *data, size_t len)
{
	struct cp_err err;
	struct cp_profile *p;

	memset(&err, 0, sizeof(err));
	p = profile_parse(data, len, &err);
	if (!p)
		fail_msg("profile_parse: %s", err.msg);
	assert_string_equal(err.msg, "");
	return p;
}

static struct cp_profile *parse_fixture(const struct fixture *f)
{
	size_t n;
	unsigned char *d = pack(&f->prof, &n);
	struct cp_profile *p = parse_ok(d, n);

	free(d);
	return p;
}

static const char *str(const struct cp_profile *p, uint32_t id)
{
	assert_true(id < p->strs.n);
	return profile_str(p, id);
}

static void check_good(const struct cp_profile *p)
{
	const struct cp_location *l;
	const struct cp_sample *s;
	const struct cp_label *lb;
	const int64_t *v;

	/* distinct strings: the two "main" entries became one */
	assert_int_equal(p->strs.n, 11);

	assert_int_equal(p->nsample_types, 2);
	assert_string_equal(str(p, p->sample_types[0].type), "samples");
	assert_string_equal(str(p, p->sample_types[0].unit), "count");
	assert_string_equal(str(p, p->sample_types[1].type), "cpu");
	assert_string_equal(str(p, p->sample_types[1].unit), "nanoseconds");
	assert_string_equal(str(p, p->period_type.type), "cpu");
	assert_string_equal(str(p, p->period_type.unit), "nanoseconds");
	assert_int_equal(p->period, 10000000);
	assert_int_equal(p->time_nanos, 1234567890);
	assert_int_equal(p->duration_nanos, 5000000000);
	assert_string_equal(str(p, p->default_sample_type), "cpu");
	assert_int_equal(p->drop_frames, 0);
	assert_int_equal(p->keep_frames, 0);
	assert_int_equal(p->doc_url, 0);
	assert_int_equal(p->ncomments, 2);
	assert_string_equal(str(p, p->comments[0]), "foo");
	assert_string_equal(str(p, p->comments[1]), "main");

	assert_int_equal(p->nmappings, 1);
	assert_true(p->mappings[0].id == BIG_ID);
	assert_int_equal(p->mappings[0].start, 0x400000);
	assert_int_equal(p->mappings[0].limit, 0x500000);
	assert_int_equal(p->mappings[0].offset, 0x1000);
	assert_string_equal(str(p, p->mappings[0].file), "/bin/app");
	assert_string_equal(str(p, p->mappings[0].build_id), "buildid");
	assert_true(p->mappings[0].has_functions);
	assert_false(p->mappings[0].has_filenames);
	assert_false(p->mappings[0].has_line_numbers);
	assert_false(p->mappings[0].has_inline_frames);

	assert_int_equal(p->nfunctions, 3);
	assert_int_equal(p->functions[0].id, 1000);
	assert_int_equal(p->functions[1].id, 7);
	assert_int_equal(p->functions[2].id, 3);
	assert_string_equal(str(p, p->functions[0].name), "main");
	assert_int_equal(p->functions[2].name, p->functions[0].name);
	assert_string_equal(str(p, p->functions[1].name), "foo");
	assert_string_equal(str(p, p->functions[0].system_name), "runtime.mallocgc");
	assert_int_equal(p->functions[1].system_name, 0);
	assert_string_equal(str(p, p->functions[0].filename), "main.go");
	assert_int_equal(p->functions[1].filename, p->functions[0].filename);
	assert_int_equal(p->functions[0].start_line, 3);

	/* ids become indices in file order */
	assert_int_equal(p->nlocations, 3);
	assert_int_equal(p->nlines, 4);
	l = &p->locations[0];
	assert_true(l->id == BIG_ID);
	assert_int_equal(l->mapping, 0);
	assert_int_equal(l->address, 0x401000);
	assert_int_equal(l->nlines, 1);
	assert_int_equal(p->lines[l->line_off].function, 0);
	assert_int_equal(p->lines[l->line_off].line, 10);
	assert_false(l->is_folded);
	l = &p->locations[1];
	assert_int_equal(l->id, 7);
	assert_int_equal(l->mapping, CP_NONE);
	assert_int_equal(l->nlines, 2);
	assert_int_equal(p->lines[l->line_off].function, 1);
	assert_int_equal(p->lines[l->line_off].line, 20);
	assert_int_equal(p->lines[l->line_off].column, 4);
	assert_int_equal(p->lines[l->line_off + 1].function, 0);
	assert_int_equal(p->lines[l->line_off + 1].line, 11);
	l = &p->locations[2];
	assert_int_equal(l->id, 1000);
	assert_int_equal(l->mapping, 0);
	assert_int_equal(l->nlines, 1);
	assert_int_equal(p->lines[l->line_off].function, 2);
	assert_true(l->is_folded);

	assert_int_equal(p->nsamples, 3);
	assert_int_equal(p->nstack, 4);
	s = &p->samples[0];
	assert_int_equal(s->depth, 2);
	assert_int_equal(p->stack[s->stack_off], 1);
	assert_int_equal(p->stack[s->stack_off + 1], 0);
	s = &p->samples[1];
	assert_int_equal(s->depth, 1);
	assert_int_equal(p->stack[s->stack_off], 2);
	s = &p->samples[2];
	assert_int_equal(s->depth, 1);
	assert_int_equal(p->stack[s->stack_off], 0);
	v = profile_values(p, 0);
	assert_int_equal(v[0], 1);
	assert_int_equal(v[1], 10000000);
	v = profile_values(p, 1);
	assert_int_equal(v[0], 2);
	assert_int_equal(v[1], 20000000);
	v = profile_values(p, 2);
	assert_int_equal(v[0], 3);
	assert_int_equal(v[1], 30000000);

	assert_int_equal(p->nlabels, 2);
	assert_int_equal(p->samples[0].nlabels, 1);
	lb = &p->labels[p->samples[0].label_off];
	assert_string_equal(str(p, lb->key), "foo");
	assert_string_equal(str(p, lb->str), "main");
	assert_int_equal(p->samples[1].nlabels, 1);
	lb = &p->labels[p->samples[1].label_off];
	assert_string_equal(str(p, lb->key), "foo");
	assert_int_equal(lb->str, 0);
	assert_int_equal(lb->num, 42);
	assert_string_equal(str(p, lb->num_unit), "count");
	assert_int_equal(p->samples[2].nlabels, 0);
}

static void test_good_profile(void **state)
{
	struct fixture *f = fixture_good();
	struct cp_profile *p = parse_fixture(f);

	check_good(p);
	profile_free(p);
	free(f);
}

static void assert_same_profile(const struct cp_profile *a, const struct cp_profile *b)
{
	assert_int_equal(a->strs.n, b->strs.n);
	for (uint32_t i = 0; i < a->strs.n; i++) {
		assert_int_equal(strtab_len(&a->strs, i), strtab_len(&b->strs, i));
		assert_memory_equal(profile_str(a, i), profile_str(b, i), strtab_len(&a->strs, i));
	}
	assert_int_equal(a->nsample_types, b->nsample_types);
	assert_int_equal(a->nsamples, b->nsamples);
	assert_int_equal(a->nstack, b->nstack);
	assert_int_equal(a->nlocations, b->nlocations);
	assert_int_equal(a->nlines, b->nlines);
	assert_int_equal(a->nfunctions, b->nfunctions);
	assert_int_equal(a->nmappings, b->nmappings);
	assert_int_equal(a->nlabels, b->nlabels);
	assert_int_equal(a->ncomments, b->ncomments);
	assert_int_equal(a->period, b->period);
	assert_int_equal(a->time_nanos, b->time_nanos);
	assert_int_equal(a->duration_nanos, b->duration_nanos);
	assert_int_equal(a->default_sample_type, b->default_sample_type);
	if (a->nstack)
		assert_memory_equal(a->stack, b->stack, a->nstack * sizeof(*a->stack));
	if (a->nsamples)
		assert_memory_equal(a->values, b->values,
				    a->nsamples * a->nsample_types * sizeof(*a->values));
	for (size_t i = 0; i < a->nsamples; i++) {
		assert_int_equal(a->samples[i].stack_off, b->samples[i].stack_off);
		assert_int_equal(a->samples[i].depth, b->samples[i].depth);
		assert_int_equal(a->samples[i].label_off, b->samples[i].label_off);
		assert_int_equal(a->samples[i].nlabels, b->samples[i].nlabels);
	}
	for (size_t i = 0; i < a->nlocations; i++) {
		assert_int_equal(a->locations[i].id, b->locations[i].id);
		assert_int_equal(a->locations[i].mapping, b->locations[i].mapping);
		assert_int_equal(a->locations[i].address, b->locations[i].address);
		assert_int_equal(a->locations[i].line_off, b->locations[i].line_off);
		assert_int_equal(a->locations[i].nlines, b->locations[i].nlines);
	}
	for (size_t i = 0; i < a->nlines; i++) {
		assert_int_equal(a->lines[i].function, b->lines[i].function);
		assert_int_equal(a->lines[i].line, b->lines[i].line);
	}
	for (size_t i = 0; i < a->nfunctions; i++) {
		assert_int_equal(a->functions[i].id, b->functions[i].id);
		assert_int_equal(a->functions[i].name, b->functions[i].name);
		assert_int_equal(a->functions[i].filename, b->functions[i].filename);
	}
	for (size_t i = 0; i < a->nlabels; i++) {
		assert_int_equal(a->labels[i].key, b->labels[i].key);
		assert_int_equal(a->labels[i].str, b->labels[i].str);
		assert_int_equal(a->labels[i].num, b->labels[i].num);
	}
}

static void test_gzip_same_as_raw(void **state)
{
	struct fixture *f = fixture_good();
	size_t n, gn, sn;
	unsigned char *raw = pack(&f->prof, &n);
	unsigned char *gz = gzip(raw, n, 9, &gn);
	unsigned char *stored = gzip(raw, n, 0, &sn);
	struct cp_profile *a = parse_ok(raw, n);
	struct cp_profile *b = parse_ok(gz, gn);
	struct cp_profile *c = parse_ok(stored, sn);

	assert_int_equal(gz[0], 0x1f);
	assert_int_equal(gz[1], 0x8b);
	check_good(b);
	check_good(c);
	assert_same_profile(a, b);
	assert_same_profile(a, c);
	profile_free(a);
	profile_free(b);
	profile_free(c);
	free(raw);
	free(gz);
	free(stored);
	free(f);
}

/* Two gzip members, each holding half of the bytes, read as one stream. */
static void test_gzip_multiple_members(void **state)
{
	struct fixture *f = fixture_good();
	size_t n, g1n, g2n;
	unsigned char *raw = pack(&f->prof, &n);
	unsigned char *g1 = gzip(raw, n / 2, 6, &g1n);
	unsigned char *g2 = gzip(raw + n / 2, n - n / 2, 6, &g2n);
	unsigned char *both = xmalloc(g1n + g2n);
	struct cp_profile *p;

	memcpy(both, g1, g1n);
	memcpy(both + g1n, g2, g2n);
	p = parse_ok(both, g1n + g2n);
	check_good(p);
	profile_free(p);
	free(both);
	free(g1);
	free(g2);
	free(raw);
	free(f);
}

static void test_dense_ids(void **state)
{
	struct fixture *f = fixture_good();
	struct cp_profile *p;

	/* small ids take the array path of the id index instead of the hash map */
	f->map[0].id = 2;
	f->loc[0].id = 2;
	f->loc[0].mapping_id = 2;
	f->loc[2].mapping_id = 2;
	f->locid[0][1] = 2;
	f->locid[2][0] = 2;
	p = parse_fixture(f);
	assert_int_equal(p->locations[0].id, 2);
	assert_int_equal(p->locations[0].mapping, 0);
	assert_int_equal(p->stack[p->samples[0].stack_off + 1], 0);
	assert_int_equal(p->stack[p->samples[2].stack_off], 0);
	assert_int_equal(p->stack[p->samples[1].stack_off], 2);
	profile_free(p);
	free(f);
}

static void test_minimal_profile(void **state)
{
	struct fixture *f = fixture_new();
	static const char *const s[] = { "" };
	struct cp_profile *p;

	set_strings(f, s, 1);
	p = parse_fixture(f);
	assert_int_equal(p->nsamples, 0);
	assert_int_equal(p->nsample_types, 0);
	assert_int_equal(p->nlocations, 0);
	assert_int_equal(p->strs.n, 1);
	profile_free(p);
	free(f);
}

static void test_empty_input(void **state)
{
	static const unsigned char none[1];
	size_t gn;
	unsigned char *gz = gzip(none, 0, 6, &gn);

	PARSE_FAILS(none, 0, "empty input");
	PARSE_FAILS(gz, gn, "empty input (gzip data decompresses to nothing)");
	free(gz);
}

static void test_string_table_zero_not_empty(void **state)
{
	struct fixture *f = fixture_good();

	f->strs[0] = (char *)"x";
	FIXTURE_FAILS(f, "profile: string_table[0] must be the empty string");
	free(f);
}

static void test_missing_string_table(void **state)
{
	struct fixture *f = fixture_good();

	f->prof.n_string_table = 0;
	FIXTURE_FAILS(f, "profile: string_table[0] must be the empty string");
	free(f);
}

static void test_string_index_out_of_range(void **state)
{
	struct fixture *f = fixture_good();

	f->fn[1].name = 12;
	FIXTURE_FAILS(f, "profile: string index out of range: function id 7 name");
	f->fn[1].name = -1;
	FIXTURE_FAILS(f, "profile: string index out of range: function id 7 name");
	f->fn[1].name = 7;
	f->fn[2].filename = INT64_MAX;
	FIXTURE_FAILS(f, "profile: string index out of range: function id 3 filename");
	f->fn[2].filename = 6;
	f->map[0].build_id = 100;
	FIXTURE_FAILS(f, "profile: string index out of range: mapping id 1099511627776 build_id");
	f->map[0].build_id = 10;
	f->st[1].unit = 40;
	FIXTURE_FAILS(f, "profile: string index out of range: sample_type 2 unit");
	f->st[1].unit = 4;
	f->lab[1].num_unit = 12;
	FIXTURE_FAILS(f, "profile: string index out of range: label 2 unit");
	f->lab[1].num_unit = 2;
	f->comments[1] = 12;
	FIXTURE_FAILS(f, "profile: string index out of range: comment 2");
	free(f);
}

static void test_sample_missing_location(void **state)
{
	struct fixture *f = fixture_good();

	f->locid[1][0] = 999;
	FIXTURE_FAILS(f, "profile: sample 2 refers to missing location id 999");
	f->locid[1][0] = BIG_ID + 1;
	FIXTURE_FAILS(f, "profile: sample 2 refers to missing location id 1099511627777");
	free(f);
}

static void test_location_missing_function(void **state)
{
	struct fixture *f = fixture_good();

	f->line[1][1].function_id = 55;
	FIXTURE_FAILS(f, "profile: location id 7 line 2 refers to missing function id 55");
	/* a line without a function id */
	f->line[1][1].function_id = 0;
	FIXTURE_FAILS(f, "profile: location id 7 line 2 refers to missing function id 0");
	free(f);
}

static void test_location_missing_mapping(void **state)
{
	struct fixture *f = fixture_good();

	f->loc[2].mapping_id = 5;
	FIXTURE_FAILS(f, "profile: location id 1000 refers to missing mapping id 5");
	free(f);
}

static void test_duplicate_ids(void **state)
{
	struct fixture *f = fixture_good();

	/* small ids: the array index */
	f->fn[2].id = 7;
	FIXTURE_FAILS(f, "profile: duplicate function id 7");
	f->fn[2].id = 3;
	/* sparse ids: the hash map */
	f->loc[2].id = BIG_ID;
	FIXTURE_FAILS(f, "profile: duplicate location id 1099511627776");
	f->loc[2].id = 1000;
	f->map[1] = f->map[0];
	f->prof.n_mapping = 2;
	FIXTURE_FAILS(f, "profile: duplicate mapping id 1099511627776");
	free(f);
}

static void test_reserved_id_zero(void **state)
{
	struct fixture *f = fixture_good();

	f->loc[1].id = 0;
	FIXTURE_FAILS(f, "profile: location 2 has reserved id 0");
	f->loc[1].id = 7;
	f->fn[0].id = 0;
	FIXTURE_FAILS(f, "profile: function 1 has reserved id 0");
	f->fn[0].id = 1000;
	f->map[0].id = 0;
	FIXTURE_FAILS(f, "profile: mapping 1 has reserved id 0");
	free(f);
}

static void test_wrong_number_of_values(void **state)
{
	struct fixture *f = fixture_good();

	f->smp[2].n_value = 1;
	FIXTURE_FAILS(f, "profile: sample 3 has 1 values but there are 2 sample types");
	f->smp[2].n_value = 3;
	FIXTURE_FAILS(f, "profile: sample 3 has 3 values but there are 2 sample types");
	f->smp[2].n_value = 2;
	f->smp[0].n_value = 0;
	FIXTURE_FAILS(f, "profile: sample 1 has 0 values but there are 2 sample types");
	free(f);
}

static void test_samples_without_sample_types(void **state)
{
	struct fixture *f = fixture_good();

	f->prof.n_sample_type = 0;
	FIXTURE_FAILS(f, "profile: missing sample type information");
	free(f);
}

static void test_truncated_protobuf(void **state)
{
	struct fixture *f = fixture_good();
	size_t n, off = 0, s1;
	unsigned char *raw = pack(&f->prof, &n);
	char want[128];

	/* fields are packed in number order: sample types, then samples */
	for (size_t i = 0; i < f->prof.n_sample_type; i++)
		off += submsg_field_size(
			perftools__profiles__value_type__get_packed_size(&f->st[i]));
	off += submsg_field_size(perftools__profiles__sample__get_packed_size(&f->smp[0]));
	s1 = submsg_field_size(perftools__profiles__sample__get_packed_size(&f->smp[1]));
	assert_int_equal(raw[off], (2 << 3) | 2);

	/* cut in the middle of the second sample, or right after its tag */
	snprintf(want, sizeof(want), "proto: truncated field 2 (at byte %zu)", off);
	PARSE_FAILS(raw, off + s1 / 2, want);
	PARSE_FAILS(raw, off + 1, want);

	/* cut inside the varint of the last field (default_sample_type = 3) */
	assert_int_equal(raw[n - 2], (14 << 3) | 0);
	snprintf(want, sizeof(want), "proto: truncated varint in field 14 (at byte %zu)", n - 2);
	PARSE_FAILS(raw, n - 1, want);
	free(raw);
	free(f);
}

static void test_truncated_gzip(void **state)
{
	struct fixture *f = fixture_good();
	size_t n, gn;
	unsigned char *raw = pack(&f->prof, &n);
	unsigned char *gz = gzip(raw, n, 9, &gn);
	char want[128];

	snprintf(want, sizeof(want), "truncated gzip data (after %zu compressed bytes)", gn / 2);
	PARSE_FAILS(gz, gn / 2, want);
	/* only the last byte of the size trailer is missing */
	snprintf(want, sizeof(want), "truncated gzip data (after %zu compressed bytes)", gn - 1);
	PARSE_FAILS(gz, gn - 1, want);
	/* inside the gzip header */
	PARSE_FAILS(gz, 5, "truncated gzip data (after 5 compressed bytes)");
	PARSE_FAILS(gz, 2, "truncated gzip data (after 2 compressed bytes)");
	free(raw);
	free(gz);
	free(f);
}

static void test_corrupt_gzip(void **state)
{
	struct fixture *f = fixture_good();
	size_t n, gn, sn;
	unsigned char *raw = pack(&f->prof, &n);
	unsigned char *gz = gzip(raw, n, 9, &gn);
	unsigned char *stored = gzip(raw, n, 0, &sn);
	char want[160];

	/*
	 * Stored (level 0) deflate data: header (10 bytes), block header (5),
	 * then the bytes as they are.  Flipping one in the middle is only
	 * caught by the CRC, read from the 4 bytes before the size trailer.
	 */
	assert_int_equal(sn, 10 + 5 + n + 8);
	assert_memory_equal(stored + 15, raw, n);
	stored[15 + n / 2] ^= 0xff;
	snprintf(want, sizeof(want),
		 "corrupt gzip data: incorrect data check (at compressed byte %zu)", sn - 4);
	PARSE_FAILS(stored, sn, want);

	/* the block type bits of the first deflate block set to 3 (reserved) */
	gz[10] |= 0x06;
	PARSE_FAILS(gz, gn, "corrupt gzip data: invalid block type (at compressed byte 11)");

	/* compression method 9 in the gzip header */
	stored[2] = 9;
	PARSE_FAILS(stored, sn,
		    "corrupt gzip data: unknown compression method (at compressed byte 4)");
	free(raw);
	free(gz);
	free(stored);
	free(f);
}

/* Flipped bytes in the middle of compressed (level 9) data. */
static void test_corrupt_gzip_middle(void **state)
{
	struct fixture *f = fixture_good();
	size_t n, gn;
	unsigned char *raw = pack(&f->prof, &n);
	unsigned char *gz = gzip(raw, n, 9, &gn);

	struct cp_err err;
	size_t at = 0;
	int used = 0;
	const char *paren;

	for (size_t i = gn / 2 - 2; i < gn / 2 + 2; i++)
		gz[i] ^= 0x55;
	memset(&err, 0, sizeof(err));
	assert_null(profile_parse(gz, gn, &err));
	/* zlib's own reason depends on the compressor's output; the frame does not */
	assert_true(!strncmp(err.msg, "corrupt gzip data: ", 19));
	paren = strstr(err.msg, " (at compressed byte ");
	assert_non_null(paren);
	assert_true(paren > err.msg + 19);
	assert_int_equal(sscanf(paren, " (at compressed byte %zu)%n", &at, &used), 1);
	assert_int_equal(paren[used], '\0');
	assert_true(at > gn / 2 - 2 && at <= gn);
	free(raw);
	free(gz);
	free(f);
}

static void test_trailing_garbage_after_gzip(void **state)
{
	struct fixture *f = fixture_good();
	size_t n, gn;
	unsigned char *raw = pack(&f->prof, &n);
	unsigned char *gz = gzip(raw, n, 6, &gn);
	unsigned char *more = xmalloc(gn + 4);
	char want[128];

	snprintf(want, sizeof(want), "trailing garbage after gzip data (at compressed byte %zu)",
		 gn);
	memcpy(more, gz, gn);
	memcpy(more + gn, "xyz!", 4);
	PARSE_FAILS(more, gn + 4, want);
	more[gn] = '\0';
	PARSE_FAILS(more, gn + 1, want);
	/* a lone gzip magic byte is garbage too */
	more[gn] = 0x1f;
	PARSE_FAILS(more, gn + 1, want);
	/* a full magic starts a second member, which is then truncated */
	more[gn + 1] = 0x8b;
	snprintf(want, sizeof(want), "truncated gzip data (after %zu compressed bytes)", gn + 2);
	PARSE_FAILS(more, gn + 2, want);
	free(more);
	free(raw);
	free(gz);
	free(f);
}

static void test_text_input(void **state)
{
	static const char text[] = "hello world\n";

	PARSE_FAILS(
		(const unsigned char *)text, strlen(text),
		"unrecognized profile format (not proto, legacy pprof, folded stacks or perf script)");
}

static void test_concatenated_profiles(void **state)
{
	struct fixture *f = fixture_good();
	Perftools__Profiles__Profile head = f->prof;
	size_t n, hn, gn;
	unsigned char *raw = pack(&f->prof, &n);
	unsigned char *two = xmalloc(2 * n);
	unsigned char *gz;
	char want[128];

	/* where time_nanos (field 9) starts: the size of fields 1..8 */
	head.time_nanos = 0;
	head.duration_nanos = 0;
	head.period_type = NULL;
	head.period = 0;
	head.n_comment = 0;
	head.default_sample_type = 0;
	head.doc_url = 0;
	hn = perftools__profiles__profile__get_packed_size(&head);
	assert_int_equal(raw[hn], (9 << 3) | 0);
	memcpy(two, raw, n);
	memcpy(two + n, raw, n);
	snprintf(want, sizeof(want),
		 "proto: concatenated profiles detected (second time_nanos at byte %zu)", n + hn);
	PARSE_FAILS(two, 2 * n, want);
	gz = gzip(two, 2 * n, 6, &gn);
	PARSE_FAILS(gz, gn, want);
	free(gz);
	free(two);
	free(raw);
	free(f);
}

static void test_null_err(void **state)
{
	static const unsigned char text[] = "hello world\n";

	assert_null(profile_parse(text, sizeof(text) - 1, NULL));
	assert_null(profile_parse(text, 0, NULL));
}

static void test_huge_field_number(void **state)
{
	/* tag of field 2^32 + 2, wire type 2 (length-delimited), then length 0 */
	static const unsigned char extra[] = { 0x92, 0x80, 0x80, 0x80, 0x80, 0x01, 0x00 };
	struct fixture *f;
	unsigned char *raw, *more;
	struct cp_profile *p;
	size_t n;

	/*
	 * Regression (was a bug): scan_profile computes the field number as (unsigned)(tag >> 3),
	 * so field 2^32 + 2 is truncated to 2 and read as a Sample.  pprof's
	 * decoder (profile/proto.go: b.field = int(x >> 3); fields past its
	 * table are skipped) ignores such a field and loads the profile.
	 * Input: the good fixture followed by bytes 92 80 80 80 80 01 00.
	 * Expected: loads, 3 samples.  Actual: NULL with "sample 4 has 0
	 * values but there are 2 sample types".
	 */
	f = fixture_good();
	raw = pack(&f->prof, &n);
	more = xmalloc(n + sizeof(extra));
	memcpy(more, raw, n);
	memcpy(more + n, extra, sizeof(extra));
	p = parse_ok(more, n + sizeof(extra));
	assert_int_equal(p->nsamples, 3);
	profile_free(p);
	free(more);
	free(raw);
	free(f);
}

static void test_unknown_fields_skipped(void **state)
{
	struct fixture *f = fixture_good();
	size_t n;
	unsigned char *raw = pack(&f->prof, &n);
	static const unsigned char extra[] = {
		/* field 16 = 5; field 100 = "ab"; field 17, fixed32 */
		0x80, 0x01, 0x05, 0xa2, 0x06, 0x02, 'a', 'b', 0x8d, 0x01, 1, 2, 3, 4,
	};
	unsigned char *more = xmalloc(n + sizeof(extra));
	struct cp_profile *p;

	memcpy(more, raw, n);
	memcpy(more + n, extra, sizeof(extra));
	p = parse_ok(more, n + sizeof(extra));
	check_good(p);
	profile_free(p);
	free(more);
	free(raw);
	free(f);
}

/* A profile with the given sample type names (unit "count") and no samples. */
static struct cp_profile *types_profile(const char *const *types, size_t n, int64_t dflt)
{
	struct fixture *f = fixture_new();
	const char *s[MAX_STR];
	struct cp_profile *p;

	s[0] = "";
	s[1] = "count";
	for (size_t i = 0; i < n; i++) {
		s[i + 2] = types[i];
		f->st[i].type = (int64_t)i + 2;
		f->st[i].unit = 1;
	}
	f->prof.n_sample_type = n;
	set_strings(f, s, n + 2);
	f->prof.default_sample_type = dflt;
	p = parse_fixture(f);
	free(f);
	return p;
}

#define SAMPLE_INDEX_FAILS(p, spec, want)                                       \
	do {                                                                    \
		struct cp_err err_;                                             \
                                                                                \
		memset(&err_, 0, sizeof(err_));                                 \
		assert_int_equal(profile_sample_index((p), (spec), &err_), -1); \
		assert_string_equal(err_.msg, (want));                          \
	} while (0)

static void test_sample_index_default(void **state)
{
	static const char *const types[] = { "samples", "cpu" };
	struct cp_profile *p;
	struct cp_err err;

	/* no default_sample_type: the last type */
	p = types_profile(types, 2, 0);
	assert_int_equal(profile_sample_index(p, "", &err), 1);
	assert_int_equal(profile_sample_index(p, NULL, &err), 1);
	profile_free(p);
	/* default_sample_type "samples" (string 2) */
	p = types_profile(types, 2, 2);
	assert_int_equal(profile_sample_index(p, "", &err), 0);
	assert_int_equal(profile_sample_index(p, NULL, &err), 0);
	profile_free(p);
	/* a default naming no sample type: the last type */
	p = types_profile(types, 2, 1);
	assert_int_equal(profile_sample_index(p, "", &err), 1);
	profile_free(p);
}

static void test_sample_index_numbers(void **state)
{
	static const char *const types[] = { "samples", "cpu" };
	struct cp_profile *p = types_profile(types, 2, 0);
	struct cp_err err;

	assert_int_equal(profile_sample_index(p, "0", &err), 0);
	assert_int_equal(profile_sample_index(p, "1", &err), 1);
	assert_int_equal(profile_sample_index(p, "+1", &err), 1);
	SAMPLE_INDEX_FAILS(p, "2", "sample_index 2 is outside the range [0..1]");
	SAMPLE_INDEX_FAILS(p, "-1", "sample_index -1 is outside the range [0..1]");
	SAMPLE_INDEX_FAILS(p, "99999999999999999999",
			   "sample_index \"99999999999999999999\" must be one of: [samples cpu]");
	profile_free(p);
}

static void test_sample_index_names(void **state)
{
	static const char *const types[] = { "samples", "cpu" };
	static const char *const heap[] = { "objects", "space" };
	static const char *const go_heap[] = { "alloc_objects", "alloc_space", "inuse_objects",
					       "inuse_space" };
	struct cp_profile *p = types_profile(types, 2, 0);
	struct cp_err err;

	assert_int_equal(profile_sample_index(p, "samples", &err), 0);
	assert_int_equal(profile_sample_index(p, "cpu", &err), 1);
	SAMPLE_INDEX_FAILS(p, "alloc_space",
			   "sample_index \"alloc_space\" must be one of: [samples cpu]");
	SAMPLE_INDEX_FAILS(p, "CPU", "sample_index \"CPU\" must be one of: [samples cpu]");
	SAMPLE_INDEX_FAILS(p, "1x", "sample_index \"1x\" must be one of: [samples cpu]");
	profile_free(p);

	/* "inuse_X" also matches a type named X */
	p = types_profile(heap, 2, 0);
	assert_int_equal(profile_sample_index(p, "inuse_space", &err), 1);
	assert_int_equal(profile_sample_index(p, "inuse_objects", &err), 0);
	assert_int_equal(profile_sample_index(p, "space", &err), 1);
	SAMPLE_INDEX_FAILS(p, "alloc_space",
			   "sample_index \"alloc_space\" must be one of: [objects space]");
	SAMPLE_INDEX_FAILS(p, "inuse_", "sample_index \"inuse_\" must be one of: [objects space]");
	profile_free(p);

	p = types_profile(go_heap, 4, 0);
	assert_int_equal(profile_sample_index(p, "inuse_space", &err), 3);
	assert_int_equal(profile_sample_index(p, "alloc_objects", &err), 0);
	assert_int_equal(profile_sample_index(p, "", &err), 3);
	SAMPLE_INDEX_FAILS(p, "space",
			   "sample_index \"space\" must be one of: "
			   "[alloc_objects alloc_space inuse_objects inuse_space]");
	profile_free(p);
}

static void test_sample_index_no_types(void **state)
{
	struct cp_profile *p = types_profile(NULL, 0, 0);

	SAMPLE_INDEX_FAILS(p, "", "profile has no samples");
	SAMPLE_INDEX_FAILS(p, "0", "profile has no samples");
	profile_free(p);
}

static void test_sample_index_leading_space(void **state)
{
	static const char *const types[] = { "samples", "cpu" };
	struct cp_profile *p;

	/*
	 * Regression (was a bug): profile_sample_index parses numbers with strtol, which skips
	 * leading white space; pprof uses strconv.Atoi, which does not, so
	 * " 1" is looked up as a name and rejected.  Input: sample types
	 * [samples cpu], spec " 1".  Expected: -1 with
	 * sample_index " 1" must be one of: [samples cpu]; actual: 1.
	 */
	p = types_profile(types, 2, 0);
	SAMPLE_INDEX_FAILS(p, " 1", "sample_index \" 1\" must be one of: [samples cpu]");
	profile_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_profile),
		cmocka_unit_test(test_gzip_same_as_raw),
		cmocka_unit_test(test_gzip_multiple_members),
		cmocka_unit_test(test_dense_ids),
		cmocka_unit_test(test_minimal_profile),
		cmocka_unit_test(test_empty_input),
		cmocka_unit_test(test_string_table_zero_not_empty),
		cmocka_unit_test(test_missing_string_table),
		cmocka_unit_test(test_string_index_out_of_range),
		cmocka_unit_test(test_sample_missing_location),
		cmocka_unit_test(test_location_missing_function),
		cmocka_unit_test(test_location_missing_mapping),
		cmocka_unit_test(test_duplicate_ids),
		cmocka_unit_test(test_reserved_id_zero),
		cmocka_unit_test(test_wrong_number_of_values),
		cmocka_unit_test(test_samples_without_sample_types),
		cmocka_unit_test(test_truncated_protobuf),
		cmocka_unit_test(test_truncated_gzip),
		cmocka_unit_test(test_corrupt_gzip),
		cmocka_unit_test(test_corrupt_gzip_middle),
		cmocka_unit_test(test_trailing_garbage_after_gzip),
		cmocka_unit_test(test_text_input),
		cmocka_unit_test(test_concatenated_profiles),
		cmocka_unit_test(test_null_err),
		cmocka_unit_test(test_huge_field_number),
		cmocka_unit_test(test_unknown_fields_skipped),
		cmocka_unit_test(test_sample_index_default),
		cmocka_unit_test(test_sample_index_numbers),
		cmocka_unit_test(test_sample_index_names),
		cmocka_unit_test(test_sample_index_no_types),
		cmocka_unit_test(test_sample_index_leading_space),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
