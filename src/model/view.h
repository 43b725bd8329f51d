/*
 * view.h - a filtered look at a profile.
 *
 * The profile stays immutable; a view records which samples survive, what
 * each one's stack is, and which lines each location still has.  Filters
 * (pprof's drop_frames, focus/ignore/hide/show, show_from) only ever shrink
 * a view.  Views own their arrays; view_release frees them.
 */
#ifndef CPROF_VIEW_H
#define CPROF_VIEW_H

#include "model/compat.h"
#include "model/profile.h"
#include "model/regex.h"

struct cp_vloc {
	uint32_t line_off, nlines; /* into view->lines (indices into p->lines) */
};

struct cp_vsample {
	uint32_t sample;	   /* index into p->samples */
	uint32_t stack_off, depth; /* into view->stack */
};

struct cp_view {
	const struct cp_profile *p;
	struct cp_vloc *locs; /* one per profile location */
	uint32_t *lines;
	size_t nlines, alines;
	struct cp_vsample *samples;
	size_t nsamples;
	const uint32_t *stack; /* borrowed from p or own_stack */
	uint32_t *own_stack;
	size_t nown, aown;
	/*
	 * A lazy view (view_init_lazy) defers the per-sample half of
	 * view_filter_names and view_show_from: they only mark locations in
	 * lst (VIEW_L_* bits) and change lines, 'samples' keeps listing every
	 * sample, and view_materialize applies the marks.  Until then only
	 * view_lazy_marks and what is built on it (graph_build, report totals)
	 * may look at the samples.
	 */
	const struct cp_sindex *ix; /* non-NULL while lazy */
	unsigned char *lst;	    /* per location, while lazy */
	bool lazy_names, lazy_ignore, lazy_hidden, lazy_show_from;
	bool lazy_filled;	  /* view_fill_samples ran: samples are filtered too */
	struct view_marks *marks; /* view_lazy_marks' answer, kept while lazy */
};

enum {
	VIEW_L_FOCUS = 1,  /* focus matched (or no focus and not ignored) */
	VIEW_L_IGNORE = 2, /* ignore matched */
	VIEW_L_HIDDEN = 4, /* every line hidden: not a frame any more */
	VIEW_L_SHOWFROM = 8,
};

void view_init(struct cp_view *v, const struct cp_profile *p);
/* A lazy view over p, which must have an index (p->index). */
void view_init_lazy(struct cp_view *v, const struct cp_profile *p);
void view_release(struct cp_view *v);
/* Apply what a lazy view deferred: afterwards it is an ordinary view. */
void view_materialize(struct cp_view *v);
/*
 * Apply it to the samples but stay lazy: graph_build still walks the
 * index, and what needs the samples (tags) finds them filtered.  No filter
 * may be added afterwards.
 */
void view_fill_samples(struct cp_view *v);

enum {
	VIEW_MARK_ACCEPT = 1, /* samples ending at the index node are in the view */
	VIEW_MARK_FRAME = 2,  /* the node's location is a frame of their stacks */
};
/*
 * The profile sample indices in view v (caller frees), *n of them: in view
 * order, or for a lazy view grouped by index node.
 */
uint32_t *view_sample_ids(const struct cp_view *v, size_t *n);

/*
 * Per node of v->ix, VIEW_MARK_* bits.  Lazy views only; computed once,
 * owned by the view (a filter applied afterwards recomputes them).
 */
const unsigned char *view_lazy_marks(const struct cp_view *v);

/* Apply the profile's drop_frames/keep_frames (pprof's RemoveUninteresting). */
int view_remove_uninteresting(struct cp_view *v, struct cp_err *err);

struct cp_name_filter {
	const struct cp_regex *focus, *ignore, *hide, *show;
	/* out: whether each expression matched anything */
	bool focus_matched, ignore_matched, hide_matched, show_matched;
};

/* focus/ignore drop samples, hide/show drop frames (pprof's FilterSamplesByName). */
void view_filter_names(struct cp_view *v, struct cp_name_filter *f);

/* Cut stacks above the highest frame matching re; drop samples with none. */
bool view_show_from(struct cp_view *v, const struct cp_regex *re);

/*
 * pprof's prune_from: in each location keep lines from the first (innermost)
 * one whose simplified function name matches; in each sample drop the frames
 * below the leaf-most such location.
 */
void view_prune_from(struct cp_view *v, const struct cp_regex *re);

#endif
