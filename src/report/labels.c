#include "model/compat.h"
#include "model/alloc.h"
#include "report/labels.h"

static bool is_string_label(const struct cp_label *l)
{
	return l->str != 0;
}

static bool is_numeric_label(const struct cp_label *l)
{
	return l->str == 0 && (l->num != 0 || l->num_unit != 0);
}

void label_units_init(struct label_units *lu, const struct cp_profile *p, struct buf *warn)
{
	/* per key: first unit and the other units seen (as a tiny list) */
	size_t a = 0;
	uint32_t *others = NULL; /* pairs: key index, unit string id */
	size_t nothers = 0, aothers = 0;

	memset(lu, 0, sizeof(*lu));
	for (size_t i = 0; i < p->nlabels; i++) {
		const struct cp_label *l = &p->labels[i];
		size_t k;

		if (!is_numeric_label(l))
			continue;
		for (k = 0; k < lu->n && lu->keys[k] != l->key; k++)
			;
		if (k == lu->n) {
			ALLOC_GROW(lu->keys, lu->n + 1, a);
			lu->units = xrealloc(lu->units, a * sizeof(*lu->units));
			lu->keys[k] = l->key;
			lu->units[k] = NULL;
			lu->n++;
		}
		if (!l->num_unit)
			continue;
		if (!lu->units[k]) {
			lu->units[k] = profile_str(p, l->num_unit);
		} else if (strcmp(lu->units[k], profile_str(p, l->num_unit))) {
			bool seen = false;

			for (size_t o = 0; o < nothers && !seen; o++)
				seen = others[2 * o] == k && others[2 * o + 1] == l->num_unit;
			if (!seen) {
				ALLOC_GROW(others, 2 * nothers + 2, aothers);
				others[2 * nothers] = (uint32_t)k;
				others[2 * nothers + 1] = l->num_unit;
				nothers++;
			}
		}
	}
	for (size_t k = 0; k < lu->n; k++) {
		const char *key = profile_str(p, lu->keys[k]);

		if (!lu->units[k])
			lu->units[k] = !strcmp(key, "alignment") || !strcmp(key, "request") ?
					       "bytes" :
					       key;
	}
	for (size_t k = 0; k < lu->n && warn; k++) {
		size_t cnt = 0;

		for (size_t o = 0; o < nothers; o++)
			cnt += others[2 * o] == k;
		if (!cnt)
			continue;
		buf_addf(warn, "For tag %s used unit %s, also encountered unit(s) ",
			 profile_str(p, lu->keys[k]), lu->units[k]);
		/* sorted, comma separated */
		{
			const char **names = xmalloc(cnt * sizeof(*names));
			size_t m = 0;

			for (size_t o = 0; o < nothers; o++)
				if (others[2 * o] == k)
					names[m++] = profile_str(p, others[2 * o + 1]);
			for (size_t x = 1; x < m; x++)
				for (size_t y = x; y > 0 && strcmp(names[y - 1], names[y]) > 0;
				     y--) {
					const char *t = names[y];

					names[y] = names[y - 1];
					names[y - 1] = t;
				}
			for (size_t x = 0; x < m; x++)
				buf_addf(warn, "%s%s", x ? ", " : "", names[x]);
			buf_addc(warn, '\n');
			free(names);
		}
	}
	free(others);
}

void label_units_release(struct label_units *lu)
{
	free(lu->keys);
	free(lu->units);
	memset(lu, 0, sizeof(*lu));
}

const char *label_unit(const struct label_units *lu, const struct cp_profile *p, uint32_t key)
{
	for (size_t k = 0; k < lu->n; k++)
		if (lu->keys[k] == key)
			return lu->units[k];
	return profile_str(p, key);
}

bool label_in_group(const struct cp_profile *p, const struct cp_label *l,
		    const struct label_group *g)
{
	(void)p;
	return l->key == g->key && (g->numeric ? is_numeric_label(l) : is_string_label(l));
}

size_t label_groups(const struct cp_profile *p, const struct cp_sample *s,
		    const unsigned char *hidden, struct label_group *out, size_t max)
{
	size_t n = 0;

	for (uint32_t i = 0; i < s->nlabels; i++) {
		const struct cp_label *l = &p->labels[s->label_off + i];
		bool numeric = is_numeric_label(l);
		size_t g;

		if (!numeric && !is_string_label(l))
			continue;
		if (hidden && hidden[l->key])
			continue;
		for (g = 0; g < n; g++)
			if (out[g].key == l->key && out[g].numeric == numeric)
				break;
		if (g < n) {
			out[g].count++;
			continue;
		}
		if (n == max)
			continue;
		out[n].key = l->key;
		out[n].numeric = numeric;
		out[n].first = i;
		out[n].count = 1;
		n++;
	}
	return n;
}
