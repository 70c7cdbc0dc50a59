"""Build hook: puts libleanix.so inside the package.

The shared library is taken from $LEANIX_LIBRARY, else from the build directory of the
repository this directory sits in (target/release first, then target/debug). Build it first:

    cargo build --release -p leanix-ffi
    pip install ./bindings-examples/python

All metadata is in pyproject.toml.
"""

import os
import shutil
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

HERE = Path(__file__).resolve().parent
LIBNAME = {"darwin": "libleanix.dylib", "win32": "leanix.dll"}.get(sys.platform, "libleanix.so")


def find_library() -> Path:
    tried = []
    env = os.environ.get("LEANIX_LIBRARY")
    if env:
        path = Path(env)
        if path.is_file():
            return path
        raise SystemExit(f"error: LEANIX_LIBRARY is {env}, which does not exist")
    else:
        tried.append("$LEANIX_LIBRARY: not set")
    for parent in [HERE, *HERE.parents]:
        target = parent / "target"
        if target.is_dir():
            for profile in ("release", "debug"):
                path = target / profile / LIBNAME
                if path.is_file():
                    return path
                tried.append(f"repository build: {path} (does not exist)")
            break
    else:
        tried.append(f"repository build: no target/ directory above {HERE}")
    raise SystemExit(
        f"error: cannot find {LIBNAME} to put into the leanix package; looked at:\n  "
        + "\n  ".join(tried)
        + "\nBuild it first (`cargo build --release -p leanix-ffi`) or set LEANIX_LIBRARY to its path."
    )


class build_py_with_library(build_py):
    """build_py, plus a copy of libleanix into build/lib/leanix/."""

    def run(self) -> None:
        super().run()
        source = find_library()
        target = Path(self.build_lib) / "leanix" / LIBNAME
        target.parent.mkdir(parents=True, exist_ok=True)
        self.announce(f"copying {source} -> {target}", level=2)
        shutil.copyfile(source, target)
        target.chmod(0o755)

    def get_outputs(self, include_bytecode: bool = True):  # type: ignore[override]
        return [*super().get_outputs(include_bytecode), str(Path(self.build_lib) / "leanix" / LIBNAME)]


class BinaryDistribution(Distribution):
    """The wheel carries a native library: tag it for this platform, not as pure Python."""

    def has_ext_modules(self) -> bool:
        return True


cmdclass = {"build_py": build_py_with_library}

try:  # Tag the wheel py3-none-<platform>: ctypes needs no particular Python ABI.
    try:
        from setuptools.command.bdist_wheel import bdist_wheel as _bdist_wheel
    except ImportError:
        from wheel.bdist_wheel import bdist_wheel as _bdist_wheel

    class bdist_wheel(_bdist_wheel):  # type: ignore[misc, valid-type]
        def finalize_options(self) -> None:
            super().finalize_options()
            self.root_is_pure = False

        def get_tag(self):  # type: ignore[no-untyped-def]
            _, _, plat = super().get_tag()
            return "py3", "none", plat

    cmdclass["bdist_wheel"] = bdist_wheel
except ImportError:
    pass

setup(cmdclass=cmdclass, distclass=BinaryDistribution)
