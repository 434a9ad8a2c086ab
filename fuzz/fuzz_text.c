/*
 * fuzz_text.c - the text helpers on any bytes: validation never reads past
 * the end; cleaning valid text keeps it valid; the search fold gives lower
 * case ASCII letters, digits and single spaces only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "util/text.h"

static text_folder_t *folder;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstring(data, size);

    if (!folder)
        folder = text_folder_new();
    if (text_valid((const char *)data, size, 1) && strlen(s) == size) {
        char *clean = text_clean(s);
        buf_t fold = BUF_INIT;

        FUZZ_CHECK(clean != NULL);
        FUZZ_CHECK(text_valid(clean, strlen(clean), 1));
        FUZZ_CHECK(text_fold(folder, s, &fold) == 0);
        for (const char *p = buf_str(&fold); *p; p++)
            FUZZ_CHECK((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || (*p == ' ' && p[1] != ' '));
        (void)text_script(s);
        buf_free(&fold);
        free(clean);
    }
    free(s);
    return 0;
}
