/* Lifecycle stress: a client is freed (or closed) while many threads are inside calls on it,
 * over and over.
 *
 * Each cycle builds a client, starts THREADS threads that call lx_get / lx_graphql /
 * lx_access_token on it in a loop (the sandbox stalls 20 % of requests and token exchanges for
 * 1 s, so calls are in flight, some of them waiting for the first token), and after a random
 * 0-40 ms either
 *   - frees it with lx_free() from the main thread (every 4th of these from two threads at once,
 *     and always a second time): calls in flight return LX_ERR_CANCELLED, later calls
 *     LX_ERR_INVALID_ARG; or, every 3rd cycle,
 *   - closes it with lx_client_close() (the bindings' pattern), waits for the threads, then frees
 *     it: calls in flight and later calls return LX_ERR_CANCELLED.
 * Checks: nothing else fails, all threads return promptly after the free or close (hang guard),
 * and VmRSS does not grow with the cycles. Meant to run under ASan and valgrind too (run.sh
 * does both).
 *
 * Usage: lifecycle CYCLES THREADS [--no-rss] [--valgrind] (under ASan, whose quarantine holds freed
 * memory, RSS says nothing; LeakSanitizer checks leaks there instead; --valgrind: the return bound
 * is 10 s instead of 2 s). Environment: LX_SANDBOX_URL, LX_SANDBOX_TOKEN.
 * Prints figures as "LIFECYCLE key=value" and "N passed, N failed" last. */
#define _POSIX_C_SOURCE 200809L
#include <leanix.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "sandbox_control.h"

#define PATH "/services/pathfinder/v1/factSheets?pageSize=1"
/* After lx_free, every thread must be back within this; under valgrind (--valgrind), which runs
 * one thread at a time, a thread may wait seconds for its turn: 10 s there. */
#define RETURN_BOUND_S 2.0
#define RETURN_BOUND_VALGRIND_S 10.0

struct worker {
    pthread_t thread;
    lx_client *client;
    unsigned seed;
    int stop_on_cancel; /* close mode: a closed client answers CANCELLED for good */
    long ok, cancelled, after_free, other;
    int last_other;
    double returned_at;
};

static void *work(void *arg) {
    struct worker *w = arg;
    for (int i = 0; i < 100000; i++) {
        lx_error *err = NULL;
        int st;
        switch (rand_r(&w->seed) % 3) {
        case 0: {
            lx_response *resp = NULL;
            st = lx_get(w->client, PATH, &resp, &err);
            lx_free(resp);
            break;
        }
        case 1: {
            char *out = NULL;
            st = lx_graphql(w->client, "{ allFactSheets(first: 1) { totalCount } }", NULL, &out, NULL, &err);
            lx_free(out);
            break;
        }
        default: {
            char *tok = NULL;
            st = lx_access_token(w->client, &tok, &err);
            lx_free(tok);
        }
        }
        if (st != LX_OK && (!err || lx_error_code(err) != st)) st = -1000 - st;
        lx_free(err);
        if (st == LX_OK) {
            w->ok++;
        } else if (st == LX_ERR_CANCELLED) {
            w->cancelled++;
            if (w->stop_on_cancel) break;
        } else if (st == LX_ERR_INVALID_ARG) {
            w->after_free++;
            break; /* the handle is gone; every later call would say the same */
        } else {
            w->other++;
            w->last_other = st;
            break;
        }
    }
    w->returned_at = rt_now();
    return NULL;
}

struct freer {
    lx_client *client;
};

static void *free_it(void *arg) {
    lx_free(((struct freer *)arg)->client);
    return NULL;
}

int main(int argc, char **argv) {
    const char *url = getenv("LX_SANDBOX_URL");
    const char *token = getenv("LX_SANDBOX_TOKEN");
    if (argc < 3 || !url || !token || sb_init(url) != 0) {
        fprintf(stderr, "usage: lifecycle CYCLES THREADS; set LX_SANDBOX_URL, LX_SANDBOX_TOKEN\n");
        return 2;
    }
    int cycles = atoi(argv[1]), threads = atoi(argv[2]);
    int check_rss = 1;
    double return_bound = RETURN_BOUND_S;
    for (int i = 3; i < argc; i++) {
        if (strcmp(argv[i], "--no-rss") == 0) check_rss = 0;
        if (strcmp(argv[i], "--valgrind") == 0) return_bound = RETURN_BOUND_VALGRIND_S;
    }
    if (cycles < 1 || threads < 1 || threads > 256) return 2;
    sb_reset();
    sb_fault("{\"endpoint\":\"any\",\"kind\":\"stall\",\"ms\":1000,\"probability\":0.2}");
    sb_fault("{\"endpoint\":\"token\",\"kind\":\"stall\",\"ms\":1000,\"probability\":0.2}");

    struct worker *ws = calloc((size_t)threads, sizeof *ws);
    long closed_cycles = 0;
    long ok = 0, cancelled = 0, after_free = 0, other = 0, late = 0, build_failures = 0;
    int last_other = 0;
    double worst_return = 0;
    long rss_after_first = 0, rss_max_later = 0;
    unsigned seed = 12345;
    double t_start = rt_now();
    for (int c = 0; c < cycles; c++) {
        /* The deadline never ends a call here (the free or close does, within ms); it is long
         * because under valgrind, which runs one thread at a time, a cycle takes seconds. */
        lx_client *client = rt_client(url, token, "request_timeout_ms=60000;retry_base_delay_ms=20", NULL);
        if (!client) {
            build_failures++;
            continue;
        }
        int close_mode = c % 3 == 2;
        for (int i = 0; i < threads; i++) {
            memset(&ws[i], 0, sizeof ws[i]);
            ws[i].client = client;
            ws[i].stop_on_cancel = close_mode;
            ws[i].seed = seed + (unsigned)(c * 7919 + i);
            pthread_create(&ws[i].thread, NULL, work, &ws[i]);
        }
        rt_sleep_ms(rand_r(&seed) % 41);
        double t_free = rt_now();
        if (close_mode) {
            if (lx_client_close(client, NULL) != LX_OK) other++;
            if (lx_client_close(client, NULL) != LX_OK) other++; /* idempotent */
        } else if (c % 4 == 3) {
            /* Two threads free the same client at once: one frees it, the other is ignored. */
            struct freer f = {client};
            pthread_t a, b;
            pthread_create(&a, NULL, free_it, &f);
            pthread_create(&b, NULL, free_it, &f);
            pthread_join(a, NULL);
            pthread_join(b, NULL);
        } else {
            lx_free(client);
        }
        if (!close_mode) lx_free(client); /* a double free is ignored */
        for (int i = 0; i < threads; i++) {
            pthread_join(ws[i].thread, NULL);
            double back = ws[i].returned_at - t_free;
            if (back > worst_return) worst_return = back;
            if (back > return_bound) late++;
            ok += ws[i].ok;
            cancelled += ws[i].cancelled;
            after_free += ws[i].after_free;
            other += ws[i].other;
            if (ws[i].other) last_other = ws[i].last_other;
        }
        if (close_mode) {
            closed_cycles++;
            lx_free(client); /* every call has returned: now the address may be reused */
            lx_free(client);
        }
        long rss = rt_rss_kib();
        if (c == (cycles > 4 ? cycles / 4 : 0)) rss_after_first = rss;
        if (c > cycles / 4 && rss > rss_max_later) rss_max_later = rss;
    }
    double took = rt_now() - t_start;
    rt_sleep_ms(1100); /* let stalled handlers notice the hang-ups */
    const char *stats = rt_stats();
    long abandoned = sb_stats_requests(stats, "factSheets", 499) + sb_stats_requests(stats, "graphql", 499) +
                     sb_stats_requests(stats, "token", 499);
    sb_call("DELETE", "/_sandbox/faults", NULL, NULL, 0);

    printf("LIFECYCLE cycles=%d (closed first: %ld) threads=%d duration_s=%.1f calls_ok=%ld cancelled=%ld invalid_after_free=%ld other=%ld"
           " (last %s)\n",
           cycles, closed_cycles, threads, took, ok, cancelled, after_free, other, other ? lx_status_str(last_other < -999 ? -1000 - last_other : last_other) : "-");
    printf("LIFECYCLE worst_return_after_free_ms=%.1f late=%ld abandoned_at_sandbox=%ld rss_kib_after_quarter=%ld"
           " rss_kib_max_later=%ld\n",
           worst_return * 1e3, late, abandoned, rss_after_first, rss_max_later);
    rt_check(build_failures == 0, "every client was built", NULL);
    rt_check(other == 0, "no call failed with anything but CANCELLED (in flight) or INVALID_ARG (after free)", NULL);
    rt_check(after_free + cancelled >= (long)threads * (cycles - build_failures),
          "every thread saw the free or close (CANCELLED or INVALID_ARG)", NULL);
    rt_check(cancelled > 0, "some calls were in flight when their client was freed", NULL);
    char returned[96];
    snprintf(returned, sizeof returned, "every thread returned within %.0f s of the free or close", return_bound);
    rt_check(late == 0, returned, NULL);
    long slack = rss_after_first / 10 > 8192 ? rss_after_first / 10 : 8192;
    if (check_rss) rt_check(rss_max_later <= rss_after_first + slack, "RSS flat over the cycles", NULL);
    free(ws);
    return rt_summary();
}
