/*
 * buf.h - growable byte buffers, always NUL-terminated.
 *
 * A buf_t owns its memory. Appending may move the storage; callers keep
 * using the same buf_t. On allocation failure the buffer is marked failed
 * and further appends are ignored, so a caller can check once at the end.
 */
#ifndef HW_BUF_H
#define HW_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct buf {
    char  *p;      /* bytes, NUL-terminated when len > 0 or after any append */
    size_t len;    /* bytes in use, not counting the NUL */
    size_t cap;    /* bytes allocated */
    int    failed; /* set once an allocation failed */
} buf_t;

#define BUF_INIT {NULL, 0, 0, 0}

/* Make room for n more bytes, so that the next appends do not move it. */
void buf_reserve(buf_t *b, size_t n);
/* Append n bytes from s. */
void buf_add(buf_t *b, const char *s, size_t n);
/* Append a NUL-terminated string. */
void buf_puts(buf_t *b, const char *s);
/* Append one byte. */
void buf_putc(buf_t *b, char c);
/* Append formatted text (printf). Never use it to build SQL or HTML from
 * user text: the lint in `make check` looks for that. */
void buf_printf(buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Return the contents (never NULL: "" when empty). Still owned by b. */
const char *buf_str(const buf_t *b);
/* Hand the storage to the caller (who frees it) and reset b. */
char *buf_take(buf_t *b);
/* Free the storage and reset b. */
void buf_free(buf_t *b);

#endif
