package org.libleanix;

/**
 * Receives a client's {@link LeanixEvent}s ({@link LeanixClient.Builder#eventListener}).
 *
 * <p>Threads: token events (fetched, refreshed, failed) arrive on one of the library's I/O
 * threads; the retry and token-rejected events of a call arrive on the thread that runs the call
 * (the calling thread for a blocking call on a platform thread, an I/O thread otherwise), from
 * inside it. Events may arrive on several threads at once, so a listener must be thread-safe. It
 * must return quickly and must not make blocking calls on a client (they fail at once with
 * {@link RecursiveCallException}); starting asynchronous calls is allowed. An exception it throws
 * is ignored.
 */
@FunctionalInterface
public interface LeanixEventListener {
    /**
     * @param event what happened
     */
    void onEvent(LeanixEvent event);
}
