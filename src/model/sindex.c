#include "model/compat.h"
#include "model/alloc.h"
#include "model/hash.h"
#include "model/sindex.h"

/*
 * Built one level at a time, as stacks.c builds its trie: every sample
 * still descending takes its next location, and the (parent, location)
 * pairs of that level meet in a table holding only that level's nodes,
 * small enough to stay in cache.  Nodes come out level by level (parents
 * first) and are renumbered into preorder at the end.
 */
/* Nodes in creation (level) order. */
struct nodes {
	uint32_t *parent, *loc;
	size_t n, alloc;
};

static uint32_t child_of(struct pairmap *t, struct nodes *nd, uint32_t parent, uint32_t loc)
{
	bool fresh;
	uint32_t *child = pairmap_get(t, parent, loc, &fresh);

	if (!fresh)
		return *child;
	if (nd->n == nd->alloc) {
		nd->alloc += nd->alloc / 2 + 1024;
		nd->parent = xrealloc(nd->parent, st_mult(nd->alloc, sizeof(uint32_t)));
		nd->loc = xrealloc(nd->loc, st_mult(nd->alloc, sizeof(uint32_t)));
	}
	nd->parent[nd->n] = parent;
	nd->loc[nd->n] = loc;
	*child = (uint32_t)nd->n;
	return (uint32_t)nd->n++;
}

/*
 * The locations of the samples level-major: level L holds location L (from
 * the root) of every sample deeper than L, in sample order, so each level
 * is read in one sequential sweep.  *off gets the level starts.
 */
static uint32_t *locs_by_level(const struct cp_profile *p, size_t *levels, size_t **off)
{
	size_t nl = 0, *o, *cur, sum = 0;
	uint32_t *fr;

	for (size_t s = 0; s < p->nsamples; s++)
		if (p->samples[s].depth > nl)
			nl = p->samples[s].depth;
	o = xcalloc(nl + 2, sizeof(*o));
	for (size_t s = 0; s < p->nsamples; s++)
		o[p->samples[s].depth]++;
	/* samples deeper than L, then level starts */
	for (size_t l = nl; l-- > 0;)
		o[l] += o[l + 1];
	for (size_t l = 0; l <= nl; l++) {
		size_t c = l < nl ? o[l + 1] : 0;

		o[l] = sum;
		sum += c;
	}
	fr = xmalloc(st_mult(sum + 1, sizeof(*fr)));
	cur = xmalloc(st_mult(nl + 1, sizeof(*cur)));
	copy_n(cur, o, (nl + 1) * sizeof(*cur));
	for (size_t s = 0; s < p->nsamples; s++) {
		const struct cp_sample *sm = &p->samples[s];
		const uint32_t *stk;

		if (!sm->depth)
			continue; /* a profile without frames has no stack array */
		stk = p->stack + sm->stack_off;
		for (uint32_t l = 0; l < sm->depth; l++)
			fr[cur[l]++] = stk[sm->depth - 1 - l];
	}
	free(cur);
	*levels = nl;
	*off = o;
	return fr;
}

struct cp_sindex *sindex_build(const struct cp_profile *p)
{
	struct cp_sindex *ix = xcalloc(1, sizeof(*ix));
	size_t ns = p->nsamples, nact = 0, made = 1, levels, *loff;
	uint32_t *act = xmalloc(st_mult(ns + 1, sizeof(uint32_t)));
	uint32_t *at = xcalloc(ns + 1, sizeof(uint32_t)); /* per sample: node reached */
	uint32_t *fr = locs_by_level(p, &levels, &loff);
	uint32_t *size, *pre, *next;
	struct pairmap t = { 0 };
	struct nodes nd = { 0 };

	nd.alloc = 1024;
	nd.parent = xmalloc(st_mult(nd.alloc, sizeof(uint32_t)));
	nd.loc = xmalloc(st_mult(nd.alloc, sizeof(uint32_t)));
	nd.parent[0] = nd.loc[0] = CP_NONE;
	nd.n = 1;
	for (size_t s = 0; s < ns; s++)
		if (p->samples[s].depth)
			act[nact++] = (uint32_t)s;
	for (uint32_t lvl = 0; lvl < levels; lvl++) {
		const uint32_t *lf = fr + loff[lvl];
		size_t keep = 0, before = nd.n;
		uint32_t prev_parent = CP_NONE, prev_loc = CP_NONE, prev_child = 0;

		pairmap_reset(&t, made);
		for (size_t j = 0; j < nact; j++) {
			uint32_t s = act[j], par = at[s], loc = lf[j];

			/* neighbours often share a prefix: no lookup for a repeat */
			if (par != prev_parent || loc != prev_loc) {
				prev_child = child_of(&t, &nd, par, loc);
				prev_parent = par;
				prev_loc = loc;
			}
			at[s] = prev_child;
			if (p->samples[s].depth > lvl + 1)
				act[keep++] = s;
		}
		nact = keep;
		made = nd.n - before;
	}
	free(act);
	free(fr);
	free(loff);
	pairmap_release(&t);

	/* preorder: a node's children take consecutive ranges after it */
	size = xmalloc(st_mult(nd.n, sizeof(uint32_t)));
	pre = xmalloc(st_mult(nd.n, sizeof(uint32_t)));
	next = xmalloc(st_mult(nd.n, sizeof(uint32_t)));
	for (size_t i = 0; i < nd.n; i++)
		size[i] = 1;
	for (size_t i = nd.n; i-- > 1;)
		size[nd.parent[i]] += size[i];
	pre[0] = 0;
	next[0] = 1;
	for (size_t i = 1; i < nd.n; i++) {
		uint32_t par = nd.parent[i];

		pre[i] = next[par];
		next[par] += size[i];
		next[i] = pre[i] + 1;
	}
	ix->n = nd.n;
	ix->loc = xmalloc(st_mult(nd.n, sizeof(uint32_t)));
	ix->parent = xmalloc(st_mult(nd.n, sizeof(uint32_t)));
	ix->end = xmalloc(st_mult(nd.n, sizeof(uint32_t)));
	for (size_t i = 0; i < nd.n; i++) {
		ix->loc[pre[i]] = nd.loc[i];
		ix->parent[pre[i]] = i ? pre[nd.parent[i]] : CP_NONE;
		ix->end[pre[i]] = pre[i] + size[i];
	}
	free(nd.parent);
	free(nd.loc);
	free(size);
	free(next);

	/* samples grouped by the node they end at, in profile order */
	ix->leaf = xmalloc(st_mult(ns + 1, sizeof(uint32_t)));
	ix->soff = xcalloc(nd.n + 1, sizeof(uint32_t));
	ix->sample = xmalloc(st_mult(ns + 1, sizeof(uint32_t)));
	for (size_t s = 0; s < ns; s++) {
		ix->leaf[s] = pre[at[s]];
		ix->soff[ix->leaf[s] + 1]++;
	}
	for (size_t i = 0; i < nd.n; i++)
		ix->soff[i + 1] += ix->soff[i];
	{
		uint32_t *fill = xmalloc(st_mult(nd.n + 1, sizeof(uint32_t)));

		copy_n(fill, ix->soff, nd.n * sizeof(uint32_t));
		for (size_t s = 0; s < ns; s++)
			ix->sample[fill[ix->leaf[s]]++] = (uint32_t)s;
		free(fill);
	}
	free(pre);
	free(at);
	ix->nvt = p->nsample_types;
	ix->self = xcalloc(st_mult(nd.n, ix->nvt) + 1, sizeof(*ix->self));
	ix->self_abs = xcalloc(st_mult(nd.n, ix->nvt) + 1, sizeof(*ix->self_abs));
	ix->self_nz = xcalloc(st_mult(nd.n, ix->nvt) + 1, sizeof(*ix->self_nz));
	ix->self_neg = xcalloc(st_mult(nd.n, ix->nvt) + 1, sizeof(*ix->self_neg));
	for (size_t s = 0; s < ns; s++) {
		const int64_t *v = profile_values(p, s);
		size_t at0 = (size_t)ix->leaf[s] * ix->nvt;

		for (size_t k = 0; k < ix->nvt; k++) {
			ix->self[at0 + k] = add64(ix->self[at0 + k], v[k]);
			ix->self_abs[at0 + k] = add64(ix->self_abs[at0 + k], abs64(v[k]));
			ix->self_nz[at0 + k] += v[k] != 0;
			ix->self_neg[at0 + k] += v[k] < 0;
		}
	}
	return ix;
}

void sindex_free(struct cp_sindex *ix)
{
	if (!ix)
		return;
	free(ix->loc);
	free(ix->parent);
	free(ix->end);
	free(ix->soff);
	free(ix->sample);
	free(ix->leaf);
	free(ix->self);
	free(ix->self_abs);
	free(ix->self_nz);
	free(ix->self_neg);
	free(ix);
}

size_t sindex_max_bytes(const struct cp_profile *p)
{
	/* at most one node per frame, plus the root */
	size_t nodes = p->nstack + 1, per_node = 4 * sizeof(uint32_t) + 4 * sizeof(uint32_t);
	size_t per_sums = 2 * sizeof(int64_t) + 2 * sizeof(uint32_t);

	return st_mult(nodes, per_node + st_mult(p->nsample_types, per_sums)) +
	       st_mult(p->nsamples, 4 * sizeof(uint32_t)) + st_mult(p->nstack, 2 * sizeof(uint32_t));
}

bool profile_build_index(struct cp_profile *p)
{
	if (!p->index && sindex_max_bytes(p) <= alloc_headroom())
		p->index = sindex_build(p);
	return p->index != NULL;
}
