/*
 * report.h - what every report shares: the prepared "rpt".
 *
 * report_prepare() turns a profile and options into pprof's report state:
 * command overrides applied, sample index resolved, drop_frames applied,
 * the total computed (before or after focus, per relative_percentages),
 * then focus/ignore/hide/show/show_from applied.  Warnings (such as
 * "Focus expression matched no samples") are appended to 'warn', one per
 * line, for the front end to show.  Renderers append to 'out'.
 */
#ifndef CPROF_REPORT_H
#define CPROF_REPORT_H

#include "model/compat.h"
#include "model/buf.h"
#include "model/graph.h"
#include "model/profile.h"
#include "model/view.h"
#include "report/labels.h"
#include "report/options.h"

struct cp_command;

struct report {
	const struct cp_profile *p;
	struct cp_profile *derived; /* owned copy when tagroot/tagleaf add frames */
	const struct cp_command *cmd;
	struct cp_options o; /* copy, with command overrides */
	const char *arg;     /* regexp argument of peek/list, or NULL */
	struct cp_view view;
	int sample_index;
	char *sample_type; /* "cpu", or "mean_cpu" */
	const char *sample_unit;
	const char *output_unit; /* after selection; points into o.unit or a unit table */
	int64_t total;
	double ratio; /* 1 / divide_by */
	enum cp_granularity granularity;
	struct buf *warn;
	struct label_units units;   /* numeric label units, inferred before filtering */
	unsigned char *hidden_keys; /* label keys removed by tagshow/taghide, or NULL */
};

/* On error r still needs report_release. */
/*
 * A copy of p with tagroot/tagleaf label frames added (tagroot.c); *rootm and
 * *leafm say whether any sample had the keys.
 */
struct cp_profile *report_label_frames(const struct cp_profile *p, const char *roots,
				       const char *leaves, const char *unit, bool *rootm,
				       bool *leafm);

int report_prepare(struct report *r, const struct cp_profile *p, const struct cp_options *o,
		   const struct cp_command *cmd, const char *arg, struct buf *warn,
		   struct cp_err *err);
void report_release(struct report *r);

/* Value in the report's output unit (divide_by applied). */
void report_value(const struct report *r, int64_t v, char *out, size_t size);
/* pprof's selectOutputUnit for unit=minimum, over the graph's nodes. */
void report_select_unit(struct report *r, const struct cp_graph *g);
/* The profile's header lines only (File, Build ID, comments, Type, Time, Duration). */
void report_profile_labels(struct report *r, struct buf *out);
/* Header lines (File, Type, Time, ...) and the "Showing ..." labels. */
void report_labels(struct report *r, const struct cp_graph *g, const struct cp_trim_result *tr,
		   bool full_headers, struct buf *out);

/* The node identities for this report's granularity (obj_names: keep binaries). */
struct cp_universe *report_universe(struct report *r, bool obj_names);
/* pprof's newTrimmedGraph with this report's options; edge_dst/src as in cp_graph_opts. */
struct cp_graph *report_graph(struct report *r, struct cp_universe *u,
			      const unsigned char *edge_dst, const unsigned char *edge_src,
			      struct cp_trim_result *tr);

/* Renderers: append the report to out. */
int report_top(struct report *r, struct buf *out, struct cp_err *err);
int report_tree(struct report *r, struct buf *out, struct cp_err *err);
int report_traces(struct report *r, struct buf *out, struct cp_err *err);
int report_comments(struct report *r, struct buf *out, struct cp_err *err);
int report_tags(struct report *r, struct buf *out, struct cp_err *err);
int report_raw(struct report *r, struct buf *out, struct cp_err *err);
int report_callgrind(struct report *r, struct buf *out, struct cp_err *err);
int report_proto(struct report *r, struct buf *out, struct cp_err *err);
int report_list(struct report *r, struct buf *out, struct cp_err *err);
int report_topproto(struct report *r, struct buf *out, struct cp_err *err);
int report_folded(struct report *r, struct buf *out, struct cp_err *err);
int report_dot(struct report *r, struct buf *out, struct cp_err *err);
/*
 * The DOT for a layout engine: at most edges_per_node edges per node drawn
 * (the heaviest, the others counted in the legend; 0 = all of them).
 */
int report_dot_layout(struct report *r, size_t edges_per_node, struct buf *out, struct cp_err *err);
/* The call graph drawn by graphviz (svg_graph.c). */
int report_svg(struct report *r, struct buf *out, struct cp_err *err);
int report_png(struct report *r, struct buf *out, struct cp_err *err);
int report_gif(struct report *r, struct buf *out, struct cp_err *err);
int report_pdf(struct report *r, struct buf *out, struct cp_err *err);
int report_ps(struct report *r, struct buf *out, struct cp_err *err);
int report_flame(struct report *r, struct buf *out, struct cp_err *err);

#endif
