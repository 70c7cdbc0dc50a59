//! PULL webhooks over the C ABI: subscriptions, a batch as JSON, and the commit of an offset;
//! and the origin API calls are routed to.
//!
//! The consumer's rule is the caller's loop: lx_webhooks_fetch(), handle the events, then
//! lx_webhooks_commit() with the last handled offset plus one. Nothing is stored locally; a
//! restarted program resumes from the server's cursor, so every event is seen at least once.

use std::ffi::c_char;

use leanix_core::blocking::Webhooks;
use leanix_core::{NewSubscription, PayloadMode};
use serde_json::Value;

use crate::answer::{json_call, write_owned};
use crate::args::required_str;
use crate::boundary::guard;
use crate::call::{lx_call_options, CallOptions};
use crate::client::{client_of, lx_client, token_call, ClientHandle};
use crate::error::{lx_error, Failure};
use crate::status::lx_status;

fn invalid(message: impl Into<String>) -> Failure {
    Failure::new(lx_status::LX_ERR_INVALID_ARG, message)
}

/// Reads `{"identifier":..,"tagSets":[[..]],"workspaceId":..,"workspaceConstraint":..,
/// "payloadMode":"DEFAULT"|"WRAPPED_EVENT"}`.
fn parse_spec(text: &str) -> Result<NewSubscription, Failure> {
    let v = crate::args::json_arg(text, "spec_json")?;
    let obj = v
        .as_object()
        .ok_or_else(|| invalid("spec_json must be a JSON object"))?;
    let sets = obj
        .get("tagSets")
        .and_then(Value::as_array)
        .ok_or_else(|| invalid("spec_json needs \"tagSets\": an array of arrays of tags"))?;
    let mut tag_sets = Vec::new();
    for set in sets {
        let tags: Option<Vec<String>> = set
            .as_array()
            .and_then(|a| a.iter().map(|t| t.as_str().map(str::to_owned)).collect());
        tag_sets.push(tags.ok_or_else(|| invalid("each tag set must be an array of strings"))?);
    }
    let text_of = |key: &str| -> Result<Option<String>, Failure> {
        match obj.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(invalid(format!("\"{key}\" in spec_json must be a string"))),
        }
    };
    let payload_mode = match text_of("payloadMode")? {
        None => PayloadMode::Default,
        Some(m) => PayloadMode::parse(&m)
            .ok_or_else(|| invalid("\"payloadMode\" must be \"DEFAULT\" or \"WRAPPED_EVENT\""))?,
    };
    Ok(NewSubscription {
        identifier: text_of("identifier")?,
        tag_sets,
        workspace_id: text_of("workspaceId")?,
        workspace_constraint: text_of("workspaceConstraint")?,
        payload_mode,
    })
}

/// Creates a PULL subscription from `spec_json` (`{"identifier":"sync","tagSets":
/// [["pathfinder","FACT_SHEET_CREATED"]],"payloadMode":"DEFAULT"}`; `workspaceId` and
/// `workspaceConstraint` optional) and returns it as the API shows it (with its `id`).
///
/// Ownership: `*out_json` (NUL-terminated; `out_len` may be NULL) is owned by the caller;
/// release with lx_free(). Thread safety: as lx_get().
#[no_mangle]
#[must_use]
pub extern "C" fn lx_webhooks_create(
    client: *const lx_client,
    spec_json: *const c_char,
    options: *const lx_call_options,
    out_json: *mut *mut c_char,
    out_len: *mut usize,
    err: *mut *mut lx_error,
) -> lx_status {
    json_call(client, out_json, out_len, err, |handle| {
        let spec = parse_spec(required_str(spec_json, "spec_json")?)?;
        let hooks = CallOptions::of(options)?.webhooks(&handle.client);
        Ok(hooks.create(&spec)?.raw)
    })
}

/// The workspace's subscriptions as a JSON array (each with its `cursor.offset` when the
/// server reports it).
///
/// Ownership: `*out_json` is owned by the caller; release with lx_free().
/// Thread safety: as lx_get().
#[no_mangle]
#[must_use]
pub extern "C" fn lx_webhooks_list(
    client: *const lx_client,
    options: *const lx_call_options,
    out_json: *mut *mut c_char,
    out_len: *mut usize,
    err: *mut *mut lx_error,
) -> lx_status {
    json_call(client, out_json, out_len, err, |handle| {
        let hooks = CallOptions::of(options)?.webhooks(&handle.client);
        let subs: Vec<Value> = hooks.list()?.into_iter().map(|s| s.raw).collect();
        Ok(subs)
    })
}

/// Deletes the subscription `subscription_id`.
///
/// Thread safety: as lx_get().
#[no_mangle]
#[must_use]
pub extern "C" fn lx_webhooks_delete(
    client: *const lx_client,
    subscription_id: *const c_char,
    options: *const lx_call_options,
    err: *mut *mut lx_error,
) -> lx_status {
    subscription_call(client, subscription_id, options, err, |hooks, id| {
        hooks.delete(id)
    })
}

/// Fetches the next batch of `subscription_id` from its cursor, as a JSON array of events
/// `[{"offset":N,"tagSet":[..],"payload":{..},...}, ...]` in increasing offset order (`[]`: no
/// new events). The cursor does not move: commit with lx_webhooks_commit() once the events are
/// handled. With a cancel handle in `options`, a fired handle ends the call with
/// `LX_ERR_CANCELLED`.
///
/// Ownership: `*out_json` (NUL-terminated; `out_len` may be NULL) is owned by the caller;
/// release with lx_free(). Thread safety: as lx_get().
#[no_mangle]
#[must_use]
pub extern "C" fn lx_webhooks_fetch(
    client: *const lx_client,
    subscription_id: *const c_char,
    options: *const lx_call_options,
    out_json: *mut *mut c_char,
    out_len: *mut usize,
    err: *mut *mut lx_error,
) -> lx_status {
    json_call(client, out_json, out_len, err, |handle| {
        batch(handle, subscription_id, options, false)
    })
}

/// lx_webhooks_fetch(), but waits until the batch has events: while it is empty, waits
/// `LX_DEFAULT_WEBHOOK_IDLE_MIN_MS`, doubling up to `LX_DEFAULT_WEBHOOK_IDLE_MAX_MS`, and fetches
/// again. The cursor does not move. A
/// cancel handle in `options` ends the wait with `LX_ERR_CANCELLED` within milliseconds; the
/// deadline in `options` applies to each fetch, not to the wait.
///
/// Ownership: `*out_json` is owned by the caller; release with lx_free().
/// Thread safety: as lx_get().
#[no_mangle]
#[must_use]
pub extern "C" fn lx_webhooks_fetch_wait(
    client: *const lx_client,
    subscription_id: *const c_char,
    options: *const lx_call_options,
    out_json: *mut *mut c_char,
    out_len: *mut usize,
    err: *mut *mut lx_error,
) -> lx_status {
    json_call(client, out_json, out_len, err, |handle| {
        batch(handle, subscription_id, options, true)
    })
}

/// The batch of lx_webhooks_fetch() and, with `wait`, of lx_webhooks_fetch_wait(): the events
/// of `subscription_id` as the API shows them.
fn batch(
    handle: &ClientHandle,
    subscription_id: *const c_char,
    options: *const lx_call_options,
    wait: bool,
) -> Result<Vec<Value>, Failure> {
    let id = required_str(subscription_id, "subscription_id")?;
    let hooks = CallOptions::of(options)?.webhooks(&handle.client);
    let events = if wait {
        hooks.wait_batch(id)?
    } else {
        hooks.fetch(id)?
    };
    Ok(events.into_iter().map(|e| e.raw).collect())
}

/// The body of lx_webhooks_delete() and lx_webhooks_commit(): looks the client up, reads
/// `subscription_id` and runs `call` on it with the webhooks API of `options`; a failure
/// becomes the status and `*err`.
fn subscription_call(
    client: *const lx_client,
    subscription_id: *const c_char,
    options: *const lx_call_options,
    err: *mut *mut lx_error,
    call: impl FnOnce(&Webhooks, &str) -> Result<(), leanix_core::Error>,
) -> lx_status {
    guard(err, || {
        let handle = client_of(client)?;
        let id = required_str(subscription_id, "subscription_id")?;
        call(&CallOptions::of(options)?.webhooks(&handle.client), id)?;
        Ok(())
    })
}

/// Moves the cursor of `subscription_id` to `next_offset`: the offset of the last event
/// handled plus one. The cursor cannot go back (the server answers 400, `LX_ERR_HTTP`).
///
/// Thread safety: as lx_get().
#[no_mangle]
#[must_use]
pub extern "C" fn lx_webhooks_commit(
    client: *const lx_client,
    subscription_id: *const c_char,
    next_offset: u64,
    options: *const lx_call_options,
    err: *mut *mut lx_error,
) -> lx_status {
    subscription_call(client, subscription_id, options, err, |hooks, id| {
        hooks.commit(id, next_offset)
    })
}

/// The origin API calls go to now, e.g. `https://acme.leanix.net`: the one the current access
/// token's `instanceUrl` names when the routing rule follows it (option
/// `route_by_instance_url`), else the configured host. Exchanges a token if there is none yet,
/// as lx_access_token() does.
///
/// Ownership: `*out_origin` (NUL-terminated) is owned by the caller; release with lx_free().
/// Thread safety: as lx_get().
#[no_mangle]
#[must_use]
pub extern "C" fn lx_api_origin(
    client: *const lx_client,
    out_origin: *mut *mut c_char,
    err: *mut *mut lx_error,
) -> lx_status {
    lx_api_origin_with(client, std::ptr::null(), out_origin, err)
}

/// lx_api_origin() with per-call `options` (NULL: none), whose deadline and cancel handle
/// apply as for lx_access_token_with().
///
/// Ownership: `*out_origin` is owned by the caller; release with lx_free().
/// Thread safety: as lx_get().
#[no_mangle]
#[must_use]
pub extern "C" fn lx_api_origin_with(
    client: *const lx_client,
    options: *const lx_call_options,
    out_origin: *mut *mut c_char,
    err: *mut *mut lx_error,
) -> lx_status {
    token_call(client, options, out_origin, "out_origin", err, |calls| {
        let origin = calls.api_origin()?;
        write_owned(origin.as_str().as_bytes(), out_origin, std::ptr::null_mut());
        Ok(())
    })
}
