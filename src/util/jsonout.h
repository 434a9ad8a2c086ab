/*
 * jsonout.h - JSON text for answers: from jansson values, or written
 * token by token.
 *
 * The text is what json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(10))
 * gives, keys in insertion order, except that <, > and & are written as
 * \u003c, \u003e and \u0026: a body can never be read as markup, even by a
 * client that sniffs. One pass into one buffer: jansson's own dump was a
 * third of the cost of reading a record over HTTP, and a record read
 * straight from its row into text skips the jansson tree altogether.
 */
#ifndef HW_JSONOUT_H
#define HW_JSONOUT_H

#include <jansson.h>
#include <stddef.h>

#define JW_DEPTH 32

/* JSON text being written. Start from JW_INIT; a value written where the
 * grammar wants none is the caller's bug (nothing checks it). */
typedef struct jw {
    char          *p;               /* the text so far */
    size_t         len;             /* bytes in use */
    size_t         cap;             /* bytes allocated */
    int            failed;          /* out of memory, or nested deeper than JW_DEPTH */
    int            depth;           /* open objects and arrays */
    int            keyed;           /* a key was written; its value comes next */
    int            exact;           /* reals with 17 digits (round trip), not 10 */
    unsigned char  empty[JW_DEPTH]; /* per open container: nothing in it yet */
} jw_t;

#define JW_INIT {0}

/* Open an object ('{') or an array ('['); close it with the other bracket. */
void jw_open(jw_t *w, char bracket);
void jw_close(jw_t *w, char bracket);
/* The name of the next member of the open object. */
void jw_key(jw_t *w, const char *key);
/* The same for a name of our own that needs no escape (letters, digits and
 * '_', as the record descriptors' field names): copied as it is. */
void jw_name(jw_t *w, const char *name);
/* Values. */
void jw_string(jw_t *w, const char *s, size_t n);
void jw_integer(jw_t *w, json_int_t v);
void jw_bool(jw_t *w, int v);
void jw_null(jw_t *w);
/* A jansson value (NULL writes null). */
void jw_value(jw_t *w, const json_t *j);
/* A value given as valid JSON text (e.g. an array kept as text), copied
 * with <, > and & escaped. */
void jw_raw(jw_t *w, const char *json, size_t n);
/* Hand over the text (malloc'd, NUL-terminated; *len its length when len
 * is given) and reset w; NULL when writing failed. */
char *jw_take(jw_t *w, size_t *len);
/* Free what w holds (after a failure, or to give up). */
void jw_free(jw_t *w);

/* The text of j (malloc'd, NUL-terminated; *len its length when len is
 * given), or NULL when out of memory or j is NULL. */
char *json_out(const json_t *j, size_t *len);
/* The same with reals written to 17 digits, so that they read back exactly
 * (as json_dumps without a precision): for text that is stored. */
char *json_out_exact(const json_t *j, size_t *len);

#endif
