"""Fixtures: one lx-sandbox process for the session, reset before each test."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterator

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
try:  # an installed leanix wins; else the source tree
    import leanix  # noqa: F401
except ImportError:
    sys.path.insert(0, str(HERE.parent / "src"))
    import leanix  # noqa: F401

from clients import make  # noqa: E402
from sandbox import Sandbox  # noqa: E402


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    try:
        sb = Sandbox()
    except FileNotFoundError as e:
        pytest.fail(str(e), pytrace=False)
    try:
        yield sb
    finally:
        sb.close()


@pytest.fixture(autouse=True)
def _fresh_sandbox(request: pytest.FixtureRequest) -> None:
    if "sandbox" in request.fixturenames:
        sb = request.getfixturevalue("sandbox")
        sb.reset()
        sb.config(token_lifetime_secs=3599, rate_limit_per_minute=None)


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator["leanix.Client"]:
    with make(sandbox) as c:
        yield c
