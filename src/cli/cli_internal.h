/*
 * cli_internal.h - helpers and subcommands shared by the cli/ files.
 */
#ifndef HW_CLI_INTERNAL_H
#define HW_CLI_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>

#include "domain/domain.h"

const char *cli_default_db(void);
/* Print "homeward CMD: message" on stderr; returns 1. */
int cli_fail(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print a usage error on stderr; returns 2. */
int cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Open the database into a system context; 0 or an exit code. */
int cli_open(const char *cmd, const char *path, int create, dom_ctx_t *c);
int cli_open_current(const char *cmd, const char *path, dom_ctx_t *c);
void cli_close(dom_ctx_t *c);
/* Load the sealing keys for the database at path; 0 or an exit code. */
int cli_load_key(const char *cmd, const char *path);
void cli_print_dom_error(const char *cmd, dom_err_t *err);
/* Read one line from stdin without its newline; 0 or 1. */
int cli_read_password(const char *cmd, char *out, size_t n);

int cmd_user(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_routes(int argc, char **argv);
int cmd_erase(int argc, char **argv);
int cmd_retention(int argc, char **argv);
int cmd_purge(int argc, char **argv);

#endif
