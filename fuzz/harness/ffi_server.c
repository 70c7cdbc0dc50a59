/* Fuzz target: whatever a server answers, through the C ABI. A tiny HTTP server in this process
 * answers the token request and the API request with replies built from the input, and a fresh
 * client (cold cache) makes one call, then reads the response through every accessor.
 * Input: [ctrl:1][token status:1][api status:1] then NUL-separated fields:
 *   token headers, token body, API headers, API body, a header name to look up.
 * Statuses index a table of interesting codes (or are taken raw). Properties: no crash, no
 * LX_ERR_PANIC, LX_OK only with a 2xx, every call returns (libFuzzer -timeout catches a hang),
 * and no message contains the API token or the Basic value. */
#define _GNU_SOURCE /* strcasestr */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "ffi_common.h"
#include "test_client.h" /* tests/c */

#define API_TOKEN "fuzz-api-token-0123456789"
#define BASIC "YXBpdG9rZW46ZnV6ei1hcGktdG9rZW4tMDEyMzQ1Njc4OQ=="

static const int STATUSES[] = {200, 201, 204, 206, 299, 301, 302, 303, 307, 308, 400, 401, 403, 404,
                               408, 413, 429, 500, 502, 503, 504, 100, 101, 199, 600, 999};
#define NSTATUSES (sizeof STATUSES / sizeof STATUSES[0])

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char *token_reply, *api_reply;
static size_t token_reply_len, api_reply_len;
static int port;

static void *serve(void *arg) {
    int fd = *(int *)arg;
    for (;;) {
        int c = accept(fd, NULL, NULL);
        if (c < 0) continue;
        struct timeval tv = {1, 0};
        setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        char req[65536];
        size_t got = 0;
        long need = -1;
        while (got < sizeof req - 1) {
            ssize_t r = read(c, req + got, sizeof req - 1 - got);
            if (r <= 0) break;
            got += (size_t)r;
            req[got] = '\0';
            char *end = strstr(req, "\r\n\r\n");
            if (end && need < 0) {
                char *cl = strcasestr(req, "\ncontent-length:");
                need = (end - req) + 4 + (cl && cl < end ? strtol(cl + 16, NULL, 10) : 0);
            }
            if (need >= 0 && (long)got >= need) break;
        }
        req[got] = '\0';
        pthread_mutex_lock(&lock);
        int is_token = strstr(req, "/oauth2/token") != NULL;
        const char *reply = is_token ? token_reply : api_reply;
        size_t len = is_token ? token_reply_len : api_reply_len;
        if (reply && got > 0) {
            ssize_t w = write(c, reply, len);
            (void)w;
        }
        pthread_mutex_unlock(&lock);
        shutdown(c, SHUT_WR);
        close(c);
    }
    return NULL;
}

static void init(void) {
    static int fd;
    fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 64) != 0) abort();
    socklen_t len = sizeof sa;
    getsockname(fd, (struct sockaddr *)&sa, &len);
    port = ntohs(sa.sin_port);
    pthread_t t;
    pthread_create(&t, NULL, serve, &fd);
    pthread_detach(t);
}

/* "HTTP/1.1 <status> X\r\n" + headers (each line of the field, CRLF-terminated) + a
 * Content-Length unless told not to + "Connection: close" + body. */
static char *reply(int status, const uint8_t *h, size_t hn, const uint8_t *b, size_t bn, int length, size_t *out_len) {
    size_t cap = 128 + hn * 2 + bn;
    char *r = malloc(cap);
    size_t n = (size_t)snprintf(r, cap, "HTTP/1.1 %d X\r\n", status);
    size_t start = 0;
    for (size_t i = 0; i <= hn; i++) {
        if (i == hn || h[i] == '\n') {
            if (i > start) {
                memcpy(r + n, h + start, i - start);
                n += i - start;
                r[n++] = '\r';
                r[n++] = '\n';
            }
            start = i + 1;
        }
    }
    if (length) n += (size_t)snprintf(r + n, cap - n, "Content-Length: %zu\r\n", bn);
    n += (size_t)snprintf(r + n, cap - n, "Connection: close\r\n\r\n");
    memcpy(r + n, b, bn);
    *out_len = n + bn;
    return r;
}

static int pick(uint8_t b) { return b < NSTATUSES * 8 ? STATUSES[b % NSTATUSES] : 100 + b; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!port) init();
    if (size < 3) return 0;
    uint8_t ctrl = data[0];
    const uint8_t *f[5] = {0};
    size_t n[5] = {0};
    size_t count = lxfuzz_split(data + 3, size - 3, f, n, 5);
    static const uint8_t empty[1];
    for (size_t i = count; i < 5; i++) f[i] = empty, n[i] = 0;

    pthread_mutex_lock(&lock);
    free(token_reply);
    free(api_reply);
    token_reply = reply(pick(data[1]), f[0], n[0], f[1], n[1], !(ctrl & 1), &token_reply_len);
    api_reply = reply(pick(data[2]), f[2], n[2], f[3], n[3], !(ctrl & 2), &api_reply_len);
    pthread_mutex_unlock(&lock);

    char host[64], options[256];
    snprintf(host, sizeof host, "http://127.0.0.1:%d", port);
    snprintf(options, sizeof options,
             "token_attempts=%d;max_attempts=%d;retry_base_delay_ms=1;max_retry_after_ms=50;"
             "request_timeout_ms=2000;token_timeout_ms=2000",
             (ctrl & 4) ? 2 : 1, (ctrl & 8) ? 2 : 1);
    lx_client *c = tc_client(host, API_TOKEN, options, NULL);
    if (!c) abort();

    lx_error *err = NULL;
    int st;
    if (ctrl & 0x10) {
        char *out = NULL;
        size_t len = 0;
        st = lx_graphql(c, "{ allFactSheets(first: 1) { totalCount } }", NULL, &out, &len, &err);
        if (st == LX_OK) LXFUZZ_REQUIRE(out && strlen(out) == len, "graphql output length");
        lx_free(out);
    } else {
        lx_response *resp = NULL;
        st = lx_get(c, "/services/pathfinder/v1/factSheets", &resp, &err);
        if (st == LX_OK) {
            int status = lx_response_status(resp);
            LXFUZZ_REQUIRE(status >= 200 && status <= 299, "LX_OK with HTTP %d", status);
            const uint8_t *body = NULL;
            size_t len = 0;
            LXFUZZ_REQUIRE(lx_response_body(resp, &body, &len) == LX_OK && body && body[len] == 0, "body");
            size_t hc = lx_response_header_count(resp);
            for (size_t i = 0; i <= hc + 1; i++) {
                const char *name = NULL, *value = NULL;
                int hs = lx_response_header(resp, i, &name, &value);
                LXFUZZ_REQUIRE(i < hc ? hs == LX_OK && name && value : hs == LX_ERR_NOT_FOUND, "header %zu", i);
            }
            char *want = lxfuzz_cstr(f[4], n[4]);
            const char *value = NULL;
            lx_error *herr = NULL;
            int hs = lx_response_header_get(resp, want, &value, &herr);
            lxfuzz_check(hs == LX_ERR_NOT_FOUND ? LX_OK : hs, hs == LX_ERR_NOT_FOUND ? NULL : herr, 1, NULL);
            if (hs == LX_ERR_NOT_FOUND) lx_free(herr);
            free(want);
            char *claims = NULL;
            lx_error *cerr = NULL;
            lxfuzz_check(lx_claims_json(c, &claims, &cerr), cerr, 1, API_TOKEN);
            lx_free(claims);
        }
        lx_free(resp);
    }
    if (getenv("LXFUZZ_VERBOSE")) fprintf(stderr, "ffi_server: %s %s\n", lx_status_str(st), lx_error_message(err));
    if (st != LX_OK) {
        const char *msg = lx_error_message(err);
        LXFUZZ_REQUIRE(!strstr(msg, BASIC), "message leaks the Basic value: %s", msg);
    }
    lxfuzz_check(st, err, 1, API_TOKEN);
    lx_free(c);
    return 0;
}
