"""The exceptions, one class per ``LX_ERR_*`` status, and their construction from an lx_error."""

from __future__ import annotations

import builtins
import ctypes
from typing import Any, Dict, Optional, Tuple, Type

from . import _status as b


class LeanixError(Exception):
    """Base class of every error of this package.

    Attributes:
        status_code: the ``LX_ERR_*`` number of the C library (``leanix.LX_ERR_TIMEOUT`` ...).
        status_name: its name, e.g. ``"LX_ERR_TIMEOUT"``.
        message: one line saying what happened; never contains a credential.
        http_status: the HTTP status behind the error (401, 403, 429, 503, ...) or ``None``.
        oauth_error: the OAuth2 ``error`` field of a failed token exchange, or ``None``.
        retry_after: the server's Retry-After in seconds (float), or ``None``.
    """

    #: The status code this class stands for (overridden by each subclass).
    code: int = 0

    def __init__(
        self,
        message: str,
        *,
        status_code: Optional[int] = None,
        http_status: Optional[int] = None,
        oauth_error: Optional[str] = None,
        retry_after: Optional[float] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = self.code if status_code is None else status_code
        self.http_status = http_status
        self.oauth_error = oauth_error
        self.retry_after = retry_after

    @property
    def status_name(self) -> str:
        return STATUS_NAMES.get(self.status_code, "LX_ERR_UNKNOWN")

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        extra = f", http_status={self.http_status}" if self.http_status else ""
        return f"{type(self).__name__}({self.message!r}{extra})"

    def __reduce__(self) -> Tuple[Any, ...]:
        # Picklable (multiprocessing sends exceptions between processes).
        return (
            _rebuild,
            (type(self), self.message, self.status_code, self.http_status, self.oauth_error,
             self.retry_after),
        )


def _rebuild(cls: Type[LeanixError], message: str, status_code: int, http_status: Optional[int],
             oauth_error: Optional[str], retry_after: Optional[float]) -> LeanixError:
    return cls(message, status_code=status_code, http_status=http_status,
               oauth_error=oauth_error, retry_after=retry_after)


class InvalidArgumentError(LeanixError, ValueError):
    """An argument is invalid (a NUL or bad UTF-8 in a string, a bad header, a closed client,
    an unknown option, ...). Also a ``ValueError``."""

    code = b.LX_ERR_INVALID_ARG


class ConfigError(LeanixError, ValueError):
    """The configuration is invalid: no host, empty API token, ``http://`` to a remote host,
    an unreadable CA file, ... Also a ``ValueError``."""

    code = b.LX_ERR_CONFIG


class InvalidCredentialsError(LeanixError):
    """The token endpoint rejected the API token (HTTP 400/401/403 on the exchange)."""

    code = b.LX_ERR_INVALID_CREDENTIALS


class UnauthorizedError(LeanixError):
    """The API answered 401 even after a fresh token and one replay."""

    code = b.LX_ERR_UNAUTHORIZED


class ForbiddenError(LeanixError):
    """The API answered 403: the API token's user lacks the permission."""

    code = b.LX_ERR_FORBIDDEN


class RateLimitedError(LeanixError):
    """The API answered 429; ``retry_after`` holds the server's wish in seconds (or None)."""

    code = b.LX_ERR_RATE_LIMITED


class HTTPError(LeanixError):
    """The API answered another unsuccessful HTTP status (see ``http_status``)."""

    code = b.LX_ERR_HTTP


class TimeoutError(LeanixError, builtins.TimeoutError):  # noqa: A001 - deliberate, see below
    """A connect, token or request timeout elapsed. Also a builtin ``TimeoutError``, so
    ``except TimeoutError`` catches it whichever of the two names is in scope."""

    code = b.LX_ERR_TIMEOUT


class ConnectionError(LeanixError, builtins.ConnectionError):  # noqa: A001
    """The connection could not be made or broke. Also a builtin ``ConnectionError``."""

    code = b.LX_ERR_CONNECT


class TLSError(LeanixError):
    """The TLS handshake failed (untrusted certificate, wrong name)."""

    code = b.LX_ERR_TLS


class InvalidResponseError(LeanixError):
    """The server's answer is not what LeanIX sends (e.g. a token response without a token)."""

    code = b.LX_ERR_INVALID_RESPONSE


class GraphQLError(LeanixError):
    """A GraphQL response carried errors (HTTP 200 with a non-empty ``errors`` array)."""

    code = b.LX_ERR_GRAPHQL


class RedirectError(LeanixError):
    """A redirect to another origin was refused (credentials never leave the configured host)."""

    code = b.LX_ERR_REDIRECT


class CancelledError(LeanixError):
    """The call was cancelled because its client was closed (by another thread)."""

    code = b.LX_ERR_CANCELLED


class ForkedError(LeanixError):
    """The client was created in the parent process before ``fork()``; create a new one."""

    code = b.LX_ERR_FORKED


class PanicError(LeanixError):
    """An internal error (a bug) was caught at the library boundary."""

    code = b.LX_ERR_PANIC


class NotFoundError(LeanixError, LookupError):
    """The item asked for does not exist (``LX_ERR_NOT_FOUND``)."""

    code = b.LX_ERR_NOT_FOUND


class ClosedError(InvalidArgumentError):
    """The client was closed (``close()`` or the end of its ``with`` block) and cannot be used."""


#: status code -> exception class (each class names its own code; NULL_ARG shares one)
ERRORS_BY_CODE: Dict[int, Type[LeanixError]] = {
    cls.code: cls
    for cls in (
        InvalidArgumentError, ConfigError, InvalidCredentialsError, UnauthorizedError,
        ForbiddenError, RateLimitedError, HTTPError, TimeoutError, ConnectionError, TLSError,
        InvalidResponseError, GraphQLError, RedirectError, CancelledError, ForkedError,
        PanicError, NotFoundError,
    )
}
ERRORS_BY_CODE[b.LX_ERR_NULL_ARG] = InvalidArgumentError

#: status code -> name (``9: "LX_ERR_TIMEOUT"``), from the one list in ``_status``
STATUS_NAMES: Dict[int, str] = {
    value: name for name, value in vars(b).items() if name.startswith("LX_")
}


def error_from_status(lib: ctypes.CDLL, status: int, err: ctypes.c_void_p) -> LeanixError:
    """Builds the exception for a failed call and frees the lx_error (if any)."""
    cls = ERRORS_BY_CODE.get(status, LeanixError)
    ptr = err.value
    if not ptr:
        name = lib.lx_status_str(status).decode("ascii", "replace")
        return cls(name, status_code=status)
    try:
        code = lib.lx_error_code(ptr)
        cls = ERRORS_BY_CODE.get(code, cls)
        message = (lib.lx_error_message(ptr) or b"").decode("utf-8", "replace")
        http = lib.lx_error_http_status(ptr) or None
        oauth_raw = lib.lx_error_oauth_error(ptr)
        oauth = oauth_raw.decode("utf-8", "replace") if oauth_raw is not None else None
        retry_ms = lib.lx_error_retry_after_ms(ptr)
        retry_after = retry_ms / 1000.0 if retry_ms >= 0 else None
    finally:
        lib.lx_free(ptr)
    return cls(message or lib.lx_status_str(code).decode("ascii", "replace"),
               status_code=code, http_status=http, oauth_error=oauth, retry_after=retry_after)


def check(lib: ctypes.CDLL, status: int, err: ctypes.c_void_p) -> None:
    """Raises the exception for ``status`` unless it is ``LX_OK``; frees the lx_error."""
    if status != b.LX_OK:
        e = error_from_status(lib, status, err)
        err.value = None
        raise e
