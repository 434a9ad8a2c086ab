/*
 * fuzz_match_name.c - the matcher's normalisation of names, dates and sex
 * on any bytes: no crash, and a normalised name is lower-case ASCII words.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "match/match.h"
#include "util/text.h"

static match_norm_t *nz;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstring(data, size), out[MATCH_KEYLEN * 4];
    match_date_t d;

    if (!nz)
        nz = match_norm_new();
    match_parse_date(s, &d);
    FUZZ_CHECK(d.year == 0 || (d.year >= 1000 && d.year <= 9999));
    FUZZ_CHECK(d.month >= 0 && d.month <= 12);
    (void)match_parse_sex(s);
    if (text_valid(s, strlen(s), 0)) {
        for (int patronymic = 0; patronymic < 2; patronymic++) {
            if (match_norm_name(nz, s, patronymic, out, sizeof out) != 0)
                continue;
            for (const char *p = out; *p; p++)
                FUZZ_CHECK((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == ' ');
        }
    }
    free(s);
    return 0;
}
