package org.libleanix.panama;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import org.libleanix.LeanixException;
import org.libleanix.LeanixResponse;
import org.libleanix.Status;
import org.libleanix.spi.BackendClient;
import org.libleanix.spi.NativeStrings;

/**
 * One {@code lx_client} over the FFM API. Every call opens a confined {@link Arena} for its
 * arguments and its {@link OutParams} (closed, and so freed, when the call returns); everything
 * the library hands out is copied into Java objects and released with {@code lx_free} at once.
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

    @Override
    public LeanixResponse get(String path) {
        try (Arena arena = Arena.ofConfined()) {
            OutParams out = new OutParams(arena);
            check((int) Lib.GET.invokeExact(handle, cString(arena, "path", path), out.result(), out.error()), out);
            return response(out.resultValue(), out);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public LeanixResponse request(String method, String path, String headers, byte[] body, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            OutParams out = new OutParams(arena);
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
            check((int) Lib.REQUEST.invokeExact(handle, cString(arena, "method", method),
                cString(arena, "path", path), h, hLen, b, bLen, flags, out.result(), out.error()), out);
            return response(out.resultValue(), out);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public String graphql(String query, String variablesJson) {
        return graphql(query, variablesJson, false);
    }

    @Override
    public String graphqlAll(String query, String variablesJson) {
        return graphql(query, variablesJson, true);
    }

    private String graphql(String query, String variablesJson, boolean all) {
        try (Arena arena = Arena.ofConfined()) {
            OutParams out = new OutParams(arena);
            MemorySegment q = cString(arena, "query", query);
            MemorySegment v = cString(arena, "variables_json", variablesJson);
            check(all
                ? (int) Lib.GRAPHQL_ALL.invokeExact(handle, q, v, out.result(), out.length(), out.error())
                : (int) Lib.GRAPHQL.invokeExact(handle, q, v, out.result(), out.length(), out.error()), out);
            return ownedString(out.resultValue(), out.lengthValue());
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public String accessToken() {
        try (Arena arena = Arena.ofConfined()) {
            OutParams out = new OutParams(arena);
            check((int) Lib.ACCESS_TOKEN.invokeExact(handle, out.result(), out.error()), out);
            return ownedString(out.resultValue(), -1);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public String claimsJson() {
        try (Arena arena = Arena.ofConfined()) {
            OutParams out = new OutParams(arena);
            check((int) Lib.CLAIMS_JSON.invokeExact(handle, out.result(), out.error()), out);
            return ownedString(out.resultValue(), -1);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public void cancel() {
        try {
            int ignored = (int) Lib.CLIENT_CLOSE.invokeExact(handle, MemorySegment.NULL);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public void free() {
        try {
            Lib.FREE.invokeExact(handle);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
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
        } finally {
            Lib.FREE_SMALL.invokeExact(r);
        }
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

    /** Turns a failed status and its {@code lx_error} into an exception, freeing the error. */
    private static LeanixException error(int status, MemorySegment err) throws Throwable {
        if (err.address() == 0) {
            return LeanixException.of(status, LeanixException.statusName(status), 0, null, -1);
        }
        try {
            return LeanixException.of(
                (int) Lib.ERROR_CODE.invokeExact(err),
                borrowed((MemorySegment) Lib.ERROR_MESSAGE.invokeExact(err)),
                (int) Lib.ERROR_HTTP_STATUS.invokeExact(err),
                borrowed((MemorySegment) Lib.ERROR_OAUTH_ERROR.invokeExact(err)),
                (long) Lib.ERROR_RETRY_AFTER_MS.invokeExact(err));
        } finally {
            Lib.FREE_SMALL.invokeExact(err);
        }
    }
}
