//! `lx get` and `lx request`.

use leanix::Request;
use serde_json::Value;

use crate::args::{GetArgs, GlobalOpts, RequestArgs};
use crate::exit::{CliError, CliResult};
use crate::input::{one_stdin, Input};
use crate::output::{verbose, warn, Output};
use crate::progress::Progress;
use crate::session::Session;

/// `lx get PATH`.
pub fn get(opts: &GlobalOpts, output: Output, args: &GetArgs) -> CliResult {
    check_path(&args.path)?;
    let headers = parse_headers(&args.headers)?;
    if args.paginate && output.include {
        return Err(CliError::usage(
            "--include does not apply to lx get --paginate (it prints the pages' JSON); use lx -i get \
             PATH to see one page's HTTP exchange",
        ));
    }
    let session = Session::open(opts, opts.sandbox)?;
    let mut request = Request::get(args.path.as_str());
    for (name, value) in &headers {
        request = request.header(name, value);
    }
    if args.paginate {
        return paginate(&session, output, request, args.merge);
    }
    send_and_print(&session, output, request)
}

/// `lx get --paginate [--merge]`: walks the list under the core library's REST paging rule.
/// Each page is printed as it arrives (one page in memory); with `--merge` nothing is printed
/// until the last page has arrived, so a walk that fails prints nothing. Either way a failure
/// is the exit status.
fn paginate(session: &Session, output: Output, request: Request, merge: bool) -> CliResult {
    let mut progress = Progress::stderr();
    let mut pages = session.client.rest_pages_with(request);
    let (mut count, mut items, mut merged) = (0usize, 0usize, Vec::new());
    let mut result = Ok(());
    for page in pages.by_ref() {
        let page = match page {
            Ok(page) => page,
            Err(e) => {
                result = Err(e);
                break;
            }
        };
        count += 1;
        let total = page.get("total").and_then(Value::as_u64);
        if merge {
            let mut data = leanix::take_data(page);
            items += data.len();
            merged.append(&mut data);
        } else {
            items += page
                .get("data")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            output.json(&page)?;
        }
        progress.update(count, items, total);
    }
    progress.finish();
    if let Err(e) = result {
        if !merge && count > 0 {
            warn(&format!(
                "the walk failed after {count} page(s); the pages printed above are not the whole list"
            ));
        }
        return Err(e.into());
    }
    verbose(&format!("walked {count} REST page(s), {items} item(s)"));
    if merge {
        output.json(&Value::Array(merged))?;
    }
    Ok(())
}

/// `lx request METHOD PATH [--data ...] [--header K:V]...`.
pub fn request(opts: &GlobalOpts, output: Output, args: &RequestArgs) -> CliResult {
    check_path(&args.path)?;
    let headers = parse_headers(&args.headers)?;
    let data = args.data.as_deref().map(Input::parse);
    one_stdin(&[
        ("--data -", data.as_ref().is_some_and(Input::is_stdin)),
        ("--api-token-stdin", opts.api_token_stdin),
    ])?;
    let has_content_type = headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("content-type"));
    let body = match &data {
        Some(input) => {
            let bytes = input.read("--data")?;
            if !has_content_type {
                check_json(&bytes)?;
            }
            Some(bytes)
        }
        None => None,
    };
    let session = Session::open(opts, opts.sandbox)?;
    let mut request = Request::new(&args.method, args.path.as_str());
    for (name, value) in &headers {
        request = request.header(name, value);
    }
    if let Some(bytes) = body {
        if !has_content_type {
            request = request.header("Content-Type", "application/json");
        }
        request = request.body(bytes);
    }
    send_and_print(&session, output, request)
}

fn send_and_print(session: &Session, output: Output, request: Request) -> CliResult {
    let graphql = is_graphql_path(request.path());
    match session.send(request) {
        Ok(response) => {
            output.response(&response)?;
            // Printed as it came; GraphQL errors on a 200 still fail the command, as they do
            // for lx graphql (and gh api), under core's rule.
            match graphql.then(|| leanix::graphql_error(response)).flatten() {
                Some(e) => Err(e.into()),
                None => Ok(()),
            }
        }
        Err(e) => {
            if output.include {
                if let Some(response) = e.response() {
                    output.response(response)?;
                }
            }
            Err(e.into())
        }
    }
}

/// An empty PATH is a mistake, not a request for `/`.
fn check_path(path: &str) -> CliResult {
    if path.trim().is_empty() {
        return Err(CliError::usage(
            "the PATH is empty: give an API path such as /services/pathfinder/v1/factSheets",
        ));
    }
    Ok(())
}

/// True when `path` (a path or URL, with or without a query) names LeanIX's GraphQL endpoint.
fn is_graphql_path(path: &str) -> bool {
    let path = path.split(['?', '#']).next().unwrap_or_default();
    path.trim_end_matches('/').ends_with(leanix::GRAPHQL_PATH)
}

/// Splits `Name: value` arguments.
fn parse_headers(args: &[String]) -> CliResult<Vec<(String, String)>> {
    args.iter()
        .map(|h| match h.split_once(':') {
            Some((name, value)) if !name.trim().is_empty() => {
                let name = name.trim();
                if name.eq_ignore_ascii_case("authorization") {
                    return Err(CliError::usage(
                        "--header Authorization is not accepted: lx sets it from the API token",
                    ));
                }
                Ok((name.to_owned(), value.trim().to_owned()))
            }
            _ => Err(CliError::usage(format!(
                "--header {:?} is not NAME:VALUE",
                h.chars().take(40).collect::<String>()
            ))),
        })
        .collect()
}

/// A body sent as `application/json` must be JSON.
fn check_json(bytes: &[u8]) -> CliResult {
    serde_json::from_slice::<serde::de::IgnoredAny>(bytes)
        .map(|_| ())
        .map_err(|e| {
            CliError::usage(format!(
                "--data is not valid JSON ({e}); to send something else, add --header 'Content-Type: ...'"
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_name_colon_value() {
        let h = parse_headers(&["Accept: text/csv".into(), "X-A:b:c".into()]).unwrap();
        assert_eq!(h[0], ("Accept".into(), "text/csv".into()));
        assert_eq!(h[1], ("X-A".into(), "b:c".into()));
        assert!(parse_headers(&["nocolon".into()]).is_err());
        assert!(parse_headers(&[":v".into()]).is_err());
        assert!(parse_headers(&["authorization: Basic x".into()]).is_err());
    }

    #[test]
    fn the_graphql_endpoint_is_recognised_by_its_path() {
        assert!(is_graphql_path("/services/pathfinder/v1/graphql"));
        assert!(is_graphql_path("/services/pathfinder/v1/graphql/?x=1"));
        assert!(is_graphql_path(
            "https://a.leanix.net/services/pathfinder/v1/graphql"
        ));
        assert!(!is_graphql_path("/services/pathfinder/v1/factSheets"));
        assert!(!is_graphql_path(
            "/services/pathfinder/v1/factSheets?q=/graphql"
        ));
    }

    #[test]
    fn json_bodies_are_checked() {
        assert!(check_json(br#"{"a":1}"#).is_ok());
        assert!(check_json(b"{a:1}").is_err());
    }
}
