/* The token cache through the C ABI (issue 18): the option keys token_cache and token_cache_dir,
 * eight processes started together with a cold cache make one exchange between them, a later
 * client takes the stored token (LX_EVENT_TOKEN_LOADED), a 0644 file is ignored
 * (LX_EVENT_TOKEN_CACHE_IGNORED) and replaced by a 0600 one, lx_forget_token removes it.
 * Exchanges are counted by the sandbox. */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE /* mkdtemp */
#include <leanix.h>

#include <dirent.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "sandbox_control.h"
#include "test_client.h"

static const char *url, *token;
static char dir[512];     /* <tmp>/leanix: made by the library */
static char dir_opt[600]; /* "token_cache_dir=<dir>" */

#define FACTSHEETS "/services/pathfinder/v1/factSheets?pageSize=1"
#define PROCESSES 8

static int get_once(lx_client *c) {
    lx_response *resp = NULL;
    int st = lx_get(c, FACTSHEETS, &resp, NULL);
    if (st == LX_OK && lx_response_status(resp) != 200) st = -1;
    lx_free(resp);
    return st;
}

/* The one *.json file in the directory, into path; 0 if there is exactly one. */
static int token_file(char *path, size_t cap) {
    DIR *d = opendir(dir);
    if (!d) return -1;
    int found = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n > 5 && strcmp(e->d_name + n - 5, ".json") == 0) {
            snprintf(path, cap, "%s/%s", dir, e->d_name);
            found++;
        }
    }
    closedir(d);
    return found == 1 ? 0 : -1;
}

static int mode_of(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 ? (int)(st.st_mode & 0777) : -1;
}

/* Events of one client. */
struct seen {
    atomic_int fetched, loaded, ignored;
    char ignored_details[1024];
};

static void on_event(void *userdata, int32_t kind, const char *details) {
    struct seen *s = userdata;
    if (kind == LX_EVENT_TOKEN_FETCHED) atomic_fetch_add(&s->fetched, 1);
    if (kind == LX_EVENT_TOKEN_LOADED) atomic_fetch_add(&s->loaded, 1);
    if (kind == LX_EVENT_TOKEN_CACHE_IGNORED) {
        atomic_fetch_add(&s->ignored, 1);
        snprintf(s->ignored_details, sizeof s->ignored_details, "%s", details);
    }
}

static lx_client *watched_client(struct seen *s) {
    memset(s, 0, sizeof *s);
    lx_options *opts = NULL;
    lx_client *c = NULL;
    if (tc_options(url, token, dir_opt, &opts, NULL) != LX_OK) return NULL;
    if (lx_options_set_event_callback(opts, on_event, s, NULL) != LX_OK || lx_client_build(opts, &c, NULL) != LX_OK) c = NULL;
    lx_free(opts);
    return c;
}

/* Before the parent uses the library at all: children fork from a process without its threads. */
static void test_processes_share_one_exchange(void) {
    sb_reset();
    /* The first exchange is stalled, so the other processes arrive while it holds the lock. */
    sb_fault("{\"endpoint\":\"token\",\"kind\":\"stall\",\"ms\":500,\"times\":1}");
    pid_t pids[PROCESSES];
    for (int i = 0; i < PROCESSES; i++) {
        pids[i] = fork();
        if (pids[i] == 0) {
            lx_client *c = tc_client(url, token, dir_opt, NULL);
            int st = c ? get_once(c) : -2;
            lx_free(c);
            _exit(st == LX_OK ? 0 : 1);
        }
    }
    int ok = 0;
    for (int i = 0; i < PROCESSES; i++) {
        int status = 0;
        if (pids[i] > 0 && waitpid(pids[i], &status, 0) == pids[i] && WIFEXITED(status) && WEXITSTATUS(status) == 0) ok++;
    }
    CHECK(ok == PROCESSES, "%d of %d processes succeeded", ok, PROCESSES);
    CHECK(sb_counter("token_exchanges") == 1, "%ld exchanges for %d cold processes", sb_counter("token_exchanges"), PROCESSES);
    CHECK(sb_counter("token_requests") == 1, "%ld token requests", sb_counter("token_requests"));
    CHECK(mode_of(dir) == 0700, "directory mode %o", mode_of(dir));
    char path[1024];
    CHECK(token_file(path, sizeof path) == 0 && mode_of(path) == 0600, "one 0600 token file (mode %o)", mode_of(path));
}

static void test_a_later_client_loads_the_token(void) {
    struct seen s;
    lx_client *c = watched_client(&s);
    CHECK(c && get_once(c) == LX_OK, "get");
    CHECK(s.loaded == 1 && s.fetched == 0, "loaded %d, fetched %d", s.loaded, s.fetched);
    CHECK(sb_counter("token_exchanges") == 1, "%ld exchanges", sb_counter("token_exchanges"));
    lx_free(c);
}

static void test_a_loose_file_is_ignored(void) {
    char path[1024];
    REQUIRE(token_file(path, sizeof path) == 0, "no token file");
    chmod(path, 0644);
    struct seen s;
    lx_client *c = watched_client(&s);
    CHECK(c && get_once(c) == LX_OK, "get");
    CHECK(s.ignored == 1 && strstr(s.ignored_details, "\"event\":\"token_cache_ignored\"") &&
              strstr(s.ignored_details, "has mode 0644") && strstr(s.ignored_details, "\"path\":"),
          "ignored %d: %s", s.ignored, s.ignored_details);
    CHECK(s.fetched == 1 && s.loaded == 0, "fetched %d, loaded %d", s.fetched, s.loaded);
    CHECK(sb_counter("token_exchanges") == 2, "%ld exchanges", sb_counter("token_exchanges"));
    CHECK(mode_of(path) == 0600, "replaced by a 0600 file (mode %o)", mode_of(path));
    lx_free(c);
}

static void test_forget(void) {
    char path[1024];
    CHECK(token_file(path, sizeof path) == 0, "a token file");
    struct seen s;
    lx_client *c = watched_client(&s);
    int removed = -1;
    CHECK(c && lx_forget_token(c, &removed, NULL) == LX_OK && removed == 1, "removed %d", removed);
    CHECK(access(path, F_OK) != 0, "the file is gone");
    CHECK(lx_forget_token(c, &removed, NULL) == LX_OK && removed == 0, "nothing left: %d", removed);
    CHECK(lx_forget_token(c, NULL, NULL) == LX_OK, "out_removed may be NULL");
    CHECK(get_once(c) == LX_OK && s.fetched == 1, "the next call exchanges (fetched %d)", s.fetched);
    lx_free(c);
}

static void test_options(void) {
    const char *def = NULL;
    CHECK(lx_options_default("token_cache", &def) == LX_OK && def && strcmp(def, "0") == 0, "default %s", def ? def : "(null)");
    lx_options *opts = NULL;
    lx_error *err = NULL;
    CHECK(lx_options_new(&opts, NULL) == LX_OK, "options");
    CHECK(lx_options_set(opts, "token_cache", "maybe", &err) == LX_ERR_INVALID_ARG, "bad flag refused");
    CHECK(err && strstr(lx_error_message(err), "token_cache"), "the message names the key: %s", err ? lx_error_message(err) : "");
    lx_free(err);
    lx_free(opts);
    /* Off by default: a client without the key writes nothing. */
    sb_reset();
    lx_client *c = tc_client(url, token, NULL, NULL);
    CHECK(c && get_once(c) == LX_OK, "get");
    lx_free(c);
    c = tc_client(url, token, NULL, NULL);
    CHECK(c && get_once(c) == LX_OK, "get");
    lx_free(c);
    CHECK(sb_counter("token_exchanges") == 2, "%ld exchanges without the cache", sb_counter("token_exchanges"));
}

int main(void) {
    if (sb_from_env("LX_SANDBOX", &url, &token, NULL) != 0) return 2;
    char tmpl[] = "/tmp/lx-token-cache-XXXXXX";
    if (!mkdtemp(tmpl)) {
        perror("mkdtemp");
        return 2;
    }
    snprintf(dir, sizeof dir, "%s/leanix", tmpl);
    snprintf(dir_opt, sizeof dir_opt, "token_cache_dir=%s", dir);
    test_processes_share_one_exchange();
    test_a_later_client_loads_the_token();
    test_a_loose_file_is_ignored();
    test_forget();
    test_options();
    /* Clean up: the token file (if any), the lock file, the directories. */
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        char p[1100];
        while ((e = readdir(d))) {
            if (e->d_name[0] == '.' && (e->d_name[1] == '\0' || (e->d_name[1] == '.' && e->d_name[2] == '\0'))) continue;
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            unlink(p);
        }
        closedir(d);
    }
    rmdir(dir);
    rmdir(tmpl);
    return tc_summary();
}
