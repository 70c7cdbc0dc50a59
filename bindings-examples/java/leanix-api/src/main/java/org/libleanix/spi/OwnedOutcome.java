package org.libleanix.spi;

import org.libleanix.LeanixException;
import org.libleanix.LeanixResponse;
import org.libleanix.Status;

/**
 * A {@link NativeOutcome} over a backend's pointer type: what a completion callback's
 * {@code (status, response, error)} means, in one place for every backend. {@code LX_OK} with a
 * response is the response; {@code LX_OK} without one is the end of a page walk for a page fetch
 * and a library fault ({@code LX_ERR_PANIC}) otherwise; any other status is the error. Whatever is
 * not handed on is freed.
 *
 * @param <P> the backend's pointer to an owned {@code lx_response} or {@code lx_error}
 */
public abstract class OwnedOutcome<P> implements NativeOutcome {
    private final int status;
    private final P response;
    private final P error;
    /** A page fetch's: {@code LX_OK} without a response is the end of the walk. */
    private final boolean page;

    /**
     * @param status the callback's status
     * @param response the owned response, or the backend's NULL
     * @param error the owned error, or the backend's NULL
     * @param page whether this is a page fetch's ({@code lx_*_pages_next_start})
     */
    protected OwnedOutcome(int status, P response, P error, boolean page) {
        this.status = status;
        this.response = response;
        this.error = error;
        this.page = page;
    }

    /**
     * @param p a pointer of the callback
     * @return whether it is NULL
     */
    protected abstract boolean isNull(P p);

    /**
     * {@code lx_free}, doing nothing for NULL.
     *
     * @param p an owned pointer of the callback, or NULL
     */
    protected abstract void free(P p);

    /**
     * Copies a response into Java and frees it.
     *
     * @param response the owned {@code lx_response}, not NULL
     * @return the copy
     */
    protected abstract LeanixResponse takeResponse(P response);

    /**
     * Turns a failed status and its error into an exception, freeing the error.
     *
     * @param status an {@code LX_ERR_*} status
     * @param error the owned {@code lx_error}, or NULL
     * @return the exception
     */
    protected abstract LeanixException takeError(int status, P error);

    @Override
    public final LeanixResponse take() {
        if (page && status == Status.LX_OK && isNull(response)) {
            free(error);
            return null;
        }
        if (status == Status.LX_OK && !isNull(response)) {
            free(error);
            return takeResponse(response);
        }
        free(response);
        throw takeError(status == Status.LX_OK ? Status.LX_ERR_PANIC : status, error);
    }

    @Override
    public final void discard() {
        free(response);
        free(error);
    }
}
