/*
 * demangle.h - C++ (Itanium ABI) names made readable, with pprof's choices.
 *
 * The demangler is libiberty's cplus_demangle (Debian's libiberty-dev):
 * the C ABI demangler GCC's own tools use, so cprof stays a C program
 * with no C++ runtime.  Only demangle.c includes its header.
 */
#ifndef CPROF_DEMANGLE_H
#define CPROF_DEMANGLE_H

#include "model/compat.h"

enum cp_demangle {
	CP_DEMANGLE_SIMPLE,    /* pprof's default: no parameters, no template arguments */
	CP_DEMANGLE_TEMPLATES, /* keep template arguments, drop parameters */
	CP_DEMANGLE_FULL,      /* everything */
	CP_DEMANGLE_NONE       /* keep the mangled name */
};

/* A malloc'd readable name, or NULL when 'name' is not a mangled name (or mode is NONE). */
char *cp_demangle(const char *name, enum cp_demangle mode);

#endif
