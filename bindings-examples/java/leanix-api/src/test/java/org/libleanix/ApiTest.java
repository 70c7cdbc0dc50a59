package org.libleanix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.libleanix.internal.Json;
import org.libleanix.spi.LibraryLocator;
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
    void durationsMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> LeanixClient.builder().requestTimeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class,
            () -> LeanixClient.builder().connectTimeout(Duration.ofMillis(-1)));
        assertTrue(LeanixClient.builder().tokenTimeout(Duration.ofNanos(1)).toString().contains("token_timeout_ms=1"));
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
    void abiCheckIsClear() {
        LibraryLocator.checkAbi(1, "here");
        UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class, () -> LibraryLocator.checkAbi(2, "/x/libleanix.so"));
        assertTrue(e.getMessage().contains("ABI version 2"), e.getMessage());
        assertTrue(e.getMessage().contains("needs ABI version 1"), e.getMessage());
    }

    @Test
    void libraryLookup(@TempDir Path dir) throws Exception {
        String old = System.getProperty(LibraryLocator.PROPERTY);
        try {
            System.setProperty(LibraryLocator.PROPERTY, dir.resolve("missing.so").toString());
            UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class, LibraryLocator::locate);
            assertTrue(e.getMessage().contains(LibraryLocator.PROPERTY), e.getMessage());

            Path lib = Files.createFile(dir.resolve(System.mapLibraryName("leanix")));
            System.setProperty(LibraryLocator.PROPERTY, dir.toString());
            assertEquals(lib.toAbsolutePath(), LibraryLocator.locate().path());

            Path nested = Files.createDirectories(dir.resolve("a/b/c"));
            Path debug = Files.createDirectories(dir.resolve("target/debug")).resolve("libx.so");
            Files.createFile(debug);
            assertEquals(debug, LibraryLocator.findInBuildTree(nested, "libx.so"));
            Path release = Files.createDirectories(dir.resolve("target/release")).resolve("libx.so");
            Files.createFile(release);
            assertEquals(release, LibraryLocator.findInBuildTree(nested, "libx.so"), "release preferred");
        } finally {
            if (old == null) {
                System.clearProperty(LibraryLocator.PROPERTY);
            } else {
                System.setProperty(LibraryLocator.PROPERTY, old);
            }
        }
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
    }

    @Test
    void noBackendNamedLikeThat() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
            () -> LeanixClient.builder().backend("nope").build());
        assertTrue(e.getMessage().contains("nope"), e.getMessage());
    }
}
