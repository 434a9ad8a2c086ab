/*
 * bare.c - the benchmark's yardstick: a bare libmicrohttpd server that answers
 * every request with one fixed JSON body, started with the same daemon
 * settings as Homeward's server (src/http/server.c: an internal thread pool
 * of 4 with MHD_USE_AUTO_INTERNAL_THREAD, the same connection limit and
 * timeout, the same two-call request handling). What wrk measures against it
 * is the most this machine's libmicrohttpd and loopback can give; bench/http.sh
 * puts Homeward's figures beside it.
 *
 * usage: bare [ADDRESS [PORT]]   (default 127.0.0.1, port 0 = any free one)
 * Prints "bare: listening on http://ADDRESS:PORT" and serves until SIGINT or
 * SIGTERM.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A synthetic record of about the size of a person as Homeward answers it,
 * so that both servers send similar bytes. */
static const char body[] =
    "{\"id\":\"5b0b7c1e-3c55-4f0e-9a51-0d6f2f1c9e11\",\"number\":\"HW-0042-6\",\"version\":1,"
    "\"given_name\":\"Bench\",\"family_name\":\"Testyan\",\"patronymic\":null,\"other_names\":[],"
    "\"name_script\":\"latn\",\"sex\":\"male\",\"birth_date\":\"1980\",\"birth_year\":1980,"
    "\"birth_place\":null,\"birth_settlement\":null,\"origin_settlement\":\"stepanakert\","
    "\"household\":null,\"relation_to_head\":null,\"displacement_date\":\"2023-09-25\","
    "\"displacement_route\":null,\"current_country\":\"AM\",\"current_region\":null,"
    "\"current_locality\":null,\"current_settlement\":null,\"contact\":null,\"documents\":null,"
    "\"specific_needs\":[],\"consent_registration\":false,\"consent_tracing\":false,"
    "\"consent_sharing\":false,\"consent_date\":null,\"status\":\"displaced\","
    "\"record_status\":\"active\",\"source\":\"BENCH\",\"notes\":null,\"organisation\":null,"
    "\"restricted\":false,\"created_at\":\"2026-01-01T00:00:00Z\",\"created_by\":\"admin\","
    "\"updated_at\":\"2026-01-01T00:00:00Z\",\"updated_by\":\"admin\"}";

static int marker; /* *req_cls on the first call: headers seen, body may follow */

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **req_cls)
{
    struct MHD_Response *resp;
    enum MHD_Result ret;

    (void)cls;
    (void)url;
    (void)method;
    (void)version;
    (void)upload;
    if (*req_cls == NULL) {
        *req_cls = &marker;
        return MHD_YES;
    }
    if (*upload_size) {
        *upload_size = 0; /* read and drop any body */
        return MHD_YES;
    }
    resp = MHD_create_response_from_buffer(sizeof body - 1, (void *)body, MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json; charset=utf-8");
    ret = MHD_queue_response(conn, MHD_HTTP_OK, resp);
    MHD_destroy_response(resp);
    return ret;
}

int main(int argc, char **argv)
{
    struct sockaddr_in sa;
    struct MHD_Daemon *d;
    const union MHD_DaemonInfo *info;
    sigset_t set;
    int sig;

    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)(argc > 2 ? atoi(argv[2]) : 0));
    if (inet_pton(AF_INET, argc > 1 ? argv[1] : "127.0.0.1", &sa.sin_addr) != 1) {
        fprintf(stderr, "bare: '%s' is not an IPv4 address\n", argv[1]);
        return 2;
    }
    /* Signals go to this thread only, as in Homeward. */
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    d = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL, on_request, NULL,
                         MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                         MHD_OPTION_THREAD_POOL_SIZE, (unsigned)4,
                         MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
                         MHD_OPTION_CONNECTION_LIMIT, (unsigned)1000,
                         MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "bare: cannot start the server\n");
        return 1;
    }
    info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    printf("bare: listening on http://%s:%u\n", argc > 1 ? argv[1] : "127.0.0.1", info ? info->port : 0);
    fflush(stdout);
    while (sigwait(&set, &sig) != 0)
        ;
    MHD_stop_daemon(d);
    return 0;
}
