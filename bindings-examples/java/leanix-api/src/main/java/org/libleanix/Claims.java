package org.libleanix;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The decoded (not verified) claims of a LeanIX access token: who it belongs to, which workspace
 * and role it carries, when it expires. LeanIX publishes no public key, so they are read for
 * convenience only, never to make a security decision.
 *
 * <p>Every accessor is optional: older tokens lack {@code region}, and a claim of an unexpected
 * type reads as empty. {@link #raw()} and {@link #json()} hold every claim, including those
 * without an accessor. The same shape as {@code leanix::Claims} in Rust and
 * {@code leanix.Claims} in Python.
 *
 * <pre>{@code
 * client.claims().ifPresent(c -> System.out.println(
 *     c.username().orElse("?") + " in " + c.workspaceName().orElse("?") + " as " + c.role().orElse("?")
 *     + ", expires " + c.expiresAt().map(Instant::toString).orElse("?")));
 * }</pre>
 *
 * <p>Immutable and thread-safe. {@link #toString()} shows the subject, workspace, role and expiry
 * (never a token: the claims do not contain one).
 */
public final class Claims {
    private final String json;
    private final Map<String, Object> raw;

    private Claims(String json, Map<String, Object> raw) {
        this.json = json;
        this.raw = raw;
    }

    /**
     * Parses the JSON object that {@code lx_claims_json()} returns.
     *
     * @param json the claims as JSON text
     * @return the claims, or empty for {@code null} (an opaque, non-JWT token)
     * @throws IllegalArgumentException if the text is neither a JSON object nor {@code null}
     */
    static Optional<Claims> parse(String json) {
        Object parsed = Json.parse(json);
        if (parsed == null) {
            return Optional.empty();
        }
        if (!(parsed instanceof Map)) {
            throw new IllegalArgumentException("the claims are not a JSON object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) parsed;
        return Optional.of(new Claims(json, map));
    }

    /** @return {@code sub}: the user name (an e-mail or the technical user's name) */
    public Optional<String> subject() {
        return string(raw, "sub");
    }

    /** @return {@code principal.username} */
    public Optional<String> username() {
        return string(principal(), "username");
    }

    /** @return {@code principal.permission.workspaceId}: the workspace the token is bound to */
    public Optional<String> workspaceId() {
        return string(permission(), "workspaceId");
    }

    /** @return {@code principal.permission.workspaceName} */
    public Optional<String> workspaceName() {
        return string(permission(), "workspaceName");
    }

    /** @return {@code principal.permission.role}: the role in the workspace ({@code ADMIN}, {@code MEMBER}, {@code VIEWER}, ...) */
    public Optional<String> role() {
        return string(permission(), "role");
    }

    /** @return {@code exp}: when the token expires */
    public Optional<Instant> expiresAt() {
        Object exp = raw.get("exp");
        if (exp instanceof Long) {
            return Optional.of(Instant.ofEpochSecond((Long) exp));
        }
        if (exp instanceof Double && Double.isFinite((Double) exp)) {
            return Optional.of(Instant.ofEpochMilli(Math.round((Double) exp * 1000)));
        }
        return Optional.empty();
    }

    /** @return {@code iss}: the issuing service, e.g. {@code https://eu-svc.leanix.net} */
    public Optional<String> issuer() {
        return string(raw, "iss");
    }

    /** @return {@code instanceUrl}: the instance base URL, e.g. {@code https://app.leanix.net} */
    public Optional<String> instanceUrl() {
        return string(raw, "instanceUrl");
    }

    /** @return {@code region}: the data-centre region (recent tokens only) */
    public Optional<String> region() {
        return string(raw, "region");
    }

    /**
     * Every claim, parsed: JSON objects are unmodifiable {@code Map<String, Object>} in their
     * order, arrays {@code List<Object>}, integral numbers {@code Long}, other numbers
     * {@code Double}, {@code true}/{@code false} {@code Boolean}, {@code null} null.
     *
     * @return the whole payload
     */
    public Map<String, Object> raw() {
        return raw;
    }

    /** @return every claim as the JSON text the library returned */
    public String json() {
        return json;
    }

    private Map<?, ?> principal() {
        Object p = raw.get("principal");
        return p instanceof Map ? (Map<?, ?>) p : Map.of();
    }

    private Map<?, ?> permission() {
        Object p = principal().get("permission");
        return p instanceof Map ? (Map<?, ?>) p : Map.of();
    }

    private static Optional<String> string(Map<?, ?> map, String key) {
        Object v = map.get(key);
        return v instanceof String ? Optional.of((String) v) : Optional.empty();
    }

    /** @return whether {@code other} holds the same claims */
    @Override
    public boolean equals(Object other) {
        return other instanceof Claims && raw.equals(((Claims) other).raw);
    }

    @Override
    public int hashCode() {
        return Objects.hash(raw);
    }

    /** @return {@code Claims[subject=..., workspace=..., role=..., expiresAt=...]} */
    @Override
    public String toString() {
        return "Claims[subject=" + subject().orElse(null) + ", workspace=" + workspaceName().orElse(null)
            + ", role=" + role().orElse(null) + ", expiresAt=" + expiresAt().orElse(null) + "]";
    }
}
