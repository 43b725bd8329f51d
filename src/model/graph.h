/*
 * graph.h - the call graph pprof's text and graph reports are drawn from.
 *
 * Three layers, each built from the one below and released separately:
 *   struct cp_universe  every node identity a view can produce under one
 *                       granularity (pprof's NodeInfo), and per location the
 *                       nodes its frames map to;
 *   struct cp_graph     flat/cum per node and weighted edges, from one pass
 *                       over the view's samples, optionally restricted to a
 *                       kept subset of nodes (frames of other nodes make
 *                       edges "residual");
 *   graph_trimmed()     pprof's refinement: drop nodes below nodefraction,
 *                       keep the top nodecount, drop light edges.
 * Node ids are universe ids; g->nodes lists those present, in report order.
 */
#ifndef CPROF_GRAPH_H
#define CPROF_GRAPH_H

#include "model/compat.h"
#include "model/strtab.h"
#include "model/view.h"

enum cp_granularity {
	CP_GRAN_FUNCTIONS,
	CP_GRAN_FILEFUNCTIONS,
	CP_GRAN_FILES,
	CP_GRAN_LINES,
	CP_GRAN_ADDRESSES,
};

/* pprof's NodeInfo; string fields are ids in the universe's own table. */
struct cp_node_info {
	uint32_t name, orig_name, file, objfile;
	uint64_t address;
	int64_t start_line, lineno, columnno;
};

struct cp_universe_opts {
	enum cp_granularity granularity;
	bool noinlines;
	bool obj_names; /* keep binary names (raw, list, callgrind) */
	bool show_columns;
	const char *trim_path; /* pprof's trim_path; NULL or "" = heuristics only */
	bool untrimmed;	       /* file names only cleaned, not trimmed (pprof's traces) */
	const char *source_path;
};

struct cp_universe {
	const struct cp_view *view;
	struct strtab names;
	struct cp_node_info *infos;
	size_t ninfos, ainfos;
	uint32_t *slots; /* hash: id + 1 */
	size_t mask;
	/*
	 * Per location, the nodes of its frames, innermost first: loc_nodes[off
	 * .. off + n), except that for n == 1 'off' is the node id itself (one
	 * memory access in the hot loop for the common case).
	 */
	struct cp_loc_ref {
		uint32_t off, n;
	} * locs;
	uint32_t *loc_nodes;
	char **printable;  /* lazily built printable names */
	size_t nprintable; /* entries in printable */
	struct ix_cache *ix_cache; /* graph_build's over a lazy view (graph.c) */
};

struct cp_universe *universe_build(const struct cp_view *v, const struct cp_universe_opts *o);
void universe_free(struct cp_universe *u);
/*
 * Nodes that some location has as an inlined (not outermost) frame: the only
 * ones whose in-edges can be inline.  Caller frees.
 */
unsigned char *universe_inlined_nodes(const struct cp_universe *u);
/* pprof's PrintableName: "[addr] [name] [file[:line[:col]]]" or "[binary]"/"<unknown>". */
const char *universe_printable(struct cp_universe *u, uint32_t id);

struct cp_edge {
	uint32_t src, dst;
	int64_t weight, weight_div;
	bool residual, is_inline, dropped;
};

/*
 * Sample tags for graphs drawn with nodelets (pprof's LabelTags and
 * NumericTags).  The caller names each view sample's tags with ids of its
 * own, so the model needs to know nothing about label formatting: one id
 * for the sample's string labels taken together (0: none) and a list of
 * numeric tag ids (never 0).
 */
struct cp_tag_source {
	const uint32_t *label;		 /* per view sample */
	const uint32_t *num_off, *num_n; /* per view sample: its ids in num[] */
	const uint32_t *num;
};

/*
 * One tag of one node: the label tag 'label' when num == 0, else the
 * numeric tag 'num' of the samples whose label tag is 'label' (0: none).
 */
struct cp_tag {
	uint32_t node, label, num;
	int64_t flat, flat_div, cum, cum_div;
	bool dropped;
};

struct cp_graph_opts {
	int sample_index;
	bool mean; /* divide by value[0] */
	bool drop_negative;
	/*
	 * If either is set, only edges into nodes with edge_dst[id] != 0 or
	 * out of nodes with edge_src[id] != 0 are collected (NULL: none).
	 */
	const unsigned char *edge_dst, *edge_src;
	/* if set, also collect per-node tags (a separate pass over the samples) */
	const struct cp_tag_source *tags;
};

struct cp_node_stat {
	int64_t flat, flat_div, cum, cum_div;
	uint32_t stamp; /* internal to graph_build: last sample counted in cum */
};

/* The nodes of location 'loc'; sets *n. */
static inline const uint32_t *universe_loc_nodes(const struct cp_universe *u, uint32_t loc,
						 uint32_t *n)
{
	const struct cp_loc_ref *r = &u->locs[loc];

	*n = r->n;
	return r->n == 1 ? &r->off : u->loc_nodes + r->off;
}

struct cp_graph {
	struct cp_universe *u;
	/*
	 * Node ids: universe ids, except in a call tree, where each node is one
	 * calling context and info[id] is its universe id.
	 */
	uint32_t *info;		   /* NULL: node id == universe id */
	uint64_t *func_key;	   /* call tree: identity of the node's function in its context */
	size_t nids;		   /* size of the per-node arrays */
	struct cp_node_stat *stat; /* per node id */
	uint32_t *nodes;	   /* present node ids, in order */
	size_t nnodes;
	struct cp_edge *edges; /* empty unless built with edges */
	size_t nedges;
	struct cp_tag *tags; /* empty unless built with a tag source */
	size_t ntags;
};

/*
 * kept: NULL for all nodes, else kept[id] != 0 for the nodes to keep.
 * with_edges: also collect edges (the costly part).
 */
struct cp_graph *graph_build(struct cp_universe *u, const struct cp_graph_opts *o,
			     const unsigned char *kept, bool with_edges);
void graph_free(struct cp_graph *g);

/*
 * pprof's call_tree: a node per calling context (same function reached by
 * two paths = two nodes), cum summed without de-duplication, no trimming.
 */
struct cp_graph *graph_build_tree(struct cp_universe *u, const struct cp_graph_opts *o);

static inline uint32_t graph_info_id(const struct cp_graph *g, uint32_t id)
{
	return g->info ? g->info[id] : id;
}

static inline const struct cp_node_info *graph_info(const struct cp_graph *g, uint32_t id)
{
	return &g->u->infos[graph_info_id(g, id)];
}

/* The node's printable name (pprof's PrintableName). */
const char *graph_name(const struct cp_graph *g, uint32_t id);

/*
 * Identity of the function a node belongs to (pprof's Node.Function): nodes
 * of one function at different addresses or lines share it; in a call tree
 * it also depends on the calling context.
 */
uint64_t graph_function_key(struct cp_graph *g, uint32_t id);

static inline int64_t graph_flat_value(const struct cp_graph *g, uint32_t id)
{
	const struct cp_node_stat *s = &g->stat[id];

	return s->flat_div ? s->flat / s->flat_div : s->flat;
}

static inline int64_t graph_cum_value(const struct cp_graph *g, uint32_t id)
{
	const struct cp_node_stat *s = &g->stat[id];

	return s->cum_div ? s->cum / s->cum_div : s->cum;
}

/*
 * Per-node edge lists, in pprof's edge order (|weight| desc, then source and
 * destination names): ins[in_off[id] .. +in_n[id]) are edge indices into
 * g->edges whose dst is id; outs likewise by src.  Dropped edges excluded.
 */
struct cp_adjacency {
	uint32_t *in_off, *in_n, *out_off, *out_n;
	uint32_t *ins, *outs;
};

void graph_adjacency(struct cp_graph *g, struct cp_adjacency *adj);
/* Sort edge indices idx[0 .. n) into pprof's edge order. */
void graph_sort_edges(struct cp_graph *g, uint32_t *idx, size_t n);
void graph_adjacency_release(struct cp_adjacency *adj);

enum cp_node_order {
	CP_ORDER_FLAT,
	CP_ORDER_CUM,
	/*
	 * pprof's EntropyOrder for drawings: nodes where weight branches (by
	 * the entropy of their edge weights) before fall-through nodes.
	 */
	CP_ORDER_ENTROPY,
};
void graph_sort(struct cp_graph *g, enum cp_node_order order);

/* Mark edges into listed nodes lighter than cutoff as dropped; returns how many. */
int graph_trim_edges(struct cp_graph *g, int64_t cutoff);

struct cp_trim_opts {
	int nodecount; /* <= 0: no limit */
	double nodefraction, edgefraction;
	bool cum_sort;
	/*
	 * For drawing (dot): entropy order, tags trimmed with the nodes and
	 * counted against nodecount, redundant residual edges removed.
	 */
	bool visual;
	bool call_tree; /* visual only: trim a call tree (graph_build_tree) */
};

struct cp_trim_result {
	int orig_count, dropped_nodes, dropped_edges;
};

/* Mark tags with |flat| and |cum| below cutoff as dropped. */
void graph_trim_tags(struct cp_graph *g, int64_t cutoff);

/* pprof's newTrimmedGraph (text reports, or dot with to->visual). */
struct cp_graph *graph_trimmed(struct cp_universe *u, const struct cp_graph_opts *go,
			       const struct cp_trim_opts *to, struct cp_trim_result *res);

#endif
