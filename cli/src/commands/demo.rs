//! `lx demo`: the whole flow in a few lines, against the embedded sandbox or (read-only) against
//! a real LeanIX workspace.

use std::time::{Duration, Instant};

use leanix::Request;
use serde_json::Value;

use crate::args::{DemoArgs, GlobalOpts};
use crate::commands::token::{local_time, time_left};
use crate::config::{Settings, Source};
use crate::exit::{CliError, CliResult};
use crate::output::line;
use crate::session::Session;

/// The fact sheet types of the standard LeanIX meta model, counted by the GraphQL step.
const TYPES: [&str; 10] = [
    "Application",
    "ITComponent",
    "BusinessCapability",
    "DataObject",
    "Interface",
    "Provider",
    "TechnicalStack",
    "UserGroup",
    "Project",
    "Process",
];

const REST_PATH: &str = "/services/pathfinder/v1/factSheets?pageSize=3";
const CACHE_PATH: &str = "/services/pathfinder/v1/factSheets?pageSize=1";

/// Runs the demo. Every call is a read; no token is printed, only fingerprints.
pub fn run(opts: &GlobalOpts, args: &DemoArgs) -> CliResult {
    let session = open(opts)?;
    let sandbox = session.sandbox.is_some();
    let calls = args.calls.unwrap_or(if sandbox { 200 } else { 20 });
    if calls == 0 || calls > 10_000 {
        return Err(CliError::usage("--calls must be between 1 and 10000"));
    }
    if sandbox {
        line(&format!(
            "lx demo against the embedded LeanIX sandbox at {} (no account needed)",
            session.client.origin()
        ))?;
    } else {
        line(&format!(
            "lx demo against {} (read-only: nothing is changed)",
            session.client.origin()
        ))?;
    }

    // 1. The OAuth2 exchange: API token in, access token out.
    let started = Instant::now();
    let token = session.client.access_token()?;
    let took = started.elapsed();
    let claims = token.claims();
    let now = chrono::Utc::now().timestamp();
    let kind = match claims.as_ref().and_then(|c| c.exp) {
        Some(exp) => format!("a JWT, expires {}", time_left(exp, now)),
        None if claims.is_some() => "a JWT".to_owned(),
        None => "an opaque token".to_owned(),
    };
    step(
        1,
        "exchange",
        &format!(
            "API token sha256:{}… → access token sha256:{}… ({kind}) in {}",
            session.api_token_fingerprint(),
            token.fingerprint(),
            ms(took)
        ),
    )?;

    // 2. The claims, decoded locally.
    let who = match &claims {
        Some(c) => {
            let p = c.principal.clone().unwrap_or_default();
            let perm = p.permission.unwrap_or_default();
            let mut s = p
                .username
                .or_else(|| c.sub.clone())
                .unwrap_or_else(|| "(no user)".to_owned());
            if let Some(name) = perm.workspace_name {
                s.push_str(&format!(" in workspace \"{name}\""));
            }
            if let Some(id) = perm.workspace_id {
                s.push_str(&format!(" (id {id})"));
            }
            if let Some(role) = perm.role {
                s.push_str(&format!(", role {role}"));
            }
            if let Some(exp) = c.exp {
                let at = local_time(exp).unwrap_or_else(|| exp.to_string());
                s.push_str(&format!(", expires {at} ({})", time_left(exp, now)));
            }
            s
        }
        None => "the access token is opaque: no claims to decode".to_owned(),
    };
    step(2, "claims", &who)?;

    // 3. A REST call.
    let started = Instant::now();
    let response = session.send(Request::get(REST_PATH))?;
    let took = started.elapsed();
    let body: Value = response.json()?;
    step(
        3,
        "REST",
        &format!(
            "GET {REST_PATH} → {} in {}: {}",
            response.status(),
            ms(took),
            describe_rest(&body)
        ),
    )?;

    // 4. A GraphQL call.
    let started = Instant::now();
    let graphql = match session.client.graphql(&count_by_type_query(), None) {
        Ok(data) => describe_counts(&data, started.elapsed()),
        Err(_) => {
            let data = session.client.graphql(
                "{ allFactSheets(first: 3) { totalCount edges { node { name type } } } }",
                None,
            )?;
            describe_first_page(&data, started.elapsed())
        }
    };
    step(4, "GraphQL", &graphql)?;

    // 5. The cache at work: many calls, one exchange.
    let threads = calls.clamp(1, 8);
    let started = Instant::now();
    let results: Vec<Result<(), leanix::Error>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let client = session.client.clone();
                let share = calls / threads + usize::from(t < calls % threads);
                scope.spawn(move || -> Result<(), leanix::Error> {
                    for _ in 0..share {
                        client.get(CACHE_PATH)?;
                    }
                    Ok(())
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or(Ok(())))
            .collect()
    });
    let took = started.elapsed();
    if let Some(Err(e)) = results.into_iter().find(Result::is_err) {
        return Err(e.into());
    }
    let (exchanges, counted_by) = match session.sandbox_exchanges() {
        Some(n) => (n, "counted by the sandbox"),
        None if session.exchanges() == 0 => (
            0,
            "counted by this client: the access token came from the token cache",
        ),
        None => (session.exchanges(), "counted by this client"),
    };
    step(
        5,
        "cache",
        &format!(
            "{calls} GET calls on {threads} threads in {} ({:.1} ms per call): {exchanges} token exchange{} in total ({counted_by})",
            ms(took),
            took.as_secs_f64() * 1000.0 / calls as f64,
            if exchanges == 1 { "" } else { "s" }
        ),
    )?;
    #[cfg(feature = "sandbox")]
    if let Some(sb) = &session.sandbox {
        writes(&session, sb)?;
    }
    if sandbox {
        line("Next: lx --sandbox whoami; lx --sandbox get '/services/pathfinder/v1/factSheets?pageSize=5'")?;
    }
    Ok(())
}

/// Steps 6 and 7, on the sandbox only: a fact sheet created, updated and archived through
/// GraphQL, and an LDIF test run through the Integration API.
#[cfg(feature = "sandbox")]
fn writes(session: &Session, sb: &leanix_sandbox::Sandbox) -> CliResult {
    use leanix::integration::RunOptions;
    use leanix::writes::{Patch, UpdateOptions};

    let started = Instant::now();
    let client = &session.client;
    let created = client.create_fact_sheet(
        "Application",
        "lx demo app",
        &[Patch::replace("/description", "created by lx demo")],
        UpdateOptions::new(),
    )?;
    let id = created["id"].as_str().unwrap_or_default().to_owned();
    let updated = client.update_fact_sheet(
        &id,
        &[
            Patch::replace("/description", "updated by lx demo"),
            Patch::lifecycle(&[("active", "2024-01-01")]),
        ],
        UpdateOptions::new(),
    )?;
    let archived = client.update_fact_sheet(
        &id,
        &[Patch::archive()],
        UpdateOptions::new().comment("archived by lx demo"),
    )?;
    step(
        6,
        "writes",
        &format!(
            "created \"lx demo app\" (rev {}), updated its description and lifecycle (rev {}), archived it (rev {}) in {}; {} writes counted by the sandbox",
            created["rev"],
            updated["rev"],
            archived["rev"],
            ms(started.elapsed()),
            sb.stats().writes
        ),
    )?;

    let ldif = serde_json::json!({
        "connectorType": "lxDemo", "connectorId": "lx-demo", "connectorVersion": "1.0.0",
        "lxVersion": "1.0.0", "description": "lx demo test run",
        "processingDirection": "inbound", "processingMode": "partial",
        "content": [
            {"type": "Application", "id": "lx-demo-1", "data": {"name": "LDIF demo app"}},
            {"type": "NoSuchType", "id": "lx-demo-2", "data": {"name": "unknown type"}}
        ]
    });
    let started = Instant::now();
    let before = sb.stats().writes;
    let run = client.run_ldif(&ldif, RunOptions::new().test(true))?;
    let (processed, contents) = run
        .progress
        .as_ref()
        .map_or((0, 0), |p| (p.processed_content_count, p.contents_count));
    step(
        7,
        "LDIF",
        &format!(
            "test run {} {} after {} status poll(s) in {}: {processed} of {contents} items processed, {} warning(s), {} fact sheets changed (a test run)",
            run.id,
            run.status,
            run.polls,
            ms(started.elapsed()),
            run.warnings.len(),
            sb.stats().writes - before
        ),
    )
}

/// The sandbox, unless both host and API token come from flags or the environment.
fn open(opts: &GlobalOpts) -> CliResult<Session> {
    if opts.sandbox {
        return Session::open(opts, true);
    }
    let settings = Settings::resolve(opts)?;
    let given = |s: &Source| !matches!(s, Source::File(_));
    let host = settings.host.as_ref().filter(|h| given(&h.source));
    let token = settings.api_token.as_ref().filter(|t| given(&t.source));
    match (host, token) {
        (Some(_), Some(_)) => Session::from_settings(settings),
        _ if opts.host.is_some() || opts.api_token_file.is_some() || opts.api_token_stdin => {
            Err(CliError::usage(
                "lx demo runs against a real LeanIX only with both a host and an API token from \
                 flags or LEANIX_HOST / LEANIX_API_TOKEN; leave both out (or pass --sandbox) for \
                 the sandbox",
            ))
        }
        _ => Session::open(opts, true),
    }
}

fn step(n: usize, name: &str, text: &str) -> CliResult {
    line(&format!("{n}. {name:<9} {text}"))
}

fn ms(d: Duration) -> String {
    if d >= Duration::from_secs(10) {
        format!("{:.1} s", d.as_secs_f64())
    } else if d >= Duration::from_millis(10) {
        format!("{} ms", d.as_millis())
    } else {
        format!("{:.1} ms", d.as_secs_f64() * 1000.0)
    }
}

fn count_by_type_query() -> String {
    let mut q = String::from("{ total: allFactSheets { totalCount }");
    for t in TYPES {
        q.push_str(&format!(
            " {t}: allFactSheets(filter: {{facetFilters: [{{facetKey: \"FactSheetTypes\", keys: [\"{t}\"]}}]}}) {{ totalCount }}"
        ));
    }
    q.push_str(" }");
    q
}

fn count(v: &Value, key: &str) -> Option<u64> {
    v.get(key)?.get("totalCount")?.as_u64()
}

fn describe_counts(data: &Value, took: Duration) -> String {
    let total = count(data, "total").unwrap_or(0);
    let mut by_type: Vec<(u64, &str)> = TYPES
        .iter()
        .filter_map(|t| count(data, t).filter(|n| *n > 0).map(|n| (n, *t)))
        .collect();
    by_type.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    let list: Vec<String> = by_type.iter().map(|(n, t)| format!("{t} {n}")).collect();
    format!(
        "{total} fact sheets by type in one query ({}): {}",
        ms(took),
        if list.is_empty() {
            "-".to_owned()
        } else {
            list.join(", ")
        }
    )
}

fn names(items: &[Value], node: impl Fn(&Value) -> &Value) -> String {
    let names: Vec<String> = items
        .iter()
        .map(|i| {
            let n = node(i);
            let name = n.get("name").and_then(Value::as_str).unwrap_or("?");
            match n.get("type").and_then(Value::as_str) {
                Some(t) => format!("{name} ({t})"),
                None => name.to_owned(),
            }
        })
        .collect();
    if names.is_empty() {
        "-".to_owned()
    } else {
        names.join(", ")
    }
}

fn describe_rest(body: &Value) -> String {
    let total = body.get("total").and_then(Value::as_u64);
    let items = body
        .get("data")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    format!(
        "{} fact sheets; first: {}",
        total.map_or("?".to_owned(), |t| t.to_string()),
        names(items, |v| v)
    )
}

fn describe_first_page(data: &Value, took: Duration) -> String {
    let conn = &data["allFactSheets"];
    let items = conn["edges"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    format!(
        "allFactSheets ({}): {} fact sheets; first: {}",
        ms(took),
        conn["totalCount"]
            .as_u64()
            .map_or("?".to_owned(), |t| t.to_string()),
        names(items, |e| &e["node"])
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn counts_are_sorted_and_zeroes_left_out() {
        let data = json!({"total": {"totalCount": 5}, "Application": {"totalCount": 2},
            "ITComponent": {"totalCount": 3}, "Provider": {"totalCount": 0}});
        assert_eq!(
            describe_counts(&data, Duration::from_millis(12)),
            "5 fact sheets by type in one query (12 ms): ITComponent 3, Application 2"
        );
    }

    #[test]
    fn rest_and_first_page_summaries() {
        let rest = json!({"total": 9, "data": [{"name": "A", "type": "Application"}]});
        assert_eq!(
            describe_rest(&rest),
            "9 fact sheets; first: A (Application)"
        );
        let gql = json!({"allFactSheets": {"totalCount": 9, "edges": [{"node": {"name": "B"}}]}});
        assert_eq!(
            describe_first_page(&gql, Duration::from_millis(12)),
            "allFactSheets (12 ms): 9 fact sheets; first: B"
        );
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(ms(Duration::from_micros(450)), "0.5 ms");
        assert_eq!(ms(Duration::from_millis(113)), "113 ms");
        assert_eq!(ms(Duration::from_millis(12_340)), "12.3 s");
    }

    #[test]
    fn the_count_query_aliases_every_type() {
        let q = count_by_type_query();
        assert!(q.contains("Application: allFactSheets(filter: {facetFilters: [{facetKey: \"FactSheetTypes\", keys: [\"Application\"]}]}) { totalCount }"));
        assert_eq!(q.matches("totalCount").count(), 11);
    }
}
