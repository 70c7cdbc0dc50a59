//! LeanIX GraphQL: one call, errors on HTTP 200 as typed errors with their details, and cursor
//! paging under one rule.

mod document;
mod paging;

use std::time::Duration;

use serde_json::{Map, Value};

pub use document::{operation_kind, OperationKind};
pub use paging::{page_connection, page_edges, GraphQlPages, MergedPages};

use crate::call_limits::call_limit_setters;
use crate::cancel::Cancel;
use crate::error::{clean_line, Error, ErrorKind};
use crate::policy;
use crate::request::{Request, Response};
use crate::Client;

/// The Pathfinder GraphQL endpoint.
pub const GRAPHQL_PATH: &str = "/services/pathfinder/v1/graphql";

/// A GraphQL call: the document, its variables, the operation to run, and the per-call
/// options of [`Request`] (deadline, cancellation).
///
/// ```
/// let q = leanix::GraphQlRequest::new("query($id: ID!) { factSheet(id: $id) { name } }")
///     .variables(serde_json::json!({"id": "28fe4aa2-6e46-41a1-a131-72afb3acf256"}));
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct GraphQlRequest {
    query: String,
    variables: Map<String, Value>,
    operation_name: Option<String>,
    timeout: Option<Duration>,
    cancel: Option<Cancel>,
    invalid: Option<String>,
}

impl GraphQlRequest {
    /// A call of `query` (a query or a mutation) without variables.
    pub fn new(query: impl Into<String>) -> Self {
        GraphQlRequest {
            query: query.into(),
            variables: Map::new(),
            operation_name: None,
            timeout: None,
            cancel: None,
            invalid: None,
        }
    }

    /// The variables: a JSON object (`null` means none; anything else is refused when sent).
    pub fn variables(mut self, variables: impl Into<Option<Value>>) -> Self {
        match variables.into() {
            None | Some(Value::Null) => self.variables = Map::new(),
            Some(Value::Object(o)) => self.variables = o,
            Some(_) => self.invalid = Some("GraphQL variables must be a JSON object".to_owned()),
        }
        self
    }

    /// The operation to run when the document holds several (`operationName`).
    pub fn operation_name(mut self, name: impl Into<String>) -> Self {
        self.operation_name = Some(name.into());
        self
    }

    call_limit_setters! {
        /// The call's deadline (see [`Request::timeout`]); for paging, each page's.
        timeout;
        /// Ends the call (or the paging walk) when `cancel` fires (see [`Request::cancel_on`]).
        cancel_on;
    }

    /// The document.
    pub fn query(&self) -> &str {
        &self.query
    }

    /// What the document runs; only a [`OperationKind::Query`] is retried.
    pub fn operation_kind(&self) -> Option<OperationKind> {
        operation_kind(&self.query, self.operation_name.as_deref())
    }

    /// The HTTP request for this call.
    fn to_http(&self) -> Result<Request, Error> {
        if let Some(msg) = &self.invalid {
            return Err(Error::new(ErrorKind::InvalidArgument, msg.clone()));
        }
        let mut body = Map::new();
        body.insert("query".into(), Value::String(self.query.clone()));
        if !self.variables.is_empty() {
            body.insert("variables".into(), Value::Object(self.variables.clone()));
        }
        if let Some(name) = &self.operation_name {
            body.insert("operationName".into(), Value::String(name.clone()));
        }
        Ok(Request::post(GRAPHQL_PATH)
            .json(&Value::Object(body))
            .retry_safe(self.operation_kind() == Some(OperationKind::Query))
            .within(self.timeout, self.cancel.as_ref()))
    }
}

impl From<&str> for GraphQlRequest {
    fn from(query: &str) -> Self {
        GraphQlRequest::new(query)
    }
}

/// Turns a GraphQL response into its `data`, or an [`ErrorKind::GraphQl`] error when the
/// `errors` array is non-empty (LeanIX answers such errors with HTTP 200). The error keeps the
/// `errors`, the partial `data` and the HTTP response. [`Client::graphql`] applies it.
pub fn graphql_data(response: Response) -> Result<Value, Error> {
    let Value::Object(obj) = response.json()? else {
        return Err(Error::new(
            ErrorKind::InvalidResponse,
            "the GraphQL response is not a JSON object",
        ));
    };
    match split_errors(obj) {
        (data, None) => Ok(data),
        (data, Some(errors)) => Err(errors_error(errors, data, response)),
    }
}

/// The [`ErrorKind::GraphQl`] error of a GraphQL response you sent yourself with
/// [`Client::send`] (as `lx request` does), by the rule of [`graphql_data`]; `None` for any
/// body that is not a JSON object with a non-empty `errors` array, which is left as it came.
pub fn graphql_error(response: Response) -> Option<Error> {
    let Ok(Value::Object(obj)) = response.json() else {
        return None;
    };
    let (data, errors) = split_errors(obj);
    Some(errors_error(errors?, data, response))
}

/// A GraphQL response object's `data` (`null` if absent) and its `errors` when non-empty.
fn split_errors(mut obj: Map<String, Value>) -> (Value, Option<Vec<Value>>) {
    let data = obj.remove("data").unwrap_or(Value::Null);
    match obj.remove("errors") {
        Some(Value::Array(errors)) if !errors.is_empty() => (data, Some(errors)),
        _ => (data, None),
    }
}

/// The error of a response with GraphQL `errors`: they, the partial `data` and the response.
fn errors_error(errors: Vec<Value>, data: Value, response: Response) -> Error {
    Error::new(ErrorKind::GraphQl, errors_message(&errors))
        .with_status(response.status())
        .with_graphql(Value::Array(errors), data)
        .with_response(response)
}

/// `GraphQL error: <first three messages, each with its errorType>` on one clean line.
fn errors_message(errors: &[Value]) -> String {
    let shown: Vec<String> = errors
        .iter()
        .take(3)
        .map(|e| {
            let message = e
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or("(no message)");
            let kind = e
                .pointer("/extensions/errorType")
                .or_else(|| e.pointer("/extensions/classification"))
                .and_then(Value::as_str)
                .map(|t| format!(" [{}]", clean_line(t, policy::QUOTED_INPUT_CHARS)))
                .unwrap_or_default();
            format!(
                "{}{kind}",
                clean_line(message, policy::MESSAGE_EXCERPT_CHARS)
            )
        })
        .collect();
    let more = match errors.len() {
        n if n > 3 => format!(" (and {} more)", n - 3),
        _ => String::new(),
    };
    format!("GraphQL error: {}{more}", shown.join("; "))
}

impl Client {
    /// Runs a GraphQL query or mutation and returns its `data`. Queries are retried like
    /// idempotent requests; mutations (and documents that do not parse) are not.
    pub async fn graphql(&self, query: &str, variables: Option<Value>) -> Result<Value, Error> {
        self.graphql_with(&GraphQlRequest::new(query).variables(variables))
            .await
    }

    /// Runs a GraphQL call with its options (operation name, deadline, cancellation).
    pub async fn graphql_with(&self, request: &GraphQlRequest) -> Result<Value, Error> {
        let response = self.send(request.to_http()?).await?;
        graphql_data(response)
    }

    /// The pages of a cursor-paged query, fetched one at a time (see [`GraphQlPages`] for the
    /// rule the query must follow).
    pub fn graphql_pages(&self, query: &str, variables: Option<Value>) -> GraphQlPages {
        self.graphql_pages_with(GraphQlRequest::new(query).variables(variables))
    }

    /// [`Client::graphql_pages`] with the options of a [`GraphQlRequest`].
    pub fn graphql_pages_with(&self, request: GraphQlRequest) -> GraphQlPages {
        GraphQlPages::new(self.clone(), request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn response(body: Value) -> Response {
        let mut bytes = serde_json::to_vec(&body).unwrap();
        bytes.push(0);
        Response::new(
            200,
            Default::default(),
            bytes.into(),
            "https://x.leanix.net/services/pathfinder/v1/graphql"
                .parse()
                .unwrap(),
        )
    }

    #[test]
    fn errors_on_200_become_typed_errors_with_their_details() {
        let e = graphql_data(response(json!({
            "data": {"a": 1, "b": null},
            "errors": [{"message": "Field 'x'\nis undefined", "path": ["b"],
                        "extensions": {"errorType": "REVISION_CLASH"}}]
        })))
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::GraphQl);
        assert_eq!(
            e.message(),
            "GraphQL error: Field 'x' is undefined [REVISION_CLASH]"
        );
        assert_eq!(e.graphql_data().unwrap(), &json!({"a": 1, "b": null}));
        assert_eq!(e.graphql_errors().unwrap()[0]["path"], json!(["b"]));
        assert_eq!(e.response().unwrap().status(), 200);
        assert_eq!(
            graphql_data(response(json!({"data": {"a": 1}, "errors": []}))).unwrap(),
            json!({"a": 1})
        );
        // The same rule for a response sent by hand: errors, or nothing to say.
        let e = graphql_error(response(
            json!({"data": null, "errors": [{"message": "no"}]}),
        ))
        .expect("the errors");
        assert_eq!(e.kind(), ErrorKind::GraphQl);
        assert_eq!(e.graphql_errors().unwrap()[0]["message"], "no");
        assert!(graphql_error(response(json!({"data": {"a": 1}, "errors": []}))).is_none());
        assert!(graphql_error(response(json!([{"errors": [1]}]))).is_none());
    }

    #[test]
    fn only_queries_are_retry_safe() {
        let q = GraphQlRequest::new("query A { a } mutation B { b }");
        assert!(!q.clone().to_http().unwrap().retry_safe);
        assert!(q.clone().operation_name("A").to_http().unwrap().retry_safe);
        assert!(!q.operation_name("B").to_http().unwrap().retry_safe);
        let bad = GraphQlRequest::new("{ a }").variables(json!([1]));
        assert_eq!(
            bad.to_http().unwrap_err().kind(),
            ErrorKind::InvalidArgument
        );
    }
}
