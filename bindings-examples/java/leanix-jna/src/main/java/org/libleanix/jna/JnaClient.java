package org.libleanix.jna;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.nio.charset.StandardCharsets;
import org.libleanix.LeanixException;
import org.libleanix.LeanixResponse;
import org.libleanix.Status;
import org.libleanix.spi.BackendClient;
import org.libleanix.spi.NativeStrings;

/**
 * One {@code lx_client} over JNA. Out-parameters are {@link PointerByReference} and
 * {@link SizeTByReference} objects of the call; everything the library hands out (responses,
 * errors, owned strings) is copied to Java and released with {@code lx_free} before the call
 * returns.
 */
final class JnaClient implements BackendClient {
    private static final SizeT ZERO = new SizeT(0);
    private final Handles.Client handle;

    JnaClient(Handles.Client handle) {
        this.handle = handle;
    }

    @Override
    public LeanixResponse get(String path) {
        byte[] p = NativeStrings.utf8z("path", path);
        PointerByReference response = new PointerByReference();
        PointerByReference err = new PointerByReference();
        check(LibLeanix.lx_get(handle, p, response, err), err);
        return response(new Handles.Response(response.getValue()));
    }

    @Override
    public LeanixResponse request(String method, String path, String headers, byte[] body, int flags) {
        byte[] m = NativeStrings.utf8z("method", method);
        byte[] p = NativeStrings.utf8z("path", path);
        byte[] h = headers == null ? null : headers.getBytes(StandardCharsets.UTF_8);
        PointerByReference response = new PointerByReference();
        PointerByReference err = new PointerByReference();
        check(LibLeanix.lx_request(handle, m, p, h, h == null ? ZERO : new SizeT(h.length),
            body == null || body.length == 0 ? null : body, body == null ? ZERO : new SizeT(body.length),
            flags, response, err), err);
        return response(new Handles.Response(response.getValue()));
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
        PointerByReference json = new PointerByReference();
        SizeTByReference len = new SizeTByReference();
        PointerByReference err = new PointerByReference();
        check(all
            ? LibLeanix.lx_graphql_all(handle, q, v, json, len, err)
            : LibLeanix.lx_graphql(handle, q, v, json, len, err), err);
        return ownedString(json.getValue(), len.getValue());
    }

    @Override
    public String accessToken() {
        PointerByReference token = new PointerByReference();
        PointerByReference err = new PointerByReference();
        check(LibLeanix.lx_access_token(handle, token, err), err);
        return ownedString(token.getValue(), -1);
    }

    @Override
    public String claimsJson() {
        PointerByReference json = new PointerByReference();
        PointerByReference err = new PointerByReference();
        check(LibLeanix.lx_claims_json(handle, json, err), err);
        return ownedString(json.getValue(), -1);
    }

    @Override
    public void cancel() {
        LibLeanix.lx_client_close(handle, null);
    }

    @Override
    public void free() {
        LibLeanix.lx_free(handle.getPointer());
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
            int status = LibLeanix.lx_response_status(r);
            PointerByReference data = new PointerByReference();
            SizeTByReference len = new SizeTByReference();
            byte[] body = LibLeanix.lx_response_body(r, data, len) == Status.LX_OK
                ? bytes(data.getValue(), len.getValue()) : new byte[0];
            byte[] headers = LibLeanix.lx_response_headers(r, data, len) == Status.LX_OK
                ? bytes(data.getValue(), len.getValue()) : new byte[0];
            return new LeanixResponse(status, NativeStrings.headers(headers), body);
        } finally {
            LibLeanix.lx_free(r.getPointer());
        }
    }

    private static byte[] bytes(Pointer p, long len) {
        return len == 0 ? new byte[0] : p.getByteArray(0, Math.toIntExact(len));
    }

    /** Throws the exception for a failed status, after freeing its {@code lx_error}. */
    static void check(int status, PointerByReference errSlot) {
        if (status != Status.LX_OK) {
            throw error(status, errSlot);
        }
    }

    /** Turns a failed status and its {@code lx_error} into an exception, freeing the error. */
    private static LeanixException error(int status, PointerByReference errSlot) {
        Pointer p = errSlot.getValue();
        if (p == null) {
            return LeanixException.of(status, LeanixException.statusName(status), 0, null, -1);
        }
        Handles.Error err = new Handles.Error(p);
        try {
            Pointer oauth = LibLeanix.lx_error_oauth_error(err);
            return LeanixException.of(
                LibLeanix.lx_error_code(err),
                LibLeanix.lx_error_message(err).getString(0, "UTF-8"),
                LibLeanix.lx_error_http_status(err),
                oauth == null ? null : oauth.getString(0, "UTF-8"),
                LibLeanix.lx_error_retry_after_ms(err));
        } finally {
            LibLeanix.lx_free(p);
        }
    }
}
