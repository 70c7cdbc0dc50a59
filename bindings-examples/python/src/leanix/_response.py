"""What a call returns: ``Response`` and its ``Headers``."""

from __future__ import annotations

import ctypes
import json as _json
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Tuple

from ._errors import JSONDecodeError, check


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
    """An answer of the server: status, headers and body, fully read (the native response is
    released before this object is returned).

    Calls return one for 2xx answers and raise for others, where the exception's ``response``
    is this object for the failed answer. With ``check=False`` a call returns the non-2xx
    answer instead; ``raise_for_status()`` then raises the exception the call would have
    raised."""

    __slots__ = ("status", "content", "_header_block", "_headers", "_failure")

    def __init__(self, status: int, header_block: bytes, content: bytes) -> None:
        self.status: int = status
        self.content: bytes = content
        self._header_block = header_block
        self._headers: Optional[Headers] = None
        # (exception class, message, fields) of the failure this answer is, for
        # raise_for_status(); kept as parts so that no exception object refers back to us.
        self._failure: Optional[Tuple[Any, str, Dict[str, Any]]] = None

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
    def ok(self) -> bool:
        """True for a 2xx status (as ``requests.Response.ok``, which also counts 3xx)."""
        return 200 <= self.status < 300

    @property
    def text(self) -> str:
        """The body decoded as UTF-8 (invalid bytes replaced)."""
        return self.content.decode("utf-8", "replace")

    def json(self) -> Any:
        """The body parsed as JSON; ``leanix.JSONDecodeError`` (an ``InvalidResponseError`` and
        a ``ValueError``) if it is not JSON."""
        try:
            return _json.loads(self.content)
        except ValueError as e:
            raise JSONDecodeError(f"the response body is not JSON: {e}") from None

    def raise_for_status(self) -> "Response":
        """Raises the exception of this answer if it is not a 2xx (``HTTPError``,
        ``NotFoundError``, ``ForbiddenError``, ... with this response and the library's
        message quoting the server); returns the response itself otherwise."""
        if self._failure is not None:
            cls, message, fields = self._failure
            raise cls(message, response=self, **fields)
        if not self.ok:
            from ._errors import HTTP_ERRORS, HTTPError

            cls = HTTP_ERRORS.get(self.status, HTTPError)
            raise cls(f"HTTP {self.status}", http_status=self.status, response=self)
        return self

    def __repr__(self) -> str:
        return f"<leanix.Response {self.status}, {len(self.content)} bytes>"


def _copy(lib: ctypes.CDLL, resp: int) -> Response:
    """Status, headers (one call, ``lx_response_headers``) and body of a live lx_response,
    each copied once."""
    err = ctypes.c_void_p()
    data = ctypes.c_void_p()
    size = ctypes.c_size_t()
    check(lib, lib.lx_response_body(resp, ctypes.byref(data), ctypes.byref(size)), err)
    content = ctypes.string_at(data.value, size.value) if size.value and data.value else b""
    check(lib, lib.lx_response_headers(resp, ctypes.byref(data), ctypes.byref(size)), err)
    block = ctypes.string_at(data.value, size.value) if size.value and data.value else b""
    return Response(lib.lx_response_status(resp), block, content)


def read_response(lib: ctypes.CDLL, resp: Any) -> Response:
    """Copies an owned lx_response (a ``c_void_p`` or the handle), then frees it."""
    handle = int((resp.value if isinstance(resp, ctypes.c_void_p) else resp) or 0)
    try:
        return _copy(lib, handle)
    finally:
        lib.lx_free(handle)


def borrowed_response(lib: ctypes.CDLL, resp: int) -> Response:
    """Copies a response borrowed from an lx_error (``lx_error_response``); frees nothing."""
    return _copy(lib, resp)


def failed_response(error: Any) -> Optional[Response]:
    """For ``check=False``: the answer of a failed call, carrying what ``raise_for_status()``
    raises; ``None`` if the failure had no answer (or is a GraphQL error)."""
    resp = getattr(error, "response", None)
    if resp is None or getattr(error, "errors", None) is not None:
        return None
    fields = error._fields()
    fields.pop("response", None)
    resp._failure = (type(error), error.message, fields)
    return resp
