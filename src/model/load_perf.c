/*
 * load_perf.c - `perf script` text (what it prints for `perf record -g`).
 *
 * A sample is a header line, "comm pid[/tid] [cpu] time: [period] event:",
 * followed by its frames, leaf first, one per line:
 *   "\t addr symbol+0xoff (dso)"   (symbol may be "[unknown]")
 * and a blank line.  Without -g the one frame may end the header line.
 * Sample types are samples/count and the event's period (cpu/nanoseconds
 * for cpu-clock and task-clock, else "<event>/count"); the default is the
 * period.  Each dso becomes a mapping; each (dso, address) a location,
 * with perf's symbol as its function when perf knew it, so that unknown
 * symbols can still be found by the symbolizer from the dso.
 */
#include "model/compat.h"
#include "model/alloc.h"
#include "model/build.h"
#include "model/formats.h"

static bool is_hex_digit(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/*
 * The header: find " <digits>.<digits>: " (the time), then an optional
 * period and the event name up to ':'.  Returns the offset after the
 * event's ':' or 0 when this is not a header.
 */
static size_t parse_header(const char *s, size_t n, int64_t *period, const char **ev, size_t *evn)
{
	if (!n || s[0] == ' ' || s[0] == '\t')
		return 0;
	for (size_t i = 1; i + 2 < n; i++) {
		size_t j = i, k;

		if (s[i - 1] != ' ' || !(s[i] >= '0' && s[i] <= '9'))
			continue;
		while (j < n && s[j] >= '0' && s[j] <= '9')
			j++;
		if (j >= n || s[j] != '.')
			continue;
		k = ++j;
		while (j < n && s[j] >= '0' && s[j] <= '9')
			j++;
		if (j == k || j >= n || s[j] != ':')
			continue;
		j++;
		while (j < n && s[j] == ' ')
			j++;
		*period = 1;
		k = j;
		while (j < n && s[j] >= '0' && s[j] <= '9')
			j++;
		if (j > k && j < n && s[j] == ' ') {
			*period = 0;
			for (size_t d = k; d < j && *period < INT64_MAX / 10; d++)
				*period = *period * 10 + (s[d] - '0');
			while (j < n && s[j] == ' ')
				j++;
		} else {
			j = k;
		}
		k = j;
		while (j < n && s[j] != ':' && s[j] != ' ')
			j++;
		if (j == k || j >= n || s[j] != ':')
			return 0;
		*ev = s + k;
		*evn = j - k;
		/* "cpu-clock:ppp:" - modifiers belong to the event name's tail */
		j++;
		while (j < n && s[j] != ' ' && s[j] != '\t')
			j++;
		return j;
	}
	return 0;
}

/* A frame "addr symbol (dso)"; false when s is not one. */
static bool parse_frame(const char *s, size_t n, uint64_t *addr, const char **sym, size_t *symn,
			const char **dso, size_t *dson)
{
	size_t i = 0, h;
	uint64_t v = 0;

	text_trim(&s, &n);
	while (i < n && is_hex_digit(s[i])) {
		char c = s[i];

		if (v >> 60)
			return false;
		v = v << 4 | (uint64_t)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
		i++;
	}
	if (i == 0 || i == n || s[i] != ' ')
		return false;
	h = i + 1;
	*addr = v;
	*dso = "";
	*dson = 0;
	if (n > h && s[n - 1] == ')') {
		const char *open = NULL;

		for (size_t k = n - 1; k-- > h;)
			if (s[k] == '(' && s[k - 1] == ' ') {
				open = s + k;
				break;
			}
		if (open) {
			*dso = open + 1;
			*dson = (size_t)(s + n - 1 - *dso);
			n = (size_t)(open - 1 - s);
		}
	}
	*sym = s + h;
	*symn = n > h ? n - h : 0;
	/* drop "+0xoff" */
	for (size_t k = *symn; k > 2; k--) {
		if ((*sym)[k - 1] == '+' && k + 1 < *symn && (*sym)[k] == '0' &&
		    (*sym)[k + 1] == 'x') {
			*symn = k - 1;
			break;
		}
	}
	return true;
}

struct perf_state {
	struct cp_builder b;
	struct idmap loc_of, map_of; /* hash keys -> index */
	uint32_t *stack;
	size_t nstack, stack_alloc;
};

static uint32_t mapping_for(struct perf_state *ps, const char *dso, size_t n)
{
	uint32_t file = builder_strn(&ps->b, dso, n), idx;

	if (idmap_get(&ps->map_of, (uint64_t)file + 1, &idx))
		return idx;
	idx = builder_mapping(&ps->b, 0, UINT64_MAX, 0, file, 0);
	idmap_put(&ps->map_of, (uint64_t)file + 1, idx);
	return idx;
}

static void add_frame(struct perf_state *ps, uint64_t addr, const char *sym, size_t symn,
		      const char *dso, size_t dson)
{
	bool unknown = symn == 0 || (symn == 9 && !memcmp(sym, "[unknown]", 9));
	bool no_dso = dson == 0 || (dson == 9 && !memcmp(dso, "[unknown]", 9));
	uint32_t map = no_dso ? CP_NONE : mapping_for(ps, dso, dson);
	uint64_t key = hash_mix64(addr ^ hash_mix64((uint64_t)map + 7)) | 1, loc;
	uint32_t idx;
	struct cp_line ln;

	if (!idmap_get(&ps->loc_of, key, &idx)) {
		size_t nl = 0;

		if (!unknown || no_dso) {
			uint32_t name = unknown ? builder_str(&ps->b, "[unknown]") :
						  builder_strn(&ps->b, sym, symn);

			ln.function = builder_function(&ps->b, name, name, 0, 0);
			ln.line = 0;
			ln.column = 0;
			nl = 1;
			if (map != CP_NONE)
				ps->b.mappings[map].has_functions = true;
		}
		idx = builder_location(&ps->b, addr, map, &ln, nl);
		idmap_put(&ps->loc_of, key, idx);
	}
	loc = idx;
	ALLOC_GROW(ps->stack, ps->nstack + 1, ps->stack_alloc);
	ps->stack[ps->nstack++] = (uint32_t)loc;
}

int perf_script_parse(const unsigned char *data, size_t len, struct cp_profile **out,
		      struct cp_err *err)
{
	struct line_scan sc;
	struct perf_state ps;
	bool in_sample = false, first = true;
	int64_t period = 0, vals[2];
	char *event = NULL;

	/* recognise: the first meaningful line is a sample header */
	line_scan_init(&sc, data, len);
	while (line_scan_next(&sc)) {
		const char *ev;
		size_t evn, n = sc.len;
		const char *s = sc.line;

		text_trim(&s, &n);
		if (!n || s[0] == '#')
			continue;
		if (memchr(sc.line, 0, sc.len) ||
		    !parse_header(sc.line, sc.len, &period, &ev, &evn))
			return 1;
		event = xstrndup(ev, evn);
		break;
	}
	if (!event)
		return 1;

	memset(&ps, 0, sizeof(ps));
	builder_init(&ps.b);
	idmap_init(&ps.loc_of, 1024);
	idmap_init(&ps.map_of, 16);
	builder_sample_type(&ps.b, "samples", "count");
	if (!strncmp(event, "cpu-clock", 9) || !strncmp(event, "task-clock", 10)) {
		builder_sample_type(&ps.b, "cpu", "nanoseconds");
		builder_period(&ps.b, "cpu", "nanoseconds", period);
	} else {
		builder_sample_type(&ps.b, event, "count");
		builder_period(&ps.b, event, "count", period);
	}
	line_scan_init(&sc, data, len);
	for (bool more = true; more;) {
		const char *s, *ev, *sym, *dso;
		size_t n, evn, symn, dson, after;
		uint64_t addr;

		more = line_scan_next(&sc);
		s = sc.line;
		n = sc.len;
		text_trim(&s, &n);
		if (in_sample &&
		    (!more || !n || parse_header(sc.line, sc.len, &period, &ev, &evn))) {
			vals[0] = 1;
			vals[1] = vals[1] ? vals[1] : 1;
			builder_sample(&ps.b, ps.stack, ps.nstack, vals);
			in_sample = false;
		}
		if (!more || !n || s[0] == '#')
			continue;
		after = parse_header(sc.line, sc.len, &period, &ev, &evn);
		if (after) {
			in_sample = true;
			ps.nstack = 0;
			vals[1] = period;
			/* without -g the frame ends the header */
			if (parse_frame(sc.line + after, sc.len - after, &addr, &sym, &symn, &dso,
					&dson))
				add_frame(&ps, addr, sym, symn, dso, dson);
			first = false;
			continue;
		}
		if (!in_sample)
			continue;
		if (parse_frame(s, n, &addr, &sym, &symn, &dso, &dson))
			add_frame(&ps, addr, sym, symn, dso, dson);
		/* other lines (srcline, brstack...) are skipped */
	}
	/* the main binary's mapping goes first, as in pprof's other readers */
	for (size_t i = 0; i < ps.b.nmappings; i++) {
		struct cp_mapping tmp;

		if (!legacy_main_candidate(profile_str(ps.b.p, ps.b.mappings[i].file)))
			continue;
		tmp = ps.b.mappings[0];
		ps.b.mappings[0] = ps.b.mappings[i];
		ps.b.mappings[i] = tmp;
		for (size_t l = 0; l < ps.b.nlocations; l++) {
			uint32_t *m = &ps.b.locations[l].mapping;

			if (*m == 0)
				*m = (uint32_t)i;
			else if (*m == i)
				*m = 0;
		}
		break;
	}
	(void)first;
	(void)err;
	free(event);
	free(ps.stack);
	idmap_release(&ps.loc_of);
	idmap_release(&ps.map_of);
	*out = builder_finish(&ps.b);
	return 0;
}
