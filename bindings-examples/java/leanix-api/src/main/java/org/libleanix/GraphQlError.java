package org.libleanix;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One entry of a GraphQL response's {@code errors} array (see {@link GraphQlException#errors()}),
 * in graphql-java's shape as LeanIX sends it:
 * {@code {"message", "locations":[{"line","column"}], "path":[...], "extensions":{"errorType",
 * "classification"}}}. Values of {@link #extensions()} and {@link #path()} are parsed JSON:
 * {@code Map}, {@code List}, {@code String}, {@code Long}, {@code Double}, {@code Boolean} or null.
 * Immutable.
 */
public final class GraphQlError {
    private final Map<String, Object> raw;

    GraphQlError(Map<String, Object> raw) {
        this.raw = raw;
    }

    /** A position in the GraphQL document. */
    public static final class Location {
        private final int line;
        private final int column;

        Location(int line, int column) {
            this.line = line;
            this.column = column;
        }

        /** @return the line, 1-based */
        public int line() {
            return line;
        }

        /** @return the column, 1-based */
        public int column() {
            return column;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Location && ((Location) o).line == line && ((Location) o).column == column;
        }

        @Override
        public int hashCode() {
            return Objects.hash(line, column);
        }

        @Override
        public String toString() {
            return line + ":" + column;
        }
    }

    /** @return the server's message, e.g. {@code DB revision of Fact Sheet has changed: 7 instead of given 6} */
    public String message() {
        Object m = raw.get("message");
        return m instanceof String ? (String) m : "";
    }

    /**
     * @return {@code extensions.errorType}, e.g. {@code REVISION_CLASH}, {@code ValidationError},
     *     {@code DataFetchingException}, if the server sent one
     */
    public Optional<String> errorType() {
        Object t = Json.at(raw, "extensions", "errorType");
        return t instanceof String ? Optional.of((String) t) : Optional.empty();
    }

    /**
     * @return the path of the field that failed, e.g. {@code ["factSheet"]} or
     *     {@code ["allFactSheets", "edges", 0, "node"]} (names as {@code String}, indexes as
     *     {@code Long}); empty for errors of the whole document
     */
    public List<Object> path() {
        Object p = raw.get("path");
        return p instanceof List ? Collections.unmodifiableList(new ArrayList<>((List<?>) p)) : List.of();
    }

    /** @return where in the document the error is */
    public List<Location> locations() {
        Object l = raw.get("locations");
        if (!(l instanceof List)) {
            return List.of();
        }
        List<Location> out = new ArrayList<>();
        for (Object item : (List<?>) l) {
            Object line = Json.at(item, "line");
            Object column = Json.at(item, "column");
            if (line instanceof Number && column instanceof Number) {
                out.add(new Location(((Number) line).intValue(), ((Number) column).intValue()));
            }
        }
        return Collections.unmodifiableList(out);
    }

    /** @return the {@code extensions} object (empty if none) */
    @SuppressWarnings("unchecked")
    public Map<String, Object> extensions() {
        Object e = raw.get("extensions");
        return e instanceof Map ? (Map<String, Object>) e : Map.of();
    }

    /** @return the whole error object, parsed */
    public Map<String, Object> raw() {
        return raw;
    }

    /** @return {@code GraphQlError[REVISION_CLASH at [updateFactSheet]: message]} */
    @Override
    public String toString() {
        return "GraphQlError[" + errorType().orElse("?") + (path().isEmpty() ? "" : " at " + path()) + ": "
            + message() + "]";
    }
}
