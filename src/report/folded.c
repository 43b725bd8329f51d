/*
 * folded.c - the `folded` report: one line per distinct stack, root first,
 * frames joined by ';', then the stack's total value (flamegraph.pl's and
 * speedscope's input).  pprof has no such report (its issue 658).
 *
 * Stacks are those the filters leave, named at the chosen granularity
 * (with inlined frames as their own frames unless -noinlines); values are
 * of the selected sample type, in the profile's own unit.  Lines are
 * sorted, and stacks whose total is zero are left out.
 */
#include "model/compat.h"
#include "model/alloc.h"
#include "report/report.h"

struct folded_row {
	char *stack;
	int64_t value;
};

static int by_stack(const void *a, const void *b)
{
	return strcmp(((const struct folded_row *)a)->stack, ((const struct folded_row *)b)->stack);
}

/* ';' separates frames: a name holding one would split itself. */
static void add_frame_name(struct buf *b, const char *name)
{
	if (b->len)
		buf_addc(b, ';');
	for (const char *c = name; *c; c++)
		buf_addc(b, *c == ';' ? ':' : *c);
}

int report_folded(struct report *r, struct buf *out, struct cp_err *err)
{
	struct cp_universe_opts uo = {
		.granularity = r->granularity,
		.noinlines = r->o.noinlines,
		.trim_path = r->o.trim_path,
		.source_path = r->o.source_path,
	};
	struct cp_universe *u = universe_build(&r->view, &uo);
	const struct cp_view *v = &r->view;
	struct folded_row *rows = xmalloc(st_mult(v->nsamples + 1, sizeof(*rows)));
	size_t nrows = 0;
	struct buf line = BUF_INIT;

	(void)err;
	buf_init(&line);
	for (size_t i = 0; i < v->nsamples; i++) {
		const struct cp_vsample *vs = &v->samples[i];
		int64_t value = profile_values(r->p, vs->sample)[r->sample_index];

		buf_reset(&line);
		for (uint32_t k = vs->depth; k-- > 0;) {
			const struct cp_loc_ref *ref = &u->locs[v->stack[vs->stack_off + k]];

			if (ref->n == 1) {
				add_frame_name(&line, universe_printable(u, ref->off));
				continue;
			}
			for (uint32_t f = ref->n; f-- > 0;)
				add_frame_name(&line,
					       universe_printable(u, u->loc_nodes[ref->off + f]));
		}
		if (!line.len)
			continue;
		rows[nrows].stack = xstrndup(line.buf, line.len);
		rows[nrows++].value = value;
	}
	qsort(rows, nrows, sizeof(*rows), by_stack);
	for (size_t i = 0; i < nrows;) {
		size_t j = i;
		int64_t sum = 0;

		for (; j < nrows && !strcmp(rows[j].stack, rows[i].stack); j++)
			sum = add64(sum, rows[j].value);
		if (sum)
			buf_addf(out, "%s %" PRId64 "\n", rows[i].stack, sum);
		for (; i < j; i++)
			free(rows[i].stack);
	}
	free(rows);
	buf_release(&line);
	universe_free(u);
	return 0;
}
