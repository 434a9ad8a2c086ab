/*
 * text.h - Unicode text helpers built on ICU: validation, cleaning, script
 * detection and a simple search fold (any script to lower-case ASCII).
 *
 * The matching engine (match/) has its own, much finer normalisation for
 * person names; the fold here serves gazetteer look-ups and plain search.
 */
#ifndef HW_TEXT_H
#define HW_TEXT_H

#include <stddef.h>

#include "buf.h"

/* 1 when s[0..n) is well-formed UTF-8 without NUL or C0/C1 control
 * characters other than tab and newline (when allow_newline). */
int text_valid(const char *s, size_t n, int allow_newline);
/* Number of code points in a well-formed UTF-8 string. */
size_t text_length(const char *s);
/* Trim and collapse runs of white space to one space; NFC. Caller frees.
 * Returns NULL on allocation failure. */
char *text_clean(const char *s);
/* The dominant script of s: "armn", "cyrl", "latn", "mixed" or "zyyy"
 * (no letters). Static string. */
const char *text_script(const char *s);

/* A transliterator that folds text to lower-case ASCII for search; not
 * thread-safe, so each worker owns one. */
typedef struct text_folder text_folder_t;
text_folder_t *text_folder_new(void);
void text_folder_free(text_folder_t *f);
/* Append the fold of s to out: NFKC, any script to Latin, Latin to ASCII,
 * lower case, punctuation to spaces, spaces collapsed. Returns 0 or -1. */
int text_fold(text_folder_t *f, const char *s, buf_t *out);

#endif
