/*
 * demangle.c - cp_demangle over libiberty's cplus_demangle.
 */
#include "model/compat.h"
#include <libiberty/demangle.h>
#include "model/alloc.h"
#include "model/demangle.h"

/* Remove every balanced <...> (template arguments), but not operator< and friends. */
static void drop_templates(char *s)
{
	char *out = s;
	int depth = 0;

	for (char *in = s; *in; in++) {
		if (*in == '<' && depth == 0 && in - s >= 8 && !strncmp(in - 8, "operator", 8)) {
			*out++ = *in;
			if (in[1] == '<' || in[1] == '=')
				*out++ = *++in;
			continue;
		}
		if (*in == '<') {
			depth++;
			continue;
		}
		if (*in == '>' && depth > 0) {
			depth--;
			continue;
		}
		if (depth == 0)
			*out++ = *in;
	}
	*out = 0;
}

char *cp_demangle(const char *name, enum cp_demangle mode)
{
	char *d, *copy;
	int opts;

	if (mode == CP_DEMANGLE_NONE || strncmp(name, "_Z", 2))
		return NULL;
	opts = mode == CP_DEMANGLE_FULL ? DMGL_PARAMS | DMGL_ANSI | DMGL_TYPES : DMGL_ANSI;
	d = cplus_demangle(name, opts);
	if (!d)
		return NULL;
	/* hand it over as our own allocation (libiberty allocates with malloc) */
	copy = xstrdup(d);
	free(d);
	if (mode == CP_DEMANGLE_SIMPLE)
		drop_templates(copy);
	return copy;
}
