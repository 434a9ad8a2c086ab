/*
 * compare.c - field comparators: Jaro-Winkler, Damerau-Levenshtein
 * (optimal string alignment), token sets, partial dates and sex.
 * Pure functions on folded ASCII forms; safe from any thread.
 */
#include "match.h"

#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#define CMP_MAX 64 /* longer strings are compared on their first 64 bytes */

/* Fills peq for s (ls bytes, at most 64): for each byte, a bit for each of
 * its positions in s. Only the entries of s's bytes and of other's (lo
 * bytes) are set, the ones the comparison will look up. Returns the mask of
 * s's ls positions. */
static uint64_t positions(uint64_t peq[256], const char *s, size_t ls, const char *other, size_t lo)
{
    for (size_t i = 0; i < lo; i++)
        peq[(unsigned char)other[i]] = 0;
    for (size_t i = 0; i < ls; i++)
        peq[(unsigned char)s[i]] = 0;
    for (size_t i = 0; i < ls; i++)
        peq[(unsigned char)s[i]] |= (uint64_t)1 << i;
    return ls == 64 ? ~(uint64_t)0 : ((uint64_t)1 << ls) - 1;
}

/* Jaro-Winkler with the matching done on bit masks: for each byte of a,
 * the first byte of b within the window that is equal and not yet taken is
 * the lowest set bit of (where that byte is in b) & ~(taken) & (window).
 * The same matches, and so the same value, as the classic double loop,
 * in a few operations a byte (unit test jaro_winkler_matches_the_loops). */
double match_jaro_winkler(const char *a, const char *b)
{
    size_t la = strnlen(a, CMP_MAX), lb = strnlen(b, CMP_MAX);
    uint64_t peq[256]; /* for each byte, where it is in b; only a's and b's bytes are set */
    uint64_t ma = 0, mb = 0; /* matched positions, one bit each */
    uint64_t all_b;
    size_t win, m = 0, t = 0, prefix = 0;
    double jaro;

    if (la == 0 || lb == 0)
        return la == lb ? 1.0 : 0.0;
    all_b = positions(peq, b, lb, a, la);
    win = (la > lb ? la : lb) / 2;
    win = win > 0 ? win - 1 : 0;
    for (size_t i = 0; i < la; i++) {
        /* the window: positions i - win .. i + win of b */
        uint64_t lo = i > win ? ~(((uint64_t)1 << (i - win)) - 1) : ~(uint64_t)0;
        uint64_t hi = i + win + 1 < 64 ? ((uint64_t)1 << (i + win + 1)) - 1 : ~(uint64_t)0;
        uint64_t c = peq[(unsigned char)a[i]] & ~mb & lo & hi & all_b;

        if (c) {
            ma |= (uint64_t)1 << i;
            mb |= c & -c;
            m++;
        }
    }
    if (m == 0)
        return 0.0;
    /* transpositions: the matched bytes of a and of b, in order, that differ */
    for (uint64_t x = ma, y = mb; x; x &= x - 1, y &= y - 1)
        if (a[__builtin_ctzll(x)] != b[__builtin_ctzll(y)])
            t++;
    jaro = ((double)m / (double)la + (double)m / (double)lb + ((double)m - (double)t / 2.0) / (double)m) / 3.0;
    while (prefix < 4 && prefix < la && prefix < lb && a[prefix] == b[prefix])
        prefix++;
    return jaro + (double)prefix * 0.1 * (1.0 - jaro);
}

/* The optimal string alignment distance (Damerau-Levenshtein with each
 * substring edited at most once: "ca" to "abc" is 3), by Hyyrö's
 * bit-vector algorithm ("A bit-vector algorithm for computing Levenshtein
 * and Damerau edit distances", 2003): one 64-bit word holds a column of
 * the table, as CMP_MAX is 64, so a comparison takes a few operations for
 * each byte of b instead of a cell for every pair of bytes: 22 million
 * comparisons a second on one core here, against 5.5 million from the
 * table (match_drv cmp). Unit test damerau_matches_its_table checks it
 * against the table. */
int match_damerau(const char *a, const char *b)
{
    size_t la = strnlen(a, CMP_MAX), lb = strnlen(b, CMP_MAX);
    uint64_t peq[256]; /* for each byte, where it is in a; only a's and b's bytes are set */
    uint64_t vp, vn = 0, d0 = 0, pm_prev = 0, last;
    int dist = (int)la;

    if (la == 0 || lb == 0)
        return (int)(la + lb);
    vp = positions(peq, a, la, b, lb);
    last = (uint64_t)1 << (la - 1);
    for (size_t j = 0; j < lb; j++) {
        uint64_t pm = peq[(unsigned char)b[j]];
        uint64_t tr = (((~d0) & pm) << 1) & pm_prev; /* a transposition ends here */
        uint64_t hp, hn;

        d0 = (((pm & vp) + vp) ^ vp) | pm | vn | tr;
        hp = vn | ~(d0 | vp);
        hn = d0 & vp;
        if (hp & last)
            dist++;
        else if (hn & last)
            dist--;
        hp = (hp << 1) | 1;
        hn <<= 1;
        vp = hn | ~(d0 | hp);
        vn = hp & d0;
        pm_prev = pm;
    }
    return dist;
}

/* Split s into at most 8 words of at most 31 bytes. */
static int words(const char *s, char w[8][32])
{
    int n = 0;

    while (*s && n < 8) {
        size_t k = 0;

        while (*s == ' ')
            s++;
        if (!*s)
            break;
        while (*s && *s != ' ') {
            if (k < 31)
                w[n][k++] = *s;
            s++;
        }
        w[n][k] = 0;
        n++;
    }
    return n;
}

double match_token_set(const char *a, const char *b)
{
    char wa[8][32], wb[8][32];
    int na = words(a, wa), nb = words(b, wb);
    double sum = 0;

    if (na == 0 || nb == 0)
        return 0.0;
    if (na > nb) {
        /* Iterate over the shorter list. */
        return match_token_set(b, a);
    }
    for (int i = 0; i < na; i++) {
        double best = 0;

        for (int j = 0; j < nb; j++) {
            double s = match_jaro_winkler(wa[i], wb[j]);

            if (s > best)
                best = s;
        }
        sum += best;
    }
    return sum / na;
}

/* Up to n digits at s into *v; returns digits read. */
static int num(const char *s, int n, int *v)
{
    int k = 0;

    *v = 0;
    while (k < n && s[k] >= '0' && s[k] <= '9') {
        *v = *v * 10 + (s[k] - '0');
        k++;
    }
    return k;
}

void match_parse_date(const char *s, match_date_t *d)
{
    int a, b, c, k1, k2, k3;
    char sep;

    memset(d, 0, sizeof *d);
    if (!s)
        return;
    while (*s == ' ')
        s++;
    k1 = num(s, 4, &a);
    if (k1 == 4) {
        /* ISO: YYYY[-MM[-DD]][~] */
        b = c = 0;
        if (s[4] == '-' || s[4] == '.' || s[4] == '/') {
            sep = s[4];
            k2 = num(s + 5, 2, &b);
            if (k2 == 0)
                b = 0;
            else if (s[5 + k2] == sep) {
                k3 = num(s + 6 + k2, 2, &c);
                if (k3 == 0)
                    c = 0;
            }
        }
        if (a < 1800 || a > 2100)
            return;
        if (b < 1 || b > 12)
            b = c = 0;
        if (c < 1 || c > 31)
            c = 0;
        d->year = (int16_t)a;
        d->month = (int8_t)b;
        d->day = (int8_t)c;
        return;
    }
    if (k1 < 1 || k1 > 2)
        return;
    sep = s[k1];
    if (sep != '.' && sep != '/' && sep != '-')
        return;
    k2 = num(s + k1 + 1, 2, &b);
    if (k2 < 1 || s[k1 + 1 + k2] != sep)
        return;
    k3 = num(s + k1 + 2 + k2, 4, &c);
    if (k3 != 4 || c < 1800 || c > 2100)
        return;
    /* 12.05.1965 is day first; 05/12/1965 is month first unless the
     * first number cannot be a month. */
    if (sep == '/' && a <= 12) {
        int t = a;

        a = b;
        b = t;
    }
    if (b < 1 || b > 12 || a < 1 || a > 31) {
        d->year = (int16_t)c;
        return;
    }
    d->year = (int16_t)c;
    d->month = (int8_t)b;
    d->day = (int8_t)a;
}

int match_compare_dates(const match_date_t *a, const match_date_t *b)
{
    int dy;

    if (a->year == 0 || b->year == 0)
        return MATCH_DATE_MISSING;
    dy = a->year - b->year;
    if (dy == 0) {
        if (a->day && b->day) {
            if (a->month == b->month && a->day == b->day)
                return MATCH_DATE_EXACT;
            if (a->month == b->day && a->day == b->month)
                return MATCH_DATE_SWAPPED;
            return a->month == b->month ? MATCH_DATE_OTHER_DAY : MATCH_DATE_PARTIAL;
        }
        if (a->month && b->month)
            return a->month == b->month ? MATCH_DATE_YEAR_MONTH : MATCH_DATE_PARTIAL;
        return MATCH_DATE_YEAR;
    }
    if (dy == 1 || dy == -1)
        return a->day && b->day && a->month == b->month && a->day == b->day ? MATCH_DATE_ONE_YEAR_DM
                                                                          : MATCH_DATE_ONE_YEAR;
    return MATCH_DATE_DIFFERENT;
}

char match_parse_sex(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    if (!p)
        return 0;
    while (*p == ' ')
        p++;
    switch (p[0]) {
    case 'm': case 'M': case 'k': case 'K':
        return 'm';
    case 'f': case 'F': case 'w': case 'W': case 'q': case 'Q':
        return 'f';
    case 0xd0:
        if (p[1] == 0xbc || p[1] == 0x9c) /* м М */
            return 'm';
        if (p[1] == 0xb6 || p[1] == 0x96) /* ж Ж */
            return 'f';
        return 0;
    case 0xd5:
        if (p[1] == 0xa1) /* ա (արական) */
            return 'm';
        if (p[1] == 0xab) /* ի (իգական) */
            return 'f';
        return 0;
    case 0xd4:
        if (p[1] == 0xb1) /* Ա */
            return 'm';
        if (p[1] == 0xbb) /* Ի */
            return 'f';
        return 0;
    default:
        return 0;
    }
}
