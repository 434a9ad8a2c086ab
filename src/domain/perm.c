/*
 * perm.c - the role and permission matrix of DESIGN.md (see perm.h).
 */
#include "perm.h"

#include <string.h>

const char *const perm_roles[] = {"admin", "registrar", "tracing_officer", "detention_officer",
                                  "monitor", "analyst", "auditor", NULL};

static const char *const names[PERM__COUNT] = {
    [PERM_PUBLIC] = "public",
    [PERM_AUTH] = "authenticated",
    [PERM_PERSON_READ] = "person.read",
    [PERM_PERSON_WRITE] = "person.write",
    [PERM_HOUSEHOLD_READ] = "household.read",
    [PERM_HOUSEHOLD_WRITE] = "household.write",
    [PERM_RETURN_READ] = "return.read",
    [PERM_RETURN_WRITE] = "return.write",
    [PERM_SETTLEMENT_READ] = "settlement.read",
    [PERM_USER_ADMIN] = "user.admin",
    [PERM_AUDIT_READ] = "audit.read",
    [PERM_DETAINEE_READ] = "detainee.read",
    [PERM_DETAINEE_WRITE] = "detainee.write",
    [PERM_TRACING_READ] = "tracing.read",
    [PERM_TRACING_WRITE] = "tracing.write",
    [PERM_INCIDENT_READ] = "incident.read",
    [PERM_INCIDENT_WRITE] = "incident.write",
    [PERM_LINK_READ] = "link.read",
    [PERM_LINK_WRITE] = "link.write",
    [PERM_COMMITMENT_READ] = "commitment.read",
    [PERM_COMMITMENT_WRITE] = "commitment.write",
    [PERM_INDICATOR_READ] = "indicator.read",
    [PERM_DUPLICATE_REVIEW] = "duplicate.review",
    [PERM_EXPORT] = "export",
    [PERM_ERASE] = "erase",
};

/* Which permissions each role holds beyond PERM_PUBLIC and PERM_AUTH. */
static const struct {
    const char *role;
    perm_t      perms[16];
} matrix[] = {
    {"registrar", {PERM_PERSON_READ, PERM_PERSON_WRITE, PERM_HOUSEHOLD_READ, PERM_HOUSEHOLD_WRITE,
                   PERM_RETURN_READ, PERM_RETURN_WRITE, PERM_SETTLEMENT_READ, PERM_DUPLICATE_REVIEW,
                   PERM_LINK_READ, PERM_INDICATOR_READ}},
    {"tracing_officer", {PERM_PERSON_READ, PERM_HOUSEHOLD_READ, PERM_RETURN_READ, PERM_SETTLEMENT_READ,
                         PERM_DETAINEE_READ, PERM_TRACING_READ, PERM_TRACING_WRITE, PERM_DUPLICATE_REVIEW,
                         PERM_INDICATOR_READ}},
    {"detention_officer", {PERM_PERSON_READ, PERM_SETTLEMENT_READ, PERM_DETAINEE_READ, PERM_DETAINEE_WRITE,
                           PERM_INDICATOR_READ}},
    {"monitor", {PERM_RETURN_READ, PERM_SETTLEMENT_READ, PERM_INCIDENT_READ, PERM_INCIDENT_WRITE, PERM_LINK_READ,
                 PERM_LINK_WRITE, PERM_COMMITMENT_READ, PERM_COMMITMENT_WRITE, PERM_INDICATOR_READ}},
    {"analyst", {PERM_SETTLEMENT_READ, PERM_INDICATOR_READ, PERM_LINK_READ, PERM_COMMITMENT_READ}},
    {"auditor", {PERM_AUDIT_READ}},
};

const char *perm_name(perm_t p)
{
    return p < PERM__COUNT ? names[p] : "?";
}

int perm_role_valid(const char *role)
{
    for (int i = 0; role && perm_roles[i]; i++)
        if (strcmp(perm_roles[i], role) == 0)
            return 1;
    return 0;
}

int perm_allows(const char *role, perm_t p)
{
    if (p == PERM_PUBLIC)
        return 1;
    if (!perm_role_valid(role))
        return 0;
    if (p == PERM_AUTH || strcmp(role, "admin") == 0)
        return 1;
    for (size_t i = 0; i < sizeof matrix / sizeof matrix[0]; i++) {
        if (strcmp(matrix[i].role, role) != 0)
            continue;
        for (size_t k = 0; k < sizeof matrix[i].perms / sizeof matrix[i].perms[0]; k++)
            if (matrix[i].perms[k] == p && p != PERM_PUBLIC)
                return 1;
    }
    return 0;
}

int perm_sees_protected(const char *role, const char *kind, const char *field)
{
    (void)field;
    if (!role)
        return 1;
    if (strcmp(role, "admin") == 0)
        return 1;
    /* Each protected field goes to the role whose work needs it, and only
     * with a stated purpose (see dom_get_revealed). */
    if (strcmp(kind, "person") == 0 || strcmp(kind, "household") == 0 || strcmp(kind, "return_case") == 0)
        return strcmp(role, "registrar") == 0;
    if (strcmp(kind, "detainee") == 0)
        return strcmp(role, "detention_officer") == 0;
    if (strcmp(kind, "tracing_request") == 0)
        return strcmp(role, "tracing_officer") == 0;
    if (strcmp(kind, "incident") == 0 || strcmp(kind, "incident_source") == 0)
        return strcmp(role, "monitor") == 0;
    return 0;
}
