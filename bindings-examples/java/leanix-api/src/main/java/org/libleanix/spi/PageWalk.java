package org.libleanix.spi;

/**
 * An {@code lx_graphql_pages} walk: one page in memory at a time. Not thread-safe: one call at a
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

    /** {@code lx_free} of the walk. At most once. */
    void free();
}
