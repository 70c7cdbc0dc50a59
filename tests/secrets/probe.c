/* The C part of the secrets test (tests/secrets/run.sh): every path through the C ABI, printing
 * every message, OAuth error, status, event (the callback's details), claims, headers and
 * bodies to stdout. The access tokens lx_access_token() hands out on purpose go to the file in
 * LX_INTENTIONAL instead. Environment: LX_URL, LX_TOKEN, LX_VIEWER, LX_REVOKED, LX_INTENTIONAL. */
#define _POSIX_C_SOURCE 200809L
#include <leanix.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sandbox_control.h"
#include "test_client.h"

#define FS "/services/pathfinder/v1/factSheets?pageSize=2"

static const char *url, *token;

static void on_event(void *userdata, int32_t kind, const char *details) {
    printf("EVENT %s kind=%d %s\n", (const char *)userdata, kind, details);
    fflush(stdout);
}

/* A sandbox client whose events are printed; `extra`: more "key=value;..." options or NULL. */
static lx_client *client_for(const char *host, const char *api_token, const char *extra) {
    char options[256];
    snprintf(options, sizeof options, "retry_base_delay_ms=20;%s", extra ? extra : "");
    lx_options *o = NULL;
    lx_client *c = NULL;
    lx_error *err = NULL;
    int st = tc_options(host, api_token, options, &o, &err);
    if (st == LX_OK) st = lx_options_set_event_callback(o, on_event, (void *)"c", &err);
    if (st == LX_OK) st = lx_client_build(o, &c, &err);
    if (st != LX_OK) printf("build: %s: %s\n", lx_status_str(st), lx_error_message(err));
    lx_free(err);
    lx_free(o);
    return c;
}

static void show_error(const char *what, int st, lx_error *err) {
    const char *oauth = lx_error_oauth_error(err);
    printf("%s: %s (%d) http=%d oauth=%s retry_after_ms=%lld message=%s\n", what, lx_status_str(st), st,
           lx_error_http_status(err), oauth ? oauth : "-", (long long)lx_error_retry_after_ms(err), lx_error_message(err));
}

static void get(const char *what, lx_client *c, const char *path) {
    lx_response *r = NULL;
    lx_error *err = NULL;
    int st = lx_get(c, path, &r, &err);
    if (st == LX_OK) {
        const uint8_t *body;
        size_t len;
        lx_response_body(r, &body, &len);
        printf("%s: LX_OK %d, %zu headers, body %.*s\n", what, lx_response_status(r), lx_response_header_count(r),
               (int)(len > 300 ? 300 : len), (const char *)body);
        for (size_t i = 0; i < lx_response_header_count(r); i++) {
            const char *n, *v;
            lx_response_header(r, i, &n, &v);
            printf("%s: header %s: %s\n", what, n, v);
        }
    } else {
        show_error(what, st, err);
    }
    lx_free(r);
    lx_free(err);
}

static void *stalled(void *arg) {
    get("cancelled", arg, FS);
    return NULL;
}

int main(void) {
    url = getenv("LX_URL");
    token = getenv("LX_TOKEN");
    const char *viewer = getenv("LX_VIEWER"), *revoked = getenv("LX_REVOKED"), *path = getenv("LX_INTENTIONAL");
    if (!url || !token || !viewer || !revoked || !path || sb_init(url) != 0) return 2;
    FILE *intentional = fopen(path, "a");

    lx_client *c = client_for(url, token, NULL);
    get("get", c, FS);
    char *out = NULL;
    lx_error *err = NULL;
    int st = lx_graphql(c, "{ allFactSheets(first: 2) { totalCount } }", NULL, &out, NULL, &err);
    printf("graphql: %s %s\n", lx_status_str(st), st == LX_OK ? out : lx_error_message(err));
    lx_free(out);
    lx_free(err);
    err = NULL;
    out = NULL;
    if (lx_claims_json(c, &out, NULL) == LX_OK) printf("claims: %s\n", out);
    lx_free(out);
    char *tok = NULL;
    if (lx_access_token(c, &tok, NULL) == LX_OK) fprintf(intentional, "%s\n", tok);
    lx_free(tok);

    lx_client *fresh = client_for(url, token, NULL);
    sb_fault("{\"endpoint\":\"token\",\"kind\":\"status\",\"status\":503}");
    sb_fault("{\"endpoint\":\"factSheets\",\"kind\":\"drop_connection\"}");
    sb_fault("{\"endpoint\":\"factSheets\",\"kind\":\"status\",\"status\":503}");
    get("retries", fresh, FS);
    lx_free(fresh);

    sb_call("POST", "/_sandbox/revoke", "{\"access_tokens\":true}", NULL, 0);
    get("replay", c, FS);
    sb_fault("{\"endpoint\":\"factSheets\",\"kind\":\"status\",\"status\":401,\"times\":2}");
    get("unauthorized", c, FS);

    lx_client *bad = client_for(url, "not-a-valid-token-c-0123456789", NULL);
    get("invalid credentials", bad, FS);
    get("invalid credentials (remembered)", bad, FS);
    lx_free(bad);
    bad = client_for(url, revoked, NULL);
    get("revoked api token", bad, FS);
    lx_free(bad);
    lx_client *v = client_for(url, viewer, NULL);
    const char *json = "{\"name\":\"x\",\"type\":\"Application\"}";
    lx_response *r = NULL;
    st = lx_request(v, "POST", "/services/pathfinder/v1/factSheets", "Content-Type: application/json", 30,
                    (const uint8_t *)json, strlen(json), LX_REQUEST_DEFAULT, &r, &err);
    show_error("forbidden", st, err);
    lx_free(err);
    err = NULL;
    lx_free(v);
    /* A 429 with Retry-After: 3600 pauses its whole client for the hour: a client of its own. */
    lx_client *limited = client_for(url, token, NULL);
    sb_fault("{\"endpoint\":\"factSheets\",\"kind\":\"status\",\"status\":429,\"retry_after\":\"3600\"}");
    get("rate limited", limited, FS);
    lx_free(limited);
    get("404", c, "/services/pathfinder/v1/factSheets/nope");
    sb_fault("{\"endpoint\":\"factSheets\",\"kind\":\"status\",\"status\":503,\"times\":3}");
    get("503", c, FS);
    lx_client *impatient = client_for(url, token, "request_timeout_ms=300");
    get("warm", impatient, FS);
    sb_fault("{\"endpoint\":\"factSheets\",\"kind\":\"stall\",\"ms\":3000}");
    get("timeout", impatient, FS);
    lx_free(impatient);
    lx_client *closed = client_for("http://127.0.0.1:1", token, NULL);
    get("connect", closed, FS);
    lx_free(closed);
    lx_client *cold = client_for(url, token, NULL);
    sb_fault("{\"endpoint\":\"token\",\"kind\":\"malformed_json\"}");
    get("invalid response", cold, FS);
    sb_fault("{\"endpoint\":\"token\",\"kind\":\"empty_token\"}");
    get("empty token", cold, FS);
    sb_fault("{\"endpoint\":\"token\",\"kind\":\"redirect_foreign\"}");
    get("token redirect", cold, FS);
    lx_free(cold);
    out = NULL;
    st = lx_graphql(c, "{ noSuchField }", NULL, &out, NULL, &err);
    show_error("graphql error", st, err);
    lx_free(err);
    err = NULL;
    sb_fault("{\"endpoint\":\"factSheets\",\"kind\":\"redirect_foreign\"}");
    get("redirect", c, FS);
    st = lx_request(c, "GET", FS, "Authorization: Bearer x", 23, NULL, 0, 0, &r, &err);
    show_error("bad header", st, err);
    lx_free(err);
    err = NULL;
    lx_client *none = NULL;
    st = lx_client_new("http://acme.leanix.net", token, &none, &err);
    show_error("config http", st, err);
    lx_free(err);
    err = NULL;
    st = lx_client_new("acme.leanix.net", "token-with-newline-c-0123456789\n", &none, &err);
    show_error("config newline", st, err);
    lx_free(err);
    err = NULL;

    /* Cancellation: free while a call is in flight. */
    sb_fault("{\"endpoint\":\"factSheets\",\"kind\":\"stall\",\"ms\":2000}");
    pthread_t t;
    pthread_create(&t, NULL, stalled, c);
    struct timespec ts = {0, 200000000L};
    nanosleep(&ts, NULL);
    lx_free(c);
    pthread_join(t, NULL);

    /* Refresh ahead with 2-second tokens. */
    sb_call("POST", "/_sandbox/config", "{\"token_lifetime_secs\":2}", NULL, 0);
    lx_client *rc = client_for(url, token, NULL);
    for (int i = 0; i < 80; i++) {
        get("refresh", rc, FS);
        ts.tv_nsec = 50000000L;
        nanosleep(&ts, NULL);
    }
    tok = NULL;
    if (lx_access_token(rc, &tok, NULL) == LX_OK) fprintf(intentional, "%s\n", tok);
    lx_free(tok);
    lx_free(rc);
    sb_call("POST", "/_sandbox/config", "{\"token_lifetime_secs\":3599}", NULL, 0);
    sb_call("DELETE", "/_sandbox/faults", NULL, NULL, 0);
    fclose(intentional);
    printf("c probe done\n");
    return 0;
}
