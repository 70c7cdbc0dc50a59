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

/* From a stats body: requests of `endpoint` answered with `status` (0: dropped), or 0. */
long rt_requests(const char *stats, const char *endpoint, int status);

/* From a stats body: a top-level counter ("token_requests", "foreign_requests", ...), or -1. */
long rt_counter(const char *stats, const char *name);

#endif
