"""Event callbacks: one ctypes thunk for the whole process, dispatching on an id.

The library calls ``TRAMPOLINE`` with the id of the client's callback as ``userdata``. The
thunk is never freed, and a callback is looked up on every call, so an event that arrives after
its client closed (or after interpreter shutdown began) finds nothing and returns: no freed
thunk can ever be called by the library.

Threads, as ``lx_event_callback`` in leanix.h says: token events (``token_fetched``,
``token_refreshed``, ``token_failed``) are called on one of the library's threads; ``retry``
and ``token_rejected`` events of a call are called on the thread that made that call, from
inside it. ctypes takes the GIL for the callback either way.
"""

from __future__ import annotations

import itertools
import json as _json
import logging
from typing import Any, Callable, Dict, Optional

from . import _bindings as b

_log = logging.getLogger("leanix")

#: ``on_event(kind, details)``: ``kind`` is one of ``"token_fetched"``, ``"token_refreshed"``,
#: ``"token_failed"``, ``"token_rejected"``, ``"retry"``; ``details`` the event's fields as a
#: dict (tokens appear only as 8-hex-digit fingerprints). Token events are called on a library
#: thread; ``retry`` and ``token_rejected`` on the thread that made the request, inside that
#: call. Return quickly, and do not call the client from inside the callback. An exception it
#: raises is logged to the ``leanix`` logger and ignored.
EventCallback = Callable[[str, Dict[str, Any]], None]

#: callback id -> callback, for the clients that have one
callbacks: Dict[int, EventCallback] = {}
_ids = itertools.count(1)
_shutting_down = False


def register(callback: EventCallback) -> int:
    """Registers ``callback``; returns the id to pass to the library as userdata."""
    callback_id = next(_ids)
    callbacks[callback_id] = callback
    return callback_id


def unregister(callback_id: int) -> None:
    """Forgets a callback; later events for it are dropped. Unknown ids are ignored."""
    callbacks.pop(callback_id, None)


def shut_down() -> None:
    """Drops every event from now on (the interpreter is exiting)."""
    global _shutting_down
    _shutting_down = True


def _trampoline(userdata: Optional[int], kind: int, details_json: Optional[bytes]) -> None:
    if _shutting_down:
        return
    try:
        callback = callbacks.get(userdata or 0)
        if callback is None:
            return
        details = _json.loads(details_json.decode("utf-8")) if details_json else {}
        callback(b.EVENT_NAMES.get(kind, str(kind)), details)
    except BaseException:  # noqa: BLE001 - nothing may unwind into the library
        try:
            _log.exception("leanix: the on_event callback raised")
        except BaseException:  # noqa: BLE001
            pass


#: The one thunk the library is given, for every client, for the life of the process.
TRAMPOLINE = b.lx_event_callback(_trampoline)
