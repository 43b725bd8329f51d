#include "model/compat.h"
#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include "model/alloc.h"
#include "report/report.h"
#include "tui/flame.h"
#include "tui/screen.h"
#include "tui/tui.h"

enum view_kind {
	VIEW_TOP,
	VIEW_PAGER,
	VIEW_FLAME,
	VIEW_TREE,
	VIEW_SANDWICH
};

struct view {
	enum view_kind kind;
	char *title;
	char *text;   /* owned; lines point into it */
	char **lines; /* NUL-terminated lines */
	size_t nlines;
	size_t top;	       /* first line shown */
	size_t sel;	       /* selected line (top table) */
	size_t first_row;      /* top table: first data line; nlines if none */
	size_t hoff;	       /* columns scrolled to the right */
	struct flame *flame;   /* flame graph, call tree; sandwich: the callers */
	struct flame *callees; /* sandwich */
	uint32_t frame;	       /* sandwich: its function (universe node) */
	bool lower;	       /* sandwich: keys go to the callees */
	unsigned gen;	       /* the stacks the flames were built from */
	bool stale;	       /* options changed since it was drawn */
	char *fname;	       /* sandwich: the function's name */
	double *heat;	       /* pager: each line's cum if it is a source line, else 0 */
	double max_heat;
};

struct undo {
	struct cp_options o;
};

/*
 * What the views draw, cached while the settings that shape it stay the
 * same: the stack trie of the filtered profile (flame graph, call tree,
 * sandwich) and the last few top tables.  Moving, zooming, switching views
 * and undoing go back to these; a filter change rebuilds only what the
 * view on screen needs.
 */
struct stacks_cache {
	char *key; /* options_key() it was built for; NULL: none */
	unsigned gen;
	struct report r;
	struct buf warn;
	struct cp_universe *u;
	struct cp_stacks *s;
};

/*
 * The trie for the current settings is built ahead, on a thread of its
 * own, while the user reads the table: F, T and S then find it ready.  The
 * job owns its copy of the settings and touches nothing else of the TUI's.
 */
struct stacks_job {
	pthread_t th;
	bool started;
	atomic_bool done;
	const struct cp_profile *p;
	struct cp_options o;
	struct stacks_cache c;
	int ret;
	struct cp_err err;
};

struct top_cache {
	char *key; /* options_key() and sort */
	char *text, *msg;
};

struct tui {
	struct shell *sh;
	struct view *views[32];
	size_t nviews;
	struct undo undo[64];
	size_t nundo;
	char *search;
	struct buf msg; /* status message, shown until the next key */
	struct stacks_cache stacks;
	struct stacks_cache prev_stacks; /* the one before: u goes back to it at once */
	struct stacks_job job;
	struct top_cache tops[8]; /* most recent first */
	/* CPROF_TUI_TIMING: each action's time, key to redrawn screen, appended here */
	FILE *timing;
	double t0; /* when the action being timed started */
};

/* The key table: one row per key, the '?' overlay is made from it. */
struct key_def {
	const char *keys, *help;
};

static const struct key_def key_defs[] = {
	{ "Up/Down, k/j", "move one line" },
	{ "PgUp/PgDn, b/space", "move one page" },
	{ "Home/End, g/G", "first and last line" },
	{ "Left/Right", "scroll sideways" },
	{ "/", "search forward (text); n/N next and previous match" },
	{ ":", "run a shell command (top 20, peek re, focus=re, o, help ...)" },
	{ "Enter", "top table: peek of the selected function" },
	{ "l", "top table: source listing of the selected function" },
	{ "] / [", "source listing: next / previous line with samples" },
	{ "f/i/h", "top table: focus on, ignore or hide the selected function" },
	{ "u", "undo the last focus/ignore/hide" },
	{ "s", "top table: sort by flat or by cum" },
	{ "F", "flame graph (arrows move, Enter zooms in, Esc zooms out)" },
	{ "T", "call tree (Right/Enter expands, Left collapses)" },
	{ "S", "sandwich of the selected function: callers above, callees below" },
	{ "Tab", "sandwich: move between the callers and the callees" },
	{ "?", "this help" },
	{ "q, Esc", "close the view (the last one returns to the shell)" },
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void view_free(struct view *v)
{
	if (!v)
		return;
	flame_free(v->flame);
	flame_free(v->callees);
	free(v->fname);
	free(v->heat);
	free(v->title);
	free(v->text);
	free(v->lines);
	free(v);
}

/* The cum of a list line ("  flat  cum  NN: source"), in base units; 0 if none. */
static double line_heat(const char *l)
{
	static const struct {
		const char *suffix;
		double scale;
	} units[] = { { "ns", 1e-9 },
		      { "us", 1e-6 },
		      { "ms", 1e-3 },
		      { "s", 1 },
		      { "mins", 60 },
		      { "hrs", 3600 },
		      { "B", 1 },
		      { "kB", 1024.0 },
		      { "MB", 1048576.0 },
		      { "GB", 1073741824.0 },
		      { "TB", 1099511627776.0 },
		      { "", 1 } };
	char flat[64], cum[64];
	long line;
	int used = 0;
	char *end;
	double v;

	if (sscanf(l, " %63s %63s %ld:%n", flat, cum, &line, &used) != 3 || !used)
		return 0;
	if (!strcmp(cum, "."))
		return 0;
	v = strtod(cum, &end);
	for (size_t i = 0; i < ARRAY_SIZE(units); i++)
		if (!strcmp(end, units[i].suffix))
			return v * units[i].scale;
	return v;
}

static void view_set_text(struct view *v, const char *text)
{
	size_t n = 0;

	free(v->text);
	free(v->lines);
	v->text = xstrdup(text);
	for (const char *s = v->text; *s; s++)
		n += *s == '\n';
	v->lines = xcalloc(n + 2, sizeof(*v->lines));
	v->nlines = 0;
	for (char *s = v->text; *s;) {
		char *nl = strchr(s, '\n');

		v->lines[v->nlines++] = s;
		if (!nl)
			break;
		*nl = '\0';
		s = nl + 1;
	}
	free(v->heat);
	v->heat = xcalloc(v->nlines + 1, sizeof(*v->heat));
	v->max_heat = 0;
	for (size_t i = 0; v->kind == VIEW_PAGER && i < v->nlines; i++) {
		v->heat[i] = line_heat(v->lines[i]);
		if (v->heat[i] > v->max_heat)
			v->max_heat = v->heat[i];
	}
	v->first_row = v->nlines;
	if (v->kind == VIEW_TOP)
		for (size_t i = 0; i < v->nlines; i++)
			if (strstr(v->lines[i], "flat%") && strstr(v->lines[i], "cum%")) {
				v->first_row = i + 1;
				break;
			}
	if (v->top >= v->nlines)
		v->top = v->nlines ? v->nlines - 1 : 0;
	if (v->kind == VIEW_TOP) {
		if (v->sel < v->first_row)
			v->sel = v->first_row;
		if (v->sel >= v->nlines)
			v->sel = v->nlines ? v->nlines - 1 : 0;
	}
}

static struct view *push(struct tui *t, enum view_kind kind, const char *title, const char *text)
{
	struct view *v;

	if (t->nviews == ARRAY_SIZE(t->views)) {
		view_free(t->views[1]);
		memmove(t->views + 1, t->views + 2, (t->nviews - 2) * sizeof(*t->views));
		t->nviews--;
	}
	v = xcalloc(1, sizeof(*v));
	v->kind = kind;
	v->title = xstrdup(title);
	view_set_text(v, text);
	t->views[t->nviews++] = v;
	return v;
}

/* Run a shell line; returns its report text (caller frees), messages into t->msg. */
static char *run(struct tui *t, const char *line)
{
	struct buf out = BUF_INIT, err = BUF_INIT;

	buf_init(&out);
	buf_init(&err);
	t->sh->cap_out = &out;
	t->sh->cap_err = &err;
	shell_exec(t->sh, line);
	t->sh->cap_out = NULL;
	t->sh->cap_err = NULL;
	buf_reset(&t->msg);
	if (err.len && err.buf[err.len - 1] == '\n')
		err.buf[--err.len] = '\0';
	buf_adds(&t->msg, err.buf);
	buf_release(&err);
	return buf_detach(&out, NULL);
}

static char *row_name(const char *line);

/* The settings that shape what the views show, as one string. */
static char *options_key(const struct cp_options *o, bool with_sort)
{
	struct buf b = BUF_INIT;
	char v[4096];

	buf_init(&b);
	for (size_t i = 0; i < opt_ndefs; i++) {
		const struct opt_def *d = &opt_defs[i];

		if (!strcmp(d->name, "output") || (!with_sort && !strcmp(d->name, "sort")))
			continue;
		option_get(o, d, v, sizeof(v));
		buf_addf(&b, "%s=%s\n", d->name, v);
	}
	return buf_detach(&b, NULL);
}

static void top_cache_release(struct top_cache *c)
{
	free(c->key);
	free(c->text);
	free(c->msg);
	memset(c, 0, sizeof(*c));
}

/* The top table for the current settings, from the cache or the dispatcher. */
static char *top_text(struct tui *t)
{
	char *key = options_key(&t->sh->opt, true);
	size_t n = ARRAY_SIZE(t->tops), i;
	struct top_cache hit;
	char *text;

	for (i = 0; i < n && t->tops[i].key; i++)
		if (!strcmp(t->tops[i].key, key))
			break;
	if (i < n && t->tops[i].key) {
		free(key);
		hit = t->tops[i];
		memmove(t->tops + 1, t->tops, i * sizeof(*t->tops));
		t->tops[0] = hit;
		buf_reset(&t->msg);
		buf_adds(&t->msg, hit.msg);
		return xstrdup(hit.text);
	}
	text = run(t, "top 1000000000");
	top_cache_release(&t->tops[n - 1]);
	memmove(t->tops + 1, t->tops, (n - 1) * sizeof(*t->tops));
	t->tops[0].key = key;
	t->tops[0].text = xstrdup(text);
	t->tops[0].msg = xstrdup(t->msg.buf);
	return text;
}

/* Render the table again after a change; the selected function stays selected. */
static void refresh_top(struct tui *t, struct view *v)
{
	char *text = top_text(t);
	char *was = v->sel >= v->first_row && v->sel < v->nlines ? row_name(v->lines[v->sel]) :
								   NULL;

	if (*text || !t->msg.len)
		view_set_text(v, text);
	for (size_t i = v->first_row; was && i < v->nlines; i++) {
		char *name = row_name(v->lines[i]);
		bool same = !strcmp(name, was);

		free(name);
		if (same) {
			v->sel = i;
			break;
		}
	}
	free(was);
	free(text);
}

/* The function name of a top-table row: after the five value columns. */
static char *row_name(const char *line)
{
	const char *s = line;
	size_t len;

	for (int col = 0; col < 5; col++) {
		while (*s == ' ')
			s++;
		while (*s && *s != ' ')
			s++;
	}
	while (*s == ' ')
		s++;
	len = strlen(s);
	if (len > 9 && !strcmp(s + len - 9, " (inline)"))
		len -= 9;
	return xstrndup(s, len);
}

/* A regexp matching exactly 'name' (spaces as '.': shell words split on them). */
static char *name_regex(const char *name)
{
	struct buf b = BUF_INIT;

	buf_init(&b);
	buf_addc(&b, '^');
	for (const char *s = name; *s; s++) {
		if (*s == ' ')
			buf_addc(&b, '.');
		else if (strchr("\\.+*?()|[]{}^$", *s))
			buf_addf(&b, "\\%c", *s);
		else
			buf_addc(&b, *s);
	}
	buf_addc(&b, '$');
	return buf_detach(&b, NULL);
}

static void stacks_cache_release(struct stacks_cache *c)
{
	if (!c->key)
		return;
	stacks_free(c->s);
	universe_free(c->u);
	report_release(&c->r);
	buf_release(&c->warn);
	free(c->key);
	c->key = NULL;
	c->s = NULL;
	c->u = NULL;
}

/* Build c (empty) for settings o; c->key stays NULL on error. */
static int stacks_cache_build(struct stacks_cache *c, const struct cp_profile *p,
			      const struct cp_options *o, struct cp_err *err)
{
	struct cp_stacks_opts so;

	buf_init(&c->warn);
	if (report_prepare(&c->r, p, o, command_find("tree"), NULL, &c->warn, err)) {
		report_release(&c->r);
		buf_release(&c->warn);
		return -1;
	}
	c->key = options_key(o, false);
	c->u = report_universe(&c->r, false);
	so.sample_index = c->r.sample_index;
	so.count_index = -1;
	so.drop_negative = c->r.o.drop_negative;
	c->s = stacks_build(c->u, &so);
	return 0;
}

static void *job_run(void *arg)
{
	struct stacks_job *j = arg;

	j->ret = stacks_cache_build(&j->c, j->p, &j->o, &j->err);
	atomic_store(&j->done, true);
	return NULL;
}

/* Wait for the job, if any; its result is left in j->c. */
static void job_join(struct stacks_job *j)
{
	if (!j->started)
		return;
	pthread_join(j->th, NULL);
	j->started = false;
	options_release(&j->o);
}

static void job_discard(struct stacks_job *j)
{
	job_join(j);
	stacks_cache_release(&j->c);
}

/* Keep trie c (emptied) as the previous one, if it is a trie. */
static void keep_stacks(struct tui *t, struct stacks_cache *c)
{
	if (!c->key)
		return;
	stacks_cache_release(&t->prev_stacks);
	t->prev_stacks = *c;
	memset(c, 0, sizeof(*c));
}

/* Start building the trie for the current settings unless it is there or on its way. */
static void prefetch_stacks(struct tui *t)
{
	struct stacks_job *j = &t->job;
	char *key;

	if (j->started && !atomic_load(&j->done))
		return;
	key = options_key(&t->sh->opt, false);
	if ((t->stacks.key && !strcmp(t->stacks.key, key)) ||
	    (t->prev_stacks.key && !strcmp(t->prev_stacks.key, key)) ||
	    (j->started && j->c.key && !strcmp(j->c.key, key))) {
		free(key);
		return;
	}
	free(key);
	/* a trie built ahead and not used yet may still be wanted by an undo */
	job_join(j);
	keep_stacks(t, &j->c);
	job_discard(j);
	memset(&j->c, 0, sizeof(j->c));
	j->p = t->sh->p;
	options_copy(&j->o, &t->sh->opt);
	j->err.msg[0] = '\0';
	atomic_store(&j->done, false);
	j->started = !pthread_create(&j->th, NULL, job_run, j);
	if (!j->started)
		options_release(&j->o);
}

/* The stack trie for the current settings; NULL (message in t->msg) on error. */
static struct stacks_cache *get_stacks(struct tui *t)
{
	struct stacks_cache *c = &t->stacks;
	char *key = options_key(&t->sh->opt, false);
	struct cp_err err = { "" };
	unsigned gen = c->gen;
	bool from_job;

	if (c->key && !strcmp(c->key, key)) {
		free(key);
		return c;
	}
	/* the flames name their frames from the old universe */
	for (size_t i = 0; i < t->nviews; i++) {
		flame_free(t->views[i]->flame);
		flame_free(t->views[i]->callees);
		t->views[i]->flame = t->views[i]->callees = NULL;
	}
	/* the trie being replaced is kept: undo brings its settings back at once */
	if (t->prev_stacks.key && !strcmp(t->prev_stacks.key, key)) {
		struct stacks_cache back = t->prev_stacks;

		t->prev_stacks = *c;
		*c = back;
		c->gen = gen + 1;
		free(key);
		goto done;
	}
	keep_stacks(t, c);
	from_job = t->job.started;
	if (from_job) {
		char *jkey = options_key(&t->job.o, false);

		from_job = !strcmp(jkey, key);
		free(jkey);
	}
	if (from_job) {
		job_join(&t->job);
		*c = t->job.c;
		memset(&t->job.c, 0, sizeof(t->job.c));
		err = t->job.err;
		if (!c->key)
			memset(c, 0, sizeof(*c));
	} else if (stacks_cache_build(c, t->sh->p, &t->sh->opt, &err)) {
		memset(c, 0, sizeof(*c));
	}
	c->gen = gen + 1;
	free(key);
	if (!c->key) {
		buf_reset(&t->msg);
		buf_adds(&t->msg, err.msg);
		return NULL;
	}
done:
	if (c->warn.len && !t->msg.len) {
		const char *nl = memchr(c->warn.buf, '\n', c->warn.len);

		buf_add(&t->msg, c->warn.buf, nl ? (size_t)(nl - c->warn.buf) : c->warn.len);
	}
	return c;
}

static uint32_t frame_by_name(struct cp_universe *u, const char *name)
{
	for (uint32_t id = 0; id < u->ninfos; id++)
		if (!strcmp(universe_printable(u, id), name))
			return id;
	return CP_NONE;
}

/* Bring the view up to date with the settings before it is drawn. */
static void ensure_view(struct tui *t, struct view *v)
{
	struct stacks_cache *c;
	uint32_t id;

	if (v->kind == VIEW_TOP && v->stale) {
		struct buf keep = BUF_INIT;

		buf_init(&keep);
		buf_add(&keep, t->msg.buf, t->msg.len);
		refresh_top(t, v);
		if (!t->msg.len)
			buf_add(&t->msg, keep.buf, keep.len);
		buf_release(&keep);
	}
	if (v->kind == VIEW_TOP || v->kind == VIEW_PAGER) {
		v->stale = false;
		return;
	}
	if (!v->stale && v->flame && v->gen == t->stacks.gen)
		return;
	v->stale = false;
	c = get_stacks(t);
	if (!c || (v->flame && v->gen == c->gen))
		return;
	flame_free(v->flame);
	flame_free(v->callees);
	v->flame = v->callees = NULL;
	v->gen = c->gen;
	if (v->kind != VIEW_SANDWICH) {
		v->flame = flame_new(c->u, c->s);
		return;
	}
	id = frame_by_name(c->u, v->fname);
	if (id != CP_NONE) {
		v->flame = flame_callers(c->u, c->s, id);
		v->callees = flame_callees(c->u, c->s, id);
	}
	if (!v->flame) {
		buf_reset(&t->msg);
		buf_addf(&t->msg, "%s is in no stack with these settings", v->fname);
	}
}

static void sandwich_draw(struct tui *t, struct view *v, int body, struct buf *status)
{
	int up = (body - 1) / 2, down = body - 1 - up;
	int64_t total = t->stacks.s ? t->stacks.s->width[0] : 0;
	struct buf fs = BUF_INIT, other = BUF_INIT, sep = BUF_INIT;

	buf_init(&fs);
	buf_init(&other);
	buf_init(&sep);
	flame_draw(v->flame, 0, up, true, t->search, total, v->lower ? &other : &fs);
	if (v->callees)
		flame_draw(v->callees, up + 1, down, false, t->search, total,
			   v->lower ? &fs : &other);
	buf_addf(&sep, "%s %s: callers above, callees below (Tab switches)", v->lower ? "v" : "^",
		 v->fname);
	screen_fill(up, 0, SCREEN_HEADER);
	screen_put(up, 0, sep.buf, sep.len, SCREEN_HEADER);
	buf_addf(status, "sandwich %s%s", v->lower ? "callees" : "callers",
		 fs.len > 5 ? fs.buf + 5 : "");
	buf_release(&fs);
	buf_release(&other);
	buf_release(&sep);
}

static void draw(struct tui *t)
{
	struct view *v = t->views[t->nviews - 1];
	int rows, cols, body;
	struct buf status = BUF_INIT;

	screen_size(&rows, &cols);
	body = rows - 1;
	ensure_view(t, v);
	screen_erase();
	buf_init(&status);
	if (v->kind == VIEW_FLAME || v->kind == VIEW_TREE || v->kind == VIEW_SANDWICH) {
		struct buf fs = BUF_INIT;

		buf_init(&fs);
		if (!v->flame)
			buf_adds(&fs, "nothing to show");
		else if (v->kind == VIEW_TREE)
			flame_tree_draw(v->flame, body, &fs);
		else if (v->kind == VIEW_SANDWICH)
			sandwich_draw(t, v, body, &fs);
		else
			flame_draw(v->flame, 0, body, false, t->search, 0, &fs);
		buf_adds(&status, t->msg.len ? t->msg.buf : fs.buf);
		if (!t->msg.len)
			buf_adds(&status, " | ? help, q back");
		buf_release(&fs);
		goto status;
	}
	if (v->kind == VIEW_TOP && v->sel < v->nlines) {
		if (v->sel < v->top)
			v->top = v->sel;
		if (v->sel >= v->top + (size_t)body)
			v->top = v->sel - (size_t)body + 1;
	}
	for (int r = 0; r < body && v->top + (size_t)r < v->nlines; r++) {
		size_t i = v->top + (size_t)r;
		const char *l = v->lines[i];
		size_t len = strlen(l);
		enum screen_attr a = SCREEN_NORMAL;

		if (v->kind == VIEW_TOP && i == v->sel && i >= v->first_row)
			a = SCREEN_SELECT;
		else if (v->first_row < v->nlines && i + 1 == v->first_row)
			a = SCREEN_HEADER;
		if (v->kind == VIEW_PAGER && v->heat[i] > 0 && i == v->sel)
			a = SCREEN_SELECT;
		if (a == SCREEN_SELECT)
			screen_fill(r, 0, a);
		if (len > v->hoff)
			screen_put(r, 0, l + v->hoff, len - v->hoff, a);
		if (v->heat[i] > 0 && a != SCREEN_SELECT && v->hoff < 21) {
			double h = v->heat[i] / v->max_heat;

			if (screen_colors())
				screen_put_color(r, 0, l + v->hoff, 21 - v->hoff,
						 SCREEN_C_RAMP0 +
							 (int)(h * (SCREEN_C_RAMP - 1) + 0.5),
						 SCREEN_C_NONE);
			else
				screen_put(r, 0, l + v->hoff, 21 - v->hoff,
					   h > 0.5 ? SCREEN_HEAT3 :
					   h > 0.1 ? SCREEN_HEAT2 :
						     SCREEN_HEAT1);
		}
		if (t->search && *t->search && len > v->hoff) {
			const char *m = strstr(l + v->hoff, t->search);

			if (m)
				screen_put(r, (int)(m - l - (long)v->hoff), m, strlen(t->search),
					   SCREEN_MATCH);
		}
	}
	if (t->msg.len) {
		const char *nl = strrchr(t->msg.buf, '\n');

		buf_adds(&status, nl ? nl + 1 : t->msg.buf);
	} else {
		buf_addf(&status, "%s", v->title);
		if (v->kind == VIEW_TOP && v->sel >= v->first_row && v->sel < v->nlines) {
			char *name = row_name(v->lines[v->sel]);

			buf_addf(&status, " | %s", name);
			free(name);
		}
		buf_addf(&status, " | line %zu/%zu", v->nlines ? v->top + 1 : 0, v->nlines);
		if (v->kind == VIEW_PAGER && v->heat[v->sel] > 0) {
			long n = 0;
			char a[64], b[64];

			sscanf(v->lines[v->sel], " %63s %63s %ld:", a, b, &n);
			buf_addf(&status, " | hot line %ld: %s flat, %s cum", n, a, b);
		}
		buf_adds(&status, " | ? help, q back");
	}
status:
	screen_fill(rows - 1, 0, SCREEN_STATUS);
	screen_put(rows - 1, 0, status.buf, status.len, SCREEN_STATUS);
	buf_release(&status);
	screen_refresh();
}

static void search(struct tui *t, struct view *v, int dir, bool from_here)
{
	size_t n = v->nlines, at = v->kind == VIEW_TOP ? v->sel : v->top;

	if (!t->search || !*t->search)
		return;
	if (v->kind == VIEW_FLAME || v->kind == VIEW_SANDWICH || v->kind == VIEW_TREE) {
		struct flame *f = v->kind == VIEW_SANDWICH && v->lower ? v->callees : v->flame;

		if (v->kind == VIEW_TREE)
			return;
		if (!f || !flame_find(f, t->search, dir)) {
			buf_reset(&t->msg);
			buf_addf(&t->msg, "pattern not found: %s", t->search);
		}
		return;
	}
	if (!n)
		return;
	for (size_t k = from_here ? 0 : 1; k <= n; k++) {
		size_t i = dir > 0 ? (at + k) % n : (at + n - k % n) % n;

		if (!strstr(v->lines[i], t->search))
			continue;
		if (v->kind == VIEW_TOP && i >= v->first_row)
			v->sel = i;
		else
			v->top = i;
		return;
	}
	buf_reset(&t->msg);
	buf_addf(&t->msg, "pattern not found: %s", t->search);
}

/* Select the next (dir 1) or previous (-1) source line that has samples. */
static void next_hot(struct tui *t, struct view *v, int dir)
{
	size_t n = v->nlines;
	int rows, cols;

	if (v->max_heat <= 0) {
		buf_adds(&t->msg, "no source lines with samples here");
		return;
	}
	for (size_t k = 1; k <= n; k++) {
		size_t i = dir > 0 ? (v->sel + k) % n : (v->sel + n - k) % n;

		if (v->heat[i] <= 0)
			continue;
		v->sel = i;
		screen_size(&rows, &cols);
		if (i < v->top || i + 1 >= v->top + (size_t)rows)
			v->top = i > 3 ? i - 3 : 0;
		return;
	}
}

static void save_undo(struct tui *t)
{
	if (t->nundo == ARRAY_SIZE(t->undo)) {
		options_release(&t->undo[0].o);
		memmove(t->undo, t->undo + 1, (t->nundo - 1) * sizeof(*t->undo));
		t->nundo--;
	}
	options_copy(&t->undo[t->nundo++].o, &t->sh->opt);
}

/*
 * The settings may have changed: every view is brought up to date when it
 * is next drawn, so only the one on screen costs anything now.
 */
static void refresh_tops(struct tui *t)
{
	for (size_t i = 0; i < t->nviews; i++)
		t->views[i]->stale = true;
}

/* The sandwich of the function selected in view v. */
static void open_sandwich(struct tui *t, struct view *v)
{
	char *name = NULL;
	struct view *s;

	if (v->kind == VIEW_TOP && v->sel >= v->first_row && v->sel < v->nlines) {
		name = row_name(v->lines[v->sel]);
	} else if (v->kind != VIEW_TOP && v->kind != VIEW_PAGER && v->flame) {
		struct flame *f = v->kind == VIEW_SANDWICH && v->lower ? v->callees : v->flame;
		uint32_t id = flame_selected(f, v->kind == VIEW_TREE);

		if (id != CP_NONE)
			name = xstrdup(universe_printable(t->stacks.u, id));
	}
	if (!name) {
		buf_adds(&t->msg, "select a function first");
		return;
	}
	s = push(t, VIEW_SANDWICH, "sandwich", "");
	s->fname = name;
}

static void help_view(struct tui *t)
{
	struct buf b = BUF_INIT;

	buf_init(&b);
	buf_adds(&b, "Keys\n\n");
	for (size_t i = 0; i < ARRAY_SIZE(key_defs); i++)
		buf_addf(&b, "  %-20s %s\n", key_defs[i].keys, key_defs[i].help);
	push(t, VIEW_PAGER, "help", b.buf);
	buf_release(&b);
}

/* A command on the selected function of the top table. */
static void on_function(struct tui *t, struct view *v, int key)
{
	char *name, *re;
	struct buf line = BUF_INIT;

	if (v->sel < v->first_row || v->sel >= v->nlines)
		return;
	name = row_name(v->lines[v->sel]);
	re = name_regex(name);
	buf_init(&line);
	if (key == SCREEN_KEY_ENTER || key == 'l') {
		char *text;

		buf_addf(&line, "%s %s", key == 'l' ? "list" : "peek", re);
		text = run(t, line.buf);
		if (*text)
			push(t, VIEW_PAGER, line.buf, text);
		free(text);
	} else {
		const char *opt = key == 'f' ? "focus" : key == 'i' ? "ignore" : "hide";

		save_undo(t);
		buf_addf(&line, "%s=%s", opt, re);
		free(run(t, line.buf));
		refresh_tops(t);
		if (!t->msg.len) {
			buf_reset(&t->msg);
			buf_addf(&t->msg, "%s (u undoes)", line.buf);
		}
	}
	buf_release(&line);
	free(re);
	free(name);
}

static size_t complete_cb(void *ctx, const char *line, size_t pos, size_t *start, struct buf *out)
{
	return shell_complete(ctx, line, pos, start, out);
}

static void prompt_command(struct tui *t)
{
	struct buf line = BUF_INIT;
	char *text;

	buf_init(&line);
	if (screen_prompt(":", &line, complete_cb, t->sh))
		buf_reset(&line);
	t->t0 = now_ms();
	while (line.len && line.buf[line.len - 1] == ' ')
		line.buf[--line.len] = '\0';
	if (!line.len) {
		buf_release(&line);
		return;
	}
	if (!strcmp(line.buf, "q") || !strcmp(line.buf, "quit") || !strcmp(line.buf, "exit")) {
		while (t->nviews)
			view_free(t->views[--t->nviews]);
		buf_release(&line);
		return;
	}
	save_undo(t);
	text = run(t, line.buf);
	/* reports written to files say so on stderr, over the screen */
	screen_invalidate();
	if (*text) {
		push(t, VIEW_PAGER, line.buf, text);
		buf_reset(&t->msg);
	} else if (!strncmp(t->msg.buf, "  ", 2) || strchr(t->msg.buf, '\n')) {
		/* help and option listings: a page of their own */
		push(t, VIEW_PAGER, line.buf, t->msg.buf);
		buf_reset(&t->msg);
	}
	refresh_tops(t);
	free(text);
	buf_release(&line);
}

/* Returns false when the last view closed. */
static bool handle(struct tui *t, int k)
{
	struct view *v = t->views[t->nviews - 1];
	int rows, cols;
	size_t page, *pos = v->kind == VIEW_TOP ? &v->sel : &v->top;
	size_t last = v->nlines ? v->nlines - 1 : 0, first = v->kind == VIEW_TOP ? v->first_row : 0;

	screen_size(&rows, &cols);
	page = rows > 2 ? (size_t)rows - 2 : 1;
	if (k != SCREEN_KEY_RESIZE)
		buf_reset(&t->msg);
	if (v->kind == VIEW_FLAME && v->flame && flame_key(v->flame, k, false))
		return true;
	if (v->kind == VIEW_TREE && v->flame && flame_tree_key(v->flame, k, (int)page))
		return true;
	if (v->kind == VIEW_SANDWICH && k == '\t') {
		v->lower = !v->lower && v->callees;
		return true;
	}
	if (v->kind == VIEW_SANDWICH && v->flame &&
	    flame_key(v->lower ? v->callees : v->flame, k, !v->lower))
		return true;
	switch (k) {
	case 'F':
	case 'T':
		push(t, k == 'F' ? VIEW_FLAME : VIEW_TREE, k == 'F' ? "flame" : "tree", "");
		break;
	case 'S':
		open_sandwich(t, v);
		break;
	case 'q':
	case SCREEN_KEY_ESC:
	case SCREEN_KEY_EOF:
		view_free(v);
		t->nviews--;
		return t->nviews > 0 && k != SCREEN_KEY_EOF;
	case SCREEN_KEY_UP:
	case 'k':
		if (*pos > first)
			(*pos)--;
		break;
	case SCREEN_KEY_DOWN:
	case 'j':
		if (*pos < last)
			(*pos)++;
		break;
	case SCREEN_KEY_PGUP:
	case 'b':
		*pos = *pos > first + page ? *pos - page : first;
		break;
	case SCREEN_KEY_PGDN:
	case ' ':
		*pos = *pos + page < last ? *pos + page : last;
		break;
	case SCREEN_KEY_HOME:
	case 'g':
		*pos = first;
		if (v->kind == VIEW_TOP)
			v->top = 0;
		break;
	case SCREEN_KEY_END:
	case 'G':
		*pos = last;
		break;
	case SCREEN_KEY_LEFT:
		v->hoff = v->hoff > 8 ? v->hoff - 8 : 0;
		break;
	case SCREEN_KEY_RIGHT:
		v->hoff += 8;
		break;
	case '/': {
		struct buf line = BUF_INIT;

		buf_init(&line);
		if (!screen_prompt("/", &line, NULL, NULL) && line.len) {
			t->t0 = now_ms();
			free(t->search);
			t->search = buf_detach(&line, NULL);
			search(t, v, 1, false);
		}
		buf_release(&line);
		break;
	}
	case ']':
	case '[':
		if (v->kind == VIEW_PAGER)
			next_hot(t, v, k == ']' ? 1 : -1);
		break;
	case 'n':
		search(t, v, 1, false);
		break;
	case 'N':
		search(t, v, -1, false);
		break;
	case ':':
		prompt_command(t);
		return t->nviews > 0;
	case '?':
		help_view(t);
		break;
	case 'u':
		if (!t->nundo) {
			buf_adds(&t->msg, "nothing to undo");
			break;
		}
		t->nundo--;
		options_release(&t->sh->opt);
		t->sh->opt = t->undo[t->nundo].o;
		refresh_tops(t);
		buf_adds(&t->msg, "undone");
		break;
	case 's':
		if (v->kind != VIEW_TOP)
			break;
		save_undo(t);
		free(run(t, strcmp(t->sh->opt.sort, "cum") ? "sort=cum" : "sort=flat"));
		refresh_tops(t);
		buf_addf(&t->msg, "sort=%s", t->sh->opt.sort);
		break;
	case SCREEN_KEY_ENTER:
	case 'l':
	case 'f':
	case 'i':
	case 'h':
		if (v->kind == VIEW_TOP)
			on_function(t, v, k);
		break;
	default:
		break;
	}
	return true;
}

static const char *key_name(int k, char *b, size_t size)
{
	static const char *const names[] = { "Up",     "Down",	 "Left", "Right", "PgUp",
					     "PgDn",   "Home",	 "End",	 "Enter", "Esc",
					     "BSpace", "Resize", "EOF" };

	if (k >= SCREEN_KEY_UP && k <= SCREEN_KEY_EOF)
		return names[k - SCREEN_KEY_UP];
	if (k > ' ' && k < 127)
		snprintf(b, size, "%c", k);
	else
		snprintf(b, size, "0x%x", (unsigned)k);
	return b;
}

static const char *kind_name(const struct tui *t)
{
	static const char *const names[] = { "top", "pager", "flame", "tree", "sandwich" };

	return t->nviews ? names[t->views[t->nviews - 1]->kind] : "shell";
}

/* One line per action: the view it started in, the key, the view it ended in, ms. */
static void timing_note(struct tui *t, const char *from, const char *what)
{
	if (!t->timing)
		return;
	fprintf(t->timing, "%s\t%s\t%s\t%.1f\n", from, what, kind_name(t), now_ms() - t->t0);
	fflush(t->timing);
}

int tui_run(struct shell *sh)
{
	struct tui t;
	struct cp_err err = { "" };
	const char *tf = getenv("CPROF_TUI_TIMING");
	char *text, what[32];
	const char *from = "shell", *key = "open";

	memset(&t, 0, sizeof(t));
	t.sh = sh;
	buf_init(&t.msg);
	if (screen_open(&err)) {
		buf_release(&t.msg);
		return -1;
	}
	t.t0 = now_ms();
	if (tf && *tf)
		t.timing = fopen(tf, "a");
	text = top_text(&t);
	push(&t, VIEW_TOP, "top", text);
	free(text);
	for (;;) {
		int k;

		draw(&t);
		timing_note(&t, from, key);
		prefetch_stacks(&t);
		k = screen_key();
		t.t0 = now_ms();
		from = kind_name(&t);
		key = key_name(k, what, sizeof(what));
		if (!handle(&t, k))
			break;
	}
	timing_note(&t, from, key);
	if (t.timing)
		fclose(t.timing);
	screen_close();
	for (size_t i = 0; i < t.nviews; i++)
		view_free(t.views[i]);
	for (size_t i = 0; i < t.nundo; i++)
		options_release(&t.undo[i].o);
	for (size_t i = 0; i < ARRAY_SIZE(t.tops); i++)
		top_cache_release(&t.tops[i]);
	job_discard(&t.job);
	stacks_cache_release(&t.stacks);
	stacks_cache_release(&t.prev_stacks);
	free(t.search);
	buf_release(&t.msg);
	return 0;
}
