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

/* Select the next frame (in drawing order) whose name contains s; false if none. */
bool flame_find(struct flame *f, const char *s, int dir);

#endif
