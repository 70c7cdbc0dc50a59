"""leanix.AsyncClient against lx-sandbox: concurrency, cancellation, typed exceptions."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
import time
from typing import Any, List

import pytest

import leanix
from leanix import _async
from clients import FS, MISSING, PAGE_QUERY, make_async
from sandbox import Sandbox

def test_200_concurrent_calls_one_exchange(sandbox: Sandbox) -> None:
    threads_before = threading.active_count()

    async def main() -> List[leanix.Response]:
        async with make_async(sandbox) as c:  # cold cache: all 200 wait for the one exchange
            return await asyncio.gather(*[c.get(FS, params={"pageSize": 1})
                                          for _ in range(200)])

    responses = asyncio.run(main())
    assert [r.status for r in responses] == [200] * 200
    assert all(len(r.json()["data"]) == 1 for r in responses)
    stats = sandbox.stats()
    assert stats["token_exchanges"] == 1 and stats["token_requests"] == 1, stats
    assert stats["requests"]["factSheets"] == {"200": 200}
    assert threading.active_count() == threads_before  # no Python thread per call
    assert not _async._pending  # every completion ran


def test_graphql_and_pages(sandbox: Sandbox) -> None:
    async def main() -> Any:
        async with make_async(sandbox) as c:
            total = (await c.graphql("{ allFactSheets { totalCount } }"))["allFactSheets"][
                "totalCount"]
            sandbox.reset()
            pages = c.graphql_pages(PAGE_QUERY)
            first = await pages.__anext__()
            assert sandbox.requests("graphql", 200) == 1  # one page at a time
            ids = [e["node"]["id"] for e in first["allFactSheets"]["edges"]]
            async for page in pages:
                ids += [e["node"]["id"] for e in page["allFactSheets"]["edges"]]
            assert len(ids) == total == len(set(ids))
            assert sandbox.requests("graphql", 200) == -(-total // 1000)

    asyncio.run(main())


def test_exceptions_are_typed_as_in_the_sync_client(sandbox: Sandbox) -> None:
    async def main() -> None:
        async with make_async(sandbox) as c:
            with pytest.raises(leanix.NotFoundError) as info:
                await c.get(MISSING)
            assert info.value.status == 404 and "not found" in info.value.response.text
            r = await c.get(MISSING, check=False)
            assert r.status == 404
            with pytest.raises(leanix.NotFoundError):
                r.raise_for_status()
            with pytest.raises(leanix.GraphQLError) as ginfo:
                await c.graphql('{ a: allFactSheets(first: 1) { totalCount } '
                                'b: factSheet(id: "nope") { id } }')
            assert ginfo.value.error_types == ["DataFetchingException"]
            assert ginfo.value.data["a"]["totalCount"] > 0
            sandbox.fault("factSheets", "status", status=400, headers={"x-request-id": "a-1"})
            with pytest.raises(leanix.HTTPError) as hinfo:
                await c.post(FS, json={"name": "x", "type": "Application"})
            assert hinfo.value.response.headers["x-request-id"] == "a-1"
            assert hinfo.value.response.json()["status"] == "ERROR"
            sandbox.fault("factSheets", "stall", ms=5000)
            with pytest.raises(leanix.TimeoutError):
                await c.get(FS, timeout=0.2)
            with pytest.raises(leanix.InvalidArgumentError):
                await c.get(FS, headers={"Authorization": "Bearer mine"})
        async with make_async(sandbox, sandbox.viewer_token) as v:
            with pytest.raises(leanix.ForbiddenError):
                await v.post(FS, json={"name": "x", "type": "Application"})
        async with make_async(sandbox, "not-a-token") as bad:
            with pytest.raises(leanix.InvalidCredentialsError):
                await bad.get(FS)
        with pytest.raises(leanix.ClosedError):
            await c.get(FS)

    asyncio.run(main())


def test_cancelling_a_task_ends_the_native_call(sandbox: Sandbox) -> None:
    async def main() -> float:
        async with make_async(sandbox) as c:
            await c.get(FS, params={"pageSize": 1})  # the token is there; count from here
            sandbox.reset()
            sandbox.fault("factSheets", "stall", ms=10_000)
            task = asyncio.ensure_future(c.get(FS))
            # The stimulus: asyncio's own deadline on the await (it cancels the task).
            t0 = time.monotonic()
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(task, 0.5)
            assert task.cancelled()
            cancelled_at = time.monotonic()
            # The native call ended: the sandbox saw the client hang up, and the completion
            # ran (it frees what it was given) although nobody awaits it any more.
            got = sandbox.wait_for_requests("factSheets", {"499": 1})
            assert got == {"499": 1}
            deadline = time.monotonic() + 2
            while _async._pending and time.monotonic() < deadline:
                await asyncio.sleep(0.005)
            assert not _async._pending
            assert cancelled_at - t0 < 0.5 + 0.3
            # The client still works, and the cancel handle that fired is not reused.
            assert (await c.get(FS, params={"pageSize": 1})).status == 200
            return time.monotonic() - cancelled_at

    asyncio.run(main())
    assert sandbox.stats()["token_exchanges"] == 0


def test_closing_the_client_cancels_calls_in_flight(sandbox: Sandbox) -> None:
    async def main() -> None:
        c = make_async(sandbox)
        await c.get(FS, params={"pageSize": 1})
        sandbox.fault("factSheets", "stall", ms=10_000, times=3)
        tasks = [asyncio.ensure_future(c.get(FS)) for _ in range(3)]
        await asyncio.sleep(0)  # the three calls have started
        t0 = time.monotonic()
        await c.aclose()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        assert time.monotonic() - t0 < 1.0
        assert [type(r) for r in results] == [leanix.CancelledError] * 3, results

    asyncio.run(main())


def test_events_of_async_calls_run_on_library_threads(sandbox: Sandbox) -> None:
    seen: List[Any] = []
    sandbox.fault("factSheets", "status", status=503, retry_after="0")

    async def main() -> None:
        async with make_async(sandbox, retry_base_delay=0.001,
                              on_event=lambda k, d: seen.append((k, threading.get_ident()))) as c:
            assert (await c.get(FS, params={"pageSize": 1})).status == 200

    asyncio.run(main())
    me = threading.get_ident()
    assert [k for k, _ in seen] == ["token_fetched", "retry"]
    assert all(t != me for _, t in seen)
    assert sandbox.requests("factSheets", 503) == 1 and sandbox.requests("factSheets", 200) == 1


def test_rest_pages_one_page_at_a_time_and_typed_errors(sandbox: Sandbox) -> None:
    async def main() -> None:
        async with make_async(sandbox) as c:
            total = (await c.get(FS, params={"pageSize": 1})).json()["total"]
            sandbox.reset()
            pages = c.rest_pages(FS, params={"pageSize": 700})
            first = await pages.__anext__()
            assert sandbox.requests("factSheets", 200) == 1  # one page at a time
            rest = [page async for page in pages]
            ids = [fs["id"] for p in [first, *rest] for fs in p["data"]]
            assert len(ids) == total == len(set(ids))
            assert rest[-1]["cursor"] is None
            assert sandbox.requests("factSheets", 200) == -(-total // 700)
            assert [fs["id"] for fs in await c.rest_all_data(FS, params={"pageSize": 1000})] \
                == ids
            # The library's rule, as in the sync client: a cursor cycle is an error, not a loop.
            sandbox.reset()
            sandbox.fault("factSheets", "cursor_cycle", times=100)
            with pytest.raises(leanix.InvalidResponseError, match="round in circles"):
                await c.rest_all_data(FS + "?pageSize=10")
            assert sandbox.requests("factSheets", 200) == 3
            sandbox.fault("factSheets", "clear")
            with pytest.raises(leanix.InvalidArgumentError, match="page="):
                await c.rest_all_data(FS + "?page=one")
        assert not _async._pending

    asyncio.run(main())


def test_cancelling_a_walk_ends_the_page_in_flight(sandbox: Sandbox) -> None:
    async def main() -> None:
        async with make_async(sandbox) as c:
            pages = c.graphql_pages(PAGE_QUERY)
            await pages.__anext__()
            sandbox.reset()
            sandbox.fault("graphql", "stall", ms=10_000)
            t0 = time.monotonic()
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(pages.__anext__(), 0.3)
            assert time.monotonic() - t0 < 0.3 + 0.3
            assert sandbox.wait_for_requests("graphql", {"499": 1}) == {"499": 1}
            deadline = time.monotonic() + 2
            while _async._pending and time.monotonic() < deadline:
                await asyncio.sleep(0.005)
            assert not _async._pending  # the completion of the cancelled page ran
            sandbox.fault("graphql", "clear")
            assert (await c.graphql("{ allFactSheets { totalCount } }"))["allFactSheets"]

    asyncio.run(main())


def test_forget_token_makes_the_next_call_exchange(sandbox: Sandbox) -> None:
    async def main() -> None:
        async with make_async(sandbox) as c:
            await c.get(FS, params={"pageSize": 1})
            assert c.forget_token() is False  # no token file: only memory is cleared
            await c.get(FS, params={"pageSize": 1})

    asyncio.run(main())
    assert sandbox.stats()["token_exchanges"] == 2


def test_claims_and_api_origin_are_awaited_and_share_the_one_exchange(sandbox: Sandbox) -> None:
    info = sandbox.info()

    async def main() -> None:
        async with make_async(sandbox) as c:  # cold: claims() makes the exchange
            claims = await c.claims()
            assert claims is not None
            assert (claims.workspace_id, claims.workspace_name) == (info["workspace_id"],
                                                                    info["workspace_name"])
            assert await c.api_origin() == sandbox.url  # no instance listener: the host
            assert (await c.get(FS, params={"pageSize": 1})).status == 200
            assert (await c.claims()) == claims  # the same token

    asyncio.run(main())
    stats = sandbox.stats()
    assert stats["token_exchanges"] == 1 and stats["token_requests"] == 1, stats
    assert stats["requests"]["factSheets"] == {"200": 1}


def test_cancelling_claims_ends_the_native_call_and_the_exchange_goes_on(
        sandbox: Sandbox) -> None:
    sandbox.fault("token", "stall", ms=10_000)

    async def main() -> float:
        loop = asyncio.get_running_loop()
        loop.set_default_executor(concurrent.futures.ThreadPoolExecutor(max_workers=1))
        c = make_async(sandbox)
        task = asyncio.ensure_future(c.claims())
        deadline = time.monotonic() + 5
        while sandbox.stats()["stalled"] != 1:  # the loop runs while the exchange is held
            assert time.monotonic() < deadline, "the exchange never reached the sandbox"
            await asyncio.sleep(0.005)
        t0 = time.monotonic()
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(task, 0.2)
        # The task ends only once its native call has (lx_claims_json_with, cancelled): at
        # once, not after the stall, and its worker thread is free again.
        assert task.cancelled() and time.monotonic() - t0 < 0.2 + 0.3
        # The executor's one worker thread is free: it runs the next job at once.
        assert await asyncio.wait_for(loop.run_in_executor(None, lambda: 42), 0.5) == 42
        # The exchange it started goes on for the client's other calls ...
        assert sandbox.stats()["stalled"] == 1
        # ... until the client is closed, which ends it (the sandbox sees the hang-up).
        closed_at = time.monotonic()
        await c.aclose()
        assert sandbox.wait_for_requests("token", {"499": 1}) == {"499": 1}
        with pytest.raises(leanix.ClosedError):
            await c.claims()
        return closed_at

    closed_at = asyncio.run(main())
    # asyncio.run waits for the executor's threads: none was still in the call.
    assert time.monotonic() - closed_at < 2.0
    assert sandbox.stats()["token_exchanges"] == 0
