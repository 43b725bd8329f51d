/*
 * names.c - writes the adversarial-names fixture (reliability.md §7, rows
 * 35 and 57-63): one gzipped profile.proto whose function names, system
 * names, file names, binary name, build id, label keys and values, numeric
 * label units and comments are markup, quotes, javascript: URLs, control
 * bytes and ESC sequences, C1 and bidi controls, invalid UTF-8, graphviz
 * escapes and a 64 KiB name.
 *
 *   names FILE      writes FILE (a .pb.gz)
 *
 * Each name is a function called from main and calling the next name, so
 * every report (graph edges, trees, traces) shows all of them.
 */
#include "model/compat.h"
#include <errno.h>
#include "model/alloc.h"
#include "model/build.h"
#include "model/encode.h"

static const char *const names[] = {
	"</script><script>alert(1)</script>",
	"<g onload=\"alert(1)\"><a xlink:href=\"javascript:alert(2)\">",
	"\" onload=\"x",
	"javascript:alert(1)",
	"&lt;b&gt; &amp; a&b 'single' \"quoted\" ]]> <!--",
	"operator<<(std::ostream&, std::map<int, std::vector<char>> const&)",
	"esc \x1b[2J\x1b[H clear",
	"osc \x1b]0;pwned title\x07 \x1b]8;;http://x/\x1b\\link\x1b]8;;\x1b\\",
	"osc52 \x1b]52;c;Zm9v\x07",
	"cr\rover back\b\bspace del\x7f nul-less \x01\x02\x1f",
	"c1 \xc2\x9b"
	"31m csi \xc2\x85 nel",
	"raw c1 \x9b"
	"31m \x9d"
	"0;t\x9c",
	"bidi \xe2\x80\xae"
	"evil\xe2\x80\xac lrm\xe2\x80\x8e",
	"isolate \xe2\x81\xa6x\xe2\x81\xa9 sep\xe2\x80\xa8line\xe2\x80\xa9",
	"bad utf8 \xff\xfe \xc0\xaf \xe0\x80\xaf \xed\xa0\x80 \xf4\x90\x80\x80 \xc3(",
	"graphviz \\N \\G \\l \\E \\T \\H \\L \\n \\r",
	"C:\\New\\x\\",
	"{a|<p>b} record|shape",
	"line\nbreak\ttab",
};

#define LONG_NAME (64 * 1024)

int main(int argc, char **argv)
{
	struct cp_builder b;
	struct cp_profile *p;
	struct cp_encode_opts eo = { 0 };
	struct cp_err err = { "" };
	struct buf out = BUF_INIT;
	size_t n = ARRAY_SIZE(names) + 1;
	uint32_t *locs = xcalloc(n + 1, sizeof(*locs));
	char *longname = xmalloc(LONG_NAME + 1);
	uint32_t map, main_loc;
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: names FILE\n");
		return 2;
	}
	for (size_t i = 0; i < LONG_NAME; i++)
		longname[i] = "long\x1b[7m name "[i % 15];
	memcpy(longname + LONG_NAME - 4, "<end", 4);
	longname[LONG_NAME] = 0;
	builder_init(&b);
	builder_sample_type(&b, "samples", "count");
	builder_sample_type(&b, "cpu", "nanoseconds");
	builder_period(&b, "cpu", "nanoseconds", 10000000);
	builder_comment(&b, "comment \x1b]0;title\x07 <script>alert(1)</script> \xe2\x80\xae");
	map = builder_mapping(&b, 0x400000, 0x800000, 0, builder_str(&b, names[1]),
			      builder_str(&b, "../../etc/passwd\x1b[2J"));
	{
		struct cp_line ln = { 0 };

		ln.function = builder_function(&b, builder_str(&b, "main"), builder_str(&b, "main"),
					       builder_str(&b, "main.c"), 1);
		ln.line = 3;
		main_loc = builder_location(&b, 0x401000, map, &ln, 1);
	}
	for (size_t i = 0; i < n; i++) {
		const char *name = i < ARRAY_SIZE(names) ? names[i] : longname;
		struct cp_line ln = { 0 };
		uint32_t s = builder_str(&b, name);

		ln.function = builder_function(&b, s, s, s, (int64_t)i + 10);
		ln.line = (int64_t)i + 12;
		locs[i] = builder_location(&b, 0x402000 + 0x10 * i, map, &ln, 1);
	}
	/* sample i: main -> name[i] -> name[i+1] (leaf first) */
	for (size_t i = 0; i < n; i++) {
		uint32_t stack[3];
		int64_t values[2] = { (int64_t)(i + 1), (int64_t)(i + 1) * 10000000 };
		uint32_t key = builder_str(&b, names[i % ARRAY_SIZE(names)]);

		stack[0] = locs[(i + 1) % n];
		stack[1] = locs[i];
		stack[2] = main_loc;
		builder_sample(&b, stack, 3, values);
		builder_label(&b, key, builder_str(&b, names[(i + 3) % ARRAY_SIZE(names)]), 0, 0);
		builder_label(&b, builder_str(&b, "bytes"), 0, (int64_t)i * 1024,
			      builder_str(&b, names[(i + 7) % ARRAY_SIZE(names)]));
	}
	p = builder_finish(&b);
	buf_init(&out);
	if (profile_encode(p, &eo, &out, &err)) {
		fprintf(stderr, "names: %s\n", err.msg);
		return 1;
	}
	f = fopen(argv[1], "wb");
	if (!f || fwrite(out.buf, 1, out.len, f) != out.len || fclose(f)) {
		fprintf(stderr, "names: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	buf_release(&out);
	profile_free(p);
	builder_release(&b);
	free(locs);
	free(longname);
	return 0;
}
