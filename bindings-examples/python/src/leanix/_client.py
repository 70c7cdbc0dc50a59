"""The Client: calls on one lx_client."""

from __future__ import annotations

import atexit
import ctypes
import json as _json
import os
from typing import Any, Iterator, List, Mapping, Optional, Union

from . import _bindings as b
from . import _events, _managed, _options, _paging
from ._claims import Claims
from ._convert import BodyArg, HeadersArg, cstr, header_block, header_lines, request_body
from ._errors import InvalidResponseError
from ._events import EventCallback
from ._library import load
from ._managed import Managed, take_string
from ._response import Response, read_response

__all__ = ["Client"]

PathLike = Union[str, "os.PathLike[str]"]


class Client(Managed):
    """A LeanIX API client: exchanges the API token, caches and refreshes the access token,
    retries, and makes authenticated calls.

    ``Client(host=None, api_token=None, **options)``: ``None`` reads ``LEANIX_HOST`` /
    ``LEANIX_API_TOKEN``. Close it with ``close()`` or a ``with`` block.

    Threads: share one client between all threads. They share its access token (a cold start
    with many threads makes one token exchange). Each call runs on the thread that makes it,
    with that thread's own connection to LeanIX (connection pools are per calling thread), and
    ctypes releases the GIL meanwhile, so threads really run in parallel. The token exchange
    runs on one of the library's threads. See ``leanix.EventCallback`` for the threads events
    are called on. After ``fork()`` the parent's client raises ``ForkedError`` in the child.
    """

    def __init__(
        self,
        host: Optional[str] = None,
        api_token: Optional[str] = None,
        *,
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
        on_event: Optional[EventCallback] = None,
        raw_options: Optional[Mapping[str, str]] = None,
    ) -> None:
        # The keyword names above are for IDEs and type checkers; what they mean, their keys
        # and conversions come from _options.OPTIONS (a test keeps the two in step).
        given = locals()
        values = {name: given[name] for name in _options.NAMES}
        self._callback_id = 0
        self._host = host if host is not None else os.environ.get("LEANIX_HOST")
        self._pid = os.getpid()
        super().__init__(load())
        pairs = _options.settings(host, api_token, values, raw_options)
        if on_event is not None and not callable(on_event):
            raise TypeError("on_event must be callable")
        if on_event is not None:
            self._callback_id = _events.register(on_event)
        try:
            ptr = _options.build_client(self._lib, pairs, self._callback_id)
        except BaseException:
            _events.unregister(self._callback_id)
            raise
        self._adopt(ptr)

    # -- lifecycle -------------------------------------------------------------------------

    def close(self) -> None:
        """Releases the client. Idempotent. Calls other threads are making on it end at once
        with ``CancelledError``; later calls raise ``ClosedError``.

        The native handle is freed only after every call in flight has returned
        (``lx_client_close`` first, then ``lx_free``), so no call can reach another object that
        the library later places at the same address."""
        super().close()

    def _cancel(self, ptr: int) -> None:
        self._lib.lx_client_close(ptr, None)

    def _released(self) -> None:
        cid = getattr(self, "_callback_id", 0)
        if cid:
            _events.unregister(cid)

    def __enter__(self) -> "Client":
        self._handle()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._ptr is None else "open"
        return f"<leanix.Client host={self._host!r} {state}>"

    def __getstate__(self) -> None:
        raise TypeError("a leanix.Client cannot be pickled; create one in each process")

    # -- calls -----------------------------------------------------------------------------

    def get(self, path: str) -> Response:
        """``GET path`` (with optional query string). Raises a ``LeanixError`` on failure,
        including any non-2xx answer."""
        path_c = cstr(path, "path")
        resp = ctypes.c_void_p()
        err = ctypes.c_void_p()
        self._check(self._call(self._lib.lx_get, path_c, ctypes.byref(resp),
                               ctypes.byref(err)), err)
        return read_response(self._lib, resp)

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        data: BodyArg = None,
        headers: HeadersArg = None,
        retry_safe: bool = False,
    ) -> Response:
        """Any request. ``json`` (serialised, ``Content-Type: application/json``) or ``data``
        (bytes, binary-safe; str is sent as UTF-8) is the body. ``headers``: a mapping or
        (name, value) pairs; ``Authorization`` and ``Host`` are refused. ``retry_safe=True``
        lets a non-idempotent request be retried on 429/502/503/504 and connection errors."""
        if json is not None and data is not None:
            raise TypeError("pass json= or data=, not both")
        lines = header_lines(headers)
        body = request_body(json, data, lines)
        block = header_block(lines)
        method_c = cstr(method, "method")
        path_c = cstr(path, "path")
        resp = ctypes.c_void_p()
        err = ctypes.c_void_p()
        status = self._call(
            self._lib.lx_request,
            method_c,
            path_c,
            block or None,
            len(block),
            body or None,
            len(body),
            b.LX_REQUEST_RETRY_SAFE if retry_safe else b.LX_REQUEST_DEFAULT,
            ctypes.byref(resp),
            ctypes.byref(err),
        )
        self._check(status, err)
        return read_response(self._lib, resp)

    def post(self, path: str, **kwargs: Any) -> Response:
        """``request("POST", path, ...)``."""
        return self.request("POST", path, **kwargs)

    def _graphql_call(self, fn: Any, query: str, variables: Optional[Mapping[str, Any]]) -> Any:
        query_c = cstr(query, "query")
        vars_c = None
        if variables is not None:
            if not isinstance(variables, Mapping):
                raise TypeError("variables must be a mapping")
            vars_c = cstr(_json.dumps(dict(variables)), "variables")
        out = ctypes.c_void_p()
        size = ctypes.c_size_t()
        err = ctypes.c_void_p()
        status = self._call(fn, query_c, vars_c, ctypes.byref(out), ctypes.byref(size),
                            ctypes.byref(err))
        self._check(status, err)
        return _json.loads(take_string(self._lib, out, size.value))

    def graphql(self, query: str, variables: Optional[Mapping[str, Any]] = None) -> Any:
        """Runs a GraphQL query or mutation; returns its ``data`` (a dict). A response with
        ``errors`` raises ``GraphQLError``."""
        return self._graphql_call(self._lib.lx_graphql, query, variables)

    def graphql_pages(
        self, query: str, variables: Optional[Mapping[str, Any]] = None
    ) -> Iterator[Any]:
        """Yields the ``data`` of every page of a cursor-paged query. The query takes the
        cursor as ``$after`` and selects ``pageInfo { hasNextPage endCursor }`` on its
        connection; paging stops when ``hasNextPage`` is false."""
        return _paging.pages(lambda page_vars: self.graphql(query, page_vars), variables)

    def graphql_all_edges(
        self, query: str, variables: Optional[Mapping[str, Any]] = None
    ) -> List[Any]:
        """The ``edges`` of every page of a cursor-paged query as one list (paged inside the
        library, see ``lx_graphql_all``)."""
        edges = self._graphql_call(self._lib.lx_graphql_all, query, variables)
        if not isinstance(edges, list):
            raise InvalidResponseError("lx_graphql_all did not return a JSON array")
        return edges

    @property
    def access_token(self) -> str:
        """A current access token (exchanging one if needed). Treat it as a secret."""
        out = ctypes.c_void_p()
        err = ctypes.c_void_p()
        self._check(self._call(self._lib.lx_access_token, ctypes.byref(out),
                               ctypes.byref(err)), err)
        return take_string(self._lib, out).decode("utf-8")

    @property
    def claims(self) -> Optional[Claims]:
        """The decoded (not verified) claims of a current access token, or ``None`` if the
        token is opaque (not a JWT)."""
        out = ctypes.c_void_p()
        err = ctypes.c_void_p()
        self._check(self._call(self._lib.lx_claims_json, ctypes.byref(out),
                               ctypes.byref(err)), err)
        raw = _json.loads(take_string(self._lib, out))
        return Claims(raw) if isinstance(raw, dict) else None


# The option list of the docstring comes from the table, like everything else about options.
Client.__doc__ = "\n".join(
    [(Client.__doc__ or "").rstrip(), ""]
    + [("    " + line).rstrip() for line in _options.describe().splitlines()]
)


@atexit.register
def _close_all() -> None:
    # Clients still open at interpreter exit are closed first, so that no background refresh
    # calls into a finalizing interpreter; then events are dropped.
    _managed.close_all()
    _events.shut_down()
