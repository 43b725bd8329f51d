/*
 * merge.c - several profiles -> one, as pprof merges them.
 *
 * Inputs must have the same period type and sample types.  Header fields
 * combine as pprof does: earliest time, summed durations, largest period,
 * comments de-duplicated in order, first default_sample_type and doc_url.
 * Mappings, functions and locations are de-duplicated by content; samples
 * with the same stack and labels are summed and all-zero samples dropped.
 */
#include "model/compat.h"
#include "model/alloc.h"
#include "model/buf.h"
#include "model/hash.h"
#include "model/profile.h"

/* Content-keyed de-duplication: a hash of 64-bit digests -> index. */
struct dedup {
	uint64_t *keys;
	uint32_t *vals;
	size_t mask, count;
};

static void dedup_init(struct dedup *d, size_t expected)
{
	size_t cap = 16;

	while (cap < expected * 2 + 1)
		cap <<= 1;
	d->keys = xcalloc(cap, sizeof(*d->keys));
	d->vals = xmalloc(st_mult(cap, sizeof(*d->vals)));
	d->mask = cap - 1;
	d->count = 0;
}

static void dedup_release(struct dedup *d)
{
	free(d->keys);
	free(d->vals);
}

/*
 * Find 'key' among entries whose content equals per 'eq'; insert 'val' when
 * absent.  Returns the stored index.  Key 0 is remapped to 1 (0 = empty).
 */
static uint32_t dedup_find(struct dedup *d, uint64_t key, uint32_t val,
			   bool (*eq)(void *ctx, uint32_t a, uint32_t b), void *ctx)
{
	size_t i;

	if (!key)
		key = 1;
	if ((d->count + 1) * 2 > d->mask + 1) {
		struct dedup n;

		dedup_init(&n, d->mask + 1);
		for (size_t j = 0; j <= d->mask; j++) {
			if (!d->keys[j])
				continue;
			for (i = d->keys[j] & n.mask; n.keys[i]; i = (i + 1) & n.mask)
				;
			n.keys[i] = d->keys[j];
			n.vals[i] = d->vals[j];
			n.count++;
		}
		dedup_release(d);
		*d = n;
	}
	for (i = key & d->mask; d->keys[i]; i = (i + 1) & d->mask)
		if (d->keys[i] == key && eq(ctx, d->vals[i], val))
			return d->vals[i];
	d->keys[i] = key;
	d->vals[i] = val;
	d->count++;
	return val;
}

struct merger {
	struct cp_profile *dst;
	struct buf tmp;
	/* growable arrays of the result */
	struct cp_mapping *mappings;
	size_t nmappings, amappings;
	struct cp_function *functions;
	size_t nfunctions, afunctions;
	struct cp_location *locations;
	size_t nlocations, alocations;
	struct cp_line *lines;
	size_t nlines, alines;
	struct cp_sample *samples;
	size_t nsamples, asamples;
	uint32_t *stack;
	size_t nstack, astack;
	int64_t *values;
	size_t avalues;
	struct cp_label *labels;
	size_t nlabels, alabels;
	struct dedup dm, df, dl, ds;
};

static uint64_t mix(uint64_t h, uint64_t v)
{
	return hash_mix64(h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2)));
}

/* pprof's mapping key: size rounded up to 4 KiB, offset, build id or file. */
static void mapping_key(const struct cp_mapping *m, uint64_t out[3])
{
	uint64_t size = m->limit - m->start;

	size = size + 0xfff;
	size -= size % 0x1000;
	out[0] = size;
	out[1] = m->offset;
	out[2] = m->build_id ? m->build_id : m->file;
}

static bool mapping_eq(void *ctx, uint32_t a, uint32_t b)
{
	struct merger *mg = ctx;
	uint64_t ka[3], kb[3];

	mapping_key(&mg->mappings[a], ka);
	mapping_key(&mg->mappings[b], kb);
	return !memcmp(ka, kb, sizeof(ka));
}

static bool function_eq(void *ctx, uint32_t a, uint32_t b)
{
	struct merger *mg = ctx;
	const struct cp_function *x = &mg->functions[a], *y = &mg->functions[b];

	return x->name == y->name && x->system_name == y->system_name &&
	       x->filename == y->filename && x->start_line == y->start_line;
}

static uint64_t location_norm_addr(const struct merger *mg, const struct cp_location *l)
{
	return l->mapping == CP_NONE ? l->address : l->address - mg->mappings[l->mapping].start;
}

static bool location_eq(void *ctx, uint32_t a, uint32_t b)
{
	struct merger *mg = ctx;
	const struct cp_location *x = &mg->locations[a], *y = &mg->locations[b];

	if (x->mapping != y->mapping || x->is_folded != y->is_folded || x->nlines != y->nlines ||
	    location_norm_addr(mg, x) != location_norm_addr(mg, y))
		return false;
	for (uint32_t i = 0; i < x->nlines; i++) {
		const struct cp_line *lx = &mg->lines[x->line_off + i];
		const struct cp_line *ly = &mg->lines[y->line_off + i];

		if (lx->function != ly->function || lx->line != ly->line ||
		    lx->column != ly->column)
			return false;
	}
	return true;
}

static bool sample_eq(void *ctx, uint32_t a, uint32_t b)
{
	struct merger *mg = ctx;
	const struct cp_sample *x = &mg->samples[a], *y = &mg->samples[b];

	if (x->depth != y->depth || x->nlabels != y->nlabels)
		return false;
	if (memcmp(mg->stack + x->stack_off, mg->stack + y->stack_off, x->depth * sizeof(uint32_t)))
		return false;
	for (uint32_t i = 0; i < x->nlabels; i++) {
		const struct cp_label *lx = &mg->labels[x->label_off + i];
		const struct cp_label *ly = &mg->labels[y->label_off + i];

		if (lx->key != ly->key || lx->str != ly->str || lx->num != ly->num ||
		    lx->num_unit != ly->num_unit)
			return false;
	}
	return true;
}

static uint32_t intern_from(struct merger *mg, const struct cp_profile *src, uint32_t id)
{
	return strtab_intern(&mg->dst->strs, strtab_str(&src->strs, id),
			     strtab_len(&src->strs, id));
}

static bool vt_equal(const struct cp_profile *a, struct cp_value_type x, const struct cp_profile *b,
		     struct cp_value_type y)
{
	return !strcmp(profile_str(a, x.type), profile_str(b, y.type)) &&
	       !strcmp(profile_str(a, x.unit), profile_str(b, y.unit));
}

static void describe_types(struct buf *b, const struct cp_profile *p)
{
	buf_addc(b, '[');
	for (size_t i = 0; i < p->nsample_types; i++)
		buf_addf(b, "%s%s/%s", i ? " " : "", profile_str(p, p->sample_types[i].type),
			 profile_str(p, p->sample_types[i].unit));
	buf_addc(b, ']');
}

/* Same period type and sample types (after profile_combine made them so)? */
static int profile_compatible(const struct cp_profile *a, const struct cp_profile *b,
			      struct cp_err *err)
{
	{
		struct buf x = BUF_INIT, y = BUF_INIT;
		bool same = a->nsample_types == b->nsample_types;

		if (!vt_equal(a, a->period_type, b, b->period_type))
			return cp_errf(err, "incompatible period types %s/%s and %s/%s",
				       profile_str(a, a->period_type.type),
				       profile_str(a, a->period_type.unit),
				       profile_str(b, b->period_type.type),
				       profile_str(b, b->period_type.unit));
		for (size_t i = 0; same && i < a->nsample_types; i++)
			same = vt_equal(a, a->sample_types[i], b, b->sample_types[i]);
		if (same)
			return 0;
		buf_init(&x);
		buf_init(&y);
		describe_types(&x, a);
		describe_types(&y, b);
		cp_errf(err, "incompatible sample types %s and %s", x.buf, y.buf);
		buf_release(&x);
		buf_release(&y);
		return -1;
	}
	return 0;
}

static void merge_one(struct merger *mg, const struct cp_profile *src, size_t nvt)
{
	uint32_t *mmap = xmalloc(st_mult(src->nmappings + 1, sizeof(uint32_t)));
	uint32_t *fmap = xmalloc(st_mult(src->nfunctions + 1, sizeof(uint32_t)));
	uint32_t *lmap = xmalloc(st_mult(src->nlocations + 1, sizeof(uint32_t)));

	for (size_t i = 0; i < src->nmappings; i++) {
		struct cp_mapping m = src->mappings[i];
		uint64_t key[3];

		m.file = intern_from(mg, src, m.file);
		m.build_id = intern_from(mg, src, m.build_id);
		m.id = mg->nmappings + 1;
		ALLOC_GROW(mg->mappings, mg->nmappings + 1, mg->amappings);
		mg->mappings[mg->nmappings] = m;
		mapping_key(&m, key);
		mmap[i] = dedup_find(&mg->dm, mix(mix(key[0], key[1]), key[2]),
				     (uint32_t)mg->nmappings, mapping_eq, mg);
		if (mmap[i] == mg->nmappings)
			mg->nmappings++;
	}
	for (size_t i = 0; i < src->nfunctions; i++) {
		struct cp_function f = src->functions[i];

		f.name = intern_from(mg, src, f.name);
		f.system_name = intern_from(mg, src, f.system_name);
		f.filename = intern_from(mg, src, f.filename);
		f.id = mg->nfunctions + 1;
		ALLOC_GROW(mg->functions, mg->nfunctions + 1, mg->afunctions);
		mg->functions[mg->nfunctions] = f;
		fmap[i] = dedup_find(
			&mg->df,
			mix(mix(mix(f.name, f.system_name), f.filename), (uint64_t)f.start_line),
			(uint32_t)mg->nfunctions, function_eq, mg);
		if (fmap[i] == mg->nfunctions)
			mg->nfunctions++;
	}
	for (size_t i = 0; i < src->nlocations; i++) {
		struct cp_location l = src->locations[i];
		uint64_t h;

		l.line_off = (uint32_t)mg->nlines;
		if (l.mapping != CP_NONE) {
			uint32_t dm = mmap[l.mapping];
			/* translate the address into the kept mapping's range */
			l.address = l.address - src->mappings[l.mapping].start +
				    mg->mappings[dm].start;
			l.mapping = dm;
		}
		ALLOC_GROW(mg->lines, mg->nlines + l.nlines, mg->alines);
		for (uint32_t j = 0; j < l.nlines; j++) {
			struct cp_line ln = src->lines[src->locations[i].line_off + j];

			ln.function = fmap[ln.function];
			mg->lines[mg->nlines + j] = ln;
		}
		l.id = mg->nlocations + 1;
		ALLOC_GROW(mg->locations, mg->nlocations + 1, mg->alocations);
		mg->locations[mg->nlocations] = l;
		h = mix(mix(l.mapping, location_norm_addr(mg, &l)), l.nlines);
		for (uint32_t j = 0; j < l.nlines; j++)
			h = mix(mix(h, mg->lines[mg->nlines + j].function),
				(uint64_t)mg->lines[mg->nlines + j].line);
		lmap[i] = dedup_find(&mg->dl, h, (uint32_t)mg->nlocations, location_eq, mg);
		if (lmap[i] == mg->nlocations) {
			mg->nlocations++;
			mg->nlines += l.nlines;
		}
	}
	for (size_t i = 0; i < src->nsamples; i++) {
		const struct cp_sample *s = &src->samples[i];
		const int64_t *v = profile_values(src, i);
		struct cp_sample ns;
		uint64_t h = s->depth;
		uint32_t got;
		bool zero = true;

		for (size_t k = 0; k < nvt; k++)
			zero = zero && v[k] == 0;
		if (zero)
			continue;
		ns.stack_off = (uint32_t)mg->nstack;
		ns.depth = s->depth;
		ns.label_off = (uint32_t)mg->nlabels;
		ns.nlabels = s->nlabels;
		ALLOC_GROW(mg->stack, mg->nstack + s->depth, mg->astack);
		for (uint32_t k = 0; k < s->depth; k++) {
			mg->stack[mg->nstack + k] = lmap[src->stack[s->stack_off + k]];
			h = mix(h, mg->stack[mg->nstack + k]);
		}
		ALLOC_GROW(mg->labels, mg->nlabels + s->nlabels, mg->alabels);
		for (uint32_t k = 0; k < s->nlabels; k++) {
			struct cp_label l = src->labels[s->label_off + k];
			uint32_t j = k;

			l.key = intern_from(mg, src, l.key);
			l.str = intern_from(mg, src, l.str);
			l.num_unit = intern_from(mg, src, l.num_unit);
			/* pprof's sample key ignores the order of keys (not of values): sort stably by key */
			while (j > 0 && mg->labels[mg->nlabels + j - 1].key > l.key) {
				mg->labels[mg->nlabels + j] = mg->labels[mg->nlabels + j - 1];
				j--;
			}
			mg->labels[mg->nlabels + j] = l;
		}
		for (uint32_t k = 0; k < s->nlabels; k++) {
			const struct cp_label *l = &mg->labels[mg->nlabels + k];

			h = mix(mix(mix(h, l->key), l->str), (uint64_t)l->num);
		}
		ALLOC_GROW(mg->samples, mg->nsamples + 1, mg->asamples);
		mg->samples[mg->nsamples] = ns;
		got = dedup_find(&mg->ds, h, (uint32_t)mg->nsamples, sample_eq, mg);
		if (got != mg->nsamples) {
			for (size_t k = 0; k < nvt; k++)
				mg->values[got * nvt + k] = add64(mg->values[got * nvt + k], v[k]);
			continue;
		}
		ALLOC_GROW(mg->values, (mg->nsamples + 1) * nvt, mg->avalues);
		copy_n(mg->values + mg->nsamples * nvt, v, nvt * sizeof(int64_t));
		mg->nsamples++;
		mg->nstack += s->depth;
		mg->nlabels += s->nlabels;
	}
	free(mmap);
	free(fmap);
	free(lmap);
}

struct cp_profile *profile_merge(struct cp_profile *const *srcs, size_t n, struct cp_err *err)
{
	struct merger mg;
	struct cp_profile *p;
	size_t nvt;
	uint32_t *comments = NULL;
	size_t ncomments = 0, acomments = 0;

	if (n == 0) {
		cp_errf(err, "no profiles to merge");
		return NULL;
	}
	for (size_t k = 1; k < n; k++)
		if (profile_compatible(srcs[0], srcs[k], err))
			return NULL;
	memset(&mg, 0, sizeof(mg));
	p = mg.dst = profile_new();
	nvt = srcs[0]->nsample_types;
	dedup_init(&mg.dm, 16);
	dedup_init(&mg.df, 1024);
	dedup_init(&mg.dl, 1024);
	dedup_init(&mg.ds, 1024);

	p->nsample_types = nvt;
	p->sample_types = arena_alloc(&p->arena, (nvt + 1) * sizeof(*p->sample_types));
	for (size_t i = 0; i < nvt; i++) {
		p->sample_types[i].type = intern_from(&mg, srcs[0], srcs[0]->sample_types[i].type);
		p->sample_types[i].unit = intern_from(&mg, srcs[0], srcs[0]->sample_types[i].unit);
	}
	p->has_period_type = srcs[0]->has_period_type;
	p->period_type.type = intern_from(&mg, srcs[0], srcs[0]->period_type.type);
	p->period_type.unit = intern_from(&mg, srcs[0], srcs[0]->period_type.unit);
	p->drop_frames = intern_from(&mg, srcs[0], srcs[0]->drop_frames);
	p->keep_frames = intern_from(&mg, srcs[0], srcs[0]->keep_frames);
	for (size_t k = 0; k < n; k++) {
		const struct cp_profile *s = srcs[k];

		if (p->time_nanos == 0 || s->time_nanos < p->time_nanos)
			p->time_nanos = s->time_nanos;
		p->duration_nanos = add64(p->duration_nanos, s->duration_nanos);
		if (p->period == 0 || p->period < s->period)
			p->period = s->period;
		for (size_t i = 0; i < s->ncomments; i++) {
			uint32_t c = intern_from(&mg, s, s->comments[i]);
			bool seen = false;

			for (size_t j = 0; j < ncomments && !seen; j++)
				seen = comments[j] == c;
			if (!seen) {
				ALLOC_GROW(comments, ncomments + 1, acomments);
				comments[ncomments++] = c;
			}
		}
		if (!p->default_sample_type)
			p->default_sample_type = intern_from(&mg, s, s->default_sample_type);
		if (!p->doc_url)
			p->doc_url = intern_from(&mg, s, s->doc_url);
		merge_one(&mg, s, nvt);
	}

	/* samples that summed to zero are dropped, as pprof's re-merge does */
	{
		size_t out = 0;

		for (size_t s = 0; s < mg.nsamples; s++) {
			bool zero = true;

			for (size_t k = 0; k < nvt; k++)
				zero = zero && mg.values[s * nvt + k] == 0;
			if (zero)
				continue;
			mg.samples[out] = mg.samples[s];
			memmove(mg.values + out * nvt, mg.values + s * nvt, nvt * sizeof(int64_t));
			out++;
		}
		mg.nsamples = out;
	}

#define MOVE(field, src, count)                                                             \
	do {                                                                                \
		p->field = arena_alloc(&p->arena, st_mult((count) + 1, sizeof(*p->field))); \
		if ((count) > 0)                                                            \
			memcpy(p->field, (src), (count) * sizeof(*p->field));               \
	} while (0)
	MOVE(comments, comments, ncomments);
	p->ncomments = ncomments;
	MOVE(mappings, mg.mappings, mg.nmappings);
	p->nmappings = mg.nmappings;
	MOVE(functions, mg.functions, mg.nfunctions);
	p->nfunctions = mg.nfunctions;
	MOVE(locations, mg.locations, mg.nlocations);
	p->nlocations = mg.nlocations;
	MOVE(lines, mg.lines, mg.nlines);
	p->nlines = mg.nlines;
	MOVE(samples, mg.samples, mg.nsamples);
	p->nsamples = mg.nsamples;
	MOVE(stack, mg.stack, mg.nstack);
	p->nstack = mg.nstack;
	MOVE(values, mg.values, mg.nsamples * nvt);
	MOVE(labels, mg.labels, mg.nlabels);
	p->nlabels = mg.nlabels;
#undef MOVE
	free(comments);
	free(mg.mappings);
	free(mg.functions);
	free(mg.locations);
	free(mg.lines);
	free(mg.samples);
	free(mg.stack);
	free(mg.values);
	free(mg.labels);
	dedup_release(&mg.dm);
	dedup_release(&mg.df);
	dedup_release(&mg.dl);
	dedup_release(&mg.ds);
	return p;
}
