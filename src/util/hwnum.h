/*
 * hwnum.h - human-readable record numbers with a check digit.
 *
 * A number such as HW-4821-7 can be read over a bad phone line: the last
 * digit is a Damm check digit over the sequence digits, which catches every
 * single wrong digit and every swap of two adjacent digits.
 */
#ifndef HW_HWNUM_H
#define HW_HWNUM_H

#define HWNUM_MAX 32

/* Damm check digit (0..9) of a string of decimal digits. */
int hwnum_check_digit(const char *digits);
/* Format PREFIX-SEQ-C into out (HWNUM_MAX bytes); seq is at least 4 digits. */
void hwnum_format(const char *prefix, long long seq, char *out);
/* 1 when s is a well-formed number with the given prefix and a correct
 * check digit; *seq gets the sequence. Accepts lower case and missing dashes. */
int hwnum_parse(const char *prefix, const char *s, long long *seq);

#endif
