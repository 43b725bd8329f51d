/*
 * build.c - the profile builder shared by every non-proto reader.
 */
#include "model/compat.h"
#include "model/alloc.h"
#include "model/build.h"

void builder_init(struct cp_builder *b)
{
	memset(b, 0, sizeof(*b));
	b->p = profile_new();
	idmap_init(&b->by_addr, 64);
	b->loc_at_max = CP_NONE;
	b->fn_mask = 63;
	b->fn_slots = xcalloc(b->fn_mask + 1, sizeof(*b->fn_slots));
}

void builder_release(struct cp_builder *b)
{
	profile_free(b->p);
	free(b->sample_types);
	free(b->samples);
	free(b->stack);
	free(b->values);
	free(b->labels);
	free(b->locations);
	free(b->lines);
	free(b->functions);
	free(b->mappings);
	free(b->comments);
	if (b->by_addr.keys)
		idmap_release(&b->by_addr);
	free(b->fn_slots);
	memset(b, 0, sizeof(*b));
}

uint32_t builder_strn(struct cp_builder *b, const char *s, size_t len)
{
	return strtab_intern(&b->p->strs, s, len);
}

uint32_t builder_str(struct cp_builder *b, const char *s)
{
	return strtab_intern(&b->p->strs, s, strlen(s));
}

void builder_sample_type(struct cp_builder *b, const char *type, const char *unit)
{
	ALLOC_GROW(b->sample_types, b->nsample_types + 1, b->sample_types_alloc);
	b->sample_types[b->nsample_types].type = builder_str(b, type);
	b->sample_types[b->nsample_types].unit = builder_str(b, unit);
	b->nsample_types++;
}

void builder_period(struct cp_builder *b, const char *type, const char *unit, int64_t period)
{
	b->p->period_type.type = builder_str(b, type);
	b->p->period_type.unit = builder_str(b, unit);
	b->p->has_period_type = true;
	b->p->period = period;
}

void builder_comment(struct cp_builder *b, const char *text)
{
	ALLOC_GROW(b->comments, b->ncomments + 1, b->comments_alloc);
	b->comments[b->ncomments++] = builder_str(b, text);
}

uint32_t builder_mapping(struct cp_builder *b, uint64_t start, uint64_t limit, uint64_t offset,
			 uint32_t file, uint32_t build_id)
{
	struct cp_mapping *m;

	ALLOC_GROW(b->mappings, b->nmappings + 1, b->mappings_alloc);
	m = &b->mappings[b->nmappings];
	memset(m, 0, sizeof(*m));
	m->start = start;
	m->limit = limit;
	m->offset = offset;
	m->file = file;
	m->build_id = build_id;
	return (uint32_t)b->nmappings++;
}

uint32_t builder_location(struct cp_builder *b, uint64_t addr, uint32_t mapping,
			  const struct cp_line *lines, size_t n)
{
	struct cp_location *l;

	ALLOC_GROW(b->locations, b->nlocations + 1, b->locations_alloc);
	ALLOC_GROW(b->lines, b->nlines + n, b->lines_alloc);
	l = &b->locations[b->nlocations];
	memset(l, 0, sizeof(*l));
	l->address = addr;
	l->mapping = mapping;
	l->line_off = (uint32_t)b->nlines;
	l->nlines = (uint32_t)n;
	if (n) /* lines may still be NULL, and NULL + 0 is undefined */
		memcpy(b->lines + b->nlines, lines, n * sizeof(*lines));
	b->nlines += n;
	return (uint32_t)b->nlocations++;
}

uint32_t builder_location_at(struct cp_builder *b, uint64_t addr)
{
	uint32_t idx;

	if (addr == UINT64_MAX) {
		if (b->loc_at_max == CP_NONE)
			b->loc_at_max = builder_location(b, addr, CP_NONE, NULL, 0);
		return b->loc_at_max;
	}
	if (idmap_get(&b->by_addr, addr + 1, &idx))
		return idx;
	idx = builder_location(b, addr, CP_NONE, NULL, 0);
	idmap_put(&b->by_addr, addr + 1, idx);
	return idx;
}

static uint64_t function_hash(uint32_t name, uint32_t system_name, uint32_t filename,
			      int64_t start_line)
{
	uint64_t h = hash_mix64(((uint64_t)name << 32) | system_name);

	h = hash_mix64(h ^ ((uint64_t)filename << 1));
	return hash_mix64(h ^ (uint64_t)start_line);
}

static void fn_rehash(struct cp_builder *b)
{
	size_t cap = (b->fn_mask + 1) * 2;

	free(b->fn_slots);
	b->fn_slots = xcalloc(cap, sizeof(*b->fn_slots));
	b->fn_mask = cap - 1;
	for (size_t k = 0; k < b->nfunctions; k++) {
		const struct cp_function *f = &b->functions[k];
		size_t i = function_hash(f->name, f->system_name, f->filename, f->start_line) &
			   b->fn_mask;

		while (b->fn_slots[i])
			i = (i + 1) & b->fn_mask;
		b->fn_slots[i] = (uint32_t)k + 1;
	}
}

uint32_t builder_function(struct cp_builder *b, uint32_t name, uint32_t system_name,
			  uint32_t filename, int64_t start_line)
{
	size_t i;
	struct cp_function *f;

	if ((b->nfunctions + 1) * 2 > b->fn_mask + 1)
		fn_rehash(b);
	i = function_hash(name, system_name, filename, start_line) & b->fn_mask;
	for (; b->fn_slots[i]; i = (i + 1) & b->fn_mask) {
		f = &b->functions[b->fn_slots[i] - 1];
		if (f->name == name && f->system_name == system_name && f->filename == filename &&
		    f->start_line == start_line)
			return b->fn_slots[i] - 1;
	}
	ALLOC_GROW(b->functions, b->nfunctions + 1, b->functions_alloc);
	f = &b->functions[b->nfunctions];
	memset(f, 0, sizeof(*f));
	f->name = name;
	f->system_name = system_name;
	f->filename = filename;
	f->start_line = start_line;
	b->fn_slots[i] = (uint32_t)b->nfunctions + 1;
	return (uint32_t)b->nfunctions++;
}

void builder_sample(struct cp_builder *b, const uint32_t *locs, size_t n, const int64_t *values)
{
	struct cp_sample *s;

	ALLOC_GROW(b->samples, b->nsamples + 1, b->samples_alloc);
	ALLOC_GROW(b->stack, b->nstack + n, b->stack_alloc);
	ALLOC_GROW(b->values, b->nvalues + b->nsample_types, b->values_alloc);
	s = &b->samples[b->nsamples++];
	s->stack_off = (uint32_t)b->nstack;
	s->depth = (uint32_t)n;
	s->label_off = (uint32_t)b->nlabels;
	s->nlabels = 0;
	if (n) /* stack may still be NULL, and NULL + 0 is undefined */
		memcpy(b->stack + b->nstack, locs, n * sizeof(*locs));
	b->nstack += n;
	if (b->nsample_types)
		memcpy(b->values + b->nvalues, values, b->nsample_types * sizeof(*values));
	b->nvalues += b->nsample_types;
}

void builder_label(struct cp_builder *b, uint32_t key, uint32_t str, int64_t num, uint32_t num_unit)
{
	struct cp_label *l;

	if (!b->nsamples)
		return;
	ALLOC_GROW(b->labels, b->nlabels + 1, b->labels_alloc);
	l = &b->labels[b->nlabels++];
	l->key = key;
	l->str = str;
	l->num = num;
	l->num_unit = num_unit;
	b->samples[b->nsamples - 1].nlabels++;
}

void builder_compact(struct cp_builder *b)
{
	uint32_t *loc_map = xmalloc(st_mult(b->nlocations + 1, sizeof(*loc_map)));
	uint32_t *fn_map = xmalloc(st_mult(b->nfunctions + 1, sizeof(*fn_map)));
	struct cp_location *locs = xmalloc(st_mult(b->nlocations + 1, sizeof(*locs)));
	struct cp_function *fns = xmalloc(st_mult(b->nfunctions + 1, sizeof(*fns)));
	struct cp_line *lines = xmalloc(st_mult(b->nlines + 1, sizeof(*lines)));
	size_t nl = 0, nf = 0, nln = 0;

	for (size_t i = 0; i < b->nlocations; i++)
		loc_map[i] = CP_NONE;
	for (size_t i = 0; i < b->nfunctions; i++)
		fn_map[i] = CP_NONE;
	/* samples may have been shortened in place: only their depth counts */
	for (size_t s = 0; s < b->nsamples; s++) {
		uint32_t *st;

		if (!b->samples[s].depth)
			continue; /* stack may be NULL when no sample has a frame */
		st = b->stack + b->samples[s].stack_off;
		for (uint32_t k = 0; k < b->samples[s].depth; k++) {
			uint32_t old = st[k];

			if (loc_map[old] == CP_NONE) {
				loc_map[old] = (uint32_t)nl;
				locs[nl++] = b->locations[old];
			}
			st[k] = loc_map[old];
		}
	}
	for (size_t i = 0; i < nl; i++) {
		struct cp_location *l = &locs[i];
		uint32_t off = (uint32_t)nln;

		for (uint32_t j = 0; j < l->nlines; j++) {
			struct cp_line ln = b->lines[l->line_off + j];

			if (ln.function != CP_NONE) {
				if (fn_map[ln.function] == CP_NONE) {
					fn_map[ln.function] = (uint32_t)nf;
					fns[nf++] = b->functions[ln.function];
				}
				ln.function = fn_map[ln.function];
			}
			lines[nln++] = ln;
		}
		l->line_off = off;
	}
	free(b->locations);
	free(b->functions);
	free(b->lines);
	b->locations = locs;
	b->nlocations = nl;
	b->locations_alloc = b->nlocations + 1;
	b->functions = fns;
	b->nfunctions = nf;
	b->functions_alloc = b->nfunctions + 1;
	b->lines = lines;
	b->nlines = nln;
	b->lines_alloc = b->nlines + 1;
	/* lookups by address or fields are no longer valid */
	idmap_release(&b->by_addr);
	idmap_init(&b->by_addr, 64);
	b->loc_at_max = CP_NONE;
	fn_rehash(b);
	free(loc_map);
	free(fn_map);
}

struct cp_profile *builder_finish(struct cp_builder *b)
{
	struct cp_profile *p = b->p;

	for (size_t i = 0; i < b->nlocations; i++)
		b->locations[i].id = i + 1;
	for (size_t i = 0; i < b->nfunctions; i++)
		b->functions[i].id = i + 1;
	for (size_t i = 0; i < b->nmappings; i++)
		b->mappings[i].id = i + 1;

	p->sample_types =
		arena_alloc(&p->arena, st_mult(b->nsample_types + 1, sizeof(*p->sample_types)));
	copy_n(p->sample_types, b->sample_types, b->nsample_types * sizeof(*p->sample_types));
	p->nsample_types = b->nsample_types;
	p->mappings = arena_alloc(&p->arena, st_mult(b->nmappings + 1, sizeof(*p->mappings)));
	copy_n(p->mappings, b->mappings, b->nmappings * sizeof(*p->mappings));
	p->nmappings = b->nmappings;
	p->comments = arena_alloc(&p->arena, st_mult(b->ncomments + 1, sizeof(*p->comments)));
	copy_n(p->comments, b->comments, b->ncomments * sizeof(*p->comments));
	p->ncomments = b->ncomments;

#define HAND_OVER(field, count)      \
	do {                         \
		p->field = b->field; \
		b->field = NULL;     \
		p->count = b->count; \
	} while (0)
	HAND_OVER(samples, nsamples);
	HAND_OVER(stack, nstack);
	HAND_OVER(locations, nlocations);
	HAND_OVER(lines, nlines);
	HAND_OVER(labels, nlabels);
	HAND_OVER(functions, nfunctions);
#undef HAND_OVER
	p->values = b->values;
	b->values = NULL;
	p->owns_arrays = true;
	b->p = NULL;
	builder_release(b);
	return p;
}
