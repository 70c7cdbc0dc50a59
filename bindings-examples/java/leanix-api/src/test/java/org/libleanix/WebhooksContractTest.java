package org.libleanix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.libleanix.sandbox.LxSandbox;

/**
 * PULL webhooks and {@code instanceUrl} routing, for every backend, against a sandbox started
 * with {@code --instance-listener}: routing is transparent (calls reach the instance, the token
 * host sees only the exchange; {@code routeByInstanceUrl(false)} keeps them on the host); the
 * iterator and the listener commit only what was handled, so a handler failing on event 7 of 10
 * sees event 7 again on the next run and skips none; an interrupt ends a waiting iterator.
 */
public abstract class WebhooksContractTest extends SandboxTestBase {
    /**
     * Hides {@link SandboxTestBase}'s (JUnit runs only this one): this class's sandbox has an
     * instance listener and 30 fact sheets.
     */
    @BeforeAll
    static void startSandbox() {
        sandbox = LxSandbox.start("--instance-listener", "--fact-sheets", "30");
    }

    /** After {@link SandboxTestBase}'s reset: webhook deliveries come in batches of 4. */
    @BeforeEach
    void smallBatches() {
        sandbox.call("POST", "/_sandbox/webhooks", "{\"batch_size\":4}");
    }

    private static long instanceRequests(String endpoint, int status) {
        Object n = TestJson.at(TestJson.parseObject(sandbox.call("GET", "/_sandbox/stats?listener=instance", null)),
            "requests", endpoint, Integer.toString(status));
        return n == null ? 0 : ((Number) n).longValue();
    }

    private static String instanceUrl() {
        return (String) TestJson.parseObject(sandbox.call("GET", "/_sandbox/info", null)).get("instance_url");
    }

    private static List<Long> emit(String tag, int count) {
        Map<String, Object> r = TestJson.parseObject(sandbox.call("POST", "/_sandbox/webhooks/events",
            "{\"tags\":[\"" + tag + "\"],\"count\":" + count + "}"));
        List<Long> offsets = new ArrayList<>();
        for (Object o : (List<?>) r.get("offsets")) {
            offsets.add(((Number) o).longValue());
        }
        return offsets;
    }

    private static long cursor(String id) {
        Map<String, Object> s = TestJson.parseObject(sandbox.call("GET", "/_sandbox/webhooks", null));
        return ((Number) TestJson.at(s, "cursors", id)).longValue();
    }

    private static String idOf(String subscriptionJson) {
        return (String) TestJson.parseObject(subscriptionJson).get("id");
    }

    @Test
    void routingIsTransparent() {
        try (LeanixClient c = builder().build()) {
            assertEquals(200, c.get("/services/pathfinder/v1/factSheets?pageSize=2").status());
            assertEquals(instanceUrl(), c.apiOrigin());
            assertNotEquals(sandbox.url(), c.apiOrigin());
        }
        assertEquals(1, instanceRequests("factSheets", 200));
        assertEquals(0, sandbox.requests("factSheets", 200));
        assertEquals(1, sandbox.tokenExchanges());
    }

    @Test
    void routingCanBeTurnedOff() {
        try (LeanixClient c = builder().routeByInstanceUrl(false).build()) {
            assertEquals(200, c.get("/services/pathfinder/v1/factSheets?pageSize=2").status());
            assertEquals(sandbox.url(), c.apiOrigin());
        }
        assertEquals(1, sandbox.requests("factSheets", 200));
        assertEquals(0, instanceRequests("factSheets", 200));
    }

    @Test
    void aHandlerFailingOnEvent7Of10SeesItAgainAndSkipsNone() {
        try (LeanixClient c = builder().build()) {
            String id = idOf(c.webhooks().create(List.of(List.of("java")), "j"));
            List<Long> offsets = emit("java", 10);
            List<Long> seen = new ArrayList<>();
            RuntimeException poison = new IllegalStateException("event 7");
            RuntimeException thrown = assertThrows(IllegalStateException.class, () ->
                c.webhooks().consume(id, false, e -> {
                    seen.add(e.offset());
                    if (e.offset() == offsets.get(6)) {
                        throw poison;
                    }
                }));
            assertEquals(poison, thrown);
            assertEquals(offsets.get(6), cursor(id));
            try (WebhookEvents events = c.webhooks().events(id, false)) {
                for (WebhookEvent e : events) {
                    seen.add(e.offset());
                    assertEquals(List.of("java"), e.tagSet());
                }
            }
            List<Long> expected = new ArrayList<>(offsets.subList(0, 7));
            expected.addAll(offsets.subList(6, 10));
            assertEquals(expected, seen);
            assertEquals(offsets.get(9) + 1, cursor(id));
            assertEquals(List.of(), c.webhooks().fetch(id, false));
            HttpException back = assertThrows(HttpException.class, () -> c.webhooks().commit(id, offsets.get(0)));
            assertEquals(java.util.OptionalInt.of(400), back.httpStatus());
            assertTrue(c.webhooks().list().contains(id));
            c.webhooks().delete(id);
            assertThrows(NotFoundException.class, () -> c.webhooks().fetch(id, false));
        }
        assertEquals(0, sandbox.requests("webhooks", 200), "webhook calls went to the instance");
        assertTrue(instanceRequests("webhooks", 200) > 0);
    }

    @Test
    void payloadsAreTheEventsOfWrites() {
        try (LeanixClient c = builder().build()) {
            String id = idOf(c.webhooks().createJson(
                "{\"tagSets\":[[\"pathfinder\",\"FACT_SHEET_CREATED\"]],\"payloadMode\":\"DEFAULT\"}"));
            c.requestJson("POST", "/services/pathfinder/v1/factSheets", "{\"name\":\"From Java\",\"type\":\"Application\"}");
            List<WebhookEvent> batch = c.webhooks().fetch(id, false);
            assertEquals(1, batch.size());
            Map<String, Object> payload = TestJson.parseObject(batch.get(0).payloadJson());
            assertEquals("FactSheetCreatedEvent", payload.get("type"));
            assertEquals("From Java", TestJson.at(payload, "factSheet", "name"));
            c.webhooks().delete(id);
        }
    }

    @Test
    void anInterruptEndsAWaitingIterator() throws Exception {
        try (LeanixClient c = builder().build()) {
            String id = idOf(c.webhooks().create(List.of(List.of("java-wait")), null));
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try (WebhookEvents events = c.webhooks().events(id, true)) {
                    events.hasNext();
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            t.start();
            // Bounded: the wait has started once the first (empty) fetch was answered.
            long guard = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (instanceRequests("webhooks", 200) < 2 && System.nanoTime() < guard) {
                Thread.onSpinWait();
            }
            t.interrupt();
            t.join(Duration.ofSeconds(30).toMillis());
            assertTrue(!t.isAlive(), "the iterator did not stop");
            assertTrue(failure.get() instanceof CancelledException, String.valueOf(failure.get()));
            c.webhooks().delete(id);
        }
    }
}
