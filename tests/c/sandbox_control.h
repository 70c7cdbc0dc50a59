/* A minimal HTTP/1.1 client for the sandbox's control API (/_sandbox/...), for the C tests.
 * Plain sockets on purpose: the tests must not use the library under test to set themselves up. */
#ifndef SANDBOX_CONTROL_H
#define SANDBOX_CONTROL_H

#include <stddef.h>

/* Parses "http://127.0.0.1:PORT" once; returns 0 on success. */
int sb_init(const char *url);

/* The sandbox a test program runs against, from the variables run.sh exports: PREFIX_URL and
 * PREFIX_TOKEN (prefix "LX_SANDBOX" or "LX_ROUTED"), and PREFIX_VIEWER_TOKEN when viewer_token
 * is not NULL; then sb_init on the URL. Returns 0; else -1 after printing on stderr which
 * variables to set (the program then exits with 2). */
int sb_from_env(const char *prefix, const char **url, const char **token, const char **viewer_token);

/* Sends METHOD path with an optional JSON body; stores the body of the answer (NUL-terminated,
 * truncated to cap-1) in out. Returns the HTTP status, or -1 on a transport error. */
int sb_call(const char *method, const char *path, const char *json, char *out, size_t cap);

/* A counter from GET /_sandbox/stats, e.g. sb_counter("token_exchanges"); -1 if absent. */
long sb_counter(const char *name);

/* From GET /_sandbox/stats: responses of `endpoint` ("token", "factSheets", "graphql", ...) with
 * `status` (0: dropped connections, 499: abandoned during a stall); 0 if none, -1 on failure.
 * status -1: every response of the endpoint, whatever its status. */
long sb_requests(const char *endpoint, int status);

/* sb_counter and sb_requests read from a stats body the caller already holds (the answer of
 * GET /_sandbox/stats), so that several counters come from one moment; -1 if `stats` is NULL. */
long sb_stats_counter(const char *stats, const char *name);
long sb_stats_requests(const char *stats, const char *endpoint, int status);

/* POST /_sandbox/faults with the given JSON; returns the HTTP status. */
int sb_fault(const char *json);

/* POST /_sandbox/reset. */
int sb_reset(void);

#endif
