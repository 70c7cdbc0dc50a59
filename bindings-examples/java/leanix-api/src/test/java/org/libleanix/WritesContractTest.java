package org.libleanix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * LDIF runs ({@code lx_ldif_run}) and fact-sheet writes ({@code lx_update_fact_sheet}) through the
 * binding (issue 19), against a real {@code lx-sandbox}, for every backend: typed results,
 * {@link RunFailedException} with the run, a deadline with the run's id, REVISION_CLASH retried
 * with exactly one re-read per clash (GraphQL requests counted by the sandbox), a run started
 * without waiting followed by its id ({@code lx_ldif_wait}, blocking, asynchronous and on a
 * virtual thread), and the README's bulk-write example, which this class runs as written.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class WritesContractTest extends SandboxTestBase {
    private static String ldif(String direction, String content) {
        return "{\"connectorType\":\"javaTest\",\"connectorId\":\"java-1\",\"connectorVersion\":\"1.0.0\","
            + "\"lxVersion\":\"1.0.0\",\"description\":\"java test\",\"processingDirection\":\"" + direction + "\","
            + "\"processingMode\":\"partial\",\"content\":" + content + "}";
    }

    private static long stat(String key) {
        return ((Number) sandbox.stats().get(key)).longValue();
    }

    private static long integrationRequests() {
        Object byStatus = Json.at(sandbox.stats(), "requests", "integration");
        long n = 0;
        if (byStatus instanceof Map) {
            for (Object v : ((Map<?, ?>) byStatus).values()) {
                n += ((Number) v).longValue();
            }
        }
        return n;
    }

    /** What two results of the same run must agree on. */
    private static String summary(RunResult r) {
        return r.id() + " " + r.status() + " polls=" + r.polls() + " processed=" + r.processedContentCount()
            + " warnings=" + r.warnings() + " results=" + r.resultsJson();
    }

    private static String firstApplication(LeanixClient client) {
        String data = client.graphql("{ allFactSheets(first: 1, filter: {facetFilters: [{facetKey: \"FactSheetTypes\", "
            + "keys: [\"Application\"]}]}) { edges { node { id } } } }");
        return (String) Json.at(Json.parse(data), "allFactSheets", "edges", 0, "node", "id");
    }

    @BeforeEach
    void runsEndAtOnce() {
        sandbox.call("POST", "/_sandbox/integration", "{\"sync_run_state_ms\":0,\"sync_run_manual\":false}");
    }

    @AfterEach
    void clearFaults() {
        sandbox.call("DELETE", "/_sandbox/faults", null);
    }

    @Test
    void aRunReturnsATypedResult() {
        try (LeanixClient client = builder().build()) {
            String content = "[{\"type\":\"Application\",\"id\":\"java-a\",\"data\":{\"name\":\"Java App\"}},"
                + "{\"type\":\"NoSuchType\",\"id\":\"java-b\",\"data\":{\"name\":\"x\"}}]";
            RunResult run = client.integration().run(ldif("inbound", content));
            assertEquals("FINISHED", run.status());
            assertEquals(1, run.polls());
            assertTrue(run.succeeded(), run.toString());
            assertEquals(1, run.processedContentCount(), "the applied item; the NoSuchType one was skipped");
            assertEquals(1, run.warnings().size());
            assertEquals("WARNING", run.warnings().get(0).get("status"));
            assertFalse(run.resultsJson().isPresent());
            assertEquals(1, stat("writes"));
            assertEquals(4, integrationRequests(), "create, one poll, progress, one warnings page");

            RunResult test = client.integration().run(ldif("inbound", content), true, true, null);
            assertTrue(test.succeeded());
            assertEquals(1, stat("writes"), "a test run changes nothing");

            RunResult out = client.integration().run(ldif("outbound", "[]"));
            Object results = Json.parse(out.resultsJson().orElseThrow());
            assertEquals("java-1", Json.at(results, "connectorId"));
        }
    }

    @Test
    void aFailedRunThrowsWithItsResult() {
        sandbox.fault("{\"endpoint\":\"integration\",\"kind\":\"sync_run_fail\"}");
        try (LeanixClient client = builder().build()) {
            RunFailedException e = assertThrows(RunFailedException.class,
                () -> client.integration().run(ldif("inbound", "[]")));
            assertEquals(Status.LX_ERR_RUN_FAILED, e.code());
            assertEquals("LX_ERR_RUN_FAILED", e.statusName());
            RunResult run = e.run().orElseThrow();
            assertEquals("FAILED", run.status());
            assertEquals(1, run.errors().size());
            assertEquals("LDIF run " + run.id() + " ended FAILED (1 ERROR warning(s)): "
                + "The synchronization run failed (a fault injected by the sandbox)", e.getMessage());
            assertEquals(0, stat("writes"));
            assertNoSecret(e);
        }
    }

    @Test
    void noWaitAndADeadlineWhilePending() {
        sandbox.call("POST", "/_sandbox/integration", "{\"sync_run_manual\":true}");
        try (LeanixClient client = builder().build()) {
            RunResult started = client.integration().run(ldif("inbound", "[]"), false, false, null);
            assertEquals("PENDING", started.status());
            assertEquals(1, started.polls());
            assertFalse(started.progress().isPresent());
            sandbox.reset();
            TimeoutException e = assertThrows(TimeoutException.class,
                () -> client.integration().run(ldif("inbound", "[]"), false, true, Duration.ofMillis(300)));
            assertEquals("PENDING", e.run().orElseThrow().status());
            assertTrue(e.getMessage().contains("did not end within its deadline of 300 ms"), e.getMessage());
            assertEquals(2, integrationRequests(), "create and the one poll before the deadline");
            assertThrows(InvalidArgumentException.class, () -> client.integration().run("{\"connectorType\":\"x\"}"));
        } finally {
            sandbox.call("POST", "/_sandbox/integration/advance", null);
        }
    }

    @Test
    void aRunStartedWithoutWaitingIsFollowedByItsId() throws Exception {
        sandbox.call("POST", "/_sandbox/integration", "{\"sync_run_manual\":true}");
        try (LeanixClient client = builder().build()) {
            String content = "[{\"type\":\"Application\",\"id\":\"java-wait\",\"data\":{\"name\":\"Java Wait App\"}}]";
            RunResult started = client.integration().run(ldif("inbound", content), false, false, null);
            assertEquals("PENDING", started.status());

            sandbox.reset();
            RunResult now = client.integration().wait(started.id(), false, false, null);
            assertEquals(started.id(), now.id());
            assertEquals("PENDING", now.status());
            assertEquals(1, now.polls());
            assertEquals(1, integrationRequests(), "one status request");

            TimeoutException late = assertThrows(TimeoutException.class,
                () -> client.integration().wait(started.id(), true, false, Duration.ofMillis(200)));
            assertEquals(started.id(), late.run().orElseThrow().id());
            assertEquals("PENDING", late.run().orElseThrow().status());
            assertTrue(late.getMessage().contains("did not end within its deadline of 200 ms"), late.getMessage());

            while (((Number) Json.at(Json.parse(sandbox.call("POST", "/_sandbox/integration/advance", null)),
                    "advanced")).longValue() > 0) {
                // the run goes on to its end, one state a call
            }
            assertEquals(1, stat("writes"), "its content applied");
            sandbox.reset();
            RunResult run = client.integration().wait(started.id());
            assertEquals(started.id(), run.id());
            assertEquals("FINISHED", run.status());
            assertEquals(1, run.polls());
            assertEquals(1, run.processedContentCount());
            assertFalse(run.resultsJson().isPresent());
            assertTrue(run.succeeded(), run.toString());
            assertEquals(3, integrationRequests(), "one status poll, progress, one warnings page");

            RunResult later = client.integration().waitAsync(started.id(), true, false, null).get(30, TimeUnit.SECONDS);
            assertEquals(summary(run), summary(later));
            assertEquals(6, integrationRequests(), "the asynchronous wait made the same 3 requests");

            if (hasVirtualThreads()) {
                long offloaded = Threads.offloaded();
                java.util.concurrent.atomic.AtomicReference<Object> onVirtual = new java.util.concurrent.atomic.AtomicReference<>();
                Thread t = startVirtualThread(() -> {
                    try {
                        onVirtual.set(summary(client.integration().wait(started.id())));
                    } catch (Throwable e) {
                        onVirtual.set(e);
                    }
                });
                t.join(30_000);
                assertEquals(summary(run), onVirtual.get(), "the same result on a virtual thread");
                assertEquals(offloaded, Threads.offloaded(), "it parked on lx_ldif_wait_start, no worker thread");
            }

            sandbox.reset();
            NotFoundException unknown = assertThrows(NotFoundException.class,
                () -> client.integration().wait("00000000-0000-0000-0000-000000000000"));
            assertEquals(404, unknown.httpStatus().orElse(0));
            assertEquals(1, integrationRequests(), "one status request, answered 404 (not retried)");
            java.util.concurrent.ExecutionException unknownAsync = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> client.integration().waitAsync("00000000-0000-0000-0000-000000000000", true, false, null)
                    .get(30, TimeUnit.SECONDS));
            assertEquals(NotFoundException.class, unknownAsync.getCause().getClass());
            assertThrows(InvalidArgumentException.class, () -> client.integration().wait(""));
            assertThrows(NullPointerException.class, () -> client.integration().wait(null));
        } finally {
            sandbox.call("POST", "/_sandbox/integration/advance", null);
        }
    }

    @Test
    void anOutboundRunWaitedByIdBringsItsResults() {
        try (LeanixClient client = builder().build()) {
            RunResult started = client.integration().run(ldif("outbound", "[]"), false, false, null);
            RunResult without = client.integration().wait(started.id());
            assertEquals("FINISHED", without.status());
            assertFalse(without.resultsJson().isPresent(), "results only when asked for");
            RunResult run = client.integration().wait(started.id(), true, true, null);
            assertEquals("java-1", Json.at(Json.parse(run.resultsJson().orElseThrow()), "connectorId"));
        }
    }

    @Test
    void anUpdateRetriesARevisionClashOncePerClash() {
        try (LeanixClient client = builder().build()) {
            String id = firstApplication(client);
            sandbox.reset();
            sandbox.fault("{\"endpoint\":\"graphql\",\"kind\":\"concurrent_edit\",\"times\":2}");
            String fs = client.updateFactSheet(id, "[{\"op\":\"replace\",\"path\":\"/description\",\"value\":\"from Java\"},"
                + "{\"op\":\"replace\",\"path\":\"/lifecycle\",\"value\":{\"phases\":[{\"phase\":\"active\","
                + "\"startDate\":\"2024-01-01\"}]}}]", "java test", false, null);
            assertEquals("from Java", Json.at(Json.parse(fs), "description"));
            assertEquals(6, requests("graphql", 200), "1 read + 2 re-reads, 3 writes");
            assertEquals(1, stat("writes"));

            sandbox.reset();
            sandbox.fault("{\"endpoint\":\"graphql\",\"kind\":\"concurrent_edit\",\"times\":20}");
            GraphQlException clash = assertThrows(GraphQlException.class,
                () -> client.updateFactSheet(id, "[{\"op\":\"replace\",\"path\":\"/alias\",\"value\":\"x\"}]"));
            assertEquals("REVISION_CLASH", clash.errors().get(0).errorType().orElse(null));
            assertEquals(8, requests("graphql", 200), "4 reads and 4 writes, then the clash");
            sandbox.call("DELETE", "/_sandbox/faults", null);

            String preview = client.updateFactSheet(id, "[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"Preview\"}]",
                null, true, null);
            assertEquals("Preview", Json.at(Json.parse(preview), "name"));
            assertThrows(InvalidArgumentException.class,
                () -> client.updateFactSheet(id, "[{\"op\":\"set\",\"path\":\"/name\"}]"));
        }
    }

    /** Runs a call on a new virtual thread and returns its result or what it threw. */
    private static Object onVirtualThread(java.util.function.Supplier<Object> call) throws InterruptedException {
        AtomicReference<Object> outcome = new AtomicReference<>();
        Thread t = startVirtualThread(() -> {
            try {
                outcome.set(call.get());
            } catch (Throwable e) {
                outcome.set(e);
            }
        });
        t.join(30_000);
        assertFalse(t.isAlive(), "the virtual thread ended");
        return outcome.get();
    }

    /**
     * On a virtual thread a write is started ({@code lx_update_fact_sheet_start}) and parked on,
     * as a run is: no worker thread; its clash retries and its GraphQL errors are the blocking
     * call's.
     */
    @Test
    void anUpdateOnAVirtualThreadParksOnItsStart() throws Exception {
        assumeVirtualThreads();
        try (LeanixClient client = builder().build()) {
            String id = firstApplication(client);
            long offloaded = Threads.offloaded();
            sandbox.reset();
            sandbox.fault("{\"endpoint\":\"graphql\",\"kind\":\"concurrent_edit\",\"times\":1}");
            Object written = onVirtualThread(() -> client.updateFactSheet(id,
                "[{\"op\":\"replace\",\"path\":\"/description\",\"value\":\"from a virtual thread\"}]",
                "java test", false, null));
            assertTrue(written instanceof String, String.valueOf(written));
            assertEquals("from a virtual thread", Json.at(Json.parse((String) written), "description"));
            assertEquals(4, requests("graphql", 200), "1 read + 1 re-read, 2 writes");
            assertEquals(1, stat("writes"));

            sandbox.reset();
            sandbox.fault("{\"endpoint\":\"graphql\",\"kind\":\"concurrent_edit\",\"times\":20}");
            Object refused = onVirtualThread(() -> client.updateFactSheet(id,
                "[{\"op\":\"replace\",\"path\":\"/alias\",\"value\":\"x\"}]"));
            GraphQlException clash = assertInstanceOf(GraphQlException.class, refused);
            assertEquals("REVISION_CLASH", clash.errors().get(0).errorType().orElse(null),
                "the GraphQL errors came with the completion");
            assertEquals(8, requests("graphql", 200), "4 reads and 4 writes, then the clash");
            assertEquals(0, stat("writes"));

            assertEquals(offloaded, Threads.offloaded(), "it parked on lx_update_fact_sheet_start, no worker thread");
            assertEquals(0, client.callsInFlight());
        }
    }

    /**
     * updateFactSheetAsync: the same write as updateFactSheet (one clash: one re-read, two
     * writes), delivered through the future; a final clash and a bad patch list fail it with the
     * exceptions the blocking call throws, the bad list without a request.
     */
    @Test
    void anAsyncUpdateCompletesItsFuture() throws Exception {
        try (LeanixClient client = builder().build()) {
            String id = firstApplication(client);
            sandbox.reset();
            sandbox.fault("{\"endpoint\":\"graphql\",\"kind\":\"concurrent_edit\",\"times\":1}");
            FactSheet fs = client.updateFactSheetAsync(id, List.of(Patch.replace("/description", "async from Java")),
                "java test", false, Duration.ofSeconds(10)).get(20, TimeUnit.SECONDS);
            assertEquals(id, fs.id());
            assertEquals(Optional.of("async from Java"), fs.description());
            assertEquals(4, requests("graphql", 200), "1 read + 1 re-read, 2 writes");
            assertEquals(1, stat("writes"));

            sandbox.reset();
            sandbox.fault("{\"endpoint\":\"graphql\",\"kind\":\"concurrent_edit\",\"times\":20}");
            java.util.concurrent.ExecutionException clash = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> client.updateFactSheetAsync(id, "[{\"op\":\"replace\",\"path\":\"/alias\",\"value\":\"x\"}]",
                    null, false, null).get(20, TimeUnit.SECONDS));
            GraphQlException graphQl = assertInstanceOf(GraphQlException.class, clash.getCause());
            assertEquals("REVISION_CLASH", graphQl.errors().get(0).errorType().orElse(null));
            assertEquals(8, requests("graphql", 200), "4 reads and 4 writes, then the clash");

            sandbox.reset();
            java.util.concurrent.ExecutionException bad = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> client.updateFactSheetAsync(id, "{\"op\":\"replace\"}", null, false, null)
                    .get(20, TimeUnit.SECONDS));
            assertInstanceOf(InvalidArgumentException.class, bad.getCause());
            assertTrue(bad.getCause().getMessage().contains("patches must be a JSON list"), bad.getCause().getMessage());
            assertEquals(0, requests("graphql", 200), "a bad patch list sends nothing");
            assertThrows(IllegalArgumentException.class,
                () -> client.updateFactSheetAsync(id, List.of(), null, false, null));
            assertEquals(0, client.callsInFlight());
        }
    }

    /**
     * revisionClashRetries: against a clash on every write, exactly 1 + n reads and writes,
     * blocking and async; out of range refused without a request.
     */
    @Test
    void revisionClashRetriesBoundTheRereads() throws Exception {
        try (LeanixClient client = builder().build()) {
            String id = firstApplication(client);
            List<Patch> patch = List.of(Patch.replace("/alias", "x"));
            for (int n : new int[] {0, 1, 10}) {
                sandbox.reset();
                sandbox.fault("{\"endpoint\":\"graphql\",\"kind\":\"concurrent_edit\",\"times\":20}");
                GraphQlException clash = assertThrows(GraphQlException.class,
                    () -> client.updateFactSheet(id, patch, null, false, n, null));
                assertEquals("REVISION_CLASH", clash.errors().get(0).errorType().orElse(null));
                assertEquals(2 * (1 + n), requests("graphql", 200), "retries " + n);
            }
            sandbox.reset();
            sandbox.fault("{\"endpoint\":\"graphql\",\"kind\":\"concurrent_edit\",\"times\":20}");
            java.util.concurrent.ExecutionException async = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> client.updateFactSheetAsync(id, patch, null, false, 2, Duration.ofSeconds(10))
                    .get(20, TimeUnit.SECONDS));
            assertInstanceOf(GraphQlException.class, async.getCause());
            assertEquals(6, requests("graphql", 200), "async, 2 retries");

            sandbox.reset();
            InvalidArgumentException high = assertThrows(InvalidArgumentException.class,
                () -> client.updateFactSheet(id, patch, null, false, 11, null));
            assertTrue(high.getMessage().contains("revision_clash_retries must be between 0 and 10"), high.getMessage());
            assertThrows(InvalidArgumentException.class, () -> client.updateFactSheet(id, patch, null, false, -1, null));
            java.util.concurrent.ExecutionException negative = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> client.updateFactSheetAsync(id, patch, null, false, -1, null).get(20, TimeUnit.SECONDS));
            assertInstanceOf(InvalidArgumentException.class, negative.getCause());
            assertEquals(0, requests("graphql", 200), "nothing sent");
        }
    }

    @Test
    void typedPatchesCreateUpdateArchive() {
        try (LeanixClient client = builder().build()) {
            String created = client.graphql("mutation { createFactSheet(input: {name: \"Typed Java\", type: Application}) "
                + "{ factSheet { id rev } } }");
            String id = (String) Json.at(Json.parse(created), "createFactSheet", "factSheet", "id");
            sandbox.reset();

            Map<String, Object> lifecycle = Map.of("phases",
                List.of(Map.of("phase", "plan", "startDate", "2023-01-01"), Map.of("phase", "active", "startDate", "2024-01-01")));
            FactSheet fs = client.updateFactSheet(id, List.of(
                Patch.replace("/description", "typed from Java"),
                Patch.replace("/lifecycle", lifecycle),
                Patch.add("/tags", List.of(Map.of("tagName", "GDPR"))),
                Patch.replace("/name", "Typed Java 2")));
            assertEquals(id, fs.id());
            assertEquals(2, fs.rev(), "created at rev 1, one write");
            assertEquals("Application", fs.type());
            assertEquals("Typed Java 2", fs.name());
            assertEquals(Optional.of("typed from Java"), fs.description());
            assertEquals("ACTIVE", fs.status());
            assertEquals(2, requests("graphql", 200), "one read of rev, one write");
            assertEquals(1, stat("writes"));
            // What LeanIX stores: the lifecycle and the tags arrived as JSON inside a string.
            String stored = client.graphql("query($id: ID!) { factSheet(id: $id) { ... on Application { "
                + "lifecycle { asString } } tags { name } } }", "{\"id\":" + Json.quote(id) + "}");
            assertEquals("active", Json.at(Json.parse(stored), "factSheet", "lifecycle", "asString"), stored);
            assertEquals("GDPR", Json.at(Json.parse(stored), "factSheet", "tags", 0, "name"), stored);

            FactSheet preview = client.updateFactSheet(id, List.of(Patch.remove("/description")), null, true, null);
            assertEquals("", preview.description().orElse(""), "removed in the preview");
            assertEquals(1, stat("writes"), "validateOnly stores nothing");

            GraphQlException noComment = assertThrows(GraphQlException.class,
                () -> client.updateFactSheet(id, List.of(Patch.archive())));
            assertTrue(noComment.getMessage().contains("requires a comment"), noComment.getMessage());
            FactSheet archived = client.updateFactSheet(id, List.of(Patch.archive()), "retired", false,
                Duration.ofSeconds(10));
            assertEquals("ARCHIVED", archived.status());
            assertEquals(3, archived.rev());
            assertEquals(2, stat("writes"));
        }
        // The encoding itself: strings as they are, maps and lists as JSON inside the string.
        assertEquals("{\"op\":\"replace\",\"path\":\"/tags\",\"value\":\"[{\\\"tagName\\\":\\\"A \\\\\\\"B\\\\\\\"\\\"}]\"}",
            Patch.replace("/tags", List.of(Map.of("tagName", "A \"B\""))).toJson());
        assertEquals(Optional.of("3"), Patch.add("/n", 3).value());
        assertEquals("{\"op\":\"remove\",\"path\":\"/alias\"}", Patch.remove("/alias").toJson());
        assertThrows(IllegalArgumentException.class, () -> Patch.replace("name", "x"));
        assertThrows(IllegalArgumentException.class, () -> Patch.replace("/x", new Object()));
        assertThrows(IllegalArgumentException.class, () -> Patch.replace("/x", null));
        assertThrows(IllegalArgumentException.class, () -> Patch.replace("/x", Map.of(1, "one")));
    }

    @Test
    void asynchronousRunsCompleteWithTheSameResult() throws Exception {
        try (LeanixClient client = builder().build()) {
            List<java.util.concurrent.CompletableFuture<RunResult>> runs = new java.util.ArrayList<>();
            for (int i = 0; i < 5; i++) {
                runs.add(client.integration().runAsync(ldif("inbound", "[]"), true, true, null));
            }
            java.util.Set<String> ids = new java.util.HashSet<>();
            for (java.util.concurrent.CompletableFuture<RunResult> f : runs) {
                RunResult r = f.get(30, TimeUnit.SECONDS);
                assertEquals("FINISHED", r.status());
                ids.add(r.id());
            }
            assertEquals(5, ids.size());
            sandbox.fault("{\"endpoint\":\"integration\",\"kind\":\"sync_run_fail\"}");
            java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> client.integration().runAsync(ldif("inbound", "[]"), false, true, null).get(30, TimeUnit.SECONDS));
            RunFailedException failed = (RunFailedException) e.getCause();
            assertEquals("FAILED", failed.run().orElseThrow().status());
            assertEquals(24, integrationRequests(), "4 requests for each of the 6 runs");
        }
    }

    @Test
    void aViewerIsRefused() {
        try (LeanixClient viewer = builder().apiToken(sandbox.viewerToken()).build()) {
            String id = firstApplication(viewer);
            assertThrows(GraphQlException.class,
                () -> viewer.updateFactSheet(id, "[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"x\"}]"));
            assertThrows(ForbiddenException.class, () -> viewer.integration().run(ldif("inbound", "[]")));
            assertEquals(0, stat("writes"));
        }
    }

    // The README's bulk-write example ("Writes and LDIF runs"), verbatim between the markers.
    static List<String> readmeBulkWrite(LeanixClient client) {
        // README:begin
        StringBuilder content = new StringBuilder("[");
        for (int i = 0; i < 300; i++) {
            content.append(i == 0 ? "" : ",").append("{\"type\":\"Application\",\"id\":\"billing-").append(i)
                .append("\",\"data\":{\"name\":\"Billing Service ").append(i).append("\"}}");
        }
        String ldif = "{\"connectorType\":\"bulkImport\",\"connectorId\":\"billing\",\"connectorVersion\":\"1.0.0\","
            + "\"lxVersion\":\"1.0.0\",\"description\":\"bulk import\",\"processingDirection\":\"inbound\","
            + "\"processingMode\":\"partial\",\"content\":" + content + "]}";
        RunResult run = client.integration().run(ldif, false, true, Duration.ofMinutes(10));
        System.out.println(run.id() + " " + run.status() + ": " + run.processedContentCount() + " processed, "
            + run.warnings().size() + " warnings");

        // Targeted edits through GraphQL, each retried on REVISION_CLASH.
        String data = client.graphql("{ allFactSheets(first: 3, filter: {fullTextSearch: \"Billing Service\"}) "
            + "{ edges { node { id } } } }");
        List<String> updated = new java.util.ArrayList<>();
        for (Matcher m = Pattern.compile("\"id\":\"([^\"]+)\"").matcher(data); m.find(); ) {
            updated.add(client.updateFactSheet(m.group(1), "[{\"op\":\"replace\",\"path\":\"/lifecycle\",\"value\":"
                + "{\"phases\":[{\"phase\":\"active\",\"startDate\":\"2024-01-01\"}]}},"
                + "{\"op\":\"add\",\"path\":\"/tags\",\"value\":[{\"tagName\":\"GDPR\"}]}]", "bulk lifecycle", false, null));
        }
        // README:end
        return updated;
    }

    @Test
    void theReadmeBulkWriteExampleRunsAsWritten() throws IOException {
        try (LeanixClient client = builder().build()) {
            List<String> updated = readmeBulkWrite(client);
            assertEquals(3, updated.size());
            assertEquals(303, stat("writes"), "300 created by the run, 3 updates");
        }
        assertReadmesShow(between("org/libleanix/WritesContractTest.java", "// README:begin", "// README:end"),
            javaBindingDir().resolve("README.md"));
    }
}
