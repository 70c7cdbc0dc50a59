package org.libleanix;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A GraphQL response carried errors (LeanIX sends them with HTTP 200 and a non-empty
 * {@code errors} array); the message quotes the first ones. {@link #errors()} has them all, each
 * with its {@code extensions.errorType} (e.g. {@code REVISION_CLASH} for an update with a stale
 * {@code rev}), and {@link #data()} the partial {@code data} that came with them:
 *
 * <pre>{@code
 * } catch (GraphQlException e) {
 *     for (GraphQlError err : e.errors()) {
 *         if (err.errorType().filter("REVISION_CLASH"::equals).isPresent()) {
 *             // reload the fact sheet and try again with its current rev
 *         }
 *     }
 *     e.data().ifPresent(partial -> ...);   // JSON text of what did succeed
 * }
 * }</pre>
 *
 * <p>Status {@code LX_ERR_GRAPHQL}.
 */
public class GraphQlException extends LeanixException {
    private static final long serialVersionUID = 1L;

    private transient volatile List<GraphQlError> errors;

    /**
     * Creates the exception without details (backends use {@link LeanixException#of}).
     *
     * @param message the message (quotes the first GraphQL errors)
     * @param httpStatus the HTTP status of the response, or 0
     */
    public GraphQlException(String message, int httpStatus) {
        this(message, httpStatus, null, null);
    }

    /**
     * Creates the exception (backends use {@link LeanixException#of}).
     *
     * @param message the message (quotes the first GraphQL errors)
     * @param httpStatus the HTTP status of the response, or 0
     * @param json {@code lx_error_graphql_json()}: {@code {"errors":[...],"data":...}}, or null
     * @param response the HTTP response that carried the errors, or null
     */
    public GraphQlException(String message, int httpStatus, String json, LeanixResponse response) {
        super(Status.LX_ERR_GRAPHQL, message, httpStatus, null, -1);
        this.graphqlJson = json;
        this.response = response;
    }

    /**
     * Every error of the response, in order.
     *
     * @return the errors (unmodifiable; empty only if the library gave no details)
     */
    public List<GraphQlError> errors() {
        List<GraphQlError> e = errors;
        if (e == null) {
            List<GraphQlError> list = new ArrayList<>();
            Object parsed = graphqlJson == null ? null : Json.at(Json.parse(graphqlJson), "errors");
            if (parsed instanceof List) {
                for (Object item : (List<?>) parsed) {
                    if (item instanceof Map) {
                        list.add(new GraphQlError(castMap(item)));
                    }
                }
            }
            e = Collections.unmodifiableList(list);
            errors = e;
        }
        return e;
    }

    /**
     * The partial {@code data} that came with the errors, as JSON text: the fields that
     * succeeded, with {@code null} where a field failed (its error's {@link GraphQlError#path()}
     * names it).
     *
     * @return the data, or empty if the server sent {@code "data": null} (e.g. for a document that
     *     does not parse or validate) or none
     */
    public Optional<String> data() {
        if (graphqlJson == null) {
            return Optional.empty();
        }
        String data = Json.rawMember(graphqlJson, "data");
        return data == null || data.equals("null") ? Optional.empty() : Optional.of(data);
    }

    /**
     * @return the errors and the partial data as one JSON object {@code {"errors":[...],"data":...}},
     *     as the library gives them; empty if it gave none
     */
    public Optional<String> json() {
        return Optional.ofNullable(graphqlJson);
    }

    /**
     * @return the HTTP response that carried the errors (status 200 from LeanIX; its body is the
     *     GraphQL answer), if the library kept it (not for asynchronous calls, whose GraphQL
     *     answer is in {@link #json()})
     */
    public Optional<LeanixResponse> response() {
        return Optional.ofNullable(response);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Object o) {
        return (Map<String, Object>) o;
    }
}
