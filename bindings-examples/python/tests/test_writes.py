"""LDIF runs (``client.integration.run``) and fact-sheet writes (``client.update_fact_sheet``)
against the sandbox, with its counters: the result is typed, a failed run raises
RunFailedError carrying the result, a deadline raises TimeoutError with the run's id, a
REVISION_CLASH is retried with exactly one re-read of ``rev`` per clash (also by
``AsyncClient.update_fact_sheet``), a run started with ``wait=False`` is followed by its id
(``integration.wait``, sync and async), and the README's bulk-write example runs as written."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

import leanix

README = Path(__file__).resolve().parent.parent / "README.md"


def ldif(direction: str, content: List[Dict[str, Any]]) -> Dict[str, Any]:
    return {"connectorType": "pyTest", "connectorId": "py-1", "connectorVersion": "1.0.0",
            "lxVersion": "1.0.0", "description": "python test", "processingDirection": direction,
            "processingMode": "partial", "content": content}


@pytest.fixture
def runs_at_once(sandbox: Any) -> Iterator[None]:
    sandbox.integration(sync_run_state_ms=0, sync_run_manual=False)
    sandbox.reset()
    yield
    sandbox.clear_faults()
    sandbox.integration(sync_run_state_ms=100, sync_run_manual=False)


def first_application(client: leanix.Client) -> str:
    data = client.graphql('{ allFactSheets(first: 1, filter: {facetFilters: [{facetKey: '
                          '"FactSheetTypes", keys: ["Application"]}]}) { edges { node { id } } } }')
    return str(data["allFactSheets"]["edges"][0]["node"]["id"])


def test_a_run_returns_a_typed_result(client: leanix.Client, sandbox: Any,
                                      runs_at_once: None) -> None:
    content = [{"type": "Application", "id": "py-a", "data": {"name": "Python App"}},
               {"type": "NoSuchType", "id": "py-b", "data": {"name": "x"}}]
    run = client.integration.run(ldif("inbound", content))
    assert isinstance(run, leanix.RunResult)
    # processed: the applied item only (the NoSuchType one was skipped with a warning)
    assert (run.status, run.polls, run.succeeded, run.processed) == ("FINISHED", 1, True, 1)
    assert [w["status"] for w in run.warnings] == ["WARNING"]
    assert run.results is None
    stats = sandbox.stats()
    assert stats["writes"] == 1
    # create, one status poll, progress, one warnings page
    assert sum(stats["requests"]["integration"].values()) == 4

    test_run = client.integration.run(ldif("inbound", content), test=True)
    assert test_run.succeeded and sandbox.stats()["writes"] == 1

    out = client.integration.run(ldif("outbound", []))
    assert out.results is not None and out.results["connectorId"] == "py-1"
    # An outbound run exports the fact sheets that are not archived.
    assert len(out.results["content"]) == sandbox.info()["active_fact_sheets"]


def test_a_failed_run_raises_with_its_result(client: leanix.Client, sandbox: Any,
                                             runs_at_once: None) -> None:
    sandbox.fault("integration", "sync_run_fail")
    with pytest.raises(leanix.RunFailedError) as caught:
        client.integration.run(ldif("inbound", []))
    e = caught.value
    assert e.status_code == leanix.LX_ERR_RUN_FAILED == 21
    assert e.status_name == "LX_ERR_RUN_FAILED"
    assert isinstance(e.run, leanix.RunResult)
    assert e.run.status == "FAILED" and len(e.run.errors) == 1
    assert str(e) == (f"LDIF run {e.run.id} ended FAILED (1 ERROR warning(s)): "
                      "The synchronization run failed (a fault injected by the sandbox)")
    assert sandbox.stats()["sync_runs"] == {"FAILED": 1}


def test_no_wait_and_a_deadline_while_pending(client: leanix.Client, sandbox: Any,
                                             runs_at_once: None) -> None:
    sandbox.integration(sync_run_manual=True)
    started = client.integration.run(ldif("inbound", []), wait=False)
    assert (started.status, started.polls, started.progress) == ("PENDING", 1, None)
    sandbox.reset()
    with pytest.raises(leanix.TimeoutError) as caught:
        client.integration.run(ldif("inbound", []), timeout=0.3)
    assert caught.value.run is not None
    assert caught.value.run.status == "PENDING"
    assert "did not end within its deadline of 300 ms" in str(caught.value)
    # create and the one poll before the deadline
    assert sum(sandbox.stats()["requests"]["integration"].values()) == 2
    assert sandbox.advance_runs() == 2
    with pytest.raises(TypeError):
        client.integration.run(42)  # type: ignore[arg-type]
    with pytest.raises(leanix.InvalidArgumentError, match="^ldif is not valid JSON"):
        client.integration.run("{nope")
    with pytest.raises(leanix.InvalidArgumentError, match="connectorId"):
        client.integration.run({"connectorType": "x"})


def test_update_retries_a_revision_clash_once_per_clash(client: leanix.Client,
                                                        sandbox: Any) -> None:
    fs_id = first_application(client)
    sandbox.reset()
    sandbox.fault("graphql", "concurrent_edit", times=2)
    fs = client.update_fact_sheet(fs_id, [
        {"op": "replace", "path": "/description", "value": "from Python"},
        {"op": "replace", "path": "/lifecycle",
         "value": {"phases": [{"phase": "active", "startDate": "2024-01-01"}]}},
    ], comment="python test")
    assert fs["id"] == fs_id and fs["description"] == "from Python"
    # 1 read + 2 re-reads, 3 writes; one stored
    assert sandbox.requests("graphql", 200) == 6
    assert sandbox.stats()["writes"] == 1

    sandbox.reset()
    sandbox.fault("graphql", "concurrent_edit", times=20)
    with pytest.raises(leanix.GraphQLError) as caught:
        client.update_fact_sheet(fs_id, [{"op": "replace", "path": "/alias", "value": "x"}])
    assert caught.value.error_types == ["REVISION_CLASH"]
    assert sandbox.requests("graphql", 200) == 8
    sandbox.clear_faults()

    preview = client.update_fact_sheet(fs_id, [{"op": "replace", "path": "/name",
                                                "value": "Preview"}], validate_only=True)
    assert preview["name"] == "Preview"
    with pytest.raises(TypeError):
        client.update_fact_sheet(fs_id, "[]")  # type: ignore[arg-type]
    with pytest.raises(leanix.InvalidArgumentError, match="op"):
        client.update_fact_sheet(fs_id, [{"op": "set", "path": "/name"}])
    with pytest.raises(leanix.InvalidArgumentError, match="at least one patch"):
        client.update_fact_sheet(fs_id, [])
    with pytest.raises(TypeError, match="list of {op, path, value} mappings"):
        client.update_fact_sheet(fs_id, ["nope"])  # type: ignore[list-item]


def test_revision_clash_retries_bounds_the_rereads(client: leanix.Client,
                                                  sandbox: Any) -> None:
    """``revision_clash_retries=n``: against a clash on every write, exactly 1 + n reads and
    writes (sync and async); the default again after it; out of range refused before a request."""
    fs_id = first_application(client)
    patch = [{"op": "replace", "path": "/alias", "value": "x"}]
    for n in (0, 1, 10):
        sandbox.reset()
        sandbox.fault("graphql", "concurrent_edit", times=20)
        with pytest.raises(leanix.GraphQLError) as caught:
            client.update_fact_sheet(fs_id, patch, revision_clash_retries=n)
        assert caught.value.error_types == ["REVISION_CLASH"]
        assert sandbox.requests("graphql", 200) == 2 * (1 + n), n
    # The thread's reused call options go back to the default (3 retries).
    sandbox.reset()
    sandbox.fault("graphql", "concurrent_edit", times=20)
    with pytest.raises(leanix.GraphQLError):
        client.update_fact_sheet(fs_id, patch, timeout=10)
    assert sandbox.requests("graphql", 200) == 8

    sandbox.reset()
    with pytest.raises(leanix.InvalidArgumentError,
                       match=r"revision_clash_retries must be between 0 and 10 .*not 11"):
        client.update_fact_sheet(fs_id, patch, revision_clash_retries=11)
    with pytest.raises(ValueError, match="must not be negative"):
        client.update_fact_sheet(fs_id, patch, revision_clash_retries=-1)
    with pytest.raises(TypeError):
        client.update_fact_sheet(fs_id, patch, revision_clash_retries="2")  # type: ignore[arg-type]
    assert sandbox.requests("graphql", 200) == 0

    async def main() -> None:
        async with leanix.AsyncClient(sandbox.url, sandbox.admin_token,
                                      insecure_loopback=True) as c:
            sandbox.reset()
            sandbox.fault("graphql", "concurrent_edit", times=20)
            with pytest.raises(leanix.GraphQLError):
                await c.update_fact_sheet(fs_id, patch, revision_clash_retries=1)
            assert sandbox.requests("graphql", 200) == 4
            sandbox.reset()
            sandbox.fault("graphql", "concurrent_edit", times=20)
            with pytest.raises(leanix.GraphQLError):
                await c.update_fact_sheet(fs_id, patch)
            assert sandbox.requests("graphql", 200) == 8

    asyncio.run(main())
    sandbox.clear_faults()


def test_a_viewer_is_refused(sandbox: Any) -> None:
    with leanix.Client(sandbox.url, sandbox.viewer_token, insecure_loopback=True) as v:
        fs_id = first_application(v)
        sandbox.reset()
        with pytest.raises(leanix.GraphQLError):
            v.update_fact_sheet(fs_id, [{"op": "replace", "path": "/name", "value": "x"}])
        with pytest.raises(leanix.ForbiddenError):
            v.integration.run(ldif("inbound", []))
    assert sandbox.stats()["writes"] == 0


def readme_example(title: str, readme: Path = README) -> str:
    """The code of the ```python block after ``<!-- example: TITLE -->`` in ``readme``."""
    text = readme.read_text(encoding="utf-8")
    m = re.search(r"<!-- example: " + re.escape(title) + r" -->\s*```python\n(.*?)```", text, re.S)
    assert m, f"{readme.name} has no example {title!r}"
    return m.group(1)


def test_the_readme_bulk_write_example_runs(sandbox: Any, runs_at_once: None,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEANIX_HOST", sandbox.url)
    monkeypatch.setenv("LEANIX_API_TOKEN", sandbox.admin_token)
    code = readme_example("bulk writes")
    scope: Dict[str, Any] = {}
    exec(compile(code, "README.md", "exec"), scope)  # noqa: S102 - our own README
    assert scope["run"].succeeded
    assert len(scope["updated"]) == 3
    assert sandbox.stats()["writes"] == 3 + 300


def test_async_runs_await_the_same_result(sandbox: Any, runs_at_once: None) -> None:
    async def main() -> None:
        async with leanix.AsyncClient(sandbox.url, sandbox.admin_token,
                                      insecure_loopback=True) as c:
            runs = await asyncio.gather(*(c.integration.run(ldif("inbound", []), test=True)
                                          for _ in range(5)))
            assert [r.status for r in runs] == ["FINISHED"] * 5
            assert len({r.id for r in runs}) == 5
            sandbox.fault("integration", "sync_run_fail")
            with pytest.raises(leanix.RunFailedError) as caught:
                await c.integration.run(ldif("inbound", []))
            assert caught.value.run is not None and caught.value.run.status == "FAILED"

    asyncio.run(main())
    # 5 test runs and the failed one: 4 requests each
    assert sum(sandbox.stats()["requests"]["integration"].values()) == 24


def test_a_run_started_without_waiting_is_followed_by_its_id(client: leanix.Client, sandbox: Any,
                                                              runs_at_once: None) -> None:
    sandbox.integration(sync_run_manual=True)
    content = [{"type": "Application", "id": "py-wait", "data": {"name": "Python Wait App"}}]
    started = client.integration.run(ldif("inbound", content), wait=False)
    assert started.status == "PENDING"

    sandbox.reset()
    now = client.integration.wait(started.id, wait=False)  # one status request
    assert (now.id, now.status, now.polls) == (started.id, "PENDING", 1)
    assert sum(sandbox.stats()["requests"]["integration"].values()) == 1

    with pytest.raises(leanix.TimeoutError) as caught:
        client.integration.wait(started.id, timeout=0.2)
    assert caught.value.run is not None
    assert (caught.value.run.id, caught.value.run.status) == (started.id, "PENDING")

    while sandbox.advance_runs():  # the run goes on to its end
        pass
    assert sandbox.stats()["writes"] == 1  # its content applied
    sandbox.reset()
    run = client.integration.wait(started.id, timeout=30)
    assert (run.id, run.status, run.polls, run.processed, run.results) == (
        started.id, "FINISHED", 1, 1, None)
    assert run.succeeded
    # one status poll, progress, one warnings page
    assert sum(sandbox.stats()["requests"]["integration"].values()) == 3

    async def main() -> leanix.RunResult:
        async with leanix.AsyncClient(sandbox.url, sandbox.admin_token,
                                      insecure_loopback=True) as c:
            return await c.integration.wait(started.id)

    assert asyncio.run(main()) == run

    with pytest.raises(leanix.NotFoundError):
        client.integration.wait("00000000-0000-0000-0000-000000000000")
    with pytest.raises(TypeError):
        client.integration.wait(42)  # type: ignore[arg-type]
    with pytest.raises(leanix.InvalidArgumentError):
        client.integration.wait("")


def test_an_outbound_run_waited_by_id_brings_its_results(client: leanix.Client, sandbox: Any,
                                                          runs_at_once: None) -> None:
    started = client.integration.run(ldif("outbound", []), wait=False)
    without = client.integration.wait(started.id)
    assert without.status == "FINISHED" and without.results is None
    run = client.integration.wait(started.id, results=True)
    assert run.results is not None and run.results["connectorId"] == "py-1"


def test_async_update_fact_sheet_retries_a_clash_like_the_sync_one(client: leanix.Client,
                                                                   sandbox: Any) -> None:
    fs_id = first_application(client)
    sandbox.reset()
    sandbox.fault("graphql", "concurrent_edit", times=2)

    async def main() -> None:
        async with leanix.AsyncClient(sandbox.url, sandbox.admin_token,
                                      insecure_loopback=True) as c:
            fs = await c.update_fact_sheet(fs_id, [
                {"op": "replace", "path": "/description", "value": "from asyncio"},
                {"op": "replace", "path": "/lifecycle",
                 "value": {"phases": [{"phase": "active", "startDate": "2024-01-01"}]}},
            ], comment="async test")
            assert fs["id"] == fs_id and fs["description"] == "from asyncio"
            preview = await c.update_fact_sheet(fs_id, [{"op": "replace", "path": "/name",
                                                         "value": "Preview"}],
                                                validate_only=True)
            assert preview["name"] == "Preview"
            with pytest.raises(TypeError):
                await c.update_fact_sheet(fs_id, "[]")  # type: ignore[arg-type]
            with pytest.raises(leanix.InvalidArgumentError, match="op"):
                await c.update_fact_sheet(fs_id, [{"op": "set", "path": "/name"}])

    asyncio.run(main())
    # 1 read + 2 re-reads, 3 writes, then the preview's read and write; one stored
    assert sandbox.requests("graphql", 200) == 8
    assert sandbox.stats()["writes"] == 1

    async def viewer() -> None:
        async with leanix.AsyncClient(sandbox.url, sandbox.viewer_token,
                                      insecure_loopback=True) as v:
            with pytest.raises(leanix.GraphQLError):
                await v.update_fact_sheet(fs_id, [{"op": "replace", "path": "/name",
                                                   "value": "x"}])

    asyncio.run(viewer())
    assert sandbox.stats()["writes"] == 1
