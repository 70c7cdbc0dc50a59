/* Fuzz target: lx_request / lx_get / lx_graphql arguments through the C ABI. The client points
 * at a closed port (nothing is ever sent), so what is exercised is argument validation:
 * methods, paths, header blocks, bodies, flags, NULLs, huge lengths, foreign and freed handles.
 * Input: [ctrl:1][flags:1][mlen:1][method][plen:1][path][hlen:1][headers][body...] */
#include <stdint.h>

#include "ffi_common.h"

static lx_client *live, *freed;
static lx_options *not_a_client;

static void init(void) {
    lx_options *o = NULL;
    if (lx_options_new(&o, NULL) != LX_OK) abort();
    lx_options_set(o, "host", "http://127.0.0.1:1", NULL);
    lx_options_set(o, "api_token", "fuzz-api-token-0123456789", NULL);
    lx_options_set(o, "allow_insecure_loopback", "1", NULL);
    lx_options_set(o, "token_attempts", "1", NULL);
    lx_options_set(o, "max_attempts", "1", NULL);
    lx_options_set(o, "connect_timeout_ms", "200", NULL);
    if (lx_client_build(o, &live, NULL) != LX_OK) abort();
    if (lx_client_build(o, &freed, NULL) != LX_OK) abort();
    lx_free(freed);
    not_a_client = o;
}

static const uint8_t *take(const uint8_t **p, size_t *left, size_t n, size_t *got) {
    const uint8_t *start = *p;
    *got = n < *left ? n : *left;
    *p += *got;
    *left -= *got;
    return start;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!live) init();
    if (size < 2) return 0;
    uint8_t ctrl = data[0];
    int32_t flags = (int8_t)data[1];
    const uint8_t *p = data + 2;
    size_t left = size - 2, mlen, plen, hlen, blen;
    size_t want = left ? *p : 0;
    take(&p, &left, 1, &mlen);
    const uint8_t *m = take(&p, &left, want, &mlen);
    want = left ? *p : 0;
    take(&p, &left, 1, &plen);
    const uint8_t *path_bytes = take(&p, &left, want, &plen);
    want = left ? *p : 0;
    take(&p, &left, 1, &hlen);
    const uint8_t *headers = take(&p, &left, want, &hlen);
    const uint8_t *body = take(&p, &left, left, &blen);

    char *method = lxfuzz_cstr(m, mlen);
    char *path = lxfuzz_cstr(path_bytes, plen);
    const lx_client *client = live;
    switch ((ctrl >> 5) & 3) {
    case 1: client = NULL; break;
    case 2: client = freed; break;
    case 3: client = (const lx_client *)not_a_client; break;
    default: break;
    }
    lx_response *sentinel = (lx_response *)(uintptr_t)0x5eed;
    lx_response *resp = sentinel;
    lx_error *err = NULL;
    int ask_err = !(ctrl & 0x10);
    size_t body_len = (ctrl & 0x80) && blen ? (size_t)-1 - blen : blen;
    int st;
    if (ctrl & 0x08) {
        char *vars = lxfuzz_cstr(headers, hlen);
        char *out = (char *)sentinel;
        size_t out_len = 0;
        st = lx_graphql(client, (ctrl & 1) ? NULL : path, (ctrl & 2) ? NULL : vars, (ctrl & 4) ? NULL : &out, &out_len,
                        ask_err ? &err : NULL);
        LXFUZZ_REQUIRE(st != LX_OK, "a GraphQL call succeeded against a closed port");
        LXFUZZ_REQUIRE(out == (char *)sentinel, "output written on failure");
        free(vars);
    } else if ((ctrl & 7) == 7) {
        st = lx_get(client, path, &resp, ask_err ? &err : NULL);
    } else {
        st = lx_request(client, (ctrl & 1) ? NULL : method, path, (ctrl & 2) ? NULL : (const char *)headers, hlen,
                        (ctrl & 4) ? NULL : body, body_len, flags, &resp, ask_err ? &err : NULL);
    }
    LXFUZZ_REQUIRE(st != LX_OK, "a request succeeded against a closed port");
    LXFUZZ_REQUIRE(resp == sentinel, "output written on failure");
    if (client != live) LXFUZZ_REQUIRE(st == LX_ERR_NULL_ARG || st == LX_ERR_INVALID_ARG, "bad handle gave %d", st);
    /* No check that the configured token stays out of messages here: invalid header names and
     * foreign URLs are quoted back, and the fuzzer learns to spell the token into them (split
     * by newlines the URL parser drops, percent-encoded, ...). ffi_server and tests/secrets
     * check messages against tokens the input cannot reach. */
    lxfuzz_check(st, err, ask_err, NULL);
    free(method);
    free(path);
    return 0;
}
