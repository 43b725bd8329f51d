/*
 * callgrind.c - the `callgrind` report: the call graph in callgrind's format
 * (ob/fl/fn name compression, relative addresses), as pprof writes it.
 */
#include "model/compat.h"
#include "model/alloc.h"
#include "report/report.h"
#include "report/units.h"

/* Callgrind's name compression: "(N) name" the first time, "(N)" after. */
struct name_ids {
	const char **names;
	size_t n, alloc;
};

static void callgrind_name(struct name_ids *ids, const char *name, struct buf *out)
{
	if (!*name)
		return;
	for (size_t i = 0; i < ids->n; i++) {
		if (!strcmp(ids->names[i], name)) {
			buf_addf(out, "(%zu)", i + 1);
			return;
		}
	}
	ALLOC_GROW(ids->names, ids->n + 1, ids->alloc);
	ids->names[ids->n++] = name;
	buf_addf(out, "(%zu) %s", ids->n, name);
}

/* "*" when unchanged, "+d"/"-d" when shorter than the absolute "0x..". */
static void callgrind_address(const struct cp_node_info *prev, uint64_t addr, struct buf *out)
{
	char abs[32], rel[32];

	snprintf(abs, sizeof(abs), "0x%" PRIx64, addr);
	if (!prev) {
		buf_adds(out, abs);
		return;
	}
	if (prev->address == addr) {
		buf_addc(out, '*');
		return;
	}
	snprintf(rel, sizeof(rel), "%+" PRId64, (int64_t)(addr - prev->address));
	buf_adds(out, strlen(rel) < strlen(abs) ? rel : abs);
}

/* pprof's getDisambiguatedNames: " [i/n]" when one name covers several functions. */
static char **disambiguated_names(struct cp_graph *g)
{
	char **names = xcalloc(g->nids + 1, sizeof(*names));
	uint64_t *keys = xmalloc(st_mult(g->nnodes + 1, sizeof(*keys)));

	for (size_t i = 0; i < g->nnodes; i++)
		keys[i] = graph_function_key(g, g->nodes[i]);
	for (size_t i = 0; i < g->nnodes; i++) {
		const struct cp_node_info *ni = graph_info(g, g->nodes[i]);
		size_t nfuncs = 0, mine = 0;

		/* distinct function keys among nodes of the same file and name, in order */
		for (size_t j = 0; j < g->nnodes; j++) {
			const struct cp_node_info *nj = graph_info(g, g->nodes[j]);
			bool first = true;

			if (nj->file != ni->file || nj->name != ni->name)
				continue;
			for (size_t k = 0; k < j && first; k++) {
				const struct cp_node_info *nk = graph_info(g, g->nodes[k]);

				first = !(nk->file == ni->file && nk->name == ni->name &&
					  keys[k] == keys[j]);
			}
			if (!first)
				continue;
			if (keys[j] == keys[i])
				mine = nfuncs;
			nfuncs++;
		}
		{
			struct buf b = BUF_INIT;

			buf_init(&b);
			buf_adds(&b, strtab_str(&g->u->names, ni->name));
			if (nfuncs > 1)
				buf_addf(&b, " [%zu/%zu]", mine + 1, nfuncs);
			names[g->nodes[i]] = buf_detach(&b, NULL);
		}
	}
	free(keys);
	return names;
}

int report_callgrind(struct report *r, struct buf *out, struct cp_err *err)
{
	struct cp_universe *u = report_universe(r, true);
	struct cp_graph_opts go = {
		.sample_index = r->sample_index,
		.mean = r->o.mean,
		.drop_negative = r->o.drop_negative,
	};
	struct cp_trim_result tr;
	struct cp_graph *g;
	struct cp_adjacency adj;
	struct name_ids objfiles = { 0 }, files = { 0 }, names = { 0 };
	const struct cp_node_info *prev = NULL;
	char **dnames;

	(void)err;
	r->o.nodefraction = r->o.edgefraction = 0;
	r->o.nodecount = 0;
	if (r->o.call_tree) {
		g = graph_build_tree(u, &go);
		graph_sort(g, !strcmp(r->o.sort, "cum") ? CP_ORDER_CUM : CP_ORDER_FLAT);
	} else {
		g = report_graph(r, u, NULL, NULL, &tr);
	}
	graph_adjacency(g, &adj);
	report_select_unit(r, g);
	dnames = disambiguated_names(g);
	buf_adds(out, "positions: instr line\n");
	buf_addf(out, "events: %s(%s)\n", r->sample_type, r->output_unit);
	for (size_t i = 0; i < g->nnodes; i++) {
		uint32_t id = g->nodes[i];
		const struct cp_node_info *ni = graph_info(g, id);
		const char *unit;

		if (!prev || ni->objfile != prev->objfile || ni->file != prev->file ||
		    ni->name != prev->name) {
			buf_adds(out, "\nob=");
			callgrind_name(&objfiles, strtab_str(&u->names, ni->objfile), out);
			buf_adds(out, "\nfl=");
			callgrind_name(&files, strtab_str(&u->names, ni->file), out);
			buf_adds(out, "\nfn=");
			callgrind_name(&names, strtab_str(&u->names, ni->name), out);
			buf_addc(out, '\n');
		}
		callgrind_address(prev, ni->address, out);
		buf_addf(out, " %" PRId64 " %" PRId64 "\n", ni->lineno,
			 (int64_t)units_scale(graph_flat_value(g, id), r->sample_unit,
					      r->output_unit, &unit));
		for (uint32_t k = 0; k < adj.out_n[id]; k++) {
			const struct cp_edge *e = &g->edges[adj.outs[adj.out_off[id] + k]];
			const struct cp_node_info *ci = graph_info(g, e->dst);

			buf_adds(out, "cfl=");
			callgrind_name(&files, strtab_str(&u->names, ci->file), out);
			buf_adds(out, "\ncfn=");
			callgrind_name(&names, dnames[e->dst], out);
			buf_adds(out, "\ncalls=0 ");
			callgrind_address(prev, ci->address, out);
			buf_addf(out, " %" PRId64 "\n* * %" PRId64 "\n", ci->lineno,
				 (int64_t)units_scale(e->weight, r->sample_unit, r->output_unit,
						      &unit));
		}
		prev = ni;
	}
	for (size_t i = 0; i < g->nids; i++)
		free(dnames[i]);
	free(dnames);
	free(objfiles.names);
	free(files.names);
	free(names.names);
	graph_adjacency_release(&adj);
	graph_free(g);
	universe_free(u);
	return 0;
}
