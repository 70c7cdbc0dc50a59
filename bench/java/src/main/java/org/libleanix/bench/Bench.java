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
 * {@code java.net.http.HttpClient} client, with 1 and 8 threads sharing one client.
 *
 * <pre>
 * bench/java/run-bench.sh [--quick] [--seconds S] [--warmup S] [--threads 1,8] [--rounds N]
 *                         [--only hand,jna,panama] [--json FILE] [--check]
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
                case "-h":
                case "--help":
                    System.out.println("usage: Bench [--quick] [--seconds S] [--warmup S] [--threads 1,8] "
                        + "[--rounds N] [--only hand,jna,panama] [--json FILE] [--check]");
                    return;
                default:
                    System.err.println("unknown argument " + a);
                    System.exit(2);
            }
        }

        List<String> clients = new ArrayList<>();
        clients.add("hand");
        for (LeanixBackend b : LeanixClient.availableBackends()) {
            if (b.isSupported()) {
                clients.add(b.name());
            } else {
                System.out.println("skipping backend " + b.name() + " (not supported on Java "
                    + Runtime.version().feature() + ")");
            }
        }
        if (only != null) {
            clients.retainAll(only);
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
                    measure(s.call(path), 2, 0, jitWarmup);
                }
            }
            Map<String, List<Double>> samples = new LinkedHashMap<>();
            Map<String, long[]> lastCounts = new LinkedHashMap<>();
            for (int round = 0; round < rounds; round++) {
                List<String> order = new ArrayList<>(clients);
                java.util.Collections.rotate(order, -round); // a different client goes first each round
                for (int threads : threadCounts) {
                    for (String name : order) {
                        try (Subject s = subject(name, sandbox)) {
                            long[] r = measure(s.call(path), threads, warmup, seconds);
                            double rps = r[0] / (r[1] / 1e9);
                            String key = name + "/" + threads;
                            samples.computeIfAbsent(key, k -> new ArrayList<>()).add(rps);
                            lastCounts.put(key, r);
                            System.out.printf(Locale.ROOT, "  %-7s %2d thread(s): %10.1f req/s%n", name, threads, rps);
                        }
                    }
                }
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
                results.add(row);
            }
            tokenExchanges = sandbox.tokenExchanges();
        }

        System.out.println();
        System.out.printf(Locale.ROOT, "%-24s %7s %12s %14s%n", "client", "threads", "req/s", "mean latency");
        Map<String, String> labels = Map.of(
            "hand", "HttpClient (by hand)", "jna", "libleanix over JNA", "panama", "libleanix over Panama");
        for (Map<String, Object> r : results) {
            System.out.printf(Locale.ROOT, "%-24s %7d %12.1f %11.1f us%n", labels.getOrDefault(r.get("client"),
                (String) r.get("client")), r.get("threads"), r.get("rps"), r.get("mean_latency_us"));
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
        LeanixClient c = client(sandbox, name);
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

    /** Runs {@code call} on {@code threads} threads; returns {completed requests, nanoseconds measured}. */
    private static long[] measure(Call call, int threads, double warmupSeconds, double seconds) throws Exception {
        LongAdder count = new LongAdder();
        AtomicBoolean counting = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(threads);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread w = new Thread(() -> {
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
            }, "bench-" + t);
            w.setDaemon(true);
            workers.add(w);
            w.start();
        }
        Thread.sleep((long) (warmupSeconds * 1000));
        long start = System.nanoTime();
        counting.set(true);
        Thread.sleep((long) (seconds * 1000));
        counting.set(false);
        long elapsed = System.nanoTime() - start;
        stop.set(true);
        done.await();
        if (failure.get() != null) {
            throw new IllegalStateException("a request failed", failure.get());
        }
        return new long[] {count.sum(), elapsed};
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
