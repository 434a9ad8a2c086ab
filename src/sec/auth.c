/*
 * auth.c - password hashing and secrets (see auth.h).
 */
#include "auth.h"

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

int auth_password_acceptable(const char *password, const char **why)
{
    const embedded_file_t *f = embedded_find("common-passwords.txt");
    size_t n = strlen(password);

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
    if (f) {
        const char *p = f->data;
        while (*p) {
            const char *e = strchr(p, '\n');
            size_t len = e ? (size_t)(e - p) : strlen(p);
            if (len == n && strncasecmp(p, password, n) == 0) {
                *why = "password is on the list of common passwords";
                return 0;
            }
            p += len + (e != NULL);
        }
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
