package org.libleanix.spi;

import org.libleanix.LeanixResponse;

/**
 * The result of an asynchronous call as its completion callback delivered it: an owned
 * {@code lx_response} or {@code lx_error}, still native, so that the thread that needs it (the
 * waiting thread, or the client's executor) copies it rather than the library's I/O thread.
 * Exactly one of {@link #take()} and {@link #discard()} must be called, once.
 */
public interface NativeOutcome {
    /**
     * Copies the result into Java and frees the native object.
     *
     * @return the response (for {@code lx_graphql_start}, its body is the {@code data} JSON; for
     *     a page fetch ({@link PageWalk#startNext}), the page's JSON, or null after the last page)
     * @throws org.libleanix.LeanixException the failure (after freeing the {@code lx_error})
     */
    LeanixResponse take();

    /** Frees the native object without reading it. */
    void discard();
}
