//! Small HTTP helpers: response builders, the REST error envelope and
//! `application/x-www-form-urlencoded` decoding.

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{header, HeaderValue, Response, StatusCode};
use hyper::body::{Frame, SizeHint};

/// The body of every response the sandbox sends: bytes held whole. Its size
/// is announced to hyper (which then sets `Content-Length`), except for a body
/// cut short on purpose ([`Body::unannounced`]), whose `Content-Length` header
/// claims more than it holds.
pub(crate) struct Body {
    data: Option<Bytes>,
    announced: bool,
}

impl Body {
    /// A body of these bytes.
    pub(crate) fn new(data: Bytes) -> Body {
        Body {
            data: Some(data),
            announced: true,
        }
    }

    /// A body whose size hyper does not know, so that a `Content-Length` header
    /// set by hand (larger than the data) goes out as is.
    pub(crate) fn unannounced(data: Bytes) -> Body {
        Body {
            data: Some(data),
            announced: false,
        }
    }
}

impl hyper::body::Body for Body {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let data = self.get_mut().data.take().filter(|d| !d.is_empty());
        Poll::Ready(data.map(|d| Ok(Frame::data(d))))
    }

    fn is_end_stream(&self) -> bool {
        self.data.as_ref().is_none_or(Bytes::is_empty)
    }

    fn size_hint(&self) -> SizeHint {
        match (&self.data, self.announced) {
            (Some(d), true) => SizeHint::with_exact(d.len() as u64),
            (None, true) => SizeHint::with_exact(0),
            (_, false) => SizeHint::default(),
        }
    }
}

/// A complete response.
pub(crate) type Resp = Response<Body>;

/// A response with the given status, content type and body.
pub(crate) fn raw(status: StatusCode, content_type: &str, body: impl Into<Bytes>) -> Resp {
    let mut resp = Response::new(Body::new(body.into()));
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
