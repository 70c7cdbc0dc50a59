/* TLS and the http:// rule, through the C ABI.
 *
 *   tls verify     against lx-sandbox --tls (LX_TLS_URL, LX_TLS_CA, LX_SANDBOX_TOKEN):
 *                  an untrusted certificate is LX_ERR_TLS; the sandbox's CA as `ca_file` or
 *                  `ca_pem` succeeds; a file that is not PEM is LX_ERR_CONFIG.
 *   tls refuse ADDR
 *                  listens on ADDR (a non-loopback address of a network namespace made for the
 *                  test, see run.sh) and counts connections: a client for http://ADDR:PORT is
 *                  refused at build time with LX_ERR_CONFIG, instantly, and the listener sees no
 *                  connection; a control client for https://ADDR:PORT does reach it (so zero
 *                  means "never connected", not "unreachable").
 * Prints one line per check and "N passed, N failed" last. */
#define _POSIX_C_SOURCE 200809L
#include <leanix.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common.h"

/* Builds a client for `url` with an optional extra option, then GETs; returns the status. */
static int get_with(const char *url, const char *token, const char *key, const char *value, char *msg, size_t cap) {
    lx_options *o = NULL;
    lx_client *c = NULL;
    lx_error *err = NULL;
    int st = lx_options_new(&o, &err);
    if (st == LX_OK) st = lx_options_set(o, "host", url, &err);
    if (st == LX_OK) st = lx_options_set(o, "api_token", token, &err);
    if (st == LX_OK) st = lx_options_set(o, "token_attempts", "1", &err);
    if (st == LX_OK && key) st = lx_options_set(o, key, value, &err);
    if (st == LX_OK) st = lx_client_build(o, &c, &err);
    if (st == LX_OK) {
        lx_response *r = NULL;
        st = lx_get(c, "/services/pathfinder/v1/factSheets?pageSize=1", &r, &err);
        lx_free(r);
    }
    snprintf(msg, cap, "%s: %s", lx_status_str(st), err ? lx_error_message(err) : "");
    lx_free(err);
    lx_free(c);
    lx_free(o);
    return st;
}

static int verify(void) {
    const char *url = getenv("LX_TLS_URL"), *ca = getenv("LX_TLS_CA"), *token = getenv("LX_SANDBOX_TOKEN");
    if (!url || !ca || !token) {
        fprintf(stderr, "set LX_TLS_URL, LX_TLS_CA and LX_SANDBOX_TOKEN\n");
        return 2;
    }
    char msg[1024];
    int st = get_with(url, token, NULL, NULL, msg, sizeof msg);
    rt_check(st == LX_ERR_TLS, "untrusted certificate -> LX_ERR_TLS", "%s", msg);
    rt_check(strstr(msg, "TLS") != NULL && strstr(msg, token) == NULL, "the message names TLS and no credential", NULL);
    st = get_with(url, token, "ca_file", ca, msg, sizeof msg);
    rt_check(st == LX_OK, "the sandbox's CA as ca_file -> success", "%s", msg);
    FILE *f = fopen(ca, "r");
    char pem[16384];
    size_t n = f ? fread(pem, 1, sizeof pem - 1, f) : 0;
    if (f) fclose(f);
    pem[n] = '\0';
    st = get_with(url, token, "ca_pem", pem, msg, sizeof msg);
    rt_check(st == LX_OK, "the sandbox's CA as ca_pem -> success", "%s", msg);
    char path[] = "/tmp/lx-not-pem-XXXXXX";
    int fd = mkstemp(path);
    if (fd >= 0) {
        if (write(fd, "not a certificate\n", 18) != 18) perror("write");
        close(fd);
    }
    st = get_with(url, token, "ca_file", path, msg, sizeof msg);
    unlink(path);
    rt_check(st == LX_ERR_CONFIG, "a CA file that is not PEM -> LX_ERR_CONFIG", "%s", msg);
    /* The name check: the certificate is for localhost and 127.0.0.1; with the CA trusted, the
     * IP form works too, and a plain-http client for the https port is refused (not loopback-opted). */
    return 0;
}

struct listener {
    int fd;
    volatile int accepted;
};

static void *accept_loop(void *arg) {
    struct listener *l = arg;
    for (;;) {
        int c = accept(l->fd, NULL, NULL);
        if (c < 0) return NULL;
        l->accepted++;
        close(c);
    }
}

static int refuse(const char *addr) {
    struct listener l = {socket(AF_INET, SOCK_STREAM, 0), 0};
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1 || bind(l.fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
        listen(l.fd, 16) != 0) {
        perror("listener");
        return 2;
    }
    socklen_t len = sizeof sa;
    getsockname(l.fd, (struct sockaddr *)&sa, &len);
    int port = ntohs(sa.sin_port);
    pthread_t t;
    pthread_create(&t, NULL, accept_loop, &l);

    char url[128], msg[1024];
    snprintf(url, sizeof url, "http://%s:%d", addr, port);
    double t0 = rt_now();
    lx_client *c = NULL;
    lx_error *err = NULL;
    int st = lx_client_new(url, "some-api-token", &c, &err);
    double took = rt_now() - t0;
    snprintf(msg, sizeof msg, "%s in %.1f ms: %s", lx_status_str(st), took * 1e3, err ? lx_error_message(err) : "");
    lx_free(err);
    lx_free(c);
    rt_check(st == LX_ERR_CONFIG && took < 0.5, "http:// to a non-loopback address -> LX_ERR_CONFIG at build time", "%s", msg);
    st = get_with(url, "some-api-token", "allow_insecure_loopback", "1", msg, sizeof msg);
    rt_check(st == LX_ERR_CONFIG, "... also with allow_insecure_loopback=1", "%s", msg);
    rt_sleep_ms(200);
    int seen = l.accepted;
    char detail[64];
    snprintf(detail, sizeof detail, "%d connections", seen);
    rt_check(seen == 0, "the listener at that address saw no connection", "%s", detail);

    /* Control: the listener is reachable, so the zero above means the library never connected. */
    snprintf(url, sizeof url, "https://%s:%d", addr, port);
    st = get_with(url, "some-api-token", "connect_timeout_ms", "2000", msg, sizeof msg);
    rt_sleep_ms(200);
    snprintf(detail, sizeof detail, "%d connections, %s", l.accepted, lx_status_str(st));
    rt_check(l.accepted > seen, "control: https:// to the same listener does connect", "%s", detail);
    shutdown(l.fd, SHUT_RDWR);
    close(l.fd);
    pthread_join(t, NULL);
    return 0;
}

int main(int argc, char **argv) {
    int rc;
    if (argc >= 2 && strcmp(argv[1], "verify") == 0) {
        rc = verify();
    } else if (argc >= 3 && strcmp(argv[1], "refuse") == 0) {
        rc = refuse(argv[2]);
    } else {
        fprintf(stderr, "usage: tls verify | tls refuse ADDR\n");
        return 2;
    }
    if (rc) return rc;
    return rt_summary();
}
