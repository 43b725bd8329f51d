#include "model/compat.h"
#include <math.h>
#include <strings.h>
#include "report/units.h"

struct unit {
	const char *name;
	const char *aliases[4];
	double factor;
};

struct unit_family {
	const struct unit *units;
	size_t n;
	const struct unit *dflt;
};

static const struct unit bytes_units[] = {
	{ "B", { "b", "byte" }, 1 },
	{ "kB", { "kb", "kbyte", "kilobyte" }, 1024.0 },
	{ "MB", { "mb", "mbyte", "megabyte" }, 1048576.0 },
	{ "GB", { "gb", "gbyte", "gigabyte" }, 1073741824.0 },
	{ "TB", { "tb", "tbyte", "terabyte" }, 1099511627776.0 },
	{ "PB", { "pb", "pbyte", "petabyte" }, 1125899906842624.0 },
};

static const struct unit time_units[] = {
	{ "ns", { "ns", "nanosecond" }, 1 },	{ "us", { "\xce\xbcs", "us", "microsecond" }, 1e3 },
	{ "ms", { "ms", "millisecond" }, 1e6 }, { "s", { "s", "sec", "second" }, 1e9 },
	{ "hrs", { "hour", "hr" }, 3600e9 },
};
static const struct unit time_default = { "s", { NULL }, 1e9 };

static const struct unit gcu_units[] = {
	{ "n*GCU", { "nanogcu" }, 0.001 }, { "u*GCU", { "microgcu" }, 1 },
	{ "m*GCU", { "milligcu" }, 1000 }, { "GCU", { "gcu" }, 1e6 },
	{ "k*GCU", { "kilogcu" }, 1e9 },   { "M*GCU", { "megagcu" }, 1e12 },
	{ "G*GCU", { "gigagcu" }, 1e15 },  { "T*GCU", { "teragcu" }, 1e18 },
	{ "P*GCU", { "petagcu" }, 1e21 },
};
static const struct unit gcu_default = { "GCU", { NULL }, 1e6 };

static const struct unit_family families[] = {
	{ bytes_units, ARRAY_SIZE(bytes_units), &bytes_units[0] },
	{ time_units, ARRAY_SIZE(time_units), &time_default },
	{ gcu_units, ARRAY_SIZE(gcu_units), &gcu_default },
};

/* pprof's sniffUnit: lower-case, drop one trailing 's' when longer than 2. */
static const struct unit *sniff(const struct unit_family *f, const char *name)
{
	char low[64];
	size_t n = strlen(name);

	if (n >= sizeof(low))
		return NULL;
	for (size_t i = 0; i <= n; i++)
		low[i] = (char)((name[i] >= 'A' && name[i] <= 'Z') ? name[i] + 32 : name[i]);
	if (n > 2 && low[n - 1] == 's')
		low[--n] = '\0';
	for (size_t i = 0; i < f->n; i++)
		for (size_t a = 0; a < ARRAY_SIZE(f->units[i].aliases) && f->units[i].aliases[a];
		     a++)
			if (!strcmp(low, f->units[i].aliases[a]))
				return &f->units[i];
	return NULL;
}

bool units_known(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(families); i++)
		if (sniff(&families[i], name))
			return true;
	return false;
}

double units_scale(int64_t value, const char *from, const char *to, const char **unit)
{
	if (value < 0 && value != INT64_MIN) { /* Go: -MinInt64 wraps, so it stays negative */
		double v = units_scale(-value, from, to, unit);

		return -v;
	}
	for (size_t i = 0; i < ARRAY_SIZE(families); i++) {
		const struct unit_family *f = &families[i];
		const struct unit *fu = sniff(f, from), *tu;
		double v;

		if (!fu)
			continue;
		v = (double)value * fu->factor;
		if (!strcmp(to, "minimum") || !strcmp(to, "auto")) {
			double best = 0;
			const char *bu = NULL;

			for (size_t k = 0; k < f->n; k++) {
				if (f->units[k].factor >= best && v / f->units[k].factor >= 1.0) {
					best = f->units[k].factor;
					bu = f->units[k].name;
				}
			}
			if (bu) {
				*unit = bu;
				return v / best;
			}
			*unit = f->dflt->name;
			return v / f->dflt->factor;
		}
		tu = sniff(f, to);
		if (!tu)
			tu = f->dflt;
		*unit = tu->name;
		return v / tu->factor;
	}
	if (!strcmp(to, "count") || !strcmp(to, "sample") || !strcmp(to, "unit") ||
	    !strcmp(to, "minimum") || !strcmp(to, "auto"))
		*unit = "";
	else
		*unit = to;
	return (double)value;
}

void units_label(char *out, size_t size, int64_t value, const char *from, const char *to)
{
	const char *u;
	double v = units_scale(value, from, to, &u);
	char num[64];
	size_t n;

	snprintf(num, sizeof(num), "%.2f", v);
	n = strlen(num);
	if (n > 3 && !strcmp(num + n - 3, ".00"))
		num[n - 3] = '\0';
	if (!strcmp(num, "0") || !strcmp(num, "-0")) {
		snprintf(out, size, "0");
		return;
	}
	snprintf(out, size, "%s%s", num, u);
}

void units_percent(char *out, size_t size, int64_t value, int64_t total)
{
	double r = 0;

	if (total != 0)
		r = fabs((double)value / (double)total) * 100;
	if (r >= 99.95 && r <= 100.05)
		snprintf(out, size, "  100%%");
	else if (r >= 1.0)
		snprintf(out, size, "%5.2f%%", r);
	else
		snprintf(out, size, "%5.2g%%", r);
}

void units_percent_trim(char *out, size_t size, int64_t value, int64_t total)
{
	char tmp[64];
	const char *s = tmp;

	units_percent(tmp, sizeof(tmp), value, total);
	while (*s == ' ')
		s++;
	snprintf(out, size, "%s", s);
}
