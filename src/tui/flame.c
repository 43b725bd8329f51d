#include "model/compat.h"
#include "model/alloc.h"
#include "tui/flame.h"
#include "tui/screen.h"

enum {
	SORTED_NAME = 1 << 0,
	SORTED_VALUE = 1 << 1,
	OPEN = 1 << 2,
};

struct flame {
	struct cp_universe *u; /* borrowed: names */
	size_t n;	       /* nodes; 0 is the root */
	uint32_t *frame;       /* universe node; CP_NONE for the root */
	uint32_t *parent, *depth;
	int64_t *value;
	uint32_t *koff;		/* children of i: kname/kval[koff[i] .. koff[i + 1]) */
	uint32_t *kname, *kval; /* by name (flame), by value (tree), sorted on first use */
	unsigned char *flags;
	uint32_t *map; /* building: hash slots of (parent, frame) -> node + 1 */
	size_t mask, cap;
	size_t sel, zoom;
	size_t zooms[256]; /* zoom stack */
	size_t nzooms;
	size_t voff; /* rows scrolled down */
	/* call tree */
	size_t tsel, ttop;
	uint32_t *vis; /* visible nodes in order */
	size_t nvis;
	/* search: per universe node, 0 not tried, 1 no match, 2 match */
	unsigned char *match;
	char *match_for;
};

static const char *name_of(const struct flame *f, size_t i)
{
	return f->frame[i] == CP_NONE ? "all" : universe_printable(f->u, f->frame[i]);
}

static struct flame *flame_alloc(struct cp_universe *u, size_t cap)
{
	struct flame *f = xcalloc(1, sizeof(*f));

	f->u = u;
	f->cap = cap < 16 ? 16 : cap;
	f->frame = xmalloc(st_mult(f->cap, sizeof(*f->frame)));
	f->parent = xmalloc(st_mult(f->cap, sizeof(*f->parent)));
	f->value = xmalloc(st_mult(f->cap, sizeof(*f->value)));
	return f;
}

static size_t add_node(struct flame *f, uint32_t parent, uint32_t frame)
{
	if (f->n == f->cap) {
		f->cap *= 2;
		f->frame = xrealloc(f->frame, st_mult(f->cap, sizeof(*f->frame)));
		f->parent = xrealloc(f->parent, st_mult(f->cap, sizeof(*f->parent)));
		f->value = xrealloc(f->value, st_mult(f->cap, sizeof(*f->value)));
	}
	f->frame[f->n] = frame;
	f->parent[f->n] = parent;
	f->value[f->n] = 0;
	return f->n++;
}

static size_t slot_of(uint32_t parent, uint32_t frame, size_t mask)
{
	uint64_t h = ((uint64_t)parent << 32 | frame) * 0x9e3779b97f4a7c15ULL;

	return (size_t)(h >> 32) & mask;
}

/* The child 'frame' of 'parent', added if new (sandwich building). */
static size_t child(struct flame *f, uint32_t parent, uint32_t frame)
{
	size_t at;

	if (2 * (f->n + 1) > f->mask + 1) {
		size_t nmask = f->mask ? 2 * f->mask + 1 : 1023;
		uint32_t *nmap = xcalloc(nmask + 1, sizeof(*nmap));

		for (size_t i = 1; i < f->n; i++) {
			at = slot_of(f->parent[i], f->frame[i], nmask);
			while (nmap[at])
				at = (at + 1) & nmask;
			nmap[at] = (uint32_t)i + 1;
		}
		free(f->map);
		f->map = nmap;
		f->mask = nmask;
	}
	at = slot_of(parent, frame, f->mask);
	while (f->map[at]) {
		uint32_t i = f->map[at] - 1;

		if (f->parent[i] == parent && f->frame[i] == frame)
			return i;
		at = (at + 1) & f->mask;
	}
	f->map[at] = (uint32_t)add_node(f, parent, frame) + 1;
	return f->n - 1;
}

/* Depths and child lists; every node's index is greater than its parent's. */
static void finish(struct flame *f)
{
	uint32_t *fill;

	free(f->map);
	f->map = NULL;
	f->depth = xcalloc(f->n, sizeof(*f->depth));
	f->koff = xcalloc(f->n + 1, sizeof(*f->koff));
	f->kname = xmalloc(st_mult(f->n, sizeof(*f->kname)));
	f->kval = xmalloc(st_mult(f->n, sizeof(*f->kval)));
	f->flags = xcalloc(f->n, 1);
	f->vis = xmalloc(st_mult(f->n, sizeof(*f->vis)));
	f->match = xcalloc(f->u->ninfos + 1, 1);
	for (size_t i = 1; i < f->n; i++) {
		f->depth[i] = f->depth[f->parent[i]] + 1;
		f->koff[f->parent[i] + 1]++;
	}
	for (size_t i = 0; i < f->n; i++)
		f->koff[i + 1] += f->koff[i];
	fill = xmalloc(st_mult(f->n + 1, sizeof(*fill)));
	memcpy(fill, f->koff, (f->n + 1) * sizeof(*fill));
	for (size_t i = 1; i < f->n; i++)
		f->kname[fill[f->parent[i]]++] = (uint32_t)i;
	free(fill);
	memcpy(f->kval, f->kname, f->n * sizeof(*f->kval));
	f->flags[0] |= OPEN;
}

struct flame *flame_new(struct cp_universe *u, const struct cp_stacks *s)
{
	struct flame *f = flame_alloc(u, s->n);

	f->n = s->n;
	memcpy(f->frame, s->frame, s->n * sizeof(*f->frame));
	memcpy(f->parent, s->parent, s->n * sizeof(*f->parent));
	memcpy(f->value, s->width, s->n * sizeof(*f->value));
	finish(f);
	return f;
}

/* Per trie node: whether 'frame' is on its path, root to node included. */
static unsigned char *on_path(const struct cp_stacks *s, uint32_t frame)
{
	unsigned char *has = xcalloc(s->n, 1);

	for (size_t i = 1; i < s->n; i++)
		has[i] = has[s->parent[i]] || s->frame[i] == frame;
	return has;
}

struct flame *flame_callees(struct cp_universe *u, const struct cp_stacks *s, uint32_t frame)
{
	unsigned char *has = on_path(s, frame);
	uint32_t *map = xmalloc(st_mult(s->n, sizeof(*map)));
	struct flame *f = flame_alloc(u, 1024);

	add_node(f, CP_NONE, frame);
	map[0] = CP_NONE;
	for (size_t i = 1; i < s->n; i++) {
		uint32_t p = s->parent[i];

		if (s->frame[i] == frame && !has[p])
			map[i] = 0; /* the outermost call: merged into the root */
		else if (map[p] != CP_NONE)
			map[i] = (uint32_t)child(f, map[p], s->frame[i]);
		else
			map[i] = CP_NONE;
		if (map[i] != CP_NONE)
			f->value[map[i]] += s->width[i];
	}
	free(map);
	free(has);
	if (!f->value[0]) {
		flame_free(f);
		return NULL;
	}
	finish(f);
	return f;
}

struct flame *flame_callers(struct cp_universe *u, const struct cp_stacks *s, uint32_t frame)
{
	unsigned char *has = on_path(s, frame);
	struct flame *f = flame_alloc(u, 1024);

	add_node(f, CP_NONE, frame);
	for (size_t i = 1; i < s->n; i++) {
		int64_t w = s->width[i];
		uint32_t at = 0;

		if (s->frame[i] != frame || has[s->parent[i]])
			continue;
		f->value[0] += w;
		for (uint32_t p = s->parent[i]; p != 0 && p != CP_NONE; p = s->parent[p]) {
			at = (uint32_t)child(f, at, s->frame[p]);
			f->value[at] += w;
		}
	}
	free(has);
	if (!f->value[0]) {
		flame_free(f);
		return NULL;
	}
	finish(f);
	return f;
}

void flame_free(struct flame *f)
{
	if (!f)
		return;
	free(f->frame);
	free(f->parent);
	free(f->depth);
	free(f->value);
	free(f->koff);
	free(f->kname);
	free(f->kval);
	free(f->flags);
	free(f->map);
	free(f->vis);
	free(f->match);
	free(f->match_for);
	free(f);
}

static const struct flame *sort_flame;

static int by_name(const void *a, const void *b)
{
	return strcmp(name_of(sort_flame, *(const uint32_t *)a),
		      name_of(sort_flame, *(const uint32_t *)b));
}

static int by_value(const void *a, const void *b)
{
	int64_t x = sort_flame->value[*(const uint32_t *)a];
	int64_t y = sort_flame->value[*(const uint32_t *)b];

	if (x != y)
		return x > y ? -1 : 1;
	return by_name(a, b);
}

/* The children of i, by name (flame) or by value (tree). */
static const uint32_t *kids(struct flame *f, size_t i, bool by_val, size_t *n)
{
	unsigned char bit = by_val ? SORTED_VALUE : SORTED_NAME;
	uint32_t *k = (by_val ? f->kval : f->kname) + f->koff[i];

	*n = f->koff[i + 1] - f->koff[i];
	if (!(f->flags[i] & bit)) {
		f->flags[i] |= bit;
		sort_flame = f;
		if (*n > 1)
			qsort(k, *n, sizeof(*k), by_val ? by_value : by_name);
	}
	return k;
}

static bool matches(struct flame *f, size_t i, const char *search)
{
	uint32_t id = f->frame[i] == CP_NONE ? (uint32_t)f->u->ninfos : f->frame[i];

	if (!search || !*search)
		return false;
	if (!f->match_for || strcmp(f->match_for, search)) {
		free(f->match_for);
		f->match_for = xstrdup(search);
		memset(f->match, 0, f->u->ninfos + 1);
	}
	if (!f->match[id])
		f->match[id] = strstr(name_of(f, i), search) ? 2 : 1;
	return f->match[id] == 2;
}

/* ---- drawing, at 1/8 of a cell ---- */

struct draw_ctx {
	struct flame *f;
	int rows, cols;
	const char *search;
	uint32_t *owner; /* rows x cols*8: the node drawn in each eighth, CP_NONE if none */
};

static void paint(struct draw_ctx *c, size_t i, double x0, double scale)
{
	struct flame *f = c->f;
	long row = (long)(f->depth[i] - f->depth[f->zoom]) - (long)f->voff;
	int64_t a = (int64_t)(x0 + 0.5), b = (int64_t)(x0 + (double)f->value[i] * scale + 0.5);
	int64_t w8 = (int64_t)c->cols * 8;
	const uint32_t *k;
	size_t nk;
	double x = x0;

	if (b - a < 1 || row >= c->rows)
		return;
	if (row >= 0) {
		uint32_t *o = c->owner + (size_t)row * (size_t)w8;

		for (int64_t e = a; e < b && e < w8; e++)
			o[e] = (uint32_t)i;
	}
	k = kids(f, i, false, &nk);
	for (size_t j = 0; j < nk; j++) {
		paint(c, k[j], x, scale);
		x += (double)f->value[k[j]] * scale;
	}
}

static int color(struct draw_ctx *c, uint32_t i)
{
	const char *name;
	uint32_t h = 2166136261u;

	if (i == CP_NONE)
		return SCREEN_C_NONE;
	if (i == c->f->sel)
		return SCREEN_C_SELECT;
	if (matches(c->f, i, c->search))
		return SCREEN_C_MATCH;
	/* a name keeps its colour in every view, as in flamegraph.pl */
	for (name = name_of(c->f, i); *name; name++)
		h = (h ^ (unsigned char)*name) * 16777619u;
	return SCREEN_C_RAMP0 + (int)(h % SCREEN_C_RAMP);
}

/* Screen row of flame row r. */
static int screen_row(int row0, int rows, bool up, int r)
{
	return up ? row0 + rows - 1 - r : row0 + r;
}

static void compose(struct draw_ctx *c, int row0, bool up)
{
	bool utf8 = screen_utf8();

	for (int r = 0; r < c->rows; r++) {
		const uint32_t *o = c->owner + (size_t)r * (size_t)c->cols * 8;
		int y = screen_row(row0, c->rows, up, r);

		for (int col = 0; col < c->cols;) {
			const uint32_t *e = o + (size_t)col * 8;
			uint32_t left = e[0], right;
			int k = 1, run = 1;

			while (k < 8 && e[k] == left)
				k++;
			right = k < 8 ? e[k] : left;
			if (k < 8 && (!utf8 || left == CP_NONE)) {
				/* whole cells: the cell goes to whoever has most of it */
				if (k < 4)
					left = right;
				k = 8;
			}
			if (k < 8) {
				char glyph[4] = { (char)0xe2, (char)0x96, (char)(0x90 - k), 0 };

				screen_put_color(y, col, glyph, 3, color(c, left), color(c, right));
				col++;
				continue;
			}
			if (left == CP_NONE) {
				col++;
				continue;
			}
			/* a run of whole cells of one frame: its label */
			while (col + run < c->cols) {
				const uint32_t *n = o + (size_t)(col + run) * 8;
				int j = 0;

				while (j < 8 && n[j] == left)
					j++;
				if (j < 8 && !(j >= 4 && (!utf8 || n[j] == CP_NONE)))
					break;
				run++;
			}
			{
				char cell[512];
				int w = run < (int)sizeof(cell) - 1 ? run : (int)sizeof(cell) - 1;

				snprintf(cell, sizeof(cell), "%-*.*s", w, w > 1 ? w - 1 : w,
					 name_of(c->f, left));
				screen_put_color(y, col, cell, (size_t)w, SCREEN_C_NONE,
						 color(c, left));
			}
			col += run;
		}
	}
}

void flame_draw(struct flame *f, int row0, int rows, bool up, const char *search, int64_t total,
		struct buf *status)
{
	struct draw_ctx c = { f, rows, 0, search, NULL };
	size_t d = f->depth[f->sel] - f->depth[f->zoom];
	int srows;
	int64_t z = f->value[f->zoom], s = f->value[f->sel];
	size_t cells;

	screen_size(&srows, &c.cols);
	if (d < f->voff)
		f->voff = d;
	if (rows > 0 && d >= f->voff + (size_t)rows)
		f->voff = d - (size_t)rows + 1;
	if (!total)
		total = f->value[0];
	cells = (size_t)(rows > 0 ? rows : 0) * (size_t)(c.cols > 0 ? c.cols : 0) * 8;
	c.owner = xmalloc(st_mult(cells + 1, sizeof(*c.owner)));
	for (size_t k = 0; k < cells; k++)
		c.owner[k] = CP_NONE;
	if (z > 0 && cells)
		paint(&c, f->zoom, 0, (double)c.cols * 8 / (double)z);
	if (cells)
		compose(&c, row0, up);
	free(c.owner);
	buf_addf(status, "flame | %s | %.2f%% of all", name_of(f, f->sel),
		 total ? 100.0 * (double)s / (double)total : 0.0);
	if (f->zoom)
		buf_addf(status, ", %.2f%% of zoom", z ? 100.0 * (double)s / (double)z : 0.0);
	if (f->sel)
		buf_addf(status, ", %.2f%% of parent",
			 100.0 * (double)s / (double)f->value[f->parent[f->sel]]);
}

static size_t sibling(struct flame *f, size_t i, int dir)
{
	const uint32_t *k;
	size_t nk;

	if (i == f->zoom)
		return i;
	k = kids(f, f->parent[i], false, &nk);
	for (size_t j = 0; j < nk; j++) {
		if (k[j] != i)
			continue;
		if (dir < 0 && j > 0)
			return k[j - 1];
		if (dir > 0 && j + 1 < nk)
			return k[j + 1];
	}
	return i;
}

/* The widest child, the one a reader follows down. */
static size_t widest_kid(struct flame *f, size_t i)
{
	size_t nk;
	const uint32_t *k = kids(f, i, true, &nk);

	return nk ? k[0] : i;
}

bool flame_key(struct flame *f, int key, bool up)
{
	if (up && (key == SCREEN_KEY_UP || key == 'k'))
		key = SCREEN_KEY_DOWN;
	else if (up && (key == SCREEN_KEY_DOWN || key == 'j'))
		key = SCREEN_KEY_UP;
	switch (key) {
	case SCREEN_KEY_UP:
	case 'k':
		if (f->sel != f->zoom)
			f->sel = f->parent[f->sel];
		return true;
	case SCREEN_KEY_DOWN:
	case 'j':
		f->sel = widest_kid(f, f->sel);
		return true;
	case SCREEN_KEY_LEFT:
		f->sel = sibling(f, f->sel, -1);
		return true;
	case SCREEN_KEY_RIGHT:
		f->sel = sibling(f, f->sel, 1);
		return true;
	case SCREEN_KEY_ENTER:
		if (f->sel != f->zoom && f->nzooms < ARRAY_SIZE(f->zooms)) {
			f->zooms[f->nzooms++] = f->zoom;
			f->zoom = f->sel;
			f->voff = 0;
		}
		return true;
	case SCREEN_KEY_ESC:
	case SCREEN_KEY_BACKSPACE:
		if (!f->nzooms)
			return false;
		f->zoom = f->zooms[--f->nzooms];
		f->voff = 0;
		return true;
	default:
		return false;
	}
}

/* Is i inside the zoomed frame's subtree? */
static bool in_zoom(const struct flame *f, size_t i)
{
	while (i != f->zoom && i != 0)
		i = f->parent[i];
	return i == f->zoom;
}

bool flame_find(struct flame *f, const char *s, int dir)
{
	size_t n = f->n;

	for (size_t k = 1; k <= n; k++) {
		size_t i = dir > 0 ? (f->sel + k) % n : (f->sel + n - k) % n;

		if (f->value[i] && matches(f, i, s) && in_zoom(f, i)) {
			f->sel = i;
			return true;
		}
	}
	return false;
}

uint32_t flame_selected(const struct flame *f, bool tree)
{
	return f->frame[tree ? f->tsel : f->sel];
}

int64_t flame_total(const struct flame *f)
{
	return f->value[0];
}

/* ---- call tree ---- */

static void list_visible(struct flame *f, size_t i)
{
	const uint32_t *k;
	size_t nk;

	f->vis[f->nvis++] = (uint32_t)i;
	if (!(f->flags[i] & OPEN))
		return;
	k = kids(f, i, true, &nk);
	for (size_t j = 0; j < nk; j++)
		list_visible(f, k[j]);
}

static size_t vis_index(const struct flame *f, size_t node)
{
	for (size_t k = 0; k < f->nvis; k++)
		if (f->vis[k] == node)
			return k;
	return 0;
}

static int64_t self_value(const struct flame *f, size_t i)
{
	int64_t v = f->value[i];

	for (uint32_t k = f->koff[i]; k < f->koff[i + 1]; k++)
		v -= f->value[f->kname[k]];
	return v;
}

static bool has_kids(const struct flame *f, size_t i)
{
	return f->koff[i + 1] > f->koff[i];
}

void flame_tree_draw(struct flame *f, int rows, struct buf *status)
{
	double total = f->value[0] ? (double)f->value[0] : 1.0;
	size_t at;
	struct buf line = BUF_INIT;

	f->nvis = 0;
	list_visible(f, 0);
	at = vis_index(f, f->tsel);
	if (at < f->ttop)
		f->ttop = at;
	if (rows > 0 && at >= f->ttop + (size_t)rows)
		f->ttop = at - (size_t)rows + 1;
	buf_init(&line);
	for (int r = 0; r < rows && f->ttop + (size_t)r < f->nvis; r++) {
		size_t i = f->vis[f->ttop + (size_t)r];

		buf_reset(&line);
		buf_addf(&line, "%7.2f%% %7.2f%%  %*s%c %s", 100.0 * (double)f->value[i] / total,
			 100.0 * (double)self_value(f, i) / total, (int)(2 * f->depth[i]), "",
			 !has_kids(f, i)    ? ' ' :
			 f->flags[i] & OPEN ? '-' :
					      '+',
			 name_of(f, i));
		if (i == f->tsel)
			screen_fill(r, 0, SCREEN_SELECT);
		screen_put(r, 0, line.buf, line.len, i == f->tsel ? SCREEN_SELECT : SCREEN_NORMAL);
	}
	buf_release(&line);
	buf_addf(status, "tree | %s | cum %.2f%%, self %.2f%%", name_of(f, f->tsel),
		 100.0 * (double)f->value[f->tsel] / total,
		 100.0 * (double)self_value(f, f->tsel) / total);
}

bool flame_tree_key(struct flame *f, int key, int rows)
{
	size_t at;

	f->nvis = 0;
	list_visible(f, 0);
	at = vis_index(f, f->tsel);
	switch (key) {
	case SCREEN_KEY_UP:
	case 'k':
		if (at > 0)
			f->tsel = f->vis[at - 1];
		return true;
	case SCREEN_KEY_DOWN:
	case 'j':
		if (at + 1 < f->nvis)
			f->tsel = f->vis[at + 1];
		return true;
	case SCREEN_KEY_PGDN:
	case ' ':
		at = at + (size_t)rows < f->nvis ? at + (size_t)rows : f->nvis - 1;
		f->tsel = f->vis[at];
		return true;
	case SCREEN_KEY_PGUP:
	case 'b':
		f->tsel = f->vis[at > (size_t)rows ? at - (size_t)rows : 0];
		return true;
	case SCREEN_KEY_HOME:
	case 'g':
		f->tsel = 0;
		return true;
	case SCREEN_KEY_END:
	case 'G':
		f->tsel = f->vis[f->nvis - 1];
		return true;
	case SCREEN_KEY_RIGHT:
	case SCREEN_KEY_ENTER:
	case '+':
		if (!has_kids(f, f->tsel))
			return true;
		if (!(f->flags[f->tsel] & OPEN)) {
			f->flags[f->tsel] |= OPEN;
		} else {
			size_t nk;

			f->tsel = kids(f, f->tsel, true, &nk)[0];
		}
		return true;
	case SCREEN_KEY_LEFT:
	case '-':
		if ((f->flags[f->tsel] & OPEN) && has_kids(f, f->tsel))
			f->flags[f->tsel] &= (unsigned char)~OPEN;
		else if (f->tsel)
			f->tsel = f->parent[f->tsel];
		return true;
	default:
		return false;
	}
}
