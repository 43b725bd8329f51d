/*
 * proto.c - the `proto` report (the filtered profile as gzipped
 * profile.proto, divide_by applied) and `topproto` (one one-frame sample per
 * report node, with "cum" and "flat" values).
 */
#include "model/compat.h"
#include "model/alloc.h"
#include "model/encode.h"
#include "report/report.h"
#include "report/units.h"

int report_proto(struct report *r, struct buf *out, struct cp_err *err)
{
	struct cp_encode_opts eo = {
		.view = &r->view,
		.ratio = r->ratio,
		.noinlines = r->o.noinlines,
	};

	return profile_encode(r->p, &eo, out, err);
}

static uint32_t intern_name(struct cp_profile *t, const struct cp_universe *u, uint32_t id)
{
	return strtab_intern(&t->strs, strtab_str(&u->names, id), strtab_len(&u->names, id));
}

int report_topproto(struct report *r, struct buf *out, struct cp_err *err)
{
	const struct cp_profile *p = r->p;
	struct cp_universe *u = report_universe(r, false);
	struct cp_trim_result tr;
	struct cp_graph *g = report_graph(r, u, NULL, NULL, &tr);
	struct cp_profile *t = profile_new();
	struct cp_encode_opts eo = { .ratio = 1 };
	size_t n;
	int ret;

	report_select_unit(r, g);
	n = g->nnodes;
	t->nsample_types = 2;
	t->sample_types = arena_alloc(&t->arena, 2 * sizeof(*t->sample_types));
	t->sample_types[0].type = strtab_intern(&t->strs, "cum", 3);
	t->sample_types[1].type = strtab_intern(&t->strs, "flat", 4);
	t->sample_types[0].unit = t->sample_types[1].unit =
		strtab_intern(&t->strs, r->output_unit, strlen(r->output_unit));
	t->time_nanos = p->time_nanos;
	t->duration_nanos = p->duration_nanos;
	t->period_type.type = strtab_intern(&t->strs, profile_str(p, p->period_type.type),
					    strtab_len(&p->strs, p->period_type.type));
	t->period_type.unit = strtab_intern(&t->strs, profile_str(p, p->period_type.unit),
					    strtab_len(&p->strs, p->period_type.unit));
	t->has_period_type = p->has_period_type;
	t->period = p->period;
	t->functions = arena_zalloc(&t->arena, (n + 1) * sizeof(*t->functions));
	t->locations = arena_zalloc(&t->arena, (n + 1) * sizeof(*t->locations));
	t->lines = arena_zalloc(&t->arena, (n + 1) * sizeof(*t->lines));
	t->samples = arena_zalloc(&t->arena, (n + 1) * sizeof(*t->samples));
	t->stack = arena_zalloc(&t->arena, (n + 1) * sizeof(*t->stack));
	t->values = arena_zalloc(&t->arena, (2 * n + 1) * sizeof(*t->values));
	for (size_t i = 0; i < n; i++) {
		uint32_t id = g->nodes[i];
		const struct cp_node_info *ni = graph_info(g, id);
		struct cp_function f = {
			.name = intern_name(t, u, ni->name),
			.system_name = intern_name(t, u, ni->orig_name),
			.filename = intern_name(t, u, ni->file),
			.start_line = ni->start_line,
		};
		uint32_t fi;
		const char *unit;

		/* pprof's functionMap: one function per (name, system name, file, start line) */
		for (fi = 0; fi < t->nfunctions; fi++)
			if (t->functions[fi].name == f.name &&
			    t->functions[fi].system_name == f.system_name &&
			    t->functions[fi].filename == f.filename &&
			    t->functions[fi].start_line == f.start_line)
				break;
		if (fi == t->nfunctions) {
			f.id = t->nfunctions + 1;
			t->functions[t->nfunctions++] = f;
		}
		t->lines[i].function = fi;
		t->lines[i].line = ni->lineno;
		t->lines[i].column = ni->columnno;
		t->locations[i].id = i + 1;
		t->locations[i].address = ni->address;
		t->locations[i].mapping = CP_NONE;
		t->locations[i].line_off = (uint32_t)i;
		t->locations[i].nlines = 1;
		t->stack[i] = (uint32_t)i;
		t->samples[i].stack_off = (uint32_t)i;
		t->samples[i].depth = 1;
		t->values[2 * i] = (int64_t)units_scale(graph_cum_value(g, id), r->sample_unit,
							r->output_unit, &unit);
		t->values[2 * i + 1] = (int64_t)units_scale(graph_flat_value(g, id), r->sample_unit,
							    r->output_unit, &unit);
	}
	t->nlocations = t->nlines = t->nsamples = t->nstack = n;
	ret = profile_encode(t, &eo, out, err);
	profile_free(t);
	graph_free(g);
	universe_free(u);
	return ret;
}
