/*
 * users.h - accounts, logins, sessions and API tokens: the rules shared by
 * the API and the command line.
 */
#ifndef HW_USERS_H
#define HW_USERS_H

#include "domain/domain.h"
#include "sec/auth.h"

/* Create a user from {username, display_name, role, organisation (uuid),
 * language, password}. Without a password one is generated and copied to
 * password_out (AUTH_SECRET_MAX bytes), else password_out is "". */
json_t *user_create(dom_ctx_t *c, json_t *body, char *password_out, dom_err_t *err);
/* Set a user's password (checked for strength); ends their sessions. */
int user_set_password(dom_ctx_t *c, const char *username, const char *password, dom_err_t *err);
/* Disable (ending sessions, revoking tokens) or enable a user. */
int user_set_disabled(dom_ctx_t *c, const char *username, int disabled, dom_err_t *err);

/* Log in. On success returns {user, csrf_token, expires_at} and writes the
 * new session secret to secret_out (AUTH_SECRET_MAX bytes). Unknown users
 * and wrong passwords answer alike. */
json_t *user_login(dom_ctx_t *c, json_t *body, char *secret_out, dom_err_t *err);
/* End a session. */
int user_logout(dom_ctx_t *c, long long session_id);

/* A new API token for user_id from {name, expires_days}: the answer holds
 * the secret once, as "token". */
json_t *token_create(dom_ctx_t *c, long long user_id, json_t *body, dom_err_t *err);
/* Revoke a token; admins may revoke anyone's. */
int token_revoke(dom_ctx_t *c, const char *uuid, dom_err_t *err);

/* Create an organisation from {name, kind}. */
json_t *org_create(dom_ctx_t *c, json_t *body, dom_err_t *err);

#endif
