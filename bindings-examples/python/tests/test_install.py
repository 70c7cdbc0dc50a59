"""Install as a user would, and check the wheel pip builds.

In a scratch directory outside the repository: a fresh venv, ``pip install
bindings-examples/python`` with no library built for it and no ``LEANIX_LIBRARY`` (the build
backend runs cargo), then a small program in that venv against lx-sandbox (exchange, GET,
GraphQL, an error; exact counts from the sandbox); ``pip wheel`` and ``auditwheel show`` on the
wheel (one ``py3-none-manylinux_*`` wheel, a release library); that same wheel installed and
used on every other Python 3 from 3.8 to 3.13 found on the machine (the blocking and the
asyncio client); and an sdist made by
``python -m build --sdist`` that carries the Rust sources and builds with cargo offline.

Needs cargo and the package index (pip fetches maturin and cffi for the build, auditwheel for
the check). Cargo's target directory is ``$CARGO_TARGET_DIR`` or the repository's ``target/``,
shared with the other builds of the test command, so no dependency is compiled twice. Skipped
with LEANIX_SKIP_INSTALL_TEST=1.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
import venv
import zipfile
from pathlib import Path
from typing import Dict, Iterator, List, Optional

import pytest

from sandbox import Sandbox

PROJECT = Path(__file__).resolve().parent.parent
REPO = PROJECT.parent.parent
FS = "/services/pathfinder/v1/factSheets"

pytestmark = [
    pytest.mark.install,
    pytest.mark.skipif(os.environ.get("LEANIX_SKIP_INSTALL_TEST") == "1",
                       reason="LEANIX_SKIP_INSTALL_TEST=1"),
]

# The small program: exchange (claims), a GET, a GraphQL query, an error with its response, and
# three concurrent asyncio calls, with host and API token from the environment as an
# application would take them.
PROGRAM = r"""
import asyncio
import json
import leanix

out = {"module": leanix.__file__, "library": str(leanix.library_path()),
       "version": leanix.version()}
with leanix.Client(insecure_loopback=True) as client:
    claims = client.claims
    out["claims"] = [claims.workspace_name, claims.role]
    page = client.get("/services/pathfinder/v1/factSheets?pageSize=2")
    out["get"] = [page.status, len(page.json()["data"])]
    out["total"] = client.graphql("{ allFactSheets { totalCount } }")["allFactSheets"]["totalCount"]
    try:
        client.get("/services/pathfinder/v1/factSheets/does-not-exist")
    except leanix.HTTPError as e:
        out["error"] = [type(e).__name__, e.status, e.status_name, e.response.json()["status"]]

async def concurrently():
    async with leanix.AsyncClient(insecure_loopback=True) as client:
        pages = await asyncio.gather(*[client.get("/services/pathfinder/v1/factSheets",
                                                  params={"pageSize": 1}) for _ in range(3)])
        return [p.status for p in pages]

out["async"] = asyncio.run(concurrently())
print(json.dumps(out))
"""


def clean_env(**extra: str) -> Dict[str, str]:
    """The environment of a user's shell: none of this test run's Python or library settings,
    the shared cargo target directory."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "LEANIX_LIBRARY",
                        "MATURIN_PEP517_ARGS", "LEANIX_HOST", "LEANIX_API_TOKEN")}
    env["CARGO_TARGET_DIR"] = os.environ.get("CARGO_TARGET_DIR") or str(REPO / "target")
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env.update(extra)
    return env


def run(cmd: List[str], cwd: Path, timeout: float, **env: str) -> subprocess.CompletedProcess:
    r = subprocess.run([str(c) for c in cmd], cwd=cwd, env=clean_env(**env),
                       capture_output=True, text=True, timeout=timeout)
    assert r.returncode == 0, f"{' '.join(map(str, cmd))}\n{r.stdout[-4000:]}\n{r.stderr[-8000:]}"
    return r


def make_venv(path: Path, python: str = sys.executable) -> Path:
    """A fresh venv with pip; returns its python."""
    if python == sys.executable:
        venv.EnvBuilder(with_pip=True).create(path)
    else:
        subprocess.run([python, "-m", "venv", str(path)], check=True, timeout=300,
                       env=clean_env(), capture_output=True)
    return path / "bin" / "python"


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("install")
    assert REPO.resolve() not in path.resolve().parents, "the scratch directory must be outside"
    return path


@pytest.fixture(scope="module")
def installed(scratch: Path) -> Iterator[Path]:
    """The python of a fresh venv into which `pip install bindings-examples/python` ran."""
    python = make_venv(scratch / "venv")
    t0 = time.monotonic()
    run([python, "-m", "pip", "install", "--quiet", PROJECT], scratch, timeout=3600)
    print(f"\npip install {PROJECT}: {time.monotonic() - t0:.1f} s")
    yield python


@pytest.fixture(scope="module")
def wheel(scratch: Path, installed: Path) -> Path:
    """The wheel `pip wheel bindings-examples/python` builds (cargo is fresh by now)."""
    out = scratch / "wheelhouse"
    run([installed, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", out, PROJECT], scratch,
        timeout=3600)
    wheels = sorted(out.glob("*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def test_installed_package_runs_against_the_sandbox(installed: Path, scratch: Path,
                                                    sandbox: Sandbox) -> None:
    r = run([installed, "-c", PROGRAM], scratch, timeout=120,
            LEANIX_HOST=sandbox.url, LEANIX_API_TOKEN=sandbox.admin_token)
    out = json.loads(r.stdout)
    site = Path(out["module"]).parent
    assert site.parent.name == "site-packages" and (scratch / "venv") in site.parents
    # The package's own copy of the library, found without LEANIX_LIBRARY.
    assert out["library"] == str(site / "_native" / "lib_native.so")
    assert out["version"] == "0.1.0"
    assert out["claims"] == ["sandbox", "ADMIN"]
    assert out["get"] == [200, 2]
    assert out["error"] == ["NotFoundError", 404, "LX_ERR_HTTP", "ERROR"]
    assert out["async"] == [200, 200, 200]
    stats = sandbox.stats()
    # One exchange per client (the blocking one, then the asyncio one).
    assert stats["token_exchanges"] == 2 and stats["token_requests"] == 2, stats
    assert stats["requests"] == {"token": {"200": 2}, "factSheets": {"200": 4},
                                 "graphql": {"200": 1}, "factSheet": {"404": 1}}, stats
    # totalCount leaves archived fact sheets out (other tests archive some in this sandbox).
    assert out["total"] == sandbox.info()["active_fact_sheets"]
    assert sandbox.admin_token not in r.stdout + r.stderr


def test_the_wheel_is_one_manylinux_wheel_for_every_python3(wheel: Path, installed: Path,
                                                            scratch: Path) -> None:
    m = re.fullmatch(r"leanix-0\.1\.0-py3-none-(manylinux_\d+_\d+_[a-z0-9_]+)\.whl", wheel.name)
    assert m, wheel.name
    tag = m.group(1)
    with zipfile.ZipFile(wheel) as z:
        meta = z.read("leanix-0.1.0.dist-info/WHEEL").decode()
        names = z.namelist()
        lib = scratch / "lib_native.so"
        lib.write_bytes(z.read("leanix/_native/lib_native.so"))
    assert "Root-Is-Purelib: false" in meta.splitlines()
    assert f"Tag: py3-none-{tag}" in meta.splitlines()
    assert "leanix/py.typed" in names and "leanix/__init__.py" in names

    run([installed, "-m", "pip", "install", "--quiet", "auditwheel"], scratch, timeout=600)
    show = run([installed, "-m", "auditwheel", "show", wheel], scratch, timeout=120).stdout
    print(show)
    assert f'is consistent with the following platform tag: "{tag}"' in " ".join(show.split())

    # A release library: no debug sections (a debug build is 70 MB of them), stripped.
    sections = run([installed, "-c",
                    "import sys; from elftools.elf.elffile import ELFFile; "
                    "f = open(sys.argv[1], 'rb'); "
                    "print(' '.join(s.name for s in ELFFile(f).iter_sections()))", lib],
                   scratch, timeout=60).stdout.split()
    assert ".dynsym" in sections
    assert not [s for s in sections if s.startswith(".debug")], sections
    assert lib.stat().st_size < 16 * 1024 * 1024


def other_pythons() -> List[str]:
    """Interpreters 3.8 to 3.13 other than this one, found on PATH or under pyenv."""
    found = []
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    for minor in range(8, 14):
        if minor == sys.version_info.minor:
            continue
        name = f"python3.{minor}"
        options: List[Optional[str]] = [shutil.which(name)]
        options += [str(p) for p in sorted(pyenv.glob(f"3.{minor}.*/bin/{name}"))]
        for exe in options:
            if exe and subprocess.run([exe, "-c", "import venv"], capture_output=True,
                                      timeout=60).returncode == 0:
                found.append(exe)
                break
    return found


@pytest.mark.parametrize("python", other_pythons() or [pytest.param(None, marks=pytest.mark.skip(
    reason="no other Python 3.8-3.13 on this machine"))])
def test_the_same_wheel_works_on_other_pythons(python: str, wheel: Path, scratch: Path,
                                               sandbox: Sandbox) -> None:
    version = subprocess.run([python, "-c", "import sys; print(sys.version_info[:2])"],
                             capture_output=True, text=True, timeout=60).stdout.strip()
    env_python = make_venv(scratch / f"venv-{Path(python).name}", python)
    run([env_python, "-m", "pip", "install", "--quiet", wheel], scratch, timeout=600)
    r = run([env_python, "-c", PROGRAM], scratch, timeout=120,
            LEANIX_HOST=sandbox.url, LEANIX_API_TOKEN=sandbox.admin_token)
    out = json.loads(r.stdout)
    assert out["claims"] == ["sandbox", "ADMIN"] and out["get"] == [200, 2], (version, out)
    assert out["error"] == ["NotFoundError", 404, "LX_ERR_HTTP", "ERROR"], (version, out)
    assert out["async"] == [200, 200, 200], (version, out)
    assert sandbox.stats()["token_exchanges"] == 2, version


def test_the_sdist_carries_the_rust_sources_and_builds_offline(installed: Path,
                                                                scratch: Path) -> None:
    run([installed, "-m", "pip", "install", "--quiet", "build"], scratch, timeout=600)
    out = scratch / "sdist"
    run([installed, "-m", "build", "--sdist", "-o", out, PROJECT], scratch, timeout=600)
    sdists = sorted(out.glob("*.tar.gz"))
    assert [p.name for p in sdists] == ["leanix-0.1.0.tar.gz"]
    with tarfile.open(sdists[0]) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    for needed in ("pyproject.toml", "Cargo.toml", "Cargo.lock",
                   "_build_backend/leanix_build_backend.py", "ffi/Cargo.toml", "ffi/build.rs",
                   "ffi/cbindgen.toml", "ffi/src/lib.rs", "core/Cargo.toml", "core/src/lib.rs",
                   "src/leanix/__init__.py", "src/leanix/py.typed"):
        assert needed in names, needed
    assert not [n for n in names if n.startswith(("target/", "bindings-examples/", "cli/"))
                or n.endswith(".so")]

    wheels = scratch / "from-sdist"
    run([installed, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", wheels, sdists[0]],
        scratch, timeout=3600, CARGO_NET_OFFLINE="true")
    built = [p.name for p in wheels.glob("*.whl")]
    assert len(built) == 1 and re.fullmatch(
        r"leanix-0\.1\.0-py3-none-manylinux_\d+_\d+_[a-z0-9_]+\.whl", built[0]), built


def test_pip_install_from_a_git_url(scratch: Path, sandbox: Sandbox) -> None:
    """`pip install git+<repo>#subdirectory=bindings-examples/python`: pip clones the repository
    (its committed HEAD) into a directory of its own and builds from there."""
    if not (REPO / ".git").exists():
        pytest.skip("the repository is not a git checkout")
    python = make_venv(scratch / "git-venv")
    url = f"git+file://{REPO}#subdirectory=bindings-examples/python"
    t0 = time.monotonic()
    run([python, "-m", "pip", "install", "--quiet", url], scratch, timeout=3600)
    print(f"\npip install {url}: {time.monotonic() - t0:.1f} s")
    r = run([python, "-c", PROGRAM], scratch, timeout=120,
            LEANIX_HOST=sandbox.url, LEANIX_API_TOKEN=sandbox.admin_token)
    out = json.loads(r.stdout)
    site = Path(out["module"]).parent
    assert (scratch / "git-venv") in site.parents
    assert out["library"] == str(site / "_native" / "lib_native.so")
    assert out["claims"] == ["sandbox", "ADMIN"]
    assert out["get"] == [200, 2]
    assert out["error"] == ["NotFoundError", 404, "LX_ERR_HTTP", "ERROR"]
    assert out["async"] == [200, 200, 200]
