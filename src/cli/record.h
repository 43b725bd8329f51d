/*
 * record.h - the `cprof record` subcommand (src/cli/record.c).
 */
#ifndef CPROF_CLI_RECORD_H
#define CPROF_CLI_RECORD_H

/* argv[0] is "record"; returns the exit status for main. */
int record_main(int argc, char **argv);

#endif
