/*
 * symbolize.h - give address-only locations functions, files, lines and
 * inline frames from the ELF/DWARF of their mappings (libdw).
 *
 * The binary of a mapping is looked for as pprof does: the binary named on
 * the command line (for the main mapping), $CPROF_BINARY_PATH or
 * $PPROF_BINARY_PATH directories (by build id, base name or full path),
 * then the mapping's own path.  A file whose build id differs from the
 * mapping's is not used.  Debug info may live in the binary or be found by
 * build id or .gnu_debuglink under /usr/lib/debug.  Without DWARF the ELF
 * symbol tables give function names.
 *
 * profile_symbolize works on a profile nobody else has seen yet (the
 * loader's result): it replaces its locations, lines and functions.
 * Problems with one mapping are warnings (one line each, appended to
 * 'warn'), never errors.
 */
#ifndef CPROF_SYMBOLIZE_H
#define CPROF_SYMBOLIZE_H

#include "model/compat.h"
#include "model/buf.h"
#include "model/demangle.h"
#include "model/err.h"
#include "model/profile.h"

struct cp_symbolize_opts {
	bool none;  /* -symbolize=none: leave the profile as it is */
	bool force; /* symbolize locations that already have lines too */
	enum cp_demangle demangle;
	const char *binary;	 /* the binary for the main mapping, or NULL */
	const char *search_path; /* ':'-separated directories, or NULL */
};

/* Parse pprof's -symbolize value ("none", "local", "force", "demangle=X", joined by ':' or ','). */
int symbolize_parse_mode(struct cp_symbolize_opts *o, const char *mode, struct cp_err *err);

/* Symbolize p in place (see above); returns the number of locations given lines. */
size_t profile_symbolize(struct cp_profile *p, const struct cp_symbolize_opts *o, struct buf *warn);

#endif
