/*
 * dot.c - the `dot` report: the call graph in Graphviz's language, laid out
 * as pprof writes it (node ids, labels, colours, nodelets for tags, the
 * legend box), so that scripts reading pprof's DOT read ours.
 */
#include "model/compat.h"
#include <math.h>
#include "model/alloc.h"
#include "model/path.h"
#include "model/strtab.h"
#include "report/names.h"
#include "report/report.h"
#include "report/units.h"

#define MAX_NODELETS 4

/* Backslash, quote and newline made safe inside a DOT string (newline: \l). */
static void add_escaped(struct buf *out, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		switch (s[i]) {
		case '\\':
			buf_adds(out, "\\\\");
			break;
		case '"':
			buf_adds(out, "\\\"");
			break;
		case '\n':
			buf_adds(out, "\\l");
			break;
		default:
			buf_addc(out, s[i]);
		}
	}
}

static void add_escaped_str(struct buf *out, const char *s)
{
	add_escaped(out, s, strlen(s));
}

/* The tags of the report's samples, named for the graph (see cp_tag_source). */
struct dot_tags {
	struct cp_tag_source src;
	uint32_t *label, *num_off, *num_n;
	uint32_t *num;
	size_t nnum, anum;
	struct strtab names;  /* label tag names (joined "key:value" lines), then numeric */
	char **shown;	      /* per name: as written in a nodelet label */
	int64_t *value;	      /* per name: numeric tags' first value */
	const char *num_unit; /* the "bytes" key's unit */
	size_t nshown, ashown, avalue;
};

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static uint32_t tag_name(struct dot_tags *t, const char *name, size_t len, const char *shown,
			 int64_t value)
{
	uint32_t id = strtab_intern(&t->names, name, len);

	if (id == t->nshown) {
		t->nshown++;
		ALLOC_GROW(t->shown, id + 1, t->ashown);
		ALLOC_GROW(t->value, id + 1, t->avalue);
		t->shown[id] = xstrdup(shown);
		t->value[id] = value;
	}
	return id;
}

/*
 * pprof's view of a sample for nodelets: its string labels as sorted
 * "key:value" lines joined by a literal \n (pprof::base left out), and its
 * "bytes" numeric labels formatted in the report's unit.
 */
static void dot_tags_init(struct dot_tags *t, struct report *r)
{
	const struct cp_profile *p = r->p;
	const struct cp_view *v = &r->view;
	uint32_t bytes_key = 0, base_key = 0;
	bool has_bytes = strtab_find(&p->strs, "bytes", 5, &bytes_key);
	bool has_base = strtab_find(&p->strs, "pprof::base", 11, &base_key);
	char **parts = NULL;
	size_t aparts = 0;
	struct buf name = BUF_INIT, shown = BUF_INIT;

	memset(t, 0, sizeof(*t));
	strtab_init(&t->names);
	tag_name(t, "", 0, "", 0);
	t->label = xcalloc(v->nsamples + 1, sizeof(uint32_t));
	t->num_off = xcalloc(v->nsamples + 1, sizeof(uint32_t));
	t->num_n = xcalloc(v->nsamples + 1, sizeof(uint32_t));
	t->num_unit = has_bytes ? label_unit(&r->units, p, bytes_key) : "bytes";
	buf_init(&name);
	buf_init(&shown);
	for (size_t i = 0; i < v->nsamples; i++) {
		const struct cp_sample *s = &p->samples[v->samples[i].sample];
		size_t nparts = 0;

		t->num_off[i] = (uint32_t)t->nnum;
		for (uint32_t k = 0; k < s->nlabels; k++) {
			const struct cp_label *l = &p->labels[s->label_off + k];
			const char *key = profile_str(p, l->key);

			if (r->hidden_keys && r->hidden_keys[l->key])
				continue;
			if (l->str) {
				struct buf kv = BUF_INIT;

				if (has_base && l->key == base_key)
					continue;
				buf_init(&kv);
				buf_addf(&kv, "%s:%s", key, profile_str(p, l->str));
				ALLOC_GROW(parts, nparts + 1, aparts);
				parts[nparts++] = buf_detach(&kv, NULL);
			} else if (has_bytes && l->key == bytes_key && (l->num || l->num_unit)) {
				char lab[64];

				units_label(lab, sizeof(lab), l->num, t->num_unit, r->o.unit);
				ALLOC_GROW(t->num, t->nnum + 1, t->anum);
				buf_reset(&name);
				buf_addf(&name, "#%s", lab); /* apart from label tag names */
				t->num[t->nnum++] = tag_name(t, name.buf, name.len, lab, l->num);
			}
		}
		t->num_n[i] = (uint32_t)(t->nnum - t->num_off[i]);
		if (!nparts)
			continue;
		qsort(parts, nparts, sizeof(*parts), str_cmp);
		buf_reset(&name);
		buf_reset(&shown);
		for (size_t k = 0; k < nparts; k++) {
			buf_adds(&name, k ? "\\n" : "");
			buf_adds(&name, parts[k]);
			buf_adds(&shown, k ? "\\n" : "");
			add_escaped_str(&shown, parts[k]);
			free(parts[k]);
		}
		t->label[i] = tag_name(t, name.buf, name.len, shown.buf, 0);
	}
	free(parts);
	buf_release(&name);
	buf_release(&shown);
	t->src.label = t->label;
	t->src.num_off = t->num_off;
	t->src.num_n = t->num_n;
	t->src.num = t->num;
}

static void dot_tags_release(struct dot_tags *t)
{
	for (size_t i = 0; i < t->nshown; i++)
		free(t->shown[i]);
	free(t->shown);
	free(t->value);
	strtab_free(&t->names);
	free(t->label);
	free(t->num_off);
	free(t->num_n);
	free(t->num);
}

/* pprof's dotColor: score in [-1, 1] to red (positive), grey (0), green. */
static void dot_color(double score, bool background, char *out, size_t size)
{
	double saturation = background ? 0.1 : 1.0, value = background ? 0.93 : 0.7;
	double r, g, b;

	score = score > 1 ? 1 : score < -1 ? -1 : score;
	if (fabs(score) < 0.2)
		saturation *= fabs(score) / 0.2;
	if (score > 0)
		score = pow(score, 0.3);
	if (score < 0)
		score = -pow(-score, 0.3);
	if (score < 0) {
		g = value;
		r = value * (1 + saturation * score);
	} else {
		r = value;
		g = value * (1 - saturation * score);
	}
	b = value * (1 - saturation);
	snprintf(out, size, "#%02x%02x%02x", (unsigned)(uint8_t)(r * 255.0),
		 (unsigned)(uint8_t)(g * 255.0), (unsigned)(uint8_t)(b * 255.0));
}

/* The node's name over several lines: short name split at :: and ., then file. */
static void node_label_name(const struct cp_graph *g, uint32_t id, struct buf *out)
{
	const struct cp_node_info *ni = graph_info(g, id);
	const struct strtab *names = &g->u->names;
	bool any = false;

	if (ni->address) {
		buf_addf(out, "%016" PRIx64, ni->address);
		any = true;
	}
	if (ni->name) {
		char *s = names_shorten(strtab_str(names, ni->name));
		struct buf e = BUF_INIT;

		buf_init(&e);
		add_escaped_str(&e, s);
		if (any)
			buf_adds(out, "\\n");
		for (size_t i = 0; i < e.len; i++) {
			if (e.buf[i] == ':' && e.buf[i + 1] == ':') {
				buf_adds(out, "\\n");
				i++;
			} else if (!strncmp(e.buf + i, "[...]", 5)) {
				buf_adds(out, "[\xe2\x80\xa6]");
				i += 4;
			} else if (e.buf[i] == '.') {
				buf_adds(out, "\\n");
			} else {
				buf_addc(out, e.buf[i]);
			}
		}
		buf_release(&e);
		free(s);
		any = true;
	}
	if (ni->lineno || ni->file || !ni->name) {
		const char *f = ni->lineno || ni->file ? strtab_str(names, ni->file) : "";
		size_t bl = 0;
		const char *base = *f ? path_base(f, strlen(f), &bl) : f;

		if (any)
			buf_adds(out, "\\n");
		if (ni->lineno) {
			add_escaped(out, base, bl);
			buf_addf(out, ":%" PRId64, ni->lineno);
		} else if (ni->file) {
			add_escaped(out, base, bl);
		} else if (ni->objfile) {
			const char *o = strtab_str(names, ni->objfile);
			const char *ob = path_base(o, strlen(o), &bl);

			buf_addc(out, '[');
			add_escaped(out, ob, bl);
			buf_addc(out, ']');
		} else {
			buf_adds(out, "<unknown>");
		}
	}
	buf_adds(out, "\\n");
}

static void add_node(struct report *r, const struct cp_graph *g, uint32_t id, size_t num,
		     double max_flat, struct buf *out)
{
	int64_t flat = graph_flat_value(g, id), cum = graph_cum_value(g, id);
	char fv[64], cv[64], pct[32], fg[16], bg[16];
	int fontsize = 8;
	double score = (double)cum / (double)abs64(r->total);

	buf_addf(out, "N%zu [label=\"", num);
	node_label_name(g, id, out);
	report_value(r, flat, fv, sizeof(fv));
	if (flat != 0) {
		units_percent_trim(pct, sizeof(pct), flat, r->total);
		buf_addf(out, "%s (%s)", fv, pct);
	} else {
		buf_adds(out, "0");
	}
	snprintf(cv, sizeof(cv), "%s", fv);
	if (cum != flat) {
		buf_adds(out, flat != 0 ? "\\n" : " ");
		report_value(r, cum, cv, sizeof(cv));
		units_percent_trim(pct, sizeof(pct), cum, r->total);
		buf_addf(out, "of %s (%s)", cv, pct);
	}
	if (max_flat != 0 && flat != 0 && (double)abs64(flat) <= max_flat) {
		/* |INT64_MIN| stays negative: no square root of it (NaN to int is UB) */
		double grow = ceil(16.0 * sqrt((double)abs64(flat) / max_flat));

		if (grow >= 0 && grow <= 16)
			fontsize += (int)grow;
	}
	dot_color(score, false, fg, sizeof(fg));
	dot_color(score, true, bg, sizeof(bg));
	buf_addf(out, "\" id=\"node%zu\" fontsize=%d shape=box tooltip=\"", num, fontsize);
	add_escaped_str(out, graph_name(g, id));
	buf_addf(out, " (%s)\" color=\"%s\" fillcolor=\"%s\"]\n", cv, fg, bg);
}

/* pprof's tag order: |cum| (unless flat), |flat|, then name. */
static _Thread_local const struct dot_tags *sort_tags_names;
static _Thread_local bool sort_tags_flat;

static int tag_cmp(const void *a, const void *b)
{
	const struct cp_tag *x = a, *y = b;

	if (!sort_tags_flat && x->cum != y->cum && abs64(x->cum) != abs64(y->cum))
		return abs64(x->cum) > abs64(y->cum) ? -1 : 1;
	if (x->flat != y->flat && abs64(x->flat) != abs64(y->flat))
		return abs64(x->flat) > abs64(y->flat) ? -1 : 1;
	return strcmp(x->num ? sort_tags_names->shown[x->num] :
			       strtab_str(&sort_tags_names->names, x->label),
		      y->num ? sort_tags_names->shown[y->num] :
			       strtab_str(&sort_tags_names->names, y->label));
}

static void sort_tags(const struct dot_tags *dt, struct cp_tag *t, size_t n, bool flat)
{
	sort_tags_names = dt;
	sort_tags_flat = flat;
	qsort(t, n, sizeof(*t), tag_cmp);
	sort_tags_names = NULL;
}

static int64_t tag_value(int64_t v, int64_t div)
{
	return div ? v / div : v;
}

/* A numeric nodelet group: the tags collapsed into it and its label. */
struct tag_group {
	struct cp_tag t; /* flat/cum already divided; num names the label */
	char label[160];
};

static int group_cmp(const void *a, const void *b)
{
	const struct tag_group *x = a, *y = b;

	if (!sort_tags_flat && x->t.cum != y->t.cum && abs64(x->t.cum) != abs64(y->t.cum))
		return abs64(x->t.cum) > abs64(y->t.cum) ? -1 : 1;
	if (x->t.flat != y->t.flat && abs64(x->t.flat) != abs64(y->t.flat))
		return abs64(x->t.flat) > abs64(y->t.flat) ? -1 : 1;
	return strcmp(x->label, y->label);
}

/*
 * pprof's collapsedTags: numeric tags in at most MAX_NODELETS groups, each
 * further tag joining the group whose first tag is nearest in value.
 */
static size_t collapse_tags(const struct dot_tags *dt, struct cp_tag *t, size_t n, bool flat,
			    struct tag_group *out)
{
	size_t ng;
	size_t members[MAX_NODELETS][2]; /* min and max tag index */
	int64_t f[MAX_NODELETS], fd[MAX_NODELETS], c[MAX_NODELETS], cd[MAX_NODELETS];
	size_t count[MAX_NODELETS];

	sort_tags(dt, t, n, flat);
	ng = n < MAX_NODELETS ? n : MAX_NODELETS;
	for (size_t i = 0; i < ng; i++) {
		members[i][0] = members[i][1] = i;
		f[i] = t[i].flat;
		fd[i] = t[i].flat_div;
		c[i] = t[i].cum;
		cd[i] = t[i].cum_div;
		count[i] = 1;
	}
	for (size_t i = ng; i < n; i++) {
		int64_t v = dt->value[t[i].num];
		size_t best = 0;
		double d = fabs((double)v - (double)dt->value[t[0].num]);

		for (size_t k = 1; k < ng; k++) {
			double nd = fabs((double)v - (double)dt->value[t[k].num]);

			if (nd < d) {
				best = k;
				d = nd;
			}
		}
		if (v < dt->value[t[members[best][0]].num])
			members[best][0] = i;
		if (v > dt->value[t[members[best][1]].num])
			members[best][1] = i;
		f[best] = add64(f[best], t[i].flat);
		fd[best] = add64(fd[best], t[i].flat_div);
		c[best] = add64(c[best], t[i].cum);
		cd[best] = add64(cd[best], t[i].cum_div);
		count[best]++;
	}
	for (size_t k = 0; k < ng; k++) {
		struct tag_group *g = &out[k];
		char lo[64], hi[64];

		memset(g, 0, sizeof(*g));
		g->t.flat = tag_value(f[k], fd[k]);
		g->t.cum = tag_value(c[k], cd[k]);
		if (n <= MAX_NODELETS) {
			/* nothing collapsed: the tags keep their names */
			snprintf(g->label, sizeof(g->label), "%s", dt->shown[t[k].num]);
			continue;
		}
		units_label(lo, sizeof(lo), dt->value[t[members[k][0]].num], dt->num_unit, "auto");
		if (count[k] == 1) {
			snprintf(g->label, sizeof(g->label), "%s", lo);
			continue;
		}
		units_label(hi, sizeof(hi), dt->value[t[members[k][1]].num], dt->num_unit, "auto");
		snprintf(g->label, sizeof(g->label), "%s..%s", lo, hi);
	}
	sort_tags_flat = flat;
	qsort(out, ng, sizeof(*out), group_cmp);
	return ng;
}

static void add_nodelet(struct report *r, struct buf *out, const char *id, const char *from,
			const char *label, int64_t w, bool dotted)
{
	char v[64];

	report_value(r, w, v, sizeof(v));
	buf_addf(out, "%s [label = \"%s\" id=\"%s\" fontsize=8 shape=box3d tooltip=\"%s\"]\n", id,
		 label, id, v);
	buf_addf(out, "%s -> %s [label=\" %s\" weight=100 tooltip=\"%s\" labeltooltip=\"%s\"%s]\n",
		 from, id, v, v, v, dotted ? " style=\"dotted\"" : "");
}

static bool numeric_nodelets(struct report *r, const struct dot_tags *dt, struct cp_tag *t,
			     size_t n, bool flat, const char *from, struct buf *out)
{
	struct tag_group groups[MAX_NODELETS];
	size_t ng = collapse_tags(dt, t, n, flat, groups);
	bool any = false;

	for (size_t j = 0; j < ng; j++) {
		int64_t w = groups[j].t.cum;
		bool dotted = true;
		char id[64];

		if (flat || groups[j].t.flat == groups[j].t.cum) {
			w = groups[j].t.flat;
			dotted = false;
		}
		if (w == 0)
			continue;
		snprintf(id, sizeof(id), "N%s_%zu", from, j);
		add_nodelet(r, out, id, from, groups[j].label, w, dotted);
		any = true;
	}
	return any;
}

static int tag_node_cmp(const void *a, const void *b)
{
	const struct cp_tag *x = a, *y = b;

	if (x->node != y->node)
		return x->node < y->node ? -1 : 1;
	if (x->label != y->label)
		return x->label < y->label ? -1 : 1;
	return x->num < y->num ? -1 : x->num > y->num;
}

/*
 * The nodelets of node id (its tags t[0 .. n), sorted by label then num):
 * the top label tags, each with its numeric tags, then the numeric tags of
 * unlabelled samples.  Leaves show cum weights, other nodes flat.
 */
static bool add_nodelets(struct report *r, const struct dot_tags *dt, struct cp_tag *t, size_t n,
			 size_t num, bool flat, struct buf *out)
{
	struct cp_tag *labels = xmalloc(st_mult(n + 1, sizeof(*labels)));
	struct cp_tag *nums = xmalloc(st_mult(n + 1, sizeof(*nums)));
	size_t nl = 0, nn;
	bool any = false;
	char from[64];

	for (size_t i = 0; i < n; i++)
		if (t[i].num == 0)
			labels[nl++] = t[i];
	sort_tags(dt, labels, nl, flat);
	for (size_t i = 0; i < nl && i < MAX_NODELETS; i++) {
		int64_t w = flat ? tag_value(labels[i].flat, labels[i].flat_div) :
				   tag_value(labels[i].cum, labels[i].cum_div);
		char id[64];

		if (w == 0)
			continue;
		snprintf(id, sizeof(id), "N%zu_%zu", num, i);
		snprintf(from, sizeof(from), "N%zu", num);
		add_nodelet(r, out, id, from, dt->shown[labels[i].label], w, false);
		any = true;
		nn = 0;
		for (size_t k = 0; k < n; k++)
			if (t[k].num && t[k].label == labels[i].label)
				nums[nn++] = t[k];
		if (nn)
			numeric_nodelets(r, dt, nums, nn, flat, id, out);
	}
	nn = 0;
	for (size_t k = 0; k < n; k++)
		if (t[k].num && !t[k].label)
			nums[nn++] = t[k];
	snprintf(from, sizeof(from), "N%zu", num);
	if (nn && numeric_nodelets(r, dt, nums, nn, flat, from, out))
		any = true;
	free(labels);
	free(nums);
	return any;
}

/* Go's int64 / (pprof's arithmetic): MinInt64 / -1 = MinInt64. */
static int64_t go_div(int64_t a, int64_t b)
{
	return b == -1 ? (int64_t)(0 - (uint64_t)a) : a / b;
}

static void add_edge(struct report *r, struct cp_graph *g, const struct cp_edge *e, uint32_t from,
		     uint32_t to, bool minlen, struct buf *out)
{
	int64_t w = e->weight_div ? go_div(e->weight, e->weight_div) : e->weight;
	char v[64], color[16];

	report_value(r, w, v, sizeof(v));
	buf_addf(out, "N%u -> N%u [label=\" %s%s\"", from, to, v,
		 e->is_inline ? "\\n (inline)" : "");
	if (r->total != 0) {
		int64_t weight = abs64(go_div(mul64(w, 100), r->total));
		int64_t width = abs64(go_div(mul64(w, 5), r->total));

		weight = 1 + (weight < 100 ? weight : 100);
		width = 1 + (width < 5 ? width : 5);
		if (weight > 1)
			buf_addf(out, " weight=%" PRId64, weight);
		if (width > 1)
			buf_addf(out, " penwidth=%" PRId64, width);
		dot_color((double)w / (double)abs64(r->total), false, color, sizeof(color));
		buf_addf(out, " color=\"%s\"", color);
	}
	for (int k = 0; k < 2; k++) {
		buf_adds(out, k ? " labeltooltip=\"" : " tooltip=\"");
		add_escaped_str(out, graph_name(g, e->src));
		buf_adds(out, e->residual ? " ... " : " -> ");
		add_escaped_str(out, graph_name(g, e->dst));
		buf_addf(out, " (%s)\"", v);
	}
	if (e->residual)
		buf_adds(out, " style=\"dotted\"");
	if (minlen)
		buf_adds(out, " minlen=2");
	buf_adds(out, "]\n");
}

static void add_legend(struct report *r, const struct cp_graph *g, const struct cp_trim_result *tr,
		       const char *title, size_t capped, struct buf *out)
{
	const struct cp_profile *p = r->p;
	struct buf lab = BUF_INIT;
	const char *nl;

	buf_init(&lab);
	report_labels(r, g, tr, true, &lab);
	if (capped)
		buf_addf(&lab, "Dropped %zu lightest edges to bound the layout\n", capped);
	buf_adds(&lab, "\nSee https://git.io/JfYMW for how to read the graph\n");
	/* the box is named by the first header, which may be a multi-line comment */
	nl = strchr(lab.buf, '\n');
	if (!(p->nmappings && (*profile_str(p, p->mappings[0].file) || p->mappings[0].build_id))) {
		for (size_t i = 0; i < p->ncomments; i++) {
			const char *c = profile_str(p, p->comments[i]);

			if (c[0] != '#') {
				if (!strncmp(lab.buf, c, strlen(c)))
					nl = lab.buf + strlen(c);
				break;
			}
		}
	}
	buf_adds(out, "subgraph cluster_L { \"");
	add_escaped(out, lab.buf, (size_t)(nl - lab.buf));
	buf_adds(out, "\" [shape=box fontsize=16 label=\"");
	add_escaped(out, lab.buf, lab.len);
	buf_adds(out, "\"");
	if (title) {
		buf_adds(out, " tooltip=\"");
		add_escaped_str(out, title);
		buf_adds(out, "\"");
	}
	buf_adds(out, "] }\n");
	buf_release(&lab);
}

int report_dot(struct report *r, struct buf *out, struct cp_err *err)
{
	return report_dot_layout(r, 0, out, err);
}

int report_dot_layout(struct report *r, size_t edges_per_node, struct buf *out, struct cp_err *err)
{
	const struct cp_profile *p = r->p;
	struct cp_universe *u;
	struct dot_tags dt;
	struct cp_graph_opts go = {
		.sample_index = r->sample_index,
		.mean = r->o.mean,
		.drop_negative = r->o.drop_negative,
	};
	struct cp_trim_opts to = {
		.nodecount = r->o.nodecount,
		.nodefraction = r->o.nodefraction,
		.edgefraction = r->o.edgefraction,
		.cum_sort = !strcmp(r->o.sort, "cum"),
		.visual = true,
		.call_tree = r->o.call_tree,
	};
	struct cp_trim_result tr;
	struct cp_graph *g;
	struct cp_adjacency adj;
	uint32_t *index, *edges;
	unsigned char *has_nodelets;
	char *title = NULL;
	double max_flat = 0;
	size_t nedges = 0, capped = 0;

	(void)err;
	/*
	 * Call trees are built sample by sample; nodelets come from the
	 * samples' labels, while the graph itself can still walk the index.
	 */
	if (r->o.call_tree)
		view_materialize(&r->view);
	else if (p->nlabels)
		view_fill_samples(&r->view);
	u = report_universe(r, false);
	dot_tags_init(&dt, r);
	/* a lazy view over a profile without labels has no tags to collect */
	go.tags = r->view.ix && !r->view.lazy_filled ? NULL : &dt.src;
	g = graph_trimmed(u, &go, &to, &tr);
	report_select_unit(r, g);
	if (p->nmappings && *profile_str(p, p->mappings[0].file)) {
		const char *f = profile_str(p, p->mappings[0].file);
		size_t bl;
		const char *base = path_base(f, strlen(f), &bl);

		title = xstrndup(base, bl);
	}
	buf_adds(out, "digraph \"");
	add_escaped_str(out, title ? title : "unnamed");
	buf_adds(out, "\" {\nnode [style=filled fillcolor=\"#f8f8f8\"]\n");

	graph_adjacency(g, &adj);
	index = xcalloc(g->nids + 1, sizeof(*index));
	has_nodelets = xcalloc(g->nids + 1, 1);
	if (g->nnodes)
		max_flat = (double)abs64(graph_flat_value(g, g->nodes[0]));
	for (size_t i = 0; i < g->nnodes; i++) {
		index[g->nodes[i]] = (uint32_t)i + 1;
		if ((double)abs64(graph_flat_value(g, g->nodes[i])) > max_flat)
			max_flat = (double)abs64(graph_flat_value(g, g->nodes[i]));
	}
	edges = xmalloc(st_mult(g->nedges + 1, sizeof(*edges)));
	for (size_t e = 0; e < g->nedges; e++)
		if (!g->edges[e].dropped && index[g->edges[e].src])
			edges[nedges++] = (uint32_t)e;
	graph_sort_edges(g, edges, nedges);
	/* the heaviest first: a layout engine gets as many as it can lay out */
	if (edges_per_node && nedges > edges_per_node * g->nnodes) {
		capped = nedges - edges_per_node * g->nnodes;
		nedges = edges_per_node * g->nnodes;
	}
	add_legend(r, g, &tr, title, capped, out);
	/* group the surviving tags by node */
	{
		size_t k = 0;

		for (size_t i = 0; i < g->ntags; i++)
			if (!g->tags[i].dropped)
				g->tags[k++] = g->tags[i];
		g->ntags = k;
		if (k)
			qsort(g->tags, k, sizeof(*g->tags), tag_node_cmp);
	}
	for (size_t i = 0; i < g->nnodes; i++) {
		uint32_t id = g->nodes[i];
		size_t t1;

		size_t lo = 0, hi = g->ntags;

		add_node(r, g, id, i + 1, max_flat, out);
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (g->tags[mid].node < id)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (t1 = lo; t1 < g->ntags && g->tags[t1].node == id; t1++)
			;
		if (t1 > lo)
			has_nodelets[id] = add_nodelets(r, &dt, g->tags + lo, t1 - lo, i + 1,
							adj.out_n[id] > 0, out);
	}
	for (size_t i = 0; i < nedges; i++) {
		const struct cp_edge *e = &g->edges[edges[i]];

		add_edge(r, g, e, index[e->src], index[e->dst], has_nodelets[e->src], out);
	}
	buf_adds(out, "}\n");
	free(edges);
	free(index);
	free(has_nodelets);
	free(title);
	graph_adjacency_release(&adj);
	graph_free(g);
	universe_free(u);
	dot_tags_release(&dt);
	return 0;
}
