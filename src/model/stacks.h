/*
 * stacks.h - the stack trie: every sampled stack of a view, merged root
 * first into a prefix tree (the flame graph's and the call tree's shape).
 *
 * Frames are the nodes of a struct cp_universe, so granularity and
 * noinlines are whatever the universe was built with.  Node 0 is the root
 * (no frame); every other node is one frame under its parent, and a node's
 * index is always greater than its parent's.  A stacks object borrows its
 * universe (which must outlive it) and owns its arrays; stacks_free frees
 * them.
 *
 * Values are split by sign.  A view whose samples are all non-negative
 * gives a plain trie (pos only).  If any sample value is negative (a
 * profile with a base subtracted, as -diff_base and -base produce), the
 * trie is differential: pos holds what the new profile adds, neg the
 * magnitude of what the base removes, and cnt_pos/cnt_neg the events
 * behind each, for noise estimates.
 */
#ifndef CPROF_STACKS_H
#define CPROF_STACKS_H

#include "model/compat.h"
#include "model/graph.h"

enum stacks_flags {
	STACKS_INLINED = 1 << 0,     /* reached as an inlined frame */
	STACKS_NOT_INLINED = 1 << 1, /* reached as an outermost frame */
};

struct cp_stacks_opts {
	int sample_index;
	/* sample type that counts events (e.g. samples/count); -1: one per sample */
	int count_index;
	bool drop_negative; /* skip samples whose value is negative */
};

/* Self and total of one sign: total = self + the children's totals. */
struct cp_stacks_sum {
	int64_t self, total;
};

struct cp_stacks {
	struct cp_universe *u; /* borrowed */
	size_t n;	       /* nodes, root included */
	uint32_t *frame;       /* universe node id; CP_NONE for the root */
	uint32_t *parent;      /* CP_NONE for the root */
	uint32_t *depth;       /* root 0 */
	unsigned char *flags;  /* enum stacks_flags */
	struct cp_stacks_sum *pos;
	bool diff;
	/* only when diff, else NULL: */
	struct cp_stacks_sum *neg, *cnt_pos, *cnt_neg;
	/*
	 * The width a drawing gives each node: pos.total when not diff; when
	 * diff, max(pos.self, neg.self) plus the children's widths (the union
	 * of both profiles, so frames that vanished or appeared keep a size).
	 */
	int64_t *width;
	uint32_t max_depth;
	size_t samples; /* samples merged in */
};

struct cp_stacks *stacks_build(struct cp_universe *u, const struct cp_stacks_opts *o);
void stacks_free(struct cp_stacks *s);

/*
 * The children of each node worth drawing: those at least min_width wide,
 * widest first (ties by name).  The others are counted and summed per parent
 * into 'other' so that a drawing keeps every parent's total.  Children of
 * nodes narrower than min_width are not listed.
 */
struct cp_stacks_children {
	uint32_t *off;	    /* children of i: list[off[i] .. off[i + 1]) */
	uint32_t *list;	    /* node indices */
	uint32_t *other_n;  /* per node: how many children were folded */
	int64_t *other_w;   /* per node: their total width */
	uint32_t *other_fn; /* per node: frames (nodes) in the folded subtrees */
	size_t kept;	    /* nodes listed, root included */
};

void stacks_children(struct cp_stacks *s, int64_t min_width, struct cp_stacks_children *c);
void stacks_children_release(struct cp_stacks_children *c);

/*
 * The smallest min_width >= floor that keeps at most max_nodes nodes (the
 * root included), so the size of a drawing can be bounded.
 */
int64_t stacks_width_for_budget(const struct cp_stacks *s, int64_t floor, size_t max_nodes);

#endif
