/*
 * names.h - function names as pprof's drawings show them.
 *
 * names_shorten() is pprof's ShortenFunctionName (Go 1.19's rules): drop a
 * C++ "(anonymous namespace)::" prefix and Go module major versions, then
 * keep the last package element of a Go name, Class.method of a Java name,
 * or Class::method (with template arguments) of a C++ name.
 * The result is malloc'd; the caller frees it.
 */
#ifndef CPROF_REPORT_NAMES_H
#define CPROF_REPORT_NAMES_H

#include "model/compat.h"

char *names_shorten(const char *name);

#endif
