package org.libleanix.jna;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import org.libleanix.spi.LibraryLocator;

/**
 * The C functions of {@code leanix.h}, bound with JNA direct mapping ({@link Native#register}),
 * which calls through JNI stubs without the reflection and proxy of interface mapping.
 *
 * <p>Type mapping: handles and {@code T **} out-parameters are {@link Pointer} (out-parameters
 * point into a small native scratch block owned by the caller); {@code const char *} inputs are
 * NUL-terminated UTF-8 {@code byte[]} (independent of {@code jna.encoding}); {@code size_t} is
 * {@link SizeT}; {@code int32_t} is {@code int}, {@code int64_t} {@code long},
 * {@code uint32_t} {@code int}. Strings the library allocates come back as {@link Pointer} and are
 * released with {@link #lx_free}, never mapped to {@code String} (which would leak them).
 */
final class LibLeanix {
    private static volatile boolean loaded;
    private static UnsatisfiedLinkError failure;
    private static LibraryLocator.Location location;

    private LibLeanix() {}

    /** Loads and binds the library once; rethrows the first failure on every later call. */
    static void ensureLoaded() {
        if (loaded) {
            return;
        }
        synchronized (LibLeanix.class) {
            if (loaded) {
                return;
            }
            if (failure != null) {
                throw failure;
            }
            try {
                location = LibraryLocator.locate();
                NativeLibrary library;
                try {
                    library = NativeLibrary.getInstance(location.path() != null
                        ? location.path().toString() : LibraryLocator.NAME);
                } catch (UnsatisfiedLinkError e) {
                    throw LibraryLocator.loadFailure(location, e);
                }
                // Read the ABI generation before binding the rest: a foreign ABI may lack symbols.
                int abi = library.getFunction("lx_abi_version").invokeInt(new Object[0]);
                LibraryLocator.checkAbi(Integer.toUnsignedLong(abi), location);
                Native.register(LibLeanix.class, library);
                loaded = true;
            } catch (UnsatisfiedLinkError e) {
                failure = e;
                throw e;
            } catch (RuntimeException | LinkageError e) {
                failure = LibraryLocator.loadFailure(location, e);
                throw failure;
            }
        }
    }

    /** @return where the library was found */
    static LibraryLocator.Location location() {
        ensureLoaded();
        return location;
    }

    // Clients and options.
    static native int lx_options_new(Pointer outOptions, Pointer err);

    static native int lx_options_set(Pointer options, byte[] key, byte[] value, Pointer err);

    static native int lx_client_build(Pointer options, Pointer outClient, Pointer err);

    static native int lx_client_close(Pointer client, Pointer err);

    // Calls.
    static native int lx_get(Pointer client, byte[] path, Pointer outResponse, Pointer err);

    static native int lx_request(Pointer client, byte[] method, byte[] path, byte[] headers, SizeT headersLen,
                                 byte[] body, SizeT bodyLen, int flags, Pointer outResponse, Pointer err);

    static native int lx_graphql(Pointer client, byte[] query, byte[] variablesJson, Pointer outJson, Pointer outLen,
                                 Pointer err);

    static native int lx_graphql_all(Pointer client, byte[] query, byte[] variablesJson, Pointer outJson,
                                     Pointer outLen, Pointer err);

    static native int lx_access_token(Pointer client, Pointer outToken, Pointer err);

    static native int lx_claims_json(Pointer client, Pointer outJson, Pointer err);

    // Errors.
    static native int lx_error_code(Pointer err);

    static native Pointer lx_error_message(Pointer err);

    static native int lx_error_http_status(Pointer err);

    static native Pointer lx_error_oauth_error(Pointer err);

    static native long lx_error_retry_after_ms(Pointer err);

    // Responses.
    static native int lx_response_status(Pointer response);

    static native int lx_response_body(Pointer response, Pointer outData, Pointer outLen);

    static native SizeT lx_response_header_count(Pointer response);

    static native int lx_response_header(Pointer response, SizeT index, Pointer outName, Pointer outValue);

    // Everything else.
    static native void lx_free(Pointer ptr);

    static native Pointer lx_status_str(int status);

    static native Pointer lx_version();

    static native int lx_abi_version();
}
