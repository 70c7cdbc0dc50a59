"""Finding and loading libleanix: the package's one library locator.

Search order (the first that exists wins):

1. the package's own copy, ``leanix/_native/lib_native.so``, which the build backend (maturin,
   see pyproject.toml) compiles in release mode and puts there;
2. the path in the ``LEANIX_LIBRARY`` environment variable (a path that does not exist is an
   error, never a reason to look further);
3. only when this package is the source tree of a checkout
   (``<repo>/bindings-examples/python/src/leanix`` with the workspace's ``Cargo.toml`` and
   ``include/leanix.h`` at ``<repo>``), that checkout's build directory
   (``$CARGO_TARGET_DIR`` or ``<repo>/target``): ``release/libleanix.so`` then
   ``debug/libleanix.so``. An installed package never looks outside itself: a library
   planted in a directory above site-packages is never loaded.

The library is loaded once per process with ctypes, every symbol declared (``_bindings``) and
its ABI generation checked against ``ABI_VERSION``.
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

#: The environment variable naming a library to load instead of searching the repository.
ENV_VAR = "LEANIX_LIBRARY"

#: The directory inside the package that holds its own copy of the library, and that copy's
#: file name per platform (maturin names a cffi module's library ``lib<module>``, see
#: ``module-name`` in pyproject.toml).
PACKAGED_DIR = "_native"
_PACKAGED_NAMES = {"darwin": "lib_native.dylib", "win32": "_native.dll"}
_CARGO_NAMES = {"darwin": "libleanix.dylib", "win32": "leanix.dll"}


class LibraryError(ImportError):
    """libleanix could not be found or loaded, or is of another ABI generation."""


def library_filename() -> str:
    """The platform's file name of the library as cargo builds it (``libleanix.so``)."""
    return _CARGO_NAMES.get(sys.platform, "libleanix.so")


def packaged_library() -> Path:
    """Where an installed package carries its own copy of the library."""
    name = _PACKAGED_NAMES.get(sys.platform, "lib_native.so")
    return Path(__file__).resolve().parent / PACKAGED_DIR / name


def candidates() -> List[Tuple[str, Path]]:
    """Where the library is looked for, in order, with a short description of each place."""
    found: List[Tuple[str, Path]] = [("next to the package", packaged_library())]
    env = os.environ.get(ENV_VAR)
    if env:
        found.append((f"${ENV_VAR}", Path(env)))
    repo = source_checkout()
    if repo is not None:
        target = Path(os.environ.get("CARGO_TARGET_DIR") or repo / "target")
        for profile in ("release", "debug"):
            found.append((f"repository build ({profile})", target / profile / library_filename()))
    return found


def source_checkout() -> Optional[Path]:
    """The repository root if this package is its source tree (not an installed copy)."""
    here = Path(__file__).resolve().parent
    parents = list(here.parents)  # (slicing Path.parents needs Python 3.10)
    if len(parents) < 4 or [p.name for p in parents[:3]] != ["src", "python", "bindings-examples"]:
        return None
    repo = parents[3]
    if (repo / "Cargo.toml").is_file() and (repo / "include" / "leanix.h").is_file():
        return repo
    return None


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
        "Install the package with pip (it builds the library), build it with "
        f"`cargo build --release -p leanix-ffi`, or set {ENV_VAR} to its path."
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
            # The same library again (the loader returns the same handle), for the functions
            # called with the GIL held (_bindings.QUICK).
            quick = ctypes.PyDLL(str(path))
        except OSError as e:
            raise LibraryError(f"cannot load {path}: {e}") from e
        from . import _bindings

        try:
            _bindings.declare(lib, quick)
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


def version() -> str:
    """The version of the loaded libleanix (``"0.1.0"``)."""
    return str(load().lx_version().decode("ascii"))


def abi_version() -> int:
    """The ABI generation of the loaded libleanix."""
    return int(load().lx_abi_version())


def status_name(code: int) -> str:
    """The name of a status code (``"LX_ERR_TIMEOUT"``)."""
    return str(load().lx_status_str(code).decode("ascii"))
