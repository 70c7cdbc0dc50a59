package org.libleanix;

import java.lang.ref.Cleaner;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.libleanix.spi.NativeCancel;
import org.libleanix.spi.PageWalk;

/**
 * The pages of a cursor-paged GraphQL query, fetched one at a time ({@code lx_graphql_pages_*}),
 * so that an export of 200 000 fact sheets runs in the memory of one page: this object holds at
 * most one page, the one {@link #hasNext()} fetched and {@link #next()} has not handed out yet.
 * Each element is a page's {@code data} as JSON text.
 *
 * <pre>{@code
 * try (GraphQlPages pages = client.graphqlPages("query($after: String) { allFactSheets(first: 1000, "
 *         + "after: $after) { pageInfo { hasNextPage endCursor } edges { node { id name } } } }", null)) {
 *     while (pages.hasNext()) {
 *         String data = pages.next();    // parse it, write it out, drop it
 *     }
 * }
 * // or: try (Stream<String> s = client.graphqlPages(query, null).stream()) { s.forEach(...); }
 * }</pre>
 *
 * <p>The paging rule is the library's, the same on every surface: the query declares
 * {@code $after} and selects {@code pageInfo { hasNextPage endCursor }} on its connection, or the
 * first {@link #hasNext()} throws {@link InvalidArgumentException} before any request; a page
 * without {@code pageInfo}, {@code hasNextPage} without an {@code endCursor} or a repeated cursor
 * is {@link InvalidResponseException}; more pages than the client's {@code maxPages} is
 * {@link ResponseTooLargeException}. LeanIX recommends at most 1 000 fact sheets a page; a single
 * unpaged query stops near 15 000-18 000 nodes.
 *
 * <p>{@link #hasNext()} fetches the next page (blocking, like the client's other calls, so it
 * throws the call's exceptions, and an interrupt of the thread ends the walk with
 * {@link CancelledException}). On a virtual thread it starts the fetch
 * ({@code lx_graphql_pages_next_start}) and parks until it completes, holding no thread. A failure ends the walk. Not thread-safe, except
 * {@link #close()}, which may be called from any thread and also ends a fetch in flight. Close it
 * (or the stream); an unreachable walk is freed by a {@link Cleaner}.
 */
public final class GraphQlPages implements Iterator<String>, Iterable<String>, AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create();

    private final LeanixClient client;
    private final PageWalk walk;
    private final NativeCancel cancel;
    private final Cleaner.Cleanable cleanable;
    private String next;
    private boolean done;
    private volatile boolean closed;
    private int pages;

    GraphQlPages(LeanixClient client, PageWalk walk, NativeCancel cancel) {
        this.client = client;
        this.walk = walk;
        this.cancel = cancel;
        this.cleanable = CLEANER.register(this, new Free(walk, cancel));
    }

    /** Frees the walk and its cancel handle once, from close() or the Cleaner. */
    private record Free(PageWalk walk, NativeCancel cancel) implements Runnable {
        @Override
        public void run() {
            walk.free();
            cancel.free();
        }
    }

    /**
     * Fetches the next page unless one is waiting.
     *
     * @return whether there is another page
     * @throws LeanixException the failure of the page's call or of the paging rule (it ends the walk)
     * @throws IllegalStateException if this walk or its client is closed
     */
    @Override
    public synchronized boolean hasNext() {
        if (closed) {
            throw new IllegalStateException("this GraphQlPages is closed");
        }
        if (next != null) {
            return true;
        }
        if (done) {
            return false;
        }
        String page;
        try {
            page = client.fetchPage(walk, cancel);
        } catch (RuntimeException e) {
            done = true;
            throw e;
        }
        if (page == null) {
            done = true;
            return false;
        }
        pages++;
        next = page;
        return true;
    }

    /**
     * @return the next page's {@code data} as JSON text
     * @throws NoSuchElementException after the last page
     */
    @Override
    public synchronized String next() {
        if (!hasNext()) {
            throw new NoSuchElementException("no more pages");
        }
        String page = next;
        next = null;
        return page;
    }

    /** @return how many pages were fetched so far */
    public synchronized int pagesFetched() {
        return pages;
    }

    /** @return this walk, for a for-each loop (one pass: a second loop sees no pages) */
    @Override
    public Iterator<String> iterator() {
        return this;
    }

    /**
     * @return the remaining pages as a sequential stream; closing the stream closes this walk
     */
    public Stream<String> stream() {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(this,
            Spliterator.ORDERED | Spliterator.NONNULL), false).onClose(this::close);
    }

    /** Ends the walk (a fetch in flight on another thread ends with {@link CancelledException}) and frees it. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        cancel.fire();
        synchronized (this) {
            next = null;
            done = true;
            cleanable.clean();
        }
    }

    @Override
    public String toString() {
        return "GraphQlPages[" + pages + " page(s) fetched" + (closed ? ", closed" : done ? ", done" : "") + "]";
    }
}
