/*
 * top.c - the `top`/`text` report: pprof's flat/cum table.
 */
#include "model/compat.h"
#include "model/alloc.h"
#include "report/report.h"
#include "report/units.h"

struct cp_universe *report_universe(struct report *r, bool obj_names)
{
	struct cp_universe_opts uo = {
		.granularity = r->granularity,
		.noinlines = r->o.noinlines,
		.obj_names = obj_names,
		.trim_path = r->o.trim_path,
		.source_path = r->o.source_path,
	};

	return universe_build(&r->view, &uo);
}

struct cp_graph *report_graph(struct report *r, struct cp_universe *u,
			      const unsigned char *edge_dst, const unsigned char *edge_src,
			      struct cp_trim_result *tr)
{
	struct cp_graph_opts go = {
		.sample_index = r->sample_index,
		.mean = r->o.mean,
		.drop_negative = r->o.drop_negative,
		.edge_dst = edge_dst,
		.edge_src = edge_src,
	};
	struct cp_trim_opts to = {
		.nodecount = r->o.nodecount,
		.nodefraction = r->o.nodefraction,
		.edgefraction = r->o.edgefraction,
		.cum_sort = !strcmp(r->o.sort, "cum"),
	};

	return graph_trimmed(u, &go, &to, tr);
}

int report_top(struct report *r, struct buf *out, struct cp_err *err)
{
	struct cp_universe *u = report_universe(r, false);
	/* edges only matter for the (inline) markers: only nodes ever inlined can get one */
	unsigned char *inlined = universe_inlined_nodes(u);
	struct cp_trim_result tr;
	struct cp_graph *g = report_graph(r, u, inlined, NULL, &tr);
	unsigned char *inl = xcalloc(u->ninfos + 1, 1); /* bit 1: inline in-edge, 2: other */
	int64_t sum = 0;

	(void)err;
	for (size_t e = 0; e < g->nedges; e++)
		if (!g->edges[e].dropped)
			inl[g->edges[e].dst] |= g->edges[e].is_inline ? 1 : 2;
	report_select_unit(r, g);
	tr.dropped_edges = 0; /* pprof's text reports never mention edges */
	report_labels(r, g, &tr, false, out);
	buf_addf(out, "%10s %5s%% %5s%% %10s %5s%%\n", "flat", "flat", "sum", "cum", "cum");
	for (size_t i = 0; i < g->nnodes; i++) {
		uint32_t id = g->nodes[i];
		int64_t flat = graph_flat_value(g, id), cum = graph_cum_value(g, id);
		char fv[64], cv[64], fp[32], sp[32], cp[32];

		sum = add64(sum, flat);
		report_value(r, flat, fv, sizeof(fv));
		report_value(r, cum, cv, sizeof(cv));
		units_percent(fp, sizeof(fp), flat, r->total);
		units_percent(sp, sizeof(sp), sum, r->total);
		units_percent(cp, sizeof(cp), cum, r->total);
		buf_addf(out, "%10s %s %s %10s %s  %s%s\n", fv, fp, sp, cv, cp, graph_name(g, id),
			 inl[id] == 1 ? " (inline)" :
			 inl[id] == 3 ? " (partial-inline)" :
					"");
	}
	free(inl);
	free(inlined);
	graph_free(g);
	universe_free(u);
	return 0;
}
