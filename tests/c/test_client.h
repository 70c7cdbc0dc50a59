/* Clients for a test server on loopback, built the one way every C test needs: host, api_token,
 * allow_insecure_loopback=1, then extra options as "key=value" pairs separated by ';'.
 * Shared by tests/c, tests/reliability, tests/secrets and the ffi_server fuzz target. */
#ifndef LX_TEST_CLIENT_H
#define LX_TEST_CLIENT_H

#include <leanix.h>

/* The options for `host` and `api_token` plus `extra` (NULL or "" for none). Returns the status of
 * the first call that failed; on LX_OK, *out holds the options (lx_free them). */
int32_t tc_options(const char *host, const char *api_token, const char *extra, lx_options **out, lx_error **err);

/* tc_options, then lx_client_build. On failure returns NULL, stores the status in *status (if not
 * NULL) and prints "tc_client: STATUS: message" on stderr. */
lx_client *tc_client(const char *host, const char *api_token, const char *extra, int *status);

#endif
