/*
 * fuzz_hwnum.c - record numbers read over the phone: whatever is typed,
 * a number accepted reads back as the same sequence once formatted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "util/hwnum.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstring(data, size), out[HWNUM_MAX];
    long long seq, again;

    if (hwnum_parse("HW", s, &seq) && seq < 1000000000000LL) {
        hwnum_format("HW", seq, out);
        FUZZ_CHECK(hwnum_parse("HW", out, &again));
        FUZZ_CHECK(again == seq);
    }
    free(s);
    return 0;
}
