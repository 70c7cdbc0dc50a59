/* Memory: TOTAL sequential GETs through the C ABI on one client, with VmRSS read from
 * /proc/self/status after the first request, after CHECKPOINT requests and after TOTAL, and the
 * peak (VmHWM) at the end. Prints one JSON object (KiB).
 *
 *   memory URL API_TOKEN PATH TOTAL CHECKPOINT
 */
#include "bench_util.h"

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: %s URL API_TOKEN PATH TOTAL CHECKPOINT\n", argv[0]);
        return 2;
    }
    long total = atol(argv[4]), checkpoint = atol(argv[5]);
    if (total < 1 || checkpoint < 1 || checkpoint > total) return 2;
    long rss_start = proc_status_kib("VmRSS");
    lx_client *client = bench_client(argv[1], argv[2], NULL);
    long rss_first = 0, rss_checkpoint = 0;
    uint64_t t0 = now_ns();
    for (long i = 1; i <= total; i++) {
        bench_get(client, argv[3]);
        if (i == 1) rss_first = proc_status_kib("VmRSS");
        if (i == checkpoint) rss_checkpoint = proc_status_kib("VmRSS");
    }
    double elapsed = (double)(now_ns() - t0) / 1e9;
    long rss_end = proc_status_kib("VmRSS"), hwm = proc_status_kib("VmHWM");
    lx_free(client);
    printf("{\"bench\":\"memory\",\"requests\":%ld,\"checkpoint\":%ld,\"seconds\":%.3f,\"rss_start_kib\":%ld,"
           "\"rss_after_first_kib\":%ld,\"rss_checkpoint_kib\":%ld,\"rss_end_kib\":%ld,\"peak_rss_kib\":%ld,"
           "\"growth_kib\":%ld}\n",
           total, checkpoint, elapsed, rss_start, rss_first, rss_checkpoint, rss_end, hwm, rss_end - rss_checkpoint);
    return 0;
}
