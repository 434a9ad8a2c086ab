/*
 * pdate.c - partial and approximate dates (see pdate.h).
 */
#include "pdate.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int pdate_days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    if (m < 1 || m > 12)
        return 0;
    return days[m - 1] + (m == 2 && leap);
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int pdate_parse(const char *s, pdate_t *d, const char **why)
{
    size_t n = strlen(s);

    memset(d, 0, sizeof *d);
    if (n > 0 && s[n - 1] == '~') {
        d->approx = 1;
        n--;
    }
    if (n != 4 && n != 7 && n != 10) {
        *why = "must be YYYY, YYYY-MM or YYYY-MM-DD, optionally followed by ~";
        return -1;
    }
    if (digits(s, 4, &d->year) != 0 || d->year < 1000) {
        *why = "year must be four digits";
        return -1;
    }
    if (n >= 7) {
        if (s[4] != '-' || digits(s + 5, 2, &d->month) != 0 || d->month < 1 || d->month > 12) {
            *why = "month must be 01 to 12";
            return -1;
        }
    }
    if (n == 10) {
        if (s[7] != '-' || digits(s + 8, 2, &d->day) != 0 || d->day < 1 ||
            d->day > pdate_days_in_month(d->year, d->month)) {
            *why = "day does not exist in that month";
            return -1;
        }
    }
    return 0;
}

void pdate_format(const pdate_t *d, char *out)
{
    const char *q = d->approx ? "~" : "";

    if (d->day)
        snprintf(out, PDATE_MAX, "%04d-%02d-%02d%s", d->year, d->month, d->day, q);
    else if (d->month)
        snprintf(out, PDATE_MAX, "%04d-%02d%s", d->year, d->month, q);
    else
        snprintf(out, PDATE_MAX, "%04d%s", d->year, q);
}

int pdate_cmp_earliest(const pdate_t *a, const pdate_t *b)
{
    int ka = a->year * 10000 + (a->month ? a->month : 1) * 100 + (a->day ? a->day : 1);
    int kb = b->year * 10000 + (b->month ? b->month : 1) * 100 + (b->day ? b->day : 1);

    return (ka > kb) - (ka < kb);
}

void pdate_today(pdate_t *d)
{
    time_t now = time(NULL);
    struct tm tm;

    gmtime_r(&now, &tm);
    d->year = tm.tm_year + 1900;
    d->month = tm.tm_mon + 1;
    d->day = tm.tm_mday;
    d->approx = 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil). */
static long days_from_civil(int y, int m, int d)
{
    long era;
    unsigned yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (unsigned)((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long)doe - 719468;
}

long pdate_days_between(const pdate_t *a, const pdate_t *b)
{
    return days_from_civil(b->year, b->month ? b->month : 1, b->day ? b->day : 1) -
           days_from_civil(a->year, a->month ? a->month : 1, a->day ? a->day : 1);
}

/* The proleptic Gregorian date of day z since 1970-01-01 (Hinnant's
 * civil_from_days). */
void pdate_add_days(const pdate_t *a, long days, pdate_t *out)
{
    long z = days_from_civil(a->year, a->month ? a->month : 1, a->day ? a->day : 1) + days + 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1;
    unsigned m = mp < 10 ? mp + 3 : mp - 9;

    out->year = (int)((long)yoe + era * 400 + (m <= 2));
    out->month = (int)m;
    out->day = (int)d;
    out->approx = 0;
}
