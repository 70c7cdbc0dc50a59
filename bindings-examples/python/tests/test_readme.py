"""The quick starts of the READMEs are whole programs that run as written against the sandbox.

Each block marked ``<!-- example: TITLE -->`` is written to a file and run in a fresh Python
process with the three variables a user sets for the sandbox (``LEANIX_HOST``,
``LEANIX_API_TOKEN``, ``LEANIX_INSECURE_LOOPBACK=1``); the test checks what it printed and
what the sandbox saw. (The bulk-write example is run by ``test_writes.py``.)"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any, List

import pytest

import leanix
from test_writes import README, readme_example

TOP_README = next((p / "README.md" for p in Path(__file__).resolve().parents
                   if (p / "include" / "leanix.h").is_file()), None)


def run_program(code: str, sandbox: Any, tmp_path: Path) -> str:
    """Runs ``code`` as ``python3 program.py`` against ``sandbox``; returns its stdout."""
    program = tmp_path / "program.py"
    program.write_text(code, encoding="utf-8")
    env = dict(os.environ, LEANIX_HOST=sandbox.url, LEANIX_API_TOKEN=sandbox.admin_token,
               LEANIX_INSECURE_LOOPBACK="1", LEANIX_LIBRARY=str(leanix.library_path()))
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    r = subprocess.run([sys.executable, str(program)], env=env, cwd=tmp_path,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def page_lines(total: int) -> List[str]:
    """What the examples print for a walk over ``total`` fact sheets, 1 000 a page."""
    full, rest = divmod(total, 1000)
    sizes = [1000] * full + ([rest] if rest else [])
    return [f"{n} fact sheets on this page" for n in sizes]


@pytest.mark.skipif(TOP_README is None, reason="not in a checkout of the repository")
def test_the_top_readme_python_quick_start_runs(sandbox: Any, tmp_path: Path) -> None:
    assert TOP_README is not None
    info = sandbox.info()
    out = run_program(readme_example("quick start", TOP_README), sandbox, tmp_path).splitlines()
    assert out[0] == "sandbox ADMIN"
    assert out[1] == f"200 {info['active_fact_sheets']}"  # REST total: archived ones left out
    assert out[2].startswith("400 POST ") and "Fact sheet type '' does not exist" in out[2]
    assert out[3].startswith("{'status': 'ERROR', 'type': 'FactSheet', 'errors': [{'message':")
    assert out[4] == "['REVISION_CLASH'] {'updateFactSheet': None}"
    assert out[5].startswith("['") and out[5].count("', '") == 4, out[5]  # five names
    assert len(out) == 6
    stats = sandbox.stats()
    assert stats["token_exchanges"] == 2  # one per client
    assert stats["writes"] == 0  # the failed POST and the validateOnly mutation store nothing


def test_the_use_example_runs(sandbox: Any, tmp_path: Path) -> None:
    before = sandbox.info()["active_fact_sheets"]
    out = run_program(readme_example("use"), sandbox, tmp_path).splitlines()
    assert out[0].startswith("sandbox ADMIN "), out
    assert out[1].startswith("200 application/json")
    # created two, archived one before the walk
    assert out[2:] == page_lines(before + 1)
    stats = sandbox.stats()
    assert stats["writes"] == 4  # create, update, archive, the raw-body create
    assert stats["token_exchanges"] == 1


def test_the_asyncio_example_runs(sandbox: Any, tmp_path: Path) -> None:
    info = sandbox.info()
    total = info["active_fact_sheets"]
    out = run_program(readme_example("asyncio"), sandbox, tmp_path).splitlines()
    assert out[:3] == [f"workspace {info['workspace_name']} at {sandbox.url}",
                       "10 fact sheets read at once", f"{total} in all"]
    assert out[3:] == page_lines(total)
    assert sandbox.stats()["token_exchanges"] == 1
