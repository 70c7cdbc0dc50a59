"""Bytes with NULs, Unicode paths, bodies and headers, and NUL in str arguments."""

from __future__ import annotations

import json

import pytest

import leanix
from sandbox import Sandbox

FS = "/services/pathfinder/v1/factSheets"


def test_request_body_with_nul_bytes_is_sent_whole(sandbox: Sandbox, client: leanix.Client) -> None:
    valid = json.dumps({"name": "NUL test", "type": "Application"}).encode()
    # Cut at the NUL (as a c_char_p would), this is valid JSON and creates a fact sheet;
    # sent whole, the bytes after the NUL make it malformed: the sandbox must answer 400.
    body = valid + b"\x00\xff\x00garbage"
    with pytest.raises(leanix.HTTPError) as info:
        client.request("POST", FS, data=body, headers={"Content-Type": "application/json"})
    assert info.value.http_status == 400
    assert sandbox.requests("factSheets", 400) == 1
    assert sandbox.requests("factSheets", 200) == 0
    # and the same bytes without the tail are accepted
    r = client.request("POST", FS, data=bytearray(valid),
                       headers={"Content-Type": "application/json"})
    assert r.json()["data"]["name"] == "NUL test"


def test_response_body_with_nul_bytes_round_trips(sandbox: Sandbox, client: leanix.Client) -> None:
    payload = "a\x00b\x00\x00c\u00e9\U0001f600\x00"
    sandbox.fault("factSheet", "respond", status=200,
                  content_type="application/octet-stream", body=payload, times=1)
    r = client.get(FS + "/any-id")
    assert r.content == payload.encode("utf-8")
    assert len(r.content) == len(payload.encode("utf-8"))
    assert r.headers["content-type"] == "application/octet-stream"
    assert r.text == payload


def test_empty_body(sandbox: Sandbox, client: leanix.Client) -> None:
    sandbox.fault("factSheet", "respond", status=204, content_type="text/plain", body="", times=1)
    r = client.get(FS + "/any-id")
    assert r.status == 204 and r.content == b"" and r.text == ""


def test_unicode_path_is_a_404_not_a_crash(client: leanix.Client) -> None:
    with pytest.raises(leanix.HTTPError) as info:
        client.get(FS + "/ünïcode")
    assert info.value.http_status == 404
    with pytest.raises(leanix.HTTPError) as info:
        client.request("GET", FS + "/日本語?q=ä")
    assert info.value.http_status == 404


def test_unicode_in_json_bodies_and_graphql(client: leanix.Client) -> None:
    name = "Ünïcödé ✓ 日本語 \U0001f600"
    created = client.post(FS, json={"name": name, "type": "Application"}).json()["data"]
    assert created["name"] == name
    assert client.get(f"{FS}/{created['id']}").json()["data"]["name"] == name
    data = client.graphql("query($id: ID!) { factSheet(id: $id) { name } }", {"id": created["id"]})
    assert data["factSheet"]["name"] == name


def test_header_values_must_be_ascii(client: leanix.Client) -> None:
    # Decision: non-ASCII header values are refused before anything is sent.
    with pytest.raises(leanix.InvalidArgumentError, match="non-ASCII"):
        client.request("GET", FS, headers={"X-Name": "Ünïcode"})
    with pytest.raises(leanix.InvalidArgumentError):
        client.request("GET", FS, headers={"X-Nämé": "ascii"})
    assert client.request("GET", FS + "?pageSize=1", headers={"X-Name": "ascii only"}).status == 200


def test_nul_in_str_arguments_is_refused(sandbox: Sandbox, client: leanix.Client) -> None:
    cases = [
        lambda: client.get(FS + "\x00/ignored"),
        lambda: client.request("GET\x00", FS),
        lambda: client.request("GET", FS + "\x00"),
        lambda: client.request("GET", FS, headers={"X-A": "b\x00c"}),
        lambda: client.graphql("{ allFactSheets { totalCount } }\x00 ignored"),
        lambda: client.graphql_all_edges("\x00"),
        lambda: leanix.Client(sandbox.url + "\x00evil", sandbox.admin_token),
        lambda: leanix.Client(sandbox.url, sandbox.admin_token + "\x00"),
        lambda: leanix.Client(sandbox.url, sandbox.admin_token, user_agent="a\x00b"),
    ]
    for i, case in enumerate(cases):
        with pytest.raises(leanix.InvalidArgumentError, match="NUL"):
            case()
    assert sandbox.stats()["requests"] == {}  # nothing reached the sandbox


def test_lone_surrogates_are_refused(client: leanix.Client) -> None:
    with pytest.raises(leanix.InvalidArgumentError, match="Unicode"):
        client.get(FS + "/\ud800")


def test_bytes_arguments(client: leanix.Client) -> None:
    assert client.get((FS + "?pageSize=1").encode()).status == 200  # type: ignore[arg-type]
    with pytest.raises(leanix.InvalidArgumentError):
        client.get(b"/services/\xff")  # type: ignore[arg-type]  # not UTF-8: library refuses
