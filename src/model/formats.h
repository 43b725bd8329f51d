/*
 * formats.h - the readers of every input that is not profile.proto.
 *
 * load.c tries them by content, in pprof's order, once the proto parse
 * has failed: legacy pprof formats (gperftools CPU, heap, Go count,
 * thread, contention, Java), then folded stacks, then perf script text.
 * Each returns 0 with a new profile in *out, 1 when the data is not in
 * its format (nothing is reported), or -1 with a message in err when the
 * data is in its format but malformed.  Input is plain (already
 * gunzipped) bytes; it need not be NUL-terminated.
 */
#ifndef CPROF_FORMATS_H
#define CPROF_FORMATS_H

#include "model/compat.h"
#include "model/build.h"
#include "model/err.h"
#include "model/profile.h"

int legacy_parse(const unsigned char *data, size_t len, struct cp_profile **out,
		 struct cp_err *err);
int folded_parse(const unsigned char *data, size_t len, struct cp_profile **out,
		 struct cp_err *err);
int perf_script_parse(const unsigned char *data, size_t len, struct cp_profile **out,
		      struct cp_err *err);

/*
 * A text line reader with Go bufio.Scanner's line splitting: lines end at
 * '\n', a '\r' before it is dropped, a last line without '\n' counts.
 * After the end, line is "" (len 0).
 */
struct line_scan {
	const char *p, *end;
	const char *line;
	size_t len;
	size_t lineno;
};

void line_scan_init(struct line_scan *s, const unsigned char *data, size_t len);
bool line_scan_next(struct line_scan *s);

/* Go's strings.TrimSpace over ASCII white space. */
void text_trim(const char **s, size_t *len);
bool text_has_prefix(const char *s, size_t len, const char *prefix);
bool text_contains(const char *s, size_t len, const char *needle);

/*
 * The /proc/self/maps-like memory map that ends legacy profiles (and the
 * mappings of perf script), applied as pprof does: adjacent pieces of
 * one file are merged, the main binary moves to the front, then every
 * location with an address gets the mapping that holds it (or a fake
 * one covering everything).  'lines' starts at the first map line.
 */
void legacy_add_mappings(struct cp_builder *b, struct line_scan *lines);
void legacy_assign_mappings(struct cp_builder *b);
/* pprof's guess at the main binary: a named file, not a library, not "[...]". */
bool legacy_main_candidate(const char *file);

#endif
