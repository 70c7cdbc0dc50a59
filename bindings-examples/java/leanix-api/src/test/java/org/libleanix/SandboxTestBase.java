package org.libleanix;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.libleanix.sandbox.LxSandbox;

/**
 * What the contract tests share: one {@code lx-sandbox} per test class (faults and counters reset
 * before each test), a client builder for it with the backend under test, and helpers. A
 * backend's test module subclasses the contracts and names its backend; they travel in
 * leanix-api's test-jar.
 */
public abstract class SandboxTestBase {
    /** The REST fact-sheet collection. */
    protected static final String FACT_SHEETS = "/services/pathfinder/v1/factSheets";
    /** An API token the sandbox does not know. */
    protected static final String WRONG_TOKEN = "wrong-api-token-0123456789abcdef";

    /** The sandbox shared by the tests of one class; faults and counters are reset before each. */
    protected static LxSandbox sandbox;

    /** @return the backend under test ({@code "jna"} or {@code "panama"}) */
    protected abstract String backend();

    @BeforeAll
    static void startSandbox() {
        sandbox = LxSandbox.start();
    }

    @AfterAll
    static void stopSandbox() {
        if (sandbox != null) {
            sandbox.close();
            sandbox = null;
        }
    }

    @BeforeEach
    void resetSandbox() {
        sandbox.reset();
    }

    /** A builder for the shared sandbox with the ADMIN token and this backend. */
    protected LeanixClient.Builder builder() {
        return LeanixClient.builder()
            .backend(backend())
            .host(sandbox.url())
            .apiToken(sandbox.adminToken())
            .insecureLoopback(true)
            .connectTimeout(Duration.ofSeconds(5))
            .requestTimeout(Duration.ofSeconds(20));
    }

    /** Asserts that neither the message nor toString() of an exception shows a credential. */
    protected static void assertNoSecret(Throwable e, String... more) {
        List<String> secrets = new ArrayList<>(List.of(sandbox.adminToken(), sandbox.viewerToken(), WRONG_TOKEN));
        secrets.addAll(List.of(more));
        for (String secret : secrets) {
            String m = String.valueOf(e.getMessage());
            assertFalse(m.contains(secret), () -> "the message shows a secret: " + m);
            assertFalse(e.toString().contains(secret), () -> "toString() shows a secret: " + e);
        }
    }

    /** @return {@code /_sandbox/stats} requests of an endpoint with a status */
    protected static long requests(String endpoint, int status) {
        return sandbox.requests(endpoint, status);
    }

    /** @return the text of {@code leanix.h} (surefire passes its path as {@code leanix.header}) */
    protected static String headerText() throws java.io.IOException {
        return Files.readString(Path.of(System.getProperty("leanix.header")));
    }

    /**
     * A constant of {@code leanix.h} ({@code #define NAME value}), read from the header itself
     * (surefire passes its path), so that tests repeat no number of the library's.
     *
     * @param name e.g. {@code LX_DEFAULT_MAX_PAGES}
     * @return its value as written
     */
    protected static String headerDefine(String name) throws java.io.IOException {
        Matcher m = Pattern.compile("#define " + name + " (\\S+)").matcher(headerText());
        if (!m.find()) {
            throw new AssertionError(name + " is not in leanix.h");
        }
        return m.group(1);
    }

    /**
     * @return the Java binding's directory ({@code bindings-examples/java}): Surefire runs in the
     *     backend's module directory, beside leanix-api and the README
     */
    protected static Path javaBindingDir() {
        return Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();
    }

    /**
     * Asserts that each README shows {@code code} as written (lines compared without their
     * leading blanks), so that an example that runs in a test is the one the README teaches.
     *
     * @param code the example's source
     * @param readmes the READMEs that must show it
     */
    protected static void assertReadmesShow(String code, Path... readmes) throws java.io.IOException {
        for (Path readme : readmes) {
            assertTrue(normalizeLines(Files.readString(readme)).contains(normalizeLines(code)),
                () -> readme + " shows the example that runs here, as written");
        }
    }

    /**
     * @param source a test source file (a path below {@code leanix-api/src/test/java})
     * @param begin the line that starts the example
     * @param end the line after it
     * @return the code between the two markers
     */
    protected static String between(String source, String begin, String end) throws java.io.IOException {
        String code = Files.readString(javaBindingDir().resolve("leanix-api/src/test/java").resolve(source));
        int from = code.indexOf(begin);
        int to = code.indexOf(end, from + begin.length());
        if (from < 0 || to < 0) {
            throw new AssertionError(source + " has no " + begin + " ... " + end);
        }
        return code.substring(from + begin.length(), to);
    }

    private static String normalizeLines(String s) {
        return s.replaceAll("(?m)^\\s+", "").trim();
    }

    /** @return whether this JVM has virtual threads (Java 21+) */
    protected static boolean hasVirtualThreads() {
        return Runtime.version().feature() >= 21;
    }

    /** Skips the test on a JVM without virtual threads (before Java 21). */
    protected static void assumeVirtualThreads() {
        assumeTrue(hasVirtualThreads(), "virtual threads need Java 21+");
    }

    /**
     * Starts a virtual thread (Java 21+; the test-jar is Java 17 bytecode, hence reflection).
     *
     * @param task what it runs
     * @return the started thread
     */
    protected static Thread startVirtualThread(Runnable task) {
        try {
            Method m = Thread.class.getMethod("startVirtualThread", Runnable.class);
            return (Thread) m.invoke(null, task);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("no virtual threads on Java " + Runtime.version().feature(), e);
        }
    }
}
