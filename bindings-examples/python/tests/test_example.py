"""example.py runs end to end against its own lx-sandbox."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import leanix
from sandbox import find_sandbox

EXAMPLE = Path(__file__).resolve().parent.parent / "example.py"


def test_example_runs_against_the_sandbox() -> None:
    env = dict(os.environ, LX_SANDBOX_BIN=str(find_sandbox()),
               LEANIX_LIBRARY=str(leanix.library_path()))
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    r = subprocess.run([sys.executable, str(EXAMPLE), "--sandbox"], env=env,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    out = r.stdout
    assert "workspace sandbox" in out and "role ADMIN" in out
    assert "[event] token_fetched" in out
    assert "expected NotFoundError: HTTP 404" in out
    assert "expected HTTPError: HTTP 400" in out and "does not exist" in out
    assert "expected GraphQLError ['REVISION_CLASH']" in out
    assert "async: Application" in out
    assert "expected GraphQLError" in out
    assert "expected ClosedError" in out
