"""The cursor step of ``AsyncClient.graphql_pages``.

``Client.graphql_pages`` and ``graphql_all_edges`` page inside the library
(``lx_graphql_pages_*``, ``lx_graphql_all``). The C ABI has no asynchronous page walk yet, so
``AsyncClient`` fetches each page with ``lx_graphql_start`` and takes the next cursor here,
by the library's rule (core/src/graphql/paging.rs), which this module must follow word for
word until the ABI has an asynchronous ``lx_graphql_pages_next``:

- before the first request, the query must declare ``$after`` and select
  ``pageInfo { hasNextPage endCursor }``: checked by the library itself (``precheck``);
- the connection of a page is the first object, depth first, with a ``pageInfo`` object;
  a page without one is ``InvalidResponseError``;
- ``hasNextPage: true`` needs an ``endCursor``, and a cursor seen before means the server goes
  round in circles: both ``InvalidResponseError``;
- more pages than ``max_pages`` is ``ResponseTooLargeError``.
"""

from __future__ import annotations

import ctypes
from typing import Any, Dict, Optional, Set

from ._errors import InvalidResponseError, ResponseTooLargeError
from ._status import LX_ERR_CANCELLED, LX_OK


def find_connection(value: Any) -> Optional[Dict[str, Any]]:
    """The first object (depth first) with a ``pageInfo`` object."""
    if isinstance(value, dict):
        if isinstance(value.get("pageInfo"), dict):
            return value
        for v in value.values():
            found = find_connection(v)
            if found is not None:
                return found
    elif isinstance(value, list):
        for v in value:
            found = find_connection(v)
            if found is not None:
                return found
    return None


class Cursor:
    """The state of one walk: pages fetched and cursors seen."""

    def __init__(self, max_pages: int) -> None:
        self.max_pages = max_pages
        self.pages = 0
        self.seen: Set[str] = set()

    def next_after(self, data: Any) -> Optional[str]:
        """The cursor of the page after ``data`` (``None`` after the last page)."""
        self.pages += 1
        connection = find_connection(data)
        if connection is None:
            raise InvalidResponseError(
                f"GraphQL page {self.pages} has no connection with pageInfo in its data")
        info = connection["pageInfo"]
        if info.get("hasNextPage") is not True:
            return None
        cursor = info.get("endCursor")
        if not isinstance(cursor, str):
            raise InvalidResponseError(
                f"GraphQL page {self.pages} says hasNextPage but has no endCursor")
        if cursor in self.seen:
            raise InvalidResponseError(
                f"GraphQL paging goes round in circles: page {self.pages} returned the "
                f"endCursor {cursor!r} that an earlier page returned")
        self.seen.add(cursor)
        if self.pages >= self.max_pages:
            raise ResponseTooLargeError(
                f"GraphQL paging has more than {self.max_pages} pages (max_pages)")
        return cursor


def precheck(lib: Any, client: int, query_c: bytes, vars_c: Optional[bytes],
             options: int, cancel: int, check: Any) -> None:
    """Runs the library's own check of a paged query without sending anything: a page walk
    whose options carry a cancel handle that has already fired checks the query (raising
    ``InvalidArgumentError`` if it breaks the rule) and then ends with ``LX_ERR_CANCELLED``
    before any request."""
    lib.lx_cancel_fire(cancel)
    pages = ctypes.c_void_p()
    err = ctypes.c_void_p()
    check(lib.lx_graphql_pages_new(client, query_c, vars_c, options, ctypes.byref(pages),
                                   ctypes.byref(err)), err)
    try:
        out = ctypes.c_void_p()
        status = lib.lx_graphql_pages_next(pages, ctypes.byref(out), None, ctypes.byref(err))
        if status == LX_OK:  # not expected: a fired handle ends every call
            lib.lx_free(out.value)
        elif status == LX_ERR_CANCELLED:
            lib.lx_free(err.value)
        else:
            check(status, err)
    finally:
        lib.lx_free_releasing_gil(pages.value)  # a walk holds its client
