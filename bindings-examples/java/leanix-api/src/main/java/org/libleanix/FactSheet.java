package org.libleanix;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A fact sheet as a write answers with it ({@link LeanixClient#updateFactSheet(String, java.util.List)}):
 * {@code id}, {@code rev}, {@code type}, {@code name}, {@code displayName}, {@code description},
 * {@code status}. Immutable; {@link #json()} is the text it was read from.
 */
public final class FactSheet {
    private final String id;
    private final long rev;
    private final String type;
    private final String name;
    private final String displayName;
    private final String description;
    private final String status;
    private final String json;

    private FactSheet(Map<String, Object> m, String json) {
        this.id = text(m, "id");
        Object r = m.get("rev");
        this.rev = r instanceof Number ? ((Number) r).longValue() : -1;
        this.type = text(m, "type");
        this.name = text(m, "name");
        this.displayName = text(m, "displayName");
        this.description = text(m, "description");
        this.status = text(m, "status");
        this.json = json;
    }

    /**
     * @param json a fact sheet as JSON text (an object)
     * @return the fact sheet
     * @throws InvalidResponseException if the text is not a JSON object with an {@code id}
     */
    static FactSheet parse(String json) {
        Map<String, Object> m;
        try {
            m = Json.parseObject(json);
        } catch (RuntimeException e) {
            throw new InvalidResponseException("a written fact sheet that is not a JSON object: " + e.getMessage(), 0);
        }
        if (!(m.get("id") instanceof String)) {
            throw new InvalidResponseException("a written fact sheet without an id", 0);
        }
        return new FactSheet(m, json);
    }

    private static String text(Map<String, Object> m, String key) {
        Object v = m.get(key);
        return v == null ? null : v.toString();
    }

    /** @return the fact sheet's id */
    public String id() {
        return id;
    }

    /** @return its revision after the write (the next write's {@code rev}), or -1 if the answer had none */
    public long rev() {
        return rev;
    }

    /** @return its type, e.g. {@code Application} (null if the answer had none) */
    public String type() {
        return type;
    }

    /** @return its name (null if the answer had none) */
    public String name() {
        return name;
    }

    /** @return its display name (the name with its parent's, for types with a hierarchy) */
    public Optional<String> displayName() {
        return Optional.ofNullable(displayName);
    }

    /** @return its description, if it has one */
    public Optional<String> description() {
        return Optional.ofNullable(description);
    }

    /** @return its status, e.g. {@code ACTIVE} or {@code ARCHIVED} (null if the answer had none) */
    public String status() {
        return status;
    }

    /** @return the answer as JSON text, with any further field a selection asked for */
    public String json() {
        return json;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof FactSheet && json.equals(((FactSheet) other).json);
    }

    @Override
    public int hashCode() {
        return Objects.hash(json);
    }

    @Override
    public String toString() {
        return "FactSheet[id=" + id + ", rev=" + rev + ", type=" + type + ", name=" + name + ", status=" + status + "]";
    }
}
