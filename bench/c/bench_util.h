/* Shared helpers of the C benchmarks: clock, latency percentiles, client set-up, RSS.
 * Header-only (static functions) so that each program is one translation unit. */
#ifndef LEANIX_BENCH_UTIL_H
#define LEANIX_BENCH_UTIL_H

#include <leanix.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

/* Monotonic time in nanoseconds. */
static inline uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Prints the error and exits with status 1 (the harness reports the message). */
static inline void die(const char *what, lx_error *err) {
    fprintf(stderr, "%s failed: %s (%s, HTTP %d)\n", what, err ? lx_error_message(err) : "?",
            lx_status_str(err ? lx_error_code(err) : -1), err ? lx_error_http_status(err) : 0);
    lx_free(err);
    exit(1);
}

/* A client for the sandbox at `url` (http:// to loopback allowed), with extra options given as
 * "key=value" strings (NULL-terminated list, may be NULL). */
static inline lx_client *bench_client(const char *url, const char *api_token, const char *const *extra) {
    lx_options *opts = NULL;
    lx_client *client = NULL;
    lx_error *err = NULL;
    if (lx_options_new(&opts, &err) != LX_OK) die("lx_options_new", err);
    if (lx_options_set(opts, "host", url, &err) != LX_OK) die("option host", err);
    if (lx_options_set(opts, "api_token", api_token, &err) != LX_OK) die("option api_token", err);
    if (lx_options_set(opts, "allow_insecure_loopback", "1", &err) != LX_OK) die("option loopback", err);
    for (; extra && *extra; extra++) {
        char key[64];
        const char *eq = strchr(*extra, '=');
        size_t n = eq ? (size_t)(eq - *extra) : 0;
        if (!eq || n >= sizeof key) {
            fprintf(stderr, "bad option %s (want key=value)\n", *extra);
            exit(2);
        }
        memcpy(key, *extra, n);
        key[n] = 0;
        if (lx_options_set(opts, key, eq + 1, &err) != LX_OK) die("lx_options_set", err);
    }
    if (lx_client_build(opts, &client, &err) != LX_OK) die("lx_client_build", err);
    lx_free(opts);
    return client;
}

/* One GET through the C ABI; returns the body length, exits on error. */
static inline size_t bench_get(const lx_client *client, const char *path) {
    lx_response *resp = NULL;
    lx_error *err = NULL;
    if (lx_get(client, path, &resp, &err) != LX_OK) die("lx_get", err);
    const uint8_t *body = NULL;
    size_t len = 0;
    if (lx_response_body(resp, &body, &len) != LX_OK) die("lx_response_body", NULL);
    lx_free(resp);
    return len;
}

/* A growable array of latencies in nanoseconds. */
typedef struct {
    uint64_t *v;
    size_t n, cap;
} samples;

static inline void samples_push(samples *s, uint64_t x) {
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 65536;
        s->v = realloc(s->v, s->cap * sizeof *s->v);
        if (!s->v) {
            perror("realloc");
            exit(1);
        }
    }
    s->v[s->n++] = x;
}

static inline int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank percentile (0 < p <= 1) of sorted samples, in microseconds. */
static inline double pct_us(const samples *s, double p) {
    if (s->n == 0) return 0.0;
    size_t i = (size_t)(p * (double)s->n + 0.999999999);
    if (i < 1) i = 1;
    if (i > s->n) i = s->n;
    return (double)s->v[i - 1] / 1e3;
}

/* CPU microseconds (user + system) and context switches of the whole process so far. */
static inline void usage_now(double *cpu_us, long *switches) {
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    getrusage(RUSAGE_SELF, &ru);
    *cpu_us = (double)ru.ru_utime.tv_sec * 1e6 + (double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_sec * 1e6 +
              (double)ru.ru_stime.tv_usec;
    *switches = ru.ru_nvcsw + ru.ru_nivcsw;
}

/* A field of /proc/self/status in KiB ("VmRSS", "VmHWM"), or -1. */
static inline long proc_status_kib(const char *field) {
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return -1;
    char line[256];
    long kib = -1;
    size_t n = strlen(field);
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, field, n) == 0 && line[n] == ':') {
            kib = strtol(line + n + 1, NULL, 10);
            break;
        }
    }
    fclose(f);
    return kib;
}

#endif
