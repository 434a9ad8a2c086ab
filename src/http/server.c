/*
 * server.c - the HTTP server (see http.h).
 *
 * A request's state lives in a http_req_t hung on libmicrohttpd's req_cls:
 * created on the first call (route matched, body limit checked), fed with
 * body chunks, dispatched on the last call (authentication, permission,
 * CSRF, JSON parsing, then the handler), freed in the completion callback.
 * A worker (database connection and text folder) is held only while the
 * handler runs.
 */
#include "http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <sodium.h>
#include <netdb.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "sec/auth.h"
#include "store/auth_store.h"
#include "store/db.h"
#include "store/keymap.h"
#include "util/buf.h"
#include "util/jsonout.h"
#include "util/log.h"

/* A database connection and the per-thread helpers that go with it. */
/* A bearer token this worker has looked up, with the user it stands for. */
typedef struct token_seen {
    unsigned char hash[32];    /* of the secret; all zero when the slot is free */
    long long     id;          /* api_tokens key */
    auth_user_t   user;        /* its user as read then */
    char          expires[32]; /* expires_at, "" for never */
    time_t        touched;     /* last_used_at as this worker knows it; 0 for never */
} token_seen_t;

#define TOKENS_SEEN 8

typedef struct worker {
    int            writes;     /* serves writes (1) or reads (0) */
    int            home;       /* a reader kept by one network thread */
    sqlite3       *db;
    text_folder_t *folder;
    dom_ctx_t      base;       /* the domain's per-worker resources (matcher) */
    token_seen_t   seen[TOKENS_SEEN]; /* tokens looked up since the database last changed */
    long long      seen_data;  /* PRAGMA data_version when they were */
    long long      seen_own;   /* and this connection's sqlite3_total_changes64 */
    int            seen_now;   /* checked against the database in this snapshot */
    db_snapshot_t  snap;       /* a reader's read transaction, kept between requests */
    pthread_mutex_t use;       /* a reader's: held by its request, or by the sweeper */
} worker_t;

/* The memory libmicrohttpd gives each connection for its request's header,
 * the body as it arrives and the response's header (its default is 32 KiB).
 * It clears all of it before each request on a connection (memorypool.c,
 * MHD_pool_reset): 3% of the server's time for a GET (perf) with 32 KiB.
 * The headers of a request may still take 8 KiB, what common servers allow
 * (nginx, Apache).
 * Bodies arrive in pieces of what is left, so their limits are the routes'. */
#define CONNECTION_MEMORY (16 * 1024)

/* Writes have threads and database connections of their own (see below). */
#define WRITERS 16

/* A write's way through the write threads. */
enum { DEFER_NO, DEFER_RUNNING, DEFER_ANSWERED };

typedef struct server {
    const http_config_t *cfg;
    int                  tls;     /* serving HTTPS */
    pthread_mutex_t      lock;
    pthread_cond_t       freed[2]; /* a reader / a writer was put back */
    worker_t            *workers; /* all of them */
    worker_t           **idle[2]; /* stacks of idle readers [0] and writers [1] */
    int                  nworkers, nidle[2];
    int                  nreaders; /* workers[0 .. nreaders - 1] are the readers */
    struct route_shape  *shapes;  /* per route of cfg->routes, in order */
    /* Writes waiting for a write thread (see "writes off the network threads") */
    pthread_cond_t       queued;  /* a write was queued, or stopping */
    pthread_cond_t       settled; /* a deferred write was answered */
    struct http_req     *qhead, *qtail;
    int                  deferred; /* writes suspended and not yet answered */
    int                  stopping; /* no more writes are taken */
    pthread_t            writers[WRITERS];
    int                  nwriters;
    /* Kept read snapshots are let go when stale or idle (see db.c) */
    pthread_t            sweeper;
    pthread_cond_t       sweep;    /* signalled to stop it */
    int                  sweeping;
    int                  sweep_made; /* sweep was initialised */
} server_t;

struct http_req {
    server_t                *srv;
    struct MHD_Connection   *conn;
    const http_route_t      *route;       /* NULL when none matched */
    char                     method[8];
    char                    *path;        /* owned copy */
    char                    *params[HTTP_MAX_PARAMS];
    buf_t                    body;        /* the body as it arrives */
    int                      too_big;     /* the body passed the route's limit */
    json_t                  *json;        /* the parsed body */
    worker_t                *worker;      /* held while the handler runs */
    int                      lent;        /* it came from reader_for_row() */
    dom_ctx_t                ctx;         /* who acts */
    auth_user_t              user;        /* the caller, when authenticated */
    long long                session_id;  /* 0 for bearer tokens */
    char                     client[64];  /* client address */
    struct MHD_Response     *resp;        /* the answer being built */
    int                      status;      /* its status */
    struct timespec          start;       /* for the log */
    int                      answered;    /* a response was made */
    int                      deferred;    /* DEFER_*: where a write is */
    struct http_req         *next;        /* in the write queue */
    char                    *extra_headers[4][2]; /* name, value: owned copies */
    int                      nextra;
};

static const http_route_t *routes_in_use;

const http_route_t *http_routes(void)
{
    return routes_in_use;
}

/* ---- workers ----
 * A worker is a database connection with its helpers, lent to one request
 * at a time. Reads get one of a few readers, each with a large page cache,
 * one per network thread. A write holds its worker (and its thread) until
 * the group commit that carries it is on disk, so writes get workers of
 * their own, many with a small cache, each used by one write thread: as
 * many writes as there are writers wait for one commit, which is what makes
 * one fsync serve many of them. */
static _Thread_local worker_t *home;        /* this network thread's own reader */
static _Thread_local server_t *home_server; /* of which server */

static worker_t *worker_get(server_t *s, int writes)
{
    worker_t *w;

    /* A network thread keeps the first reader it gets: its prepared
     * statements, page cache and the memory SQLite reuses (store/sqlmem.c)
     * then stay with one thread, and a read takes no lock. There is a
     * reader for each network thread and one spare, which any other thread
     * that reads borrows and gives back. */
    if (!writes && home && home_server == s)
        return home;
    pthread_mutex_lock(&s->lock);
    if (!writes && s->nidle[0] > 1) {
        w = s->idle[0][--s->nidle[0]];
        pthread_mutex_unlock(&s->lock);
        w->home = 1;
        home = w;
        home_server = s;
        return w;
    }
    while (s->nidle[writes] == 0)
        pthread_cond_wait(&s->freed[writes], &s->lock);
    w = s->idle[writes][--s->nidle[writes]];
    pthread_mutex_unlock(&s->lock);
    return w;
}

/* Gives w back. A reader must have been let go already (its lock is not
 * held here, and another thread may be using it). */
static void worker_put(server_t *s, worker_t *w)
{
    if (w->writes)
        db_rollback(w->db); /* never hand on a write */
    if (w->home)
        return;
    pthread_mutex_lock(&s->lock);
    s->idle[w->writes][s->nidle[w->writes]++] = w;
    pthread_cond_signal(&s->freed[w->writes]);
    pthread_mutex_unlock(&s->lock);
}

/* The reader for a read of the record in row `row` of its table, when it
 * is free at once; NULL when it is not (the caller's own reader serves).
 * Each reader has a page cache of its own, and one reader for every read
 * would make each cache hold pages of every part of the tables: a page
 * would be read from the OS once for each reader that needs it, and most
 * reads would find theirs in no cache. Rows in runs of 64 go to the
 * readers in turn, so that the caches hold different pages. */
static worker_t *reader_for_row(server_t *s, long long row)
{
    worker_t *w;

    if (row <= 0 || s->nreaders < 2)
        return NULL;
    w = &s->workers[(unsigned long long)row / 64 % (unsigned)s->nreaders];
    return pthread_mutex_trylock(&w->use) == 0 ? w : NULL;
}

/* ---- what handlers read ---- */

const char *http_param(http_req_t *r, int i)
{
    return i >= 0 && i < HTTP_MAX_PARAMS ? r->params[i] : NULL;
}

const char *http_query(http_req_t *r, const char *k)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, k);
}

static enum MHD_Result add_query(void *cls, enum MHD_ValueKind kind, const char *k, const char *v)
{
    (void)kind;
    json_object_set_new((json_t *)cls, k, json_string(v ? v : ""));
    return MHD_YES;
}

json_t *http_queries(http_req_t *r)
{
    json_t *o = json_object();

    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, add_query, o);
    return o;
}

json_t *http_body(http_req_t *r)
{
    return r->json;
}

const char *http_header(http_req_t *r, const char *k)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, k);
}

dom_ctx_t *http_ctx(http_req_t *r)
{
    return &r->ctx;
}

long long http_session_id(http_req_t *r)
{
    return r->session_id;
}

const char *http_route_path(http_req_t *r)
{
    return r->route ? r->route->path : "";
}

const char *http_client(http_req_t *r)
{
    return r->client;
}

void http_set_session_cookie(http_req_t *r, const char *value)
{
    char c[160];
    const char *secure = r->srv->tls ? "; Secure" : "";

    if (value)
        snprintf(c, sizeof c, "hw_session=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200%s", value, secure);
    else
        snprintf(c, sizeof c, "hw_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0%s", secure);
    http_add_header(r, MHD_HTTP_HEADER_SET_COOKIE, c);
}

long long http_if_match(http_req_t *r)
{
    const char *h = http_header(r, MHD_HTTP_HEADER_IF_MATCH);
    char *end;
    long long v;
    int quoted;

    if (!h)
        return -1;
    if (strncmp(h, "W/", 2) == 0)
        h += 2;
    quoted = *h == '"';
    h += quoted;
    /* Digits only (strtoll alone would take spaces and signs), and a
     * closing quote exactly when there was an opening one. */
    if (*h < '0' || *h > '9')
        return -2;
    v = strtoll(h, &end, 10);
    if (v < 0 || strcmp(end, quoted ? "\"" : "") != 0)
        return -2;
    return v;
}

/* ---- answers ---- */

static void security_headers(struct MHD_Response *resp)
{
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
}

void http_add_header(http_req_t *r, const char *k, const char *v)
{
    if (r->nextra >= 4)
        return;
    r->extra_headers[r->nextra][0] = strdup(k);
    r->extra_headers[r->nextra][1] = strdup(v);
    if (!r->extra_headers[r->nextra][0] || !r->extra_headers[r->nextra][1]) {
        free(r->extra_headers[r->nextra][0]);
        free(r->extra_headers[r->nextra][1]);
        r->extra_headers[r->nextra][0] = r->extra_headers[r->nextra][1] = NULL;
        return;
    }
    r->nextra++;
}

static void answer(http_req_t *r, int status, const char *type, char *text, size_t len)
{
    struct MHD_Response *resp;

    if (r->answered) {
        free(text);
        return;
    }
    resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(text);
        return;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    security_headers(resp);
    if (r->srv->tls)
        MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000; includeSubDomains");
    for (int i = 0; i < r->nextra; i++)
        MHD_add_response_header(resp, r->extra_headers[i][0], r->extra_headers[i][1]);
    r->status = status;
    r->answered = 1;
    if (r->deferred) { /* a write thread: the network thread sends it */
        r->resp = resp;
        return;
    }
    MHD_queue_response(r->conn, (unsigned)status, resp);
    MHD_destroy_response(resp);
}

void http_json(http_req_t *r, int status, json_t *json)
{
    size_t len = 0;
    char *text = json_out(json, &len); /* <, > and & escaped: never markup */

    json_decref(json);
    if (!text) {
        http_problem(r, 500, NULL, "the answer could not be made");
        return;
    }
    answer(r, status, "application/json; charset=utf-8", text, len);
}

/* "N", the ETag of version N, into out (24 bytes). */
static void etag_of(char *out, long long version)
{
    char digits[24], *d = digits + sizeof digits;
    unsigned long long v = version < 0 ? 0 : (unsigned long long)version;

    do
        *--d = (char)('0' + v % 10);
    while (v /= 10);
    *out++ = '"';
    memcpy(out, d, (size_t)(digits + sizeof digits - d));
    out += digits + sizeof digits - d;
    *out++ = '"';
    *out = '\0';
}

void http_record(http_req_t *r, int status, json_t *json)
{
    char etag[24];

    etag_of(etag, (long long)json_integer_value(json_object_get(json, "version")));
    http_add_header(r, MHD_HTTP_HEADER_ETAG, etag);
    http_json(r, status, json);
}

void http_record_text(http_req_t *r, int status, char *text, size_t len, long long version)
{
    char etag[24];

    etag_of(etag, version);
    http_add_header(r, MHD_HTTP_HEADER_ETAG, etag);
    answer(r, status, "application/json; charset=utf-8", text, len);
}

static const char *status_title(int status)
{
    switch (status) {
    case 400: return "Bad request";
    case 401: return "Not logged in";
    case 403: return "Forbidden";
    case 404: return "Not found";
    case 405: return "Method not allowed";
    case 409: return "Conflict";
    case 412: return "Precondition failed";
    case 413: return "Body too large";
    case 415: return "Unsupported media type";
    case 422: return "Invalid field";
    case 428: return "Precondition required";
    case 429: return "Too many requests";
    default:  return "Internal error";
    }
}

static void problem(http_req_t *r, int status, const char *field, const char *detail, json_t *errors,
                    json_t *extra)
{
    json_t *p = json_pack("{s:s, s:s, s:i, s:s}", "type", "about:blank", "title", status_title(status),
                          "status", status, "detail", detail ? detail : status_title(status));
    char *text;

    if (field && *field)
        json_object_set_new(p, "field", json_string(field));
    if (errors)
        json_object_set(p, "errors", errors);
    if (extra)
        json_object_update(p, extra);
    if (status >= 500) {
        /* The client gets an id to quote; the log gets the same id. */
        char id[17];
        unsigned char raw[8];
        randombytes_buf(raw, sizeof raw);
        sodium_bin2hex(id, sizeof id, raw, sizeof raw);
        json_object_set_new(p, "error_id", json_string(id));
        log_error("error %s: %s %s: %s", id, r->method, r->path, detail ? detail : "");
    }
    text = json_out(p, NULL);
    json_decref(p);
    if (text)
        answer(r, status, "application/problem+json", text, strlen(text));
}

void http_problem(http_req_t *r, int status, const char *field, const char *detail)
{
    /* A problem naming a field lists it in errors[] too, as domain errors do. */
    json_t *errors = field && *field ? json_pack("[{s:s, s:s}]", "field", field, "detail",
                                                 detail ? detail : status_title(status))
                                     : NULL;

    problem(r, status, field, detail, errors, NULL);
    json_decref(errors);
}

void http_dom_error(http_req_t *r, dom_err_t *err)
{
    int status = err->status ? err->status : 500;
    json_t *retry = json_object_get(err->extra, "retry_after");

    if (status == 429 && json_is_integer(retry)) {
        char v[24];
        snprintf(v, sizeof v, "%lld", (long long)json_integer_value(retry));
        http_add_header(r, "Retry-After", v);
    }
    if (status == 500)
        problem(r, 500, NULL, "the request could not be completed; it was not applied", NULL, NULL);
    else
        problem(r, status, err->field, err->detail, err->errors, err->extra);
    dom_err_clear(err);
}

/* ---- routing ---- */

/* Match path against pattern; on success, when params is given, fill it
 * with owned copies of the {parameters}. Matching alone allocates nothing:
 * every request tries the whole table. */
static int path_match(const char *pattern, const char *path, char **params)
{
    int n = 0;

    while (*pattern && *path) {
        if (*pattern == '{') {
            const char *end = strchr(path, '/');
            size_t len = end ? (size_t)(end - path) : strlen(path);

            if (len == 0 || n >= HTTP_MAX_PARAMS)
                goto fail;
            if (params)
                params[n] = strndup(path, len);
            n++;
            path += len;
            pattern = strchr(pattern, '}');
            if (!pattern)
                goto fail;
            pattern++;
        } else if (*pattern++ != *path++) {
            goto fail;
        }
    }
    if (*pattern == '\0' && *path == '\0')
        return 1;
fail:
    for (int i = 0; params && i < n; i++) {
        free(params[i]);
        params[i] = NULL;
    }
    return 0;
}

/* What route_find needs to know of a pattern, worked out once: how long
 * its literal start is (compared with memcmp before anything else) and how
 * many {parameters} it has. */
struct route_shape {
    size_t literal; /* bytes before the first '{' */
    int    params;  /* number of {parameters} */
};

static struct route_shape *route_shapes(const http_route_t *routes)
{
    size_t n = 0;
    struct route_shape *sh;

    while (routes[n].method)
        n++;
    sh = calloc(n + 1, sizeof *sh);
    for (size_t i = 0; sh && i < n; i++) {
        sh[i].literal = strcspn(routes[i].path, "{");
        for (const char *p = routes[i].path; *p; p++)
            sh[i].params += *p == '{';
    }
    return sh;
}

static int route_fits(const http_route_t *rt, const struct route_shape *sh, const char *path, size_t len)
{
    return len >= sh->literal && memcmp(rt->path, path, sh->literal) == 0 && path_match(rt->path, path, NULL);
}

/* The route for method and path. Where several patterns fit the path, the
 * one with fewer {parameters} wins (/links/all-open before /links/{id}).
 * When none has the method, *path_known says the path exists and allow
 * lists the methods it takes. */
static const http_route_t *route_find(const server_t *s, const char *method, const char *path, char **params,
                                      int *path_known, buf_t *allow)
{
    const http_route_t *routes = s->cfg->routes;
    size_t len = strlen(path);
    int best = -1;

    *path_known = 0;
    for (int i = 0; routes[i].method; i++)
        if ((best < 0 || s->shapes[i].params < best) && route_fits(&routes[i], &s->shapes[i], path, len))
            best = s->shapes[i].params;
    if (best < 0)
        return NULL;
    *path_known = 1;
    for (int i = 0; routes[i].method; i++) {
        if (s->shapes[i].params != best || !route_fits(&routes[i], &s->shapes[i], path, len))
            continue;
        if (strcmp(routes[i].method, method) == 0)
            return path_match(routes[i].path, path, params) ? &routes[i] : NULL;
        if (allow->len)
            buf_puts(allow, ", ");
        buf_puts(allow, routes[i].method);
    }
    return NULL;
}

/* ---- authentication ---- */

static const char *cookie_value(http_req_t *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

/* An ISO time of ours as seconds since the epoch; 0 when empty or bad. */
static time_t iso_seconds(const char *s)
{
    struct tm t = {0};

    return s && strptime(s, "%Y-%m-%dT%H:%M:%S", &t) ? timegm(&t) : 0;
}

/* Seconds between two ISO times of ours (b - a); 0 when either is bad. */
static long seconds_between(const char *a, const char *b)
{
    time_t ta = iso_seconds(a), tb = iso_seconds(b);

    return ta && tb ? (long)(tb - ta) : 0;
}

#define SESSION_IDLE_SECONDS (30 * 60)
#define TOUCH_EVERY_SECONDS 60

/* ---- bearer tokens seen ----
 * Looking a token up (with its user) was a tenth of the cost of a read.
 * Each worker remembers the tokens it has seen for as long as the database
 * has not changed at all: PRAGMA data_version moves when any other
 * connection commits (the writer, another worker, the command line), and
 * sqlite3_total_changes64 when this one writes. So a revoked token, a
 * disabled user or a changed role is never served from memory. */
static void tokens_forget(worker_t *w)
{
    sodium_memzero(w->seen, sizeof w->seen);
}

/* Empty the worker's tokens when the database changed since they were seen. */
static void tokens_check(worker_t *w)
{
    long long data = db_int(w->db, "PRAGMA data_version", NULL, -1);
    long long own = (long long)sqlite3_total_changes64(w->db);

    if (data != w->seen_data || own != w->seen_own || data < 0) {
        tokens_forget(w);
        w->seen_data = data;
        w->seen_own = own;
    }
}

static token_seen_t *tokens_find(worker_t *w, const unsigned char hash[32])
{
    for (int i = 0; i < TOKENS_SEEN; i++)
        if (sodium_memcmp(w->seen[i].hash, hash, 32) == 0)
            return &w->seen[i];
    return NULL;
}

/* The token with this hash, looked up in the store when not seen. */
static token_seen_t *tokens_get(worker_t *w, const unsigned char hash[32], const char *now)
{
    token_seen_t *t, fresh = {0};
    char last[32];

    if (!w->snap.open || !w->seen_now) {
        tokens_check(w);
        w->seen_now = 1;
    }
    t = tokens_find(w, hash);
    if (t && (!*t->expires || strcmp(t->expires, now) > 0))
        return t;
    if (store_token_lookup(w->db, hash, now, &fresh.user, &fresh.id, last, fresh.expires) != 0) {
        sodium_memzero(&fresh, sizeof fresh);
        return NULL;
    }
    fresh.touched = iso_seconds(last);
    memcpy(fresh.hash, hash, 32);
    t = &w->seen[hash[0] % TOKENS_SEEN]; /* the hash is uniform: any slot will do */
    *t = fresh;
    sodium_memzero(&fresh, sizeof fresh);
    return t;
}

/* Returns 1 when the caller is known (fills r->user), 0 when not. */
static int authenticate(http_req_t *r)
{
    const char *h = http_header(r, MHD_HTTP_HEADER_AUTHORIZATION);
    const char *cookie = cookie_value(r, "hw_session");
    unsigned char hash[32];
    char now[32], last[32] = "", csrf[64];
    sqlite3 *db = r->worker->db;
    long long id;

    db_now(now);
    if (h && strncasecmp(h, "Bearer ", 7) == 0) {
        token_seen_t *t;

        auth_secret_hash(h + 7, hash);
        t = tokens_get(r->worker, hash, now);
        if (!t)
            return 0;
        r->user = t->user;
        if (!t->touched || time(NULL) - t->touched > TOUCH_EVERY_SECONDS) {
            /* Our own write: the tokens seen stay good. */
            store_token_touch(db, t->id, now);
            t->touched = time(NULL);
            r->worker->seen_own = (long long)sqlite3_total_changes64(db);
        }
        return 1;
    }
    if (cookie) {
        auth_secret_hash(cookie, hash);
        if (store_session_lookup(db, hash, now, &r->user, &id, csrf, last) != 0)
            return 0;
        if (seconds_between(last, now) > SESSION_IDLE_SECONDS) {
            store_session_delete(db, id);
            return 0;
        }
        if (seconds_between(last, now) > TOUCH_EVERY_SECONDS)
            store_session_touch(db, id, now);
        r->session_id = id;
        return 1;
    }
    return 0;
}

/* Cookie-authenticated writes must come from our own pages: the Origin
 * (or Referer) must name this host. */
static int csrf_ok(http_req_t *r)
{
    const char *origin = http_header(r, "Origin");
    const char *host = http_header(r, MHD_HTTP_HEADER_HOST);
    const char *p;

    if (!origin || !host)
        return 0;
    p = strstr(origin, "://");
    return p && strcmp(p + 3, host) == 0;
}

/* application/json or application/merge-patch+json, with parameters
 * (; charset=utf-8) but nothing glued on (application/jsonx). */
static int is_json_type(const char *ct)
{
    static const char *const types[] = {"application/json", "application/merge-patch+json"};

    if (!ct)
        return 0;
    for (int i = 0; i < 2; i++) {
        size_t n = strlen(types[i]);
        if (strncasecmp(ct, types[i], n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' '))
            return 1;
    }
    return 0;
}

/* Finds the first query parameter whose name or value is not UTF-8 text:
 * http_queries() could not carry it (jansson refuses such strings), so a
 * filter would be dropped silently and the list widened. */
static enum MHD_Result check_query(void *cls, enum MHD_ValueKind kind, const char *k, const char *v)
{
    const char **bad = cls;

    (void)kind;
    if (!text_valid(k, strlen(k), 0) || (v && !text_valid(v, strlen(v), 1))) {
        *bad = k;
        return MHD_NO;
    }
    return MHD_YES;
}

/* ---- dispatch ---- */

static void dispatch(http_req_t *r)
{
    const http_route_t *rt = r->route;
    int safe = strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0;

    /* A read of a record whose row is known goes to that row's reader if
     * it is free, else to this thread's own. A reader is only ever used
     * with its lock held (the home reader's too). */
    r->worker = safe && r->params[0] ? reader_for_row(r->srv, keymap_get(r->params[0])) : NULL;
    r->lent = r->worker != NULL;
    if (!r->worker) {
        r->worker = worker_get(r->srv, !safe);
        if (safe)
            pthread_mutex_lock(&r->worker->use);
    }
    r->ctx.db = r->worker->db;
    r->ctx.folder = r->worker->folder;
    r->ctx.matcher = r->worker->base.matcher;
    /* A read sees one snapshot, kept from the last read while nothing was
     * committed since (authentication included; its rare last-seen update
     * is best effort, and ends the snapshot). */
    if (safe) {
        if (db_snapshot_use(r->ctx.db, &r->worker->snap))
            r->worker->seen_now = 0;
    }
    r->ctx.client = r->client;

    if (rt->perm != PERM_PUBLIC || http_header(r, MHD_HTTP_HEADER_AUTHORIZATION) ||
        cookie_value(r, "hw_session")) {
        if (!authenticate(r)) {
            if (rt->perm != PERM_PUBLIC) {
                http_add_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"homeward\"");
                http_problem(r, 401, NULL, "log in (POST /api/v1/sessions) or send a bearer token");
                goto done;
            }
        } else {
            r->ctx.user_id = r->user.id;
            r->ctx.org_id = r->user.org_id;
            r->ctx.username = r->user.username;
            r->ctx.role = r->user.role;
        }
    }
    if (!perm_allows(r->ctx.role, rt->perm)) {
        char msg[128];
        snprintf(msg, sizeof msg, "this needs the %s permission, which the %s role does not have",
                 perm_name(rt->perm), r->ctx.role ? r->ctx.role : "anonymous");
        http_problem(r, 403, NULL, msg);
        goto done;
    }
    if (!safe && r->session_id &&
        (!csrf_ok(r) || !is_json_type(http_header(r, MHD_HTTP_HEADER_CONTENT_TYPE)))) {
        http_problem(r, 403, NULL, "a write with a session cookie must come with this site's Origin "
                                   "and Content-Type: application/json");
        goto done;
    }
    {
        const char *bad = NULL;

        MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, check_query, &bad);
        if (bad) {
            http_problem(r, 400, text_valid(bad, strlen(bad), 0) ? bad : NULL,
                         "query parameters must be UTF-8 text without control characters");
            goto done;
        }
    }
    if (r->body.len) {
        json_error_t e;

        if (!is_json_type(http_header(r, MHD_HTTP_HEADER_CONTENT_TYPE))) {
            http_problem(r, 415, NULL, "send the body as Content-Type: application/json");
            goto done;
        }
        r->json = json_loadb(r->body.p, r->body.len, JSON_REJECT_DUPLICATES, &e);
        if (!r->json) {
            char msg[256];
            snprintf(msg, sizeof msg, "the body is not valid JSON (line %d, column %d): %s", e.line, e.column,
                     e.text);
            http_problem(r, 400, NULL, msg);
            goto done;
        }
    } else if (!safe && strcmp(r->method, "DELETE") != 0 && rt->body_max &&
               !is_json_type(http_header(r, MHD_HTTP_HEADER_CONTENT_TYPE)) &&
               http_header(r, MHD_HTTP_HEADER_CONTENT_TYPE)) {
        http_problem(r, 415, NULL, "send the body as Content-Type: application/json");
        goto done;
    }
    rt->handler(r);
    if (!r->answered)
        http_problem(r, 500, NULL, "the request could not be completed");
done:
    if (safe) {
        db_snapshot_done(r->ctx.db, &r->worker->snap);
        if (sqlite3_txn_state(r->ctx.db, NULL) == SQLITE_TXN_WRITE)
            db_rollback(r->ctx.db); /* never hand on a write (a reader keeps its snapshot) */
        pthread_mutex_unlock(&r->worker->use);
    }
    if (!r->lent) /* a reader lent by reader_for_row() goes back with its lock */
        worker_put(r->srv, r->worker);
    r->lent = 0;
    r->worker = NULL;
    r->ctx.db = NULL;
}

/* ---- writes off the network threads ----
 * Reads are answered on the network thread that received them: that is
 * the quickest way, and a network thread has a reader of its own. A write
 * waits for its group commit, milliseconds in which that thread could
 * serve many reads, so the connection is suspended and the write queued
 * for one of the write threads; when it has its answer, the connection is
 * resumed and its network thread sends it. No more network threads than
 * readers are needed, and fewer threads make every request cheaper. */

static void *write_thread(void *arg)
{
    server_t *s = arg;
    http_req_t *r;

    pthread_mutex_lock(&s->lock);
    for (;;) {
        while (!s->qhead && !s->stopping)
            pthread_cond_wait(&s->queued, &s->lock);
        if (!s->qhead)
            break; /* stopping, and every queued write is done */
        r = s->qhead;
        s->qhead = r->next;
        if (!s->qhead)
            s->qtail = NULL;
        pthread_mutex_unlock(&s->lock);
        dispatch(r);
        r->deferred = DEFER_ANSWERED;
        MHD_resume_connection(r->conn); /* r is the network thread's again */
        pthread_mutex_lock(&s->lock);
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

/* Suspend the connection and queue its write; 503 when stopping. */
static void defer(server_t *s, http_req_t *r)
{
    pthread_mutex_lock(&s->lock);
    if (s->stopping) {
        pthread_mutex_unlock(&s->lock);
        http_problem(r, 503, NULL, "the server is stopping; send it again later");
        return;
    }
    r->deferred = DEFER_RUNNING;
    s->deferred++;
    MHD_suspend_connection(r->conn); /* before a write thread can resume it */
    r->next = NULL;
    if (s->qtail)
        s->qtail->next = r;
    else
        s->qhead = r;
    s->qtail = r;
    pthread_cond_signal(&s->queued);
    pthread_mutex_unlock(&s->lock);
}

/* A deferred write's answer was handed to MHD, or its client went away. */
static void settle(server_t *s, http_req_t *r)
{
    if (r->resp)
        MHD_destroy_response(r->resp);
    r->resp = NULL;
    r->deferred = DEFER_NO;
    pthread_mutex_lock(&s->lock);
    s->deferred--;
    pthread_cond_broadcast(&s->settled);
    pthread_mutex_unlock(&s->lock);
}

static int writes_start(server_t *s)
{
    for (; s->nwriters < WRITERS; s->nwriters++)
        if (pthread_create(&s->writers[s->nwriters], NULL, write_thread, s) != 0)
            return -1;
    return 0;
}

/* Take no more writes, finish those queued, and wait (10 s at most) until
 * their answers are with MHD, which may then stop. */
static void writes_stop(server_t *s)
{
    struct timespec until;

    pthread_mutex_lock(&s->lock);
    s->stopping = 1;
    pthread_cond_broadcast(&s->queued);
    pthread_mutex_unlock(&s->lock);
    for (int i = 0; i < s->nwriters; i++)
        pthread_join(s->writers[i], NULL);
    s->nwriters = 0;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 10;
    pthread_mutex_lock(&s->lock);
    while (s->deferred > 0 && pthread_cond_timedwait(&s->settled, &s->lock, &until) == 0)
        ;
    if (s->deferred > 0)
        log_error("stopping with %d answered writes not yet sent", s->deferred);
    pthread_mutex_unlock(&s->lock);
}

static void client_address(http_req_t *r)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;

    strcpy(r->client, "?");
    if (sa && sa->sa_family == AF_INET) { /* dotted quad, as inet_ntop writes it (which costs a sprintf) */
        const unsigned char *a = (const unsigned char *)&((const struct sockaddr_in *)(const void *)sa)->sin_addr;
        char *w = r->client;

        for (int i = 0; i < 4; i++) {
            if (a[i] >= 100)
                *w++ = (char)('0' + a[i] / 100);
            if (a[i] >= 10)
                *w++ = (char)('0' + a[i] / 10 % 10);
            *w++ = (char)('0' + a[i] % 10);
            *w++ = i < 3 ? '.' : '\0';
        }
    } else if (sa && sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, r->client,
                  sizeof r->client);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **req_cls)
{
    server_t *s = cls;
    http_req_t *r = *req_cls;

    (void)version;
    if (!r) {
        buf_t allow = BUF_INIT;
        int known;
        const char *cl;

        r = calloc(1, sizeof *r);
        if (!r)
            return MHD_NO;
        *req_cls = r;
        r->srv = s;
        r->conn = conn;
        clock_gettime(CLOCK_MONOTONIC, &r->start);
        strncpy(r->method, method, sizeof r->method - 1); /* calloc'd: NUL-terminated */
        r->path = strdup(url);
        client_address(r);
        r->route = route_find(s, method, url, r->params, &known, &allow);
        if (!r->route) {
            if (known) {
                http_add_header(r, MHD_HTTP_HEADER_ALLOW, buf_str(&allow));
                http_problem(r, 405, NULL, "this path does not take that method");
            } else {
                http_problem(r, 404, NULL, "no such path");
            }
            buf_free(&allow);
            return MHD_YES;
        }
        buf_free(&allow);
        cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl && strtoull(cl, NULL, 10) > r->route->body_max) {
            http_problem(r, 413, NULL, r->route->body_max ? "the body is larger than this route accepts"
                                                          : "this route takes no body");
            return MHD_YES;
        }
        return MHD_YES;
    }
    if (*upload_size) {
        if (!r->answered && !r->too_big) {
            if (r->body.len + *upload_size > r->route->body_max)
                r->too_big = 1;
            else
                buf_add(&r->body, upload, *upload_size);
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (r->deferred == DEFER_ANSWERED) { /* back from a write thread */
        enum MHD_Result ok = r->resp ? MHD_queue_response(conn, (unsigned)r->status, r->resp) : MHD_NO;

        settle(s, r);
        return ok;
    }
    if (r->answered)
        return MHD_YES;
    if (r->too_big || r->body.failed) {
        http_problem(r, 413, NULL, r->route->body_max ? "the body is larger than this route accepts"
                                                      : "this route takes no body");
        return MHD_YES;
    }
    if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)
        dispatch(r);
    else
        defer(s, r);
    return MHD_YES;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    http_req_t *r = *req_cls;
    struct timespec end;

    (void)conn;
    (void)toe;
    if (!r)
        return;
    if (r->deferred == DEFER_ANSWERED)
        settle(cls, r);
    clock_gettime(CLOCK_MONOTONIC, &end);
    /* The path only: query strings may carry names. */
    log_info("%s %s %d %.1fms", r->method, r->path, r->status,
             (double)(end.tv_sec - r->start.tv_sec) * 1e3 + (double)(end.tv_nsec - r->start.tv_nsec) / 1e6);
    for (int i = 0; i < HTTP_MAX_PARAMS; i++)
        free(r->params[i]);
    free(r->path);
    for (int i = 0; i < r->nextra; i++) {
        free(r->extra_headers[i][0]);
        free(r->extra_headers[i][1]);
    }
    buf_free(&r->body);
    json_decref(r->json);
    free(r);
    *req_cls = NULL;
}

/* ---- start and stop ---- */

static int parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *len, char *err, size_t n)
{
    char host[128];
    const char *colon = strrchr(listen, ':');
    struct addrinfo hints = {0}, *ai = NULL;
    size_t hl;

    if (!colon || !colon[1]) {
        snprintf(err, n, "--listen: expected ADDRESS:PORT, e.g. 127.0.0.1:8080");
        return -1;
    }
    hl = (size_t)(colon - listen);
    if (hl >= sizeof host) {
        snprintf(err, n, "--listen: address too long");
        return -1;
    }
    memcpy(host, listen, hl);
    host[hl] = '\0';
    if (host[0] == '[' && hl >= 2 && host[hl - 1] == ']') {
        memmove(host, host + 1, hl - 2);
        host[hl - 2] = '\0';
    }
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(*host ? host : "127.0.0.1", colon + 1, &hints, &ai) != 0 || !ai) {
        snprintf(err, n, "--listen: '%s' is not a numeric ADDRESS:PORT", listen);
        return -1;
    }
    memcpy(ss, ai->ai_addr, ai->ai_addrlen);
    *len = ai->ai_addrlen;
    freeaddrinfo(ai);
    return 0;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    buf_t b = BUF_INIT;
    char chunk[4096];
    size_t n;

    if (!f)
        return NULL;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_add(&b, chunk, n);
    fclose(f);
    if (b.failed || !b.len) {
        buf_free(&b);
        return NULL;
    }
    return buf_take(&b);
}

/* Started as root (to bind a low port, say)? Become an ordinary user once
 * the port is bound and the database opened (after Kore). The database
 * files are handed to that user so SQLite can reopen them. */
static int drop_privileges(const http_config_t *cfg)
{
    const char *name = cfg->run_as && *cfg->run_as ? cfg->run_as : "nobody";
    const char *suffix[] = {"", "-wal", "-shm"};
    struct passwd *pw;

    if (geteuid() != 0 || strcmp(name, "root") == 0)
        return 0;
    pw = getpwnam(name);
    if (!pw) {
        fprintf(stderr, "homeward serve: no user %s to run as (give --user NAME)\n", name);
        return -1;
    }
    for (int i = 0; i < 3; i++) {
        char p[4200];
        snprintf(p, sizeof p, "%s%s", cfg->db_path, suffix[i]);
        if (chown(p, pw->pw_uid, pw->pw_gid) != 0 && i == 0) {
            fprintf(stderr, "homeward serve: cannot hand %s to %s\n", p, name);
            return -1;
        }
    }
    if (setgroups(0, NULL) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0 || setuid(0) == 0) {
        fprintf(stderr, "homeward serve: cannot become %s\n", name);
        return -1;
    }
#if defined(__SANITIZE_ADDRESS__)
    /* LeakSanitizer inspects the process from a helper that must be able
     * to attach to it; setuid cleared that. Sanitizer builds only. */
    prctl(PR_SET_DUMPABLE, 1);
#endif
    log_info("running as %s", name);
    return 0;
}

/* ---- letting go of kept snapshots ----
 * A reader keeps its snapshot between requests (db.c says what that holds
 * back); every SWEEP_MS this thread ends those that are stale, or unused
 * for SNAPSHOT_IDLE_MS, of readers not serving a request at that moment. */
#define SWEEP_MS 20
#define SNAPSHOT_IDLE_MS 1000

static void *sweeper(void *arg)
{
    server_t *s = arg;
    struct timespec until;

    pthread_mutex_lock(&s->lock);
    while (s->sweeping) {
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_nsec += SWEEP_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&s->sweep, &s->lock, &until);
        if (!s->sweeping)
            break;
        pthread_mutex_unlock(&s->lock);
        for (int i = 0; i < s->nworkers; i++) {
            worker_t *w = &s->workers[i];
            if (w->writes || pthread_mutex_trylock(&w->use) != 0)
                continue;
            db_snapshot_release(w->db, &w->snap, SNAPSHOT_IDLE_MS);
            pthread_mutex_unlock(&w->use);
        }
        pthread_mutex_lock(&s->lock);
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

static int sweeper_start(server_t *s)
{
    pthread_condattr_t a;

    pthread_condattr_init(&a);
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    pthread_cond_init(&s->sweep, &a);
    pthread_condattr_destroy(&a);
    s->sweep_made = 1;
    s->sweeping = 1;
    if (pthread_create(&s->sweeper, NULL, sweeper, s) != 0) {
        s->sweeping = 0;
        return -1;
    }
    return 0;
}

static void sweeper_stop(server_t *s)
{
    pthread_mutex_lock(&s->lock);
    if (!s->sweeping) {
        pthread_mutex_unlock(&s->lock);
        return;
    }
    s->sweeping = 0;
    pthread_cond_signal(&s->sweep);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->sweeper, NULL);
}

static void server_free(server_t *s)
{
    sweeper_stop(s);
    for (int i = 0; i < s->nworkers; i++) {
        tokens_forget(&s->workers[i]);
        dom_worker_free(&s->workers[i].base);
        if (s->workers[i].db)
            db_snapshot_release(s->workers[i].db, &s->workers[i].snap, -1);
        pthread_mutex_destroy(&s->workers[i].use);
        db_close(s->workers[i].db);
        text_folder_free(s->workers[i].folder);
    }
    free(s->workers);
    free(s->idle[0]);
    free(s->idle[1]);
    free(s->shapes);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->freed[0]);
    pthread_cond_destroy(&s->freed[1]);
    pthread_cond_destroy(&s->queued);
    pthread_cond_destroy(&s->settled);
    if (s->sweep_made)
        pthread_cond_destroy(&s->sweep);
}

int http_serve(const http_config_t *cfg)
{
    server_t s = {0};
    struct sockaddr_storage ss;
    socklen_t sslen;
    struct MHD_Daemon *d;
    const union MHD_DaemonInfo *info;
    char err[256], host[64] = "", *cert = NULL, *key = NULL;
    sigset_t set;
    int sig, nthreads = cfg->threads > 0 ? cfg->threads : 4;
    int readers = nthreads + 1, threads = readers + WRITERS; /* a reader per network thread, and a spare */
    unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;

    if (parse_listen(cfg->listen, &ss, &sslen, err, sizeof err) != 0) {
        fprintf(stderr, "homeward serve: %s\n", err);
        return 2;
    }
    pthread_mutex_init(&s.lock, NULL);
    pthread_cond_init(&s.freed[0], NULL);
    pthread_cond_init(&s.freed[1], NULL);
    pthread_cond_init(&s.queued, NULL);
    pthread_cond_init(&s.settled, NULL);
    s.cfg = cfg;
    routes_in_use = cfg->routes;
    s.workers = calloc((size_t)threads, sizeof *s.workers);
    s.idle[0] = calloc((size_t)threads, sizeof *s.idle[0]);
    s.idle[1] = calloc((size_t)threads, sizeof *s.idle[1]);
    s.shapes = route_shapes(cfg->routes);
    if (!s.workers || !s.idle[0] || !s.idle[1] || !s.shapes) {
        server_free(&s);
        return 1;
    }
    for (int i = 0; i < threads; i++) {
        pthread_mutex_init(&s.workers[i].use, NULL);
        s.workers[i].writes = i >= readers;
        s.workers[i].db = db_open(cfg->db_path, 0, err, sizeof err);
        if (s.workers[i].db && !s.workers[i].writes)
            db_serve_reads(s.workers[i].db, readers);
        else if (s.workers[i].db)
            db_serve_writes(s.workers[i].db);
        s.workers[i].folder = text_folder_new();
        s.nworkers = i + 1;
        s.nreaders = i + 1 < readers ? i + 1 : readers;
        if (!s.workers[i].db || !s.workers[i].folder) {
            fprintf(stderr, "homeward serve: %s\n", s.workers[i].db ? "cannot load ICU transliterator" : err);
            server_free(&s);
            return 1;
        }
        dom_worker_init(&s.workers[i].base);
        s.idle[s.workers[i].writes][s.nidle[s.workers[i].writes]++] = &s.workers[i];
    }

    /* Signals go to this thread only: block them before MHD starts its own. */
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (cfg->tls_cert || cfg->tls_key) {
        if (!cfg->tls_cert || !cfg->tls_key) {
            fprintf(stderr, "homeward serve: --tls-cert and --tls-key go together\n");
            server_free(&s);
            return 2;
        }
        if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
            fprintf(stderr, "homeward serve: this libmicrohttpd was built without TLS\n");
            server_free(&s);
            return 1;
        }
        cert = read_file(cfg->tls_cert);
        key = read_file(cfg->tls_key);
        if (!cert || !key) {
            fprintf(stderr, "homeward serve: cannot read %s\n", cert ? cfg->tls_key : cfg->tls_cert);
            free(cert);
            free(key);
            server_free(&s);
            return 1;
        }
        s.tls = 1;
    }
    if (s.tls)
        d = MHD_start_daemon(flags | MHD_USE_TLS, 0, NULL, NULL, on_request, &s,
                             MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                             MHD_OPTION_THREAD_POOL_SIZE, (unsigned)nthreads,
                             MHD_OPTION_NOTIFY_COMPLETED, on_completed, &s,
                             MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
                             MHD_OPTION_CONNECTION_LIMIT, (unsigned)1000,
                             MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY,
                             MHD_OPTION_HTTPS_MEM_CERT, cert, MHD_OPTION_HTTPS_MEM_KEY, key,
                             /* TLS 1.2 and 1.3 only. */
                             MHD_OPTION_HTTPS_PRIORITIES, "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2",
                             MHD_OPTION_END);
    else
        d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, &s,
                             MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                             MHD_OPTION_THREAD_POOL_SIZE, (unsigned)nthreads,
                             MHD_OPTION_NOTIFY_COMPLETED, on_completed, &s,
                             MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
                             MHD_OPTION_CONNECTION_LIMIT, (unsigned)1000,
                             MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY,
                             MHD_OPTION_END);
    if (key) {
        sodium_memzero(key, strlen(key));
        free(key);
        key = NULL;
    }
    free(cert);
    if (!d) {
        fprintf(stderr, "homeward serve: cannot listen on %s (in use, not an address of this machine, or a bad "
                        "certificate)\n", cfg->listen);
        server_free(&s);
        return 1;
    }
    if (writes_start(&s) != 0 || sweeper_start(&s) != 0 || drop_privileges(cfg) != 0) {
        writes_stop(&s);
        MHD_stop_daemon(d);
        server_free(&s);
        return 1;
    }
    info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    if (ss.ss_family == AF_INET6) {
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, host, sizeof host);
        printf("homeward: listening on %s://[%s]:%u\n", s.tls ? "https" : "http", host, info ? info->port : 0);
    } else {
        inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, host, sizeof host);
        printf("homeward: listening on %s://%s:%u\n", s.tls ? "https" : "http", host, info ? info->port : 0);
    }
    fflush(stdout);
    log_info("serving %s with %d network threads (a reader each, and a spare) and %d writers", cfg->db_path,
             nthreads, WRITERS);

    while (sigwait(&set, &sig) != 0)
        ;
    log_info("stopping on signal %d", sig);
    writes_stop(&s);
    MHD_stop_daemon(d);
    server_free(&s);
    return 0;
}
