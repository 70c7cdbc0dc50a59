package org.libleanix.jna;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.libleanix.LeanixException;
import org.libleanix.LeanixResponse;
import org.libleanix.spi.BackendClient;
import org.libleanix.spi.NativeStrings;

/**
 * One {@code lx_client} over JNA. Each call allocates one 32-byte native scratch block for its
 * out-parameters (slot 0: the result pointer, slot 8: the {@code lx_error *}, slot 16: a
 * {@code size_t} length, slot 24: a second pointer) and frees it before returning; everything the
 * library hands out is copied to Java and released with {@code lx_free} at once.
 */
final class JnaClient implements BackendClient {
    private static final SizeT ZERO = new SizeT(0);
    private final Pointer handle;

    JnaClient(Pointer handle) {
        this.handle = handle;
    }

    static Memory scratch() {
        Memory m = new Memory(32);
        m.clear();
        return m;
    }

    @Override
    public LeanixResponse get(String path) {
        byte[] p = NativeStrings.utf8z("path", path);
        try (Memory out = scratch()) {
            Pointer err = out.share(8);
            int status = LibLeanix.lx_get(handle, p, out, err);
            if (status != 0) {
                throw error(status, err);
            }
            return response(out.getPointer(0), out);
        }
    }

    @Override
    public LeanixResponse request(String method, String path, String headers, byte[] body, int flags) {
        byte[] m = NativeStrings.utf8z("method", method);
        byte[] p = NativeStrings.utf8z("path", path);
        byte[] h = headers == null ? null : headers.getBytes(StandardCharsets.UTF_8);
        try (Memory out = scratch()) {
            Pointer err = out.share(8);
            int status = LibLeanix.lx_request(handle, m, p, h, h == null ? ZERO : new SizeT(h.length),
                body == null || body.length == 0 ? null : body, body == null ? ZERO : new SizeT(body.length),
                flags, out, err);
            if (status != 0) {
                throw error(status, err);
            }
            return response(out.getPointer(0), out);
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
        byte[] q = NativeStrings.utf8z("query", query);
        byte[] v = NativeStrings.utf8z("variables_json", variablesJson);
        try (Memory out = scratch()) {
            Pointer err = out.share(8);
            Pointer len = out.share(16);
            int status = all
                ? LibLeanix.lx_graphql_all(handle, q, v, out, len, err)
                : LibLeanix.lx_graphql(handle, q, v, out, len, err);
            if (status != 0) {
                throw error(status, err);
            }
            return ownedString(out.getPointer(0), sizeT(out, 16));
        }
    }

    @Override
    public String accessToken() {
        try (Memory out = scratch()) {
            Pointer err = out.share(8);
            int status = LibLeanix.lx_access_token(handle, out, err);
            if (status != 0) {
                throw error(status, err);
            }
            return ownedString(out.getPointer(0), -1);
        }
    }

    @Override
    public String claimsJson() {
        try (Memory out = scratch()) {
            Pointer err = out.share(8);
            int status = LibLeanix.lx_claims_json(handle, out, err);
            if (status != 0) {
                throw error(status, err);
            }
            return ownedString(out.getPointer(0), -1);
        }
    }

    @Override
    public void cancel() {
        LibLeanix.lx_client_close(handle, Pointer.NULL);
    }

    @Override
    public void free() {
        LibLeanix.lx_free(handle);
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

    /** Copies a response into Java and frees it; {@code out} is scratch space for the accessors. */
    private static LeanixResponse response(Pointer r, Memory out) {
        try {
            int status = LibLeanix.lx_response_status(r);
            Pointer dataSlot = out;
            Pointer lenSlot = out.share(16);
            byte[] body;
            if (LibLeanix.lx_response_body(r, dataSlot, lenSlot) == 0) {
                long len = sizeT(out, 16);
                body = len == 0 ? new byte[0] : out.getPointer(0).getByteArray(0, Math.toIntExact(len));
            } else {
                body = new byte[0];
            }
            long count = LibLeanix.lx_response_header_count(r).longValue();
            List<Map.Entry<String, String>> headers = new ArrayList<>((int) count);
            Pointer valueSlot = out.share(24);
            for (long i = 0; i < count; i++) {
                if (LibLeanix.lx_response_header(r, new SizeT(i), out, valueSlot) == 0) {
                    headers.add(Map.entry(out.getPointer(0).getString(0, "UTF-8"),
                        out.getPointer(24).getString(0, "UTF-8")));
                }
            }
            return new LeanixResponse(status, headers, body);
        } finally {
            LibLeanix.lx_free(r);
        }
    }

    private static long sizeT(Pointer p, long offset) {
        return Native.SIZE_T_SIZE == 8 ? p.getLong(offset) : Integer.toUnsignedLong(p.getInt(offset));
    }

    /** Turns a failed status and its {@code lx_error} into an exception, freeing the error. */
    static LeanixException error(int status, Pointer errSlot) {
        Pointer err = errSlot.getPointer(0);
        if (err == null) {
            return LeanixException.of(status, LeanixException.statusName(status), 0, null, -1);
        }
        try {
            Pointer oauth = LibLeanix.lx_error_oauth_error(err);
            return LeanixException.of(
                LibLeanix.lx_error_code(err),
                LibLeanix.lx_error_message(err).getString(0, "UTF-8"),
                LibLeanix.lx_error_http_status(err),
                oauth == null ? null : oauth.getString(0, "UTF-8"),
                LibLeanix.lx_error_retry_after_ms(err));
        } finally {
            LibLeanix.lx_free(err);
        }
    }
}
