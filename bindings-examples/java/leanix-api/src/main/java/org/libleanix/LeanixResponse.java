package org.libleanix;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * An HTTP response: status, headers and body, copied out of the native response (which is freed
 * before this object is handed out), so it is an ordinary immutable Java object that any thread
 * may read.
 *
 * <p>Calls return 2xx responses; an unsuccessful status is an {@link HttpException} (or a
 * subclass) whose {@link HttpException#response()} is the server's whole answer, including the
 * body that explains a refused write. A client or request built with
 * {@code throwOnError(false)} returns such answers instead of throwing; {@link #isSuccess()} and
 * {@link #raiseForStatus()} check them, as {@code requests}' {@code raise_for_status()} does:
 *
 * <pre>{@code
 * LeanixResponse r = client.send(LeanixRequest.newBuilder("/services/pathfinder/v1/factSheets")
 *     .POST("{\"name\":\"\"}").throwOnError(false).build());
 * if (!r.isSuccess()) {
 *     System.err.println(r.status() + ": " + r.bodyAsString());   // LeanIX's error envelope
 * }
 * r.raiseForStatus();   // throws the HttpException (e.g. NotFoundException) the call would have thrown
 * }</pre>
 */
public final class LeanixResponse {
    private final int status;
    private final List<Map.Entry<String, String>> headerList;
    private final byte[] body;
    private Map<String, List<String>> headerMap;
    /** The exception this answer stands for, if it is a failure's response; set once, before publication. */
    private LeanixException failure;

    /**
     * Creates a response; backends do, applications receive it from {@link LeanixClient}.
     *
     * @param status the HTTP status
     * @param headers the headers in the order received, names in lower case
     * @param body the body (not copied: the caller hands it over)
     */
    public LeanixResponse(int status, List<Map.Entry<String, String>> headers, byte[] body) {
        this.status = status;
        this.headerList = Collections.unmodifiableList(new ArrayList<>(headers));
        this.body = body == null ? new byte[0] : body;
    }

    /** @return the HTTP status code (200..299 for a successful call) */
    public int status() {
        return status;
    }

    /** @return whether the status is 2xx (a successful call) */
    public boolean isSuccess() {
        return status >= 200 && status <= 299;
    }

    /**
     * Throws if this is the answer of a failed call (a response returned because the call asked
     * for {@code throwOnError(false)}, or the {@link HttpException#response()} of a failure):
     * the same exception the call would have thrown, with the library's message, e.g.
     * {@link NotFoundException} for a 404 or {@link ForbiddenException} for a 403.
     *
     * @return this response, if its status is 2xx
     * @throws HttpException (or a subclass) if it is not
     */
    public LeanixResponse raiseForStatus() {
        if (isSuccess()) {
            return this;
        }
        LeanixException e = failure;
        // A new exception each time, with this caller's stack trace; the same class and message.
        throw e != null ? e.copy() : new HttpException("the server answered HTTP " + status, status, -1, this);
    }

    /** Binds this answer to the exception it explains (once, by {@link LeanixException#of}). */
    void failure(LeanixException e) {
        if (failure == null) {
            failure = e;
        }
    }

    /** @return the headers in the order received, names in lower case */
    public List<Map.Entry<String, String>> headerList() {
        return headerList;
    }

    /** @return the headers by lower-case name, each with its values in the order received */
    public synchronized Map<String, List<String>> headers() {
        if (headerMap == null) {
            Map<String, List<String>> map = new LinkedHashMap<>();
            for (Map.Entry<String, String> h : headerList) {
                map.computeIfAbsent(h.getKey(), k -> new ArrayList<>()).add(h.getValue());
            }
            map.replaceAll((k, v) -> Collections.unmodifiableList(v));
            headerMap = Collections.unmodifiableMap(map);
        }
        return headerMap;
    }

    /**
     * The first value of a header.
     *
     * @param name the header name (any case)
     * @return its first value, if present
     */
    public Optional<String> header(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        for (Map.Entry<String, String> h : headerList) {
            if (h.getKey().equals(lower)) {
                return Optional.of(h.getValue());
            }
        }
        return Optional.empty();
    }

    /** @return a copy of the body bytes (binary-safe) */
    public byte[] body() {
        return body.clone();
    }

    /** @return the body length in bytes */
    public int bodyLength() {
        return body.length;
    }

    /** @return the body decoded as UTF-8 (LeanIX answers JSON) */
    public String bodyAsString() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** @return {@code LeanixResponse[status=200, 1234 bytes]} (never the body or headers) */
    @Override
    public String toString() {
        return "LeanixResponse[status=" + status + ", " + body.length + " bytes]";
    }
}
