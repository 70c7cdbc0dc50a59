//! Small HTTP helpers: response builders, the REST error envelope and
//! `application/x-www-form-urlencoded` decoding.

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{header, HeaderValue, Response, StatusCode};
use hyper::body::{Frame, SizeHint};

/// The body of every response the sandbox sends: bytes held whole, or a
/// generated body (an opening, filler bytes made on the fly, a closing) that
/// is never held in memory. A whole body's size is announced to hyper (which
/// then sets `Content-Length`), except for a body cut short on purpose
/// ([`Body::unannounced`]), whose `Content-Length` header claims more than it
/// holds; a generated body goes out chunked.
pub(crate) struct Body {
    data: Option<Bytes>,
    announced: bool,
    /// Filler bytes still to send after `data` ([`ENDLESS`]: forever).
    filler: u64,
    tail: Option<Bytes>,
}

/// [`Body::generated`] filler that never ends.
pub(crate) const ENDLESS: u64 = u64::MAX;

/// What generated bodies are made of, sent in slices of at most this size.
static FILLER: [u8; 64 * 1024] = [b'x'; 64 * 1024];

impl Body {
    /// A body of these bytes.
    pub(crate) fn new(data: Bytes) -> Body {
        Body {
            data: Some(data),
            announced: true,
            filler: 0,
            tail: None,
        }
    }

    /// A body whose size hyper does not know, so that a `Content-Length` header
    /// set by hand (larger than the data) goes out as is.
    pub(crate) fn unannounced(data: Bytes) -> Body {
        Body {
            announced: false,
            ..Body::new(data)
        }
    }

    /// `head`, then `filler` bytes `x` (or endless ones), then `tail`.
    pub(crate) fn generated(head: &'static str, filler: u64, tail: &'static str) -> Body {
        Body {
            data: Some(Bytes::from_static(head.as_bytes())),
            announced: false,
            filler,
            tail: Some(Bytes::from_static(tail.as_bytes())),
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
        let this = self.get_mut();
        let mut data = this.data.take().filter(|d| !d.is_empty());
        if data.is_none() && this.filler > 0 {
            let n = this.filler.min(FILLER.len() as u64);
            if this.filler != ENDLESS {
                this.filler -= n;
            }
            data = Some(Bytes::from_static(&FILLER[..n as usize]));
        }
        let data = data.or_else(|| this.tail.take().filter(|t| !t.is_empty()));
        Poll::Ready(data.map(|d| Ok(Frame::data(d))))
    }

    fn is_end_stream(&self) -> bool {
        let empty = |b: &Option<Bytes>| b.as_ref().is_none_or(Bytes::is_empty);
        empty(&self.data) && self.filler == 0 && empty(&self.tail)
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

/// The Pathfinder/MTM error envelope, on every REST error:
/// `{"status":"ERROR","type":<resource type>,"errors":[{"message":..}]}`.
pub(crate) fn api_error(status: StatusCode, resource: &str, message: &str) -> Resp {
    let body = serde_json::json!({
        "status": "ERROR",
        "type": resource,
        "errors": [{ "message": message }],
    });
    json(status, body.to_string())
}

/// A 404 for a path the sandbox does not serve.
pub(crate) fn not_found() -> Resp {
    api_error(StatusCode::NOT_FOUND, "Error", "Not Found")
}

/// A 405 listing the allowed methods.
pub(crate) fn method_not_allowed(resource: &str, allow: &'static str) -> Resp {
    let mut resp = api_error(
        StatusCode::METHOD_NOT_ALLOWED,
        resource,
        "Method Not Allowed",
    );
    resp.headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allow));
    resp
}

/// Decodes `a=1&b=x+y` (query strings and form bodies) into key/value pairs.
pub(crate) fn form_pairs(input: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(input.as_bytes())
        .into_owned()
        .collect()
}

/// The first value of `key` in a query string, decoded.
pub(crate) fn query_param(query: Option<&str>, key: &str) -> Option<String> {
    form_pairs(query?)
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
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
