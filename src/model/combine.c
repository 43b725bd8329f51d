/*
 * combine.c - making profiles mergeable, and base profiles (pprof's
 * combineProfiles, Normalize, Scale and the pprof::base label).
 *
 * Several profiles are first reduced to the sample types they all have (in
 * the first profile's order), then converted to the finest common unit of
 * each type, then merged.  A base is subtracted by scaling it by -1 and
 * merging; with diff_base its samples carry pprof::base=true so they stay
 * apart from the source's and reports can total them separately.
 */
#include "model/compat.h"
#include <math.h>
#include "model/alloc.h"
#include "model/buf.h"
#include "model/profile.h"

/* Units from the report layer would be a layering violation: a small table. */
static double unit_factor(const char *unit, int *family)
{
	static const struct {
		const char *name;
		int family;
		double factor;
	} units[] = {
		{ "b", 0, 1 },
		{ "byte", 0, 1 },
		{ "kb", 0, 1024.0 },
		{ "kbyte", 0, 1024.0 },
		{ "kilobyte", 0, 1024.0 },
		{ "mb", 0, 1048576.0 },
		{ "mbyte", 0, 1048576.0 },
		{ "megabyte", 0, 1048576.0 },
		{ "gb", 0, 1073741824.0 },
		{ "gbyte", 0, 1073741824.0 },
		{ "gigabyte", 0, 1073741824.0 },
		{ "tb", 0, 1099511627776.0 },
		{ "tbyte", 0, 1099511627776.0 },
		{ "terabyte", 0, 1099511627776.0 },
		{ "pb", 0, 1125899906842624.0 },
		{ "pbyte", 0, 1125899906842624.0 },
		{ "petabyte", 0, 1125899906842624.0 },
		{ "ns", 1, 1 },
		{ "nanosecond", 1, 1 },
		{ "us", 1, 1e3 },
		{ "microsecond", 1, 1e3 },
		{ "ms", 1, 1e6 },
		{ "millisecond", 1, 1e6 },
		{ "s", 1, 1e9 },
		{ "sec", 1, 1e9 },
		{ "second", 1, 1e9 },
		{ "hour", 1, 3600e9 },
		{ "hr", 1, 3600e9 },
	};
	char low[64];
	size_t n = strlen(unit);

	if (n >= sizeof(low))
		return 0;
	for (size_t i = 0; i <= n; i++)
		low[i] = (char)(unit[i] >= 'A' && unit[i] <= 'Z' ? unit[i] + 32 : unit[i]);
	if (n > 2 && low[n - 1] == 's')
		low[n - 1] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
		if (!strcmp(low, units[i].name)) {
			*family = units[i].family;
			return units[i].factor;
		}
	}
	return 0;
}

/* pprof's compatibleValueTypes. */
static bool compatible_types(const char *t1, const char *u1, const char *t2, const char *u2)
{
	size_t l1 = strlen(t1), l2 = strlen(t2);
	int f1 = -1, f2 = -2;

	if (l1 && t1[l1 - 1] == 's')
		l1--;
	if (l2 && t2[l2 - 1] == 's')
		l2--;
	if (l1 != l2 || memcmp(t1, t2, l1))
		return false;
	if (!strcmp(u1, u2))
		return true;
	return unit_factor(u1, &f1) && unit_factor(u2, &f2) && f1 == f2;
}

/* Multiply sample values by ratios[i]; drop samples left all zero (pprof's ScaleN). */
static void scale_values(struct cp_profile *p, const double *ratios)
{
	size_t nvt = p->nsample_types, out = 0;
	bool all_ones = true;

	for (size_t i = 0; i < nvt; i++)
		all_ones &= ratios[i] == 1;
	if (all_ones)
		return;
	for (size_t s = 0; s < p->nsamples; s++) {
		int64_t *v = p->values + s * nvt;
		bool keep = false;

		for (size_t i = 0; i < nvt; i++) {
			if (ratios[i] != 1)
				v[i] = (int64_t)round((double)v[i] * ratios[i]);
			keep |= v[i] != 0;
		}
		if (!keep)
			continue;
		if (out != s) {
			p->samples[out] = p->samples[s];
			memmove(p->values + out * nvt, v, nvt * sizeof(*v));
		}
		out++;
	}
	p->nsamples = out;
}

/* Keep only sample types named in 'names' (string values), in that order. */
static int keep_types(struct cp_profile *p, const char *const *names, size_t n, struct cp_err *err)
{
	size_t *map = xmalloc(st_mult(n + 1, sizeof(*map)));
	bool same = n == p->nsample_types;
	uint32_t dflt = 0;
	int64_t *values;
	struct cp_value_type *types;

	for (size_t i = 0; i < n; i++) {
		size_t k;

		for (k = 0; k < p->nsample_types; k++)
			if (!strcmp(profile_str(p, p->sample_types[k].type), names[i]))
				break;
		if (k == p->nsample_types) {
			free(map);
			return cp_errf(err, "\"%s\" sample type is not found in profile", names[i]);
		}
		map[i] = k;
		same &= k == i;
		if (p->sample_types[k].type == p->default_sample_type)
			dflt = p->default_sample_type;
	}
	if (same) {
		free(map);
		return 0;
	}
	types = arena_alloc(&p->arena, (n + 1) * sizeof(*types));
	values = xmalloc(st_mult(st_mult(p->nsamples, n) + 1, sizeof(*values)));
	for (size_t i = 0; i < n; i++)
		types[i] = p->sample_types[map[i]];
	for (size_t s = 0; s < p->nsamples; s++)
		for (size_t i = 0; i < n; i++)
			values[s * n + i] = p->values[s * p->nsample_types + map[i]];
	if (p->owns_arrays) {
		free(p->values);
	} else {
		/* the old values live in the arena; the new ones go with the profile */
		free(p->extra_values);
		p->extra_values = values;
	}
	p->values = values;
	p->sample_types = types;
	p->nsample_types = n;
	p->default_sample_type = dflt ? dflt : types[0].type;
	free(map);
	return 0;
}

/* pprof's CompatibilizeSampleTypes then ScaleProfiles. */
static int make_compatible(struct cp_profile *const *ps, size_t n, struct cp_err *err)
{
	const struct cp_profile *first = ps[0];
	const char **common = xmalloc(st_mult(first->nsample_types + 1, sizeof(*common)));
	size_t ncommon = 0;
	int ret = -1;

	for (size_t i = 0; i < first->nsample_types; i++) {
		const char *t = profile_str(first, first->sample_types[i].type);
		bool everywhere = true;

		for (size_t k = 1; k < n && everywhere; k++) {
			bool found = false;

			for (size_t j = 0; j < ps[k]->nsample_types && !found; j++)
				found = !strcmp(profile_str(ps[k], ps[k]->sample_types[j].type), t);
			everywhere = found;
		}
		if (everywhere)
			common[ncommon++] = t;
	}
	if (ncommon == 0) {
		cp_errf(err, "profiles have no sample type in common");
		goto out;
	}
	/* copy the names: keep_types may replace the first profile's arrays */
	for (size_t i = 0; i < ncommon; i++)
		common[i] = xstrdup(common[i]);
	for (size_t k = 0; k < n; k++)
		if (keep_types(ps[k], common, ncommon, err))
			goto out_names;

	/* period types must agree */
	for (size_t k = 1; k < n; k++) {
		const struct cp_profile *a = ps[0], *b = ps[k];

		if ((a->period_type.type || b->period_type.type) &&
		    !compatible_types(profile_str(a, a->period_type.type),
				      profile_str(a, a->period_type.unit),
				      profile_str(b, b->period_type.type),
				      profile_str(b, b->period_type.unit))) {
			cp_errf(err, "incompatible period types %s/%s and %s/%s",
				profile_str(a, a->period_type.type),
				profile_str(a, a->period_type.unit),
				profile_str(b, b->period_type.type),
				profile_str(b, b->period_type.unit));
			goto out_names;
		}
	}
	/* each sample type in the finest unit any profile uses */
	for (size_t i = 0; i < ncommon; i++) {
		size_t finest = 0;
		double ffactor = 0;
		int fam;

		for (size_t k = 0; k < n; k++) {
			const struct cp_profile *b = ps[k];
			double f = unit_factor(profile_str(b, b->sample_types[i].unit), &fam);

			if (!compatible_types(profile_str(ps[0], ps[0]->sample_types[i].type),
					      profile_str(ps[0], ps[0]->sample_types[i].unit),
					      profile_str(b, b->sample_types[i].type),
					      profile_str(b, b->sample_types[i].unit))) {
				cp_errf(err, "incompatible sample types %s/%s and %s/%s",
					profile_str(ps[0], ps[0]->sample_types[i].type),
					profile_str(ps[0], ps[0]->sample_types[i].unit),
					profile_str(b, b->sample_types[i].type),
					profile_str(b, b->sample_types[i].unit));
				goto out_names;
			}
			if (f && (!ffactor || f < ffactor)) {
				ffactor = f;
				finest = k;
			}
		}
		for (size_t k = 0; k < n && ffactor; k++) {
			struct cp_profile *b = ps[k];
			const char *fu = profile_str(ps[finest], ps[finest]->sample_types[i].unit);
			double *ratios = xmalloc(st_mult(b->nsample_types, sizeof(double)));
			double f = unit_factor(profile_str(b, b->sample_types[i].unit), &fam);

			for (size_t j = 0; j < b->nsample_types; j++)
				ratios[j] = 1;
			ratios[i] = f ? f / ffactor : 1;
			scale_values(b, ratios);
			b->sample_types[i].unit = strtab_intern(&b->strs, fu, strlen(fu));
			free(ratios);
		}
	}
	ret = 0;
out_names:
	for (size_t i = 0; i < ncommon; i++)
		free((char *)common[i]);
out:
	free(common);
	return ret;
}

struct cp_profile *profile_combine(struct cp_profile *const *ps, size_t n, struct cp_err *err)
{
	if (make_compatible(ps, n, err))
		return NULL;
	return profile_merge(ps, n, err);
}

/* Add label key=value to every sample (pprof's SetLabel), replacing that key. */
static void set_label(struct cp_profile *p, const char *key, const char *value)
{
	uint32_t k = strtab_intern(&p->strs, key, strlen(key));
	uint32_t v = strtab_intern(&p->strs, value, strlen(value));
	struct cp_label *labels =
		arena_alloc(&p->arena, (p->nlabels + p->nsamples + 1) * sizeof(*labels));
	size_t n = 0;

	for (size_t s = 0; s < p->nsamples; s++) {
		struct cp_sample *cs = &p->samples[s];
		uint32_t off = (uint32_t)n;

		for (uint32_t i = 0; i < cs->nlabels; i++)
			if (p->labels[cs->label_off + i].key != k)
				labels[n++] = p->labels[cs->label_off + i];
		labels[n].key = k;
		labels[n].str = v;
		labels[n].num = 0;
		labels[n].num_unit = 0;
		n++;
		cs->label_off = off;
		cs->nlabels = (uint32_t)(n - off);
	}
	if (p->owns_arrays)
		free(p->labels);
	p->labels = labels;
	p->nlabels = n;
	p->labels_in_arena = true;
}

int profile_apply_base(struct cp_profile **src, struct cp_profile *base, bool diff, bool normalize,
		       struct cp_err *err)
{
	struct cp_profile *pair[2] = { *src, base };
	struct cp_profile *merged;
	double *ratios;

	if (diff)
		set_label(base, "pprof::base", "true");
	if (make_compatible(pair, 2, err))
		return -1;
	ratios = xmalloc(st_mult(base->nsample_types + 1, sizeof(double)));
	if (normalize) {
		for (size_t i = 0; i < base->nsample_types; i++) {
			int64_t b = 0, s = 0;

			for (size_t k = 0; k < base->nsamples; k++)
				b = add64(b, base->values[k * base->nsample_types + i]);
			for (size_t k = 0; k < (*src)->nsamples; k++)
				s = add64(s, (*src)->values[k * (*src)->nsample_types + i]);
			ratios[i] = s == 0 ? 0.0 : (double)b / (double)s;
		}
		scale_values(*src, ratios);
	}
	for (size_t i = 0; i < base->nsample_types; i++)
		ratios[i] = -1;
	scale_values(base, ratios);
	free(ratios);
	merged = profile_merge(pair, 2, err);
	if (!merged)
		return -1;
	profile_free(*src);
	*src = merged;
	return 0;
}
