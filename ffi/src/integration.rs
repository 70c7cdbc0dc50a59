//! LDIF runs of the Integration API (`lx_ldif_run`, and `lx_ldif_wait` for a run started
//! already) and fact-sheet writes through GraphQL (`lx_update_fact_sheet`), blocking or
//! started with a completion callback (`*_start`).

use std::ffi::{c_char, c_void};

use leanix_core::integration::RunOptions;
use leanix_core::writes::{Patch, UpdateOptions};

use crate::answer::{json_call, start_json};
use crate::args::{optional_str, required_str};
use crate::call::{lx_call_options, lx_completion_callback, CallOptions};
use crate::client::lx_client;
use crate::error::{lx_error, Failure};
use crate::status::lx_status;

/// Flags of lx_ldif_run() (bits, combined with `|`).
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum lx_ldif_flags {
    /// A real run, waited for; the output LDIF fetched for outbound runs.
    LX_LDIF_DEFAULT = 0,
    /// A test run: processed, with warnings and counts, but nothing changes in the workspace.
    LX_LDIF_TEST = 1,
    /// Return as soon as the run is started (the result has its first status). For
    /// lx_ldif_wait(): poll the run's status once and return it.
    LX_LDIF_NO_WAIT = 2,
    /// lx_ldif_wait() only: also fetch the run's output LDIF at its end (asking again while the
    /// answer is `204`), for an outbound run; lx_ldif_wait() cannot know the run's direction.
    LX_LDIF_RESULTS = 4,
}

/// Flags of lx_update_fact_sheet() (bits, combined with `|`).
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum lx_update_flags {
    /// A real write.
    LX_UPDATE_DEFAULT = 0,
    /// `validateOnly`: answer what the write would give, store nothing.
    LX_UPDATE_VALIDATE_ONLY = 1,
}

/// Runs an LDIF through the Integration API and waits for its end: creates and starts a
/// synchronization run (`?start=true&test=…`), polls its status with backoff (0.5 s, doubling
/// to 10 s) until `FINISHED`, `FAILED` or `STOPPED`, reads its progress, every page of its
/// warnings (at most 100 per request, as the API requires) and, for an outbound run, its
/// output LDIF (asking again while the answer is `204`, at most 10 times).
///
/// `ldif_json`: the LDIF, a JSON object with `connectorType`, `connectorId`,
/// `connectorVersion`, `lxVersion` and `processingDirection` (else `LX_ERR_INVALID_ARG`,
/// before anything is sent). `flags`: `LX_LDIF_DEFAULT`, or `LX_LDIF_TEST` and/or
/// `LX_LDIF_NO_WAIT`. `options` (NULL: none): its timeout is the deadline of the whole run
/// (unset: `LX_DEFAULT_LDIF_RUN_TIMEOUT_MS`), its cancel handle ends the wait with
/// `LX_ERR_CANCELLED`; the operation name is ignored.
///
/// On `LX_OK`, `*out_json` is the result:
/// `{"id","status","progress":{…}|null,"warnings":[…],"results":{…}|null,"polls":N}`.
/// A run that ends `FAILED` or `STOPPED`, or finishes with `ERROR` warnings, returns
/// `LX_ERR_RUN_FAILED`; its result (the same JSON) is in lx_error_run_json(), as it is for
/// every failure after the run was created (`LX_ERR_TIMEOUT`, `LX_ERR_CANCELLED`, an HTTP
/// error of a poll: the run goes on at LeanIX; its id is there). Failures keep their usual
/// statuses.
///
/// Ownership: `*out_json` (NUL-terminated; `out_len` may be NULL) is owned by the caller;
/// release with lx_free(). Thread safety: as lx_get(); the call blocks the calling thread
/// for the whole run.
#[no_mangle]
#[must_use]
pub extern "C" fn lx_ldif_run(
    client: *const lx_client,
    ldif_json: *const c_char,
    flags: i32,
    options: *const lx_call_options,
    out_json: *mut *mut c_char,
    out_len: *mut usize,
    err: *mut *mut lx_error,
) -> lx_status {
    json_call(client, out_json, out_len, err, |handle| {
        let ldif = ldif_arg(ldif_json)?;
        let run = run_options(flags, options)?;
        Ok(handle.client.run_ldif(&ldif, run)?.to_json())
    })
}

/// The `ldif_json` argument: a JSON text (its fields are checked by the core).
fn ldif_arg(ldif_json: *const c_char) -> Result<serde_json::Value, Failure> {
    crate::args::json_arg(required_str(ldif_json, "ldif_json")?, "ldif_json")
}

/// The run options of `flags` and the call options behind `options`.
fn run_options(flags: i32, options: *const lx_call_options) -> Result<RunOptions, Failure> {
    crate::args::check_flags(
        flags,
        lx_ldif_flags::LX_LDIF_TEST as i32 | lx_ldif_flags::LX_LDIF_NO_WAIT as i32,
    )?;
    let run = RunOptions::new()
        .test(flags & lx_ldif_flags::LX_LDIF_TEST as i32 != 0)
        .wait(flags & lx_ldif_flags::LX_LDIF_NO_WAIT as i32 == 0);
    Ok(CallOptions::of(options)?.limit(run))
}

/// Starts lx_ldif_run() and returns at once: `callback` gets an `lx_response` whose body is
/// the result JSON (status 200, no headers), or the error (`LX_ERR_RUN_FAILED` with
/// lx_error_run_json(), ...), exactly once, on a library thread (see `lx_completion_callback`).
/// Returns `LX_OK` when the run's call started, or an error for invalid arguments (a bad
/// LDIF, unknown flags; the callback never runs). Waiting for many runs at once costs no
/// thread per run.
///
/// Thread safety: any thread, including from inside a completion callback.
#[no_mangle]
#[must_use]
pub extern "C" fn lx_ldif_run_start(
    client: *const lx_client,
    ldif_json: *const c_char,
    flags: i32,
    options: *const lx_call_options,
    callback: lx_completion_callback,
    userdata: *mut c_void,
    err: *mut *mut lx_error,
) -> lx_status {
    start_json(client, callback, userdata, err, || {
        let ldif = ldif_arg(ldif_json)?;
        leanix_core::integration::check_ldif(&ldif)?;
        let run = run_options(flags, options)?;
        Ok(|c: leanix_core::Client| async move { Ok(c.run_ldif(&ldif, run).await?.to_json()) })
    })
}

/// For an error of lx_ldif_run() or lx_ldif_run_start() after the run was created
/// (`LX_ERR_RUN_FAILED`, and any failure while waiting: `LX_ERR_TIMEOUT`, `LX_ERR_CANCELLED`,
/// an HTTP error of a poll): the run's result as JSON, the shape lx_ldif_run() returns on
/// success, with what was known then (the run goes on at LeanIX; its id is there).
/// `LX_ERR_NOT_FOUND` for errors without a run.
///
/// Ownership: `*out_json` (NUL-terminated; `out_len` may be NULL) is owned by the caller;
/// release with lx_free(). Thread safety: any thread.
#[no_mangle]
#[must_use]
pub extern "C" fn lx_error_run_json(
    err: *const lx_error,
    out_json: *mut *mut c_char,
    out_len: *mut usize,
) -> lx_status {
    crate::error::detail_json(
        err,
        out_json,
        out_len,
        "the error is not about an LDIF run",
        |core| Some(core.run_result()?.to_json()),
    )
}

/// Applies patches to a fact sheet with GraphQL `updateFactSheet` and returns the written
/// fact sheet (`{"id","rev","type","name","displayName","description","status"}`).
///
/// `id`: the fact sheet's id. `patches_json`: a JSON list of `{"op","path","value"}` with
/// `op` one of `add`, `replace`, `remove`; a `value` that is not a string (an object or a
/// list, e.g. for `/lifecycle` or `/tags`) is sent as JSON inside a string, as LeanIX wants
/// it. `comment` (NULL: none) is the change's comment (LeanIX requires one to archive:
/// `{"op":"replace","path":"/status","value":"ARCHIVED"}`). `flags`: `LX_UPDATE_DEFAULT` or
/// `LX_UPDATE_VALIDATE_ONLY`. `options` (NULL: none): the deadline of the whole write (reads
/// and retries included; unset: the client's `request_timeout_ms`), its cancel handle and its
/// `REVISION_CLASH` retries (lx_call_options_set_revision_clash_retries()).
///
/// The fact sheet's `rev` is read first; a write that fails with `REVISION_CLASH` (someone
/// else saved it in between) re-reads `rev`, once per clash, and writes again, at most
/// `LX_DEFAULT_REVISION_CLASH_RETRIES` times (or as the options set); a clash after that, and any other GraphQL error
/// (a viewer's refusal, a bad patch), is `LX_ERR_GRAPHQL` with the details in
/// lx_error_graphql_json(). An empty `id`, an empty list of patches (`[]`) or a patch that
/// is not `{"op","path","value"}` is `LX_ERR_INVALID_ARG`, with nothing sent.
///
/// Ownership: `*out_json` (NUL-terminated; `out_len` may be NULL) is owned by the caller;
/// release with lx_free(). Thread safety: as lx_get().
#[no_mangle]
#[must_use]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn lx_update_fact_sheet(
    client: *const lx_client,
    id: *const c_char,
    patches_json: *const c_char,
    comment: *const c_char,
    flags: i32,
    options: *const lx_call_options,
    out_json: *mut *mut c_char,
    out_len: *mut usize,
    err: *mut *mut lx_error,
) -> lx_status {
    json_call(client, out_json, out_len, err, |handle| {
        let (id, patches, update) = update_args(id, patches_json, comment, flags, options)?;
        Ok(handle.client.update_fact_sheet(&id, &patches, update)?)
    })
}

/// The arguments of lx_update_fact_sheet() and lx_update_fact_sheet_start(), checked: the id,
/// the patches and the update options.
fn update_args(
    id: *const c_char,
    patches_json: *const c_char,
    comment: *const c_char,
    flags: i32,
    options: *const lx_call_options,
) -> Result<(String, Vec<Patch>, UpdateOptions), Failure> {
    let id = required_str(id, "id")?.to_owned();
    let patches =
        crate::args::json_arg(required_str(patches_json, "patches_json")?, "patches_json")?;
    let patches = Patch::list_from_json(&patches)?;
    let comment = optional_str(comment, "comment")?;
    crate::args::check_flags(flags, lx_update_flags::LX_UPDATE_VALIDATE_ONLY as i32)?;
    let call = CallOptions::of(options)?;
    let mut update = UpdateOptions::new()
        .validate_only(flags & lx_update_flags::LX_UPDATE_VALIDATE_ONLY as i32 != 0);
    if let Some(c) = comment {
        update = update.comment(c);
    }
    Ok((id, patches, call.update(update)))
}

/// Starts lx_update_fact_sheet() and returns at once: `callback` gets an `lx_response` whose
/// body is the written fact sheet's JSON (status 200, no headers), or the error that
/// lx_update_fact_sheet() would return (`LX_ERR_GRAPHQL` with lx_error_graphql_json(), ...),
/// exactly once, on a library thread (see `lx_completion_callback`). The `rev` read, the
/// `REVISION_CLASH` retries and `options` (deadline, cancel handle) are those of
/// lx_update_fact_sheet(). Returns `LX_OK` when the write started, or an error for invalid
/// arguments (a bad patch list, unknown flags; the callback never runs).
///
/// Ownership: the strings are copied before it returns; the response or error handed to the
/// callback is the callback's, to release with lx_free(). Thread safety: any thread,
/// including from inside a completion callback.
#[no_mangle]
#[must_use]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn lx_update_fact_sheet_start(
    client: *const lx_client,
    id: *const c_char,
    patches_json: *const c_char,
    comment: *const c_char,
    flags: i32,
    options: *const lx_call_options,
    callback: lx_completion_callback,
    userdata: *mut c_void,
    err: *mut *mut lx_error,
) -> lx_status {
    start_json(client, callback, userdata, err, || {
        let (id, patches, update) = update_args(id, patches_json, comment, flags, options)?;
        Ok(|c: leanix_core::Client| async move { c.update_fact_sheet(&id, &patches, update).await })
    })
}

/// The run id and the wait options of lx_ldif_wait() and lx_ldif_wait_start(): `flags` may be
/// `LX_LDIF_NO_WAIT` and `LX_LDIF_RESULTS`; `LX_LDIF_TEST` is for starting a run, not waiting.
fn wait_args(
    run_id: *const c_char,
    flags: i32,
    options: *const lx_call_options,
) -> Result<(String, RunOptions), Failure> {
    let id = required_str(run_id, "run_id")?;
    if id.is_empty() {
        return Err(Failure::new(
            lx_status::LX_ERR_INVALID_ARG,
            "run_id is empty",
        ));
    }
    crate::args::check_flags(
        flags,
        lx_ldif_flags::LX_LDIF_NO_WAIT as i32 | lx_ldif_flags::LX_LDIF_RESULTS as i32,
    )?;
    let wait = RunOptions::new()
        .wait(flags & lx_ldif_flags::LX_LDIF_NO_WAIT as i32 == 0)
        .fetch_results(flags & lx_ldif_flags::LX_LDIF_RESULTS as i32 != 0);
    Ok((id.to_owned(), CallOptions::of(options)?.limit(wait)))
}

/// Waits for a synchronization run that was started already (by lx_ldif_run() with
/// `LX_LDIF_NO_WAIT`, another process, LeanIX's UI, ...) and returns its result, as
/// lx_ldif_run() does after the start: polls the status with backoff (0.5 s, doubling to
/// 10 s) until `FINISHED`, `FAILED` or `STOPPED`, then reads the progress and every page of
/// warnings.
///
/// `run_id`: the run's id (the `"id"` of lx_ldif_run()'s result; a bad one gives the server's
/// answer, `LX_ERR_HTTP` with a 404). `flags`: `LX_LDIF_DEFAULT`, or `LX_LDIF_NO_WAIT` (poll
/// the status once and return what it is now) and/or `LX_LDIF_RESULTS` (fetch the output LDIF
/// of an outbound run at its end); `LX_LDIF_TEST` is `LX_ERR_INVALID_ARG`. `options` (NULL:
/// none): its timeout is the deadline of the whole wait (unset:
/// `LX_DEFAULT_LDIF_RUN_TIMEOUT_MS`), its cancel handle ends the wait with `LX_ERR_CANCELLED`
/// (the run goes on at LeanIX).
///
/// On `LX_OK`, `*out_json` is the result, the JSON of lx_ldif_run(); `LX_ERR_RUN_FAILED`,
/// `LX_ERR_TIMEOUT` and `LX_ERR_CANCELLED` keep the run's result in lx_error_run_json(), as
/// for lx_ldif_run().
///
/// Ownership: `*out_json` (NUL-terminated; `out_len` may be NULL) is owned by the caller;
/// release with lx_free(). Thread safety: as lx_get(); the call blocks the calling thread
/// for the whole wait.
#[no_mangle]
#[must_use]
pub extern "C" fn lx_ldif_wait(
    client: *const lx_client,
    run_id: *const c_char,
    flags: i32,
    options: *const lx_call_options,
    out_json: *mut *mut c_char,
    out_len: *mut usize,
    err: *mut *mut lx_error,
) -> lx_status {
    json_call(client, out_json, out_len, err, |handle| {
        let (id, wait) = wait_args(run_id, flags, options)?;
        Ok(handle.client.wait_run(&id, wait)?.to_json())
    })
}

/// Starts lx_ldif_wait() and returns at once: `callback` gets an `lx_response` whose body is
/// the result JSON (status 200, no headers), or the error (`LX_ERR_RUN_FAILED` with
/// lx_error_run_json(), ...), exactly once, on a library thread (see
/// `lx_completion_callback`). Returns `LX_OK` when the wait started, or an error for invalid
/// arguments (an empty id, unknown flags; the callback never runs).
///
/// Ownership: `run_id` is copied before it returns; the response or error handed to the
/// callback is the callback's, to release with lx_free(). Thread safety: any thread,
/// including from inside a completion callback.
#[no_mangle]
#[must_use]
pub extern "C" fn lx_ldif_wait_start(
    client: *const lx_client,
    run_id: *const c_char,
    flags: i32,
    options: *const lx_call_options,
    callback: lx_completion_callback,
    userdata: *mut c_void,
    err: *mut *mut lx_error,
) -> lx_status {
    start_json(client, callback, userdata, err, || {
        let (id, wait) = wait_args(run_id, flags, options)?;
        Ok(|c: leanix_core::Client| async move { Ok(c.wait_run(&id, wait).await?.to_json()) })
    })
}
