package org.libleanix;

import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.libleanix.spi.BackendClient;
import org.libleanix.spi.LeanixBackend;

/**
 * A LeanIX API client backed by libleanix: give it a host and an API token, and it exchanges the
 * token for access tokens ({@code POST /services/mtm/v1/oauth2/token}), caches them, refreshes
 * them in the background before they expire, replays once after a 401, retries idempotent
 * requests on 429/502/503/504 and connection errors, and keeps every timeout on.
 *
 * <pre>{@code
 * try (LeanixClient client = LeanixClient.builder()
 *         .host("acme.leanix.net")                  // default: LEANIX_HOST
 *         .apiToken(System.getenv("MY_TOKEN"))      // default: LEANIX_API_TOKEN
 *         .requestTimeout(Duration.ofSeconds(30))
 *         .build()) {
 *     LeanixResponse r = client.get("/services/pathfinder/v1/factSheets?pageSize=10");
 *     String data = client.graphql("{ allFactSheets(first: 5) { totalCount } }", null);
 * } catch (RateLimitedException e) {
 *     // e.retryAfter()
 * }
 * }</pre>
 *
 * <p><b>Threads.</b> A client is thread-safe and meant to be shared: any number of threads may
 * call it at once, and they share one access token (one exchange however many threads start
 * cold). Each call runs its request on the calling thread, which blocks until the answer, over a
 * keep-alive connection of that thread's own (the library keeps one connection pool per calling
 * thread, not one per client: DECISIONS.md, "Runtime model"); token exchanges and background
 * refreshes run on the library's own I/O threads. Threads of both backends run in parallel. Virtual threads may call it
 * too, but a call blocked in native code pins its carrier thread for the duration of the
 * request (and uses that carrier's connections), so prefer platform threads for many concurrent
 * calls.
 *
 * <p><b>Closing.</b> {@link #close()} is idempotent. It cancels the calls in flight on other
 * threads (they end promptly with {@link CancelledException}), waits until they have returned,
 * and only then frees the native client; calls started after it throw
 * {@link IllegalStateException}. A client that becomes unreachable without being closed is freed
 * by a {@link Cleaner}, but close it: the GC does not know about its sockets and threads.
 *
 * <p><b>Backends.</b> {@link #backend()} says which one runs this client: Panama on Java 22+,
 * else JNA, unless one is named with {@link Builder#backend(String)} or
 * {@value #BACKEND_PROPERTY}; when the preferred one cannot load the library here, the next one
 * is used. {@link #libraryLocation()} says where the library came from.
 *
 * <p><b>Errors.</b> Every failure is an unchecked {@link LeanixException} subclass; see there.
 */
public final class LeanixClient implements AutoCloseable {
    /** Property naming the backend to use ({@code jna} or {@code panama}) when several are present. */
    public static final String BACKEND_PROPERTY = "leanix.backend";

    private static final Cleaner CLEANER = Cleaner.create();

    private final BackendClient nativeClient;
    private final LeanixBackend backend;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Calls inside the native client right now; close() frees only when this is zero. */
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Cleaner.Cleanable cleanable;

    private LeanixClient(BackendClient nativeClient, LeanixBackend backend) {
        this.nativeClient = nativeClient;
        this.backend = backend;
        // The action holds the native client only, never this object.
        this.cleanable = CLEANER.register(this, new FreeAction(nativeClient));
    }

    /** Frees the native client once, from close() or the Cleaner. */
    private static final class FreeAction implements Runnable {
        private final BackendClient client;

        FreeAction(BackendClient client) {
            this.client = client;
        }

        @Override
        public void run() {
            client.free();
        }
    }

    /** @return a builder with the defaults (host and API token from the environment) */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A client for {@code LEANIX_HOST} with {@code LEANIX_API_TOKEN} and default settings.
     *
     * @return the client
     * @throws ConfigException if the variables are missing or invalid
     */
    public static LeanixClient fromEnvironment() {
        return builder().build();
    }

    /**
     * {@code GET path} with a valid bearer token.
     *
     * @param path a path on the client's host, with optional query, e.g.
     *     {@code /services/pathfinder/v1/factSheets?pageSize=10}
     * @return the 2xx response
     * @throws LeanixException on any failure; a non-2xx answer is {@link HttpException} or a more
     *     specific subclass
     * @throws IllegalStateException if the client is closed
     */
    public LeanixResponse get(String path) {
        Objects.requireNonNull(path, "path");
        BackendClient c = open();
        try {
            return c.get(path);
        } catch (LeanixException e) {
            throw afterClose(e);
        } finally {
            leave();
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Any request. GET, HEAD, OPTIONS, PUT and DELETE are retried on 429/502/503/504 and
     * connection errors; other methods only if {@code retrySafe}.
     *
     * @param method the HTTP method ({@code GET}, {@code POST}, {@code PATCH}, ...)
     * @param path the path with optional query
     * @param headers extra headers, or null ({@code Authorization} and {@code Host} are managed by
     *     the client and refused)
     * @param body the body, or null (binary-safe)
     * @param retrySafe whether a non-idempotent request may be retried (e.g. a POST that only reads)
     * @return the 2xx response
     * @throws InvalidArgumentException for a header name or value that is not allowed
     * @throws LeanixException on any other failure
     * @throws IllegalStateException if the client is closed
     */
    public LeanixResponse request(String method, String path, Map<String, String> headers, byte[] body,
                                  boolean retrySafe) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        String headerLines = headerLines(headers);
        BackendClient c = open();
        try {
            return c.request(method, path, headerLines, body,
                retrySafe ? Status.LX_REQUEST_RETRY_SAFE : Status.LX_REQUEST_DEFAULT);
        } catch (LeanixException e) {
            throw afterClose(e);
        } finally {
            leave();
            Reference.reachabilityFence(this);
        }
    }

    /**
     * A request with the default retry policy of its method (see
     * {@link #request(String, String, Map, byte[], boolean)}).
     *
     * @param method the HTTP method
     * @param path the path with optional query
     * @param headers extra headers, or null
     * @param body the body, or null
     * @return the 2xx response
     */
    public LeanixResponse request(String method, String path, Map<String, String> headers, byte[] body) {
        return request(method, path, headers, body, false);
    }

    /**
     * A JSON request: {@code Content-Type: application/json} and the body as UTF-8.
     *
     * @param method the HTTP method
     * @param path the path with optional query
     * @param json the JSON body
     * @return the 2xx response
     */
    public LeanixResponse requestJson(String method, String path, String json) {
        return request(method, path, Map.of("Content-Type", "application/json"),
            json.getBytes(StandardCharsets.UTF_8), false);
    }

    /**
     * Runs a GraphQL query or mutation ({@code POST /services/pathfinder/v1/graphql}). Queries are
     * retried like GETs, mutations are not.
     *
     * @param query the GraphQL document
     * @param variablesJson the variables as a JSON object, or null
     * @return the response's {@code data} as JSON text
     * @throws GraphQlException if the response carries {@code errors}
     * @throws LeanixException on any other failure
     */
    public String graphql(String query, String variablesJson) {
        Objects.requireNonNull(query, "query");
        BackendClient c = open();
        try {
            return c.graphql(query, variablesJson);
        } catch (LeanixException e) {
            throw afterClose(e);
        } finally {
            leave();
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Runs a GraphQL query without variables.
     *
     * @param query the GraphQL document
     * @return the {@code data} as JSON text
     */
    public String graphql(String query) {
        return graphql(query, null);
    }

    /**
     * Walks every page of a cursor-paged query: the query takes the cursor as {@code $after} and
     * selects {@code pageInfo { hasNextPage endCursor }} and {@code edges} on its connection.
     *
     * @param query the GraphQL document
     * @param variablesJson further variables as a JSON object, or null
     * @return the edges of all pages as one JSON array
     */
    public String graphqlAll(String query, String variablesJson) {
        Objects.requireNonNull(query, "query");
        BackendClient c = open();
        try {
            return c.graphqlAll(query, variablesJson);
        } catch (LeanixException e) {
            throw afterClose(e);
        } finally {
            leave();
            Reference.reachabilityFence(this);
        }
    }

    /**
     * A current access token (exchanging one if none is cached), for tools of your own that need
     * {@code Authorization: Bearer}. Treat it as a secret.
     *
     * @return the access token
     */
    public String accessToken() {
        BackendClient c = open();
        try {
            return c.accessToken();
        } catch (LeanixException e) {
            throw afterClose(e);
        } finally {
            leave();
            Reference.reachabilityFence(this);
        }
    }

    /**
     * The decoded (not verified) claims of a current access token as JSON text: {@code sub},
     * {@code exp}, {@code iss}, {@code instanceUrl}, {@code region}, {@code principal{...}}.
     *
     * @return a JSON object, or {@code "null"} if LeanIX issued an opaque (non-JWT) token
     */
    public String claimsJson() {
        BackendClient c = open();
        try {
            return c.claimsJson();
        } catch (LeanixException e) {
            throw afterClose(e);
        } finally {
            leave();
            Reference.reachabilityFence(this);
        }
    }

    /**
     * The decoded (not verified) claims of a current access token (exchanging one if none is
     * cached): user, workspace, role, expiry, and every claim in {@link Claims#raw()}.
     *
     * @return the claims, or empty if LeanIX issued an opaque (non-JWT) token
     */
    public Optional<Claims> claims() {
        return Claims.parse(claimsJson());
    }

    /** @return the backend running this client ({@code "jna"} or {@code "panama"}) */
    public String backend() {
        return backend.name();
    }

    /**
     * Where the native library was loaded from, for diagnostics, e.g. {@code class path resource
     * linux-x86-64/libleanix.so (jar:file:/app.jar!/linux-x86-64/libleanix.so)} or
     * {@code /opt/lib/libleanix.so (system property leanix.library.path)}.
     *
     * @return a description of the location
     */
    public String libraryLocation() {
        return backend.libraryLocation().toString();
    }

    /** @return whether {@link #close()} was called */
    public boolean isClosed() {
        return closed.get();
    }

    /**
     * Closes the client. Idempotent; calls in flight on other threads end with
     * {@link CancelledException}, later calls throw {@link IllegalStateException}.
     *
     * <p>The calls in flight are cancelled first ({@code lx_client_close}); this method then
     * waits until they have all returned and only then frees the handle ({@code lx_free}), so no
     * call can reach another native object that the library later places at the same address.
     * Cancelled calls return within milliseconds; should one still be inside the library after
     * 30 s, the handle is freed anyway (the library keeps the object alive for that call, and no
     * new call can start).
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            nativeClient.cancel();
            long deadline = System.nanoTime() + CLOSE_WAIT_NANOS;
            while (inFlight.get() > 0 && System.nanoTime() < deadline) {
                LockSupport.parkNanos(100_000);
            }
            cleanable.clean();
        }
    }

    /** How long close() waits for cancelled calls to return before freeing regardless. */
    private static final long CLOSE_WAIT_NANOS = 30_000_000_000L;

    @Override
    public String toString() {
        return "LeanixClient[backend=" + backend.name() + (closed.get() ? ", closed" : "") + "]";
    }

    /**
     * The native client for a call, unless closed; counts the call as in flight until
     * {@link #leave()}. The count is raised before the closed check, so close() either sees the
     * call and waits for it, or the call sees the close and never reaches the native client.
     */
    private BackendClient open() {
        inFlight.incrementAndGet();
        if (closed.get()) {
            inFlight.decrementAndGet();
            throw new IllegalStateException("this LeanixClient is closed");
        }
        return nativeClient;
    }

    /** Ends a call started with {@link #open()}. */
    private void leave() {
        inFlight.decrementAndGet();
    }

    /**
     * A call that raced with close() may find the handle gone (LX_ERR_INVALID_ARG "not a live
     * lx_client"): report that as the use after close it is.
     */
    private RuntimeException afterClose(LeanixException e) {
        if (closed.get() && e.code() == Status.LX_ERR_INVALID_ARG) {
            IllegalStateException ise = new IllegalStateException("this LeanixClient was closed during the call");
            ise.initCause(e);
            return ise;
        }
        return e;
    }

    static String headerLines(Map<String, String> headers) {
        if (headers == null || headers.isEmpty()) {
            return null;
        }
        StringBuilder lines = new StringBuilder();
        for (Map.Entry<String, String> h : headers.entrySet()) {
            String name = Objects.requireNonNull(h.getKey(), "header name");
            String value = Objects.requireNonNull(h.getValue(), "header value");
            // One header per line: a line break would smuggle in another header.
            if (name.indexOf('\n') >= 0 || name.indexOf('\r') >= 0 || name.indexOf(':') >= 0) {
                throw new InvalidArgumentException("header name " + Json.quote(truncate(name)) + " is not allowed");
            }
            if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
                throw new InvalidArgumentException("the value of header " + Json.quote(truncate(name))
                    + " contains a line break");
            }
            lines.append(name).append(": ").append(value).append('\n');
        }
        return lines.toString();
    }

    private static String truncate(String s) {
        return s.length() > 40 ? s.substring(0, 40) : s;
    }

    /**
     * Settings of a {@link LeanixClient}. Unset settings keep the library's defaults: host and API
     * token from {@code LEANIX_HOST} and {@code LEANIX_API_TOKEN}, connect timeout 5 s, token
     * timeout 10 s, request timeout 60 s, 3 attempts, proxy from {@code HTTPS_PROXY}/{@code NO_PROXY}.
     * A builder may build several clients; it is not thread-safe. {@link #toString()} never shows
     * the API token.
     */
    public static final class Builder {
        private final Map<String, String> options = new LinkedHashMap<>();
        private String backend;

        private Builder() {}

        /**
         * @param host {@code acme.leanix.net}, {@code https://acme.leanix.net} or a workspace URL
         * @return this
         */
        public Builder host(String host) {
            return set("host", host);
        }

        /**
         * @param apiToken the technical user's API token (never shown by {@link #toString()})
         * @return this
         */
        public Builder apiToken(String apiToken) {
            return set("api_token", apiToken);
        }

        /**
         * Allows {@code http://} to 127.0.0.1 / localhost (tests, the sandbox); any other host
         * stays HTTPS-only.
         *
         * @param allow whether to allow it
         * @return this
         */
        public Builder allowInsecureLoopback(boolean allow) {
            return set("allow_insecure_loopback", allow ? "1" : "0");
        }

        /**
         * @param timeout connect timeout (default 5 s)
         * @return this
         */
        public Builder connectTimeout(Duration timeout) {
            return set("connect_timeout_ms", millis("connectTimeout", timeout));
        }

        /**
         * @param timeout timeout of one token exchange attempt (default 10 s)
         * @return this
         */
        public Builder tokenTimeout(Duration timeout) {
            return set("token_timeout_ms", millis("tokenTimeout", timeout));
        }

        /**
         * @param timeout timeout of one request attempt (default 60 s)
         * @return this
         */
        public Builder requestTimeout(Duration timeout) {
            return set("request_timeout_ms", millis("requestTimeout", timeout));
        }

        /**
         * @param proxyUrl proxy URL for all requests (default: {@code HTTPS_PROXY}/{@code NO_PROXY})
         * @return this
         */
        public Builder proxy(String proxyUrl) {
            return set("proxy", proxyUrl);
        }

        /**
         * @param pemFile a PEM file of extra CA certificates to trust (corporate TLS inspection)
         * @return this
         */
        public Builder caFile(Path pemFile) {
            return set("ca_file", pemFile.toAbsolutePath().toString());
        }

        /**
         * @param pem PEM text of extra CA certificates to trust
         * @return this
         */
        public Builder caPem(String pem) {
            return set("ca_pem", pem);
        }

        /**
         * @param userAgent the User-Agent header
         * @return this
         */
        public Builder userAgent(String userAgent) {
            return set("user_agent", userAgent);
        }

        /**
         * @param attempts attempts per API request, 1..10 (default 3; 1 disables retries)
         * @return this
         */
        public Builder maxAttempts(int attempts) {
            return set("max_attempts", Integer.toString(attempts));
        }

        /**
         * @param attempts attempts per token exchange, 1..10 (default 3)
         * @return this
         */
        public Builder tokenAttempts(int attempts) {
            return set("token_attempts", Integer.toString(attempts));
        }

        /**
         * @param delay base of the full-jitter backoff between attempts
         * @return this
         */
        public Builder retryBaseDelay(Duration delay) {
            return set("retry_base_delay_ms", millis("retryBaseDelay", delay));
        }

        /**
         * @param delay cap of the backoff between attempts
         * @return this
         */
        public Builder retryMaxDelay(Duration delay) {
            return set("retry_max_delay_ms", millis("retryMaxDelay", delay));
        }

        /**
         * @param max the longest {@code Retry-After} the client waits for; longer ones end the call
         *     with {@link RateLimitedException} at once (default 60 s)
         * @return this
         */
        public Builder maxRetryAfter(Duration max) {
            return set("max_retry_after_ms", millis("maxRetryAfter", max));
        }

        /**
         * @param fraction fraction of the token lifetime after which to refresh in the background
         *     (default 0.75)
         * @return this
         */
        public Builder refreshAhead(double fraction) {
            return set("refresh_ahead", Double.toString(fraction));
        }

        /**
         * @param onExpiryOnly true: no background refresh, requests wait for an exchange at expiry
         * @return this
         */
        public Builder refreshOnExpiryOnly(boolean onExpiryOnly) {
            return set("refresh_on_expiry_only", onExpiryOnly ? "1" : "0");
        }

        /**
         * @param ttl how long a rejected API token is remembered (no exchange is tried meanwhile)
         * @return this
         */
        public Builder invalidCredentialsTtl(Duration ttl) {
            return set("invalid_credentials_ttl_ms", millis("invalidCredentialsTtl", ttl));
        }

        /**
         * @param backoff the pause after a failed background refresh
         * @return this
         */
        public Builder failedRefreshBackoff(Duration backoff) {
            return set("failed_refresh_backoff_ms", millis("failedRefreshBackoff", backoff));
        }

        /**
         * @param margin no request goes out with a token closer than this to its expiry
         * @return this
         */
        public Builder expiryMargin(Duration margin) {
            return set("expiry_margin_ms", millis("expiryMargin", margin));
        }

        /**
         * Sets any key of {@code lx_options_set()} (for keys newer than this binding).
         *
         * @param key the option key
         * @param value its value as text; null removes a value set before
         * @return this
         */
        public Builder option(String key, String value) {
            return set(Objects.requireNonNull(key, "key"), value);
        }

        /**
         * Chooses the backend ({@code "jna"} or {@code "panama"}); by default the system property
         * {@value LeanixClient#BACKEND_PROPERTY}, else the best one on the class path that runs in
         * this JVM (Panama on Java 22+, JNA otherwise) and can load the library: if Panama cannot
         * (native access denied, no 64-bit {@code size_t}, ...), JNA is used. A backend named here
         * or in the property is never replaced by another: its failure is thrown.
         *
         * @param name the backend name
         * @return this
         */
        public Builder backend(String name) {
            this.backend = name;
            return this;
        }

        /**
         * Builds a client. Nothing goes over the network until the first call.
         *
         * @return the client
         * @throws ConfigException if the settings are invalid (no host, empty token, {@code http://}
         *     to a remote host, unreadable CA file, ...)
         * @throws InvalidArgumentException if a value has the wrong form
         * @throws UnsatisfiedLinkError if libleanix cannot be loaded or has another ABI version (for
         *     an automatic choice: by any backend on the class path; each failure is suppressed in it)
         * @throws IllegalStateException if no backend for this JVM is on the class path, or the
         *     one named is absent or does not run here
         */
        public LeanixClient build() {
            LeanixBackend b = selectBackend(backend);
            List<Map.Entry<String, String>> list = new ArrayList<>(options.size());
            for (Map.Entry<String, String> e : options.entrySet()) {
                list.add(Map.entry(e.getKey(), e.getValue()));
            }
            return new LeanixClient(b.newClient(list), b);
        }

        /** @return the settings, with the API token masked */
        @Override
        public String toString() {
            StringBuilder s = new StringBuilder("LeanixClient.Builder[");
            boolean first = true;
            for (Map.Entry<String, String> e : options.entrySet()) {
                if (!first) {
                    s.append(", ");
                }
                first = false;
                s.append(e.getKey()).append('=').append(shown(e.getKey(), e.getValue()));
            }
            if (backend != null) {
                s.append(first ? "" : ", ").append("backend=").append(backend);
            }
            return s.append(']').toString();
        }

        /** Values that may be printed; everything else (token, proxy URL, PEM, unknown keys) is masked. */
        private static String shown(String key, String value) {
            switch (key) {
                case "host":
                case "allow_insecure_loopback":
                case "ca_file":
                case "user_agent":
                case "max_attempts":
                case "token_attempts":
                case "refresh_ahead":
                case "refresh_on_expiry_only":
                    return value;
                default:
                    if (key.endsWith("_ms")) {
                        return value;
                    }
                    return "<redacted>";
            }
        }

        private Builder set(String key, String value) {
            if (value == null) {
                options.remove(key);
            } else {
                options.put(key, value);
            }
            return this;
        }

        private static String millis(String what, Duration d) {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, not " + d);
            }
            long ms = d.toMillis();
            if (ms == 0) {
                ms = 1;
            }
            return Long.toString(ms);
        }
    }

    /**
     * Lists the backends on the class path.
     *
     * @return every backend found by the ServiceLoader, supported in this JVM or not
     */
    public static List<LeanixBackend> availableBackends() {
        List<LeanixBackend> all = load(ServiceLoader.load(LeanixBackend.class, LeanixClient.class.getClassLoader()));
        if (all.isEmpty()) {
            all = load(ServiceLoader.load(LeanixBackend.class));
        }
        all.sort(Comparator.comparingInt(LeanixBackend::priority).reversed());
        return all;
    }

    /**
     * Instantiates the providers one by one, skipping those that cannot load here: leanix-panama
     * is compiled for Java 22, so on Java 17 its class fails to load, which must not hide JNA.
     */
    private static List<LeanixBackend> load(ServiceLoader<LeanixBackend> loader) {
        List<LeanixBackend> found = new ArrayList<>();
        java.util.Iterator<LeanixBackend> it = loader.iterator();
        for (int guard = 0; guard < 100; guard++) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                found.add(it.next());
            } catch (java.util.ServiceConfigurationError | LinkageError e) {
                // not for this JVM (e.g. UnsupportedClassVersionError): try the next provider
            }
        }
        return found;
    }

    private static volatile Map<String, LeanixBackend> cache;

    static LeanixBackend selectBackend(String requested) {
        Map<String, LeanixBackend> byName = cache;
        if (byName == null) {
            byName = new LinkedHashMap<>();
            for (LeanixBackend b : availableBackends()) {
                byName.putIfAbsent(b.name().toLowerCase(Locale.ROOT), b);
            }
            cache = byName;
        }
        return choose(byName, requested != null ? requested : System.getProperty(BACKEND_PROPERTY));
    }

    /**
     * The backend rule: a named backend or its failure; else the first backend (by priority)
     * that runs in this JVM and loads the library.
     *
     * @param byName the backends by lower-case name, highest priority first
     * @param name the backend asked for, or null/blank for an automatic choice
     * @return the backend, its library loaded
     */
    static LeanixBackend choose(Map<String, LeanixBackend> byName, String name) {
        if (name != null && !name.isBlank()) {
            LeanixBackend b = byName.get(name.trim().toLowerCase(Locale.ROOT));
            if (b == null) {
                throw new IllegalStateException("no libleanix backend named " + Json.quote(name)
                    + " on the class path (found: " + byName.keySet() + ")");
            }
            if (!b.isSupported()) {
                throw new IllegalStateException("the libleanix backend " + b.name()
                    + " does not run on Java " + Runtime.version().feature());
            }
            b.load();
            return b;
        }
        List<String> failed = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        for (LeanixBackend b : byName.values()) {
            if (!b.isSupported()) {
                continue;
            }
            try {
                b.load();
                return b;
            } catch (LinkageError e) {
                failed.add(b.name() + ": " + e.getMessage());
                failures.add(e);
            }
        }
        if (!failures.isEmpty()) {
            UnsatisfiedLinkError e = new UnsatisfiedLinkError("no libleanix backend could load the library; "
                + String.join("; ", failed));
            failures.forEach(e::addSuppressed);
            throw e;
        }
        throw new IllegalStateException("no libleanix backend for Java " + Runtime.version().feature()
            + " on the class path (found: " + byName.keySet()
            + "); add org.libleanix:leanix-jna (Java 17+) or org.libleanix:leanix-panama (Java 22+)");
    }
}
