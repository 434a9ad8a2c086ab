/*
 * cli_data.c - the data-protection commands: `homeward erase`,
 * `homeward retention` and `homeward purge`.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_internal.h"
#include "domain/domain.h"

#define HELP_DB "  --db PATH       the database file (default: $HOMEWARD_DB or ./homeward.db)\n"

static const dom_entity_t *entity(const char *kind)
{
    if (strcmp(kind, "person") == 0)
        return &dom_person;
    if (strcmp(kind, "household") == 0)
        return &dom_household;
    if (strcmp(kind, "return_case") == 0)
        return &dom_return;
    return NULL;
}

int cmd_erase(int argc, char **argv)
{
    static const struct option opts[] = {{"db", 1, 0, 'd'}, {"reason", 1, 0, 'r'}, {"help", 0, 0, 'h'}, {0}};
    const char *path = cli_default_db(), *reason = NULL;
    const dom_entity_t *d;
    dom_err_t err = {0};
    dom_ctx_t c;
    int o, rc;

    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (o == 'd')
            path = optarg;
        else if (o == 'r')
            reason = optarg;
        else if (o == 'h') {
            printf("usage: homeward erase KIND ID --reason CODE [--db PATH]\n\n"
                   "Erase a record on a data-protection request: the record, its protected fields\n"
                   "and its history go; the audit log keeps the fact and the id. KIND is person,\n"
                   "household or return_case; CODE is data_subject_request, registered_in_error,\n"
                   "court_order or retention.\n\n" HELP_DB);
            return 0;
        } else
            return cli_usage("erase", "unknown option");
    }
    if (optind + 2 > argc)
        return cli_usage("erase", "give the kind and the id");
    d = entity(argv[optind]);
    if (!d)
        return cli_usage("erase", "kind must be person, household or return_case");
    if (!reason)
        return cli_usage("erase", "--reason is required");
    if ((rc = cli_open_current("erase", path, &c)))
        return rc;
    c.client = "cli";
    if (dom_erase(&c, d, argv[optind + 1], reason, &err) != 0) {
        cli_print_dom_error("erase", &err);
        rc = 1;
    } else {
        printf("erased %s %s\n", argv[optind], argv[optind + 1]);
    }
    cli_close(&c);
    return rc;
}

int cmd_retention(int argc, char **argv)
{
    static const struct option opts[] = {{"db", 1, 0, 'd'}, {"help", 0, 0, 'h'}, {0}};
    const char *path = cli_default_db();
    dom_err_t err = {0};
    dom_ctx_t c;
    int o, rc;

    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (o == 'd')
            path = optarg;
        else if (o == 'h') {
            printf("usage: homeward retention set KIND DAYS [--db PATH]\n"
                   "       homeward retention list [--db PATH]\n\n"
                   "How long closed records of each kind (person, household, return_case) are kept\n"
                   "after their last change; 0 keeps them indefinitely (the default). `homeward\n"
                   "purge` erases what has passed it. Active records are never purged.\n\n" HELP_DB);
            return 0;
        } else
            return cli_usage("retention", "unknown option");
    }
    if (optind >= argc || (strcmp(argv[optind], "set") && strcmp(argv[optind], "list")))
        return cli_usage("retention", "say set or list");
    if (strcmp(argv[optind], "set") == 0) {
        char *end;
        long days;
        if (optind + 3 > argc)
            return cli_usage("retention", "set needs KIND and DAYS");
        days = strtol(argv[optind + 2], &end, 10);
        if (*end || end == argv[optind + 2])
            return cli_usage("retention", "DAYS must be a whole number");
        if ((rc = cli_open_current("retention", path, &c)))
            return rc;
        rc = dom_retention_set(&c, argv[optind + 1], days, &err);
        if (rc) {
            /* A wrong kind or number is a usage error. */
            rc = err.status == DOM_INVALID ? EXIT_USAGE : 1;
            cli_print_dom_error("retention", &err);
        } else {
            printf("retention of %s: %s\n", argv[optind + 1], days ? argv[optind + 2] : "indefinite");
        }
        cli_close(&c);
        return rc;
    }
    if ((rc = cli_open_current("retention", path, &c)))
        return rc;
    {
        json_t *l = dom_retention_list(&c);
        json_dumpf(l, stdout, JSON_INDENT(2));
        putchar('\n');
        json_decref(l);
    }
    cli_close(&c);
    return 0;
}

int cmd_purge(int argc, char **argv)
{
    static const struct option opts[] = {{"db", 1, 0, 'd'}, {"dry-run", 0, 0, 'n'}, {"help", 0, 0, 'h'}, {0}};
    const char *path = cli_default_db();
    dom_err_t err = {0};
    dom_ctx_t c;
    json_t *report;
    int o, rc, dry = 0;

    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (o == 'd')
            path = optarg;
        else if (o == 'n')
            dry = 1;
        else if (o == 'h') {
            printf("usage: homeward purge [--dry-run] [--db PATH]\n\n"
                   "Erase every closed record that has passed its kind's retention period (see\n"
                   "homeward retention), each with an audit entry, and stale sessions. Prints the\n"
                   "counts as JSON; --dry-run only counts.\n\n" HELP_DB);
            return 0;
        } else
            return cli_usage("purge", "unknown option");
    }
    if ((rc = cli_open_current("purge", path, &c)))
        return rc;
    if ((rc = cli_load_key("purge", path))) {
        cli_close(&c);
        return rc;
    }
    report = dom_purge(&c, dry, &err);
    if (!report) {
        cli_print_dom_error("purge", &err);
        rc = 1;
    } else {
        json_object_set_new(report, "dry_run", json_boolean(dry));
        json_dumpf(report, stdout, JSON_COMPACT);
        putchar('\n');
        json_decref(report);
    }
    cli_close(&c);
    return rc;
}
