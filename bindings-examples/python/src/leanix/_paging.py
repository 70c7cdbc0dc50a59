"""Cursor paging of GraphQL queries in Python (``Client.graphql_pages``).

The rule: the query takes the cursor as ``$after``; the first ``pageInfo`` object found
depth-first in ``data`` says whether there is a next page (``hasNextPage``) and where it starts
(``endCursor``). A page without ``pageInfo`` raises ``InvalidResponseError`` (the core's
``GraphQlPages`` stops there instead), as does a cursor that is missing or repeats.
``Client.graphql_all_edges`` pages inside the library instead (``lx_graphql_all``).
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterator, Mapping, Optional

from ._errors import InvalidResponseError


def pages(
    run: Callable[[Dict[str, Any]], Any], variables: Optional[Mapping[str, Any]]
) -> Iterator[Any]:
    """Yields ``run(variables)`` for every page, ``variables["after"]`` set to each next
    cursor."""
    vars_: Dict[str, Any] = dict(variables or {})
    seen = set()
    while True:
        data = run(vars_)
        yield data
        info = find_page_info(data)
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


def find_page_info(value: Any) -> Optional[Dict[str, Any]]:
    """The first ``pageInfo`` object found depth-first in a GraphQL ``data`` value."""
    if isinstance(value, dict):
        info = value.get("pageInfo")
        if isinstance(info, dict):
            return info
        for v in value.values():
            found = find_page_info(v)
            if found is not None:
                return found
    elif isinstance(value, list):
        for v in value:
            found = find_page_info(v)
            if found is not None:
                return found
    return None
