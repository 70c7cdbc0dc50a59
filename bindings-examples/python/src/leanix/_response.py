"""What a successful call returns: ``Response`` and its ``Headers``."""

from __future__ import annotations

import ctypes
import json as _json
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Tuple

from ._errors import InvalidResponseError, check


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


def read_response(lib: ctypes.CDLL, resp: ctypes.c_void_p) -> Response:
    """Copies status, headers (one call, ``lx_response_headers``) and body out of an
    lx_response, then frees it."""
    err = ctypes.c_void_p()
    try:
        data = ctypes.c_void_p()
        size = ctypes.c_size_t()
        check(lib, lib.lx_response_body(resp, ctypes.byref(data), ctypes.byref(size)), err)
        content = ctypes.string_at(data.value, size.value) if size.value and data.value else b""
        # All headers in one call: "name: value\n" lines, parsed when first used.
        check(lib, lib.lx_response_headers(resp, ctypes.byref(data), ctypes.byref(size)), err)
        block = ctypes.string_at(data.value, size.value) if size.value and data.value else b""
        return Response(lib.lx_response_status(resp), block, content)
    finally:
        lib.lx_free(resp)
