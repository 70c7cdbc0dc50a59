//! How a call hands its result to C: as an owned string in the caller's output pointers (a
//! blocking call), or as the body of a response given to a completion callback (a `*_start`
//! call).

use std::ffi::{c_char, c_void};
use std::future::Future;
use std::sync::Arc;

use serde::Serialize;

use crate::boundary::guard;
use crate::call::{lx_completion_callback, Completion};
use crate::client::{client_of, lx_client, ClientHandle};
use crate::error::{lx_error, Failure};
use crate::registry::{self, Handle};
use crate::response::{lx_response, ResponseObject};
use crate::status::lx_status;

/// Hands `text` out as an owned, NUL-terminated string (`out_len` is optional).
pub(crate) fn write_owned(text: &[u8], out_ptr: *mut *mut c_char, out_len: *mut usize) {
    let (ptr, len) = registry::insert_buffer(text);
    // SAFETY: the callers checked `out_ptr` is non-NULL; `out_len` is optional.
    unsafe {
        *out_ptr = ptr.cast();
        if !out_len.is_null() {
            *out_len = len;
        }
    }
}

/// The JSON text of `value` (empty if it cannot be serialised, which our values never are).
pub(crate) fn json_bytes(value: &impl Serialize) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_default()
}

/// Hands `value` out as an owned, NUL-terminated JSON string (`out_len` is optional).
pub(crate) fn write_json(value: &impl Serialize, out_ptr: *mut *mut c_char, out_len: *mut usize) {
    write_owned(&json_bytes(value), out_ptr, out_len);
}

/// The body of a blocking call on `client` that answers JSON: checks `out_json`, looks the
/// client up, runs `call` and hands its value out as an owned JSON string (`out_len` is
/// optional); a failure becomes the status and `*err`.
pub(crate) fn json_call<T: Serialize>(
    client: *const lx_client,
    out_json: *mut *mut c_char,
    out_len: *mut usize,
    err: *mut *mut lx_error,
    call: impl FnOnce(&ClientHandle) -> Result<T, Failure>,
) -> lx_status {
    guard(err, || {
        crate::args::out(out_json, "out_json")?;
        let handle = client_of(client)?;
        let value = call(&handle)?;
        write_json(&value, out_json, out_len);
        Ok(())
    })
}

/// The body of a call that creates an object: checks the output pointer `out_ptr` (the
/// argument `name`), runs `make` (which checks the call's other arguments) and hands the object
/// it makes out as an owned handle; a failure becomes the status and `*err`.
pub(crate) fn publish_call<T: Handle>(
    out_ptr: *mut *mut T,
    name: &str,
    err: *mut *mut lx_error,
    make: impl FnOnce() -> Result<Arc<T::Target>, Failure>,
) -> lx_status {
    guard(err, || {
        crate::args::out(out_ptr, name)?;
        registry::publish::<T>(out_ptr, make()?);
        Ok(())
    })
}

/// The body of a blocking call on `client` that answers a response: checks `out_response`,
/// looks the client up, runs `call` and hands its response out as an owned `lx_response`; a
/// failure becomes the status and `*err`.
pub(crate) fn response_call(
    client: *const lx_client,
    out_response: *mut *mut lx_response,
    err: *mut *mut lx_error,
    call: impl FnOnce(&ClientHandle) -> Result<leanix_core::Response, Failure>,
) -> lx_status {
    publish_call(out_response, "out_response", err, || {
        let handle = client_of(client)?;
        Ok(Arc::new(ResponseObject::from_core(call(&handle)?)))
    })
}

/// The body of a `*_start` call on `client`: checks the callback, looks the client up and runs
/// `start`, which checks the call's own arguments and starts it with the completion. A failure
/// (the callback then never runs) becomes the status and `*err`.
pub(crate) fn start_call(
    client: *const lx_client,
    callback: lx_completion_callback,
    userdata: *mut c_void,
    err: *mut *mut lx_error,
    start: impl FnOnce(&ClientHandle, Completion) -> Result<(), Failure>,
) -> lx_status {
    guard(err, || {
        let completion = Completion::of(callback, userdata)?;
        let handle = client_of(client)?;
        start(&handle, completion)
    })
}

/// A `*_start` call whose result is a value the completion gets as JSON: the body of an
/// `lx_response` (status 200, no headers). `prepare` checks the arguments and returns what
/// makes the call's future on the library's I/O threads.
pub(crate) fn start_json<M, F, T>(
    client: *const lx_client,
    callback: lx_completion_callback,
    userdata: *mut c_void,
    err: *mut *mut lx_error,
    prepare: impl FnOnce() -> Result<M, Failure>,
) -> lx_status
where
    M: FnOnce(leanix_core::Client) -> F,
    F: Future<Output = Result<T, leanix_core::Error>> + Send + 'static,
    T: Serialize + Send + 'static,
{
    start_call(client, callback, userdata, err, |handle, completion| {
        let make = prepare()?;
        handle.client.start(make, move |result| {
            completion.deliver(result.map(|value| ResponseObject::from_body(json_bytes(&value))))
        })?;
        Ok(())
    })
}
