"""The ctypes declarations match leanix.h, and the library is found and checked at load."""

from __future__ import annotations

import ctypes
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

import leanix
from leanix import _bindings, _library

HERE = Path(__file__).resolve().parent


def find_header() -> Path:
    env = os.environ.get("LEANIX_HEADER")
    if env:
        return Path(env)
    for parent in HERE.parents:
        path = parent / "include" / "leanix.h"
        if path.is_file():
            return path
    pytest.skip("include/leanix.h not found (set LEANIX_HEADER)")


def parse_prototypes(text: str) -> Dict[str, Tuple[str, List[str]]]:
    """name -> (return type, [parameter types]) of every function declared in the header."""
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    text = re.sub(r"^\s*#.*$", " ", text, flags=re.M)
    protos: Dict[str, Tuple[str, List[str]]] = {}
    for m in re.finditer(r"([A-Za-z_][\w\s\*]*?)\b(lx_\w+)\s*\(([^()]*)\)\s*;", text):
        ret, name, params = m.group(1), m.group(2), m.group(3)
        ret = " ".join(ret.replace("LX_MUST_USE", "").split())
        if ret.startswith("typedef"):
            continue
        args: List[str] = []
        if params.strip() not in ("", "void"):
            for p in params.split(","):
                p = " ".join(p.split())
                # drop the parameter name: the last identifier
                ptype = re.sub(r"\b\w+$", "", p).strip()
                args.append(ptype)
        protos[name] = (ret, args)
    return protos


def norm(ctype: str) -> str:
    """A C type without const/struct and spaces: `const struct lx_client *` -> `lx_client*`."""
    t = re.sub(r"\b(const|struct)\b", "", ctype)
    return re.sub(r"\s+", "", t)


HANDLES = {"lx_client", "lx_options", "lx_call_options", "lx_cancel", "lx_graphql_pages",
           "lx_rest_pages", "lx_response", "lx_error"}
SCALARS = {
    "lx_status": ctypes.c_int32,
    "int32_t": ctypes.c_int32,
    "uint32_t": ctypes.c_uint32,
    "uint64_t": ctypes.c_uint64,
    "int64_t": ctypes.c_int64,
    "size_t": ctypes.c_size_t,
}


def expected(ctype: str, name: str, position: str) -> List[object]:
    """The ctypes types acceptable for a C type."""
    t = norm(ctype)
    if t == "void":
        return [None]
    if t in SCALARS:
        return [SCALARS[t]]
    if t == "lx_event_callback":
        return [_bindings.lx_event_callback]
    if t == "lx_completion_callback":
        return [_bindings.lx_completion_callback]
    if t == "void*":
        return [ctypes.c_void_p]
    if t.rstrip("*") in HANDLES and t.count("*") == 1:
        return [ctypes.c_void_p]
    if t.rstrip("*") in HANDLES and t.count("*") == 2:
        return [ctypes.POINTER(ctypes.c_void_p)]
    if t == "char*":
        # returned `const char *` are borrowed/static (c_char_p copies them); input strings.
        assert "const" in ctype or position != "return", f"{name}: owned char* return"
        return [ctypes.c_char_p]
    if t == "uint8_t*":
        return [ctypes.c_char_p, ctypes.c_void_p, ctypes.POINTER(ctypes.c_uint8)]
    if t == "char**":
        if "const" in ctype:  # borrowed out-string
            return [ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(ctypes.c_void_p)]
        # OWNED out-string: must keep the raw address to lx_free it; never c_char_p.
        return [ctypes.POINTER(ctypes.c_void_p)]
    if t == "uint8_t**":
        return [ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.POINTER(ctypes.c_uint8))]
    if t == "size_t*":
        return [ctypes.POINTER(ctypes.c_size_t)]
    if t == "int32_t*":
        return [ctypes.POINTER(ctypes.c_int32)]
    raise AssertionError(f"{name}: no rule for C type {ctype!r}")


@pytest.fixture(scope="module")
def prototypes() -> Dict[str, Tuple[str, List[str]]]:
    protos = parse_prototypes(find_header().read_text())
    assert len(protos) >= 20, f"the header parser found only {sorted(protos)}"
    return protos


def test_every_header_function_is_declared(prototypes: Dict[str, Tuple[str, List[str]]]) -> None:
    missing = sorted(set(prototypes) - set(_bindings.SIGNATURES))
    extra = sorted(set(_bindings.SIGNATURES) - set(prototypes))
    assert not missing, f"functions of leanix.h without a declaration in _bindings.py: {missing}"
    assert not extra, f"declared in _bindings.py but not in leanix.h: {extra}"


def test_declarations_match_the_header(prototypes: Dict[str, Tuple[str, List[str]]]) -> None:
    problems = []
    for name, (ret, params) in prototypes.items():
        restype, argtypes = _bindings.SIGNATURES[name]
        if restype not in expected(ret, name, "return"):
            problems.append(f"{name}: returns {ret!r} but restype is {restype}")
        if len(argtypes) != len(params):
            problems.append(f"{name}: {len(params)} parameters in C, {len(argtypes)} declared")
            continue
        for i, (ctype, declared) in enumerate(zip(params, argtypes)):
            if declared not in expected(ctype, name, "param"):
                problems.append(f"{name}: parameter {i} is {ctype!r} but declared {declared}")
    assert not problems, "\n".join(problems)


def test_owned_strings_are_never_c_char_p(prototypes: Dict[str, Tuple[str, List[str]]]) -> None:
    for name, (_, params) in prototypes.items():
        for ctype, declared in zip(params, _bindings.SIGNATURES[name][1]):
            if norm(ctype) == "char**" and "const" not in ctype:
                assert declared is not ctypes.POINTER(ctypes.c_char_p), name


def test_the_loaded_library_carries_the_declarations() -> None:
    lib = _library.load()
    for name, (restype, argtypes) in _bindings.SIGNATURES.items():
        fn = getattr(lib, name)
        assert fn.restype is restype, name
        assert list(fn.argtypes) == list(argtypes), name


def test_status_codes_match_the_library() -> None:
    lib = _library.load()
    for code, cls in leanix._errors.ERRORS_BY_CODE.items():
        name = lib.lx_status_str(code).decode()
        assert getattr(_bindings, name) == code
        assert leanix.status_name(code) == name
    assert leanix.status_name(999) == "LX_ERR_UNKNOWN"


def test_header_constants_match(prototypes: Dict[str, Tuple[str, List[str]]]) -> None:
    text = find_header().read_text()
    for name, value in re.findall(r"\b(LX_(?:OK|ERR_\w+|EVENT_\w+|REQUEST_\w+))\s*=\s*(\d+)", text):
        assert getattr(_bindings, name) == int(value), name
    abi = re.search(r"#define LX_ABI_VERSION (\d+)", text)
    assert abi and int(abi.group(1)) == _library.ABI_VERSION == leanix.abi_version()


def test_every_status_has_an_exception_class() -> None:
    codes = [v for k, v in vars(_bindings).items() if k.startswith("LX_ERR_")]
    for code in codes:
        cls = leanix._errors.ERRORS_BY_CODE[code]
        assert issubclass(cls, leanix.LeanixError)
    err = leanix._errors.error_from_status(_library.load(), 17, ctypes.c_void_p())
    assert isinstance(err, leanix.PanicError) and err.status_code == 17


def _run_isolated(code: str, env_extra: Dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    """Runs `code` with a copy of the package outside the repository (no target/ above)."""
    pkg = tmp_path / "site" / "leanix"
    shutil.copytree(Path(leanix.__file__).parent, pkg,
                    ignore=shutil.ignore_patterns("__pycache__", "libleanix.*", "_native"))
    env = {k: v for k, v in os.environ.items() if k != "LEANIX_LIBRARY"}
    env.update(env_extra)
    env["PYTHONPATH"] = str(pkg.parent)
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env,
                          capture_output=True, text=True, timeout=60, cwd=tmp_path)


def test_library_not_found_lists_where_it_looked(tmp_path: Path) -> None:
    r = _run_isolated(
        """
        import leanix
        try:
            leanix.Client("acme.leanix.net", "t")
        except leanix.LibraryError as e:
            print(e)
        """,
        {},
        tmp_path,
    )
    assert r.returncode == 0, r.stderr
    assert "cannot find libleanix.so" in r.stdout
    assert "next to the package" in r.stdout
    assert "$LEANIX_LIBRARY: not set" in r.stdout


def test_leanix_library_variable_is_used(tmp_path: Path) -> None:
    r = _run_isolated(
        "import leanix; print(leanix.library_path())",
        {"LEANIX_LIBRARY": str(leanix.library_path())},
        tmp_path,
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == str(leanix.library_path())


def test_abi_generation_is_checked_at_load(tmp_path: Path) -> None:
    r = _run_isolated(
        """
        import leanix, leanix._library as L
        L.ABI_VERSION = 2   # pretend this package was written for another ABI generation
        try:
            leanix.version()
        except leanix.LibraryError as e:
            print(e)
        """,
        {"LEANIX_LIBRARY": str(leanix.library_path())},
        tmp_path,
    )
    assert r.returncode == 0, r.stderr
    assert "has ABI generation 1, but this package needs 2" in r.stdout


def test_a_wrong_leanix_library_is_an_error_not_a_fallback(tmp_path: Path) -> None:
    r = _run_isolated(
        """
        import leanix
        try:
            leanix.version()
        except leanix.LibraryError as e:
            print(e)
        """,
        {"LEANIX_LIBRARY": str(tmp_path / "missing.so")},
        tmp_path,
    )
    assert r.returncode == 0, r.stderr
    assert "which does not exist" in r.stdout


def test_defaults_are_the_headers() -> None:
    # leanix.defaults() reads lx_options_default; every LX_DEFAULT_* of the header agrees.
    text = find_header().read_text()
    from leanix import _options

    defaults = leanix.defaults()
    checked = 0
    for option in _options.OPTIONS:
        m = re.search(rf"#define LX_DEFAULT_{option.key.upper()} ([0-9.]+)", text)
        if m:
            assert defaults[option.name] == option.parse(m.group(1)), option.name
            checked += 1
    assert checked >= 14, checked
    assert defaults["request_timeout"] == 60.0  # milliseconds became seconds


def test_installed_package_never_looks_above_itself(tmp_path: Path) -> None:
    # A package outside a checkout ignores a target/ directory above it.
    planted = tmp_path / "target" / "debug"
    planted.mkdir(parents=True)
    (planted / "libleanix.so").symlink_to(leanix.library_path())
    r = _run_isolated(
        """
        import leanix
        try:
            print(leanix.library_path())
        except leanix.LibraryError as e:
            print("refused:", e)
        """,
        {},
        tmp_path,
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("refused:"), r.stdout
    assert "repository build" not in r.stdout


def test_only_calls_that_never_wait_keep_the_gil() -> None:
    # _bindings.QUICK functions are called with the GIL held; anything that may block or wait
    # for a library thread (which may itself wait for the GIL in a callback) must release it.
    lib = _library.load()
    waits = {"lx_get", "lx_request", "lx_request_with", "lx_graphql", "lx_graphql_with",
             "lx_graphql_all", "lx_graphql_all_with", "lx_graphql_pages_new", "lx_graphql_pages_next",
             "lx_rest_pages_new", "lx_rest_pages_next",
             "lx_access_token", "lx_access_token_with", "lx_claims_json", "lx_claims_json_with",
             "lx_client_new", "lx_client_build",
             "lx_client_close", "lx_ldif_run", "lx_ldif_wait", "lx_update_fact_sheet", "lx_forget_token",
             "lx_webhooks_create", "lx_webhooks_list", "lx_webhooks_delete",
             "lx_webhooks_fetch", "lx_webhooks_fetch_wait", "lx_webhooks_commit", "lx_api_origin",
             "lx_api_origin_with", "lx_stop_callbacks"}
    assert _bindings.QUICK <= set(_bindings.SIGNATURES)
    assert not (_bindings.QUICK & waits)
    assert set(_bindings.SIGNATURES) - _bindings.QUICK == waits
    assert isinstance(lib.lx_response_body, ctypes._CFuncPtr)
    # A client is freed with the GIL released (freeing cancels its calls).
    assert getattr(lib, _bindings.FREE_RELEASING_GIL) is not lib.lx_free
    assert lib.lx_free._flags_ & ctypes._FUNCFLAG_PYTHONAPI
    assert not lib.lx_request_with._flags_ & ctypes._FUNCFLAG_PYTHONAPI
