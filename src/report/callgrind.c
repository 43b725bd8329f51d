/*
 * callgrind.c - the `callgrind` report: the call graph in callgrind's format
 * (ob/fl/fn name compression, relative addresses), as pprof writes it.
 */
#include "model/compat.h"
#include "model/alloc.h"
#include "report/report.h"
#include "report/units.h"

/* Callgrind's name compression: "(N) name" the first time, "(N)" after (N: strtab id). */
static void callgrind_name(struct strtab *ids, const char *name, struct buf *out)
{
	uint32_t before = ids->n, id;

	if (!*name)
		return;
	id = strtab_intern(ids, name, strlen(name));
	if (id < before)
		buf_addf(out, "(%u)", id);
	else
		buf_addf(out, "(%u) %s", id, name);
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

struct dis_node {
	uint32_t file, name; /* the group */
	uint64_t key;	     /* the function */
	size_t pos;	     /* order in the graph */
	size_t first;	     /* first pos of this key in the group */
};

static int dis_by_group_key(const void *a, const void *b)
{
	const struct dis_node *x = a, *y = b;

	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	if (x->name != y->name)
		return x->name < y->name ? -1 : 1;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static int dis_by_group_first(const void *a, const void *b)
{
	const struct dis_node *x = a, *y = b;

	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	if (x->name != y->name)
		return x->name < y->name ? -1 : 1;
	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/*
 * pprof's getDisambiguatedNames: " [i/n]" when one name covers several
 * functions (n distinct function keys among the nodes of that file and name,
 * i the rank of this node's key by first appearance).  Sorting keeps it
 * O(n log n): a profile of 10^5 functions must not take minutes.
 */
static char **disambiguated_names(struct cp_graph *g)
{
	char **names = xcalloc(g->nids + 1, sizeof(*names));
	struct dis_node *d = xmalloc(st_mult(g->nnodes + 1, sizeof(*d)));
	size_t *rank = xmalloc(st_mult(g->nnodes + 1, sizeof(*rank)));
	size_t *count = xmalloc(st_mult(g->nnodes + 1, sizeof(*count)));

	for (size_t i = 0; i < g->nnodes; i++) {
		const struct cp_node_info *ni = graph_info(g, g->nodes[i]);

		d[i].file = ni->file;
		d[i].name = ni->name;
		d[i].key = graph_function_key(g, g->nodes[i]);
		d[i].pos = i;
	}
	/* the first position of each key within its group */
	qsort(d, g->nnodes, sizeof(*d), dis_by_group_key);
	for (size_t i = 0; i < g->nnodes; i++) {
		bool same = i && d[i].file == d[i - 1].file && d[i].name == d[i - 1].name &&
			    d[i].key == d[i - 1].key;

		d[i].first = same ? d[i - 1].first : d[i].pos;
	}
	/* keys ranked by first appearance within each group */
	qsort(d, g->nnodes, sizeof(*d), dis_by_group_first);
	for (size_t i = 0, start = 0; i < g->nnodes; i++) {
		bool new_group = !i || d[i].file != d[i - 1].file || d[i].name != d[i - 1].name;

		if (new_group)
			start = i;
		if (new_group)
			rank[d[i].pos] = 0;
		else if (d[i].first != d[i - 1].first)
			rank[d[i].pos] = rank[d[i - 1].pos] + 1;
		else
			rank[d[i].pos] = rank[d[i - 1].pos];
		if (i + 1 == g->nnodes || d[i + 1].file != d[i].file ||
		    d[i + 1].name != d[i].name) {
			for (size_t k = start; k <= i; k++)
				count[d[k].pos] = rank[d[i].pos] + 1;
		}
	}
	for (size_t i = 0; i < g->nnodes; i++) {
		const struct cp_node_info *ni = graph_info(g, g->nodes[i]);
		struct buf b = BUF_INIT;

		buf_init(&b);
		buf_adds(&b, strtab_str(&g->u->names, ni->name));
		if (count[i] > 1)
			buf_addf(&b, " [%zu/%zu]", rank[i] + 1, count[i]);
		names[g->nodes[i]] = buf_detach(&b, NULL);
	}
	free(d);
	free(rank);
	free(count);
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
	struct strtab objfiles, files, names;
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
	strtab_init(&objfiles);
	strtab_init(&files);
	strtab_init(&names);
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
	strtab_free(&objfiles);
	strtab_free(&files);
	strtab_free(&names);
	graph_adjacency_release(&adj);
	graph_free(g);
	universe_free(u);
	return 0;
}
