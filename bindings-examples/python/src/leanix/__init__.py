"""leanix: a LeanIX API client (token exchange, caching, refresh, retries) over libleanix.

    import leanix

    with leanix.Client("acme.leanix.net", api_token) as client:
        print(client.claims.workspace_name)
        page = client.get("/services/pathfinder/v1/factSheets", params={"pageSize": 5}).json()
        data = client.graphql("{ allFactSheets(first: 5) { totalCount } }")

    async with leanix.AsyncClient("acme.leanix.net", api_token) as client:
        r = await client.get("/services/pathfinder/v1/factSheets", params={"pageSize": 5})

Pure ctypes over the C ABI of libleanix (see leanix.h); no dependency beyond the standard
library. Every failure raises a subclass of ``LeanixError``.

Modules (all private; everything public is re-exported here):

- ``_status``: the ``LX_OK``/``LX_ERR_*`` status codes (the one list of them);
- ``_bindings``: the ctypes signature of every function of leanix.h and its other enums;
- ``_library``: finding, loading and checking libleanix (the one locator);
- ``_errors``: one exception class per status (and ``NotFoundError`` for a 404);
- ``_managed``: ownership of native handles (close frees; handles are never reused);
- ``_convert``: Python values to the strings and bytes the C ABI takes;
- ``_options``: the table of client options, and their defaults read from the library;
- ``_events``: the event callback registry, its one ctypes thunk and the ``logging`` bridge;
- ``_interrupt``: Ctrl-C during blocking calls, and per-call options reused per thread;
- ``_response``, ``_claims``: what calls return;
- ``_client``: ``BaseClient`` and the blocking ``Client``;
- ``_async``: ``AsyncClient`` and its one completion thunk (page walks included).
"""

from . import _status
from ._claims import Claims
from ._async import AsyncClient
from ._client import Client, defaults
from ._errors import (
    CancelledError,
    ClosedError,
    ConfigError,
    ConnectionError,
    ForbiddenError,
    ForkedError,
    GraphQLError,
    HTTPError,
    InvalidArgumentError,
    InvalidCredentialsError,
    InvalidResponseError,
    ItemNotFoundError,
    JSONDecodeError,
    LeanixError,
    NotFoundError,
    PanicError,
    RateLimitedError,
    RecursiveCallError,
    RedirectError,
    ResponseTooLargeError,
    RunFailedError,
    TimeoutError,
    TLSError,
    UnauthorizedError,
)
from ._events import EventCallback
from ._integration import AsyncIntegration, Integration, RunResult
from ._library import ABI_VERSION, LibraryError, abi_version, library_path, status_name, version
from ._response import Headers, Response
from ._webhooks import AsyncWebhooks, Webhooks
from ._status import *  # noqa: F401,F403 - LX_OK and every LX_ERR_* status code

__version__ = "0.1.0"

__all__ = [
    "ABI_VERSION",
    "AsyncClient",
    "AsyncIntegration",
    "AsyncWebhooks",
    "CancelledError",
    "Claims",
    "Client",
    "ClosedError",
    "ConfigError",
    "ConnectionError",
    "EventCallback",
    "Integration",
    "ForbiddenError",
    "ForkedError",
    "GraphQLError",
    "HTTPError",
    "Headers",
    "InvalidArgumentError",
    "InvalidCredentialsError",
    "InvalidResponseError",
    "ItemNotFoundError",
    "JSONDecodeError",
    "LeanixError",
    "LibraryError",
    "NotFoundError",
    "PanicError",
    "RateLimitedError",
    "RecursiveCallError",
    "RedirectError",
    "Response",
    "Webhooks",
    "ResponseTooLargeError",
    "RunFailedError",
    "RunResult",
    "TLSError",
    "TimeoutError",
    "UnauthorizedError",
    "abi_version",
    "defaults",
    "library_path",
    "status_name",
    "version",
]
__all__ += [name for name in vars(_status) if name.startswith("LX_")]
