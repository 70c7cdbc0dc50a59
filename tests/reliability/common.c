#define _POSIX_C_SOURCE 200809L
#include "common.h"

#include <stdarg.h>
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

static int rt_passed, rt_failed;

int rt_count(int ok) {
    if (ok) {
        rt_passed++;
    } else {
        rt_failed++;
    }
    return ok;
}

void rt_check(int ok, const char *what, const char *fmt, ...) {
    char detail[1024] = "";
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(detail, sizeof detail, fmt, ap);
        va_end(ap);
    }
    printf("%-4s %s%s%s\n", ok ? "ok" : "FAIL", what, detail[0] ? ": " : "", detail);
    fflush(stdout);
    rt_count(ok);
}

int rt_summary(void) {
    printf("%d passed, %d failed\n", rt_passed, rt_failed);
    return rt_failed ? 1 : 0;
}
