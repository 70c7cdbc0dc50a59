//! Reading a response body within a size limit, into one buffer.

use bytes::{Bytes, BytesMut};

use crate::error::{display_url, from_transport, Error, ErrorKind};

/// Reads the whole body of `response`, failing with [`ErrorKind::TooLarge`] as soon as it
/// would pass `limit` bytes (at once when `Content-Length` says so), having read at most
/// `limit` plus one network buffer. Returns the body followed by one NUL byte (not part of
/// it), copied once: into a buffer of the announced size, or, for a body of unknown length,
/// from the received chunks into one buffer at the end.
pub(crate) async fn read_body(
    response: reqwest::Response,
    limit: usize,
    what: &str,
) -> Result<Bytes, Error> {
    read_within(response, limit, what, Overflow::Fail)
        .await
        .map(|(body, _)| body)
}

/// [`read_body`] for an API answer: a 2xx body longer than `limit` fails as there; that of an
/// error answer (non-2xx) is cut there instead, so that the error keeps its status, headers
/// and the start of the server's words. Returns the body (with its NUL) and whether it was
/// cut; nothing past `limit` is read.
pub(crate) async fn read_answer(
    response: reqwest::Response,
    limit: usize,
    what: &str,
) -> Result<(Bytes, bool), Error> {
    let overflow = if response.status().is_success() {
        Overflow::Fail
    } else {
        Overflow::Cut
    };
    read_within(response, limit, what, overflow).await
}

/// What [`read_within`] does with a body longer than its limit.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Overflow {
    /// Fail with [`ErrorKind::TooLarge`].
    Fail,
    /// Keep the first `limit` bytes.
    Cut,
}

async fn read_within(
    mut response: reqwest::Response,
    limit: usize,
    what: &str,
    overflow: Overflow,
) -> Result<(Bytes, bool), Error> {
    let url = response.url().clone();
    let status = response.status().as_u16();
    let too_large = || {
        Error::new(
            ErrorKind::TooLarge,
            format!(
                "the response to {what} from {} is larger than the limit of {limit} bytes (max_response_bytes)",
                display_url(&url)
            ),
        )
        .with_status(status)
    };
    let announced = response.content_length();
    if overflow == Overflow::Fail && announced.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let mut chunks: Vec<Bytes> = Vec::new();
    let mut sized = announced.map(|n| BytesMut::with_capacity(n.min(limit as u64) as usize + 1));
    let mut total = 0usize;
    let mut cut = false;
    loop {
        let mut chunk = match response.chunk().await {
            Ok(Some(chunk)) => chunk,
            Ok(None) => break,
            Err(e) => {
                return Err(from_transport(
                    e,
                    &format!("reading the response to {what}"),
                    &url,
                ))
            }
        };
        if total + chunk.len() > limit {
            if overflow == Overflow::Fail {
                return Err(too_large());
            }
            chunk.truncate(limit - total);
            cut = true;
        }
        total += chunk.len();
        match &mut sized {
            Some(buf) => buf.extend_from_slice(&chunk),
            None => chunks.push(chunk),
        }
        if cut {
            break; // the rest is never read; the connection is not reused
        }
    }
    let mut buf = sized.unwrap_or_else(|| BytesMut::with_capacity(total + 1));
    for chunk in chunks {
        buf.extend_from_slice(&chunk);
    }
    buf.extend_from_slice(&[0]);
    Ok((buf.freeze(), cut))
}
