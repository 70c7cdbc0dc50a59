package org.libleanix;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * One event of a PULL webhook batch: its offset, its tags and its payload, as the server sent
 * them. Commit {@code offset() + 1} once it is handled (what {@link WebhookEvents} does). Immutable.
 */
public final class WebhookEvent {
    private final String json;
    private final long offset;
    private final List<String> tagSet;

    WebhookEvent(String json) {
        this.json = json;
        Map<String, Object> v = Json.parseObject(json);
        Object o = v.get("offset");
        if (!(o instanceof Long)) {
            throw new InvalidResponseException("a webhook event without a numeric offset", 0);
        }
        this.offset = (Long) o;
        List<String> tags = new ArrayList<>();
        if (v.get("tagSet") instanceof List) {
            for (Object t : (List<?>) v.get("tagSet")) {
                if (t instanceof String) {
                    tags.add((String) t);
                }
            }
        }
        this.tagSet = Collections.unmodifiableList(tags);
    }

    /** @return the event's offset */
    public long offset() {
        return offset;
    }

    /** @return its tags, e.g. {@code [pathfinder, FACT_SHEET_UPDATED, Application]} */
    public List<String> tagSet() {
        return tagSet;
    }

    /** @return the payload as JSON text ({@code null} if the event has none) */
    public String payloadJson() {
        return Json.rawMember(json, "payload");
    }

    /** @return the whole event as JSON text */
    public String json() {
        return json;
    }

    /** @return {@code WebhookEvent[offset=N, tags=[...]]} */
    @Override
    public String toString() {
        return "WebhookEvent[offset=" + offset + ", tags=" + tagSet + "]";
    }
}
