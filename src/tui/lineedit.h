/*
 * lineedit.h - a small line editor for the shell on a terminal.
 *
 * Written on termios rather than taken from GNU readline (GPL, which
 * would bind the whole binary) or libedit (one more package for a
 * few hundred lines).  It edits one line in raw mode and restores the
 * terminal before returning, so reports run in the terminal's normal
 * mode and Ctrl-C during a report behaves as usual.
 *
 * Keys: printable text; Left/Right, Home/End, Ctrl-A/E/B/F; Backspace,
 * Delete, Ctrl-D (EOF on an empty line); Ctrl-K/U/W; Up/Down, Ctrl-P/N
 * (history); Tab (completion: the common prefix, the list on a second
 * Tab); Ctrl-C (drop the line); Ctrl-L (clear the screen).
 *
 * History lives in memory (the newest LINEEDIT_HISTORY lines) and, when a
 * path is given, in that file: loaded by init, appended to by remember.
 */
#ifndef CPROF_TUI_LINEEDIT_H
#define CPROF_TUI_LINEEDIT_H

#include "model/compat.h"
#include "model/buf.h"

#define LINEEDIT_HISTORY 1000

/*
 * Candidates for the word ending at 'pos': NUL-separated into out, their
 * number returned, *start set to where the replaced word begins.
 */
typedef size_t (*lineedit_complete_fn)(void *ctx, const char *line, size_t pos, size_t *start,
				       struct buf *out);

struct lineedit {
	char **hist;
	size_t nhist;
	char *path; /* history file, or NULL */
	lineedit_complete_fn complete;
	void *ctx;
};

void lineedit_init(struct lineedit *le, const char *history_file, lineedit_complete_fn complete,
		   void *ctx);
void lineedit_release(struct lineedit *le);

/* Read one line (without its newline) into 'line'.  Returns 0, or -1 at EOF. */
int lineedit_read(struct lineedit *le, const char *prompt, struct buf *line);

/* Add a line to the history (and its file); empty lines and repeats are skipped. */
void lineedit_remember(struct lineedit *le, const char *line);

#endif
