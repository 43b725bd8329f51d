/*
 * tui.h - the full-screen views over a shell session.
 *
 * tui_run takes over the terminal until the last view is closed, then
 * gives it back.  Every change goes through the shell (sh): settings it
 * makes persist there, and a ':' prompt takes any shell line.
 */
#ifndef CPROF_TUI_TUI_H
#define CPROF_TUI_TUI_H

#include "tui/shell.h"

/* Returns 0, or -1 when there is no terminal to use. */
int tui_run(struct shell *sh);

#endif
