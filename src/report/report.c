#include "model/compat.h"
#include <time.h>
#include "model/alloc.h"
#include "model/path.h"
#include "model/regex.h"
#include "model/sindex.h"
#include "report/dispatch.h"
#include "report/report.h"
#include "report/tagfilter.h"
#include "report/units.h"

static const char *const gran_names[] = {
	[CP_GRAN_FUNCTIONS] = "functions", [CP_GRAN_FILEFUNCTIONS] = "filefunctions",
	[CP_GRAN_FILES] = "files",	   [CP_GRAN_LINES] = "lines",
	[CP_GRAN_ADDRESSES] = "addresses",
};

/* pprof's applyCommandOverrides. */
static void command_overrides(struct report *r)
{
	struct cp_options *o = &r->o;
	const char *name = r->cmd->name;
	bool trim = o->trim;

	if (!strcmp(name, "disasm") || !strcmp(name, "weblist")) {
		trim = false;
		option_set(o, option_find("granularity"), "addresses", NULL);
		o->noinlines = !strcmp(name, "disasm");
	} else if (!strcmp(name, "peek")) {
		trim = false;
	} else if (!strcmp(name, "list")) {
		trim = false;
		option_set(o, option_find("granularity"), "lines", NULL);
	} else if (!strcmp(name, "text") || !strcmp(name, "top") || !strcmp(name, "topproto")) {
		if (o->nodecount == -1)
			o->nodecount = 0;
	} else if (o->nodecount == -1) {
		o->nodecount = 80;
	}
	if (!strcmp(name, "proto") || !strcmp(name, "raw") || !strcmp(name, "callgrind")) {
		trim = false;
		option_set(o, option_find("granularity"), "addresses", NULL);
	}
	if (!trim) {
		o->nodecount = 0;
		o->nodefraction = 0;
		o->edgefraction = 0;
	}
}

static int compile(const char *what, const char *pattern, struct cp_regex **re, struct cp_err *err)
{
	*re = NULL;
	if (!pattern || !*pattern)
		return 0;
	*re = cp_regex_compile(pattern, err);
	if (!*re) {
		char prefix[64];

		snprintf(prefix, sizeof(prefix), "parsing %s regexp", what);
		cp_err_prefix(err, prefix);
		return -1;
	}
	return 0;
}

static void warn_no_match(struct buf *warn, bool matched, const char *what)
{
	if (!matched)
		buf_addf(warn, "%s expression matched no samples\n", what);
}

/* pprof's FilterTagsByName: hide label keys not matching show or matching hide. */
static void tag_names_filter(struct report *r, const struct cp_regex *show,
			     const struct cp_regex *hide, bool *sm, bool *hm)
{
	const struct cp_profile *p = r->p;

	*sm = *hm = false;
	r->hidden_keys = xcalloc(p->strs.n + 1, 1);
	for (size_t i = 0; i < r->view.nsamples; i++) {
		const struct cp_sample *s = &p->samples[r->view.samples[i].sample];

		for (uint32_t k = 0; k < s->nlabels; k++) {
			uint32_t key = p->labels[s->label_off + k].key;
			const char *ks = profile_str(p, key);
			size_t kl = strtab_len(&p->strs, key);
			bool ms = !show || cp_regex_match(show, ks, kl);
			bool mh = hide && cp_regex_match(hide, ks, kl);

			*sm |= ms;
			*hm |= mh;
			if (!ms || mh)
				r->hidden_keys[key] = 1;
		}
	}
}

/* pprof's FilterSamplesByTag. */
static void filter_tags(struct report *r, const struct tag_filter *focus,
			const struct tag_filter *ignore, bool *fm, bool *im)
{
	const struct cp_profile *p = r->p;
	size_t out = 0;

	*fm = *im = false;
	for (size_t i = 0; i < r->view.nsamples; i++) {
		const struct cp_sample *s = &p->samples[r->view.samples[i].sample];
		bool f = !focus || tag_filter_match(focus, p, s, &r->units, NULL);
		bool g = ignore && tag_filter_match(ignore, p, s, &r->units, NULL);

		*fm |= f;
		*im |= g;
		if (f && !g)
			r->view.samples[out++] = r->view.samples[i];
	}
	r->view.nsamples = out;
}

static int apply_focus(struct report *r, struct cp_err *err)
{
	struct cp_regex *focus = NULL, *ignore = NULL, *hide = NULL, *show = NULL;
	struct cp_regex *show_from = NULL, *tagshow = NULL, *taghide = NULL, *prune_from = NULL;
	struct tag_filter *tagfocus = NULL, *tagignore = NULL;
	struct cp_name_filter nf;
	int ret = -1;

	if (compile("focus", r->o.focus, &focus, err) ||
	    compile("ignore", r->o.ignore, &ignore, err) ||
	    compile("hide", r->o.hide, &hide, err) || compile("show", r->o.show, &show, err) ||
	    compile("show_from", r->o.show_from, &show_from, err))
		goto out;
	if (*r->o.tagfocus &&
	    !(tagfocus = tag_filter_compile("tagfocus", r->o.tagfocus, r->warn, err)))
		goto out;
	if (*r->o.tagignore &&
	    !(tagignore = tag_filter_compile("tagignore", r->o.tagignore, r->warn, err)))
		goto out;
	if (compile("prune_from", r->o.prune_from, &prune_from, err) ||
	    compile("tagshow", r->o.tagshow, &tagshow, err) ||
	    compile("taghide", r->o.taghide, &taghide, err))
		goto out;

	memset(&nf, 0, sizeof(nf));
	nf.focus = focus;
	nf.ignore = ignore;
	nf.hide = hide;
	nf.show = show;
	if (focus || ignore || hide || show)
		view_filter_names(&r->view, &nf);
	warn_no_match(r->warn, !focus || nf.focus_matched, "Focus");
	warn_no_match(r->warn, !ignore || nf.ignore_matched, "Ignore");
	warn_no_match(r->warn, !hide || nf.hide_matched, "Hide");
	warn_no_match(r->warn, !show || nf.show_matched, "Show");
	if (show_from)
		warn_no_match(r->warn, view_show_from(&r->view, show_from), "ShowFrom");
	if (tagfocus || tagignore || tagshow || taghide || prune_from)
		view_materialize(&r->view); /* these work sample by sample */
	if (tagfocus || tagignore) {
		bool fm, im;

		filter_tags(r, tagfocus, tagignore, &fm, &im);
		warn_no_match(r->warn, !tagfocus || fm, "TagFocus");
		warn_no_match(r->warn, !tagignore || im, "TagIgnore");
	}
	if (tagshow || taghide) {
		bool sm, hm;

		tag_names_filter(r, tagshow, taghide, &sm, &hm);
		warn_no_match(r->warn, !tagshow || sm, "TagShow");
		warn_no_match(r->warn, !taghide || hm, "TagHide");
	}
	if (prune_from)
		view_prune_from(&r->view, prune_from);
	ret = 0;
out:
	cp_regex_free(focus);
	cp_regex_free(ignore);
	cp_regex_free(hide);
	cp_regex_free(show);
	cp_regex_free(show_from);
	cp_regex_free(tagshow);
	cp_regex_free(taghide);
	cp_regex_free(prune_from);
	tag_filter_free(tagfocus);
	tag_filter_free(tagignore);
	return ret;
}

/* Does sample s carry pprof::base=true (a -diff_base sample)? */
static bool diff_base_sample(const struct cp_profile *p, const struct cp_sample *s, uint32_t key,
			     uint32_t val)
{
	for (uint32_t i = 0; i < s->nlabels; i++)
		if (p->labels[s->label_off + i].key == key &&
		    p->labels[s->label_off + i].str == val)
			return true;
	return false;
}

/* pprof's computeTotal over the current view (with -diff_base: the base's samples). */
static int64_t compute_total(const struct report *r)
{
	const struct cp_profile *p = r->p;
	int64_t total = 0, div = 0, diff_total = 0, diff_div = 0;
	uint32_t key = 0, val = 0;
	bool has_base = strtab_find(&p->strs, "pprof::base", 11, &key) &&
			strtab_find(&p->strs, "true", 4, &val);

	const struct cp_sindex *ix = r->view.ix;

	if (ix && !has_base) {
		/* a lazy view: the sums of the index nodes it accepts */
		const unsigned char *mark = view_lazy_marks(&r->view);

		for (size_t i = 0; i < ix->n; i++) {
			const size_t at = i * ix->nvt;

			if (!(mark[i] & VIEW_MARK_ACCEPT))
				continue;
			total = add64(total, ix->self_abs[at + r->sample_index]);
			div = add64(div, r->o.mean ? ix->self[at] : 0);
		}
	} else {
		size_t n;
		uint32_t *ids = view_sample_ids(&r->view, &n);

		for (size_t i = 0; i < n; i++) {
			const int64_t *v = profile_values(p, ids[i]);
			int64_t w = abs64(v[r->sample_index]), d = r->o.mean ? v[0] : 0;

			total = add64(total, w);
			div = add64(div, d);
			if (has_base && diff_base_sample(p, &p->samples[ids[i]], key, val)) {
				diff_total = add64(diff_total, w);
				diff_div = add64(diff_div, d);
			}
		}
		free(ids);
	}
	if (diff_total > 0) {
		total = diff_total;
		div = diff_div;
	}
	return div ? total / div : total;
}

int report_prepare(struct report *r, const struct cp_profile *p, const struct cp_options *o,
		   const struct cp_command *cmd, const char *arg, struct buf *warn,
		   struct cp_err *err)
{
	const char *type;
	size_t g;

	memset(r, 0, sizeof(*r));
	if (*o->tagroot || *o->tagleaf) {
		bool rootm, leafm;

		r->derived =
			report_label_frames(p, o->tagroot, o->tagleaf, o->unit, &rootm, &leafm);
		p = r->derived;
		warn_no_match(warn, !*o->tagroot || rootm, "TagRoot");
		warn_no_match(warn, !*o->tagleaf || leafm, "TagLeaf");
	}
	r->p = p;
	r->cmd = cmd;
	r->arg = arg;
	r->warn = warn;
	options_copy(&r->o, o);
	command_overrides(r);
	/*
	 * Reports that only need graph_build and the total can run on a lazy
	 * view when the profile has a stack index; drop_frames cuts stacks
	 * sample by sample, so it needs an ordinary view.
	 */
	if (p->index && (cmd->flags & CMDF_LAZY) && !(p->drop_frames && !r->o.all_frames))
		view_init_lazy(&r->view, p);
	else
		view_init(&r->view, p);
	for (g = 0; g < ARRAY_SIZE(gran_names); g++)
		if (!strcmp(gran_names[g], r->o.granularity))
			break;
	r->granularity = (enum cp_granularity)g;

	if (!r->o.all_frames && view_remove_uninteresting(&r->view, err))
		return -1;
	label_units_init(&r->units, p, warn);
	if (r->o.relative_percentages && apply_focus(r, err))
		return -1;
	r->sample_index = profile_sample_index(p, r->o.sample_index, err);
	if (r->sample_index < 0)
		return -1;
	type = profile_str(p, p->sample_types[r->sample_index].type);
	r->sample_type = xmalloc(strlen(type) + 6);
	snprintf(r->sample_type, strlen(type) + 6, "%s%s", r->o.mean ? "mean_" : "", type);
	r->sample_unit = profile_str(p, p->sample_types[r->sample_index].unit);
	if (r->o.divide_by == 0)
		return cp_errf(err, "zero divisor specified");
	r->ratio = 1 / r->o.divide_by;
	r->output_unit = r->o.unit;
	r->total = compute_total(r);
	if (!r->o.relative_percentages && apply_focus(r, err))
		return -1;
	return 0;
}

void report_release(struct report *r)
{
	options_release(&r->o);
	view_release(&r->view);
	free(r->sample_type);
	label_units_release(&r->units);
	free(r->hidden_keys);
	profile_free(r->derived);
}

void report_value(const struct report *r, int64_t v, char *out, size_t size)
{
	if (r->ratio > 0 && r->ratio != 1)
		v = f2i64((double)v * r->ratio);
	units_label(out, size, v, r->sample_unit, r->output_unit);
}

void report_select_unit(struct report *r, const struct cp_graph *g)
{
	int64_t minv = 0, maxv;
	const char *umin, *umax, *unit;

	if (strcmp(r->o.unit, "minimum") || g->nnodes == 0)
		return;
	for (size_t i = 0; i < g->nnodes; i++) {
		int64_t v = abs64(graph_flat_value(g, g->nodes[i]));

		if (v == 0)
			v = abs64(graph_cum_value(g, g->nodes[i]));
		if (v > 0 && (minv == 0 || v < minv))
			minv = v;
	}
	maxv = r->total;
	if (minv == 0)
		minv = maxv;
	if (r->ratio > 0 && r->ratio != 1) {
		minv = f2i64((double)minv * r->ratio);
		maxv = f2i64((double)maxv * r->ratio);
	}
	units_scale(minv, r->sample_unit, "minimum", &umin);
	units_scale(maxv, r->sample_unit, "minimum", &umax);
	unit = umin;
	if (strcmp(umin, umax) && minv * 100 < maxv && strcmp(r->cmd->name, "callgrind"))
		units_scale(100 * minv, r->sample_unit, "minimum", &unit);
	r->output_unit = *unit ? unit : r->sample_unit;
}

static void profile_labels(struct report *r, struct buf *out)
{
	const struct cp_profile *p = r->p;
	char v[64], pct[32];

	if (p->nmappings) {
		const char *f = profile_str(p, p->mappings[0].file);

		if (*f) {
			size_t bl;
			const char *base = path_base(f, strlen(f), &bl);

			buf_addf(out, "File: %.*s\n", (int)bl, base);
		}
		if (p->mappings[0].build_id)
			buf_addf(out, "Build ID: %s\n", profile_str(p, p->mappings[0].build_id));
	}
	for (size_t i = 0; i < p->ncomments; i++)
		if (profile_str(p, p->comments[i])[0] != '#')
			buf_addf(out, "%s\n", profile_str(p, p->comments[i]));
	buf_addf(out, "Type: %s\n", r->sample_type);
	if (p->doc_url)
		buf_addf(out, "Doc: %s\n", profile_str(p, p->doc_url));
	if (p->time_nanos) {
		time_t t = (time_t)(p->time_nanos / 1000000000);
		struct tm tm;
		char when[96];

		if (p->time_nanos < 0 && p->time_nanos % 1000000000)
			t--;
		localtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S %Z", &tm);
		buf_addf(out, "Time: %s\n", when);
	}
	if (p->duration_nanos) {
		const char *tu;
		double nanos = units_scale(r->total, r->sample_unit, "nanoseconds", &tu);

		units_label(v, sizeof(v), p->duration_nanos, "nanoseconds", "auto");
		buf_addf(out, "Duration: %s, Total samples = ", v);
		report_value(r, r->total, v, sizeof(v));
		buf_addf(out, "%s ", v);
		if (!strcmp(tu, "ns") && nanos != 0) {
			units_percent(pct, sizeof(pct), f2i64(nanos), p->duration_nanos);
			buf_addf(out, "(%s)", pct);
		}
		buf_addc(out, '\n');
	}
}

void report_profile_labels(struct report *r, struct buf *out)
{
	profile_labels(r, out);
}

void report_labels(struct report *r, const struct cp_graph *g, const struct cp_trim_result *tr,
		   bool full_headers, struct buf *out)
{
	static const char *const filter_names[] = { "focus",	 "ignore",    "hide",
						    "show",	 "show_from", "tagfocus",
						    "tagignore", "tagshow",   "taghide" };
	char a[64], b[64], pct[32];
	int64_t flat_sum = 0;
	bool any = false;

	if (full_headers || !r->o.compact_labels)
		profile_labels(r, out);
	for (size_t i = 0; i < g->nnodes; i++)
		flat_sum = add64(flat_sum, graph_flat_value(g, g->nodes[i]));
	for (size_t i = 0; i < ARRAY_SIZE(filter_names); i++) {
		const char *v = *(char *const *)((const char *)&r->o +
						 option_find(filter_names[i])->offset);
		size_t len;

		if (!*v)
			continue;
		if (!any)
			buf_adds(out, "Active filters:\n");
		any = true;
		len = strlen(filter_names[i]) + 1 + strlen(v);
		buf_addf(out, "   %s=", filter_names[i]);
		if (len > 80) {
			buf_add(out, v, 80 - strlen(filter_names[i]) - 1);
			buf_adds(out, "\xe2\x80\xa6\n");
		} else {
			buf_addf(out, "%s\n", v);
		}
	}
	report_value(r, flat_sum, a, sizeof(a));
	report_value(r, r->total, b, sizeof(b));
	units_percent_trim(pct, sizeof(pct), flat_sum, r->total);
	buf_addf(out, "Showing nodes accounting for %s, %s of %s total\n", a, pct, b);
	if (r->total == 0)
		return;
	if (tr->dropped_nodes > 0) {
		report_value(r, abs64((int64_t)((double)r->total * r->o.nodefraction)), a,
			     sizeof(a));
		buf_addf(out, "Dropped %d node%s (cum <= %s)\n", tr->dropped_nodes,
			 tr->dropped_nodes > 1 ? "s" : "", a);
	}
	if (tr->dropped_edges > 0) {
		report_value(r, abs64((int64_t)((double)r->total * r->o.edgefraction)), a,
			     sizeof(a));
		buf_addf(out, "Dropped %d edge%s (freq <= %s)\n", tr->dropped_edges,
			 tr->dropped_edges > 1 ? "s" : "", a);
	}
	if ((size_t)tr->orig_count > g->nnodes)
		buf_addf(out, "Showing top %zu nodes out of %d\n", g->nnodes, tr->orig_count);
}
