//! The one paging rule for cursor-paged GraphQL queries, used by every surface.

use std::collections::HashSet;

use serde_json::{Map, Value};

use super::document::paging_problem;
use super::GraphQlRequest;
use crate::error::{quote, Error, ErrorKind};
use crate::page_walk::{self, check_page_limit, Walk};
use crate::policy;
use crate::Client;

/// The pages of a cursor-paged GraphQL query, fetched one at a time, so that a walk over
/// 200 000 fact sheets holds one page in memory.
///
/// The rule, the same on every surface (Rust, C, Python, Java, `lx`):
/// - the query declares the cursor variable (`$after`, see
///   [`GraphQlPages::cursor_variable`]) and selects `pageInfo { hasNextPage endCursor }` on its
///   connection; otherwise the walk fails before the first request with
///   [`ErrorKind::InvalidArgument`];
/// - every page's `data` holds the connection (the first object with a `pageInfo`, depth
///   first); a page without one fails with [`ErrorKind::InvalidResponse`];
/// - `hasNextPage: true` needs an `endCursor`, and a cursor the walk has seen before means the
///   server goes round in circles: both fail with [`ErrorKind::InvalidResponse`];
/// - more pages than the client's `max_pages` ([`policy::DEFAULT_MAX_PAGES`]) fail with
///   [`ErrorKind::TooLarge`].
///
/// LeanIX recommends at most 1 000 fact sheets per page; a single unpaged `allFactSheets`
/// stops near 15 000-18 000 nodes, so exports must page.
#[derive(Debug)]
pub struct GraphQlPages {
    client: Client,
    request: GraphQlRequest,
    cursor_variable: String,
    seen: HashSet<String>,
    pages: usize,
    done: bool,
}

impl GraphQlPages {
    pub(crate) fn new(client: Client, request: GraphQlRequest) -> Self {
        GraphQlPages {
            client,
            request,
            cursor_variable: policy::DEFAULT_CURSOR_VARIABLE.to_owned(),
            seen: HashSet::new(),
            pages: 0,
            done: false,
        }
    }

    /// Uses another variable name for the cursor (default
    /// [`policy::DEFAULT_CURSOR_VARIABLE`]).
    pub fn cursor_variable(mut self, name: &str) -> Self {
        self.cursor_variable = name.to_owned();
        self
    }

    /// How many pages were fetched so far.
    pub fn pages_fetched(&self) -> usize {
        self.pages
    }

    /// The `data` of the next page, or `None` after the last one. After an error the walk is
    /// over (`None` from then on).
    pub async fn next_page(&mut self) -> Result<Option<Value>, Error> {
        page_walk::next_page(self).await
    }

    /// Walks all pages and returns the `edges` of every page's connection, in order.
    pub async fn collect_edges(mut self) -> Result<Vec<Value>, Error> {
        let mut edges = Vec::new();
        while let Some(mut page) = self.next_page().await? {
            edges.append(&mut take_edges(&mut page));
        }
        Ok(edges)
    }

    /// Walks all pages and returns them merged (see [`MergedPages`]).
    pub async fn collect_merged(mut self) -> Result<Value, Error> {
        let mut merged = MergedPages::default();
        while let Some(page) = self.next_page().await? {
            merged.push(page);
        }
        Ok(merged.into_value())
    }
}

impl Walk for GraphQlPages {
    fn done(&mut self) -> &mut bool {
        &mut self.done
    }

    async fn fetch(&mut self) -> Result<Option<Value>, Error> {
        if self.pages == 0 {
            let problem = paging_problem(
                &self.request.query,
                self.request.operation_name.as_deref(),
                &self.cursor_variable,
            );
            if let Some(problem) = problem {
                return Err(Error::new(ErrorKind::InvalidArgument, problem));
            }
        }
        check_page_limit("GraphQL", self.pages, self.client.max_pages())?;
        let data = self.client.graphql_with(&self.request).await?;
        self.pages += 1;
        let info = find_connection(&data)
            .and_then(|c| c.get("pageInfo"))
            .ok_or_else(|| {
                invalid(format!(
                    "GraphQL page {} has no connection with pageInfo in its data",
                    self.pages
                ))
            })?;
        if info.get("hasNextPage").and_then(Value::as_bool) == Some(true) {
            let cursor = info
                .get("endCursor")
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    invalid(format!(
                        "GraphQL page {} says hasNextPage but has no endCursor",
                        self.pages
                    ))
                })?
                .to_owned();
            if !self.seen.insert(cursor.clone()) {
                return Err(invalid(format!(
                    "GraphQL paging goes round in circles: page {} returned the endCursor {} that an earlier page returned",
                    self.pages,
                    quote(&cursor)
                )));
            }
            self.request
                .variables
                .insert(self.cursor_variable.clone(), Value::String(cursor));
        } else {
            self.done = true;
        }
        Ok(Some(data))
    }
}

/// Pages merged into what one unpaged query would have returned: the first page's `data`
/// with the edges of every page in its connection, and the last page's `pageInfo`.
#[derive(Debug, Default)]
pub struct MergedPages {
    merged: Option<Value>,
    pages: usize,
    edges: usize,
}

impl MergedPages {
    /// Adds the next page.
    pub fn push(&mut self, mut page: Value) {
        self.pages += 1;
        self.edges += page_edges(&page).len();
        let Some(merged) = &mut self.merged else {
            self.merged = Some(page);
            return;
        };
        let more = take_edges(&mut page);
        let info = find_connection_mut(&mut page).and_then(|c| c.remove("pageInfo"));
        if let Some(conn) = find_connection_mut(merged) {
            if let Some(Value::Array(edges)) = conn.get_mut("edges") {
                edges.extend(more);
            }
            if let Some(info) = info {
                conn.insert("pageInfo".into(), info);
            }
        }
    }

    /// Pages added so far.
    pub fn pages(&self) -> usize {
        self.pages
    }

    /// Edges added so far.
    pub fn edges(&self) -> usize {
        self.edges
    }

    /// The merged `data` (`null` without pages).
    pub fn into_value(self) -> Value {
        self.merged.unwrap_or(Value::Null)
    }
}

/// The paged connection of a page's `data`: the first object (depth first) with a `pageInfo`
/// object.
pub fn page_connection(data: &Value) -> Option<&Map<String, Value>> {
    find_connection(data)
}

/// The `edges` of a page's connection (empty if it has none).
pub fn page_edges(data: &Value) -> &[Value] {
    match find_connection(data).and_then(|c| c.get("edges")) {
        Some(Value::Array(edges)) => edges,
        _ => &[],
    }
}

fn take_edges(data: &mut Value) -> Vec<Value> {
    match find_connection_mut(data).and_then(|c| c.get_mut("edges")) {
        Some(Value::Array(edges)) => std::mem::take(edges),
        _ => Vec::new(),
    }
}

/// The first object (depth-first) that has a `pageInfo` object: the paged connection.
fn find_connection(v: &Value) -> Option<&Map<String, Value>> {
    match v {
        Value::Object(o) if o.get("pageInfo").is_some_and(Value::is_object) => Some(o),
        Value::Object(o) => o.values().find_map(find_connection),
        Value::Array(a) => a.iter().find_map(find_connection),
        _ => None,
    }
}

fn find_connection_mut(v: &mut Value) -> Option<&mut Map<String, Value>> {
    match v {
        Value::Object(o) => {
            if o.get("pageInfo").is_some_and(Value::is_object) {
                return Some(o);
            }
            o.values_mut().find_map(find_connection_mut)
        }
        Value::Array(a) => a.iter_mut().find_map(find_connection_mut),
        _ => None,
    }
}

fn invalid(message: String) -> Error {
    Error::new(ErrorKind::InvalidResponse, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merged_pages_look_like_one_query() {
        let page = |edges: Vec<i32>, next: bool| {
            json!({"allFactSheets": {"totalCount": 3,
                   "pageInfo": {"hasNextPage": next, "endCursor": format!("c{}", edges[0])},
                   "edges": edges}})
        };
        let mut m = MergedPages::default();
        m.push(page(vec![1, 2], true));
        m.push(page(vec![3], false));
        assert_eq!((m.pages(), m.edges()), (2, 3));
        assert_eq!(
            m.into_value(),
            json!({"allFactSheets": {"totalCount": 3,
                   "pageInfo": {"hasNextPage": false, "endCursor": "c3"},
                   "edges": [1, 2, 3]}})
        );
    }

    #[test]
    fn finds_the_connection_and_its_edges() {
        let mut d = json!({"allFactSheets": {"pageInfo": {"hasNextPage": true, "endCursor": "c1"}, "edges": [{"node": 1}]}});
        assert_eq!(page_edges(&d), &[json!({"node": 1})]);
        assert_eq!(take_edges(&mut d), vec![json!({"node": 1})]);
        assert!(page_edges(&d).is_empty());
        assert!(page_edges(&json!({"x": 1})).is_empty());
    }
}
