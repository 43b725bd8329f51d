/*
 * tags.c - the `tags` report (upstream 2025 layout): per label key, the
 * total weight of samples carrying it and each value's weight, with
 * percentages of the profile total, aligned as pprof's right-aligning
 * tabwriter does (a column is as wide as its widest cell plus one).
 */
#include "model/compat.h"
#include "model/alloc.h"
#include "report/report.h"
#include "report/units.h"

struct tag_value {
	char *name;
	int64_t weight;
};

struct tag_key {
	const char *name;
	int64_t total;
	struct tag_value *values;
	size_t n, alloc;
};

static void tag_add(struct tag_key **keys, size_t *nkeys, size_t *akeys, const char *key,
		    const char *value, int64_t w)
{
	struct tag_key *k = NULL;

	for (size_t i = 0; i < *nkeys && !k; i++)
		if (!strcmp((*keys)[i].name, key))
			k = &(*keys)[i];
	if (!k) {
		ALLOC_GROW(*keys, *nkeys + 1, *akeys);
		k = &(*keys)[(*nkeys)++];
		memset(k, 0, sizeof(*k));
		k->name = key;
	}
	k->total = add64(k->total, w);
	for (size_t i = 0; i < k->n; i++) {
		if (!strcmp(k->values[i].name, value)) {
			k->values[i].weight = add64(k->values[i].weight, w);
			return;
		}
	}
	ALLOC_GROW(k->values, k->n + 1, k->alloc);
	k->values[k->n].name = xstrdup(value);
	k->values[k->n].weight = w;
	k->n++;
}

static int key_cmp(const void *a, const void *b)
{
	return strcmp(((const struct tag_key *)a)->name, ((const struct tag_key *)b)->name);
}

/* pprof's SortTags(flat): |weight| desc (when weights differ), then name. */
static int value_cmp(const void *a, const void *b)
{
	const struct tag_value *x = a, *y = b;

	if (x->weight != y->weight && abs64(x->weight) != abs64(y->weight))
		return abs64(x->weight) > abs64(y->weight) ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Display width as Go's tabwriter counts it: UTF-8 code points. */
static size_t text_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

static void pad_right_aligned(struct buf *out, const char *cell, size_t width)
{
	buf_addpad(out, ' ', width - text_width(cell));
	buf_adds(out, cell);
}

int report_tags(struct report *r, struct buf *out, struct cp_err *err)
{
	const struct cp_profile *p = r->p;
	struct tag_key *keys = NULL;
	size_t nkeys = 0, akeys = 0;

	(void)err;
	for (size_t i = 0; i < r->view.nsamples; i++) {
		uint32_t si = r->view.samples[i].sample;
		const struct cp_sample *s = &p->samples[si];
		int64_t w = profile_values(p, si)[r->sample_index];

		for (uint32_t k = 0; k < s->nlabels; k++) {
			const struct cp_label *l = &p->labels[s->label_off + k];
			char v[64];

			if (r->hidden_keys && r->hidden_keys[l->key])
				continue;
			if (l->str) {
				tag_add(&keys, &nkeys, &akeys, profile_str(p, l->key),
					profile_str(p, l->str), w);
			} else if (l->num || l->num_unit) {
				units_label(v, sizeof(v), l->num, label_unit(&r->units, p, l->key),
					    r->o.unit);
				tag_add(&keys, &nkeys, &akeys, profile_str(p, l->key), v, w);
			}
		}
	}
	if (nkeys)
		qsort(keys, nkeys, sizeof(*keys), key_cmp);
	for (size_t i = 0; i < nkeys; i++) {
		struct tag_key *k = &keys[i];
		char head[1024], tot[64], all[64], pct[32];
		char **cells = xcalloc(k->n + 1, sizeof(*cells));
		size_t w0 = text_width(k->name) + 2, w1 = 0; /* "key:" plus one of padding */

		qsort(k->values, k->n, sizeof(*k->values), value_cmp);
		for (size_t j = 0; j < k->n; j++) {
			struct buf c = BUF_INIT;
			char v[64];

			buf_init(&c);
			report_value(r, k->values[j].weight, v, sizeof(v));
			if (r->total > 0) {
				units_percent(pct, sizeof(pct), k->values[j].weight, r->total);
				buf_addf(&c, "%s (%s):", v, pct);
			} else {
				buf_addf(&c, "%s:", v);
			}
			cells[j] = buf_detach(&c, NULL);
			if (text_width(cells[j]) + 1 > w1)
				w1 = text_width(cells[j]) + 1;
		}
		if (w0 < 2)
			w0 = 2; /* the tag lines' first cell is " " */
		snprintf(head, sizeof(head), "%s:", k->name);
		report_value(r, k->total, tot, sizeof(tot));
		report_value(r, r->total, all, sizeof(all));
		pad_right_aligned(out, head, w0);
		if (r->total > 0) {
			units_percent(pct, sizeof(pct), k->total, r->total);
			buf_addf(out, " Total %s of %s (%s)\n", tot, all, pct);
		} else {
			buf_addf(out, " Total %s of %s\n", tot, all);
		}
		for (size_t j = 0; j < k->n; j++) {
			pad_right_aligned(out, " ", w0);
			pad_right_aligned(out, cells[j], w1);
			buf_addf(out, " %s\n", k->values[j].name);
			free(cells[j]);
			free(k->values[j].name);
		}
		buf_addc(out, '\n');
		free(cells);
		free(k->values);
	}
	free(keys);
	return 0;
}
