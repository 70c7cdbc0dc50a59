package org.libleanix;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What an LDIF synchronization run came to ({@link Integration#run}): its id, its final status
 * ({@code FINISHED}, {@code FAILED}, {@code STOPPED}; or the last state seen when the wait was
 * not asked for or cut short), LeanIX's progress counts, every warning and, for an outbound run,
 * the output LDIF. Immutable.
 */
public final class RunResult {
    private final String id;
    private final String status;
    private final Map<String, Object> progress;
    private final List<Map<String, Object>> warnings;
    private final String resultsJson;
    private final int polls;

    private RunResult(String id, String status, Map<String, Object> progress, List<Map<String, Object>> warnings,
                      String resultsJson, int polls) {
        this.id = id;
        this.status = status;
        this.progress = progress;
        this.warnings = warnings;
        this.resultsJson = resultsJson;
        this.polls = polls;
    }

    /**
     * Parses the JSON that {@code lx_ldif_run()} and {@code lx_error_run_json()} return.
     *
     * @param json {@code {"id","status","progress","warnings","results","polls"}}
     * @return the result
     */
    @SuppressWarnings("unchecked")
    static RunResult parse(String json) {
        Map<String, Object> raw = Json.parseObject(json);
        Object progress = raw.get("progress");
        List<Map<String, Object>> warnings = new ArrayList<>();
        if (raw.get("warnings") instanceof List) {
            for (Object w : (List<Object>) raw.get("warnings")) {
                if (w instanceof Map) {
                    warnings.add(Collections.unmodifiableMap((Map<String, Object>) w));
                }
            }
        }
        Object polls = raw.get("polls");
        return new RunResult(String.valueOf(raw.get("id")), String.valueOf(raw.get("status")),
            progress instanceof Map ? Collections.unmodifiableMap((Map<String, Object>) progress) : null,
            Collections.unmodifiableList(warnings), Json.rawMember(json, "results"),
            polls instanceof Number ? ((Number) polls).intValue() : 0);
    }

    /** @return the run's id */
    public String id() {
        return id;
    }

    /** @return {@code FINISHED}, {@code FAILED}, {@code STOPPED}, or the last state seen */
    public String status() {
        return status;
    }

    /** @return LeanIX's counts ({@code processedContentCount}, {@code warningsCount}, ...), if read */
    public Optional<Map<String, Object>> progress() {
        return Optional.ofNullable(progress);
    }

    /** @return {@code progress.processedContentCount}, 0 if unknown */
    public long processedContentCount() {
        Object n = progress == null ? null : progress.get("processedContentCount");
        return n instanceof Number ? ((Number) n).longValue() : 0;
    }

    /** @return every warning as LeanIX sent it ({@code status} WARNING or ERROR, {@code message}, ...) */
    public List<Map<String, Object>> warnings() {
        return warnings;
    }

    /** @return the {@code ERROR} warnings */
    public List<Map<String, Object>> errors() {
        List<Map<String, Object>> errors = new ArrayList<>();
        for (Map<String, Object> w : warnings) {
            if ("ERROR".equalsIgnoreCase(Objects.toString(w.get("status"), ""))) {
                errors.add(w);
            }
        }
        return errors;
    }

    /** @return the output LDIF of an outbound run as JSON text, if there is one */
    public Optional<String> resultsJson() {
        return resultsJson == null || "null".equals(resultsJson) ? Optional.empty() : Optional.of(resultsJson);
    }

    /** @return how many status polls the wait made */
    public int polls() {
        return polls;
    }

    /** @return whether the run finished without {@code ERROR} warnings */
    public boolean succeeded() {
        return "FINISHED".equals(status) && errors().isEmpty();
    }

    @Override
    public String toString() {
        return "RunResult[id=" + id + ", status=" + status + ", polls=" + polls + ", warnings=" + warnings.size() + "]";
    }
}
