/*
 * screen.h - the terminal screen for the full-screen views.
 *
 * The one file that includes <curses.h> is screen.c; the views draw
 * through this small interface.  screen_open takes over the terminal;
 * screen_close gives it back, and so do exit, SIGINT, SIGTERM and the
 * crash signals (the handler restores the terminal, then lets the signal
 * take its course).
 */
#ifndef CPROF_TUI_SCREEN_H
#define CPROF_TUI_SCREEN_H

#include "model/compat.h"
#include "model/buf.h"
#include "model/err.h"
#include "tui/lineedit.h"

enum screen_attr {
	SCREEN_NORMAL,
	SCREEN_HEADER, /* column titles */
	SCREEN_SELECT, /* the selected row */
	SCREEN_STATUS, /* the status line */
	SCREEN_MATCH,  /* a search match */
	SCREEN_FRAME1, /* flame graph frames, alternating by depth */
	SCREEN_FRAME2,
	SCREEN_HEAT1, /* source lines: a little, some, most of the listing's time */
	SCREEN_HEAT2,
	SCREEN_HEAT3,
};

/* Keys other than plain bytes. */
enum screen_key {
	SCREEN_KEY_UP = 0x110000,
	SCREEN_KEY_DOWN,
	SCREEN_KEY_LEFT,
	SCREEN_KEY_RIGHT,
	SCREEN_KEY_PGUP,
	SCREEN_KEY_PGDN,
	SCREEN_KEY_HOME,
	SCREEN_KEY_END,
	SCREEN_KEY_ENTER,
	SCREEN_KEY_ESC,
	SCREEN_KEY_BACKSPACE,
	SCREEN_KEY_RESIZE,
	SCREEN_KEY_EOF,
};

/* Returns 0, or -1 when the terminal cannot be used (message in err). */
int screen_open(struct cp_err *err);
void screen_close(void);

void screen_size(int *rows, int *cols);
void screen_erase(void);
/* Text at (row, col), cut at the right edge; 'len' bytes of 's'. */
void screen_put(int row, int col, const char *s, size_t len, enum screen_attr a);
/* Fill the rest of the row from col with spaces in attribute a. */
void screen_fill(int row, int col, enum screen_attr a);
void screen_refresh(void);
/* Redraw everything on the next refresh (after something else wrote to the terminal). */
void screen_invalidate(void);
int screen_key(void);

/*
 * Read a line on the bottom row after 'prompt'; Tab completes through
 * 'complete' (may be NULL), listing the candidates above the prompt.
 * Returns 0, or -1 if cancelled (Esc).
 */
int screen_prompt(const char *prompt, struct buf *line, lineedit_complete_fn complete, void *ctx);

#endif
