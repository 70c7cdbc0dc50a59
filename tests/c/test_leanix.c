/* C tests of libleanix against a running lx-sandbox, compiled against the committed header.
 *
 * Environment: LX_SANDBOX_URL, LX_SANDBOX_TOKEN, LX_SANDBOX_VIEWER_TOKEN (set by run.sh).
 * Prints "N passed, N failed" last; exits non-zero on any failure. */
#define _POSIX_C_SOURCE 200809L
#include <leanix.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "sandbox_control.h"
#include "test_client.h"

static const char *url, *token, *viewer_token;

#define FACTSHEETS "/services/pathfinder/v1/factSheets?pageSize=5"


/* A client for the sandbox with extra "key=value;..." options (NULL for none). */
static lx_client *sandbox_client(const char *api_token, const char *extra) {
    return tc_client(url, api_token, extra, NULL);
}

/* Runs GET path and returns the status; stores the error's http status in *http if given. */
static int get_status(lx_client *c, const char *path, int *http) {
    lx_response *resp = NULL;
    lx_error *err = NULL;
    int st = lx_get(c, path, &resp, &err);
    if (http) *http = st == LX_OK ? lx_response_status(resp) : lx_error_http_status(err);
    lx_free(resp);
    lx_free(err);
    return st;
}

static void test_versions(void) {
    CHECK(strcmp(lx_version(), LX_VERSION_STRING) == 0, "lx_version %s vs header %s", lx_version(), LX_VERSION_STRING);
    CHECK(lx_abi_version() == LX_ABI_VERSION, "abi %u", lx_abi_version());
    CHECK(strcmp(lx_status_str(LX_ERR_TIMEOUT), "LX_ERR_TIMEOUT") == 0, "%s", lx_status_str(LX_ERR_TIMEOUT));
    CHECK(strcmp(lx_status_str(12345), "LX_ERR_UNKNOWN") == 0, "%s", lx_status_str(12345));
}

static void test_full_flow(void) {
    sb_reset();
    lx_client *c = sandbox_client(token, NULL);
    CHECK(c != NULL, "client");
    if (!c) return;
    lx_response *resp = NULL;
    lx_error *err = NULL;
    int st = lx_get(c, FACTSHEETS, &resp, &err);
    CHECK(st == LX_OK, "lx_get: %s", lx_error_message(err));
    if (st == LX_OK) {
        const uint8_t *body = NULL;
        size_t len = 0;
        CHECK(lx_response_status(resp) == 200, "status %d", lx_response_status(resp));
        CHECK(lx_response_body(resp, &body, &len) == LX_OK && len > 0, "body");
        CHECK(body && strstr((const char *)body, "\"data\"") != NULL, "envelope");
        CHECK(body && body[len] == '\0', "body is NUL-terminated after len");
        const char *ct = NULL;
        CHECK(lx_response_header_get(resp, "Content-Type", &ct, NULL) == LX_OK && strstr(ct, "json"), "content-type");
        size_t n = lx_response_header_count(resp);
        CHECK(n > 0, "header count");
        const char *name = NULL, *value = NULL;
        CHECK(lx_response_header(resp, 0, &name, &value) == LX_OK && name && value, "header 0");
        CHECK(lx_response_header(resp, n, &name, &value) == LX_ERR_NOT_FOUND, "header out of range");
        const char *block = NULL;
        size_t block_len = 0;
        CHECK(lx_response_headers(resp, &block, &block_len) == LX_OK && block_len == strlen(block), "headers block");
        CHECK(block && strstr(block, "content-type: ") != NULL, "block has content-type: %s", block ? block : "(null)");
        size_t lines = 0;
        for (const char *p = block; p && *p; p++) lines += *p == '\n';
        CHECK(lines == n, "one line per header (%zu lines, %zu headers)", lines, n);
        CHECK(lx_response_header_get(resp, "X-Absent", &ct, NULL) == LX_ERR_NOT_FOUND, "absent header");
    }
    lx_free(resp);
    lx_free(err);
    err = NULL;

    /* POST with a JSON body and a custom header. */
    const char *json = "{\"name\":\"C test app\",\"type\":\"Application\"}";
    const char *headers = "Content-Type: application/json\r\nX-Trace: c-test\n";
    resp = NULL;
    st = lx_request(c, "POST", "/services/pathfinder/v1/factSheets", headers, strlen(headers),
                    (const uint8_t *)json, strlen(json), LX_REQUEST_DEFAULT, &resp, &err);
    CHECK(st == LX_OK, "POST: %s", lx_error_message(err));
    lx_free(resp);
    lx_free(err);
    err = NULL;

    /* GraphQL, and paging every fact sheet. */
    char *data = NULL;
    size_t data_len = 0;
    st = lx_graphql(c, "{ allFactSheets(first: 3) { totalCount edges { node { id name } } } }", NULL, &data, &data_len, &err);
    CHECK(st == LX_OK && data && strstr(data, "allFactSheets") && strlen(data) == data_len, "graphql: %s", lx_error_message(err));
    lx_free(data);
    lx_free(err);
    err = NULL;
    data = NULL;
    st = lx_graphql_all(c,
                        "query($after: String) { allFactSheets(first: 500, after: $after) { totalCount "
                        "pageInfo { hasNextPage endCursor } edges { node { id } } } }",
                        "{}", &data, &data_len, &err);
    CHECK(st == LX_OK && data && data[0] == '[', "graphql_all: %s", lx_error_message(err));
    if (st == LX_OK) {
        size_t edges = 0;
        for (const char *p = data; (p = strstr(p, "\"node\"")) != NULL; p++) edges++;
        CHECK(edges >= 1000, "walked %zu edges", edges);
    }
    lx_free(data);
    lx_free(err);
    err = NULL;

    /* The token and its claims, decoded locally. */
    char *tok = NULL, *claims = NULL;
    CHECK(lx_access_token(c, &tok, &err) == LX_OK && tok && strchr(tok, '.'), "token");
    CHECK(lx_claims_json(c, &claims, &err) == LX_OK && claims && strstr(claims, "workspaceId"), "claims %s", claims ? claims : "(null)");
    lx_free(tok);
    lx_free(claims);
    CHECK(sb_counter("token_exchanges") == 1, "exactly one exchange for the whole flow, got %ld", sb_counter("token_exchanges"));
    lx_free(c);
}

static void test_bad_token(void) {
    sb_reset();
    lx_client *c = sandbox_client("not-a-valid-token", NULL);
    lx_error *err = NULL;
    lx_response *resp = NULL;
    int st = lx_get(c, FACTSHEETS, &resp, &err);
    CHECK(st == LX_ERR_INVALID_CREDENTIALS, "status %s", lx_status_str(st));
    CHECK(lx_error_code(err) == LX_ERR_INVALID_CREDENTIALS, "code");
    CHECK(lx_error_http_status(err) == 401, "http %d", lx_error_http_status(err));
    CHECK(strstr(lx_error_message(err), "not-a-valid-token") == NULL, "message leaks the token: %s", lx_error_message(err));
    CHECK(resp == NULL, "output untouched on failure");
    lx_free(err);
    CHECK(sb_counter("token_requests") == 1, "invalid credentials are not retried: %ld", sb_counter("token_requests"));
    lx_free(c);
}

static void test_http_errors(void) {
    sb_reset();
    lx_client *c = sandbox_client(token, NULL);
    int http = 0;
    /* 401 twice: replayed once with a fresh token, then LX_ERR_UNAUTHORIZED. */
    get_status(c, FACTSHEETS, NULL);
    CHECK(sb_fault("{\"endpoint\":\"factSheets\",\"kind\":\"status\",\"status\":401,\"times\":2}") == 200, "fault");
    CHECK(get_status(c, FACTSHEETS, &http) == LX_ERR_UNAUTHORIZED && http == 401, "401 -> UNAUTHORIZED (http %d)", http);
    CHECK(sb_counter("token_exchanges") == 2, "one re-exchange after 401, got %ld", sb_counter("token_exchanges"));
    /* 429 with a long Retry-After: returned at once. */
    sb_fault("{\"endpoint\":\"factSheets\",\"kind\":\"status\",\"status\":429,\"retry_after\":\"3600\",\"times\":1}");
    lx_error *err = NULL;
    lx_response *resp = NULL;
    int st = lx_get(c, FACTSHEETS, &resp, &err);
    CHECK(st == LX_ERR_RATE_LIMITED && lx_error_retry_after_ms(err) == 3600000, "429: %s %lld", lx_status_str(st), (long long)lx_error_retry_after_ms(err));
    lx_free(err);
    /* That 429 paused the whole client for the hour: its next call is refused unsent. */
    long before = sb_requests("factSheets", -1);
    err = NULL;
    st = lx_get(c, FACTSHEETS, &resp, &err);
    CHECK(st == LX_ERR_RATE_LIMITED && lx_error_http_status(err) == 0 && lx_error_retry_after_ms(err) > 3590000,
          "paused: %s, http %d, %lld ms", lx_status_str(st), lx_error_http_status(err), (long long)lx_error_retry_after_ms(err));
    CHECK(sb_requests("factSheets", -1) == before, "nothing sent while paused");
    lx_free(err);
    lx_free(c);
    c = sandbox_client(token, NULL);
    /* 404. */
    CHECK(get_status(c, "/services/pathfinder/v1/factSheets/does-not-exist", &http) == LX_ERR_HTTP && http == 404, "404: http %d", http);
    lx_free(c);
    /* 403: a VIEWER may not write. */
    lx_client *viewer = sandbox_client(viewer_token, NULL);
    const char *json = "{\"name\":\"x\",\"type\":\"Application\"}";
    err = NULL;
    st = lx_request(viewer, "POST", "/services/pathfinder/v1/factSheets", NULL, 0, (const uint8_t *)json,
                    strlen(json), LX_REQUEST_DEFAULT, &resp, &err);
    CHECK(st == LX_ERR_FORBIDDEN && lx_error_http_status(err) == 403, "403: %s", lx_status_str(st));
    lx_free(err);
    lx_free(viewer);
}

static void test_timeout_and_network(void) {
    sb_reset();
    lx_client *c = sandbox_client(token, "request_timeout_ms=300");
    CHECK(c != NULL, "client");
    get_status(c, FACTSHEETS, NULL);
    sb_fault("{\"endpoint\":\"factSheets\",\"kind\":\"stall\",\"ms\":5000,\"times\":3}");
    double t0 = tc_now();
    int st = get_status(c, FACTSHEETS, NULL);
    double took = tc_now() - t0;
    CHECK(st == LX_ERR_TIMEOUT, "stall -> %s", lx_status_str(st));
    CHECK(took < 4.5, "a timeout returns within its bound (took %.1f s)", took);
    sb_call("POST", "/_sandbox/faults", "{\"endpoint\":\"any\",\"kind\":\"clear\"}", NULL, 0);
    lx_free(c);

    /* Nothing listens on port 1. */
    lx_options *opts = NULL;
    lx_client *closed = NULL;
    CHECK(lx_options_new(&opts, NULL) == LX_OK, "options");
    CHECK(lx_options_set(opts, "host", "http://127.0.0.1:1", NULL) == LX_OK, "host");
    CHECK(lx_options_set(opts, "api_token", "t", NULL) == LX_OK, "token");
    CHECK(lx_options_set(opts, "allow_insecure_loopback", "1", NULL) == LX_OK, "loopback");
    CHECK(lx_options_set(opts, "token_attempts", "1", NULL) == LX_OK, "attempts");
    CHECK(lx_client_build(opts, &closed, NULL) == LX_OK, "build");
    CHECK(get_status(closed, FACTSHEETS, NULL) == LX_ERR_CONNECT, "closed port -> CONNECT");
    lx_free(closed);
    lx_free(opts);
}

static void test_bad_config_and_arguments(void) {
    lx_client *c = NULL;
    lx_error *err = NULL;
    CHECK(lx_client_new("http://acme.leanix.net", "t", &c, &err) == LX_ERR_CONFIG && c == NULL, "http:// remote refused");
    CHECK(strstr(lx_error_message(err), "http://") != NULL, "message names the problem: %s", lx_error_message(err));
    lx_free(err);
    err = NULL;
    CHECK(lx_client_new("acme.leanix.net", "", &c, &err) == LX_ERR_CONFIG, "empty token refused");
    lx_free(err);
    err = NULL;
    CHECK(lx_client_new("exa mple", "t", &c, NULL) == LX_ERR_CONFIG, "unparseable host");
    CHECK(lx_client_new("acme.leanix.net", "t", NULL, NULL) == LX_ERR_NULL_ARG, "NULL out");
    const char bad_utf8[] = {'a', (char)0xff, (char)0xfe, 0};
    CHECK(lx_client_new(bad_utf8, "t", &c, &err) == LX_ERR_INVALID_ARG, "invalid UTF-8 host");
    CHECK(strstr(lx_error_message(err), "UTF-8") != NULL, "%s", lx_error_message(err));
    lx_free(err);
    err = NULL;

    lx_client *ok = sandbox_client(token, NULL);
    lx_response *resp = NULL;
    CHECK(lx_get(NULL, FACTSHEETS, &resp, &err) == LX_ERR_NULL_ARG, "NULL client");
    lx_free(err);
    err = NULL;
    CHECK(lx_get(ok, NULL, &resp, NULL) == LX_ERR_NULL_ARG, "NULL path");
    CHECK(lx_get(ok, bad_utf8, &resp, NULL) == LX_ERR_INVALID_ARG, "invalid UTF-8 path");
    CHECK(lx_get(ok, FACTSHEETS, NULL, NULL) == LX_ERR_NULL_ARG, "NULL out_response");
    const char nul_headers[] = "X-A: 1\0X-B: 2";
    CHECK(lx_request(ok, "GET", FACTSHEETS, nul_headers, sizeof nul_headers - 1, NULL, 0, 0, &resp, &err) == LX_ERR_INVALID_ARG,
          "embedded NUL in headers");
    lx_free(err);
    err = NULL;
    CHECK(lx_request(ok, "GET", FACTSHEETS, NULL, 0, NULL, (size_t)-1, 0, &resp, &err) == LX_ERR_INVALID_ARG, "huge length");
    CHECK(strstr(lx_error_message(err), "PTRDIFF_MAX") != NULL, "%s", lx_error_message(err));
    lx_free(err);
    err = NULL;
    CHECK(lx_request(ok, "GET", FACTSHEETS, NULL, 0, NULL, 5, 0, &resp, NULL) == LX_ERR_NULL_ARG, "NULL body with length");
    CHECK(lx_request(ok, "GET", FACTSHEETS, "no colon", 8, NULL, 0, 0, &resp, NULL) == LX_ERR_INVALID_ARG, "bad header line");
    CHECK(lx_request(ok, "GET", FACTSHEETS, "Authorization: x", 16, NULL, 0, 0, &resp, NULL) == LX_ERR_INVALID_ARG, "Authorization refused");
    CHECK(lx_request(ok, "BAD METHOD", FACTSHEETS, NULL, 0, NULL, 0, 0, &resp, NULL) == LX_ERR_INVALID_ARG, "bad method");
    CHECK(lx_request(ok, "GET", FACTSHEETS, NULL, 0, NULL, 0, 64, &resp, NULL) == LX_ERR_INVALID_ARG, "unknown flags");
    CHECK(lx_get(ok, "https://evil.example/steal", &resp, NULL) == LX_ERR_INVALID_ARG, "other origin refused");
    char *out = NULL;
    CHECK(lx_graphql(ok, "{ x }", "[1]", &out, NULL, NULL) == LX_ERR_INVALID_ARG, "variables not an object");
    CHECK(out == NULL, "no output on failure");

    lx_options *opts = NULL;
    CHECK(lx_options_new(&opts, NULL) == LX_OK, "options");
    CHECK(lx_options_set(opts, "no_such_key", "1", &err) == LX_ERR_INVALID_ARG, "unknown key");
    CHECK(strstr(lx_error_message(err), "no_such_key") != NULL, "%s", lx_error_message(err));
    lx_free(err);
    CHECK(lx_options_set(opts, "request_timeout_ms", "soon", NULL) == LX_ERR_INVALID_ARG, "bad number");
    CHECK(lx_options_set(NULL, "host", "x", NULL) == LX_ERR_NULL_ARG, "NULL options");
    CHECK(lx_options_set(opts, NULL, "x", NULL) == LX_ERR_NULL_ARG, "NULL key");
    lx_free(opts);

    /* Freed and foreign pointers are refused, not crashed on; double free is harmless. */
    lx_free(ok);
    CHECK(lx_get(ok, FACTSHEETS, &resp, NULL) == LX_ERR_INVALID_ARG, "use after free refused");
    lx_free(ok);
    int local = 0;
    lx_free(&local);
    lx_free(NULL);
    CHECK(lx_error_code(NULL) == LX_ERR_INVALID_ARG && strcmp(lx_error_message(NULL), "") == 0, "NULL error accessors");
    CHECK(lx_response_status(NULL) == 0 && lx_response_header_count(NULL) == 0, "NULL response accessors");
}

/* 16 threads share one client: exactly one token exchange. */
struct shared {
    lx_client *client;
    int failures;
    pthread_mutex_t lock;
};

static void *hammer(void *arg) {
    struct shared *s = arg;
    for (int i = 0; i < 25; i++) {
        if (get_status(s->client, FACTSHEETS, NULL) != LX_OK) {
            pthread_mutex_lock(&s->lock);
            s->failures++;
            pthread_mutex_unlock(&s->lock);
        }
    }
    return NULL;
}

static void test_threads(void) {
    sb_reset();
    struct shared s = {sandbox_client(token, NULL), 0, PTHREAD_MUTEX_INITIALIZER};
    pthread_t threads[16];
    for (int i = 0; i < 16; i++) pthread_create(&threads[i], NULL, hammer, &s);
    for (int i = 0; i < 16; i++) pthread_join(threads[i], NULL);
    CHECK(s.failures == 0, "%d failed requests", s.failures);
    CHECK(sb_counter("token_exchanges") == 1, "16 threads, cold cache: exactly 1 exchange, got %ld", sb_counter("token_exchanges"));
    lx_free(s.client);
}

/* Freeing a client while another thread is inside a call on it: that call is cancelled. */
struct stalled {
    int status;
    lx_client *client;
};

static void *stalled_thread(void *arg) {
    struct stalled *st = arg;
    st->status = get_status(st->client, FACTSHEETS, NULL);
    return NULL;
}

/* Polls the sandbox until `n` requests wait in a stall fault (at most 30 s). */
static void wait_stalled(long n) {
    double until = tc_now() + 30;
    while (sb_counter("stalled") < n && tc_now() < until) tc_sleep_ms(1);
    CHECK(sb_counter("stalled") >= n, "%ld request(s) held by the stall", n);
}

static void test_free_while_in_use(void) {
    sb_reset();
    struct stalled st = {-1, sandbox_client(token, NULL)};
    get_status(st.client, FACTSHEETS, NULL);
    sb_fault("{\"endpoint\":\"factSheets\",\"kind\":\"stall\",\"ms\":3000,\"times\":1}");
    pthread_t t;
    pthread_create(&t, NULL, stalled_thread, &st);
    /* Wait until the request is held by the stall (the sandbox's gauge), at most 30 s. */
    wait_stalled(1);
    double t0 = tc_now();
    lx_free(st.client);
    pthread_join(t, NULL);
    double took = tc_now() - t0;
    CHECK(st.status == LX_ERR_CANCELLED, "call in flight -> %s", lx_status_str(st.status));
    CHECK(took < 2.5, "cancelled promptly (%.2f s)", took);
    sb_call("POST", "/_sandbox/faults", "{\"endpoint\":\"any\",\"kind\":\"clear\"}", NULL, 0);

    /* lx_client_close: the same cancellation, but the handle stays valid until lx_free. */
    sb_reset();
    struct stalled st2 = {-1, sandbox_client(token, NULL)};
    get_status(st2.client, FACTSHEETS, NULL);
    sb_fault("{\"endpoint\":\"factSheets\",\"kind\":\"stall\",\"ms\":3000,\"times\":1}");
    pthread_create(&t, NULL, stalled_thread, &st2);
    wait_stalled(1);
    t0 = tc_now();
    CHECK(lx_client_close(st2.client, NULL) == LX_OK, "close");
    pthread_join(t, NULL);
    CHECK(st2.status == LX_ERR_CANCELLED, "call in flight -> %s", lx_status_str(st2.status));
    CHECK(tc_now() - t0 < 2.5, "cancelled promptly");
    CHECK(get_status(st2.client, FACTSHEETS, NULL) == LX_ERR_CANCELLED, "calls after close are cancelled");
    CHECK(lx_client_close(st2.client, NULL) == LX_OK, "close is idempotent");
    lx_free(st2.client);
    CHECK(lx_client_close(st2.client, NULL) == LX_ERR_INVALID_ARG, "freed handle refused");
    sb_call("POST", "/_sandbox/faults", "{\"endpoint\":\"any\",\"kind\":\"clear\"}", NULL, 0);
}

/* The event callback: called for the exchange and for retries, never with a secret. */
struct events {
    pthread_mutex_t lock;
    int fetched, retries;
    int leaked;
    pthread_t caller;
    int on_caller_thread;
};

static void on_event(void *userdata, int32_t kind, const char *details) {
    struct events *ev = userdata;
    pthread_mutex_lock(&ev->lock);
    if (kind == LX_EVENT_TOKEN_FETCHED) ev->fetched++;
    if (kind == LX_EVENT_RETRY) ev->retries++;
    if (strstr(details, token) || strstr(details, "eyJ")) ev->leaked++;
    if (kind == LX_EVENT_TOKEN_FETCHED && pthread_equal(pthread_self(), ev->caller)) ev->on_caller_thread++;
    pthread_mutex_unlock(&ev->lock);
}

static void test_event_callback(void) {
    sb_reset();
    struct events ev;
    memset(&ev, 0, sizeof ev);
    pthread_mutex_init(&ev.lock, NULL);
    ev.caller = pthread_self();
    lx_options *opts = NULL;
    lx_client *c = NULL;
    CHECK(tc_options(url, token, "retry_base_delay_ms=10", &opts, NULL) == LX_OK, "options");
    CHECK(lx_options_set_event_callback(opts, on_event, &ev, NULL) == LX_OK, "set callback");
    CHECK(lx_client_build(opts, &c, NULL) == LX_OK, "build");
    lx_free(opts);
    sb_fault("{\"endpoint\":\"factSheets\",\"kind\":\"status\",\"status\":503,\"times\":1}");
    CHECK(get_status(c, FACTSHEETS, NULL) == LX_OK, "503 then success");
    lx_free(c);
    pthread_mutex_lock(&ev.lock);
    CHECK(ev.fetched == 1, "one token-fetched event, got %d", ev.fetched);
    CHECK(ev.retries == 1, "one retry event, got %d", ev.retries);
    CHECK(ev.leaked == 0, "no secret in event details");
    CHECK(ev.on_caller_thread == 0, "token events run on library threads");
    pthread_mutex_unlock(&ev.lock);
}

/* fork(): the inherited client refuses to work; a new client in the child works.
 * The child reports through a pipe, not its exit status: under valgrind a forked child "leaks"
 * what the parent's I/O threads owned (those threads do not exist in the child), and valgrind's
 * --error-exitcode would overwrite the status. */
static void test_fork(void) {
    sb_reset();
    lx_client *c = sandbox_client(token, NULL);
    CHECK(get_status(c, FACTSHEETS, NULL) == LX_OK, "parent request");
    int fds[2];
    CHECK(pipe(fds) == 0, "pipe");
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        char code = 0;
        close(fds[0]);
        if (get_status(c, FACTSHEETS, NULL) != LX_ERR_FORKED) code |= 1;
        lx_free(c);
        lx_client *fresh = sandbox_client(token, NULL);
        if (!fresh || get_status(fresh, FACTSHEETS, NULL) != LX_OK) code |= 2;
        lx_free(fresh);
        if (write(fds[1], &code, 1) != 1) code |= 4;
        _exit(0);
    }
    close(fds[1]);
    char code = 8;
    CHECK(read(fds[0], &code, 1) == 1, "child reported");
    close(fds[0]);
    waitpid(pid, NULL, 0);
    CHECK(code == 0, "child: inherited client FORKED (bit 1) and new client OK (bit 2): code %d", code);
    CHECK(get_status(c, FACTSHEETS, NULL) == LX_OK, "parent still works after fork");
    lx_free(c);
}

int main(void) {
    if (sb_from_env("LX_SANDBOX", &url, &token, &viewer_token) != 0) return 2;
    test_versions();
    test_full_flow();
    test_bad_token();
    test_http_errors();
    test_timeout_and_network();
    test_bad_config_and_arguments();
    test_threads();
    test_free_while_in_use();
    test_event_callback();
    test_fork();
    return tc_summary();
}
