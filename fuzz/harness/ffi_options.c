/* Fuzz target: options, client construction and lx_free through the C ABI, no network.
 * Input: NUL-separated fields taken as (key, value) pairs for lx_options_set. A key starting
 * with a byte 0x10..0x2f is replaced by a known key (so the values get deep coverage); bytes
 * 0x01..0x04 pass NULL for key, value, options or err. `ca_file` values are written to a
 * temporary file whose path is passed (never a path chosen by the fuzzer: /dev/zero would just
 * block). Then lx_client_build / lx_client_new, close, double frees, and the error accessors. */
#include <stdint.h>
#include <unistd.h>

#include "ffi_common.h"

static const char *KEYS[] = {
    "host", "api_token", "allow_insecure_loopback", "connect_timeout_ms", "token_timeout_ms",
    "request_timeout_ms", "proxy", "ca_file", "ca_pem", "user_agent", "max_attempts", "token_attempts",
    "retry_base_delay_ms", "retry_max_delay_ms", "max_retry_after_ms", "refresh_ahead", "refresh_on_expiry_only",
    "invalid_credentials_ttl_ms", "failed_refresh_backoff_ms", "expiry_margin_ms",
};
#define NKEYS (sizeof KEYS / sizeof KEYS[0])

static void on_event(void *userdata, int32_t kind, const char *details) {
    (void)userdata;
    (void)kind;
    (void)details;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static char ca_path[64];
    if (!ca_path[0]) snprintf(ca_path, sizeof ca_path, "/tmp/lxfuzz-ca-%d.pem", (int)getpid());
    const uint8_t *f[32];
    size_t n[32];
    size_t count = lxfuzz_split(data, size, f, n, 32);

    lx_options *opts = NULL;
    lx_error *err = NULL;
    int st = lx_options_new(&opts, &err);
    lxfuzz_check(st, err, 1, NULL);
    if (st != LX_OK) return 0;
    if (size & 1) {
        err = NULL;
        st = lx_options_set_event_callback(opts, (size & 2) ? on_event : NULL, NULL, &err);
        lxfuzz_check(st, err, 1, NULL);
    }
    for (size_t i = 0; i + 1 < count; i += 2) {
        const char *key_override = NULL;
        int null_key = 0, null_value = 0, null_opts = 0, null_err = 0;
        const uint8_t *k = f[i];
        size_t kn = n[i];
        if (kn > 0 && k[0] >= 0x10 && k[0] < 0x10 + NKEYS) {
            key_override = KEYS[k[0] - 0x10];
        } else if (kn > 0 && k[0] >= 0x01 && k[0] <= 0x04) {
            null_key = k[0] == 1, null_value = k[0] == 2, null_opts = k[0] == 3, null_err = k[0] == 4;
            k++, kn--;
        }
        char *key = key_override ? NULL : lxfuzz_cstr(k, kn);
        char *value = lxfuzz_cstr(f[i + 1], n[i + 1]);
        const char *use_key = key_override ? key_override : key;
        const char *use_value = value;
        if (use_key && strcmp(use_key, "ca_file") == 0) {
            FILE *fp = fopen(ca_path, "wb");
            if (fp) {
                fwrite(f[i + 1], 1, n[i + 1], fp);
                fclose(fp);
            }
            use_value = ca_path;
        }
        err = NULL;
        st = lx_options_set(null_opts ? NULL : opts, null_key ? NULL : use_key, null_value ? NULL : use_value,
                            null_err ? NULL : &err);
        /* Arguments are checked in order: options, key, value. */
        if (null_opts || null_key) LXFUZZ_REQUIRE(st == LX_ERR_NULL_ARG, "NULL gave %d", st);
        if (null_value) LXFUZZ_REQUIRE(st == LX_ERR_NULL_ARG || st == LX_ERR_INVALID_ARG, "NULL value gave %d", st);
        lxfuzz_check(st, err, !null_err, NULL);
        free(key);
        free(value);
    }

    lx_client *client = NULL;
    err = NULL;
    st = lx_client_build(opts, &client, &err);
    LXFUZZ_REQUIRE(st == LX_OK || client == NULL, "client written on failure");
    lxfuzz_check(st, err, 1, NULL);
    if (st == LX_OK) {
        err = NULL;
        lxfuzz_check(lx_client_close(client, &err), err, 1, NULL);
        /* A closed client answers CANCELLED, without touching the network. */
        lx_response *resp = NULL;
        err = NULL;
        st = lx_get(client, "/services/pathfinder/v1/factSheets", &resp, &err);
        LXFUZZ_REQUIRE(st == LX_ERR_CANCELLED, "closed client gave %s", lx_status_str(st));
        lxfuzz_check(st, err, 1, NULL);
        lx_free(client);
        lx_free(client);
        err = NULL;
        st = lx_client_close(client, &err); /* freed: INVALID_ARG (or a reused address) */
        lxfuzz_check(st, err, 1, NULL);
    }

    /* lx_client_new with the first two fields as host and token (NULL if absent: env). */
    char *host = count > 0 ? lxfuzz_cstr(f[0], n[0]) : NULL;
    char *token = count > 1 ? lxfuzz_cstr(f[1], n[1]) : NULL;
    client = NULL;
    err = NULL;
    st = lx_client_new(host, token, &client, &err);
    /* No check that the token stays out of the message here: the fuzzer controls the host too,
     * which is quoted when it does not parse, and finds ways to spell the token into it (or to
     * pick a token that is a word of a fixed message). The secrets test (tests/secrets) and the
     * ffi_server target check messages against tokens the input cannot reach. */
    lxfuzz_check(st, err, 1, NULL);
    lx_free(client);
    free(host);
    free(token);

    (void)lx_status_str(size > 0 ? (int32_t)data[0] - 64 : -1);
    lx_free(opts);
    lx_free(opts);
    lx_free(NULL);
    return 0;
}
