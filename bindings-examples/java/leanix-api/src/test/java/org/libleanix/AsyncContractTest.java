package org.libleanix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.libleanix.spi.Completions;

/**
 * Deadlines, cancellation, asynchronous calls, virtual threads and events (issue 15), against a
 * real {@code lx-sandbox}, for every backend. Tests wait for conditions (a latch counted down by
 * the client's own retry event, a count that must drop), never sleep to synchronise.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class AsyncContractTest extends SandboxTestBase {
    /** What "within 50 ms" may take on a loaded 2-core machine with a debug build. */
    private static final long CANCEL_BOUND_MS = 50 + 200;

    /** Waits until a condition holds; returns the milliseconds it took, or fails after {@code limitMs}. */
    private static long await(BooleanSupplier condition, long limitMs, String what) {
        long start = System.nanoTime();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - start > limitMs * 1_000_000) {
                throw new AssertionError("not within " + limitMs + " ms: " + what);
            }
            Thread.onSpinWait();
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    // ---------------------------------------------------------------- deadlines

    @Test
    void aPerCallTimeoutEndsTheCallAtItsDeadline() {
        try (LeanixClient client = builder().requestTimeout(Duration.ofSeconds(20)).build()) {
            client.accessToken();
            sandbox.fault("{\"endpoint\":\"factSheets\",\"kind\":\"stall\",\"ms\":5000,\"times\":5}");
            long start = System.nanoTime();
            TimeoutException e = assertThrows(TimeoutException.class,
                () -> client.send(LeanixRequest.newBuilder(FACT_SHEETS).timeout(Duration.ofMillis(500)).build()));
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(ms >= 490 && ms < 500 + 400, "the call ended at its deadline: " + ms + " ms");
            assertEquals(Status.LX_ERR_TIMEOUT, e.code());

            sandbox.fault("{\"endpoint\":\"graphql\",\"kind\":\"stall\",\"ms\":5000,\"times\":5}");
            start = System.nanoTime();
            assertThrows(TimeoutException.class, () -> client.graphql(GraphQlRequest.newBuilder(
                "{ allFactSheets { totalCount } }").timeout(Duration.ofMillis(300)).build()));
            ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(ms >= 290 && ms < 300 + 400, "GraphQL call ended at its deadline: " + ms + " ms");

            start = System.nanoTime();
            ExecutionException async = assertThrows(ExecutionException.class, () -> client.sendAsync(
                LeanixRequest.newBuilder(FACT_SHEETS).timeout(Duration.ofMillis(300)).build()).get(10, TimeUnit.SECONDS));
            ms = (System.nanoTime() - start) / 1_000_000;
            assertInstanceOf(TimeoutException.class, async.getCause());
            assertTrue(ms >= 290 && ms < 300 + 400, "asynchronous call ended at its deadline: " + ms + " ms");
        }
    }

    // ---------------------------------------------------------------- interrupts

    /**
     * A call that got a 503 is inside the library (waiting to retry into a stalled server) when
     * its retry event arrives; the test interrupts the thread (a platform thread, or a virtual
     * one) then and measures until the call's exception is caught.
     */
    @ParameterizedTest(name = "virtual thread: {0}")
    @ValueSource(booleans = {false, true})
    void anInterruptCancelsABlockingCall(boolean virtual) throws Exception {
        if (virtual) {
            assumeVirtualThreads();
        }
        CountDownLatch retrying = new CountDownLatch(1);
        try (LeanixClient client = builder().retryBaseDelay(Duration.ofMillis(1))
                .eventListener(e -> {
                    if (e.kind() == LeanixEvent.Kind.RETRY) {
                        retrying.countDown();
                    }
                }).build()) {
            client.accessToken();
            sandbox.fault("{\"endpoint\":\"factSheets\",\"kind\":\"status\",\"status\":503}");
            sandbox.fault("{\"endpoint\":\"factSheets\",\"kind\":\"stall\",\"ms\":10000}");
            long interruptedAt = assertAnInterruptCancels(virtual, "a " + (virtual ? "virtual" : "platform") + " thread",
                () -> client.get(FACT_SHEETS),
                () -> assertTrue(retrying.await(10, TimeUnit.SECONDS), "the call got its 503 and is retrying"));
            // A virtual thread stops waiting as soon as the interrupt fires the handle; the native
            // call's callback (which ends its count) follows within the same bound.
            long ended = await(() -> client.callsInFlight() == 0, 5000, "the native call's callback ran");
            long sinceInterrupt = (System.nanoTime() - interruptedAt) / 1_000_000;
            assertTrue(ended == 0 || sinceInterrupt < CANCEL_BOUND_MS,
                "the native call ended " + sinceInterrupt + " ms after the interrupt");
            assertEquals(1, requests("factSheets", 503));
            assertEquals(0, requests("factSheets", 200), "nothing answered the cancelled call");
            sandbox.fault("{\"kind\":\"clear\"}");
            assertEquals(200, client.get(FACT_SHEETS + "?pageSize=1").status(), "the client goes on");
        }
    }

    /** @return how many of the binding's worker threads run a task now */
    private static int busyWorkers() {
        return ((java.util.concurrent.ThreadPoolExecutor) Threads.workers()).getActiveCount();
    }

    /** A blocking call of the client, for {@link #assertAnInterruptCancels}. */
    @FunctionalInterface
    private interface BlockingCall {
        Object run();
    }

    /** A wait of the test thread, for {@link #assertAnInterruptCancels}. */
    @FunctionalInterface
    private interface Wait {
        void await() throws Exception;
    }

    /**
     * Runs {@code call} on a new platform or virtual thread, interrupts that thread once
     * {@code inside} has returned (the call is inside the library then), and asserts that the call
     * threw the interrupt's CancelledException, with the thread's flag kept, within
     * {@link #CANCEL_BOUND_MS} of the interrupt.
     *
     * @return {@code System.nanoTime()} of the interrupt
     */
    private long assertAnInterruptCancels(boolean virtual, String what, BlockingCall call, Wait inside)
            throws Exception {
        AtomicReference<Object> outcome = new AtomicReference<>();
        AtomicLong caughtAt = new AtomicLong();
        AtomicReference<Boolean> flagKept = new AtomicReference<>();
        Runnable task = () -> {
            try {
                outcome.set(call.run());
            } catch (Throwable t) {
                caughtAt.set(System.nanoTime());
                flagKept.set(Thread.currentThread().isInterrupted());
                outcome.set(t);
            }
        };
        Thread t = virtual ? startVirtualThread(task) : new Thread(task, "interrupted-call");
        if (!virtual) {
            t.start();
        }
        inside.await();
        long interruptedAt = System.nanoTime();
        t.interrupt();
        t.join(10_000);
        assertFalse(t.isAlive(), what);
        CancelledException c = assertInstanceOf(CancelledException.class, outcome.get(), what);
        assertEquals(Status.LX_ERR_CANCELLED, c.code());
        assertTrue(c.getMessage().contains("interrupted"), c.getMessage());
        assertEquals(Boolean.TRUE, flagKept.get(), what + ": the interrupt flag is kept");
        long ms = (caughtAt.get() - interruptedAt) / 1_000_000;
        System.out.printf("%s: interrupt of %s to CancelledException: %d ms%n", backend(), what, ms);
        assertTrue(ms < CANCEL_BOUND_MS, what + ": returned " + ms + " ms after the interrupt");
        return interruptedAt;
    }

    @Test
    void aCallOnAnInterruptedThreadIsCancelledAtOnce() {
        try (LeanixClient client = builder().build()) {
            Thread.currentThread().interrupt();
            try {
                assertThrows(CancelledException.class, () -> client.get(FACT_SHEETS));
                assertThrows(CancelledException.class, () -> client.graphql("{ allFactSheets { totalCount } }"));
                assertTrue(Thread.currentThread().isInterrupted(), "the flag stays set");
            } finally {
                Thread.interrupted();
            }
            assertEquals(0, sandbox.tokenRequests(), "nothing went over the network");
        }
    }

    /**
     * accessToken(), claims() and apiOrigin() on a cold client (on a platform thread, or a virtual
     * one) each wait for the exchange they started, which a stall of the token endpoint holds (the
     * sandbox's {@code stalled} count says when it has arrived); an interrupt ends the call with
     * CancelledException within the bound of the other calls, its native call included (lx_*_with
     * with a cancel handle of the call's own); the exchange goes on for the client (still held)
     * until close() ends it, having made exactly one token request.
     */
    @ParameterizedTest(name = "virtual thread: {0}")
    @ValueSource(booleans = {false, true})
    void anInterruptCancelsATokenCall(boolean virtual) throws Exception {
        if (virtual) {
            assumeVirtualThreads();
        }
        Map<String, Function<LeanixClient, Object>> calls = new LinkedHashMap<>();
        calls.put("accessToken()", LeanixClient::accessToken);
        calls.put("claims()", LeanixClient::claims);
        calls.put("apiOrigin()", LeanixClient::apiOrigin);
        for (Map.Entry<String, Function<LeanixClient, Object>> each : calls.entrySet()) {
            String what = each.getKey() + " on a " + (virtual ? "virtual" : "platform") + " thread";
            await(() -> sandbox.stalled() == 0, 20_000, "no request of an earlier test is held by a stall");
            sandbox.reset();
            sandbox.fault("{\"endpoint\":\"token\",\"kind\":\"stall\",\"ms\":10000,\"times\":1}");
            await(() -> busyWorkers() == 0, 5000, "no worker thread runs a call of an earlier test");
            try (LeanixClient client = builder().build()) {
                long interruptedAt = assertAnInterruptCancels(virtual, what, () -> each.getValue().apply(client),
                    () -> await(() -> sandbox.stalled() == 1, 10_000, what + ": its exchange reached the token endpoint"));
                // A virtual thread's call ran on a worker thread: the interrupt ended that native
                // call too (before, the virtual thread gave up and left it waiting for the exchange).
                await(() -> busyWorkers() == 0, 5000, what + ": no worker thread is left in the native call");
                long ended = (System.nanoTime() - interruptedAt) / 1_000_000;
                assertTrue(ended < CANCEL_BOUND_MS, what + ": its native call ended " + ended + " ms after the interrupt");
                assertEquals(0, client.callsInFlight(), what);
                assertEquals(1, sandbox.stalled(), what + ": the exchange goes on for the client");
                assertEquals(1, sandbox.tokenRequests(), what);
            }
            await(() -> requests("token", 499) == 1, 5000, what + ": close() ended the held exchange");
            assertEquals(1, sandbox.tokenRequests(), what + ": exactly one token request");
            assertEquals(0, sandbox.tokenExchanges(), what);
        }
    }

    @Test
    void anInterruptEndsAPageWalk() throws Exception {
        interruptDuringAPageWalk();
    }

    /** On a virtual thread the page fetch is started (lx_graphql_pages_next_start) and parked on. */
    @Test
    void anInterruptEndsAPageWalkOnAVirtualThread() throws Exception {
        assumeVirtualThreads();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long offloaded = Threads.offloaded();
        Thread t = startVirtualThread(() -> {
            try {
                interruptDuringAPageWalk();
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        t.join(30_000);
        assertFalse(t.isAlive(), "the virtual thread ended");
        if (failure.get() != null) {
            throw new AssertionError("on a virtual thread", failure.get());
        }
        assertEquals(offloaded + 1, Threads.offloaded(), "only accessToken() ran on a worker, no page");
    }

    private void interruptDuringAPageWalk() throws Exception {
        CountDownLatch retrying = new CountDownLatch(1);
        try (LeanixClient client = builder().retryBaseDelay(Duration.ofMillis(1)).eventListener(e -> {
            if (e.kind() == LeanixEvent.Kind.RETRY) {
                retrying.countDown();
            }
        }).build()) {
            client.accessToken();
            String paged = "query($after: String) { allFactSheets(first: 10, after: $after) "
                + "{ pageInfo { hasNextPage endCursor } edges { node { id } } } }";
            try (GraphQlPages pages = client.graphqlPages(paged, null)) {
                assertTrue(pages.hasNext());
                pages.next();
                // The second page gets a 503, then a stalled server; its retry event says it is in flight.
                sandbox.fault("{\"endpoint\":\"graphql\",\"kind\":\"status\",\"status\":503}");
                sandbox.fault("{\"endpoint\":\"graphql\",\"kind\":\"stall\",\"ms\":10000}");
                Thread me = Thread.currentThread();
                AtomicLong interruptedAt = new AtomicLong();
                Thread interrupter = new Thread(() -> {
                    try {
                        if (retrying.await(10, TimeUnit.SECONDS)) {
                            interruptedAt.set(System.nanoTime());
                            me.interrupt();
                        }
                    } catch (InterruptedException ignored) {
                        // the test fails below
                    }
                });
                interrupter.start();
                long ms;
                try {
                    assertThrows(CancelledException.class, pages::hasNext);
                    ms = (System.nanoTime() - interruptedAt.get()) / 1_000_000;
                    assertTrue(Thread.currentThread().isInterrupted(), "the flag stays set");
                } finally {
                    Thread.interrupted();
                    interrupter.join();
                }
                System.out.printf("%s: interrupt to the end of a stalled page walk: %d ms%n", backend(), ms);
                assertTrue(ms < CANCEL_BOUND_MS, "the page call ended " + ms + " ms after the interrupt");
                assertFalse(pages.hasNext(), "the walk is over");
                assertEquals(1, pages.pagesFetched());
            }
        }
    }

    // ---------------------------------------------------------------- futures

    @Test
    void asyncCallsCompleteWithTheResultOnTheExecutor() throws Exception {
        try (LeanixClient client = builder().build()) {
            client.accessToken();
            // The server holds the answer back, so the stage is attached before the future completes.
            sandbox.fault("{\"endpoint\":\"factSheets\",\"kind\":\"stall\",\"ms\":500}");
            CompletableFuture<LeanixResponse> f = client.getAsync(FACT_SHEETS + "?pageSize=2");
            AtomicReference<String> thread = new AtomicReference<>();
            CompletableFuture<LeanixResponse> stage = f.thenApply(resp -> {
                thread.set(Thread.currentThread().getName());
                return resp;
            });
            assertFalse(f.isDone(), "the stage must be attached before the answer comes");
            LeanixResponse r = stage.get(10, TimeUnit.SECONDS);
            assertEquals(200, r.status());
            assertEquals(2, ((List<?>) Json.at(Json.parse(r.bodyAsString()), "data")).size());
            assertTrue(thread.get().startsWith("leanix-worker-"), "completed on the client's executor: " + thread.get());

            String data = client.graphqlAsync("{ allFactSheets(first: 1) { totalCount } }", null).get(10, TimeUnit.SECONDS);
            assertTrue(Json.at(Json.parse(data), "allFactSheets", "totalCount") instanceof Number, data);

            ExecutionException e = assertThrows(ExecutionException.class, () -> client.requestAsync("POST", FACT_SHEETS,
                java.util.Map.of("Content-Type", "application/json"), "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .get(10, TimeUnit.SECONDS));
            HttpException http = assertInstanceOf(HttpException.class, e.getCause());
            assertEquals(400, http.response().status());
            assertEquals(1, sandbox.tokenExchanges());
            assertEquals(0, client.callsInFlight());
        }
    }

    @Test
    void cancellingAFutureCancelsTheNativeCall() throws Exception {
        try (LeanixClient client = builder().build()) {
            client.accessToken();
            sandbox.fault("{\"endpoint\":\"factSheets\",\"kind\":\"stall\",\"ms\":10000,\"times\":3}");
            CompletableFuture<LeanixResponse> f = client.getAsync(FACT_SHEETS);
            assertEquals(1, client.callsInFlight());
            long start = System.nanoTime();
            assertTrue(f.cancel(true));
            assertTrue(f.isCancelled());
            long ms = await(() -> client.callsInFlight() == 0, 5000, "the native call's callback ran");
            System.out.printf("%s: cancel(true) to the native call's callback: %d ms%n", backend(), ms);
            assertTrue(ms < CANCEL_BOUND_MS, "the native call ended " + ms + " ms after cancel(true), not after the stall");
            assertThrows(java.util.concurrent.CancellationException.class, f::join);
            assertEquals(0, requests("factSheets", 200));
            assertTrue((System.nanoTime() - start) / 1_000_000 < 5000);
            sandbox.fault("{\"kind\":\"clear\"}");
            assertEquals(200, client.getAsync(FACT_SHEETS + "?pageSize=1").get(10, TimeUnit.SECONDS).status(),
                "the fired handle is not reused: the next call goes through");
        }
    }

    @Test
    void callbacksRunOnceWhenTheClientIsClosedWithCallsInFlight() throws Exception {
        LeanixClient client = builder().build();
        client.accessToken();
        sandbox.fault("{\"endpoint\":\"factSheets\",\"kind\":\"stall\",\"ms\":15000,\"times\":20}");
        sandbox.fault("{\"endpoint\":\"graphql\",\"kind\":\"stall\",\"ms\":15000,\"times\":5}");
        long strayBefore = Completions.stray();
        AtomicInteger completions = new AtomicInteger();
        List<CompletableFuture<?>> futures = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            futures.add(client.getAsync(FACT_SHEETS).whenComplete((r, t) -> completions.incrementAndGet()));
        }
        for (int i = 0; i < 5; i++) {
            futures.add(client.graphqlAsync("{ allFactSheets { totalCount } }", null)
                .whenComplete((r, t) -> completions.incrementAndGet()));
        }
        assertEquals(25, client.callsInFlight());
        long start = System.nanoTime();
        client.close();
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals(0, client.callsInFlight(), "close() returned after every callback had run");
        assertTrue(ms < 5000, "close() took " + ms + " ms");
        for (CompletableFuture<?> f : futures) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
            assertInstanceOf(CancelledException.class, e.getCause());
        }
        assertEquals(25, completions.get(), "each future completed once");
        assertEquals(strayBefore, Completions.stray(), "no callback came twice or for an unknown call");
        assertThrows(IllegalStateException.class, () -> client.getAsync(FACT_SHEETS));
    }

    // ---------------------------------------------------------------- virtual threads

    @Test
    void threeHundredVirtualThreadsParkAndShareOneExchange() throws Exception {
        assumeVirtualThreads();
        int n = 300;
        long latencyMs = 50;
        sandbox.fault("{\"endpoint\":\"factSheets\",\"kind\":\"latency\",\"ms\":" + latencyMs + "}");
        try (LeanixClient client = builder().build()) {
            CountDownLatch done = new CountDownLatch(n);
            AtomicInteger ok = new AtomicInteger();
            ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                startVirtualThread(() -> {
                    try {
                        if (client.get(FACT_SHEETS + "?pageSize=1").status() == 200) {
                            ok.incrementAndGet();
                        }
                    } catch (Throwable t) {
                        failures.add(t);
                    } finally {
                        done.countDown();
                    }
                });
            }
            assertTrue(done.await(60, TimeUnit.SECONDS));
            long ms = (System.nanoTime() - start) / 1_000_000;
            System.out.printf("%s: %d virtual threads, %d ms latency: %d ms%n", backend(), n, latencyMs, ms);
            assertEquals(List.of(), new ArrayList<>(failures));
            assertEquals(n, ok.get());
            assertEquals(1, sandbox.tokenExchanges(), "300 virtual threads on a cold client: one exchange");
            assertEquals(n, requests("factSheets", 200));
            // Pinned virtual threads would hold their carriers for each call: at least
            // ceil(n / carriers) sequential latencies, however fast the machine (a lower bound, so
            // a loaded machine cannot make a pinned run pass). The build runs tests with 2 carriers.
            int carriers = Integer.getInteger("jdk.virtualThreadScheduler.parallelism",
                Runtime.getRuntime().availableProcessors());
            long pinnedAtLeast = (n + carriers - 1) / carriers * latencyMs;
            assertTrue(ms < pinnedAtLeast, "300 calls took " + ms + " ms; pinned they would take at least "
                + pinnedAtLeast + " ms with " + carriers + " carriers");
        } finally {
            sandbox.fault("{\"endpoint\":\"factSheets\",\"kind\":\"latency\",\"ms\":0}");
        }
    }

    @Test
    void fiftyVirtualThreadsWalkPagesWithoutWorkerThreads() throws Exception {
        assumeVirtualThreads();
        int n = 50;
        int size = 100;
        // The applications only, so that 50 walks stay light for the debug sandbox; several pages each.
        String paged = "query($after: String) { allFactSheets(first: " + size + ", after: $after, "
            + "factSheetType: Application) { pageInfo { hasNextPage endCursor } edges { node { id } } } }";
        String list = FACT_SHEETS + "?type=Application&pageSize=" + size;
        try (LeanixClient client = builder().build()) {
            long total = ((Number) Json.at(Json.parse(client.graphql(
                "{ allFactSheets(factSheetType: Application) { totalCount } }")), "allFactSheets", "totalCount")).longValue();
            long restTotal = ((Number) Json.parseObject(client.get(list).bodyAsString()).get("total")).longValue();
            long pages = (total + size - 1) / size;
            long restPages = (restTotal + size - 1) / size;
            assertTrue(pages >= 2 && restPages >= 2, total + " and " + restTotal + " applications: several pages");
            sandbox.reset();
            long offloaded = Threads.offloaded();
            long start = System.nanoTime();
            CountDownLatch done = new CountDownLatch(n);
            ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<String> walks = new ConcurrentLinkedQueue<>();
            for (int i = 0; i < n; i++) {
                boolean rest = i % 2 == 1;
                startVirtualThread(() -> {
                    try {
                        long items = 0;
                        int fetched;
                        if (rest) {
                            try (RestPages walk = client.restPages(list)) {
                                while (walk.hasNext()) {
                                    items += ((List<?>) Json.parseObject(walk.next()).get("data")).size();
                                }
                                fetched = walk.pagesFetched();
                            }
                        } else {
                            try (GraphQlPages walk = client.graphqlPages(paged, null)) {
                                while (walk.hasNext()) {
                                    items += ((List<?>) Json.at(Json.parse(walk.next()), "allFactSheets", "edges")).size();
                                }
                                fetched = walk.pagesFetched();
                            }
                        }
                        walks.add((rest ? "rest " : "graphql ") + fetched + " pages, " + items + " items");
                    } catch (Throwable t) {
                        failures.add(t);
                    } finally {
                        done.countDown();
                    }
                });
            }
            assertTrue(done.await(50, TimeUnit.SECONDS), "the walks ended");
            System.out.printf("%s: %d virtual threads walked %d + %d pages each: %d ms%n", backend(), n, pages, restPages,
                (System.nanoTime() - start) / 1_000_000);
            assertEquals(List.of(), new ArrayList<>(failures));
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                expected.add(i % 2 == 1 ? "rest " + restPages + " pages, " + restTotal + " items"
                    : "graphql " + pages + " pages, " + total + " items");
            }
            List<String> got = new ArrayList<>(walks);
            expected.sort(null);
            got.sort(null);
            assertEquals(expected, got);
            assertEquals(n / 2 * pages, requests("graphql", 200), "each GraphQL walk fetched exactly its pages");
            assertEquals(n / 2 * restPages, requests("factSheets", 200), "each REST walk fetched exactly its pages");
            assertEquals(offloaded, Threads.offloaded(),
                "no page was fetched on a leanix-worker thread: the virtual threads parked on lx_*_pages_next_start");
        }
    }

    // ---------------------------------------------------------------- events and callbacks

    @Test
    void eventsReachTheListenerAndTheSystemLogger() {
        Logger jul = Logger.getLogger(LeanixEvent.LOGGER_NAME); // strong reference: JUL keeps loggers weakly
        List<LogRecord> records = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        Level before = jul.getLevel();
        jul.setLevel(Level.ALL);
        jul.addHandler(handler);
        try {
            List<LeanixEvent> events = new CopyOnWriteArrayList<>();
            sandbox.fault("{\"endpoint\":\"factSheets\",\"kind\":\"status\",\"status\":503}");
            String token;
            try (LeanixClient client = builder().retryBaseDelay(Duration.ofMillis(1)).eventListener(events::add).build()) {
                assertEquals(200, client.get(FACT_SHEETS + "?pageSize=1").status());
                token = client.accessToken();
            }
            List<LeanixEvent.Kind> kinds = new ArrayList<>();
            events.forEach(e -> kinds.add(e.kind()));
            assertEquals(List.of(LeanixEvent.Kind.TOKEN_FETCHED, LeanixEvent.Kind.RETRY), kinds, events.toString());
            LeanixEvent retry = events.get(1);
            assertEquals("503", retry.details().get("reason"));
            assertEquals("api", retry.details().get("target"));
            assertEquals(1L, retry.details().get("attempt"));

            List<String> logged = new ArrayList<>();
            for (LogRecord r : records) {
                logged.add(r.getLevel() + " " + r.getMessage());
            }
            assertTrue(logged.stream().anyMatch(l -> l.startsWith("INFO retry: api attempt 1 failed (503)")), logged.toString());
            assertTrue(logged.stream().anyMatch(l -> l.startsWith("FINE token fetched")), logged.toString());
            for (String l : logged) {
                assertFalse(l.contains(token) || l.contains(sandbox.adminToken()), "no credential in the log: " + l);
            }
            for (LeanixEvent e : events) {
                assertFalse(e.detailsJson().contains(token), e.toString());
            }

            records.clear();
            try (LeanixClient quiet = builder().logEvents(false).build()) {
                quiet.get(FACT_SHEETS + "?pageSize=1");
            }
            assertEquals(List.of(), new ArrayList<>(records), "logEvents(false) logs nothing");
        } finally {
            jul.removeHandler(handler);
            jul.setLevel(before);
        }
    }

    @Test
    void blockingCallsFromCallbacksFailInsteadOfHanging() throws Exception {
        AtomicReference<LeanixClient> self = new AtomicReference<>();
        AtomicReference<Throwable> fromListener = new AtomicReference<>();
        try (LeanixClient client = builder().eventListener(e -> {
            if (e.kind() == LeanixEvent.Kind.TOKEN_FETCHED) {
                try {
                    self.get().get(FACT_SHEETS);
                } catch (Throwable t) {
                    fromListener.set(t);
                }
            }
        }).build()) {
            self.set(client);
            assertEquals(200, client.get(FACT_SHEETS + "?pageSize=1").status());
            RecursiveCallException r = assertInstanceOf(RecursiveCallException.class, fromListener.get());
            assertEquals(Status.LX_ERR_RECURSIVE_CALL, r.code());
        }
        try (LeanixClient inPlace = builder().executor(Runnable::run).build()) {
            inPlace.accessToken();
            // The server holds the answer back, so the stage is attached before the future completes
            // and runs where it completes: on the library's I/O thread, inside the callback.
            sandbox.fault("{\"endpoint\":\"factSheets\",\"kind\":\"stall\",\"ms\":500}");
            CompletableFuture<LeanixResponse> first = inPlace.getAsync(FACT_SHEETS + "?pageSize=1");
            CompletableFuture<LeanixResponse> chained = first.thenApply(resp -> inPlace.get(FACT_SHEETS + "?pageSize=1"));
            assertFalse(first.isDone(), "the stage must be attached before the answer comes");
            ExecutionException e = assertThrows(ExecutionException.class, () -> chained.get(10, TimeUnit.SECONDS));
            assertInstanceOf(RecursiveCallException.class, e.getCause());
            // Starting an asynchronous call from there is fine.
            assertEquals(200, inPlace.getAsync(FACT_SHEETS + "?pageSize=1")
                .thenCompose(resp -> inPlace.getAsync(FACT_SHEETS + "?pageSize=1"))
                .get(10, TimeUnit.SECONDS).status());
        }
    }
}
