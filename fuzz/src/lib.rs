//! Fuzz targets of the `leanix` core: the token endpoint's response, JWT claims, host
//! normalisation with path joining, and the GraphQL operation detector (what decides whether a
//! GraphQL request may be retried).
//!
//! Each target takes arbitrary bytes, must never panic, and checks the properties the rest of the
//! library relies on (a panic *is* the finding). They are plain functions so that
//! `tests/replay.rs` replays every kept input with a normal `cargo test`; the `lxfuzz_*`
//! functions export them to the libFuzzer harness (`harness/rust_target.c`) when
//! `scripts/fuzz.sh` builds this crate as an instrumented staticlib.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use leanix::{
    decode_claims, operation_kind, parse_token_response, AccessToken, ErrorKind, GraphQlRequest,
    OperationKind, Origin,
};

/// A fuzz target: takes any bytes, panics on a finding.
pub type Target = fn(&[u8]);

/// The targets by name, as `scripts/fuzz.sh` and the corpus folders name them.
pub const TARGETS: &[(&str, Target)] = &[
    ("token_response", token_response),
    ("claims", claims),
    ("origin", origin),
    ("graphql_operation", graphql_operation),
];

/// A fixed "now", so that a replay behaves like the run that found the input.
fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_750_000_000)
}

/// `parse_token_response` on any bytes: a grant it accepts is usable and safe to print.
pub fn token_response(data: &[u8]) {
    match parse_token_response(data, now()) {
        Ok(grant) => {
            let token = grant.access_token.expose_secret();
            assert!(!token.trim().is_empty(), "accepted an empty token");
            assert!(
                !token.chars().any(|c| c.is_control() || c == ' '),
                "accepted a token that cannot go into a header"
            );
            assert!(
                grant.lifetime > Duration::ZERO && grant.lifetime <= Duration::from_secs(24 * 3600),
                "lifetime {:?} out of (0, 24 h]",
                grant.lifetime
            );
            // Debug shows a fingerprint, never the token (long tokens: short ones may occur
            // in the fixed text by chance).
            if token.len() >= 20 {
                assert!(
                    !format!("{grant:?}").contains(token),
                    "Debug shows the token"
                );
            }
        }
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::InvalidResponse, "{e:?}");
            assert!(!e.message().is_empty());
        }
    }
}

/// `decode_claims` on any text (and through `AccessToken::claims`): never panics, decodes only
/// JSON objects, and agrees with itself.
pub fn claims(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let decoded = decode_claims(&text);
    if let Some(c) = &decoded {
        assert!(c.raw.is_object());
        let _ = format!("{c:?}");
    }
    let via_token = AccessToken::new(text.clone().into_owned()).claims();
    assert_eq!(decoded.is_some(), via_token.is_some());
}

/// `Origin::parse` and `Origin::join` on any input. The first byte's low bit is
/// `allow_insecure_loopback`; the rest is `host` and, after the first newline, a path.
pub fn origin(data: &[u8]) {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let allow = flags & 1 == 1;
    let text = String::from_utf8_lossy(rest);
    let (host, path) = text.split_once('\n').unwrap_or((&text, "/"));
    let origin = match Origin::parse(host, allow) {
        Ok(o) => o,
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::Config, "{e:?}");
            return;
        }
    };
    let s = origin.as_str();
    let url = url::Url::parse(s).expect("a normalised origin is a URL");
    match url.scheme() {
        "https" => {}
        "http" => {
            assert!(allow, "http:// without the loopback opt-in: {s}");
            let h = url.host_str().unwrap_or_default();
            let bare = h.trim_start_matches('[').trim_end_matches(']');
            let loopback = bare.eq_ignore_ascii_case("localhost")
                || bare.to_ascii_lowercase().ends_with(".localhost")
                || bare
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback());
            assert!(loopback, "http:// to a host that is not loopback: {s}");
        }
        other => panic!("scheme {other} accepted: {s}"),
    }
    assert!(url.username().is_empty() && url.password().is_none(), "{s}");
    let h = url.host_str().unwrap_or_default();
    assert!(
        h.contains('.') || h.starts_with('[') || h.eq_ignore_ascii_case("localhost"),
        "a single-label host was accepted (the API token passed as the host?): {s}"
    );
    assert!(!s.ends_with('/'), "{s}");
    assert_eq!(url.path(), "/", "an origin has no path: {s}");
    assert!(url.query().is_none() && url.fragment().is_none(), "{s}");
    let again = Origin::parse(s, allow).expect("a normalised origin parses again");
    assert_eq!(again.as_str(), s, "normalisation is idempotent");
    match origin.join(path) {
        Ok(joined) => {
            assert!(
                origin.same_origin(&joined),
                "{path:?} joined to {s} left it: {joined}"
            );
            assert!(joined.username().is_empty() && joined.password().is_none());
        }
        Err(e) => assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e:?}"),
    }
}

/// `operation_kind` on any document (and an `operationName`: the text before the first NUL
/// byte, when there is one). Never panics, and agrees with itself under changes a GraphQL
/// server ignores or that must change the answer in a known way:
/// - the request's own view (`GraphQlRequest::operation_kind`, which decides retries) is the same;
/// - a UTF-8 byte order mark or a comment line in front changes nothing;
/// - a fragment definition appended to a document that parses changes nothing;
/// - a second operation appended makes an unnamed choice ambiguous (`None`), while naming
///   either operation picks it;
/// - a mutation or subscription is reported only if the keyword is in the text (a query
///   shorthand or an unparseable document is never taken for a mutation, nor the reverse).
pub fn graphql_operation(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (name, doc) = match text.split_once('\0') {
        Some((n, d)) => (Some(n), d),
        None => (None, &*text),
    };
    let kind = operation_kind(doc, name);
    let mut request = GraphQlRequest::new(doc);
    if let Some(n) = name {
        request = request.operation_name(n);
    }
    assert_eq!(
        request.operation_kind(),
        kind,
        "the request disagrees: {doc:?} {name:?}"
    );
    assert_eq!(
        operation_kind(doc, name),
        kind,
        "not deterministic: {doc:?}"
    );
    assert_eq!(
        operation_kind(&format!("\u{feff}{doc}"), name),
        kind,
        "a byte order mark changed the answer: {doc:?}"
    );
    assert_eq!(
        operation_kind(
            &format!("# a comment\n{}", doc.trim_start_matches('\u{feff}')),
            name
        ),
        kind,
        "a comment line changed the answer: {doc:?}"
    );
    match kind {
        Some(OperationKind::Mutation) => assert!(doc.contains("mutation"), "{doc:?}"),
        Some(OperationKind::Subscription) => assert!(doc.contains("subscription"), "{doc:?}"),
        _ => {}
    }
    if kind.is_none() {
        return;
    }
    // The document parses and one operation was chosen: definitions may be appended to it.
    const FRAGMENT: &str = "\nfragment LxFuzzFragment on FactSheet { id }\n";
    assert_eq!(
        operation_kind(&format!("{doc}{FRAGMENT}"), name),
        kind,
        "an appended fragment changed the answer: {doc:?}"
    );
    const OTHER: &str = "LxFuzzOther";
    if doc.contains(OTHER) {
        return;
    }
    let two = format!("{doc}\nmutation {OTHER} {{ x }}\n");
    assert_eq!(
        operation_kind(&two, Some(OTHER)),
        Some(OperationKind::Mutation),
        "the named second operation was not chosen: {two:?}"
    );
    match name {
        // Unnamed: the document had exactly one operation; now there are two.
        None => assert_eq!(operation_kind(&two, None), None, "ambiguous: {two:?}"),
        Some(_) => assert_eq!(operation_kind(&two, name), kind, "{two:?}"),
    }
}

/// Runs `f` on the `len` bytes at `data` (NULL or zero length: empty input).
///
/// # Safety
/// `data` must point to `len` readable bytes, or be NULL.
unsafe fn run(f: Target, data: *const u8, len: usize) -> i32 {
    let input = if data.is_null() || len == 0 {
        &[][..]
    } else {
        // SAFETY: the caller (libFuzzer) passes `len` readable bytes.
        unsafe { std::slice::from_raw_parts(data, len) }
    };
    f(input);
    0
}

/// Writes the exported libFuzzer entry `$entry` of the target `$target` (the harness calls it
/// with the bytes of one input).
macro_rules! libfuzzer_entry {
    ($entry:ident => $target:ident) => {
        #[doc = concat!("libFuzzer entry for [`", stringify!($target), "`].")]
        ///
        /// # Safety
        /// `data` must point to `len` readable bytes, or be NULL.
        #[no_mangle]
        pub unsafe extern "C" fn $entry(data: *const u8, len: usize) -> i32 {
            // SAFETY: forwarded from the caller.
            unsafe { run($target, data, len) }
        }
    };
}

libfuzzer_entry!(lxfuzz_token_response => token_response);
libfuzzer_entry!(lxfuzz_claims => claims);
libfuzzer_entry!(lxfuzz_origin => origin);
libfuzzer_entry!(lxfuzz_graphql_operation => graphql_operation);
