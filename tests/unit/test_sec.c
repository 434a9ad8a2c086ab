/*
 * test_sec.c - passwords, secrets and sealed fields.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sec/auth.h"
#include "sec/crypt.h"

static void passwords_refuse_short_common_and_trivial(void **state)
{
    static const char *const bad[] = {"short", "elevenchars", "password1234", "Password2024!", "!!Qwerty123456",
                                      "aaaaaaaaaaaa", "123456789012", "abcdefghijklm", "homewardhomeward",
                                      "Yerevan!!2023", NULL};
    static const char *const good[] = {"Synthetic-pass-for-tests", "correct horse battery", "Ծիրան-ու-նուռ-2024",
                                       NULL};
    const char *why;

    (void)state;
    for (int i = 0; bad[i]; i++) {
        why = NULL;
        if (auth_password_acceptable(bad[i], &why))
            fail_msg("accepted %s", bad[i]);
        assert_non_null(why);
    }
    for (int i = 0; good[i]; i++)
        if (!auth_password_acceptable(good[i], &why))
            fail_msg("refused %s: %s", good[i], why);
}

static void password_hash_is_argon2id_and_verifies(void **state)
{
    char hash[AUTH_HASH_MAX];

    (void)state;
    assert_int_equal(auth_hash_password("Synthetic-pass-for-tests", hash), 0);
    assert_int_equal(strncmp(hash, "$argon2id$", 10), 0);
    assert_true(auth_verify_password(hash, "Synthetic-pass-for-tests"));
    assert_false(auth_verify_password(hash, "Synthetic-pass-for-tests "));
}

static void secrets_are_random_and_hashed(void **state)
{
    char a[AUTH_SECRET_MAX], b[AUTH_SECRET_MAX];
    unsigned char ha[32], hb[32];

    (void)state;
    auth_new_secret("hwt_", a);
    auth_new_secret("hwt_", b);
    assert_int_equal(strncmp(a, "hwt_", 4), 0);
    assert_int_equal(strlen(a), 4 + 43);
    assert_string_not_equal(a, b);
    auth_secret_hash(a, ha);
    auth_secret_hash(b, hb);
    assert_memory_not_equal(ha, hb, 32);
}

static void sealed_values_open_only_in_place(void **state)
{
    char dir[] = "/tmp/hw-sec-XXXXXX", db[64], key[80], err[256], *plain = NULL;
    unsigned char *sealed;
    size_t n;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(db, sizeof db, "%s/x.db", dir);
    snprintf(key, sizeof key, "%s.key", db);
    assert_int_equal(crypt_create_key_file(key, err, sizeof err), 0);
    assert_int_not_equal(crypt_create_key_file(key, err, sizeof err), 0); /* never overwrites */
    assert_int_equal(crypt_load(db, err, sizeof err), 0);
    assert_int_equal(crypt_seal("uuid-1", "contact", "demo@example.org", 16, &sealed, &n), 0);
    assert_null(memmem(sealed, n, "demo@example.org", 16));
    assert_int_equal(crypt_open("uuid-1", "contact", sealed, n, &plain), 0);
    assert_string_equal(plain, "demo@example.org");
    free(plain);
    /* Another record, another field, one flipped bit: all refused. */
    assert_int_not_equal(crypt_open("uuid-2", "contact", sealed, n, &plain), 0);
    assert_int_not_equal(crypt_open("uuid-1", "documents", sealed, n, &plain), 0);
    sealed[n - 1] ^= 1;
    assert_int_not_equal(crypt_open("uuid-1", "contact", sealed, n, &plain), 0);
    free(sealed);
    crypt_unload();
    assert_false(crypt_ready());
    assert_int_not_equal(crypt_seal("uuid-1", "contact", "x", 1, &sealed, &n), 0);
    unlink(key);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(passwords_refuse_short_common_and_trivial),
        cmocka_unit_test(password_hash_is_argon2id_and_verifies),
        cmocka_unit_test(secrets_are_random_and_hashed),
        cmocka_unit_test(sealed_values_open_only_in_place),
    };
    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
