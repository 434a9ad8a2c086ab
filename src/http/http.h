/*
 * http.h - Homeward's HTTP server on libmicrohttpd: one route table naming
 * method, path, handler, permission, CSRF rule and body limit, enforced by
 * the dispatcher before any handler runs; JSON bodies; RFC 9457 problem
 * answers; authentication by session cookie or bearer token.
 */
#ifndef HW_HTTP_H
#define HW_HTTP_H

#include <jansson.h>
#include <sqlite3.h>
#include <stddef.h>

#include "domain/domain.h"
#include "domain/perm.h"

typedef struct http_req http_req_t;
typedef void (*http_handler_t)(http_req_t *r);

/* One entry of the route table. */
typedef struct http_route {
    const char    *method;   /* "GET", "POST", "PATCH", "DELETE" */
    const char    *path;     /* "/api/v1/persons/{id}": {x} matches one segment */
    http_handler_t handler;  /* answers with http_json / http_problem */
    perm_t         perm;     /* the permission a caller needs */
    size_t         body_max; /* largest body accepted; 0: no body */
    const char    *summary;  /* one line for the API description */
} http_route_t;

#define HTTP_MAX_PARAMS 4

/* Server settings. */
typedef struct http_config {
    const char         *listen;  /* "127.0.0.1:8080", "[::1]:8080" */
    const char         *db_path; /* the SQLite file */
    int                 threads; /* worker threads (and connections) */
    const http_route_t *routes;  /* terminated by a NULL method */
    const char         *tls_cert; /* PEM certificate file, or NULL for plain HTTP */
    const char         *tls_key;  /* PEM private key file, with tls_cert */
    const char         *run_as;   /* when started as root: the user to become
                                   * after binding (default "nobody") */
} http_config_t;

/* Run the server until SIGINT or SIGTERM; prints the URL on stdout once
 * listening. Returns 0 on a clean stop, 1 when it could not start. */
int http_serve(const http_config_t *cfg);

/* What a handler may read. */
const char *http_param(http_req_t *r, int i);       /* i-th {x} of the path */
const char *http_query(http_req_t *r, const char *k);/* a query argument or NULL */
json_t *http_queries(http_req_t *r);                 /* all query arguments (new ref) */
json_t *http_body(http_req_t *r);                    /* the parsed JSON body or NULL */
const char *http_header(http_req_t *r, const char *k);
dom_ctx_t *http_ctx(http_req_t *r);                  /* who acts, on which connection */
/* The version in If-Match ("3", W/"3" or 3), -1 when absent, -2 when malformed. */
long long http_if_match(http_req_t *r);
long long http_session_id(http_req_t *r);            /* 0 for token callers */
const char *http_route_path(http_req_t *r);          /* the matched route's path pattern */
const char *http_client(http_req_t *r);              /* the client's address */
/* Set the session cookie (value NULL: clear it). */
void http_set_session_cookie(http_req_t *r, const char *value);

/* Answers. Each handler calls exactly one of them. json is stolen. */
void http_json(http_req_t *r, int status, json_t *json);
/* A JSON record with an ETag from its "version" member. */
void http_record(http_req_t *r, int status, json_t *json);
/* The same for a record already written as JSON text (escaped as jsonout.h
 * writes it; taken and freed), at this version. */
void http_record_text(http_req_t *r, int status, char *text, size_t len, long long version);
void http_problem(http_req_t *r, int status, const char *field, const char *detail);
void http_dom_error(http_req_t *r, dom_err_t *err);
/* Add a header to the answer about to be made (before http_json). */
void http_add_header(http_req_t *r, const char *k, const char *v);
/* The route table the server runs, for the API description. */
const http_route_t *http_routes(void);

#endif
