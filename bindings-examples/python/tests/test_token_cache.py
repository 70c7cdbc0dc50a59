"""``token_cache=``: the access token shared by processes through a file (issue 18).

Eight ``multiprocessing`` processes started together with a cold cache make one exchange;
``token_cache=True`` puts the file under ``$XDG_RUNTIME_DIR/leanix``; a file others can read is
ignored with a ``token_cache_ignored`` event; ``forget_token()`` removes the file. Exchanges
are counted by the sandbox."""

from __future__ import annotations

import multiprocessing
import os
import stat
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest

import leanix
from clients import make
from sandbox import Sandbox

FS = "/services/pathfinder/v1/factSheets?pageSize=1"
PROCESSES = 8


def _worker(url: str, token: str, cache: str, barrier: Any) -> None:
    with leanix.Client(url, token, insecure_loopback=True, token_cache=cache) as c:
        barrier.wait(timeout=60)  # every process is ready before any asks for a token
        status = c.get(FS).status
    raise SystemExit(0 if status == 200 else 1)


def test_eight_processes_make_one_exchange(sandbox: Sandbox, tmp_path: Path) -> None:
    cache = str(tmp_path / "leanix")
    # The first exchange is stalled: the other processes ask while it holds the lock.
    sandbox.fault("token", "stall", ms=500, times=1)
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(PROCESSES)
    procs = [ctx.Process(target=_worker, args=(sandbox.url, sandbox.admin_token, cache, barrier))
             for _ in range(PROCESSES)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)  # a hang guard, not a timing assertion
    assert [p.exitcode for p in procs] == [0] * PROCESSES
    stats = sandbox.stats()
    assert stats["token_exchanges"] == 1
    assert stats["token_requests"] == 1
    assert stats["requests"]["factSheets"] == {"200": PROCESSES}
    files = [p for p in Path(cache).iterdir() if p.suffix == ".json"]
    assert len(files) == 1
    assert stat.S_IMODE(os.stat(cache).st_mode) == 0o700
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert sandbox.admin_token not in files[0].read_text()


def _watched(sandbox: Sandbox, **options: Any) -> Tuple[leanix.Client, List[Tuple[str, Dict[str, Any]]]]:
    seen: List[Tuple[str, Dict[str, Any]]] = []
    client = make(sandbox, on_event=lambda kind, d: seen.append((kind, d)), **options)
    return client, seen


def test_true_uses_the_runtime_directory(sandbox: Sandbox, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    first, _ = _watched(sandbox, token_cache=True)
    with first:
        first.get(FS)
    second, seen = _watched(sandbox, token_cache=True)
    with second:
        second.get(FS)
        second.get(FS)
    assert [k for k, _ in seen] == ["token_loaded"]
    assert sandbox.stats()["token_exchanges"] == 1
    files = list((tmp_path / "leanix").glob("*.json"))
    assert len(files) == 1
    # Off, explicitly or by default: every client exchanges.
    for options in ({"token_cache": False}, {}):
        with make(sandbox, **options) as c:
            c.get(FS)
    assert sandbox.stats()["token_exchanges"] == 3


def test_a_file_others_can_read_is_ignored(sandbox: Sandbox, tmp_path: Path) -> None:
    cache = tmp_path / "leanix"
    with make(sandbox, token_cache=cache) as c:
        c.get(FS)
    (token_file,) = cache.glob("*.json")
    token_file.chmod(0o644)
    client, seen = _watched(sandbox, token_cache=cache)
    with client:
        client.get(FS)
    ignored = [d for k, d in seen if k == "token_cache_ignored"]
    assert len(ignored) == 1, seen
    assert ignored[0]["path"] == str(token_file)
    assert "has mode 0644" in ignored[0]["reason"]
    assert [k for k, _ in seen if k != "token_cache_ignored"] == ["token_fetched"]
    assert sandbox.stats()["token_exchanges"] == 2
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600


def test_forget_token_removes_the_file(sandbox: Sandbox, tmp_path: Path) -> None:
    cache = tmp_path / "leanix"
    with make(sandbox, token_cache=cache) as c:
        c.get(FS)
        (token_file,) = cache.glob("*.json")
        assert c.forget_token() is True
        assert not token_file.exists()
        assert c.forget_token() is False
        c.get(FS)
        assert token_file.exists()
    assert sandbox.stats()["token_exchanges"] == 2
    with make(sandbox) as plain:
        assert plain.forget_token() is False


def test_bad_values_are_refused(sandbox: Sandbox) -> None:
    with pytest.raises(TypeError, match="token_cache must be a bool or a directory path"):
        make(sandbox, token_cache=3)
    with pytest.raises(leanix.ConfigError, match="token cache directory is empty"):
        make(sandbox, token_cache="")
    assert leanix.defaults()["token_cache"] is False
