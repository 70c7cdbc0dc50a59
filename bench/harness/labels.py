"""Human names of the measured clients."""

LABELS = {
    "raw-reqwest": "Rust: raw reqwest, fixed Bearer header (floor for the core)",
    "core-async": "Rust: `leanix::Client` (async)",
    "core-blocking": "Rust: `leanix::blocking::Client`",
    "c-abi": "C: `lx_get()` through libleanix.so",
    "wrk": "wrk, fixed Bearer header (the machine's floor)",
    "curl-recipe": "curl recipe: exchange + call, 2 curl processes per request",
    "lx-cli": "`lx get`: one process per request",
    "lx-cli-cached": "`lx get` with the token cache (on by default): one process per request",
    "curl-lx-token": "`curl -H \"Authorization: Bearer $(lx token)\"` with the token cache",
    "c-coldstart": "C: tiny program on libleanix.so (build client, one `lx_get`)",
    "python-leanix": "Python: `leanix` package (ctypes)",
    "python-requests": "Python: hand-coded `requests.Session`",
    "python-httpx": "Python: hand-coded `httpx.Client`",
    "java-hand": "Java: hand-coded `java.net.http.HttpClient`",
    "java-jna": "Java: libleanix over JNA",
    "java-panama": "Java: libleanix over Panama (FFM)",
    "sandbox": "lx-sandbox (the emulator, JWT check + JSON)",
    "static": "static responder (same hyper stack, fixed body)",
}

SHORT = {
    "raw-reqwest": "raw reqwest",
    "core-async": "core async",
    "core-blocking": "core blocking",
    "c-abi": "C ABI",
    "wrk": "wrk",
    "curl-recipe": "curl recipe",
    "lx-cli": "lx CLI",
    "lx-cli-cached": "lx CLI, token cache",
    "curl-lx-token": "curl + lx token",
    "python-leanix": "Python leanix",
    "python-requests": "Python requests",
    "python-httpx": "Python httpx",
    "java-hand": "Java HttpClient",
    "java-jna": "Java JNA",
    "java-panama": "Java Panama",
}


def label(key: str) -> str:
    return LABELS.get(key, key)
