/*
 * tagroot.c - pprof's tagroot/tagleaf: label values as synthetic frames.
 *
 * For each comma-separated key, a sample gets one extra frame named by its
 * values of that key ("v1,v2"; numeric values as scaled labels) with the key
 * as the file: tagroot keys above the root (first key outermost), tagleaf
 * keys below the leaf.  The profile is never changed: this builds a copy.
 */
#include "model/compat.h"
#include "model/alloc.h"
#include "report/report.h"
#include "report/units.h"

static size_t split_keys(const char *spec, char ***out)
{
	size_t n = 0;

	*out = NULL;
	for (const char *p = spec; *p;) {
		const char *c = strchr(p, ',');
		size_t len = c ? (size_t)(c - p) : strlen(p);

		if (len) {
			*out = xrealloc(*out, (n + 1) * sizeof(**out));
			(*out)[n++] = xstrndup(p, len);
		}
		if (!c)
			break;
		p = c + 1;
	}
	return n;
}

/* The value string of key k in sample s (pprof's formatLabelValues joined by ","). */
static void label_values(const struct cp_profile *p, const struct cp_sample *s, const char *k,
			 const char *unit, struct buf *out, bool *any)
{
	size_t nnum = 0, nunits = 0;

	buf_reset(out);
	for (uint32_t i = 0; i < s->nlabels; i++) {
		const struct cp_label *l = &p->labels[s->label_off + i];

		if (strcmp(profile_str(p, l->key), k))
			continue;
		if (l->str) {
			buf_addf(out, "%s%s", out->len ? "," : "", profile_str(p, l->str));
			*any = true;
		} else if (l->num || l->num_unit) {
			nnum++;
			nunits += l->num_unit != 0;
		}
	}
	if (nnum != nunits && nunits)
		return;
	for (uint32_t i = 0; i < s->nlabels; i++) {
		const struct cp_label *l = &p->labels[s->label_off + i];
		char v[64];

		if (strcmp(profile_str(p, l->key), k) || l->str || !(l->num || l->num_unit))
			continue;
		if (nunits)
			units_label(v, sizeof(v), l->num, profile_str(p, l->num_unit), unit);
		else
			units_label(v, sizeof(v), l->num, "", "");
		buf_addf(out, "%s%s", out->len ? "," : "", v);
		*any = true;
	}
}

struct cp_profile *report_label_frames(const struct cp_profile *p, const char *roots,
				       const char *leaves, const char *unit, bool *rootm,
				       bool *leafm)
{
	struct cp_profile *t = profile_new();
	char **rk, **lk;
	size_t nr = split_keys(roots, &rk), nl = split_keys(leaves, &lk), nk = nr + nl;
	size_t nfun = p->nfunctions, nloc = p->nlocations, nstack = 0;
	uint64_t next_loc = 1, next_fun = 1;
	uint32_t *extra = xmalloc(st_mult(p->nsamples * nk + 1, sizeof(*extra)));
	struct buf v = BUF_INIT;

	*rootm = *leafm = false;
	buf_init(&v);
	for (uint32_t i = 1; i < p->strs.n; i++)
		strtab_intern(&t->strs, strtab_str(&p->strs, i), strtab_len(&p->strs, i));
	for (size_t i = 0; i < p->nlocations; i++)
		if (p->locations[i].id >= next_loc)
			next_loc = p->locations[i].id + 1;
	for (size_t i = 0; i < p->nfunctions; i++)
		if (p->functions[i].id >= next_fun)
			next_fun = p->functions[i].id + 1;
	t->functions = xmalloc(st_mult(nfun + p->nsamples * nk + 1, sizeof(*t->functions)));
	t->locations = xmalloc(st_mult(nloc + p->nsamples * nk + 1, sizeof(*t->locations)));
	t->lines = xmalloc(st_mult(p->nlines + p->nsamples * nk + 1, sizeof(*t->lines)));
	copy_n(t->functions, p->functions, nfun * sizeof(*t->functions));
	copy_n(t->locations, p->locations, nloc * sizeof(*t->locations));
	copy_n(t->lines, p->lines, p->nlines * sizeof(*t->lines));
	t->nlines = p->nlines;

	/* per sample and key: the (interned) synthetic location */
	for (size_t s = 0; s < p->nsamples; s++) {
		for (size_t k = 0; k < nk; k++) {
			const char *key = k < nr ? rk[nr - 1 - k] : lk[nl - 1 - (k - nr)];
			bool any = false;
			uint32_t name, file = strtab_intern(&t->strs, key, strlen(key)), loc;

			label_values(p, &p->samples[s], key, unit, &v, &any);
			if (any)
				*(k < nr ? rootm : leafm) = true;
			name = strtab_intern(&t->strs, v.buf, v.len);
			for (loc = (uint32_t)p->nlocations; loc < nloc; loc++) {
				const struct cp_function *f =
					&t->functions[t->lines[t->locations[loc].line_off]
							      .function];

				if (f->name == name && f->filename == file)
					break;
			}
			if (loc == nloc) {
				struct cp_function *f = &t->functions[nfun];
				struct cp_location *l = &t->locations[nloc];

				memset(f, 0, sizeof(*f));
				f->id = next_fun++;
				f->name = name;
				f->filename = file;
				memset(l, 0, sizeof(*l));
				l->id = next_loc++;
				l->mapping = CP_NONE;
				l->line_off = (uint32_t)t->nlines;
				l->nlines = 1;
				t->lines[t->nlines].function = (uint32_t)nfun;
				t->lines[t->nlines].line = 0;
				t->lines[t->nlines].column = 0;
				t->nlines++;
				nfun++;
				nloc++;
			}
			extra[s * nk + k] = loc;
		}
		nstack += p->samples[s].depth + nk;
	}
	t->nfunctions = nfun;
	t->nlocations = nloc;

	/* stacks: leaf keys (last key deepest), the original frames, then root keys */
	t->stack = xmalloc(st_mult(nstack + 1, sizeof(*t->stack)));
	t->samples = xmalloc(st_mult(p->nsamples + 1, sizeof(*t->samples)));
	for (size_t s = 0, off = 0; s < p->nsamples; s++) {
		const struct cp_sample *ps = &p->samples[s];
		struct cp_sample *ts = &t->samples[s];

		*ts = *ps;
		ts->stack_off = (uint32_t)off;
		for (size_t k = 0; k < nl; k++)
			t->stack[off++] = extra[s * nk + nr + k];
		copy_n(t->stack + off, p->stack + ps->stack_off, ps->depth * sizeof(uint32_t));
		off += ps->depth;
		for (size_t k = 0; k < nr; k++)
			t->stack[off++] = extra[s * nk + k];
		ts->depth = (uint32_t)(off - ts->stack_off);
	}
	t->nsamples = p->nsamples;
	t->nstack = nstack;
	t->values = xmalloc(st_mult(p->nsamples * p->nsample_types + 1, sizeof(*t->values)));
	copy_n(t->values, p->values, p->nsamples * p->nsample_types * sizeof(*t->values));
	t->labels = xmalloc(st_mult(p->nlabels + 1, sizeof(*t->labels)));
	copy_n(t->labels, p->labels, p->nlabels * sizeof(*t->labels));
	t->nlabels = p->nlabels;
	t->owns_arrays = true;

	/* the rest is shared data copied into the new arena */
	t->nsample_types = p->nsample_types;
	t->sample_types = arena_alloc(&t->arena, (p->nsample_types + 1) * sizeof(*t->sample_types));
	copy_n(t->sample_types, p->sample_types, p->nsample_types * sizeof(*t->sample_types));
	t->nmappings = p->nmappings;
	t->mappings = arena_alloc(&t->arena, (p->nmappings + 1) * sizeof(*t->mappings));
	copy_n(t->mappings, p->mappings, p->nmappings * sizeof(*t->mappings));
	t->ncomments = p->ncomments;
	t->comments = arena_alloc(&t->arena, (p->ncomments + 1) * sizeof(*t->comments));
	copy_n(t->comments, p->comments, p->ncomments * sizeof(*t->comments));
	t->period_type = p->period_type;
	t->has_period_type = p->has_period_type;
	t->period = p->period;
	t->time_nanos = p->time_nanos;
	t->duration_nanos = p->duration_nanos;
	t->drop_frames = p->drop_frames;
	t->keep_frames = p->keep_frames;
	t->default_sample_type = p->default_sample_type;
	t->doc_url = p->doc_url;

	for (size_t i = 0; i < nr; i++)
		free(rk[i]);
	for (size_t i = 0; i < nl; i++)
		free(lk[i]);
	free(rk);
	free(lk);
	free(extra);
	buf_release(&v);
	return t;
}
