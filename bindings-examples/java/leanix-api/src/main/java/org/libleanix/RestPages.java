package org.libleanix;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The pages of a paged REST list, fetched one at a time ({@code lx_rest_pages_*}), so that an
 * export runs in the memory of one page. Each element is a page's whole JSON document
 * ({@code {"status":"OK","total":...,"data":[...],"cursor":...}}).
 *
 * <pre>{@code
 * try (RestPages pages = client.restPages("/services/pathfinder/v1/factSheets?pageSize=1000")) {
 *     while (pages.hasNext()) {
 *         String page = pages.next();    // parse its "data", write it out, drop it
 *     }
 * }
 * }</pre>
 *
 * <p>The paging rule is the library's, the same on every surface ({@code lx get --paginate}):
 * Pathfinder's {@code cursor} is followed until {@code "cursor": null}; a path with
 * {@code page=} (MTM's {@code page}/{@code size}) counts the page up until an empty page, a page
 * shorter than {@code size} or {@code total} items. A repeated cursor or a page without a
 * {@code data} array is {@link InvalidResponseException}; more pages than the client's
 * {@code maxPages} is {@link ResponseTooLargeException}; a {@code page=} that is not a number is
 * {@link InvalidArgumentException} at the first {@link #hasNext()}. Fetching, failures, interrupts,
 * closing and thread safety are those of {@link GraphQlPages}, which does the walking.
 */
public final class RestPages implements Iterator<String>, Iterable<String>, AutoCloseable {
    private final GraphQlPages walk;
    private volatile boolean closed;

    RestPages(GraphQlPages walk) {
        this.walk = walk;
    }

    /**
     * Fetches the next page unless one is waiting.
     *
     * @return whether there is another page
     * @throws LeanixException the failure of the page's call or of the paging rule (it ends the walk)
     * @throws IllegalStateException if this walk or its client is closed
     */
    @Override
    public boolean hasNext() {
        if (closed) {
            throw new IllegalStateException("this RestPages is closed");
        }
        return walk.hasNext();
    }

    /**
     * @return the next page's JSON document
     * @throws NoSuchElementException after the last page
     */
    @Override
    public String next() {
        if (!hasNext()) {
            throw new NoSuchElementException("no more pages");
        }
        return walk.next();
    }

    /** @return how many pages were fetched so far */
    public int pagesFetched() {
        return walk.pagesFetched();
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
        closed = true;
        walk.close();
    }

    @Override
    public String toString() {
        return "RestPages[" + walk.pagesFetched() + " page(s) fetched" + (closed ? ", closed" : "") + "]";
    }
}
