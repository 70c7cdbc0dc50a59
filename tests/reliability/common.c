#define _POSIX_C_SOURCE 200809L
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sandbox_control.h"

double rt_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void rt_sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

long rt_rss_kib(void) {
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return -1;
    char line[256];
    long kib = -1;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "VmRSS:", 6) == 0) {
            kib = strtol(line + 6, NULL, 10);
            break;
        }
    }
    fclose(f);
    return kib;
}

lx_client *rt_client(const char *url, const char *api_token, const char *options, int *status) {
    lx_options *opts = NULL;
    lx_client *client = NULL;
    lx_error *err = NULL;
    int st = lx_options_new(&opts, &err);
    if (st == LX_OK) st = lx_options_set(opts, "host", url, &err);
    if (st == LX_OK) st = lx_options_set(opts, "api_token", api_token, &err);
    if (st == LX_OK) st = lx_options_set(opts, "allow_insecure_loopback", "1", &err);
    if (st == LX_OK && options && *options) {
        char buf[1024];
        snprintf(buf, sizeof buf, "%s", options);
        char *save = NULL;
        for (char *pair = strtok_r(buf, ";", &save); pair && st == LX_OK; pair = strtok_r(NULL, ";", &save)) {
            char *eq = strchr(pair, '=');
            if (!eq) {
                fprintf(stderr, "rt_client: bad option %s\n", pair);
                st = LX_ERR_INVALID_ARG;
                break;
            }
            *eq = '\0';
            st = lx_options_set(opts, pair, eq + 1, &err);
        }
    }
    if (st == LX_OK) st = lx_client_build(opts, &client, &err);
    if (st != LX_OK && err) fprintf(stderr, "rt_client: %s: %s\n", lx_status_str(st), lx_error_message(err));
    lx_free(err);
    lx_free(opts);
    if (status) *status = st;
    return st == LX_OK ? client : NULL;
}

const char *rt_stats(void) {
    static char body[1 << 16];
    if (sb_call("GET", "/_sandbox/stats", NULL, body, sizeof body) != 200) return NULL;
    return body;
}

long rt_requests(const char *stats, const char *endpoint, int status) {
    if (!stats) return -1;
    char key[96];
    snprintf(key, sizeof key, "\"%s\":{", endpoint);
    const char *p = strstr(stats, key);
    if (!p) return 0;
    p += strlen(key);
    const char *end = strchr(p, '}');
    char skey[32];
    snprintf(skey, sizeof skey, "\"%d\":", status);
    const char *q = strstr(p, skey);
    if (!q || (end && q > end)) return 0;
    return strtol(q + strlen(skey), NULL, 10);
}

long rt_counter(const char *stats, const char *name) {
    if (!stats) return -1;
    char key[96];
    snprintf(key, sizeof key, "\"%s\":", name);
    const char *p = strstr(stats, key);
    return p ? strtol(p + strlen(key), NULL, 10) : -1;
}
