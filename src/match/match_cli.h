/*
 * match_cli.h - `homeward match FILE.csv`: deduplicate any CSV of people
 * with the matching engine (implemented in src/cli/cmd_match.c).
 */
#ifndef HW_MATCH_CLI_H
#define HW_MATCH_CLI_H

/* Run the command; argv[0] is "match". Exit code: 0 done, 1 failure
 * (one line on stderr), 2 usage error. */
int cmd_match(int argc, char **argv);

#endif
