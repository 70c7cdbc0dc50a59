"""The exceptions, one class per ``LX_ERR_*`` status (and ``NotFoundError`` for a 404), and
their construction from an lx_error.

Every failed call that got an answer keeps it: ``LeanixError.response`` is the server's
``Response`` (status, headers, body) for non-2xx answers and GraphQL errors, ``None`` when the
call got no answer (timeouts, connection errors, invalid arguments). ``GraphQLError`` also has
the ``errors`` array and the partial ``data``.
"""

from __future__ import annotations

import builtins
import ctypes
import json as _json
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple, Type

from . import _status as b

if TYPE_CHECKING:  # pragma: no cover
    from ._response import Response


class LeanixError(Exception):
    """Base class of every error of this package.

    Attributes:
        message: one line saying what happened, quoting what the server said (cleaned, never a
            credential).
        status: the HTTP status behind the error (400, 401, 403, 404, 429, 503; 200 for GraphQL
            errors), or ``None`` when the call got no answer. ``http_status`` is the same.
        response: the server's answer as a ``leanix.Response`` (status, headers, ``.text``,
            ``.json()``) for non-2xx answers and GraphQL errors, else ``None``.
        status_code: the ``LX_ERR_*`` number of the C library (``leanix.LX_ERR_TIMEOUT`` ...);
            ``status_name`` its name, e.g. ``"LX_ERR_TIMEOUT"``. (Not the HTTP status: that is
            ``status``.)
        oauth_error: the OAuth2 ``error`` field of a failed token exchange, or ``None``.
        retry_after: the server's Retry-After in seconds (float), or ``None``.
        reason: for a 429, the server's reason code when its body names one (LeanIX:
            ``"USER_INTERVAL_REQUEST_LIMIT_EXCEEDED"``), else ``None``.
    """

    #: The status code this class stands for (overridden by each subclass).
    code: int = 0
    #: The ``leanix.RunResult`` of the LDIF run the error is about (``RunFailedError``, and any
    #: failure while waiting for a run: ``TimeoutError``, ``HTTPError`` of a poll, ...), else
    #: ``None``.
    run: Any = None

    def __init__(
        self,
        message: str,
        *,
        status_code: Optional[int] = None,
        http_status: Optional[int] = None,
        oauth_error: Optional[str] = None,
        retry_after: Optional[float] = None,
        reason: Optional[str] = None,
        response: Optional["Response"] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = self.code if status_code is None else status_code
        self.http_status = http_status
        self.oauth_error = oauth_error
        self.retry_after = retry_after
        self.reason = reason
        self.response = response

    @property
    def status(self) -> Optional[int]:
        """The HTTP status behind the error, or ``None`` (the same as ``http_status``)."""
        return self.http_status

    @property
    def status_name(self) -> str:
        return STATUS_NAMES.get(self.status_code, "LX_ERR_UNKNOWN")

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        extra = f", status={self.http_status}" if self.http_status else ""
        return f"{type(self).__name__}({self.message!r}{extra})"

    def _fields(self) -> Dict[str, Any]:
        return {"status_code": self.status_code, "http_status": self.http_status,
                "oauth_error": self.oauth_error, "retry_after": self.retry_after,
                "reason": self.reason, "response": self.response}

    def __reduce__(self) -> Tuple[Any, ...]:
        # Picklable (multiprocessing sends exceptions between processes), response included.
        return (_rebuild, (type(self), self.message, self._fields()))


def _rebuild(cls: Type[LeanixError], message: str, fields: Dict[str, Any]) -> LeanixError:
    return cls(message, **fields)


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


class HTTPError(LeanixError):
    """The API answered an unsuccessful HTTP status: ``status`` is the status, ``response``
    the whole answer (headers and body, e.g. LeanIX's ``{"status":"ERROR","errors":[...]}``).
    The subclasses ``UnauthorizedError`` (401), ``ForbiddenError`` (403), ``NotFoundError``
    (404) and ``RateLimitedError`` (429) name the common ones."""

    code = b.LX_ERR_HTTP


class UnauthorizedError(HTTPError):
    """The API answered 401 even after a fresh token and one replay, or within
    ``reauth_interval`` of the last exchange a 401 caused (then without a new exchange)."""

    code = b.LX_ERR_UNAUTHORIZED


class ForbiddenError(HTTPError):
    """The API answered 403: the API token's user lacks the permission."""

    code = b.LX_ERR_FORBIDDEN


class NotFoundError(HTTPError):
    """The API answered 404: the path or the object does not exist. An ``HTTPError`` whose
    ``status_code`` is ``LX_ERR_HTTP``. (A header absent from ``Response.headers`` is a plain
    ``KeyError``.)"""

    code = b.LX_ERR_HTTP


class RateLimitedError(HTTPError):
    """The API answered 429; ``retry_after`` holds the server's wish in seconds (or None) and
    ``reason`` its reason code."""

    code = b.LX_ERR_RATE_LIMITED


class TimeoutError(LeanixError, builtins.TimeoutError):  # noqa: A001 - deliberate, see below
    """The call's deadline passed (``timeout=`` or the client's ``request_timeout``: token
    exchange, attempts and waits included), or a connect or token timeout elapsed. Also a
    builtin ``TimeoutError``, so ``except TimeoutError`` catches it whichever of the two names
    is in scope."""

    code = b.LX_ERR_TIMEOUT


class ConnectionError(LeanixError, builtins.ConnectionError):  # noqa: A001
    """The connection could not be made or broke. Also a builtin ``ConnectionError``."""

    code = b.LX_ERR_CONNECT


class TLSError(LeanixError):
    """The TLS handshake failed (untrusted certificate, wrong name)."""

    code = b.LX_ERR_TLS


class InvalidResponseError(LeanixError):
    """The server's answer is not what LeanIX sends (e.g. a token response without a token),
    or a paged GraphQL query broke the paging rule (a page without ``pageInfo``, a repeated
    cursor, ``hasNextPage`` without ``endCursor``)."""

    code = b.LX_ERR_INVALID_RESPONSE


class JSONDecodeError(InvalidResponseError, ValueError):
    """``Response.json()`` on a body that is not JSON. Also a ``ValueError``, as the error of
    ``requests``' and ``httpx``'s ``json()`` is, so ``except ValueError`` catches it."""


class GraphQLError(LeanixError):
    """A GraphQL response carried errors (HTTP 200 with a non-empty ``errors`` array).

    ``errors`` is that array (each a dict with ``message`` and, where the server sent them,
    ``path``, ``locations`` and ``extensions`` with ``errorType``, e.g. ``"REVISION_CLASH"``);
    ``data`` the partial data that came with them (``None`` if there was none);
    ``error_types`` the ``extensions.errorType`` of each error."""

    code = b.LX_ERR_GRAPHQL

    def __init__(self, message: str, *, errors: Optional[List[Dict[str, Any]]] = None,
                 data: Any = None, **fields: Any) -> None:
        super().__init__(message, **fields)
        self.errors: List[Dict[str, Any]] = list(errors or [])
        self.data = data

    @property
    def error_types(self) -> List[Optional[str]]:
        """``extensions.errorType`` of each error (``None`` where absent)."""
        out: List[Optional[str]] = []
        for e in self.errors:
            ext = e.get("extensions") if isinstance(e, dict) else None
            out.append(ext.get("errorType") if isinstance(ext, dict) else None)
        return out

    def _fields(self) -> Dict[str, Any]:
        return {**super()._fields(), "errors": self.errors, "data": self.data}


class RedirectError(LeanixError):
    """A redirect to another origin was refused (credentials never leave the configured host);
    ``response`` is the redirect."""

    code = b.LX_ERR_REDIRECT


class CancelledError(LeanixError):
    """The call was cancelled: its client was closed (by another thread or task) while it ran.
    (Ctrl-C raises ``KeyboardInterrupt`` and a cancelled asyncio task ``asyncio.CancelledError``
    instead.)"""

    code = b.LX_ERR_CANCELLED


class ForkedError(LeanixError):
    """The client was created in the parent process before ``fork()``; create a new one."""

    code = b.LX_ERR_FORKED


class PanicError(LeanixError):
    """An internal error (a bug) was caught at the library boundary."""

    code = b.LX_ERR_PANIC


class ItemNotFoundError(LeanixError, KeyError):
    """``LX_ERR_NOT_FOUND``: an item asked of the library does not exist. The package handles
    the cases where the library reports it (an absent header is a ``KeyError`` of
    ``Response.headers``), so this is not raised by its calls; a 404 is ``NotFoundError``."""

    code = b.LX_ERR_NOT_FOUND


class ResponseTooLargeError(LeanixError):
    """The response body is larger than ``max_response_bytes``, or a paged GraphQL query has
    more pages than ``max_pages``. The library stopped reading at the limit."""

    code = b.LX_ERR_TOO_LARGE


class RecursiveCallError(LeanixError, RuntimeError):
    """A blocking call was made from inside a library callback (``on_event``), where it would
    wait for itself. Make it from another thread, or use ``AsyncClient``."""

    code = b.LX_ERR_RECURSIVE_CALL


class RunFailedError(LeanixError):
    """An LDIF run ended ``FAILED`` or ``STOPPED``, or finished with ``ERROR`` warnings.
    ``run`` is its ``leanix.RunResult`` (status, progress, every warning)."""

    code = b.LX_ERR_RUN_FAILED


class ClosedError(InvalidArgumentError):
    """The client was closed (``close()`` or the end of its ``with`` block) and cannot be used."""


#: status code -> exception class
ERRORS_BY_CODE: Dict[int, Type[LeanixError]] = {
    cls.code: cls
    for cls in (
        InvalidArgumentError, ConfigError, InvalidCredentialsError, UnauthorizedError,
        ForbiddenError, RateLimitedError, HTTPError, TimeoutError, ConnectionError, TLSError,
        InvalidResponseError, GraphQLError, RedirectError, CancelledError, ForkedError,
        PanicError, ItemNotFoundError, ResponseTooLargeError, RecursiveCallError,
        RunFailedError,
    )
}
ERRORS_BY_CODE[b.LX_ERR_NULL_ARG] = InvalidArgumentError

#: HTTP status -> the subclass of HTTPError raised for it (when the library says LX_ERR_HTTP)
HTTP_ERRORS: Dict[int, Type[LeanixError]] = {404: NotFoundError}

#: status code -> name (``9: "LX_ERR_TIMEOUT"``), from the one list in ``_status``
STATUS_NAMES: Dict[int, str] = {
    value: name for name, value in vars(b).items() if name.startswith("LX_")
}


def _text(raw: Optional[bytes]) -> Optional[str]:
    return raw.decode("utf-8", "replace") if raw is not None else None


def error_from_status(lib: ctypes.CDLL, status: int, err: Any) -> LeanixError:
    """Builds the exception for a failed call and frees the lx_error (if any). ``err`` is a
    ``c_void_p`` or the handle as an int."""
    cls = ERRORS_BY_CODE.get(status, LeanixError)
    ptr = err.value if isinstance(err, ctypes.c_void_p) else err
    if not ptr:
        name = lib.lx_status_str(status).decode("ascii", "replace")
        return cls(name, status_code=status)
    from ._response import borrowed_response  # (imported here: _response imports this module)
    from ._managed import take_text

    try:
        code = lib.lx_error_code(ptr)
        cls = ERRORS_BY_CODE.get(code, cls)
        message = _text(lib.lx_error_message(ptr)) or ""
        http = lib.lx_error_http_status(ptr) or None
        if code == b.LX_ERR_HTTP and http in HTTP_ERRORS:
            cls = HTTP_ERRORS[http]
        retry_ms = lib.lx_error_retry_after_ms(ptr)
        fields: Dict[str, Any] = {
            "status_code": code,
            "http_status": http,
            "oauth_error": _text(lib.lx_error_oauth_error(ptr)),
            "retry_after": retry_ms / 1000.0 if retry_ms >= 0 else None,
            "reason": _text(lib.lx_error_reason(ptr)),
        }
        resp = ctypes.c_void_p()
        if lib.lx_error_response(ptr, ctypes.byref(resp)) == b.LX_OK and resp.value:
            fields["response"] = borrowed_response(lib, resp.value)
        if code == b.LX_ERR_GRAPHQL:
            out = ctypes.c_void_p()
            size = ctypes.c_size_t()
            if lib.lx_error_graphql_json(ptr, ctypes.byref(out), ctypes.byref(size)) == b.LX_OK:
                details = _json.loads(take_text(lib, out, size.value))
                fields["errors"] = details.get("errors") or []
                fields["data"] = details.get("data")
        run = None
        if code not in (b.LX_ERR_NULL_ARG, b.LX_ERR_INVALID_ARG, b.LX_ERR_CONFIG):
            out = ctypes.c_void_p()
            size = ctypes.c_size_t()
            if lib.lx_error_run_json(ptr, ctypes.byref(out), ctypes.byref(size)) == b.LX_OK:
                from ._integration import RunResult

                run = RunResult.from_json(_json.loads(take_text(lib, out, size.value)))
    finally:
        lib.lx_free(ptr)
    if not message:
        message = lib.lx_status_str(code).decode("ascii", "replace")
    error = cls(message, **fields)
    error.run = run  # (see LeanixError.run)
    return error


def check(lib: ctypes.CDLL, status: int, err: ctypes.c_void_p) -> None:
    """Raises the exception for ``status`` unless it is ``LX_OK``; frees the lx_error."""
    if status != b.LX_OK:
        e = error_from_status(lib, status, err)
        err.value = None
        raise e


__all__ = [name for name, v in list(globals().items())
           if isinstance(v, type) and issubclass(v, LeanixError)]
