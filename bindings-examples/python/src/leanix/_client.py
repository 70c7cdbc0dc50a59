"""The clients' common part (``BaseClient``: options, arguments) and the blocking ``Client``."""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import json as _json
import os
from typing import TYPE_CHECKING, Any, Dict, Iterable, Iterator, List, Mapping, Optional, Tuple, Union

from . import _bindings as b
from . import _events, _interrupt, _managed, _options
from ._claims import Claims
from ._convert import (BodyArg, HeadersArg, ParamsArg, cstr, header_block, header_lines,
                       request_body, timeout_ms, with_params)
from ._errors import InvalidResponseError, LeanixError
from ._events import EventCallback
from ._library import load
from ._managed import Managed, take_string, take_text
from ._response import Response, failed_response, read_response
from ._webhooks import Webhooks

if TYPE_CHECKING:  # (imported when used: _integration imports this module's helpers)
    from ._integration import Integration

__all__ = ["BaseClient", "Client"]

PathLike = Union[str, "os.PathLike[str]"]
Request = Tuple[bytes, bytes, bytes, bytes, int]


class _DocFromLibrary(type):
    """Gives a client class a docstring with the option table and the library's defaults,
    generated on first use (``import leanix`` does not load the library)."""

    @property
    def __doc__(cls) -> Optional[str]:  # type: ignore[override]
        cached = cls.__dict__.get("_doc_cache")
        if cached is None:
            try:
                lib: Any = load()
            except Exception:  # noqa: BLE001 - no library: the table without defaults
                lib = None
            base = (cls.__dict__.get("__doc__") or "").rstrip()
            cached = "\n".join([base, ""] + [("    " + line).rstrip()
                                             for line in _options.describe(lib).splitlines()])
            type.__setattr__(cls, "_doc_cache", cached)
        return cached


class BaseClient(Managed, metaclass=_DocFromLibrary):
    """What ``Client`` and ``AsyncClient`` share: building the lx_client from the options, and
    turning call arguments into what the C ABI takes."""

    def __init__(
        self,
        host: Optional[str] = None,
        api_token: Optional[str] = None,
        *,
        insecure_loopback: Optional[bool] = None,
        allow_insecure_loopback: Optional[bool] = None,
        connect_timeout: Optional[float] = None,
        token_timeout: Optional[float] = None,
        request_timeout: Optional[float] = None,
        proxy: Optional[str] = None,
        ca_file: Optional[PathLike] = None,
        ca_pem: Union[str, bytes, None] = None,
        user_agent: Optional[str] = None,
        max_attempts: Optional[int] = None,
        token_attempts: Optional[int] = None,
        retry_base_delay: Optional[float] = None,
        retry_max_delay: Optional[float] = None,
        max_retry_after: Optional[float] = None,
        refresh_ahead: Optional[float] = None,
        refresh_on_expiry_only: Optional[bool] = None,
        invalid_credentials_ttl: Optional[float] = None,
        failed_refresh_backoff: Optional[float] = None,
        expiry_margin: Optional[float] = None,
        max_response_bytes: Optional[int] = None,
        adaptive_pacing: Optional[bool] = None,
        max_requests_per_minute: Optional[int] = None,
        reauth_interval: Optional[float] = None,
        max_pages: Optional[int] = None,
        token_cache: Union[bool, PathLike, None] = None,
        route_by_instance_url: Optional[bool] = None,
        allowed_instance_hosts: Union[str, Iterable[str], None] = None,
        on_event: Optional[EventCallback] = None,
        check: bool = True,
        raw_options: Optional[Mapping[str, str]] = None,
    ) -> None:
        # The keyword names above are for IDEs and type checkers; what they mean, their keys
        # and conversions come from _options.OPTIONS (a test keeps the two in step).
        given = locals()
        values = {name: given[name] for name in _options.NAMES}
        self._callback_id = 0
        self._host = host if host is not None else os.environ.get("LEANIX_HOST")
        self._check_default = bool(check)
        super().__init__(load())
        pairs = _options.settings(host, api_token, values, raw_options)
        if on_event is not None and not callable(on_event):
            raise TypeError("on_event must be callable")
        # Every client has an entry: events always reach the `leanix` logger.
        self._callback_id = _events.register(on_event)
        try:
            ptr = _options.build_client(self._lib, pairs, self._callback_id)
        except BaseException:
            _events.unregister(self._callback_id)
            raise
        self._adopt(ptr)

    # -- lifecycle -------------------------------------------------------------------------

    def _released(self) -> None:
        cid = getattr(self, "_callback_id", 0)
        if cid:
            _events.unregister(cid)

    def __repr__(self) -> str:
        state = "closed" if self._ptr is None else "open"
        return f"<leanix.{type(self).__name__} host={self._host!r} {state}>"

    def __getstate__(self) -> None:
        raise TypeError(f"a leanix.{type(self).__name__} cannot be pickled; "
                        "create one in each process")

    # -- arguments -------------------------------------------------------------------------

    @staticmethod
    def _request_args(method: str, path: Union[str, bytes], params: ParamsArg, json: Any,
                      data: BodyArg, headers: HeadersArg, retry_safe: bool) -> Request:
        """(method, path, header block, body, flags) for lx_request_with/_start, checked."""
        if json is not None and data is not None:
            raise TypeError("pass json= or data=, not both")
        lines = header_lines(headers)
        body = request_body(json, data, lines)
        return (cstr(method, "method"), cstr(with_params(path, params), "path"),
                header_block(lines), body,
                b.LX_REQUEST_RETRY_SAFE if retry_safe else b.LX_REQUEST_DEFAULT)

    @staticmethod
    def _graphql_args(query: str, variables: Optional[Mapping[str, Any]]
                      ) -> Tuple[bytes, Optional[bytes]]:
        query_c = cstr(query, "query")
        if variables is None:
            return query_c, None
        if not isinstance(variables, Mapping):
            raise TypeError("variables must be a mapping")
        return query_c, cstr(_json.dumps(dict(variables)), "variables")

    def _outcome(self, error: LeanixError, check: Optional[bool]) -> Response:
        """With ``check`` off (per call, else the client's default), the answer of a failed
        call instead of its exception."""
        if not (self._check_default if check is None else check):
            resp = failed_response(error)
            if resp is not None:
                return resp
        raise error

    @contextlib.contextmanager
    def _opened_walk(self, query_c: bytes, vars_c: Optional[bytes], op: Optional[bytes],
                     timeout: Optional[float], rest: bool) -> Iterator[Tuple[int, int]]:
        """A new page walk of the library (``lx_graphql_pages_new``, or for ``rest``
        ``lx_rest_pages_new`` with ``query_c`` the path) with its own call options: yields
        the walk's handle and the cancel handle of its options, and frees both at the end.
        The options are copied when the walk is made, so their cancel handle is in the walk
        from the start."""
        lib = self._lib
        opts = _interrupt.CallOptions(lib)
        walk = ctypes.c_void_p()
        try:
            opts.set(0 if timeout is None else timeout_ms(timeout), op)
            cancel = opts.ensure_cancel()
            err = ctypes.c_void_p()
            if rest:
                status = lib.lx_rest_pages_new(self._handle(), query_c, opts.handle,
                                               ctypes.byref(walk), ctypes.byref(err))
            else:
                status = lib.lx_graphql_pages_new(self._handle(), query_c, vars_c, opts.handle,
                                                  ctypes.byref(walk), ctypes.byref(err))
            self._check(status, err)
            yield walk.value or 0, cancel
        finally:
            # A walk holds its client: freeing the walk may free the client (GIL released).
            # A page still in flight (an async task was cancelled) keeps what it needs.
            lib.lx_free_releasing_gil(walk.value)
            opts.free()

    def forget_token(self) -> bool:
        """Drops the access token from memory and, with ``token_cache=``, removes the token
        file; True if a file was removed. The next call exchanges the API token. It does not
        send anything (an exchange in progress is waited for), so ``AsyncClient`` has it as a
        plain method too."""
        removed = ctypes.c_int32(0)
        err = ctypes.c_void_p()
        self._check(self._lib.lx_forget_token(self._handle(), ctypes.byref(removed),
                                              ctypes.byref(err)), err)
        return bool(removed.value)


class Client(BaseClient):
    """A LeanIX API client: exchanges the API token, caches and refreshes the access token,
    retries, and makes authenticated calls that block the calling thread.

    ``Client(host=None, api_token=None, **options)``: ``None`` reads ``LEANIX_HOST`` /
    ``LEANIX_API_TOKEN``. Close it with ``close()`` or a ``with`` block. For asyncio, use
    ``leanix.AsyncClient``.

    Every call has a deadline: ``timeout=`` (seconds) or the client's ``request_timeout``,
    covering the token exchange, every attempt and every wait between attempts; past it the
    call raises ``leanix.TimeoutError``. On the main thread, Ctrl-C cancels the call in flight
    and raises ``KeyboardInterrupt`` within milliseconds.

    Threads: share one client between all threads. They share its access token (a cold start
    with many threads makes one token exchange). Each call runs on the thread that makes it,
    with that thread's own connection to LeanIX (connection pools are per calling thread), and
    ctypes releases the GIL meanwhile, so threads really run in parallel. The token exchange
    runs on one of the library's threads. See ``leanix.EventCallback`` for the threads events
    are called on; a call made from inside ``on_event`` raises ``RecursiveCallError``. After
    ``fork()`` the parent's client raises ``ForkedError`` in the child.
    """

    def __enter__(self) -> "Client":
        self._handle()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        """Releases the client. Idempotent. Calls other threads are making on it end at once
        with ``CancelledError``; later calls raise ``ClosedError``."""
        super().close()

    # -- the one way a blocking call is made -------------------------------------------------

    def _run(self, fn: Any, pre: Tuple[Any, ...], post: Tuple[Any, ...],
             timeout: Optional[float], operation_name: Optional[bytes] = None,
             clash_retries: int = _interrupt.DEFAULT_CLASH_RETRIES) -> int:
        """``fn(client, *pre, call_options, *post)``: with NULL options when nothing is asked
        for, else this thread's reusable ones (deadline, operation name, clash retries, and on
        the main thread the cancel handle that Ctrl-C fires). Raises KeyboardInterrupt when Ctrl-C
        cancelled the call; the caller frees the out-parameters if anything is raised."""
        ptr = self._handle()
        sigint = _interrupt.wanted()
        if (timeout is None and operation_name is None and not sigint
                and clash_retries == _interrupt.DEFAULT_CLASH_RETRIES):
            return int(fn(ptr, *pre, None, *post))
        lib = self._lib
        opts = _interrupt.acquire(lib)
        try:
            opts.set(0 if timeout is None else timeout_ms(timeout), operation_name, clash_retries)
            if not sigint:
                return int(fn(ptr, *pre, opts.handle, *post))
            previous = _interrupt.arm(lib, opts.ensure_cancel())
            fired = False
            try:
                status = int(fn(ptr, *pre, opts.handle, *post))
            finally:
                fired = _interrupt.disarm(previous)
                if fired:
                    opts.drop_cancel()
            if fired and status == b.LX_ERR_CANCELLED:
                raise KeyboardInterrupt
            return status
        finally:
            _interrupt.release(opts)

    def _run_json(self, fn: Any, pre: Tuple[Any, ...], timeout: Optional[float],
                  operation_name: Optional[bytes] = None,
                  clash_retries: int = _interrupt.DEFAULT_CLASH_RETRIES) -> Any:
        """``_run`` of a call whose result is owned JSON text (``&out, &len, &err`` last):
        raises the call's error, else returns the parsed JSON."""
        lib = self._lib
        out = ctypes.c_void_p()
        size = ctypes.c_size_t()
        err = ctypes.c_void_p()
        try:
            status = self._run(fn, pre, (ctypes.byref(out), ctypes.byref(size),
                                         ctypes.byref(err)), timeout, operation_name,
                               clash_retries)
        except BaseException:
            lib.lx_free(out.value)
            lib.lx_free(err.value)
            raise
        self._check(status, err)
        return _json.loads(take_text(lib, out, size.value))

    def _run_string(self, fn: Any) -> bytes:
        """``_run`` of a call whose result is an owned string (``&out, &err`` last, no
        deadline of its own: the request timeout): raises the call's error, else returns it."""
        lib = self._lib
        out = ctypes.c_void_p()
        err = ctypes.c_void_p()
        try:
            status = self._run(fn, (), (ctypes.byref(out), ctypes.byref(err)), None)
        except BaseException:
            lib.lx_free(out.value)
            lib.lx_free(err.value)
            raise
        self._check(status, err)
        return take_string(lib, out)

    # -- calls -----------------------------------------------------------------------------

    def request(
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
        """Any request. ``params`` (a mapping or pairs) is added to the query string.
        ``json`` (serialised, ``Content-Type: application/json``) or ``data`` (bytes,
        binary-safe; str is sent as UTF-8) is the body. ``headers``: a mapping or (name,
        value) pairs; ``Authorization``, ``Host`` and framing headers are refused.
        ``timeout`` (seconds) is the deadline of the whole call (default: the client's
        ``request_timeout``). ``retry_safe=True`` lets a non-idempotent request be retried on
        transient answers (408, 500, 502, 503, 504) and connection errors; a 429 is resent
        whatever the method (the rate limit turned it away before it ran).

        A non-2xx answer raises ``HTTPError`` (or ``NotFoundError``, ``ForbiddenError``, ...)
        whose ``response`` is the answer; with ``check=False`` the answer is returned instead
        (``raise_for_status()`` raises then)."""
        method_c, path_c, block, body, flags = self._request_args(
            method, path, params, json, data, headers, retry_safe)
        resp = ctypes.c_void_p()
        err = ctypes.c_void_p()
        lib = self._lib
        try:
            status = self._run(lib.lx_request_with,
                               (method_c, path_c, block or None, len(block), body or None,
                                len(body), flags),
                               (ctypes.byref(resp), ctypes.byref(err)), timeout)
        except BaseException:
            lib.lx_free(resp.value)
            lib.lx_free(err.value)
            raise
        if status != b.LX_OK:
            return self._outcome(self._error(status, err), check)
        return read_response(lib, resp)

    def get(self, path: str, *, params: ParamsArg = None, headers: HeadersArg = None,
            timeout: Optional[float] = None, check: Optional[bool] = None) -> Response:
        """``GET path``; see ``request``."""
        return self.request("GET", path, params=params, headers=headers, timeout=timeout,
                            check=check)

    def post(self, path: str, **kwargs: Any) -> Response:
        """``request("POST", path, ...)``."""
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> Response:
        """``request("PUT", path, ...)``."""
        return self.request("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> Response:
        """``request("PATCH", path, ...)``."""
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Response:
        """``request("DELETE", path, ...)``."""
        return self.request("DELETE", path, **kwargs)

    def graphql(self, query: str, variables: Optional[Mapping[str, Any]] = None, *,
                operation_name: Optional[str] = None, timeout: Optional[float] = None) -> Any:
        """Runs a GraphQL query or mutation; returns its ``data`` (a dict). ``operation_name``
        picks the operation of a document with several. A response with ``errors`` raises
        ``GraphQLError`` (``errors``, ``error_types``, partial ``data``). Queries are retried
        on transient failures, mutations never."""
        query_c, vars_c = self._graphql_args(query, variables)
        return self._run_json(self._lib.lx_graphql_with, (query_c, vars_c), timeout,
                              _interrupt.operation(operation_name))

    def graphql_pages(self, query: str, variables: Optional[Mapping[str, Any]] = None, *,
                      operation_name: Optional[str] = None,
                      timeout: Optional[float] = None) -> Iterator[Any]:
        """Yields the ``data`` of each page of a cursor-paged query, fetching a page only when
        the previous one was consumed, so at most one page is held (``lx_graphql_pages_*``).

        The paging rule is the library's, the same on every surface: the query declares
        ``$after`` and selects ``pageInfo { hasNextPage endCursor }`` on its connection (else
        ``InvalidArgumentError`` before any request); a page without ``pageInfo``,
        ``hasNextPage`` without ``endCursor`` or a repeated cursor raise
        ``InvalidResponseError``; more than ``max_pages`` pages raise
        ``ResponseTooLargeError``. ``timeout`` is the deadline of each page's call."""
        query_c, vars_c = self._graphql_args(query, variables)
        op = _interrupt.operation(operation_name)
        self._handle()  # a closed client raises here, not at the first page
        return self._walk(query_c, vars_c, op, timeout)

    def rest_pages(self, path: str, *, params: ParamsArg = None,
                   timeout: Optional[float] = None) -> Iterator[Any]:
        """Yields the whole JSON document of each page of a paged REST list
        (``{"data": [...], "cursor": ...}``), fetching a page only when the previous one was
        consumed, so at most one page is held (``lx_rest_pages_*``).

        The paging rule is the library's, the same on every surface (``lx get --paginate``):
        Pathfinder's ``cursor`` is followed until ``"cursor": null``; when the query has
        ``page=`` (MTM's ``page``/``size``), the page number is counted up until an empty page,
        a page shorter than ``size`` or ``total`` items. A repeated cursor or a page without a
        ``data`` array raise ``InvalidResponseError``; more than ``max_pages`` pages raise
        ``ResponseTooLargeError``. ``timeout`` is the deadline of each page's call."""
        path_c = cstr(with_params(path, params), "path")
        self._handle()
        return self._walk(path_c, None, None, timeout, rest=True)

    def rest_all_data(self, path: str, *, params: ParamsArg = None,
                      timeout: Optional[float] = None) -> List[Any]:
        """The ``data`` items of every page of a paged REST list, in order, as one list (the
        rule of ``rest_pages``). It holds every item: for large exports iterate
        ``rest_pages`` instead."""
        items: List[Any] = []
        for page in self.rest_pages(path, params=params, timeout=timeout):
            items.extend(page["data"])
        return items

    def _walk(self, query_c: bytes, vars_c: Optional[bytes], op: Optional[bytes],
              timeout: Optional[float], rest: bool = False) -> Iterator[Any]:
        """A page walk: GraphQL (``query_c``, ``vars_c``), or REST (``rest``: ``query_c`` is
        the path)."""
        lib = self._lib
        next_page = lib.lx_rest_pages_next if rest else lib.lx_graphql_pages_next
        with self._opened_walk(query_c, vars_c, op, timeout, rest) as (pages, cancel):
            while True:
                out = ctypes.c_void_p()
                size = ctypes.c_size_t()
                err = ctypes.c_void_p()
                previous = _interrupt.arm(lib, cancel) if _interrupt.wanted() else None
                try:
                    status = next_page(pages, ctypes.byref(out), ctypes.byref(size),
                                       ctypes.byref(err))
                except BaseException:
                    _interrupt.disarm(previous)
                    lib.lx_free(out.value)
                    lib.lx_free(err.value)
                    raise
                if _interrupt.disarm(previous) and status == b.LX_ERR_CANCELLED:
                    lib.lx_free(err.value)
                    raise KeyboardInterrupt
                self._check(status, err)
                if not out.value:
                    return
                page = _json.loads(take_text(lib, out, size.value))
                yield page
                del page  # hold no page while the next one is fetched

    def graphql_all_edges(self, query: str, variables: Optional[Mapping[str, Any]] = None, *,
                          operation_name: Optional[str] = None,
                          timeout: Optional[float] = None) -> List[Any]:
        """The ``edges`` of every page of a cursor-paged query as one list, paged inside the
        library (``lx_graphql_all_with``, the rule of ``graphql_pages``). It holds every edge:
        for large exports iterate ``graphql_pages`` instead. ``timeout`` is the deadline of
        each page's call; Ctrl-C cancels the walk."""
        query_c, vars_c = self._graphql_args(query, variables)
        edges = self._run_json(self._lib.lx_graphql_all_with, (query_c, vars_c), timeout,
                               _interrupt.operation(operation_name))
        if not isinstance(edges, list):
            raise InvalidResponseError("lx_graphql_all_with did not return a JSON array")
        return edges

    @property
    def integration(self) -> "Integration":
        """The Integration API: ``client.integration.run(ldif, test=False, wait=True,
        timeout=None)`` (see ``leanix.Integration.run``), and ``client.integration.wait(run_id,
        timeout=None)`` for a run started already (``leanix.Integration.wait``)."""
        from ._integration import Integration

        return Integration(self)

    def update_fact_sheet(self, id: str, patches: List[Mapping[str, Any]], *,
                          comment: Optional[str] = None, validate_only: bool = False,
                          revision_clash_retries: Optional[int] = None,
                          timeout: Optional[float] = None) -> Dict[str, Any]:
        """Applies ``patches`` (``[{"op": "replace", "path": "/description", "value": ...}]``)
        to the fact sheet ``id`` with GraphQL ``updateFactSheet`` and returns the written fact
        sheet (``id``, ``rev``, ``type``, ``name``, ``displayName``, ``description``,
        ``status``). A ``value`` that is a dict or a list (``/lifecycle``, ``/tags``) is sent as
        JSON inside a string, as LeanIX wants it. ``comment`` is the change's comment (needed
        to archive: ``{"op": "replace", "path": "/status", "value": "ARCHIVED"}``).

        The ``rev`` is read first; a ``REVISION_CLASH`` (someone else saved in between) re-reads
        it once per clash and writes again, at most ``revision_clash_retries`` times (default
        ``LX_DEFAULT_REVISION_CLASH_RETRIES``, 3; 0 to 10); then, and for any other GraphQL
        error, ``GraphQLError`` is raised. ``timeout`` is the deadline of the whole write."""
        args = update_args(id, patches, comment, validate_only)
        result: Dict[str, Any] = self._run_json(self._lib.lx_update_fact_sheet, args, timeout,
                                                None, _interrupt.clash_retries(revision_clash_retries))
        return result

    @property
    def access_token(self) -> str:
        """A current access token (exchanging one if needed, within the request timeout; on
        the main thread Ctrl-C cancels the wait). Treat it as a secret."""
        return self._run_string(self._lib.lx_access_token_with).decode("utf-8")

    @property
    def webhooks(self) -> "Webhooks":
        """The PULL webhooks of this client: subscriptions, batches, commits, and
        ``for event in client.webhooks.events(sub_id, follow=True)``."""
        return Webhooks(self)

    @property
    def api_origin(self) -> str:
        """The origin API calls go to now: the access token's ``instanceUrl`` when the
        routing rule follows it (option ``route_by_instance_url``), else the configured host.
        Exchanges a token if there is none yet, as ``access_token`` does."""
        return self._run_string(self._lib.lx_api_origin_with).decode("utf-8")

    @property
    def claims(self) -> Optional[Claims]:
        """The decoded (not verified) claims of a current access token, or ``None`` if the
        token is opaque (not a JWT). Waits for an exchange as ``access_token`` does."""
        return Claims.parse(self._run_string(self._lib.lx_claims_json_with))


def defaults() -> Dict[str, Any]:
    """The library's default of every client option that has one, by keyword name, as the
    Python value (durations in seconds), e.g. ``leanix.defaults()["request_timeout"]``."""
    return _options.defaults()


@atexit.register
def _close_all() -> None:
    # Clients still open at interpreter exit are closed first, so that no background refresh
    # calls into a finalizing interpreter; then the completions of asynchronous calls they
    # cancelled are awaited (briefly), and events are dropped.
    _managed.close_all()
    from . import _async

    _async.drain_at_exit()
    _events.shut_down()
    # Then no library thread may call into the interpreter any more: a callback still running
    # (a completion's last bytecodes, an event's logging) is waited for, with the GIL released,
    # and later ones are dropped. A thread that asked for the GIL while the interpreter
    # finalizes would be ended in the middle of the library (Python 3.8-3.13 end such threads).
    load().lx_stop_callbacks()


def update_args(id: str, patches: List[Mapping[str, Any]], comment: Optional[str],
                validate_only: bool) -> Tuple[bytes, bytes, Optional[bytes], int]:
    """The C arguments of ``lx_update_fact_sheet(_start)`` before the call options: id,
    patches as JSON, comment, flags."""
    if (isinstance(patches, (str, bytes)) or not isinstance(patches, (list, tuple))
            or not all(isinstance(p, Mapping) for p in patches)):
        raise TypeError("patches must be a list of {op, path, value} mappings")
    patches_c = cstr(_json.dumps([dict(p) for p in patches]), "patches")
    comment_c = None if comment is None else cstr(comment, "comment")
    flags = b.LX_UPDATE_VALIDATE_ONLY if validate_only else b.LX_UPDATE_DEFAULT
    return cstr(id, "id"), patches_c, comment_c, flags
