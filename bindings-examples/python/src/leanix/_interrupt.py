"""Ctrl-C during a blocking call, and the per-call options a thread reuses.

Python runs its SIGINT handler (``KeyboardInterrupt``) only between bytecodes, so a thread
blocked in a native call would not see Ctrl-C before the call returned. The C level of
Python's signal handling writes the signal's number as one byte to the descriptor given to
``signal.set_wakeup_fd``. While a call runs on the main thread with Python's default SIGINT
handler in place, that descriptor is the write end of a pipe of this module; a watcher thread
(one per process, started on first use) reads it, fires the call's ``lx_cancel`` for a SIGINT
byte (the call returns ``LX_ERR_CANCELLED`` within milliseconds) and forwards every byte to
the descriptor that was set before (asyncio's, for instance), so nobody else misses a signal.
Other signals never cancel a call. The previous descriptor is restored when the call returns,
and Python then raises the ``KeyboardInterrupt`` itself.

Pointing the wakeup descriptor straight at ``lx_cancel_fd`` would need no thread, but every
signal with a Python handler (SIGTERM, SIGCHLD, SIGWINCH, ...) would then cancel the call.

Per-call options (``lx_call_options`` with a deadline, an ``lx_cancel``, an operation name)
are kept per thread and reused, since each call copies what it needs at its start: a call with
no ``timeout=`` off the main thread passes NULL and costs nothing; on the main thread the cost
is two ``set_wakeup_fd`` calls and two lock round trips (see bench/python). A cancel handle
that fired is replaced.
"""

from __future__ import annotations

import _signal  # the C functions behind `signal`: getsignal there is 20x cheaper (no enums)
import ctypes
import os
import signal
import threading
from typing import Any, List, Optional

from ._convert import cstr
from ._errors import check


class _Watcher:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.read_fd = -1
        self.write_fd = -1
        self.started = False
        self.lib: Any = None
        self.current = 0  # the lx_cancel of the call in flight on the main thread
        self.fired = False
        self.forward = -1  # the wakeup descriptor that was set before ours

    def start(self, lib: Any) -> None:
        with self.lock:
            if self.started:
                return
            r, w = os.pipe()
            os.set_blocking(w, False)
            self.read_fd, self.write_fd, self.lib = r, w, lib
            threading.Thread(target=self._run, args=(r,), name="leanix-sigint",
                             daemon=True).start()
            self.started = True

    def _run(self, fd: int) -> None:
        while True:
            try:
                data = os.read(fd, 256)
            except InterruptedError:
                continue
            except OSError:
                return
            if not data:
                return
            with self.lock:
                if _SIGINT in data and self.current:
                    self.lib.lx_cancel_fire(self.current)
                    self.fired = True
                forward = self.forward
            if forward >= 0:
                try:
                    os.write(forward, data)
                except OSError:
                    pass

    def after_fork(self) -> None:
        # The child has no watcher thread; the next call starts one on a new pipe.
        for fd in (self.read_fd, self.write_fd):
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self.__init__()  # type: ignore[misc]


_watcher = _Watcher()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_watcher.after_fork)


_SIGINT = int(signal.SIGINT)
_main_ident = threading.main_thread().ident


def _new_main_ident() -> None:
    global _main_ident
    _main_ident = threading.get_ident()  # in a child, the forking thread is its main thread


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_new_main_ident)


def wanted() -> bool:
    """Whether a call made now should be cancellable by Ctrl-C: on the main thread, with
    Python's own SIGINT handler (a handler of the application's is left alone), and not from
    inside another call (an event callback)."""
    return (threading.get_ident() == _main_ident
            and _signal.getsignal(_SIGINT) is _signal.default_int_handler
            and not _watcher.current)


def arm(lib: Any, cancel: int) -> Optional[int]:
    """Makes SIGINT fire ``cancel`` until ``disarm``; returns what ``disarm`` takes (None if
    the wakeup descriptor could not be set)."""
    w = _watcher
    if not w.started:
        w.start(lib)
    with w.lock:
        w.current = cancel
        w.fired = False
    try:
        previous = signal.set_wakeup_fd(w.write_fd)
    except (ValueError, OSError):
        with w.lock:
            w.current = 0
        return None
    w.forward = previous
    return previous


def disarm(previous: Optional[int]) -> bool:
    """Restores the previous wakeup descriptor; True if SIGINT fired the call's cancel."""
    w = _watcher
    if previous is None:
        return False
    try:
        signal.set_wakeup_fd(previous)
    except (ValueError, OSError):
        pass
    with w.lock:
        fired = w.fired
        w.current = 0
        w.fired = False
        w.forward = -1
    return fired


class CallOptions:
    """One ``lx_call_options`` with what was last set on it (deadline, cancel handle,
    operation name, ``REVISION_CLASH`` retries), so that a reused object is changed only where a
    call differs."""

    __slots__ = ("lib", "handle", "cancel", "attached", "timeout_ms", "operation_name",
                 "clash_retries")

    def __init__(self, lib: Any) -> None:
        self.lib = lib
        self.cancel = 0  # the cancel handle these options own (ensure_cancel)
        self.attached = 0  # the cancel handle set on them last
        self.timeout_ms = 0
        self.operation_name: Optional[bytes] = None
        self.clash_retries = DEFAULT_CLASH_RETRIES
        opts = ctypes.c_void_p()
        err = ctypes.c_void_p()
        check(lib, lib.lx_call_options_new(ctypes.byref(opts), ctypes.byref(err)), err)
        self.handle: int = opts.value or 0

    def set(self, timeout_ms: int, operation_name: Optional[bytes] = None,
            clash_retries: int = -1) -> None:
        """The deadline (0: the client's ``request_timeout``), operation name and
        ``REVISION_CLASH`` retries (-1: the library's default) of the next call."""
        lib = self.lib
        err = ctypes.c_void_p()
        if timeout_ms != self.timeout_ms:
            check(lib, lib.lx_call_options_set_timeout_ms(self.handle, timeout_ms,
                                                           ctypes.byref(err)), err)
            self.timeout_ms = timeout_ms
        if operation_name != self.operation_name:
            check(lib, lib.lx_call_options_set_operation_name(self.handle, operation_name,
                                                               ctypes.byref(err)), err)
            self.operation_name = operation_name
        if clash_retries != self.clash_retries:
            check(lib, lib.lx_call_options_set_revision_clash_retries(
                self.handle, clash_retries, ctypes.byref(err)), err)
            self.clash_retries = clash_retries

    def ensure_cancel(self) -> int:
        """The cancel handle of these options (created on first use)."""
        if not self.cancel:
            lib = self.lib
            cancel = ctypes.c_void_p()
            err = ctypes.c_void_p()
            check(lib, lib.lx_cancel_new(ctypes.byref(cancel), ctypes.byref(err)), err)
            try:
                check(lib, lib.lx_call_options_set_cancel(self.handle, cancel.value,
                                                          ctypes.byref(err)), err)
            except BaseException:
                lib.lx_free(cancel.value)
                raise
            self.cancel = self.attached = cancel.value or 0
        return self.cancel

    def attach(self, cancel: int) -> None:
        """Sets a cancel handle that someone else owns (``AsyncClient``'s, one per call)."""
        if cancel != self.attached:
            err = ctypes.c_void_p()
            check(self.lib, self.lib.lx_call_options_set_cancel(self.handle, cancel,
                                                                ctypes.byref(err)), err)
            self.attached = cancel

    def drop_cancel(self) -> None:
        """Forgets a cancel handle that fired (it stays fired); the next call gets a new one."""
        if self.cancel:
            self.lib.lx_call_options_set_cancel(self.handle, None, None)
            self.lib.lx_free(self.cancel)
            self.cancel = self.attached = 0

    def free(self) -> None:
        if self.handle:
            self.lib.lx_free(self.handle)
            self.handle = 0
        if self.cancel:
            self.lib.lx_free(self.cancel)
            self.cancel = 0

    def __del__(self) -> None:
        try:
            self.free()
        except Exception:  # noqa: BLE001 - at interpreter exit the library may be gone
            pass


_local = threading.local()


def acquire(lib: Any) -> CallOptions:
    """This thread's spare call options (new ones if it has none free: a call made from an
    event callback inside another call gets its own)."""
    spare: Optional[List[CallOptions]] = getattr(_local, "spare", None)
    if spare:
        return spare.pop()
    return CallOptions(lib)


def release(options: CallOptions) -> None:
    spare: Optional[List[CallOptions]] = getattr(_local, "spare", None)
    if spare is None:
        spare = _local.spare = []
    if len(spare) < 2:
        spare.append(options)
    else:
        options.free()


#: ``lx_call_options_set_revision_clash_retries``'s "the default".
DEFAULT_CLASH_RETRIES = -1


def clash_retries(retries: Optional[int]) -> int:
    """The C argument for a ``revision_clash_retries=`` keyword (None: the default); the
    library checks the range."""
    if retries is None:
        return DEFAULT_CLASH_RETRIES
    if isinstance(retries, bool) or not isinstance(retries, int):
        raise TypeError(f"revision_clash_retries must be an int, not {type(retries).__name__}")
    if not 0 <= retries <= 0x7FFF_FFFF:
        raise ValueError(f"revision_clash_retries must not be negative, not {retries}")
    return retries


def operation(name: Optional[str]) -> Optional[bytes]:
    return None if name is None else cstr(name, "operation_name")
