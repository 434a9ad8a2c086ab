/*
 * text.c - Unicode helpers on ICU (see text.h).
 */
#include "text.h"

#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uscript.h>
#include <unicode/ustring.h>
#include <unicode/utf8.h>
#include <unicode/utrans.h>

int text_valid(const char *s, size_t n, int allow_newline)
{
    int32_t i = 0, len = (int32_t)n;

    if (n > (size_t)INT32_MAX)
        return 0;
    while (i < len) {
        UChar32 c;

        U8_NEXT((const uint8_t *)s, i, len, c);
        if (c < 0 || c == 0)
            return 0;
        if (c < 0x20 && !(allow_newline && (c == '\n' || c == '\t' || c == '\r')))
            return 0;
        if (c >= 0x7f && c < 0xa0)
            return 0;
        if (c == 0xfffe || c == 0xffff)
            return 0;
    }
    return 1;
}

size_t text_length(const char *s)
{
    size_t n = 0;

    for (; *s; s++)
        if (((unsigned char)*s & 0xc0) != 0x80)
            n++;
    return n;
}

/* UTF-8 to a malloc'd UTF-16 string; NULL on failure. */
static UChar *to_u16(const char *s, int32_t *len)
{
    UErrorCode err = U_ZERO_ERROR;
    int32_t n = 0;
    UChar *u;

    u_strFromUTF8(NULL, 0, &n, s, -1, &err);
    if (err != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(err))
        return NULL;
    err = U_ZERO_ERROR;
    u = malloc(sizeof(UChar) * ((size_t)n + 1));
    if (!u)
        return NULL;
    u_strFromUTF8(u, n + 1, len, s, -1, &err);
    if (U_FAILURE(err)) {
        free(u);
        return NULL;
    }
    return u;
}

/* Append UTF-16 u[0..n) to out as UTF-8. */
static int from_u16(const UChar *u, int32_t n, buf_t *out)
{
    UErrorCode err = U_ZERO_ERROR;
    int32_t need = 0;
    char *p;

    u_strToUTF8(NULL, 0, &need, u, n, &err);
    if (err != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(err))
        return -1;
    err = U_ZERO_ERROR;
    p = malloc((size_t)need + 1);
    if (!p)
        return -1;
    u_strToUTF8(p, need + 1, NULL, u, n, &err);
    if (U_FAILURE(err)) {
        free(p);
        return -1;
    }
    buf_add(out, p, (size_t)need);
    free(p);
    return out->failed ? -1 : 0;
}

/* Normalise u (length n) with the given normaliser into a new string. */
static UChar *normalise(const UNormalizer2 *nz, const UChar *u, int32_t n, int32_t *outlen)
{
    UErrorCode err = U_ZERO_ERROR;
    int32_t cap = n * 3 + 16;
    UChar *r = malloc(sizeof(UChar) * (size_t)cap);

    if (!r)
        return NULL;
    *outlen = unorm2_normalize(nz, u, n, r, cap, &err);
    if (U_FAILURE(err)) {
        free(r);
        return NULL;
    }
    return r;
}

char *text_clean(const char *s)
{
    UErrorCode err = U_ZERO_ERROR;
    const UNormalizer2 *nfc = unorm2_getNFCInstance(&err);
    buf_t spaced = BUF_INIT, out = BUF_INIT;
    int32_t n, m;
    UChar *u, *v;
    int pending = 0;

    if (U_FAILURE(err))
        return NULL;
    /* Collapse white space in UTF-8 first: all white space is ASCII or
     * a few Unicode spaces which NFC leaves alone; handle ASCII here. */
    for (const char *p = s; *p; p++) {
        if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
            pending = spaced.len > 0;
            continue;
        }
        if (pending)
            buf_putc(&spaced, ' ');
        pending = 0;
        buf_putc(&spaced, *p);
    }
    u = to_u16(buf_str(&spaced), &n);
    buf_free(&spaced);
    if (!u)
        return NULL;
    v = normalise(nfc, u, n, &m);
    free(u);
    if (!v)
        return NULL;
    if (from_u16(v, m, &out) != 0) {
        free(v);
        buf_free(&out);
        return NULL;
    }
    free(v);
    return buf_take(&out);
}

const char *text_script(const char *s)
{
    int32_t i = 0, len = (int32_t)strlen(s);
    int armn = 0, cyrl = 0, latn = 0, other = 0;

    while (i < len) {
        UErrorCode err = U_ZERO_ERROR;
        UChar32 c;
        UScriptCode sc;

        U8_NEXT((const uint8_t *)s, i, len, c);
        if (c < 0 || !u_isalpha(c))
            continue;
        sc = uscript_getScript(c, &err);
        if (U_FAILURE(err))
            continue;
        if (sc == USCRIPT_ARMENIAN)
            armn++;
        else if (sc == USCRIPT_CYRILLIC)
            cyrl++;
        else if (sc == USCRIPT_LATIN)
            latn++;
        else
            other++;
    }
    if (armn + cyrl + latn + other == 0)
        return "zyyy";
    if (armn && !cyrl && !latn && !other)
        return "armn";
    if (cyrl && !armn && !latn && !other)
        return "cyrl";
    if (latn && !armn && !cyrl && !other)
        return "latn";
    return "mixed";
}

struct text_folder {
    UTransliterator *tr; /* NFKC; Any-Latin; Latin-ASCII; Lower */
};

text_folder_t *text_folder_new(void)
{
    /* Latin-ASCII has no rule for the schwa of Azerbaijani (Xankəndi): map
     * it to e, as Azerbaijani names are usually written in English. */
    static const char *rules = ":: NFKC; [əƏ] > e; :: Any-Latin; :: Latin-ASCII; :: Any-Lower;";
    UErrorCode err = U_ZERO_ERROR;
    UParseError pe;
    UChar id[16], r[128];
    text_folder_t *f = calloc(1, sizeof *f);

    if (!f)
        return NULL;
    u_uastrcpy(id, "hw-fold");
    u_strFromUTF8(r, 128, NULL, rules, -1, &err);
    if (U_SUCCESS(err))
        f->tr = utrans_openU(id, -1, UTRANS_FORWARD, r, -1, &pe, &err);
    if (U_FAILURE(err)) {
        free(f);
        return NULL;
    }
    return f;
}

void text_folder_free(text_folder_t *f)
{
    if (!f)
        return;
    utrans_close(f->tr);
    free(f);
}

int text_fold(text_folder_t *f, const char *s, buf_t *out)
{
    UErrorCode err = U_ZERO_ERROR;
    int32_t n = 0, cap, limit;
    UChar *u, *big;
    buf_t tmp = BUF_INIT;
    int space = 0, rc;

    u = to_u16(s, &n);
    if (!u)
        return -1;
    cap = n * 4 + 16;
    big = realloc(u, sizeof(UChar) * (size_t)cap);
    if (!big) {
        free(u);
        return -1;
    }
    limit = n;
    utrans_transUChars(f->tr, big, &n, cap, 0, &limit, &err);
    if (U_FAILURE(err)) {
        free(big);
        return -1;
    }
    rc = from_u16(big, n, &tmp);
    free(big);
    if (rc != 0) {
        buf_free(&tmp);
        return -1;
    }
    /* Keep letters and digits; everything else separates words. Drop
     * apostrophes (BGN's ' for aspiration) without separating. */
    for (const char *p = buf_str(&tmp); *p; p++) {
        unsigned char c = (unsigned char)*p;

        if (c == '\'' || c == '`')
            continue;
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            if (space && out->len > 0 && out->p[out->len - 1] != ' ')
                buf_putc(out, ' ');
            space = 0;
            buf_putc(out, (char)c);
        } else {
            space = 1;
        }
    }
    buf_free(&tmp);
    return out->failed ? -1 : 0;
}
