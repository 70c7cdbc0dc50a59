//! LeanIX GraphQL: one call, errors on HTTP 200 as typed errors, and cursor paging.

use serde_json::{json, Map, Value};

use crate::error::{Error, ErrorKind};
use crate::request::Request;
use crate::Client;

/// The Pathfinder GraphQL endpoint.
pub const GRAPHQL_PATH: &str = "/services/pathfinder/v1/graphql";

/// True unless the document's first operation is a mutation (queries are safe to retry).
fn is_query(document: &str) -> bool {
    let first_token = document
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .find(|l| !l.is_empty())
        .unwrap_or("");
    !first_token.starts_with("mutation") && !first_token.starts_with("subscription")
}

/// Turns a GraphQL response into its `data`, or an [`ErrorKind::GraphQl`] error when the
/// `errors` array is non-empty (LeanIX answers such errors with HTTP 200).
pub(crate) fn into_data(response: Value) -> Result<Value, Error> {
    let mut obj = match response {
        Value::Object(o) => o,
        _ => {
            return Err(Error::new(
                ErrorKind::InvalidResponse,
                "the GraphQL response is not a JSON object",
            ))
        }
    };
    if let Some(errors) = obj
        .get("errors")
        .filter(|e| e.as_array().is_some_and(|a| !a.is_empty()))
    {
        let messages: Vec<String> = errors
            .as_array()
            .into_iter()
            .flatten()
            .take(3)
            .map(|e| {
                e.get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("(no message)")
                    .chars()
                    .take(300)
                    .collect()
            })
            .collect();
        let count = errors.as_array().map_or(0, Vec::len);
        let more = if count > 3 {
            format!(" (and {} more)", count - 3)
        } else {
            String::new()
        };
        return Err(Error::new(
            ErrorKind::GraphQl,
            format!("GraphQL error: {}{more}", messages.join("; ")),
        )
        .with_status(200)
        .with_graphql_errors(errors.clone()));
    }
    Ok(obj.remove("data").unwrap_or(Value::Null))
}

fn body(query: &str, variables: &Option<Value>) -> Value {
    match variables {
        Some(v) => json!({ "query": query, "variables": v }),
        None => json!({ "query": query }),
    }
}

impl Client {
    /// Runs a GraphQL query or mutation and returns its `data`. Queries are retried like
    /// idempotent requests; mutations are not.
    pub async fn graphql(&self, query: &str, variables: Option<Value>) -> Result<Value, Error> {
        if let Some(v) = &variables {
            if !v.is_object() {
                return Err(Error::new(
                    ErrorKind::InvalidArgument,
                    "GraphQL variables must be a JSON object",
                ));
            }
        }
        let request = Request::post(GRAPHQL_PATH)
            .json(&body(query, &variables))
            .retry_safe(is_query(query));
        let response: Value = self.send(request).await?.json()?;
        into_data(response)
    }

    /// Walks every page of a cursor-paged query: the query takes the cursor in the variable
    /// `$after` (see [`GraphQlPages::cursor_variable`]) and selects
    /// `pageInfo { hasNextPage endCursor }` on its connection.
    pub fn graphql_pages(&self, query: &str, variables: Option<Value>) -> GraphQlPages {
        GraphQlPages {
            client: self.clone(),
            query: query.to_owned(),
            variables: match variables {
                Some(Value::Object(o)) => o,
                _ => Map::new(),
            },
            cursor_variable: "after".to_owned(),
            done: false,
            pages: 0,
        }
    }
}

/// The pages of a cursor-paged GraphQL query, fetched one at a time.
#[derive(Debug)]
pub struct GraphQlPages {
    client: Client,
    query: String,
    variables: Map<String, Value>,
    cursor_variable: String,
    done: bool,
    pages: usize,
}

/// Most pages walked before giving up (a server that never ends paging).
const MAX_PAGES: usize = 100_000;

impl GraphQlPages {
    /// Uses another variable name for the cursor (default `after`).
    pub fn cursor_variable(mut self, name: &str) -> Self {
        self.cursor_variable = name.to_owned();
        self
    }

    /// The `data` of the next page, or `None` after the last one.
    pub async fn next_page(&mut self) -> Result<Option<Value>, Error> {
        if self.done {
            return Ok(None);
        }
        let vars = Value::Object(self.variables.clone());
        let data = match self.client.graphql(&self.query, Some(vars)).await {
            Ok(d) => d,
            Err(e) => {
                self.done = true;
                return Err(e);
            }
        };
        self.pages += 1;
        match next_cursor(&data) {
            Some(Ok(cursor)) => {
                let previous = self
                    .variables
                    .get(&self.cursor_variable)
                    .and_then(Value::as_str);
                if previous == Some(cursor.as_str()) || self.pages >= MAX_PAGES {
                    self.done = true;
                    return Err(Error::new(
                        ErrorKind::InvalidResponse,
                        "GraphQL paging does not advance: the server returned the same endCursor twice",
                    ));
                }
                self.variables
                    .insert(self.cursor_variable.clone(), Value::String(cursor));
            }
            Some(Err(e)) => {
                self.done = true;
                return Err(e);
            }
            None => self.done = true,
        }
        Ok(Some(data))
    }

    /// Walks all pages and returns the `edges` of every page's connection, in order.
    pub async fn collect_edges(mut self) -> Result<Vec<Value>, Error> {
        let mut edges = Vec::new();
        while let Some(page) = self.next_page().await? {
            if let Some(conn) = find_connection(&page) {
                if let Some(Value::Array(e)) = conn.get("edges") {
                    edges.extend(e.iter().cloned());
                }
            }
        }
        Ok(edges)
    }
}

/// The first object (depth-first) that has a `pageInfo` object: the paged connection.
pub(crate) fn find_connection(v: &Value) -> Option<&Map<String, Value>> {
    match v {
        Value::Object(o) => {
            if o.get("pageInfo").is_some_and(Value::is_object) {
                return Some(o);
            }
            o.values().find_map(find_connection)
        }
        Value::Array(a) => a.iter().find_map(find_connection),
        _ => None,
    }
}

/// `Some(Ok(cursor))` if there is a next page, `None` if this was the last (or no paging).
fn next_cursor(data: &Value) -> Option<Result<String, Error>> {
    let info = find_connection(data)?.get("pageInfo")?;
    if info.get("hasNextPage").and_then(Value::as_bool) != Some(true) {
        return None;
    }
    Some(match info.get("endCursor").and_then(Value::as_str) {
        Some(c) => Ok(c.to_owned()),
        None => Err(Error::new(
            ErrorKind::InvalidResponse,
            "GraphQL pageInfo says hasNextPage but has no endCursor (select pageInfo { hasNextPage endCursor })",
        )),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mutations_are_not_retry_safe() {
        assert!(is_query("{ allFactSheets { totalCount } }"));
        assert!(is_query("query Q($a: String) { x }"));
        assert!(!is_query("# comment\n  mutation { createFactSheet }"));
    }

    #[test]
    fn errors_on_200_become_typed_errors() {
        let e = into_data(json!({"data": null, "errors": [{"message": "Field 'x' is undefined"}]}))
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::GraphQl);
        assert!(e.message().contains("Field 'x'"));
        assert_eq!(
            into_data(json!({"data": {"a": 1}, "errors": []})).unwrap(),
            json!({"a": 1})
        );
    }

    #[test]
    fn finds_the_cursor() {
        let d = json!({"allFactSheets": {"pageInfo": {"hasNextPage": true, "endCursor": "c1"}, "edges": []}});
        assert_eq!(next_cursor(&d).unwrap().unwrap(), "c1");
        let d = json!({"allFactSheets": {"pageInfo": {"hasNextPage": false, "endCursor": "c1"}}});
        assert!(next_cursor(&d).is_none());
    }
}
