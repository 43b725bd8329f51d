#include "model/compat.h"
#include "model/alloc.h"
#include "tui/flame.h"
#include "tui/screen.h"

struct fnode {
	char *name; /* points into the flame's text */
	int64_t value;
	size_t parent, depth;
	size_t *kids;
	size_t nkids, cap;
};

struct flame {
	char *text;
	struct fnode *nodes;
	size_t nnodes, cap;
	size_t sel, zoom;
	size_t zooms[256]; /* zoom stack */
	size_t nzooms;
	size_t voff; /* rows scrolled down */
	/* call tree */
	bool *open;
	size_t tsel, ttop;
	size_t *vis; /* visible nodes in order */
	size_t nvis;
};

static size_t add_node(struct flame *f, size_t parent, char *name)
{
	struct fnode *n;

	if (f->nnodes == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 256;
		f->nodes = xrealloc(f->nodes, f->cap * sizeof(*f->nodes));
	}
	n = &f->nodes[f->nnodes];
	memset(n, 0, sizeof(*n));
	n->name = name;
	n->parent = parent;
	n->depth = f->nnodes ? f->nodes[parent].depth + 1 : 0;
	if (f->nnodes) {
		struct fnode *p = &f->nodes[parent];

		if (p->nkids == p->cap) {
			p->cap = p->cap ? 2 * p->cap : 4;
			p->kids = xrealloc(p->kids, p->cap * sizeof(*p->kids));
		}
		p->kids[p->nkids++] = f->nnodes;
	}
	return f->nnodes++;
}

static const struct fnode *sort_nodes;

static int by_name(const void *a, const void *b)
{
	return strcmp(sort_nodes[*(const size_t *)a].name, sort_nodes[*(const size_t *)b].name);
}

struct flame *flame_new(const char *folded)
{
	struct flame *f = xcalloc(1, sizeof(*f));
	char *line, *next;

	static char root[] = "all";

	f->text = xstrdup(folded);
	add_node(f, 0, root);
	for (line = f->text; line && *line; line = next) {
		char *sp, *frame, *end;
		size_t at = 0;
		int64_t v;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		sp = strrchr(line, ' ');
		if (!sp)
			continue;
		*sp = '\0';
		v = strtoll(sp + 1, &end, 10);
		if (*end || v <= 0)
			continue;
		f->nodes[0].value += v;
		for (frame = line; frame;) {
			char *semi = strchr(frame, ';');
			size_t k, kid = 0;
			bool found = false;

			if (semi)
				*semi = '\0';
			for (k = 0; k < f->nodes[at].nkids; k++) {
				kid = f->nodes[at].kids[k];
				if (!strcmp(f->nodes[kid].name, frame)) {
					found = true;
					break;
				}
			}
			if (!found)
				kid = add_node(f, at, frame);
			f->nodes[kid].value += v;
			at = kid;
			frame = semi ? semi + 1 : NULL;
		}
	}
	sort_nodes = f->nodes;
	f->open = xcalloc(f->nnodes, sizeof(*f->open));
	f->vis = xcalloc(f->nnodes, sizeof(*f->vis));
	f->open[0] = true;
	for (size_t i = 0; i < f->nnodes; i++)
		if (f->nodes[i].nkids > 1)
			qsort(f->nodes[i].kids, f->nodes[i].nkids, sizeof(size_t), by_name);
	return f;
}

void flame_free(struct flame *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->nnodes; i++)
		free(f->nodes[i].kids);
	free(f->nodes);
	free(f->open);
	free(f->vis);
	free(f->text);
	free(f);
}

struct draw_ctx {
	struct flame *f;
	int rows, cols;
	const char *search;
};

static void draw_node(struct draw_ctx *c, size_t i, double x0, double scale)
{
	const struct fnode *n = &c->f->nodes[i];
	const struct fnode *z = &c->f->nodes[c->f->zoom];
	long row = (long)(n->depth - z->depth) - (long)c->f->voff;
	int a = (int)(x0 + 0.5), b = (int)(x0 + (double)n->value * scale + 0.5);
	double x = x0;
	enum screen_attr attr;

	if (b - a < 1 || row >= c->rows)
		return;
	if (row >= 0) {
		char cell[512];
		int w = b - a;

		attr = n->depth % 2 ? SCREEN_FRAME1 : SCREEN_FRAME2;
		if (c->search && *c->search && strstr(n->name, c->search))
			attr = SCREEN_MATCH;
		if (i == c->f->sel)
			attr = SCREEN_SELECT;
		if (w > (int)sizeof(cell) - 1)
			w = (int)sizeof(cell) - 1;
		snprintf(cell, sizeof(cell), "%-*.*s", w, w > 1 ? w - 1 : w, n->name);
		screen_put((int)row, a, cell, (size_t)w, attr);
	}
	for (size_t k = 0; k < n->nkids; k++) {
		size_t kid = n->kids[k];

		draw_node(c, kid, x, scale);
		x += (double)c->f->nodes[kid].value * scale;
	}
}

/* Is i inside the zoomed frame's subtree? */
static bool in_zoom(const struct flame *f, size_t i)
{
	while (i != f->zoom && i != 0)
		i = f->nodes[i].parent;
	return i == f->zoom;
}

void flame_draw(struct flame *f, int rows, const char *search, struct buf *status)
{
	struct draw_ctx c = { f, rows, 0, search };
	const struct fnode *z = &f->nodes[f->zoom], *s = &f->nodes[f->sel];
	int srows;
	size_t d = s->depth - z->depth;

	screen_size(&srows, &c.cols);
	if (d < f->voff)
		f->voff = d;
	if (rows > 0 && d >= f->voff + (size_t)rows)
		f->voff = d - (size_t)rows + 1;
	if (z->value > 0)
		draw_node(&c, f->zoom, 0, (double)c.cols / (double)z->value);
	buf_addf(status, "flame | %s | %.2f%% of all", s->name,
		 f->nodes[0].value ? 100.0 * (double)s->value / (double)f->nodes[0].value : 0.0);
	if (f->zoom)
		buf_addf(status, ", %.2f%% of zoom",
			 z->value ? 100.0 * (double)s->value / (double)z->value : 0.0);
	if (f->sel)
		buf_addf(status, ", %.2f%% of parent",
			 100.0 * (double)s->value / (double)f->nodes[s->parent].value);
}

static size_t sibling(const struct flame *f, size_t i, int dir)
{
	const struct fnode *p;

	if (i == f->zoom)
		return i;
	p = &f->nodes[f->nodes[i].parent];
	for (size_t k = 0; k < p->nkids; k++) {
		if (p->kids[k] != i)
			continue;
		if (dir < 0 && k > 0)
			return p->kids[k - 1];
		if (dir > 0 && k + 1 < p->nkids)
			return p->kids[k + 1];
	}
	return i;
}

/* The widest child, the one a reader follows down. */
static size_t widest_kid(const struct flame *f, size_t i)
{
	const struct fnode *n = &f->nodes[i];
	size_t best = i;

	for (size_t k = 0; k < n->nkids; k++)
		if (best == i || f->nodes[n->kids[k]].value > f->nodes[best].value)
			best = n->kids[k];
	return best;
}

bool flame_key(struct flame *f, int key)
{
	switch (key) {
	case SCREEN_KEY_UP:
	case 'k':
		if (f->sel != f->zoom)
			f->sel = f->nodes[f->sel].parent;
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

bool flame_find(struct flame *f, const char *s, int dir)
{
	size_t n = f->nnodes;

	for (size_t k = 1; k <= n; k++) {
		size_t i = dir > 0 ? (f->sel + k) % n : (f->sel + n - k) % n;

		if (strstr(f->nodes[i].name, s) && in_zoom(f, i)) {
			f->sel = i;
			return true;
		}
	}
	return false;
}

/* ---- call tree ---- */

static int by_value(const void *a, const void *b)
{
	int64_t x = sort_nodes[*(const size_t *)a].value, y = sort_nodes[*(const size_t *)b].value;

	if (x != y)
		return x > y ? -1 : 1;
	return strcmp(sort_nodes[*(const size_t *)a].name, sort_nodes[*(const size_t *)b].name);
}

static void list_visible(struct flame *f, size_t i)
{
	const struct fnode *n = &f->nodes[i];
	size_t *kids;

	f->vis[f->nvis++] = i;
	if (!f->open[i] || !n->nkids)
		return;
	kids = xmalloc(n->nkids * sizeof(*kids));
	memcpy(kids, n->kids, n->nkids * sizeof(*kids));
	sort_nodes = f->nodes;
	qsort(kids, n->nkids, sizeof(*kids), by_value);
	for (size_t k = 0; k < n->nkids; k++)
		list_visible(f, kids[k]);
	free(kids);
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
	int64_t v = f->nodes[i].value;

	for (size_t k = 0; k < f->nodes[i].nkids; k++)
		v -= f->nodes[f->nodes[i].kids[k]].value;
	return v;
}

void flame_tree_draw(struct flame *f, int rows, struct buf *status)
{
	double total = f->nodes[0].value ? (double)f->nodes[0].value : 1.0;
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
		const struct fnode *n = &f->nodes[i];

		buf_reset(&line);
		buf_addf(&line, "%7.2f%% %7.2f%%  %*s%c %s", 100.0 * (double)n->value / total,
			 100.0 * (double)self_value(f, i) / total, (int)(2 * n->depth), "",
			 !n->nkids  ? ' ' :
			 f->open[i] ? '-' :
				      '+',
			 n->name);
		if (i == f->tsel)
			screen_fill(r, 0, SCREEN_SELECT);
		screen_put(r, 0, line.buf, line.len, i == f->tsel ? SCREEN_SELECT : SCREEN_NORMAL);
	}
	buf_release(&line);
	buf_addf(status, "tree | %s | cum %.2f%%, self %.2f%%", f->nodes[f->tsel].name,
		 100.0 * (double)f->nodes[f->tsel].value / total,
		 100.0 * (double)self_value(f, f->tsel) / total);
}

bool flame_tree_key(struct flame *f, int key, int rows)
{
	size_t at;
	const struct fnode *n = &f->nodes[f->tsel];

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
		if (!n->nkids)
			return true;
		if (!f->open[f->tsel]) {
			f->open[f->tsel] = true;
		} else {
			f->nvis = 0;
			list_visible(f, 0);
			f->tsel = f->vis[vis_index(f, f->tsel) + 1];
		}
		return true;
	case SCREEN_KEY_LEFT:
	case '-':
		if (f->open[f->tsel] && n->nkids)
			f->open[f->tsel] = false;
		else if (f->tsel)
			f->tsel = n->parent;
		return true;
	default:
		return false;
	}
}
