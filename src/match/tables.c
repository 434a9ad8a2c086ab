/*
 * tables.c - the engine's read-only tables: given-name equivalences and
 * place aliases, built from the embedded names.tsv and gazetteer.tsv plus
 * a short built-in list of cross-language equivalents that no
 * transliteration produces (Mariam/Мария, Grigor/Григорий, Hrant/Грант).
 */
#include "match_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/embedded.h"

uint32_t match_hash32(const char *s)
{
    uint32_t h = 2166136261u;

    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 16777619u;
    }
    return h ? h : 1;
}

int32_t match_strmap_get(const match_strmap_t *m, const char *key)
{
    size_t i;

    if (!m->cap)
        return -1;
    for (i = match_hash32(key) & (m->cap - 1); m->keys[i]; i = (i + 1) & (m->cap - 1))
        if (strcmp(m->keys[i], key) == 0)
            return m->vals[i];
    return -1;
}

static int grow(match_strmap_t *m)
{
    size_t cap = m->cap ? m->cap * 2 : 256;
    char **keys = calloc(cap, sizeof *keys);
    int32_t *vals = calloc(cap, sizeof *vals);

    if (!keys || !vals) {
        free(keys);
        free(vals);
        return -1;
    }
    for (size_t j = 0; j < m->cap; j++) {
        size_t i;

        if (!m->keys[j])
            continue;
        for (i = match_hash32(m->keys[j]) & (cap - 1); keys[i]; i = (i + 1) & (cap - 1))
            ;
        keys[i] = m->keys[j];
        vals[i] = m->vals[j];
    }
    free(m->keys);
    free(m->vals);
    m->keys = keys;
    m->vals = vals;
    m->cap = cap;
    return 0;
}

int match_strmap_put(match_strmap_t *m, const char *key, int32_t val)
{
    size_t i;

    if ((m->n + 1) * 2 > m->cap && grow(m) != 0)
        return -1;
    for (i = match_hash32(key) & (m->cap - 1); m->keys[i]; i = (i + 1) & (m->cap - 1))
        if (strcmp(m->keys[i], key) == 0)
            return 0;
    m->keys[i] = strdup(key);
    if (!m->keys[i])
        return -1;
    m->vals[i] = val;
    m->n++;
    return 0;
}

void match_strmap_free(match_strmap_t *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->keys[i]);
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}

/* Cross-language given-name equivalents, one group per line, forms
 * separated by '|'; each form is normalised like any input. */
static const char *builtin_given[] = {
    "Mariam|Мария|Maria|Mariya|Mary|Մարիամ",
    "Mikayel|Михаил|Mikhail|Mikael|Michael|Միքայել",
    "Grigor|Григорий|Grigoriy|Grigori|Գրիգոր",
    "Davit|Давид|David|Դավիթ",
    "Hrant|Грант|Grant|Հրանտ",
    "Hovhannes|Оганес|Ованес|Oganes|Ovanes|Ohannes|Հովհաննես",
    "Hakob|Акоп|Akop|Hagop|Yakov|Яков|Հակոբ",
    "Petros|Пётр|Петр|Petr|Pyotr|Պետրոս",
    "Poghos|Павел|Pavel|Boghos|Պողոս",
    "Gevorg|Геворг|Геворк|Gevork|Kevork|Georgiy|Георгий|Գևորգ",
    "Sargis|Саркис|Sarkis|Sergey|Сергей|Սարգիս",
    "Khachatur|Хачатур|Khachik|Хачик|Խաչատուր",
    "Harutyun|Арутюн|Arutyun|Artyom|Артём|Артем|Harutiun|Հարություն",
    "Hripsime|Рипсиме|Ripsime|Հռիփսիմե",
    "Anahit|Анаит|Anait|Անահիտ",
    "Hasmik|Асмик|Asmik|Հասմիկ",
    "Stepan|Степан|Stepanos|Ստեփան",
    "Movses|Мовсес|Moisey|Моисей|Մովսես",
    "Sahak|Саак|Saak|Isaak|Исаак|Սահակ",
    "Aleksan|Алексан|Aleksandr|Александр|Alexander|Ալեքսան",
    "Yeghishe|Егише|Egishe|Elisey|Елисей|Եղիշե",
    "Heghine|Эгине|Elena|Елена|Yelena|Helen|Հեղինե",
    "Margarit|Маргарита|Margarita|Մարգարիտ",
    "Astghik|Астгик|Astghik|Աստղիկ",
    "Vardan|Вардан|Vartan|Վարդան",
    "Arshak|Аршак|Արշակ",
    NULL
};

/* The settlements named in MATCHING-NOTES as sharing nothing between
 * languages; merged into the gazetteer's rows when those exist. */
static const char *builtin_places[] = {
    "Stepanakert|Ստեփանակերտ|Степанакерт|Khankendi|Xankəndi|Ханкенди",
    "Martuni|Մարտունի|Мартуни|Khojavend|Xocavənd|Ходжавенд",
    "Martakert|Մարտակերտ|Мартакерт|Aghdara|Ağdərə|Агдере",
    "Berdzor|Բերձոր|Бердзор|Lachin|Laçın|Лачин",
    "Shushi|Շուշի|Шуши|Shusha|Şuşa|Шуша",
    "Hadrut|Հադրութ|Гадрут|Hadrut",
    "Askeran|Ասկերան|Аскеран|Asgaran|Əsgəran",
    "Yerevan|Երևան|Ереван|Erevan|İrəvan|Irevan",
    "Gyumri|Գյումրի|Гюмри|Gümrü|Leninakan|Ленинакан",
    "Vanadzor|Վանաձոր|Ванадзор|Kirovakan|Кировакан",
    "Goris|Գորիս|Горис|Gorus",
    "Kapan|Կապան|Капан|Qafan|Ghapan",
    NULL
};

/* Normalise each form of a list (kind 0: given names, first word; 1:
 * places, all words; 2: family names, words joined); a form with a known
 * group gives that group to all. */
static int add_group(match_ctx_t *ctx, match_strmap_t *map, int32_t *ngroups, char **forms,
                     int nforms, int place)
{
    char f[16][MATCH_KEYLEN * 2];
    int32_t g = -1;
    int n = 0;
    uint32_t first = 0;

    for (int i = 0; i < nforms && n < 16; i++) {
        if (!forms[i] || !*forms[i])
            continue;
        if (match_norm_name(ctx->nz, forms[i], 0, f[n], sizeof f[n]) != 0)
            return -1;
        if (place == 0) {
            char *sp = strchr(f[n], ' ');

            if (sp)
                *sp = 0;
        } else if (place == 2) {
            /* Family names are compared with their words joined. */
            char *w = f[n];

            for (char *r = f[n]; *r; r++)
                if (*r != ' ')
                    *w++ = *r;
            *w = 0;
        }
        if (!f[n][0])
            continue;
        if (map == &ctx->given) {
            buf_t lat = BUF_INIT;

            if (match_latin(ctx->nz, forms[i], &lat) != 0) {
                buf_free(&lat);
                return -1;
            }
            if (buf_str(&lat)[0] >= 'a' && buf_str(&lat)[0] <= 'z')
                first |= 1u << (buf_str(&lat)[0] - 'a');
            buf_free(&lat);
        }
        if (g < 0)
            g = match_strmap_get(map, f[n]);
        n++;
    }
    if (n == 0)
        return 0;
    if (g < 0) {
        g = (*ngroups)++;
        if (map == &ctx->given) {
            /* Remember a canonical form: blocking uses its coarse code, so
             * that spellings missing from the table still meet the group. */
            char **c = realloc(ctx->given_canon, (size_t)*ngroups * sizeof *c);
            uint32_t *fl;

            if (!c)
                return -1;
            ctx->given_canon = c;
            c[g] = strdup(f[0]);
            if (!c[g])
                return -1;
            fl = realloc(ctx->given_first, (size_t)*ngroups * sizeof *fl);
            if (!fl)
                return -1;
            ctx->given_first = fl;
            fl[g] = 0;
        }
    }
    if (map == &ctx->given)
        ctx->given_first[g] |= first;
    for (int i = 0; i < n; i++)
        if (match_strmap_put(map, f[i], g) != 0)
            return -1;
    return 0;
}

/* Split s (modified) at any of seps; at most max parts. */
static int split(char *s, const char *seps, char **parts, int max)
{
    int n = 0;

    parts[n++] = s;
    for (char *p = s; *p && n < max; p++)
        if (strchr(seps, *p)) {
            *p = 0;
            parts[n++] = p + 1;
        }
    return n;
}

/* Feed each line of an embedded TSV to fn. */
static int each_line(const char *name, match_ctx_t *ctx,
                     int (*fn)(match_ctx_t *ctx, char *line))
{
    const embedded_file_t *f = embedded_find(name);
    const char *p, *end;

    if (!f)
        return 0;
    for (p = f->data, end = f->data + f->len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        char *line = malloc(n + 1);
        int rc;

        if (!line)
            return -1;
        memcpy(line, p, n);
        line[n] = 0;
        if (n && line[n - 1] == '\r')
            line[n - 1] = 0;
        rc = (line[0] && line[0] != '#') ? fn(ctx, line) : 0;
        free(line);
        if (rc != 0)
            return -1;
        p += n + 1;
    }
    return 0;
}

/* names.tsv: kind sex hy ru en variants(|) */
static int names_line(match_ctx_t *ctx, char *line)
{
    char *col[8], *forms[24];
    int n = split(line, "\t", col, 8), k = 0;

    int family;

    if (n < 5 || strcmp(col[0], "kind") == 0)
        return 0;
    family = col[0][0] == 'f' || col[0][0] == 'F';
    if (!family && col[0][0] != 'g' && col[0][0] != 'G')
        return 0;
    forms[k++] = col[2];
    forms[k++] = col[3];
    forms[k++] = col[4];
    if (n >= 6)
        k += split(col[5], "|", forms + k, 24 - k);
    if (family)
        return add_group(ctx, &ctx->family, &ctx->nfamilies, forms, k, 2);
    return add_group(ctx, &ctx->given, &ctx->ngroups, forms, k, 0);
}

/* gazetteer.tsv: id kind hy az ru en alt(|) ... */
static int gaz_line(match_ctx_t *ctx, char *line)
{
    char *col[16], *forms[24];
    int n = split(line, "\t", col, 16), k = 0;

    if (n < 6 || strcmp(col[0], "id") == 0)
        return 0;
    for (int i = 2; i <= 5; i++)
        forms[k++] = col[i];
    if (n >= 7)
        k += split(col[6], "|", forms + k, 24 - k);
    return add_group(ctx, &ctx->place, &ctx->nplaces, forms, k, 1);
}

static int builtin(match_ctx_t *ctx, const char **list, match_strmap_t *map, int32_t *ng, int place)
{
    for (int i = 0; list[i]; i++) {
        char *copy = strdup(list[i]), *forms[16];
        int n, rc;

        if (!copy)
            return -1;
        n = split(copy, "|", forms, 16);
        rc = add_group(ctx, map, ng, forms, n, place);
        free(copy);
        if (rc != 0)
            return -1;
    }
    return 0;
}

match_ctx_t *match_ctx_new(void)
{
    match_ctx_t *ctx = calloc(1, sizeof *ctx);

    if (!ctx)
        return NULL;
    ctx->nz = match_norm_new();
    if (!ctx->nz)
        goto fail;
    if (each_line("names.tsv", ctx, names_line) != 0 ||
        builtin(ctx, builtin_given, &ctx->given, &ctx->ngroups, 0) != 0 ||
        each_line("gazetteer.tsv", ctx, gaz_line) != 0 ||
        builtin(ctx, builtin_places, &ctx->place, &ctx->nplaces, 1) != 0)
        goto fail;
    return ctx;
fail:
    match_ctx_free(ctx);
    return NULL;
}

void match_ctx_free(match_ctx_t *ctx)
{
    if (!ctx)
        return;
    for (int32_t g = 0; g < ctx->ngroups && ctx->given_canon; g++)
        free(ctx->given_canon[g]);
    free(ctx->given_canon);
    free(ctx->given_first);
    match_strmap_free(&ctx->given);
    match_strmap_free(&ctx->family);
    match_strmap_free(&ctx->place);
    match_norm_free(ctx->nz);
    free(ctx);
}

long match_ctx_place_id(const match_ctx_t *ctx, const char *name)
{
    char f[MATCH_KEYLEN * 2];

    if (match_norm_name(ctx->nz, name, 0, f, sizeof f) != 0 || !f[0])
        return -1;
    return match_strmap_get(&ctx->place, f);
}
