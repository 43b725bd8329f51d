/*
 * path.h - file name helpers with Go's path semantics (pprof's behaviour).
 *
 * Paths are '/'-separated byte strings; nothing here touches the file system.
 */
#ifndef CPROF_PATH_H
#define CPROF_PATH_H

#include "model/compat.h"

/* Go's filepath.Clean, into a new malloc'd string. */
char *path_clean(const char *path, size_t len);

/* Go's filepath.Base: the last element, trailing slashes ignored; sets *blen. */
const char *path_base(const char *path, size_t len, size_t *blen);

/* pprof's trimPath heuristics; returns a pointer into path. */
const char *path_trim(const char *path, const char *trim_path, const char *source_path);

#endif
