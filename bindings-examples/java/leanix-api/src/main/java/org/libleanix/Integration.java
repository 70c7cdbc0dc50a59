package org.libleanix;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The Integration API of a {@link LeanixClient} ({@link LeanixClient#integration()}): LDIF
 * synchronization runs, waited for by the library ({@code lx_ldif_run}).
 *
 * <p>Thread safety: as the client's.
 */
public final class Integration {
    private final LeanixClient client;

    Integration(LeanixClient client) {
        this.client = client;
    }

    /**
     * Runs an LDIF and waits for its end under the default deadline (30 minutes,
     * {@code LX_DEFAULT_LDIF_RUN_TIMEOUT_MS}).
     *
     * @param ldifJson the LDIF as a JSON object
     * @return the run's result
     * @see #run(String, boolean, boolean, Duration)
     */
    public RunResult run(String ldifJson) {
        return run(ldifJson, false, true, null);
    }

    /**
     * Runs an LDIF through the Integration API: creates and starts a synchronization run (a test
     * run with {@code test}: processed with warnings and counts, nothing changed), polls it with
     * backoff (0.5 s doubling to 10 s) until {@code FINISHED}, {@code FAILED} or {@code STOPPED},
     * and returns its result with every warning (paged at 100, as the API requires) and, for an
     * outbound run, the output LDIF (asked for again while LeanIX answers {@code 204}).
     *
     * @param ldifJson the LDIF as a JSON object ({@code connectorType}, {@code connectorId},
     *     {@code connectorVersion}, {@code lxVersion}, {@code processingDirection}, {@code content})
     * @param test whether this is a test run
     * @param wait whether to wait for the end (false: the result has the run's first status)
     * @param timeout the deadline of the whole run, or null for the default (30 minutes)
     * @return the run's result
     * @throws RunFailedException if the run ends {@code FAILED} or {@code STOPPED}, or with
     *     {@code ERROR} warnings ({@link LeanixException#run()} has the result)
     * @throws TimeoutException at the deadline ({@link LeanixException#run()} has the run's id and
     *     last state; the run goes on at LeanIX)
     * @throws InvalidArgumentException for an LDIF that is not JSON or lacks a header field
     * @throws LeanixException on any other failure ({@link ForbiddenException} for a viewer)
     */
    public RunResult run(String ldifJson, boolean test, boolean wait, Duration timeout) {
        Objects.requireNonNull(ldifJson, "ldifJson");
        int flags = (test ? Status.LX_LDIF_TEST : 0) | (wait ? 0 : Status.LX_LDIF_NO_WAIT);
        long ms = timeout == null ? 0 : LeanixClient.millis("timeout", timeout);
        return client.ldifRun(ldifJson, flags, ms);
    }

    /**
     * {@link #run(String, boolean, boolean, Duration)} started at once ({@code lx_ldif_run_start}):
     * the library polls the run on its own threads, no thread of the caller waits. The future
     * completes with the result, or exceptionally with the same exceptions (a
     * {@link RunFailedException} carrying the run); cancelling it ends the wait, not the run.
     *
     * @param ldifJson the LDIF as a JSON object
     * @param test whether this is a test run
     * @param wait whether to wait for the end
     * @param timeout the deadline of the whole run, or null for the default (30 minutes)
     * @return the future of the run's result
     */
    public CompletableFuture<RunResult> runAsync(String ldifJson, boolean test, boolean wait, Duration timeout) {
        Objects.requireNonNull(ldifJson, "ldifJson");
        int flags = (test ? Status.LX_LDIF_TEST : 0) | (wait ? 0 : Status.LX_LDIF_NO_WAIT);
        long ms = timeout == null ? 0 : LeanixClient.millis("timeout", timeout);
        return client.ldifRunAsync(ldifJson, flags, ms);
    }
}
