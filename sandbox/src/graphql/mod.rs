//! `POST /services/pathfinder/v1/graphql`: a real subset of the Pathfinder
//! GraphQL API (`allFactSheets` with cursor paging and filters, `factSheet`).
//!
//! Documents are parsed with `graphql-parser`; syntax errors are reworded
//! the way graphql-java (the vendor's engine) words them.

mod exec;
mod schema;

use bytes::Bytes;
use graphql_parser::query::ParseError;
use http::{Method, Request, StatusCode};
use serde_json::{json, Map, Value};

use crate::faults::Fault;
use crate::http_util::{self, Resp};
use crate::state::State;
use crate::users::Role;

/// Handles an authenticated GraphQL request; `paging` is a paging fault
/// ([`Fault::CursorCycle`], [`Fault::NoEndCursor`]) for `allFactSheets`.
pub(crate) fn handle(
    state: &State,
    req: &Request<Bytes>,
    role: Role,
    paging: Option<&Fault>,
) -> Resp {
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
        return http_util::method_not_allowed("GraphQL", "GET, POST");
    };
    let variables = match variables {
        Value::Object(map) => map,
        Value::Null => Map::new(),
        _ => return bad_request("'variables' must be a JSON object"),
    };
    let body = match graphql_parser::parse_query::<&str>(&query) {
        Ok(doc) => exec::run(
            state,
            role,
            &doc,
            operation_name.as_deref(),
            &variables,
            paging,
        ),
        Err(e) => exec::errors_only(vec![syntax_error(&e)]),
    };
    http_util::json(StatusCode::OK, body.to_string())
}

/// graphql-java's wording of a syntax error: `Invalid Syntax : offending
/// token ')' at line 1 column 8`, with the location and classification.
fn syntax_error(e: &ParseError) -> Value {
    // graphql-parser says "query parse error: Parse error at L:C\nUnexpected `tok[Kind]`\n...".
    let text = e.to_string();
    let mut lines = text.lines();
    let (line, column) = lines
        .next()
        .and_then(|l| l.rsplit_once("at "))
        .and_then(|(_, at)| at.split_once(':'))
        .and_then(|(l, c)| Some((l.parse().ok()?, c.trim().parse().ok()?)))
        .unwrap_or((1, 1));
    let detail = lines.next().unwrap_or("").trim();
    let what = match detail.strip_prefix("Unexpected ") {
        Some("end of input") => "offending token '<EOF>'".to_owned(),
        Some(t) if t.starts_with('`') => {
            let t = t.trim_matches('`');
            let token = t.rsplit_once('[').map_or(t, |(tok, _)| tok);
            format!("offending token '{token}'")
        }
        _ => detail.to_owned(),
    };
    exec::error_at(
        format!("Invalid Syntax : {what} at line {line} column {column}"),
        line,
        column,
        "InvalidSyntax",
    )
}

/// Whether fact sheets of type `fs_type` have the field `field`.
pub(crate) fn field_defined(fs_type: &str, field: &str) -> bool {
    schema::field(fs_type, field).is_some()
}

fn bad_request(message: &str) -> Resp {
    let body = json!({ "data": null, "errors": [{ "message": message }] });
    http_util::json(StatusCode::BAD_REQUEST, body.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(query: &str) -> String {
        let e = graphql_parser::parse_query::<&str>(query).unwrap_err();
        syntax_error(&e)["message"].as_str().unwrap().to_owned()
    }

    #[test]
    fn syntax_errors_read_like_graphql_java() {
        assert_eq!(
            message("{ allFactSheets { totalCount }"),
            "Invalid Syntax : offending token '<EOF>' at line 1 column 31"
        );
        assert_eq!(
            message("{ a(x: ) }"),
            "Invalid Syntax : offending token ')' at line 1 column 8"
        );
        assert!(message("").starts_with("Invalid Syntax : offending token '<EOF>'"));
    }
}
