package org.libleanix.spi;

/**
 * An {@code lx_graphql_pages} or {@code lx_rest_pages} walk: one page in memory at a time. Not thread-safe: one call at a
 * time, and {@link #free()} only when no {@link #next()} is running.
 */
public interface PageWalk {
    /**
     * {@code lx_graphql_pages_next}: blocks for the next page.
     *
     * @return the page's {@code data} as JSON text, or null after the last page
     * @throws org.libleanix.LeanixException a failed call or a violation of the paging rule,
     *     which ends the walk
     */
    String next();

    /**
     * {@code lx_graphql_pages_next_start} / {@code lx_rest_pages_next_start}: starts the fetch of
     * the next page and returns at once; the backend's page completion callback hands
     * {@link Completions#deliver} an outcome with {@code callId}, exactly once, on a library
     * thread, whose {@link NativeOutcome#take()} returns the page as a response (its body the
     * page's JSON) or null after the last page. If this throws, the callback never runs.
     *
     * @param callId the number from {@link Completions#register}
     * @throws UnsupportedOperationException if the backend has no asynchronous page fetch (the
     *     default); the caller then uses {@link #next()}
     */
    default void startNext(long callId) {
        throw new UnsupportedOperationException("no asynchronous page fetch in this backend");
    }

    /** {@code lx_free} of the walk. At most once. */
    void free();
}
