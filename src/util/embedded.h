/*
 * embedded.h - files carried inside the binary (migrations, seed data, the
 * OpenAPI description), generated at build time by tools/embed.c.
 */
#ifndef HW_EMBEDDED_H
#define HW_EMBEDDED_H

#include <stddef.h>

typedef struct embedded_file {
    const char *name; /* e.g. "migrations/0001_init.sql" */
    const char *data; /* NUL-terminated contents */
    size_t      len;  /* bytes, without the NUL */
} embedded_file_t;

/* Terminated by an entry whose name is NULL; in the order the build gave. */
extern const embedded_file_t embedded_files[];

/* The file called name, or NULL. */
const embedded_file_t *embedded_find(const char *name);

#endif
