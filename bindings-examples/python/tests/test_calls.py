"""The request surface of the blocking client (issue 15): params=, headers=, the verbs,
per-call deadlines, logging, and a multiprocessing smoke."""

from __future__ import annotations

import logging
import multiprocessing
import time
from typing import Any, Tuple

import pytest

import leanix
from clients import FS, make
from sandbox import Sandbox

def test_params(client: leanix.Client) -> None:
    r = client.get(FS, params={"pageSize": 3, "type": ["Application", "ITComponent"]})
    body = r.json()
    assert len(body["data"]) == 3
    assert {d["type"] for d in body["data"]} <= {"Application", "ITComponent"}
    # Pairs, a query already in the path, None left out, True as "true"
    r = client.get(FS + "?pageSize=2", params=[("type", "Application"), ("cursor", None)])
    assert {d["type"] for d in r.json()["data"]} == {"Application"}
    assert len(r.json()["data"]) == 2
    archived = client.get(FS, params={"archivedOnly": True, "pageSize": 10000}).json()
    assert all(d["status"] == "ARCHIVED" for d in archived["data"])
    # Values are encoded: a space or an '&' cannot inject another parameter.
    r = client.get(FS, params={"type": "Application&pageSize=1", "pageSize": 5})
    assert r.json()["data"] == []


def test_verbs_with_headers(sandbox: Sandbox, client: leanix.Client) -> None:
    created = client.post(FS, json={"name": "verbs", "type": "Application"},
                          headers={"X-Request-Id": "t-1"}).json()["data"]
    path = f"{FS}/{created['id']}"
    put = client.put(path, json={"description": "put", "rev": created["rev"]},
                     headers=[("X-Trace", "2")])
    assert put.json()["data"]["description"] == "put"
    with pytest.raises(leanix.HTTPError) as info:  # the sandbox has no PATCH: the verb went out
        client.patch(path, json={"description": "patch"})
    assert info.value.status == 405
    gone = client.delete(path, json={"comment": "done"})
    assert gone.json()["data"]["status"] == "ARCHIVED"
    assert sandbox.requests("factSheet", 405) == 1
    assert sandbox.requests("factSheet", 200) == 2


def test_timeout_per_call_is_the_deadline(sandbox: Sandbox) -> None:
    with make(sandbox) as c:  # the client's default deadline is 60 s
        c.access_token
        sandbox.fault("factSheets", "stall", ms=10_000)
        t0 = time.monotonic()
        with pytest.raises(leanix.TimeoutError) as info:
            c.get(FS, timeout=0.3)
        took = time.monotonic() - t0
    assert 0.29 <= took < 0.3 + 0.5, took
    assert "deadline of 300 ms" in info.value.message
    # The abandoned attempt is all the sandbox saw: no retry past the deadline.
    assert sandbox.wait_for_requests("factSheets", {"499": 1}) == {"499": 1}
    assert sandbox.stats()["token_exchanges"] == 1


def test_timeout_per_call_overrides_the_client(sandbox: Sandbox) -> None:
    with make(sandbox, request_timeout=0.3) as c:
        c.access_token
        sandbox.fault("factSheets", "stall", ms=1000)
        assert c.get(FS, params={"pageSize": 1}, timeout=5).status == 200
        sandbox.fault("factSheets", "stall", ms=1000)
        with pytest.raises(leanix.TimeoutError):
            c.get(FS, params={"pageSize": 1})  # the client's 0.3 s again
        assert c.graphql("{ allFactSheets { totalCount } }", timeout=5)


def test_a_retry_after_beyond_the_deadline_ends_the_call(sandbox: Sandbox) -> None:
    with make(sandbox) as c:
        c.access_token
        sandbox.fault("factSheets", "status", status=503, retry_after="10")
        t0 = time.monotonic()
        with pytest.raises(leanix.HTTPError) as info:
            c.get(FS, timeout=1)
        assert time.monotonic() - t0 < 0.5  # not waited, since it would pass the deadline
    assert info.value.status == 503 and info.value.retry_after == 10.0
    assert sandbox.requests("factSheets", 503) == 1


def test_operation_name(client: leanix.Client) -> None:
    doc = ("query Count { allFactSheets { totalCount } } "
           "query First { allFactSheets(first: 1) { edges { node { id } } } }")
    assert "totalCount" in client.graphql(doc, operation_name="Count")["allFactSheets"]
    assert "edges" in client.graphql(doc, operation_name="First")["allFactSheets"]


def test_events_reach_the_leanix_logger(sandbox: Sandbox, caplog: Any) -> None:
    caplog.set_level(logging.INFO, logger="leanix")
    sandbox.fault("factSheets", "status", status=503, retry_after="0")
    with make(sandbox, retry_base_delay=0.001) as c:  # no on_event: logging only
        token = c.access_token
        assert c.get(FS, params={"pageSize": 1}).status == 200
    records = [r for r in caplog.records if r.name == "leanix"]
    kinds = [getattr(r, "leanix_event", None) for r in records]
    assert kinds == ["token_fetched", "retry"], kinds
    assert [r.levelno for r in records] == [logging.INFO, logging.INFO]
    assert records[0].getMessage().startswith("token fetched: ")
    assert "retrying the api request" in records[1].getMessage()
    assert "503" in records[1].getMessage()
    text = caplog.text
    assert token not in text and sandbox.admin_token not in text


def test_a_failed_exchange_is_a_warning(sandbox: Sandbox, caplog: Any) -> None:
    caplog.set_level(logging.INFO, logger="leanix")
    with leanix.Client(sandbox.url, "wrong-token", insecure_loopback=True) as c:
        with pytest.raises(leanix.InvalidCredentialsError):
            c.get(FS)
    warnings = [r for r in caplog.records if r.name == "leanix" and r.levelno == logging.WARNING]
    assert [getattr(r, "leanix_event", None) for r in warnings] == ["token_failed"]
    assert "wrong-token" not in caplog.text


def _spawned_worker(args: Tuple[str, str]) -> Tuple[int, str]:
    url, token = args
    with leanix.Client(url, token, insecure_loopback=True) as c:
        r = c.get(FS, params={"pageSize": 1})
        try:
            c.get(FS + "/00000000-0000-0000-0000-000000000000")
        except leanix.NotFoundError as e:
            return r.status, type(e).__name__
    return r.status, "no error"


def test_multiprocessing_spawn_smoke(sandbox: Sandbox) -> None:
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        results = pool.map(_spawned_worker, [(sandbox.url, sandbox.admin_token)] * 2)
    assert results == [(200, "NotFoundError")] * 2
    stats = sandbox.stats()
    assert stats["token_exchanges"] == 2  # one per process
    assert stats["requests"]["factSheets"] == {"200": 2}
    assert stats["requests"]["factSheet"] == {"404": 2}


def test_every_event_kind_has_its_own_log_message() -> None:
    # No kind falls through to the generic "name: {details}" text, and a refused instanceUrl
    # is a WARNING, as the token cache being ignored is.
    from leanix import _bindings, _events
    details = {"origin": "https://eu-1.leanix.net", "instance_url": "https://x.example",
               "reason": "not https", "path": "/c", "fingerprint": "abcd1234",
               "expires_in_ms": 1000, "target": "api", "delay_ms": 200, "attempt": 1,
               "started": True, "requests_per_minute": 60}
    for name in _bindings.EVENT_NAMES.values():
        assert not _events.describe(name, details).startswith(f"{name}:"), name
    assert (_events.describe("instance_refused", details)
            == "instanceUrl https://x.example ignored: not https")
    assert _events._level("instance_refused", details) == logging.WARNING
    assert _events._level("instance_routed", details) == logging.INFO
