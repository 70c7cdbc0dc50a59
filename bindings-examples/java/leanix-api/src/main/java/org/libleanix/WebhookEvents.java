package org.libleanix;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The events of a PULL subscription, consumed at least once: an iterator that fetches batches
 * from the subscription's cursor on the server and commits an event once the loop asks for the
 * next one (at the end of each batch, and at {@link #close()} up to the event before the one the
 * loop was in). So an event whose handling threw comes again on the next run, and none is
 * skipped; nothing is stored locally.
 *
 * <pre>{@code
 * try (WebhookEvents events = client.webhooks().events(subscriptionId, true)) {
 *     for (WebhookEvent e : events) {
 *         handle(e.payloadJson());     // an exception here: this event comes again next run
 *     }
 * }
 * }</pre>
 *
 * <p>With {@code follow}, {@link #hasNext()} waits for new events (the library's backoff, 1 s
 * doubling to 30 s); {@link Thread#interrupt()} ends the wait with {@link CancelledException}.
 * Without it, the iteration ends when no new events remain. Thread safety: one thread at a time.
 */
public final class WebhookEvents implements Iterator<WebhookEvent>, Iterable<WebhookEvent>, AutoCloseable {
    private final Webhooks webhooks;
    private final String subscriptionId;
    private final boolean follow;
    private final Deque<WebhookEvent> batch = new ArrayDeque<>();
    /** The event handed out last (handled once the next is asked for); null if none. */
    private WebhookEvent current;
    /** The offset to commit (last handled + 1); -1 if nothing to commit. */
    private long pending = -1;
    private boolean done;

    WebhookEvents(Webhooks webhooks, String subscriptionId, boolean follow) {
        this.webhooks = webhooks;
        this.subscriptionId = subscriptionId;
        this.follow = follow;
    }

    /** @return this iterator, for a for-each loop (one pass) */
    @Override
    public Iterator<WebhookEvent> iterator() {
        return this;
    }

    /**
     * Marks the event handed out last as handled; at the end of a batch, commits and fetches the
     * next one (waiting for it with {@code follow}).
     */
    @Override
    public boolean hasNext() {
        if (current != null) {
            pending = current.offset() + 1;
            current = null;
        }
        if (!batch.isEmpty()) {
            return true;
        }
        if (done) {
            return false;
        }
        commit();
        batch.addAll(webhooks.fetch(subscriptionId, follow));
        if (batch.isEmpty()) {
            done = true;
            return false;
        }
        return true;
    }

    /** @return the next event */
    @Override
    public WebhookEvent next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        current = batch.poll();
        return current;
    }

    private void commit() {
        if (pending >= 0) {
            webhooks.commit(subscriptionId, pending);
            pending = -1;
        }
    }

    /**
     * Commits the events handled so far (not the one handed out last, whose handling may have
     * failed) and ends the iteration. Idempotent.
     */
    @Override
    public void close() {
        done = true;
        batch.clear();
        current = null;
        commit();
    }
}
