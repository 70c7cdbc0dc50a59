package org.libleanix.example;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.libleanix.GraphQlPages;
import org.libleanix.HttpException;
import org.libleanix.LeanixClient;
import org.libleanix.LeanixException;
import org.libleanix.LeanixResponse;
import org.libleanix.sandbox.LxSandbox;

/**
 * Example: the token's claims, then fact sheets over REST and GraphQL, a refused write with the
 * server's explanation, an asynchronous call and a page-by-page walk, through either backend.
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
                builder.host(box.url()).apiToken(box.adminToken()).insecureLoopback(true);
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

            // A refused write (no name): the server's explanation is in the exception's response.
            try {
                client.requestJson("POST", "/services/pathfinder/v1/factSheets", "{\"type\":\"Application\"}");
            } catch (HttpException e) {
                System.out.println("refused write -> HTTP " + e.httpStatus().orElse(0) + ": " + e.response().bodyAsString());
            }

            // Asynchronous: a CompletableFuture, completed on the client's executor.
            LeanixResponse async = client.getAsync("/services/pathfinder/v1/factSheets?pageSize=1").join();
            System.out.println("async GET -> " + async.status());

            // Page by page, one page in memory at a time; closing the walk early is fine.
            try (GraphQlPages pages = client.graphqlPages("query($after: String) { allFactSheets(first: 100, "
                    + "after: $after) { pageInfo { hasNextPage endCursor } edges { node { id } } } }", null)) {
                while (pages.pagesFetched() < 3 && pages.hasNext()) {
                    pages.next();
                }
                System.out.println("GraphQL pages read: " + pages.pagesFetched());
            }
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
