/*
 * cli.c - the homeward command line (see cli.h): one function per
 * subcommand, each with --help, sharing database opening and error output.
 */
#include "cli.h"

#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/api.h"
#include "cli/cli_internal.h"
#include "domain/dedup.h"
#include "domain/domain.h"
#include "domain/monitor.h"
#include "domain/users.h"
#include "domain/writer.h"
#include "http/http.h"
#include "match/match_cli.h"
#include "store/auth_store.h"
#include "sec/audit.h"
#include "sec/crypt.h"
#include "store/db.h"
#include "store/protected.h"
#include "store/sqlmem.h"
#include "util/log.h"
#include "version.h"

const char *cli_default_db(void)
{
    const char *env = getenv("HOMEWARD_DB");
    return env && *env ? env : "homeward.db";
}

int cli_fail(const char *cmd, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "homeward %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return 1;
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "homeward %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see homeward %s --help)\n", cmd);
    return EXIT_USAGE;
}

int cli_open(const char *cmd, const char *path, int create, dom_ctx_t *c)
{
    char err[512];

    memset(c, 0, sizeof *c);
    if (!create && access(path, F_OK) != 0)
        return cli_fail(cmd, "no database at %s: run homeward init first (or give --db PATH)", path);
    c->db = db_open(path, create, err, sizeof err);
    if (!c->db)
        return cli_fail(cmd, "%s", err);
    c->folder = text_folder_new();
    if (!c->folder) {
        db_close(c->db);
        return cli_fail(cmd, "cannot load the ICU transliterator");
    }
    c->client = "cli";
    return 0;
}

/* Open and require the schema to be current. */
int cli_open_current(const char *cmd, const char *path, dom_ctx_t *c)
{
    int v, rc = cli_open(cmd, path, 0, c);

    if (rc)
        return rc;
    v = db_schema_version(c->db);
    if (v != db_schema_latest()) {
        cli_close(c);
        return cli_fail(cmd, "database %s is at schema %d, this program needs %d: run homeward migrate", path, v,
                        db_schema_latest());
    }
    return 0;
}

int cli_load_key(const char *cmd, const char *path)
{
    char err[512];

    if (crypt_load(path, err, sizeof err) != 0)
        return cli_fail(cmd, "%s", err);
    return 0;
}

void cli_close(dom_ctx_t *c)
{
    text_folder_free(c->folder);
    db_close(c->db);
    c->folder = NULL;
    c->db = NULL;
}

void cli_print_dom_error(const char *cmd, dom_err_t *err)
{
    if (err->field[0] && !strstr(err->detail, err->field))
        fprintf(stderr, "homeward %s: %s: %s\n", cmd, err->field, err->detail);
    else
        fprintf(stderr, "homeward %s: %s\n", cmd, err->detail);
    dom_err_clear(err);
}

int cli_read_password(const char *cmd, char *out, size_t n)
{
    size_t len;

    if (!fgets(out, (int)n, stdin))
        return cli_fail(cmd, "no password on standard input");
    len = strlen(out);
    while (len && (out[len - 1] == '\n' || out[len - 1] == '\r'))
        out[--len] = '\0';
    return 0;
}

/* ---- version, migrate, init, serve ---- */

static int cmd_version(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("homeward %s (schema %d, SQLite %s)\n", HOMEWARD_VERSION, db_schema_latest(), sqlite3_libversion());
    return 0;
}

#define HELP_DB "  --db PATH       the database file (default: $HOMEWARD_DB or ./homeward.db)\n"

static int cmd_migrate(int argc, char **argv)
{
    static const struct option opts[] = {{"db", 1, 0, 'd'}, {"help", 0, 0, 'h'}, {0}};
    const char *path = cli_default_db();
    char err[512];
    dom_ctx_t c;
    int o, applied, rc;

    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (o == 'd')
            path = optarg;
        else if (o == 'h') {
            printf("usage: homeward migrate [--db PATH]\n\nApply the schema migrations this program carries,"
                   " each in one transaction.\nRefuses a database newer than the program.\n\n" HELP_DB);
            return 0;
        } else
            return cli_usage("migrate", "unknown option");
    }
    if ((rc = cli_open("migrate", path, 0, &c)))
        return rc;
    rc = db_migrate(c.db, &applied, err, sizeof err);
    if (rc == 0 && settlement_load(&c) < 0)
        rc = -1, snprintf(err, sizeof err, "cannot load the gazetteer");
    if (rc == 0 && monitor_seed_load(&c) < 0) /* issue 5: seed links and commitments */
        rc = -1, snprintf(err, sizeof err, "cannot load the seed links and commitments");
    if (rc != 0) {
        cli_close(&c);
        return cli_fail("migrate", "%s", err);
    }
    printf("schema at version %d (%d migration%s applied)\n", db_schema_version(c.db), applied,
           applied == 1 ? "" : "s");
    cli_close(&c);
    return 0;
}

static int cmd_init(int argc, char **argv)
{
    static const struct option opts[] = {{"db", 1, 0, 'd'}, {"admin", 1, 0, 'a'}, {"organisation", 1, 0, 'o'},
                                         {"help", 0, 0, 'h'}, {0}};
    const char *path = cli_default_db(), *admin = "admin", *org = "Homeward";
    char err[512], password[AUTH_SECRET_MAX], now[32], keypath[4096];
    int made_key = 0;
    dom_ctx_t c;
    dom_err_t derr = {0};
    json_t *body, *user;
    int o, applied, n;

    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (o == 'd')
            path = optarg;
        else if (o == 'a')
            admin = optarg;
        else if (o == 'o')
            org = optarg;
        else if (o == 'h') {
            printf("usage: homeward init [--db PATH] [--admin NAME] [--organisation NAME]\n\n"
                   "Create a new database: the schema, the gazetteer, an organisation and an admin\n"
                   "user with a freshly generated password, printed once.\n\n" HELP_DB
                   "  --admin NAME    the admin's username (default: admin)\n"
                   "  --organisation NAME  the first organisation (default: Homeward)\n");
            return 0;
        } else
            return cli_usage("init", "unknown option");
    }
    if (access(path, F_OK) == 0)
        return cli_fail("init", "%s already exists: use homeward migrate to upgrade it", path);
    crypt_key_path(path, keypath, sizeof keypath);
    if (!getenv("HOMEWARD_KEY") || !*getenv("HOMEWARD_KEY")) {
        if (access(keypath, F_OK) == 0)
            return cli_fail("init", "key file %s already exists: move it away or reuse it with HOMEWARD_KEY_FILE",
                            keypath);
        if (crypt_create_key_file(keypath, err, sizeof err) != 0)
            return cli_fail("init", "%s", err);
        made_key = 1;
    }
    if (crypt_load(path, err, sizeof err) != 0) {
        if (made_key)
            unlink(keypath);
        return cli_fail("init", "%s", err);
    }
    {
        /* Create the file private to its owner before SQLite opens it. */
        mode_t old = umask(077);
        int rc = cli_open("init", path, 1, &c);
        umask(old);
        if (rc) {
            if (made_key)
                unlink(keypath);
            return rc;
        }
    }
    if (db_migrate(c.db, &applied, err, sizeof err) != 0) {
        cli_close(&c);
        unlink(path);
        if (made_key)
            unlink(keypath);
        return cli_fail("init", "%s", err);
    }
    n = settlement_load(&c);
    if (n >= 0 && monitor_seed_load(&c) < 0) /* issue 5: seed links and commitments */
        n = -1;
    db_now(now);
    c.org_id = store_org_ensure(c.db, org, "other", now);
    body = json_pack("{s:s, s:s, s:s}", "username", admin, "role", "admin", "display_name", "Administrator");
    user = user_create(&c, body, password, &derr);
    json_decref(body);
    if (!user || n < 0 || !c.org_id) {
        if (derr.status)
            cli_print_dom_error("init", &derr);
        cli_close(&c);
        unlink(path);
        if (made_key)
            unlink(keypath);
        return cli_fail("init", "could not create the first user");
    }
    printf("created %s (schema %d, %d settlements)\n", path, db_schema_version(c.db), n);
    if (made_key)
        printf("key file: %s (mode 0600; back it up apart from the database: without it protected fields are lost)\n",
               keypath);
    printf("admin user: %s\nadmin password: %s\n", admin, password);
    printf("(shown once: keep it safe, or set a new one with homeward user passwd %s)\n", admin);
    sodium_memzero(password, sizeof password);
    json_decref(user);
    cli_close(&c);
    return 0;
}

static int cmd_serve(int argc, char **argv)
{
    static const struct option opts[] = {{"db", 1, 0, 'd'}, {"listen", 1, 0, 'l'}, {"threads", 1, 0, 't'},
                                         {"quiet", 0, 0, 'q'}, {"tls-cert", 1, 0, 'c'}, {"tls-key", 1, 0, 'k'},
                                         {"user", 1, 0, 'u'}, {"help", 0, 0, 'h'}, {0}};
    http_config_t cfg = {"127.0.0.1:8080", cli_default_db(), 4, api_routes, NULL, NULL, NULL};
    char err[256];
    dom_ctx_t c;
    int o, rc, verbose = 1;

    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (o == 'd')
            cfg.db_path = optarg;
        else if (o == 'l')
            cfg.listen = optarg;
        else if (o == 'q')
            verbose = 0;
        else if (o == 'c')
            cfg.tls_cert = optarg;
        else if (o == 'k')
            cfg.tls_key = optarg;
        else if (o == 'u')
            cfg.run_as = optarg;
        else if (o == 't') {
            char *end;
            long t = strtol(optarg, &end, 10);
            if (*end || t < 1 || t > 64)
                return cli_usage("serve", "--threads must be a whole number from 1 to 64");
            cfg.threads = (int)t;
        } else if (o == 'h') {
            printf("usage: homeward serve [--listen ADDR:PORT] [--db PATH] [--threads N] [--quiet]\n"
                   "                      [--tls-cert PEM --tls-key PEM] [--user NAME]\n\n"
                   "Serve the JSON API until SIGINT or SIGTERM. Prints the URL when listening.\n\n" HELP_DB
                   "  --listen ADDR:PORT  numeric address and port (default 127.0.0.1:8080;\n"
                   "                      port 0 picks a free one; [::1]:8080 for IPv6)\n"
                   "  --threads N     threads and database connections for reads (default 4;\n"
                   "                  writes have 16 of their own)\n"
                   "  --quiet         do not log each request\n"
                   "  --tls-cert PEM, --tls-key PEM  serve HTTPS (TLS 1.2 and 1.3 only)\n"
                   "  --user NAME     when started as root, the user to become once the port is\n"
                   "                  bound (default nobody); the database files are handed to it\n");
            return 0;
        } else
            return cli_usage("serve", "unknown option");
    }
    if ((rc = cli_open_current("serve", cfg.db_path, &c)))
        return rc;
    if ((rc = cli_load_key("serve", cfg.db_path))) {
        cli_close(&c);
        return rc;
    }
    log_set_verbose(verbose);
    /* The person matcher indexes the registry before the first request. */
    if (dedup_start(c.db, 2, err, sizeof err) != 0) {
        cli_close(&c);
        return cli_fail("serve", "%s", err);
    }
    log_info("person matcher: %zu persons indexed", dedup_size());
    cli_close(&c);
    if (writer_start(cfg.db_path, err, sizeof err) != 0) {
        dedup_stop();
        return cli_fail("serve", "%s", err);
    }
    rc = http_serve(&cfg);
    writer_stop();
    dedup_stop();
    crypt_unload();
    return rc;
}

static int cmd_key(int argc, char **argv)
{
    static const struct option opts[] = {{"db", 1, 0, 'd'}, {"help", 0, 0, 'h'}, {0}};
    const char *path = cli_default_db();
    char err[512];
    long long count = 0;
    dom_ctx_t c;
    int o, rc;

    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (o == 'd')
            path = optarg;
        else if (o == 'h') {
            printf("usage: homeward key rotate [--db PATH]\n\n"
                   "Make a new data key and re-seal every protected field under it in one\n"
                   "transaction, then replace the key file. Stop the server first. An interrupted\n"
                   "rotation is finished by running it again.\n\n" HELP_DB);
            return 0;
        } else
            return cli_usage("key", "unknown option");
    }
    if (optind >= argc || strcmp(argv[optind], "rotate") != 0)
        return cli_usage("key", "say rotate");
    if ((rc = cli_open_current("key", path, &c)))
        return rc;
    if ((rc = cli_load_key("key", path))) {
        cli_close(&c);
        return rc;
    }
    /* After a crash mid-rotation both keys are loaded: just re-seal. */
    if (!crypt_rotating() && crypt_rotate_begin(path, err, sizeof err) != 0) {
        cli_close(&c);
        return cli_fail("key", "%s", err);
    }
    if (db_begin(c.db) != SQLITE_OK || store_reseal_all(c.db, crypt_reseal, &count) != SQLITE_OK ||
        db_commit(c.db) != SQLITE_OK) {
        db_rollback(c.db);
        cli_close(&c);
        return cli_fail("key", "re-sealing failed and was rolled back; the old key still opens everything");
    }
    if (crypt_rotate_finish(path, err, sizeof err) != 0) {
        cli_close(&c);
        return cli_fail("key", "%s (the data is sealed with the new key in %s.key.new)", err, path);
    }
    {
        audit_entry_t ae = {0, 0, "key.rotate", NULL, NULL, NULL, NULL, "cli"};
        audit_add(c.db, &ae);
    }
    printf("rotated: %lld protected values re-sealed under the new key\n", count);
    cli_close(&c);
    return 0;
}

static int cmd_audit(int argc, char **argv)
{
    static const struct option opts[] = {{"db", 1, 0, 'd'}, {"against", 1, 0, 'a'}, {"export", 0, 0, 'e'},
                                         {"help", 0, 0, 'h'}, {0}};
    const char *path = cli_default_db(), *against = NULL, *verb;
    char report[512];
    json_t *ext = NULL;
    dom_ctx_t c;
    int o, rc, export = 0;

    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (o == 'd')
            path = optarg;
        else if (o == 'a')
            against = optarg;
        else if (o == 'e')
            export = 1;
        else if (o == 'h') {
            printf("usage: homeward audit verify [--against CHECKPOINT.json] [--db PATH]\n"
                   "       homeward audit checkpoint [--export] [--db PATH]\n\n"
                   "verify replays the hash chain and every signed checkpoint and names the first\n"
                   "broken entry (exit 1 when broken). --against also checks a checkpoint exported\n"
                   "earlier and kept elsewhere, which reveals a rollback of the whole log.\n"
                   "checkpoint signs the current head now; --export prints it as JSON for a\n"
                   "partner organisation to keep.\n\n" HELP_DB);
            return 0;
        } else
            return cli_usage("audit", "unknown option");
    }
    if (optind >= argc)
        return cli_usage("audit", "say verify or checkpoint");
    verb = argv[optind];
    if (strcmp(verb, "verify") && strcmp(verb, "checkpoint"))
        return cli_usage("audit", "unknown action '%s'", verb);
    if (against) {
        json_error_t je;
        ext = json_load_file(against, 0, &je);
        if (!ext)
            return cli_usage("audit", "--against %s: not a JSON checkpoint (%s)", against, je.text);
    }
    if ((rc = cli_open_current("audit", path, &c)) || (rc = cli_load_key("audit", path))) {
        json_decref(ext);
        if (c.db)
            cli_close(&c);
        return rc;
    }
    if (strcmp(verb, "verify") == 0) {
        rc = audit_verify(c.db, ext, report, sizeof report);
        if (rc == 0)
            printf("%s\n", report);
        else
            fprintf(stderr, "homeward audit: %s\n", report);
        rc = rc == 0 ? 0 : 1;
    } else {
        if (db_begin(c.db) != SQLITE_OK || audit_checkpoint(c.db) != SQLITE_OK || db_commit(c.db) != SQLITE_OK) {
            db_rollback(c.db);
            rc = cli_fail("audit", "cannot write a checkpoint");
        } else {
            json_t *j = audit_checkpoint_json(c.db);
            if (export && j) {
                json_dumpf(j, stdout, JSON_INDENT(2));
                putchar('\n');
            } else if (j) {
                printf("checkpoint signed: %lld entries\n", (long long)json_integer_value(json_object_get(j, "size")));
            }
            json_decref(j);
        }
    }
    json_decref(ext);
    cli_close(&c);
    return rc;
}

/* ---- the table ---- */

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *help;
} commands[] = {
    {"init", cmd_init, "create a database with the gazetteer and an admin user"},
    {"migrate", cmd_migrate, "bring a database's schema up to this program's"},
    {"serve", cmd_serve, "serve the JSON API"},
    {"user", cmd_user, "add, list, disable users; set passwords"},
    {"token", cmd_token, "create and revoke API tokens for scripts"},
    {"audit", cmd_audit, "verify the audit log; sign and export its head"},
    {"key", cmd_key, "rotate the key that seals protected fields"},
    {"demo", cmd_demo, "fill a database with generated, clearly synthetic records"},
    {"erase", cmd_erase, "erase a record on a data-protection request"},
    {"retention", cmd_retention, "set how long closed records are kept"},
    {"purge", cmd_purge, "erase closed records past their retention"},
    {"match", cmd_match, "find the same person in a CSV of people, across scripts and spellings"},
    {"routes", cmd_routes, "print the API's route table (for tooling)"},
    {"version", cmd_version, "print the version"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: homeward COMMAND [OPTIONS]   (homeward COMMAND --help for more)\n\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].help);
    fprintf(f, "\nExit codes: 0 success, 1 failure, 2 usage error.\n");
}

int cli_main(int argc, char **argv)
{
    /* No global memory statistics: they serialise every SQLite allocation
     * behind one mutex. Must come before SQLite is first used. */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    db_memory_setup();
    if (sodium_init() < 0) {
        fprintf(stderr, "homeward: cannot initialise libsodium\n");
        return 1;
    }
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0)
        return cmd_version(0, NULL);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0) {
            optind = 1;
            return commands[i].run(argc - 1, argv + 1);
        }
    fprintf(stderr, "homeward: unknown command '%s' (see homeward --help)\n", argv[1]);
    return EXIT_USAGE;
}
