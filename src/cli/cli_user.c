/*
 * cli_user.c - `homeward user`, `homeward token` and `homeward routes`.
 */
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "cli/cli.h"
#include "cli/cli_internal.h"
#include "domain/users.h"
#include "store/auth_store.h"

#define HELP_DB "  --db PATH       the database file (default: $HOMEWARD_DB or ./homeward.db)\n"

static const char user_help[] =
    "usage: homeward user add NAME --role ROLE [--display-name TEXT] [--organisation NAME] [--password-stdin]\n"
    "       homeward user passwd NAME [--password-stdin]\n"
    "       homeward user disable NAME | enable NAME\n"
    "       homeward user list [--json]\n\n"
    "Without --password-stdin a strong password is generated and printed once.\n"
    "Roles: admin, registrar, tracing_officer, detention_officer, monitor, analyst, auditor.\n\n" HELP_DB;

int cmd_user(int argc, char **argv)
{
    static const struct option opts[] = {{"db", 1, 0, 'd'}, {"role", 1, 0, 'r'}, {"display-name", 1, 0, 'n'},
                                         {"organisation", 1, 0, 'o'}, {"password-stdin", 0, 0, 'p'},
                                         {"json", 0, 0, 'j'}, {"help", 0, 0, 'h'}, {0}};
    const char *path = cli_default_db(), *role = NULL, *display = NULL, *org = NULL, *verb, *name = NULL;
    char password[300] = "", gen[AUTH_SECRET_MAX];
    int o, from_stdin = 0, json = 0, rc = 0;
    dom_ctx_t c;
    dom_err_t err = {0};

    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (o) {
        case 'd': path = optarg; break;
        case 'r': role = optarg; break;
        case 'n': display = optarg; break;
        case 'o': org = optarg; break;
        case 'p': from_stdin = 1; break;
        case 'j': json = 1; break;
        case 'h': fputs(user_help, stdout); return 0;
        default: return cli_usage("user", "unknown option");
        }
    }
    if (optind >= argc)
        return cli_usage("user", "say add, passwd, disable, enable or list");
    verb = argv[optind];
    if (strcmp(verb, "list") != 0) {
        if (optind + 1 >= argc)
            return cli_usage("user", "%s needs a username", verb);
        name = argv[optind + 1];
    }
    if (strcmp(verb, "add") && strcmp(verb, "passwd") && strcmp(verb, "disable") && strcmp(verb, "enable") &&
        strcmp(verb, "list"))
        return cli_usage("user", "unknown action '%s'", verb);
    if (strcmp(verb, "add") == 0 && !role)
        return cli_usage("user", "add needs --role");
    if (from_stdin && cli_read_password("user", password, sizeof password))
        return 1;
    if ((rc = cli_open_current("user", path, &c)))
        return rc;

    if (strcmp(verb, "list") == 0) {
        json_t *list = store_users_list(c.db), *u;
        size_t i;
        if (json) {
            json_dumpf(list, stdout, JSON_INDENT(2));
            putchar('\n');
        } else {
            printf("%-20s %-18s %-24s %s\n", "USERNAME", "ROLE", "ORGANISATION", "STATE");
            json_array_foreach(list, i, u)
                printf("%-20s %-18s %-24s %s\n", json_string_value(json_object_get(u, "username")),
                       json_string_value(json_object_get(u, "role")),
                       json_string_value(json_object_get(u, "organisation")),
                       json_is_true(json_object_get(u, "disabled")) ? "disabled" : "active");
        }
        json_decref(list);
    } else if (strcmp(verb, "add") == 0) {
        json_t *body = json_pack("{s:s, s:s, s:s?, s:s?}", "username", name, "role", role, "display_name", display,
                                 "password", from_stdin ? password : NULL);
        json_t *u;
        if (org) {
            long long oid = store_org_by_name(c.db, org);
            if (!oid) {
                json_decref(body);
                cli_close(&c);
                return cli_fail("user", "no organisation called %s", org);
            }
            c.org_id = oid;
        }
        u = user_create(&c, body, gen, &err);
        json_decref(body);
        if (!u) {
            cli_print_dom_error("user", &err);
            rc = 1;
        } else {
            printf("added %s (%s)\n", name, role);
            if (gen[0])
                printf("password: %s\n", gen);
            json_decref(u);
        }
    } else if (strcmp(verb, "passwd") == 0) {
        if (!from_stdin)
            auth_new_password(password, sizeof password);
        if (user_set_password(&c, name, password, &err) != 0) {
            cli_print_dom_error("user", &err);
            rc = 1;
        } else {
            printf("password of %s changed; their sessions have ended\n", name);
            if (!from_stdin)
                printf("password: %s\n", password);
        }
    } else {
        int off = strcmp(verb, "disable") == 0;
        if (user_set_disabled(&c, name, off, &err) != 0) {
            cli_print_dom_error("user", &err);
            rc = 1;
        } else {
            printf("%s %s\n", name, off ? "disabled: sessions ended, tokens revoked" : "enabled");
        }
    }
    sodium_memzero(password, sizeof password);
    sodium_memzero(gen, sizeof gen);
    cli_close(&c);
    return rc;
}

static const char token_help[] =
    "usage: homeward token create --user NAME --name LABEL [--expires-days N]\n"
    "       homeward token revoke ID\n"
    "       homeward token list [--user NAME]\n\n"
    "A token is printed once; send it as 'Authorization: Bearer TOKEN'.\n\n" HELP_DB;

int cmd_token(int argc, char **argv)
{
    static const struct option opts[] = {{"db", 1, 0, 'd'}, {"user", 1, 0, 'u'}, {"name", 1, 0, 'n'},
                                         {"expires-days", 1, 0, 'e'}, {"help", 0, 0, 'h'}, {0}};
    const char *path = cli_default_db(), *user = NULL, *label = NULL, *verb;
    long days = 0;
    int o, rc = 0;
    dom_ctx_t c;
    dom_err_t err = {0};
    auth_user_t u;

    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (o) {
        case 'd': path = optarg; break;
        case 'u': user = optarg; break;
        case 'n': label = optarg; break;
        case 'e': {
            char *end;
            days = strtol(optarg, &end, 10);
            if (*end || days < 1 || days > 3650)
                return cli_usage("token", "--expires-days must be a whole number from 1 to 3650");
            break;
        }
        case 'h': fputs(token_help, stdout); return 0;
        default: return cli_usage("token", "unknown option");
        }
    }
    if (optind >= argc)
        return cli_usage("token", "say create, revoke or list");
    verb = argv[optind];
    if (strcmp(verb, "create") == 0) {
        if (!user || !label)
            return cli_usage("token", "create needs --user and --name");
    } else if (strcmp(verb, "revoke") == 0) {
        if (optind + 1 >= argc)
            return cli_usage("token", "revoke needs the token's id");
    } else if (strcmp(verb, "list") != 0) {
        return cli_usage("token", "unknown action '%s'", verb);
    }
    if ((rc = cli_open_current("token", path, &c)))
        return rc;
    if (user && store_user_by_name(c.db, user, &u) != 0) {
        cli_close(&c);
        return cli_fail("token", "no user called %s", user);
    }
    if (strcmp(verb, "create") == 0) {
        json_t *body = json_pack("{s:s}", "name", label), *t;
        if (days)
            json_object_set_new(body, "expires_days", json_integer(days));
        c.org_id = u.org_id;
        t = token_create(&c, u.id, body, &err);
        json_decref(body);
        if (!t) {
            cli_print_dom_error("token", &err);
            rc = 1;
        } else {
            printf("%s\n", json_string_value(json_object_get(t, "token")));
            fprintf(stderr, "token id %s for %s (shown once)\n", json_string_value(json_object_get(t, "id")), user);
            json_decref(t);
        }
    } else if (strcmp(verb, "revoke") == 0) {
        c.role = "admin"; /* the command line acts as the system */
        if (token_revoke(&c, argv[optind + 1], &err) != 0) {
            cli_print_dom_error("token", &err);
            rc = 1;
        } else {
            printf("revoked %s\n", argv[optind + 1]);
        }
    } else {
        json_t *list = store_tokens_list(c.db, user ? u.id : 0);
        json_dumpf(list, stdout, JSON_INDENT(2));
        putchar('\n');
        json_decref(list);
    }
    cli_close(&c);
    return rc;
}

int cmd_routes(int argc, char **argv)
{
    json_t *a = json_array();

    if (argc > 1 && strcmp(argv[1], "--help") == 0) {
        printf("usage: homeward routes\n\nPrint the route table as JSON: method, path, permission, body limit.\n");
        json_decref(a);
        return 0;
    }
    for (const http_route_t *r = api_routes; r->method; r++)
        json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:I, s:s}", "method", r->method, "path", r->path,
                                           "permission", perm_name(r->perm), "body_max", (json_int_t)r->body_max,
                                           "summary", r->summary));
    json_dumpf(a, stdout, JSON_INDENT(2));
    putchar('\n');
    json_decref(a);
    return 0;
}
