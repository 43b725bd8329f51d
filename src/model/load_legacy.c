/*
 * load_legacy.c - the legacy formats pprof reads, with pprof's rules.
 *
 * gperftools CPU profiles (binary words of 4 or 8 bytes, either byte
 * order), heap profiles (heap_v2, heapz_v2, heapprofile, Go's "heap",
 * growthz, fragmentationz), Go count profiles ("NAME profile: total N"),
 * thread profiles (threadz), contention profiles (contentionz, Go's
 * mutex and contention) and Java cpu/heap/contention profiles.  Each
 * result gets pprof's ids (locations and functions in order of first
 * use), mappings from the trailing memory map and drop/keep frames.
 */
#include "model/compat.h"
#include <math.h>
#include "model/alloc.h"
#include "model/buf.h"
#include "model/build.h"
#include "model/formats.h"
#include "model/path.h"

enum {
	NOT_MINE = 1
};

/* ---- text helpers ---- */

void line_scan_init(struct line_scan *s, const unsigned char *data, size_t len)
{
	memset(s, 0, sizeof(*s));
	s->p = (const char *)data;
	s->end = (const char *)data + len;
	s->line = s->p;
}

bool line_scan_next(struct line_scan *s)
{
	const char *nl;

	if (s->p >= s->end) {
		s->line = s->end;
		s->len = 0;
		return false;
	}
	nl = memchr(s->p, '\n', (size_t)(s->end - s->p));
	s->line = s->p;
	s->len = (size_t)((nl ? nl : s->end) - s->p);
	s->p = nl ? nl + 1 : s->end;
	if (s->len && s->line[s->len - 1] == '\r')
		s->len--;
	s->lineno++;
	return true;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

void text_trim(const char **s, size_t *len)
{
	while (*len && is_space((*s)[0])) {
		(*s)++;
		(*len)--;
	}
	while (*len && is_space((*s)[*len - 1]))
		(*len)--;
}

bool text_has_prefix(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && !memcmp(s, prefix, n);
}

bool text_contains(const char *s, size_t len, const char *needle)
{
	return memmem(s, len, needle, strlen(needle)) != NULL;
}

static bool is_space_or_comment(const char *s, size_t len)
{
	text_trim(&s, &len);
	return len == 0 || s[0] == '#';
}

static bool is_memory_map_sentinel(const char *s, size_t len)
{
	return text_contains(s, len, "--- Memory map: ---") ||
	       text_contains(s, len, "MAPPED_LIBRARIES:");
}

/* Parse an unsigned number in 'base' from s[*i]; false on no digits or overflow. */
static bool parse_u64(const char *s, size_t len, size_t *i, int base, uint64_t *out)
{
	uint64_t v = 0;
	size_t start = *i;

	for (; *i < len; (*i)++) {
		char c = s[*i];
		unsigned d;

		if (is_digit(c))
			d = (unsigned)(c - '0');
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			break;
		if (v > (UINT64_MAX - d) / (uint64_t)base)
			return false;
		v = v * (uint64_t)base + d;
	}
	*out = v;
	return *i > start;
}

/* A signed decimal (optional '-'), as strconv.ParseInt(s, 10, 64). */
static bool parse_i64(const char *s, size_t len, size_t *i, int64_t *out)
{
	bool neg = *i < len && s[*i] == '-';
	uint64_t v;

	if (neg)
		(*i)++;
	if (!parse_u64(s, len, i, 10, &v) || v > (uint64_t)INT64_MAX + neg)
		return false;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return true;
}

static void skip_spaces(const char *s, size_t len, size_t *i)
{
	while (*i < len && s[*i] == ' ')
		(*i)++;
}

static size_t skip_ws(const char *s, size_t len, size_t *i)
{
	size_t start = *i;

	while (*i < len && is_space(s[*i]))
		(*i)++;
	return *i - start;
}

struct u64vec {
	uint64_t *v;
	size_t n, alloc;
};

/*
 * Every "0x[0-9a-f]+" in the text, as pprof's parseHexAddresses; -1 when
 * one does not fit in 64 bits.
 */
static int hex_addresses(const char *s, size_t len, struct u64vec *out)
{
	size_t i = 0;

	while (i + 2 < len) {
		uint64_t v;
		size_t j;

		if (s[i] != '0' || s[i + 1] != 'x' ||
		    !(is_digit(s[i + 2]) || (s[i + 2] >= 'a' && s[i + 2] <= 'f'))) {
			i++;
			continue;
		}
		j = i + 2;
		v = 0;
		while (j < len && (is_digit(s[j]) || (s[j] >= 'a' && s[j] <= 'f'))) {
			unsigned d = is_digit(s[j]) ? (unsigned)(s[j] - '0') :
						      (unsigned)(s[j] - 'a' + 10);

			if (v >> 60)
				return -1;
			v = v << 4 | d;
			j++;
		}
		ALLOC_GROW(out->v, out->n + 1, out->alloc);
		out->v[out->n++] = v;
		i = j;
	}
	return 0;
}

/* ---- memory maps ---- */

/*
 * One line of a memory map, in either of pprof's two layouts:
 *   /proc maps:  start-end perms offset dev inode [file]
 *   brief:       start-end[:] [perms] [file] [(@offset)] [buildid]
 * Returns 1 for a mapping, 0 for a line to ignore (not executable, or
 * not a map line).
 */
static int parse_map_line(const char *s, size_t len, uint64_t *start, uint64_t *limit,
			  uint64_t *offset, const char **file, size_t *file_len,
			  const char **build_id, size_t *build_id_len)
{
	size_t i = 0, save;
	const char *perm = NULL;
	size_t perm_len = 0;

	*offset = 0;
	*file = NULL;
	*file_len = 0;
	*build_id = NULL;
	*build_id_len = 0;
	skip_ws(s, len, &i);
	if (i + 1 < len && s[i] == '0' && s[i + 1] == 'x')
		i += 2;
	if (!parse_u64(s, len, &i, 16, start))
		return 0;
	if (i < len && (is_space(s[i]) || s[i] == '-'))
		i++;
	skip_ws(s, len, &i);
	if (i + 1 < len && s[i] == '0' && s[i + 1] == 'x')
		i += 2;
	if (!parse_u64(s, len, &i, 16, limit))
		return 0;
	if (i < len && s[i] == ':')
		i++;
	save = i;
	if (skip_ws(s, len, &i)) {
		size_t p0 = i;

		while (i < len && strchr("-rwxp", s[i]))
			i++;
		if (i > p0 && (i == len || is_space(s[i]))) {
			perm = s + p0;
			perm_len = i - p0;
		} else {
			i = save;
		}
	}
	/* /proc layout: [offset] dev inode [file] */
	{
		size_t j = i, k;
		uint64_t off = 0, dummy;
		bool have_off = false, ok = false;

		for (int attempt = 0; attempt < 2 && !ok; attempt++) {
			j = i;
			have_off = false;
			if (attempt == 0) {
				size_t t = j;

				if (skip_ws(s, len, &t) && parse_u64(s, len, &t, 16, &off) &&
				    t < len && is_space(s[t])) {
					j = t;
					have_off = true;
				} else {
					continue;
				}
			}
			k = j;
			if (!skip_ws(s, len, &k) || !parse_u64(s, len, &k, 16, &dummy) ||
			    k >= len || s[k] != ':')
				continue;
			k++;
			if (!parse_u64(s, len, &k, 16, &dummy))
				continue;
			if (!skip_ws(s, len, &k) || !parse_u64(s, len, &k, 10, &dummy))
				continue;
			ok = true;
			j = k;
		}
		if (ok) {
			if (have_off)
				*offset = off;
			if (skip_ws(s, len, &j)) {
				size_t f0 = j;

				while (j < len && !is_space(s[j]))
					j++;
				*file = s + f0;
				*file_len = j - f0;
			}
			goto done;
		}
	}
	/* brief layout */
	save = i;
	if (skip_ws(s, len, &i) && i < len && !(s[i] == '(' && i + 1 < len && s[i + 1] == '@')) {
		size_t f0 = i;

		while (i < len && !is_space(s[i]))
			i++;
		*file = s + f0;
		*file_len = i - f0;
	} else {
		i = save;
	}
	save = i;
	if (skip_ws(s, len, &i) && i + 1 < len && s[i] == '(' && s[i + 1] == '@') {
		uint64_t off;

		i += 2;
		if (parse_u64(s, len, &i, 16, &off) && i < len && s[i] == ')') {
			*offset = off;
			i++;
		} else {
			i = save;
		}
	} else {
		i = save;
	}
	if (skip_ws(s, len, &i) && i < len && is_hex(s[i])) {
		size_t b0 = i;

		while (i < len && is_hex(s[i]))
			i++;
		*build_id = s + b0;
		*build_id_len = i - b0;
	}
done:
	if (perm && !memchr(perm, 'x', perm_len))
		return 0;
	return 1;
}

/* glog's "file:line] " prefix, removed as pprof does. */
static void remove_logging_info(const char **s, size_t *len)
{
	size_t i = 0;

	while (i < *len && (*s)[i] != '[' && (*s)[i] != ']' && (*s)[i] != ':')
		i++;
	while (i < *len && (*s)[i] == ':') {
		size_t j = i + 1, d;

		for (d = j; d < *len && is_digit((*s)[d]); d++)
			;
		if (d > j && d + 1 < *len && (*s)[d] == ']' && is_space((*s)[d + 1]) && i > 0) {
			*s += d + 2;
			*len -= d + 2;
			return;
		}
		/* a ':' inside the name: keep looking */
		i++;
		while (i < *len && (*s)[i] != '[' && (*s)[i] != ']' && (*s)[i] != ':')
			i++;
	}
}

static bool is_library(const char *f, size_t n)
{
	if (n >= 3 && !memcmp(f + n - 3, ".so", 3))
		return true;
	for (size_t i = 0; i + 4 < n; i++)
		if (!memcmp(f + i, ".so", 3) && (f[i + 3] == '.' || f[i + 3] == '_') &&
		    is_digit(f[i + 4]))
			return true;
	return false;
}

bool legacy_main_candidate(const char *f)
{
	size_t n = strlen(f);
	char *clean = xmalloc(n + 1), *d = clean;
	const char *t;
	size_t tn;
	bool main_bin;

	for (size_t k = 0; k < n;) {
		if (!strncmp(f + k, "(deleted)", 9)) {
			k += 9;
			continue;
		}
		*d++ = f[k++];
	}
	*d = 0;
	t = clean;
	tn = (size_t)(d - clean);
	text_trim(&t, &tn);
	main_bin = tn && !is_library(t, tn) && t[0] != '[';
	free(clean);
	return main_bin;
}

static bool adjacent(const struct cp_builder *b, const struct cp_mapping *m1,
		     const struct cp_mapping *m2)
{
	(void)b;
	if (m1->file && m2->file && m1->file != m2->file)
		return false;
	if (m1->build_id && m2->build_id && m1->build_id != m2->build_id)
		return false;
	if (m1->limit != m2->start)
		return false;
	if (m1->offset && m2->offset && m1->offset + (m1->limit - m1->start) != m2->offset)
		return false;
	return true;
}

/* "$name" -> value substitutions declared by "name = value" lines of a map. */
struct map_attrs {
	char **names, **values;
	size_t n, alloc, valloc;
};

static void map_attrs_apply(const struct map_attrs *a, const char *s, size_t len, struct buf *out)
{
	buf_reset(out);
	for (size_t i = 0; i < len;) {
		size_t k;

		for (k = 0; k < a->n; k++) {
			size_t nl = strlen(a->names[k]);

			if (len - i >= nl && !memcmp(s + i, a->names[k], nl))
				break;
		}
		if (k < a->n) {
			buf_adds(out, a->values[k]);
			i += strlen(a->names[k]);
		} else {
			buf_addc(out, s[i++]);
		}
	}
}

void legacy_add_mappings(struct cp_builder *b, struct line_scan *sc)
{
	size_t first = b->nmappings;
	struct map_attrs attrs = { 0 };
	struct buf line = BUF_INIT;

	buf_init(&line);
	while (line_scan_next(sc)) {
		const char *s = sc->line, *file, *bid, *eq;
		size_t len = sc->len, flen, blen;
		uint64_t start, limit, offset;

		remove_logging_info(&s, &len);
		map_attrs_apply(&attrs, s, len, &line);
		s = line.buf;
		len = line.len;
		if (!parse_map_line(s, len, &start, &limit, &offset, &file, &flen, &bid, &blen)) {
			eq = memchr(s, '=', len);
			if (eq) {
				const char *k = s, *v = eq + 1;
				size_t kn = (size_t)(eq - s), vn = len - kn - 1;
				char *name;

				text_trim(&k, &kn);
				text_trim(&v, &vn);
				name = xmalloc(kn + 2);
				name[0] = '$';
				memcpy(name + 1, k, kn);
				name[kn + 1] = 0;
				ALLOC_GROW(attrs.names, attrs.n + 1, attrs.alloc);
				ALLOC_GROW(attrs.values, attrs.n + 1, attrs.valloc);
				attrs.names[attrs.n] = name;
				attrs.values[attrs.n++] = xstrndup(v, vn);
			}
			continue;
		}
		builder_mapping(b, start, limit, offset, file ? builder_strn(b, file, flen) : 0,
				bid ? builder_strn(b, bid, blen) : 0);
	}
	for (size_t i = 0; i < attrs.n; i++) {
		free(attrs.names[i]);
		free(attrs.values[i]);
	}
	free(attrs.names);
	free(attrs.values);
	buf_release(&line);
	/* merge adjacent pieces of one mapping */
	if (b->nmappings - first > 1) {
		size_t out = first + 1;

		for (size_t i = first + 1; i < b->nmappings; i++) {
			struct cp_mapping *lm = &b->mappings[out - 1], *m = &b->mappings[i];

			if (adjacent(b, lm, m)) {
				lm->limit = m->limit;
				if (m->file)
					lm->file = m->file;
				if (m->build_id)
					lm->build_id = m->build_id;
				continue;
			}
			b->mappings[out++] = *m;
		}
		b->nmappings = out;
	}
	/* the main binary goes first */
	for (size_t i = 0; i < b->nmappings; i++) {
		if (legacy_main_candidate(profile_str(b->p, b->mappings[i].file))) {
			struct cp_mapping tmp = b->mappings[0];

			b->mappings[0] = b->mappings[i];
			b->mappings[i] = tmp;
			break;
		}
	}
}

void legacy_assign_mappings(struct cp_builder *b)
{
	uint32_t fake = CP_NONE;

	if (b->nmappings > 1 &&
	    text_has_prefix(profile_str(b->p, b->mappings[0].file),
			    strlen(profile_str(b->p, b->mappings[0].file)), "/anon_hugepage") &&
	    b->mappings[0].limit == b->mappings[1].start) {
		memmove(b->mappings, b->mappings + 1, (b->nmappings - 1) * sizeof(*b->mappings));
		b->nmappings--;
	}
	if (b->nmappings && b->mappings[0].start - b->mappings[0].offset == 0x400000) {
		b->mappings[0].start = 0x400000;
		b->mappings[0].offset = 0;
	}
	for (size_t i = 0; i < b->nlocations; i++) {
		struct cp_location *l = &b->locations[i];
		uint64_t a = l->address;
		size_t k;

		if (l->mapping != CP_NONE || a == 0)
			continue;
		for (k = 0; k < b->nmappings; k++)
			if (b->mappings[k].start <= a && a < b->mappings[k].limit)
				break;
		if (k == b->nmappings) {
			for (k = 0; k < b->nmappings; k++) {
				struct cp_mapping *m = &b->mappings[k];

				if (m->offset && m->start - m->offset <= a && a < m->start) {
					m->start -= m->offset;
					m->offset = 0;
					break;
				}
			}
		}
		if (k == b->nmappings) {
			if (fake == CP_NONE)
				fake = builder_mapping(b, 0, UINT64_MAX, 0, 0, 0);
			k = fake;
		}
		l->mapping = (uint32_t)k;
	}
}

/* After the samples: skip to the memory map sentinel, then read the map. */
static void additional_sections(struct cp_builder *b, struct line_scan *sc)
{
	while (!is_memory_map_sentinel(sc->line, sc->len) && line_scan_next(sc))
		;
	legacy_add_mappings(b, sc);
}

/* The leaf may be duplicated (once adjusted by -1): drop the copy. */
static void cleanup_duplicate_locations(struct cp_builder *b)
{
	for (size_t s = 0; s < b->nsamples; s++) {
		struct cp_sample *cs = &b->samples[s];
		uint32_t *st;

		if (cs->depth < 2)
			continue; /* stack may be NULL when no sample has a frame */
		st = b->stack + cs->stack_off;
		if (b->locations[st[0]].address == b->locations[st[1]].address + 1) {
			memmove(st + 1, st + 2, (cs->depth - 2) * sizeof(*st));
			cs->depth--;
		}
	}
}

static const char alloc_rx[] =
	"calloc|cfree|malloc|free|memalign|do_memalign|(__)?posix_memalign|pvalloc|valloc|"
	"realloc|tcmalloc::.*|tc_calloc|tc_cfree|tc_malloc|tc_free|tc_memalign|"
	"tc_posix_memalign|tc_pvalloc|tc_valloc|tc_realloc|tc_new|tc_delete|tc_newarray|"
	"tc_deletearray|tc_new_nothrow|tc_newarray_nothrow|malloc_zone_malloc|"
	"malloc_zone_calloc|malloc_zone_valloc|malloc_zone_realloc|malloc_zone_memalign|"
	"malloc_zone_free|runtime\\..*|BaseArena::.*|(::)?do_malloc_no_errno|"
	"(::)?do_malloc_pages|(::)?do_malloc|DoSampledAllocation|"
	"MallocedMemBlock::MallocedMemBlock|_M_allocate|__builtin_(vec_)?delete|"
	"__builtin_(vec_)?new|__gnu_cxx::new_allocator::allocate|__libc_malloc|"
	"__malloc_alloc_template::allocate|allocate|cpp_alloc|operator new(\\[\\])?|"
	"simple_alloc::allocate";
static const char alloc_skip_rx[] = "runtime\\.panic|runtime\\.reflectcall|runtime\\.call[0-9]*";
static const char cpu_profiler_rx[] =
	"ProfileData::Add|ProfileData::prof_handler|CpuProfiler::prof_handler|"
	"__pthread_sighandler|__restore";
static const char lock_rx[] =
	"RecordLockProfileData|(base::)?RecordLockProfileData.*|"
	"(base::)?SubmitMutexProfileData.*|(base::)?SubmitSpinLockProfileData.*|"
	"(base::Mutex::)?AwaitCommon.*|(base::Mutex::)?Unlock.*|(base::Mutex::)?UnlockSlow.*|"
	"(base::Mutex::)?ReaderUnlock.*|(base::MutexLock::)?~MutexLock.*|(Mutex::)?AwaitCommon.*|"
	"(Mutex::)?Unlock.*|(Mutex::)?UnlockSlow.*|(Mutex::)?ReaderUnlock.*|"
	"(MutexLock::)?~MutexLock.*|(SpinLock::)?Unlock.*|(SpinLock::)?SlowUnlock.*|"
	"(SpinLockHolder::)?~SpinLockHolder.*";

static bool types_are(const struct cp_builder *b, const char *const *names, size_t n)
{
	if (b->nsample_types != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (strcmp(profile_str(b->p, b->sample_types[i].type), names[i]))
			return false;
	return true;
}

/* pprof's addLegacyFrameInfo: drop/keep frames chosen by sample types. */
static void add_frame_info(struct cp_builder *b)
{
	static const char *const heap1[] = { "allocations", "size" };
	static const char *const heap2[] = { "objects", "space" };
	static const char *const heap3[] = { "inuse_objects", "inuse_space" };
	static const char *const heap4[] = { "alloc_objects", "alloc_space" };
	static const char *const heap5[] = { "alloc_objects", "alloc_space", "inuse_objects",
					     "inuse_space" };
	static const char *const cont[] = { "contentions", "delay" };

	if (types_are(b, heap1, 2) || types_are(b, heap2, 2) || types_are(b, heap3, 2) ||
	    types_are(b, heap4, 2) || types_are(b, heap5, 4)) {
		b->p->drop_frames = builder_str(b, alloc_rx);
		b->p->keep_frames = builder_str(b, alloc_skip_rx);
	} else if (types_are(b, cont, 2)) {
		b->p->drop_frames = builder_str(b, lock_rx);
		b->p->keep_frames = 0;
	} else {
		b->p->drop_frames = builder_str(b, cpu_profiler_rx);
		b->p->keep_frames = 0;
	}
}

/* Shared by the text parsers: the stack of one sample, from addresses. */
struct stack_buf {
	uint32_t *v;
	size_t n, alloc;
};

/* Frames from 'adjust_from' on are return addresses, moved back onto their call. */
static void stack_from_addrs(struct cp_builder *b, struct stack_buf *st, const uint64_t *addrs,
			     size_t n, size_t adjust_from)
{
	st->n = 0;
	ALLOC_GROW(st->v, n, st->alloc);
	for (size_t i = 0; i < n; i++) {
		uint64_t a = addrs[i];

		if (i >= adjust_from)
			a--;
		st->v[st->n++] = builder_location_at(b, a);
	}
}

/* ---- gperftools CPU (binary) ---- */

struct words {
	const unsigned char *p, *end;
	int size; /* 4 or 8 */
	bool big;
};

/* One word; false when fewer than 'size' bytes remain (then nothing is consumed). */
static bool word(struct words *w, uint64_t *out)
{
	uint64_t v = 0;

	if ((size_t)(w->end - w->p) < (size_t)w->size) {
		*out = 0;
		w->p = w->end;
		return false;
	}
	for (int k = 0; k < w->size; k++) {
		int at = w->big ? k : w->size - 1 - k;

		v = v << 8 | w->p[at];
	}
	w->p += w->size;
	*out = v;
	return true;
}

static int parse_java_locations(struct cp_builder *b, struct line_scan *sc, struct cp_err *err);

static int parse_cpu(const unsigned char *data, size_t len, struct cp_builder *b,
		     struct cp_err *err)
{
	static const struct {
		int size;
		bool big;
	} kinds[] = { { 4, false }, { 4, true }, { 8, false }, { 8, true } };
	struct words w = { 0 };
	uint64_t hdr[5];
	bool found = false, java = false;
	struct u64vec addrs = { 0 };
	struct stack_buf st = { 0 };
	int ret = 0;

	for (size_t k = 0; k < ARRAY_SIZE(kinds) && !found; k++) {
		bool ok = true;

		w.p = data;
		w.end = data + len;
		w.size = kinds[k].size;
		w.big = kinds[k].big;
		for (int i = 0; i < 5; i++)
			ok = word(&w, &hdr[i]) && ok;
		if (ok && hdr[0] == 0 && hdr[1] == 3 && (hdr[2] == 0 || hdr[2] == 1) &&
		    hdr[3] > 0 && hdr[4] == 0) {
			found = true;
			java = hdr[2] == 1;
		}
	}
	if (!found)
		return NOT_MINE;
	if (hdr[3] > (uint64_t)INT64_MAX / 1000)
		return cp_errf(err,
			       "gperftools CPU profile: sampling period %" PRIu64 " out of range",
			       hdr[3]);

	builder_period(b, "cpu", "nanoseconds", (int64_t)hdr[3] * 1000);
	builder_sample_type(b, "samples", "count");
	builder_sample_type(b, "cpu", "nanoseconds");
	while (w.p < w.end) {
		size_t at = (size_t)(w.p - data);
		uint64_t count, depth;
		int64_t vals[2];

		word(&w, &count);
		if (!word(&w, &depth) || depth > (uint64_t)(w.end - w.p) / (uint64_t)w.size) {
			ret = cp_errf(err, "truncated gperftools CPU profile (record at byte %zu)",
				      at);
			goto out;
		}
		addrs.n = 0;
		ALLOC_GROW(addrs.v, depth, addrs.alloc);
		for (uint64_t i = 0; i < depth; i++)
			word(&w, &addrs.v[addrs.n++]);
		if (count == 0 && depth == 1 && addrs.v[0] == 0)
			break; /* end of data */
		if (count > (uint64_t)INT64_MAX / (uint64_t)b->p->period) {
			ret = cp_errf(err,
				      "gperftools CPU profile: count %" PRIu64
				      " out of range (record at byte %zu)",
				      count, at);
			goto out;
		}
		/* Java stacks are not adjusted */
		stack_from_addrs(b, &st, addrs.v, addrs.n, java ? addrs.n : 1);
		vals[0] = (int64_t)count;
		vals[1] = mul64((int64_t)count, b->p->period);
		builder_sample(b, st.v, st.n, vals);
	}

	if (java) {
		struct line_scan sc;

		line_scan_init(&sc, w.p, (size_t)(w.end - w.p));
		ret = parse_java_locations(b, &sc, err);
		goto out;
	}

	/*
	 * A second frame shared by (almost) every sample was pushed by the
	 * signal handler: strip it, up to twice.
	 */
	for (int iter = 0; iter < 2; iter++) {
		size_t margin = b->nsamples / 32;
		uint32_t *counts = xcalloc(b->nlocations + 1, sizeof(*counts));
		uint32_t strip = CP_NONE;

		for (size_t s = 0; s < b->nsamples && strip == CP_NONE; s++) {
			const struct cp_sample *cs = &b->samples[s];
			uint32_t second;

			if (cs->depth <= 1)
				continue;
			second = b->stack[cs->stack_off + 1];
			if (++counts[second] >= b->nsamples - margin)
				strip = second;
		}
		free(counts);
		if (strip == CP_NONE)
			continue;
		for (size_t s = 0; s < b->nsamples; s++) {
			struct cp_sample *cs = &b->samples[s];
			uint32_t *stk;

			if (cs->depth < 2)
				continue; /* stack may be NULL */
			stk = b->stack + cs->stack_off;
			if (stk[1] == strip) {
				memmove(stk + 1, stk + 2, (cs->depth - 2) * sizeof(*stk));
				cs->depth--;
			}
		}
	}
	builder_compact(b);
	{
		struct line_scan sc;

		line_scan_init(&sc, w.p, (size_t)(w.end - w.p));
		legacy_add_mappings(b, &sc);
	}
	legacy_assign_mappings(b);
	cleanup_duplicate_locations(b);
out:
	free(addrs.v);
	free(st.v);
	return ret;
}

/* The common end of the text formats: renumber, then the memory map. */
static void finish_text(struct cp_builder *b, struct line_scan *sc)
{
	builder_compact(b);
	additional_sections(b, sc);
	legacy_assign_mappings(b);
}

/* ---- heap ---- */

enum heap_sampling {
	HEAP_PLAIN,
	HEAP_V2
};

/* "heap profile: *N: *N *[ *N: *N *]" at s[*i]; the four numbers as text. */
static bool heap_header_counts(const char *s, size_t len, size_t *i, const char *num[4],
			       size_t numlen[4])
{
	static const char lead[] = "heap profile:";
	uint64_t dummy;

	if (len - *i < sizeof(lead) - 1 || memcmp(s + *i, lead, sizeof(lead) - 1))
		return false;
	*i += sizeof(lead) - 1;
	for (int k = 0; k < 4; k++) {
		skip_spaces(s, len, i);
		if (k == 2) {
			if (*i >= len || s[*i] != '[')
				return false;
			(*i)++;
			skip_spaces(s, len, i);
		}
		num[k] = s + *i;
		if (!parse_u64(s, len, i, 10, &dummy))
			return false;
		numlen[k] = (size_t)(s + *i - num[k]);
		if (k % 2 == 0) {
			if (*i >= len || s[*i] != ':')
				return false;
			(*i)++;
		}
	}
	skip_spaces(s, len, i);
	if (*i >= len || s[*i] != ']')
		return false;
	(*i)++;
	return true;
}

static bool same_text(const char *a, size_t an, const char *b, size_t bn)
{
	return an == bn && !memcmp(a, b, an);
}

/*
 * The header line; returns 0 and fills the fields, or NOT_MINE.
 * period is 0 when absent.
 */
static int heap_header(const char *s, size_t len, enum heap_sampling *sampling, int64_t *period,
		       bool *has_alloc)
{
	const char *num[4];
	size_t numlen[4];
	const char *at;

	/* heap profile: ... @ heap[_a-z0-9]*[/N] */
	for (at = s; (at = memmem(at, len - (size_t)(at - s), "heap profile:", 13)); at++) {
		size_t i = (size_t)(at - s), n0;
		uint64_t per = 0;
		const char *name;
		size_t name_len;

		if (!heap_header_counts(s, len, &i, num, numlen))
			continue;
		skip_spaces(s, len, &i);
		if (i >= len || s[i] != '@')
			goto other;
		i++;
		skip_spaces(s, len, &i);
		if (len - i < 4 || memcmp(s + i, "heap", 4))
			goto other;
		name = s + i;
		for (i += 4;
		     i < len && (s[i] == '_' || (s[i] >= 'a' && s[i] <= 'z') || is_digit(s[i]));
		     i++)
			;
		name_len = (size_t)(s + i - name);
		if (i < len && s[i] == '/')
			i++;
		n0 = i;
		if (i < len && is_digit(s[i]) && !parse_u64(s, len, &i, 10, &per))
			return NOT_MINE;
		if (per > INT64_MAX)
			return NOT_MINE;
		(void)n0;
		*has_alloc = (!same_text(num[2], numlen[2], num[0], numlen[0]) &&
			      !same_text(num[2], numlen[2], "0", 1)) ||
			     (!same_text(num[3], numlen[3], num[1], numlen[1]) &&
			      !same_text(num[3], numlen[3], "0", 1));
		if (same_text(name, name_len, "heapz_v2", 8) ||
		    same_text(name, name_len, "heap_v2", 7)) {
			*sampling = HEAP_V2;
			*period = (int64_t)per;
		} else if (same_text(name, name_len, "heapprofile", 11)) {
			*sampling = HEAP_PLAIN;
			*period = 1;
		} else if (same_text(name, name_len, "heap", 4)) {
			*sampling = HEAP_V2;
			*period = (int64_t)per / 2;
		} else {
			return NOT_MINE;
		}
		return 0;
other:
		/* growthz / fragmentationz: " @ growth", " @ fragmentation" */
		i = (size_t)(at - s);
		heap_header_counts(s, len, &i, num, numlen);
		if ((len - i >= 9 && !memcmp(s + i, " @ growth", 9)) ||
		    (len - i >= 16 && !memcmp(s + i, " @ fragmentation", 16))) {
			*sampling = HEAP_PLAIN;
			*period = 1;
			*has_alloc = false;
			return 0;
		}
	}
	return NOT_MINE;
}

/* pprof's unsampling of heap v2 rows: divide by the chance to be sampled. */
static void scale_heap_sample(int64_t *count, int64_t *size, int64_t rate)
{
	double avg, scale;

	if (*count == 0 || *size == 0) {
		*count = 0;
		*size = 0;
		return;
	}
	if (rate <= 1)
		return;
	avg = (double)*size / (double)*count;
	scale = 1 / (1 - exp(-avg / (double)rate));
	*count = f2i64((double)*count * scale);
	*size = f2i64((double)*size * scale);
}

/*
 * "(-?\d+): *(-?\d+) *\[ *(\d+): *(\d+) *] @([ x0-9a-f]*)" searched in
 * s: the four numbers and where the addresses start and end.
 */
static bool heap_sample_match(const char *s, size_t len, int64_t v[4], size_t *addr0, size_t *addr1)
{
	for (size_t start = 0; start < len; start++) {
		size_t i = start;

		if (!(is_digit(s[i]) || s[i] == '-'))
			continue;
		if (!parse_i64(s, len, &i, &v[0]) || i >= len || s[i] != ':')
			continue;
		i++;
		skip_spaces(s, len, &i);
		if (!parse_i64(s, len, &i, &v[1]))
			continue;
		skip_spaces(s, len, &i);
		if (i >= len || s[i] != '[')
			continue;
		i++;
		skip_spaces(s, len, &i);
		if (i >= len || !is_digit(s[i]) || !parse_i64(s, len, &i, &v[2]) || i >= len ||
		    s[i] != ':')
			continue;
		i++;
		skip_spaces(s, len, &i);
		if (i >= len || !is_digit(s[i]) || !parse_i64(s, len, &i, &v[3]))
			continue;
		skip_spaces(s, len, &i);
		if (len - i < 3 || memcmp(s + i, "] @", 3))
			continue;
		i += 3;
		*addr0 = i;
		while (i < len && (s[i] == ' ' || s[i] == 'x' || is_digit(s[i]) ||
				   (s[i] >= 'a' && s[i] <= 'f')))
			i++;
		*addr1 = i;
		return true;
	}
	return false;
}

static int heap_values(int64_t count, int64_t size, const char *what, enum heap_sampling sampling,
		       int64_t rate, int64_t *out, int64_t *blocksize, size_t lineno,
		       struct cp_err *err)
{
	if (count == 0 && size != 0)
		return cp_errf(
			err, "heap profile: %s count was 0 but %s bytes was %" PRId64 " (line %zu)",
			what, what, size, lineno);
	if (count != 0) {
		*blocksize = size / count;
		if (sampling == HEAP_V2)
			scale_heap_sample(&count, &size, rate);
	}
	out[0] = count;
	out[1] = size;
	return 0;
}

static int parse_heap(const unsigned char *data, size_t len, struct cp_builder *b,
		      struct cp_err *err)
{
	struct line_scan sc;
	enum heap_sampling sampling;
	int64_t period = 0;
	bool has_alloc = false;
	struct u64vec addrs = { 0 };
	struct stack_buf st = { 0 };
	uint32_t bytes_key;
	int ret = 0;

	line_scan_init(&sc, data, len);
	if (!line_scan_next(&sc) || heap_header(sc.line, sc.len, &sampling, &period, &has_alloc))
		return NOT_MINE;
	builder_period(b, "space", "bytes", period);
	if (has_alloc) {
		/* inuse last, so that it is the default */
		builder_sample_type(b, "alloc_objects", "count");
		builder_sample_type(b, "alloc_space", "bytes");
		builder_sample_type(b, "inuse_objects", "count");
		builder_sample_type(b, "inuse_space", "bytes");
	} else {
		builder_sample_type(b, "objects", "count");
		builder_sample_type(b, "space", "bytes");
	}
	bytes_key = builder_str(b, "bytes");
	while (line_scan_next(&sc)) {
		const char *s = sc.line;
		size_t n = sc.len, a0, a1;
		int64_t v[4], vals[4], blocksize = 0;
		size_t nv = 0;

		text_trim(&s, &n);
		if (is_space_or_comment(s, n))
			continue;
		if (is_memory_map_sentinel(s, n))
			break;
		if (!heap_sample_match(s, n, v, &a0, &a1)) {
			ret = cp_errf(err, "heap profile: malformed sample (line %zu)", sc.lineno);
			goto out;
		}
		if (has_alloc) {
			if (heap_values(v[2], v[3], "allocation", sampling, period, vals,
					&blocksize, sc.lineno, err)) {
				ret = -1;
				goto out;
			}
			nv = 2;
		}
		if (heap_values(v[0], v[1], "inuse", sampling, period, vals + nv, &blocksize,
				sc.lineno, err)) {
			ret = -1;
			goto out;
		}
		addrs.n = 0;
		if (hex_addresses(s + a0, a1 - a0, &addrs)) {
			ret = cp_errf(err, "heap profile: address out of range (line %zu)",
				      sc.lineno);
			goto out;
		}
		stack_from_addrs(b, &st, addrs.v, addrs.n, 0);
		builder_sample(b, st.v, st.n, vals);
		builder_label(b, bytes_key, 0, blocksize, 0);
	}
	finish_text(b, &sc);
out:
	free(addrs.v);
	free(st.v);
	return ret;
}

/* ---- Go count profiles (goroutine, threadcreate, custom) ---- */

static int parse_go_count(const unsigned char *data, size_t len, struct cp_builder *b,
			  struct cp_err *err)
{
	static const char mid[] = " profile: total ";
	struct line_scan sc;
	struct u64vec addrs = { 0 };
	struct stack_buf st = { 0 };
	const char *m;
	char *type;
	size_t i;
	uint64_t dummy;
	int ret = 0;

	line_scan_init(&sc, data, len);
	while (line_scan_next(&sc) && is_space_or_comment(sc.line, sc.len))
		;
	m = memmem(sc.line, sc.len, mid, sizeof(mid) - 1);
	if (!m || m == sc.line)
		return NOT_MINE;
	for (const char *c = sc.line; c < m; c++)
		if (is_space(*c))
			return NOT_MINE;
	i = (size_t)(m - sc.line) + sizeof(mid) - 1;
	if (!parse_u64(sc.line, sc.len, &i, 10, &dummy) || i != sc.len) {
		/* digits overflowing 64 bits still match pprof's \d+ */
		for (i = (size_t)(m - sc.line) + sizeof(mid) - 1; i < sc.len; i++)
			if (!is_digit(sc.line[i]))
				return NOT_MINE;
		if ((size_t)(m - sc.line) + sizeof(mid) - 1 == sc.len)
			return NOT_MINE;
	}
	type = xstrndup(sc.line, (size_t)(m - sc.line));
	builder_period(b, type, "count", 1);
	builder_sample_type(b, type, "count");
	free(type);
	while (line_scan_next(&sc)) {
		const char *s = sc.line;
		size_t n = sc.len;
		uint64_t count;
		int64_t val;

		if (is_space_or_comment(s, n))
			continue;
		if (text_has_prefix(s, n, "---"))
			break;
		/* \A(\d+) @(( 0x[0-9a-f]+)+)\z */
		i = 0;
		if (!parse_u64(s, n, &i, 10, &count) || count > INT64_MAX || n - i < 2 ||
		    memcmp(s + i, " @", 2))
			goto malformed;
		i += 2;
		addrs.n = 0;
		if (i == n)
			goto malformed;
		while (i < n) {
			size_t h0;

			if (n - i < 4 || memcmp(s + i, " 0x", 3))
				goto malformed;
			i += 3;
			h0 = i;
			while (i < n && (is_digit(s[i]) || (s[i] >= 'a' && s[i] <= 'f')))
				i++;
			if (i == h0)
				goto malformed;
			if (hex_addresses(s + h0 - 2, i - h0 + 2, &addrs))
				goto malformed;
		}
		stack_from_addrs(b, &st, addrs.v, addrs.n, 0);
		val = (int64_t)count;
		builder_sample(b, st.v, st.n, &val);
		continue;
malformed:
		ret = cp_errf(err, "%s profile: malformed sample (line %zu)",
			      profile_str(b->p, b->sample_types[0].type), sc.lineno);
		goto out;
	}
	finish_text(b, &sc);
out:
	free(addrs.v);
	free(st.v);
	return ret;
}

/* ---- thread profiles ---- */

static bool thread_start(const char *s, size_t len)
{
	/* --- Thread ([[:xdigit:]]+) \(name: (.*)/(\d+)\) stack: --- */
	for (const char *at = s; (at = memmem(at, len - (size_t)(at - s), "--- Thread ", 11));
	     at++) {
		size_t i = (size_t)(at - s) + 11, h0 = i;
		const char *tail;

		while (i < len && is_hex(s[i]))
			i++;
		if (i == h0 || len - i < 8 || memcmp(s + i, " (name: ", 8))
			continue;
		i += 8;
		/* the name is greedy: find the last ")/digits) stack: ---" shape */
		for (tail = s + len; tail > s + i;) {
			const char *stk = NULL;
			size_t rest;

			tail--;
			if (*tail != '/')
				continue;
			rest = (size_t)(s + len - tail);
			{
				size_t j = 1;

				while (j < rest && is_digit(tail[j]))
					j++;
				if (j > 1 && rest - j >= 12 &&
				    !memcmp(tail + j, ") stack: ---", 12))
					stk = tail + j;
			}
			if (stk)
				return true;
		}
	}
	return false;
}

static bool threadz_start(const char *s, size_t len)
{
	for (const char *at = s; (at = memmem(at, len - (size_t)(at - s), "--- threadz ", 12));
	     at++) {
		size_t i = (size_t)(at - s) + 12;
		uint64_t dummy;

		if (parse_u64(s, len, &i, 10, &dummy) && len - i >= 4 && !memcmp(s + i, " ---", 4))
			return true;
	}
	return false;
}

/*
 * One thread's stack, from the lines after its header: returns the
 * addresses (none for "same as previous thread") and leaves sc on the
 * first line after the stack.
 */
static int thread_sample(struct line_scan *sc, struct u64vec *addrs, const char **next,
			 size_t *next_len, struct cp_err *err)
{
	bool same = false;
	const char *line = "";
	size_t n = 0;

	addrs->n = 0;
	while (line_scan_next(sc)) {
		line = sc->line;
		n = sc->len;
		text_trim(&line, &n);
		if (n == 0)
			continue;
		if (text_has_prefix(line, n, "---"))
			break;
		if (text_contains(line, n, "same as previous thread")) {
			same = true;
			continue;
		}
		if (hex_addresses(line, n, addrs))
			return cp_errf(err, "thread profile: address out of range (line %zu)",
				       sc->lineno);
	}
	if (same)
		addrs->n = 0;
	*next = line;
	*next_len = n;
	return 0;
}

static int parse_thread(const unsigned char *data, size_t len, struct cp_builder *b,
			struct cp_err *err)
{
	struct line_scan sc;
	struct u64vec addrs = { 0 };
	struct stack_buf st = { 0 };
	const char *line;
	size_t n;
	int ret = 0;

	line_scan_init(&sc, data, len);
	while (line_scan_next(&sc) && is_space_or_comment(sc.line, sc.len))
		;
	line = sc.line;
	n = sc.len;
	if (threadz_start(line, n)) {
		while (line_scan_next(&sc)) {
			line = sc.line;
			n = sc.len;
			if (is_memory_map_sentinel(line, n) || text_has_prefix(line, n, "-"))
				break;
		}
	} else if (!thread_start(line, n)) {
		return NOT_MINE;
	}
	builder_period(b, "thread", "count", 1);
	builder_sample_type(b, "thread", "count");
	while (!is_memory_map_sentinel(line, n)) {
		int64_t one = 1;

		if (text_has_prefix(line, n, "---- no stack trace for"))
			break;
		if (!thread_start(line, n)) {
			ret = NOT_MINE;
			goto out;
		}
		if (thread_sample(&sc, &addrs, &line, &n, err)) {
			ret = -1;
			goto out;
		}
		if (addrs.n == 0) {
			if (b->nsamples)
				b->values[b->nsamples - 1]++;
			continue;
		}
		stack_from_addrs(b, &st, addrs.v, addrs.n, 1);
		builder_sample(b, st.v, st.n, &one);
	}
	finish_text(b, &sc);
	cleanup_duplicate_locations(b);
out:
	free(addrs.v);
	free(st.v);
	return ret;
}

/* ---- contention ---- */

static bool parse_attr_int(const char *v, size_t n, int64_t *out)
{
	/* strconv.ParseInt(v, 0, 64) for the decimal and 0x forms */
	size_t i = 0;
	bool neg = false;
	uint64_t u;

	if (n && (v[0] == '-' || v[0] == '+')) {
		neg = v[0] == '-';
		i++;
	}
	if (n - i > 2 && v[i] == '0' && (v[i + 1] == 'x' || v[i + 1] == 'X')) {
		i += 2;
		if (!parse_u64(v, n, &i, 16, &u))
			return false;
	} else if (!parse_u64(v, n, &i, 10, &u)) {
		return false;
	}
	if (i != n || u > (uint64_t)INT64_MAX + neg)
		return false;
	*out = neg ? (int64_t)(0 - u) : (int64_t)u;
	return true;
}

static int parse_contention(const unsigned char *data, size_t len, struct cp_builder *b,
			    struct cp_err *err)
{
	struct line_scan sc;
	struct u64vec addrs = { 0 };
	struct stack_buf st = { 0 };
	int64_t cpu_hz = 0, period = 1;
	int ret = 0;

	line_scan_init(&sc, data, len);
	if (!line_scan_next(&sc))
		return NOT_MINE;
	if (!text_has_prefix(sc.line, sc.len, "--- contentionz ") &&
	    !text_has_prefix(sc.line, sc.len, "--- mutex:") &&
	    !text_has_prefix(sc.line, sc.len, "--- contention:"))
		return NOT_MINE;
	builder_period(b, "contentions", "count", 1);
	builder_sample_type(b, "contentions", "count");
	builder_sample_type(b, "delay", "nanoseconds");
	while (line_scan_next(&sc)) {
		const char *s = sc.line, *eq, *k, *v;
		size_t n = sc.len, kn, vn;
		int64_t val;

		text_trim(&s, &n);
		if (is_space_or_comment(s, n))
			continue;
		if (text_has_prefix(s, n, "---"))
			break;
		eq = memchr(s, '=', n);
		if (!eq)
			break;
		k = s;
		kn = (size_t)(eq - s);
		v = eq + 1;
		vn = n - kn - 1;
		text_trim(&k, &kn);
		text_trim(&v, &vn);
		if (same_text(k, kn, "cycles/second", 13)) {
			if (!parse_attr_int(v, vn, &cpu_hz))
				return NOT_MINE;
		} else if (same_text(k, kn, "sampling period", 15)) {
			if (!parse_attr_int(v, vn, &period))
				return NOT_MINE;
			b->p->period = period;
		} else if (same_text(k, kn, "ms since reset", 14)) {
			if (!parse_attr_int(v, vn, &val))
				return NOT_MINE;
			b->p->duration_nanos = mul64(val, 1000 * 1000); /* wraps as Go's int64 */
		} else if (!same_text(k, kn, "discarded samples", 17)) {
			return NOT_MINE; /* includes Java's format and resolution */
		}
	}
	for (;;) {
		const char *s = sc.line;
		size_t n = sc.len;

		text_trim(&s, &n);
		if (text_has_prefix(s, n, "---"))
			break;
		if (!is_space_or_comment(s, n)) {
			/* (\d+) *(\d+) @([ x0-9a-f]*) */
			size_t i = 0, a0;
			uint64_t v1 = 0, v2 = 0;
			int64_t vals[2];
			bool ok = false;

			for (size_t start = 0; start < n && !ok; start++) {
				i = start;
				if (!is_digit(s[i]) || !parse_u64(s, n, &i, 10, &v1))
					continue;
				skip_spaces(s, n, &i);
				if (i >= n || !is_digit(s[i]) || !parse_u64(s, n, &i, 10, &v2))
					continue;
				ok = n - i >= 2 && !memcmp(s + i, " @", 2);
			}
			if (!ok || v1 > INT64_MAX || v2 > INT64_MAX) {
				/* pprof says "unrecognized"; the line is more use */
				ret = cp_errf(err,
					      "contention profile: malformed sample (line %zu)",
					      sc.lineno);
				goto out;
			}
			a0 = i + 2;
			for (i = a0; i < n && (s[i] == ' ' || s[i] == 'x' || is_digit(s[i]) ||
					       (s[i] >= 'a' && s[i] <= 'f'));
			     i++)
				;
			vals[0] = (int64_t)v2;
			vals[1] = (int64_t)v1;
			if (period > 0) {
				if (cpu_hz > 0)
					vals[1] = f2i64((double)vals[1] * (double)period /
							((double)cpu_hz / 1e9));
				vals[0] = mul64(vals[0], period);
			}
			addrs.n = 0;
			if (hex_addresses(s + a0, i - a0, &addrs)) {
				ret = cp_errf(err,
					      "contention profile: address out of range (line %zu)",
					      sc.lineno);
				goto out;
			}
			stack_from_addrs(b, &st, addrs.v, addrs.n, 0);
			builder_sample(b, st.v, st.n, vals);
		}
		if (!line_scan_next(&sc))
			break;
	}
	finish_text(b, &sc);
out:
	free(addrs.v);
	free(st.v);
	return ret;
}

/* ---- Java ---- */

enum java_kind {
	JAVA_CPU,
	JAVA_HEAP,
	JAVA_CONTENTION
};

static bool is_word(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

/* "([\w ]+)=([\w ]+)" searched in s; key and value trimmed. */
static bool java_attribute(const char *s, size_t n, const char **k, size_t *kn, const char **v,
			   size_t *vn)
{
	for (size_t e = 0; e < n; e++) {
		size_t a = e, z = e + 1;

		if (s[e] != '=')
			continue;
		while (a > 0 && (is_word(s[a - 1]) || s[a - 1] == ' '))
			a--;
		while (z < n && (is_word(s[z]) || s[z] == ' '))
			z++;
		if (a == e || z == e + 1)
			continue;
		*k = s + a;
		*kn = e - a;
		*v = s + e + 1;
		*vn = z - e - 1;
		text_trim(k, kn);
		text_trim(v, vn);
		return true;
	}
	return false;
}

/* Lines are taken only while they end in '\n', as pprof reads them. */
static bool java_line(const char **p, const char *end, const char **line, size_t *n)
{
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));

	if (!nl)
		return false;
	*line = *p;
	*n = (size_t)(nl - *p);
	*p = nl + 1;
	text_trim(line, n);
	return true;
}

/* The header attributes; *p is left on the first line that is not one. */
static int java_header(struct cp_builder *b, enum java_kind kind, const char **p, const char *end,
		       struct cp_err *err)
{
	const char *line, *at = *p;
	size_t n;

	while (java_line(&at, end, &line, &n)) {
		const char *k, *v;
		size_t kn, vn;
		char *value;

		if (n) {
			if (!java_attribute(line, n, &k, &kn, &v, &vn))
				return 0;
			value = xstrndup(v, vn);
			if (same_text(k, kn, "format", 6)) {
				if (strcmp(value, "java")) {
					free(value);
					return NOT_MINE;
				}
			} else if (kind == JAVA_HEAP && same_text(k, kn, "resolution", 10)) {
				b->nsample_types = 0;
				builder_sample_type(b, "inuse_objects", "count");
				builder_sample_type(b, "inuse_space", value);
			} else if (kind == JAVA_CONTENTION && same_text(k, kn, "resolution", 10)) {
				b->nsample_types = 0;
				builder_sample_type(b, "contentions", "count");
				builder_sample_type(b, "delay", value);
			} else if (kind == JAVA_CONTENTION &&
				   same_text(k, kn, "sampling period", 15)) {
				builder_period(b, "contentions", "count", 0);
				if (!parse_attr_int(v, vn, &b->p->period)) {
					free(value);
					return cp_errf(err,
						       "java profile: bad sampling period %.*s",
						       (int)vn, v);
				}
			} else if (kind == JAVA_CONTENTION &&
				   same_text(k, kn, "ms since reset", 14)) {
				int64_t ms;

				if (!parse_attr_int(v, vn, &ms)) {
					free(value);
					return cp_errf(err, "java profile: bad ms since reset %.*s",
						       (int)vn, v);
				}
				b->p->duration_nanos = mul64(ms, 1000 * 1000);
			} else {
				free(value);
				return NOT_MINE;
			}
			free(value);
		}
		*p = at;
	}
	return 0;
}

/* " *(\d+) +(\d+) +@ +([ x0-9a-f]*)" searched in s. */
static bool java_sample_match(const char *s, size_t n, uint64_t *v1, uint64_t *v2, size_t *a0,
			      size_t *a1)
{
	for (size_t start = 0; start < n; start++) {
		size_t i = start;

		if (!is_digit(s[i]) || !parse_u64(s, n, &i, 10, v1) || i >= n || s[i] != ' ')
			continue;
		skip_spaces(s, n, &i);
		if (i >= n || !is_digit(s[i]) || !parse_u64(s, n, &i, 10, v2) || i >= n ||
		    s[i] != ' ')
			continue;
		skip_spaces(s, n, &i);
		if (i + 1 >= n || s[i] != '@' || s[i + 1] != ' ')
			continue;
		i++;
		skip_spaces(s, n, &i);
		*a0 = i;
		while (i < n && (s[i] == ' ' || s[i] == 'x' || is_digit(s[i]) ||
				 (s[i] >= 'a' && s[i] <= 'f')))
			i++;
		*a1 = i;
		return true;
	}
	return false;
}

static int java_samples(struct cp_builder *b, enum java_kind kind, const char **p, const char *end,
			struct cp_err *err)
{
	struct u64vec addrs = { 0 };
	struct stack_buf st = { 0 };
	const char *line, *at = *p;
	size_t n;
	uint32_t bytes_key = builder_str(b, "bytes");
	int ret = 0;

	while (java_line(&at, end, &line, &n)) {
		uint64_t v1, v2;
		size_t a0, a1;
		int64_t vals[2];

		if (n) {
			if (!java_sample_match(line, n, &v1, &v2, &a0, &a1))
				break;
			if (v1 > INT64_MAX || v2 > INT64_MAX) {
				ret = cp_errf(err, "java profile: value out of range: %.*s", (int)n,
					      line);
				goto out;
			}
			addrs.n = 0;
			if (hex_addresses(line + a0, a1 - a0, &addrs)) {
				ret = cp_errf(err, "java profile: address out of range: %.*s",
					      (int)n, line);
				goto out;
			}
			stack_from_addrs(b, &st, addrs.v, addrs.n, addrs.n);
			/* Java rows give the count second */
			vals[0] = (int64_t)v2;
			vals[1] = (int64_t)v1;
			if (kind == JAVA_HEAP) {
				int64_t bs;

				if (vals[0] == 0) {
					ret = cp_errf(
						err,
						"java heap profile: count must be non-zero: %.*s",
						(int)n, line);
					goto out;
				}
				bs = vals[1] / vals[0];
				scale_heap_sample(&vals[0], &vals[1], 524288);
				builder_sample(b, st.v, st.n, vals);
				builder_label(b, bytes_key, 0, bs, 0);
			} else {
				if (b->p->period) {
					/* Go's int64 product wraps (pprof's) */
					vals[0] = mul64(vals[0], b->p->period);
					vals[1] = mul64(vals[1], b->p->period);
				}
				builder_sample(b, st.v, st.n, vals);
			}
		}
		*p = at;
	}
out:
	free(addrs.v);
	free(st.v);
	return ret;
}

/*
 * "^(.*)\s+\((.+):(-?\d+)\)$": the function is everything before the
 * last blank that precedes a "(file:line)" ending the text.
 */
static bool java_file_line(const char *s, size_t n, size_t *fnn, const char **file, size_t *filen,
			   int64_t *lineno)
{
	if (!n || s[n - 1] != ')')
		return false;
	for (size_t open = n - 1; open-- > 1;) {
		const char *in = s + open + 1;
		size_t inn = n - open - 2, c;

		if (s[open] != '(' || !is_space(s[open - 1]))
			continue;
		for (c = inn; c-- > 1;) {
			size_t d = c + 1, e, q = c + 1;
			int64_t v;

			if (in[c] != ':')
				continue;
			if (d < inn && in[d] == '-')
				d++;
			for (e = d; e < inn && is_digit(in[e]); e++)
				;
			if (e == d || e != inn)
				break;
			*fnn = open - 1;
			*file = in;
			*filen = c;
			*lineno = parse_i64(in, inn, &q, &v) && v > 0 ? v : 0;
			return true;
		}
	}
	return false;
}

/* "^(.*)\s+\((.*)\)$": a shared library path, of which the base name is kept. */
static bool java_path(const char *s, size_t n, size_t *fnn, const char **file, size_t *filen)
{
	if (!n || s[n - 1] != ')')
		return false;
	for (size_t open = n - 1; open-- > 1;) {
		if (s[open] != '(' || !is_space(s[open - 1]))
			continue;
		*fnn = open - 1;
		*file = path_base(s + open + 1, n - open - 2, filen);
		return true;
	}
	return false;
}

/*
 * The symbol table that ends Java profiles: "0xADDR function (file:line)",
 * "0xADDR function (path)", or "0xADDR text".  Addresses are then zeroed:
 * locations are known by their function and line only.
 */
static int parse_java_locations(struct cp_builder *b, struct line_scan *sc, struct cp_err *err)
{
	struct idmap fn_by_name;

	idmap_init(&fn_by_name, 64);
	while (line_scan_next(sc)) {
		const char *s = sc->line, *rest, *fn, *file = "";
		size_t n = sc->len, i = 2, rn, fnn, filen = 0;
		uint64_t addr;
		int64_t lineno = 0;
		uint32_t loc, name, fidx;
		struct cp_line ln;

		text_trim(&s, &n);
		if (n < 3 || s[0] != '0' || s[1] != 'x' || !is_hex(s[2]))
			continue;
		while (i < n && is_hex(s[i]))
			i++;
		if (i == n || !is_space(s[i]))
			continue;
		{
			size_t k = 2;

			if (!parse_u64(s, n, &k, 16, &addr)) {
				idmap_release(&fn_by_name);
				return cp_errf(err, "java profile: address out of range (line %zu)",
					       sc->lineno);
			}
		}
		rest = s + i;
		rn = n - i;
		text_trim(&rest, &rn);
		if (addr == UINT64_MAX || !idmap_get(&b->by_addr, addr + 1, &loc))
			continue; /* not used by any sample */
		fn = rest;
		fnn = rn;
		if (java_file_line(rest, rn, &fnn, &file, &filen, &lineno)) {
			fn = rest;
		} else if (java_path(rest, rn, &fnn, &file, &filen)) {
			fn = rest;
		} else if (text_contains(rest, rn, "generated stub/JIT")) {
			fn = "STUB";
			fnn = 4;
		}
		name = builder_strn(b, fn, fnn);
		if (!idmap_get(&fn_by_name, (uint64_t)name + 1, &fidx)) {
			fidx = builder_function(b, name, name, builder_strn(b, file, filen), 0);
			idmap_put(&fn_by_name, (uint64_t)name + 1, fidx);
		}
		ln.function = fidx;
		ln.line = lineno;
		ln.column = 0;
		/* a location may be listed twice: the last line wins */
		if (b->locations[loc].nlines == 1) {
			b->lines[b->locations[loc].line_off] = ln;
		} else {
			ALLOC_GROW(b->lines, b->nlines + 1, b->lines_alloc);
			b->lines[b->nlines] = ln;
			b->locations[loc].line_off = (uint32_t)b->nlines++;
			b->locations[loc].nlines = 1;
		}
		b->locations[loc].address = 0;
	}
	idmap_release(&fn_by_name);
	builder_compact(b);
	legacy_assign_mappings(b);
	for (size_t i = 0; i < b->nlocations; i++)
		b->locations[i].address = 0;
	if (b->nsample_types != 2)
		return cp_errf(err, "java profile: no resolution attribute, so no sample types");
	return 0;
}

static int parse_java(const unsigned char *data, size_t len, struct cp_builder *b,
		      struct cp_err *err)
{
	const char *p = (const char *)data, *end = p + len, *line;
	enum java_kind kind;
	struct line_scan sc;
	size_t n;
	int ret;

	if (!java_line(&p, end, &line, &n))
		return NOT_MINE;
	if (same_text(line, n, "--- heapz 1 ---", 15))
		kind = JAVA_HEAP;
	else if (same_text(line, n, "--- contentionz 1 ---", 21))
		kind = JAVA_CONTENTION;
	else
		return NOT_MINE;
	builder_period(b, "", "", 0);
	ret = java_header(b, kind, &p, end, err);
	if (ret)
		return ret;
	ret = java_samples(b, kind, &p, end, err);
	if (ret)
		return ret;
	line_scan_init(&sc, (const unsigned char *)p, (size_t)(end - p));
	return parse_java_locations(b, &sc, err);
}

/* ---- entry ---- */

typedef int (*legacy_parser_fn)(const unsigned char *data, size_t len, struct cp_builder *b,
				struct cp_err *err);

int legacy_parse(const unsigned char *data, size_t len, struct cp_profile **out, struct cp_err *err)
{
	static const legacy_parser_fn parsers[] = { parse_cpu,	  parse_heap,	    parse_go_count,
						    parse_thread, parse_contention, parse_java };

	for (size_t i = 0; i < ARRAY_SIZE(parsers); i++) {
		struct cp_builder b;
		int r;

		builder_init(&b);
		r = parsers[i](data, len, &b, err);
		if (r == 0) {
			add_frame_info(&b);
			*out = builder_finish(&b);
			return 0;
		}
		builder_release(&b);
		if (r < 0)
			return -1;
	}
	return NOT_MINE;
}
