package org.libleanix.jna;

import java.time.Duration;
import java.util.Map;
import org.libleanix.LeanixClient;
import org.libleanix.LeanixException;
import org.libleanix.LeanixResponse;
import org.libleanix.sandbox.LxSandbox;

/**
 * Example: list fact sheets over REST and GraphQL through the JNA backend.
 *
 * <pre>
 * mvn -q -pl leanix-jna -am compile exec:exec -Dexample.args=--sandbox   # starts lx-sandbox itself
 * LEANIX_HOST=acme.leanix.net LEANIX_API_TOKEN=... mvn -q -pl leanix-jna -am compile exec:exec
 * </pre>
 */
public final class Main {
    private Main() {}

    /**
     * Runs the example.
     *
     * @param args {@code --sandbox} to run against a fresh lx-sandbox instead of LEANIX_HOST
     */
    public static void main(String[] args) {
        boolean sandbox = String.join(" ", args).trim().matches("(.*\\s)?--sandbox(\\s.*)?");
        LxSandbox box = sandbox ? LxSandbox.start() : null;
        try {
            LeanixClient.Builder builder = LeanixClient.builder().backend("jna");
            if (box != null) {
                builder.host(box.url()).apiToken(box.adminToken()).allowInsecureLoopback(true);
            }
            // Without --sandbox, host and token come from LEANIX_HOST and LEANIX_API_TOKEN.
            try (LeanixClient client = builder.requestTimeout(Duration.ofSeconds(30)).build()) {
                System.out.println("libleanix over " + client.backend() + ", backend JNA "
                    + com.sun.jna.Native.VERSION);
                Map<String, Object> claims = client.claims();
                System.out.println("token for: " + org.libleanix.internal.Json.at(claims, "principal", "username")
                    + " (workspace " + org.libleanix.internal.Json.at(claims, "principal", "permission",
                        "workspaceName") + ")");

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
        } finally {
            if (box != null) {
                box.close();
            }
        }
    }
}
