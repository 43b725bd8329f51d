/*
 * hostile.c - writes profiles whose names try to break DOT and SVG.
 *
 *   hostile DIR     writes DIR/hostile-N.pb (uncompressed profile.proto),
 *                   one per hostile string, and prints their names
 *
 * In each profile the string is a function name (twice, as caller and
 * callee), the source file, the binary's file name, a label key and value,
 * and a comment; a "bytes" numeric label gives the graph nodelets.
 */
#include "model/compat.h"
#include <errno.h>
#include "model/alloc.h"
#include "profile.pb-c.h"

static const char *const hostile[] = {
	"std::vector<std::pair<int, char>>::push_back<T&>(T&&)",
	"ns::Foo<a&b;>::bar(&amp; &lt;x&gt; &#12; &#xZZ; &;)",
	"say \"hi\" 'there' \"",
	"C:\\path\\to\\N\\l\\G\\E\\T\\H\\L\\",
	"first line\nsecond line\r\n\tand a tab\n",
	"bad utf-8 \xff\xfe \xc3( \xe2\x82 \xed\xa0\x80 end",
	"<script>alert(1)</script>",
	"]]></script><script>alert(2)</script><![CDATA[",
	"control \x01\x02\x1b[31m\x7f bytes",
	"<!-- comment --> <?pi?> <![CDATA[x]]>",
	"github.com/x/y/v2.(*T[...]).Method.func1",
	"(anonymous namespace)::Klass::~Klass",
};

static int write_profile(const char *path, const char *name)
{
	char *strs[12];
	char callee[4096];
	Perftools__Profiles__Profile p = PERFTOOLS__PROFILES__PROFILE__INIT;
	Perftools__Profiles__ValueType vt[2] = { PERFTOOLS__PROFILES__VALUE_TYPE__INIT,
						 PERFTOOLS__PROFILES__VALUE_TYPE__INIT };
	Perftools__Profiles__ValueType *vtp[2] = { &vt[0], &vt[1] };
	Perftools__Profiles__Mapping m = PERFTOOLS__PROFILES__MAPPING__INIT, *mp = &m;
	Perftools__Profiles__Function f[3];
	Perftools__Profiles__Function *fp[3];
	Perftools__Profiles__Line ln[3];
	Perftools__Profiles__Line *lnp[3];
	Perftools__Profiles__Location loc[3];
	Perftools__Profiles__Location *locp[3];
	Perftools__Profiles__Sample s[2];
	Perftools__Profiles__Sample *sp[2];
	Perftools__Profiles__Label lab[2][2];
	Perftools__Profiles__Label *labp[2][2];
	uint64_t stacks[2][3] = { { 3, 2, 1 }, { 2, 1, 0 } };
	int64_t values[2][2] = { { 7, 700 }, { 3, 300 } };
	int64_t comment = 11;
	uint8_t *data;
	size_t len;
	FILE *fp_out;

	snprintf(callee, sizeof(callee), "%s.callee", name);
	strs[0] = (char *)"";
	strs[1] = (char *)"samples";
	strs[2] = (char *)"count";
	strs[3] = (char *)"cpu";
	strs[4] = (char *)"nanoseconds";
	strs[5] = (char *)name;
	strs[6] = callee;
	strs[7] = (char *)"main";
	strs[8] = (char *)"bytes";
	strs[9] = (char *)name; /* label key */
	strs[10] = (char *)"main.c";
	strs[11] = (char *)name; /* comment */
	p.n_string_table = 12;
	p.string_table = strs;
	vt[0].type = 1;
	vt[0].unit = 2;
	vt[1].type = 3;
	vt[1].unit = 4;
	p.n_sample_type = 2;
	p.sample_type = vtp;
	m.id = 1;
	m.memory_start = 0x1000;
	m.memory_limit = 0x9000;
	m.filename = 5;
	m.has_functions = 1;
	m.has_filenames = 1;
	m.has_line_numbers = 1;
	p.n_mapping = 1;
	p.mapping = &mp;
	for (int i = 0; i < 3; i++) {
		perftools__profiles__function__init(&f[i]);
		f[i].id = (uint64_t)i + 1;
		f[i].name = i == 0 ? 7 : i == 1 ? 5 : 6;
		f[i].system_name = f[i].name;
		f[i].filename = i == 0 ? 10 : 5;
		fp[i] = &f[i];
		perftools__profiles__line__init(&ln[i]);
		ln[i].function_id = (uint64_t)i + 1;
		ln[i].line = 10 * (i + 1);
		lnp[i] = &ln[i];
		perftools__profiles__location__init(&loc[i]);
		loc[i].id = (uint64_t)i + 1;
		loc[i].mapping_id = 1;
		loc[i].address = 0x1000 + 0x100 * (uint64_t)(i + 1);
		loc[i].n_line = 1;
		loc[i].line = &lnp[i];
		locp[i] = &loc[i];
	}
	p.n_function = 3;
	p.function = fp;
	p.n_location = 3;
	p.location = locp;
	for (int i = 0; i < 2; i++) {
		perftools__profiles__sample__init(&s[i]);
		s[i].n_location_id = i == 0 ? 3 : 2;
		s[i].location_id = stacks[i];
		s[i].n_value = 2;
		s[i].value = values[i];
		perftools__profiles__label__init(&lab[i][0]);
		lab[i][0].key = 9;
		lab[i][0].str = 5;
		perftools__profiles__label__init(&lab[i][1]);
		lab[i][1].key = 8;
		lab[i][1].num = 64 << (4 * i);
		labp[i][0] = &lab[i][0];
		labp[i][1] = &lab[i][1];
		s[i].n_label = 2;
		s[i].label = labp[i];
		sp[i] = &s[i];
	}
	p.n_sample = 2;
	p.sample = sp;
	p.n_comment = 1;
	p.comment = &comment;
	p.period_type = &vt[1];
	p.period = 10000000;
	p.duration_nanos = 1000000000;

	len = perftools__profiles__profile__get_packed_size(&p);
	data = xmalloc(len ? len : 1);
	perftools__profiles__profile__pack(&p, data);
	fp_out = fopen(path, "wb");
	if (!fp_out || fwrite(data, 1, len, fp_out) != len || fclose(fp_out)) {
		fprintf(stderr, "hostile: %s: %s\n", path, strerror(errno));
		free(data);
		return -1;
	}
	free(data);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: hostile DIR\n");
		return 2;
	}
	for (size_t i = 0; i < ARRAY_SIZE(hostile); i++) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/hostile-%zu.pb", argv[1], i);
		if (write_profile(path, hostile[i]))
			return 1;
		printf("%s\n", path);
	}
	return 0;
}
