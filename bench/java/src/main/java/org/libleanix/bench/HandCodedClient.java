package org.libleanix.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The client people write by hand from the vendor's documentation: POST the API token to the
 * token endpoint with {@code Authorization: Basic base64("apitoken:" + token)} and the form
 * {@code grant_type=client_credentials}, take {@code access_token} from the JSON answer, and send
 * {@code Authorization: Bearer <access_token>} on each call, over one shared
 * {@link HttpClient}. No refresh, no retries: the baseline the library is compared with.
 */
final class HandCodedClient {
    private static final Pattern ACCESS_TOKEN = Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"");

    private final HttpClient http;
    private final String host;
    private final String bearer;

    HandCodedClient(String host, String apiToken) throws IOException, InterruptedException {
        this.host = host;
        // HTTP/1.1 to the plain-http sandbox (on https LeanIX would negotiate HTTP/2 by ALPN).
        this.http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
        String basic = Base64.getEncoder().encodeToString(("apitoken:" + apiToken).getBytes(StandardCharsets.UTF_8));
        HttpRequest tokenRequest = HttpRequest.newBuilder(URI.create(host + "/services/mtm/v1/oauth2/token"))
            .header("Authorization", "Basic " + basic)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials"))
            .build();
        HttpResponse<String> response = http.send(tokenRequest, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("token endpoint answered " + response.statusCode());
        }
        Matcher m = ACCESS_TOKEN.matcher(response.body());
        if (!m.find()) {
            throw new IOException("no access_token in the token response");
        }
        this.bearer = "Bearer " + m.group(1);
    }

    /** GET a path; returns the body length. */
    int get(String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(host + path))
            .header("Authorization", bearer)
            .timeout(Duration.ofSeconds(60))
            .GET()
            .build();
        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + path + " answered " + response.statusCode());
        }
        return response.body().length;
    }
}
