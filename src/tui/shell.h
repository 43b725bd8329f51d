/*
 * shell.h - pprof's interactive shell over the one command dispatcher.
 *
 * The shell reads command lines ("top10", "focus=main", "list fib > f"),
 * keeps the settings typed at the prompt, and runs each report through
 * dispatch_run.  Where a report goes (stdout, a file, a browser) is the
 * caller's business: the shell hands every finished report to 'emit'.
 *
 * Line mode (stdin or stdout not a terminal) reads plain lines from stdin;
 * on a terminal the line editor adds history and tab completion.  Reports
 * go to stdout, everything else (greeting, help, messages) to stderr, as
 * in pprof.  The profile is borrowed for the whole session.
 */
#ifndef CPROF_TUI_SHELL_H
#define CPROF_TUI_SHELL_H

#include "model/compat.h"
#include "model/buf.h"
#include "model/profile.h"
#include "report/dispatch.h"
#include "report/options.h"

/*
 * Deliver a finished report: to 'output' when it is not empty, else to the
 * screen or wherever the command's flags say.  Returns 0, or non-zero
 * after printing its own message.
 */
typedef int (*shell_emit_fn)(void *ctx, const struct cp_command *cmd, const char *output,
			     const struct buf *report);

struct shell {
	const struct cp_profile *p;
	struct cp_options opt; /* the settings that persist between commands */
	shell_emit_fn emit;
	void *emit_ctx;
	char **funcs; /* sorted, distinct function names for completion */
	/* when set (the full-screen views), text reports and messages go here */
	struct buf *cap_out, *cap_err;
	size_t nfuncs;
};

/* 'o' holds the command-line settings; the shell keeps its own copy. */
void shell_init(struct shell *sh, const struct cp_profile *p, const struct cp_options *o,
		shell_emit_fn emit, void *ctx);
void shell_release(struct shell *sh);

/* The greeting: the profile's header lines and the help hint, on stderr. */
void shell_greet(struct shell *sh);

/* Run one input line.  Returns 1 when the line asks to leave, else 0. */
int shell_exec(struct shell *sh, const char *line);

/*
 * Completion candidates for the word ending at 'pos' in 'line'; *start is
 * set to where that word begins.  Candidates are appended to 'out' as
 * NUL-separated strings; the count is returned.
 */
size_t shell_complete(const struct shell *sh, const char *line, size_t pos, size_t *start,
		      struct buf *out);

/* The whole session: greet, read lines until quit or EOF.  Returns the exit status. */
int shell_run(const struct cp_profile *p, const struct cp_options *o, shell_emit_fn emit,
	      void *ctx);

#endif
