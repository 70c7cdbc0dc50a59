/* Helpers shared by the reliability tests (fault matrix, soak, lifecycle, TLS): clocks, RSS,
 * sandbox clients with options, and the sandbox's request counters.
 * The sandbox is driven through tests/c/sandbox_control.c (plain sockets, not the library). */
#ifndef LX_RELIABILITY_COMMON_H
#define LX_RELIABILITY_COMMON_H

#include <leanix.h>
#include <stddef.h>

/* Seconds on the monotonic clock. */
double rt_now(void);
void rt_sleep_ms(long ms);

/* VmRSS of this process in KiB (from /proc/self/status), or -1. */
long rt_rss_kib(void);

/* A client for `url` with `api_token`, `allow_insecure_loopback=1`, and extra options given as
 * "key=value" strings separated by ';' (NULL or "" for none). On failure returns NULL and, if
 * `status` is not NULL, stores the status. The one helper of tests/c/test_client.h, by the name
 * the reliability programs use. */
lx_client *rt_client(const char *url, const char *api_token, const char *options, int *status);

/* The whole body of GET /_sandbox/stats into a static buffer (NULL on failure). Not thread-safe. */
const char *rt_stats(void);

/* Counters from that body: sb_stats_requests and sb_stats_counter of tests/c/sandbox_control.h. */

/* Counts one check as passed (ok != 0) or failed, without printing; returns ok. */
int rt_count(int ok);

/* One check: prints "ok   WHAT" or "FAIL WHAT", followed by ": DETAIL" when `fmt` (printf-style)
 * gives a non-empty detail, flushes stdout (programs fork), and counts it. */
void rt_check(int ok, const char *what, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The end of every reliability program: prints "N passed, M failed" (its last line) and returns
 * its exit status, 1 when a check failed. */
int rt_summary(void);

#endif
