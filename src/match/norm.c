/*
 * norm.c - normalisation of person names for matching (see match.h).
 *
 * Two stages. match_latin() turns any script into lower-case ASCII with
 * ICU (Armenian BGN, Russian BGN, Any-Latin for the rest), after folding
 * case first (which avoids ICU 72's "YeREVAN" on capitals and its missing
 * rule for title-case "Ու") and before correcting ICU's "Ch'vobanyan" (it
 * writes ո as word-initial "vo" after the apostrophe it has just added,
 * and եի as "ev").
 * match_fold_word() then removes the differences between romanisation
 * systems and Russian practice so that Hovhannisyan, Oganesyan, Ovanesian
 * and Ovanesyan fold together.
 */
#include "match.h"
#include "match_int.h"

#include <stdlib.h>
#include <string.h>

#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utrans.h>

#define CACHE_SLOTS 65536 /* per-thread cache of transliterations */

typedef struct cache_slot {
    uint64_t hash; /* hash of raw */
    char *raw;     /* the input string (owned) */
    char *latin;   /* its Latin form (owned) */
} cache_slot_t;

struct match_norm {
    UTransliterator *tr;        /* Armenian/Russian BGN; Any-Latin; Latin-ASCII */
    const UNormalizer2 *nfkccf; /* NFKC with case folding */
    cache_slot_t *cache;        /* direct-mapped, CACHE_SLOTS entries */
};

match_norm_t *match_norm_new(void)
{
    static const char *id = "Armenian-Latin/BGN; Russian-Latin/BGN; Any-Latin; Latin-ASCII";
    UErrorCode err = U_ZERO_ERROR;
    UChar uid[96];
    match_norm_t *nz = calloc(1, sizeof *nz);

    if (!nz)
        return NULL;
    u_uastrcpy(uid, id);
    nz->tr = utrans_openU(uid, -1, UTRANS_FORWARD, NULL, 0, NULL, &err);
    if (U_FAILURE(err))
        goto fail;
    nz->nfkccf = unorm2_getNFKCCasefoldInstance(&err);
    if (U_FAILURE(err))
        goto fail;
    nz->cache = calloc(CACHE_SLOTS, sizeof *nz->cache);
    if (!nz->cache)
        goto fail;
    return nz;
fail:
    match_norm_free(nz);
    return NULL;
}

void match_norm_free(match_norm_t *nz)
{
    if (!nz)
        return;
    if (nz->tr)
        utrans_close(nz->tr);
    if (nz->cache) {
        for (size_t i = 0; i < CACHE_SLOTS; i++) {
            free(nz->cache[i].raw);
            free(nz->cache[i].latin);
        }
        free(nz->cache);
    }
    free(nz);
}

static int is_vowel(char c)
{
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

static int is_alpha(char c)
{
    return c >= 'a' && c <= 'z';
}

/* Azerbaijani-Latin letters: ə ı ş ç ğ and, when any of them occurs, c as
 * /dʒ/ and x as /x/. Rewrites UTF-8 s into out (ASCII digraphs). */
static void azeri_fold(const char *s, buf_t *out)
{
    int az = 0;

    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((p[0] == 0xc9 && p[1] == 0x99) || (p[0] == 0xc6 && p[1] == 0x8f) ||
            (p[0] == 0xc5 && (p[1] == 0x9f || p[1] == 0x9e)) ||
            (p[0] == 0xc4 && (p[1] == 0x9f || p[1] == 0x9e || p[1] == 0xb1)))
            az = 1;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        const char *rep = NULL;

        if (p[0] == 0xc9 && p[1] == 0x99)
            rep = "a";
        else if (p[0] == 0xc6 && p[1] == 0x8f)
            rep = "A";
        else if (p[0] == 0xc5 && (p[1] == 0x9f || p[1] == 0x9e))
            rep = "sh";
        else if (p[0] == 0xc3 && (p[1] == 0xa7 || p[1] == 0x87))
            rep = "ch";
        else if (p[0] == 0xc4 && (p[1] == 0x9f || p[1] == 0x9e))
            rep = "gh";
        else if (p[0] == 0xc4 && (p[1] == 0xb1 || p[1] == 0xb0))
            rep = "i";
        if (rep) {
            buf_puts(out, rep);
            p++;
            continue;
        }
        if (az && (*p == 'c' || *p == 'C')) {
            buf_putc(out, 'j');
            continue;
        }
        buf_putc(out, (char)*p);
    }
}

/* Lower-case ASCII words from ASCII text: letters kept, apostrophes and
 * hyphens inside a word dropped (aspiration marks, Ter-), the rest split.
 * Corrects ICU's "'vo" (ո after an aspiration mark) to "'o". */
static void ascii_words(const char *s, buf_t *out)
{
    int space = 0;
    size_t start = out->len;

    for (const char *p = s; *p; p++) {
        char c = *p;

        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c == '\'' || c == '`' || c == '-') {
            if (c != '-' && p > s && is_alpha((char)(p[-1] | 0x20)) && (p[1] | 0x20) == 'v' &&
                (p[2] | 0x20) == 'o')
                p++; /* skip the v */
            continue;
        }
        if (is_alpha(c)) {
            if (space && out->len > start)
                buf_putc(out, ' ');
            space = 0;
            buf_putc(out, c);
        } else {
            space = 1;
        }
    }
}

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;

    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

static int latin_uncached(match_norm_t *nz, const char *s, buf_t *out)
{
    UErrorCode err = U_ZERO_ERROR;
    buf_t pre = BUF_INIT, utf8 = BUF_INIT;
    UChar *u = NULL, *v = NULL;
    int32_t n = 0, m, cap, limit, need;
    int rc = -1;

    azeri_fold(s, &pre);
    if (pre.failed)
        goto done;
    u_strFromUTF8(NULL, 0, &n, buf_str(&pre), -1, &err);
    if (err != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(err))
        goto done;
    err = U_ZERO_ERROR;
    u = malloc(sizeof(UChar) * ((size_t)n + 1));
    if (!u)
        goto done;
    u_strFromUTF8(u, n + 1, &n, buf_str(&pre), -1, &err);
    if (U_FAILURE(err))
        goto done;
    cap = n * 4 + 32;
    v = malloc(sizeof(UChar) * (size_t)cap);
    if (!v)
        goto done;
    m = unorm2_normalize(nz->nfkccf, u, n, v, cap, &err);
    if (U_FAILURE(err))
        goto done;
    /* ICU 72's BGN Armenian writes ե followed by ի as "ev" (Վահեի, the
     * genitive of Vahe, comes out "vahev"): hand it a Latin i instead. */
    for (int32_t i = 1; i < m; i++)
        if (v[i] == 0x056B && v[i - 1] == 0x0565)
            v[i] = 'i';
    limit = m;
    utrans_transUChars(nz->tr, v, &m, cap, 0, &limit, &err);
    if (U_FAILURE(err))
        goto done;
    need = 0;
    u_strToUTF8(NULL, 0, &need, v, m, &err);
    if (err != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(err))
        goto done;
    err = U_ZERO_ERROR;
    buf_add(&utf8, "", 0);
    {
        char *tmp = malloc((size_t)need + 1);

        if (!tmp)
            goto done;
        u_strToUTF8(tmp, need + 1, NULL, v, m, &err);
        if (U_FAILURE(err)) {
            free(tmp);
            goto done;
        }
        /* Latin-ASCII leaves the right quote of BGN as U+2019 in some
         * versions: turn it into an apostrophe before splitting words. */
        for (char *p = tmp; *p; p++) {
            if ((unsigned char)p[0] == 0xe2 && (unsigned char)p[1] == 0x80 &&
                ((unsigned char)p[2] == 0x99 || (unsigned char)p[2] == 0x98)) {
                buf_putc(&utf8, '\'');
                p += 2;
            } else if ((unsigned char)p[0] == 0xca && (unsigned char)p[1] == 0xbb) {
                buf_putc(&utf8, '\'');
                p += 1;
            } else {
                buf_putc(&utf8, *p);
            }
        }
        free(tmp);
    }
    ascii_words(buf_str(&utf8), out);
    rc = out->failed ? -1 : 0;
done:
    buf_free(&pre);
    buf_free(&utf8);
    free(u);
    free(v);
    return rc;
}

int match_latin(match_norm_t *nz, const char *s, buf_t *out)
{
    int ascii = 1;
    uint64_t h;
    cache_slot_t *slot;
    buf_t tmp = BUF_INIT;

    if (!s || !*s)
        return 0;
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p >= 0x80)
            ascii = 0;
    if (ascii) {
        ascii_words(s, out);
        return out->failed ? -1 : 0;
    }
    h = hash_str(s);
    slot = &nz->cache[h % CACHE_SLOTS];
    if (slot->raw && slot->hash == h && strcmp(slot->raw, s) == 0) {
        buf_puts(out, slot->latin);
        return out->failed ? -1 : 0;
    }
    if (latin_uncached(nz, s, &tmp) != 0) {
        buf_free(&tmp);
        return -1;
    }
    buf_puts(out, buf_str(&tmp));
    free(slot->raw);
    free(slot->latin);
    slot->raw = strdup(s);
    slot->latin = buf_take(&tmp);
    slot->hash = h;
    if (!slot->raw || !slot->latin) {
        free(slot->raw);
        free(slot->latin);
        slot->raw = slot->latin = NULL;
    }
    return out->failed ? -1 : 0;
}

static int ends_with(const char *s, size_t n, const char *suf)
{
    size_t k = strlen(suf);

    return n >= k && memcmp(s + n - k, suf, k) == 0;
}

char match_fold_letter(char c)
{
    switch (c) {
    case 'y': return 'i';
    case 'b': return 'p';
    case 'd': return 't';
    case 'g': case 'q': case 'x': case 'h': return 'k';
    case 'w': return 'v';
    case 'j': return 'c';
    default: return c;
    }
}

void match_fold_word(const char *word, char *out, size_t cap)
{
    static const char *suffixes[] = {"yants", "iants", "jants", "yanc", "ianc", "yanz",
                                     "yan", "ian", "jan", "ean", NULL};
    char s[64];
    size_t n = 0, i = 0, k = 0;
    int suffix = 0;
    char t[72];

    for (const char *p = word; *p && n < sizeof s - 1; p++) {
        char c = *p;

        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (is_alpha(c))
            s[n++] = c;
    }
    s[n] = 0;
    /* Russian BGN writes е after й as "ye": Йемаян is "Yyemayan", which
     * is Yemayan (Յեմայան) with one y too many. */
    for (size_t j = 0; j + 2 < n; j++)
        if (s[j] == 'y' && s[j + 1] == 'y' && s[j + 2] == 'e') {
            memmove(s + j, s + j + 1, n - j);
            n--;
        }
    for (int j = 0; suffixes[j]; j++) {
        size_t l = strlen(suffixes[j]);

        if (n > l + 1 && ends_with(s, n, suffixes[j])) {
            n -= l;
            s[n] = 0;
            suffix = 1;
            break;
        }
    }
    /* Word-initial differences: ye/e, h/0, vo/o, and the o + v/g/h (+h)
     * before a vowel of Hovhannes / Oganes / Ovanes / Ohan. */
    if (s[0] == 'y' && s[1] == 'e')
        i = 1;
    else if (s[0] == 'h' && is_vowel(s[1]))
        i = 1;
    if (s[i] == 'v' && s[i + 1] == 'o')
        i++;
    if (s[i] == 'o' && (s[i + 1] == 'v' || s[i + 1] == 'g' || s[i + 1] == 'h')) {
        size_t j = i + 2;

        if (s[j] == 'h')
            j++;
        if (is_vowel(s[j])) {
            t[k++] = 'o';
            i = j;
        }
    }
    while (i < n) {
        const char *p = s + i;
        char c;
        size_t adv = 2;

        /* ջ is j (BGN), dzh (Russian дж) or c (Azerbaijani); ձ is dz (BGN,
         * Russian дз) but j in the Hübschmann-Meillet system; ժ is zh (BGN,
         * Russian ж) but j in Azerbaijani: one class with ts (ծ, ց), as
         * sources confuse all five. */
        if (!strncmp(p, "dzh", 3))
            c = 'c', adv = 3;
        else if (!strncmp(p, "tch", 3))
            c = 'q', adv = 3;
        else if (!strncmp(p, "kh", 2) || !strncmp(p, "gh", 2))
            c = 'k';
        else if (!strncmp(p, "zh", 2))
            c = 'c';
        else if (!strncmp(p, "sh", 2))
            c = 'x';
        else if (!strncmp(p, "ch", 2))
            c = 'q';
        else if (!strncmp(p, "ts", 2) || !strncmp(p, "tz", 2) || !strncmp(p, "dz", 2))
            c = 'c';
        else if (!strncmp(p, "ph", 2))
            c = 'p';
        else if (!strncmp(p, "th", 2))
            c = 't';
        else if (!strncmp(p, "ou", 2) || !strncmp(p, "ow", 2))
            c = 'u';
        else if (!strncmp(p, "ye", 2))
            c = 'e';
        else {
            adv = 1;
            c = match_fold_letter(*p);
        }
        if (k == 0 || t[k - 1] != c)
            t[k++] = c;
        i += adv;
    }
    if (suffix) {
        /* A family name made from a name in -es takes -is- in Armenian but
         * keeps -es- in Russian practice: Hovhannisyan / Оганесян,
         * Nersisyan / Нерсесян, Movsisyan / Мовсесян. */
        if (k > 2 && t[k - 2] == 'e' && t[k - 1] == 's')
            t[k - 2] = 'i';
        if (k > 0 && t[k - 1] == 'i')
            k--;
        memcpy(t + k, "ian", 3);
        k += 3;
    }
    t[k] = 0;
    if (cap == 0)
        return;
    if (k >= cap)
        k = cap - 1;
    memcpy(out, t, k);
    out[k] = 0;
}

const char *const match_patronymic_endings[] = {"ievich", "ievna", "yevich", "yevna", "ovich", "evich",
                                                 "ovna",   "evna",  "ichna",  "vich",  "vna",   "ich",
                                                 NULL};

void match_strip_patronymic(char *w)
{
    const char *const *endings = match_patronymic_endings;
    size_t n = strlen(w);

    for (int j = 0; endings[j]; j++) {
        size_t l = strlen(endings[j]);

        if (n >= l + 3 && ends_with(w, n, endings[j])) {
            w[n - l] = 0;
            return;
        }
    }
    /* Armenian genitive: Gevorgi, Hovhannesi, Davti. */
    if (n >= 4 && w[n - 1] == 'i' && !is_vowel(w[n - 2]))
        w[n - 1] = 0;
}

int match_norm_name(match_norm_t *nz, const char *s, int is_patronymic, char *out, size_t cap)
{
    buf_t lat = BUF_INIT;
    size_t k = 0;
    const char *p;

    if (cap)
        out[0] = 0;
    if (!s || !*s)
        return 0;
    if (match_latin(nz, s, &lat) != 0) {
        buf_free(&lat);
        return -1;
    }
    p = buf_str(&lat);
    while (*p) {
        char word[64], f[MATCH_KEYLEN * 2];
        size_t n = 0, l;

        while (*p == ' ')
            p++;
        while (*p && *p != ' ') {
            if (n < sizeof word - 1)
                word[n++] = *p;
            p++;
        }
        word[n] = 0;
        if (!n)
            continue;
        if (is_patronymic)
            match_strip_patronymic(word);
        match_fold_word(word, f, sizeof f);
        l = strlen(f);
        if (!l)
            continue;
        if (k && k + 1 < cap)
            out[k++] = ' ';
        if (k + l >= cap)
            l = cap - 1 - k;
        memcpy(out + k, f, l);
        k += l;
        out[k] = 0;
        if (k + 1 >= cap)
            break;
    }
    buf_free(&lat);
    return 0;
}
