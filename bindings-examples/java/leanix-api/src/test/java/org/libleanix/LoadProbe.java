package org.libleanix;

/**
 * The program {@link LoadingContractTest} runs in a child JVM: builds a client with the backend
 * named in {@code args[0]} ({@code auto} for the automatic choice) and prints
 * {@code backend=...}, {@code library=...} and, with {@code args[1] = "get"}, {@code status=...}
 * of one authenticated GET (host and API token from {@code LEANIX_HOST} / {@code LEANIX_API_TOKEN}).
 * A failure prints {@code error=<class>: <message>} and exits with 3.
 */
public final class LoadProbe {
    private LoadProbe() {}

    /**
     * @param args the backend, then optionally {@code get}
     */
    public static void main(String[] args) {
        boolean get = args.length > 1 && args[1].equals("get");
        try {
            LeanixClient.Builder b = LeanixClient.builder();
            if (!args[0].equals("auto")) {
                b.backend(args[0]);
            }
            if (get) {
                b.insecureLoopback(true);
            } else {
                b.host("acme.leanix.net").apiToken("not-used-by-the-load-probe-0123456789");
            }
            try (LeanixClient c = b.build()) {
                System.out.println("backend=" + c.backend());
                System.out.println("library=" + c.libraryLocation());
                if (get) {
                    System.out.println("status=" + c.get("/services/pathfinder/v1/factSheets?pageSize=1").status());
                }
            }
        } catch (Throwable t) {
            System.out.println("error=" + t.getClass().getName() + ": " + t.getMessage());
            System.exit(3);
        }
    }
}
