package org.libleanix;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The Integration API of a {@link LeanixClient} ({@link LeanixClient#integration()}): LDIF
 * synchronization runs, waited for by the library ({@code lx_ldif_run}), and runs started
 * already followed by their id ({@code lx_ldif_wait}).
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
        return client.ldifRun(ldifJson, runFlags(test, wait), millis(timeout));
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
        return client.ldifRunAsync(ldifJson, runFlags(test, wait), millis(timeout));
    }

    /**
     * Waits for a run that was started already ({@link #run(String, boolean, boolean, Duration)}
     * with {@code wait == false}, another process, LeanIX's UI) until its end, under the default
     * deadline (30 minutes, {@code LX_DEFAULT_LDIF_RUN_TIMEOUT_MS}).
     *
     * @param runId the run's id ({@link RunResult#id()})
     * @return the run's result
     * @see #wait(String, boolean, boolean, Duration)
     */
    public RunResult wait(String runId) {
        return wait(runId, true, false, null);
    }

    /**
     * Follows a run that was started already by its id ({@code lx_ldif_wait}), as
     * {@link #run(String, boolean, boolean, Duration)} does after the start: polls the status
     * with the same backoff until {@code FINISHED}, {@code FAILED} or {@code STOPPED}, then reads
     * the progress and every warning. On a virtual thread it parks on the asynchronous form.
     *
     * @param runId the run's id ({@link RunResult#id()})
     * @param wait whether to wait for the end (false: poll the status once and return it)
     * @param results whether to fetch the output LDIF of an outbound run at its end (the
     *     direction of a run is not known from its id)
     * @param timeout the deadline of the whole wait, or null for the default (30 minutes)
     * @return the run's result
     * @throws RunFailedException if the run ends {@code FAILED} or {@code STOPPED}, or with
     *     {@code ERROR} warnings ({@link LeanixException#run()} has the result)
     * @throws TimeoutException at the deadline ({@link LeanixException#run()} has the run's id and
     *     last state; the run goes on at LeanIX)
     * @throws NotFoundException for an id LeanIX does not know (the server's 404)
     * @throws InvalidArgumentException for an empty id
     */
    public RunResult wait(String runId, boolean wait, boolean results, Duration timeout) {
        Objects.requireNonNull(runId, "runId");
        return client.ldifWait(runId, waitFlags(wait, results), millis(timeout));
    }

    /**
     * {@link #wait(String, boolean, boolean, Duration)} started at once ({@code lx_ldif_wait_start}):
     * the library polls the run on its own threads. The future completes with the result, or
     * exceptionally with the same exceptions; cancelling it ends the wait, not the run.
     *
     * @param runId the run's id
     * @param wait whether to wait for the end
     * @param results whether to fetch the output LDIF of an outbound run at its end
     * @param timeout the deadline of the whole wait, or null for the default (30 minutes)
     * @return the future of the run's result
     */
    public CompletableFuture<RunResult> waitAsync(String runId, boolean wait, boolean results, Duration timeout) {
        Objects.requireNonNull(runId, "runId");
        return client.ldifWaitAsync(runId, waitFlags(wait, results), millis(timeout));
    }

    /** The {@code LX_LDIF_*} flags of {@code lx_ldif_run}. */
    private static int runFlags(boolean test, boolean wait) {
        return (test ? Status.LX_LDIF_TEST : 0) | (wait ? 0 : Status.LX_LDIF_NO_WAIT);
    }

    /** The {@code LX_LDIF_*} flags of {@code lx_ldif_wait}. */
    private static int waitFlags(boolean wait, boolean results) {
        return (wait ? 0 : Status.LX_LDIF_NO_WAIT) | (results ? Status.LX_LDIF_RESULTS : 0);
    }

    /** A deadline in milliseconds, 0 (the library's default) for null. */
    private static long millis(Duration timeout) {
        return timeout == null ? 0 : LeanixClient.millis("timeout", timeout);
    }
}
