"""The client options: one table.

``OPTIONS`` is the only place that lists them. ``Client()`` and ``AsyncClient()`` take each as
a keyword argument (their explicit signature is checked against this table by
``tests/test_client.py``), and the lx_options key, the conversion of the value, the
documentation and the default shown (read from the library with ``lx_options_default``, never
copied) all come from here. Bounds are the library's: see ``lx_options_set`` in leanix.h.
"""

from __future__ import annotations

import ctypes
import os
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple, Union

from ._convert import cstr, flag, millis
from ._errors import check
from ._events import TRAMPOLINE
from ._library import load
from ._status import LX_OK


@dataclass(frozen=True)
class Option:
    """One keyword argument of ``Client``: its lx_options key, how a value becomes the string
    that ``lx_options_set`` takes, the Python type it accepts and what it does."""

    name: str
    key: str
    convert: Callable[[Any, str], Union[str, bytes]]
    accepts: str
    doc: str
    #: the library's text of a value (from lx_options_default) as the Python value
    parse: Callable[[str], Any] = str
    #: the lx_options key for this value, when it depends on the value (else ``key``)
    key_for: Optional[Callable[[Any], str]] = None


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


def _is_switch(value: Any) -> bool:
    return isinstance(value, bool)


def _hosts(value: Any, what: str) -> str:
    """``allowed_instance_hosts=``: a comma-separated str, or an iterable of host names."""
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        raise TypeError(f"{what} must be a str or an iterable of str, not bytes")
    try:
        hosts = list(value)
    except TypeError:
        raise TypeError(f"{what} must be a str or an iterable of str, "
                        f"not {type(value).__name__}") from None
    for host in hosts:
        if not isinstance(host, str):
            raise TypeError(f"{what} must hold host names as str, not {type(host).__name__}")
        if "," in host:
            raise ValueError(f"{what}: the host {host!r} holds a comma")
    return ",".join(hosts)


def _cache(value: Any, what: str) -> Union[str, bytes]:
    """``token_cache=``: a bool turns the cache on or off, a path puts it there."""
    if _is_switch(value):
        return flag(value, what)
    if isinstance(value, (str, bytes, os.PathLike)):
        return _path(value, what)
    raise TypeError(f"{what} must be a bool or a directory path, not {type(value).__name__}")


def _cache_key(value: Any) -> str:
    return "token_cache" if _is_switch(value) else "token_cache_dir"


def _seconds_of(text: str) -> float:
    return int(text) / 1000.0


def _flag_of(text: str) -> bool:
    return text.strip() not in ("0", "false", "")


def _millis(name: str, doc: str) -> Option:
    """A duration: seconds in Python, the key ``<name>_ms`` in milliseconds."""
    return Option(name, f"{name}_ms", millis, "seconds", doc, parse=_seconds_of)


def _switch(name: str, doc: str) -> Option:
    """A bool, its key the keyword's name."""
    return Option(name, name, flag, "bool", doc, parse=_flag_of)


def _whole(name: str, doc: str) -> Option:
    """An int, its key the keyword's name."""
    return Option(name, name, _integer, "int", doc, parse=int)


#: Every option of ``Client``, in the order of the lx_options_set table in leanix.h.
OPTIONS: Tuple[Option, ...] = (
    _switch("insecure_loopback",
            "allow ``http://`` to a loopback host (localhost, 127.0.0.0/8, ::1: tests, the "
            "sandbox); unset, ``LEANIX_INSECURE_LOOPBACK=1`` in the environment turns it on"),
    _switch("allow_insecure_loopback", "the older spelling of ``insecure_loopback``, kept working"),
    _millis("connect_timeout", "the time to connect (TCP and TLS)"),
    _millis("token_timeout", "the time one token exchange may take"),
    _millis("request_timeout",
            "the deadline of a whole call (token exchange, every attempt and every wait); "
            "``timeout=`` sets it per call"),
    Option("proxy", "proxy", _text, "str",
           "a proxy URL for all requests (default: ``HTTPS_PROXY``, else ``ALL_PROXY``, and "
           "``NO_PROXY``; one of a scheme other than http/https is refused)"),
    Option("ca_file", "ca_file", _path, "str or path",
           "a PEM file of extra CA certificates to trust"),
    Option("ca_pem", "ca_pem", _pem, "str or bytes",
           "PEM text of extra CA certificates to trust"),
    Option("user_agent", "user_agent", _text, "str", "the User-Agent header"),
    _whole("max_attempts", "attempts per API request, retries included"),
    _whole("token_attempts", "attempts per token exchange, retries included"),
    _millis("retry_base_delay", "the first backoff delay (full jitter, doubling)"),
    _millis("retry_max_delay", "the largest backoff delay"),
    _millis("max_retry_after",
            "the longest ``Retry-After`` waited for; a longer one is raised at once"),
    Option("refresh_ahead", "refresh_ahead", _fraction, "float",
           "the fraction of a token's lifetime after which it is refreshed in the background",
           parse=float),
    _switch("refresh_on_expiry_only",
            "no refresh ahead: requests wait for an exchange when the token is due"),
    _millis("invalid_credentials_ttl",
            "how long a rejected API token is answered from memory before another exchange"),
    _millis("failed_refresh_backoff", "the pause after a failed background refresh"),
    _millis("expiry_margin", "how long before expiry a token is no longer used"),
    _whole("max_response_bytes",
           "the largest response body read; a larger one raises ``ResponseTooLargeError``"),
    _switch("adaptive_pacing", "after a 429, pace requests at a rate that recovers gradually"),
    _whole("max_requests_per_minute",
           "never more requests per minute from this client, all threads together (0: no "
           "fixed limit)"),
    _millis("reauth_interval", "at most one 401-triggered token exchange per interval"),
    _whole("max_pages",
           "the most pages a paging walk (GraphQL or REST) fetches; more raise "
           "``ResponseTooLargeError``"),
    Option("token_cache", "token_cache", _cache, "bool or path",
           "share the access token with other processes of this user through a file (one "
           "exchange for all of them); a path puts the file in that directory (key "
           "``token_cache_dir``); ``forget_token()`` removes it. The file holds a bearer token "
           "readable by the same user", parse=_flag_of, key_for=_cache_key),
    _switch("route_by_instance_url",
            "send API calls to the access token's ``instanceUrl`` when it is ``https://`` under "
            "the host's registrable domain or allowed (the token endpoint stays the host)"),
    Option("allowed_instance_hosts", "allowed_instance_hosts", _hosts, "str or list of str",
           "hosts routing may also go to, whatever their domain: a list, or one "
           "comma-separated str"),
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
            key = option.key_for(value) if option.key_for else option.key
            out.append((key, cstr(option.convert(value, name), name)))
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


def defaults(lib: Optional[ctypes.CDLL] = None) -> Dict[str, Any]:
    """The library's default of every option that has one, by keyword name, as the Python
    value (durations in seconds): ``{"request_timeout": 60.0, "max_attempts": 3, ...}``.
    Read from the loaded library with ``lx_options_default``, so never out of date."""
    if lib is None:
        lib = load()
    out: Dict[str, Any] = {}
    for o in OPTIONS:
        value = ctypes.c_char_p()
        if lib.lx_options_default(o.key.encode("ascii"), ctypes.byref(value)) == LX_OK:
            out[o.name] = o.parse((value.value or b"").decode("ascii"))
    return out


def describe(lib: Optional[ctypes.CDLL] = None) -> str:
    """The options section of ``Client``'s docstring, generated from ``OPTIONS`` (with the
    library's defaults when ``lib`` is given)."""
    shown = defaults(lib) if lib is not None else {}
    lines = ["Options (keyword-only; ``None`` leaves the library's default, see ``lx_options_set``",
             "in leanix.h, which also gives the bounds; durations are seconds, int or float):", ""]
    for o in OPTIONS:
        default = f"; default {shown[o.name]!r}" if o.name in shown else ""
        lines.append(f"    ``{o.name}`` ({o.accepts}; key ``{o.key}``{default}): {o.doc}.")
    lines += [
        "    ``on_event`` (``callable(kind: str, details: dict)``): called for every event;",
        "        token events on a library thread, ``retry``, ``token_rejected`` and ``pacing``",
        "        on the thread that drives the call, from inside it (see",
        "        ``leanix.EventCallback``). Events also go to the ``leanix`` logger.",
        "    ``check`` (bool, default True): ``False`` makes calls return non-2xx answers",
        "        instead of raising (``Response.raise_for_status()`` raises then); ``check=`` per",
        "        call overrides it.",
        "    ``raw_options`` (mapping of str to str): any lx_options key, passed as is.",
    ]
    return "\n".join(lines)
