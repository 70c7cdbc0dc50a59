"""The status codes of ``enum lx_status`` in leanix.h: stable numbers, never reused.

This is the one list of them. ``leanix`` re-exports every name here (``leanix.LX_ERR_TIMEOUT``),
``_bindings`` and ``_errors`` import them, and ``tests/test_bindings.py`` checks them against
the header. Nothing but ``LX_*`` constants may be defined in this module: ``leanix/__init__.py``
star-imports it.
"""

LX_OK = 0
LX_ERR_NULL_ARG = 1
LX_ERR_INVALID_ARG = 2
LX_ERR_CONFIG = 3
LX_ERR_INVALID_CREDENTIALS = 4
LX_ERR_UNAUTHORIZED = 5
LX_ERR_FORBIDDEN = 6
LX_ERR_RATE_LIMITED = 7
LX_ERR_HTTP = 8
LX_ERR_TIMEOUT = 9
LX_ERR_CONNECT = 10
LX_ERR_TLS = 11
LX_ERR_INVALID_RESPONSE = 12
LX_ERR_GRAPHQL = 13
LX_ERR_REDIRECT = 14
LX_ERR_CANCELLED = 15
LX_ERR_FORKED = 16
LX_ERR_PANIC = 17
LX_ERR_NOT_FOUND = 18
LX_ERR_TOO_LARGE = 19
LX_ERR_RECURSIVE_CALL = 20
LX_ERR_RUN_FAILED = 21
