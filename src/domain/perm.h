/*
 * perm.h - roles and permissions: deny by default. The route table names
 * one permission per route; the dispatcher asks perm_allows before any
 * handler runs. Record-level rules live with each entity.
 */
#ifndef HW_PERM_H
#define HW_PERM_H

typedef enum perm {
    PERM_PUBLIC,          /* no login needed (health, login, API description) */
    PERM_AUTH,            /* any logged-in user (own session, own tokens) */
    PERM_PERSON_READ,
    PERM_PERSON_WRITE,
    PERM_HOUSEHOLD_READ,
    PERM_HOUSEHOLD_WRITE,
    PERM_RETURN_READ,
    PERM_RETURN_WRITE,
    PERM_SETTLEMENT_READ,
    PERM_USER_ADMIN,      /* users and organisations */
    PERM_AUDIT_READ,
    PERM_DETAINEE_READ,
    PERM_DETAINEE_WRITE,
    PERM_TRACING_READ,
    PERM_TRACING_WRITE,   /* tracing requests, their matches and reviews */
    PERM_INCIDENT_READ,
    PERM_INCIDENT_WRITE,
    PERM_LINK_READ,
    PERM_LINK_WRITE,
    PERM_COMMITMENT_READ,
    PERM_COMMITMENT_WRITE,
    PERM_INDICATOR_READ,  /* aggregates: counts, durations, no names */
    PERM_DUPLICATE_REVIEW,/* the duplicate review queue: merge, reject */
    PERM_EXPORT,          /* bulk exports */
    PERM_ERASE,           /* erasure on a data-protection request */
    PERM__COUNT
} perm_t;

/* The permission's name, e.g. "person.read". */
const char *perm_name(perm_t p);
/* 1 when role holds permission p. NULL role holds only PERM_PUBLIC. */
int perm_allows(const char *role, perm_t p);
/* 1 when role is one of the seven roles. */
int perm_role_valid(const char *role);
/* The roles, NULL-terminated. */
extern const char *const perm_roles[];
/* 1 when role may see protected field `field` of records of `kind`.
 * A NULL role is the system itself (command-line jobs) and sees all. */
int perm_sees_protected(const char *role, const char *kind, const char *field);

#endif
