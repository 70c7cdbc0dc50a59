package org.libleanix;

/**
 * The status codes of the C API ({@code enum lx_status} and {@code enum lx_request_flags} in
 * {@code leanix.h}), by their C names. The numbers are stable and never reused; a test compares
 * every constant here with the header. Applications rarely need them: each error status has its
 * own {@link LeanixException} subclass.
 */
public final class Status {
    /** Success. */
    public static final int LX_OK = 0;
    /** A required pointer argument was NULL. */
    public static final int LX_ERR_NULL_ARG = 1;
    /** An argument is invalid (not UTF-8, unknown option key, bad header, dead handle, ...). */
    public static final int LX_ERR_INVALID_ARG = 2;
    /** The configuration is invalid (no host, empty API token, {@code http://} to a remote host, ...). */
    public static final int LX_ERR_CONFIG = 3;
    /** The token endpoint rejected the API token. */
    public static final int LX_ERR_INVALID_CREDENTIALS = 4;
    /** The API answered 401 even after a fresh token and one replay, or within the reauth interval. */
    public static final int LX_ERR_UNAUTHORIZED = 5;
    /** The API answered 403. */
    public static final int LX_ERR_FORBIDDEN = 6;
    /** The API answered 429. */
    public static final int LX_ERR_RATE_LIMITED = 7;
    /** The API answered another unsuccessful HTTP status. */
    public static final int LX_ERR_HTTP = 8;
    /** A connect, token or request timeout elapsed. */
    public static final int LX_ERR_TIMEOUT = 9;
    /** The connection could not be made or broke. */
    public static final int LX_ERR_CONNECT = 10;
    /** The TLS handshake failed. */
    public static final int LX_ERR_TLS = 11;
    /** The server's answer is not what LeanIX sends. */
    public static final int LX_ERR_INVALID_RESPONSE = 12;
    /** A GraphQL response carried errors. */
    public static final int LX_ERR_GRAPHQL = 13;
    /** A redirect to another origin was refused. */
    public static final int LX_ERR_REDIRECT = 14;
    /** The call was cancelled: its cancel handle fired, or its client was closed or freed. */
    public static final int LX_ERR_CANCELLED = 15;
    /** The client was created in the parent process before {@code fork()}. */
    public static final int LX_ERR_FORKED = 16;
    /** An internal error (a bug) was caught at the library boundary. */
    public static final int LX_ERR_PANIC = 17;
    /** The item asked for does not exist (an absent header, an error without a response); never the status of a call. */
    public static final int LX_ERR_NOT_FOUND = 18;
    /** The response body is larger than {@code max_response_bytes}, or a page walk has more pages than {@code max_pages}. */
    public static final int LX_ERR_TOO_LARGE = 19;
    /** A blocking call was made from inside a library callback, where it would wait for itself. */
    public static final int LX_ERR_RECURSIVE_CALL = 20;
    /** An LDIF run ended {@code FAILED} or {@code STOPPED}, or finished with {@code ERROR} warnings. */
    public static final int LX_ERR_RUN_FAILED = 21;

    /** {@code lx_ldif_run()} flag: a real run, waited for. */
    public static final int LX_LDIF_DEFAULT = 0;
    /** {@code lx_ldif_run()} flag: a test run (processed, nothing changed). */
    public static final int LX_LDIF_TEST = 1;
    /** {@code lx_ldif_run()} flag: return right after the start. */
    public static final int LX_LDIF_NO_WAIT = 2;
    /** {@code lx_ldif_wait()} flag: also fetch the output LDIF of an outbound run. */
    public static final int LX_LDIF_RESULTS = 4;
    /** {@code lx_update_fact_sheet()} flag: a real write. */
    public static final int LX_UPDATE_DEFAULT = 0;
    /** {@code lx_update_fact_sheet()} flag: {@code validateOnly}. */
    public static final int LX_UPDATE_VALIDATE_ONLY = 1;

    /** {@code lx_request()} flag: no flags. */
    public static final int LX_REQUEST_DEFAULT = 0;
    /** {@code lx_request()} flag: the request may be retried although its method is not idempotent. */
    public static final int LX_REQUEST_RETRY_SAFE = 1;

    /** The names, indexed by code. */
    private static final String[] NAMES = {
        "LX_OK",
        "LX_ERR_NULL_ARG",
        "LX_ERR_INVALID_ARG",
        "LX_ERR_CONFIG",
        "LX_ERR_INVALID_CREDENTIALS",
        "LX_ERR_UNAUTHORIZED",
        "LX_ERR_FORBIDDEN",
        "LX_ERR_RATE_LIMITED",
        "LX_ERR_HTTP",
        "LX_ERR_TIMEOUT",
        "LX_ERR_CONNECT",
        "LX_ERR_TLS",
        "LX_ERR_INVALID_RESPONSE",
        "LX_ERR_GRAPHQL",
        "LX_ERR_REDIRECT",
        "LX_ERR_CANCELLED",
        "LX_ERR_FORKED",
        "LX_ERR_PANIC",
        "LX_ERR_NOT_FOUND",
        "LX_ERR_TOO_LARGE",
        "LX_ERR_RECURSIVE_CALL",
        "LX_ERR_RUN_FAILED",
    };

    private Status() {}

    /**
     * The name of a status code, as {@code lx_status_str()} gives it.
     *
     * @param code a status code
     * @return its name ({@code "LX_ERR_TIMEOUT"}), or {@code "LX_ERR_UNKNOWN"}
     */
    public static String name(int code) {
        return code >= 0 && code < NAMES.length ? NAMES[code] : "LX_ERR_UNKNOWN";
    }
}
