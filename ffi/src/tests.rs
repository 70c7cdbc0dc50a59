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
fn every_status_has_a_name() {
    for code in 0..=18 {
        // SAFETY: lx_status_str returns static NUL-terminated strings.
        let name = unsafe { CStr::from_ptr(lx_status_str(code)) }
            .to_str()
            .unwrap();
        assert!(name.starts_with("LX_"), "{code}: {name}");
        assert_ne!(name, "LX_ERR_UNKNOWN", "{code}");
    }
    // SAFETY: as above.
    let unknown = unsafe { CStr::from_ptr(lx_status_str(-1)) }
        .to_str()
        .unwrap();
    assert_eq!(unknown, "LX_ERR_UNKNOWN");
}

#[test]
fn free_ignores_null_foreign_and_double_frees() {
    lx_free(ptr::null_mut());
    let mut local = 5u64;
    lx_free((&mut local as *mut u64).cast());
    let mut opts: *mut lx_options = ptr::null_mut();
    assert_eq!(lx_options_new(&mut opts, ptr::null_mut()), lx_status::LX_OK);
    lx_free(opts.cast());
    lx_free(opts.cast());
    let key = c"host".as_ptr();
    let value = c"acme.leanix.net".as_ptr();
    assert_eq!(
        lx_options_set(opts, key, value, ptr::null_mut()),
        lx_status::LX_ERR_INVALID_ARG
    );
}

#[test]
fn owned_strings_are_zeroed_and_forgotten_on_free() {
    let p = crate::registry::insert_buffer(b"secret-token".to_vec());
    lx_free(p.cast::<c_void>());
    assert!(crate::registry::remove(p as *const c_void).is_none());
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
    let mut opts: *mut lx_options = ptr::null_mut();
    assert_eq!(lx_options_new(&mut opts, ptr::null_mut()), lx_status::LX_OK);
    let mut err: *mut lx_error = ptr::null_mut();
    let key = c"ca_file";
    let value = c"/dev/zero";
    let st = lx_options_set(opts, key.as_ptr(), value.as_ptr(), &mut err);
    assert_eq!(st, lx_status::LX_ERR_CONFIG);
    assert!(
        message(err).contains("larger than 16 MiB"),
        "{}",
        message(err)
    );
    lx_free(err.cast());
    lx_free(opts.cast());
}
