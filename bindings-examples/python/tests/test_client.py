"""The full flow against lx-sandbox: exchange, claims, REST, GraphQL, paging, lifecycle."""

from __future__ import annotations

import gc
import threading
import time
from typing import Any, Dict, List, Tuple

import pytest

import leanix
from sandbox import Sandbox

FS = "/services/pathfinder/v1/factSheets"
PAGE_QUERY = """
query($after: String) {
  allFactSheets(first: 1000, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id name type } }
  }
}"""


def test_claims_read_nested_values_and_absent_ones_as_none() -> None:
    c = leanix.Claims({"sub": "u1", "iss": "lx", "instanceUrl": "https://eu.leanix.net",
                       "region": "eu", "principal": {"username": "me", "permission": {
                           "workspaceId": "w1", "workspaceName": "ws", "role": "MEMBER"}}})
    assert (c.subject, c.issuer, c.instance_url, c.region) == ("u1", "lx",
                                                               "https://eu.leanix.net", "eu")
    assert (c.username, c.workspace_id, c.workspace_name, c.role) == ("me", "w1", "ws",
                                                                      "MEMBER")
    bare = leanix.Claims({"principal": "not an object"})
    assert (bare.subject, bare.username, bare.workspace_id, bare.role) == (None,) * 4
    assert leanix.Claims({"principal": {"permission": 7}}).workspace_name is None


def test_full_flow(sandbox: Sandbox) -> None:
    events: List[Tuple[str, Dict[str, Any]]] = []
    with leanix.Client(sandbox.url, sandbox.admin_token, insecure_loopback=True,
                       request_timeout=10, on_event=lambda k, d: events.append((k, d))) as client:
        # exchange + claims
        token = client.access_token
        assert token.count(".") == 2  # a JWT
        claims = client.claims
        assert claims is not None
        assert claims.workspace_name == "sandbox"
        assert claims.role == "ADMIN"
        assert claims.username == "sandbox-admin"
        assert claims.expires_at is not None and claims.expires_at.timestamp() > time.time() + 3000
        assert claims["region"] == "eu"
        assert sandbox.stats()["token_exchanges"] == 1
        assert events and events[0][0] == "token_fetched"
        assert token not in repr(events) and sandbox.admin_token not in repr(events)

        # REST list, then one by id
        page = client.get(FS + "?pageSize=3")
        assert page.status == 200
        assert page.headers["Content-Type"] == "application/json"
        assert page.headers["content-type"] == page.headers.get("CONTENT-TYPE")
        assert "Content-Length" in page.headers
        body = page.json()
        assert body["status"] == "OK" and len(body["data"]) == 3 and body["total"] >= 3
        first = body["data"][0]
        one = client.get(f"{FS}/{first['id']}").json()
        assert one["data"]["id"] == first["id"]
        assert page.text.startswith("{")

        # create
        created = client.post(FS, json={"name": "Python binding test", "type": "Application"})
        assert created.status in (200, 201)
        new_id = created.json()["data"]["id"]
        assert client.get(f"{FS}/{new_id}").json()["data"]["name"] == "Python binding test"

        # GraphQL
        data = client.graphql("{ allFactSheets(first: 2) { totalCount edges { node { id } } } }")
        assert data["allFactSheets"]["totalCount"] == body["total"] + 1
        assert len(data["allFactSheets"]["edges"]) == 2
        data = client.graphql(PAGE_QUERY, {"after": None})
        assert len(data["allFactSheets"]["edges"]) == 1000

    assert sandbox.stats()["token_exchanges"] == 1


def test_graphql_pages_walks_every_cursor_page(client: leanix.Client, sandbox: Sandbox) -> None:
    total = client.graphql("{ allFactSheets { totalCount } }")["allFactSheets"]["totalCount"]
    pages = list(client.graphql_pages(PAGE_QUERY))
    assert len(pages) == -(-total // 1000)
    ids = [e["node"]["id"] for p in pages for e in p["allFactSheets"]["edges"]]
    assert len(ids) == total == len(set(ids))
    assert pages[-1]["allFactSheets"]["pageInfo"]["hasNextPage"] is False

    edges = client.graphql_all_edges(PAGE_QUERY)
    assert [e["node"]["id"] for e in edges] == ids


def test_rest_pages_walks_every_fact_sheet_once(client: leanix.Client, sandbox: Sandbox) -> None:
    total = client.get(FS, params={"pageSize": 1}).json()["total"]
    before = sandbox.requests("factSheets", 200)
    pages = client.rest_pages(FS, params={"pageSize": 700})
    first = next(pages)  # one page at a time: only the first has been fetched
    assert sandbox.requests("factSheets", 200) - before == 1
    rest = list(pages)
    ids = [fs["id"] for p in [first, *rest] for fs in p["data"]]
    assert len(ids) == total == len(set(ids))
    assert rest[-1]["cursor"] is None
    assert sandbox.requests("factSheets", 200) - before == -(-total // 700)
    assert [fs["id"] for fs in client.rest_all_data(FS + "?pageSize=1000")] == ids


def test_rest_pages_errors_are_typed_and_end_the_walk(client: leanix.Client,
                                                       sandbox: Sandbox) -> None:
    sandbox.fault("factSheets", "cursor_cycle", times=100)
    with pytest.raises(leanix.InvalidResponseError, match="round in circles"):
        client.rest_all_data(FS + "?pageSize=10")
    assert sandbox.requests("factSheets", 200) == 3
    sandbox.reset()
    pages = client.rest_pages(FS, params={"pageSize": 10})
    next(pages)
    sandbox.fault("factSheets", "status", status=403)
    with pytest.raises(leanix.ForbiddenError):
        next(pages)
    assert list(pages) == []
    with leanix.Client(sandbox.url, sandbox.admin_token, insecure_loopback=True,
                       max_pages=2) as capped:
        with pytest.raises(leanix.ResponseTooLargeError, match="more than 2 pages"):
            capped.rest_all_data(FS + "?pageSize=10")
    with pytest.raises(leanix.InvalidArgumentError, match="page="):
        client.rest_all_data(FS + "?page=one")


def test_graphql_pages_needs_the_cursor_variable(client: leanix.Client, sandbox: Sandbox) -> None:
    # The library's rule, checked before any request.
    with pytest.raises(leanix.InvalidArgumentError, match=r"\$after"):
        list(client.graphql_pages("{ allFactSheets(first: 1) { totalCount } }"))
    assert sandbox.requests("graphql", 200) == 0


def test_request_with_custom_headers_and_retry_safe(client: leanix.Client) -> None:
    r = client.request("GET", FS + "?pageSize=1", headers={"Accept": "application/json",
                                                           "X-Request-Id": "abc-123"})
    assert r.status == 200
    r = client.request("POST", "/services/pathfinder/v1/graphql",
                       json={"query": "{ allFactSheets(first: 1) { totalCount } }"},
                       headers=[("X-Trace", "1")], retry_safe=True)
    assert r.json()["data"]["allFactSheets"]["totalCount"] > 0


def test_context_manager_closes_and_use_after_close_raises(sandbox: Sandbox) -> None:
    with leanix.Client(sandbox.url, sandbox.admin_token, insecure_loopback=True) as c:
        assert not c.closed
        c.get(FS + "?pageSize=1")
    assert c.closed
    with pytest.raises(leanix.ClosedError, match="closed"):
        c.get(FS)
    with pytest.raises(leanix.InvalidArgumentError):  # ClosedError is one
        _ = c.access_token
    with pytest.raises(leanix.ClosedError):
        c.graphql("{ allFactSheets { totalCount } }")
    with pytest.raises(leanix.ClosedError):
        with c:
            pass
    c.close()  # idempotent
    c.close()
    assert "closed" in repr(c)


def test_close_is_idempotent_across_threads(sandbox: Sandbox) -> None:
    c = leanix.Client(sandbox.url, sandbox.admin_token, insecure_loopback=True)
    threads = [threading.Thread(target=c.close) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert c.closed


def test_garbage_collected_client_is_freed(sandbox: Sandbox) -> None:
    c = leanix.Client(sandbox.url, sandbox.admin_token, insecure_loopback=True,
                      on_event=lambda k, d: None)
    c.get(FS + "?pageSize=1")
    cid = c._callback_id
    assert cid in leanix._events.callbacks
    del c
    gc.collect()
    assert cid not in leanix._events.callbacks


def test_repr_and_errors_never_show_secrets(sandbox: Sandbox) -> None:
    c = leanix.Client(sandbox.url, sandbox.admin_token, insecure_loopback=True)
    try:
        token = c.access_token
        text = repr(c) + str(c) + repr(c.claims)
        assert sandbox.admin_token not in text and token not in text
        assert sandbox.url in repr(c)
    finally:
        c.close()
    bad = "wrong-" + sandbox.admin_token
    with leanix.Client(sandbox.url, bad, insecure_loopback=True) as c:
        with pytest.raises(leanix.InvalidCredentialsError) as info:
            c.get(FS)
        text = str(info.value) + repr(info.value) + repr(c)
        assert bad not in text and sandbox.admin_token not in text


def test_event_callback_errors_do_not_break_requests(sandbox: Sandbox, caplog: Any) -> None:
    def boom(kind: str, details: Dict[str, Any]) -> None:
        raise RuntimeError("callback failure")

    with leanix.Client(sandbox.url, sandbox.admin_token, insecure_loopback=True,
                       on_event=boom) as c:
        assert c.get(FS + "?pageSize=1").status == 200


def test_retry_events_and_retries(sandbox: Sandbox) -> None:
    events: List[Tuple[str, Dict[str, Any]]] = []
    sandbox.fault("factSheets", "status", status=503, retry_after="0", times=2)
    with leanix.Client(sandbox.url, sandbox.admin_token, insecure_loopback=True,
                       retry_base_delay=0.01, retry_max_delay=0.05,
                       on_event=lambda k, d: events.append((k, d))) as c:
        assert c.get(FS + "?pageSize=1").status == 200
    assert sandbox.requests("factSheets", 503) == 2
    assert [k for k, _ in events].count("retry") == 2


def test_environment_defaults(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEANIX_HOST", sandbox.url)
    monkeypatch.setenv("LEANIX_API_TOKEN", sandbox.admin_token)
    with leanix.Client(insecure_loopback=True) as c:
        assert c.claims.workspace_name == "sandbox"  # type: ignore[union-attr]
        assert sandbox.url in repr(c)


def test_insecure_loopback_its_older_spelling_and_its_environment_variable(
        sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEANIX_HOST", sandbox.url)
    monkeypatch.setenv("LEANIX_API_TOKEN", sandbox.admin_token)
    monkeypatch.delenv("LEANIX_INSECURE_LOOPBACK", raising=False)
    with pytest.raises(leanix.ConfigError, match="LEANIX_INSECURE_LOOPBACK=1"):
        leanix.Client()
    for kwargs in ({"insecure_loopback": True}, {"allow_insecure_loopback": True}):
        with leanix.Client(**kwargs) as c:  # type: ignore[arg-type]
            assert c.get(FS + "?pageSize=1").status == 200
    monkeypatch.setenv("LEANIX_INSECURE_LOOPBACK", "1")
    with leanix.Client() as c:  # the quick start as written, against the sandbox
        assert c.get(FS + "?pageSize=1").status == 200
    with pytest.raises(leanix.ConfigError):  # an explicit False wins over the environment
        leanix.Client(insecure_loopback=False)
    monkeypatch.setenv("LEANIX_INSECURE_LOOPBACK", "maybe")
    with pytest.raises(leanix.ConfigError, match="LEANIX_INSECURE_LOOPBACK must be 1 or 0"):
        leanix.Client()
    assert sandbox.stats()["token_exchanges"] == 3


def test_options_are_passed(sandbox: Sandbox) -> None:
    with leanix.Client(sandbox.url, sandbox.admin_token, insecure_loopback=True,
                       connect_timeout=2, token_timeout=2.5, request_timeout=3.25,
                       user_agent="leanix-python-test", max_attempts=2, token_attempts=2,
                       retry_base_delay=0.01, retry_max_delay=0.1, max_retry_after=5,
                       refresh_ahead=0.5, invalid_credentials_ttl=1, failed_refresh_backoff=1,
                       expiry_margin=1, raw_options={"refresh_on_expiry_only": "0"}) as c:
        assert c.get(FS + "?pageSize=1").status == 200
    with pytest.raises(leanix.InvalidArgumentError, match="unknown option"):
        leanix.Client(sandbox.url, sandbox.admin_token, raw_options={"no_such_key": "1"})
    with pytest.raises(leanix.InvalidArgumentError):
        leanix.Client(sandbox.url, sandbox.admin_token, request_timeout=-1)
    with pytest.raises(TypeError):
        leanix.Client(sandbox.url, sandbox.admin_token, no_such_option=1)  # type: ignore[call-arg]


def test_module_functions() -> None:
    assert leanix.version() == "0.1.0"
    assert leanix.abi_version() == leanix.ABI_VERSION == 1
    assert leanix.library_path().is_file()


def test_event_threads_are_those_of_the_header(sandbox: Sandbox) -> None:
    # leanix.h, lx_event_callback: token events on a library thread; retry and token_rejected
    # events on the thread that made the call, from inside it.
    events: List[Tuple[str, int]] = []
    sandbox.fault("factSheets", "status", status=503, retry_after="0", times=1)
    with leanix.Client(sandbox.url, sandbox.admin_token, insecure_loopback=True,
                       retry_base_delay=0.01, retry_max_delay=0.05,
                       on_event=lambda k, d: events.append((k, threading.get_ident()))) as c:
        assert c.get(FS + "?pageSize=1").status == 200       # fetched, retry
        sandbox.revoke(access_tokens=True)
        assert c.get(FS + "?pageSize=1").status == 200       # rejected, fetched
    me = threading.get_ident()
    assert [k for k, _ in events] == ["token_fetched", "retry", "token_rejected", "token_fetched"]
    assert [t == me for _, t in events] == [False, True, True, False]
    assert sandbox.stats()["token_exchanges"] == 2


def test_one_table_of_options() -> None:
    import inspect
    import re
    from pathlib import Path

    from leanix import _options

    keywords = [p.name for p in inspect.signature(leanix.Client).parameters.values()
                if p.kind is inspect.Parameter.KEYWORD_ONLY]
    assert keywords == [*_options.NAMES, "on_event", "check", "raw_options"]
    assert inspect.signature(leanix.AsyncClient) == inspect.signature(leanix.Client)
    doc = leanix.Client.__doc__ or ""
    defaults = leanix.defaults()  # from the library (lx_options_default), shown in the doc
    assert f"default {defaults['max_attempts']!r}" in doc
    assert "``max_attempts``" in (leanix.AsyncClient.__doc__ or "")
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    for option in _options.OPTIONS:
        assert f"``{option.name}``" in doc and f"``{option.key}``" in doc, option.name
        assert f"`{option.name}" in readme, option.name
    header = next((p / "include" / "leanix.h" for p in Path(__file__).resolve().parents
                   if (p / "include" / "leanix.h").is_file()), None)
    if header is not None:  # every key is one that lx_options_set documents
        text = header.read_text()
        table = text[text.index("// Sets one option."):text.index("lx_status lx_options_set(")]
        keys = set(re.findall(r"`([a-z_]+)`", table))
        assert {o.key for o in _options.OPTIONS} <= keys, sorted(
            {o.key for o in _options.OPTIONS} - keys)


# -- the rate budget: the same behaviour tests/c/test_calls.c checks, counted, not timed ----


def _warm(sandbox: Sandbox, **options: Any) -> leanix.Client:
    """A client with ``options`` that holds a token already; the sandbox's counters zeroed."""
    c = leanix.Client(sandbox.url, sandbox.admin_token, insecure_loopback=True, **options)
    assert c.access_token
    sandbox.reset()
    return c


def test_max_requests_per_minute_is_one_budget_for_every_thread(sandbox: Sandbox) -> None:
    # 6 a minute: a bucket of one request, the next one 10 s later. Of 8 calls from 8 threads
    # with a 0.5 s deadline exactly one is sent; the others would have to wait past their
    # deadline, so they raise RateLimitedError at once without reaching the server.
    with _warm(sandbox, max_requests_per_minute=6) as c:
        outcomes: List[str] = []
        lock = threading.Lock()

        def call() -> None:
            try:
                c.get(FS, params={"pageSize": 1}, timeout=0.5)
                got = "ok"
            except leanix.RateLimitedError as e:
                assert e.retry_after is not None and 0.5 < e.retry_after <= 10.0, e.retry_after
                assert "was not sent" in str(e)
                got = "held"
            with lock:
                outcomes.append(got)

        threads = [threading.Thread(target=call) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(outcomes) == ["held"] * 7 + ["ok"]
        assert sandbox.requests("factSheets", 200) == 1
        assert sandbox.requests("factSheets", 429) == 0
    # Without the option every call is sent.
    with _warm(sandbox) as c:
        for _ in range(8):
            c.get(FS, params={"pageSize": 1}, timeout=5)
        assert sandbox.requests("factSheets", 200) == 8


@pytest.mark.parametrize("adaptive", [True, False])
def test_adaptive_pacing_starts_after_a_429_only_when_asked(sandbox: Sandbox,
                                                            adaptive: bool) -> None:
    events: List[Dict[str, Any]] = []
    with _warm(sandbox, adaptive_pacing=adaptive,
               on_event=lambda k, d: events.append(d) if k == "pacing" else None) as c:
        # A sending rate to measure (10 calls of 20 ms), then a 429 with Retry-After: 1.
        sandbox.fault("factSheets", "latency", ms=20)
        for _ in range(10):
            assert c.get(FS, params={"pageSize": 1}).status == 200
        sandbox.fault("factSheets", "latency", ms=0)
        sandbox.fault("factSheets", "status", status=429, retry_after="1")
        assert c.get(FS, params={"pageSize": 1}, timeout=10).status == 200  # the 429 retried
        assert sandbox.requests("factSheets", 429) == 1
        assert sandbox.requests("factSheets", 200) == 11
    sandbox.clear_faults()
    if adaptive:
        assert [e["started"] for e in events] == [True], events
        assert events[0]["requests_per_minute"] > 0
    else:
        assert events == []


@pytest.mark.parametrize("reauth_interval,exchanges,unauthorized",
                         [(600, 1, 6),  # one re-exchange, then every 401 is final
                          (0, 5, 10)])  # each call exchanges once more
def test_reauth_interval_bounds_the_exchanges_of_401s(sandbox: Sandbox, reauth_interval: float,
                                                      exchanges: int, unauthorized: int) -> None:
    with _warm(sandbox, reauth_interval=reauth_interval) as c:
        sandbox.fault("factSheets", "status", status=401, times=1000)
        for _ in range(5):
            with pytest.raises(leanix.UnauthorizedError):
                c.get(FS, params={"pageSize": 1})
        assert sandbox.stats()["token_exchanges"] == exchanges
        assert sandbox.requests("factSheets", 401) == unauthorized
    sandbox.clear_faults()
