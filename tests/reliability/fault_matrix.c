/* The fault matrix: every sandbox fault on the token endpoint and on an API endpoint, through
 * the C ABI. Each case asserts the outcome (success after retry, or the right status, HTTP
 * status and message), the number of attempts the sandbox saw (its counters), and that the call
 * returned within a generous bound (a hang guard, not a timing assertion).
 *
 * Environment (set by tests/reliability/run.sh): LX_SANDBOX_URL, LX_SANDBOX_TOKEN (an admin),
 * LX_SANDBOX_SPARE_TOKENS (comma-separated admin tokens that cases may revoke).
 * Prints one line per case and "N passed, N failed" last; exits non-zero on any failure.
 * Optional argument: a substring; only cases whose name contains it run. */
#define _POSIX_C_SOURCE 200809L
#include <leanix.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "sandbox_control.h"

/* Cases leave the trailing fields (arrivals) out unless they need them. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

enum target { TOKEN, API };
enum call { GET, POST_CREATE, GRAPHQL };

struct count {
    const char *endpoint;
    int status;
    long n;
};

struct fault_case {
    const char *name;
    enum target target;   /* TOKEN: a cold client meets the fault on its first exchange;
                             API: a warm client (token cached) meets it on the request. */
    const char *setup;    /* control calls, one per line: "fault {json}" or "revoke {json}" */
    const char *options;  /* extra client options, "key=value;key=value" */
    int spare;            /* 0: the admin token; n: the n-th spare token (cases that revoke it) */
    enum call call;
    int calls;            /* times the call is made (0 means 1) */
    int expect;           /* status of every call */
    int http;             /* lx_error_http_status() of the error; 0 skips */
    const char *message;  /* a substring of the error message, or NULL */
    long retry_after_ms;  /* lx_error_retry_after_ms() of the error; 0 skips */
    long token_requests;  /* requests to the token endpoint during the calls; -1 skips */
    struct count counts[4];
    long foreign;         /* requests that reached the foreign origin; -1 skips */
    double bound;         /* seconds the calls may take at most (hang guard) */
    double at_least;      /* seconds they must take at least (Retry-After honoured), 0 skips */
    long settle_ms;       /* wait before reading the counters (a stalled handler finishing) */
    const char *arrivals_at; /* an endpoint whose requests are counted whatever their status, */
    long arrivals;           /* e.g. a stalled request that the client gave up on (499 or 200) */
};


/* Fast backoff keeps the matrix short; cases about the defaults leave it out. */
#define FAST "retry_base_delay_ms=50"

static const struct fault_case CASES[] = {
    /* ---- token endpoint ---- */
    {"token 500 once -> retried, success", TOKEN,
     "fault {\"endpoint\":\"token\",\"kind\":\"status\",\"status\":500}", FAST, 0, GET, 1, LX_OK, 0, NULL, 0, 2,
     {{"token", 500, 1}, {"token", 200, 1}, {"factSheets", 200, 1}}, -1, 5, 0, 0},
    {"token 503 once (default backoff) -> retried, success", TOKEN,
     "fault {\"endpoint\":\"token\",\"kind\":\"status\",\"status\":503}", NULL, 0, GET, 1, LX_OK, 0, NULL, 0, 2,
     {{"token", 503, 1}, {"token", 200, 1}, {"factSheets", 200, 1}}, -1, 5, 0, 0},
    {"token 504 twice -> retried, success on the 3rd attempt", TOKEN,
     "fault {\"endpoint\":\"token\",\"kind\":\"status\",\"status\":504,\"times\":2}", FAST, 0, GET, 1, LX_OK, 0, NULL, 0, 3,
     {{"token", 504, 2}, {"token", 200, 1}}, -1, 5, 0, 0},
    {"token 503 on every attempt -> LX_ERR_HTTP after 3", TOKEN,
     "fault {\"endpoint\":\"token\",\"kind\":\"status\",\"status\":503,\"times\":3}", FAST, 0, GET, 1, LX_ERR_HTTP, 503,
     "token endpoint", 0, 3, {{"token", 503, 3}, {"factSheets", 200, 0}}, -1, 5, 0, 0},
    {"token 503 x10 with token_attempts=5 -> 5 attempts", TOKEN,
     "fault {\"endpoint\":\"token\",\"kind\":\"status\",\"status\":503,\"times\":10}", FAST ";token_attempts=5", 0, GET, 1,
     LX_ERR_HTTP, 503, NULL, 0, 5, {{"token", 503, 5}}, -1, 10, 0, 0},
    {"token 429 Retry-After: 1 -> waits ~1 s, success", TOKEN,
     "fault {\"endpoint\":\"token\",\"kind\":\"status\",\"status\":429,\"retry_after\":\"1\"}", FAST, 0, GET, 1, LX_OK, 0,
     NULL, 0, 2, {{"token", 429, 1}, {"token", 200, 1}}, -1, 5, 0.9, 0},
    {"token 429 without Retry-After -> backoff, success", TOKEN,
     "fault {\"endpoint\":\"token\",\"kind\":\"status\",\"status\":429}", FAST, 0, GET, 1, LX_OK, 0, NULL, 0, 2,
     {{"token", 429, 1}, {"token", 200, 1}}, -1, 5, 0, 0},
    {"token 429 on every attempt -> LX_ERR_RATE_LIMITED after 3", TOKEN,
     "fault {\"endpoint\":\"token\",\"kind\":\"status\",\"status\":429,\"times\":3}", FAST, 0, GET, 1, LX_ERR_RATE_LIMITED,
     429, "429", 0, 3, {{"token", 429, 3}}, -1, 5, 0, 0},
    {"token 429 Retry-After: 3600 -> LX_ERR_RATE_LIMITED at once (above max_retry_after)", TOKEN,
     "fault {\"endpoint\":\"token\",\"kind\":\"status\",\"status\":429,\"retry_after\":\"3600\"}", FAST, 0, GET, 1,
     LX_ERR_RATE_LIMITED, 429, "429", 3600000, 1, {{"token", 429, 1}, {"token", 200, 0}}, -1, 2, 0, 0},
    {"token 503 Retry-After: 1 -> waits ~1 s, success", TOKEN,
     "fault {\"endpoint\":\"token\",\"kind\":\"status\",\"status\":503,\"retry_after\":\"1\"}", FAST, 0, GET, 1, LX_OK, 0,
     NULL, 0, 2, {{"token", 503, 1}, {"token", 200, 1}}, -1, 5, 0.95, 0},
    {"token stall past token_timeout once -> retried, success", TOKEN,
     "fault {\"endpoint\":\"token\",\"kind\":\"stall\",\"ms\":5000}", FAST ";token_timeout_ms=400", 0, GET, 1, LX_OK, 0, NULL, 0,
     2, {{"token", 499, 1}, {"token", 200, 1}, {"factSheets", 200, 1}}, -1, 1.5, 0.4, 200},
    {"token stall on every attempt -> LX_ERR_TIMEOUT after 3", TOKEN,
     "fault {\"endpoint\":\"token\",\"kind\":\"stall\",\"ms\":5000,\"times\":3}", FAST ";token_timeout_ms=300", 0, GET, 1,
     LX_ERR_TIMEOUT, 0, "timed out", 0, 3, {{"token", 499, 3}, {"factSheets", 200, 0}}, -1, 3, 0.9, 200},
    {"token dropped connection once -> retried, success", TOKEN,
     "fault {\"endpoint\":\"token\",\"kind\":\"drop_connection\"}", FAST, 0, GET, 1, LX_OK, 0, NULL, 0, 2,
     {{"token", 0, 1}, {"token", 200, 1}}, -1, 5, 0, 0},
    {"token dropped connection on every attempt -> LX_ERR_CONNECT", TOKEN,
     "fault {\"endpoint\":\"token\",\"kind\":\"drop_connection\",\"times\":3}", FAST, 0, GET, 1, LX_ERR_CONNECT, 0, NULL, 0,
     3, {{"token", 0, 3}}, -1, 5, 0, 0},
    {"token body cut short once -> retried, success", TOKEN, "fault {\"endpoint\":\"token\",\"kind\":\"truncated_body\"}",
     FAST, 0, GET, 1, LX_OK, 0, NULL, 0, 2, {{"token", 200, 2}, {"factSheets", 200, 1}}, -1, 5, 0, 0},
    {"token body cut short on every attempt -> LX_ERR_CONNECT", TOKEN,
     "fault {\"endpoint\":\"token\",\"kind\":\"truncated_body\",\"times\":3}", FAST, 0, GET, 1, LX_ERR_CONNECT, 0, NULL, 0, 3,
     {{"token", 200, 3}, {"factSheets", 200, 0}}, -1, 5, 0, 0},
    {"token truncated JSON -> LX_ERR_INVALID_RESPONSE, not retried", TOKEN,
     "fault {\"endpoint\":\"token\",\"kind\":\"malformed_json\"}", FAST, 0, GET, 1, LX_ERR_INVALID_RESPONSE, 200, "not JSON",
     0, 1, {{"token", 200, 1}, {"factSheets", 200, 0}}, -1, 5, 0, 0},
    {"token HTML page on 200 -> LX_ERR_INVALID_RESPONSE", TOKEN, "fault {\"endpoint\":\"token\",\"kind\":\"html_ok\"}", FAST,
     0, GET, 1, LX_ERR_INVALID_RESPONSE, 200, "not JSON", 0, 1, {{"token", 200, 1}}, -1, 5, 0, 0},
    {"token empty access_token -> LX_ERR_INVALID_RESPONSE", TOKEN, "fault {\"endpoint\":\"token\",\"kind\":\"empty_token\"}",
     FAST, 0, GET, 1, LX_ERR_INVALID_RESPONSE, 200, "empty access_token", 0, 1, {{"token", 200, 1}}, -1, 5, 0, 0},
    {"token expired:true -> LX_ERR_INVALID_RESPONSE", TOKEN, "fault {\"endpoint\":\"token\",\"kind\":\"expired_true\"}", FAST,
     0, GET, 1, LX_ERR_INVALID_RESPONSE, 200, "expired", 0, 1, {{"token", 200, 1}}, -1, 5, 0, 0},
    {"token expires_in:-1 -> LX_ERR_INVALID_RESPONSE", TOKEN,
     "fault {\"endpoint\":\"token\",\"kind\":\"negative_expires_in\"}", FAST, 0, GET, 1, LX_ERR_INVALID_RESPONSE, 200,
     "expires_in", 0, 1, {{"token", 200, 1}}, -1, 5, 0, 0},
    {"token revoked API token -> LX_ERR_INVALID_CREDENTIALS once, then remembered", TOKEN, "revoke {\"api_token\":\"$SPARE\"}",
     FAST, 1, GET, 3, LX_ERR_INVALID_CREDENTIALS, 401, "rejected the API token", 0, 1, {{"token", 401, 1}}, -1, 3, 0, 0},
    {"token redirect to another origin -> refused, not followed", TOKEN,
     "fault {\"endpoint\":\"token\",\"kind\":\"redirect_foreign\"}", FAST, 0, GET, 1, LX_ERR_INVALID_RESPONSE, 307, "redirect",
     0, 1, {{"token", 307, 1}}, 0, 5, 0, 0},

    /* ---- API endpoint (factSheets; graphql where the call is a query) ---- */
    {"api 503 once -> retried, success", API, "fault {\"endpoint\":\"factSheets\",\"kind\":\"status\",\"status\":503}", NULL, 0, GET, 1, LX_OK, 0,
     NULL, 0, 0, {{"factSheets", 503, 1}, {"factSheets", 200, 1}}, -1, 5, 0, 0},
    {"api 502 then 504 -> retried twice, success", API,
     "fault {\"endpoint\":\"factSheets\",\"kind\":\"status\",\"status\":502}\n"
     "fault {\"endpoint\":\"factSheets\",\"kind\":\"status\",\"status\":504}",
     FAST, 0, GET, 1, LX_OK, 0, NULL, 0, 0, {{"factSheets", 502, 1}, {"factSheets", 504, 1}, {"factSheets", 200, 1}}, -1, 5,
     0, 0},
    {"api 503 on every attempt -> LX_ERR_HTTP after 3", API,
     "fault {\"endpoint\":\"factSheets\",\"kind\":\"status\",\"status\":503,\"times\":3}", FAST, 0, GET, 1, LX_ERR_HTTP, 503,
     "503", 0, 0, {{"factSheets", 503, 3}}, -1, 5, 0, 0},
    {"api 503 with max_attempts=1 -> LX_ERR_HTTP at once", API, "fault {\"endpoint\":\"factSheets\",\"kind\":\"status\",\"status\":503}",
     FAST ";max_attempts=1", 0, GET, 1, LX_ERR_HTTP, 503, NULL, 0, 0, {{"factSheets", 503, 1}}, -1, 2, 0, 0},
    {"api 500 once -> retried, success", API, "fault {\"endpoint\":\"factSheets\",\"kind\":\"status\",\"status\":500}",
     FAST, 0, GET, 1, LX_OK, 0, NULL, 0, 0, {{"factSheets", 500, 1}, {"factSheets", 200, 1}}, -1, 2, 0, 0},
    {"api 501 -> LX_ERR_HTTP, not retried", API, "fault {\"endpoint\":\"factSheets\",\"kind\":\"status\",\"status\":501}",
     FAST, 0, GET, 1, LX_ERR_HTTP, 501, "501", 0, 0, {{"factSheets", 501, 1}, {"factSheets", 200, 0}}, -1, 2, 0, 0},
    {"api 429 Retry-After: 1 -> waits ~1 s, success", API,
     "fault {\"endpoint\":\"factSheets\",\"kind\":\"status\",\"status\":429,\"retry_after\":\"1\"}", FAST, 0, GET, 1, LX_OK,
     0, NULL, 0, 0, {{"factSheets", 429, 1}, {"factSheets", 200, 1}}, -1, 5, 0.9, 0},
    {"api 429 without Retry-After -> backoff, success", API,
     "fault {\"endpoint\":\"factSheets\",\"kind\":\"status\",\"status\":429}", FAST, 0, GET, 1, LX_OK, 0, NULL, 0, 0,
     {{"factSheets", 429, 1}, {"factSheets", 200, 1}}, -1, 5, 0, 0},
    {"api 429 on every attempt -> LX_ERR_RATE_LIMITED after 3", API,
     "fault {\"endpoint\":\"factSheets\",\"kind\":\"status\",\"status\":429,\"times\":3}", FAST, 0, GET, 1,
     LX_ERR_RATE_LIMITED, 429, "429", 0, 0, {{"factSheets", 429, 3}}, -1, 5, 0, 0},
    {"api 429 Retry-After: 3600 -> LX_ERR_RATE_LIMITED at once", API,
     "fault {\"endpoint\":\"factSheets\",\"kind\":\"status\",\"status\":429,\"retry_after\":\"3600\"}", FAST, 0, GET, 1,
     LX_ERR_RATE_LIMITED, 429, "retry after 3600 s", 3600000, 0, {{"factSheets", 429, 1}}, -1, 2, 0, 0},
    {"api 503 Retry-After: 3600 -> LX_ERR_HTTP at once", API,
     "fault {\"endpoint\":\"factSheets\",\"kind\":\"status\",\"status\":503,\"retry_after\":\"3600\"}", FAST, 0, GET, 1,
     LX_ERR_HTTP, 503, NULL, 3600000, 0, {{"factSheets", 503, 1}}, -1, 2, 0, 0},
    {"api stall past request_timeout -> LX_ERR_TIMEOUT, not retried", API,
     "fault {\"endpoint\":\"factSheets\",\"kind\":\"stall\",\"ms\":1200}", FAST ";request_timeout_ms=400", 0, GET, 1,
     LX_ERR_TIMEOUT, 0, "timed out", 0, 0, {{NULL, 0, 0}}, -1, 1.4, 0.35, 1400, "factSheets", 1},
    {"api stall x3 past request_timeout (POST create) -> LX_ERR_TIMEOUT, never replayed", API,
     "fault {\"endpoint\":\"factSheets\",\"kind\":\"stall\",\"ms\":1200,\"times\":3}", FAST ";request_timeout_ms=400", 0,
     POST_CREATE, 1, LX_ERR_TIMEOUT, 0, "timed out", 0, 0, {{NULL, 0, 0}}, -1, 1.4, 0.35, 1400, "factSheets", 1},
    {"api dropped connection once (GET) -> retried, success", API,
     "fault {\"endpoint\":\"factSheets\",\"kind\":\"drop_connection\"}", FAST, 0, GET, 1, LX_OK, 0, NULL, 0, 0,
     {{"factSheets", 0, 1}, {"factSheets", 200, 1}}, -1, 5, 0, 0},
    {"api dropped connection on every attempt (GET) -> LX_ERR_CONNECT", API,
     "fault {\"endpoint\":\"factSheets\",\"kind\":\"drop_connection\",\"times\":3}", FAST, 0, GET, 1, LX_ERR_CONNECT, 0, NULL,
     0, 0, {{"factSheets", 0, 3}}, -1, 5, 0, 0},
    {"api dropped connection (POST create) -> LX_ERR_CONNECT, never replayed", API,
     "fault {\"endpoint\":\"factSheets\",\"kind\":\"drop_connection\"}", FAST, 0, POST_CREATE, 1, LX_ERR_CONNECT, 0, NULL, 0,
     0, {{"factSheets", 0, 1}, {"factSheets", 200, 0}}, -1, 5, 0, 0},
    {"api 503 (POST create) -> LX_ERR_HTTP, never replayed", API, "fault {\"endpoint\":\"factSheets\",\"kind\":\"status\",\"status\":503}", FAST,
     0, POST_CREATE, 1, LX_ERR_HTTP, 503, NULL, 0, 0, {{"factSheets", 503, 1}, {"factSheets", 200, 0}}, -1, 5, 0, 0},
    {"api dropped connection (GraphQL query) -> retried, success", API,
     "fault {\"endpoint\":\"graphql\",\"kind\":\"drop_connection\"}", FAST, 0, GRAPHQL, 1, LX_OK, 0, NULL, 0, 0,
     {{"graphql", 0, 1}, {"graphql", 200, 1}}, -1, 5, 0, 0},
    {"api body cut short once (GET) -> retried, success", API,
     "fault {\"endpoint\":\"factSheets\",\"kind\":\"truncated_body\"}", FAST, 0, GET, 1, LX_OK, 0, NULL, 0, 0,
     {{"factSheets", 200, 2}}, -1, 5, 0, 0},
    {"api body cut short on every attempt (GET) -> LX_ERR_CONNECT", API,
     "fault {\"endpoint\":\"factSheets\",\"kind\":\"truncated_body\",\"times\":3}", FAST, 0, GET, 1, LX_ERR_CONNECT, 0, NULL,
     0, 0, {{"factSheets", 200, 3}}, -1, 5, 0, 0},
    {"api truncated JSON (REST GET) -> LX_OK, body passed through as is", API,
     "fault {\"endpoint\":\"factSheets\",\"kind\":\"malformed_json\"}", FAST, 0, GET, 1, LX_OK, 0, NULL, 0, 0,
     {{"factSheets", 200, 1}}, -1, 5, 0, 0},
    {"api truncated JSON (GraphQL) -> LX_ERR_INVALID_RESPONSE", API,
     "fault {\"endpoint\":\"graphql\",\"kind\":\"malformed_json\"}", FAST, 0, GRAPHQL, 1, LX_ERR_INVALID_RESPONSE, 0, NULL, 0,
     0, {{"graphql", 200, 1}}, -1, 5, 0, 0},
    {"api HTML page on 200 (GraphQL) -> LX_ERR_INVALID_RESPONSE", API, "fault {\"endpoint\":\"graphql\",\"kind\":\"html_ok\"}",
     FAST, 0, GRAPHQL, 1, LX_ERR_INVALID_RESPONSE, 0, NULL, 0, 0, {{"graphql", 200, 1}}, -1, 5, 0, 0},
    {"api revoked access token -> 401, one re-exchange, replayed, success", API, "revoke {\"access_tokens\":true}", FAST, 0,
     GET, 1, LX_OK, 0, NULL, 0, 1, {{"factSheets", 401, 1}, {"factSheets", 200, 1}, {"token", 200, 1}}, -1, 5, 0, 0},
    {"api revoked API token, access token still valid -> success, no exchange", API, "revoke {\"api_token\":\"$SPARE\"}",
     FAST, 2, GET, 1, LX_OK, 0, NULL, 0, 0, {{"factSheets", 200, 1}}, -1, 5, 0, 0},
    {"api revoked API and access tokens -> 401, LX_ERR_INVALID_CREDENTIALS", API,
     "revoke {\"api_token\":\"$SPARE\"}\nrevoke {\"access_tokens\":true}", FAST, 3, GET, 1, LX_ERR_INVALID_CREDENTIALS, 401,
     "rejected the API token", 0, 1, {{"factSheets", 401, 1}, {"token", 401, 1}}, -1, 5, 0, 0},
    {"api 401 twice -> one replay, LX_ERR_UNAUTHORIZED", API,
     "fault {\"endpoint\":\"factSheets\",\"kind\":\"status\",\"status\":401,\"times\":2}", FAST, 0, GET, 1,
     LX_ERR_UNAUTHORIZED, 401, "401", 0, 1, {{"factSheets", 401, 2}, {"token", 200, 1}}, -1, 5, 0, 0},
    {"api 403 -> LX_ERR_FORBIDDEN, no refresh", API, "fault {\"endpoint\":\"factSheets\",\"kind\":\"status\",\"status\":403}",
     FAST, 0, GET, 1, LX_ERR_FORBIDDEN, 403, "403", 0, 0, {{"factSheets", 403, 1}}, -1, 2, 0, 0},
    {"api redirect to another origin -> LX_ERR_REDIRECT, not followed", API,
     "fault {\"endpoint\":\"factSheets\",\"kind\":\"redirect_foreign\"}", FAST, 0, GET, 1, LX_ERR_REDIRECT, 307,
     "another origin", 0, 0, {{"factSheets", 307, 1}}, 0, 2, 0, 0},
    {"api same-origin redirect x3 -> followed, success", API,
     "fault {\"endpoint\":\"factSheets\",\"kind\":\"redirect_self\",\"times\":3}", FAST, 0, GET, 1, LX_OK, 0, NULL, 0, 0,
     {{"factSheets", 307, 3}, {"factSheets", 200, 1}}, -1, 2, 0, 0},
    {"api same-origin redirect loop -> LX_ERR_INVALID_RESPONSE after 5, not retried", API,
     "fault {\"endpoint\":\"factSheets\",\"kind\":\"redirect_self\",\"times\":100}", FAST, 0, GET, 1,
     LX_ERR_INVALID_RESPONSE, 0, "redirects", 0, 0, {{"factSheets", 307, 5}, {"factSheets", 200, 0}}, -1, 2, 0, 0},
    {"token same-origin redirect -> refused, not followed", TOKEN,
     "fault {\"endpoint\":\"token\",\"kind\":\"redirect_self\"}", FAST, 0, GET, 1, LX_ERR_INVALID_RESPONSE, 307,
     "redirect", 0, 1, {{"token", 307, 1}}, -1, 2, 0, 0},
    {"api redirect to another origin (GraphQL) -> LX_ERR_REDIRECT", API,
     "fault {\"endpoint\":\"graphql\",\"kind\":\"redirect_foreign\"}", FAST, 0, GRAPHQL, 1, LX_ERR_REDIRECT, 307, NULL, 0, 0,
     {{"graphql", 307, 1}}, 0, 2, 0, 0},
};

static const char *url, *admin_token;
static char spare_tokens[8][128];
static int spare_count;

#define FACTSHEETS "/services/pathfinder/v1/factSheets?pageSize=1"

static int do_call(lx_client *c, enum call call, lx_error **err) {
    if (call == GET) {
        lx_response *resp = NULL;
        int st = lx_get(c, FACTSHEETS, &resp, err);
        if (st == LX_OK) {
            const uint8_t *body = NULL;
            size_t len = 0;
            if (lx_response_status(resp) / 100 != 2 || lx_response_body(resp, &body, &len) != LX_OK || len == 0) st = -100;
        } else if (resp != NULL) {
            st = -101; /* output written on failure */
        }
        lx_free(resp);
        return st;
    }
    if (call == POST_CREATE) {
        const char *json = "{\"name\":\"reliability\",\"type\":\"Application\"}";
        lx_response *resp = NULL;
        int st = lx_request(c, "POST", "/services/pathfinder/v1/factSheets", "Content-Type: application/json", 30,
                            (const uint8_t *)json, strlen(json), LX_REQUEST_DEFAULT, &resp, err);
        lx_free(resp);
        return st;
    }
    char *out = NULL;
    size_t len = 0;
    int st = lx_graphql(c, "{ allFactSheets(first: 1) { totalCount } }", NULL, &out, &len, err);
    if (st == LX_OK && (out == NULL || len == 0)) st = -100;
    lx_free(out);
    return st;
}

static char reasons[4096];
static void why(const char *fmt, ...) {
    size_t n = strlen(reasons);
    if (n + 2 >= sizeof reasons) return;
    if (n) strcat(reasons, "; ");
    n = strlen(reasons);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reasons + n, sizeof reasons - n, fmt, ap);
    va_end(ap);
}

/* Runs the control calls of `setup`, with $SPARE replaced by the case's spare token. */
static int apply_setup(const char *setup, const char *spare) {
    if (!setup) return 0;
    char buf[2048];
    snprintf(buf, sizeof buf, "%s", setup);
    char *save = NULL;
    for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char body[1024];
        const char *json = strchr(line, ' ');
        if (!json) return -1;
        json++;
        const char *var = strstr(json, "$SPARE");
        if (var) {
            snprintf(body, sizeof body, "%.*s%s%s", (int)(var - json), json, spare, var + 6);
        } else {
            snprintf(body, sizeof body, "%s", json);
        }
        const char *path = strncmp(line, "fault ", 6) == 0 ? "/_sandbox/faults" : "/_sandbox/revoke";
        int st = sb_call("POST", path, body, NULL, 0);
        if (st != 200) {
            why("control call %s %s -> %d", path, body, st);
            return -1;
        }
    }
    return 0;
}

static int run_case(const struct fault_case *fc) {
    reasons[0] = '\0';
    const char *api_token = admin_token;
    if (fc->spare) {
        if (fc->spare > spare_count) {
            why("needs spare token %d, have %d", fc->spare, spare_count);
            return 0;
        }
        api_token = spare_tokens[fc->spare - 1];
    }
    sb_reset();
    int st = 0;
    lx_client *c = rt_client(url, api_token, fc->options, &st);
    if (!c) {
        why("client: %s", lx_status_str(st));
        return 0;
    }
    if (fc->target == API) {
        lx_error *err = NULL;
        int w = do_call(c, GET, &err);
        if (w != LX_OK) why("warm-up call failed: %s %s", lx_status_str(w), lx_error_message(err));
        lx_free(err);
        sb_reset();
    }
    if (apply_setup(fc->setup, api_token) != 0) {
        lx_free(c);
        return 0;
    }
    int calls = fc->calls ? fc->calls : 1;
    double t0 = rt_now();
    for (int i = 0; i < calls; i++) {
        lx_error *err = NULL;
        int got = do_call(c, fc->call, &err);
        if (got != fc->expect) {
            why("call %d: %s (%d), expected %s: %s", i + 1, lx_status_str(got), got, lx_status_str(fc->expect),
                err ? lx_error_message(err) : "");
        }
        if (got == LX_OK && err != NULL) why("error written on success");
        if (got != LX_OK && got > 0) {
            if (!err) {
                why("no error object on failure");
            } else {
                const char *msg = lx_error_message(err);
                if (lx_error_code(err) != got) why("lx_error_code %d != status %d", lx_error_code(err), got);
                if (!msg || !*msg) why("empty message");
                if (fc->message && !strstr(msg, fc->message)) why("message lacks \"%s\": %s", fc->message, msg);
                if (strstr(msg, api_token)) why("message contains the API token");
                if (fc->http && lx_error_http_status(err) != fc->http)
                    why("http status %d, expected %d", lx_error_http_status(err), fc->http);
                if (fc->retry_after_ms && lx_error_retry_after_ms(err) != fc->retry_after_ms)
                    why("retry_after_ms %lld, expected %ld", (long long)lx_error_retry_after_ms(err), fc->retry_after_ms);
            }
        }
        lx_free(err);
    }
    double took = rt_now() - t0;
    if (took > fc->bound) why("took %.2f s, bound %.1f s", took, fc->bound);
    if (fc->at_least > 0 && took < fc->at_least) why("took %.2f s, expected at least %.1f s", took, fc->at_least);
    if (fc->settle_ms) rt_sleep_ms(fc->settle_ms);
    const char *stats = rt_stats();
    if (!stats) {
        why("cannot read /_sandbox/stats");
    } else {
        long tr = sb_stats_counter(stats, "token_requests");
        if (fc->token_requests >= 0 && tr != fc->token_requests)
            why("token_requests %ld, expected %ld", tr, fc->token_requests);
        for (size_t i = 0; i < sizeof fc->counts / sizeof fc->counts[0] && fc->counts[i].endpoint; i++) {
            long n = sb_stats_requests(stats, fc->counts[i].endpoint, fc->counts[i].status);
            if (n != fc->counts[i].n)
                why("%s %d: %ld requests, expected %ld", fc->counts[i].endpoint, fc->counts[i].status, n, fc->counts[i].n);
        }
        if (fc->arrivals_at) {
            long n = 0;
            for (int st = 0; st < 1000; st++) n += sb_stats_requests(stats, fc->arrivals_at, st);
            if (n != fc->arrivals) why("%s: %ld requests arrived, expected %ld", fc->arrivals_at, n, fc->arrivals);
        }
        if (fc->foreign >= 0 && sb_stats_counter(stats, "foreign_requests") != fc->foreign)
            why("foreign_requests %ld, expected %ld", sb_stats_counter(stats, "foreign_requests"), fc->foreign);
        if (sb_stats_counter(stats, "foreign_requests_with_authorization") != 0) why("a credential reached the foreign origin");
    }
    lx_free(c);
    printf("%-4s %-84s %6.2f s  %s\n", reasons[0] ? "FAIL" : "ok", fc->name, took, reasons);
    fflush(stdout);
    return reasons[0] == '\0';
}

int main(int argc, char **argv) {
    url = getenv("LX_SANDBOX_URL");
    admin_token = getenv("LX_SANDBOX_TOKEN");
    const char *spares = getenv("LX_SANDBOX_SPARE_TOKENS");
    if (!url || !admin_token || sb_init(url) != 0) {
        fprintf(stderr, "set LX_SANDBOX_URL and LX_SANDBOX_TOKEN (tests/reliability/run.sh does)\n");
        return 2;
    }
    if (spares) {
        char buf[1024];
        snprintf(buf, sizeof buf, "%s", spares);
        char *save = NULL;
        for (char *t = strtok_r(buf, ",", &save); t && spare_count < 8; t = strtok_r(NULL, ",", &save))
            snprintf(spare_tokens[spare_count++], sizeof spare_tokens[0], "%s", t);
    }
    const char *filter = argc > 1 ? argv[1] : NULL;
    double t0 = rt_now();
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        if (filter && !strstr(CASES[i].name, filter)) continue;
        rt_count(run_case(&CASES[i]));
    }
    sb_reset();
    printf("fault matrix: %.1f s\n", rt_now() - t0);
    return rt_summary();
}
