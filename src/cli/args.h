/*
 * args.h - pprof-style command line -> what to run.
 *
 * Flags follow Go's flag package: -x and --x alike, values as -x=v or
 * -x v, booleans as -x or -x=false; parsing stops at the first non-flag.
 * Besides pprof's "cprof -top cpu.prof" form, the shell's form works too:
 * "cprof top5 cpu.prof", "cprof top -cum cpu.prof", "cprof peek RE cpu.prof"
 * (trailing arguments naming a readable file, "-" or a URL are profiles).
 */
#ifndef CPROF_ARGS_H
#define CPROF_ARGS_H

#include "model/compat.h"
#include "model/err.h"
#include "report/dispatch.h"
#include "report/options.h"

struct cli_args {
	struct cp_options opt;
	const struct cp_command *cmd; /* NULL: none given */
	char *cmd_arg;		      /* regexp of peek/list/... */
	const char **profiles;
	size_t nprofiles;
	const char **bases; /* -base or -diff_base sources */
	size_t nbases;
	bool diff_base;
	char *add_comment;
	char *symbolize;
	char *http;	    /* -http's [host]:[port], or NULL */
	size_t max_input;   /* -max_input, 0 = the default */
	size_t max_memory;  /* -max_memory, 0 = the default */
	const char *binary; /* "cprof -top ./prog cpu.prof": the binary, or NULL */
	bool help, interactive, no_browser;
};

/* Returns 0, or -1 with a usage error in err. */
int args_parse(struct cli_args *a, int argc, char **argv, struct cp_err *err);
void args_release(struct cli_args *a);
void args_usage(struct buf *out);
/* The two usage lines, newline-terminated. */
extern const char args_synopsis[];

#endif
