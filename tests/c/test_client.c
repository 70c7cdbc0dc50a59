#define _POSIX_C_SOURCE 200809L
#include "test_client.h"

#include <stdio.h>
#include <string.h>

int32_t tc_options(const char *host, const char *api_token, const char *extra, lx_options **out, lx_error **err) {
    lx_options *opts = NULL;
    int32_t st = lx_options_new(&opts, err);
    if (st == LX_OK) st = lx_options_set(opts, "host", host, err);
    if (st == LX_OK) st = lx_options_set(opts, "api_token", api_token, err);
    if (st == LX_OK) st = lx_options_set(opts, "allow_insecure_loopback", "1", err);
    if (st == LX_OK && extra && *extra) {
        char buf[1024];
        if ((size_t)snprintf(buf, sizeof buf, "%s", extra) >= sizeof buf) st = LX_ERR_INVALID_ARG;
        char *save = NULL;
        for (char *pair = strtok_r(buf, ";", &save); pair && st == LX_OK; pair = strtok_r(NULL, ";", &save)) {
            char *eq = strchr(pair, '=');
            if (!eq) {
                fprintf(stderr, "tc_options: '%s' is not key=value\n", pair);
                st = LX_ERR_INVALID_ARG;
                break;
            }
            *eq = '\0';
            st = lx_options_set(opts, pair, eq + 1, err);
        }
    }
    if (st == LX_OK) {
        *out = opts;
    } else {
        lx_free(opts);
    }
    return st;
}

lx_client *tc_client(const char *host, const char *api_token, const char *extra, int *status) {
    lx_options *opts = NULL;
    lx_client *client = NULL;
    lx_error *err = NULL;
    int32_t st = tc_options(host, api_token, extra, &opts, &err);
    if (st == LX_OK) st = lx_client_build(opts, &client, &err);
    if (st != LX_OK) fprintf(stderr, "tc_client: %s: %s\n", lx_status_str(st), err ? lx_error_message(err) : "");
    lx_free(err);
    lx_free(opts);
    if (status) *status = st;
    return st == LX_OK ? client : NULL;
}
