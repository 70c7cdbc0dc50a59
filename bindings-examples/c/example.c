/* libleanix from C: exchange, a REST call, a GraphQL query, the token's claims, error handling.
 *
 *   make -C bindings-examples/c            (uses pkg-config; see the README's C section)
 *   LEANIX_HOST=acme.leanix.net LEANIX_API_TOKEN=... ./example
 *   ./example --insecure-loopback          (against lx-sandbox on http://127.0.0.1:PORT)
 */
#include <leanix.h>

#include <stdio.h>
#include <string.h>

static int fail(const char *what, lx_error *err) {
    fprintf(stderr, "%s failed: %s (%s", what, lx_error_message(err), lx_status_str(lx_error_code(err)));
    if (lx_error_http_status(err) != 0) fprintf(stderr, ", HTTP %d", lx_error_http_status(err));
    fprintf(stderr, ")\n");
    lx_free(err);
    return 1;
}

int main(int argc, char **argv) {
    int insecure_loopback = argc > 1 && strcmp(argv[1], "--insecure-loopback") == 0;
    lx_options *opts = NULL;
    lx_client *client = NULL;
    lx_error *err = NULL;

    /* Host and API token come from LEANIX_HOST and LEANIX_API_TOKEN. */
    if (lx_options_new(&opts, &err) != LX_OK) return fail("options", err);
    if (insecure_loopback && lx_options_set(opts, "insecure_loopback", "1", &err) != LX_OK)
        return fail("options", err);
    if (lx_options_set(opts, "request_timeout_ms", "30000", &err) != LX_OK) return fail("options", err);
    lx_status status = lx_client_build(opts, &client, &err);
    lx_free(opts);
    if (status != LX_OK) return fail("client", err);

    /* Who am I? The claims are decoded locally: the token never leaves this process. */
    char *claims = NULL;
    if (lx_claims_json(client, &claims, &err) != LX_OK) {
        lx_free(client);
        return fail("token exchange", err);
    }
    printf("claims: %s\n", claims);
    lx_free(claims);

    /* A REST call. */
    lx_response *resp = NULL;
    if (lx_get(client, "/services/pathfinder/v1/factSheets?pageSize=2", &resp, &err) != LX_OK) {
        lx_free(client);
        return fail("GET factSheets", err);
    }
    const uint8_t *body = NULL;
    size_t len = 0;
    lx_response_body(resp, &body, &len);
    printf("GET factSheets: HTTP %d, %zu bytes\n", lx_response_status(resp), len);
    lx_free(resp);

    /* A GraphQL query. */
    char *data = NULL;
    if (lx_graphql(client, "{ allFactSheets(first: 2) { totalCount edges { node { id name type } } } }", NULL, &data,
                   NULL, &err) != LX_OK) {
        lx_free(client);
        return fail("GraphQL", err);
    }
    printf("GraphQL data: %s\n", data);
    lx_free(data);

    /* Errors carry a status, a message and the HTTP status. */
    if (lx_get(client, "/services/pathfinder/v1/factSheets/no-such-id", &resp, &err) != LX_OK) {
        printf("expected error: %s, HTTP %d: %s\n", lx_status_str(lx_error_code(err)), lx_error_http_status(err),
               lx_error_message(err));
        lx_free(err);
    } else {
        lx_free(resp);
    }
    lx_free(client);
    return 0;
}
