/*
 * auth.c - password hashing and secrets (see auth.h).
 */
#include "auth.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util/embedded.h"
#include "util/text.h"

int auth_hash_password(const char *password, char *out)
{
    return crypto_pwhash_str_alg(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                 crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13);
}

int auth_verify_password(const char *hash, const char *password)
{
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

void auth_dummy_verify(const char *password)
{
    static char dummy[AUTH_HASH_MAX];
    static int ready;

    /* Made once; racing threads at worst compute it twice. */
    if (!ready) {
        char tmp[AUTH_HASH_MAX];
        if (auth_hash_password("homeward-timing-equaliser", tmp) == 0) {
            memcpy(dummy, tmp, sizeof dummy);
            ready = 1;
        }
    }
    if (ready)
        (void)auth_verify_password(dummy, password);
}

/* The password in lower case with digits and punctuation trimmed from both
 * ends: Password2024! and !!password become "password". */
static void core_word(const char *pw, char *out, size_t n)
{
    size_t len = strlen(pw), a = 0, b = len, k = 0;

    while (a < b && !isalpha((unsigned char)pw[a]) && (unsigned char)pw[a] < 0x80)
        a++;
    while (b > a && !isalpha((unsigned char)pw[b - 1]) && (unsigned char)pw[b - 1] < 0x80)
        b--;
    for (size_t i = a; i < b && k + 1 < n; i++)
        out[k++] = (char)tolower((unsigned char)pw[i]);
    out[k] = '\0';
}

/* 1 when the list holds word (lines; '#' starts a comment). */
static int listed(const char *list, const char *word)
{
    size_t n = strlen(word);
    const char *p = list;

    while (*p) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (*p != '#' && len == n && strncasecmp(p, word, n) == 0)
            return 1;
        p += len + (e != NULL);
    }
    return 0;
}

/* 1 for one character repeated, or a run of neighbouring characters
 * (abcdefghijkl, 123456789012 counts too). */
static int trivial(const char *pw)
{
    size_t n = strlen(pw), same = 1, run = 1;

    for (size_t i = 1; i < n; i++) {
        same += pw[i] == pw[0];
        run += pw[i] == pw[i - 1] + 1 || (pw[i] == '0' && pw[i - 1] == '9');
    }
    return same == n || run == n;
}

int auth_password_acceptable(const char *password, const char **why)
{
    const embedded_file_t *f = embedded_find("common-passwords.txt");
    size_t n = strlen(password);
    char core[300], lower[300];

    if (!text_valid(password, n, 0)) {
        *why = "password must be UTF-8 text without control characters";
        return 0;
    }
    if (text_length(password) < 12) {
        *why = "password must be at least 12 characters long";
        return 0;
    }
    if (n > 256) {
        *why = "password must be at most 256 bytes long";
        return 0;
    }
    if (trivial(password)) {
        *why = "password is a repeated character or a simple sequence";
        return 0;
    }
    core_word(password, core, sizeof core);
    snprintf(lower, sizeof lower, "%s", password);
    for (char *p = lower; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    if (f && (listed(f->data, lower) || (*core && listed(f->data, core)))) {
        *why = "password is, or is built on, a common password";
        return 0;
    }
    return 1;
}

void auth_new_secret(const char *prefix, char *out)
{
    unsigned char raw[32];
    char b64[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];

    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(b64, sizeof b64, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    snprintf(out, AUTH_SECRET_MAX, "%s%s", prefix, b64);
    sodium_memzero(b64, sizeof b64);
}

void auth_new_password(char *out, size_t n)
{
    /* No 0/O, 1/l/I: it may be read aloud or copied by hand. */
    static const char alphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    size_t k = 0;

    for (int i = 0; i < 20 && k + 1 < n; i++) {
        if (i && i % 5 == 0 && k + 1 < n)
            out[k++] = '-';
        if (k + 1 < n)
            out[k++] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
    }
    out[k] = '\0';
}

void auth_secret_hash(const char *secret, unsigned char out[32])
{
    crypto_generichash(out, 32, (const unsigned char *)secret, strlen(secret), NULL, 0);
}
