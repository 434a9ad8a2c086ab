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

int hw_uuid_valid(const char *s)
{
    uuid_t u;

    for (int i = 0; i < 36; i++)
        if (!s[i])
            return 0;
    if (s[36])
        return 0;
    return uuid_parse(s, u) == 0;
}
