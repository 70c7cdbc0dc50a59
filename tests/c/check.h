/* What every C test program of tests/c shares: CHECK, the clock, and the one timing margin.
 *
 * Include it once per program (it defines the counters). Timing: a bound on how long something
 * may take is always "the figure the library promises + tc_margin()", printed once at start.
 * The margin is 250 ms, or LX_TEST_MARGIN_MS from the environment. Under valgrind (run.sh sets
 * LX_TEST_VALGRIND=1), which runs everything 20-50x slower and one thread at a time, times say
 * nothing about the library: TIME_CHECKs print their figure and are not counted, and programs
 * leave out their purely timing cases and shrink their loads. */
#ifndef LX_TEST_CHECK_H
#define LX_TEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static int passed, failed;

/* The end of every program: prints its last line, "N passed, M failed", and returns its exit
 * status (1 when a check failed). */
static inline int tc_summary(void) {
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}

/* Counts a failure and prints "FAIL file:line: WHAT: message" on stderr (CHECK and REQUIRE). */
#define TC_FAIL(what, ...)                                             \
    do {                                                               \
        failed++;                                                      \
        fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, what); \
        fprintf(stderr, __VA_ARGS__);                                  \
        fprintf(stderr, "\n");                                         \
    } while (0)

#define CHECK(cond, ...)                 \
    do {                                 \
        if (cond) {                      \
            passed++;                    \
        } else {                         \
            TC_FAIL(#cond, __VA_ARGS__); \
        }                                \
    } while (0)

/* A precondition of the rest of a (void) test function, such as its client: when `cond` is
 * false, a failure (as CHECK's) and return; nothing is counted when it holds. */
#define REQUIRE(cond, ...)               \
    do {                                 \
        if (!(cond)) {                   \
            TC_FAIL(#cond, __VA_ARGS__); \
            return;                      \
        }                                \
    } while (0)

static inline int tc_valgrind(void) {
    const char *env = getenv("LX_TEST_VALGRIND");
    return env && env[0] == '1';
}

/* The start of a purely timing case (a void function): under valgrind, prints "NAME: a timing
 * case, left out under valgrind" and returns. */
#define TIMING_CASE(name)                                                 \
    do {                                                                  \
        if (tc_valgrind()) {                                              \
            printf("%s: a timing case, left out under valgrind\n", name); \
            return;                                                       \
        }                                                                 \
    } while (0)

/* A bound on time: a CHECK, except under valgrind (printed, not counted). */
#define TIME_CHECK(cond, ...)                      \
    do {                                           \
        if (tc_valgrind()) {                       \
            printf("(not timed under valgrind) "); \
            printf(__VA_ARGS__);                   \
            printf("\n");                          \
        } else {                                   \
            CHECK(cond, __VA_ARGS__);              \
        }                                          \
    } while (0)

static inline double tc_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A wait for the passage of time itself (a timer in a test), never to synchronise. */
static inline void tc_sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

/* The margin added to every time bound, in seconds. */
static inline double tc_margin(void) {
    static double margin = -1;
    if (margin < 0) {
        const char *env = getenv("LX_TEST_MARGIN_MS");
        margin = (env && *env ? atof(env) : 250.0) / 1e3;
    }
    return margin;
}

#endif
