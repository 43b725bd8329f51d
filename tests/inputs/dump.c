/*
 * dump.c - print a loaded profile the way Go's Profile.String() does
 * (google/pprof's current layout: line:column), for the input tests.
 *
 *   dump FILE...     the profiles are loaded (and merged) as cprof loads them
 */
#include "model/compat.h"
#include "model/buf.h"
#include "model/profile.h"

/* Go's time.Duration.String(). */
static void go_duration(struct buf *b, int64_t d)
{
	uint64_t u = d < 0 ? (uint64_t)0 - (uint64_t)d : (uint64_t)d;
	char tmp[64];
	size_t w = sizeof(tmp);

	tmp[--w] = 0;
	if (u < 1000000000ULL) {
		int prec = 0;
		const char *unit;

		if (u == 0) {
			buf_adds(b, "0s");
			return;
		} else if (u < 1000) {
			unit = "ns";
		} else if (u < 1000000) {
			prec = 3;
			unit = "µs";
		} else {
			prec = 6;
			unit = "ms";
		}
		for (const char *q = unit + strlen(unit); q > unit;)
			tmp[--w] = *--q;
		{
			bool print = false;

			for (int i = 0; i < prec; i++) {
				unsigned digit = (unsigned)(u % 10);

				print = print || digit != 0;
				if (print)
					tmp[--w] = (char)('0' + digit);
				u /= 10;
			}
			if (print)
				tmp[--w] = '.';
		}
		do {
			tmp[--w] = (char)('0' + u % 10);
			u /= 10;
		} while (u);
	} else {
		bool print = false;

		tmp[--w] = 's';
		for (int i = 0; i < 9; i++) {
			unsigned digit = (unsigned)(u % 10);

			print = print || digit != 0;
			if (print)
				tmp[--w] = (char)('0' + digit);
			u /= 10;
		}
		if (print)
			tmp[--w] = '.';
		{
			uint64_t secs = u % 60;

			u /= 60;
			do {
				tmp[--w] = (char)('0' + secs % 10);
				secs /= 10;
			} while (secs);
		}
		if (u) {
			uint64_t mins = u % 60;

			u /= 60;
			tmp[--w] = 'm';
			do {
				tmp[--w] = (char)('0' + mins % 10);
				mins /= 10;
			} while (mins);
			if (u) {
				tmp[--w] = 'h';
				do {
					tmp[--w] = (char)('0' + u % 10);
					u /= 10;
				} while (u);
			}
		}
	}
	if (d < 0)
		tmp[--w] = '-';
	buf_adds(b, tmp + w);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One label line: "key:[v ...]" per key, sorted; numeric or string ones. */
static void labels(struct buf *out, const struct cp_profile *p, const struct cp_sample *s,
		   bool numeric)
{
	char *items[256];
	size_t n = 0;

	for (uint32_t i = 0; i < s->nlabels && n < ARRAY_SIZE(items); i++) {
		const struct cp_label *l = &p->labels[s->label_off + i];
		struct buf item = BUF_INIT;
		bool seen = false, units = true;

		if ((l->str == 0) != numeric)
			continue;
		for (uint32_t j = 0; j < i; j++) {
			const struct cp_label *o = &p->labels[s->label_off + j];

			if (o->key == l->key && (o->str == 0) == numeric)
				seen = true;
		}
		if (seen)
			continue;
		for (uint32_t j = i; j < s->nlabels; j++) {
			const struct cp_label *o = &p->labels[s->label_off + j];

			if (o->key == l->key && (o->str == 0) == numeric && !o->num_unit)
				units = false;
		}
		buf_init(&item);
		buf_addf(&item, "%s:[", profile_str(p, l->key));
		for (uint32_t j = i, k = 0; j < s->nlabels; j++) {
			const struct cp_label *o = &p->labels[s->label_off + j];

			if (o->key != l->key || (o->str == 0) != numeric)
				continue;
			if (k++)
				buf_addc(&item, ' ');
			if (!numeric)
				buf_adds(&item, profile_str(p, o->str));
			else if (units)
				buf_addf(&item, "%" PRId64 " %s", o->num,
					 profile_str(p, o->num_unit));
			else
				buf_addf(&item, "%" PRId64, o->num);
		}
		buf_addc(&item, ']');
		items[n++] = buf_detach(&item, NULL);
	}
	if (!n)
		return;
	qsort(items, n, sizeof(*items), cmp_str);
	buf_addpad(out, ' ', 16);
	for (size_t i = 0; i < n; i++) {
		buf_addf(out, "%s%s", i ? " " : "", items[i]);
		free(items[i]);
	}
	buf_addc(out, '\n');
}

static void dump(struct buf *out, const struct cp_profile *p)
{
	struct buf sh = BUF_INIT;

	buf_init(&sh);
	for (size_t i = 0; i < p->ncomments; i++)
		buf_addf(out, "Comment: %s\n", profile_str(p, p->comments[i]));
	buf_addf(out, "PeriodType: %s %s\n", profile_str(p, p->period_type.type),
		 profile_str(p, p->period_type.unit));
	buf_addf(out, "Period: %" PRId64 "\n", p->period);
	if (p->time_nanos)
		buf_addf(out, "Time: %" PRId64 "\n", p->time_nanos);
	if (p->duration_nanos) {
		struct buf d = BUF_INIT;

		buf_init(&d);
		go_duration(&d, p->duration_nanos);
		buf_addf(out, "Duration: %.4s\n", d.buf);
		buf_release(&d);
	}
	buf_adds(out, "Samples:\n");
	for (size_t i = 0; i < p->nsample_types; i++)
		buf_addf(&sh, "%s%s/%s%s", i ? " " : "", profile_str(p, p->sample_types[i].type),
			 profile_str(p, p->sample_types[i].unit),
			 p->default_sample_type &&
					 p->sample_types[i].type == p->default_sample_type ?
				 "[dflt]" :
				 "");
	buf_addf(out, "%s\n", sh.buf);
	buf_release(&sh);
	for (size_t i = 0; i < p->nsamples; i++) {
		const struct cp_sample *s = &p->samples[i];
		const int64_t *v = profile_values(p, i);

		for (size_t k = 0; k < p->nsample_types; k++)
			buf_addf(out, " %10" PRId64, v[k]);
		buf_adds(out, ": ");
		for (uint32_t k = 0; k < s->depth; k++)
			buf_addf(out, "%" PRIu64 " ", p->locations[p->stack[s->stack_off + k]].id);
		buf_addc(out, '\n');
		labels(out, p, s, false);
		labels(out, p, s, true);
	}
	buf_adds(out, "Locations\n");
	for (size_t i = 0; i < p->nlocations; i++) {
		const struct cp_location *l = &p->locations[i];
		struct buf head = BUF_INIT;

		buf_init(&head);
		buf_addf(&head, "%6" PRIu64 ": 0x%" PRIx64 " ", l->id, l->address);
		if (l->mapping != CP_NONE)
			buf_addf(&head, "M=%" PRIu64 " ", p->mappings[l->mapping].id);
		if (l->is_folded)
			buf_adds(&head, "[F] ");
		if (!l->nlines)
			buf_addf(out, "%s\n", head.buf);
		for (uint32_t k = 0; k < l->nlines; k++) {
			const struct cp_line *ln = &p->lines[l->line_off + k];

			buf_adds(out, k ? "             " : head.buf);
			if (ln->function == CP_NONE) {
				buf_adds(out, "??\n");
				continue;
			}
			const struct cp_function *f = &p->functions[ln->function];

			buf_addf(out, "%s %s:%" PRId64 ":%" PRId64 " s=%" PRId64,
				 profile_str(p, f->name), profile_str(p, f->filename), ln->line,
				 ln->column, f->start_line);
			if (f->name != f->system_name)
				buf_addf(out, "(%s)", profile_str(p, f->system_name));
			buf_addc(out, '\n');
		}
		buf_release(&head);
	}
	buf_adds(out, "Mappings\n");
	for (size_t i = 0; i < p->nmappings; i++) {
		const struct cp_mapping *m = &p->mappings[i];

		buf_addf(out,
			 "%" PRIu64 ": 0x%" PRIx64 "/0x%" PRIx64 "/0x%" PRIx64 " %s %s %s%s%s%s\n",
			 m->id, m->start, m->limit, m->offset, profile_str(p, m->file),
			 profile_str(p, m->build_id), m->has_functions ? "[FN]" : "",
			 m->has_filenames ? "[FL]" : "", m->has_line_numbers ? "[LN]" : "",
			 m->has_inline_frames ? "[IN]" : "");
	}
}

int main(int argc, char **argv)
{
	struct cp_err err = { "" };
	struct cp_profile *p;
	struct buf out = BUF_INIT;

	if (argc < 2) {
		fprintf(stderr, "usage: dump FILE...\n");
		return 2;
	}
	p = profile_load((const char *const *)argv + 1, (size_t)argc - 1, NULL, &err);
	if (!p) {
		fprintf(stderr, "dump: %s\n", err.msg);
		return 1;
	}
	buf_init(&out);
	dump(&out, p);
	fputs(out.buf, stdout);
	buf_release(&out);
	profile_free(p);
	return 0;
}
