package org.libleanix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Failures that keep the server's answer, GraphQL errors with their type and partial data, the
 * paging rule, bounded bodies (issue 13), against a real {@code lx-sandbox}, for every backend.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class FailureContractTest extends SandboxTestBase {
    private static final String NO_SUCH_FACT_SHEET = FACT_SHEETS + "/00000000-0000-0000-0000-000000000000";
    private static final String PAGED = "query($after: String) { allFactSheets(first: 1000, after: $after) "
        + "{ pageInfo { hasNextPage endCursor } edges { node { id } } } }";

    private static List<?> list(Object o) {
        return (List<?>) o;
    }

    private static long totalCount(LeanixClient client) {
        return ((Number) Json.at(Json.parse(client.graphql("{ allFactSheets { totalCount } }")),
            "allFactSheets", "totalCount")).longValue();
    }

    // ---------------------------------------------------------------- HTTP failures keep their answer

    @Test
    void aRefusedWriteKeepsTheServersAnswer() {
        try (LeanixClient client = builder().build()) {
            HttpException e = assertThrows(HttpException.class,
                () -> client.requestJson("POST", FACT_SHEETS, "{\"type\":\"Application\"}"));
            assertEquals(HttpException.class, e.getClass());
            assertEquals(Status.LX_ERR_HTTP, e.code());
            assertEquals(400, e.httpStatus().orElse(0));
            LeanixResponse answer = e.response();
            assertEquals(400, answer.status());
            assertTrue(answer.header("Content-Type").orElse("").startsWith("application/json"), answer.headers().toString());
            Object envelope = Json.parse(answer.bodyAsString());
            assertEquals("ERROR", Json.at(envelope, "status"), answer.bodyAsString());
            assertEquals("Field 'name' is required", Json.at(envelope, "errors", 0, "message"));
            assertTrue(e.getMessage().contains("Field 'name' is required"), "the message quotes the server: " + e);
            assertEquals(1, requests("factSheets", 400), "a refused POST is not retried");
            assertNoSecret(e);

            // Headers travel too: a 400 with a request id, exactly as the server sent it.
            sandbox.fault("{\"endpoint\":\"factSheet\",\"kind\":\"respond\",\"status\":400,"
                + "\"body\":\"{\\\"status\\\":\\\"ERROR\\\",\\\"errors\\\":[{\\\"message\\\":\\\"stale rev\\\"}]}\","
                + "\"headers\":{\"x-request-id\":\"req-42\"}}");
            HttpException withId = assertThrows(HttpException.class,
                () -> client.requestJson("PUT", FACT_SHEETS + "/x", "{\"rev\":1}"));
            assertEquals(Optional.of("req-42"), withId.response().header("X-Request-Id"));
            assertEquals(List.of("req-42"), withId.response().headers().get("x-request-id"));
            assertEquals("{\"status\":\"ERROR\",\"errors\":[{\"message\":\"stale rev\"}]}",
                withId.response().bodyAsString());
            assertTrue(withId.getMessage().contains("stale rev"), withId.getMessage());
            assertFalse(withId.response().toString().contains("stale rev"), "toString() shows no body");
        }
    }

    @Test
    void aMissingFactSheetIsNotFound() {
        try (LeanixClient client = builder().build()) {
            NotFoundException e = assertThrows(NotFoundException.class, () -> client.get(NO_SUCH_FACT_SHEET));
            assertInstanceOf(HttpException.class, e);
            assertEquals(404, e.httpStatus().orElse(0));
            assertEquals(Status.LX_ERR_HTTP, e.code());
            assertEquals("ERROR", Json.at(Json.parse(e.response().bodyAsString()), "status"));
            assertEquals(1, requests("factSheet", 404), "a 404 is not retried");

            // 403 and 401 are HttpExceptions with their answer as well.
            try (LeanixClient viewer = builder().apiToken(sandbox.viewerToken()).build()) {
                ForbiddenException f = assertThrows(ForbiddenException.class,
                    () -> viewer.requestJson("POST", FACT_SHEETS, "{\"name\":\"n\",\"type\":\"Application\"}"));
                assertEquals(403, f.response().status());
                assertEquals("ERROR", Json.at(Json.parse(f.response().bodyAsString()), "status"));
            }
            sandbox.fault("{\"endpoint\":\"factSheets\",\"kind\":\"status\",\"status\":401,\"times\":2}");
            UnauthorizedException u = assertThrows(UnauthorizedException.class, () -> client.get(FACT_SHEETS));
            assertEquals(401, u.response().status());
            assertEquals("ERROR", Json.at(Json.parse(u.response().bodyAsString()), "status"));
        }
    }

    @Test
    void throwOnErrorFalseReturnsTheAnswer() throws Exception {
        try (LeanixClient client = builder().throwOnError(false).build()) {
            LeanixResponse missing = client.get(NO_SUCH_FACT_SHEET);
            assertEquals(404, missing.status());
            assertFalse(missing.isSuccess());
            assertEquals("ERROR", Json.at(Json.parse(missing.bodyAsString()), "status"));
            NotFoundException raised = assertThrows(NotFoundException.class, missing::raiseForStatus);
            assertEquals(404, raised.httpStatus().orElse(0));

            LeanixResponse ok = client.get(FACT_SHEETS + "?pageSize=1");
            assertSame(ok, ok.raiseForStatus());

            assertEquals(404, client.getAsync(NO_SUCH_FACT_SHEET).get(10, TimeUnit.SECONDS).status(), "async too");
            assertThrows(NotFoundException.class,
                () -> client.send(LeanixRequest.newBuilder(NO_SUCH_FACT_SHEET).throwOnError(true).build()),
                "a request may ask to throw after all");

            // A failure without an answer still throws.
            sandbox.fault("{\"endpoint\":\"factSheets\",\"kind\":\"stall\",\"ms\":3000,\"times\":3}");
            assertThrows(TimeoutException.class,
                () -> client.send(LeanixRequest.newBuilder(FACT_SHEETS).timeout(Duration.ofMillis(200)).build()));
        }
        sandbox.reset();
        try (LeanixClient client = builder().build()) {
            LeanixResponse refused = client.send(LeanixRequest.newBuilder(FACT_SHEETS)
                .POST("{\"type\":\"Application\"}").throwOnError(false).build());
            assertEquals(400, refused.status());
            HttpException e = assertThrows(HttpException.class, refused::raiseForStatus);
            assertTrue(e.getMessage().contains("Field 'name' is required"), e.getMessage());
            assertSame(refused, e.response());
        }
    }

    // ---------------------------------------------------------------- GraphQL errors

    @Test
    void graphQlErrorsCarryTheirTypeAndThePartialData() throws Exception {
        try (LeanixClient client = builder().build()) {
            GraphQlException e = assertThrows(GraphQlException.class,
                () -> client.graphql("{ allFactSheets(first: 1) { totalCount } factSheet(id: \"nope\") { id } }"));
            assertEquals(Status.LX_ERR_GRAPHQL, e.code());
            assertEquals(1, e.errors().size(), e.errors().toString());
            GraphQlError error = e.errors().get(0);
            assertEquals(Optional.of("DataFetchingException"), error.errorType());
            assertEquals(List.of("factSheet"), error.path());
            assertEquals(1, error.locations().size());
            assertTrue(error.message().contains("'nope' not found"), error.message());
            assertTrue(e.getMessage().contains("'nope' not found"), "the message quotes the server: " + e.getMessage());
            Object data = Json.parse(e.data().orElseThrow());
            assertTrue(((Number) Json.at(data, "allFactSheets", "totalCount")).longValue() >= 3000, "the part that worked");
            assertTrue(((Map<?, ?>) data).containsKey("factSheet"));
            assertNull(Json.at(data, "factSheet"), "the part that failed");
            assertEquals(200, e.response().orElseThrow().status(), "LeanIX sends GraphQL errors with HTTP 200");

            // A write with a stale revision: REVISION_CLASH, as LeanIX answers it.
            String created = client.requestJson("POST", FACT_SHEETS, "{\"name\":\"Clash\",\"type\":\"Application\"}")
                .bodyAsString();
            String id = (String) Json.at(Json.parse(created), "data", "id");
            String update = "mutation($id: ID!) { updateFactSheet(id: $id, rev: 7, patches: [{op: replace, "
                + "path: \"/name\", value: \"Renamed\"}]) { factSheet { id rev name } } }";
            sandbox.reset();
            GraphQlException clash = assertThrows(GraphQlException.class,
                () -> client.graphql(update, "{\"id\":\"" + id + "\"}"));
            assertEquals(Optional.of("REVISION_CLASH"), clash.errors().get(0).errorType());
            assertEquals(List.of("updateFactSheet"), clash.errors().get(0).path());
            assertTrue(clash.errors().get(0).message().contains("DB revision of Fact Sheet has changed"),
                clash.errors().get(0).message());
            assertEquals(Map.of("errorType", "REVISION_CLASH", "classification", "REVISION_CLASH"),
                clash.errors().get(0).extensions());
            assertNull(Json.at(Json.parse(clash.data().orElseThrow()), "updateFactSheet"));
            assertEquals(1, requests("graphql", 200), "a mutation is sent once");

            // The asynchronous path carries the same.
            ExecutionException async = assertThrows(ExecutionException.class,
                () -> client.graphqlAsync(update, "{\"id\":\"" + id + "\"}").get(10, TimeUnit.SECONDS));
            GraphQlException asyncClash = assertInstanceOf(GraphQlException.class, async.getCause());
            assertEquals(Optional.of("REVISION_CLASH"), asyncClash.errors().get(0).errorType());

            // A document that does not validate has no data.
            GraphQlException invalid = assertThrows(GraphQlException.class,
                () -> client.graphql("{ allFactSheets(first: 1) { noSuchField } }"));
            assertEquals(Optional.of("ValidationError"), invalid.errors().get(0).errorType());
            assertEquals(Optional.empty(), invalid.data());
            assertNoSecret(invalid);
        }
    }

    @Test
    void operationNameChoosesTheOperation() {
        try (LeanixClient client = builder().build()) {
            String doc = "query Count { allFactSheets { totalCount } } query Two { allFactSheets(first: 2) "
                + "{ edges { node { id } } } }";
            String two = client.graphql(GraphQlRequest.newBuilder(doc).operationName("Two").build());
            assertEquals(2, list(Json.at(Json.parse(two), "allFactSheets", "edges")).size(), two);
            String count = client.graphql(GraphQlRequest.newBuilder(doc).operationName("Count").build());
            assertTrue(Json.at(Json.parse(count), "allFactSheets", "totalCount") instanceof Number, count);
        }
    }

    // ---------------------------------------------------------------- paging

    @Test
    void pagesAreFetchedOneAtATime() {
        try (LeanixClient client = builder().build()) {
            long total = totalCount(client);
            sandbox.reset();
            int n = 0;
            long edges = 0;
            try (GraphQlPages pages = client.graphqlPages(PAGED, null)) {
                assertEquals(0, requests("graphql", 200), "nothing is sent before the first hasNext()");
                while (pages.hasNext()) {
                    assertEquals(n + 1, requests("graphql", 200), "at most one page fetched ahead");
                    String page = pages.next();
                    n++;
                    assertEquals(n, pages.pagesFetched());
                    edges += list(Json.at(Json.parse(page), "allFactSheets", "edges")).size();
                }
                assertFalse(pages.hasNext());
                assertThrows(NoSuchElementException.class, pages::next);
            }
            assertEquals((total + 999) / 1000, n);
            assertEquals(n, requests("graphql", 200), "exactly the pages the sandbox served");
            assertEquals(total, edges);

            // A for-each loop over the walk (Iterable, one pass): the same pages.
            int looped = 0;
            try (GraphQlPages pages = client.graphqlPages(PAGED, null)) {
                for (String page : pages) {
                    assertFalse(page.isEmpty());
                    looped++;
                }
                assertFalse(pages.iterator().hasNext(), "one pass");
            }
            assertEquals(n, looped);

            // As a stream that closes the walk; and graphqlAll gives the same edges in one array.
            try (Stream<String> s = client.graphqlPages(GraphQlRequest.newBuilder(PAGED)
                    .timeout(Duration.ofSeconds(10)).build()).stream()) {
                assertEquals(n, s.count());
            }
            List<?> all = list(Json.parse(client.graphqlAll(PAGED, null)));
            assertEquals(total, all.size());
            assertTrue(Json.at(all.get(0), "node", "id") instanceof String, all.get(0).toString());
            assertEquals(4L * n, requests("graphql", 200));
        }
    }

    @Test
    void everyViolationOfThePagingRuleIsAnError() {
        String small = "query($after: String) { allFactSheets(first: 5, after: $after) "
            + "{ pageInfo { hasNextPage endCursor } edges { node { id } } } }";
        try (LeanixClient client = builder().build()) {
            InvalidArgumentException noPageInfo = assertThrows(InvalidArgumentException.class,
                () -> client.graphqlAll("query($after: String) { allFactSheets(first: 5, after: $after) "
                    + "{ edges { node { id } } } }", null));
            assertTrue(noPageInfo.getMessage().contains("pageInfo"), noPageInfo.getMessage());
            InvalidArgumentException noAfter = assertThrows(InvalidArgumentException.class,
                () -> client.graphqlAll("{ allFactSheets(first: 5) { pageInfo { hasNextPage endCursor } "
                    + "edges { node { id } } } }", null));
            assertTrue(noAfter.getMessage().contains("$after"), noAfter.getMessage());
            try (GraphQlPages pages = client.graphqlPages("{ allFactSheets(first: 5) { edges { node { id } } } }", null)) {
                assertThrows(InvalidArgumentException.class, pages::hasNext);
                assertFalse(pages.hasNext(), "a failure ends the walk");
            }
            assertEquals(0, requests("graphql", 200), "no page was requested");

            sandbox.fault("{\"endpoint\":\"graphql\",\"kind\":\"cursor_cycle\",\"times\":1000}");
            InvalidResponseException cycle = assertThrows(InvalidResponseException.class,
                () -> client.graphqlAll(small, null));
            assertTrue(cycle.getMessage().contains("circles"), cycle.getMessage());
            assertEquals(3, requests("graphql", 200), "cursors a, b, a: stopped at the first repeat");

            sandbox.reset();
            sandbox.fault("{\"endpoint\":\"graphql\",\"kind\":\"no_end_cursor\"}");
            InvalidResponseException noCursor = assertThrows(InvalidResponseException.class,
                () -> client.graphqlAll(small, null));
            assertTrue(noCursor.getMessage().contains("endCursor"), noCursor.getMessage());
            assertEquals(1, requests("graphql", 200));
        }
        try (LeanixClient capped = builder().maxPages(2).build()) {
            sandbox.reset();
            ResponseTooLargeException tooMany = assertThrows(ResponseTooLargeException.class,
                () -> capped.graphqlAll(small, null));
            assertTrue(tooMany.getMessage().contains("max_pages"), tooMany.getMessage());
            assertEquals(2, requests("graphql", 200), "the second page says there is a third: stop");
            try (GraphQlPages pages = capped.graphqlPages(small, null)) {
                // Both pages fetched reach the caller; the third is refused before it is sent.
                assertTrue(pages.hasNext());
                pages.next();
                assertTrue(pages.hasNext());
                pages.next();
                assertThrows(ResponseTooLargeException.class, pages::hasNext);
            }
        }
    }

    // ---------------------------------------------------------------- bounded bodies

    @Test
    void aBodyAboveMaxResponseBytesIsTooLarge() {
        try (LeanixClient client = builder().maxResponseBytes(1_000_000).build()) {
            sandbox.fault("{\"endpoint\":\"factSheets\",\"kind\":\"large_body\",\"bytes\":1000000}");
            assertEquals(1_000_000, client.get(FACT_SHEETS).bodyLength(), "a body at the limit is read");

            sandbox.fault("{\"endpoint\":\"factSheets\",\"kind\":\"large_body\",\"bytes\":5000000}");
            ResponseTooLargeException large = assertThrows(ResponseTooLargeException.class,
                () -> client.get(FACT_SHEETS));
            assertEquals(Status.LX_ERR_TOO_LARGE, large.code());
            assertTrue(large.getMessage().contains("max_response_bytes"), large.getMessage());

            sandbox.fault("{\"endpoint\":\"factSheets\",\"kind\":\"endless_body\"}");
            long start = System.nanoTime();
            assertThrows(ResponseTooLargeException.class, () -> client.get(FACT_SHEETS));
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(ms < 10_000, "an endless body ends at the limit, not at the timeout: " + ms + " ms");
            assertEquals(200, client.get(FACT_SHEETS + "?pageSize=1").status(), "the client goes on");
        }
    }

    // ---------------------------------------------------------------- defaults

    @Test
    void defaultsComeFromTheLibrary() throws Exception {
        org.libleanix.spi.LeanixBackend b = LeanixClient.selectBackend(backend());
        assertEquals(Optional.of(headerDefine("LX_DEFAULT_CONNECT_TIMEOUT_MS")), b.optionDefault("connect_timeout_ms"));
        assertEquals(Optional.of(headerDefine("LX_DEFAULT_REQUEST_TIMEOUT_MS")), b.optionDefault("request_timeout_ms"));
        assertEquals(Optional.of(headerDefine("LX_DEFAULT_MAX_RESPONSE_BYTES")), b.optionDefault("max_response_bytes"));
        assertEquals(Optional.of(headerDefine("LX_DEFAULT_MAX_PAGES")), b.optionDefault("max_pages"));
        assertEquals(Optional.empty(), b.optionDefault("host"));
        assertThrows(InvalidArgumentException.class, () -> b.optionDefault("no_such_option"));
        Map<String, String> all = LeanixClient.optionDefaults();
        assertEquals(headerDefine("LX_DEFAULT_MAX_ATTEMPTS"), all.get("max_attempts"));
        assertFalse(all.containsKey("api_token"));
    }
}
