"""Finding and loading libleanix.

Search order (the first that exists wins):

1. ``libleanix.so`` next to this file (an installed package carries it there);
2. the path in the ``LEANIX_LIBRARY`` environment variable;
3. the build directory of the repository this package sits in: walking up from this file,
   the first ``target/release/libleanix.so`` or ``target/debug/libleanix.so`` found.

The library is loaded once per process, its ABI generation checked (``lx_abi_version() == 1``)
and every symbol declared (see ``_bindings``).
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
from pathlib import Path
from typing import List, Optional, Tuple

#: The ABI generation this package is written for (``LX_ABI_VERSION`` in leanix.h).
ABI_VERSION = 1

ENV_VAR = "LEANIX_LIBRARY"


class LibraryError(ImportError):
    """libleanix could not be found or loaded, or is of another ABI generation."""


def library_filename() -> str:
    """The platform's file name of the shared library."""
    if sys.platform == "darwin":
        return "libleanix.dylib"
    if sys.platform == "win32":
        return "leanix.dll"
    return "libleanix.so"


def candidates() -> List[Tuple[str, Path]]:
    """Where the library is looked for, in order, with a short description of each place."""
    name = library_filename()
    here = Path(__file__).resolve().parent
    found: List[Tuple[str, Path]] = [("next to the package", here / name)]
    env = os.environ.get(ENV_VAR)
    if env:
        found.append((f"${ENV_VAR}", Path(env)))
    for parent in here.parents:
        target = parent / "target"
        if target.is_dir():
            for profile in ("release", "debug"):
                found.append((f"repository build ({profile})", target / profile / name))
            break
    return found


def find_library() -> Path:
    """The path of the library to load; raises LibraryError listing where it looked."""
    tried = candidates()
    for what, path in tried:
        if path.is_file():
            return path
        if what == f"${ENV_VAR}":
            raise LibraryError(f"{ENV_VAR} is {str(path)!r}, which does not exist")
    looked = "\n".join(f"  - {what}: {path}" for what, path in tried)
    if not os.environ.get(ENV_VAR):
        looked += f"\n  - ${ENV_VAR}: not set"
    raise LibraryError(
        f"cannot find {library_filename()}; looked in:\n{looked}\n"
        f"Build it with `cargo build -p leanix-ffi` (or --release), set {ENV_VAR} to its path, "
        "or install the package with pip after building it."
    )


_lock = threading.Lock()
_lib: Optional[ctypes.CDLL] = None
_path: Optional[Path] = None


def load() -> ctypes.CDLL:
    """The loaded, declared and ABI-checked library (loaded on first call, then cached)."""
    global _lib, _path
    if _lib is not None:
        return _lib
    with _lock:
        if _lib is not None:
            return _lib
        path = find_library()
        try:
            lib = ctypes.CDLL(str(path))
        except OSError as e:
            raise LibraryError(f"cannot load {path}: {e}") from e
        from . import _bindings

        try:
            _bindings.declare(lib)
        except AttributeError as e:
            raise LibraryError(
                f"{path} lacks a symbol this package needs ({e}); is it an old or foreign build?"
            ) from e
        abi = lib.lx_abi_version()
        if abi != ABI_VERSION:
            raise LibraryError(
                f"{path} has ABI generation {abi}, but this package needs {ABI_VERSION}; "
                "install the matching version of the package and the library"
            )
        _path = path
        _lib = lib
        return lib


def library_path() -> Path:
    """The path of the loaded library (loading it if needed)."""
    load()
    assert _path is not None
    return _path
