package org.libleanix.panama;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

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
 */
final class Lib {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LOOKUP = Loader.lookup();
    static final MemoryLayout SIZE_T = LINKER.canonicalLayouts().get("size_t");

    static final MethodHandle OPTIONS_NEW = call("lx_options_new", JAVA_INT, ADDRESS, ADDRESS);
    static final MethodHandle OPTIONS_SET = call("lx_options_set", JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle CLIENT_BUILD = call("lx_client_build", JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle CLIENT_CLOSE = call("lx_client_close", JAVA_INT, ADDRESS, ADDRESS);

    static final MethodHandle GET = call("lx_get", JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle REQUEST = call("lx_request", JAVA_INT,
        ADDRESS, ADDRESS, ADDRESS, ADDRESS, SIZE_T, ADDRESS, SIZE_T, JAVA_INT, ADDRESS, ADDRESS);
    static final MethodHandle GRAPHQL = call("lx_graphql", JAVA_INT,
        ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle GRAPHQL_ALL = call("lx_graphql_all", JAVA_INT,
        ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle ACCESS_TOKEN = call("lx_access_token", JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle CLAIMS_JSON = call("lx_claims_json", JAVA_INT, ADDRESS, ADDRESS, ADDRESS);

    static final MethodHandle ERROR_CODE = critical("lx_error_code", JAVA_INT, ADDRESS);
    static final MethodHandle ERROR_MESSAGE = critical("lx_error_message", ADDRESS, ADDRESS);
    static final MethodHandle ERROR_HTTP_STATUS = critical("lx_error_http_status", JAVA_INT, ADDRESS);
    static final MethodHandle ERROR_OAUTH_ERROR = critical("lx_error_oauth_error", ADDRESS, ADDRESS);
    static final MethodHandle ERROR_RETRY_AFTER_MS = critical("lx_error_retry_after_ms", JAVA_LONG, ADDRESS);

    static final MethodHandle RESPONSE_STATUS = critical("lx_response_status", JAVA_INT, ADDRESS);
    static final MethodHandle RESPONSE_BODY = critical("lx_response_body", JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
    static final MethodHandle RESPONSE_HEADERS = critical("lx_response_headers", JAVA_INT, ADDRESS, ADDRESS, ADDRESS);

    /** lx_free for clients: cancels their calls in flight, so not critical. */
    static final MethodHandle FREE = LINKER.downcallHandle(
        LOOKUP.find("lx_free").orElseThrow(), FunctionDescriptor.ofVoid(ADDRESS));
    /** lx_free for responses, errors and strings: just drops memory. */
    static final MethodHandle FREE_SMALL = LINKER.downcallHandle(
        LOOKUP.find("lx_free").orElseThrow(), FunctionDescriptor.ofVoid(ADDRESS), Linker.Option.critical(false));

    static final MethodHandle VERSION = call("lx_version", ADDRESS);

    private Lib() {}

    private static MethodHandle call(String name, MemoryLayout result, MemoryLayout... args) {
        return LINKER.downcallHandle(symbol(name), FunctionDescriptor.of(result, args));
    }

    private static MethodHandle critical(String name, MemoryLayout result, MemoryLayout... args) {
        return LINKER.downcallHandle(symbol(name), FunctionDescriptor.of(result, args), Linker.Option.critical(false));
    }

    private static java.lang.foreign.MemorySegment symbol(String name) {
        return LOOKUP.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libleanix has no " + name + "()"));
    }
}
