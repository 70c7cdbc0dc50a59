package org.libleanix.panama;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.libleanix.LeanixException;
import org.libleanix.LeanixResponse;
import org.libleanix.spi.BackendClient;
import org.libleanix.spi.NativeStrings;

/**
 * One {@code lx_client} over the FFM API. Every call opens a confined {@link Arena} for its
 * arguments and out-parameters (closed, and so freed, when the call returns); everything the
 * library hands out is copied into Java objects and released with {@code lx_free} at once.
 * Out-parameters live in one 32-byte block: offset 0 the result pointer, 8 the
 * {@code lx_error *}, 16 a {@code size_t} length, 24 a second pointer.
 */
final class PanamaClient implements BackendClient {
    private final MemorySegment handle;

    PanamaClient(MemorySegment handle) {
        this.handle = handle;
    }

    static MemorySegment slots(Arena arena) {
        return arena.allocate(32, 8);
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
            MemorySegment out = slots(arena);
            MemorySegment err = out.asSlice(8);
            int status = (int) Lib.GET.invokeExact(handle, cString(arena, "path", path), out, err);
            if (status != 0) {
                throw error(status, err);
            }
            return response(out.get(ADDRESS, 0), out);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public LeanixResponse request(String method, String path, String headers, byte[] body, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = slots(arena);
            MemorySegment err = out.asSlice(8);
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
            int status = (int) Lib.REQUEST.invokeExact(handle, cString(arena, "method", method),
                cString(arena, "path", path), h, hLen, b, bLen, flags, out, err);
            if (status != 0) {
                throw error(status, err);
            }
            return response(out.get(ADDRESS, 0), out);
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
            MemorySegment out = slots(arena);
            MemorySegment err = out.asSlice(8);
            MemorySegment len = out.asSlice(16);
            MemorySegment q = cString(arena, "query", query);
            MemorySegment v = cString(arena, "variables_json", variablesJson);
            int status = all
                ? (int) Lib.GRAPHQL_ALL.invokeExact(handle, q, v, out, len, err)
                : (int) Lib.GRAPHQL.invokeExact(handle, q, v, out, len, err);
            if (status != 0) {
                throw error(status, err);
            }
            return ownedString(out.get(ADDRESS, 0), out.get(JAVA_LONG, 16));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public String accessToken() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = slots(arena);
            MemorySegment err = out.asSlice(8);
            int status = (int) Lib.ACCESS_TOKEN.invokeExact(handle, out, err);
            if (status != 0) {
                throw error(status, err);
            }
            return ownedString(out.get(ADDRESS, 0), -1);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public String claimsJson() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = slots(arena);
            MemorySegment err = out.asSlice(8);
            int status = (int) Lib.CLAIMS_JSON.invokeExact(handle, out, err);
            if (status != 0) {
                throw error(status, err);
            }
            return ownedString(out.get(ADDRESS, 0), -1);
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

    /** Copies a response into Java and frees it; {@code out} is scratch space for the accessors. */
    private static LeanixResponse response(MemorySegment r, MemorySegment out) throws Throwable {
        try {
            int status = (int) Lib.RESPONSE_STATUS.invokeExact(r);
            byte[] body = new byte[0];
            if ((int) Lib.RESPONSE_BODY.invokeExact(r, out, out.asSlice(16)) == 0) {
                long len = out.get(JAVA_LONG, 16);
                if (len > 0) {
                    body = out.get(ADDRESS, 0).reinterpret(len).toArray(JAVA_BYTE);
                }
            }
            long count = (long) Lib.RESPONSE_HEADER_COUNT.invokeExact(r);
            List<Map.Entry<String, String>> headers = new ArrayList<>((int) count);
            MemorySegment valueSlot = out.asSlice(24);
            for (long i = 0; i < count; i++) {
                if ((int) Lib.RESPONSE_HEADER.invokeExact(r, i, out, valueSlot) == 0) {
                    headers.add(Map.entry(borrowed(out.get(ADDRESS, 0)), borrowed(out.get(ADDRESS, 24))));
                }
            }
            return new LeanixResponse(status, headers, body);
        } finally {
            Lib.FREE_SMALL.invokeExact(r);
        }
    }

    /** Turns a failed status and its {@code lx_error} into an exception, freeing the error. */
    static LeanixException error(int status, MemorySegment errSlot) throws Throwable {
        MemorySegment err = errSlot.get(ADDRESS, 0);
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
