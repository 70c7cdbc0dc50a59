package org.libleanix;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One patch of a fact-sheet write ({@link LeanixClient#updateFactSheet(String, List)}): GraphQL's
 * {@code {op, path, value}}, whose value is always a string. A {@link Map} or {@link List} value
 * ({@code /lifecycle}, {@code /tags}, {@code /externalId}) is encoded here as JSON inside that
 * string, as LeanIX wants it; numbers and booleans become their JSON text, a {@link String} is
 * sent as it is.
 *
 * <pre>{@code
 * client.updateFactSheet(id, List.of(
 *     Patch.replace("/description", "Payroll for the EU entities"),
 *     Patch.replace("/lifecycle", Map.of("phases", List.of(Map.of("phase", "active", "startDate", "2024-01-01")))),
 *     Patch.add("/tags", List.of(Map.of("tagName", "GDPR"))),
 *     Patch.remove("/alias")));
 * client.updateFactSheet(id, List.of(Patch.archive()), "retired", false, null);   // archiving needs a comment
 * }</pre>
 *
 * <p>Immutable; {@link #equals} compares op, path and the encoded value.
 */
public final class Patch {
    private final String op;
    private final String path;
    private final String value;

    private Patch(String op, String path, String value) {
        this.op = op;
        this.path = Objects.requireNonNull(path, "path");
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("a patch's path starts with '/', not " + Json.quote(path));
        }
        this.value = value;
    }

    /**
     * {@code replace} a field.
     *
     * @param path the field's path, e.g. {@code /name}, {@code /lifecycle}
     * @param value a {@link String} (sent as it is), a {@link Map} or {@link Collection} (sent as
     *     JSON inside the string), a {@link Number} or {@link Boolean} (their JSON text)
     * @return the patch
     * @throws IllegalArgumentException for a value of another type, a map key that is not a
     *     string, a number that is not finite, or a path without its leading {@code /}
     */
    public static Patch replace(String path, Object value) {
        return new Patch("replace", path, encode(value));
    }

    /**
     * {@code add} to a field (e.g. tags to {@code /tags}).
     *
     * @param path the field's path
     * @param value as for {@link #replace}
     * @return the patch
     */
    public static Patch add(String path, Object value) {
        return new Patch("add", path, encode(value));
    }

    /**
     * {@code remove} a field (no value).
     *
     * @param path the field's path
     * @return the patch
     */
    public static Patch remove(String path) {
        return new Patch("remove", path, null);
    }

    /**
     * {@code replace /status ARCHIVED}: archives the fact sheet; LeanIX refuses it without a
     * comment.
     *
     * @return the patch
     */
    public static Patch archive() {
        return replace("/status", "ARCHIVED");
    }

    /** @return {@code add}, {@code replace} or {@code remove} */
    public String op() {
        return op;
    }

    /** @return the field's path */
    public String path() {
        return path;
    }

    /** @return the value as sent (JSON inside the string for maps and lists); empty for {@code remove} */
    public Optional<String> value() {
        return Optional.ofNullable(value);
    }

    /** @return the patch as GraphQL's {@code Patch} input, {@code {"op":...,"path":...,"value":"..."}} */
    public String toJson() {
        StringBuilder b = new StringBuilder("{\"op\":").append(Json.quote(op)).append(",\"path\":")
            .append(Json.quote(path));
        if (value != null) {
            b.append(",\"value\":").append(Json.quote(value));
        }
        return b.append('}').toString();
    }

    /**
     * @param patches patches
     * @return them as a JSON list, as {@code lx_update_fact_sheet} takes them
     */
    static String toJson(List<Patch> patches) {
        List<String> items = new ArrayList<>(patches.size());
        for (Patch p : patches) {
            items.add(Objects.requireNonNull(p, "a patch in the list is null").toJson());
        }
        return "[" + String.join(",", items) + "]";
    }

    private static String encode(Object value) {
        if (value instanceof String) {
            return (String) value;
        }
        if (value == null) {
            throw new IllegalArgumentException("a patch's value must not be null (use Patch.remove)");
        }
        return Json.write(value);
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof Patch)) {
            return false;
        }
        Patch p = (Patch) other;
        return op.equals(p.op) && path.equals(p.path) && Objects.equals(value, p.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(op, path, value);
    }

    /** @return the patch's JSON */
    @Override
    public String toString() {
        return toJson();
    }
}
