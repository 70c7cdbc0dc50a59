//! The C ABI of the leanix client. See `include/leanix.h` for the contract (ownership, threads,
//! status codes); this crate holds no policy, only conversion and safety.
//!
//! Every exported function runs inside [`boundary`]'s panic guard, validates its pointers through
//! the [`registry`] of live objects, and converts core errors to `lx_error` objects.
#![allow(non_camel_case_types)]
// Exported functions take raw pointers from C by design: each checks what C lets it check (NULL,
// UTF-8, lengths, live handles through the registry) and the header documents the rest of the
// contract. Marking them `unsafe fn` would change nothing for their C callers.
#![allow(clippy::not_unsafe_ptr_arg_deref)]
#![warn(missing_docs)]

mod args;
mod boundary;
mod client;
mod error;
mod events;
mod free;
mod options;
mod registry;
mod response;
mod status;
mod version;

pub use client::*;
pub use error::*;
pub use events::*;
pub use free::*;
pub use options::*;
pub use response::*;
pub use status::*;
pub use version::*;

#[cfg(test)]
mod tests;
