"""PULL webhooks and instanceUrl routing from Python, against a sandbox started with
``--instance-listener``: routing is transparent (calls reach the instance, the token host sees
the exchange only; ``api_origin`` names the instance; ``route_by_instance_url=False`` keeps
calls on the host); ``for event in client.webhooks.events(...)`` commits what the loop body
finished, so a body raising on event 7 of 10 sees event 7 again on the next run and skips none;
the async form; cancellation of a waiting ``follow``."""

from __future__ import annotations

import asyncio
from typing import Iterator, List

import pytest

import leanix
from sandbox import Sandbox


@pytest.fixture(scope="module")
def routed() -> Iterator[Sandbox]:
    sb = Sandbox("--instance-listener", "--fact-sheets", "30")
    try:
        yield sb
    finally:
        sb.close()


@pytest.fixture
def client(routed: Sandbox) -> Iterator[leanix.Client]:
    routed.reset()
    routed.webhooks(batch_size=4)
    with leanix.Client(routed.url, routed.admin_token, insecure_loopback=True) as c:
        yield c


class Poison(Exception):
    pass


def test_routing_is_transparent(routed: Sandbox, client: leanix.Client) -> None:
    instance = routed.info()["instance_url"]
    assert instance and instance != routed.url
    r = client.get("/services/pathfinder/v1/factSheets", params={"pageSize": 2})
    assert r.status == 200
    assert client.graphql("{ allFactSheets(first: 1) { totalCount } }")["allFactSheets"]
    assert client.api_origin == instance
    assert routed.instance_requests("factSheets", 200) == 1
    assert routed.instance_requests("graphql", 200) == 1
    assert routed.requests("factSheets", 200) == 0
    assert routed.stats()["token_exchanges"] == 1
    claims = client.claims
    assert claims is not None and claims.raw["instanceUrl"] == instance


def test_routing_can_be_turned_off(routed: Sandbox) -> None:
    routed.reset()
    with leanix.Client(routed.url, routed.admin_token, insecure_loopback=True,
                       route_by_instance_url=False) as c:
        assert c.get("/services/pathfinder/v1/factSheets").status == 200
        assert c.api_origin == routed.url
    assert routed.requests("factSheets", 200) == 1
    assert routed.instance_requests("factSheets", 200) == 0


def test_a_body_raising_on_event_7_of_10_sees_it_again_and_skips_none(
        routed: Sandbox, client: leanix.Client) -> None:
    sub = client.webhooks.create([["pytest"]], identifier="py")
    offsets = routed.emit(["pytest"], {"k": "v"}, count=10)
    seen: List[int] = []
    with pytest.raises(Poison):
        for event in client.webhooks.events(sub["id"]):
            seen.append(event["offset"])
            if event["offset"] == offsets[6]:
                raise Poison()
    assert routed.webhooks()["cursors"][sub["id"]] == offsets[6]
    for event in client.webhooks.events(sub["id"]):
        seen.append(event["offset"])
    assert seen == offsets[:7] + offsets[6:]
    assert routed.webhooks()["cursors"][sub["id"]] == offsets[9] + 1
    assert list(client.webhooks.events(sub["id"])) == []
    # Every webhook call went to the instance.
    assert routed.requests("webhooks", 200) == 0
    assert routed.instance_requests("webhooks", 200) > 0


def test_subscriptions_fetch_commit_and_errors(routed: Sandbox, client: leanix.Client) -> None:
    sub = client.webhooks.create([["pathfinder", "FACT_SHEET_CREATED"]],
                                 payload_mode="WRAPPED_EVENT")
    assert sub["payloadMode"] == "WRAPPED_EVENT"
    assert sub["id"] in [s["id"] for s in client.webhooks.list()]
    created = client.post("/services/pathfinder/v1/factSheets",
                          json={"name": "From Python", "type": "Application"}).json()
    batch = client.webhooks.fetch(sub["id"])
    assert len(batch) == 1
    assert batch[0]["payload"]["event"]["factSheet"]["id"] == created["data"]["id"]
    client.webhooks.commit(sub["id"], batch[0]["offset"] + 1)
    assert client.webhooks.fetch(sub["id"]) == []
    with pytest.raises(leanix.HTTPError) as e:
        client.webhooks.commit(sub["id"], batch[0]["offset"])
    assert e.value.status == 400
    client.webhooks.delete(sub["id"])
    with pytest.raises(leanix.NotFoundError):
        client.webhooks.fetch(sub["id"])
    with pytest.raises(leanix.InvalidArgumentError):
        client.webhooks.create("pathfinder")  # type: ignore[arg-type]


def test_create_sends_the_workspace_constraint(routed: Sandbox, client: leanix.Client) -> None:
    workspace = routed.info()["workspace_id"]
    sub = client.webhooks.create([["pyconstraint"]], workspace_id=workspace,
                                 workspace_constraint="ANY")
    subscriptions = {s["id"]: s for s in client.webhooks.list()}
    stored = subscriptions[sub["id"]]
    assert (stored["workspaceId"], stored["workspaceConstraint"]) == (workspace, "ANY")
    # The value reaches the server as given: the sandbox knows only "ANY" and says so.
    with pytest.raises(leanix.HTTPError) as e:
        client.webhooks.create([["pyconstraint"]], workspace_constraint="SAME_INSTANCE")
    assert e.value.status == 400
    assert e.value.response.json()["errors"] == [
        {"message": "'workspaceConstraint' must be \"ANY\""}]
    assert len(client.webhooks.list()) == len(subscriptions)  # the refused one was not stored
    with pytest.raises(leanix.InvalidArgumentError, match="workspaceConstraint"):
        client.webhooks.create([["pyconstraint"]], workspace_constraint=1)  # type: ignore[arg-type]


def test_the_async_form_commits_and_resumes(routed: Sandbox) -> None:
    routed.reset()

    async def main() -> List[int]:
        async with leanix.AsyncClient(routed.url, routed.admin_token,
                                      insecure_loopback=True) as c:
            sub = await c.webhooks.create([["pyasync"]])
            offsets = routed.emit(["pyasync"], count=6)
            seen: List[int] = []
            agen = c.webhooks.events(sub["id"])
            try:
                async for event in agen:
                    seen.append(event["offset"])
                    if event["offset"] == offsets[4]:
                        break
            finally:
                await agen.aclose()
            assert routed.webhooks()["cursors"][sub["id"]] == offsets[4]
            async for event in c.webhooks.events(sub["id"]):
                seen.append(event["offset"])
            assert seen == offsets[:5] + offsets[4:]
            # A task waiting for events (follow) is cancelled promptly.
            waiting = asyncio.ensure_future(c.webhooks.fetch(sub["id"], wait=True))
            await asyncio.sleep(0)
            waiting.cancel()
            with pytest.raises(asyncio.CancelledError):
                await asyncio.wait_for(waiting, 30)
            return offsets

    offsets = asyncio.run(main())
    assert routed.instance_requests("webhooks", 200) > 0
    assert len(offsets) == 6


def test_follow_yields_new_events_and_break_leaves_the_current_one(
        routed: Sandbox, client: leanix.Client) -> None:
    sub = client.webhooks.create([["pyfollow"]])
    offsets = routed.emit(["pyfollow"], count=3)
    seen: List[int] = []
    for event in client.webhooks.events(sub["id"], follow=True):
        seen.append(event["offset"])
        if len(seen) == 3:
            break  # the loop did not finish this one: it is not committed
    assert seen == offsets
    assert routed.webhooks()["cursors"][sub["id"]] == offsets[2]
    handled: List[int] = []
    assert client.webhooks.consume(sub["id"], lambda e: handled.append(e["offset"])) == 1
    assert handled == [offsets[2]]
    assert routed.webhooks()["cursors"][sub["id"]] == offsets[2] + 1


def test_allowed_instance_hosts_takes_a_list_or_one_comma_separated_str(routed: Sandbox) -> None:
    for hosts in (["ok.example", "eu-7.example"], ("ok.example",), "ok.example,eu-7.example"):
        with leanix.Client(routed.url, routed.admin_token, insecure_loopback=True,
                           allowed_instance_hosts=hosts) as c:
            assert c.get("/services/pathfinder/v1/factSheets").status == 200
    # Each host of a list is checked by the library, and named when it is not one.
    with pytest.raises(leanix.ConfigError, match='"not a host"'):
        leanix.Client(routed.url, routed.admin_token, insecure_loopback=True,
                      allowed_instance_hosts=["ok.example", "not a host"])
    # A loopback host could never be followed through the list: refused, named.
    with pytest.raises(leanix.ConfigError, match='"127.0.0.1" is a loopback address'):
        leanix.Client(routed.url, routed.admin_token, insecure_loopback=True,
                      allowed_instance_hosts="ok.example,127.0.0.1")
    with pytest.raises(TypeError, match="as str, not int"):
        leanix.Client(routed.url, routed.admin_token, allowed_instance_hosts=["ok.example", 1])
    with pytest.raises(TypeError, match="iterable of str, not int"):
        leanix.Client(routed.url, routed.admin_token, allowed_instance_hosts=5)
    with pytest.raises(ValueError, match="holds a comma"):
        leanix.Client(routed.url, routed.admin_token, allowed_instance_hosts=["a.example,b"])
