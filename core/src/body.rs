//! Reading a response body within a size limit, into one buffer.

use bytes::{Bytes, BytesMut};

use crate::error::{display_url, from_transport, Error, ErrorKind};

/// Reads the whole body of `response`, failing with [`ErrorKind::TooLarge`] as soon as it
/// would pass `limit` bytes (at once when `Content-Length` says so), having read at most
/// `limit` plus one network buffer. Returns the body followed by one NUL byte (not part of
/// it), copied once: into a buffer of the announced size, or, for a body of unknown length,
/// from the received chunks into one buffer at the end.
pub(crate) async fn read_body(
    mut response: reqwest::Response,
    limit: usize,
    what: &str,
) -> Result<Bytes, Error> {
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
    if announced.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let mut chunks: Vec<Bytes> = Vec::new();
    let mut sized = announced.map(|n| BytesMut::with_capacity(n as usize + 1));
    let mut total = 0usize;
    loop {
        let chunk = match response.chunk().await {
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
        total += chunk.len();
        if total > limit {
            return Err(too_large());
        }
        match &mut sized {
            Some(buf) => buf.extend_from_slice(&chunk),
            None => chunks.push(chunk),
        }
    }
    let mut buf = sized.unwrap_or_else(|| BytesMut::with_capacity(total + 1));
    for chunk in chunks {
        buf.extend_from_slice(&chunk);
    }
    buf.extend_from_slice(&[0]);
    Ok(buf.freeze())
}
