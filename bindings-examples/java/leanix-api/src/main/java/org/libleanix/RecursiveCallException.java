package org.libleanix;

/**
 * A blocking call was made from inside a library callback: an event listener, or code run on a
 * library thread when an asynchronous call completes (e.g. a {@code CompletableFuture} stage of
 * a client built with a direct {@code executor}). It would wait for itself, so it fails at once;
 * start the call asynchronously ({@code getAsync}, ...) or make it from another thread.
 *
 * <p>Status {@code LX_ERR_RECURSIVE_CALL}.
 */
public class RecursiveCallException extends LeanixException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception (backends use {@link LeanixException#of}).
     *
     * @param message the message
     */
    public RecursiveCallException(String message) {
        super(Status.LX_ERR_RECURSIVE_CALL, message, 0, null, -1);
    }
}
