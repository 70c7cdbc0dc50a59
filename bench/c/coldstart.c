/* Cold start: a fresh process builds a client and makes one authenticated GET (token exchange
 * included), then exits. The harness times the whole process, from spawn to exit; this program
 * only checks the answer and reports its own in-process share on stdout.
 *
 *   coldstart URL API_TOKEN PATH
 */
#include "bench_util.h"

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s URL API_TOKEN PATH\n", argv[0]);
        return 2;
    }
    uint64_t t0 = now_ns();
    lx_client *client = bench_client(argv[1], argv[2], NULL);
    size_t len = bench_get(client, argv[3]);
    uint64_t t1 = now_ns();
    lx_free(client);
    printf("{\"bench\":\"coldstart\",\"in_main_us\":%.1f,\"bytes\":%zu}\n", (double)(t1 - t0) / 1e3, len);
    return len > 0 ? 0 : 1;
}
