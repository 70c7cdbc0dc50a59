#define _POSIX_C_SOURCE 200809L
#include "sandbox_control.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static char sb_host[64] = "127.0.0.1";
static int sb_port = 0;

int sb_init(const char *url) {
    const char *p = strstr(url, "://");
    if (!p) return -1;
    p += 3;
    const char *colon = strrchr(p, ':');
    if (!colon) return -1;
    size_t n = (size_t)(colon - p);
    if (n == 0 || n >= sizeof sb_host) return -1;
    memcpy(sb_host, p, n);
    sb_host[n] = '\0';
    if (strcmp(sb_host, "localhost") == 0) strcpy(sb_host, "127.0.0.1");
    sb_port = atoi(colon + 1);
    return sb_port > 0 ? 0 : -1;
}

/* getenv(PREFIX_NAME). */
static const char *prefixed_env(const char *prefix, const char *name) {
    char var[128];
    snprintf(var, sizeof var, "%s_%s", prefix, name);
    return getenv(var);
}

int sb_from_env(const char *prefix, const char **url, const char **token, const char **viewer_token) {
    *url = prefixed_env(prefix, "URL");
    *token = prefixed_env(prefix, "TOKEN");
    int viewer_ok = 1;
    if (viewer_token) {
        *viewer_token = prefixed_env(prefix, "VIEWER_TOKEN");
        viewer_ok = *viewer_token != NULL;
    }
    if (*url && *token && viewer_ok && sb_init(*url) == 0) return 0;
    if (viewer_token)
        fprintf(stderr, "set %s_URL, %s_TOKEN and %s_VIEWER_TOKEN (tests/c/run.sh does)\n", prefix, prefix, prefix);
    else
        fprintf(stderr, "set %s_URL and %s_TOKEN (tests/c/run.sh does)\n", prefix, prefix);
    return -1;
}

int sb_call(const char *method, const char *path, const char *json, char *out, size_t cap) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)sb_port);
    inet_pton(AF_INET, sb_host, &addr.sin_addr);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        close(fd);
        return -1;
    }
    char req[4096];
    size_t body_len = json ? strlen(json) : 0;
    int len = snprintf(req, sizeof req,
                       "%s %s HTTP/1.1\r\nHost: %s:%d\r\nConnection: close\r\n"
                       "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                       method, path, sb_host, sb_port, body_len, json ? json : "");
    if (len < 0 || (size_t)len >= sizeof req || write(fd, req, (size_t)len) != len) {
        close(fd);
        return -1;
    }
    static char resp[1 << 16];
    size_t got = 0;
    ssize_t r;
    while (got < sizeof resp - 1 && (r = read(fd, resp + got, sizeof resp - 1 - got)) > 0) got += (size_t)r;
    resp[got] = '\0';
    close(fd);
    int status = -1;
    if (sscanf(resp, "HTTP/1.%*d %d", &status) != 1) return -1;
    if (out && cap) {
        const char *body = strstr(resp, "\r\n\r\n");
        body = body ? body + 4 : "";
        snprintf(out, cap, "%s", body);
    }
    return status;
}

/* GET /_sandbox/stats into `body`; its status is 200 or the call failed. */
static int fetch_stats(char *body, size_t cap) { return sb_call("GET", "/_sandbox/stats", NULL, body, cap); }

long sb_counter(const char *name) {
    char body[1 << 16];
    if (fetch_stats(body, sizeof body) != 200) return -1;
    return sb_stats_counter(body, name);
}

long sb_requests(const char *endpoint, int status) {
    char body[1 << 16];
    if (fetch_stats(body, sizeof body) != 200) return -1;
    return sb_stats_requests(body, endpoint, status);
}

long sb_stats_counter(const char *stats, const char *name) {
    if (!stats) return -1;
    char key[128];
    snprintf(key, sizeof key, "\"%s\":", name);
    const char *p = strstr(stats, key);
    if (!p) return -1;
    return strtol(p + strlen(key), NULL, 10);
}

long sb_stats_requests(const char *stats, const char *endpoint, int status) {
    if (!stats) return -1;
    char key[128];
    snprintf(key, sizeof key, "\"%s\":{", endpoint);
    const char *p = strstr(stats, key);
    if (!p) return 0;
    p += strlen(key);
    const char *end = strchr(p, '}');
    if (!end) return -1;
    long total = 0;
    /* "200":5,"401":1 */
    while (p < end) {
        const char *q = strchr(p, '"');
        if (!q || q >= end) break;
        int st = atoi(q + 1);
        const char *colon = strchr(q, ':');
        if (!colon || colon >= end) break;
        long n = strtol(colon + 1, NULL, 10);
        if (status < 0 || st == status) total += n;
        p = strchr(colon, ',');
        if (!p || p > end) break;
        p++;
    }
    return total;
}

int sb_fault(const char *json) { return sb_call("POST", "/_sandbox/faults", json, NULL, 0); }

int sb_reset(void) { return sb_call("POST", "/_sandbox/reset", "{}", NULL, 0); }
