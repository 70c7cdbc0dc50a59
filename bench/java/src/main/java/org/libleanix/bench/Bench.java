package org.libleanix.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.libleanix.LeanixClient;
import org.libleanix.TestJson;
import org.libleanix.sandbox.LxSandbox;
import org.libleanix.spi.LeanixBackend;
import org.libleanix.spi.LibraryLocator;

/**
 * Requests per second of {@code GET /services/pathfinder/v1/factSheets/{id}} against one
 * {@code lx-sandbox}, through the JNA backend, the Panama backend (on Java 22+) and a hand-coded
 * {@code java.net.http.HttpClient} client:
 * <ul>
 * <li>on platform threads (1 and 8 sharing one client), for each backend both ways a blocking
 *     call can wait ({@code -Dleanix.blocking}): {@code jna}/{@code panama} in native code on the
 *     calling thread (the default), {@code jna-async}/{@code panama-async} started with
 *     {@code lx_request_start} and parked on until the completion callback;</li>
 * <li>on virtual threads (300 by default, Java 21+) with the sandbox's {@code latency} fault
 *     (50 ms by default) on the endpoint: the blocking {@code get} of each backend (which parks),
 *     {@code jna-direct} (the native call on the virtual thread: pinned, the figure before the
 *     async design), against {@code HttpClient.send} on the same virtual threads.</li>
 * </ul>
 *
 * <pre>
 * bench/java/run-bench.sh [--quick] [--seconds S] [--warmup S] [--threads 1,8] [--rounds N]
 *                         [--only hand,jna,panama,jna-async,panama-async,jna-direct]
 *                         [--vthreads 300] [--latency-ms 50] [--no-vthreads] [--no-platform]
 *                         [--json FILE] [--check]
 * </pre>
 *
 * <p>A timed loop: each run warms up, then counts completed requests for a fixed time; with
 * {@code --rounds N} every configuration runs N times, interleaved, and the median counts.
 */
public final class Bench {
    /** Targets: ratio name to the minimum. */
    private static final Map<String, Double> TARGETS = new LinkedHashMap<>();

    static {
        TARGETS.put("panama_1t_vs_hand_1t", 0.9);
        TARGETS.put("jna_1t_vs_hand_1t", 0.8);
        TARGETS.put("panama_8t_vs_hand_8t", 1.0);
        TARGETS.put("jna_8t_vs_hand_8t", 1.0);
        TARGETS.put("panama_vt300_vs_hand_vt300", 0.9);
        TARGETS.put("jna_vt300_vs_hand_vt300", 0.9);
    }

    private Bench() {}

    /** One GET; returns the body length. */
    @FunctionalInterface
    interface Call {
        int get() throws Exception;
    }

    /** A client under test. */
    interface Subject extends AutoCloseable {
        Call call(String path);

        @Override
        void close();
    }

    /**
     * Runs the benchmark.
     *
     * @param argv see the class comment
     * @throws Exception on failure
     */
    public static void main(String[] argv) throws Exception {
        List<String> args = new ArrayList<>();
        for (String a : argv) {
            for (String part : a.trim().split("\\s+")) {
                if (!part.isEmpty()) {
                    args.add(part);
                }
            }
        }
        double seconds = 5;
        double warmup = 2;
        int rounds = 1;
        List<Integer> threadCounts = List.of(1, 8);
        List<String> only = null;
        String json = null;
        boolean check = false;
        int vthreads = 300;
        long latencyMs = 50;
        boolean virtual = Runtime.version().feature() >= 21;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--quick":
                    seconds = 1;
                    warmup = 0.3;
                    rounds = 1;
                    break;
                case "--seconds":
                    seconds = Double.parseDouble(args.get(++i));
                    break;
                case "--warmup":
                    warmup = Double.parseDouble(args.get(++i));
                    break;
                case "--rounds":
                    rounds = Integer.parseInt(args.get(++i));
                    break;
                case "--threads":
                    threadCounts = new ArrayList<>();
                    for (String t : args.get(++i).split(",")) {
                        threadCounts.add(Integer.parseInt(t.trim()));
                    }
                    break;
                case "--only":
                    only = List.of(args.get(++i).split(","));
                    break;
                case "--json":
                    json = args.get(++i);
                    break;
                case "--check":
                    check = true;
                    break;
                case "--vthreads":
                    vthreads = Integer.parseInt(args.get(++i));
                    break;
                case "--latency-ms":
                    latencyMs = Long.parseLong(args.get(++i));
                    break;
                case "--no-vthreads":
                    virtual = false;
                    break;
                case "--no-platform":
                    threadCounts = List.of();
                    break;
                case "-h":
                case "--help":
                    System.out.println("usage: Bench [--quick] [--seconds S] [--warmup S] [--threads 1,8] "
                        + "[--rounds N] [--only hand,jna,panama,jna-async,panama-async,jna-direct] [--vthreads N] "
                        + "[--latency-ms MS] [--no-vthreads] [--no-platform] [--json FILE] [--check]");
                    return;
                default:
                    System.err.println("unknown argument " + a);
                    System.exit(2);
            }
        }

        List<String> clients = new ArrayList<>();
        clients.add("hand");
        List<String> backends = new ArrayList<>();
        for (LeanixBackend b : LeanixClient.availableBackends()) {
            if (b.isSupported()) {
                backends.add(b.name());
            } else {
                System.out.println("skipping backend " + b.name() + " (not supported on Java "
                    + Runtime.version().feature() + ")");
            }
        }
        clients.addAll(backends);
        for (String b : backends) {
            clients.add(b + "-async");
        }
        // On virtual threads: the default blocking call of each backend (parks), JNA's native call on
        // the virtual thread (pins: the figure of the design it replaces), HttpClient.send.
        List<String> vclients = new ArrayList<>();
        vclients.add("hand");
        vclients.addAll(backends);
        if (backends.contains("jna")) {
            vclients.add("jna-direct");
        }
        if (only != null) {
            clients.retainAll(only);
            vclients.retainAll(only);
        }
        if (!virtual) {
            vclients.clear();
        }

        LeanixBackend first = LeanixClient.availableBackends().stream().filter(LeanixBackend::isSupported)
            .findFirst().orElseThrow();
        LibraryLocator.Location library = first.libraryLocation();
        // The class path copy is leanix-native's, which `mvn install` builds with cargo --release.
        String libraryProfile = library.source() == LibraryLocator.Source.CLASS_PATH
            ? "release" : profile(library.path());
        Path sandboxExe = LxSandbox.findExecutable();
        String sandboxProfile = profile(sandboxExe);
        System.out.println("java:       " + Runtime.version() + " (" + Runtime.getRuntime().availableProcessors()
            + " cpus)");
        System.out.println("libleanix:  " + library + " [" + libraryProfile + "]");
        System.out.println("lx-sandbox: " + sandboxExe + " [" + sandboxProfile + "]");
        if (!"release".equals(libraryProfile) || !"release".equals(sandboxProfile)) {
            System.out.println("WARNING: debug build(s): the figures say nothing about the targets; build with "
                + "`cargo build --release -p leanix-ffi -p leanix-sandbox`");
        }

        List<Map<String, Object>> results = new ArrayList<>();
        List<Map<String, Object>> vresults = new ArrayList<>();
        long tokenExchanges;
        String path;
        try (LxSandbox sandbox = LxSandbox.start()) {
            try (LeanixClient c = client(sandbox, clients.contains("panama") ? "panama" : "jna")) {
                String data = c.graphql("{ allFactSheets(first: 1) { edges { node { id } } } }");
                path = "/services/pathfinder/v1/factSheets/"
                    + TestJson.at(TestJson.parse(data), "allFactSheets", "edges", 0, "node", "id");
            }
            System.out.println("endpoint:   GET " + path + " at " + sandbox.url());
            System.out.printf(Locale.ROOT, "runs:       %.3g s JIT warm-up per client, then per run %.3g s warm-up + "
                + "%.3g s measured, %d round(s), clients %s%n%n", Math.max(1.0, warmup), warmup, seconds, rounds, clients);

            // JIT warm-up of every client's code path first, so that the client measured first is
            // not the one measured cold.
            double jitWarmup = Math.max(1.0, warmup);
            for (String name : clients) {
                try (Subject s = subject(name, sandbox)) {
                    measure(s.call(path), 2, platformThreads(), 0, jitWarmup);
                }
            }
            Map<String, List<Double>> samples = new LinkedHashMap<>();
            Map<String, long[]> lastCounts = new LinkedHashMap<>();
            Map<String, List<Double>> cpuSamples = new LinkedHashMap<>();
            for (int round = 0; round < rounds; round++) {
                List<String> order = new ArrayList<>(clients);
                java.util.Collections.rotate(order, -round); // a different client goes first each round
                for (int threads : threadCounts) {
                    for (String name : order) {
                        try (Subject s = subject(name, sandbox)) {
                            long[] r = measure(s.call(path), threads, platformThreads(), warmup, seconds);
                            double rps = r[0] / (r[1] / 1e9);
                            String key = name + "/" + threads;
                            samples.computeIfAbsent(key, k -> new ArrayList<>()).add(rps);
                            cpuSamples.computeIfAbsent(key, k -> new ArrayList<>()).add(cpuPerRequest(r));
                            lastCounts.put(key, r);
                            System.out.printf(Locale.ROOT, "  %-13s %2d thread(s): %10.1f req/s, %6.1f us CPU/request%n",
                                name, threads, rps, cpuPerRequest(r));
                        }
                    }
                }
            }
            Map<String, List<Double>> vsamples = new LinkedHashMap<>();
            Map<String, List<Double>> vcpu = new LinkedHashMap<>();
            if (!vclients.isEmpty()) {
                System.out.printf(Locale.ROOT, "%nvirtual threads: %d, each looping GET with %d ms latency on the endpoint%n",
                    vthreads, latencyMs);
                sandbox.fault("{\"endpoint\":\"factSheet\",\"kind\":\"latency\",\"ms\":" + latencyMs + "}");
                try {
                    for (int round = 0; round < rounds; round++) {
                        List<String> order = new ArrayList<>(vclients);
                        java.util.Collections.rotate(order, -round);
                        for (String name : order) {
                            try (Subject s = subject(name, sandbox)) {
                                long[] r = measure(s.call(path), vthreads, virtualThreads(), Math.max(1.0, warmup),
                                    seconds);
                                double rps = r[0] / (r[1] / 1e9);
                                vsamples.computeIfAbsent(name, k -> new ArrayList<>()).add(rps);
                                vcpu.computeIfAbsent(name, k -> new ArrayList<>()).add(cpuPerRequest(r));
                                System.out.printf(Locale.ROOT, "  %-13s %d virtual threads: %10.1f req/s, %6.1f us CPU/request%n",
                                    name, vthreads, rps, cpuPerRequest(r));
                            }
                        }
                    }
                } finally {
                    sandbox.fault("{\"endpoint\":\"factSheet\",\"kind\":\"latency\",\"ms\":0}");
                }
            }
            for (Map.Entry<String, List<Double>> e : vsamples.entrySet()) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("client", e.getKey());
                row.put("virtual_threads", vthreads);
                row.put("latency_ms", latencyMs);
                row.put("rps", round1(median(e.getValue())));
                row.put("rps_samples", e.getValue().stream().map(Bench::round1).toArray());
                row.put("ideal_rps", round1(vthreads * 1000.0 / latencyMs));
                row.put("cpu_us_per_request", round1(median(vcpu.get(e.getKey()))));
                vresults.add(row);
            }
            for (Map.Entry<String, List<Double>> e : samples.entrySet()) {
                String[] k = e.getKey().split("/");
                long[] r = lastCounts.get(e.getKey());
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("client", k[0]);
                row.put("threads", Integer.parseInt(k[1]));
                row.put("rps", round1(median(e.getValue())));
                row.put("rps_samples", e.getValue().stream().map(Bench::round1).toArray());
                row.put("requests_last", r[0]);
                row.put("seconds_last", round1(r[1] / 1e9));
                row.put("mean_latency_us", round1(Integer.parseInt(k[1]) * 1e6 / median(e.getValue())));
                row.put("cpu_us_per_request", round1(median(cpuSamples.get(e.getKey()))));
                results.add(row);
            }
            tokenExchanges = sandbox.tokenExchanges();
        }

        System.out.println();
        System.out.printf(Locale.ROOT, "%-24s %7s %12s %14s %10s%n", "client", "threads", "req/s", "mean latency",
            "CPU/req");
        Map<String, String> labels = Map.of(
            "hand", "HttpClient (by hand)", "jna", "libleanix over JNA", "panama", "libleanix over Panama",
            "jna-async", "JNA, start+park", "panama-async", "Panama, start+park", "jna-direct", "JNA, pinned (direct)");
        for (Map<String, Object> r : results) {
            System.out.printf(Locale.ROOT, "%-24s %7d %12.1f %11.1f us %7.1f us%n", labels.getOrDefault(r.get("client"),
                (String) r.get("client")), r.get("threads"), r.get("rps"), r.get("mean_latency_us"),
                r.get("cpu_us_per_request"));
        }
        if (!vresults.isEmpty()) {
            System.out.println();
            System.out.printf(Locale.ROOT, "%-24s %7s %12s %12s %10s%n", "client", "vthreads", "req/s", "ideal",
                "CPU/req");
            for (Map<String, Object> r : vresults) {
                System.out.printf(Locale.ROOT, "%-24s %7d %12.1f %12.1f %7.1f us%n", labels.getOrDefault(r.get("client"),
                    (String) r.get("client")), r.get("virtual_threads"), r.get("rps"), r.get("ideal_rps"),
                    r.get("cpu_us_per_request"));
            }
        }
        Map<String, Object> ratios = new LinkedHashMap<>();
        Map<String, Object> met = new LinkedHashMap<>();
        for (int threads : threadCounts) {
            Double hand = rps(results, "hand", threads);
            for (String name : List.of("jna", "panama")) {
                Double mine = rps(results, name, threads);
                String key = name + "_" + threads + "t_vs_hand_" + threads + "t";
                ratios.put(key, mine != null && hand != null ? Math.round(mine / hand * 100) / 100.0 : null);
            }
        }
        // The two ways a blocking call can wait, on platform threads (informational: the choice).
        for (int threads : threadCounts) {
            for (String name : List.of("jna", "panama")) {
                Double direct = rps(results, name, threads);
                Double async = rps(results, name + "-async", threads);
                if (direct != null && async != null) {
                    ratios.put(name + "_async_" + threads + "t_vs_" + name + "_" + threads + "t",
                        Math.round(async / direct * 100) / 100.0);
                }
            }
        }
        if (!vresults.isEmpty()) {
            Double hand = vrps(vresults, "hand");
            for (String name : List.of("jna", "panama", "jna-direct")) {
                Double mine = vrps(vresults, name);
                if (mine != null || !name.equals("jna-direct")) {
                    ratios.put(name.replace('-', '_') + "_vt" + vthreads + "_vs_hand_vt" + vthreads,
                        mine != null && hand != null ? Math.round(mine / hand * 100) / 100.0 : null);
                }
            }
        }
        System.out.println();
        boolean allMet = true;
        for (Map.Entry<String, Object> r : ratios.entrySet()) {
            Double target = TARGETS.get(r.getKey());
            Double value = (Double) r.getValue();
            String verdict;
            if (target == null) {
                verdict = "";
            } else if (value == null) {
                verdict = "target >= " + target + "x  n/a";
            } else {
                boolean ok = value >= target;
                met.put(r.getKey(), ok);
                allMet &= ok;
                verdict = "target >= " + target + "x  " + (ok ? "met" : "MISSED");
            }
            System.out.printf(Locale.ROOT, "%-24s %8s  %s%n", r.getKey(), value == null ? "-" : String.format(Locale.ROOT,
                "%.2fx", value), verdict);
        }
        System.out.println("token exchanges seen by the sandbox: " + tokenExchanges + " (one per client built)");

        if (json != null) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("benchmark", "java-get-factsheet");
            doc.put("endpoint", "GET /services/pathfinder/v1/factSheets/{id}");
            doc.put("library", String.valueOf(library.path()));
            doc.put("library_profile", libraryProfile);
            doc.put("sandbox", sandboxExe.toString());
            doc.put("sandbox_profile", sandboxProfile);
            doc.put("java", Runtime.version().toString());
            doc.put("cpus", Runtime.getRuntime().availableProcessors());
            doc.put("seconds", seconds);
            doc.put("warmup", warmup);
            doc.put("rounds", rounds);
            doc.put("results", results);
            doc.put("virtual_threads", vresults);
            doc.put("ratios", ratios);
            doc.put("targets", TARGETS);
            doc.put("targets_met", met);
            doc.put("token_exchanges", tokenExchanges);
            Files.writeString(Paths.get(json), toJson(doc, "") + "\n", StandardCharsets.UTF_8);
            System.out.println("wrote " + json);
        }
        if (check && !allMet) {
            System.exit(1);
        }
        System.exit(0);
    }

    private static LeanixClient client(LxSandbox sandbox, String backend) {
        return LeanixClient.builder().backend(backend).host(sandbox.url()).apiToken(sandbox.adminToken())
            .allowInsecureLoopback(true).build();
    }

    /**
     * A client whose blocking calls wait the given way ({@link LeanixClient#BLOCKING_PROPERTY},
     * read when the client is built).
     */
    private static LeanixClient client(LxSandbox sandbox, String backend, String blocking) {
        String before = System.getProperty(LeanixClient.BLOCKING_PROPERTY);
        System.setProperty(LeanixClient.BLOCKING_PROPERTY, blocking);
        try {
            return client(sandbox, backend);
        } finally {
            if (before == null) {
                System.clearProperty(LeanixClient.BLOCKING_PROPERTY);
            } else {
                System.setProperty(LeanixClient.BLOCKING_PROPERTY, before);
            }
        }
    }

    private static Subject subject(String name, LxSandbox sandbox) throws IOException, InterruptedException {
        if (name.equals("hand")) {
            HandCodedClient hand = new HandCodedClient(sandbox.url(), sandbox.adminToken());
            return new Subject() {
                @Override
                public Call call(String path) {
                    return () -> hand.get(path);
                }

                @Override
                public void close() {}
            };
        }
        String[] parts = name.split("-", 2);
        LeanixClient c = client(sandbox, parts[0], parts.length == 1 ? "auto" : parts[1]);
        c.accessToken(); // the exchange is not part of the measurement, as for the hand-coded client
        return new Subject() {
            @Override
            public Call call(String path) {
                return () -> c.get(path).bodyLength();
            }

            @Override
            public void close() {
                c.close();
            }
        };
    }

    /** Daemon platform threads named {@code bench-N}. */
    private static java.util.concurrent.ThreadFactory platformThreads() {
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "bench-" + n.getAndIncrement());
            t.setDaemon(true);
            return t;
        };
    }

    /** Virtual threads ({@code Thread.ofVirtual().factory()}, Java 21+; this code is Java 17, hence reflection). */
    private static java.util.concurrent.ThreadFactory virtualThreads() throws ReflectiveOperationException {
        Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
        return (java.util.concurrent.ThreadFactory) Class.forName("java.lang.Thread$Builder").getMethod("factory")
            .invoke(builder);
    }

    /**
     * Runs {@code call} on {@code threads} threads; returns {completed requests, nanoseconds
     * measured, CPU nanoseconds this process used meanwhile}.
     */
    private static long[] measure(Call call, int threads, java.util.concurrent.ThreadFactory factory,
                                  double warmupSeconds, double seconds) throws Exception {
        LongAdder count = new LongAdder();
        AtomicBoolean counting = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(threads);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread w = factory.newThread(() -> {
                try {
                    while (!stop.get()) {
                        if (call.get() <= 0) {
                            throw new IllegalStateException("empty body");
                        }
                        if (counting.get()) {
                            count.increment();
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                    stop.set(true);
                } finally {
                    done.countDown();
                }
            });
            workers.add(w);
            w.start();
        }
        Thread.sleep((long) (warmupSeconds * 1000));
        long cpuStart = cpuNanos();
        long start = System.nanoTime();
        counting.set(true);
        Thread.sleep((long) (seconds * 1000));
        counting.set(false);
        long elapsed = System.nanoTime() - start;
        long cpu = cpuNanos() - cpuStart;
        stop.set(true);
        done.await();
        if (failure.get() != null) {
            throw new IllegalStateException("a request failed", failure.get());
        }
        return new long[] {count.sum(), elapsed, cpu};
    }

    /** CPU time of this process so far (every thread: the JVM's and the library's I/O threads), or 0. */
    private static long cpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
    }

    /** Microseconds of this process's CPU per completed request of a run. */
    private static double cpuPerRequest(long[] run) {
        return run[0] == 0 ? 0 : run[2] / 1e3 / run[0];
    }

    private static Double vrps(List<Map<String, Object>> results, String client) {
        for (Map<String, Object> r : results) {
            if (r.get("client").equals(client)) {
                return (Double) r.get("rps");
            }
        }
        return null;
    }

    private static Double rps(List<Map<String, Object>> results, String client, int threads) {
        for (Map<String, Object> r : results) {
            if (r.get("client").equals(client) && r.get("threads").equals(threads)) {
                return (Double) r.get("rps");
            }
        }
        return null;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static double round1(double v) {
        return Math.round(v * 10) / 10.0;
    }

    private static String profile(Path p) {
        if (p == null) {
            return "system";
        }
        String s = p.toString();
        return s.contains("/release/") ? "release" : s.contains("/debug/") ? "debug" : "unknown";
    }

    private static String toJson(Object v, String indent) {
        if (v == null) {
            return "null";
        }
        if (v instanceof String) {
            return TestJson.quote((String) v);
        }
        if (v instanceof Number || v instanceof Boolean) {
            return v.toString();
        }
        String inner = indent + "  ";
        if (v instanceof Map) {
            StringBuilder b = new StringBuilder("{");
            boolean first = true;
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                b.append(first ? "\n" : ",\n").append(inner).append(TestJson.quote(String.valueOf(e.getKey())))
                    .append(": ").append(toJson(e.getValue(), inner));
                first = false;
            }
            return b.append(first ? "}" : "\n" + indent + "}").toString();
        }
        Object[] items = v instanceof Object[] ? (Object[]) v : ((List<?>) v).toArray();
        boolean nested = items.length > 0 && items[0] instanceof Map;
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < items.length; i++) {
            b.append(i == 0 ? "" : ",").append(nested ? "\n" + inner : i == 0 ? "" : " ").append(toJson(items[i], inner));
        }
        return b.append(nested ? "\n" + indent + "]" : "]").toString();
    }
}
