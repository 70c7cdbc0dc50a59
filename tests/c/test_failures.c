/* Failures through the C ABI (issue 13): a failed call keeps the server's answer
 * (lx_error_response), GraphQL errors are structured (lx_error_graphql_json), bodies are bounded
 * (LX_ERR_TOO_LARGE), paging follows one rule (lx_graphql_all, lx_graphql_pages_*, lx_rest_pages_*), and framing
 * headers are refused. Every case against the sandbox, with the requests it counted.
 *
 * Environment: LX_SANDBOX_URL, LX_SANDBOX_TOKEN, LX_SANDBOX_VIEWER_TOKEN (set by run.sh).
 * Prints "N passed, N failed" last; exits non-zero on any failure. */
#define _POSIX_C_SOURCE 200809L
#include <leanix.h>

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "sandbox_control.h"
#include "test_client.h"

static const char *url, *token, *viewer_token;

#define FACTSHEETS "/services/pathfinder/v1/factSheets?pageSize=1"
#define CREATE_PATH "/services/pathfinder/v1/factSheets"
#define ENVELOPE_400 "{\"status\":\"ERROR\",\"type\":\"FactSheet\",\"errors\":[{\"message\":\"name must not be empty\"}]}"
#define PAGED(first) \
    "query($after: String) { allFactSheets(first: " #first ", after: $after) { totalCount " \
    "pageInfo { hasNextPage endCursor } edges { node { id } } } }"

/* A client whose token is cached, with the sandbox's counters zeroed after the exchange. */
static lx_client *warm_client(const char *api_token, const char *extra) {
    sb_reset();
    lx_client *c = tc_client(url, api_token, extra, NULL);
    if (!c) return NULL;
    char *tok = NULL;
    if (lx_access_token(c, &tok, NULL) != LX_OK) {
        lx_free(c);
        return NULL;
    }
    lx_free(tok);
    sb_reset();
    return c;
}

static int count_of(const char *haystack, const char *needle) {
    int n = 0;
    for (const char *p = haystack; p && (p = strstr(p, needle)) != NULL; p += strlen(needle)) n++;
    return n;
}

/* The string value of the first "key":"..." in json, copied into out (empty if absent). */
static void json_string(const char *json, const char *key, char *out, size_t cap) {
    char k[64];
    snprintf(k, sizeof k, "\"%s\":\"", key);
    const char *p = json ? strstr(json, k) : NULL;
    out[0] = '\0';
    if (!p) return;
    p += strlen(k);
    const char *end = strchr(p, '"');
    if (!end || (size_t)(end - p) >= cap) return;
    memcpy(out, p, (size_t)(end - p));
    out[end - p] = '\0';
}

static long json_number(const char *json, const char *key) {
    char k[64];
    snprintf(k, sizeof k, "\"%s\":", key);
    const char *p = json ? strstr(json, k) : NULL;
    return p ? strtol(p + strlen(k), NULL, 10) : -1;
}

/* ---- lx_error_response ---- */

/* A 400 with LeanIX's envelope and an x-request-id header: everything reaches the caller. */
static void test_error_response_400(void) {
    lx_client *c = warm_client(token, NULL);
    CHECK(c != NULL, "client");
    if (!c) return;
    CHECK(sb_fault("{\"endpoint\":\"factSheets\",\"kind\":\"respond\",\"status\":400,\"body\":"
                   "\"{\\\"status\\\":\\\"ERROR\\\",\\\"type\\\":\\\"FactSheet\\\",\\\"errors\\\":[{\\\"message\\\":"
                   "\\\"name must not be empty\\\"}]}\",\"headers\":{\"x-request-id\":\"req-c-400\"}}") == 200,
          "fault");
    const char *json = "{\"name\":\"\",\"type\":\"Application\"}";
    lx_response *resp = NULL;
    lx_error *err = NULL;
    int st = lx_request(c, "POST", CREATE_PATH, "Content-Type: application/json", 30, (const uint8_t *)json,
                        strlen(json), LX_REQUEST_DEFAULT, &resp, &err);
    CHECK(st == LX_ERR_HTTP, "400 -> %s", lx_status_str(st));
    CHECK(resp == NULL, "no response output on failure");
    CHECK(lx_error_code(err) == LX_ERR_HTTP && lx_error_http_status(err) == 400, "code %d http %d", lx_error_code(err),
          lx_error_http_status(err));
    CHECK(strstr(lx_error_message(err), "name must not be empty") != NULL, "the message quotes the server: %s",
          lx_error_message(err));
    CHECK(strstr(lx_error_message(err), token) == NULL, "no token in the message");

    const lx_response *failed_resp = NULL;
    CHECK(lx_error_response(err, &failed_resp) == LX_OK && failed_resp != NULL, "lx_error_response");
    CHECK(lx_response_status(failed_resp) == 400, "status %d", lx_response_status(failed_resp));
    const char *rid = NULL, *ctype = NULL;
    CHECK(lx_response_header_get(failed_resp, "X-Request-Id", &rid, NULL) == LX_OK && rid && strcmp(rid, "req-c-400") == 0,
          "x-request-id: %s", rid ? rid : "(absent)");
    CHECK(lx_response_header_get(failed_resp, "content-type", &ctype, NULL) == LX_OK && strcmp(ctype, "application/json") == 0,
          "content-type: %s", ctype ? ctype : "(absent)");
    const uint8_t *body = NULL;
    size_t len = 0;
    CHECK(lx_response_body(failed_resp, &body, &len) == LX_OK, "body");
    CHECK(len == strlen(ENVELOPE_400) && body && memcmp(body, ENVELOPE_400, len) == 0 && body[len] == '\0',
          "the body exactly as sent (%zu bytes): %.*s", len, (int)len, body ? (const char *)body : "");
    const char *block = NULL;
    size_t block_len = 0;
    CHECK(lx_response_headers(failed_resp, &block, &block_len) == LX_OK && strstr(block, "x-request-id: req-c-400\n"),
          "headers block: %s", block ? block : "(null)");
    CHECK((size_t)count_of(block, "\n") == lx_response_header_count(failed_resp), "one line per header");
    const lx_response *again = NULL;
    CHECK(lx_error_response(err, &again) == LX_OK && again == failed_resp, "the same borrowed response twice");
    /* Freeing the error frees the response it lent out: the handle is dead from then on. */
    lx_free(err);
    CHECK(lx_response_status(failed_resp) == 0, "the borrowed response died with its error (status %d)",
          lx_response_status(failed_resp));
    CHECK(lx_response_body(failed_resp, &body, &len) == LX_ERR_INVALID_ARG, "its body is refused after lx_free(err)");
    CHECK(lx_response_header_count(failed_resp) == 0, "no headers after lx_free(err)");
    CHECK(sb_requests("factSheets", 400) == 1 && sb_requests("factSheets", -1) == 1, "one request, not retried: %ld",
          sb_requests("factSheets", -1));
    CHECK(sb_counter("token_requests") == 0, "no exchange for a 400");
    lx_free(c);
}

/* The header: "Borrowed pointers (from ... lx_error_response() ...) must not be passed [to
 * lx_free]; they are ignored if they are." */
static void test_borrowed_response_not_freed(void) {
    lx_client *c = warm_client(token, NULL);
    REQUIRE(c, "client");
    sb_fault("{\"endpoint\":\"factSheets\",\"kind\":\"status\",\"status\":404}");
    lx_response *resp = NULL;
    lx_error *err = NULL;
    CHECK(lx_get(c, FACTSHEETS, &resp, &err) == LX_ERR_HTTP, "404");
    const lx_response *failed_resp = NULL;
    CHECK(lx_error_response(err, &failed_resp) == LX_OK && lx_response_status(failed_resp) == 404, "borrowed");
    lx_free((void *)failed_resp);
    CHECK(lx_response_status(failed_resp) == 404,
          "lx_free of a response borrowed from lx_error_response() is ignored (status after it: %d; 0 = freed)",
          lx_response_status(failed_resp));
    const lx_response *again = NULL;
    int st = lx_error_response(err, &again);
    CHECK(st == LX_OK && lx_response_status(again) == 404, "the error still lends its response: %s, status %d",
          lx_status_str(st), lx_response_status(again));
    lx_free(err);
    lx_free(c);
}

/* Every kind of failed answer lends its response: 403, 401 (after the replay), 429, 503 after
 * the retries (the last answer), a refused redirect. */
static void test_error_response_kinds(void) {
    struct {
        const char *fault;
        int status, http, requests;
        const char *header, *value;
    } cases[] = {
        {"{\"endpoint\":\"factSheets\",\"kind\":\"status\",\"status\":401,\"times\":2,\"headers\":{\"x-fault\":\"401\"}}",
         LX_ERR_UNAUTHORIZED, 401, 2, "x-fault", "401"},
        {"{\"endpoint\":\"factSheets\",\"kind\":\"status\",\"status\":429,\"retry_after\":\"3600\"}", LX_ERR_RATE_LIMITED, 429, 1,
         "retry-after", "3600"},
        {"{\"endpoint\":\"factSheets\",\"kind\":\"status\",\"status\":503,\"times\":3,\"headers\":{\"x-attempt\":\"any\"}}",
         LX_ERR_HTTP, 503, 3, "x-attempt", "any"},
        {"{\"endpoint\":\"factSheets\",\"kind\":\"redirect_foreign\"}", LX_ERR_REDIRECT, 307, 1, "location", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        lx_client *c = warm_client(token, "retry_base_delay_ms=20");
        REQUIRE(c, "client");
        CHECK(sb_fault(cases[i].fault) == 200, "fault %s", cases[i].fault);
        lx_response *resp = NULL;
        lx_error *err = NULL;
        int st = lx_get(c, FACTSHEETS, &resp, &err);
        const lx_response *r = NULL;
        CHECK(st == cases[i].status, "%s -> %s", cases[i].fault, lx_status_str(st));
        CHECK(lx_error_response(err, &r) == LX_OK && lx_response_status(r) == cases[i].http, "%s: response status %d",
              lx_status_str(st), lx_response_status(r));
        const char *v = NULL;
        CHECK(lx_response_header_get(r, cases[i].header, &v, NULL) == LX_OK && (!cases[i].value || strcmp(v, cases[i].value) == 0),
              "%s: header %s = %s", lx_status_str(st), cases[i].header, v ? v : "(absent)");
        const uint8_t *body = NULL;
        size_t len = 0;
        if (cases[i].http != 307) {
            CHECK(lx_response_body(r, &body, &len) == LX_OK && len > 0 && strstr((const char *)body, "\"status\":\"ERROR\""),
                  "%s: the envelope: %.*s", lx_status_str(st), (int)len, body ? (const char *)body : "");
        }
        CHECK(sb_requests("factSheets", -1) == cases[i].requests, "%s: %ld requests, expected %d", lx_status_str(st),
              sb_requests("factSheets", -1), cases[i].requests);
        lx_free(err);
        lx_free(c);
    }
    /* 403: a VIEWER's write. */
    lx_client *viewer = warm_client(viewer_token, NULL);
    const char *json = "{\"name\":\"x\",\"type\":\"Application\"}";
    lx_response *resp = NULL;
    lx_error *err = NULL;
    int st = lx_request(viewer, "POST", CREATE_PATH, "Content-Type: application/json", 30, (const uint8_t *)json,
                        strlen(json), LX_REQUEST_DEFAULT, &resp, &err);
    const lx_response *r = NULL;
    const uint8_t *body = NULL;
    size_t len = 0;
    CHECK(st == LX_ERR_FORBIDDEN, "viewer POST -> %s", lx_status_str(st));
    CHECK(lx_error_response(err, &r) == LX_OK && lx_response_status(r) == 403 && lx_response_body(r, &body, &len) == LX_OK &&
              strstr((const char *)body, "VIEWER"),
          "403 body: %.*s", (int)len, body ? (const char *)body : "");
    CHECK(sb_counter("writes") == 0, "nothing written");
    lx_free(err);
    lx_free(viewer);
}

/* A failed token exchange lends the token endpoint's answer too: a 503 and a rejected API
 * token, each with its request id; nothing reaches the API. */
static void test_error_response_of_the_exchange(void) {
    struct {
        const char *api_token, *fault;
        int status, http;
        const char *rid;
    } cases[] = {
        {NULL, "{\"endpoint\":\"token\",\"kind\":\"status\",\"status\":503,\"headers\":{\"x-request-id\":\"tok-c-503\"}}",
         LX_ERR_HTTP, 503, "tok-c-503"},
        {"not-a-valid-api-token-at-all", NULL, LX_ERR_INVALID_CREDENTIALS, 401, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sb_reset();
        lx_client *c = tc_client(url, cases[i].api_token ? cases[i].api_token : token, "token_attempts=1", NULL);
        REQUIRE(c, "client");
        if (cases[i].fault) CHECK(sb_fault(cases[i].fault) == 200, "fault %s", cases[i].fault);
        lx_response *resp = NULL;
        lx_error *err = NULL;
        int st = lx_get(c, FACTSHEETS, &resp, &err);
        CHECK(st == cases[i].status, "exchange %d -> %s", cases[i].http, lx_status_str(st));
        const lx_response *r = NULL;
        CHECK(lx_error_response(err, &r) == LX_OK && lx_response_status(r) == cases[i].http,
              "the exchange's answer is lent: status %d", lx_response_status(r));
        const uint8_t *body = NULL;
        size_t len = 0;
        CHECK(lx_response_body(r, &body, &len) == LX_OK && len > 0, "with its body (%zu bytes)", len);
        if (cases[i].rid) {
            const char *v = NULL;
            CHECK(lx_response_header_get(r, "x-request-id", &v, NULL) == LX_OK && v && strcmp(v, cases[i].rid) == 0,
                  "x-request-id: %s", v ? v : "(absent)");
        }
        CHECK(body == NULL || strstr((const char *)body, token) == NULL, "no API token in the lent body");
        CHECK(sb_requests("factSheets", -1) == 0, "no API call without a token");
        lx_free(err);
        lx_free(c);
    }
    sb_call("DELETE", "/_sandbox/faults", NULL, NULL, 0);
}

/* Failures without an answer: LX_ERR_NOT_FOUND, the output untouched. */
static void test_error_without_response(void) {
    lx_client *c = warm_client(token, "request_timeout_ms=300");
    lx_response *resp = NULL;
    lx_error *err = NULL;
    const lx_response *r = (const lx_response *)&r; /* a value that must stay as it is */
    const lx_response *sentinel = r;
    CHECK(sb_fault("{\"endpoint\":\"factSheets\",\"kind\":\"stall\",\"ms\":2000}") == 200, "fault");
    int st = lx_get(c, FACTSHEETS, &resp, &err);
    CHECK(st == LX_ERR_TIMEOUT, "stall -> %s", lx_status_str(st));
    CHECK(lx_error_response(err, &r) == LX_ERR_NOT_FOUND && r == sentinel, "a timeout has no response");
    char *gql = NULL;
    CHECK(lx_error_graphql_json(err, &gql, NULL) == LX_ERR_NOT_FOUND && gql == NULL, "nor GraphQL errors");
    lx_free(err);
    err = NULL;
    CHECK(lx_request(c, "GET", FACTSHEETS, "Bad Header", 10, NULL, 0, 0, &resp, &err) == LX_ERR_INVALID_ARG, "bad header");
    CHECK(lx_error_response(err, &r) == LX_ERR_NOT_FOUND && r == sentinel, "an invalid argument has no response");
    lx_free(err);
    err = NULL;
    lx_free(c);
    sb_call("DELETE", "/_sandbox/faults", NULL, NULL, 0);

    lx_client *closed = tc_client("http://127.0.0.1:1", "t", "token_attempts=1", NULL);
    CHECK(lx_get(closed, FACTSHEETS, &resp, &err) == LX_ERR_CONNECT, "nothing listens on port 1");
    CHECK(lx_error_response(err, &r) == LX_ERR_NOT_FOUND && r == sentinel, "a connection error has no response");
    CHECK(lx_error_response(NULL, &r) == LX_ERR_NULL_ARG, "NULL error");
    CHECK(lx_error_response(err, NULL) == LX_ERR_NULL_ARG, "NULL out");
    lx_free(err);
    CHECK(lx_error_response(err, &r) == LX_ERR_INVALID_ARG, "a freed error");
    lx_free(closed);
}

/* ---- lx_error_graphql_json ---- */

static int graphql_error(lx_client *c, const char *query, const char *variables, char **json, lx_error **err) {
    char *data = NULL;
    int st = lx_graphql(c, query, variables, &data, NULL, err);
    lx_free(data);
    if (st == LX_ERR_GRAPHQL) {
        size_t len = 0;
        if (lx_error_graphql_json(*err, json, &len) != LX_OK || strlen(*json) != len) return -1;
    }
    return st;
}

static void test_graphql_errors(void) {
    lx_client *c = warm_client(token, NULL);
    REQUIRE(c, "client");
    /* A field that fails next to one that works: errorType, path and the partial data. */
    char *json = NULL;
    lx_error *err = NULL;
    int st = graphql_error(c, "{ allFactSheets(first: 1) { totalCount } factSheet(id: \"no-such-id\") { id } }", NULL, &json,
                           &err);
    CHECK(st == LX_ERR_GRAPHQL, "partial failure -> %s", lx_status_str(st));
    CHECK(lx_error_http_status(err) == 200, "GraphQL errors come with HTTP 200");
    CHECK(strstr(lx_error_message(err), "no-such-id") != NULL, "message: %s", lx_error_message(err));
    CHECK(json && strncmp(json, "{\"errors\":[", 11) == 0 && count_of(json, "\"message\":") == 1, "one error: %s", json);
    CHECK(json && strstr(json, "\"errorType\":\"DataFetchingException\""), "errorType: %s", json);
    CHECK(json && strstr(json, "\"path\":[\"factSheet\"]"), "path: %s", json);
    CHECK(json && strstr(json, "\"locations\":[{"), "locations: %s", json);
    CHECK(json && strstr(json, "\"data\":{") && strstr(json, "\"factSheet\":null") && json_number(json, "totalCount") > 0,
          "partial data: %s", json);
    const lx_response *r = NULL;
    const uint8_t *body = NULL;
    size_t len = 0;
    CHECK(lx_error_response(err, &r) == LX_OK && lx_response_status(r) == 200 && lx_response_body(r, &body, &len) == LX_OK &&
              strstr((const char *)body, "DataFetchingException"),
          "the raw answer too");
    CHECK(sb_requests("graphql", -1) == 1, "a GraphQL error is not retried: %ld", sb_requests("graphql", -1));
    lx_free(json);
    lx_free(err);
    json = NULL;
    err = NULL;

    /* A syntax error: no data at all. */
    st = graphql_error(c, "{ allFactSheets(first: 1 }", NULL, &json, &err);
    CHECK(st == LX_ERR_GRAPHQL, "syntax error -> %s", lx_status_str(st));
    CHECK(json && strstr(json, "\"errorType\":\"InvalidSyntax\"") && strstr(json, "\"data\":null"), "%s", json);
    lx_free(json);
    lx_free(err);
    json = NULL;
    err = NULL;

    /* REVISION_CLASH: a write with a stale rev, through the sandbox's updateFactSheet. */
    sb_reset();
    char *data = NULL;
    st = lx_graphql(c, "mutation { createFactSheet(input: {name: \"C clash\", type: Application}) { factSheet { id rev } } }",
                    NULL, &data, NULL, &err);
    CHECK(st == LX_OK, "create: %s", lx_error_message(err));
    char id[64];
    json_string(data, "id", id, sizeof id);
    CHECK(id[0] && json_number(data, "rev") == 1, "created with rev 1: %s", data);
    lx_free(data);
    data = NULL;
    const char *update = "mutation($id: ID!, $rev: Long, $v: String) { updateFactSheet(id: $id, rev: $rev, patches: "
                         "[{op: replace, path: \"/description\", value: $v}]) { factSheet { id rev description } } }";
    char vars[256];
    snprintf(vars, sizeof vars, "{\"id\":\"%s\",\"rev\":1,\"v\":\"second\"}", id);
    st = lx_graphql(c, update, vars, &data, NULL, &err);
    CHECK(st == LX_OK && json_number(data, "rev") == 2, "update with the current rev: %s %s", lx_status_str(st),
          data ? data : lx_error_message(err));
    lx_free(data);
    data = NULL;
    snprintf(vars, sizeof vars, "{\"id\":\"%s\",\"rev\":1,\"v\":\"stale\"}", id);
    st = graphql_error(c, update, vars, &json, &err);
    CHECK(st == LX_ERR_GRAPHQL, "stale rev -> %s", lx_status_str(st));
    CHECK(strstr(lx_error_message(err), "DB revision of Fact Sheet has changed: 2 instead of given 1") != NULL, "message: %s",
          lx_error_message(err));
    CHECK(json && strstr(json, "\"errorType\":\"REVISION_CLASH\"") && strstr(json, "\"path\":[\"updateFactSheet\"]") &&
              strstr(json, "\"data\":{\"updateFactSheet\":null}"),
          "REVISION_CLASH with its path and data: %s", json);
    CHECK(sb_counter("writes") == 2, "created and updated once, the stale write refused: %ld writes", sb_counter("writes"));
    CHECK(sb_requests("graphql", -1) == 3, "every mutation sent once: %ld", sb_requests("graphql", -1));
    char *again = NULL;
    CHECK(lx_error_graphql_json(err, &again, NULL) == LX_OK && again && strcmp(again, json) == 0, "out_len may be NULL");
    CHECK(lx_error_graphql_json(err, NULL, NULL) == LX_ERR_NULL_ARG, "NULL out_json");
    lx_free(again);
    lx_free(json);
    lx_free(err);
    lx_free(c);
}

/* ---- LX_ERR_TOO_LARGE ---- */

static void test_too_large(void) {
    lx_client *c = warm_client(token, "max_response_bytes=65536");
    REQUIRE(c, "client");
    lx_response *resp = NULL;
    lx_error *err = NULL;
    /* Exactly the limit is fine; one byte more is not. */
    sb_fault("{\"endpoint\":\"factSheets\",\"kind\":\"large_body\",\"bytes\":65536}");
    int st = lx_get(c, FACTSHEETS, &resp, &err);
    const uint8_t *body = NULL;
    size_t len = 0;
    CHECK(st == LX_OK && lx_response_body(resp, &body, &len) == LX_OK && len == 65536, "65536 bytes at a 65536 limit: %s, %zu",
          lx_status_str(st), len);
    lx_free(resp);
    resp = NULL;
    sb_reset();
    sb_fault("{\"endpoint\":\"factSheets\",\"kind\":\"large_body\",\"bytes\":65537}");
    st = lx_get(c, FACTSHEETS, &resp, &err);
    CHECK(st == LX_ERR_TOO_LARGE && resp == NULL, "65537 bytes -> %s", lx_status_str(st));
    CHECK(lx_error_code(err) == LX_ERR_TOO_LARGE && strstr(lx_error_message(err), "max_response_bytes"), "message: %s",
          lx_error_message(err));
    CHECK(sb_requests("factSheets", -1) == 1, "not retried: %ld", sb_requests("factSheets", -1));
    lx_free(err);
    err = NULL;

    /* 64 MiB announced in chunks, and a body that never ends: both stop at the limit. */
    sb_reset();
    sb_fault("{\"endpoint\":\"factSheets\",\"kind\":\"large_body\",\"bytes\":67108864}");
    double t0 = tc_now();
    st = lx_get(c, FACTSHEETS, &resp, &err);
    double took = tc_now() - t0;
    CHECK(st == LX_ERR_TOO_LARGE, "64 MiB -> %s", lx_status_str(st));
    TIME_CHECK(took < 2 + tc_margin(), "stopped early (%.2f s)", took);
    lx_free(err);
    err = NULL;
    sb_reset();
    sb_fault("{\"endpoint\":\"factSheets\",\"kind\":\"endless_body\"}");
    t0 = tc_now();
    st = lx_get(c, FACTSHEETS, &resp, &err);
    took = tc_now() - t0;
    CHECK(st == LX_ERR_TOO_LARGE, "endless body -> %s: %s", lx_status_str(st), lx_error_message(err));
    TIME_CHECK(took < 2 + tc_margin(), "stopped at the limit, not at the deadline (%.2f s)", took);
    CHECK(sb_requests("factSheets", -1) <= 1, "not retried");
    printf("too large: endless body refused after %.0f ms\n", took * 1e3);
    lx_free(err);
    err = NULL;

    /* GraphQL bodies are bounded the same way. */
    sb_reset();
    sb_fault("{\"endpoint\":\"graphql\",\"kind\":\"endless_body\"}");
    char *data = NULL;
    st = lx_graphql(c, "{ allFactSheets(first: 1) { totalCount } }", NULL, &data, NULL, &err);
    CHECK(st == LX_ERR_TOO_LARGE && data == NULL, "GraphQL endless body -> %s", lx_status_str(st));
    lx_free(err);
    lx_free(c);
}

/* ---- paging ---- */

struct walk {
    int pages, edges;
    long total;
    char **ids;
    int ids_len, ids_cap;
};

static void collect_ids(struct walk *w, const char *page) {
    for (const char *p = page; (p = strstr(p, "\"id\":\"")) != NULL;) {
        p += 6;
        const char *end = strchr(p, '"');
        if (!end) break;
        if (w->ids_len == w->ids_cap) {
            w->ids_cap = w->ids_cap ? 2 * w->ids_cap : 1024;
            w->ids = realloc(w->ids, (size_t)w->ids_cap * sizeof *w->ids);
        }
        size_t n = (size_t)(end - p);
        char *id = malloc(n + 1);
        memcpy(id, p, n);
        id[n] = '\0';
        w->ids[w->ids_len++] = id;
        p = end;
    }
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int distinct(struct walk *w) {
    qsort(w->ids, (size_t)w->ids_len, sizeof *w->ids, cmp_str);
    int n = w->ids_len ? 1 : 0;
    for (int i = 1; i < w->ids_len; i++) n += strcmp(w->ids[i - 1], w->ids[i]) != 0;
    return n;
}

static void free_walk(struct walk *w) {
    for (int i = 0; i < w->ids_len; i++) free(w->ids[i]);
    free(w->ids);
}

/* A client with extra options, and the status of lx_graphql_all for `query`. */
static int graphql_all(lx_client *c, const char *query, lx_error **err, char **out) {
    size_t len = 0;
    int st = lx_graphql_all(c, query, "{}", out, &len, err);
    if (st == LX_OK && (*out == NULL || strlen(*out) != len)) st = -1;
    return st;
}

static void test_paging_rule(void) {
    struct {
        const char *name, *fault, *options, *query;
        int status;
        const char *message;
        long requests;
    } cases[] = {
        {"no $after (shorthand)", NULL, NULL,
         "{ allFactSheets(first: 10) { pageInfo { hasNextPage endCursor } edges { node { id } } } }", LX_ERR_INVALID_ARG,
         "declare $after", 0},
        {"no $after (query)", NULL, NULL,
         "query Q { allFactSheets(first: 10) { pageInfo { hasNextPage endCursor } edges { node { id } } } }",
         LX_ERR_INVALID_ARG, "does not declare the cursor variable $after", 0},
        {"$after declared, not passed", NULL, NULL,
         "query($after: String) { allFactSheets(first: 10) { pageInfo { hasNextPage endCursor } edges { node { id } } } }",
         LX_ERR_INVALID_ARG, "declares $after but does not pass it to allFactSheets", 0},
        {"no pageInfo", NULL, NULL, "query($after: String) { allFactSheets(first: 10, after: $after) { edges { node { id } } } }",
         LX_ERR_INVALID_ARG, "pageInfo", 0},
        {"pageInfo without endCursor", NULL, NULL,
         "query($after: String) { allFactSheets(first: 10, after: $after) { pageInfo { hasNextPage } edges { node { id } } } }",
         LX_ERR_INVALID_ARG, "pageInfo", 0},
        {"a mutation", NULL, NULL, "mutation($after: String) { createFactSheet(input: {name: \"x\", type: Application}) { factSheet { id } } }",
         LX_ERR_INVALID_ARG, "only a query", 0},
        {"cursor_cycle", "{\"endpoint\":\"graphql\",\"kind\":\"cursor_cycle\",\"times\":1000}", NULL, PAGED(10),
         LX_ERR_INVALID_RESPONSE, "round in circles", 3},
        {"no_end_cursor", "{\"endpoint\":\"graphql\",\"kind\":\"no_end_cursor\",\"times\":1000}", NULL, PAGED(10),
         LX_ERR_INVALID_RESPONSE, "hasNextPage but has no endCursor", 1},
        {"max_pages=3", NULL, "max_pages=3", PAGED(10), LX_ERR_TOO_LARGE, "more than 3 pages", 3},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        lx_client *c = warm_client(token, cases[i].options);
        REQUIRE(c, "client");
        if (cases[i].fault) CHECK(sb_fault(cases[i].fault) == 200, "fault");
        lx_error *err = NULL;
        char *out = (char *)&out, *sentinel = out;
        int st = graphql_all(c, cases[i].query, &err, &out);
        CHECK(st == cases[i].status, "lx_graphql_all, %s -> %s, expected %s: %s", cases[i].name, lx_status_str(st),
              lx_status_str(cases[i].status), lx_error_message(err));
        CHECK(out == sentinel, "%s: no output on failure", cases[i].name);
        CHECK(strstr(lx_error_message(err), cases[i].message) != NULL, "%s: message: %s", cases[i].name, lx_error_message(err));
        CHECK(sb_requests("graphql", -1) == cases[i].requests, "%s: %ld requests, expected %ld", cases[i].name,
              sb_requests("graphql", -1), cases[i].requests);
        lx_free(err);
        err = NULL;

        /* The same rule page by page: pages before the violation arrive, then its error, then
         * the walk is over. */
        sb_reset();
        if (cases[i].fault) sb_fault(cases[i].fault);
        lx_graphql_pages *pages = NULL;
        st = lx_graphql_pages_new(c, cases[i].query, NULL, NULL, &pages, &err);
        CHECK(st == LX_OK, "%s: lx_graphql_pages_new sends nothing and accepts: %s", cases[i].name, lx_status_str(st));
        int good = 0, last = LX_OK;
        for (int n = 0; n < 100; n++) {
            char *page = NULL;
            lx_error *perr = NULL;
            last = lx_graphql_pages_next(pages, &page, NULL, &perr);
            if (last != LX_OK) {
                CHECK(strstr(lx_error_message(perr), cases[i].message) != NULL, "%s: page error: %s", cases[i].name,
                      lx_error_message(perr));
                lx_free(perr);
                break;
            }
            if (!page) break;
            good++;
            lx_free(page);
        }
        CHECK(last == cases[i].status, "pages, %s -> %s", cases[i].name, lx_status_str(last));
        /* The page cap refuses the page after the last one allowed before sending it, so every
         * page fetched arrives; the other rules find their fault in a fetched page. */
        long expect_good = cases[i].status == LX_ERR_TOO_LARGE ? cases[i].requests
                           : cases[i].requests > 0             ? cases[i].requests - 1
                                                               : 0;
        CHECK(good == expect_good, "%s: %d good pages before the error, expected %ld", cases[i].name, good, expect_good);
        char *after = (char *)&after;
        CHECK(lx_graphql_pages_next(pages, &after, NULL, NULL) == LX_OK && after == NULL, "%s: the walk is over after its error",
              cases[i].name);
        CHECK(sb_requests("graphql", -1) == cases[i].requests, "%s (pages): %ld requests, expected %ld", cases[i].name,
              sb_requests("graphql", -1), cases[i].requests);
        lx_free(pages);
        lx_free(c);
    }
}

/* Every page one at a time, counting exactly the fact sheets; lx_graphql_all agrees. */
static void test_page_walk(void) {
    lx_client *c = warm_client(token, NULL);
    REQUIRE(c, "client");
    lx_graphql_pages *pages = NULL;
    lx_error *err = NULL;
    CHECK(lx_graphql_pages_new(c, PAGED(250), "{}", NULL, &pages, &err) == LX_OK, "pages_new");
    CHECK(sb_requests("graphql", -1) == 0, "nothing sent before the first page");
    struct walk w = {0};
    w.total = -1;
    int biggest = 0, st = LX_OK;
    for (;;) {
        char *page = NULL;
        size_t len = 0;
        st = lx_graphql_pages_next(pages, &page, &len, &err);
        if (st != LX_OK || !page) break;
        CHECK(strlen(page) == len, "page length");
        w.pages++;
        int edges = count_of(page, "\"node\":");
        w.edges += edges;
        if (edges > biggest) biggest = edges;
        long total = json_number(page, "totalCount");
        if (w.total < 0) w.total = total;
        CHECK(total == w.total, "totalCount steady: %ld vs %ld", total, w.total);
        collect_ids(&w, page);
        lx_free(page);
    }
    CHECK(st == LX_OK, "walk: %s %s", lx_status_str(st), lx_error_message(err));
    long expect_pages = (w.total + 249) / 250;
    CHECK(w.total > 0 && w.edges == w.total, "walked %d edges of %ld", w.edges, w.total);
    CHECK(distinct(&w) == w.total, "every fact sheet once: %d distinct ids of %ld", distinct(&w), w.total);
    CHECK(w.pages == expect_pages && biggest <= 250, "%d pages of at most %d, expected %ld of 250", w.pages, biggest,
          expect_pages);
    CHECK(sb_requests("graphql", -1) == w.pages, "one request per page: %ld", sb_requests("graphql", -1));
    char *after = (char *)&after;
    CHECK(lx_graphql_pages_next(pages, &after, NULL, NULL) == LX_OK && after == NULL, "after the last page: NULL again");
    CHECK(sb_requests("graphql", -1) == w.pages, "nothing sent after the last page");
    printf("page walk: %d pages, %d fact sheets (totalCount %ld)\n", w.pages, w.edges, w.total);
    lx_free(err);
    lx_free(pages);
    CHECK(lx_graphql_pages_next(pages, &after, NULL, NULL) == LX_ERR_INVALID_ARG, "a freed walk is refused");

    /* lx_graphql_all: the same edges in one array. */
    sb_reset();
    char *all = NULL;
    err = NULL;
    st = graphql_all(c, PAGED(1000), &err, &all);
    CHECK(st == LX_OK && all && all[0] == '[', "graphql_all: %s %s", lx_status_str(st), lx_error_message(err));
    struct walk w2 = {0};
    if (all) collect_ids(&w2, all);
    CHECK(w2.ids_len == w.total && distinct(&w2) == w.total, "graphql_all: %d edges, %ld expected", w2.ids_len, w.total);
    CHECK(sb_requests("graphql", -1) == (w.total + 999) / 1000, "graphql_all: %ld requests", sb_requests("graphql", -1));
    CHECK(sb_counter("token_requests") == 0, "both walks on the one cached token");
    free_walk(&w);
    free_walk(&w2);
    lx_free(all);
    lx_free(err);
    lx_free(c);
}

/* ---- REST paging (lx_rest_pages_*) ---- */

/* Pathfinder's cursor list page by page: every fact sheet (each has one "displayName") once
 * over ceil(total / 700) requests, the last page's cursor null, then NULL; a cursor cycle and a
 * failure mid-walk are their errors and end the walk. */
static void test_rest_pages(void) {
    lx_client *c = warm_client(token, NULL);
    REQUIRE(c, "client");
    lx_rest_pages *pages = NULL;
    lx_error *err = NULL;
    int st = lx_rest_pages_new(c, "/services/pathfinder/v1/factSheets?pageSize=700", NULL, &pages, &err);
    CHECK(st == LX_OK, "lx_rest_pages_new: %s", lx_status_str(st));
    CHECK(sb_requests("factSheets", -1) == 0, "nothing sent before the first page");
    int n_pages = 0, items = 0;
    long total = -1;
    char *last = NULL;
    for (;;) {
        char *page = NULL;
        size_t len = 0;
        st = lx_rest_pages_next(pages, &page, &len, &err);
        if (st != LX_OK || !page) break;
        CHECK(strlen(page) == len, "page length");
        n_pages++;
        items += count_of(page, "\"displayName\":\"");
        if (total < 0) total = json_number(page, "total");
        lx_free(last);
        last = page;
    }
    CHECK(st == LX_OK, "REST walk: %s %s", lx_status_str(st), lx_error_message(err));
    CHECK(total > 0 && items == total, "REST walk: %d fact sheets of %ld", items, total);
    CHECK(n_pages == (total + 699) / 700, "REST walk: %d pages", n_pages);
    CHECK(last && strstr(last, "\"cursor\":null") != NULL, "the last page's cursor is null");
    CHECK(sb_requests("factSheets", -1) == n_pages, "one request per page: %ld", sb_requests("factSheets", -1));
    char *after = (char *)&after;
    CHECK(lx_rest_pages_next(pages, &after, NULL, NULL) == LX_OK && after == NULL, "after the last page: NULL");
    printf("REST walk: %d pages, %d fact sheets (total %ld)\n", n_pages, items, total);
    lx_free(last);
    lx_free(pages);

    /* A server going round in circles: page 3 repeats page 1's cursor. */
    sb_reset();
    sb_fault("{\"endpoint\":\"factSheets\",\"kind\":\"cursor_cycle\",\"times\":100}");
    pages = NULL;
    CHECK(lx_rest_pages_new(c, "/services/pathfinder/v1/factSheets?pageSize=10", NULL, &pages, NULL) == LX_OK, "new");
    int good = 0;
    for (;;) {
        char *page = NULL;
        lx_error *perr = NULL;
        st = lx_rest_pages_next(pages, &page, NULL, &perr);
        if (st != LX_OK) {
            CHECK(strstr(lx_error_message(perr), "round in circles") != NULL, "cycle: %s", lx_error_message(perr));
            lx_free(perr);
            break;
        }
        if (!page) break;
        good++;
        lx_free(page);
    }
    CHECK(st == LX_ERR_INVALID_RESPONSE && good == 2, "cycle: %s after %d pages", lx_status_str(st), good);
    CHECK(sb_requests("factSheets", -1) == 3, "cycle: %ld requests", sb_requests("factSheets", -1));
    after = (char *)&after;
    CHECK(lx_rest_pages_next(pages, &after, NULL, NULL) == LX_OK && after == NULL, "the walk is over after its error");
    lx_free(pages);
    CHECK(lx_rest_pages_next(pages, &after, NULL, NULL) == LX_ERR_INVALID_ARG, "a freed walk is refused");
    sb_call("DELETE", "/_sandbox/faults", NULL, NULL, 0);
    lx_free(err);
    lx_free(c);
}

/* ---- framing headers ---- */

/* strcasestr is a GNU extension; this is the C11 one. */
static const char *strcasestr_portable(const char *haystack, const char *needle) {
    size_t n = strlen(needle);
    for (const char *p = haystack; p && *p; p++) {
        size_t i = 0;
        while (i < n && p[i] && tolower((unsigned char)p[i]) == tolower((unsigned char)needle[i])) i++;
        if (i == n) return p;
    }
    return NULL;
}

struct async_seen {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int calls, invalid_arg;
};

static void never(void *userdata, int32_t status, lx_response *response, lx_error *error) {
    struct async_seen *seen = userdata;
    pthread_mutex_lock(&seen->lock);
    seen->calls++;
    seen->invalid_arg += status == LX_ERR_INVALID_ARG;
    pthread_cond_signal(&seen->cond);
    pthread_mutex_unlock(&seen->lock);
    lx_free(response);
    lx_free(error);
}

/* Waits until `seen` counted `n` callbacks, or `seconds` passed (a hang guard). */
static int wait_calls(struct async_seen *seen, int n, double seconds) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += (time_t)seconds;
    pthread_mutex_lock(&seen->lock);
    while (seen->calls < n && pthread_cond_timedwait(&seen->cond, &seen->lock, &until) == 0) {
    }
    int got = seen->calls;
    pthread_mutex_unlock(&seen->lock);
    return got;
}

static void test_framing_headers(void) {
    lx_client *c = warm_client(token, NULL);
    REQUIRE(c, "client");
    const char *refused[] = {
        "Content-Length: 5", "content-length: 0",  "Transfer-Encoding: chunked", "Connection: close",
        "Upgrade: h2c",      "TE: trailers",       "Host: evil.example",         "HOST: evil.example",
        "Authorization: Bearer x", "X-Ok: 1\r\nContent-Length: 3",
    };
    struct async_seen seen = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0};
    int started = 0;
    lx_call_options *opts = NULL;
    CHECK(lx_call_options_new(&opts, NULL) == LX_OK, "call options");
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        const char *h = refused[i];
        lx_response *resp = NULL;
        lx_error *err = NULL;
        int st = lx_request(c, "POST", CREATE_PATH, h, strlen(h), (const uint8_t *)"{}", 2, LX_REQUEST_DEFAULT, &resp, &err);
        CHECK(st == LX_ERR_INVALID_ARG && resp == NULL, "%s -> %s", h, lx_status_str(st));
        const char *colon = strrchr(h, '\n');
        char name[32];
        snprintf(name, sizeof name, "%.*s", (int)strcspn(colon ? colon + 1 : h, ":"), colon ? colon + 1 : h);
        CHECK(err && strcasestr_portable(lx_error_message(err), name), "%s: the message names it: %s", h, lx_error_message(err));
        lx_free(err);
        err = NULL;
        st = lx_request_with(c, "GET", FACTSHEETS, h, strlen(h), NULL, 0, LX_REQUEST_DEFAULT, opts, &resp, &err);
        CHECK(st == LX_ERR_INVALID_ARG, "lx_request_with, %s -> %s", h, lx_status_str(st));
        lx_free(err);
        err = NULL;
        st = lx_request_start(c, "GET", FACTSHEETS, h, strlen(h), NULL, 0, LX_REQUEST_DEFAULT, opts, never, &seen, &err);
        CHECK(st == LX_ERR_INVALID_ARG, "lx_request_start, %s -> %s", h, lx_status_str(st));
        started += st == LX_OK;
        lx_free(err);
    }
    /* The header: "an error for invalid arguments (the callback never runs)". */
    CHECK(started == 0, "lx_request_start refuses framing headers itself: %d of %zu calls started anyway", started,
          sizeof refused / sizeof refused[0]);
    CHECK(wait_calls(&seen, started, 10) == started && seen.invalid_arg == started,
          "each started call's callback got LX_ERR_INVALID_ARG (%d of %d)", seen.invalid_arg, started);
    CHECK(sb_requests("factSheets", -1) == 0 && sb_counter("writes") == 0, "nothing reached the server: %ld requests",
          sb_requests("factSheets", -1));
    /* Control: an ordinary header goes through. */
    lx_response *resp = NULL;
    int st = lx_request(c, "GET", FACTSHEETS, "X-Trace: c-test", 15, NULL, 0, LX_REQUEST_DEFAULT, &resp, NULL);
    CHECK(st == LX_OK && sb_requests("factSheets", 200) == 1, "an ordinary header: %s", lx_status_str(st));
    lx_free(resp);
    lx_free(opts);
    lx_free(c);
    CHECK(wait_calls(&seen, started, 0) == started, "no other callback (%d)", seen.calls);
}

/* A 429 whose body names LeanIX's reason code: lx_error_reason() gives the code (the core reads
 * the first upper-case word with two underscores or more from the body), one request
 * (max_attempts=1). */
static void test_rate_limit_reason(void) {
    lx_client *c = warm_client(token, "max_attempts=1");
    REQUIRE(c, "client");
    CHECK(sb_fault("{\"endpoint\":\"factSheets\",\"kind\":\"respond\",\"status\":429,\"body\":"
                   "\"{\\\"status\\\":\\\"ERROR\\\",\\\"errors\\\":[{\\\"message\\\":"
                   "\\\"HTTP 429 Too Many Requests. USER_INTERVAL_REQUEST_LIMIT_EXCEEDED\\\"}]}\"}") == 200,
          "fault");
    lx_response *resp = NULL;
    lx_error *err = NULL;
    int st = lx_get(c, FACTSHEETS, &resp, &err);
    const char *reason = lx_error_reason(err);
    CHECK(st == LX_ERR_RATE_LIMITED && lx_error_http_status(err) == 429, "429 with a reason -> %s, http %d",
          lx_status_str(st), lx_error_http_status(err));
    CHECK(reason && strcmp(reason, "USER_INTERVAL_REQUEST_LIMIT_EXCEEDED") == 0, "lx_error_reason: %s",
          reason ? reason : "(null)");
    CHECK(sb_requests("factSheets", 429) == 1, "one request: %ld", sb_requests("factSheets", 429));
    lx_free(err);
    /* Without a code in the body: NULL. */
    lx_free(c);
    c = warm_client(token, "max_attempts=1");
    CHECK(c && sb_fault("{\"endpoint\":\"factSheets\",\"kind\":\"respond\",\"status\":429,\"body\":"
                        "\"{\\\"status\\\":\\\"ERROR\\\",\\\"errors\\\":[{\\\"message\\\":\\\"slow down\\\"}]}\"}") == 200,
          "fault");
    err = NULL;
    st = lx_get(c, FACTSHEETS, &resp, &err);
    CHECK(st == LX_ERR_RATE_LIMITED && lx_error_reason(err) == NULL, "429 without a code -> %s, reason %s",
          lx_status_str(st), lx_error_reason(err) ? lx_error_reason(err) : "(null)");
    lx_free(err);
    lx_free(c);
}

int main(void) {
    if (sb_from_env("LX_SANDBOX", &url, &token, &viewer_token) != 0) return 2;
    printf("time margin %.0f ms\n", tc_margin() * 1e3);
    test_error_response_400();
    test_borrowed_response_not_freed();
    test_error_response_kinds();
    test_error_response_of_the_exchange();
    test_error_without_response();
    test_graphql_errors();
    test_too_large();
    test_paging_rule();
    test_page_walk();
    test_rest_pages();
    test_framing_headers();
    test_rate_limit_reason();
    sb_call("DELETE", "/_sandbox/faults", NULL, NULL, 0);
    return tc_summary();
}
