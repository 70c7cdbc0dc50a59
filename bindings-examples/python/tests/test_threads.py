"""One client shared by many threads: one token exchange, and real parallelism (no GIL held)."""

from __future__ import annotations

import threading
import time
from typing import List

import leanix
from sandbox import Sandbox

FS = "/services/pathfinder/v1/factSheets"


def run_threads(n: int, target) -> List[BaseException]:  # type: ignore[no-untyped-def]
    errors: List[BaseException] = []
    barrier = threading.Barrier(n)

    def wrapped() -> None:
        try:
            barrier.wait()
            target()
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=wrapped) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_8_threads_x_200_requests_one_exchange(sandbox: Sandbox, client: leanix.Client) -> None:
    fs_id = client.graphql("{ allFactSheets(first: 1) { edges { node { id } } } }")[
        "allFactSheets"]["edges"][0]["node"]["id"]
    sandbox.reset()  # count from here; the client keeps its token
    fresh = leanix.Client(sandbox.url, sandbox.admin_token, insecure_loopback=True)
    statuses: List[int] = []

    def work() -> None:
        for _ in range(200):
            r = fresh.get(f"{FS}/{fs_id}")
            statuses.append(r.status)
            assert r.json()["data"]["id"] == fs_id

    try:
        errors = run_threads(8, work)  # cold cache: all 8 race for the first token
    finally:
        fresh.close()
    assert not errors, errors[:3]
    assert statuses == [200] * 1600
    stats = sandbox.stats()
    assert stats["token_exchanges"] == 1, stats
    assert stats["token_requests"] == 1, stats
    assert stats["requests"]["factSheet"] == {"200": 1600}, stats


def test_threads_run_in_parallel(sandbox: Sandbox, client: leanix.Client) -> None:
    client.access_token
    sandbox.fault("factSheets", "latency", ms=200)
    try:
        t0 = time.monotonic()
        errors = run_threads(8, lambda: client.get(FS + "?pageSize=1"))
        elapsed = time.monotonic() - t0
    finally:
        sandbox.fault("factSheets", "clear")
    assert not errors, errors
    # 8 calls of 200 ms each: serialized they would take 1.6 s.
    assert elapsed < 1.0, elapsed
