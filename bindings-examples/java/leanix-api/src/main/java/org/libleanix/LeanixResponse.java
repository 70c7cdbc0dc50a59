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
 * A successful (2xx) response: status, headers and body, copied out of the native response
 * (which is freed before this object is returned), so it is an ordinary immutable Java object
 * that any thread may read. Unsuccessful statuses are exceptions (see {@link LeanixException}).
 */
public final class LeanixResponse {
    private final int status;
    private final List<Map.Entry<String, String>> headerList;
    private final byte[] body;
    private Map<String, List<String>> headerMap;

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

    /** @return the HTTP status code (200..299) */
    public int status() {
        return status;
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

    /** @return {@code LeanixResponse[status=200, 1234 bytes]} */
    @Override
    public String toString() {
        return "LeanixResponse[status=" + status + ", " + body.length + " bytes]";
    }
}
