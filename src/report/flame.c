/*
 * flame.c - the `flame` report: one self-contained, interactive SVG.
 *
 * The drawing is static SVG (it shows in any viewer, scripts off), laid
 * out for FLAME_WIDTH pixels from the stack trie of the filtered view.  A
 * JSON copy of the frames and the viewer script (flame_viewer.js, embedded
 * through flame_viewer.inc) make it interactive in a browser.
 *
 * Choices, documented in the README:
 *   - granularity: filefunctions unless files, lines or addresses is asked
 *     for (pprof's flame graph default; in C, static functions of the same
 *     name in different files stay apart);
 *   - frames narrower than FLAME_MIN_PX at full width, or beyond the
 *     FLAME_MAX_FRAMES widest, fold into one "other" box per parent, which
 *     keeps the parent's total;
 *   - a view with negative sample values (a base subtracted) is drawn as a
 *     differential flame graph: widths are the union of base and new,
 *     colours show the change.
 * The output is deterministic: no time, no randomness, fixed number formats.
 */
#include "model/compat.h"
#include <math.h>
#include "model/alloc.h"
#include "model/path.h"
#include "model/stacks.h"
#include "model/strtab.h"
#include "report/report.h"
#include "report/units.h"
#include "report/xml.h"

#include "report/flame_viewer.inc"

#define FLAME_WIDTH	 1200 /* px of the static layout, frames area */
#define FLAME_PAD	 10   /* px left and right of the frames */
#define FLAME_ROW	 16   /* px per stack level */
#define FLAME_MIN_PX	 0.1  /* narrower frames fold into "other" */
#define FLAME_MAX_FRAMES 40000
#define FLAME_CHAR_PX	 6.7 /* advance of the 11px monospace font */
#define FLAME_TOP	 78  /* px above the frames */
#define FLAME_LEGEND_MAX 12  /* groups named in the legend */
#define FLAME_NOISE_Z	 2.0 /* |z| below this: within sampling noise */

struct frame {
	uint32_t node;	/* trie node, or CP_NONE for an "other" box */
	uint32_t owner; /* for "other": the trie node whose children it folds */
	uint32_t depth; /* 0 = root */
	uint32_t name;	/* index into names (not for the root and "other") */
	int64_t x, w;	/* in value units from the root's left edge */
	int64_t t, b;	/* diff: new and base totals */
	int64_t cn, cb; /* diff: new and base event counts */
	int64_t self_w; /* width not covered by children */
};

/* A table of strings with dense ids in order of first use. */
struct table {
	struct strtab st;
	uint32_t *map; /* strtab id -> dense id + 1 */
	size_t amap;
	uint32_t *order; /* dense id -> strtab id */
	size_t n, aorder;
};

static void table_init(struct table *t)
{
	memset(t, 0, sizeof(*t));
	strtab_init(&t->st);
}

static void table_release(struct table *t)
{
	strtab_free(&t->st);
	free(t->map);
	free(t->order);
}

static uint32_t table_add(struct table *t, const char *s, size_t len)
{
	uint32_t id = strtab_intern(&t->st, s, len);

	if (id >= t->amap) {
		size_t old = t->amap;

		ALLOC_GROW(t->map, id + 1, t->amap);
		memset(t->map + old, 0, (t->amap - old) * sizeof(*t->map));
	}
	if (!t->map[id]) {
		ALLOC_GROW(t->order, t->n + 1, t->aorder);
		t->order[t->n] = id;
		t->map[id] = (uint32_t)++t->n;
	}
	return t->map[id] - 1;
}

static const char *table_str(const struct table *t, uint32_t i, size_t *len)
{
	*len = strtab_len(&t->st, t->order[i]);
	return strtab_str(&t->st, t->order[i]);
}

struct flame {
	struct report *r;
	struct cp_universe *u;
	struct cp_stacks *s;
	struct cp_stacks_children c;
	struct frame *f;
	size_t nf;
	int64_t scale;	   /* gcd of the values: widths are written divided by it */
	uint32_t *name_of; /* universe id -> name index + 1 */
	uint32_t *names;   /* name index -> universe id (0: unused) */
	size_t nnames;
	struct table files, libs, pkgs;
	uint32_t *nfile, *nlib, *npkg; /* per name; UINT32_MAX: none */
	unsigned char *jit;	       /* per name: lightness jitter 0..8 */
	double px;		       /* px per value unit */
	int64_t min_w;		       /* narrower frames are folded */
	uint32_t max_depth;	       /* of the frames drawn */
	bool with_lines;	       /* some frame has a line number */
};

/* ---- colours ---- */

static uint32_t fnv32(const char *s, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

static unsigned hue_of(const char *s, size_t len)
{
	return fnv32(s, len) % 360;
}

/* HSL (h in degrees, s and l in percent) to "#rrggbb". */
static void hsl_hex(double h, double s, double l, char out[8])
{
	double c, x, m, r = 0, g = 0, b = 0, hp;

	s /= 100;
	l /= 100;
	c = (1 - fabs(2 * l - 1)) * s;
	hp = h / 60;
	x = c * (1 - fabs(fmod(hp, 2) - 1));
	if (hp < 1) {
		r = c, g = x;
	} else if (hp < 2) {
		r = x, g = c;
	} else if (hp < 3) {
		g = c, b = x;
	} else if (hp < 4) {
		g = x, b = c;
	} else if (hp < 5) {
		r = x, b = c;
	} else {
		r = c, b = x;
	}
	m = l - c / 2;
	snprintf(out, 8, "#%02x%02x%02x", (unsigned)lround((r + m) * 255),
		 (unsigned)lround((g + m) * 255), (unsigned)lround((b + m) * 255));
}

/* Light-theme colours; the viewer uses the same numbers (see flame_viewer.js). */
#define SAT   55.0
#define LIGHT 74.0

static void group_color(unsigned hue, unsigned jit, char out[8])
{
	hsl_hex(hue, SAT, LIGHT + ((double)jit - 4) * 1.5, out);
}

/* Diff colours: grew = orange, shrank = blue (colour-blind safe), noise = grey. */
static const int grow_rgb[3] = { 230, 97, 1 }, shrink_rgb[3] = { 33, 102, 172 };

static double zscore(int64_t nv, int64_t bv, int64_t nc, int64_t bc)
{
	double var = 0, d = (double)nv - (double)bv;

	if (nc > 0)
		var += (double)nv * (double)nv / (double)nc;
	if (bc > 0)
		var += (double)bv * (double)bv / (double)bc;
	if (var <= 0)
		return d == 0 ? 0 : INFINITY;
	return d / sqrt(var);
}

/*
 * Grew: orange, shrank: blue, more intense as the change is larger relative
 * to the frame (so a small frame that doubled shows as much as a large one);
 * grey when the change is within sampling noise; hatched when new or gone.
 */
static void diff_color(int64_t nv, int64_t bv, int64_t nc, int64_t bc, char *out, size_t size)
{
	int64_t d = sub64(nv, bv);
	double z = zscore(nv, bv, nc, bc), t, k;
	const int *rgb;
	int ch[3];

	if (bv == 0 && nv > 0) {
		snprintf(out, size, "url(#new)");
		return;
	}
	if (nv == 0 && bv > 0) {
		snprintf(out, size, "url(#gone)");
		return;
	}
	if (d == 0 || fabs(z) < FLAME_NOISE_Z) {
		snprintf(out, size, "#c8c8c8");
		return;
	}
	t = (double)abs64(d) / (double)(nv > bv ? nv : bv);
	k = 0.25 + 0.75 * t;
	rgb = d > 0 ? grow_rgb : shrink_rgb;
	for (int i = 0; i < 3; i++)
		ch[i] = (int)lround(255 - k * (255 - rgb[i]));
	snprintf(out, size, "#%02x%02x%02x", ch[0], ch[1], ch[2]);
}

/* ---- names and groups ---- */

static bool is_clone_suffix(const char *s, size_t len)
{
	static const char *const sfx[] = { "constprop",	 "isra",  "part", "cold", "lto_priv",
					   "localalias", "clone", "llvm", "str" };

	for (size_t i = 0; i < ARRAY_SIZE(sfx); i++) {
		size_t n = strlen(sfx[i]);

		if (len >= n && !memcmp(s, sfx[i], n))
			return true;
	}
	return false;
}

/*
 * The package of a symbol: the C++ namespace or class before the first
 * top-level "::", or a Go package path ("compress/flate" of
 * "compress/flate.(*compressor).deflate").  Returns its length, 0 if none.
 */
static size_t package_of(const char *s, size_t len, const char **start)
{
	int nest = 0;
	size_t seg = 0, slash = 0, dot;

	for (size_t i = 0; i + 1 < len; i++) {
		char ch = s[i];

		if (ch == '<' || ch == '(' || ch == '[' || ch == '{') {
			nest++;
		} else if ((ch == '>' || ch == ')' || ch == ']' || ch == '}') && nest > 0) {
			nest--;
		} else if (nest == 0 && ch == ' ') {
			seg = i + 1;
		} else if (nest == 0 && ch == ':' && s[i + 1] == ':') {
			if (i == seg)
				return 0;
			*start = s + seg;
			return i - seg;
		}
	}
	/* Go: the path up to the last '/', then up to the first '.' */
	for (size_t i = 0; i < len && s[i] != '(' && s[i] != ' '; i++)
		if (s[i] == '/')
			slash = i + 1;
	for (dot = slash; dot < len && s[dot] != '.'; dot++)
		if (s[dot] == ' ' || s[dot] == '(' || s[dot] == '<')
			return 0;
	if (dot == 0 || dot >= len - 1 || is_clone_suffix(s + dot + 1, len - dot - 1))
		return 0;
	*start = s;
	return dot;
}

static void name_groups(struct flame *fl, uint32_t name)
{
	struct cp_universe *u = fl->u;
	const struct cp_node_info *ni = &u->infos[fl->names[name]];
	const char *fn = strtab_str(&u->names, ni->name), *file = strtab_str(&u->names, ni->file);
	const char *obj = strtab_str(&u->names, ni->objfile), *pk = NULL, *base;
	size_t fnl = strtab_len(&u->names, ni->name), filel = strtab_len(&u->names, ni->file);
	size_t pkl = package_of(fn, fnl, &pk), bl = 0, dl;

	fl->nfile[name] = filel ? table_add(&fl->files, file, filel) : UINT32_MAX;
	base = *obj ? path_base(obj, strlen(obj), &bl) : NULL;
	fl->nlib[name] = bl ? table_add(&fl->libs, base, bl) : UINT32_MAX;
	if (pkl) {
		fl->npkg[name] = table_add(&fl->pkgs, pk, pkl);
	} else if (bl) {
		fl->npkg[name] = table_add(&fl->pkgs, base, bl);
	} else if (filel) {
		/* the source directory, or the file itself when it has none */
		for (dl = filel; dl > 0 && file[dl - 1] != '/'; dl--)
			;
		fl->npkg[name] = table_add(&fl->pkgs, file, dl > 1 ? dl - 1 : filel);
	} else {
		fl->npkg[name] = table_add(&fl->pkgs, "(unknown)", 9);
	}
	fl->jit[name] = (unsigned char)(fnv32(fn, fnl) % 9);
	if (ni->lineno)
		fl->with_lines = true;
}

static uint32_t name_index(struct flame *fl, uint32_t id)
{
	if (!fl->name_of[id]) {
		fl->names[fl->nnames] = id;
		fl->name_of[id] = (uint32_t)++fl->nnames;
		name_groups(fl, (uint32_t)fl->nnames - 1);
	}
	return fl->name_of[id] - 1;
}

/* The label of a universe node: its function name, else pprof's printable name. */
static const char *node_label(struct flame *fl, uint32_t id, size_t *len)
{
	const struct cp_node_info *ni = &fl->u->infos[id];
	const char *s;

	if (ni->name && !ni->address) {
		*len = strtab_len(&fl->u->names, ni->name);
		return strtab_str(&fl->u->names, ni->name);
	}
	s = universe_printable(fl->u, id);
	*len = strlen(s);
	return s;
}

static const char *frame_label(struct flame *fl, const struct frame *f, size_t *len)
{
	if (f->node == 0) {
		*len = 3;
		return "all";
	}
	if (f->node == CP_NONE) {
		*len = 0;
		return "";
	}
	return node_label(fl, fl->s->frame[f->node], len);
}

/*
 * Shorter forms of a symbol for labels that do not fit, as pprof's viewer
 * does: without the parameter list, without template arguments, then only
 * the last two scope components, then the last one (for Go, the path of the
 * package goes first).  The viewer (flame_viewer.js, shortForms) does the
 * same.  Writes the form number 'k' (1..4) into out; false when the name has
 * no such form.
 */
static bool short_form(const char *s, size_t len, int k, struct buf *out)
{
	size_t end = len, op = len, cut = 0, comps = 0;
	int depth = 0;

	/* 1: drop a trailing " const" and the parameter list */
	if (end >= 6 && !memcmp(s + end - 6, " const", 6))
		end -= 6;
	if (end && s[end - 1] == ')') {
		size_t i = end;

		for (; i-- > 0;) {
			if (s[i] == ')')
				depth++;
			else if (s[i] == '(' && --depth == 0)
				break;
		}
		if (i < end && i > 0)
			end = i;
	}
	buf_reset(out);
	if (k == 1) {
		buf_add(out, s, end);
		return end < len;
	}
	/* 2: drop template arguments (not the '<' of operator<, operator<<, ...) */
	for (size_t i = 0; i + 8 <= end; i++)
		if (!memcmp(s + i, "operator", 8)) {
			op = i;
			break;
		}
	depth = 0;
	for (size_t i = 0; i < end; i++) {
		if (i < op && s[i] == '<') {
			depth++;
			continue;
		}
		if (i < op && s[i] == '>' && depth > 0) {
			depth--;
			continue;
		}
		if (!depth)
			buf_addc(out, s[i]);
	}
	if (k == 2)
		return out->len < end;
	/* 3 and 4: the last two components, the last one */
	for (size_t i = out->len; i-- > 1;) {
		if (out->buf[i] == ':' && out->buf[i - 1] == ':') {
			comps++;
			if (comps == (size_t)(k == 3 ? 2 : 1)) {
				cut = i + 1;
				break;
			}
			i--;
		} else if (out->buf[i] == '/' && !memchr(out->buf, ':', out->len)) {
			cut = i + 1; /* Go: drop the package path */
			break;
		}
	}
	if (!cut)
		return false;
	memmove(out->buf, out->buf + cut, out->len - cut);
	out->len -= cut;
	out->buf[out->len] = '\0';
	return true;
}

/* A label that fits in 'chars' characters: the first short form that does, else cut. */
static void fit_label(const char *s, size_t len, size_t chars, struct buf *out)
{
	struct buf f = BUF_INIT, best = BUF_INIT;

	buf_init(&f);
	buf_init(&best);
	buf_add(&best, s, len);
	for (int k = 1; k <= 4 && xml_display_len(best.buf, best.len) > chars; k++) {
		if (!short_form(s, len, k, &f) || !f.len)
			continue;
		buf_reset(&best);
		buf_add(&best, f.buf, f.len);
	}
	xml_text_max(out, best.buf, best.len, chars);
	buf_release(&f);
	buf_release(&best);
}

/* ---- layout ---- */

static int64_t gcd64(int64_t a, int64_t b)
{
	while (b) {
		int64_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

static int64_t values_gcd(const struct report *r)
{
	size_t n;
	uint32_t *ids = view_sample_ids(&r->view, &n);
	int64_t g = 0;

	for (size_t i = 0; i < n && g != 1; i++) {
		int64_t w = profile_values(r->p, ids[i])[r->sample_index];

		if (w != 0 && w != INT64_MIN)
			g = gcd64(abs64(w), g);
	}
	free(ids);
	return g > 0 ? g : 1;
}

static struct frame *add_frame(struct flame *fl, size_t *alloc)
{
	struct frame *f;

	ALLOC_GROW(fl->f, fl->nf + 1, *alloc);
	f = &fl->f[fl->nf++];
	memset(f, 0, sizeof(*f));
	return f;
}

/* Frames in depth-first order: each node, its children widest first, then its "other". */
static void layout(struct flame *fl)
{
	struct cp_stacks *s = fl->s;
	struct cp_stacks_children *c = &fl->c;
	/* work stack: trie node, or ~node for the "other" box of node */
	struct item {
		uint32_t node;
		bool other;
		int64_t x;
	} *stk = NULL;
	size_t n = 0, astk = 0, alloc = 0;

	ALLOC_GROW(stk, 1, astk);
	stk[n++] = (struct item){ 0, false, 0 };
	while (n) {
		struct item it = stk[--n];
		struct frame *f = add_frame(fl, &alloc);
		uint32_t nd = it.node;
		int64_t x;

		f->x = it.x;
		if (it.other) {
			f->node = CP_NONE;
			f->owner = nd;
			f->depth = s->depth[nd] + 1;
			f->w = c->other_w[nd];
			f->self_w = f->w;
			continue;
		}
		f->node = nd;
		f->depth = s->depth[nd];
		f->w = s->width[nd];
		f->name = nd ? name_index(fl, s->frame[nd]) : 0;
		if (s->diff) {
			f->t = s->pos[nd].total;
			f->b = s->neg[nd].total;
			f->cn = s->cnt_pos[nd].total;
			f->cb = s->cnt_neg[nd].total;
		}
		/* push in reverse: other last, so it pops after the children */
		x = it.x;
		for (uint32_t k = c->off[nd]; k < c->off[nd + 1]; k++)
			x = add64(x, s->width[c->list[k]]);
		f->self_w = sub64(sub64(f->w, sub64(x, it.x)), c->other_w[nd]);
		ALLOC_GROW(stk, n + 1 + (c->off[nd + 1] - c->off[nd]), astk);
		if (c->other_n[nd])
			stk[n++] = (struct item){ nd, true, x };
		for (uint32_t k = c->off[nd + 1]; k-- > c->off[nd];) {
			uint32_t ch = c->list[k];

			x = sub64(x, s->width[ch]);
			stk[n++] = (struct item){ ch, false, x };
		}
	}
	free(stk);
	for (size_t i = 0; i < fl->nf; i++)
		if (fl->f[i].depth > fl->max_depth)
			fl->max_depth = fl->f[i].depth;
}

/* ---- output ---- */

static void frame_fill(struct flame *fl, const struct frame *f, char *out, size_t size)
{
	uint32_t g;

	if (f->node == CP_NONE) {
		snprintf(out, size, "url(#other)");
		return;
	}
	if (fl->s->diff) {
		diff_color(f->t, f->b, f->cn, f->cb, out, size);
		return;
	}
	if (f->node == 0) {
		snprintf(out, size, "#c8c8c8");
		return;
	}
	g = fl->npkg[f->name];
	{
		size_t len;
		const char *gs = table_str(&fl->pkgs, g, &len);
		char hex[8];

		group_color(hue_of(gs, len), fl->jit[f->name], hex);
		snprintf(out, size, "%s", hex);
	}
}

/* Flame orientation: the root at the bottom. */
static double frame_y(const struct flame *fl, uint32_t depth)
{
	return FLAME_TOP + (double)(fl->max_depth - depth) * FLAME_ROW;
}

static void emit_frames(struct flame *fl, struct buf *out)
{
	struct buf *rows = xcalloc(fl->max_depth + 1, sizeof(*rows));
	struct buf labels = BUF_INIT;

	buf_init(&labels);
	for (size_t d = 0; d <= fl->max_depth; d++)
		buf_init(&rows[d]);
	for (size_t i = 0; i < fl->nf; i++) {
		const struct frame *f = &fl->f[i];
		double x = (double)f->x * fl->px, w = (double)f->w * fl->px;
		char fill[32];
		size_t chars, len;
		const char *label;

		frame_fill(fl, f, fill, sizeof(fill));
		buf_addf(&rows[f->depth],
			 "<rect x=\"%.1f\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>\n", x, w,
			 FLAME_ROW - 1, fill);
		/* a frame of negative or absurd width (odd values) gets no label */
		chars = (w - 6) / FLAME_CHAR_PX >= 3 && w < 1e9 ? (size_t)((w - 6) / FLAME_CHAR_PX) : 0;
		if (f->node == CP_NONE || chars < 3)
			continue;
		label = frame_label(fl, f, &len);
		buf_addf(&labels, "<text x=\"%.1f\" y=\"%.1f\">", FLAME_PAD + x + 3,
			 frame_y(fl, f->depth) + 11);
		fit_label(label, len, chars, &labels);
		buf_adds(&labels, "</text>\n");
	}
	buf_addf(out, "<g id=\"frames\" transform=\"translate(%d,0)\">\n", FLAME_PAD);
	for (size_t d = 0; d <= fl->max_depth; d++) {
		buf_addf(out, "<g class=\"row\" transform=\"translate(0,%.0f)\">\n",
			 frame_y(fl, (uint32_t)d));
		buf_add(out, rows[d].buf, rows[d].len);
		buf_adds(out, "</g>\n");
		buf_release(&rows[d]);
	}
	buf_adds(out, "</g>\n<g id=\"labels\">\n");
	buf_add(out, labels.buf, labels.len);
	buf_adds(out, "</g>\n");
	buf_release(&labels);
	free(rows);
}

static void json_int_array(struct buf *out, const char *key, const struct frame *f, size_t n,
			   size_t off, int64_t div)
{
	buf_addf(out, ",\n\"%s\":[", key);
	for (size_t i = 0; i < n; i++) {
		int64_t v = *(const int64_t *)((const char *)&f[i] + off);

		buf_addf(out, "%s%" PRId64, i ? "," : "", v / div);
	}
	buf_addc(out, ']');
}

static void json_table(struct buf *out, const char *key, const struct table *t)
{
	buf_addf(out, ",\n\"%s\":[", key);
	for (size_t i = 0; i < t->n; i++) {
		size_t len;
		const char *s = table_str(t, (uint32_t)i, &len);

		if (i)
			buf_addc(out, ',');
		xml_json_string(out, s, len);
	}
	buf_addc(out, ']');
}

static void json_idx(struct buf *out, const char *key, const uint32_t *v, size_t n)
{
	buf_addf(out, ",\n\"%s\":[", key);
	for (size_t i = 0; i < n; i++)
		buf_addf(out, "%s%" PRId64, i ? "," : "",
			 v[i] == UINT32_MAX ? (int64_t)-1 : (int64_t)v[i]);
	buf_addc(out, ']');
}

static void json_hues(struct buf *out, const char *key, const struct table *t)
{
	buf_addf(out, "\"%s\":[", key);
	for (size_t i = 0; i < t->n; i++) {
		size_t len;
		const char *s = table_str(t, (uint32_t)i, &len);

		buf_addf(out, "%s%u", i ? "," : "", hue_of(s, len));
	}
	buf_addc(out, ']');
}

static void emit_data(struct flame *fl, const char *header, struct buf *out)
{
	struct report *r = fl->r;
	struct cp_universe *u = fl->u;
	static const char *const gran[] = { "functions", "filefunctions", "files", "lines",
					    "addresses" };

	buf_adds(out, "<script type=\"application/json\" id=\"cprof-data\"><![CDATA[\n");
	buf_addf(out, "{\"v\":1,\"W\":%d,\"pad\":%d,\"top\":%d,\"row\":%d,\"maxd\":%u,",
		 FLAME_WIDTH, FLAME_PAD, FLAME_TOP, FLAME_ROW, fl->max_depth);
	buf_addf(out, "\"diff\":%d,\"gran\":\"%s\",\"scale\":%" PRId64 ",\"ratio\":%.17g,",
		 fl->s->diff, gran[r->granularity], fl->scale, r->ratio);
	buf_addf(out, "\"ptotal\":%" PRId64 ",\n\"unit\":", r->total);
	xml_json_string(out, r->sample_unit, strlen(r->sample_unit));
	buf_adds(out, ",\"ounit\":");
	xml_json_string(out, r->o.unit, strlen(r->o.unit));
	buf_adds(out, ",\"type\":");
	xml_json_string(out, r->sample_type, strlen(r->sample_type));
	buf_adds(out, ",\"header\":[");
	for (const char *h = header; *h;) {
		const char *e = strchr(h, '\n');
		size_t n = e ? (size_t)(e - h) : strlen(h);

		if (h != header)
			buf_addc(out, ',');
		xml_json_string(out, h, n);
		h += n + (e != NULL);
	}
	buf_addc(out, ']');
	buf_addf(out, ",\"minw\":%.6g", (double)fl->min_w / (double)fl->scale);

	buf_adds(out, ",\n\"names\":[");
	for (size_t i = 0; i < fl->nnames; i++) {
		size_t len;
		const char *s = node_label(fl, fl->names[i], &len);

		if (i)
			buf_addc(out, ',');
		xml_json_string(out, s, len);
	}
	buf_addc(out, ']');
	json_table(out, "files", &fl->files);
	json_table(out, "libs", &fl->libs);
	json_table(out, "pkgs", &fl->pkgs);
	json_idx(out, "nfile", fl->nfile, fl->nnames);
	json_idx(out, "nlib", fl->nlib, fl->nnames);
	json_idx(out, "npkg", fl->npkg, fl->nnames);
	if (fl->with_lines) {
		buf_adds(out, ",\n\"nline\":[");
		for (size_t i = 0; i < fl->nnames; i++)
			buf_addf(out, "%s%" PRId64, i ? "," : "", u->infos[fl->names[i]].lineno);
		buf_addc(out, ']');
	}
	buf_adds(out, ",\n\"jit\":[");
	for (size_t i = 0; i < fl->nnames; i++)
		buf_addf(out, "%s%u", i ? "," : "", fl->jit[i]);
	buf_adds(out, "],\n\"hue\":{");
	json_hues(out, "pkg", &fl->pkgs);
	buf_addc(out, ',');
	json_hues(out, "lib", &fl->libs);
	buf_addc(out, ',');
	json_hues(out, "file", &fl->files);
	buf_addc(out, '}');

	/* frames */
	buf_adds(out, ",\n\"fn\":[");
	for (size_t i = 0; i < fl->nf; i++) {
		const struct frame *f = &fl->f[i];

		buf_addf(out, "%s%d", i ? "," : "",
			 f->node == 0	    ? -2 :
			 f->node == CP_NONE ? -1 :
					      (int)f->name);
	}
	buf_adds(out, "],\n\"fd\":[");
	for (size_t i = 0; i < fl->nf; i++)
		buf_addf(out, "%s%u", i ? "," : "", fl->f[i].depth);
	buf_addc(out, ']');
	json_int_array(out, "fw", fl->f, fl->nf, offsetof(struct frame, w), fl->scale);
	if (fl->s->diff) {
		json_int_array(out, "ft", fl->f, fl->nf, offsetof(struct frame, t), fl->scale);
		json_int_array(out, "fb", fl->f, fl->nf, offsetof(struct frame, b), fl->scale);
		json_int_array(out, "fc", fl->f, fl->nf, offsetof(struct frame, cn), 1);
		json_int_array(out, "fcb", fl->f, fl->nf, offsetof(struct frame, cb), 1);
	}
	buf_adds(out, ",\n\"other\":[");
	{
		bool first = true;

		for (size_t i = 0; i < fl->nf; i++) {
			const struct frame *f = &fl->f[i];

			if (f->node != CP_NONE)
				continue;
			buf_addf(out, "%s[%zu,%u,%u]", first ? "" : ",", i, fl->c.other_n[f->owner],
				 fl->c.other_fn[f->owner]);
			first = false;
		}
	}
	buf_adds(out, "],\n\"inl\":[");
	{
		bool first = true;

		for (size_t i = 0; i < fl->nf; i++) {
			const struct frame *f = &fl->f[i];

			if (f->node == CP_NONE || f->node == 0 ||
			    !(fl->s->flags[f->node] & STACKS_INLINED))
				continue;
			buf_addf(out, "%s%zu", first ? "" : ",", i);
			first = false;
		}
	}
	buf_adds(out, "]}\n]]></script>\n");
}

/* The weight of each group of the default colour mode, for the legend. */
struct legend_item {
	uint32_t group;
	int64_t w;
};

static int legend_cmp(const void *a, const void *b)
{
	const struct legend_item *l = a, *r = b;

	if (l->w != r->w)
		return l->w > r->w ? -1 : 1;
	return l->group < r->group ? -1 : l->group > r->group;
}

/* A legend entry's swatch, and its text element left open. */
static void legend_swatch(struct buf *out, double x, double y, const char *fill)
{
	buf_addf(out,
		 "<rect x=\"%.1f\" y=\"%.0f\" width=\"12\" height=\"12\" fill=\"%s\"/>"
		 "<text x=\"%.1f\" y=\"%.0f\">",
		 x, y, fill, x + 16, y + 10);
}

static double emit_legend(struct flame *fl, double y, struct buf *out)
{
	double x = FLAME_PAD, right = FLAME_PAD + FLAME_WIDTH, row = 0;
	char pct[32];

	buf_addf(out, "<g id=\"legend\" transform=\"translate(0,%.0f)\">\n", y);
	if (fl->s->diff) {
		static const struct {
			const char *fill, *text;
		} items[] = {
			{ "#e66101", "grew" },	       { "#2166ac", "shrank" },
			{ "#c8c8c8", "within noise" }, { "url(#new)", "new" },
			{ "url(#gone)", "gone" },      { "url(#other)", "folded (too narrow)" },
		};

		for (size_t i = 0; i < ARRAY_SIZE(items); i++) {
			legend_swatch(out, x, 0, items[i].fill);
			buf_addf(out, "%s</text>\n", items[i].text);
			x += 16 + (double)strlen(items[i].text) * FLAME_CHAR_PX + 18;
		}
		buf_addf(
			out,
			"<text x=\"%.1f\" y=\"10\" class=\"note\">width: larger of base and "
			"new; colour: change in total relative to the frame, grey when |z| &lt; %.0f</text>\n",
			x, FLAME_NOISE_Z);
		buf_adds(out, "</g>\n");
		return y + 20;
	}
	{
		struct legend_item *it = xcalloc(fl->pkgs.n + 1, sizeof(*it));
		int64_t folded = 0, total = fl->nf ? fl->f[0].w : 0;
		size_t shown = 0;

		for (size_t g = 0; g < fl->pkgs.n; g++)
			it[g].group = (uint32_t)g;
		for (size_t i = 1; i < fl->nf; i++) {
			const struct frame *f = &fl->f[i];

			if (f->node == CP_NONE)
				folded = add64(folded, f->w);
			else
				it[fl->npkg[f->name]].w = add64(it[fl->npkg[f->name]].w, f->self_w);
		}
		qsort(it, fl->pkgs.n, sizeof(*it), legend_cmp);
		for (size_t k = 0; k < fl->pkgs.n && shown < FLAME_LEGEND_MAX; k++) {
			size_t len, chars;
			const char *gs = table_str(&fl->pkgs, it[k].group, &len);
			char hex[8];
			double need;

			if (it[k].w <= 0)
				break;
			group_color(hue_of(gs, len), 4, hex);
			units_percent_trim(pct, sizeof(pct), it[k].w, total);
			chars = xml_display_len(gs, len);
			if (chars > 28)
				chars = 28;
			need = 16 + (double)(chars + strlen(pct) + 1) * FLAME_CHAR_PX + 18;
			if (x + need > right && x > FLAME_PAD) {
				row += 18;
				x = FLAME_PAD;
			}
			legend_swatch(out, x, row, hex);
			xml_text_max(out, gs, len, 28);
			buf_addf(out, " %s</text>\n", pct);
			x += need;
			shown++;
		}
		if (folded > 0) {
			units_percent_trim(pct, sizeof(pct), folded, total);
			if (x + 16 + (7 + strlen(pct)) * FLAME_CHAR_PX > right && x > FLAME_PAD) {
				row += 18;
				x = FLAME_PAD;
			}
			legend_swatch(out, x, row, "url(#other)");
			buf_addf(out, "folded %s</text>\n", pct);
		}
		free(it);
	}
	buf_adds(out, "</g>\n");
	return y + row + 20;
}

/* The header: the profile's label lines, active filters, and what is shown. */
static void make_header(struct flame *fl, struct buf *hdr)
{
	struct report *r = fl->r;
	static const char *const filters[] = { "focus",	    "ignore",	  "hide",     "show",
					       "show_from", "prune_from", "tagfocus", "tagignore",
					       "tagshow",   "taghide" };
	char a[64], b[64], pct[32];
	int64_t shown = fl->nf ? fl->f[0].w : 0;

	report_profile_labels(r, hdr);
	for (size_t i = 0; i < ARRAY_SIZE(filters); i++) {
		const struct opt_def *d = option_find(filters[i]);
		const char *v;

		if (!d)
			continue;
		v = *(char *const *)((const char *)&r->o + d->offset);
		if (*v)
			buf_addf(hdr, "%s=%s\n", filters[i], v);
	}
	if (fl->s->diff) {
		int64_t nv = fl->s->pos[0].total, bv = fl->s->neg[0].total;

		report_value(r, bv, a, sizeof(a));
		report_value(r, nv, b, sizeof(b));
		buf_addf(hdr, "Base %s \xe2\x86\x92 new %s", a, b);
		report_value(r, sub64(nv, bv), a, sizeof(a));
		buf_addf(hdr, " (%s%s)\n", nv >= bv ? "+" : "", a);
	} else if (shown != r->total) {
		report_value(r, shown, a, sizeof(a));
		report_value(r, r->total, b, sizeof(b));
		units_percent_trim(pct, sizeof(pct), shown, r->total);
		buf_addf(hdr, "Showing %s, %s of %s total\n", a, pct, b);
	}
}

static void emit_header_text(const char *hdr, struct buf *out)
{
	/* one line: the header lines joined by a middle dot */
	size_t len = strlen(hdr);
	struct buf line = BUF_INIT;

	buf_init(&line);
	for (size_t i = 0; i < len;) {
		size_t e = i;

		while (e < len && hdr[e] != '\n')
			e++;
		if (e > i) {
			if (line.len)
				buf_adds(&line, "  \xc2\xb7  ");
			buf_add(&line, hdr + i, e - i);
		}
		i = e + 1;
	}
	buf_addf(out, "<text id=\"subtitle\" x=\"%d\" y=\"40\">", FLAME_PAD + FLAME_WIDTH / 2);
	xml_text_max(out, line.buf, line.len, 180);
	buf_adds(out, "</text>\n");
	buf_release(&line);
}

/* pprof's count sample type beside the selected one, for noise estimates. */
static int count_index(const struct report *r)
{
	const struct cp_profile *p = r->p;
	const char *sel = profile_str(p, p->sample_types[r->sample_index].type);
	const char *us = strchr(sel, '_');
	int first = -1;

	for (size_t i = 0; i < p->nsample_types; i++) {
		const char *t = profile_str(p, p->sample_types[i].type);

		if (strcmp(profile_str(p, p->sample_types[i].unit), "count"))
			continue;
		if ((int)i == r->sample_index)
			return (int)i;
		if (us && !strncmp(t, sel, (size_t)(us - sel + 1)))
			return (int)i;
		if (first < 0)
			first = (int)i;
	}
	return first;
}

static const char defs[] =
	"<defs>\n"
	"<pattern id=\"other\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
	"patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#d8d8d8\"/>"
	"<rect width=\"2\" height=\"6\" fill=\"#a8a8a8\"/></pattern>\n"
	"<pattern id=\"new\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
	"patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#fdb863\"/>"
	"<rect width=\"3\" height=\"6\" fill=\"#e66101\"/></pattern>\n"
	"<pattern id=\"gone\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
	"patternTransform=\"rotate(-45)\"><rect width=\"6\" height=\"6\" fill=\"#b2abd2\"/>"
	"<rect width=\"3\" height=\"6\" fill=\"#2166ac\"/></pattern>\n"
	"</defs>\n";

int report_flame(struct report *r, struct buf *out, struct cp_err *err)
{
	struct flame fl;
	struct cp_stacks_opts so;
	struct buf hdr = BUF_INIT, body = BUF_INIT, legend = BUF_INIT;
	int64_t floor, min_w, root;
	double y, height;

	if (r->o.mean)
		return cp_errf(err, "flame: -mean is not supported (means do not add up along a "
				    "stack)");
	memset(&fl, 0, sizeof(fl));
	fl.r = r;
	if (r->granularity == CP_GRAN_FUNCTIONS)
		r->granularity = CP_GRAN_FILEFUNCTIONS;
	fl.u = report_universe(r, true);
	so.sample_index = r->sample_index;
	so.count_index = count_index(r);
	so.drop_negative = r->o.drop_negative;
	fl.s = stacks_build(fl.u, &so);
	fl.scale = values_gcd(r);
	root = fl.s->width[0];
	floor = (int64_t)((double)root * (1.0 / (FLAME_WIDTH / FLAME_MIN_PX)));
	min_w = stacks_width_for_budget(fl.s, floor, FLAME_MAX_FRAMES);
	fl.min_w = min_w;
	stacks_children(fl.s, min_w, &fl.c);
	fl.name_of = xcalloc(fl.u->ninfos + 1, sizeof(*fl.name_of));
	fl.names = xcalloc(fl.c.kept + 1, sizeof(*fl.names));
	fl.nfile = xcalloc(fl.c.kept + 1, sizeof(*fl.nfile));
	fl.nlib = xcalloc(fl.c.kept + 1, sizeof(*fl.nlib));
	fl.npkg = xcalloc(fl.c.kept + 1, sizeof(*fl.npkg));
	fl.jit = xcalloc(fl.c.kept + 1, 1);
	table_init(&fl.files);
	table_init(&fl.libs);
	table_init(&fl.pkgs);
	fl.px = root > 0 ? (double)FLAME_WIDTH / (double)root : 0;
	layout(&fl);

	buf_init(&hdr);
	buf_init(&body);
	buf_init(&legend);
	make_header(&fl, &hdr);
	y = frame_y(&fl, 0) + FLAME_ROW + 8;
	if (root == 0)
		buf_addf(&body, "<text id=\"empty\" x=\"%d\" y=\"%d\">No samples to show</text>\n",
			 FLAME_PAD + FLAME_WIDTH / 2, FLAME_TOP + 8);
	emit_frames(&fl, &body);
	buf_addf(&body, "<text id=\"details\" x=\"%d\" y=\"%.0f\"> </text>\n", FLAME_PAD, y + 12);
	buf_addf(&body, "<text id=\"matched\" x=\"%d\" y=\"%.0f\"> </text>\n",
		 FLAME_PAD + FLAME_WIDTH, y + 12);
	height = emit_legend(&fl, y + 24, &legend) + 10;

	buf_adds(out, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n");
	buf_addf(out,
		 "<svg version=\"1.1\" xmlns=\"http://www.w3.org/2000/svg\" id=\"cprof-flame\" "
		 "width=\"%d\" height=\"%.0f\" viewBox=\"0 0 %d %.0f\">\n",
		 FLAME_WIDTH + 2 * FLAME_PAD, height, FLAME_WIDTH + 2 * FLAME_PAD, height);
	buf_addf(out, "<title>%s graph: ", fl.s->diff ? "Differential flame" : "Flame");
	xml_text(out, r->sample_type, strlen(r->sample_type));
	buf_adds(out, "</title>\n");
	buf_addf(out, "<style><![CDATA[\n%s]]></style>\n", flame_css);
	buf_adds(out, defs);
	buf_adds(out, "<rect id=\"bg\" width=\"100%\" height=\"100%\"/>\n");
	buf_addf(out, "<text id=\"title\" x=\"%d\" y=\"22\">%s</text>\n",
		 FLAME_PAD + FLAME_WIDTH / 2,
		 fl.s->diff ? "Differential Flame Graph" : "Flame Graph");
	emit_header_text(hdr.buf, out);
	buf_addf(out, "<g id=\"controls\" transform=\"translate(%d,50)\"></g>\n", FLAME_PAD);
	buf_add(out, body.buf, body.len);
	buf_add(out, legend.buf, legend.len);
	emit_data(&fl, hdr.buf, out);
	buf_addf(out, "<script type=\"text/ecmascript\"><![CDATA[\n%s]]></script>\n", flame_js);
	buf_adds(out, "</svg>\n");

	buf_release(&body);
	buf_release(&legend);
	buf_release(&hdr);
	free(fl.f);
	free(fl.name_of);
	free(fl.names);
	free(fl.nfile);
	free(fl.nlib);
	free(fl.npkg);
	free(fl.jit);
	table_release(&fl.files);
	table_release(&fl.libs);
	table_release(&fl.pkgs);
	stacks_children_release(&fl.c);
	stacks_free(fl.s);
	universe_free(fl.u);
	return 0;
}
