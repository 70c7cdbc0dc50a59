import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.libleanix.Claims;
import org.libleanix.GraphQlPages;
import org.libleanix.HttpException;
import org.libleanix.LeanixClient;
import org.libleanix.LeanixException;
import org.libleanix.LeanixRequest;
import org.libleanix.LeanixResponse;

/** Reads fact sheets over REST and GraphQL, and shows a refused write, for LEANIX_HOST and LEANIX_API_TOKEN. */
public class QuickStart {
    public static void main(String[] args) throws Exception {
        try (LeanixClient client = LeanixClient.builder()  // host and token: LEANIX_HOST, LEANIX_API_TOKEN
                .requestTimeout(Duration.ofSeconds(30))    // the deadline of each call, retries included
                .build()) {
            Claims claims = client.claims().orElseThrow(); // decoded locally, not verified
            System.out.println("user " + claims.username().orElse("?") + ", role " + claims.role().orElse("?"));

            LeanixResponse r = client.get("/services/pathfinder/v1/factSheets?pageSize=10");
            System.out.println("REST " + r.status() + ", " + r.bodyAsString().length() + " bytes");

            String data = client.graphql("query($n: Int) { allFactSheets(first: $n) { totalCount } }", "{\"n\": 5}");
            System.out.println("GraphQL " + data);        // {"allFactSheets":{"totalCount":...}}

            try (GraphQlPages pages = client.graphqlPages("query($after: String) { allFactSheets(first: 1000, "
                    + "after: $after) { pageInfo { hasNextPage endCursor } edges { node { id name } } } }", null)) {
                while (pages.hasNext()) {
                    String page = pages.next();            // one page's data at a time: parse it, drop it
                }
                System.out.println("pages " + pages.pagesFetched());
            }

            CompletableFuture<LeanixResponse> later = client.sendAsync(
                LeanixRequest.newBuilder("/services/pathfinder/v1/factSheets?pageSize=1")
                    .header("X-Request-Id", "quick-start-1")
                    .timeout(Duration.ofSeconds(10))       // this call's deadline
                    .build());
            System.out.println("async " + later.get().status());

            try {
                client.requestJson("POST", "/services/pathfinder/v1/factSheets", "{\"type\":\"Application\"}");
            } catch (HttpException e) {                    // any non-2xx: 400, 403, 404, 429, ...
                System.out.println("refused " + e.httpStatus().orElse(0) + ": " + e.getMessage());
                System.out.println(e.response().bodyAsString()); // the server's whole answer
            }
        } catch (LeanixException e) {
            System.err.println(e);                         // e.g. org.libleanix.TimeoutException: LX_ERR_TIMEOUT: ...
            System.exit(1);
        }
    }
}
