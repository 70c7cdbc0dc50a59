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
 *   before expiry, one replay after a 401, retries of idempotent requests on 429/502/503/504 and
 *   connection errors (honouring Retry-After), timeouts always on, redirects only within the
 *   configured host, and no credential in any message it produces.
 *
 * CONVENTIONS
 *   Status codes. Every function that can fail returns an int32_t status: LX_OK (0) on success,
 *   one of the LX_ERR_* codes otherwise. Codes are stable and never reused; lx_status_str() names
 *   them.
 *
 *   Errors. Such functions take a last argument `lx_error **err`. It may be NULL if the caller
 *   wants the status only. Otherwise, on failure, *err receives a new error object (code,
 *   message, HTTP status, OAuth error) that the caller owns and releases with lx_free(); on
 *   success *err is not written. There is no thread-local "last error".
 *
 *   Outputs. Output parameters (`out_*`) are written only on success.
 *
 *   Ownership. "Owned" results belong to the caller and are released with lx_free(), the one
 *   destructor for everything the library hands out (clients, options, responses, errors,
 *   strings). lx_free(NULL) does nothing, and so does lx_free() of a pointer the library does not
 *   know (including a second lx_free() of the same pointer): it is never a crash. "Borrowed"
 *   results stay valid until the object they were borrowed from is freed; never free them.
 *
 *   Strings. Strings in and out are UTF-8 and NUL-terminated; invalid UTF-8 is rejected with
 *   LX_ERR_INVALID_ARG. Bodies are bytes with a length and may contain NUL bytes. A NULL
 *   required pointer gives LX_ERR_NULL_ARG. Lengths above PTRDIFF_MAX give LX_ERR_INVALID_ARG.
 *
 * THREAD SAFETY
 *   An lx_client is thread-safe: any number of threads may call lx_get(), lx_request(),
 *   lx_graphql(), lx_access_token() and lx_claims_json() on one client at the same time; they
 *   share one token and one connection pool. Freeing a client while other threads are inside
 *   calls on it is safe: those calls return LX_ERR_CANCELLED promptly and later calls with the
 *   freed pointer return LX_ERR_INVALID_ARG (until the address is reused by a new object; to
 *   rule that out, call lx_client_close(), wait for your calls to return, then lx_free()).
 *   An lx_options, lx_response or lx_error belongs to
 *   one thread at a time (it may move between threads). Network I/O runs on an internal thread
 *   pool shared by all clients of the process; the calling thread blocks on a plain condition,
 *   so calling from any thread, including threads of other runtimes, is fine.
 *
 * FORK
 *   A client created before fork() returns LX_ERR_FORKED in the child (its I/O threads do not
 *   exist there); clients created in the child work normally. Free the inherited client with
 *   lx_free() as usual.
 *
 * PANICS
 *   An internal bug never unwinds into your code: every function catches it and returns
 *   LX_ERR_PANIC (functions that return no status return their documented default).
 *
 * UNLOADING
 *   The library is linked with -z nodelete; do not expect dlclose() to unload it.
 */
