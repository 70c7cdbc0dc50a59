// The Java part of the secrets test (tests/secrets/run.sh): every path through the Java binding
// (JNA backend), printing every exception with toString(), getMessage(), its stack trace and
// accessors, every client with toString(), and every event each client reports (its listener,
// and the System.Logger bridge, which logs to stderr). Access tokens handed out on purpose
// (accessToken()) go to the file in LX_INTENTIONAL.
// Run: java -cp <binding jars> tests/secrets/Probe.java (the single-file source launcher).
import java.io.FileWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import org.libleanix.LeanixClient;
import org.libleanix.LeanixException;

public class Probe {
    static final String URL = System.getenv("LX_URL"), TOKEN = System.getenv("LX_TOKEN");
    static final String FS = "/services/pathfinder/v1/factSheets?pageSize=2";
    static final HttpClient HTTP = HttpClient.newHttpClient();

    static void control(String method, String path, String body) throws Exception {
        HttpRequest.BodyPublisher p = body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body);
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(URL + path)).method(method, p).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new IllegalStateException(path + " " + r.body());
    }

    static void fault(String json) throws Exception { control("POST", "/_sandbox/faults", json); }

    static LeanixClient client(String host, String token, Duration timeout) {
        LeanixClient.Builder b = LeanixClient.builder().host(host).apiToken(token).allowInsecureLoopback(true)
                .retryBaseDelay(Duration.ofMillis(20)).backend("jna")
                .eventListener(e -> System.out.println("event: " + e));
        if (timeout != null) b.requestTimeout(timeout);
        return b.build();
    }

    static void attempt(String what, Supplier<Object> f) {
        try {
            System.out.println(what + ": ok " + f.get());
        } catch (LeanixException e) {
            System.out.println(what + ": " + e);
            System.out.println(what + ": message=" + e.getMessage() + " code=" + e.statusName() + " http=" + e.httpStatus()
                    + " oauth=" + e.oauthError() + " retryAfter=" + e.retryAfter());
            e.printStackTrace(System.out);
        } catch (RuntimeException e) {
            System.out.println(what + ": other " + e);
            e.printStackTrace(System.out);
        }
    }

    public static void main(String[] args) throws Exception {
        FileWriter intentional = new FileWriter(System.getenv("LX_INTENTIONAL"), true);
        LeanixClient c = client(URL, TOKEN, null);
        System.out.println("client: " + c);
        attempt("get", () -> c.get(FS).status());
        attempt("graphql", () -> c.graphql("{ allFactSheets(first: 2) { totalCount } }"));
        attempt("claims", () -> c.claimsJson());
        intentional.write(c.accessToken() + "\n");
        LeanixClient fresh = client(URL, TOKEN, null);
        fault("{\"endpoint\":\"token\",\"kind\":\"status\",\"status\":503}");
        fault("{\"endpoint\":\"factSheets\",\"kind\":\"drop_connection\"}");
        attempt("retries", () -> fresh.get(FS).status());
        fresh.close();
        control("POST", "/_sandbox/revoke", "{\"access_tokens\":true}");
        attempt("replay", () -> c.get(FS).status());
        fault("{\"endpoint\":\"factSheets\",\"kind\":\"status\",\"status\":401,\"times\":2}");
        attempt("unauthorized", () -> c.get(FS).status());
        attempt("invalid credentials", () -> client(URL, "not-a-valid-token-java-0123456789", null).get(FS));
        attempt("revoked api token", () -> client(URL, System.getenv("LX_REVOKED"), null).get(FS));
        attempt("forbidden", () -> client(URL, System.getenv("LX_VIEWER"), null)
                .requestJson("POST", "/services/pathfinder/v1/factSheets", "{\"name\":\"x\",\"type\":\"Application\"}"));
        // A 429 with Retry-After: 3600 pauses its whole client for the hour: a client of its own.
        LeanixClient limited = client(URL, TOKEN, null);
        fault("{\"endpoint\":\"factSheets\",\"kind\":\"status\",\"status\":429,\"retry_after\":\"3600\"}");
        attempt("rate limited", () -> limited.get(FS));
        limited.close();
        attempt("404", () -> c.get("/services/pathfinder/v1/factSheets/nope"));
        LeanixClient impatient = client(URL, TOKEN, Duration.ofMillis(300));
        impatient.get(FS);
        fault("{\"endpoint\":\"factSheets\",\"kind\":\"stall\",\"ms\":3000}");
        attempt("timeout", () -> impatient.get(FS));
        attempt("connect", () -> client("http://127.0.0.1:1", TOKEN, null).get(FS));
        LeanixClient cold = client(URL, TOKEN, null);
        fault("{\"endpoint\":\"token\",\"kind\":\"malformed_json\"}");
        attempt("invalid response", () -> cold.get(FS));
        attempt("graphql error", () -> c.graphql("{ noSuchField }"));
        fault("{\"endpoint\":\"factSheets\",\"kind\":\"redirect_foreign\"}");
        attempt("redirect", () -> c.get(FS));
        attempt("bad header", () -> c.request("GET", FS, Map.of("Authorization", "Bearer x"), null));
        attempt("config http", () -> LeanixClient.builder().host("http://acme.leanix.net").apiToken(TOKEN).build());
        attempt("config newline", () -> LeanixClient.builder().host("acme.leanix.net")
                .apiToken("token-with-newline-java-0123456789\n").build());
        fault("{\"endpoint\":\"factSheets\",\"kind\":\"stall\",\"ms\":2000}");
        Thread t = new Thread(() -> attempt("cancelled", () -> c.get(FS).status()));
        t.start();
        Thread.sleep(200);
        c.close();
        t.join();
        control("POST", "/_sandbox/config", "{\"token_lifetime_secs\":2}");
        LeanixClient r = client(URL, TOKEN, null);
        long end = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < end) {
            attempt("refresh", () -> r.get(FS).status());
            Thread.sleep(50);
        }
        intentional.write(r.accessToken() + "\n");
        r.close();
        intentional.close();
        control("POST", "/_sandbox/config", "{\"token_lifetime_secs\":3599}");
        control("DELETE", "/_sandbox/faults", null);
        System.out.println("java probe done");
    }
}
