/*
 * crypt.h - protected fields sealed at rest with XChaCha20-Poly1305 (libsodium
 * AEAD), the record's UUID and the field's name as associated data, so a
 * sealed value cannot be moved to another record or field.
 *
 * Keys live in a key file beside the database (created by `homeward init`,
 * mode 0600) or come from the HOMEWARD_KEY environment variable; without a
 * key the server refuses to start. The key file also holds the Ed25519 seed
 * that signs audit checkpoints.
 *
 * A sealed value: "HW1" | key id (4 bytes) | nonce (24) | ciphertext+tag.
 * The key id lets a rotation interrupted by a crash be resumed: both keys
 * are loaded until the new one has replaced the old.
 */
#ifndef HW_CRYPT_H
#define HW_CRYPT_H

#include <stddef.h>

#define CRYPT_KEY_BYTES 32

/* The key file of a database: $HOMEWARD_KEY_FILE, else DB + ".key". Into
 * out (n bytes). */
void crypt_key_path(const char *db_path, char *out, size_t n);
/* Create a new key file (refuses to overwrite). 0 or -1 with err. */
int crypt_create_key_file(const char *path, char *err, size_t n);
/* Load the keys for db_path: from HOMEWARD_KEY (base64 of 64 bytes: data
 * key then signing seed) or from the key file (and its ".new" companion
 * during a rotation). 0 or -1 with err. Call once, before any thread. */
int crypt_load(const char *db_path, char *err, size_t n);
/* Forget every key (wiping them). */
void crypt_unload(void);
/* 1 when a data key is loaded. */
int crypt_ready(void);

/* Seal plain[0..n) for (uuid, field) with the current key. *out is
 * malloc'd (caller frees), *outlen its size. 0 or -1. */
int crypt_seal(const char *uuid, const char *field, const char *plain, size_t n, unsigned char **out,
               size_t *outlen);
/* Open a sealed value; *plain is malloc'd and NUL-terminated. 0, or -1
 * when the key is missing, or the value was altered or moved. */
int crypt_open(const char *uuid, const char *field, const unsigned char *sealed, size_t n, char **plain);

/* Rotation: make a new key (kept beside the current one), re-seal with
 * crypt_reseal, then crypt_rotate_finish replaces the key file. */
int crypt_rotate_begin(const char *db_path, char *err, size_t n);
int crypt_reseal(const char *uuid, const char *field, const unsigned char *sealed, size_t n, unsigned char **out,
                 size_t *outlen);
int crypt_rotate_finish(const char *db_path, char *err, size_t n);
/* 1 when two keys are loaded (a rotation is under way or was cut short). */
int crypt_rotating(void);

/* Audit checkpoints: sign msg with the Ed25519 key; sig is 64 bytes. */
int crypt_sign(const unsigned char *msg, size_t n, unsigned char *sig);
/* The Ed25519 public key (32 bytes). */
int crypt_sign_public(unsigned char *pk);

#endif
