/*
 * raw.c - the `raw` report: the filtered profile as upstream pprof's
 * Profile.String() prints it (comments, period, time, samples with labels,
 * locations with lines and columns, mappings).
 */
#include "model/compat.h"
#include <time.h>
#include "model/alloc.h"
#include "report/report.h"

/* Go's %#x: "0x0" for zero too. */
static void hex(struct buf *out, uint64_t v)
{
	buf_addf(out, "0x%" PRIx64, v);
}

/* Append 'digits' fraction digits of v (value < 10^digits), trailing zeros trimmed. */
static void add_fraction(struct buf *out, uint64_t v, int digits)
{
	char f[16];
	int n = digits;

	snprintf(f, sizeof(f), "%0*" PRIu64, digits, v);
	while (n > 0 && f[n - 1] == '0')
		n--;
	if (n)
		buf_addf(out, ".%.*s", n, f);
}

/* Go's time.Duration.String(). */
static void go_duration(struct buf *out, int64_t d)
{
	uint64_t u = d < 0 ? (uint64_t)0 - (uint64_t)d : (uint64_t)d;

	if (d < 0)
		buf_addc(out, '-');
	if (u == 0) {
		buf_adds(out, "0s");
	} else if (u < 1000) {
		buf_addf(out, "%" PRIu64 "ns", u);
	} else if (u < 1000000) {
		buf_addf(out, "%" PRIu64, u / 1000);
		add_fraction(out, u % 1000, 3);
		buf_adds(out, "\xc2\xb5s");
	} else if (u < 1000000000) {
		buf_addf(out, "%" PRIu64, u / 1000000);
		add_fraction(out, u % 1000000, 6);
		buf_adds(out, "ms");
	} else {
		uint64_t secs = u / 1000000000, h = secs / 3600, m = secs / 60 % 60;

		if (h)
			buf_addf(out, "%" PRIu64 "h", h);
		if (h || m)
			buf_addf(out, "%" PRIu64 "m", m);
		buf_addf(out, "%" PRIu64, secs % 60);
		add_fraction(out, u % 1000000000, 9);
		buf_addc(out, 's');
	}
}

/* Go's %.4v of a string: at most four runes. */
static void add_runes(struct buf *out, const char *s, size_t max)
{
	size_t runes = 0, i = 0;

	for (; s[i]; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80 && runes++ == max)
			break;
	}
	buf_add(out, s, i);
}

/* Go's time.Time.String() in local time. */
static void go_time(struct buf *out, int64_t nanos)
{
	time_t t = (time_t)(nanos / 1000000000);
	int64_t frac = nanos % 1000000000;
	struct tm tm;
	char date[64], zone[16];
	long off;

	if (frac < 0) {
		frac += 1000000000;
		t--;
	}
	localtime_r(&t, &tm);
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", &tm);
	buf_adds(out, date);
	add_fraction(out, (uint64_t)frac, 9);
	off = tm.tm_gmtoff;
	snprintf(zone, sizeof(zone), "%c%02ld%02ld", off < 0 ? '-' : '+', labs(off) / 3600,
		 labs(off) / 60 % 60);
	buf_addf(out, " %s %s", zone, tm.tm_zone && *tm.tm_zone ? tm.tm_zone : zone);
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* pprof's labelsToString / numLabelsToString for one sample. */
static void sample_labels(struct report *r, const struct cp_sample *s, bool numeric,
			  struct buf *out)
{
	const struct cp_profile *p = r->p;
	struct label_group groups[64];
	size_t n = label_groups(p, s, r->hidden_keys, groups, ARRAY_SIZE(groups)), m = 0;
	char **items = xcalloc(n + 1, sizeof(*items));

	for (size_t g = 0; g < n; g++) {
		struct buf item = BUF_INIT;
		uint32_t nunits = 0, nvals = 0;
		bool first = true;

		if (groups[g].numeric != numeric)
			continue;
		buf_init(&item);
		buf_addf(&item, "%s:[", profile_str(p, groups[g].key));
		for (uint32_t i = groups[g].first; i < s->nlabels; i++) {
			const struct cp_label *l = &p->labels[s->label_off + i];

			if (label_in_group(p, l, &groups[g])) {
				nvals++;
				nunits += l->num_unit != 0;
			}
		}
		for (uint32_t i = groups[g].first; i < s->nlabels; i++) {
			const struct cp_label *l = &p->labels[s->label_off + i];

			if (!label_in_group(p, l, &groups[g]))
				continue;
			if (!first)
				buf_addc(&item, ' ');
			first = false;
			if (!numeric)
				buf_adds(&item, profile_str(p, l->str));
			else if (nunits == nvals)
				buf_addf(&item, "%" PRId64 " %s", l->num,
					 profile_str(p, l->num_unit));
			else
				buf_addf(&item, "%" PRId64, l->num);
		}
		buf_addc(&item, ']');
		items[m++] = buf_detach(&item, NULL);
	}
	if (m) {
		qsort(items, m, sizeof(*items), str_cmp);
		buf_adds(out, "\n                ");
		for (size_t i = 0; i < m; i++) {
			buf_addf(out, "%s%s", i ? " " : "", items[i]);
			free(items[i]);
		}
	}
	free(items);
}

int report_raw(struct report *r, struct buf *out, struct cp_err *err)
{
	const struct cp_profile *p = r->p;
	const struct cp_view *v = &r->view;
	bool inlines = !r->o.noinlines;
	struct buf tmp = BUF_INIT;

	(void)err;
	buf_init(&tmp);
	for (size_t i = 0; i < p->ncomments; i++)
		buf_addf(out, "Comment: %s\n", profile_str(p, p->comments[i]));
	if (p->doc_url)
		buf_addf(out, "Doc: %s\n", profile_str(p, p->doc_url));
	if (p->has_period_type || p->period_type.type || p->period_type.unit)
		buf_addf(out, "PeriodType: %s %s\n", profile_str(p, p->period_type.type),
			 profile_str(p, p->period_type.unit));
	buf_addf(out, "Period: %" PRId64 "\n", p->period);
	if (p->time_nanos) {
		buf_adds(out, "Time: ");
		go_time(out, p->time_nanos);
		buf_addc(out, '\n');
	}
	if (p->duration_nanos) {
		go_duration(&tmp, p->duration_nanos);
		buf_adds(out, "Duration: ");
		add_runes(out, tmp.buf, 4);
		buf_addc(out, '\n');
	}
	buf_adds(out, "Samples:\n");
	for (size_t i = 0; i < p->nsample_types; i++)
		buf_addf(out, "%s%s/%s%s", i ? " " : "", profile_str(p, p->sample_types[i].type),
			 profile_str(p, p->sample_types[i].unit),
			 p->sample_types[i].type == p->default_sample_type ? "[dflt]" : "");
	buf_addc(out, '\n');
	for (size_t i = 0; i < v->nsamples; i++) {
		const struct cp_vsample *vs = &v->samples[i];
		const struct cp_sample *s = &p->samples[vs->sample];
		const int64_t *vals = profile_values(p, vs->sample);

		for (size_t k = 0; k < p->nsample_types; k++)
			buf_addf(out, " %10" PRId64, vals[k]);
		buf_adds(out, ": ");
		for (uint32_t k = 0; k < vs->depth; k++)
			buf_addf(out, "%" PRIu64 " ", p->locations[v->stack[vs->stack_off + k]].id);
		sample_labels(r, s, false, out);
		sample_labels(r, s, true, out);
		buf_addc(out, '\n');
	}
	buf_adds(out, "Locations\n");
	for (size_t l = 0; l < p->nlocations; l++) {
		const struct cp_location *loc = &p->locations[l];
		const struct cp_vloc *vl = &v->locs[l];
		uint32_t first = 0, n = vl->nlines;

		buf_reset(&tmp);
		buf_addf(&tmp, "%6" PRIu64 ": ", loc->id);
		hex(&tmp, loc->address);
		buf_addc(&tmp, ' ');
		if (loc->mapping != CP_NONE)
			buf_addf(&tmp, "M=%" PRIu64 " ", p->mappings[loc->mapping].id);
		if (loc->is_folded)
			buf_adds(&tmp, "[F] ");
		if (!inlines && n > 1) {
			first = n - 1;
			n = 1;
		}
		if (n == 0)
			buf_addf(out, "%s\n", tmp.buf);
		for (uint32_t i = first; i < first + n; i++) {
			const struct cp_line *ln = &p->lines[v->lines[vl->line_off + i]];
			const struct cp_function *f = &p->functions[ln->function];

			buf_addf(out, "%s%s %s:%" PRId64 ":%" PRId64 " s=%" PRId64,
				 i == first ? tmp.buf : "             ", profile_str(p, f->name),
				 profile_str(p, f->filename), ln->line, ln->column, f->start_line);
			if (f->name != f->system_name)
				buf_addf(out, "(%s)", profile_str(p, f->system_name));
			buf_addc(out, '\n');
		}
	}
	buf_adds(out, "Mappings\n");
	for (size_t i = 0; i < p->nmappings; i++) {
		const struct cp_mapping *m = &p->mappings[i];

		buf_addf(out, "%" PRIu64 ": ", m->id);
		hex(out, m->start);
		buf_addc(out, '/');
		hex(out, m->limit);
		buf_addc(out, '/');
		hex(out, m->offset);
		buf_addf(out, " %s %s %s%s%s%s\n", profile_str(p, m->file),
			 profile_str(p, m->build_id), m->has_functions ? "[FN]" : "",
			 m->has_filenames ? "[FL]" : "", m->has_line_numbers ? "[LN]" : "",
			 m->has_inline_frames && inlines ? "[IN]" : "");
	}
	buf_release(&tmp);
	return 0;
}
