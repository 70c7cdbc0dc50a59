package org.libleanix.spi;

import org.libleanix.LeanixResponse;

/**
 * One native {@code lx_client}, as a backend wraps it. Methods map one to one onto the C
 * functions and raise {@link org.libleanix.LeanixException} (built with
 * {@link org.libleanix.LeanixException#of}, with the failure's response and GraphQL errors) on a
 * non-zero status, after freeing the {@code lx_error}. Every native object a blocking method
 * receives (responses, errors, owned strings) is copied into Java objects and freed before the
 * method returns; a {@link CallSpec} becomes an {@code lx_call_options} for the duration of the
 * call (none for {@link CallSpec#NONE}).
 *
 * <p>Thread safety: all methods but {@link #free()} may be called by many threads at once.
 * {@link org.libleanix.LeanixClient} closes in three steps (DECISIONS.md, "lx_client_close"):
 * {@link #cancel()}, which makes the calls in flight return {@code LX_ERR_CANCELLED} promptly
 * (asynchronous ones through their callback); then it waits until every call it let in has
 * returned or called back; then {@link #free()}, exactly once.
 */
public interface BackendClient {
    /**
     * {@code lx_request_with}.
     *
     * @param method the HTTP method
     * @param path the path with optional query
     * @param headers {@code Name: value} lines separated by {@code \n}, or null
     * @param body the body, or null
     * @param flags {@code LX_REQUEST_*} flags
     * @param spec the per-call options
     * @return the response
     */
    LeanixResponse request(String method, String path, String headers, byte[] body, int flags, CallSpec spec);

    /**
     * {@code lx_graphql_with}.
     *
     * @param query the query
     * @param variablesJson a JSON object, or null
     * @param spec the per-call options
     * @return the {@code data} as JSON text
     */
    String graphql(String query, String variablesJson, CallSpec spec);

    /**
     * {@code lx_graphql_all_with}: walks every page of a cursor-paged query by the library's
     * paging rule and returns the {@code edges} of all pages.
     *
     * @param query the cursor-paged query
     * @param variablesJson a JSON object, or null
     * @param spec the options of every page's call
     * @return the edges of all pages as one JSON array
     */
    String graphqlAll(String query, String variablesJson, CallSpec spec);

    /**
     * {@code lx_graphql_pages_new}: prepares a walk (nothing is sent yet).
     *
     * @param query the cursor-paged query
     * @param variablesJson a JSON object, or null
     * @param spec the options of every page's call (a cancel handle given here ends the walk)
     * @return the walk
     */
    PageWalk graphqlPages(String query, String variablesJson, CallSpec spec);

    /**
     * {@code lx_rest_pages_new}: prepares a walk over a paged REST list (nothing is sent yet);
     * its {@link PageWalk#next()} is {@code lx_rest_pages_next} and returns each page's whole
     * JSON document.
     *
     * @param path the list's path with its query ({@code pageSize}, {@code cursor}, {@code page}, ...)
     * @param spec the options of every page's call (a cancel handle given here ends the walk)
     * @return the walk
     */
    PageWalk restPages(String path, CallSpec spec);

    /**
     * {@code lx_request_start}: returns at once; the backend's completion callback hands the
     * result to {@link Completions#deliver} with {@code callId}, exactly once, on a library
     * thread. If this throws, the callback never runs.
     *
     * @param method the HTTP method
     * @param path the path with optional query
     * @param headers header lines, or null
     * @param body the body, or null
     * @param flags {@code LX_REQUEST_*} flags
     * @param spec the per-call options (copied by the library before this returns)
     * @param callId the number from {@link Completions#register}
     */
    void requestStart(String method, String path, String headers, byte[] body, int flags, CallSpec spec, long callId);

    /**
     * {@code lx_graphql_start}: as {@link #requestStart}; the response's body is the {@code data}.
     *
     * @param query the query
     * @param variablesJson a JSON object, or null
     * @param spec the per-call options
     * @param callId the number from {@link Completions#register}
     */
    void graphqlStart(String query, String variablesJson, CallSpec spec, long callId);

    /**
     * {@code lx_ldif_run}: runs an LDIF and waits for its end.
     *
     * @param ldifJson the LDIF as a JSON object
     * @param flags {@code LX_LDIF_*} flags
     * @param spec the per-call options (the timeout is the deadline of the whole run)
     * @return the result as JSON text
     */
    String ldifRun(String ldifJson, int flags, CallSpec spec);

    /**
     * {@code lx_ldif_run_start}: as {@link #requestStart}; the response's body is the result JSON.
     *
     * @param ldifJson the LDIF as a JSON object
     * @param flags {@code LX_LDIF_*} flags
     * @param spec the per-call options (copied by the library before this returns)
     * @param callId the number from {@link Completions#register}
     */
    void ldifRunStart(String ldifJson, int flags, CallSpec spec, long callId);

    /**
     * {@code lx_ldif_wait}: waits for a run started already and returns its result.
     *
     * @param runId the run's id
     * @param flags {@code LX_LDIF_NO_WAIT} and/or {@code LX_LDIF_RESULTS}
     * @param spec the per-call options (the timeout is the deadline of the whole wait)
     * @return the result as JSON text
     */
    String ldifWait(String runId, int flags, CallSpec spec);

    /**
     * {@code lx_ldif_wait_start}: as {@link #requestStart}; the response's body is the result JSON.
     *
     * @param runId the run's id
     * @param flags {@code LX_LDIF_NO_WAIT} and/or {@code LX_LDIF_RESULTS}
     * @param spec the per-call options (copied by the library before this returns)
     * @param callId the number from {@link Completions#register}
     */
    void ldifWaitStart(String runId, int flags, CallSpec spec, long callId);

    /**
     * {@code lx_update_fact_sheet}: patches a fact sheet, retrying {@code REVISION_CLASH}.
     *
     * @param id the fact sheet's id
     * @param patchesJson a JSON list of {@code {op, path, value}}
     * @param comment the change's comment, or null
     * @param flags {@code LX_UPDATE_*} flags
     * @param spec the per-call options
     * @return the written fact sheet as JSON text
     */
    String updateFactSheet(String id, String patchesJson, String comment, int flags, CallSpec spec);

    /**
     * {@code lx_update_fact_sheet_start}: as {@link #requestStart}; the response's body is the
     * written fact sheet's JSON.
     *
     * @param id the fact sheet's id
     * @param patchesJson a JSON list of {@code {op, path, value}}
     * @param comment the change's comment, or null
     * @param flags {@code LX_UPDATE_*} flags
     * @param spec the per-call options (copied by the library before this returns)
     * @param callId the number from {@link Completions#register}
     */
    void updateFactSheetStart(String id, String patchesJson, String comment, int flags, CallSpec spec, long callId);

    /**
     * {@code lx_access_token_with}.
     *
     * @param spec the per-call options (the deadline and cancel handle bound the wait for an exchange)
     * @return a current access token
     */
    String accessToken(CallSpec spec);

    /**
     * {@code lx_claims_json_with}.
     *
     * @param spec the per-call options, as for {@link #accessToken}
     * @return the claims as a JSON object, or {@code "null"}
     */
    String claimsJson(CallSpec spec);

    /** @return {@code lx_forget_token}: true if a token cache file was removed */
    boolean forgetToken();

    /**
     * {@code lx_webhooks_create}.
     *
     * @param specJson the subscription ({@code tagSets}, optional {@code identifier}, {@code payloadMode}, ...)
     * @param spec the per-call options
     * @return the subscription as JSON text
     */
    String webhooksCreate(String specJson, CallSpec spec);

    /**
     * {@code lx_webhooks_list}.
     *
     * @param spec the per-call options
     * @return the subscriptions as a JSON array
     */
    String webhooksList(CallSpec spec);

    /**
     * {@code lx_webhooks_delete}.
     *
     * @param subscriptionId the subscription
     * @param spec the per-call options
     */
    void webhooksDelete(String subscriptionId, CallSpec spec);

    /**
     * {@code lx_webhooks_fetch}, or {@code lx_webhooks_fetch_wait} when {@code wait}.
     *
     * @param subscriptionId the subscription
     * @param wait wait until the batch has events
     * @param spec the per-call options (a cancel handle ends a wait)
     * @return the batch as a JSON array of events
     */
    String webhooksFetch(String subscriptionId, boolean wait, CallSpec spec);

    /**
     * {@code lx_webhooks_commit}.
     *
     * @param subscriptionId the subscription
     * @param nextOffset the last handled offset plus one
     * @param spec the per-call options
     */
    void webhooksCommit(String subscriptionId, long nextOffset, CallSpec spec);

    /**
     * {@code lx_api_origin_with}.
     *
     * @param spec the per-call options, as for {@link #accessToken}
     * @return the origin API calls go to
     */
    String apiOrigin(CallSpec spec);

    /**
     * {@code lx_client_close}: cancels calls in flight (they end with {@code LX_ERR_CANCELLED})
     * and refuses later ones; the handle stays valid until {@link #free()}. Idempotent.
     */
    void cancel();

    /** {@code lx_free} of the client. Called at most once, after {@link #cancel()} and the calls in flight. */
    void free();
}
