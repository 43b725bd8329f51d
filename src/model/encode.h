/*
 * encode.h - writing profile.proto (gzipped), through protobuf-c.
 */
#ifndef CPROF_ENCODE_H
#define CPROF_ENCODE_H

#include "model/compat.h"
#include "model/buf.h"
#include "model/err.h"
#include "model/profile.h"
#include "model/view.h"

struct cp_encode_opts {
	const struct cp_view *view; /* NULL: the whole profile as loaded */
	double ratio;		    /* multiply values (pprof's divide_by); 1 or 0 = none */
	bool noinlines;		    /* keep only each location's outermost line */
};

/* Append the gzipped profile.proto of p to out. */
int profile_encode(const struct cp_profile *p, const struct cp_encode_opts *o, struct buf *out,
		   struct cp_err *err);

#endif
