package org.libleanix.spi;

/**
 * The per-call options of one call ({@code lx_call_options}): a deadline, a cancellation handle,
 * a GraphQL operation name and the {@code REVISION_CLASH} retries of a fact-sheet update. Immutable; {@link #NONE} sets nothing (the client's request
 * timeout, no cancellation), so a backend may pass NULL options for it.
 */
public final class CallSpec {
    /** {@code lx_call_options_set_revision_clash_retries}'s "the default". */
    public static final int DEFAULT_CLASH_RETRIES = -1;

    /** Nothing set. */
    public static final CallSpec NONE = new CallSpec(0, null, null, DEFAULT_CLASH_RETRIES);

    private final long timeoutMillis;
    private final String operationName;
    private final NativeCancel cancel;
    private final int clashRetries;

    private CallSpec(long timeoutMillis, String operationName, NativeCancel cancel, int clashRetries) {
        this.timeoutMillis = timeoutMillis;
        this.operationName = operationName;
        this.cancel = cancel;
        this.clashRetries = clashRetries;
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
            ? NONE : new CallSpec(timeoutMillis, operationName, cancel, DEFAULT_CLASH_RETRIES);
    }

    /**
     * @param c the cancellation handle
     * @return these options with {@code c} as the cancellation handle
     */
    public CallSpec withCancel(NativeCancel c) {
        CallSpec spec = of(timeoutMillis, operationName, c);
        return clashRetries == DEFAULT_CLASH_RETRIES ? spec : spec.withClashRetries(clashRetries);
    }

    /**
     * @param retries the {@code REVISION_CLASH} retries of a fact-sheet update (the library
     *     checks the range), or {@link #DEFAULT_CLASH_RETRIES}
     * @return these options with {@code retries}
     */
    public CallSpec withClashRetries(int retries) {
        return retries == DEFAULT_CLASH_RETRIES && isNone() ? NONE
            : new CallSpec(timeoutMillis, operationName, cancel, retries);
    }

    /** @return {@code lx_call_options_set_revision_clash_retries}, or {@link #DEFAULT_CLASH_RETRIES} */
    public int clashRetries() {
        return clashRetries;
    }

    /** @return whether only a cancellation handle is set (the handle's own options serve) */
    public boolean onlyCancel() {
        return timeoutMillis == 0 && operationName == null && clashRetries == DEFAULT_CLASH_RETRIES;
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
        return timeoutMillis == 0 && operationName == null && cancel == null
            && clashRetries == DEFAULT_CLASH_RETRIES;
    }

    @Override
    public String toString() {
        return "CallSpec[timeoutMillis=" + timeoutMillis + ", operationName=" + operationName
            + ", cancel=" + (cancel != null) + ", clashRetries=" + clashRetries + "]";
    }
}
