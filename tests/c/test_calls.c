/* Calls through the C ABI with deadlines, cancellation and asynchronous completion (issue 15),
 * and the rate-budget options (issue 16), against the sandbox:
 *   - a 1 s deadline over a token endpoint and an API that stall, fail and send Retry-After:
 *     LX_ERR_TIMEOUT at 1 s (measured);
 *   - lx_cancel_fire from another thread, from a SIGALRM handler (setitimer), from a handler
 *     running on the calling thread itself, and a byte written to lx_cancel_fd from a handler:
 *     LX_ERR_CANCELLED within 50 ms;
 *   - lx_claims_json_with, lx_access_token_with, lx_api_origin_with: a deadline and a cancel
 *     handle end the wait for a stalled exchange, which goes on for the next caller;
 *   - 1000 concurrent lx_request_start calls on a cold client: one token exchange;
 *   - freeing (and closing) a client with asynchronous calls in flight: every callback exactly
 *     once, with LX_ERR_CANCELLED;
 *   - a blocking call from inside a completion callback and from inside event callbacks (on a
 *     library thread and on the calling thread): LX_ERR_RECURSIVE_CALL at once;
 *   - page walks without waiting (lx_graphql_pages_next_start, lx_rest_pages_next_start), each
 *     page started from the callback of the one before: every page once, NULL after the last,
 *     a second start while a page is in flight refused, a walk freed with a page in flight;
 *   - lx_free of a client while its event callback runs on another thread: it returns after
 *     the callback, and no callback runs after it;
 *   - max_requests_per_minute, adaptive_pacing and reauth_interval_ms, once each;
 *   - lx_stop_callbacks (last): with calls in flight, no callback runs after it returns.
 * Every bound is "what the library promises + tc_margin()" (check.h); figures are printed.
 *
 * Environment: LX_SANDBOX_URL, LX_SANDBOX_TOKEN (set by run.sh). Prints "N passed, N failed". */
#define _POSIX_C_SOURCE 200809L
#include <leanix.h>

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "check.h"
#include "sandbox_control.h"
#include "test_client.h"

static const char *url, *token;

#define FACTSHEETS "/services/pathfinder/v1/factSheets?pageSize=1"
#define CANCEL_PROMISE 0.050  /* lx_cancel_fire -> LX_ERR_CANCELLED (issue 15) */
#define ASYNC_CALLS 1000 /* 100 under valgrind */

/* A client whose token is cached, with the sandbox's counters zeroed after the exchange. */
static lx_client *warm_client(const char *extra) {
    sb_reset();
    lx_client *c = tc_client(url, token, extra, NULL);
    char *tok = NULL;
    if (c && lx_access_token(c, &tok, NULL) != LX_OK) {
        lx_free(c);
        c = NULL;
    }
    lx_free(tok);
    sb_reset();
    return c;
}

static void clear_faults(void) { sb_call("DELETE", "/_sandbox/faults", NULL, NULL, 0); }

static int get_with(lx_client *c, const lx_call_options *opts, lx_error **err) {
    lx_response *resp = NULL;
    int st = lx_request_with(c, "GET", FACTSHEETS, NULL, 0, NULL, 0, LX_REQUEST_DEFAULT, opts, &resp, err);
    if (st == LX_OK && lx_response_status(resp) != 200) st = -1;
    lx_free(resp);
    return st;
}

static double monotonic(const struct timespec *ts) { return (double)ts->tv_sec + (double)ts->tv_nsec / 1e9; }

/* ---- the deadline of a whole call ---- */

static void test_deadline(void) {
    TIMING_CASE("deadline");
    sb_reset();
    /* Cold client: the exchange meets a 503 with Retry-After: 0 (waited as the 200 ms base),
     * then a 300 ms stall; the API a 503 with Retry-After: 0, then a stall past the deadline. */
    lx_client *c = tc_client(url, token, NULL, NULL);
    lx_call_options *opts = NULL;
    CHECK(c && lx_call_options_new(&opts, NULL) == LX_OK, "client and call options");
    CHECK(lx_call_options_set_timeout_ms(opts, 1000, NULL) == LX_OK, "timeout 1000 ms");
    sb_fault("{\"endpoint\":\"token\",\"kind\":\"status\",\"status\":503,\"retry_after\":\"0\"}");
    sb_fault("{\"endpoint\":\"token\",\"kind\":\"stall\",\"ms\":300}");
    sb_fault("{\"endpoint\":\"factSheets\",\"kind\":\"status\",\"status\":503,\"retry_after\":\"0\"}");
    sb_fault("{\"endpoint\":\"factSheets\",\"kind\":\"stall\",\"ms\":5000}");
    lx_error *err = NULL;
    double t0 = tc_now();
    int st = get_with(c, opts, &err);
    double took = tc_now() - t0;
    printf("deadline: 1000 ms over a failing, stalling token endpoint and API: %s after %.0f ms\n", lx_status_str(st),
           took * 1e3);
    CHECK(st == LX_ERR_TIMEOUT, "-> %s: %s", lx_status_str(st), lx_error_message(err));
    TIME_CHECK(took >= 1.0 && took <= 1.0 + tc_margin(), "at the deadline: %.3f s (1 s + %.0f ms margin)", took, tc_margin() * 1e3);
    CHECK(sb_requests("token", 503) == 1 && sb_requests("token", 200) == 1 && sb_counter("token_exchanges") == 1,
          "the exchange: one 503, then the stalled 200 (%ld, %ld)", sb_requests("token", 503), sb_requests("token", 200));
    CHECK(sb_requests("factSheets", 503) == 1, "the API: one 503 before the stall (%ld)", sb_requests("factSheets", 503));
    lx_free(err);
    err = NULL;
    clear_faults();

    /* A Retry-After that would pass the deadline ends the call at once with the server's error. */
    sb_reset();
    sb_fault("{\"endpoint\":\"factSheets\",\"kind\":\"status\",\"status\":429,\"retry_after\":\"5\"}");
    t0 = tc_now();
    st = get_with(c, opts, &err);
    took = tc_now() - t0;
    CHECK(st == LX_ERR_RATE_LIMITED && lx_error_retry_after_ms(err) == 5000, "Retry-After past the deadline -> %s, %lld ms",
          lx_status_str(st), (long long)lx_error_retry_after_ms(err));
    TIME_CHECK(took < tc_margin(), "at once, not at the deadline: %.3f s", took);
    CHECK(sb_requests("factSheets", -1) == 1, "one request");
    lx_free(err);
    lx_free(opts);
    lx_free(c);
    clear_faults();
}

/* ---- cancellation ---- */

struct firer {
    lx_cancel *cancel;
    long after_ms;
    double fired_at;
    int status;
};

static void *fire_later(void *arg) {
    struct firer *f = arg;
    tc_sleep_ms(f->after_ms);
    f->fired_at = tc_now();
    f->status = lx_cancel_fire(f->cancel);
    return NULL;
}

/* A GET stalled by the sandbox, cancelled by `how`; returns the status and stores the time
 * from the fire to the return. */
static lx_cancel *sig_cancel;
static int sig_cancel_fd = -1;
static volatile sig_atomic_t sig_status = -1;
static struct timespec sig_fired;

static void on_signal_fire(int signo) {
    (void)signo;
    clock_gettime(CLOCK_MONOTONIC, &sig_fired);
    sig_status = lx_cancel_fire(sig_cancel);
}

static void on_signal_write_fd(int signo) {
    (void)signo;
    clock_gettime(CLOCK_MONOTONIC, &sig_fired);
    sig_status = write(sig_cancel_fd, "x", 1) == 1 ? LX_OK : -1;
}

struct killer {
    pthread_t target;
    long after_ms;
};

static void *signal_later(void *arg) {
    struct killer *k = arg;
    tc_sleep_ms(k->after_ms);
    pthread_kill(k->target, SIGUSR1);
    return NULL;
}

enum how { FROM_THREAD, FROM_SIGALRM, FROM_HANDLER_ON_CALLER, FROM_FD_IN_HANDLER };
static const char *HOW[] = {"another thread", "a SIGALRM handler (setitimer)", "a handler on the calling thread",
                            "lx_cancel_fd written by a handler"};

static void cancel_case(lx_client *c, enum how how) {
    const long delay_ms = 300;
    sb_fault("{\"endpoint\":\"factSheets\",\"kind\":\"stall\",\"ms\":5000}");
    lx_cancel *cancel = NULL;
    lx_call_options *opts = NULL;
    CHECK(lx_cancel_new(&cancel, NULL) == LX_OK && lx_call_options_new(&opts, NULL) == LX_OK, "new");
    CHECK(lx_call_options_set_cancel(opts, cancel, NULL) == LX_OK, "set cancel");
    struct firer f = {cancel, delay_ms, 0, -1};
    struct killer k = {pthread_self(), delay_ms};
    pthread_t t;
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: the library's system calls see EINTR */
    sig_cancel = cancel;
    sig_cancel_fd = lx_cancel_fd(cancel);
    sig_status = -1;
    int sig = how == FROM_SIGALRM ? SIGALRM : SIGUSR1;
    if (how == FROM_THREAD) {
        pthread_create(&t, NULL, fire_later, &f);
    } else {
        sa.sa_handler = how == FROM_FD_IN_HANDLER ? on_signal_write_fd : on_signal_fire;
        sigaction(sig, &sa, &old);
        if (how == FROM_SIGALRM) {
            struct itimerval it = {{0, 0}, {0, delay_ms * 1000}};
            setitimer(ITIMER_REAL, &it, NULL);
        } else {
            pthread_create(&t, NULL, signal_later, &k);
        }
    }
    lx_error *err = NULL;
    double t0 = tc_now();
    int st = get_with(c, opts, &err);
    double back = tc_now();
    if (how != FROM_SIGALRM) pthread_join(t, NULL);
    double fired_at = how == FROM_THREAD ? f.fired_at : monotonic(&sig_fired);
    int fire_status = how == FROM_THREAD ? f.status : sig_status;
    if (how != FROM_THREAD) sigaction(sig, &old, NULL);
    double latency = back - fired_at;
    printf("cancel from %s: %s %.1f ms after the fire\n", HOW[how], lx_status_str(st), latency * 1e3);
    CHECK(fire_status == LX_OK, "%s: the fire itself: %d", HOW[how], fire_status);
    CHECK(st == LX_ERR_CANCELLED, "%s -> %s: %s", HOW[how], lx_status_str(st), lx_error_message(err));
    CHECK(fired_at > t0 && back - t0 >= delay_ms / 1e3, "%s: the call was waiting until the fire (%.3f s)", HOW[how], back - t0);
    TIME_CHECK(latency <= CANCEL_PROMISE + tc_margin(), "%s: cancelled within 50 ms (+ margin): %.1f ms", HOW[how], latency * 1e3);
    lx_free(err);
    err = NULL;
    /* Fired is fired: a later call with the handle returns at once and sends nothing. */
    clear_faults();
    sb_reset();
    t0 = tc_now();
    st = get_with(c, opts, &err);
    double again = tc_now() - t0;
    CHECK(st == LX_ERR_CANCELLED, "%s: a later call is cancelled", HOW[how]);
    TIME_CHECK(again < tc_margin(), "%s: at once (%.1f ms)", HOW[how], again * 1e3);
    CHECK(sb_requests("factSheets", -1) == 0, "%s: and sends nothing", HOW[how]);
    CHECK(lx_cancel_fire(cancel) == LX_OK, "firing twice is harmless");
    lx_free(err);
    lx_free(opts);
    lx_free(cancel);
    CHECK(lx_cancel_fire(cancel) == LX_ERR_INVALID_ARG && lx_cancel_fd(cancel) == -1, "a freed handle is refused");
}

static void test_cancel(void) {
    lx_client *c = warm_client(NULL);
    REQUIRE(c, "client");
    for (int how = FROM_THREAD; how <= FROM_FD_IN_HANDLER; how++) cancel_case(c, (enum how)how);
    /* The client still works for calls without the fired handle. */
    lx_error *err = NULL;
    CHECK(get_with(c, NULL, &err) == LX_OK, "an uncancelled call: %s", lx_error_message(err));
    lx_free(err);
    lx_free(c);
}

/* ---- the token calls with limits ---- */

/* lx_claims_json_with, lx_access_token_with and lx_api_origin_with on a cold client whose
 * token endpoint stalls 1.5 s: a 300 ms deadline ends the first, a cancel fired from another
 * thread the second, and the third gets the answer of the one exchange the first started. */
static void test_token_calls_with_limits(void) {
    TIMING_CASE("token calls with limits");
    sb_reset();
    lx_client *c = tc_client(url, token, NULL, NULL);
    lx_call_options *opts = NULL;
    lx_cancel *cancel = NULL;
    CHECK(c && lx_call_options_new(&opts, NULL) == LX_OK && lx_cancel_new(&cancel, NULL) == LX_OK, "new");
    CHECK(lx_call_options_set_timeout_ms(opts, 300, NULL) == LX_OK, "timeout 300 ms");
    sb_fault("{\"endpoint\":\"token\",\"kind\":\"stall\",\"ms\":1500}");
    lx_error *err = NULL;
    char *out = NULL;
    double t0 = tc_now();
    int st = lx_claims_json_with(c, opts, &out, &err);
    double took = tc_now() - t0;
    printf("token calls: lx_claims_json_with, 300 ms deadline, stalled exchange: %s after %.0f ms\n", lx_status_str(st),
           took * 1e3);
    CHECK(st == LX_ERR_TIMEOUT && out == NULL, "claims -> %s: %s", lx_status_str(st), lx_error_message(err));
    CHECK(err && strstr(lx_error_message(err), "getting the token's claims timed out"), "the message names the call: %s",
          lx_error_message(err));
    TIME_CHECK(took >= 0.3 && took <= 0.3 + tc_margin(), "at the deadline: %.3f s", took);
    lx_free(err);
    err = NULL;

    lx_call_options *cancelling = NULL;
    CHECK(lx_call_options_new(&cancelling, NULL) == LX_OK && lx_call_options_set_cancel(cancelling, cancel, NULL) == LX_OK,
          "options with a cancel handle");
    struct firer f = {cancel, 200, 0, -1};
    pthread_t t;
    pthread_create(&t, NULL, fire_later, &f);
    st = lx_access_token_with(c, cancelling, &out, &err);
    double back = tc_now();
    pthread_join(t, NULL);
    printf("token calls: lx_access_token_with cancelled from another thread: %s %.1f ms after the fire\n",
           lx_status_str(st), (back - f.fired_at) * 1e3);
    CHECK(st == LX_ERR_CANCELLED && out == NULL, "access token -> %s: %s", lx_status_str(st), lx_error_message(err));
    TIME_CHECK(back - f.fired_at <= CANCEL_PROMISE + tc_margin(), "cancelled within 50 ms (+ margin): %.1f ms",
               (back - f.fired_at) * 1e3);
    lx_free(err);
    err = NULL;

    CHECK(lx_call_options_set_timeout_ms(opts, 10000, NULL) == LX_OK, "timeout 10 s");
    st = lx_api_origin_with(c, opts, &out, &err);
    CHECK(st == LX_OK && out && strncmp(out, url, strlen(out)) == 0, "api origin -> %s: %s (%s)", lx_status_str(st),
          out ? out : "(null)", lx_error_message(err));
    CHECK(sb_requests("token", -1) == 1 && sb_counter("token_exchanges") == 1,
          "one token request for the three calls (%ld requests, %ld exchanges)", sb_requests("token", -1),
          sb_counter("token_exchanges"));
    lx_free(out);
    lx_free(err);
    lx_free(cancelling);
    lx_free(cancel);
    lx_free(opts);
    lx_free(c);
    clear_faults();
}

/* ---- asynchronous calls ---- */

/* One batch of asynchronous calls; each call's userdata is its slot. */
struct async_batch;
struct slot {
    atomic_int calls; /* callbacks of this call: exactly 1 */
    struct async_batch *batch;
};

struct async_batch {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int size, expected; /* calls, and callbacks each must get (1; 0 for calls refused at start) */
    atomic_int done, ok, cancelled, other;
    double last_at;
    struct slot slots[ASYNC_CALLS];
};

/* One batch per test, kept to the end of the program: main checks once more that no callback
 * ran a second time in the meantime. */
static struct async_batch batches[4];

static struct async_batch *new_batch(int k, int n) {
    struct async_batch *b = &batches[k];
    pthread_mutex_init(&b->lock, NULL);
    pthread_cond_init(&b->cond, NULL);
    b->size = n;
    b->expected = 1;
    for (int i = 0; i < n; i++) b->slots[i].batch = b;
    return b;
}

static void on_complete(void *userdata, int32_t status, lx_response *response, lx_error *error) {
    struct slot *slot = userdata;
    struct async_batch *b = slot->batch;
    atomic_fetch_add(&slot->calls, 1);
    if (status == LX_OK && response && !error && lx_response_status(response) == 200) {
        atomic_fetch_add(&b->ok, 1);
    } else if (status == LX_ERR_CANCELLED && !response && lx_error_code(error) == LX_ERR_CANCELLED) {
        atomic_fetch_add(&b->cancelled, 1);
    } else {
        atomic_fetch_add(&b->other, 1);
    }
    lx_free(response);
    lx_free(error);
    pthread_mutex_lock(&b->lock);
    b->last_at = tc_now();
    if (atomic_fetch_add(&b->done, 1) + 1 >= b->size) pthread_cond_broadcast(&b->cond);
    pthread_mutex_unlock(&b->lock);
}

/* Waits until every call of the batch completed, at most `seconds` (a hang guard). */
static int wait_batch(struct async_batch *b, double seconds) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += (time_t)seconds;
    pthread_mutex_lock(&b->lock);
    while (atomic_load(&b->done) < b->size && pthread_cond_timedwait(&b->cond, &b->lock, &until) == 0) {
    }
    pthread_mutex_unlock(&b->lock);
    return atomic_load(&b->done);
}

static int start_batch(lx_client *c, struct async_batch *b) {
    int started = 0;
    for (int i = 0; i < b->size; i++) {
        lx_error *err = NULL;
        int st = lx_request_start(c, "GET", FACTSHEETS, NULL, 0, NULL, 0, LX_REQUEST_DEFAULT, NULL, on_complete,
                                  &b->slots[i], &err);
        if (st == LX_OK) {
            started++;
        } else {
            fprintf(stderr, "lx_request_start %d: %s %s\n", i, lx_status_str(st), lx_error_message(err));
        }
        lx_free(err);
    }
    return started;
}

static int each_called_once(struct async_batch *b) {
    for (int i = 0; i < b->size; i++)
        if (atomic_load(&b->slots[i].calls) != b->expected) return 0;
    return 1;
}

static void test_async_thousand(void) {
    sb_reset();
    lx_client *c = tc_client(url, token, NULL, NULL); /* cold: no token yet */
    int n = tc_valgrind() ? 100 : ASYNC_CALLS;
    struct async_batch *b = new_batch(0, n);
    double t0 = tc_now();
    int started = start_batch(c, b);
    double start_took = tc_now() - t0;
    int done = wait_batch(b, 120);
    double took = tc_now() - t0;
    printf("async: %d calls started in %.0f ms, all completed after %.0f ms\n", started, start_took * 1e3, took * 1e3);
    CHECK(started == n, "%d of %d started", started, n);
    CHECK(done == n && atomic_load(&b->ok) == n, "%d completed, %d ok", done, atomic_load(&b->ok));
    CHECK(each_called_once(b), "every callback ran exactly once");
    CHECK(sb_counter("token_exchanges") == 1 && sb_counter("token_requests") == 1, "one token exchange for %d calls: %ld", n,
          sb_counter("token_exchanges"));
    CHECK(sb_requests("factSheets", 200) == n, "one request each: %ld", sb_requests("factSheets", 200));
    lx_free(c);
}

/* Freed (or closed) with calls in flight: each callback once, with LX_ERR_CANCELLED. */
static void free_with_calls_in_flight(int close_first) {
    const int n = 64;
    lx_client *c = warm_client(NULL);
    REQUIRE(c, "client");
    /* Long enough that none completes first, even under valgrind; the free ends them. */
    sb_fault("{\"endpoint\":\"factSheets\",\"kind\":\"latency\",\"ms\":10000}");
    struct async_batch *b = new_batch(1 + close_first, n);
    int started = start_batch(c, b);
    int before = atomic_load(&b->done);
    double t_free = tc_now();
    if (close_first) {
        CHECK(lx_client_close(c, NULL) == LX_OK, "close");
    } else {
        lx_free(c);
    }
    int done = wait_batch(b, 30);
    double last = b->last_at - t_free;
    const char *what = close_first ? "lx_client_close" : "lx_free";
    printf("async: %s with %d calls in flight: %d callbacks, the last %.1f ms after it\n", what, started, done, last * 1e3);
    CHECK(started == n && before == 0, "%s: %d calls in flight (%d had completed)", what, started, before);
    CHECK(done == n && atomic_load(&b->cancelled) == n, "%s: %d callbacks, %d with LX_ERR_CANCELLED, %d other", what, done,
          atomic_load(&b->cancelled), atomic_load(&b->other));
    CHECK(each_called_once(b), "%s: every callback exactly once", what);
    TIME_CHECK(last <= CANCEL_PROMISE + tc_margin(), "%s: all within 50 ms (+ margin): %.1f ms", what, last * 1e3);
    if (close_first) {
        /* A closed client: a new asynchronous call is refused or completes cancelled. */
        lx_error *err = NULL;
        struct async_batch *late = new_batch(3, 1);
        int st = lx_request_start(c, "GET", FACTSHEETS, NULL, 0, NULL, 0, 0, NULL, on_complete, &late->slots[0], &err);
        if (st == LX_OK) {
            CHECK(wait_batch(late, 10) == 1 && atomic_load(&late->cancelled) == 1, "a call started after close completes cancelled");
        } else {
            CHECK(st == LX_ERR_CANCELLED, "a call started after close -> %s", lx_status_str(st));
            late->expected = 0; /* refused: its callback must never run */
        }
        lx_free(err);
        lx_free(c);
    }
    clear_faults();
}

static void test_async_free(void) {
    free_with_calls_in_flight(0);
    free_with_calls_in_flight(1);
}

/* ---- recursion: blocking calls from inside callbacks ---- */

struct recursion {
    lx_client *client;
    atomic_int outer_seen, inner_status, inner_started;
    double inner_took;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    atomic_int nested_done;
};

static struct recursion rec = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};

static void on_nested(void *userdata, int32_t status, lx_response *response, lx_error *error) {
    (void)userdata;
    lx_free(response);
    lx_free(error);
    pthread_mutex_lock(&rec.lock);
    atomic_store(&rec.nested_done, status == LX_OK ? 1 : -status);
    pthread_cond_broadcast(&rec.cond);
    pthread_mutex_unlock(&rec.lock);
}

static void on_outer(void *userdata, int32_t status, lx_response *response, lx_error *error) {
    (void)userdata;
    (void)status;
    lx_free(response);
    lx_free(error);
    lx_response *inner = NULL;
    lx_error *err = NULL;
    double t0 = tc_now();
    int st = lx_get(rec.client, FACTSHEETS, &inner, &err);
    rec.inner_took = tc_now() - t0;
    lx_free(inner);
    lx_free(err);
    /* Starting another asynchronous call from here is fine. */
    int started = lx_request_start(rec.client, "GET", FACTSHEETS, NULL, 0, NULL, 0, 0, NULL, on_nested, NULL, NULL);
    pthread_mutex_lock(&rec.lock);
    atomic_store(&rec.inner_status, st);
    atomic_store(&rec.inner_started, started == LX_OK ? 1 : -1);
    atomic_store(&rec.outer_seen, 1);
    pthread_cond_broadcast(&rec.cond);
    pthread_mutex_unlock(&rec.lock);
}

static int wait_flag(atomic_int *flag, double seconds) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += (time_t)seconds;
    pthread_mutex_lock(&rec.lock);
    while (atomic_load(flag) == 0 && pthread_cond_timedwait(&rec.cond, &rec.lock, &until) == 0) {
    }
    pthread_mutex_unlock(&rec.lock);
    return atomic_load(flag);
}

struct event_recursion {
    lx_client *volatile client;
    atomic_int fetched_status, retry_status;
    double fetched_took, retry_took;
    pthread_t caller;
    atomic_int retry_on_caller;
};

static struct event_recursion evr;

static int blocking_call_from_callback(double *took) {
    lx_response *r = NULL;
    lx_error *err = NULL;
    double t0 = tc_now();
    int st = lx_get(evr.client, FACTSHEETS, &r, &err);
    *took = tc_now() - t0;
    lx_free(r);
    lx_free(err);
    return st;
}

static void on_event_recurse(void *userdata, int32_t kind, const char *details) {
    (void)userdata;
    (void)details;
    if (!evr.client) return;
    if (kind == LX_EVENT_TOKEN_FETCHED && atomic_load(&evr.fetched_status) == -1) {
        atomic_store(&evr.fetched_status, blocking_call_from_callback(&evr.fetched_took));
    }
    if (kind == LX_EVENT_RETRY && atomic_load(&evr.retry_status) == -1) {
        atomic_store(&evr.retry_on_caller, pthread_equal(pthread_self(), evr.caller) ? 1 : 0);
        atomic_store(&evr.retry_status, blocking_call_from_callback(&evr.retry_took));
    }
}

static void test_recursion(void) {
    /* From a completion callback. */
    rec.client = warm_client(NULL);
    CHECK(rec.client && lx_request_start(rec.client, "GET", FACTSHEETS, NULL, 0, NULL, 0, 0, NULL, on_outer, NULL, NULL) == LX_OK,
          "start");
    CHECK(wait_flag(&rec.outer_seen, 30) == 1, "the completion callback ran");
    printf("recursion: lx_get inside a completion callback: %s after %.2f ms\n", lx_status_str(atomic_load(&rec.inner_status)),
           rec.inner_took * 1e3);
    CHECK(atomic_load(&rec.inner_status) == LX_ERR_RECURSIVE_CALL, "lx_get inside a completion callback -> %s",
          lx_status_str(atomic_load(&rec.inner_status)));
    TIME_CHECK(rec.inner_took < tc_margin(), "at once: %.3f s", rec.inner_took);
    CHECK(atomic_load(&rec.inner_started) == 1, "lx_request_start inside a completion callback works");
    CHECK(wait_flag(&rec.nested_done, 30) == 1, "and its own callback ran with LX_OK (%d)", atomic_load(&rec.nested_done));
    CHECK(sb_requests("factSheets", 200) == 2, "two requests: the outer and the nested one (%ld)",
          sb_requests("factSheets", 200));
    lx_free(rec.client);

    /* From event callbacks: token events run on a library thread, retry events on the caller's. */
    sb_reset();
    memset(&evr, 0, sizeof evr);
    atomic_store(&evr.fetched_status, -1);
    atomic_store(&evr.retry_status, -1);
    evr.caller = pthread_self();
    lx_options *opts = NULL;
    lx_client *c = NULL;
    CHECK(tc_options(url, token, "retry_base_delay_ms=10", &opts, NULL) == LX_OK, "options");
    CHECK(lx_options_set_event_callback(opts, on_event_recurse, NULL, NULL) == LX_OK, "event callback");
    CHECK(lx_client_build(opts, &c, NULL) == LX_OK, "build");
    lx_free(opts);
    evr.client = c;
    sb_fault("{\"endpoint\":\"factSheets\",\"kind\":\"status\",\"status\":503}");
    lx_error *err = NULL;
    double t0 = tc_now();
    lx_response *resp = NULL;
    int st = lx_get(c, FACTSHEETS, &resp, &err);
    double took = tc_now() - t0;
    lx_free(resp);
    printf("recursion: lx_get inside the token-fetched event: %s after %.2f ms; inside the retry event: %s after %.2f ms\n",
           lx_status_str(atomic_load(&evr.fetched_status)), evr.fetched_took * 1e3,
           lx_status_str(atomic_load(&evr.retry_status)), evr.retry_took * 1e3);
    CHECK(st == LX_OK, "the outer call succeeds after its retry: %s %s", lx_status_str(st), lx_error_message(err));
    TIME_CHECK(took < 5, "no hang: %.2f s", took);
    CHECK(atomic_load(&evr.fetched_status) == LX_ERR_RECURSIVE_CALL, "inside the token-fetched event -> %s",
          lx_status_str(atomic_load(&evr.fetched_status)));
    CHECK(atomic_load(&evr.retry_status) == LX_ERR_RECURSIVE_CALL, "inside the retry event -> %s",
          lx_status_str(atomic_load(&evr.retry_status)));
    CHECK(atomic_load(&evr.retry_on_caller) == 1, "the retry event ran on the calling thread");
    TIME_CHECK(evr.fetched_took < tc_margin() && evr.retry_took < tc_margin(), "both at once");
    CHECK(sb_requests("factSheets", -1) == 2, "the recursive calls sent nothing (%ld requests)", sb_requests("factSheets", -1));
    evr.client = NULL;
    lx_free(err);
    lx_free(c);
    clear_faults();
}

/* ---- the event callback ends with its client ---- */

struct gate_case {
    atomic_int entered, finished, freed, late;
    lx_client *client;
    int status;
};

static struct gate_case gate;

static void on_slow_event(void *userdata, int32_t kind, const char *details) {
    (void)userdata;
    (void)details;
    if (atomic_load(&gate.freed)) atomic_fetch_add(&gate.late, 1);
    if (kind != LX_EVENT_RETRY || atomic_exchange(&gate.entered, 1)) return;
    /* A callback that takes a while (the stimulus: lx_free must wait for it, not the test). */
    const struct timespec slow = {0, 300 * 1000000L};
    nanosleep(&slow, NULL);
    atomic_store(&gate.finished, 1);
}

static void *gate_caller(void *arg) {
    (void)arg;
    lx_error *err = NULL;
    gate.status = get_with(gate.client, NULL, &err);
    lx_free(err);
    return NULL;
}

static void test_event_callback_ends_with_the_client(void) {
    sb_reset();
    memset(&gate, 0, sizeof gate);
    lx_options *opts = NULL;
    CHECK(tc_options(url, token, "retry_base_delay_ms=10", &opts, NULL) == LX_OK, "options");
    CHECK(lx_options_set_event_callback(opts, on_slow_event, NULL, NULL) == LX_OK, "event callback");
    CHECK(lx_client_build(opts, &gate.client, NULL) == LX_OK, "build");
    lx_free(opts);
    sb_fault("{\"endpoint\":\"factSheets\",\"kind\":\"status\",\"status\":503,\"times\":100}");
    pthread_t t;
    pthread_create(&t, NULL, gate_caller, NULL);
    double until = tc_now() + 30;
    const struct timespec ms = {0, 1000000};
    while (!atomic_load(&gate.entered) && tc_now() < until) nanosleep(&ms, NULL);
    CHECK(atomic_load(&gate.entered), "the retry event's callback started");
    lx_free(gate.client); /* while the callback runs on the caller's thread */
    int finished_at_return = atomic_load(&gate.finished);
    atomic_store(&gate.freed, 1);
    pthread_join(t, NULL);
    printf("event gate: lx_free returned after the callback in progress ended (%d); the call: %s; callbacks after: %d\n",
           finished_at_return, lx_status_str(gate.status), atomic_load(&gate.late));
    CHECK(finished_at_return == 1, "lx_free waited for the event callback in progress");
    CHECK(gate.status == LX_ERR_CANCELLED, "the call in flight was cancelled: %s", lx_status_str(gate.status));
    CHECK(atomic_load(&gate.late) == 0, "no event callback after lx_free returned (%d)", atomic_load(&gate.late));
    clear_faults();
}

/* ---- rate budget options (issue 16), once each ---- */

struct paced {
    lx_client *client;
    int calls, failures;
};

static void *paced_worker(void *arg) {
    struct paced *p = arg;
    for (int i = 0; i < p->calls; i++) {
        lx_error *err = NULL;
        if (get_with(p->client, NULL, &err) != LX_OK) p->failures++;
        lx_free(err);
    }
    return NULL;
}

static void test_max_requests_per_minute(void) {
    /* 1200 per minute = 20 per second, a bucket of one second: 60 calls from 4 threads take
     * (60 - 20) / 20 = 2 s, all threads together. */
    lx_client *c = warm_client("max_requests_per_minute=1200");
    struct paced p[4];
    pthread_t t[4];
    double t0 = tc_now();
    for (int i = 0; i < 4; i++) {
        p[i] = (struct paced){c, 15, 0};
        pthread_create(&t[i], NULL, paced_worker, &p[i]);
    }
    int failures = 0;
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        failures += p[i].failures;
    }
    double took = tc_now() - t0;
    printf("max_requests_per_minute=1200: 60 calls from 4 threads in %.2f s (expected 2.0 s)\n", took);
    CHECK(failures == 0, "%d failures", failures);
    TIME_CHECK(took >= 2.0 - 0.05 && took <= 2.0 + tc_margin(), "paced at 20/s: %.2f s", took);
    CHECK(sb_requests("factSheets", 200) == 60 && sb_requests("factSheets", 429) == 0, "60 requests, no 429");
    lx_free(c);
}

struct pacing_events {
    atomic_int started, events;
};

static void on_pacing(void *userdata, int32_t kind, const char *details) {
    struct pacing_events *pe = userdata;
    if (kind != LX_EVENT_PACING) return;
    atomic_fetch_add(&pe->events, 1);
    if (strstr(details, "\"started\":true")) atomic_fetch_add(&pe->started, 1);
}

/* adaptive_pacing: after a 429 the client paces itself (an LX_EVENT_PACING event), unless off. */
static void test_adaptive_pacing(void) {
    for (int adaptive = 1; adaptive >= 0; adaptive--) {
        sb_reset();
        struct pacing_events pe = {0, 0};
        lx_options *opts = NULL;
        lx_client *c = NULL;
        CHECK(tc_options(url, token, adaptive ? "adaptive_pacing=1" : "adaptive_pacing=0", &opts, NULL) == LX_OK, "options");
        lx_options_set_event_callback(opts, on_pacing, &pe, NULL);
        CHECK(lx_client_build(opts, &c, NULL) == LX_OK, "build");
        lx_free(opts);
        /* A sending rate to measure: 10 calls of 20 ms each, then a 429 with Retry-After: 1. */
        sb_fault("{\"endpoint\":\"factSheets\",\"kind\":\"latency\",\"ms\":20}");
        int ok = 0;
        for (int i = 0; i < 10; i++) ok += get_with(c, NULL, NULL) == LX_OK;
        sb_fault("{\"endpoint\":\"factSheets\",\"kind\":\"latency\",\"ms\":0}");
        sb_fault("{\"endpoint\":\"factSheets\",\"kind\":\"status\",\"status\":429,\"retry_after\":\"1\"}");
        double t0 = tc_now();
        lx_error *err = NULL;
        int st = get_with(c, NULL, &err);
        double took = tc_now() - t0;
        CHECK(ok == 10 && st == LX_OK, "adaptive_pacing=%d: calls ok, the 429 retried: %s", adaptive, lx_error_message(err));
        TIME_CHECK(took >= 1.0 && took <= 1.0 + tc_margin(), "adaptive_pacing=%d: waited the Retry-After: %.2f s", adaptive,
              took);
        if (adaptive) {
            CHECK(atomic_load(&pe.started) == 1, "adaptive_pacing=1: pacing started after the 429 (%d events)",
                  atomic_load(&pe.events));
        } else {
            CHECK(atomic_load(&pe.events) == 0, "adaptive_pacing=0: no pacing (%d events)", atomic_load(&pe.events));
        }
        lx_free(err);
        lx_free(c);
        clear_faults();
    }
}

/* reauth_interval_ms: an API that answers 401 forever costs one exchange per interval. */
static void test_reauth_interval(void) {
    struct {
        const char *options;
        long exchanges, unauthorized;
    } cases[] = {
        {"reauth_interval_ms=600000", 1, 6}, /* one re-exchange, then every 401 is final */
        {"reauth_interval_ms=0", 5, 10},     /* each call exchanges once more */
    };
    for (int i = 0; i < 2; i++) {
        lx_client *c = warm_client(cases[i].options);
        sb_fault("{\"endpoint\":\"factSheets\",\"kind\":\"status\",\"status\":401,\"times\":1000}");
        int unauthorized = 0;
        for (int n = 0; n < 5; n++) unauthorized += get_with(c, NULL, NULL) == LX_ERR_UNAUTHORIZED;
        CHECK(unauthorized == 5, "%s: 5 x LX_ERR_UNAUTHORIZED (%d)", cases[i].options, unauthorized);
        CHECK(sb_counter("token_exchanges") == cases[i].exchanges, "%s: %ld exchanges for 5 calls, expected %ld",
              cases[i].options, sb_counter("token_exchanges"), cases[i].exchanges);
        CHECK(sb_requests("factSheets", 401) == cases[i].unauthorized, "%s: %ld requests, expected %ld", cases[i].options,
              sb_requests("factSheets", 401), cases[i].unauthorized);
        lx_free(c);
        clear_faults();
    }
}

/* An asynchronous page walk: each callback starts the next page, as the header suggests. */
struct async_walk {
    void *pages;
    int rest; /* lx_rest_pages (1) or lx_graphql_pages (0) */
    atomic_int pages_seen, ends, errors, calls_after_end;
    atomic_long items;
    atomic_int finished;
};

static int walk_next_start(struct async_walk *w);

/* The fact sheets in a page: a REST item has one "fullName" (its tags and phases have ids of
   their own), a GraphQL edge here is { node { id } }. */
static long count_items(const char *body, int rest) {
    const char *key = rest ? "\"fullName\"" : "\"id\"";
    long n = 0;
    for (const char *p = body; (p = strstr(p, key)) != NULL; p += strlen(key)) n++;
    return n;
}

static void on_page(void *userdata, int status, lx_response *response, lx_error *error) {
    struct async_walk *w = userdata;
    if (atomic_load(&w->finished)) atomic_fetch_add(&w->calls_after_end, 1);
    if (status == LX_OK && response) {
        const uint8_t *body = NULL;
        size_t len = 0;
        if (lx_response_body(response, &body, &len) == LX_OK && lx_response_status(response) == 200) {
            atomic_fetch_add(&w->pages_seen, 1);
            atomic_fetch_add(&w->items, count_items((const char *)body, w->rest));
        }
        lx_free(response);
        if (walk_next_start(w) != LX_OK) {
            atomic_fetch_add(&w->errors, 1);
            atomic_store(&w->finished, 1);
        }
        return;
    }
    if (status == LX_OK) {
        atomic_fetch_add(&w->ends, 1);
    } else {
        fprintf(stderr, "page walk: %s %s\n", lx_status_str(status), lx_error_message(error));
        atomic_fetch_add(&w->errors, 1);
    }
    lx_free(error);
    atomic_store(&w->finished, 1);
}

static int walk_next_start(struct async_walk *w) {
    return w->rest ? lx_rest_pages_next_start(w->pages, on_page, w, NULL)
                   : lx_graphql_pages_next_start(w->pages, on_page, w, NULL);
}

static int wait_walk(struct async_walk *w, double seconds) {
    double until = tc_now() + seconds;
    const struct timespec ms = {0, 1000000};
    while (!atomic_load(&w->finished) && tc_now() < until) nanosleep(&ms, NULL);
    return atomic_load(&w->finished);
}

#define PAGE_QUERY \
    "query($after: String) { allFactSheets(first: 1000, after: $after) { pageInfo { hasNextPage endCursor } " \
    "edges { node { id } } } }"
#define REST_LIST "/services/pathfinder/v1/factSheets?pageSize=700"

static void test_async_pages(void) {
    lx_client *c = warm_client(NULL);
    REQUIRE(c, "client");
    lx_response *r = NULL;
    long total = -1;
    if (lx_get(c, "/services/pathfinder/v1/factSheets?pageSize=1", &r, NULL) == LX_OK) {
        const uint8_t *body = NULL;
        size_t len = 0;
        lx_response_body(r, &body, &len);
        const char *t = strstr((const char *)body, "\"total\":");
        if (t) total = strtol(t + 8, NULL, 10);
    }
    lx_free(r);
    CHECK(total > 1000, "the sandbox has more than one page of fact sheets: %ld", total);
    for (int rest = 0; rest <= 1; rest++) {
        sb_reset();
        struct async_walk w = {.rest = rest};
        lx_error *err = NULL;
        int st = rest ? lx_rest_pages_new(c, REST_LIST, NULL, (lx_rest_pages **)&w.pages, &err)
                      : lx_graphql_pages_new(c, PAGE_QUERY, NULL, NULL, (lx_graphql_pages **)&w.pages, &err);
        CHECK(st == LX_OK, "pages_new: %s", lx_status_str(st));
        lx_free(err);
        /* The first page is slow (once), so it is surely in flight at the second start. */
        char slow[128];
        snprintf(slow, sizeof slow, "{\"endpoint\":\"%s\",\"kind\":\"latency\",\"ms\":300,\"times\":1}",
                 rest ? "factSheets" : "graphql");
        sb_fault(slow);
        CHECK(walk_next_start(&w) == LX_OK, "the first page starts");
        /* One page at a time: a second start while the first is in flight is refused. */
        lx_error *busy = NULL;
        int second = rest ? lx_rest_pages_next_start(w.pages, on_page, &w, &busy)
                          : lx_graphql_pages_next_start(w.pages, on_page, &w, &busy);
        CHECK(second == LX_ERR_INVALID_ARG && strstr(lx_error_message(busy), "still being fetched"),
              "%s: a second start while a page is in flight: %s", rest ? "rest" : "graphql", lx_status_str(second));
        lx_free(busy);
        CHECK(wait_walk(&w, 60), "the walk finished");
        long per_page = rest ? 700 : 1000;
        long pages = (total + per_page - 1) / per_page;
        printf("async %s walk: %d pages, %ld items\n", rest ? "REST" : "GraphQL", atomic_load(&w.pages_seen),
               atomic_load(&w.items));
        CHECK(atomic_load(&w.pages_seen) == pages && atomic_load(&w.items) == total, "%s: %d pages (want %ld), %ld items",
              rest ? "rest" : "graphql", atomic_load(&w.pages_seen), pages, atomic_load(&w.items));
        CHECK(atomic_load(&w.ends) == 1 && atomic_load(&w.errors) == 0, "one end (NULL response), no error");
        CHECK(sb_requests(rest ? "factSheets" : "graphql", 200) == pages, "one request per page: %ld",
              sb_requests(rest ? "factSheets" : "graphql", 200));
        /* After the end the walk answers "no more pages" again, through the callback. */
        atomic_store(&w.finished, 0);
        CHECK(walk_next_start(&w) == LX_OK && wait_walk(&w, 10) && atomic_load(&w.ends) == 2, "after the end: NULL again");
        lx_free(w.pages);
    }
    /* A walk freed while its page is in flight: the fetch ends and its callback still runs once. */
    sb_fault("{\"endpoint\":\"graphql\",\"kind\":\"latency\",\"ms\":200}");
    struct async_walk w = {.rest = 0};
    CHECK(lx_graphql_pages_new(c, PAGE_QUERY, NULL, NULL, (lx_graphql_pages **)&w.pages, NULL) == LX_OK, "pages_new");
    CHECK(walk_next_start(&w) == LX_OK, "start");
    /* Stop the chain after this page: the callback's next start must fail on the freed walk. */
    lx_free(w.pages);
    CHECK(wait_walk(&w, 30), "the callback of the freed walk's page ran");
    CHECK(atomic_load(&w.pages_seen) == 1 && atomic_load(&w.errors) == 1,
          "its page arrived (%d), and the next start on the freed walk was refused (%d)", atomic_load(&w.pages_seen),
          atomic_load(&w.errors));
    clear_faults();
    lx_free(c);
}

/* ---- lx_stop_callbacks, last: it is for good ---- */

static atomic_int stop_calls, stop_after;
static atomic_int stop_done;

static void on_stop_complete(void *userdata, int status, lx_response *response, lx_error *error) {
    (void)userdata;
    (void)status;
    if (atomic_load(&stop_done)) atomic_fetch_add(&stop_after, 1);
    atomic_fetch_add(&stop_calls, 1);
    lx_free(response);
    lx_free(error);
}

static void test_stop_callbacks(void) {
    lx_client *c = warm_client(NULL);
    REQUIRE(c, "client");
    /* Slow calls in flight; then the switch; then freeing the client cancels them. */
    sb_fault("{\"endpoint\":\"factSheets\",\"kind\":\"latency\",\"ms\":2000,\"times\":8}");
    int started = 0;
    for (int i = 0; i < 8; i++)
        started += lx_request_start(c, "GET", FACTSHEETS, NULL, 0, NULL, 0, 0, NULL, on_stop_complete, NULL, NULL) == LX_OK;
    /* All 8 held by the sandbox before the switch, and all 8 hung up after the free: the program
     * then ends with no call of the library still running (valgrind counts what such a call holds
     * at exit as possibly lost). */
    double until = tc_now() + 30;
    while (sb_counter("stalled") < 8 && tc_now() < until) tc_sleep_ms(1);
    CHECK(sb_counter("stalled") == 8, "8 calls held by the sandbox (%ld)", sb_counter("stalled"));
    lx_stop_callbacks();
    atomic_store(&stop_done, 1);
    lx_free(c); /* cancels the 8 calls: their results are released without a callback */
    while (sb_counter("stalled") > 0 && tc_now() < until) tc_sleep_ms(1);
    CHECK(sb_counter("stalled") == 0, "the 8 cancelled calls hung up (%ld still held)", sb_counter("stalled"));
    printf("lx_stop_callbacks: %d calls started, %d callbacks before it, %d after\n", started, atomic_load(&stop_calls),
           atomic_load(&stop_after));
    CHECK(started == 8, "8 calls started");
    CHECK(atomic_load(&stop_after) == 0, "no callback after lx_stop_callbacks returned (%d)", atomic_load(&stop_after));
    clear_faults();
}

int main(void) {
    if (sb_from_env("LX_SANDBOX", &url, &token, NULL) != 0) return 2;
    printf("time margin %.0f ms\n", tc_margin() * 1e3);
    test_deadline();
    test_cancel();
    test_token_calls_with_limits();
    test_async_thousand();
    test_async_free();
    test_recursion();
    test_event_callback_ends_with_the_client();
    test_async_pages();
    test_max_requests_per_minute();
    test_adaptive_pacing();
    test_reauth_interval();
    /* Every asynchronous call once more, at the end: no callback ran a second time since. */
    for (int k = 0; k < 4; k++) CHECK(batches[k].size == 0 || each_called_once(&batches[k]), "batch %d: still once each", k);
    test_stop_callbacks(); /* last: no callback runs in this process after it */
    return tc_summary();
}
