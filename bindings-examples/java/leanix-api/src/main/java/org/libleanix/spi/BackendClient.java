package org.libleanix.spi;

import org.libleanix.LeanixResponse;

/**
 * One native {@code lx_client}, as a backend wraps it. Methods map one to one onto the C
 * functions and raise {@link org.libleanix.LeanixException} (built with
 * {@link org.libleanix.LeanixException#of}) on a non-zero status, after freeing the
 * {@code lx_error}. Every native object a method receives (responses, errors, owned strings) is
 * copied into Java objects and freed before the method returns.
 *
 * <p>Thread safety: all methods but {@link #free()} may be called by many threads at once.
 * {@link org.libleanix.LeanixClient} closes in three steps (DECISIONS.md, "lx_client_close"):
 * {@link #cancel()}, which makes the calls in flight return {@code LX_ERR_CANCELLED} promptly;
 * then it waits until every call it let in has returned; then {@link #free()}, exactly once. So no
 * call reaches the handle after {@link #free()}, and none can reach another native object the
 * library later places at the same address. (If a cancelled call were still inside the library
 * after 30 s, it frees anyway: the library keeps the object alive for that call, and no new call
 * can start.)
 */
public interface BackendClient {
    /**
     * {@code lx_get}.
     *
     * @param path the path with optional query
     * @return the response
     */
    LeanixResponse get(String path);

    /**
     * {@code lx_request}.
     *
     * @param method the HTTP method
     * @param path the path with optional query
     * @param headers {@code Name: value} lines separated by {@code \n}, or null
     * @param body the body, or null
     * @param flags {@code LX_REQUEST_*} flags
     * @return the response
     */
    LeanixResponse request(String method, String path, String headers, byte[] body, int flags);

    /**
     * {@code lx_graphql}.
     *
     * @param query the query
     * @param variablesJson a JSON object, or null
     * @return the {@code data} as JSON text
     */
    String graphql(String query, String variablesJson);

    /**
     * {@code lx_graphql_all}.
     *
     * @param query the cursor-paged query (takes {@code $after})
     * @param variablesJson a JSON object, or null
     * @return the edges of all pages as a JSON array
     */
    String graphqlAll(String query, String variablesJson);

    /** @return {@code lx_access_token}: a current access token */
    String accessToken();

    /** @return {@code lx_claims_json}: the claims as a JSON object, or {@code "null"} */
    String claimsJson();

    /**
     * {@code lx_client_close}: cancels calls in flight (they end with {@code LX_ERR_CANCELLED})
     * and refuses later ones; the handle stays valid until {@link #free()}. Idempotent.
     */
    void cancel();

    /** {@code lx_free} of the client. Called at most once, after {@link #cancel()} and the calls in flight. */
    void free();
}
