/* Adversarial cases through the C ABI (issue 17): one regression test per finding of the
 * adversarial review, each asserting the fixed behaviour exactly, and the cases that held
 * (path tricks, redirects, hostile headers, slow answers, a gzip bomb), kept holding.
 *
 *   adversarial cases      everything below but the resolver and fork cases (needs the sandbox:
 *                          LX_SANDBOX_URL, LX_SANDBOX_TOKEN)
 *   adversarial resolve    run inside a mount namespace whose /etc/hosts maps x.localhost and
 *                          evil.localhost to 127.0.0.2 (run.sh makes one): the resolver says
 *                          127.0.0.2, the client still connects to 127.0.0.1
 *   adversarial fork N T   N forks from a process with T threads busy in calls (finding 3)
 *
 * "The foreign host" is 127.0.0.2, another loopback address: a raw listener there counts every
 * connection and every request that carries an Authorization header. The findings:
 *   (1) a proxy for an http:// host is refused at build time (LX_ERR_CONFIG); the proxy on
 *       127.0.0.2 receives nothing (control: an https:// host does go through it);
 *   (2) x.localhost connects to 127.0.0.1 without a resolver (and despite one, see resolve);
 *   (3) fork: the inherited client is LX_ERR_FORKED, freeing it and its error works, a new
 *       client in the child works; no child hangs (per-child timeout);
 *   (5) handles are never reused: a stale second lx_free never frees a newer object;
 *   (7) a FIFO as ca_file returns at once; user:pw@ in a host or a request URL is refused; a
 *       proxy with an unsupported scheme is refused; a 1 MB path gives a bounded message;
 *       malformed response headers are LX_ERR_INVALID_RESPONSE after one attempt.
 * Prints one line per check and "N passed, N failed" last; exits non-zero on any failure. */
#define _POSIX_C_SOURCE 200809L
#include <leanix.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "sandbox_control.h"
#include "test_client.h"

#define FACTSHEETS "/services/pathfinder/v1/factSheets?pageSize=1"
#define FOREIGN_ADDR "127.0.0.2"
#define MARGIN_S 0.25 /* added to every time bound */

static const char *sb_url, *sb_token;
static int sb_port;

/* ---- a raw HTTP/1.1 server of our own ---- */

enum raw_mode {
    RAW_COUNT,     /* answers 502 to anything (a listener that only counts) */
    RAW_API,       /* the token endpoint answers a token; API requests get `reply` */
    RAW_DRIBBLE,   /* as RAW_API, but `reply` goes out one byte per `dribble_ms` */
};

struct raw {
    int fd, port;
    pthread_t thread;
    enum raw_mode mode;
    const char *reply;
    size_t reply_len;
    int dribble_ms;
    size_t dribble_from; /* RAW_DRIBBLE: bytes sent at once before the dribble */
    atomic_int connections, requests, api_requests, with_auth;
    atomic_int api_basic, double_auth; /* API requests with Basic credentials, with two Authorization headers */
};

static int starts_with_ci(const char *s, const char *prefix) {
    for (; *prefix; s++, prefix++)
        if ((*s | 0x20) != (*prefix | 0x20)) return 0;
    return 1;
}

static int contains_ci(const char *hay, size_t n, const char *needle) {
    size_t m = strlen(needle);
    for (size_t i = 0; i + m <= n; i++)
        if (starts_with_ci(hay + i, needle)) return 1;
    return 0;
}

static void send_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0) return;
        p += w;
        n -= (size_t)w;
    }
}

static const char TOKEN_BODY[] = "{\"access_token\":\"opaque-access-token-value\",\"token_type\":\"bearer\",\"expires_in\":3599}";

static void serve(struct raw *r, int c) {
    struct timeval tv = {5, 0};
    setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buf[65536];
    size_t got = 0;
    char *end = NULL;
    while (got < sizeof buf - 1) {
        ssize_t n = recv(c, buf + got, sizeof buf - 1 - got, 0);
        if (n <= 0) break;
        got += (size_t)n;
        buf[got] = '\0';
        if ((end = strstr(buf, "\r\n\r\n")) != NULL) break;
    }
    if (got == 0) return;
    /* Read the request body too: closing with unread bytes would reset the connection. */
    if (end) {
        const char *cl = NULL;
        for (const char *p = buf; p < end; p++)
            if (*p == '\n' && starts_with_ci(p + 1, "content-length:")) cl = p + 16;
        size_t want = cl ? (size_t)strtoul(cl, NULL, 10) : 0, have = got - (size_t)(end + 4 - buf);
        char sink[4096];
        while (have < want) {
            ssize_t n = recv(c, sink, sizeof sink, 0);
            if (n <= 0) break;
            have += (size_t)n;
        }
    }
    atomic_fetch_add(&r->requests, 1);
    size_t head = end ? (size_t)(end - buf) : got;
    int auths = 0;
    for (size_t i = 0; i + 15 <= head; i++) auths += starts_with_ci(buf + i, "\nauthorization:");
    if (auths) atomic_fetch_add(&r->with_auth, 1);
    if (r->mode == RAW_COUNT) {
        static const char bad[] = "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        send_all(c, bad, sizeof bad - 1);
        return;
    }
    if (strncmp(buf, "POST /services/mtm/v1/oauth2/token", 34) == 0) {
        char reply[512];
        int n = snprintf(reply, sizeof reply,
                         "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\ncontent-length: %zu\r\n\r\n%s",
                         sizeof TOKEN_BODY - 1, TOKEN_BODY);
        send_all(c, reply, (size_t)n);
        return;
    }
    atomic_fetch_add(&r->api_requests, 1);
    if (contains_ci(buf, head, "\nauthorization: basic")) atomic_fetch_add(&r->api_basic, 1);
    if (auths > 1) atomic_fetch_add(&r->double_auth, 1);
    if (r->mode == RAW_DRIBBLE) {
        send_all(c, r->reply, r->dribble_from);
        for (size_t i = r->dribble_from; i < r->reply_len; i++) {
            if (send(c, r->reply + i, 1, MSG_NOSIGNAL) != 1) return;
            rt_sleep_ms(r->dribble_ms);
        }
        return;
    }
    send_all(c, r->reply, r->reply_len);
}

static void *raw_loop(void *arg) {
    struct raw *r = arg;
    for (;;) {
        int c = accept(r->fd, NULL, NULL);
        if (c < 0) {
            if (errno == EINTR) continue;
            return NULL;
        }
        atomic_fetch_add(&r->connections, 1);
        serve(r, c);
        shutdown(c, SHUT_RDWR);
        close(c);
    }
}

/* Listens on addr:port (0: any free port). Returns 0 on success. */
static int raw_start(struct raw *r, const char *addr, int port, enum raw_mode mode) {
    memset(r, 0, sizeof *r);
    r->mode = mode;
    r->fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(r->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)port);
    if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1 || bind(r->fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
        listen(r->fd, 64) != 0) {
        fprintf(stderr, "listen on %s:%d: %s\n", addr, port, strerror(errno));
        close(r->fd);
        return -1;
    }
    socklen_t len = sizeof sa;
    getsockname(r->fd, (struct sockaddr *)&sa, &len);
    r->port = ntohs(sa.sin_port);
    pthread_create(&r->thread, NULL, raw_loop, r);
    return 0;
}

static void raw_stop(struct raw *r) {
    shutdown(r->fd, SHUT_RDWR);
    close(r->fd);
    pthread_join(r->thread, NULL);
}

static void raw_reset(struct raw *r) {
    atomic_store(&r->connections, 0);
    atomic_store(&r->requests, 0);
    atomic_store(&r->api_requests, 0);
    atomic_store(&r->with_auth, 0);
    atomic_store(&r->api_basic, 0);
    atomic_store(&r->double_auth, 0);
}

/* ---- helpers ---- */

static int build(const char *host, const char *token, const char *extra, lx_client **out, lx_error **err) {
    lx_options *o = NULL;
    int st = tc_options(host, token, extra, &o, err);
    if (st == LX_OK) st = lx_client_build(o, out, err);
    lx_free(o);
    return st;
}

static int get_status(lx_client *c, const char *path, lx_error **err) {
    lx_response *resp = NULL;
    int st = lx_get(c, path, &resp, err);
    lx_free(resp);
    return st;
}

/* Replaces every "@F@" in tmpl by the foreign host:port and "@S@" by the sandbox's. */
static void expand(const char *tmpl, int foreign_port, char *out, size_t cap) {
    size_t o = 0;
    for (const char *p = tmpl; *p && o + 32 < cap;) {
        if (strncmp(p, "@F@", 3) == 0) {
            o += (size_t)snprintf(out + o, cap - o, FOREIGN_ADDR ":%d", foreign_port);
            p += 3;
        } else if (strncmp(p, "@S@", 3) == 0) {
            o += (size_t)snprintf(out + o, cap - o, "127.0.0.1:%d", sb_port);
            p += 3;
        } else {
            out[o++] = *p++;
        }
    }
    out[o] = '\0';
}

static void json_escape(const char *in, char *out, size_t cap) {
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)in; *p && o + 8 < cap; p++) {
        if (*p == '"' || *p == '\\') {
            out[o++] = '\\';
            out[o++] = (char)*p;
        } else if (*p < 0x20) {
            o += (size_t)snprintf(out + o, cap - o, "\\u%04x", *p);
        } else {
            out[o++] = (char)*p;
        }
    }
    out[o] = '\0';
}

/* A printable form of a case for the report. */
static const char *shown(const char *s) {
    static char buf[160];
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && o + 6 < sizeof buf; p++) {
        if (*p == '\r') {
            o += (size_t)snprintf(buf + o, sizeof buf - o, "\\r");
        } else if (*p == '\n') {
            o += (size_t)snprintf(buf + o, sizeof buf - o, "\\n");
        } else if (*p == '\t') {
            o += (size_t)snprintf(buf + o, sizeof buf - o, "\\t");
        } else {
            buf[o++] = (char)*p;
        }
    }
    buf[o] = '\0';
    return buf;
}

/* ---- (1) proxy with an http:// host ---- */

static void finding_proxy(struct raw *foreign) {
    raw_reset(foreign);
    char proxy[64];
    snprintf(proxy, sizeof proxy, "proxy=http://" FOREIGN_ADDR ":%d", foreign->port);
    lx_client *c = NULL;
    lx_error *err = NULL;
    double t0 = rt_now();
    int st = build(sb_url, sb_token, proxy, &c, &err);
    double took = rt_now() - t0;
    rt_check(st == LX_ERR_CONFIG && c == NULL && took < MARGIN_S, "(1) a proxy for the http:// loopback host is refused at build",
          "%s in %.1f ms: %s", lx_status_str(st), took * 1e3, lx_error_message(err));
    rt_check(strstr(lx_error_message(err), "clear text") != NULL && strstr(lx_error_message(err), sb_token) == NULL,
          "(1) the message says why, without the token", NULL);
    lx_free(err);
    err = NULL;
    snprintf(proxy, sizeof proxy, "proxy=https://" FOREIGN_ADDR ":%d", foreign->port);
    st = build(sb_url, sb_token, proxy, &c, &err);
    rt_check(st == LX_ERR_CONFIG, "(1) ... with an https:// proxy too", "%s", lx_status_str(st));
    lx_free(err);
    err = NULL;
    /* The proxy given through the environment is not used for http:// hosts either. */
    setenv("HTTP_PROXY", proxy + 6, 1);
    setenv("http_proxy", proxy + 6, 1);
    st = build(sb_url, sb_token, NULL, &c, &err);
    int got = st == LX_OK ? get_status(c, FACTSHEETS, NULL) : st;
    unsetenv("HTTP_PROXY");
    unsetenv("http_proxy");
    lx_free(c);
    c = NULL;
    rt_check(got == LX_OK, "(1) HTTP_PROXY in the environment: the http:// loopback host is reached directly", "%s",
          lx_status_str(got));
    rt_check(atomic_load(&foreign->connections) == 0 && atomic_load(&foreign->with_auth) == 0,
          "(1) the proxy on " FOREIGN_ADDR " received nothing", "%d connections", atomic_load(&foreign->connections));
    /* Control: for an https:// host the same proxy is used, so the zero above means "never
     * tried". (The raw proxy answers 502 to the CONNECT; no credential is sent before a tunnel.) */
    char host[64];
    snprintf(host, sizeof host, "https://127.0.0.1:%d", sb_port);
    snprintf(proxy, sizeof proxy, "proxy=http://" FOREIGN_ADDR ":%d;token_attempts=1", foreign->port);
    st = build(host, sb_token, proxy, &c, &err);
    got = st == LX_OK ? get_status(c, FACTSHEETS, NULL) : st;
    lx_free(c);
    lx_free(err);
    rt_check(st == LX_OK && got != LX_OK && atomic_load(&foreign->connections) >= 1 && atomic_load(&foreign->with_auth) == 0,
          "(1) control: an https:// host goes through that proxy (CONNECT, no credential)", "%s, %d connections, %d with Authorization",
          lx_status_str(got), atomic_load(&foreign->connections), atomic_load(&foreign->with_auth));
}

/* ---- (2) *.localhost ---- */

static void localhost_reaches_sandbox(const char *name, const char *what) {
    char host[128];
    snprintf(host, sizeof host, "http://%s:%d", name, sb_port);
    sb_reset();
    lx_client *c = NULL;
    lx_error *err = NULL;
    int st = build(host, sb_token, NULL, &c, &err);
    if (st == LX_OK) st = get_status(c, FACTSHEETS, &err);
    rt_check(st == LX_OK && sb_counter("token_exchanges") == 1 && sb_requests("factSheets", 200) == 1, what,
          "%s: %s (%ld exchanges, %ld requests at the sandbox on 127.0.0.1)", host, lx_status_str(st), sb_counter("token_exchanges"),
          sb_requests("factSheets", 200));
    lx_free(err);
    lx_free(c);
}

static void finding_localhost(void) {
    struct addrinfo *ai = NULL;
    int rc = getaddrinfo("leanix-adversarial.localhost", NULL, NULL, &ai);
    printf("     (the resolver on leanix-adversarial.localhost: %s)\n", rc == 0 ? "an address" : gai_strerror(rc));
    if (ai) freeaddrinfo(ai);
    localhost_reaches_sandbox("leanix-adversarial.localhost", "(2) http://NAME.localhost reaches the sandbox without a resolver entry");
    localhost_reaches_sandbox("localhost", "(2) http://localhost too");
    localhost_reaches_sandbox("A.B.LOCALHOST", "(2) upper case and nested labels too");
}

/* Inside a namespace whose /etc/hosts sends x.localhost and evil.localhost to 127.0.0.2. */
static int resolve_case(void) {
    struct raw trap;
    if (raw_start(&trap, FOREIGN_ADDR, sb_port, RAW_COUNT) != 0) return 2;
    const char *names[] = {"x.localhost", "evil.localhost"};
    for (int i = 0; i < 2; i++) {
        struct addrinfo hints, *ai = NULL;
        memset(&hints, 0, sizeof hints);
        hints.ai_family = AF_INET;
        char where[64] = "?";
        if (getaddrinfo(names[i], NULL, &hints, &ai) == 0 && ai) {
            inet_ntop(AF_INET, &((struct sockaddr_in *)ai->ai_addr)->sin_addr, where, sizeof where);
            freeaddrinfo(ai);
        }
        char what[160];
        snprintf(what, sizeof what, "(2) the resolver sends %s to " FOREIGN_ADDR, names[i]);
        rt_check(strcmp(where, FOREIGN_ADDR) == 0, what, "getaddrinfo: %s", where);
        snprintf(what, sizeof what, "(2) the client connects %s to 127.0.0.1 anyway", names[i]);
        localhost_reaches_sandbox(names[i], what);
    }
    rt_check(atomic_load(&trap.connections) == 0 && atomic_load(&trap.with_auth) == 0,
          "(2) the listener on " FOREIGN_ADDR " (same port) received nothing", "%d connections",
          atomic_load(&trap.connections));
    raw_stop(&trap);
    return 0;
}

/* ---- (5) handles are never reused ---- */

#define MANY 5000

static void finding_handles(void) {
    /* Errors. */
    lx_client *c = NULL;
    lx_error *stale = NULL;
    if (lx_client_new("exa mple", "t", &c, &stale) != LX_ERR_CONFIG || !stale) {
        rt_check(0, "(5) an error to free", NULL);
        return;
    }
    lx_free(stale);
    lx_error **errs = calloc(MANY, sizeof *errs);
    int same = 0;
    for (int i = 0; i < MANY; i++) {
        if (lx_client_new("exa mple", "t", &c, &errs[i]) != LX_ERR_CONFIG) errs[i] = NULL;
        same += errs[i] == stale;
    }
    lx_free(stale); /* stale: must free nothing */
    int alive = 0;
    for (int i = 0; i < MANY; i++) alive += lx_error_code(errs[i]) == LX_ERR_CONFIG && lx_error_message(errs[i])[0];
    rt_check(same == 0 && alive == MANY, "(5) errors: a stale second lx_free frees none of 5000 newer ones",
          "%d reused the handle, %d of %d alive", same, alive, MANY);
    rt_check(lx_error_code(stale) == LX_ERR_INVALID_ARG && strcmp(lx_error_message(stale), "") == 0,
          "(5) the freed error is refused", NULL);
    for (int i = 0; i < MANY; i++) lx_free(errs[i]);
    free(errs);

    /* Responses. */
    lx_client *client = NULL;
    if (build(sb_url, sb_token, NULL, &client, NULL) != LX_OK) {
        rt_check(0, "(5) client", NULL);
        return;
    }
    lx_response *old = NULL;
    if (lx_get(client, FACTSHEETS, &old, NULL) != LX_OK) {
        rt_check(0, "(5) a response to free", NULL);
        return;
    }
    lx_free(old);
    enum { RESPONSES = 1000 };
    lx_response **resps = calloc(RESPONSES, sizeof *resps);
    same = 0;
    for (int i = 0; i < RESPONSES; i++) {
        if (lx_get(client, FACTSHEETS, &resps[i], NULL) != LX_OK) resps[i] = NULL;
        same += resps[i] == old;
    }
    lx_free(old);
    alive = 0;
    for (int i = 0; i < RESPONSES; i++) {
        const uint8_t *body = NULL;
        size_t len = 0;
        alive += lx_response_status(resps[i]) == 200 && lx_response_body(resps[i], &body, &len) == LX_OK && len > 0 &&
                 strstr((const char *)body, "\"data\"") != NULL;
    }
    rt_check(same == 0 && alive == RESPONSES, "(5) responses: a stale second lx_free frees none of 1000 newer ones",
          "%d reused, %d of %d alive", same, alive, RESPONSES);
    rt_check(lx_response_status(old) == 0, "(5) the freed response is refused", NULL);
    for (int i = 0; i < RESPONSES; i++) lx_free(resps[i]);
    free(resps);

    /* Clients. */
    lx_client *gone = client;
    lx_free(client);
    enum { CLIENTS = 100 };
    lx_client **clients = calloc(CLIENTS, sizeof *clients);
    same = 0;
    for (int i = 0; i < CLIENTS; i++) {
        if (build(sb_url, sb_token, NULL, &clients[i], NULL) != LX_OK) clients[i] = NULL;
        same += clients[i] == gone;
    }
    lx_free(gone);
    alive = 0;
    for (int i = 0; i < CLIENTS; i++) alive += get_status(clients[i], FACTSHEETS, NULL) == LX_OK;
    lx_error *err = NULL;
    int st = get_status(gone, FACTSHEETS, &err);
    rt_check(same == 0 && alive == CLIENTS, "(5) clients: a stale second lx_free frees none of 100 newer ones",
          "%d reused, %d of %d work", same, alive, CLIENTS);
    rt_check(st == LX_ERR_INVALID_ARG && lx_error_code(err) == LX_ERR_INVALID_ARG &&
              lx_client_close(gone, NULL) == LX_ERR_INVALID_ARG,
          "(5) the freed client gives LX_ERR_INVALID_ARG", "%s: %s", lx_status_str(st), lx_error_message(err));
    lx_free(err);
    for (int i = 0; i < CLIENTS; i++) lx_free(clients[i]);
    free(clients);

    /* Options, call options, cancel handles: the same rule. */
    lx_options *o = NULL;
    lx_call_options *co = NULL;
    lx_cancel *k = NULL;
    rt_check(lx_options_new(&o, NULL) == LX_OK && lx_call_options_new(&co, NULL) == LX_OK && lx_cancel_new(&k, NULL) == LX_OK,
          "(5) new options, call options, cancel handle", NULL);
    lx_free(o);
    lx_free(co);
    lx_free(k);
    lx_options *o2 = NULL;
    lx_call_options *co2 = NULL;
    lx_cancel *k2 = NULL;
    rt_check(lx_options_new(&o2, NULL) == LX_OK && lx_call_options_new(&co2, NULL) == LX_OK &&
              lx_cancel_new(&k2, NULL) == LX_OK,
          "(5) newer options, call options, cancel handle", NULL);
    lx_free(o);
    lx_free(co);
    lx_free(k);
    rt_check(o2 != o && co2 != co && k2 != k && lx_options_set(o2, "user_agent", "x", NULL) == LX_OK &&
              lx_call_options_set_timeout_ms(co2, 10, NULL) == LX_OK && lx_cancel_fire(k2) == LX_OK,
          "(5) options, call options, cancel handles: new handles, untouched by stale frees", NULL);
    rt_check(lx_options_set(o, "user_agent", "x", NULL) == LX_ERR_INVALID_ARG &&
              lx_call_options_set_timeout_ms(co, 10, NULL) == LX_ERR_INVALID_ARG && lx_cancel_fire(k) == LX_ERR_INVALID_ARG,
          "(5) ... and the freed ones are refused", NULL);
    lx_free(o2);
    lx_free(co2);
    lx_free(k2);
}

/* ---- (7) the smaller findings ---- */

struct fifo_call {
    const char *path;
    int status;
    char message[512];
    atomic_int done;
};

static void *set_ca_file(void *arg) {
    struct fifo_call *f = arg;
    lx_options *o = NULL;
    lx_error *err = NULL;
    if (lx_options_new(&o, NULL) != LX_OK) {
        f->status = -1;
        atomic_store(&f->done, 1);
        return NULL;
    }
    f->status = lx_options_set(o, "ca_file", f->path, &err);
    snprintf(f->message, sizeof f->message, "%s", lx_error_message(err));
    lx_free(err);
    lx_free(o);
    atomic_store(&f->done, 1);
    return NULL;
}

static void finding_fifo(void) {
    char dir[] = "/tmp/lx-adversarial-XXXXXX";
    if (!mkdtemp(dir)) {
        rt_check(0, "(7) a scratch directory", NULL);
        return;
    }
    char path[128];
    snprintf(path, sizeof path, "%s/ca.pem", dir);
    mkfifo(path, 0600);
    struct fifo_call f = {path, -1, "", 0};
    pthread_t t;
    double t0 = rt_now();
    pthread_create(&t, NULL, set_ca_file, &f);
    while (!atomic_load(&f.done) && rt_now() - t0 < 2.0) rt_sleep_ms(5); /* a hang guard, polled */
    double took = rt_now() - t0;
    int returned = atomic_load(&f.done);
    if (!returned) {
        /* Still blocked: a writer opening and closing the FIFO releases it (EOF). */
        int w = open(path, O_WRONLY | O_NONBLOCK);
        if (w >= 0) close(w);
    }
    pthread_join(t, NULL);
    rt_check(returned && took < MARGIN_S, "(7) ca_file naming a FIFO returns at once", "%.1f ms", took * 1e3);
    rt_check(f.status == LX_ERR_CONFIG && strstr(f.message, "not a regular file"), "(7) ... with LX_ERR_CONFIG", "%s: %s",
          lx_status_str(f.status), f.message);
    unlink(path);
    rmdir(dir);
}

static void finding_userinfo(void) {
    char host[128];
    snprintf(host, sizeof host, "http://user:pw@127.0.0.1:%d", sb_port);
    lx_client *c = NULL;
    lx_error *err = NULL;
    sb_reset();
    int st = build(host, sb_token, NULL, &c, &err);
    rt_check(st == LX_ERR_CONFIG && strstr(lx_error_message(err), "pw") == NULL, "(7) user:pw@ in the host is refused", "%s: %s",
          lx_status_str(st), lx_error_message(err));
    lx_free(err);
    err = NULL;
    lx_client *ok = NULL;
    if (build(sb_url, sb_token, NULL, &ok, NULL) != LX_OK) return;
    char path[256];
    snprintf(path, sizeof path, "http://user:pw@127.0.0.1:%d" FACTSHEETS, sb_port);
    st = get_status(ok, path, &err);
    rt_check(st == LX_ERR_INVALID_ARG && sb_requests("factSheets", -1) == 0, "(7) user:pw@ in a request URL is refused, nothing sent",
          "%s: %s", lx_status_str(st), lx_error_message(err));
    lx_free(err);
    lx_free(ok);
}

static void finding_proxy_scheme(struct raw *foreign) {
    const char *schemes[] = {"socks5", "socks5h", "socks4", "ftp", "file", "gopher", "ws"};
    int refused = 0;
    char last[256] = "";
    raw_reset(foreign);
    for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++) {
        char proxy[96];
        snprintf(proxy, sizeof proxy, "proxy=%s://" FOREIGN_ADDR ":%d", schemes[i], foreign->port);
        lx_client *c = NULL;
        lx_error *err = NULL;
        int st = build("acme.leanix.net", "t", proxy, &c, &err);
        if (st == LX_ERR_CONFIG) { /* "only http:// and https://", or a URL that does not parse (file://) */
            refused++;
        } else {
            snprintf(last, sizeof last, "%s: %s %s", schemes[i], lx_status_str(st), lx_error_message(err));
        }
        lx_free(err);
        lx_free(c);
    }
    rt_check(refused == (int)(sizeof schemes / sizeof schemes[0]) && atomic_load(&foreign->connections) == 0,
          "(7) a proxy with an unsupported scheme is refused (socks5, socks5h, socks4, ftp, file, gopher, ws)", "%d refused%s%s",
          refused, last[0] ? "; " : "", last);
}

static void finding_huge_path(void) {
    lx_client *c = NULL;
    if (build(sb_url, sb_token, NULL, &c, NULL) != LX_OK) return;
    size_t n = 1 << 20;
    char *path = malloc(n + 2);
    path[0] = '/';
    memset(path + 1, 'a', n);
    path[n + 1] = '\0';
    lx_error *err = NULL;
    double t0 = rt_now();
    int st = get_status(c, path, &err);
    double took = rt_now() - t0;
    size_t len = strlen(lx_error_message(err));
    rt_check(st != LX_OK && len > 0 && len < 1024, "(7) a 1 MB path: a bounded message", "%s, %zu bytes, %.0f ms: %.120s",
          lx_status_str(st), len, took * 1e3, lx_error_message(err));
    lx_free(err);
    err = NULL;
    /* Also through the header block and a bad method of a megabyte. */
    memcpy(path, "X-Big: ", 7);
    lx_response *resp = NULL;
    st = lx_request(c, "GET", FACTSHEETS, path, n, NULL, 0, 0, &resp, &err);
    lx_free(resp);
    resp = NULL;
    rt_check(st != LX_OK && strlen(lx_error_message(err)) < 1024, "(7) a 1 MB header block: a bounded message", "%s, %zu bytes",
          lx_status_str(st), strlen(lx_error_message(err)));
    lx_free(err);
    err = NULL;
    /* A method of a megabyte is a valid token: it goes to the server, whose 4xx is quoted. */
    memset(path, 'M', n);
    path[n] = '\0';
    st = lx_request(c, path, FACTSHEETS, NULL, 0, NULL, 0, 0, &resp, &err);
    char detail[160];
    snprintf(detail, sizeof detail, "%s (HTTP %d), a message of %zu bytes", lx_status_str(st), lx_error_http_status(err),
             strlen(lx_error_message(err)));
    rt_check(st == LX_ERR_INVALID_ARG && strlen(lx_error_message(err)) < 1024, "(7) a 1 MB method: refused, a bounded message",
          "%s", detail);
    lx_free(resp);
    lx_free(err);
    free(path);
    lx_free(c);
}

/* A client for the raw server with `extra` options; the status of one GET, the attempts. */
static int raw_get(struct raw *r, const char *extra, lx_response **out, lx_error **err, double *took) {
    char host[64];
    snprintf(host, sizeof host, "http://127.0.0.1:%d", r->port);
    lx_client *c = NULL;
    int st = build(host, "raw-server-api-token", extra, &c, err);
    raw_reset(r);
    double t0 = rt_now();
    if (st == LX_OK) st = lx_get(c, FACTSHEETS, out, err);
    if (took) *took = rt_now() - t0;
    lx_free(c);
    return st;
}

static char *many_headers(int count, size_t value_len, size_t *len) {
    size_t cap = 256 + (size_t)count * (value_len + 32);
    char *reply = malloc(cap);
    size_t o = (size_t)snprintf(reply, cap, "HTTP/1.1 200 OK\r\n");
    for (int i = 0; i < count; i++) {
        o += (size_t)snprintf(reply + o, cap - o, "x-h%d: ", i);
        memset(reply + o, 'v', value_len);
        o += value_len;
        o += (size_t)snprintf(reply + o, cap - o, "\r\n");
    }
    o += (size_t)snprintf(reply + o, cap - o, "content-length: 2\r\nconnection: close\r\n\r\n{}");
    *len = o;
    return reply;
}

static void finding_malformed_headers(struct raw *api) {
    struct {
        const char *what;
        int count;
        size_t value_len;
    } cases[] = {
        {"(7) 150 response headers", 150, 1},
        {"(7) one response header of 1 MiB", 1, 1024 * 1024},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len = 0;
        char *reply = many_headers(cases[i].count, cases[i].value_len, &len);
        api->reply = reply;
        api->reply_len = len;
        lx_response *resp = NULL;
        lx_error *err = NULL;
        int st = raw_get(api, "retry_base_delay_ms=20", &resp, &err, NULL);
        char what[128];
        snprintf(what, sizeof what, "%s: LX_ERR_INVALID_RESPONSE, one attempt", cases[i].what);
        rt_check(st == LX_ERR_INVALID_RESPONSE && atomic_load(&api->api_requests) == 1, what, "%s after %d attempts: %.150s",
              lx_status_str(st), atomic_load(&api->api_requests), lx_error_message(err));
        lx_free(resp);
        lx_free(err);
        free(reply);
    }
    /* 400 KiB in one header is within hyper's limit for a message head: accepted, one attempt. */
    size_t len = 0;
    char *reply = many_headers(1, 400 * 1024, &len);
    api->reply = reply;
    api->reply_len = len;
    lx_response *resp = NULL;
    lx_error *err = NULL;
    int st = raw_get(api, NULL, &resp, &err, NULL);
    const char *v = NULL;
    int got = st == LX_OK && lx_response_header_get(resp, "x-h0", &v, NULL) == LX_OK && strlen(v) == 400 * 1024;
    rt_check(got && atomic_load(&api->api_requests) == 1, "(7) one response header of 400 KiB: accepted whole, one attempt",
          "%s, %zu bytes", lx_status_str(st), v ? strlen(v) : (size_t)0);
    lx_free(resp);
    lx_free(err);
    free(reply);
}

/* ---- what held: hostile headers, slow answers, a gzip bomb ---- */

static void held_hostile_headers(struct raw *api) {
    static const char ok_body[] = "\r\n\r\n{}";
    (void)ok_body;
    struct {
        const char *what, *reply;
        int status; /* -1: any typed error within max_attempts */
    } cases[] = {
        {"a status line that is not HTTP", "HTTP/1.1 abc Nope\r\ncontent-length: 0\r\n\r\n", LX_ERR_INVALID_RESPONSE},
        {"garbage instead of a status line", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http at all\r\n\r\n",
         LX_ERR_INVALID_RESPONSE},
        {"two different Content-Length", "HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-length: 5\r\n\r\n{}",
         LX_ERR_INVALID_RESPONSE},
        {"a header name with a space", "HTTP/1.1 200 OK\r\nx bad: v\r\ncontent-length: 2\r\n\r\n{}", LX_ERR_INVALID_RESPONSE},
        {"a NUL byte in a header value", "HTTP/1.1 200 OK\r\nx-nul: a\0b\r\ncontent-length: 2\r\n\r\n{}", -1},
        {"an obsolete folded header", "HTTP/1.1 200 OK\r\nx-fold: a\r\n b\r\ncontent-length: 2\r\n\r\n{}", -1},
        {"a negative Content-Length", "HTTP/1.1 200 OK\r\ncontent-length: -1\r\n\r\n{}", LX_ERR_INVALID_RESPONSE},
        {"a Content-Length of 2^64", "HTTP/1.1 200 OK\r\ncontent-length: 18446744073709551616\r\n\r\n{}",
         LX_ERR_INVALID_RESPONSE},
        {"a chunk size of 2^64", "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n10000000000000000\r\n",
         LX_ERR_INVALID_RESPONSE},
        {"chunked with a bad chunk size", "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
         LX_ERR_INVALID_RESPONSE},
        {"a 1xx answer forever", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n", -1},
        {"a 101 upgrade offered", "HTTP/1.1 101 Switching Protocols\r\nupgrade: h2c\r\nconnection: upgrade\r\n\r\n", -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *r = cases[i].reply;
        size_t len = strlen(r);
        if (strstr(cases[i].what, "NUL")) len = strlen(r) + 1 + strlen(r + strlen(r) + 1);
        api->reply = r;
        api->reply_len = len;
        lx_response *resp = NULL;
        lx_error *err = NULL;
        double took = 0;
        int st = raw_get(api, "retry_base_delay_ms=20;request_timeout_ms=3000", &resp, &err, &took);
        int attempts = atomic_load(&api->api_requests);
        int typed = st != LX_OK && st != LX_ERR_PANIC && err && lx_error_code(err) == st;
        char what[128];
        snprintf(what, sizeof what, "hostile header: %s", cases[i].what);
        /* A broken answer is not retried: another attempt gets the same. */
        int most = cases[i].status == LX_ERR_INVALID_RESPONSE ? 1 : 3;
        rt_check((cases[i].status < 0 ? typed : st == cases[i].status) && attempts <= most && took < 3.0 + MARGIN_S, what,
              "%s, %d attempt(s), %.0f ms", lx_status_str(st), attempts, took * 1e3);
        lx_free(resp);
        lx_free(err);
    }
    /* A value that is not UTF-8 is passed on, with U+FFFD for the bad bytes (the header says so). */
    static const char latin1[] = "HTTP/1.1 200 OK\r\nx-name: caf\xe9\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}";
    api->reply = latin1;
    api->reply_len = sizeof latin1 - 1;
    lx_response *resp = NULL;
    lx_error *err = NULL;
    int st = raw_get(api, NULL, &resp, &err, NULL);
    const char *v = NULL;
    int latin = st == LX_OK && lx_response_header_get(resp, "x-name", &v, NULL) == LX_OK && strcmp(v, "caf\xef\xbf\xbd") == 0;
    rt_check(latin, "hostile header: a Latin-1 value comes as UTF-8 with U+FFFD", "%s: %s", lx_status_str(st), v ? v : "(absent)");
    lx_free(resp);
    lx_free(err);
}

static void held_slow_answers(struct raw *api) {
    /* A body dribbled one byte per 100 ms, and headers that stop half-way: the call's deadline
     * (1 s) ends both. */
    static const char slow_body[] = "HTTP/1.1 200 OK\r\ncontent-length: 100\r\nconnection: close\r\n\r\n"
                                    "{\"data\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}";
    static const char slow_headers[] = "HTTP/1.1 200 OK\r\nx-a: 1\r\nx-b: 2\r\nx-c: 3\r\nx-d: 4\r\nx-e: 5\r\nx-f: 6\r\n";
    struct {
        const char *what, *reply;
        size_t at_once; /* bytes sent before the dribble */
    } cases[] = {{"a body at one byte per 100 ms", slow_body, sizeof slow_body - 101}, {"headers at one byte per 100 ms", slow_headers, 0}};
    for (size_t i = 0; i < 2; i++) {
        api->mode = RAW_DRIBBLE;
        api->dribble_ms = 100;
        api->dribble_from = cases[i].at_once;
        api->reply = cases[i].reply;
        api->reply_len = strlen(cases[i].reply);
        lx_response *resp = NULL;
        lx_error *err = NULL;
        double took = 0;
        int st = raw_get(api, "request_timeout_ms=1000", &resp, &err, &took);
        char what[128];
        snprintf(what, sizeof what, "slow answer: %s -> LX_ERR_TIMEOUT at the 1 s deadline", cases[i].what);
        rt_check(st == LX_ERR_TIMEOUT && took >= 1.0 && took <= 1.0 + MARGIN_S && atomic_load(&api->api_requests) == 1, what,
              "%s after %.0f ms, %d attempt(s)", lx_status_str(st), took * 1e3, atomic_load(&api->api_requests));
        lx_free(resp);
        lx_free(err);
        api->mode = RAW_API;
    }
}

static void held_gzip_bomb(struct raw *api) {
    /* 64 MiB of zeros, gzipped to about 64 KiB, sent as Content-Encoding: gzip. The library does
     * not decompress (no Accept-Encoding is sent): the caller gets the compressed bytes. */
    FILE *p = popen("head -c 67108864 /dev/zero | gzip -9 -c", "r");
    char *gz = malloc(1 << 20);
    size_t n = p ? fread(gz, 1, 1 << 20, p) : 0;
    if (p) pclose(p);
    if (n < 1000) {
        rt_check(0, "gzip bomb: gzip is needed to make one", NULL);
        free(gz);
        return;
    }
    size_t cap = n + 256;
    /* Kept for the life of the process: the raw server thread may still be inside send() with it
     * after the client has read the whole answer (ASan saw a use after free once). */
    static char *reply;
    reply = malloc(cap);
    size_t o = (size_t)snprintf(reply, cap,
                                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-encoding: gzip\r\n"
                                "content-length: %zu\r\nconnection: close\r\n\r\n",
                                n);
    memcpy(reply + o, gz, n);
    api->reply = reply;
    api->reply_len = o + n;
    lx_response *resp = NULL;
    lx_error *err = NULL;
    long rss0 = rt_rss_kib();
    int st = raw_get(api, "max_response_bytes=1048576", &resp, &err, NULL);
    long rss1 = rt_rss_kib();
    const uint8_t *body = NULL;
    size_t len = 0;
    int same = st == LX_OK && lx_response_body(resp, &body, &len) == LX_OK && len == n && memcmp(body, gz, n) == 0;
    rt_check(same, "gzip bomb: 64 MiB of zeros as 64 KiB of gzip is passed on compressed, never inflated",
          "%s, %zu bytes (sent %zu), RSS %+ld KiB", lx_status_str(st), len, n, rss1 - rss0);
    lx_free(resp);
    lx_free(err);
    free(gz);
}

/* ---- what held: path tricks and redirects never move a credential to another origin ---- */

static const char *PATHS[] = {
    "//@F@/x", "///@F@/x", "////@F@/x", "http://@F@/x", "https://@F@/x", "HTTP://@F@/x", "hTTp://@F@/x", "http:@F@/x",
    "http:/@F@/x", "http:\\\\@F@/x", "\\\\@F@/x", "/\\@F@/x", "\\/@F@/x", "@@F@/x", "/@@F@/x", ":@@F@/x",
    "http://@S@@@F@/x", "http://@S@\\@@F@/x", "http://@S@.@F@/x", "/x/../../@F@/x", "/%2f%2f@F@/x", "/%5c%5c@F@/x",
    "//@F@%2fx", " http://@F@/x", "\thttp://@F@/x", "\nhttp://@F@/x", "/x\r\nHost: @F@", "/x#@@F@/", "/x?@@F@/",
    "/x?next=http://@F@/", "ftp://@F@/x", "ws://@F@/x", "file:///etc/passwd", "javascript:alert(1)",
    "data:text/plain,x", "//[::ffff:127.0.0.2]:@P@/x", "http://[::ffff:127.0.0.2]:@P@/x", "http://2130706434:@P@/x",
    "http://0x7f000002:@P@/x", "http://0177.0.0.2:@P@/x", "http://127.2:@P@/x",
};

static void expand_port(const char *tmpl, int port, char *out, size_t cap) {
    char tmp[512];
    size_t o = 0;
    for (const char *p = tmpl; *p && o + 16 < sizeof tmp;) {
        if (strncmp(p, "@P@", 3) == 0) {
            o += (size_t)snprintf(tmp + o, sizeof tmp - o, "%d", port);
            p += 3;
        } else {
            tmp[o++] = *p++;
        }
    }
    tmp[o] = '\0';
    expand(tmp, port, out, cap);
}

static void held_path_tricks(struct raw *foreign) {
    lx_client *c = NULL;
    if (build(sb_url, sb_token, "max_attempts=1", &c, NULL) != LX_OK) return;
    raw_reset(foreign);
    sb_reset();
    int outcomes[32] = {0}, bad = 0, n = (int)(sizeof PATHS / sizeof PATHS[0]);
    char last_bad[256] = "";
    for (int i = 0; i < n; i++) {
        char path[512];
        expand_port(PATHS[i], foreign->port, path, sizeof path);
        int before = atomic_load(&foreign->connections);
        lx_error *err = NULL;
        int st = get_status(c, path, &err);
        if (st >= 0 && st < 32) outcomes[st]++;
        /* Allowed: refused as an argument, or sent to the sandbox (which may answer 404). */
        if ((st != LX_OK && st != LX_ERR_INVALID_ARG && st != LX_ERR_HTTP) || atomic_load(&foreign->connections) != before) {
            bad++;
            snprintf(last_bad, sizeof last_bad, "%s -> %s", shown(path), lx_status_str(st));
        }
        lx_free(err);
    }
    rt_check(bad == 0 && atomic_load(&foreign->connections) == 0 && sb_counter("foreign_requests") == 0,
          "held: path tricks stay at the sandbox or are refused", "%d tricks: %d refused (LX_ERR_INVALID_ARG), %d sent to the "
          "sandbox (%d answered, %d 404); %d connections to " FOREIGN_ADDR "%s%s",
          n, outcomes[LX_ERR_INVALID_ARG], outcomes[LX_OK] + outcomes[LX_ERR_HTTP], outcomes[LX_OK], outcomes[LX_ERR_HTTP],
          atomic_load(&foreign->connections), bad ? "; " : "", last_bad);
    lx_free(c);
}

static const char *LOCATIONS[] = {
    "http://@F@/x", "//@F@/x", "https://@F@/x", "HTTP://@F@/x", "http:@F@/x", "http:\\\\@F@/x", "\\\\@F@/x", "/\\@F@/x",
    " //@F@/x", "http://user:pw@@F@/x", "http://@S@@@F@/x", "http://[::ffff:127.0.0.2]:@P@/x", "http://2130706434:@P@/x",
    "http://localhost:@SP@" FACTSHEETS, "https://@S@" FACTSHEETS, "http://@FS@/x", "http://user:pw@@S@" FACTSHEETS,
    FACTSHEETS, "http://@S@" FACTSHEETS,
};

static void held_redirects(struct raw *foreign, int foreign_sandbox_port) {
    lx_client *c = NULL;
    if (build(sb_url, sb_token, "max_attempts=1", &c, NULL) != LX_OK) return;
    const int statuses[] = {301, 302, 303, 307, 308};
    int n = 0, followed = 0, refused = 0, bad = 0;
    char last_bad[256] = "";
    raw_reset(foreign);
    sb_reset();
    for (size_t l = 0; l < sizeof LOCATIONS / sizeof LOCATIONS[0]; l++) {
        char tmpl[512], loc[512], esc[1024];
        /* @SP@: the sandbox's port alone; @FS@: the sandbox's own foreign listener. */
        size_t o = 0;
        for (const char *p = LOCATIONS[l]; *p && o + 32 < sizeof tmpl;) {
            if (strncmp(p, "@SP@", 4) == 0) {
                o += (size_t)snprintf(tmpl + o, sizeof tmpl - o, "%d", sb_port);
                p += 4;
            } else if (strncmp(p, "@FS@", 4) == 0) {
                o += (size_t)snprintf(tmpl + o, sizeof tmpl - o, "127.0.0.1:%d", foreign_sandbox_port);
                p += 4;
            } else {
                tmpl[o++] = *p++;
            }
        }
        tmpl[o] = '\0';
        expand_port(tmpl, foreign->port, loc, sizeof loc);
        json_escape(loc, esc, sizeof esc);
        for (size_t s = 0; s < sizeof statuses / sizeof statuses[0]; s++) {
            char fault[1400];
            snprintf(fault, sizeof fault,
                     "{\"endpoint\":\"factSheets\",\"kind\":\"respond\",\"status\":%d,\"headers\":{\"location\":\"%s\"}}",
                     statuses[s], esc);
            if (sb_fault(fault) != 200) {
                bad++;
                snprintf(last_bad, sizeof last_bad, "fault refused: %.200s", fault);
                continue;
            }
            n++;
            int before = atomic_load(&foreign->connections);
            lx_error *err = NULL;
            int st = get_status(c, FACTSHEETS, &err);
            if (st == LX_OK) {
                followed++;
            } else if (st == LX_ERR_REDIRECT || st == LX_ERR_INVALID_RESPONSE || st == LX_ERR_HTTP) {
                refused++;
            } else {
                bad++;
                snprintf(last_bad, sizeof last_bad, "%d %s -> %s: %s", statuses[s], shown(loc), lx_status_str(st),
                         lx_error_message(err));
            }
            if (atomic_load(&foreign->connections) != before) {
                bad++;
                snprintf(last_bad, sizeof last_bad, "%d %s reached " FOREIGN_ADDR, statuses[s], shown(loc));
            }
            lx_free(err);
            sb_call("POST", "/_sandbox/faults", "{\"endpoint\":\"factSheets\",\"kind\":\"clear\"}", NULL, 0);
        }
    }
    long foreign_sb = sb_counter("foreign_requests"), foreign_auth = sb_counter("foreign_requests_with_authorization");
    rt_check(bad == 0 && atomic_load(&foreign->connections) == 0 && foreign_sb == 0 && foreign_auth == 0,
          "held: redirects never take a request (or a credential) to another origin",
          "%d redirects (%zu Locations x 301/302/303/307/308): %d followed within the origin, %d refused; "
          "%d connections to " FOREIGN_ADDR ", %ld requests at the sandbox's foreign listener%s%s",
          n, sizeof LOCATIONS / sizeof LOCATIONS[0], followed, refused, atomic_load(&foreign->connections), foreign_sb,
          bad ? "; " : "", last_bad);
    /* The same-origin Locations are the ones followed: relative, absolute, and absolute with
     * user:pw@ (followed with the user info dropped; see held_redirect_userinfo). */
    rt_check(followed == 3 * 5, "held: exactly the same-origin Locations are followed", "%d followed, expected 15", followed);
    lx_free(c);
}

/* A same-origin redirect to a URL with user:pw@: no Basic credential, never two Authorization
 * headers (finding 7's "two Authorization headers", by the redirect path). */
static void held_redirect_userinfo(struct raw *api) {
    char reply[256];
    snprintf(reply, sizeof reply,
             "HTTP/1.1 307 Temporary Redirect\r\nlocation: http://user:pw@127.0.0.1:%d/x\r\ncontent-length: 0\r\n"
             "connection: close\r\n\r\n",
             api->port);
    api->reply = reply;
    api->reply_len = strlen(reply);
    lx_response *resp = NULL;
    lx_error *err = NULL;
    int st = raw_get(api, NULL, &resp, &err, NULL);
    int n = atomic_load(&api->api_requests);
    rt_check(st == LX_ERR_INVALID_RESPONSE && n == 5 && atomic_load(&api->api_basic) == 0 && atomic_load(&api->double_auth) == 0,
          "held: a same-origin redirect to user:pw@ sends one Bearer, never Basic or two Authorization headers",
          "%s after %d requests (a loop, stopped at 5 as in the fault matrix), %d with Basic, %d with two headers", lx_status_str(st), n,
          atomic_load(&api->api_basic), atomic_load(&api->double_auth));
    lx_free(resp);
    lx_free(err);
}

/* ---- (3) fork while 16 threads make calls ---- */

struct busy {
    pthread_t thread;
    lx_client *client;
    atomic_int *stop;
    long calls;
    unsigned seed;
};

static void *busy_work(void *arg) {
    struct busy *b = arg;
    while (!atomic_load(b->stop)) {
        lx_error *err = NULL;
        switch (rand_r(&b->seed) % 5) {
        case 0: {
            lx_response *r = NULL;
            if (lx_get(b->client, FACTSHEETS, &r, &err) == LX_OK) lx_free(r);
            break;
        }
        case 1: {
            char *out = NULL;
            if (lx_graphql(b->client, "{ allFactSheets(first: 1) { totalCount } }", NULL, &out, NULL, &err) == LX_OK) lx_free(out);
            break;
        }
        case 2: { /* a failure: an error object, a registry insert */
            lx_response *r = NULL;
            if (lx_request(b->client, "BAD METHOD", FACTSHEETS, NULL, 0, NULL, 0, 0, &r, &err) == LX_OK) lx_free(r);
            break;
        }
        case 3: { /* a client built and freed: the process runtime's lock, too */
            lx_client *c = NULL;
            if (build(sb_url, sb_token, NULL, &c, &err) == LX_OK) lx_free(c);
            break;
        }
        default: {
            lx_options *o = NULL;
            if (lx_options_new(&o, &err) == LX_OK) lx_free(o);
        }
        }
        lx_free(err);
        b->calls++;
    }
    return NULL;
}

/* The child: only async-signal-safe things before exec-like work, no stdio. */
static int child(lx_client *inherited) {
    int code = 0;
    lx_response *r = NULL;
    lx_error *err = NULL;
    int st = lx_get(inherited, FACTSHEETS, &r, &err);
    if (st != LX_ERR_FORKED) code |= 1;
    if (lx_error_code(err) != LX_ERR_FORKED) code |= 2;
    lx_free(err);
    lx_free(inherited);
    lx_client *fresh = NULL;
    if (build(sb_url, sb_token, NULL, &fresh, NULL) != LX_OK) {
        code |= 4;
    } else if (get_status(fresh, FACTSHEETS, NULL) != LX_OK) {
        code |= 8;
    }
    lx_free(fresh);
    return code;
}

static int fork_case(int forks, int nthreads) {
    lx_client *client = NULL;
    if (build(sb_url, sb_token, NULL, &client, NULL) != LX_OK || get_status(client, FACTSHEETS, NULL) != LX_OK) return 2;
    atomic_int stop = 0;
    struct busy *bs = calloc((size_t)nthreads, sizeof *bs);
    for (int i = 0; i < nthreads; i++) {
        bs[i] = (struct busy){0, client, &stop, 0, (unsigned)(i * 7919 + 1)};
        pthread_create(&bs[i].thread, NULL, busy_work, &bs[i]);
    }
    const double child_timeout = 20.0;
    const int parallel = 8;
    struct running {
        pid_t pid;
        double started;
    } run[8];
    int nrun = 0, done = 0, ok = 0, hangs = 0, crashed = 0, codes[16] = {0};
    double worst = 0, total = 0, t0 = rt_now();
    int started = 0;
    while (done < forks) {
        while (nrun < parallel && started < forks) {
            fflush(NULL);
            pid_t pid = fork();
            if (pid == 0) _exit(child(client));
            if (pid < 0) {
                perror("fork");
                break;
            }
            run[nrun++] = (struct running){pid, rt_now()};
            started++;
        }
        /* Reap, or kill the children past their timeout. Polled: a child's end is not an event
         * this thread can wait for with a timeout otherwise. */
        rt_sleep_ms(2);
        for (int i = 0; i < nrun; i++) {
            int status = 0;
            pid_t r = waitpid(run[i].pid, &status, WNOHANG);
            double age = rt_now() - run[i].started;
            if (r == 0 && age < child_timeout) continue;
            if (r == 0) {
                if (hangs == 0 && system("command -v gdb >/dev/null 2>&1") == 0) {
                    /* Where the first hung child is stuck, for the report. */
                    char cmd[128];
                    snprintf(cmd, sizeof cmd, "gdb -q -batch -p %d -ex 'thread apply all bt 12' 2>/dev/null | grep -E '^(#|Thread)' 2>/dev/null | cut -c1-200 | head -40",
                             (int)run[i].pid);
                    printf("FORK a child hung; its stacks:\n");
                    fflush(stdout);
                    if (system(cmd) != 0) printf("(gdb failed)\n");
                }
                kill(run[i].pid, SIGKILL);
                waitpid(run[i].pid, &status, 0);
                hangs++;
            } else if (WIFEXITED(status)) {
                int code = WEXITSTATUS(status) & 15;
                codes[code]++;
                ok += code == 0;
            } else {
                crashed++;
            }
            if (age > worst) worst = age;
            total += age;
            done++;
            run[i--] = run[--nrun];
        }
    }
    double took = rt_now() - t0;
    atomic_store(&stop, 1);
    long calls = 0;
    for (int i = 0; i < nthreads; i++) {
        pthread_join(bs[i].thread, NULL);
        calls += bs[i].calls;
    }
    int parent_ok = get_status(client, FACTSHEETS, NULL) == LX_OK;
    lx_free(client);
    free(bs);
    printf("FORK forks=%d threads=%d duration_s=%.1f children_ok=%d hangs=%d crashed=%d not_forked=%d bad_error=%d "
           "new_client_failed=%d child_ms_mean=%.0f child_ms_max=%.0f parent_calls_meanwhile=%ld\n",
           forks, nthreads, took, ok, hangs, crashed, codes[1] + codes[3] + codes[9] + codes[11], codes[2] + codes[3],
           codes[4] + codes[8] + codes[12], done ? total / done * 1e3 : 0, worst * 1e3, calls);
    rt_check(done == forks && ok == forks, "(3) every child: LX_ERR_FORKED from the inherited client, a new client works",
          "%d of %d", ok, forks);
    rt_check(hangs == 0 && crashed == 0, "(3) no child hung or crashed", "%d hangs (killed after %.0f s), %d crashed", hangs,
          child_timeout, crashed);
    rt_check(calls > 0 && parent_ok, "(3) the parent's threads kept calling, the parent still works", "%ld calls", calls);
    return 0;
}

int main(int argc, char **argv) {
    sb_url = getenv("LX_SANDBOX_URL");
    sb_token = getenv("LX_SANDBOX_TOKEN");
    if (argc < 2 || !sb_url || !sb_token || sb_init(sb_url) != 0) {
        fprintf(stderr, "usage: adversarial cases|resolve|fork N THREADS; set LX_SANDBOX_URL, LX_SANDBOX_TOKEN\n");
        return 2;
    }
    sb_port = atoi(strrchr(sb_url, ':') + 1);
    signal(SIGPIPE, SIG_IGN);
    int rc = 0;
    if (strcmp(argv[1], "resolve") == 0) {
        rc = resolve_case();
    } else if (strcmp(argv[1], "fork") == 0 && argc >= 4) {
        rc = fork_case(atoi(argv[2]), atoi(argv[3]));
    } else if (strcmp(argv[1], "cases") == 0) {
        char info[4096];
        int foreign_sandbox_port = 0;
        if (sb_call("GET", "/_sandbox/info", NULL, info, sizeof info) == 200) {
            const char *f = strstr(info, "\"foreign_url\":\"");
            if (f && (f = strchr(f + 15, ':')) && (f = strchr(f + 1, ':'))) foreign_sandbox_port = atoi(f + 1);
        }
        struct raw foreign, api;
        if (raw_start(&foreign, FOREIGN_ADDR, 0, RAW_COUNT) != 0 || raw_start(&api, "127.0.0.1", 0, RAW_API) != 0) return 2;
        finding_proxy(&foreign);
        finding_localhost();
        finding_handles();
        finding_fifo();
        finding_userinfo();
        finding_proxy_scheme(&foreign);
        finding_huge_path();
        finding_malformed_headers(&api);
        held_hostile_headers(&api);
        held_slow_answers(&api);
        held_gzip_bomb(&api);
        held_path_tricks(&foreign);
        held_redirects(&foreign, foreign_sandbox_port);
        held_redirect_userinfo(&api);
        raw_stop(&api);
        raw_stop(&foreign);
        sb_call("DELETE", "/_sandbox/faults", NULL, NULL, 0);
    } else {
        fprintf(stderr, "usage: adversarial cases|resolve|fork N THREADS\n");
        return 2;
    }
    if (rc) return rc;
    return rt_summary();
}
