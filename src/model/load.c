/*
 * load.c - bytes -> struct cp_profile.
 *
 * The input is gunzipped when it starts with the gzip magic, then read as
 * profile.proto.  The top level of the message is walked here so each
 * sample, location, function and mapping can be unpacked by protobuf-c on
 * its own into a scratch arena that is reset after every message: memory
 * stays proportional to the profile, not to protobuf-c's object graph.
 * File ids are remapped to dense indices and every reference is checked.
 */
#include "model/compat.h"
#include <pthread.h>
#include <zlib.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>
#include "profile.pb-c.h"
#include "model/alloc.h"
#include "model/buf.h"
#include "model/formats.h"
#include "model/sindex.h"
#include "model/hash.h"
#include "model/profile.h"
#include "model/regex.h"

#define BAD_STR UINT32_MAX

struct raw_string {
	const char *s;
	size_t len;
};

/* Everything read from the wire before ids and strings are resolved. */
struct loader {
	struct cp_profile *p;
	struct cp_err *err;
	struct arena scratch;
	ProtobufCAllocator pb_alloc;

	struct raw_string *strings;
	size_t nstrings, strings_alloc;

	struct cp_value_type *sample_types;
	size_t nsample_types, sample_types_alloc;

	struct cp_sample *samples;
	size_t nsamples, samples_alloc;
	uint32_t *stack_ids; /* file ids while all fit in 32 bits */
	uint64_t *wide_ids;  /* all ids, once one did not fit */
	size_t nstack, stack_alloc, wide_alloc;
	int64_t *values;
	size_t nvalues, values_alloc;
	uint32_t *value_counts; /* per sample, checked at the end */
	size_t value_counts_alloc;
	struct cp_label *labels;
	size_t nlabels, labels_alloc;

	struct cp_mapping *mappings;
	size_t nmappings, mappings_alloc;
	struct cp_function *functions;
	size_t nfunctions, functions_alloc;
	struct cp_location *locations;
	uint64_t *loc_mapping_ids;
	size_t nlocations, locations_alloc, loc_mapping_alloc;
	struct cp_line *lines;
	uint64_t *line_function_ids;
	size_t nlines, lines_alloc, line_fid_alloc;

	uint32_t *comments;
	size_t ncomments, comments_alloc;
	bool seen_time;
	const unsigned char *base; /* the whole message, for byte offsets */
	struct inflater *infl;	   /* data still arriving, or NULL */
	const struct cp_progress *progress;
	const char *path;
	size_t next_progress; /* parse offset of the next progress report */
};

/*
 * Background gunzip: a thread inflates into a buffer sized from the gzip
 * trailer while the parser reads what has arrived, so decompression and
 * parsing overlap on two cores.  When the trailer size proves wrong
 * (several gzip members, or over 4 GiB) the caller falls back to gunzip().
 */
struct inflater {
	const unsigned char *in;
	size_t inlen;
	unsigned char *out;
	size_t cap;	 /* expected size, from the trailer */
	size_t produced; /* guarded by mu */
	bool done, failed, mismatch;
	struct cp_err err;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
};

#define INFLATE_CHUNK (512 * 1024)

static void *inflater_run(void *arg)
{
	struct inflater *f = arg;
	z_stream zs;
	size_t produced = 0;
	int zr = Z_OK;

	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 15 + 16) != Z_OK) {
		cp_errf(&f->err, "cannot initialise zlib");
		zr = Z_MEM_ERROR;
	}
	zs.next_in = (unsigned char *)f->in;
	zs.avail_in = (unsigned)f->inlen;
	while (zr == Z_OK) {
		size_t room = f->cap - produced;

		zs.next_out = f->out + produced;
		zs.avail_out = (unsigned)(room < INFLATE_CHUNK ? room : INFLATE_CHUNK);
		if (!zs.avail_out) {
			zr = Z_BUF_ERROR; /* more data than the trailer said */
			break;
		}
		zr = inflate(&zs, Z_NO_FLUSH);
		produced = (size_t)(zs.next_out - f->out);
		pthread_mutex_lock(&f->mu);
		f->produced = produced;
		pthread_cond_signal(&f->cv);
		pthread_mutex_unlock(&f->mu);
		if (zr == Z_BUF_ERROR && zs.avail_out)
			break;
		if (zr == Z_BUF_ERROR)
			zr = Z_OK;
	}
	pthread_mutex_lock(&f->mu);
	if (zr == Z_STREAM_END) {
		if (zs.avail_in || produced != f->cap)
			f->mismatch = true;
	} else if (zr == Z_BUF_ERROR && !zs.avail_out) {
		f->mismatch = true;
	} else if (zr == Z_BUF_ERROR) {
		cp_errf(&f->err, "truncated gzip data (after %zu compressed bytes)", f->inlen);
		f->failed = true;
	} else {
		cp_errf(&f->err, "corrupt gzip data: %s (at compressed byte %zu)",
			zs.msg ? zs.msg : "inflate failed", (size_t)(zs.next_in - f->in));
		f->failed = true;
	}
	f->done = true;
	pthread_cond_signal(&f->cv);
	pthread_mutex_unlock(&f->mu);
	inflateEnd(&zs);
	return NULL;
}

/* Wait until bytes [0, upto) have arrived; -1 if they never will. */
static int need(struct loader *ld, size_t upto)
{
	struct inflater *f = ld->infl;
	int ret = 0;

	if (!f)
		return 0;
	pthread_mutex_lock(&f->mu);
	while (f->produced < upto && !f->done)
		pthread_cond_wait(&f->cv, &f->mu);
	if (f->produced < upto) {
		ret = -1;
		if (f->failed)
			*ld->err = f->err;
		else
			f->mismatch = true;
	}
	pthread_mutex_unlock(&f->mu);
	return ret;
}

static void *pb_arena_alloc(void *data, size_t size)
{
	return arena_alloc(data, size);
}

static void pb_arena_free(void *data, void *ptr)
{
	(void)data;
	(void)ptr;
}

/* A string index from the wire, clamped so it fits our 32-bit ids. */
static uint32_t str_index(int64_t v)
{
	if (v < 0 || v >= (int64_t)BAD_STR)
		return BAD_STR;
	return (uint32_t)v;
}

static int read_varint(const unsigned char **pp, const unsigned char *end, uint64_t *out)
{
	const unsigned char *p = *pp;
	uint64_t v = 0;

	for (int shift = 0; shift < 64; shift += 7) {
		if (p >= end)
			return -1;
		v |= (uint64_t)(*p & 0x7f) << shift;
		if (!(*p++ & 0x80)) {
			*pp = p;
			*out = v;
			return 0;
		}
	}
	return -1;
}

/* Decode packed varints from [p, end) into out (capacity cap); -1 if malformed or too many. */
static long unpack_varints(const unsigned char *p, const unsigned char *end, uint64_t *out,
			   size_t cap)
{
	size_t n = 0;

	while (p < end) {
		uint64_t v;

		if (n == cap || read_varint(&p, end, &v))
			return -1;
		out[n++] = v;
	}
	return (long)n;
}

enum {
	WT_VARINT = 0,
	WT_I64 = 1,
	WT_LEN = 2,
	WT_I32 = 5
};

/* profile.proto's largest field number is 2^29 - 1. */
#define MAX_FIELD ((1u << 29) - 1)

/* The submessages protobuf-c decodes, for the pre-scan. */
enum pb_msg {
	MSG_SAMPLE,
	MSG_LABEL,
	MSG_LOCATION,
	MSG_LINE,
	MSG_FLAT /* mapping, function, value type: no nested messages */
};

/* One pre-scan error: "malformed sample 3: <msg> (at byte N)"; index 0 names no element. */
PRINTF_LIKE(5, 6)
static int prescan_fail(struct loader *ld, const char *what, size_t index, size_t off,
			const char *fmt, ...)
{
	char msg[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (index)
		return cp_errf(ld->err, "malformed %s %zu: %s (at byte %zu)", what, index, msg,
			       off);
	return cp_errf(ld->err, "malformed %s: %s (at byte %zu)", what, msg, off);
}

/*
 * Check the wire format of one message (and the messages nested in it)
 * before protobuf-c unpacks it: field numbers in 1..2^29-1, known wire
 * types, varints of at most 10 bytes, lengths inside the message.
 * protobuf-c's tag reader shifts a signed int by 25 bits, undefined for
 * the field numbers rejected here (CVE-2022-33070, still in 1.5.2), and it
 * says nothing about where a message is broken; this says where.
 */
static int prescan(struct loader *ld, const unsigned char *data, size_t len, enum pb_msg kind,
		   const char *what, size_t index)
{
	const unsigned char *p = data, *end = data + len;

	while (p < end) {
		size_t off = (size_t)(p - ld->base);
		uint64_t tag, field, v;
		unsigned wt;

		if (read_varint(&p, end, &tag))
			return prescan_fail(ld, what, index, off, "truncated field tag");
		field = tag >> 3;
		wt = (unsigned)(tag & 7);
		if (field == 0 || field > MAX_FIELD)
			return prescan_fail(ld, what, index, off, "invalid field number %" PRIu64,
					    field);
		switch (wt) {
		case WT_VARINT:
			if (read_varint(&p, end, &v))
				return prescan_fail(ld, what, index, off, "truncated varint");
			break;
		case WT_I64:
		case WT_I32:
			if ((size_t)(end - p) < (wt == WT_I64 ? 8u : 4u))
				return prescan_fail(ld, what, index, off,
						    "truncated field %" PRIu64, field);
			p += wt == WT_I64 ? 8 : 4;
			break;
		case WT_LEN:
			if (read_varint(&p, end, &v) || v > (uint64_t)(end - p))
				return prescan_fail(ld, what, index, off,
						    "truncated field %" PRIu64, field);
			if (kind == MSG_SAMPLE && field == 3 &&
			    prescan(ld, p, v, MSG_LABEL, what, index))
				return -1;
			if (kind == MSG_LOCATION && field == 4 &&
			    prescan(ld, p, v, MSG_LINE, what, index))
				return -1;
			p += v;
			break;
		default:
			return prescan_fail(ld, what, index, off,
					    "invalid wire type %u in field %" PRIu64, wt, field);
		}
	}
	return 0;
}

/*
 * The hot path: a sample holding just its packed location ids (below 2^32)
 * and packed values, at most once each, the shape every pprof writer
 * produces for unlabelled samples.  Returns 1 when taken, 0 to let
 * protobuf-c decode the sample instead (labels, unpacked fields, unknown
 * fields, anything unusual).
 */
static int add_sample_fast(struct loader *ld, const unsigned char *data, size_t len)
{
	const unsigned char *p = data, *end = data + len;
	const unsigned char *ids = NULL, *ids_end = NULL, *vals = NULL, *vals_end = NULL;
	size_t nids = 0, nvals = 0;

	while (p < end) {
		uint64_t tag, l;

		if (read_varint(&p, end, &tag) || (tag != 0x0a && tag != 0x12) ||
		    read_varint(&p, end, &l) || l > (uint64_t)(end - p))
			return 0;
		if (tag == 0x0a) {
			if (ids)
				return 0;
			ids = p;
			ids_end = p + l;
		} else {
			if (vals)
				return 0;
			vals = p;
			vals_end = p + l;
		}
		p += l;
	}
	if (ld->wide_ids)
		return 0;
	/* every varint ends with a byte below 0x80: count them */
	for (p = ids; p && p < ids_end; p++)
		nids += *p < 0x80;
	for (p = vals; p && p < vals_end; p++)
		nvals += *p < 0x80;
	if ((ids && ids_end[-1] >= 0x80) || (vals && vals_end[-1] >= 0x80) ||
	    nids > UINT32_MAX - ld->nstack)
		return 0;
	ALLOC_GROW(ld->stack_ids, ld->nstack + nids, ld->stack_alloc);
	ALLOC_GROW(ld->values, ld->nvalues + nvals, ld->values_alloc);
	/* decode past the committed ends; a failure leaves nothing behind */
	if (nids) { /* stack_ids may still be NULL, and NULL + 0 is undefined */
		uint32_t *dst = ld->stack_ids + ld->nstack;
		size_t k = 0;

		for (p = ids; p && p < ids_end; k++) {
			uint64_t v;

			if (read_varint(&p, ids_end, &v) || v > UINT32_MAX)
				return 0;
			dst[k] = (uint32_t)v;
		}
	}
	if (nvals && unpack_varints(vals, vals_end, (uint64_t *)(ld->values + ld->nvalues),
				    nvals) != (long)nvals)
		return 0;

	ALLOC_GROW(ld->samples, ld->nsamples + 1, ld->samples_alloc);
	ld->samples[ld->nsamples].stack_off = (uint32_t)ld->nstack;
	ld->samples[ld->nsamples].depth = (uint32_t)nids;
	ld->samples[ld->nsamples].label_off = (uint32_t)ld->nlabels;
	ld->samples[ld->nsamples].nlabels = 0;
	ld->nsamples++;
	ld->nstack += nids;
	ALLOC_GROW(ld->value_counts, ld->nsamples, ld->value_counts_alloc);
	ld->value_counts[ld->nsamples - 1] = (uint32_t)nvals;
	ld->nvalues += nvals;
	return 1;
}

static int add_sample(struct loader *ld, const unsigned char *data, size_t len, size_t off)
{
	Perftools__Profiles__Sample *s;
	struct cp_sample *cs;

	if (add_sample_fast(ld, data, len))
		return 0;
	if (prescan(ld, data, len, MSG_SAMPLE, "sample", ld->nsamples + 1))
		return -1;
	s = perftools__profiles__sample__unpack(&ld->pb_alloc, len, data);
	if (!s)
		return cp_errf(ld->err, "malformed sample %zu (at byte %zu)", ld->nsamples + 1,
			       off);
	if (s->n_location_id > UINT32_MAX - ld->nstack || s->n_label > UINT32_MAX - ld->nlabels)
		return cp_errf(ld->err, "too many frames or labels (sample %zu)", ld->nsamples + 1);
	ALLOC_GROW(ld->samples, ld->nsamples + 1, ld->samples_alloc);
	cs = &ld->samples[ld->nsamples++];
	cs->stack_off = (uint32_t)ld->nstack;
	cs->depth = (uint32_t)s->n_location_id;
	cs->label_off = (uint32_t)ld->nlabels;
	cs->nlabels = (uint32_t)s->n_label;

	for (size_t i = 0; i < s->n_location_id && !ld->wide_ids; i++) {
		if (s->location_id[i] > UINT32_MAX) {
			/* rare: switch to keeping 64-bit ids */
			ALLOC_GROW(ld->wide_ids, ld->nstack + 1, ld->wide_alloc);
			for (size_t k = 0; k < ld->nstack; k++)
				ld->wide_ids[k] = ld->stack_ids[k];
		}
	}
	if (ld->wide_ids) {
		ALLOC_GROW(ld->wide_ids, ld->nstack + s->n_location_id, ld->wide_alloc);
		copy_n(ld->wide_ids + ld->nstack, s->location_id,
		       s->n_location_id * sizeof(uint64_t));
	}
	ALLOC_GROW(ld->stack_ids, ld->nstack + s->n_location_id, ld->stack_alloc);
	for (size_t i = 0; i < s->n_location_id; i++)
		ld->stack_ids[ld->nstack + i] = (uint32_t)s->location_id[i];
	ld->nstack += s->n_location_id;

	/* value count is checked against the sample types at the end */
	ALLOC_GROW(ld->value_counts, ld->nsamples, ld->value_counts_alloc);
	ld->value_counts[ld->nsamples - 1] =
		(uint32_t)(s->n_value > UINT32_MAX ? UINT32_MAX : s->n_value);
	ALLOC_GROW(ld->values, ld->nvalues + s->n_value, ld->values_alloc);
	if (s->n_value) /* values is still NULL before the first value */
		copy_n(ld->values + ld->nvalues, s->value, s->n_value * sizeof(int64_t));
	ld->nvalues += s->n_value;

	ALLOC_GROW(ld->labels, ld->nlabels + s->n_label, ld->labels_alloc);
	for (size_t i = 0; i < s->n_label; i++) {
		struct cp_label *l = &ld->labels[ld->nlabels++];

		l->key = str_index(s->label[i]->key);
		l->str = str_index(s->label[i]->str);
		l->num = s->label[i]->num;
		l->num_unit = str_index(s->label[i]->num_unit);
	}
	return 0;
}

static int add_location(struct loader *ld, const unsigned char *data, size_t len, size_t off)
{
	Perftools__Profiles__Location *m;
	struct cp_location *l;

	if (prescan(ld, data, len, MSG_LOCATION, "location", ld->nlocations + 1))
		return -1;
	m = perftools__profiles__location__unpack(&ld->pb_alloc, len, data);
	if (!m)
		return cp_errf(ld->err, "malformed location %zu (at byte %zu)", ld->nlocations + 1,
			       off);
	ALLOC_GROW(ld->locations, ld->nlocations + 1, ld->locations_alloc);
	ALLOC_GROW(ld->loc_mapping_ids, ld->nlocations + 1, ld->loc_mapping_alloc);
	ld->loc_mapping_ids[ld->nlocations] = m->mapping_id;
	l = &ld->locations[ld->nlocations++];
	l->id = m->id;
	l->address = m->address;
	l->mapping = CP_NONE;
	l->line_off = (uint32_t)ld->nlines;
	l->nlines = (uint32_t)m->n_line;
	l->is_folded = m->is_folded;
	ALLOC_GROW(ld->lines, ld->nlines + m->n_line, ld->lines_alloc);
	ALLOC_GROW(ld->line_function_ids, ld->nlines + m->n_line, ld->line_fid_alloc);
	for (size_t i = 0; i < m->n_line; i++) {
		ld->line_function_ids[ld->nlines] = m->line[i]->function_id;
		ld->lines[ld->nlines].function = CP_NONE;
		ld->lines[ld->nlines].line = m->line[i]->line;
		ld->lines[ld->nlines].column = m->line[i]->column;
		ld->nlines++;
	}
	return 0;
}

static int add_function(struct loader *ld, const unsigned char *data, size_t len, size_t off)
{
	Perftools__Profiles__Function *m;
	struct cp_function *f;

	if (prescan(ld, data, len, MSG_FLAT, "function", ld->nfunctions + 1))
		return -1;
	m = perftools__profiles__function__unpack(&ld->pb_alloc, len, data);
	if (!m)
		return cp_errf(ld->err, "malformed function %zu (at byte %zu)", ld->nfunctions + 1,
			       off);
	ALLOC_GROW(ld->functions, ld->nfunctions + 1, ld->functions_alloc);
	f = &ld->functions[ld->nfunctions++];
	f->id = m->id;
	f->name = str_index(m->name);
	f->system_name = str_index(m->system_name);
	f->filename = str_index(m->filename);
	f->start_line = m->start_line;
	return 0;
}

static int add_mapping(struct loader *ld, const unsigned char *data, size_t len, size_t off)
{
	Perftools__Profiles__Mapping *m;
	struct cp_mapping *cm;

	if (prescan(ld, data, len, MSG_FLAT, "mapping", ld->nmappings + 1))
		return -1;
	m = perftools__profiles__mapping__unpack(&ld->pb_alloc, len, data);
	if (!m)
		return cp_errf(ld->err, "malformed mapping %zu (at byte %zu)", ld->nmappings + 1,
			       off);
	ALLOC_GROW(ld->mappings, ld->nmappings + 1, ld->mappings_alloc);
	cm = &ld->mappings[ld->nmappings++];
	cm->id = m->id;
	cm->start = m->memory_start;
	cm->limit = m->memory_limit;
	cm->offset = m->file_offset;
	cm->file = str_index(m->filename);
	cm->build_id = str_index(m->build_id);
	cm->has_functions = m->has_functions;
	cm->has_filenames = m->has_filenames;
	cm->has_line_numbers = m->has_line_numbers;
	cm->has_inline_frames = m->has_inline_frames;
	return 0;
}

static int read_value_type(struct loader *ld, const unsigned char *data, size_t len, size_t off,
			   struct cp_value_type *vt)
{
	Perftools__Profiles__ValueType *m;

	if (prescan(ld, data, len, MSG_FLAT, "value type", 0))
		return -1;
	m = perftools__profiles__value_type__unpack(&ld->pb_alloc, len, data);
	if (!m)
		return cp_errf(ld->err, "malformed value type (at byte %zu)", off);
	vt->type = str_index(m->type);
	vt->unit = str_index(m->unit);
	return 0;
}

static void add_comment(struct loader *ld, uint64_t v)
{
	ALLOC_GROW(ld->comments, ld->ncomments + 1, ld->comments_alloc);
	ld->comments[ld->ncomments++] = str_index((int64_t)v);
}

/* Walk the top-level Profile message. */
static int scan_profile(struct loader *ld, const unsigned char *buf, size_t size)
{
	const unsigned char *p = buf, *end = buf + size;
	struct cp_profile *prof = ld->p;

	ld->base = buf;
	while (p < end) {
		size_t off = (size_t)(p - buf);
		uint64_t tag, v = 0, len = 0;

		if (need(ld, off + 22 < size ? off + 22 : size))
			return -1;
		if (ld->progress && off >= ld->next_progress) {
			ld->progress->fn(ld->progress->ctx, ld->path, off, size);
			ld->next_progress = off + (256 << 10);
		}
		const unsigned char *body = NULL;
		uint64_t field;
		unsigned wt;
		int ret = 0;

		if (read_varint(&p, end, &tag))
			return cp_errf(ld->err, "truncated field tag (at byte %zu)", off);
		field = tag >> 3;
		wt = (unsigned)(tag & 7);
		if (field == 0)
			return cp_errf(ld->err, "invalid field number 0 (at byte %zu)", off);
		switch (wt) {
		case WT_VARINT:
			if (read_varint(&p, end, &v))
				return cp_errf(ld->err,
					       "truncated varint in field %" PRIu64
					       " (at byte %zu)",
					       field, off);
			break;
		case WT_I64:
		case WT_I32:
			len = wt == WT_I64 ? 8 : 4;
			if ((size_t)(end - p) < len)
				return cp_errf(ld->err, "truncated field %" PRIu64 " (at byte %zu)",
					       field, off);
			p += len;
			break;
		case WT_LEN:
			if (read_varint(&p, end, &len) || len > (uint64_t)(end - p))
				return cp_errf(ld->err, "truncated field %" PRIu64 " (at byte %zu)",
					       field, off);
			if (need(ld, (size_t)(p - buf) + len))
				return -1;
			body = p;
			p += len;
			break;
		default:
			return cp_errf(ld->err,
				       "invalid wire type %u in field %" PRIu64 " (at byte %zu)",
				       wt, field, off);
		}

		if (field > 15)
			continue; /* unknown: skipped */
		if (field <= 6 || field == 11) {
			if (wt != WT_LEN)
				goto bad_type;
		} else if (field == 13) {
			if (wt != WT_LEN && wt != WT_VARINT)
				goto bad_type;
		} else if (wt != WT_VARINT) {
			goto bad_type;
		}

		arena_reset(&ld->scratch);
		switch (field) {
		case 1:
			ALLOC_GROW(ld->sample_types, ld->nsample_types + 1, ld->sample_types_alloc);
			ret = read_value_type(ld, body, len, off,
					      &ld->sample_types[ld->nsample_types++]);
			break;
		case 2:
			ret = add_sample(ld, body, len, off);
			break;
		case 3:
			ret = add_mapping(ld, body, len, off);
			break;
		case 4:
			ret = add_location(ld, body, len, off);
			break;
		case 5:
			ret = add_function(ld, body, len, off);
			break;
		case 6:
			ALLOC_GROW(ld->strings, ld->nstrings + 1, ld->strings_alloc);
			ld->strings[ld->nstrings].s = (const char *)body;
			ld->strings[ld->nstrings].len = len;
			ld->nstrings++;
			break;
		case 7:
			prof->drop_frames = str_index((int64_t)v);
			break;
		case 8:
			prof->keep_frames = str_index((int64_t)v);
			break;
		case 9:
			if (ld->seen_time && prof->time_nanos != 0)
				return cp_errf(ld->err,
					       "concatenated profiles detected (second time_nanos "
					       "at byte %zu)",
					       off);
			ld->seen_time = true;
			prof->time_nanos = (int64_t)v;
			break;
		case 10:
			prof->duration_nanos = (int64_t)v;
			break;
		case 11:
			ret = read_value_type(ld, body, len, off, &prof->period_type);
			prof->has_period_type = true;
			break;
		case 12:
			prof->period = (int64_t)v;
			break;
		case 13:
			if (wt == WT_VARINT) {
				add_comment(ld, v);
				break;
			}
			for (const unsigned char *q = body; q < body + len;) {
				if (read_varint(&q, body + len, &v))
					return cp_errf(ld->err,
						       "malformed comment list (at byte %zu)", off);
				add_comment(ld, v);
			}
			break;
		case 14:
			prof->default_sample_type = str_index((int64_t)v);
			break;
		case 15:
			prof->doc_url = str_index((int64_t)v);
			break;
		}
		if (ret)
			return ret;
		continue;
bad_type:
		return cp_errf(ld->err, "field %" PRIu64 " has wire type %u (at byte %zu)", field,
			       wt, off);
	}
	return 0;
}

/* Map of file ids to dense indices: a plain array when ids are small. */
struct id_index {
	uint32_t *dense; /* id -> index + 1, 0 = absent */
	size_t ndense;
	struct idmap map;
	const char *what;
};

static int id_index_build(struct id_index *ix, const char *what, size_t n,
			  uint64_t (*id_of)(const void *, size_t), const void *arr,
			  struct cp_err *err)
{
	uint64_t max = 0;

	memset(ix, 0, sizeof(*ix));
	ix->what = what;
	for (size_t i = 0; i < n; i++) {
		uint64_t id = id_of(arr, i);

		if (id == 0)
			return cp_errf(err, "%s %zu has reserved id 0", what, i + 1);
		if (id > max)
			max = id;
	}
	if (max <= 4 * (uint64_t)n + 1024) {
		ix->ndense = (size_t)max + 1;
		ix->dense = xcalloc(ix->ndense, sizeof(*ix->dense));
		for (size_t i = 0; i < n; i++) {
			uint64_t id = id_of(arr, i);

			if (ix->dense[id])
				return cp_errf(err, "duplicate %s id %" PRIu64, what, id);
			ix->dense[id] = (uint32_t)i + 1;
		}
		return 0;
	}
	idmap_init(&ix->map, n);
	for (size_t i = 0; i < n; i++)
		if (!idmap_put(&ix->map, id_of(arr, i), (uint32_t)i))
			return cp_errf(err, "duplicate %s id %" PRIu64, what, id_of(arr, i));
	return 0;
}

static inline bool id_index_get(const struct id_index *ix, uint64_t id, uint32_t *out)
{
	if (ix->dense) {
		if (id >= ix->ndense || !ix->dense[id])
			return false;
		*out = ix->dense[id] - 1;
		return true;
	}
	return idmap_get(&ix->map, id, out);
}

static void id_index_release(struct id_index *ix)
{
	free(ix->dense);
	if (ix->map.keys)
		idmap_release(&ix->map);
}

static uint64_t mapping_id_of(const void *arr, size_t i)
{
	return ((const struct cp_mapping *)arr)[i].id;
}

static uint64_t function_id_of(const void *arr, size_t i)
{
	return ((const struct cp_function *)arr)[i].id;
}

static uint64_t location_id_of(const void *arr, size_t i)
{
	return ((const struct cp_location *)arr)[i].id;
}

/* Resolve string index *s through 'map'; 'what' describes it for errors. */
#define RESOLVE_STR(s, what_fmt, ...)                                                          \
	do {                                                                                   \
		if ((s) >= ld->nstrings) {                                                     \
			cp_errf(ld->err, "string index out of range: " what_fmt, __VA_ARGS__); \
			goto out;                                                              \
		}                                                                              \
		(s) = strmap[(s)];                                                             \
	} while (0)

/* drop_frames/keep_frames are applied as ^(re)$ later: they must compile. */
static int check_frames_regexp(const struct cp_profile *p, uint32_t s, const char *what,
			       struct cp_err *err)
{
	struct buf pat = BUF_INIT;
	struct cp_regex *re;

	if (!s)
		return 0;
	buf_init(&pat);
	buf_addf(&pat, "^(%s)$", profile_str(p, s));
	re = cp_regex_compile(pat.buf, err);
	buf_release(&pat);
	if (!re) {
		char prefix[64];

		snprintf(prefix, sizeof(prefix), "invalid %s regexp", what);
		cp_err_prefix(err, prefix);
		return -1;
	}
	cp_regex_free(re);
	return 0;
}

static int finish(struct loader *ld)
{
	struct cp_profile *p = ld->p;
	struct id_index mix = { 0 }, fix = { 0 }, lix = { 0 };
	uint32_t *strmap = NULL;
	int ret = -1;

	if (ld->nstrings == 0 || ld->strings[0].len != 0) {
		cp_errf(ld->err, "string_table[0] must be the empty string");
		goto out;
	}
	strmap = xmalloc(st_mult(ld->nstrings, sizeof(*strmap)));
	for (size_t i = 0; i < ld->nstrings; i++)
		strmap[i] = strtab_intern(&p->strs, ld->strings[i].s, ld->strings[i].len);

	if (ld->nsample_types == 0 && ld->nsamples) {
		cp_errf(ld->err, "missing sample type information");
		goto out;
	}
	for (size_t i = 0; i < ld->nsample_types; i++) {
		RESOLVE_STR(ld->sample_types[i].type, "sample_type %zu", i + 1);
		RESOLVE_STR(ld->sample_types[i].unit, "sample_type %zu unit", i + 1);
	}
	if (ld->p->period_type.type || ld->p->period_type.unit) {
		RESOLVE_STR(p->period_type.type, "%s", "period_type");
		RESOLVE_STR(p->period_type.unit, "%s", "period_type unit");
	}
	RESOLVE_STR(p->drop_frames, "%s", "drop_frames");
	RESOLVE_STR(p->keep_frames, "%s", "keep_frames");
	RESOLVE_STR(p->default_sample_type, "%s", "default_sample_type");
	RESOLVE_STR(p->doc_url, "%s", "doc_url");
	for (size_t i = 0; i < ld->ncomments; i++)
		RESOLVE_STR(ld->comments[i], "comment %zu", i + 1);
	if (check_frames_regexp(p, p->drop_frames, "drop_frames", ld->err) ||
	    check_frames_regexp(p, p->keep_frames, "keep_frames", ld->err))
		goto out;

	for (size_t i = 0; i < ld->nmappings; i++) {
		struct cp_mapping *m = &ld->mappings[i];

		RESOLVE_STR(m->file, "mapping id %" PRIu64 " filename", m->id);
		RESOLVE_STR(m->build_id, "mapping id %" PRIu64 " build_id", m->id);
	}
	for (size_t i = 0; i < ld->nfunctions; i++) {
		struct cp_function *f = &ld->functions[i];

		RESOLVE_STR(f->name, "function id %" PRIu64 " name", f->id);
		RESOLVE_STR(f->system_name, "function id %" PRIu64 " system_name", f->id);
		RESOLVE_STR(f->filename, "function id %" PRIu64 " filename", f->id);
	}
	for (size_t i = 0; i < ld->nlabels; i++) {
		struct cp_label *l = &ld->labels[i];

		RESOLVE_STR(l->key, "label %zu key", i + 1);
		RESOLVE_STR(l->str, "label %zu value", i + 1);
		RESOLVE_STR(l->num_unit, "label %zu unit", i + 1);
	}

	if (id_index_build(&mix, "mapping", ld->nmappings, mapping_id_of, ld->mappings, ld->err) ||
	    id_index_build(&fix, "function", ld->nfunctions, function_id_of, ld->functions,
			   ld->err) ||
	    id_index_build(&lix, "location", ld->nlocations, location_id_of, ld->locations,
			   ld->err))
		goto out;

	for (size_t i = 0; i < ld->nlocations; i++) {
		struct cp_location *l = &ld->locations[i];
		uint64_t mid = ld->loc_mapping_ids[i];

		if (mid && !id_index_get(&mix, mid, &l->mapping)) {
			cp_errf(ld->err,
				"location id %" PRIu64 " refers to missing mapping id %" PRIu64,
				l->id, mid);
			goto out;
		}
		for (uint32_t j = 0; j < l->nlines; j++) {
			uint64_t fid = ld->line_function_ids[l->line_off + j];

			if (!id_index_get(&fix, fid, &ld->lines[l->line_off + j].function)) {
				cp_errf(ld->err,
					"location id %" PRIu64
					" line %u refers to missing function id %" PRIu64,
					l->id, j + 1, fid);
				goto out;
			}
		}
	}

	p->nsample_types = ld->nsample_types;
	for (size_t i = 0; i < ld->nsamples; i++) {
		if (ld->value_counts[i] != ld->nsample_types) {
			cp_errf(ld->err, "sample %zu has %u values but there are %zu sample types",
				i + 1, ld->value_counts[i], ld->nsample_types);
			goto out;
		}
	}

	/* stacks: file ids -> indices, in place */
	for (size_t s = 0; s < ld->nsamples; s++) {
		const struct cp_sample *cs = &ld->samples[s];

		for (uint32_t k = 0; k < cs->depth; k++) {
			size_t at = cs->stack_off + k;
			uint64_t id = ld->wide_ids ? ld->wide_ids[at] : ld->stack_ids[at];

			if (!id_index_get(&lix, id, &ld->stack_ids[at])) {
				cp_errf(ld->err,
					"sample %zu refers to missing location id %" PRIu64, s + 1,
					id);
				goto out;
			}
		}
	}

	/* hand the big arrays over; copy the small ones into the arena */
#define HAND_OVER(to, from, count)    \
	do {                          \
		p->to = ld->from;     \
		ld->from = NULL;      \
		p->count = ld->count; \
	} while (0)
	HAND_OVER(stack, stack_ids, nstack);
	HAND_OVER(samples, samples, nsamples);
	HAND_OVER(locations, locations, nlocations);
	HAND_OVER(lines, lines, nlines);
	HAND_OVER(labels, labels, nlabels);
	HAND_OVER(functions, functions, nfunctions);
#undef HAND_OVER
	p->values = ld->values;
	ld->values = NULL;
	p->owns_arrays = true;

#define MOVE(field, n)                                                              \
	do {                                                                        \
		p->field = arena_alloc(&p->arena, st_mult((n), sizeof(*p->field))); \
		copy_n(p->field, ld->field, (n) * sizeof(*p->field));               \
	} while (0)
	MOVE(sample_types, ld->nsample_types);
	MOVE(mappings, ld->nmappings);
	p->nmappings = ld->nmappings;
	MOVE(comments, ld->ncomments);
	p->ncomments = ld->ncomments;
#undef MOVE
	ret = 0;
out:
	free(strmap);
	id_index_release(&mix);
	id_index_release(&fix);
	id_index_release(&lix);
	return ret;
}

static void loader_release(struct loader *ld)
{
	arena_release(&ld->scratch);
	free(ld->strings);
	free(ld->sample_types);
	free(ld->samples);
	free(ld->stack_ids);
	free(ld->wide_ids);
	free(ld->values);
	free(ld->value_counts);
	free(ld->labels);
	free(ld->mappings);
	free(ld->functions);
	free(ld->locations);
	free(ld->loc_mapping_ids);
	free(ld->lines);
	free(ld->line_function_ids);
	free(ld->comments);
}

struct cp_profile *profile_new(void)
{
	struct cp_profile *p = xcalloc(1, sizeof(*p));

	strtab_init(&p->strs);
	return p;
}

void profile_free(struct cp_profile *p)
{
	if (!p)
		return;
	if (p->owns_arrays) {
		free(p->stack);
		free(p->values);
		free(p->samples);
		free(p->locations);
		free(p->lines);
		if (!p->labels_in_arena)
			free(p->labels);
		free(p->functions);
	}
	free(p->extra_values);
	sindex_free(p->index);
	arena_release(&p->arena);
	strtab_free(&p->strs);
	free(p);
}

static size_t max_input = PROFILE_MAX_INPUT;

void profile_set_max_input(size_t limit)
{
	max_input = limit;
}

static int gunzip(const unsigned char *in, size_t inlen, unsigned char **out, size_t *outlen,
		  struct cp_err *err)
{
	z_stream zs;
	size_t cap, len = 0;
	unsigned char *buf;
	int zr, ret = -1;

	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 15 + 16) != Z_OK)
		return cp_errf(err, "cannot initialise zlib");
	/* the trailer holds the size modulo 2^32: a good first guess */
	cap = inlen >= 18 ? (size_t)in[inlen - 4] | (size_t)in[inlen - 3] << 8 |
				    (size_t)in[inlen - 2] << 16 | (size_t)in[inlen - 1] << 24 :
			    0;
	if (cap < inlen || cap > inlen * 1032 + 4096)
		cap = inlen * 4 + 4096;
	if (cap > max_input)
		cap = max_input;
	cap += 1; /* inflating into the last byte means the limit is crossed */
	buf = xmalloc(cap);
	zs.next_in = (unsigned char *)in;
	for (;;) {
		size_t in_left = inlen - (size_t)(zs.next_in - in);

		zs.avail_in = in_left > UINT_MAX ? UINT_MAX : (unsigned)in_left;
		if (len == cap) {
			cap = cap > (max_input + 1) / 3 * 2 ? max_input + 1 : cap + cap / 2;
			buf = xrealloc(buf, cap);
		}
		zs.next_out = buf + len;
		zs.avail_out = cap - len > UINT_MAX ? UINT_MAX : (unsigned)(cap - len);
		zr = inflate(&zs, Z_NO_FLUSH);
		len = (size_t)(zs.next_out - buf);
		if (len > max_input) {
			cp_errf(err,
				"decompressed size exceeds the %zu-byte limit (at compressed byte %zu; "
				"raise it with -max_input)",
				max_input, (size_t)(zs.next_in - in));
			goto out;
		}
		if (zr == Z_STREAM_END) {
			size_t rest = inlen - (size_t)(zs.next_in - in);

			if (rest == 0)
				break;
			if (rest < 2 || zs.next_in[0] != 0x1f || zs.next_in[1] != 0x8b) {
				cp_errf(err,
					"trailing garbage after gzip data (at compressed byte %zu)",
					inlen - rest);
				goto out;
			}
			inflateReset(&zs);
			continue;
		}
		if (zr == Z_BUF_ERROR && zs.avail_out != 0) {
			cp_errf(err, "truncated gzip data (after %zu compressed bytes)", inlen);
			goto out;
		}
		if (zr != Z_OK && zr != Z_BUF_ERROR) {
			cp_errf(err, "corrupt gzip data: %s (at compressed byte %zu)",
				zs.msg ? zs.msg : "inflate failed", (size_t)(zs.next_in - in));
			goto out;
		}
	}
	*out = buf;
	*outlen = len;
	buf = NULL;
	ret = 0;
out:
	inflateEnd(&zs);
	free(buf);
	return ret;
}

static bool looks_like_text(const unsigned char *d, size_t len)
{
	size_t n = len < 64 ? len : 64;

	for (size_t i = 0; i < n; i++)
		if (d[i] < 0x09 || (d[i] > 0x0d && d[i] < 0x20) || d[i] == 0x7f)
			return false;
	return true;
}

static const char unrecognized_msg[] =
	"unrecognized profile format (not proto, legacy pprof, folded stacks or perf script)";

struct parse_ctx {
	const struct cp_progress *progress;
	const char *path;
};

static struct cp_profile *parse_plain(struct loader *ld, const unsigned char *data, size_t len,
				      bool gz, const struct parse_ctx *pc, struct cp_err *err)
{
	struct cp_profile *p = NULL;

	ld->progress = pc ? pc->progress : NULL;
	ld->path = pc ? pc->path : NULL;
	ld->p = profile_new();
	ld->err = err;
	ld->pb_alloc.alloc = pb_arena_alloc;
	ld->pb_alloc.free = pb_arena_free;
	ld->pb_alloc.allocator_data = &ld->scratch;
	if (scan_profile(ld, data, len) || (ld->infl && (need(ld, len), ld->infl->mismatch))) {
		if (!gz && ld->nstrings == 0 && looks_like_text(data, len))
			cp_errf(err, "%s", unrecognized_msg);
		else if (!ld->infl || !(ld->infl->mismatch || ld->infl->failed))
			cp_err_prefix(err, "proto"); /* the wire format */
		goto out;
	}
	if (finish(ld)) {
		cp_err_prefix(err, "profile"); /* well-formed, but not a consistent profile */
		goto out;
	}
	p = ld->p;
	ld->p = NULL;
out:
	loader_release(ld);
	profile_free(ld->p);
	memset(ld, 0, sizeof(*ld));
	return p;
}

/* Parse while a thread inflates; returns NULL with *retry when it cannot. */
static struct cp_profile *parse_overlapped(const unsigned char *data, size_t len, size_t isize,
					   const struct parse_ctx *pc, bool *retry,
					   struct cp_err *err)
{
	struct inflater f;
	struct loader ld;
	struct cp_profile *p = NULL;

	memset(&f, 0, sizeof(f));
	memset(&ld, 0, sizeof(ld));
	*retry = true;
	f.in = data;
	f.inlen = len;
	f.cap = isize;
	f.out = xmalloc(isize + 1);
	pthread_mutex_init(&f.mu, NULL);
	pthread_cond_init(&f.cv, NULL);
	if (pthread_create(&f.thread, NULL, inflater_run, &f)) {
		free(f.out);
		return NULL;
	}
	ld.infl = &f;
	p = parse_plain(&ld, f.out, isize, true, pc, err);
	pthread_join(f.thread, NULL);
	if (f.mismatch) {
		profile_free(p);
		p = NULL;
	} else {
		*retry = false;
		if (f.failed && !p)
			*err = f.err;
	}
	pthread_mutex_destroy(&f.mu);
	pthread_cond_destroy(&f.cv);
	free(f.out);
	return p;
}

/*
 * Not profile.proto: the other formats by content, in pprof's order (the
 * legacy formats), then folded stacks and perf script.  When none
 * recognises the data, err keeps the proto parser's message.
 */
static struct cp_profile *parse_other(const unsigned char *data, size_t len, struct cp_err *err)
{
	static int (*const readers[])(const unsigned char *, size_t, struct cp_profile **,
				      struct cp_err *) = { legacy_parse, folded_parse,
							   perf_script_parse };
	struct cp_err mine = { "" };

	for (size_t i = 0; i < ARRAY_SIZE(readers); i++) {
		struct cp_profile *p = NULL;
		int r = readers[i](data, len, &p, &mine);

		if (r == 0)
			return p;
		if (r < 0) {
			if (err)
				*err = mine;
			return NULL;
		}
	}
	return NULL;
}

/* Name the file and layer for the memory budget's message (model/alloc.h). */
static void set_phase(const struct parse_ctx *pc, const char *layer)
{
	char what[512];

	snprintf(what, sizeof(what), "%s: %s", pc && pc->path ? pc->path : "input", layer);
	alloc_set_phase(what);
}

static struct cp_profile *parse_any(const unsigned char *data, size_t len,
				    const struct parse_ctx *pc, struct cp_err *err)
{
	struct loader ld;
	unsigned char *plain = NULL;
	size_t plain_len = len;
	bool gz = len >= 2 && data[0] == 0x1f && data[1] == 0x8b;
	struct cp_profile *p = NULL;

	memset(&ld, 0, sizeof(ld));
	if (len == 0) {
		cp_errf(err, "empty input");
		return NULL;
	}
	if (gz && len >= 256 << 10) { /* below this a thread is not worth it */
		size_t isize = (size_t)data[len - 4] | (size_t)data[len - 3] << 8 |
			       (size_t)data[len - 2] << 16 | (size_t)data[len - 1] << 24;
		bool retry;

		if (isize >= len && isize <= len * 1032 && isize <= max_input) {
			set_phase(pc, "gzip+proto");
			p = parse_overlapped(data, len, isize, pc, &retry, err);
			if (p)
				goto out;
			/* not proto (or not one gzip member): the plain path below decides */
		}
	}
	if (gz) {
		set_phase(pc, "gzip");
		if (gunzip(data, len, &plain, &plain_len, err))
			return NULL;
		data = plain;
		len = plain_len;
		if (len == 0) {
			cp_errf(err, "empty input (gzip data decompresses to nothing)");
			goto out;
		}
	}
	set_phase(pc, "proto");
	p = parse_plain(&ld, data, len, gz, pc, err);
	if (!p && !(err && strstr(err->msg, "concatenated profiles"))) {
		set_phase(pc, "legacy/text formats");
		p = parse_other(data, len, err);
	}
out:
	alloc_set_phase(NULL);
	free(plain);
	return p;
}

struct cp_profile *profile_parse(const unsigned char *data, size_t len, struct cp_err *err)
{
	return parse_any(data, len, NULL, err);
}

int read_file(const char *path, unsigned char **data, size_t *len, struct cp_err *err)
{
	/* O_NONBLOCK: opening a FIFO must not wait for a writer */
	int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK) : 0;
	size_t cap = 1 << 16, n = 0;
	unsigned char *buf;
	struct stat st;

	if (fd < 0)
		return cp_errf(err, "%s", strerror(errno));
	if (fstat(fd, &st)) {
		cp_errf(err, "%s", strerror(errno));
		goto fail;
	}
	if (fd && S_ISDIR(st.st_mode)) {
		cp_errf(err, "is a directory");
		goto fail;
	}
	if (fd && !S_ISREG(st.st_mode)) {
		cp_errf(err, "not a regular file");
		goto fail;
	}
	if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > max_input) {
		cp_errf(err, "file size %jd exceeds the %zu-byte limit (raise it with -max_input)",
			(intmax_t)st.st_size, max_input);
		goto fail;
	}
	if (S_ISREG(st.st_mode) && st.st_size > 0)
		cap = (size_t)st.st_size + 1;
	buf = xmalloc(cap);
	for (;;) {
		ssize_t r;

		if (n == cap) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			cp_errf(err, "read error: %s", strerror(errno));
			free(buf);
			goto fail;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max_input) { /* stdin, or a file that grew */
			cp_errf(err, "input exceeds the %zu-byte limit (raise it with -max_input)",
				max_input);
			free(buf);
			goto fail;
		}
	}
	if (fd)
		close(fd);
	*data = buf;
	*len = n;
	return 0;
fail:
	if (fd)
		close(fd);
	return -1;
}

struct cp_profile *profile_load(const char *const *paths, size_t npaths,
				const struct cp_progress *progress, struct cp_err *err)
{
	struct cp_profile **ps = xcalloc(npaths, sizeof(*ps));
	struct cp_profile *result = NULL;
	size_t i;

	for (i = 0; i < npaths; i++) {
		unsigned char *data;
		size_t len;

		if (read_file(paths[i], &data, &len, err)) {
			cp_err_prefix(err, paths[i]);
			goto out;
		}
		struct parse_ctx pc = { progress, paths[i] };

		ps[i] = parse_any(data, len, &pc, err);
		free(data);
		if (!ps[i]) {
			cp_err_prefix(err, paths[i]);
			goto out;
		}
	}
	if (npaths == 1) {
		result = ps[0];
		ps[0] = NULL;
	} else {
		result = profile_combine(ps, npaths, err);
		if (!result) {
			struct buf what = BUF_INIT;

			buf_init(&what);
			buf_adds(&what, "cannot merge");
			for (i = 0; i < npaths; i++)
				buf_addf(&what, "%s %s", i ? (i + 1 == npaths ? " and" : ",") : "",
					 paths[i]);
			cp_err_prefix(err, what.buf);
			buf_release(&what);
		}
	}
out:
	for (i = 0; i < npaths; i++)
		profile_free(ps[i]);
	free(ps);
	return result;
}

int profile_sample_index(const struct cp_profile *p, const char *spec, struct cp_err *err)
{
	const char *noinuse;
	char *end;
	long v;

	if (p->nsample_types == 0)
		return cp_errf(err, "profile has no samples");
	if (!spec || !*spec) {
		if (p->default_sample_type)
			for (size_t i = 0; i < p->nsample_types; i++)
				if (p->sample_types[i].type == p->default_sample_type)
					return (int)i;
		return (int)p->nsample_types - 1;
	}
	errno = 0;
	v = strtol(spec, &end, 10);
	if (!*end && end != spec && !errno && spec[0] != ' ' &&
	    (spec[0] < '\t' || spec[0] > '\r')) {
		if (v < 0 || (size_t)v >= p->nsample_types)
			return cp_errf(err, "sample_index %s is outside the range [0..%zu]", spec,
				       p->nsample_types - 1);
		return (int)v;
	}
	noinuse = !strncmp(spec, "inuse_", 6) ? spec + 6 : spec;
	for (size_t i = 0; i < p->nsample_types; i++) {
		const char *t = profile_str(p, p->sample_types[i].type);

		if (!strcmp(t, spec) || !strcmp(t, noinuse))
			return (int)i;
	}
	{
		struct buf b = BUF_INIT;

		buf_init(&b);
		for (size_t i = 0; i < p->nsample_types; i++)
			buf_addf(&b, "%s%s", i ? " " : "", profile_str(p, p->sample_types[i].type));
		cp_errf(err, "sample_index \"%s\" must be one of: [%s]", spec, b.buf);
		buf_release(&b);
	}
	return -1;
}
