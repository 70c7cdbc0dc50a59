"""Events: one ctypes thunk for the whole process, dispatching on an id, and the bridge to
``logging``.

Every client registers here; the library calls ``TRAMPOLINE`` with the client's id as
``userdata``. The thunk is never freed, and the id is looked up on every call, so an event that
arrives after its client closed (or after interpreter shutdown began) finds nothing and
returns: no freed thunk can ever be called by the library.

Each event goes to the ``leanix`` logger (token fetched and refreshed, a retry, the end of
pacing at INFO; a failed exchange and the start of pacing at WARNING; a rejected token at
INFO), then to the client's ``on_event`` callback if it has one. The logger has a
``NullHandler``, so nothing is printed unless the application configures logging.

Threads, as ``lx_event_callback`` in leanix.h says: token events (``token_fetched``,
``token_refreshed``, ``token_failed``) are called on one of the library's threads; ``retry``,
``token_rejected`` and ``pacing`` events of a call are called on the thread that drives that
call, from inside it: the caller's own thread for ``Client``, a library thread for
``AsyncClient``. ctypes takes the GIL for the callback either way.
"""

from __future__ import annotations

import itertools
import json as _json
import logging
from typing import Any, Callable, Dict, Optional

from . import _bindings as b

_log = logging.getLogger("leanix")
_log.addHandler(logging.NullHandler())

#: ``on_event(kind, details)``: ``kind`` is one of ``"token_fetched"``, ``"token_refreshed"``,
#: ``"token_failed"``, ``"token_rejected"``, ``"retry"``, ``"pacing"``, ``"token_loaded"``
#: (taken from the token cache), ``"token_cache_ignored"`` (a warning: the file or its
#: directory was not used); ``details`` the event's
#: fields as a dict (tokens appear only as 8-hex-digit fingerprints). Token events are called
#: on a library thread; ``retry``, ``token_rejected`` and ``pacing`` on the thread that drives
#: the call, inside it. Return quickly. A blocking call on a client from inside the callback
#: raises ``RecursiveCallError``. An exception it raises is logged to the ``leanix`` logger
#: and ignored.
EventCallback = Callable[[str, Dict[str, Any]], None]

#: callback id -> the client's on_event callback (None: log only), for every open client
callbacks: Dict[int, Optional[EventCallback]] = {}
_ids = itertools.count(1)
_shutting_down = False


def register(callback: Optional[EventCallback]) -> int:
    """Registers a client's ``callback`` (None: events are only logged); returns the id to
    pass to the library as userdata."""
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


def _seconds(ms: Any) -> str:
    return f"{ms / 1000:g} s" if isinstance(ms, (int, float)) else "?"


def describe(name: str, d: Dict[str, Any]) -> str:
    """One log line for an event."""
    if name in ("token_fetched", "token_refreshed"):
        what = "token refreshed in the background" if name == "token_refreshed" else "token fetched"
        return (f"{what}: {d.get('fingerprint', '?')}, valid {_seconds(d.get('lifetime_ms'))}, "
                f"{d.get('attempts', '?')} attempt(s)")
    if name == "token_failed":
        where = " (background refresh)" if d.get("background") else ""
        return f"token exchange failed{where}: {d.get('message', d.get('kind', '?'))}"
    if name == "token_rejected":
        return f"the API rejected token {d.get('fingerprint', '?')} (401); exchanging a new one"
    if name == "retry":
        return (f"retrying the {d.get('target', '?')} request in {_seconds(d.get('delay_ms'))} "
                f"(attempt {d.get('attempt', '?')} failed: {d.get('reason', '?')})")
    if name == "token_loaded":
        return (f"token {d.get('fingerprint', '?')} taken from the token cache, "
                f"valid {_seconds(d.get('expires_in_ms'))} more")
    if name == "token_cache_ignored":
        return f"token cache: {d.get('path', '?')} {d.get('reason', '?')}"
    if name == "instance_routed":
        return f"API calls routed to {d.get('origin', '?')} (the token's instanceUrl)"
    if name == "instance_refused":
        return f"instanceUrl {d.get('instance_url', '?')} ignored: {d.get('reason', '?')}"
    if name == "pacing":
        rate = d.get("requests_per_minute")
        if not d.get("started"):
            # A stop event carries the pace that stays: None, or the fixed max_requests_per_minute.
            return "pacing stopped" if rate is None else f"pacing stopped; the fixed {rate}/min stays"
        return f"pacing requests at {rate}/min after a 429"
    return f"{name}: {d}"


def _level(name: str, d: Dict[str, Any]) -> int:
    if name in ("token_failed", "token_cache_ignored", "instance_refused") or (name == "pacing" and d.get("started")):
        return logging.WARNING
    return logging.INFO


def _trampoline(userdata: Optional[int], kind: int, details_json: Optional[bytes]) -> None:
    if _shutting_down:
        return
    try:
        key = userdata or 0
        if key not in callbacks:
            return
        callback = callbacks.get(key)
        name = b.EVENT_NAMES.get(kind, str(kind))
        details = _json.loads(details_json.decode("utf-8")) if details_json else {}
        level = _level(name, details)
        if _log.isEnabledFor(level):
            _log.log(level, "%s", describe(name, details),
                     extra={"leanix_event": name, "leanix_details": details})
        if callback is not None:
            callback(name, details)
    except KeyboardInterrupt:
        # Ctrl-C while the callback ran on the main thread, inside a call: the call is
        # cancelled (see _interrupt) and raises KeyboardInterrupt when it returns.
        pass
    except BaseException:  # noqa: BLE001 - nothing may unwind into the library
        try:
            _log.exception("leanix: the on_event callback raised")
        except BaseException:  # noqa: BLE001
            pass


#: The one thunk the library is given, for every client, for the life of the process.
TRAMPOLINE = b.lx_event_callback(_trampoline)
