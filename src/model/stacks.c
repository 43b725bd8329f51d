#include "model/compat.h"
#include "model/alloc.h"
#include "model/hash.h"
#include "model/sindex.h"
#include "model/stacks.h"

/*
 * The trie is built one level at a time: every sample still descending takes
 * its next frame, and the (parent, frame) pairs of that level are merged in a
 * hash table that holds only that level's nodes.  The table stays small
 * enough to live in cache, the lookups of different samples do not wait for
 * each other, and the samples' stacks are read in address order: on large
 * profiles this is several times faster than walking one sample at a time
 * through a table of all nodes.  Nodes come out level by level, so a parent
 * always precedes its children.
 */
struct builder {
	struct cp_stacks *s;
	size_t alloc;
	struct pairmap level; /* (parent, frame) -> child, this level's nodes only */
};

static uint32_t new_node(struct builder *b, uint32_t parent, uint32_t frame)
{
	struct cp_stacks *s = b->s;

	if (s->n + 1 > b->alloc) {
		size_t na = b->alloc < 1024 ? 1024 : b->alloc + b->alloc / 2;

		s->frame = xrealloc(s->frame, st_mult(na, sizeof(*s->frame)));
		s->parent = xrealloc(s->parent, st_mult(na, sizeof(*s->parent)));
		s->depth = xrealloc(s->depth, st_mult(na, sizeof(*s->depth)));
		s->flags = xrealloc(s->flags, na);
		s->pos = xrealloc(s->pos, st_mult(na, sizeof(*s->pos)));
		if (s->diff) {
			s->neg = xrealloc(s->neg, st_mult(na, sizeof(*s->neg)));
			s->cnt_pos = xrealloc(s->cnt_pos, st_mult(na, sizeof(*s->cnt_pos)));
			s->cnt_neg = xrealloc(s->cnt_neg, st_mult(na, sizeof(*s->cnt_neg)));
		}
		b->alloc = na;
	}
	s->frame[s->n] = frame;
	s->parent[s->n] = parent;
	s->depth[s->n] = parent == CP_NONE ? 0 : s->depth[parent] + 1;
	if (s->depth[s->n] > s->max_depth)
		s->max_depth = s->depth[s->n];
	s->flags[s->n] = 0;
	memset(&s->pos[s->n], 0, sizeof(*s->pos));
	if (s->diff) {
		memset(&s->neg[s->n], 0, sizeof(*s->neg));
		memset(&s->cnt_pos[s->n], 0, sizeof(*s->cnt_pos));
		memset(&s->cnt_neg[s->n], 0, sizeof(*s->cnt_neg));
	}
	return (uint32_t)s->n++;
}

/* The child of 'parent' for 'frame' on the current level, created when missing. */
static uint32_t level_child(struct builder *b, uint32_t parent, uint32_t frame)
{
	bool fresh;
	uint32_t *child = pairmap_get(&b->level, parent, frame, &fresh);

	if (fresh)
		*child = new_node(b, parent, frame);
	return *child;
}

static bool any_negative(const struct cp_view *v, int si)
{
	const struct cp_profile *p = v->p;

	for (size_t i = 0; i < v->nsamples; i++)
		if (profile_values(p, v->samples[i].sample)[si] < 0)
			return true;
	return false;
}

/* A sample on its way down: the node reached so far. */
struct walker {
	uint32_t sample; /* view sample index */
	uint32_t nframes;
	uint32_t node;
};

/* Add one sample's value (with its event count) to node 'leaf', by sign. */
static void add_value(struct cp_stacks *s, const struct cp_stacks_opts *o, uint32_t leaf,
		      const int64_t *vals)
{
	int64_t w = vals[o->sample_index];
	int64_t cnt = o->count_index < 0 ? 1 : abs64(vals[o->count_index]);

	if (w > 0) {
		s->pos[leaf].self = add64(s->pos[leaf].self, w);
		if (s->diff)
			s->cnt_pos[leaf].self = add64(s->cnt_pos[leaf].self, cnt);
	} else {
		s->neg[leaf].self = add64(s->neg[leaf].self, abs64(w));
		s->cnt_neg[leaf].self = add64(s->cnt_neg[leaf].self, cnt);
	}
}

/* Add each sample's value to the node its stack ended at (leaf[i], view sample i). */
static void add_values(struct cp_stacks *s, const struct cp_view *v, const struct cp_stacks_opts *o,
		       const uint32_t *leaf)
{
	for (size_t i = 0; i < v->nsamples; i++)
		if (leaf[i] != CP_NONE)
			add_value(s, o, leaf[i], profile_values(v->p, v->samples[i].sample));
}

#define INLINED_BIT (UINT32_C(1) << 31)

/*
 * The frames of the walkers, level-major: level L holds frame L of every
 * sample that has more than L frames, in walker order, so each level's pass
 * reads its frames in one sequential sweep.  Inlined frames carry INLINED_BIT.
 */
static uint32_t *frames_by_level(const struct cp_universe *u, const struct walker *wk, size_t nw,
				 size_t levels, size_t **level_off)
{
	const struct cp_view *v = u->view;
	size_t *off = xcalloc(levels + 1, sizeof(*off)), *cur;
	uint32_t *fr;

	for (size_t j = 0; j < nw; j++)
		off[wk[j].nframes]++;
	/* off[L] = samples with more than L frames, then prefix sums */
	for (size_t l = levels; l-- > 0;)
		off[l] += off[l + 1];
	for (size_t l = 0; l < levels; l++)
		off[l] = off[l + 1];
	off[levels] = 0;
	{
		size_t sum = 0;

		for (size_t l = 0; l <= levels; l++) {
			size_t c = off[l];

			off[l] = sum;
			sum += c;
		}
		fr = xmalloc(st_mult(sum + 1, sizeof(*fr)));
	}
	cur = xmalloc(st_mult(levels + 1, sizeof(*cur)));
	copy_n(cur, off, (levels + 1) * sizeof(*cur));
	for (size_t j = 0; j < nw; j++) {
		const struct cp_vsample *vs = &v->samples[wk[j].sample];
		const uint32_t *stk = v->stack + vs->stack_off;
		size_t l = 0;

		for (uint32_t k = vs->depth; k-- > 0;) {
			uint32_t n;
			const uint32_t *ln = universe_loc_nodes(u, stk[k], &n);

			for (uint32_t f = n; f-- > 0; l++)
				fr[cur[l]++] = ln[f] | (f + 1 < n ? INLINED_BIT : 0);
		}
	}
	free(cur);
	*level_off = off;
	return fr;
}

/* Totals and widths bottom-up: children always follow their parent. */
static void stacks_finish(struct cp_stacks *s)
{
	s->width = xmalloc(st_mult(s->n, sizeof(*s->width)));
	for (size_t i = 0; i < s->n; i++) {
		s->pos[i].total = s->pos[i].self;
		if (s->diff) {
			s->neg[i].total = s->neg[i].self;
			s->cnt_pos[i].total = s->cnt_pos[i].self;
			s->cnt_neg[i].total = s->cnt_neg[i].self;
			s->width[i] = s->pos[i].self > s->neg[i].self ? s->pos[i].self :
									s->neg[i].self;
		}
	}
	for (size_t i = s->n; i-- > 1;) {
		uint32_t pa = s->parent[i];

		s->pos[pa].total = add64(s->pos[pa].total, s->pos[i].total);
		if (s->diff) {
			s->neg[pa].total = add64(s->neg[pa].total, s->neg[i].total);
			s->cnt_pos[pa].total = add64(s->cnt_pos[pa].total, s->cnt_pos[i].total);
			s->cnt_neg[pa].total = add64(s->cnt_neg[pa].total, s->cnt_neg[i].total);
			s->width[pa] = add64(s->width[pa], s->width[i]);
		}
	}
	if (!s->diff)
		for (size_t i = 0; i < s->n; i++)
			s->width[i] = s->pos[i].total;
}

/*
 * The trie of a lazy view, from the stack index: each index node's frames
 * extend the trie node its parent reached, so the work is per distinct
 * stack prefix, not per frame of every sample.  A node's children are a
 * list (most nodes have one or two) until they are many; then a table
 * finds them.
 */
#define FANOUT_LIST 8

struct ixb {
	struct builder b;
	uint32_t *first, *next, *nchild;
	size_t alloc;
	struct pairmap wide; /* (parent, frame) -> child, for the wide nodes */
};

static void ixb_put(struct ixb *x, uint32_t parent, uint32_t frame, uint32_t node)
{
	bool fresh;

	*pairmap_get(&x->wide, parent, frame, &fresh) = node;
}

static uint32_t ixb_child(struct ixb *x, uint32_t parent, uint32_t frame)
{
	struct cp_stacks *s = x->b.s;
	uint32_t c;

	uint32_t *wide = NULL;

	if (x->nchild[parent] <= FANOUT_LIST) {
		for (c = x->first[parent]; c != CP_NONE; c = x->next[c])
			if (s->frame[c] == frame)
				return c;
	} else {
		bool fresh;

		wide = pairmap_get(&x->wide, parent, frame, &fresh);
		if (!fresh)
			return *wide;
	}
	c = new_node(&x->b, parent, frame);
	if (wide)
		*wide = c;
	if (x->b.alloc > x->alloc) {
		x->alloc = x->b.alloc;
		x->first = xrealloc(x->first, st_mult(x->alloc, sizeof(*x->first)));
		x->next = xrealloc(x->next, st_mult(x->alloc, sizeof(*x->next)));
		x->nchild = xrealloc(x->nchild, st_mult(x->alloc, sizeof(*x->nchild)));
	}
	x->first[c] = CP_NONE;
	x->nchild[c] = 0;
	x->next[c] = x->first[parent];
	x->first[parent] = c;
	if (++x->nchild[parent] == FANOUT_LIST + 1) {
		/* wide now: its children go to the table */
		for (uint32_t k = x->first[parent]; k != CP_NONE; k = x->next[k])
			ixb_put(x, parent, s->frame[k], k);
	}
	return c;
}

static struct cp_stacks *stacks_build_index(struct cp_universe *u, const struct cp_stacks_opts *o)
{
	const struct cp_view *v = u->view;
	const struct cp_profile *p = v->p;
	const struct cp_sindex *ix = v->ix;
	const unsigned char *mark = view_lazy_marks(v);
	struct cp_stacks *s = xcalloc(1, sizeof(*s));
	struct ixb x;
	unsigned char *live = xcalloc(ix->n + 1, 1);
	uint32_t *at = xmalloc(st_mult(ix->n + 1, sizeof(*at)));
	struct cp_loc_ref *refs;
	bool neg = false;

	memset(&x, 0, sizeof(x));
	x.b.s = s;
	pairmap_reset(&x.wide, 0);
	s->u = u;
	/* which index nodes have a sample that counts, and whether any is negative */
	for (size_t i = 0; i < ix->n; i++) {
		const size_t at0 = i * ix->nvt + (size_t)o->sample_index;
		uint32_t nz = ix->self_nz[at0], nneg = ix->self_neg[at0];

		if (!(mark[i] & VIEW_MARK_ACCEPT))
			continue;
		live[i] = (o->drop_negative ? nz - nneg : nz) > 0;
		neg |= nneg > 0;
	}
	for (size_t i = ix->n; i-- > 1;)
		live[ix->parent[i]] |= live[i];
	s->diff = !o->drop_negative && neg;
	new_node(&x.b, CP_NONE, CP_NONE);
	x.alloc = x.b.alloc;
	x.first = xmalloc(st_mult(x.alloc, sizeof(*x.first)));
	x.next = xmalloc(st_mult(x.alloc, sizeof(*x.next)));
	x.nchild = xmalloc(st_mult(x.alloc, sizeof(*x.nchild)));
	x.first[0] = CP_NONE;
	x.nchild[0] = 0;
	at[0] = 0;
	/* the frames of each node, gathered in a loop of independent loads */
	refs = xmalloc(st_mult(ix->n + 1, sizeof(*refs)));
	for (size_t i = 1; i < ix->n; i++)
		refs[i] = u->locs[ix->loc[i]];
	for (uint32_t i = 1; i < ix->n;) {
		uint32_t node = at[ix->parent[i]];

		if (!live[i]) {
			i = ix->end[i];
			continue;
		}
		if (mark[i] & VIEW_MARK_FRAME) {
			uint32_t nn = refs[i].n;
			const uint32_t *ln = nn == 1 ? &refs[i].off : u->loc_nodes + refs[i].off;

			for (uint32_t f = nn; f-- > 0;) {
				node = ixb_child(&x, node, ln[f]);
				s->flags[node] |= f + 1 < nn ? STACKS_INLINED : STACKS_NOT_INLINED;
			}
		}
		at[i] = node;
		i++;
	}
	/* the samples' values, at the node their stack reached */
	for (size_t i = 0; i < ix->n; i++) {
		const size_t at0 = i * ix->nvt + (size_t)o->sample_index;
		uint32_t leaf = at[i];

		if (!live[i] || !(mark[i] & VIEW_MARK_ACCEPT))
			continue;
		if (!s->diff && !ix->self_neg[at0]) {
			/* all positive, no counts wanted: the node's sums do */
			s->samples += ix->self_nz[at0];
			s->pos[leaf].self = add64(s->pos[leaf].self, ix->self[at0]);
			continue;
		}
		for (uint32_t k = ix->soff[i]; k < ix->soff[i + 1]; k++) {
			const int64_t *vals = profile_values(p, ix->sample[k]);
			int64_t w = vals[o->sample_index];

			if (w == 0 || (w < 0 && o->drop_negative))
				continue;
			s->samples++;
			add_value(s, o, leaf, vals);
		}
	}
	free(live);
	free(at);
	free(refs);
	free(x.first);
	free(x.next);
	free(x.nchild);
	pairmap_release(&x.wide);
	stacks_finish(s);
	return s;
}

static struct cp_stacks *stacks_build_samples(struct cp_universe *u,
					       const struct cp_stacks_opts *o)
{
	const struct cp_view *v = u->view;
	struct cp_stacks *s = xcalloc(1, sizeof(*s));
	struct builder b = { s, 0, { NULL, 0, 0, 0 } };
	struct walker *wk = xmalloc(st_mult(v->nsamples + 1, sizeof(*wk)));
	size_t nw = 0, levels = 0, *level_off;
	uint32_t *fr, *leaf = xmalloc(st_mult(v->nsamples + 1, sizeof(*leaf)));

	s->u = u;
	s->diff = !o->drop_negative && any_negative(v, o->sample_index);
	new_node(&b, CP_NONE, CP_NONE);
	for (size_t i = 0; i < v->nsamples; i++) {
		const struct cp_vsample *vs = &v->samples[i];
		int64_t w = profile_values(v->p, vs->sample)[o->sample_index];
		uint32_t nf = 0;

		leaf[i] = CP_NONE;
		if (w == 0 || (w < 0 && o->drop_negative))
			continue;
		s->samples++;
		for (uint32_t k = 0; k < vs->depth; k++) {
			uint32_t n;

			universe_loc_nodes(u, v->stack[vs->stack_off + k], &n);
			nf += n;
		}
		if (nf > levels)
			levels = nf;
		wk[nw++] = (struct walker){ (uint32_t)i, nf, 0 };
	}
	fr = frames_by_level(u, wk, nw, levels, &level_off);
	for (size_t l = 0; nw; l++) {
		const uint32_t *lf = fr + level_off[l];
		size_t kept = 0, idx = 0;

		/* samples whose stack ends above this level are done */
		for (size_t j = 0; j < nw; j++) {
			if (wk[j].nframes <= l) {
				leaf[wk[j].sample] = wk[j].node;
				continue;
			}
			wk[kept++] = wk[j];
		}
		nw = kept;
		pairmap_reset(&b.level, b.level.count);
		for (size_t j = 0; j < nw; j++, idx++) {
			uint32_t f = lf[idx];

			wk[j].node = level_child(&b, wk[j].node, f & ~INLINED_BIT);
			s->flags[wk[j].node] |= f & INLINED_BIT ? STACKS_INLINED :
								  STACKS_NOT_INLINED;
		}
	}
	add_values(s, v, o, leaf);
	free(leaf);
	free(fr);
	free(level_off);
	free(wk);
	pairmap_release(&b.level);

	stacks_finish(s);
	return s;
}

struct cp_stacks *stacks_build(struct cp_universe *u, const struct cp_stacks_opts *o)
{
	return u->view->ix ? stacks_build_index(u, o) : stacks_build_samples(u, o);
}

void stacks_free(struct cp_stacks *s)
{
	if (!s)
		return;
	free(s->frame);
	free(s->parent);
	free(s->depth);
	free(s->flags);
	free(s->pos);
	free(s->neg);
	free(s->cnt_pos);
	free(s->cnt_neg);
	free(s->width);
	free(s);
}

/* ---- children ---- */

static _Thread_local const struct cp_stacks *sort_stacks;

/* Widest first; then by name, file, line, address; then by universe id. */
static int child_cmp(const void *a, const void *b)
{
	const struct cp_stacks *s = sort_stacks;
	uint32_t l = *(const uint32_t *)a, r = *(const uint32_t *)b;
	const struct cp_universe *u = s->u;
	const struct cp_node_info *li, *ri;
	int c;

	if (s->width[l] != s->width[r])
		return s->width[l] > s->width[r] ? -1 : 1;
	li = &u->infos[s->frame[l]];
	ri = &u->infos[s->frame[r]];
	c = strcmp(strtab_str(&u->names, li->name), strtab_str(&u->names, ri->name));
	if (c)
		return c;
	c = strcmp(strtab_str(&u->names, li->file), strtab_str(&u->names, ri->file));
	if (c)
		return c;
	if (li->lineno != ri->lineno)
		return li->lineno < ri->lineno ? -1 : 1;
	if (li->address != ri->address)
		return li->address < ri->address ? -1 : 1;
	c = strcmp(strtab_str(&u->names, li->objfile), strtab_str(&u->names, ri->objfile));
	if (c)
		return c;
	return s->frame[l] < s->frame[r] ? -1 : s->frame[l] > s->frame[r];
}

void stacks_children(struct cp_stacks *s, int64_t min_width, struct cp_stacks_children *c)
{
	uint32_t *sub = xmalloc(st_mult(s->n, sizeof(*sub))); /* subtree sizes */
	uint32_t *fill;

	memset(c, 0, sizeof(*c));
	c->off = xcalloc(s->n + 1, sizeof(*c->off));
	c->other_n = xcalloc(s->n, sizeof(*c->other_n));
	c->other_w = xcalloc(s->n, sizeof(*c->other_w));
	c->other_fn = xcalloc(s->n, sizeof(*c->other_fn));
	for (size_t i = 0; i < s->n; i++)
		sub[i] = 1;
	for (size_t i = s->n; i-- > 1;)
		sub[s->parent[i]] += sub[i];
	/* a node is kept if it and (by monotony) all its ancestors are wide enough */
	c->kept = s->n ? 1 : 0;
	for (size_t i = 1; i < s->n; i++) {
		uint32_t pa = s->parent[i];

		if (pa != 0 && s->width[pa] < min_width)
			continue;
		if (s->width[i] >= min_width && s->width[i] > 0) {
			c->off[pa + 1]++;
			c->kept++;
		} else {
			c->other_n[pa]++;
			c->other_w[pa] = add64(c->other_w[pa], s->width[i]);
			c->other_fn[pa] += sub[i];
		}
	}
	for (size_t i = 0; i < s->n; i++)
		c->off[i + 1] += c->off[i];
	c->list = xmalloc(st_mult(c->off[s->n] + 1, sizeof(*c->list)));
	fill = xmalloc(st_mult(s->n + 1, sizeof(*fill)));
	copy_n(fill, c->off, s->n * sizeof(*fill));
	for (size_t i = 1; i < s->n; i++) {
		uint32_t pa = s->parent[i];

		if (pa != 0 && s->width[pa] < min_width)
			continue;
		if (s->width[i] >= min_width && s->width[i] > 0)
			c->list[fill[pa]++] = (uint32_t)i;
	}
	sort_stacks = s;
	for (size_t i = 0; i < s->n; i++)
		if (c->off[i + 1] - c->off[i] > 1)
			qsort(c->list + c->off[i], c->off[i + 1] - c->off[i], sizeof(*c->list),
			      child_cmp);
	sort_stacks = NULL;
	free(fill);
	free(sub);
}

void stacks_children_release(struct cp_stacks_children *c)
{
	if (!c)
		return;
	free(c->off);
	free(c->list);
	free(c->other_n);
	free(c->other_w);
	free(c->other_fn);
	memset(c, 0, sizeof(*c));
}

/* ---- budget ---- */

/* The k-th largest (k from 0) of a[0 .. n), reordering a (quickselect). */
static int64_t kth_largest(int64_t *a, size_t n, size_t k)
{
	size_t lo = 0, hi = n;

	while (hi - lo > 1) {
		int64_t pivot = a[lo + (hi - lo) / 2];
		size_t gt = lo, lt = hi, i = lo;

		/* three-way partition: [lo, gt) > pivot, [gt, lt) == pivot, [lt, hi) < pivot */
		while (i < lt) {
			int64_t t = a[i];

			if (t > pivot) {
				a[i++] = a[gt];
				a[gt++] = t;
			} else if (t < pivot) {
				a[i] = a[--lt];
				a[lt] = t;
			} else {
				i++;
			}
		}
		if (k < gt)
			hi = gt;
		else if (k >= lt)
			lo = lt;
		else
			return pivot;
	}
	return a[k];
}

int64_t stacks_width_for_budget(const struct cp_stacks *s, int64_t floor, size_t max_nodes)
{
	int64_t *w, cut;
	size_t n = 0;

	if (floor < 1)
		floor = 1;
	for (size_t i = 1; i < s->n; i++)
		if (s->width[i] >= floor)
			n++;
	if (n + 1 <= max_nodes || max_nodes < 2)
		return floor;
	w = xmalloc(st_mult(n, sizeof(*w)));
	n = 0;
	for (size_t i = 1; i < s->n; i++)
		if (s->width[i] >= floor)
			w[n++] = s->width[i];
	/* keep max_nodes - 1 frames at most: cut above the (max_nodes - 1)-th widest */
	cut = kth_largest(w, n, max_nodes - 1) + 1;
	free(w);
	return cut > floor ? cut : floor;
}
