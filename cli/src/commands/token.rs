//! `lx token`, `lx token --claims`, `lx token --forget` and `lx whoami`.

use chrono::{DateTime, Local};
use leanix::Claims;
use serde_json::{json, Value};

use crate::args::GlobalOpts;
use crate::config::{Settings, Source, Sourced};
use crate::exit::{CliError, CliResult, Exit};
use crate::output::{line, Output};
use crate::session::Session;

/// Prints the access token, or its decoded claims (as text, or JSON with `json`).
pub fn run(opts: &GlobalOpts, claims: bool, json: bool) -> CliResult {
    let session = Session::open(opts, opts.sandbox)?;
    let token = session.client.access_token()?;
    if !claims {
        // The one place where a credential is printed: on request, to stdout, for `$(lx token)`.
        return line(token.expose_secret());
    }
    let decoded = token.claims().ok_or_else(|| {
        CliError::new(
            Exit::InvalidResponse,
            format!(
                "the access token (sha256:{}…) is not a JWT: it carries no claims to show",
                token.fingerprint()
            ),
        )
    })?;
    let now = chrono::Utc::now().timestamp();
    // Where API calls go: the instance the token names, when the routing rule follows it.
    let api = session.client.api_origin()?.as_str().to_owned();
    if json {
        let output = Output::new(opts.pretty, opts.compact, false);
        let mut v = claims_json(&decoded, now);
        v["api_origin"] = api.into();
        output.json(&v)
    } else {
        for (label, value) in claims_rows(&decoded, now) {
            line(&format!("{label:<11} {value}"))?;
        }
        line(&format!("{:<11} {api}", "api calls"))
    }
}

/// Removes the cached access token of the configured host and API token (whatever
/// `--no-token-cache` or `LEANIX_TOKEN_CACHE` say: forgetting is always possible).
pub fn forget(opts: &GlobalOpts) -> CliResult {
    if opts.sandbox {
        return Err(CliError::usage(
            "--sandbox keeps its access token to the process: there is nothing to forget",
        ));
    }
    let mut settings = Settings::resolve(opts)?;
    settings.token_cache = Sourced {
        value: true,
        source: Source::Flag("--forget"),
    };
    let session = Session::from_settings(settings)?;
    let path = session
        .client
        .token_cache_file()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "-".to_owned());
    if session.client.forget_token()? {
        line(&format!("removed the cached access token {path}"))
    } else {
        line(&format!(
            "no cached access token for this host and API token ({path})"
        ))
    }
}

/// The expiry in local time, e.g. `2026-05-01 14:03:12 +02:00`.
pub fn local_time(epoch_seconds: i64) -> Option<String> {
    DateTime::from_timestamp(epoch_seconds, 0).map(|t| {
        t.with_timezone(&Local)
            .format("%Y-%m-%d %H:%M:%S %:z")
            .to_string()
    })
}

/// `in 3599 s` or `expired 12 s ago`.
pub fn time_left(exp: i64, now: i64) -> String {
    let left = exp - now;
    if left >= 0 {
        format!("in {left} s")
    } else {
        format!("expired {} s ago", -left)
    }
}

fn with_id(name: Option<&str>, id: Option<&str>) -> Option<String> {
    match (name, id) {
        (Some(n), Some(i)) => Some(format!("{n} (id {i})")),
        (Some(n), None) => Some(n.to_owned()),
        (None, Some(i)) => Some(format!("id {i}")),
        (None, None) => None,
    }
}

/// The labelled lines of `lx whoami`.
pub fn claims_rows(c: &Claims, now: i64) -> Vec<(&'static str, String)> {
    let p = c.principal.clone().unwrap_or_default();
    let perm = p.permission.clone().unwrap_or_default();
    let account = p.account.clone().unwrap_or_default();
    let user = p.username.as_deref().or(c.sub.as_deref());
    let role = match (&perm.role, &p.role) {
        (Some(w), Some(a)) => Some(format!("{w} (workspace), {a} (account)")),
        (Some(w), None) => Some(format!("{w} (workspace)")),
        (None, Some(a)) => Some(format!("{a} (account)")),
        (None, None) => None,
    };
    let expires = c.exp.map(|exp| match local_time(exp) {
        Some(t) => format!("{t} ({})", time_left(exp, now)),
        None => format!("{exp} ({})", time_left(exp, now)),
    });
    let rows = [
        ("user", with_id(user, p.id.as_deref())),
        (
            "workspace",
            with_id(perm.workspace_name.as_deref(), perm.workspace_id.as_deref()),
        ),
        ("role", role),
        (
            "status",
            perm.status.clone().map(|s| format!("{s} (permission)")),
        ),
        (
            "account",
            with_id(account.name.as_deref(), account.id.as_deref()),
        ),
        ("region", c.region.clone()),
        ("instance", c.instance_url.clone()),
        ("issuer", c.iss.clone()),
        ("expires", expires),
    ];
    rows.into_iter()
        .map(|(label, value)| (label, value.unwrap_or_else(|| "-".to_owned())))
        .collect()
}

/// The JSON of `lx whoami --json`: the fields above plus the whole decoded payload.
pub fn claims_json(c: &Claims, now: i64) -> Value {
    let p = c.principal.clone().unwrap_or_default();
    let perm = p.permission.clone().unwrap_or_default();
    let account = p.account.clone().unwrap_or_default();
    json!({
        "user": p.username.as_deref().or(c.sub.as_deref()),
        "user_id": p.id,
        "workspace_id": perm.workspace_id,
        "workspace_name": perm.workspace_name,
        "role": perm.role,
        "account_role": p.role,
        "permission_status": perm.status,
        "account_id": account.id,
        "account_name": account.name,
        "region": c.region,
        "instance_url": c.instance_url,
        "issuer": c.iss,
        "expires_at": c.exp.and_then(local_time),
        "expires_in": c.exp.map(|e| e - now),
        "claims": c.raw,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims() -> Claims {
        let payload = json!({
            "sub": "svc@acme", "exp": 2_000_000_100i64, "region": "eu",
            "instanceUrl": "https://acme.leanix.net",
            "principal": {"username": "svc@acme", "role": "APICLIENT",
                "permission": {"workspaceId": "w-1", "workspaceName": "Prod", "role": "ADMIN", "status": "ACTIVE"}}
        });
        let b64 = |v: &Value| {
            use base64::Engine;
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap())
        };
        leanix::decode_claims(&format!("e30.{}.sig", b64(&payload))).unwrap()
    }

    #[test]
    fn rows_show_who_where_and_until_when() {
        let rows = claims_rows(&claims(), 2_000_000_000);
        let get = |l: &str| rows.iter().find(|(k, _)| *k == l).unwrap().1.clone();
        assert_eq!(get("user"), "svc@acme");
        assert_eq!(get("workspace"), "Prod (id w-1)");
        assert_eq!(get("role"), "ADMIN (workspace), APICLIENT (account)");
        assert_eq!(get("status"), "ACTIVE (permission)");
        assert!(get("expires").ends_with("(in 100 s)"), "{}", get("expires"));
        assert_eq!(get("account"), "-");
    }

    #[test]
    fn json_has_the_same_fields() {
        let v = claims_json(&claims(), 2_000_000_000);
        assert_eq!(v["workspace_name"], "Prod");
        assert_eq!(v["expires_in"], 100);
        assert_eq!(v["claims"]["region"], "eu");
    }

    #[test]
    fn time_left_reads_naturally() {
        assert_eq!(time_left(10, 4), "in 6 s");
        assert_eq!(time_left(4, 10), "expired 6 s ago");
    }
}
