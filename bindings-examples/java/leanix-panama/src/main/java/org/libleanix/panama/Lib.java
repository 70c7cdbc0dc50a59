package org.libleanix.panama;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Downcall handles for the functions of {@code leanix.h}, written by hand from the header (it is
 * small; jextract would generate the same). Initialized only after {@link Loader#lookup()}
 * succeeded. {@code size_t} is the linker's canonical layout (8 bytes: {@link Loader} refuses
 * other platforms, where the JNA backend is used instead); {@code int32_t} is {@code JAVA_INT}, {@code int64_t} {@code JAVA_LONG},
 * pointers {@code ADDRESS}.
 *
 * <p>The accessors of responses and errors, and {@code lx_free} of those small objects, are
 * linked as <em>critical</em> functions (no thread-state transition): they only read or drop
 * memory, never block on I/O and never call back into Java. The calls that do I/O are ordinary
 * downcalls, so a blocked request never holds up the garbage collector.
 *
 * <p>The two callbacks are upcall stubs made once, in the global arena (they live as long as the
 * process, so no call can outlive its stub): {@link #COMPLETION_STUB}, {@link #PAGE_COMPLETION_STUB}
 * and {@link #EVENT_STUB}.
 */
final class Lib {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LOOKUP = Loader.lookup();
    static final MemoryLayout SIZE_T = LINKER.canonicalLayouts().get("size_t");

    static final MethodHandle OPTIONS_NEW = call("lx_options_new", JAVA_INT, ADDRESS, ADDRESS);
    static final MethodHandle OPTIONS_SET = call("lx_options_set", JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle CLIENT_BUILD = call("lx_client_build", JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle CLIENT_CLOSE = call("lx_client_close", JAVA_INT, ADDRESS, ADDRESS);

    static final MethodHandle OPTIONS_SET_EVENT_CALLBACK = call("lx_options_set_event_callback", JAVA_INT,
        ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle OPTIONS_DEFAULT = call("lx_options_default", JAVA_INT, ADDRESS, ADDRESS);

    static final MethodHandle CALL_OPTIONS_NEW = call("lx_call_options_new", JAVA_INT, ADDRESS, ADDRESS);
    static final MethodHandle CALL_OPTIONS_SET_TIMEOUT_MS = call("lx_call_options_set_timeout_ms", JAVA_INT,
        ADDRESS, JAVA_LONG, ADDRESS);
    static final MethodHandle CALL_OPTIONS_SET_CANCEL = call("lx_call_options_set_cancel", JAVA_INT,
        ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle CALL_OPTIONS_SET_OPERATION_NAME = call("lx_call_options_set_operation_name", JAVA_INT,
        ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle CALL_OPTIONS_SET_REVISION_CLASH_RETRIES = call(
        "lx_call_options_set_revision_clash_retries", JAVA_INT, ADDRESS, JAVA_INT, ADDRESS);
    static final MethodHandle CANCEL_NEW = call("lx_cancel_new", JAVA_INT, ADDRESS, ADDRESS);
    /** Ordinary, not critical: it may run inside Thread.interrupt(), but it does a write(2). */
    static final MethodHandle CANCEL_FIRE = call("lx_cancel_fire", JAVA_INT, ADDRESS);

    static final MethodHandle REQUEST_WITH = call("lx_request_with", JAVA_INT,
        ADDRESS, ADDRESS, ADDRESS, ADDRESS, SIZE_T, ADDRESS, SIZE_T, JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle GRAPHQL_WITH = call("lx_graphql_with", JAVA_INT,
        ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle GRAPHQL_ALL_WITH = call("lx_graphql_all_with", JAVA_INT,
        ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle REQUEST_START = call("lx_request_start", JAVA_INT,
        ADDRESS, ADDRESS, ADDRESS, ADDRESS, SIZE_T, ADDRESS, SIZE_T, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle GRAPHQL_START = call("lx_graphql_start", JAVA_INT,
        ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle PAGES_NEW = call("lx_graphql_pages_new", JAVA_INT,
        ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle PAGES_NEXT = call("lx_graphql_pages_next", JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle REST_PAGES_NEW = call("lx_rest_pages_new", JAVA_INT,
        ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle REST_PAGES_NEXT = call("lx_rest_pages_next", JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle PAGES_NEXT_START = call("lx_graphql_pages_next_start", JAVA_INT,
        ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle REST_PAGES_NEXT_START = call("lx_rest_pages_next_start", JAVA_INT,
        ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle LDIF_RUN = call("lx_ldif_run", JAVA_INT,
        ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle LDIF_RUN_START = call("lx_ldif_run_start", JAVA_INT,
        ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle LDIF_WAIT = call("lx_ldif_wait", JAVA_INT,
        ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle LDIF_WAIT_START = call("lx_ldif_wait_start", JAVA_INT,
        ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle UPDATE_FACT_SHEET = call("lx_update_fact_sheet", JAVA_INT,
        ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle UPDATE_FACT_SHEET_START = call("lx_update_fact_sheet_start", JAVA_INT,
        ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle ACCESS_TOKEN_WITH = call("lx_access_token_with", JAVA_INT,
        ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle CLAIMS_JSON_WITH = call("lx_claims_json_with", JAVA_INT,
        ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle FORGET_TOKEN = call("lx_forget_token", JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle WEBHOOKS_CREATE = call("lx_webhooks_create", JAVA_INT,
        ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle WEBHOOKS_LIST = call("lx_webhooks_list", JAVA_INT,
        ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle WEBHOOKS_DELETE = call("lx_webhooks_delete", JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle WEBHOOKS_FETCH = call("lx_webhooks_fetch", JAVA_INT,
        ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle WEBHOOKS_FETCH_WAIT = call("lx_webhooks_fetch_wait", JAVA_INT,
        ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle WEBHOOKS_COMMIT = call("lx_webhooks_commit", JAVA_INT,
        ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS);
    static final MethodHandle API_ORIGIN_WITH = call("lx_api_origin_with", JAVA_INT,
        ADDRESS, ADDRESS, ADDRESS, ADDRESS);

    static final MethodHandle ERROR_CODE = critical("lx_error_code", JAVA_INT, ADDRESS);
    static final MethodHandle ERROR_MESSAGE = critical("lx_error_message", ADDRESS, ADDRESS);
    static final MethodHandle ERROR_HTTP_STATUS = critical("lx_error_http_status", JAVA_INT, ADDRESS);
    static final MethodHandle ERROR_OAUTH_ERROR = critical("lx_error_oauth_error", ADDRESS, ADDRESS);
    static final MethodHandle ERROR_REASON = critical("lx_error_reason", ADDRESS, ADDRESS);
    static final MethodHandle ERROR_RETRY_AFTER_MS = critical("lx_error_retry_after_ms", JAVA_LONG, ADDRESS);
    static final MethodHandle ERROR_RESPONSE = critical("lx_error_response", JAVA_INT, ADDRESS, ADDRESS);
    static final MethodHandle ERROR_GRAPHQL_JSON = critical("lx_error_graphql_json", JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle ERROR_RUN_JSON = critical("lx_error_run_json", JAVA_INT, ADDRESS, ADDRESS, ADDRESS);

    static final MethodHandle RESPONSE_STATUS = critical("lx_response_status", JAVA_INT, ADDRESS);
    static final MethodHandle RESPONSE_BODY = critical("lx_response_body", JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle RESPONSE_HEADERS = critical("lx_response_headers", JAVA_INT, ADDRESS, ADDRESS, ADDRESS);

    /** lx_free for clients (cancels their calls in flight) and page walks, so not critical. */
    static final MethodHandle FREE = LINKER.downcallHandle(
        LOOKUP.find("lx_free").orElseThrow(), FunctionDescriptor.ofVoid(ADDRESS));
    /** lx_free for responses, errors, strings, call options and cancel handles: just drops memory. */
    static final MethodHandle FREE_SMALL = LINKER.downcallHandle(
        LOOKUP.find("lx_free").orElseThrow(), FunctionDescriptor.ofVoid(ADDRESS), Linker.Option.critical(false));

    static final MethodHandle VERSION = call("lx_version", ADDRESS);

    /** {@code lx_completion_callback}, calling {@link PanamaClient#onCompletion}. */
    static final MemorySegment COMPLETION_STUB = upcall("onCompletion",
        MethodType.methodType(void.class, MemorySegment.class, int.class, MemorySegment.class, MemorySegment.class),
        FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, ADDRESS, ADDRESS));
    /** {@code lx_completion_callback} of page fetches, calling {@link PanamaClient#onPageCompletion}. */
    static final MemorySegment PAGE_COMPLETION_STUB = upcall("onPageCompletion",
        MethodType.methodType(void.class, MemorySegment.class, int.class, MemorySegment.class, MemorySegment.class),
        FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, ADDRESS, ADDRESS));
    /** {@code lx_event_callback}, calling {@link PanamaClient#onEvent}. */
    static final MemorySegment EVENT_STUB = upcall("onEvent",
        MethodType.methodType(void.class, MemorySegment.class, int.class, MemorySegment.class),
        FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, ADDRESS));

    private Lib() {}

    private static MethodHandle call(String name, MemoryLayout result, MemoryLayout... args) {
        return LINKER.downcallHandle(symbol(name), FunctionDescriptor.of(result, args));
    }

    private static MethodHandle critical(String name, MemoryLayout result, MemoryLayout... args) {
        return LINKER.downcallHandle(symbol(name), FunctionDescriptor.of(result, args), Linker.Option.critical(false));
    }

    private static MemorySegment upcall(String method, MethodType type, FunctionDescriptor descriptor) {
        try {
            MethodHandle target = MethodHandles.lookup().findStatic(PanamaClient.class, method, type);
            return LINKER.upcallStub(target, descriptor, Arena.global());
        } catch (ReflectiveOperationException e) {
            throw new LinkageError("cannot make the " + method + " upcall", e);
        }
    }

    private static MemorySegment symbol(String name) {
        return LOOKUP.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libleanix has no " + name + "()"));
    }
}
