//! The registry of live objects handed out to C, and the typed handles over it.
//!
//! Opaque objects (`lx_client`, `lx_options`, `lx_response`, `lx_error`, `lx_call_options`,
//! `lx_graphql_pages`, `lx_rest_pages`, `lx_cancel`) are handed out as **handles that are never reused**: odd
//! numbers from a 62-bit counter, not addresses. A call looks its handle up here, so a freed,
//! foreign or doubly freed handle is `LX_ERR_INVALID_ARG` (or ignored by `lx_free`), never
//! undefined behaviour and never another, newer object. Objects are reference-counted: a call
//! clones the `Arc` and works without holding the registry lock, so freeing an object while
//! another thread uses it is safe.
//!
//! Owned strings are real memory the caller reads, so they are keyed by their address (always
//! even, which keeps them apart from handles); a freed address can come back for a later
//! string.
//!
//! `fork()`: the registry's locks are taken before a fork and released after it in parent and
//! child (`pthread_atfork`), so a child never inherits a lock held by a thread that does not
//! exist there.

use std::alloc::{alloc, dealloc, Layout};
use std::cell::RefCell;
use std::collections::HashMap;
use std::ffi::c_void;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Once};

use once_cell::sync::Lazy;

use crate::error::Failure;
use crate::status::lx_status;

/// Anything the library hands out.
pub(crate) enum Object {
    Client(Arc<crate::client::ClientHandle>),
    Options(Arc<Mutex<crate::options::OptionsObject>>),
    Response(Arc<crate::response::ResponseObject>),
    /// A response an `lx_error` lends out (lx_error_response()): an `lx_response` to every
    /// accessor, but `lx_free` ignores it; freeing the error removes it.
    LentResponse(Arc<crate::response::ResponseObject>),
    Error(Arc<crate::error::ErrorObject>),
    CallOptions(Arc<Mutex<crate::call::CallOptions>>),
    Pages(Arc<Mutex<crate::pages::PagesObject>>),
    Cancel(Arc<crate::cancel::CancelObject>),
    /// A REST paging walk (`lx_rest_pages`).
    RestPages(Arc<Mutex<crate::rest_pages::RestPagesObject>>),
    /// A NUL-terminated string or byte buffer; zeroed when freed (it may hold a token).
    Buffer(#[allow(dead_code)] Buffer), // held for its Drop (zeroes and frees)
}

/// An opaque C type and the object behind it: one lookup and one publish for every type.
pub(crate) trait Handle {
    /// What lives behind the handle.
    type Target: ?Sized;
    /// The C type's name, for messages (`"lx_client"`).
    const TYPE_NAME: &'static str;
    /// The object, if `object` is of this type.
    fn target(object: &Object) -> Option<&Arc<Self::Target>>;
    /// Wraps the object for the registry.
    fn object(target: Arc<Self::Target>) -> Object;
}

/// `handle!(module::c_type, Variant, Target)`: `crate::module::c_type` is the handle of
/// `Object::Variant(Arc<Target>)`, named `c_type` in messages.
macro_rules! handle {
    ($module:ident :: $c:ident, $variant:ident, $target:ty) => {
        impl Handle for crate::$module::$c {
            type Target = $target;
            const TYPE_NAME: &'static str = stringify!($c);
            fn target(object: &Object) -> Option<&Arc<$target>> {
                match object {
                    Object::$variant(t) => Some(t),
                    _ => None,
                }
            }
            fn object(target: Arc<$target>) -> Object {
                Object::$variant(target)
            }
        }
    };
}

handle!(client::lx_client, Client, crate::client::ClientHandle);
handle!(
    options::lx_options,
    Options,
    Mutex<crate::options::OptionsObject>
);
// By hand: an `lx_response` is an owned or a lent response.
impl Handle for crate::response::lx_response {
    type Target = crate::response::ResponseObject;
    const TYPE_NAME: &'static str = "lx_response";
    fn target(object: &Object) -> Option<&Arc<Self::Target>> {
        match object {
            Object::Response(t) | Object::LentResponse(t) => Some(t),
            _ => None,
        }
    }
    fn object(target: Arc<Self::Target>) -> Object {
        Object::Response(target)
    }
}
handle!(error::lx_error, Error, crate::error::ErrorObject);
handle!(
    call::lx_call_options,
    CallOptions,
    Mutex<crate::call::CallOptions>
);
handle!(
    pages::lx_graphql_pages,
    Pages,
    Mutex<crate::pages::PagesObject>
);
handle!(
    rest_pages::lx_rest_pages,
    RestPages,
    Mutex<crate::rest_pages::RestPagesObject>
);
handle!(cancel::lx_cancel, Cancel, crate::cancel::CancelObject);

const SHARDS: usize = 32;

type Shard = HashMap<usize, Object>;

static REGISTRY: Lazy<Vec<Mutex<Shard>>> = Lazy::new(|| {
    ATFORK.call_once(register_fork_handlers);
    (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect()
});

/// Handle values: `(n << 2) | 1` for n = 1, 2, 3, ... (odd, so never a heap address; bit 1
/// clear, which `lx_cancel` handles use to carry their slot).
static NEXT_HANDLE: AtomicU64 = AtomicU64::new(1);

fn shard(key: usize) -> MutexGuard<'static, Shard> {
    let index = ((key >> 2) ^ (key >> 9)) % SHARDS;
    REGISTRY[index].lock().unwrap_or_else(|p| p.into_inner())
}

/// A new handle value, never handed out before.
pub(crate) fn fresh_handle() -> usize {
    let n = NEXT_HANDLE.fetch_add(1, Ordering::Relaxed);
    ((n << 2) | 1) as usize
}

/// Registers `target` under a new handle and returns the handle.
pub(crate) fn insert<T: Handle>(target: Arc<T::Target>) -> *mut T {
    insert_at(fresh_handle(), T::object(target)).cast()
}

/// Registers an object under a key chosen by the caller (see [`fresh_handle`]).
pub(crate) fn insert_at(key: usize, object: Object) -> *mut c_void {
    shard(key).insert(key, object);
    key as *mut c_void
}

/// Registers `target` and writes its handle to `out` (checked non-NULL by the caller).
pub(crate) fn publish<T: Handle>(out: *mut *mut T, target: Arc<T::Target>) {
    let handle = insert::<T>(target);
    // SAFETY: the caller checked `out` is non-NULL; C promises it points to writable storage.
    unsafe { *out = handle };
}

/// The object behind a handle argument named `name`: `LX_ERR_NULL_ARG` for NULL,
/// `LX_ERR_INVALID_ARG` for anything that is not a live object of type `T`.
pub(crate) fn get<T: Handle>(ptr: *const T, name: &str) -> Result<Arc<T::Target>, Failure> {
    if ptr.is_null() {
        return Err(crate::args::null_arg(name));
    }
    let key = ptr as usize;
    shard(key)
        .get(&key)
        .and_then(T::target)
        .cloned()
        .ok_or_else(|| {
            Failure::new(
                lx_status::LX_ERR_INVALID_ARG,
                format!(
                    "argument `{name}` is not a live {} (freed already?)",
                    T::TYPE_NAME
                ),
            )
        })
}

/// [`get`] for accessors that return a default instead of an error.
pub(crate) fn peek<T: Handle>(ptr: *const T) -> Option<Arc<T::Target>> {
    let key = ptr as usize;
    if ptr.is_null() {
        return None;
    }
    shard(key).get(&key).and_then(T::target).cloned()
}

/// Removes an object (for `lx_free`). `None` if the pointer is not a live object, or is a
/// response lent by an error (which only [`remove_lent`] removes).
pub(crate) fn remove(ptr: *const c_void) -> Option<Object> {
    let key = ptr as usize;
    let mut shard = shard(key);
    match shard.get(&key) {
        Some(Object::LentResponse(_)) | None => None,
        Some(_) => shard.remove(&key),
    }
}

/// Registers a response lent out by an error (see [`Object::LentResponse`]).
pub(crate) fn insert_lent(target: Arc<crate::response::ResponseObject>) -> usize {
    insert_at(fresh_handle(), Object::LentResponse(target)) as usize
}

/// Removes the response an error lent out, when the error is freed.
pub(crate) fn remove_lent(handle: usize) -> Option<Object> {
    shard(handle).remove(&handle)
}

/// Memory of an owned string: `len` bytes and a NUL, 2-aligned (so its address is even).
pub(crate) struct Buffer {
    ptr: *mut u8,
    len: usize,
}

// SAFETY: the buffer is plain bytes owned by this value alone.
unsafe impl Send for Buffer {}

impl Drop for Buffer {
    fn drop(&mut self) {
        // SAFETY: `ptr` came from `alloc` with this layout and is freed once, here; zeroing
        // first because the string may hold an access token.
        unsafe {
            std::ptr::write_bytes(self.ptr, 0, self.len + 1);
            dealloc(self.ptr, Buffer::layout(self.len));
        }
    }
}

impl Buffer {
    fn layout(len: usize) -> Layout {
        Layout::from_size_align(len + 1, 2).expect("a buffer layout")
    }
}

/// Registers a copy of `bytes` followed by a NUL and returns its address and length.
pub(crate) fn insert_buffer(bytes: &[u8]) -> (*mut u8, usize) {
    let len = bytes.len();
    // SAFETY: the layout has a non-zero size; the copy stays within it.
    let ptr = unsafe {
        let ptr = alloc(Buffer::layout(len));
        if ptr.is_null() {
            std::alloc::handle_alloc_error(Buffer::layout(len));
        }
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), ptr, len);
        *ptr.add(len) = 0;
        ptr
    };
    insert_at(ptr as usize, Object::Buffer(Buffer { ptr, len }));
    (ptr, len)
}

// ---- fork --------------------------------------------------------------------------------------

static ATFORK: Once = Once::new();

thread_local! {
    /// The shard locks the forking thread holds between `prepare` and `parent`/`child`.
    static HELD: RefCell<Vec<MutexGuard<'static, Shard>>> = const { RefCell::new(Vec::new()) };
}

fn register_fork_handlers() {
    extern "C" fn prepare() {
        crate::cancel::lock_for_fork();
        let guards: Vec<_> = REGISTRY
            .iter()
            .map(|m| m.lock().unwrap_or_else(|p| p.into_inner()))
            .collect();
        HELD.with(|h| *h.borrow_mut() = guards);
    }
    extern "C" fn release() {
        HELD.with(|h| h.borrow_mut().clear());
        crate::cancel::unlock_after_fork();
    }
    // SAFETY: registering plain functions that take and release our own locks.
    unsafe { libc::pthread_atfork(Some(prepare), Some(release), Some(release)) };
}
