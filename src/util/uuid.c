/*
 * uuid.c - record UUIDs (see uuid.h).
 */
#include "uuid.h"

#include <uuid.h>

void hw_uuid_new(char *out)
{
    uuid_t u;

    uuid_generate_random(u);
    uuid_unparse_lower(u, out);
}

/* The text form uuid_parse accepts: 8-4-4-4-12 hex digits, either case.
 * Checked here by hand: libuuid's parse cost a tenth of a GET. */
int hw_uuid_valid(const char *s)
{
    for (int i = 0; i < 36; i++) {
        unsigned char c = (unsigned char)s[i];

        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-')
                return 0;
        } else if (!((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'))) {
            return 0; /* the NUL of a short string stops here too */
        }
    }
    return s[36] == '\0';
}
