"""leanix: a LeanIX API client (token exchange, caching, refresh, retries) over libleanix.

    import leanix

    with leanix.Client("acme.leanix.net", api_token) as client:
        print(client.claims.workspace_name)
        page = client.get("/services/pathfinder/v1/factSheets?pageSize=5").json()
        data = client.graphql("{ allFactSheets(first: 5) { totalCount } }")

Pure ctypes over the C ABI of libleanix (see leanix.h); no dependency beyond the standard
library. Every failure raises a subclass of ``LeanixError``.
"""

from ._bindings import (
    LX_ERR_CANCELLED,
    LX_ERR_CONFIG,
    LX_ERR_FORBIDDEN,
    LX_ERR_FORKED,
    LX_ERR_GRAPHQL,
    LX_ERR_HTTP,
    LX_ERR_INVALID_ARG,
    LX_ERR_INVALID_CREDENTIALS,
    LX_ERR_INVALID_RESPONSE,
    LX_ERR_NOT_FOUND,
    LX_ERR_NULL_ARG,
    LX_ERR_PANIC,
    LX_ERR_RATE_LIMITED,
    LX_ERR_REDIRECT,
    LX_ERR_TIMEOUT,
    LX_ERR_TLS,
    LX_ERR_CONNECT,
    LX_ERR_UNAUTHORIZED,
    LX_OK,
)
from ._client import (
    Claims,
    Client,
    EventCallback,
    Headers,
    Response,
    abi_version,
    status_name,
    version,
)
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
    LeanixError,
    NotFoundError,
    PanicError,
    RateLimitedError,
    RedirectError,
    TimeoutError,
    TLSError,
    UnauthorizedError,
)
from ._library import ABI_VERSION, LibraryError, library_path

__version__ = "0.1.0"

__all__ = [
    "ABI_VERSION",
    "CancelledError",
    "Claims",
    "Client",
    "ClosedError",
    "ConfigError",
    "ConnectionError",
    "EventCallback",
    "ForbiddenError",
    "ForkedError",
    "GraphQLError",
    "HTTPError",
    "Headers",
    "InvalidArgumentError",
    "InvalidCredentialsError",
    "InvalidResponseError",
    "LeanixError",
    "LibraryError",
    "NotFoundError",
    "PanicError",
    "RateLimitedError",
    "RedirectError",
    "Response",
    "TLSError",
    "TimeoutError",
    "UnauthorizedError",
    "abi_version",
    "library_path",
    "status_name",
    "version",
    "LX_OK",
    "LX_ERR_NULL_ARG",
    "LX_ERR_INVALID_ARG",
    "LX_ERR_CONFIG",
    "LX_ERR_INVALID_CREDENTIALS",
    "LX_ERR_UNAUTHORIZED",
    "LX_ERR_FORBIDDEN",
    "LX_ERR_RATE_LIMITED",
    "LX_ERR_HTTP",
    "LX_ERR_TIMEOUT",
    "LX_ERR_CONNECT",
    "LX_ERR_TLS",
    "LX_ERR_INVALID_RESPONSE",
    "LX_ERR_GRAPHQL",
    "LX_ERR_REDIRECT",
    "LX_ERR_CANCELLED",
    "LX_ERR_FORKED",
    "LX_ERR_PANIC",
    "LX_ERR_NOT_FOUND",
]
