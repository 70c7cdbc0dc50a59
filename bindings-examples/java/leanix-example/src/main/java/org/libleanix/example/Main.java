package org.libleanix.example;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.libleanix.LeanixClient;
import org.libleanix.LeanixException;
import org.libleanix.LeanixResponse;
import org.libleanix.sandbox.LxSandbox;

/**
 * Example: the token's claims, then fact sheets over REST and GraphQL, through either backend.
 *
 * <pre>
 * Main [--backend jna|panama|auto] [--sandbox]
 * </pre>
 *
 * {@code --backend} names the backend (default {@code auto}: Panama on Java 22+, else JNA, or the
 * system property {@code leanix.backend}); {@code --sandbox} starts an {@code lx-sandbox} (named
 * by {@code -Dleanix.sandbox.path} or {@code LX_SANDBOX}) and runs against it, otherwise host and
 * API token come from {@code LEANIX_HOST} and {@code LEANIX_API_TOKEN}.
 */
public final class Main {
    private Main() {}

    /**
     * Runs the example.
     *
     * @param args the flags above (an argument may hold several, separated by spaces, as
     *     {@code -Dexample.args} passes them)
     */
    public static void main(String[] args) {
        List<String> flags = new ArrayList<>();
        for (String a : args) {
            for (String f : a.trim().split("\\s+")) {
                if (!f.isEmpty()) {
                    flags.add(f);
                }
            }
        }
        String backend = null;
        boolean sandbox = false;
        for (int i = 0; i < flags.size(); i++) {
            switch (flags.get(i)) {
                case "--sandbox":
                    sandbox = true;
                    break;
                case "--backend":
                    if (i + 1 == flags.size()) {
                        usage("--backend needs a name");
                    }
                    backend = flags.get(++i);
                    break;
                default:
                    usage("unknown argument " + flags.get(i));
            }
        }
        LeanixClient.Builder builder = LeanixClient.builder().requestTimeout(Duration.ofSeconds(30));
        if (backend != null && !backend.equals("auto")) {
            builder.backend(backend);
        }
        try (LxSandbox box = sandbox ? LxSandbox.start() : null) {
            if (box != null) {
                builder.host(box.url()).apiToken(box.adminToken()).allowInsecureLoopback(true);
            }
            run(builder);
        }
    }

    private static void run(LeanixClient.Builder builder) {
        try (LeanixClient client = builder.build()) {
            System.out.println("libleanix over " + client.backend() + " on Java " + Runtime.version().feature()
                + ", library: " + client.libraryLocation());
            String who = client.claims()
                .map(c -> c.username().orElse("?") + " in workspace " + c.workspaceName().orElse("?")
                    + " as " + c.role().orElse("?") + ", token expires " + c.expiresAt().map(Object::toString).orElse("?"))
                .orElse("an opaque token (no claims)");
            System.out.println("token for: " + who);

            LeanixResponse r = client.get("/services/pathfinder/v1/factSheets?pageSize=3");
            System.out.println("GET factSheets -> " + r.status() + ", " + r.bodyLength() + " bytes, "
                + r.header("content-type").orElse("?"));

            String data = client.graphql(
                "query($n: Int) { allFactSheets(first: $n) { totalCount edges { node { id name type } } } }",
                "{\"n\": 3}");
            System.out.println("GraphQL data: " + data);
        } catch (LeanixException e) {
            System.err.println("failed: " + e);
            System.exit(1);
        }
    }

    private static void usage(String problem) {
        System.err.println(problem + "\nusage: Main [--backend jna|panama|auto] [--sandbox]");
        System.exit(2);
    }
}
