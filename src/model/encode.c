/*
 * encode.c - struct cp_profile (through a view) -> gzipped profile.proto.
 *
 * Each submessage is packed by protobuf-c; only the top level (tag and
 * length of each field) is written here, mirroring load.c.  The string
 * table holds just the strings the output refers to.
 */
#include "model/compat.h"
#include <zlib.h>
#include "profile.pb-c.h"
#include "model/alloc.h"
#include "model/encode.h"
#include "model/strtab.h"

struct encoder {
	const struct cp_profile *p;
	const struct cp_view *v;
	struct strtab out; /* output string table */
	struct buf msg;	   /* the uncompressed Profile message */
};

static void put_varint(struct buf *b, uint64_t v)
{
	unsigned char tmp[10];
	size_t n = 0;

	do {
		tmp[n++] = (unsigned char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
	buf_add(b, tmp, n);
}

/* A length-delimited top-level field holding a packed submessage. */
static void put_message(struct buf *b, unsigned field, const ProtobufCMessage *m)
{
	size_t len = protobuf_c_message_get_packed_size(m);

	put_varint(b, (uint64_t)field << 3 | 2);
	put_varint(b, len);
	buf_grow(b, len);
	protobuf_c_message_pack(m, (uint8_t *)b->buf + b->len);
	b->len += len;
	b->buf[b->len] = '\0';
}

static void put_int(struct buf *b, unsigned field, int64_t v)
{
	if (!v)
		return;
	put_varint(b, (uint64_t)field << 3);
	put_varint(b, (uint64_t)v);
}

/* Output string index of profile string s. */
static int64_t str(struct encoder *e, uint32_t s)
{
	return strtab_intern(&e->out, strtab_str(&e->p->strs, s), strtab_len(&e->p->strs, s));
}

static void put_value_type(struct encoder *e, unsigned field, struct cp_value_type vt)
{
	Perftools__Profiles__ValueType m = PERFTOOLS__PROFILES__VALUE_TYPE__INIT;

	m.type = str(e, vt.type);
	m.unit = str(e, vt.unit);
	put_message(&e->msg, field, &m.base);
}

static void put_samples(struct encoder *e, double ratio)
{
	const struct cp_profile *p = e->p;
	size_t n = e->v ? e->v->nsamples : p->nsamples;
	uint64_t *ids = NULL;
	int64_t *vals = xmalloc(st_mult(p->nsample_types + 1, sizeof(*vals)));
	size_t aids = 0;

	for (size_t i = 0; i < n; i++) {
		uint32_t si = e->v ? e->v->samples[i].sample : (uint32_t)i;
		const struct cp_sample *s = &p->samples[si];
		const uint32_t *stk = e->v ? e->v->stack + e->v->samples[i].stack_off :
					     p->stack + s->stack_off;
		uint32_t depth = e->v ? e->v->samples[i].depth : s->depth;
		Perftools__Profiles__Sample m = PERFTOOLS__PROFILES__SAMPLE__INIT;
		Perftools__Profiles__Label *labels = xcalloc(s->nlabels + 1, sizeof(*labels));
		Perftools__Profiles__Label **lp = xcalloc(s->nlabels + 1, sizeof(*lp));

		ALLOC_GROW(ids, depth + 1, aids);
		for (uint32_t k = 0; k < depth; k++)
			ids[k] = p->locations[stk[k]].id;
		for (size_t k = 0; k < p->nsample_types; k++) {
			int64_t v = profile_values(p, si)[k];

			vals[k] = ratio > 0 && ratio != 1 ? (int64_t)((double)v * ratio) : v;
		}
		for (uint32_t k = 0; k < s->nlabels; k++) {
			const struct cp_label *l = &p->labels[s->label_off + k];

			perftools__profiles__label__init(&labels[k]);
			labels[k].key = str(e, l->key);
			labels[k].str = l->str ? str(e, l->str) : 0;
			labels[k].num = l->num;
			labels[k].num_unit = l->num_unit ? str(e, l->num_unit) : 0;
			lp[k] = &labels[k];
		}
		m.n_location_id = depth;
		m.location_id = ids;
		m.n_value = p->nsample_types;
		m.value = vals;
		m.n_label = s->nlabels;
		m.label = lp;
		put_message(&e->msg, 2, &m.base);
		free(labels);
		free(lp);
	}
	free(ids);
	free(vals);
}

static void put_locations(struct encoder *e, bool inlines, bool columns)
{
	const struct cp_profile *p = e->p;
	Perftools__Profiles__Line *lines = NULL;
	Perftools__Profiles__Line **lp = NULL;
	size_t alines = 0, alp = 0;

	for (size_t l = 0; l < p->nlocations; l++) {
		const struct cp_location *loc = &p->locations[l];
		uint32_t off = e->v ? e->v->locs[l].line_off : loc->line_off;
		uint32_t n = e->v ? e->v->locs[l].nlines : loc->nlines, first = 0;
		Perftools__Profiles__Location m = PERFTOOLS__PROFILES__LOCATION__INIT;

		if (!inlines && n > 1) {
			first = n - 1;
			n = 1;
		}
		ALLOC_GROW(lines, n + 1, alines);
		ALLOC_GROW(lp, n + 1, alp);
		for (uint32_t i = 0; i < n; i++) {
			uint32_t li = e->v ? e->v->lines[off + first + i] : off + first + i;
			const struct cp_line *ln = &p->lines[li];

			perftools__profiles__line__init(&lines[i]);
			lines[i].function_id = p->functions[ln->function].id;
			lines[i].line = ln->line;
			lines[i].column = columns ? ln->column : 0;
			lp[i] = &lines[i];
		}
		m.id = loc->id;
		m.mapping_id = loc->mapping == CP_NONE ? 0 : p->mappings[loc->mapping].id;
		m.address = loc->address;
		m.n_line = n;
		m.line = lp;
		m.is_folded = loc->is_folded;
		put_message(&e->msg, 4, &m.base);
	}
	free(lines);
	free(lp);
}

int profile_encode(const struct cp_profile *p, const struct cp_encode_opts *o, struct buf *out,
		   struct cp_err *err)
{
	struct encoder e;
	z_stream zs;
	int ret = -1;

	memset(&e, 0, sizeof(e));
	e.p = p;
	e.v = o->view;
	strtab_init(&e.out);
	buf_init(&e.msg);

	for (size_t i = 0; i < p->nsample_types; i++)
		put_value_type(&e, 1, p->sample_types[i]);
	put_samples(&e, o->ratio);
	for (size_t i = 0; i < p->nmappings; i++) {
		const struct cp_mapping *mp = &p->mappings[i];
		Perftools__Profiles__Mapping m = PERFTOOLS__PROFILES__MAPPING__INIT;

		m.id = mp->id;
		m.memory_start = mp->start;
		m.memory_limit = mp->limit;
		m.file_offset = mp->offset;
		m.filename = str(&e, mp->file);
		m.build_id = str(&e, mp->build_id);
		m.has_functions = mp->has_functions;
		m.has_filenames = mp->has_filenames;
		m.has_line_numbers = mp->has_line_numbers;
		m.has_inline_frames = mp->has_inline_frames && !o->noinlines;
		put_message(&e.msg, 3, &m.base);
	}
	put_locations(&e, !o->noinlines, !o->noinlines);
	for (size_t i = 0; i < p->nfunctions; i++) {
		const struct cp_function *f = &p->functions[i];
		Perftools__Profiles__Function m = PERFTOOLS__PROFILES__FUNCTION__INIT;

		m.id = f->id;
		m.name = str(&e, f->name);
		m.system_name = str(&e, f->system_name);
		m.filename = str(&e, f->filename);
		m.start_line = f->start_line;
		put_message(&e.msg, 5, &m.base);
	}
	{
		/* header fields refer to strings too: intern them before the table */
		int64_t drop = p->drop_frames ? str(&e, p->drop_frames) : 0;
		int64_t keep = p->keep_frames ? str(&e, p->keep_frames) : 0;
		int64_t dflt = p->default_sample_type ? str(&e, p->default_sample_type) : 0;
		int64_t doc = p->doc_url ? str(&e, p->doc_url) : 0;
		int64_t *comments = xmalloc(st_mult(p->ncomments + 1, sizeof(*comments)));
		bool period_type = p->has_period_type || p->period_type.type || p->period_type.unit;
		Perftools__Profiles__ValueType pt = PERFTOOLS__PROFILES__VALUE_TYPE__INIT;

		for (size_t i = 0; i < p->ncomments; i++)
			comments[i] = str(&e, p->comments[i]);
		if (period_type) {
			pt.type = str(&e, p->period_type.type);
			pt.unit = str(&e, p->period_type.unit);
		}
		for (uint32_t i = 0; i < e.out.n; i++) {
			put_varint(&e.msg, 6 << 3 | 2);
			put_varint(&e.msg, strtab_len(&e.out, i));
			buf_add(&e.msg, strtab_str(&e.out, i), strtab_len(&e.out, i));
		}
		put_int(&e.msg, 7, drop);
		put_int(&e.msg, 8, keep);
		put_int(&e.msg, 9, p->time_nanos);
		put_int(&e.msg, 10, p->duration_nanos);
		if (period_type)
			put_message(&e.msg, 11, &pt.base);
		put_int(&e.msg, 12, p->period);
		for (size_t i = 0; i < p->ncomments; i++) {
			put_varint(&e.msg, 13 << 3);
			put_varint(&e.msg, (uint64_t)comments[i]);
		}
		put_int(&e.msg, 14, dflt);
		put_int(&e.msg, 15, doc);
		free(comments);
	}

	/* gzip it */
	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
	    Z_OK) {
		cp_errf(err, "cannot initialise zlib");
		goto out;
	}
	buf_grow(out, deflateBound(&zs, e.msg.len) + 64);
	zs.next_in = (unsigned char *)e.msg.buf;
	zs.avail_in = (unsigned)e.msg.len;
	zs.next_out = (unsigned char *)out->buf + out->len;
	zs.avail_out = (unsigned)(out->alloc - out->len - 1);
	if (deflate(&zs, Z_FINISH) != Z_STREAM_END) {
		deflateEnd(&zs);
		cp_errf(err, "gzip compression failed");
		goto out;
	}
	out->len = (size_t)((char *)zs.next_out - out->buf);
	out->buf[out->len] = '\0';
	deflateEnd(&zs);
	ret = 0;
out:
	strtab_free(&e.out);
	buf_release(&e.msg);
	return ret;
}
