/*
 * test_stacks.c - the stack trie: merging of stacks root first, totals and
 * selves, granularity and inlined frames, recursion, differential values,
 * children ordering and folding, and the frame budget; the stack index
 * (sindex.h) and graph_build over lazy views.
 */
#include "model/compat.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "model/alloc.h"
#include "model/buf.h"
#include "model/graph.h"
#include "model/profile.h"
#include "model/regex.h"
#include "model/sindex.h"
#include "model/stacks.h"
#include "model/view.h"

/* A profile built in memory: two sample types (samples/count, cpu/nanoseconds). */
struct fx {
	struct cp_profile *p;
	size_t afn, aln, aloc, asmp, astk, aval;
	struct cp_view v;
	struct cp_universe *u;
	struct cp_stacks *s;
};

static void fx_init(struct fx *f)
{
	struct cp_profile *p;

	memset(f, 0, sizeof(*f));
	p = f->p = profile_new();
	p->owns_arrays = true;
	p->nsample_types = 2;
	p->sample_types = arena_alloc(&p->arena, 2 * sizeof(*p->sample_types));
	p->sample_types[0].type = strtab_intern(&p->strs, "samples", 7);
	p->sample_types[0].unit = strtab_intern(&p->strs, "count", 5);
	p->sample_types[1].type = strtab_intern(&p->strs, "cpu", 3);
	p->sample_types[1].unit = strtab_intern(&p->strs, "nanoseconds", 11);
}

static uint32_t fx_func(struct fx *f, const char *name, const char *file)
{
	struct cp_profile *p = f->p;
	struct cp_function *fn;

	ALLOC_GROW(p->functions, p->nfunctions + 1, f->afn);
	fn = &p->functions[p->nfunctions];
	memset(fn, 0, sizeof(*fn));
	fn->id = p->nfunctions + 1;
	fn->name = strtab_intern(&p->strs, name, strlen(name));
	fn->filename = strtab_intern(&p->strs, file, strlen(file));
	return (uint32_t)p->nfunctions++;
}

/* A location whose lines are fns[0..n) (innermost first) at line numbers lines[]. */
static uint32_t fx_loc(struct fx *f, const uint32_t *fns, const int64_t *lines, uint32_t n)
{
	struct cp_profile *p = f->p;
	struct cp_location *l;

	ALLOC_GROW(p->locations, p->nlocations + 1, f->aloc);
	l = &p->locations[p->nlocations];
	memset(l, 0, sizeof(*l));
	l->id = p->nlocations + 1;
	l->address = 0x1000 + 16 * p->nlocations;
	l->mapping = CP_NONE;
	l->line_off = (uint32_t)p->nlines;
	l->nlines = n;
	ALLOC_GROW(p->lines, p->nlines + n, f->aln);
	for (uint32_t i = 0; i < n; i++) {
		p->lines[p->nlines].function = fns[i];
		p->lines[p->nlines].line = lines ? lines[i] : 1;
		p->lines[p->nlines].column = 0;
		p->nlines++;
	}
	return (uint32_t)p->nlocations++;
}

/* A location with one function of its own. */
static uint32_t fx_fn_loc(struct fx *f, const char *name)
{
	uint32_t fn = fx_func(f, name, "x.c");

	return fx_loc(f, &fn, NULL, 1);
}

/* A sample: locations root first, value v (count = |v|). */
static void fx_sample(struct fx *f, const uint32_t *root_first, uint32_t depth, int64_t v)
{
	struct cp_profile *p = f->p;
	struct cp_sample *s;

	ALLOC_GROW(p->samples, p->nsamples + 1, f->asmp);
	s = &p->samples[p->nsamples];
	memset(s, 0, sizeof(*s));
	s->stack_off = (uint32_t)p->nstack;
	s->depth = depth;
	ALLOC_GROW(p->stack, p->nstack + depth, f->astk);
	for (uint32_t i = 0; i < depth; i++)
		p->stack[p->nstack++] = root_first[depth - 1 - i];
	ALLOC_GROW(p->values, 2 * (p->nsamples + 1), f->aval);
	p->values[2 * p->nsamples] = v < 0 ? -1 : 1;
	p->values[2 * p->nsamples + 1] = v;
	p->nsamples++;
}

static void fx_build(struct fx *f, enum cp_granularity g, bool noinlines, bool drop_negative)
{
	struct cp_universe_opts uo = { .granularity = g, .noinlines = noinlines };
	struct cp_stacks_opts so = { .sample_index = 1,
				     .count_index = 0,
				     .drop_negative = drop_negative };

	view_init(&f->v, f->p);
	f->u = universe_build(&f->v, &uo);
	f->s = stacks_build(f->u, &so);
}

static void fx_release(struct fx *f)
{
	stacks_free(f->s);
	universe_free(f->u);
	view_release(&f->v);
	profile_free(f->p);
}

/* The node reached from the root through the named frames, or -1. */
static long find(const struct cp_stacks *s, const char *const *names, int n)
{
	uint32_t node = 0;

	for (int k = 0; k < n; k++) {
		size_t i;

		for (i = 1; i < s->n; i++) {
			const struct cp_node_info *ni = &s->u->infos[s->frame[i]];

			if (s->parent[i] == node &&
			    !strcmp(strtab_str(&s->u->names, ni->name), names[k]))
				break;
		}
		if (i == s->n)
			return -1;
		node = (uint32_t)i;
	}
	return node;
}

#define FIND(s, ...)                                    \
	find((s), (const char *const[]){ __VA_ARGS__ }, \
	     (int)(sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *)))

static void test_merge_root_first(void **state)
{
	struct fx f;
	uint32_t a, b, c, d;
	long na, nb, nc, nd;

	fx_init(&f);
	a = fx_fn_loc(&f, "a");
	b = fx_fn_loc(&f, "b");
	c = fx_fn_loc(&f, "c");
	d = fx_fn_loc(&f, "d");
	fx_sample(&f, (uint32_t[]){ a, b, c }, 3, 10);
	fx_sample(&f, (uint32_t[]){ a, b }, 2, 5);
	fx_sample(&f, (uint32_t[]){ a, d }, 2, 3);
	fx_sample(&f, (uint32_t[]){ a, b, c }, 3, 1);
	fx_sample(&f, (uint32_t[]){ a, d }, 2, 0); /* no value: ignored */
	fx_build(&f, CP_GRAN_FUNCTIONS, false, false);
	assert_false(f.s->diff);
	assert_int_equal(f.s->n, 5);
	assert_int_equal(f.s->samples, 4);
	assert_int_equal(f.s->max_depth, 3);
	na = FIND(f.s, "a");
	nb = FIND(f.s, "a", "b");
	nc = FIND(f.s, "a", "b", "c");
	nd = FIND(f.s, "a", "d");
	assert_true(na > 0 && nb > 0 && nc > 0 && nd > 0);
	assert_int_equal(f.s->pos[0].total, 19);
	assert_int_equal(f.s->pos[0].self, 0);
	assert_int_equal(f.s->pos[na].total, 19);
	assert_int_equal(f.s->pos[nb].total, 16);
	assert_int_equal(f.s->pos[nb].self, 5);
	assert_int_equal(f.s->pos[nc].total, 11);
	assert_int_equal(f.s->pos[nc].self, 11);
	assert_int_equal(f.s->pos[nd].total, 3);
	assert_int_equal(f.s->width[nb], 16);
	assert_int_equal(f.s->depth[nc], 3);
	for (size_t i = 1; i < f.s->n; i++)
		assert_true(f.s->parent[i] < i);
	fx_release(&f);
}

static void test_granularity_and_inlining(void **state)
{
	struct fx f;
	uint32_t main_fn, helper, inner, l1, l2, l3;
	long n;

	fx_init(&f);
	main_fn = fx_func(&f, "main", "main.c");
	helper = fx_func(&f, "helper", "main.c");
	inner = fx_func(&f, "inner", "main.c");
	/* two call sites in main: one node at functions granularity, two at lines */
	l1 = fx_loc(&f, &main_fn, (int64_t[]){ 10 }, 1);
	l2 = fx_loc(&f, &main_fn, (int64_t[]){ 20 }, 1);
	/* inner inlined into helper */
	l3 = fx_loc(&f, (uint32_t[]){ inner, helper }, (int64_t[]){ 5, 7 }, 2);
	fx_sample(&f, (uint32_t[]){ l1, l3 }, 2, 4);
	fx_sample(&f, (uint32_t[]){ l2, l3 }, 2, 6);
	fx_build(&f, CP_GRAN_FUNCTIONS, false, false);
	assert_int_equal(f.s->n, 4); /* root, main, helper, inner */
	n = FIND(f.s, "main", "helper", "inner");
	assert_true(n > 0);
	assert_int_equal(f.s->pos[n].total, 10);
	assert_int_equal(f.s->flags[n], STACKS_INLINED);
	assert_int_equal(f.s->flags[FIND(f.s, "main", "helper")], STACKS_NOT_INLINED);
	stacks_free(f.s);
	universe_free(f.u);
	view_release(&f.v);

	fx_build(&f, CP_GRAN_LINES, false, false);
	assert_int_equal(f.s->n, 7); /* two main lines, each with helper and inner */
	stacks_free(f.s);
	universe_free(f.u);
	view_release(&f.v);

	fx_build(&f, CP_GRAN_FUNCTIONS, true, false);
	assert_int_equal(f.s->n, 3); /* noinlines: inner folds into helper */
	assert_int_equal(FIND(f.s, "main", "helper", "inner"), -1);
	assert_int_equal(f.s->pos[FIND(f.s, "main", "helper")].self, 10);
	fx_release(&f);
}

static void test_recursion_and_empty_stacks(void **state)
{
	struct fx f;
	uint32_t a;

	fx_init(&f);
	a = fx_fn_loc(&f, "a");
	fx_sample(&f, (uint32_t[]){ a, a, a }, 3, 7);
	fx_sample(&f, NULL, 0, 2); /* no frames: the root's own */
	fx_build(&f, CP_GRAN_FUNCTIONS, false, false);
	assert_int_equal(f.s->n, 4);
	assert_int_equal(f.s->max_depth, 3);
	assert_int_equal(f.s->pos[FIND(f.s, "a", "a", "a")].self, 7);
	assert_int_equal(f.s->pos[0].self, 2);
	assert_int_equal(f.s->pos[0].total, 9);
	fx_release(&f);
}

static void test_differential(void **state)
{
	struct fx f;
	uint32_t m, grow, gone;
	long nm, ng, ngone;

	fx_init(&f);
	m = fx_fn_loc(&f, "main");
	grow = fx_fn_loc(&f, "grow");
	gone = fx_fn_loc(&f, "gone");
	fx_sample(&f, (uint32_t[]){ m, grow }, 2, 10);
	fx_sample(&f, (uint32_t[]){ m, grow }, 2, -4);
	fx_sample(&f, (uint32_t[]){ m, gone }, 2, -6);
	fx_build(&f, CP_GRAN_FUNCTIONS, false, false);
	assert_true(f.s->diff);
	nm = FIND(f.s, "main");
	ng = FIND(f.s, "main", "grow");
	ngone = FIND(f.s, "main", "gone");
	assert_int_equal(f.s->pos[nm].total, 10);
	assert_int_equal(f.s->neg[nm].total, 10);
	assert_int_equal(f.s->pos[ng].total, 10);
	assert_int_equal(f.s->neg[ng].total, 4);
	assert_int_equal(f.s->pos[ngone].total, 0);
	assert_int_equal(f.s->neg[ngone].total, 6);
	assert_int_equal(f.s->cnt_pos[ng].total, 1);
	assert_int_equal(f.s->cnt_neg[nm].total, 2);
	/* union widths: the larger side of each exact stack, summed up */
	assert_int_equal(f.s->width[ng], 10);
	assert_int_equal(f.s->width[ngone], 6);
	assert_int_equal(f.s->width[nm], 16);
	assert_int_equal(f.s->width[0], 16);
	stacks_free(f.s);
	universe_free(f.u);
	view_release(&f.v);

	fx_build(&f, CP_GRAN_FUNCTIONS, false, true); /* drop_negative */
	assert_false(f.s->diff);
	assert_null(f.s->neg);
	assert_int_equal(FIND(f.s, "main", "gone"), -1);
	assert_int_equal(f.s->width[0], 10);
	fx_release(&f);
}

static void test_children_fold_and_order(void **state)
{
	struct fx f;
	struct cp_stacks_children c;
	uint32_t m, big, b2, b1, small, leaf;
	long nm;

	fx_init(&f);
	m = fx_fn_loc(&f, "main");
	big = fx_fn_loc(&f, "big");
	b2 = fx_fn_loc(&f, "tie_b");
	b1 = fx_fn_loc(&f, "tie_a");
	small = fx_fn_loc(&f, "small");
	leaf = fx_fn_loc(&f, "leaf");
	fx_sample(&f, (uint32_t[]){ m, big }, 2, 100);
	fx_sample(&f, (uint32_t[]){ m, b2 }, 2, 20);
	fx_sample(&f, (uint32_t[]){ m, b1 }, 2, 20);
	fx_sample(&f, (uint32_t[]){ m, small, leaf }, 3, 3);
	fx_sample(&f, (uint32_t[]){ m, leaf }, 2, 2);
	fx_build(&f, CP_GRAN_FUNCTIONS, false, false);
	stacks_children(f.s, 10, &c);
	nm = FIND(f.s, "main");
	assert_int_equal(c.kept, 5); /* root, main, big, tie_a, tie_b */
	assert_int_equal(c.off[nm + 1] - c.off[nm], 3);
	assert_int_equal(c.list[c.off[nm]], FIND(f.s, "main", "big"));
	assert_int_equal(c.list[c.off[nm] + 1], FIND(f.s, "main", "tie_a")); /* ties by name */
	assert_int_equal(c.list[c.off[nm] + 2], FIND(f.s, "main", "tie_b"));
	assert_int_equal(c.other_n[nm], 2);
	assert_int_equal(c.other_w[nm], 5);
	assert_int_equal(c.other_fn[nm], 3); /* small, its leaf, and leaf */
	assert_int_equal(c.other_n[0], 0);
	stacks_children_release(&c);

	/* the budget: at most 3 nodes (root included) keeps root, main, big */
	assert_int_equal(stacks_width_for_budget(f.s, 1, 3), 21);
	assert_int_equal(stacks_width_for_budget(f.s, 1, 100), 1);
	assert_int_equal(stacks_width_for_budget(f.s, 50, 3), 50);
	stacks_children(f.s, stacks_width_for_budget(f.s, 1, 4), &c);
	assert_true(c.kept <= 4);
	stacks_children_release(&c);
	stacks_children_release(NULL);
	fx_release(&f);
}


/* The graph of view v: flat/cum per node and edges, as text to compare. */
static char *graph_text(struct cp_view *v, enum cp_granularity gran)
{
	struct cp_universe_opts uo = { .granularity = gran };
	struct cp_universe *u = universe_build(v, &uo);
	struct cp_graph_opts go = { .sample_index = 1 };
	struct cp_graph *g = graph_build(u, &go, NULL, true);
	struct buf b = BUF_INIT;
	uint32_t *idx = xmalloc(st_mult(g->nedges + 1, sizeof(*idx)));

	buf_init(&b);
	for (size_t i = 0; i < g->nnodes; i++)
		buf_addf(&b, "%s flat=%lld cum=%lld\n", graph_name(g, g->nodes[i]),
			 (long long)g->stat[g->nodes[i]].flat, (long long)g->stat[g->nodes[i]].cum);
	for (size_t i = 0; i < g->nedges; i++)
		idx[i] = (uint32_t)i;
	graph_sort_edges(g, idx, g->nedges);
	for (size_t i = 0; i < g->nedges; i++) {
		const struct cp_edge *e = &g->edges[idx[i]];

		buf_addf(&b, "%s -> %s %lld%s%s\n", graph_name(g, e->src), graph_name(g, e->dst),
			 (long long)e->weight, e->residual ? " residual" : "",
			 e->is_inline ? " inline" : "");
	}
	free(idx);
	graph_free(g);
	universe_free(u);
	return buf_detach(&b, NULL);
}

/* Apply focus/hide/show_from to v (NULL: none). */
static void filter(struct cp_view *v, const char *focus, const char *hide, const char *show_from)
{
	struct cp_err err = { "" };
	struct cp_regex *fr = focus ? cp_regex_compile(focus, &err) : NULL;
	struct cp_regex *hr = hide ? cp_regex_compile(hide, &err) : NULL;
	struct cp_regex *sr = show_from ? cp_regex_compile(show_from, &err) : NULL;
	struct cp_name_filter nf = { .focus = fr, .hide = hr };

	if (fr || hr)
		view_filter_names(v, &nf);
	if (sr)
		view_show_from(v, sr);
	cp_regex_free(fr);
	cp_regex_free(hr);
	cp_regex_free(sr);
}

static void test_index_and_lazy_views(void **state)
{
	static const struct {
		const char *focus, *hide, *show_from;
	} cases[] = {
		{ NULL, NULL, NULL }, { "^c$", NULL, NULL },  { NULL, "^b$", NULL },
		{ NULL, NULL, "^b$" }, { "^d$", "^a$", "^r$" }, { "zzz", NULL, NULL },
	};
	struct fx f;
	uint32_t a, b, c, d, r, in2, fn[2];
	const struct cp_sindex *ix;

	fx_init(&f);
	a = fx_fn_loc(&f, "a");
	b = fx_fn_loc(&f, "b");
	c = fx_fn_loc(&f, "c");
	d = fx_fn_loc(&f, "d");
	r = fx_fn_loc(&f, "r");
	fn[0] = fx_func(&f, "c", "x.c");
	fn[1] = fx_func(&f, "b", "x.c");
	in2 = fx_loc(&f, fn, NULL, 2); /* c inlined into b */
	fx_sample(&f, (uint32_t[]){ a, b, c }, 3, 10);
	fx_sample(&f, (uint32_t[]){ a, b }, 2, 5);
	fx_sample(&f, (uint32_t[]){ a, d }, 2, 3);
	fx_sample(&f, (uint32_t[]){ a, r, r, b, r, c }, 6, 7); /* recursion */
	fx_sample(&f, (uint32_t[]){ a, in2 }, 2, 4);
	fx_sample(&f, (uint32_t[]){ a, b, c }, 3, 1);
	fx_sample(&f, (uint32_t[]){ 0 }, 0, 2); /* no frames */
	fx_sample(&f, (uint32_t[]){ a, d, r, d }, 4, -6);
	profile_build_index(f.p);
	ix = f.p->index;
	/* root; a; a b; a b c; a d; a r; a r r; .. b; .. r; .. c; a in2; a d r; a d r d */
	assert_int_equal(ix->n, 13);
	for (size_t i = 1; i < ix->n; i++) {
		assert_true(ix->parent[i] < i);
		assert_true(ix->end[i] <= ix->end[ix->parent[i]]);
	}
	assert_int_equal(ix->end[0], ix->n);
	assert_int_equal(ix->leaf[6], 0);
	assert_int_equal(ix->soff[ix->leaf[0] + 1] - ix->soff[ix->leaf[0]], 2); /* a b c twice */
	assert_int_equal(ix->self[ix->leaf[0] * 2 + 1], 11);
	assert_int_equal(ix->self_abs[ix->leaf[7] * 2 + 1], 6);
	for (size_t k = 0; k < ARRAY_SIZE(cases); k++) {
		for (int gran = CP_GRAN_FUNCTIONS; gran <= CP_GRAN_ADDRESSES; gran++) {
			struct cp_view plain, lazy;
			char *want, *got;

			view_init(&plain, f.p);
			view_init_lazy(&lazy, f.p);
			assert_non_null(lazy.ix);
			filter(&plain, cases[k].focus, cases[k].hide, cases[k].show_from);
			filter(&lazy, cases[k].focus, cases[k].hide, cases[k].show_from);
			want = graph_text(&plain, (enum cp_granularity)gran);
			got = graph_text(&lazy, (enum cp_granularity)gran);
			assert_string_equal(got, want);
			free(got);
			{
				/* the same trie, whether built from samples or the index */
				struct cp_universe_opts uo = { .granularity = gran };
				struct cp_stacks_opts so = { .sample_index = 1, .count_index = 0 };
				struct cp_universe *pu = universe_build(&plain, &uo);
				struct cp_universe *lu = universe_build(&lazy, &uo);
				struct cp_stacks *ps = stacks_build(pu, &so), *ls = stacks_build(lu, &so);

				assert_int_equal(ls->n, ps->n);
				assert_int_equal(ls->samples, ps->samples);
				assert_int_equal(ls->diff, ps->diff);
				assert_int_equal(ls->max_depth, ps->max_depth);
				assert_int_equal(ls->pos[0].total, ps->pos[0].total);
				if (ps->diff)
					assert_int_equal(ls->neg[0].total, ps->neg[0].total);
				stacks_free(ps);
				stacks_free(ls);
				universe_free(pu);
				universe_free(lu);
			}
			/* materialized, the lazy view is the plain one */
			view_materialize(&lazy);
			assert_null(lazy.ix);
			assert_int_equal(lazy.nsamples, plain.nsamples);
			for (size_t i = 0; i < plain.nsamples; i++) {
				assert_int_equal(lazy.samples[i].sample, plain.samples[i].sample);
				assert_int_equal(lazy.samples[i].depth, plain.samples[i].depth);
				assert_memory_equal(lazy.stack + lazy.samples[i].stack_off,
						    plain.stack + plain.samples[i].stack_off,
						    plain.samples[i].depth * sizeof(uint32_t));
			}
			free(want);
			view_release(&plain);
			view_release(&lazy);
		}
	}
	profile_free(f.p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_root_first),
		cmocka_unit_test(test_granularity_and_inlining),
		cmocka_unit_test(test_recursion_and_empty_stacks),
		cmocka_unit_test(test_differential),
		cmocka_unit_test(test_children_fold_and_order),
		cmocka_unit_test(test_index_and_lazy_views),
	};

	return cmocka_run_group_tests_name("stacks", tests, NULL, NULL);
}
