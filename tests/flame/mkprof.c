/*
 * mkprof - write a small profile.proto from a text description, for tests.
 *
 * Usage: mkprof SPEC OUT.pb
 *
 * SPEC lines ('#' starts a comment line):
 *   types TYPE/UNIT...        the sample types (first line that matters)
 *   period TYPE/UNIT N        the period type and period
 *   mapping ID FILE           a binary; frames name the N-th one with #N
 *   comment TEXT              a profile comment
 *   STACK V1 V2...            one sample: frames root first, then one value
 *                             per sample type (the last whitespace-separated
 *                             words of the line)
 * STACK is locations separated by ';'.  A location is frames separated by
 * '|', outermost first (the later ones were inlined into the first).  A
 * frame is NAME[@FILE[:LINE]][#MAPPING].  A backslash takes the next
 * character literally; \xHH is the byte HH, so any name can be written.
 *
 * Identical frames share a function, identical locations share an id.  The
 * output is raw (not gzipped) protobuf; it needs nothing but libc.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_STRS   4096
#define MAX_FUNCS  1024
#define MAX_LOCS   1024
#define MAX_LINES  8
#define MAX_STACK  256
#define MAX_SAMPLE 4096
#define MAX_TYPES  4
#define MAX_MAPS   8

struct str {
	char *s;
	size_t len;
};

struct func {
	int64_t name, file;
};

struct line {
	int func;
	int64_t lineno;
};

struct loc {
	struct line lines[MAX_LINES]; /* innermost first, as in the proto */
	int nlines;
	int mapping; /* index + 1, 0: none */
};

struct sample {
	int locs[MAX_STACK]; /* leaf first */
	int nlocs;
	int64_t values[MAX_TYPES];
};

static struct str strs[MAX_STRS];
static int nstrs;
static struct func funcs[MAX_FUNCS];
static int nfuncs;
static struct loc locs[MAX_LOCS];
static int nlocs;
static struct sample samples[MAX_SAMPLE];
static int nsamples;
static int64_t types[MAX_TYPES][2];
static int ntypes;
static int64_t period_type[2], period;
static struct {
	uint64_t id;
	int64_t file;
} maps[MAX_MAPS];
static int nmaps;
static int64_t comments[16];
static int ncomments;
static int lineno;

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "mkprof: line %d: ", lineno);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static int64_t intern(const char *s, size_t len)
{
	for (int i = 0; i < nstrs; i++)
		if (strs[i].len == len && !memcmp(strs[i].s, s, len))
			return i;
	if (nstrs == MAX_STRS)
		die("too many strings");
	strs[nstrs].s = malloc(len + 1);
	if (!strs[nstrs].s)
		die("out of memory");
	memcpy(strs[nstrs].s, s, len);
	strs[nstrs].len = len;
	return nstrs++;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Read one field of s (up to an unescaped character of 'stops') into out,
 * unescaping; returns the stop character's position.
 */
static const char *field(const char *s, const char *end, const char *stops, char *out, size_t *olen)
{
	size_t n = 0;

	while (s < end && !strchr(stops, *s)) {
		if (*s == '\\' && s + 1 < end) {
			if (s[1] == 'x' && s + 3 < end && hexval(s[2]) >= 0 && hexval(s[3]) >= 0) {
				out[n++] = (char)(hexval(s[2]) * 16 + hexval(s[3]));
				s += 4;
				continue;
			}
			s++;
		}
		out[n++] = *s++;
	}
	*olen = n;
	return s;
}

static int find_func(int64_t name, int64_t file)
{
	for (int i = 0; i < nfuncs; i++)
		if (funcs[i].name == name && funcs[i].file == file)
			return i;
	if (nfuncs == MAX_FUNCS)
		die("too many functions");
	funcs[nfuncs].name = name;
	funcs[nfuncs].file = file;
	return nfuncs++;
}

static int find_loc(const struct loc *l)
{
	for (int i = 0; i < nlocs; i++)
		if (!memcmp(&locs[i], l, sizeof(*l)))
			return i;
	if (nlocs == MAX_LOCS)
		die("too many locations");
	locs[nlocs] = *l;
	return nlocs++;
}

/* Parse one location: frames separated by '|', outermost first. */
static int parse_loc(const char *s, const char *end)
{
	struct line outer_first[MAX_LINES];
	struct loc l;
	char *buf = malloc((size_t)(end - s) + 1);
	int n = 0;

	if (!buf)
		die("out of memory");
	memset(&l, 0, sizeof(l));
	while (s < end) {
		size_t len;
		int64_t name, file = 0, ln = 0;

		if (n == MAX_LINES)
			die("too many inlined frames");
		s = field(s, end, "@#|", buf, &len);
		name = intern(buf, len);
		if (s < end && *s == '@') {
			s = field(s + 1, end, ":#|", buf, &len);
			file = intern(buf, len);
			if (s < end && *s == ':') {
				s = field(s + 1, end, "#|", buf, &len);
				buf[len] = '\0';
				ln = strtoll(buf, NULL, 10);
			}
		}
		if (s < end && *s == '#') {
			s = field(s + 1, end, "|", buf, &len);
			buf[len] = '\0';
			l.mapping = atoi(buf);
			if (l.mapping < 1 || l.mapping > nmaps)
				die("no mapping %s", buf);
		}
		outer_first[n].func = find_func(name, file);
		outer_first[n].lineno = ln;
		n++;
		if (s < end && *s == '|')
			s++;
	}
	for (int i = 0; i < n; i++)
		l.lines[i] = outer_first[n - 1 - i];
	l.nlines = n;
	free(buf);
	return find_loc(&l);
}

static void parse_type(const char *w, int64_t out[2])
{
	const char *slash = strchr(w, '/');

	if (!slash)
		die("want TYPE/UNIT, not %s", w);
	out[0] = intern(w, (size_t)(slash - w));
	out[1] = intern(slash + 1, strlen(slash + 1));
}

static void parse_sample(char *line)
{
	struct sample *sm;
	char *end = line + strlen(line), *s = line;
	int stack[MAX_STACK], n = 0;

	if (!ntypes)
		die("samples before 'types'");
	if (nsamples == MAX_SAMPLE)
		die("too many samples");
	sm = &samples[nsamples++];
	/* values: the last ntypes words */
	for (int t = ntypes; t-- > 0;) {
		while (end > line && end[-1] == ' ')
			end--;
		while (end > line && end[-1] != ' ')
			end--;
		sm->values[t] = strtoll(end, NULL, 10);
	}
	while (end > line && end[-1] == ' ')
		end--;
	while (s < end) {
		const char *e = s;

		while (e < end && *e != ';') {
			if (*e == '\\' && e + 1 < end)
				e++;
			e++;
		}
		if (n == MAX_STACK)
			die("stack too deep");
		stack[n++] = parse_loc(s, e);
		s = (char *)e + (e < end);
	}
	for (int i = 0; i < n; i++)
		sm->locs[i] = stack[n - 1 - i];
	sm->nlocs = n;
}

/* ---- protobuf encoding ---- */

struct out {
	unsigned char *b;
	size_t len, cap;
};

static void put(struct out *o, const void *p, size_t n)
{
	if (o->len + n > o->cap) {
		o->cap = (o->len + n) * 2 + 64;
		o->b = realloc(o->b, o->cap);
		if (!o->b)
			die("out of memory");
	}
	memcpy(o->b + o->len, p, n);
	o->len += n;
}

static void varint(struct out *o, uint64_t v)
{
	unsigned char c;

	do {
		c = (unsigned char)(v & 0x7f);
		v >>= 7;
		if (v)
			c |= 0x80;
		put(o, &c, 1);
	} while (v);
}

static void tag(struct out *o, int field, int wire)
{
	varint(o, (uint64_t)field << 3 | (uint64_t)wire);
}

static void f_int(struct out *o, int field, int64_t v)
{
	if (!v)
		return;
	tag(o, field, 0);
	varint(o, (uint64_t)v);
}

static void f_bytes(struct out *o, int field, const void *p, size_t n)
{
	tag(o, field, 2);
	varint(o, n);
	put(o, p, n);
}

static void f_msg(struct out *o, int field, struct out *m)
{
	f_bytes(o, field, m->b, m->len);
	m->len = 0;
}

static void value_type(struct out *o, int field, const int64_t t[2])
{
	struct out m = { 0 };

	f_int(&m, 1, t[0]);
	f_int(&m, 2, t[1]);
	f_bytes(o, field, m.b, m.len);
	free(m.b);
}

static void encode(struct out *o)
{
	struct out m = { 0 }, p = { 0 };

	for (int t = 0; t < ntypes; t++)
		value_type(o, 1, types[t]);
	for (int i = 0; i < nsamples; i++) {
		for (int k = 0; k < samples[i].nlocs; k++)
			varint(&p, (uint64_t)samples[i].locs[k] + 1);
		f_bytes(&m, 1, p.b, p.len);
		p.len = 0;
		for (int t = 0; t < ntypes; t++)
			varint(&p, (uint64_t)samples[i].values[t]);
		f_bytes(&m, 2, p.b, p.len);
		p.len = 0;
		f_msg(o, 2, &m);
	}
	for (int i = 0; i < nmaps; i++) {
		f_int(&m, 1, (int64_t)maps[i].id);
		f_int(&m, 2, 0x400000 * (int64_t)(i + 1));
		f_int(&m, 3, 0x400000 * (int64_t)(i + 2));
		f_int(&m, 5, maps[i].file);
		f_int(&m, 7, 1);
		f_int(&m, 8, 1);
		f_int(&m, 9, 1);
		f_int(&m, 10, 1);
		f_msg(o, 3, &m);
	}
	for (int i = 0; i < nlocs; i++) {
		const struct loc *l = &locs[i];
		int64_t base = 0x400000 * (int64_t)(l->mapping ? l->mapping : 1);

		f_int(&m, 1, i + 1);
		f_int(&m, 2, l->mapping ? (int64_t)maps[l->mapping - 1].id : 0);
		f_int(&m, 3, base + 0x1000 + 16 * (int64_t)i);
		for (int k = 0; k < l->nlines; k++) {
			f_int(&p, 1, l->lines[k].func + 1);
			f_int(&p, 2, l->lines[k].lineno);
			f_msg(&m, 4, &p);
		}
		f_msg(o, 4, &m);
	}
	for (int i = 0; i < nfuncs; i++) {
		f_int(&m, 1, i + 1);
		f_int(&m, 2, funcs[i].name);
		f_int(&m, 3, funcs[i].name);
		f_int(&m, 4, funcs[i].file);
		f_msg(o, 5, &m);
	}
	for (int i = 0; i < nstrs; i++)
		f_bytes(o, 6, strs[i].s, strs[i].len);
	if (period_type[0] || period_type[1])
		value_type(o, 11, period_type);
	f_int(o, 12, period);
	for (int i = 0; i < ncomments; i++)
		f_int(o, 13, comments[i]);
	free(m.b);
	free(p.b);
}

/* The next space-separated word of *s, NUL-terminated in place; NULL at the end. */
static char *word(char **s)
{
	char *w = *s;

	while (*w == ' ')
		w++;
	if (!*w)
		return NULL;
	*s = w;
	while (**s && **s != ' ')
		(*s)++;
	if (**s)
		*(*s)++ = '\0';
	return w;
}

int main(int argc, char **argv)
{
	static char line[1 << 21]; /* room for a name of a megabyte */
	FILE *in, *outf;
	struct out o = { 0 };

	if (argc != 3) {
		fprintf(stderr, "usage: mkprof SPEC OUT.pb\n");
		return 2;
	}
	in = fopen(argv[1], "r");
	if (!in) {
		perror(argv[1]);
		return 1;
	}
	intern("", 0);
	while (fgets(line, sizeof(line), in)) {
		size_t n = strlen(line);

		lineno++;
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (!n || line[0] == '#')
			continue;
		if (!strncmp(line, "types ", 6)) {
			char *rest = line + 6, *w;

			while ((w = word(&rest))) {
				if (ntypes == MAX_TYPES)
					die("too many types");
				parse_type(w, types[ntypes++]);
			}
		} else if (!strncmp(line, "period ", 7)) {
			char *rest = line + 7, *w = word(&rest), *v = word(&rest);

			if (!w || !v)
				die("want period TYPE/UNIT N");
			parse_type(w, period_type);
			period = strtoll(v, NULL, 10);
		} else if (!strncmp(line, "mapping ", 8)) {
			char *rest = line + 8, *id = word(&rest), *f = rest;

			if (!id || !*f || nmaps == MAX_MAPS)
				die("bad mapping");
			maps[nmaps].id = strtoull(id, NULL, 10);
			maps[nmaps].file = intern(f, strlen(f));
			nmaps++;
		} else if (!strncmp(line, "comment ", 8)) {
			if (ncomments == 16)
				die("too many comments");
			comments[ncomments++] = intern(line + 8, n - 8);
		} else {
			parse_sample(line);
		}
	}
	fclose(in);
	encode(&o);
	outf = fopen(argv[2], "wb");
	if (!outf || fwrite(o.b, 1, o.len, outf) != o.len || fclose(outf)) {
		perror(argv[2]);
		return 1;
	}
	free(o.b);
	return 0;
}
