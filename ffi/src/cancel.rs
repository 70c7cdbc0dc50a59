//! `lx_cancel`: a cancellation handle that any thread and any signal handler may fire.
//!
//! Firing must be async-signal-safe, so it cannot look the handle up in the registry (whose
//! locks a signal may interrupt). An `lx_cancel` handle therefore carries the index of a slot
//! in a lock-free table and the slot's generation: firing checks the generation with one
//! atomic load and writes one byte to the slot's descriptor, a duplicate of the handle's pipe.
//! A slot is never freed; when its handle is freed the generation moves on (stale handles are
//! refused) and the descriptor is pointed at a sink pipe, so that a late write goes nowhere.

use std::sync::atomic::{AtomicI32, AtomicPtr, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use leanix_core::Cancel;
use once_cell::sync::Lazy;

use crate::args::out;
use crate::boundary::guard;
use crate::error::lx_error;
use crate::registry::{self, Object};
use crate::status::lx_status;

/// Opaque cancellation handle. Create with lx_cancel_new(), give it to calls through
/// lx_call_options_set_cancel(), fire it with lx_cancel_fire(), release it with lx_free().
/// Thread safety: any thread may fire it, also from a signal handler.
pub struct lx_cancel {
    _private: [u8; 0],
}

/// What lives behind an `lx_cancel *`.
pub(crate) struct CancelObject {
    pub cancel: Cancel,
    slot: usize,
}

const CHUNK: usize = 1024;
const CHUNKS: usize = 1024;

struct Slot {
    generation: AtomicU32,
    /// A descriptor owned by the slot: a duplicate of the live handle's pipe write end, or
    /// of the sink's after the handle was freed; -1 before first use.
    fd: AtomicI32,
}

/// The slot table: chunks allocated on demand and never freed.
static TABLE: [AtomicPtr<[Slot; CHUNK]>; CHUNKS] =
    [const { AtomicPtr::new(std::ptr::null_mut()) }; CHUNKS];

struct Allocator {
    free: Vec<usize>,
    next: usize,
}

static ALLOCATOR: Mutex<Allocator> = Mutex::new(Allocator {
    free: Vec::new(),
    next: 0,
});

/// Where the descriptor of a freed slot points: a pipe that is never read (writes fail with
/// EAGAIN once it is full, harmlessly).
static SINK: Lazy<Option<Cancel>> =
    Lazy::new(|| Some(Cancel::new()).filter(|c| c.wakeup_fd() >= 0));

fn slot(index: usize) -> Option<&'static Slot> {
    let chunk = TABLE.get(index / CHUNK)?.load(Ordering::Acquire);
    // SAFETY: chunks are leaked when created and never freed.
    unsafe { chunk.as_ref() }.map(|c| &c[index % CHUNK])
}

fn allocator() -> MutexGuard<'static, Allocator> {
    ALLOCATOR.lock().unwrap_or_else(|p| p.into_inner())
}

fn take_slot() -> Option<usize> {
    let mut a = allocator();
    if let Some(i) = a.free.pop() {
        return Some(i);
    }
    let index = a.next;
    let chunk = TABLE.get(index / CHUNK)?;
    if chunk.load(Ordering::Acquire).is_null() {
        let fresh: Box<[Slot; CHUNK]> = Box::new(std::array::from_fn(|_| Slot {
            generation: AtomicU32::new(0),
            fd: AtomicI32::new(-1),
        }));
        chunk.store(Box::into_raw(fresh), Ordering::Release);
    }
    a.next += 1;
    Some(index)
}

/// Points the slot's descriptor at `target` (a pipe write end), creating it on first use.
fn point_slot(slot: &Slot, target: i32) {
    let fd = slot.fd.load(Ordering::Acquire);
    // SAFETY: plain descriptor calls on descriptors this module owns.
    unsafe {
        if fd < 0 {
            let dup = libc::fcntl(target, libc::F_DUPFD_CLOEXEC, 0);
            slot.fd.store(dup, Ordering::Release);
        } else {
            libc::dup3(target, fd, libc::O_CLOEXEC);
        }
    }
}

impl Drop for CancelObject {
    fn drop(&mut self) {
        if let Some(slot) = slot(self.slot) {
            slot.generation.fetch_add(1, Ordering::AcqRel);
            if let Some(sink) = SINK.as_ref() {
                point_slot(slot, sink.wakeup_fd());
            }
            allocator().free.push(self.slot);
        }
    }
}

/// The handle value of slot `index` at `generation`: bits 1 and 0 set, the generation above
/// them, the slot index above that (see the registry's handle layout).
fn encode(index: usize, generation: u32) -> usize {
    (index << 34) | ((generation as usize) << 2) | 3
}

fn decode(handle: usize) -> Option<(usize, u32)> {
    (handle & 3 == 3).then_some((handle >> 34, ((handle >> 2) & 0xffff_ffff) as u32))
}

fn live_slot(cancel: *const lx_cancel) -> Option<&'static Slot> {
    let (index, generation) = decode(cancel as usize)?;
    let slot = slot(index)?;
    (slot.generation.load(Ordering::Acquire) == generation).then_some(slot)
}

/// Creates a cancellation handle that has not fired.
///
/// Ownership: `*out_cancel` is owned by the caller; release it with lx_free() after the calls
/// that use it have returned (a call keeps what it needs, so freeing earlier is safe too).
/// Thread safety: any thread.
///
/// Resources: each handle owns a pipe (two descriptors) until it is freed. So that
/// lx_cancel_fire() stays safe in a signal handler, the library also keeps one descriptor
/// per handle slot for the life of the process: slots are reused, so their number is the
/// most handles that were ever alive at the same time (1 000 concurrent calls with a handle
/// each leave 1 000 descriptors open after they end; keep that peak below the process's
/// descriptor limit, `ulimit -n`).
#[no_mangle]
#[must_use]
pub extern "C" fn lx_cancel_new(
    out_cancel: *mut *mut lx_cancel,
    err: *mut *mut lx_error,
) -> lx_status {
    guard(err, || {
        out(out_cancel, "out_cancel")?;
        Lazy::force(&SINK);
        let index = take_slot().ok_or_else(|| {
            crate::error::Failure::new(
                lx_status::LX_ERR_INVALID_ARG,
                "too many lx_cancel handles are alive at once (free the ones you no longer use)",
            )
        })?;
        let slot = slot(index).expect("a slot just taken");
        let generation = slot
            .generation
            .fetch_add(1, Ordering::AcqRel)
            .wrapping_add(1);
        let cancel = Cancel::new();
        if cancel.wakeup_fd() >= 0 {
            point_slot(slot, cancel.wakeup_fd());
        }
        let handle = encode(index, generation);
        let object = CancelObject {
            cancel,
            slot: index,
        };
        registry::insert_at(handle, Object::Cancel(Arc::new(object)));
        // SAFETY: checked non-NULL above.
        unsafe { *out_cancel = handle as *mut lx_cancel };
        Ok(())
    })
}

/// Fires the handle: every call that uses it returns `LX_ERR_CANCELLED` promptly (within a
/// few milliseconds), whatever it is waiting for; later calls with it return
/// `LX_ERR_CANCELLED` at once. Firing twice is harmless.
///
/// Returns `LX_OK`, `LX_ERR_NULL_ARG`, or `LX_ERR_INVALID_ARG` for a handle that is not live
/// (freed already, or not an lx_cancel); nothing else is done then.
/// Thread safety: any thread. Async-signal-safe: it may be called from a signal handler (it
/// does one atomic load and one write(2); no lock, no allocation).
#[no_mangle]
pub extern "C" fn lx_cancel_fire(cancel: *const lx_cancel) -> lx_status {
    if cancel.is_null() {
        return lx_status::LX_ERR_NULL_ARG;
    }
    match live_slot(cancel) {
        Some(slot) => {
            let fd = slot.fd.load(Ordering::Acquire);
            // SAFETY: one byte from a static buffer to a descriptor the slot owns.
            unsafe { libc::write(fd, b"x".as_ptr().cast(), 1) };
            lx_status::LX_OK
        }
        None => lx_status::LX_ERR_INVALID_ARG,
    }
}

/// A file descriptor that fires the handle when any byte is written to it, for event loops
/// that wake through a descriptor on signals (Python's `signal.set_wakeup_fd`, the self-pipe
/// trick). Non-blocking. `-1` if `cancel` is not a live handle.
///
/// Ownership: owned by the library; never close it. It stays open (and harmless) after
/// lx_free(cancel). Thread safety: any thread.
#[no_mangle]
pub extern "C" fn lx_cancel_fd(cancel: *const lx_cancel) -> i32 {
    live_slot(cancel).map_or(-1, |slot| slot.fd.load(Ordering::Acquire))
}

/// The core handle behind an `lx_cancel *` argument.
pub(crate) fn cancel_of(
    cancel: *const lx_cancel,
    name: &str,
) -> Result<Cancel, crate::error::Failure> {
    Ok(registry::get::<lx_cancel>(cancel, name)?.cancel.clone())
}

thread_local! {
    static HELD: std::cell::RefCell<Option<MutexGuard<'static, Allocator>>> =
        const { std::cell::RefCell::new(None) };
}

/// Takes the allocator lock before `fork()` (see the registry's fork handlers).
pub(crate) fn lock_for_fork() {
    let guard = allocator();
    HELD.with(|h| *h.borrow_mut() = Some(guard));
}

/// Releases it after `fork()`, in parent and child.
pub(crate) fn unlock_after_fork() {
    HELD.with(|h| h.borrow_mut().take());
}
