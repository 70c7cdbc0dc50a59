package org.libleanix;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The PULL webhooks of a {@link LeanixClient} ({@link LeanixClient#webhooks()}): subscriptions,
 * batches and commits ({@code lx_webhooks_*}), and the at-least-once consumers
 * {@link #events(String, boolean)} (an iterator) and {@link #consume(String, boolean, Consumer)}
 * (a listener). Blocking calls honour {@link Thread#interrupt()} ({@link CancelledException}).
 * Thread safety: any thread.
 */
public final class Webhooks {
    private final LeanixClient client;

    Webhooks(LeanixClient client) {
        this.client = client;
    }

    /**
     * Creates a PULL subscription.
     *
     * @param tagSets the tag sets, e.g. {@code List.of(List.of("pathfinder", "FACT_SHEET_UPDATED"))}
     * @param identifier a name for it, or null
     * @return the subscription as JSON text (with its {@code id})
     */
    public String create(List<List<String>> tagSets, String identifier) {
        Objects.requireNonNull(tagSets, "tagSets");
        StringBuilder spec = new StringBuilder("{\"tagSets\":[");
        for (int i = 0; i < tagSets.size(); i++) {
            spec.append(i == 0 ? "" : ",").append('[');
            List<String> set = tagSets.get(i);
            for (int j = 0; j < set.size(); j++) {
                spec.append(j == 0 ? "" : ",").append(Json.quote(Objects.requireNonNull(set.get(j), "tag")));
            }
            spec.append(']');
        }
        spec.append(']');
        if (identifier != null) {
            spec.append(",\"identifier\":").append(Json.quote(identifier));
        }
        return createJson(spec.append('}').toString());
    }

    /**
     * Creates a PULL subscription from its JSON ({@code tagSets}, optional {@code identifier},
     * {@code payloadMode}, {@code workspaceId}, {@code workspaceConstraint}).
     *
     * @param specJson the subscription
     * @return the subscription as JSON text (with its {@code id})
     */
    public String createJson(String specJson) {
        Objects.requireNonNull(specJson, "specJson");
        return client.webhookCall((c, spec) -> c.webhooksCreate(specJson, spec));
    }

    /** @return every subscription of the workspace, as a JSON array */
    public String list() {
        return client.webhookCall((c, spec) -> c.webhooksList(spec));
    }

    /**
     * Deletes a subscription.
     *
     * @param subscriptionId the subscription
     */
    public void delete(String subscriptionId) {
        Objects.requireNonNull(subscriptionId, "subscriptionId");
        client.webhookCall((c, spec) -> {
            c.webhooksDelete(subscriptionId, spec);
            return null;
        });
    }

    /**
     * The next batch from the subscription's cursor (the cursor does not move).
     *
     * @param subscriptionId the subscription
     * @param wait wait until there are events (the library's backoff)
     * @return the events, oldest first (empty: nothing new)
     */
    public List<WebhookEvent> fetch(String subscriptionId, boolean wait) {
        Objects.requireNonNull(subscriptionId, "subscriptionId");
        String json = client.webhookCall((c, spec) -> c.webhooksFetch(subscriptionId, wait, spec));
        List<WebhookEvent> events = new ArrayList<>();
        for (String e : Json.rawElements(json)) {
            events.add(new WebhookEvent(e));
        }
        return Collections.unmodifiableList(events);
    }

    /**
     * Moves the cursor to {@code nextOffset}: the offset of the last handled event plus one. The
     * cursor cannot go back ({@link HttpException} 400).
     *
     * @param subscriptionId the subscription
     * @param nextOffset the next offset to deliver
     */
    public void commit(String subscriptionId, long nextOffset) {
        Objects.requireNonNull(subscriptionId, "subscriptionId");
        client.webhookCall((c, spec) -> {
            c.webhooksCommit(subscriptionId, nextOffset, spec);
            return null;
        });
    }

    /**
     * The events of a subscription as an at-least-once iterator (see {@link WebhookEvents}).
     *
     * @param subscriptionId the subscription
     * @param follow wait for new events instead of ending when none remain
     * @return the iterator; close it
     */
    public WebhookEvents events(String subscriptionId, boolean follow) {
        Objects.requireNonNull(subscriptionId, "subscriptionId");
        return new WebhookEvents(this, subscriptionId, follow);
    }

    /**
     * Runs {@code listener} on every event, committing each once the listener returned; an
     * exception from it propagates after the events before were committed, and that event
     * comes again on the next run.
     *
     * @param subscriptionId the subscription
     * @param follow wait for new events (until the thread is interrupted)
     * @param listener the handler
     * @return how many events the listener handled
     */
    public long consume(String subscriptionId, boolean follow, Consumer<WebhookEvent> listener) {
        Objects.requireNonNull(listener, "listener");
        long n = 0;
        try (WebhookEvents events = events(subscriptionId, follow)) {
            for (WebhookEvent e : events) {
                listener.accept(e);
                n++;
            }
        }
        return n;
    }
}
