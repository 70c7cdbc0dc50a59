"""The PEP 517 build backend of the leanix package: maturin, with two defaults of its own.

maturin does the work: it runs cargo (the release profile; see ``[tool.maturin]`` in
pyproject.toml), audits the library's glibc symbols, and writes one ``py3-none-<platform>``
wheel with the library at ``leanix/_native/``, or an sdist that carries the Rust workspace
members the library needs and Cargo.lock. Every hook is maturin's; this module adds three
things, the first two unless the caller gives them itself:

- ``--compatibility pypi`` on Linux: the wheel gets the lowest manylinux tag its symbols allow
  (e.g. ``manylinux_2_34_x86_64``). maturin's PEP 517 hooks otherwise pass ``--compatibility
  off``, which tags the wheel ``linux_<arch>``, a tag PyPI and auditwheel do not accept.
- ``--locked`` when building from the repository (``manifest-path`` leads out of this
  directory): the repository's Cargo.lock is used as it is and never rewritten by pip. An
  sdist carries a trimmed workspace, whose Cargo.lock cargo prunes (offline, no version
  changes), so it is built without.

- A one-line C header for maturin's cffi glue (``<cargo target dir>/header.h``, the place
  maturin looks for one before it runs cbindgen itself). The package loads the library with
  ctypes and never imports that glue, and cffi cannot parse what cbindgen makes of leanix-ffi
  (``LX_MUST_USE`` before every function, defined only in the real header), so the glue
  declares ``lx_abi_version`` alone and the wheel does not depend on how the header evolves.

The caller's own arguments (``MATURIN_PEP517_ARGS``, or ``-C maturin.build-args=...`` /
``--config-settings``) come first and win: ``MATURIN_PEP517_ARGS="--compatibility linux"``
builds a plain ``linux`` wheel, for instance.
"""

from __future__ import annotations

import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional

import maturin

# Architectures PyPI takes manylinux wheels for.
_MANYLINUX_ARCHES = {"x86_64", "aarch64", "i686", "armv7l", "ppc64le", "s390x"}


def _callers_args(config_settings: Optional[Mapping[str, Any]]) -> List[str]:
    """The maturin arguments the caller gave, the way maturin reads them."""
    given = None
    if config_settings:
        given = config_settings.get("maturin.build-args", config_settings.get("build-args"))
    if given is None:
        return shlex.split(os.environ.get("MATURIN_PEP517_ARGS", ""))
    return shlex.split(given) if isinstance(given, str) else list(given)


def _has(args: List[str], *flags: str) -> bool:
    return any(a == f or a.startswith(f + "=") for a in args for f in flags)


def _manifest_path() -> str:
    """``[tool.maturin] manifest-path`` of pyproject.toml (the hooks run in its directory)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # maturin depends on tomli before 3.11
        import tomli as tomllib
    with open("pyproject.toml", "rb") as f:
        manifest = tomllib.load(f).get("tool", {}).get("maturin", {}).get("manifest-path", "")
    return str(manifest).replace("\\", "/")


def _builds_from_repository() -> bool:
    """True when manifest-path leads out of the project directory (the repository checkout);
    an sdist's points inside it."""
    return _manifest_path().startswith("../")


_GLUE_HEADER = (
    "/* For maturin's cffi glue only (leanix/_native/__init__.py, ffi.py), which the leanix\n"
    " * package never imports: it loads the library with ctypes. See\n"
    " * bindings-examples/python/_build_backend/leanix_build_backend.py. */\n"
    "uint32_t lx_abi_version(void);\n"
)


def _write_glue_header() -> None:
    """Puts the header for maturin's cffi glue where maturin looks first: the cargo target
    directory of the crate (what ``cargo metadata`` says, as maturin asks it)."""
    manifest = Path(_manifest_path() or "Cargo.toml").resolve()
    cargo = shutil.which("cargo")
    target = None
    if cargo:
        r = subprocess.run([cargo, "metadata", "--format-version", "1", "--no-deps",
                            "--manifest-path", str(manifest)], capture_output=True, text=True)
        if r.returncode == 0:
            target = Path(json.loads(r.stdout)["target_directory"])
    if target is None:  # no cargo yet (maturin may install it): the workspace default
        env = os.environ.get("CARGO_TARGET_DIR")
        target = Path(env) if env else manifest.parent.parent / "target"
    target.mkdir(parents=True, exist_ok=True)
    header = target / "header.h"
    if header.is_file() and header.read_text(errors="replace") == _GLUE_HEADER:
        return
    tmp = target / f"header.h.{os.getpid()}.tmp"
    tmp.write_text(_GLUE_HEADER)
    os.replace(tmp, header)  # atomic: builds sharing the target directory may run at once


def _settings(config_settings: Optional[Mapping[str, Any]]) -> Dict[str, Any]:
    args = _callers_args(config_settings)
    if (sys.platform.startswith("linux") and platform.machine() in _MANYLINUX_ARCHES
            and not _has(args, "--compatibility", "--manylinux")):
        args += ["--compatibility", "pypi"]
    if _builds_from_repository() and not _has(args, "--locked", "--frozen"):
        args.append("--locked")
    settings = {k: v for k, v in (config_settings or {}).items() if k != "build-args"}
    settings["maturin.build-args"] = args
    return settings


def build_wheel(wheel_directory: str, config_settings: Optional[Mapping[str, Any]] = None,
                metadata_directory: Optional[str] = None) -> str:
    """PEP 517: maturin's ``build_wheel`` with the defaults above."""
    _write_glue_header()
    return str(maturin.build_wheel(wheel_directory, _settings(config_settings),
                                   metadata_directory))


def build_editable(wheel_directory: str, config_settings: Optional[Mapping[str, Any]] = None,
                   metadata_directory: Optional[str] = None) -> str:
    """PEP 660: maturin's ``build_editable`` with the defaults above."""
    _write_glue_header()
    return str(maturin.build_editable(wheel_directory, _settings(config_settings),
                                      metadata_directory))


def prepare_metadata_for_build_wheel(metadata_directory: str,
                                     config_settings: Optional[Mapping[str, Any]] = None) -> str:
    """PEP 517: maturin's ``prepare_metadata_for_build_wheel`` with the defaults above."""
    return str(maturin.prepare_metadata_for_build_wheel(metadata_directory,
                                                        _settings(config_settings)))


prepare_metadata_for_build_editable = prepare_metadata_for_build_wheel
build_sdist = maturin.build_sdist
get_requires_for_build_wheel = maturin.get_requires_for_build_wheel
get_requires_for_build_editable = maturin.get_requires_for_build_editable
get_requires_for_build_sdist = maturin.get_requires_for_build_sdist
