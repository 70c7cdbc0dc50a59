package sample;

import org.libleanix.Claims;
import org.libleanix.LeanixClient;
import org.libleanix.LeanixException;
import org.libleanix.LeanixResponse;

/**
 * A user's program: host and API token from LEANIX_HOST and LEANIX_API_TOKEN, nothing about the
 * library (it comes from the jar). Prints key=value lines that install-test.sh checks.
 */
public final class App {
    private App() {}

    public static void main(String[] args) {
        // insecureLoopback: install-test.sh runs it against lx-sandbox on http://127.0.0.1;
        // it allows plain HTTP to loopback only, never to another host.
        try (LeanixClient client = LeanixClient.builder().insecureLoopback(true).build()) {
            System.out.println("backend=" + client.backend());
            System.out.println("library=" + client.libraryLocation());
            LeanixResponse r = client.get("/services/pathfinder/v1/factSheets?pageSize=1");
            System.out.println("status=" + r.status());
            System.out.println("user=" + client.claims().flatMap(Claims::username).orElse("?"));
        } catch (LeanixException e) {
            System.err.println("failed: " + e);
            System.exit(1);
        }
    }
}
