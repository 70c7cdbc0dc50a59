"""Ownership of native objects.

``Managed`` owns one long-lived handle that several threads (or tasks) may be using at once:
the client. ``close()`` takes the handle away, so that no new call starts, and frees it. The
library makes that safe without any bookkeeping here (leanix.h, "Ownership" and "Thread
safety"): freeing a client cancels the calls in flight on it, which return
``LX_ERR_CANCELLED`` promptly (asynchronous ones through their completion callback), and
handles are never reused, so a call that read the handle just before ``close()`` gets
``LX_ERR_INVALID_ARG``, reported as ``ClosedError``, never another object.

Short-lived objects (options, call options, responses, errors, strings) are freed where they
are read, in a ``finally``; ``take_string`` and ``take_text`` are that for the strings the
caller owns, each freed exactly once.
"""

from __future__ import annotations

import codecs
import ctypes
import threading
import weakref
from typing import Any, List, Optional

from . import _status
from ._errors import ClosedError, LeanixError, PanicError, error_from_status

# Every open Managed object, so that the ones still open at interpreter exit can be closed
# before the interpreter finalizes (see close_all()).
_live: "weakref.WeakSet[Managed]" = weakref.WeakSet()


class Managed:
    """Base of the objects that own a native handle shared by threads (see the module doc)."""

    def __init__(self, lib: ctypes.CDLL) -> None:
        self._lib = lib
        self._ptr: Optional[int] = None
        self._closed = False
        self._lock = threading.Lock()

    def _adopt(self, ptr: int) -> None:
        """Takes ownership of ``ptr``, the handle ``close()`` will free."""
        self._ptr = ptr
        _live.add(self)

    def _released(self) -> None:
        """Called once the handle is freed, for state kept beside it (default: nothing)."""

    # -- lifecycle -------------------------------------------------------------------------

    def close(self) -> None:
        """Releases the native object. Idempotent and thread-safe. Calls other threads are
        making on it end at once (``CancelledError``); later calls raise ``ClosedError``."""
        with self._lock:
            ptr, self._ptr = self._ptr, None
            self._closed = True
        if ptr:
            # Freeing a client cancels its calls and stops its background refresh, which may
            # be waiting for the GIL in an event callback: free it with the GIL released.
            self._lib.lx_free_releasing_gil(ptr)
        self._released()

    @property
    def closed(self) -> bool:
        """True once ``close()`` was called."""
        return self._closed

    def __del__(self) -> None:
        # Safety net; close() deterministically instead.
        if getattr(self, "_ptr", None):
            try:
                self.close()
            except Exception:  # noqa: BLE001
                pass

    # -- calls -----------------------------------------------------------------------------

    def _closed_error(self) -> ClosedError:
        return ClosedError(f"this leanix.{type(self).__name__} is closed")

    def _handle(self) -> int:
        """The handle; raises ClosedError after close()."""
        ptr = self._ptr
        if ptr is None:
            raise self._closed_error()
        return ptr

    def _error(self, status: int, err: Any) -> LeanixError:
        """The exception for a failed call (the lx_error is freed). After close(), the
        library's "not a live client" is reported as ClosedError."""
        e = error_from_status(self._lib, status, err)
        if self._closed and status == _status.LX_ERR_INVALID_ARG:
            return self._closed_error()
        return e

    def _check(self, status: int, err: ctypes.c_void_p) -> None:
        """Raises the exception for a failed call (and frees its lx_error)."""
        if status != _status.LX_OK:
            e = self._error(status, err)
            err.value = None
            raise e


def take_string(lib: ctypes.CDLL, ptr: ctypes.c_void_p, size: Optional[int] = None) -> bytes:
    """Copies a string the caller owns out of the library, then frees (and so zeroes) it."""
    address = ptr.value
    if not address:
        raise PanicError("libleanix reported success but returned no string")
    try:
        return ctypes.string_at(address) if size is None else ctypes.string_at(address, size)
    finally:
        lib.lx_free(address)


def text_at(address: int, size: int) -> str:
    """``size`` bytes of UTF-8 at ``address`` as a str, decoded straight from the library's
    memory (one copy, no intermediate ``bytes``)."""
    if not size:
        return ""
    view = (ctypes.c_char * size).from_address(address)
    return codecs.utf_8_decode(memoryview(view).cast("B"), "replace", True)[0]


def take_text(lib: ctypes.CDLL, ptr: ctypes.c_void_p, size: int) -> str:
    """An owned UTF-8 string of ``size`` bytes as a str (decoded in place), then freed."""
    address = ptr.value
    if not address:
        raise PanicError("libleanix reported success but returned no string")
    try:
        return text_at(address, size)
    finally:
        lib.lx_free(address)


def close_all() -> None:
    """Closes every object still open (at interpreter exit)."""
    objects: List[Managed] = list(_live)
    for obj in objects:
        try:
            obj.close()
        except BaseException:  # noqa: BLE001
            pass
