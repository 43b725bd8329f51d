/*
 * options.h - report settings (pprof's config) and their one table.
 *
 * struct cp_options holds every option's current value; strings are owned
 * (malloc'd) and released by options_release.  options.def lists them; the
 * same rows drive flag parsing, help and documentation.
 */
#ifndef CPROF_OPTIONS_H
#define CPROF_OPTIONS_H

#include "model/compat.h"
#include "model/err.h"

struct cp_options {
	char *sample_index;
	bool mean;
	double divide_by;
	char *unit;
	int nodecount;
	double nodefraction, edgefraction;
	bool trim;
	char *focus, *ignore, *hide, *show, *show_from, *prune_from;
	char *tagfocus, *tagignore, *tagshow, *taghide, *tagroot, *tagleaf;
	bool noinlines, compact_labels, relative_percentages, call_tree, drop_negative, all_frames;
	bool normalize;
	char *source_path, *trim_path, *output;
	char *granularity, *sort;
};

enum opt_type {
	OPT_BOOL,
	OPT_INT,
	OPT_FLOAT,
	OPT_STRING,
	OPT_CHOICE
};

struct opt_def {
	const char *name;
	enum opt_type type;
	size_t offset;
	const char *dflt;
	const char *help;
};

struct choice_def {
	const char *group, *value, *help;
};

extern const struct opt_def opt_defs[];
extern const size_t opt_ndefs;
extern const struct choice_def choice_defs[];
extern const size_t choice_ndefs;

/* Legacy sample-type shorthands (-inuse_space ...): flag -> sample_index, mean. */
struct shorthand_def {
	const char *name, *sample_index;
	bool mean;
	const char *help;
};
extern const struct shorthand_def shorthand_defs[];
extern const size_t shorthand_ndefs;

void options_init(struct cp_options *o);
void options_release(struct cp_options *o);
void options_copy(struct cp_options *dst, const struct cp_options *src);

const struct opt_def *option_find(const char *name);
const struct choice_def *choice_find(const char *value);
/* Set option 'd' from text; errors say what was expected. */
int option_set(struct cp_options *o, const struct opt_def *d, const char *value,
	       struct cp_err *err);
/* Current value as text (for help and listings), into buf of 'size'. */
void option_get(const struct cp_options *o, const struct opt_def *d, char *buf, size_t size);

#endif
