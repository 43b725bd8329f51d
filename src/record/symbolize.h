/*
 * symbolize.h - give a recorded profile function names, files and lines.
 *
 * Used by `cprof record` after the profiled program has exited: the file
 * written by libcprof has addresses and mappings (with build IDs) only.
 * Each mapping whose file is still on disk (and whose build ID matches) is
 * read with libdw; locations get Line entries (inlined frames expanded,
 * innermost first) and the mapping's has_* flags are set only when true
 * for every location in it.  The file is rewritten in place (atomically).
 * This is the recorder's own best-effort symbolizer; it lives outside
 * libcprof so the library never pulls libdw into profiled programs.
 */
#ifndef CPROF_RECORD_SYMBOLIZE_H
#define CPROF_RECORD_SYMBOLIZE_H

#include "model/compat.h"
#include "model/err.h"

/* 0, or -1 with a message in err. */
int rec_symbolize_file(const char *path, struct cp_err *err);

#endif
