/*
 * fuzz_pdate.c - partial dates: any input is accepted or refused with a
 * reason, never a crash; an accepted date formats back to a form that
 * parses to the same date.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "util/pdate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstring(data, size), out[PDATE_MAX];
    pdate_t d, again;
    const char *why = NULL;

    if (pdate_parse(s, &d, &why) == 0) {
        FUZZ_CHECK(d.year >= 1000 && d.year <= 9999);
        FUZZ_CHECK(d.month >= 0 && d.month <= 12);
        FUZZ_CHECK(d.day == 0 || (d.month && d.day <= pdate_days_in_month(d.year, d.month)));
        pdate_format(&d, out);
        FUZZ_CHECK(pdate_parse(out, &again, &why) == 0);
        FUZZ_CHECK(memcmp(&d, &again, sizeof d) == 0);
        if (d.day) {
            pdate_t next;
            pdate_add_days(&d, 1, &next);
            FUZZ_CHECK(pdate_days_between(&d, &next) == 1);
        }
    } else {
        FUZZ_CHECK(why && *why);
    }
    free(s);
    return 0;
}
