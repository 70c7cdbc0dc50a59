//! Unit tests of the boundary code that C tests cannot reach (panics, registry edge cases).

use std::ffi::{c_char, c_void, CStr};
use std::ptr;

use crate::*;

fn message(err: *const lx_error) -> String {
    // SAFETY: lx_error_message always returns a valid NUL-terminated string.
    unsafe { CStr::from_ptr(lx_error_message(err)) }
        .to_string_lossy()
        .into_owned()
}

/// A new options object (the test frees it with lx_free()).
fn new_options() -> *mut lx_options {
    let mut opts: *mut lx_options = ptr::null_mut();
    assert_eq!(lx_options_new(&mut opts, ptr::null_mut()), lx_status::LX_OK);
    opts
}

/// lx_options_set() of `key` to `value`, without error details.
fn set(opts: *mut lx_options, key: &CStr, value: &CStr) -> lx_status {
    lx_options_set(opts, key.as_ptr(), value.as_ptr(), ptr::null_mut())
}

/// Asserts that the message of `err` contains `part`.
fn assert_message_contains(err: *const lx_error, part: &str) {
    assert!(message(err).contains(part), "{}", message(err));
}

#[test]
fn a_panic_becomes_a_status_and_an_error() {
    let mut err: *mut lx_error = ptr::null_mut();
    let st = crate::boundary::guard(&mut err, || panic!("boom"));
    assert_eq!(st, lx_status::LX_ERR_PANIC);
    assert_eq!(lx_error_code(err), lx_status::LX_ERR_PANIC);
    assert!(message(err).contains("boom"));
    lx_free(err.cast());
    assert_eq!(
        crate::boundary::quiet(7, || -> Option<i32> { panic!("x") }),
        7
    );
}

#[test]
fn every_status_has_its_own_name() {
    let mut count = 0;
    for status in lx_status::all() {
        // SAFETY: lx_status_str returns static NUL-terminated strings.
        let name = unsafe { CStr::from_ptr(lx_status_str(status as i32)) }
            .to_str()
            .unwrap();
        assert_eq!(name, format!("{status:?}"));
        assert_eq!(status as i32, count, "statuses are numbered without gaps");
        count += 1;
    }
    assert_eq!(count, 22);
    for kind in leanix_core::ErrorKind::ALL {
        assert_ne!(
            lx_status::from_kind(kind),
            lx_status::LX_ERR_PANIC,
            "{kind}"
        );
    }
    // SAFETY: as above.
    let unknown = unsafe { CStr::from_ptr(lx_status_str(22)) }
        .to_str()
        .unwrap();
    assert_eq!(unknown, "LX_ERR_UNKNOWN");
}

#[test]
fn free_ignores_null_foreign_and_double_frees() {
    lx_free(ptr::null_mut());
    let mut local = 5u64;
    lx_free((&mut local as *mut u64).cast());
    let opts = new_options();
    lx_free(opts.cast());
    lx_free(opts.cast());
    assert_eq!(
        set(opts, c"host", c"acme.leanix.net"),
        lx_status::LX_ERR_INVALID_ARG
    );
}

#[test]
fn owned_strings_are_forgotten_on_free() {
    let (p, len) = crate::registry::insert_buffer(b"secret-token");
    assert_eq!(len, 12);
    assert_eq!(p as usize % 2, 0, "string addresses are even, handles odd");
    lx_free(p.cast::<c_void>());
    assert!(crate::registry::remove(p as *const c_void).is_none());
}

#[test]
fn handles_are_never_reused() {
    let first = new_options();
    lx_free(first.cast());
    for _ in 0..1000 {
        let next = new_options();
        assert_ne!(next, first);
        // A stale second free of the first handle must not free the live one.
        lx_free(first.cast());
        assert_eq!(set(next, c"user_agent", c"x"), lx_status::LX_OK);
        lx_free(next.cast());
    }
}

#[test]
fn refresh_on_expiry_only_off_keeps_a_custom_fraction() {
    let opts = new_options();
    assert_eq!(set(opts, c"refresh_ahead", c"0.6"), lx_status::LX_OK);
    assert_eq!(set(opts, c"refresh_on_expiry_only", c"1"), lx_status::LX_OK);
    assert_eq!(set(opts, c"refresh_on_expiry_only", c"0"), lx_status::LX_OK);
    let object = crate::registry::get::<lx_options>(opts, "options").unwrap();
    let debug = format!("{:?}", object.lock().unwrap().builder);
    assert!(debug.contains("refresh_ahead: 0.6, ahead: true"), "{debug}");
    lx_free(opts.cast());
}

#[test]
fn option_defaults_come_from_the_core_policy() {
    let default = |k: &std::ffi::CStr| {
        let mut v: *const c_char = ptr::null();
        let st = lx_options_default(k.as_ptr(), &mut v);
        // SAFETY: a static NUL-terminated string on success.
        (
            st,
            (!v.is_null()).then(|| unsafe { CStr::from_ptr(v) }.to_str().unwrap().to_owned()),
        )
    };
    for (key, value) in [
        (c"connect_timeout_ms", "5000"),
        (c"refresh_ahead", "0.75"),
        (c"max_response_bytes", "268435456"),
        (c"insecure_loopback", "0"),
        (c"allow_insecure_loopback", "0"),
    ] {
        assert_eq!(
            default(key),
            (lx_status::LX_OK, Some(value.into())),
            "{key:?}"
        );
    }
    assert_eq!(default(c"host"), (lx_status::LX_ERR_NOT_FOUND, None));
    assert_eq!(default(c"nope"), (lx_status::LX_ERR_INVALID_ARG, None));
}

#[test]
fn a_stale_handle_is_named_by_its_c_type() {
    let opts = new_options();
    lx_free(opts.cast());
    let mut client: *mut lx_client = ptr::null_mut();
    let mut err: *mut lx_error = ptr::null_mut();
    let st = crate::client::lx_client_build(opts, &mut client, &mut err);
    assert_eq!(st, lx_status::LX_ERR_INVALID_ARG);
    assert_eq!(
        message(err),
        "argument `options` is not a live lx_options (freed already?)"
    );
    lx_free(err.cast());
}

#[test]
fn arguments_are_checked() {
    let mut client: *mut lx_client = ptr::null_mut();
    let mut err: *mut lx_error = ptr::null_mut();
    let bad = [b'a', 0xff, 0];
    let st = lx_client_new(
        bad.as_ptr() as *const c_char,
        c"t".as_ptr(),
        &mut client,
        &mut err,
    );
    assert_eq!(st, lx_status::LX_ERR_INVALID_ARG);
    assert!(message(err).contains("`host` is not valid UTF-8"));
    assert!(client.is_null());
    lx_free(err.cast());
    assert!(crate::args::bytes(ptr::null(), usize::MAX, "body").is_err());
    assert!(crate::args::text(b"a\0b".as_ptr().cast(), 3, "headers").is_err());
}

#[test]
fn client_errors_name_the_setting_and_hide_the_token() {
    let mut client: *mut lx_client = ptr::null_mut();
    let mut err: *mut lx_error = ptr::null_mut();
    let st = lx_client_new(
        c"http://acme.leanix.net".as_ptr(),
        c"s3cr3t-token".as_ptr(),
        &mut client,
        &mut err,
    );
    assert_eq!(st, lx_status::LX_ERR_CONFIG);
    let m = message(err);
    assert!(m.contains("http://") && !m.contains("s3cr3t"), "{m}");
    lx_free(err.cast());
}

/// A CA "file" that never ends (/dev/zero) is refused after a bounded read instead of growing
/// until the process runs out of memory (found while fuzzing lx_options_set).
#[test]
fn an_endless_ca_file_is_refused_not_read_to_exhaustion() {
    let opts = new_options();
    let mut err: *mut lx_error = ptr::null_mut();
    let key = c"ca_file";
    let value = c"/dev/zero";
    let st = lx_options_set(opts, key.as_ptr(), value.as_ptr(), &mut err);
    assert_eq!(st, lx_status::LX_ERR_CONFIG);
    assert_message_contains(err, "not a regular file");
    lx_free(err.cast());

    // A FIFO would block the open and the read: refused at once.
    let fifo = std::env::temp_dir().join(format!("lx-ca-fifo-{}", std::process::id()));
    let path = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid path string.
    assert_eq!(unsafe { libc::mkfifo(path.as_ptr(), 0o600) }, 0);
    let mut err: *mut lx_error = ptr::null_mut();
    let st = lx_options_set(opts, key.as_ptr(), path.as_ptr(), &mut err);
    let _ = std::fs::remove_file(&fifo);
    assert_eq!(st, lx_status::LX_ERR_CONFIG);
    assert_message_contains(err, "not a regular file");
    lx_free(err.cast());
    lx_free(opts.cast());
}

#[test]
fn insecure_loopback_has_one_name_and_its_old_spelling() {
    for key in [c"insecure_loopback", c"allow_insecure_loopback"] {
        for (value, builds) in [(c"1", true), (c"0", false)] {
            let opts = new_options();
            assert_eq!(set(opts, c"host", c"http://127.0.0.1:9"), lx_status::LX_OK);
            assert_eq!(set(opts, c"api_token", c"t"), lx_status::LX_OK);
            assert_eq!(set(opts, key, value), lx_status::LX_OK);
            let mut client: *mut lx_client = ptr::null_mut();
            let mut err: *mut lx_error = ptr::null_mut();
            let st = lx_client_build(opts, &mut client, &mut err);
            if builds {
                assert_eq!(st, lx_status::LX_OK, "{key:?}");
                lx_free(client.cast());
            } else {
                assert_eq!(st, lx_status::LX_ERR_CONFIG, "{key:?}");
                assert_message_contains(err, "insecure_loopback");
                lx_free(err.cast());
            }
            lx_free(opts.cast());
        }
    }
}
