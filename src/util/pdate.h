/*
 * pdate.h - partial and approximate dates, as people actually know them.
 *
 * A date may be known to the year (1978), the month (1978-05) or the day
 * (1978-05-12), and may be approximate, written with the EDTF (ISO 8601-2)
 * qualifier '~' after it: 1978~. Stored as that same text, which sorts
 * correctly and can be compared by prefix.
 */
#ifndef HW_PDATE_H
#define HW_PDATE_H

#include <stddef.h>

typedef struct pdate {
    int year;   /* 1000..9999 */
    int month;  /* 1..12, or 0 when unknown */
    int day;    /* 1..31, or 0 when unknown */
    int approx; /* 1 when qualified with '~' */
} pdate_t;

#define PDATE_MAX 16 /* room for "YYYY-MM-DD~" and a NUL */

/* Parse s into *d. Returns 0, or -1 with *why set to a static reason. */
int pdate_parse(const char *s, pdate_t *d, const char **why);
/* Write the canonical form of d into out (PDATE_MAX bytes). */
void pdate_format(const pdate_t *d, char *out);
/* Number of days in month m of year y (Gregorian). */
int pdate_days_in_month(int y, int m);
/* -1, 0, 1 comparing the earliest day each date can mean. */
int pdate_cmp_earliest(const pdate_t *a, const pdate_t *b);
/* Today's date (UTC) as a full pdate. */
void pdate_today(pdate_t *d);
/* Days from a to b, both full dates (b - a). */
long pdate_days_between(const pdate_t *a, const pdate_t *b);

/* The full date days after a (before, when negative). */
void pdate_add_days(const pdate_t *a, long days, pdate_t *out);

#endif
