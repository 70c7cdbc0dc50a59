package org.libleanix;

import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import org.libleanix.spi.BackendClient;
import org.libleanix.spi.CallSpec;
import org.libleanix.spi.Completions;
import org.libleanix.spi.Events;
import org.libleanix.spi.LeanixBackend;
import org.libleanix.spi.NativeCancel;
import org.libleanix.spi.NativeOutcome;
import org.libleanix.spi.PageWalk;

/**
 * A LeanIX API client backed by libleanix: give it a host and an API token, and it exchanges the
 * token for access tokens ({@code POST /services/mtm/v1/oauth2/token}), caches them, refreshes
 * them in the background before they expire, replays once after a 401, retries idempotent
 * requests on transient answers (408, 429, 500, 502, 503, 504) and connection errors, and puts a
 * deadline on every call.
 *
 * <pre>{@code
 * try (LeanixClient client = LeanixClient.builder()
 *         .host("acme.leanix.net")                  // default: LEANIX_HOST
 *         .apiToken(System.getenv("MY_TOKEN"))      // default: LEANIX_API_TOKEN
 *         .requestTimeout(Duration.ofSeconds(30))   // deadline of each call, retries included
 *         .build()) {
 *     LeanixResponse r = client.get("/services/pathfinder/v1/factSheets?pageSize=10");
 *     String data = client.graphql("{ allFactSheets(first: 5) { totalCount } }", null);
 *     CompletableFuture<LeanixResponse> f = client.getAsync("/services/pathfinder/v1/factSheets");
 * } catch (HttpException e) {
 *     System.err.println(e.getMessage() + "\n" + e.response().bodyAsString());  // the server's words
 * }
 * }</pre>
 *
 * <p><b>Blocking calls</b> ({@link #get}, {@link #send}, {@link #graphql}, ...) return the result
 * or throw an unchecked {@link LeanixException}. Each has a deadline: the client's
 * {@link Builder#requestTimeout requestTimeout}, or the call's own
 * ({@link LeanixRequest.Builder#timeout}), which covers the token exchange, every attempt and every
 * wait between attempts. {@link Thread#interrupt()} of the calling thread cancels the call: it
 * ends within milliseconds with {@link CancelledException}, and the thread's interrupt flag stays
 * set. On a platform thread the call runs in native code on the calling thread, over a
 * keep-alive connection of that thread's own (DECISIONS.md, "Runtime model"), and an interrupt
 * reaches it through the JDK's interruptible-I/O hook ({@code AbstractInterruptibleChannel}). On a
 * virtual thread the call is started asynchronously and the virtual thread parks until its
 * completion, so it never pins its carrier.
 *
 * <p><b>Asynchronous calls</b> ({@link #getAsync}, {@link #sendAsync}, {@link #requestAsync},
 * {@link #graphqlAsync}) return at once with a {@link CompletableFuture}; thousands may be in
 * flight, sharing the library's I/O threads (no thread per call) and one token exchange. The
 * future completes on the client's {@link Builder#executor executor}, never on a library thread;
 * {@code cancel(true)} cancels the native call.
 *
 * <p><b>Threads.</b> A client is thread-safe and meant to be shared: any number of threads may
 * call it at once, and they share one access token (one exchange however many threads start
 * cold). Token exchanges, background refreshes and asynchronous calls run on the library's own
 * I/O threads (2 to 4 per process). Library callbacks (event listeners, and completions if the
 * executor runs tasks in place) must not make blocking calls: those fail at once with
 * {@link RecursiveCallException}.
 *
 * <p><b>Closing.</b> {@link #close()} is idempotent. It cancels the calls in flight on other
 * threads (blocking ones end with {@link CancelledException}, futures complete exceptionally with
 * it), waits until they have returned, and only then frees the native client; calls started after
 * it throw {@link IllegalStateException}. A client that becomes unreachable without being closed
 * is freed by a {@link Cleaner}, but close it: the GC does not know about its sockets and threads.
 *
 * <p><b>Backends.</b> {@link #backend()} says which one runs this client: Panama on Java 22+,
 * else JNA, unless one is named with {@link Builder#backend(String)} or
 * {@value #BACKEND_PROPERTY}; when the preferred one cannot load the library here, the next one
 * is used. {@link #libraryLocation()} says where the library came from.
 *
 * <p><b>Errors.</b> Every failure is an unchecked {@link LeanixException} subclass; see there. A
 * non-2xx answer is an {@link HttpException} whose {@link HttpException#response()} is the whole
 * answer; with {@link Builder#throwOnError throwOnError(false)} it is returned instead.
 */
public final class LeanixClient implements AutoCloseable {
    /** Property naming the backend to use ({@code jna} or {@code panama}) when several are present. */
    public static final String BACKEND_PROPERTY = "leanix.backend";

    /**
     * Property choosing how blocking calls wait, read when a client is built (a diagnostic switch,
     * for benchmarks): {@code auto} (the default: in native code on the calling thread for platform
     * threads, started asynchronously and parked on for virtual threads), {@code direct} (always on
     * the calling thread; virtual threads then pin their carrier) or {@code async} (always started
     * asynchronously and waited for).
     */
    public static final String BLOCKING_PROPERTY = "leanix.blocking";

    private static final Cleaner CLEANER = Cleaner.create();

    /** How blocking calls wait (see {@link #BLOCKING_PROPERTY}). */
    enum WaitMode {
        AUTO, DIRECT, ASYNC
    }

    private final BackendClient nativeClient;
    private final LeanixBackend backend;
    private final boolean throwOnError;
    private final Executor executor;
    private final WaitMode waitMode;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Calls inside the native client right now (asynchronous ones until their callback); close() frees at zero. */
    private final AtomicInteger inFlight = new AtomicInteger();
    private final CancelPool cancels;
    private final Cleaner.Cleanable cleanable;

    private LeanixClient(BackendClient nativeClient, LeanixBackend backend, long eventSink, boolean throwOnError,
                         Executor executor, WaitMode waitMode) {
        this.nativeClient = nativeClient;
        this.backend = backend;
        this.throwOnError = throwOnError;
        this.executor = executor;
        this.waitMode = waitMode;
        this.cancels = new CancelPool(backend);
        // The action holds the native objects only, never this object.
        this.cleanable = CLEANER.register(this, new FreeAction(nativeClient, eventSink, cancels));
    }

    /** Frees the native client and the idle cancel handles once (and forgets the event sink), from close() or the Cleaner. */
    private record FreeAction(BackendClient client, long eventSink, CancelPool cancels) implements Runnable {
        @Override
        public void run() {
            client.free();
            cancels.close();
            if (eventSink != 0) {
                Events.unregister(eventSink);
            }
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
     * The library's default of an option ({@code lx_options_default}), e.g. {@code "5000"} for
     * {@code connect_timeout_ms}: the values the builder's settings fall back to. Loads the
     * library (with the backend the builder would choose).
     *
     * @param key an option key of {@code lx_options_set()}, e.g. {@code request_timeout_ms}
     * @return the default as {@code lx_options_set()} takes it, or empty for keys without one
     *     ({@code host}, {@code api_token}, {@code proxy}, ...)
     * @throws InvalidArgumentException for an unknown key
     */
    public static Optional<String> optionDefault(String key) {
        return selectBackend(null).optionDefault(Objects.requireNonNull(key, "key"));
    }

    /**
     * Every option's default ({@link #optionDefault}), for documentation and diagnostics.
     *
     * @return option key to default, for the keys that have one, in the header's order
     */
    public static Map<String, String> optionDefaults() {
        Map<String, String> defaults = new LinkedHashMap<>();
        LeanixBackend b = selectBackend(null);
        for (String key : OPTION_KEYS) {
            b.optionDefault(key).ifPresent(v -> defaults.put(key, v));
        }
        return Collections.unmodifiableMap(defaults);
    }

    /** The keys of {@code lx_options_set()}, in the header's order. */
    private static final List<String> OPTION_KEYS = List.of("host", "api_token", "allow_insecure_loopback",
        "connect_timeout_ms", "token_timeout_ms", "request_timeout_ms", "proxy", "ca_file", "ca_pem", "user_agent",
        "max_attempts", "token_attempts", "retry_base_delay_ms", "retry_max_delay_ms", "max_retry_after_ms",
        "refresh_ahead", "refresh_on_expiry_only", "invalid_credentials_ttl_ms", "failed_refresh_backoff_ms",
        "expiry_margin_ms", "max_response_bytes", "adaptive_pacing", "max_requests_per_minute", "reauth_interval_ms",
        "max_pages", "insecure_loopback", "token_cache", "token_cache_dir", "route_by_instance_url",
        "allowed_instance_hosts");

    // ------------------------------------------------------------------ blocking calls

    /**
     * {@code GET path} with a valid bearer token.
     *
     * @param path a path on the client's host, with optional query, e.g.
     *     {@code /services/pathfinder/v1/factSheets?pageSize=10}
     * @return the response: 2xx, or any status if the client was built with {@code throwOnError(false)}
     * @throws HttpException (or a subclass such as {@link NotFoundException}) for a non-2xx answer,
     *     with the answer in {@link HttpException#response()}
     * @throws CancelledException if the thread was interrupted (its flag stays set) or the client closed
     * @throws LeanixException on any other failure
     * @throws IllegalStateException if the client is closed
     */
    public LeanixResponse get(String path) {
        Objects.requireNonNull(path, "path");
        return exchange("GET", path, null, null, Status.LX_REQUEST_DEFAULT, 0, throwOnError);
    }

    /**
     * Sends a request with its per-call settings (timeout, {@code throwOnError}, retry policy).
     *
     * @param request the request
     * @return the response: 2xx, or any status if the request or client asked for
     *     {@code throwOnError(false)}
     * @throws HttpException (or a subclass) for a non-2xx answer, unless asked not to throw
     * @throws TimeoutException at the request's deadline
     * @throws CancelledException if the thread was interrupted (its flag stays set) or the client closed
     * @throws InvalidArgumentException for a header that is not allowed
     * @throws LeanixException on any other failure
     * @throws IllegalStateException if the client is closed
     */
    public LeanixResponse send(LeanixRequest request) {
        Objects.requireNonNull(request, "request");
        return exchange(request.method(), request.path(), headerLines(request.headers()), request.bodyBytes(),
            request.retrySafe() ? Status.LX_REQUEST_RETRY_SAFE : Status.LX_REQUEST_DEFAULT,
            request.timeout().map(d -> millis("timeout", d)).orElse(0L),
            request.throwOnError().orElse(throwOnError));
    }

    /**
     * Any request. GET, HEAD, OPTIONS, PUT and DELETE are retried on transient answers (408, 429,
     * 500, 502, 503, 504) and connection errors; other methods only if {@code retrySafe}.
     *
     * @param method the HTTP method ({@code GET}, {@code POST}, {@code PATCH}, ...)
     * @param path the path with optional query
     * @param headers extra headers, or null ({@code Authorization}, {@code Host} and the framing
     *     headers are managed by the client and refused)
     * @param body the body, or null (binary-safe)
     * @param retrySafe whether a non-idempotent request may be retried (e.g. a POST that only reads)
     * @return the response (2xx unless the client was built with {@code throwOnError(false)})
     * @throws HttpException (or a subclass) for a non-2xx answer, with the answer in
     *     {@link HttpException#response()}
     * @throws InvalidArgumentException for a header name or value that is not allowed
     * @throws CancelledException if the thread was interrupted (its flag stays set) or the client closed
     * @throws LeanixException on any other failure
     * @throws IllegalStateException if the client is closed
     */
    public LeanixResponse request(String method, String path, Map<String, String> headers, byte[] body,
                                  boolean retrySafe) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        return exchange(method, path, headerLines(headers), body,
            retrySafe ? Status.LX_REQUEST_RETRY_SAFE : Status.LX_REQUEST_DEFAULT, 0, throwOnError);
    }

    /**
     * A request with the default retry policy of its method (see
     * {@link #request(String, String, Map, byte[], boolean)}).
     *
     * @param method the HTTP method
     * @param path the path with optional query
     * @param headers extra headers, or null
     * @param body the body, or null
     * @return the response
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
     * @return the response
     */
    public LeanixResponse requestJson(String method, String path, String json) {
        return request(method, path, Map.of("Content-Type", "application/json"),
            json.getBytes(StandardCharsets.UTF_8), false);
    }

    /**
     * Runs a GraphQL query or mutation ({@code POST /services/pathfinder/v1/graphql}). Queries are
     * retried like GETs, mutations are not (the library finds the operation by parsing).
     *
     * @param query the GraphQL document
     * @param variablesJson the variables as a JSON object, or null
     * @return the response's {@code data} as JSON text
     * @throws GraphQlException if the response carries {@code errors} (with
     *     {@link GraphQlException#errors()} and the partial {@link GraphQlException#data()})
     * @throws LeanixException on any other failure
     */
    public String graphql(String query, String variablesJson) {
        Objects.requireNonNull(query, "query");
        return graphql(GraphQlRequest.newBuilder(query).variables(variablesJson).build());
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
     * Runs a GraphQL call with its settings (variables, operation name, timeout).
     *
     * @param request the call
     * @return the response's {@code data} as JSON text
     * @throws GraphQlException if the response carries {@code errors}
     * @throws LeanixException on any other failure
     */
    public String graphql(GraphQlRequest request) {
        Objects.requireNonNull(request, "request");
        CallSpec spec = spec(request);
        String vars = request.variablesJson().orElse(null);
        return call(spec, (c, s) -> c.graphql(request.query(), vars, s),
            (c, s, id) -> c.graphqlStart(request.query(), vars, s, id), LeanixResponse::bodyAsString);
    }

    /**
     * Walks every page of a cursor-paged query and returns the {@code edges} of all pages as one
     * JSON array. The query takes the cursor as {@code $after} and selects
     * {@code pageInfo { hasNextPage endCursor }} and {@code edges} on its connection; every
     * violation of that rule is an exception, never a partial or empty result (see
     * {@link GraphQlPages} for the rule). The library walks the pages and joins the edges
     * ({@code lx_graphql_all_with}), by the rule every surface uses; on a virtual thread the
     * walk runs on a {@code leanix-worker} thread while the virtual thread parks (the C API has
     * no asynchronous form of it). To hold one page at a time, use {@link #graphqlPages}.
     *
     * @param query the GraphQL document
     * @param variablesJson further variables as a JSON object, or null
     * @return the edges of all pages as one JSON array
     * @throws InvalidArgumentException if the query does not follow the paging rule (before any request)
     * @throws InvalidResponseException for a page without {@code pageInfo}, a missing or repeated cursor
     * @throws ResponseTooLargeException for more pages than {@code maxPages}
     */
    public String graphqlAll(String query, String variablesJson) {
        Objects.requireNonNull(query, "query");
        return graphqlAll(GraphQlRequest.newBuilder(query).variables(variablesJson).build());
    }

    /**
     * {@link #graphqlAll(String, String)} with per-call settings (the timeout applies to each
     * page's call).
     *
     * @param request the paged query
     * @return the edges of all pages as one JSON array
     */
    public String graphqlAll(GraphQlRequest request) {
        Objects.requireNonNull(request, "request");
        String vars = request.variablesJson().orElse(null);
        return nativeWithCancel(spec(request), (c, s) -> c.graphqlAll(request.query(), vars, s));
    }

    /**
     * The pages of a cursor-paged query, fetched one at a time as the iterator advances (nothing
     * is sent before the first {@link GraphQlPages#hasNext()}).
     *
     * @param query the GraphQL document (takes {@code $after}, selects {@code pageInfo { hasNextPage endCursor }})
     * @param variablesJson further variables as a JSON object, or null
     * @return the walk; close it
     */
    public GraphQlPages graphqlPages(String query, String variablesJson) {
        Objects.requireNonNull(query, "query");
        return graphqlPages(GraphQlRequest.newBuilder(query).variables(variablesJson).build());
    }

    /**
     * {@link #graphqlPages(String, String)} with per-call settings (the timeout applies to each
     * page's call).
     *
     * @param request the paged query
     * @return the walk; close it
     */
    public GraphQlPages graphqlPages(GraphQlRequest request) {
        Objects.requireNonNull(request, "request");
        return openPages(spec(request),
            (c, spec) -> c.graphqlPages(request.query(), request.variablesJson().orElse(null), spec));
    }

    /**
     * The pages of the paged REST list behind {@code GET path}, fetched one at a time as the
     * iterator advances (nothing is sent before the first {@link RestPages#hasNext()}); see
     * {@link RestPages} for the paging rule.
     *
     * @param path the list's path with its query, e.g. {@code /services/pathfinder/v1/factSheets?pageSize=1000}
     * @return the walk; close it
     */
    public RestPages restPages(String path) {
        return restPages(path, null);
    }

    /**
     * {@link #restPages(String)} with a deadline for each page's call.
     *
     * @param path the list's path with its query
     * @param timeout the deadline of each page's call, or null for the client's
     * @return the walk; close it
     */
    public RestPages restPages(String path, Duration timeout) {
        Objects.requireNonNull(path, "path");
        CallSpec spec = CallSpec.of(timeout == null ? 0L : millis("timeout", timeout), null, null);
        return new RestPages(openPages(spec, (c, withCancel) -> c.restPages(path, withCancel)));
    }

    /**
     * A new page walk of this client ({@code lx_graphql_pages_new} or {@code lx_rest_pages_new}
     * through {@code newWalk}, given {@code spec} with the walk's own cancel handle), held by a
     * {@link GraphQlPages} that frees both.
     */
    private GraphQlPages openPages(CallSpec spec, BiFunction<BackendClient, CallSpec, PageWalk> newWalk) {
        BackendClient c = open();
        try {
            NativeCancel cancel = backend.newCancel();
            try {
                return new GraphQlPages(this, newWalk.apply(c, spec.withCancel(cancel)), cancel);
            } catch (RuntimeException | Error e) {
                cancel.free();
                throw e;
            }
        } catch (LeanixException e) {
            throw afterClose(e);
        } finally {
            leave();
            Reference.reachabilityFence(this);
        }
    }

    /**
     * The {@code data} items of every page of a paged REST list, in order, as one JSON array
     * (the rule of {@link RestPages}). It holds every item: for large exports iterate
     * {@link #restPages(String)} instead.
     *
     * @param path the list's path with its query
     * @return the items of all pages as one JSON array
     */
    public String restAllData(String path) {
        StringBuilder all = new StringBuilder("[");
        boolean first = true;
        try (RestPages pages = restPages(path)) {
            while (pages.hasNext()) {
                String data = Json.rawMember(pages.next(), "data").trim();
                String items = data.substring(1, data.length() - 1).trim();
                if (!items.isEmpty()) {
                    all.append(first ? "" : ",").append(items);
                    first = false;
                }
            }
        }
        return all.append(']').toString();
    }

    /**
     * A current access token (exchanging one if none is cached), for tools of your own that need
     * {@code Authorization: Bearer}. Treat it as a secret. The wait for an exchange has the
     * client's request timeout as its deadline, and an interrupt of the calling thread ends it
     * with {@link CancelledException}, as for every other call; an exchange it started goes on for
     * the client's other calls ({@code lx_access_token_with}).
     *
     * @return the access token
     */
    public String accessToken() {
        return nativeWithCancel(CallSpec.NONE, (c, spec) -> c.accessToken(spec));
    }

    /**
     * The Integration API: LDIF runs ({@link Integration#run}).
     *
     * @return the Integration API of this client
     */
    public Integration integration() {
        return new Integration(this);
    }

    /**
     * Patches a fact sheet with GraphQL {@code updateFactSheet}, the default way: no comment, a
     * real write, the client's request timeout.
     *
     * @param id the fact sheet's id
     * @param patchesJson a JSON list of {@code {"op","path","value"}}
     * @return the written fact sheet as JSON text
     * @see #updateFactSheet(String, String, String, boolean, Duration)
     */
    public String updateFactSheet(String id, String patchesJson) {
        return updateFactSheet(id, patchesJson, null, false, null);
    }

    /**
     * Patches a fact sheet with GraphQL {@code updateFactSheet} and returns it ({@code id},
     * {@code rev}, {@code type}, {@code name}, {@code displayName}, {@code description},
     * {@code status}). A {@code value} that is a JSON object or list ({@code /lifecycle},
     * {@code /tags}) is sent as JSON inside a string, as LeanIX wants it. The {@code rev} is read
     * first; a {@code REVISION_CLASH} (someone saved the fact sheet in between) re-reads it, once
     * per clash, and writes again, at most {@code LX_DEFAULT_REVISION_CLASH_RETRIES} (3) times.
     *
     * @param id the fact sheet's id
     * @param patchesJson a JSON list of {@code {"op","path","value"}}, {@code op} one of
     *     {@code add}, {@code replace}, {@code remove}
     * @param comment the change's comment (needed to archive: {@code /status} to {@code ARCHIVED}), or null
     * @param validateOnly whether to only validate ({@code validateOnly}: nothing is stored)
     * @param timeout the deadline of the whole write (reads and retries included), or null for
     *     the client's request timeout
     * @return the written fact sheet as JSON text
     * @throws GraphQlException for a clash after the last retry ({@code REVISION_CLASH}), a
     *     viewer's refusal or a bad patch
     * @throws InvalidArgumentException for patches that are not a JSON list of patches
     */
    public String updateFactSheet(String id, String patchesJson, String comment, boolean validateOnly,
                                  Duration timeout) {
        return updateFactSheet(id, patchesJson, comment, validateOnly, CallSpec.DEFAULT_CLASH_RETRIES, timeout);
    }

    /** updateFactSheet with the {@code REVISION_CLASH} retries of the call (-1: the default). */
    private String updateFactSheet(String id, String patchesJson, String comment, boolean validateOnly,
                                   int clashRetries, Duration timeout) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(patchesJson, "patchesJson");
        int flags = validateOnly ? Status.LX_UPDATE_VALIDATE_ONLY : 0;
        CallSpec spec = updateSpec(clashRetries, timeout);
        return call(spec, (c, s) -> c.updateFactSheet(id, patchesJson, comment, flags, s),
            (c, s, callId) -> c.updateFactSheetStart(id, patchesJson, comment, flags, s, callId),
            LeanixResponse::bodyAsString);
    }

    /**
     * Patches a fact sheet with typed {@link Patch}es, the default way (no comment, a real
     * write, the client's request timeout); see
     * {@link #updateFactSheet(String, List, String, boolean, Duration)}.
     *
     * <pre>{@code
     * FactSheet fs = client.updateFactSheet(id, List.of(Patch.replace("/description", "new"),
     *     Patch.add("/tags", List.of(Map.of("tagName", "GDPR")))));
     * System.out.println(fs.name() + " rev " + fs.rev());
     * }</pre>
     *
     * @param id the fact sheet's id
     * @param patches the patches, in order
     * @return the written fact sheet
     */
    public FactSheet updateFactSheet(String id, List<Patch> patches) {
        return updateFactSheet(id, patches, null, false, null);
    }

    /**
     * Patches a fact sheet with typed {@link Patch}es ({@code Map} and {@code List} values sent
     * as JSON inside a string) and returns it typed: as
     * {@link #updateFactSheet(String, String, String, boolean, Duration)}, the same call
     * ({@code lx_update_fact_sheet}, with its {@code REVISION_CLASH} retries).
     *
     * @param id the fact sheet's id
     * @param patches the patches, in order (at least one)
     * @param comment the change's comment (needed to archive: {@link Patch#archive()}), or null
     * @param validateOnly whether to only validate (nothing is stored)
     * @param timeout the deadline of the whole write, or null for the client's request timeout
     * @return the written fact sheet
     * @throws GraphQlException for a clash after the last retry, a viewer's refusal or a bad patch
     * @throws IllegalArgumentException for an empty list
     */
    public FactSheet updateFactSheet(String id, List<Patch> patches, String comment, boolean validateOnly,
                                     Duration timeout) {
        return FactSheet.parse(updateFactSheet(id, patchesJson(patches, "updateFactSheet"), comment, validateOnly,
            CallSpec.DEFAULT_CLASH_RETRIES, timeout));
    }

    /**
     * {@link #updateFactSheet(String, List, String, boolean, Duration)} with its own bound on the
     * {@code REVISION_CLASH} retries ({@code lx_call_options_set_revision_clash_retries}).
     *
     * @param id the fact sheet's id
     * @param patches the patches, in order (at least one)
     * @param comment the change's comment, or null
     * @param validateOnly whether to only validate (nothing is stored)
     * @param revisionClashRetries how often a clash re-reads {@code rev} and writes again: 0
     *     (the first clash is thrown) to {@code LX_MAX_REVISION_CLASH_RETRIES} (10)
     * @param timeout the deadline of the whole write, or null for the client's request timeout
     * @return the written fact sheet
     * @throws InvalidArgumentException for a {@code revisionClashRetries} out of range
     * @throws GraphQlException for a clash after the last retry, a viewer's refusal or a bad patch
     */
    public FactSheet updateFactSheet(String id, List<Patch> patches, String comment, boolean validateOnly,
                                     int revisionClashRetries, Duration timeout) {
        return FactSheet.parse(updateFactSheet(id, patchesJson(patches, "updateFactSheet"), comment, validateOnly,
            checkedClashRetries(revisionClashRetries), timeout));
    }

    /** The JSON of a non-empty patch list, for {@code method}'s message. */
    private static String patchesJson(List<Patch> patches, String method) {
        Objects.requireNonNull(patches, "patches");
        if (patches.isEmpty()) {
            throw new IllegalArgumentException(method + " needs at least one patch");
        }
        return Patch.toJson(patches);
    }

    /** A caller's clash retries: negative values are refused here (-1 is the library's "default"). */
    private static int checkedClashRetries(int retries) {
        if (retries < 0) {
            throw new InvalidArgumentException("revisionClashRetries must not be negative, not " + retries);
        }
        return retries;
    }

    /** The call options of an update: its deadline and clash retries. */
    private CallSpec updateSpec(int clashRetries, Duration timeout) {
        long ms = timeout == null ? 0 : millis("timeout", timeout);
        return CallSpec.of(ms, null, null).withClashRetries(clashRetries);
    }

    /**
     * {@link #updateFactSheet(String, String, String, boolean, Duration)} started at once
     * ({@code lx_update_fact_sheet_start}): the {@code rev} read, the write and its
     * {@code REVISION_CLASH} retries run on the library's threads, no thread of the caller waits.
     * Patches that are not a JSON list of patches fail the future at once with
     * {@link InvalidArgumentException}; nothing is sent.
     *
     * @param id the fact sheet's id
     * @param patchesJson a JSON list of {@code {"op","path","value"}}
     * @param comment the change's comment, or null
     * @param validateOnly whether to only validate (nothing is stored)
     * @param timeout the deadline of the whole write, or null for the client's request timeout
     * @return the future of the written fact sheet as JSON text: completes on the client's
     *     executor, or exceptionally with the {@link LeanixException} the blocking call would
     *     throw (a {@link GraphQlException} for a clash after the last retry);
     *     {@code cancel(true)} cancels the write (a write already sent may have been stored)
     * @throws IllegalStateException if the client is closed
     */
    public CompletableFuture<String> updateFactSheetAsync(String id, String patchesJson, String comment,
                                                         boolean validateOnly, Duration timeout) {
        return updateFactSheetAsync(id, patchesJson, comment, validateOnly, CallSpec.DEFAULT_CLASH_RETRIES, timeout);
    }

    /** updateFactSheetAsync with the {@code REVISION_CLASH} retries of the call (-1: the default). */
    private CompletableFuture<String> updateFactSheetAsync(String id, String patchesJson, String comment,
                                                          boolean validateOnly, int clashRetries, Duration timeout) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(patchesJson, "patchesJson");
        int flags = validateOnly ? Status.LX_UPDATE_VALIDATE_ONLY : 0;
        return startAsync(updateSpec(clashRetries, timeout),
            (c, s, callId) -> c.updateFactSheetStart(id, patchesJson, comment, flags, s, callId),
            outcome -> outcome.take().bodyAsString());
    }

    /**
     * {@link #updateFactSheet(String, List, String, boolean, Duration)} started at once: the
     * typed form of {@link #updateFactSheetAsync(String, String, String, boolean, Duration)}.
     *
     * @param id the fact sheet's id
     * @param patches the patches, in order (at least one)
     * @param comment the change's comment, or null
     * @param validateOnly whether to only validate (nothing is stored)
     * @param timeout the deadline of the whole write, or null for the client's request timeout
     * @return the future of the written fact sheet
     * @throws IllegalArgumentException for an empty list
     */
    public CompletableFuture<FactSheet> updateFactSheetAsync(String id, List<Patch> patches, String comment,
                                                            boolean validateOnly, Duration timeout) {
        return updateFactSheetAsync(id, patchesJson(patches, "updateFactSheetAsync"), comment, validateOnly,
            CallSpec.DEFAULT_CLASH_RETRIES, timeout).thenApply(FactSheet::parse);
    }

    /**
     * {@link #updateFactSheetAsync(String, List, String, boolean, Duration)} with its own bound on
     * the {@code REVISION_CLASH} retries, as
     * {@link #updateFactSheet(String, List, String, boolean, int, Duration)}.
     *
     * @param id the fact sheet's id
     * @param patches the patches, in order (at least one)
     * @param comment the change's comment, or null
     * @param validateOnly whether to only validate (nothing is stored)
     * @param revisionClashRetries 0 to {@code LX_MAX_REVISION_CLASH_RETRIES} (10); out of range
     *     fails the future with {@link InvalidArgumentException}
     * @param timeout the deadline of the whole write, or null for the client's request timeout
     * @return the future of the written fact sheet
     */
    public CompletableFuture<FactSheet> updateFactSheetAsync(String id, List<Patch> patches, String comment,
                                                            boolean validateOnly, int revisionClashRetries,
                                                            Duration timeout) {
        String json = patchesJson(patches, "updateFactSheetAsync");
        if (revisionClashRetries < 0) {
            return CompletableFuture.failedFuture(new InvalidArgumentException(
                "revisionClashRetries must not be negative, not " + revisionClashRetries));
        }
        return updateFactSheetAsync(id, json, comment, validateOnly, revisionClashRetries, timeout)
            .thenApply(FactSheet::parse);
    }

    /** A blocking LDIF run ({@code lx_ldif_run}, started and parked on for a virtual thread). */
    RunResult ldifRun(String ldifJson, int flags, long timeoutMillis) {
        return runCall(timeoutMillis, (c, s) -> c.ldifRun(ldifJson, flags, s),
            (c, s, id) -> c.ldifRunStart(ldifJson, flags, s, id));
    }

    /** An LDIF run started at once ({@code lx_ldif_run_start}). */
    CompletableFuture<RunResult> ldifRunAsync(String ldifJson, int flags, long timeoutMillis) {
        return runCallAsync(timeoutMillis, (c, s, id) -> c.ldifRunStart(ldifJson, flags, s, id));
    }

    /** A blocking wait for a run by its id ({@code lx_ldif_wait}, {@code lx_ldif_wait_start} for a virtual thread). */
    RunResult ldifWait(String runId, int flags, long timeoutMillis) {
        return runCall(timeoutMillis, (c, s) -> c.ldifWait(runId, flags, s),
            (c, s, id) -> c.ldifWaitStart(runId, flags, s, id));
    }

    /** A wait for a run by its id, started at once ({@code lx_ldif_wait_start}). */
    CompletableFuture<RunResult> ldifWaitAsync(String runId, int flags, long timeoutMillis) {
        return runCallAsync(timeoutMillis, (c, s, id) -> c.ldifWaitStart(runId, flags, s, id));
    }

    /** A blocking call that answers an LDIF run's result JSON: as {@link #graphql(GraphQlRequest)}. */
    private RunResult runCall(long timeoutMillis, Direct<String> direct, Starter starter) {
        return call(CallSpec.of(timeoutMillis, null, null), (c, s) -> RunResult.parse(direct.call(c, s)), starter,
            r -> RunResult.parse(r.bodyAsString()));
    }

    /** The asynchronous form of {@link #runCall}. */
    private CompletableFuture<RunResult> runCallAsync(long timeoutMillis, Starter starter) {
        return startAsync(CallSpec.of(timeoutMillis, null, null), starter,
            outcome -> RunResult.parse(outcome.take().bodyAsString()));
    }

    /**
     * A blocking call the C API has no asynchronous form of ({@code lx_graphql_all_with},
     * {@code lx_access_token_with}, {@code lx_claims_json_with}, {@code lx_api_origin_with}), with
     * {@code spec}'s settings and a cancel handle of its own (an interrupt fires it; borrowed from
     * the client's idle ones and given back once the native call has ended, as {@link #call}
     * does); see {@link #blockingWithoutStart}.
     */
    <T> T nativeWithCancel(CallSpec spec, Direct<T> nativeCall) {
        NativeCancel cancel = cancels.take();
        try {
            CallSpec withCancel = spec.withCancel(cancel);
            return blockingWithoutStart(cancel, c -> nativeCall.call(c, withCancel));
        } finally {
            cancels.give(cancel);
        }
    }

    /**
     * Forgets the access token: drops it from the client's memory and, with a token cache
     * ({@link Builder#tokenCache}, {@link Builder#tokenCacheDir}), removes the file. The next
     * call exchanges the API token.
     *
     * @return true if a token cache file was removed
     */
    public boolean forgetToken() {
        return blockingWithoutStart(null, c -> c.forgetToken());
    }

    /**
     * The decoded (not verified) claims of a current access token as JSON text: {@code sub},
     * {@code exp}, {@code iss}, {@code instanceUrl}, {@code region}, {@code principal{...}}. Waits
     * for an exchange as {@link #accessToken()} does (deadline, interrupt).
     *
     * @return a JSON object, or {@code "null"} if LeanIX issued an opaque (non-JWT) token
     */
    public String claimsJson() {
        return nativeWithCancel(CallSpec.NONE, (c, spec) -> c.claimsJson(spec));
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

    /**
     * The PULL webhooks of this client: subscriptions, batches, commits, and the at-least-once
     * consumers {@link Webhooks#events} and {@link Webhooks#consume}.
     *
     * @return the webhooks API (cheap; any number may exist)
     */
    public Webhooks webhooks() {
        return new Webhooks(this);
    }

    /**
     * The origin API calls go to now: the access token's {@code instanceUrl} when the routing
     * rule follows it ({@link Builder#routeByInstanceUrl}), else the configured host. Exchanges a
     * token if none is cached, waiting for it as {@link #accessToken()} does (deadline, interrupt).
     *
     * @return the origin, e.g. {@code https://acme.leanix.net}
     */
    public String apiOrigin() {
        return nativeWithCancel(CallSpec.NONE, (c, spec) -> c.apiOrigin(spec));
    }

    /** A native call of {@link Webhooks}, with a cancel handle of its own (for interrupts). */
    <T> T webhookCall(java.util.function.BiFunction<BackendClient, CallSpec, T> nativeCall) {
        return nativeWithCancel(CallSpec.NONE, nativeCall::apply);
    }

    // ------------------------------------------------------------------ asynchronous calls

    /**
     * Starts {@code GET path} and returns at once ({@code lx_request_start}).
     *
     * @param path the path with optional query
     * @return the response's future: completes on the client's executor with the response (2xx,
     *     or any status with {@code throwOnError(false)}), or exceptionally with the
     *     {@link LeanixException} a blocking call would throw; {@code cancel(true)} cancels the call
     * @throws IllegalStateException if the client is closed
     */
    public CompletableFuture<LeanixResponse> getAsync(String path) {
        Objects.requireNonNull(path, "path");
        return exchangeAsync("GET", path, null, null, Status.LX_REQUEST_DEFAULT, 0, throwOnError);
    }

    /**
     * Starts a request with its per-call settings and returns at once.
     *
     * @param request the request
     * @return the response's future (see {@link #getAsync})
     * @throws IllegalStateException if the client is closed
     */
    public CompletableFuture<LeanixResponse> sendAsync(LeanixRequest request) {
        Objects.requireNonNull(request, "request");
        return exchangeAsync(request.method(), request.path(), headerLines(request.headers()), request.bodyBytes(),
            request.retrySafe() ? Status.LX_REQUEST_RETRY_SAFE : Status.LX_REQUEST_DEFAULT,
            request.timeout().map(d -> millis("timeout", d)).orElse(0L),
            request.throwOnError().orElse(throwOnError));
    }

    /**
     * Starts any request and returns at once (see {@link #request(String, String, Map, byte[], boolean)}).
     *
     * @param method the HTTP method
     * @param path the path with optional query
     * @param headers extra headers, or null
     * @param body the body, or null
     * @param retrySafe whether a non-idempotent request may be retried
     * @return the response's future (see {@link #getAsync})
     * @throws InvalidArgumentException for a header with a line break (checked before starting)
     * @throws IllegalStateException if the client is closed
     */
    public CompletableFuture<LeanixResponse> requestAsync(String method, String path, Map<String, String> headers,
                                                          byte[] body, boolean retrySafe) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        return exchangeAsync(method, path, headerLines(headers), body,
            retrySafe ? Status.LX_REQUEST_RETRY_SAFE : Status.LX_REQUEST_DEFAULT, 0, throwOnError);
    }

    /**
     * Starts any request with the default retry policy of its method.
     *
     * @param method the HTTP method
     * @param path the path with optional query
     * @param headers extra headers, or null
     * @param body the body, or null
     * @return the response's future (see {@link #getAsync})
     */
    public CompletableFuture<LeanixResponse> requestAsync(String method, String path, Map<String, String> headers,
                                                          byte[] body) {
        return requestAsync(method, path, headers, body, false);
    }

    /**
     * Starts a GraphQL call and returns at once ({@code lx_graphql_start}).
     *
     * @param query the GraphQL document
     * @param variablesJson the variables as a JSON object, or null
     * @return the future of the {@code data} as JSON text (as {@link #graphql(String, String)}
     *     returns it), or of the {@link GraphQlException} with the errors and partial data
     * @throws IllegalStateException if the client is closed
     */
    public CompletableFuture<String> graphqlAsync(String query, String variablesJson) {
        Objects.requireNonNull(query, "query");
        return graphqlAsync(GraphQlRequest.newBuilder(query).variables(variablesJson).build());
    }

    /**
     * Starts a GraphQL call with its settings and returns at once.
     *
     * @param request the call
     * @return the future of the {@code data} as JSON text
     * @throws IllegalStateException if the client is closed
     */
    public CompletableFuture<String> graphqlAsync(GraphQlRequest request) {
        Objects.requireNonNull(request, "request");
        String vars = request.variablesJson().orElse(null);
        return startAsync(spec(request), (c, s, id) -> c.graphqlStart(request.query(), vars, s, id),
            outcome -> outcome.take().bodyAsString());
    }

    // ------------------------------------------------------------------ about the client

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

    /** @return the calls inside the native client now (asynchronous ones until their callback ran); for tests */
    int callsInFlight() {
        return inFlight.get();
    }

    /** @return whether {@link #close()} was called */
    public boolean isClosed() {
        return closed.get();
    }

    /**
     * Closes the client. Idempotent; calls in flight on other threads end with
     * {@link CancelledException} (asynchronous ones complete exceptionally with it), later calls
     * throw {@link IllegalStateException}.
     *
     * <p>The calls in flight are cancelled first ({@code lx_client_close}); this method then
     * waits until they have all returned (asynchronous ones: until their completion callback has
     * run) and only then frees the handle ({@code lx_free}). Cancelled calls return within
     * milliseconds; should one still be inside the library after 30 s, the handle is freed anyway
     * (the library keeps the object alive for that call, and no new call can start).
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

    // ------------------------------------------------------------------ how calls run

    /** A blocking native call with per-call options. */
    @FunctionalInterface
    interface Direct<T> {
        T call(BackendClient c, CallSpec spec);
    }

    /** The start of an asynchronous native call. */
    @FunctionalInterface
    private interface Starter {
        void start(BackendClient c, CallSpec spec, long callId);
    }

    /** Converts a delivered outcome (copying it) into a future's value. */
    @FunctionalInterface
    private interface Taker<T> {
        T take(NativeOutcome outcome);
    }

    /** A blocking request; non-2xx answers are returned instead of thrown unless {@code throwOnError}. */
    private LeanixResponse exchange(String method, String path, String headerLines, byte[] body, int flags,
                                    long timeoutMillis, boolean throwOnError) {
        try {
            return call(CallSpec.of(timeoutMillis, null, null),
                (c, s) -> c.request(method, path, headerLines, body, flags, s),
                (c, s, id) -> c.requestStart(method, path, headerLines, body, flags, s, id), Function.identity());
        } catch (HttpException e) {
            if (throwOnError) {
                throw e;
            }
            return e.response();
        }
    }

    private CompletableFuture<LeanixResponse> exchangeAsync(String method, String path, String headerLines,
                                                            byte[] body, int flags, long timeoutMillis,
                                                            boolean throwOnError) {
        return startAsync(CallSpec.of(timeoutMillis, null, null),
            (c, s, id) -> c.requestStart(method, path, headerLines, body, flags, s, id),
            outcome -> {
                try {
                    return outcome.take();
                } catch (HttpException e) {
                    if (throwOnError) {
                        throw e;
                    }
                    return e.response();
                }
            });
    }

    /** Whether a blocking call on this thread is started asynchronously and waited for. */
    private boolean startAndWait(Thread t) {
        return waitMode == WaitMode.ASYNC || (waitMode == WaitMode.AUTO && Threads.isVirtual(t));
    }

    /**
     * Runs a blocking call: on a platform thread in native code on this thread, with an
     * {@link InterruptHook} that fires the call's cancel handle on {@link Thread#interrupt()}; on
     * a virtual thread by starting it and parking until its completion (an interrupt fires the
     * handle and ends the wait at once). Either way the call has its own {@code lx_cancel}.
     */
    private <T> T call(CallSpec spec, Direct<T> direct, Starter starter, Function<LeanixResponse, T> fromResponse) {
        refuseInCallback();
        Thread me = Thread.currentThread();
        if (me.isInterrupted()) {
            throw interrupted(null);
        }
        BackendClient c = open();
        boolean counted = true; // leave() is ours to call (for a started call, its callback's)
        try {
            NativeCancel cancel = cancels.take();
            try {
                CallSpec withCancel = spec.withCancel(cancel);
                if (startAndWait(me)) {
                    Handoff<NativeOutcome> handoff = new Handoff<>(me, NativeOutcome::discard);
                    long id = Completions.register(outcome -> {
                        leave();
                        handoff.complete(outcome);
                    });
                    try {
                        starter.start(c, withCancel, id);
                    } catch (RuntimeException | Error e) {
                        Completions.unregister(id);
                        throw e;
                    }
                    counted = false;
                    NativeOutcome outcome = handoff.await(cancel::fire, false);
                    try {
                        return fromResponse.apply(outcome.take());
                    } catch (CancelledException e) {
                        // The interrupt fired the handle and the callback came before the wait gave up.
                        throw me.isInterrupted() ? interrupted(e) : e;
                    }
                }
                return hooked(cancel, () -> direct.call(c, withCancel));
            } finally {
                // The native call has ended (or, after an interrupt, the handle fired and is freed).
                cancels.give(cancel);
            }
        } catch (LeanixException e) {
            throw afterClose(e);
        } finally {
            if (counted) {
                leave();
            }
            Reference.reachabilityFence(this);
        }
    }

    /**
     * A blocking call the C API has no asynchronous form of (the access token, the claims, the API
     * origin, the webhooks' calls, the merged GraphQL walk; forgetting the token, without a cancel
     * handle): on a platform thread in native code on this thread (an interrupt fires
     * {@code cancel}, if there is one); on a virtual thread on a worker thread of the binding's
     * pool while the virtual thread parks (an interrupt fires {@code cancel} and waits the few
     * milliseconds until the call has ended, or, without a handle, gives up at once).
     */
    private <T> T blockingWithoutStart(NativeCancel cancel, Function<BackendClient, T> nativeCall) {
        refuseInCallback();
        Thread me = Thread.currentThread();
        if (me.isInterrupted()) {
            throw interrupted(null);
        }
        BackendClient c = open();
        try {
            if (startAndWait(me)) {
                Handoff<T> handoff = new Handoff<>(me, null);
                Runnable task = () -> {
                    try {
                        handoff.complete(nativeCall.apply(c));
                    } catch (RuntimeException e) {
                        handoff.fail(e);
                    } catch (Error e) {
                        handoff.fail(new IllegalStateException(e));
                    }
                };
                try {
                    Threads.workers().execute(task);
                    Threads.countOffloaded();
                } catch (RejectedExecutionException e) {
                    return nativeCall.apply(c);
                }
                try {
                    return handoff.await(cancel == null ? () -> { } : cancel::fire, cancel != null);
                } catch (CancelledException e) {
                    throw me.isInterrupted() && !INTERRUPTED.equals(e.getMessage()) ? interrupted(e) : e;
                }
            }
            if (cancel == null) {
                return nativeCall.apply(c);
            }
            return hooked(cancel, () -> nativeCall.apply(c));
        } catch (LeanixException e) {
            throw afterClose(e);
        } finally {
            leave();
            Reference.reachabilityFence(this);
        }
    }

    /**
     * A native call on this thread under an {@link InterruptHook}: {@link Thread#interrupt()}
     * fires {@code cancel}, and the call's {@link CancelledException} then says that the thread
     * was interrupted.
     */
    private static <T> T hooked(NativeCancel cancel, Supplier<T> nativeCall) {
        InterruptHook hook = new InterruptHook(cancel);
        hook.enter();
        try {
            return nativeCall.get();
        } catch (CancelledException e) {
            if (hook.exit()) {
                throw interrupted(e);
            }
            throw e;
        } finally {
            hook.exit();
        }
    }

    /**
     * One page of a walk of this client (for {@link GraphQlPages} and {@link RestPages}): the
     * page's JSON, or null after the last page. On a platform thread {@code lx_*_pages_next} in
     * native code on this thread; on a virtual thread the fetch is started
     * ({@code lx_*_pages_next_start}) and the virtual thread parks until its completion, as a
     * blocking call does (an interrupt fires {@code cancel}, which ends the fetch within
     * milliseconds; the wait goes on until its callback, so that the walk is never left with a
     * fetch in flight). A backend without the asynchronous fetch runs it on a worker thread.
     */
    String fetchPage(PageWalk walk, NativeCancel cancel) {
        Thread me = Thread.currentThread();
        if (!startAndWait(me)) {
            return blockingWithoutStart(cancel, c -> walk.next());
        }
        refuseInCallback();
        if (me.isInterrupted()) {
            throw interrupted(null);
        }
        open();
        boolean counted = true; // leave() is ours to call, until the fetch has started (then its callback's)
        try {
            Handoff<NativeOutcome> handoff = new Handoff<>(me, NativeOutcome::discard);
            long id = Completions.register(outcome -> {
                leave();
                handoff.complete(outcome);
            });
            try {
                walk.startNext(id);
            } catch (UnsupportedOperationException e) {
                Completions.unregister(id);
                leave();
                counted = false;
                return blockingWithoutStart(cancel, c -> walk.next());
            } catch (RuntimeException | Error e) {
                Completions.unregister(id);
                throw e;
            }
            counted = false;
            NativeOutcome outcome = handoff.await(cancel::fire, true);
            LeanixResponse page;
            try {
                page = outcome.take();
            } catch (CancelledException e) {
                throw me.isInterrupted() ? interrupted(e) : e;
            }
            return page == null ? null : page.bodyAsString();
        } catch (LeanixException e) {
            throw afterClose(e);
        } finally {
            if (counted) {
                leave();
            }
            Reference.reachabilityFence(this);
        }
    }

    /** Starts an asynchronous call; its future completes on the executor. */
    private <T> CompletableFuture<T> startAsync(CallSpec spec, Starter starter, Taker<T> taker) {
        BackendClient c = open();
        NativeCancel cancel;
        try {
            cancel = cancels.take();
        } catch (RuntimeException | Error e) {
            leave();
            throw e;
        }
        LeanixFuture<T> future = new LeanixFuture<>(cancel);
        long id = Completions.register(outcome -> {
            leave();
            cancels.give(future.release());
            complete(future, outcome, taker);
        });
        try {
            starter.start(c, spec.withCancel(cancel), id);
        } catch (LeanixException e) {
            Completions.unregister(id);
            cancels.give(future.release());
            leave();
            future.completeExceptionally(afterClose(e));
        } catch (RuntimeException | Error e) {
            Completions.unregister(id);
            cancels.give(future.release());
            leave();
            throw e;
        } finally {
            Reference.reachabilityFence(this);
        }
        return future;
    }

    /** On the library thread: hands the outcome to the executor, which copies it and completes the future. */
    private <T> void complete(LeanixFuture<T> future, NativeOutcome outcome, Taker<T> taker) {
        if (future.isDone()) {
            outcome.discard();
            return;
        }
        Runnable finish = () -> {
            if (future.isDone()) {
                outcome.discard();
                return;
            }
            try {
                future.complete(taker.take(outcome));
            } catch (LeanixException e) {
                future.completeExceptionally(afterClose(e));
            } catch (Throwable t) {
                future.completeExceptionally(t);
            }
        };
        try {
            executor.execute(finish);
        } catch (RejectedExecutionException e) {
            finish.run();
        }
    }

    private static CallSpec spec(GraphQlRequest r) {
        return CallSpec.of(r.timeout().map(d -> millis("timeout", d)).orElse(0L), r.operationName().orElse(null),
            null);
    }

    private static void refuseInCallback() {
        if (Completions.inCallback()) {
            throw new RecursiveCallException("a blocking LeanixClient call was made from inside a libleanix callback "
                + "(an event listener, or a completion run on a library thread), where it would wait for itself; "
                + "start it asynchronously or make it from another thread");
        }
    }

    private static final String INTERRUPTED = "the call was cancelled because its thread was interrupted";

    /** The exception of a call cancelled by an interrupt of its thread (whose flag stays set). */
    static CancelledException interrupted(Throwable cause) {
        CancelledException e = new CancelledException(INTERRUPTED);
        if (cause != null) {
            e.initCause(cause);
        }
        return e;
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
     * A positive duration in whole milliseconds, rounded up.
     *
     * @param what the setting's name, for the message
     * @param d the duration
     * @return at least 1
     * @throws IllegalArgumentException if it is not positive
     */
    static long millis(String what, Duration d) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, not " + d);
        }
        try {
            long ms = d.toMillis();
            return d.compareTo(Duration.ofMillis(ms)) > 0 ? ms + 1 : Math.max(ms, 1);
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }

    /** The {@link System.Logger} bridge and the listener of one client, as its event sink. */
    private record EventDispatch(LeanixEventListener listener, boolean log) implements Events.Sink {
        private static final System.Logger LOG = System.getLogger(LeanixEvent.LOGGER_NAME);

        @Override
        public void event(int kind, String detailsJson) {
            LeanixEvent e = new LeanixEvent(kind, detailsJson);
            if (log && LOG.isLoggable(e.kind().level())) {
                LOG.log(e.kind().level(), e.describe());
            }
            if (listener != null) {
                try {
                    listener.onEvent(e);
                } catch (RuntimeException ignored) {
                    // a listener's failure is its own (documented: ignored)
                }
            }
        }
    }

    /**
     * Settings of a {@link LeanixClient}. Unset settings keep the library's defaults, which
     * {@link LeanixClient#optionDefault(String)} and {@link LeanixClient#optionDefaults()} return
     * (the header's {@code LX_DEFAULT_*} constants); host and API token default to
     * {@code LEANIX_HOST} and {@code LEANIX_API_TOKEN}, the proxy to
     * {@code HTTPS_PROXY}/{@code NO_PROXY}. A builder may build several clients; it is not
     * thread-safe. {@link #toString()} never shows the API token.
     */
    public static final class Builder {
        private final Map<String, String> options = new LinkedHashMap<>();
        private String backend;
        private boolean throwOnError = true;
        private Executor executor;
        private LeanixEventListener listener;
        private boolean logEvents = true;

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
         * stays HTTPS-only. Unset, {@code LEANIX_INSECURE_LOOPBACK=1} in the environment turns
         * it on. The option's one name: C key and Python keyword {@code insecure_loopback},
         * {@code lx --insecure-loopback}.
         *
         * @param allow whether to allow it
         * @return this
         */
        public Builder insecureLoopback(boolean allow) {
            options.remove("allow_insecure_loopback");
            return set("insecure_loopback", allow ? "1" : "0");
        }

        /**
         * The older spelling of {@link #insecureLoopback(boolean)}, kept working.
         *
         * @param allow whether to allow it
         * @return this
         * @deprecated the option has one name on every surface: use {@link #insecureLoopback(boolean)}
         */
        @Deprecated
        public Builder allowInsecureLoopback(boolean allow) {
            return insecureLoopback(allow);
        }

        /**
         * @param timeout connect timeout (default: {@code connect_timeout_ms}, see
         *     {@link LeanixClient#optionDefault})
         * @return this
         */
        public Builder connectTimeout(Duration timeout) {
            return set("connect_timeout_ms", millisText("connectTimeout", timeout));
        }

        /**
         * @param timeout timeout of one token-exchange attempt (default: {@code token_timeout_ms})
         * @return this
         */
        public Builder tokenTimeout(Duration timeout) {
            return set("token_timeout_ms", millisText("tokenTimeout", timeout));
        }

        /**
         * The deadline of each call (default: {@code request_timeout_ms}): the token exchange,
         * every attempt and every backoff or {@code Retry-After} wait must fit, or the call ends
         * with {@link TimeoutException} at the deadline. A call may set its own
         * ({@link LeanixRequest.Builder#timeout}, {@link GraphQlRequest.Builder#timeout}).
         *
         * @param timeout the deadline
         * @return this
         */
        public Builder requestTimeout(Duration timeout) {
            return set("request_timeout_ms", millisText("requestTimeout", timeout));
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
         * @param attempts attempts per API request, 1..10 (1 disables retries; default:
         *     {@code max_attempts})
         * @return this
         */
        public Builder maxAttempts(int attempts) {
            return set("max_attempts", Integer.toString(attempts));
        }

        /**
         * @param attempts attempts per token exchange, 1..10 (default: {@code token_attempts})
         * @return this
         */
        public Builder tokenAttempts(int attempts) {
            return set("token_attempts", Integer.toString(attempts));
        }

        /**
         * @param delay base of the full-jitter backoff between attempts (default:
         *     {@code retry_base_delay_ms}; also the shortest wait a {@code Retry-After} is raised to)
         * @return this
         */
        public Builder retryBaseDelay(Duration delay) {
            return set("retry_base_delay_ms", millisText("retryBaseDelay", delay));
        }

        /**
         * @param delay cap of the backoff between attempts (default: {@code retry_max_delay_ms})
         * @return this
         */
        public Builder retryMaxDelay(Duration delay) {
            return set("retry_max_delay_ms", millisText("retryMaxDelay", delay));
        }

        /**
         * @param max the longest {@code Retry-After} the client waits for; longer ones end the call
         *     with the server's error at once (default: {@code max_retry_after_ms})
         * @return this
         */
        public Builder maxRetryAfter(Duration max) {
            return set("max_retry_after_ms", millisText("maxRetryAfter", max));
        }

        /**
         * @param fraction fraction of the token lifetime after which to refresh in the background
         *     (default: {@code refresh_ahead})
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
            return set("invalid_credentials_ttl_ms", millisText("invalidCredentialsTtl", ttl));
        }

        /**
         * @param backoff the pause after a failed background refresh
         * @return this
         */
        public Builder failedRefreshBackoff(Duration backoff) {
            return set("failed_refresh_backoff_ms", millisText("failedRefreshBackoff", backoff));
        }

        /**
         * @param margin no request goes out with a token closer than this to its expiry
         * @return this
         */
        public Builder expiryMargin(Duration margin) {
            return set("expiry_margin_ms", millisText("expiryMargin", margin));
        }

        /**
         * The largest response body a call reads (default: {@code max_response_bytes}); a larger
         * one ends the call with {@link ResponseTooLargeException} having read no more than the
         * limit plus one buffer. It also bounds the body an {@link HttpException} keeps.
         *
         * @param bytes the limit, positive
         * @return this
         */
        public Builder maxResponseBytes(long bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("maxResponseBytes must be positive, not " + bytes);
            }
            return set("max_response_bytes", Long.toString(bytes));
        }

        /**
         * The most pages a GraphQL page walk ({@link LeanixClient#graphqlAll},
         * {@link LeanixClient#graphqlPages}) fetches (default: {@code max_pages}); one more is
         * {@link ResponseTooLargeException}.
         *
         * @param pages the limit, positive
         * @return this
         */
        public Builder maxPages(int pages) {
            if (pages <= 0) {
                throw new IllegalArgumentException("maxPages must be positive, not " + pages);
            }
            return set("max_pages", Integer.toString(pages));
        }

        /**
         * Whether the client paces itself after a 429 (default: {@code adaptive_pacing}, on):
         * every call of the client waits for the server's {@code Retry-After} anyway; with pacing,
         * it then sends at 0.7x the rate it measured and recovers gradually, shared by all
         * threads, instead of bursting back into the limit.
         *
         * @param pacing false to turn adaptive pacing off
         * @return this
         */
        public Builder adaptivePacing(boolean pacing) {
            return set("adaptive_pacing", pacing ? "1" : "0");
        }

        /**
         * A fixed budget: never more than this many requests per minute from this client, all
         * threads together (default: {@code max_requests_per_minute}, 0 = no fixed limit). For a
         * budget shared with other tools; LeanIX allows 1 800 per minute per user.
         *
         * @param requests the limit per minute, 0 for none
         * @return this
         */
        public Builder maxRequestsPerMinute(int requests) {
            if (requests < 0) {
                throw new IllegalArgumentException("maxRequestsPerMinute must not be negative, not " + requests);
            }
            return set("max_requests_per_minute", Integer.toString(requests));
        }

        /**
         * At most one token exchange caused by a 401 per interval (default:
         * {@code reauth_interval_ms}): an API that rejects every token costs one exchange per
         * interval, not one per call. {@link Duration#ZERO} exchanges after every 401.
         *
         * @param interval the interval
         * @return this
         */
        public Builder reauthInterval(Duration interval) {
            Objects.requireNonNull(interval, "reauthInterval");
            return set("reauth_interval_ms", interval.isZero() ? "0" : millisText("reauthInterval", interval));
        }

        /**
         * Shares the access token with the other processes of this user through a file (default
         * false): one file per host and API token, named by a hash of both, in
         * {@code $XDG_RUNTIME_DIR/leanix/} if that directory exists, else
         * {@code $XDG_CACHE_HOME/leanix/}, else {@code ~/.cache/leanix/}. Processes that need a
         * token together make one exchange between them (a lock beside the file). The directory
         * is {@code 0700} and the file {@code 0600}; one of another user, with a looser mode, or
         * corrupt is not used ({@link LeanixEvent.Kind#TOKEN_CACHE_IGNORED}). The file holds a
         * bearer token at rest, readable by anything running as the same user;
         * {@link LeanixClient#forgetToken()} removes it. Replaces a {@link #tokenCacheDir} set
         * before (the last of the two calls wins).
         *
         * @param on true to share the token through the default directory
         * @return this
         */
        public Builder tokenCache(boolean on) {
            set("token_cache_dir", null);
            return set("token_cache", on ? "1" : "0");
        }

        /**
         * Like {@link #tokenCache tokenCache(true)}, with the file in {@code dir} (created
         * {@code 0700} if missing; an existing one must be this user's with mode {@code 0700}).
         *
         * @param dir the directory
         * @return this
         */
        public Builder tokenCacheDir(Path dir) {
            Objects.requireNonNull(dir, "dir");
            set("token_cache", null);
            return set("token_cache_dir", dir.toString());
        }

        /**
         * Whether API calls go to the access token's {@code instanceUrl} when it names another
         * {@code https://} host under the configured host's registrable domain, or an allowed one
         * (default true: {@code route_by_instance_url}). The token endpoint stays the host.
         *
         * @param route false to keep every call on the configured host
         * @return this
         */
        public Builder routeByInstanceUrl(boolean route) {
            return set("route_by_instance_url", route ? "1" : "0");
        }

        /**
         * Allows routing to these hosts whatever their domain ({@code allowed_instance_hosts}).
         *
         * @param hosts host names
         * @return this
         */
        public Builder allowInstanceHosts(String... hosts) {
            return set("allowed_instance_hosts", String.join(",", hosts));
        }

        /**
         * Whether an unsuccessful HTTP status throws (default true). With false, the calls that
         * return a {@link LeanixResponse} ({@link LeanixClient#get}, {@link LeanixClient#send},
         * {@link LeanixClient#request}, their async forms) return the server's answer instead, so
         * a 4xx body can be read without an exception; {@link LeanixResponse#isSuccess()} and
         * {@link LeanixResponse#raiseForStatus()} check it. Failures without an answer (timeouts,
         * connection errors, cancellation, ...) always throw. A request may override it
         * ({@link LeanixRequest.Builder#throwOnError}).
         *
         * @param throwOnError false to return unsuccessful answers
         * @return this
         */
        public Builder throwOnError(boolean throwOnError) {
            this.throwOnError = throwOnError;
            return this;
        }

        /**
         * The executor that completes the futures of asynchronous calls (so dependent stages run
         * there, as with {@code HttpClient}'s executor). Default: a shared pool of daemon threads
         * ({@code leanix-worker-N}) that grows on demand. An executor that runs tasks in place
         * ({@code Runnable::run}) completes them on the library's I/O thread: dependent stages then
         * must not block (blocking client calls there throw {@link RecursiveCallException}).
         *
         * @param executor the executor, or null for the default
         * @return this
         */
        public Builder executor(Executor executor) {
            this.executor = executor;
            return this;
        }

        /**
         * Receives the client's events (token exchanges and refreshes, failed exchanges, rejected
         * tokens, retries); see {@link LeanixEventListener} for the threads it runs on.
         *
         * @param listener the listener, or null for none
         * @return this
         */
        public Builder eventListener(LeanixEventListener listener) {
            this.listener = listener;
            return this;
        }

        /**
         * Whether events are logged to the {@link System.Logger} {@value LeanixEvent#LOGGER_NAME}
         * (default true; levels in {@link LeanixEvent.Kind}). With SLF4J, add
         * {@code org.slf4j:slf4j-jdk-platform-logging} so that {@code System.Logger} goes to it.
         *
         * @param log false to log nothing
         * @return this
         */
        public Builder logEvents(boolean log) {
            this.logEvents = log;
            return this;
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
            WaitMode mode = waitMode();
            LeanixBackend b = selectBackend(backend);
            List<Map.Entry<String, String>> list = new ArrayList<>(options.size());
            for (Map.Entry<String, String> e : options.entrySet()) {
                list.add(Map.entry(e.getKey(), e.getValue()));
            }
            long sink = listener != null || logEvents ? Events.register(new EventDispatch(listener, logEvents)) : 0;
            BackendClient nc;
            try {
                nc = b.newClient(list, sink);
            } catch (RuntimeException | Error e) {
                if (sink != 0) {
                    Events.unregister(sink);
                }
                throw e;
            }
            return new LeanixClient(nc, b, sink, throwOnError, executor != null ? executor : Threads.workers(), mode);
        }

        private static WaitMode waitMode() {
            String m = System.getProperty(BLOCKING_PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
            switch (m) {
                case "":
                case "auto":
                    return WaitMode.AUTO;
                case "direct":
                    return WaitMode.DIRECT;
                case "async":
                    return WaitMode.ASYNC;
                default:
                    throw new IllegalStateException("-D" + BLOCKING_PROPERTY + " must be auto, direct or async, not "
                        + Json.quote(m.length() > 20 ? m.substring(0, 20) : m));
            }
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
                first = false;
            }
            if (!throwOnError) {
                s.append(first ? "" : ", ").append("throwOnError=false");
            }
            return s.append(']').toString();
        }

        /** Values that may be printed; everything else (token, proxy URL, PEM, unknown keys) is masked. */
        private static String shown(String key, String value) {
            switch (key) {
                case "host":
                case "allow_insecure_loopback":
                case "insecure_loopback":
                case "ca_file":
                case "user_agent":
                case "max_attempts":
                case "token_attempts":
                case "refresh_ahead":
                case "refresh_on_expiry_only":
                case "max_response_bytes":
                case "max_pages":
                case "adaptive_pacing":
                case "max_requests_per_minute":
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

        private static String millisText(String what, Duration d) {
            return Long.toString(millis(what, d));
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
