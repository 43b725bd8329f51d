#include "model/compat.h"
#include "model/alloc.h"
#include "model/buf.h"
#include "model/sindex.h"
#include "model/view.h"

static const uint32_t no_frames[1];

struct view_marks {
	unsigned char *mark;
};

static void marks_forget(struct cp_view *v)
{
	if (v->marks) {
		free(v->marks->mark);
		v->marks->mark = NULL;
	}
}


void view_init(struct cp_view *v, const struct cp_profile *p)
{
	memset(v, 0, sizeof(*v));
	v->p = p;
	v->locs = xmalloc(st_mult(p->nlocations + 1, sizeof(*v->locs)));
	v->lines = xmalloc(st_mult(p->nlines + 1, sizeof(*v->lines)));
	v->nlines = v->alines = p->nlines;
	for (size_t i = 0; i < p->nlines; i++)
		v->lines[i] = (uint32_t)i;
	for (size_t i = 0; i < p->nlocations; i++) {
		v->locs[i].line_off = p->locations[i].line_off;
		v->locs[i].nlines = p->locations[i].nlines;
	}
	v->samples = xmalloc(st_mult(p->nsamples + 1, sizeof(*v->samples)));
	v->nsamples = p->nsamples;
	for (size_t i = 0; i < p->nsamples; i++) {
		v->samples[i].sample = (uint32_t)i;
		v->samples[i].stack_off = p->samples[i].stack_off;
		v->samples[i].depth = p->samples[i].depth;
	}
	/* a profile without frames has no stack array; stack + 0 must still be valid */
	v->stack = p->stack ? p->stack : no_frames;
}

void view_release(struct cp_view *v)
{
	marks_forget(v);
	free(v->marks);
	free(v->lst);
	free(v->locs);
	free(v->lines);
	free(v->samples);
	free(v->own_stack);
	memset(v, 0, sizeof(*v));
}

/* Per-string memo of a regexp's answer: 0 unknown, 1 no, 2 yes. */
struct memo {
	const struct cp_regex *re;
	const struct cp_profile *p;
	unsigned char *ans;
};

static void memo_init(struct memo *m, const struct cp_profile *p, const struct cp_regex *re)
{
	m->re = re;
	m->p = p;
	m->ans = re ? xcalloc(p->strs.n, 1) : NULL;
}

static bool memo_match(struct memo *m, uint32_t s)
{
	if (!m->ans[s])
		m->ans[s] = cp_regex_match(m->re, strtab_str(&m->p->strs, s),
					   strtab_len(&m->p->strs, s)) ?
				    2 :
				    1;
	return m->ans[s] == 2;
}

static void memo_release(struct memo *m)
{
	free(m->ans);
}

static bool line_matches(struct memo *m, const struct cp_line *ln)
{
	const struct cp_function *f = &m->p->functions[ln->function];

	return memo_match(m, f->name) || memo_match(m, f->filename);
}

static bool mapping_matches(struct memo *m, const struct cp_location *l)
{
	return l->mapping != CP_NONE && memo_match(m, m->p->mappings[l->mapping].file);
}

/* pprof's Location.matchesName over the view's current lines. */
static bool loc_matches(struct memo *m, const struct cp_view *v, uint32_t loc)
{
	const struct cp_vloc *vl = &v->locs[loc];

	for (uint32_t i = 0; i < vl->nlines; i++)
		if (line_matches(m, &v->p->lines[v->lines[vl->line_off + i]]))
			return true;
	return mapping_matches(m, &v->p->locations[loc]);
}

/* Keep the lines of 'loc' for which keep(line) holds (in place). */
static void filter_lines(struct cp_view *v, uint32_t loc, struct memo *m, bool want_match)
{
	struct cp_vloc *vl = &v->locs[loc];
	uint32_t out = 0;

	for (uint32_t i = 0; i < vl->nlines; i++) {
		uint32_t li = v->lines[vl->line_off + i];

		if (line_matches(m, &v->p->lines[li]) == want_match)
			v->lines[vl->line_off + out++] = li;
	}
	vl->nlines = out;
}

/*
 * The per-location half of view_filter_names: st[l] gets VIEW_L_FOCUS,
 * VIEW_L_IGNORE and VIEW_L_HIDDEN, hidden lines go.  Returns whether any
 * location lost all its lines.
 */
static bool names_mark(struct cp_view *v, struct cp_name_filter *f, unsigned char *st)
{
	const struct cp_profile *p = v->p;
	struct memo mf, mi, mh, ms;
	bool any_hidden = false;

	memo_init(&mf, p, f->focus);
	memo_init(&mi, p, f->ignore);
	memo_init(&mh, p, f->hide);
	memo_init(&ms, p, f->show);
	f->focus_matched = f->ignore_matched = f->hide_matched = f->show_matched = false;
	for (uint32_t l = 0; l < p->nlocations; l++) {
		if (f->ignore && loc_matches(&mi, v, l)) {
			f->ignore_matched = true;
			st[l] = VIEW_L_IGNORE;
		} else if (!f->focus || loc_matches(&mf, v, l)) {
			f->focus_matched = true;
			st[l] = VIEW_L_FOCUS;
		}
		if (f->hide && loc_matches(&mh, v, l)) {
			f->hide_matched = true;
			if (mapping_matches(&mh, &p->locations[l]))
				v->locs[l].nlines = 0;
			else
				filter_lines(v, l, &mh, false);
			if (v->locs[l].nlines == 0) {
				st[l] |= VIEW_L_HIDDEN;
				any_hidden = true;
			}
		}
		if (f->show) {
			if (!mapping_matches(&ms, &p->locations[l]))
				filter_lines(v, l, &ms, true);
			if (v->locs[l].nlines == 0) {
				st[l] |= VIEW_L_HIDDEN;
				any_hidden = true;
			} else {
				f->show_matched = true;
			}
		}
	}
	memo_release(&mf);
	memo_release(&mi);
	memo_release(&mh);
	memo_release(&ms);
	return any_hidden;
}

/* The per-sample half: keep focused, not ignored samples, without hidden frames. */
static void names_apply(struct cp_view *v, const unsigned char *st, bool has_ignore,
			bool any_hidden)
{
	uint32_t *hidden_out = NULL;
	size_t out = 0, nhidden = 0;

	if (any_hidden) {
		/* the kept frames of the kept samples go to a new array, in one pass */
		size_t total = 0;

		for (size_t i = 0; i < v->nsamples; i++)
			total += v->samples[i].depth;
		hidden_out = xmalloc(st_mult(total + 1, sizeof(uint32_t)));
	}
	for (size_t i = 0; i < v->nsamples; i++) {
		struct cp_vsample s = v->samples[i];
		const uint32_t *stk = v->stack + s.stack_off;
		bool focused = false, ignored = false;

		/* without ignore, the first focused frame decides (no focus: the leaf) */
		for (uint32_t k = 0; k < s.depth && !ignored && !(focused && !has_ignore); k++) {
			unsigned char c = st[stk[k]] & 3;

			focused |= c == VIEW_L_FOCUS;
			ignored |= c == VIEW_L_IGNORE;
		}
		if (!focused || ignored)
			continue;
		if (any_hidden) {
			uint32_t *w = hidden_out + nhidden, n = 0;

			for (uint32_t k = 0; k < s.depth; k++)
				if (!(st[stk[k]] & VIEW_L_HIDDEN))
					w[n++] = stk[k];
			if (n == 0)
				continue;
			s.stack_off = (uint32_t)nhidden;
			s.depth = n;
			nhidden += n;
		}
		v->samples[out++] = s;
	}
	v->nsamples = out;
	if (any_hidden) {
		free(v->own_stack);
		v->own_stack = hidden_out;
		v->stack = hidden_out;
		v->nown = nhidden;
		v->aown = nhidden + 1;
	}
}

void view_filter_names(struct cp_view *v, struct cp_name_filter *f)
{
	unsigned char *st = v->ix ? v->lst : xcalloc(v->p->nlocations + 1, 1);
	bool any_hidden = names_mark(v, f, st);

	if (v->ix) {
		marks_forget(v);
		v->lazy_names = true;
		v->lazy_ignore = f->ignore != NULL;
		v->lazy_hidden = any_hidden;
		return;
	}
	names_apply(v, st, f->ignore != NULL, any_hidden);
	free(st);
}

/* The per-location half of view_show_from: st[l] |= VIEW_L_SHOWFROM for hits. */
static bool show_from_mark(struct cp_view *v, const struct cp_regex *re, unsigned char *st)
{
	const struct cp_profile *p = v->p;
	struct memo m;
	bool matched = false;

	memo_init(&m, p, re);
	for (uint32_t l = 0; l < p->nlocations; l++) {
		struct cp_vloc *vl = &v->locs[l];

		if (mapping_matches(&m, &p->locations[l])) {
			st[l] |= VIEW_L_SHOWFROM;
		} else {
			/* keep lines up to the outermost one whose function name matches */
			for (uint32_t i = vl->nlines; i-- > 0;) {
				const struct cp_function *f =
					&p->functions[p->lines[v->lines[vl->line_off + i]]
							      .function];

				if (memo_match(&m, f->name)) {
					vl->nlines = i + 1;
					st[l] |= VIEW_L_SHOWFROM;
					break;
				}
			}
		}
		matched |= (st[l] & VIEW_L_SHOWFROM) != 0;
	}
	memo_release(&m);
	return matched;
}

/* The per-sample half: cut stacks above their highest hit, drop those with none. */
static void show_from_apply(struct cp_view *v, const unsigned char *st)
{
	size_t out = 0;

	for (size_t i = 0; i < v->nsamples; i++) {
		struct cp_vsample s = v->samples[i];
		const uint32_t *stk = v->stack + s.stack_off;

		for (uint32_t k = s.depth; k-- > 0;) {
			if (st[stk[k]] & VIEW_L_SHOWFROM) {
				s.depth = k + 1;
				v->samples[out++] = s;
				break;
			}
		}
	}
	v->nsamples = out;
}

bool view_show_from(struct cp_view *v, const struct cp_regex *re)
{
	unsigned char *st = v->ix ? v->lst : xcalloc(v->p->nlocations + 1, 1);
	bool matched = show_from_mark(v, re, st);

	if (v->ix) {
		marks_forget(v);
		v->lazy_show_from = true;
		return matched;
	}
	show_from_apply(v, st);
	free(st);
	return matched;
}

void view_init_lazy(struct cp_view *v, const struct cp_profile *p)
{
	view_init(v, p);
	v->ix = p->index;
	v->lst = xcalloc(p->nlocations + 1, 1);
	v->marks = xcalloc(1, sizeof(*v->marks));
}

void view_fill_samples(struct cp_view *v)
{
	if (!v->ix || v->lazy_filled)
		return;
	if (v->lazy_names)
		names_apply(v, v->lst, v->lazy_ignore, v->lazy_hidden);
	if (v->lazy_show_from)
		show_from_apply(v, v->lst);
	v->lazy_filled = true;
}

void view_materialize(struct cp_view *v)
{
	if (!v->ix)
		return;
	view_fill_samples(v);
	v->lazy_filled = false;
	free(v->lst);
	v->lst = NULL;
	marks_forget(v);
	free(v->marks);
	v->marks = NULL;
	v->ix = NULL;
	v->lazy_names = v->lazy_show_from = false;
}

uint32_t *view_sample_ids(const struct cp_view *v, size_t *n)
{
	uint32_t *ids = xmalloc(st_mult(v->p->nsamples + 1, sizeof(*ids)));
	const unsigned char *mark;

	*n = 0;
	if (!v->ix || v->lazy_filled) {
		for (size_t i = 0; i < v->nsamples; i++)
			ids[(*n)++] = v->samples[i].sample;
		return ids;
	}
	mark = view_lazy_marks(v);
	for (size_t i = 0; i < v->ix->n; i++)
		if (mark[i] & VIEW_MARK_ACCEPT)
			for (uint32_t k = v->ix->soff[i]; k < v->ix->soff[i + 1]; k++)
				ids[(*n)++] = v->ix->sample[k];
	return ids;
}

/*
 * Path state bits while walking the index: a focused (F) or ignored (I)
 * location, a frame still there (H), a show_from hit (S).
 */
enum { PS_F = 1, PS_I = 2, PS_H = 4, PS_S = 8 };

const unsigned char *view_lazy_marks(const struct cp_view *v)
{
	const struct cp_sindex *ix = v->ix;
	unsigned char *state, *mark;
	bool names = v->lazy_names, sf = v->lazy_show_from;

	if (v->marks->mark)
		return v->marks->mark;
	state = xmalloc(ix->n + 1);
	mark = xmalloc(ix->n + 1);

	state[0] = 0;
	mark[0] = !names && !sf ? VIEW_MARK_ACCEPT : 0;
	for (size_t i = 1; i < ix->n; i++) {
		unsigned char b = v->lst[ix->loc[i]], s = state[ix->parent[i]], m = 0;

		if ((b & 3) == VIEW_L_FOCUS)
			s |= PS_F;
		else if ((b & 3) == VIEW_L_IGNORE)
			s |= PS_I;
		if (!(b & VIEW_L_HIDDEN)) {
			s |= PS_H;
			if (b & VIEW_L_SHOWFROM)
				s |= PS_S;
			if (!sf || (s & PS_S))
				m |= VIEW_MARK_FRAME;
		}
		if ((!names || (s & (PS_F | PS_I | PS_H)) == (PS_F | PS_H)) && (!sf || (s & PS_S)))
			m |= VIEW_MARK_ACCEPT;
		state[i] = s;
		mark[i] = m;
	}
	free(state);
	v->marks->mark = mark;
	return mark;
}

/*
 * drop_frames: pprof compares the function name with its argument list cut
 * off at the first '(' that does not start "(anonymous namespace)" or
 * "operator()", after dropping a leading '.'.
 */
static size_t simplified_len(const char *name, size_t len, size_t *skip)
{
	static const char *const reserved[] = { "(anonymous namespace)", "operator()" };
	const char *s = name;

	*skip = 0;
	if (len && *s == '.') {
		*skip = 1;
		s++;
		len--;
	}
	for (size_t i = 0; i < len; i++) {
		bool is_reserved = false;

		/* pprof scans for the leftmost of "(", "(anonymous namespace)", "operator()" */
		for (size_t r = 0; r < ARRAY_SIZE(reserved); r++) {
			size_t rl = strlen(reserved[r]);

			if (len - i >= rl && !memcmp(s + i, reserved[r], rl)) {
				i += rl - 1;
				is_reserved = true;
				break;
			}
		}
		if (!is_reserved && s[i] == '(')
			return i;
	}
	return len;
}

void view_prune_from(struct cp_view *v, const struct cp_regex *re)
{
	const struct cp_profile *p = v->p;
	unsigned char *beneath = xcalloc(p->nlocations + 1, 1);

	for (uint32_t l = 0; l < p->nlocations; l++) {
		struct cp_vloc *vl = &v->locs[l];

		for (uint32_t i = 0; i < vl->nlines; i++) {
			uint32_t name =
				p->functions[p->lines[v->lines[vl->line_off + i]].function].name;
			size_t skip, n;

			if (!name)
				continue;
			n = simplified_len(profile_str(p, name), strtab_len(&p->strs, name), &skip);
			if (cp_regex_match(re, profile_str(p, name) + skip, n)) {
				beneath[l] = 1;
				vl->line_off += i;
				vl->nlines -= i;
				break;
			}
		}
	}
	for (size_t i = 0; i < v->nsamples; i++) {
		struct cp_vsample *s = &v->samples[i];

		for (uint32_t k = 0; k < s->depth; k++) {
			if (beneath[v->stack[s->stack_off + k]]) {
				s->stack_off += k;
				s->depth -= k;
				break;
			}
		}
	}
	free(beneath);
}

int view_remove_uninteresting(struct cp_view *v, struct cp_err *err)
{
	const struct cp_profile *p = v->p;
	struct cp_regex *drop = NULL, *keep = NULL;
	unsigned char *cache = NULL, *st = NULL; /* st: 1 prune, 2 prune beneath */
	struct buf pat = BUF_INIT;
	int ret = -1;

	if (!p->drop_frames)
		return 0;
	buf_init(&pat);
	buf_addf(&pat, "^(%s)$", profile_str(p, p->drop_frames));
	drop = cp_regex_compile(pat.buf, err);
	if (!drop) {
		cp_err_prefix(err, "failed to compile drop_frames regexp");
		goto out;
	}
	if (p->keep_frames) {
		buf_reset(&pat);
		buf_addf(&pat, "^(%s)$", profile_str(p, p->keep_frames));
		keep = cp_regex_compile(pat.buf, err);
		if (!keep) {
			cp_err_prefix(err, "failed to compile keep_frames regexp");
			goto out;
		}
	}
	cache = xcalloc(p->strs.n, 1);
	st = xcalloc(p->nlocations + 1, 1);
	for (uint32_t l = 0; l < p->nlocations; l++) {
		struct cp_vloc *vl = &v->locs[l];
		uint32_t i;

		for (i = vl->nlines; i-- > 0;) {
			uint32_t name =
				p->functions[p->lines[v->lines[vl->line_off + i]].function].name;
			const char *s = profile_str(p, name);
			size_t skip, n;

			if (!name)
				continue;
			if (!cache[name]) {
				n = simplified_len(s, strtab_len(&p->strs, name), &skip);
				cache[name] = 1;
				if (cp_regex_match(drop, s + skip, n) &&
				    !(keep && cp_regex_match(keep, s + skip, n)))
					cache[name] = 2;
			}
			if (cache[name] == 2)
				break;
		}
		if (i == UINT32_MAX)
			continue;
		st[l] = 2;
		if (i == vl->nlines - 1) {
			st[l] = 1;
		} else {
			vl->line_off += i + 1;
			vl->nlines -= i + 1;
		}
	}
	for (size_t i = 0; i < v->nsamples; i++) {
		struct cp_vsample *s = &v->samples[i];
		const uint32_t *stk = v->stack + s->stack_off;
		bool found_user = false;

		for (uint32_t k = s->depth; k-- > 0;) {
			unsigned char c = st[stk[k]];

			if (!c) {
				found_user = true;
				continue;
			}
			if (!found_user)
				continue;
			/* drop the leaf side: up to and including k when pruned, below k otherwise */
			{
				uint32_t cut = c == 1 ? k + 1 : k;

				s->stack_off += cut;
				s->depth -= cut;
			}
			break;
		}
	}
	ret = 0;
out:
	buf_release(&pat);
	cp_regex_free(drop);
	cp_regex_free(keep);
	free(cache);
	free(st);
	return ret;
}
