/*
 * settlement.c - the gazetteer: loading the settlements shipped with the
 * program (data/gazetteer.tsv) and finding a place by any of its names, in
 * Armenian, Azerbaijani, Russian or English, or a spelling of one of them.
 */
#include <stdlib.h>
#include <string.h>

#include "domain/domain.h"
#include "store/db.h"
#include "store/registry_store.h"
#include "util/buf.h"
#include "util/embedded.h"

json_t *settlement_search(dom_ctx_t *c, const char *q, int limit, dom_err_t *err)
{
    buf_t fold = BUF_INIT;
    char *clean;
    json_t *items;

    if (!text_valid(q, strlen(q), 0) || strlen(q) > 200) {
        dom_fail(err, DOM_BAD, "q", "q must be UTF-8 text of at most 200 bytes");
        return NULL;
    }
    clean = text_clean(q);
    if (!clean || text_fold(c->folder, clean, &fold) != 0) {
        free(clean);
        buf_free(&fold);
        dom_fail(err, DOM_INTERNAL, NULL, "out of memory");
        return NULL;
    }
    if (fold.len == 0 && !*clean) {
        free(clean);
        buf_free(&fold);
        dom_fail(err, DOM_BAD, "q", "q is empty: give part of a settlement name");
        return NULL;
    }
    items = store_settlement_search(c->db, buf_str(&fold), clean, limit);
    free(clean);
    buf_free(&fold);
    return json_pack("{s:o, s:n}", "items", items, "next");
}

json_t *settlement_get(dom_ctx_t *c, const char *id, dom_err_t *err)
{
    json_t *o = store_settlement_get(c->db, id);

    if (!o)
        dom_fail(err, DOM_NOT_FOUND, NULL, "no settlement with id %.60s", id);
    return o;
}

/* Split line at tabs into at most n fields, in place. Returns the count. */
static int split_tabs(char *line, char **f, int n)
{
    int k = 0;

    f[k++] = line;
    for (char *p = line; *p && k < n; p++)
        if (*p == '\t') {
            *p = '\0';
            f[k++] = p + 1;
        }
    return k;
}

static const char *nz(const char *s)
{
    return s && *s && strcmp(s, "-") != 0 ? s : NULL;
}

int settlement_load(dom_ctx_t *c)
{
    const embedded_file_t *f = embedded_find("gazetteer.tsv");
    char *copy, *save = NULL, *line;
    int count = 0, first = 1, rc = 0;

    if (!f)
        return 0;
    copy = strdup(f->data);
    if (!copy)
        return -1;
    for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *col[13], *alt_save = NULL;
        const char *names[40], *langs[40], *folds_c[40];
        char *folds[40];
        buf_t fb = BUF_INIT;
        store_settlement_t s = {0};
        int n = 0;

        if (first) { /* the header */
            first = 0;
            continue;
        }
        if (split_tabs(line, col, 13) != 13 || !nz(col[0]) || !nz(col[5]))
            continue;
        s.id = col[0];
        s.kind = nz(col[1]) ? col[1] : "other";
        s.hy = nz(col[2]);
        s.az = nz(col[3]);
        s.ru = nz(col[4]);
        s.en = col[5];
        s.has_coords = nz(col[7]) && nz(col[8]);
        s.lat = s.has_coords ? atof(col[7]) : 0;
        s.lon = s.has_coords ? atof(col[8]) : 0;
        s.admin_hy = nz(col[9]);
        s.admin_az = nz(col[10]);
        s.country = nz(col[11]) ? col[11] : "AZ";
        s.source = nz(col[12]);
        if (s.hy) { names[n] = s.hy; langs[n++] = "hy"; }
        if (s.az) { names[n] = s.az; langs[n++] = "az"; }
        if (s.ru) { names[n] = s.ru; langs[n++] = "ru"; }
        names[n] = s.en;
        langs[n++] = "en";
        if (nz(col[6]))
            for (char *a = strtok_r(col[6], "|", &alt_save); a && n < 40; a = strtok_r(NULL, "|", &alt_save)) {
                names[n] = a;
                langs[n++] = "alt";
            }
        for (int i = 0; i < n; i++) {
            buf_free(&fb);
            text_fold(c->folder, names[i], &fb);
            folds[i] = buf_take(&fb);
            folds_c[i] = folds[i];
        }
        if (store_settlement_put(c->db, &s, names, langs, folds_c, n) != SQLITE_OK)
            rc = -1;
        for (int i = 0; i < n; i++)
            free(folds[i]);
        buf_free(&fb);
        if (rc)
            break;
        count++;
    }
    free(copy);
    return rc ? -1 : count;
}
