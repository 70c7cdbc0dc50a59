"""Every exception class, provoked for real against lx-sandbox."""

from __future__ import annotations

import builtins
import multiprocessing
import socket
import threading
import time
from pathlib import Path
from typing import Any, Iterator, List

import pytest

import leanix
from clients import FS, make
from sandbox import Sandbox

def test_invalid_credentials(sandbox: Sandbox) -> None:
    with make(sandbox, "not-a-valid-api-token") as c:
        with pytest.raises(leanix.InvalidCredentialsError) as info:
            c.get(FS)
    e = info.value
    assert e.status_code == leanix.LX_ERR_INVALID_CREDENTIALS == 4
    assert e.status_name == "LX_ERR_INVALID_CREDENTIALS"
    assert e.http_status == 401
    assert isinstance(e, leanix.LeanixError)
    assert sandbox.stats()["token_exchanges"] == 0


def test_unauthorized_after_one_refresh(sandbox: Sandbox) -> None:
    sandbox.fault("factSheets", "status", status=401, times=2)
    with make(sandbox) as c:
        with pytest.raises(leanix.UnauthorizedError) as info:
            c.get(FS)
    assert info.value.http_status == 401
    assert sandbox.requests("factSheets", 401) == 2
    assert sandbox.stats()["token_exchanges"] == 2  # the token was refreshed once, then replayed


def test_forbidden_for_a_viewer(sandbox: Sandbox) -> None:
    with make(sandbox, sandbox.viewer_token) as c:
        assert c.claims.role == "VIEWER"  # type: ignore[union-attr]
        c.get(FS + "?pageSize=1")  # reading is fine
        with pytest.raises(leanix.ForbiddenError) as info:
            c.post(FS, json={"name": "nope", "type": "Application"})
    assert info.value.http_status == 403
    assert sandbox.stats()["token_exchanges"] == 1  # 403 never refreshes


def test_rate_limited_with_retry_after(sandbox: Sandbox) -> None:
    sandbox.fault("factSheets", "status", status=429, retry_after="3600", times=1)
    with make(sandbox) as c:
        t0 = time.monotonic()
        with pytest.raises(leanix.RateLimitedError) as info:
            c.get(FS)
        assert time.monotonic() - t0 < 5  # returned at once, not after an hour
    assert info.value.retry_after == 3600.0
    assert info.value.http_status == 429


def test_http_error_404(client: leanix.Client) -> None:
    with pytest.raises(leanix.HTTPError) as info:
        client.get(FS + "/00000000-0000-0000-0000-000000000000")
    assert info.value.http_status == 404
    assert info.value.status_code == leanix.LX_ERR_HTTP


def test_http_error_500_on_a_post_is_not_retried(sandbox: Sandbox, client: leanix.Client) -> None:
    sandbox.fault("factSheets", "status", status=500, times=1)
    with pytest.raises(leanix.HTTPError) as info:
        client.post(FS, json={"name": "x", "type": "Application"})
    assert info.value.http_status == 500
    assert sandbox.requests("factSheets", 500) == 1
    assert sandbox.requests("factSheets", 200) == 0


def test_timeout(sandbox: Sandbox) -> None:
    sandbox.fault("factSheets", "stall", ms=5000, times=1)
    with make(sandbox, request_timeout=0.3, max_attempts=1) as c:
        c.access_token  # exchange first: the timeout is the request's
        t0 = time.monotonic()
        with pytest.raises(leanix.TimeoutError) as info:
            c.get(FS)
        assert time.monotonic() - t0 < 3
    assert isinstance(info.value, builtins.TimeoutError)
    assert info.value.status_code == leanix.LX_ERR_TIMEOUT


def test_connection_refused() -> None:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nobody listens there now
    with leanix.Client(f"http://127.0.0.1:{port}", "token", insecure_loopback=True,
                       token_attempts=1) as c:
        with pytest.raises(leanix.ConnectionError) as info:
            c.get(FS)
    assert isinstance(info.value, builtins.ConnectionError)
    assert info.value.status_code == leanix.LX_ERR_CONNECT


@pytest.fixture(scope="module")
def tls_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    ca = tmp_path_factory.mktemp("tls") / "ca.pem"
    sb = Sandbox("--tls", "--ca-out", str(ca))
    sb.ca_file = str(ca)  # type: ignore[attr-defined]
    sb.use_ca(str(ca))
    try:
        yield sb
    finally:
        sb.close()


def test_tls_untrusted_then_trusted(tls_sandbox: Sandbox) -> None:
    assert tls_sandbox.url.startswith("https://")
    with leanix.Client(tls_sandbox.url, tls_sandbox.admin_token, token_attempts=1) as c:
        with pytest.raises(leanix.TLSError) as info:
            c.get(FS)
    assert info.value.status_code == leanix.LX_ERR_TLS
    assert tls_sandbox.stats()["token_requests"] == 0  # nothing got through
    ca_file = tls_sandbox.ca_file  # type: ignore[attr-defined]
    with leanix.Client(tls_sandbox.url, tls_sandbox.admin_token, ca_file=ca_file) as c:
        assert c.get(FS + "?pageSize=1").status == 200
    pem = Path(ca_file).read_text()
    with leanix.Client(tls_sandbox.url, tls_sandbox.admin_token, ca_pem=pem) as c:
        assert c.claims.workspace_name == "sandbox"  # type: ignore[union-attr]


def test_invalid_response_from_the_token_endpoint(sandbox: Sandbox) -> None:
    sandbox.fault("token", "malformed_json", times=3)
    with make(sandbox) as c:
        with pytest.raises(leanix.InvalidResponseError) as info:
            c.get(FS)
    assert info.value.status_code == leanix.LX_ERR_INVALID_RESPONSE


def test_json_of_a_body_that_is_not_json_is_a_value_error(sandbox: Sandbox) -> None:
    sandbox.fault("factSheets", "malformed_json", times=1)
    with make(sandbox) as c:
        r = c.get(FS)
        with pytest.raises(leanix.JSONDecodeError, match="not JSON") as info:
            r.json()
    assert isinstance(info.value, ValueError)  # as requests' and httpx's json()
    assert isinstance(info.value, leanix.InvalidResponseError)
    assert info.value.status_code == leanix.LX_ERR_INVALID_RESPONSE


def test_graphql_error(client: leanix.Client) -> None:
    with pytest.raises(leanix.GraphQLError) as info:
        client.graphql("{ allFactSheets { noSuchField } }")
    assert "noSuchField" in info.value.message
    assert info.value.status_code == leanix.LX_ERR_GRAPHQL


def test_redirect_to_another_origin_is_refused(sandbox: Sandbox, client: leanix.Client) -> None:
    sandbox.fault("factSheets", "redirect_foreign", times=1)
    with pytest.raises(leanix.RedirectError):
        client.get(FS)
    stats = sandbox.stats()
    assert stats["foreign_requests_with_authorization"] == 0


def test_cancelled_when_another_thread_closes_the_client(sandbox: Sandbox) -> None:
    c = make(sandbox)
    c.access_token  # the exchange is done; the next request stalls in the sandbox
    sandbox.fault("factSheets", "stall", ms=10_000, times=1)
    caught: List[BaseException] = []
    started = threading.Event()

    def call() -> None:
        started.set()
        try:
            c.get(FS)
        except BaseException as e:  # noqa: BLE001
            caught.append(e)

    t = threading.Thread(target=call)
    t.start()
    started.wait()
    deadline = time.monotonic() + 30  # until the request is held by the stall (no guessing)
    while sandbox.stats()["stalled"] < 1 and time.monotonic() < deadline:
        time.sleep(0.001)
    assert sandbox.stats()["stalled"] == 1
    t0 = time.monotonic()
    c.close()
    t.join(timeout=5)
    assert not t.is_alive()
    assert time.monotonic() - t0 < 2
    assert len(caught) == 1 and isinstance(caught[0], leanix.CancelledError), caught
    assert caught[0].status_code == leanix.LX_ERR_CANCELLED
    with pytest.raises(leanix.ClosedError):
        c.get(FS)


def _child(client: leanix.Client, url: str, token: str, q: Any) -> None:
    out = []
    try:
        client.get(FS + "?pageSize=1")
        out.append("parent client worked")
    except leanix.ForkedError as e:
        out.append(("forked", e.status_code))
    except BaseException as e:  # noqa: BLE001
        out.append(("other", repr(e)))
    try:
        with leanix.Client(url, token, insecure_loopback=True) as fresh:
            out.append(("fresh", fresh.get(FS + "?pageSize=1").status))
    except BaseException as e:  # noqa: BLE001
        out.append(("fresh failed", repr(e)))
    client.close()
    q.put(out)


def test_forked_child(sandbox: Sandbox, client: leanix.Client) -> None:
    client.get(FS + "?pageSize=1")  # the parent's runtime threads are running
    ctx = multiprocessing.get_context("fork")
    q = ctx.Queue()
    p = ctx.Process(target=_child, args=(client, sandbox.url, sandbox.admin_token, q))
    p.start()
    result = q.get(timeout=30)
    p.join(timeout=10)
    assert p.exitcode == 0
    assert result == [("forked", leanix.LX_ERR_FORKED), ("fresh", 200)]
    assert client.get(FS + "?pageSize=1").status == 200  # the parent is unaffected


def test_errors_pickle() -> None:
    import pickle

    e = leanix.RateLimitedError("slow down", http_status=429, retry_after=3.0)
    f = pickle.loads(pickle.dumps(e))
    assert type(f) is leanix.RateLimitedError and f.retry_after == 3.0 and f.http_status == 429


def test_config_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(leanix.ConfigError, match="http://"):
        leanix.Client("http://acme.leanix.net", "token")
    with pytest.raises(leanix.ConfigError):
        leanix.Client("http://127.0.0.1:1", "token")  # loopback, but not allowed explicitly
    monkeypatch.delenv("LEANIX_HOST", raising=False)
    monkeypatch.delenv("LEANIX_API_TOKEN", raising=False)
    with pytest.raises(leanix.ConfigError) as info:
        leanix.Client()
    assert info.value.status_code == leanix.LX_ERR_CONFIG
    assert isinstance(info.value, ValueError)
    with pytest.raises(leanix.ConfigError):
        leanix.Client("acme.leanix.net", "")
    with pytest.raises(leanix.ConfigError, match="CA file"):
        leanix.Client("acme.leanix.net", "token", ca_file="/nonexistent/ca.pem")


def test_invalid_arguments(client: leanix.Client) -> None:
    with pytest.raises(leanix.InvalidArgumentError, match="header name"):
        client.request("GET", FS, headers={"Bad Header": "x"})
    with pytest.raises(leanix.InvalidArgumentError, match="line break"):
        client.request("GET", FS, headers={"X-Injected": "a\r\nAuthorization: Bearer x"})
    with pytest.raises(leanix.InvalidArgumentError) as info:  # refused by the library itself
        client.request("GET", FS, headers={"Authorization": "Bearer mine"})
    assert info.value.status_code == leanix.LX_ERR_INVALID_ARG
    assert "mine" not in info.value.message
    with pytest.raises(leanix.InvalidArgumentError):
        client.request("GET", FS, headers={"Host": "elsewhere.example"})
    with pytest.raises(leanix.InvalidArgumentError):
        client.request("GE T", FS)  # not a method
    with pytest.raises(TypeError):
        client.request("POST", FS, json={}, data=b"{}")
    with pytest.raises(TypeError):
        client.request("POST", FS, data=123)  # type: ignore[arg-type]
    assert isinstance(leanix.InvalidArgumentError("x"), ValueError)
