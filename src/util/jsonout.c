/*
 * jsonout.c - JSON text from jansson values (see jsonout.h).
 */
#include "jsonout.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef jw_t out_t;

static int grow(out_t *o, size_t n);

/* Room for n more bytes and a NUL; 0, or -1 when out of memory. The
 * common case is checked inline; growing is not. */
static inline int room(out_t *o, size_t n)
{
    if (o->len + n + 1 <= o->cap && !o->failed)
        return 0;
    return grow(o, n);
}

static int grow(out_t *o, size_t n)
{
    size_t cap;
    char *p;

    if (o->failed)
        return -1;
    if (o->len + n + 1 <= o->cap)
        return 0;
    cap = o->cap ? o->cap : 2048; /* a person's record is about 1.1 KB */
    while (cap < o->len + n + 1) {
        if (cap > ((size_t)-1) / 4) {
            o->failed = 1;
            return -1;
        }
        cap *= 2;
    }
    p = realloc(o->p, cap);
    if (!p) {
        o->failed = 1;
        return -1;
    }
    o->p = p;
    o->cap = cap;
    return 0;
}

static void put(out_t *o, const char *s, size_t n)
{
    if (room(o, n) == 0) {
        memcpy(o->p + o->len, s, n);
        o->len += n;
    }
}

static void put_char(out_t *o, char c)
{
    if (room(o, 1) == 0)
        o->p[o->len++] = c;
}

/* Before a value: the comma that separates it from the one before, unless
 * it is the first of its container or follows its key. */
static void separate(jw_t *w)
{
    if (w->keyed) {
        w->keyed = 0;
        return;
    }
    if (w->depth > 0) {
        if (!w->empty[w->depth - 1])
            put_char(w, ',');
        w->empty[w->depth - 1] = 0;
    }
}

/* What each byte becomes inside a string: 0 itself; a letter for a short
 * escape (\\" \\\\ \\b \\f \\n \\r \\t); 'u' for \\u00XX. Controls, the quote,
 * the backslash and the three that could start markup (<, >, &) are
 * escaped; everything else, UTF-8 included, is copied. */
static const char escape[256] = {
    ['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n', ['\r'] = 'r', ['\t'] = 't', ['"'] = '"', ['\\'] = '\\',
    [0x00] = 'u', [0x01] = 'u', [0x02] = 'u', [0x03] = 'u', [0x04] = 'u', [0x05] = 'u', [0x06] = 'u',
    [0x07] = 'u', [0x0b] = 'u', [0x0e] = 'u', [0x0f] = 'u', [0x10] = 'u', [0x11] = 'u', [0x12] = 'u',
    [0x13] = 'u', [0x14] = 'u', [0x15] = 'u', [0x16] = 'u', [0x17] = 'u', [0x18] = 'u', [0x19] = 'u',
    [0x1a] = 'u', [0x1b] = 'u', [0x1c] = 'u', [0x1d] = 'u', [0x1e] = 'u', [0x1f] = 'u',
    ['<'] = 'u', ['>'] = 'u', ['&'] = 'u',
};

/* 1 when one of the eight bytes of x may need an escape: a control, '"',
 * '\\', '<', '>' or '&' (the classic zero-byte test; it never misses one,
 * and a false alarm only sends the bytes through the careful path). */
static int word_may_escape(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
    uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\'), l = x ^ (ones * '<'), g = x ^ (ones * '>'),
             a = x ^ (ones * '&');
    uint64_t zero = ((q - ones) & ~q) | ((b - ones) & ~b) | ((l - ones) & ~l) | ((g - ones) & ~g) |
                    ((a - ones) & ~a);

    return (((x - ones * 0x20) & ~x) | zero) & high ? 1 : 0;
}

static void put_string(out_t *o, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF"; /* as jansson writes controls */
    static const char lower[] = "0123456789abcdef"; /* as <, > and & were always written here */
    size_t run = 0, i = 0;
    char *w;

    if (n > ((size_t)-1) / 8 || room(o, 6 * n + 2) != 0) { /* the worst case: every byte \\u00XX */
        o->failed = 1;
        return;
    }
    w = o->p + o->len;
    *w++ = '"';
    while (i < n) {
        unsigned char c;
        char e;

        if (i + 8 <= n) { /* most text needs no escape: eight bytes at a time */
            uint64_t x;
            memcpy(&x, s + i, 8);
            if (!word_may_escape(x)) {
                i += 8;
                continue;
            }
        }
        c = (unsigned char)s[i];
        e = escape[c];
        if (e) {
            memcpy(w, s + run, i - run);
            w += i - run;
            run = i + 1;
            *w++ = '\\';
            if (e != 'u') {
                *w++ = e;
            } else {
                const char *digits = c >= 0x20 ? lower : hex;
                memcpy(w, "u00", 3);
                w[3] = digits[c >> 4];
                w[4] = digits[c & 15];
                w += 5;
            }
        }
        i++;
    }
    memcpy(w, s + run, n - run);
    w += n - run;
    *w++ = '"';
    o->len = (size_t)(w - o->p);
}

/* As jansson writes a real with precision 10 (17 when exact): %.10g, with
 * ".0" added when it would read back as an integer, and no '+' or leading
 * zeros in the exponent. */
static void put_real(out_t *o, double v)
{
    char t[48], *e;

    snprintf(t, sizeof t, "%.*g", o->exact ? 17 : 10, v);
    if (!strpbrk(t, ".eEni")) /* not 1e5, inf or nan */
        strcat(t, ".0");
    e = strchr(t, 'e');
    if (e) {
        char *d = e + 1, *z;
        if (*d == '+')
            memmove(d, d + 1, strlen(d));
        else if (*d == '-')
            d++;
        for (z = d; *z == '0' && z[1]; z++)
            ;
        memmove(d, z, strlen(z) + 1);
    }
    put(o, t, strlen(t));
}

static void put_integer(out_t *o, json_int_t v)
{
    char t[24], *w = t + sizeof t;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

    do {
        *--w = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--w = '-';
    put(o, w, (size_t)(t + sizeof t - w));
}

void jw_open(jw_t *w, char bracket)
{
    separate(w);
    if (w->depth >= JW_DEPTH) {
        w->failed = 1;
        return;
    }
    put_char(w, bracket);
    w->empty[w->depth++] = 1;
}

void jw_close(jw_t *w, char bracket)
{
    if (w->depth > 0)
        w->depth--;
    put_char(w, bracket == '{' ? '}' : bracket == '[' ? ']' : bracket);
}

void jw_key(jw_t *w, const char *key)
{
    separate(w);
    put_string(w, key, strlen(key));
    put_char(w, ':');
    w->keyed = 1;
}

void jw_name(jw_t *w, const char *name)
{
    size_t n = strlen(name);

    separate(w);
    if (room(w, n + 3) != 0)
        return;
    w->p[w->len++] = '"';
    memcpy(w->p + w->len, name, n);
    w->len += n;
    w->p[w->len++] = '"';
    w->p[w->len++] = ':';
    w->keyed = 1;
}

void jw_string(jw_t *w, const char *s, size_t n)
{
    separate(w);
    put_string(w, s, n);
}

void jw_integer(jw_t *w, json_int_t v)
{
    separate(w);
    put_integer(w, v);
}

void jw_bool(jw_t *w, int v)
{
    separate(w);
    if (v)
        put(w, "true", 4);
    else
        put(w, "false", 5);
}

void jw_null(jw_t *w)
{
    separate(w);
    put(w, "null", 4);
}

void jw_raw(jw_t *w, const char *json, size_t n)
{
    size_t run = 0;

    separate(w);
    for (size_t i = 0; i < n; i++) {
        const char *u = json[i] == '<' ? "\\u003c" : json[i] == '>' ? "\\u003e" : json[i] == '&' ? "\\u0026" : NULL;
        if (u) {
            put(w, json + run, i - run);
            put(w, u, 6);
            run = i + 1;
        }
    }
    put(w, json + run, n - run);
}

void jw_value(jw_t *w, const json_t *j)
{
    if (!j) {
        jw_null(w);
        return;
    }
    switch (json_typeof(j)) {
    case JSON_OBJECT: {
        const char *k;
        json_t *v;

        jw_open(w, '{');
        json_object_foreach((json_t *)j, k, v) {
            jw_key(w, k);
            jw_value(w, v);
        }
        jw_close(w, '{');
        break;
    }
    case JSON_ARRAY:
        jw_open(w, '[');
        for (size_t i = 0; i < json_array_size(j); i++)
            jw_value(w, json_array_get(j, i));
        jw_close(w, '[');
        break;
    case JSON_STRING:
        jw_string(w, json_string_value(j), json_string_length(j));
        break;
    case JSON_INTEGER:
        jw_integer(w, json_integer_value(j));
        break;
    case JSON_REAL:
        separate(w);
        put_real(w, json_real_value(j));
        break;
    case JSON_TRUE:
        jw_bool(w, 1);
        break;
    case JSON_FALSE:
        jw_bool(w, 0);
        break;
    default:
        jw_null(w);
    }
}

char *jw_take(jw_t *w, size_t *len)
{
    char *p;

    if (w->failed || room(w, 0) != 0) {
        jw_free(w);
        return NULL;
    }
    w->p[w->len] = '\0';
    if (len)
        *len = w->len;
    p = w->p;
    memset(w, 0, sizeof *w);
    return p;
}

void jw_free(jw_t *w)
{
    free(w->p);
    memset(w, 0, sizeof *w);
}

char *json_out(const json_t *j, size_t *len)
{
    jw_t w = JW_INIT;

    if (!j)
        return NULL;
    jw_value(&w, j);
    return jw_take(&w, len);
}

char *json_out_exact(const json_t *j, size_t *len)
{
    jw_t w = JW_INIT;

    if (!j)
        return NULL;
    w.exact = 1;
    jw_value(&w, j);
    return jw_take(&w, len);
}
