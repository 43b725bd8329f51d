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

/*
 * Colours for drawings (flame graphs, heat gutters): a ramp from cool
 * (SCREEN_C_RAMP0) to hot, plus marks.  screen.c maps them to the 256-colour
 * palette, to the 8/16 basic colours, or (no colours) to attributes, by
 * what the terminal has (COLORS, has_colors()).
 */
enum screen_color {
	SCREEN_C_NONE = -1, /* the terminal's default background */
	SCREEN_C_RAMP0 = 0,
	SCREEN_C_RAMP = 8, /* ramp steps: SCREEN_C_RAMP0 .. SCREEN_C_RAMP - 1 */
	SCREEN_C_SELECT = SCREEN_C_RAMP,
	SCREEN_C_MATCH,
	SCREEN_C_OTHER, /* frames too thin to draw, summed */
	SCREEN_C_COUNT,
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
/*
 * 'len' bytes of text (or one glyph) in colour fg on bg (enum screen_color);
 * text is cut at the right edge.  Without colours, marks and frames are
 * told apart by attributes.
 */
void screen_put_color(int row, int col, const char *s, size_t len, int fg, int bg);
/* 256, 8 or 16 (basic colours) or 0 (none); CPROF_COLORS=0|8|256 caps it. */
int screen_colors(void);
/* Whether the terminal takes UTF-8 (the block glyphs); else ASCII only. */
bool screen_utf8(void);
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
