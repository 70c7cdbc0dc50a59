"""``AsyncClient``: asyncio calls on the library's asynchronous completion.

A call starts with ``lx_request_start`` / ``lx_graphql_start`` and returns at once; no Python
thread waits for it and no executor is involved. The library runs it on its own I/O threads
(2 to 4 per process, shared by every call) and calls ``COMPLETION``, one ctypes thunk for the
process, exactly once, on one of those threads: the thunk only hands the owned response or
error to the call's event loop (``loop.call_soon_threadsafe``, once for all the completions
that arrive before the loop runs); everything else (copying the answer, building the
exception, freeing the native objects) happens on the loop.

Cancelling the awaiting task (``task.cancel()``, ``asyncio.wait_for``, ``asyncio.timeout``)
fires the call's ``lx_cancel``: the native call ends within milliseconds (an attempt in flight
is abandoned, which the server sees as the client hanging up) and its completion still runs,
only to free what it was given. Each call has its own cancel handle; handles whose call
ended without firing are kept for later calls.

The few calls the C ABI has no asynchronous form of (the PULL webhooks, ``claims()``,
``api_origin()``) run their blocking form on a worker thread of the loop's default executor
(``AsyncClient._off_loop``), each with a cancel handle of its own.
"""

from __future__ import annotations

import asyncio
import collections
import ctypes
import itertools
import json as _json
import time
import weakref
from typing import TYPE_CHECKING, Any, AsyncIterator, Callable, Dict, List, Mapping, Optional, Tuple

from . import _bindings as b
from . import _interrupt
from ._claims import Claims
from ._client import BaseClient, update_args
from ._convert import BodyArg, HeadersArg, ParamsArg, cstr, timeout_ms, with_params
from ._errors import check as _check_status
from ._library import load
from ._managed import take_string, text_at
from ._response import Response, read_response
from ._webhooks import AsyncWebhooks

if TYPE_CHECKING:  # _integration imports this module's names at run time
    from ._integration import AsyncIntegration

__all__ = ["AsyncClient"]

#: What a completion carries: a response, GraphQL ``data``, or a page of a walk (its JSON,
#: or no response after the last page).
_REQUEST, _GRAPHQL, _PAGE = 0, 1, 2


class _Call:
    __slots__ = ("client", "inbox", "future", "cancel", "kind", "check", "spare")

    def __init__(self, client: "AsyncClient", inbox: "_Inbox",
                 future: "asyncio.Future[Any]", cancel: int, kind: int,
                 check: Optional[bool], spare: bool) -> None:
        self.client = client
        self.inbox = inbox
        self.future = future
        self.cancel = cancel
        self.kind = kind
        self.check = check
        self.spare = spare  # the cancel handle is the client's (a spare), not a walk's


#: userdata id -> the call it stands for, from start to completion
_pending: Dict[int, _Call] = {}
_ids = itertools.count(1)


def _free(resp: Optional[int], err: Optional[int]) -> None:
    lib = load()
    if resp:
        lib.lx_free(resp)
    if err:
        lib.lx_free(err)


class _Inbox:
    """The completions waiting for one event loop. The library thread that delivers one only
    appends it and wakes the loop if no wake-up is pending: a completion holds the GIL for a
    few bytecodes, and one wake-up (a write to the loop's self-pipe) serves every completion
    that arrives before the loop drains them."""

    __slots__ = ("loop", "items", "scheduled")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.items: "collections.deque[Tuple[_Call, int, Optional[int], Optional[int]]]" = (
            collections.deque())
        self.scheduled = False

    def put(self, item: Tuple[_Call, int, Optional[int], Optional[int]]) -> None:
        self.items.append(item)
        if not self.scheduled:
            self.scheduled = True
            self.loop.call_soon_threadsafe(self.drain)

    def drain(self) -> None:
        self.scheduled = False
        items = self.items
        while items:
            call, status, resp, err = items.popleft()
            call.client._settle(call, status, resp, err)


_inboxes: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Inbox]" = (
    weakref.WeakKeyDictionary())


def _inbox(loop: asyncio.AbstractEventLoop) -> _Inbox:
    box = _inboxes.get(loop)
    if box is None:
        box = _inboxes[loop] = _Inbox(loop)
    return box


def _on_complete(userdata: Optional[int], status: int, resp: Optional[int],
                 err: Optional[int]) -> None:
    # On a library I/O thread, exactly once per started call. Nothing may unwind from here.
    try:
        call = _pending.pop(userdata or 0, None)
        if call is None:
            _free(resp, err)
            return
        try:
            call.inbox.put((call, status, resp, err))
        except RuntimeError:  # the loop is closed: nobody is waiting any more
            _free(resp, err)
    except BaseException:  # noqa: BLE001
        pass


#: The one completion thunk the library is given, for the life of the process.
COMPLETION = b.lx_completion_callback(_on_complete)


def drain_at_exit(seconds: float = 2.0) -> None:
    """At interpreter exit, after the clients were freed: waits (briefly) for the completions
    of the calls that freeing cancelled, so that none runs into a finalizing interpreter."""
    deadline = time.monotonic() + seconds
    while _pending and time.monotonic() < deadline:
        time.sleep(0.002)


class AsyncClient(BaseClient):
    """The asyncio client: the same options, token cache, retries, deadlines and exceptions
    as ``Client``, with calls that are awaited instead of blocking a thread.

        async with leanix.AsyncClient("acme.leanix.net", api_token) as client:
            r = await client.get("/services/pathfinder/v1/factSheets", params={"pageSize": 10})
            data = await client.graphql("{ allFactSheets { totalCount } }")
            async for page in client.graphql_pages(query):
                ...

    Any number of calls may be in flight at once (``asyncio.gather``); they share one access
    token (a cold start makes one exchange) and the library's I/O threads: no thread per call.
    Cancelling a task cancels its native call. ``timeout=`` (seconds) is
    the deadline of a call; ``asyncio.wait_for`` works too. Closing the client (``aclose()``, the end of
    ``async with``) makes calls in flight raise ``leanix.CancelledError``.

    Threads: calls may be made from any event loop (each call answers on the loop that made
    it). ``on_event`` callbacks run on library threads (retry and pacing events too, since
    the library drives these calls), never on the loop: hand results over with
    ``loop.call_soon_threadsafe``.
    """

    _opts: Optional[_interrupt.CallOptions] = None

    async def __aenter__(self) -> "AsyncClient":
        self._handle()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Closes the client (as ``close()``): calls in flight raise ``CancelledError``."""
        self.close()

    def close(self) -> None:
        """Releases the client. Idempotent. Calls in flight end at once with
        ``CancelledError``; later calls raise ``ClosedError``."""
        super().close()
        spare: List[int] = self.__dict__.get("_spare_cancels", [])
        self.__dict__["_spare_cancels"] = []
        for cancel in spare:
            self._lib.lx_free(cancel)
        if self._opts is not None:
            self._opts.free()
            self._opts = None

    # -- the one way an asynchronous call is made --------------------------------------------

    def _take_cancel(self) -> int:
        spare = self.__dict__.setdefault("_spare_cancels", [])
        if spare:
            return int(spare.pop())
        cancel = ctypes.c_void_p()
        err = ctypes.c_void_p()
        self._check(self._lib.lx_cancel_new(ctypes.byref(cancel), ctypes.byref(err)), err)
        return cancel.value or 0

    def _give_back(self, cancel: int) -> None:
        spare: List[int] = self.__dict__.setdefault("_spare_cancels", [])
        if self._ptr is not None and len(spare) < 256:
            spare.append(cancel)
        else:
            self._lib.lx_free(cancel)

    def _options_for(self, timeout: Optional[float], operation: Optional[bytes],
                     cancel: int, clash_retries: int = _interrupt.DEFAULT_CLASH_RETRIES) -> int:
        # One lx_call_options per client, set right before each start on the loop's thread:
        # each call copies what it needs when it starts.
        opts = self._opts
        if opts is None:
            opts = self._opts = _interrupt.CallOptions(self._lib)
        opts.set(0 if timeout is None else timeout_ms(timeout), operation, clash_retries)
        opts.attach(cancel)
        return opts.handle

    async def _call(self, start: Callable[..., int], args: Tuple[Any, ...],
                    timeout: Optional[float], operation: Optional[bytes], kind: int,
                    check: Optional[bool],
                    clash_retries: int = _interrupt.DEFAULT_CLASH_RETRIES) -> Any:
        ptr = self._handle()
        cancel = self._take_cancel()
        try:
            options = self._options_for(timeout, operation, cancel, clash_retries)
        except BaseException:
            self._give_back(cancel)
            raise
        return await self._started(start, (ptr, *args, options), cancel, kind, check,
                                   spare=True)

    async def _started(self, start: Callable[..., int], args: Tuple[Any, ...], cancel: int,
                       kind: int, check: Optional[bool], spare: bool) -> Any:
        """Starts ``start(*args, COMPLETION, uid, &err)`` and awaits its completion;
        ``cancel`` is the handle in the call's options (a spare of the client's, given back
        after the call, or one that a walk owns)."""
        loop = asyncio.get_running_loop()
        lib = self._lib
        future: "asyncio.Future[Any]" = loop.create_future()
        uid = next(_ids)
        _pending[uid] = _Call(self, _inbox(loop), future, cancel, kind, check, spare)
        err = ctypes.c_void_p()
        status = start(*args, COMPLETION, uid, ctypes.byref(err))
        if status != b.LX_OK:  # not started: the completion never runs
            del _pending[uid]
            if spare:
                self._give_back(cancel)
            raise self._error(status, err)
        try:
            return await future
        except asyncio.CancelledError:
            # The task was cancelled: end the native call. (If the answer had already been
            # handed over, the handle went back to the spares and must not fire.)
            if not future.done():
                future.cancel()
            if future.cancelled():
                lib.lx_cancel_fire(cancel)
            raise

    async def _off_loop(self, fn: Any, pre: Tuple[Any, ...], post: Tuple[Any, ...],
                        owned: Tuple[ctypes.c_void_p, ...], timeout: Optional[float] = None
                        ) -> int:
        """Runs a blocking call of the library that has no asynchronous form,
        ``fn(client, *pre, options, *post)``, on a worker thread of the loop's default
        executor, and returns its status; ``owned`` are the out-parameters of what it hands
        over (freed here if nobody takes them).

        ``options`` are the call's own: its deadline (``timeout``) and a cancel handle of its
        own, which cancelling the task fires: the call ends within milliseconds, and the task
        raises ``CancelledError`` once it has."""
        lib = self._lib
        ptr = self._handle()
        opts = _interrupt.CallOptions(lib)
        try:
            opts.set(0 if timeout is None else timeout_ms(timeout))
            cancel = opts.ensure_cancel()
        except BaseException:
            opts.free()
            raise
        args: Tuple[Any, ...] = (ptr, *pre, opts.handle, *post)

        def release(_: Any = None) -> None:
            opts.free()  # only once the call has ended: it uses them until then

        def abandon(_: Any) -> None:
            for out in owned:
                lib.lx_free(out.value)
            release()

        future = asyncio.get_running_loop().run_in_executor(None, lambda: int(fn(*args)))
        abandoned = False
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            abandoned = True
            future.add_done_callback(abandon)
            lib.lx_cancel_fire(cancel)
            await asyncio.wait([future])  # milliseconds: the call is over when this raises
            raise
        finally:
            if not abandoned:
                release()

    async def _owned_string(self, fn: Any) -> bytes:
        """The owned string of ``fn(client, options, &out, &err)`` (``lx_claims_json_with``,
        ``lx_api_origin_with``), called off the loop with a cancel handle (``_off_loop``)."""
        out = ctypes.c_void_p()
        err = ctypes.c_void_p()
        status = await self._off_loop(fn, (), (ctypes.byref(out), ctypes.byref(err)),
                                      (out, err))
        self._check(status, err)
        return take_string(self._lib, out)

    def _settle(self, call: _Call, status: int, resp: Optional[int],
                err: Optional[int]) -> None:
        # On the loop of the call, for its completion.
        future = call.future
        if future.done():  # the task was cancelled and fired the handle
            _free(resp, err)
            if call.spare:
                self._lib.lx_free(call.cancel)
            return
        if call.spare:
            self._give_back(call.cancel)
        try:
            if status == b.LX_OK:
                if call.kind == _PAGE:
                    result: Any = None if not resp else _json.loads(_body_text(self._lib, resp))
                elif call.kind == _GRAPHQL:
                    result = _json.loads(_body_text(self._lib, resp or 0))
                else:
                    result = read_response(self._lib, resp or 0)
                future.set_result(result)
                return
            error = self._error(status, err or 0)
            if call.kind == _REQUEST:
                future.set_result(self._outcome(error, call.check))
            else:
                future.set_exception(error)
        except BaseException as e:  # noqa: BLE001 - the awaiting task gets it
            if not future.done():
                future.set_exception(e)

    # -- calls -----------------------------------------------------------------------------

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: ParamsArg = None,
        json: Any = None,
        data: BodyArg = None,
        headers: HeadersArg = None,
        timeout: Optional[float] = None,
        retry_safe: bool = False,
        check: Optional[bool] = None,
    ) -> Response:
        """Any request; the arguments, the answer and the exceptions are those of
        ``Client.request``."""
        method_c, path_c, block, body, flags = self._request_args(
            method, path, params, json, data, headers, retry_safe)
        return await self._call(  # type: ignore[no-any-return]
            self._lib.lx_request_start,
            (method_c, path_c, block or None, len(block), body or None, len(body), flags),
            timeout, None, _REQUEST, check)

    async def get(self, path: str, *, params: ParamsArg = None, headers: HeadersArg = None,
                  timeout: Optional[float] = None, check: Optional[bool] = None) -> Response:
        """``GET path``; see ``request``."""
        return await self.request("GET", path, params=params, headers=headers,
                                  timeout=timeout, check=check)

    async def post(self, path: str, **kwargs: Any) -> Response:
        """``request("POST", path, ...)``."""
        return await self.request("POST", path, **kwargs)

    async def put(self, path: str, **kwargs: Any) -> Response:
        """``request("PUT", path, ...)``."""
        return await self.request("PUT", path, **kwargs)

    async def patch(self, path: str, **kwargs: Any) -> Response:
        """``request("PATCH", path, ...)``."""
        return await self.request("PATCH", path, **kwargs)

    async def delete(self, path: str, **kwargs: Any) -> Response:
        """``request("DELETE", path, ...)``."""
        return await self.request("DELETE", path, **kwargs)

    @property
    def integration(self) -> "AsyncIntegration":
        """The Integration API: ``await client.integration.run(ldif, test=False, wait=True,
        timeout=None)`` (see ``leanix.AsyncIntegration.run``), and ``await client.integration.wait(run_id,
        timeout=None)`` for a run started already (``leanix.AsyncIntegration.wait``)."""
        from ._integration import AsyncIntegration

        return AsyncIntegration(self)

    async def update_fact_sheet(self, id: str, patches: List[Mapping[str, Any]], *,
                                comment: Optional[str] = None, validate_only: bool = False,
                                revision_clash_retries: Optional[int] = None,
                                timeout: Optional[float] = None) -> Dict[str, Any]:
        """``Client.update_fact_sheet`` without blocking the event loop
        (``lx_update_fact_sheet_start``): the ``rev`` read, the ``REVISION_CLASH`` retries,
        the answer and the exceptions are the same. Cancelling the task cancels the write in
        flight (a write the server already stored stays stored)."""
        args = update_args(id, patches, comment, validate_only)
        retries = _interrupt.clash_retries(revision_clash_retries)
        result: Dict[str, Any] = await self._call(self._lib.lx_update_fact_sheet_start, args,
                                                  timeout, None, _GRAPHQL, None, retries)
        return result

    async def graphql(self, query: str, variables: Optional[Mapping[str, Any]] = None, *,
                      operation_name: Optional[str] = None,
                      timeout: Optional[float] = None) -> Any:
        """Runs a GraphQL query or mutation; returns its ``data``. As ``Client.graphql``."""
        query_c, vars_c = self._graphql_args(query, variables)
        return await self._call(self._lib.lx_graphql_start, (query_c, vars_c), timeout,
                                _interrupt.operation(operation_name), _GRAPHQL, None)

    def graphql_pages(self, query: str, variables: Optional[Mapping[str, Any]] = None, *,
                      operation_name: Optional[str] = None,
                      timeout: Optional[float] = None) -> AsyncIterator[Any]:
        """An async iterator over the ``data`` of each page of a cursor-paged query, paged
        inside the library (``lx_graphql_pages_next_start``): a page is fetched only when the
        previous one was consumed, so at most one page is held. The rule and its exceptions
        are those of ``Client.graphql_pages``; ``timeout`` is the deadline of each page's
        call; cancelling the task cancels the page in flight and ends the walk."""
        query_c, vars_c = self._graphql_args(query, variables)
        return self._walk(query_c, vars_c, _interrupt.operation(operation_name), timeout,
                          rest=False)

    def rest_pages(self, path: str, *, params: ParamsArg = None,
                   timeout: Optional[float] = None) -> AsyncIterator[Any]:
        """An async iterator over the whole JSON document of each page of a paged REST list
        (``lx_rest_pages_next_start``), one page held at a time. The rule and its exceptions
        are those of ``Client.rest_pages``; ``timeout`` is the deadline of each page's call."""
        path_c = cstr(with_params(path, params), "path")
        return self._walk(path_c, None, None, timeout, rest=True)

    async def rest_all_data(self, path: str, *, params: ParamsArg = None,
                            timeout: Optional[float] = None) -> List[Any]:
        """The ``data`` items of every page of a paged REST list, in order, as one list (the
        rule of ``rest_pages``). It holds every item: for large exports iterate
        ``rest_pages`` instead."""
        items: List[Any] = []
        async for page in self.rest_pages(path, params=params, timeout=timeout):
            items.extend(page["data"])
        return items

    async def _walk(self, query_c: bytes, vars_c: Optional[bytes], op: Optional[bytes],
                    timeout: Optional[float], rest: bool) -> AsyncIterator[Any]:
        """A page walk of the library, GraphQL (``query_c``, ``vars_c``) or REST (``rest``:
        ``query_c`` is the path), one ``*_next_start`` per page."""
        lib = self._lib
        start = lib.lx_rest_pages_next_start if rest else lib.lx_graphql_pages_next_start
        with self._opened_walk(query_c, vars_c, op, timeout, rest) as (pages, cancel):
            while True:
                page = await self._started(start, (pages,), cancel, _PAGE, None,
                                           spare=False)
                if page is None:
                    return
                yield page
                del page  # hold no page while the next one is fetched

    async def claims(self) -> Optional[Claims]:
        """``await client.claims()``: the decoded (not verified) claims of a current access
        token, as ``Client.claims``, or ``None`` if the token is opaque (not a JWT).

        With a current token it answers at once; otherwise it waits for the token exchange
        (one for all the calls that need it) on a worker thread of the loop's default
        executor, never blocking the loop. Cancelling the task ends the native call within
        milliseconds (and frees the worker thread); an exchange it started goes on for the
        client's other calls."""
        return Claims.parse(await self._owned_string(self._lib.lx_claims_json_with))

    async def api_origin(self) -> str:
        """``await client.api_origin()``: the origin API calls go to now, as
        ``Client.api_origin``. It may wait for a token exchange, like ``claims()`` and with
        the same cancellation."""
        return (await self._owned_string(self._lib.lx_api_origin_with)).decode("utf-8")

    @property
    def webhooks(self) -> AsyncWebhooks:
        """The PULL webhooks of this client, as coroutines, and
        ``async for event in client.webhooks.events(sub_id, follow=True)``."""
        return AsyncWebhooks(self)


def _body_text(lib: Any, resp: int) -> str:
    """The body of an owned lx_response (GraphQL ``data``) as a str, decoded in place; frees
    the response."""
    try:
        data = ctypes.c_void_p()
        size = ctypes.c_size_t()
        err = ctypes.c_void_p()
        _check_status(lib, lib.lx_response_body(resp, ctypes.byref(data), ctypes.byref(size)),
                      err)
        return text_at(data.value or 0, size.value)
    finally:
        lib.lx_free(resp)
