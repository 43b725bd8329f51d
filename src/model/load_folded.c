/*
 * load_folded.c - folded stacks ("root;caller;leaf 123"), the input of
 * flamegraph.pl and one of speedscope's.
 *
 * Every non-blank line is a stack, root first, frames separated by ';',
 * then a space and a count.  '#' lines are comments.  The result has one
 * sample type, samples/count, a function and a location (address 0, no
 * mapping) per distinct frame name, and one sample per line.
 */
#include "model/compat.h"
#include "model/alloc.h"
#include "model/build.h"
#include "model/formats.h"

/* The count at the end of a line: "... 123"; false when there is none. */
static bool split_count(const char *s, size_t n, size_t *stack_len, int64_t *count)
{
	size_t i = n;
	int64_t v = 0, scale = 1;

	while (i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9')
		i--;
	if (i == n || i == 0 || (s[i - 1] != ' ' && s[i - 1] != '\t') || n - i > 18)
		return false;
	for (size_t k = n; k > i; k--) {
		v += (s[k - 1] - '0') * scale;
		scale *= 10;
	}
	*count = v;
	*stack_len = i - 1;
	while (*stack_len > 0 && (s[*stack_len - 1] == ' ' || s[*stack_len - 1] == '\t'))
		(*stack_len)--;
	return *stack_len > 0;
}

int folded_parse(const unsigned char *data, size_t len, struct cp_profile **out, struct cp_err *err)
{
	struct line_scan sc;
	struct cp_builder b;
	struct idmap loc_of; /* function index + 1 -> location */
	uint32_t *stack = NULL;
	size_t nstack = 0, stack_alloc = 0, lines = 0;

	/* recognise: every meaningful line ends in " <count>" */
	line_scan_init(&sc, data, len);
	while (line_scan_next(&sc)) {
		const char *s = sc.line;
		size_t n = sc.len, sl;
		int64_t c;

		text_trim(&s, &n);
		if (!n || s[0] == '#')
			continue;
		if (memchr(s, 0, n) || !split_count(s, n, &sl, &c))
			return 1;
		lines++;
	}
	if (!lines)
		return 1;

	builder_init(&b);
	idmap_init(&loc_of, 64);
	builder_sample_type(&b, "samples", "count");
	builder_period(&b, "samples", "count", 1);
	line_scan_init(&sc, data, len);
	while (line_scan_next(&sc)) {
		const char *s = sc.line, *f;
		size_t n = sc.len, sl;
		int64_t count;

		text_trim(&s, &n);
		if (!n || s[0] == '#')
			continue;
		split_count(s, n, &sl, &count);
		nstack = 0;
		for (f = s; f < s + sl;) {
			const char *semi = memchr(f, ';', (size_t)(s + sl - f));
			const char *e = semi ? semi : s + sl;
			uint32_t name, fn, loc;
			struct cp_line ln;

			if (e > f) {
				name = builder_strn(&b, f, (size_t)(e - f));
				fn = builder_function(&b, name, name, 0, 0);
				if (!idmap_get(&loc_of, (uint64_t)fn + 1, &loc)) {
					ln.function = fn;
					ln.line = 0;
					ln.column = 0;
					loc = builder_location(&b, 0, CP_NONE, &ln, 1);
					idmap_put(&loc_of, (uint64_t)fn + 1, loc);
				}
				ALLOC_GROW(stack, nstack + 1, stack_alloc);
				stack[nstack++] = loc;
			}
			f = e + 1;
		}
		/* leaf first, as in profile.proto */
		for (size_t i = 0; i < nstack / 2; i++) {
			uint32_t t = stack[i];

			stack[i] = stack[nstack - 1 - i];
			stack[nstack - 1 - i] = t;
		}
		builder_sample(&b, stack, nstack, &count);
	}
	(void)err;
	idmap_release(&loc_of);
	free(stack);
	*out = builder_finish(&b);
	return 0;
}
