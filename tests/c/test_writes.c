/* LDIF runs and fact-sheet writes through the C ABI (issue 19), against the sandbox:
 *   - lx_ldif_run of an inbound LDIF: LX_OK, the result JSON FINISHED with its counts, the
 *     content applied (writes 1), exactly 4 Integration API requests (create, one status poll,
 *     progress, one warnings page); LX_LDIF_TEST changes nothing;
 *   - a run that fails (sync_run_fail): LX_ERR_RUN_FAILED, the result readable through
 *     lx_error_run_json() (FAILED, the ERROR warning); a deadline while the run is pending
 *     (the sandbox's manual mode): LX_ERR_TIMEOUT with the run's id and PENDING there too;
 *   - bad arguments: NULL, invalid JSON, a missing LDIF header field, unknown flag bits;
 *   - lx_ldif_run_start: one completion with the result as the response body, or
 *     LX_ERR_RUN_FAILED with the run readable from the error; a bad LDIF refused at the start;
 *   - lx_update_fact_sheet with one concurrent edit: one REVISION_CLASH, exactly one re-read,
 *     4 GraphQL requests, 1 write; with clashes beyond the bound: LX_ERR_GRAPHQL naming
 *     REVISION_CLASH after 4 writes and 4 reads; archiving with a comment; a viewer refused;
 *   - lx_call_options_set_revision_clash_retries: 0, 1 and LX_MAX_REVISION_CLASH_RETRIES clash
 *     retries give exactly 2 * (1 + n) requests; one above the bound (or below -1) is
 *     LX_ERR_INVALID_ARG naming it and leaves the options as they were; -1 restores the default;
 *   - lx_update_fact_sheet_start: the same clash retry, the fact sheet as the completion's
 *     body; a viewer's refusal as LX_ERR_GRAPHQL in the completion; bad patches refused at the
 *     start;
 *   - lx_ldif_wait / lx_ldif_wait_start: a run started with LX_LDIF_NO_WAIT (the sandbox's
 *     manual mode) followed by its id: PENDING with LX_LDIF_NO_WAIT (one status request),
 *     LX_ERR_TIMEOUT with the run in lx_error_run_json() while pending, FINISHED once advanced
 *     (one poll, its progress, one warnings page), the same through a completion; LX_LDIF_TEST,
 *     an empty or NULL id refused; an unknown id is the server's 404.
 *
 * Environment: LX_SANDBOX_URL, LX_SANDBOX_TOKEN, LX_SANDBOX_VIEWER_TOKEN (set by run.sh).
 * Prints "N passed, N failed". */
#define _POSIX_C_SOURCE 200809L
#include <leanix.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "sandbox_control.h"
#include "test_client.h"

static const char *url, *token, *viewer_token;

#define LDIF_HEAD                                                                              \
    "{\"connectorType\":\"cTest\",\"connectorId\":\"c-1\",\"connectorVersion\":\"1.0.0\","      \
    "\"lxVersion\":\"1.0.0\",\"description\":\"C test\",\"processingMode\":\"partial\","

/* An inbound LDIF whose content array holds `content` (a string literal, "" for none). */
#define LDIF_INBOUND(content) LDIF_HEAD "\"processingDirection\":\"inbound\",\"content\":[" content "]}"

static void clear_faults(void) { sb_call("DELETE", "/_sandbox/faults", NULL, NULL, 0); }

static void integration(const char *json) { sb_call("POST", "/_sandbox/integration", json, NULL, 0); }

/* Sets the sandbox's integration behaviour (`json`), then resets its data and counters. */
static void reset_with_integration(const char *json) {
    integration(json);
    sb_reset();
}

static int contains(const char *text, const char *needle) { return text && strstr(text, needle) != NULL; }

/* ---- LDIF runs ---- */

static void test_ldif_run(lx_client *c) {
    reset_with_integration("{\"sync_run_state_ms\":0,\"sync_run_manual\":false}");
    const char *ldif = LDIF_INBOUND("{\"type\":\"Application\",\"id\":\"c-ext-1\","
                                      "\"data\":{\"name\":\"C Test App\",\"description\":\"from C\"}}");
    char *json = NULL;
    size_t len = 0;
    lx_error *err = NULL;
    int st = lx_ldif_run(c, ldif, LX_LDIF_DEFAULT, NULL, &json, &len, &err);
    CHECK(st == LX_OK, "lx_ldif_run: %s %s", lx_status_str(st), err ? lx_error_message(err) : "");
    CHECK(contains(json, "\"status\":\"FINISHED\"") && contains(json, "\"processedContentCount\":1"),
          "result %s", json ? json : "(null)");
    CHECK(contains(json, "\"warnings\":[]") && contains(json, "\"results\":null"), "%s", json ? json : "");
    CHECK(json && strlen(json) == len, "length %zu", len);
    CHECK(sb_counter("writes") == 1, "writes %ld", sb_counter("writes"));
    CHECK(sb_requests("integration", -1) == 4, "integration requests %ld", sb_requests("integration", -1));
    lx_free(json);
    lx_free(err);

    /* A test run: the same processing, nothing written. */
    sb_reset();
    json = NULL;
    st = lx_ldif_run(c, ldif, LX_LDIF_TEST, NULL, &json, NULL, NULL);
    CHECK(st == LX_OK && contains(json, "\"processedContentCount\":1"), "test run %s", lx_status_str(st));
    CHECK(sb_counter("writes") == 0, "a test run wrote %ld", sb_counter("writes"));
    lx_free(json);

    /* Without waiting: the first status only. */
    json = NULL;
    st = lx_ldif_run(c, ldif, LX_LDIF_TEST | LX_LDIF_NO_WAIT, NULL, &json, NULL, NULL);
    CHECK(st == LX_OK && contains(json, "\"polls\":1") && contains(json, "\"progress\":null"), "no wait: %s",
          json ? json : lx_status_str(st));
    lx_free(json);
}

static void test_failed_run(lx_client *c) {
    reset_with_integration("{\"sync_run_state_ms\":0}");
    sb_fault("{\"endpoint\":\"integration\",\"kind\":\"sync_run_fail\"}");
    const char *ldif = LDIF_INBOUND("");
    char *json = NULL;
    lx_error *err = NULL;
    int st = lx_ldif_run(c, ldif, LX_LDIF_DEFAULT, NULL, &json, NULL, &err);
    CHECK(st == LX_ERR_RUN_FAILED && json == NULL, "failed run: %s", lx_status_str(st));
    CHECK(strcmp(lx_status_str(LX_ERR_RUN_FAILED), "LX_ERR_RUN_FAILED") == 0, "status name");
    CHECK(err && lx_error_code(err) == LX_ERR_RUN_FAILED, "error code");
    CHECK(err && contains(lx_error_message(err), "ended FAILED (1 ERROR warning(s))") &&
              !contains(lx_error_message(err), "\n"),
          "message %s", err ? lx_error_message(err) : "");
    char *run = NULL;
    size_t run_len = 0;
    st = lx_error_run_json(err, &run, &run_len);
    CHECK(st == LX_OK && contains(run, "\"status\":\"FAILED\"") && contains(run, "\"status\":\"ERROR\""),
          "run json %s", run ? run : lx_status_str(st));
    CHECK(run && strlen(run) == run_len, "run json length");
    CHECK(sb_counter("FAILED") == 1 && sb_counter("writes") == 0, "FAILED %ld", sb_counter("FAILED"));
    lx_free(run);
    lx_free(err);
    clear_faults();
}

static void test_run_deadline(lx_client *c) {
    reset_with_integration("{\"sync_run_manual\":true}");
    lx_call_options *opts = NULL;
    CHECK(lx_call_options_new(&opts, NULL) == LX_OK, "call options");
    CHECK(lx_call_options_set_timeout_ms(opts, 300, NULL) == LX_OK, "timeout 300 ms");
    const char *ldif = LDIF_INBOUND("");
    char *json = NULL;
    lx_error *err = NULL;
    double t0 = tc_now();
    int st = lx_ldif_run(c, ldif, LX_LDIF_DEFAULT, opts, &json, NULL, &err);
    double took = tc_now() - t0;
    CHECK(st == LX_ERR_TIMEOUT, "deadline: %s", lx_status_str(st));
    TIME_CHECK(took < 0.300 + tc_margin(), "deadline of 300 ms ended the wait after %.3f s", took);
    char *run = NULL;
    CHECK(lx_error_run_json(err, &run, NULL) == LX_OK && contains(run, "\"status\":\"PENDING\""), "run %s",
          run ? run : "(none)");
    /* One create; the status polls before the deadline (the first wait, 500 ms, is cut to it). */
    CHECK(sb_requests("integration", -1) == 2, "integration requests %ld", sb_requests("integration", -1));
    lx_free(run);
    lx_free(err);
    lx_free(opts);
    sb_call("POST", "/_sandbox/integration/advance", NULL, NULL, 0);
    integration("{\"sync_run_manual\":false}");
}

static void test_bad_arguments(lx_client *c) {
    char *json = NULL;
    lx_error *err = NULL;
    CHECK(lx_ldif_run(c, NULL, 0, NULL, &json, NULL, NULL) == LX_ERR_NULL_ARG, "NULL ldif");
    CHECK(lx_ldif_run(c, "{", 0, NULL, &json, NULL, NULL) == LX_ERR_INVALID_ARG, "invalid JSON");
    int st = lx_ldif_run(c, "{\"connectorType\":\"x\"}", 0, NULL, &json, NULL, &err);
    CHECK(st == LX_ERR_INVALID_ARG && contains(lx_error_message(err), "connectorId"), "header: %s",
          err ? lx_error_message(err) : "");
    lx_free(err);
    CHECK(lx_ldif_run(c, LDIF_HEAD "\"processingDirection\":\"inbound\"}", 8, NULL, &json, NULL, NULL) ==
              LX_ERR_INVALID_ARG,
          "unknown flag bits");
    CHECK(lx_update_fact_sheet(c, "x", "{}", NULL, 0, NULL, &json, NULL, NULL) == LX_ERR_INVALID_ARG,
          "patches not a list");
    CHECK(lx_update_fact_sheet(c, "x", "[{\"op\":\"set\",\"path\":\"/name\"}]", NULL, 0, NULL, &json, NULL, NULL) ==
              LX_ERR_INVALID_ARG,
          "unknown op");
    CHECK(lx_update_fact_sheet(c, "x", "[]", NULL, 0, NULL, &json, NULL, NULL) == LX_ERR_INVALID_ARG,
          "no patches");
    CHECK(json == NULL, "no output on failure");
    /* An error without a run. */
    err = NULL;
    CHECK(lx_ldif_run(c, "{", 0, NULL, &json, NULL, &err) == LX_ERR_INVALID_ARG, "invalid JSON again");
    char *run = NULL;
    CHECK(lx_error_run_json(err, &run, NULL) == LX_ERR_NOT_FOUND && run == NULL, "no run on the error");
    lx_free(err);
}

/* ---- lx_ldif_run_start: the same run, its result handed to a completion callback ---- */

struct done {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int calls;
    int status;
    char result[4096];
};

static void on_done(void *userdata, int32_t status, lx_response *response, lx_error *error) {
    struct done *d = userdata;
    pthread_mutex_lock(&d->lock);
    d->status = status;
    const uint8_t *body = NULL;
    size_t len = 0;
    if (response && lx_response_body(response, &body, &len) == LX_OK) {
        snprintf(d->result, sizeof d->result, "%.*s", (int)len, (const char *)body);
    } else if (error) {
        char *run = NULL;
        if (lx_error_run_json(error, &run, NULL) == LX_OK) {
            snprintf(d->result, sizeof d->result, "%s", run);
            lx_free(run);
        }
    }
    d->calls++;
    pthread_cond_signal(&d->cond);
    pthread_mutex_unlock(&d->lock);
    lx_free(response);
    lx_free(error);
}

static int wait_done(struct done *d) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 30; /* a hang guard, not a timing assertion */
    pthread_mutex_lock(&d->lock);
    while (d->calls == 0 && pthread_cond_timedwait(&d->cond, &d->lock, &until) == 0) {
    }
    int calls = d->calls;
    pthread_mutex_unlock(&d->lock);
    return calls;
}

static void test_ldif_run_start(lx_client *c) {
    reset_with_integration("{\"sync_run_state_ms\":0,\"sync_run_manual\":false}");
    const char *ldif = LDIF_INBOUND("");
    struct done ok = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, -1, ""};
    CHECK(lx_ldif_run_start(c, ldif, LX_LDIF_TEST, NULL, on_done, &ok, NULL) == LX_OK, "started");
    CHECK(wait_done(&ok) == 1 && ok.status == LX_OK, "one completion, LX_OK: %d", ok.status);
    CHECK(contains(ok.result, "\"status\":\"FINISHED\"") && contains(ok.result, "\"polls\":1"), "result %s",
          ok.result);

    sb_fault("{\"endpoint\":\"integration\",\"kind\":\"sync_run_fail\"}");
    struct done bad = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, -1, ""};
    CHECK(lx_ldif_run_start(c, ldif, LX_LDIF_DEFAULT, NULL, on_done, &bad, NULL) == LX_OK, "started");
    CHECK(wait_done(&bad) == 1 && bad.status == LX_ERR_RUN_FAILED, "LX_ERR_RUN_FAILED: %d", bad.status);
    CHECK(contains(bad.result, "\"status\":\"FAILED\""), "the run from the error: %s", bad.result);

    /* Refused before it starts: the callback never runs. */
    struct done never = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, -1, ""};
    CHECK(lx_ldif_run_start(c, "{\"connectorType\":\"x\"}", 0, NULL, on_done, &never, NULL) == LX_ERR_INVALID_ARG,
          "a bad LDIF is refused at the start");
    CHECK(lx_ldif_run_start(c, ldif, 0, NULL, NULL, NULL, NULL) == LX_ERR_NULL_ARG, "no callback");
    CHECK(never.calls == 0, "no callback for a refused start");
    clear_faults();
}

/* ---- fact-sheet writes ---- */

/* The id of the first Application (36 characters) into id. */
static int first_application(lx_client *c, char id[37]) {
    char *json = NULL;
    int st = lx_graphql(c,
                        "{ allFactSheets(first: 1, filter: {facetFilters: [{facetKey: \"FactSheetTypes\", "
                        "keys: [\"Application\"]}]}) { edges { node { id } } } }",
                        NULL, &json, NULL, NULL);
    const char *p = json ? strstr(json, "\"id\":\"") : NULL;
    if (st != LX_OK || !p) {
        lx_free(json);
        return -1;
    }
    memcpy(id, p + 6, 36);
    id[36] = 0;
    lx_free(json);
    return 0;
}

static void test_update(lx_client *c) {
    char id[37];
    CHECK(first_application(c, id) == 0, "an application");
    sb_reset();
    sb_fault("{\"endpoint\":\"graphql\",\"kind\":\"concurrent_edit\",\"times\":1}");
    const char *patches = "[{\"op\":\"replace\",\"path\":\"/description\",\"value\":\"from C\"},"
                          "{\"op\":\"replace\",\"path\":\"/lifecycle\",\"value\":"
                          "{\"phases\":[{\"phase\":\"active\",\"startDate\":\"2024-01-01\"}]}}]";
    char *json = NULL;
    size_t len = 0;
    lx_error *err = NULL;
    int st = lx_update_fact_sheet(c, id, patches, "C test", LX_UPDATE_DEFAULT, NULL, &json, &len, &err);
    CHECK(st == LX_OK, "update: %s %s", lx_status_str(st), err ? lx_error_message(err) : "");
    CHECK(contains(json, "\"description\":\"from C\"") && contains(json, id), "fact sheet %s", json ? json : "");
    CHECK(json && strlen(json) == len, "length");
    /* read, clashing write, one re-read, write */
    CHECK(sb_requests("graphql", 200) == 4, "graphql requests %ld", sb_requests("graphql", 200));
    CHECK(sb_counter("writes") == 1, "writes %ld", sb_counter("writes"));
    lx_free(json);
    lx_free(err);

    /* Clashes beyond the bound: 1 + LX_DEFAULT_REVISION_CLASH_RETRIES writes and reads. */
    sb_reset();
    sb_fault("{\"endpoint\":\"graphql\",\"kind\":\"concurrent_edit\",\"times\":20}");
    err = NULL;
    json = NULL;
    st = lx_update_fact_sheet(c, id, "[{\"op\":\"replace\",\"path\":\"/alias\",\"value\":\"x\"}]", NULL, 0, NULL, &json,
                              NULL, &err);
    CHECK(st == LX_ERR_GRAPHQL && json == NULL, "clash bound: %s", lx_status_str(st));
    char *details = NULL;
    CHECK(lx_error_graphql_json(err, &details, NULL) == LX_OK && contains(details, "REVISION_CLASH"), "details %s",
          details ? details : "");
    long expected = 2 * (1 + LX_DEFAULT_REVISION_CLASH_RETRIES);
    CHECK(sb_requests("graphql", 200) == expected, "graphql requests %ld, expected %ld", sb_requests("graphql", 200),
          expected);
    CHECK(sb_counter("writes") == 0, "writes %ld", sb_counter("writes"));
    lx_free(details);
    lx_free(err);
    clear_faults();

    /* validateOnly stores nothing; archiving with a comment. */
    sb_reset();
    json = NULL;
    st = lx_update_fact_sheet(c, id, "[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"Preview\"}]", NULL,
                              LX_UPDATE_VALIDATE_ONLY, NULL, &json, NULL, NULL);
    CHECK(st == LX_OK && contains(json, "\"name\":\"Preview\"") && sb_counter("writes") == 0, "validate only");
    lx_free(json);
    json = NULL;
    st = lx_update_fact_sheet(c, id, "[{\"op\":\"replace\",\"path\":\"/status\",\"value\":\"ARCHIVED\"}]",
                              "archived by the C test", 0, NULL, &json, NULL, NULL);
    CHECK(st == LX_OK && contains(json, "\"status\":\"ARCHIVED\""), "archive %s", json ? json : lx_status_str(st));
    lx_free(json);

    /* A viewer is refused, without retries. */
    lx_client *viewer = tc_client(url, viewer_token, NULL, NULL);
    sb_reset();
    err = NULL;
    json = NULL;
    st = lx_update_fact_sheet(viewer, id, "[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"x\"}]", NULL, 0, NULL,
                              &json, NULL, &err);
    CHECK(st == LX_ERR_GRAPHQL, "viewer: %s", lx_status_str(st));
    CHECK(sb_requests("graphql", 200) == 2 && sb_counter("writes") == 0, "viewer: %ld requests",
          sb_requests("graphql", 200));
    lx_free(err);
    lx_free(viewer);
}

/* ---- lx_call_options_set_revision_clash_retries: the bound per call ---- */

/* With `retries` clash retries against a sandbox that clashes on every write: LX_ERR_GRAPHQL
 * after exactly 1 + retries reads and as many writes. */
static void clash_with_retries(lx_client *c, const char *id, int32_t retries) {
    lx_call_options *o = NULL;
    CHECK(lx_call_options_new(&o, NULL) == LX_OK, "call options");
    CHECK(lx_call_options_set_revision_clash_retries(o, retries, NULL) == LX_OK, "retries %d", retries);
    sb_reset();
    sb_fault("{\"endpoint\":\"graphql\",\"kind\":\"concurrent_edit\",\"times\":20}");
    lx_error *err = NULL;
    char *json = NULL;
    int st = lx_update_fact_sheet(c, id, "[{\"op\":\"replace\",\"path\":\"/alias\",\"value\":\"x\"}]", NULL, 0,
                                  o, &json, NULL, &err);
    CHECK(st == LX_ERR_GRAPHQL && json == NULL, "retries %d: %s", retries, lx_status_str(st));
    long expected = 2 * (1 + (long)retries);
    CHECK(sb_requests("graphql", 200) == expected, "retries %d: graphql requests %ld, expected %ld", retries,
          sb_requests("graphql", 200), expected);
    lx_free(err);
    lx_free(o);
    clear_faults();
}

static void test_clash_retries_option(lx_client *c) {
    char id[37];
    CHECK(first_application(c, id) == 0, "an application");
    clash_with_retries(c, id, 0);
    clash_with_retries(c, id, 1);
    clash_with_retries(c, id, LX_MAX_REVISION_CLASH_RETRIES);

    /* Above the bound: refused by the setter, naming the option and the bound; the options
     * keep their earlier value. */
    lx_call_options *o = NULL;
    CHECK(lx_call_options_new(&o, NULL) == LX_OK, "call options");
    CHECK(lx_call_options_set_revision_clash_retries(o, 1, NULL) == LX_OK, "retries 1");
    lx_error *err = NULL;
    int st = lx_call_options_set_revision_clash_retries(o, LX_MAX_REVISION_CLASH_RETRIES + 1, &err);
    CHECK(st == LX_ERR_INVALID_ARG, "above the bound: %s", lx_status_str(st));
    CHECK(err && contains(lx_error_message(err), "revision_clash_retries must be between 0 and 10 (or -1: the default), not 11"),
          "message %s", err ? lx_error_message(err) : "");
    lx_free(err);
    err = NULL;
    CHECK(lx_call_options_set_revision_clash_retries(o, -2, &err) == LX_ERR_INVALID_ARG, "-2 refused");
    lx_free(err);
    sb_reset();
    sb_fault("{\"endpoint\":\"graphql\",\"kind\":\"concurrent_edit\",\"times\":20}");
    char *json = NULL;
    st = lx_update_fact_sheet(c, id, "[{\"op\":\"replace\",\"path\":\"/alias\",\"value\":\"x\"}]", NULL, 0, o, &json,
                              NULL, NULL);
    CHECK(st == LX_ERR_GRAPHQL && sb_requests("graphql", 200) == 4, "still 1 retry: %s, %ld requests",
          lx_status_str(st), sb_requests("graphql", 200));
    lx_free(json);

    /* -1 restores the default: 1 + LX_DEFAULT_REVISION_CLASH_RETRIES writes. */
    CHECK(lx_call_options_set_revision_clash_retries(o, -1, NULL) == LX_OK, "-1");
    sb_reset();
    sb_fault("{\"endpoint\":\"graphql\",\"kind\":\"concurrent_edit\",\"times\":20}");
    json = NULL;
    st = lx_update_fact_sheet(c, id, "[{\"op\":\"replace\",\"path\":\"/alias\",\"value\":\"x\"}]", NULL, 0, o, &json,
                              NULL, NULL);
    CHECK(st == LX_ERR_GRAPHQL && sb_requests("graphql", 200) == 2 * (1 + LX_DEFAULT_REVISION_CLASH_RETRIES),
          "the default again: %s, %ld requests", lx_status_str(st), sb_requests("graphql", 200));
    CHECK(lx_call_options_set_revision_clash_retries(NULL, 1, NULL) == LX_ERR_NULL_ARG, "NULL options");
    lx_free(o);
    clear_faults();
}

/* ---- lx_update_fact_sheet_start: a write with a completion callback ---- */

static void test_update_start(lx_client *c) {
    char id[37];
    CHECK(first_application(c, id) == 0, "an Application to update");
    sb_reset();
    sb_fault("{\"endpoint\":\"graphql\",\"kind\":\"concurrent_edit\",\"times\":1}");
    struct done ok = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, -1, ""};
    const char *patches = "[{\"op\":\"replace\",\"path\":\"/description\",\"value\":\"from C, started\"}]";
    CHECK(lx_update_fact_sheet_start(c, id, patches, "C start test", LX_UPDATE_DEFAULT, NULL, on_done, &ok, NULL) ==
              LX_OK,
          "update started");
    CHECK(wait_done(&ok) == 1 && ok.status == LX_OK, "one completion, LX_OK: %d", ok.status);
    CHECK(contains(ok.result, id) && contains(ok.result, "\"description\":\"from C, started\""), "fact sheet %s",
          ok.result);
    /* read, write (clash), re-read, write */
    CHECK(sb_requests("graphql", 200) == 4, "graphql requests %ld", sb_requests("graphql", 200));
    CHECK(sb_counter("writes") == 1, "writes %ld", sb_counter("writes"));
    clear_faults();

    lx_client *viewer = tc_client(url, viewer_token, NULL, NULL);
    struct done refused = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, -1, ""};
    CHECK(viewer && lx_update_fact_sheet_start(viewer, id, patches, NULL, 0, NULL, on_done, &refused, NULL) == LX_OK,
          "viewer update started");
    CHECK(wait_done(&refused) == 1 && refused.status == LX_ERR_GRAPHQL, "a viewer's write: %d", refused.status);
    lx_free(viewer);

    struct done never = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, -1, ""};
    CHECK(lx_update_fact_sheet_start(c, id, "{}", NULL, 0, NULL, on_done, &never, NULL) == LX_ERR_INVALID_ARG,
          "patches that are not a list");
    CHECK(lx_update_fact_sheet_start(c, id, patches, NULL, 2, NULL, on_done, &never, NULL) == LX_ERR_INVALID_ARG,
          "unknown flags");
    CHECK(lx_update_fact_sheet_start(c, NULL, patches, NULL, 0, NULL, on_done, &never, NULL) == LX_ERR_NULL_ARG,
          "NULL id");
    CHECK(lx_update_fact_sheet_start(c, id, patches, NULL, 0, NULL, NULL, NULL, NULL) == LX_ERR_NULL_ARG,
          "no callback");
    CHECK(never.calls == 0, "no callback for a refused start");
}

/* ---- lx_ldif_wait: follow a run started with LX_LDIF_NO_WAIT by its id ---- */

/* Advances the sandbox's manual runs until none moves (at most 10 steps). */
static void advance_all(void) {
    char out[256];
    for (int i = 0; i < 10; i++) {
        sb_call("POST", "/_sandbox/integration/advance", NULL, out, sizeof out);
        if (contains(out, "\"advanced\":0")) return;
    }
}

static void test_ldif_wait(lx_client *c) {
    reset_with_integration("{\"sync_run_state_ms\":0,\"sync_run_manual\":true}");
    const char *ldif =
        LDIF_INBOUND("{\"type\":\"Application\",\"id\":\"c-wait-1\",\"data\":{\"name\":\"C Wait App\"}}");
    char *json = NULL;
    lx_error *err = NULL;
    int st = lx_ldif_run(c, ldif, LX_LDIF_NO_WAIT, NULL, &json, NULL, &err);
    CHECK(st == LX_OK && contains(json, "\"status\":\"PENDING\""), "started: %s", json ? json : lx_status_str(st));
    char run_id[128] = "";
    const char *p = json ? strstr(json, "\"id\":\"") : NULL;
    if (p) {
        const char *end = strchr(p + 6, '"');
        if (end && (size_t)(end - p - 6) < sizeof run_id) {
            memcpy(run_id, p + 6, (size_t)(end - p - 6));
            run_id[end - p - 6] = 0;
        }
    }
    CHECK(run_id[0] != 0, "the run's id in %s", json ? json : "");
    lx_free(json);
    lx_free(err);
    err = NULL;

    /* LX_LDIF_NO_WAIT: one status request, the state now. */
    sb_reset();
    json = NULL;
    st = lx_ldif_wait(c, run_id, LX_LDIF_NO_WAIT, NULL, &json, NULL, &err);
    CHECK(st == LX_OK && contains(json, "\"status\":\"PENDING\"") && contains(json, "\"polls\":1") &&
              contains(json, run_id),
          "no wait: %s", json ? json : lx_status_str(st));
    CHECK(sb_requests("integration", -1) == 1, "integration requests %ld", sb_requests("integration", -1));
    lx_free(json);

    /* A deadline while it is pending: LX_ERR_TIMEOUT, the run in the error. */
    lx_call_options *opts = NULL;
    CHECK(lx_call_options_new(&opts, NULL) == LX_OK && lx_call_options_set_timeout_ms(opts, 200, NULL) == LX_OK,
          "call options");
    json = NULL;
    st = lx_ldif_wait(c, run_id, LX_LDIF_DEFAULT, opts, &json, NULL, &err);
    CHECK(st == LX_ERR_TIMEOUT && json == NULL, "deadline while pending: %s", lx_status_str(st));
    char *run = NULL;
    CHECK(lx_error_run_json(err, &run, NULL) == LX_OK && contains(run, run_id) && contains(run, "\"PENDING\""),
          "the run from the error: %s", run ? run : "(none)");
    lx_free(run);
    lx_free(err);
    err = NULL;
    lx_free(opts);

    /* Once it has run: FINISHED, its counts, the content applied. */
    advance_all();
    sb_reset();
    json = NULL;
    st = lx_ldif_wait(c, run_id, LX_LDIF_DEFAULT, NULL, &json, NULL, &err);
    CHECK(st == LX_OK && contains(json, "\"status\":\"FINISHED\"") && contains(json, "\"processedContentCount\":1") &&
              contains(json, "\"polls\":1") && contains(json, "\"results\":null"),
          "waited: %s %s", json ? json : lx_status_str(st), err ? lx_error_message(err) : "");
    /* one status poll, progress, one warnings page */
    CHECK(sb_requests("integration", -1) == 3, "integration requests %ld", sb_requests("integration", -1));
    lx_free(json);
    lx_free(err);
    err = NULL;

    /* The same through a completion. */
    struct done ok = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, -1, ""};
    CHECK(lx_ldif_wait_start(c, run_id, LX_LDIF_DEFAULT, NULL, on_done, &ok, NULL) == LX_OK, "wait started");
    CHECK(wait_done(&ok) == 1 && ok.status == LX_OK, "one completion, LX_OK: %d", ok.status);
    CHECK(contains(ok.result, "\"status\":\"FINISHED\"") && contains(ok.result, run_id), "result %s", ok.result);

    /* Bad arguments. */
    json = NULL;
    CHECK(lx_ldif_wait(c, run_id, LX_LDIF_TEST, NULL, &json, NULL, NULL) == LX_ERR_INVALID_ARG, "LX_LDIF_TEST");
    CHECK(lx_ldif_wait(c, run_id, 8, NULL, &json, NULL, NULL) == LX_ERR_INVALID_ARG, "unknown flags");
    CHECK(lx_ldif_wait(c, "", 0, NULL, &json, NULL, NULL) == LX_ERR_INVALID_ARG, "empty id");
    CHECK(lx_ldif_wait(c, NULL, 0, NULL, &json, NULL, NULL) == LX_ERR_NULL_ARG, "NULL id");
    CHECK(lx_ldif_wait(c, run_id, 0, NULL, NULL, NULL, NULL) == LX_ERR_NULL_ARG, "NULL out_json");
    struct done never = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, -1, ""};
    CHECK(lx_ldif_wait_start(c, run_id, LX_LDIF_TEST, NULL, on_done, &never, NULL) == LX_ERR_INVALID_ARG,
          "LX_LDIF_TEST at the start");
    CHECK(never.calls == 0, "no callback for a refused start");
    st = lx_ldif_wait(c, "00000000-0000-0000-0000-000000000000", 0, NULL, &json, NULL, &err);
    CHECK(st == LX_ERR_HTTP && lx_error_http_status(err) == 404, "an unknown run: %s %s", lx_status_str(st),
          err ? lx_error_message(err) : "");
    CHECK(json == NULL, "no result");
    lx_free(err);
    integration("{\"sync_run_manual\":false}");
}

int main(void) {
    if (sb_from_env("LX_SANDBOX", &url, &token, &viewer_token) != 0) return 2;
    lx_client *c = tc_client(url, token, NULL, NULL);
    if (!c) return 1;
    test_ldif_run(c);
    test_failed_run(c);
    test_run_deadline(c);
    test_bad_arguments(c);
    test_ldif_run_start(c);
    test_update(c);
    test_clash_retries_option(c);
    test_update_start(c);
    test_ldif_wait(c);
    lx_free(c);
    integration("{\"sync_run_state_ms\":100}");
    return tc_summary();
}
