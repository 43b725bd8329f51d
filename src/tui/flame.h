/*
 * flame.h - the terminal flame graph (an icicle: the root on top).
 *
 * Built from the folded report ("a;b;c 12" lines, root first).  Frames of
 * one parent are ordered by name, as in flamegraph.pl; widths are
 * proportional to value over the zoomed frame, one cell at least to be
 * drawn.  The flame owns everything it holds.
 */
#ifndef CPROF_TUI_FLAME_H
#define CPROF_TUI_FLAME_H

#include "model/compat.h"
#include "model/buf.h"

struct flame;

struct flame *flame_new(const char *folded);
void flame_free(struct flame *f);

/* Draw into rows [0, rows) of the screen; the status text goes to 'status'. */
void flame_draw(struct flame *f, int rows, const char *search, struct buf *status);

/*
 * Arrows move (Up: caller, Down: callee, Left/Right: siblings), Enter
 * zooms into the selection, Esc or Backspace zooms out.  Returns false for
 * a key it does not use (Esc when not zoomed included).
 */
bool flame_key(struct flame *f, int key);

/*
 * The same frames as an expandable call tree, children by value, widest
 * first: Up/Down move, Right or Enter expands (or steps into the first
 * child), Left collapses (or steps out to the caller).
 */
void flame_tree_draw(struct flame *f, int rows, struct buf *status);
bool flame_tree_key(struct flame *f, int key, int rows);

/* Select the next frame (in drawing order) whose name contains s; false if none. */
bool flame_find(struct flame *f, const char *s, int dir);

#endif
