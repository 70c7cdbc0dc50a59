//! The foreign listener: another origin that answers everything with
//! `{"foreign":true}` and counts who sent it an `Authorization` header.
//! Redirect faults point here, so that tests can prove that clients do not
//! carry credentials across origins.

use std::convert::Infallible;
use std::sync::Arc;

use http::{header, Request, StatusCode};
use hyper::body::Incoming;

use crate::http_util::{self, Resp};
use crate::state::State;

/// Handles one request of the foreign listener.
pub(crate) async fn handle(state: Arc<State>, req: Request<Incoming>) -> Result<Resp, Infallible> {
    let with_auth = req.headers().contains_key(header::AUTHORIZATION);
    state.counters.foreign_request(with_auth);
    Ok(http_util::json(StatusCode::OK, r#"{"foreign":true}"#))
}
