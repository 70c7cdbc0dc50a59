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
