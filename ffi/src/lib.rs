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

// Module order is the header's order (cbindgen keeps source order), grouped by lifecycle as
// curl.h is. rustfmt sorts `mod` lines only within a group, so each group stands alone.

// Versions and status codes; the LX_DEFAULT_* constants.
mod version;

mod status;

mod defaults;

// Options, then the client and its blocking calls.
mod options;

mod client;

// Per-call options, the calls that take them, their asynchronous forms; cancellation.
mod call;

mod cancel;

// Page walks (GraphQL, REST), the Integration API and writes, PULL webhooks.
mod pages;

mod rest_pages;

mod integration;

mod webhooks;

// What calls return: responses, errors; then events and freeing.
mod response;

mod error;

mod events;

mod free;

// Private: argument checks, the panic guard, handing results out, the handle registry, the
// shared page walk.
mod answer;
mod args;
mod boundary;
mod registry;
mod walk;

pub use call::*;
pub use cancel::*;
pub use client::*;
pub use defaults::*;
pub use error::*;
pub use events::*;
pub use free::*;
pub use integration::*;
pub use options::*;
pub use pages::*;
pub use response::*;
pub use rest_pages::*;
pub use status::*;
pub use version::*;
pub use webhooks::*;

#[cfg(test)]
mod tests;
