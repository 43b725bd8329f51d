#include "model/compat.h"
#include "model/alloc.h"
#include "model/buf.h"
#include "model/regex.h"
#include "report/tagfilter.h"
#include "report/units.h"

enum range_kind {
	RANGE_NONE,
	RANGE_EQ,
	RANGE_GE,
	RANGE_LE,
	RANGE_BETWEEN
};

struct tag_filter {
	char *key; /* NULL: any key */
	enum range_kind kind;
	double lo, hi; /* in 'unit' */
	char unit[32];
	struct cp_regex **rx;
	size_t nrx;
};

/* One match of ([+-]?[0-9]+)([A-Za-z]+)? at or after s; returns its start or NULL. */
static const char *range_token(const char *s, size_t *len, long long *num, char *unit,
			       size_t unit_size)
{
	for (; *s; s++) {
		const char *p = s, *digits;
		size_t ul;

		if (*p == '+' || *p == '-')
			p++;
		if (*p < '0' || *p > '9')
			continue;
		digits = p;
		while (*p >= '0' && *p <= '9')
			p++;
		*num = strtoll(s, NULL, 10);
		(void)digits;
		ul = 0;
		while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')) {
			if (ul + 1 < unit_size)
				unit[ul++] = *p;
			p++;
		}
		unit[ul] = '\0';
		*len = (size_t)(p - s);
		return s;
	}
	return NULL;
}

/*
 * pprof's parseTagFilterRange; false when value is not a range.  Unlike
 * pprof (which then reads it as a regexp), a range whose ends cannot be
 * compared or whose number overflows is an error (*bad set).
 */
static bool parse_range(struct tag_filter *f, const char *value, bool *bad)
{
	char u1[32], u2[32];
	long long n1, n2;
	size_t l1, l2;
	const char *t1 = range_token(value, &l1, &n1, u1, sizeof(u1)), *t2, *unit;
	size_t vl = strlen(value);

	*bad = false;
	if (!t1)
		return false;
	t2 = range_token(t1 + l1, &l2, &n2, u2, sizeof(u2));
	if (n1 == LLONG_MAX || n1 == LLONG_MIN || (t2 && (n2 == LLONG_MAX || n2 == LLONG_MIN))) {
		*bad = true;
		return false;
	}
	f->lo = units_scale(n1, u1, u1, &unit);
	snprintf(f->unit, sizeof(f->unit), "%s", unit);
	if (!t2) {
		if (t1 == value && l1 == vl)
			f->kind = RANGE_EQ;
		else if (t1 == value && l1 + 1 == vl && value[l1] == ':')
			f->kind = RANGE_GE;
		else if (t1 == value + 1 && value[0] == ':' && l1 + 1 == vl)
			f->kind = RANGE_LE;
		else
			return false;
		f->hi = f->lo;
		return true;
	}
	if (t1 != value || value[l1] != ':' || t2 != value + l1 + 1 || l1 + 1 + l2 != vl)
		return false;
	f->hi = units_scale(n2, u2, f->unit, &unit);
	if (strcmp(unit, f->unit)) {
		*bad = true;
		return false;
	}
	f->kind = RANGE_BETWEEN;
	return true;
}

struct tag_filter *tag_filter_compile(const char *name, const char *value, struct buf *warn,
				      struct cp_err *err)
{
	struct tag_filter *f = xcalloc(1, sizeof(*f));
	const char *eq = strchr(value, '=');
	bool bad;

	if (eq) {
		f->key = xstrndup(value, (size_t)(eq - value));
		value = eq + 1;
	}
	if (parse_range(f, value, &bad)) {
		buf_addf(warn, "%s:Interpreted '%s' as range, not regexp\n", name, value);
		return f;
	}
	if (bad) {
		cp_errf(err,
			"%s: bad range '%s': numbers out of range or units that cannot be compared",
			name, value);
		tag_filter_free(f);
		return NULL;
	}
	f->kind = RANGE_NONE;
	for (const char *p = value;;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		char *pat = xstrndup(p, n);
		struct cp_regex *re = cp_regex_compile(pat, err);

		free(pat);
		if (!re) {
			char prefix[64];

			snprintf(prefix, sizeof(prefix), "parsing %s regexp", name);
			cp_err_prefix(err, prefix);
			tag_filter_free(f);
			return NULL;
		}
		f->rx = xrealloc(f->rx, (f->nrx + 1) * sizeof(*f->rx));
		f->rx[f->nrx++] = re;
		if (!comma)
			break;
		p = comma + 1;
	}
	return f;
}

void tag_filter_free(struct tag_filter *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->nrx; i++)
		cp_regex_free(f->rx[i]);
	free(f->rx);
	free(f->key);
	free(f);
}

static bool range_match(const struct tag_filter *f, int64_t v, const char *unit)
{
	const char *su;
	double sv = units_scale(v, unit, f->unit, &su);

	if (strcmp(su, f->unit))
		return false;
	switch (f->kind) {
	case RANGE_EQ:
		return sv == f->lo;
	case RANGE_GE:
		return sv >= f->lo;
	case RANGE_LE:
		return sv <= f->lo;
	case RANGE_BETWEEN:
		return sv >= f->lo && sv <= f->hi;
	case RANGE_NONE:
		break;
	}
	return false;
}

static bool is_numeric(const struct cp_label *l)
{
	return l->str == 0 && (l->num != 0 || l->num_unit != 0);
}

bool tag_filter_match(const struct tag_filter *f, const struct cp_profile *p,
		      const struct cp_sample *s, const struct label_units *units,
		      const unsigned char *hidden)
{
	const struct cp_label *ls = p->labels + s->label_off;

	if (f->kind != RANGE_NONE) {
		for (uint32_t i = 0; i < s->nlabels; i++) {
			if (!is_numeric(&ls[i]) || (hidden && hidden[ls[i].key]))
				continue;
			if (f->key && strcmp(profile_str(p, ls[i].key), f->key))
				continue;
			if (range_match(f, ls[i].num, label_unit(units, p, ls[i].key)))
				return true;
		}
		return false;
	}
	if (f->key) {
		for (uint32_t i = 0; i < s->nlabels; i++) {
			const char *v;

			if (!ls[i].str || (hidden && hidden[ls[i].key]) ||
			    strcmp(profile_str(p, ls[i].key), f->key))
				continue;
			v = profile_str(p, ls[i].str);
			for (size_t k = 0; k < f->nrx; k++)
				if (cp_regex_match(f->rx[k], v, strtab_len(&p->strs, ls[i].str)))
					return true;
		}
		return false;
	}
	for (size_t k = 0; k < f->nrx; k++) {
		bool found = false;

		for (uint32_t i = 0; i < s->nlabels && !found; i++) {
			struct buf kv = BUF_INIT;

			if (!ls[i].str || (hidden && hidden[ls[i].key]))
				continue;
			buf_init(&kv);
			buf_addf(&kv, "%s:%s", profile_str(p, ls[i].key),
				 profile_str(p, ls[i].str));
			found = cp_regex_match(f->rx[k], kv.buf, kv.len);
			buf_release(&kv);
		}
		if (!found)
			return false;
	}
	return true;
}
