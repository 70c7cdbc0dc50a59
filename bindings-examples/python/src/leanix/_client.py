"""The Client, its Response, Headers and Claims."""

from __future__ import annotations

import atexit
import ctypes
import datetime as _dt
import itertools
import json as _json
import logging
import math
import os
import re
import threading
import time
import weakref
from dataclasses import dataclass, field
from typing import (
    Any,
    Callable,
    Dict,
    Iterable,
    Iterator,
    List,
    Mapping,
    Optional,
    Tuple,
    Union,
)

from . import _bindings as b
from ._errors import (
    ClosedError,
    InvalidArgumentError,
    InvalidResponseError,
    PanicError,
    error_from_status,
)
from ._library import load

__all__ = ["Client", "Response", "Headers", "Claims", "EventCallback"]

_log = logging.getLogger("leanix")

#: ``on_event(kind, details)``: ``kind`` is one of ``"token_fetched"``, ``"token_refreshed"``,
#: ``"token_failed"``, ``"token_rejected"``, ``"retry"``; ``details`` the event's fields.
EventCallback = Callable[[str, Dict[str, Any]], None]

PathLike = Union[str, "os.PathLike[str]"]
HeadersArg = Union[Mapping[str, str], Iterable[Tuple[str, str]], None]
BodyArg = Union[bytes, bytearray, memoryview, str, None]

# --------------------------------------------------------------------------------------------
# Argument conversion


def _cstr(value: Union[str, bytes], what: str) -> bytes:
    """UTF-8 bytes for a ``const char *``; refuses NUL (ctypes would cut the string there)."""
    if isinstance(value, str):
        try:
            raw = value.encode("utf-8")
        except UnicodeEncodeError as e:
            raise InvalidArgumentError(f"{what} is not valid Unicode text ({e.reason})") from None
    elif isinstance(value, (bytes, bytearray)):
        raw = bytes(value)
    else:
        raise TypeError(f"{what} must be str, not {type(value).__name__}")
    if b"\0" in raw:
        raise InvalidArgumentError(f"{what} contains a NUL character")
    return raw


# RFC 9110 token characters for header names.
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")


def _header_lines(headers: HeadersArg) -> List[Tuple[str, str]]:
    if headers is None:
        return []
    items = headers.items() if isinstance(headers, Mapping) else headers
    out: List[Tuple[str, str]] = []
    for name, value in items:
        if not isinstance(name, str) or not isinstance(value, str):
            raise TypeError("header names and values must be str")
        if not _TOKEN.match(name):
            raise InvalidArgumentError(f"{name[:40]!r} is not a valid header name")
        if any(c in value for c in "\r\n\0"):
            raise InvalidArgumentError(
                f"the value of header {name} contains a line break or NUL"
            )
        if not value.isascii():
            # Decision: header values are ASCII. HTTP gives non-ASCII bytes no defined charset
            # and LeanIX does not expect any; encode such text yourself (e.g. percent-encoding).
            raise InvalidArgumentError(
                f"the value of header {name} contains non-ASCII characters; "
                "encode it (e.g. percent-encoding) first"
            )
        out.append((name, value))
    return out


def _millis(seconds: float, what: str) -> str:
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise TypeError(f"{what} must be a number of seconds")
    if not math.isfinite(seconds) or seconds < 0:
        raise InvalidArgumentError(f"{what} must be a non-negative number of seconds")
    return str(int(math.ceil(seconds * 1000)))


def _flag(value: bool) -> str:
    return "1" if value else "0"


# Python keyword -> (lx_options key, converter)
_OPTIONS: Dict[str, Tuple[str, Callable[[Any, str], str]]] = {
    "allow_insecure_loopback": ("allow_insecure_loopback", lambda v, _: _flag(v)),
    "connect_timeout": ("connect_timeout_ms", _millis),
    "token_timeout": ("token_timeout_ms", _millis),
    "request_timeout": ("request_timeout_ms", _millis),
    "proxy": ("proxy", lambda v, _: str(v)),
    "ca_file": ("ca_file", lambda v, _: os.fspath(v)),
    "ca_pem": ("ca_pem", lambda v, _: v.decode("ascii") if isinstance(v, bytes) else str(v)),
    "user_agent": ("user_agent", lambda v, _: str(v)),
    "max_attempts": ("max_attempts", lambda v, _: str(int(v))),
    "token_attempts": ("token_attempts", lambda v, _: str(int(v))),
    "retry_base_delay": ("retry_base_delay_ms", _millis),
    "retry_max_delay": ("retry_max_delay_ms", _millis),
    "max_retry_after": ("max_retry_after_ms", _millis),
    "refresh_ahead": ("refresh_ahead", lambda v, _: repr(float(v))),
    "refresh_on_expiry_only": ("refresh_on_expiry_only", lambda v, _: _flag(v)),
    "invalid_credentials_ttl": ("invalid_credentials_ttl_ms", _millis),
    "failed_refresh_backoff": ("failed_refresh_backoff_ms", _millis),
    "expiry_margin": ("expiry_margin_ms", _millis),
}


# --------------------------------------------------------------------------------------------
# Event callbacks: one ctypes thunk for the whole process, never freed, dispatching on an id
# passed as userdata. A callback arriving after its client closed finds nothing and returns,
# so no freed thunk can ever be called by a library I/O thread.

_callbacks: Dict[int, EventCallback] = {}
_callback_ids = itertools.count(1)
_shutting_down = False


def _trampoline(userdata: Optional[int], kind: int, details_json: Optional[bytes]) -> None:
    if _shutting_down:
        return
    try:
        callback = _callbacks.get(userdata or 0)
        if callback is None:
            return
        details = _json.loads(details_json.decode("utf-8")) if details_json else {}
        callback(b.EVENT_NAMES.get(kind, str(kind)), details)
    except BaseException:  # noqa: BLE001 - nothing may unwind into the library
        try:
            _log.exception("leanix: the on_event callback raised")
        except BaseException:  # noqa: BLE001
            pass


_TRAMPOLINE = b.lx_event_callback(_trampoline)


# Clients still open at interpreter exit are closed first, so that no background refresh
# calls into a finalizing interpreter.
_live_clients: "weakref.WeakSet[Client]" = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    global _shutting_down
    for client in list(_live_clients):
        try:
            client.close()
        except BaseException:  # noqa: BLE001
            pass
    _shutting_down = True


# --------------------------------------------------------------------------------------------
# Results


class Headers(Mapping[str, str]):
    """Response headers: a read-only, case-insensitive mapping (``headers["Content-Type"]``)
    of the first value of each name, in the order received; ``get_all(name)`` gives every
    value. Names are reported in lower case."""

    __slots__ = ("_items", "_first")

    def __init__(self, items: Iterable[Tuple[str, str]] = ()) -> None:
        self._items: List[Tuple[str, str]] = [(n.lower(), v) for n, v in items]
        self._first: Dict[str, str] = {}
        for n, v in self._items:
            self._first.setdefault(n, v)

    def __getitem__(self, name: str) -> str:
        return self._first[name.lower()]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._first

    def __iter__(self) -> Iterator[str]:
        return iter(self._first)

    def __len__(self) -> int:
        return len(self._first)

    def get_all(self, name: str) -> List[str]:
        """Every value of ``name``, in order (``[]`` if absent)."""
        key = name.lower()
        return [v for n, v in self._items if n == key]

    def items_all(self) -> List[Tuple[str, str]]:
        """Every (name, value) pair, repeated names included, in the order received."""
        return list(self._items)

    def __repr__(self) -> str:
        return f"Headers({self._items!r})"


class Response:
    """A successful (2xx) answer; non-2xx answers raise instead. Fully read: the native
    response is released before this object is returned."""

    __slots__ = ("status", "content", "_header_block", "_headers")

    def __init__(self, status: int, header_block: bytes, content: bytes) -> None:
        self.status: int = status
        self.content: bytes = content
        self._header_block = header_block
        self._headers: Optional[Headers] = None

    @property
    def headers(self) -> Headers:
        """The response headers (case-insensitive), parsed on first use."""
        if self._headers is None:
            items = []
            for line in self._header_block.decode("utf-8", "replace").split("\n"):
                if line:
                    name, _, value = line.partition(": ")
                    items.append((name, value))
            self._headers = Headers(items)
        return self._headers

    @property
    def status_code(self) -> int:
        """Alias of ``status`` (as in requests)."""
        return self.status

    @property
    def text(self) -> str:
        """The body decoded as UTF-8 (invalid bytes replaced)."""
        return self.content.decode("utf-8", "replace")

    def json(self) -> Any:
        """The body parsed as JSON."""
        try:
            return _json.loads(self.content)
        except ValueError as e:
            raise InvalidResponseError(f"the response body is not JSON: {e}") from None

    def __repr__(self) -> str:
        return f"<leanix.Response {self.status}, {len(self.content)} bytes>"


@dataclass(frozen=True)
class Claims:
    """The decoded (not verified) claims of an access token. ``raw`` holds them all."""

    raw: Dict[str, Any] = field(repr=False)

    @property
    def subject(self) -> Optional[str]:
        return self.raw.get("sub")

    @property
    def expires_at(self) -> Optional[_dt.datetime]:
        exp = self.raw.get("exp")
        if isinstance(exp, (int, float)):
            return _dt.datetime.fromtimestamp(exp, tz=_dt.timezone.utc)
        return None

    @property
    def issuer(self) -> Optional[str]:
        return self.raw.get("iss")

    @property
    def instance_url(self) -> Optional[str]:
        return self.raw.get("instanceUrl")

    @property
    def region(self) -> Optional[str]:
        return self.raw.get("region")

    @property
    def _principal(self) -> Dict[str, Any]:
        p = self.raw.get("principal")
        return p if isinstance(p, dict) else {}

    @property
    def _permission(self) -> Dict[str, Any]:
        p = self._principal.get("permission")
        return p if isinstance(p, dict) else {}

    @property
    def username(self) -> Optional[str]:
        return self._principal.get("username")

    @property
    def workspace_id(self) -> Optional[str]:
        return self._permission.get("workspaceId")

    @property
    def workspace_name(self) -> Optional[str]:
        return self._permission.get("workspaceName")

    @property
    def role(self) -> Optional[str]:
        """The role in the workspace (``ADMIN``, ``MEMBER``, ``VIEWER``, ...)."""
        return self._permission.get("role")

    def __getitem__(self, key: str) -> Any:
        return self.raw[key]

    def __repr__(self) -> str:
        return (
            f"Claims(subject={self.subject!r}, workspace={self.workspace_name!r}, "
            f"role={self.role!r}, expires_at={self.expires_at!r})"
        )


# --------------------------------------------------------------------------------------------
# The client


# How long close() waits for calls in flight to return after cancelling them.
_CLOSE_WAIT_SECONDS = 30.0

class Client:
    """A LeanIX API client: exchanges the API token, caches and refreshes the access token,
    retries, and makes authenticated calls.

    ``Client(host=None, api_token=None, **options)``: ``None`` reads ``LEANIX_HOST`` /
    ``LEANIX_API_TOKEN``. Options (all keyword-only; durations in seconds as float):
    ``allow_insecure_loopback``, ``connect_timeout``, ``token_timeout``, ``request_timeout``,
    ``proxy``, ``ca_file``, ``ca_pem``, ``user_agent``, ``max_attempts``, ``token_attempts``,
    ``retry_base_delay``, ``retry_max_delay``, ``max_retry_after``, ``refresh_ahead``,
    ``refresh_on_expiry_only``, ``invalid_credentials_ttl``, ``failed_refresh_backoff``,
    ``expiry_margin``, ``on_event`` (``callable(kind: str, details: dict)``, called on a library
    thread), and ``raw_options`` (a mapping of ``lx_options`` keys to string values).

    Thread-safe: share one client between threads. Close it with ``close()`` or a ``with``
    block. After ``fork()`` the parent's client raises ``ForkedError`` in the child.
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
        self._ptr: Optional[int] = None
        self._closed = False
        self._callback_id = 0
        self._lock = threading.Lock()
        self._inflight = 0
        self._host = host if host is not None else os.environ.get("LEANIX_HOST")
        self._pid = os.getpid()
        lib = self._lib = load()

        given = dict(
            allow_insecure_loopback=allow_insecure_loopback,
            connect_timeout=connect_timeout,
            token_timeout=token_timeout,
            request_timeout=request_timeout,
            proxy=proxy,
            ca_file=ca_file,
            ca_pem=ca_pem,
            user_agent=user_agent,
            max_attempts=max_attempts,
            token_attempts=token_attempts,
            retry_base_delay=retry_base_delay,
            retry_max_delay=retry_max_delay,
            max_retry_after=max_retry_after,
            refresh_ahead=refresh_ahead,
            refresh_on_expiry_only=refresh_on_expiry_only,
            invalid_credentials_ttl=invalid_credentials_ttl,
            failed_refresh_backoff=failed_refresh_backoff,
            expiry_margin=expiry_margin,
        )
        settings: List[Tuple[str, bytes]] = []
        if host is not None:
            settings.append(("host", _cstr(host, "host")))
        if api_token is not None:
            settings.append(("api_token", _cstr(api_token, "api_token")))
        for name, value in given.items():
            if value is not None:
                key, convert = _OPTIONS[name]
                settings.append((key, _cstr(convert(value, name), name)))
        for key, value in (raw_options or {}).items():
            settings.append((key, _cstr(value, f"option {key}")))
        if on_event is not None and not callable(on_event):
            raise TypeError("on_event must be callable")

        opts = ctypes.c_void_p()
        err = ctypes.c_void_p()
        self._check(lib.lx_options_new(ctypes.byref(opts), ctypes.byref(err)), err)
        try:
            for key, value in settings:
                self._check(
                    lib.lx_options_set(opts, _cstr(key, "option key"), value, ctypes.byref(err)),
                    err,
                )
            if on_event is not None:
                self._callback_id = next(_callback_ids)
                _callbacks[self._callback_id] = on_event
                self._check(
                    lib.lx_options_set_event_callback(
                        opts, _TRAMPOLINE, ctypes.c_void_p(self._callback_id), ctypes.byref(err)
                    ),
                    err,
                )
            client = ctypes.c_void_p()
            self._check(lib.lx_client_build(opts, ctypes.byref(client), ctypes.byref(err)), err)
        except BaseException:
            _callbacks.pop(self._callback_id, None)
            raise
        finally:
            lib.lx_free(opts)
        self._ptr = client.value
        _live_clients.add(self)

    # -- lifecycle -------------------------------------------------------------------------

    def close(self) -> None:
        """Releases the client. Idempotent. Calls other threads are making on it end at once
        with ``CancelledError``; later calls raise ``ClosedError``.

        The native handle is freed only after every call in flight has returned
        (``lx_client_close`` first, then ``lx_free``), so no call can reach another object that
        the library later places at the same address."""
        with self._lock:
            ptr, self._ptr = self._ptr, None
            self._closed = True
        if ptr:
            self._lib.lx_client_close(ptr, None)
            # The cancelled calls return promptly; closing is rare, so a short poll is enough
            # and keeps the per-call bookkeeping to a plain lock.
            deadline = time.monotonic() + _CLOSE_WAIT_SECONDS
            while self._inflight and time.monotonic() < deadline:
                time.sleep(0.001)
            self._lib.lx_free(ptr)
        cid = getattr(self, "_callback_id", 0)
        if cid:
            _callbacks.pop(cid, None)

    @property
    def closed(self) -> bool:
        return self._closed

    def __enter__(self) -> "Client":
        self._handle()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        # Safety net; close() deterministically instead.
        if getattr(self, "_ptr", None):
            try:
                self.close()
            except Exception:  # noqa: BLE001
                pass

    def __repr__(self) -> str:
        state = "closed" if self._ptr is None else "open"
        return f"<leanix.Client host={self._host!r} {state}>"

    def __getstate__(self) -> None:
        raise TypeError("a leanix.Client cannot be pickled; create one in each process")

    # -- plumbing --------------------------------------------------------------------------

    def _handle(self) -> int:
        ptr = self._ptr
        if ptr is None:
            raise ClosedError("this leanix.Client is closed")
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
        if status != b.LX_OK:
            e = error_from_status(self._lib, status, err)
            err.value = None
            if self._closed and status == b.LX_ERR_INVALID_ARG:
                raise ClosedError("this leanix.Client is closed") from None
            raise e

    def _response(self, status: int, resp: ctypes.c_void_p, err: ctypes.c_void_p) -> Response:
        self._check(status, err)
        lib = self._lib
        try:
            data = ctypes.c_void_p()
            size = ctypes.c_size_t()
            self._check(lib.lx_response_body(resp, ctypes.byref(data), ctypes.byref(size)), err)
            content = ctypes.string_at(data.value or 0, size.value) if size.value and data.value else b""
            # All headers in one call: "name: value\n" lines, parsed when first used.
            self._check(lib.lx_response_headers(resp, ctypes.byref(data), ctypes.byref(size)), err)
            block = ctypes.string_at(data.value, size.value) if size.value and data.value else b""
            return Response(lib.lx_response_status(resp), block, content)
        finally:
            lib.lx_free(resp)

    def _owned_string(self, ptr: ctypes.c_void_p, size: Optional[int] = None) -> bytes:
        """Copies an owned string out of the library and frees (zeroes) the original."""
        address = ptr.value
        if not address:
            raise PanicError("libleanix reported success but returned no string")
        try:
            return ctypes.string_at(address) if size is None else ctypes.string_at(address, size)
        finally:
            self._lib.lx_free(address)

    # -- calls -----------------------------------------------------------------------------

    def get(self, path: str) -> Response:
        """``GET path`` (with optional query string). Raises a ``LeanixError`` on failure,
        including any non-2xx answer."""
        path_c = _cstr(path, "path")
        resp = ctypes.c_void_p()
        err = ctypes.c_void_p()
        status = self._call(self._lib.lx_get, path_c, ctypes.byref(resp), ctypes.byref(err))
        return self._response(status, resp, err)

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
        header_list = _header_lines(headers)
        body: bytes
        if json is not None:
            body = _json.dumps(json, ensure_ascii=False).encode("utf-8")
            if not any(n.lower() == "content-type" for n, _ in header_list):
                header_list.append(("Content-Type", "application/json"))
        elif data is None:
            body = b""
        elif isinstance(data, str):
            body = data.encode("utf-8")
        elif isinstance(data, (bytes, bytearray, memoryview)):
            body = bytes(data)
        else:
            raise TypeError(f"data must be bytes or str, not {type(data).__name__}")
        header_bytes = "".join(f"{n}: {v}\n" for n, v in header_list).encode("ascii")
        method_c = _cstr(method, "method")
        path_c = _cstr(path, "path")
        resp = ctypes.c_void_p()
        err = ctypes.c_void_p()
        status = self._call(
            self._lib.lx_request,
            method_c,
            path_c,
            header_bytes or None,
            len(header_bytes),
            body or None,
            len(body),
            b.LX_REQUEST_RETRY_SAFE if retry_safe else b.LX_REQUEST_DEFAULT,
            ctypes.byref(resp),
            ctypes.byref(err),
        )
        return self._response(status, resp, err)

    def post(self, path: str, **kwargs: Any) -> Response:
        """``request("POST", path, ...)``."""
        return self.request("POST", path, **kwargs)

    def _graphql_call(self, fn: Any, query: str, variables: Optional[Mapping[str, Any]]) -> Any:
        query_c = _cstr(query, "query")
        vars_c = None
        if variables is not None:
            if not isinstance(variables, Mapping):
                raise TypeError("variables must be a mapping")
            vars_c = _cstr(_json.dumps(dict(variables)), "variables")
        out = ctypes.c_void_p()
        size = ctypes.c_size_t()
        err = ctypes.c_void_p()
        status = self._call(fn, query_c, vars_c, ctypes.byref(out), ctypes.byref(size),
                            ctypes.byref(err))
        self._check(status, err)
        return _json.loads(self._owned_string(out, size.value))

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
        vars_: Dict[str, Any] = dict(variables or {})
        seen = set()
        while True:
            data = self.graphql(query, vars_)
            yield data
            info = _find_page_info(data)
            if info is None:
                raise InvalidResponseError(
                    "graphql_pages: the response has no pageInfo; select "
                    "pageInfo { hasNextPage endCursor } on the connection"
                )
            if not info.get("hasNextPage"):
                return
            cursor = info.get("endCursor")
            if not isinstance(cursor, str) or cursor in seen:
                raise InvalidResponseError(
                    "graphql_pages: hasNextPage is true but endCursor is missing or repeats"
                )
            seen.add(cursor)
            vars_["after"] = cursor

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
        return self._owned_string(out).decode("utf-8")

    @property
    def claims(self) -> Optional[Claims]:
        """The decoded (not verified) claims of a current access token, or ``None`` if the
        token is opaque (not a JWT)."""
        out = ctypes.c_void_p()
        err = ctypes.c_void_p()
        self._check(self._call(self._lib.lx_claims_json, ctypes.byref(out),
                               ctypes.byref(err)), err)
        raw = _json.loads(self._owned_string(out))
        return Claims(raw) if isinstance(raw, dict) else None


def _find_page_info(value: Any) -> Optional[Dict[str, Any]]:
    """The first ``pageInfo`` object found depth-first in a GraphQL ``data`` value."""
    if isinstance(value, dict):
        info = value.get("pageInfo")
        if isinstance(info, dict):
            return info
        for v in value.values():
            found = _find_page_info(v)
            if found is not None:
                return found
    elif isinstance(value, list):
        for v in value:
            found = _find_page_info(v)
            if found is not None:
                return found
    return None


def version() -> str:
    """The version of the loaded libleanix (``"0.1.0"``)."""
    return str(load().lx_version().decode("ascii"))


def abi_version() -> int:
    """The ABI generation of the loaded libleanix."""
    return int(load().lx_abi_version())


def status_name(code: int) -> str:
    """The name of a status code (``"LX_ERR_TIMEOUT"``)."""
    return str(load().lx_status_str(code).decode("ascii"))

