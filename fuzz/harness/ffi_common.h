/* Shared by the C ABI fuzz targets: checks every status and error object the library returns. */
#ifndef LXFUZZ_FFI_COMMON_H
#define LXFUZZ_FFI_COMMON_H

#include <leanix.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A finding: print it and abort, so that libFuzzer keeps the input. */
#define LXFUZZ_REQUIRE(cond, ...)                                             \
    do {                                                                      \
        if (!(cond)) {                                                        \
            fprintf(stderr, "lxfuzz: %s:%d: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                     \
            fprintf(stderr, "\n");                                            \
            abort();                                                          \
        }                                                                     \
    } while (0)

/* A status is one of the documented codes, never LX_ERR_PANIC (a caught bug is still a bug);
 * on failure the error object (if asked for) matches it and has a message. Frees `err`. */
static inline void lxfuzz_check(int st, lx_error *err, int asked_for_err, const char *secret) {
    LXFUZZ_REQUIRE(st >= LX_OK && st <= LX_ERR_NOT_FOUND, "unknown status %d", st);
    LXFUZZ_REQUIRE(st != LX_ERR_PANIC, "%s", err ? lx_error_message(err) : "(no error object)");
    if (st == LX_OK) {
        LXFUZZ_REQUIRE(err == NULL, "error object written on success");
        return;
    }
    if (!asked_for_err) return;
    LXFUZZ_REQUIRE(err != NULL, "no error object for %s", lx_status_str(st));
    LXFUZZ_REQUIRE(lx_error_code(err) == st, "code %d vs status %d", lx_error_code(err), st);
    const char *msg = lx_error_message(err);
    LXFUZZ_REQUIRE(msg && *msg, "empty message for %s", lx_status_str(st));
    if (secret && strlen(secret) >= 8) LXFUZZ_REQUIRE(!strstr(msg, secret), "message leaks a secret: %s", msg);
    (void)lx_error_http_status(err);
    (void)lx_error_oauth_error(err);
    (void)lx_error_retry_after_ms(err);
    lx_free((void *)msg); /* borrowed: documented to be ignored */
    lx_free(err);
    lx_free(err); /* double free: ignored */
}

/* Copies `n` bytes into a new NUL-terminated string (free with free()). */
static inline char *lxfuzz_cstr(const uint8_t *p, size_t n) {
    char *s = malloc(n + 1);
    if (n) memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

/* Splits data into `max` fields at NUL bytes; returns how many (the last takes the rest). */
static inline size_t lxfuzz_split(const uint8_t *data, size_t size, const uint8_t **fields, size_t *lens, size_t max) {
    size_t n = 0, start = 0;
    for (size_t i = 0; i <= size && n < max; i++) {
        if (i == size || (data[i] == 0 && n + 1 < max)) {
            fields[n] = data + start;
            lens[n] = i - start;
            n++;
            start = i + 1;
        }
    }
    return n;
}

#endif
