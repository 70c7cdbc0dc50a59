package org.libleanix.spi;

/**
 * The event sinks of the clients that have one, by the number a backend registers with
 * {@code lx_options_set_event_callback} as {@code userdata}; one static event callback per
 * backend dispatches here.
 */
public final class Events {
    /** Receives the events of one client. */
    @FunctionalInterface
    public interface Sink {
        /**
         * @param kind an {@code lx_event_kind}
         * @param detailsJson the details, a JSON object
         */
        void event(int kind, String detailsJson);
    }

    private static final Registry<Sink> SINKS = new Registry<>();

    private Events() {}

    /**
     * @param sink receives the events
     * @return the number to register as {@code userdata} (never 0)
     */
    public static long register(Sink sink) {
        return SINKS.register(sink);
    }

    /**
     * Forgets a sink (its client is freed, or was never built).
     *
     * @param id the number from {@link #register}
     */
    public static void unregister(long id) {
        SINKS.remove(id);
    }

    /**
     * From a backend's event callback: runs the sink as a library callback. Never throws.
     *
     * @param id the callback's {@code userdata}
     * @param kind the {@code lx_event_kind}
     * @param detailsJson the details
     */
    public static void deliver(long id, int kind, String detailsJson) {
        Sink s = SINKS.get(id);
        if (s == null) {
            return;
        }
        try {
            Completions.runAsCallback(() -> s.event(kind, detailsJson));
        } catch (Throwable ignored) {
            // a listener's failure never reaches native code
        }
    }
}
