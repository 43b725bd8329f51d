#include "model/compat.h"
#include <math.h>
#include "model/alloc.h"
#include "report/options.h"

const struct opt_def opt_defs[] = {
#define OPT(name, type, field, dflt, help) \
	{ #name, OPT_##type, offsetof(struct cp_options, field), dflt, help },
#define CHOICE(group, value, help)
#include "report/options.def"
#undef OPT
#undef CHOICE
};
const size_t opt_ndefs = ARRAY_SIZE(opt_defs);

const struct choice_def choice_defs[] = {
#define OPT(name, type, field, dflt, help)
#define CHOICE(group, value, help) { #group, #value, help },
#include "report/options.def"
#undef OPT
#undef CHOICE
};
const size_t choice_ndefs = ARRAY_SIZE(choice_defs);

const struct shorthand_def shorthand_defs[] = {
	{ "inuse_space", "inuse_space", false, "Same as -sample_index=inuse_space" },
	{ "inuse_objects", "inuse_objects", false, "Same as -sample_index=inuse_objects" },
	{ "alloc_space", "alloc_space", false, "Same as -sample_index=alloc_space" },
	{ "alloc_objects", "alloc_objects", false, "Same as -sample_index=alloc_objects" },
	{ "total_delay", "delay", false, "Same as -sample_index=delay" },
	{ "contentions", "contentions", false, "Same as -sample_index=contentions" },
	{ "mean_delay", "delay", true, "Same as -mean -sample_index=delay" },
};
const size_t shorthand_ndefs = ARRAY_SIZE(shorthand_defs);

#define FIELD(o, d, type) ((type *)((char *)(o) + (d)->offset))

void options_init(struct cp_options *o)
{
	memset(o, 0, sizeof(*o));
	for (size_t i = 0; i < opt_ndefs; i++)
		option_set(o, &opt_defs[i], opt_defs[i].dflt, NULL);
}

void options_release(struct cp_options *o)
{
	for (size_t i = 0; i < opt_ndefs; i++) {
		const struct opt_def *d = &opt_defs[i];

		if (d->type == OPT_STRING || d->type == OPT_CHOICE) {
			free(*FIELD(o, d, char *));
			*FIELD(o, d, char *) = NULL;
		}
	}
}

void options_copy(struct cp_options *dst, const struct cp_options *src)
{
	*dst = *src;
	for (size_t i = 0; i < opt_ndefs; i++) {
		const struct opt_def *d = &opt_defs[i];

		if (d->type == OPT_STRING || d->type == OPT_CHOICE)
			*FIELD(dst, d, char *) = xstrdup(*FIELD(src, d, char *const));
	}
}

const struct opt_def *option_find(const char *name)
{
	for (size_t i = 0; i < opt_ndefs; i++)
		if (!strcmp(opt_defs[i].name, name))
			return &opt_defs[i];
	return NULL;
}

const struct choice_def *choice_find(const char *value)
{
	for (size_t i = 0; i < choice_ndefs; i++)
		if (!strcmp(choice_defs[i].value, value))
			return &choice_defs[i];
	return NULL;
}

/* Go's strconv.ParseBool spellings. */
static int parse_bool(const char *v, bool *out)
{
	static const char *const t[] = { "1", "t", "T", "TRUE", "true", "True" };
	static const char *const f[] = { "0", "f", "F", "FALSE", "false", "False" };

	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		if (!strcmp(v, t[i])) {
			*out = true;
			return 0;
		}
		if (!strcmp(v, f[i])) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

int option_set(struct cp_options *o, const struct opt_def *d, const char *value, struct cp_err *err)
{
	char *end;
	/* strtol/strtod skip leading space; Go's parsers do not */
	bool spaced = value[0] == ' ' || (value[0] >= '\t' && value[0] <= '\r');

	switch (d->type) {
	case OPT_BOOL:
		if (parse_bool(value, FIELD(o, d, bool)))
			return cp_errf(err, "invalid boolean value \"%s\" for %s", value, d->name);
		return 0;
	case OPT_INT: {
		long v;

		errno = 0;
		v = strtol(value, &end, 10);
		if (!*value || spaced || *end || errno || v < INT_MIN || v > INT_MAX)
			return cp_errf(err, "invalid value \"%s\" for %s: want an integer", value,
				       d->name);
		*FIELD(o, d, int) = (int)v;
		return 0;
	}
	case OPT_FLOAT: {
		double v;

		errno = 0;
		v = strtod(value, &end);
		if (!*value || spaced || *end || errno || isnan(v))
			return cp_errf(err, "invalid value \"%s\" for %s: want a number", value,
				       d->name);
		*FIELD(o, d, double) = v;
		return 0;
	}
	case OPT_CHOICE: {
		bool ok = false;

		for (size_t i = 0; i < choice_ndefs; i++)
			ok |= !strcmp(choice_defs[i].group, d->name) &&
			      !strcmp(choice_defs[i].value, value);
		if (!ok)
			return cp_errf(err, "invalid value \"%s\" for %s", value, d->name);
	}
		/* fall through */
	case OPT_STRING:
		free(*FIELD(o, d, char *));
		*FIELD(o, d, char *) = xstrdup(value);
		return 0;
	}
	return 0;
}

void option_get(const struct cp_options *o, const struct opt_def *d, char *buf, size_t size)
{
	switch (d->type) {
	case OPT_BOOL:
		snprintf(buf, size, "%s", *FIELD(o, d, const bool) ? "true" : "false");
		break;
	case OPT_INT:
		snprintf(buf, size, "%d", *FIELD(o, d, const int));
		break;
	case OPT_FLOAT:
		snprintf(buf, size, "%g", *FIELD(o, d, const double));
		break;
	case OPT_STRING:
	case OPT_CHOICE:
		snprintf(buf, size, "%s", *FIELD(o, d, char *const));
		break;
	}
}
