package org.libleanix;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;

/**
 * A failed libleanix call.
 *
 * <p>Failures that carry the server's answer keep it: an {@link HttpException} (and its
 * subclasses {@link NotFoundException}, {@link ForbiddenException}, {@link UnauthorizedException},
 * {@link RateLimitedException}, {@link RedirectException}) has the whole response (status,
 * headers, body) in {@link HttpException#response()}, and a {@link GraphQlException} has the
 * GraphQL {@code errors} with their {@code errorType} and the partial {@code data}.
 *
 * <p>Unchecked on purpose: almost every call can fail for reasons the caller cannot fix where the
 * call is made (a network error, an expired API token, a 5xx after the library's retries), and
 * the library has already done the retrying that a {@code catch} block would usually do. Callers
 * who can act on a specific failure catch the subclass they care about (for example
 * {@link RateLimitedException} to back off for {@link #retryAfter()}), everyone else lets it
 * propagate, as with {@link java.io.UncheckedIOException} in streams and lambdas.
 *
 * <p>Each subclass corresponds to one stable {@code LX_ERR_*} status of the C API; {@link #code()}
 * and {@link #statusName()} give it, {@link #httpStatus()} the HTTP status behind it when there is
 * one. Messages come from the library and never contain the API token, an access token or the
 * Basic header value; neither does {@link #toString()}.
 */
public class LeanixException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The {@code LX_ERR_*} status. */
    private final int code;
    /** The HTTP status behind the error, or 0. */
    private final int httpStatus;
    /** The OAuth2 {@code error} field, or null. */
    private final String oauthError;
    /** The server's Retry-After in milliseconds, or negative. */
    private final long retryAfterMillis;
    /** The server's answer, if the failure had one (not serialized). */
    transient LeanixResponse response;
    /** {@code lx_error_graphql_json()}, for GraphQL errors. */
    String graphqlJson;
    /** {@code lx_error_run_json()}, for errors about an LDIF run. */
    String runJson;
    /** {@code lx_error_reason()}: the server's reason code of a rate limit, or null. */
    String reason;

    /**
     * Creates an exception; backends use {@link #of} instead.
     *
     * @param code the {@code LX_ERR_*} status
     * @param message the library's message (must not contain secrets)
     * @param httpStatus the HTTP status behind the error, or 0
     * @param oauthError the OAuth2 {@code error} field of a failed token exchange, or null
     * @param retryAfterMillis the server's Retry-After in milliseconds, or a negative number
     */
    public LeanixException(int code, String message, int httpStatus, String oauthError, long retryAfterMillis) {
        super(message == null ? "" : message);
        this.code = code;
        this.httpStatus = httpStatus;
        this.oauthError = oauthError;
        this.retryAfterMillis = retryAfterMillis;
    }

    /**
     * The exception for a status of the C API: the subclass that corresponds to {@code code}
     * ({@link LeanixException} itself for codes without one), without a response.
     *
     * @param code the {@code LX_ERR_*} status (not {@code LX_OK})
     * @param message the library's message
     * @param httpStatus {@code lx_error_http_status()}, or 0
     * @param oauthError {@code lx_error_oauth_error()}, or null
     * @param retryAfterMillis {@code lx_error_retry_after_ms()}, or -1
     * @return the exception to throw
     */
    public static LeanixException of(int code, String message, int httpStatus, String oauthError, long retryAfterMillis) {
        return of(code, message, httpStatus, oauthError, retryAfterMillis, null, null);
    }

    /**
     * The exception for a failed call: the subclass that corresponds to {@code code} and, for
     * {@code LX_ERR_HTTP}, to the HTTP status ({@link NotFoundException} for 404).
     *
     * @param code the {@code LX_ERR_*} status (not {@code LX_OK})
     * @param message the library's message
     * @param httpStatus {@code lx_error_http_status()}, or 0
     * @param oauthError {@code lx_error_oauth_error()}, or null
     * @param retryAfterMillis {@code lx_error_retry_after_ms()}, or -1
     * @param response the server's answer ({@code lx_error_response()}), or null if there was none
     * @param graphqlJson {@code lx_error_graphql_json()} for {@code LX_ERR_GRAPHQL}, or null
     * @return the exception to throw
     */
    public static LeanixException of(int code, String message, int httpStatus, String oauthError, long retryAfterMillis,
                                     LeanixResponse response, String graphqlJson) {
        return of(code, message, httpStatus, oauthError, retryAfterMillis, response, graphqlJson, null);
    }

    /**
     * {@link #of(int, String, int, String, long, LeanixResponse, String)} for an error that may
     * be about an LDIF run.
     *
     * @param code the {@code LX_ERR_*} status (not {@code LX_OK})
     * @param message the library's message
     * @param httpStatus {@code lx_error_http_status()}, or 0
     * @param oauthError {@code lx_error_oauth_error()}, or null
     * @param retryAfterMillis {@code lx_error_retry_after_ms()}, or -1
     * @param response the server's answer, or null
     * @param graphqlJson {@code lx_error_graphql_json()}, or null
     * @param runJson {@code lx_error_run_json()}, or null
     * @return the exception to throw
     */
    public static LeanixException of(int code, String message, int httpStatus, String oauthError, long retryAfterMillis,
                                     LeanixResponse response, String graphqlJson, String runJson) {
        return of(code, message, httpStatus, oauthError, retryAfterMillis, response, graphqlJson, runJson, null);
    }

    /**
     * {@link #of(int, String, int, String, long, LeanixResponse, String, String)} with the
     * server's reason code of a rate limit: what the backends call.
     *
     * @param code the {@code LX_ERR_*} status (not {@code LX_OK})
     * @param message the library's message
     * @param httpStatus {@code lx_error_http_status()}, or 0
     * @param oauthError {@code lx_error_oauth_error()}, or null
     * @param retryAfterMillis {@code lx_error_retry_after_ms()}, or -1
     * @param response the server's answer, or null
     * @param graphqlJson {@code lx_error_graphql_json()}, or null
     * @param runJson {@code lx_error_run_json()}, or null
     * @param reason {@code lx_error_reason()} (e.g. {@code USER_INTERVAL_REQUEST_LIMIT_EXCEEDED}), or null
     * @return the exception to throw
     */
    public static LeanixException of(int code, String message, int httpStatus, String oauthError, long retryAfterMillis,
                                     LeanixResponse response, String graphqlJson, String runJson, String reason) {
        LeanixException e = create(code, message, httpStatus, oauthError, retryAfterMillis, response, graphqlJson);
        e.response = response;
        e.graphqlJson = graphqlJson;
        e.runJson = runJson;
        e.reason = reason;
        if (response != null) {
            response.failure(e);
        }
        return e;
    }

    /** The statuses whose exception carries the message alone, with their constructors. */
    private static final Map<Integer, Function<String, LeanixException>> MESSAGE_ONLY = Map.ofEntries(
        Map.entry(Status.LX_ERR_CONFIG, ConfigException::new),
        Map.entry(Status.LX_ERR_TIMEOUT, TimeoutException::new),
        Map.entry(Status.LX_ERR_CONNECT, ConnectException::new),
        Map.entry(Status.LX_ERR_TLS, TlsException::new),
        Map.entry(Status.LX_ERR_CANCELLED, CancelledException::new),
        Map.entry(Status.LX_ERR_FORKED, ForkedException::new),
        Map.entry(Status.LX_ERR_PANIC, PanicException::new),
        Map.entry(Status.LX_ERR_TOO_LARGE, ResponseTooLargeException::new),
        Map.entry(Status.LX_ERR_RECURSIVE_CALL, RecursiveCallException::new),
        Map.entry(Status.LX_ERR_RUN_FAILED, RunFailedException::new));

    private static LeanixException create(int code, String message, int httpStatus, String oauthError,
                                          long retryAfterMillis, LeanixResponse response, String graphqlJson) {
        Function<String, LeanixException> messageOnly = MESSAGE_ONLY.get(code);
        if (messageOnly != null) {
            return messageOnly.apply(message);
        }
        switch (code) {
            case Status.LX_ERR_NULL_ARG:
            case Status.LX_ERR_INVALID_ARG:
                return new InvalidArgumentException(code, message);
            case Status.LX_ERR_INVALID_CREDENTIALS:
                return new InvalidCredentialsException(message, httpStatus, oauthError);
            case Status.LX_ERR_UNAUTHORIZED:
                return new UnauthorizedException(message, httpStatus, response);
            case Status.LX_ERR_FORBIDDEN:
                return new ForbiddenException(message, httpStatus, response);
            case Status.LX_ERR_RATE_LIMITED:
                return new RateLimitedException(message, httpStatus, retryAfterMillis, response);
            case Status.LX_ERR_HTTP:
                return httpStatus == 404
                    ? new NotFoundException(message, retryAfterMillis, response)
                    : new HttpException(message, httpStatus, retryAfterMillis, response);
            case Status.LX_ERR_INVALID_RESPONSE:
                return new InvalidResponseException(message, httpStatus);
            case Status.LX_ERR_GRAPHQL:
                return new GraphQlException(message, httpStatus, graphqlJson, response);
            case Status.LX_ERR_REDIRECT:
                return new RedirectException(message, httpStatus, response);
            default:
                return new LeanixException(code, message, httpStatus, oauthError, retryAfterMillis);
        }
    }

    /**
     * A new exception of the same class with the same details and response, thrown from the
     * caller's stack (by {@link LeanixResponse#raiseForStatus()}).
     */
    LeanixException copy() {
        return of(code, getMessage(), httpStatus, oauthError, retryAfterMillis, response, graphqlJson, runJson, reason);
    }

    /**
     * The name of a status code of the C API ({@code "LX_ERR_TIMEOUT"}), as {@code lx_status_str()}.
     *
     * @param code a status code
     * @return its name, or {@code "LX_ERR_UNKNOWN"}
     */
    public static String statusName(int code) {
        return Status.name(code);
    }

    /** @return the {@code LX_ERR_*} status code of the C API (stable numbers: the constants of {@link Status}) */
    public int code() {
        return code;
    }

    /** @return the name of {@link #code()}, e.g. {@code "LX_ERR_FORBIDDEN"} */
    public String statusName() {
        return statusName(code);
    }

    /**
     * @return the LDIF run the error is about: for {@link RunFailedException} its result, for any
     *     failure while waiting for a run ({@link TimeoutException}, {@link CancelledException},
     *     an {@link HttpException} of a poll) what was known (its id, to ask again or stop it);
     *     empty for other errors
     */
    public Optional<RunResult> run() {
        return runJson == null ? Optional.empty() : Optional.of(RunResult.parse(runJson));
    }

    /** @return the HTTP status behind the error (401, 403, 429, 503, ...), if there is one */
    public OptionalInt httpStatus() {
        return httpStatus > 0 ? OptionalInt.of(httpStatus) : OptionalInt.empty();
    }

    /** @return the OAuth2 {@code error} field of a failed token exchange (e.g. {@code invalid_client}) */
    public Optional<String> oauthError() {
        return Optional.ofNullable(oauthError);
    }

    /**
     * @return the server's reason code of a rate limit, when its body names one ({@code lx_error_reason}):
     *     LeanIX answers a 429 with {@code USER_INTERVAL_REQUEST_LIMIT_EXCEEDED} when the user's
     *     requests per minute are used up; empty for other errors and for a body without a code
     */
    public Optional<String> reason() {
        return Optional.ofNullable(reason);
    }

    /**
     * @return the server's {@code Retry-After}, if it sent one (on {@link RateLimitedException}
     *     and retryable HTTP errors such as 503)
     */
    public Optional<Duration> retryAfter() {
        return retryAfterMillis >= 0 ? Optional.of(Duration.ofMillis(retryAfterMillis)) : Optional.empty();
    }

    /** @return {@code ClassName: LX_ERR_NAME [HTTP nnn]: message}; never contains a secret */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(getClass().getName()).append(": ").append(statusName());
        if (httpStatus > 0) {
            s.append(" (HTTP ").append(httpStatus).append(')');
        }
        String message = getMessage();
        if (message != null && !message.isEmpty()) {
            s.append(": ").append(message);
        }
        return s.toString();
    }
}
