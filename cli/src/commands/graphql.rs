//! `lx graphql QUERY|@file|- [--variables JSON] [--operation-name NAME] [--all]`.

use leanix::{page_connection, GraphQlRequest, MergedPages};
use serde_json::Value;

use crate::args::{GlobalOpts, GraphqlArgs};
use crate::exit::{CliError, CliResult};
use crate::input::{one_stdin, Input};
use crate::output::Output;
use crate::progress::Progress;
use crate::session::Session;

/// Runs the query and prints its `data`; with `--all`, walks every page first.
pub fn run(opts: &GlobalOpts, output: Output, args: &GraphqlArgs) -> CliResult {
    if output.include {
        return Err(CliError::usage(
            "--include does not apply to lx graphql (it prints the query's data); use lx -i request \
             POST /services/pathfinder/v1/graphql --data '{\"query\": ...}' to see the HTTP exchange",
        ));
    }
    let query_input = Input::parse(&args.query);
    let variables_input = args.variables.as_deref().map(Input::parse);
    one_stdin(&[
        ("the query -", query_input.is_stdin()),
        (
            "--variables -",
            variables_input.as_ref().is_some_and(Input::is_stdin),
        ),
        ("--api-token-stdin", opts.api_token_stdin),
    ])?;
    let query = query_input.read_text("the query")?;
    if query.trim().is_empty() {
        return Err(CliError::usage("the GraphQL query is empty"));
    }
    let variables = match &variables_input {
        Some(input) => Some(parse_variables(&input.read_text("--variables")?)?),
        None => None,
    };
    let mut request = GraphQlRequest::new(query).variables(variables);
    if let Some(name) = &args.operation_name {
        request = request.operation_name(name.as_str());
    }
    let session = Session::open(opts, opts.sandbox)?;
    let result = if args.all {
        walk_all(&session, request)
    } else {
        session.client.graphql_with(request)
    };
    match result {
        Ok(data) => output.json(&data),
        Err(failure) => {
            print_graphql_errors(output, &failure)?;
            Err(failure.into())
        }
    }
}

/// A call that failed with GraphQL `errors`: prints `{"errors": [...], "data": ...}` (the
/// server's errors and the partial data that came with them) on stdout, as `gh api graphql`
/// prints the response, before the one-line message goes to stderr.
fn print_graphql_errors(output: Output, error: &leanix::Error) -> CliResult {
    match (error.graphql_errors(), error.graphql_data()) {
        (Some(errors), Some(data)) => {
            output.json(&serde_json::json!({ "errors": errors, "data": data }))
        }
        _ => Ok(()),
    }
}

fn parse_variables(text: &str) -> CliResult<Value> {
    match serde_json::from_str::<Value>(text) {
        Ok(v @ Value::Object(_)) => Ok(v),
        Ok(_) => Err(CliError::usage("--variables must be a JSON object")),
        Err(e) => Err(CliError::usage(format!(
            "--variables is not valid JSON: {e}"
        ))),
    }
}

/// Walks every page (under the core library's paging rule) and returns them merged as one
/// query's data, with a progress line on a terminal.
fn walk_all(session: &Session, request: GraphQlRequest) -> Result<Value, leanix::Error> {
    let mut progress = Progress::stderr();
    let mut merged = MergedPages::default();
    for page in session.client.graphql_pages_with(request) {
        let page = page?;
        let total = page_connection(&page)
            .and_then(|c| c.get("totalCount"))
            .and_then(Value::as_u64);
        merged.push(page);
        progress.update(merged.pages(), merged.edges(), total);
    }
    progress.finish();
    crate::output::verbose(&format!("walked {} GraphQL page(s)", merged.pages()));
    Ok(merged.into_value())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_are_an_object() {
        assert!(parse_variables(r#"{"first": 2}"#).is_ok());
        assert!(parse_variables("[1]").is_err());
        assert!(parse_variables("{").is_err());
    }
}
