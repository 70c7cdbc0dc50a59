"""Python values to the bytes the C ABI takes: strings, header blocks, bodies, durations.

Everything is checked here, before a call reaches the library, where a ctypes conversion would
otherwise lose information silently (a NUL cuts a ``c_char_p``).
"""

from __future__ import annotations

import json as _json
import math
import re
from urllib.parse import urlencode
from typing import Any, Iterable, List, Mapping, Tuple, Union

from ._errors import InvalidArgumentError

HeadersArg = Union[Mapping[str, str], Iterable[Tuple[str, str]], None]
BodyArg = Union[bytes, bytearray, memoryview, str, None]


def cstr(value: Union[str, bytes], what: str) -> bytes:
    """UTF-8 bytes for a ``const char *``; refuses NUL (ctypes would cut the string there)."""
    if isinstance(value, str):
        try:
            raw = value.encode("utf-8")
        except UnicodeEncodeError as e:
            raise InvalidArgumentError(f"{what} is not valid Unicode text ({e.reason})") from None
    elif isinstance(value, (bytes, bytearray)):
        raw = bytes(value)
    else:
        raise TypeError(f"{what} must be str, not {type(value).__name__}")
    if b"\0" in raw:
        raise InvalidArgumentError(f"{what} contains a NUL character")
    return raw


# RFC 9110 token characters for header names.
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")


def header_lines(headers: HeadersArg) -> List[Tuple[str, str]]:
    """The (name, value) pairs of a headers argument, checked: token names, ASCII values
    without line breaks or NUL."""
    if headers is None:
        return []
    items = headers.items() if isinstance(headers, Mapping) else headers
    out: List[Tuple[str, str]] = []
    for name, value in items:
        if not isinstance(name, str) or not isinstance(value, str):
            raise TypeError("header names and values must be str")
        if not _TOKEN.match(name):
            raise InvalidArgumentError(f"{name[:40]!r} is not a valid header name")
        if any(c in value for c in "\r\n\0"):
            raise InvalidArgumentError(
                f"the value of header {name} contains a line break or NUL"
            )
        if not value.isascii():
            # Decision: header values are ASCII. HTTP gives non-ASCII bytes no defined charset
            # and LeanIX does not expect any; encode such text yourself (e.g. percent-encoding).
            raise InvalidArgumentError(
                f"the value of header {name} contains non-ASCII characters; "
                "encode it (e.g. percent-encoding) first"
            )
        out.append((name, value))
    return out


def request_body(json: Any, data: BodyArg, headers: List[Tuple[str, str]]) -> bytes:
    """The body of a request from ``json=`` or ``data=`` (at most one of them is not None);
    adds ``Content-Type: application/json`` to ``headers`` for ``json=`` unless one is there."""
    if json is not None:
        if not any(n.lower() == "content-type" for n, _ in headers):
            headers.append(("Content-Type", "application/json"))
        return _json.dumps(json, ensure_ascii=False).encode("utf-8")
    if data is None:
        return b""
    if isinstance(data, str):
        return data.encode("utf-8")
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    raise TypeError(f"data must be bytes or str, not {type(data).__name__}")


def header_block(headers: List[Tuple[str, str]]) -> bytes:
    """The ``"Name: value\\n"`` block that ``lx_request`` takes."""
    return "".join(f"{n}: {v}\n" for n, v in headers).encode("ascii")


def millis(seconds: Any, what: str) -> str:
    """A duration in seconds (int or float) as the whole milliseconds lx_options takes,
    rounded up so that a small positive duration never becomes 0."""
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise TypeError(f"{what} must be a number of seconds")
    if not math.isfinite(seconds) or seconds < 0:
        raise InvalidArgumentError(f"{what} must be a non-negative number of seconds")
    return str(int(math.ceil(seconds * 1000)))


def flag(value: Any, what: str) -> str:
    """A truth value as ``"1"`` or ``"0"``."""
    return "1" if value else "0"


ParamsArg = Union[Mapping[str, Any], Iterable[Tuple[str, Any]], str, bytes, None]


def _param_value(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


def with_params(path: Union[str, bytes], params: ParamsArg) -> Union[str, bytes]:
    """``path`` with ``params`` added to its query string, as requests and httpx do: a mapping
    or (name, value) pairs; a list or tuple value repeats the name; ``None`` values are left
    out; ``True``/``False`` are ``true``/``false`` (as httpx, and as LeanIX expects); a str is
    an already encoded query."""
    if params is None:
        return path
    if isinstance(path, bytes):
        path = path.decode("utf-8")
    if isinstance(params, (str, bytes)):
        query = params.decode("utf-8") if isinstance(params, bytes) else params
    else:
        items = params.items() if isinstance(params, Mapping) else params
        pairs: List[Tuple[str, str]] = []
        for name, value in items:
            values = value if isinstance(value, (list, tuple)) else [value]
            pairs.extend((str(name), _param_value(v)) for v in values if v is not None)
        query = urlencode(pairs)
    if not query:
        return path
    base, _, fragment = path.partition("#")
    sep = "&" if "?" in base else "?"
    if base.endswith(("?", "&")):
        sep = ""
    return base + sep + query + ("#" + fragment if fragment else "")


def timeout_ms(seconds: Any) -> int:
    """A per-call ``timeout=`` in seconds as the milliseconds of
    ``lx_call_options_set_timeout_ms`` (at least 1: 0 there means "the client's default")."""
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise TypeError("timeout must be a number of seconds or None")
    if not math.isfinite(seconds) or seconds < 0:
        raise InvalidArgumentError("timeout must be a non-negative number of seconds")
    return max(1, int(math.ceil(seconds * 1000)))
