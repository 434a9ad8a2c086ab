/*
 * hwnum.c - record numbers with a Damm check digit (see hwnum.h).
 */
#include "hwnum.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* The totally anti-symmetric quasigroup of order 10 from H. M. Damm (2004). */
static const unsigned char damm[10][10] = {
    {0, 3, 1, 7, 5, 9, 8, 6, 4, 2}, {7, 0, 9, 2, 1, 5, 4, 8, 6, 3},
    {4, 2, 0, 6, 8, 7, 1, 3, 5, 9}, {1, 7, 5, 0, 9, 8, 3, 4, 2, 6},
    {6, 1, 2, 3, 0, 4, 5, 9, 7, 8}, {3, 6, 7, 4, 2, 0, 9, 5, 8, 1},
    {5, 8, 6, 9, 7, 2, 0, 1, 3, 4}, {8, 9, 4, 5, 3, 6, 2, 0, 1, 7},
    {9, 4, 3, 8, 6, 1, 7, 2, 0, 5}, {2, 5, 8, 1, 4, 3, 6, 7, 9, 0},
};

int hwnum_check_digit(const char *digits)
{
    int interim = 0;

    for (const char *p = digits; *p; p++)
        if (*p >= '0' && *p <= '9')
            interim = damm[interim][*p - '0'];
    return interim;
}

void hwnum_format(const char *prefix, long long seq, char *out)
{
    char d[24];

    snprintf(d, sizeof d, "%04lld", seq);
    snprintf(out, HWNUM_MAX, "%s-%s-%d", prefix, d, hwnum_check_digit(d));
}

int hwnum_parse(const char *prefix, const char *s, long long *seq)
{
    size_t np = strlen(prefix);
    char d[24];
    size_t n = 0;

    if (strncasecmp(s, prefix, np) != 0)
        return 0;
    s += np;
    for (; *s; s++) {
        if (*s == '-' || *s == ' ')
            continue;
        /* At most 18 digits: a sequence of 17 and its check digit, far
         * beyond any registry, and within a long long. */
        if (!isdigit((unsigned char)*s) || n >= 18)
            return 0;
        d[n++] = *s;
    }
    if (n < 5)
        return 0;
    d[n] = '\0';
    /* A correct number, check digit included, reduces to interim 0. */
    if (hwnum_check_digit(d) != 0)
        return 0;
    d[n - 1] = '\0';
    *seq = 0;
    for (size_t i = 0; i + 1 < n; i++)
        *seq = *seq * 10 + (d[i] - '0');
    return 1;
}
