package org.libleanix;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A GraphQL call with its per-call settings, for {@link LeanixClient#graphql(GraphQlRequest)},
 * {@link LeanixClient#graphqlAsync(GraphQlRequest)}, {@link LeanixClient#graphqlAll(GraphQlRequest)}
 * and {@link LeanixClient#graphqlPages(GraphQlRequest)}:
 *
 * <pre>{@code
 * GraphQlRequest q = GraphQlRequest.newBuilder(document)
 *     .variables("{\"id\":\"...\"}")
 *     .operationName("Rename")              // which operation of a document with several runs
 *     .timeout(Duration.ofSeconds(10))
 *     .build();
 * }</pre>
 *
 * Immutable.
 */
public final class GraphQlRequest {
    private final String query;
    private final String variablesJson;
    private final String operationName;
    private final Duration timeout;

    private GraphQlRequest(Builder b) {
        this.query = b.query;
        this.variablesJson = b.variablesJson;
        this.operationName = b.operationName;
        this.timeout = b.timeout;
    }

    /**
     * @param query the GraphQL document
     * @return a builder
     */
    public static Builder newBuilder(String query) {
        return new Builder(query);
    }

    /** @return the document */
    public String query() {
        return query;
    }

    /** @return the variables as a JSON object, if set */
    public Optional<String> variablesJson() {
        return Optional.ofNullable(variablesJson);
    }

    /** @return the {@code operationName}, if set */
    public Optional<String> operationName() {
        return Optional.ofNullable(operationName);
    }

    /** @return the deadline of the call (of each page's call for page walks), if set */
    public Optional<Duration> timeout() {
        return Optional.ofNullable(timeout);
    }

    /** @return {@code GraphQlRequest[operationName=..., 123 characters]} (never the variables) */
    @Override
    public String toString() {
        return "GraphQlRequest[" + (operationName == null ? "" : "operationName=" + operationName + ", ")
            + query.length() + " characters]";
    }

    /** Builds a {@link GraphQlRequest}; not thread-safe. */
    public static final class Builder {
        private final String query;
        private String variablesJson;
        private String operationName;
        private Duration timeout;

        private Builder(String query) {
            this.query = Objects.requireNonNull(query, "query");
        }

        /**
         * @param json the variables as a JSON object, or null
         * @return this
         */
        public Builder variables(String json) {
            this.variablesJson = json;
            return this;
        }

        /**
         * @param name the operation of the document to run ({@code operationName}), or null. The
         *     library finds the operation by parsing the document, so only a query is retried.
         * @return this
         */
        public Builder operationName(String name) {
            this.operationName = name;
            return this;
        }

        /**
         * @param timeout the deadline of the call (for a page walk: of each page's call), instead of
         *     the client's {@code requestTimeout}; positive, rounded up to whole milliseconds
         * @return this
         */
        public Builder timeout(Duration timeout) {
            LeanixClient.millis("timeout", timeout);
            this.timeout = timeout;
            return this;
        }

        /** @return the request */
        public GraphQlRequest build() {
            return new GraphQlRequest(this);
        }
    }
}
