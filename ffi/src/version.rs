//! Run-time version information.

use std::ffi::c_char;

/// The ABI generation: bumped on any incompatible change of the C API. Bindings check it at load.
pub const LX_ABI_VERSION: u32 = 1;

/// The library version (`"0.1.0"`), as in Cargo.toml and `LX_VERSION_STRING`.
///
/// Ownership: a static string; never free it. Thread safety: any thread.
#[no_mangle]
pub extern "C" fn lx_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// The ABI generation of the loaded library (`LX_ABI_VERSION`). A binding built for ABI N must
/// refuse to run when this returns something else.
///
/// Thread safety: any thread.
#[no_mangle]
pub extern "C" fn lx_abi_version() -> u32 {
    LX_ABI_VERSION
}
