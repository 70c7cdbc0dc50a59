package org.libleanix.spi;

/**
 * The per-call options of one call ({@code lx_call_options}): a deadline, a cancellation handle
 * and a GraphQL operation name. Immutable; {@link #NONE} sets nothing (the client's request
 * timeout, no cancellation), so a backend may pass NULL options for it.
 */
public final class CallSpec {
    /** Nothing set. */
    public static final CallSpec NONE = new CallSpec(0, null, null);

    private final long timeoutMillis;
    private final String operationName;
    private final NativeCancel cancel;

    private CallSpec(long timeoutMillis, String operationName, NativeCancel cancel) {
        this.timeoutMillis = timeoutMillis;
        this.operationName = operationName;
        this.cancel = cancel;
    }

    /**
     * @param timeoutMillis the deadline of the call in milliseconds, or 0 for the client's
     * @param operationName the GraphQL {@code operationName}, or null
     * @param cancel the cancellation handle, or null
     * @return the options
     */
    public static CallSpec of(long timeoutMillis, String operationName, NativeCancel cancel) {
        if (timeoutMillis < 0) {
            throw new IllegalArgumentException("timeoutMillis must not be negative");
        }
        return timeoutMillis == 0 && operationName == null && cancel == null
            ? NONE : new CallSpec(timeoutMillis, operationName, cancel);
    }

    /**
     * @param c the cancellation handle
     * @return these options with {@code c} as the cancellation handle
     */
    public CallSpec withCancel(NativeCancel c) {
        return of(timeoutMillis, operationName, c);
    }

    /** @return {@code lx_call_options_set_timeout_ms}: milliseconds, 0 for the client's request timeout */
    public long timeoutMillis() {
        return timeoutMillis;
    }

    /** @return {@code lx_call_options_set_operation_name}, or null */
    public String operationName() {
        return operationName;
    }

    /** @return {@code lx_call_options_set_cancel}, or null */
    public NativeCancel cancel() {
        return cancel;
    }

    /** @return whether nothing is set (the backend may pass NULL options) */
    public boolean isNone() {
        return timeoutMillis == 0 && operationName == null && cancel == null;
    }

    @Override
    public String toString() {
        return "CallSpec[timeoutMillis=" + timeoutMillis + ", operationName=" + operationName
            + ", cancel=" + (cancel != null) + "]";
    }
}
