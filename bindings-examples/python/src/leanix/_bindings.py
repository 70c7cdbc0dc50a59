"""ctypes declarations of every function in leanix.h (ABI generation 1), and its enums.

Conventions (checked against the header by tests/test_bindings.py):

- ``lx_status`` and ``int32_t`` are ``c_int32``; ``size_t`` is ``c_size_t``; ``int64_t`` is
  ``c_int64``; ``uint32_t`` is ``c_uint32``.
- Opaque handles (``lx_client *``, ``lx_options *``, ``lx_response *``, ``lx_error *``) are
  ``c_void_p``; their out-parameters are ``POINTER(c_void_p)``.
- Input strings (``const char *``) are ``c_char_p`` (the wrapper refuses embedded NULs first,
  since a ``c_char_p`` would silently cut the string there). Input byte buffers with a length
  (``headers``, ``body``) are ``c_char_p`` too: ctypes passes a pointer to the ``bytes``
  object's buffer, NULs included, and the length travels beside it.
- Strings the caller OWNS (``char **out_json``, ``char **out_token``) are received as
  ``POINTER(c_void_p)``, never ``c_char_p``: the raw address is needed to ``lx_free`` them.
- Borrowed strings (``lx_error_message``, ``lx_status_str``, header names and values) are
  ``c_char_p`` (ctypes copies them into ``bytes``; nothing to free).
- The borrowed body (``const uint8_t **out_data``) is ``POINTER(c_void_p)`` and read with
  ``ctypes.string_at(ptr, len)``, binary-safe.
"""

from __future__ import annotations

import ctypes
from ctypes import CFUNCTYPE, POINTER, c_char_p, c_int32, c_int64, c_size_t, c_uint32, c_void_p
from typing import Any, Dict, List, Tuple

# Status codes (enum lx_status): defined once, in _status.
from ._status import *  # noqa: E402,F401,F403

# enum lx_event_kind
LX_EVENT_TOKEN_FETCHED = 1
LX_EVENT_TOKEN_REFRESHED = 2
LX_EVENT_TOKEN_FAILED = 3
LX_EVENT_TOKEN_REJECTED = 4
LX_EVENT_RETRY = 5

EVENT_NAMES = {
    LX_EVENT_TOKEN_FETCHED: "token_fetched",
    LX_EVENT_TOKEN_REFRESHED: "token_refreshed",
    LX_EVENT_TOKEN_FAILED: "token_failed",
    LX_EVENT_TOKEN_REJECTED: "token_rejected",
    LX_EVENT_RETRY: "retry",
}

# enum lx_request_flags
LX_REQUEST_DEFAULT = 0
LX_REQUEST_RETRY_SAFE = 1

#: typedef void (*lx_event_callback)(void *userdata, int32_t kind, const char *details_json);
lx_event_callback = CFUNCTYPE(None, c_void_p, c_int32, c_char_p)

_handle = c_void_p
_out_handle = POINTER(c_void_p)
_owned_string_out = POINTER(c_void_p)

#: name -> (restype, argtypes), in the order of leanix.h.
SIGNATURES: Dict[str, Tuple[Any, List[Any]]] = {
    # lx_status lx_client_new(const char *host, const char *api_token,
    #                         struct lx_client **out_client, struct lx_error **err);
    "lx_client_new": (c_int32, [c_char_p, c_char_p, _out_handle, _out_handle]),
    # lx_status lx_client_build(const struct lx_options *options, struct lx_client **out_client,
    #                           struct lx_error **err);
    "lx_client_build": (c_int32, [_handle, _out_handle, _out_handle]),
    # lx_status lx_client_close(const struct lx_client *client, struct lx_error **err);
    "lx_client_close": (c_int32, [_handle, _out_handle]),
    # lx_status lx_get(const struct lx_client *client, const char *path,
    #                  struct lx_response **out_response, struct lx_error **err);
    "lx_get": (c_int32, [_handle, c_char_p, _out_handle, _out_handle]),
    # lx_status lx_request(const struct lx_client *client, const char *method, const char *path,
    #                      const char *headers, size_t headers_len, const uint8_t *body,
    #                      size_t body_len, int32_t flags, struct lx_response **out_response,
    #                      struct lx_error **err);
    "lx_request": (
        c_int32,
        [_handle, c_char_p, c_char_p, c_char_p, c_size_t, c_char_p, c_size_t, c_int32,
         _out_handle, _out_handle],
    ),
    # lx_status lx_graphql(const struct lx_client *client, const char *query,
    #                      const char *variables_json, char **out_json, size_t *out_len,
    #                      struct lx_error **err);
    "lx_graphql": (
        c_int32,
        [_handle, c_char_p, c_char_p, _owned_string_out, POINTER(c_size_t), _out_handle],
    ),
    # lx_status lx_graphql_all(... same as lx_graphql ...);
    "lx_graphql_all": (
        c_int32,
        [_handle, c_char_p, c_char_p, _owned_string_out, POINTER(c_size_t), _out_handle],
    ),
    # lx_status lx_access_token(const struct lx_client *client, char **out_token,
    #                           struct lx_error **err);
    "lx_access_token": (c_int32, [_handle, _owned_string_out, _out_handle]),
    # lx_status lx_claims_json(const struct lx_client *client, char **out_json,
    #                          struct lx_error **err);
    "lx_claims_json": (c_int32, [_handle, _owned_string_out, _out_handle]),
    # lx_status lx_error_code(const struct lx_error *err);
    "lx_error_code": (c_int32, [_handle]),
    # const char *lx_error_message(const struct lx_error *err);  (borrowed)
    "lx_error_message": (c_char_p, [_handle]),
    # int32_t lx_error_http_status(const struct lx_error *err);
    "lx_error_http_status": (c_int32, [_handle]),
    # const char *lx_error_oauth_error(const struct lx_error *err);  (borrowed, may be NULL)
    "lx_error_oauth_error": (c_char_p, [_handle]),
    # int64_t lx_error_retry_after_ms(const struct lx_error *err);
    "lx_error_retry_after_ms": (c_int64, [_handle]),
    # void lx_free(void *ptr);
    "lx_free": (None, [c_void_p]),
    # lx_status lx_options_new(struct lx_options **out_options, struct lx_error **err);
    "lx_options_new": (c_int32, [_out_handle, _out_handle]),
    # lx_status lx_options_set(struct lx_options *options, const char *key, const char *value,
    #                          struct lx_error **err);
    "lx_options_set": (c_int32, [_handle, c_char_p, c_char_p, _out_handle]),
    # lx_status lx_options_set_event_callback(struct lx_options *options,
    #                                         lx_event_callback callback, void *userdata,
    #                                         struct lx_error **err);
    "lx_options_set_event_callback": (
        c_int32,
        [_handle, lx_event_callback, c_void_p, _out_handle],
    ),
    # int32_t lx_response_status(const struct lx_response *response);
    "lx_response_status": (c_int32, [_handle]),
    # lx_status lx_response_body(const struct lx_response *response, const uint8_t **out_data,
    #                            size_t *out_len);  (borrowed)
    "lx_response_body": (c_int32, [_handle, POINTER(c_void_p), POINTER(c_size_t)]),
    # lx_status lx_response_headers(const struct lx_response *response, const char **out_data,
    #                               size_t *out_len);  (borrowed)
    "lx_response_headers": (c_int32, [_handle, POINTER(c_void_p), POINTER(c_size_t)]),
    # size_t lx_response_header_count(const struct lx_response *response);
    "lx_response_header_count": (c_size_t, [_handle]),
    # lx_status lx_response_header(const struct lx_response *response, size_t index,
    #                              const char **out_name, const char **out_value);  (borrowed)
    "lx_response_header": (
        c_int32,
        [_handle, c_size_t, POINTER(c_char_p), POINTER(c_char_p)],
    ),
    # lx_status lx_response_header_get(const struct lx_response *response, const char *name,
    #                                  const char **out_value, struct lx_error **err);
    "lx_response_header_get": (c_int32, [_handle, c_char_p, POINTER(c_char_p), _out_handle]),
    # const char *lx_status_str(int32_t status);  (static)
    "lx_status_str": (c_char_p, [c_int32]),
    # const char *lx_version(void);  (static)
    "lx_version": (c_char_p, []),
    # uint32_t lx_abi_version(void);
    "lx_abi_version": (c_uint32, []),
}


def declare(lib: ctypes.CDLL) -> None:
    """Sets restype and argtypes of every function of the ABI on ``lib``."""
    for name, (restype, argtypes) in SIGNATURES.items():
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = argtypes
