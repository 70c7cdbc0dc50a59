package org.libleanix.jna;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.nio.file.Path;
import org.libleanix.spi.LibraryLocator;

/**
 * The C functions of {@code leanix.h}, bound with JNA direct mapping ({@link Native#register}),
 * which calls through JNI stubs without the reflection and proxy of interface mapping.
 *
 * <p>Type mapping: the opaque types are the {@link Handles} classes; {@code T **} out-parameters
 * are {@link PointerByReference} and {@code size_t *} ones {@link SizeTByReference} (JNA's
 * by-reference convention, www/ByRefArguments.md); {@code const char *} inputs are NUL-terminated
 * UTF-8 {@code byte[]} (independent of {@code jna.encoding}); {@code size_t} is {@link SizeT};
 * {@code int32_t} is {@code int}, {@code int64_t} {@code long}, {@code uint32_t} {@code int}.
 * Strings the library allocates come back as {@link Pointer} and are released with
 * {@link #lx_free}, never mapped to {@code String} (which would leak them). An optional
 * {@code lx_error **} is passed as null.
 */
final class LibLeanix {
    private static volatile LibraryLocator.Location location;
    private static UnsatisfiedLinkError failure;

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
        LibraryLocator.Location loaded = location;
        if (loaded != null) {
            return loaded;
        }
        synchronized (LibLeanix.class) {
            if (location != null) {
                return location;
            }
            if (failure != null) {
                throw failure;
            }
            try {
                LibraryLocator.Loaded<NativeLibrary> lib = LibraryLocator.load(new Opener());
                try {
                    Native.register(LibLeanix.class, lib.library());
                } catch (RuntimeException | LinkageError e) {
                    UnsatisfiedLinkError error = new UnsatisfiedLinkError("cannot bind libleanix from " + lib.location()
                        + " with JNA: " + e.getMessage());
                    error.initCause(e);
                    throw error;
                }
                location = lib.location();
                return location;
            } catch (UnsatisfiedLinkError e) {
                failure = e;
                throw e;
            } catch (RuntimeException | LinkageError e) {
                // JNA's own native part (jnidispatch) may fail to load, e.g. with native access denied.
                UnsatisfiedLinkError error = new UnsatisfiedLinkError("JNA cannot load libleanix here: " + e);
                error.initCause(e);
                failure = error;
                throw error;
            }
        }
    }

    // Clients and options.
    static native int lx_options_new(PointerByReference outOptions, PointerByReference err);

    static native int lx_options_set(Handles.Options options, byte[] key, byte[] value, PointerByReference err);

    static native int lx_client_build(Handles.Options options, PointerByReference outClient, PointerByReference err);

    static native int lx_client_close(Handles.Client client, PointerByReference err);

    // Calls.
    static native int lx_get(Handles.Client client, byte[] path, PointerByReference outResponse,
                             PointerByReference err);

    static native int lx_request(Handles.Client client, byte[] method, byte[] path, byte[] headers, SizeT headersLen,
                                 byte[] body, SizeT bodyLen, int flags, PointerByReference outResponse,
                                 PointerByReference err);

    static native int lx_graphql(Handles.Client client, byte[] query, byte[] variablesJson, PointerByReference outJson,
                                 SizeTByReference outLen, PointerByReference err);

    static native int lx_graphql_all(Handles.Client client, byte[] query, byte[] variablesJson,
                                     PointerByReference outJson, SizeTByReference outLen, PointerByReference err);

    static native int lx_access_token(Handles.Client client, PointerByReference outToken, PointerByReference err);

    static native int lx_claims_json(Handles.Client client, PointerByReference outJson, PointerByReference err);

    // Errors.
    static native int lx_error_code(Handles.Error err);

    static native Pointer lx_error_message(Handles.Error err);

    static native int lx_error_http_status(Handles.Error err);

    static native Pointer lx_error_oauth_error(Handles.Error err);

    static native long lx_error_retry_after_ms(Handles.Error err);

    // Responses.
    static native int lx_response_status(Handles.Response response);

    static native int lx_response_body(Handles.Response response, PointerByReference outData, SizeTByReference outLen);

    static native int lx_response_headers(Handles.Response response, PointerByReference outData,
                                          SizeTByReference outLen);

    // Everything else.
    static native void lx_free(Pointer ptr);

    static native Pointer lx_version();
}
