"""Failures keep the server's answer; GraphQL errors are structured; paging and bodies are
bounded (issue 13)."""

from __future__ import annotations

import pickle
from typing import Any, Iterator

import pytest

import leanix
from clients import FS, MISSING, PAGE_QUERY, make, make_async
from sandbox import Sandbox

def test_a_400_keeps_its_body_and_headers(sandbox: Sandbox, client: leanix.Client) -> None:
    client.access_token
    sandbox.fault("factSheets", "status", status=400, headers={"x-request-id": "req-4711"})
    with pytest.raises(leanix.HTTPError) as info:
        client.post(FS, json={"name": "x", "type": "Application"})
    e = info.value
    assert type(e) is leanix.HTTPError
    assert e.status == e.http_status == 400
    assert e.status_code == leanix.LX_ERR_HTTP
    r = e.response
    assert isinstance(r, leanix.Response)
    assert r.status == 400 and not r.ok
    assert r.headers["X-Request-Id"] == "req-4711"
    assert r.json() == {"status": "ERROR", "type": "FactSheet",
                        "errors": [{"message": "HTTP 400 Bad Request"}]}
    assert '"status":"ERROR"' in r.text
    assert "HTTP 400" in e.message and "400 Bad Request" in str(e)
    assert sandbox.requests("factSheets", 400) == 1  # a POST is not retried


def test_a_failed_write_explains_itself(client: leanix.Client) -> None:
    # The sandbox refuses the write with LeanIX's envelope; the message quotes it.
    with pytest.raises(leanix.HTTPError) as info:
        client.post(FS, json={"name": "no type"})
    e = info.value
    assert e.status == 400
    words = e.response.json()["errors"][0]["message"]
    assert "does not exist" in words and words in e.message


def test_a_404_is_a_not_found_error(sandbox: Sandbox, client: leanix.Client) -> None:
    with pytest.raises(leanix.NotFoundError) as info:
        client.get(MISSING)
    e = info.value
    assert isinstance(e, leanix.HTTPError) and e.status == 404
    assert e.status_code == leanix.LX_ERR_HTTP
    assert "not found" in e.response.json()["errors"][0]["message"]
    assert sandbox.requests("factSheet", 404) == 1  # a 404 is not retried


def test_forbidden_and_rate_limited_are_http_errors(sandbox: Sandbox) -> None:
    with make(sandbox, sandbox.viewer_token) as c:
        with pytest.raises(leanix.HTTPError) as info:
            c.post(FS, json={"name": "n", "type": "Application"})
    assert type(info.value) is leanix.ForbiddenError and info.value.response.status == 403
    sandbox.fault("factSheets", "status", status=429, retry_after="3600")
    with make(sandbox) as c:
        with pytest.raises(leanix.RateLimitedError) as info2:
            c.get(FS)
    assert isinstance(info2.value, leanix.HTTPError)
    assert info2.value.retry_after == 3600.0 and info2.value.response.status == 429


def test_a_failed_exchange_keeps_the_token_endpoints_answer(sandbox: Sandbox) -> None:
    # The README pattern (catch HTTPError, read e.response) works when the token endpoint
    # is what failed, and for a rejected API token.
    sandbox.fault("token", "status", status=503, headers={"x-request-id": "tok-py-503"})
    with make(sandbox, token_attempts=1) as c:
        with pytest.raises(leanix.HTTPError) as info:
            c.get(FS)
    r = info.value.response
    assert r is not None and r.status == 503 and r.headers["x-request-id"] == "tok-py-503"
    sandbox.fault("token", "clear")
    with make(sandbox, "not-a-valid-api-token-at-all") as c:
        with pytest.raises(leanix.InvalidCredentialsError) as info2:
            c.get(FS)
    r = info2.value.response
    assert r is not None and r.status == 401 and r.text
    assert sandbox.requests("factSheets", -1) == 0


def test_failures_without_an_answer_have_no_response(sandbox: Sandbox) -> None:
    sandbox.fault("factSheets", "stall", ms=5000)
    with make(sandbox, max_attempts=1) as c:
        with pytest.raises(leanix.TimeoutError) as info:
            c.get(FS, timeout=0.2)
    assert info.value.response is None and info.value.status is None


def test_check_false_returns_the_answer(sandbox: Sandbox, client: leanix.Client) -> None:
    r = client.get(MISSING, check=False)
    assert r.status == 404 and not r.ok
    assert "not found" in r.json()["errors"][0]["message"]
    with pytest.raises(leanix.NotFoundError) as info:
        r.raise_for_status()
    assert info.value.response is r and "404" in info.value.message
    ok = client.get(FS, params={"pageSize": 1}, check=False)
    assert ok.raise_for_status() is ok
    with make(sandbox, check=False) as c:  # the client's default, overridden per call
        assert c.get(MISSING).status == 404
        with pytest.raises(leanix.NotFoundError):
            c.get(MISSING, check=True)
    # Failures without an answer still raise.
    with pytest.raises(leanix.InvalidArgumentError):
        client.get(FS, headers={"Bad Name": "x"}, check=False)


def test_graphql_errors_are_structured(client: leanix.Client) -> None:
    fs_id = client.get(FS, params={"pageSize": 1}).json()["data"][0]["id"]
    with pytest.raises(leanix.GraphQLError) as info:
        client.graphql(
            'mutation($id: ID!) { updateFactSheet(id: $id, rev: 999999, patches: '
            '[{op: replace, path: "/name", value: "clash"}]) { factSheet { id rev } } }',
            {"id": fs_id})
    e = info.value
    assert e.error_types == ["REVISION_CLASH"]
    assert e.errors[0]["extensions"]["errorType"] == "REVISION_CLASH"
    assert "instead of given 999999" in e.errors[0]["message"] and "REVISION_CLASH" in e.message
    assert e.data == {"updateFactSheet": None}
    assert e.status == 200 and e.response is not None and e.response.status == 200

    # A failing field beside one that works: the partial data comes with the error.
    with pytest.raises(leanix.GraphQLError) as info:
        client.graphql('{ a: allFactSheets(first: 1) { totalCount } '
                       'b: factSheet(id: "no-such-id") { id } }')
    e = info.value
    assert e.error_types == ["DataFetchingException"]
    assert e.errors[0]["path"] == ["b"]
    assert e.data["b"] is None and e.data["a"]["totalCount"] > 0

    f = pickle.loads(pickle.dumps(e))  # multiprocessing can carry it, details included
    assert type(f) is leanix.GraphQLError and f.errors == e.errors and f.data == e.data


def test_pages_are_fetched_one_at_a_time(sandbox: Sandbox, client: leanix.Client) -> None:
    total = client.graphql("{ allFactSheets { totalCount } }")["allFactSheets"]["totalCount"]
    count = -(-total // 1000)
    assert count >= 3
    sandbox.reset()
    pages: Iterator[Any] = client.graphql_pages(PAGE_QUERY)
    assert sandbox.requests("graphql", 200) == 0  # nothing is sent before the first next()
    first = next(pages)
    assert len(first["allFactSheets"]["edges"]) == 1000
    assert sandbox.requests("graphql", 200) == 1  # exactly the pages consumed
    second = next(pages)
    assert sandbox.requests("graphql", 200) == 2
    assert second["allFactSheets"]["edges"][0] != first["allFactSheets"]["edges"][0]
    rest = list(pages)
    assert len(rest) == count - 2
    assert rest[-1]["allFactSheets"]["pageInfo"]["hasNextPage"] is False
    assert sandbox.requests("graphql", 200) == count
    assert sandbox.stats()["token_exchanges"] == 0  # the client's token served every page


def test_an_abandoned_walk_sends_nothing_more(sandbox: Sandbox, client: leanix.Client) -> None:
    client.access_token
    sandbox.reset()
    for page in client.graphql_pages(PAGE_QUERY):
        break
    assert sandbox.requests("graphql", 200) == 1


# A page whose connection has edges but no pageInfo (a server that ignored the selection).
PAGE_WITHOUT_PAGE_INFO = ("respond", {
    "body": '{"data":{"allFactSheets":{"edges":[{"node":{"id":"x"}}]}}}'})

# The paging rule, the same on every surface: (fault: None, a kind, or a kind and its fields;
# query; exception class; words of the message)
RULE = [
    (None, "{ allFactSheets(first: 5) { edges { node { id } } } }",
     leanix.InvalidArgumentError, "$after"),
    # declares $after but does not pass it (every page would be the first)
    (None, "query($after: String) { allFactSheets(first: 5) "
           "{ pageInfo { hasNextPage endCursor } edges { node { id } } } }",
     leanix.InvalidArgumentError, "declares $after but does not pass it to allFactSheets"),
    # has $after, no pageInfo selected
    (None, "query($after: String) { allFactSheets(first: 5, after: $after) "
           "{ edges { node { id } } } }",
     leanix.InvalidArgumentError, "pageInfo { hasNextPage endCursor }"),
    # server page without pageInfo
    (PAGE_WITHOUT_PAGE_INFO, PAGE_QUERY, leanix.InvalidResponseError,
     "no connection with pageInfo"),
    ("cursor_cycle", PAGE_QUERY, leanix.InvalidResponseError, "round in circles"),
    ("no_end_cursor", PAGE_QUERY, leanix.InvalidResponseError, "no endCursor"),
]


@pytest.mark.parametrize("fault,query,cls,words", RULE)
def test_paging_rule_on_every_surface(sandbox: Sandbox, client: leanix.Client, fault: Any,
                                      query: str, cls: Any, words: str) -> None:
    import asyncio

    async def walk_async() -> None:
        async with make_async(sandbox) as a:
            async for _ in a.graphql_pages(query):
                pass

    surfaces = [lambda: list(client.graphql_pages(query)),
                lambda: client.graphql_all_edges(query),
                lambda: asyncio.run(walk_async())]
    for surface in surfaces:
        if fault:
            kind, fields = (fault, {}) if isinstance(fault, str) else fault
            sandbox.fault("graphql", kind, times=1000, **fields)
        with pytest.raises(cls) as info:
            surface()
        assert words in info.value.message
        sandbox.fault("graphql", "clear")


def test_more_pages_than_max_pages(sandbox: Sandbox) -> None:
    import asyncio

    # 3000 fact sheets (and more) at 1000 a page are 3 pages or more: a cap of 2 is exceeded.
    with make(sandbox, max_pages=2) as c:
        got = []
        with pytest.raises(leanix.ResponseTooLargeError, match="max_pages"):
            for page in c.graphql_pages(PAGE_QUERY):
                got.append(page)
        assert len(got) == 2  # both pages fetched; the third is refused before it is sent
        with pytest.raises(leanix.ResponseTooLargeError):
            c.graphql_all_edges(PAGE_QUERY)

    async def walk() -> int:
        n = 0
        async with make_async(sandbox, max_pages=2) as a:
            async for _ in a.graphql_pages(PAGE_QUERY):
                n += 1
        return n

    with pytest.raises(leanix.ResponseTooLargeError, match="max_pages"):
        asyncio.run(walk())


def test_too_large_bodies(sandbox: Sandbox) -> None:
    with make(sandbox, max_response_bytes=64 * 1024) as c:
        c.access_token
        sandbox.fault("factSheet", "large_body", bytes=10 * 1024 * 1024)
        with pytest.raises(leanix.ResponseTooLargeError) as info:
            c.get(FS + "/any")
        assert info.value.status_code == leanix.LX_ERR_TOO_LARGE
        assert "max_response_bytes" in info.value.message
        sandbox.fault("factSheet", "endless_body")
        with pytest.raises(leanix.ResponseTooLargeError):
            c.get(FS + "/any", timeout=30)
        sandbox.fault("factSheet", "large_body", bytes=60 * 1024)  # under the limit: fine
        assert len(c.get(FS + "/any").content) == 60 * 1024


def test_an_absent_header_is_a_key_error(client: leanix.Client) -> None:
    r = client.get(FS, params={"pageSize": 1})
    with pytest.raises(KeyError):
        r.headers["X-Not-There"]
    assert r.headers.get("X-Not-There") is None
    assert issubclass(leanix.ItemNotFoundError, KeyError)
    assert not issubclass(leanix.NotFoundError, LookupError)


def test_a_call_from_inside_a_callback_is_refused(sandbox: Sandbox) -> None:
    seen = []
    holder: Any = {}

    def on_event(kind: str, details: Any) -> None:
        if kind == "retry":
            try:
                holder["c"].get(FS, params={"pageSize": 1})
            except leanix.LeanixError as e:
                seen.append(e)

    sandbox.fault("factSheets", "status", status=503, retry_after="0")
    with make(sandbox, on_event=on_event, retry_base_delay=0.001) as c:
        holder["c"] = c
        assert c.get(FS, params={"pageSize": 1}).status == 200
    assert len(seen) == 1 and type(seen[0]) is leanix.RecursiveCallError, seen
    assert sandbox.requests("factSheets", 200) == 1  # the refused call sent nothing


def test_a_429_carries_the_reason_code_of_its_body(sandbox: Sandbox) -> None:
    # The sandbox's own per-user limit (like --rate-limit) answers as LeanIX documents it.
    sandbox.config(rate_limit_per_minute=1)
    with make(sandbox, max_attempts=1) as c:
        assert c.get(FS + "?pageSize=1").status == 200
        with pytest.raises(leanix.RateLimitedError) as info:
            c.get(FS + "?pageSize=1")
    e = info.value
    assert e.reason == "USER_INTERVAL_REQUEST_LIMIT_EXCEEDED"
    assert e.http_status == 429 and e.retry_after is not None and 0 < e.retry_after <= 60
    assert sandbox.requests("factSheets", 429) == 1
