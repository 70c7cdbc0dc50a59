#define _POSIX_C_SOURCE 200809L
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sandbox_control.h"
#include "test_client.h"

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
    return tc_client(url, api_token, options, status);
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
