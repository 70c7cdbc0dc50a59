package org.libleanix.jna;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.nio.file.Path;
import org.libleanix.spi.LibraryLocator;
import org.libleanix.spi.LoadOnce;

/**
 * The C functions of {@code leanix.h}, bound with JNA direct mapping ({@link Native#register}),
 * which calls through JNI stubs without the reflection and proxy of interface mapping.
 *
 * <p>Type mapping: the opaque types are the {@link Handles} classes; {@code T **} and
 * {@code size_t *} out-parameters are one-element {@code long[]} arrays, which direct mapping
 * passes as a pointer to the array's (copied or pinned) elements and copies back: unlike
 * {@code PointerByReference}, they allocate no native {@code Memory} (with its cleaner and
 * global tracking map, the top cost of the Java side in a profile of 300 virtual threads). They
 * hold 8 bytes; on a 32-bit little-endian platform the callee writes the low 4 of a zeroed
 * element, which reads back the same, and {@link #ensureLoaded()} refuses 32-bit big-endian
 * platforms. {@code const char *} inputs are NUL-terminated
 * UTF-8 {@code byte[]} (independent of {@code jna.encoding}); {@code size_t} is {@link SizeT};
 * {@code int32_t} is {@code int}, {@code int64_t} {@code long}, {@code uint32_t} {@code int}.
 * Strings the library allocates come back as {@link Pointer} and are released with
 * {@link #lx_free}, never mapped to {@code String} (which would leak them). An optional
 * {@code lx_error **} is passed as null. {@code uint64_t} is {@code long}; {@code void *userdata}
 * is a {@link Pointer} whose address is a number (see {@code Completions}, {@code Events}); the
 * callback types are the {@link Handles} interfaces.
 */
final class LibLeanix {
    private static final LoadOnce<LibraryLocator.Location> LOAD =
        new LoadOnce<>("JNA cannot load libleanix here: ", LibLeanix::loadAndBind);

    private LibLeanix() {}

    /** Opens libraries with JNA for {@link LibraryLocator#load}. */
    private static final class Opener implements LibraryLocator.Opener<NativeLibrary> {
        @Override
        public NativeLibrary open(Path file) {
            return NativeLibrary.getInstance(file.toString());
        }

        @Override
        public NativeLibrary openSystem(String name) {
            return NativeLibrary.getInstance(name);
        }

        @Override
        public long abiVersion(NativeLibrary library) {
            // Read before binding the rest: a foreign ABI may lack symbols.
            return Integer.toUnsignedLong(library.getFunction("lx_abi_version").invokeInt(new Object[0]));
        }
    }

    /**
     * Loads, checks and binds the library once; rethrows the first failure on every later call.
     *
     * @return where the library was found
     */
    static LibraryLocator.Location ensureLoaded() {
        // JNA's own native part (jnidispatch) may fail to load too, e.g. with native access denied.
        return LOAD.get();
    }

    private static LibraryLocator.Location loadAndBind() {
        if (Native.POINTER_SIZE != 8 && java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.BIG_ENDIAN) {
            throw new UnsatisfiedLinkError("the JNA backend of libleanix does not run on 32-bit big-endian "
                + "platforms (its out-parameters are 64-bit array elements)");
        }
        LibraryLocator.Loaded<NativeLibrary> lib = LibraryLocator.load(new Opener());
        try {
            Native.register(LibLeanix.class, lib.library());
        } catch (RuntimeException | LinkageError e) {
            throw LoadOnce.linkError("cannot bind libleanix from " + lib.location() + " with JNA: " + e.getMessage(), e);
        }
        return lib.location();
    }

    // Clients and options.
    static native int lx_options_new(long[] outOptions, long[] err);

    static native int lx_options_set(Handles.Options options, byte[] key, byte[] value, long[] err);

    static native int lx_client_build(Handles.Options options, long[] outClient, long[] err);

    static native int lx_client_close(Handles.Client client, long[] err);

    static native int lx_options_set_event_callback(Handles.Options options, Handles.EventCallback callback,
                                                    Pointer userdata, long[] err);

    static native int lx_options_default(byte[] key, long[] outValue);

    // Per-call options and cancellation.
    static native int lx_call_options_new(long[] outOptions, long[] err);

    static native int lx_call_options_set_timeout_ms(Handles.CallOptions options, long timeoutMs, long[] err);

    static native int lx_call_options_set_cancel(Handles.CallOptions options, Handles.Cancel cancel,
                                                 long[] err);

    static native int lx_call_options_set_operation_name(Handles.CallOptions options, byte[] name,
                                                         long[] err);

    static native int lx_call_options_set_revision_clash_retries(Handles.CallOptions options, int retries,
                                                                 long[] err);

    static native int lx_cancel_new(long[] outCancel, long[] err);

    static native int lx_cancel_fire(Handles.Cancel cancel);

    // Calls.
    static native int lx_request_with(Handles.Client client, byte[] method, byte[] path, byte[] headers,
                                      SizeT headersLen, byte[] body, SizeT bodyLen, int flags,
                                      Handles.CallOptions options, long[] outResponse,
                                      long[] err);

    static native int lx_graphql_with(Handles.Client client, byte[] query, byte[] variablesJson,
                                      Handles.CallOptions options, long[] outJson, long[] outLen,
                                      long[] err);

    static native int lx_graphql_all_with(Handles.Client client, byte[] query, byte[] variablesJson,
                                          Handles.CallOptions options, long[] outJson, long[] outLen,
                                          long[] err);

    static native int lx_request_start(Handles.Client client, byte[] method, byte[] path, byte[] headers,
                                       SizeT headersLen, byte[] body, SizeT bodyLen, int flags,
                                       Handles.CallOptions options, Handles.CompletionCallback callback,
                                       Pointer userdata, long[] err);

    static native int lx_graphql_start(Handles.Client client, byte[] query, byte[] variablesJson,
                                       Handles.CallOptions options, Handles.CompletionCallback callback,
                                       Pointer userdata, long[] err);

    static native int lx_graphql_pages_new(Handles.Client client, byte[] query, byte[] variablesJson,
                                           Handles.CallOptions options, long[] outPages,
                                           long[] err);

    static native int lx_graphql_pages_next(Handles.Pages pages, long[] outJson, long[] outLen,
                                            long[] err);

    static native int lx_rest_pages_new(Handles.Client client, byte[] path, Handles.CallOptions options,
                                        long[] outPages, long[] err);

    static native int lx_rest_pages_next(Handles.RestPages pages, long[] outJson, long[] outLen, long[] err);

    static native int lx_graphql_pages_next_start(Handles.Pages pages, Handles.CompletionCallback callback,
                                                  Pointer userdata, long[] err);

    static native int lx_rest_pages_next_start(Handles.RestPages pages, Handles.CompletionCallback callback,
                                               Pointer userdata, long[] err);

    static native int lx_ldif_run(Handles.Client client, byte[] ldifJson, int flags,
                                  Handles.CallOptions options, long[] outJson, long[] outLen,
                                  long[] err);

    static native int lx_ldif_run_start(Handles.Client client, byte[] ldifJson, int flags,
                                        Handles.CallOptions options, Handles.CompletionCallback callback,
                                        Pointer userdata, long[] err);

    static native int lx_ldif_wait(Handles.Client client, byte[] runId, int flags,
                                   Handles.CallOptions options, long[] outJson, long[] outLen,
                                   long[] err);

    static native int lx_ldif_wait_start(Handles.Client client, byte[] runId, int flags,
                                         Handles.CallOptions options, Handles.CompletionCallback callback,
                                         Pointer userdata, long[] err);

    static native int lx_update_fact_sheet(Handles.Client client, byte[] id, byte[] patchesJson,
                                           byte[] comment, int flags, Handles.CallOptions options,
                                           long[] outJson, long[] outLen, long[] err);

    static native int lx_update_fact_sheet_start(Handles.Client client, byte[] id, byte[] patchesJson,
                                                 byte[] comment, int flags, Handles.CallOptions options,
                                                 Handles.CompletionCallback callback, Pointer userdata,
                                                 long[] err);

    static native int lx_access_token_with(Handles.Client client, Handles.CallOptions options, long[] outToken,
                                           long[] err);

    static native int lx_claims_json_with(Handles.Client client, Handles.CallOptions options, long[] outJson,
                                          long[] err);

    static native int lx_forget_token(Handles.Client client, int[] outRemoved, long[] err);

    // PULL webhooks and routing.
    static native int lx_webhooks_create(Handles.Client client, byte[] specJson, Handles.CallOptions options,
                                         long[] outJson, long[] outLen, long[] err);

    static native int lx_webhooks_list(Handles.Client client, Handles.CallOptions options, long[] outJson,
                                       long[] outLen, long[] err);

    static native int lx_webhooks_delete(Handles.Client client, byte[] subscriptionId,
                                         Handles.CallOptions options, long[] err);

    static native int lx_webhooks_fetch(Handles.Client client, byte[] subscriptionId, Handles.CallOptions options,
                                        long[] outJson, long[] outLen, long[] err);

    static native int lx_webhooks_fetch_wait(Handles.Client client, byte[] subscriptionId,
                                             Handles.CallOptions options, long[] outJson, long[] outLen,
                                             long[] err);

    static native int lx_webhooks_commit(Handles.Client client, byte[] subscriptionId, long nextOffset,
                                         Handles.CallOptions options, long[] err);

    static native int lx_api_origin_with(Handles.Client client, Handles.CallOptions options, long[] outOrigin,
                                         long[] err);

    // Errors.
    static native int lx_error_code(Handles.Error err);

    static native Pointer lx_error_message(Handles.Error err);

    static native int lx_error_http_status(Handles.Error err);

    static native Pointer lx_error_oauth_error(Handles.Error err);

    static native Pointer lx_error_reason(Handles.Error err);

    static native long lx_error_retry_after_ms(Handles.Error err);

    static native int lx_error_response(Handles.Error err, long[] outResponse);

    static native int lx_error_graphql_json(Handles.Error err, long[] outJson, long[] outLen);

    static native int lx_error_run_json(Handles.Error err, long[] outJson, long[] outLen);

    // Responses.
    static native int lx_response_status(Handles.Response response);

    static native int lx_response_body(Handles.Response response, long[] outData, long[] outLen);

    static native int lx_response_headers(Handles.Response response, long[] outData,
                                          long[] outLen);

    // Everything else.
    static native void lx_free(Pointer ptr);

    static native Pointer lx_version();
}
