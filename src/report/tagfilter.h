/*
 * tagfilter.h - pprof's tagfocus/tagignore sample predicates.
 *
 * "[key=]spec": spec is a numeric range ("32kb", "1mb:", ":64kb",
 * "12kb:64mb") compared with numeric labels after unit conversion, else a
 * comma list of regexps.  Without a key, every regexp must match some
 * "key:value" of the sample; with a key, any regexp matching any value of
 * that key suffices.
 */
#ifndef CPROF_TAGFILTER_H
#define CPROF_TAGFILTER_H

#include "model/compat.h"
#include "model/err.h"
#include "model/profile.h"
#include "report/labels.h"

struct tag_filter;

/*
 * Compile option 'name' (for messages) with 'value'.  A value read as a
 * range adds pprof's "NAME:Interpreted 'V' as range, not regexp" line to
 * warn.  Returns NULL with err set on a bad regexp.
 */
struct tag_filter *tag_filter_compile(const char *name, const char *value, struct buf *warn,
				      struct cp_err *err);
bool tag_filter_match(const struct tag_filter *f, const struct cp_profile *p,
		      const struct cp_sample *s, const struct label_units *units,
		      const unsigned char *hidden);
void tag_filter_free(struct tag_filter *f);

#endif
