"""What the Python tests share about calling the sandbox: its fact-sheet path, the GraphQL
query of a whole walk, and clients built the one way the tests need (the sandbox's URL, its
admin token unless another is named, ``http://`` allowed on loopback)."""

from __future__ import annotations

from typing import Any

import leanix
from sandbox import Sandbox

#: The sandbox's fact-sheet collection (Pathfinder REST).
FS = "/services/pathfinder/v1/factSheets"
#: A fact sheet the sandbox does not have (a 404).
MISSING = FS + "/00000000-0000-0000-0000-000000000000"
#: Every fact sheet's id, 1000 a page: a walk of ``graphql_pages``/``graphql_all``.
PAGE_QUERY = """
query($after: String) {
  allFactSheets(first: 1000, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node { id } }
  }
}"""


def make(sandbox: Sandbox, token: str = "", **options: Any) -> leanix.Client:
    """A ``Client`` of ``sandbox`` with ``token`` (default: the admin token) and ``options``."""
    return leanix.Client(sandbox.url, token or sandbox.admin_token, insecure_loopback=True,
                         **options)


def make_async(sandbox: Sandbox, token: str = "", **options: Any) -> leanix.AsyncClient:
    """``make`` for an ``AsyncClient``."""
    return leanix.AsyncClient(sandbox.url, token or sandbox.admin_token,
                              insecure_loopback=True, **options)
