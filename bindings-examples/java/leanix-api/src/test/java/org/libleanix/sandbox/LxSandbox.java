package org.libleanix.sandbox;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.libleanix.TestJson;

/**
 * Runs {@code lx-sandbox}, the project's LeanIX emulator, as a child process, for tests, examples
 * and benchmarks, and talks to its control API ({@code /_sandbox/...}).
 *
 * <p>The sandbox prints its URL, an ADMIN API token and a VIEWER API token on its first three
 * lines and exits when its standard input closes, so it never outlives this JVM; {@link #close()}
 * closes the pipe and waits for it.
 *
 * <p>The executable is named by the system property {@code leanix.sandbox.path} or the
 * environment variable {@code LX_SANDBOX} (or {@code LX_SANDBOX_BIN}); nothing is searched. The
 * Maven build passes {@code target/release/lx-sandbox} of the cargo workspace, which it builds;
 * {@code run-tests.sh} passes the one it is given.
 *
 * <p>A test helper: it ships in {@code leanix-api}'s test-jar
 * ({@code <type>test-jar</type>}), never in the API jar.
 */
public final class LxSandbox implements AutoCloseable {
    /** The system property naming the {@code lx-sandbox} executable. */
    public static final String PROPERTY = "leanix.sandbox.path";
    /** The environment variable naming the {@code lx-sandbox} executable. */
    public static final String ENV = "LX_SANDBOX";
    /** The same, as the Python benchmark spells it (read when {@link #ENV} is not set). */
    public static final String ENV_BIN = "LX_SANDBOX_BIN";

    private final Process process;
    private final String url;
    private final String adminToken;
    private final String viewerToken;
    private final HttpClient http;
    private final Deque<String> stderrTail;

    private LxSandbox(Process process, String url, String adminToken, String viewerToken, Deque<String> stderrTail) {
        this.process = process;
        this.stderrTail = stderrTail;
        this.url = url;
        this.adminToken = adminToken;
        this.viewerToken = viewerToken;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    }

    /**
     * Starts {@code lx-sandbox --port 0} with extra arguments (e.g. {@code --tls},
     * {@code --ca-out FILE}, {@code --token-lifetime 5}).
     *
     * @param extraArgs further command-line arguments
     * @return the running sandbox
     * @throws IllegalStateException if it cannot be found or does not start within 30 s
     */
    public static LxSandbox start(String... extraArgs) {
        Path exe = findExecutable();
        List<String> cmd = new ArrayList<>();
        cmd.add(exe.toString());
        cmd.add("--port");
        cmd.add("0");
        cmd.addAll(Arrays.asList(extraArgs));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectInput(ProcessBuilder.Redirect.PIPE);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + exe + ": " + e.getMessage(), e);
        }
        Deque<String> tail = new ArrayDeque<>();
        drain(p.getErrorStream(), tail, "lx-sandbox-stderr");
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        // With --api-token the sandbox prints its URL only; otherwise URL, admin and viewer tokens.
        int expected = cmd.contains("--api-token") ? 1 : 3;
        CompletableFuture<String[]> lines = CompletableFuture.supplyAsync(() -> {
            try {
                String[] l = new String[3];
                for (int i = 0; i < expected; i++) {
                    l[i] = out.readLine();
                    if (l[i] == null) {
                        return null;
                    }
                }
                return l;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        String[] l;
        try {
            l = lines.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IllegalStateException("interrupted while starting lx-sandbox", e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            p.destroyForcibly();
            throw new IllegalStateException("lx-sandbox did not start: " + e + "; stderr: " + tail(tail), e);
        }
        if (l == null || !l[0].startsWith("http")) {
            p.destroyForcibly();
            throw new IllegalStateException("lx-sandbox did not print its URL and tokens (" + cmd + "); stderr: "
                + tail(tail));
        }
        // Keep reading stdout so that the sandbox never blocks on a full pipe.
        drain(p.getInputStream(), new ArrayDeque<>(), "lx-sandbox-stdout");
        return new LxSandbox(p, l[0].trim(), l[1] == null ? null : l[1].trim(), l[2] == null ? null : l[2].trim(),
            tail);
    }

    /**
     * The executable named as described in the class comment.
     *
     * @return its path
     * @throws IllegalStateException if none is named, or the file is not executable
     */
    public static Path findExecutable() {
        String explicit = System.getProperty(PROPERTY);
        if (explicit == null || explicit.isBlank()) {
            explicit = System.getenv(ENV);
        }
        if (explicit == null || explicit.isBlank()) {
            explicit = System.getenv(ENV_BIN);
        }
        if (explicit != null && !explicit.isBlank()) {
            Path p = Paths.get(explicit.trim());
            if (!Files.isExecutable(p)) {
                throw new IllegalStateException("lx-sandbox not found at " + p);
            }
            return p;
        }
        throw new IllegalStateException("lx-sandbox not named: set -D" + PROPERTY + " or " + ENV
            + " to the executable (built by `cargo build -p leanix-sandbox`)");
    }

    /** @return the origin, e.g. {@code http://127.0.0.1:41234} (or {@code https://} with {@code --tls}) */
    public String url() {
        return url;
    }

    /** @return the API token of the ADMIN technical user (null if given with {@code --api-token}) */
    public String adminToken() {
        return adminToken;
    }

    /** @return the API token of the VIEWER technical user (403 on writes; null with {@code --api-token}) */
    public String viewerToken() {
        return viewerToken;
    }

    /** @return {@code GET /_sandbox/stats}, parsed */
    public Map<String, Object> stats() {
        return TestJson.parseObject(call("GET", "/_sandbox/stats", null));
    }

    /** @return the number of successful token exchanges so far (since the last reset) */
    public long tokenExchanges() {
        return ((Number) stats().get("token_exchanges")).longValue();
    }

    /**
     * The requests an endpoint answered with a status, from {@code /_sandbox/stats}.
     *
     * @param endpoint e.g. {@code factSheets}
     * @param status e.g. 200
     * @return the count since the last reset
     */
    public long requests(String endpoint, int status) {
        Object n = TestJson.at(stats(), "requests", endpoint, Integer.toString(status));
        return n == null ? 0 : ((Number) n).longValue();
    }

    /** @return the number of calls of the token endpoint so far, failed ones included */
    public long tokenRequests() {
        return ((Number) stats().get("token_requests")).longValue();
    }

    /**
     * @return how many requests a {@code stall} fault holds right now (not cleared by {@link #reset()});
     *     a test waits for it instead of sleeping until its request has arrived
     */
    public long stalled() {
        return ((Number) stats().get("stalled")).longValue();
    }

    /** {@code POST /_sandbox/reset}: clears counters, faults and rate-limit windows. */
    public void reset() {
        call("POST", "/_sandbox/reset", "{}");
    }

    /**
     * {@code POST /_sandbox/faults}.
     *
     * @param json the fault, e.g. {@code {"endpoint":"factSheets","kind":"status","status":503,"times":2}}
     */
    public void fault(String json) {
        call("POST", "/_sandbox/faults", json);
    }

    /**
     * {@code POST /_sandbox/revoke}.
     *
     * @param json e.g. {@code {"access_tokens":true}}
     */
    public void revoke(String json) {
        call("POST", "/_sandbox/revoke", json);
    }

    /**
     * {@code POST /_sandbox/config}.
     *
     * @param json e.g. {@code {"token_lifetime_secs":5}}
     */
    public void config(String json) {
        call("POST", "/_sandbox/config", json);
    }

    /**
     * Calls the control API.
     *
     * @param method GET or POST
     * @param path e.g. {@code /_sandbox/stats}
     * @param json the body, or null
     * @return the response body
     * @throws IllegalStateException if the answer is not 2xx
     */
    public String call(String method, String path, String json) {
        if (url.startsWith("https:")) {
            throw new IllegalStateException("the control API of a --tls sandbox needs its CA; not supported here");
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(10));
        if (json == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) {
                throw new IllegalStateException(method + " " + path + " answered " + r.statusCode() + ": " + r.body());
            }
            return r.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** @return whether the process is still running */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** @return the last lines the sandbox wrote to stderr (for diagnostics) */
    public String stderrTail() {
        return tail(stderrTail);
    }

    /** Closes the sandbox's stdin (it exits then) and waits up to 5 s before killing it. */
    @Override
    public void close() {
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // already closed
        }
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "LxSandbox[" + url + "]";
    }

    private static void drain(InputStream in, Deque<String> tail, String name) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (tail) {
                        tail.addLast(line);
                        while (tail.size() > 20) {
                            tail.removeFirst();
                        }
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, name);
        t.setDaemon(true);
        t.start();
    }

    private static String tail(Deque<String> tail) {
        synchronized (tail) {
            return String.join("\n", tail);
        }
    }
}
