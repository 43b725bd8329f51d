/*
 * dispatch.h - the one command table, shared by every front end.
 *
 * To add a report: write 'int report_NAME(struct report *, struct buf *,
 * struct cp_err *)', declare it in report.h, and give it a row in
 * commands.def.  The command line, help and the README reference pick it
 * up from there.
 */
#ifndef CPROF_DISPATCH_H
#define CPROF_DISPATCH_H

#include "model/compat.h"
#include "model/buf.h"
#include "model/profile.h"
#include "report/options.h"

struct report;

enum {
	CMDF_TEXT = 1 << 0,  /* output is text (fine on a terminal) */
	CMDF_REGEX = 1 << 1, /* takes a regexp argument */
	/* not for a terminal: written to ./profileNNN.<ext> when stdout is one */
	CMDF_AWAY_FROM_TTY = 1 << 2,
	/* an SVG for a web browser: written to a temporary file and opened */
	CMDF_BROWSER = 1 << 3,
	/*
	 * text for another program (DOT, folded stacks, callgrind): names keep
	 * their exact bytes, made terminal-safe only when shown on a terminal;
	 * other text reports are always terminal-safe (model/termsafe.h)
	 */
	CMDF_DATA = 1 << 4,
	/*
	 * needs only graph_build and the total: runs on a lazy view when the
	 * profile has a stack index (model/sindex.h)
	 */
	CMDF_LAZY = 1 << 5,
};

typedef int (*report_fn)(struct report *r, struct buf *out, struct cp_err *err);

struct cp_command {
	const char *name;
	report_fn run; /* NULL: reserved, not available yet */
	unsigned flags;
	const char *args;
	const char *help;
};

extern const struct cp_command commands[];
extern const size_t ncommands;

const struct cp_command *command_find(const char *name);

/*
 * Run one report over profile p with options o.  'arg' is the regexp of
 * commands that take one (NULL otherwise).  Report text goes to out,
 * warnings to warn (one per line).  Returns 0, or -1 with err set.
 */
int dispatch_run(const struct cp_profile *p, const struct cp_options *o,
		 const struct cp_command *cmd, const char *arg, struct buf *out, struct buf *warn,
		 struct cp_err *err);

/* Reference text generated from the tables (README, -help). */
void help_commands(struct buf *out, const char *indent);
void help_options(struct buf *out, const char *indent);

#endif
