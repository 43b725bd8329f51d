/*
 * tree.c - the `tree` and `peek` reports: each node with its callers above
 * and callees below, as pprof prints them.  peek shows only the nodes whose
 * name matches its regexp, with all their edges and no trimming.
 */
#include "model/compat.h"
#include "model/alloc.h"
#include "model/regex.h"
#include "report/dispatch.h"
#include "report/report.h"
#include "report/units.h"

static void edge_line(struct report *r, struct buf *out, const struct cp_graph *g,
		      const struct cp_edge *e, uint32_t other, int64_t cum)
{
	char v[64], pct[32];

	report_value(r, e->weight, v, sizeof(v));
	units_percent(pct, sizeof(pct), e->weight, cum);
	buf_addf(out, "%50s %s |   %s%s\n", v, pct, graph_name(g, other),
		 e->is_inline ? " (inline)" : "");
}

int report_tree(struct report *r, struct buf *out, struct cp_err *err)
{
	static const char separator[] =
		"----------------------------------------------------------+-------------\n";
	struct cp_regex *rx = NULL;
	unsigned char *shown = NULL;
	struct cp_universe *u;
	struct cp_graph *g;
	struct cp_adjacency adj;
	struct cp_trim_result tr;
	int64_t flat_sum = 0;
	size_t matched = 0;
	int ret = 0;

	if (r->arg) {
		rx = cp_regex_compile(r->arg, err);
		if (!rx) {
			char prefix[256];

			snprintf(prefix, sizeof(prefix), "parsing argument regexp %s", r->arg);
			cp_err_prefix(err, prefix);
			return -1;
		}
	}
	u = report_universe(r, false);
	if (rx) {
		/* peek prints the edges of the matching nodes only: collect no others */
		shown = xcalloc(u->ninfos + 1, 1);
		for (uint32_t id = 0; id < u->ninfos; id++) {
			const char *name = universe_printable(u, id);

			shown[id] = cp_regex_match(rx, name, strlen(name));
		}
	}
	g = report_graph(r, u, shown, shown, &tr);
	graph_adjacency(g, &adj);
	report_select_unit(r, g);
	tr.dropped_edges = 0; /* pprof's text reports never mention edges */
	report_labels(r, g, &tr, false, out);
	buf_adds(out, separator);
	buf_adds(out,
		 "      flat  flat%   sum%        cum   cum%   calls calls% + context \t \t \n");
	for (size_t i = 0; i < g->nnodes; i++) {
		uint32_t id = g->nodes[i];
		const char *name = graph_name(g, id);
		int64_t flat = graph_flat_value(g, id), cum = graph_cum_value(g, id);
		char fv[64], cv[64], fp[32], sp[32], cp[32];

		if (rx && !cp_regex_match(rx, name, strlen(name)))
			continue;
		matched++;
		buf_adds(out, separator);
		for (uint32_t k = 0; k < adj.in_n[id]; k++) {
			const struct cp_edge *e = &g->edges[adj.ins[adj.in_off[id] + k]];

			edge_line(r, out, g, e, e->src, cum);
		}
		flat_sum = add64(flat_sum, flat);
		report_value(r, flat, fv, sizeof(fv));
		report_value(r, cum, cv, sizeof(cv));
		units_percent(fp, sizeof(fp), flat, r->total);
		units_percent(sp, sizeof(sp), flat_sum, r->total);
		units_percent(cp, sizeof(cp), cum, r->total);
		buf_addf(out, "%10s %s %s %10s %s                | %s\n", fv, fp, sp, cv, cp, name);
		for (uint32_t k = 0; k < adj.out_n[id]; k++) {
			const struct cp_edge *e = &g->edges[adj.outs[adj.out_off[id] + k]];

			edge_line(r, out, g, e, e->dst, cum);
		}
	}
	if (g->nnodes > 0)
		buf_adds(out, separator);
	if (rx && matched == 0)
		ret = cp_errf(err, "no matches found for regexp: %s", r->arg);
	graph_adjacency_release(&adj);
	graph_free(g);
	universe_free(u);
	cp_regex_free(rx);
	free(shown);
	return ret;
}
