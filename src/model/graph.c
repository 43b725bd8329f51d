#include "model/compat.h"
#include <assert.h>
#include <math.h>
#include <pthread.h>
#include "model/alloc.h"
#include "model/buf.h"
#include "model/graph.h"
#include "model/hash.h"
#include "model/path.h"
#include "model/sindex.h"

/* ---- universe ---- */

static uint64_t info_hash(const struct cp_node_info *ni)
{
	uint64_t h = hash_mix64((uint64_t)ni->name << 32 | ni->orig_name);

	h = hash_mix64(h ^ ((uint64_t)ni->file << 32 | ni->objfile));
	h = hash_mix64(h ^ ni->address);
	h = hash_mix64(h ^ (uint64_t)ni->start_line);
	h = hash_mix64(h ^ (uint64_t)ni->lineno);
	return hash_mix64(h ^ (uint64_t)ni->columnno);
}

static void universe_rehash(struct cp_universe *u)
{
	size_t cap = (u->mask + 1) * 2;

	free(u->slots);
	u->slots = xcalloc(cap, sizeof(*u->slots));
	u->mask = cap - 1;
	for (size_t id = 0; id < u->ninfos; id++) {
		size_t i = info_hash(&u->infos[id]) & u->mask;

		while (u->slots[i])
			i = (i + 1) & u->mask;
		u->slots[i] = (uint32_t)id + 1;
	}
}

static uint32_t universe_intern(struct cp_universe *u, const struct cp_node_info *ni)
{
	size_t i;

	if ((u->ninfos + 1) * 2 > u->mask + 1)
		universe_rehash(u);
	for (i = info_hash(ni) & u->mask; u->slots[i]; i = (i + 1) & u->mask) {
		uint32_t id = u->slots[i] - 1;

		if (!memcmp(&u->infos[id], ni, sizeof(*ni)))
			return id;
	}
	ALLOC_GROW(u->infos, u->ninfos + 1, u->ainfos);
	u->infos[u->ninfos] = *ni;
	u->slots[i] = (uint32_t)u->ninfos + 1;
	return (uint32_t)u->ninfos++;
}

struct cp_universe *universe_build(const struct cp_view *v, const struct cp_universe_opts *o)
{
	const struct cp_profile *p = v->p;
	struct cp_universe *u = xcalloc(1, sizeof(*u));
	bool fn = true, fl = true, ln = true, addr = true, col = true;
	bool inl = !o->noinlines;
	uint32_t *fname = xmalloc(st_mult(p->nfunctions + 1, sizeof(uint32_t)));
	uint32_t *ffile = xmalloc(st_mult(p->nfunctions + 1, sizeof(uint32_t)));
	uint32_t *mfile = xmalloc(st_mult(p->nmappings + 1, sizeof(uint32_t)));
	size_t n = 0;

	/* pprof's aggregate(): which parts of a frame survive */
	switch (o->granularity) {
	case CP_GRAN_ADDRESSES:
		col = inl || o->show_columns;
		break;
	case CP_GRAN_LINES:
		addr = false;
		col = o->show_columns;
		break;
	case CP_GRAN_FILES:
		fn = ln = addr = col = false;
		break;
	case CP_GRAN_FUNCTIONS:
		fl = ln = addr = col = false;
		break;
	case CP_GRAN_FILEFUNCTIONS:
		ln = addr = col = false;
		break;
	}

	u->view = v;
	strtab_init(&u->names);
	u->mask = 1023;
	u->slots = xcalloc(u->mask + 1, sizeof(*u->slots));
	for (size_t i = 0; i < p->nfunctions; i++) {
		const struct cp_function *f = &p->functions[i];

		fname[i] = fn ? strtab_intern(&u->names, profile_str(p, f->name),
					      strtab_len(&p->strs, f->name)) :
				0;
		ffile[i] = 0;
		if (fl && f->filename) {
			const char *t = o->untrimmed ? profile_str(p, f->filename) :
						       path_trim(profile_str(p, f->filename),
								 o->trim_path, o->source_path);
			char *c;

			if (*t) {
				c = path_clean(t, strlen(t));
				ffile[i] = strtab_intern(&u->names, c, strlen(c));
				free(c);
			}
		}
	}
	for (size_t i = 0; i < p->nmappings; i++)
		mfile[i] = strtab_intern(&u->names, profile_str(p, p->mappings[i].file),
					 strtab_len(&p->strs, p->mappings[i].file));

	u->locs = xmalloc(st_mult(p->nlocations + 1, sizeof(*u->locs)));
	for (size_t l = 0; l < p->nlocations; l++)
		n += v->locs[l].nlines ? v->locs[l].nlines : 1;
	u->loc_nodes = xmalloc(st_mult(n + 1, sizeof(uint32_t)));
	n = 0;
	for (size_t l = 0; l < p->nlocations; l++) {
		const struct cp_location *loc = &p->locations[l];
		const struct cp_vloc *vl = &v->locs[l];
		uint32_t first = 0, cnt = vl->nlines;
		uint32_t objfile = loc->mapping != CP_NONE ? mfile[loc->mapping] : 0;
		struct cp_node_info ni;

		if (!inl && cnt > 1) {
			first = cnt - 1;
			cnt = 1;
		}
		u->locs[l].off = (uint32_t)n;
		u->locs[l].n = cnt ? cnt : 1;
		if (!cnt) {
			memset(&ni, 0, sizeof(ni));
			ni.address = addr ? loc->address : 0;
			ni.objfile = objfile;
			u->loc_nodes[n++] = universe_intern(u, &ni);
			u->locs[l].off = u->loc_nodes[n - 1];
			continue;
		}
		for (uint32_t i = first; i < first + cnt; i++) {
			const struct cp_line *line = &p->lines[v->lines[vl->line_off + i]];
			const struct cp_function *f = &p->functions[line->function];

			memset(&ni, 0, sizeof(ni));
			ni.address = addr ? loc->address : 0;
			ni.lineno = ln ? line->line : 0;
			ni.columnno = col ? line->column : 0;
			ni.name = fname[line->function];
			ni.file = ffile[line->function];
			if (o->obj_names || ni.name == 0) {
				ni.objfile = objfile;
				ni.start_line = f->start_line;
			}
			u->loc_nodes[n++] = universe_intern(u, &ni);
		}
		if (cnt == 1)
			u->locs[l].off = u->loc_nodes[n - 1];
	}
	u->printable = xcalloc(u->ninfos + 1, sizeof(*u->printable));
	u->nprintable = u->ninfos + 1;
	free(fname);
	free(ffile);
	free(mfile);
	return u;
}

struct ix_cache;
static void ix_cache_free(struct ix_cache *c);

void universe_free(struct cp_universe *u)
{
	if (!u)
		return;
	for (size_t i = 0; i < u->ninfos; i++)
		free(u->printable[i]);
	free(u->printable);
	strtab_free(&u->names);
	free(u->infos);
	free(u->slots);
	free(u->locs);
	free(u->loc_nodes);
	ix_cache_free(u->ix_cache);
	free(u);
}

unsigned char *universe_inlined_nodes(const struct cp_universe *u)
{
	const struct cp_profile *p = u->view->p;
	unsigned char *m = xcalloc(u->ninfos + 1, 1);

	for (size_t l = 0; l < p->nlocations; l++) {
		uint32_t n;
		const uint32_t *ln = universe_loc_nodes(u, (uint32_t)l, &n);

		for (uint32_t i = 0; i + 1 < n; i++)
			m[ln[i]] = 1;
	}
	return m;
}

const char *universe_printable(struct cp_universe *u, uint32_t id)
{
	const struct cp_node_info *ni = &u->infos[id];
	struct buf b = BUF_INIT;

	if (u->printable[id])
		return u->printable[id];
	buf_init(&b);
	if (ni->address)
		buf_addf(&b, "%016" PRIx64, ni->address);
	if (ni->name)
		buf_addf(&b, "%s%s", b.len ? " " : "", strtab_str(&u->names, ni->name));
	if (ni->lineno) {
		buf_addf(&b, "%s%s:%" PRId64, b.len ? " " : "", strtab_str(&u->names, ni->file),
			 ni->lineno);
		if (ni->columnno)
			buf_addf(&b, ":%" PRId64, ni->columnno);
	} else if (ni->file) {
		buf_addf(&b, "%s%s", b.len ? " " : "", strtab_str(&u->names, ni->file));
	} else if (ni->name) {
		/* the name says it all */
	} else if (ni->objfile) {
		const char *f = strtab_str(&u->names, ni->objfile);
		size_t bl;
		const char *base = path_base(f, strlen(f), &bl);

		buf_addf(&b, "%s[%.*s]", b.len ? " " : "", (int)bl, base);
	} else {
		buf_addf(&b, "%s<unknown>", b.len ? " " : "");
	}
	u->printable[id] = buf_detach(&b, NULL);
	return u->printable[id];
}

/* ---- tags ---- */

/* Accumulates a graph's tags, keyed by (node, label, num). */
struct tag_table {
	struct cp_graph *g;
	uint32_t *slots; /* tag index + 1 */
	size_t mask, atags;
};

static uint64_t tag_hash(uint32_t node, uint32_t label, uint32_t num)
{
	return hash_mix64(((uint64_t)node << 32 | label) ^ hash_mix64((uint64_t)num + 1));
}

static void tag_table_init(struct tag_table *t, struct cp_graph *g)
{
	t->g = g;
	t->mask = 255;
	t->slots = xcalloc(t->mask + 1, sizeof(*t->slots));
	t->atags = 0;
}

static struct cp_tag *tag_get(struct tag_table *t, uint32_t node, uint32_t label, uint32_t num)
{
	struct cp_graph *g = t->g;
	size_t i;

	if ((g->ntags + 1) * 2 > t->mask + 1) {
		size_t cap = (t->mask + 1) * 2;

		free(t->slots);
		t->slots = xcalloc(cap, sizeof(*t->slots));
		t->mask = cap - 1;
		for (size_t k = 0; k < g->ntags; k++) {
			const struct cp_tag *x = &g->tags[k];

			for (i = tag_hash(x->node, x->label, x->num) & t->mask; t->slots[i];
			     i = (i + 1) & t->mask)
				;
			t->slots[i] = (uint32_t)k + 1;
		}
	}
	for (i = tag_hash(node, label, num) & t->mask; t->slots[i]; i = (i + 1) & t->mask) {
		struct cp_tag *x = &g->tags[t->slots[i] - 1];

		if (x->node == node && x->label == label && x->num == num)
			return x;
	}
	ALLOC_GROW(g->tags, g->ntags + 1, t->atags);
	t->slots[i] = (uint32_t)g->ntags + 1;
	memset(&g->tags[g->ntags], 0, sizeof(g->tags[0]));
	g->tags[g->ntags].node = node;
	g->tags[g->ntags].label = label;
	g->tags[g->ntags].num = num;
	return &g->tags[g->ntags++];
}

static void tag_add_one(struct cp_tag *t, int64_t w, int64_t dw, bool flat)
{
	if (flat) {
		t->flat = add64(t->flat, w);
		t->flat_div = add64(t->flat_div, dw);
	} else {
		t->cum = add64(t->cum, w);
		t->cum_div = add64(t->cum_div, dw);
	}
}

/* pprof's addSample, tag part: sample i's tags onto node. */
static void tag_add(struct tag_table *t, const struct cp_tag_source *ts, size_t i, uint32_t node,
		    int64_t w, int64_t dw, bool flat)
{
	uint32_t label = ts->label[i];
	/* num may be NULL when no sample has a numeric tag; NULL + 0 is undefined */
	const uint32_t *num = ts->num_n[i] ? ts->num + ts->num_off[i] : NULL;

	if (label)
		tag_add_one(tag_get(t, node, label, 0), w, dw, flat);
	for (uint32_t k = 0; k < ts->num_n[i]; k++)
		tag_add_one(tag_get(t, node, label, num[k]), w, dw, flat);
}

static bool sample_has_tags(const struct cp_tag_source *ts, size_t i)
{
	return ts->label[i] || ts->num_n[i];
}

/* Tags of a graph built by graph_build: the same walk, for tagged samples only. */
static void collect_tags(struct cp_graph *g, const struct cp_graph_opts *o,
			 const unsigned char *kept)
{
	struct cp_universe *u = g->u;
	const struct cp_view *v = u->view;
	const struct cp_profile *p = v->p;
	const struct cp_tag_source *ts = o->tags;
	uint32_t *stamp = xcalloc(g->nids + 1, sizeof(*stamp));
	uint32_t gen = 0;
	struct tag_table tt;

	tag_table_init(&tt, g);
	for (size_t i = 0; i < v->nsamples; i++) {
		const struct cp_vsample *s = &v->samples[i];
		const int64_t *vals = p->values + (size_t)s->sample * p->nsample_types;
		const uint32_t *stk = v->stack + s->stack_off;
		int64_t w = vals[o->sample_index], dw = o->mean ? vals[0] : 0;
		uint32_t parent = CP_NONE;
		bool residual = false;

		if ((w == 0 && dw == 0) || !sample_has_tags(ts, i))
			continue;
		gen++;
		for (uint32_t k = s->depth; k-- > 0;) {
			uint32_t n;
			const uint32_t *ln = universe_loc_nodes(u, stk[k], &n);

			for (uint32_t ni = n; ni-- > 0;) {
				uint32_t id = ln[ni];

				if (kept && !kept[id]) {
					residual = true;
					continue;
				}
				if (stamp[id] != gen) {
					stamp[id] = gen;
					tag_add(&tt, ts, i, id, w, dw, false);
				}
				parent = id;
				residual = false;
			}
		}
		if (parent != CP_NONE && !residual)
			tag_add(&tt, ts, i, parent, w, dw, true);
	}
	free(tt.slots);
	free(stamp);
}

void graph_trim_tags(struct cp_graph *g, int64_t cutoff)
{
	for (size_t i = 0; i < g->ntags; i++) {
		struct cp_tag *t = &g->tags[i];

		if (abs64(t->flat) < cutoff && abs64(t->cum) < cutoff)
			t->dropped = true;
	}
}

/* ---- graph ---- */

/* The edge hash table: each slot is an edge being accumulated. */
struct edge_slot {
	uint64_t key;	/* src << 32 | dst, 0 = empty (src == dst never happens) */
	uint32_t stamp; /* last sample that added to it */
	uint8_t residual, not_inline;
	int64_t weight, weight_div;
};

struct edge_table {
	struct edge_slot *slots;
	size_t mask, count;
};

static void edge_table_init(struct edge_table *t, size_t expected)
{
	size_t cap = 1024;

	while (cap < expected * 2)
		cap <<= 1;
	t->slots = xcalloc(cap, sizeof(*t->slots));
	t->mask = cap - 1;
	t->count = 0;
}

static struct edge_slot *edge_slot_get(struct edge_table *t, uint64_t key)
{
	size_t i;

	if ((t->count + 1) * 2 > t->mask + 1) {
		struct edge_table n;

		edge_table_init(&n, t->mask + 1);
		for (size_t j = 0; j <= t->mask; j++) {
			if (!t->slots[j].key)
				continue;
			for (i = hash_mix64(t->slots[j].key) & n.mask; n.slots[i].key;
			     i = (i + 1) & n.mask)
				;
			n.slots[i] = t->slots[j];
		}
		n.count = t->count;
		free(t->slots);
		*t = n;
	}
	for (i = hash_mix64(key) & t->mask; t->slots[i].key; i = (i + 1) & t->mask)
		if (t->slots[i].key == key)
			return &t->slots[i];
	t->slots[i].key = key;
	t->count++;
	return &t->slots[i];
}

/* One worker's share of the samples. */
struct build_part {
	struct cp_universe *u;
	const struct cp_graph_opts *o;
	const unsigned char *kept;
	bool with_edges;
	bool stats; /* count flat/cum (else only edges: the stats are known) */
	/* if set, samples with no location marked here add nothing: skipped */
	const unsigned char *loc_used;
	size_t first, last; /* view samples [first, last) */
	struct cp_node_stat *st;
	struct edge_table et;
};

/* Is edge src -> dst one the options ask for? */
static bool edge_wanted(const struct cp_graph_opts *o, uint32_t src, uint32_t dst)
{
	if (!o->edge_dst && !o->edge_src)
		return true;
	return (o->edge_dst && o->edge_dst[dst]) || (o->edge_src && o->edge_src[src]);
}

/* Does the sample's stack have a location marked in used? */
static bool stack_used(const unsigned char *used, const uint32_t *stk, uint32_t depth)
{
	/* from the root: the nodes kept most often (main, ...) are found first */
	for (uint32_t k = depth; k-- > 0;)
		if (used[stk[k]])
			return true;
	return false;
}

/*
 * The walk of build_part_run, specialised by the compiler for each
 * combination of the constant flags (the loop runs once per frame of every
 * sample: tests hoisted out of it are worth their code).
 */
#define ALWAYS_INLINE inline __attribute__((always_inline))

static ALWAYS_INLINE void walk_samples(struct build_part *bp, const bool has_kept, const bool stats,
				       const bool with_edges, const bool all_edges)
{
	struct cp_universe *u = bp->u;
	const struct cp_view *v = u->view;
	const struct cp_profile *p = v->p;
	const unsigned char *kept = bp->kept;
	const struct cp_loc_ref *locs = u->locs;
	const uint32_t *loc_nodes = u->loc_nodes;
	size_t nu = u->ninfos + 1, nvt = p->nsample_types;
	struct cp_node_stat *st = bp->st;
	/* first visit of a node in a sample: a small array of its own stays in cache */
	uint32_t *stamp = stats ? xcalloc(nu, sizeof(*stamp)) : NULL;
	int si = bp->o->sample_index;
	bool mean = bp->o->mean;
	const unsigned char *used = bp->loc_used;
	uint32_t gen = 0;

	for (size_t i = bp->first; i < bp->last; i++) {
		const struct cp_vsample *s = &v->samples[i];
		const int64_t *vals = p->values + (size_t)s->sample * nvt;
		const uint32_t *stk = v->stack + s->stack_off;
		int64_t w = vals[si], dw = mean ? vals[0] : 0;
		uint32_t parent = CP_NONE;
		bool residual = false;

		if (w == 0 && dw == 0)
			continue;
		if (used && !stack_used(used, stk, s->depth))
			continue;
		gen++;
		for (uint32_t k = s->depth; k-- > 0;) {
			const struct cp_loc_ref *r = &locs[stk[k]];
			uint32_t n = r->n;
			const uint32_t *ln = n == 1 ? &r->off : loc_nodes + r->off;

			for (uint32_t ni = n; ni-- > 0;) {
				uint32_t id = ln[ni];

				if (has_kept && !kept[id]) {
					residual = true;
					continue;
				}
				if (stats && stamp[id] != gen) {
					stamp[id] = gen;
					st[id].cum = add64(st[id].cum, w);
					st[id].cum_div = add64(st[id].cum_div, dw);
				}
				if (with_edges && parent != CP_NONE && id != parent &&
				    (all_edges || edge_wanted(bp->o, parent, id))) {
					struct edge_slot *e =
						edge_slot_get(&bp->et, (uint64_t)parent << 32 | id);

					if (e->stamp != gen) {
						e->stamp = gen;
						e->weight = add64(e->weight, w);
						e->weight_div = add64(e->weight_div, dw);
						e->residual |= residual;
						e->not_inline |= ni == n - 1;
					}
				}
				parent = id;
				residual = false;
			}
		}
		if (stats && parent != CP_NONE && !residual) {
			st[parent].flat = add64(st[parent].flat, w);
			st[parent].flat_div = add64(st[parent].flat_div, dw);
		}
	}
	free(stamp);
}

static void *build_part_run(void *arg)
{
	struct build_part *bp = arg;
	bool kept = bp->kept, all = !bp->o->edge_dst && !bp->o->edge_src;

	bp->st = xcalloc(bp->u->ninfos + 1, sizeof(*bp->st));
	if (bp->with_edges)
		edge_table_init(&bp->et, 2048); /* grows; big tables cost page faults */
	if (!bp->with_edges) {
		if (kept)
			walk_samples(bp, true, true, false, false);
		else
			walk_samples(bp, false, true, false, false);
	} else if (!bp->stats) {
		if (kept)
			walk_samples(bp, true, false, true, all);
		else
			walk_samples(bp, false, false, true, all);
	} else if (all) {
		if (kept)
			walk_samples(bp, true, true, true, true);
		else
			walk_samples(bp, false, true, true, true);
	} else {
		walk_samples(bp, kept, true, true, false);
	}
	return NULL;
}

/* Fold part b into part a. */
static void build_part_merge(struct build_part *a, struct build_part *b, size_t nu)
{
	for (size_t id = 0; id < nu; id++) {
		a->st[id].flat = add64(a->st[id].flat, b->st[id].flat);
		a->st[id].flat_div = add64(a->st[id].flat_div, b->st[id].flat_div);
		a->st[id].cum = add64(a->st[id].cum, b->st[id].cum);
		a->st[id].cum_div = add64(a->st[id].cum_div, b->st[id].cum_div);
	}
	free(b->st);
	if (!a->with_edges)
		return;
	for (size_t i = 0; i <= b->et.mask; i++) {
		const struct edge_slot *e = &b->et.slots[i];
		struct edge_slot *d;

		if (!e->key)
			continue;
		d = edge_slot_get(&a->et, e->key);
		d->weight = add64(d->weight, e->weight);
		d->weight_div = add64(d->weight_div, e->weight_div);
		d->residual |= e->residual;
		d->not_inline |= e->not_inline;
	}
	free(b->et.slots);
}

/* Below this many frames a second thread costs more than it saves. */
#ifndef PARALLEL_MIN_FRAMES
#define PARALLEL_MIN_FRAMES 200000
#endif

/*
 * The locations a walk cannot skip: those with a kept node and, when only
 * edges are collected, a node some wanted edge starts or ends at.  NULL
 * when every sample counts.
 */
static unsigned char *locations_used(const struct cp_universe *u, const struct cp_graph_opts *o,
				     const unsigned char *kept, bool stats)
{
	const struct cp_profile *p = u->view->p;
	bool all_edges = !o->edge_dst && !o->edge_src;
	unsigned char *used;

	if (!kept && (stats || all_edges))
		return NULL;
	used = xcalloc(p->nlocations + 1, 1);
	for (uint32_t l = 0; l < p->nlocations; l++) {
		uint32_t n;
		const uint32_t *ln = universe_loc_nodes(u, l, &n);

		for (uint32_t i = 0; i < n && !used[l]; i++) {
			uint32_t id = ln[i];

			used[l] = (!kept || kept[id]) &&
				  (stats || all_edges || (o->edge_dst && o->edge_dst[id]) ||
				   (o->edge_src && o->edge_src[id]));
		}
	}
	return used;
}

/*
 * graph_build over a lazy view: one walk of the stack index instead of
 * every sample's stack.  Each index node is a stack prefix; the samples
 * in its subtree that the view accepts share every frame of the prefix,
 * so a node (or edge) is charged the subtree's sum when it first appears
 * on the path from the root: per sample, each is counted once, as in
 * walk_samples.  Subtrees without a sample that counts are skipped.
 */
struct ix_edges {
	struct pairmap map; /* (src, dst) -> index in e */
	size_t n, alloc;
	uint32_t *onpath;
	struct edge_slot *e; /* dense, in creation order; key and weights used */
};

static uint32_t ix_edge(struct ix_edges *t, uint32_t src, uint32_t dst)
{
	bool fresh;
	uint32_t *at = pairmap_get(&t->map, src, dst, &fresh);

	if (!fresh)
		return *at;
	if (t->n == t->alloc) {
		t->alloc += t->alloc / 2 + 1024;
		t->e = xrealloc(t->e, st_mult(t->alloc, sizeof(*t->e)));
		t->onpath = xrealloc(t->onpath, st_mult(t->alloc, sizeof(*t->onpath)));
	}
	memset(&t->e[t->n], 0, sizeof(t->e[t->n]));
	t->e[t->n].key = (uint64_t)src << 32 | dst;
	t->onpath[t->n] = 0;
	*at = (uint32_t)t->n;
	return (uint32_t)t->n++;
}

/*
 * What every walk of one universe's index needs, computed once and kept
 * in the universe (the trimmed graph of a report walks twice): per index
 * node, the subtree's sums of the accepted samples' values and whether
 * any of them is non-zero, and the node's frames.
 */
struct ix_cache {
	int sample_index;
	bool mean;
	int64_t *aw, *adw; /* adw only with mean */
	unsigned char *has;
	struct cp_loc_ref *refs;
};

static void ix_cache_free(struct ix_cache *c)
{
	if (!c)
		return;
	free(c->aw);
	free(c->adw);
	free(c->has);
	free(c->refs);
	free(c);
}

static const struct ix_cache *ix_cache_get(struct cp_universe *u, const struct cp_graph_opts *o)
{
	const struct cp_view *v = u->view;
	const struct cp_sindex *ix = v->ix;
	const unsigned char *mark = view_lazy_marks(v);
	struct ix_cache *c = u->ix_cache;
	size_t n = ix->n, si = (size_t)o->sample_index;

	if (c && c->sample_index == o->sample_index && c->mean == o->mean)
		return c;
	ix_cache_free(c);
	c = u->ix_cache = xcalloc(1, sizeof(*c));
	c->sample_index = o->sample_index;
	c->mean = o->mean;
	c->aw = xmalloc(st_mult(n + 1, sizeof(*c->aw)));
	c->adw = o->mean ? xmalloc(st_mult(n + 1, sizeof(*c->adw))) : NULL;
	c->has = xmalloc(n + 1);
	c->refs = xmalloc(st_mult(n + 1, sizeof(*c->refs)));
	for (size_t i = 0; i < n; i++) {
		const size_t at = i * ix->nvt;
		bool acc = mark[i] & VIEW_MARK_ACCEPT;

		c->aw[i] = acc ? ix->self[at + si] : 0;
		if (o->mean)
			c->adw[i] = acc ? ix->self[at] : 0;
		/* a sample counts when its value (or, for mean, its count) is not zero */
		c->has[i] = acc && (ix->self_nz[at + si] || (o->mean && ix->self_nz[at]));
	}
	/* children follow their parents: one backward sweep sums subtrees */
	for (size_t i = n; i-- > 1;) {
		uint32_t par = ix->parent[i];

		c->aw[par] = add64(c->aw[par], c->aw[i]);
		if (o->mean)
			c->adw[par] = add64(c->adw[par], c->adw[i]);
		c->has[par] |= c->has[i];
	}
	/* the frames of each node, gathered in a loop of independent loads */
	c->refs[0].off = c->refs[0].n = 0;
	for (size_t i = 1; i < n; i++)
		c->refs[i] = u->locs[ix->loc[i]];
	return c;
}

/* A node of the index on the current path, and what entering it counted. */
struct ix_open {
	uint32_t node, last; /* last: the path's innermost kept graph node */
	uint32_t flog, elog; /* its entries in the undo logs start here */
	bool residual;
};

/* One thread's walk of index nodes [lo, hi), with state of its own. */
struct ix_walk {
	struct cp_universe *u;
	const struct cp_graph_opts *o;
	const struct ix_cache *c;
	const unsigned char *mark, *kept;
	const unsigned char *live; /* NULL, or: subtrees where live[i] is 0 add nothing */
	bool with_edges;
	uint32_t lo, hi;
	/* per graph node, kept apart so the ones touched most stay in cache */
	int64_t *cum, *cum_div, *flat, *flat_div;
	struct ix_edges et;
	uint32_t *cnt;
	struct ix_open *open;
	size_t nopen, aopen;
	uint32_t *flog, *elog;
	size_t nflog, aflog, nelog, aelog;
};

/*
 * Enter node i: count its frames on the path and, when 'charge', charge
 * them (and their edges) with the subtree's sums the first time they
 * appear on the path.
 */
static ALWAYS_INLINE void ix_enter(struct ix_walk *w, uint32_t i, bool charge)
{
	const struct ix_cache *c = w->c;
	const struct cp_graph_opts *o = w->o;
	const unsigned char *kept = w->kept;
	struct ix_open *op, *top = &w->open[w->nopen - 1];
	uint32_t last = top->last;
	/* nodes between top and i were left off the path: they had no kept frame */
	bool residual = top->residual || top->node != w->u->view->ix->parent[i];
	int64_t aw = c->aw[i], adw = o->mean ? c->adw[i] : 0;

	if (w->nopen == w->aopen) {
		w->aopen *= 2;
		w->open = xrealloc(w->open, st_mult(w->aopen, sizeof(*w->open)));
	}
	op = &w->open[w->nopen++];
	op->node = i;
	op->flog = (uint32_t)w->nflog;
	op->elog = (uint32_t)w->nelog;
	if (w->mark[i] & VIEW_MARK_FRAME) {
		uint32_t nn = c->refs[i].n;
		const uint32_t *ln = nn == 1 ? &c->refs[i].off : w->u->loc_nodes + c->refs[i].off;

		for (uint32_t ni = nn; ni-- > 0;) {
			uint32_t id = ln[ni];

			if (kept && !kept[id]) {
				residual = true;
				continue;
			}
			if (w->nflog == w->aflog) {
				w->aflog *= 2;
				w->flog = xrealloc(w->flog, st_mult(w->aflog, sizeof(*w->flog)));
			}
			w->flog[w->nflog++] = id;
			if (w->cnt[id]++ == 0 && charge) {
				w->cum[id] = add64(w->cum[id], aw);
				if (o->mean)
					w->cum_div[id] = add64(w->cum_div[id], adw);
			}
			if (w->with_edges && last != CP_NONE && id != last &&
			    ((!o->edge_dst && !o->edge_src) || edge_wanted(o, last, id))) {
				uint32_t e = ix_edge(&w->et, last, id);

				if (w->nelog == w->aelog) {
					w->aelog *= 2;
					w->elog = xrealloc(w->elog, st_mult(w->aelog, sizeof(*w->elog)));
				}
				w->elog[w->nelog++] = e;
				if (w->et.onpath[e]++ == 0 && charge) {
					struct edge_slot *es = &w->et.e[e];

					es->stamp = 1; /* charged: the edge exists */
					es->weight = add64(es->weight, aw);
					es->weight_div = add64(es->weight_div, adw);
					es->residual |= residual;
					es->not_inline |= ni == nn - 1;
				}
			}
			last = id;
			residual = false;
		}
	}
	op->last = last;
	op->residual = residual;
}

static void *ix_walk_run(void *arg)
{
	struct ix_walk *w = arg;
	const struct cp_sindex *ix = w->u->view->ix;
	const struct ix_cache *c = w->c;
	const size_t nvt = ix->nvt, si = (size_t)w->o->sample_index;
	uint32_t path[64], *anc = path, nanc = 0;

	w->cum = xcalloc(w->u->ninfos + 1, sizeof(*w->cum));
	w->flat = xcalloc(w->u->ninfos + 1, sizeof(*w->flat));
	if (w->o->mean) {
		w->cum_div = xcalloc(w->u->ninfos + 1, sizeof(*w->cum_div));
		w->flat_div = xcalloc(w->u->ninfos + 1, sizeof(*w->flat_div));
	}
	w->cnt = xcalloc(w->u->ninfos + 1, sizeof(*w->cnt));
	pairmap_reset(&w->et.map, 0);
	w->aopen = 64;
	w->open = xmalloc(st_mult(w->aopen, sizeof(*w->open)));
	w->aflog = w->aelog = 1024;
	w->flog = xmalloc(st_mult(w->aflog, sizeof(*w->flog)));
	w->elog = xmalloc(st_mult(w->aelog, sizeof(*w->elog)));
	w->open[w->nopen++] = (struct ix_open){ .node = 0, .last = CP_NONE };

	/* a walk starting mid-tree enters the path down to lo without charging it */
	for (uint32_t a = w->lo < w->hi ? ix->parent[w->lo] : 0; a != 0 && a != CP_NONE;
	     a = ix->parent[a]) {
		if (nanc == ARRAY_SIZE(path) && anc == path) {
			anc = xmalloc(st_mult(ix->n, sizeof(*anc)));
			copy_n(anc, path, sizeof(path));
		}
		anc[nanc++] = a;
	}
	while (nanc)
		ix_enter(w, anc[--nanc], false);
	if (anc != path)
		free(anc);

	for (uint32_t i = w->lo; i < w->hi;) {
		const struct ix_open *top;

		while (ix->end[w->open[w->nopen - 1].node] <= i) {
			const struct ix_open *op = &w->open[--w->nopen];

			for (size_t k = op->flog; k < w->nflog; k++)
				w->cnt[w->flog[k]]--;
			for (size_t k = op->elog; k < w->nelog; k++)
				w->et.onpath[w->elog[k]]--;
			w->nflog = op->flog;
			w->nelog = op->elog;
		}
		if (!c->has[i] || (w->live && !w->live[i])) {
			i = ix->end[i];
			continue;
		}
		if (w->kept && (w->mark[i] & VIEW_MARK_FRAME)) {
			/* a node without a kept frame only makes the path residual */
			uint32_t nn = c->refs[i].n, k = 0;
			const uint32_t *ln = nn == 1 ? &c->refs[i].off : w->u->loc_nodes + c->refs[i].off;

			while (k < nn && !w->kept[ln[k]])
				k++;
			if (k == nn) {
				i++;
				continue;
			}
		}
		if (i + 16 < w->hi && c->refs[i + 16].n == 1) {
			/* the walk waits on memory: ask for a later node's counters now */
			__builtin_prefetch(&w->cum[c->refs[i + 16].off], 1);
			__builtin_prefetch(&w->cnt[c->refs[i + 16].off], 1);
		}
		ix_enter(w, i, true);
		top = &w->open[w->nopen - 1];
		if ((w->mark[i] & VIEW_MARK_ACCEPT) && top->last != CP_NONE && !top->residual) {
			const size_t at = (size_t)i * nvt;

			w->flat[top->last] = add64(w->flat[top->last], ix->self[at + si]);
			if (w->o->mean)
				w->flat_div[top->last] = add64(w->flat_div[top->last], ix->self[at]);
		}
		i++;
	}
	free(w->cnt);
	free(w->open);
	free(w->flog);
	free(w->elog);
	return NULL;
}

/* Below this many index nodes a second thread costs more than it saves. */
#ifndef PARALLEL_MIN_INDEX_NODES
#define PARALLEL_MIN_INDEX_NODES 100000
#endif

static struct cp_graph *graph_build_index(struct cp_universe *u, const struct cp_graph_opts *o,
					  const unsigned char *kept, bool with_edges,
					  const struct cp_graph *known)
{
	const struct cp_sindex *ix = u->view->ix;
	struct cp_graph *g = xcalloc(1, sizeof(*g));
	size_t nu = u->ninfos + 1;
	struct ix_walk w[2];
	struct cp_node_stat *st;
	pthread_t th;
	bool threaded = false;

	const struct ix_cache *c = ix_cache_get(u, o);
	unsigned char *live = NULL;

	memset(w, 0, sizeof(w));
	if (known && kept) {
		/*
		 * Only edges into kept nodes are wanted (and, without edge_src,
		 * only into those edge_dst names): a subtree without such a frame
		 * adds none.
		 */
		const unsigned char *dst = o->edge_src ? NULL : o->edge_dst;

		const struct cp_profile *p = u->view->p;
		unsigned char *want = xcalloc(p->nlocations + 1, 1);

		for (uint32_t l = 0; l < p->nlocations; l++) {
			uint32_t nn;
			const uint32_t *ln = universe_loc_nodes(u, l, &nn);

			for (uint32_t k = 0; k < nn && !want[l]; k++)
				want[l] = kept[ln[k]] && (!dst || dst[ln[k]]);
		}
		live = xcalloc(ix->n + 1, 1);
		for (size_t i = ix->n; i-- > 1;) {
			live[i] |= want[ix->loc[i]];
			live[ix->parent[i]] |= live[i];
		}
		free(want);
	}
	for (int k = 0; k < 2; k++) {
		w[k].u = u;
		w[k].o = o;
		w[k].c = c;
		w[k].mark = view_lazy_marks(u->view);
		w[k].kept = kept;
		w[k].live = live;
		w[k].with_edges = with_edges;
	}
	w[0].lo = 1;
	w[0].hi = (uint32_t)ix->n;
	if (ix->n >= PARALLEL_MIN_INDEX_NODES) {
		w[0].hi = (uint32_t)(ix->n / 2);
		w[1].lo = w[0].hi;
		w[1].hi = (uint32_t)ix->n;
		threaded = !pthread_create(&th, NULL, ix_walk_run, &w[1]);
		if (!threaded)
			w[0].hi = (uint32_t)ix->n;
	}
	ix_walk_run(&w[0]);
	if (threaded)
		pthread_join(th, NULL);
	st = xcalloc(nu, sizeof(*st));
	for (int k = 0; k < (threaded ? 2 : 1); k++) {
		for (size_t id = 0; id < nu; id++) {
			st[id].flat = add64(st[id].flat, w[k].flat[id]);
			st[id].cum = add64(st[id].cum, w[k].cum[id]);
			if (o->mean) {
				st[id].flat_div = add64(st[id].flat_div, w[k].flat_div[id]);
				st[id].cum_div = add64(st[id].cum_div, w[k].cum_div[id]);
			}
		}
	}
	for (int k = 0; k < 2; k++) {
		free(w[k].cum);
		free(w[k].cum_div);
		free(w[k].flat);
		free(w[k].flat_div);
	}
	free(live);
	g->u = u;
	g->nids = nu;
	g->stat = st;
	if (known) {
		for (size_t id = 0; id < nu; id++)
			if (!kept || kept[id])
				st[id] = known->stat[id];
	}
	if (with_edges) {
		size_t ne = w[0].et.n + (threaded ? w[1].et.n : 0), n0 = w[0].et.n;
		/* per edge of the first half's table: its index in g->edges */
		uint32_t *pos = xmalloc(st_mult(n0 + 1, sizeof(*pos)));

		g->edges = xmalloc(st_mult(ne + 1, sizeof(*g->edges)));
		for (int k = 0; k < (threaded ? 2 : 1); k++) {
			for (size_t i = 0; i < w[k].et.n; i++) {
				const struct edge_slot *e = &w[k].et.e[i];
				struct cp_edge *ed = NULL;

				if (k == 0)
					pos[i] = CP_NONE;
				/* only entered on the way to the second half's first node */
				if (!e->stamp)
					continue;
				if (k == 1) {
					/* an edge both halves saw: fold into the first's */
					uint32_t x = ix_edge(&w[0].et, (uint32_t)(e->key >> 32),
							     (uint32_t)e->key);

					if (x < n0 && pos[x] != CP_NONE)
						ed = &g->edges[pos[x]];
				}
				if (!ed) {
					if (k == 0)
						pos[i] = (uint32_t)g->nedges;
					ed = &g->edges[g->nedges++];
					memset(ed, 0, sizeof(*ed));
					ed->src = (uint32_t)(e->key >> 32);
					ed->dst = (uint32_t)e->key;
					ed->is_inline = true;
				}
				ed->weight = add64(ed->weight, e->weight);
				ed->weight_div = add64(ed->weight_div, e->weight_div);
				ed->residual |= e->residual;
				ed->is_inline &= !e->not_inline;
			}
		}
		free(pos);
	}
	for (int k = 0; k < 2; k++) {
		pairmap_release(&w[k].et.map);
		free(w[k].et.e);
		free(w[k].et.onpath);
	}
	return g;
}

/*
 * graph_build; 'known' (NULL: none) is a graph over the same universe and
 * options whose kept nodes include these: its flat and cum are taken, and
 * the walk only collects edges.  A node's flat and cum do not depend on
 * which other nodes are kept.
 */
static struct cp_graph *graph_build_from(struct cp_universe *u, const struct cp_graph_opts *o,
					 const unsigned char *kept, bool with_edges,
					 const struct cp_graph *known)
{
	const struct cp_view *v = u->view;
	struct cp_graph *g;
	size_t nu = u->ninfos + 1, frames = 0, half = 0;
	struct build_part parts[2];
	struct cp_node_stat *st;
	unsigned char *used;
	pthread_t th;
	bool threaded = false;

	if (v->ix) {
		/* tags need the samples: a caller wanting them fills them in first */
		assert(!o->tags || v->lazy_filled);
		g = graph_build_index(u, o, kept, with_edges, known);
		st = g->stat;
		goto nodes;
	}
	g = xcalloc(1, sizeof(*g));
	used = locations_used(u, o, kept, !known);
	for (size_t i = 0; i < v->nsamples; i++)
		frames += v->samples[i].depth;
	for (int k = 0; k < 2; k++) {
		memset(&parts[k], 0, sizeof(parts[k]));
		parts[k].u = u;
		parts[k].o = o;
		parts[k].kept = kept;
		parts[k].with_edges = with_edges;
		parts[k].stats = !known;
		parts[k].loc_used = used;
	}
	parts[0].last = v->nsamples;
	if (frames >= PARALLEL_MIN_FRAMES) {
		/* split at half the frames, not half the samples */
		size_t acc = 0;

		for (half = 0; half < v->nsamples && acc < frames / 2; half++)
			acc += v->samples[half].depth;
		parts[0].last = half;
		parts[1].first = half;
		parts[1].last = v->nsamples;
		threaded = !pthread_create(&th, NULL, build_part_run, &parts[1]);
		if (!threaded)
			parts[0].last = v->nsamples;
	}
	build_part_run(&parts[0]);
	if (threaded) {
		pthread_join(th, NULL);
		build_part_merge(&parts[0], &parts[1], nu);
	}
	free(used);
	g->u = u;
	g->nids = nu;
	st = g->stat = parts[0].st;
	if (known) {
		for (size_t id = 0; id < nu; id++)
			if (!kept || kept[id])
				st[id] = known->stat[id];
	}

	if (with_edges) {
		struct edge_table *et = &parts[0].et;

		g->edges = xmalloc(st_mult(et->count + 1, sizeof(*g->edges)));
		for (size_t i = 0; i <= et->mask; i++) {
			const struct edge_slot *e = &et->slots[i];
			struct cp_edge *ed;

			if (!e->key)
				continue;
			ed = &g->edges[g->nedges++];
			ed->src = (uint32_t)(e->key >> 32);
			ed->dst = (uint32_t)e->key;
			ed->weight = e->weight;
			ed->weight_div = e->weight_div;
			ed->residual = e->residual;
			ed->is_inline = !e->not_inline;
			ed->dropped = false;
		}
		free(et->slots);
	}

nodes:
	g->nodes = xmalloc(st_mult(nu, sizeof(uint32_t)));
	for (uint32_t id = 0; id < u->ninfos; id++) {
		if (kept && !kept[id])
			continue;
		if (st[id].cum == 0 && st[id].flat == 0)
			continue;
		if (o->drop_negative && (st[id].flat < 0 || (st[id].flat == 0 && st[id].cum < 0)))
			continue;
		g->nodes[g->nnodes++] = id;
	}
	if (o->tags)
		collect_tags(g, o, kept);
	return g;
}

struct cp_graph *graph_build(struct cp_universe *u, const struct cp_graph_opts *o,
			     const unsigned char *kept, bool with_edges)
{
	return graph_build_from(u, o, kept, with_edges, NULL);
}

void graph_free(struct cp_graph *g)
{
	if (!g)
		return;
	free(g->stat);
	free(g->nodes);
	free(g->edges);
	free(g->info);
	free(g->func_key);
	free(g->tags);
	free(g);
}

/* Go's fmt.Sprint of a NodeInfo, pprof's last tie-breaker. */
static void info_string(const struct cp_graph *g, uint32_t id, struct buf *b)
{
	const struct cp_universe *u = g->u;
	const struct cp_node_info *ni = graph_info(g, id);

	buf_reset(b);
	buf_addf(b, "{%s %s %" PRIu64 " %s %" PRId64 " %" PRId64 " %" PRId64 " %s}",
		 strtab_str(&u->names, ni->name), strtab_str(&u->names, ni->orig_name), ni->address,
		 strtab_str(&u->names, ni->file), ni->start_line, ni->lineno, ni->columnno,
		 strtab_str(&u->names, ni->objfile));
}

const char *graph_name(const struct cp_graph *g, uint32_t id)
{
	return universe_printable(g->u, graph_info_id(g, id));
}

/* Universe id of ni with address, line and column cleared (interned on demand). */
static uint32_t function_info(struct cp_universe *u, uint32_t id)
{
	struct cp_node_info fi = u->infos[id];

	if (!fi.address && !fi.lineno && !fi.columnno)
		return id;
	fi.address = 0;
	fi.lineno = 0;
	fi.columnno = 0;
	id = universe_intern(u, &fi);
	if (u->ninfos > u->nprintable) {
		u->printable = xrealloc(u->printable, (u->ninfos + 1) * sizeof(*u->printable));
		memset(u->printable + u->nprintable, 0,
		       (u->ninfos + 1 - u->nprintable) * sizeof(*u->printable));
		u->nprintable = u->ninfos + 1;
	}
	return id;
}

uint64_t graph_function_key(struct cp_graph *g, uint32_t id)
{
	if (g->func_key)
		return g->func_key[id];
	return function_info(g->u, id);
}

struct cp_graph *graph_build_tree(struct cp_universe *u, const struct cp_graph_opts *o)
{
	const struct cp_view *v = u->view;
	const struct cp_profile *p = v->p;
	struct cp_graph *g = xcalloc(1, sizeof(*g));
	size_t anodes = 0, nvt = p->nsample_types;
	struct idmap children, edges;
	struct tag_table tt;
	uint32_t *path = NULL;
	size_t npath, apath = 0;

	idmap_init(&children, 1024);
	idmap_init(&edges, 1024);
	g->u = u;
	tag_table_init(&tt, g);
	for (size_t i = 0; i < v->nsamples; i++) {
		const struct cp_vsample *s = &v->samples[i];
		const int64_t *vals = p->values + (size_t)s->sample * nvt;
		const uint32_t *stk = v->stack + s->stack_off;
		int64_t w = vals[o->sample_index], dw = o->mean ? vals[0] : 0;
		uint32_t parent = CP_NONE;

		if (w == 0 && dw == 0)
			continue;
		npath = 0;
		for (uint32_t k = s->depth; k-- > 0;) {
			uint32_t n;
			const uint32_t *ln = universe_loc_nodes(u, stk[k], &n);

			for (uint32_t li = n; li-- > 0;) {
				uint64_t key =
					((uint64_t)(parent == CP_NONE ? 0 : parent + 1) << 32 |
					 ln[li]) +
					1;
				uint32_t id;

				if (!idmap_get(&children, key, &id)) {
					id = (uint32_t)g->nids++;
					if (g->nids > anodes) {
						size_t old = anodes;

						anodes = anodes ? anodes * 2 : 1024;
						g->stat = xrealloc(g->stat,
								   anodes * sizeof(*g->stat));
						g->info = xrealloc(g->info,
								   anodes * sizeof(*g->info));
						g->func_key = xrealloc(
							g->func_key, anodes * sizeof(*g->func_key));
						memset(g->stat + old, 0,
						       (anodes - old) * sizeof(*g->stat));
					}
					g->info[id] = ln[li];
					g->func_key[id] =
						(uint64_t)(parent == CP_NONE ? 0 : parent + 1)
							<< 32 |
						function_info(u, ln[li]);
					idmap_put(&children, key, id);
				}
				g->stat[id].cum = add64(g->stat[id].cum, w);
				g->stat[id].cum_div = add64(g->stat[id].cum_div, dw);
				if (parent != CP_NONE) {
					uint64_t ekey = ((uint64_t)parent << 32 | id) + 1;
					uint32_t e;

					if (!idmap_get(&edges, ekey, &e)) {
						e = (uint32_t)g->nedges;
						g->edges = xrealloc(g->edges,
								    (g->nedges + 1) *
									    sizeof(*g->edges));
						memset(&g->edges[e], 0, sizeof(g->edges[e]));
						g->edges[e].src = parent;
						g->edges[e].dst = id;
						g->edges[e].is_inline = true;
						g->nedges++;
						idmap_put(&edges, ekey, e);
					}
					g->edges[e].weight = add64(g->edges[e].weight, w);
					g->edges[e].weight_div = add64(g->edges[e].weight_div, dw);
					if (li == n - 1)
						g->edges[e].is_inline = false;
				}
				parent = id;
				if (o->tags) {
					ALLOC_GROW(path, npath + 1, apath);
					path[npath++] = id;
				}
			}
		}
		if (parent != CP_NONE) {
			g->stat[parent].flat = add64(g->stat[parent].flat, w);
			g->stat[parent].flat_div = add64(g->stat[parent].flat_div, dw);
		}
		if (o->tags && sample_has_tags(o->tags, i)) {
			for (size_t k = 0; k < npath; k++)
				tag_add(&tt, o->tags, i, path[k], w, dw, false);
			if (parent != CP_NONE)
				tag_add(&tt, o->tags, i, parent, w, dw, true);
		}
	}
	free(path);
	free(tt.slots);
	idmap_release(&children);
	idmap_release(&edges);
	g->nodes = xmalloc(st_mult(g->nids + 1, sizeof(uint32_t)));
	for (uint32_t id = 0; id < g->nids; id++) {
		const struct cp_node_stat *st = &g->stat[id];

		if (st->cum == 0 && st->flat == 0)
			continue;
		if (o->drop_negative && (st->flat < 0 || (st->flat == 0 && st->cum < 0)))
			continue;
		g->nodes[g->nnodes++] = id;
	}
	return g;
}

static _Thread_local struct cp_graph *sort_graph;
static _Thread_local enum cp_node_order sort_order;
static int64_t *sort_score; /* entropy order: per node id */

static int node_cmp(const void *a, const void *b)
{
	struct cp_graph *g = sort_graph;
	uint32_t l = *(const uint32_t *)a, r = *(const uint32_t *)b;
	int64_t lv, rv;
	int c;

	if (sort_order == CP_ORDER_FLAT) {
		lv = abs64(g->stat[l].flat);
		rv = abs64(g->stat[r].flat);
	} else if (sort_order == CP_ORDER_CUM) {
		lv = abs64(g->stat[l].cum);
		rv = abs64(g->stat[r].cum);
	} else {
		lv = abs64(sort_score[l]);
		rv = abs64(sort_score[r]);
	}
	if (lv != rv)
		return lv > rv ? -1 : 1;
	c = strcmp(graph_name(g, l), graph_name(g, r));
	if (c)
		return c;
	if (sort_order == CP_ORDER_FLAT) {
		lv = abs64(g->stat[l].cum);
		rv = abs64(g->stat[r].cum);
	} else {
		lv = abs64(g->stat[l].flat);
		rv = abs64(g->stat[r].flat);
	}
	if (lv != rv)
		return lv > rv ? -1 : 1;
	{
		struct buf x = BUF_INIT, y = BUF_INIT;

		buf_init(&x);
		buf_init(&y);
		info_string(g, l, &x);
		info_string(g, r, &y);
		c = strcmp(x.buf, y.buf);
		buf_release(&x);
		buf_release(&y);
	}
	if (c)
		return c;
	/* equal nodes of a call tree (pprof leaves their order to chance) */
	return l < r ? -1 : l > r;
}

/* Entropy of the weights of a node's edges (plus 'self'), in bits. */
static double edge_entropy(const struct cp_graph *g, const uint32_t *edges, uint32_t n,
			   int64_t self)
{
	double score = 0;
	int64_t total = self;

	for (uint32_t i = 0; i < n; i++)
		if (g->edges[edges[i]].weight > 0)
			total = add64(total, abs64(g->edges[edges[i]].weight)); /* Go's wrap */
	if (total == 0)
		return 0;
	for (uint32_t i = 0; i < n; i++) {
		double frac = (double)abs64(g->edges[edges[i]].weight) / (double)total;

		score += -frac * log2(frac);
	}
	if (self > 0) {
		double frac = (double)abs64(self) / (double)total;

		score += -frac * log2(frac);
	}
	return score;
}

static int64_t *entropy_scores(struct cp_graph *g)
{
	int64_t *score = xcalloc(g->nids + 1, sizeof(*score));
	struct cp_adjacency adj;

	graph_adjacency(g, &adj);
	for (size_t i = 0; i < g->nnodes; i++) {
		uint32_t id = g->nodes[i];
		const struct cp_node_stat *st = &g->stat[id];
		double sc = 0;

		if (adj.in_n[id] == 0)
			sc += 1;
		else
			sc += edge_entropy(g, adj.ins + adj.in_off[id], adj.in_n[id], 0);
		if (adj.out_n[id] == 0)
			sc += 1;
		else
			sc += edge_entropy(g, adj.outs + adj.out_off[id], adj.out_n[id], st->flat);
		score[id] = (int64_t)((uint64_t)f2i64(sc * (double)st->cum) + (uint64_t)st->flat);
	}
	graph_adjacency_release(&adj);
	return score;
}

void graph_sort(struct cp_graph *g, enum cp_node_order order)
{
	sort_graph = g;
	sort_order = order;
	if (order == CP_ORDER_ENTROPY)
		sort_score = entropy_scores(g);
	qsort(g->nodes, g->nnodes, sizeof(uint32_t), node_cmp);
	free(sort_score);
	sort_score = NULL;
	sort_graph = NULL;
}

static _Thread_local struct cp_graph *edge_sort_graph;

static int edge_cmp(const void *a, const void *b)
{
	struct cp_graph *g = edge_sort_graph;
	const struct cp_edge *x = &g->edges[*(const uint32_t *)a];
	const struct cp_edge *y = &g->edges[*(const uint32_t *)b];
	int c;

	/* pprof's edgeList.Less: compares |w| only when the weights differ */
	if (x->weight != y->weight && abs64(x->weight) != abs64(y->weight))
		return abs64(x->weight) > abs64(y->weight) ? -1 : 1;
	c = strcmp(graph_name(g, x->src), graph_name(g, y->src));
	if (c)
		return c;
	c = strcmp(graph_name(g, x->dst), graph_name(g, y->dst));
	if (c)
		return c;
	/*
	 * Distinct nodes can print alike: pprof's order is then whatever its
	 * map gave; ours follows the node ids, so it does not depend on how
	 * the edges were collected.
	 */
	if (x->src != y->src)
		return x->src < y->src ? -1 : 1;
	return x->dst < y->dst ? -1 : x->dst > y->dst;
}

void graph_sort_edges(struct cp_graph *g, uint32_t *idx, size_t n)
{
	edge_sort_graph = g;
	qsort(idx, n, sizeof(uint32_t), edge_cmp);
	edge_sort_graph = NULL;
}

void graph_adjacency(struct cp_graph *g, struct cp_adjacency *adj)
{
	size_t nu = g->nids, ni = 0, no = 0;

	adj->in_off = xcalloc(nu, sizeof(uint32_t));
	adj->in_n = xcalloc(nu, sizeof(uint32_t));
	adj->out_off = xcalloc(nu, sizeof(uint32_t));
	adj->out_n = xcalloc(nu, sizeof(uint32_t));
	adj->ins = xmalloc(st_mult(g->nedges + 1, sizeof(uint32_t)));
	adj->outs = xmalloc(st_mult(g->nedges + 1, sizeof(uint32_t)));
	for (size_t e = 0; e < g->nedges; e++) {
		if (g->edges[e].dropped)
			continue;
		adj->in_n[g->edges[e].dst]++;
		adj->out_n[g->edges[e].src]++;
	}
	for (size_t id = 0; id < nu; id++) {
		adj->in_off[id] = (uint32_t)ni;
		adj->out_off[id] = (uint32_t)no;
		ni += adj->in_n[id];
		no += adj->out_n[id];
		adj->in_n[id] = adj->out_n[id] = 0;
	}
	for (size_t e = 0; e < g->nedges; e++) {
		const struct cp_edge *ed = &g->edges[e];

		if (ed->dropped)
			continue;
		adj->ins[adj->in_off[ed->dst] + adj->in_n[ed->dst]++] = (uint32_t)e;
		adj->outs[adj->out_off[ed->src] + adj->out_n[ed->src]++] = (uint32_t)e;
	}
	edge_sort_graph = g;
	for (size_t id = 0; id < nu; id++) {
		qsort(adj->ins + adj->in_off[id], adj->in_n[id], sizeof(uint32_t), edge_cmp);
		qsort(adj->outs + adj->out_off[id], adj->out_n[id], sizeof(uint32_t), edge_cmp);
	}
	edge_sort_graph = NULL;
}

void graph_adjacency_release(struct cp_adjacency *adj)
{
	free(adj->in_off);
	free(adj->in_n);
	free(adj->out_off);
	free(adj->out_n);
	free(adj->ins);
	free(adj->outs);
	memset(adj, 0, sizeof(*adj));
}

int graph_trim_edges(struct cp_graph *g, int64_t cutoff)
{
	unsigned char *listed = xcalloc(g->nids, 1);
	int dropped = 0;

	for (size_t i = 0; i < g->nnodes; i++)
		listed[g->nodes[i]] = 1;
	for (size_t e = 0; e < g->nedges; e++) {
		struct cp_edge *ed = &g->edges[e];

		if (!ed->dropped && listed[ed->dst] && abs64(ed->weight) < cutoff) {
			ed->dropped = true;
			dropped++;
		}
	}
	free(listed);
	return dropped;
}

static unsigned char *kept_set(const struct cp_graph *g, size_t n, int64_t cutoff, size_t *count)
{
	unsigned char *kept = xcalloc(g->nids, 1);

	*count = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t id = g->nodes[i];

		if (abs64(g->stat[id].cum) < cutoff)
			continue;
		kept[id] = 1;
		(*count)++;
	}
	return kept;
}

/*
 * The nodes of g that kept keeps (all when NULL) with their flat and cum,
 * no edges: what graph_build_from(u, o, kept, false, g) gives, without a
 * walk.
 */
static struct cp_graph *graph_subset(const struct cp_graph *g, const unsigned char *kept)
{
	struct cp_graph *s = xcalloc(1, sizeof(*s));

	s->u = g->u;
	s->nids = g->nids;
	s->stat = xcalloc(g->nids + 1, sizeof(*s->stat));
	s->nodes = xmalloc(st_mult(g->nnodes + 1, sizeof(*s->nodes)));
	for (size_t i = 0; i < g->nnodes; i++) {
		uint32_t id = g->nodes[i];

		if (kept && !kept[id])
			continue;
		s->stat[id] = g->stat[id];
		s->nodes[s->nnodes++] = id;
	}
	return s;
}

/* Tags per node that count against nodecount in a drawing (pprof's countTags). */
static size_t visual_node_count(const struct cp_graph *g, int nodecount)
{
	uint32_t *ntags = xcalloc(g->nids + 1, sizeof(*ntags));
	size_t count = 0, n = (size_t)nodecount;

	for (size_t i = 0; i < g->ntags; i++)
		if (!g->tags[i].dropped && g->tags[i].flat != 0)
			ntags[g->tags[i].node]++;
	for (size_t i = 0; i < g->nnodes; i++) {
		count += (ntags[g->nodes[i]] > 4 ? 4 : ntags[g->nodes[i]]) + 1;
		if (count >= (size_t)nodecount) {
			n = i + 1;
			break;
		}
	}
	free(ntags);
	return n;
}

/* Can e->src reach e->dst without e?  (Backwards search over in-edges.) */
static bool edge_redundant(const struct cp_graph *g, const struct cp_adjacency *adj, uint32_t e,
			   uint32_t *seen, uint32_t gen, uint32_t *queue)
{
	const struct cp_edge *ed = &g->edges[e];
	size_t head = 0, tail = 0;

	seen[ed->dst] = gen;
	queue[tail++] = ed->dst;
	while (head < tail) {
		uint32_t n = queue[head++];

		for (uint32_t k = 0; k < adj->in_n[n]; k++) {
			uint32_t ie = adj->ins[adj->in_off[n] + k];
			uint32_t src = g->edges[ie].src;

			if (ie == e || g->edges[ie].dropped || seen[src] == gen)
				continue;
			if (src == ed->src)
				return true;
			seen[src] = gen;
			queue[tail++] = src;
		}
	}
	return false;
}

/*
 * pprof's RemoveRedundantEdges: drop residual edges whose endpoints stay
 * connected, lightest first, never past a real edge.
 */
static void remove_redundant_edges(struct cp_graph *g)
{
	struct cp_adjacency adj;
	uint32_t *seen = xcalloc(g->nids + 1, sizeof(*seen));
	uint32_t *queue = xmalloc(st_mult(g->nids + 1, sizeof(*queue)));
	uint32_t gen = 0;

	graph_adjacency(g, &adj);
	for (size_t i = g->nnodes; i-- > 0;) {
		uint32_t id = g->nodes[i];

		for (uint32_t k = adj.in_n[id]; k-- > 0;) {
			uint32_t e = adj.ins[adj.in_off[id] + k];

			if (!g->edges[e].residual)
				break;
			if (edge_redundant(g, &adj, e, seen, ++gen, queue))
				g->edges[e].dropped = true;
		}
	}
	graph_adjacency_release(&adj);
	free(seen);
	free(queue);
}

/*
 * pprof's TrimTree: keep the call tree's nodes with kept[id], hanging each
 * kept node under its nearest kept ancestor by a residual edge.
 */
static void trim_tree(struct cp_graph *g, const unsigned char *kept)
{
	size_t nu = g->nids + 1, n = 0;
	uint32_t *in = xcalloc(nu, sizeof(*in)); /* in-edge + 1 */
	uint32_t *head = xcalloc(nu, sizeof(*head)), *tail = xcalloc(nu, sizeof(*tail));
	uint32_t *next = xcalloc(g->nedges + 1, sizeof(*next)); /* out lists, edge + 1 */

	for (size_t e = 0; e < g->nedges; e++) {
		const struct cp_edge *ed = &g->edges[e];

		if (ed->dropped)
			continue;
		in[ed->dst] = (uint32_t)e + 1;
		if (tail[ed->src])
			next[tail[ed->src] - 1] = (uint32_t)e + 1;
		else
			head[ed->src] = (uint32_t)e + 1;
		tail[ed->src] = (uint32_t)e + 1;
	}
	for (size_t i = 0; i < g->nnodes; i++) {
		uint32_t cur = g->nodes[i], parent;
		struct cp_edge *up;

		if (kept[cur]) {
			g->nodes[n++] = cur;
			continue;
		}
		if (!in[cur]) {
			/* a root: its children become roots */
			for (uint32_t e = head[cur]; e; e = next[e - 1]) {
				if (g->edges[e - 1].src != cur || g->edges[e - 1].dropped)
					continue;
				g->edges[e - 1].dropped = true;
				in[g->edges[e - 1].dst] = 0;
			}
			continue;
		}
		up = &g->edges[in[cur] - 1];
		parent = up->src;
		up->dropped = true;
		for (uint32_t e = head[cur]; e; e = next[e - 1]) {
			struct cp_edge *ed = &g->edges[e - 1];

			if (ed->src != cur || ed->dropped)
				continue;
			ed->src = parent;
			ed->residual = true;
			ed->is_inline = up->is_inline && ed->is_inline;
		}
		if (head[cur]) {
			if (tail[parent])
				next[tail[parent] - 1] = head[cur];
			else
				head[parent] = head[cur];
			tail[parent] = tail[cur];
			head[cur] = tail[cur] = 0;
		}
	}
	g->nnodes = n;
	free(in);
	free(head);
	free(tail);
	free(next);
	remove_redundant_edges(g);
}

/* newTrimmedGraph for a call tree: trimmed in place, never rebuilt. */
static struct cp_graph *tree_trimmed(struct cp_universe *u, const struct cp_graph_opts *go,
				     const struct cp_trim_opts *to, struct cp_trim_result *res)
{
	struct cp_graph *g = graph_build_tree(u, go);
	int64_t total = 0, node_cutoff, edge_cutoff;
	unsigned char *kept;
	size_t count;

	memset(res, 0, sizeof(*res));
	for (size_t i = 0; i < g->nnodes; i++)
		total = add64(total, g->stat[g->nodes[i]].flat);
	node_cutoff = abs64((int64_t)((double)total * to->nodefraction));
	edge_cutoff = abs64((int64_t)((double)total * to->edgefraction));
	if (node_cutoff > 0) {
		kept = kept_set(g, g->nnodes, node_cutoff, &count);
		if (count != g->nnodes) {
			res->dropped_nodes = (int)(g->nnodes - count);
			trim_tree(g, kept);
		}
		free(kept);
	}
	res->orig_count = (int)g->nnodes;
	graph_sort(g, CP_ORDER_ENTROPY);
	if (to->nodecount > 0) {
		size_t n;

		graph_trim_tags(g, node_cutoff);
		graph_trim_edges(g, edge_cutoff);
		n = visual_node_count(g, to->nodecount);
		if (n < g->nnodes) {
			kept = kept_set(g, n, 0, &count);
			trim_tree(g, kept);
			free(kept);
			graph_sort(g, CP_ORDER_ENTROPY);
		}
	}
	graph_trim_tags(g, node_cutoff);
	res->dropped_edges = graph_trim_edges(g, edge_cutoff);
	remove_redundant_edges(g);
	return g;
}

struct cp_graph *graph_trimmed(struct cp_universe *u, const struct cp_graph_opts *go,
			       const struct cp_trim_opts *to, struct cp_trim_result *res)
{
	/* the first pass only decides which nodes survive nodefraction: no edges */
	struct cp_graph_opts first = *go;
	struct cp_graph *g;
	enum cp_node_order order = to->visual	? CP_ORDER_ENTROPY :
				   to->cum_sort ? CP_ORDER_CUM :
						  CP_ORDER_FLAT;
	int64_t total = 0, node_cutoff, edge_cutoff;
	unsigned char *kept = NULL;
	size_t count;

	if (to->visual && to->call_tree)
		return tree_trimmed(u, go, to, res);
	if (to->nodefraction != 0)
		first.tags = NULL;
	g = graph_build(u, &first, NULL, to->nodefraction == 0);
	memset(res, 0, sizeof(*res));
	for (size_t i = 0; i < g->nnodes; i++)
		total = add64(total, g->stat[g->nodes[i]].flat);
	node_cutoff = abs64((int64_t)((double)total * to->nodefraction));
	edge_cutoff = abs64((int64_t)((double)total * to->edgefraction));

	if (node_cutoff > 0) {
		kept = kept_set(g, g->nnodes, node_cutoff, &count);
		if (count != g->nnodes)
			res->dropped_nodes = (int)(g->nnodes - count);
		else
			free(kept), kept = NULL;
	}
	if (to->nodefraction != 0 && !to->visual && to->nodecount > 0) {
		/*
		 * A text report sorts by flat or cum, which the first pass knows:
		 * when nodecount cuts the list, only the graph of the nodes left
		 * needs edges, and one walk less is made.
		 */
		struct cp_graph *sub = graph_subset(g, kept);

		graph_sort(sub, order);
		if ((size_t)to->nodecount < sub->nnodes) {
			unsigned char *top = kept_set(sub, (size_t)to->nodecount, 0, &count);

			res->orig_count = (int)sub->nnodes;
			graph_free(g);
			g = graph_build_from(u, go, top, true, sub);
			graph_free(sub);
			free(top);
			free(kept);
			graph_sort(g, order);
			res->dropped_edges = graph_trim_edges(g, edge_cutoff);
			return g;
		}
		graph_free(sub);
	}
	if (to->nodefraction != 0) {
		struct cp_graph *first_g = g;

		g = graph_build_from(u, go, kept, true, first_g);
		graph_free(first_g);
	}
	free(kept);
	res->orig_count = (int)g->nnodes;
	graph_sort(g, order);
	if (to->nodecount > 0) {
		size_t n = (size_t)to->nodecount;

		if (to->visual)
			graph_trim_tags(g, node_cutoff);
		graph_trim_edges(g, edge_cutoff);
		if (to->visual)
			n = visual_node_count(g, to->nodecount);
		if (n < g->nnodes) {
			struct cp_graph *all = g;

			kept = kept_set(g, n, 0, &count);
			g = graph_build_from(u, go, kept, true, all);
			graph_free(all);
			free(kept);
			graph_sort(g, order);
		}
	}
	if (to->visual)
		graph_trim_tags(g, node_cutoff);
	res->dropped_edges = graph_trim_edges(g, edge_cutoff);
	if (to->visual)
		remove_redundant_edges(g);
	return g;
}
