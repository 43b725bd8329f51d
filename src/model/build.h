/*
 * build.h - construct a profile programmatically.
 *
 * Every non-proto reader (legacy pprof formats, folded stacks, perf script)
 * and the symbolizer produce their profile through a builder: strings are
 * interned into the profile under construction, objects are appended to
 * growing arrays and referred to by dense indices, and builder_finish hands
 * the arrays to the profile (owns_arrays), giving locations, functions and
 * mappings the ids index + 1.  The builder owns everything until then;
 * builder_release frees what was not handed over.  A builder is used once.
 */
#ifndef CPROF_BUILD_H
#define CPROF_BUILD_H

#include "model/compat.h"
#include "model/hash.h"
#include "model/profile.h"

struct cp_builder {
	struct cp_profile *p; /* strings go to p->strs at once */

	struct cp_value_type *sample_types;
	size_t nsample_types, sample_types_alloc;
	struct cp_sample *samples;
	size_t nsamples, samples_alloc;
	uint32_t *stack;
	size_t nstack, stack_alloc;
	int64_t *values;
	size_t nvalues, values_alloc;
	struct cp_label *labels;
	size_t nlabels, labels_alloc;
	struct cp_location *locations;
	size_t nlocations, locations_alloc;
	struct cp_line *lines;
	size_t nlines, lines_alloc;
	struct cp_function *functions;
	size_t nfunctions, functions_alloc;
	struct cp_mapping *mappings;
	size_t nmappings, mappings_alloc;
	uint32_t *comments;
	size_t ncomments, comments_alloc;

	struct idmap by_addr; /* address + 1 -> location (builder_location_at) */
	uint32_t loc_at_max;  /* location of address UINT64_MAX, or CP_NONE */
	uint32_t *fn_slots;   /* open addressing over functions: index + 1 */
	size_t fn_mask;
};

void builder_init(struct cp_builder *b);
void builder_release(struct cp_builder *b);

uint32_t builder_str(struct cp_builder *b, const char *s);
uint32_t builder_strn(struct cp_builder *b, const char *s, size_t len);

void builder_sample_type(struct cp_builder *b, const char *type, const char *unit);
void builder_period(struct cp_builder *b, const char *type, const char *unit, int64_t period);
void builder_comment(struct cp_builder *b, const char *text);

/* A new mapping; returns its index.  Strings are ids. */
uint32_t builder_mapping(struct cp_builder *b, uint64_t start, uint64_t limit, uint64_t offset,
			 uint32_t file, uint32_t build_id);

/* The address-only location at 'addr', created on first use. */
uint32_t builder_location_at(struct cp_builder *b, uint64_t addr);

/* A new location with 'n' lines (leaf, inlined, first; caller last). */
uint32_t builder_location(struct cp_builder *b, uint64_t addr, uint32_t mapping,
			  const struct cp_line *lines, size_t n);

/* The function with these fields, created on first use. */
uint32_t builder_function(struct cp_builder *b, uint32_t name, uint32_t system_name,
			  uint32_t filename, int64_t start_line);

/* A sample: 'n' location indices leaf first, one value per sample type. */
void builder_sample(struct cp_builder *b, const uint32_t *locs, size_t n, const int64_t *values);
/* Add a label to the last sample (str == 0: numeric). */
void builder_label(struct cp_builder *b, uint32_t key, uint32_t str, int64_t num,
		   uint32_t num_unit);

/*
 * Renumber as pprof's legacy parsers do: locations in order of first use
 * by the samples, functions in order of first use by those locations;
 * unused ones are dropped.
 */
void builder_compact(struct cp_builder *b);

/* Hand everything to a profile (ids = index + 1) and return it. */
struct cp_profile *builder_finish(struct cp_builder *b);

#endif
