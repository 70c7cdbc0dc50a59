package org.libleanix.panama;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import org.libleanix.LeanixException;
import org.libleanix.LeanixResponse;
import org.libleanix.Status;
import org.libleanix.spi.BackendClient;
import org.libleanix.spi.CallSpec;
import org.libleanix.spi.Completions;
import org.libleanix.spi.Events;
import org.libleanix.spi.OwnedCancel;
import org.libleanix.spi.OwnedOutcome;
import org.libleanix.spi.NativeStrings;
import org.libleanix.spi.PageWalk;

/**
 * One {@code lx_client} over the FFM API. Every call opens a confined {@link Arena} for its
 * arguments, its {@link OutParams} and its {@code lx_call_options} (closed, and so freed, when the
 * call returns; the library copies what it keeps, also for asynchronous starts); everything the
 * library hands out is copied into Java objects and released with {@code lx_free} at once.
 *
 * <p>Callbacks: {@link #onCompletion} and {@link #onEvent} are the targets of the two upcall
 * stubs of {@link Lib}; the {@code userdata} of each call or client is a number that
 * {@link Completions} and {@link Events} map to its handler. They never throw (an exception
 * escaping an upcall would end the JVM).
 */
final class PanamaClient implements BackendClient {
    private final MemorySegment handle;

    PanamaClient(MemorySegment handle) {
        this.handle = handle;
    }

    static MemorySegment cString(Arena arena, String what, String s) {
        if (s == null) {
            return MemorySegment.NULL;
        }
        return arena.allocateFrom(NativeStrings.checkNoNul(what, s));
    }

    /** The completion callback: hands the owned result to the call's handler. */
    static void onCompletion(MemorySegment userdata, int status, MemorySegment response, MemorySegment error) {
        try {
            Completions.deliver(userdata.address(), new Outcome(status, response, error, false));
        } catch (Throwable ignored) {
            // never into native code
        }
    }

    /**
     * The completion callback of page fetches ({@code lx_*_pages_next_start}): as
     * {@link #onCompletion}, but {@code LX_OK} without a response is the end of the walk.
     */
    static void onPageCompletion(MemorySegment userdata, int status, MemorySegment response, MemorySegment error) {
        try {
            Completions.deliver(userdata.address(), new Outcome(status, response, error, true));
        } catch (Throwable ignored) {
            // never into native code
        }
    }

    /** The event callback: hands the event to the client's sink. */
    static void onEvent(MemorySegment userdata, int kind, MemorySegment detailsJson) {
        try {
            String details = detailsJson.address() == 0 ? "{}" : borrowed(detailsJson);
            Events.deliver(userdata.address(), kind, details);
        } catch (Throwable ignored) {
            // never into native code
        }
    }

    @Override
    public LeanixResponse request(String method, String path, String headers, byte[] body, int flags, CallSpec spec) {
        return inArena((arena, out) -> {
            checkWithOptions(arena, spec, out, options -> {
                RequestArgs a = RequestArgs.of(arena, method, path, headers, body);
                return (int) Lib.REQUEST_WITH.invokeExact(handle, a.method(), a.path(), a.headers(), a.headersLen(),
                    a.body(), a.bodyLen(), flags, options, out.result(), out.error());
            });
            return response(out.resultValue(), out);
        });
    }

    @Override
    public String graphql(String query, String variablesJson, CallSpec spec) {
        return queryJson(Lib.GRAPHQL_WITH, query, variablesJson, spec);
    }

    @Override
    public String graphqlAll(String query, String variablesJson, CallSpec spec) {
        return queryJson(Lib.GRAPHQL_ALL_WITH, query, variablesJson, spec);
    }

    /** {@code lx_graphql_with} or {@code lx_graphql_all_with} ({@code f}): the same parameters, an owned JSON result. */
    private String queryJson(MethodHandle f, String query, String variablesJson, CallSpec spec) {
        return inArena((arena, out) -> {
            MemorySegment q = cString(arena, "query", query);
            MemorySegment v = cString(arena, "variables_json", variablesJson);
            checkWithOptions(arena, spec, out, options ->
                (int) f.invokeExact(handle, q, v, options, out.result(), out.length(), out.error()));
            return ownedResult(out);
        });
    }

    @Override
    public PageWalk restPages(String path, CallSpec spec) {
        return inArena((arena, out) -> {
            MemorySegment p = cString(arena, "path", path);
            checkWithOptions(arena, spec, out, options ->
                (int) Lib.REST_PAGES_NEW.invokeExact(handle, p, options, out.result(), out.error()));
            return new Walk(out.resultValue(), true);
        });
    }

    @Override
    public String ldifRun(String ldifJson, int flags, CallSpec spec) {
        return ldifJson(Lib.LDIF_RUN, "ldif_json", ldifJson, flags, spec);
    }

    @Override
    public void ldifRunStart(String ldifJson, int flags, CallSpec spec, long callId) {
        ldifStart(Lib.LDIF_RUN_START, "ldif_json", ldifJson, flags, spec, callId);
    }

    @Override
    public String ldifWait(String runId, int flags, CallSpec spec) {
        return ldifJson(Lib.LDIF_WAIT, "run_id", runId, flags, spec);
    }

    @Override
    public void ldifWaitStart(String runId, int flags, CallSpec spec, long callId) {
        ldifStart(Lib.LDIF_WAIT_START, "run_id", runId, flags, spec, callId);
    }

    /** {@code lx_ldif_run} or {@code lx_ldif_wait} ({@code f}): a string and flags in, the result JSON out. */
    private String ldifJson(MethodHandle f, String what, String arg, int flags, CallSpec spec) {
        return inArena((arena, out) -> {
            MemorySegment a = cString(arena, what, arg);
            checkWithOptions(arena, spec, out, options ->
                (int) f.invokeExact(handle, a, flags, options, out.result(), out.length(), out.error()));
            return ownedResult(out);
        });
    }

    /** {@code lx_ldif_run_start} or {@code lx_ldif_wait_start} ({@code f}). */
    private void ldifStart(MethodHandle f, String what, String arg, int flags, CallSpec spec, long callId) {
        inArena((arena, out) -> {
            MemorySegment a = cString(arena, what, arg);
            checkWithOptions(arena, spec, out, options ->
                (int) f.invokeExact(handle, a, flags, options, Lib.COMPLETION_STUB, MemorySegment.ofAddress(callId),
                    out.error()));
            return null;
        });
    }

    @Override
    public String updateFactSheet(String id, String patchesJson, String comment, int flags, CallSpec spec) {
        return inArena((arena, out) -> {
            UpdateArgs a = UpdateArgs.of(arena, id, patchesJson, comment);
            checkWithOptions(arena, spec, out, options ->
                (int) Lib.UPDATE_FACT_SHEET.invokeExact(handle, a.id(), a.patches(), a.comment(), flags, options,
                    out.result(), out.length(), out.error()));
            return ownedResult(out);
        });
    }

    @Override
    public void updateFactSheetStart(String id, String patchesJson, String comment, int flags, CallSpec spec,
                                     long callId) {
        inArena((arena, out) -> {
            UpdateArgs a = UpdateArgs.of(arena, id, patchesJson, comment);
            checkWithOptions(arena, spec, out, options ->
                (int) Lib.UPDATE_FACT_SHEET_START.invokeExact(handle, a.id(), a.patches(), a.comment(), flags, options,
                    Lib.COMPLETION_STUB, MemorySegment.ofAddress(callId), out.error()));
            return null;
        });
    }

    /** The strings of {@code lx_update_fact_sheet} and {@code lx_update_fact_sheet_start} in the call's arena. */
    private record UpdateArgs(MemorySegment id, MemorySegment patches, MemorySegment comment) {
        static UpdateArgs of(Arena arena, String id, String patchesJson, String comment) {
            return new UpdateArgs(cString(arena, "id", id), cString(arena, "patches_json", patchesJson),
                cString(arena, "comment", comment));
        }
    }

    @Override
    public PageWalk graphqlPages(String query, String variablesJson, CallSpec spec) {
        return inArena((arena, out) -> {
            MemorySegment q = cString(arena, "query", query);
            MemorySegment v = cString(arena, "variables_json", variablesJson);
            checkWithOptions(arena, spec, out, options ->
                (int) Lib.PAGES_NEW.invokeExact(handle, q, v, options, out.result(), out.error()));
            return new Walk(out.resultValue());
        });
    }

    @Override
    public void requestStart(String method, String path, String headers, byte[] body, int flags, CallSpec spec,
                             long callId) {
        inArena((arena, out) -> {
            checkWithOptions(arena, spec, out, options -> {
                RequestArgs a = RequestArgs.of(arena, method, path, headers, body);
                return (int) Lib.REQUEST_START.invokeExact(handle, a.method(), a.path(), a.headers(), a.headersLen(),
                    a.body(), a.bodyLen(), flags, options, Lib.COMPLETION_STUB, MemorySegment.ofAddress(callId),
                    out.error());
            });
            return null;
        });
    }

    @Override
    public void graphqlStart(String query, String variablesJson, CallSpec spec, long callId) {
        inArena((arena, out) -> {
            MemorySegment q = cString(arena, "query", query);
            MemorySegment v = cString(arena, "variables_json", variablesJson);
            checkWithOptions(arena, spec, out, options ->
                (int) Lib.GRAPHQL_START.invokeExact(handle, q, v, options, Lib.COMPLETION_STUB,
                    MemorySegment.ofAddress(callId), out.error()));
            return null;
        });
    }

    @Override
    public String accessToken(CallSpec spec) {
        return clientString(Lib.ACCESS_TOKEN_WITH, spec);
    }

    @Override
    public boolean forgetToken() {
        return inArena((arena, out) -> {
            MemorySegment removed = arena.allocate(JAVA_INT); // zeroed
            check((int) Lib.FORGET_TOKEN.invokeExact(handle, removed, out.error()), out);
            return removed.get(JAVA_INT, 0) != 0;
        });
    }

    @Override
    public String claimsJson(CallSpec spec) {
        return clientString(Lib.CLAIMS_JSON_WITH, spec);
    }

    @Override
    public String webhooksCreate(String specJson, CallSpec spec) {
        return inArena((arena, out) -> {
            MemorySegment body = cString(arena, "spec_json", specJson);
            checkWithOptions(arena, spec, out, options ->
                (int) Lib.WEBHOOKS_CREATE.invokeExact(handle, body, options, out.result(), out.length(), out.error()));
            return ownedResult(out);
        });
    }

    @Override
    public String webhooksList(CallSpec spec) {
        return inArena((arena, out) -> {
            checkWithOptions(arena, spec, out, options ->
                (int) Lib.WEBHOOKS_LIST.invokeExact(handle, options, out.result(), out.length(), out.error()));
            return ownedResult(out);
        });
    }

    @Override
    public void webhooksDelete(String subscriptionId, CallSpec spec) {
        inArena((arena, out) -> {
            MemorySegment id = cString(arena, "subscription_id", subscriptionId);
            checkWithOptions(arena, spec, out, options ->
                (int) Lib.WEBHOOKS_DELETE.invokeExact(handle, id, options, out.error()));
            return null;
        });
    }

    @Override
    public String webhooksFetch(String subscriptionId, boolean wait, CallSpec spec) {
        return inArena((arena, out) -> {
            MemorySegment id = cString(arena, "subscription_id", subscriptionId);
            checkWithOptions(arena, spec, out, options -> wait
                ? (int) Lib.WEBHOOKS_FETCH_WAIT.invokeExact(handle, id, options, out.result(), out.length(), out.error())
                : (int) Lib.WEBHOOKS_FETCH.invokeExact(handle, id, options, out.result(), out.length(), out.error()));
            return ownedResult(out);
        });
    }

    @Override
    public void webhooksCommit(String subscriptionId, long nextOffset, CallSpec spec) {
        inArena((arena, out) -> {
            MemorySegment id = cString(arena, "subscription_id", subscriptionId);
            checkWithOptions(arena, spec, out, options ->
                (int) Lib.WEBHOOKS_COMMIT.invokeExact(handle, id, nextOffset, options, out.error()));
            return null;
        });
    }

    @Override
    public String apiOrigin(CallSpec spec) {
        return clientString(Lib.API_ORIGIN_WITH, spec);
    }

    @Override
    public void cancel() {
        unchecked(() -> (int) Lib.CLIENT_CLOSE.invokeExact(handle, MemorySegment.NULL));
    }

    @Override
    public void free() {
        unchecked(() -> {
            Lib.FREE.invokeExact(handle);
            return null;
        });
    }

    /** A downcall (or a few) whose checked {@code Throwable} {@link #unchecked} rethrows unchecked. */
    @FunctionalInterface
    interface Downcall<T> {
        T call() throws Throwable;
    }

    /** The body of one call: what it does in its own arena, with its out-parameters. */
    @FunctionalInterface
    interface ArenaCall<T> {
        T call(Arena arena, OutParams out) throws Throwable;
    }

    /** A downcall that takes an {@code lx_call_options} (NULL for none) and returns its status. */
    @FunctionalInterface
    private interface OptionsCall {
        int call(MemorySegment options) throws Throwable;
    }

    /**
     * Runs {@code call}, rethrowing a {@link RuntimeException} or {@link Error} as it is and any
     * other {@code Throwable} (the checked one of {@code invokeExact}) as an
     * {@link IllegalStateException}.
     */
    static <T> T unchecked(Downcall<T> call) {
        try {
            return call.call();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * Runs one call in a new confined {@link Arena} (closed when it returns) with new
     * {@link OutParams}, as {@link #unchecked}.
     */
    static <T> T inArena(ArenaCall<T> call) {
        return unchecked(() -> {
            try (Arena arena = Arena.ofConfined()) {
                return call.call(arena, new OutParams(arena));
            }
        });
    }

    /**
     * Makes a downcall with the spec's {@code lx_call_options} ({@link #callOptions}, released with
     * {@link #freeOptions} after it) and {@link #check}s its status.
     */
    private static void checkWithOptions(Arena arena, CallSpec spec, OutParams out, OptionsCall call)
            throws Throwable {
        MemorySegment options = callOptions(arena, spec);
        try {
            check(call.call(options), out);
        } finally {
            freeOptions(spec, options);
        }
    }

    /**
     * A call {@code (lx_client *, const lx_call_options *, char **out, lx_error **)} whose result
     * is an owned NUL-terminated string ({@code lx_access_token_with}, {@code lx_claims_json_with},
     * {@code lx_api_origin_with}).
     */
    private String clientString(MethodHandle call, CallSpec spec) {
        return inArena((arena, out) -> {
            checkWithOptions(arena, spec, out, options ->
                (int) call.invokeExact(handle, options, out.result(), out.error()));
            return ownedString(out.resultValue(), -1);
        });
    }

    /** The owned string a call wrote to {@code result} and {@code length}, copied and freed. */
    private static String ownedResult(OutParams out) throws Throwable {
        return ownedString(out.resultValue(), out.lengthValue());
    }

    /**
     * The arguments of {@code lx_request_with} and {@code lx_request_start} in the call's arena:
     * NULL headers for none, a NULL body for none or an empty one.
     */
    private record RequestArgs(MemorySegment method, MemorySegment path, MemorySegment headers, long headersLen,
                               MemorySegment body, long bodyLen) {
        static RequestArgs of(Arena arena, String method, String path, String headers, byte[] body) {
            MemorySegment h = MemorySegment.NULL;
            long hLen = 0;
            if (headers != null) {
                byte[] bytes = headers.getBytes(StandardCharsets.UTF_8);
                h = arena.allocateFrom(JAVA_BYTE, bytes);
                hLen = bytes.length;
            }
            MemorySegment b = MemorySegment.NULL;
            long bLen = 0;
            if (body != null && body.length > 0) {
                b = arena.allocateFrom(JAVA_BYTE, body);
                bLen = body.length;
            }
            return new RequestArgs(cString(arena, "method", method), cString(arena, "path", path), h, hLen, b, bLen);
        }
    }

    /**
     * The {@code lx_call_options} of a spec: {@code NULL} for {@link CallSpec#NONE}, the cancel
     * handle's own for a spec with only a handle, else new ones; release with
     * {@link #freeOptions}.
     */
    private static MemorySegment callOptions(Arena arena, CallSpec spec) throws Throwable {
        if (spec == null || spec.isNone()) {
            return MemorySegment.NULL;
        }
        if (spec.onlyCancel()) {
            return ((Cancel) spec.cancel()).options();
        }
        OutParams out = new OutParams(arena);
        check((int) Lib.CALL_OPTIONS_NEW.invokeExact(out.result(), out.error()), out);
        MemorySegment options = out.resultValue();
        try {
            if (spec.timeoutMillis() > 0) {
                check((int) Lib.CALL_OPTIONS_SET_TIMEOUT_MS.invokeExact(options, spec.timeoutMillis(), out.error()), out);
            }
            if (spec.cancel() != null) {
                check((int) Lib.CALL_OPTIONS_SET_CANCEL.invokeExact(options, ((Cancel) spec.cancel()).handle,
                    out.error()), out);
            }
            if (spec.operationName() != null) {
                check((int) Lib.CALL_OPTIONS_SET_OPERATION_NAME.invokeExact(options,
                    cString(arena, "operation_name", spec.operationName()), out.error()), out);
            }
            if (spec.clashRetries() != CallSpec.DEFAULT_CLASH_RETRIES) {
                check((int) Lib.CALL_OPTIONS_SET_REVISION_CLASH_RETRIES.invokeExact(options, spec.clashRetries(),
                    out.error()), out);
            }
            return options;
        } catch (Throwable t) {
            freeSmall(options);
            throw t;
        }
    }

    /** Frees options from {@link #callOptions}, unless they are the cancel handle's own. */
    private static void freeOptions(CallSpec spec, MemorySegment options) throws Throwable {
        if (!(spec.cancel() != null && ((Cancel) spec.cancel()).owns(options))) {
            freeSmall(options);
        }
    }

    private static void freeSmall(MemorySegment p) throws Throwable {
        if (p.address() != 0) {
            Lib.FREE_SMALL.invokeExact(p);
        }
    }

    /**
     * An {@code lx_cancel}, with an {@code lx_call_options} that sets only it, made on first use
     * and kept as long as the handle (the binding reuses handles that have not fired).
     */
    static final class Cancel extends OwnedCancel {
        final MemorySegment handle;
        private MemorySegment options = MemorySegment.NULL;

        private Cancel(MemorySegment handle) {
            this.handle = handle;
        }

        static Cancel create() {
            return inArena((arena, out) -> {
                check((int) Lib.CANCEL_NEW.invokeExact(out.result(), out.error()), out);
                return new Cancel(out.resultValue());
            });
        }

        /** @return call options with this handle and nothing else; owned by this object */
        synchronized MemorySegment options() throws Throwable {
            if (options.address() == 0) {
                try (Arena arena = Arena.ofConfined()) {
                    OutParams out = new OutParams(arena);
                    check((int) Lib.CALL_OPTIONS_NEW.invokeExact(out.result(), out.error()), out);
                    MemorySegment o = out.resultValue();
                    try {
                        check((int) Lib.CALL_OPTIONS_SET_CANCEL.invokeExact(o, handle, out.error()), out);
                    } catch (Throwable t) {
                        freeSmall(o);
                        throw t;
                    }
                    options = o;
                }
            }
            return options;
        }

        /** @param o options from {@link PanamaClient#callOptions}: whether they are this handle's own */
        boolean owns(MemorySegment o) {
            return o.address() != 0 && o.address() == options.address();
        }

        @Override
        protected void fireNative() {
            try {
                // A freed handle is not live any more: the library ignores it (handles are never reused).
                int ignored = (int) Lib.CANCEL_FIRE.invokeExact(handle);
            } catch (Throwable ignored) {
                // documented never to throw
            }
        }

        @Override
        protected void freeNative() {
            unchecked(() -> {
                synchronized (this) {
                    freeSmall(options);
                    options = MemorySegment.NULL;
                }
                Lib.FREE_SMALL.invokeExact(handle);
                return null;
            });
        }
    }

    /** An {@code lx_graphql_pages} walk, or with {@code rest} an {@code lx_rest_pages} one. */
    private static final class Walk implements PageWalk {
        private final MemorySegment pages;
        private final boolean rest;

        Walk(MemorySegment pages) {
            this(pages, false);
        }

        Walk(MemorySegment pages, boolean rest) {
            this.pages = pages;
            this.rest = rest;
        }

        @Override
        public String next() {
            return inArena((arena, out) -> {
                int status = rest
                    ? (int) Lib.REST_PAGES_NEXT.invokeExact(pages, out.result(), out.length(), out.error())
                    : (int) Lib.PAGES_NEXT.invokeExact(pages, out.result(), out.length(), out.error());
                check(status, out);
                return out.resultValue().address() == 0 ? null : ownedResult(out);
            });
        }

        @Override
        public void startNext(long callId) {
            inArena((arena, out) -> {
                int status = rest
                    ? (int) Lib.REST_PAGES_NEXT_START.invokeExact(pages, Lib.PAGE_COMPLETION_STUB,
                        MemorySegment.ofAddress(callId), out.error())
                    : (int) Lib.PAGES_NEXT_START.invokeExact(pages, Lib.PAGE_COMPLETION_STUB,
                        MemorySegment.ofAddress(callId), out.error());
                check(status, out);
                return null;
            });
        }

        @Override
        public void free() {
            unchecked(() -> {
                Lib.FREE.invokeExact(pages);
                return null;
            });
        }
    }

    /** The owned result of an asynchronous call, copied by whoever takes it. */
    private static final class Outcome extends OwnedOutcome<MemorySegment> {
        Outcome(int status, MemorySegment response, MemorySegment error, boolean page) {
            super(status, response, error, page);
        }

        @Override
        protected boolean isNull(MemorySegment p) {
            return p.address() == 0;
        }

        @Override
        protected void free(MemorySegment p) {
            unchecked(() -> {
                freeSmall(p);
                return null;
            });
        }

        @Override
        protected LeanixResponse takeResponse(MemorySegment response) {
            return inArena((arena, out) -> response(response, out));
        }

        @Override
        protected LeanixException takeError(int status, MemorySegment error) {
            return unchecked(() -> error(status, error));
        }
    }

    /** A borrowed NUL-terminated UTF-8 string (valid while its owner lives). */
    static String borrowed(MemorySegment p) {
        return p.address() == 0 ? null : p.reinterpret(Long.MAX_VALUE).getString(0);
    }

    /** Copies an owned string (length known, or -1 for NUL-terminated) and frees it. */
    private static String ownedString(MemorySegment s, long len) throws Throwable {
        try {
            if (len < 0) {
                return s.reinterpret(Long.MAX_VALUE).getString(0);
            }
            return new String(s.reinterpret(len).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
        } finally {
            Lib.FREE_SMALL.invokeExact(s);
        }
    }

    /**
     * Copies a response into Java (status, body, the header block in one call) and frees it;
     * {@code out} is reused for the accessors' out-parameters.
     */
    private static LeanixResponse response(MemorySegment r, OutParams out) throws Throwable {
        try {
            return copy(r, out);
        } finally {
            Lib.FREE_SMALL.invokeExact(r);
        }
    }

    /** Copies a response (owned or borrowed) into Java. */
    private static LeanixResponse copy(MemorySegment r, OutParams out) throws Throwable {
        int status = (int) Lib.RESPONSE_STATUS.invokeExact(r);
        byte[] body = new byte[0];
        if ((int) Lib.RESPONSE_BODY.invokeExact(r, out.result(), out.length()) == Status.LX_OK) {
            body = bytes(out.resultValue(), out.lengthValue());
        }
        byte[] headers = new byte[0];
        if ((int) Lib.RESPONSE_HEADERS.invokeExact(r, out.result(), out.length()) == Status.LX_OK) {
            headers = bytes(out.resultValue(), out.lengthValue());
        }
        return new LeanixResponse(status, NativeStrings.headers(headers), body);
    }

    private static byte[] bytes(MemorySegment p, long len) {
        return len == 0 ? new byte[0] : p.reinterpret(len).toArray(JAVA_BYTE);
    }

    /** Throws the exception for a failed status, after freeing its {@code lx_error}. */
    static void check(int status, OutParams out) throws Throwable {
        if (status != Status.LX_OK) {
            throw error(status, out.errorValue());
        }
    }

    /**
     * Turns a failed status and its {@code lx_error} into an exception, with the failure's
     * response and GraphQL errors, freeing the error.
     */
    private static LeanixException error(int status, MemorySegment err) throws Throwable {
        if (err.address() == 0) {
            return LeanixException.of(status, LeanixException.statusName(status), 0, null, -1);
        }
        try (Arena arena = Arena.ofConfined()) {
            int code = (int) Lib.ERROR_CODE.invokeExact(err);
            OutParams out = new OutParams(arena);
            LeanixResponse response = null;
            if ((int) Lib.ERROR_RESPONSE.invokeExact(err, out.result()) == Status.LX_OK
                    && out.resultValue().address() != 0) {
                response = copy(out.resultValue(), new OutParams(arena));
            }
            String graphql = null;
            if (code == Status.LX_ERR_GRAPHQL) {
                OutParams json = new OutParams(arena);
                if ((int) Lib.ERROR_GRAPHQL_JSON.invokeExact(err, json.result(), json.length()) == Status.LX_OK
                        && json.resultValue().address() != 0) {
                    graphql = ownedString(json.resultValue(), json.lengthValue());
                }
            }
            String run = null;
            OutParams runJson = new OutParams(arena);
            if ((int) Lib.ERROR_RUN_JSON.invokeExact(err, runJson.result(), runJson.length()) == Status.LX_OK
                    && runJson.resultValue().address() != 0) {
                run = ownedString(runJson.resultValue(), runJson.lengthValue());
            }
            return LeanixException.of(
                code,
                borrowed((MemorySegment) Lib.ERROR_MESSAGE.invokeExact(err)),
                (int) Lib.ERROR_HTTP_STATUS.invokeExact(err),
                borrowed((MemorySegment) Lib.ERROR_OAUTH_ERROR.invokeExact(err)),
                (long) Lib.ERROR_RETRY_AFTER_MS.invokeExact(err),
                response,
                graphql,
                run,
                borrowed((MemorySegment) Lib.ERROR_REASON.invokeExact(err)));
        } finally {
            Lib.FREE_SMALL.invokeExact(err);
        }
    }
}
