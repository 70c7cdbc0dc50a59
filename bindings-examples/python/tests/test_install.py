"""`pip install ./bindings-examples/python` into a fresh venv carries libleanix.so inside.

Skipped with LEANIX_SKIP_INSTALL_TEST=1. The build needs setuptools and wheel: if the venv
already has them (offline), pip runs with --no-build-isolation; otherwise pip fetches them
from the package index (build isolation, the ordinary `pip install`).
"""

from __future__ import annotations

import os
import subprocess
import venv
from pathlib import Path

import pytest

import leanix

PROJECT = Path(__file__).resolve().parent.parent


@pytest.mark.install
@pytest.mark.skipif(os.environ.get("LEANIX_SKIP_INSTALL_TEST") == "1",
                    reason="LEANIX_SKIP_INSTALL_TEST=1")
def test_pip_install_into_a_venv(tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "LEANIX_LIBRARY")}
    env["LEANIX_LIBRARY"] = str(leanix.library_path())  # the library these tests use
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    has_build_deps = subprocess.run(
        [str(python), "-c",
         "import setuptools, importlib.util as u; "
         "assert u.find_spec('wheel') or u.find_spec('setuptools.command.bdist_wheel')"],
        env=env, capture_output=True).returncode == 0
    cmd = [str(python), "-m", "pip", "install", "--quiet", str(PROJECT)]
    if has_build_deps:
        cmd.insert(-1, "--no-build-isolation")
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert r.returncode == 0, f"{' '.join(cmd)}\n{r.stdout}\n{r.stderr}"

    env.pop("LEANIX_LIBRARY")  # the installed package must find its own copy
    check = (
        "import os, leanix; d = os.path.dirname(leanix.__file__); "
        "print(d); print(sorted(os.listdir(d))); print(leanix.library_path()); "
        "print(leanix.version(), leanix.abi_version())"
    )
    r = subprocess.run([str(python), "-c", check], env=env, capture_output=True, text=True,
                       timeout=60, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    pkg_dir, files, lib_path, versions = r.stdout.splitlines()
    assert pkg_dir.startswith(str(env_dir))
    assert "libleanix.so" in files and "py.typed" in files
    assert lib_path == str(Path(pkg_dir) / "libleanix.so")
    assert versions == "0.1.0 1"
