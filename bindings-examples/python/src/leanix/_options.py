"""The client options: one table.

``OPTIONS`` is the only place that lists them. ``Client()`` takes each as a keyword argument
(its explicit signature is checked against this table by ``tests/test_client.py``), and the
lx_options key, the conversion of the value and the documentation of ``Client`` all come from
here. Defaults and bounds are the library's: see ``lx_options_set`` in leanix.h.
"""

from __future__ import annotations

import ctypes
import os
from dataclasses import dataclass
from typing import Any, Callable, List, Mapping, Optional, Tuple, Union

from ._convert import cstr, flag, millis
from ._errors import check
from ._events import TRAMPOLINE


@dataclass(frozen=True)
class Option:
    """One keyword argument of ``Client``: its lx_options key, how a value becomes the string
    that ``lx_options_set`` takes, the Python type it accepts and what it does."""

    name: str
    key: str
    convert: Callable[[Any, str], Union[str, bytes]]
    accepts: str
    doc: str


def _text(value: Any, what: str) -> str:
    return str(value)


def _path(value: Any, what: str) -> Union[str, bytes]:
    path: Union[str, bytes] = os.fspath(value)  # a bytes path stays bytes
    return path


def _pem(value: Any, what: str) -> str:
    return value.decode("ascii") if isinstance(value, bytes) else str(value)


def _integer(value: Any, what: str) -> str:
    return str(int(value))


def _fraction(value: Any, what: str) -> str:
    return repr(float(value))


_SECONDS = "seconds"

#: Every option of ``Client``, in the order of the lx_options_set table in leanix.h.
OPTIONS: Tuple[Option, ...] = (
    Option("allow_insecure_loopback", "allow_insecure_loopback", flag, "bool",
           "allow ``http://`` to 127.0.0.1/localhost (tests, the sandbox)"),
    Option("connect_timeout", "connect_timeout_ms", millis, _SECONDS,
           "the time to connect (TCP and TLS)"),
    Option("token_timeout", "token_timeout_ms", millis, _SECONDS,
           "the time one token exchange may take"),
    Option("request_timeout", "request_timeout_ms", millis, _SECONDS,
           "the time one API request may take"),
    Option("proxy", "proxy", _text, "str",
           "a proxy URL for all requests (default: ``HTTPS_PROXY``/``NO_PROXY``)"),
    Option("ca_file", "ca_file", _path, "str or path",
           "a PEM file of extra CA certificates to trust"),
    Option("ca_pem", "ca_pem", _pem, "str or bytes",
           "PEM text of extra CA certificates to trust"),
    Option("user_agent", "user_agent", _text, "str", "the User-Agent header"),
    Option("max_attempts", "max_attempts", _integer, "int",
           "attempts per API request, retries included"),
    Option("token_attempts", "token_attempts", _integer, "int",
           "attempts per token exchange, retries included"),
    Option("retry_base_delay", "retry_base_delay_ms", millis, _SECONDS,
           "the first backoff delay (full jitter, doubling)"),
    Option("retry_max_delay", "retry_max_delay_ms", millis, _SECONDS,
           "the largest backoff delay"),
    Option("max_retry_after", "max_retry_after_ms", millis, _SECONDS,
           "the longest ``Retry-After`` waited for; a longer one is raised at once"),
    Option("refresh_ahead", "refresh_ahead", _fraction, "float",
           "the fraction of a token's lifetime after which it is refreshed in the background"),
    Option("refresh_on_expiry_only", "refresh_on_expiry_only", flag, "bool",
           "no refresh ahead: requests wait for an exchange when the token is due"),
    Option("invalid_credentials_ttl", "invalid_credentials_ttl_ms", millis, _SECONDS,
           "how long a rejected API token is answered from memory before another exchange"),
    Option("failed_refresh_backoff", "failed_refresh_backoff_ms", millis, _SECONDS,
           "the pause after a failed background refresh"),
    Option("expiry_margin", "expiry_margin_ms", millis, _SECONDS,
           "how long before expiry a token is no longer used"),
)

NAMES: Tuple[str, ...] = tuple(o.name for o in OPTIONS)
_BY_NAME = {o.name: o for o in OPTIONS}


def settings(
    host: Optional[str],
    api_token: Optional[str],
    values: Mapping[str, Any],
    raw_options: Optional[Mapping[str, str]],
) -> List[Tuple[str, bytes]]:
    """The (key, value) pairs to set, in order: host, API token, the options given (``None``
    means not given), then ``raw_options`` as they are. Every value is checked and converted
    here, before anything reaches the library."""
    out: List[Tuple[str, bytes]] = []
    if host is not None:
        out.append(("host", cstr(host, "host")))
    if api_token is not None:
        out.append(("api_token", cstr(api_token, "api_token")))
    for name, value in values.items():
        if value is not None:
            option = _BY_NAME[name]
            out.append((option.key, cstr(option.convert(value, name), name)))
    for key, value in (raw_options or {}).items():
        out.append((key, cstr(value, f"option {key}")))
    return out


def build_client(
    lib: ctypes.CDLL, pairs: List[Tuple[str, bytes]], callback_id: int
) -> int:
    """Builds an lx_client from ``pairs`` (and the event callback registered as
    ``callback_id``, 0 for none) through a temporary lx_options; returns the client pointer."""
    opts = ctypes.c_void_p()
    err = ctypes.c_void_p()
    check(lib, lib.lx_options_new(ctypes.byref(opts), ctypes.byref(err)), err)
    try:
        for key, value in pairs:
            check(lib, lib.lx_options_set(opts, cstr(key, "option key"), value,
                                          ctypes.byref(err)), err)
        if callback_id:
            check(lib, lib.lx_options_set_event_callback(
                opts, TRAMPOLINE, ctypes.c_void_p(callback_id), ctypes.byref(err)), err)
        client = ctypes.c_void_p()
        check(lib, lib.lx_client_build(opts, ctypes.byref(client), ctypes.byref(err)), err)
    finally:
        lib.lx_free(opts)
    assert client.value is not None
    return client.value


def describe() -> str:
    """The options section of ``Client``'s docstring, generated from ``OPTIONS``."""
    lines = ["Options (keyword-only; ``None`` leaves the library's default, see ``lx_options_set``",
             "in leanix.h, which also gives the bounds; durations are seconds, int or float):", ""]
    for o in OPTIONS:
        lines.append(f"    ``{o.name}`` ({o.accepts}; key ``{o.key}``): {o.doc}.")
    lines += [
        "    ``on_event`` (``callable(kind: str, details: dict)``): called for every event;",
        "        token events on a library thread, ``retry`` and ``token_rejected`` on the thread",
        "        that made the call, from inside it (see ``leanix.EventCallback``).",
        "    ``raw_options`` (mapping of str to str): any lx_options key, passed as is.",
    ]
    return "\n".join(lines)
