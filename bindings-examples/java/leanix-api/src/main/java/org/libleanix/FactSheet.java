package org.libleanix;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A fact sheet as a write answers with it ({@link LeanixClient#updateFactSheet(String, java.util.List)}):
 * {@code id}, {@code rev}, {@code type}, {@code name}, {@code displayName}, {@code description},
 * {@code status}. Immutable; {@link #json()} is the text it was read from.
 */
public final class FactSheet {
    /** The answer's fields, as read from {@link #json}; the accessors look their values up here. */
    private final Map<String, Object> fields;
    private final String json;

    private FactSheet(Map<String, Object> fields, String json) {
        this.fields = Collections.unmodifiableMap(fields);
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

    /** The field {@code key} as text, or null if the answer had none. */
    private String text(String key) {
        Object v = fields.get(key);
        return v == null ? null : v.toString();
    }

    /** @return the fact sheet's id */
    public String id() {
        return text("id");
    }

    /** @return its revision after the write (the next write's {@code rev}), or -1 if the answer had none */
    public long rev() {
        Object r = fields.get("rev");
        return r instanceof Number ? ((Number) r).longValue() : -1;
    }

    /** @return its type, e.g. {@code Application} (null if the answer had none) */
    public String type() {
        return text("type");
    }

    /** @return its name (null if the answer had none) */
    public String name() {
        return text("name");
    }

    /** @return its display name (the name with its parent's, for types with a hierarchy) */
    public Optional<String> displayName() {
        return Optional.ofNullable(text("displayName"));
    }

    /** @return its description, if it has one */
    public Optional<String> description() {
        return Optional.ofNullable(text("description"));
    }

    /** @return its status, e.g. {@code ACTIVE} or {@code ARCHIVED} (null if the answer had none) */
    public String status() {
        return text("status");
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
        return "FactSheet[id=" + id() + ", rev=" + rev() + ", type=" + type() + ", name=" + name() + ", status=" + status() + "]";
    }
}
