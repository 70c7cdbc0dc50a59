"""ctypes declarations of every function in leanix.h (ABI generation 1), and its enums.

Conventions (checked against the header by tests/test_bindings.py):

- ``lx_status`` and ``int32_t`` are ``c_int32``; ``size_t`` is ``c_size_t``; ``int64_t`` is
  ``c_int64``; ``uint32_t`` is ``c_uint32``; ``uint64_t`` is ``c_uint64``.
- Opaque handles (``lx_client *``, ``lx_options *``, ``lx_call_options *``, ``lx_cancel *``,
  ``lx_graphql_pages *``, ``lx_response *``, ``lx_error *``) are ``c_void_p``; their
  out-parameters (and the borrowed ``const lx_response **`` of ``lx_error_response``) are
  ``POINTER(c_void_p)``. Handles are numbers the library never reuses, not addresses.
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
from ctypes import (CFUNCTYPE, POINTER, c_char_p, c_int32, c_int64, c_size_t, c_uint32, c_uint64,
                    c_void_p)
from typing import Any, Dict, List, Tuple

# Status codes (enum lx_status): defined once, in _status.
from ._status import *  # noqa: E402,F401,F403

# enum lx_event_kind
LX_EVENT_TOKEN_FETCHED = 1
LX_EVENT_TOKEN_REFRESHED = 2
LX_EVENT_TOKEN_FAILED = 3
LX_EVENT_TOKEN_REJECTED = 4
LX_EVENT_RETRY = 5
LX_EVENT_PACING = 6
LX_EVENT_TOKEN_LOADED = 7
LX_EVENT_TOKEN_CACHE_IGNORED = 8
LX_EVENT_INSTANCE_ROUTED = 9
LX_EVENT_INSTANCE_REFUSED = 10

EVENT_NAMES = {
    LX_EVENT_TOKEN_FETCHED: "token_fetched",
    LX_EVENT_TOKEN_REFRESHED: "token_refreshed",
    LX_EVENT_TOKEN_FAILED: "token_failed",
    LX_EVENT_TOKEN_REJECTED: "token_rejected",
    LX_EVENT_RETRY: "retry",
    LX_EVENT_PACING: "pacing",
    LX_EVENT_TOKEN_LOADED: "token_loaded",
    LX_EVENT_TOKEN_CACHE_IGNORED: "token_cache_ignored",
    LX_EVENT_INSTANCE_ROUTED: "instance_routed",
    LX_EVENT_INSTANCE_REFUSED: "instance_refused",
}

# enum lx_request_flags
LX_REQUEST_DEFAULT = 0
LX_REQUEST_RETRY_SAFE = 1

# enum lx_ldif_flags
LX_LDIF_DEFAULT = 0
LX_LDIF_TEST = 1
LX_LDIF_NO_WAIT = 2
LX_LDIF_RESULTS = 4

# enum lx_update_flags
LX_UPDATE_DEFAULT = 0
LX_UPDATE_VALIDATE_ONLY = 1

#: typedef void (*lx_event_callback)(void *userdata, int32_t kind, const char *details_json);
lx_event_callback = CFUNCTYPE(None, c_void_p, c_int32, c_char_p)

#: typedef void (*lx_completion_callback)(void *userdata, int32_t status,
#:                                         struct lx_response *response, struct lx_error *error);
#: ``response`` and ``error`` are owned by the callback (one of them is NULL).
lx_completion_callback = CFUNCTYPE(None, c_void_p, c_int32, c_void_p, c_void_p)

_handle = c_void_p
_out_handle = POINTER(c_void_p)
_owned_string_out = POINTER(c_void_p)

#: name -> (restype, argtypes); tests/test_bindings.py checks each against leanix.h.
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
    # lx_status lx_access_token_with(const struct lx_client *client,
    #                                const struct lx_call_options *options, char **out_token,
    #                                struct lx_error **err);
    "lx_access_token_with": (c_int32, [_handle, _handle, _owned_string_out, _out_handle]),
    # lx_status lx_forget_token(const struct lx_client *client, int32_t *out_removed,
    #                           struct lx_error **err);
    "lx_forget_token": (c_int32, [_handle, POINTER(c_int32), _out_handle]),
    # lx_status lx_claims_json(const struct lx_client *client, char **out_json,
    #                          struct lx_error **err);
    "lx_claims_json": (c_int32, [_handle, _owned_string_out, _out_handle]),
    # lx_status lx_claims_json_with(const struct lx_client *client,
    #                               const struct lx_call_options *options, char **out_json,
    #                               struct lx_error **err);
    "lx_claims_json_with": (c_int32, [_handle, _handle, _owned_string_out, _out_handle]),
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
    # lx_status lx_call_options_new(struct lx_call_options **out_options, struct lx_error **err);
    "lx_call_options_new": (c_int32, [_out_handle, _out_handle]),
    # lx_status lx_call_options_set_timeout_ms(struct lx_call_options *options, uint64_t timeout_ms,
    #                                          struct lx_error **err);
    "lx_call_options_set_timeout_ms": (c_int32, [_handle, c_uint64, _out_handle]),
    # lx_status lx_call_options_set_cancel(struct lx_call_options *options,
    #                                      const struct lx_cancel *cancel, struct lx_error **err);
    "lx_call_options_set_cancel": (c_int32, [_handle, _handle, _out_handle]),
    # lx_status lx_call_options_set_operation_name(struct lx_call_options *options,
    #                                              const char *operation_name, struct lx_error **err);
    "lx_call_options_set_operation_name": (c_int32, [_handle, c_char_p, _out_handle]),
    # lx_status lx_call_options_set_revision_clash_retries(struct lx_call_options *options,
    #                                                      int32_t retries, struct lx_error **err);
    "lx_call_options_set_revision_clash_retries": (c_int32, [_handle, c_int32, _out_handle]),
    # lx_status lx_request_with(client, method, path, headers, headers_len, body, body_len, flags,
    #                           const struct lx_call_options *options, out_response, err);
    "lx_request_with": (
        c_int32,
        [_handle, c_char_p, c_char_p, c_char_p, c_size_t, c_char_p, c_size_t, c_int32, _handle,
         _out_handle, _out_handle],
    ),
    # lx_status lx_graphql_with(client, query, variables_json, options, char **out_json,
    #                           size_t *out_len, err);
    "lx_graphql_with": (
        c_int32,
        [_handle, c_char_p, c_char_p, _handle, _owned_string_out, POINTER(c_size_t), _out_handle],
    ),
    # lx_status lx_graphql_all_with(client, query, variables_json, options, &json, &len, &err);
    "lx_graphql_all_with": (
        c_int32,
        [_handle, c_char_p, c_char_p, _handle, _owned_string_out, POINTER(c_size_t), _out_handle],
    ),
    # lx_status lx_request_start(client, method, path, headers, headers_len, body, body_len, flags,
    #                            options, lx_completion_callback callback, void *userdata, err);
    "lx_request_start": (
        c_int32,
        [_handle, c_char_p, c_char_p, c_char_p, c_size_t, c_char_p, c_size_t, c_int32, _handle,
         lx_completion_callback, c_void_p, _out_handle],
    ),
    # lx_status lx_graphql_start(client, query, variables_json, options, callback, userdata, err);
    "lx_graphql_start": (
        c_int32,
        [_handle, c_char_p, c_char_p, _handle, lx_completion_callback, c_void_p, _out_handle],
    ),
    # lx_status lx_cancel_new(struct lx_cancel **out_cancel, struct lx_error **err);
    "lx_cancel_new": (c_int32, [_out_handle, _out_handle]),
    # lx_status lx_cancel_fire(const struct lx_cancel *cancel);  (async-signal-safe)
    "lx_cancel_fire": (c_int32, [_handle]),
    # int32_t lx_cancel_fd(const struct lx_cancel *cancel);  (owned by the library)
    "lx_cancel_fd": (c_int32, [_handle]),
    # lx_status lx_graphql_pages_new(client, query, variables_json, options,
    #                                struct lx_graphql_pages **out_pages, err);
    "lx_graphql_pages_new": (
        c_int32,
        [_handle, c_char_p, c_char_p, _handle, _out_handle, _out_handle],
    ),
    # lx_status lx_graphql_pages_next(struct lx_graphql_pages *pages, char **out_json,
    #                                 size_t *out_len, struct lx_error **err);
    "lx_graphql_pages_next": (
        c_int32,
        [_handle, _owned_string_out, POINTER(c_size_t), _out_handle],
    ),
    # lx_status lx_graphql_pages_next_start(pages, callback, userdata, err);
    "lx_graphql_pages_next_start": (
        c_int32, [_handle, lx_completion_callback, c_void_p, _out_handle],
    ),
    # lx_status lx_rest_pages_new(client, path, options, struct lx_rest_pages **out_pages, err);
    "lx_rest_pages_new": (
        c_int32,
        [_handle, c_char_p, _handle, _out_handle, _out_handle],
    ),
    # lx_status lx_rest_pages_next(struct lx_rest_pages *pages, char **out_json,
    #                              size_t *out_len, struct lx_error **err);
    "lx_rest_pages_next": (
        c_int32,
        [_handle, _owned_string_out, POINTER(c_size_t), _out_handle],
    ),
    # const char *lx_error_reason(const struct lx_error *err);  (borrowed, may be NULL)
    "lx_error_reason": (c_char_p, [_handle]),
    # lx_status lx_error_response(const struct lx_error *err,
    #                             const struct lx_response **out_response);  (borrowed)
    "lx_error_response": (c_int32, [_handle, _out_handle]),
    # lx_status lx_error_graphql_json(const struct lx_error *err, char **out_json,
    #                                 size_t *out_len);  (owned)
    "lx_error_graphql_json": (c_int32, [_handle, _owned_string_out, POINTER(c_size_t)]),
    # lx_status lx_options_default(const char *key, const char **out_value);  (static)
    "lx_options_default": (c_int32, [c_char_p, POINTER(c_char_p)]),
    # lx_status lx_ldif_run(const struct lx_client *client, const char *ldif_json, int32_t flags,
    #                       const struct lx_call_options *options, char **out_json,
    #                       size_t *out_len, struct lx_error **err);
    "lx_ldif_run": (
        c_int32,
        [_handle, c_char_p, c_int32, _handle, _owned_string_out, POINTER(c_size_t), _out_handle],
    ),
    # lx_status lx_rest_pages_next_start(pages, callback, userdata, err);
    "lx_rest_pages_next_start": (
        c_int32, [_handle, lx_completion_callback, c_void_p, _out_handle],
    ),
    # lx_status lx_ldif_run_start(client, ldif_json, flags, options, callback, userdata, err);
    "lx_ldif_run_start": (
        c_int32,
        [_handle, c_char_p, c_int32, _handle, lx_completion_callback, c_void_p, _out_handle],
    ),
    # lx_status lx_error_run_json(const struct lx_error *err, char **out_json,
    #                             size_t *out_len);  (owned)
    "lx_error_run_json": (c_int32, [_handle, _owned_string_out, POINTER(c_size_t)]),
    # lx_status lx_update_fact_sheet(const struct lx_client *client, const char *id,
    #                                const char *patches_json, const char *comment, int32_t flags,
    #                                const struct lx_call_options *options, char **out_json,
    #                                size_t *out_len, struct lx_error **err);
    "lx_update_fact_sheet": (
        c_int32,
        [_handle, c_char_p, c_char_p, c_char_p, c_int32, _handle, _owned_string_out,
         POINTER(c_size_t), _out_handle],
    ),
    # lx_status lx_update_fact_sheet_start(client, id, patches_json, comment, flags, options,
    #                                      callback, userdata, err);
    "lx_update_fact_sheet_start": (
        c_int32,
        [_handle, c_char_p, c_char_p, c_char_p, c_int32, _handle, lx_completion_callback,
         c_void_p, _out_handle],
    ),
    # lx_status lx_ldif_wait(const struct lx_client *client, const char *run_id, int32_t flags,
    #                        const struct lx_call_options *options, char **out_json,
    #                        size_t *out_len, struct lx_error **err);
    "lx_ldif_wait": (
        c_int32,
        [_handle, c_char_p, c_int32, _handle, _owned_string_out, POINTER(c_size_t), _out_handle],
    ),
    # lx_status lx_ldif_wait_start(client, run_id, flags, options, callback, userdata, err);
    "lx_ldif_wait_start": (
        c_int32,
        [_handle, c_char_p, c_int32, _handle, lx_completion_callback, c_void_p, _out_handle],
    ),
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
    # lx_status lx_webhooks_create(client, const char *spec_json, options, char **out_json,
    #                              size_t *out_len, struct lx_error **err);
    "lx_webhooks_create": (
        c_int32, [_handle, c_char_p, _handle, _owned_string_out, POINTER(c_size_t), _out_handle]),
    # lx_status lx_webhooks_list(client, options, char **out_json, size_t *out_len, err);
    "lx_webhooks_list": (
        c_int32, [_handle, _handle, _owned_string_out, POINTER(c_size_t), _out_handle]),
    # lx_status lx_webhooks_delete(client, const char *subscription_id, options, err);
    "lx_webhooks_delete": (c_int32, [_handle, c_char_p, _handle, _out_handle]),
    # lx_status lx_webhooks_fetch(client, const char *subscription_id, options,
    #                             char **out_json, size_t *out_len, err);
    "lx_webhooks_fetch": (
        c_int32, [_handle, c_char_p, _handle, _owned_string_out, POINTER(c_size_t), _out_handle]),
    # lx_status lx_webhooks_fetch_wait(client, const char *subscription_id, options,
    #                                  char **out_json, size_t *out_len, err);
    "lx_webhooks_fetch_wait": (
        c_int32, [_handle, c_char_p, _handle, _owned_string_out, POINTER(c_size_t), _out_handle]),
    # lx_status lx_webhooks_commit(client, const char *subscription_id, uint64_t next_offset,
    #                              options, err);
    "lx_webhooks_commit": (c_int32, [_handle, c_char_p, c_uint64, _handle, _out_handle]),
    # lx_status lx_api_origin(client, char **out_origin, struct lx_error **err);
    "lx_api_origin": (c_int32, [_handle, _owned_string_out, _out_handle]),
    # lx_status lx_api_origin_with(client, const struct lx_call_options *options,
    #                              char **out_origin, struct lx_error **err);
    "lx_api_origin_with": (c_int32, [_handle, _handle, _owned_string_out, _out_handle]),
    # void lx_stop_callbacks(void);  (waits for the callbacks in progress: GIL released)
    "lx_stop_callbacks": (None, []),
}


#: Functions that return at once and never wait for a library thread: they are called with
#: the GIL held (through ``ctypes.PyDLL``). A ``CDLL`` function releases the GIL and takes it
#: back after the call, and while library threads wait for the GIL (completions of
#: asynchronous calls, events) taking it back costs a thread hand-over per call: measured,
#: ``lx_call_options_set_cancel`` took 150 us a call on the event loop with 200 calls in
#: flight, against well under 1 us with the GIL held. Every call that may block or wait (the
#: requests, token access, page walks, building and freeing clients) keeps releasing it, so
#: other Python threads run meanwhile and library threads can always get the GIL.
#: ``lx_free`` is quick for everything but a client (freeing one cancels its calls and stops
#: its refresh): clients are freed with ``FREE_RELEASING_GIL``.
QUICK = frozenset({
    "lx_call_options_new", "lx_call_options_set_timeout_ms", "lx_call_options_set_cancel",
    "lx_call_options_set_operation_name", "lx_call_options_set_revision_clash_retries",
    "lx_request_start", "lx_graphql_start",
    "lx_ldif_run_start", "lx_graphql_pages_next_start", "lx_rest_pages_next_start",
    "lx_update_fact_sheet_start", "lx_ldif_wait_start",
    "lx_cancel_new", "lx_cancel_fire", "lx_cancel_fd",
    "lx_error_code", "lx_error_message", "lx_error_http_status", "lx_error_oauth_error",
    "lx_error_reason", "lx_error_retry_after_ms", "lx_error_response", "lx_error_graphql_json",
    "lx_error_run_json",
    "lx_response_status", "lx_response_body", "lx_response_headers",
    "lx_response_header_count", "lx_response_header", "lx_response_header_get",
    "lx_options_new", "lx_options_set", "lx_options_default", "lx_options_set_event_callback",
    "lx_status_str", "lx_version", "lx_abi_version", "lx_free",
})

#: The attribute of the loaded library that frees with the GIL released (for clients).
FREE_RELEASING_GIL = "lx_free_releasing_gil"


def _declare_one(fn: Any, name: str) -> Any:
    restype, argtypes = SIGNATURES[name]
    fn.restype = restype
    fn.argtypes = argtypes
    return fn


def declare(lib: ctypes.CDLL, quick: "ctypes.PyDLL | None" = None) -> None:
    """Sets restype and argtypes of every function of the ABI on ``lib``; with ``quick`` (the
    same library opened as a ``ctypes.PyDLL``), the ``QUICK`` functions of ``lib`` become
    ``quick``'s, called with the GIL held."""
    for name in SIGNATURES:
        fn = _declare_one(getattr(lib, name), name)
        if quick is not None and name in QUICK:
            if name == "lx_free":
                setattr(lib, FREE_RELEASING_GIL, fn)
            setattr(lib, name, _declare_one(getattr(quick, name), name))
    if not hasattr(lib, FREE_RELEASING_GIL):
        setattr(lib, FREE_RELEASING_GIL, lib.lx_free)
