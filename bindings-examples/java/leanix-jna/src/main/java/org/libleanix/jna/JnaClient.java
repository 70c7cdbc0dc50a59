package org.libleanix.jna;

import com.sun.jna.CallbackThreadInitializer;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.PointerType;
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
 * One {@code lx_client} over JNA. Out-parameters are one-element {@code long[]} arrays of the
 * call (see {@link LibLeanix}); everything the library hands out (responses,
 * errors, owned strings) is copied to Java and released with {@code lx_free} before the call
 * returns. A {@link CallSpec} becomes an {@code lx_call_options} for the duration of the call.
 *
 * <p>Callbacks: one {@link Handles.CompletionCallback} and one {@link Handles.EventCallback} for
 * the whole process, held in static fields (so always reachable); the {@code userdata} of each
 * call or client is a number that {@link Completions} and {@link Events} map to its handler. The
 * library's I/O threads that call them are attached to the JVM once, as daemon threads named
 * {@code leanix-io}, and stay attached (not attached and detached per callback).
 */
final class JnaClient implements BackendClient {
    private static final SizeT ZERO = new SizeT(0);

    /** The one completion callback: hands the owned result to the call's handler. */
    static final Handles.CompletionCallback COMPLETION = new Handles.CompletionCallback() {
        @Override
        public void invoke(Pointer userdata, int status, Pointer response, Pointer error) {
            Completions.deliver(Pointer.nativeValue(userdata), new Outcome(status, response, error, false));
        }
    };

    /**
     * The one completion callback of page fetches ({@code lx_*_pages_next_start}): as
     * {@link #COMPLETION}, but {@code LX_OK} without a response is the end of the walk.
     */
    static final Handles.CompletionCallback PAGE_COMPLETION = new Handles.CompletionCallback() {
        @Override
        public void invoke(Pointer userdata, int status, Pointer response, Pointer error) {
            Completions.deliver(Pointer.nativeValue(userdata), new Outcome(status, response, error, true));
        }
    };

    /** The one event callback: hands the event to the client's sink. */
    static final Handles.EventCallback EVENTS = new Handles.EventCallback() {
        @Override
        public void invoke(Pointer userdata, int kind, Pointer detailsJson) {
            String details;
            try {
                details = detailsJson == null ? "{}" : detailsJson.getString(0, "UTF-8");
            } catch (Throwable t) {
                return;
            }
            Events.deliver(Pointer.nativeValue(userdata), kind, details);
        }
    };

    static {
        CallbackThreadInitializer io = new CallbackThreadInitializer(true, false, "leanix-io");
        Native.setCallbackThreadInitializer(COMPLETION, io);
        Native.setCallbackThreadInitializer(PAGE_COMPLETION, io);
        Native.setCallbackThreadInitializer(EVENTS, io);
    }

    private final Handles.Client handle;

    JnaClient(Handles.Client handle) {
        this.handle = handle;
    }

    @Override
    public LeanixResponse request(String method, String path, String headers, byte[] body, int flags, CallSpec spec) {
        RequestArgs a = new RequestArgs(method, path, headers, body);
        long[] response = new long[1];
        checkWithOptions(spec, (options, err) -> LibLeanix.lx_request_with(handle, a.method, a.path, a.headers,
            a.headersLen, a.body, a.bodyLen, flags, options, response, err));
        return response(new Handles.Response(ptr(response)));
    }

    @Override
    public String graphql(String query, String variablesJson, CallSpec spec) {
        return queryJson(LibLeanix::lx_graphql_with, query, variablesJson, spec);
    }

    @Override
    public String graphqlAll(String query, String variablesJson, CallSpec spec) {
        return queryJson(LibLeanix::lx_graphql_all_with, query, variablesJson, spec);
    }

    @Override
    public String ldifRun(String ldifJson, int flags, CallSpec spec) {
        return ldifJson(LibLeanix::lx_ldif_run, "ldif_json", ldifJson, flags, spec);
    }

    @Override
    public void ldifRunStart(String ldifJson, int flags, CallSpec spec, long callId) {
        ldifStart(LibLeanix::lx_ldif_run_start, "ldif_json", ldifJson, flags, spec, callId);
    }

    @Override
    public String ldifWait(String runId, int flags, CallSpec spec) {
        return ldifJson(LibLeanix::lx_ldif_wait, "run_id", runId, flags, spec);
    }

    @Override
    public void ldifWaitStart(String runId, int flags, CallSpec spec, long callId) {
        ldifStart(LibLeanix::lx_ldif_wait_start, "run_id", runId, flags, spec, callId);
    }

    /** {@code lx_graphql_with} or {@code lx_graphql_all_with}: the same parameters, an owned JSON result. */
    @FunctionalInterface
    private interface QueryCall {
        int call(Handles.Client client, byte[] query, byte[] variablesJson, Handles.CallOptions options,
                 long[] outJson, long[] outLen, long[] err);
    }

    private String queryJson(QueryCall f, String query, String variablesJson, CallSpec spec) {
        byte[] q = NativeStrings.utf8z("query", query);
        byte[] v = NativeStrings.utf8z("variables_json", variablesJson);
        OwnedText json = new OwnedText();
        checkWithOptions(spec, (options, err) -> f.call(handle, q, v, options, json.ptr, json.len, err));
        return json.take();
    }

    /** {@code lx_ldif_run} or {@code lx_ldif_wait}: a string and flags in, the result JSON out. */
    @FunctionalInterface
    private interface LdifCall {
        int call(Handles.Client client, byte[] arg, int flags, Handles.CallOptions options, long[] outJson,
                 long[] outLen, long[] err);
    }

    /** {@code lx_ldif_run_start} or {@code lx_ldif_wait_start}. */
    @FunctionalInterface
    private interface LdifStart {
        int call(Handles.Client client, byte[] arg, int flags, Handles.CallOptions options,
                 Handles.CompletionCallback callback, Pointer userdata, long[] err);
    }

    private String ldifJson(LdifCall f, String what, String arg, int flags, CallSpec spec) {
        byte[] a = NativeStrings.utf8z(what, arg);
        OwnedText json = new OwnedText();
        checkWithOptions(spec, (options, err) -> f.call(handle, a, flags, options, json.ptr, json.len, err));
        return json.take();
    }

    private void ldifStart(LdifStart f, String what, String arg, int flags, CallSpec spec, long callId) {
        byte[] a = NativeStrings.utf8z(what, arg);
        checkWithOptions(spec, (options, err) -> f.call(handle, a, flags, options, COMPLETION, new Pointer(callId),
            err));
    }

    @Override
    public String updateFactSheet(String id, String patchesJson, String comment, int flags, CallSpec spec) {
        UpdateArgs a = new UpdateArgs(id, patchesJson, comment);
        OwnedText json = new OwnedText();
        checkWithOptions(spec, (options, err) -> LibLeanix.lx_update_fact_sheet(handle, a.id, a.patches, a.comment,
            flags, options, json.ptr, json.len, err));
        return json.take();
    }

    @Override
    public void updateFactSheetStart(String id, String patchesJson, String comment, int flags, CallSpec spec,
                                     long callId) {
        UpdateArgs a = new UpdateArgs(id, patchesJson, comment);
        checkWithOptions(spec, (options, err) -> LibLeanix.lx_update_fact_sheet_start(handle, a.id, a.patches,
            a.comment, flags, options, COMPLETION, new Pointer(callId), err));
    }

    /** The strings of {@code lx_update_fact_sheet} and {@code lx_update_fact_sheet_start} (a NULL comment for none). */
    private static final class UpdateArgs {
        final byte[] id;
        final byte[] patches;
        final byte[] comment;

        UpdateArgs(String id, String patchesJson, String comment) {
            this.id = NativeStrings.utf8z("id", id);
            this.patches = NativeStrings.utf8z("patches_json", patchesJson);
            this.comment = NativeStrings.utf8z("comment", comment);
        }
    }

    @Override
    public PageWalk graphqlPages(String query, String variablesJson, CallSpec spec) {
        byte[] q = NativeStrings.utf8z("query", query);
        byte[] v = NativeStrings.utf8z("variables_json", variablesJson);
        long[] out = new long[1];
        checkWithOptions(spec, (options, err) -> LibLeanix.lx_graphql_pages_new(handle, q, v, options, out, err));
        return Walk.graphql(new Handles.Pages(ptr(out)));
    }

    @Override
    public PageWalk restPages(String path, CallSpec spec) {
        byte[] p = NativeStrings.utf8z("path", path);
        long[] out = new long[1];
        checkWithOptions(spec, (options, err) -> LibLeanix.lx_rest_pages_new(handle, p, options, out, err));
        return Walk.rest(new Handles.RestPages(ptr(out)));
    }

    @Override
    public void requestStart(String method, String path, String headers, byte[] body, int flags, CallSpec spec,
                             long callId) {
        RequestArgs a = new RequestArgs(method, path, headers, body);
        checkWithOptions(spec, (options, err) -> LibLeanix.lx_request_start(handle, a.method, a.path, a.headers,
            a.headersLen, a.body, a.bodyLen, flags, options, COMPLETION, new Pointer(callId), err));
    }

    @Override
    public void graphqlStart(String query, String variablesJson, CallSpec spec, long callId) {
        byte[] q = NativeStrings.utf8z("query", query);
        byte[] v = NativeStrings.utf8z("variables_json", variablesJson);
        checkWithOptions(spec, (options, err) -> LibLeanix.lx_graphql_start(handle, q, v, options, COMPLETION,
            new Pointer(callId), err));
    }

    @Override
    public String accessToken(CallSpec spec) {
        return clientString(LibLeanix::lx_access_token_with, spec);
    }

    @Override
    public String claimsJson(CallSpec spec) {
        return clientString(LibLeanix::lx_claims_json_with, spec);
    }

    @Override
    public boolean forgetToken() {
        int[] removed = new int[1];
        long[] err = new long[1];
        check(LibLeanix.lx_forget_token(handle, removed, err), err);
        return removed[0] != 0;
    }

    @Override
    public String webhooksCreate(String specJson, CallSpec spec) {
        byte[] body = NativeStrings.utf8z("spec_json", specJson);
        OwnedText json = new OwnedText();
        checkWithOptions(spec, (options, err) -> LibLeanix.lx_webhooks_create(handle, body, options, json.ptr,
            json.len, err));
        return json.take();
    }

    @Override
    public String webhooksList(CallSpec spec) {
        OwnedText json = new OwnedText();
        checkWithOptions(spec, (options, err) -> LibLeanix.lx_webhooks_list(handle, options, json.ptr, json.len, err));
        return json.take();
    }

    @Override
    public void webhooksDelete(String subscriptionId, CallSpec spec) {
        byte[] id = NativeStrings.utf8z("subscription_id", subscriptionId);
        checkWithOptions(spec, (options, err) -> LibLeanix.lx_webhooks_delete(handle, id, options, err));
    }

    @Override
    public String webhooksFetch(String subscriptionId, boolean wait, CallSpec spec) {
        byte[] id = NativeStrings.utf8z("subscription_id", subscriptionId);
        OwnedText json = new OwnedText();
        checkWithOptions(spec, (options, err) -> wait
            ? LibLeanix.lx_webhooks_fetch_wait(handle, id, options, json.ptr, json.len, err)
            : LibLeanix.lx_webhooks_fetch(handle, id, options, json.ptr, json.len, err));
        return json.take();
    }

    @Override
    public void webhooksCommit(String subscriptionId, long nextOffset, CallSpec spec) {
        byte[] id = NativeStrings.utf8z("subscription_id", subscriptionId);
        checkWithOptions(spec, (options, err) -> LibLeanix.lx_webhooks_commit(handle, id, nextOffset, options, err));
    }

    @Override
    public String apiOrigin(CallSpec spec) {
        return clientString(LibLeanix::lx_api_origin_with, spec);
    }

    /**
     * {@code lx_access_token_with}, {@code lx_claims_json_with} or {@code lx_api_origin_with}:
     * {@code (lx_client *, options, char **out, lx_error **)}, an owned NUL-terminated result.
     */
    @FunctionalInterface
    private interface ClientStringCall {
        int call(Handles.Client client, Handles.CallOptions options, long[] out, long[] err);
    }

    private String clientString(ClientStringCall f, CallSpec spec) {
        long[] out = new long[1];
        checkWithOptions(spec, (options, err) -> f.call(handle, options, out, err));
        return ownedString(ptr(out), -1);
    }

    @Override
    public void cancel() {
        LibLeanix.lx_client_close(handle, null);
    }

    @Override
    public void free() {
        LibLeanix.lx_free(handle.getPointer());
    }

    /** A downcall with a {@code T **} out-parameter and an {@code lx_error **} one; returns its status. */
    @FunctionalInterface
    interface OutCall {
        int call(long[] out, long[] err);
    }

    /** A downcall that takes an {@code lx_call_options} (null for none) and an {@code lx_error **}. */
    @FunctionalInterface
    private interface OptionsCall {
        int call(Handles.CallOptions options, long[] err);
    }

    /**
     * Makes a downcall that creates something, and {@link #check}s its status.
     *
     * @return the pointer it wrote to its out-parameter
     */
    static Pointer checkedOut(OutCall call) {
        long[] out = new long[1];
        long[] err = new long[1];
        check(call.call(out, err), err);
        return ptr(out);
    }

    /**
     * Makes a downcall with the spec's {@code lx_call_options} ({@link #callOptions}, released
     * after it) and {@link #check}s its status.
     */
    private static void checkWithOptions(CallSpec spec, OptionsCall call) {
        long[] err = new long[1];
        Handles.CallOptions options = callOptions(spec);
        try {
            check(call.call(options, err), err);
        } finally {
            free(spec, options);
        }
    }

    /** The {@code char **json, size_t *len} out-parameters of a call whose result is an owned string. */
    private static final class OwnedText {
        final long[] ptr = new long[1];
        final long[] len = new long[1];

        /** @return the string the call wrote, copied (and freed natively) */
        String take() {
            return ownedString(ptr(ptr), len[0]);
        }

        /** @return as {@link #take}, or null if the call wrote no string (after a walk's last page) */
        String takeOrNull() {
            return ptr[0] == 0 ? null : take();
        }
    }

    /**
     * The arguments of {@code lx_request_with} and {@code lx_request_start}: NULL headers for none,
     * a NULL body for none or an empty one.
     */
    private static final class RequestArgs {
        final byte[] method;
        final byte[] path;
        final byte[] headers;
        final SizeT headersLen;
        final byte[] body;
        final SizeT bodyLen;

        RequestArgs(String method, String path, String headers, byte[] body) {
            this.method = NativeStrings.utf8z("method", method);
            this.path = NativeStrings.utf8z("path", path);
            this.headers = headers == null ? null : headers.getBytes(StandardCharsets.UTF_8);
            this.headersLen = this.headers == null ? ZERO : new SizeT(this.headers.length);
            this.body = body == null || body.length == 0 ? null : body;
            this.bodyLen = body == null ? ZERO : new SizeT(body.length);
        }
    }

    /**
     * The {@code lx_call_options} of a spec: null for {@link CallSpec#NONE}, the cancel handle's
     * own for a spec with only a handle, else new ones; release with {@link #free(CallSpec, Handles.CallOptions)}.
     */
    private static Handles.CallOptions callOptions(CallSpec spec) {
        if (spec == null || spec.isNone()) {
            return null;
        }
        if (spec.onlyCancel()) {
            return ((Cancel) spec.cancel()).options();
        }
        Handles.CallOptions options = new Handles.CallOptions(checkedOut(LibLeanix::lx_call_options_new));
        long[] err = new long[1];
        try {
            if (spec.timeoutMillis() > 0) {
                check(LibLeanix.lx_call_options_set_timeout_ms(options, spec.timeoutMillis(), err), err);
            }
            if (spec.cancel() != null) {
                check(LibLeanix.lx_call_options_set_cancel(options, ((Cancel) spec.cancel()).handle, err), err);
            }
            if (spec.operationName() != null) {
                check(LibLeanix.lx_call_options_set_operation_name(options,
                    NativeStrings.utf8z("operation_name", spec.operationName()), err), err);
            }
            if (spec.clashRetries() != CallSpec.DEFAULT_CLASH_RETRIES) {
                check(LibLeanix.lx_call_options_set_revision_clash_retries(options, spec.clashRetries(), err), err);
            }
            return options;
        } catch (RuntimeException | Error e) {
            free(options);
            throw e;
        }
    }

    private static void free(Handles.CallOptions options) {
        if (options != null) {
            LibLeanix.lx_free(options.getPointer());
        }
    }

    /** Frees options from {@link #callOptions}, unless they are the cancel handle's own. */
    private static void free(CallSpec spec, Handles.CallOptions options) {
        if (options != null && !(spec.cancel() != null && options == ((Cancel) spec.cancel()).options)) {
            LibLeanix.lx_free(options.getPointer());
        }
    }

    /**
     * An {@code lx_cancel}, with an {@code lx_call_options} that sets only it, made on first use
     * and kept as long as the handle (the binding reuses handles that have not fired).
     */
    static final class Cancel extends OwnedCancel {
        final Handles.Cancel handle;
        private Handles.CallOptions options;

        Cancel(Handles.Cancel handle) {
            this.handle = handle;
        }

        static Cancel create() {
            return new Cancel(new Handles.Cancel(checkedOut(LibLeanix::lx_cancel_new)));
        }

        /** @return call options with this handle and nothing else; owned by this object */
        synchronized Handles.CallOptions options() {
            if (options == null) {
                Handles.CallOptions o = new Handles.CallOptions(checkedOut(LibLeanix::lx_call_options_new));
                long[] err = new long[1];
                try {
                    check(LibLeanix.lx_call_options_set_cancel(o, handle, err), err);
                } catch (RuntimeException e) {
                    LibLeanix.lx_free(o.getPointer());
                    throw e;
                }
                options = o;
            }
            return options;
        }

        @Override
        protected void fireNative() {
            // A freed handle is not live any more: the library ignores it (handles are never reused).
            LibLeanix.lx_cancel_fire(handle);
        }

        @Override
        protected void freeNative() {
            synchronized (this) {
                if (options != null) {
                    LibLeanix.lx_free(options.getPointer());
                    options = null;
                }
            }
            LibLeanix.lx_free(handle.getPointer());
        }
    }

    /** A page walk's {@code lx_*_pages_next}: {@code (char **json, size_t *len, lx_error **)}. */
    @FunctionalInterface
    private interface PagesNext {
        int call(long[] json, long[] len, long[] err);
    }

    /** A page walk's {@code lx_*_pages_next_start}: {@code (callback, userdata, lx_error **)}. */
    @FunctionalInterface
    private interface PagesNextStart {
        int call(Handles.CompletionCallback callback, Pointer userdata, long[] err);
    }

    /**
     * An {@code lx_graphql_pages} or {@code lx_rest_pages} walk: the handle, its
     * {@code lx_*_pages_next} and its {@code lx_*_pages_next_start}.
     */
    private record Walk(PointerType pages, PagesNext fetch, PagesNextStart fetchStart) implements PageWalk {
        /** An {@code lx_graphql_pages} walk. */
        static Walk graphql(Handles.Pages pages) {
            return new Walk(pages,
                (json, len, err) -> LibLeanix.lx_graphql_pages_next(pages, json, len, err),
                (callback, userdata, err) -> LibLeanix.lx_graphql_pages_next_start(pages, callback, userdata, err));
        }

        /** An {@code lx_rest_pages} walk. */
        static Walk rest(Handles.RestPages pages) {
            return new Walk(pages,
                (json, len, err) -> LibLeanix.lx_rest_pages_next(pages, json, len, err),
                (callback, userdata, err) -> LibLeanix.lx_rest_pages_next_start(pages, callback, userdata, err));
        }

        @Override
        public String next() {
            OwnedText json = new OwnedText();
            long[] err = new long[1];
            check(fetch.call(json.ptr, json.len, err), err);
            return json.takeOrNull();
        }

        @Override
        public void startNext(long callId) {
            long[] err = new long[1];
            check(fetchStart.call(PAGE_COMPLETION, new Pointer(callId), err), err);
        }

        @Override
        public void free() {
            LibLeanix.lx_free(pages.getPointer());
        }
    }

    /** The owned result of an asynchronous call, copied by whoever takes it. */
    private static final class Outcome extends OwnedOutcome<Pointer> {
        Outcome(int status, Pointer response, Pointer error, boolean page) {
            super(status, response, error, page);
        }

        @Override
        protected boolean isNull(Pointer p) {
            return p == null;
        }

        @Override
        protected void free(Pointer p) {
            if (p != null) {
                LibLeanix.lx_free(p);
            }
        }

        @Override
        protected LeanixResponse takeResponse(Pointer response) {
            return response(new Handles.Response(response));
        }

        @Override
        protected LeanixException takeError(int status, Pointer error) {
            return error(status, error);
        }
    }

    /**
     * @param slot a {@code T **} out-parameter
     * @return the pointer the callee wrote, or null
     */
    static Pointer ptr(long[] slot) {
        return slot[0] == 0 ? null : new Pointer(slot[0]);
    }

    /** Copies an owned string (length known, or -1 for NUL-terminated) and frees it. */
    private static String ownedString(Pointer s, long len) {
        try {
            if (len < 0) {
                return s.getString(0, "UTF-8");
            }
            return new String(s.getByteArray(0, Math.toIntExact(len)), StandardCharsets.UTF_8);
        } finally {
            LibLeanix.lx_free(s);
        }
    }

    /** Copies a response into Java (status, body, the header block in one call) and frees it. */
    private static LeanixResponse response(Handles.Response r) {
        try {
            return copy(r);
        } finally {
            LibLeanix.lx_free(r.getPointer());
        }
    }

    /** Copies a response (owned or borrowed) into Java. */
    private static LeanixResponse copy(Handles.Response r) {
        int status = LibLeanix.lx_response_status(r);
        long[] data = new long[1];
        long[] len = new long[1];
        byte[] body = LibLeanix.lx_response_body(r, data, len) == Status.LX_OK
            ? bytes(ptr(data), len[0]) : new byte[0];
        byte[] headers = LibLeanix.lx_response_headers(r, data, len) == Status.LX_OK
            ? bytes(ptr(data), len[0]) : new byte[0];
        return new LeanixResponse(status, NativeStrings.headers(headers), body);
    }

    private static byte[] bytes(Pointer p, long len) {
        return len == 0 ? new byte[0] : p.getByteArray(0, Math.toIntExact(len));
    }

    /** Throws the exception for a failed status, after freeing its {@code lx_error}. */
    static void check(int status, long[] errSlot) {
        if (status != Status.LX_OK) {
            throw error(status, ptr(errSlot));
        }
    }

    /**
     * Turns a failed status and its {@code lx_error} into an exception, with the failure's
     * response and GraphQL errors, freeing the error.
     */
    private static LeanixException error(int status, Pointer p) {
        if (p == null) {
            return LeanixException.of(status, LeanixException.statusName(status), 0, null, -1);
        }
        Handles.Error err = new Handles.Error(p);
        try {
            int code = LibLeanix.lx_error_code(err);
            Pointer oauth = LibLeanix.lx_error_oauth_error(err);
            Pointer reason = LibLeanix.lx_error_reason(err);
            LeanixResponse response = null;
            long[] borrowed = new long[1];
            if (LibLeanix.lx_error_response(err, borrowed) == Status.LX_OK && ptr(borrowed) != null) {
                response = copy(new Handles.Response(ptr(borrowed)));
            }
            String graphql = null;
            if (code == Status.LX_ERR_GRAPHQL) {
                long[] json = new long[1];
                long[] len = new long[1];
                if (LibLeanix.lx_error_graphql_json(err, json, len) == Status.LX_OK && ptr(json) != null) {
                    graphql = ownedString(ptr(json), len[0]);
                }
            }
            String run = null;
            long[] runJson = new long[1];
            long[] runLen = new long[1];
            if (LibLeanix.lx_error_run_json(err, runJson, runLen) == Status.LX_OK && ptr(runJson) != null) {
                run = ownedString(ptr(runJson), runLen[0]);
            }
            return LeanixException.of(
                code,
                LibLeanix.lx_error_message(err).getString(0, "UTF-8"),
                LibLeanix.lx_error_http_status(err),
                oauth == null ? null : oauth.getString(0, "UTF-8"),
                LibLeanix.lx_error_retry_after_ms(err),
                response,
                graphql,
                run,
                reason == null ? null : reason.getString(0, "UTF-8"));
        } finally {
            LibLeanix.lx_free(p);
        }
    }
}
