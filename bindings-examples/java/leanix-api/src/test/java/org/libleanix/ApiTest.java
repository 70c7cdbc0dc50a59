package org.libleanix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.libleanix.spi.BackendClient;
import org.libleanix.spi.LeanixBackend;
import org.libleanix.spi.LibraryLocator;
import org.libleanix.spi.NativeCancel;
import org.libleanix.spi.NativeStrings;

/** Unit tests of leanix-api that need no native library. */
class ApiTest {
    @Test
    void everyStatusMapsToItsException() {
        Object[][] expected = {
            {1, InvalidArgumentException.class}, {2, InvalidArgumentException.class},
            {3, ConfigException.class}, {4, InvalidCredentialsException.class},
            {5, UnauthorizedException.class}, {6, ForbiddenException.class},
            {7, RateLimitedException.class}, {8, HttpException.class}, {9, TimeoutException.class},
            {10, ConnectException.class}, {11, TlsException.class}, {12, InvalidResponseException.class},
            {13, GraphQlException.class}, {14, RedirectException.class}, {15, CancelledException.class},
            {16, ForkedException.class}, {17, PanicException.class}, {18, LeanixException.class},
            {19, ResponseTooLargeException.class}, {20, RecursiveCallException.class},
            {99, LeanixException.class},
        };
        for (Object[] row : expected) {
            int code = (Integer) row[0];
            LeanixException e = LeanixException.of(code, "m", 0, null, -1);
            assertEquals(row[1], e.getClass(), "code " + code);
            assertEquals(code, e.code());
            assertInstanceOf(RuntimeException.class, e);
        }
        assertEquals("LX_ERR_NOT_FOUND", LeanixException.statusName(18));
        assertEquals("LX_ERR_RECURSIVE_CALL", LeanixException.statusName(20));
    }

    @Test
    void httpFailuresAreHttpExceptionsWithTheirResponse() {
        LeanixResponse body = new LeanixResponse(404, List.of(Map.entry("x-request-id", "r1")),
            "{\"status\":\"ERROR\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        LeanixException e = LeanixException.of(Status.LX_ERR_HTTP, "not there", 404, null, -1, body, null);
        NotFoundException nf = assertInstanceOf(NotFoundException.class, e);
        assertEquals(Status.LX_ERR_HTTP, nf.code());
        assertSame(body, nf.response());
        assertFalse(body.isSuccess());
        // raiseForStatus throws a new exception of the same class, with this caller's stack
        NotFoundException again = assertThrows(NotFoundException.class, body::raiseForStatus);
        assertEquals("not there", again.getMessage());
        assertNotSame(nf, again);
        for (int code : new int[] {Status.LX_ERR_UNAUTHORIZED, Status.LX_ERR_FORBIDDEN, Status.LX_ERR_RATE_LIMITED,
                Status.LX_ERR_REDIRECT, Status.LX_ERR_HTTP}) {
            assertInstanceOf(HttpException.class, LeanixException.of(code, "m", 500, null, -1));
        }
        HttpException bare = assertInstanceOf(HttpException.class, LeanixException.of(8, "m", 500, null, -1));
        assertEquals(500, bare.response().status(), "no body kept: an empty response with the status");
        LeanixResponse ok = new LeanixResponse(204, List.of(), null);
        assertSame(ok, ok.raiseForStatus());
        assertEquals("LX_ERR_UNKNOWN", LeanixException.statusName(99));
    }

    @Test
    void exceptionDetails() {
        LeanixException e = LeanixException.of(7, "rate limited", 429, null, 3_600_000);
        assertEquals(Optional.of(Duration.ofHours(1)), e.retryAfter());
        assertEquals(429, e.httpStatus().getAsInt());
        assertEquals("org.libleanix.RateLimitedException: LX_ERR_RATE_LIMITED (HTTP 429): rate limited", e.toString());
        LeanixException c = LeanixException.of(4, "rejected", 401, "invalid_client", -1);
        assertEquals(Optional.of("invalid_client"), c.oauthError());
        assertTrue(c.retryAfter().isEmpty());
        assertTrue(LeanixException.of(9, "t", 0, null, -1).httpStatus().isEmpty());
    }

    @Test
    void builderToStringMasksSecrets() {
        String s = LeanixClient.builder().host("acme.leanix.net").apiToken("s3cret-token")
            .proxy("http://u:p@proxy:3128").caPem("-----BEGIN CERTIFICATE-----").option("custom_secret", "x1")
            .requestTimeout(Duration.ofSeconds(3)).toString();
        assertFalse(s.contains("s3cret-token"), s);
        assertFalse(s.contains("u:p"), s);
        assertFalse(s.contains("x1"), s);
        assertTrue(s.contains("host=acme.leanix.net"), s);
        assertTrue(s.contains("request_timeout_ms=3000"), s);
    }

    @Test
    void requestToStringShowsNoQueryValues() {
        LeanixRequest r = LeanixRequest.newBuilder("/services/pathfinder/v1/factSheets?apiKey=s3cret&pageSize=1&flag")
            .header("Authorization", "Bearer t0ken").build();
        assertEquals("LeanixRequest[GET /services/pathfinder/v1/factSheets?apiKey=…&pageSize=…&flag=…]", r.toString());
        assertEquals("LeanixRequest[GET /plain]", LeanixRequest.newBuilder("/plain").build().toString());
    }

    @Test
    void durationsMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> LeanixClient.builder().requestTimeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class,
            () -> LeanixClient.builder().connectTimeout(Duration.ofMillis(-1)));
        assertTrue(LeanixClient.builder().tokenTimeout(Duration.ofNanos(1)).toString().contains("token_timeout_ms=1"));
        assertEquals(1501, LeanixClient.millis("t", Duration.ofMillis(1500).plusNanos(1)), "rounded up, never down");
        assertEquals(1500, LeanixClient.millis("t", Duration.ofMillis(1500)));
        assertThrows(IllegalArgumentException.class, () -> LeanixRequest.newBuilder("/").timeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> LeanixClient.builder().maxResponseBytes(0));
    }

    @Test
    void headerLinesRefuseLineBreaks() {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Accept", "application/json");
        h.put("X-Id", "42");
        assertEquals("Accept: application/json\nX-Id: 42\n", LeanixClient.headerLines(h));
        assertNull(LeanixClient.headerLines(Map.of()));
        assertThrows(InvalidArgumentException.class, () -> LeanixClient.headerLines(Map.of("A", "b\r\nHost: x")));
        assertThrows(InvalidArgumentException.class, () -> LeanixClient.headerLines(Map.of("A:B", "c")));
    }

    @Test
    void nativeStrings() {
        assertEquals(4, NativeStrings.utf8z("x", "\u00e9t").length);
        assertNull(NativeStrings.utf8z("x", null));
        assertThrows(InvalidArgumentException.class, () -> NativeStrings.utf8z("path", "a\0b"));
    }

    @Test
    void json() {
        Object v = Json.parse(" {\"a\": [1, -2.5e1, true, null, \"x\\n\\u00e9\"], \"b\": {}} ");
        assertEquals(List.of(1L, -25.0, true), ((List<?>) Json.at(v, "a")).subList(0, 3));
        assertNull(Json.at(v, "a", 3));
        assertEquals("x\n\u00e9", Json.at(v, "a", 4));
        assertEquals(Map.of(), Json.at(v, "b"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\":}"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("[1] x"));
        assertEquals("\"a\\\"b\\n\"", Json.quote("a\"b\n"));
        assertEquals("{\"x\": [1, \"}\"]}", Json.rawMember("{\"errors\":[{\"m\":\"a\\\"b\"}],\"data\":{\"x\": [1, \"}\"]}}", "data"));
        assertEquals("null", Json.rawMember("{\"data\":null}", "data"));
        assertNull(Json.rawMember("{}", "data"));
    }

    /**
     * The enumerators of {@code leanix.h} ({@code NAME = number,} lines) whose name matches.
     *
     * @param name a pattern of the name whose group 1 is the key
     * @return key to number, in the header's order
     */
    private static Map<String, Integer> headerEnum(String name) throws java.io.IOException {
        Map<String, Integer> values = new LinkedHashMap<>();
        Matcher m = Pattern.compile("^\\s*" + name + " = (\\d+),", Pattern.MULTILINE).matcher(SandboxTestBase.headerText());
        while (m.find()) {
            values.put(m.group(1), Integer.parseInt(m.group(m.groupCount())));
        }
        return values;
    }

    @Test
    void statusConstantsAreTheHeaders() throws Exception {
        // The stable numbers of leanix.h, read from the header itself (surefire passes its path).
        Map<String, Integer> header = headerEnum("(LX_(?:OK|ERR_\\w+|REQUEST_\\w+|LDIF_\\w+|UPDATE_\\w+))");
        Map<String, Integer> java = new LinkedHashMap<>();
        for (Field f : Status.class.getFields()) {
            java.put(f.getName(), f.getInt(null));
        }
        assertEquals(header, java, "org.libleanix.Status and leanix.h");
        for (Map.Entry<String, Integer> e : header.entrySet()) {
            if (e.getKey().equals("LX_OK") || e.getKey().startsWith("LX_ERR_")) {
                assertEquals(e.getKey(), Status.name(e.getValue()), "every status has its name");
            }
        }
        Matcher abi = Pattern.compile("#define LX_ABI_VERSION (\\d+)").matcher(SandboxTestBase.headerText());
        assertTrue(abi.find());
        assertEquals(Integer.parseInt(abi.group(1)), org.libleanix.spi.LeanixBackend.ABI_VERSION);
    }

    @Test
    void eventKindsAreTheHeaders() throws Exception {
        Map<String, Integer> header = headerEnum("LX_EVENT_(\\w+)");
        Map<String, Integer> java = new LinkedHashMap<>();
        for (LeanixEvent.Kind k : LeanixEvent.Kind.values()) {
            if (k != LeanixEvent.Kind.OTHER) {
                java.put(k.name(), k.code());
            }
        }
        assertEquals(header, java, "LeanixEvent.Kind and enum lx_event_kind");
        assertEquals(LeanixEvent.Kind.OTHER, new LeanixEvent(99, "{}").kind());
        LeanixEvent retry = new LeanixEvent(5, "{\"event\":\"retry\",\"target\":\"api\",\"attempt\":1,"
            + "\"delay_ms\":200,\"reason\":\"503\"}");
        assertEquals("retry: api attempt 1 failed (503), next in 200 ms", retry.describe());
        assertEquals(Map.of(), new LeanixEvent(1, "not json").details());
    }

    @Test
    void claimsAreTyped() {
        String json = "{\"sub\":\"api@acme\",\"exp\":1700000000,\"iss\":\"https://eu-svc.leanix.net\","
            + "\"instanceUrl\":\"https://app.leanix.net\",\"principal\":{\"username\":\"api@acme\","
            + "\"permission\":{\"workspaceId\":\"ws-1\",\"workspaceName\":\"Acme\",\"role\":\"MEMBER\"}},"
            + "\"custom\":[1,2]}";
        Claims c = Claims.parse(json).orElseThrow();
        assertEquals(Optional.of("api@acme"), c.subject());
        assertEquals(Optional.of("api@acme"), c.username());
        assertEquals(Optional.of("ws-1"), c.workspaceId());
        assertEquals(Optional.of("Acme"), c.workspaceName());
        assertEquals(Optional.of("MEMBER"), c.role());
        assertEquals(Optional.of(java.time.Instant.ofEpochSecond(1_700_000_000L)), c.expiresAt());
        assertEquals(Optional.of("https://eu-svc.leanix.net"), c.issuer());
        assertEquals(Optional.of("https://app.leanix.net"), c.instanceUrl());
        assertEquals(Optional.empty(), c.region(), "older tokens have no region");
        assertEquals(List.of(1L, 2L), c.raw().get("custom"));
        assertEquals(json, c.json());
        assertEquals("Claims[subject=api@acme, workspace=Acme, role=MEMBER, expiresAt=2023-11-14T22:13:20Z]",
            c.toString());
        // A claim of an unexpected type reads as empty instead of failing.
        assertEquals(Optional.empty(), Claims.parse("{\"principal\":\"x\",\"exp\":\"soon\"}").orElseThrow().role());
        assertEquals(Optional.empty(), Claims.parse(" null ").map(Claims::subject), "an opaque token has no claims");
        assertThrows(IllegalArgumentException.class, () -> Claims.parse("[1]"));
    }

    @Test
    void headerBlockIsSplitIntoPairs() {
        byte[] block = "content-type: application/json\nx-empty: \nset-cookie: a=1; b=2\nset-cookie: c=3\nx-url: http://h:1/p\n"
            .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(List.of(Map.entry("content-type", "application/json"), Map.entry("x-empty", ""),
                Map.entry("set-cookie", "a=1; b=2"), Map.entry("set-cookie", "c=3"), Map.entry("x-url", "http://h:1/p")),
            NativeStrings.headers(block));
        assertEquals(List.of(), NativeStrings.headers(new byte[0]));
    }

    /** A backend double for the selection rule: loads or fails as told, never touches native code. */
    private static final class FakeBackend implements LeanixBackend {
        final String name;
        final boolean supported;
        final boolean loads;
        int loadCalls;

        FakeBackend(String name, boolean supported, boolean loads) {
            this.name = name;
            this.supported = supported;
            this.loads = loads;
        }

        @Override public String name() { return name; }
        @Override public int priority() { return 0; }
        @Override public boolean isSupported() { return supported; }

        @Override
        public void load() {
            loadCalls++;
            if (!loads) {
                throw new UnsatisfiedLinkError(name + " cannot load here");
            }
        }

        @Override public LibraryLocator.Location libraryLocation() { throw new UnsupportedOperationException(); }
        @Override public String libraryVersion() { throw new UnsupportedOperationException(); }
        @Override public BackendClient newClient(List<Map.Entry<String, String>> options, long eventSink) {
            throw new UnsupportedOperationException();
        }
        @Override public NativeCancel newCancel() { throw new UnsupportedOperationException(); }
        @Override public Optional<String> optionDefault(String key) { throw new UnsupportedOperationException(); }
    }

    private static Map<String, LeanixBackend> byName(LeanixBackend... backends) {
        Map<String, LeanixBackend> m = new LinkedHashMap<>();
        for (LeanixBackend b : backends) {
            m.put(b.name(), b);
        }
        return m;
    }

    @Test
    void automaticChoiceFallsBackWhenThePreferredBackendCannotLoad() {
        FakeBackend panama = new FakeBackend("panama", true, false);
        FakeBackend jna = new FakeBackend("jna", true, true);
        assertEquals("jna", LeanixClient.choose(byName(panama, jna), null).name());
        assertEquals(1, panama.loadCalls, "panama was tried first");

        FakeBackend newer = new FakeBackend("panama", false, true);
        assertEquals("jna", LeanixClient.choose(byName(newer, jna), " ").name());
        assertEquals(0, newer.loadCalls, "a backend for a newer Java is not even tried");

        UnsatisfiedLinkError none = assertThrows(UnsatisfiedLinkError.class,
            () -> LeanixClient.choose(byName(panama, new FakeBackend("jna", true, false)), null));
        assertTrue(none.getMessage().contains("panama: panama cannot load here"), none.getMessage());
        assertTrue(none.getMessage().contains("jna: jna cannot load here"), none.getMessage());
        assertEquals(2, none.getSuppressed().length);
    }

    @Test
    void aNamedBackendIsNeverReplaced() {
        FakeBackend panama = new FakeBackend("panama", true, false);
        FakeBackend jna = new FakeBackend("jna", true, true);
        UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class,
            () -> LeanixClient.choose(byName(panama, jna), "Panama"));
        assertEquals("panama cannot load here", e.getMessage());
        assertEquals(0, jna.loadCalls);
        IllegalStateException old = assertThrows(IllegalStateException.class,
            () -> LeanixClient.choose(byName(new FakeBackend("panama", false, true), jna), "panama"));
        assertTrue(old.getMessage().contains("does not run on Java"), old.getMessage());
        assertThrows(IllegalStateException.class, () -> LeanixClient.choose(byName(), null));
    }

    @Test
    void noBackendNamedLikeThat() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
            () -> LeanixClient.builder().backend("nope").build());
        assertTrue(e.getMessage().contains("nope"), e.getMessage());
    }
}
