//! The registry of live objects handed out to C.
//!
//! Every pointer the library returns is a key in this registry. A call validates its handle by
//! looking it up, so a freed, foreign or doubly freed pointer is an `LX_ERR_INVALID_ARG`, never
//! undefined behaviour. Clients are reference-counted: a call clones the `Arc` before working, so
//! `lx_free` of a client while other threads use it is safe.

use std::collections::HashMap;
use std::ffi::c_void;
use std::sync::{Arc, Mutex, MutexGuard};

use once_cell::sync::Lazy;

use crate::client::ClientHandle;
use crate::error::ErrorObject;
use crate::options::OptionsObject;
use crate::response::ResponseObject;

/// Anything the library hands out.
pub(crate) enum Object {
    Client(Arc<ClientHandle>),
    Options(Box<OptionsObject>),
    Response(Box<ResponseObject>),
    Error(Box<ErrorObject>),
    /// A NUL-terminated string or byte buffer; zeroed when freed (it may hold a token).
    Buffer(Box<[u8]>),
}

impl Object {
    /// The address handed to C: the heap address of the object, stable until it is freed.
    fn address(&self) -> usize {
        match self {
            Object::Client(c) => Arc::as_ptr(c) as usize,
            Object::Options(o) => &**o as *const OptionsObject as usize,
            Object::Response(r) => &**r as *const ResponseObject as usize,
            Object::Error(e) => &**e as *const ErrorObject as usize,
            Object::Buffer(b) => b.as_ptr() as usize,
        }
    }
}

const SHARDS: usize = 32;

static REGISTRY: Lazy<Vec<Mutex<HashMap<usize, Object>>>> =
    Lazy::new(|| (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect());

fn shard(address: usize) -> MutexGuard<'static, HashMap<usize, Object>> {
    // Heap addresses are at least 8-aligned; mix the bits above that.
    let index = ((address >> 4) ^ (address >> 12)) % SHARDS;
    REGISTRY[index].lock().unwrap_or_else(|p| p.into_inner())
}

/// Registers an object and returns the pointer to hand to C.
pub(crate) fn insert(object: Object) -> *mut c_void {
    let address = object.address();
    shard(address).insert(address, object);
    address as *mut c_void
}

/// Removes an object (for `lx_free`). `None` if the pointer is not a live object.
pub(crate) fn remove(ptr: *const c_void) -> Option<Object> {
    let address = ptr as usize;
    shard(address).remove(&address)
}

/// The client behind a pointer, if it is a live client.
pub(crate) fn client(ptr: *const c_void) -> Option<Arc<ClientHandle>> {
    let address = ptr as usize;
    match shard(address).get(&address) {
        Some(Object::Client(c)) => Some(Arc::clone(c)),
        _ => None,
    }
}

/// Runs `f` on the object behind a pointer while it is locked in the registry.
pub(crate) fn with<R>(ptr: *const c_void, f: impl FnOnce(&mut Object) -> R) -> Option<R> {
    let address = ptr as usize;
    shard(address).get_mut(&address).map(f)
}

/// Registers a string (NUL-terminated) or byte buffer and returns its data pointer.
pub(crate) fn insert_buffer(mut bytes: Vec<u8>) -> *mut u8 {
    bytes.push(0);
    insert(Object::Buffer(bytes.into_boxed_slice())).cast()
}
