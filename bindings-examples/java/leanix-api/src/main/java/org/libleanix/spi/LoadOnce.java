package org.libleanix.spi;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * A backend's one loading of libleanix: the first {@link #get()} runs the load, and its result or
 * its failure is kept, so that every later call returns the same result or rethrows the same
 * clear {@link UnsatisfiedLinkError} (rather than loading again, or a bare
 * {@link ExceptionInInitializerError} later). A failure other than an {@link UnsatisfiedLinkError}
 * (a {@link RuntimeException} or {@link LinkageError}: native access denied, the backend's own
 * native part missing, ...) is kept as one, via {@link #linkError}.
 *
 * @param <T> what a load returns
 */
public final class LoadOnce<T> {
    private final String failurePrefix;
    private final Supplier<T> load;
    private volatile T value;
    private UnsatisfiedLinkError failure;

    /**
     * @param failurePrefix the start of the message of an unexpected failure, followed by the
     *     failure itself (e.g. {@code "JNA cannot load libleanix here: "})
     * @param load the load, run at most once; it must not return null
     */
    public LoadOnce(String failurePrefix, Supplier<T> load) {
        this.failurePrefix = Objects.requireNonNull(failurePrefix, "failurePrefix");
        this.load = Objects.requireNonNull(load, "load");
    }

    /**
     * Loads on the first call; later calls return the same result or rethrow the same failure.
     *
     * @return the load's result
     * @throws UnsatisfiedLinkError if the load failed
     */
    public T get() {
        T loaded = value;
        if (loaded != null) {
            return loaded;
        }
        synchronized (this) {
            if (value != null) {
                return value;
            }
            if (failure != null) {
                throw failure;
            }
            try {
                value = Objects.requireNonNull(load.get(), "load returned null");
                return value;
            } catch (UnsatisfiedLinkError e) {
                failure = e;
                throw e;
            } catch (RuntimeException | LinkageError e) {
                failure = linkError(failurePrefix + e, e);
                throw failure;
            }
        }
    }

    /**
     * An {@link UnsatisfiedLinkError} that keeps its cause (the error has no such constructor).
     *
     * @param message the message
     * @param cause the failure behind it
     * @return the error, to be thrown
     */
    public static UnsatisfiedLinkError linkError(String message, Throwable cause) {
        UnsatisfiedLinkError error = new UnsatisfiedLinkError(message);
        error.initCause(cause);
        return error;
    }
}
