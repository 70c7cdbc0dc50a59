//! `POST /services/pathfinder/v1/graphql`: a real subset of the Pathfinder
//! GraphQL API (`allFactSheets` with cursor paging and filters, `factSheet`).

mod exec;
mod parse;
mod schema;

use bytes::Bytes;
use http::{Method, Request, StatusCode};
use serde_json::{json, Map, Value};

use crate::http_util::{self, Resp};
use crate::state::State;

/// Handles an authenticated GraphQL request.
pub(crate) fn handle(state: &State, req: &Request<Bytes>) -> Resp {
    let (query, operation_name, variables) = if req.method() == Method::GET {
        // GET with ?query= is accepted too, as graphql-java's servlet does.
        let q = req.uri().query();
        let variables = http_util::query_param(q, "variables")
            .and_then(|v| serde_json::from_str::<Value>(&v).ok())
            .unwrap_or(Value::Null);
        match http_util::query_param(q, "query") {
            Some(query) => (query, http_util::query_param(q, "operationName"), variables),
            None => return bad_request("Missing query parameter 'query'"),
        }
    } else if req.method() == Method::POST {
        let body: Value = match serde_json::from_slice(req.body()) {
            Ok(v) => v,
            Err(e) => return bad_request(&format!("Malformed JSON request body: {e}")),
        };
        let Some(query) = body.get("query").and_then(Value::as_str) else {
            return bad_request("Missing field 'query' in the request body");
        };
        let operation_name = body
            .get("operationName")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let variables = body.get("variables").cloned().unwrap_or(Value::Null);
        (query.to_owned(), operation_name, variables)
    } else {
        return http_util::method_not_allowed("GET, POST");
    };
    let variables = match variables {
        Value::Object(map) => map,
        Value::Null => Map::new(),
        _ => return bad_request("'variables' must be a JSON object"),
    };
    let body = match parse::parse(&query) {
        Ok(doc) => exec::run(&state.store, &doc, operation_name.as_deref(), &variables),
        Err(e) => exec::errors_only(vec![exec::error_at(e.message, e.pos, "InvalidSyntax")]),
    };
    http_util::json(StatusCode::OK, body)
}

fn bad_request(message: &str) -> Resp {
    let body = json!({ "data": null, "errors": [{ "message": message }] });
    http_util::json(StatusCode::BAD_REQUEST, body.to_string())
}
