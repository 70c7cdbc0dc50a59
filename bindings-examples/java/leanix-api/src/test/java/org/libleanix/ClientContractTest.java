package org.libleanix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.libleanix.sandbox.LxSandbox;

/**
 * The behaviour every backend must show, against a real {@code lx-sandbox} process. A backend's
 * test module subclasses it and names its backend; the class travels in leanix-api's test-jar.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class ClientContractTest extends SandboxTestBase {
    // ---------------------------------------------------------------- the full flow

    @Test
    void fullFlow() {
        try (LeanixClient client = builder().userAgent("leanix-java-test").build()) {
            assertEquals(backend(), client.backend());

            LeanixResponse list = client.get(FACT_SHEETS + "?pageSize=5");
            assertEquals(200, list.status());
            assertTrue(list.header("Content-Type").orElse("").startsWith("application/json"));
            assertTrue(list.headers().containsKey("content-type"));
            Map<String, Object> page = Json.parseObject(list.bodyAsString());
            assertEquals(5, ((List<?>) page.get("data")).size());

            String created = client.requestJson("POST", FACT_SHEETS,
                "{\"name\":\"Java \u00e9t\u00e9 \u2713\",\"type\":\"Application\"}").bodyAsString();
            String id = (String) Json.at(Json.parse(created), "data", "id");
            LeanixResponse one = client.get(FACT_SHEETS + "/" + id);
            assertEquals("Java \u00e9t\u00e9 \u2713", Json.at(Json.parse(one.bodyAsString()), "data", "name"));

            LeanixResponse viaRequest = client.request("GET", FACT_SHEETS + "?pageSize=1",
                Map.of("X-Request-Id", "java-1", "Accept", "application/json"), null, true);
            assertEquals(200, viaRequest.status());

            String data = client.graphql("query($n: Int) { allFactSheets(first: $n) { totalCount "
                + "edges { node { id name type } } } }", "{\"n\": 3}");
            Object total = Json.at(Json.parse(data), "allFactSheets", "totalCount");
            assertTrue(((Number) total).longValue() >= 3000, data);
            assertEquals(3, ((List<?>) Json.at(Json.parse(data), "allFactSheets", "edges")).size());

            String all = client.graphqlAll("query($after: String) { allFactSheets(first: 1000, after: $after) "
                + "{ pageInfo { hasNextPage endCursor } edges { node { id } } } }", null);
            assertEquals(((Number) total).longValue(), ((List<?>) Json.parse(all)).size());

            String token = client.accessToken();
            assertEquals(3, token.split("\\.").length, "a JWT");
            Claims claims = client.claims().orElseThrow();
            assertEquals(Optional.of("sandbox-admin"), claims.username(), claims.toString());
            assertEquals(Optional.of("sandbox"), claims.workspaceName());
            assertEquals(Optional.of("ADMIN"), claims.role());
            assertTrue(claims.workspaceId().isPresent());
            long inAnHour = java.time.Instant.now().plusSeconds(3600).getEpochSecond();
            long exp = claims.expiresAt().orElseThrow().getEpochSecond();
            assertTrue(Math.abs(exp - inAnHour) < 120, "expires in about an hour: " + claims.expiresAt());
            assertEquals(claims.raw().get("sub"), claims.subject().orElseThrow());
            assertEquals(Json.parseObject(claims.json()), claims.raw());
            assertFalse(claims.toString().contains(token), "Claims.toString() shows no token");

            assertEquals(1, sandbox.tokenExchanges(), "one exchange for the whole flow");
        }
    }

    @Test
    void binaryBodiesTravelWhole() {
        try (LeanixClient client = builder().build()) {
            // Cut at the NUL, this body would be valid JSON and create a fact sheet; whole, its
            // trailing bytes make it invalid and the sandbox answers 400.
            byte[] body = "{\"name\":\"x\",\"type\":\"Application\"}\0trailing".getBytes(StandardCharsets.UTF_8);
            HttpException e = assertThrows(HttpException.class,
                () -> client.request("POST", FACT_SHEETS, Map.of("Content-Type", "application/json"), body));
            assertEquals(400, e.httpStatus().orElse(0), e.toString());
            assertEquals(200, client.request("GET", FACT_SHEETS + "?pageSize=1", null, new byte[0]).status());

            // And back: a response body with a NUL byte arrives whole.
            sandbox.fault("{\"endpoint\":\"factSheets\",\"kind\":\"respond\",\"status\":200,"
                + "\"content_type\":\"application/octet-stream\",\"body\":\"a\\u0000b\"}");
            LeanixResponse r = client.get(FACT_SHEETS);
            assertArrayEquals(new byte[] {'a', 0, 'b'}, r.body());
            assertEquals(Optional.of("application/octet-stream"), r.header("Content-Type"));
        }
    }

    // ---------------------------------------------------------------- every exception, for real

    /** @return what {@code get(FACT_SHEETS)} on a fresh client of {@code builder} throws, asserted a {@code type} */
    private static <E extends Throwable> E getFails(LeanixClient.Builder builder, Class<E> type) {
        try (LeanixClient client = builder.build()) {
            return assertThrows(type, () -> client.get(FACT_SHEETS));
        }
    }

    @Test
    void wrongApiTokenIsInvalidCredentials() {
        InvalidCredentialsException e = getFails(builder().apiToken(WRONG_TOKEN), InvalidCredentialsException.class);
        assertEquals(4, e.code());
        assertEquals("LX_ERR_INVALID_CREDENTIALS", e.statusName());
        assertEquals(401, e.httpStatus().orElse(0));
        assertNoSecret(e);
    }

    @Test
    void twice401IsUnauthorized() {
        sandbox.fault("{\"endpoint\":\"factSheets\",\"kind\":\"status\",\"status\":401,\"times\":2}");
        UnauthorizedException e = getFails(builder(), UnauthorizedException.class);
        assertEquals(401, e.httpStatus().orElse(0));
        assertEquals(2, requests("factSheets", 401), "one replay after a fresh token");
        assertEquals(2, sandbox.tokenExchanges(), "the first 401 dropped the token");
        assertNoSecret(e);
    }

    @Test
    void rateBudgetOptionsReachTheLibrary() {
        // A 401 forever: with a long interval one exchange after the first 401, with zero one per 401.
        for (Duration interval : List.of(Duration.ofMinutes(10), Duration.ZERO)) {
            sandbox.reset();
            sandbox.fault("{\"endpoint\":\"factSheets\",\"kind\":\"status\",\"status\":401,\"times\":1000}");
            try (LeanixClient client = builder().reauthInterval(interval).build()) {
                for (int i = 0; i < 3; i++) {
                    assertThrows(UnauthorizedException.class, () -> client.get(FACT_SHEETS));
                }
                long expected = interval.isZero() ? 4 : 2; // the first exchange, then one per 401 allowed
                assertEquals(expected, sandbox.tokenExchanges(), "exchanges with reauthInterval " + interval);
            }
        }
        sandbox.reset();
        // 120 a minute: two requests at once, then one every 500 ms, whatever the threads.
        LeanixClient.Builder paced = builder().maxRequestsPerMinute(120).adaptivePacing(false);
        assertTrue(paced.toString().contains("max_requests_per_minute=120"), paced.toString());
        try (LeanixClient client = paced.build()) {
            client.accessToken();
            long start = System.nanoTime();
            for (int i = 0; i < 5; i++) {
                assertEquals(200, client.get(FACT_SHEETS + "?pageSize=1").status());
            }
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            assertTrue(elapsedMs >= 1400, "5 calls at 120/min took at least 1.5 s, not " + elapsedMs + " ms");
        }
        assertThrows(IllegalArgumentException.class, () -> LeanixClient.builder().maxRequestsPerMinute(-1));
    }

    @Test
    void viewerWritingIsForbidden() {
        try (LeanixClient client = builder().apiToken(sandbox.viewerToken()).build()) {
            assertEquals(200, client.get(FACT_SHEETS + "?pageSize=1").status(), "a viewer may read");
            assertEquals(Optional.of("VIEWER"), client.claims().orElseThrow().role());
            ForbiddenException e = assertThrows(ForbiddenException.class,
                () -> client.requestJson("POST", FACT_SHEETS, "{\"name\":\"nope\",\"type\":\"Application\"}"));
            assertEquals(403, e.httpStatus().orElse(0));
            assertEquals(1, sandbox.tokenExchanges(), "403 never triggers a refresh");
            assertNoSecret(e, client.accessToken());
        }
    }

    @Test
    void longRetryAfterIsRateLimited() {
        sandbox.fault("{\"endpoint\":\"factSheets\",\"kind\":\"status\",\"status\":429,\"retry_after\":\"3600\"}");
        try (LeanixClient client = builder().build()) {
            long start = System.nanoTime();
            RateLimitedException e = assertThrows(RateLimitedException.class, () -> client.get(FACT_SHEETS));
            assertTrue(System.nanoTime() - start < 10_000_000_000L, "returned at once, no hour of waiting");
            assertEquals(429, e.httpStatus().orElse(0));
            assertEquals(Optional.of(Duration.ofSeconds(3600)), e.retryAfter());
            assertNoSecret(e);
        }
    }

    /**
     * The README's quick start ({@code QuickStart.java} in the unnamed package of the test
     * sources, compiled with them) is shown verbatim by this binding's README and the
     * repository's, and runs as written: in a child JVM whose only settings are the three
     * variables the repository's README names (LEANIX_HOST, LEANIX_API_TOKEN,
     * LEANIX_INSECURE_LOOPBACK=1), with this backend.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void theReadmeQuickStartRunsAsWritten(@TempDir Path tmp) throws Exception {
        Path dir = javaBindingDir();
        assertReadmesShow(Files.readString(dir.resolve("leanix-api/src/test/java/QuickStart.java")),
            dir.resolve("README.md"), dir.resolve("../../README.md"));

        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (Runtime.version().feature() >= 22) {
            cmd.add("--enable-native-access=ALL-UNNAMED");
        }
        cmd.add("-Dleanix.backend=" + backend());
        cmd.add("-Dleanix.library.path=" + System.getProperty("leanix.library.path"));
        cmd.add("-cp");
        cmd.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
        cmd.add("QuickStart");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(tmp.resolve("out").toFile())
            .redirectError(tmp.resolve("err").toFile());
        pb.environment().remove("LEANIX_LIBRARY");
        pb.environment().put("LEANIX_HOST", sandbox.url());
        pb.environment().put("LEANIX_API_TOKEN", sandbox.adminToken());
        pb.environment().put("LEANIX_INSECURE_LOOPBACK", "1");
        Process p = pb.start();
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), "the quick start ended");
        String out = Files.readString(tmp.resolve("out"));
        String err = Files.readString(tmp.resolve("err"));
        assertEquals(0, p.exitValue(), () -> out + err);
        assertEquals(1, sandbox.tokenExchanges(), "one exchange for the whole program");

        long total;
        try (LeanixClient client = builder().build()) {
            total = ((Number) Json.at(Json.parse(client.graphql("{ allFactSheets { totalCount } }")),
                "allFactSheets", "totalCount")).longValue();
        }
        List<String> lines = List.of(out.split("\n"));
        assertEquals(7, lines.size(), out);
        assertTrue(lines.get(0).startsWith("user ") && lines.get(0).contains(", role ADMIN"), lines.get(0));
        assertTrue(lines.get(1).startsWith("REST 200, "), lines.get(1));
        assertEquals(total, ((Number) Json.at(Json.parse(lines.get(2).substring("GraphQL ".length())),
            "allFactSheets", "totalCount")).longValue(), lines.get(2));
        assertEquals("pages " + ((total + 999) / 1000), lines.get(3));
        assertEquals("async 200", lines.get(4));
        assertTrue(lines.get(5).startsWith("refused 400: "), lines.get(5));
        assertEquals("ERROR", Json.at(Json.parse(lines.get(6)), "status"), lines.get(6));
    }

    @Test
    void theRateLimitReasonFromTheBodyIsOnTheException() {
        // LeanIX's 429 names its reason in the body's message; Retry-After: 3600 ends the call at once.
        // Such a 429 pauses the whole client for the hour (a later call fails unsent, with no body
        // to read a reason from), so each case below has a client of its own.
        sandbox.fault("{\"endpoint\":\"factSheets\",\"kind\":\"respond\",\"status\":429,"
            + "\"body\":\"{\\\"status\\\":\\\"ERROR\\\",\\\"errors\\\":[{\\\"message\\\":"
            + "\\\"HTTP 429 Too Many Requests. USER_INTERVAL_REQUEST_LIMIT_EXCEEDED\\\"}]}\","
            + "\"headers\":{\"Retry-After\":\"3600\"}}");
        RateLimitedException e = getFails(builder(), RateLimitedException.class);
        assertEquals(Optional.of("USER_INTERVAL_REQUEST_LIMIT_EXCEEDED"), e.reason());
        assertEquals(Optional.of(Duration.ofSeconds(3600)), e.retryAfter());
        assertEquals(1, requests("factSheets", 429), "one request, no retry");
        // The same through the asynchronous path, and raiseForStatus() keeps it.
        sandbox.fault("{\"endpoint\":\"factSheets\",\"kind\":\"respond\",\"status\":429,"
            + "\"body\":\"USER_INTERVAL_REQUEST_LIMIT_EXCEEDED\",\"headers\":{\"Retry-After\":\"3600\"}}");
        try (LeanixClient client = builder().build()) {
            java.util.concurrent.ExecutionException async = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> client.getAsync(FACT_SHEETS).get(20, java.util.concurrent.TimeUnit.SECONDS));
            assertEquals(Optional.of("USER_INTERVAL_REQUEST_LIMIT_EXCEEDED"),
                ((LeanixException) async.getCause()).reason());
            assertEquals(2, requests("factSheets", 429), "one request each");
        }
        // A 429 whose body names no reason code: empty; other errors have none.
        sandbox.fault("{\"endpoint\":\"factSheets\",\"kind\":\"respond\",\"status\":429,"
            + "\"body\":\"Too Many Requests\",\"headers\":{\"Retry-After\":\"3600\"}}");
        try (LeanixClient lenient = builder().throwOnError(false).build()) {
            LeanixResponse r = lenient.get(FACT_SHEETS);
            assertEquals(429, r.status());
            assertEquals(Optional.empty(), assertThrows(RateLimitedException.class, r::raiseForStatus).reason());
        }
        try (LeanixClient client = builder().build()) {
            assertEquals(Optional.empty(), assertThrows(NotFoundException.class,
                () -> client.get(FACT_SHEETS + "/00000000-0000-0000-0000-000000000000")).reason());
        }
    }

    @Test
    void notFoundAndServerErrorAreHttp() {
        try (LeanixClient client = builder().build()) {
            HttpException notFound = assertThrows(HttpException.class,
                () -> client.get(FACT_SHEETS + "/00000000-0000-0000-0000-000000000000"));
            assertEquals(404, notFound.httpStatus().orElse(0));
            assertEquals(8, notFound.code());

            sandbox.fault("{\"endpoint\":\"factSheets\",\"kind\":\"status\",\"status\":500,\"times\":5}");
            HttpException serverError = assertThrows(HttpException.class,
                () -> client.requestJson("POST", FACT_SHEETS, "{\"name\":\"x\",\"type\":\"Application\"}"));
            assertEquals(500, serverError.httpStatus().orElse(0));
            assertEquals(1, requests("factSheets", 500), "a POST is not retried");
            assertNoSecret(serverError);
        }
    }

    @Test
    void stalledRequestTimesOut() {
        sandbox.fault("{\"endpoint\":\"factSheets\",\"kind\":\"stall\",\"ms\":3000,\"times\":3}");
        try (LeanixClient client = builder().requestTimeout(Duration.ofMillis(300)).maxAttempts(1).build()) {
            client.accessToken(); // the exchange is not stalled
            long start = System.nanoTime();
            TimeoutException e = assertThrows(TimeoutException.class, () -> client.get(FACT_SHEETS));
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(ms < 2500, "timed out after " + ms + " ms");
            assertEquals(9, e.code());
            assertNoSecret(e);
        }
    }

    @Test
    void closedPortIsConnect() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ConnectException e = getFails(builder().host("http://127.0.0.1:" + port).tokenAttempts(1).maxAttempts(1)
            .connectTimeout(Duration.ofSeconds(2)), ConnectException.class);
        assertEquals(10, e.code());
        assertNoSecret(e);
    }

    @Test
    void tlsNeedsTheCa(@TempDir Path dir) {
        Path ca = dir.resolve("ca.pem");
        try (LxSandbox tls = LxSandbox.start("--tls", "--ca-out", ca.toString())) {
            assertTrue(tls.url().startsWith("https://"), tls.url());
            try (LeanixClient client = LeanixClient.builder().backend(backend()).host(tls.url())
                    .apiToken(tls.adminToken()).tokenAttempts(1).maxAttempts(1).build()) {
                TlsException e = assertThrows(TlsException.class, () -> client.get(FACT_SHEETS));
                assertEquals(11, e.code());
                assertNoSecret(e, tls.adminToken());
            }
            assertTrue(Files.isRegularFile(ca));
            try (LeanixClient client = LeanixClient.builder().backend(backend()).host(tls.url())
                    .apiToken(tls.adminToken()).caFile(ca).build()) {
                assertEquals(200, client.get(FACT_SHEETS + "?pageSize=1").status());
            }
        }
    }

    @Test
    void malformedTokenResponseIsInvalidResponse() {
        sandbox.fault("{\"endpoint\":\"token\",\"kind\":\"malformed_json\",\"times\":5}");
        InvalidResponseException e = getFails(builder(), InvalidResponseException.class);
        assertEquals(12, e.code());
        assertNoSecret(e);
    }

    @Test
    void unknownGraphQlFieldIsGraphQl() {
        try (LeanixClient client = builder().build()) {
            GraphQlException e = assertThrows(GraphQlException.class,
                () -> client.graphql("{ allFactSheets(first: 1) { noSuchField } }"));
            assertEquals(13, e.code());
            assertTrue(e.getMessage().contains("noSuchField"), e.getMessage());
            assertNoSecret(e);
        }
    }

    @Test
    void foreignRedirectIsRefused() {
        sandbox.fault("{\"endpoint\":\"factSheets\",\"kind\":\"redirect_foreign\",\"times\":3}");
        RedirectException e = getFails(builder(), RedirectException.class);
        assertEquals(14, e.code());
        assertEquals(0L, ((Number) sandbox.stats().get("foreign_requests_with_authorization")).longValue(),
            "no credential crossed to the other origin");
        assertNoSecret(e);
    }

    @Test
    void closeCancelsACallInFlight() throws Exception {
        sandbox.fault("{\"endpoint\":\"factSheets\",\"kind\":\"stall\",\"ms\":15000}");
        LeanixClient client = builder().build();
        client.accessToken();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<LeanixResponse> inFlight = pool.submit(() -> client.get(FACT_SHEETS));
            Thread.sleep(500); // the request is stalled in the sandbox now
            long start = System.nanoTime();
            client.close();
            java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> inFlight.get(5, TimeUnit.SECONDS));
            long ms = (System.nanoTime() - start) / 1_000_000;
            CancelledException cancelled = assertInstanceOf(CancelledException.class, e.getCause());
            assertEquals(15, cancelled.code());
            assertTrue(ms < 3000, "cancelled after " + ms + " ms");
            assertThrows(IllegalStateException.class, () -> client.get(FACT_SHEETS));
        } finally {
            pool.shutdownNow();
            client.close();
        }
    }

    @Test
    void plainHttpToARemoteHostIsConfig() {
        ConfigException e = assertThrows(ConfigException.class,
            () -> builder().host("http://example.com").build());
        assertEquals(3, e.code());
        assertNoSecret(e);
        assertThrows(ConfigException.class, () -> builder().apiToken("").build());
    }

    @Test
    void restPagesWalkEveryFactSheetOnceAndFailuresAreTyped() {
        try (LeanixClient client = builder().build()) {
            long total = ((Number) Json.parseObject(client.get(FACT_SHEETS + "?pageSize=1").bodyAsString())
                .get("total")).longValue();
            sandbox.reset();
            List<String> ids = new ArrayList<>();
            String last = null;
            try (RestPages pages = client.restPages(FACT_SHEETS + "?pageSize=700")) {
                assertEquals(0, sandbox.requests("factSheets", 200), "nothing sent before hasNext()");
                while (pages.hasNext()) {
                    last = pages.next();
                    for (Object fs : (List<?>) Json.parseObject(last).get("data")) {
                        ids.add((String) ((Map<?, ?>) fs).get("id"));
                    }
                }
                assertEquals((total + 699) / 700, pages.pagesFetched());
            }
            assertEquals(total, ids.size());
            assertEquals(total, ids.stream().distinct().count(), "every fact sheet once");
            assertTrue(last.contains("\"cursor\":null"), last);
            assertEquals((total + 699) / 700, sandbox.requests("factSheets", 200));

            List<Object> all = (List<Object>) Json.parse(client.restAllData(FACT_SHEETS + "?pageSize=1000"));
            assertEquals(total, all.size());

            sandbox.reset();
            sandbox.fault("{\"endpoint\":\"factSheets\",\"kind\":\"cursor_cycle\",\"times\":100}");
            InvalidResponseException cycle = assertThrows(InvalidResponseException.class,
                () -> client.restAllData(FACT_SHEETS + "?pageSize=10"));
            assertTrue(cycle.getMessage().contains("round in circles"), cycle.getMessage());
            assertEquals(3, sandbox.requests("factSheets", 200));
            sandbox.fault("{\"kind\":\"clear\"}");
            assertThrows(InvalidArgumentException.class, () -> client.restAllData(FACT_SHEETS + "?page=x"));
        }
    }

    @Test
    @SuppressWarnings("deprecation") // the old spelling, on purpose
    void insecureLoopbackHasOneNameAndItsOldSpelling() {
        // The last setting wins, whichever spelling set it.
        ConfigException e = assertThrows(ConfigException.class,
            () -> builder().allowInsecureLoopback(true).insecureLoopback(false).build());
        assertTrue(e.getMessage().contains("insecure_loopback"), e.getMessage());
        assertThrows(ConfigException.class, () -> builder().insecureLoopback(true).allowInsecureLoopback(false).build());
        try (LeanixClient client = builder().allowInsecureLoopback(false).insecureLoopback(true).build()) {
            assertEquals(200, client.get(FACT_SHEETS + "?pageSize=1").status());
        }
        assertEquals(Optional.of("0"), LeanixClient.optionDefault("insecure_loopback"));
    }

    @Test
    void badHeaderIsInvalidArgument() {
        try (LeanixClient client = builder().build()) {
            InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
                () -> client.request("GET", FACT_SHEETS, Map.of("Bad Header", "x"), null));
            assertEquals(2, e.code());
            assertTrue(e.getMessage().contains("Bad Header"), e.getMessage());
            assertThrows(InvalidArgumentException.class,
                () -> client.request("GET", FACT_SHEETS, Map.of("Authorization", "Bearer x"), null));
            assertThrows(InvalidArgumentException.class,
                () -> client.request("GET", FACT_SHEETS, Map.of("X-Ok", "a\nAuthorization: Bearer x"), null));
            assertThrows(InvalidArgumentException.class, () -> client.get(FACT_SHEETS + "\0/../secret"));
            assertThrows(InvalidArgumentException.class, () -> client.graphql("{ x }", "[1]"));
            assertThrows(InvalidArgumentException.class, () -> builder().option("no_such_option", "1").build());
            assertThrows(InvalidArgumentException.class, () -> builder().option("max_attempts", "x").build());
            assertEquals(0, sandbox.tokenRequests(), "nothing went over the network");
        }
    }

    // ---------------------------------------------------------------- threads and closing

    @Test
    void sixteenThreadsShareOneTokenExchange() throws Exception {
        int threads = 16;
        int perThread = 10;
        try (LeanixClient client = builder().build()) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                CyclicBarrier start = new CyclicBarrier(threads);
                List<Future<Integer>> results = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int id = t;
                    Callable<Integer> work = () -> {
                        start.await();
                        int ok = 0;
                        for (int i = 0; i < perThread; i++) {
                            LeanixResponse r = (id + i) % 3 == 0
                                ? client.request("GET", FACT_SHEETS + "?pageSize=1", null, null)
                                : client.get(FACT_SHEETS + "?pageSize=1");
                            ok += r.status() == 200 ? 1 : 0;
                        }
                        return ok;
                    };
                    results.add(pool.submit(work));
                }
                int ok = 0;
                for (Future<Integer> f : results) {
                    ok += f.get(60, TimeUnit.SECONDS);
                }
                assertEquals(threads * perThread, ok);
            } finally {
                pool.shutdownNow();
            }
            assertEquals(1, sandbox.tokenExchanges(), "16 threads on a cold client: exactly one exchange");
            assertEquals(threads * perThread, requests("factSheets", 200));
        }
    }

    @Test
    void closeIsIdempotentAndUseAfterCloseIsClear() {
        LeanixClient client = builder().build();
        assertEquals(200, client.get(FACT_SHEETS + "?pageSize=1").status());
        assertFalse(client.isClosed());
        client.close();
        client.close();
        assertTrue(client.isClosed());
        assertTrue(client.toString().contains("closed"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> client.get(FACT_SHEETS));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> client.request("GET", FACT_SHEETS, null, null));
        assertThrows(IllegalStateException.class, () -> client.graphql("{ allFactSheets(first: 1) { totalCount } }"));
        assertThrows(IllegalStateException.class, () -> client.graphqlAll("{ x }", null));
        assertThrows(IllegalStateException.class, client::accessToken);
        assertThrows(IllegalStateException.class, client::claimsJson);
        assertThrows(IllegalStateException.class, client::claims);
    }

    @Test
    void closeWhileManyThreadsAreCallingNeverCrashes() throws Exception {
        LeanixClient client = builder().build();
        client.accessToken();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                results.add(pool.submit(() -> {
                    try {
                        while (true) {
                            client.get(FACT_SHEETS + "?pageSize=1");
                        }
                    } catch (CancelledException | IllegalStateException expected) {
                        return expected.getClass().getSimpleName();
                    }
                }));
            }
            Thread.sleep(300);
            client.close();
            for (Future<String> f : results) {
                String how = f.get(10, TimeUnit.SECONDS);
                assertTrue(how.equals("CancelledException") || how.equals("IllegalStateException"), how);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // ---------------------------------------------------------------- the token cache

    /**
     * Clients with one token cache directory (each standing for a process: separate native
     * clients, separate file locks) started together make one exchange; a later one takes the
     * stored token; a 0644 file is ignored with an event and replaced; forgetToken() removes it.
     */
    @Test
    void tokenCacheIsSharedBetweenClients(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("leanix");
        int n = 8;
        sandbox.fault("{\"endpoint\":\"token\",\"kind\":\"stall\",\"ms\":300,\"times\":1}");
        List<LeanixClient> clients = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            for (int i = 0; i < n; i++) {
                clients.add(builder().tokenCacheDir(dir).build());
            }
            CyclicBarrier start = new CyclicBarrier(n);
            List<Future<Integer>> results = new ArrayList<>();
            for (LeanixClient c : clients) {
                results.add(pool.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    return c.get(FACT_SHEETS + "?pageSize=1").status();
                }));
            }
            for (Future<Integer> f : results) {
                assertEquals(200, f.get(30, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
            clients.forEach(LeanixClient::close);
        }
        assertEquals(1, sandbox.tokenExchanges(), "one exchange for " + n + " clients");
        List<Path> files;
        try (var list = Files.list(dir)) {
            files = list.filter(p -> p.toString().endsWith(".json")).toList();
        }
        assertEquals(1, files.size(), files.toString());
        Path file = files.get(0);
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));

        List<LeanixEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (LeanixClient later = builder().tokenCacheDir(dir).eventListener(events::add).build()) {
            later.get(FACT_SHEETS + "?pageSize=1");
        }
        assertEquals(List.of(LeanixEvent.Kind.TOKEN_LOADED), events.stream().map(LeanixEvent::kind).toList());
        assertEquals(1, sandbox.tokenExchanges());

        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        events.clear();
        try (LeanixClient c = builder().tokenCacheDir(dir).eventListener(events::add).build()) {
            c.get(FACT_SHEETS + "?pageSize=1");
            LeanixEvent ignored = events.stream().filter(e -> e.kind() == LeanixEvent.Kind.TOKEN_CACHE_IGNORED)
                .findFirst().orElseThrow(() -> new AssertionError("no TOKEN_CACHE_IGNORED in " + events));
            assertEquals(file.toString(), ignored.details().get("path"));
            assertTrue(String.valueOf(ignored.details().get("reason")).contains("has mode 0644"), ignored.toString());
            assertEquals(2, sandbox.tokenExchanges());
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));

            assertTrue(c.forgetToken(), "removed");
            assertFalse(Files.exists(file));
            assertFalse(c.forgetToken(), "nothing left");
            c.get(FACT_SHEETS + "?pageSize=1");
            assertEquals(3, sandbox.tokenExchanges(), "the next call exchanges");
        }
        // Off by default, and tokenCache(false) after tokenCacheDir() turns it off.
        try (LeanixClient plain = builder().build(); LeanixClient off = builder().tokenCacheDir(dir).tokenCache(false).build()) {
            plain.get(FACT_SHEETS + "?pageSize=1");
            off.get(FACT_SHEETS + "?pageSize=1");
            assertFalse(plain.forgetToken());
        }
        assertEquals(5, sandbox.tokenExchanges());
        assertEquals(Optional.of("0"), LeanixClient.optionDefault("token_cache"));
    }

    // ---------------------------------------------------------------- secrets, versions

    @Test
    void builderAndClientNeverShowTheToken() {
        LeanixClient.Builder b = builder().proxy("http://user:pw@proxy.example:3128");
        String s = b.toString();
        assertFalse(s.contains(sandbox.adminToken()), s);
        assertFalse(s.contains("pw@"), s);
        assertTrue(s.contains(sandbox.url()), s);
        try (LeanixClient client = builder().build()) {
            assertFalse(client.toString().contains(sandbox.adminToken()));
        }
    }

    @Test
    void libraryVersionAndAbi() {
        org.libleanix.spi.LeanixBackend b = LeanixClient.selectBackend(backend());
        assertEquals(backend(), b.name());
        assertTrue(b.libraryVersion().matches("\\d+\\.\\d+\\.\\d+.*"), b.libraryVersion());
    }
}
