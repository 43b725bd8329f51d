/*
 * profile.h - the parsed profile: cprof's one in-memory model.
 *
 * A profile is immutable once loaded.  Everything it points to lives in its
 * arena and string table; profile_free releases it all.  Objects refer to
 * each other by dense indices (never by the ids of the file): a location's
 * lines are lines[line_off .. line_off + nlines), a sample's stack is
 * stack[stack_off .. stack_off + depth) leaf first, its values are
 * values[i * nsample_types ..].  CP_NONE marks an absent reference.
 * Strings are ids into 'strs' (0 is "").
 */
#ifndef CPROF_PROFILE_H
#define CPROF_PROFILE_H

#include "model/compat.h"
#include "model/arena.h"
#include "model/err.h"
#include "model/strtab.h"

#define CP_NONE UINT32_MAX

struct cp_value_type {
	uint32_t type, unit;
};

struct cp_mapping {
	uint64_t id;
	uint64_t start, limit, offset;
	uint32_t file, build_id;
	bool has_functions, has_filenames, has_line_numbers, has_inline_frames;
};

struct cp_function {
	uint64_t id;
	uint32_t name, system_name, filename;
	int64_t start_line;
};

struct cp_line {
	uint32_t function; /* index into functions */
	int64_t line, column;
};

struct cp_location {
	uint64_t id;
	uint64_t address;
	uint32_t mapping; /* index or CP_NONE */
	uint32_t line_off, nlines;
	bool is_folded;
};

struct cp_label {
	uint32_t key, str; /* str == 0: numeric label */
	int64_t num;
	uint32_t num_unit;
};

struct cp_sample {
	uint32_t stack_off, depth;
	uint32_t label_off, nlabels;
};

struct cp_profile {
	struct arena arena;
	struct strtab strs;

	struct cp_value_type *sample_types;
	size_t nsample_types;
	struct cp_value_type period_type;
	bool has_period_type; /* present, even when empty (Java heap profiles) */
	int64_t period;
	int64_t time_nanos, duration_nanos;
	uint32_t drop_frames, keep_frames;
	uint32_t default_sample_type, doc_url;
	uint32_t *comments;
	size_t ncomments;

	struct cp_mapping *mappings;
	size_t nmappings;
	struct cp_function *functions;
	size_t nfunctions;
	struct cp_line *lines;
	size_t nlines;
	struct cp_location *locations;
	size_t nlocations;

	struct cp_sample *samples;
	size_t nsamples;
	uint32_t *stack; /* location indices of all samples */
	size_t nstack;
	int64_t *values; /* nsamples * nsample_types */
	struct cp_label *labels;
	size_t nlabels;
	/* stack, values, samples, locations, lines, labels, functions are malloc'd */
	bool owns_arrays;
	bool labels_in_arena;  /* labels were replaced by an arena copy */
	int64_t *extra_values; /* malloc'd values of a profile not owning its arrays */
	struct cp_sindex *index; /* stack index (sindex.h), or NULL until built */
};

/* An empty profile with an initialised string table. */
struct cp_profile *profile_new(void);
void profile_free(struct cp_profile *p);

static inline const char *profile_str(const struct cp_profile *p, uint32_t id)
{
	return strtab_str(&p->strs, id);
}

static inline const int64_t *profile_values(const struct cp_profile *p, size_t sample)
{
	return p->values + sample * p->nsample_types;
}

/*
 * Loading (load.c).  'name' is used in messages only; data may be gzip
 * or raw profile.proto.  On error returns NULL and fills err with "what is
 * wrong (where)", without the name.
 */
struct cp_profile *profile_parse(const unsigned char *data, size_t len, struct cp_err *err);

/*
 * The input limit, in bytes: a file larger than this is refused before it
 * is read, and gzip data is refused as soon as it inflates past it.
 * Default PROFILE_MAX_INPUT; process-wide, set before loading.
 */
#define PROFILE_MAX_INPUT ((size_t)256 << 20)
void profile_set_max_input(size_t limit);

/*
 * Read a whole file ("-" = stdin) into memory.  Anything but a regular
 * file (or stdin) is refused without being read: a FIFO, a device or a
 * directory could block forever or never end.
 */
int read_file(const char *path, unsigned char **data, size_t *len, struct cp_err *err);

/* Told now and then while a file loads: 'done' of 'total' bytes parsed. */
struct cp_progress {
	void (*fn)(void *ctx, const char *path, size_t done, size_t total);
	void *ctx;
};

/*
 * Load each path, merge them as pprof does (same period and sample types
 * required), and return the result.  Errors name the file concerned.
 * progress may be NULL.
 */
struct cp_profile *profile_load(const char *const *paths, size_t npaths,
				const struct cp_progress *progress, struct cp_err *err);

/*
 * combine.c: reduce profiles to their common sample types and finest units
 * (pprof's CompatibilizeSampleTypes and ScaleProfiles; the inputs are
 * changed), then merge them into a new profile.
 */
struct cp_profile *profile_combine(struct cp_profile *const *ps, size_t n, struct cp_err *err);

/*
 * Subtract base from *src (pprof's -base; -diff_base when diff: base samples
 * get the label pprof::base=true).  normalize first scales *src so its
 * totals equal the base's.  *src is replaced by the result; base is changed.
 */
int profile_apply_base(struct cp_profile **src, struct cp_profile *base, bool diff, bool normalize,
		       struct cp_err *err);

/* merge.c: merge several profiles into a new one.  Inputs are not changed. */
struct cp_profile *profile_merge(struct cp_profile *const *srcs, size_t n, struct cp_err *err);

/*
 * Index of the sample type named by 'spec' (pprof's sample_index: an index,
 * a type name, "inuse_X" matching type X; "" = default_sample_type or the
 * last type).
 */
int profile_sample_index(const struct cp_profile *p, const char *spec, struct cp_err *err);

#endif
