/*
 * traces.c - the `traces` report (every sample's stack with its labels) and
 * `comments` (the profile's comments, one per line).
 */
#include "model/compat.h"
#include "model/alloc.h"
#include "report/report.h"
#include "report/units.h"

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sample's label lines of one kind ("%10s:  v1 v2"), sorted, appended to out. */
static void label_lines(struct report *r, const struct cp_sample *s, bool numeric, struct buf *out)
{
	const struct cp_profile *p = r->p;
	struct label_group groups[64];
	size_t n = label_groups(p, s, r->hidden_keys, groups, ARRAY_SIZE(groups));
	char **lines = xcalloc(n + 1, sizeof(*lines));
	size_t m = 0;

	for (size_t g = 0; g < n; g++) {
		struct buf line = BUF_INIT;
		bool first = true;

		if (groups[g].numeric != numeric)
			continue;
		buf_init(&line);
		buf_addf(&line, "%10s:  ", profile_str(p, groups[g].key));
		for (uint32_t i = groups[g].first; i < s->nlabels; i++) {
			const struct cp_label *l = &p->labels[s->label_off + i];
			char v[64];

			if (!label_in_group(p, l, &groups[g]))
				continue;
			if (!first)
				buf_addc(&line, ' ');
			first = false;
			if (numeric) {
				units_label(v, sizeof(v), l->num,
					    label_unit(&r->units, p, groups[g].key), "auto");
				buf_adds(&line, v);
			} else {
				buf_adds(&line, profile_str(p, l->str));
			}
		}
		buf_addc(&line, '\n');
		lines[m++] = buf_detach(&line, NULL);
	}
	qsort(lines, m, sizeof(*lines), str_cmp);
	for (size_t i = 0; i < m; i++) {
		buf_adds(out, lines[i]);
		free(lines[i]);
	}
	free(lines);
}

int report_traces(struct report *r, struct buf *out, struct cp_err *err)
{
	static const char separator[] =
		"-----------+-------------------------------------------------------\n";
	const struct cp_profile *p = r->p;
	/* pprof's traces name frames without the path trimming of graph reports */
	struct cp_universe_opts uo = {
		.granularity = r->granularity,
		.noinlines = r->o.noinlines,
		.untrimmed = true,
	};
	struct cp_universe *u = universe_build(&r->view, &uo);

	(void)err;
	report_profile_labels(r, out);
	for (size_t i = 0; i < r->view.nsamples; i++) {
		const struct cp_vsample *vs = &r->view.samples[i];
		const struct cp_sample *s = &p->samples[vs->sample];
		const int64_t *vals = profile_values(p, vs->sample);
		int64_t v = vals[r->sample_index];
		bool first = true;

		if (vs->depth == 0)
			continue;
		buf_adds(out, separator);
		label_lines(r, s, false, out);
		label_lines(r, s, true, out);
		if (r->o.mean && vals[0] != 0)
			v /= vals[0];
		for (uint32_t k = 0; k < vs->depth; k++) {
			uint32_t n;
			const uint32_t *ln =
				universe_loc_nodes(u, r->view.stack[vs->stack_off + k], &n);

			for (uint32_t j = 0; j < n; j++) {
				char val[64] = "";

				if (first)
					report_value(r, v, val, sizeof(val));
				first = false;
				buf_addf(out, "%10s   %s%s\n", val, universe_printable(u, ln[j]),
					 j != n - 1 ? " (inline)" : "");
			}
		}
	}
	buf_adds(out, separator);
	universe_free(u);
	return 0;
}

int report_comments(struct report *r, struct buf *out, struct cp_err *err)
{
	(void)err;
	for (size_t i = 0; i < r->p->ncomments; i++)
		buf_addf(out, "%s\n", profile_str(r->p, r->p->comments[i]));
	return 0;
}
