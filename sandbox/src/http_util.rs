//! Small HTTP helpers: response builders, the REST error envelope and
//! `application/x-www-form-urlencoded` decoding.

use bytes::Bytes;
use http::{header, HeaderValue, Response, StatusCode};
use http_body_util::Full;

/// The body type of every response the sandbox sends.
pub(crate) type Body = Full<Bytes>;
/// A complete response.
pub(crate) type Resp = Response<Body>;

/// A response with the given status, content type and body.
pub(crate) fn raw(status: StatusCode, content_type: &str, body: impl Into<Bytes>) -> Resp {
    let mut resp = Response::new(Full::new(body.into()));
    *resp.status_mut() = status;
    if let Ok(v) = HeaderValue::from_str(content_type) {
        resp.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    resp
}

/// A JSON response (`Content-Type: application/json`).
pub(crate) fn json(status: StatusCode, body: impl Into<Bytes>) -> Resp {
    raw(status, "application/json", body)
}

/// The Pathfinder/MTM error envelope: `{"status":"ERROR","errors":[{"message":..}]}`.
pub(crate) fn api_error(status: StatusCode, message: &str) -> Resp {
    let body = serde_json::json!({
        "status": "ERROR",
        "errors": [{ "message": message }],
    });
    json(status, body.to_string())
}

/// A 404 for a path the sandbox does not serve.
pub(crate) fn not_found() -> Resp {
    api_error(StatusCode::NOT_FOUND, "Not Found")
}

/// A 405 listing the allowed methods.
pub(crate) fn method_not_allowed(allow: &'static str) -> Resp {
    let mut resp = api_error(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed");
    resp.headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allow));
    resp
}

/// Decodes `a=1&b=x+y` (query strings and form bodies) into key/value pairs.
pub(crate) fn form_pairs(input: &str) -> Vec<(String, String)> {
    input
        .split('&')
        .filter(|part| !part.is_empty())
        .map(|part| match part.split_once('=') {
            Some((k, v)) => (decode_component(k), decode_component(v)),
            None => (decode_component(part), String::new()),
        })
        .collect()
}

/// The first value of `key` in a query string, decoded.
pub(crate) fn query_param(query: Option<&str>, key: &str) -> Option<String> {
    form_pairs(query?)
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}

/// Percent-decodes one form component, turning `+` into a space.
fn decode_component(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex_val(bytes[i + 1]), hex_val(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_forms() {
        let pairs = form_pairs("grant_type=client_credentials&x=a%2Fb+c&flag&bad=%zz%4");
        assert_eq!(pairs[0], ("grant_type".into(), "client_credentials".into()));
        assert_eq!(pairs[1], ("x".into(), "a/b c".into()));
        assert_eq!(pairs[2], ("flag".into(), String::new()));
        assert_eq!(pairs[3], ("bad".into(), "%zz%4".into()));
    }
}
