/* PULL webhooks and instanceUrl routing through the C ABI (issue 20), against a sandbox started
 * with --instance-listener: API calls go to the instance transparently (the token listener sees
 * only the exchange), lx_api_origin names it, routing off keeps calls on the host; a consumer
 * loop of lx_webhooks_fetch + lx_webhooks_commit whose handler fails on event 7 of 10 re-reads
 * from event 7 and skips none; the cursor cannot go back.
 *
 * Environment: LX_ROUTED_URL, LX_ROUTED_TOKEN (set by run.sh).
 * Prints "N passed, N failed" last; exits non-zero on any failure. */
#define _POSIX_C_SOURCE 200809L
#include <leanix.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "sandbox_control.h"
#include "test_client.h"

static const char *url, *token;

/* The count of `endpoint` answered `status` in the stats of `listener` ("main" or "instance"). */
static long listener_count(const char *listener, const char *endpoint, int status) {
    char path[64], body[16384], key[64];
    snprintf(path, sizeof path, "/_sandbox/stats?listener=%s", listener);
    if (sb_call("GET", path, NULL, body, sizeof body) != 200) return -1;
    snprintf(key, sizeof key, "\"%s\":{", endpoint);
    const char *p = strstr(body, key);
    if (!p) return 0;
    const char *end = strchr(p, '}');
    snprintf(key, sizeof key, "\"%d\":", status);
    const char *q = strstr(p, key);
    if (!q || q > end) return 0;
    return strtol(q + strlen(key), NULL, 10);
}

/* Every "offset":N of a batch, in order; returns how many. */
static int offsets_of(const char *json, long *out, int cap) {
    int n = 0;
    for (const char *p = json; n < cap && (p = strstr(p, "\"offset\":")) != NULL; p += 9)
        out[n++] = strtol(p + 9, NULL, 10);
    return n;
}

static void routing(void) {
    sb_reset();
    lx_client *c = tc_client(url, token, NULL, NULL);
    CHECK(c != NULL, "client");
    if (!c) return;
    lx_response *r = NULL;
    lx_error *err = NULL;
    int st = lx_get(c, "/services/pathfinder/v1/factSheets?pageSize=2", &r, &err);
    CHECK(st == LX_OK, "routed GET: %d", st);
    lx_free(r);
    lx_free(err);
    char *origin = NULL;
    CHECK(lx_api_origin(c, &origin, NULL) == LX_OK && origin && strcmp(origin, url) != 0,
          "the API origin is the instance, not %s", url);
    char info[4096];
    sb_call("GET", "/_sandbox/info", NULL, info, sizeof info);
    char expect[128];
    snprintf(expect, sizeof expect, "\"instance_url\":\"%s\"", origin ? origin : "?");
    CHECK(strstr(info, expect) != NULL, "lx_api_origin is the sandbox's instance: %s", info);
    lx_free(origin);
    CHECK(listener_count("instance", "factSheets", 200) == 1, "one call on the instance");
    CHECK(listener_count("main", "factSheets", 200) == 0, "none on the token host");
    CHECK(sb_counter("token_exchanges") == 1, "one exchange on the token host");
    lx_free(c);

    sb_reset();
    c = tc_client(url, token, "route_by_instance_url=0", NULL);
    CHECK(c != NULL, "client with routing off");
    if (!c) return;
    r = NULL;
    st = lx_get(c, "/services/pathfinder/v1/factSheets?pageSize=2", &r, NULL);
    CHECK(st == LX_OK, "GET with routing off: %d", st);
    lx_free(r);
    CHECK(listener_count("main", "factSheets", 200) == 1, "routing off: on the token host");
    CHECK(listener_count("instance", "factSheets", 200) == 0, "routing off: not on the instance");
    lx_free(c);
}

static void consumer(void) {
    sb_reset();
    sb_call("POST", "/_sandbox/webhooks", "{\"batch_size\":4}", NULL, 0);
    lx_client *c = tc_client(url, token, NULL, NULL);
    CHECK(c != NULL, "client");
    if (!c) return;
    char *sub = NULL;
    lx_error *err = NULL;
    int st = lx_webhooks_create(c, "{\"identifier\":\"c\",\"tagSets\":[[\"ctest\"]]}", NULL, &sub, NULL, &err);
    CHECK(st == LX_OK, "create: %d %s", st, err ? lx_error_message(err) : "");
    lx_free(err);
    if (st != LX_OK) {
        lx_free(c);
        return;
    }
    char id[64] = {0};
    const char *p = strstr(sub, "\"id\":\"");
    if (p) sscanf(p + 6, "%63[^\"]", id);
    lx_free(sub);
    CHECK(id[0] != '\0', "the subscription has an id");

    char emitted[1024];
    sb_call("POST", "/_sandbox/webhooks/events", "{\"tags\":[\"ctest\"],\"count\":10}", emitted, sizeof emitted);
    long all[10];
    const char *o = strstr(emitted, "[");
    for (int i = 0; i < 10 && o; i++) {
        all[i] = strtol(o + 1, (char **)&o, 10);
    }

    /* Run 1: the handler "fails" on the 7th event; commit only what it finished. */
    long seen[32];
    int nseen = 0, failed_at = -1;
    for (int round = 0; round < 10 && failed_at < 0; round++) {
        char *batch = NULL;
        st = lx_webhooks_fetch(c, id, NULL, &batch, NULL, NULL);
        CHECK(st == LX_OK, "fetch: %d", st);
        long offs[16];
        int n = offsets_of(batch, offs, 16);
        lx_free(batch);
        if (n == 0) break;
        long next = -1;
        for (int i = 0; i < n; i++) {
            seen[nseen++] = offs[i];
            if (offs[i] == all[6]) {
                failed_at = i;
                break;
            }
            next = offs[i] + 1;
        }
        if (next >= 0) CHECK(lx_webhooks_commit(c, id, (uint64_t)next, NULL, NULL) == LX_OK, "commit");
    }
    CHECK(failed_at >= 0 && nseen == 7, "run 1 stopped at event 7 (%d seen)", nseen);
    /* Run 2: from the server's cursor. */
    for (;;) {
        char *batch = NULL;
        st = lx_webhooks_fetch(c, id, NULL, &batch, NULL, NULL);
        long offs[16];
        int n = st == LX_OK ? offsets_of(batch, offs, 16) : 0;
        lx_free(batch);
        if (n == 0) break;
        for (int i = 0; i < n && nseen < 32; i++) seen[nseen++] = offs[i];
        CHECK(lx_webhooks_commit(c, id, (uint64_t)offs[n - 1] + 1, NULL, NULL) == LX_OK, "commit");
    }
    CHECK(nseen == 11, "11 deliveries (event 7 twice): %d", nseen);
    int in_order = nseen == 11;
    for (int i = 0; i < 7 && in_order; i++) in_order = seen[i] == all[i];
    for (int i = 7; i < 11 && in_order; i++) in_order = seen[i] == all[i - 1];
    CHECK(in_order, "every event, none skipped, event 7 again first");

    /* lx_webhooks_fetch_wait: an event is there, so it answers at once; a fired cancel handle
     * ends the wait with LX_ERR_CANCELLED. */
    sb_call("POST", "/_sandbox/webhooks/events", "{\"tags\":[\"ctest\"]}", NULL, 0);
    char *waited = NULL;
    st = lx_webhooks_fetch_wait(c, id, NULL, &waited, NULL, NULL);
    long woffs[4];
    CHECK(st == LX_OK && offsets_of(waited, woffs, 4) == 1 && woffs[0] == all[9] + 1,
          "fetch_wait returns the new event: %d", st);
    lx_free(waited);
    CHECK(lx_webhooks_commit(c, id, (uint64_t)all[9] + 2, NULL, NULL) == LX_OK, "commit");
    lx_call_options *opts = NULL;
    lx_cancel *cancel = NULL;
    if (lx_call_options_new(&opts, NULL) == LX_OK && lx_cancel_new(&cancel, NULL) == LX_OK &&
        lx_call_options_set_cancel(opts, cancel, NULL) == LX_OK) {
        lx_cancel_fire(cancel);
        waited = NULL;
        st = lx_webhooks_fetch_wait(c, id, opts, &waited, NULL, NULL);
        CHECK(st == LX_ERR_CANCELLED && waited == NULL, "a fired handle ends the wait: %d", st);
    }
    lx_free(cancel);
    lx_free(opts);

    /* The cursor cannot go back: the server's 400 arrives as LX_ERR_HTTP. */
    err = NULL;
    st = lx_webhooks_commit(c, id, (uint64_t)all[0], NULL, &err);
    CHECK(st == LX_ERR_HTTP && err && lx_error_http_status(err) == 400, "going back: %d", st);
    lx_free(err);
    CHECK(listener_count("instance", "webhooks", 400) == 1, "webhook calls went to the instance");
    CHECK(listener_count("main", "webhooks", 200) == 0, "none to the token host");

    char *list = NULL;
    CHECK(lx_webhooks_list(c, NULL, &list, NULL, NULL) == LX_OK && strstr(list, id), "listed");
    lx_free(list);
    CHECK(lx_webhooks_delete(c, id, NULL, NULL) == LX_OK, "deleted");
    err = NULL;
    st = lx_webhooks_create(c, "{\"tagSets\":3}", NULL, &sub, NULL, &err);
    CHECK(st == LX_ERR_INVALID_ARG, "a bad spec is refused: %d", st);
    lx_free(err);
    lx_free(c);
}

int main(void) {
    if (sb_from_env("LX_ROUTED", &url, &token, NULL) != 0) {
        fprintf(stderr, "(the sandbox of LX_ROUTED_URL runs with --instance-listener)\n");
        return 2;
    }
    routing();
    consumer();
    return tc_summary();
}
