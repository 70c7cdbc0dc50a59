"""PULL webhooks: ``client.webhooks`` (``Webhooks``) and ``async_client.webhooks``
(``AsyncWebhooks``), on ``lx_webhooks_*``.

The consumer rule is the library's (core/src/webhooks.rs): a batch is fetched from the
subscription's cursor on the server, and the cursor is moved past an event only once the
event was handled, so every event is seen at least once and none is skipped; nothing is stored
here, a restarted program resumes from the server's cursor. Waiting for events
(``follow=True``) is the library's too (``lx_webhooks_fetch_wait``: 1 s, doubling to 30 s).
"""

from __future__ import annotations

import ctypes
import json as _json
from typing import (TYPE_CHECKING, Any, AsyncIterator, Callable, Dict, Iterator, List, Optional,
                    Sequence, Tuple)

from ._errors import InvalidArgumentError
from ._managed import take_text

if TYPE_CHECKING:
    from ._async import AsyncClient
    from ._client import Client

Event = Dict[str, Any]


def _id(subscription_id: str) -> bytes:
    if not isinstance(subscription_id, str) or not subscription_id or "\0" in subscription_id:
        raise InvalidArgumentError("subscription_id must be a non-empty str")
    return subscription_id.encode("utf-8")


def _spec(tag_sets: Sequence[Sequence[str]], identifier: Optional[str], payload_mode: str,
          workspace_id: Optional[str], workspace_constraint: Optional[str]) -> bytes:
    """The ``spec_json`` of ``lx_webhooks_create``; a key left unset is the library's default."""
    if isinstance(tag_sets, (str, bytes)) or not all(
            not isinstance(s, (str, bytes)) and all(isinstance(t, str) for t in s)
            for s in tag_sets):
        raise InvalidArgumentError(
            "tag_sets must be a list of lists of tags, e.g. [['pathfinder', 'FACT_SHEET_CREATED']]")
    spec: Dict[str, Any] = {"tagSets": [list(s) for s in tag_sets], "payloadMode": payload_mode}
    if identifier is not None:
        spec["identifier"] = identifier
    if workspace_id is not None:
        spec["workspaceId"] = workspace_id
    if workspace_constraint is not None:
        spec["workspaceConstraint"] = workspace_constraint
    return _json.dumps(spec).encode("utf-8")


class _Batch:
    """One fetched batch of events, as ``Webhooks.events`` and ``AsyncWebhooks.events`` walk
    it: iterating yields each event and, once the loop asks for the next one, records the
    cursor to commit in ``next_offset`` (the handled event's offset plus one; ``None`` before
    the first event was handled). An empty batch is false."""

    def __init__(self, events: List[Event]) -> None:
        self._events = events
        self.next_offset: Optional[int] = None

    def __len__(self) -> int:
        return len(self._events)

    def __iter__(self) -> Iterator[Event]:
        for event in self._events:
            yield event
            self.next_offset = int(event["offset"]) + 1


class Webhooks:
    """The PULL webhooks of a ``Client`` (``client.webhooks``). Every call blocks like the
    client's others: ``timeout=`` is the deadline of each request, Ctrl-C on the main thread
    cancels it (``KeyboardInterrupt``)."""

    def __init__(self, client: "Client") -> None:
        self._client = client

    def _json_call(self, fn: Any, pre: Tuple[Any, ...], timeout: Optional[float]) -> Any:
        lib = self._client._lib
        out = ctypes.c_void_p()
        size = ctypes.c_size_t()
        err = ctypes.c_void_p()
        try:
            status = self._client._run(fn, pre, (ctypes.byref(out), ctypes.byref(size),
                                                 ctypes.byref(err)), timeout)
        except BaseException:
            lib.lx_free(out.value)
            lib.lx_free(err.value)
            raise
        self._client._check(status, err)
        return _json.loads(take_text(lib, out, size.value))

    def _plain_call(self, fn: Any, pre: Tuple[Any, ...], timeout: Optional[float]) -> None:
        lib = self._client._lib
        err = ctypes.c_void_p()
        try:
            status = self._client._run(fn, pre, (ctypes.byref(err),), timeout)
        except BaseException:
            lib.lx_free(err.value)
            raise
        self._client._check(status, err)

    def create(self, tag_sets: Sequence[Sequence[str]], *, identifier: Optional[str] = None,
               payload_mode: str = "DEFAULT", workspace_id: Optional[str] = None,
               workspace_constraint: Optional[str] = None,
               timeout: Optional[float] = None) -> Dict[str, Any]:
        """Creates a PULL subscription to ``tag_sets`` (``[["pathfinder",
        "FACT_SHEET_UPDATED"]]``); returns it as the API shows it, with its ``id``.

        ``identifier`` names it; ``payload_mode`` is ``"DEFAULT"`` or ``"WRAPPED_EVENT"``;
        ``workspace_id`` is the workspace (unset: the token's); ``workspace_constraint`` is
        LeanIX's ``workspaceConstraint`` (unset: the library's default, ``"ANY"``). A value
        the server refuses raises its ``HTTPError`` (400)."""
        spec = _spec(tag_sets, identifier, payload_mode, workspace_id, workspace_constraint)
        return self._json_call(self._client._lib.lx_webhooks_create, (spec,), timeout)

    def list(self, *, timeout: Optional[float] = None) -> List[Dict[str, Any]]:
        """Every subscription of the workspace."""
        return self._json_call(self._client._lib.lx_webhooks_list, (), timeout)

    def delete(self, subscription_id: str, *, timeout: Optional[float] = None) -> None:
        """Deletes a subscription."""
        self._plain_call(self._client._lib.lx_webhooks_delete, (_id(subscription_id),), timeout)

    def fetch(self, subscription_id: str, *, wait: bool = False,
              timeout: Optional[float] = None) -> List[Event]:
        """The next batch from the subscription's cursor (``[]``: nothing new); with
        ``wait=True`` waits until there is one. The cursor does not move: ``commit`` it."""
        lib = self._client._lib
        fn = lib.lx_webhooks_fetch_wait if wait else lib.lx_webhooks_fetch
        return self._json_call(fn, (_id(subscription_id),), timeout)

    def commit(self, subscription_id: str, next_offset: int, *,
               timeout: Optional[float] = None) -> None:
        """Moves the cursor to ``next_offset``: the offset of the last handled event plus one.
        The cursor cannot go back (``HTTPError`` 400)."""
        self._plain_call(self._client._lib.lx_webhooks_commit,
                         (_id(subscription_id), int(next_offset)), timeout)

    def events(self, subscription_id: str, *, follow: bool = False,
               timeout: Optional[float] = None) -> Iterator[Event]:
        """Yields each event of the subscription, oldest first, and commits an event once the
        loop asks for the next one: at the end of each batch, and when the loop ends (``break``,
        an exception, the generator closed), up to the event before the one the loop was in.
        So the event whose handling raised comes again on the next run, and none is skipped.
        Without ``follow`` it ends when no new events remain; with it, it waits for more
        (Ctrl-C stops it)."""
        sub = _id(subscription_id).decode("utf-8")
        while batch := _Batch(self.fetch(sub, wait=follow, timeout=timeout)):
            try:
                yield from batch
            finally:
                if batch.next_offset is not None:
                    self.commit(sub, batch.next_offset, timeout=timeout)

    def consume(self, subscription_id: str, handler: Callable[[Event], Any], *,
                follow: bool = False, timeout: Optional[float] = None) -> int:
        """Runs ``handler(event)`` on every event (see ``events``); returns how many it
        handled. An exception from ``handler`` propagates after the events before it were
        committed."""
        n = 0
        for event in self.events(subscription_id, follow=follow, timeout=timeout):
            handler(event)
            n += 1
        return n


class AsyncWebhooks:
    """The PULL webhooks of an ``AsyncClient`` (``client.webhooks``): the calls of
    ``Webhooks`` as coroutines. Each runs the library's blocking call on a worker thread
    with its own cancel handle (``AsyncClient._off_loop``): cancelling the task cancels the
    call within milliseconds."""

    def __init__(self, client: "AsyncClient") -> None:
        self._client = client

    async def _call(self, name: str, pre: Tuple[Any, ...], returns_json: bool,
                    timeout: Optional[float]) -> Any:
        client = self._client
        lib = client._lib
        out = ctypes.c_void_p()
        size = ctypes.c_size_t()
        err = ctypes.c_void_p()
        post = ((ctypes.byref(out), ctypes.byref(size), ctypes.byref(err)) if returns_json
                else (ctypes.byref(err),))
        status = await client._off_loop(getattr(lib, name), pre, post, (out, err), timeout)
        client._check(status, err)
        if not returns_json:
            return None
        return _json.loads(take_text(lib, out, size.value))

    async def create(self, tag_sets: Sequence[Sequence[str]], *, identifier: Optional[str] = None,
                     payload_mode: str = "DEFAULT", workspace_id: Optional[str] = None,
                     workspace_constraint: Optional[str] = None,
                     timeout: Optional[float] = None) -> Dict[str, Any]:
        """See ``Webhooks.create``."""
        spec = _spec(tag_sets, identifier, payload_mode, workspace_id, workspace_constraint)
        return await self._call("lx_webhooks_create", (spec,), True, timeout)

    async def list(self, *, timeout: Optional[float] = None) -> List[Dict[str, Any]]:
        """See ``Webhooks.list``."""
        return await self._call("lx_webhooks_list", (), True, timeout)

    async def delete(self, subscription_id: str, *, timeout: Optional[float] = None) -> None:
        """See ``Webhooks.delete``."""
        await self._call("lx_webhooks_delete", (_id(subscription_id),), False, timeout)

    async def fetch(self, subscription_id: str, *, wait: bool = False,
                    timeout: Optional[float] = None) -> List[Event]:
        """See ``Webhooks.fetch``."""
        name = "lx_webhooks_fetch_wait" if wait else "lx_webhooks_fetch"
        return await self._call(name, (_id(subscription_id),), True, timeout)

    async def commit(self, subscription_id: str, next_offset: int, *,
                     timeout: Optional[float] = None) -> None:
        """See ``Webhooks.commit``."""
        await self._call("lx_webhooks_commit", (_id(subscription_id), int(next_offset)), False,
                         timeout)

    async def events(self, subscription_id: str, *, follow: bool = False,
                     timeout: Optional[float] = None) -> AsyncIterator[Event]:
        """``async for event in client.webhooks.events(sub, follow=True)``: see
        ``Webhooks.events``. An async generator left by ``break`` or an exception commits when
        it is closed: wrap it in ``contextlib.aclosing`` for that to happen at once."""
        sub = _id(subscription_id).decode("utf-8")
        while batch := _Batch(await self.fetch(sub, wait=follow, timeout=timeout)):
            try:
                for event in batch:
                    yield event
            finally:
                if batch.next_offset is not None:
                    await self.commit(sub, batch.next_offset, timeout=timeout)


__all__ = ["Webhooks", "AsyncWebhooks"]
