"""Ownership of native objects.

``Managed`` owns one long-lived handle that several threads may be using at once (the client).
Each call through ``_call`` is counted as in flight while it runs. ``close()`` takes the handle
away so that no new call starts, cancels the calls in flight (``_cancel``, e.g.
``lx_client_close``), waits for them to return and only then frees the handle: a call can never
reach another object that the library later places at the same address (DECISIONS.md,
"lx_client_close").

Short-lived objects (options, responses, errors, strings) are freed where they are read, in a
``finally``; ``take_string`` is that for the strings the caller owns.
"""

from __future__ import annotations

import ctypes
import threading
import time
import weakref
from typing import Any, List, Optional

from . import _status
from ._errors import ClosedError, PanicError, error_from_status

#: How long close() waits for calls in flight to return after cancelling them.
CLOSE_WAIT_SECONDS = 30.0

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
        self._inflight = 0

    def _adopt(self, ptr: int) -> None:
        """Takes ownership of ``ptr``, the handle ``close()`` will free."""
        self._ptr = ptr
        _live.add(self)

    # -- hooks -----------------------------------------------------------------------------

    def _cancel(self, ptr: int) -> None:
        """Makes the calls in flight on ``ptr`` return promptly (default: nothing)."""

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
            self._cancel(ptr)
            # The cancelled calls return promptly; closing is rare, so a short poll is enough
            # and keeps the per-call bookkeeping to a plain lock.
            deadline = time.monotonic() + CLOSE_WAIT_SECONDS
            while self._inflight and time.monotonic() < deadline:
                time.sleep(0.001)
            self._lib.lx_free(ptr)
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

    def _call(self, fn: Any, *args: Any) -> int:
        """Calls ``fn(handle, *args)`` while counting the call as in flight (see ``close``)."""
        with self._lock:
            ptr = self._handle()
            self._inflight += 1
        try:
            return int(fn(ptr, *args))
        finally:
            with self._lock:
                self._inflight -= 1

    def _check(self, status: int, err: ctypes.c_void_p) -> None:
        """Raises the exception for a failed call (and frees its lx_error). After close(),
        the library's "not a live client" is reported as ClosedError."""
        if status != _status.LX_OK:
            e = error_from_status(self._lib, status, err)
            err.value = None
            if self._closed and status == _status.LX_ERR_INVALID_ARG:
                raise self._closed_error() from None
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


def close_all() -> None:
    """Closes every object still open (at interpreter exit)."""
    objects: List[Managed] = list(_live)
    for obj in objects:
        try:
            obj.close()
        except BaseException:  # noqa: BLE001
            pass
