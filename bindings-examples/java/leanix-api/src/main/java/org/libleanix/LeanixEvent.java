package org.libleanix;

import java.util.Map;
import java.util.Objects;

/**
 * Something the client did on its own (the C API's {@code lx_event_callback}): a token exchange,
 * a background refresh, a failed exchange, a token the API rejected, a retry, a change of pace
 * after a 429. The details never
 * contain a credential; tokens appear only as 8-hex-digit SHA-256 fingerprints.
 *
 * <p>Delivered to a {@link LeanixEventListener} and, unless turned off with
 * {@link LeanixClient.Builder#logEvents(boolean)}, logged to the {@link System.Logger} named
 * {@value #LOGGER_NAME} (see {@link Kind} for the levels). Immutable.
 */
public final class LeanixEvent {
    /** The name of the {@link System.Logger} events go to. */
    public static final String LOGGER_NAME = "org.libleanix";

    /** What happened ({@code enum lx_event_kind}), with the level it is logged at. */
    public enum Kind {
        /** A token was exchanged because a call needed one (cold cache or expired token); DEBUG. */
        TOKEN_FETCHED(1, System.Logger.Level.DEBUG),
        /** A token was exchanged in the background ahead of expiry (no call waited); DEBUG. */
        TOKEN_REFRESHED(2, System.Logger.Level.DEBUG),
        /** A token exchange failed after its retries ({@code background} says whether a call waited); WARNING. */
        TOKEN_FAILED(3, System.Logger.Level.WARNING),
        /** The API answered 401 and the current token was dropped; INFO. */
        TOKEN_REJECTED(4, System.Logger.Level.INFO),
        /** A token exchange or an API call is retried after a delay ({@code reason}: a status or an error kind); INFO. */
        RETRY(5, System.Logger.Level.INFO),
        /** The client started pacing itself after a 429, slowed down, or stopped pacing ({@code started}, {@code requests_per_minute}); INFO. */
        PACING(6, System.Logger.Level.INFO),
        /** A token was taken from the token cache file, no exchange ({@code fingerprint}, {@code expires_in_ms}); DEBUG. */
        TOKEN_LOADED(7, System.Logger.Level.DEBUG),
        /** The token cache file or its directory was not used ({@code path}, {@code reason}); WARNING. */
        TOKEN_CACHE_IGNORED(8, System.Logger.Level.WARNING),
        /** A new token's {@code instanceUrl} names another origin within the routing rule; API calls go there ({@code origin}); INFO. */
        INSTANCE_ROUTED(9, System.Logger.Level.INFO),
        /** A new token's {@code instanceUrl} is outside the routing rule and was ignored ({@code instance_url}, {@code reason}); WARNING. */
        INSTANCE_REFUSED(10, System.Logger.Level.WARNING),
        /** A kind this binding does not know yet; DEBUG. */
        OTHER(0, System.Logger.Level.DEBUG);

        private final int code;
        private final System.Logger.Level level;

        Kind(int code, System.Logger.Level level) {
            this.code = code;
            this.level = level;
        }

        /** @return the {@code lx_event_kind} number (0 for {@link #OTHER}) */
        public int code() {
            return code;
        }

        /** @return the level the event is logged at */
        public System.Logger.Level level() {
            return level;
        }

        static Kind of(int code) {
            for (Kind k : values()) {
                if (k.code == code && k != OTHER) {
                    return k;
                }
            }
            return OTHER;
        }
    }

    private final Kind kind;
    private final int code;
    private final String detailsJson;
    private volatile Map<String, Object> details;

    LeanixEvent(int code, String detailsJson) {
        this.kind = Kind.of(code);
        this.code = code;
        this.detailsJson = Objects.requireNonNull(detailsJson);
    }

    /** @return what happened */
    public Kind kind() {
        return kind;
    }

    /** @return the {@code lx_event_kind} number as the library sent it */
    public int code() {
        return code;
    }

    /**
     * @return the details as JSON text, e.g.
     *     {@code {"event":"retry","target":"api","attempt":1,"delay_ms":200,"reason":"503"}}
     */
    public String detailsJson() {
        return detailsJson;
    }

    /** @return the details, parsed (unmodifiable; empty if they are not a JSON object) */
    public Map<String, Object> details() {
        Map<String, Object> d = details;
        if (d == null) {
            try {
                d = Json.parseObject(detailsJson);
            } catch (IllegalArgumentException e) {
                d = Map.of();
            }
            details = d;
        }
        return d;
    }

    /** @return one line for a log, e.g. {@code retry: api attempt 1 failed (503), next in 200 ms} */
    public String describe() {
        Map<String, Object> d = details();
        switch (kind) {
            case TOKEN_FETCHED:
                return "token fetched: token " + d.get("fingerprint") + ", valid " + d.get("lifetime_ms") + " ms, "
                    + d.get("attempts") + " attempt(s)";
            case TOKEN_REFRESHED:
                return "token refreshed in the background: token " + d.get("fingerprint") + ", valid "
                    + d.get("lifetime_ms") + " ms";
            case TOKEN_FAILED:
                return "token exchange failed" + (Boolean.TRUE.equals(d.get("background")) ? " (background refresh)" : "")
                    + ": " + d.get("kind") + ": " + d.get("message");
            case TOKEN_REJECTED:
                return "token rejected by the API (401): token " + d.get("fingerprint") + " dropped";
            case RETRY:
                return "retry: " + d.get("target") + " attempt " + d.get("attempt") + " failed (" + d.get("reason")
                    + "), next in " + d.get("delay_ms") + " ms";
            case PACING:
                // A stop event carries the pace that stays: none, or the fixed maxRequestsPerMinute.
                if (!Boolean.TRUE.equals(d.get("started"))) {
                    return d.get("requests_per_minute") == null ? "pacing: stopped"
                        : "pacing: stopped; the fixed " + d.get("requests_per_minute") + " requests per minute stay";
                }
                return "pacing: " + d.get("requests_per_minute") + " requests per minute after a 429";
            case INSTANCE_ROUTED:
                return "API calls routed to " + d.get("origin") + " (the token's instanceUrl)";
            case INSTANCE_REFUSED:
                return "instanceUrl " + d.get("instance_url") + " ignored: " + d.get("reason");
            default:
                return "event " + code + ": " + detailsJson;
        }
    }

    /** @return {@code LeanixEvent[RETRY {...}]} */
    @Override
    public String toString() {
        return "LeanixEvent[" + kind + " " + detailsJson + "]";
    }
}
