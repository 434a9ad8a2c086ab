/*
 * auth.h - passwords (Argon2id through libsodium's crypto_pwhash) and
 * random secrets for sessions and API tokens, which are stored only as
 * their BLAKE2b hash.
 */
#ifndef HW_AUTH_H
#define HW_AUTH_H

#include <stddef.h>

#define AUTH_HASH_MAX 128 /* >= crypto_pwhash_STRBYTES */
#define AUTH_SECRET_MAX 64

/* Hash a password with Argon2id (libsodium's interactive limits or more).
 * Returns 0, or -1 when out of memory. */
int auth_hash_password(const char *password, char *out);
/* 1 when password matches the stored hash. */
int auth_verify_password(const char *hash, const char *password);
/* Spend the time a verification takes, so unknown users answer alike. */
void auth_dummy_verify(const char *password);
/* 1 when the password is long enough and not a common one; else *why. */
int auth_password_acceptable(const char *password, const char **why);
/* A new random secret: prefix followed by 43 base64url characters. */
void auth_new_secret(const char *prefix, char *out);
/* A new random password people can type: 20 characters, in groups. */
void auth_new_password(char *out, size_t n);
/* BLAKE2b-256 of a secret. */
void auth_secret_hash(const char *secret, unsigned char out[32]);

#endif
