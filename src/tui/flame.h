/*
 * flame.h - the terminal flame graph (an icicle: the root on top), the
 * call tree and the sandwich halves, all drawn from one frame tree.
 *
 * flame_new copies what it needs out of a stack trie (model/stacks.h), so
 * building one is a pass over the trie, not over the samples.  Frames of
 * one parent are ordered by name, as in flamegraph.pl (the call tree orders
 * them by value); children are sorted the first time they are shown.  Frame
 * edges are drawn at 1/8 of a cell with the Unicode left-block glyphs when
 * the terminal takes UTF-8, at whole cells otherwise.
 *
 * A flame borrows the universe 'u' for frame names: it must outlive the
 * flame.  The flame owns everything else it holds.
 */
#ifndef CPROF_TUI_FLAME_H
#define CPROF_TUI_FLAME_H

#include "model/compat.h"
#include "model/buf.h"
#include "model/graph.h"
#include "model/stacks.h"

struct flame;

struct flame *flame_new(struct cp_universe *u, const struct cp_stacks *s);

/*
 * The sandwich halves for universe node 'frame': every stack through it,
 * merged from the frame up to the roots (callers) or from the frame down to
 * the leaves (callees); the root of either is the frame itself.  Recursive
 * stacks count once, from the frame's outermost call.  NULL when the frame
 * is not in any stack.
 */
struct flame *flame_callers(struct cp_universe *u, const struct cp_stacks *s, uint32_t frame);
struct flame *flame_callees(struct cp_universe *u, const struct cp_stacks *s, uint32_t frame);
void flame_free(struct flame *f);

/*
 * Draw into rows [row0, row0 + rows) of the screen, root on top, or at the
 * bottom when 'up' (the callers half of a sandwich); the status text goes
 * to 'status'.  'total' is what percentages are "of all" (0: the root).
 */
void flame_draw(struct flame *f, int row0, int rows, bool up, const char *search, int64_t total,
		struct buf *status);

/*
 * Arrows move (Up: caller, Down: callee, Left/Right: siblings; swapped
 * vertically when drawn 'up'), Enter zooms into the selection, Esc or
 * Backspace zooms out.  Returns false for a key it does not use (Esc when
 * not zoomed included).
 */
bool flame_key(struct flame *f, int key, bool up);

/*
 * The same frames as an expandable call tree, children by value, widest
 * first: Up/Down move, Right or Enter expands (or steps into the first
 * child), Left collapses (or steps out to the caller).
 */
void flame_tree_draw(struct flame *f, int rows, struct buf *status);
bool flame_tree_key(struct flame *f, int key, int rows);

/* Select the next frame (in drawing order) whose name contains s; false if none. */
bool flame_find(struct flame *f, const char *s, int dir);

/* The universe node of the selected frame (tree: 'tree'), CP_NONE for the root. */
uint32_t flame_selected(const struct flame *f, bool tree);
/* The root's value. */
int64_t flame_total(const struct flame *f);

#endif
