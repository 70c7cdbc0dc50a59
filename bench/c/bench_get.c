/* Closed-loop GETs through the C ABI: THREADS pthreads share one lx_client, each sending one
 * request after the other; after WARMUP seconds, the requests completed in the next SECONDS
 * seconds are counted and their latencies kept. Prints one JSON object.
 *
 *   bench_get URL API_TOKEN PATH THREADS WARMUP SECONDS [key=value option ...]
 */
#include "bench_util.h"

#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

enum { WARMUP, MEASURE, STOP };

static atomic_int phase = WARMUP;
static pthread_barrier_t start;

typedef struct {
    const lx_client *client;
    const char *path;
    samples s;
} worker;

static void *run(void *arg) {
    worker *w = arg;
    pthread_barrier_wait(&start);
    while (atomic_load_explicit(&phase, memory_order_relaxed) != STOP) {
        uint64_t t = now_ns();
        bench_get(w->client, w->path);
        uint64_t d = now_ns() - t;
        if (atomic_load_explicit(&phase, memory_order_relaxed) == MEASURE) samples_push(&w->s, d);
    }
    return NULL;
}

static void sleep_s(double s) {
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

int main(int argc, char **argv) {
    if (argc < 7) {
        fprintf(stderr, "usage: %s URL API_TOKEN PATH THREADS WARMUP SECONDS [key=value ...]\n", argv[0]);
        return 2;
    }
    const char *path = argv[3];
    int threads = atoi(argv[4]);
    double warmup = atof(argv[5]), seconds = atof(argv[6]);
    if (threads < 1) return 2;
    lx_client *client = bench_client(argv[1], argv[2], (const char *const *)argv + 7);

    worker *ws = calloc((size_t)threads, sizeof *ws);
    pthread_t *ts = calloc((size_t)threads, sizeof *ts);
    pthread_barrier_init(&start, NULL, (unsigned)threads + 1);
    for (int i = 0; i < threads; i++) {
        ws[i] = (worker){client, path, {0}};
        if (pthread_create(&ts[i], NULL, run, &ws[i]) != 0) {
            perror("pthread_create");
            return 1;
        }
    }
    pthread_barrier_wait(&start);
    sleep_s(warmup);
    double cpu0, cpu1;
    long sw0, sw1;
    usage_now(&cpu0, &sw0);
    atomic_store(&phase, MEASURE);
    uint64_t t0 = now_ns();
    sleep_s(seconds);
    atomic_store(&phase, STOP);
    double elapsed = (double)(now_ns() - t0) / 1e9;
    usage_now(&cpu1, &sw1);

    samples all = {0};
    for (int i = 0; i < threads; i++) {
        pthread_join(ts[i], NULL);
        for (size_t j = 0; j < ws[i].s.n; j++) samples_push(&all, ws[i].s.v[j]);
        free(ws[i].s.v);
    }
    qsort(all.v, all.n, sizeof *all.v, cmp_u64);
    double sum = 0;
    for (size_t j = 0; j < all.n; j++) sum += (double)all.v[j];
    printf("{\"bench\":\"load\",\"subject\":\"c-abi\",\"threads\":%d,\"requests\":%zu,\"seconds\":%.3f,"
           "\"rps\":%.1f,\"latency\":{\"count\":%zu,\"mean_us\":%.1f,\"p50_us\":%.1f,\"p90_us\":%.1f,"
           "\"p99_us\":%.1f,\"p999_us\":%.1f,\"max_us\":%.1f},\"usage\":{\"cpu_us_per_request\":%.1f,"
           "\"switches_per_request\":%.2f}}\n",
           threads, all.n, elapsed, (double)all.n / elapsed, all.n, all.n ? sum / (double)all.n / 1e3 : 0.0,
           pct_us(&all, 0.5), pct_us(&all, 0.9), pct_us(&all, 0.99), pct_us(&all, 0.999), pct_us(&all, 1.0),
           (cpu1 - cpu0) / (double)(all.n ? all.n : 1), (double)(sw1 - sw0) / (double)(all.n ? all.n : 1));
    free(all.v);
    free(ws);
    free(ts);
    lx_free(client);
    return 0;
}
