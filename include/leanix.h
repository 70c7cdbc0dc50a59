/*
 * leanix.h -- the C API of libleanix, a LeanIX API client.
 *
 * NAME
 *   libleanix - exchange a LeanIX API token for access tokens, cache and refresh them, and make
 *   authenticated LeanIX API calls, from C, C++, Python (ctypes), Java (JNA, Panama) and friends.
 *
 * SYNOPSIS
 *   #include <leanix.h>
 *   cc app.c $(pkg-config --cflags --libs leanix)
 *
 *   lx_client *client = NULL;
 *   lx_error *err = NULL;
 *   if (lx_client_new("acme.leanix.net", NULL, &client, &err) != LX_OK) {   // token from env
 *       fprintf(stderr, "%s\n", lx_error_message(err));
 *       lx_free(err);
 *       return 1;
 *   }
 *   lx_response *resp = NULL;
 *   if (lx_get(client, "/services/pathfinder/v1/factSheets?pageSize=5", &resp, &err) == LX_OK) {
 *       const uint8_t *body; size_t len;
 *       lx_response_body(resp, &body, &len);
 *       fwrite(body, 1, len, stdout);
 *       lx_free(resp);
 *   } else {
 *       fprintf(stderr, "%s: %s\n", lx_status_str(lx_error_code(err)), lx_error_message(err));
 *       lx_free(err);
 *   }
 *   lx_free(client);
 *
 * WHAT THE LIBRARY DOES FOR YOU
 *   The OAuth2 exchange (POST /services/mtm/v1/oauth2/token with Basic apitoken:<token>), one
 *   exchange in flight per client whatever the number of threads, refresh in the background
 *   before expiry, one replay after a 401, retries of idempotent requests on transient answers
 *   (408, 429, 500, 502, 503, 504) and connection errors (honouring Retry-After), a deadline on
 *   every call, bounded response bodies, redirects only within the configured host, and no
 *   credential in any message it produces. The defaults are the LX_DEFAULT_* constants below.
 *
 * ORDER OF THIS HEADER
 *   Types first (status codes, event kinds, flags, opaque handles, callbacks), then the
 *   functions by lifecycle: versions and status names; options (lx_options_*, with the event
 *   callback); the client (lx_client_*) and its blocking calls (lx_get, lx_request, lx_graphql,
 *   ...); per-call options (lx_call_options_*) with the calls that take them (*_with) and their
 *   asynchronous forms (*_start); cancellation (lx_cancel_*); page walks (lx_graphql_pages_*,
 *   lx_rest_pages_*); the Integration API and writes (lx_ldif_*, lx_update_fact_sheet); PULL
 *   webhooks and routing (lx_webhooks_*, lx_api_origin); responses (lx_response_*); errors
 *   (lx_error_*); lx_stop_callbacks(); lx_free(). scripts/check-header.sh checks this order.
 *
 * CONVENTIONS
 *   Status codes. Every function that can fail returns an int32_t status: LX_OK (0) on success,
 *   one of the LX_ERR_* codes otherwise. Codes are stable and never reused; lx_status_str() names
 *   them. Functions marked LX_MUST_USE produce outputs that are written only on success: read
 *   their status.
 *
 *   Errors. Functions that make calls or objects take a last argument `lx_error **err`. It may be
 *   NULL if the caller wants the status only. Otherwise, on failure, *err receives a new error
 *   object (code, message, HTTP status, OAuth error, Retry-After, and for a failed call the
 *   server's response and GraphQL errors) that the caller owns and releases with lx_free(); on
 *   success *err is not written. Accessors of responses and errors (lx_response_body(),
 *   lx_error_response(), ...) return a status only. There is no thread-local "last error".
 *
 *   Outputs. Output parameters (`out_*`) are written only on success.
 *
 *   Ownership. "Owned" results belong to the caller and are released with lx_free(), the one
 *   destructor for everything the library hands out (clients, options, call options, cancel
 *   handles, page walks, responses, errors, strings). lx_free(NULL) does nothing. Objects are
 *   handles that are never reused: a second lx_free() of a handle, or one the library does not
 *   know, is ignored, and a freed handle passed to any function gives LX_ERR_INVALID_ARG. Owned
 *   strings are plain memory: free each exactly once. "Borrowed" results stay valid until the
 *   object they were borrowed from is freed; never free them.
 *
 *   Strings. Strings in and out are UTF-8 and NUL-terminated; invalid UTF-8 is rejected with
 *   LX_ERR_INVALID_ARG. Bodies are bytes with a length and may contain NUL bytes. A NULL
 *   required pointer gives LX_ERR_NULL_ARG. Lengths above PTRDIFF_MAX give LX_ERR_INVALID_ARG.
 *
 *   Failed calls. A non-2xx answer is an error (LX_ERR_HTTP, LX_ERR_FORBIDDEN, ...) whose
 *   message quotes the server's words and whose lx_error_response() is the whole answer
 *   (status, headers, body), so a failed write's explanation is never lost. GraphQL errors
 *   (LX_ERR_GRAPHQL, sent by LeanIX with HTTP 200) come with lx_error_graphql_json(): every
 *   error with its extensions.errorType, and the partial data.
 *
 * TIME AND CANCELLATION
 *   Every call has a deadline: the client's `request_timeout_ms` (LX_DEFAULT_REQUEST_TIMEOUT_MS),
 *   or per call lx_call_options_set_timeout_ms(). It covers the token exchange, every attempt
 *   and every wait between attempts; at the deadline the call returns LX_ERR_TIMEOUT. A call
 *   given an lx_cancel returns LX_ERR_CANCELLED within milliseconds of lx_cancel_fire(), which
 *   any thread and any signal handler may call.
 *
 * THREAD SAFETY
 *   An lx_client is thread-safe: any number of threads may make calls on one client at the
 *   same time. They share one token cache (one exchange in flight, whatever the number of
 *   threads). A blocking call runs its request on the calling thread, on a small I/O runtime
 *   and connection pool of that thread's own; token exchanges and asynchronous calls run on
 *   the library's own I/O threads (2 to 4 per process). Calling from threads of other runtimes
 *   (a JVM, Python, a tokio program) is fine.
 *   Asynchronous calls (every *_start function: lx_request_start(), lx_graphql_start(),
 *   lx_graphql_pages_next_start(), lx_rest_pages_next_start(), lx_update_fact_sheet_start(),
 *   lx_ldif_run_start(), lx_ldif_wait_start()) return at once; their completion callback runs
 *   on a library I/O thread, exactly once.
 *   Callbacks (event and completion) must not block for long. A blocking call from inside any
 *   library callback returns LX_ERR_RECURSIVE_CALL at once (it would wait for itself);
 *   starting an asynchronous call from a callback is fine.
 *   Freeing or closing a client while other threads are inside calls on it is safe: those
 *   calls return LX_ERR_CANCELLED promptly (asynchronous ones through their callback), and
 *   later calls with the freed handle return LX_ERR_INVALID_ARG.
 *   Every other object (options, call options, responses, errors, page walks) may be used from
 *   any thread, one call at a time per object; what it lends out belongs to it.
 *
 * FORK
 *   A client created before fork() returns LX_ERR_FORKED in the child (its I/O threads do not
 *   exist there); clients created in the child work normally. Free the inherited client with
 *   lx_free() as usual. The library's own locks are held across fork() and released in both
 *   processes, so the child never inherits a lock held by a thread that does not exist there.
 *
 * PANICS
 *   An internal bug never unwinds into your code: every function catches it and returns
 *   LX_ERR_PANIC (functions that return no status return their documented default).
 *
 * UNLOADING
 *   The library is linked with -z nodelete; do not expect dlclose() to unload it.
 */

#ifndef LEANIX_H
#define LEANIX_H

/* Generated by cbindgen from ffi/src (do not edit by hand): see ffi/build.rs. */

#include <stddef.h>
#include <stdint.h>

/** Version of this header, as in Cargo.toml; compare with lx_version() at run time. */
#define LX_VERSION_MAJOR 0
#define LX_VERSION_MINOR 1
#define LX_VERSION_PATCH 0
#define LX_VERSION_STRING "0.1.0"
/** (major << 16) | (minor << 8) | patch */
#define LX_VERSION_NUMBER ((0 << 16) | (1 << 8) | 0)

#if defined(__GNUC__) || defined(__clang__)
#define LX_MUST_USE __attribute__((warn_unused_result))
#else
#define LX_MUST_USE
#endif


// The ABI generation: bumped on any incompatible change of the C API. Bindings check it at load.
#define LX_ABI_VERSION 1

// Default of `connect_timeout_ms`.
#define LX_DEFAULT_CONNECT_TIMEOUT_MS 5000

// Default of `token_timeout_ms` (one token-exchange attempt).
#define LX_DEFAULT_TOKEN_TIMEOUT_MS 10000

// Default of `request_timeout_ms`: the deadline of a whole call.
#define LX_DEFAULT_REQUEST_TIMEOUT_MS 60000

// Default of `max_attempts` (per API call, the first included).
#define LX_DEFAULT_MAX_ATTEMPTS 3

// Default of `token_attempts` (per token exchange).
#define LX_DEFAULT_TOKEN_ATTEMPTS 3

// Default of `retry_base_delay_ms`; also the shortest wait a `Retry-After` is raised to.
#define LX_DEFAULT_RETRY_BASE_DELAY_MS 200

// Default of `retry_max_delay_ms`.
#define LX_DEFAULT_RETRY_MAX_DELAY_MS 5000

// Default of `max_retry_after_ms`: a longer `Retry-After` ends the call at once.
#define LX_DEFAULT_MAX_RETRY_AFTER_MS 60000

// Default of `refresh_ahead` (fraction of the token lifetime).
#define LX_DEFAULT_REFRESH_AHEAD 0.75

// Default of `expiry_margin_ms` (the hard margin is the smaller of this and 10 % of the
// lifetime).
#define LX_DEFAULT_EXPIRY_MARGIN_MS 60000

// Default of `failed_refresh_backoff_ms`.
#define LX_DEFAULT_FAILED_REFRESH_BACKOFF_MS 30000

// Default of `invalid_credentials_ttl_ms`.
#define LX_DEFAULT_INVALID_CREDENTIALS_TTL_MS 5000

// Default of `max_response_bytes` (256 MiB).
#define LX_DEFAULT_MAX_RESPONSE_BYTES 268435456

// Default of `reauth_interval_ms`: at most one 401-triggered exchange per interval.
#define LX_DEFAULT_REAUTH_INTERVAL_MS 10000

// Default of `max_pages`.
#define LX_DEFAULT_MAX_PAGES 10000

// Deadline of lx_ldif_run() when its options set none: creation, every status poll, the
// warnings and the results.
#define LX_DEFAULT_LDIF_RUN_TIMEOUT_MS 1800000

// How often lx_update_fact_sheet() re-reads `rev` and writes again after a `REVISION_CLASH`.
#define LX_DEFAULT_REVISION_CLASH_RETRIES 3

// The most lx_call_options_set_revision_clash_retries() accepts.
#define LX_MAX_REVISION_CLASH_RETRIES 10

// The first wait of lx_webhooks_fetch_wait() after an empty batch; it doubles while batches
// stay empty, up to `LX_DEFAULT_WEBHOOK_IDLE_MAX_MS`.
#define LX_DEFAULT_WEBHOOK_IDLE_MIN_MS 1000

// The longest wait of lx_webhooks_fetch_wait() between two empty batches.
#define LX_DEFAULT_WEBHOOK_IDLE_MAX_MS 30000

// The status every fallible function returns. `LX_OK` is 0; errors are positive and stable.
enum lx_status
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : int32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
  // Success.
  LX_OK = 0,
  // A required pointer argument was NULL.
  LX_ERR_NULL_ARG = 1,
  // An argument is invalid: not UTF-8, a NUL inside a length-delimited string, a length above
  // PTRDIFF_MAX, an unknown option key, a bad method or header, a pointer the library does
  // not know (e.g. already freed), or an index out of range.
  LX_ERR_INVALID_ARG = 2,
  // The configuration is invalid (no host, empty API token, http:// to a remote host, ...).
  LX_ERR_CONFIG = 3,
  // The token endpoint rejected the API token (HTTP 400/401/403 on the exchange).
  LX_ERR_INVALID_CREDENTIALS = 4,
  // The API answered 401 even after a fresh token and one replay, or within
  // `reauth_interval_ms` of the last exchange a 401 caused (then without a new exchange).
  LX_ERR_UNAUTHORIZED = 5,
  // The API answered 403: the API token's user lacks the permission.
  LX_ERR_FORBIDDEN = 6,
  // The API answered 429 (see lx_error_retry_after_ms()), or the call was not sent: a 429
  // (or a 503 with Retry-After) seen by any call holds every call of the client until the
  // server's retry time, and the client paces itself (adaptive pacing,
  // `max_requests_per_minute`); a call that would have to wait past its deadline fails at
  // once (HTTP status 0, no response on the error; lx_error_retry_after_ms() gives the
  // wait). The hold and the pace belong to the client: a new client starts without them.
  LX_ERR_RATE_LIMITED = 7,
  // The API answered another unsuccessful HTTP status (see lx_error_http_status()).
  LX_ERR_HTTP = 8,
  // A connect, token or request timeout elapsed.
  LX_ERR_TIMEOUT = 9,
  // The connection could not be made or broke.
  LX_ERR_CONNECT = 10,
  // The TLS handshake failed (untrusted certificate, wrong name).
  LX_ERR_TLS = 11,
  // The server's answer is not what LeanIX sends (e.g. a token response without a token).
  LX_ERR_INVALID_RESPONSE = 12,
  // A GraphQL response carried errors (HTTP 200 with a non-empty `errors` array).
  LX_ERR_GRAPHQL = 13,
  // A redirect to another origin was refused (credentials never leave the configured host).
  LX_ERR_REDIRECT = 14,
  // The call was cancelled: its lx_cancel fired, or its client was closed or freed.
  LX_ERR_CANCELLED = 15,
  // The client was created in the parent process before fork(); create a new one.
  LX_ERR_FORKED = 16,
  // An internal error (a bug) was caught at the library boundary.
  LX_ERR_PANIC = 17,
  // The item asked for does not exist (e.g. a response header that is absent, or an error
  // without a response).
  LX_ERR_NOT_FOUND = 18,
  // The response body is larger than `max_response_bytes`, or a paging walk has more pages
  // than `max_pages`.
  LX_ERR_TOO_LARGE = 19,
  // A blocking call was made from inside a library callback (an event or completion
  // callback), where it would wait for itself. Start it asynchronously or from another
  // thread.
  LX_ERR_RECURSIVE_CALL = 20,
  // An LDIF run ended `FAILED` or `STOPPED`, or finished with `ERROR` warnings. The run's
  // result (id, status, progress, warnings) is in lx_error_run_json().
  LX_ERR_RUN_FAILED = 21,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum lx_status lx_status;
#else
typedef int32_t lx_status;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

// Kinds of events passed to an `lx_event_callback`.
enum lx_event_kind
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : int32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
  // A token was exchanged because a request needed one (cold cache or expired token).
  LX_EVENT_TOKEN_FETCHED = 1,
  // A token was exchanged in the background ahead of expiry (no request waited).
  LX_EVENT_TOKEN_REFRESHED = 2,
  // A token exchange failed after its retries (details say whether in the background).
  LX_EVENT_TOKEN_FAILED = 3,
  // The API answered 401 and the current token was dropped.
  LX_EVENT_TOKEN_REJECTED = 4,
  // A token exchange or API request is retried after a delay.
  LX_EVENT_RETRY = 5,
  // The client started pacing itself after a 429, slowed down, or stopped pacing
  // (details: `started`, `requests_per_minute`, null when not paced).
  LX_EVENT_PACING = 6,
  // A token was taken from the token cache file, no exchange (details: `fingerprint`,
  // `expires_in_ms`).
  LX_EVENT_TOKEN_LOADED = 7,
  // The token cache file or its directory was not used: a warning (details: `path`,
  // `reason`, e.g. `has mode 0644, which lets other users read it ...; ignored`).
  LX_EVENT_TOKEN_CACHE_IGNORED = 8,
  // A new access token's `instanceUrl` names another origin within the routing rule: API
  // calls go there from now on (details: `origin`).
  LX_EVENT_INSTANCE_ROUTED = 9,
  // A new access token's `instanceUrl` is outside the routing rule and was ignored; calls
  // stay on the configured host (details: `instance_url`, `reason`).
  LX_EVENT_INSTANCE_REFUSED = 10,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum lx_event_kind lx_event_kind;
#else
typedef int32_t lx_event_kind;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

// Flags of lx_request() and lx_request_with().
enum lx_request_flags
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : int32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
  // No flags.
  LX_REQUEST_DEFAULT = 0,
  // The request may be retried on transient answers (408, 429, 500, 502, 503, 504) and
  // connection errors although its method is not idempotent (e.g. a POST of a GraphQL
  // query). GET, HEAD, OPTIONS, TRACE, PUT and DELETE are always retried.
  LX_REQUEST_RETRY_SAFE = 1,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum lx_request_flags lx_request_flags;
#else
typedef int32_t lx_request_flags;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

// Flags of lx_ldif_run() (bits, combined with `|`).
enum lx_ldif_flags
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : int32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
  // A real run, waited for; the output LDIF fetched for outbound runs.
  LX_LDIF_DEFAULT = 0,
  // A test run: processed, with warnings and counts, but nothing changes in the workspace.
  LX_LDIF_TEST = 1,
  // Return as soon as the run is started (the result has its first status). For
  // lx_ldif_wait(): poll the run's status once and return it.
  LX_LDIF_NO_WAIT = 2,
  // lx_ldif_wait() only: also fetch the run's output LDIF at its end (asking again while the
  // answer is `204`), for an outbound run; lx_ldif_wait() cannot know the run's direction.
  LX_LDIF_RESULTS = 4,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum lx_ldif_flags lx_ldif_flags;
#else
typedef int32_t lx_ldif_flags;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

// Flags of lx_update_fact_sheet() (bits, combined with `|`).
enum lx_update_flags
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : int32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
  // A real write.
  LX_UPDATE_DEFAULT = 0,
  // `validateOnly`: answer what the write would give, store nothing.
  LX_UPDATE_VALIDATE_ONLY = 1,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum lx_update_flags lx_update_flags;
#else
typedef int32_t lx_update_flags;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

// Opaque per-call options: a deadline, a cancellation handle, a GraphQL operation name, the
// `REVISION_CLASH` retries of a fact-sheet update.
// Create with lx_call_options_new(), pass to the `*_with` and `*_start` calls (as many as you
// like; each call copies what it needs), release with lx_free().
// Thread safety: any thread, one call at a time per object.
typedef struct lx_call_options lx_call_options;

// Opaque cancellation handle. Create with lx_cancel_new(), give it to calls through
// lx_call_options_set_cancel(), fire it with lx_cancel_fire(), release it with lx_free().
// Thread safety: any thread may fire it, also from a signal handler.
typedef struct lx_cancel lx_cancel;

// Opaque, thread-safe LeanIX client: one token cache shared by every thread that uses it
// (a blocking call runs its request on the calling thread, with that thread's own
// connection pool). Create with lx_client_new() or lx_client_build(); release with lx_free().
typedef struct lx_client lx_client;

// Opaque error object: code, message, HTTP status, OAuth error, Retry-After, and for failed
// calls the server's response and GraphQL errors. Owned by the caller; release with
// lx_free(). Thread safety: any thread, but its borrowed strings belong to it.
typedef struct lx_error lx_error;

// Opaque walk over the pages of a cursor-paged GraphQL query, holding one page in memory at
// a time. Create with lx_graphql_pages_new(), read pages with lx_graphql_pages_next()
// (waiting) or lx_graphql_pages_next_start() (a completion callback), release with lx_free().
// Thread safety: any thread, one call at a time per object.
typedef struct lx_graphql_pages lx_graphql_pages;

// Opaque client settings. Create with lx_options_new(), set keys with lx_options_set(), build
// clients with lx_client_build() (as many as you like), release with lx_free().
// Thread safety: any thread, one call at a time per object (calls on one object from several
// threads are serialised, not corrupted).
typedef struct lx_options lx_options;

// Opaque response: of a successful call (owned by the caller; release with lx_free()), or
// borrowed from a failed call's lx_error (lx_error_response()).
// Thread safety: any thread; what it lends out belongs to it.
typedef struct lx_response lx_response;

// Opaque walk over the pages of a paged REST list, holding one page in memory at a time.
// Create with lx_rest_pages_new(), read pages with lx_rest_pages_next() (waiting) or
// lx_rest_pages_next_start() (a completion callback), release with lx_free(). Thread safety:
// any thread, one call at a time per object.
typedef struct lx_rest_pages lx_rest_pages;

// An event callback: `kind` is an `lx_event_kind`, `details_json` a NUL-terminated JSON object
// with the event's fields (e.g. `{"event":"retry","target":"api","attempt":1,"delay_ms":200,
// "reason":"503"}`), borrowed for the duration of the call only. Details never contain a
// credential; tokens appear only as 8-hex-digit SHA-256 fingerprints.
//
// Threads: token events (fetched, refreshed, failed) are called on one of the library's I/O
// threads; retry, token-rejected and pacing events of an API call are called on the thread
// that drives that call (the caller's own thread for blocking calls), from inside it. Calls
// may happen on several threads at once, never while the library holds an internal lock.
// Return quickly; a blocking lx_* call from inside the callback returns
// `LX_ERR_RECURSIVE_CALL` instead of waiting for itself.
typedef void (*lx_event_callback)(void *userdata, int32_t kind, const char *details_json);

// The completion callback of an asynchronous call: `status` is `LX_OK` with an owned
// `response` (release it with lx_free(); `error` is NULL), or an `LX_ERR_*` with an owned
// `error` (release it with lx_free(); `response` is NULL).
//
// Threads: it runs on one of the library's I/O threads, exactly once per started call,
// also when the client is closed or freed first (then with `LX_ERR_CANCELLED`), never while
// the library holds an internal lock. Keep it
// short; it may start further asynchronous calls, but a blocking call from inside it returns
// `LX_ERR_RECURSIVE_CALL` at once instead of waiting for itself.
typedef void (*lx_completion_callback)(void *userdata,
                                       int32_t status,
                                       struct lx_response *response,
                                       struct lx_error *error);

#ifdef __cplusplus
extern "C" {
#endif // __cplusplus

// The library version (`"0.1.0"`), as in Cargo.toml and `LX_VERSION_STRING`.
//
// Ownership: a static string; never free it. Thread safety: any thread.
const char *lx_version(void);

// The ABI generation of the loaded library (`LX_ABI_VERSION`). A binding built for ABI N must
// refuse to run when this returns something else.
//
// Thread safety: any thread.
uint32_t lx_abi_version(void);

// The name of a status code (`"LX_ERR_TIMEOUT"`), or `"LX_ERR_UNKNOWN"` for a number that is
// not a status.
//
// Ownership: a static string; never free it. Thread safety: any thread.
const char *lx_status_str(int32_t status);

// Creates an options object with the defaults; host and API token default to `LEANIX_HOST` and
// `LEANIX_API_TOKEN` from the environment, and `insecure_loopback` to `LEANIX_INSECURE_LOOPBACK`
// (read now; a value of it that is not `1`/`0` fails lx_client_build() with `LX_ERR_CONFIG`).
//
// Ownership: `*out_options` is owned by the caller; release with lx_free().
// Thread safety: any thread.
LX_MUST_USE lx_status lx_options_new(struct lx_options **out_options, struct lx_error **err);

// Sets one option. Keys (values are strings; defaults are the `LX_DEFAULT_*` constants, and
// lx_options_default() returns them at run time):
//
// | key | value |
// |-----|-------|
// | `host` | `acme.leanix.net`, `https://acme.leanix.net` or a workspace URL |
// | `api_token` | the API token (kept in zeroed-on-free memory) |
// | `insecure_loopback` | `1`/`0`: allow `http://` to 127.0.0.1/localhost (tests, sandbox); default `LEANIX_INSECURE_LOOPBACK` from the environment, else `0` |
// | `allow_insecure_loopback` | the older spelling of `insecure_loopback`, kept working |
// | `connect_timeout_ms` | connect timeout (`LX_DEFAULT_CONNECT_TIMEOUT_MS`) |
// | `token_timeout_ms` | one token-exchange attempt (`LX_DEFAULT_TOKEN_TIMEOUT_MS`) |
// | `request_timeout_ms` | deadline of a whole call: exchange, attempts and waits (`LX_DEFAULT_REQUEST_TIMEOUT_MS`) |
// | `proxy` | `http://` or `https://` proxy for all requests (default: `HTTPS_PROXY`, else `ALL_PROXY`, and `NO_PROXY`; one of another scheme fails the build with `LX_ERR_CONFIG`); refused with an `http://` host |
// | `ca_file` | path of a PEM file (a regular file) of extra CA certificates to trust |
// | `ca_pem` | PEM text of extra CA certificates to trust |
// | `user_agent` | the User-Agent header |
// | `max_attempts`, `token_attempts` | 1..10 (`LX_DEFAULT_MAX_ATTEMPTS`, `LX_DEFAULT_TOKEN_ATTEMPTS`) |
// | `retry_base_delay_ms`, `retry_max_delay_ms`, `max_retry_after_ms` | backoff (`LX_DEFAULT_RETRY_BASE_DELAY_MS`, ...) |
// | `refresh_ahead` | fraction of the token lifetime after which to refresh in the background (`LX_DEFAULT_REFRESH_AHEAD`) |
// | `refresh_on_expiry_only` | `1`: no refresh ahead (requests wait at expiry; for comparisons); `0`: refresh ahead at the configured fraction |
// | `invalid_credentials_ttl_ms`, `failed_refresh_backoff_ms`, `expiry_margin_ms` | token cache policy |
// | `max_response_bytes` | largest response body read (`LX_DEFAULT_MAX_RESPONSE_BYTES`); larger is `LX_ERR_TOO_LARGE`, except a non-2xx answer's, cut there and kept on its error |
// | `adaptive_pacing` | `1`/`0`: after a 429, pace requests at a rate that recovers gradually (default `1`) |
// | `max_requests_per_minute` | never more requests per minute from this client, all threads together (`0`, the default: no fixed limit) |
// | `reauth_interval_ms` | at most one 401-triggered token exchange per interval (`LX_DEFAULT_REAUTH_INTERVAL_MS`) |
// | `max_pages` | most pages a paging walk (GraphQL or REST) fetches (`LX_DEFAULT_MAX_PAGES`) |
// | `token_cache` | `1`/`0`: share the access token with other processes of this user through a file (default `0`; see below) |
// | `token_cache_dir` | turns the token cache on, with its file in this directory (created `0700` if missing) |
// | `route_by_instance_url` | `1`/`0`: API calls go to the access token's `instanceUrl` when it is `https://` under the host's registrable domain or allowed (default `1`); the token endpoint stays the host |
// | `allowed_instance_hosts` | comma-separated host names routing may also go to, whatever their domain (each setting adds) |
//
// The token cache: one file per host and API token (named by a hash of both) in
// `$XDG_RUNTIME_DIR/leanix/` if that directory exists, else `$XDG_CACHE_HOME/leanix/`, else
// `~/.cache/leanix/`, or in `token_cache_dir`. The directory is `0700`, the file `0600`, written
// atomically; a file or directory of another user, with a looser mode, or corrupt, is not used
// (`LX_EVENT_TOKEN_CACHE_IGNORED`). Processes that need a token together take a lock beside the
// file and make one exchange between them; a token taken from the file is
// `LX_EVENT_TOKEN_LOADED`. The file holds a bearer token at rest, readable by anything running
// as the same user; lx_forget_token() removes it.
//
// Returns `LX_ERR_INVALID_ARG` for an unknown key or a value of the wrong form (the message
// names it). Values are validated together when the client is built.
// Thread safety: any thread, one call at a time per object.
lx_status lx_options_set(struct lx_options *options,
                         const char *key,
                         const char *value,
                         struct lx_error **err);

// The default value of option `key`, as lx_options_set() takes it (`"5000"` for
// `connect_timeout_ms`), for bindings that document or show the defaults without copying
// them. `LX_ERR_NOT_FOUND` for keys without a default (`host`, `proxy`, ...),
// `LX_ERR_INVALID_ARG` for unknown keys.
//
// Ownership: `*out_value` is a static string; never free it. Thread safety: any thread.
lx_status lx_options_default(const char *key, const char **out_value);

// Registers an event callback for clients built from these options (NULL removes it).
// `userdata` is passed back untouched; it must stay valid until each such client is closed
// or freed: once lx_client_close() or lx_free() of a client returns, no event callback of
// that client runs any more (they wait for callbacks in progress on other threads, so do not
// hold a lock there that your callback takes). See `lx_event_callback` for the threads it
// runs on.
// Thread safety: any thread, one call at a time per object.
lx_status lx_options_set_event_callback(struct lx_options *options,
                                        lx_event_callback callback,
                                        void *userdata,
                                        struct lx_error **err);

// Creates a client for `host` with `api_token`, with default settings.
//
// `host`: `acme.leanix.net`, `https://acme.leanix.net` or a workspace URL; NULL reads the
// environment variable `LEANIX_HOST`. `api_token`: the technical user's API token; NULL reads
// `LEANIX_API_TOKEN`. `LEANIX_INSECURE_LOOPBACK=1` in the environment allows `http://` to a
// loopback host (the sandbox). Nothing goes over the network until the first call. For other
// settings (timeouts, proxy, CA certificates) use lx_options_new() and lx_client_build().
//
// Errors: `LX_ERR_CONFIG` (missing or invalid host or token), `LX_ERR_INVALID_ARG` (not UTF-8).
// Ownership: `*out_client` is owned by the caller; release with lx_free().
// Thread safety: any thread.
LX_MUST_USE
lx_status lx_client_new(const char *host,
                        const char *api_token,
                        struct lx_client **out_client,
                        struct lx_error **err);

// Creates a client from options (see lx_options_set()). The options are not consumed: free them
// with lx_free() when no more clients are to be built from them.
//
// Errors: `LX_ERR_CONFIG` with a message naming the wrong setting.
// Ownership: `*out_client` is owned by the caller; release with lx_free().
// Thread safety: any thread.
LX_MUST_USE
lx_status lx_client_build(const struct lx_options *options,
                          struct lx_client **out_client,
                          struct lx_error **err);

// Closes a client without releasing it: calls other threads are making on it (blocking and
// asynchronous) return `LX_ERR_CANCELLED` promptly, its background token refresh stops, and
// every later call on it returns `LX_ERR_CANCELLED`. Idempotent. Its event callback does not
// run after this returns (callbacks in progress on other threads are waited for).
//
// The handle stays valid until lx_free(). (Handles are never reused, so freeing right away
// is safe too: later calls with the freed handle return `LX_ERR_INVALID_ARG`.)
// Thread safety: any thread.
lx_status lx_client_close(const struct lx_client *client, struct lx_error **err);

// `GET path` on the client's host with a valid bearer token. `path` may carry a query string
// (`/services/pathfinder/v1/factSheets?pageSize=10`).
//
// Blocks until the response, at most until the call's deadline (the `request_timeout_ms`
// option: token exchange, retries and their waits included; lx_request_with() sets it per
// call). Token exchange, refresh, one replay after 401 and retries happen inside. Errors: any
// `LX_ERR_*`; a non-2xx answer is an error whose lx_error_http_status() is the status and
// whose lx_error_response() is the server's answer.
// Ownership: `*out_response` is owned by the caller; release with lx_free().
// Thread safety: any thread, concurrently with other calls on the same client; not from
// inside a library callback (`LX_ERR_RECURSIVE_CALL`).
LX_MUST_USE
lx_status lx_get(const struct lx_client *client,
                 const char *path,
                 struct lx_response **out_response,
                 struct lx_error **err);

// Any request: `method` (`"GET"`, `"POST"`, `"PATCH"`, ...), `path` (with optional query),
// `headers` (NULL or `headers_len` bytes of `Name: value` lines separated by `\n` or `\r\n`;
// `Authorization`, `Host` and the framing headers `Content-Length`, `Transfer-Encoding`,
// `Connection`, `Upgrade` and `TE` are refused with `LX_ERR_INVALID_ARG`), `body` (NULL or
// `body_len` bytes, binary-safe), `flags` (`LX_REQUEST_DEFAULT` or `LX_REQUEST_RETRY_SAFE`).
// The same as lx_request_with() without per-call options.
//
// Ownership: `*out_response` is owned by the caller; release with lx_free().
// Thread safety: as lx_get().
LX_MUST_USE
lx_status lx_request(const struct lx_client *client,
                     const char *method,
                     const char *path,
                     const char *headers,
                     size_t headers_len,
                     const uint8_t *body,
                     size_t body_len,
                     int32_t flags,
                     struct lx_response **out_response,
                     struct lx_error **err);

// Runs a GraphQL query (or mutation) against `/services/pathfinder/v1/graphql` and returns its
// `data` as JSON text. `variables_json`: NULL or a JSON object. Queries are retried like GETs;
// mutations (and documents that do not parse) are not. A response with a non-empty `errors`
// array is `LX_ERR_GRAPHQL`: its message quotes the first errors, lx_error_graphql_json()
// gives them all with the partial `data`. lx_graphql_with() takes per-call options.
//
// Ownership: `*out_json` (NUL-terminated, `*out_len` bytes without the NUL; `out_len` may be
// NULL) is owned by the caller; release with lx_free().
// Thread safety: as lx_get().
LX_MUST_USE
lx_status lx_graphql(const struct lx_client *client,
                     const char *query,
                     const char *variables_json,
                     char **out_json,
                     size_t *out_len,
                     struct lx_error **err);

// Walks every page of a cursor-paged GraphQL query and returns the `edges` of all pages as one
// JSON array. The paging rule (the same on every surface): the query declares `$after` and
// selects `pageInfo { hasNextPage endCursor }` on its connection, or the call fails with
// `LX_ERR_INVALID_ARG` before any request; a page without `pageInfo`, `hasNextPage` without
// `endCursor` or a repeated cursor is `LX_ERR_INVALID_RESPONSE`; more than `max_pages` pages
// is `LX_ERR_TOO_LARGE`. To hold one page at a time, use lx_graphql_pages_new().
//
// Page size: LeanIX advises at most 1 000 fact sheets a page (`first: 1000`); a single
// unpaged query stops near 15 000 to 18 000 nodes, so page anything larger.
//
// Ownership: `*out_json` is owned by the caller; release with lx_free().
// Thread safety: as lx_get().
LX_MUST_USE
lx_status lx_graphql_all(const struct lx_client *client,
                         const char *query,
                         const char *variables_json,
                         char **out_json,
                         size_t *out_len,
                         struct lx_error **err);

// A current access token (exchanging one if the cache is empty, within the request timeout),
// for tools of your own that need `Authorization: Bearer`. lx_access_token_with() takes a
// deadline and a cancel handle.
//
// Ownership: `*out_token` (NUL-terminated) is owned by the caller; release with lx_free(), which
// zeroes it. Treat it as a secret.
// Thread safety: as lx_get().
LX_MUST_USE
lx_status lx_access_token(const struct lx_client *client,
                          char **out_token,
                          struct lx_error **err);

// lx_access_token() with per-call `options` (NULL: none): the deadline (default the request
// timeout) bounds the whole wait, an exchange and its retries included (`LX_ERR_TIMEOUT`), and
// the cancel handle ends it (`LX_ERR_CANCELLED`); an exchange the call started goes on for the
// client's other callers. The operation name is ignored.
//
// Ownership: `*out_token` is owned by the caller; release with lx_free(), which zeroes it.
// Thread safety: as lx_get().
LX_MUST_USE
lx_status lx_access_token_with(const struct lx_client *client,
                               const struct lx_call_options *options,
                               char **out_token,
                               struct lx_error **err);

// Forgets the access token: drops it from the client's memory and, if the client shares it
// through the token cache (option `token_cache`), removes the file. The next call exchanges.
// `*out_removed` (may be NULL) is set to 1 if a file was removed, else 0.
//
// Thread safety: as lx_get(); waits while another process holds the file's lock.
LX_MUST_USE
lx_status lx_forget_token(const struct lx_client *client,
                          int32_t *out_removed,
                          struct lx_error **err);

// The decoded (not verified) claims of a current access token as a JSON object: `sub`, `exp`,
// `iss`, `jti`, `instanceUrl`, `region`, `principal{username, role, permission{workspaceId,
// workspaceName, role, status}, ...}`, so nobody needs to paste a token into a web debugger.
// `null` if LeanIX issued an opaque (non-JWT) token. Waits for an exchange as
// lx_access_token() does.
//
// Ownership: `*out_json` (NUL-terminated) is owned by the caller; release with lx_free().
// Thread safety: as lx_get().
LX_MUST_USE
lx_status lx_claims_json(const struct lx_client *client,
                         char **out_json,
                         struct lx_error **err);

// lx_claims_json() with per-call `options` (NULL: none), whose deadline and cancel handle
// apply as for lx_access_token_with().
//
// Ownership: `*out_json` is owned by the caller; release with lx_free().
// Thread safety: as lx_get().
LX_MUST_USE
lx_status lx_claims_json_with(const struct lx_client *client,
                              const struct lx_call_options *options,
                              char **out_json,
                              struct lx_error **err);

// Creates per-call options with nothing set (the client's request timeout, no cancellation).
//
// Ownership: `*out_options` is owned by the caller; release with lx_free().
// Thread safety: any thread.
LX_MUST_USE
lx_status lx_call_options_new(struct lx_call_options **out_options,
                              struct lx_error **err);

// The deadline of the call, in milliseconds from its start: token exchange, every attempt
// and every backoff or Retry-After wait must fit, or the call returns `LX_ERR_TIMEOUT` at the
// deadline. A wait the server asks for that would pass the deadline ends the call at once
// with the server's error. `0` restores the client's `request_timeout_ms`.
//
// Thread safety: any thread, one call at a time per object.
lx_status lx_call_options_set_timeout_ms(struct lx_call_options *options,
                                         uint64_t timeout_ms,
                                         struct lx_error **err);

// Ends the call with `LX_ERR_CANCELLED` when `cancel` fires (NULL: no cancellation). The call
// keeps its own reference: `cancel` may be freed before the call ends.
//
// Thread safety: any thread, one call at a time per object.
lx_status lx_call_options_set_cancel(struct lx_call_options *options,
                                     const struct lx_cancel *cancel,
                                     struct lx_error **err);

// The GraphQL `operationName`: which operation of a document with several to run (NULL:
// none). Ignored by calls that are not GraphQL.
//
// Thread safety: any thread, one call at a time per object.
lx_status lx_call_options_set_operation_name(struct lx_call_options *options,
                                             const char *operation_name,
                                             struct lx_error **err);

// How often lx_update_fact_sheet() and lx_update_fact_sheet_start() re-read `rev` and write
// again after a `REVISION_CLASH` (someone else saved the fact sheet in between): from 0 (never:
// the first clash is `LX_ERR_GRAPHQL`) to `LX_MAX_REVISION_CLASH_RETRIES`; `-1` restores the
// default, `LX_DEFAULT_REVISION_CLASH_RETRIES`. Any other value is `LX_ERR_INVALID_ARG` and
// leaves the options as they were. Ignored by every other call.
//
// Thread safety: any thread, one call at a time per object.
lx_status lx_call_options_set_revision_clash_retries(struct lx_call_options *options,
                                                     int32_t retries,
                                                     struct lx_error **err);

// lx_request() with per-call `options` (NULL: none).
//
// Ownership: `*out_response` is owned by the caller; release with lx_free().
// Thread safety: as lx_get().
LX_MUST_USE
lx_status lx_request_with(const struct lx_client *client,
                          const char *method,
                          const char *path,
                          const char *headers,
                          size_t headers_len,
                          const uint8_t *body,
                          size_t body_len,
                          int32_t flags,
                          const struct lx_call_options *options,
                          struct lx_response **out_response,
                          struct lx_error **err);

// lx_graphql() with per-call `options` (NULL: none), including the operation name.
//
// Ownership: `*out_json` is owned by the caller; release with lx_free().
// Thread safety: as lx_get().
LX_MUST_USE
lx_status lx_graphql_with(const struct lx_client *client,
                          const char *query,
                          const char *variables_json,
                          const struct lx_call_options *options,
                          char **out_json,
                          size_t *out_len,
                          struct lx_error **err);

// lx_graphql_all() with per-call `options` (NULL: none): the deadline and the cancel handle
// apply to each page's call.
//
// Ownership: `*out_json` is owned by the caller; release with lx_free().
// Thread safety: as lx_get().
LX_MUST_USE
lx_status lx_graphql_all_with(const struct lx_client *client,
                              const char *query,
                              const char *variables_json,
                              const struct lx_call_options *options,
                              char **out_json,
                              size_t *out_len,
                              struct lx_error **err);

// Starts lx_request_with() and returns at once: `callback` gets the result (see
// `lx_completion_callback`). Returns `LX_OK` when the call started (the callback will run
// exactly once), or an error for invalid arguments (the callback never runs). Thousands of
// calls may be in flight at once; they share the client's token (one exchange) and the
// library's I/O threads, no thread per call.
//
// Thread safety: any thread, including from inside a completion callback.
LX_MUST_USE
lx_status lx_request_start(const struct lx_client *client,
                           const char *method,
                           const char *path,
                           const char *headers,
                           size_t headers_len,
                           const uint8_t *body,
                           size_t body_len,
                           int32_t flags,
                           const struct lx_call_options *options,
                           lx_completion_callback callback,
                           void *userdata,
                           struct lx_error **err);

// Starts lx_graphql_with() and returns at once; `callback` gets an `lx_response` whose body
// is the `data` JSON (status 200, no headers), or the error (`LX_ERR_GRAPHQL` with
// lx_error_graphql_json(), ...). Returns as lx_request_start().
//
// Thread safety: any thread, including from inside a completion callback.
LX_MUST_USE
lx_status lx_graphql_start(const struct lx_client *client,
                           const char *query,
                           const char *variables_json,
                           const struct lx_call_options *options,
                           lx_completion_callback callback,
                           void *userdata,
                           struct lx_error **err);

// Creates a cancellation handle that has not fired.
//
// Ownership: `*out_cancel` is owned by the caller; release it with lx_free() after the calls
// that use it have returned (a call keeps what it needs, so freeing earlier is safe too).
// Thread safety: any thread.
//
// Resources: each handle owns a pipe (two descriptors) until it is freed. So that
// lx_cancel_fire() stays safe in a signal handler, the library also keeps one descriptor
// per handle slot for the life of the process: slots are reused, so their number is the
// most handles that were ever alive at the same time (1 000 concurrent calls with a handle
// each leave 1 000 descriptors open after they end; keep that peak below the process's
// descriptor limit, `ulimit -n`).
LX_MUST_USE lx_status lx_cancel_new(struct lx_cancel **out_cancel, struct lx_error **err);

// Fires the handle: every call that uses it returns `LX_ERR_CANCELLED` promptly (within a
// few milliseconds), whatever it is waiting for; later calls with it return
// `LX_ERR_CANCELLED` at once. Firing twice is harmless.
//
// Returns `LX_OK`, `LX_ERR_NULL_ARG`, or `LX_ERR_INVALID_ARG` for a handle that is not live
// (freed already, or not an lx_cancel); nothing else is done then.
// Thread safety: any thread. Async-signal-safe: it may be called from a signal handler (it
// does one atomic load and one write(2); no lock, no allocation).
lx_status lx_cancel_fire(const struct lx_cancel *cancel);

// A file descriptor that fires the handle when any byte is written to it, for event loops
// that wake through a descriptor on signals (Python's `signal.set_wakeup_fd`, the self-pipe
// trick). Non-blocking. `-1` if `cancel` is not a live handle.
//
// Ownership: owned by the library; never close it. It stays open (and harmless) after
// lx_free(cancel). Thread safety: any thread.
int32_t lx_cancel_fd(const struct lx_cancel *cancel);

// Prepares a walk over the pages of `query` (nothing is sent yet). The query follows the
// paging rule of lx_graphql_all(); `options` (NULL: none) apply to each page's call, and a
// fired cancel handle ends the walk.
//
// Ownership: `*out_pages` is owned by the caller; release with lx_free().
// Thread safety: any thread.
LX_MUST_USE
lx_status lx_graphql_pages_new(const struct lx_client *client,
                               const char *query,
                               const char *variables_json,
                               const struct lx_call_options *options,
                               struct lx_graphql_pages **out_pages,
                               struct lx_error **err);

// Fetches the next page and returns its `data` as JSON text, or `*out_json = NULL` (with
// `LX_OK`) after the last page. A violation of the paging rule, or any failed call, is
// returned as its error and ends the walk.
//
// Ownership: `*out_json` (NUL-terminated; `out_len` may be NULL) is owned by the caller;
// release with lx_free(). Thread safety: as lx_get(), one call at a time per walk.
LX_MUST_USE
lx_status lx_graphql_pages_next(struct lx_graphql_pages *pages,
                                char **out_json,
                                size_t *out_len,
                                struct lx_error **err);

// Starts fetching the next page and returns at once (see `lx_completion_callback`): `callback`
// gets `LX_OK` and an owned `lx_response` whose body is its `data` (the text
// lx_graphql_pages_next() returns; status 200, no headers), or `LX_OK` with a NULL response after
// the last page, or the error that ends the walk. The walk's options (deadline, cancel handle)
// apply as for lx_graphql_pages_next(). One page at a time: until the callback has run, another
// lx_graphql_pages_next() or lx_graphql_pages_next_start() on this walk returns
// `LX_ERR_INVALID_ARG`. A walk whose client was closed during a fetch returns `LX_ERR_CANCELLED`
// here.
//
// Returns `LX_OK` when the fetch started (the callback will run exactly once), or an error (the
// callback never runs). Freeing the walk while a page is being fetched is allowed: the fetch
// finishes and its callback still runs.
//
// Thread safety: any thread, including from inside a completion callback (the usual way to walk:
// start the next page from the callback of the previous one).
LX_MUST_USE
lx_status lx_graphql_pages_next_start(struct lx_graphql_pages *pages,
                                      lx_completion_callback callback,
                                      void *userdata,
                                      struct lx_error **err);

// Prepares a walk over the pages of the list behind `GET path` (nothing is sent yet).
//
// The paging rule, the same in every binding and in `lx get --paginate`: every page is a JSON
// object with a `data` array. By default the walk follows Pathfinder's `cursor`: each page's
// `cursor` goes into the next request's `cursor=` and `"cursor": null` (or `""`, or none) ends
// it. When `path`'s query has `page=`, the page number is counted up instead, and the walk ends
// at an empty page, a page with fewer items than `size=`, or once the items reach the page's
// `total`. Other query parameters are sent unchanged on every page. A repeated cursor, a
// page that is not an object with a `data` array, and, in a `page=` walk, a page that carries
// a `cursor` (a cursor list, which ignores `page=`), a page whose `data` repeats the page
// before, or an end before `total` items, is `LX_ERR_INVALID_RESPONSE`; more pages
// than the `max_pages` option is `LX_ERR_TOO_LARGE`; a `page=` that is not a whole number is
// `LX_ERR_INVALID_ARG` at the first lx_rest_pages_next(). `options` (NULL: none) apply to
// each page's call, and a fired cancel handle ends the walk.
//
// Ownership: `*out_pages` is owned by the caller; release with lx_free().
// Thread safety: any thread.
LX_MUST_USE
lx_status lx_rest_pages_new(const struct lx_client *client,
                            const char *path,
                            const struct lx_call_options *options,
                            struct lx_rest_pages **out_pages,
                            struct lx_error **err);

// Fetches the next page and returns its whole JSON document (`{"data":[...],"cursor":...}`)
// as text, or `*out_json = NULL` (with `LX_OK`) after the last page. A violation of the paging
// rule, or any failed call, is returned as its error and ends the walk (NULL from then on).
//
// Ownership: `*out_json` (NUL-terminated; `out_len` may be NULL) is owned by the caller;
// release with lx_free(). Thread safety: as lx_get(), one call at a time per walk.
LX_MUST_USE
lx_status lx_rest_pages_next(struct lx_rest_pages *pages,
                             char **out_json,
                             size_t *out_len,
                             struct lx_error **err);

// Starts fetching the next page and returns at once (see `lx_completion_callback`): `callback`
// gets `LX_OK` and an owned `lx_response` whose body is its whole JSON document (the text
// lx_rest_pages_next() returns; status 200, no headers), or `LX_OK` with a NULL response after the
// last page, or the error that ends the walk. The walk's options (deadline, cancel handle) apply
// as for lx_rest_pages_next(). One page at a time: until the callback has run, another
// lx_rest_pages_next() or lx_rest_pages_next_start() on this walk returns `LX_ERR_INVALID_ARG`. A
// walk whose client was closed during a fetch returns `LX_ERR_CANCELLED` here.
//
// Returns `LX_OK` when the fetch started (the callback will run exactly once), or an error (the
// callback never runs). Freeing the walk while a page is being fetched is allowed: the fetch
// finishes and its callback still runs.
//
// Thread safety: any thread, including from inside a completion callback (the usual way to walk:
// start the next page from the callback of the previous one).
LX_MUST_USE
lx_status lx_rest_pages_next_start(struct lx_rest_pages *pages,
                                   lx_completion_callback callback,
                                   void *userdata,
                                   struct lx_error **err);

// Runs an LDIF through the Integration API and waits for its end: creates and starts a
// synchronization run (`?start=true&test=…`), polls its status with backoff (0.5 s, doubling
// to 10 s) until `FINISHED`, `FAILED` or `STOPPED`, reads its progress, every page of its
// warnings (at most 100 per request, as the API requires) and, for an outbound run, its
// output LDIF (asking again while the answer is `204`, at most 10 times).
//
// `ldif_json`: the LDIF, a JSON object with `connectorType`, `connectorId`,
// `connectorVersion`, `lxVersion` and `processingDirection` (else `LX_ERR_INVALID_ARG`,
// before anything is sent). `flags`: `LX_LDIF_DEFAULT`, or `LX_LDIF_TEST` and/or
// `LX_LDIF_NO_WAIT`. `options` (NULL: none): its timeout is the deadline of the whole run
// (unset: `LX_DEFAULT_LDIF_RUN_TIMEOUT_MS`), its cancel handle ends the wait with
// `LX_ERR_CANCELLED`; the operation name is ignored.
//
// On `LX_OK`, `*out_json` is the result:
// `{"id","status","progress":{…}|null,"warnings":[…],"results":{…}|null,"polls":N}`.
// A run that ends `FAILED` or `STOPPED`, or finishes with `ERROR` warnings, returns
// `LX_ERR_RUN_FAILED`; its result (the same JSON) is in lx_error_run_json(), as it is for
// every failure after the run was created (`LX_ERR_TIMEOUT`, `LX_ERR_CANCELLED`, an HTTP
// error of a poll: the run goes on at LeanIX; its id is there). Failures keep their usual
// statuses.
//
// Ownership: `*out_json` (NUL-terminated; `out_len` may be NULL) is owned by the caller;
// release with lx_free(). Thread safety: as lx_get(); the call blocks the calling thread
// for the whole run.
LX_MUST_USE
lx_status lx_ldif_run(const struct lx_client *client,
                      const char *ldif_json,
                      int32_t flags,
                      const struct lx_call_options *options,
                      char **out_json,
                      size_t *out_len,
                      struct lx_error **err);

// Starts lx_ldif_run() and returns at once: `callback` gets an `lx_response` whose body is
// the result JSON (status 200, no headers), or the error (`LX_ERR_RUN_FAILED` with
// lx_error_run_json(), ...), exactly once, on a library thread (see `lx_completion_callback`).
// Returns `LX_OK` when the run's call started, or an error for invalid arguments (a bad
// LDIF, unknown flags; the callback never runs). Waiting for many runs at once costs no
// thread per run.
//
// Thread safety: any thread, including from inside a completion callback.
LX_MUST_USE
lx_status lx_ldif_run_start(const struct lx_client *client,
                            const char *ldif_json,
                            int32_t flags,
                            const struct lx_call_options *options,
                            lx_completion_callback callback,
                            void *userdata,
                            struct lx_error **err);

// For an error of lx_ldif_run() or lx_ldif_run_start() after the run was created
// (`LX_ERR_RUN_FAILED`, and any failure while waiting: `LX_ERR_TIMEOUT`, `LX_ERR_CANCELLED`,
// an HTTP error of a poll): the run's result as JSON, the shape lx_ldif_run() returns on
// success, with what was known then (the run goes on at LeanIX; its id is there).
// `LX_ERR_NOT_FOUND` for errors without a run.
//
// Ownership: `*out_json` (NUL-terminated; `out_len` may be NULL) is owned by the caller;
// release with lx_free(). Thread safety: any thread.
LX_MUST_USE
lx_status lx_error_run_json(const struct lx_error *err,
                            char **out_json,
                            size_t *out_len);

// Applies patches to a fact sheet with GraphQL `updateFactSheet` and returns the written
// fact sheet (`{"id","rev","type","name","displayName","description","status"}`).
//
// `id`: the fact sheet's id. `patches_json`: a JSON list of `{"op","path","value"}` with
// `op` one of `add`, `replace`, `remove`; a `value` that is not a string (an object or a
// list, e.g. for `/lifecycle` or `/tags`) is sent as JSON inside a string, as LeanIX wants
// it. `comment` (NULL: none) is the change's comment (LeanIX requires one to archive:
// `{"op":"replace","path":"/status","value":"ARCHIVED"}`). `flags`: `LX_UPDATE_DEFAULT` or
// `LX_UPDATE_VALIDATE_ONLY`. `options` (NULL: none): the deadline of the whole write (reads
// and retries included; unset: the client's `request_timeout_ms`), its cancel handle and its
// `REVISION_CLASH` retries (lx_call_options_set_revision_clash_retries()).
//
// The fact sheet's `rev` is read first; a write that fails with `REVISION_CLASH` (someone
// else saved it in between) re-reads `rev`, once per clash, and writes again, at most
// `LX_DEFAULT_REVISION_CLASH_RETRIES` times (or as the options set); a clash after that, and any other GraphQL error
// (a viewer's refusal, a bad patch), is `LX_ERR_GRAPHQL` with the details in
// lx_error_graphql_json(). An empty `id`, an empty list of patches (`[]`) or a patch that
// is not `{"op","path","value"}` is `LX_ERR_INVALID_ARG`, with nothing sent.
//
// Ownership: `*out_json` (NUL-terminated; `out_len` may be NULL) is owned by the caller;
// release with lx_free(). Thread safety: as lx_get().
LX_MUST_USE
lx_status lx_update_fact_sheet(const struct lx_client *client,
                               const char *id,
                               const char *patches_json,
                               const char *comment,
                               int32_t flags,
                               const struct lx_call_options *options,
                               char **out_json,
                               size_t *out_len,
                               struct lx_error **err);

// Starts lx_update_fact_sheet() and returns at once: `callback` gets an `lx_response` whose
// body is the written fact sheet's JSON (status 200, no headers), or the error that
// lx_update_fact_sheet() would return (`LX_ERR_GRAPHQL` with lx_error_graphql_json(), ...),
// exactly once, on a library thread (see `lx_completion_callback`). The `rev` read, the
// `REVISION_CLASH` retries and `options` (deadline, cancel handle) are those of
// lx_update_fact_sheet(). Returns `LX_OK` when the write started, or an error for invalid
// arguments (a bad patch list, unknown flags; the callback never runs).
//
// Ownership: the strings are copied before it returns; the response or error handed to the
// callback is the callback's, to release with lx_free(). Thread safety: any thread,
// including from inside a completion callback.
LX_MUST_USE
lx_status lx_update_fact_sheet_start(const struct lx_client *client,
                                     const char *id,
                                     const char *patches_json,
                                     const char *comment,
                                     int32_t flags,
                                     const struct lx_call_options *options,
                                     lx_completion_callback callback,
                                     void *userdata,
                                     struct lx_error **err);

// Waits for a synchronization run that was started already (by lx_ldif_run() with
// `LX_LDIF_NO_WAIT`, another process, LeanIX's UI, ...) and returns its result, as
// lx_ldif_run() does after the start: polls the status with backoff (0.5 s, doubling to
// 10 s) until `FINISHED`, `FAILED` or `STOPPED`, then reads the progress and every page of
// warnings.
//
// `run_id`: the run's id (the `"id"` of lx_ldif_run()'s result; a bad one gives the server's
// answer, `LX_ERR_HTTP` with a 404). `flags`: `LX_LDIF_DEFAULT`, or `LX_LDIF_NO_WAIT` (poll
// the status once and return what it is now) and/or `LX_LDIF_RESULTS` (fetch the output LDIF
// of an outbound run at its end); `LX_LDIF_TEST` is `LX_ERR_INVALID_ARG`. `options` (NULL:
// none): its timeout is the deadline of the whole wait (unset:
// `LX_DEFAULT_LDIF_RUN_TIMEOUT_MS`), its cancel handle ends the wait with `LX_ERR_CANCELLED`
// (the run goes on at LeanIX).
//
// On `LX_OK`, `*out_json` is the result, the JSON of lx_ldif_run(); `LX_ERR_RUN_FAILED`,
// `LX_ERR_TIMEOUT` and `LX_ERR_CANCELLED` keep the run's result in lx_error_run_json(), as
// for lx_ldif_run().
//
// Ownership: `*out_json` (NUL-terminated; `out_len` may be NULL) is owned by the caller;
// release with lx_free(). Thread safety: as lx_get(); the call blocks the calling thread
// for the whole wait.
LX_MUST_USE
lx_status lx_ldif_wait(const struct lx_client *client,
                       const char *run_id,
                       int32_t flags,
                       const struct lx_call_options *options,
                       char **out_json,
                       size_t *out_len,
                       struct lx_error **err);

// Starts lx_ldif_wait() and returns at once: `callback` gets an `lx_response` whose body is
// the result JSON (status 200, no headers), or the error (`LX_ERR_RUN_FAILED` with
// lx_error_run_json(), ...), exactly once, on a library thread (see
// `lx_completion_callback`). Returns `LX_OK` when the wait started, or an error for invalid
// arguments (an empty id, unknown flags; the callback never runs).
//
// Ownership: `run_id` is copied before it returns; the response or error handed to the
// callback is the callback's, to release with lx_free(). Thread safety: any thread,
// including from inside a completion callback.
LX_MUST_USE
lx_status lx_ldif_wait_start(const struct lx_client *client,
                             const char *run_id,
                             int32_t flags,
                             const struct lx_call_options *options,
                             lx_completion_callback callback,
                             void *userdata,
                             struct lx_error **err);

// Creates a PULL subscription from `spec_json` (`{"identifier":"sync","tagSets":
// [["pathfinder","FACT_SHEET_CREATED"]],"payloadMode":"DEFAULT"}`; `workspaceId` and
// `workspaceConstraint` optional) and returns it as the API shows it (with its `id`).
//
// Ownership: `*out_json` (NUL-terminated; `out_len` may be NULL) is owned by the caller;
// release with lx_free(). Thread safety: as lx_get().
LX_MUST_USE
lx_status lx_webhooks_create(const struct lx_client *client,
                             const char *spec_json,
                             const struct lx_call_options *options,
                             char **out_json,
                             size_t *out_len,
                             struct lx_error **err);

// The workspace's subscriptions as a JSON array (each with its `cursor.offset` when the
// server reports it).
//
// Ownership: `*out_json` is owned by the caller; release with lx_free().
// Thread safety: as lx_get().
LX_MUST_USE
lx_status lx_webhooks_list(const struct lx_client *client,
                           const struct lx_call_options *options,
                           char **out_json,
                           size_t *out_len,
                           struct lx_error **err);

// Deletes the subscription `subscription_id`.
//
// Thread safety: as lx_get().
LX_MUST_USE
lx_status lx_webhooks_delete(const struct lx_client *client,
                             const char *subscription_id,
                             const struct lx_call_options *options,
                             struct lx_error **err);

// Fetches the next batch of `subscription_id` from its cursor, as a JSON array of events
// `[{"offset":N,"tagSet":[..],"payload":{..},...}, ...]` in increasing offset order (`[]`: no
// new events). The cursor does not move: commit with lx_webhooks_commit() once the events are
// handled. With a cancel handle in `options`, a fired handle ends the call with
// `LX_ERR_CANCELLED`.
//
// Ownership: `*out_json` (NUL-terminated; `out_len` may be NULL) is owned by the caller;
// release with lx_free(). Thread safety: as lx_get().
LX_MUST_USE
lx_status lx_webhooks_fetch(const struct lx_client *client,
                            const char *subscription_id,
                            const struct lx_call_options *options,
                            char **out_json,
                            size_t *out_len,
                            struct lx_error **err);

// lx_webhooks_fetch(), but waits until the batch has events: while it is empty, waits
// `LX_DEFAULT_WEBHOOK_IDLE_MIN_MS`, doubling up to `LX_DEFAULT_WEBHOOK_IDLE_MAX_MS`, and fetches
// again. The cursor does not move. A
// cancel handle in `options` ends the wait with `LX_ERR_CANCELLED` within milliseconds; the
// deadline in `options` applies to each fetch, not to the wait.
//
// Ownership: `*out_json` is owned by the caller; release with lx_free().
// Thread safety: as lx_get().
LX_MUST_USE
lx_status lx_webhooks_fetch_wait(const struct lx_client *client,
                                 const char *subscription_id,
                                 const struct lx_call_options *options,
                                 char **out_json,
                                 size_t *out_len,
                                 struct lx_error **err);

// Moves the cursor of `subscription_id` to `next_offset`: the offset of the last event
// handled plus one. The cursor cannot go back (the server answers 400, `LX_ERR_HTTP`).
//
// Thread safety: as lx_get().
LX_MUST_USE
lx_status lx_webhooks_commit(const struct lx_client *client,
                             const char *subscription_id,
                             uint64_t next_offset,
                             const struct lx_call_options *options,
                             struct lx_error **err);

// The origin API calls go to now, e.g. `https://acme.leanix.net`: the one the current access
// token's `instanceUrl` names when the routing rule follows it (option
// `route_by_instance_url`), else the configured host. Exchanges a token if there is none yet,
// as lx_access_token() does.
//
// Ownership: `*out_origin` (NUL-terminated) is owned by the caller; release with lx_free().
// Thread safety: as lx_get().
LX_MUST_USE
lx_status lx_api_origin(const struct lx_client *client,
                        char **out_origin,
                        struct lx_error **err);

// lx_api_origin() with per-call `options` (NULL: none), whose deadline and cancel handle
// apply as for lx_access_token_with().
//
// Ownership: `*out_origin` is owned by the caller; release with lx_free().
// Thread safety: as lx_get().
LX_MUST_USE
lx_status lx_api_origin_with(const struct lx_client *client,
                             const struct lx_call_options *options,
                             char **out_origin,
                             struct lx_error **err);

// The HTTP status code, or 0 if `response` is NULL or not a live response.
//
// Thread safety: any thread.
int32_t lx_response_status(const struct lx_response *response);

// The body: `*out_data` points to `*out_len` bytes (binary-safe, may contain NULs), followed by
// a NUL byte that is not counted, so a text body can be used as a C string.
//
// Ownership: borrowed; valid until `lx_free(response)` (or, for a response borrowed from an
// error, until `lx_free(err)`). Thread safety: any thread.
lx_status lx_response_body(const struct lx_response *response,
                           const uint8_t **out_data,
                           size_t *out_len);

// The number of response headers (0 if `response` is NULL or not a live response).
//
// Thread safety: any thread.
size_t lx_response_header_count(const struct lx_response *response);

// Every header in one block of `name: value\n` lines (lower-case names, in the order received,
// values as in lx_response_header()), followed by a NUL byte that `*out_len` does not count.
// One call instead of two per header, for bindings that copy all headers.
//
// Ownership: borrowed; valid as long as the response. Thread safety: any thread.
lx_status lx_response_headers(const struct lx_response *response,
                              const char **out_data,
                              size_t *out_len);

// The header at `index` (0-based, in the order received): lower-case name and value as
// NUL-terminated UTF-8 (invalid bytes in values are replaced by U+FFFD). `LX_ERR_NOT_FOUND` if
// `index` is out of range.
//
// Ownership: both borrowed; valid as long as the response. Thread safety: any thread.
lx_status lx_response_header(const struct lx_response *response,
                             size_t index,
                             const char **out_name,
                             const char **out_value);

// The first value of the header `name` (compared case-insensitively), or `LX_ERR_NOT_FOUND`.
//
// Ownership: `*out_value` is borrowed; valid as long as the response. Thread safety: any
// thread.
lx_status lx_response_header_get(const struct lx_response *response,
                                 const char *name,
                                 const char **out_value,
                                 struct lx_error **err);

// The status code of an error (an `LX_ERR_*` value); `LX_ERR_INVALID_ARG` if `err` is NULL or
// not a live error.
//
// Thread safety: any thread.
lx_status lx_error_code(const struct lx_error *err);

// The message of an error: one line of UTF-8 that names what happened and where, with a
// short, cleaned excerpt of what the server said (control characters and terminal escapes
// removed), never a credential. Returns `""` if `err` is NULL or not a live error.
//
// Ownership: borrowed; valid until `lx_free(err)`. Thread safety: any thread.
const char *lx_error_message(const struct lx_error *err);

// The HTTP status behind the error (e.g. 400, 401, 403, 429, 503; 200 for GraphQL errors),
// or 0 if none.
//
// Thread safety: any thread.
int32_t lx_error_http_status(const struct lx_error *err);

// The OAuth2 `error` field of a failed token exchange (e.g. `"invalid_client"`), or NULL.
//
// Ownership: borrowed; valid until `lx_free(err)`. Thread safety: any thread.
const char *lx_error_oauth_error(const struct lx_error *err);

// For `LX_ERR_RATE_LIMITED`: the server's reason code when its body names one (LeanIX:
// `"USER_INTERVAL_REQUEST_LIMIT_EXCEEDED"`), or NULL.
//
// Ownership: borrowed; valid until `lx_free(err)`. Thread safety: any thread.
const char *lx_error_reason(const struct lx_error *err);

// The server's Retry-After in milliseconds (for `LX_ERR_RATE_LIMITED` and transient HTTP
// errors), or -1 if it sent none.
//
// Thread safety: any thread.
int64_t lx_error_retry_after_ms(const struct lx_error *err);

// The response of the call that failed: for a non-2xx answer (`LX_ERR_HTTP`,
// `LX_ERR_FORBIDDEN`, `LX_ERR_UNAUTHORIZED`, `LX_ERR_RATE_LIMITED`, `LX_ERR_REDIRECT`), a
// GraphQL error, and a failed token exchange the endpoint answered (`LX_ERR_HTTP`,
// `LX_ERR_RATE_LIMITED`, `LX_ERR_INVALID_CREDENTIALS`, `LX_ERR_INVALID_RESPONSE` for a
// redirect), the status, headers and body as the server sent them (an API error body longer
// than `max_response_bytes` cut there, and the message says so), so every lx_response_*() accessor works on it. `LX_ERR_NOT_FOUND` when
// the failure had no answer (connection errors, timeouts, invalid arguments, an unusable
// 2xx token body).
//
// Ownership: `*out_response` is borrowed from `err`: valid until `lx_free(err)`; never free
// it. Thread safety: any thread.
LX_MUST_USE
lx_status lx_error_response(const struct lx_error *err,
                            const struct lx_response **out_response);

// For `LX_ERR_GRAPHQL`: the response's `errors` (each with `message` and, where the server
// sent them, `path`, `locations` and `extensions.errorType`, e.g. `"REVISION_CLASH"`) and
// the partial `data` that came with them, as one JSON object
// `{"errors":[...],"data":...}`. `LX_ERR_NOT_FOUND` for other errors.
//
// Ownership: `*out_json` (NUL-terminated; `*out_len` bytes without the NUL, `out_len` may be
// NULL) is owned by the caller; release with lx_free(). Thread safety: any thread.
LX_MUST_USE
lx_status lx_error_graphql_json(const struct lx_error *err,
                                char **out_json,
                                size_t *out_len);

// Stops every callback of the process for good: once it returns, no event callback and no
// completion callback runs any more, in any thread; it waits for those in progress (except the
// one it is called from, if any). A completion that arrives later releases its response or
// error itself, without calling. For a language runtime that is shutting down (Python calls
// it at interpreter exit, after closing its clients): a callback into a finalizing interpreter
// would end its thread in the middle of the library.
//
// Thread safety: any thread. Do not hold a lock there that a callback in progress takes.
void lx_stop_callbacks(void);

// Releases anything the library handed out: an `lx_client`, `lx_options`, `lx_call_options`,
// `lx_cancel`, `lx_graphql_pages`, `lx_rest_pages`, `lx_response`, `lx_error`, or an owned
// string (from lx_access_token(), lx_claims_json(), lx_graphql(), ...).
//
// - NULL is ignored. Handles (every `lx_*` object) are never reused, so freeing one twice, or
//   freeing a pointer the library does not know, is ignored too. Owned strings are memory:
//   a second lx_free() of a string is ignored unless the library has since handed out another
//   string at the same address, which it would then free; free each string once.
// - Freeing a client cancels the calls other threads are making on it (they return
//   `LX_ERR_CANCELLED` promptly; asynchronous calls get their callback with it) and stops its
//   background token refresh; later calls with the freed handle return `LX_ERR_INVALID_ARG`.
//   Its event callback does not run after lx_free() returns (callbacks in progress on other
//   threads are waited for).
// - Freeing an error also frees the response lx_error_response() lent out.
// - Owned strings are overwritten with zeros before their memory is released (they may hold
//   an access token).
// - Borrowed pointers (from lx_error_message(), lx_response_body(), lx_error_response(), ...)
//   must not be passed here; they are ignored if they are.
// - In a child process after fork(), freeing an inherited client releases nothing of the
//   parent's runtime (whose threads do not exist in the child); its memory is left as is.
//
// Thread safety: any thread, but the object must not be used afterwards by anyone.
void lx_free(void *ptr);

#ifdef __cplusplus
}  // extern "C"
#endif  // __cplusplus

#endif  /* LEANIX_H */
