package org.libleanix;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One API request with its per-call settings, for {@link LeanixClient#send} and
 * {@link LeanixClient#sendAsync}, built like {@code java.net.http.HttpRequest}:
 *
 * <pre>{@code
 * LeanixRequest r = LeanixRequest.newBuilder("/services/pathfinder/v1/factSheets/" + id)
 *     .PUT("{\"name\":\"Payroll 2\"}")               // JSON body, Content-Type: application/json
 *     .header("X-Request-Id", "import-42")
 *     .timeout(Duration.ofSeconds(10))                 // deadline of this call, retries included
 *     .throwOnError(false)                             // 4xx/5xx come back as the response
 *     .build();
 * }</pre>
 *
 * Immutable; the body is copied in and out.
 */
public final class LeanixRequest {
    private final String method;
    private final String path;
    private final Map<String, String> headers;
    private final byte[] body;
    private final boolean retrySafe;
    private final Duration timeout;
    private final Boolean throwOnError;

    private LeanixRequest(Builder b) {
        this.method = b.method;
        this.path = b.path;
        Map<String, String> h = new LinkedHashMap<>(b.headers);
        if (b.json && h.keySet().stream().noneMatch(k -> k.equalsIgnoreCase("Content-Type"))) {
            h.put("Content-Type", "application/json");
        }
        this.headers = Collections.unmodifiableMap(h);
        this.body = b.body;
        this.retrySafe = b.retrySafe;
        this.timeout = b.timeout;
        this.throwOnError = b.throwOnError;
    }

    /**
     * @param path a path on the client's host with optional query, e.g.
     *     {@code /services/pathfinder/v1/factSheets?pageSize=10}
     * @return a builder for a {@code GET} of that path
     */
    public static Builder newBuilder(String path) {
        return new Builder(path);
    }

    /** @return the method, upper case */
    public String method() {
        return method;
    }

    /** @return the path with optional query */
    public String path() {
        return path;
    }

    /** @return the extra headers, in the order given */
    public Map<String, String> headers() {
        return headers;
    }

    /** @return a copy of the body, if there is one */
    public Optional<byte[]> body() {
        return body == null ? Optional.empty() : Optional.of(body.clone());
    }

    byte[] bodyBytes() {
        return body;
    }

    /** @return whether a non-idempotent request may be retried */
    public boolean retrySafe() {
        return retrySafe;
    }

    /** @return the deadline of this call, if set (else the client's {@code requestTimeout}) */
    public Optional<Duration> timeout() {
        return Optional.ofNullable(timeout);
    }

    /** @return whether an unsuccessful status throws, if set here (else the client's setting) */
    public Optional<Boolean> throwOnError() {
        return Optional.ofNullable(throwOnError);
    }

    /**
     * @return {@code LeanixRequest[POST /path?search=…, 12 bytes]}: never header values, query
     *     values or the body
     */
    @Override
    public String toString() {
        return "LeanixRequest[" + method + " " + redactedPath(path) + (body == null ? "" : ", " + body.length + " bytes")
            + "]";
    }

    /**
     * A path as diagnostics show it: every query value replaced by {@code …}, so that a secret
     * passed in a query string does not reach a log (the rule of the core's request diagnostics).
     */
    static String redactedPath(String path) {
        int q = path.indexOf('?');
        if (q < 0) {
            return path;
        }
        StringBuilder shown = new StringBuilder(path.substring(0, q + 1));
        String[] pairs = path.substring(q + 1).split("&", -1);
        for (int i = 0; i < pairs.length; i++) {
            int eq = pairs[i].indexOf('=');
            shown.append(i == 0 ? "" : "&").append(eq < 0 ? pairs[i] : pairs[i].substring(0, eq)).append("=…");
        }
        return shown.toString();
    }

    /** Builds a {@link LeanixRequest}; not thread-safe. */
    public static final class Builder {
        private String method = "GET";
        private final String path;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private byte[] body;
        private boolean json;
        private boolean retrySafe;
        private Duration timeout;
        private Boolean throwOnError;

        private Builder(String path) {
            this.path = Objects.requireNonNull(path, "path");
        }

        /** @return this, for a {@code GET} (the default) */
        public Builder GET() {
            return method("GET", (byte[]) null);
        }

        /** @return this, for a {@code DELETE} without a body */
        public Builder DELETE() {
            return method("DELETE", (byte[]) null);
        }

        /**
         * @param json the JSON body (UTF-8; {@code Content-Type: application/json} unless set)
         * @return this, for a {@code POST}
         */
        public Builder POST(String json) {
            return method("POST", json);
        }

        /**
         * @param json the JSON body (UTF-8; {@code Content-Type: application/json} unless set)
         * @return this, for a {@code PUT}
         */
        public Builder PUT(String json) {
            return method("PUT", json);
        }

        /**
         * @param method any method ({@code PATCH}, {@code HEAD}, ...)
         * @param json the JSON body (UTF-8; {@code Content-Type: application/json} unless set), or null
         * @return this
         */
        public Builder method(String method, String json) {
            method(method, json == null ? null : json.getBytes(StandardCharsets.UTF_8));
            this.json = json != null;
            return this;
        }

        /**
         * @param method any method
         * @param body the body bytes (binary-safe; copied), or null; set {@code Content-Type} yourself
         * @return this
         */
        public Builder method(String method, byte[] body) {
            this.method = Objects.requireNonNull(method, "method").toUpperCase(Locale.ROOT);
            this.body = body == null ? null : body.clone();
            this.json = false;
            return this;
        }

        /**
         * Adds a header ({@code Authorization}, {@code Host} and the framing headers are managed by
         * the client and refused by the call).
         *
         * @param name the name
         * @param value the value
         * @return this
         */
        public Builder header(String name, String value) {
            headers.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * @param retrySafe whether a non-idempotent request (a POST that only reads) may be retried
         *     on transient answers; GET, HEAD, OPTIONS, PUT and DELETE always are
         * @return this
         */
        public Builder retrySafe(boolean retrySafe) {
            this.retrySafe = retrySafe;
            return this;
        }

        /**
         * The deadline of this call, instead of the client's {@code requestTimeout}: the token
         * exchange, every attempt and every wait between attempts must fit, or the call ends with
         * {@link TimeoutException} at the deadline ({@code lx_call_options_set_timeout_ms}).
         *
         * @param timeout positive; rounded up to whole milliseconds
         * @return this
         */
        public Builder timeout(Duration timeout) {
            LeanixClient.millis("timeout", timeout);
            this.timeout = timeout;
            return this;
        }

        /**
         * @param throwOnError false: an unsuccessful HTTP status is returned as the response (see
         *     {@link LeanixResponse#raiseForStatus()}) instead of thrown; failures without an answer
         *     (timeouts, connection errors, ...) still throw. Default: the client's setting.
         * @return this
         */
        public Builder throwOnError(boolean throwOnError) {
            this.throwOnError = throwOnError;
            return this;
        }

        /** @return the request */
        public LeanixRequest build() {
            return new LeanixRequest(this);
        }
    }
}
