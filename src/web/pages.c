/*
 * pages.c - the web UI's pages: routing, pprof's URL parameters, and the
 * HTML around each report.
 *
 * Every view is one dispatch_run of a command from the one command table;
 * this file only turns query parameters into options and report text into
 * HTML.  Profile text reaches a page only through xml_text (HTML text and
 * attribute values) or xml_json_string, and pages allow scripts and styles
 * from this server only (web_csp_page), so a hostile name stays inert.
 */
#include "model/compat.h"
#include <ctype.h>
#include <time.h>
#include "model/alloc.h"
#include "model/buf.h"
#include "report/dispatch.h"
#include "report/xml.h"
#include "web/pages.h"

#include "web/assets.inc"

const char web_csp_page[] = "default-src 'none'; script-src 'self'; style-src 'self'; "
			    "img-src 'self' data:; frame-src 'self'; connect-src 'self'; "
			    "base-uri 'none'; form-action 'self'; frame-ancestors 'self'";
/* The flame graph SVG carries its viewer inline; it is framed by our page only. */
static const char csp_flame_svg[] = "default-src 'none'; script-src 'unsafe-inline'; "
				    "style-src 'unsafe-inline'; img-src data:; "
				    "frame-ancestors 'self'";
static const char csp_none[] = "default-src 'none'; frame-ancestors 'none'";

#define CACHE_SLOTS 16
#define CACHE_BYTES ((size_t)96 << 20) /* answers kept, in all */
#define TOP_NODES   500		       /* rows of the Top view unless n= says otherwise */

/* pprof's URL parameters and the options they set. */
static const struct {
	const char *param, *option;
} params[] = {
	{ "f", "focus" },
	{ "i", "ignore" },
	{ "h", "hide" },
	{ "s", "show" },
	{ "sf", "show_from" },
	{ "prunefrom", "prune_from" },
	{ "tf", "tagfocus" },
	{ "ti", "tagignore" },
	{ "ts", "tagshow" },
	{ "th", "taghide" },
	{ "si", "sample_index" },
	{ "mean", "mean" },
	{ "dropneg", "drop_negative" },
	{ "calltree", "call_tree" },
	{ "rel", "relative_percentages" },
	{ "unit", "unit" },
	{ "compact", "compact_labels" },
	{ "n", "nodecount" },
	{ "nf", "nodefraction" },
	{ "ef", "edgefraction" },
	{ "trim", "trim" },
	{ "g", "granularity" },
	{ "sort", "sort" },
	{ "noinlines", "noinlines" },
};

enum view {
	V_FLAME,
	V_TOP,
	V_GRAPH,
	V_PEEK,
	V_SOURCE,
	V_DISASM,
};

static const struct {
	const char *path, *label, *cmd;
} views[] = {
	[V_FLAME] = { "flamegraph", "Flame Graph", "flame" },
	[V_TOP] = { "top", "Top", "top" },
	[V_GRAPH] = { "graph", "Graph", "svg" },
	[V_PEEK] = { "peek", "Peek", "peek" },
	[V_SOURCE] = { "source", "Source", "list" },
	[V_DISASM] = { "disasm", "Disassemble", "disasm" },
};

struct cache_entry {
	char *key; /* path '?' canonical query; NULL when free */
	struct web_response rs;
	unsigned long used;
};

struct web_site {
	const struct cp_profile *p;
	const struct cp_options *base;
	char *title;
	struct cache_entry cache[CACHE_SLOTS];
	unsigned long clock;
};

/* One request's settings: options with the parameters applied. */
struct request {
	struct cp_options o;
	const char *values[ARRAY_SIZE(params)]; /* by params[] index, NULL when absent */
	struct buf query;			/* canonical "k=v&..." of the values */
};

struct web_site *web_site_new(const struct cp_profile *p, const struct cp_options *o,
			      const char *title)
{
	struct web_site *s = xcalloc(1, sizeof(*s));

	s->p = p;
	s->base = o;
	s->title = xstrdup(title ? title : "");
	return s;
}

void web_response_release(struct web_response *rs)
{
	free(rs->body);
	free(rs->location);
	rs->body = NULL;
	rs->location = NULL;
	rs->len = 0;
}

void web_site_free(struct web_site *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < CACHE_SLOTS; i++) {
		free(s->cache[i].key);
		web_response_release(&s->cache[i].rs);
	}
	free(s->title);
	free(s);
}

static void html(struct buf *out, const char *s)
{
	xml_text(out, s, strlen(s));
}

/* Report text for the page: tabs expanded (to 8 columns), then escaped. */
static void text_html(struct buf *out, const char *s, size_t n)
{
	size_t col = 0, from = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\t') {
			if (((unsigned char)s[i] & 0xc0) != 0x80)
				col++;
			continue;
		}
		xml_text(out, s + from, i - from);
		buf_addpad(out, ' ', 8 - col % 8);
		col += 8 - col % 8;
		from = i + 1;
	}
	xml_text(out, s + from, n - from);
}

static void url_escape(struct buf *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c) || strchr("-_.~", c))
			buf_addc(out, (char)c);
		else
			buf_addf(out, "%%%02X", c);
	}
}

static int request_init(struct request *rq, const struct web_site *s, const struct web_arg *args,
			size_t nargs, struct cp_err *err)
{
	memset(rq, 0, sizeof(*rq));
	options_copy(&rq->o, s->base);
	buf_init(&rq->query);
	for (size_t k = 0; k < nargs; k++)
		for (size_t i = 0; i < ARRAY_SIZE(params); i++)
			if (!strcmp(args[k].key, params[i].param))
				rq->values[i] = args[k].value;
	for (size_t i = 0; i < ARRAY_SIZE(params); i++) {
		const struct opt_def *d = option_find(params[i].option);
		const char *v = rq->values[i];

		if (!v)
			continue;
		if (d->type == OPT_BOOL && (!strcmp(v, "t") || !strcmp(v, "f")))
			v = *v == 't' ? "true" : "false";
		if (option_set(&rq->o, d, v, err)) {
			cp_err_prefix(err, params[i].param);
			return -1;
		}
		buf_addf(&rq->query, "%s%s=", rq->query.len ? "&" : "", params[i].param);
		url_escape(&rq->query, rq->values[i]);
	}
	return 0;
}

static void request_release(struct request *rq)
{
	options_release(&rq->o);
	buf_release(&rq->query);
}

static const char *param_value(const struct request *rq, const char *param)
{
	for (size_t i = 0; i < ARRAY_SIZE(params); i++)
		if (!strcmp(params[i].param, param))
			return rq->values[i];
	return NULL;
}

static void set_body(struct web_response *rs, int status, const char *type, struct buf *b)
{
	rs->status = status;
	rs->type = type;
	rs->body = buf_detach(b, &rs->len);
}

static void set_text(struct web_response *rs, int status, const char *msg)
{
	struct buf b = BUF_INIT;

	buf_init(&b);
	buf_adds(&b, msg);
	set_body(rs, status, "text/plain; charset=utf-8", &b);
	rs->csp = csp_none;
}

/* ---- the page around a view ---- */

static void view_link(struct buf *out, enum view v, const struct request *rq, bool current)
{
	buf_addf(out, "<a href=\"/ui/%s%s", views[v].path, rq->query.len ? "?" : "");
	html(out, rq->query.buf);
	buf_addf(out, "\"%s>%s</a>", current ? " class=\"cur\"" : "", views[v].label);
}

static void sample_menu(struct buf *out, const struct web_site *s, const struct request *rq)
{
	const struct cp_profile *p = s->p;
	struct cp_err err = { "" };
	int cur = profile_sample_index(p, rq->o.sample_index, &err);

	if (p->nsample_types < 2)
		return;
	buf_adds(out, "<label class=\"menu\">Sample <select id=\"si\">");
	for (size_t i = 0; i < p->nsample_types; i++) {
		const char *t = profile_str(p, p->sample_types[i].type);

		buf_adds(out, "<option value=\"");
		html(out, t);
		buf_addf(out, "\"%s>", (int)i == cur ? " selected" : "");
		html(out, t);
		buf_adds(out, "</option>");
	}
	buf_adds(out, "</select></label>\n");
}

/* The granularity menu (g=), from the option table's choices. */
static void granularity_menu(struct buf *out, const struct request *rq)
{
	buf_adds(out, "<label class=\"menu\">Granularity <select id=\"g\">");
	for (size_t i = 0; i < choice_ndefs; i++) {
		const struct choice_def *c = &choice_defs[i];

		if (strcmp(c->group, "granularity"))
			continue;
		buf_addf(out, "<option value=\"%s\"%s>%s</option>", c->value,
			 !strcmp(rq->o.granularity, c->value) ? " selected" : "", c->value);
	}
	buf_adds(out, "</select></label>\n");
}

static const char *sample_type_name(const struct web_site *s, const struct request *rq)
{
	struct cp_err err = { "" };
	int cur = profile_sample_index(s->p, rq->o.sample_index, &err);

	if (cur < 0 || s->p->nsample_types == 0)
		return "";
	return profile_str(s->p, s->p->sample_types[cur].type);
}

/* Refine parameters in effect, each with a link that drops it. */
static void active_filters(struct buf *out, const struct request *rq)
{
	bool any = false;

	for (size_t i = 0; i < ARRAY_SIZE(params); i++) {
		const char *val = rq->values[i];

		if (!val || !strcmp(params[i].param, "si"))
			continue;
		if (!any)
			buf_adds(out, "<div id=\"filters\">");
		any = true;
		buf_addf(out, "<span class=\"filter\" data-param=\"%s\">%s=", params[i].param,
			 params[i].option);
		html(out, val);
		buf_adds(out, " <a class=\"drop\" title=\"remove\" href=\"\">\xc3\x97</a></span>");
	}
	if (any)
		buf_adds(out, "</div>\n");
}

static void page_begin(struct buf *out, const struct web_site *s, enum view v,
		       const struct request *rq)
{
	const char *type = sample_type_name(s, rq);

	buf_adds(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
		      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		      "<title>");
	html(out, s->title);
	buf_adds(out, " ");
	html(out, type);
	buf_addf(out, " \xe2\x80\x94 %s \xe2\x80\x94 cprof</title>\n", views[v].label);
	buf_adds(out, "<link rel=\"icon\" href=\"data:,\">\n"
		      "<link rel=\"stylesheet\" href=\"/ui/static/ui.css\">\n"
		      "<script src=\"/ui/static/ui.js\"></script>\n");
	buf_addf(out, "</head><body data-view=\"%s\">\n<header id=\"bar\">\n", views[v].path);
	buf_adds(out, "<span class=\"brand\">cprof</span>\n<nav id=\"views\">");
	for (size_t i = 0; i < ARRAY_SIZE(views); i++)
		view_link(out, (enum view)i, rq, i == (size_t)v);
	buf_adds(out, "<a id=\"download\" href=\"/ui/download");
	if (rq->query.len) {
		buf_adds(out, "?");
		html(out, rq->query.buf);
	}
	buf_adds(out, "\">Download</a></nav>\n");
	sample_menu(out, s, rq);
	granularity_menu(out, rq);
	buf_adds(out, "<span id=\"refine\" class=\"menu\">Refine: "
		      "<button data-param=\"f\" title=\"Keep only samples through the "
		      "selection\">Focus</button>"
		      "<button data-param=\"i\" title=\"Drop samples through the "
		      "selection\">Ignore</button>"
		      "<button data-param=\"h\" title=\"Remove the selected functions from "
		      "stacks\">Hide</button>"
		      "<button data-param=\"s\" title=\"Keep only the selected functions in "
		      "stacks\">Show</button>"
		      "<button data-param=\"sf\" title=\"Drop frames above the "
		      "selection\">Show from</button>");
	buf_addf(out, "<a id=\"reset\" href=\"/ui/%s\">Reset</a></span>\n", views[v].path);
	buf_adds(out, "<input id=\"search\" type=\"search\" placeholder=\"Search regexp\" "
		      "autocomplete=\"off\" spellcheck=\"false\">\n<span id=\"title\">");
	html(out, s->title);
	buf_adds(out, " ");
	html(out, type);
	buf_adds(out, "</span>\n</header>\n");
	active_filters(out, rq);
}

static void page_messages(struct buf *out, const char *warn, const char *error)
{
	if ((!warn || !*warn) && (!error || !*error))
		return;
	buf_adds(out, "<div id=\"errors\">");
	if (error && *error) {
		buf_adds(out, "<p class=\"error\">");
		html(out, error);
		buf_adds(out, "</p>");
	}
	for (const char *w = warn; w && *w;) {
		const char *nl = strchr(w, '\n');
		size_t len = nl ? (size_t)(nl - w) : strlen(w);

		buf_adds(out, "<p class=\"warn\">");
		xml_text(out, w, len);
		buf_adds(out, "</p>");
		w += len + (nl ? 1 : 0);
	}
	buf_adds(out, "</div>\n");
}

static void page_end(struct buf *out)
{
	buf_adds(out, "<div id=\"menu\" hidden></div>\n</body></html>\n");
}

/* ---- report text to HTML ---- */

/* Next line of text at *pos (without its newline), or false at the end. */
static bool next_line(const char *text, size_t len, size_t *pos, const char **line, size_t *n)
{
	const char *nl;

	if (*pos >= len)
		return false;
	*line = text + *pos;
	nl = memchr(*line, '\n', len - *pos);
	*n = nl ? (size_t)(nl - *line) : len - *pos;
	*pos += *n + (nl ? 1 : 0);
	return true;
}

/* The header lines of a text report (File:, Type:, Showing ...). */
static void legend_line(struct buf *out, const char *line, size_t n)
{
	buf_adds(out, "<div>");
	text_html(out, line, n);
	buf_adds(out, "</div>");
}

/* Split off up to 'max' whitespace-separated fields; returns how many. */
static size_t fields(const char *line, size_t n, const char **f, size_t *fl, size_t max,
		     size_t *rest)
{
	size_t i = 0, k = 0;

	while (k < max) {
		while (i < n && line[i] == ' ')
			i++;
		if (i == n)
			break;
		f[k] = line + i;
		while (i < n && line[i] != ' ')
			i++;
		fl[k] = (size_t)(line + i - f[k]);
		k++;
	}
	*rest = i;
	return k;
}

static void top_html(struct buf *out, const char *text, size_t len)
{
	static const char *const heads[] = { "Flat", "Flat%", "Sum%", "Cum", "Cum%" };
	const char *line;
	size_t pos = 0, n, rank = 0;
	bool rows = false;

	buf_adds(out, "<div id=\"legend\">");
	while (next_line(text, len, &pos, &line, &n)) {
		const char *f[5];
		size_t fl[5], rest;

		if (!rows) {
			if (memmem(line, n, "flat%", 5) && memmem(line, n, "cum%", 4)) {
				rows = true;
				buf_adds(out, "</div>\n<table id=\"toptable\"><thead><tr>");
				for (size_t i = 0; i < ARRAY_SIZE(heads); i++)
					buf_addf(out, "<th data-col=\"%zu\">%s</th>", i, heads[i]);
				buf_adds(out, "<th data-col=\"5\">Name</th><th data-col=\"6\">"
					      "Inlined?</th></tr></thead>\n<tbody>\n");
				continue;
			}
			legend_line(out, line, n);
			continue;
		}
		if (fields(line, n, f, fl, 5, &rest) < 5)
			continue;
		while (rest < n && line[rest] == ' ')
			rest++;
		{
			const char *name = line + rest;
			size_t nl = n - rest;
			bool inl = nl > 9 && !memcmp(name + nl - 9, " (inline)", 9);

			if (inl)
				nl -= 9;
			buf_addf(out, "<tr data-rank=\"%zu\">", rank++);
			for (size_t i = 0; i < 5; i++) {
				buf_addf(out, "<td data-v=\"%g\">",
					 i == 0 ? atof(f[1]) :
					 i == 3 ? atof(f[4]) :
						  atof(f[i]));
				xml_text(out, f[i], fl[i]);
				buf_adds(out, "</td>");
			}
			buf_adds(out, "<td class=\"name\">");
			xml_text(out, name, nl);
			buf_addf(out, "</td><td>%s</td></tr>\n", inl ? "inline" : "");
		}
	}
	buf_adds(out, rows ? "</tbody></table>\n" : "</div>\n");
}

static void pre_html(struct buf *out, const char *id, const char *text, size_t len)
{
	const char *line;
	size_t pos = 0, n;

	buf_addf(out, "<pre id=\"%s\">", id);
	while (next_line(text, len, &pos, &line, &n)) {
		buf_adds(out, "<span class=\"ln\">");
		text_html(out, line, n);
		buf_adds(out, "</span>\n");
	}
	buf_adds(out, "</pre>\n");
}

/* A value of the list report ("1.02s", "280ms", "12MB", ".") in base units, for shading. */
static double value_of(const char *s, size_t n)
{
	static const struct {
		const char *suffix;
		double scale;
	} units[] = {
		{ "ns", 1e-9 },	 { "us", 1e-6 }, { "\xc2\xb5s", 1e-6 }, { "ms", 1e-3 },
		{ "hrs", 3600 }, { "s", 1 },	 { "kB", 1e3 },		{ "MB", 1e6 },
		{ "GB", 1e9 },	 { "TB", 1e12 }, { "PB", 1e15 },	{ "B", 1 },
	};
	char tmp[64], *end;
	double v;

	if (n == 0 || n >= sizeof(tmp))
		return 0;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	v = strtod(tmp, &end);
	if (end == tmp)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(units); i++)
		if (!strcmp(end, units[i].suffix))
			return v * units[i].scale;
	return v;
}

/*
 * A source line of the list report, "%10s %10s %6d:text": the two values,
 * the line number and where the text starts; false for other lines.
 */
static bool source_line(const char *line, size_t n, const char **f, size_t *fl, const char **no,
			size_t *nolen, size_t *code)
{
	size_t i;

	if (fields(line, n, f, fl, 2, &i) != 2)
		return false;
	while (i < n && line[i] == ' ')
		i++;
	*no = line + i;
	while (i < n && isdigit((unsigned char)line[i]))
		i++;
	*nolen = (size_t)(line + i - *no);
	if (!*nolen || i == n || line[i] != ':')
		return false;
	*code = i + 1;
	return true;
}

/* One routine of the list report, from its ROUTINE line up to the next. */
static void routine_html(struct buf *out, const char *text, size_t len)
{
	const char *line;
	size_t pos = 0, n;
	double max = 0;

	/* the hottest line sets the scale of the shading */
	while (next_line(text, len, &pos, &line, &n)) {
		const char *f[2], *no;
		size_t fl[2], nol, code;

		if (source_line(line, n, f, fl, &no, &nol, &code)) {
			double c = value_of(f[1], fl[1]);

			if (c < 0)
				c = -c;
			if (c > max)
				max = c;
		}
	}
	pos = 0;
	buf_adds(out, "<section class=\"routine\">");
	while (next_line(text, len, &pos, &line, &n)) {
		const char *f[2], *no;
		size_t fl[2], nol, code;

		if (n > 8 && !memcmp(line, "ROUTINE ", 8)) {
			const char *name = line + 8, *in;
			size_t nl = n - 8;

			while (nl && (*name == '=' || *name == ' '))
				name++, nl--;
			in = memmem(name, nl, " in ", 4);
			buf_adds(out, "<h2><span class=\"fn\">");
			xml_text(out, name, in ? (size_t)(in - name) : nl);
			buf_adds(out, "</span>");
			if (in) {
				buf_adds(out, " <span class=\"file\">");
				xml_text(out, in + 4, nl - (size_t)(in + 4 - name));
				buf_adds(out, "</span>");
			}
			buf_adds(out, "</h2>\n<table class=\"src\">\n");
			continue;
		}
		if (source_line(line, n, f, fl, &no, &nol, &code)) {
			double c = value_of(f[1], fl[1]), fv = value_of(f[0], fl[0]);
			int heat = 0;

			if (c < 0)
				c = -c;
			if (max > 0 && c > 0)
				heat = 1 + (int)(4.0 * c / max + 0.5);
			buf_addf(out, "<tr class=\"h%d%s\"><td>", heat > 5 ? 5 : heat,
				 fv != 0 ? " self" : "");
			xml_text(out, f[0], fl[0]);
			buf_adds(out, "</td><td>");
			xml_text(out, f[1], fl[1]);
			buf_adds(out, "</td><td class=\"no\">");
			xml_text(out, no, nol);
			buf_adds(out, "</td><td class=\"code\">");
			text_html(out, line + code, n - code);
			buf_adds(out, "</td></tr>\n");
			continue;
		}
		buf_adds(out, "<tr class=\"note\"><td colspan=\"4\">");
		text_html(out, line, n);
		buf_adds(out, "</td></tr>\n");
	}
	buf_adds(out, "</table></section>\n");
}

static void source_html(struct buf *out, const char *text, size_t len)
{
	const char *at = text, *end = text + len;

	while (at < end) {
		const char *next = memmem(at + 1, (size_t)(end - at - 1), "\nROUTINE ", 9);
		size_t n = next ? (size_t)(next + 1 - at) : (size_t)(end - at);

		if (n >= 8 && !memcmp(at, "ROUTINE ", 8)) {
			routine_html(out, at, n);
		} else {
			buf_adds(out, "<div id=\"legend\">");
			for (size_t pos = 0, ln; pos < n;) {
				const char *line;

				next_line(at, n, &pos, &line, &ln);
				legend_line(out, line, ln);
			}
			buf_adds(out, "</div>\n");
		}
		at += n;
	}
}

/* The graph SVG inside the page: no XML prolog, no script (the page pans and zooms). */
static void graph_html(struct buf *out, const char *svg, size_t len)
{
	const char *start = memmem(svg, len, "<svg", 4), *end = svg + len;
	const char *script, *script_end;

	buf_adds(out, "<div id=\"graph\">");
	if (!start) {
		buf_adds(out, "</div>\n");
		return;
	}
	script = memmem(start, (size_t)(end - start), "<script", 7);
	script_end = script ? memmem(script, (size_t)(end - script), "</script>", 9) : NULL;
	if (script && script_end) {
		buf_add(out, start, (size_t)(script - start));
		start = script_end + 9;
	}
	buf_add(out, start, (size_t)(end - start));
	buf_adds(out, "</div>\n");
}

/* ---- the cache of recent responses ---- */

static struct cache_entry *cache_find(struct web_site *s, const char *key)
{
	for (size_t i = 0; i < CACHE_SLOTS; i++)
		if (s->cache[i].key && !strcmp(s->cache[i].key, key)) {
			s->cache[i].used = ++s->clock;
			return &s->cache[i];
		}
	return NULL;
}

static void cache_drop(struct cache_entry *e)
{
	free(e->key);
	e->key = NULL;
	web_response_release(&e->rs);
}

/* Keep a copy of rs under key, dropping the least recently used answers to make room. */
static void cache_put(struct web_site *s, const char *key, const struct web_response *rs)
{
	struct cache_entry *e = &s->cache[0];
	size_t total = rs->len;

	if (rs->len > CACHE_BYTES / 4)
		return;
	for (size_t i = 1; i < CACHE_SLOTS && e->key; i++)
		if (!s->cache[i].key || s->cache[i].used < e->used)
			e = &s->cache[i];
	cache_drop(e);
	for (size_t i = 0; i < CACHE_SLOTS; i++)
		total += s->cache[i].rs.len;
	while (total > CACHE_BYTES) {
		struct cache_entry *old = NULL;

		for (size_t i = 0; i < CACHE_SLOTS; i++)
			if (s->cache[i].key && (!old || s->cache[i].used < old->used))
				old = &s->cache[i];
		total -= old->rs.len;
		cache_drop(old);
	}
	e->key = xstrdup(key);
	e->rs = *rs;
	e->rs.location = NULL; /* only 200s are cached */
	e->rs.body = xmalloc(rs->len + 1);
	copy_n(e->rs.body, rs->body, rs->len);
	e->used = ++s->clock;
}

static void copy_response(struct web_response *dst, const struct web_response *src)
{
	*dst = *src;
	dst->location = NULL;
	dst->body = xmalloc(src->len + 1);
	copy_n(dst->body, src->body, src->len);
}

/* ---- views ---- */

static int run_report(const struct web_site *s, struct request *rq, const char *cmd,
		      const char *arg, struct buf *out, struct buf *warn, struct cp_err *err)
{
	return dispatch_run(s->p, &rq->o, command_find(cmd), arg, out, warn, err);
}

static void view_page(struct web_site *s, enum view v, struct request *rq, struct web_response *rs)
{
	struct buf page = BUF_INIT, out = BUF_INIT, warn = BUF_INIT, key = BUF_INIT;
	struct cp_err err = { "" };
	const char *f = param_value(rq, "f");
	int status = 200, rc = 0;

	buf_init(&key);
	buf_init(&page);
	buf_init(&out);
	buf_init(&warn);
	switch (v) {
	case V_TOP:
		if (rq->o.nodecount < 0)
			rq->o.nodecount = TOP_NODES;
		rc = run_report(s, rq, "top", NULL, &out, &warn, &err);
		break;
	case V_GRAPH:
		rc = run_report(s, rq, "svg", NULL, &out, &warn, &err);
		break;
	case V_PEEK:
	case V_SOURCE:
	case V_DISASM:
		if (!f || !*f)
			break;
		rc = run_report(s, rq, views[v].cmd, f, &out, &warn, &err);
		break;
	case V_FLAME:
		/* rendered now, so errors show here and the frame's request hits the cache */
		buf_addf(&key, "/ui/flame.svg?%s", rq->query.buf);
		if (cache_find(s, key.buf))
			break;
		rc = run_report(s, rq, "flame", NULL, &out, &warn, &err);
		if (!rc) {
			struct web_response svg = {
				.status = 200,
				.type = "image/svg+xml",
				.csp = csp_flame_svg,
				.body = out.buf,
				.len = out.len,
			};

			cache_put(s, key.buf, &svg);
		}
		break;
	}
	if (rc) {
		status = v == V_DISASM ? 501 : 400;
		buf_reset(&out);
	}
	page_begin(&page, s, v, rq);
	page_messages(&page, warn.buf, rc ? err.msg : NULL);
	buf_adds(&page, "<main id=\"content\">\n");
	if (!rc) {
		switch (v) {
		case V_TOP:
			top_html(&page, out.buf, out.len);
			break;
		case V_GRAPH:
			graph_html(&page, out.buf, out.len);
			break;
		case V_PEEK:
			if (f && *f)
				pre_html(&page, "peek", out.buf, out.len);
			break;
		case V_SOURCE:
			if (f && *f)
				source_html(&page, out.buf, out.len);
			break;
		case V_DISASM:
			break;
		case V_FLAME:
			buf_adds(&page,
				 "<iframe id=\"flame\" title=\"Flame graph\" src=\"/ui/flame.svg");
			if (rq->query.len) {
				buf_adds(&page, "?");
				html(&page, rq->query.buf);
			}
			buf_adds(&page, "\"></iframe>\n");
			break;
		}
		if ((v == V_PEEK || v == V_SOURCE || v == V_DISASM) && (!f || !*f))
			buf_adds(&page, "<p class=\"hint\">Pick functions first: type a regexp in "
					"the search box and press Enter, or right-click a frame of "
					"the flame graph.</p>\n");
	}
	buf_adds(&page, "</main>\n");
	page_end(&page);
	set_body(rs, status, "text/html; charset=utf-8", &page);
	buf_release(&out);
	buf_release(&warn);
	buf_release(&key);
}

static void flame_svg(struct web_site *s, struct request *rq, struct web_response *rs)
{
	struct buf out = BUF_INIT, warn = BUF_INIT;
	struct cp_err err = { "" };

	buf_init(&out);
	buf_init(&warn);
	if (run_report(s, rq, "flame", NULL, &out, &warn, &err)) {
		set_text(rs, 400, err.msg);
	} else {
		set_body(rs, 200, "image/svg+xml", &out);
		rs->csp = csp_flame_svg;
	}
	buf_release(&out);
	buf_release(&warn);
}

static void download(struct web_site *s, struct request *rq, struct web_response *rs)
{
	struct buf out = BUF_INIT, warn = BUF_INIT;
	struct cp_err err = { "" };

	buf_init(&out);
	buf_init(&warn);
	if (run_report(s, rq, "proto", NULL, &out, &warn, &err)) {
		set_text(rs, 400, err.msg);
	} else {
		set_body(rs, 200, "application/octet-stream", &out);
		rs->disposition = "attachment; filename=\"profile.pb.gz\"";
		rs->csp = csp_none;
	}
	buf_release(&out);
	buf_release(&warn);
}

static void redirect(struct web_response *rs, int status, const char *to, const struct buf *query)
{
	struct buf where = BUF_INIT;

	buf_init(&where);
	buf_addf(&where, "%s%s%s", to, query->len ? "?" : "", query->buf);
	set_text(rs, status, "");
	rs->location = buf_detach(&where, NULL);
}

/* ---- routing ---- */

static bool static_asset(const char *path, struct web_response *rs)
{
	struct buf b = BUF_INIT;

	buf_init(&b);
	if (!strcmp(path, "/ui/static/ui.js")) {
		buf_adds(&b, web_ui_js);
		set_body(rs, 200, "text/javascript; charset=utf-8", &b);
	} else if (!strcmp(path, "/ui/static/ui.css")) {
		buf_adds(&b, web_ui_css);
		set_body(rs, 200, "text/css; charset=utf-8", &b);
	} else {
		return false;
	}
	rs->csp = csp_none;
	return true;
}

void web_handle(struct web_site *s, const char *path, const struct web_arg *args, size_t nargs,
		struct web_response *rs)
{
	struct request rq;
	struct cp_err err = { "" };
	struct cache_entry *hit;
	struct buf key = BUF_INIT;
	int v = -1;

	memset(rs, 0, sizeof(*rs));
	if (static_asset(path, rs))
		return;
	buf_init(&key);
	if (request_init(&rq, s, args, nargs, &err)) {
		struct request plain;

		/* a bad parameter: the page, without it, saying what was wrong */
		request_init(&plain, s, NULL, 0, NULL);
		buf_adds(&key, "invalid");
		for (size_t i = 0; i < ARRAY_SIZE(views); i++)
			if (!strncmp(path, "/ui/", 4) && !strcmp(path + 4, views[i].path))
				v = (int)i;
		if (v < 0) {
			set_text(rs, 400, err.msg);
		} else {
			struct buf page = BUF_INIT;

			buf_init(&page);
			page_begin(&page, s, (enum view)v, &plain);
			page_messages(&page, NULL, err.msg);
			page_end(&page);
			set_body(rs, 400, "text/html; charset=utf-8", &page);
		}
		request_release(&plain);
		goto out;
	}
	buf_addf(&key, "%s?%s", path, rq.query.buf);
	hit = cache_find(s, key.buf);
	if (hit) {
		copy_response(rs, &hit->rs);
		goto out;
	}
	if (!strcmp(path, "/")) {
		redirect(rs, 307, "/ui/", &rq.query);
		goto out;
	}
	if (!strcmp(path, "/ui")) {
		redirect(rs, 301, "/ui/", &rq.query);
		goto out;
	}
	if (!strcmp(path, "/ui/flamegraph2") || !strcmp(path, "/ui/flamegraphold")) {
		/* pprof's older flame graph pages */
		redirect(rs, 301, "/ui/flamegraph", &rq.query);
		goto out;
	}
	if (!strcmp(path, "/ui/"))
		v = V_FLAME;
	for (size_t i = 0; i < ARRAY_SIZE(views) && v < 0; i++)
		if (!strncmp(path, "/ui/", 4) && !strcmp(path + 4, views[i].path))
			v = (int)i;
	if (v >= 0)
		view_page(s, (enum view)v, &rq, rs);
	else if (!strcmp(path, "/ui/flame.svg"))
		flame_svg(s, &rq, rs);
	else if (!strcmp(path, "/ui/download"))
		download(s, &rq, rs);
	else
		set_text(rs, 404, "404 page not found\n");
	if (rs->status == 200)
		cache_put(s, key.buf, rs);
out:
	request_release(&rq);
	buf_release(&key);
}
