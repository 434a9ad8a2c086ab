/*
 * cli.h - the homeward command line: one subcommand per job.
 *
 * Exit codes: 0 success, 1 failure (the work could not be done: database,
 * I/O, a rule refused it), 2 usage error (bad command, option or value).
 * Errors are one line on stderr naming what is wrong.
 */
#ifndef HW_CLI_H
#define HW_CLI_H

#define EXIT_USAGE 2

/* Run the command line; returns the process exit code. */
int cli_main(int argc, char **argv);

#endif
