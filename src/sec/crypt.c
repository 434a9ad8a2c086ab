/*
 * crypt.c - sealing protected fields and signing checkpoints (see crypt.h).
 */
#include "crypt.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC "HW1"
#define HEADER (3 + 4 + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES)

typedef struct key {
    int           set;
    unsigned char data[CRYPT_KEY_BYTES];  /* sealing key */
    unsigned char seed[crypto_sign_SEEDBYTES]; /* Ed25519 seed */
    unsigned char id[4];                  /* first bytes of BLAKE2b(data) */
} crypt_key_t;

/* keys[0] seals; keys[1] (if set) still opens, during a rotation. */
static crypt_key_t keys[2];

static void key_id(crypt_key_t *k)
{
    unsigned char h[16];

    crypto_generichash(h, sizeof h, k->data, sizeof k->data, NULL, 0);
    memcpy(k->id, h, 4);
}

void crypt_key_path(const char *db_path, char *out, size_t n)
{
    const char *env = getenv("HOMEWARD_KEY_FILE");

    if (env && *env)
        snprintf(out, n, "%s", env);
    else
        snprintf(out, n, "%s.key", db_path);
}

/* The key file: two base64 lines after a header line. */
static int write_key_file(const char *path, const crypt_key_t *k, char *err, size_t n)
{
    char d[sodium_base64_ENCODED_LEN(CRYPT_KEY_BYTES, sodium_base64_VARIANT_ORIGINAL)];
    char s[sodium_base64_ENCODED_LEN(crypto_sign_SEEDBYTES, sodium_base64_VARIANT_ORIGINAL)];
    char text[256];
    int fd, len, ok;

    sodium_bin2base64(d, sizeof d, k->data, sizeof k->data, sodium_base64_VARIANT_ORIGINAL);
    sodium_bin2base64(s, sizeof s, k->seed, sizeof k->seed, sodium_base64_VARIANT_ORIGINAL);
    len = snprintf(text, sizeof text, "homeward-key 1\ndata %s\nsign %s\n", d, s);
    sodium_memzero(d, sizeof d);
    sodium_memzero(s, sizeof s);
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
        snprintf(err, n, "cannot create key file %s: %s", path, strerror(errno));
        sodium_memzero(text, sizeof text);
        return -1;
    }
    ok = write(fd, text, (size_t)len) == len && fsync(fd) == 0;
    sodium_memzero(text, sizeof text);
    if (close(fd) != 0 || !ok) {
        snprintf(err, n, "cannot write key file %s", path);
        unlink(path);
        return -1;
    }
    return 0;
}

static int read_key_file(const char *path, crypt_key_t *k, char *err, size_t n)
{
    char text[512], *d, *s;
    size_t got, dl, sl;
    struct stat st;
    FILE *f = fopen(path, "r");

    if (!f) {
        snprintf(err, n, "no key file %s (%s): create one with homeward init, or set HOMEWARD_KEY", path,
                 strerror(errno));
        return -1;
    }
    if (fstat(fileno(f), &st) == 0 && (st.st_mode & 077)) {
        fclose(f);
        snprintf(err, n, "key file %s is readable by others: chmod 600 it", path);
        return -1;
    }
    got = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[got] = '\0';
    d = strstr(text, "\ndata ");
    s = strstr(text, "\nsign ");
    if (strncmp(text, "homeward-key 1\n", 15) != 0 || !d || !s) {
        sodium_memzero(text, sizeof text);
        snprintf(err, n, "key file %s is not a Homeward key file", path);
        return -1;
    }
    d += 6;
    s += 6;
    d[strcspn(d, "\n")] = '\0';
    s[strcspn(s, "\n")] = '\0';
    if (sodium_base642bin(k->data, sizeof k->data, d, strlen(d), NULL, &dl, NULL, sodium_base64_VARIANT_ORIGINAL) ||
        sodium_base642bin(k->seed, sizeof k->seed, s, strlen(s), NULL, &sl, NULL, sodium_base64_VARIANT_ORIGINAL) ||
        dl != sizeof k->data || sl != sizeof k->seed) {
        sodium_memzero(text, sizeof text);
        snprintf(err, n, "key file %s is damaged", path);
        return -1;
    }
    sodium_memzero(text, sizeof text);
    key_id(k);
    k->set = 1;
    return 0;
}

int crypt_create_key_file(const char *path, char *err, size_t n)
{
    crypt_key_t k = {0};
    int rc;

    randombytes_buf(k.data, sizeof k.data);
    randombytes_buf(k.seed, sizeof k.seed);
    rc = write_key_file(path, &k, err, n);
    sodium_memzero(&k, sizeof k);
    return rc;
}

int crypt_load(const char *db_path, char *err, size_t n)
{
    const char *env = getenv("HOMEWARD_KEY");
    char path[4096], next[4200];

    crypt_unload();
    if (env && *env) {
        unsigned char raw[CRYPT_KEY_BYTES + crypto_sign_SEEDBYTES];
        size_t len;
        if (sodium_base642bin(raw, sizeof raw, env, strlen(env), NULL, &len, NULL, sodium_base64_VARIANT_ORIGINAL) ||
            len != sizeof raw) {
            snprintf(err, n, "HOMEWARD_KEY must be the base64 of 64 bytes (data key, then signing seed)");
            return -1;
        }
        memcpy(keys[0].data, raw, CRYPT_KEY_BYTES);
        memcpy(keys[0].seed, raw + CRYPT_KEY_BYTES, crypto_sign_SEEDBYTES);
        sodium_memzero(raw, sizeof raw);
        key_id(&keys[0]);
        keys[0].set = 1;
        return 0;
    }
    crypt_key_path(db_path, path, sizeof path);
    snprintf(next, sizeof next, "%s.new", path);
    if (access(next, F_OK) == 0) {
        /* A rotation did not finish: the new key seals, both open. */
        if (read_key_file(next, &keys[0], err, n) != 0)
            return -1;
        if (read_key_file(path, &keys[1], err, n) != 0) {
            crypt_unload();
            return -1;
        }
        return 0;
    }
    return read_key_file(path, &keys[0], err, n);
}

void crypt_unload(void)
{
    sodium_memzero(keys, sizeof keys);
}

int crypt_ready(void)
{
    return keys[0].set;
}

/* Associated data: uuid NUL field. */
static size_t make_ad(const char *uuid, const char *field, unsigned char *ad, size_t cap)
{
    size_t a = strlen(uuid), b = strlen(field);

    if (a + b + 1 > cap)
        return 0;
    memcpy(ad, uuid, a);
    ad[a] = 0;
    memcpy(ad + a + 1, field, b);
    return a + 1 + b;
}

static int seal_with(const crypt_key_t *k, const char *uuid, const char *field, const char *plain, size_t n,
                     unsigned char **out, size_t *outlen)
{
    unsigned char ad[160], *c;
    size_t adlen = make_ad(uuid, field, ad, sizeof ad);
    unsigned long long clen;

    if (!k->set || !adlen)
        return -1;
    c = malloc(HEADER + n + crypto_aead_xchacha20poly1305_ietf_ABYTES);
    if (!c)
        return -1;
    memcpy(c, MAGIC, 3);
    memcpy(c + 3, k->id, 4);
    randombytes_buf(c + 7, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
    crypto_aead_xchacha20poly1305_ietf_encrypt(c + HEADER, &clen, (const unsigned char *)plain, n, ad, adlen, NULL,
                                               c + 7, k->data);
    *out = c;
    *outlen = HEADER + (size_t)clen;
    return 0;
}

int crypt_seal(const char *uuid, const char *field, const char *plain, size_t n, unsigned char **out,
               size_t *outlen)
{
    return seal_with(&keys[0], uuid, field, plain, n, out, outlen);
}

int crypt_open(const char *uuid, const char *field, const unsigned char *sealed, size_t n, char **plain)
{
    unsigned char ad[160];
    size_t adlen = make_ad(uuid, field, ad, sizeof ad);
    unsigned long long plen;
    const crypt_key_t *k = NULL;
    char *p;

    *plain = NULL;
    if (n < HEADER + crypto_aead_xchacha20poly1305_ietf_ABYTES || memcmp(sealed, MAGIC, 3) != 0 || !adlen)
        return -1;
    for (int i = 0; i < 2; i++)
        if (keys[i].set && memcmp(keys[i].id, sealed + 3, 4) == 0)
            k = &keys[i];
    if (!k)
        return -1;
    p = malloc(n - HEADER + 1);
    if (!p)
        return -1;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt((unsigned char *)p, &plen, NULL, sealed + HEADER, n - HEADER, ad,
                                                   adlen, sealed + 7, k->data) != 0) {
        free(p);
        return -1;
    }
    p[plen] = '\0';
    *plain = p;
    return 0;
}

int crypt_rotate_begin(const char *db_path, char *err, size_t n)
{
    char path[4096], next[4200];
    crypt_key_t k = {0};

    if (getenv("HOMEWARD_KEY") && *getenv("HOMEWARD_KEY")) {
        snprintf(err, n, "the key comes from HOMEWARD_KEY: rotation needs a key file");
        return -1;
    }
    if (!keys[0].set || keys[1].set) {
        snprintf(err, n, "finish the interrupted rotation first (run key rotate again after loading)");
        return -1;
    }
    crypt_key_path(db_path, path, sizeof path);
    snprintf(next, sizeof next, "%s.new", path);
    randombytes_buf(k.data, sizeof k.data);
    memcpy(k.seed, keys[0].seed, sizeof k.seed); /* the signing key stays */
    if (write_key_file(next, &k, err, n) != 0) {
        sodium_memzero(&k, sizeof k);
        return -1;
    }
    key_id(&k);
    k.set = 1;
    keys[1] = keys[0];
    keys[0] = k;
    sodium_memzero(&k, sizeof k);
    return 0;
}

int crypt_rotating(void)
{
    return keys[1].set;
}

int crypt_reseal(const char *uuid, const char *field, const unsigned char *sealed, size_t n, unsigned char **out,
                 size_t *outlen)
{
    char *plain;
    int rc;

    if (n >= 7 && memcmp(sealed + 3, keys[0].id, 4) == 0 && memcmp(sealed, MAGIC, 3) == 0) {
        *out = NULL; /* already under the new key */
        *outlen = 0;
        return 0;
    }
    if (crypt_open(uuid, field, sealed, n, &plain) != 0)
        return -1;
    rc = crypt_seal(uuid, field, plain, strlen(plain), out, outlen);
    sodium_memzero(plain, strlen(plain));
    free(plain);
    return rc;
}

int crypt_rotate_finish(const char *db_path, char *err, size_t n)
{
    char path[4096], next[4200], dir[4096], *slash;
    int fd;

    crypt_key_path(db_path, path, sizeof path);
    snprintf(next, sizeof next, "%s.new", path);
    if (rename(next, path) != 0) {
        snprintf(err, n, "cannot replace key file %s: %s", path, strerror(errno));
        return -1;
    }
    snprintf(dir, sizeof dir, "%s", path);
    slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        strcpy(dir, ".");
    fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    sodium_memzero(&keys[1], sizeof keys[1]);
    return 0;
}

int crypt_sign(const unsigned char *msg, size_t n, unsigned char *sig)
{
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    int rc;

    if (!keys[0].set)
        return -1;
    crypto_sign_seed_keypair(pk, sk, keys[0].seed);
    rc = crypto_sign_detached(sig, NULL, msg, n, sk);
    sodium_memzero(sk, sizeof sk);
    return rc;
}

int crypt_sign_public(unsigned char *pk)
{
    unsigned char sk[crypto_sign_SECRETKEYBYTES];

    if (!keys[0].set)
        return -1;
    crypto_sign_seed_keypair(pk, sk, keys[0].seed);
    sodium_memzero(sk, sizeof sk);
    return 0;
}
